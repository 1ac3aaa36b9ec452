/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust snp report show|verify — SEV-SNP attestation reports v2-v5 and their VCEK/VLEK chains. */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <cocotrust/codec.h>
#include <cocotrust/evidence.h>
#include <cocotrust/fileio.h>

#include "tool.h"
#include "evidence-tool.h"

int tool_snp_report(int argc, char **argv);

#define MAX_REPORT_FILE (1u << 20)
#define MAX_BATCH_REPORTS 1000000u
#define BATCH_CHUNK 512u

/* ---- show ---- */

static void help_show(void)
{
        printf("Usage: %s snp report show [--product milan|genoa|turin] [--json] REPORT\n\n"
               "Decode every field of a SEV-SNP ATTESTATION_REPORT (versions 2-5): policy flags,\n"
               "platform info, signer info, the TCBs in the product's layout (Turin: FMC first),\n"
               "CPUID (v3+), mitigation vectors (v5), and any unknown bit or non-zero reserved\n"
               "range (shown, never refused). REPORT is the 1184-byte binary or its hex text;\n"
               "'-' reads stdin.\n\n"
               "Options:\n"
               "      --product P  TCB layout for a v2 report (it has no CPUID); default Milan/Genoa\n"
               "      --json       JSON output (schema_version 1)\n"
               "  -h, --help       this help\n\n"
               "Example:\n"
               "  %s snp report show --json attestation-report.bin\n\n"
               "Exit status: 0 ok, 2 unreadable or truncated report (the offset is named), 3 I/O error.\n",
               program_name, program_name);
}

static void print_tcb(const char *label, const ct_snp_tcb *t)
{
        printf("%-22s 0x%016llx  ", label, (unsigned long long)t->raw);
        if (t->has_fmc)
                printf("fmc %u ", t->fmc);
        printf("bl %u tee %u snp %u ucode %u\n", t->bootloader, t->tee, t->snp, t->microcode);
}

static void print_hex_field(const char *label, const uint8_t *p, size_t n)
{
        char hex[2 * 72 + 1];

        printf("%-22s %s\n", label, ct_hex_encode(p, n, hex));
}

static void print_flags(uint64_t v, const struct tool_flag *f, size_t n, uint64_t known)
{
        bool any = false;

        for (size_t i = 0; i < n; i++) {
                if (v & f[i].bit) {
                        printf("%s%s", any ? " " : "  (", f[i].name);
                        any = true;
                }
        }
        if (v & ~known) {
                printf("%sunknown:0x%llx", any ? " " : "  (", (unsigned long long)(v & ~known));
                any = true;
        }
        printf("%s\n", any ? ")" : "");
}

