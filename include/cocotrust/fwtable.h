/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — the OVMF / TDVF footer GUID table and the SEV ("ASEV") metadata
 * section list of a firmware volume.
 *
 * edk2 puts a table of GUID-tagged entries just below the reset vector, at
 * the end of the firmware image. The footer entry header sits 32 + 18 bytes
 * before the end of the file:
 *
 *     [ entry data | u16 size | guid ] ... [ entry data | u16 size | guid ]
 *     [ u16 table size | OVMF_TABLE_FOOTER guid ] [ 32 bytes reset vector ]
 *
 * Every entry's data comes before its 18-byte header and `size` counts data
 * plus header. The footer's size counts the whole table including the footer
 * header. Entries are walked from the end toward the start.
 *
 * The SEV metadata entry (GUID dc886566-...) holds a u32 offset counted from
 * the end of the file to a block { "ASEV", u32 size, u32 version = 1,
 * u32 count, count x { u32 gpa, u32 size, u32 type } }. The TDX metadata entry
 * (e47a6535-...) sits in the same table; its section list is another format.
 *
 * Everything goes through ct_reader; every error names the file offset.
 */
#ifndef COCOTRUST_FWTABLE_H
#define COCOTRUST_FWTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/guid.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Distance of the footer entry header from the end of the file. */
#define CT_FW_FOOTER_FROM_END (32u + 18u)
#define CT_FW_ENTRY_HEADER_SIZE 18u
/* Limits: real tables have 3-6 entries and 3-8 SEV sections. */
#define CT_MAX_FW_ENTRIES 64
#define CT_MAX_SEV_SECTIONS 64

/* Well-known GUIDs of the footer table (text form in the comment). */
/* 96b582de-1fb2-45f7-baea-a366c55a082d */
#define CT_FW_GUID_TABLE_FOOTER CT_GUID_INIT(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d)
/* 7255371f-3a3b-4b04-927b-1da6efa8d454: { u32 gpa; u32 size } of the SEV hash table */
#define CT_FW_GUID_SEV_HASH_TABLE_RV CT_GUID_INIT(0x7255371f, 0x3a3b, 0x4b04, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54)
/* 00f771de-1a7e-4fcb-890e-68c77e2fb44e: u32 AP reset EIP */
#define CT_FW_GUID_SEV_ES_RESET_BLOCK CT_GUID_INIT(0x00f771de, 0x1a7e, 0x4fcb, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e)
/* dc886566-984a-4798-a75e-5585a7bf67cc: u32 offset from the end of the file of the ASEV block */
#define CT_FW_GUID_SEV_METADATA CT_GUID_INIT(0xdc886566, 0x984a, 0x4798, 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc)
/* a789a612-0597-4c4b-a49f-cbb1fe9d1ddd: u32 SVSM entry point offset */
#define CT_FW_GUID_SVSM_INFO CT_GUID_INIT(0xa789a612, 0x0597, 0x4c4b, 0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd)
/* 4c2eb361-7d9b-4cc3-8081-127c90d3d294: SEV secret block (not used for measurement) */
#define CT_FW_GUID_SEV_SECRET_BLOCK CT_GUID_INIT(0x4c2eb361, 0x7d9b, 0x4cc3, 0x80, 0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94)
/* e47a6535-984a-4798-865e-4685a7bf8ec2: u32 offset from the end of the file of the TDVF metadata */
#define CT_FW_GUID_TDX_METADATA CT_GUID_INIT(0xe47a6535, 0x984a, 0x4798, 0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2)

/* One entry of the footer table. `offset` is the file offset of its data. */
typedef struct ct_fw_entry {
        ct_guid guid;
        uint64_t offset;
        size_t len;
} ct_fw_entry;

/*
 * The parsed footer table. `present` is false when the file has no footer
 * GUID (then n_entries is 0; not an error: Debian's 4 MiB OVMF has a table,
 * a plain blob has none). Entries are in walk order (end of file first).
 */
typedef struct ct_fwtable {
        bool present;
        uint64_t table_offset; /* file offset of the first byte of the table */
        size_t n_entries;
        ct_fw_entry entries[CT_MAX_FW_ENTRIES];
} ct_fwtable;

/* SEV metadata section types (edk2 OvmfPkg/ResetVector). */
enum {
        CT_SEV_SECTION_SNP_SEC_MEM = 1,
        CT_SEV_SECTION_SNP_SECRETS = 2,
        CT_SEV_SECTION_CPUID = 3,
        CT_SEV_SECTION_SVSM_CAA = 4,
        CT_SEV_SECTION_SNP_KERNEL_HASHES = 0x10,
};

typedef struct ct_sev_section {
        uint32_t gpa;
        uint32_t size;
        uint32_t type;
        uint64_t desc_offset; /* file offset of this descriptor, for messages */
} ct_sev_section;

typedef struct ct_sev_metadata {
        bool present;
        uint64_t offset;  /* file offset of "ASEV" */
        uint32_t size;
        uint32_t version;
        size_t n_sections;
        ct_sev_section sections[CT_MAX_SEV_SECTIONS];
} ct_sev_metadata;

/*
 * Parse the footer table of the firmware image fw[0..len). Errors
 * (CT_E_TRUNCATED / CT_E_MALFORMED / CT_E_LIMIT, with the file offset):
 * the table reaching before the start of the file, an entry size below 18
 * or beyond the rest of the table, bytes left over that cannot hold an entry,
 * more than CT_MAX_FW_ENTRIES entries. *ret is written only on success.
 */
ct_code ct_fwtable_parse(const uint8_t *fw, size_t len, ct_fwtable *ret, ct_error *err);

/*
 * The entry for guid, or NULL. When a GUID appears twice the entry nearer the
 * start of the file wins (as edk2's and sev-snp-measure's lookups do).
 */
const ct_fw_entry *ct_fwtable_find(const ct_fwtable *t, const ct_guid *guid);

/*
 * The first 4 bytes of the entry's data as a u32. CT_E_UNSUPPORTED when the
 * entry is missing (message names `what`), CT_E_TRUNCATED (with offset) when
 * its data is shorter than 4 bytes.
 */
ct_code ct_fwtable_u32(const ct_fwtable *t, const uint8_t *fw, size_t len, const ct_guid *guid, const char *what,
                       uint32_t *ret, ct_error *err);

/*
 * Parse the SEV metadata block the table points to (if the table has no
 * SEV metadata entry, *ret has present = false and CT_OK is returned).
 * Checked, each with its file offset: the offset pointing outside the file,
 * signature "ASEV", version 1, `size` beyond the file or too small for the
 * header and descriptors, count above CT_MAX_SEV_SECTIONS, a section of size
 * zero, a size not a multiple of 4096, a section that wraps past 4 GiB, two
 * sections that overlap. Section types are kept as they are (the SNP
 * measurement rejects the ones it does not know).
 */
ct_code ct_sev_metadata_parse(const uint8_t *fw, size_t len, const ct_fwtable *t, ct_sev_metadata *ret,
                              ct_error *err);

/* "SNP_SEC_MEM", "SNP_SECRETS", "CPUID", "SVSM_CAA", "SNP_KERNEL_HASHES" or NULL. */
const char *ct_sev_section_type_name(uint32_t type);

#ifdef __cplusplus
}
#endif
#endif
