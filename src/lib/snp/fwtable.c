/* SPDX-License-Identifier: Apache-2.0 */
/* OVMF footer GUID table and SEV ("ASEV") metadata: see include/cocotrust/fwtable.h. */
#include <string.h>

#include <cocotrust/fwtable.h>
#include <cocotrust/reader.h>

#include "../internal.h"

#define PAGE 4096u
#define FOUR_GB 0x100000000ull

static const ct_guid guid_footer = CT_FW_GUID_TABLE_FOOTER;
static const ct_guid guid_sev_metadata = CT_FW_GUID_SEV_METADATA;

typedef unsigned long long ull;

CT_EXPORT ct_code ct_fwtable_parse(const uint8_t *fw, size_t len, ct_fwtable *ret, ct_error *err)
{
        ct_fwtable t;
        ct_reader r, h;
        ct_guid g;
        uint16_t size;
        size_t foot, start, end;

        memset(&t, 0, sizeof(t));
        if (!fw && len)
                return ct_error_set(err, CT_E_ARG, "no firmware data");
        if (len < CT_FW_FOOTER_FROM_END) {
                *ret = t;
                return CT_OK;
        }
        ct_reader_init(&r, fw, len, 0);
        foot = len - CT_FW_FOOTER_FROM_END;
        ct_reader_sub_at(&r, foot, CT_FW_ENTRY_HEADER_SIZE, &h, "footer table header");
        size = ct_reader_u16le(&h, "footer table size");
        ct_reader_bytes(&h, g.b, sizeof(g.b), "footer table guid");
        if (!ct_reader_ok(&h))
                return ct_reader_error(&h, err);
        if (!ct_guid_equal(&g, &guid_footer)) {
                *ret = t; /* no table: not an error */
                return CT_OK;
        }
        if (size < CT_FW_ENTRY_HEADER_SIZE)
                return ct_error_set_at(err, CT_E_MALFORMED, foot,
                                       "footer table: size %u at offset 0x%llx is smaller than its own %u-byte header",
                                       size, (ull)foot, CT_FW_ENTRY_HEADER_SIZE);
        if ((size_t)(size - CT_FW_ENTRY_HEADER_SIZE) > foot)
                return ct_error_set_at(err, CT_E_TRUNCATED, foot,
                                       "footer table truncated: size %u at offset 0x%llx reaches %llu bytes before the "
                                       "start of the file",
                                       size, (ull)foot, (ull)(size - CT_FW_ENTRY_HEADER_SIZE - foot));
        start = foot - (size - CT_FW_ENTRY_HEADER_SIZE);
        end = foot;
        t.present = true;
        t.table_offset = start;
        while (end > start) {
                uint16_t esize;
                size_t hdr;

                if (end - start < CT_FW_ENTRY_HEADER_SIZE)
                        return ct_error_set_at(err, CT_E_TRUNCATED, start,
                                               "footer table truncated: %zu bytes at offset 0x%llx cannot hold an "
                                               "%u-byte entry header",
                                               end - start, (ull)start, CT_FW_ENTRY_HEADER_SIZE);
                hdr = end - CT_FW_ENTRY_HEADER_SIZE;
                ct_reader_sub_at(&r, hdr, CT_FW_ENTRY_HEADER_SIZE, &h, "footer table entry");
                esize = ct_reader_u16le(&h, "footer table entry size");
                ct_reader_bytes(&h, g.b, sizeof(g.b), "footer table entry guid");
                if (!ct_reader_ok(&h))
                        return ct_reader_error(&h, err);
                if (esize < CT_FW_ENTRY_HEADER_SIZE)
                        return ct_error_set_at(err, CT_E_MALFORMED, hdr,
                                               "footer table entry at offset 0x%llx: invalid entry size %u (less than "
                                               "its %u-byte header)",
                                               (ull)hdr, esize, CT_FW_ENTRY_HEADER_SIZE);
                if (esize > end - start) {
                        char gs[CT_GUID_STRING_MAX];
                        return ct_error_set_at(err, CT_E_TRUNCATED, hdr,
                                               "footer table entry %s at offset 0x%llx: size %u points outside the "
                                               "table (which starts at offset 0x%llx)",
                                               ct_guid_format(&g, gs), (ull)hdr, esize, (ull)start);
                }
                if (t.n_entries >= CT_MAX_FW_ENTRIES)
                        return ct_error_set_at(err, CT_E_LIMIT, hdr, "footer table: more than %d entries (at offset 0x%llx)",
                                               CT_MAX_FW_ENTRIES, (ull)hdr);
                t.entries[t.n_entries].guid = g;
                t.entries[t.n_entries].offset = end - esize;
                t.entries[t.n_entries].len = esize - CT_FW_ENTRY_HEADER_SIZE;
                t.n_entries++;
                end -= esize;
        }
        *ret = t;
        return CT_OK;
}

