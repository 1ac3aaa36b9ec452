/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>

#include "tool.h"

/* msg without a leading "<prefix>: " (repeated: legacy messages may carry it twice). */
static const char *skip_prefix(const char *msg, const char *prefix)
{
        size_t l;

        if (!prefix || !*prefix)
                return msg;
        l = strlen(prefix);
        while (strncmp(msg, prefix, l) == 0 && msg[l] == ':' && msg[l + 1] == ' ')
                msg += l + 2;
        return msg;
}

int tool_error(const ct_error *err, const char *file)
{
        const char *input = err && err->input[0] ? err->input : file;
        const char *msg = err && err->msg[0] ? err->msg : (err ? ct_code_name(err->code) : "unknown error");

        msg = skip_prefix(msg, program_name);
        msg = skip_prefix(msg, input);
        if (file && input != file)
                msg = skip_prefix(msg, file);
        if (input && *input)
                fprintf(stderr, "%s: %s: %s\n", program_name, input, msg);
        else
                fprintf(stderr, "%s: %s\n", program_name, msg);
        return err ? ct_code_exit_status(err->code) : EXIT_INTERNAL;
}

int tool_fail(const ct_error *err, const char *file)
{
        return tool_error(err, file);
}

static void vmessage(const char *fmt, va_list ap)
{
        char buf[4096];

        vsnprintf(buf, sizeof(buf), fmt, ap);
        fprintf(stderr, "%s: %s\n", program_name, skip_prefix(buf, program_name));
}

int tool_usage(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vmessage(fmt, ap);
        va_end(ap);
        return EXIT_BAD_INPUT;
}

int tool_errorf(int status, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vmessage(fmt, ap);
        va_end(ap);
        return status;
}

int tool_cmd_usage(const struct tool_cmd *cmd, const char *fmt, ...)
{
        char buf[2048];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        fprintf(stderr, "%s: %s: %s; run '%s %s --help'\n", program_name, cmd->name, buf, program_name, cmd->name);
        return EXIT_BAD_INPUT;
}

static bool has_long(const struct option *o, const char *name)
{
        for (; o && o->name; o++)
                if (strcmp(o->name, name) == 0)
                        return true;
        return false;
}

static void cmd_prepare(struct tool_cmd *cmd, const char *shortopts, const struct option *longopts)
{
        size_t n = 0, k = 0;

        for (const struct option *o = longopts; o && o->name && n < TOOL_MAX_OPTIONS - 4; o++) {
                if (strcmp(o->name, "help") == 0 || strcmp(o->name, "version") == 0)
                        continue;
                cmd->opts_[n++] = *o;
        }
        cmd->opts_[n++] = (struct option){ "help", no_argument, NULL, TOOL_OPT_HELP };
        cmd->opts_[n++] = (struct option){ "version", no_argument, NULL, TOOL_OPT_VERSION };
        if (!has_long(longopts, "json"))
                cmd->opts_[n++] = (struct option){ "json", no_argument, NULL, TOOL_OPT_JSON };
        cmd->opts_[n] = (struct option){ NULL, 0, NULL, 0 };

        cmd->short_[k++] = ':';
        if (shortopts && *shortopts == ':')
                shortopts++;
        for (; shortopts && *shortopts && k < sizeof(cmd->short_) - 2; shortopts++)
                cmd->short_[k++] = *shortopts;
        if (!strchr(cmd->short_, 'h'))
                cmd->short_[k++] = 'h';
        cmd->short_[k] = 0;
        cmd->ready_ = true;
}

/* The option as the user typed it ("--foo" without "=value", or "-x"). */
static void option_text(char **argv, char *out, size_t cap)
{
        const char *a = optind > 0 ? argv[optind - 1] : "";

        if (strncmp(a, "--", 2) == 0) {
                size_t l = strcspn(a, "=");
                snprintf(out, cap, "%.*s", (int)(l < cap ? l : cap - 1), a);
        } else if (optopt > 0 && optopt < 0x100) {
                snprintf(out, cap, "-%c", optopt);
        } else {
                snprintf(out, cap, "%s", a);
        }
}

