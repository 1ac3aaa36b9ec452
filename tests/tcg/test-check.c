/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ct_tpm_check_log and the event-description module on the real OVMF + swtpm
 * boots of tests/vectors/tpm/boot: logs against the PCRs read in the guest,
 * against another boot's PCRs (the differing PCRs are those the shared
 * compare_pcrs.py oracle found, tests/vectors/tpm/compare), the cut-off log
 * of uki-E (and its whole log, recovered from its serial console), bank
 * selection, PCRs missing from the set, malformed logs.
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
#include <openssl/evp.h>

#include <cocotrust/capture.h>
#include <cocotrust/check.h>
#include <cocotrust/fileio.h>
#include <cocotrust/tcglog.h>

static void load(const char *rel, ct_blob *ret)
{
        char path[4096];
        ct_error err;

        snprintf(path, sizeof(path), "%s/tests/vectors/tpm/%s", CT_SOURCE_ROOT, rel);
        assert_int_equal(ct_blob_read(path, 0, ret, &err), CT_OK);
}

static void load_pcrs(const char *boot, ct_pcr_set *ret)
{
        char path[4096];
        ct_error err;

        snprintf(path, sizeof(path), "%s/tests/vectors/tpm/boot/%s/pcrs-sysfs.pcrread-style.yaml", CT_SOURCE_ROOT, boot);
        assert_int_equal(ct_pcr_set_load(path, CT_PCR_FORMAT_AUTO, ret, NULL, &err), CT_OK);
}

static uint32_t mask_of(const char *const *list)
{
        uint32_t m = 0;
        for (; *list; list++)
                m |= 1u << atoi(*list);
        return m;
}

static const ct_tpm_check_bank *bank(const ct_tpm_check *c, ct_hash_alg alg)
{
        for (unsigned i = 0; i < c->n_banks; i++)
                if (c->banks[i].alg == alg)
                        return &c->banks[i];
        return NULL;
}

static void test_own_boots_explained(void **state)
{
        static const char *const boots[] = { "uki-A", "uki-A-secureboot", "uki-C" };
        static const char *const in_log[] = { "0", "1", "2", "3", "4", "5", "6", "7", "9", "11", NULL };

        (void)state;
        for (size_t i = 0; i < 3; i++) {
                char rel[256];
                ct_blob log;
                ct_pcr_set pcrs;
                ct_tpm_check *c;
                ct_error err;

                snprintf(rel, sizeof(rel), "boot/%s/binary_bios_measurements", boots[i]);
                load(rel, &log);
                load_pcrs(boots[i], &pcrs);
                assert_int_equal(ct_tpm_check_log(log.data, log.len, &pcrs, 0, 0, &c, &err), CT_OK);
                assert_true(ct_tpm_check_ok(c));
                assert_int_equal(c->n_banks, 2);
                assert_int_equal(c->n_explained, 20);
                assert_int_equal(c->n_mismatch, 0);
                assert_int_equal(c->n_mismatches, 0);
                assert_int_equal(bank(c, CT_HASH_SHA256)->explained, mask_of(in_log));
                assert_int_equal(bank(c, CT_HASH_SHA256)->not_in_log, 0xffffffu & ~mask_of(in_log));
                ct_tpm_check_free(c);
                ct_blob_free(&log);
        }
}

/* uki-A's log against uki-C's PCRs: the mismatches are the PCRs the oracle found different. */
static void test_cross_boot_mismatch(void **state)
{
        ct_blob log, cmp;
        ct_pcr_set pcrs;
        ct_tpm_check *c;
        ct_error err;
        json_object *j, *sha, *diff;
        uint32_t want = 0;

        (void)state;
        load("boot/uki-A/binary_bios_measurements", &log);
        load_pcrs("uki-C", &pcrs);
        load("compare/uki-A__vs__uki-C.json", &cmp);
        {       /* ct_blob data is not NUL-terminated: parse with its length */
                json_tokener *tok = json_tokener_new();

                assert_non_null(tok);
                j = json_tokener_parse_ex(tok, (const char *)cmp.data, (int)cmp.len);
                json_tokener_free(tok);
        }
        assert_non_null(j);
        assert_true(json_object_object_get_ex(j, "sha256", &sha));
        assert_true(json_object_object_get_ex(sha, "different", &diff));
        for (size_t i = 0; i < json_object_array_length(diff); i++)
                want |= 1u << json_object_get_int(json_object_array_get_idx(diff, i));
        assert_int_equal(want, (1u << 4) | (1u << 9) | (1u << 10) | (1u << 11));
        want &= ~(1u << 10); /* PCR 10 (IMA) is not in the firmware log */

        assert_int_equal(ct_tpm_check_log(log.data, log.len, &pcrs, 1u << CT_HASH_SHA256, 0, &c, &err), CT_OK);
        assert_false(ct_tpm_check_ok(c));
        assert_int_equal(c->n_banks, 1);
        assert_int_equal(bank(c, CT_HASH_SHA256)->mismatch, want);
        assert_int_equal(c->n_mismatches, 3);
        for (size_t i = 0; i < c->n_mismatches; i++) {
                const ct_tpm_check_mismatch *m = &c->mismatches[i];
                ct_digest v;
                assert_int_equal(m->bank, CT_HASH_SHA256);
                assert_true(ct_pcr_set_get(&pcrs, CT_HASH_SHA256, m->pcr, &v));
                assert_true(ct_digest_equal(&v, &m->expected));
                assert_false(ct_digest_equal(&m->replayed, &m->expected));
                assert_true(m->n_events > 0);
                for (size_t k = 0; k < m->n_events; k++)
                        assert_int_equal(m->events[k].pcr, m->pcr);
                assert_false(m->truncated_here);
        }
        /* PCR 4 of uki-A: the events 15, 20, 23, 24, 25, 34 of `eventlog show` */
        assert_int_equal(c->mismatches[0].pcr, 4);
        assert_int_equal(c->mismatches[0].n_events, 6);
        assert_int_equal(c->mismatches[0].events[0].num, 15);
        assert_int_equal(c->mismatches[0].events[5].num, 34);
        json_object_put(j);
        ct_tpm_check_free(c);
        ct_blob_free(&cmp);
        ct_blob_free(&log);
}

