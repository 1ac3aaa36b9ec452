/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — Trustee reference values: the names, shapes and element types
 * Trustee's attestation policies query (`query_reference_value("NAME")`), a
 * bounded scanner that finds those calls in a .rego file, the RVPS `sample`
 * registration message built from a manifest, and a lint of a message against
 * a policy.
 *
 * Facts (shared/specs/coco-ecosystem.md 1.1, 1.2, 1.2a): a rule `claim in
 * query_reference_value("n")` needs a JSON array under n; `claim ==
 * query_reference_value("n")` needs a bare value. A wrong shape makes the rule
 * false without any error and the trust claim keeps its default (executables
 * 33, hardware 97, configuration 36).
 */
#ifndef COCOTRUST_RVPS_H
#define COCOTRUST_RVPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The Trustee snapshot the built-in table comes from. */
#define CT_RVPS_POLICY_SOURCE \
        "confidential-containers/trustee@78962cd416dcc8a32f9377e0066a28fe21420f69 " \
        "attestation-service/src/ear_token/ear_default_policy_{cpu,gpu}.rego"

/* Limits of the policy scanner and the message reader. */
#define CT_MAX_REGO_SIZE (1u << 20)      /* a policy file */
#define CT_MAX_REGO_REFS 4096u           /* query_reference_value calls in one file */
#define CT_MAX_RV_NAME 128u              /* a reference-value name */
#define CT_MAX_RV_CLAIM 160u             /* the claim expression kept per call */
#define CT_MAX_RVPS_MESSAGE (16u << 20)  /* an RVPS message or manifest */
#define CT_MAX_RVPS_VALUES 65536u        /* values under one name */

/* How the policy compares the claim with the stored value. */
typedef enum ct_rv_op {
        CT_RV_OP_UNKNOWN = 0, /* the call is used in another way (assigned, passed on) */
        CT_RV_OP_IN,          /* claim in rv: rv must be a list */
        CT_RV_OP_EQ,          /* claim == rv: rv must be a scalar */
        CT_RV_OP_GE,          /* claim >= rv: rv must be a number */
        CT_RV_OP_LE,          /* claim <= rv */
        CT_RV_OP_NE,          /* claim != rv */
} ct_rv_op;

/* Element type of a value (for a list: of each element). */
typedef enum ct_rv_type {
        CT_RV_TYPE_ANY = 0, /* not known (a name the built-in table does not have) */
        CT_RV_TYPE_HEX96,   /* 96 lower-case hex characters (SHA-384 / 48 bytes) */
        CT_RV_TYPE_HEX64,   /* 64 lower-case hex characters (SHA-256 / 32 bytes) */
        CT_RV_TYPE_HEX16,   /* 16 lower-case hex characters (TDX xfam: the 8 stored LE bytes) */
        CT_RV_TYPE_INTEGER, /* JSON integer (SNP TCB components, ABI numbers) */
        CT_RV_TYPE_NUMBER,  /* JSON number */
        CT_RV_TYPE_BOOLEAN, /* JSON true/false */
        CT_RV_TYPE_STRING,  /* any JSON string */
        CT_RV_TYPE_B64,     /* base64 text (TPM AK SubjectPublicKeyInfo DER) */
} ct_rv_type;

/* One `query_reference_value` call of a policy. */
typedef struct ct_rv_ref {
        char name[CT_MAX_RV_NAME];
        ct_rv_op op;
        ct_rv_type type;          /* from the built-in table by name; ANY for unknown names */
        char tee[32];             /* input key of the rule ("snp", "az-snp-vtpm"), "" if unknown */
        char claim[CT_MAX_RV_CLAIM]; /* the compared expression, e.g. "input.snp.measurement" */
        char trust_claim[32];     /* rule head: "executables", "hardware", "configuration" */
        int rule_value;           /* value the rule assigns when true (3, 2, 4, ...) */
        int default_value;        /* the trust claim's `default` value; -1000 when none */
        unsigned line;            /* 1-based line of the call */
        bool commented_out;       /* the call is in a comment */
} ct_rv_ref;

/* "in", "==", ">=", "<=", "!=", "?" */
const char *ct_rv_op_name(ct_rv_op op);
/* "list", "scalar", "number", "unknown" — the shape the operator requires. */
const char *ct_rv_op_shape(ct_rv_op op);
/* "96-hex", "64-hex", "16-hex", "integer", "number", "boolean", "string", "base64", "any" */
const char *ct_rv_type_name(ct_rv_type t);
/* Tier of a trust-claim value as EAR serialises it: "none", "affirming", "warning", "contraindicated". */
const char *ct_ear_tier_name(int value);

/*
 * The built-in table: every query_reference_value call of Trustee's default
 * CPU and GPU policies at CT_RVPS_POLICY_SOURCE (commented-out calls too),
 * with its line in that file. Static storage; *ret_n gets the count.
 * `file` of entry i is ct_rv_builtin_file(i).
 */
const ct_rv_ref *ct_rv_builtin(size_t *ret_n);
const char *ct_rv_builtin_file(size_t index);

/* Element type the built-in table gives `name` (a live entry first, else a commented-out one); ANY when absent. */
ct_rv_type ct_rv_builtin_type(const char *name);

/*
 * Scan a .rego policy for `query_reference_value("NAME")` calls: for each,
 * the operator it is used with, the compared expression, the rule head it
 * belongs to (one level of helper rules is followed to the trust claim that
 * uses the helper), the rule's TEE guard (`input.X` / `input["X"]`), and the
 * `default` of that trust claim. A bounded line scanner, not a Rego
 * interpreter: calls with a computed name are reported with name "" and op
 * UNKNOWN. On success *ret (free with free()) holds *ret_n entries (may be 0,
 * *ret then NULL). CT_E_LIMIT beyond CT_MAX_REGO_SIZE / CT_MAX_REGO_REFS;
 * CT_E_MALFORMED for a NUL byte or an unterminated name, with its offset.
 */
