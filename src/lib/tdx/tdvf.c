/* SPDX-License-Identifier: Apache-2.0 */
/* TDVF metadata, MRTD and the QEMU TD HOB: see include/cocotrust/tdx.h. */
#include <stdlib.h>
#include <string.h>

#include <cocotrust/fwtable.h>
#include <cocotrust/reader.h>
#include <cocotrust/tdx.h>

#include "../internal.h"

#define PAGE 4096u
#define CHUNK 256u
#define TDVF_DESC_SIZE 16u
#define TDVF_SECTION_SIZE 32u

typedef unsigned long long ull;

/* e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae */
static const ct_guid guid_tdvf = CT_GUID_INIT(0xe9eaf9f3, 0x168e, 0x44d5, 0xa8, 0xeb, 0x7f, 0x4d, 0x87, 0x38, 0xf6, 0xae);
static const ct_guid guid_tdx_offset = CT_FW_GUID_TDX_METADATA;

CT_EXPORT const char *ct_tdvf_section_type_name(uint32_t type)
{
        static const char *const names[] = { "BFV", "CFV", "TD_HOB", "TempMem", "PermMem",
                                             "Payload", "PayloadParam", "TD_INFO", "TD_PARAMS" };
        return type < CT_ARRAY_SIZE(names) ? names[type] : NULL;
}

CT_EXPORT const ct_tdvf_section *ct_tdvf_find(const ct_tdvf_metadata *md, uint32_t type)
{
        for (size_t i = 0; i < md->n_sections; i++)
                if (md->sections[i].type == type)
                        return &md->sections[i];
        return NULL;
}

CT_EXPORT const char *ct_tdx_mrtd_order_name(ct_tdx_mrtd_order o)
{
        return o == CT_TDX_MRTD_TWO_PASS ? "two-pass" : "single-pass";
}

/* File offset of the "TDVF" descriptor (the 16 bytes before it must be the metadata GUID). */
static ct_code locate(const uint8_t *fw, size_t len, uint64_t *ret, bool *ret_table, ct_error *err)
{
        ct_fwtable t;
        const ct_fw_entry *e;
        ct_code rc;
        ct_guid g;

        rc = ct_fwtable_parse(fw, len, &t, err);
        if (rc)
                return rc;
        e = t.present ? ct_fwtable_find(&t, &guid_tdx_offset) : NULL;
        if (e) {
                uint32_t off;

                rc = ct_fwtable_u32(&t, fw, len, &guid_tdx_offset, "TDX metadata offset", &off, err);
                if (rc)
                        return rc;
                if (off < TDVF_DESC_SIZE || off > len || len - off < 16)
                        return ct_error_set_at(err, CT_E_MALFORMED, e->offset,
                                               "TDX metadata offset entry at offset 0x%llx: the descriptor 0x%x "
                                               "bytes from the end lies outside the %zu-byte file",
                                               (ull)e->offset, off, len);
                ct_guid_from_bytes(&g, fw + (len - off) - 16);
                if (!ct_guid_equal(&g, &guid_tdvf))
                        return ct_error_set_at(err, CT_E_MALFORMED, (uint64_t)(len - off) - 16,
                                               "TDX metadata: no metadata GUID e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae "
                                               "at offset 0x%llx (before the descriptor the footer table points to)",
                                               (ull)(len - off - 16));
                *ret = len - off;
                *ret_table = true;
                return CT_OK;
        }
        /* td-shim / old TDVF: u32 at end-0x20 = offset of the metadata GUID from the start. */
        if (len >= 0x20) {
                uint32_t goff = ct_get_le32(fw + len - 0x20);

                if (goff <= len && len - goff >= 16 + TDVF_DESC_SIZE) {
                        ct_guid_from_bytes(&g, fw + goff);
                        if (ct_guid_equal(&g, &guid_tdvf)) {
                                *ret = (uint64_t)goff + 16;
                                *ret_table = false;
                                return CT_OK;
                        }
                }
        }
        return ct_error_set(err, CT_E_UNSUPPORTED,
                            "no TDX metadata: %s and the u32 at end-0x20 does not point to the TDVF metadata GUID "
                            "e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae (this image was not built for TDX, e.g. a "
                            "non-IntelTdx OVMF such as Debian's OVMF_CODE_4M.fd)",
                            t.present ? "the OVMF footer GUID table has no TDX metadata offset entry "
                                        "(e47a6535-984a-4798-865e-4685a7bf8ec2)"
                                      : "the image has no OVMF footer GUID table");
}

