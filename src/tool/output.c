/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>

#include "tool.h"

int tool_fail(const ct_error *err, const char *file)
{
        const char *msg = err && err->msg[0] ? err->msg : (err ? ct_code_name(err->code) : "unknown error");

        if (file)
                fprintf(stderr, "%s: %s: %s\n", program_name, file, msg);
        else
                fprintf(stderr, "%s: %s\n", program_name, msg);
        return err ? ct_code_exit_status(err->code) : EXIT_INTERNAL;
}

int tool_usage(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s: ", program_name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return EXIT_BAD_INPUT;
}

int tool_errorf(int status, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s: ", program_name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return status;
}

int tool_not_implemented(const char *what)
{
        fprintf(stderr, "%s: %s is not implemented yet\n", program_name, what);
        return EXIT_INTERNAL;
}

void tool_json_print(json_object *o)
{
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
        fputs(s, stdout);
        fputc('\n', stdout);
        json_object_put(o);
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
