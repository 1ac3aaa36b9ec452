/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust eventlog show | replay | check — TCG PC Client event logs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/check.h>
#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/guid.h>
#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>

#include "ccel-tool.h"
#include "check-render.h"
#include "tool.h"

#define CT_MIN(a, b) ((a) < (b) ? (a) : (b))

/* ---- shared ---- */

static int load_log(const char *path, ct_blob *ret)
{
        ct_error err;

        if (ct_blob_read(path, CT_TCG_MAX_LOG_SIZE, ret, &err) != CT_OK)
                return tool_fail(&err, path);
        return EXIT_OK;
}

/* Reads and replays the log at @path; on success the caller frees *ret_blob and *ret_replay. */
static int load_replay(const char *path, unsigned flags, ct_blob *ret_blob, ct_tpm_replay **ret_replay)
{
        ct_tpm_replay *r;
        ct_error err;
        int rc;

        if ((rc = load_log(path, ret_blob)) != EXIT_OK)
                return rc;
        r = calloc(1, sizeof(*r));
        if (!r) {
                ct_blob_free(ret_blob);
                return tool_errorf(EXIT_INTERNAL, "out of memory");
        }
        if (ct_tpm_replay_log(ret_blob->data, ret_blob->len, flags, r, &err) != CT_OK) {
                free(r);
                ct_blob_free(ret_blob);
                return tool_fail(&err, path);
        }
        *ret_replay = r;
        return EXIT_OK;
}

static void warn_info(const char *path, const ct_tcg_info *info, const uint8_t *buf, size_t len)
{
        if (info->truncated) {
                char pcr[32] = "";
                if (len - info->truncated_offset >= 4)
                        snprintf(pcr, sizeof(pcr), " (PCR %u)", ct_get_le32(buf + info->truncated_offset));
                if (info->truncated_need)
                        fprintf(stderr,
                                "%s: %s: warning: the log ends inside its last record%s at offset 0x%llx (%llu of "
                                "%llu bytes); replayed the %u complete events only\n",
                                program_name, path, pcr, (unsigned long long)info->truncated_offset,
                                (unsigned long long)(len - info->truncated_offset),
                                (unsigned long long)info->truncated_need, info->n_records - info->has_specid);
                else
                        fprintf(stderr,
                                "%s: %s: warning: the log ends inside the header of its last record at offset "
                                "0x%llx (%llu bytes); replayed the %u complete events only\n",
                                program_name, path, (unsigned long long)info->truncated_offset,
                                (unsigned long long)(len - info->truncated_offset),
                                info->n_records - info->has_specid);
        }
        if (info->padding_size)
                fprintf(stderr, "%s: %s: note: %llu bytes of padding (%02x) after the last record at offset 0x%llx\n",
                        program_name, path, (unsigned long long)info->padding_size, buf[info->padding_offset],
                        (unsigned long long)info->padding_offset);
}

/* The options of replay and check (--bank, --strict, --pcrs) and their one LOG argument: an exit
 * status, cmd->status when cmd->done (--help, --version, a bad option). */
static int log_getopt(struct tool_cmd *cmd, int argc, char **argv, const struct option *opts, uint32_t *mask,
                      unsigned *flags, const char **pcrs_path)
{
        int c, rc;

        while ((c = tool_getopt(cmd, argc, argv, "", opts)) != -1) {
                if (c == 'p' && pcrs_path) {
                        *pcrs_path = optarg;
                } else if (c == 'b') {
                        if ((rc = tool_parse_bank_mask(optarg, mask, "--bank")) != EXIT_OK)
                                return rc;
                } else if (c == 's') {
                        *flags |= CT_TCG_STRICT;
                }
        }
        if (cmd->done)
                return cmd->status;
        if (optind + 1 != argc)
                return tool_cmd_usage(cmd, "expected one LOG argument");
        return EXIT_OK;
}

/* ---- replay ---- */

/* Keep only the banks in mask (0 = all); EXIT_BAD_INPUT naming a requested bank the set lacks. */
static int filter_banks(ct_pcr_set *s, uint32_t mask, const char *what)
{
        ct_pcr_set out;

        if (!mask)
                return EXIT_OK;
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX; a++)
                if ((mask & (1u << a)) && !ct_pcr_set_bank_const(s, (ct_hash_alg)a))
                        return tool_errorf(EXIT_BAD_INPUT, "%s: no %s bank", what, ct_hash_name((ct_hash_alg)a));
        ct_pcr_set_init(&out);
        for (unsigned b = 0; b < s->n_banks; b++)
                if (mask & (1u << s->banks[b].alg))
                        out.banks[out.n_banks++] = s->banks[b];
        *s = out;
        return EXIT_OK;
}

