/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust rvps export / lint — Trustee RVPS sample messages in the shapes its policies read. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include <cocotrust/fileio.h>
#include <cocotrust/rvps.h>

#include "tool.h"

static void export_help(void)
{
        printf("Usage: %s rvps export MANIFEST.json [-o DIR] [--snp-tcb BL,TEE,SNP,UCODE]... [--azure] [--json]\n\n"
               "Turn a cocotrust manifest (cocotrust reference) into one Trustee RVPS registration\n"
               "message {\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":base64({name: value})}\n"
               "with the names of Trustee's default policy and each value in the shape and type its\n"
               "rule reads: lists for `claim in query_reference_value(NAME)` (snp_launch_measurement,\n"
               "mr_td, rtmr_1, rtmr_2, xfam, tpm_pcr11, snp_bootloader...), bare values for `==`\n"
               "(tdvfkernel, tdvfkernelparams); integers for SNP TCB components; lower-case hex; xfam\n"
               "as its 8 stored little-endian bytes. Every accepted value of a name (one launch digest\n"
               "per vCPU count and CPU type) goes into one list in one message.\n\n"
               "Why one message: kbs-client set-sample-reference-value registers one name per call and\n"
               "RVPS stores with overwrite, so a second call replaces the first and a table of values\n"
               "cannot be built with it. kbs-client lines are emitted only for names with one value.\n"
               "No --expiration: a sample payload is a flat {name: value} map, RVPS gives every record\n"
               "now + 12 months and query_reference_value ignores expiration (specs 1.1).\n\n"
               "Options:\n"
               "  -o, --output DIR  write DIR/rvps-message.json (for rvps-tool register --path),\n"
               "                    DIR/rvps-payload.json (the decoded payload) and DIR/kbs-client.sh\n"
               "                    (default: print the message on stdout)\n"
               "  --azure           also snp_pcr11 / tdx_pcr11 from PCR 11 (az-snp-vtpm, az-tdx-vtpm rules)\n"
               "  --snp-tcb BL,TEE,SNP,UCODE\n"
               "                    an accepted SNP TCB (bootloader, TEE, SNP, microcode SVNs as snphost show\n"
               "                    tcb prints them): snp_bootloader, snp_tee_svn, snp_snp_svn, snp_microcode\n"
               "                    (integer lists); repeat for several platforms\n"
               "  --json            {schema_version, message, payload, entries[], kbs_client[]}\n"
               "  -h, --help        this help\n\n"
               "Example:\n"
               "  %s rvps export manifest.json -o rvps/ && rvps-tool register --path rvps/rvps-message.json\n\n"
               "Exit status: 0 written, 2 bad manifest or usage, 3 I/O error.\n",
               program_name, program_name);
}

static void lint_help(void)
{
        printf("Usage: %s rvps lint MESSAGE|PAYLOAD|MANIFEST [--policy FILE.rego] [--azure] [--json]\n\n"
               "Check the names, shapes (list / scalar) and element types of an RVPS sample message,\n"
               "a bare payload {name: value} or a manifest (exported first) against the\n"
               "query_reference_value calls of a policy: Trustee's default CPU and GPU policies\n"
               "(built-in table, from %s)\n"
               "or the calls found in FILE.rego. A wrong shape or type makes the policy rule false\n"
               "without any error; each finding says which trust claim then stays at its default.\n\n"
               "Levels: ok; error (wrong shape or type: the rule is silently false); warning (a name\n"
               "no rule reads, an empty list); info (a name the policy reads for this TEE that the\n"
               "message does not provide).\n\n"
               "Options:\n"
               "  --policy FILE  lint against this policy's query_reference_value calls\n"
               "  --azure        when linting a manifest: export the Azure PCR 11 names too\n"
               "  --json         {schema_version, policy, findings[{level, name, line, trust_claim,\n"
               "                 default, message}]}\n"
               "  -h, --help     this help\n\n"
               "Example:\n"
               "  %s rvps lint rvps/rvps-message.json --policy ear_default_policy_cpu.rego\n\n"
               "Exit status: 0 no error or warning, 1 an error or warning, 2 bad input or usage, 3 I/O error.\n",
               program_name, CT_RVPS_POLICY_SOURCE, program_name);
}

static const char *kbs_flags(const ct_rvps_entry *e)
{
        const char *v = e->value_json;

        if (e->list)
                v++;
        if (*v == 't' || *v == 'f')
                return e->list ? "--as-bool " : "--as-bool --as-single-value ";
        if (*v >= '0' && *v <= '9')
                return e->list ? "--as-integer " : "--as-integer --as-single-value ";
        return e->list ? "" : "--as-single-value ";
}

