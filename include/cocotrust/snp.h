/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — AMD SEV / SEV-ES / SEV-SNP launch digests for QEMU direct boot
 * (and firmware-only boot), bit-identical to virtee/sev-snp-measure 0.0.13.
 *
 * Two ways in:
 *  - ct_snp_measure(): one configuration, one digest;
 *  - ct_snp_base_new() + ct_snp_base_measure(): the firmware (and kernel
 *    hash table) part is measured once; each (VMM, vCPU signature, guest
 *    features) combination then costs two VMSA page hashes, and a whole
 *    ascending list of vCPU counts costs one PAGE_INFO hash per vCPU of the
 *    largest count (the SNP digest after k VMSA pages is the prefix of the
 *    digest after k+1).
 *
 * Callers pass the firmware bytes and the SHA-256 of the kernel, initrd and
 * command line (ct_snp_boot_digests hashes the files; ct_snp_cmdline_sha256
 * the command line).
 *
 * Above these, two services:
 *  - ct_snp_table(): the rows of a table over VMM types x vCPU signatures x
 *    vCPU counts, each row carrying what really enters its digest (the VMSA's
 *    rdx, the effective guest features), in the order `snp measure` prints;
 *  - ct_snp_explain(): which configuration(s) of a parameter space produce
 *    a given launch digest (the appraisal's "why does this report differ").
 */
#ifndef COCOTRUST_SNP_H
#define COCOTRUST_SNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CT_SNP_LD_SIZE 48
#define CT_SNP_PAGE_SIZE 4096
#define CT_SNP_HASH_TABLE_SIZE 176 /* 168 bytes + 8 bytes padding */
/* Guest physical address of every VMSA page in the SNP digest. */
#define CT_SNP_VMSA_GPA 0xFFFFFFFFF000ull
/* Upper bound of --vcpus accepted by the library (sev-snp-measure has none). */
#define CT_MAX_SNP_VCPUS 65536
/* Firmware and SVSM images larger than this are refused. */
#define CT_MAX_SNP_FIRMWARE_SIZE (256ull << 20)

typedef enum ct_snp_mode {
        CT_SNP_MODE_SEV = 0,        /* "sev": SHA-256(firmware || hash table) */
        CT_SNP_MODE_SEV_ES,         /* "seves": SHA-256(firmware || hash table || VMSAs) */
        CT_SNP_MODE_SNP,            /* "snp": SNP launch digest (SHA-384 PAGE_INFO chain) */
        CT_SNP_MODE_SNP_OVMF_HASH,  /* "snp:ovmf-hash": the digest after the firmware pages only */
        CT_SNP_MODE_SNP_SVSM,       /* "snp:svsm": OVMF + Coconut-SVSM */
        CT_SNP_MODE__MAX
} ct_snp_mode;

typedef enum ct_snp_vmm {
        CT_SNP_VMM_QEMU = 0,
        CT_SNP_VMM_EC2,
        CT_SNP_VMM_GCE,
        CT_SNP_VMM__MAX
} ct_snp_vmm;

/* "sev", "seves", "snp", "snp:ovmf-hash", "snp:svsm"; NULL if out of range. */
const char *ct_snp_mode_name(ct_snp_mode mode);
/* Exact (case-sensitive) name to mode; false if unknown. */
bool ct_snp_mode_from_name(const char *name, ct_snp_mode *ret);
/* "QEMU", "ec2", "gce"; NULL if out of range. */
const char *ct_snp_vmm_name(ct_snp_vmm vmm);
/* Exact (case-sensitive, like sev-snp-measure) name to VMM type. */
bool ct_snp_vmm_from_name(const char *name, ct_snp_vmm *ret);

/* A QEMU CPU model name and its family / model / stepping. */
typedef struct ct_snp_vcpu_type {
        const char *name;
        unsigned family, model, stepping;
} ct_snp_vcpu_type;

/* The 16 vCPU types sev-snp-measure 0.0.13 knows, in its order. */
const ct_snp_vcpu_type *ct_snp_vcpu_types(size_t *ret_count);
/* Find a type by exact name; NULL if unknown. */
const ct_snp_vcpu_type *ct_snp_vcpu_type_find(const char *name);
/* CPUID(1).EAX signature for family / model / stepping. */
uint64_t ct_snp_cpu_sig(uint64_t family, uint64_t model, uint64_t stepping);

typedef struct ct_snp_params {
        ct_snp_mode mode;
        ct_snp_vmm vmm;
        int64_t vcpus;              /* <= 0 measures no VMSA (as sev-snp-measure) */
        uint64_t vcpu_sig;          /* rdx of the VMSA (QEMU); two's complement of negative values */
        uint64_t guest_features;    /* SEV features of the SNP VMSA; ignored by seves / snp:svsm */
        const uint8_t *ovmf;        /* the whole firmware image, caller-owned */
        size_t ovmf_len;
        bool has_kernel;            /* direct boot: the three digests below are used */
        uint8_t kernel_sha256[32];
        uint8_t initrd_sha256[32];  /* SHA-256 of the initrd, or of "" when there is none */
        uint8_t cmdline_sha256[32]; /* see ct_snp_cmdline_sha256 */
        bool has_ovmf_hash;         /* snp only: start from this digest instead of the firmware pages */
        uint8_t ovmf_hash[CT_SNP_LD_SIZE];
        const uint8_t *svsm;        /* snp:svsm only: the SVSM image, caller-owned */
        size_t svsm_len;
        uint64_t vars_size;         /* snp:svsm only: size of the OVMF variable store */
        const char *ovmf_input;     /* optional: recorded as ct_error.input for errors about the firmware */
        const char *svsm_input;     /* optional: the same for the SVSM image (default "SVSM image") */
} ct_snp_params;

/*
 * SHA-256 of the command line as QEMU passes it: UTF-8 bytes and a NUL; NULL or "" give SHA-256("\0").
 * CT_E_MALFORMED (with the offset) when append is not strict UTF-8, as sev-snp-measure fails then.
 */
ct_code ct_snp_cmdline_sha256(const char *append, uint8_t ret[32], ct_error *err);

/* The 176-byte SEV hash table (header, cmdline, initrd, kernel entries, padding). */
void ct_snp_hash_table(const uint8_t kernel_sha256[32], const uint8_t initrd_sha256[32],
                       const uint8_t cmdline_sha256[32], uint8_t ret[CT_SNP_HASH_TABLE_SIZE]);

/* The firmware part of a measurement, computed once. Opaque. */
typedef struct ct_snp_base ct_snp_base;

/*
 * Parse the firmware (footer table, SEV metadata), check that it supports
 * what is asked (kernel hashes, reset block, SVSM info) and measure the
 * firmware pages and the kernel hash table. Uses p's mode, images, kernel
 * digests, ovmf_hash, vars_size; ignores vmm, vcpus, vcpu_sig and
 * guest_features. The images may be released after this returns.
 * Errors: CT_E_TRUNCATED / CT_E_MALFORMED / CT_E_LIMIT (with offsets) for
 * bad firmware, CT_E_UNSUPPORTED for firmware that lacks what is needed,
 * CT_E_ARG, CT_E_NOMEM, CT_E_CRYPTO.
 */
ct_code ct_snp_base_new(const ct_snp_params *p, ct_snp_base **ret, ct_error *err);
void ct_snp_base_free(ct_snp_base *b);

/* The mode the base was built for. */
ct_snp_mode ct_snp_base_mode(const ct_snp_base *b);

/*
 * Digests for n vCPU counts (non-decreasing; CT_E_ARG otherwise, and for a
 * count above CT_MAX_SNP_VCPUS) with the given VMM type, vCPU signature and
 * guest features: ret[i] is the digest for vcpus[i]. SHA-384 (48 bytes) for
 * the snp modes, SHA-256 for sev and seves. In sev and snp:ovmf-hash modes
 * the counts do not matter.
 */
ct_code ct_snp_base_measure(const ct_snp_base *b, ct_snp_vmm vmm, uint64_t vcpu_sig, uint64_t guest_features,
                            const int64_t *vcpus, size_t n, ct_digest *ret, ct_error *err);

/*
 * The VMSA page of vCPU `index` (0 = the boot processor) as it is measured
 * (what sev-snp-measure --dump-vmsa writes). CT_E_ARG in sev and
 * snp:ovmf-hash modes, which have none.
 */
ct_code ct_snp_base_vmsa(const ct_snp_base *b, ct_snp_vmm vmm, uint64_t vcpu_sig, uint64_t guest_features,
                         uint64_t index, uint8_t ret[CT_SNP_PAGE_SIZE], ct_error *err);

/* One configuration: ct_snp_base_new + ct_snp_base_measure for p->vcpus. */
ct_code ct_snp_measure(const ct_snp_params *p, ct_digest *ret, ct_error *err);

/* ---- inputs as sev-snp-measure reads them ---- */

/*
 * Integer text as sev-snp-measure's argparse converts it (Python int()).
 * ct_snp_parse_i64: int(s) (decimal, optional sign, single underscores between
 * digits, surrounding whitespace, no leading zeros except "0"), false beyond
 * int64. ct_snp_parse_u64: int(s, 0) (also 0x / 0o / 0b prefixes) stored as a
 * ctypes u64 stores it: negative values and magnitudes beyond 64 bits wrap
 * modulo 2^64 (--vcpu-sig, --guest-features). false on bad text; *ret is
 * written only on success.
 */
bool ct_snp_parse_i64(const char *s, int64_t *ret);
bool ct_snp_parse_u64(const char *s, uint64_t *ret);

/* At most this many vCPU counts in a list, and rows in a table. */
#define CT_MAX_SNP_TABLE_ROWS (1u << 20)

/*
 * A --vcpus value: one count as sev-snp-measure takes it (ct_snp_parse_i64:
 * negative counts included, which measure no VMSA), or a comma list of counts
 * and ascending ranges of non-negative counts: "1,2,4", "1-64", "1-8,16,32".
 * On success *ret (malloc'd, caller frees) holds *ret_n >= 1 counts in the
 * order written. CT_E_MALFORMED (offset = where in s) for bad text,
 * CT_E_LIMIT for a count above CT_MAX_SNP_VCPUS or more than
 * CT_MAX_SNP_TABLE_ROWS counts, CT_E_NOMEM.
 */
ct_code ct_snp_vcpus_parse(const char *s, int64_t **ret, size_t *ret_n, ct_error *err);

/*
 * Comma lists as `snp measure` / `snp explain` take them (empty items are
 * skipped; at least one item, at most CT_MAX_SNP_LIST_ITEMS). *ret is
 * malloc'd (free()) and written only on success. CT_E_MALFORMED with the
 * offset of the bad item in the text (the message quotes it), CT_E_LIMIT,
 * CT_E_NOMEM.
 *  - ct_snp_sigs_from_types: names of ct_snp_vcpu_types() (exact), or "all"
 *    for every name in the table's order; each gets its signature;
 *  - ct_snp_sigs_from_values: signatures as ct_snp_parse_u64 reads them;
 *  - ct_snp_vmms_parse: "QEMU", "ec2", "gce" (exact); cap: room in ret;
 *  - ct_snp_u64_list_parse: values as ct_snp_parse_u64 reads them.
 */
#define CT_MAX_SNP_LIST_ITEMS 4096
typedef struct ct_snp_sig ct_snp_sig;
ct_code ct_snp_sigs_from_types(const char *list, ct_snp_sig **ret, size_t *ret_n, ct_error *err);
ct_code ct_snp_sigs_from_values(const char *list, ct_snp_sig **ret, size_t *ret_n, ct_error *err);
ct_code ct_snp_vmms_parse(const char *list, ct_snp_vmm *ret, size_t cap, size_t *ret_n, ct_error *err);
ct_code ct_snp_u64_list_parse(const char *list, uint64_t **ret, size_t *ret_n, ct_error *err);

/* SHA-256 digests and sizes of the direct-boot inputs, as QEMU passes them. */
typedef struct ct_snp_boot_digests {
        uint8_t kernel_sha256[32];
        uint64_t kernel_size;
        bool has_initrd;            /* false: initrd_sha256 is SHA-256("") */
        uint8_t initrd_sha256[32];
        uint64_t initrd_size;
        uint8_t cmdline_sha256[32]; /* ct_snp_cmdline_sha256(append) */
} ct_snp_boot_digests;

/*
 * SHA-256 and size of an input file through ct_hash_file (the input layer:
 * regular files mapped, block devices and pipes read, /dev/null empty as
 * sev-snp-measure reads `--initrd /dev/null`, other character devices
 * refused). Errors of ct_hash_file (CT_E_INPUT / CT_E_IO, ct_error.input =
 * path).
 */
ct_code ct_snp_file_sha256(const char *path, uint8_t ret[32], uint64_t *ret_size, ct_error *err);

/*
 * Hash the kernel file, the initrd file (NULL or "" = none) with
 * ct_snp_file_sha256, and the command line (NULL = none). Errors: those of
 * ct_snp_file_sha256, CT_E_MALFORMED for a command line that is not UTF-8
 * (message starts with "--append: ").
 */
ct_code ct_snp_boot_digests_files(const char *kernel, const char *initrd, const char *append,
                                  ct_snp_boot_digests *ret, ct_error *err);

/* Copy the digests into p and set p->has_kernel. */
void ct_snp_params_set_boot(ct_snp_params *p, const ct_snp_boot_digests *d);

/* ---- tables ---- */

/* One value of the vCPU-signature dimension of a table. */
struct ct_snp_sig {
        const char *vcpu_type; /* a name of ct_snp_vcpu_types() (or any caller-owned label), or NULL */
        bool has_sig;          /* false: none given (ec2 / gce do not need one; the VMSA uses 0) */
        uint64_t sig;
};

typedef struct ct_snp_table_spec {
        const ct_snp_vmm *vmms;     /* n_vmms >= 1 */
        size_t n_vmms;
        const ct_snp_sig *sigs;     /* n_sigs >= 1 */
        size_t n_sigs;
        const int64_t *vcpus;       /* n_vcpus >= 1, any order, duplicates allowed */
        size_t n_vcpus;
        uint64_t guest_features;    /* as --guest-features (snp mode uses it) */
} ct_snp_table_spec;

/*
 * One row. The requested values (vmm, vcpu_type / sig, vcpus) are always
 * set; the *_applies flags and the effective fields say what entered the
 * digest in the base's mode:
 *  - vcpus_apply: the mode measures VMSA pages (seves, snp, snp:svsm), so
 *    the count, the vCPU type and the signature count;
 *  - vmm_applies: the VMM type changes the digest (seves, snp);
 *  - has_vmsa_rdx / vmsa_rdx: what the VMSA's rdx holds (the signature for
 *    QEMU and snp:svsm, 0x600 for ec2 and gce);
 *  - has_guest_features / guest_features: the VMSA's SEV features (snp: the
 *    requested value; seves: 0; snp:svsm: 1; sev, snp:ovmf-hash: none).
 */
typedef struct ct_snp_row {
        ct_snp_mode mode;
        ct_snp_vmm vmm;
        const char *vcpu_type;
        bool has_sig;
        uint64_t vcpu_sig;
        int64_t vcpus;
        bool vcpus_apply;
        bool vmm_applies;
        bool has_vmsa_rdx;
        uint64_t vmsa_rdx;
        bool has_guest_features;
        uint64_t guest_features;
        bool direct_boot;           /* the kernel hashes (kernel, initrd, cmdline) entered the digest */
        ct_digest digest;
} ct_snp_row;

/*
 * The table of spec over the base: rows in the order VMM (major), signature,
 * vCPU count (as given), i.e. row (m * n_sigs + s) * n_vcpus + i. Counts are
 * hashed in ascending order once per (VMM, signature) whatever their order in
 * spec. In sev and snp:ovmf-hash modes, where neither counts nor types nor
 * VMMs enter the digest, there is one row (of the first of each).
 * *ret is malloc'd (free()); CT_E_ARG for empty dimensions, CT_E_LIMIT for
 * more than CT_MAX_SNP_TABLE_ROWS rows or a count above CT_MAX_SNP_VCPUS,
 * CT_E_NOMEM, CT_E_CRYPTO.
 */
ct_code ct_snp_table(const ct_snp_base *b, const ct_snp_table_spec *spec, ct_snp_row **ret, size_t *ret_n,
                     ct_error *err);

/* ---- which configuration produced this digest? ---- */

/*
 * For the appraisal ("every mismatch is explained"): given a launch digest
 * and the artifacts, search a parameter space and return every configuration
 * whose digest equals it.
 *
 * The space is modes x VMM types x vCPU signatures x guest-feature values x
 * vCPU counts 1..max_vcpus:
 *  - modes follow the digest's length: 48 bytes (an SNP report's
 *    MEASUREMENT) searches "snp" (with the artifacts' kernel hashes if
 *    artifacts->has_kernel, from artifacts->ovmf_hash if has_ovmf_hash) and,
 *    when artifacts->svsm is set, "snp:svsm"; 32 bytes searches "sev" and
 *    "seves". artifacts->mode, vmm, vcpus, vcpu_sig and guest_features are
 *    ignored.
 *  - VMM types: QEMU, ec2, gce by default. ec2 and gce put no signature in
 *    the VMSA, so for them one signature is tried (matches have has_sig =
 *    false); snp:svsm is QEMU only.
 *  - signatures: by default the five distinct CPUID signatures of the 16
 *    vCPU types sev-snp-measure knows (EPYC*, EPYC-Rome*, EPYC-Milan*,
 *    EPYC-Genoa*, EPYC-Turin); a match names the first type with its
 *    signature ("EPYC-Milan": EPYC-Milan-v1/-v2 have the same one, see
 *    ct_snp_vcpu_types()).
 *  - guest features (snp only; seves measures 0, snp:svsm 1): by default
 *    ct_snp_explain_default_guest_features(): 0 and every value with bit 0
 *    (SNPActive) set and any of bits 1-9 (vTOM, ReflectVC,
 *    RestrictedInjection, AlternateInjection, DebugSwap, PreventHostIBS,
 *    BTBIsolation, VmplSSS, SecureTSC): 513 values.
 *
 * Cost: the firmware part once per mode, then per (mode, VMM, signature,
 * guest features) two VMSA page digests and one PAGE_INFO hash per vCPU
 * count (the digest for k+1 vCPUs extends the one for k), spread over
 * `threads` threads. The whole default SNP space (512 counts x (5 QEMU
 * signatures + ec2 + gce) x 513 guest-feature values = 1 838 592
 * configurations) costs about 1.2 s of CPU: under a second of wall time on 2
 * cores (bench/RESULTS-snp.md). Thread-safe; reads no files, prints nothing.
 */
#define CT_SNP_EXPLAIN_DEFAULT_MAX_VCPUS 512
/* More matches than this are counted but not returned (a digest normally has one). */
#define CT_MAX_SNP_EXPLAIN_MATCHES 256
/* Upper bounds of the caller's lists. */
#define CT_MAX_SNP_EXPLAIN_SIGS 1024
#define CT_MAX_SNP_EXPLAIN_GUEST_FEATURES 65536
#define CT_MAX_SNP_EXPLAIN_THREADS 64

typedef struct ct_snp_explain_space {
        int64_t max_vcpus;                /* counts 1..max_vcpus (<= CT_MAX_SNP_VCPUS); 0: 512 */
        const ct_snp_vmm *vmms;           /* NULL: QEMU, ec2, gce */
        size_t n_vmms;
        const ct_snp_sig *sigs;           /* NULL: the five signatures above; has_sig must be true */
        size_t n_sigs;
        const uint64_t *guest_features;   /* NULL: ct_snp_explain_default_guest_features() */
        size_t n_guest_features;
        unsigned threads;                 /* 0: 2 */
        bool also_without_kernel;         /* artifacts with a kernel: also search a launch of the same
                                             firmware without -kernel (no kernel hashes; twice the cost) */
} ct_snp_explain_space;

/* The default guest-feature values (static array, *ret_n = 513). */
const uint64_t *ct_snp_explain_default_guest_features(size_t *ret_n);

typedef struct ct_snp_explanation {
        /*
         * The matching configurations as table rows (ct_snp_row: mode, vmm,
         * vcpu_type / vcpu_sig (has_sig false for ec2 / gce: any), vcpus,
         * vmsa_rdx, effective guest_features, digest), ordered by mode, VMM,
         * signature, guest features, vCPU count. Owned; n_matches == 0 means
         * "no configuration in the searched space".
         */
        ct_snp_row *matches;
        size_t n_matches;
        uint64_t n_found;        /* matches found (> n_matches only beyond CT_MAX_SNP_EXPLAIN_MATCHES) */
        uint64_t configurations; /* configurations compared: the size of the searched space */
        uint32_t modes;          /* the modes searched, bit (1u << ct_snp_mode); a mode the firmware cannot
                                    launch (no SEV-ES reset block, ...) is left out */
} ct_snp_explanation;

/*
 * Search. digest: digest_len 48 (SNP) or 32 (SEV / SEV-ES) bytes. space:
 * NULL for the defaults. On success *ret is filled (release with
 * ct_snp_explanation_free); no match is success with n_matches == 0.
 * Errors: CT_E_ARG (digest length, empty or oversized lists, a signature
 * without has_sig, max_vcpus out of range), CT_E_LIMIT (more than about 2^18
 * VMM x signature x guest-feature combinations), and every error of
 * ct_snp_base_new for the artifacts (bad firmware, a kernel the firmware
 * cannot measure, ...). snp:svsm is searched with VMM type QEMU only.
 */
ct_code ct_snp_explain(const ct_snp_params *artifacts, const uint8_t *digest, size_t digest_len,
                       const ct_snp_explain_space *space, ct_snp_explanation *ret, ct_error *err);
void ct_snp_explanation_free(ct_snp_explanation *e);

/* ---- ID block and ID authentication information (SNP_LAUNCH_FINISH) ---- */

/*
 * What sev-snp-measure's snp-create-id-block writes (and QEMU's sev-snp-guest
 * id-block= / id-auth= properties take): the 96-byte ID block (launch digest,
 * family and image IDs, version, guest SVN, policy), the 4096-byte ID
 * authentication information (the ID block signed with the ID key, the ID
 * key signed with the author key, both public keys; ECDSA P-384 with
 * SHA-384, r and s little-endian in 72 bytes each), and the SHA-384 of each
 * 1028-byte public key as an SNP report shows them (ID_KEY_DIGEST,
 * AUTHOR_KEY_DIGEST). Layout: the SEV-SNP firmware ABI's SNP_LAUNCH_FINISH
 * structures, as sev-snp-measure 0.0.13 lays them out.
 */
#define CT_SNP_ID_BLOCK_SIZE 96
#define CT_SNP_ID_AUTH_SIZE 4096
#define CT_SNP_ECC_PUBKEY_SIZE 1028
#define CT_SNP_ECC_SIG_SIZE 512
/* sev-snp-measure's defaults: version 1, policy 0x30000 (SMT allowed, ABI major/minor 0, bit 17 "must be one"). */
#define CT_SNP_ID_BLOCK_DEFAULT_VERSION 1
#define CT_SNP_ID_BLOCK_DEFAULT_POLICY 0x30000ull
/* PEM key files larger than this are refused. */
#define CT_MAX_SNP_KEY_FILE_SIZE (64u << 10)

typedef struct ct_snp_id_block_params {
        uint8_t launch_digest[CT_SNP_LD_SIZE];
        uint8_t family_id[16];      /* default zeros */
        uint8_t image_id[16];       /* default zeros */
        uint32_t version;           /* default 1 */
        uint32_t guest_svn;         /* default 0 */
        uint64_t policy;            /* default 0x30000 */
} ct_snp_id_block_params;

typedef struct ct_snp_id_block {
        uint8_t id_block[CT_SNP_ID_BLOCK_SIZE];
        uint8_t id_auth[CT_SNP_ID_AUTH_SIZE];
        uint8_t id_key_digest[CT_SNP_LD_SIZE];     /* SHA-384 of the ID public key structure */
        uint8_t author_key_digest[CT_SNP_LD_SIZE]; /* SHA-384 of the author public key structure */
} ct_snp_id_block;

/* Fill p with sev-snp-measure's defaults and the launch digest. */
void ct_snp_id_block_defaults(ct_snp_id_block_params *p, const uint8_t launch_digest[CT_SNP_LD_SIZE]);

/* The 96-byte ID block of p (no keys involved). */
void ct_snp_id_block_encode(const ct_snp_id_block_params *p, uint8_t ret[CT_SNP_ID_BLOCK_SIZE]);

/*
 * The 1028-byte public key structure (curve 2 = P-384, Qx, Qy little-endian)
 * and its SHA-384, of a private or public key in PEM (PKCS#8, SEC1 "EC
 * PRIVATE KEY" or SubjectPublicKeyInfo), e.g. to predict a report's
 * AUTHOR_KEY_DIGEST. CT_E_MALFORMED for text that is not such a key,
 * CT_E_UNSUPPORTED for a key that is not ECDSA P-384, CT_E_LIMIT above
 * CT_MAX_SNP_KEY_FILE_SIZE.
 */
ct_code ct_snp_key_digest(const void *pem, size_t len, uint8_t ret_pubkey[CT_SNP_ECC_PUBKEY_SIZE],
                          uint8_t ret_digest[CT_SNP_LD_SIZE], ct_error *err);

/*
 * Sign: the ID block of p with the ID key, the ID public key with the
 * author key (both PEM private keys, P-384). ECDSA signatures are
 * randomised, so id_auth differs from run to run (as with sev-snp-measure);
 * the ID block and the key digests do not. Errors as ct_snp_key_digest
 * (the message says which key), CT_E_CRYPTO.
 */
ct_code ct_snp_id_block_sign(const ct_snp_id_block_params *p, const void *id_key_pem, size_t id_key_len,
                             const void *author_key_pem, size_t author_key_len, ct_snp_id_block *ret,
                             ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
