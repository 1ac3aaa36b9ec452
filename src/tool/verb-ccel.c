/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust eventlog replay | show | check for CC event logs (TDX CCEL):
 * verb-eventlog.c hands a run over when its input is a CC log, an ACPI
 * CCEL table is given, or --quote / --cc is used. The CC rules (MR index ->
 * RTMR, AAEL, comparison with a quote) live in the library (tdx.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>
#include <cocotrust/tdx.h>

#include "ccel-tool.h"
#include "tool.h"

typedef unsigned long long ull;

/* Options of the eventlog verbs that take a value (so their values are not taken for files). */
static bool takes_value(const char *a)
{
        static const char *const opts[] = { "--bank", "--pcrs", "--quote", "--ccel-table", "--reference",
                                            "--format", NULL };
        for (size_t i = 0; opts[i]; i++)
                if (!strcmp(a, opts[i]))
                        return true;
        return false;
}

bool tool_ccel_applies(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                struct stat st;
                ct_blob b;
                bool cc;

                if (!strcmp(a, "--cc") || !strcmp(a, "--quote") || !strncmp(a, "--quote=", 8) ||
                    !strcmp(a, "--ccel-table") || !strncmp(a, "--ccel-table=", 13))
                        return true;
                if (a[0] == '-') {
                        if (takes_value(a))
                                i++;
                        continue;
                }
                /* sniff regular files only: a pipe, FIFO or /dev/fd/N can be read once, by the verb */
                if (stat(a, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (ct_blob_read(a, CT_TCG_MAX_LOG_SIZE, &b, NULL))
                        continue;
                cc = ct_ccel_is_table(b.data, b.len) || ct_ccel_is_cc_log(b.data, b.len);
                ct_blob_free(&b);
                if (cc)
                        return true;
        }
        return false;
}

struct input {
        const char *log_path, *table_path;
        ct_blob log, table;
        bool has_table;
        ct_ccel_table t;
};

static int load(struct input *in)
{
        ct_error err;

        ct_error_clear(&err);
        if (in->table_path) {
                if (ct_blob_read(in->table_path, 1u << 20, &in->table, &err))
                        return tool_fail(&err, in->table_path);
                if (ct_ccel_table_parse(in->table.data, in->table.len, &in->t, &err))
                        return tool_fail(&err, in->table_path);
                in->has_table = true;
        }
        if (ct_blob_read(in->log_path, CT_TCG_MAX_LOG_SIZE, &in->log, &err))
                return tool_fail(&err, in->log_path);
        if (ct_ccel_is_table(in->log.data, in->log.len))
                return tool_errorf(EXIT_BAD_INPUT, "%s: %s: this is the ACPI CCEL table, not the log: give "
                                   "CCEL_TABLE LOG (the log is /sys/firmware/acpi/tables/data/CCEL)\n",
                                   program_name, in->log_path);
        if (in->has_table && in->t.laml && in->log.len > in->t.laml)
                fprintf(stderr, "%s: %s: note: the log file (%zu bytes) is longer than the table's LAML (%llu)\n",
                        program_name, in->log_path, in->log.len, (ull)in->t.laml);
        return 0;
}

static void unload(struct input *in)
{
        ct_blob_free(&in->log);
        ct_blob_free(&in->table);
}

/* Positional arguments: LOG, or TABLE LOG (a CCEL table first). */
static int positional(int argc, char **argv, struct input *in)
{
        int n = argc - optind;

        if (n == 2) {
                in->table_path = argv[optind];
                in->log_path = argv[optind + 1];
                return 0;
        }
        if (n != 1)
                return tool_usage("%s: expected LOG or CCEL_TABLE LOG (see --help)", argv[0]);
        in->log_path = argv[optind];
        return 0;
}

static json_object *table_json(const ct_ccel_table *t)
{
        json_object *o = json_object_new_object();
        char lasa[32];

        tool_json_add_int(o, "length", t->length);
        tool_json_add_int(o, "revision", t->revision);
        tool_json_add_bool(o, "checksum_ok", t->checksum_ok);
        tool_json_add_str(o, "oem_id", t->oem_id);
        tool_json_add_int(o, "cc_type", t->cc_type);
        tool_json_add_str(o, "cc_type_name", t->cc_type == 2 ? "TDX" : t->cc_type == 1 ? "SEV" : "unknown");
        tool_json_add_int(o, "cc_subtype", t->cc_subtype);
        tool_json_add_int(o, "laml", (int64_t)t->laml);
        snprintf(lasa, sizeof(lasa), "0x%llx", (ull)t->lasa);
        tool_json_add_str(o, "lasa", lasa);
        return o;
}

static void print_table(const ct_ccel_table *t)
{
        printf("CCEL table: CC type %u (%s), subtype %u, log area 0x%llx bytes at 0x%llx, OEM '%s', checksum %s\n",
               t->cc_type, t->cc_type == 2 ? "TDX" : t->cc_type == 1 ? "SEV" : "unknown", t->cc_subtype,
               (ull)t->laml, (ull)t->lasa, t->oem_id, t->checksum_ok ? "ok" : "BAD");
}

static void notes(const char *path, const ct_tcg_info *info)
{
        if (info->truncated)
                fprintf(stderr, "%s: %s: warning: the log ends inside its last record at offset 0x%llx; replayed "
                                "the complete records only\n",
                        program_name, path, (ull)info->truncated_offset);
}

static void help_common(const char *verb)
{
        printf("\nCC event logs (TDX CCEL): used when LOG is a CC log (Spec ID with SHA-384 only and MR indexes\n"
               "0-4), a CCEL ACPI table is given (CCEL_TABLE LOG, or --ccel-table, as in\n"
               "/sys/firmware/acpi/tables/CCEL and .../data/CCEL), or --cc%s. MR index 1-4 = RTMR 0-3\n"
               "(0 = MRTD, never extended); EV_NO_ACTION records are never extended; AAEL records (attestation\n"
               "agent, EV_EVENT_TAG 0x4141454c in RTMR 3) are decoded.\n",
               !strcmp(verb, "check") ? " / --quote" : "");
}

/* ---- replay ---- */

static void help_replay(void)
{
        printf("Usage: %s eventlog replay [--json] [--strict] [CCEL_TABLE] LOG\n", program_name);
        help_common("replay");
        printf("\nPrints RTMR 0-3 as the log replays to, with the number of extends of each, and the events\n"
               "Trustee's policy reads (tdvfkernel, tdvfkernelparams).\n"
               "Exit status: 0 ok, 2 bad input, 3 I/O error.\n");
}

/* The options of replay and show (--cc, --ccel-table, --strict, replay's --bank) and their inputs: an
 * exit status, cmd->status when cmd->done (--help, --version, a bad option). */
static int cc_getopt(struct tool_cmd *cmd, int argc, char **argv, const struct option *opts, struct input *in,
                     unsigned *flags)
{
        int c;

        optind = 1;
        while ((c = tool_getopt(cmd, argc, argv, "", opts)) != -1) {
                if (c == 't')
                        in->table_path = optarg;
                else if (c == 's')
                        *flags |= CT_TCG_STRICT;
                else if (c == 'b' && strcmp(optarg, "sha384"))
                        return tool_cmd_usage(cmd, "--bank: a CC event log has the sha384 bank only");
        }
        if (cmd->done)
                return cmd->status;
        if (!in->table_path)
                return positional(argc, argv, in);
        if (argc - optind != 1)
                return tool_usage("%s: expected one LOG (see --help)", argv[0]);
        in->log_path = argv[optind];
        return EXIT_OK;
}

static int cc_replay(int argc, char **argv)
{
        static const struct option opts[] = {
                { "cc", no_argument, NULL, 'c' },          { "ccel-table", required_argument, NULL, 't' },
                { "strict", no_argument, NULL, 's' },      { "bank", required_argument, NULL, 'b' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("eventlog replay", help_replay);
        struct input in = { 0 };
        ct_ccel_replay r;
        bool json;
        unsigned flags = 0;
        ct_error err;
        int rc;

        if ((rc = cc_getopt(&cmd, argc, argv, opts, &in, &flags)) != EXIT_OK || cmd.done)
                return rc;
        json = cmd.json;
        if ((rc = load(&in)))
                goto out;
        ct_error_clear(&err);
        if (ct_ccel_replay_log(in.log.data, in.log.len, flags, &r, &err)) {
                rc = tool_fail(&err, in.log_path);
                goto out;
        }
        notes(in.log_path, &r.info);
        if (json) {
                json_object *o = tool_json_new(), *rt = json_object_new_object(), *n = json_object_new_array();
                char key[16];

                tool_json_add_str(o, "log", in.log_path);
                tool_json_add_str(o, "format", "cc-eventlog");
                if (in.has_table)
                        json_object_object_add(o, "ccel_table", table_json(&in.t));
                for (int i = 0; i < 4; i++) {
                        snprintf(key, sizeof(key), "rtmr_%d", i);
                        tool_json_add_digest(rt, key, &r.rtmr[i]);
                        json_object_array_add(n, json_object_new_int((int)r.n_extends[i]));
                }
                json_object_object_add(o, "rtmrs", rt);
                json_object_object_add(o, "extends_per_rtmr", n);
                {
                        ct_ccel_trustee tr;
                        json_object *to = json_object_new_object();

                        if (ct_ccel_trustee_digests(in.log.data, in.log.len, flags, &tr, NULL) == CT_OK) {
                                if (tr.has_kernel)
                                        tool_json_add_digest(to, "tdvfkernel", &tr.kernel);
                                if (tr.has_kernel_params)
                                        tool_json_add_digest(to, "tdvfkernelparams", &tr.kernel_params);
                        }
                        json_object_object_add(o, "trustee", to);
                }
                tool_json_add_int(o, "events", r.n_events);
                tool_json_add_int(o, "not_extended", r.n_not_extended);
                tool_json_add_int(o, "aael_events", r.n_aael);
                tool_json_print(o);
        } else {
                char hex[2 * CT_HASH_MAX_SIZE + 1];

                if (in.has_table)
                        print_table(&in.t);
                printf("rtmrs:\n");
                for (int i = 0; i < 4; i++)
                        printf("  %d  : 0x%s  (%u extends)\n", i, ct_digest_hex(&r.rtmr[i], hex), r.n_extends[i]);
                printf("%u events (%u not extended, %u AAEL)\n", r.n_events, r.n_not_extended, r.n_aael);
                {
                        ct_ccel_trustee tr;

                        if (ct_ccel_trustee_digests(in.log.data, in.log.len, flags, &tr, NULL) == CT_OK) {
                                if (tr.has_kernel)
                                        printf("tdvfkernel:       %s (event #%u)\n", ct_digest_hex(&tr.kernel, hex),
                                               tr.kernel_num);
                                if (tr.has_kernel_params)
                                        printf("tdvfkernelparams: %s (event #%u)\n",
                                               ct_digest_hex(&tr.kernel_params, hex), tr.kernel_params_num);
                        }
                }
        }
        rc = 0;
out:
        unload(&in);
        return rc;
}

/* ---- show ---- */

struct show {
        bool json;
        json_object *arr;
};

static void details(const ct_tcg_event *ev, json_object *d, char *text, size_t cap)
{
        ct_ccel_aael a;
        ct_tcg_tagged tg;

        text[0] = 0;
        if (ct_ccel_decode_aael(ev, &a, NULL) == CT_OK) {
                json_object *data = json_object_new_object();
                char *s = strndup(a.text, a.text_len);

                json_object_object_add(data, "domain", json_object_new_string_len(a.domain, (int)a.domain_len));
                json_object_object_add(data, "operation",
                                       json_object_new_string_len(a.operation, (int)a.operation_len));
                {
                        /* Trustee shows JSON content as a value, anything else as a string */
                        char *cs = strndup(a.content, a.content_len);
                        json_object *cj = cs ? json_tokener_parse(cs) : NULL;

                        if (!cj || (!json_object_is_type(cj, json_type_object) &&
                                    !json_object_is_type(cj, json_type_array))) {
                                json_object_put(cj);
                                cj = json_object_new_string_len(a.content, (int)a.content_len);
                        }
                        json_object_object_add(data, "content", cj);
                        free(cs);
                }
                json_object_object_add(d, "data", data);
                tool_json_add_str(d, "string", s);
                tool_json_add_str(d, "unicode_name", "AAEL");
                snprintf(text, cap, "AAEL %s", s ? s : "");
                free(s);
                return;
        }
        if (ev->type == CT_EV_EVENT_TAG && ct_tcg_decode_tagged(ev->data, ev->data_size, ev->offset, &tg, NULL) == 0) {
                const char *n = ct_tcg_tag_name(tg.id);
                size_t l = strnlen((const char *)tg.data, tg.size);
                char *s = strndup((const char *)tg.data, l);

                snprintf(text, cap, "tag 0x%08x %s", tg.id, n ? n : (s ? s : ""));
                tool_json_add_str(d, "string", n ? n : s);
                free(s);
                return;
        }
        if (ev->type == CT_EV_EFI_ACTION || ev->type == CT_EV_IPL || ev->type == 0xA || ev->type == CT_EV_POST_CODE) {
                size_t n = 0;

                while (n < ev->data_size && n + 1 < cap && ev->data[n] >= 0x20 && ev->data[n] < 0x7f)
                        n++;
                memcpy(text, ev->data, n);
                text[n] = 0;
                return;
        }
        if (ev->type == CT_EV_EFI_VARIABLE_DRIVER_CONFIG || ev->type == CT_EV_EFI_VARIABLE_BOOT ||
            ev->type == CT_EV_EFI_VARIABLE_AUTHORITY) {
                ct_tcg_efi_var v;

                if (ct_tcg_decode_efi_var(ev->data, ev->data_size, ev->offset, &v, NULL) == CT_OK) {
                        ct_tcg_utf16_to_utf8(v.name_utf16, (size_t)v.name_chars, text, cap);
                        tool_json_add_str(d, "unicode_name", text);
                }
                return;
        }
        if (ev->type == CT_EV_EFI_BOOT_SERVICES_APPLICATION) {
                ct_tcg_image_load il;

                if (ct_tcg_decode_image_load(ev->data, ev->data_size, ev->offset, &il, NULL) == CT_OK) {
                        ct_tcg_devpath_text(il.devpath, (size_t)il.devpath_size, text, cap);
                        tool_json_add_str(d, "device_paths", text);
                }
                return;
        }
        if (ev->type == CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2 || ev->type == CT_EV_EFI_HANDOFF_TABLES2) {
                uint8_t n = ev->data_size ? ev->data[0] : 0;

                if (n < ev->data_size) {
                        size_t k = n < cap - 1 ? n : cap - 1;
                        memcpy(text, ev->data + 1, k);
                        text[k] = 0;
                        tool_json_add_str(d, "string", text);
                }
        }
}

static ct_code show_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct show *s = userdata;
        const ct_tcg_digest *dg = ct_tcg_event_digest(ev, CT_HASH_SHA384);
        char text[512], hex[2 * CT_HASH_MAX_SIZE + 1] = "-", tn[32];
        const char *name = ct_tcg_event_type_name(ev->type);
        bool matches = ct_ccel_digest_matches_event(ev);
        int rt = ct_ccel_rtmr_of(ev->pcr);
        bool extended = ev->type != CT_EV_NO_ACTION && rt >= 0;
        json_object *d = json_object_new_object();

        (void)info;
        (void)err;
        if (!name) {
                snprintf(tn, sizeof(tn), "0x%08x", ev->type);
                name = tn;
        }
        if (ev->num == 0) {
                json_object_put(d);
                if (!s->json)
                        printf("#0    MR %u  Spec ID Event03 (SHA-384), not extended\n", ev->pcr);
                return CT_OK;
        }
        if (dg)
                ct_hex_encode(dg->bytes, dg->size, hex);
        details(ev, d, text, sizeof(text));
        if (s->json) {
                json_object *o = json_object_new_object(), *ds = json_object_new_array(), *one;
                char *b64 = malloc(4 * ((ev->data_size + 2) / 3) + 1);

                tool_json_add_int(o, "index", ev->pcr);
                tool_json_add_str(o, "type_name", name);
                one = json_object_new_object();
                tool_json_add_str(one, "alg", "SHA-384");
                tool_json_add_str(one, "digest", hex);
                json_object_array_add(ds, one);
                json_object_object_add(o, "digests", ds);
                if (b64) {
                        ct_base64_encode(ev->data_size ? ev->data : (const uint8_t *)"", ev->data_size, b64);
                        tool_json_add_str(o, "event", b64);
                        free(b64);
                }
                tool_json_add_bool(o, "digest_matches_event", matches);
                json_object_object_add(o, "details", d);
                /* cocotrust's additions */
                tool_json_add_int(o, "num", ev->num);
                tool_json_add_int(o, "offset", (int64_t)ev->offset);
                tool_json_add_int(o, "type", ev->type);
                if (extended)
                        tool_json_add_int(o, "rtmr", rt);
                else
                        json_object_object_add(o, "rtmr", NULL);
                json_object_array_add(s->arr, o);
        } else {
                json_object_put(d);
                printf("#%-4u MR %u %-6s %-34s %s %s%s\n", ev->num, ev->pcr,
                       extended ? (rt == 0 ? "RTMR0" : rt == 1 ? "RTMR1" : rt == 2 ? "RTMR2" : "RTMR3") : "-", name,
                       hex, text, extended ? "" : " (not extended)");
        }
        return CT_OK;
}

static void help_show(void)
{
        printf("Usage: %s eventlog show [--json] [--strict] [CCEL_TABLE] LOG\n", program_name);
        help_common("show");
        printf("\nOne line per record: number, MR index, RTMR, type, SHA-384 digest, decoded data.\n"
               "--json gives Trustee's uefi_event_logs shape (index, type_name, digests, event,\n"
               "digest_matches_event, details) plus num, offset, type and rtmr.\n"
               "Exit status: 0 ok, 2 bad input, 3 I/O error.\n");
}

static int cc_show(int argc, char **argv)
{
        static const struct option opts[] = {
                { "cc", no_argument, NULL, 'c' },          { "ccel-table", required_argument, NULL, 't' },
                { "strict", no_argument, NULL, 's' },      { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("eventlog show", help_show);
        struct input in = { 0 };
        struct show s = { false, NULL };
        ct_tcg_info info;
        unsigned flags = 0;
        ct_error err;
        int rc;

        if ((rc = cc_getopt(&cmd, argc, argv, opts, &in, &flags)) != EXIT_OK || cmd.done)
                return rc;
        s.json = cmd.json;
        if ((rc = load(&in)))
                goto out;
        if (s.json)
                s.arr = json_object_new_array();
        else if (in.has_table)
                print_table(&in.t);
        ct_error_clear(&err);
        if (ct_tcg_walk(in.log.data, in.log.len, flags, show_cb, &s, &info, &err)) {
                json_object_put(s.arr);
                rc = tool_fail(&err, in.log_path);
                goto out;
        }
        notes(in.log_path, &info);
        if (s.json) {
                json_object *o = tool_json_new();

                tool_json_add_str(o, "log", in.log_path);
                tool_json_add_str(o, "format", "cc-eventlog");
                if (in.has_table)
                        json_object_object_add(o, "ccel_table", table_json(&in.t));
                json_object_object_add(o, "uefi_event_logs", s.arr);
                tool_json_print(o);
        }
        rc = 0;
out:
        unload(&in);
        return rc;
}

/* ---- check ---- */

/* Reference event digests from `cocotrust tdx measure --json` (a single row). */
static int load_reference(const char *path, ct_digest *store, size_t cap, ct_ccel_reference *ref)
{
        json_object *o = json_object_from_file(path), *evs;
        size_t used = 0;

        memset(ref, 0, sizeof(*ref));
        if (!o || !json_object_object_get_ex(o, "events", &evs) || !json_object_is_type(evs, json_type_array)) {
                json_object_put(o);
                return tool_errorf(EXIT_BAD_INPUT, "%s: %s: not the JSON of `cocotrust tdx measure` for one row "
                                                   "(no \"events\")\n",
                                   program_name, path);
        }
        for (int r = 0; r < 3; r++) {
                ref->digests[r] = store + used;
                for (size_t i = 0; i < json_object_array_length(evs); i++) {
                        json_object *e = json_object_array_get_idx(evs, i), *rt, *dg;
                        size_t n;

                        if (!json_object_object_get_ex(e, "rtmr", &rt) || json_object_get_int(rt) != r ||
                            !json_object_object_get_ex(e, "digest", &dg) || !json_object_is_type(dg, json_type_string))
                                continue;
                        if (used == cap || ct_hex_decode(json_object_get_string(dg), store[used].bytes, 48, &n, NULL) ||
                            n != 48) {
                                json_object_put(o);
                                return tool_errorf(EXIT_BAD_INPUT, "%s: %s: bad event digest\n", program_name, path);
                        }
                        store[used].alg = CT_HASH_SHA384;
                        store[used++].len = 48;
                        ref->n[r]++;
                }
        }
        json_object_put(o);
        return 0;
}

static void help_check(void)
{
        printf("Usage: %s eventlog check [CCEL_TABLE] LOG --quote QUOTE [--reference MEASURE.json] [--json]\n",
               program_name);
        help_common("check");
        printf("\nReplays LOG and compares RTMR 0-3 with the TDX quote's (v4 / v5). For each RTMR\n"
               "that differs, names the first event that differs: with --reference (the JSON of\n"
               "`cocotrust tdx measure` for one row) the first extend whose digest is not the\n"
               "predicted one; else the first extend after the prefix that replays to the\n"
               "quoted value, or the first event whose digest does not match its data.\n"
               "The quote's signature is not verified.\n"
               "Exit status: 0 all four RTMRs match, 1 some differ, 2 bad input, 3 I/O error.\n");
}

static int cc_check(int argc, char **argv)
{
        static const struct option opts[] = {
                { "quote", required_argument, NULL, 'q' }, { "reference", required_argument, NULL, 'r' },
                { "ccel-table", required_argument, NULL, 't' }, { "strict", no_argument, NULL, 's' },
                { "cc", no_argument, NULL, 'c' },          { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("eventlog check", help_check);
        struct input in = { 0 };
        const char *quote_path = NULL, *ref_path = NULL;
        ct_ccel_reference ref;
        ct_digest *store = NULL;
        ct_ccel_check *k = malloc(sizeof(*k));
        ct_tdx_quote q;
        ct_blob qb = { 0 };
        bool json = false;
        unsigned flags = 0;
        ct_error err;
        ct_code code;
        int c, rc;

        optind = 1;
        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case 'q': quote_path = optarg; break;
                case 'r': ref_path = optarg; break;
                case 't': in.table_path = optarg; break;
                case 's': flags |= CT_TCG_STRICT; break;
                default: break;
                }
        }
        if (cmd.done) {
                free(k);
                return cmd.status;
        }
        json = cmd.json;
        if (!k) {
                rc = EXIT_INTERNAL;
                goto out;
        }
        if (!quote_path) {
                rc = tool_usage("%s: a CC event log is checked against a TDX quote: --quote QUOTE", argv[0]);
                goto out;
        }
        if (in.table_path) {
                if (argc - optind != 1) {
                        rc = tool_usage("%s: expected one LOG (see --help)", argv[0]);
                        goto out;
                }
                in.log_path = argv[optind];
        } else if ((rc = positional(argc, argv, &in))) {
                goto out;
        }
        if ((rc = load(&in)))
                goto out;
        ct_error_clear(&err);
        if (ct_blob_read(quote_path, CT_MAX_TDX_QUOTE_SIZE, &qb, &err) || ct_tdx_quote_parse(qb.data, qb.len, &q, &err)) {
                rc = tool_fail(&err, quote_path);
                rc = rc == EXIT_VERIFY_FAILED ? EXIT_BAD_INPUT : rc;
                goto out;
        }
        if (ref_path) {
                store = calloc(3 * CT_TDX_MAX_EVENTS, sizeof(*store));
                if (!store || (rc = load_reference(ref_path, store, 3 * CT_TDX_MAX_EVENTS, &ref)))
                        goto out;
        }
        ct_error_clear(&err);
        code = ct_ccel_check_rtmrs(in.log.data, in.log.len, flags, (const uint8_t(*)[48])q.body.rtmr,
                                   ref_path ? &ref : NULL, k, &err);
        if (code && code != CT_E_MISMATCH) {
                rc = tool_fail(&err, in.log_path);
                goto out;
        }
        notes(in.log_path, &k->replay.info);
        if (json) {
                json_object *o = tool_json_new(), *a = json_object_new_array();

                tool_json_add_str(o, "log", in.log_path);
                tool_json_add_str(o, "quote", quote_path);
                if (ref_path)
                        tool_json_add_str(o, "reference", ref_path);
                for (int i = 0; i < 4; i++) {
                        const ct_ccel_rtmr_check *r = &k->rtmr[i];
                        json_object *e = json_object_new_object();

                        tool_json_add_int(e, "rtmr", i);
                        tool_json_add_bool(e, "match", r->match);
                        tool_json_add_digest(e, "replayed", &r->replayed);
                        tool_json_add_digest(e, "quote", &r->expected);
                        tool_json_add_int(e, "events", r->n_events);
                        if (!r->match) {
                                tool_json_add_int(e, "prefix_events", r->prefix_events);
                                if (r->has_first) {
                                        json_object *f = json_object_new_object();
                                        const char *tn = ct_tcg_event_type_name(r->first_type);

                                        tool_json_add_int(f, "num", r->first_num);
                                        tool_json_add_int(f, "offset", (int64_t)r->first_offset);
                                        tool_json_add_str(f, "type_name", tn);
                                        tool_json_add_int(f, "index_in_rtmr", r->first_index);
                                        json_object_object_add(e, "first_differing_event", f);
                                }
                                tool_json_add_str(e, "why", r->why);
                        }
                        json_object_array_add(a, e);
                }
                json_object_object_add(o, "rtmrs", a);
                tool_json_add_bool(o, "ok", k->ok);
                tool_json_add_bool(o, "quote_signature_verified", false);
                tool_json_print(o);
        } else {
                char h1[2 * CT_HASH_MAX_SIZE + 1], h2[2 * CT_HASH_MAX_SIZE + 1];

                for (int i = 0; i < 4; i++) {
                        const ct_ccel_rtmr_check *r = &k->rtmr[i];

                        printf("RTMR%d: %s (%u events)\n", i, r->match ? "match" : "MISMATCH", r->n_events);
                        if (r->match)
                                continue;
                        printf("  replayed: %s\n  quote:    %s\n", ct_digest_hex(&r->replayed, h1),
                               ct_digest_hex(&r->expected, h2));
                        if (r->has_first) {
                                const char *tn = ct_tcg_event_type_name(r->first_type);
                                printf("  first differing event: #%u at offset 0x%llx (%s), event %d of RTMR%d: %s\n",
                                       r->first_num, (ull)r->first_offset, tn ? tn : "?", r->first_index + 1, i,
                                       r->why);
                        } else {
                                printf("  %s\n", r->why);
                        }
                }
                printf("%s\n", k->ok ? "OK: the log replays to the quote's RTMRs" : "MISMATCH");
        }
        rc = k->ok ? EXIT_OK : EXIT_VERIFY_FAILED;
out:
        free(store);
        ct_blob_free(&qb);
        unload(&in);
        free(k);
        return rc;
}

int tool_ccel_verb(const char *verb, int argc, char **argv)
{
        if (!strcmp(verb, "replay"))
                return cc_replay(argc, argv);
        if (!strcmp(verb, "show"))
                return cc_show(argc, argv);
        return cc_check(argc, argv);
}
