/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust appraise — evidence against a manifest: one line per claim with its EAR tier and reason. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cocotrust/appraise.h>
#include <cocotrust/fileio.h>
#include <cocotrust/manifest.h>
#include <cocotrust/pcr.h>
#include <cocotrust/codec.h>
#include <cocotrust/evidence.h>
#include <sys/stat.h>
#include <cocotrust/snp.h>
#include <cocotrust/tdx.h>

#include "tool.h"

int tool_appraise(int argc, char **argv);

static void appraise_help(void)
{
        printf("Usage: %s appraise MANIFEST.json [EVIDENCE OPTIONS] [--json]\n\n"
               "Appraise evidence against a manifest (cocotrust reference): signatures and chains first,\n"
               "then each claim - launch measurement, MRTD/RTMRs, PCRs, the dm-verity root hash on the\n"
               "measured cmdline or in the event log, init-data - one line per claim with its EAR tier\n"
               "(affirming / warning / contraindicated / none) and the reason. Every mismatch is explained:\n"
               "for a PCR, whether the event log replays to it, and the first event that differs from the\n"
               "reference boot's log and what it measured.\n\n"
               "Evidence options:\n"
               "  --pcrs FILE             PCR values (tpm2_pcrread YAML, PCR-set JSON, sysfs directory, a\n"
               "                          binary event log) - not authenticated: a warning says so\n"
               "  --eventlog LOG          the guest's TCG event log: explains PCR mismatches; without --pcrs\n"
               "                          its replay is the PCR evidence; searched for the verity root hash\n"
               "  --reference-eventlog LOG  the reference boot's event log (tpm capture): names the first\n"
               "                          event that differs\n"
               "  --init-data FILE        the init-data TOML: its digest against the manifest and against the\n"
               "                          HOST_DATA / MRCONFIGID / PCR 8 the evidence carries\n"
               "  --snp-measurement HEX   an SEV-SNP launch digest (96 hex, e.g. from 'snp report show'; not\n"
               "                          authenticated): against the manifest's snp rows; a digest in no row\n"
               "                          is explained by searching vCPU counts, CPU types, VMMs and guest\n"
               "                          features with the manifest's firmware, kernel, initrd and cmdline\n"
               "  --snp-report R          an SEV-SNP attestation report (1184-byte binary or hex): signature\n"
               "                          and chain first (with --certs), TCB (a warning: not judgeable\n"
               "                          offline), guest policy, then MEASUREMENT as --snp-measurement and\n"
               "                          HOST_DATA as the init-data binding\n"
               "  --certs FILE|DIR        VCEK / VLEK, ASK / ASVK, ARK certificates (PEM or DER; repeatable;\n"
               "                          a directory as snpguest fetch writes it)\n"
               "  --tpm-evidence E        Trustee's TPM evidence JSON {ak_public, tpm_quote}: the quote's signature\n"
               "                          with the AK first, then its 24 SHA-256 PCRs against the manifest\n"
               "                          (authenticated); --eventlog explains mismatches\n"
               "  --tdx-quote Q           a TDX quote v4/v5: MRTD, RTMR 1/2, XFAM against the manifest's tdx rows,\n"
               "                          the debug attribute, MRCONFIGID as the init-data binding (its\n"
               "                          signature is not verified by this build: tdx.signature says so)\n"
               "  --tpm-quote Q, --hcl-report H\n"
               "                          not supported yet in this build (exit 3, says so)\n"
               "  --json                  EAR-style result: status, trust vector (cocotrust's and what\n"
               "                          Trustee's default policy would set), claims with explanations\n\n"
               "Tiers (AR4SI): a measured value equal to a reference value is affirming; one that differs\n"
               "from every reference value is contraindicated (AR4SI 96; Trustee's default policy would leave\n"
               "the claim at its default, e.g. executables 33, which the JSON reports as trustee_value);\n"
               "what cannot be judged offline (TCB freshness, collateral) is a warning; PCR values without a\n"
               "verified quote are compared, but the hardware is not asserted (pcr.source: none).\n\n"
               "Example:\n"
               "  %s appraise manifest.json --pcrs pcrs.json --eventlog boot.log \\\n"
               "      --reference-eventlog capture/eventlog.bin\n\n"
               "Exit status: 0 nothing contraindicated, 1 some claim contraindicated, 2 bad input or usage,\n"
               "3 I/O error or an evidence kind not supported yet.\n",
               program_name, program_name);
}

