/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — dm-verity: superblock, hash tree geometry, creation (format),
 * verification with a list of every corrupt block, FEC (Reed-Solomon) parity,
 * and the kernel table line. Byte-identical to veritysetup 2.6.
 *
 * On-disk format: shared/specs/dm-verity.md (cryptsetup lib/verity, Linux
 * Documentation/admin-guide/device-mapper/verity.rst).
 *
 * Thread safety: every function is reentrant; ct_verity_format/verify start
 * their own worker threads and join them before returning.
 */
#ifndef COCOTRUST_VERITY_H
#define COCOTRUST_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/fileio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CT_VERITY_SB_SIZE 512u
#define CT_VERITY_MAX_SALT 256u
#define CT_VERITY_MIN_BLOCK 512u
#define CT_VERITY_MAX_BLOCK (512u * 1024u)
#define CT_VERITY_MAX_LEVELS 63u
#define CT_VERITY_MAX_ALG_NAME 31u       /* superblock field is 32 bytes incl. NUL */
#define CT_VERITY_MAX_DIGEST 64u
#define CT_VERITY_FEC_MIN_ROOTS 2u
#define CT_VERITY_FEC_MAX_ROOTS 24u
/* The tree is held in memory: at most 4 GiB (512 GiB of data at sha256/4096). */
#define CT_VERITY_MAX_TREE_BYTES (4ull << 30)
/* At most this many corrupt blocks are listed one by one (all are counted). */
#define CT_VERITY_MAX_REPORT 100000u
#define CT_VERITY_MAX_THREADS 256u

/* veritysetup parameters (what the superblock holds, plus placement and FEC). */
typedef struct ct_verity_params {
        char hash_name[CT_VERITY_MAX_ALG_NAME + 1]; /* lower case, e.g. "sha256" */
        uint32_t hash_type;                         /* 0 (Chrome OS) or 1 (normal) */
        uint32_t data_block_size;
        uint32_t hash_block_size;
        uint64_t data_blocks;                       /* 0 in format: from the data size */
        uint64_t hash_offset;                       /* bytes; superblock (or tree) position */
        size_t salt_size;
        uint8_t salt[CT_VERITY_MAX_SALT];
        uint8_t uuid[16];                           /* raw, printed order */
        bool no_superblock;
        uint32_t fec_roots;                         /* 0 = no FEC */
        uint64_t fec_offset;                        /* bytes in the FEC file */
} ct_verity_params;

/* Tree layout derived from the parameters. */
typedef struct ct_verity_geometry {
        size_t digest_size;
        unsigned per_block_bits;                     /* log2(hash_per_block) */
        uint32_t hash_per_block;
        uint32_t stride;                             /* bytes between digests in a hash block */
        unsigned levels;                             /* 0 when data_blocks == 1 */
        uint64_t hash_start;                         /* first tree block, hash_block_size units */
        uint64_t level_start[CT_VERITY_MAX_LEVELS];  /* hash-device block of level i (0 = leaves) */
        uint64_t level_blocks[CT_VERITY_MAX_LEVELS];
        uint64_t tree_blocks;                        /* sum of level_blocks */
        uint64_t hash_device_size;                   /* (hash_start + tree_blocks) * hash_block_size */
} ct_verity_geometry;

/*
 * Parse a root hash: len bytes (untrusted: the text of a --root-hash-file or
 * of the argument) of exactly 2 * want hex digits, trailing CR, LF and spaces
 * ignored. want <= CT_VERITY_MAX_DIGEST. root is written only on success.
 * CT_E_MALFORMED naming what is wrong otherwise (empty, too long, not hex).
 */
ct_code ct_verity_root_hash_parse(const void *buf, size_t len, size_t want, uint8_t *root, ct_error *err);

/*
 * Parse a salt argument (NUL-terminated): "-" or "" for none, else at most
 * 2 * CT_VERITY_MAX_SALT hex digits. Sets p->salt / p->salt_size on success.
 */
ct_code ct_verity_salt_parse(const char *text, ct_verity_params *p, ct_error *err);

