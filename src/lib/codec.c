/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <string.h>

#include <openssl/evp.h>

#include <cocotrust/codec.h>

#include "internal.h"

CT_EXPORT char *ct_hex_encode(const void *data, size_t len, char *out)
{
        static const char digits[] = "0123456789abcdef";
        const uint8_t *p = data;

        for (size_t i = 0; i < len; i++) {
                out[2 * i] = digits[p[i] >> 4];
                out[2 * i + 1] = digits[p[i] & 0xf];
        }
        out[2 * len] = 0;
        return out;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

CT_EXPORT ct_code ct_hex_decode(const char *text, void *out, size_t cap, size_t *ret_len, ct_error *err)
{
        size_t n = strlen(text);
        uint8_t *o = out;

        if (n % 2)
                return ct_error_set(err, CT_E_MALFORMED, "hex string has odd length %zu", n);
        if (n / 2 > cap)
                return ct_error_set(err, CT_E_LIMIT, "hex string decodes to %zu bytes, at most %zu allowed", n / 2,
                                    cap);
        for (size_t i = 0; i < n; i += 2) {
                int hi = hexval(text[i]), lo = hexval(text[i + 1]);
                if (hi < 0 || lo < 0)
                        return ct_error_set_at(err, CT_E_MALFORMED, hi < 0 ? i : i + 1,
                                               "invalid hex digit at position %zu", hi < 0 ? i : i + 1);
                o[i / 2] = (uint8_t)(hi << 4 | lo);
        }
        if (ret_len)
                *ret_len = n / 2;
        return CT_OK;
}

CT_EXPORT char *ct_base64_encode(const void *data, size_t len, char *out)
{
        if (len > (size_t)INT32_MAX / 2) {
                out[0] = 0;
                return out;
        }
        EVP_EncodeBlock((unsigned char *)out, data, (int)len);
        return out;
}

CT_EXPORT ct_code ct_base64_decode(const char *text, void *out, size_t cap, size_t *ret_len, ct_error *err)
{
        size_t n = strlen(text), pad = 0, dec;
        ct_cleanup_free uint8_t *tmp = NULL;
        int r;

        if (n % 4)
                return ct_error_set(err, CT_E_MALFORMED, "base64 length %zu is not a multiple of 4", n);
        if (n > (size_t)INT32_MAX / 2)
                return ct_error_set(err, CT_E_LIMIT, "base64 text too long");
        for (size_t i = 0; i < n; i++) {
                char c = text[i];
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                          c == '/' || (c == '=' && i >= n - 2);
                if (!ok || (pad && c != '='))
                        return ct_error_set_at(err, CT_E_MALFORMED, i, "invalid base64 character at position %zu", i);
                if (c == '=')
                        pad++;
        }
        tmp = malloc(n / 4 * 3 + 1);
        if (!tmp)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        r = n ? EVP_DecodeBlock(tmp, (const unsigned char *)text, (int)n) : 0;
        if (r < 0)
                return ct_error_set(err, CT_E_MALFORMED, "invalid base64");
        dec = (size_t)r - pad;
        if (dec > cap)
                return ct_error_set(err, CT_E_LIMIT, "base64 decodes to %zu bytes, at most %zu allowed", dec, cap);
        memcpy(out, tmp, dec);
        if (ret_len)
                *ret_len = dec;
        return CT_OK;
}
