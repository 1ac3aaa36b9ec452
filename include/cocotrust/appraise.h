/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — appraisal of evidence against a manifest: one claim per
 * checked property (signature and chain, launch measurement, PCRs, verity
 * root hash, init-data), each with an EAR tier (none / affirming / warning /
 * contraindicated), the AR4SI trust-vector value it gives, the value Trustee's
 * default policy would give, the reason, and for every mismatch an
 * explanation (which event of the log differs and what it measured).
 *
 * Tiers of an AR4SI value v (shared/specs/coco-ecosystem.md 1.3): -1..1 none,
 * |v| < 32 affirming, |v| < 96 warning, else contraindicated. cocotrust marks
 * a measured value that differs from every reference value contraindicated
 * (AR4SI 96); Trustee's default policy leaves the trust claim at its default
 * (executables 33, a warning) in that case; both values are reported.
 */
#ifndef COCOTRUST_APPRAISE_H
#define COCOTRUST_APPRAISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/pcr.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ct_manifest;

typedef enum ct_tier {
        CT_TIER_NONE = 0,
        CT_TIER_AFFIRMING,
        CT_TIER_WARNING,
        CT_TIER_CONTRAINDICATED,
} ct_tier;

/* "none", "affirming", "warning", "contraindicated" */
const char *ct_tier_name(ct_tier t);
/* Tier of an AR4SI trust-claim value. */
ct_tier ct_tier_of_value(int v);

/* The AR4SI trust-vector claims, in EAR's order. */
typedef enum ct_trust_claim {
        CT_TC_INSTANCE_IDENTITY = 0,
        CT_TC_CONFIGURATION,
        CT_TC_EXECUTABLES,
        CT_TC_FILE_SYSTEM,
        CT_TC_HARDWARE,
        CT_TC_RUNTIME_OPAQUE,
        CT_TC_STORAGE_OPAQUE,
        CT_TC_SOURCED_DATA,
        CT_TC__MAX
} ct_trust_claim;

/* "instance-identity", "configuration", "executables", "file-system", "hardware", ... */
const char *ct_trust_claim_name(ct_trust_claim c);

#define CT_CLAIM_NAME_MAX 48
#define CT_CLAIM_REASON_MAX 512
#define CT_CLAIM_EXPLAIN_MAX 4096
#define CT_MAX_CLAIMS 128
#define CT_TRUSTEE_NO_VALUE (-1000) /* Trustee's default policy does not read this */

typedef struct ct_claim {
        char name[CT_CLAIM_NAME_MAX];         /* "snp.signature", "pcr.sha256.4", "verity.rootfs", ... */
        ct_trust_claim trust_claim;
        ct_tier tier;
        int value;                            /* AR4SI value cocotrust assigns */
        int trustee_value;                    /* what Trustee's default policy gives, or CT_TRUSTEE_NO_VALUE */
        char reason[CT_CLAIM_REASON_MAX];     /* one line */
        char explanation[CT_CLAIM_EXPLAIN_MAX]; /* for a mismatch: lines separated by '\n'; "" otherwise */
} ct_claim;

typedef struct ct_appraisal ct_appraisal;

/*
 * A new appraisal against manifest m (borrowed: it must outlive the
 * appraisal). Free with ct_appraisal_free (NULL-safe).
 */
ct_code ct_appraisal_new(const struct ct_manifest *m, ct_appraisal **ret, ct_error *err);
void ct_appraisal_free(ct_appraisal *a);

/* Add a claim (copied). CT_E_LIMIT beyond CT_MAX_CLAIMS. */
ct_code ct_appraisal_add(ct_appraisal *a, const ct_claim *c, ct_error *err);

size_t ct_appraisal_count(const ct_appraisal *a);
const ct_claim *ct_appraisal_claim(const ct_appraisal *a, size_t i);
/* The worst tier over all claims (NONE when there are none). */
ct_tier ct_appraisal_status(const ct_appraisal *a);
/*
 * The trust vector: per claim the value of its worst-tier claim (0 when no
 * claim is about it), as cocotrust (ours) and as Trustee's default policy
 * would set it (trustee; its defaults 33 / 97 / 36 when a rule fails).
 */
void ct_appraisal_trust_vector(const ct_appraisal *a, int ours[CT_TC__MAX], int trustee[CT_TC__MAX]);

/* Limits of the evidence this module reads itself. */
#define CT_MAX_APPRAISE_LOG (64u << 20)  /* an event log */
#define CT_MAX_INIT_DATA (1u << 20)      /* an init-data TOML */

/*
 * PCRs: compare the evidence PCR set with the manifest's reference values
 * (captured_pcrs of a reference boot, then the predicted pcrs for indexes
 * the capture lacks). One claim per compared PCR ("pcr.sha256.4"), and a
 * "pcr.source" claim of tier none (no assertion about the hardware) when the
 * values are not authenticated (a replayed log or a file, not a verified quote). For a mismatch the explanation
 * names, when `log` is given, the events of that PCR in the evidence log
 * and, when `ref_log` is given too, the first event that differs from the
 * reference boot's log and what it measured; it also says whether the log
 * replays to the evidence value (a PCR set that its own log does not explain
 * has been altered after the fact). `what` names the evidence ("pcrs.yaml").
 * CT_E_MALFORMED for a log that does not parse (with its offset), CT_E_ARG
 * when the manifest has no PCR values.
 */
