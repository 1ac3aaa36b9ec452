/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust pcr predict — PCR 4 (and PCR 11) for a UEFI boot chain, as OVMF and systemd-stub measure it. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/fileio.h>
#include <cocotrust/pcr.h>
#include <cocotrust/pe.h>
#include <cocotrust/uki.h>

#include "tool.h"

#define MAX_CHAIN 16

int tool_pcr_predict(int argc, char **argv);

static void help_predict(void)
{
        printf("Usage: %s pcr predict --efi IMAGE [--efi IMAGE]... [--uki UKI] --secure-boot on|off [OPTIONS]\n\n"
               "Predict PCR 4 as OVMF measures a boot chain (and PCR 11 when a UKI is in it):\n"
               "  EV_EFI_ACTION 'Calling EFI Application from Boot Option', EV_SEPARATOR,\n"
               "  ('Returning ...', 'Calling ...') per failed boot option, then the Authenticode of\n"
               "  every image in load order, and for a systemd-stub UKI the Authenticode of the\n"
               "  kernel its stub starts with LoadImage (when firmware measures it, see --kernel-event).\n\n"
               "Options:\n"
               "      --efi IMAGE             an EFI application, in load order (shim, boot loader, UKI);\n"
               "                              an image with .linux and a systemd-stub .sdmagic is a UKI\n"
               "      --uki UKI               the UKI that boots (same as a last --efi)\n"
               "      --secure-boot on|off    UEFI Secure Boot state (required)\n"
               "      --failed-boot-options N boot options that failed before this one (default 0;\n"
               "                              1 for a q35 VM with its default empty DVD-ROM first)\n"
               "      --kernel-event auto|yes|no  whether firmware measures the UKI's kernel into PCR 4.\n"
               "                              auto: yes with Secure Boot off (observed for 252 and 257\n"
               "                              stubs); no with Secure Boot on for a 252 stub (observed);\n"
               "                              otherwise not known: give yes or no\n"
               "      --stub-version V        systemd-stub rules (252, 254, 257) when .sdmagic does not tell\n"
               "      --bank ALG              sha1, sha256 (default), sha384, sha512; repeatable\n"
               "      --explain               list every extend (stderr in text mode, \"events\" in JSON)\n"
               "      --json                  PCR-set JSON: {\"schema_version\": 1, \"pcrs\": {bank: {index: hex}}}\n"
               "  -h, --help                  this help\n"
               "      --version               print the version\n\n"
               "Output (text): '4:<bank>=<hex>' and '11:<bank>=<hex>' lines. PCR 11 is the value after\n"
               "the stub's measurements, before any boot phase word.\n"
               "Exit status: 0 ok, 2 bad input, missing or unreadable image, or usage; 3 I/O error.\n",
               program_name);
}

struct chain_image {
        const char *path;
        bool forced_uki;
        ct_blob blob;
        ct_pe *pe;
};

struct explain_ctx {
        json_object *arr;
        const struct chain_image *chain;
        ct_hash_alg bank;
};

static ct_code explain_event(const ct_pcr4_event *ev, void *userdata)
{
        struct explain_ctx *x = userdata;
        char h1[2 * CT_HASH_MAX_SIZE + 1], h2[2 * CT_HASH_MAX_SIZE + 1];
        const char *what = ct_pcr4_event_name(ev->kind);
        const char *file = ev->kind == CT_PCR4_APPLICATION || ev->kind == CT_PCR4_UKI_KERNEL ?
                                   x->chain[ev->image].path : NULL;

        if (x->arr) {
                json_object *o = json_object_new_object();

                tool_json_add_int(o, "pcr", 4);
                tool_json_add_str(o, "bank", ct_hash_name(x->bank));
                tool_json_add_str(o, "event", what);
                if (file)
                        tool_json_add_str(o, "file", file);
                tool_json_add_digest(o, "digest", &ev->digest);
                tool_json_add_digest(o, "pcr_after", &ev->pcr);
                json_object_array_add(x->arr, o);
        } else
                fprintf(stderr, "# PCR[4] %s %s -> %s  %s%s%s\n", ct_hash_name(x->bank), ct_digest_hex(&ev->digest, h1),
                        ct_digest_hex(&ev->pcr, h2), what, file ? ": " : "", file ? file : "");
        return CT_OK;
}