/* Defaults of veritysetup: sha256, 4096/4096, format 1, empty salt (callers pick one), no FEC. */
void ct_verity_params_init(ct_verity_params *p);

/*
 * Check the parameters the way cryptsetup does (block sizes power of two in
 * 512..512 KiB, hash offset and FEC offset multiple of 512, salt <= 256
 * bytes, format 0/1, an algorithm OpenSSL knows that is not an XOF, FEC roots
 * 2..24 with equal block sizes). CT_E_ARG with a message otherwise.
 */
ct_code ct_verity_params_check(const ct_verity_params *p, ct_error *err);

/* Digest size of an OpenSSL digest name (0 if unknown or an XOF). */
size_t ct_verity_digest_size(const char *hash_name);

/* Geometry for p (p->data_blocks must be >= 1). CT_E_ARG / CT_E_LIMIT on overflow. */
ct_code ct_verity_geometry_compute(const ct_verity_params *p, ct_verity_geometry *ret, ct_error *err);

/*
 * Check that a hash device of hash_size bytes holds the whole tree that p
 * describes (g->hash_device_size bytes; nothing beyond the superblock when
 * the tree has no levels). CT_E_INPUT naming both sizes otherwise. Verify
 * calls it before it reads or hashes any data.
 */
ct_code ct_verity_hash_size_check(const ct_verity_params *p, const ct_verity_geometry *g, uint64_t hash_size,
                                  ct_error *err);

/* The same for an open hash device (regular file or block device): sizes it, no data read. */
ct_code ct_verity_hash_fd_check(const ct_verity_params *p, int hash_fd, ct_error *err);

/*
 * Parse a 512-byte superblock (untrusted). Fills every superblock field of
 * *ret (hash_offset, FEC fields and no_superblock are left as they were).
 * CT_E_MALFORMED / CT_E_UNSUPPORTED naming the field and offset (`base` is
 * the absolute offset of buf in the file).
 */
ct_code ct_verity_superblock_parse(const void *buf, size_t len, uint64_t base, ct_verity_params *ret,
                                   ct_error *err);

/* Serialise the superblock of p into out[512]. */
void ct_verity_superblock_build(const ct_verity_params *p, uint8_t out[CT_VERITY_SB_SIZE]);

/* The result of a format. */
typedef struct ct_verity_result {
        uint8_t root[CT_VERITY_MAX_DIGEST];
        size_t root_size;
        ct_verity_geometry geo;
        uint64_t hash_file_size;    /* size the hash file has afterwards */
        uint64_t fec_blocks;        /* blocks covered by FEC (data + hash), table's fec_blocks */
        uint64_t fec_parity_size;   /* parity bytes written at fec_offset */
} ct_verity_result;

/*
 * Build the tree of data_path into hash_path like `veritysetup format`.
 *  - p->data_blocks == 0: floor(size / data_block_size) (a trailing partial
 *    block is ignored, as veritysetup does); p is updated with it.
 *  - hash_path a different file: written atomically (temporary file, fsync,
 *    rename); bytes before hash_offset of an existing file are kept.
 *  - hash_path the same file as data_path (tree at hash_offset, which must
 *    not overlap the data): the superblock area is cleared first and the
 *    superblock written last, after an fsync of the tree.
 *  - fec_path (NULL: none, requires p->fec_roots): parity at p->fec_offset;
 *    fec_path equal to hash_path puts the parity into the hash file.
 * threads: 0 = online CPUs. On success fills *ret.
 */
ct_code ct_verity_format(const char *data_path, const char *hash_path, const char *fec_path,
                         ct_verity_params *p, unsigned threads, ct_verity_result *ret, ct_error *err);

/*
 * ct_verity_format whose hash and FEC files join the output set outs and are
 * not renamed: the caller adds its own outputs (the root-hash file) and runs
 * ct_outputs_commit, so a failure at any write changes none of the targets
 * (on error the caller frees outs, which removes the temporaries). Each
 * temporary starts as a copy (reflink where the file system can) of the
 * existing file, so bytes format does not write are kept as veritysetup keeps
 * them (holes stay holes). A hash or FEC file that is the data file or a
 * block device is written in place and is not part of the set. The data file
 * joins the set as an input: an output the caller adds later that is the data
 * file, or one of these outputs, under another name is refused (CT_E_ARG).
 */
