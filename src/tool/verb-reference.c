/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust reference — every reference value of one image into one manifest. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cocotrust/manifest.h>
#include <cocotrust/reference.h>

#include "tool.h"

int tool_reference(int argc, char **argv);

#define MAX_FIELDS 64

/* Extra spellings of description fields, named like the anchor tools' options. */
static const struct {
        const char *flag, *key;
} aliases[] = {
        { "rootfs", "rootfs.data" },        { "append", "cmdline" },           { "ovmf", "firmware" },
        { "vcpu-type", "platform.vcpu_types" }, { "vmm-type", "platform.vmm_types" }, { "mode", "platform.snp_modes" },
        { "bank", "platform.banks" },
};

/* "platform.vcpu_types" -> "vcpu-types"; "rootfs.hash_offset" -> "rootfs-hash-offset". */
static void flag_name(const char *key, char *out, size_t cap)
{
        const char *k = strncmp(key, "platform.", 9) == 0 ? key + 9 : key;
        size_t i = 0;

        for (; *k && i + 1 < cap; k++)
                out[i++] = (*k == '_' || *k == '.') ? '-' : *k;
        out[i] = 0;
}

static void help(void)
{
        const char *const *keys = ct_desc_keys();
        char flag[64];

        printf("Usage: %s reference [IMAGE.yaml] [-o manifest.json] [FIELD FLAGS] [OPTIONS]\n\n"
               "Compute every reference value of one guest image into one manifest (docs/manifest.md):\n"
               "SNP launch digests over the platform variations, dm-verity root hash and its kernel\n"
               "command-line forms, PCR 4 / PCR 11 predictions (and the PCR 11 phases), init-data\n"
               "digests with their HOST_DATA / MRCONFIGID / PCR 8 forms, captured PCRs, and the\n"
               "SHA-256 and parameters of every artifact, and for a TDVF firmware the TDX MRTD, RTMR 1-2,\n"
               "tdvfkernel and tdvfkernelparams over memory sizes x variants (\"tdx\": null with\n"
               "notes.tdx saying why when they cannot be computed).\n\n"
               "IMAGE.yaml is the image description (YAML or JSON, docs/reference.md). Every field of\n"
               "it is also a flag, which overrides the file (a list flag replaces the file's list and\n"
               "may be repeated or hold commas):\n",
               program_name);
        for (size_t i = 0; keys[i]; i++) {
                bool list = false;

                ct_desc_key_known(keys[i], &list);
                flag_name(keys[i], flag, sizeof(flag));
                printf("      --%-24s %-24s %s%s\n", flag, keys[i], ct_desc_key_help(keys[i]), list ? " (list)" : "");
        }
        printf("  aliases: --rootfs (rootfs.data), --append (cmdline), --ovmf (firmware), --vcpu-type,\n"
               "           --vmm-type, --mode (as sev-snp-measure), --bank\n\n"
               "Options:\n"
               "  -o, --output FILE     write the manifest to FILE (atomically: temporary file + rename);\n"
               "                        without it the manifest goes to stdout\n"
               "      --timestamp       record \"created\" (SOURCE_DATE_EPOCH when set, else now); by\n"
               "                        default the manifest has no time in it, so reruns are byte-identical\n"
               "      --quiet           no progress on stderr\n"
               "      --json            print a JSON summary on stdout (with -o)\n"
               "  -h, --help            this help\n\n"
               "Examples:\n"
               "  %s reference examples/image.yaml -o manifest.json\n"
               "  %s reference --firmware OVMF.fd --kernel vmlinuz --initrd initrd.img \\\n"
               "        --cmdline 'console=ttyS0' --vcpus 1-64 --vcpu-types all -o manifest.json\n\n"
               "Exit status: 0 ok; 1 an expected value in the description (rootfs.root_hash) differs or\n"
               "the verity hash device does not match the data; 2 bad description, flag or input file\n"
               "(the message names the field and line); 3 I/O error.\n",
               program_name, program_name);
}

struct progress_state {
        bool tty;
        const char *last;
        time_t last_print;
};

static void on_progress(const char *step, uint64_t done, uint64_t total, void *userdata)
{
        struct progress_state *ps = userdata;
        time_t now = time(NULL);

        if (ps->tty) {
                if (done < total && ps->last == step && now == ps->last_print)
                        return;
                fprintf(stderr, "\r%s: %s: %llu/%llu\033[K%s", program_name, step, (unsigned long long)done,
                        (unsigned long long)total, done >= total ? "\n" : "");
        } else if (ps->last != step || (done >= total && total > 1)) {
                if (ps->last == step && done < total)
                        return;
                fprintf(stderr, "%s: %s: %llu/%llu\n", program_name, step, (unsigned long long)done,
                        (unsigned long long)total);
        }
        ps->last = step;
        ps->last_print = now;
}

