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

/* ---- reading PCR sets (src/lib/pcr/) ---- */

#define CT_PCR_MAX_FILE_SIZE (16u << 20) /* a PCR-set text file (YAML, JSON) */

typedef enum ct_pcr_format {
        CT_PCR_FORMAT_AUTO = 0,
        CT_PCR_FORMAT_YAML,     /* tpm2_pcrread output, or any YAML with a `pcrs:` block of banks
                                 * (tpm2_eventlog, tpm2_quote, tpm2_checkquote) */
        CT_PCR_FORMAT_JSON,     /* {"pcrs": {"sha256": {"0": "<hex>", ...}}} (cocotrust PCR-set JSON) */
        CT_PCR_FORMAT_SYSFS,    /* a directory with pcr-<bank>/<N> files (or one pcr-<bank> directory) */
        CT_PCR_FORMAT_EVENTLOG, /* a binary TCG event log, replayed */
} ct_pcr_format;

/* "yaml", "json", "sysfs", "eventlog", "auto". */
const char *ct_pcr_format_name(ct_pcr_format fmt);

/*
 * Parse a PCR set from text: tpm2_pcrread-style YAML (hex in either case,
 * with or without 0x) or PCR-set JSON. With CT_PCR_FORMAT_AUTO, text that
 * starts with '{' is JSON, anything else YAML. Each value must have its
 * bank's size, indexes 0-23, banks sha1/sha256/sha384/sha512/sm3_256.
 * Errors carry the byte offset in the text where one is known.
 */
ct_code ct_pcr_set_parse_text(const char *text, size_t len, ct_pcr_format fmt, ct_pcr_set *ret, ct_error *err);

/*
 * Load a PCR set from a path: a directory (sysfs layout), a binary TCG event
 * log (replayed by the TPM rules; a truncated last record is accepted), or a
 * YAML/JSON text file. fmt AUTO detects; ret_fmt (may be NULL) gets the format used.
 */
ct_code ct_pcr_set_load(const char *path, ct_pcr_format fmt, ct_pcr_set *ret, ct_pcr_format *ret_fmt,
                        ct_error *err);

/* True when a PCR value looks like a reset value (all 00 or all FF): "unused". */
bool ct_pcr_value_is_reset(const uint8_t *v, size_t len);

/* ---- comparing PCR sets ---- */

/* Per bank, bitmasks over PCR indexes 0-23. */
typedef struct ct_pcr_compare_bank {
        ct_hash_alg alg;
        uint32_t common;        /* present in all sets, equal, not a reset value */
        uint32_t unused;        /* present in all sets, equal, a reset value (00..00 / FF..FF) */
        uint32_t different;     /* present in all sets, not all equal */
        uint32_t only_in_ref;   /* in the reference, missing from some other set */
        uint32_t only_in_other; /* missing from the reference, present in some other set */
} ct_pcr_compare_bank;

typedef struct ct_pcr_compare {
        unsigned n_banks;
        ct_pcr_compare_bank banks[CT_HASH__MAX]; /* the banks all sets have, by name order */
} ct_pcr_compare;

/*
 * Compare a reference set with n_others others (n_others >= 1). Only banks
 * present in every set are compared. The common values are those of ref.
 */
ct_code ct_pcr_compare_sets(const ct_pcr_set *ref, const ct_pcr_set *const *others, size_t n_others,
                            ct_pcr_compare *ret, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
