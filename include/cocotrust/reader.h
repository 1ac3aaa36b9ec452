/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — the one bounded little-endian reader every parser of untrusted
 * bytes goes through.
 *
 * Errors are sticky: after the first failed read every further read returns 0
 * (or does nothing) and the reader remembers the first error, its offset and
 * the field name. A parser reads a whole structure and checks once:
 *
 *     ct_reader r;
 *     ct_reader_init(&r, buf, len, 0);
 *     uint16_t size = ct_reader_u16le(&r, "footer.size");
 *     ...
 *     if (!ct_reader_ok(&r))
 *             return ct_reader_error(&r, err);
 *
 * Offsets reported are absolute: `base` plus the position, so a sub-reader
 * over a section still names the offset in the file.
 */
#ifndef COCOTRUST_READER_H
#define COCOTRUST_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_reader {
        const uint8_t *buf;
        size_t len;
        size_t pos;
        uint64_t base;          /* absolute offset of buf[0] in the input */
        ct_code err;            /* first error, sticky */
        uint64_t err_offset;    /* absolute offset of the failed read */
        const char *err_field;  /* static string naming the field */
        size_t err_need;        /* bytes the failed read wanted */
} ct_reader;

/* A reader over buf[0..len), which stays owned by the caller. */
void ct_reader_init(ct_reader *r, const void *buf, size_t len, uint64_t base);

static inline bool ct_reader_ok(const ct_reader *r) { return r->err == CT_OK; }
static inline size_t ct_reader_pos(const ct_reader *r) { return r->pos; }
static inline uint64_t ct_reader_abs(const ct_reader *r) { return r->base + r->pos; }
static inline size_t ct_reader_remaining(const ct_reader *r) { return r->err ? 0 : r->len - r->pos; }

uint8_t ct_reader_u8(ct_reader *r, const char *field);
uint16_t ct_reader_u16le(ct_reader *r, const char *field);
uint32_t ct_reader_u32le(ct_reader *r, const char *field);
uint64_t ct_reader_u64le(ct_reader *r, const char *field);
uint16_t ct_reader_u16be(ct_reader *r, const char *field);
uint32_t ct_reader_u32be(ct_reader *r, const char *field);

/* Copy n bytes to out. On failure out is zero-filled. */
void ct_reader_bytes(ct_reader *r, void *out, size_t n, const char *field);

/* Borrow a pointer to the next n bytes and advance; NULL on failure. */
const uint8_t *ct_reader_ptr(ct_reader *r, size_t n, const char *field);

/* Advance n bytes. */
void ct_reader_skip(ct_reader *r, size_t n, const char *field);

/* Move to absolute position pos (relative to buf) — pos may equal len. */
void ct_reader_seek(ct_reader *r, size_t pos, const char *field);

/* Take the next n bytes as a new reader `sub` (its base is absolute) and advance. */
void ct_reader_sub(ct_reader *r, size_t n, ct_reader *sub, const char *field);

/* A reader over buf[off..off+n) without moving r; bounds-checked. */
void ct_reader_sub_at(ct_reader *r, size_t off, size_t n, ct_reader *sub, const char *field);

/* Record a semantic error (bad value) at the current position. Sticky like the rest. */
void ct_reader_fail(ct_reader *r, ct_code code, const char *field);

/*
 * Turn the reader's sticky error into *err ("<field>: need N bytes at offset
 * 0x.. but only M remain") and return its code. Returns CT_OK when no error.
 */
ct_code ct_reader_error(const ct_reader *r, ct_error *err);

/* Byte-wise endian codecs (no alignment requirement). */
static inline uint16_t ct_get_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t ct_get_le32(const uint8_t *p)
{
        return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t ct_get_le64(const uint8_t *p) { return (uint64_t)ct_get_le32(p) | ((uint64_t)ct_get_le32(p + 4) << 32); }
static inline uint16_t ct_get_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t ct_get_be32(const uint8_t *p)
{
        return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline void ct_put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void ct_put_le32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void ct_put_le64(uint8_t *p, uint64_t v) { ct_put_le32(p, (uint32_t)v); ct_put_le32(p + 4, (uint32_t)(v >> 32)); }
static inline void ct_put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void ct_put_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#ifdef __cplusplus
}
#endif
#endif