/* kbs-client script text (malloc'd). */
static char *kbs_script(const ct_rvps_export *e, json_object *jlines)
{
        size_t cap = 4096, len = 0;
        char *s = malloc(cap);

        if (!s)
                return NULL;
        s[0] = '\0';
        for (size_t i = 0; i < ct_rvps_export_count(e) + 1; i++) {
                char line[1024];
                const ct_rvps_entry *en = i ? ct_rvps_export_entry(e, i - 1) : NULL;
                int n;

                if (!en) {
                        n = snprintf(line, sizeof(line),
                                     "#!/bin/sh\n# kbs-client registration of the single-valued names (cocotrust rvps export).\n"
                                     "# Each call replaces the stored value of its name (RVPS overwrite), so names with\n"
                                     "# a table of values are not registered here: use rvps-message.json.\n"
                                     ": \"${KBS_URL:?}\" \"${KBS_KEY:?}\"\n");
                } else if (en->n_values == 1) {
                        char val[200];
                        const char *v = en->value_json;
                        size_t vl = strlen(v);
                        if (en->list) {
                                v++;
                                vl -= 2;
                        }
                        if (*v == '"') {
                                v++;
                                vl -= 2;
                        }
                        snprintf(val, sizeof(val), "%.*s", (int)(vl < 190 ? vl : 190), v);
                        n = snprintf(line, sizeof(line),
                                     "kbs-client --url \"$KBS_URL\" config --auth-private-key \"$KBS_KEY\" "
                                     "set-sample-reference-value %s%s %s\n",
                                     kbs_flags(en), en->name, val);
                        json_object_array_add(jlines, json_object_new_string_len(line, n - 1));
                } else {
                        n = snprintf(line, sizeof(line),
                                     "# %s: %zu values; kbs-client cannot register a table (each call overwrites), "
                                     "use rvps-message.json\n",
                                     en->name, en->n_values);
                }
                if (len + (size_t)n + 1 > cap) {
                        char *q;
                        cap = (len + (size_t)n + 1) * 2;
                        q = realloc(s, cap);
                        if (!q) {
                                free(s);
                                return NULL;
                        }
                        s = q;
                }
                memcpy(s + len, line, (size_t)n + 1);
                len += (size_t)n;
        }
        return s;
}