static void show_text(const ct_snp_report *r)
{
        unsigned key = (r->signer_info & CT_SNP_SIGNER_KEY_MASK) >> CT_SNP_SIGNER_KEY_SHIFT;

        printf("%-22s %u%s\n", "version", r->version,
               r->version == 2 ? "  (Trustee rejects versions below 3)"
               : r->version > 5 ? "  (unknown version: decoded as v5)" : "");
        printf("%-22s %u\n", "guest_svn", r->guest_svn);
        printf("%-22s 0x%llx  abi %u.%u", "policy", (unsigned long long)r->policy,
               (unsigned)(r->policy >> 8 & 0xff), (unsigned)(r->policy & 0xff));
        print_flags(r->policy, tool_snp_policy_flags, tool_snp_n_policy_flags, CT_SNP_POLICY_KNOWN | 0xffff);
        print_hex_field("family_id", r->family_id, 16);
        print_hex_field("image_id", r->image_id, 16);
        printf("%-22s %u\n", "vmpl", r->vmpl);
        printf("%-22s %u%s\n", "signature_algo", r->signature_algo,
               r->signature_algo == 1 ? "  (ECDSA P-384 with SHA-384)" : "  (unknown)");
        print_tcb("current_tcb", &r->current_tcb);
        printf("%-22s 0x%llx", "platform_info", (unsigned long long)r->platform_info);
        print_flags(r->platform_info, tool_snp_plat_flags, tool_snp_n_plat_flags, CT_SNP_PLAT_KNOWN);
        printf("%-22s 0x%x  author_key_en %u mask_chip_key %u signing_key %u (%s)", "signer_info", r->signer_info,
               r->signer_info & 1, (r->signer_info >> 1) & 1, key,
               key == 0 ? "VCEK" : key == 1 ? "VLEK" : key == 7 ? "none" : "reserved");
        if (r->signer_info & ~CT_SNP_SIGNER_KNOWN)
                printf(" unknown:0x%x", r->signer_info & ~CT_SNP_SIGNER_KNOWN);
        printf("\n");
        print_hex_field("report_data", r->report_data, 64);
        print_hex_field("measurement", r->measurement, 48);
        print_hex_field("host_data", r->host_data, 32);
        print_hex_field("id_key_digest", r->id_key_digest, 48);
        print_hex_field("author_key_digest", r->author_key_digest, 48);
        print_hex_field("report_id", r->report_id, 32);
        print_hex_field("report_id_ma", r->report_id_ma, 32);
        print_tcb("reported_tcb", &r->reported_tcb);
        if (r->has_cpuid)
                printf("%-22s family %02xh model %02xh stepping %02xh\n", "cpuid", r->cpuid_family, r->cpuid_model,
                       r->cpuid_stepping);
        printf("%-22s %s%s\n", "product", ct_snp_product_name(r->product),
               r->product_from_cpuid ? " (from CPUID)" : r->product ? " (given)" : " (v2: no CPUID; TCBs in the Milan/Genoa layout)");
        print_hex_field("chip_id", r->chip_id, 64);
        print_tcb("committed_tcb", &r->committed_tcb);
        printf("%-22s %u.%u.%u\n", "current_version", r->current_major, r->current_minor, r->current_build);
        printf("%-22s %u.%u.%u\n", "committed_version", r->committed_major, r->committed_minor, r->committed_build);
        print_tcb("launch_tcb", &r->launch_tcb);
        if (r->has_mit_vectors) {
                printf("%-22s 0x%llx\n", "launch_mit_vector", (unsigned long long)r->launch_mit_vector);
                printf("%-22s 0x%llx\n", "current_mit_vector", (unsigned long long)r->current_mit_vector);
        }
        print_hex_field("signature_r", r->sig_r, 72);
        print_hex_field("signature_s", r->sig_s, 72);
        for (size_t i = 0; i < r->n_reserved; i++)
                printf("%-22s non-zero reserved bytes at 0x%03x, %u byte(s)\n", "reserved", r->reserved[i].offset,
                       r->reserved[i].len);
}

static int cmd_show(int argc, char **argv)
{
        struct tool_cmd cmd = TOOL_CMD("snp report show", help_show);
        enum { OPT_PRODUCT = 256 };
        static const struct option opts[] = {
                { "product", required_argument, NULL, OPT_PRODUCT },
                { NULL, 0, NULL, 0 },
        };
        ct_snp_product product = CT_SNP_PRODUCT_UNKNOWN;
        ct_snp_report *r;
        ct_error err;
        int c, rc;

        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case OPT_PRODUCT:
                        product = ct_snp_product_from_name(optarg);
                        if (!product)
                                return tool_usage("snp report show: --product: '%s' is not milan, genoa or turin",
                                                  optarg);
                        break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (optind + 1 != argc)
                return tool_usage("snp report show: give one REPORT; run '%s snp report show --help'", program_name);
        r = malloc(sizeof(*r));
        if (!r)
                return tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
        rc = tool_read_snp_report(argv[optind], product, r, &err);
        if (rc == EXIT_OK) {
                if (cmd.json) {
                        json_object *o = tool_json_new();

                        tool_snp_report_json(o, r);
                        tool_json_print(o);
                } else {
                        show_text(r);
                }
        }
        free(r);
        return rc;
}

/* ---- verify ---- */