/* An artifact's file: its path as recorded, else relative to the manifest's directory. */
static const char *artifact_path(const ct_manifest *m, const char *name, const char *manifest, char *buf, size_t cap)
{
        const ct_manifest_artifact *art = ct_manifest_find_artifact(m, name);
        const char *slash;

        if (!art || !art->path)
                return NULL;
        if (access(art->path, R_OK) == 0 || art->path[0] == '/')
                return art->path;
        slash = strrchr(manifest, '/');
        if (!slash)
                return art->path;
        snprintf(buf, cap, "%.*s/%s", (int)(slash - manifest), manifest, art->path);
        return buf;
}

/*
 * The SNP explanation search needs the manifest's firmware, kernel, initrd and cmdline. On success
 * p is set up (fw holds the firmware); else `why` says what is missing.
 */
static bool snp_artifacts(const ct_manifest *m, const char *manifest, ct_snp_params *p, ct_blob *fw, char *why,
                          size_t cap)
{
        char b1[4096], b2[4096], b3[4096];
        const char *fwp = artifact_path(m, "firmware", manifest, b1, sizeof(b1));
        const char *kp = artifact_path(m, "kernel", manifest, b2, sizeof(b2));
        const char *ip = artifact_path(m, "initrd", manifest, b3, sizeof(b3));
        const ct_manifest_artifact *cmd = ct_manifest_find_artifact(m, "cmdline");
        ct_snp_boot_digests d;
        ct_error err;

        memset(p, 0, sizeof(*p));
        p->mode = CT_SNP_MODE_SNP;
        if (!fwp) {
                snprintf(why, cap, "the manifest names no firmware file");
                return false;
        }
        if (ct_blob_read(fwp, 0, fw, &err) != CT_OK) {
                snprintf(why, cap, "firmware %s: %s", fwp, err.msg);
                return false;
        }
        p->ovmf = fw->data;
        p->ovmf_len = fw->len;
        if (kp) {
                if (ct_snp_boot_digests_files(kp, ip, cmd ? cmd->text : NULL, &d, &err) != CT_OK) {
                        snprintf(why, cap, "%s", err.msg);
                        ct_blob_free(fw);
                        return false;
                }
                ct_snp_params_set_boot(p, &d);
        }
        return true;
}

static int appraise_report(ct_appraisal *a, const ct_manifest *m, const char *manifest, const char *path,
                           const char *const *certs, size_t n_certs)
{
        ct_blob rb = { 0 }, fw = { 0 };
        ct_snp_report *rep = calloc(1, sizeof(*rep));
        ct_snp_verify_result *vr = calloc(1, sizeof(*vr));
        ct_snp_verifier *v = NULL;
        ct_snp_verify_opts vo;
        ct_snp_params p;
        char why[600];
        const char *base = strrchr(path, '/');
        ct_error err;
        int rc = EXIT_OK;
        bool have;

        memset(&vo, 0, sizeof(vo));
        if (!rep || !vr) {
                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                goto out;
        }
        ct_error_clear(&err);
        if (ct_blob_read(path, CT_MAX_SNP_REPORT_TEXT, &rb, &err) != CT_OK ||
            ct_snp_report_parse(rb.data, rb.len, CT_SNP_PRODUCT_UNKNOWN, rep, &err) != CT_OK) {
                rc = tool_fail(&err, path);
                goto out;
        }
        if (ct_snp_verifier_new(&v, &err) != CT_OK) {
                rc = tool_fail(&err, NULL);
                goto out;
        }
        for (size_t i = 0; i < n_certs; i++) {
                struct stat st;
                ct_code c = stat(certs[i], &st) == 0 && S_ISDIR(st.st_mode) ? ct_snp_verifier_add_dir(v, certs[i], &err)
                                                                            : ct_snp_verifier_add_cert_file(v, certs[i], &err);
                if (c != CT_OK) {
                        rc = tool_fail(&err, certs[i]);
                        goto out;
                }
        }
        if (ct_snp_verify(v, rep, &vo, vr, &err) != CT_OK) {
                rc = tool_fail(&err, path);
                goto out;
        }
        have = snp_artifacts(m, manifest, &p, &fw, why, sizeof(why));
        if (ct_appraise_snp_report(a, rep, vr, base ? base + 1 : path, have ? &p : NULL, why, NULL, &err) != CT_OK)
                rc = tool_fail(&err, NULL);
out:
        ct_blob_free(&fw);
        ct_blob_free(&rb);
        ct_snp_verifier_free(v);
        free(rep);
        free(vr);
        return rc;
}

