/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — PE/COFF images: a bounds-checked parser of the headers and the
 * section table, section contents as the loader maps them, and the
 * Authenticode image digest that UEFI firmware extends into PCR 4 (and that
 * TDX firmware extends into RTMR 1 for the kernel).
 *
 * The parser never lays a struct over the input: every field is read through
 * ct_reader. The parsed object borrows the caller's buffer (which must stay
 * valid and unchanged until ct_pe_free) and owns only the section table copy.
 *
 * Layout (all little-endian, offsets from the file start):
 *   0x00  "MZ"                      DOS header
 *   0x3c  u32 e_lfanew              offset of the PE signature
 *   pe    "PE\0\0"
 *   pe+4  COFF header (20 bytes): Machine, NumberOfSections, TimeDateStamp,
 *         PointerToSymbolTable, NumberOfSymbols, SizeOfOptionalHeader, Characteristics
 *   pe+24 optional header: Magic 0x10b (PE32) or 0x20b (PE32+), ... CheckSum at +64,
 *         NumberOfRvaAndSizes at +92 / +108, data directories at +96 / +112
 *   pe+24+SizeOfOptionalHeader: section table, 40 bytes per section
 */
#ifndef COCOTRUST_PE_H
#define COCOTRUST_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits (checked before anything is allocated). */
#define CT_MAX_PE_SECTIONS 256            /* COFF allows 65535; Windows loads at most 96 */
#define CT_MAX_PE_DATA_DIRS 16            /* IMAGE_NUMBEROF_DIRECTORY_ENTRIES */
#define CT_MAX_PE_FILE_SIZE 0xffffffffull /* every file offset in a PE is a u32 */
#define CT_MAX_PE_SECTION_COPY (1ull << 30) /* ct_pe_section_copy allocates at most 1 GiB */

/* Data directory indexes. */
#define CT_PE_DIR_SECURITY 4 /* certificate table: {file offset, size}, not an RVA */

#define CT_PE_MAGIC_PE32 0x10b
#define CT_PE_MAGIC_PE32PLUS 0x20b

typedef struct ct_pe ct_pe;

/* One section header, decoded. */
typedef struct ct_pe_section {
        char name[9];                  /* the 8 name bytes, NUL-terminated (embedded NULs end it) */
        uint8_t raw_name[8];           /* the 8 name bytes as stored */
        uint32_t virtual_size;
        uint32_t virtual_address;
        uint32_t size_of_raw_data;
        uint32_t pointer_to_raw_data;
        uint32_t characteristics;
        uint64_t header_offset;        /* file offset of this section header */
} ct_pe_section;

/* The header fields callers need, decoded. */
typedef struct ct_pe_info {
        uint32_t e_lfanew;             /* offset of "PE\0\0" */
        uint16_t machine;
        uint16_t n_sections;
        uint32_t time_date_stamp;
        uint64_t time_date_stamp_offset;
        uint16_t size_of_optional_header;
        uint16_t characteristics;
        uint16_t magic;                /* CT_PE_MAGIC_PE32 or CT_PE_MAGIC_PE32PLUS */
        uint64_t address_of_entry_point;
        uint64_t image_base;
        uint32_t section_alignment;
        uint32_t file_alignment;
        uint32_t size_of_image;
        uint32_t size_of_headers;
        uint32_t checksum;
        uint64_t checksum_offset;      /* file offset of CheckSum */
        uint16_t subsystem;
        uint32_t n_data_dirs;          /* NumberOfRvaAndSizes (<= CT_MAX_PE_DATA_DIRS) */
        uint64_t data_dirs_offset;     /* file offset of data directory 0 */
        uint64_t section_table_offset;
        uint64_t file_size;
} ct_pe_info;

typedef struct ct_pe_data_dir {
        uint32_t address;              /* RVA, or file offset for CT_PE_DIR_SECURITY */
        uint32_t size;
        uint64_t entry_offset;         /* file offset of the 8-byte directory entry */
} ct_pe_data_dir;

/*
 * Parse a PE/COFF image in buf[0..len). buf is borrowed: it must outlive
 * *ret. Checks: DOS and PE signatures, header sizes within the file,
 * NumberOfSections <= CT_MAX_PE_SECTIONS, NumberOfRvaAndSizes <=
 * CT_MAX_PE_DATA_DIRS and within SizeOfOptionalHeader, the section table
 * and SizeOfHeaders within the file, each section's raw data within the
 * file, no two sections' raw data overlapping, the certificate table within
 * the file. Errors: CT_E_TRUNCATED, CT_E_MALFORMED, CT_E_LIMIT (with the
 * offset of the offending field), CT_E_NOMEM, CT_E_ARG.
 * *ret is written only on success; release it with ct_pe_free.
 */
