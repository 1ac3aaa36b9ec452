/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — signed PCR 11 policies as systemd-measure 252 `sign` writes them
 * (the JSON a UKI carries in .pcrsig): TPM2_PolicyPCR digest, RSA PKCS#1 v1.5
 * signature, public key fingerprint. OpenSSL for every hash and signature;
 * tss2-mu marshals the TPM structures.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tpm2_types.h>

#include <cocotrust/uki.h>

#include "../internal.h"

struct ct_uki_signer {
        EVP_PKEY *priv;
        ct_digest fingerprint;
};

CT_EXPORT ct_code ct_uki_policy_pcr(ct_hash_alg bank, unsigned pcr, const ct_digest *value, ct_digest *ret,
                                    ct_error *err)
{
        uint8_t buf[TPM2_SHA256_DIGEST_SIZE + sizeof(TPM2_CC) + sizeof(TPML_PCR_SELECTION) + TPM2_SHA256_DIGEST_SIZE];
        TPML_PCR_SELECTION sel = { .count = 1 };
        uint16_t tcg = ct_hash_tcg_id(bank);
        size_t off = TPM2_SHA256_DIGEST_SIZE;
        ct_digest pcr_digest, out;

        if (!value || !ret || pcr >= 24 || tcg == 0 || value->alg != bank || value->len != ct_hash_size(bank))
                return ct_error_set(err, CT_E_ARG, "policy PCR: bad bank, PCR index or value");
        sel.pcrSelections[0].hash = tcg;
        sel.pcrSelections[0].sizeofSelect = 3;
        sel.pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t)(1u << (pcr % 8));

        /* The session's starting digest is all zeros; PolicyPCR's pcrDigest is SHA-256 of the values. */
        memset(buf, 0, TPM2_SHA256_DIGEST_SIZE);
        if (Tss2_MU_TPM2_CC_Marshal(TPM2_CC_PolicyPCR, buf, sizeof(buf), &off) != TSS2_RC_SUCCESS ||
            Tss2_MU_TPML_PCR_SELECTION_Marshal(&sel, buf, sizeof(buf), &off) != TSS2_RC_SUCCESS)
                return ct_error_set(err, CT_E_ARG, "policy PCR: cannot marshal the PCR selection");
        if (ct_hash_buf(CT_HASH_SHA256, value->bytes, value->len, &pcr_digest, err))
                return err ? err->code : CT_E_CRYPTO;
        memcpy(buf + off, pcr_digest.bytes, pcr_digest.len);
        off += pcr_digest.len;
        if (ct_hash_buf(CT_HASH_SHA256, buf, off, &out, err))
                return err ? err->code : CT_E_CRYPTO;
        *ret = out;
        return CT_OK;
}

static EVP_PKEY *read_pem(const uint8_t *pem, size_t len, bool private)
{
        BIO *b = BIO_new_mem_buf(pem, (int)len);
        EVP_PKEY *k;

        if (!b)
                return NULL;
        k = private ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
        BIO_free(b);
        return k;
}

CT_EXPORT ct_code ct_uki_signer_new(const uint8_t *private_pem, size_t private_len, const uint8_t *public_pem,
                                    size_t public_len, ct_uki_signer **ret, ct_error *err)
{
        ct_uki_signer *s;
        EVP_PKEY *pub = NULL;
        unsigned char *der = NULL;
        int der_len;
        ct_code rc;

        if (!private_pem || !ret)
                return ct_error_set(err, CT_E_ARG, "signer: no private key");
        if (private_len > CT_MAX_UKI_KEY_SIZE || public_len > CT_MAX_UKI_KEY_SIZE)
                return ct_error_set(err, CT_E_LIMIT, "key file larger than %u bytes", CT_MAX_UKI_KEY_SIZE);
        s = calloc(1, sizeof(*s));
        if (!s)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        s->priv = read_pem(private_pem, private_len, true);
        if (!s->priv) {
                rc = ct_error_set(err, CT_E_MALFORMED, "not a PEM private key");
                goto fail;
        }
        if (EVP_PKEY_get_base_id(s->priv) != EVP_PKEY_RSA) {
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "private key: only RSA keys are supported");
                goto fail;
        }
        if (public_pem) {
                pub = read_pem(public_pem, public_len, false);
                if (!pub) {
                        rc = ct_error_set(err, CT_E_MALFORMED, "not a PEM public key");
                        goto fail;
                }
        }
        der_len = i2d_PublicKey(pub ? pub : s->priv, &der);
        if (der_len <= 0) {
                rc = ct_error_set(err, CT_E_CRYPTO, "cannot encode the public key");
                goto fail;
        }
        rc = ct_hash_buf(CT_HASH_SHA256, der, (size_t)der_len, &s->fingerprint, err);
        OPENSSL_free(der);
        if (rc)
                goto fail;
        EVP_PKEY_free(pub);
        *ret = s;
        return CT_OK;
fail:
        EVP_PKEY_free(pub);
        ct_uki_signer_free(s);
        return rc;
}

CT_EXPORT void ct_uki_signer_free(ct_uki_signer *s)
{
        if (!s)
                return;
        EVP_PKEY_free(s->priv);
        free(s);
}

CT_EXPORT const ct_digest *ct_uki_signer_fingerprint(const ct_uki_signer *s)
{
        return s ? &s->fingerprint : NULL;
}

CT_EXPORT ct_code ct_uki_sign_policy(const ct_uki_signer *s, ct_hash_alg md, const ct_digest *policy,
                                     uint8_t **ret_sig, size_t *ret_len, ct_error *err)
{
        EVP_MD_CTX *mdctx = NULL;
        uint8_t *sig = NULL;
        size_t len = 0;
        ct_code rc = CT_OK;

        if (!s || !policy || !ret_sig || !ret_len || !ct_hash_evp_md(md))
                return ct_error_set(err, CT_E_ARG, "sign: missing argument");
        mdctx = EVP_MD_CTX_new();
        if (!mdctx)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if (EVP_DigestSignInit(mdctx, NULL, ct_hash_evp_md(md), NULL, s->priv) != 1 ||
            EVP_DigestSign(mdctx, NULL, &len, policy->bytes, policy->len) != 1) {
                rc = ct_error_set(err, CT_E_CRYPTO, "cannot start the RSA signature");
                goto out;
        }
        sig = malloc(len);
        if (!sig) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        if (EVP_DigestSign(mdctx, sig, &len, policy->bytes, policy->len) != 1) {
                rc = ct_error_set(err, CT_E_CRYPTO, "RSA signature failed");
                free(sig);
                goto out;
        }
        *ret_sig = sig;
        *ret_len = len;
out:
        EVP_MD_CTX_free(mdctx);
        return rc;
}
