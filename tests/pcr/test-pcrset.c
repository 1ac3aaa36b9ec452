/* SPDX-License-Identifier: Apache-2.0 */
/* PCR-set text readers and ct_pcr_compare_sets: formats, malformed input, several sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/pcr.h>

static ct_code parse(const char *text, ct_pcr_format fmt, ct_pcr_set *s, ct_error *err)
{
        ct_pcr_set_init(s);
        return ct_pcr_set_parse_text(text, strlen(text), fmt, s, err);
}

static void test_pcrread_layouts(void **state)
{
        /* tpm2_pcrread ("0 :", "11:", upper case), tpm2_eventlog ("0  :", lower case), bare hex */
        static const char *const texts[] = {
                "  sha1:\n    0 : 0x0000000000000000000000000000000000000000\n"
                "    11: 0xAF811C3FA62257B3FA8688CBC27B6288A83DEC00\n",
                "pcrs:\n  sha1:\n    0  : 0x0000000000000000000000000000000000000000\n"
                "    11 : 0xaf811c3fa62257b3fa8688cbc27b6288a83dec00\n",
                "sha1:\n  0: '0000000000000000000000000000000000000000'\n  11: af811c3fa62257b3fa8688cbc27b6288a83dec00\n",
                "{\"schema_version\": 1, \"pcrs\": {\"sha1\": {\"0\": \"0000000000000000000000000000000000000000\","
                " \"11\": \"AF811C3FA62257B3FA8688CBC27B6288A83DEC00\"}}}",
        };
        (void)state;
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                ct_pcr_set s;
                ct_error err;
                ct_digest d;

                assert_int_equal(parse(texts[i], CT_PCR_FORMAT_AUTO, &s, &err), CT_OK);
                assert_int_equal(s.n_banks, 1);
                assert_int_equal(s.banks[0].present, (1u << 0) | (1u << 11));
                assert_true(ct_pcr_set_get(&s, CT_HASH_SHA1, 11, &d));
                assert_int_equal(d.bytes[0], 0xaf);
                assert_int_equal(d.bytes[19], 0x00);
                assert_false(ct_pcr_set_get(&s, CT_HASH_SHA256, 11, &d));
        }
}

static void test_other_keys_ignored(void **state)
{
        /* tpm2_quote output: quoted/signature/calcDigest around the pcrs: block */
        const char *t = "quoted: ff54\nsignature:\n  alg: rsassa\n  sig: 3326\npcrs:\n  sha256:\n"
                        "    0 : 0x90F4B39548DF55AD6187A1D20D731ECEE78C545B94AFD16F42EF7592D99CD365\n"
                        "calcDigest: fa48\n";
        ct_pcr_set s;
        ct_error err;

        (void)state;
        assert_int_equal(parse(t, CT_PCR_FORMAT_YAML, &s, &err), CT_OK);
        assert_int_equal(s.n_banks, 1);
        assert_int_equal(s.banks[0].alg, CT_HASH_SHA256);
        assert_int_equal(s.banks[0].present, 1u);
}

static void test_malformed(void **state)
{
        static const struct {
                const char *text;
                ct_code code;
        } bad[] = {
                { "  sha256:\n    0 : 0x00\n", CT_E_MALFORMED },                 /* short value */
                { "  sha1:\n    24: 0x0000000000000000000000000000000000000000\n", CT_E_MALFORMED },
                { "  sha1:\n    -1: 0x0000000000000000000000000000000000000000\n", CT_E_MALFORMED },
                { "  sha1:\n    0 : 0x000000000000000000000000000000000000000G\n", CT_E_MALFORMED },
                { "  sha1:\n    0 : [1, 2]\n", CT_E_MALFORMED },
                { "  sha1: [\n", CT_E_MALFORMED },
                { "just text\n", CT_E_MALFORMED },
                { "- a\n- b\n", CT_E_MALFORMED },
                { "{\"pcrs\": []}", CT_E_MALFORMED },
                { "{\"pcrs\": {\"md5\": {}}}", CT_E_UNSUPPORTED },
                { "{\"pcrs\": {\"sha1\": {\"0\": 1}}}", CT_E_MALFORMED },
                { "{\"pcrs\": {\"sha1\": {\"x\": \"00\"}}}", CT_E_MALFORMED },
                { "{\"pcrs\": {}}", CT_E_MALFORMED },
                { "{\"pcrs\": ", CT_E_MALFORMED },
                { "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
                  "{\"a\":{\"a\":{\"a\":{}}}}}}}}}}}}}}}}}}}",
                  CT_E_MALFORMED }, /* deeper than the JSON limit */
        };
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ct_pcr_set s;
                ct_error err;

                ct_error_clear(&err);
                assert_int_equal(parse(bad[i].text, CT_PCR_FORMAT_AUTO, &s, &err), bad[i].code);
                assert_true(err.msg[0] != 0);
        }
        /* NUL bytes and empty input */
        {
                ct_pcr_set s;
                ct_error err;
                assert_int_equal(ct_pcr_set_parse_text("  sha1:\0", 8, CT_PCR_FORMAT_AUTO, &s, &err), CT_E_MALFORMED);
                assert_true(err.has_offset);
                assert_int_equal(err.offset, 7);
                assert_int_equal(ct_pcr_set_parse_text("", 0, CT_PCR_FORMAT_AUTO, &s, &err), CT_E_MALFORMED);
        }
}

