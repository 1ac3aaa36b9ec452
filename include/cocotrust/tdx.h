/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — Intel TDX: the TDVF metadata of a firmware image, MRTD, the
 * TD HOB QEMU builds, the RTMR 0-2 event model of OVMF direct boot (with
 * every documented edk2 / QEMU variant as an explicit switch), TDX DCAP
 * quotes v4 / v5, and CC event logs (ACPI CCEL table + log).
 *
 * Facts and their evidence: shared/specs/tdx-measurement.md and docs/tdx.md.
 * All input is untrusted and read through ct_reader; every error names the
 * file offset of the offending field (err->has_offset). Outputs are written
 * only on success. Nothing here prints or exits.
 *
 * For callers (manifest, appraisal), the two entry points are:
 *   - ct_tdx_measure(): MRTD and RTMR 0-2 (with the event lists) for one
 *     parameter set, from a prepared ct_tdx_firmware / ct_tdx_kernel;
 *   - ct_tdx_quote_parse(): a quote as a value struct (ct_tdx_quote).
 */
#ifndef COCOTRUST_TDX_H
#define COCOTRUST_TDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>
#include <cocotrust/tcglog.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * TDVF metadata
 *
 * Located through the OVMF footer GUID table entry e47a6535-... (u32 =
 * distance of the descriptor from the end of the file), or, for td-shim and
 * old TDVF images without that entry, the u32 at end-0x20 (offset of the
 * metadata GUID from the start). The descriptor is preceded by the GUID
 * e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae:
 *   "TDVF" | u32 Length (16 + 32 n) | u32 Version (1) | u32 n
 *   n x { u32 DataOffset, u32 RawDataSize, u64 MemoryAddress, u64 MemoryDataSize,
 *         u32 Type, u32 Attributes }
 * ====================================================================== */

#define CT_MAX_TDVF_SECTIONS 64              /* real images have 6-9 */
#define CT_MAX_TDX_FIRMWARE_SIZE (64u << 20) /* firmware images we read */

enum {
        CT_TDVF_BFV = 0,
        CT_TDVF_CFV = 1,
        CT_TDVF_TD_HOB = 2,
        CT_TDVF_TEMP_MEM = 3,
        CT_TDVF_PERM_MEM = 4,
        CT_TDVF_PAYLOAD = 5,
        CT_TDVF_PAYLOAD_PARAM = 6,
        CT_TDVF_TD_INFO = 7,
        CT_TDVF_TD_PARAMS = 8,
};

#define CT_TDVF_ATTR_MR_EXTEND (1u << 0)
#define CT_TDVF_ATTR_PAGE_AUG (1u << 1)

typedef struct ct_tdvf_section {
        uint32_t data_offset;  /* in the whole image */
        uint32_t raw_size;
        uint64_t gpa;
        uint64_t mem_size;
        uint32_t type;
        uint32_t attributes;
        uint64_t desc_offset;  /* file offset of this 32-byte entry */
} ct_tdvf_section;

typedef struct ct_tdvf_metadata {
        uint64_t offset;        /* file offset of "TDVF" */
        bool via_table;         /* found through the footer table (false: end-0x20 pointer) */
        uint32_t length;
        uint32_t version;
        size_t n_sections;
        ct_tdvf_section sections[CT_MAX_TDVF_SECTIONS];
} ct_tdvf_metadata;

/*
 * Parse the TDVF metadata of fw[0..len). Errors (offset set):
 * CT_E_UNSUPPORTED when the image has no TDX metadata at all (message names
 * what is missing: the footer-table entry and the metadata GUID; e.g.
 * Debian's OVMF_CODE_4M.fd); CT_E_TRUNCATED / CT_E_MALFORMED for a
 * descriptor outside the file, a bad signature, version or Length, a section
 * whose data lies outside the file, a GPA or MemoryDataSize not 4 KiB
 * aligned, RawDataSize > MemoryDataSize, a GPA range that wraps, two
 * sections whose GPA ranges overlap, an unknown section type; CT_E_LIMIT for
 * more than CT_MAX_TDVF_SECTIONS sections.
 */
ct_code ct_tdvf_parse(const uint8_t *fw, size_t len, ct_tdvf_metadata *ret, ct_error *err);

/* "BFV", "CFV", "TD_HOB", "TempMem", "PermMem", "Payload", "PayloadParam", "TD_INFO", "TD_PARAMS" or NULL. */
const char *ct_tdvf_section_type_name(uint32_t type);

/* The first section of `type`, or NULL. */
const ct_tdvf_section *ct_tdvf_find(const ct_tdvf_metadata *md, uint32_t type);

/* ======================================================================
 * MRTD
 * ====================================================================== */

