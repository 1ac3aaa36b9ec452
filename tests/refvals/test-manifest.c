/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — manifest model, writer and strict reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cocotrust/codec.h>
#include <cocotrust/manifest.h>
#include <cocotrust/reference.h>

#include "sample.h"

static char *to_json(const ct_manifest *m, size_t *len)
{
        char *s[1] = { NULL };
        ct_error err;

        if (ct_manifest_to_json(m, s, len, &err) != CT_OK)
                fail_msg("ct_manifest_to_json: %s", err.msg);
        return s[0];
}

/* Same model -> same bytes; insertion order of artifacts does not matter; parse + write is the identity. */
static void test_roundtrip(void **state)
{
        ct_manifest *a = sample_manifest(false), *b = sample_manifest(true), *c = NULL;
        size_t la, lb, lc;
        char *sa = to_json(a, &la), *sb = to_json(b, &lb), *sc;
        ct_error err;

        (void)state;
        assert_int_equal(la, lb);
        assert_memory_equal(sa, sb, la);
        assert_int_equal(ct_manifest_parse((const uint8_t *)sa, la, &c, &err), CT_OK);
        sc = to_json(c, &lc);
        assert_int_equal(la, lc);
        assert_memory_equal(sa, sc, la);
        /* The parsed model holds the values. */
        assert_string_equal(c->name, "demo-image");
        assert_int_equal(c->n_snp, 2);
        assert_int_equal(c->snp[0].vcpus, 4);
        assert_int_equal(c->snp[0].measurement_len, 48);
        assert_int_equal(c->snp[1].measurement_len, 32);
        assert_null(c->snp[1].vcpu_type);
        assert_true(c->tdx_computed);
        assert_int_equal(c->n_tdx, 1);
        assert_int_equal(c->tdx[0].xfam, 0x602e7);
        assert_false(c->tdx[0].has_rtmr[3]);
        assert_true(c->tdx[0].has_rtmr[2]);
        assert_false(c->tdx[0].has_tdvfkernelparams);
        assert_int_equal(c->n_verity, 1);
        assert_int_equal(c->verity[0].salt_len, 4);
        assert_int_equal(c->verity[0].n_forms, 2);
        assert_int_equal(c->n_pcrs, 6);
        assert_non_null(ct_manifest_find_pcr(c, CT_HASH_SHA256, 11));
        assert_null(ct_manifest_find_pcr(c, CT_HASH_SHA256, 8));
        assert_int_equal(c->n_pcr11_phases, 2);
        assert_int_equal(c->n_captured_pcrs, 3);
        assert_int_equal(c->n_pcr_variants, 1);
        assert_string_equal(c->pcr_variants[0].variant, "secure_boot=on");
        assert_int_equal(c->pcr_variants[0].index, 4);
        assert_int_equal(c->n_init_data, 1);
        assert_int_equal(c->init_data[0].alg, CT_HASH_SHA384);
        const ct_manifest_artifact *fw = ct_manifest_find_artifact(c, "firmware");
        assert_non_null(fw);
        assert_int_equal(fw->size, 4194304);
        assert_int_equal(ct_manifest_artifact_param(fw, "vars_size")->i, -1);
        assert_false(ct_manifest_artifact_param(fw, "secure_boot")->b);
        assert_string_equal(ct_manifest_artifact_param(fw, "variant")->s, "edk2-stable202405");
        assert_string_equal(ct_manifest_find_note(c, "tdx")->text, "values from fixtures");
        /* Keys in the documented order: artifacts sorted, PCR indices numerically (4 before 11). */
        assert_true(strstr(sa, "\"cmdline\"") < strstr(sa, "\"firmware\""));
        assert_true(strstr(sa, "\"firmware\"") < strstr(sa, "\"kernel\""));
        assert_true(strstr(strstr(sa, "\"pcrs\""), "\"sha1\"") < strstr(strstr(sa, "\"pcrs\""), "\"sha256\""));
        assert_non_null(strstr(sa, "\"4\""));
        assert_true(strstr(strstr(sa, "\"sha256\": {"), "\"4\"") < strstr(strstr(sa, "\"sha256\": {"), "\"11\""));
        assert_non_null(strstr(sa, "\"xfam\": \"e702060000000000\""));
        assert_null(strstr(sa, "created"));
        free(sa);
        free(sb);
        free(sc);
        ct_manifest_free(a);
        ct_manifest_free(b);
        ct_manifest_free(c);
}

