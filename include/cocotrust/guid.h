/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — EFI GUIDs. A ct_guid holds the 16 bytes as they appear on disk
 * (EFI/Microsoft mixed endian: the first three groups little-endian).
 */
#ifndef COCOTRUST_GUID_H
#define COCOTRUST_GUID_H

#include <stdbool.h>
#include <stdint.h>

#include <cocotrust/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_guid {
        uint8_t b[16];
} ct_guid;

#define CT_GUID_STRING_MAX 37 /* 36 characters + NUL */

/* Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case). */
ct_code ct_guid_parse(const char *text, ct_guid *ret, ct_error *err);

/* Lower-case canonical text into out (CT_GUID_STRING_MAX bytes). Returns out. */
char *ct_guid_format(const ct_guid *g, char *out);

/* Copy 16 on-disk bytes. */
void ct_guid_from_bytes(ct_guid *g, const uint8_t bytes[16]);

bool ct_guid_equal(const ct_guid *a, const ct_guid *b);

/*
 * Compile-time constant from the text form's fields, e.g.
 * CT_GUID_INIT(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d)
 */
#define CT_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                            \
        { { (uint8_t)(a), (uint8_t)((a) >> 8), (uint8_t)((a) >> 16), (uint8_t)((a) >> 24), (uint8_t)(b), \
            (uint8_t)((b) >> 8), (uint8_t)(c), (uint8_t)((c) >> 8), d0, d1, d2, d3, d4, d5, d6, d7 } }

#ifdef __cplusplus
}
#endif
#endif