typedef enum ct_tdx_mrtd_order {
        CT_TDX_MRTD_SINGLE_PASS = 0, /* per page: PAGE.ADD, then its 16 MR.EXTENDs (upstream KVM) */
        CT_TDX_MRTD_TWO_PASS = 1,    /* per section: all PAGE.ADDs, then all MR.EXTENDs */
} ct_tdx_mrtd_order;

/* "single-pass" / "two-pass". */
const char *ct_tdx_mrtd_order_name(ct_tdx_mrtd_order o);

/*
 * MRTD of the image as the TDX module computes it: SHA-384 over the
 * 128-byte TDH.MEM.PAGE.ADD blocks and the TDH.MR.EXTEND blocks (header +
 * 256 image bytes) of every section, in metadata order. Sections with
 * PAGE.AUG get no PAGE.ADD; TD_INFO / TD_PARAMS get nothing. Bytes of a
 * section beyond its RawDataSize are zeros. *ret_bytes_hashed (may be NULL)
 * gets the number of bytes fed to SHA-384.
 */
ct_code ct_tdx_mrtd(const uint8_t *fw, size_t len, const ct_tdvf_metadata *md, ct_tdx_mrtd_order order,
                    ct_digest *ret, uint64_t *ret_bytes_hashed, ct_error *err);

/* ======================================================================
 * TD HOB as upstream QEMU builds it (hw/i386/tdvf-hob.c)
 * ====================================================================== */

#define CT_TDX_MAX_RAM_ENTRIES (2 + 2 * CT_MAX_TDVF_SECTIONS)
#define CT_TDX_MAX_HOB_SIZE (56 + 48 * CT_TDX_MAX_RAM_ENTRIES + 8)

typedef struct ct_tdx_ram_entry {
        uint64_t start;
        uint64_t length;
        bool added;            /* TD_HOB / TempMem range (SYSTEM_MEMORY) vs UNACCEPTED */
} ct_tdx_ram_entry;

typedef struct ct_tdx_hob {
        size_t n_ram;
        ct_tdx_ram_entry ram[CT_TDX_MAX_RAM_ENTRIES];
        size_t len;            /* whole HOB list including the 8-byte end HOB */
        size_t measured_len;   /* len - 8: what OVMF hashes into RTMR 0 */
        uint8_t bytes[CT_TDX_MAX_HOB_SIZE];
} ct_tdx_hob;

/*
 * Build the TD HOB QEMU (q35) writes for a guest of `memory` bytes: PHIT,
 * one resource descriptor per RAM entry (e820 RAM split by the TD_HOB and
 * TempMem sections), end HOB. CT_E_ARG when memory is 0 or a section does
 * not lie inside RAM; CT_E_UNSUPPORTED when the metadata has no TD_HOB.
 */
ct_code ct_tdx_td_hob(const ct_tdvf_metadata *md, uint64_t memory, ct_tdx_hob *ret, ct_error *err);

/* ======================================================================
 * TDX DCAP quotes v4 / v5 (layout: shared/specs/coco-ecosystem.md §3.2)
 *
 *   header 48 B: u16 version, u16 att_key_type, u32 tee_type (0x81),
 *                u16 qe_svn, u16 pce_svn, 16 B QE vendor id, 20 B user data
 *   v5 only:     u16 body type (2 = TDX 1.0, 3 = TDX 1.5), u32 body size
 *   TD report body 584 B (type 3: 648 B)
 *   u32 signature data length, signature data:
 *     64 B ECDSA signature, 64 B attestation key,
 *     certification data { u16 type, u32 size, data }; type 6 =
 *       { 384 B QE report, 64 B QE report signature, u16 QE auth size + data,
 *         certification data { u16 type (5 = PCK chain PEM), u32 size, data } }
 * Bytes after the signature data (buffers padded by the guest) are counted
 * in trailing_bytes, not an error. Signature and collateral (DCAP)
 * verification is not done here.
 * ====================================================================== */

#define CT_MAX_TDX_QUOTE_SIZE (1u << 20)
#define CT_MAX_TDX_CERT_CHAIN 8       /* certificates in a PCK chain */
#define CT_TDX_TEE_TYPE 0x81u
#define CT_TDX_BODY_SIZE_10 584u
#define CT_TDX_BODY_SIZE_15 648u

/* TD attributes bits. */
#define CT_TDX_ATTR_DEBUG (1ull << 0)
#define CT_TDX_ATTR_SEPT_VE_DISABLE (1ull << 28)
#define CT_TDX_ATTR_PKS (1ull << 30)
#define CT_TDX_ATTR_KL (1ull << 31)
#define CT_TDX_ATTR_PERFMON (1ull << 63)

