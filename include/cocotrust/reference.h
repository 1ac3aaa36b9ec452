/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — the image description (what an image is made of and which
 * platform variations to cover) and the computation of every reference
 * value of that image into a manifest (include/cocotrust/manifest.h).
 *
 * The description is a small YAML file (JSON is accepted too: libyaml
 * reads both), documented in docs/reference.md with the JSON Schema
 * schemas/image-description.schema.json. Every field has one dotted name
 * ("kernel", "rootfs.hash_offset", "platform.vcpus") used by the YAML
 * reader and by ct_desc_set, so a command-line flag and a YAML field are
 * the same thing.
 */
#ifndef COCOTRUST_REFERENCE_H
#define COCOTRUST_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>
#include <cocotrust/manifest.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CT_MAX_DESC_BYTES (1u << 20)        /* the description file */
#define CT_MAX_DESC_STRING 65536            /* one value (a cmdline) */
#define CT_MAX_DESC_LIST 65536              /* entries of one list (vCPU counts) */
#define CT_MAX_DESC_DEPTH 8                 /* YAML nesting */
#define CT_MAX_DESC_VCPUS 65536
#define CT_MAX_DESC_BOOT_CHAIN 15

/* dm-verity parameters of the rootfs (loose parts). */
typedef struct ct_desc_rootfs {
        char *data;                 /* rootfs.data: the file system image */
        char *hash;                 /* rootfs.hash: the hash device (superblock + tree); NULL = compute the tree in memory */
        uint64_t hash_offset;       /* rootfs.hash_offset (bytes) */
        bool no_superblock;         /* rootfs.no_superblock: parameters below instead of a superblock */
        char *hash_algorithm;       /* rootfs.hash_algorithm (default sha256) */
        uint32_t data_block_size;   /* rootfs.data_block_size (default 4096) */
        uint32_t hash_block_size;   /* rootfs.hash_block_size (default 4096) */
        uint64_t data_blocks;       /* rootfs.data_blocks (0 = from the data size) */
        char *salt;                 /* rootfs.salt: hex, "-" for none */
        uint32_t format;            /* rootfs.format: 1 (default) or 0 */
        char *root_hash;            /* rootfs.root_hash: expected root hash (checked), optional */
        char *data_device;          /* rootfs.data_device: for the cmdline forms (default /dev/vda1) */
        char *hash_device;          /* rootfs.hash_device (default /dev/vda2) */
} ct_desc_rootfs;

typedef struct ct_desc {
        char *name;                 /* name */
        /* Artifacts (paths; relative ones are resolved against the description's directory). */
        char *firmware;             /* firmware: OVMF / TDVF image */
        char *kernel;               /* kernel */
        char *initrd;               /* initrd */
        char *cmdline;              /* cmdline: the text (not a path) */
        bool has_cmdline;
        char *uki;                  /* uki: a built UKI */
        char *stub;                 /* stub: the systemd-stub it was built from (recorded) */
        char **boot_chain;          /* boot_chain: EFI applications started before the UKI (shim, ...) */
        size_t n_boot_chain;
        char **init_data;           /* init_data: init-data TOML documents */
        size_t n_init_data;
        char *image;                /* image: a built GPT disk image (systemd-repart / mkosi) */
        char *verity_sig_certificate; /* verity_sig_certificate: PEM certificate for the verity-sig partitions */
        char *capture;              /* capture: PCRs of a `tpm capture` reference boot (PCR-set JSON / YAML) */
        bool has_rootfs;
        ct_desc_rootfs rootfs;
        /* Platform variations. Empty lists take the defaults written in docs/reference.md. */
        char **snp_modes;           /* platform.snp_modes: snp, seves, sev, ... (default snp) */
        size_t n_snp_modes;
        uint32_t *vcpus;            /* platform.vcpus: counts, ranges "1-8" allowed (default 1) */
        size_t n_vcpus;
        char **vcpu_types;          /* platform.vcpu_types: QEMU models, or "all" (default EPYC-v4) */
        size_t n_vcpu_types;
        char **vmm_types;           /* platform.vmm_types: QEMU, ec2, gce (default QEMU) */
        size_t n_vmm_types;
        uint64_t *guest_features;   /* platform.guest_features (default 0x1) */
        size_t n_guest_features;
        uint64_t *memory_mib;       /* platform.memory: sizes ("2G", "2048M", "2048") for TDX */
        size_t n_memory_mib;
        char **tdx_variants;        /* platform.tdx_variants: edk2 / QEMU variant switches */
        size_t n_tdx_variants;
        int secure_boot[2];         /* platform.secure_boot: off / on (default off) */
        size_t n_secure_boot;
        ct_hash_alg banks[CT_HASH__MAX]; /* platform.banks (default sha256) */
        size_t n_banks;
        uint32_t failed_boot_options; /* platform.failed_boot_options (default 0) */
        int kernel_event;           /* platform.kernel_event: -1 auto (default), 0 no, 1 yes */
        unsigned stub_version;      /* platform.stub_version: 0 = from .sdmagic */
        bool snp_off;               /* platform.snp: false skips the SNP table */
        bool tdx_off;               /* platform.tdx: false skips TDX */
} ct_desc;

