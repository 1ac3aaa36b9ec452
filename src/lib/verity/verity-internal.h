/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity internals shared by the files of src/lib/verity/.
 *
 * Layering (each file calls only those below it, no circles):
 *   format.c   verify.c        ct_verity_format / ct_verity_verify_fd
 *      |    \    |
 *      |     tree.c   fec.c    hash tree in memory / Reed-Solomon parity
 *      |       |     /
 *   params.c table.c ext4.c    parameters, geometry, superblock / table forms / ext4
 *      |       |
 *   common.c                   digest lookup, block hasher, sizes, threads, workers
 */
#ifndef COCOTRUST_VERITY_INTERNAL_H
#define COCOTRUST_VERITY_INTERNAL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <cocotrust/verity.h>

/* EVP_MD for a verity algorithm name (new reference, EVP_MD_free it), NULL if unknown or XOF. */
const EVP_MD *verity_md_fetch(const char *name);

/* Salted block hasher: one per thread. */
struct verity_hasher {
        EVP_MD_CTX *base;  /* type 1: salt absorbed; type 0: freshly initialised */
        EVP_MD_CTX *ctx;
        const uint8_t *salt;
        size_t salt_size;
        uint32_t type;
        unsigned digest_size;
};

ct_code verity_hasher_init(struct verity_hasher *h, const EVP_MD *md, const ct_verity_params *p, ct_error *err);
/* out receives digest_size bytes. Returns false on an OpenSSL failure. */
bool verity_hasher_block(struct verity_hasher *h, const void *block, size_t len, uint8_t *out);
void verity_hasher_free(struct verity_hasher *h);

/* Size of a file or block device. */
ct_code verity_fd_size(int fd, const char *what, uint64_t *ret, ct_error *err);

/*
 * Reed-Solomon parity (RS(255, 255-roots), GF(2^8)/0x11d, fcr 0, prim 1,
 * interleaved as veritysetup does) over: data blocks [0, N) of data_fd, then
 * hash_blocks blocks of the hash device from its first tree block: the first
 * hash_len bytes from hash (the tree in memory), the rest read from hash_fd
 * at hash_base + offset (past its end: zeros). Written to out_fd at
 * p->fec_offset. names: the data, hash and FEC paths an I/O error names as
 * its input (NULL, or a NULL entry: not named).
 */
ct_code verity_fec_write(int data_fd, const ct_verity_params *p, const uint8_t *hash, uint64_t hash_len, int hash_fd,
                         uint64_t hash_base, uint64_t hash_blocks, int out_fd, unsigned threads,
                         const char *const names[3], ct_verity_fec_geometry *ret, ct_error *err);

/*
 * Decode every FEC codeword (see ct_verity_fec_check) and, for the n_want
 * message blocks want[] (data block j = j, tree block t = N + t), write their
 * corrected bytes to out[i * block size].
 */
ct_code verity_fec_decode(int data_fd, int hash_fd, int fec_fd, const ct_verity_params *p, uint64_t hash_blocks,
                          unsigned threads, const uint64_t *want, size_t n_want, uint8_t *out,
                          ct_verity_fec_check_result *ret, ct_error *err);

/* Thread count: requested, or the online CPUs, at most CT_VERITY_MAX_THREADS. */
unsigned verity_threads(unsigned requested);

/*
 * A group of worker threads running the same function over shared work. The
 * first error any worker reports is kept; the others see verity_workers_failed()
 * and stop at their next unit of work.
 */
struct verity_workers {
        pthread_mutex_t lock;
        atomic_int failed;
        ct_code rc;
        ct_error err;
};

/* Record e unless an earlier error is kept (thread-safe). */
void verity_workers_fail(struct verity_workers *w, const ct_error *e);
bool verity_workers_failed(struct verity_workers *w);

/*
 * Run fn(arg) on n threads, the calling thread being one of them, and wait
 * for all. Fewer threads run if pthread_create fails. Returns the first error
 * recorded (copied to *err) or CT_OK.
 */
ct_code verity_workers_run(struct verity_workers *w, unsigned n, void *(*fn)(void *), void *arg, ct_error *err);

/*
 * SIGBUS guard for reading a file through a mapping: a file that shrinks
 * while mapped makes the next access past its new end raise SIGBUS. While at
 * least one guard is installed, a process-wide SIGBUS handler is in place;
 * a fault inside the range a thread has armed jumps back to that thread's
 * sigsetjmp point; any other SIGBUS goes to the handler that was installed
 * before (or kills the process as SIG_DFL would). Usage per thread:
 *
 *      verity_bus_arm(&g, base, len);
 *      if (sigsetjmp(g.jb, 1)) { verity_bus_disarm(); ... the file shrank ... }
 *      ... read base[0 .. len) ...
 *      verity_bus_disarm();
 */
struct verity_bus_guard {
        sigjmp_buf jb;
        const uint8_t *lo, *hi;
        const uint8_t *volatile fault; /* set by the handler before it jumps */
        sigset_t saved_mask;
};

/* Install the process handler (reference counted). CT_E_IO if sigaction fails. */
ct_code verity_bus_install(ct_error *err);
void verity_bus_uninstall(void);
/* Arm g for [base, base + len) in this thread (and unblock SIGBUS here); disarm restores the mask. */
void verity_bus_arm(struct verity_bus_guard *g, const void *base, size_t len);
void verity_bus_disarm(void);

/* ---- tree.c ---- */

/*
 * Hash data blocks [0, N) of fd into out (ceil(N / hash_per_block) hash
 * blocks, zero-initialised by the caller), on `threads` threads (0 = CPUs).
 */
enum {
        VERITY_LEAVES_PREAD = 1u << 0, /* never map the data (what block devices always get) */
};
ct_code verity_hash_leaves(int fd, const ct_verity_params *p, const ct_verity_geometry *g, const EVP_MD *md,
                           unsigned threads, unsigned flags, uint8_t *out, ct_error *err);

/* Allocate the zeroed in-memory tree (at least one hash block, at most CT_VERITY_MAX_TREE_BYTES). */
ct_code verity_tree_alloc(const ct_verity_params *p, const ct_verity_geometry *g, uint8_t **ret, uint64_t *ret_len,
                          ct_error *err);

/* CT_E_ARG unless fd (named `what`) holds at least p->data_blocks data blocks. */
ct_code verity_data_size_check(int fd, const char *what, const ct_verity_params *p, ct_error *err);

/*
 * Build the whole tree of data_fd in memory (on-disk order, top level first)
 * and its root (g->digest_size bytes). *ret_tree is malloc'd.
 */
ct_code verity_tree_build(int data_fd, const ct_verity_params *p, const ct_verity_geometry *g, unsigned threads,
                          uint8_t **ret_tree, uint64_t *ret_len, uint8_t *root, ct_error *err);

/* The corrected blocks of a verified FEC repair: want[i] (FEC message block: data j, or N + tree block t) -> blocks + i * bs. */
struct verity_fixed {
        uint64_t *want;
        size_t n;
        uint8_t *blocks;
        uint64_t hash_start, tree_blocks;
};

/* ct_verity_verify_fec_fd, and on CT_OK the corrected blocks in *ret_fixed (NULL: not wanted; free want and blocks). */
ct_code verity_verify_fec_keep(int data_fd, int hash_fd, int fec_fd, const ct_verity_params *p, const uint8_t *root,
                               size_t root_size, uint64_t fec_hash_blocks, unsigned threads, ct_verity_report *ret,
                               ct_verity_fec_check_result *ret_fec, struct verity_fixed *ret_fixed, ct_error *err);

#endif