ct_code ct_appraise_pcrs(ct_appraisal *a, const ct_pcr_set *evidence, const char *what, bool authenticated,
                         const uint8_t *log, size_t log_len, const uint8_t *ref_log, size_t ref_log_len,
                         ct_error *err);

/*
 * dm-verity: for each verity volume of the manifest, whether its root hash
 * is bound to what was measured: found on the manifest's cmdline artifact
 * when a launch measurement of that cmdline was affirmed
 * (ct_appraisal_note_cmdline_measured), or in the data of an event of `log`
 * (systemd-stub's / the Linux EFI stub's cmdline measurement, ASCII or
 * UTF-16). Affirming when bound, warning when the root hash is present but
 * not bound to any affirmed measurement, contraindicated when a measured
 * cmdline carries a different root hash.
 */
ct_code ct_appraise_verity(ct_appraisal *a, const uint8_t *log, size_t log_len, ct_error *err);

/* Record that the manifest's cmdline artifact was measured and affirmed by `by` ("snp.launch_measurement"). */
void ct_appraisal_note_cmdline_measured(ct_appraisal *a, const char *by);

/* Record an init-data binding the evidence carries (already authenticated or not, as `how` says). */
typedef enum ct_init_binding {
        CT_INIT_HOST_DATA = 0, /* SNP HOST_DATA, 32 bytes */
        CT_INIT_MRCONFIGID,    /* TDX MRCONFIGID, 48 bytes */
        CT_INIT_PCR8,          /* vTPM PCR 8 (SHA-256), 32 bytes */
} ct_init_binding;
ct_code ct_appraisal_note_init_binding(ct_appraisal *a, ct_init_binding kind, const uint8_t *value, size_t len,
                                       const char *how, ct_error *err);

/*
 * init-data: digest of the TOML document (its `algorithm`), compared with
 * the manifest's init_data entries and with every binding the evidence
 * carries (HOST_DATA, MRCONFIGID, PCR 8). toml may be NULL: then the
 * evidence bindings are compared with the manifest's entries only.
 */
ct_code ct_appraise_init_data(ct_appraisal *a, const uint8_t *toml, size_t len, const char *what, ct_error *err);

/*
 * SEV-SNP launch measurement (an SNP report's MEASUREMENT, 48 bytes; or a
 * SEV / SEV-ES digest, 32 bytes) against the manifest's snp rows: affirming
 * (executables 3) when a row has it; otherwise contraindicated, explained by
 * ct_snp_explain over `space` (NULL: its defaults, 512 vCPUs x every CPU type
 * x QEMU/ec2/gce x the guest-feature values) with the artifacts in
 * `artifacts` (the manifest's firmware / kernel / initrd / cmdline, may be
 * NULL: then the explanation says the search could not run, and why in
 * `no_artifacts_why`): "matches 3 vCPUs, EPYC-Genoa, QEMU, guest features
 * 0x1; the manifest covers 4 vCPUs, EPYC-Milan" or "no configuration in the
 * searched space (N configurations)". `what` names the evidence. An
 * affirmed measurement also records that the manifest's cmdline was measured.
 */
struct ct_snp_params;
struct ct_snp_explain_space;
ct_code ct_appraise_snp_measurement(ct_appraisal *a, const uint8_t *digest, size_t len, const char *what,
                                    const struct ct_snp_params *artifacts, const char *no_artifacts_why,
                                    const struct ct_snp_explain_space *space, ct_error *err);

/*
 * A parsed and verified SEV-SNP report (include/cocotrust/evidence.h:
 * ct_snp_report_parse, ct_snp_verify without expectations): the signature
 * and chain first ("snp.signature": affirming when every check held, else
 * contraindicated with the failed checks), the verifier's warnings, the TCB
 * ("snp.tcb": a warning, its freshness cannot be judged offline), the guest
 * policy as Trustee's configuration rule reads it (debug / migration agent),
 * then the MEASUREMENT as ct_appraise_snp_measurement and HOST_DATA as the
 * init-data binding.
 */
struct ct_snp_report;
struct ct_snp_verify_result;
ct_code ct_appraise_snp_report(ct_appraisal *a, const struct ct_snp_report *r, const struct ct_snp_verify_result *vr,
                               const char *what, const struct ct_snp_params *artifacts, const char *no_artifacts_why,
                               const struct ct_snp_explain_space *space, ct_error *err);

/*
 * A verified TPM quote (evidence.h: ct_tpm_quote_verify / ct_tpm_evidence_verify): "tpm.quote" affirming
 * (hardware 2, as Trustee's tpm rule) when every check held, else contraindicated with the failed
 * checks. The quoted PCRs then go to ct_appraise_pcrs with authenticated = ok.
 */
struct ct_checks;
ct_code ct_appraise_tpm_quote(ct_appraisal *a, const struct ct_checks *checks, bool ok, const char *what,
                              const char *ak_desc, ct_error *err);

/*
 * A parsed TDX quote (tdx.h: ct_tdx_quote_parse): MRTD (Trustee: hardware),
 * RTMR 1 and 2 (executables) and XFAM (configuration) against the manifest's
 * tdx rows, the TD's debug attribute, MRCONFIGID as the init-data binding.
 * The quote's signature is not verified by this build: "tdx.signature" says
 * so (tier none).
 */
struct ct_tdx_quote;
ct_code ct_appraise_tdx_quote(ct_appraisal *a, const struct ct_tdx_quote *q, const char *what, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
