/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — the reference-values manifest: every reference value of one
 * guest image (SNP launch digests, TDX MRTD / RTMRs, dm-verity root hashes
 * and their cmdline forms, predicted and captured PCRs, init-data digests)
 * with the SHA-256 and parameters of every artifact they come from.
 *
 * The manifest is a value: a plain struct with arrays the caller may read
 * directly. Build one with ct_manifest_new and the ct_manifest_add_* calls
 * (which copy their arguments), serialise it with ct_manifest_to_json /
 * ct_manifest_write (stable key order, no timestamps unless `created` is set:
 * the same model always gives the same bytes), read one back with
 * ct_manifest_parse / ct_manifest_read (strict and bounded: unknown keys,
 * wrong types, wrong digest lengths and counts over the CT_MAX_MANIFEST_*
 * limits are CT_E_MALFORMED / CT_E_LIMIT with the JSON path of the field in
 * the message, e.g. "snp[3].measurement: expected 96 hex digits").
 *
 * The JSON form is documented in docs/manifest.md and schemas/manifest.schema.json.
 */
#ifndef COCOTRUST_MANIFEST_H
#define COCOTRUST_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CT_MANIFEST_SCHEMA_VERSION 1

/* Limits of the reader (and of the model: the add calls refuse more with CT_E_LIMIT). */
#define CT_MAX_MANIFEST_BYTES (256u << 20)     /* whole JSON text */
#define CT_MAX_MANIFEST_DEPTH 16               /* JSON nesting */
#define CT_MAX_MANIFEST_STRING 65536           /* any one string (a cmdline) */
#define CT_MAX_MANIFEST_ARTIFACTS 256
#define CT_MAX_MANIFEST_PARAMS 64              /* parameters of one artifact */
#define CT_MAX_MANIFEST_SNP_ROWS (1u << 20)
#define CT_MAX_MANIFEST_TDX_ROWS (1u << 20)
#define CT_MAX_MANIFEST_VERITY 16
#define CT_MAX_MANIFEST_CMDLINE_FORMS 16       /* cmdline forms of one verity entry */
#define CT_MAX_MANIFEST_PCRS 1024              /* entries of pcrs / captured_pcrs / pcr11_phases */
#define CT_MAX_MANIFEST_INIT_DATA 64
#define CT_MAX_MANIFEST_NOTES 64
#define CT_MAX_MANIFEST_SALT 256               /* bytes of a verity salt */

#define CT_MANIFEST_SNP_DIGEST_MAX 48          /* SHA-384 (snp), SHA-256 (sev, seves) */
#define CT_MANIFEST_TDX_DIGEST 48              /* SHA-384 */
#define CT_MANIFEST_TDX_RTMRS 4

/* One parameter of an artifact ("data_block_size": 4096, "variant": "edk2-stable202405"). */
typedef enum ct_manifest_param_type {
        CT_MANIFEST_PARAM_STRING = 0,
        CT_MANIFEST_PARAM_INT,
        CT_MANIFEST_PARAM_BOOL,
} ct_manifest_param_type;

typedef struct ct_manifest_param {
        char *key;                      /* [a-z0-9_.-]+, unique within the artifact */
        ct_manifest_param_type type;
        char *s;                        /* CT_MANIFEST_PARAM_STRING */
        int64_t i;                      /* CT_MANIFEST_PARAM_INT */
        bool b;                         /* CT_MANIFEST_PARAM_BOOL */
} ct_manifest_param;

/*
 * One input of the image. `name` is the key in "artifacts": a role
 * ("firmware", "kernel", "initrd", "cmdline", "rootfs", "uki", "stub",
 * "init_data", "image", ...) or a role with a qualifier ("uki:EFI/Linux/a.efi").
 * A file artifact has `path` (as given), `size` and `sha256`; a text artifact
 * (the cmdline) has `text` and the SHA-256 of its bytes. Written sorted by name.
 */