/* The TD report body (TDX 1.0 fields + the two TDX 1.5 ones). */
typedef struct ct_tdx_report_body {
        uint8_t tee_tcb_svn[16];
        uint8_t mr_seam[48];
        uint8_t mrsigner_seam[48];
        uint8_t seam_attributes[8];
        uint8_t td_attributes[8];
        uint8_t xfam[8];
        uint8_t mr_td[48];
        uint8_t mr_config_id[48];
        uint8_t mr_owner[48];
        uint8_t mr_owner_config[48];
        uint8_t rtmr[4][48];
        uint8_t report_data[64];
        uint8_t tee_tcb_svn2[16];     /* TDX 1.5 only */
        uint8_t mr_servicetd[48];     /* TDX 1.5 only */
} ct_tdx_report_body;

typedef struct ct_tdx_quote {
        uint8_t header_raw[48];
        uint16_t version;             /* 4 or 5 */
        uint16_t att_key_type;        /* 2 = ECDSA-256-with-P-256, 3 = ECDSA-384-with-P-384 */
        uint32_t tee_type;            /* 0x81 */
        uint16_t qe_svn;
        uint16_t pce_svn;
        uint8_t qe_vendor_id[16];
        uint8_t user_data[20];
        uint16_t body_type;           /* v5: from the descriptor; v4: 2 (TDX 1.0 layout) */
        uint32_t body_size;           /* 584 or 648 */
        uint64_t body_offset;         /* 0x30 (v4) or 0x36 (v5) */
        bool tdx15;                   /* body carries tee_tcb_svn2 / mr_servicetd */
        ct_tdx_report_body body;
        uint64_t td_attributes;       /* decoded little-endian */
        uint64_t xfam;
        uint32_t sig_data_len;
        uint64_t sig_data_offset;
        uint8_t signature[64];
        uint8_t attestation_key[64];
        uint16_t cert_type;           /* outer certification data type (6 expected) */
        uint32_t cert_size;
        uint64_t cert_offset;         /* file offset of the outer data */
        bool has_qe_report;           /* cert_type 6 */
        uint8_t qe_report[384];
        uint8_t qe_report_signature[64];
        uint16_t qe_auth_size;
        uint64_t qe_auth_offset;
        uint16_t pck_cert_type;       /* inner certification data type (5 = PEM chain) */
        uint32_t pck_cert_size;
        uint64_t pck_cert_offset;     /* file offset of the PEM text */
        uint64_t trailing_bytes;      /* after the signature data */
} ct_tdx_quote;

/*
 * Parse a quote in buf[0..len) (CT_MAX_TDX_QUOTE_SIZE). Errors with the
 * offset of the field: CT_E_TRUNCATED for any length that reaches past its
 * enclosing structure, CT_E_MALFORMED for a body size that does not match its
 * type or certification data whose parts do not add up, CT_E_UNSUPPORTED
 * for versions other than 4 / 5, a TEE type other than 0x81 (SGX quotes) and
 * v5 body types other than 2 / 3 (1 = SGX enclave report).
 */
ct_code ct_tdx_quote_parse(const uint8_t *buf, size_t len, ct_tdx_quote *ret, ct_error *err);

/* One field of the quote, named as Trustee's TDX claims name it. */
typedef struct ct_tdx_field {
        const char *claim;            /* "quote.body.mr_td", "quote.header.vendor_id", ... */
        const char *name;             /* short name: "mr_td", "rtmr_0", ... */
        const uint8_t *value;         /* into the ct_tdx_quote */
        size_t len;
        uint64_t offset;              /* file offset in the quote */
} ct_tdx_field;

#define CT_TDX_MAX_FIELDS 32

/*
 * The header and body fields of q in Trustee's order and naming (header:
 * version, att_key_type, tee_type, reserved, vendor_id, user_data; body:
 * tcb_svn, mr_seam, mrsigner_seam, seam_attributes, td_attributes, xfam,
 * mr_td, mr_config_id, mr_owner, mr_owner_config, rtmr_0..3, report_data
 * [, tee_tcb_svn2, mr_servicetd]). Values point into *q, which must
 * outlive the array. Returns the count (<= CT_TDX_MAX_FIELDS).
 */
size_t ct_tdx_quote_fields(const ct_tdx_quote *q, ct_tdx_field *out);

/* Names of the TD attribute bits set in `attr` (Trustee's names: debug, septve_disable, protection_keys, key_locker, perfmon). */
typedef struct ct_tdx_td_attributes {
        bool debug;
        bool septve_disable;
        bool protection_keys;
        bool key_locker;
        bool perfmon;
        uint64_t reserved_bits;       /* any other bit set */
} ct_tdx_td_attributes;
void ct_tdx_decode_td_attributes(uint64_t attr, ct_tdx_td_attributes *ret);

/* Name of XFAM bit `bit` ("x87", "sse", "avx", "mpx_bndregs", ...) or NULL. */
const char *ct_tdx_xfam_bit_name(unsigned bit);

