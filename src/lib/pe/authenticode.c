/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — Authenticode PE image digest, as UEFI firmware computes it
 * before extending PCR 4 (EDK2 DxeTpm2MeasureBootLib / HashPeImage), and as
 * pesign -h and osslsigncode compute it (Microsoft "Windows Authenticode
 * Portable Executable Signature Format", "Calculating the PE Image Hash").
 */
#include <string.h>

#include <cocotrust/pe.h>

#include "../internal.h"
#include "pe-internal.h"

static ct_code emit(ct_pe_range_fn fn, void *userdata, ct_pe_range_kind kind, uint64_t from, uint64_t to,
                    const ct_pe_section *s)
{
        ct_pe_range r = { .kind = kind, .offset = from, .len = to - from, .section = s };

        if (to <= from)
                return CT_OK;
        return fn(&r, userdata);
}

CT_EXPORT ct_code ct_pe_authenticode_walk(const ct_pe *pe, ct_pe_range_fn fn, void *userdata, ct_error *err)
{
        const ct_pe_info *in = &pe->info;
        uint64_t soh = in->size_of_headers;
        uint64_t sum, cert_size = 0;
        ct_code c;

        /*
         * The parser guarantees CheckSum+4 <= data directories end <= section
         * table end <= SizeOfHeaders <= file size, so the ranges below are
         * ordered and inside the file.
         */
        c = emit(fn, userdata, CT_PE_RANGE_HEADERS, 0, in->checksum_offset, NULL);
        if (c)
                goto cb_fail;
        if (in->n_data_dirs > CT_PE_DIR_SECURITY) {
                uint64_t sec = pe->dirs[CT_PE_DIR_SECURITY].entry_offset;

                c = emit(fn, userdata, CT_PE_RANGE_HEADERS, in->checksum_offset + 4, sec, NULL);
                if (!c)
                        c = emit(fn, userdata, CT_PE_RANGE_HEADERS, sec + 8, soh, NULL);
                cert_size = pe->dirs[CT_PE_DIR_SECURITY].size;
        } else
                c = emit(fn, userdata, CT_PE_RANGE_HEADERS, in->checksum_offset + 4, soh, NULL);
        if (c)
                goto cb_fail;

        sum = soh;
        for (size_t k = 0; k < pe->n_raw; k++) {
                const ct_pe_section *s = &pe->sections[pe->raw_order[k]];

                c = emit(fn, userdata, CT_PE_RANGE_SECTION, s->pointer_to_raw_data,
                         (uint64_t)s->pointer_to_raw_data + s->size_of_raw_data, s);
                if (c)
                        goto cb_fail;
                sum += s->size_of_raw_data;
        }

        /*
         * Trailing data: from SUM (not from the end of the last section — the
         * firmware's choice, kept here) up to the start of the certificate
         * table, assumed to sit at the end of the file.
         */
        if (in->file_size > sum && in->file_size - sum > cert_size) {
                c = emit(fn, userdata, CT_PE_RANGE_TRAILING, sum, in->file_size - cert_size, NULL);
                if (c)
                        goto cb_fail;
        }
        return CT_OK;

cb_fail:
        if (err && err->code == CT_OK)
                ct_error_set(err, c, "authenticode walk stopped: %s", ct_code_name(c));
        return c;
}

struct hash_ctx {
        const uint8_t *buf;
        ct_hash *h;
        size_t n;
};

static ct_code hash_range(const ct_pe_range *r, void *userdata)
{
        struct hash_ctx *x = userdata;

        for (size_t i = 0; i < x->n; i++)
                if (ct_hash_update(&x->h[i], x->buf + r->offset, (size_t)r->len))
                        return CT_E_CRYPTO;
        return CT_OK;
}

CT_EXPORT ct_code ct_pe_authenticode(const ct_pe *pe, const ct_hash_alg *algs, size_t n_algs, ct_digest *ret,
                                     ct_error *err)
{
        ct_hash h[CT_HASH__MAX];
        ct_digest out[CT_HASH__MAX];
        struct hash_ctx x = { .buf = pe->buf, .h = h, .n = 0 };
        ct_code c = CT_OK;

        if (n_algs == 0 || n_algs > CT_HASH__MAX || !algs || !ret)
                return ct_error_set(err, CT_E_ARG, "ct_pe_authenticode: invalid argument");
        memset(h, 0, sizeof(h));
        for (size_t i = 0; i < n_algs; i++) {
                c = ct_hash_init(&h[i], algs[i], err);
                if (c)
                        goto out;
                x.n++;
        }
        ct_error_clear(err);
        c = ct_pe_authenticode_walk(pe, hash_range, &x, err);
        if (c)
                goto out;
        for (size_t i = 0; i < n_algs; i++) {
                c = ct_hash_final(&h[i], &out[i]);
                if (c) {
                        ct_error_set(err, c, "hash finalisation failed");
                        goto out;
                }
        }
        memcpy(ret, out, n_algs * sizeof(*ret));
out:
        for (size_t i = 0; i < x.n; i++)
                ct_hash_free(&h[i]);
        return c;
}

CT_EXPORT ct_code ct_pe_authenticode_buf(const void *buf, size_t len, ct_hash_alg alg, ct_digest *ret, ct_error *err)
{
        ct_pe *pe = NULL;
        ct_code c;

        c = ct_pe_parse(buf, len, &pe, err);
        if (c)
                return c;
        c = ct_pe_authenticode(pe, &alg, 1, ret, err);
        ct_pe_free(pe);
        return c;
}