int tool_rvps_export(int argc, char **argv);
int tool_rvps_export(int argc, char **argv)
{
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' }, { "azure", no_argument, NULL, 'a' },
                { "snp-tcb", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("rvps export", export_help);
        ct_rvps_export_opts eo = { .azure = false };
        ct_rvps_snp_tcb tcb[64];
        const char *dir = NULL;
        bool json = false;
        ct_rvps_export *e = NULL;
        ct_blob blob = { 0 };
        ct_error err;
        char *script = NULL;
        json_object *jlines = json_object_new_array();
        int c, rc = EXIT_OK;

        while ((c = tool_getopt(&cmd, argc, argv, "o:", opts)) != -1) {
                switch (c) {
                case 'o': dir = optarg; break;
                case 'a': eo.azure = true; break;
                case 't': {
                        unsigned v[4];
                        char tail;
                        if (eo.n_snp_tcb >= 64 ||
                            sscanf(optarg, "%u,%u,%u,%u%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4 ||
                            v[0] > 255 || v[1] > 255 || v[2] > 255 || v[3] > 255) {
                                json_object_put(jlines);
                                return tool_cmd_usage(&cmd, "--snp-tcb '%s': expected BOOTLOADER,TEE,SNP,MICROCODE "
                                                      "(integers 0-255, at most 64 times)", optarg);
                        }
                        tcb[eo.n_snp_tcb] = (ct_rvps_snp_tcb){ (uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2],
                                                               (uint8_t)v[3] };
                        eo.n_snp_tcb++;
                        eo.snp_tcb = tcb;
                        break;
                }
                default: break;
                }
        }
        json = cmd.json;
        if (cmd.done) {
                json_object_put(jlines);
                return cmd.status;
        }
        if (argc - optind != 1) {
                json_object_put(jlines);
                return tool_cmd_usage(&cmd, "expected one MANIFEST.json");
        }
        if (ct_blob_read(argv[optind], CT_MAX_RVPS_MESSAGE, &blob, &err) != CT_OK) {
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        if (ct_rvps_export_manifest((const char *)blob.data, blob.len, &eo, &e, &err) != CT_OK) {
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        script = kbs_script(e, jlines);
        if (!script) {
                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                goto out;
        }
        if (dir) {
                char path[4096];
                json_object *pl = json_tokener_parse(ct_rvps_export_payload(e));
                const char *pretty = json_object_to_json_string_ext(pl, JSON_C_TO_STRING_PRETTY |
                                                                            JSON_C_TO_STRING_SPACED |
                                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
                char *msg = NULL;
                const struct { const char *name; const char *text; } files[] = {
                        { "rvps-message.json", NULL }, { "rvps-payload.json", pretty }, { "kbs-client.sh", script },
                };

                if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
                        json_object_put(pl);
                        rc = tool_errorf(EXIT_INTERNAL, "%s: cannot create the directory: %s", dir, strerror(errno));
                        goto out;
                }
                if (asprintf(&msg, "%s\n", ct_rvps_export_message(e)) < 0)
                        msg = NULL;
                for (size_t i = 0; i < 3 && rc == EXIT_OK; i++) {
                        const char *t = i == 0 ? msg : files[i].text;
                        char *withnl = NULL;
                        if (!t || asprintf(&withnl, "%s%s", t, i == 1 ? "\n" : "") < 0) {
                                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                                break;
                        }
                        snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
                        if (ct_write_file_atomic(path, withnl, strlen(withnl), &err) != CT_OK)
                                rc = tool_fail(&err, path);
                        free(withnl);
                }
                free(msg);
                json_object_put(pl);
                if (rc != EXIT_OK)
                        goto out;
        }
        if (json) {
                json_object *o = tool_json_new(), *ents = json_object_new_array();
                tool_json_add_str(o, "manifest", argv[optind]);
                json_object_object_add(o, "message", json_tokener_parse(ct_rvps_export_message(e)));
                json_object_object_add(o, "payload", json_tokener_parse(ct_rvps_export_payload(e)));
                for (size_t i = 0; i < ct_rvps_export_count(e); i++) {
                        const ct_rvps_entry *en = ct_rvps_export_entry(e, i);
                        json_object *je = json_object_new_object();
                        tool_json_add_str(je, "name", en->name);
                        tool_json_add_str(je, "shape", en->list ? "list" : "scalar");
                        tool_json_add_int(je, "values", (int64_t)en->n_values);
                        tool_json_add_str(je, "from", en->source);
                        json_object_array_add(ents, je);
                }
                json_object_object_add(o, "entries", ents);
                json_object_object_add(o, "kbs_client", json_object_get(jlines));
                tool_json_add_str(o, "output", dir);
                rc = tool_json_emit(o, NULL) != EXIT_OK ? EXIT_INTERNAL : rc;
        } else {
                if (!dir)
                        printf("%s\n", ct_rvps_export_message(e));
                for (size_t i = 0; i < ct_rvps_export_count(e); i++) {
                        const ct_rvps_entry *en = ct_rvps_export_entry(e, i);
                        fprintf(dir ? stdout : stderr, "%-24s %-6s %3zu value%s  (from %s)\n", en->name,
                                en->list ? "list" : "scalar", en->n_values, en->n_values == 1 ? " " : "s",
                                en->source);
                }
                if (dir)
                        printf("wrote %s/rvps-message.json, rvps-payload.json, kbs-client.sh\n", dir);
        }
out:
        json_object_put(jlines);
        free(script);
        ct_rvps_export_free(e);
        ct_blob_free(&blob);
        return rc;
}

static const char *level_name(ct_lint_level l)
{
        switch (l) {
        case CT_LINT_OK: return "ok";
        case CT_LINT_INFO: return "info";
        case CT_LINT_WARN: return "warning";
        case CT_LINT_ERROR: return "error";
        }
        return "?";
}

int tool_rvps_lint(int argc, char **argv);
int tool_rvps_lint(int argc, char **argv)
{
        static const struct option opts[] = {
                { "policy", required_argument, NULL, 'p' }, { "azure", no_argument, NULL, 'a' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("rvps lint", lint_help);
        ct_rvps_export_opts eo = { .azure = false };
        const char *policy = NULL;
        bool json = false;
        ct_blob msg = { 0 }, pol = { 0 };
        ct_rv_ref *scanned = NULL;
        const ct_rv_ref *refs;
        size_t n_refs = 0;
        ct_lint_result *res = NULL;
        ct_error err;
        int c, rc = EXIT_OK;

        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case 'p': policy = optarg; break;
                case 'a': eo.azure = true; break;
                default: break;
                }
        }
        if (cmd.done)
                return cmd.status;
        json = cmd.json;
        if (argc - optind != 1)
                return tool_cmd_usage(&cmd, "expected one MESSAGE, PAYLOAD or MANIFEST");
        if (policy) {
                if (ct_blob_read(policy, CT_MAX_REGO_SIZE, &pol, &err) != CT_OK) {
                        rc = tool_fail(&err, policy);
                        goto out;
                }
                if (ct_rego_scan((const char *)pol.data, pol.len, &scanned, &n_refs, &err) != CT_OK) {
                        rc = tool_fail(&err, policy);
                        goto out;
                }
                if (n_refs == 0) {
                        rc = tool_errorf(EXIT_BAD_INPUT, "%s: no query_reference_value calls: nothing to lint against",
                                         policy);
                        goto out;
                }
                refs = scanned;
        } else {
                refs = ct_rv_builtin(&n_refs);
        }
        if (ct_blob_read(argv[optind], CT_MAX_RVPS_MESSAGE, &msg, &err) != CT_OK) {
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        if (ct_rvps_lint((const char *)msg.data, msg.len, refs, n_refs, &eo, &res, &err) != CT_OK) {
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        if (ct_lint_result_count_level(res, CT_LINT_ERROR) || ct_lint_result_count_level(res, CT_LINT_WARN))
                rc = EXIT_VERIFY_FAILED;
        if (json) {
                json_object *o = tool_json_new(), *arr = json_object_new_array();
                tool_json_add_str(o, "input", argv[optind]);
                tool_json_add_str(o, "policy", policy ? policy : CT_RVPS_POLICY_SOURCE);
                for (size_t i = 0; i < ct_lint_result_count(res); i++) {
                        const ct_lint_finding *f = ct_lint_result_finding(res, i);
                        json_object *jf = json_object_new_object();
                        tool_json_add_str(jf, "level", level_name(f->level));
                        tool_json_add_str(jf, "name", f->name);
                        if (f->ref) {
                                tool_json_add_int(jf, "line", f->ref->line);
                                tool_json_add_str(jf, "tee", f->ref->tee);
                                tool_json_add_str(jf, "shape", ct_rv_op_shape(f->ref->op));
                                tool_json_add_str(jf, "type", ct_rv_type_name(f->ref->type));
                                tool_json_add_str(jf, "trust_claim", f->ref->trust_claim);
                                if (f->ref->default_value > -1000)
                                        tool_json_add_int(jf, "default", f->ref->default_value);
                        }
                        tool_json_add_str(jf, "message", f->message);
                        json_object_array_add(arr, jf);
                }
                json_object_object_add(o, "findings", arr);
                tool_json_add_int(o, "errors", (int64_t)ct_lint_result_count_level(res, CT_LINT_ERROR));
                tool_json_add_int(o, "warnings", (int64_t)ct_lint_result_count_level(res, CT_LINT_WARN));
                rc = tool_json_emit(o, NULL) != EXIT_OK ? EXIT_INTERNAL : rc;
        } else {
                printf("policy: %s (%zu query_reference_value calls)\n",
                       policy ? policy : "built-in: " CT_RVPS_POLICY_SOURCE, n_refs);
                for (size_t i = 0; i < ct_lint_result_count(res); i++) {
                        const ct_lint_finding *f = ct_lint_result_finding(res, i);
                        printf("%-7s %s: %s\n", level_name(f->level), f->name, f->message);
                }
                printf("%zu ok, %zu error(s), %zu warning(s), %zu not provided\n",
                       ct_lint_result_count_level(res, CT_LINT_OK), ct_lint_result_count_level(res, CT_LINT_ERROR),
                       ct_lint_result_count_level(res, CT_LINT_WARN), ct_lint_result_count_level(res, CT_LINT_INFO));
        }
out:
        ct_lint_result_free(res);
        free(scanned);
        ct_blob_free(&msg);
        ct_blob_free(&pol);
        return rc;
}

static const struct tool_verb verbs[] = {
        { "export", "MANIFEST.json [-o DIR]", tool_rvps_export,
          "Trustee RVPS sample message in the names, shapes and types its policy reads" },
        { "lint", "MESSAGE|MANIFEST [--policy FILE.rego]", tool_rvps_lint,
          "check names, shapes and types against the policy; say which claim stays at its default" },
};

const struct tool_area tool_area_rvps = { "rvps", "Trustee RVPS reference values: export and lint", verbs,
                                          sizeof(verbs) / sizeof(verbs[0]) };
