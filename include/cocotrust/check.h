/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — checking a TCG event log against PCR values (src/lib/tcg/check.c).
 *
 * The question a relying party asks when attestation fails: which PCRs does
 * the firmware's event log explain, which does it not, and which events went
 * into each PCR that differs? One call answers it, for `eventlog check`,
 * `tpm capture` and `appraise`:
 *
 *     ct_tpm_check *chk;
 *     if (ct_tpm_check_log(log, log_len, &pcrs, 0, 0, &chk, &err) != CT_OK)
 *             return fail(&err);            // a malformed log: nothing to check
 *     if (chk->n_banks == 0) ...            // no bank in common: nothing was compared
 *     for (size_t i = 0; i < chk->n_mismatches; i++) {
 *             const ct_tpm_check_mismatch *m = &chk->mismatches[i];
 *             // m->bank, m->pcr, m->replayed vs m->expected, m->events[0..m->n_events)
 *             char desc[2048];
 *             ct_tcg_event_describe(&m->events[0], desc, sizeof(desc));
 *     }
 *     ct_tpm_check_free(chk);
 *
 * The log is replayed by the PC Client rules (ct_tpm_replay_log). PCR values
 * are compared with ct_pcr_compare_sets, so "equal" means exactly what it
 * means for `pcr compare`.
 */
#ifndef COCOTRUST_CHECK_H
#define COCOTRUST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>
#include <cocotrust/pcr.h>
#include <cocotrust/tcglog.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One bank: bitmasks over PCR indexes 0-23. */
typedef struct ct_tpm_check_bank {
        ct_hash_alg alg;
        uint32_t explained;   /* the log extends it and the replay equals the PCR value */
        uint32_t mismatch;    /* the log extends it and the replay differs */
        uint32_t not_in_log;  /* a PCR value no record of the log extends (reset values are normal) */
        uint32_t not_in_pcrs; /* the log extends it but the PCR values lack it */
} ct_tpm_check_bank;

/* One PCR that differs, with the events that went into it. */
typedef struct ct_tpm_check_mismatch {
        ct_hash_alg bank;
        unsigned pcr;
        ct_digest replayed;   /* from the log */
        ct_digest expected;   /* the PCR value given */
        /* Every complete record of the log for this PCR, in order, EV_NO_ACTION ones included
         * (they are not extended). Their pointers go into the caller's log buffer. */
        size_t n_events;
        ct_tcg_event *events;
        /*
         * The what-if of a cut-off last record: the log ends inside a record
         * for this PCR (truncated_here). When that record's PCR index, type and
         * digests are complete (truncated_complete), truncated_event holds them
         * (data NULL) and with_truncated is the replay extended by it;
         * truncated_explains: with it the replay equals `expected`, so the log
         * was merely cut short.
         */
        bool truncated_here;
        bool truncated_complete;
        ct_tcg_event truncated_event;
        ct_digest with_truncated;
        bool truncated_explains;
} ct_tpm_check_mismatch;

typedef struct ct_tpm_check {
        ct_tpm_replay replay;        /* the log replayed (PCRs, StartupLocality, truncation, Spec ID) */
        unsigned n_banks;            /* banks compared, in ct_hash_alg order */
        ct_tpm_check_bank banks[CT_HASH__MAX];
        unsigned n_explained;        /* over all banks */
        unsigned n_mismatch;         /* over all banks (mismatch only; see not_in_pcrs) */
        unsigned n_not_in_pcrs;
        size_t n_mismatches;         /* mismatches[] in bank, then PCR order */
        ct_tpm_check_mismatch *mismatches;
} ct_tpm_check;

/*
 * Replay log[0..len) and check it against pcrs. Only banks that pcrs has and
 * that the log carries (its Spec ID lists them; SHA-1 for a SHA-1 log) are
 * compared; bank_mask (bits 1u << ct_hash_alg, 0 = all) narrows them further.
 * A bank the log lists but never extends is compared too (every PCR "not in
 * log"). flags: CT_TCG_STRICT makes a cut-off last record an error.
 *
 * Returns CT_OK with *ret (free with ct_tpm_check_free) whenever the log
 * parses, whatever the PCRs say: a mismatch is a result, not an error. Test
 * ret->n_mismatch (and n_not_in_pcrs); n_banks == 0 means nothing could be
 * compared. Errors: those of ct_tpm_replay_log (CT_E_TRUNCATED,
 * CT_E_MALFORMED, CT_E_LIMIT, with the offset), CT_E_NOMEM. log must
 * outlive *ret (events point into it).
 */
ct_code ct_tpm_check_log(const uint8_t *log, size_t len, const ct_pcr_set *pcrs, uint32_t bank_mask, unsigned flags,
                         ct_tpm_check **ret, ct_error *err);

/* True when a bank was compared and no PCR mismatches (PCRs missing from pcrs do not count). */
bool ct_tpm_check_ok(const ct_tpm_check *c);

void ct_tpm_check_free(ct_tpm_check *c);

#ifdef __cplusplus
}
#endif
#endif