static int bad_option(struct tool_cmd *cmd, char **argv, bool missing_arg)
{
        char opt[128];
        const char *best = NULL;
        size_t best_d = 3;

        option_text(argv, opt, sizeof(opt));
        if (missing_arg)
                return tool_cmd_usage(cmd, "option '%s' needs an argument", opt);
        if (strncmp(opt, "--", 2) == 0 && has_long(cmd->opts_, opt + 2))
                return tool_cmd_usage(cmd, "option '%s' takes no argument", opt);
        if (strncmp(opt, "--", 2) == 0)
                for (const struct option *o = cmd->opts_; o->name; o++) {
                        size_t d = tool_edit_distance(opt + 2, o->name);
                        if (d < best_d) {
                                best_d = d;
                                best = o->name;
                        }
                }
        if (best)
                return tool_cmd_usage(cmd, "unknown option '%s' (did you mean '--%s'?)", opt, best);
        return tool_cmd_usage(cmd, "unknown option '%s'", opt);
}

int tool_getopt(struct tool_cmd *cmd, int argc, char **argv, const char *shortopts, const struct option *longopts)
{
        int c;

        if (cmd->done)
                return -1;
        if (!cmd->ready_)
                cmd_prepare(cmd, shortopts, longopts);
        opterr = 0;
        for (;;) {
                c = getopt_long(argc, argv, cmd->short_, cmd->opts_, NULL);
                switch (c) {
                case 'h':
                        /* a verb that lists 'h' itself means its anchor's -h (--hash): not help */
                        if (shortopts && strchr(shortopts, 'h'))
                                return c;
                        /* fall through */
                case TOOL_OPT_HELP:
                        if (cmd->help)
                                cmd->help();
                        else
                                printf("Usage: %s %s [OPTIONS]\n", program_name, cmd->name);
                        cmd->done = true;
                        cmd->status = EXIT_OK;
                        return -1;
                case TOOL_OPT_VERSION:
                        printf("%s %s\n", program_name, tool_version);
                        cmd->done = true;
                        cmd->status = EXIT_OK;
                        return -1;
                case TOOL_OPT_JSON:
                        cmd->json = true;
                        continue;
                case '?':
                case ':':
                        cmd->status = bad_option(cmd, argv, c == ':');
                        cmd->done = true;
                        return -1;
                default:
                        return c;
                }
        }
}

int tool_not_implemented(const char *what)
{
        fprintf(stderr, "%s: %s is not implemented yet\n", program_name, what);
        return EXIT_INTERNAL;
}

int tool_open_input(const char *path, unsigned flags, int *ret_fd)
{
        ct_error err;

        ct_error_clear(&err);
        if (ct_input_open(path, flags, ret_fd, NULL, NULL, &err) != CT_OK)
                return tool_error(&err, path);
        return EXIT_OK;
}

const char *tool_json_text(json_object *o)
{
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
}

int tool_json_emit(json_object *o, const char *path)
{
        const char *s = tool_json_text(o);
        int rc = EXIT_OK;

        if (!path || strcmp(path, "-") == 0) {
                fputs(s, stdout);
                fputc('\n', stdout);
                if (fflush(stdout) != 0 || ferror(stdout))
                        rc = tool_errorf(EXIT_INTERNAL, "standard output: write failed: %s", strerror(errno));
        } else {
                size_t n = strlen(s);
                char *buf = malloc(n + 2);
                ct_error err;

                ct_error_clear(&err);
                if (!buf) {
                        rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                } else {
                        memcpy(buf, s, n);
                        buf[n] = '\n';
                        if (ct_write_file_atomic(path, buf, n + 1, &err) != CT_OK)
                                rc = tool_error(&err, path);
                        free(buf);
                }
        }
        json_object_put(o);
        return rc;
}

void tool_json_print(json_object *o)
{
        (void)tool_json_emit(o, NULL);
}

json_object *tool_json_new(void)
{
        json_object *o = json_object_new_object();
        json_object_object_add(o, "schema_version", json_object_new_int(1));
        return o;
}