/* tdx not computed -> null, and a manifest without TDX reads back as not computed. */
static void test_tdx_null(void **state)
{
        ct_manifest *m = NULL, *r = NULL;
        size_t len;
        char *s;
        ct_error err;

        (void)state;
        assert_int_equal(ct_manifest_new("x", &m, &err), CT_OK);
        assert_int_equal(ct_manifest_set_note(m, "tdx", "not computed", &err), CT_OK);
        s = to_json(m, &len);
        assert_non_null(strstr(s, "\"tdx\": null"));
        assert_int_equal(ct_manifest_parse((const uint8_t *)s, len, &r, &err), CT_OK);
        assert_false(r->tdx_computed);
        assert_int_equal(r->n_tdx, 0);
        free(s);
        ct_manifest_free(m);
        ct_manifest_free(r);
}

/* Replace the first occurrence of `from` in the sample's JSON by `to`, parse, expect code and message. */
static void expect_bad(const char *from, const char *to, ct_code code, const char *msg)
{
        ct_manifest *m = sample_manifest(false), *r = NULL;
        size_t len;
        char *s = to_json(m, &len), *p = strstr(s, from), *t;
        ct_error err;

        if (!p)
                fail_msg("sample has no \"%s\"", from);
        t = malloc(len + strlen(to) + 1);
        assert_non_null(t);
        memcpy(t, s, (size_t)(p - s));
        strcpy(t + (p - s), to);
        strcat(t, p + strlen(from));
        ct_error_clear(&err);
        if (ct_manifest_parse((const uint8_t *)t, strlen(t), &r, &err) != code)
                fail_msg("%s -> %s: got %d (%s), want %d", from, to, err.code, err.msg, code);
        assert_null(r);
        if (!strstr(err.msg, msg))
                fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
        free(s);
        free(t);
        ct_manifest_free(m);
}

