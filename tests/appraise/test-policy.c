/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The built-in policy table and the .rego scanner against
 * tests/vectors/policy/reference-values.json (derived from trustee @78962cd,
 * see the README there), the scanner on every .rego file there, and the RVPS
 * export and lint: every shape rule, one wrong-shape case per TEE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include <cocotrust/codec.h>
#include <cocotrust/manifest.h>
#include <cocotrust/rvps.h>

#define VEC CT_SOURCE_ROOT "/tests/vectors/policy/"

static char *slurp(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        char *buf;
        long n;

        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = malloc((size_t)n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
        buf[n] = '\0';
        fclose(f);
        *len = (size_t)n;
        return buf;
}

static ct_rv_op op_of(const char *s)
{
        if (strcmp(s, "in") == 0)
                return CT_RV_OP_IN;
        if (strcmp(s, "==") == 0)
                return CT_RV_OP_EQ;
        if (strcmp(s, ">=") == 0)
                return CT_RV_OP_GE;
        fail_msg("operator %s", s);
        return CT_RV_OP_UNKNOWN;
}

static ct_rv_type type_of(const char *s)
{
        if (strncmp(s, "hex string, 96", 14) == 0)
                return CT_RV_TYPE_HEX96;
        if (strncmp(s, "hex string, 64", 14) == 0)
                return CT_RV_TYPE_HEX64;
        if (strncmp(s, "hex string, 16", 14) == 0)
                return CT_RV_TYPE_HEX16;
        if (strncmp(s, "string: base64", 14) == 0)
                return CT_RV_TYPE_B64;
        if (strncmp(s, "string", 6) == 0)
                return CT_RV_TYPE_STRING;
        if (strcmp(s, "integer") == 0)
                return CT_RV_TYPE_INTEGER;
        if (strcmp(s, "number") == 0)
                return CT_RV_TYPE_NUMBER;
        if (strcmp(s, "boolean") == 0)
                return CT_RV_TYPE_BOOLEAN;
        fail_msg("type %s", s);
        return CT_RV_TYPE_ANY;
}

static json_object *vector(void)
{
        json_object *o = json_object_from_file(VEC "reference-values.json");
        assert_non_null(o);
        return o;
}

static const char *jstr(json_object *o, const char *k)
{
        json_object *v;
        assert_true(json_object_object_get_ex(o, k, &v));
        return json_object_get_string(v);
}

/* ref equals the JSON description r (name, operator, claim, tee, line, commented_out) */
static void check_ref(const ct_rv_ref *ref, json_object *r, bool check_type)
{
        json_object *tee, *line, *com;

        assert_string_equal(ref->name, jstr(r, "name"));
        assert_int_equal(ref->op, op_of(jstr(r, "operator")));
        assert_string_equal(ref->claim, jstr(r, "claim"));
        assert_true(json_object_object_get_ex(r, "line", &line));
        assert_int_equal(ref->line, json_object_get_int(line));
        assert_true(json_object_object_get_ex(r, "commented_out", &com));
        assert_int_equal(ref->commented_out, json_object_get_boolean(com));
        assert_true(json_object_object_get_ex(r, "tee", &tee));
        if (!json_object_is_type(tee, json_type_null))
                assert_string_equal(ref->tee, json_object_get_string(tee));
        else
                assert_string_equal(ref->tee, "tdx"); /* helper rule of the TDX executables rule */
        if (check_type)
                assert_int_equal(ref->type, type_of(jstr(r, "element_type")));
}

static void test_builtin_matches_vector(void **state)
{
        json_object *v = vector(), *pols;
        size_t n, k = 0;
        const ct_rv_ref *b = ct_rv_builtin(&n);

        (void)state;
        assert_true(json_object_object_get_ex(v, "policies", &pols));
        for (size_t p = 0; p < json_object_array_length(pols); p++) {
                json_object *pol = json_object_array_get_idx(pols, p), *refs;
                const char *file = jstr(pol, "file");
                assert_true(json_object_object_get_ex(pol, "references", &refs));
                for (size_t i = 0; i < json_object_array_length(refs); i++, k++) {
                        assert_true(k < n);
                        check_ref(&b[k], json_object_array_get_idx(refs, i), true);
                        assert_non_null(strstr(file, ct_rv_builtin_file(k) ? ct_rv_builtin_file(k) : "-"));
                }
        }
        assert_int_equal(k, n);
        assert_true(strstr(CT_RVPS_POLICY_SOURCE, "78962cd416dcc8a32f9377e0066a28fe21420f69") != NULL);
        json_object_put(v);
}

/* the scanner finds in each .rego exactly the calls of the vector, and the built-in trust claims */
static void test_scan_every_policy(void **state)
{
        json_object *v = vector(), *pols;
        size_t nb;
        const ct_rv_ref *b = ct_rv_builtin(&nb);
        size_t k = 0;

        (void)state;
        assert_true(json_object_object_get_ex(v, "policies", &pols));
        assert_int_equal(json_object_array_length(pols), 4);
        for (size_t p = 0; p < json_object_array_length(pols); p++) {
                json_object *pol = json_object_array_get_idx(pols, p), *refs;
                char path[512];
                size_t len, n = 99;
                char *text;
                ct_rv_ref *got = NULL;
                ct_error err;

                snprintf(path, sizeof(path), VEC "%s", jstr(pol, "file"));
                text = slurp(path, &len);
                assert_int_equal(ct_rego_scan(text, len, &got, &n, &err), CT_OK);
                assert_true(json_object_object_get_ex(pol, "references", &refs));
                assert_int_equal(n, json_object_array_length(refs));
                for (size_t i = 0; i < n; i++, k++) {
                        check_ref(&got[i], json_object_array_get_idx(refs, i), true);
                        /* the rule head and the default come from the scanned text */
                        assert_string_equal(got[i].trust_claim, b[k].trust_claim);
                        assert_int_equal(got[i].rule_value, b[k].rule_value);
                        assert_int_equal(got[i].default_value, b[k].default_value);
                }
                free(got);
                free(text);
        }
        assert_int_equal(k, nb);
        json_object_put(v);
}

static ct_code scan_str(const char *s, ct_rv_ref **refs, size_t *n, ct_error *err)
{
        return ct_rego_scan(s, strlen(s), refs, n, err);
}

static void test_scan_forms(void **state)
{
        const char *text =
                "package policy\n"
                "default executables := 33\n"
                "default hardware := 97\n"
                "executables := 3 if {\n"
                "\tinput.foo\n"
                "\tinput.foo.a in query_reference_value(\"a\")\n"
                "\tquery_reference_value( \"b\" ) == input.foo.b\n"
                "\tinput.foo.c >= query_reference_value(\"c\") # trailing\n"
                "\tx := query_reference_value(\"d\")\n"
                "\t# input.foo.e == query_reference_value(\"e\")\n"
                "\ts := \"# not a comment\"; input.foo.f != query_reference_value(\"f\")\n"
                "\thelper_ok\n"
                "}\n"
                "helper_ok if {\n"
                "\tinput[\"bar\"].g in query_reference_value(\"g\")\n"
                "}\n"
                "hardware := 2 if { input.baz; input.baz.h <= query_reference_value(\"h\") }\n";
        ct_rv_ref *r = NULL;
        size_t n = 0;
        ct_error err;

        (void)state;
        assert_int_equal(scan_str(text, &r, &n, &err), CT_OK);
        assert_int_equal(n, 8);
        assert_string_equal(r[0].name, "a");
        assert_int_equal(r[0].op, CT_RV_OP_IN);
        assert_string_equal(r[0].claim, "input.foo.a");
        assert_string_equal(r[0].tee, "foo");
        assert_string_equal(r[0].trust_claim, "executables");
        assert_int_equal(r[0].rule_value, 3);
        assert_int_equal(r[0].default_value, 33);
        assert_int_equal(r[0].line, 6);
        assert_string_equal(r[1].name, "b");
        assert_int_equal(r[1].op, CT_RV_OP_EQ);
        assert_string_equal(r[1].claim, "input.foo.b");
        assert_int_equal(r[2].op, CT_RV_OP_GE);
        assert_string_equal(r[3].name, "d");
        assert_int_equal(r[3].op, CT_RV_OP_UNKNOWN);
        assert_string_equal(r[4].name, "e");
        assert_true(r[4].commented_out);
        assert_string_equal(r[4].claim, "input.foo.e");
        assert_string_equal(r[5].name, "f");
        assert_int_equal(r[5].op, CT_RV_OP_NE);
        assert_false(r[5].commented_out);
        /* a helper rule is followed to the trust claim that uses it */
        assert_string_equal(r[6].name, "g");
        assert_string_equal(r[6].tee, "bar");
        assert_string_equal(r[6].trust_claim, "executables");
        assert_int_equal(r[6].default_value, 33);
        free(r);
        /* one-line rule */
        assert_int_equal(scan_str("default hardware := 97\nhardware := 2 if { input.baz; input.baz.h <= "
                                  "query_reference_value(\"h\") }\n", &r, &n, &err), CT_OK);
        assert_int_equal(n, 1);
        assert_int_equal(r[0].op, CT_RV_OP_LE);
        assert_string_equal(r[0].trust_claim, "hardware");
        assert_string_equal(r[0].tee, "baz");
        free(r);
}

static void test_scan_malformed(void **state)
{
        ct_rv_ref *r = NULL;
        size_t n = 0;
        ct_error err;
        char big[300];
        char *huge;

        (void)state;
        assert_int_equal(scan_str("x := 1 if {\n x in query_reference_value(\"abc\n}\n", &r, &n, &err),
                         CT_E_MALFORMED);
        assert_true(err.has_offset);
        assert_int_equal(err.offset, 41);
        assert_int_equal(ct_rego_scan("a\0b", 3, &r, &n, &err), CT_E_MALFORMED);
        assert_int_equal(err.offset, 1);
        memset(big, 'a', sizeof(big));
        memcpy(big, "query_reference_value(\"", 23);
        big[sizeof(big) - 2] = '"';
        big[sizeof(big) - 1] = ')';
        assert_int_equal(ct_rego_scan(big, sizeof(big), &r, &n, &err), CT_E_LIMIT);
        huge = calloc(CT_MAX_REGO_SIZE + 1, 1);
        memset(huge, ' ', CT_MAX_REGO_SIZE + 1);
        assert_int_equal(ct_rego_scan(huge, CT_MAX_REGO_SIZE + 1, &r, &n, &err), CT_E_LIMIT);
        /* too many calls */
        {
                const char *call = "x in query_reference_value(\"a\")\n";
                size_t cl = strlen(call), cnt = CT_MAX_REGO_REFS + 1;
                for (size_t i = 0; i < cnt; i++)
                        memcpy(huge + i * cl, call, cl);
                assert_int_equal(ct_rego_scan(huge, cnt * cl, &r, &n, &err), CT_E_LIMIT);
                assert_int_equal(ct_rego_scan(huge, (cnt - 1) * cl, &r, &n, &err), CT_OK);
                assert_int_equal(n, CT_MAX_REGO_REFS);
                free(r);
        }
        free(huge);
        /* empty input: no calls */
        assert_int_equal(ct_rego_scan("", 0, &r, &n, &err), CT_OK);
        assert_int_equal(n, 0);
        assert_null(r);
}

/* ---- export ---- */

/* A manifest with 3 SNP rows (two equal), one SEV row, 2 TDX rows, predicted and captured PCR 11. */
static char *manifest_json(void)
{
        ct_manifest *m = NULL;
        ct_manifest_snp_row snp = { .mode = "snp", .vcpu_type = "EPYC-Milan", .vmm = "QEMU", .guest_features = 1,
                                    .measurement_len = 48 };
        ct_manifest_tdx_row tdx = { .memory_mib = 2048, .vcpus = 1, .variant = "default", .has_xfam = true,
                                    .xfam = 0x602e7, .has_tdvfkernel = true };
        ct_manifest_pcr pcr = { .bank = CT_HASH_SHA256, .index = 11 };
        char *json = NULL;
        size_t len;

        assert_int_equal(ct_manifest_new("t", &m, NULL), CT_OK);
        snp.vcpus = 1;
        memset(snp.measurement, 0xaa, 48);
        assert_int_equal(ct_manifest_add_snp(m, &snp, NULL), CT_OK);
        snp.vcpus = 2;
        memset(snp.measurement, 0xbb, 48);
        assert_int_equal(ct_manifest_add_snp(m, &snp, NULL), CT_OK);
        snp.vcpus = 3;
        assert_int_equal(ct_manifest_add_snp(m, &snp, NULL), CT_OK);
        snp.mode = "sev";
        snp.vcpu_type = NULL;
        snp.measurement_len = 32;
        assert_int_equal(ct_manifest_add_snp(m, &snp, NULL), CT_OK);
        m->tdx_computed = true;
        memset(tdx.mrtd, 0xcc, 48);
        for (int r = 0; r < 3; r++) {
                tdx.has_rtmr[r] = true;
                memset(tdx.rtmr[r], 0x10 + r, 48);
        }
        memset(tdx.tdvfkernel, 0xdd, 48);
        assert_int_equal(ct_manifest_add_tdx(m, &tdx, NULL), CT_OK);
        tdx.memory_mib = 4096;
        memset(tdx.mrtd, 0xee, 48);
        memset(tdx.rtmr[1], 0x13, 48);
        assert_int_equal(ct_manifest_add_tdx(m, &tdx, NULL), CT_OK);
        ct_digest_from_bytes(&pcr.value, CT_HASH_SHA256, (uint8_t[32]){ 0xff, 0xff }, 32);
        assert_int_equal(ct_manifest_add_pcr(m, &pcr, NULL), CT_OK);
        pcr.index = 4;
        assert_int_equal(ct_manifest_add_pcr(m, &pcr, NULL), CT_OK);
        pcr.index = 11;
        pcr.value.bytes[0] = 0x11;
        assert_int_equal(ct_manifest_add_captured_pcr(m, &pcr, NULL), CT_OK);
        assert_int_equal(ct_manifest_to_json(m, &json, &len, NULL), CT_OK);
        ct_manifest_free(m);
        return json;
}

#define H96(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
        c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define H64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
        c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

/* 48 bytes `two` in hex (96 digits); static buffer */
static const char *rep(const char *two)
{
        static char buf[97];
        for (int i = 0; i < 48; i++)
                memcpy(buf + 2 * i, two, 2);
        buf[96] = '\0';
        return buf;
}

static json_object *payload_of(const ct_rvps_export *e)
{
        json_object *p = json_tokener_parse(ct_rvps_export_payload(e));
        assert_non_null(p);
        return p;
}

static void test_export_shapes(void **state)
{
        ct_rvps_export *e = NULL;
        ct_error err;
        json_object *p, *v, *msg;
        ct_rvps_export_opts az = { .azure = true };
        static const ct_rvps_snp_tcb tcb[] = { { 3, 0, 8, 115 }, { 4, 0, 8, 115 } };
        ct_rvps_export_opts tcbo = { .snp_tcb = tcb, .n_snp_tcb = 2 };
        char *manifest = manifest_json();
        size_t nb;

        (void)state;
        assert_int_equal(ct_rvps_export_manifest(manifest, strlen(manifest), &tcbo, &e, &err), CT_OK);
        p = payload_of(e);
        /* list for `in`, lower-case hex, duplicates once, manifest order; the SEV row (32 bytes) left out */
        assert_true(json_object_object_get_ex(p, "snp_launch_measurement", &v));
        assert_true(json_object_is_type(v, json_type_array));
        assert_int_equal(json_object_array_length(v), 2);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), H96("a"));
        assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 1)), H96("b"));
        /* integers for TCB components, one list per component */
        assert_true(json_object_object_get_ex(p, "snp_bootloader", &v));
        assert_int_equal(json_object_array_length(v), 2);
        assert_true(json_object_is_type(json_object_array_get_idx(v, 0), json_type_int));
        assert_int_equal(json_object_get_int(json_object_array_get_idx(v, 1)), 4);
        assert_true(json_object_object_get_ex(p, "snp_microcode", &v));
        assert_int_equal(json_object_array_length(v), 1);
        assert_int_equal(json_object_get_int(json_object_array_get_idx(v, 0)), 115);
        /* rtmr_1 from rtmr[1] of each row; rtmr_2 equal in both rows: once */
        assert_true(json_object_object_get_ex(p, "rtmr_1", &v));
        assert_int_equal(json_object_array_length(v), 2);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), rep("11"));
        assert_true(json_object_object_get_ex(p, "rtmr_2", &v));
        assert_int_equal(json_object_array_length(v), 1);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), rep("12"));
        assert_true(json_object_object_get_ex(p, "mr_td", &v));
        assert_int_equal(json_object_array_length(v), 2);
        /* xfam 0x602e7 as its 8 little-endian bytes */
        assert_true(json_object_object_get_ex(p, "xfam", &v));
        assert_int_equal(json_object_array_length(v), 1);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "e702060000000000");
        /* scalar for `==` */
        assert_true(json_object_object_get_ex(p, "tdvfkernel", &v));
        assert_true(json_object_is_type(v, json_type_string));
        assert_string_equal(json_object_get_string(v), rep("dd"));
        assert_false(json_object_object_get_ex(p, "tdvfkernelparams", &v));
        /* PCR 11 predicted and captured, PCR 4 not (no rule reads it) */
        assert_true(json_object_object_get_ex(p, "tpm_pcr11", &v));
        assert_int_equal(json_object_array_length(v), 2);
        {
                char want[65];
                memset(want, '0', 64);
                want[64] = '\0';
                memcpy(want, "ffff", 4);
                assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), want);
                memcpy(want, "11ff", 4);
                assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 1)), want);
        }
        assert_false(json_object_object_get_ex(p, "snp_pcr11", &v));
        /* every exported name is one the default policy reads, with that shape */
        {
                const ct_rv_ref *b = ct_rv_builtin(&nb);
                json_object_object_foreach(p, k, val) {
                        bool found = false;
                        for (size_t i = 0; i < nb; i++) {
                                if (strcmp(b[i].name, k) != 0 || b[i].commented_out)
                                        continue;
                                found = true;
                                assert_int_equal(json_object_is_type(val, json_type_array), b[i].op == CT_RV_OP_IN);
                        }
                        assert_true(found);
                }
        }
        json_object_put(p);
        /* the message: version 0.1.0, type sample, payload = base64 of the payload */
        msg = json_tokener_parse(ct_rvps_export_message(e));
        assert_string_equal(jstr(msg, "version"), "0.1.0");
        assert_string_equal(jstr(msg, "type"), "sample");
        {
                const char *b64 = jstr(msg, "payload");
                char *raw = malloc(strlen(b64));
                size_t rl;
                assert_int_equal(ct_base64_decode(b64, raw, strlen(b64), &rl, &err), CT_OK);
                assert_int_equal(rl, strlen(ct_rvps_export_payload(e)));
                assert_memory_equal(raw, ct_rvps_export_payload(e), rl);
                free(raw);
        }
        assert_false(json_object_object_get_ex(msg, "expiration", &v));
        json_object_put(msg);
        ct_rvps_export_free(e);
        /* --azure: PCR 11 also under the Azure names */
        assert_int_equal(ct_rvps_export_manifest(manifest, strlen(manifest), &az, &e, &err), CT_OK);
        p = payload_of(e);
        assert_true(json_object_object_get_ex(p, "snp_pcr11", &v));
        assert_true(json_object_object_get_ex(p, "tdx_pcr11", &v));
        json_object_put(p);
        ct_rvps_export_free(e);
        free(manifest);
}