CT_EXPORT const ct_fw_entry *ct_fwtable_find(const ct_fwtable *t, const ct_guid *guid)
{
        const ct_fw_entry *found = NULL;

        /* Walk order is end-to-start: the last match is the one nearest the start. */
        for (size_t i = 0; i < t->n_entries; i++)
                if (ct_guid_equal(&t->entries[i].guid, guid))
                        found = &t->entries[i];
        return found;
}

CT_EXPORT ct_code ct_fwtable_u32(const ct_fwtable *t, const uint8_t *fw, size_t len, const ct_guid *guid,
                                 const char *what, uint32_t *ret, ct_error *err)
{
        const ct_fw_entry *e = ct_fwtable_find(t, guid);
        ct_reader r, s;
        uint32_t v;

        if (!e)
                return ct_error_set(err, CT_E_UNSUPPORTED, "no %s entry in the firmware's footer table", what);
        ct_reader_init(&r, fw, len, 0);
        if (e->len < 4)
                return ct_error_set_at(err, CT_E_TRUNCATED, e->offset,
                                       "footer table entry %s at offset 0x%llx: %zu data bytes, need 4", what,
                                       (ull)e->offset, e->len);
        ct_reader_sub_at(&r, (size_t)e->offset, 4, &s, what);
        v = ct_reader_u32le(&s, what);
        if (!ct_reader_ok(&s))
                return ct_reader_error(&s, err);
        *ret = v;
        return CT_OK;
}

CT_EXPORT const char *ct_sev_section_type_name(uint32_t type)
{
        switch (type) {
        case CT_SEV_SECTION_SNP_SEC_MEM:
                return "SNP_SEC_MEM";
        case CT_SEV_SECTION_SNP_SECRETS:
                return "SNP_SECRETS";
        case CT_SEV_SECTION_CPUID:
                return "CPUID";
        case CT_SEV_SECTION_SVSM_CAA:
                return "SVSM_CAA";
        case CT_SEV_SECTION_SNP_KERNEL_HASHES:
                return "SNP_KERNEL_HASHES";
        default:
                return NULL;
        }
}

