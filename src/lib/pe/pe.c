/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — PE/COFF header and section table parser (see include/cocotrust/pe.h). */
#include <stdlib.h>
#include <string.h>

#include <cocotrust/pe.h>
#include <cocotrust/reader.h>

#include "../internal.h"
#include "pe-internal.h"

#define PE_SIGNATURE 0x00004550u /* "PE\0\0" */
#define DOS_MAGIC 0x5a4du        /* "MZ" */
#define COFF_HEADER_SIZE 20
#define SECTION_HEADER_SIZE 40

/* Offsets inside the optional header. */
#define OPT_CHECKSUM 64
#define OPT_NRVA_PE32 92
#define OPT_NRVA_PE32PLUS 108
#define OPT_DIRS_PE32 96
#define OPT_DIRS_PE32PLUS 112

CT_EXPORT void ct_pe_free(ct_pe *pe)
{
        if (!pe)
                return;
        free(pe->sections);
        free(pe->raw_order);
        free(pe);
}

/*
 * Order the sections with raw data by PointerToRawData (table order for
 * equal pointers). Insertion sort: the count is capped at
 * CT_MAX_PE_SECTIONS and the table is nearly always sorted already.
 */
static void pe_sort_raw(ct_pe *pe)
{
        for (size_t i = 1; i < pe->n_raw; i++) {
                size_t v = pe->raw_order[i];
                uint32_t key = pe->sections[v].pointer_to_raw_data;
                size_t j = i;

                while (j > 0 && pe->sections[pe->raw_order[j - 1]].pointer_to_raw_data > key) {
                        pe->raw_order[j] = pe->raw_order[j - 1];
                        j--;
                }
                pe->raw_order[j] = v;
        }
}