static void test_export_bad(void **state)
{
        static const struct { const char *json; ct_code code; const char *needle; } cases[] = {
                { "{\"schema_version\": 1, \"name\": null, \"artifacts\": {}, \"snp\": [{\"mode\": \"snp\", "
                  "\"vcpus\": 1, \"vcpu_type\": \"EPYC\", \"vmm\": \"QEMU\", \"guest_features\": \"0x1\", "
                  "\"firmware\": \"firmware\", \"measurement\": \"abc\"}], \"tdx\": null, \"verity\": [], \"pcrs\": {}, "
                  "\"init_data\": []}", CT_E_MALFORMED, "snp[0]: \"measurement\"" },
                { "{\"schema_version\": 1, \"name\": null, \"artifacts\": {}, \"snp\": [], \"tdx\": null, "
                  "\"verity\": [], \"pcrs\": {\"sha256\": {\"4\": \"" H64("a") "\"}}, \"init_data\": []}",
                  CT_E_MALFORMED, "no reference value Trustee reads" },
                { "[1]", CT_E_MALFORMED, "" },
                { "{\"snp\": [", CT_E_MALFORMED, "" },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ct_rvps_export *e = (ct_rvps_export *)1;
                ct_error err;
                assert_int_equal(ct_rvps_export_manifest(cases[i].json, strlen(cases[i].json), NULL, &e, &err),
                                 cases[i].code);
                assert_ptr_equal(e, (ct_rvps_export *)1); /* output untouched */
                if (!strstr(err.msg, cases[i].needle))
                        fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].needle);
        }
}

