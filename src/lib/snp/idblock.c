/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNP ID block and ID authentication information, as sev-snp-measure 0.0.13's
 * snp-create-id-block builds them (sevsnpmeasure/id_block.py: layout only,
 * no code taken). Keys and signatures go through OpenSSL (EVP, ECDSA_SIG).
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cocotrust/reader.h>
#include <cocotrust/snp.h>

#include "../internal.h"

#define CURVE_P384 2
#define KEY_ALGO_ECDSA_P384_SHA384 1
#define COORD 72 /* Qx, Qy, r, s: 72 little-endian bytes each */

/* ID_AUTH_INFO offsets */
#define AUTH_ID_KEY_ALGO 0x000
#define AUTH_AUTHOR_KEY_ALGO 0x004
#define AUTH_BLOCK_SIG 0x040
#define AUTH_ID_KEY 0x240
#define AUTH_ID_KEY_SIG 0x680
#define AUTH_AUTHOR_KEY 0x880
_Static_assert(AUTH_BLOCK_SIG + CT_SNP_ECC_SIG_SIZE == AUTH_ID_KEY, "block_sig is followed by id_key");
_Static_assert(AUTH_ID_KEY + CT_SNP_ECC_PUBKEY_SIZE + 60 == AUTH_ID_KEY_SIG, "60 reserved bytes after id_key");
_Static_assert(AUTH_AUTHOR_KEY + CT_SNP_ECC_PUBKEY_SIZE + 892 == CT_SNP_ID_AUTH_SIZE, "892 reserved bytes at the end");

CT_EXPORT void ct_snp_id_block_defaults(ct_snp_id_block_params *p, const uint8_t launch_digest[CT_SNP_LD_SIZE])
{
        memset(p, 0, sizeof(*p));
        memcpy(p->launch_digest, launch_digest, CT_SNP_LD_SIZE);
        p->version = CT_SNP_ID_BLOCK_DEFAULT_VERSION;
        p->policy = CT_SNP_ID_BLOCK_DEFAULT_POLICY;
}

CT_EXPORT void ct_snp_id_block_encode(const ct_snp_id_block_params *p, uint8_t ret[CT_SNP_ID_BLOCK_SIZE])
{
        memcpy(ret, p->launch_digest, 48);
        memcpy(ret + 48, p->family_id, 16);
        memcpy(ret + 64, p->image_id, 16);
        ct_put_le32(ret + 80, p->version);
        ct_put_le32(ret + 84, p->guest_svn);
        ct_put_le64(ret + 88, p->policy);
}

static void pkey_freep(EVP_PKEY **k)
{
        EVP_PKEY_free(*k);
}

#define cleanup_pkey __attribute__((cleanup(pkey_freep)))

/* A PEM private key (or, with pub_ok, a public key) on P-384. */
static ct_code load_key(const void *pem, size_t len, bool pub_ok, const char *what, EVP_PKEY **ret, ct_error *err)
{
        BIO *bio;
        EVP_PKEY *k;
        char group[64];
        size_t glen = 0;

        if (!pem || len == 0)
                return ct_error_set(err, CT_E_MALFORMED, "%s: empty", what);
        if (len > CT_MAX_SNP_KEY_FILE_SIZE)
                return ct_error_set(err, CT_E_LIMIT, "%s: %zu bytes, limit %u", what, len, CT_MAX_SNP_KEY_FILE_SIZE);
        bio = BIO_new_mem_buf(pem, (int)len);
        if (!bio)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        if (!k && pub_ok) {
                (void)BIO_reset(bio);
                k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        }
        BIO_free(bio);
        if (!k) {
                ERR_clear_error(); /* leave no OpenSSL error behind for the caller */
                return ct_error_set(err, CT_E_MALFORMED, "%s: not a PEM %s key (without a passphrase)", what,
                                    pub_ok ? "EC private or public" : "EC private");
        }
        if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
            !EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) ||
            strcmp(group, "secp384r1") != 0) {
                EVP_PKEY_free(k);
                return ct_error_set(err, CT_E_UNSUPPORTED, "%s: SNP only supports ECDSA keys on the curve P-384",
                                    what);
        }
        *ret = k;
        return CT_OK;
}

/* The 1028-byte public key structure of k. */
static ct_code marshal_pub(EVP_PKEY *k, uint8_t out[CT_SNP_ECC_PUBKEY_SIZE], ct_error *err)
{
        BIGNUM *x = NULL, *y = NULL;
        ct_code rc = CT_OK;

        memset(out, 0, CT_SNP_ECC_PUBKEY_SIZE);
        ct_put_le32(out, CURVE_P384);
        if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
            !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) || BN_bn2lebinpad(x, out + 4, COORD) != COORD ||
            BN_bn2lebinpad(y, out + 4 + COORD, COORD) != COORD)
                rc = ct_error_set(err, CT_E_CRYPTO, "cannot read the EC public key");
        BN_free(x);
        BN_free(y);
        return rc;
}