typedef struct ct_manifest_artifact {
        char *name;
        char *path;                     /* NULL for a text artifact */
        char *text;                     /* NULL unless a text artifact */
        bool has_size;
        uint64_t size;
        bool has_sha256;
        uint8_t sha256[32];
        ct_manifest_param *params;      /* written sorted by key */
        size_t n_params;
} ct_manifest_artifact;

/* One SEV / SEV-ES / SEV-SNP launch digest (a row of the table over the variations). */
typedef struct ct_manifest_snp_row {
        char *mode;                     /* "snp", "seves", "sev", "snp:svsm", "snp:ovmf-hash" (ct_snp_mode_name) */
        uint32_t vcpus;
        char *vcpu_type;                /* "EPYC-Milan", ... (ct_snp_vcpu_types); NULL when the mode has no VMSA */
        char *vmm;                      /* "QEMU", "ec2", "gce" (ct_snp_vmm_name) */
        uint64_t guest_features;        /* JSON: "0x1" */
        char *firmware;                 /* name of the firmware artifact; NULL = "firmware" */
        size_t measurement_len;         /* 48 (snp modes) or 32 (sev, seves) */
        uint8_t measurement[CT_MANIFEST_SNP_DIGEST_MAX];
} ct_manifest_snp_row;

/* One TDX configuration: MRTD, RTMR 0-3 and the event digests Trustee's policy reads. */
typedef struct ct_manifest_tdx_row {
        uint64_t memory_mib;
        uint32_t vcpus;
        char *variant;                  /* edk2 / QEMU variant switches as the tdx area names them */
        char *firmware;                 /* name of the firmware artifact; NULL = "firmware" */
        uint8_t mrtd[CT_MANIFEST_TDX_DIGEST];
        bool has_rtmr[CT_MANIFEST_TDX_RTMRS];
        uint8_t rtmr[CT_MANIFEST_TDX_RTMRS][CT_MANIFEST_TDX_DIGEST];
        bool has_tdvfkernel;            /* EV_EFI_BOOT_SERVICES_APPLICATION digest of File(kernel) */
        uint8_t tdvfkernel[CT_MANIFEST_TDX_DIGEST];
        bool has_tdvfkernelparams;      /* EV_EVENT_TAG "LOADED_IMAGE::LoadOptions" digest */
        uint8_t tdvfkernelparams[CT_MANIFEST_TDX_DIGEST];
        bool has_xfam;
        uint64_t xfam;                  /* JSON: 16 hex = the 8 little-endian bytes of the quote field */
} ct_manifest_tdx_row;

/* A ready-to-use form of a verity root on the kernel command line. */
typedef struct ct_manifest_cmdline_form {
        char *form;                     /* "roothash", "usrhash", "dm-mod.create", "kata", "dmsetup", ... */
        char *text;
} ct_manifest_cmdline_form;

/* One dm-verity volume (the rootfs, or the root / usr partition of a disk image). */
typedef struct ct_manifest_verity {
        char *name;                     /* "rootfs", "root", "usr"; unique */
        size_t root_hash_len;
        uint8_t root_hash[CT_HASH_MAX_SIZE];
        size_t salt_len;
        uint8_t salt[CT_MAX_MANIFEST_SALT];
        char *hash;                     /* "sha256", ... (veritysetup's --hash) */
        uint32_t hash_type;             /* format 1 (normal) or 0 (Chrome OS) */
        uint32_t data_block_size;
        uint32_t hash_block_size;
        uint64_t data_blocks;
        uint64_t hash_offset;           /* bytes: where the superblock / tree starts in the hash device */
        bool superblock;                /* a verity superblock precedes the tree */
        char *uuid;                     /* superblock UUID, NULL when there is none */
        char *data_partition_uuid;      /* disk images: partition UUIDs (lower case), else NULL */
        char *hash_partition_uuid;
        ct_manifest_cmdline_form *forms;
        size_t n_forms;
} ct_manifest_verity;

