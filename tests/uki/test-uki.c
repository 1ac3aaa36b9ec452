/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UKI section lookup rules on synthetic section tables, with the expected
 * header choice worked out by hand from shared/specs/tpm-measured-boot.md
 * §1.3 and §1.6 (252: prefix match, last wins; 257: exact match, first
 * wins, base overridden by the chosen profile). PCR values are checked
 * against systemd-measure and real boots in test-uki-measure.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cocotrust/pe.h>
#include <cocotrust/reader.h>
#include <cocotrust/uki.h>

#define PE_OFF 0x80
#define SECT (PE_OFF + 24 + 112 + 16 * 8)

static uint8_t img[0x4000];

/* A PE32+ image whose section i has raw data at 0x1000 + 0x100*i, 0x10 bytes, VirtualSize 0x10. */
static ct_pe *build(const char *const *names, size_t n)
{
        ct_pe *pe = NULL;

        memset(img, 0, sizeof(img));
        img[0] = 'M';
        img[1] = 'Z';
        ct_put_le32(img + 0x3c, PE_OFF);
        memcpy(img + PE_OFF, "PE\0\0", 4);
        ct_put_le16(img + PE_OFF + 6, (uint16_t)n);
        ct_put_le16(img + PE_OFF + 20, 112 + 16 * 8);
        ct_put_le16(img + PE_OFF + 24, 0x20b);
        ct_put_le32(img + PE_OFF + 24 + 56, 0x100000); /* SizeOfImage */
        ct_put_le32(img + PE_OFF + 24 + 60, 0x1000);   /* SizeOfHeaders */
        ct_put_le32(img + PE_OFF + 24 + 108, 16);
        for (size_t i = 0; i < n; i++) {
                uint8_t *h = img + SECT + 40 * i;

                memcpy(h, names[i], strlen(names[i]));
                ct_put_le32(h + 8, 0x10);
                ct_put_le32(h + 12, 0x10000 + 0x1000 * (uint32_t)i);
                ct_put_le32(h + 16, 0x10);
                ct_put_le32(h + 20, 0x1000 + 0x100 * (uint32_t)i);
                memset(img + 0x1000 + 0x100 * i, (int)('a' + i), 0x10);
        }
        assert_int_equal(ct_pe_parse(img, sizeof(img), &pe, NULL), CT_OK);
        return pe;
}

static void test_252_prefix_last(void **state)
{
        static const char *const t[] = { ".linux", ".osrel", ".linuxZ", ".cmdline", ".cmdline" };
        ct_pe *pe = build(t, 5);
        ct_uki_parts p;

        (void)state;
        assert_int_equal(ct_uki_parts_from_pe(pe, CT_UKI_STUB_252, 0, &p, NULL), CT_OK);
        assert_int_equal(p.s[CT_UKI_LINUX].header_index, 2);   /* ".linuxZ" starts with ".linux", last */
        assert_int_equal(p.s[CT_UKI_OSREL].header_index, 1);
        assert_int_equal(p.s[CT_UKI_CMDLINE].header_index, 4); /* the last of two */
        assert_false(p.s[CT_UKI_INITRD].present);
        assert_int_equal(p.s[CT_UKI_LINUX].len, 0x10);
        assert_int_equal(p.s[CT_UKI_LINUX].data[0], 'c');
        assert_int_equal(ct_uki_parts_from_pe(pe, CT_UKI_STUB_252, 1, &p, NULL), CT_E_ARG);
        ct_pe_free(pe);
}

static void test_257_exact_first(void **state)
{
        static const char *const t[] = { ".linuxZ", ".linux", ".cmdline", ".cmdline", ".sbat" };
        ct_pe *pe = build(t, 5);
        ct_uki_parts p;

        (void)state;
        assert_int_equal(ct_uki_parts_from_pe(pe, CT_UKI_STUB_257, 0, &p, NULL), CT_OK);
        assert_int_equal(p.s[CT_UKI_LINUX].header_index, 1);
        assert_int_equal(p.s[CT_UKI_CMDLINE].header_index, 2);
        assert_int_equal(p.s[CT_UKI_SBAT].header_index, 4);
        /* 252 does not measure .sbat even though it is found; 254 and 257 do */
        assert_false(ct_uki_stub_measures(CT_UKI_STUB_252, CT_UKI_SBAT));
        assert_true(ct_uki_stub_measures(CT_UKI_STUB_254, CT_UKI_SBAT));
        assert_true(ct_uki_stub_measures(CT_UKI_STUB_257, CT_UKI_SBAT));
        assert_false(ct_uki_stub_measures(CT_UKI_STUB_254, CT_UKI_UCODE));
        assert_true(ct_uki_stub_measures(CT_UKI_STUB_257, CT_UKI_UCODE));
        assert_false(ct_uki_stub_measures(CT_UKI_STUB_257, CT_UKI_PCRSIG));
        ct_pe_free(pe);
}