static void test_malformed(void **state)
{
        (void)state;
        expect_bad("\"schema_version\": 1", "\"schema_version\": 2", CT_E_UNSUPPORTED, "schema_version");
        expect_bad("\"schema_version\": 1", "\"schema_version\": \"1\"", CT_E_MALFORMED, "schema_version");
        expect_bad("\"schema_version\": 1,", "", CT_E_MALFORMED, "missing \"schema_version\"");
        expect_bad("\"name\": \"demo-image\"", "\"nam\": \"demo-image\"", CT_E_MALFORMED, "unknown key \"nam\"");
        expect_bad("\"vcpus\": 4", "\"vcpus\": -4", CT_E_MALFORMED, "snp[0]: \"vcpus\" is negative");
        expect_bad("\"vcpus\": 4", "\"vcpus\": 4.5", CT_E_MALFORMED, "snp[0]: \"vcpus\" is double");
        expect_bad("\"mode\": \"snp\"", "\"mode\": \"snq\"", CT_E_MALFORMED, "snp[0]: \"mode\": unknown mode");
        expect_bad("\"vmm\": \"QEMU\"", "\"vmm\": \"qemu\"", CT_E_MALFORMED, "snp[0]: \"vmm\"");
        expect_bad("\"guest_features\": \"0x1\"", "\"guest_features\": 1", CT_E_MALFORMED, "snp[0]: \"guest_features\"");
        expect_bad("\"guest_features\": \"0x1\"", "\"guest_features\": \"0X1\"", CT_E_MALFORMED, "guest_features");
        expect_bad("\"measurement\": \"abab", "\"measurement\": \"ab", CT_E_MALFORMED,
                   "snp[0]: \"measurement\": expected 96 hex digits, got 94");
        expect_bad("\"measurement\": \"abab", "\"measurement\": \"ABab", CT_E_MALFORMED, "not lower-case hex");
        expect_bad("\"mrtd\": \"0101", "\"mrtd\": \"01", CT_E_MALFORMED, "tdx[0]: \"mrtd\"");
        expect_bad("\"rtmr\": [", "\"rtmr\": [ null,", CT_E_MALFORMED, "tdx[0]: \"rtmr\" has 5 entries");
        expect_bad("\"xfam\": \"e7", "\"xfam\": \"e7e7", CT_E_MALFORMED, "tdx[0]: \"xfam\"");
        expect_bad("\"salt\": \"aabbccdd\"", "\"salt\": \"aabbccd\"", CT_E_MALFORMED, "verity[0]: \"salt\"");
        expect_bad("\"hash_type\": 1", "\"hash_type\": 2", CT_E_MALFORMED, "verity[0]: \"hash_type\" is 2");
        expect_bad("\"superblock\": true", "\"superblock\": 1", CT_E_MALFORMED, "verity[0]: \"superblock\" is int");
        expect_bad("\"roothash\": \"", "\"roothash\": 5, \"x\": \"", CT_E_MALFORMED, "verity[0].cmdline: \"roothash\"");
        expect_bad("\"sha1\": {", "\"sha2\": {", CT_E_MALFORMED, "pcrs: unknown bank \"sha2\"");
        expect_bad("\"4\": \"0404", "\"24\": \"0404", CT_E_MALFORMED, "bad PCR index \"24\"");
        expect_bad("\"4\": \"0404", "\"04\": \"0404", CT_E_MALFORMED, "bad PCR index \"04\"");
        expect_bad("\"4\": \"0404", "\"4\": \"04", CT_E_MALFORMED, "pcrs.sha1: \"4\": expected 40 hex digits");
        expect_bad("\"algorithm\": \"sha384\"", "\"algorithm\": \"md5\"", CT_E_MALFORMED, "init_data[0]: \"algorithm\"");
        expect_bad("\"sha256\": \"1111", "\"sha256\": \"11", CT_E_MALFORMED, "artifacts.kernel: \"sha256\"");
        expect_bad("\"path\": \"OVMF.fd\"", "\"file\": \"OVMF.fd\"", CT_E_MALFORMED, "artifacts.firmware: unknown key");
        expect_bad("\"vars_size\": -1", "\"vars_size\": [ ]", CT_E_MALFORMED, "parameter \"vars_size\" is array");
        expect_bad("\"vars_size\": -1", "\"Vars\": 1", CT_E_MALFORMED, "bad parameter name \"Vars\"");
        expect_bad("\"notes\": {", "\"notes\": { \"x\": 1,", CT_E_MALFORMED, "notes: \"x\" is int");
        expect_bad("\"snp\": [", "\"snp\": 7, \"q\": [", CT_E_MALFORMED, "unknown key \"q\"");
        expect_bad("\"snp\": [", "\"snp\": { \"a\": [", CT_E_MALFORMED, "JSON:");
        expect_bad("\"name\": \"demo-image\"", "\"name\": \"demo\\u0000image\"", CT_E_MALFORMED, "NUL character");
        /* Duplicates through the model's own checks. */
        expect_bad("\"kernel\": {", "\"firmware\": {", CT_E_MALFORMED, "");
}

static void test_syntax_and_limits(void **state)
{
        ct_manifest *r = NULL;
        ct_error err;
        char deep[256];
        const char *trunc = "{\n  \"schema_version\": 1,\n  \"name\": ";
        size_t n = 0;

        (void)state;
        assert_int_equal(ct_manifest_parse((const uint8_t *)trunc, strlen(trunc), &r, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "line 3"));
        assert_int_equal(ct_manifest_parse((const uint8_t *)"[]", 2, &r, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "expected object"));
        assert_int_equal(ct_manifest_parse((const uint8_t *)"{} {}", 5, &r, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "JSON: "));
        assert_int_equal(ct_manifest_parse((const uint8_t *)"{\0}", 3, &r, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "NUL byte"));
        n += (size_t)sprintf(deep, "{\"notes\":");
        for (int i = 0; i < CT_MAX_MANIFEST_DEPTH; i++)
                deep[n++] = '[';
        deep[n] = 0;
        assert_int_equal(ct_manifest_parse((const uint8_t *)deep, n, &r, &err), CT_E_LIMIT);
        assert_non_null(strstr(err.msg, "nesting"));
        assert_null(r);
        assert_int_equal(ct_manifest_parse(NULL, (size_t)CT_MAX_MANIFEST_BYTES + 1, &r, &err), CT_E_ARG);
}

