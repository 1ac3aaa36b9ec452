/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the TDX quote v4 / v5 parser, its field table, the
 * expectation check and the PEM PCK chain decoder (OpenSSL). Seeds: the real
 * quotes of tests/vectors/tdx (go-tdx-guest v4 / v5, trustee v4, GCE COS v4).
 */
#include <stdint.h>
#include <string.h>

#include <cocotrust/tdx.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uint8_t zero[64];
        ct_tdx_quote q;
        ct_tdx_field f[CT_TDX_MAX_FIELDS];
        ct_tdx_pck_chain c;
        ct_tdx_expect e;
        ct_error err;
        uint32_t mis;
        size_t n;

        if (size > CT_MAX_TDX_QUOTE_SIZE)
                return 0;
        if (ct_tdx_quote_parse(data, size, &q, &err) != CT_OK)
                return 0;
        if (q.version != 4 && q.version != 5)
                __builtin_trap();
        if (q.sig_data_offset > size || q.sig_data_len > size - q.sig_data_offset)
                __builtin_trap();
        if (q.has_qe_report && (q.pck_cert_offset > size || q.pck_cert_size > size - q.pck_cert_offset))
                __builtin_trap();
        n = ct_tdx_quote_fields(&q, f);
        if (n > CT_TDX_MAX_FIELDS)
                __builtin_trap();
        for (size_t i = 0; i < n; i++)
                if (f[i].offset > size || f[i].len > size - f[i].offset ||
                    memcmp(f[i].value, data + f[i].offset, f[i].len))
                        __builtin_trap(); /* every field is the bytes at its offset */
        memset(&e, 0, sizeof(e));
        e.mr_td = zero;
        e.report_data = zero;
        e.report_data_len = 10;
        (void)ct_tdx_quote_check(&q, &e, &mis, &err);
        (void)ct_tdx_quote_pck_chain(data, size, &q, &c, &err);
        return 0;
}