ct_code ct_verity_format_outputs(const char *data_path, const char *hash_path, const char *fec_path,
                                 ct_verity_params *p, unsigned threads, ct_outputs *outs, ct_verity_result *ret,
                                 ct_error *err);

/*
 * Compute the root hash only (no output file) from an open data fd. p must
 * be complete (data_blocks >= 1).
 */
ct_code ct_verity_root_fd(int data_fd, const ct_verity_params *p, unsigned threads, uint8_t *root,
                          size_t root_cap, ct_error *err);

/* Verification. */
typedef enum ct_verity_bad_kind {
        CT_VERITY_BAD_DATA = 1,   /* data block digest != stored leaf digest */
        CT_VERITY_BAD_HASH,       /* hash block digest != digest stored above it (or the root) */
        CT_VERITY_BAD_SPARE,      /* hash block matches but its unused area is not zero */
} ct_verity_bad_kind;

typedef struct ct_verity_bad_block {
        ct_verity_bad_kind kind;
        unsigned level;          /* hash blocks: tree level, 0 = leaves */
        uint64_t block;          /* data block index, or hash-device block index */
        uint64_t offset;         /* first byte in DATA (data) or HASH (hash, spare) */
        uint64_t length;         /* bytes */
        bool parent_corrupt;     /* the digest it was checked against sits in a corrupt hash block */
        bool spare_dirty;        /* hash block whose unused area is not zero */
} ct_verity_bad_block;

typedef struct ct_verity_report {
        ct_verity_params params;       /* parameters used */
        ct_verity_geometry geo;
        uint64_t n_bad_data;           /* counts (all of them) */
        uint64_t n_bad_hash;
        size_t n_blocks;               /* entries in blocks[] (at most CT_VERITY_MAX_REPORT) */
        ct_verity_bad_block *blocks;   /* data blocks first (ascending), then hash blocks */
        bool root_matches;             /* the top block (or single data block) hashes to the root */
        bool hash_truncated;           /* always false: a HASH shorter than the tree is refused (CT_E_INPUT) */
} ct_verity_report;

/*
 * The fd-based calls below cannot name a file: when reading DATA fails (it
 * shrank, a read failed) err->input is the role CT_VERITY_INPUT_DATA.
 * ct_verity_error_name replaces that role with the caller's path (NULL
 * leaves it); any other input, or none, is kept. ct_verity_format_outputs
 * and ct_verity_repair, which open DATA by path, name it themselves.
 */
#define CT_VERITY_INPUT_DATA "data"
void ct_verity_error_name(ct_error *err, const char *data_path);

/*
 * Verify data_fd against the tree in hash_fd and the expected root (raw
 * bytes, root_size == digest size). p must be complete. Returns CT_OK when
 * intact, CT_E_MISMATCH when anything is corrupt — in both cases *ret is
 * filled (free with ct_verity_report_free); other codes leave *ret untouched.
 */
ct_code ct_verity_verify_fd(int data_fd, int hash_fd, const ct_verity_params *p, const uint8_t *root,
                            size_t root_size, unsigned threads, ct_verity_report *ret, ct_error *err);
void ct_verity_report_free(ct_verity_report *r);

/*
 * Read parameters from the superblock at p->hash_offset of hash_fd into *p
 * (keeps hash_offset and FEC fields). CT_E_MALFORMED for a missing/invalid one.
 */
ct_code ct_verity_read_superblock(int hash_fd, ct_verity_params *p, ct_error *err);

/* FEC over data_fd (N data blocks) and the hash blocks [hash_start, hash_end) of hash_fd. */
typedef struct ct_verity_fec_geometry {
        uint64_t blocks;       /* covered blocks: data + hash */
        uint64_t rounds;       /* ceil(blocks / (255 - roots)) */
        uint64_t parity_size;  /* rounds * roots * block size */
} ct_verity_fec_geometry;

