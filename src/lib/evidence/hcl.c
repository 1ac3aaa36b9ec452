/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — Azure CVM HCL report (kinvolk/azure-cvm-tooling az-cvm-vtpm/src/hcl
 * layout): 32-byte header, the hardware report (SNP report or TDREPORT) at
 * 0x20, IGVM request data at 0x4c0, runtime claims JSON at 0x4d4, bound to
 * the hardware report's REPORTDATA by a hash.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cocotrust/codec.h>
#include <cocotrust/reader.h>

#include "evidence-internal.h"

/* base64url without padding (JWK, Trustee's hcl_report) -> bytes. */
static ct_code b64url_decode(const char *in, uint8_t **ret, size_t *ret_len, size_t max, const char *what,
                             ct_error *err)
{
        size_t n = strlen(in), cap;
        char *std;
        uint8_t *out;
        ct_code c;

        if (n > 4 * (max / 3 + 2))
                return ct_error_set(err, CT_E_LIMIT, "%s: longer than %zu bytes", what, max);
        std = malloc(n + 4);
        if (!std)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                std[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
        while (n % 4)
                std[n++] = '=';
        std[n] = 0;
        cap = n / 4 * 3 + 3;
        out = malloc(cap);
        if (!out) {
                free(std);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        c = ct_base64_decode(std, out, cap, ret_len, err);
        free(std);
        if (c != CT_OK) {
                free(out);
                ct_error_prefix(err, "%s", what);
                return CT_E_MALFORMED;
        }
        *ret = out;
        return CT_OK;
}

static void parse_claims(ct_hcl_report *h)
{
        json_tokener *tok = json_tokener_new();
        json_object *root, *keys, *ud;

        if (!tok)
                return;
        root = json_tokener_parse_ex(tok, (const char *)h->var_data, (int)h->var_size);
        if (!root || json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(root, json_type_object)) {
                snprintf(h->claims_error, sizeof(h->claims_error), "runtime claims at 0x%x: not a JSON object (%s)",
                         CT_HCL_VAR_OFFSET, json_tokener_error_desc(json_tokener_get_error(tok)));
                json_tokener_free(tok);
                json_object_put(root);
                return;
        }
        json_tokener_free(tok);
        h->claims_parse = true;
        if (json_object_object_get_ex(root, "user-data", &ud) && json_object_is_type(ud, json_type_string))
                snprintf(h->user_data, sizeof(h->user_data), "%s", json_object_get_string(ud));
        if (json_object_object_get_ex(root, "keys", &keys) && json_object_is_type(keys, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(keys) && i < 64; i++) {
                        json_object *k = json_object_array_get_idx(keys, i), *kid, *nn, *ee, *kty;
                        uint8_t *n = NULL, *e = NULL;
                        size_t nl = 0, el = 0;

                        if (!json_object_object_get_ex(k, "kid", &kid) ||
                            strcmp(json_object_get_string(kid), "HCLAkPub") != 0)
                                continue;
                        if (!json_object_object_get_ex(k, "kty", &kty) ||
                            strcmp(json_object_get_string(kty), "RSA") != 0 ||
                            !json_object_object_get_ex(k, "n", &nn) || !json_object_object_get_ex(k, "e", &ee) ||
                            !json_object_is_type(nn, json_type_string) || !json_object_is_type(ee, json_type_string))
                                break;
                        if (b64url_decode(json_object_get_string(nn), &n, &nl, 1024, "HCLAkPub.n", NULL) == CT_OK &&
                            b64url_decode(json_object_get_string(ee), &e, &el, 8, "HCLAkPub.e", NULL) == CT_OK)
                                ct_tpm_key_from_rsa(n, nl, e, el, &h->ak, NULL);
                        free(n);
                        free(e);
                        break;
                }
        }
        json_object_put(root);
}

static void parse_tdreport(ct_reader *r, ct_tdreport *t)
{
        ct_reader_bytes(r, t->report_type, 4, "tdreport.type");
        ct_reader_skip(r, 12, "tdreport.reserved");
        ct_reader_bytes(r, t->cpu_svn, 16, "tdreport.cpusvn");
        ct_reader_skip(r, 96, "tdreport.tee_tcb_info_hash");
        ct_reader_bytes(r, t->report_data, 64, "tdreport.reportdata");
        ct_reader_seek(r, 512, "tdreport.tdinfo");
        ct_reader_bytes(r, t->attributes, 8, "tdinfo.attributes");
        ct_reader_bytes(r, t->xfam, 8, "tdinfo.xfam");
        ct_reader_bytes(r, t->mrtd, 48, "tdinfo.mrtd");
        ct_reader_bytes(r, t->mrconfigid, 48, "tdinfo.mrconfigid");
        ct_reader_bytes(r, t->mrowner, 48, "tdinfo.mrowner");
        ct_reader_bytes(r, t->mrownerconfig, 48, "tdinfo.mrownerconfig");
        for (int i = 0; i < 4; i++)
                ct_reader_bytes(r, t->rtmr[i], 48, "tdinfo.rtmr");
}

CT_EXPORT ct_code ct_hcl_report_parse(const void *buf, size_t len, ct_hcl_report **ret, ct_error *err)
{
        ct_hcl_report *h;
        ct_reader r, hw;
        ct_code c;

        if (!buf || !ret)
                return ct_error_set(err, CT_E_ARG, "no HCL report");
        if (len > CT_MAX_HCL_REPORT)
                return ct_error_set(err, CT_E_LIMIT, "HCL report: %zu bytes, more than %u", len, CT_MAX_HCL_REPORT);
        h = calloc(1, sizeof(*h));
        if (!h)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        ct_reader_init(&r, buf, len, 0);
        h->signature = ct_reader_u32le(&r, "header.signature");
        h->version = ct_reader_u32le(&r, "header.version");
        h->report_size = ct_reader_u32le(&r, "header.report_size");
        h->request_type = ct_reader_u32le(&r, "header.request_type");
        h->status = ct_reader_u32le(&r, "header.status");
        ct_reader_seek(&r, CT_HCL_HW_OFFSET, "header.reserved");
        ct_reader_sub(&r, CT_SNP_REPORT_SIZE, &hw, "hardware_report");
        h->data_size = ct_reader_u32le(&r, "igvm_request_data.data_size");
        h->igvm_version = ct_reader_u32le(&r, "igvm_request_data.version");
        h->report_type = ct_reader_u32le(&r, "igvm_request_data.report_type");
        h->hash_type = ct_reader_u32le(&r, "igvm_request_data.report_data_hash_type");
        h->var_size = ct_reader_u32le(&r, "igvm_request_data.variable_data_size");
        if (ct_reader_ok(&r) && h->signature != CT_HCL_SIGNATURE) {
                uint32_t sig = h->signature;

                free(h);
                return ct_error_set_at(err, CT_E_MALFORMED, 0,
                                       "HCL report: signature 0x%08x at offset 0 is not \"HCLA\"", sig);
        }
        if (ct_reader_ok(&r) && h->var_size > CT_MAX_HCL_VAR_DATA)
                ct_reader_fail(&r, CT_E_LIMIT, "igvm_request_data.variable_data_size");
        if (ct_reader_ok(&r)) {
                h->var_data = malloc(h->var_size + 1u);
                if (!h->var_data) {
                        free(h);
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                }
                ct_reader_bytes(&r, h->var_data, h->var_size, "variable_data (runtime claims)");
                h->var_data[h->var_size] = 0;
        }
        if (!ct_reader_ok(&r)) {
                c = r.err == CT_E_LIMIT
                            ? ct_error_set_at(err, CT_E_MALFORMED, r.err_offset, "HCL report: %s at offset 0x%llx "
                                              "beyond %u bytes", r.err_field, (unsigned long long)r.err_offset,
                                              CT_MAX_HCL_VAR_DATA)
                            : ct_reader_error(&r, err);
                if (r.err != CT_E_LIMIT)
                        ct_error_prefix(err, "HCL report");
                ct_hcl_report_free(h);
                return c;
        }
        if (h->report_type == CT_HCL_REPORT_SNP) {
                h->is_snp = true;
                c = ct_snp_report_parse(hw.buf, CT_SNP_REPORT_SIZE, CT_SNP_PRODUCT_UNKNOWN, &h->snp, err);
                if (c != CT_OK) {
                        ct_error_prefix(err, "HCL report: SNP report at 0x20");
                        ct_hcl_report_free(h);
                        return c;
                }
        } else if (h->report_type == CT_HCL_REPORT_TDX) {
                ct_reader td;

                ct_reader_init(&td, hw.buf, 1024, CT_HCL_HW_OFFSET);
                parse_tdreport(&td, &h->td);
                if (!ct_reader_ok(&td)) {
                        c = ct_reader_error(&td, err);
                        ct_hcl_report_free(h);
                        return c;
                }
        }
        parse_claims(h);
        *ret = h;
        return CT_OK;
}

CT_EXPORT void ct_hcl_report_free(ct_hcl_report *h)
{
        if (!h)
                return;
        ct_tpm_key_free(h->ak);
        free(h->var_data);
        free(h);
}

/* ---- Trustee az-*-vtpm evidence JSON ---- */

static ct_code bytes_field(json_object *o, const char *key, bool b64url, uint8_t **ret, size_t *ret_len, size_t max,
                           ct_error *err)
{
        json_object *f;

        if (!json_object_object_get_ex(o, key, &f))
                return ct_error_set(err, CT_E_MALFORMED, "evidence: \"%s\" missing", key);
        if (json_object_is_type(f, json_type_array)) {
                size_t n = json_object_array_length(f);
                uint8_t *out;

                if (n > max)
                        return ct_error_set(err, CT_E_LIMIT, "evidence: \"%s\" longer than %zu bytes", key, max);
                out = malloc(n ? n : 1);
                if (!out)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                for (size_t i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(f, i);
                        int v = json_object_get_int(e);

                        if (!json_object_is_type(e, json_type_int) || v < 0 || v > 255) {
                                free(out);
                                return ct_error_set(err, CT_E_MALFORMED, "evidence: \"%s\"[%zu] is not a byte", key, i);
                        }
                        out[i] = (uint8_t)v;
                }
                *ret = out;
                *ret_len = n;
                return CT_OK;
        }
        if (!json_object_is_type(f, json_type_string))
                return ct_error_set(err, CT_E_MALFORMED, "evidence: \"%s\" is neither a string nor a byte array", key);
        {
                const char *s = json_object_get_string(f);
                size_t n = strlen(s), len = 0;
                uint8_t *out;
                bool hex = n % 2 == 0;

                for (size_t i = 0; hex && i < n; i++)
                        hex = isxdigit((unsigned char)s[i]);
                if (!hex || b64url)
                        return b64url_decode(s, ret, ret_len, max, key, err);
                if (n / 2 > max)
                        return ct_error_set(err, CT_E_LIMIT, "evidence: \"%s\" longer than %zu bytes", key, max);
                out = malloc(n / 2 + 1);
                if (!out)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                if (ct_hex_decode(s, out, n / 2 + 1, &len, err) != CT_OK) {
                        free(out);
                        return CT_E_MALFORMED;
                }
                *ret = out;
                *ret_len = len;
                return CT_OK;
        }
}

CT_EXPORT void ct_az_evidence_clear(ct_az_evidence *e)
{
        if (!e)
                return;
        free(e->hcl);
        free(e->vcek);
        free(e->quote);
        free(e->sig);
        memset(e, 0, sizeof(*e));
}

CT_EXPORT ct_code ct_az_evidence_parse(const void *text, size_t len, ct_az_evidence *ret, ct_error *err)
{
        ct_az_evidence e;
        json_tokener *tok;
        json_object *root, *q, *v, *pcrs;
        ct_code c = CT_OK;

        if (!text || !ret)
                return ct_error_set(err, CT_E_ARG, "no evidence");
        if (len > 4 * CT_MAX_HCL_REPORT)
                return ct_error_set(err, CT_E_LIMIT, "evidence: more than %u bytes", 4 * CT_MAX_HCL_REPORT);
        memset(&e, 0, sizeof(e));
        tok = json_tokener_new();
        if (!tok)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        root = json_tokener_parse_ex(tok, text, (int)len);
        if (!root || json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(root, json_type_object)) {
                c = ct_error_set_at(err, CT_E_MALFORMED, json_tokener_get_parse_end(tok),
                                    "evidence: not a JSON object (%s) at offset %zu",
                                    json_tokener_error_desc(json_tokener_get_error(tok)), json_tokener_get_parse_end(tok));
                json_tokener_free(tok);
                json_object_put(root);
                return c;
        }
        json_tokener_free(tok);
        e.version = json_object_object_get_ex(root, "version", &v) ? json_object_get_int(v) : 0;
        if (json_object_object_get_ex(root, "hcl_report", &v))
                c = bytes_field(root, "hcl_report", true, &e.hcl, &e.hcl_len, CT_MAX_HCL_REPORT, err);
        else
                c = bytes_field(root, "report", false, &e.hcl, &e.hcl_len, CT_MAX_HCL_REPORT, err);
        if (c == CT_OK && json_object_object_get_ex(root, "vcek", &v) && json_object_is_type(v, json_type_string)) {
                const char *s = json_object_get_string(v);

                if (strstr(s, "-----BEGIN")) {
                        e.vcek_len = strlen(s);
                        e.vcek = (uint8_t *)strdup(s);
                        if (!e.vcek)
                                c = ct_error_set(err, CT_E_NOMEM, "out of memory");
                } else {
                        c = b64url_decode(s, &e.vcek, &e.vcek_len, CT_MAX_CERT_FILE, "vcek", err);
                }
        }
        if (c == CT_OK && (json_object_object_get_ex(root, "tpm_quote", &q) || json_object_object_get_ex(root, "quote", &q)) &&
            json_object_is_type(q, json_type_object)) {
                if ((c = bytes_field(q, "message", false, &e.quote, &e.quote_len, CT_TPM_MAX_ATTEST, err)) == CT_OK)
                        c = bytes_field(q, "signature", false, &e.sig, &e.sig_len, CT_TPM_MAX_SIG, err);
                if (c == CT_OK && json_object_object_get_ex(q, "pcrs", &pcrs) && json_object_is_type(pcrs, json_type_array)) {
                        size_t n = json_object_array_length(pcrs);

                        if (n > 24)
                                c = ct_error_set(err, CT_E_MALFORMED, "evidence: more than 24 PCRs");
                        for (size_t i = 0; c == CT_OK && i < n; i++) {
                                json_object *p = json_object_array_get_idx(pcrs, i);
                                json_object *holder = json_object_new_object();
                                uint8_t *b = NULL;
                                size_t bl = 0;

                                json_object_object_add(holder, "pcr", json_object_get(p));
                                c = bytes_field(holder, "pcr", false, &b, &bl, 32, err);
                                json_object_put(holder);
                                if (c == CT_OK && bl != 32)
                                        c = ct_error_set(err, CT_E_MALFORMED, "evidence: PCR %zu is not 32 bytes", i);
                                if (c == CT_OK)
                                        memcpy(e.pcrs[i], b, 32);
                                free(b);
                        }
                        e.n_pcrs = c == CT_OK ? n : 0;
                }
        }
        json_object_put(root);
        if (c != CT_OK) {
                ct_az_evidence_clear(&e);
                return c;
        }
        *ret = e;
        return CT_OK;
}

/* ---- verification ---- */

static void prefixed(ct_checks *dst, const char *prefix, const ct_checks *src)
{
        char name[CT_CHECK_NAME_MAX];

        for (size_t i = 0; i < src->n; i++) {
                snprintf(name, sizeof(name), "%s.%.30s", prefix, src->items[i].name);
                ct_checks_add(dst, name, src->items[i].status, "%s", src->items[i].reason);
        }
}

CT_EXPORT ct_code ct_hcl_verify(const ct_hcl_report *h, const ct_hcl_verify_opts *opts, ct_hcl_verify_result *ret,
                                ct_error *err)
{
        static const ct_hcl_verify_opts none;
        ct_hcl_verify_result *res;
        ct_checks *k;
        const EVP_MD *md = NULL;
        const uint8_t *rd;
        uint8_t dg[64];
        unsigned dl = 0;
        char g[129], w[129];

        if (!h || !ret)
                return ct_error_set(err, CT_E_ARG, "no HCL report");
        if (!opts)
                opts = &none;
        if (!(res = ct_checks_result_new(sizeof(*res), err)))
                return CT_E_NOMEM;
        k = &res->checks;
        ct_checks_add(k, "hcl_signature", CT_CHECK_PASS, "\"HCLA\", version %u", h->version);
        if (h->report_type == CT_HCL_REPORT_SNP || h->report_type == CT_HCL_REPORT_TDX)
                ct_checks_add(k, "report_type", CT_CHECK_PASS, "%s", h->is_snp ? "SNP (2)" : "TDX (4)");
        else
                ct_checks_add(k, "report_type", CT_CHECK_FAIL, "report_type %u is neither SNP (2) nor TDX (4)",
                              h->report_type);
        switch (h->hash_type) {
        case CT_HCL_HASH_SHA256: md = EVP_sha256(); break;
        case CT_HCL_HASH_SHA384: md = EVP_sha384(); break;
        case CT_HCL_HASH_SHA512: md = EVP_sha512(); break;
        }
        rd = h->is_snp ? h->snp.report_data : h->td.report_data;
        if (!md) {
                ct_checks_add(k, "runtime_claims_hash", CT_CHECK_FAIL,
                              "report_data_hash_type %u is not SHA-256 (1), SHA-384 (2) or SHA-512 (3)", h->hash_type);
        } else if (h->report_type == CT_HCL_REPORT_SNP || h->report_type == CT_HCL_REPORT_TDX) {
                EVP_Digest(h->var_data, h->var_size, dg, &dl, md, NULL);
                ct_hex_encode(dg, dl, g);
                if (CRYPTO_memcmp(dg, rd, dl) == 0) {
                        ct_checks_add(k, "runtime_claims_hash", CT_CHECK_PASS, "%s(runtime claims) = REPORTDATA[0..%u] %s%s",
                                      OBJ_nid2sn(EVP_MD_get_type(md)), dl, g,
                                      h->hash_type != 1 ? " (SHA-384/512 unverified against a real sample)" : "");
                } else {
                        ct_hex_encode(rd, dl, w);
                        ct_checks_add(k, "runtime_claims_hash", CT_CHECK_FAIL, "%s(runtime claims) %s != "
                                      "REPORTDATA[0..%u] %s: the claims are not the ones the hardware report binds",
                                      OBJ_nid2sn(EVP_MD_get_type(md)), g, dl, w);
                }
        }
        if (!h->claims_parse)
                ct_checks_add(k, "runtime_claims", CT_CHECK_FAIL, "%s", h->claims_error);
        else
                ct_checks_add(k, "runtime_claims", CT_CHECK_PASS, "%u bytes of JSON", h->var_size);
        if (h->claims_parse)
                ct_checks_add(k, "ak_pub", h->ak ? CT_CHECK_PASS : CT_CHECK_FAIL, "%s",
                              h->ak ? "HCLAkPub RSA JWK loads" : "no usable HCLAkPub RSA JWK in the runtime claims");
        if (h->is_snp)
                ct_checks_add(k, "vmpl", h->snp.vmpl == 0 ? CT_CHECK_PASS : CT_CHECK_FAIL, "VMPL %u%s", h->snp.vmpl,
                              h->snp.vmpl == 0 ? " (the paravisor's report of VMPL 0)" : ", Trustee requires 0");
        if (opts->has_user_data) {
                uint8_t got[80];
                size_t gl = 0;

                uint8_t want[80] = { 0 };

                /* The expected value zero-padded to the claim's length, as Trustee regularizes report data. */
                memcpy(want, opts->user_data, CT_MIN(opts->user_data_len, sizeof(want)));
                ct_hex_encode(opts->user_data, opts->user_data_len, w);
                if (ct_hex_decode(h->user_data, got, sizeof(got), &gl, NULL) == CT_OK && gl >= opts->user_data_len &&
                    CRYPTO_memcmp(got, want, gl) == 0)
                        ct_checks_add(k, "user_data", CT_CHECK_PASS, "runtime claims user-data = %s%s "
                                      "(case-insensitive)", w, gl > opts->user_data_len ? " zero-padded" : "");
                else
                        ct_checks_add(k, "user_data", CT_CHECK_FAIL, "runtime claims user-data '%.100s' != %s",
                                      h->user_data, w);
        }
        if (opts->snp_verify) {
                if (!h->is_snp || !opts->snp_verifier) {
                        ct_checks_add(k, "snp", CT_CHECK_FAIL, "%s", h->is_snp ? "no SNP certificates given"
                                                                              : "not an SNP HCL report (TDX: verify "
                                                                                "the TD quote separately)");
                } else {
                        ct_snp_verify_result *sr = malloc(sizeof(*sr));
                        ct_code c = sr ? ct_snp_verify(opts->snp_verifier, &h->snp, opts->snp_opts, sr, err)
                                       : ct_error_set(err, CT_E_NOMEM, "out of memory");

                        if (c != CT_OK) {
                                free(sr);
                                free(res);
                                return c;
                        }
                        prefixed(k, "snp", &sr->checks);
                        free(sr);
                }
        }
        if (opts->quote) {
                if (!h->ak) {
                        ct_checks_add(k, "quote", CT_CHECK_FAIL, "no HCLAkPub to verify the quote with");
                } else {
                        ct_tpm_quote_result *qr = malloc(sizeof(*qr));
                        ct_tpm_quote_opts qo;
                        ct_code c;

                        memset(&qo, 0, sizeof(qo));
                        if (opts->quote_opts)
                                qo = *opts->quote_opts;
                        qo.raw_rsassa_sha256 = true;
                        c = qr ? ct_tpm_quote_verify(opts->quote, opts->quote_len, opts->sig, opts->sig_len, h->ak, &qo,
                                                     qr, err)
                               : ct_error_set(err, CT_E_NOMEM, "out of memory");
                        if (c != CT_OK) {
                                free(qr);
                                free(res);
                                return c;
                        }
                        prefixed(k, "quote", &qr->checks);
                        free(qr);
                }
        }
        res->ok = k->n_failed == 0;
        memcpy(ret, res, sizeof(*res));
        free(res);
        return CT_OK;
}