static void help_verify(void)
{
        printf("Usage: %s snp report verify REPORT (--certs DIR | --vcek F | --vlek F) [--ca F]... [OPTIONS]\n"
               "       %s snp report verify --batch DIR|- (--certs DIR | ...) [OPTIONS]\n\n"
               "Verify a SEV-SNP attestation report: signature_algo 1 and the ECDSA P-384/SHA-384\n"
               "signature with the VCEK or VLEK; the chain VCEK/VLEK <- ASK/ASVK <- ARK (RSASSA-PSS\n"
               "SHA-384, ARK self-signed); validity now or at --at; the product (CPUID of v3+ or\n"
               "--product); the VCEK's blSPL/teeSPL/snpSPL/ucodeSPL (Turin: fmcSPL) against the\n"
               "reported TCB; its hwID against the chip id (Turin: 8 bytes; skipped with\n"
               "MASK_CHIP_KEY); the CRL; then every expectation given. Every check is listed;\n"
               "all failed checks are named, not only the first. The tool never goes online:\n"
               "fetch the certificates from AMD's KDS first (docs/evidence.md).\n\n"
               "Certificates:\n"
               "      --certs DIR      ark.pem ask.pem asvk.pem cert_chain.pem vcek.{pem,der} vlek.{pem,der}\n"
               "                       crl.{der,pem} (snpguest fetch layout) and Trustee's offline store\n"
               "                       DIR/vcek/<hwid>/bl<NN>_tee<NN>_snp<NN>_ucode<NN>[_fmc<NN>]\n"
               "      --vcek F, --vlek F  the VCEK / VLEK (PEM or DER)\n"
               "      --ca F           ASK/ASVK/ARK certificates (PEM bundle such as the KDS cert_chain)\n"
               "      --crl F          KDS CRL (DER or PEM): ASK and VCEK must not be revoked\n"
               "      --product P      milan, genoa or turin (needed for v2 reports, checked for v3+)\n"
               "      --at TIME        check validity at TIME (2025-06-01, 2025-06-01T12:00:00Z, @EPOCH)\n\n"
               "Expectations:\n"
               "      --measurement HEX      48 bytes; repeat for a table (any one matches)\n"
               "      --host-data HEX        up to 32 bytes (zero-padded, as Trustee does)\n"
               "      --report-data HEX      up to 64 bytes (zero-padded)\n"
               "      --id-key-digest HEX, --author-key-digest HEX   48 bytes each\n"
               "      --vmpl N               expected VMPL\n"
               "      --policy-no-debug, --policy-no-migrate   the policy must not allow debugging / migration\n"
               "      --min-tcb bl=N,tee=N,snp=N,ucode=N[,fmc=N]   minimum reported TCB\n"
               "      --min-launch-tcb ...   minimum launch TCB\n"
               "      --min-mit-vector HEX   bits that must be set in current_mit_vector (v5)\n\n"
               "Batch (relying parties):\n"
               "      --batch DIR|-    every file in DIR, or NDJSON on stdin: one base64 report a line\n"
               "                       (a JSON string, {\"id\":..,\"report\":\"<base64>\"}, or bare base64);\n"
               "                       one JSON line per report; chains are verified once and cached\n"
               "      --threads N      worker threads (default: one per CPU)\n"
               "      --json           JSON output (schema_version 1)\n"
               "  -h, --help           this help\n\n"
               "Examples:\n"
               "  %s snp report verify report.bin --certs ./certs --measurement 5fee...\n"
               "  %s snp report verify report.bin --vcek vcek.der --ca cert_chain.pem --at 2025-06-01\n\n"
               "Exit status: 0 every check holds, 1 a check failed (all failed checks listed),\n"
               "2 unreadable report, certificate or option, 3 I/O or internal error.\n",
               program_name, program_name, program_name, program_name);
}

struct verify_cli {
        ct_snp_verify_opts o;
        bool json;
        const char *batch;
        unsigned threads;
};

static bool parse_hex_opt(const char *opt, const char *text, uint8_t *out, size_t n, bool pad)
{
        uint8_t buf[128];
        size_t len = 0;
        ct_error err;

        if (ct_hex_decode(text, buf, sizeof(buf), &len, &err) != CT_OK || len > n || (!pad && len != n)) {
                tool_usage("snp report verify: %s: expected %s%zu bytes of hex, got '%s'", opt, pad ? "up to " : "",
                           n, text);
                return false;
        }
        memset(out, 0, n);
        memcpy(out, buf, len);
        return true;
}

