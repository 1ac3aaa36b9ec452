/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — a reproducible UKI: systemd-stub + sections, laid out the way
 * ukify's pe_add_sections does (headers appended to the section table,
 * contents at the end of the file, virtual addresses after the last
 * section), with TimeDateStamp fixed and CheckSum recomputed.
 */
#include <stdlib.h>
#include <string.h>

#include <cocotrust/pe.h>
#include <cocotrust/reader.h>
#include <cocotrust/reference.h>

#include "../internal.h"

#define SCN_CNT_INITIALIZED_DATA 0x00000040u
#define SCN_MEM_READ 0x40000000u
#define SECTION_HEADER_SIZE 40u
#define MAX_NEW_SECTIONS 16

/* ukify's order of the sections it adds. */
static const char *const ukify_order[] = {
        ".osrel", ".cmdline", ".dtb", ".dtbauto", ".hwids", ".uname", ".splash", ".pcrpkey", ".pcrsig", ".initrd",
        ".ucode", ".profile", ".linux",
};
#define N_ORDER (sizeof(ukify_order) / sizeof(ukify_order[0]))

static size_t rank(const char *name)
{
        for (size_t i = 0; i < N_ORDER; i++)
                if (strcmp(name, ukify_order[i]) == 0)
                        return i;
        return N_ORDER; /* other sections: after the known ones but before .linux? keep given order, at the end */
}

static bool round_up(uint64_t v, uint64_t a, uint64_t *ret)
{
        if (a == 0 || (a & (a - 1)))
                return false;
        if (__builtin_add_overflow(v, a - 1, ret))
                return false;
        *ret &= ~(a - 1);
        return true;
}

/* The PE checksum: 16-bit one's-complement-style sum with carry fold, CheckSum taken as 0, plus the length. */
static uint32_t pe_checksum(const uint8_t *d, size_t len, uint64_t ck_off)
{
        uint64_t s = 0;

        for (size_t i = 0; i < len; i += 2) {
                uint32_t w = d[i] | (i + 1 < len ? (uint32_t)d[i + 1] << 8 : 0);

                if (i >= ck_off && i < ck_off + 4)
                        w = 0;
                s += w;
                s = (s & 0xffff) + (s >> 16);
        }
        s = (s & 0xffff) + (s >> 16);
        return (uint32_t)(s + len);
}

