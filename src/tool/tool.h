/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust CLI — verb table and shared helpers of the tool (not the library). */
#ifndef COCOTRUST_TOOL_H
#define COCOTRUST_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>
#include <cocotrust/pcr.h>

/* Exit statuses (DESIGN.md). */
enum {
        EXIT_OK = 0,
        EXIT_VERIFY_FAILED = 1,
        EXIT_BAD_INPUT = 2,
        EXIT_INTERNAL = 3,
};

/* A verb receives argv with argv[0] = "AREA VERB" (for getopt messages). */
typedef int (*tool_verb_fn)(int argc, char **argv);

struct tool_verb {
        const char *name;
        const char *args;    /* synopsis after the verb, e.g. "[OPTIONS] DATA HASH" */
        tool_verb_fn fn;
        const char *help;    /* one line */
};

struct tool_area {
        const char *name;
        const char *summary;
        const struct tool_verb *verbs;
        size_t n_verbs;
};

extern const struct tool_area tool_area_snp;
extern const struct tool_area tool_area_verity;
extern const struct tool_area tool_area_pe;
extern const struct tool_area tool_area_uki;
extern const struct tool_area tool_area_pcr;
extern const struct tool_area tool_area_eventlog;
extern const struct tool_area tool_area_tpm;
extern const struct tool_area tool_area_rvps;

/* "cocotrust" */
extern const char *program_name;

/*
 * Print "cocotrust: <file>: <message>" (file may be NULL) on stderr, one line,
 * and return the exit status for err->code (or `code` if err is NULL).
 */
int tool_fail(const ct_error *err, const char *file);

/* Print "cocotrust: <message>" and return EXIT_BAD_INPUT (usage errors). */
int tool_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a message on stderr and return `status`. */
int tool_errorf(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "not implemented yet" with exit status 3 — for parts of the CLI that do not exist. */
int tool_not_implemented(const char *what);

/* Print a JSON value on stdout (pretty, two-space indent, trailing newline) and release it. */
void tool_json_print(json_object *o);

/* New JSON object with "schema_version": 1 already set. */
json_object *tool_json_new(void);

/* Add a string; NULL adds JSON null. */
void tool_json_add_str(json_object *o, const char *key, const char *val);
void tool_json_add_int(json_object *o, const char *key, int64_t val);
void tool_json_add_bool(json_object *o, const char *key, bool val);
/* Add lower-case hex of a digest. */
void tool_json_add_digest(json_object *o, const char *key, const ct_digest *d);
/* Add lower-case hex of bytes. */
void tool_json_add_hex(json_object *o, const char *key, const void *data, size_t len);

/* Parse an unsigned integer (decimal, 0x hex, 0 octal as strtoull base 0) fully; false on junk/overflow. */
bool tool_parse_u64(const char *s, unsigned long long *ret);

/*
 * PCR-set JSON: {"schema_version": 1, "pcrs": {"<bank>": {"<index>": "<hex>", ...}, ...}}.
 * Banks in the set's order, indexes ascending. Returns a new object.
 */
json_object *tool_pcrset_json(const ct_pcr_set *s);

/* "0 1 2 7" for the PCRs set in mask, "-" when none (truncated to cap). */
void tool_pcr_mask_text(char *out, size_t cap, uint32_t mask);

/* JSON array of the PCR indexes set in mask. */
json_object *tool_pcr_mask_json(uint32_t mask);

/*
 * Add the digest named by `name` to banks[0..*n) unless present (sha1,
 * sha256, sha384, sha512). Returns false, after a usage message naming
 * `option`, for any other name. banks has room for CT_HASH__MAX entries.
 */
bool tool_add_bank(ct_hash_alg *banks, size_t *n, const char *name, const char *option);

/* Levenshtein distance, for "did you mean". */
size_t tool_edit_distance(const char *a, const char *b);

/* Print help for an area's verbs. */
void tool_area_help(const struct tool_area *area, FILE *f);

#endif