/*
 * One PCR value. In `pcrs` (predicted) and `captured_pcrs` only bank and
 * index matter; in `pcr11_phases` `phase` names the systemd-stub /
 * systemd-pcrphase phase path ("enter-initrd", "enter-initrd:leave-initrd", ...).
 * JSON: {"sha256": {"4": "<hex>", "11": "<hex>"}} (indices as decimal keys, sorted numerically).
 * In `pcr_variants` (predictions for another platform variation than the
 * primary one in `pcrs`, e.g. Secure Boot on) `variant` names it; JSON:
 * {"secure_boot=on": {"sha256": {"4": "<hex>"}}}.
 */
typedef struct ct_manifest_pcr {
        ct_hash_alg bank;
        uint32_t index;                 /* 0..23 */
        char *phase;                    /* pcr11_phases only */
        ct_digest value;
        char *variant;                  /* pcr_variants only: "secure_boot=on", ... */
} ct_manifest_pcr;

/* One init-data document and the forms its digest takes in evidence. */
typedef struct ct_manifest_init_data {
        char *name;                     /* artifact name of the document ("init_data"); unique */
        ct_hash_alg alg;                /* the TOML's `algorithm`: sha256, sha384, sha512 */
        ct_digest digest;               /* alg over the raw TOML bytes */
        uint8_t host_data[32];          /* SNP HOST_DATA: digest padded / truncated to 32 bytes */
        uint8_t mrconfigid[48];         /* TDX MRCONFIGID: digest padded / truncated to 48 bytes */
        uint8_t pcr8[32];               /* vTPM: SHA-256(32 zero bytes || host_data) */
} ct_manifest_init_data;

/* A free-text note keyed by topic, e.g. {"tdx", "not computed: ..."}. Written sorted by key. */
typedef struct ct_manifest_note {
        char *key;
        char *text;
} ct_manifest_note;

typedef struct ct_manifest {
        uint32_t schema_version;        /* CT_MANIFEST_SCHEMA_VERSION */
        char *name;                     /* image name */
        char *generator;                /* "cocotrust 0.1.0"; NULL = not written */
        char *created;                  /* RFC 3339 time; NULL (the default) = not written */
        ct_manifest_artifact *artifacts;
        size_t n_artifacts;
        ct_manifest_snp_row *snp;
        size_t n_snp;
        bool tdx_computed;              /* false: "tdx" is written as null and notes["tdx"] says why */
        ct_manifest_tdx_row *tdx;
        size_t n_tdx;
        ct_manifest_verity *verity;
        size_t n_verity;
        ct_manifest_pcr *pcrs;          /* predicted */
        size_t n_pcrs;
        ct_manifest_pcr *pcr11_phases;
        size_t n_pcr11_phases;
        ct_manifest_pcr *captured_pcrs; /* a `tpm capture` reference boot (--capture) */
        size_t n_captured_pcrs;
        ct_manifest_init_data *init_data;
        size_t n_init_data;
        ct_manifest_note *notes;
        size_t n_notes;
        ct_manifest_pcr *pcr_variants;  /* predictions for other variations (variant set) */
        size_t n_pcr_variants;
} ct_manifest;

/* A new empty manifest named `name` (copied; may be NULL). Free with ct_manifest_free. */
ct_code ct_manifest_new(const char *name, ct_manifest **ret, ct_error *err);
void ct_manifest_free(ct_manifest *m);

/* Set a string field of m (name, generator, created): the old value is freed, v copied (NULL clears). */
ct_code ct_manifest_set_string(char **field, const char *v, ct_error *err);

/*
 * Add a copy of *a (strings and params deep-copied). The name must be new
 * (CT_E_ARG otherwise). On success *ret (if not NULL) points at the stored
 * copy, valid until the next add of the same kind.
 */
ct_code ct_manifest_add_artifact(ct_manifest *m, const ct_manifest_artifact *a,
                                 ct_manifest_artifact **ret, ct_error *err);
/* Convenience: add a file artifact `name` for `path`, hashing the file (SHA-256) and recording its size. */
ct_code ct_manifest_add_file(ct_manifest *m, const char *name, const char *path,
                             ct_manifest_artifact **ret, ct_error *err);
/* Convenience: add a text artifact (a cmdline) with the SHA-256 of its bytes. */
ct_code ct_manifest_add_text(ct_manifest *m, const char *name, const char *text,
                             ct_manifest_artifact **ret, ct_error *err);