static void test_export_scalar_conflict(void **state)
{
        ct_manifest *m = NULL;
        ct_manifest_tdx_row tdx = { .memory_mib = 2048, .vcpus = 1, .variant = "default", .has_tdvfkernel = true };
        ct_rvps_export *e = NULL;
        ct_error err;

        (void)state;
        assert_int_equal(ct_manifest_new("t", &m, NULL), CT_OK);
        m->tdx_computed = true;
        memset(tdx.tdvfkernel, 0xaa, 48);
        assert_int_equal(ct_manifest_add_tdx(m, &tdx, NULL), CT_OK);
        tdx.tdvfkernel[0] = 0;
        assert_int_equal(ct_manifest_add_tdx(m, &tdx, NULL), CT_OK);
        assert_int_equal(ct_rvps_export_from(m, NULL, &e, &err), CT_E_UNSUPPORTED);
        assert_null(e);
        assert_non_null(strstr(err.msg, "compares tdvfkernel with =="));
        ct_manifest_free(m);
}

/* ---- lint ---- */

static ct_lint_result *lint(const char *json, ct_code want)
{
        size_t n;
        const ct_rv_ref *b = ct_rv_builtin(&n);
        ct_lint_result *r = NULL;
        ct_error err;

        assert_int_equal(ct_rvps_lint(json, strlen(json), b, n, NULL, &r, &err), want);
        return r;
}