CT_EXPORT ct_code ct_uki_build(const uint8_t *stub, size_t stub_len, const ct_uki_build_section *sections, size_t n,
                     uint32_t timestamp, uint8_t **ret, size_t *ret_len, ct_error *err)
{
        const ct_uki_build_section *order[MAX_NEW_SECTIONS];
        ct_pe *pe = NULL;
        const ct_pe_info *info;
        ct_pe_data_dir cert;
        uint64_t table_end, file_off, va = 0, size_of_image, total, init_data;
        uint64_t offs[MAX_NEW_SECTIONS], vas[MAX_NEW_SECTIONS];
        uint8_t *out = NULL;
        size_t k = 0;
        ct_code rc;

        if (!stub || !ret || !ret_len || (n && !sections))
                return ct_error_set(err, CT_E_ARG, "uki build: no stub or output");
        if (n == 0 || n > MAX_NEW_SECTIONS)
                return ct_error_set(err, CT_E_ARG, "uki build: 1 to %d sections", MAX_NEW_SECTIONS);
        rc = ct_pe_parse(stub, stub_len, &pe, err);
        if (rc)
                return rc;
        info = ct_pe_get_info(pe);
        if (ct_pe_get_data_dir(pe, CT_PE_DIR_SECURITY, &cert) && cert.size) {
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "the stub is signed: build from an unsigned stub and sign the UKI");
                goto out;
        }
        /* Sort by ukify's order (stable for unknown names). */
        for (size_t r = 0; r <= N_ORDER; r++)
                for (size_t i = 0; i < n; i++)
                        if (rank(sections[i].name) == r)
                                order[k++] = &sections[i];
        for (size_t i = 0; i < n; i++) {
                const char *name = order[i]->name;

                if (!name || name[0] != '.' || strlen(name) > 8 || (order[i]->len && !order[i]->data)) {
                        rc = ct_error_set(err, CT_E_ARG, "section name \"%s\": 1 to 8 bytes starting with '.'",
                                          name ? name : "");
                        goto out;
                }
                if (order[i]->len > UINT32_MAX) {
                        rc = ct_error_set(err, CT_E_LIMIT, "section %s larger than 4 GiB", name);
                        goto out;
                }
                for (size_t j = 0; j < i; j++)
                        if (strcmp(order[j]->name, name) == 0) {
                                rc = ct_error_set(err, CT_E_ARG, "section %s given twice", name);
                                goto out;
                        }
                if (ct_pe_find_section(pe, name, 0)) {
                        rc = ct_error_set(err, CT_E_ARG, "the stub already has a %s section", name);
                        goto out;
                }
        }
        /* Room for the new headers inside SizeOfHeaders and before the first section's data. */
        table_end = info->section_table_offset + (uint64_t)(info->n_sections + n) * SECTION_HEADER_SIZE;
        for (size_t i = 0; i < ct_pe_n_sections(pe); i++) {
                const ct_pe_section *s = ct_pe_section_at(pe, i);

                if (s->size_of_raw_data && s->pointer_to_raw_data < table_end) {
                        rc = ct_error_set(err, CT_E_LIMIT, "no room for %zu more section headers before %s", n, s->name);
                        goto out;
                }
                if ((uint64_t)s->virtual_address + s->virtual_size > va)
                        va = (uint64_t)s->virtual_address + s->virtual_size;
        }
        if (table_end > info->size_of_headers || info->n_sections + n > 96) {
                rc = ct_error_set(err, CT_E_LIMIT, "no room for %zu more section headers in SizeOfHeaders", n);
                goto out;
        }
        if (!round_up(stub_len, info->file_alignment, &file_off) || !round_up(va, info->section_alignment, &va)) {
                rc = ct_error_set(err, CT_E_MALFORMED, "stub: FileAlignment or SectionAlignment is not a power of two");
                goto out;
        }
        total = file_off;
        init_data = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t raw, vend;

                offs[i] = total;
                vas[i] = va;
                if (!round_up(order[i]->len, info->file_alignment, &raw) || __builtin_add_overflow(total, raw, &total) ||
                    __builtin_add_overflow(va, order[i]->len, &vend) || !round_up(vend, info->section_alignment, &va) ||
                    va > UINT32_MAX || total > UINT32_MAX) {
                        rc = ct_error_set(err, CT_E_LIMIT, "the UKI would be larger than 4 GiB");
                        goto out;
                }
                init_data += order[i]->len;
        }
        size_of_image = va;
        out = calloc(1, total);
        if (!out) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        memcpy(out, stub, stub_len);
        for (size_t i = 0; i < n; i++) {
                uint8_t *h = out + info->section_table_offset + (uint64_t)(info->n_sections + i) * SECTION_HEADER_SIZE;
                uint64_t raw = 0;

                round_up(order[i]->len, info->file_alignment, &raw);
                memset(h, 0, SECTION_HEADER_SIZE);
                memcpy(h, order[i]->name, strlen(order[i]->name));
                ct_put_le32(h + 8, (uint32_t)order[i]->len);         /* VirtualSize */
                ct_put_le32(h + 12, (uint32_t)vas[i]);               /* VirtualAddress */
                ct_put_le32(h + 16, (uint32_t)raw);                  /* SizeOfRawData */
                ct_put_le32(h + 20, (uint32_t)offs[i]);              /* PointerToRawData */
                ct_put_le32(h + 36, SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ);
                if (order[i]->len)
                        memcpy(out + offs[i], order[i]->data, order[i]->len);
        }
        {
                uint64_t opt = (uint64_t)info->e_lfanew + 24;
                uint32_t idata = ct_get_le32(out + opt + 8);

                ct_put_le16(out + info->e_lfanew + 6, (uint16_t)(info->n_sections + n));
                ct_put_le32(out + info->time_date_stamp_offset, timestamp);
                ct_put_le32(out + opt + 8, (uint32_t)(idata + init_data));
                ct_put_le32(out + opt + 56, (uint32_t)size_of_image);
                ct_put_le32(out + info->checksum_offset, pe_checksum(out, total, info->checksum_offset));
        }
        *ret = out;
        *ret_len = total;
        out = NULL;
out:
        free(out);
        ct_pe_free(pe);
        return rc;
}
