/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — TPM 2.0 quote verification as tpm2_checkquote 5.8 does it:
 * TPMS_ATTEST magic and type, signature (RSASSA / RSAPSS / ECDSA) with the
 * AK, qualifying data, PCR selection and PCR digest. Structures are read with
 * ct_reader (big-endian, TPM 2.0 Part 2), keys and signatures with OpenSSL.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cocotrust/hash.h>
#include <cocotrust/pcr.h>
#include <cocotrust/reader.h>

#include "evidence-internal.h"

struct ct_tpm_key {
        EVP_PKEY *pkey;
};

/* TPM2B: u16 size then bytes, size bounded by cap. */
static uint16_t read_tpm2b(ct_reader *r, uint8_t *out, size_t cap, const char *field)
{
        uint16_t n = ct_reader_u16be(r, field);

        if (!ct_reader_ok(r))
                return 0;
        if (n > cap) {
                ct_reader_fail(r, CT_E_LIMIT, field);
                return 0;
        }
        ct_reader_bytes(r, out, n, field);
        return n;
}

static ct_code limit_msg(const ct_reader *r, ct_error *err, const char *what)
{
        if (r->err == CT_E_LIMIT)
                return ct_error_set_at(err, CT_E_MALFORMED, r->err_offset, "%s: %s at offset 0x%llx is larger than "
                                       "the TPM allows", what, r->err_field, (unsigned long long)r->err_offset);
        if (r->err == CT_E_MALFORMED)
                return ct_error_set_at(err, CT_E_MALFORMED, r->err_offset, "%s: bad %s at offset 0x%llx", what,
                                       r->err_field, (unsigned long long)r->err_offset);
        {
                ct_code c = ct_reader_error(r, err);

                ct_error_prefix(err, "%s", what);
                return c;
        }
}

CT_EXPORT ct_code ct_tpm_attest_parse(const void *buf, size_t len, ct_tpm_attest *ret, ct_error *err)
{
        ct_tpm_attest a;
        ct_reader r;

        if (!buf || !ret)
                return ct_error_set(err, CT_E_ARG, "no TPMS_ATTEST");
        if (len > CT_TPM_MAX_ATTEST)
                return ct_error_set(err, CT_E_LIMIT, "TPMS_ATTEST: %zu bytes, more than %u", len, CT_TPM_MAX_ATTEST);
        memset(&a, 0, sizeof(a));
        ct_reader_init(&r, buf, len, 0);
        a.magic = ct_reader_u32be(&r, "magic");
        a.type = ct_reader_u16be(&r, "type");
        a.signer_len = read_tpm2b(&r, a.signer, sizeof(a.signer), "qualifiedSigner");
        a.extra_len = read_tpm2b(&r, a.extra, sizeof(a.extra), "extraData");
        a.clock = (uint64_t)ct_reader_u32be(&r, "clockInfo.clock") << 32;
        a.clock |= ct_reader_u32be(&r, "clockInfo.clock");
        a.reset_count = ct_reader_u32be(&r, "clockInfo.resetCount");
        a.restart_count = ct_reader_u32be(&r, "clockInfo.restartCount");
        a.safe = ct_reader_u8(&r, "clockInfo.safe");
        a.firmware_version = (uint64_t)ct_reader_u32be(&r, "firmwareVersion") << 32;
        a.firmware_version |= ct_reader_u32be(&r, "firmwareVersion");
        if (ct_reader_ok(&r) && a.type == CT_TPM_ST_ATTEST_QUOTE) {
                a.is_quote = true;
                a.n_sel = ct_reader_u32be(&r, "quote.pcrSelect.count");
                if (ct_reader_ok(&r) && a.n_sel > CT_TPM_MAX_BANKS)
                        ct_reader_fail(&r, CT_E_LIMIT, "quote.pcrSelect.count");
                for (uint32_t i = 0; ct_reader_ok(&r) && i < a.n_sel; i++) {
                        a.sel[i].hash = ct_reader_u16be(&r, "quote.pcrSelect.hash");
                        a.sel[i].size = ct_reader_u8(&r, "quote.pcrSelect.sizeofSelect");
                        if (ct_reader_ok(&r) && a.sel[i].size > CT_TPM_MAX_SELECT)
                                ct_reader_fail(&r, CT_E_LIMIT, "quote.pcrSelect.sizeofSelect");
                        else
                                ct_reader_bytes(&r, a.sel[i].select, a.sel[i].size, "quote.pcrSelect.pcrSelect");
                }
                a.pcr_digest_len = read_tpm2b(&r, a.pcr_digest, sizeof(a.pcr_digest), "quote.pcrDigest");
                if (ct_reader_ok(&r) && ct_reader_remaining(&r) != 0)
                        ct_reader_fail(&r, CT_E_MALFORMED, "trailing bytes after the quote");
        }
        if (!ct_reader_ok(&r))
                return limit_msg(&r, err, "TPMS_ATTEST");
        *ret = a;
        return CT_OK;
}