ct_code ct_verity_fec_geometry_compute(const ct_verity_params *p, uint64_t hash_blocks_covered,
                                       ct_verity_fec_geometry *ret, ct_error *err);

/*
 * The hash-device blocks FEC covers after the data, as veritysetup 2.6.1's
 * VERITY_FEC_blocks(): from the first tree block to the FEC offset when the
 * parity is in the hash device itself (fec_in_hash), else to the end of the
 * hash device (hash_device_size bytes, whatever it holds past the tree).
 * p must be complete. CT_E_ARG when that end lies before the tree's start.
 */
ct_code ct_verity_fec_hash_blocks(const ct_verity_params *p, uint64_t hash_device_size, bool fec_in_hash,
                                  uint64_t *ret, ct_error *err);

/*
 * The same for files: the FEC is in the hash device when fec_path names the
 * same file as hash_path (same string, or same device and inode; a fec_path
 * that does not exist here, such as a guest's device name, is another
 * device), else the hash device's size counts (files and block devices).
 * CT_E_IO when hash_path cannot be sized.
 */
ct_code ct_verity_fec_hash_blocks_path(const ct_verity_params *p, const char *hash_path, const char *fec_path,
                                       uint64_t *ret, ct_error *err);

/* What ct_verity_fec_check found. */
typedef struct ct_verity_fec_check_result {
        ct_verity_fec_geometry geometry;
        uint64_t corrected;       /* symbols (bytes) the parity corrects, over every codeword */
        uint64_t uncorrectable;   /* codewords with more errors than roots / 2 */
        uint64_t first_bad_round; /* RS block of the first uncorrectable codeword (if any) */
        uint64_t blocks_repaired; /* ct_verity_verify_fec_fd: corrupt blocks corrected in memory */
        bool verified_after_repair; /* ... and the tree then verified against the root hash */
} ct_verity_fec_check_result;

/* At most this many bytes of corrupt blocks are corrected in memory for re-verification. */
#define CT_VERITY_MAX_FEC_REPAIR_BYTES (256ull << 20)

/*
 * Decode every Reed-Solomon codeword over data_fd (p->data_blocks blocks)
 * and hash_blocks blocks of hash_fd from its first tree block (past its end:
 * zeros; ct_verity_fec_hash_blocks gives veritysetup's count), with the
 * parity at p->fec_offset of fec_fd, as `veritysetup verify --fec-device`
 * does when verification fails: corrections are counted in memory, nothing
 * is written. CT_OK with *ret filled whatever was found; other codes for
 * I/O (CT_E_IO, CT_E_TRUNCATED for a short FEC file) and bad parameters.
 */
ct_code ct_verity_fec_check(int data_fd, int hash_fd, int fec_fd, const ct_verity_params *p, uint64_t hash_blocks,
                            unsigned threads, ct_verity_fec_check_result *ret, ct_error *err);

/*
 * ct_verity_verify_fd, and when anything is corrupt: decode the FEC (as
 * ct_verity_fec_check, p->fec_roots / p->fec_offset, fec_hash_blocks from
 * ct_verity_fec_hash_blocks), put the corrected corrupt blocks in memory and
 * verify again. CT_OK when intact or when the repaired tree and data verify
 * against the root; CT_E_MISMATCH otherwise. In both cases *ret lists the
 * blocks corrupt on disk and *ret_fec says what FEC did. Nothing is written.
 */
ct_code ct_verity_verify_fec_fd(int data_fd, int hash_fd, int fec_fd, const ct_verity_params *p, const uint8_t *root,
                                size_t root_size, uint64_t fec_hash_blocks, unsigned threads, ct_verity_report *ret,
                                ct_verity_fec_check_result *ret_fec, ct_error *err);

/*
 * Progress of the data hashing (format, verify, repair): fn(done, total,
 * user) with bytes of data hashed, called from the hashing threads (never
 * two at once, possibly skipped while another call runs), last with done ==
 * total. The callback belongs to the calling thread: set it before the call,
 * NULL turns it off. It must not call back into the library.
 */
