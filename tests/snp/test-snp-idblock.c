/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src/lib/snp/idblock.c against sev-snp-measure's tests/test_id_block.py
 * (its key files in tests/vectors/snp/idblock/ and its expected ID block and
 * key digests, copied below), with the signatures checked by OpenSSL's
 * EVP_DigestVerify under the keys' public halves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/snp.h>

#define KEYS CT_SOURCE_ROOT "/tests/vectors/snp/idblock/"
/* sev-snp-measure tests/test_id_block.py (commit 8f2b337e38bc83f87cd30f3253cdfe8e3e12cc3a) */
#define LD_B64 "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t"
#define BLOCK_B64                                                                                                     \
        "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t"                                          \
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA"
#define ID_HASH_B64 "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU"
#define AUTHOR_B64 "YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX"

static ct_blob idk, ak;
static uint8_t ld[48];

static int setup(void **state)
{
        size_t n = 0;

        (void)state;
        if (ct_blob_read(KEYS "id_key_test.pem", 0, &idk, NULL) || ct_blob_read(KEYS "author_key_test.pem", 0, &ak, NULL) ||
            ct_base64_decode(LD_B64, ld, sizeof(ld), &n, NULL) || n != 48)
                return -1;
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        ct_blob_free(&idk);
        ct_blob_free(&ak);
        return 0;
}

static void b64_is(const uint8_t *b, size_t n, const char *want)
{
        char out[256];

        assert_true(4 * ((n + 2) / 3) < sizeof(out));
        assert_string_equal(ct_base64_encode(b, n, out), want);
}

/* OpenSSL verifies the SNP signature structure (r, s little-endian) over data with the public half of pem. */
static void verify(const ct_blob *pem, const uint8_t *data, size_t len, const uint8_t sig[512])
{
        BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        ECDSA_SIG *s = ECDSA_SIG_new();
        BIGNUM *r = BN_lebin2bn(sig, 72, NULL), *ss = BN_lebin2bn(sig + 72, 72, NULL);
        unsigned char *der = NULL;
        int dlen;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();

        assert_non_null(k);
        assert_int_equal(ECDSA_SIG_set0(s, r, ss), 1);
        dlen = i2d_ECDSA_SIG(s, &der);
        assert_true(dlen > 0);
        assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, k), 1);
        assert_int_equal(EVP_DigestVerify(ctx, der, (size_t)dlen, data, len), 1);
        for (size_t i = 144; i < 512; i++)
                assert_int_equal(sig[i], 0);
        OPENSSL_free(der);
        EVP_MD_CTX_free(ctx);
        ECDSA_SIG_free(s);
        EVP_PKEY_free(k);
        BIO_free(bio);
}

static void test_encode(void **state)
{
        ct_snp_id_block_params p;
        uint8_t b[CT_SNP_ID_BLOCK_SIZE];

        (void)state;
        ct_snp_id_block_defaults(&p, ld);
        assert_int_equal(p.version, 1);
        assert_int_equal(p.policy, 0x30000);
        ct_snp_id_block_encode(&p, b);
        b64_is(b, sizeof(b), BLOCK_B64);
        p.policy = 0x0102030405060708ull;
        p.guest_svn = 0x0a0b0c0d;
        ct_snp_id_block_encode(&p, b);
        assert_int_equal(b[88], 0x08); /* little-endian */
        assert_int_equal(b[95], 0x01);
        assert_int_equal(b[84], 0x0d);
}

static void test_key_digest(void **state)
{
        uint8_t pub[CT_SNP_ECC_PUBKEY_SIZE], d[48];

        (void)state;
        assert_int_equal(ct_snp_key_digest(idk.data, idk.len, pub, d, NULL), CT_OK);
        b64_is(d, 48, ID_HASH_B64);
        assert_int_equal(pub[0], 2); /* curve P-384 */
        assert_int_equal(ct_snp_key_digest(ak.data, ak.len, NULL, d, NULL), CT_OK);
        b64_is(d, 48, AUTHOR_B64);
}

