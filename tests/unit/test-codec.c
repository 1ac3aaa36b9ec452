/* SPDX-License-Identifier: Apache-2.0 */
/* Hex and base64. Base64 answers are the RFC 4648 §10 test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/codec.h>

static void test_hex(void **state)
{
        static const uint8_t bytes[] = { 0x00, 0x01, 0xab, 0xcd, 0xef, 0xff };
        char out[13];
        uint8_t back[6];
        size_t n = 0;
        ct_error err;

        (void)state;
        assert_string_equal(ct_hex_encode(bytes, sizeof(bytes), out), "0001abcdefff");
        assert_int_equal(ct_hex_decode("0001ABCDefFF", back, sizeof(back), &n, &err), CT_OK);
        assert_int_equal(n, 6);
        assert_memory_equal(back, bytes, 6);
        assert_int_equal(ct_hex_decode("", back, sizeof(back), &n, &err), CT_OK);
        assert_int_equal(n, 0);
        assert_int_equal(ct_hex_decode("abc", back, sizeof(back), &n, &err), CT_E_MALFORMED);
        assert_int_equal(ct_hex_decode("zz", back, sizeof(back), &n, &err), CT_E_MALFORMED);
        assert_int_equal(ct_hex_decode("0g", back, sizeof(back), &n, &err), CT_E_MALFORMED);
        assert_true(err.offset == 1);
        assert_int_equal(ct_hex_decode("00112233445566", back, sizeof(back), &n, &err), CT_E_LIMIT);
}

static void test_base64_rfc4648(void **state)
{
        static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
        static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
        char out[16];
        uint8_t back[16];
        size_t n;

        (void)state;
        for (size_t i = 0; i < 7; i++) {
                assert_string_equal(ct_base64_encode(plain[i], strlen(plain[i]), out), enc[i]);
                n = 99;
                assert_int_equal(ct_base64_decode(enc[i], back, sizeof(back), &n, NULL), CT_OK);
                assert_int_equal(n, strlen(plain[i]));
                assert_memory_equal(back, plain[i], n);
        }
        assert_int_equal(ct_base64_decode("Zg=", back, sizeof(back), &n, NULL), CT_E_MALFORMED);
        assert_int_equal(ct_base64_decode("Z=g=", back, sizeof(back), &n, NULL), CT_E_MALFORMED);
        assert_int_equal(ct_base64_decode("Zm9v!A==", back, sizeof(back), &n, NULL), CT_E_MALFORMED);
        assert_int_equal(ct_base64_decode("Zm9vYmFy", back, 5, &n, NULL), CT_E_LIMIT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hex),
                cmocka_unit_test(test_base64_rfc4648),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