/*
 * uki-E: binary_bios_measurements lacks the last 13 bytes (the seed's script
 * dropped the last base64 line); the guest's PCR 5 includes that record.
 */
static void test_cut_off_record(void **state)
{
        ct_blob log, serial;
        ct_pcr_set pcrs;
        ct_tpm_check *c;
        ct_capture_console con;
        ct_error err;
        uint8_t want[32];

        (void)state;
        load("boot/uki-E-stub257/binary_bios_measurements", &log);
        load_pcrs("uki-E-stub257", &pcrs);
        assert_int_equal(ct_tpm_check_log(log.data, log.len, &pcrs, 0, 0, &c, &err), CT_OK);
        assert_true(c->replay.info.truncated);
        assert_int_equal(c->n_mismatch, 2);
        assert_int_equal(c->n_mismatches, 2);
        for (size_t i = 0; i < 2; i++) {
                const ct_tpm_check_mismatch *m = &c->mismatches[i];
                const ct_tcg_digest *d;
                assert_int_equal(m->pcr, 5);
                assert_int_equal(m->n_events, 2);
                assert_int_equal(m->events[0].num, 21);
                assert_int_equal(m->events[1].num, 41);
                assert_true(m->truncated_here);
                assert_true(m->truncated_complete);
                assert_true(m->truncated_explains);
                assert_true(ct_digest_equal(&m->with_truncated, &m->expected));
                assert_int_equal(m->truncated_event.num, 42);
                assert_int_equal(m->truncated_event.type, CT_EV_EFI_ACTION);
                if (m->bank == CT_HASH_SHA256) {
                        d = ct_tcg_event_digest(&m->truncated_event, CT_HASH_SHA256);
                        assert_non_null(d);
                        assert_int_equal(EVP_Digest("Exit Boot Services Returned with Success", 40, want, NULL,
                                                    EVP_sha256(), NULL),
                                         1);
                        assert_memory_equal(d->bytes, want, 32);
                }
        }
        ct_tpm_check_free(c);
        assert_int_equal(ct_tpm_check_log(log.data, log.len, &pcrs, 0, CT_TCG_STRICT, &c, &err), CT_E_TRUNCATED);
        assert_true(err.has_offset);
        assert_int_equal(err.offset, 0x116d);

        /* the whole log, from the serial console, explains every PCR */
        load("boot/uki-E-stub257/serial.log", &serial);
        assert_int_equal(ct_capture_parse_console(serial.data, serial.len, &con, &err), CT_OK);
        assert_int_equal(ct_tpm_check_log(con.log, con.log_len, &pcrs, 0, CT_TCG_STRICT, &c, &err), CT_OK);
        assert_true(ct_tpm_check_ok(c));
        assert_false(c->replay.info.truncated);
        assert_int_equal(c->n_explained, 20);
        ct_tpm_check_free(c);
        ct_capture_console_free(&con);
        ct_blob_free(&serial);
        ct_blob_free(&log);
}