CT_EXPORT ct_code ct_tpm_signature_parse(const void *buf, size_t len, ct_tpm_signature *ret, ct_error *err)
{
        ct_tpm_signature s;
        ct_reader r;

        if (!buf || !ret)
                return ct_error_set(err, CT_E_ARG, "no TPMT_SIGNATURE");
        memset(&s, 0, sizeof(s));
        ct_reader_init(&r, buf, len, 0);
        s.alg = ct_reader_u16be(&r, "sigAlg");
        s.hash = ct_reader_u16be(&r, "signature.hash");
        if (!ct_reader_ok(&r))
                return limit_msg(&r, err, "TPMT_SIGNATURE");
        switch (s.alg) {
        case CT_TPM_ALG_RSASSA:
        case CT_TPM_ALG_RSAPSS:
                s.sig_len = read_tpm2b(&r, s.sig, sizeof(s.sig), "signature.sig");
                break;
        case CT_TPM_ALG_ECDSA:
                s.r_len = read_tpm2b(&r, s.r, sizeof(s.r), "signature.signatureR");
                s.s_len = read_tpm2b(&r, s.s, sizeof(s.s), "signature.signatureS");
                break;
        default:
                return ct_error_set_at(err, CT_E_UNSUPPORTED, 0,
                                       "TPMT_SIGNATURE: sigAlg 0x%04x at offset 0 is not RSASSA (0x14), RSAPSS "
                                       "(0x16) or ECDSA (0x18)", s.alg);
        }
        if (ct_reader_ok(&r) && ct_reader_remaining(&r) != 0)
                ct_reader_fail(&r, CT_E_MALFORMED, "trailing bytes after the signature");
        if (!ct_reader_ok(&r))
                return limit_msg(&r, err, "TPMT_SIGNATURE");
        *ret = s;
        return CT_OK;
}

/* ---- keys ---- */

static ct_code wrap_key(EVP_PKEY *pk, ct_tpm_key **ret, ct_error *err)
{
        ct_tpm_key *k = calloc(1, sizeof(*k));

        if (!k) {
                EVP_PKEY_free(pk);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        k->pkey = pk;
        *ret = k;
        return CT_OK;
}

static EVP_PKEY *rsa_from(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
        OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
        BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *be = BN_bin2bn(e, (int)e_len, NULL);
        OSSL_PARAM *params = NULL;
        EVP_PKEY_CTX *ctx = NULL;
        EVP_PKEY *pk = NULL;

        if (b && bn && be && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn) &&
            OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be) && (params = OSSL_PARAM_BLD_to_param(b)) &&
            (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) == 1) {
                /* pk set */
        }
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(b);
        BN_free(bn);
        BN_free(be);
        return pk;
}

static EVP_PKEY *ec_from(const char *group, const uint8_t *x, size_t xl, const uint8_t *y, size_t yl, size_t fl)
{
        uint8_t pt[1 + 2 * 66];
        OSSL_PARAM params[3];
        EVP_PKEY_CTX *ctx;
        EVP_PKEY *pk = NULL;

        if (xl > fl || yl > fl || fl > 66)
                return NULL;
        memset(pt, 0, sizeof(pt));
        pt[0] = 0x04;
        memcpy(pt + 1 + fl - xl, x, xl);
        memcpy(pt + 1 + 2 * fl - yl, y, yl);
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
        params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + 2 * fl);
        params[2] = OSSL_PARAM_construct_end();
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
                EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params);
        EVP_PKEY_CTX_free(ctx);
        return pk;
}