CT_EXPORT ct_code ct_tdvf_parse(const uint8_t *fw, size_t len, ct_tdvf_metadata *ret, ct_error *err)
{
        ct_tdvf_metadata *m;
        ct_reader r, d;
        uint8_t sig[4];
        uint64_t desc;
        uint32_t n;
        bool table;
        ct_code rc;

        if (!fw || !len)
                return ct_error_set(err, CT_E_ARG, "empty firmware image");
        rc = locate(fw, len, &desc, &table, err);
        if (rc)
                return rc;
        m = calloc(1, sizeof(*m));
        if (!m)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        m->offset = desc;
        m->via_table = table;
        ct_reader_init(&r, fw, len, 0);
        ct_reader_sub_at(&r, (size_t)desc, TDVF_DESC_SIZE, &d, "TDVF descriptor");
        ct_reader_bytes(&d, sig, 4, "TDVF descriptor signature");
        m->length = ct_reader_u32le(&d, "TDVF descriptor length");
        m->version = ct_reader_u32le(&d, "TDVF descriptor version");
        n = ct_reader_u32le(&d, "TDVF descriptor section count");
        if (!ct_reader_ok(&d)) {
                rc = ct_reader_error(&d, err);
                goto out;
        }
        if (memcmp(sig, "TDVF", 4)) {
                rc = ct_error_set_at(err, CT_E_MALFORMED, desc,
                                     "TDVF descriptor at offset 0x%llx: signature is not \"TDVF\"", (ull)desc);
                goto out;
        }
        if (m->version != 1) {
                rc = ct_error_set_at(err, CT_E_UNSUPPORTED, desc + 8,
                                     "TDVF descriptor at offset 0x%llx: version %u (only 1 is defined)",
                                     (ull)desc, m->version);
                goto out;
        }
        if (n > CT_MAX_TDVF_SECTIONS) {
                rc = ct_error_set_at(err, CT_E_LIMIT, desc + 12,
                                     "TDVF descriptor at offset 0x%llx: section count %u exceeds the limit of %u",
                                     (ull)desc, n, CT_MAX_TDVF_SECTIONS);
                goto out;
        }
        if (m->length != TDVF_DESC_SIZE + TDVF_SECTION_SIZE * n) {
                rc = ct_error_set_at(err, CT_E_MALFORMED, desc + 4,
                                     "TDVF descriptor at offset 0x%llx: length %u does not match %u sections "
                                     "(expected %u)",
                                     (ull)desc, m->length, n, TDVF_DESC_SIZE + TDVF_SECTION_SIZE * n);
                goto out;
        }
        if (m->length > len - desc) {
                rc = ct_error_set_at(err, CT_E_TRUNCATED, desc + 4,
                                     "TDVF descriptor at offset 0x%llx: %u sections reach past the end of the "
                                     "%zu-byte file",
                                     (ull)desc, n, len);
                goto out;
        }
        ct_reader_seek(&r, (size_t)desc + TDVF_DESC_SIZE, "TDVF sections");
        for (uint32_t i = 0; i < n; i++) {
                ct_tdvf_section *s = &m->sections[i];
                uint64_t at = ct_reader_abs(&r);

                s->desc_offset = at;
                s->data_offset = ct_reader_u32le(&r, "TDVF section DataOffset");
                s->raw_size = ct_reader_u32le(&r, "TDVF section RawDataSize");
                s->gpa = ct_reader_u64le(&r, "TDVF section MemoryAddress");
                s->mem_size = ct_reader_u64le(&r, "TDVF section MemoryDataSize");
                s->type = ct_reader_u32le(&r, "TDVF section Type");
                s->attributes = ct_reader_u32le(&r, "TDVF section Attributes");
                if (!ct_reader_ok(&r)) {
                        rc = ct_reader_error(&r, err);
                        goto out;
                }
                if (!ct_tdvf_section_type_name(s->type)) {
                        rc = ct_error_set_at(err, CT_E_MALFORMED, at + 24,
                                             "TDVF section %u at offset 0x%llx: unknown type %u", i, (ull)at, s->type);
                        goto out;
                }
                if (s->raw_size && (s->data_offset > len || s->raw_size > len - s->data_offset)) {
                        rc = ct_error_set_at(err, CT_E_TRUNCATED, at,
                                             "TDVF section %u (%s) at offset 0x%llx: data [0x%x, +0x%x) lies outside "
                                             "the %zu-byte file",
                                             i, ct_tdvf_section_type_name(s->type), (ull)at, s->data_offset,
                                             s->raw_size, len);
                        goto out;
                }
                if ((s->gpa % PAGE) || (s->mem_size % PAGE)) {
                        rc = ct_error_set_at(err, CT_E_MALFORMED, at + ((s->gpa % PAGE) ? 8 : 16),
                                             "TDVF section %u (%s) at offset 0x%llx: %s 0x%llx is not 4 KiB aligned", i,
                                             ct_tdvf_section_type_name(s->type), (ull)at,
                                             (s->gpa % PAGE) ? "MemoryAddress" : "MemoryDataSize",
                                             (ull)((s->gpa % PAGE) ? s->gpa : s->mem_size));
                        goto out;
                }
                if (s->raw_size > s->mem_size) {
                        rc = ct_error_set_at(err, CT_E_MALFORMED, at + 4,
                                             "TDVF section %u (%s) at offset 0x%llx: RawDataSize 0x%x is larger than "
                                             "MemoryDataSize 0x%llx",
                                             i, ct_tdvf_section_type_name(s->type), (ull)at, s->raw_size,
                                             (ull)s->mem_size);
                        goto out;
                }
                if (s->mem_size && s->gpa > UINT64_MAX - s->mem_size) {
                        rc = ct_error_set_at(err, CT_E_MALFORMED, at + 8,
                                             "TDVF section %u at offset 0x%llx: GPA range wraps past 2^64", i, (ull)at);
                        goto out;
                }
                for (uint32_t j = 0; j < i; j++) {
                        const ct_tdvf_section *o = &m->sections[j];

                        if (!s->mem_size || !o->mem_size)
                                continue;
                        if (s->gpa < o->gpa + o->mem_size && o->gpa < s->gpa + s->mem_size) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, at + 8,
                                                     "TDVF section %u (%s) at offset 0x%llx: GPA range [0x%llx, "
                                                     "0x%llx) overlaps section %u (%s) [0x%llx, 0x%llx)",
                                                     i, ct_tdvf_section_type_name(s->type), (ull)at, (ull)s->gpa,
                                                     (ull)(s->gpa + s->mem_size), j,
                                                     ct_tdvf_section_type_name(o->type), (ull)o->gpa,
                                                     (ull)(o->gpa + o->mem_size));
                                goto out;
                        }
                }
        }
        m->n_sections = n;
        *ret = *m;
        rc = CT_OK;