static void put(ct_pcr_set *s, ct_hash_alg alg, unsigned idx, uint8_t fill)
{
        ct_digest d;
        uint8_t v[64];

        memset(v, fill, sizeof(v));
        assert_int_equal(ct_digest_from_bytes(&d, alg, v, ct_hash_size(alg)), CT_OK);
        assert_int_equal(ct_pcr_set_put(s, idx, &d, NULL), CT_OK);
}

static void test_compare(void **state)
{
        ct_pcr_set a, b, c;
        const ct_pcr_set *others[2] = { &b, &c };
        ct_pcr_compare cmp;
        ct_error err;

        (void)state;
        ct_pcr_set_init(&a);
        ct_pcr_set_init(&b);
        ct_pcr_set_init(&c);
        /* PCR 0 equal everywhere; 1 differs in c only; 2 all zero; 17 all FF; 3 missing in c; 4 only in b */
        for (int k = 0; k < 3; k++) {
                ct_pcr_set *s = k == 0 ? &a : k == 1 ? &b : &c;
                put(s, CT_HASH_SHA256, 0, 0x11);
                put(s, CT_HASH_SHA256, 1, k == 2 ? 0x23 : 0x22);
                put(s, CT_HASH_SHA256, 2, 0x00);
                put(s, CT_HASH_SHA256, 17, 0xff);
                if (k != 2)
                        put(s, CT_HASH_SHA256, 3, 0x33);
                if (k == 1)
                        put(s, CT_HASH_SHA256, 4, 0x44);
        }
        put(&a, CT_HASH_SHA1, 0, 0x11); /* a bank only the reference has: not compared */
        assert_int_equal(ct_pcr_compare_sets(&a, others, 2, &cmp, &err), CT_OK);
        assert_int_equal(cmp.n_banks, 1);
        assert_int_equal(cmp.banks[0].alg, CT_HASH_SHA256);
        assert_int_equal(cmp.banks[0].common, 1u << 0);
        assert_int_equal(cmp.banks[0].different, 1u << 1);
        assert_int_equal(cmp.banks[0].unused, (1u << 2) | (1u << 17));
        assert_int_equal(cmp.banks[0].only_in_ref, 1u << 3);
        assert_int_equal(cmp.banks[0].only_in_other, 1u << 4);
        /* two sets: c vs a only */
        assert_int_equal(ct_pcr_compare_sets(&a, others + 1, 1, &cmp, &err), CT_OK);
        assert_int_equal(cmp.banks[0].different, 1u << 1);
        assert_int_equal(cmp.banks[0].only_in_ref, 1u << 3);
        assert_int_equal(cmp.banks[0].only_in_other, 0);
        assert_int_equal(ct_pcr_compare_sets(&a, others, 0, &cmp, &err), CT_E_ARG);
}

static void test_reset_value(void **state)
{
        uint8_t v[32];

        (void)state;
        memset(v, 0, sizeof(v));
        assert_true(ct_pcr_value_is_reset(v, 32));
        memset(v, 0xff, sizeof(v));
        assert_true(ct_pcr_value_is_reset(v, 32));
        v[5] = 0;
        assert_false(ct_pcr_value_is_reset(v, 32));
        assert_false(ct_pcr_value_is_reset(v, 0));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pcrread_layouts), cmocka_unit_test(test_other_keys_ignored),
                cmocka_unit_test(test_malformed),       cmocka_unit_test(test_compare),
                cmocka_unit_test(test_reset_value),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