/* Parameters of an artifact (key must be new within it). */
ct_code ct_manifest_artifact_set_string(ct_manifest_artifact *a, const char *key, const char *v, ct_error *err);
ct_code ct_manifest_artifact_set_int(ct_manifest_artifact *a, const char *key, int64_t v, ct_error *err);
ct_code ct_manifest_artifact_set_bool(ct_manifest_artifact *a, const char *key, bool v, ct_error *err);

ct_code ct_manifest_add_snp(ct_manifest *m, const ct_manifest_snp_row *row, ct_error *err);
ct_code ct_manifest_add_tdx(ct_manifest *m, const ct_manifest_tdx_row *row, ct_error *err);
ct_code ct_manifest_add_verity(ct_manifest *m, const ct_manifest_verity *v, ct_error *err);
ct_code ct_manifest_add_pcr(ct_manifest *m, const ct_manifest_pcr *p, ct_error *err);
ct_code ct_manifest_add_pcr11_phase(ct_manifest *m, const ct_manifest_pcr *p, ct_error *err);
ct_code ct_manifest_add_captured_pcr(ct_manifest *m, const ct_manifest_pcr *p, ct_error *err);
ct_code ct_manifest_add_pcr_variant(ct_manifest *m, const ct_manifest_pcr *p, ct_error *err);
/* Set a note (replaces an existing note with the same key). */
ct_code ct_manifest_set_note(ct_manifest *m, const char *key, const char *text, ct_error *err);

/*
 * Compute the init-data forms for a TOML document of `len` bytes whose
 * digest algorithm is `alg` (sha256, sha384 or sha512; CT_E_ARG otherwise):
 * digest, HOST_DATA (32 bytes), MRCONFIGID (48 bytes) and PCR 8, then add it
 * under `name`. When alg is CT_HASH_NONE the document's `algorithm = "..."`
 * line is used (default sha256 when absent, as guest-components does).
 */
ct_code ct_manifest_init_data_compute(const uint8_t *toml, size_t len, ct_hash_alg alg,
                                      ct_manifest_init_data *ret, ct_error *err);
ct_code ct_manifest_add_init_data(ct_manifest *m, const ct_manifest_init_data *d, ct_error *err);

/* Lookups (NULL when absent). */
const ct_manifest_artifact *ct_manifest_find_artifact(const ct_manifest *m, const char *name);
const ct_manifest_param *ct_manifest_artifact_param(const ct_manifest_artifact *a, const char *key);
const ct_manifest_pcr *ct_manifest_find_pcr(const ct_manifest *m, ct_hash_alg bank, uint32_t index);
const ct_manifest_note *ct_manifest_find_note(const ct_manifest *m, const char *key);

/*
 * The JSON text of m (pretty-printed, two-space indent, trailing newline; a
 * NUL-terminated malloc'd string the caller frees). Deterministic: the same
 * model always gives the same bytes.
 */
ct_code ct_manifest_to_json(const ct_manifest *m, char **ret, size_t *ret_len, ct_error *err);

/* ct_manifest_to_json written atomically to path (temporary + rename). */
ct_code ct_manifest_write(const ct_manifest *m, const char *path, ct_error *err);

/*
 * Parse a manifest from len bytes of JSON. Strict: schema_version must be
 * CT_MANIFEST_SCHEMA_VERSION (CT_E_UNSUPPORTED otherwise), unknown keys,
 * missing required keys, wrong types, bad hex and duplicate names are
 * CT_E_MALFORMED, counts over the limits CT_E_LIMIT; the message starts with
 * the JSON path of the field ("verity[0].salt: ..."); JSON syntax errors
 * carry the byte offset and line.
 */
ct_code ct_manifest_parse(const uint8_t *buf, size_t len, ct_manifest **ret, ct_error *err);

/* Read and parse the file at path (limit CT_MAX_MANIFEST_BYTES). */
ct_code ct_manifest_read(const char *path, ct_manifest **ret, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