out:
        free(m);
        return rc;
}

/* ---- MRTD ---- */

static void block_header(uint8_t *b, const char *op, uint64_t gpa)
{
        memset(b, 0, 128);
        memcpy(b, op, strlen(op));
        ct_put_le64(b + 16, gpa);
}

/* The 16 MR.EXTEND triples of one page into buf (16 x 384 bytes). */
static void extend_page(const uint8_t *fw, const ct_tdvf_section *s, uint64_t page, uint8_t *buf)
{
        for (unsigned c = 0; c < PAGE / CHUNK; c++) {
                uint8_t *b = buf + c * 384u;
                uint64_t rel = page * PAGE + c * CHUNK; /* offset inside the section */

                block_header(b, "MR.EXTEND", s->gpa + rel);
                memset(b + 128, 0, CHUNK);
                if (rel < s->raw_size) {
                        size_t n = CT_MIN((uint64_t)CHUNK, s->raw_size - rel);
                        memcpy(b + 128, fw + s->data_offset + rel, n);
                }
        }
}

CT_EXPORT ct_code ct_tdx_mrtd(const uint8_t *fw, size_t len, const ct_tdvf_metadata *md, ct_tdx_mrtd_order order,
                              ct_digest *ret, uint64_t *ret_bytes_hashed, ct_error *err)
{
        uint8_t add[128], ext[16 * 384];
        uint64_t hashed = 0;
        ct_hash h;
        ct_digest d;
        ct_code rc;

        for (size_t i = 0; i < md->n_sections; i++) {
                const ct_tdvf_section *s = &md->sections[i];

                if (md->n_sections > CT_MAX_TDVF_SECTIONS || s->raw_size > s->mem_size ||
                    (s->raw_size && (s->data_offset > len || s->raw_size > len - s->data_offset)))
                        return ct_error_set(err, CT_E_ARG, "TDVF section %zu does not fit the %zu-byte image "
                                                           "(metadata not from ct_tdvf_parse of this image?)",
                                            i, len);
        }
        rc = ct_hash_init(&h, CT_HASH_SHA384, err);
        if (rc)
                return rc;
        for (size_t i = 0; i < md->n_sections; i++) {
                const ct_tdvf_section *s = &md->sections[i];
                uint64_t pages = s->mem_size / PAGE;
                bool do_add = !(s->attributes & CT_TDVF_ATTR_PAGE_AUG);
                bool do_ext = (s->attributes & CT_TDVF_ATTR_MR_EXTEND) != 0;

                if (s->type == CT_TDVF_TD_INFO || s->type == CT_TDVF_TD_PARAMS)
                        continue;
                for (unsigned pass = 0; pass < (order == CT_TDX_MRTD_TWO_PASS ? 2u : 1u); pass++) {
                        for (uint64_t p = 0; p < pages; p++) {
                                bool a = do_add && (order == CT_TDX_MRTD_SINGLE_PASS || pass == 0);
                                bool e = do_ext && (order == CT_TDX_MRTD_SINGLE_PASS || pass == 1);

                                if (a) {
                                        block_header(add, "MEM.PAGE.ADD", s->gpa + p * PAGE);
                                        ct_hash_update(&h, add, sizeof(add));
                                        hashed += sizeof(add);
                                }
                                if (e) {
                                        extend_page(fw, s, p, ext);
                                        ct_hash_update(&h, ext, sizeof(ext));
                                        hashed += sizeof(ext);
                                }
                        }
                }
        }
        rc = ct_hash_final(&h, &d);
        ct_hash_free(&h);
        if (rc)
                return ct_error_set(err, rc, "SHA-384 failed");
        *ret = d;
        if (ret_bytes_hashed)
                *ret_bytes_hashed = hashed;
        return CT_OK;
}

