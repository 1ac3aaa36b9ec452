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

#ifdef __cplusplus
}
#endif
#endif