ct_code ct_rego_scan(const char *text, size_t len, ct_rv_ref **ret, size_t *ret_n, ct_error *err);

/* ---- the RVPS sample message ---- */

/* SNP TCB components a platform reports (snphost show tcb); not in the manifest (a host property). */
typedef struct ct_rvps_snp_tcb {
        uint8_t bootloader, tee, snp, microcode;
} ct_rvps_snp_tcb;

/* Options of the export. */
typedef struct ct_rvps_export_opts {
        bool azure;                    /* also snp_pcr11 / tdx_pcr11 (Azure vTPM policies) from PCR 11 */
        const ct_rvps_snp_tcb *snp_tcb; /* accepted TCBs -> snp_bootloader, snp_tee_svn, snp_snp_svn, snp_microcode */
        size_t n_snp_tcb;
} ct_rvps_export_opts;

/* One reference-value name in an export. */
typedef struct ct_rvps_entry {
        char name[CT_MAX_RV_NAME];
        size_t n_values;      /* values in the list (1 for a scalar) */
        bool list;            /* stored as a JSON array */
        char *value_json;     /* the stored value, compact JSON (owned by the export) */
        char source[96];      /* the manifest field it comes from */
} ct_rvps_entry;

typedef struct ct_rvps_export ct_rvps_export;
struct ct_manifest;

/*
 * Build the RVPS sample payload from a manifest (include/cocotrust/manifest.h):
 * each value under Trustee's name, in the shape and type its policy expects,
 * every accepted value of a name in one list: snp[].measurement (48-byte
 * rows) -> snp_launch_measurement; tdx[] mrtd / rtmr[1] / rtmr[2] / xfam ->
 * mr_td / rtmr_1 / rtmr_2 / xfam (lists); tdvfkernel / tdvfkernelparams
 * (scalars: rows that disagree are CT_E_UNSUPPORTED); PCR 11 (SHA-256) of
 * pcrs, pcr_variants and captured_pcrs -> tpm_pcr11. Free with ct_rvps_export_free().
 */
ct_code ct_rvps_export_from(const struct ct_manifest *m, const ct_rvps_export_opts *opts, ct_rvps_export **ret,
                            ct_error *err);

/* As ct_rvps_export_from on manifest JSON text (ct_manifest_parse: bad fields are named by JSON path). */
ct_code ct_rvps_export_manifest(const char *json, size_t len, const ct_rvps_export_opts *opts,
                                ct_rvps_export **ret, ct_error *err);
void ct_rvps_export_free(ct_rvps_export *e);

/* Entries in name order. */
size_t ct_rvps_export_count(const ct_rvps_export *e);
const ct_rvps_entry *ct_rvps_export_entry(const ct_rvps_export *e, size_t i);

/* The payload {"name": value, ...} (compact JSON, keys sorted) and the message
 * {"version":"0.1.0","type":"sample","payload":"<base64>"}. Owned by e. */
const char *ct_rvps_export_payload(const ct_rvps_export *e);
const char *ct_rvps_export_message(const ct_rvps_export *e);

/* ---- lint ---- */

typedef enum ct_lint_level {
        CT_LINT_OK = 0,   /* the entry has the name, shape and type the policy reads */
        CT_LINT_INFO,     /* a queried name the payload does not provide */
        CT_LINT_WARN,     /* stored but never read by the policy (unknown name), or an empty list */
        CT_LINT_ERROR,    /* wrong shape or type: the rule is silently false */
} ct_lint_level;

typedef struct ct_lint_finding {
        ct_lint_level level;
        char name[CT_MAX_RV_NAME];
        const ct_rv_ref *ref;   /* the policy call concerned (points into the policy table), or NULL */
        char message[1024];     /* what is wrong and what the policy then does */
} ct_lint_finding;

typedef struct ct_lint_result ct_lint_result;

/* What the input to the lint was. */
typedef enum ct_lint_input {
        CT_LINT_INPUT_MESSAGE = 0, /* an RVPS message {"version","type","payload"} */
        CT_LINT_INPUT_PAYLOAD,     /* a bare sample payload {name: value} */
        CT_LINT_INPUT_MANIFEST,    /* a cocotrust manifest (exported first) */
} ct_lint_input;

/*
 * Lint an RVPS message, a bare payload or a manifest (exported with opts)
 * against a policy table (refs[0..n_refs), e.g. ct_rv_builtin() or a
 * ct_rego_scan() result, which must outlive the result). A malformed message
 * (version not 0.1.0, payload not base64 JSON object) is CT_E_MALFORMED.
 * Free with ct_lint_result_free().
 */
ct_code ct_rvps_lint(const char *json, size_t len, const ct_rv_ref *refs, size_t n_refs,
                     const ct_rvps_export_opts *opts, ct_lint_result **ret, ct_error *err);
void ct_lint_result_free(ct_lint_result *r);
ct_lint_input ct_lint_result_input(const ct_lint_result *r);
size_t ct_lint_result_count(const ct_lint_result *r);
const ct_lint_finding *ct_lint_result_finding(const ct_lint_result *r, size_t i);
/* Number of findings at `level`. */
size_t ct_lint_result_count_level(const ct_lint_result *r, ct_lint_level level);

#ifdef __cplusplus
}
#endif
#endif