/* TPMT_PUBLIC (tpm2_createak -u writes TPM2B_PUBLIC: a u16 size first). */
static ct_code parse_tpmt_public(ct_reader *r, ct_tpm_key **ret, ct_error *err)
{
        uint8_t policy[64], n[512], x[66], y[66];
        uint16_t type, sym, scheme, bits = 0, curve = 0;
        uint32_t exp = 0;
        size_t nl, xl, yl;
        EVP_PKEY *pk = NULL;

        type = ct_reader_u16be(r, "publicArea.type");
        ct_reader_u16be(r, "publicArea.nameAlg");
        ct_reader_u32be(r, "publicArea.objectAttributes");
        read_tpm2b(r, policy, sizeof(policy), "publicArea.authPolicy");
        if (!ct_reader_ok(r))
                return limit_msg(r, err, "TPM2B_PUBLIC");
        if (type != CT_TPM_ALG_RSA && type != CT_TPM_ALG_ECC)
                return ct_error_set_at(err, CT_E_UNSUPPORTED, 2, "TPM2B_PUBLIC: key type 0x%04x is not RSA or ECC",
                                       type);
        sym = ct_reader_u16be(r, "parameters.symmetric.algorithm");
        if (sym != CT_TPM_ALG_NULL) {
                ct_reader_u16be(r, "parameters.symmetric.keyBits");
                ct_reader_u16be(r, "parameters.symmetric.mode");
        }
        scheme = ct_reader_u16be(r, "parameters.scheme");
        if (scheme != CT_TPM_ALG_NULL)
                ct_reader_u16be(r, "parameters.scheme.hashAlg");
        if (type == CT_TPM_ALG_RSA) {
                bits = ct_reader_u16be(r, "parameters.keyBits");
                exp = ct_reader_u32be(r, "parameters.exponent");
                nl = read_tpm2b(r, n, sizeof(n), "unique.rsa");
                if (!ct_reader_ok(r))
                        return limit_msg(r, err, "TPM2B_PUBLIC");
                if (exp == 0)
                        exp = 65537;
                {
                        uint8_t e[4];

                        ct_put_be32(e, exp);
                        pk = nl ? rsa_from(n, nl, e, 4) : NULL;
                }
        } else {
                const char *group = NULL;
                size_t fl = 0;

                curve = ct_reader_u16be(r, "parameters.curveID");
                if (ct_reader_u16be(r, "parameters.kdf.scheme") != CT_TPM_ALG_NULL)
                        ct_reader_u16be(r, "parameters.kdf.hashAlg");
                xl = read_tpm2b(r, x, sizeof(x), "unique.ecc.x");
                yl = read_tpm2b(r, y, sizeof(y), "unique.ecc.y");
                if (!ct_reader_ok(r))
                        return limit_msg(r, err, "TPM2B_PUBLIC");
                switch (curve) {
                case 0x0003: group = "P-256"; fl = 32; break;
                case 0x0004: group = "P-384"; fl = 48; break;
                case 0x0005: group = "P-521"; fl = 66; break;
                default:
                        return ct_error_set(err, CT_E_UNSUPPORTED, "TPM2B_PUBLIC: ECC curve 0x%04x is not NIST "
                                            "P-256/384/521", curve);
                }
                pk = ec_from(group, x, xl, y, yl, fl);
        }
        (void)bits;
        ERR_clear_error();
        if (!pk)
                return ct_error_set(err, CT_E_MALFORMED, "TPM2B_PUBLIC: the key does not load (OpenSSL)");
        return wrap_key(pk, ret, err);
}

