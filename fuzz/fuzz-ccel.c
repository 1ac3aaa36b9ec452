/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the ACPI CCEL table reader, CC-log detection, the RTMR
 * replay, AAEL decoding and the comparison with expected RTMRs. Seeds: the
 * real CCEL table and logs of tests/vectors/tdx/ccel (cut to 16 KiB).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/tdx.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ct_code aael_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        ct_ccel_aael a;

        (void)info;
        (void)userdata;
        (void)err;
        if (ct_ccel_decode_aael(ev, &a, NULL) == CT_OK &&
            (a.domain_len + a.operation_len + a.content_len + 2 != a.text_len))
                __builtin_trap();
        (void)ct_ccel_digest_matches_event(ev);
        return CT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uint8_t zero[4][48];
        ct_ccel_table t;
        ct_ccel_replay r;
        ct_ccel_check *c;
        ct_error err;

        if (size > (1u << 20))
                return 0;
        if (ct_ccel_table_parse(data, size, &t, &err) == CT_OK && (t.length < CT_CCEL_TABLE_SIZE || t.length > size))
                __builtin_trap();
        (void)ct_ccel_is_table(data, size);
        (void)ct_ccel_is_cc_log(data, size);
        if (ct_ccel_replay_log(data, size, 0, &r, &err) != CT_OK)
                return 0;
        (void)ct_tcg_walk(data, size, 0, aael_cb, NULL, NULL, NULL);
        c = malloc(sizeof(*c));
        if (!c)
                return 0;
        if (ct_ccel_check_rtmrs(data, size, 0, zero, NULL, c, &err) == CT_OK &&
            (r.n_extends[0] + r.n_extends[1] + r.n_extends[2] + r.n_extends[3]) != 0)
                __builtin_trap(); /* all-zero RTMRs only match an empty replay */
        free(c);
        return 0;
}