static const char *format_name(ct_tcg_format f)
{
        return f == CT_TCG_FORMAT_CRYPTO_AGILE ? "crypto-agile" : "sha1";
}

static json_object *info_json(const ct_tpm_replay *r)
{
        json_object *o = json_object_new_object();

        tool_json_add_str(o, "format", format_name(r->info.format));
        tool_json_add_int(o, "events", r->n_events);
        tool_json_add_int(o, "extended", r->n_extended);
        if (r->startup_locality >= 0)
                tool_json_add_int(o, "startup_locality", r->startup_locality);
        else
                json_object_object_add(o, "startup_locality", NULL);
        tool_json_add_bool(o, "hcrtm", r->hcrtm);
        if (r->info.truncated) {
                json_object *t = json_object_new_object();
                tool_json_add_int(t, "offset", (int64_t)r->info.truncated_offset);
                tool_json_add_int(t, "record_size", (int64_t)r->info.truncated_need);
                json_object_object_add(o, "truncated", t);
        } else {
                json_object_object_add(o, "truncated", NULL);
        }
        if (r->skipped_algs) {
                json_object *a = json_object_new_array();
                for (uint32_t j = 0; j < r->info.specid.n_algs; j++)
                        if (r->skipped_algs & (1u << j)) {
                                char tmp[16];
                                const char *n = ct_tcg_alg_name(r->info.specid.algs[j].id);
                                snprintf(tmp, sizeof(tmp), "0x%04x", r->info.specid.algs[j].id);
                                json_object_array_add(a, json_object_new_string(n ? n : tmp));
                        }
                json_object_object_add(o, "skipped_banks", a);
        }
        return o;
}

static void replay_help(void)
{
        printf("Usage: %s eventlog replay LOG [--bank BANK[,BANK...]] [--strict] [--json]\n\n"
               "Replay a TCG PC Client event log (binary_bios_measurements; SHA1 or crypto-agile)\n"
               "into PCR values, by the rules real TPMs follow: EV_NO_ACTION records are never\n"
               "extended; StartupLocality sets PCR 0's initial value (00..0L), an H-CRTM event 00..04.\n"
               "Only PCRs some record extends are printed (the others are not in the log).\n\n"
               "Options:\n"
               "  --bank BANKS  only these banks (sha1, sha256, sha384, sha512, sm3_256); repeatable\n"
               "  --strict      a log that ends inside its last record is an error (default: warning,\n"
               "                the complete records are replayed)\n"
               "  --json        PCR-set JSON: {\"schema_version\": 1, \"pcrs\": {\"sha256\": {\"0\": ...}}, \"log\": {...}}\n"
               "  -h, --help    this help\n\n"
               "Text output is the pcrs: block of tpm2_eventlog (\"    0  : 0x<hex>\").\n"
               "Exit status: 0 ok, 2 malformed log or usage, 3 I/O error.\n",
               program_name);
}