/* ---- TD HOB ---- */

static int cmp_ram(const void *a, const void *b)
{
        const ct_tdx_ram_entry *x = a, *y = b;
        return x->start < y->start ? -1 : x->start > y->start;
}

CT_EXPORT ct_code ct_tdx_td_hob(const ct_tdvf_metadata *md, uint64_t memory, ct_tdx_hob *ret, ct_error *err)
{
        ct_tdx_hob *h;
        const ct_tdvf_section *hobsec = ct_tdvf_find(md, CT_TDVF_TD_HOB);
        uint64_t lowmem, below;
        uint8_t *p;
        ct_code rc = CT_OK;

        if (!hobsec)
                return ct_error_set(err, CT_E_UNSUPPORTED, "the TDVF metadata has no TD_HOB section");
        if (!memory || memory % PAGE)
                return ct_error_set(err, CT_E_ARG, "guest memory size 0x%llx is not a positive multiple of 4 KiB",
                                    (ull)memory);
        if (memory > (1ull << 52))
                return ct_error_set(err, CT_E_ARG, "guest memory size 0x%llx is beyond 4 PiB", (ull)memory);
        h = calloc(1, sizeof(*h));
        if (!h)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        /* q35 e820 RAM (hw/i386/pc_q35.c). */
        lowmem = memory >= 0xB0000000ull ? 0x80000000ull : 0xB0000000ull;
        below = CT_MIN(memory, lowmem);
        h->ram[h->n_ram++] = (ct_tdx_ram_entry){ 0, below, false };
        if (memory > below)
                h->ram[h->n_ram++] = (ct_tdx_ram_entry){ 0x100000000ull, memory - below, false };
        for (size_t i = 0; i < md->n_sections; i++) {
                const ct_tdvf_section *s = &md->sections[i];
                size_t j;

                if (s->type != CT_TDVF_TD_HOB && s->type != CT_TDVF_TEMP_MEM)
                        continue;
                for (j = 0; j < h->n_ram; j++) {
                        ct_tdx_ram_entry *e = &h->ram[j];

                        if (e->start <= s->gpa && s->gpa + s->mem_size <= e->start + e->length)
                                break;
                }
                if (j == h->n_ram) {
                        rc = ct_error_set(err, CT_E_ARG,
                                          "TDVF section %zu (%s, GPA 0x%llx + 0x%llx) does not lie inside guest RAM "
                                          "of 0x%llx bytes",
                                          i, ct_tdvf_section_type_name(s->type), (ull)s->gpa, (ull)s->mem_size,
                                          (ull)memory);
                        goto out;
                }
                {
                        ct_tdx_ram_entry e = h->ram[j];

                        if (e.added)
                                continue; /* QEMU: already accepted (cannot happen with non-overlapping sections) */
                        if (h->n_ram + 2 > CT_TDX_MAX_RAM_ENTRIES) {
                                rc = ct_error_set(err, CT_E_LIMIT, "too many TD HOB RAM entries");
                                goto out;
                        }
                        h->ram[j] = (ct_tdx_ram_entry){ s->gpa, s->mem_size, true };
                        if (s->gpa > e.start)
                                h->ram[h->n_ram++] = (ct_tdx_ram_entry){ e.start, s->gpa - e.start, false };
                        if (s->gpa + s->mem_size < e.start + e.length)
                                h->ram[h->n_ram++] = (ct_tdx_ram_entry){ s->gpa + s->mem_size,
                                                                         e.start + e.length - s->gpa - s->mem_size,
                                                                         false };
                }
        }
        qsort(h->ram, h->n_ram, sizeof(h->ram[0]), cmp_ram);
        h->len = 56 + 48 * h->n_ram + 8;
        h->measured_len = h->len - 8;
        p = h->bytes;
        ct_put_le16(p, 1);           /* EFI_HOB_TYPE_HANDOFF */
        ct_put_le16(p + 2, 56);
        ct_put_le32(p + 8, 9);       /* Version */
        ct_put_le64(p + 48, hobsec->gpa + h->len); /* EfiEndOfHobList */
        p += 56;
        for (size_t i = 0; i < h->n_ram; i++, p += 48) {
                ct_put_le16(p, 3);   /* EFI_HOB_TYPE_RESOURCE_DESCRIPTOR */
                ct_put_le16(p + 2, 48);
                ct_put_le32(p + 24, h->ram[i].added ? 0 : 7); /* SYSTEM_MEMORY / MEMORY_UNACCEPTED */
                ct_put_le32(p + 28, 7); /* PRESENT | INITIALIZED | TESTED */
                ct_put_le64(p + 32, h->ram[i].start);
                ct_put_le64(p + 40, h->ram[i].length);
        }
        ct_put_le16(p, 0xffff);      /* EFI_HOB_TYPE_END_OF_HOB_LIST */
        ct_put_le16(p + 2, 8);
        *ret = *h;
out:
        free(h);
        return rc;
}