static void test_banks_and_missing(void **state)
{
        ct_blob log;
        ct_pcr_set pcrs, only256;
        ct_pcr_bank *b;
        ct_tpm_check *c;
        ct_error err;

        (void)state;
        load("boot/uki-A/binary_bios_measurements", &log);
        load_pcrs("uki-A", &pcrs);
        /* PCR 7 missing from the set: not_in_pcrs, not a mismatch */
        b = ct_pcr_set_bank(&pcrs, CT_HASH_SHA1, false);
        assert_non_null(b);
        b->present &= ~(1u << 7);
        assert_int_equal(ct_tpm_check_log(log.data, log.len, &pcrs, 0, 0, &c, &err), CT_OK);
        assert_int_equal(bank(c, CT_HASH_SHA1)->not_in_pcrs, 1u << 7);
        assert_int_equal(c->n_not_in_pcrs, 1);
        assert_int_equal(c->n_mismatch, 0);
        assert_true(ct_tpm_check_ok(c));
        ct_tpm_check_free(c);
        /* a set without the log's banks: nothing compared */
        ct_pcr_set_init(&only256);
        {
                ct_digest d = { .alg = CT_HASH_SHA384, .len = 48 };
                assert_int_equal(ct_pcr_set_put(&only256, 0, &d, &err), CT_OK);
        }
        assert_int_equal(ct_tpm_check_log(log.data, log.len, &only256, 0, 0, &c, &err), CT_OK);
        assert_int_equal(c->n_banks, 0);
        assert_false(ct_tpm_check_ok(c));
        ct_tpm_check_free(c);
        ct_blob_free(&log);
}

static void test_malformed_log(void **state)
{
        uint8_t bad[64];
        ct_pcr_set pcrs;
        ct_tpm_check *c = (ct_tpm_check *)&pcrs; /* must stay untouched */
        ct_error err;

        (void)state;
        memset(bad, 0xab, sizeof(bad));
        ct_pcr_set_init(&pcrs);
        assert_int_not_equal(ct_tpm_check_log(bad, sizeof(bad), &pcrs, 0, 0, &c, &err), CT_OK);
        assert_ptr_equal(c, (ct_tpm_check *)&pcrs);
        assert_int_not_equal(ct_tpm_check_log(bad, 10, &pcrs, 0, 0, &c, &err), CT_OK);
}

struct desc_seen {
        char d[64][160];
        ct_tcg_data_kind kind[64];
        unsigned n;
};

static ct_code desc_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct desc_seen *s = userdata;
        char buf[2048];
        ct_tcg_event_data d;

        (void)info;
        (void)err;
        if (s->n < 64) {
                snprintf(s->d[s->n], sizeof(s->d[0]), "%s", ct_tcg_event_describe(ev, buf, sizeof(buf)));
                ct_tcg_event_decode(ev, &d);
                s->kind[s->n] = d.kind;
                s->n++;
        }
        return CT_OK;
}

/* Descriptions of uki-A's events, against the fields tpm2_eventlog 5.4 decoded (tpm2_eventlog-5.4.yaml). */
static void test_describe(void **state)
{
        ct_blob log, yaml;
        struct desc_seen s = { .n = 0 };
        ct_error err;

        (void)state;
        load("boot/uki-A/binary_bios_measurements", &log);
        load("boot/uki-A/tpm2_eventlog-5.4.yaml", &yaml);
        assert_int_equal(ct_tcg_walk(log.data, log.len, 0, desc_cb, &s, NULL, &err), CT_OK);
        assert_int_equal(s.kind[0], CT_TCG_DATA_SPECID);
        assert_string_equal(s.d[0], "Spec ID Event03");
        assert_int_equal(s.kind[2], CT_TCG_DATA_FW_BLOB);
        assert_string_equal(s.d[2], "base 0x820000 length 0xe0000");
        assert_int_equal(s.kind[4], CT_TCG_DATA_EFI_VAR);
        assert_string_equal(s.d[4], "SecureBoot (1 bytes)");
        assert_int_equal(s.kind[9], CT_TCG_DATA_SEPARATOR);
        assert_string_equal(s.d[9], "00000000");
        assert_int_equal(s.kind[15], CT_TCG_DATA_STRING);
        assert_string_equal(s.d[15], "\"Calling EFI Application from Boot Option\"");
        assert_int_equal(s.kind[25], CT_TCG_DATA_IMAGE_LOAD);
        assert_int_equal(s.kind[35], CT_TCG_DATA_TAGGED);
        assert_string_equal(s.d[35], "tag 0x8f3b22ed (LOADED_IMAGE::LoadOptions) \"LOADED_IMAGE::LoadOptions\"");
        /* the same names and values in tpm2_eventlog's decoding */
        assert_non_null(memmem(yaml.data, yaml.len, "UnicodeName: SecureBoot", 23));
        assert_non_null(memmem(yaml.data, yaml.len, "BlobBase: 0x820000", 18));
        assert_non_null(memmem(yaml.data, yaml.len, "BlobLength: 0xe0000", 19));
        assert_non_null(memmem(yaml.data, yaml.len, "Calling EFI Application from Boot Option", 40));
        ct_blob_free(&yaml);
        ct_blob_free(&log);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_own_boots_explained), cmocka_unit_test(test_cross_boot_mismatch),
                cmocka_unit_test(test_cut_off_record),      cmocka_unit_test(test_banks_and_missing),
                cmocka_unit_test(test_malformed_log),       cmocka_unit_test(test_describe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