static ct_code parse_sections(ct_pe *pe, ct_reader *r, ct_error *err)
{
        ct_pe_info *in = &pe->info;

        for (size_t i = 0; i < in->n_sections; i++) {
                ct_pe_section *s = &pe->sections[i];

                s->header_offset = ct_reader_abs(r);
                ct_reader_bytes(r, s->raw_name, 8, "section header Name");
                s->virtual_size = ct_reader_u32le(r, "section header VirtualSize");
                s->virtual_address = ct_reader_u32le(r, "section header VirtualAddress");
                s->size_of_raw_data = ct_reader_u32le(r, "section header SizeOfRawData");
                s->pointer_to_raw_data = ct_reader_u32le(r, "section header PointerToRawData");
                ct_reader_skip(r, 12, "section header relocations/line numbers");
                s->characteristics = ct_reader_u32le(r, "section header Characteristics");
                if (!ct_reader_ok(r))
                        return ct_reader_error(r, err);
                memcpy(s->name, s->raw_name, 8);
                s->name[8] = '\0';

                if (s->size_of_raw_data == 0)
                        continue;
                if (s->pointer_to_raw_data > in->file_size)
                        return ct_error_set_at(err, CT_E_MALFORMED, s->header_offset + 20,
                                               "section %zu '%s': PointerToRawData 0x%x at offset 0x%llx is past the "
                                               "end of the file (0x%llx bytes)",
                                               i, s->name, s->pointer_to_raw_data,
                                               (unsigned long long)(s->header_offset + 20),
                                               (unsigned long long)in->file_size);
                if (s->size_of_raw_data > in->file_size - s->pointer_to_raw_data)
                        return ct_error_set_at(err, CT_E_MALFORMED, s->header_offset + 16,
                                               "section %zu '%s': SizeOfRawData 0x%x at offset 0x%llx runs past the "
                                               "end of the file (0x%llx bytes; raw data starts at 0x%x)",
                                               i, s->name, s->size_of_raw_data,
                                               (unsigned long long)(s->header_offset + 16),
                                               (unsigned long long)in->file_size, s->pointer_to_raw_data);
                pe->raw_order[pe->n_raw++] = i;
        }

        pe_sort_raw(pe);
        for (size_t k = 1; k < pe->n_raw; k++) {
                const ct_pe_section *a = &pe->sections[pe->raw_order[k - 1]];
                const ct_pe_section *b = &pe->sections[pe->raw_order[k]];

                if ((uint64_t)a->pointer_to_raw_data + a->size_of_raw_data > b->pointer_to_raw_data)
                        return ct_error_set_at(err, CT_E_MALFORMED, b->header_offset + 20,
                                               "section '%s': PointerToRawData 0x%x at offset 0x%llx overlaps the raw "
                                               "data of section '%s' (0x%x+0x%x)",
                                               b->name, b->pointer_to_raw_data,
                                               (unsigned long long)(b->header_offset + 20), a->name,
                                               a->pointer_to_raw_data, a->size_of_raw_data);
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_pe_parse(const void *buf, size_t len, ct_pe **ret, ct_error *err)
{
        ct_reader r, o;
        ct_pe *pe = NULL;
        ct_pe_info *in;
        uint64_t opt_off, min_opt, nrva_off, dirs_off;
        uint32_t n_dirs;
        ct_code c;

        if (!ret || (!buf && len))
                return ct_error_set(err, CT_E_ARG, "ct_pe_parse: invalid argument");
        if ((uint64_t)len > CT_MAX_PE_FILE_SIZE)
                return ct_error_set(err, CT_E_LIMIT, "file of %zu bytes is larger than a PE image can be (4 GiB)", len);

        pe = calloc(1, sizeof(*pe));
        if (!pe)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        pe->buf = buf;
        pe->len = len;
        in = &pe->info;
        in->file_size = len;

        ct_reader_init(&r, buf, len, 0);
        if (ct_reader_u16le(&r, "DOS header e_magic") != DOS_MAGIC && ct_reader_ok(&r)) {
                c = ct_error_set_at(err, CT_E_MALFORMED, 0, "not a PE image: no 'MZ' signature at offset 0x0");
                goto fail;
        }
        ct_reader_seek(&r, 0x3c, "DOS header e_lfanew");
        in->e_lfanew = ct_reader_u32le(&r, "DOS header e_lfanew");
        if (!ct_reader_ok(&r))
                goto fail_reader;
        if (in->e_lfanew > len || len - in->e_lfanew < 4 + COFF_HEADER_SIZE) {
                c = ct_error_set_at(err, CT_E_TRUNCATED, 0x3c,
                                    "e_lfanew 0x%x at offset 0x3c points past the end of the file (0x%zx bytes)",
                                    in->e_lfanew, len);
                goto fail;
        }
        ct_reader_seek(&r, in->e_lfanew, "e_lfanew");
        if (ct_reader_u32le(&r, "PE signature") != PE_SIGNATURE) {
                c = ct_error_set_at(err, CT_E_MALFORMED, in->e_lfanew,
                                    "not a PE image: no 'PE\\0\\0' signature at offset 0x%x", in->e_lfanew);
                goto fail;
        }

        /* COFF file header */
        in->machine = ct_reader_u16le(&r, "COFF Machine");
        in->n_sections = ct_reader_u16le(&r, "COFF NumberOfSections");
        in->time_date_stamp_offset = ct_reader_abs(&r);
        in->time_date_stamp = ct_reader_u32le(&r, "COFF TimeDateStamp");
        ct_reader_skip(&r, 8, "COFF symbol table");
        in->size_of_optional_header = ct_reader_u16le(&r, "COFF SizeOfOptionalHeader");
        in->characteristics = ct_reader_u16le(&r, "COFF Characteristics");
        if (!ct_reader_ok(&r))
                goto fail_reader;
        if (in->n_sections > CT_MAX_PE_SECTIONS) {
                c = ct_error_set_at(err, CT_E_LIMIT, (uint64_t)in->e_lfanew + 6,
                                    "NumberOfSections %u at offset 0x%llx exceeds the limit of %u", in->n_sections,
                                    (unsigned long long)in->e_lfanew + 6, CT_MAX_PE_SECTIONS);
                goto fail;
        }

        /* Optional header */
        opt_off = ct_reader_abs(&r);
        ct_reader_sub(&r, in->size_of_optional_header, &o, "optional header (SizeOfOptionalHeader)");
        if (!ct_reader_ok(&r))
                goto fail_reader;
        in->magic = ct_reader_u16le(&o, "optional header Magic");
        if (!ct_reader_ok(&o)) {
                ct_reader_error(&o, err);
                c = err ? err->code : CT_E_TRUNCATED;
                goto fail;
        }
        if (in->magic == CT_PE_MAGIC_PE32) {
                min_opt = OPT_DIRS_PE32;
                nrva_off = OPT_NRVA_PE32;
                dirs_off = OPT_DIRS_PE32;
        } else if (in->magic == CT_PE_MAGIC_PE32PLUS) {
                min_opt = OPT_DIRS_PE32PLUS;
                nrva_off = OPT_NRVA_PE32PLUS;
                dirs_off = OPT_DIRS_PE32PLUS;
        } else {
                c = ct_error_set_at(err, CT_E_MALFORMED, opt_off,
                                    "optional header Magic 0x%x at offset 0x%llx is neither PE32 (0x10b) "
                                    "nor PE32+ (0x20b)",
                                    in->magic, (unsigned long long)opt_off);
                goto fail;
        }
        if (in->size_of_optional_header < min_opt) {
                c = ct_error_set_at(err, CT_E_MALFORMED, (uint64_t)in->e_lfanew + 20,
                                    "SizeOfOptionalHeader 0x%x at offset 0x%llx is too small for a %s header (0x%llx)",
                                    in->size_of_optional_header, (unsigned long long)in->e_lfanew + 20,
                                    in->magic == CT_PE_MAGIC_PE32 ? "PE32" : "PE32+", (unsigned long long)min_opt);
                goto fail;
        }
        ct_reader_seek(&o, 16, "optional header AddressOfEntryPoint");
        in->address_of_entry_point = ct_reader_u32le(&o, "optional header AddressOfEntryPoint");
        if (in->magic == CT_PE_MAGIC_PE32) {
                ct_reader_seek(&o, 28, "optional header ImageBase");
                in->image_base = ct_reader_u32le(&o, "optional header ImageBase");
        } else {
                ct_reader_seek(&o, 24, "optional header ImageBase");
                in->image_base = ct_reader_u64le(&o, "optional header ImageBase");
        }
        ct_reader_seek(&o, 32, "optional header SectionAlignment");
        in->section_alignment = ct_reader_u32le(&o, "optional header SectionAlignment");
        in->file_alignment = ct_reader_u32le(&o, "optional header FileAlignment");
        ct_reader_seek(&o, 56, "optional header SizeOfImage");
        in->size_of_image = ct_reader_u32le(&o, "optional header SizeOfImage");
        in->size_of_headers = ct_reader_u32le(&o, "optional header SizeOfHeaders");
        in->checksum_offset = ct_reader_abs(&o);
        in->checksum = ct_reader_u32le(&o, "optional header CheckSum");
        in->subsystem = ct_reader_u16le(&o, "optional header Subsystem");
        ct_reader_seek(&o, (size_t)nrva_off, "optional header NumberOfRvaAndSizes");
        n_dirs = ct_reader_u32le(&o, "optional header NumberOfRvaAndSizes");
        if (!ct_reader_ok(&o)) {
                ct_reader_error(&o, err);
                c = err ? err->code : CT_E_TRUNCATED;
                goto fail;
        }
        if (n_dirs > CT_MAX_PE_DATA_DIRS) {
                c = ct_error_set_at(err, CT_E_LIMIT, opt_off + nrva_off,
                                    "NumberOfRvaAndSizes %u at offset 0x%llx exceeds %u", n_dirs,
                                    (unsigned long long)(opt_off + nrva_off), CT_MAX_PE_DATA_DIRS);
                goto fail;
        }
        if (dirs_off + 8ull * n_dirs > in->size_of_optional_header) {
                c = ct_error_set_at(err, CT_E_MALFORMED, opt_off + nrva_off,
                                    "NumberOfRvaAndSizes %u at offset 0x%llx: %u data directories do not fit in "
                                    "SizeOfOptionalHeader 0x%x",
                                    n_dirs, (unsigned long long)(opt_off + nrva_off), n_dirs,
                                    in->size_of_optional_header);
                goto fail;
        }
        in->n_data_dirs = n_dirs;
        in->data_dirs_offset = opt_off + dirs_off;
        ct_reader_seek(&o, (size_t)dirs_off, "data directories");
        for (uint32_t i = 0; i < n_dirs; i++) {
                pe->dirs[i].entry_offset = ct_reader_abs(&o);
                pe->dirs[i].address = ct_reader_u32le(&o, "data directory VirtualAddress");
                pe->dirs[i].size = ct_reader_u32le(&o, "data directory Size");
        }
        if (!ct_reader_ok(&o)) {
                ct_reader_error(&o, err);
                c = err ? err->code : CT_E_TRUNCATED;
                goto fail;
        }

        /* Section table, right after the optional header (r is there already). */
        in->section_table_offset = ct_reader_abs(&r);
        if ((uint64_t)in->n_sections * SECTION_HEADER_SIZE > ct_reader_remaining(&r)) {
                c = ct_error_set_at(err, CT_E_TRUNCATED, in->section_table_offset,
                                    "section table of %u entries at offset 0x%llx runs past the end of the file "
                                    "(0x%zx bytes)",
                                    in->n_sections, (unsigned long long)in->section_table_offset, len);
                goto fail;
        }
        {
                uint64_t table_end = in->section_table_offset + (uint64_t)in->n_sections * SECTION_HEADER_SIZE;

                if (in->size_of_headers > len) {
                        c = ct_error_set_at(err, CT_E_TRUNCATED, in->checksum_offset - 4,
                                            "SizeOfHeaders 0x%x at offset 0x%llx is past the end of the file "
                                            "(0x%zx bytes)",
                                            in->size_of_headers, (unsigned long long)(in->checksum_offset - 4), len);
                        goto fail;
                }
                if (in->size_of_headers < table_end) {
                        c = ct_error_set_at(err, CT_E_MALFORMED, in->checksum_offset - 4,
                                            "SizeOfHeaders 0x%x at offset 0x%llx ends before the section "
                                            "table (0x%llx)",
                                            in->size_of_headers, (unsigned long long)(in->checksum_offset - 4),
                                            (unsigned long long)table_end);
                        goto fail;
                }
        }

        if (in->n_sections) {
                pe->sections = calloc(in->n_sections, sizeof(*pe->sections));
                pe->raw_order = calloc(in->n_sections, sizeof(*pe->raw_order));
                if (!pe->sections || !pe->raw_order) {
                        c = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto fail;
                }
        }
        c = parse_sections(pe, &r, err);
        if (c)
                goto fail;

        /* Certificate table: a file offset and size; it must lie inside the file. */
        if (n_dirs > CT_PE_DIR_SECURITY && pe->dirs[CT_PE_DIR_SECURITY].size) {
                const ct_pe_data_dir *d = &pe->dirs[CT_PE_DIR_SECURITY];

                if (d->address > len || d->size > len - d->address) {
                        c = ct_error_set_at(err, CT_E_MALFORMED, d->entry_offset,
                                            "certificate table 0x%x+0x%x (directory entry at offset 0x%llx) is outside "
                                            "the file (0x%zx bytes)",
                                            d->address, d->size, (unsigned long long)d->entry_offset, len);
                        goto fail;
                }
        }

        *ret = pe;
        return CT_OK;

fail_reader:
        c = ct_reader_error(&r, err);
fail:
        ct_pe_free(pe);
        return c;
}

CT_EXPORT const ct_pe_info *ct_pe_get_info(const ct_pe *pe)
{
        return &pe->info;
}

CT_EXPORT const uint8_t *ct_pe_data(const ct_pe *pe)
{
        return pe->buf;
}

CT_EXPORT size_t ct_pe_n_sections(const ct_pe *pe)
{
        return pe->info.n_sections;
}

CT_EXPORT const ct_pe_section *ct_pe_section_at(const ct_pe *pe, size_t i)
{
        return i < pe->info.n_sections ? &pe->sections[i] : NULL;
}

CT_EXPORT bool ct_pe_get_data_dir(const ct_pe *pe, unsigned index, ct_pe_data_dir *ret)
{
        if (index >= pe->info.n_data_dirs)
                return false;
        if (ret)
                *ret = pe->dirs[index];
        return true;
}

static bool name_matches(const ct_pe_section *s, const char *name, unsigned flags)
{
        size_t n = strlen(name);

        if (n > 8)
                return false;
        if (memcmp(s->raw_name, name, n) != 0)
                return false;
        if (flags & CT_PE_FIND_PREFIX)
                return true;
        for (size_t i = n; i < 8; i++)
                if (s->raw_name[i] != 0)
                        return false;
        return true;
}

CT_EXPORT long ct_pe_find_section_in(const ct_pe *pe, const char *name, unsigned flags, size_t first, size_t end)
{
        long found = -1;

        if (end > pe->info.n_sections)
                end = pe->info.n_sections;
        for (size_t i = first; i < end; i++) {
                if (!name_matches(&pe->sections[i], name, flags))
                        continue;
                found = (long)i;
                if (!(flags & CT_PE_FIND_LAST))
                        break;
        }
        return found;
}

CT_EXPORT const ct_pe_section *ct_pe_find_section(const ct_pe *pe, const char *name, unsigned flags)
{
        long i = ct_pe_find_section_in(pe, name, flags, 0, pe->info.n_sections);

        return i < 0 ? NULL : &pe->sections[i];
}

CT_EXPORT void ct_pe_section_contents(const ct_pe *pe, const ct_pe_section *s, const uint8_t **ret_data,
                                      size_t *ret_file_len, size_t *ret_zero_fill)
{
        size_t file_len = CT_MIN(s->virtual_size, s->size_of_raw_data);

        /* The parser checked that the raw data lies inside the file. */
        *ret_data = file_len ? pe->buf + s->pointer_to_raw_data : NULL;
        *ret_file_len = file_len;
        *ret_zero_fill = s->virtual_size - file_len;
}

CT_EXPORT ct_code ct_pe_section_hash_update(const ct_pe *pe, const ct_pe_section *s, ct_hash *h, ct_error *err)
{
        static const uint8_t zeros[4096];
        const uint8_t *data;
        size_t file_len, fill;

        ct_pe_section_contents(pe, s, &data, &file_len, &fill);
        if (file_len && ct_hash_update(h, data, file_len))
                return ct_error_set(err, CT_E_CRYPTO, "hash update failed");
        while (fill) {
                size_t n = CT_MIN(fill, sizeof(zeros));

                if (ct_hash_update(h, zeros, n))
                        return ct_error_set(err, CT_E_CRYPTO, "hash update failed");
                fill -= n;
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_pe_section_copy(const ct_pe *pe, const ct_pe_section *s, uint8_t **ret, size_t *ret_len,
                                     ct_error *err)
{
        const uint8_t *data;
        size_t file_len, fill;
        uint8_t *p;

        ct_pe_section_contents(pe, s, &data, &file_len, &fill);
        if ((uint64_t)s->virtual_size > CT_MAX_PE_SECTION_COPY)
                return ct_error_set_at(err, CT_E_LIMIT, s->header_offset + 8,
                                       "section '%s': VirtualSize 0x%x exceeds the copy limit of 1 GiB", s->name,
                                       s->virtual_size);
        p = malloc(s->virtual_size ? s->virtual_size : 1);
        if (!p)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if (file_len)
                memcpy(p, data, file_len);
        memset(p + file_len, 0, fill);
        *ret = p;
        *ret_len = s->virtual_size;
        return CT_OK;
}
