/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GUID text <-> on-disk bytes. Pairs from shared/specs/snp-launch-digest.md §1,
 * which were read from real OVMF images (uuid.UUID(...).bytes_le).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/codec.h>
#include <cocotrust/guid.h>

static const struct {
        const char *text;
        const char *disk;
} pairs[] = {
        { "96b582de-1fb2-45f7-baea-a366c55a082d", "de82b596b21ff745baeaa366c55a082d" },
        { "7255371f-3a3b-4b04-927b-1da6efa8d454", "1f3755723b3a044b927b1da6efa8d454" },
        { "dc886566-984a-4798-a75e-5585a7bf67cc", "666588dc4a989847a75e5585a7bf67cc" },
        { "4de79437-abd2-427f-b835-d5b172d2045b", "3794e74dd2ab7f42b835d5b172d2045b" },
};

static void test_pairs(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
                ct_guid g, d;
                uint8_t raw[16];
                char text[CT_GUID_STRING_MAX];

                assert_int_equal(ct_guid_parse(pairs[i].text, &g, NULL), CT_OK);
                assert_int_equal(ct_hex_decode(pairs[i].disk, raw, 16, NULL, NULL), CT_OK);
                assert_memory_equal(g.b, raw, 16);
                ct_guid_from_bytes(&d, raw);
                assert_true(ct_guid_equal(&g, &d));
                assert_string_equal(ct_guid_format(&d, text), pairs[i].text);
        }
}

static void test_init_macro(void **state)
{
        static const ct_guid footer =
                CT_GUID_INIT(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d);
        ct_guid g;

        (void)state;
        ct_guid_parse("96B582DE-1FB2-45F7-BAEA-A366C55A082D", &g, NULL);
        assert_true(ct_guid_equal(&g, &footer));
}

static void test_bad(void **state)
{
        ct_guid g;

        (void)state;
        assert_int_equal(ct_guid_parse("96b582de-1fb2-45f7-baea-a366c55a082", &g, NULL), CT_E_MALFORMED);
        assert_int_equal(ct_guid_parse("96b582de-1fb2-45f7-baea-a366c55a082dd", &g, NULL), CT_E_MALFORMED);
        assert_int_equal(ct_guid_parse("96b582de:1fb2-45f7-baea-a366c55a082d", &g, NULL), CT_E_MALFORMED);
        assert_int_equal(ct_guid_parse("96b582dg-1fb2-45f7-baea-a366c55a082d", &g, NULL), CT_E_MALFORMED);
        assert_int_equal(ct_guid_parse("", &g, NULL), CT_E_MALFORMED);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pairs),
                cmocka_unit_test(test_init_macro),
                cmocka_unit_test(test_bad),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