typedef void (*ct_verity_progress_fn)(uint64_t done, uint64_t total, void *user);
void ct_verity_set_progress(ct_verity_progress_fn fn, void *user);

/* ct_verity_repair flags. */
enum {
        CT_VERITY_REPAIR_IN_PLACE = 1u << 0, /* write the corrected blocks into DATA/HASH themselves (block devices) */
};

/* What ct_verity_repair wrote. */
typedef struct ct_verity_repair_result {
        uint64_t data_blocks_written; /* corrected data blocks put back into data_path */
        uint64_t hash_blocks_written; /* corrected tree blocks put back into hash_path */
        bool in_place;
} ct_verity_repair_result;

/*
 * `veritysetup verify --fec-device` with the corrections written back:
 * ct_verity_verify_fec_fd over data_path / hash_path / fec_path, and when the
 * corrected blocks verify against root, a copy of data_path (and of
 * hash_path when tree blocks were corrected) is written to a temporary beside
 * it, the corrected blocks put in, the copies verified again against root and
 * only then renamed over the originals (ct_outputs_*). With
 * CT_VERITY_REPAIR_IN_PLACE the blocks are written into the files themselves,
 * still only after the in-memory repair verified; without it a block device
 * is refused (CT_E_INPUT). CT_OK: intact (nothing written) or repaired;
 * CT_E_MISMATCH: not repairable (nothing written). *ret / *ret_fec as
 * ct_verity_verify_fec_fd; *ret_repair says what was written.
 */
ct_code ct_verity_repair(const char *data_path, const char *hash_path, const char *fec_path, const ct_verity_params *p,
                         const uint8_t *root, size_t root_size, uint64_t fec_hash_blocks, unsigned threads,
                         unsigned flags, ct_verity_report *ret, ct_verity_fec_check_result *ret_fec,
                         ct_verity_repair_result *ret_repair, ct_error *err);

/* Options of the kernel table (cryptsetup order). */
enum {
        CT_VERITY_IGNORE_CORRUPTION = 1u << 0,
        CT_VERITY_RESTART_ON_CORRUPTION = 1u << 1,
        CT_VERITY_PANIC_ON_CORRUPTION = 1u << 2,
        CT_VERITY_IGNORE_ZERO_BLOCKS = 1u << 3,
        CT_VERITY_CHECK_AT_MOST_ONCE = 1u << 4,
        CT_VERITY_TRY_VERIFY_IN_TASKLET = 1u << 5,
};

typedef struct ct_verity_table_opts {
        const char *data_dev;
        const char *hash_dev;
        unsigned flags;
        const char *fec_dev;       /* NULL: no FEC group */
        uint64_t fec_blocks;
        const char *root_hash_sig_key_desc; /* NULL: none */
} ct_verity_table_opts;

/*
 * The dm-verity table line ("0 <sectors> verity <type> <data> <hash> <dbs>
 * <hbs> <N> <hash_start> <alg> <root> <salt|-> [<#opts> ...]"), malloc'd
 * into *ret. Device names must not contain white space (CT_E_ARG).
 */
ct_code ct_verity_table_line(const ct_verity_params *p, const uint8_t *root, size_t root_size,
                             const ct_verity_table_opts *o, char **ret, ct_error *err);

/*
 * ext4 attribution of corrupt data blocks. For each of the n data block
 * indexes (of size data_block_size) in blocks[], *ret receives a malloc'd
 * array of n malloc'd strings: the paths of the files (or "dir/ (directory)")
 * whose blocks overlap it, joined with ", ", or "metadata" / "free space".
 * CT_E_UNSUPPORTED when the image is not ext2/3/4 (or libext2fs cannot open
 * it; the message says why). Free with ct_verity_strv_free.
 */
ct_code ct_verity_ext4_attribute(const char *image_path, uint32_t data_block_size, const uint64_t *blocks,
                                 size_t n, char ***ret, ct_error *err);
void ct_verity_strv_free(char **v, size_t n);

