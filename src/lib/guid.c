/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/guid.h>

#include "internal.h"

CT_EXPORT ct_code ct_guid_parse(const char *text, ct_guid *ret, ct_error *err)
{
        /* text positions of the 16 bytes, in text order */
        static const int dash[4] = { 8, 13, 18, 23 };
        uint8_t raw[16];
        char hex[33];
        size_t j = 0;

        if (strlen(text) != 36)
                return ct_error_set(err, CT_E_MALFORMED, "GUID \"%s\" is not 36 characters", text);
        for (size_t i = 0; i < 36; i++) {
                if (i == (size_t)dash[0] || i == (size_t)dash[1] || i == (size_t)dash[2] || i == (size_t)dash[3]) {
                        if (text[i] != '-')
                                return ct_error_set(err, CT_E_MALFORMED, "GUID \"%s\": '-' expected at %zu", text, i);
                        continue;
                }
                hex[j++] = text[i];
        }
        hex[32] = 0;
        if (ct_hex_decode(hex, raw, sizeof(raw), NULL, NULL))
                return ct_error_set(err, CT_E_MALFORMED, "GUID \"%s\": invalid hex digit", text);
        /* mixed endian: first three groups byte-reversed */
        ret->b[0] = raw[3];
        ret->b[1] = raw[2];
        ret->b[2] = raw[1];
        ret->b[3] = raw[0];
        ret->b[4] = raw[5];
        ret->b[5] = raw[4];
        ret->b[6] = raw[7];
        ret->b[7] = raw[6];
        memcpy(ret->b + 8, raw + 8, 8);
        return CT_OK;
}

CT_EXPORT char *ct_guid_format(const ct_guid *g, char *out)
{
        const uint8_t *b = g->b;

        snprintf(out, CT_GUID_STRING_MAX, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3],
                 b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
        return out;
}

CT_EXPORT void ct_guid_from_bytes(ct_guid *g, const uint8_t bytes[16])
{
        memcpy(g->b, bytes, 16);
}

CT_EXPORT bool ct_guid_equal(const ct_guid *a, const ct_guid *b)
{
        return memcmp(a->b, b->b, 16) == 0;
}