static const ct_lint_finding *finding(const ct_lint_result *r, const char *name)
{
        for (size_t i = 0; i < ct_lint_result_count(r); i++)
                if (strcmp(ct_lint_result_finding(r, i)->name, name) == 0)
                        return ct_lint_result_finding(r, i);
        fail_msg("no finding for %s", name);
        return NULL;
}

static void expect(const ct_lint_result *r, const char *name, ct_lint_level level, const char *needle)
{
        const ct_lint_finding *f = finding(r, name);
        if (f->level != level || (needle && !strstr(f->message, needle)))
                fail_msg("%s: level %d, message '%s' (wanted level %d with '%s')", name, f->level, f->message, level,
                         needle ? needle : "");
}

static void test_lint_export_is_clean(void **state)
{
        char *manifest = manifest_json();
        ct_lint_result *r = lint(manifest, CT_OK);
        (void)state;
        free(manifest);
        assert_int_equal(ct_lint_result_input(r), CT_LINT_INPUT_MANIFEST);
        assert_int_equal(ct_lint_result_count_level(r, CT_LINT_ERROR), 0);
        assert_int_equal(ct_lint_result_count_level(r, CT_LINT_WARN), 0);
        assert_int_equal(ct_lint_result_count_level(r, CT_LINT_OK), 7);
        ct_lint_result_free(r);
}