int tool_reference(int argc, char **argv)
{
        enum { OPT_TIMESTAMP = 1000, OPT_QUIET, OPT_FIELD = 2000 };
        const char *const *keys = ct_desc_keys();
        static char names[MAX_FIELDS + 16][64];
        struct option opts[MAX_FIELDS + 32];
        const char *field_of[MAX_FIELDS + 16];
        bool cleared[MAX_FIELDS + 16] = { false };
        struct { const char *key, *value; } *flags = NULL;
        size_t n_opts = 0, n_fields = 0, n_flags = 0;
        const char *output = NULL;
        bool timestamp = false, quiet = false;
        struct tool_cmd cmd = TOOL_CMD("reference", help);
        struct progress_state ps = { .tty = isatty(2) != 0 };
        ct_reference_opts ro = { .generator = "cocotrust " CT_VERSION };
        char created[32];
        ct_desc *d = NULL;
        ct_manifest *m = NULL;
        ct_error err;
        int c, rc = EXIT_OK;

        for (size_t i = 0; keys[i] && n_fields < MAX_FIELDS; i++) {
                flag_name(keys[i], names[n_fields], sizeof(names[0]));
                field_of[n_fields] = keys[i];
                opts[n_opts++] = (struct option){ names[n_fields], required_argument, NULL, OPT_FIELD + (int)n_fields };
                n_fields++;
        }
        for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
                snprintf(names[n_fields], sizeof(names[0]), "%s", aliases[i].flag);
                field_of[n_fields] = aliases[i].key;
                opts[n_opts++] = (struct option){ names[n_fields], required_argument, NULL, OPT_FIELD + (int)n_fields };
                n_fields++;
        }
        opts[n_opts++] = (struct option){ "output", required_argument, NULL, 'o' };
        opts[n_opts++] = (struct option){ "timestamp", no_argument, NULL, OPT_TIMESTAMP };
        opts[n_opts++] = (struct option){ "quiet", no_argument, NULL, OPT_QUIET };
        opts[n_opts] = (struct option){ 0 };

        flags = calloc((size_t)argc + 1, sizeof(*flags));
        if (!flags)
                return tool_errorf(EXIT_INTERNAL, "%s: out of memory\n", program_name);
        while ((c = tool_getopt(&cmd, argc, argv, "o:", opts)) != -1) {
                if (c >= OPT_FIELD && c < OPT_FIELD + (int)n_fields) {
                        flags[n_flags].key = field_of[c - OPT_FIELD];
                        flags[n_flags++].value = optarg;
                        continue;
                }
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case OPT_TIMESTAMP:
                        timestamp = true;
                        break;
                case OPT_QUIET:
                        quiet = true;
                        break;
                }
        }
        if (cmd.done) {
                free(flags);
                return cmd.status;
        }
        if (argc - optind > 1) {
                free(flags);
                return tool_usage("reference: one image description at most (got '%s' and '%s')", argv[optind],
                                  argv[optind + 1]);
        }
        ct_error_clear(&err);
        if (ct_desc_new(&d, &err)) {
                free(flags);
                return tool_fail(&err, NULL);
        }
        if (optind < argc && ct_desc_load(d, argv[optind], &err)) {
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        for (size_t i = 0; i < n_flags; i++) {
                bool list = false;
                size_t fi = 0;
                char flag[64];

                /* The first flag for a list field replaces the file's list. */
                ct_desc_key_known(flags[i].key, &list);
                for (fi = 0; fi < n_fields; fi++)
                        if (strcmp(field_of[fi], flags[i].key) == 0)
                                break;
                if (list && !cleared[fi]) {
                        ct_desc_clear(d, flags[i].key, NULL);
                        cleared[fi] = true;
                }
                if (ct_desc_set(d, flags[i].key, flags[i].value, NULL, &err)) {
                        flag_name(flags[i].key, flag, sizeof(flag));
                        rc = tool_errorf(EXIT_BAD_INPUT, "%s: --%s: %s\n", program_name, flag, err.msg);
                        goto out;
                }
        }
        if (timestamp) {
                const char *sde = getenv("SOURCE_DATE_EPOCH");
                unsigned long long t = (unsigned long long)time(NULL);
                struct tm tm;
                time_t tt;

                if (sde && *sde && !tool_parse_u64(sde, &t)) {
                        rc = tool_usage("SOURCE_DATE_EPOCH '%s' is not a number of seconds", sde);
                        goto out;
                }
                tt = (time_t)t;
                gmtime_r(&tt, &tm);
                strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
                ro.created = created;
        }
        if (!quiet) {
                ro.progress = on_progress;
                ro.userdata = &ps;
        }
        if (ct_reference_compute(d, &ro, &m, &err)) {
                rc = tool_fail(&err, NULL);
                goto out;
        }
        if (!output) {
                char *s;
                size_t len;

                if (ct_manifest_to_json(m, &s, &len, &err)) {
                        rc = tool_fail(&err, NULL);
                        goto out;
                }
                fwrite(s, 1, len, stdout);
                free(s);
                goto out;
        }
        if (ct_manifest_write(m, output, &err)) {
                rc = tool_fail(&err, output);
                goto out;
        }
        if (cmd.json) {
                json_object *o = tool_json_new();

                tool_json_add_str(o, "manifest", output);
                tool_json_add_int(o, "snp_rows", (int64_t)m->n_snp);
                tool_json_add_int(o, "tdx_rows", (int64_t)m->n_tdx);
                tool_json_add_bool(o, "tdx_computed", m->tdx_computed);
                tool_json_add_int(o, "verity", (int64_t)m->n_verity);
                tool_json_add_int(o, "pcrs", (int64_t)m->n_pcrs);
                tool_json_add_int(o, "init_data", (int64_t)m->n_init_data);
                rc = tool_json_emit(o, NULL);
        } else {
                printf("%s: %zu SNP rows, %s, %zu verity, %zu PCRs (+%zu variants, %zu phases), %zu init-data, "
                       "%zu captured PCRs\n",
                       output, m->n_snp, m->tdx_computed ? "TDX" : "no TDX (not computed)", m->n_verity, m->n_pcrs,
                       m->n_pcr_variants, m->n_pcr11_phases, m->n_init_data, m->n_captured_pcrs);
        }
out:
        free(flags);
        ct_desc_free(d);
        ct_manifest_free(m);
        return rc;
}