static int load(const char *path, uint64_t max, ct_blob *b)
{
        ct_error err;
        if (!path)
                return EXIT_OK;
        if (ct_blob_read(path, max, b, &err) != CT_OK)
                return tool_fail(&err, path);
        return EXIT_OK;
}

static void print_text(const ct_appraisal *a, const char *manifest, bool color)
{
        int ours[CT_TC__MAX], trustee[CT_TC__MAX];
        static const char *const col[] = { "", "\033[32m", "\033[33m", "\033[31;1m" };
        ct_tier st = ct_appraisal_status(a);

        printf("appraisal of the evidence against %s\n", manifest);
        for (size_t i = 0; i < ct_appraisal_count(a); i++) {
                const ct_claim *c = ct_appraisal_claim(a, i);
                size_t bl;
                /* consecutive affirming PCRs of one bank on one line (--json lists each) */
                if (c->tier == CT_TIER_AFFIRMING && strncmp(c->name, "pcr.", 4) == 0 && strchr(c->name + 4, '.')) {
                        char list[160] = "", label[CT_CLAIM_NAME_MAX];
                        size_t j = i, n = 0;
                        long prev = -2, start = -2;
                        bl = (size_t)(strchr(c->name + 4, '.') - c->name);
                        while (j < ct_appraisal_count(a)) {
                                const ct_claim *d = ct_appraisal_claim(a, j);
                                if (d->tier != CT_TIER_AFFIRMING || strncmp(d->name, c->name, bl + 1) != 0)
                                        break;
                                {
                                        long idx = strtol(d->name + bl + 1, NULL, 10);
                                        if (idx != prev + 1) {
                                                if (start >= 0)
                                                        snprintf(list + strlen(list), sizeof(list) - strlen(list),
                                                                 start == prev ? "%s%ld" : "%s%ld-%ld",
                                                                 list[0] ? "," : "", start, prev);
                                                start = idx;
                                        }
                                        prev = idx;
                                }
                                n++;
                                j++;
                        }
                        if (start >= 0)
                                snprintf(list + strlen(list), sizeof(list) - strlen(list),
                                         start == prev ? "%s%ld" : "%s%ld-%ld", list[0] ? "," : "", start, prev);
                        if (n > 1) {
                                snprintf(label, sizeof(label), "%.*s", (int)bl, c->name);
                                printf("  %s%-15s%s %-22s PCRs %s: the manifest's values (%zu PCRs)\n",
                                       color ? col[c->tier] : "", ct_tier_name(c->tier), color ? "\033[0m" : "", label,
                                       list, n);
                                i = j - 1;
                                continue;
                        }
                }
                printf("  %s%-15s%s %-22s %s\n", color ? col[c->tier] : "", ct_tier_name(c->tier), color ? "\033[0m" : "",
                       c->name, c->reason);
                if (c->explanation[0]) {
                        const char *p = c->explanation;
                        while (*p) {
                                const char *e = strchr(p, '\n');
                                int n = e ? (int)(e - p) : (int)strlen(p);
                                printf("  %-15s %-22s   %.*s\n", "", "", n, p);
                                p += n + (e ? 1 : 0);
                        }
                }
        }
        ct_appraisal_trust_vector(a, ours, trustee);
        printf("trust vector:");
        for (int k = 0; k < CT_TC__MAX; k++)
                if (ours[k])
                        printf(" %s=%d", ct_trust_claim_name((ct_trust_claim)k), ours[k]);
        printf("\nTrustee's default policy would set:");
        {
                bool any = false;
                for (int k = 0; k < CT_TC__MAX; k++)
                        if (trustee[k]) {
                                printf(" %s=%d (%s)", ct_trust_claim_name((ct_trust_claim)k), trustee[k],
                                       ct_tier_name(ct_tier_of_value(trustee[k])));
                                any = true;
                        }
                if (!any)
                        printf(" nothing from this evidence (its TPM rule needs a quote and PCR 11)");
        }
        printf("\nstatus: %s%s%s\n", color ? col[st] : "", ct_tier_name(st), color ? "\033[0m" : "");
}