/* One wrong-shape case per TEE, and each element-type rule. */
static void test_lint_shape_rules(void **state)
{
        const char *payload =
                "{\"snp_launch_measurement\": \"" H96("a") "\","          /* snp: scalar for `in` */
                " \"snp_bootloader\": [\"3\"],"                           /* string for an integer */
                " \"snp_microcode\": [3.5],"                              /* number for an integer */
                " \"snp_smt_enabled\": [true],"                           /* snp: list for `==` */
                " \"snp_tsme_enabled\": \"false\","                      /* string for a boolean */
                " \"snp_guest_abi_major\": 1,"                            /* ok scalar integer */
                " \"rtmr_1\": \"" H96("a") "\","                          /* tdx: scalar for `in` */
                " \"rtmr_2\": [\"" H96("A") "\"],"                        /* upper-case hex */
                " \"mr_td\": [\"" H64("a") "\"],"                         /* wrong length */
                " \"xfam\": [\"0x00000000000602e7\"],"                    /* 0x / numeric form */
                " \"tdvfkernel\": [\"" H96("a") "\"],"                    /* tdx: list for `==` */
                " \"smt_enabled\": true,"                                 /* az-snp-vtpm: scalar for `in` */
                " \"tdx_pcr11\": \"" H64("a") "\","                       /* az-tdx-vtpm: scalar for `in` */
                " \"tpm_pcr11\": \"" H64("a") "\","                       /* tpm: scalar for `in` */
                " \"trusted_aks\": [\"not base64!\"],"                    /* base64 */
                " \"major_version\": [1],"                                /* sample: list for `==` */
                " \"minimum_minor_version\": \"2\","                      /* sample: `>=` needs a number */
                " \"allowed_vbios_versions\": [],"                        /* nvidia: empty list */
                " \"snp_launch_measurment\": [],"                         /* unknown name, typo */
                " \"mr_seam\": [\"" H96("a") "\"]}";                      /* only commented out */
        ct_lint_result *r = lint(payload, CT_OK);

        (void)state;
        assert_int_equal(ct_lint_result_input(r), CT_LINT_INPUT_PAYLOAD);
        expect(r, "snp_launch_measurement", CT_LINT_ERROR, "executables stays at its default 33 (warning)");
        expect(r, "snp_bootloader", CT_LINT_ERROR, "--as-integer");
        expect(r, "snp_microcode", CT_LINT_ERROR, "a number where the claim is an integer");
        expect(r, "snp_smt_enabled", CT_LINT_ERROR, "configuration stays at its default 36");
        expect(r, "snp_tsme_enabled", CT_LINT_ERROR, "boolean");
        expect(r, "snp_guest_abi_major", CT_LINT_OK, NULL);
        expect(r, "rtmr_1", CT_LINT_ERROR, "must be a JSON list");
        expect(r, "rtmr_2", CT_LINT_ERROR, "upper-case");
        expect(r, "mr_td", CT_LINT_ERROR, "hardware stays at its default 97 (contraindicated)");
        expect(r, "xfam", CT_LINT_ERROR, "0x prefix");
        expect(r, "tdvfkernel", CT_LINT_ERROR, "must be a bare");
        expect(r, "smt_enabled", CT_LINT_ERROR, "line 266");
        expect(r, "tdx_pcr11", CT_LINT_ERROR, "line 278");
        expect(r, "tpm_pcr11", CT_LINT_ERROR, "line 314");
        expect(r, "trusted_aks", CT_LINT_ERROR, "not base64");
        expect(r, "major_version", CT_LINT_ERROR, "line 84");
        expect(r, "minimum_minor_version", CT_LINT_ERROR, "number");
        expect(r, "allowed_vbios_versions", CT_LINT_WARN, "empty list");
        expect(r, "snp_launch_measurment", CT_LINT_WARN, "did you mean snp_launch_measurement");
        expect(r, "mr_seam", CT_LINT_WARN, "commented-out");
        /* a name of a TEE the payload addresses but does not provide */
        expect(r, "snp_snp_svn", CT_LINT_INFO, "hardware stays at its default 97");
        ct_lint_result_free(r);
}