static void test_257_profiles(void **state)
{
        /* base: 0 .linux 1 .osrel 2 .cmdline | profile 0: 3 .profile 4 .cmdline | profile 1: 5 .profile 6 .dtb */
        static const char *const t[] = { ".linux", ".osrel", ".cmdline", ".profile", ".cmdline", ".profile", ".dtb" };
        ct_pe *pe = build(t, 7);
        ct_uki_parts p;

        (void)state;
        assert_int_equal(ct_uki_parts_from_pe(pe, CT_UKI_STUB_257, 0, &p, NULL), CT_OK);
        assert_int_equal(p.s[CT_UKI_LINUX].header_index, 0);
        assert_int_equal(p.s[CT_UKI_CMDLINE].header_index, 4); /* the profile overrides the base */
        assert_int_equal(p.s[CT_UKI_PROFILE].header_index, 3);
        assert_false(p.s[CT_UKI_DTB].present);                 /* profile 1's .dtb is not seen */

        assert_int_equal(ct_uki_parts_from_pe(pe, CT_UKI_STUB_257, 1, &p, NULL), CT_OK);
        assert_int_equal(p.s[CT_UKI_CMDLINE].header_index, 2); /* profile 1 has none: the base's */
        assert_int_equal(p.s[CT_UKI_PROFILE].header_index, 5);
        assert_int_equal(p.s[CT_UKI_DTB].header_index, 6);
        assert_int_equal(p.s[CT_UKI_OSREL].header_index, 1);

        assert_int_equal(ct_uki_parts_from_pe(pe, CT_UKI_STUB_257, 2, &p, NULL), CT_E_ARG);
        ct_pe_free(pe);
}

static void test_257_overflowing_header_skipped(void **state)
{
        static const char *const t[] = { ".cmdline", ".cmdline", ".linux" };
        ct_pe *pe;
        ct_uki_parts p;

        (void)state;
        pe = build(t, 3);
        ct_pe_free(pe);
        /* first .cmdline: VirtualAddress + VirtualSize overflows 32 bits -> skipped by 257 */
        ct_put_le32(img + SECT + 12, 0xfffffff8);
        assert_int_equal(ct_pe_parse(img, sizeof(img), &pe, NULL), CT_OK);
        assert_int_equal(ct_uki_parts_from_pe(pe, CT_UKI_STUB_257, 0, &p, NULL), CT_OK);
        assert_int_equal(p.s[CT_UKI_CMDLINE].header_index, 1);
        ct_pe_free(pe);
}

static void test_phase_words(void **state)
{
        ct_digest a, b, h;

        (void)state;
        ct_digest_zero(&a, CT_HASH_SHA256);
        b = a;
        assert_int_equal(ct_uki_extend_phase(&a, ":", NULL, NULL, NULL), CT_OK);
        assert_int_equal(ct_uki_extend_phase(&a, "", NULL, NULL, NULL), CT_OK);
        assert_true(ct_digest_equal(&a, &b));
        /* "::enter-initrd::" == one extend with H("enter-initrd"), no NUL */
        assert_int_equal(ct_uki_extend_phase(&a, "::enter-initrd::", NULL, NULL, NULL), CT_OK);
        assert_int_equal(ct_hash_buf(CT_HASH_SHA256, "enter-initrd", 12, &h, NULL), CT_OK);
        assert_int_equal(ct_pcr_extend(&b, &h, NULL), CT_OK);
        assert_true(ct_digest_equal(&a, &b));
}

static void test_names(void **state)
{
        (void)state;
        assert_string_equal(ct_uki_section_name(CT_UKI_LINUX), ".linux");
        assert_int_equal(ct_uki_section_from_name(".pcrpkey"), CT_UKI_PCRPKEY);
        assert_int_equal(ct_uki_section_from_name(".text"), CT_UKI_SECTION__MAX);
        assert_null(ct_uki_section_name(CT_UKI_SECTION__MAX));
        assert_false(ct_uki_stub_known(255));
}

