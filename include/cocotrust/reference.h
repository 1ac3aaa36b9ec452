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
/* One line saying what a field is and its default; "" for an unknown key. */
const char *ct_desc_key_help(const char *key);

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

/* ---- Disk images as systemd-repart / mkosi build them ---- */

#define CT_MAX_IMAGE_PARTITIONS 128
#define CT_MAX_VERITY_SIG_BYTES (1u << 20)

typedef enum ct_image_part_kind {
        CT_IMAGE_PART_OTHER = 0,
        CT_IMAGE_PART_ESP,
        CT_IMAGE_PART_XBOOTLDR,
        CT_IMAGE_PART_ROOT,
        CT_IMAGE_PART_ROOT_VERITY,
        CT_IMAGE_PART_ROOT_VERITY_SIG,
        CT_IMAGE_PART_USR,
        CT_IMAGE_PART_USR_VERITY,
        CT_IMAGE_PART_USR_VERITY_SIG,
} ct_image_part_kind;

/* "esp", "root", "root-verity", ... (Discoverable Partitions names, x86-64 types). */
const char *ct_image_part_kind_name(ct_image_part_kind k);

typedef struct ct_image_partition {
        uint32_t number;            /* 1-based partition number */
        ct_image_part_kind kind;
        char type_guid[37];         /* lower case */
        char uuid[37];              /* lower case */
        char label[128];
        uint64_t offset;            /* bytes */
        uint64_t size;              /* bytes */
} ct_image_partition;

/* The verity-sig partition's JSON (systemd's format). */
typedef struct ct_verity_sig {
        uint8_t root_hash[CT_HASH_MAX_SIZE];
        size_t root_hash_len;
        bool has_fingerprint;
        uint8_t certificate_fingerprint[32]; /* SHA-256 of the signing certificate (DER) */
        uint8_t *signature;         /* DER PKCS#7, malloc'd */
        size_t signature_len;
} ct_verity_sig;

/*
 * Parse a verity-sig partition's contents: JSON {"rootHash", "certificateFingerprint",
 * "signature"} followed by NUL padding up to len. Strict (unknown keys, bad
 * hex / base64: CT_E_MALFORMED naming the key). Free with ct_verity_sig_clear.
 */
ct_code ct_verity_sig_parse(const uint8_t *buf, size_t len, ct_verity_sig *ret, ct_error *err);
void ct_verity_sig_clear(ct_verity_sig *s);

/*
 * Check sig's PKCS#7 signature over the root hash as lower-case hex text
 * (what systemd-repart signs and the kernel checks) with the certificate in
 * PEM file cert_path (OpenSSL, signer certificate not chain-verified: the
 * given certificate is the trust anchor). CT_E_MISMATCH when it does not verify.
 */
ct_code ct_verity_sig_verify(const ct_verity_sig *sig, const char *cert_path, ct_error *err);

/* One dm-verity pair (root or usr) of an image, checked. */
typedef struct ct_image_verity {
        const char *name;           /* "root" or "usr" */
        uint32_t data_part, hash_part, sig_part; /* partition numbers; sig_part 0 = none */
        uint8_t root_hash[CT_HASH_MAX_SIZE];
        size_t root_hash_len;
        char hash_name[32];
        uint32_t hash_type, data_block_size, hash_block_size;
        uint64_t data_blocks, hash_offset;
        size_t salt_len;
        uint8_t salt[CT_MAX_MANIFEST_SALT];
        char sb_uuid[37];
        bool uuids_match;           /* data UUID = first 128 bits, hash UUID = last 128 bits of the root hash */
        bool tree_ok;               /* the hash partition's tree matches the data */
        uint64_t bad_data, bad_hash;
        bool sig_present;
        bool sig_root_matches;      /* the signature JSON names this root hash */
        int sig_verified;           /* -1 not checked (no certificate), 0 failed, 1 verified */
        bool sig_fingerprint_matches; /* certificateFingerprint = SHA-256 of the given certificate */
        char error[CT_ERROR_MSG_MAX]; /* why a check could not run or failed, "" when none */
} ct_image_verity;

#define CT_MAX_IMAGE_UKIS 16

