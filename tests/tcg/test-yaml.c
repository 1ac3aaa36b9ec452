/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ct_tcg_yaml_write: tpm2-tools' own event log fixtures rendered by the
 * library, compared byte for byte with the YAML and the warnings tpm2-tools
 * ships for them (tests/vectors/tpm/tpm2-tools-fixtures/README.md): version 1
 * against event-raw/, version 2 against event-pretty/ and *.bin.warn. A
 * malformed log writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/fileio.h>
#include <cocotrust/tcglog.h>

#define FIXTURES CT_SOURCE_ROOT "/tests/vectors/tpm/tpm2-tools-fixtures/"

static void load(const char *rel, ct_blob *ret)
{
        char path[1024];
        ct_error err;

        snprintf(path, sizeof(path), "%s%s", FIXTURES, rel);
        if (ct_blob_read(path, 0, ret, &err) != CT_OK)
                fail_msg("%s: %s", path, err.msg);
}

/* Render rel_log with version into memory; compare with the fixture files (warn NULL: no warnings). */
static void render_and_compare(const char *rel_log, unsigned version, const char *rel_yaml, const char *rel_warn)
{
        ct_blob log = { 0 }, want = { 0 }, want_warn = { 0 };
        char *got = NULL, *got_warn = NULL;
        size_t got_len = 0, got_warn_len = 0;
        FILE *out = open_memstream(&got, &got_len), *warn = open_memstream(&got_warn, &got_warn_len);
        ct_tcg_yaml_opts opts = { .version = version, .warnings = warn };
        ct_tcg_info info;
        ct_error err;

        assert_non_null(out);
        assert_non_null(warn);
        load(rel_log, &log);
        load(rel_yaml, &want);
        if (rel_warn)
                load(rel_warn, &want_warn);
        assert_int_equal(ct_tcg_yaml_write(out, log.data, log.len, 0, &opts, &info, &err), CT_OK);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(fclose(warn), 0);
        assert_true(info.n_records > 1);
        if (got_len != want.len || memcmp(got, want.data, want.len) != 0) {
                size_t i = 0;

                while (i < got_len && i < want.len && got[i] == (char)want.data[i])
                        i++;
                fail_msg("%s (version %u): %zu bytes, %s has %zu; first difference at byte %zu", rel_log, version,
                         got_len, rel_yaml, want.len, i);
        }
        assert_int_equal(got_warn_len, want_warn.len);
        if (want_warn.len)
                assert_memory_equal(got_warn, want_warn.data, want_warn.len);
        free(got);
        free(got_warn);
        ct_blob_free(&log);
        ct_blob_free(&want);
        ct_blob_free(&want_warn);
}

static void test_version1_uefivar(void **state)
{
        (void)state;
        render_and_compare("event-uefivar.bin", 1, "event-raw/event-uefivar.bin.yaml", NULL);
}

static void test_version1_sha1_log(void **state)
{
        (void)state;
        render_and_compare("event-uefi-sha1-log.bin", 1, "event-raw/event-uefi-sha1-log.bin.yaml", NULL);
}

static void test_version2_arch_linux(void **state)
{
        (void)state;
        render_and_compare("event-arch-linux.bin", 2, "event-pretty/event-arch-linux.bin.yaml",
                           "event-arch-linux.bin.warn");
}

static void test_version2_moklisttrusted(void **state)
{
        (void)state;
        render_and_compare("event-moklisttrusted.bin", 2, "event-pretty/event-moklisttrusted.bin.yaml", NULL);
}

/* specid-vendordata.bin: its Spec ID EventSize does not cover vendorInfo; nothing is written. */
static void test_malformed_writes_nothing(void **state)
{
        ct_blob log = { 0 };
        char *got = NULL;
        size_t got_len = 0;
        FILE *out = open_memstream(&got, &got_len);
        ct_error err;

        (void)state;
        assert_non_null(out);
        load("specid-vendordata.bin", &log);
        assert_int_equal(ct_tcg_yaml_write(out, log.data, log.len, 0, NULL, NULL, &err), CT_E_TRUNCATED);
        assert_non_null(strstr(err.msg, "vendorInfo"));
        assert_int_equal(fclose(out), 0);
        assert_int_equal(got_len, 0);
        free(got);
        ct_blob_free(&log);
}

static void test_event_type_names(void **state)
{
        (void)state;
        assert_string_equal(ct_tcg_yaml_event_type(CT_EV_SEPARATOR), "EV_SEPARATOR");
        assert_string_equal(ct_tcg_yaml_event_type(0x80000010u), "Unknown event type");
        assert_string_equal(ct_tcg_yaml_event_type(0x12u), "EV_OMIT_BOOT_DEVICE_EVENTS");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version1_uefivar),
                cmocka_unit_test(test_version1_sha1_log),
                cmocka_unit_test(test_version2_arch_linux),
                cmocka_unit_test(test_version2_moklisttrusted),
                cmocka_unit_test(test_malformed_writes_nothing),
                cmocka_unit_test(test_event_type_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