CT_EXPORT ct_code ct_tpm_key_parse(const void *buf, size_t len, ct_tpm_key **ret, ct_error *err)
{
        EVP_PKEY *pk = NULL;
        const unsigned char *p = buf;
        ct_reader r;

        if (!buf || !ret)
                return ct_error_set(err, CT_E_ARG, "no key");
        if (len > CT_TPM_MAX_KEY_FILE)
                return ct_error_set(err, CT_E_LIMIT, "key: %zu bytes, more than %u", len, CT_TPM_MAX_KEY_FILE);
        if (len >= 11 && memmem(buf, len, "-----BEGIN", 10)) {
                /* PUBLIC KEY (SPKI) or RSA PUBLIC KEY (PKCS#1): OpenSSL's decoder takes both. */
                OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(&pk, "PEM", NULL, NULL, EVP_PKEY_PUBLIC_KEY,
                                                                     NULL, NULL);
                const unsigned char *dp = buf;
                size_t dl = len;

                if (!dc || OSSL_DECODER_from_data(dc, &dp, &dl) != 1) {
                        EVP_PKEY_free(pk);
                        pk = NULL;
                }
                OSSL_DECODER_CTX_free(dc);
                ERR_clear_error();
                if (!pk)
                        return ct_error_set_at(err, CT_E_MALFORMED, 0, "PEM without a readable PUBLIC KEY");
                return wrap_key(pk, ret, err);
        }
        /* DER SubjectPublicKeyInfo starts with a SEQUENCE (0x30); a TPM2B_PUBLIC with a size. */
        if (len > 2 && p[0] == 0x30) {
                pk = d2i_PUBKEY(NULL, &p, (long)len);
                ERR_clear_error();
                if (pk && p == (const unsigned char *)buf + len)
                        return wrap_key(pk, ret, err);
                EVP_PKEY_free(pk);
                p = buf;
        }
        ct_reader_init(&r, buf, len, 0);
        if (len >= 2 && ct_get_be16(buf) == len - 2) {
                ct_reader sub;

                ct_reader_u16be(&r, "TPM2B_PUBLIC.size");
                ct_reader_sub(&r, len - 2, &sub, "publicArea");
                return parse_tpmt_public(&sub, ret, err);
        }
        if (len >= 2 && (ct_get_be16(buf) == CT_TPM_ALG_RSA || ct_get_be16(buf) == CT_TPM_ALG_ECC))
                return parse_tpmt_public(&r, ret, err);
        return ct_error_set_at(err, CT_E_MALFORMED, 0,
                               "not a public key: neither PEM, DER SubjectPublicKeyInfo nor TPM2B_PUBLIC");
}

CT_EXPORT ct_code ct_tpm_key_from_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                                      ct_tpm_key **ret, ct_error *err)
{
        EVP_PKEY *pk;

        if (!n || !e || !ret || n_len == 0 || n_len > 1024 || e_len == 0 || e_len > 8)
                return ct_error_set(err, CT_E_ARG, "bad RSA modulus or exponent");
        pk = rsa_from(n, n_len, e, e_len);
        ERR_clear_error();
        if (!pk)
                return ct_error_set(err, CT_E_MALFORMED, "RSA key does not load (OpenSSL)");
        return wrap_key(pk, ret, err);
}

CT_EXPORT void ct_tpm_key_free(ct_tpm_key *k)
{
        if (!k)
                return;
        EVP_PKEY_free(k->pkey);
        free(k);
}

CT_EXPORT ct_code ct_tpm_key_pem(const ct_tpm_key *k, char *out, size_t cap, ct_error *err)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *data;
        long n;

        if (!b || !PEM_write_bio_PUBKEY(b, k->pkey)) {
                BIO_free(b);
                return ct_error_set(err, CT_E_CRYPTO, "OpenSSL failed: PEM_write_bio_PUBKEY");
        }
        n = BIO_get_mem_data(b, &data);
        if (n < 0 || (size_t)n >= cap) {
                BIO_free(b);
                return ct_error_set(err, CT_E_LIMIT, "PEM larger than %zu bytes", cap);
        }
        memcpy(out, data, (size_t)n);
        out[n] = 0;
        BIO_free(b);
        return CT_OK;
}

CT_EXPORT void ct_tpm_key_describe(const ct_tpm_key *k, char *out, size_t cap)
{
        char group[64] = "";
        size_t gl = 0;

        if (EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_RSA) {
                snprintf(out, cap, "rsa-%d", EVP_PKEY_get_bits(k->pkey));
        } else {
                EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &gl);
                snprintf(out, cap, "ecc-%s", group[0] ? group : "unknown");
        }
}

/* ---- tpm2-tools' serialized PCR file (tpm2_quote -o, 5.x host-endian struct layout) ---- */