/* One certificate of the PCK chain. */
typedef struct ct_tdx_cert {
        char subject[256];
        char issuer[256];
        char not_before[32];          /* "YYYY-MM-DDTHH:MM:SSZ" */
        char not_after[32];
} ct_tdx_cert;

typedef struct ct_tdx_pck_chain {
        size_t n_certs;
        ct_tdx_cert certs[CT_MAX_TDX_CERT_CHAIN];
        bool has_fmspc;
        uint8_t fmspc[6];
        bool has_platform_instance_id; /* only PCK certificates from the Platform CA carry it */
        uint8_t platform_instance_id[16]; /* DER order; Trustee's claim prints it byte-reversed */
        int sgx_type;                  /* 0 Standard, 1 Scalable, 2 Scalable with integrity; -1 absent */
} ct_tdx_pck_chain;

/*
 * Decode the PEM certificate chain of a parsed quote (inner certification
 * data type 5) with OpenSSL: subjects, issuers, validity, and from the PCK
 * certificate's SGX extension (1.2.840.113741.1.13.1) FMSPC, SGX type and
 * PlatformInstanceID. Nothing is verified. CT_E_UNSUPPORTED when the quote
 * carries no PEM chain, CT_E_MALFORMED (offset) for PEM that does not parse.
 */
ct_code ct_tdx_quote_pck_chain(const uint8_t *buf, size_t len, const ct_tdx_quote *q, ct_tdx_pck_chain *ret,
                               ct_error *err);

/* Expected values for ct_tdx_quote_check; a NULL / false member is not checked. */
typedef struct ct_tdx_expect {
        const uint8_t *mr_td;         /* 48 bytes */
        const uint8_t *rtmr[4];       /* 48 bytes each */
        const uint8_t *report_data;   /* report_data_len bytes, compared with the start of REPORTDATA */
        size_t report_data_len;       /* <= 64; the rest of REPORTDATA must be zero */
        const uint8_t *mr_config_id;  /* 48 bytes */
        const uint8_t *xfam;          /* 8 bytes */
} ct_tdx_expect;

/*
 * Compare q with the expectations. *ret_mismatch gets a bit per differing
 * field (1u << index into ct_tdx_quote_fields' order). CT_OK when all
 * match, CT_E_MISMATCH otherwise (message lists every differing field).
 */
ct_code ct_tdx_quote_check(const ct_tdx_quote *q, const ct_tdx_expect *e, uint32_t *ret_mismatch, ct_error *err);

/* ======================================================================
 * RTMR 0-2 of OVMF direct boot: variants and the event model
 * (shared/specs/tdx-measurement.md §3-§6; docs/tdx.md names the evidence
 * for every variant)
 * ====================================================================== */

typedef enum ct_tdx_kernel_header {
        CT_TDX_KERNEL_UNPATCHED = 0,  /* QEMU >= 10.2 (or etc/boot/kernel): the file as it is */
        CT_TDX_KERNEL_PATCHED = 1,    /* QEMU < 10.2: x86_load_linux setup-header edits */
} ct_tdx_kernel_header;

typedef enum ct_tdx_initrd_marker {
        CT_TDX_INITRD_PREFIX = 0,     /* edk2 >= 202508: "initrd=initrd <cmdline>" */
        CT_TDX_INITRD_SUFFIX = 1,     /* edk2 <= 202505: "<cmdline> initrd=initrd" */
        CT_TDX_INITRD_NONE = 2,       /* no marker */
} ct_tdx_initrd_marker;

typedef enum ct_tdx_stub {
        CT_TDX_STUB_CMDLINE_INITRD = 0, /* Linux >= 6.9 EFI stub: LoadOptions and initrd events */
        CT_TDX_STUB_CMDLINE = 1,        /* LoadOptions only */
        CT_TDX_STUB_NONE = 2,           /* older kernels: RTMR 2 stays empty */
} ct_tdx_stub;

typedef enum ct_tdx_boot_entries {
        CT_TDX_BOOT_UIAPP = 0,          /* BootOrder 0000, Boot0000 = UiApp (edk2 <= 202502) */
        CT_TDX_BOOT_MENUAPP_UIAPP = 1,  /* edk2 >= 202505: Boot0000 BootManagerMenuApp, Boot0001 UiApp */
} ct_tdx_boot_entries;

/* Every behaviour that changes a register, one member each. */
typedef struct ct_tdx_variant {
        ct_tdx_mrtd_order mrtd_order;
        unsigned separator_rtmr;        /* ReadyToBoot separator: 0 (edk2 <= 202408) or 1 (>= 202411) */
        ct_tdx_kernel_header kernel_header;
        ct_tdx_initrd_marker initrd_marker;
        ct_tdx_stub stub;
        bool fwcfg_events;              /* edk2 >= 202505: "QEMU FW CFG" items in RTMR 0 */
        bool smbios_event;              /* edk2 >= 202505: EV_EFI_HANDOFF_TABLES (SMBIOS) in RTMR 0 */
        ct_tdx_boot_entries boot_entries;
        bool pic;                       /* QEMU 8.x pic=on (changes the MADT): the ACPI dump must match */
        bool firmware_measures_rtmr;    /* OVMF >= edk2-stable202302 extends RTMRs at all */
        char edk2[96];                  /* the edk2 release whose behaviour this is, and the string given */
        char qemu[96];                  /* the QEMU release ("10.2"), and the string given */
} ct_tdx_variant;