static ct_code explain_uki_step(const ct_uki_step *st, void *userdata)
{
        struct explain_ctx *x = userdata;
        char h1[2 * CT_HASH_MAX_SIZE + 1], h2[2 * CT_HASH_MAX_SIZE + 1];
        const char *what = st->kind == CT_UKI_STEP_NAME ? "section name" : "section contents";

        if (x->arr) {
                json_object *o = json_object_new_object();

                tool_json_add_int(o, "pcr", 11);
                tool_json_add_str(o, "bank", ct_hash_name(x->bank));
                tool_json_add_str(o, "event", what);
                tool_json_add_str(o, "section", ct_uki_section_name(st->section));
                tool_json_add_digest(o, "digest", &st->measured);
                tool_json_add_digest(o, "pcr_after", &st->pcr);
                json_object_array_add(x->arr, o);
        } else
                fprintf(stderr, "# PCR[11] %s %s -> %s  %s %s\n", ct_hash_name(x->bank),
                        ct_digest_hex(&st->measured, h1), ct_digest_hex(&st->pcr, h2), what,
                        ct_uki_section_name(st->section));
        return CT_OK;
}

int tool_pcr_predict(int argc, char **argv)
{
        enum { OPT_EFI = 0x100, OPT_UKI, OPT_SB, OPT_FAILED, OPT_KEV, OPT_STUB, OPT_BANK, OPT_EXPLAIN };
        static const struct option opts[] = {
                { "efi", required_argument, NULL, OPT_EFI },
                { "uki", required_argument, NULL, OPT_UKI },
                { "secure-boot", required_argument, NULL, OPT_SB },
                { "failed-boot-options", required_argument, NULL, OPT_FAILED },
                { "kernel-event", required_argument, NULL, OPT_KEV },
                { "stub-version", required_argument, NULL, OPT_STUB },
                { "bank", required_argument, NULL, OPT_BANK },
                { "explain", no_argument, NULL, OPT_EXPLAIN },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("pcr predict", help_predict);
        struct chain_image chain[MAX_CHAIN];
        ct_boot_image images[MAX_CHAIN];
        size_t n = 0;
        const char *uki_path = NULL;
        int secure_boot = -1, kernel_event = -1; /* -1: auto */
        unsigned long long failed = 0, v;
        unsigned stub_opt = 0;
        ct_hash_alg banks[CT_HASH__MAX];
        size_t n_banks = 0;
        bool explain = false;
        long last_uki = -1;
        ct_pcr_set set;
        json_object *events = NULL;
        ct_error err;
        int c, rc = EXIT_OK;

        memset(chain, 0, sizeof(chain));
        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case OPT_EFI:
                        if (n >= MAX_CHAIN - 1)
                                return tool_usage("--efi: at most %d images", MAX_CHAIN - 1);
                        chain[n++].path = optarg;
                        break;
                case OPT_UKI:
                        uki_path = optarg;
                        break;
                case OPT_SB:
                        if (strcmp(optarg, "on") == 0)
                                secure_boot = 1;
                        else if (strcmp(optarg, "off") == 0)
                                secure_boot = 0;
                        else
                                return tool_usage("--secure-boot: '%s' is not on or off", optarg);
                        break;
                case OPT_FAILED:
                        if (!tool_parse_u64(optarg, &failed) || failed > 64)
                                return tool_usage("--failed-boot-options: '%s' is not a number from 0 to 64", optarg);
                        break;
                case OPT_KEV:
                        if (strcmp(optarg, "yes") == 0)
                                kernel_event = 1;
                        else if (strcmp(optarg, "no") == 0)
                                kernel_event = 0;
                        else if (strcmp(optarg, "auto") == 0)
                                kernel_event = -1;
                        else
                                return tool_usage("--kernel-event: '%s' is not auto, yes or no", optarg);
                        break;
                case OPT_STUB:
                        if (!tool_parse_u64(optarg, &v) || v > 1000 || !ct_uki_stub_known((unsigned)v))
                                return tool_usage("--stub-version: '%s' is not 252, 254 or 257", optarg);
                        stub_opt = (unsigned)v;
                        break;
                case OPT_BANK:
                        if (!tool_add_bank(banks, &n_banks, optarg, "--bank"))
                                return EXIT_BAD_INPUT;
                        break;
                case OPT_EXPLAIN:
                        explain = true;
                        break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (optind < argc)
                return tool_cmd_usage(&cmd, "unexpected argument '%s'; images go in --efi / --uki", argv[optind]);
        if (uki_path) {
                chain[n].path = uki_path;
                chain[n++].forced_uki = true;
        }
        if (n == 0)
                return tool_cmd_usage(&cmd, "give the boot chain with --efi IMAGE (and/or --uki UKI)");
        if (secure_boot < 0)
                return tool_cmd_usage(&cmd, "--secure-boot on|off is required (PCR 4 depends on it)");
        if (n_banks == 0)
                banks[n_banks++] = CT_HASH_SHA256;

        ct_error_clear(&err);
        for (size_t i = 0; i < n; i++) {
                struct chain_image *ci = &chain[i];
                ct_boot_image *bi = &images[i];
                unsigned detected = 0;

                memset(bi, 0, sizeof(*bi));
                if (ct_blob_read(ci->path, CT_MAX_PE_FILE_SIZE, &ci->blob, &err) ||
                    ct_pe_parse(ci->blob.data, ci->blob.len, &ci->pe, &err)) {
                        rc = tool_fail(&err, ci->path);
                        goto out;
                }
                bi->pe = ci->pe;
                if (ct_pe_get_info(ci->pe)->time_date_stamp)
                        fprintf(stderr,
                                "%s: %s: warning: COFF TimeDateStamp is 0x%08x, not 0: this prediction holds for this "
                                "file only; a rebuild (objcopy stamps the time) changes PCR 4\n",
                                program_name, ci->path, ct_pe_get_info(ci->pe)->time_date_stamp);
                if (!ci->forced_uki && !ct_pe_find_section(ci->pe, ".linux", CT_PE_FIND_PREFIX))
                        continue;
                if (ct_uki_stub_version_from_pe(ci->pe, &detected, &err) && !stub_opt && !ci->forced_uki)
                        continue; /* a .linux but no systemd-stub: not a UKI we know */
                bi->is_uki = true;
                if (stub_opt)
                        bi->stub = (ct_uki_stub)stub_opt;
                else if (detected && detected <= 253)
                        bi->stub = CT_UKI_STUB_252;
                else if (detected == 254 || detected == 257)
                        bi->stub = (ct_uki_stub)detected;
                else {
                        rc = tool_errorf(EXIT_BAD_INPUT,
                                         "%s: cannot tell which systemd-stub rules apply (%s); pass --stub-version",
                                         ci->path,
                                         detected ? "its stub version's rules are not known" : err.msg);
                        goto out;
                }
                if (kernel_event >= 0)
                        bi->kernel_event = kernel_event;
                else if (!secure_boot)
                        bi->kernel_event = true;
                else if (bi->stub == CT_UKI_STUB_252)
                        bi->kernel_event = false;
                else {
                        rc = tool_errorf(EXIT_BAD_INPUT,
                                         "%s: whether firmware measures the kernel started by a systemd-stub %u "
                                         "with Secure Boot on is not known; pass --kernel-event yes or no",
                                         ci->path, (unsigned)bi->stub);
                        goto out;
                }
                last_uki = (long)i;
        }

        ct_pcr_set_init(&set);
        if (explain && cmd.json)
                events = json_object_new_array();
        for (size_t b = 0; b < n_banks; b++) {
                struct explain_ctx x = { .arr = events, .chain = chain, .bank = banks[b] };
                ct_digest pcr4, pcr11;

                if (ct_pcr4_predict(images, n, (unsigned)failed, banks[b], explain ? explain_event : NULL, &x, &pcr4,
                                    &err)) {
                        rc = tool_fail(&err, NULL);
                        goto out;
                }
                ct_pcr_set_put(&set, 4, &pcr4, NULL);
                if (last_uki >= 0) {
                        ct_uki_parts parts;

                        if (ct_uki_parts_from_pe(images[last_uki].pe, images[last_uki].stub, 0, &parts, &err) ||
                            ct_uki_measure(&parts, images[last_uki].stub, banks[b], explain ? explain_uki_step : NULL,
                                           &x, &pcr11, &err)) {
                                rc = tool_fail(&err, chain[last_uki].path);
                                goto out;
                        }
                        ct_pcr_set_put(&set, 11, &pcr11, NULL);
                }
        }

        if (cmd.json) {
                json_object *o = tool_pcrset_json(&set);

                if (events) {
                        json_object_object_add(o, "events", events);
                        events = NULL;
                }
                rc = tool_json_emit(o, NULL);
        } else {
                char hex[2 * CT_HASH_MAX_SIZE + 1];

                for (size_t b = 0; b < n_banks; b++) {
                        ct_digest d;

                        for (unsigned idx = 0; idx < CT_PCR_COUNT; idx++)
                                if (ct_pcr_set_get(&set, banks[b], idx, &d))
                                        printf("%u:%s=%s\n", idx, ct_hash_name(banks[b]), ct_digest_hex(&d, hex));
                }
        }
out:
        json_object_put(events);
        for (size_t i = 0; i < n; i++) {
                ct_pe_free(chain[i].pe);
                ct_blob_free(&chain[i].blob);
        }
        return rc;
}