ct_code ct_pe_parse(const void *buf, size_t len, ct_pe **ret, ct_error *err);

/* Release a parsed image. NULL is accepted. */
void ct_pe_free(ct_pe *pe);

/* Decoded header fields. Never NULL for a parsed image. */
const ct_pe_info *ct_pe_get_info(const ct_pe *pe);

/* The borrowed input. */
const uint8_t *ct_pe_data(const ct_pe *pe);

/* Number of sections and the i-th (table order); NULL when i is out of range. */
size_t ct_pe_n_sections(const ct_pe *pe);
const ct_pe_section *ct_pe_section_at(const ct_pe *pe, size_t i);

/* Data directory `index`; false when index >= NumberOfRvaAndSizes. */
bool ct_pe_get_data_dir(const ct_pe *pe, unsigned index, ct_pe_data_dir *ret);

/* Section lookup. */
enum {
        CT_PE_FIND_PREFIX = 1u << 0, /* match when the stored name starts with `name` (memcmp over strlen) */
        CT_PE_FIND_LAST = 1u << 1,   /* return the last match instead of the first */
};

/*
 * Find a section by name among table entries [first, end) (end is clamped
 * to the section count). Without flags the stored name must equal `name`
 * exactly (NUL-padded, at most 8 bytes). Returns the index or -1.
 */
long ct_pe_find_section_in(const ct_pe *pe, const char *name, unsigned flags, size_t first, size_t end);

/* As ct_pe_find_section_in over the whole table, returning the section or NULL. */
const ct_pe_section *ct_pe_find_section(const ct_pe *pe, const char *name, unsigned flags);

/*
 * A section's contents as loaded in memory: VirtualSize bytes, of which the
 * first min(VirtualSize, SizeOfRawData) come from the file (borrowed,
 * *ret_data) and the rest are zeros (*ret_zero_fill). A section whose
 * VirtualSize is 0 has empty contents.
 */
void ct_pe_section_contents(const ct_pe *pe, const ct_pe_section *s, const uint8_t **ret_data,
                            size_t *ret_file_len, size_t *ret_zero_fill);

/* Feed a section's loaded contents (as ct_pe_section_contents) into a hash. */
ct_code ct_pe_section_hash_update(const ct_pe *pe, const ct_pe_section *s, ct_hash *h, ct_error *err);

/*
 * Copy a section's loaded contents into a new buffer (malloc; caller frees).
 * CT_E_LIMIT beyond CT_MAX_PE_SECTION_COPY. An empty section gives a
 * 1-byte allocation and *ret_len 0.
 */
ct_code ct_pe_section_copy(const ct_pe *pe, const ct_pe_section *s, uint8_t **ret, size_t *ret_len, ct_error *err);

/* ---- Authenticode ---- */

typedef enum ct_pe_range_kind {
        CT_PE_RANGE_HEADERS,  /* part of [0, SizeOfHeaders) */
        CT_PE_RANGE_SECTION,  /* a section's raw data */
        CT_PE_RANGE_TRAILING, /* data after the last section, before the certificate table */
} ct_pe_range_kind;

/* One hashed byte range of the file. */
typedef struct ct_pe_range {
        ct_pe_range_kind kind;
        uint64_t offset;
        uint64_t len;
        const ct_pe_section *section; /* for CT_PE_RANGE_SECTION, else NULL */
} ct_pe_range;

typedef ct_code (*ct_pe_range_fn)(const ct_pe_range *range, void *userdata);

/*
 * Walk the byte ranges the Authenticode digest covers, in hashing order, as
 * UEFI firmware (EDK2 HashPeImage), pesign -h and osslsigncode compute it:
 * headers up to CheckSum, skip CheckSum, up to the certificate-table
 * directory entry (when NumberOfRvaAndSizes > 4), skip it, up to
 * SizeOfHeaders; then the raw data of every section with SizeOfRawData != 0
 * in PointerToRawData order; then, when the file is longer than
 * SizeOfHeaders + the sum of SizeOfRawData + the certificate table size,
 * the bytes from that sum up to file size - certificate table size.
 * Empty ranges are not reported. A callback error stops the walk and is returned.
 */
ct_code ct_pe_authenticode_walk(const ct_pe *pe, ct_pe_range_fn fn, void *userdata, ct_error *err);

/*
 * Authenticode digests for n_algs algorithms at once (one pass over the
 * file). ret[i] gets the digest for algs[i]; written only on success.
 */
ct_code ct_pe_authenticode(const ct_pe *pe, const ct_hash_alg *algs, size_t n_algs, ct_digest *ret, ct_error *err);

/* One-shot: parse buf and compute its Authenticode digest with alg. */
ct_code ct_pe_authenticode_buf(const void *buf, size_t len, ct_hash_alg alg, ct_digest *ret, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