static bool parse_min_tcb(const char *opt, const char *text, ct_snp_min_tcb *m)
{
        char *copy = strdup(text), *save = NULL, *tok;
        bool ok = copy != NULL;

        for (tok = copy ? strtok_r(copy, ",", &save) : NULL; ok && tok; tok = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(tok, '=');
                unsigned long long v;

                if (!eq || !tool_parse_u64(eq + 1, &v) || v > 255) {
                        ok = false;
                        break;
                }
                *eq = 0;
                if (strcmp(tok, "bl") == 0) m->has_bl = true, m->bl = (uint8_t)v;
                else if (strcmp(tok, "tee") == 0) m->has_tee = true, m->tee = (uint8_t)v;
                else if (strcmp(tok, "snp") == 0) m->has_snp = true, m->snp = (uint8_t)v;
                else if (strcmp(tok, "ucode") == 0) m->has_ucode = true, m->ucode = (uint8_t)v;
                else if (strcmp(tok, "fmc") == 0) m->has_fmc = true, m->fmc = (uint8_t)v;
                else ok = false;
        }
        free(copy);
        if (!ok)
                tool_usage("snp report verify: %s: expected bl=N,tee=N,snp=N,ucode=N[,fmc=N] (0-255), got '%s'",
                           opt, text);
        return ok;
}

static bool parse_time(const char *text, time_t *ret)
{
        struct tm tm;
        const char *end;
        unsigned long long v;

        if (text[0] == '@')
                return tool_parse_u64(text + 1, &v) && (*ret = (time_t)v, true);
        memset(&tm, 0, sizeof(tm));
        end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!end) {
                memset(&tm, 0, sizeof(tm));
                end = strptime(text, "%Y-%m-%d", &tm);
        }
        if (!end || (*end && strcmp(end, "Z") != 0))
                return false;
        *ret = timegm(&tm);
        return true;
}

static void print_checks_text(const char *file, const ct_snp_report *r, const ct_snp_verify_result *res)
{
        printf("%s: SNP report v%u, %s, signed by %s\n", file, r->version, ct_snp_product_name(res->product),
               res->vlek ? "VLEK" : "VCEK");
        tool_print_checks(&res->checks);
}

static int verify_one(ct_snp_verifier *v, struct verify_cli *cli, const char *file)
{
        ct_snp_report *r = malloc(sizeof(*r));
        ct_snp_verify_result *res = malloc(sizeof(*res));
        ct_error err;
        int rc;

        if (!r || !res) {
                free(r);
                free(res);
                return tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
        }
        rc = tool_read_snp_report(file, cli->o.product, r, &err);
        if (rc == EXIT_OK && ct_snp_verify(v, r, &cli->o, res, &err) != CT_OK)
                rc = tool_fail(&err, file);
        if (rc == EXIT_OK) {
                if (cli->json) {
                        json_object *o = tool_json_new();

                        tool_json_add_str(o, "file", file);
                        tool_snp_result_json(o, res);
                        json_object_object_add(o, "report", tool_snp_report_json(json_object_new_object(), r));
                        tool_json_print(o);
                } else {
                        print_checks_text(file, r, res);
                }
                rc = res->ok ? EXIT_OK : EXIT_VERIFY_FAILED;
        }
        free(r);
        free(res);
        return rc;
}

/* ---- batch ---- */

struct batch_in {
        uint8_t **data;
        size_t *lens;
        char **ids;
        size_t n, cap;
};

static bool batch_push(struct batch_in *b, uint8_t *data, size_t len, const char *id)
{
        if (b->n == b->cap) {
                size_t nc = b->cap ? 2 * b->cap : 256;
                uint8_t **d = realloc(b->data, nc * sizeof(*d));
                size_t *l = d ? realloc(b->lens, nc * sizeof(*l)) : NULL;
                char **ids = l ? realloc(b->ids, nc * sizeof(*ids)) : NULL;

                if (d)
                        b->data = d;
                if (l)
                        b->lens = l;
                if (!ids)
                        return false;
                b->ids = ids;
                b->cap = nc;
        }
        b->data[b->n] = data;
        b->lens[b->n] = len;
        b->ids[b->n] = id ? strdup(id) : NULL;
        b->n++;
        return true;
}