static json_object *result_json(const ct_appraisal *a, const char *manifest)
{
        json_object *o = tool_json_new(), *tv = json_object_new_object(), *ttv = json_object_new_object(),
                    *arr = json_object_new_array();
        int ours[CT_TC__MAX], trustee[CT_TC__MAX];

        tool_json_add_str(o, "manifest", manifest);
        tool_json_add_str(o, "ear.status", ct_tier_name(ct_appraisal_status(a)));
        ct_appraisal_trust_vector(a, ours, trustee);
        for (int k = 0; k < CT_TC__MAX; k++) {
                json_object_object_add(tv, ct_trust_claim_name((ct_trust_claim)k), json_object_new_int(ours[k]));
                json_object_object_add(ttv, ct_trust_claim_name((ct_trust_claim)k), json_object_new_int(trustee[k]));
        }
        json_object_object_add(o, "ear.trustworthiness-vector", tv);
        json_object_object_add(o, "trustee_default_policy_vector", ttv);
        for (size_t i = 0; i < ct_appraisal_count(a); i++) {
                const ct_claim *c = ct_appraisal_claim(a, i);
                json_object *jc = json_object_new_object();
                tool_json_add_str(jc, "name", c->name);
                tool_json_add_str(jc, "tier", ct_tier_name(c->tier));
                tool_json_add_str(jc, "trust_claim", ct_trust_claim_name(c->trust_claim));
                tool_json_add_int(jc, "value", c->value);
                if (c->trustee_value != CT_TRUSTEE_NO_VALUE)
                        tool_json_add_int(jc, "trustee_value", c->trustee_value);
                tool_json_add_str(jc, "reason", c->reason);
                tool_json_add_str(jc, "explanation", c->explanation[0] ? c->explanation : NULL);
                json_object_array_add(arr, jc);
        }
        json_object_object_add(o, "claims", arr);
        return o;
}