static void test_model_checks(void **state)
{
        ct_manifest *m = NULL;
        ct_manifest_artifact *a = NULL;
        ct_manifest_pcr p = { .bank = CT_HASH_SHA256, .index = 24, .value = { .alg = CT_HASH_SHA256, .len = 32 } };
        ct_manifest_snp_row row = { .mode = (char *)"snp", .vmm = (char *)"QEMU", .measurement_len = 40 };
        ct_error err;
        char key[16];

        (void)state;
        assert_int_equal(ct_manifest_new("m", &m, &err), CT_OK);
        assert_int_equal(ct_manifest_add_text(m, "cmdline", "a", &a, &err), CT_OK);
        assert_int_equal(ct_manifest_add_text(m, "cmdline", "b", NULL, &err), CT_E_ARG);
        assert_non_null(strstr(err.msg, "given twice"));
        /* SHA-256("a") (FIPS 180 examples / `printf a | sha256sum`). */
        assert_string_equal(a->name, "cmdline");
        uint8_t want[32];
        sample_hex("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", want, 32, NULL);
        assert_memory_equal(a->sha256, want, 32);
        assert_int_equal(ct_manifest_add_pcr(m, &p, &err), CT_E_ARG);
        p.index = 23;
        assert_int_equal(ct_manifest_add_pcr(m, &p, &err), CT_OK);
        assert_int_equal(ct_manifest_add_pcr(m, &p, &err), CT_E_ARG);
        p.phase = (char *)"enter-initrd";
        assert_int_equal(ct_manifest_add_pcr(m, &p, &err), CT_E_ARG);
        assert_int_equal(ct_manifest_add_snp(m, &row, &err), CT_E_ARG);
        for (int i = 0; i < CT_MAX_MANIFEST_PARAMS; i++) {
                snprintf(key, sizeof(key), "k%d", i);
                assert_int_equal(ct_manifest_artifact_set_int(a, key, i, &err), CT_OK);
        }
        assert_int_equal(ct_manifest_artifact_set_int(a, "one-more", 1, &err), CT_E_LIMIT);
        assert_int_equal(ct_manifest_artifact_set_int(a, "k3", 1, &err), CT_E_ARG);
        assert_int_equal(ct_manifest_add_file(m, "missing", "/nonexistent/file", NULL, &err), CT_E_INPUT);
        assert_int_equal(ct_manifest_set_note(m, "Bad Key", "x", &err), CT_E_ARG);
        ct_manifest_free(m);
        ct_manifest_free(NULL);
}

/* Init-data forms: SHA-384("abc") and SHA-512("abc") are the FIPS 180-2 examples. */
static void test_init_data(void **state)
{
        ct_manifest_init_data d;
        uint8_t want[64], zero[48] = { 0 };
        ct_error err;
        const char *t384 = "# comment\nalgorithm = 'sha384'\n", *bad = "algorithm = \"md5\"\n";

        (void)state;
        assert_int_equal(ct_manifest_init_data_compute((const uint8_t *)"abc", 3, CT_HASH_SHA384, &d, &err), CT_OK);
        sample_hex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
                   want, 64, NULL);
        assert_memory_equal(d.digest.bytes, want, 48);
        assert_memory_equal(d.host_data, want, 32);
        assert_memory_equal(d.mrconfigid, want, 48);
        assert_int_equal(ct_manifest_init_data_compute((const uint8_t *)"abc", 3, CT_HASH_SHA512, &d, &err), CT_OK);
        sample_hex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
                   "454d4423643ce80e2a9ac94fa54ca49f",
                   want, 64, NULL);
        assert_memory_equal(d.mrconfigid, want, 48);
        assert_int_equal(ct_manifest_init_data_compute((const uint8_t *)"abc", 3, CT_HASH_SHA256, &d, &err), CT_OK);
        assert_memory_equal(d.mrconfigid + 32, zero, 16);
        assert_int_equal(ct_manifest_init_data_compute((const uint8_t *)t384, strlen(t384), CT_HASH_NONE, &d, &err),
                         CT_OK);
        assert_int_equal(d.alg, CT_HASH_SHA384);
        assert_int_equal(ct_manifest_init_data_compute((const uint8_t *)"x = 1\n", 6, CT_HASH_NONE, &d, &err), CT_OK);
        assert_int_equal(d.alg, CT_HASH_SHA256);
        assert_int_equal(ct_manifest_init_data_compute((const uint8_t *)bad, strlen(bad), CT_HASH_NONE, &d, &err),
                         CT_E_UNSUPPORTED);
        assert_int_equal(ct_manifest_init_data_compute((const uint8_t *)"abc", 3, CT_HASH_SHA1, &d, &err), CT_E_ARG);
}

