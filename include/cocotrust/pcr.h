/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — PCR sets: values per bank and index, as read from a TPM,
 * replayed from an event log, or predicted. Rendered by the tool as the
 * PCR-set JSON {"schema_version": 1, "pcrs": {"sha256": {"4": "<hex>"}}}.
 */
#ifndef COCOTRUST_PCR_H
#define COCOTRUST_PCR_H

#include <stdbool.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CT_PCR_COUNT 24

typedef struct ct_pcr_bank {
        ct_hash_alg alg;
        uint32_t present; /* bit i set: PCR i has a value */
        uint8_t values[CT_PCR_COUNT][CT_HASH_MAX_SIZE];
} ct_pcr_bank;

/* Banks are kept in the order they were first added. */
typedef struct ct_pcr_set {
        unsigned n_banks;
        ct_pcr_bank banks[CT_HASH__MAX];
} ct_pcr_set;

void ct_pcr_set_init(ct_pcr_set *s);

/* The bank of alg; NULL if absent and !create (or alg invalid). */
ct_pcr_bank *ct_pcr_set_bank(ct_pcr_set *s, ct_hash_alg alg, bool create);
const ct_pcr_bank *ct_pcr_set_bank_const(const ct_pcr_set *s, ct_hash_alg alg);

/* Set PCR index of d's bank to d (creating the bank). CT_E_ARG for index >= 24 or bad alg. */
ct_code ct_pcr_set_put(ct_pcr_set *s, unsigned index, const ct_digest *d, ct_error *err);

/* Value of PCR index in bank alg; false if not present. */
bool ct_pcr_set_get(const ct_pcr_set *s, ct_hash_alg alg, unsigned index, ct_digest *ret);

#ifdef __cplusplus
}
#endif
#endif