CT_EXPORT ct_code ct_tpm_pcrs_parse_serialized(const void *buf, size_t len, struct ct_pcr_set *ret, ct_error *err)
{
        /* TPML_PCR_SELECTION {u32 count; TPMS_PCR_SELECTION[16] of 8 bytes (u16 hash, u8 size, u8 select[4],
         * 1 pad)}; u32 number of TPML_DIGEST; each {u32 count; TPM2B_DIGEST[8] of 66 bytes}. */
        ct_pcr_set *s;
        ct_reader r;
        ct_tpm_pcr_selection sel[CT_TPM_MAX_BANKS];
        uint32_t n_sel, n_lists;
        unsigned bank = 0, bit = 0;
        ct_code c = CT_OK;

        if (!buf || !ret)
                return ct_error_set(err, CT_E_ARG, "no PCR file");
        s = malloc(sizeof(*s));
        if (!s)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        ct_pcr_set_init(s);
        ct_reader_init(&r, buf, len, 0);
        n_sel = ct_reader_u32le(&r, "pcrSelections.count");
        if (ct_reader_ok(&r) && n_sel > CT_TPM_MAX_BANKS)
                ct_reader_fail(&r, CT_E_LIMIT, "pcrSelections.count");
        for (unsigned i = 0; i < CT_TPM_MAX_BANKS && ct_reader_ok(&r); i++) {
                sel[i].hash = ct_reader_u16le(&r, "pcrSelections.hash");
                sel[i].size = ct_reader_u8(&r, "pcrSelections.sizeofSelect");
                ct_reader_bytes(&r, sel[i].select, 4, "pcrSelections.pcrSelect");
                ct_reader_skip(&r, 1, "pcrSelections.pad");
                if (ct_reader_ok(&r) && i < n_sel && sel[i].size > CT_TPM_MAX_SELECT)
                        ct_reader_fail(&r, CT_E_LIMIT, "pcrSelections.sizeofSelect");
        }
        n_lists = ct_reader_u32le(&r, "pcrs.count");
        if (ct_reader_ok(&r) && n_lists > 64)
                ct_reader_fail(&r, CT_E_LIMIT, "pcrs.count");
        for (uint32_t l = 0; l < n_lists && ct_reader_ok(&r); l++) {
                uint32_t cnt = ct_reader_u32le(&r, "pcrs.digests.count");

                if (ct_reader_ok(&r) && cnt > 8)
                        ct_reader_fail(&r, CT_E_LIMIT, "pcrs.digests.count");
                for (uint32_t d = 0; d < 8 && ct_reader_ok(&r); d++) {
                        uint16_t size = ct_reader_u16le(&r, "pcrs.digest.size");
                        uint8_t val[64];
                        ct_digest dg;

                        ct_reader_bytes(&r, val, 64, "pcrs.digest.buffer");
                        if (d >= cnt || !ct_reader_ok(&r))
                                continue;
                        /* The next selected PCR in selection order. */
                        while (bank < n_sel && (bit >= 8u * sel[bank].size ||
                                                !(sel[bank].select[bit / 8] & (1u << (bit % 8))))) {
                                if (++bit >= 8u * sel[bank].size) {
                                        bank++;
                                        bit = 0;
                                }
                        }
                        if (bank >= n_sel) {
                                ct_reader_fail(&r, CT_E_MALFORMED, "more digests than selected PCRs");
                                break;
                        }
                        {
                                ct_hash_alg alg = ct_hash_from_tcg_id(sel[bank].hash);

                                if (alg == CT_HASH_NONE || size != ct_hash_size(alg) || bit >= CT_PCR_COUNT) {
                                        ct_reader_fail(&r, CT_E_MALFORMED, "pcrs.digest.size");
                                        break;
                                }
                                ct_digest_from_bytes(&dg, alg, val, size);
                                c = ct_pcr_set_put(s, bit, &dg, err);
                                if (c != CT_OK)
                                        break;
                        }
                        bit++;
                }
        }
        if (c == CT_OK && ct_reader_ok(&r) && ct_reader_remaining(&r) != 0)
                ct_reader_fail(&r, CT_E_MALFORMED, "trailing bytes after the PCR digests");
        if (c == CT_OK && !ct_reader_ok(&r))
                c = limit_msg(&r, err, "tpm2 PCR file");
        if (c == CT_OK)
                memcpy(ret, s, sizeof(*s));
        free(s);
        return c;
}

/* ---- verification ---- */

static const EVP_MD *md_of(uint16_t alg)
{
        switch (alg) {
        case CT_TPM_ALG_SHA1: return EVP_sha1();
        case CT_TPM_ALG_SHA256: return EVP_sha256();
        case CT_TPM_ALG_SHA384: return EVP_sha384();
        case CT_TPM_ALG_SHA512: return EVP_sha512();
        }
        return NULL;
}

static const char *sig_name(uint16_t alg)
{
        return alg == CT_TPM_ALG_RSASSA ? "RSASSA" : alg == CT_TPM_ALG_RSAPSS ? "RSAPSS"
               : alg == CT_TPM_ALG_ECDSA ? "ECDSA" : "unknown";
}