static int verb_replay(int argc, char **argv)
{
        static const struct option opts[] = {
                { "bank", required_argument, NULL, 'b' },
                { "strict", no_argument, NULL, 's' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("eventlog replay", replay_help);
        uint32_t mask = 0;
        unsigned flags = 0;
        ct_blob blob = { 0 };
        ct_tpm_replay *r;
        int rc;

        if (tool_ccel_applies(argc, argv)) /* TDX CC event logs: verb-ccel.c */
                return tool_ccel_verb("replay", argc, argv);

        if ((rc = log_getopt(&cmd, argc, argv, opts, &mask, &flags, NULL)) != EXIT_OK || cmd.done)
                return rc;
        if ((rc = load_replay(argv[optind], flags, &blob, &r)) != EXIT_OK)
                return rc;
        warn_info(argv[optind], &r->info, blob.data, blob.len);
        if ((rc = filter_banks(&r->pcrs, mask, argv[optind])) != EXIT_OK)
                goto out;
        if (cmd.json) {
                json_object *o = tool_pcrset_json(&r->pcrs);
                json_object_object_add(o, "log", info_json(r));
                if ((rc = tool_json_emit(o, NULL)) != EXIT_OK)
                        goto out;
        } else {
                ct_tcg_yaml_write_pcrs(stdout, &r->pcrs, "");
        }
        rc = EXIT_OK;
out:
        free(r);
        ct_blob_free(&blob);
        return rc;
}

/* ---- show ---- */

enum show_mode { SHOW_TEXT, SHOW_YAML, SHOW_JSON };

struct show {
        enum show_mode mode;
        json_object *events;
        unsigned version; /* --eventlog-version: 1 (tpm2_eventlog 5.4) or 2 (tpm2-tools 5.8) */
};

static json_object *event_json(const ct_tcg_event *ev)
{
        json_object *o = json_object_new_object(), *d = json_object_new_object();
        char tmp[16], desc[2048];
        const char *tn = ct_tcg_event_type_name(ev->type);

        tool_json_add_int(o, "num", ev->num);
        tool_json_add_int(o, "offset", (int64_t)ev->offset);
        tool_json_add_int(o, "pcr", ev->pcr);
        tool_json_add_int(o, "type", ev->type);
        tool_json_add_str(o, "type_name", tn);
        for (unsigned i = 0; i < ev->n_digests; i++) {
                const char *n = ct_tcg_alg_name(ev->digests[i].alg_id);
                snprintf(tmp, sizeof(tmp), "0x%04x", ev->digests[i].alg_id);
                tool_json_add_hex(d, n ? n : tmp, ev->digests[i].bytes, ev->digests[i].size);
        }
        json_object_object_add(o, "digests", d);
        tool_json_add_int(o, "event_size", ev->data_size);
        tool_json_add_hex(o, "event", ev->data, ev->data_size);
        ct_tcg_event_describe(ev, desc, sizeof(desc));
        tool_json_add_str(o, "description", desc);
        return o;
}

static ct_code show_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct show *sh = userdata;
        char tn[16], desc[2048];

        (void)info;
        (void)err;
        if (sh->mode == SHOW_JSON) {
                json_object_array_add(sh->events, event_json(ev));
                return CT_OK;
        }
        if (sh->mode == SHOW_TEXT) {
                const ct_tcg_digest *d = NULL;
                char hex[2 * CT_HASH_MAX_SIZE + 1] = "-";
                ct_tcg_event_describe(ev, desc, sizeof(desc));
                if (!ev->is_header) {
                        d = ct_tcg_event_digest(ev, CT_HASH_SHA256);
                        if (!d && ev->n_digests)
                                d = &ev->digests[0];
                        if (d)
                                ct_hex_encode(d->bytes, CT_MIN(d->size, 8u), hex);
                }
                printf("%4u %3u %-34s %-8s %-16s %s\n", ev->num, ev->pcr, tool_event_type_name(ev->type, tn, sizeof(tn)),
                       d ? (ct_tcg_alg_name(d->alg_id) ? ct_tcg_alg_name(d->alg_id) : "?") : "-", hex, desc);
        }
        return CT_OK;
}

static void show_help(void)
{
        printf("Usage: %s eventlog show LOG [--yaml | --eventlog-version=1|2 | --json] [--strict]\n\n"
               "Print the records of a TCG PC Client event log, with the common event data decoded\n"
               "(EFI variables, image loads with their device path, firmware blobs, EV_EFI_ACTION /\n"
               "EV_IPL strings, tagged events of systemd-stub and the Linux EFI stub, StartupLocality,\n"
               "separators).\n\n"
               "Options:\n"
               "  --yaml      tpm2_eventlog 5.4's YAML, byte for byte (its --eventlog-version=1); only\n"
               "              the pcrs: block differs where tpm2_eventlog's replay is wrong\n"
               "  --eventlog-version=N  1 (default) or 2: tpm2-tools 5.8's decoded YAML (UEFI variables,\n"
               "              GPT, StartupLocality, device paths as text); implies --yaml\n"
               "  --json      JSON: {\"schema_version\": 1, \"format\", \"specid\", \"events\": [...], \"pcrs\"}\n"
               "  --strict    a log that ends inside its last record is an error (default: warning)\n"
               "  -h, --help  this help\n\n"
               "Default output: one line per record: number, PCR, type, digest (sha256 or the first bank,\n"
               "first 8 bytes) and a description.\n"
               "Exit status: 0 ok, 2 malformed log or usage, 3 I/O error.\n",
               program_name);
}

static int verb_show(int argc, char **argv)
{
        static const struct option opts[] = {
                { "yaml", no_argument, NULL, 'y' },
                { "strict", no_argument, NULL, 's' },
                { "eventlog-version", required_argument, NULL, 'V' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("eventlog show", show_help);
        struct show sh = { .mode = SHOW_TEXT, .version = 1 };
        unsigned flags = 0;
        ct_blob blob = { 0 };
        ct_tpm_replay *r = NULL;
        ct_tcg_info info;
        ct_error err;
        ct_code walk;
        int c, rc;

        if (tool_ccel_applies(argc, argv)) /* TDX CC event logs: verb-ccel.c */
                return tool_ccel_verb("show", argc, argv);

        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case 'y':
                        sh.mode = SHOW_YAML;
                        break;
                case 's':
                        flags |= CT_TCG_STRICT;
                        break;
                case 'V':
                        if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)
                                return tool_cmd_usage(&cmd, "--eventlog-version: '%s' is not 1 or 2", optarg);
                        sh.version = (unsigned)(optarg[0] - '0');
                        sh.mode = SHOW_YAML;
                        break;
                default:
                        return EXIT_BAD_INPUT;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (cmd.json)
                sh.mode = SHOW_JSON;
        if (optind + 1 != argc)
                return tool_cmd_usage(&cmd, "expected one LOG argument");
        /* Validate (and replay) the whole log first: no partial output for a malformed log. */
        if ((rc = load_replay(argv[optind], flags, &blob, &r)) != EXIT_OK)
                return rc;
        if (sh.mode == SHOW_JSON)
                sh.events = json_object_new_array();
        if (sh.mode == SHOW_YAML) {
                ct_tcg_yaml_opts yo = { .version = sh.version, .warnings = stderr };

                walk = ct_tcg_yaml_write_events(stdout, blob.data, blob.len, flags, &yo, &info, &err);
        } else {
                walk = ct_tcg_walk(blob.data, blob.len, flags, show_cb, &sh, &info, &err);
        }
        if (walk != CT_OK) {
                json_object_put(sh.events);
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        warn_info(argv[optind], &info, blob.data, blob.len);
        if (sh.mode == SHOW_YAML) {
                ct_tcg_yaml_write_pcrs(stdout, &r->pcrs, "");
        } else if (sh.mode == SHOW_JSON) {
                json_object *o = tool_json_new(), *pcrs = tool_pcrset_json(&r->pcrs), *p = NULL;
                tool_json_add_str(o, "format", format_name(info.format));
                if (info.has_specid) {
                        json_object *s = json_object_new_object(), *a = json_object_new_array();
                        tool_json_add_int(s, "platformClass", info.specid.platform_class);
                        tool_json_add_int(s, "specVersionMinor", info.specid.spec_version_minor);
                        tool_json_add_int(s, "specVersionMajor", info.specid.spec_version_major);
                        tool_json_add_int(s, "specErrata", info.specid.spec_errata);
                        tool_json_add_int(s, "uintnSize", info.specid.uintn_size);
                        for (uint32_t i = 0; i < info.specid.n_algs; i++) {
                                json_object *e = json_object_new_object();
                                tool_json_add_int(e, "algorithmId", info.specid.algs[i].id);
                                tool_json_add_str(e, "name", ct_tcg_alg_name(info.specid.algs[i].id));
                                tool_json_add_int(e, "digestSize", info.specid.algs[i].size);
                                json_object_array_add(a, e);
                        }
                        json_object_object_add(s, "algorithms", a);
                        tool_json_add_hex(s, "vendorInfo", info.specid.vendor_info, info.specid.vendor_info_size);
                        json_object_object_add(o, "specid", s);
                } else {
                        json_object_object_add(o, "specid", NULL);
                }
                json_object_object_add(o, "events", sh.events);
                json_object_object_get_ex(pcrs, "pcrs", &p);
                json_object_object_add(o, "pcrs", json_object_get(p));
                json_object_put(pcrs);
                json_object_object_add(o, "log", info_json(r));
                if ((rc = tool_json_emit(o, NULL)) != EXIT_OK)
                        goto out;
        }
        rc = EXIT_OK;
out:
        free(r);
        ct_blob_free(&blob);
        return rc;
}

/* ---- check ---- */

static void check_help(void)
{
        printf("Usage: %s eventlog check LOG --pcrs PCRS [--bank BANK[,BANK...]] [--strict] [--json]\n\n"
               "Replay LOG and compare it with PCR values read from a TPM: which PCRs the log explains,\n"
               "which it does not, and for each mismatch the events that went into that PCR.\n\n"
               "Options:\n"
               "  --pcrs PCRS   PCR values: tpm2_pcrread YAML, a YAML with a pcrs: block (tpm2_eventlog,\n"
               "                tpm2_quote), cocotrust PCR-set JSON, or a directory in the sysfs layout\n"
               "                (pcr-sha256/0 ... as in /sys/class/tpm/tpm0)\n"
               "  --bank BANKS  only these banks (default: every bank both have)\n"
               "  --strict      a log that ends inside its last record is an error (default: warning)\n"
               "  --json        JSON result\n"
               "  -h, --help    this help\n\n"
               "A PCR is 'explained' when the replay equals the TPM value, a 'mismatch' when it differs,\n"
               "'not in log' when no record extends it (its TPM value is shown; reset values are normal).\n"
               "Exit status: 0 every PCR in the log is explained, 1 some mismatch, 2 bad input or usage,\n"
               "3 I/O error.\n",
               program_name);
}

static int verb_check(int argc, char **argv)
{
        static const struct option opts[] = {
                { "pcrs", required_argument, NULL, 'p' },
                { "bank", required_argument, NULL, 'b' },
                { "strict", no_argument, NULL, 's' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("eventlog check", check_help);
        const char *pcrs_path = NULL, *log_path;
        uint32_t mask = 0;
        unsigned flags = 0;
        ct_blob blob = { 0 };
        ct_tpm_check *chk = NULL;
        ct_pcr_set *tpm = NULL;
        ct_pcr_format fmt;
        ct_error err;
        int rc;

        if (tool_ccel_applies(argc, argv)) /* TDX CC event logs: verb-ccel.c */
                return tool_ccel_verb("check", argc, argv);

        if ((rc = log_getopt(&cmd, argc, argv, opts, &mask, &flags, &pcrs_path)) != EXIT_OK || cmd.done)
                return rc;
        if (!pcrs_path)
                return tool_cmd_usage(&cmd, "--pcrs PCRS is required");
        log_path = argv[optind];
        if ((rc = load_log(log_path, &blob)) != EXIT_OK)
                return rc;
        tpm = calloc(1, sizeof(*tpm));
        if (!tpm) {
                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                goto out;
        }
        /* Both inputs are read; the log's errors are reported first. */
        {
                ct_error perr;
                bool pcrs_ok = ct_pcr_set_load(pcrs_path, CT_PCR_FORMAT_AUTO, tpm, &fmt, &perr) == CT_OK;

                if (!pcrs_ok)
                        ct_pcr_set_init(tpm);
                if (ct_tpm_check_log(blob.data, blob.len, tpm, mask, flags, &chk, &err) != CT_OK) {
                        rc = tool_fail(&err, log_path);
                        goto out;
                }
                if (!pcrs_ok) {
                        rc = tool_fail(&perr, pcrs_path);
                        goto out;
                }
        }
        if ((rc = filter_banks(tpm, mask, pcrs_path)) != EXIT_OK)
                goto out;
        warn_info(log_path, &chk->replay.info, blob.data, blob.len);
        if (chk->n_banks == 0) {
                rc = tool_errorf(EXIT_BAD_INPUT, "%s and %s have no PCR bank in common", log_path, pcrs_path);
                goto out;
        }
        if (cmd.json) {
                json_object *jo = tool_json_new();
                tool_json_add_str(jo, "log", log_path);
                tool_json_add_str(jo, "pcrs", pcrs_path);
                tool_json_add_str(jo, "pcrs_format", ct_pcr_format_name(fmt));
                json_object_object_add(jo, "banks", tool_check_banks_json(chk));
                json_object_object_add(jo, "mismatches", tool_check_mismatches_json(chk));
                json_object_object_add(jo, "log_info", info_json(&chk->replay));
                tool_json_add_bool(jo, "ok", chk->n_mismatch == 0);
                if ((rc = tool_json_emit(jo, NULL)) != EXIT_OK)
                        goto out;
        } else {
                tool_check_print_text(chk, "PCRS");
                printf("%s: %u PCR values explained, %u mismatch%s\n", chk->n_mismatch ? "MISMATCH" : "OK",
                       chk->n_explained, chk->n_mismatch, chk->n_mismatch == 1 ? "" : "es");
        }
        rc = chk->n_mismatch ? EXIT_VERIFY_FAILED : EXIT_OK;
out:
        ct_tpm_check_free(chk);
        free(tpm);
        ct_blob_free(&blob);
        return rc;
}

static const struct tool_verb verbs[] = {
        { "show", "LOG [--yaml|--eventlog-version=1|2|--json]", verb_show, "print the records of a TCG event log, decoded" },
        { "replay", "LOG [--bank BANK] [--json]", verb_replay, "replay a TCG event log into PCR values" },
        { "check", "LOG --pcrs PCRS [--json]", verb_check,
          "check a TCG event log against PCR values; name the events of each mismatch" },
};

const struct tool_area tool_area_eventlog = { "eventlog", "TCG event logs", verbs, sizeof(verbs) / sizeof(verbs[0]) };