static void batch_free(struct batch_in *b)
{
        for (size_t i = 0; i < b->n; i++) {
                free(b->data[i]);
                free(b->ids[i]);
        }
        free(b->data);
        free(b->lens);
        free(b->ids);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int batch_read_dir(const char *dir, struct batch_in *b)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0, cap = 0;
        int rc = EXIT_OK;

        if (!d)
                return tool_errorf(EXIT_INTERNAL, "%s: %s: cannot read the directory", program_name, dir);
        while ((de = readdir(d)) && rc == EXIT_OK) {
                if (de->d_name[0] == '.')
                        continue;
                if (n == cap) {
                        char **nn = realloc(names, (cap = cap ? 2 * cap : 256) * sizeof(*nn));

                        if (!nn) {
                                rc = EXIT_INTERNAL;
                                break;
                        }
                        names = nn;
                }
                names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
                if (!names[n]) {
                        rc = EXIT_INTERNAL;
                        break;
                }
                sprintf(names[n++], "%s/%s", dir, de->d_name);
        }
        closedir(d);
        if (n)
                qsort(names, n, sizeof(*names), cmp_str);
        for (size_t i = 0; i < n; i++) {
                ct_blob blob = { 0 };
                ct_error err;
                struct stat st;

                if (rc == EXIT_OK && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
                        if (ct_blob_read(names[i], MAX_REPORT_FILE, &blob, &err) != CT_OK) {
                                rc = tool_fail(&err, names[i]);
                        } else {
                                uint8_t *copy = malloc(blob.len ? blob.len : 1);

                                if (!copy || (memcpy(copy, blob.data ? blob.data : (const uint8_t *)"", blob.len),
                                              !batch_push(b, copy, blob.len, names[i]))) {
                                        free(copy);
                                        rc = EXIT_INTERNAL;
                                }
                                ct_blob_free(&blob);
                        }
                        if (b->n > MAX_BATCH_REPORTS)
                                rc = tool_usage("snp report verify --batch: more than %u reports", MAX_BATCH_REPORTS);
                }
                free(names[i]);
        }
        free(names);
        return rc;
}

/* One NDJSON line: a JSON string, an object with "report" (and "id"), or bare base64. */
static int batch_read_line(char *line, size_t lineno, struct batch_in *b)
{
        const char *text = line, *id = NULL;
        json_object *j = NULL, *f;
        uint8_t *out;
        size_t len = 0, cap;
        ct_error err;
        char idbuf[32];

        while (*line == ' ' || *line == '\t')
                line++;
        if (*line == '"' || *line == '{') {
                j = json_tokener_parse(line);
                if (j && json_object_is_type(j, json_type_string)) {
                        text = json_object_get_string(j);
                } else if (j && json_object_object_get_ex(j, "report", &f) && json_object_is_type(f, json_type_string)) {
                        text = json_object_get_string(f);
                        if (json_object_object_get_ex(j, "id", &f))
                                id = json_object_get_string(f);
                } else {
                        json_object_put(j);
                        return tool_errorf(EXIT_BAD_INPUT, "%s: stdin: line %zu: expected a base64 string or "
                                                           "{\"report\": \"<base64>\"}", program_name, lineno);
                }
        }
        snprintf(idbuf, sizeof(idbuf), "line %zu", lineno);
        cap = strlen(text) / 4 * 3 + 3;
        out = malloc(cap);
        if (!out || ct_base64_decode(text, out, cap, &len, &err) != CT_OK) {
                /* Keep the line: it gets a JSON line with its error. */
                free(out);
                out = NULL;
                len = 0;
        }
        if (!batch_push(b, out, out ? len : (size_t)-1, id ? id : idbuf)) {
                free(out);
                json_object_put(j);
                return EXIT_INTERNAL;
        }
        json_object_put(j);
        return EXIT_OK;
}

static int batch_read_stdin(struct batch_in *b)
{
        char *line = NULL;
        size_t cap = 0, lineno = 0;
        ssize_t n;
        int rc = EXIT_OK;

        while (rc == EXIT_OK && (n = getline(&line, &cap, stdin)) >= 0) {
                lineno++;
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        line[--n] = 0;
                if (n == 0)
                        continue;
                if ((size_t)n > 4 * MAX_REPORT_FILE)
                        rc = tool_errorf(EXIT_BAD_INPUT, "%s: stdin: line %zu longer than %u bytes", program_name,
                                         lineno, 4 * MAX_REPORT_FILE);
                else
                        rc = batch_read_line(line, lineno, b);
                if (b->n > MAX_BATCH_REPORTS)
                        rc = tool_usage("snp report verify --batch: more than %u reports", MAX_BATCH_REPORTS);
        }
        free(line);
        return rc;
}