/* The newest upstream behaviour (edk2-stable202511, QEMU 10.2). */
void ct_tdx_variant_default(ct_tdx_variant *ret);

/*
 * Set the members `edk2` / `qemu` decide (either may be NULL = keep). Each
 * accepts a release ("edk2-stable202411", "202411", "2024.11", "10.2",
 * "10.2.0") or a distribution package version ("2024.02-3+tdx1.0",
 * "2022.11-6+deb12u2", "1:8.2.2+ds-0ubuntu1"). CT_E_UNSUPPORTED for a
 * version not in the known lists (the message lists them all).
 */
ct_code ct_tdx_variant_apply(ct_tdx_variant *v, const char *edk2, const char *qemu, ct_error *err);

/* The known edk2 releases / QEMU releases, NULL-terminated. */
const char *const *ct_tdx_known_edk2(void);
const char *const *ct_tdx_known_qemu(void);

/* A prepared firmware image: metadata, and MRTD / CFV digests computed once and cached. */
typedef struct ct_tdx_firmware ct_tdx_firmware;

/* Borrows fw[0..len) (must outlive the handle). Errors as ct_tdvf_parse. */
ct_code ct_tdx_firmware_new(const uint8_t *fw, size_t len, ct_tdx_firmware **ret, ct_error *err);
void ct_tdx_firmware_free(ct_tdx_firmware *f);
const ct_tdvf_metadata *ct_tdx_firmware_metadata(const ct_tdx_firmware *f);
/* Bytes fed to SHA-384 so far by this handle (MRTD, CFV, TD HOBs), for benchmarks. */
uint64_t ct_tdx_firmware_bytes_hashed(const ct_tdx_firmware *f);

/* A prepared kernel (bzImage, PE): Authenticode digests cached per header patch. */
typedef struct ct_tdx_kernel ct_tdx_kernel;

/* Borrows k[0..len). CT_E_MALFORMED when it is not a PE image. */
ct_code ct_tdx_kernel_new(const uint8_t *k, size_t len, ct_tdx_kernel **ret, ct_error *err);
void ct_tdx_kernel_free(ct_tdx_kernel *k);
/*
 * The kernel_version string of the bzImage setup header (at 0x200 + the u16
 * at 0x20e; "6.1.0-56-amd64 (debian-kernel@...) #1 SMP ..."), or "" when the
 * header has none. Never NULL.
 */
const char *ct_tdx_kernel_version(const ct_tdx_kernel *k);

/* Number of Authenticode computations done so far (each distinct header patch costs one). */
unsigned ct_tdx_kernel_hash_count(const ct_tdx_kernel *k);

/*
 * Apply QEMU's x86_load_linux setup-header edits (QEMU < 10.2) to the first
 * `hdr_len` bytes of a kernel (hdr must hold at least 0x240 bytes): loader
 * type, loadflags, heap_end_ptr, cmd_line_ptr, and with an initrd its address
 * (below min(memory, lowmem) - 0x28000 and the kernel's initrd_addr_max) and
 * size. CT_E_UNSUPPORTED for boot protocols below 2.02.
 */
ct_code ct_tdx_qemu_patch_kernel_header(uint8_t *hdr, size_t hdr_len, uint64_t memory, bool has_initrd,
                                        uint64_t initrd_size, ct_error *err);

/* An input a user gives as a file: a name and bytes (borrowed). */
typedef struct ct_tdx_blob {
        const char *name;               /* fw_cfg item name, or a variable name ("BootOrder", "Boot0001") */
        const uint8_t *data;
        size_t len;
} ct_tdx_blob;

/* A digest given instead of computed, by event id (see ct_tdx_event.id). */
typedef struct ct_tdx_override {
        const char *id;
        ct_digest digest;
} ct_tdx_override;

#define CT_TDX_MAX_BLOBS 32
#define CT_TDX_MAX_EVENTS 64