CT_EXPORT ct_code ct_sev_metadata_parse(const uint8_t *fw, size_t len, const ct_fwtable *t, ct_sev_metadata *ret,
                                        ct_error *err)
{
        ct_sev_metadata m;
        const ct_fw_entry *e;
        ct_reader r, h, d;
        uint8_t sig[4];
        uint32_t off, count;
        size_t base;
        ct_code rc;

        memset(&m, 0, sizeof(m));
        e = ct_fwtable_find(t, &guid_sev_metadata);
        if (!e) {
                *ret = m;
                return CT_OK;
        }
        rc = ct_fwtable_u32(t, fw, len, &guid_sev_metadata, "SEV metadata", &off, err);
        if (rc)
                return rc;
        if (off > len)
                return ct_error_set_at(err, CT_E_TRUNCATED, e->offset,
                                       "SEV metadata: offset 0x%x (from the end of the file, entry at offset 0x%llx) "
                                       "points before the start of the %zu-byte file",
                                       off, (ull)e->offset, len);
        base = len - off;
        ct_reader_init(&r, fw, len, 0);
        ct_reader_sub_at(&r, base, 16, &h, "SEV metadata header");
        ct_reader_bytes(&h, sig, sizeof(sig), "SEV metadata signature");
        m.size = ct_reader_u32le(&h, "SEV metadata size");
        m.version = ct_reader_u32le(&h, "SEV metadata version");
        count = ct_reader_u32le(&h, "SEV metadata section count");
        if (!ct_reader_ok(&h))
                return ct_reader_error(&h, err);
        if (memcmp(sig, "ASEV", 4) != 0)
                return ct_error_set_at(err, CT_E_MALFORMED, base,
                                       "wrong SEV metadata signature at offset 0x%llx (expected \"ASEV\")", (ull)base);
        if (m.version != 1)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 8,
                                       "wrong SEV metadata version %u at offset 0x%llx (expected 1)", m.version,
                                       (ull)(base + 8));
        if (m.size > len - base)
                return ct_error_set_at(err, CT_E_TRUNCATED, base + 4,
                                       "SEV metadata at offset 0x%llx: size 0x%x reaches beyond the end of the file "
                                       "(%zu bytes remain)",
                                       (ull)base, m.size, len - base);
        if (m.size < 16)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 4,
                                       "SEV metadata at offset 0x%llx: size 0x%x is smaller than its 16-byte header",
                                       (ull)base, m.size);
        if (count > CT_MAX_SEV_SECTIONS)
                return ct_error_set_at(err, CT_E_LIMIT, base + 12,
                                       "SEV metadata at offset 0x%llx: %u sections (limit %d)", (ull)base, count,
                                       CT_MAX_SEV_SECTIONS);
        if ((uint64_t)count * 12 > m.size - 16u)
                return ct_error_set_at(err, CT_E_TRUNCATED, base + 16,
                                       "SEV metadata at offset 0x%llx: %u section descriptors need %u bytes but its size "
                                       "0x%x leaves %u",
                                       (ull)base, count, count * 12, m.size, m.size - 16u);
        ct_reader_sub_at(&r, base + 16, (size_t)count * 12, &d, "SEV metadata sections");
        for (uint32_t i = 0; i < count; i++) {
                ct_sev_section *s = &m.sections[i];

                s->desc_offset = ct_reader_abs(&d);
                s->gpa = ct_reader_u32le(&d, "SEV section gpa");
                s->size = ct_reader_u32le(&d, "SEV section size");
                s->type = ct_reader_u32le(&d, "SEV section type");
                if (!ct_reader_ok(&d))
                        return ct_reader_error(&d, err);
                if (s->size == 0)
                        return ct_error_set_at(err, CT_E_MALFORMED, s->desc_offset + 4,
                                               "SEV metadata section %u (descriptor at offset 0x%llx, gpa 0x%x): size is "
                                               "zero",
                                               i, (ull)s->desc_offset, s->gpa);
                if (s->size % PAGE)
                        return ct_error_set_at(err, CT_E_MALFORMED, s->desc_offset + 4,
                                               "SEV metadata section %u (descriptor at offset 0x%llx, gpa 0x%x): size 0x%x "
                                               "is not a multiple of 4096",
                                               i, (ull)s->desc_offset, s->gpa, s->size);
                if ((uint64_t)s->gpa + s->size > FOUR_GB)
                        return ct_error_set_at(err, CT_E_MALFORMED, s->desc_offset,
                                               "SEV metadata section %u (descriptor at offset 0x%llx): gpa 0x%x + size "
                                               "0x%x goes beyond 4 GiB",
                                               i, (ull)s->desc_offset, s->gpa, s->size);
                for (uint32_t j = 0; j < i; j++) {
                        const ct_sev_section *o = &m.sections[j];
                        if ((uint64_t)s->gpa < (uint64_t)o->gpa + o->size &&
                            (uint64_t)o->gpa < (uint64_t)s->gpa + s->size)
                                return ct_error_set_at(
                                        err, CT_E_MALFORMED, s->desc_offset,
                                        "SEV metadata section %u (descriptor at offset 0x%llx, gpa 0x%x size 0x%x) "
                                        "overlaps section %u (gpa 0x%x size 0x%x)",
                                        i, (ull)s->desc_offset, s->gpa, s->size, j, o->gpa, o->size);
                }
        }
        m.present = true;
        m.offset = base;
        m.n_sections = count;
        *ret = m;
        return CT_OK;
}
