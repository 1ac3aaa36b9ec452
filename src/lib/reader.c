/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <cocotrust/reader.h>

#include "internal.h"

CT_EXPORT void ct_reader_init(ct_reader *r, const void *buf, size_t len, uint64_t base)
{
        memset(r, 0, sizeof(*r));
        r->buf = buf;
        r->len = buf ? len : 0;
        r->base = base;
}

static void fail_at(ct_reader *r, ct_code code, size_t pos, size_t need, const char *field)
{
        if (r->err)
                return;
        r->err = code;
        r->err_offset = r->base + pos;
        r->err_field = field;
        r->err_need = need;
}

/* Returns a pointer to n bytes at pos and advances, or NULL (sticky error). */
static const uint8_t *take(ct_reader *r, size_t n, const char *field)
{
        const uint8_t *p;

        if (r->err)
                return NULL;
        if (n > r->len - r->pos) {
                fail_at(r, CT_E_TRUNCATED, r->pos, n, field);
                return NULL;
        }
        p = r->buf + r->pos;
        r->pos += n;
        return p;
}

CT_EXPORT uint8_t ct_reader_u8(ct_reader *r, const char *field)
{
        const uint8_t *p = take(r, 1, field);
        return p ? p[0] : 0;
}

CT_EXPORT uint16_t ct_reader_u16le(ct_reader *r, const char *field)
{
        const uint8_t *p = take(r, 2, field);
        return p ? ct_get_le16(p) : 0;
}

CT_EXPORT uint32_t ct_reader_u32le(ct_reader *r, const char *field)
{
        const uint8_t *p = take(r, 4, field);
        return p ? ct_get_le32(p) : 0;
}

CT_EXPORT uint64_t ct_reader_u64le(ct_reader *r, const char *field)
{
        const uint8_t *p = take(r, 8, field);
        return p ? ct_get_le64(p) : 0;
}

CT_EXPORT uint16_t ct_reader_u16be(ct_reader *r, const char *field)
{
        const uint8_t *p = take(r, 2, field);
        return p ? ct_get_be16(p) : 0;
}

CT_EXPORT uint32_t ct_reader_u32be(ct_reader *r, const char *field)
{
        const uint8_t *p = take(r, 4, field);
        return p ? ct_get_be32(p) : 0;
}

CT_EXPORT void ct_reader_bytes(ct_reader *r, void *out, size_t n, const char *field)
{
        const uint8_t *p = take(r, n, field);

        if (p)
                memcpy(out, p, n);
        else if (n)
                memset(out, 0, n);
}

CT_EXPORT const uint8_t *ct_reader_ptr(ct_reader *r, size_t n, const char *field)
{
        return take(r, n, field);
}

CT_EXPORT void ct_reader_skip(ct_reader *r, size_t n, const char *field)
{
        (void)take(r, n, field);
}

CT_EXPORT void ct_reader_seek(ct_reader *r, size_t pos, const char *field)
{
        if (r->err)
                return;
        if (pos > r->len) {
                fail_at(r, CT_E_TRUNCATED, r->len, pos - r->len, field);
                r->err_offset = r->base + pos;
                return;
        }
        r->pos = pos;
}

CT_EXPORT void ct_reader_sub(ct_reader *r, size_t n, ct_reader *sub, const char *field)
{
        size_t start = r->pos;
        const uint8_t *p = take(r, n, field);

        if (!p) {
                ct_reader_init(sub, NULL, 0, r->base + start);
                fail_at(sub, r->err, 0, n, field);
                sub->err_offset = r->err_offset;
                return;
        }
        ct_reader_init(sub, p, n, r->base + start);
}

CT_EXPORT void ct_reader_sub_at(ct_reader *r, size_t off, size_t n, ct_reader *sub, const char *field)
{
        if (!r->err && (off > r->len || n > r->len - off)) {
                fail_at(r, CT_E_TRUNCATED, off > r->len ? r->len : off, n, field);
                r->err_offset = r->base + off;
        }
        if (r->err) {
                ct_reader_init(sub, NULL, 0, r->base + off);
                fail_at(sub, r->err, 0, n, field);
                sub->err_offset = r->err_offset;
                return;
        }
        ct_reader_init(sub, r->buf + off, n, r->base + off);
}

CT_EXPORT void ct_reader_fail(ct_reader *r, ct_code code, const char *field)
{
        fail_at(r, code, r->pos, 0, field);
}

CT_EXPORT ct_code ct_reader_error(const ct_reader *r, ct_error *err)
{
        const char *field = r->err_field ? r->err_field : "data";

        if (!r->err)
                return CT_OK;
        if (r->err == CT_E_TRUNCATED) {
                uint64_t end = r->base + r->len;
                uint64_t avail = r->err_offset < end ? end - r->err_offset : 0;
                return ct_error_set_at(err, CT_E_TRUNCATED, r->err_offset,
                                       "%s: needs %zu bytes at offset 0x%llx, only %llu available", field,
                                       r->err_need, (unsigned long long)r->err_offset, (unsigned long long)avail);
        }
        return ct_error_set_at(err, r->err, r->err_offset, "%s: %s at offset 0x%llx", field, ct_code_name(r->err),
                               (unsigned long long)r->err_offset);
}