/*
 * Limits of the isolated ext4 attribution child (setrlimit in the child and a
 * wall-clock deadline in the parent, which then kills it). When one is hit the
 * attribution fails with CT_E_LIMIT ("attribution stopped: ..."); the corrupt
 * blocks are still reported by the caller. RLIMIT_AS is not set in builds
 * with AddressSanitizer (its shadow memory needs terabytes of address space).
 */
#define CT_MAX_ATTRIB_CPU_SECONDS 30u
#define CT_MAX_ATTRIB_MEMORY (2ull << 30)   /* RLIMIT_AS of the child, bytes */
#define CT_MAX_ATTRIB_WALL_MS 60000u

/*
 * Like ct_verity_ext4_attribute, but libext2fs (not hardened against hostile
 * images) runs in a forked child process that sends the answers back through
 * a pipe: a crash there costs the attribution, never the caller. The child's
 * stderr goes to /dev/null; it calls nothing but libext2fs and _exit. The
 * caller must not have a SIGCHLD handler that reaps every child. Errors:
 * CT_E_UNSUPPORTED (not ext2/3/4, libext2fs refused it or crashed: the
 * message says which), CT_E_IO (pipe/fork), CT_E_NOMEM.
 */
ct_code ct_verity_ext4_attribute_isolated(const char *image_path, uint32_t data_block_size,
                                          const uint64_t *blocks, size_t n, char ***ret, ct_error *err);

/* Does fd hold an ext2/3/4 file system (superblock magic 0xEF53 at byte 1080)? */
bool ct_verity_ext4_probe_fd(int fd);

/* Reproducible salt (32 bytes) and UUID from a text, see docs/verity.md. */
void ct_verity_derive_salt_uuid(const char *text, uint8_t salt[32], uint8_t uuid[16]);

/* What ct_verity_params_randomize replaces. */
enum {
        CT_VERITY_RANDOM_SALT = 1u << 0, /* 32 random bytes, as veritysetup's default */
        CT_VERITY_RANDOM_UUID = 1u << 1, /* a random (version 4) UUID */
};

/*
 * Fill the salt and/or the UUID of *p from the kernel's random source
 * (getrandom). CT_E_IO when it fails; *p is then unchanged.
 */
ct_code ct_verity_params_randomize(ct_verity_params *p, unsigned what, ct_error *err);

/* UUID text "12345678-1234-1234-1234-123456789abc" (either case) <-> 16 bytes in printed order. */
#define CT_VERITY_UUID_TEXT 37u
ct_code ct_verity_uuid_parse(const char *text, uint8_t ret[16], ct_error *err);
void ct_verity_uuid_format(const uint8_t uuid[16], char out[CT_VERITY_UUID_TEXT]);

/* Ready-to-paste forms of a table (malloc'd strings; free with ct_verity_table_forms_free). */
typedef struct ct_verity_table_forms {
        char *table;        /* the kernel table line (ct_verity_table_line) */
        char *dmsetup;      /* dmsetup create NAME --readonly --table 'TABLE' */
        char *dm_mod;       /* dm-mod.create="NAME,,,ro,TABLE" root=/dev/dm-0 */
        char *kata;         /* Kata's kernel_verity_params value */
        char *kata_legacy;  /* rootfs_verity.scheme=dm-verity rootfs_verity.hash=ROOT */
        uint64_t hash_start;/* tree start, hash blocks */
        bool kata_exact;    /* format 1, sha256, tree at hash block 0: what Kata's parameters assume */
} ct_verity_table_forms;

/*
 * Every form of the table of p / root / o for the device-mapper name `name`
 * (NULL: "vroot"; no commas, semicolons, quotes or white space: CT_E_ARG).
 * Errors as ct_verity_table_line. *ret is written only on success.
 */
ct_code ct_verity_table_forms_build(const ct_verity_params *p, const uint8_t *root, size_t root_size,
                                    const ct_verity_table_opts *o, const char *name, ct_verity_table_forms *ret,
                                    ct_error *err);
void ct_verity_table_forms_free(ct_verity_table_forms *f);

#ifdef __cplusplus
}
#endif
#endif