/* One parameter set. */
typedef struct ct_tdx_params {
        uint64_t memory;                /* bytes */
        unsigned vcpus;                 /* informational (the ACPI dump carries it) */
        ct_tdx_kernel *kernel;          /* NULL: firmware only (RTMR 1 and 2 not predicted) */
        bool has_initrd;
        ct_digest initrd_sha384;
        uint64_t initrd_size;
        const char *cmdline;            /* -append (NULL = none given: empty) */
        bool has_acpi;                  /* QEMU fw_cfg blobs as dumped */
        const uint8_t *acpi_loader;     /* etc/table-loader */
        size_t acpi_loader_len;
        const uint8_t *acpi_rsdp;       /* etc/acpi/rsdp */
        size_t acpi_rsdp_len;
        const uint8_t *acpi_tables;     /* etc/acpi/tables */
        size_t acpi_tables_len;
        bool has_acpi_digests;          /* the three SHA-384 digests given instead (tables reuse them) */
        ct_digest acpi_digests[3];      /* table-loader, rsdp, tables */
        size_t n_fwcfg;                 /* edk2 >= 202505 fw_cfg items, in the order QEMU lists them */
        ct_tdx_blob fwcfg[CT_TDX_MAX_BLOBS];
        size_t n_boot_vars;             /* BootOrder + Boot#### data; replaces the default entries */
        ct_tdx_blob boot_vars[CT_TDX_MAX_BLOBS];
        bool has_smbios;
        ct_digest smbios;               /* digest of the SMBIOS handoff event (edk2 >= 202505) */
        size_t n_overrides;
        ct_tdx_override overrides[CT_TDX_MAX_BLOBS];
} ct_tdx_params;

/* One extend. */
typedef struct ct_tdx_event {
        unsigned rtmr;                  /* 0-2 */
        uint32_t type;                  /* EV_* (tcglog.h) */
        char id[24];                    /* stable id: "td-hob", "cfv", "secureboot", ..., "kernel", "load-options" */
        char what[200];                 /* what was hashed */
        const char *rule;               /* the rule that produced the digest (static text) */
        bool known;                     /* false: an input is missing (what says which) */
        bool given;                     /* digest from an override, not computed */
        ct_digest digest;
} ct_tdx_event;

typedef struct ct_tdx_measurement {
        ct_tdx_variant variant;
        ct_digest mrtd;
        ct_digest rtmr[3];
        bool rtmr_known[3];
        char rtmr_missing[3][200];      /* for an unknown register: what is missing */
        bool has_kernel;
        ct_digest tdvfkernel;           /* Trustee rv "tdvfkernel": the kernel's EV_EFI_BOOT_SERVICES_APPLICATION */
        ct_digest tdvfkernelparams;     /* Trustee rv "tdvfkernelparams": the LOADED_IMAGE::LoadOptions event */
        bool has_kernelparams;
        bool kernel_predates_cc_stub;   /* the kernel version is below 6.9: its EFI stub measures nothing into RTMR 2 */
        ct_digest td_hob;
        size_t td_hob_len;
        size_t n_events;
        ct_tdx_event events[CT_TDX_MAX_EVENTS];
} ct_tdx_measurement;

/*
 * MRTD and RTMR 0-2 of QEMU direct boot with `fw` for one parameter set and
 * variant. Work that does not change between calls is cached in fw / the
 * kernel (MRTD per order, CFV, Authenticode per header patch), so a table
 * costs one TD HOB hash and a few extends per row. A register whose inputs
 * are missing (ACPI blobs for RTMR 0, fw_cfg items / SMBIOS / boot entries of
 * edk2 >= 202505, a kernel for RTMR 1/2) is reported unknown with the reason,
 * not guessed. Errors: CT_E_ARG (memory), CT_E_UNSUPPORTED (kernel boot
 * protocol), CT_E_NOMEM.
 */
ct_code ct_tdx_measure(ct_tdx_firmware *fw, const ct_tdx_variant *v, const ct_tdx_params *p, ct_tdx_measurement *ret,
                       ct_error *err);

/* ======================================================================
 * CC event logs (CCEL): the ACPI CCEL table and the TCG-format log whose
 * "PCR index" is an MR index (0 = MRTD, never extended; 1-4 = RTMR 0-3).
 * The record layer is tcglog.h's; this adds the CC rules: which records are
 * extended (never EV_NO_ACTION, whatever their MR index), MR index -> RTMR,
 * SHA-384 only, AAEL records (EV_EVENT_TAG id 0x4141454c, RTMR 3) and the
 * comparison with a quote's RTMRs.
 * ====================================================================== */

#define CT_CCEL_TABLE_SIZE 56u
#define CT_CCEL_AAEL_TAG 0x4141454cu  /* "LEAA" on disk */

typedef struct ct_ccel_table {
        uint32_t length;
        uint8_t revision;
        bool checksum_ok;             /* the ACPI byte checksum over `length` bytes is 0 */
        char oem_id[7];
        char oem_table_id[9];
        uint8_t cc_type;              /* 2 = TDX (1 = SEV) */
        uint8_t cc_subtype;
        uint64_t laml;                /* log area minimum length */
        uint64_t lasa;                /* log area start address (guest physical) */
} ct_ccel_table;