static void test_sign(void **state)
{
        ct_snp_id_block_params p;
        ct_snp_id_block *r = malloc(sizeof(*r)), *r2 = malloc(sizeof(*r2));

        (void)state;
        assert_non_null(r);
        assert_non_null(r2);
        ct_snp_id_block_defaults(&p, ld);
        assert_int_equal(ct_snp_id_block_sign(&p, idk.data, idk.len, ak.data, ak.len, r, NULL), CT_OK);
        b64_is(r->id_block, sizeof(r->id_block), BLOCK_B64);
        b64_is(r->id_key_digest, 48, ID_HASH_B64);
        b64_is(r->author_key_digest, 48, AUTHOR_B64);
        assert_int_equal(r->id_auth[0], 1);
        assert_int_equal(r->id_auth[4], 1);
        verify(&idk, r->id_block, sizeof(r->id_block), r->id_auth + 0x40);
        verify(&ak, r->id_auth + 0x240, CT_SNP_ECC_PUBKEY_SIZE, r->id_auth + 0x680);
        /* a second signature differs (random k) and verifies too */
        assert_int_equal(ct_snp_id_block_sign(&p, idk.data, idk.len, ak.data, ak.len, r2, NULL), CT_OK);
        assert_memory_not_equal(r->id_auth + 0x40, r2->id_auth + 0x40, 144);
        verify(&idk, r2->id_block, sizeof(r2->id_block), r2->id_auth + 0x40);
        free(r);
        free(r2);
}

static void test_errors(void **state)
{
        ct_snp_id_block_params p;
        ct_snp_id_block *r = calloc(1, sizeof(*r));
        EVP_PKEY *k256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        BIO *bio = BIO_new(BIO_s_mem());
        char *pem = NULL;
        long plen;
        uint8_t d[48] = { 0x5a };
        char *big = malloc(CT_MAX_SNP_KEY_FILE_SIZE + 1);
        ct_error err;

        (void)state;
        assert_non_null(r);
        assert_non_null(big);
        assert_non_null(k256);
        assert_int_equal(PEM_write_bio_PrivateKey(bio, k256, NULL, NULL, 0, NULL, NULL), 1);
        plen = BIO_get_mem_data(bio, &pem);
        ct_snp_id_block_defaults(&p, ld);
        assert_int_equal(ct_snp_id_block_sign(&p, pem, (size_t)plen, ak.data, ak.len, r, &err), CT_E_UNSUPPORTED);
        assert_non_null(strstr(err.msg, "ID key"));
        assert_int_equal(ct_snp_id_block_sign(&p, idk.data, idk.len, pem, (size_t)plen, r, &err), CT_E_UNSUPPORTED);
        assert_non_null(strstr(err.msg, "author key"));
        assert_int_equal(ct_snp_id_block_sign(&p, "", 0, ak.data, ak.len, r, &err), CT_E_MALFORMED);
        assert_int_equal(ct_snp_id_block_sign(&p, "junk", 4, ak.data, ak.len, r, &err), CT_E_MALFORMED);
        memset(big, 'A', CT_MAX_SNP_KEY_FILE_SIZE + 1);
        assert_int_equal(ct_snp_key_digest(big, CT_MAX_SNP_KEY_FILE_SIZE + 1, NULL, d, &err), CT_E_LIMIT);
        assert_int_equal(ct_snp_key_digest(idk.data, idk.len / 2, NULL, d, &err), CT_E_MALFORMED); /* cut PEM */
        assert_int_equal(d[0], 0x5a); /* untouched */
        for (size_t i = 0; i < sizeof(*r); i++)
                assert_int_equal(((uint8_t *)r)[i], 0);
        free(big);
        BIO_free(bio);
        EVP_PKEY_free(k256);
        free(r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_encode),
                cmocka_unit_test(test_key_digest),
                cmocka_unit_test(test_sign),
                cmocka_unit_test(test_errors),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
