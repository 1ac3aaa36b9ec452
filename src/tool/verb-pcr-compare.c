/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust pcr compare — which PCRs are equal in every set: candidate reference values. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/pcr.h>

#include "check-render.h"
#include "tool.h"

#define MAX_SETS 64

int tool_pcr_compare(int argc, char **argv);

static void compare_help(void)
{
        printf("Usage: %s pcr compare REF OTHER [OTHER...] [--bank BANK[,BANK...]] [--emit FILE] [--json]\n\n"
               "Compare PCR sets, per bank: the PCRs equal in all sets (common), the ones that differ,\n"
               "the ones still at their reset value (00..00 or FF..FF) in all sets (unused), and the ones\n"
               "present in only some sets. The common ones are candidate reference values.\n\n"
               "Each set may be: tpm2_pcrread output (YAML), any YAML with a pcrs: block of banks\n"
               "(tpm2_eventlog, tpm2_quote, tpm2_checkquote), cocotrust PCR-set JSON (eventlog replay\n"
               "--json, tpm capture's pcrs.json, --emit), a directory in the sysfs layout (pcr-sha256/0 ...,\n"
               "e.g. /sys/class/tpm/tpm0), or a binary TCG event log (replayed).\n\n"
               "Options:\n"
               "  --bank BANKS  only these banks (default: the banks every set has)\n"
               "  --emit FILE   write the common PCRs (values of REF) as PCR-set JSON to FILE (atomically)\n"
               "  --json        JSON result: per bank common, unused_in_both, different, only_in_ref,\n"
               "                only_in_other, reference_values\n"
               "  -h, --help    this help\n"
               "  --version     print the version\n\n"
               "Exit status: 0 the sets agree on every PCR they have, 1 some PCR differs or is missing\n"
               "from some set (the --emit file is still written), 2 bad input or usage, 3 I/O error.\n",
               program_name);
}