void tool_json_add_str(json_object *o, const char *key, const char *val)
{
        json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

void tool_json_add_int(json_object *o, const char *key, int64_t val)
{
        json_object_object_add(o, key, json_object_new_int64(val));
}

void tool_json_add_bool(json_object *o, const char *key, bool val)
{
        json_object_object_add(o, key, json_object_new_boolean(val));
}

void tool_json_add_digest(json_object *o, const char *key, const ct_digest *d)
{
        char hex[2 * CT_HASH_MAX_SIZE + 1];
        json_object_object_add(o, key, json_object_new_string(ct_digest_hex(d, hex)));
}

void tool_json_add_hex(json_object *o, const char *key, const void *data, size_t len)
{
        char *hex = malloc(2 * len + 1);
        if (!hex)
                abort();
        json_object_object_add(o, key, json_object_new_string(ct_hex_encode(data, len, hex)));
        free(hex);
}

bool tool_parse_u64(const char *s, unsigned long long *ret)
{
        char *end = NULL;
        unsigned long long v;

        if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
                return false;
        errno = 0;
        v = strtoull(s, &end, 0);
        if (errno || !end || *end)
                return false;
        *ret = v;
        return true;
}

size_t tool_edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        size_t prev[64], cur[64];

        if (la >= 63 || lb >= 63)
                return (size_t)-1;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t del = prev[j] + 1, ins = cur[j - 1] + 1, sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        cur[j] = del < ins ? (del < sub ? del : sub) : (ins < sub ? ins : sub);
                }
                memcpy(prev, cur, sizeof(size_t) * (lb + 1));
        }
        return prev[lb];
}

void tool_area_help(const struct tool_area *area, FILE *f)
{
        fprintf(f, "Usage: %s %s VERB [OPTIONS]\n\n%s\n\nVerbs:\n", program_name, area->name, area->summary);
        for (size_t i = 0; i < area->n_verbs; i++)
                fprintf(f, "  %-10s %s\n", area->verbs[i].name, area->verbs[i].help);
        fprintf(f, "\nRun '%s %s VERB --help' for the options of a verb.\n", program_name, area->name);
}

json_object *tool_pcrset_json(const ct_pcr_set *s)
{
        json_object *o = tool_json_new();
        json_object *pcrs = json_object_new_object();

        for (unsigned b = 0; b < s->n_banks; b++) {
                const ct_pcr_bank *bank = &s->banks[b];
                json_object *jb = json_object_new_object();
                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                        char key[4];
                        if (!(bank->present & (1u << i)))
                                continue;
                        snprintf(key, sizeof(key), "%u", i);
                        tool_json_add_hex(jb, key, bank->values[i], ct_hash_size(bank->alg));
                }
                json_object_object_add(pcrs, ct_hash_name(bank->alg), jb);
        }
        json_object_object_add(o, "pcrs", pcrs);
        return o;
}

void tool_pcr_mask_text(char *out, size_t cap, uint32_t mask)
{
        size_t o = 0;

        out[0] = 0;
        for (unsigned i = 0; i < CT_PCR_COUNT; i++)
                if (mask & (1u << i)) {
                        int n = snprintf(out + o, cap - o, "%s%u", o ? " " : "", i);
                        if (n < 0 || (size_t)n >= cap - o)
                                return;
                        o += (size_t)n;
                }
        if (!o)
                snprintf(out, cap, "-");
}

json_object *tool_pcr_mask_json(uint32_t mask)
{
        json_object *a = json_object_new_array();

        for (unsigned i = 0; i < CT_PCR_COUNT; i++)
                if (mask & (1u << i))
                        json_object_array_add(a, json_object_new_int((int)i));
        return a;
}

int tool_parse_bank_mask(const char *list, uint32_t *mask, const char *option)
{
        const char *p = list ? list : "";

        if (!*p)
                return tool_usage("%s: expected a comma-separated list of banks", option);
        while (*p) {
                size_t l = strcspn(p, ",");
                char name[32];
                ct_hash_alg a;

                if (l == 0 || l >= sizeof(name))
                        return tool_usage("%s: '%s' is not a list of sha1, sha256, sha384, sha512, sm3_256", option,
                                          list);
                memcpy(name, p, l);
                name[l] = 0;
                a = ct_hash_from_name(name);
                if (a == CT_HASH_NONE)
                        return tool_usage("%s: unknown bank '%s' (sha1, sha256, sha384, sha512, sm3_256)", option,
                                          name);
                *mask |= 1u << a;
                p += l;
                if (*p == ',') {
                        p++;
                        if (!*p)
                                return tool_usage("%s: '%s' ends with a comma", option, list);
                }
        }
        return EXIT_OK;
}

bool tool_add_bank(ct_hash_alg *banks, size_t *n, const char *name, const char *option)
{
        ct_hash_alg a = ct_hash_from_name(name);

        if (a != CT_HASH_SHA1 && a != CT_HASH_SHA256 && a != CT_HASH_SHA384 && a != CT_HASH_SHA512) {
                tool_usage("%s: '%s' is not one of sha1, sha256, sha384, sha512", option, name);
                return false;
        }
        for (size_t i = 0; i < *n; i++)
                if (banks[i] == a)
                        return true;
        banks[(*n)++] = a;
        return true;
}