/* A UKI found in an ESP / XBOOTLDR partition (.efi files in /EFI/Linux: Boot Loader Specification type #2). */
typedef struct ct_image_uki {
        uint32_t part;              /* partition number */
        char path[256];             /* "EFI/Linux/demo.efi" */
} ct_image_uki;

typedef struct ct_image_report {
        ct_image_uki ukis[CT_MAX_IMAGE_UKIS];
        size_t n_ukis;
        char esp_note[256];         /* why the ESP could not be listed (mtools missing, ...), "" when it was */
        char disk_uuid[37];
        uint64_t sector_size;
        ct_image_partition parts[CT_MAX_IMAGE_PARTITIONS];
        size_t n_parts;
        ct_image_verity verity[2];
        size_t n_verity;
        bool ok;                    /* every check passed */
} ct_image_report;

/*
 * Inspect a GPT disk image (libfdisk): partitions by Discoverable
 * Partitions type; for root and usr with a verity partition: superblock,
 * root hash computed from the data, tree checked, UUIDs vs the root hash,
 * verity-sig JSON and (with cert_path) its PKCS#7 signature. Checks that
 * fail are recorded in *ret with ok = false (not errors); unreadable input
 * is CT_E_INPUT / CT_E_MALFORMED / CT_E_IO. *ret is malloc'd (free()).
 */
ct_code ct_image_inspect(const char *path, const char *cert_path, unsigned threads, ct_image_report **ret,
                         ct_error *err);

/*
 * Copy UKI `u` of report `rep` out of the image at path into out_path
 * (mtools' mcopy, run with the partition's byte offset). CT_E_IO when
 * mcopy is missing or fails.
 */
ct_code ct_image_extract_uki(const char *path, const ct_image_report *rep, const ct_image_uki *u, const char *out_path,
                             ct_error *err);

/* ---- Reproducible image parts ---- */

#define CT_MAX_INITRD_ENTRIES 1000000
#define CT_MAX_INITRD_BYTES (4ull << 30)

typedef struct ct_initrd_opts {
        uint64_t mtime;             /* every entry's mtime (SOURCE_DATE_EPOCH or 0) */
        bool gzip;                  /* gzip (zlib, level 9, no name, no timestamp, OS unix) */
} ct_initrd_opts;

/*
 * A newc cpio archive of the tree under dir, written atomically to
 * out_path: entries sorted by path (bytewise), directories, regular files
 * and symbolic links (anything else is CT_E_UNSUPPORTED naming it), uid /
 * gid 0, nlink 1 (2 for directories), inode numbers 1, 2, ... in archive
 * order, mode bits as on disk, mtime from opts, then TRAILER!!!. The same
 * tree gives the same bytes whatever its owners, mtimes and inode numbers.
 * Writes the entry count to *ret_entries (may be NULL).
 */
ct_code ct_initrd_pack(const char *dir, const ct_initrd_opts *opts, const char *out_path, uint64_t *ret_entries,
                       ct_error *err);

/* One section of a UKI to build. */
typedef struct ct_uki_build_section {
        const char *name;           /* ".osrel", ".cmdline", ".initrd", ".linux", ... */
        const uint8_t *data;        /* caller-owned */
        size_t len;
} ct_uki_build_section;

/*
 * A UKI from a systemd-stub PE and sections, laid out as ukify does: each
 * new section header after the stub's, its contents at the end of the file
 * (FileAlignment), its VirtualAddress after the previous section
 * (SectionAlignment), characteristics initialised data | read; sections in
 * ukify's order (.osrel .cmdline .dtb .uname .splash .pcrpkey .initrd
 * .ucode .linux) whatever order they are given in; SizeOfImage,
 * SizeOfInitializedData and NumberOfSections updated, TimeDateStamp set to
 * `timestamp` (0 unless SOURCE_DATE_EPOCH), CheckSum recomputed.
 * CT_E_MALFORMED for a stub that is not a PE, CT_E_ARG for a section named
 * twice or one the stub already has, CT_E_LIMIT when the headers have no
 * room for the new section headers. *ret is malloc'd (free()).
 */
ct_code ct_uki_build(const uint8_t *stub, size_t stub_len, const ct_uki_build_section *sections, size_t n,
                     uint32_t timestamp, uint8_t **ret, size_t *ret_len, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