/*
 * Parse an ACPI CCEL table (as /sys/firmware/acpi/tables/CCEL holds it).
 * Errors (offset): CT_E_TRUNCATED below 56 bytes or shorter than its Length,
 * CT_E_MALFORMED for a signature other than "CCEL" or a Length below 56,
 * CT_E_LIMIT for a LAML above CT_TCG_MAX_LOG_SIZE. A bad checksum is
 * reported in checksum_ok, not an error.
 */
ct_code ct_ccel_table_parse(const uint8_t *buf, size_t len, ct_ccel_table *ret, ct_error *err);

/* True when buf looks like an ACPI CCEL table (signature "CCEL"). */
bool ct_ccel_is_table(const uint8_t *buf, size_t len);

/*
 * True when buf is a CC event log: a crypto-agile TCG log whose Spec ID
 * event lists SHA-384 only and whose records all carry MR indexes 0-4.
 */
bool ct_ccel_is_cc_log(const uint8_t *buf, size_t len);

/* RTMR of an MR index: 1-4 -> 0-3; -1 for 0 (MRTD) and anything else. */
int ct_ccel_rtmr_of(uint32_t mr_index);

/* True when the record's SHA-384 digest equals SHA-384 of its event data (Trustee's digest_matches_event). */
bool ct_ccel_digest_matches_event(const ct_tcg_event *ev);

/* An AAEL record's text "domain operation content" split at its first two spaces (pointers into the log). */
typedef struct ct_ccel_aael {
        const char *text;
        size_t text_len;
        const char *domain, *operation, *content;
        size_t domain_len, operation_len, content_len;
} ct_ccel_aael;

/* Decode an EV_EVENT_TAG AAEL record. CT_E_UNSUPPORTED when ev is not one; CT_E_MALFORMED (offset) when cut. */
ct_code ct_ccel_decode_aael(const ct_tcg_event *ev, ct_ccel_aael *ret, ct_error *err);

typedef struct ct_ccel_replay {
        ct_digest rtmr[4];
        uint32_t n_extends[4];
        uint32_t n_events;            /* records after the Spec ID record */
        uint32_t n_not_extended;      /* EV_NO_ACTION and MR index 0 */
        uint32_t n_aael;
        uint32_t n_digest_mismatch_data; /* records whose digest is not SHA-384(data) (normal for most types) */
        ct_tcg_info info;
} ct_ccel_replay;

/*
 * Replay a CC event log into RTMR 0-3 (ct_tcg_walk flags). Errors as
 * ct_tcg_walk, and CT_E_MALFORMED (offset) for an extended record without a
 * SHA-384 digest or with an MR index above 4.
 */
ct_code ct_ccel_replay_log(const uint8_t *buf, size_t len, unsigned flags, ct_ccel_replay *ret, ct_error *err);

/*
 * The two event digests Trustee's default TDX policy reads from a CC log:
 * "tdvfkernel" = the EV_EFI_BOOT_SERVICES_APPLICATION record whose device
 * path contains File(kernel) (OVMF direct boot), "tdvfkernelparams" = the
 * EV_EVENT_TAG record LOADED_IMAGE::LoadOptions. The last match of each
 * counts (as Trustee's `some` over the list may pick any; logs hold one).
 * has_* false when the log has none (grub boots). Errors as ct_tcg_walk.
 */
typedef struct ct_ccel_trustee {
        bool has_kernel;
        ct_digest kernel;
        uint32_t kernel_num;
        bool has_kernel_params;
        ct_digest kernel_params;
        uint32_t kernel_params_num;
} ct_ccel_trustee;
ct_code ct_ccel_trustee_digests(const uint8_t *buf, size_t len, unsigned flags, ct_ccel_trustee *ret, ct_error *err);

/* Result for one RTMR of ct_ccel_check. */
typedef struct ct_ccel_rtmr_check {
        bool match;
        ct_digest replayed;
        ct_digest expected;
        uint32_t n_events;            /* extends of this RTMR in the log */
        int prefix_events;            /* expected == replay of the first prefix_events extends (-1: none) */
        bool has_first;               /* a first differing event was identified */
        uint32_t first_num;           /* its record number, offset, type */
        uint64_t first_offset;
        uint32_t first_type;
        int first_index;              /* its position among this RTMR's extends (0-based) */
        const char *why;              /* static text: how it was identified */
} ct_ccel_rtmr_check;

typedef struct ct_ccel_check {
        bool ok;
        ct_ccel_rtmr_check rtmr[4];
        ct_ccel_replay replay;
} ct_ccel_check;

/* Reference event digests per RTMR (e.g. from ct_tdx_measure), to name the first event that differs. */
typedef struct ct_ccel_reference {
        size_t n[4];
        const ct_digest *digests[4];
} ct_ccel_reference;