int tool_appraise(int argc, char **argv)
{
        enum { O_PCRS = 1000, O_LOG, O_REFLOG, O_INIT, O_SNP, O_CERTS, O_TDX, O_TPMEV, O_TPMQ, O_HCL, O_SNPM };
        static const struct option opts[] = {
                { "pcrs", required_argument, NULL, O_PCRS },
                { "eventlog", required_argument, NULL, O_LOG },
                { "reference-eventlog", required_argument, NULL, O_REFLOG },
                { "init-data", required_argument, NULL, O_INIT },
                { "snp-report", required_argument, NULL, O_SNP },
                { "certs", required_argument, NULL, O_CERTS },
                { "tdx-quote", required_argument, NULL, O_TDX },
                { "tpm-evidence", required_argument, NULL, O_TPMEV },
                { "tpm-quote", required_argument, NULL, O_TPMQ },
                { "hcl-report", required_argument, NULL, O_HCL },
                { "snp-measurement", required_argument, NULL, O_SNPM },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("appraise", appraise_help);
        const char *pcrs = NULL, *log = NULL, *reflog = NULL, *init = NULL, *manifest;
        const char *unsupported = NULL, *snpm = NULL, *snprep = NULL, *certs[16], *tpmev = NULL, *tdxq = NULL;
        size_t n_certs = 0;
        ct_manifest *m = NULL;
        ct_appraisal *a = NULL;
        ct_blob blog = { 0 }, bref = { 0 }, binit = { 0 };
        ct_pcr_set *ev = NULL;
        ct_error err;
        int c, rc = EXIT_OK;

        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case O_PCRS: pcrs = optarg; break;
                case O_LOG: log = optarg; break;
                case O_REFLOG: reflog = optarg; break;
                case O_INIT: init = optarg; break;
                case O_SNP: snprep = optarg; break;
                case O_CERTS:
                        if (n_certs >= 16)
                                return tool_cmd_usage(&cmd, "--certs: at most 16 times");
                        certs[n_certs++] = optarg;
                        break;
                case O_TDX: tdxq = optarg; break;
                case O_TPMEV: tpmev = optarg; break;
                case O_TPMQ: unsupported = "--tpm-quote (TPM quote verification: the evidence area)"; break;
                case O_SNPM: snpm = optarg; break;
                case O_HCL: unsupported = "--hcl-report (Azure HCL report: the evidence area)"; break;
                default: break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (optind + 1 != argc)
                return tool_cmd_usage(&cmd, "expected one MANIFEST.json");
        manifest = argv[optind];
        if (unsupported) {
                fprintf(stderr, "%s: appraise: %s is not supported yet in this build\n", program_name, unsupported);
                return EXIT_INTERNAL;
        }
        if (n_certs && !snprep)
                return tool_cmd_usage(&cmd, "--certs needs --snp-report");
        if (tpmev && pcrs)
                return tool_cmd_usage(&cmd, "--tpm-evidence carries its PCRs: give it or --pcrs, not both");
        if (!pcrs && !log && !init && !snpm && !snprep && !tpmev && !tdxq)
                return tool_cmd_usage(&cmd, "no evidence given (--pcrs, --eventlog, --snp-measurement, --init-data, ...)");
        if (reflog && !log)
                return tool_cmd_usage(&cmd, "--reference-eventlog needs --eventlog (the evidence's log)");
        ct_error_clear(&err);
        if (ct_manifest_read(manifest, &m, &err) != CT_OK)
                return tool_fail(&err, manifest);
        if ((rc = load(log, CT_MAX_APPRAISE_LOG, &blog)) != EXIT_OK ||
            (rc = load(reflog, CT_MAX_APPRAISE_LOG, &bref)) != EXIT_OK ||
            (rc = load(init, CT_MAX_INIT_DATA, &binit)) != EXIT_OK)
                goto out;
        if (ct_appraisal_new(m, &a, &err) != CT_OK) {
                rc = tool_fail(&err, NULL);
                goto out;
        }
        if (snprep && (rc = appraise_report(a, m, manifest, snprep, certs, n_certs)) != EXIT_OK)
                goto out;
        if (snpm) {
                uint8_t dg[48];
                size_t dl = 0;
                ct_snp_params p;
                ct_blob fw = { 0 };
                char why[600];
                bool have;

                if (ct_hex_decode(snpm, dg, sizeof(dg), &dl, NULL) != CT_OK || (dl != 48 && dl != 32)) {
                        rc = tool_cmd_usage(&cmd, "--snp-measurement: expected 96 (SNP) or 64 (SEV) hex digits");
                        goto out;
                }
                have = snp_artifacts(m, manifest, &p, &fw, why, sizeof(why));
                rc = ct_appraise_snp_measurement(a, dg, dl, "launch digest", have ? &p : NULL, why, NULL, &err) ==
                                     CT_OK
                             ? EXIT_OK
                             : tool_fail(&err, NULL);
                ct_blob_free(&fw);
                if (rc != EXIT_OK)
                        goto out;
        }
        if (tdxq) {
                ct_blob qb = { 0 };
                ct_tdx_quote *q = calloc(1, sizeof(*q));
                const char *base = strrchr(tdxq, '/');
                if (!q) {
                        rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                        goto out;
                }
                if ((rc = load(tdxq, CT_MAX_TDX_QUOTE_SIZE, &qb)) != EXIT_OK) {
                        free(q);
                        goto out;
                }
                if (ct_tdx_quote_parse(qb.data, qb.len, q, &err) != CT_OK ||
                    ct_appraise_tdx_quote(a, q, base ? base + 1 : tdxq, &err) != CT_OK)
                        rc = tool_fail(&err, tdxq);
                ct_blob_free(&qb);
                free(q);
                if (rc != EXIT_OK)
                        goto out;
        }
        if (tpmev) {
                ct_blob eb = { 0 };
                ct_tpm_evidence_opts to;
                ct_tpm_evidence_result *tr = calloc(1, sizeof(*tr));
                const char *base = strrchr(tpmev, '/');

                memset(&to, 0, sizeof(to));
                ev = calloc(1, sizeof(*ev));
                if (!tr || !ev) {
                        free(tr);
                        rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                        goto out;
                }
                if ((rc = load(tpmev, CT_MAX_TPM_EVIDENCE_JSON, &eb)) != EXIT_OK) {
                        free(tr);
                        goto out;
                }
                if (ct_tpm_evidence_verify(eb.data, eb.len, &to, tr, &err) != CT_OK) {
                        rc = tool_fail(&err, tpmev);
                        ct_blob_free(&eb);
                        free(tr);
                        goto out;
                }
                ct_blob_free(&eb);
                ct_pcr_set_init(ev);
                for (unsigned i = 0; i < 24; i++) {
                        ct_digest d;
                        ct_digest_from_bytes(&d, CT_HASH_SHA256, tr->pcrs[i], 32);
                        ct_pcr_set_put(ev, i, &d, NULL);
                }
                if (ct_appraise_tpm_quote(a, &tr->quote.checks, tr->quote.ok, base ? base + 1 : tpmev, tr->ak_desc,
                                          &err) != CT_OK ||
                    ct_appraise_pcrs(a, ev, base ? base + 1 : tpmev, tr->quote.ok, log ? blog.data : NULL, blog.len,
                                     reflog ? bref.data : NULL, bref.len, &err) != CT_OK) {
                        rc = tool_fail(&err, err.code == CT_E_ARG ? manifest : tpmev);
                        free(tr);
                        goto out;
                }
                free(tr);
        }
        if (!tpmev && (pcrs || log)) {
                const char *src = pcrs ? pcrs : log, *base = strrchr(src, '/');
                ev = calloc(1, sizeof(*ev));
                if (!ev) {
                        rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                        goto out;
                }
                if (ct_pcr_set_load(src, CT_PCR_FORMAT_AUTO, ev, NULL, &err) != CT_OK) {
                        rc = tool_fail(&err, src);
                        goto out;
                }
                if (ct_appraise_pcrs(a, ev, base ? base + 1 : src, false, log ? blog.data : NULL, blog.len, reflog ? bref.data : NULL,
                                     bref.len, &err) != CT_OK) {
                        rc = tool_fail(&err, err.code == CT_E_ARG ? manifest : log);
                        goto out;
                }
        }
        if (ct_appraise_verity(a, log ? blog.data : NULL, blog.len, &err) != CT_OK) {
                rc = tool_fail(&err, log);
                goto out;
        }
        if (ct_appraise_init_data(a, init ? binit.data : NULL, binit.len, init ? init : "", &err) != CT_OK) {
                rc = tool_fail(&err, init);
                goto out;
        }
        if (cmd.json) {
                rc = tool_json_emit(result_json(a, manifest), NULL);
                if (rc != EXIT_OK)
                        goto out;
        } else {
                print_text(a, manifest, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
        }
        rc = ct_appraisal_status(a) == CT_TIER_CONTRAINDICATED ? EXIT_VERIFY_FAILED : EXIT_OK;
out:
        ct_appraisal_free(a);
        ct_manifest_free(m);
        free(ev);
        ct_blob_free(&blog);
        ct_blob_free(&bref);
        ct_blob_free(&binit);
        return rc;
}