static void test_lint_message(void **state)
{
        ct_rvps_export *e = NULL;
        ct_lint_result *r;
        ct_error err;
        char *manifest = manifest_json();

        (void)state;
        assert_int_equal(ct_rvps_export_manifest(manifest, strlen(manifest), NULL, &e, &err), CT_OK);
        free(manifest);
        r = lint(ct_rvps_export_message(e), CT_OK);
        assert_int_equal(ct_lint_result_input(r), CT_LINT_INPUT_MESSAGE);
        assert_int_equal(ct_lint_result_count_level(r, CT_LINT_ERROR), 0);
        assert_int_equal(ct_lint_result_count_level(r, CT_LINT_OK), 7);
        ct_lint_result_free(r);
        ct_rvps_export_free(e);
        assert_null(lint("{\"version\": \"0.2.0\", \"type\": \"sample\", \"payload\": \"e30=\"}", CT_E_MALFORMED));
        assert_null(lint("{\"version\": \"0.1.0\", \"type\": \"swid\", \"payload\": \"e30=\"}", CT_E_UNSUPPORTED));
        assert_null(lint("{\"version\": \"0.1.0\", \"type\": \"sample\", \"payload\": \"e30\"}", CT_E_MALFORMED));
        assert_null(lint("{\"version\": \"0.1.0\", \"type\": \"sample\", \"payload\": \"WzFd\"}", CT_E_MALFORMED));
        r = lint("{\"version\": \"0.1.0\", \"type\": \"sample\", \"payload\": \"e30=\"}", CT_OK);
        assert_int_equal(ct_lint_result_count(r), 0);
        ct_lint_result_free(r);
}

