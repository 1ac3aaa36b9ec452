/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — Trustee's `tpm` TEE evidence (deps/verifier/src/tpm/mod.rs @78962cd):
 * {"ak_public": base64 DER SPKI, "tpm_quote": {"message": base64 TPMS_ATTEST,
 * "signature": base64 TPMT_SIGNATURE, "pcrs": [24 hex SHA-256]}}.
 */
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cocotrust/codec.h>
#include <cocotrust/hash.h>
#include <cocotrust/pcr.h>

#include "evidence-internal.h"

static ct_code field_b64(json_object *o, const char *key, const char *where, uint8_t **ret, size_t *ret_len,
                         size_t max, ct_error *err)
{
        json_object *f;
        const char *s;
        size_t cap, len = 0;
        uint8_t *buf;

        if (!json_object_object_get_ex(o, key, &f) || !json_object_is_type(f, json_type_string))
                return ct_error_set(err, CT_E_MALFORMED, "%s%s: missing or not a string", where, key);
        s = json_object_get_string(f);
        cap = strlen(s) / 4 * 3 + 3;
        if (cap > max + 3)
                return ct_error_set(err, CT_E_LIMIT, "%s%s: longer than %zu bytes", where, key, max);
        buf = malloc(cap);
        if (!buf)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if (ct_base64_decode(s, buf, cap, &len, err) != CT_OK) {
                free(buf);
                ct_error_prefix(err, "%s%s", where, key);
                return CT_E_MALFORMED;
        }
        *ret = buf;
        *ret_len = len;
        return CT_OK;
}

CT_EXPORT ct_code ct_tpm_evidence_verify(const void *text, size_t len, const ct_tpm_evidence_opts *opts,
                                         ct_tpm_evidence_result *ret, ct_error *err)
{
        static const ct_tpm_evidence_opts none;
        json_tokener *tok;
        json_object *root = NULL, *q, *pcrs;
        uint8_t *ak = NULL, *msg = NULL, *sig = NULL;
        size_t ak_len = 0, msg_len = 0, sig_len = 0;
        ct_tpm_key *key = NULL;
        ct_pcr_set *set = NULL;
        ct_tpm_evidence_result *res = NULL;
        ct_tpm_quote_opts qo;
        ct_code c;

        if (!text || !ret)
                return ct_error_set(err, CT_E_ARG, "no evidence");
        if (!opts)
                opts = &none;
        if (len > CT_MAX_TPM_EVIDENCE_JSON)
                return ct_error_set(err, CT_E_LIMIT, "TPM evidence: %zu bytes, more than %u", len,
                                    CT_MAX_TPM_EVIDENCE_JSON);
        tok = json_tokener_new();
        if (!tok)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        root = json_tokener_parse_ex(tok, text, (int)len);
        if (!root || json_tokener_get_error(tok) != json_tokener_success) {
                c = ct_error_set_at(err, CT_E_MALFORMED, json_tokener_get_parse_end(tok),
                                    "TPM evidence: not JSON (%s) at offset %zu",
                                    json_tokener_error_desc(json_tokener_get_error(tok)),
                                    json_tokener_get_parse_end(tok));
                json_tokener_free(tok);
                json_object_put(root);
                return c;
        }
        json_tokener_free(tok);
        if (!json_object_object_get_ex(root, "tpm_quote", &q) || !json_object_is_type(q, json_type_object)) {
                c = ct_error_set(err, CT_E_MALFORMED, "TPM evidence: tpm_quote: missing or not an object");
                goto out;
        }
        if ((c = field_b64(root, "ak_public", "", &ak, &ak_len, CT_TPM_MAX_KEY_FILE, err)) != CT_OK ||
            (c = field_b64(q, "message", "tpm_quote.", &msg, &msg_len, CT_TPM_MAX_ATTEST, err)) != CT_OK ||
            (c = field_b64(q, "signature", "tpm_quote.", &sig, &sig_len, 4096, err)) != CT_OK)
                goto out;
        if ((c = ct_tpm_key_parse(ak, ak_len, &key, err)) != CT_OK) {
                ct_error_prefix(err, "ak_public");
                goto out;
        }
        res = calloc(1, sizeof(*res));
        set = malloc(sizeof(*set));
        if (!res || !set) {
                c = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        ct_pcr_set_init(set);
        if (!json_object_object_get_ex(q, "pcrs", &pcrs) || !json_object_is_type(pcrs, json_type_array) ||
            json_object_array_length(pcrs) != 24) {
                c = ct_error_set(err, CT_E_MALFORMED, "tpm_quote.pcrs: expected an array of 24 SHA-256 values");
                goto out;
        }
        for (size_t i = 0; i < 24; i++) {
                json_object *e = json_object_array_get_idx(pcrs, i);
                size_t n = 0;
                ct_digest d;

                if (!json_object_is_type(e, json_type_string) ||
                    ct_hex_decode(json_object_get_string(e), res->pcrs[i], 32, &n, NULL) != CT_OK || n != 32) {
                        c = ct_error_set(err, CT_E_MALFORMED, "tpm_quote.pcrs[%zu]: not 64 hex digits (SHA-256)", i);
                        goto out;
                }
                ct_digest_from_bytes(&d, CT_HASH_SHA256, res->pcrs[i], 32);
                if ((c = ct_pcr_set_put(set, (unsigned)i, &d, err)) != CT_OK)
                        goto out;
        }
        memset(&qo, 0, sizeof(qo));
        qo.pcrs = set;
        qo.rsassa_only = true;
        qo.trustee_nonce = true;
        if (opts->has_report_data) {
                qo.has_nonce = true;
                qo.nonce_len = CT_MIN(opts->report_data_len, sizeof(qo.nonce));
                memcpy(qo.nonce, opts->report_data, qo.nonce_len);
        }
        c = ct_tpm_quote_verify(msg, msg_len, sig, sig_len, key, &qo, &res->quote, err);
        if (c != CT_OK) {
                ct_error_prefix(err, "tpm_quote");
                goto out;
        }
        ct_tpm_key_describe(key, res->ak_desc, sizeof(res->ak_desc));
        if (opts->has_init_data_digest) {
                uint8_t buf[64], want[32];
                unsigned int wl = 0;
                char g[65], w[65];

                memset(buf, 0, 32);
                memcpy(buf + 32, opts->init_data_digest, 32);
                EVP_Digest(buf, 64, want, &wl, EVP_sha256(), NULL);
                ct_hex_encode(res->pcrs[8], 32, g);
                ct_hex_encode(want, 32, w);
                if (CRYPTO_memcmp(want, res->pcrs[8], 32) == 0)
                        ct_checks_add(&res->quote.checks, "init_data", CT_CHECK_PASS,
                                      "PCR 8 %s = SHA-256(32 zero bytes || init-data digest)", g);
                else
                        ct_checks_add(&res->quote.checks, "init_data", CT_CHECK_FAIL,
                                      "PCR 8 is %s, SHA-256(32 zero bytes || init-data digest) is %s: other "
                                      "init-data, or none bound", g, w);
                res->quote.ok = res->quote.checks.n_failed == 0;
        }
        memcpy(ret, res, sizeof(*res));
out:
        json_object_put(root);
        free(ak);
        free(msg);
        free(sig);
        free(set);
        free(res);
        ct_tpm_key_free(key);
        return c;
}