static int verify_batch(ct_snp_verifier *v, struct verify_cli *cli)
{
        struct batch_in in = { 0 };
        ct_snp_verify_result *res = malloc(BATCH_CHUNK * sizeof(*res));
        ct_code *codes = malloc(BATCH_CHUNK * sizeof(*codes));
        ct_error *errs = malloc(BATCH_CHUNK * sizeof(*errs));
        size_t n_failed = 0, n_bad = 0;
        int rc;

        if (!res || !codes || !errs) {
                rc = tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
                goto out;
        }
        rc = strcmp(cli->batch, "-") == 0 ? batch_read_stdin(&in) : batch_read_dir(cli->batch, &in);
        if (rc != EXIT_OK)
                goto out;
        for (size_t base = 0; base < in.n; base += BATCH_CHUNK) {
                size_t m = in.n - base < BATCH_CHUNK ? in.n - base : BATCH_CHUNK;
                ct_error err;

                /* Lines that did not decode as base64 have length (size_t)-1: give them an empty input. */
                for (size_t i = 0; i < m; i++)
                        if (in.lens[base + i] == (size_t)-1)
                                in.lens[base + i] = 0;
                if (ct_snp_verify_batch(v, (const uint8_t *const *)in.data + base, in.lens + base, m, &cli->o,
                                        cli->threads, res, codes, errs, &err) != CT_OK) {
                        rc = tool_fail(&err, NULL);
                        goto out;
                }
                for (size_t i = 0; i < m; i++) {
                        json_object *o = tool_json_new();

                        tool_json_add_int(o, "index", (int64_t)(base + i));
                        tool_json_add_str(o, "id", in.ids[base + i]);
                        if (codes[i] != CT_OK) {
                                tool_json_add_bool(o, "ok", false);
                                tool_json_add_str(o, "error", in.data[base + i] ? errs[i].msg : "not base64");
                                n_bad++;
                        } else {
                                tool_snp_result_json_brief(o, &res[i]);
                                if (!res[i].ok)
                                        n_failed++;
                        }
                        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                        json_object_put(o);
                }
        }
        fprintf(stderr, "%s: %zu report(s): %zu verified, %zu failed a check, %zu unreadable\n", program_name, in.n,
                in.n - n_failed - n_bad, n_failed, n_bad);
        rc = n_bad ? EXIT_BAD_INPUT : n_failed ? EXIT_VERIFY_FAILED : EXIT_OK;
out:
        batch_free(&in);
        free(res);
        free(codes);
        free(errs);
        return rc;
}

const struct option tool_snp_verify_options[] = {
        { "certs", required_argument, NULL, SNP_OPT_CERTS },
        { "vcek", required_argument, NULL, SNP_OPT_VCEK },
        { "vlek", required_argument, NULL, SNP_OPT_VLEK },
        { "ca", required_argument, NULL, SNP_OPT_CA },
        { "crl", required_argument, NULL, SNP_OPT_CRL },
        { "product", required_argument, NULL, SNP_OPT_PRODUCT },
        { "at", required_argument, NULL, SNP_OPT_AT },
        { "measurement", required_argument, NULL, SNP_OPT_MEAS },
        { "host-data", required_argument, NULL, SNP_OPT_HOST },
        { "report-data", required_argument, NULL, SNP_OPT_RDATA },
        { "id-key-digest", required_argument, NULL, SNP_OPT_IDKEY },
        { "author-key-digest", required_argument, NULL, SNP_OPT_AUTHKEY },
        { "vmpl", required_argument, NULL, SNP_OPT_VMPL },
        { "policy-no-debug", no_argument, NULL, SNP_OPT_NODEBUG },
        { "policy-no-migrate", no_argument, NULL, SNP_OPT_NOMIGRATE },
        { "min-tcb", required_argument, NULL, SNP_OPT_MINTCB },
        { "min-launch-tcb", required_argument, NULL, SNP_OPT_MINLTCB },
        { "min-mit-vector", required_argument, NULL, SNP_OPT_MINMIT },
        { NULL, 0, NULL, 0 },
};
const size_t tool_snp_n_verify_options = sizeof(tool_snp_verify_options) / sizeof(tool_snp_verify_options[0]) - 1;