static int verify_sig(const ct_tpm_signature *s, EVP_PKEY *pk, const void *msg, size_t len, const char **why)
{
        const EVP_MD *md = md_of(s->hash);
        EVP_MD_CTX *ctx;
        EVP_PKEY_CTX *pctx = NULL;
        unsigned char *der = NULL;
        const unsigned char *sig = s->sig;
        size_t sig_len = s->sig_len;
        int type = EVP_PKEY_get_base_id(pk), r = 0;

        if (!md) {
                *why = "the signature's hash algorithm is not SHA-1/256/384/512";
                return 0;
        }
        if ((s->alg == CT_TPM_ALG_ECDSA) != (type == EVP_PKEY_EC)) {
                *why = "the signature scheme does not match the AK's key type";
                return 0;
        }
        if (s->alg == CT_TPM_ALG_ECDSA) {
                ECDSA_SIG *es = ECDSA_SIG_new();
                BIGNUM *br = BN_bin2bn(s->r, (int)s->r_len, NULL), *bs = BN_bin2bn(s->s, (int)s->s_len, NULL);
                int n;

                if (!es || !br || !bs || !ECDSA_SIG_set0(es, br, bs)) {
                        BN_free(br);
                        BN_free(bs);
                        ECDSA_SIG_free(es);
                        return -1;
                }
                n = i2d_ECDSA_SIG(es, &der);
                ECDSA_SIG_free(es);
                if (n <= 0)
                        return -1;
                sig = der;
                sig_len = (size_t)n;
        }
        ctx = EVP_MD_CTX_new();
        if (ctx && EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pk) == 1) {
                if (s->alg == CT_TPM_ALG_RSAPSS) {
                        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
                        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO);
                } else if (s->alg == CT_TPM_ALG_RSASSA) {
                        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
                }
                r = EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
        } else {
                r = -1;
        }
        EVP_MD_CTX_free(ctx);
        OPENSSL_free(der);
        ERR_clear_error();
        if (r == 0)
                *why = "does not verify with the AK";
        return r;
}

static void hexs(const uint8_t *p, size_t n, char *out)
{
        for (size_t i = 0; i < n; i++)
                snprintf(out + 2 * i, 3, "%02x", p[i]);
        out[2 * n] = 0;
}

static void sel_text(const ct_tpm_attest *a, char *out, size_t cap)
{
        size_t o = 0;

        out[0] = 0;
        for (uint32_t b = 0; b < a->n_sel; b++) {
                ct_hash_alg alg = ct_hash_from_tcg_id(a->sel[b].hash);
                bool first = true;

                o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s:", b ? "+" : "",
                                      alg ? ct_hash_name(alg) : "?");
                for (unsigned i = 0; i < 8u * a->sel[b].size; i++)
                        if (a->sel[b].select[i / 8] & (1u << (i % 8))) {
                                o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%u", first ? "" : ",", i);
                                first = false;
                        }
                if (o >= cap)
                        break;
        }
}

static void set_text(const ct_pcr_set *s, char *out, size_t cap)
{
        size_t o = 0;

        out[0] = 0;
        for (unsigned b = 0; b < s->n_banks; b++) {
                bool first = true;

                if (!s->banks[b].present)
                        continue;
                o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s:", o ? "+" : "",
                                      ct_hash_name(s->banks[b].alg));
                for (unsigned i = 0; i < CT_PCR_COUNT; i++)
                        if (s->banks[b].present & (1u << i)) {
                                o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%u", first ? "" : ",", i);
                                first = false;
                        }
                if (o >= cap)
                        break;
        }
}

