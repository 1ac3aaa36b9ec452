/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/reader.h>

static const uint8_t buf[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };

static void test_values(void **state)
{
        ct_reader r;
        uint8_t out[2];

        (void)state;
        ct_reader_init(&r, buf, sizeof(buf), 0);
        assert_int_equal(ct_reader_u8(&r, "a"), 0x01);
        assert_int_equal(ct_reader_u16le(&r, "b"), 0x0302);
        assert_int_equal(ct_reader_u32le(&r, "c"), 0x07060504u);
        assert_true(ct_reader_u64le(&r, "d") == 0x0f0e0d0c0b0a0908ull);
        assert_true(ct_reader_ok(&r));
        assert_int_equal(ct_reader_remaining(&r), 0);

        ct_reader_init(&r, buf, sizeof(buf), 0);
        assert_int_equal(ct_reader_u16be(&r, "x"), 0x0102);
        assert_int_equal(ct_reader_u32be(&r, "y"), 0x03040506u);
        ct_reader_bytes(&r, out, 2, "z");
        assert_int_equal(out[0], 0x07);
        assert_int_equal(out[1], 0x08);
        assert_int_equal(ct_reader_pos(&r), 8);
}

/* Every width, one byte short: fails, reports the offset, and stays failed. */
static void test_one_short(void **state)
{
        static const size_t widths[] = { 1, 2, 4, 8 };
        ct_error err;

        (void)state;
        for (size_t w = 0; w < 4; w++) {
                size_t n = widths[w];
                ct_reader r;
                uint64_t v = 0;

                ct_reader_init(&r, buf, n - 1, 0x100);
                switch (n) {
                case 1: v = ct_reader_u8(&r, "f"); break;
                case 2: v = ct_reader_u16le(&r, "f"); break;
                case 4: v = ct_reader_u32le(&r, "f"); break;
                case 8: v = ct_reader_u64le(&r, "f"); break;
                }
                assert_true(v == 0);
                assert_false(ct_reader_ok(&r));
                assert_int_equal(r.err, CT_E_TRUNCATED);
                assert_true(r.err_offset == 0x100);
                assert_int_equal(ct_reader_error(&r, &err), CT_E_TRUNCATED);
                assert_true(err.has_offset);
                assert_true(err.offset == 0x100);
                assert_non_null(strstr(err.msg, "f:"));
                assert_non_null(strstr(err.msg, "0x100"));
                /* sticky: a read that would fit still fails */
                assert_int_equal(ct_reader_u8(&r, "g"), 0);
                assert_false(ct_reader_ok(&r));
                assert_string_equal(r.err_field, "f");

                /* exactly enough succeeds */
                ct_reader_init(&r, buf, n, 0);
                ct_reader_skip(&r, n, "f");
                assert_true(ct_reader_ok(&r));
        }
}

static void test_bytes_short_zero_fills(void **state)
{
        uint8_t out[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
        ct_reader r;

        (void)state;
        ct_reader_init(&r, buf, 3, 0);
        ct_reader_bytes(&r, out, 4, "blob");
        assert_false(ct_reader_ok(&r));
        for (int i = 0; i < 4; i++)
                assert_int_equal(out[i], 0);
        ct_reader_init(&r, buf, 3, 0);
        assert_null(ct_reader_ptr(&r, 4, "p"));
}

static void test_huge_length_no_wrap(void **state)
{
        ct_reader r;

        (void)state;
        ct_reader_init(&r, buf, sizeof(buf), 0);
        ct_reader_skip(&r, 4, "a");
        ct_reader_skip(&r, SIZE_MAX - 2, "huge");
        assert_int_equal(r.err, CT_E_TRUNCATED);
        assert_string_equal(r.err_field, "huge");
        assert_true(r.err_offset == 4);
}

static void test_sub(void **state)
{
        ct_reader r, s, t;

        (void)state;
        ct_reader_init(&r, buf, sizeof(buf), 0x1000);
        ct_reader_skip(&r, 2, "a");
        ct_reader_sub(&r, 4, &s, "section");
        assert_true(ct_reader_ok(&r));
        assert_int_equal(ct_reader_pos(&r), 6);
        assert_true(s.base == 0x1002);
        assert_int_equal(ct_reader_u32le(&s, "v"), 0x06050403u);
        /* reading past the sub fails with the absolute offset, the parent is untouched */
        ct_reader_u8(&s, "past");
        assert_false(ct_reader_ok(&s));
        assert_true(s.err_offset == 0x1006);
        assert_true(ct_reader_ok(&r));

        /* sub one byte longer than what remains */
        ct_reader_sub(&r, ct_reader_remaining(&r) + 1, &t, "toolong");
        assert_false(ct_reader_ok(&r));
        assert_false(ct_reader_ok(&t));

        ct_reader_init(&r, buf, sizeof(buf), 0);
        ct_reader_sub_at(&r, 10, 5, &t, "tail");
        assert_true(ct_reader_ok(&t));
        assert_int_equal(ct_reader_u8(&t, "x"), 0x0b);
        ct_reader_sub_at(&r, 10, 6, &t, "tail+1");
        assert_false(ct_reader_ok(&t));
        assert_false(ct_reader_ok(&r));

        ct_reader_init(&r, buf, sizeof(buf), 0);
        ct_reader_sub_at(&r, SIZE_MAX, 1, &t, "wrap");
        assert_false(ct_reader_ok(&r));
}

static void test_seek_and_fail(void **state)
{
        ct_reader r;
        ct_error err;

        (void)state;
        ct_reader_init(&r, buf, sizeof(buf), 0);
        ct_reader_seek(&r, sizeof(buf), "end");
        assert_true(ct_reader_ok(&r));
        ct_reader_seek(&r, sizeof(buf) + 1, "past");
        assert_false(ct_reader_ok(&r));

        ct_reader_init(&r, buf, sizeof(buf), 0);
        ct_reader_skip(&r, 3, "x");
        ct_reader_fail(&r, CT_E_MALFORMED, "magic");
        assert_int_equal(ct_reader_error(&r, &err), CT_E_MALFORMED);
        assert_true(err.offset == 3);
        assert_non_null(strstr(err.msg, "magic"));
}

static void test_codecs(void **state)
{
        uint8_t b[8];

        (void)state;
        ct_put_le64(b, 0x0102030405060708ull);
        assert_int_equal(b[0], 0x08);
        assert_int_equal(b[7], 0x01);
        assert_true(ct_get_le64(b) == 0x0102030405060708ull);
        ct_put_be32(b, 0xdeadbeef);
        assert_int_equal(b[0], 0xde);
        assert_int_equal(ct_get_be32(b), 0xdeadbeef);
        ct_put_le16(b, 0xabcd);
        assert_int_equal(ct_get_le16(b), 0xabcd);
        ct_put_be16(b, 0xabcd);
        assert_int_equal(ct_get_be16(b), 0xabcd);
}

static void test_null_buffer(void **state)
{
        ct_reader r;

        (void)state;
        ct_reader_init(&r, NULL, 100, 0);
        assert_int_equal(ct_reader_remaining(&r), 0);
        ct_reader_u8(&r, "x");
        assert_false(ct_reader_ok(&r));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_values),         cmocka_unit_test(test_one_short),
                cmocka_unit_test(test_bytes_short_zero_fills), cmocka_unit_test(test_huge_length_no_wrap),
                cmocka_unit_test(test_sub),            cmocka_unit_test(test_seek_and_fail),
                cmocka_unit_test(test_codecs),         cmocka_unit_test(test_null_buffer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