_Static_assert(sizeof(tool_snp_verify_options) / sizeof(tool_snp_verify_options[0]) <= TOOL_SNP_OPTS_ROOM,
               "TOOL_SNP_OPTS_ROOM holds the shared options");

int tool_snp_cli_setup(struct tool_snp_cli *cli, struct option *opts, const struct option *own, size_t n_own)
{
        memcpy(opts, own, n_own * sizeof(*own));
        memcpy(opts + n_own, tool_snp_verify_options, (tool_snp_n_verify_options + 1) * sizeof(struct option));
        return tool_snp_cli_init(cli);
}

int tool_snp_cli_init(struct tool_snp_cli *cli)
{
        ct_error err;

        memset(cli, 0, sizeof(*cli));
        cli->meas = calloc(CT_SNP_MAX_MEASUREMENTS, sizeof(*cli->meas));
        if (!cli->meas || ct_snp_verifier_new(&cli->v, &err) != CT_OK) {
                free(cli->meas);
                return tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
        }
        cli->o.measurements = (const uint8_t(*)[48])cli->meas;
        return EXIT_OK;
}

void tool_snp_cli_free(struct tool_snp_cli *cli)
{
        ct_snp_verifier_free(cli->v);
        free(cli->meas);
}

int tool_snp_cli_other(struct tool_snp_cli *cli, int c, const char *arg)
{
        int rc = tool_snp_cli_option(cli, c, arg);

        return rc < 0 ? EXIT_BAD_INPUT : rc;
}

int tool_snp_cli_option(struct tool_snp_cli *cli, int c, const char *arg)
{
        ct_error err;
        unsigned long long u = 0;
        int rc = EXIT_OK;

        switch (c) {
        case SNP_OPT_CERTS:
                if (ct_snp_verifier_add_dir(cli->v, arg, &err) != CT_OK)
                        rc = tool_fail(&err, NULL);
                cli->have_certs = true;
                break;
        case SNP_OPT_VCEK: case SNP_OPT_VLEK: case SNP_OPT_CA:
                if (ct_snp_verifier_add_cert_file(cli->v, arg, &err) != CT_OK)
                        rc = tool_fail(&err, NULL);
                cli->have_certs = cli->have_certs || c != SNP_OPT_CA;
                break;
        case SNP_OPT_CRL:
                if (ct_snp_verifier_set_crl_file(cli->v, arg, &err) != CT_OK)
                        rc = tool_fail(&err, NULL);
                break;
        case SNP_OPT_PRODUCT:
                cli->o.product = ct_snp_product_from_name(arg);
                if (!cli->o.product)
                        rc = tool_usage("snp report verify: --product: '%s' is not milan, genoa or turin", arg);
                break;
        case SNP_OPT_AT:
                cli->o.has_at = true;
                if (!parse_time(arg, &cli->o.at))
                        rc = tool_usage("snp report verify: --at: '%s' is not YYYY-MM-DD[THH:MM:SS[Z]] or @EPOCH",
                                        arg);
                break;
        case SNP_OPT_MEAS:
                if (cli->o.n_measurements >= CT_SNP_MAX_MEASUREMENTS)
                        rc = tool_usage("snp report verify: more than %u --measurement", CT_SNP_MAX_MEASUREMENTS);
                else if (!parse_hex_opt("--measurement", arg, cli->meas[cli->o.n_measurements++], 48, false))
                        rc = EXIT_BAD_INPUT;
                break;
        case SNP_OPT_HOST:
                cli->o.has_host_data = true;
                if (!parse_hex_opt("--host-data", arg, cli->o.host_data, 32, true))
                        rc = EXIT_BAD_INPUT;
                break;
        case SNP_OPT_RDATA:
                cli->o.has_report_data = true;
                if (!parse_hex_opt("--report-data", arg, cli->o.report_data, 64, true))
                        rc = EXIT_BAD_INPUT;
                break;
        case SNP_OPT_IDKEY:
                cli->o.has_id_key_digest = true;
                if (!parse_hex_opt("--id-key-digest", arg, cli->o.id_key_digest, 48, false))
                        rc = EXIT_BAD_INPUT;
                break;
        case SNP_OPT_AUTHKEY:
                cli->o.has_author_key_digest = true;
                if (!parse_hex_opt("--author-key-digest", arg, cli->o.author_key_digest, 48, false))
                        rc = EXIT_BAD_INPUT;
                break;
        case SNP_OPT_VMPL:
                cli->o.has_vmpl = true;
                if (!tool_parse_u64(arg, &u) || u > 3)
                        rc = tool_usage("snp report verify: --vmpl: expected 0-3, got '%s'", arg);
                cli->o.vmpl = (uint32_t)u;
                break;
        case SNP_OPT_NODEBUG: cli->o.policy_no_debug = true; break;
        case SNP_OPT_NOMIGRATE: cli->o.policy_no_migrate = true; break;
        case SNP_OPT_MINTCB:
                if (!parse_min_tcb("--min-tcb", arg, &cli->o.min_tcb))
                        rc = EXIT_BAD_INPUT;
                break;
        case SNP_OPT_MINLTCB:
                if (!parse_min_tcb("--min-launch-tcb", arg, &cli->o.min_launch_tcb))
                        rc = EXIT_BAD_INPUT;
                break;
        case SNP_OPT_MINMIT:
                cli->o.has_min_mit_vector = true;
                if (!tool_parse_u64(arg, &u))
                        rc = tool_usage("snp report verify: --min-mit-vector: bad number '%s' (use 0x.. for hex)",
                                        arg);
                cli->o.min_mit_vector = u;
                break;
        default:
                return -1;
        }
        return rc;
}