int tool_pcr_compare(int argc, char **argv)
{
        static const struct option opts[] = {
                { "bank", required_argument, NULL, 'b' },
                { "emit", required_argument, NULL, 'e' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("pcr compare", compare_help);
        const char *emit = NULL;
        uint32_t mask = 0, bad = 0;
        ct_pcr_set *sets = NULL;
        const ct_pcr_set *others[MAX_SETS];
        ct_pcr_format fmts[MAX_SETS + 1];
        ct_pcr_compare cmp;
        ct_pcr_set emitted;
        ct_error err;
        int c, rc, n;

        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case 'b':
                        if ((rc = tool_parse_bank_mask(optarg, &mask, "--bank")) != EXIT_OK)
                                return rc;
                        break;
                case 'e':
                        emit = optarg;
                        break;
                }
        }
        if (cmd.done)
                return cmd.status;
        n = argc - optind;
        if (n < 2)
                return tool_cmd_usage(&cmd, "expected REF and at least one OTHER");
        if (n > MAX_SETS + 1)
                return tool_cmd_usage(&cmd, "at most %d sets", MAX_SETS + 1);
        sets = calloc((size_t)n, sizeof(*sets));
        if (!sets)
                return tool_errorf(EXIT_INTERNAL, "out of memory");
        for (int i = 0; i < n; i++) {
                if (ct_pcr_set_load(argv[optind + i], CT_PCR_FORMAT_AUTO, &sets[i], &fmts[i], &err) != CT_OK) {
                        rc = tool_error(&err, argv[optind + i]);
                        goto out;
                }
                if (i > 0)
                        others[i - 1] = &sets[i];
        }
        if (ct_pcr_compare_sets(&sets[0], others, (size_t)n - 1, &cmp, &err) != CT_OK) {
                rc = tool_fail(&err, NULL);
                goto out;
        }
        if (mask) {
                for (int a = CT_HASH_SHA1; a < CT_HASH__MAX; a++) {
                        bool found = false;
                        if (!(mask & (1u << a)))
                                continue;
                        for (unsigned b = 0; b < cmp.n_banks; b++)
                                found |= cmp.banks[b].alg == (ct_hash_alg)a;
                        if (!found) {
                                rc = tool_errorf(EXIT_BAD_INPUT, "bank %s is not in every set",
                                                 ct_hash_name((ct_hash_alg)a));
                                goto out;
                        }
                }
        }
        if (cmp.n_banks == 0) {
                rc = tool_errorf(EXIT_BAD_INPUT, "the sets have no PCR bank in common");
                goto out;
        }

        ct_pcr_set_init(&emitted);
        {
                json_object *o = cmd.json ? tool_json_new() : NULL, *jbanks = NULL, *jothers = NULL;

                if (cmd.json) {
                        tool_json_add_str(o, "reference", argv[optind]);
                        tool_json_add_str(o, "reference_format", ct_pcr_format_name(fmts[0]));
                        jothers = json_object_new_array();
                        for (int i = 1; i < n; i++)
                                json_object_array_add(jothers, json_object_new_string(argv[optind + i]));
                        json_object_object_add(o, "others", jothers);
                        jbanks = json_object_new_object();
                } else {
                        printf("reference: %s (%s)\n", argv[optind], ct_pcr_format_name(fmts[0]));
                        for (int i = 1; i < n; i++)
                                printf("other:     %s (%s)\n", argv[optind + i], ct_pcr_format_name(fmts[i]));
                }
                for (unsigned b = 0; b < cmp.n_banks; b++) {
                        const ct_pcr_compare_bank *cb = &cmp.banks[b];
                        const ct_pcr_bank *rb = ct_pcr_set_bank_const(&sets[0], cb->alg);
                        size_t size = ct_hash_size(cb->alg);

                        if (mask && !(mask & (1u << cb->alg)))
                                continue;
                        bad |= cb->different | cb->only_in_ref | cb->only_in_other;
                        ct_pcr_set_bank(&emitted, cb->alg, true);
                        for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                                ct_digest d;
                                if (!(cb->common & (1u << i)))
                                        continue;
                                ct_digest_from_bytes(&d, cb->alg, rb->values[i], size);
                                ct_pcr_set_put(&emitted, i, &d, NULL);
                        }
                        if (cmd.json) {
                                json_object *jb = json_object_new_object(), *rv = json_object_new_object();
                                json_object_object_add(jb, "common", tool_pcr_mask_json(cb->common));
                                json_object_object_add(jb, "unused_in_both", tool_pcr_mask_json(cb->unused));
                                json_object_object_add(jb, "different", tool_pcr_mask_json(cb->different));
                                json_object_object_add(jb, "only_in_ref", tool_pcr_mask_json(cb->only_in_ref));
                                json_object_object_add(jb, "only_in_other", tool_pcr_mask_json(cb->only_in_other));
                                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                                        char key[4];
                                        if (!(cb->common & (1u << i)))
                                                continue;
                                        snprintf(key, sizeof(key), "%u", i);
                                        tool_json_add_hex(rv, key, rb->values[i], size);
                                }
                                json_object_object_add(jb, "reference_values", rv);
                                json_object_object_add(jbanks, ct_hash_name(cb->alg), jb);
                        } else {
                                printf("%s:\n", ct_hash_name(cb->alg));
                                tool_print_mask_line("common:        ", cb->common);
                                tool_print_mask_line("different:     ", cb->different);
                                tool_print_mask_line("unused:        ", cb->unused);
                                if (cb->only_in_ref)
                                        tool_print_mask_line("only in REF:   ", cb->only_in_ref);
                                if (cb->only_in_other)
                                        tool_print_mask_line("only in OTHER: ", cb->only_in_other);
                        }
                }
                if (emit && (rc = tool_json_emit(tool_pcrset_json(&emitted), emit)) != EXIT_OK) {
                        json_object_put(jbanks);
                        json_object_put(o);
                        goto out;
                }
                if (cmd.json) {
                        json_object_object_add(o, "banks", jbanks);
                        tool_json_add_bool(o, "identical", bad == 0);
                        if ((rc = tool_json_emit(o, NULL)) != EXIT_OK)
                                goto out;
                }
        }
        rc = bad ? EXIT_VERIFY_FAILED : EXIT_OK;
out:
        free(sets);
        return rc;
}
