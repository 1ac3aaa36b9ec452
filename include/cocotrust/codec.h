/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — hex and base64 text codecs. */
#ifndef COCOTRUST_CODEC_H
#define COCOTRUST_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Lower-case hex of len bytes into out, which must hold 2*len+1 bytes. Returns out. */
char *ct_hex_encode(const void *data, size_t len, char *out);

/*
 * Decode hex text (either case, no separators, even length) into out
 * (capacity cap). *ret_len receives the decoded length. CT_E_MALFORMED for a
 * bad digit or odd length, CT_E_LIMIT when it does not fit in cap.
 */
ct_code ct_hex_decode(const char *text, void *out, size_t cap, size_t *ret_len, ct_error *err);

/* Standard base64 with '=' padding; out must hold 4*((len+2)/3)+1 bytes. Returns out. */
char *ct_base64_encode(const void *data, size_t len, char *out);

/* Decode standard base64 (padding required, whitespace not allowed). */
ct_code ct_base64_decode(const char *text, void *out, size_t cap, size_t *ret_len, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