static int cmd_verify(int argc, char **argv)
{
        struct tool_cmd cmd = TOOL_CMD("snp report verify", help_verify);
        enum { OPT_BATCH = 256, OPT_THREADS };
        static const struct option own[] = {
                { "batch", required_argument, NULL, OPT_BATCH },
                { "threads", required_argument, NULL, OPT_THREADS },
        };
        struct option opts[sizeof(own) / sizeof(own[0]) + TOOL_SNP_OPTS_ROOM];
        struct verify_cli cli = { 0 };
        struct tool_snp_cli snp;
        unsigned long long u;
        int c, rc;

        if ((rc = tool_snp_cli_setup(&snp, opts, own, sizeof(own) / sizeof(own[0]))) != EXIT_OK)
                return rc;
        while (rc == EXIT_OK && (c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case OPT_BATCH: cli.batch = optarg; break;
                case OPT_THREADS:
                        if (!tool_parse_u64(optarg, &u) || u == 0 || u > 64)
                                rc = tool_usage("snp report verify: --threads: expected 1-64, got '%s'", optarg);
                        cli.threads = (unsigned)u;
                        break;
                default:
                        rc = tool_snp_cli_other(&snp, c, optarg);
                        break;
                }
        }
        if ((rc = tool_cmd_status(&cmd, rc)) != EXIT_OK || cmd.done)
                goto out;
        cli.json = cmd.json;
        cli.o = snp.o;
        if (!snp.have_certs) {
                rc = tool_usage("snp report verify: give --certs DIR, --vcek FILE or --vlek FILE (see --help)");
                goto out;
        }
        if (cli.batch) {
                rc = optind == argc ? verify_batch(snp.v, &cli)
                                    : tool_usage("snp report verify: --batch takes no REPORT argument");
                goto out;
        }
        if (optind + 1 != argc) {
                rc = tool_usage("snp report verify: give one REPORT; run '%s snp report verify --help'",
                                program_name);
                goto out;
        }
        rc = verify_one(snp.v, &cli, argv[optind]);
out:
        tool_snp_cli_free(&snp);
        return rc;
}

int tool_snp_report(int argc, char **argv)
{
        static const struct tool_verb sub[] = {
                { "show", "[--json] REPORT", cmd_show, "decode every field of an SNP attestation report" },
                { "verify", "REPORT --certs DIR [EXPECTATIONS]", cmd_verify,
                  "signature, VCEK/VLEK chain, TCB, hwID, CRL and expectations" },
        };

        return tool_subverb(argc, argv, "snp report", sub, sizeof(sub) / sizeof(sub[0]));
}