/* against a scanned policy: the names of that file, not the built-in ones */
static void test_lint_scanned_policy(void **state)
{
        size_t len, n;
        char *text = slurp(VEC "trustee_ear_default_policy_gpu.rego", &len);
        ct_rv_ref *refs = NULL;
        ct_lint_result *r = NULL;
        ct_error err;
        const char *p = "{\"allowed_driver_versions\": \"535.1\", \"snp_launch_measurement\": [\"" H96("a") "\"]}";

        (void)state;
        assert_int_equal(ct_rego_scan(text, len, &refs, &n, &err), CT_OK);
        assert_int_equal(n, 2);
        assert_int_equal(ct_rvps_lint(p, strlen(p), refs, n, NULL, &r, &err), CT_OK);
        expect(r, "allowed_driver_versions", CT_LINT_ERROR, "configuration stays at its default 36");
        expect(r, "snp_launch_measurement", CT_LINT_WARN, "no rule of the policy queries");
        ct_lint_result_free(r);
        free(refs);
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_builtin_matches_vector),
                cmocka_unit_test(test_scan_every_policy),
                cmocka_unit_test(test_scan_forms),
                cmocka_unit_test(test_scan_malformed),
                cmocka_unit_test(test_export_shapes),
                cmocka_unit_test(test_export_bad),
                cmocka_unit_test(test_export_scalar_conflict),
                cmocka_unit_test(test_lint_export_is_clean),
                cmocka_unit_test(test_lint_shape_rules),
                cmocka_unit_test(test_lint_message),
                cmocka_unit_test(test_lint_scanned_policy),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