/* Atomic write: a failed write leaves nothing; a second write replaces the file whole. */
static void test_write(void **state)
{
        ct_manifest *m = sample_manifest(false), *r = NULL;
        char dir[] = "/tmp/ct-manifest-XXXXXX", path[64], bad[96];
        ct_error err;

        (void)state;
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/m.json", dir);
        snprintf(bad, sizeof(bad), "%s/no/such/dir/m.json", dir);
        assert_int_equal(ct_manifest_write(m, bad, &err), CT_E_IO);
        assert_int_equal(ct_manifest_write(m, path, &err), CT_OK);
        assert_int_equal(ct_manifest_read(path, &r, &err), CT_OK);
        assert_int_equal(r->n_snp, 2);
        ct_manifest_free(r);
        unlink(path);
        rmdir(dir);
        ct_manifest_free(m);
}

/* verity-sig JSON: a valid one, and one case per malformation. */
static void test_verity_sig(void **state)
{
        static const char good[] = "{\"rootHash\":\"0f7fdeacc105290c286fff3c92a6d2301f4de7b7860c4bd9a75b59966fe079cf\","
                                   "\"certificateFingerprint\":\"70f38aca27ebe6b2b2432bbc6d22635f97964a19e2884a43a36d58d817f88184\","
                                   "\"signature\":\"MIIEkQ==\"}";
        static const struct {
                const char *json;
                const char *msg;
        } bad[] = {
                { "{\"rootHash\":\"zz\",\"signature\":\"MIIEkQ==\"}", "rootHash" },
                { "{\"signature\":\"MIIEkQ==\"}", "rootHash" },
                { "{\"rootHash\":\"0f7f\",\"signature\":\"MII!\"}", "signature" },
                { "{\"rootHash\":\"0f7f\",\"signature\":7}", "signature" },
                { "{\"rootHash\":\"0f7f\",\"certificateFingerprint\":\"00\",\"signature\":\"MIIEkQ==\"}", "certificateFingerprint" },
                { "{\"rootHash\":\"0f7f\",\"signature\":\"MIIEkQ==\",\"extra\":1}", "unknown key" },
                { "[1]", "not an object" },
                { "{\"rootHash\":", "JSON" },
        };
        uint8_t buf[512];
        ct_verity_sig s;
        ct_error err;

        (void)state;
        memset(buf, 0, sizeof(buf));
        memcpy(buf, good, strlen(good));
        assert_int_equal(ct_verity_sig_parse(buf, sizeof(buf), &s, &err), CT_OK);
        assert_int_equal(s.root_hash_len, 32);
        assert_true(s.has_fingerprint);
        assert_int_equal(s.signature_len, 4);
        ct_verity_sig_clear(&s);
        buf[sizeof(buf) - 1] = 'x';
        assert_int_equal(ct_verity_sig_parse(buf, sizeof(buf), &s, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "after the JSON"));
        memset(buf, 0, sizeof(buf));
        assert_int_equal(ct_verity_sig_parse(buf, sizeof(buf), &s, &err), CT_E_MALFORMED);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ct_error_clear(&err);
                assert_int_equal(ct_verity_sig_parse((const uint8_t *)bad[i].json, strlen(bad[i].json), &s, &err),
                                 CT_E_MALFORMED);
                if (!strstr(err.msg, bad[i].msg))
                        fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].json, err.msg, bad[i].msg);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip),       cmocka_unit_test(test_tdx_null),
                cmocka_unit_test(test_malformed),       cmocka_unit_test(test_syntax_and_limits),
                cmocka_unit_test(test_model_checks),    cmocka_unit_test(test_init_data),
                cmocka_unit_test(test_write),           cmocka_unit_test(test_verity_sig),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