/*
 * Replay the log and compare RTMR 0-3 with expected[4][48] (a quote's).
 * For a mismatching RTMR the first differing event is named: with `ref`
 * (may be NULL), the first extend whose digest differs from the reference;
 * else, when the expected value is the replay of a prefix, the first extend
 * after it (the log goes on past the quote); else the first extend whose
 * digest does not match its data among types where it must (EV_SEPARATOR,
 * EV_EFI_ACTION, AAEL). CT_OK when all four match, CT_E_MISMATCH otherwise
 * (*ret written in both cases); other errors as ct_ccel_replay_log.
 */
ct_code ct_ccel_check_rtmrs(const uint8_t *buf, size_t len, unsigned flags, const uint8_t expected[4][48],
                            const ct_ccel_reference *ref, ct_ccel_check *ret, ct_error *err);

/* ---- tdx acpi-dump: QEMU's ACPI fw_cfg blobs from a TCG boot ---- */

#define CT_TDX_ACPI_MAX_BLOB (16u << 20)      /* one fw_cfg file accepted from the guest */
#define CT_TDX_ACPI_MAX_CONSOLE (96u << 20)   /* serial output accepted from one boot */
#define CT_TDX_ACPI_MAX_LINE 512u             /* longer lines are never marker lines: skipped */

/* The three blobs, in the order of ct_tdx_measure's acpi_digests. */
typedef enum ct_tdx_acpi_blob {
        CT_TDX_ACPI_LOADER = 0, /* etc/table-loader */
        CT_TDX_ACPI_RSDP = 1,   /* etc/acpi/rsdp */
        CT_TDX_ACPI_TABLES = 2, /* etc/acpi/tables */
} ct_tdx_acpi_blob;

/* The fw_cfg name of blob i ("etc/table-loader", ...). */
const char *ct_tdx_acpi_blob_name(ct_tdx_acpi_blob i);

typedef struct ct_tdx_acpi_dump {
        bool complete;          /* the end marker was seen after all three files */
        uint8_t *data[3];       /* malloc'd, indexed by ct_tdx_acpi_blob */
        size_t len[3];
        char guest_error[256];  /* an ==ERROR== line of the guest helper, "" if none */
} ct_tdx_acpi_dump;

/*
 * Parse the serial output of a boot of the acpi-dump initrd (untrusted).
 * Lines before "==COCOTRUST-FWCFG-BEGIN==" are ignored; after it every
 * line must be a marker ("==FILE== NAME SIZE", "==FILE-END==",
 * "==COCOTRUST-FWCFG-END==", "==ERROR== TEXT") or base64 inside a file;
 * each file once, SIZE <= CT_TDX_ACPI_MAX_BLOB and exactly the decoded
 * length. Kernel messages interleaved after the begin marker (lines starting
 * with '[') are skipped. Text without the begin marker is not an error
 * (complete false). Errors: CT_E_MALFORMED / CT_E_LIMIT with the offset.
 * Free with ct_tdx_acpi_dump_free.
 */
ct_code ct_tdx_acpi_parse_console(const void *text, size_t len, ct_tdx_acpi_dump *ret, ct_error *err);
void ct_tdx_acpi_dump_free(ct_tdx_acpi_dump *d);

/* The initrd: /dev, /dev/console (5:1) and the static helper as /init. *ret_data is malloc'd. */
ct_code ct_tdx_acpi_initrd(const void *helper, size_t helper_len, uint8_t **ret_data, size_t *ret_len,
                           ct_error *err);

typedef struct ct_tdx_acpi_opts {
        const char *qemu;            /* qemu-system-x86_64 path */
        const char *kernel;          /* a Linux kernel (bzImage) */
        const uint8_t *initrd;       /* from ct_tdx_acpi_initrd */
        size_t initrd_len;
        unsigned vcpus;              /* -smp */
        unsigned memory_mib;         /* -m */
        const char *const *qemu_args;/* extra QEMU arguments, appended last */
        size_t n_qemu_args;
        unsigned timeout_s;          /* 0: 300 */
        const char *tmpdir;          /* NULL: $TMPDIR or /tmp */
} ct_tdx_acpi_opts;

/*
 * Boot QEMU under TCG (-machine q35 -accel tcg -nographic -no-reboot,
 * -kernel/-initrd from a private work directory) through the process
 * supervisor, with SIGINT/SIGTERM caught; parse its console. *ret is
 * filled only on success (complete). CT_E_IO when QEMU failed or timed out
 * or the guest printed no complete dump (the last lines of its output in
 * failure[0..cap)), CT_E_MALFORMED / CT_E_LIMIT for bad console output.
 */
ct_code ct_tdx_acpi_boot(const ct_tdx_acpi_opts *o, ct_tdx_acpi_dump *ret, char *failure, size_t cap,
                         ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