static void check_pcrs(ct_checks *k, const ct_tpm_attest *a, const ct_pcr_set *s, uint16_t sighash)
{
        char qs[256], gs[256], hx[129];
        bool equal = true;
        uint32_t seen[CT_HASH__MAX] = { 0 };
        const EVP_MD *md = md_of(sighash);
        EVP_MD_CTX *ctx;
        uint8_t dg[64];
        unsigned dl = 0;

        sel_text(a, qs, sizeof(qs));
        set_text(s, gs, sizeof(gs));
        /* Selection equal to the PCRs given: every selected PCR given, nothing else given. */
        for (uint32_t b = 0; b < a->n_sel && equal; b++) {
                ct_hash_alg alg = ct_hash_from_tcg_id(a->sel[b].hash);
                const ct_pcr_bank *bk = alg ? ct_pcr_set_bank_const(s, alg) : NULL;
                uint32_t mask = 0;

                for (unsigned i = 0; i < 8u * a->sel[b].size; i++)
                        if (a->sel[b].select[i / 8] & (1u << (i % 8)))
                                mask |= i < 32 ? 1u << i : 0;
                if (!alg || (mask & ~0xffffffu) || !bk || (bk->present & mask) != mask || (seen[alg] & mask))
                        equal = false;
                if (alg)
                        seen[alg] |= mask;
        }
        for (unsigned b = 0; b < s->n_banks && equal; b++)
                if (s->banks[b].present & ~seen[s->banks[b].alg])
                        equal = false;
        if (!equal) {
                ct_checks_add(k, "pcr_selection", CT_CHECK_FAIL, "the quote selects %s but the PCRs given are %s",
                              qs[0] ? qs : "nothing", gs[0] ? gs : "none");
                ct_checks_add(k, "pcr_digest", CT_CHECK_SKIP, "not computed: the selection differs");
                return;
        }
        ct_checks_add(k, "pcr_selection", CT_CHECK_PASS, "%s", qs);
        if (!md) {
                ct_checks_add(k, "pcr_digest", CT_CHECK_FAIL, "unknown signature hash 0x%04x", sighash);
                return;
        }
        ctx = EVP_MD_CTX_new();
        if (!ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
                EVP_MD_CTX_free(ctx);
                ct_checks_add(k, "pcr_digest", CT_CHECK_FAIL, "OpenSSL digest failed");
                return;
        }
        for (uint32_t b = 0; b < a->n_sel; b++) {
                ct_hash_alg alg = ct_hash_from_tcg_id(a->sel[b].hash);
                const ct_pcr_bank *bk = ct_pcr_set_bank_const(s, alg);

                for (unsigned i = 0; i < 8u * a->sel[b].size && i < CT_PCR_COUNT; i++)
                        if (a->sel[b].select[i / 8] & (1u << (i % 8)))
                                EVP_DigestUpdate(ctx, bk->values[i], ct_hash_size(alg));
        }
        EVP_DigestFinal_ex(ctx, dg, &dl);
        EVP_MD_CTX_free(ctx);
        hexs(dg, dl, hx);
        if (dl == a->pcr_digest_len && CRYPTO_memcmp(dg, a->pcr_digest, dl) == 0) {
                ct_checks_add(k, "pcr_digest", CT_CHECK_PASS, "%s of the selected PCRs = pcrDigest %s",
                              OBJ_nid2sn(EVP_MD_get_type(md)), hx);
        } else {
                char qd[129];

                hexs(a->pcr_digest, a->pcr_digest_len, qd);
                ct_checks_add(k, "pcr_digest", CT_CHECK_FAIL, "%s of the PCR values given is %s, the quote's "
                              "pcrDigest is %s: some PCR value differs", OBJ_nid2sn(EVP_MD_get_type(md)), hx, qd);
        }
}