/* An empty description (every default). Free with ct_desc_free (NULL-safe). */
ct_code ct_desc_new(ct_desc **ret, ct_error *err);
void ct_desc_free(ct_desc *d);

/*
 * Set field `key` (a dotted name as in docs/reference.md) from the text
 * `value`. Lists append (a value may hold several entries separated by
 * commas; vCPU counts may be ranges "1-8"); call ct_desc_clear first to
 * replace. Relative paths are resolved against base_dir (NULL: as given).
 * CT_E_ARG for an unknown key, CT_E_MALFORMED for a bad value, CT_E_LIMIT
 * beyond the CT_MAX_DESC_* limits; the message names the key.
 */
ct_code ct_desc_set(ct_desc *d, const char *key, const char *value, const char *base_dir, ct_error *err);
/* Reset `key` to its default (empties a list). CT_E_ARG for an unknown key. */
ct_code ct_desc_clear(ct_desc *d, const char *key, ct_error *err);
/* Whether `key` is a known field name, and whether it is a list. */
bool ct_desc_key_known(const char *key, bool *ret_is_list);
/* The NULL-terminated list of every field name, in documentation order. */
const char *const *ct_desc_keys(void);

/*
 * Parse a description (YAML or JSON) of len bytes into *d (fields set on
 * top of what d holds). Relative paths resolve against base_dir. Errors
 * carry the line: "line 12: platform.vcpus: '0' is not a vCPU count";
 * CT_E_MALFORMED for syntax and values, CT_E_ARG-free: unknown keys are
 * CT_E_MALFORMED too, CT_E_LIMIT beyond the limits.
 */
ct_code ct_desc_parse(ct_desc *d, const uint8_t *buf, size_t len, const char *base_dir, ct_error *err);
/* Read the file at path (limit CT_MAX_DESC_BYTES) and parse it relative to its directory. */
ct_code ct_desc_load(ct_desc *d, const char *path, ct_error *err);

/* Progress of a long step, for a caller that shows it (the library never prints). */
typedef void (*ct_reference_progress_fn)(const char *step, uint64_t done, uint64_t total, void *userdata);

typedef struct ct_reference_opts {
        const char *generator;      /* written as "generator" (NULL: none) */
        const char *created;        /* written as "created" (NULL: none, the default) */
        unsigned threads;           /* verity hashing threads; 0 = online CPUs */
        ct_reference_progress_fn progress;
        void *userdata;
} ct_reference_opts;

/*
 * Every reference value of the image `d` describes, into a new manifest:
 * artifacts (SHA-256, size, parameters), the SNP table over the
 * variations, verity root hashes with their cmdline forms, PCR 4 / 11
 * predictions per Secure Boot state, init-data forms, captured PCRs.
 * TDX: computed when the tdx library is built in, else tdx = null with a
 * note. Errors: the input's (CT_E_MALFORMED / CT_E_IO with the path in the
 * message), CT_E_MISMATCH when an expected value (rootfs.root_hash) differs.
 */
ct_code ct_reference_compute(const ct_desc *d, const ct_reference_opts *o, ct_manifest **ret, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