static ct_code sha384(const void *data, size_t len, uint8_t out[CT_SNP_LD_SIZE], ct_error *err)
{
        ct_digest d;
        ct_code rc = ct_hash_buf(CT_HASH_SHA384, data, len, &d, err);

        if (!rc)
                memcpy(out, d.bytes, CT_SNP_LD_SIZE);
        return rc;
}

CT_EXPORT ct_code ct_snp_key_digest(const void *pem, size_t len, uint8_t ret_pubkey[CT_SNP_ECC_PUBKEY_SIZE],
                                    uint8_t ret_digest[CT_SNP_LD_SIZE], ct_error *err)
{
        cleanup_pkey EVP_PKEY *k = NULL;
        uint8_t pub[CT_SNP_ECC_PUBKEY_SIZE], d[CT_SNP_LD_SIZE];
        ct_code rc;

        rc = load_key(pem, len, true, "key", &k, err);
        if (!rc)
                rc = marshal_pub(k, pub, err);
        if (!rc)
                rc = sha384(pub, sizeof(pub), d, err);
        if (rc)
                return rc;
        if (ret_pubkey)
                memcpy(ret_pubkey, pub, sizeof(pub));
        if (ret_digest)
                memcpy(ret_digest, d, sizeof(d));
        return CT_OK;
}

/* ECDSA-SHA384 of data with k, as the 512-byte SNP signature structure (r, s little-endian). */
static ct_code sign(EVP_PKEY *k, const uint8_t *data, size_t len, uint8_t out[CT_SNP_ECC_SIG_SIZE], ct_error *err)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned char der[256];
        const unsigned char *p = der;
        size_t dlen = sizeof(der);
        ECDSA_SIG *sig = NULL;
        const BIGNUM *r, *s;
        ct_code rc = CT_OK;

        memset(out, 0, CT_SNP_ECC_SIG_SIZE);
        if (!ctx || EVP_DigestSignInit_ex(ctx, NULL, "SHA384", NULL, NULL, k, NULL) != 1 ||
            EVP_DigestSign(ctx, der, &dlen, data, len) != 1 || !(sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen))) {
                rc = ct_error_set(err, CT_E_CRYPTO, "ECDSA P-384 signature failed");
                goto out;
        }
        ECDSA_SIG_get0(sig, &r, &s);
        if (BN_bn2lebinpad(r, out, COORD) != COORD || BN_bn2lebinpad(s, out + COORD, COORD) != COORD)
                rc = ct_error_set(err, CT_E_CRYPTO, "ECDSA P-384 signature failed");
out:
        ECDSA_SIG_free(sig);
        EVP_MD_CTX_free(ctx);
        return rc;
}

CT_EXPORT ct_code ct_snp_id_block_sign(const ct_snp_id_block_params *p, const void *id_key_pem, size_t id_key_len,
                                       const void *author_key_pem, size_t author_key_len, ct_snp_id_block *ret,
                                       ct_error *err)
{
        cleanup_pkey EVP_PKEY *idk = NULL;
        cleanup_pkey EVP_PKEY *ak = NULL;
        ct_cleanup_free ct_snp_id_block *r = NULL;
        ct_code rc;

        if (!p || !ret)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        r = calloc(1, sizeof(*r));
        if (!r)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        rc = load_key(id_key_pem, id_key_len, false, "ID key", &idk, err);
        if (!rc)
                rc = load_key(author_key_pem, author_key_len, false, "author key", &ak, err);
        if (rc)
                return rc;
        ct_snp_id_block_encode(p, r->id_block);
        ct_put_le32(r->id_auth + AUTH_ID_KEY_ALGO, KEY_ALGO_ECDSA_P384_SHA384);
        ct_put_le32(r->id_auth + AUTH_AUTHOR_KEY_ALGO, KEY_ALGO_ECDSA_P384_SHA384);
        rc = marshal_pub(idk, r->id_auth + AUTH_ID_KEY, err);
        if (!rc)
                rc = marshal_pub(ak, r->id_auth + AUTH_AUTHOR_KEY, err);
        if (!rc)
                rc = sign(idk, r->id_block, CT_SNP_ID_BLOCK_SIZE, r->id_auth + AUTH_BLOCK_SIG, err);
        if (!rc)
                rc = sign(ak, r->id_auth + AUTH_ID_KEY, CT_SNP_ECC_PUBKEY_SIZE, r->id_auth + AUTH_ID_KEY_SIG, err);
        if (!rc)
                rc = sha384(r->id_auth + AUTH_ID_KEY, CT_SNP_ECC_PUBKEY_SIZE, r->id_key_digest, err);
        if (!rc)
                rc = sha384(r->id_auth + AUTH_AUTHOR_KEY, CT_SNP_ECC_PUBKEY_SIZE, r->author_key_digest, err);
        if (rc)
                return rc;
        *ret = *r;
        return CT_OK;
}