CT_EXPORT ct_code ct_tpm_quote_verify(const void *msg, size_t msg_len, const void *sig, size_t sig_len,
                                      const ct_tpm_key *ak, const ct_tpm_quote_opts *opts,
                                      ct_tpm_quote_result *ret, ct_error *err)
{
        static const ct_tpm_quote_opts none;
        ct_tpm_quote_result *res;
        ct_checks *k;
        const char *why = "";
        ct_code c;
        int vr;

        if (!msg || !sig || !ak || !ret)
                return ct_error_set(err, CT_E_ARG, "no quote, signature or AK");
        if (!opts)
                opts = &none;
        if (!(res = ct_checks_result_new(sizeof(*res), err)))
                return CT_E_NOMEM;
        k = &res->checks;
        c = ct_tpm_attest_parse(msg, msg_len, &res->attest, err);
        if (c == CT_OK) {
                c = ct_tpm_signature_parse(sig, sig_len, &res->sig, err);
                if (c != CT_OK && opts->raw_rsassa_sha256 && EVP_PKEY_get_base_id(ak->pkey) == EVP_PKEY_RSA &&
                    sig_len == (size_t)EVP_PKEY_get_size(ak->pkey) && sig_len <= CT_TPM_MAX_SIG) {
                        /* A bare signature (no TPMT_SIGNATURE header), as Azure's vTPM evidence carries it. */
                        memset(&res->sig, 0, sizeof(res->sig));
                        res->sig.alg = CT_TPM_ALG_RSASSA;
                        res->sig.hash = CT_TPM_ALG_SHA256;
                        res->sig.sig_len = sig_len;
                        memcpy(res->sig.sig, sig, sig_len);
                        ct_error_clear(err);
                        c = CT_OK;
                }
                if (c == CT_E_UNSUPPORTED && opts->rsassa_only) {
                        ct_error_set(err, CT_E_UNSUPPORTED, "Unsupported signature type 0x%04x (Trustee accepts "
                                     "only RSASSA)", ct_get_be16(sig));
                }
        }
        if (c != CT_OK) {
                free(res);
                return c;
        }
        if (res->attest.magic == CT_TPM_GENERATED_VALUE)
                ct_checks_add(k, "attest_magic", CT_CHECK_PASS, "TPM_GENERATED_VALUE 0xff544347");
        else
                ct_checks_add(k, "attest_magic", CT_CHECK_FAIL, "magic 0x%08x is not TPM_GENERATED_VALUE "
                              "0xff544347: not made by a TPM", res->attest.magic);
        if (res->attest.type == CT_TPM_ST_ATTEST_QUOTE)
                ct_checks_add(k, "attest_type", CT_CHECK_PASS, "TPM_ST_ATTEST_QUOTE 0x8018");
        else
                ct_checks_add(k, "attest_type", CT_CHECK_FAIL, "type 0x%04x is not TPM_ST_ATTEST_QUOTE 0x8018 "
                              "(another attestation structure signed by the AK; GHSA-gwfg-w3jr-xh66)",
                              res->attest.type);
        if (opts->rsassa_only && res->sig.alg != CT_TPM_ALG_RSASSA) {
                ct_checks_add(k, "signature", CT_CHECK_FAIL, "Unsupported signature type %s: Trustee accepts only "
                              "RSASSA", sig_name(res->sig.alg));
        } else {
                vr = verify_sig(&res->sig, ak->pkey, msg, msg_len, &why);
                if (vr < 0) {
                        free(res);
                        return ct_error_set(err, CT_E_CRYPTO, "OpenSSL failed verifying the quote signature");
                }
                if (vr == 1)
                        ct_checks_add(k, "signature", CT_CHECK_PASS, "%s %s over TPMS_ATTEST verifies with the AK",
                                      sig_name(res->sig.alg), OBJ_nid2sn(EVP_MD_get_type(md_of(res->sig.hash))));
                else
                        ct_checks_add(k, "signature", CT_CHECK_FAIL, "%s signature %s", sig_name(res->sig.alg), why);
        }
        if (opts->has_nonce) {
                char g[129], w[129];
                uint8_t r32[32] = { 0 };

                hexs(res->attest.extra, res->attest.extra_len, g);
                hexs(opts->nonce, opts->nonce_len, w);
                memcpy(r32, opts->nonce, CT_MIN(opts->nonce_len, 32));
                if (res->attest.extra_len == opts->nonce_len &&
                    CRYPTO_memcmp(res->attest.extra, opts->nonce, opts->nonce_len) == 0)
                        ct_checks_add(k, "nonce", CT_CHECK_PASS, "extraData %s", g[0] ? g : "(empty)");
                else if (opts->trustee_nonce && res->attest.extra_len == 32 &&
                         CRYPTO_memcmp(res->attest.extra, r32, 32) == 0)
                        ct_checks_add(k, "nonce", CT_CHECK_PASS, "extraData %s = the nonce resized to 32 bytes "
                                      "(Trustee's rule)", g);
                else
                        ct_checks_add(k, "nonce", CT_CHECK_FAIL, "extraData %s != nonce %s: a replayed or "
                                      "foreign quote", g[0] ? g : "(empty)", w[0] ? w : "(empty)");
        }
        if (opts->pcrs) {
                if (!res->attest.is_quote)
                        ct_checks_add(k, "pcr_selection", CT_CHECK_FAIL, "not a quote: no PCR selection");
                else
                        check_pcrs(k, &res->attest, opts->pcrs, res->sig.hash);
        }
        res->ok = k->n_failed == 0;
        memcpy(ret, res, sizeof(*res));
        free(res);
        return CT_OK;
}