/* PEM text of a key, written by OpenSSL (private or public). */
static size_t pem_of(EVP_PKEY *k, bool private, char *out, size_t cap)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *p;
        long n;

        assert_non_null(b);
        assert_int_equal(private ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_PUBKEY(b, k), 1);
        n = BIO_get_mem_data(b, &p);
        assert_true(n > 0 && (size_t)n < cap);
        memcpy(out, p, (size_t)n);
        BIO_free(b);
        return (size_t)n;
}

/* The signer: signatures verify with OpenSSL, pkfp is SHA-256 of i2d_PublicKey, bad keys are refused. */
static void test_signer(void **state)
{
        static char pem[8192], pub[8192];
        EVP_PKEY *k = EVP_RSA_gen(2048), *ec = EVP_EC_gen("P-256");
        ct_uki_signer *s = NULL;
        ct_digest value, policy, fp;
        unsigned char *der = NULL;
        uint8_t *sig = NULL;
        size_t sig_len = 0, n;
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ct_error err;
        int der_len;

        (void)state;
        assert_non_null(k);
        assert_non_null(ec);
        n = pem_of(k, true, pem, sizeof(pem));
        assert_int_equal(ct_uki_signer_new((const uint8_t *)pem, n, NULL, 0, &s, &err), CT_OK);
        der_len = i2d_PublicKey(k, &der);
        assert_true(der_len > 0);
        assert_int_equal(ct_hash_buf(CT_HASH_SHA256, der, (size_t)der_len, &fp, &err), CT_OK);
        OPENSSL_free(der);
        assert_memory_equal(ct_uki_signer_fingerprint(s)->bytes, fp.bytes, 32);

        assert_int_equal(ct_hash_buf(CT_HASH_SHA1, "x", 1, &value, &err), CT_OK);
        assert_int_equal(ct_uki_policy_pcr(CT_HASH_SHA1, 11, &value, &policy, &err), CT_OK);
        assert_int_equal(policy.len, 32);
        assert_int_equal(ct_uki_sign_policy(s, CT_HASH_SHA1, &policy, &sig, &sig_len, &err), CT_OK);
        assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha1(), NULL, k), 1);
        assert_int_equal(EVP_DigestVerify(md, sig, sig_len, policy.bytes, policy.len), 1);
        free(sig);
        EVP_MD_CTX_free(md);

        /* bad arguments */
        assert_int_equal(ct_uki_policy_pcr(CT_HASH_SHA1, 24, &value, &policy, &err), CT_E_ARG);
        assert_int_equal(ct_uki_policy_pcr(CT_HASH_SHA256, 11, &value, &policy, &err), CT_E_ARG);
        ct_uki_signer_free(s);

        /* a separate public key is used for pkfp as given */
        n = pem_of(k, true, pem, sizeof(pem));
        {
                size_t pn = pem_of(ec, false, pub, sizeof(pub));

                s = NULL;
                assert_int_equal(ct_uki_signer_new((const uint8_t *)pem, n, (const uint8_t *)pub, pn, &s, &err),
                                 CT_OK);
                der = NULL;
                der_len = i2d_PublicKey(ec, &der);
                assert_true(der_len > 0);
                assert_int_equal(ct_hash_buf(CT_HASH_SHA256, der, (size_t)der_len, &fp, &err), CT_OK);
                OPENSSL_free(der);
                assert_memory_equal(ct_uki_signer_fingerprint(s)->bytes, fp.bytes, 32);
                ct_uki_signer_free(s);
                s = NULL;
                assert_int_equal(ct_uki_signer_new((const uint8_t *)pem, n, (const uint8_t *)"junk", 4, &s, &err),
                                 CT_E_MALFORMED);
                assert_null(s);
        }
        /* not RSA, not PEM, too large */
        n = pem_of(ec, true, pem, sizeof(pem));
        assert_int_equal(ct_uki_signer_new((const uint8_t *)pem, n, NULL, 0, &s, &err), CT_E_UNSUPPORTED);
        assert_int_equal(ct_uki_signer_new((const uint8_t *)"not a key", 9, NULL, 0, &s, &err), CT_E_MALFORMED);
        assert_int_equal(ct_uki_signer_new((const uint8_t *)pem, CT_MAX_UKI_KEY_SIZE + 1, NULL, 0, &s, &err),
                         CT_E_LIMIT);
        assert_null(s);
        EVP_PKEY_free(k);
        EVP_PKEY_free(ec);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_252_prefix_last),
                cmocka_unit_test(test_signer),
                cmocka_unit_test(test_257_exact_first),
                cmocka_unit_test(test_257_profiles),
                cmocka_unit_test(test_257_overflowing_header_skipped),
                cmocka_unit_test(test_phase_words),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
