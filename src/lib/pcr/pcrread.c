/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCR sets read from what people have at hand: tpm2_pcrread YAML (and the
 * `pcrs:` blocks of tpm2_eventlog / tpm2_quote / tpm2_checkquote), cocotrust
 * PCR-set JSON, a sysfs-style directory (pcr-<bank>/<N>), a binary event log.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <yaml.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/pcr.h>
#include <cocotrust/tcglog.h>

#include "../internal.h"

#define MAX_YAML_DEPTH 32
#define MAX_JSON_DEPTH 16

CT_EXPORT const char *ct_pcr_format_name(ct_pcr_format fmt)
{
        switch (fmt) {
        case CT_PCR_FORMAT_YAML:
                return "yaml";
        case CT_PCR_FORMAT_JSON:
                return "json";
        case CT_PCR_FORMAT_SYSFS:
                return "sysfs";
        case CT_PCR_FORMAT_EVENTLOG:
                return "eventlog";
        default:
                return "auto";
        }
}

CT_EXPORT bool ct_pcr_value_is_reset(const uint8_t *v, size_t len)
{
        bool zero = true, ff = true;

        for (size_t i = 0; i < len; i++) {
                zero &= v[i] == 0x00;
                ff &= v[i] == 0xff;
        }
        return len > 0 && (zero || ff);
}

/* Bank names accepted as keys: exactly the names tpm2-tools and cocotrust print. */
static ct_hash_alg bank_from_key(const char *s)
{
        static const char *const names[] = { "sha1", "sha256", "sha384", "sha512", "sm3_256" };

        for (size_t i = 0; i < CT_ARRAY_SIZE(names); i++)
                if (strcmp(s, names[i]) == 0)
                        return ct_hash_from_name(s);
        return CT_HASH_NONE;
}

/* "0", "11", "23": a decimal PCR index; -1 otherwise. */
static int parse_index(const char *s)
{
        int v = 0;

        if (!*s || strlen(s) > 2)
                return -1;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -1;
                v = v * 10 + (*p - '0');
        }
        return v < CT_PCR_COUNT ? v : -1;
}

/* Put hex text (optional 0x) as PCR index of bank alg. */
static ct_code put_hex(ct_pcr_set *s, ct_hash_alg alg, int index, const char *text, uint64_t offset, ct_error *err)
{
        ct_digest d;
        size_t n = 0;
        ct_error e;

        if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
                text += 2;
        if (ct_hex_decode(text, d.bytes, sizeof(d.bytes), &n, &e) != CT_OK || n != ct_hash_size(alg))
                return ct_error_set_at(err, CT_E_MALFORMED, offset,
                                       "%s PCR %d: value is not %zu bytes of hex at offset %llu", ct_hash_name(alg),
                                       index, ct_hash_size(alg), (unsigned long long)offset);
        d.alg = alg;
        d.len = n;
        return ct_pcr_set_put(s, (unsigned)index, &d, err);
}

/* ---- YAML (libyaml event parser) ---- */

struct yp {
        yaml_parser_t parser;
        yaml_event_t ev;
        bool have_ev;
        uint64_t base; /* offset of the parsed text in the file */
        size_t base_line; /* its line number - 1 */
};

/* 1-based line of byte offset off in text. */
static size_t line_of(const char *text, size_t len, size_t off)
{
        size_t line = 1;

        for (size_t i = 0; i < off && i < len; i++)
                line += text[i] == '\n';
        return line;
}

static ct_code yp_next(struct yp *y, ct_error *err)
{
        if (y->have_ev)
                yaml_event_delete(&y->ev);
        y->have_ev = false;
        if (!yaml_parser_parse(&y->parser, &y->ev))
                return ct_error_set_at(err, CT_E_MALFORMED, y->base + y->parser.problem_mark.index,
                                       "YAML: %s at line %zu column %zu",
                                       y->parser.problem ? y->parser.problem : "parse error",
                                       y->base_line + (size_t)y->parser.problem_mark.line + 1,
                                       (size_t)y->parser.problem_mark.column + 1);
        y->have_ev = true;
        return CT_OK;
}

static uint64_t yp_off(const struct yp *y)
{
        return y->base + y->ev.start_mark.index;
}

static size_t yp_line(const struct yp *y)
{
        return y->base_line + (size_t)y->ev.start_mark.line + 1;
}

/* Skip the node whose first event is current. */
static ct_code yp_skip(struct yp *y, ct_error *err)
{
        int depth = 0;
        ct_code rc;

        do {
                switch (y->ev.type) {
                case YAML_MAPPING_START_EVENT:
                case YAML_SEQUENCE_START_EVENT:
                        if (++depth > MAX_YAML_DEPTH)
                                return ct_error_set_at(err, CT_E_LIMIT, yp_off(y), "YAML nested too deeply");
                        break;
                case YAML_MAPPING_END_EVENT:
                case YAML_SEQUENCE_END_EVENT:
                        depth--;
                        break;
                case YAML_STREAM_END_EVENT:
                        return ct_error_set_at(err, CT_E_MALFORMED, yp_off(y), "YAML ended inside a node");
                default:
                        break;
                }
                if (depth == 0)
                        return CT_OK;
                rc = yp_next(y, err);
                if (rc != CT_OK)
                        return rc;
        } while (1);
}

/* Current event: MAPPING_START of a bank. */
static ct_code yp_bank(struct yp *y, ct_hash_alg alg, ct_pcr_set *s, ct_error *err)
{
        ct_code rc;

        if (ct_pcr_set_bank(s, alg, false))
                return ct_error_set_at(err, CT_E_MALFORMED, yp_off(y), "YAML: bank %s given twice (line %zu)",
                                       ct_hash_name(alg), yp_line(y));
        if (!ct_pcr_set_bank(s, alg, true))
                return ct_error_set(err, CT_E_LIMIT, "too many PCR banks");
        for (;;) {
                char key[8];
                int index;
                uint64_t at;

                rc = yp_next(y, err);
                if (rc != CT_OK)
                        return rc;
                if (y->ev.type == YAML_MAPPING_END_EVENT)
                        return CT_OK;
                at = yp_off(y);
                if (y->ev.type != YAML_SCALAR_EVENT || y->ev.data.scalar.length >= sizeof(key))
                        return ct_error_set_at(err, CT_E_MALFORMED, at, "%s: expected a PCR index at offset %llu",
                                               ct_hash_name(alg), (unsigned long long)at);
                memcpy(key, y->ev.data.scalar.value, y->ev.data.scalar.length);
                key[y->ev.data.scalar.length] = 0;
                index = parse_index(key);
                if (index < 0)
                        return ct_error_set_at(err, CT_E_MALFORMED, at, "%s: bad PCR index '%s' at line %zu",
                                               ct_hash_name(alg), key, yp_line(y));
                if (ct_pcr_set_bank(s, alg, false)->present & (1u << index))
                        return ct_error_set_at(err, CT_E_MALFORMED, at, "%s: PCR %d given twice (line %zu)",
                                               ct_hash_name(alg), index, yp_line(y));
                rc = yp_next(y, err);
                if (rc != CT_OK)
                        return rc;
                at = yp_off(y);
                if (y->ev.type != YAML_SCALAR_EVENT)
                        return ct_error_set_at(err, CT_E_MALFORMED, at,
                                               "%s PCR %d: expected a hex value at offset %llu", ct_hash_name(alg),
                                               index, (unsigned long long)at);
                rc = put_hex(s, alg, index, (const char *)y->ev.data.scalar.value, at, err);
                if (rc != CT_OK)
                        return rc;
        }
}

/* Current event: MAPPING_START. Keys that are bank names are banks; `pcrs` recurses once; others skipped. */
static ct_code yp_map(struct yp *y, ct_pcr_set *s, bool top, ct_error *err)
{
        ct_code rc;
        bool seen_pcrs = false, seen_schema = false;

        for (;;) {
                char key[16] = "";
                ct_hash_alg alg;

                rc = yp_next(y, err);
                if (rc != CT_OK)
                        return rc;
                if (y->ev.type == YAML_MAPPING_END_EVENT)
                        return CT_OK;
                if (y->ev.type == YAML_SCALAR_EVENT && y->ev.data.scalar.length < sizeof(key)) {
                        memcpy(key, y->ev.data.scalar.value, y->ev.data.scalar.length);
                        key[y->ev.data.scalar.length] = 0;
                } else {
                        rc = yp_skip(y, err); /* a complex key */
                        if (rc != CT_OK)
                                return rc;
                }
                rc = yp_next(y, err);
                if (rc != CT_OK)
                        return rc;
                alg = bank_from_key(key);
                if (alg != CT_HASH_NONE && y->ev.type == YAML_MAPPING_START_EVENT)
                        rc = yp_bank(y, alg, s, err);
                else if (top && strcmp(key, "pcrs") == 0 && y->ev.type == YAML_MAPPING_START_EVENT) {
                        if (seen_pcrs)
                                return ct_error_set_at(err, CT_E_MALFORMED, yp_off(y),
                                                       "YAML: pcrs given twice (line %zu)", yp_line(y));
                        seen_pcrs = true;
                        rc = yp_map(y, s, false, err);
                } else if (top && strcmp(key, "schema_version") == 0) {
                        if (seen_schema)
                                return ct_error_set_at(err, CT_E_MALFORMED, yp_off(y),
                                                       "YAML: schema_version given twice (line %zu)", yp_line(y));
                        seen_schema = true;
                        if (y->ev.type != YAML_SCALAR_EVENT || y->ev.data.scalar.length != 1 ||
                            y->ev.data.scalar.value[0] != '1')
                                return ct_error_set_at(err, CT_E_UNSUPPORTED, yp_off(y),
                                                       "schema_version at line %zu is not 1", yp_line(y));
                        rc = CT_OK;
                } else
                        rc = yp_skip(y, err);
                if (rc != CT_OK)
                        return rc;
        }
}

static ct_code parse_yaml(const char *text, size_t len, ct_pcr_set *ret, ct_error *err)
{
        struct yp y;
        ct_pcr_set *s;
        ct_code rc;
        size_t start = 0;

        /*
         * tpm2_eventlog prints SHA1-format logs as invalid YAML (a list without
         * its items), so when there is a top-level `pcrs:` line only that
         * block is parsed.
         */
        for (size_t i = 0; i + 5 <= len; i++) {
                if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, "pcrs:", 5) == 0) {
                        start = i;
                        break;
                }
        }
        s = calloc(1, sizeof(*s));
        if (!s)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        memset(&y, 0, sizeof(y));
        if (!yaml_parser_initialize(&y.parser)) {
                free(s);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        y.base = start;
        y.base_line = line_of(text, len, start) - 1;
        yaml_parser_set_input_string(&y.parser, (const unsigned char *)text + start, len - start);
        rc = yp_next(&y, err); /* STREAM_START */
        if (rc == CT_OK)
                rc = yp_next(&y, err);
        if (rc == CT_OK && y.ev.type == YAML_STREAM_END_EVENT) {
                rc = ct_error_set_at(err, CT_E_MALFORMED, 0, "no PCR values (empty YAML)");
        } else if (rc == CT_OK && y.ev.type == YAML_DOCUMENT_START_EVENT) {
                rc = yp_next(&y, err);
                if (rc == CT_OK && y.ev.type == YAML_MAPPING_START_EVENT)
                        rc = yp_map(&y, s, true, err);
                else if (rc == CT_OK)
                        rc = ct_error_set_at(err, CT_E_MALFORMED, yp_off(&y),
                                             "YAML: expected a mapping of PCR banks at line %zu", yp_line(&y));
                /* the end of the document, then of the stream: nothing may follow */
                if (rc == CT_OK)
                        rc = yp_next(&y, err); /* DOCUMENT_END */
                if (rc == CT_OK)
                        rc = yp_next(&y, err);
                if (rc == CT_OK && y.ev.type == YAML_DOCUMENT_START_EVENT)
                        rc = ct_error_set_at(err, CT_E_MALFORMED, yp_off(&y),
                                             "YAML: a second document at line %zu (one PCR set per file)",
                                             yp_line(&y));
                else if (rc == CT_OK && y.ev.type != YAML_STREAM_END_EVENT)
                        rc = ct_error_set_at(err, CT_E_MALFORMED, yp_off(&y), "YAML: trailing data at line %zu",
                                             yp_line(&y));
        }
        if (y.have_ev)
                yaml_event_delete(&y.ev);
        yaml_parser_delete(&y.parser);
        if (rc == CT_OK && s->n_banks == 0)
                rc = ct_error_set(err, CT_E_MALFORMED, "no PCR banks found in the YAML");
        if (rc == CT_OK)
                *ret = *s;
        free(s);
        return rc;
}

/* ---- JSON ---- */

#define JSON_DUP_MAX_KEYS 64   /* keys checked for duplicates per object (a PCR-set object has at most 24) */
#define JSON_DUP_MAX_DEPTH 3   /* root, pcrs, bank */

/*
 * json-c keeps the last of duplicate keys silently: scan the text for
 * duplicate keys in the objects that matter (depth <= 3). Keys there must
 * not use escapes (so two spellings of one key cannot hide a duplicate).
 */
static ct_code json_no_duplicates(const char *t, size_t len, ct_error *err)
{
        struct {
                bool object, want_key;
                size_t n;
                size_t key_off[JSON_DUP_MAX_KEYS], key_len[JSON_DUP_MAX_KEYS];
        } st[JSON_DUP_MAX_DEPTH + 1];
        int depth = 0; /* containers open; st[depth-1] is the innermost (tracked up to JSON_DUP_MAX_DEPTH) */

        for (size_t i = 0; i < len; i++) {
                char c = t[i];

                if (c == '"') {
                        size_t start = ++i;
                        bool esc = false;

                        while (i < len && t[i] != '"') {
                                if (t[i] == '\\') {
                                        esc = true;
                                        i++;
                                }
                                i++;
                        }
                        if (i >= len)
                                return CT_OK; /* json-c reports it */
                        if (depth >= 1 && depth <= JSON_DUP_MAX_DEPTH && st[depth - 1].object && st[depth - 1].want_key) {
                                size_t kl = i - start;
                                if (esc)
                                        return ct_error_set_at(err, CT_E_MALFORMED, start,
                                                               "JSON: escaped key at line %zu", line_of(t, len, start));
                                for (size_t k = 0; k < st[depth - 1].n; k++)
                                        if (st[depth - 1].key_len[k] == kl &&
                                            memcmp(t + st[depth - 1].key_off[k], t + start, kl) == 0)
                                                return ct_error_set_at(err, CT_E_MALFORMED, start,
                                                                       "JSON: key \"%.*s\" given twice (line %zu)",
                                                                       (int)CT_MIN(kl, 32), t + start,
                                                                       line_of(t, len, start));
                                if (st[depth - 1].n >= JSON_DUP_MAX_KEYS)
                                        return ct_error_set_at(err, CT_E_LIMIT, start,
                                                               "JSON: more than %u keys in an object (line %zu)",
                                                               JSON_DUP_MAX_KEYS, line_of(t, len, start));
                                st[depth - 1].key_off[st[depth - 1].n] = start;
                                st[depth - 1].key_len[st[depth - 1].n++] = kl;
                                st[depth - 1].want_key = false;
                        }
                } else if (c == '{' || c == '[') {
                        if (depth < JSON_DUP_MAX_DEPTH + 1 && depth <= JSON_DUP_MAX_DEPTH) {
                                st[depth].object = c == '{';
                                st[depth].want_key = c == '{';
                                st[depth].n = 0;
                        }
                        depth++;
                } else if (c == '}' || c == ']') {
                        if (depth > 0)
                                depth--;
                } else if (c == ',' && depth >= 1 && depth <= JSON_DUP_MAX_DEPTH && st[depth - 1].object) {
                        st[depth - 1].want_key = true;
                }
        }
        return CT_OK;
}

static ct_code parse_json(const char *text, size_t len, ct_pcr_set *ret, ct_error *err)
{
        json_tokener *tok;
        json_object *root, *pcrs;
        ct_pcr_set *s;
        ct_code rc = CT_OK;

        if (len > INT32_MAX)
                return ct_error_set(err, CT_E_LIMIT, "JSON too large");
        tok = json_tokener_new_ex(MAX_JSON_DEPTH);
        if (!tok)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        root = json_tokener_parse_ex(tok, text, (int)len);
        if (!root || json_tokener_get_error(tok) != json_tokener_success) {
                enum json_tokener_error je = json_tokener_get_error(tok);
                rc = ct_error_set_at(err, CT_E_MALFORMED, json_tokener_get_parse_end(tok),
                                     "JSON: %s at line %zu (offset %zu)",
                                     je == json_tokener_continue || je == json_tokener_success
                                             ? "unexpected end of input"
                                             : json_tokener_error_desc(je),
                                     line_of(text, len, json_tokener_get_parse_end(tok)),
                                     json_tokener_get_parse_end(tok));
                json_object_put(root);
                json_tokener_free(tok);
                return rc;
        }
        {
                size_t end = json_tokener_get_parse_end(tok);
                while (end < len && (text[end] == ' ' || text[end] == '\t' || text[end] == '\n' || text[end] == '\r'))
                        end++;
                json_tokener_free(tok);
                if (end < len) {
                        json_object_put(root);
                        return ct_error_set_at(err, CT_E_MALFORMED, end, "JSON: trailing data at line %zu",
                                               line_of(text, len, end));
                }
        }
        rc = json_no_duplicates(text, len, err);
        if (rc != CT_OK) {
                json_object_put(root);
                return rc;
        }
        s = calloc(1, sizeof(*s));
        if (!s) {
                json_object_put(root);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        {
                json_object *sv;
                if (json_object_is_type(root, json_type_object) &&
                    json_object_object_get_ex(root, "schema_version", &sv) &&
                    (!json_object_is_type(sv, json_type_int) || json_object_get_int64(sv) != 1)) {
                        rc = ct_error_set(err, CT_E_UNSUPPORTED, "JSON: schema_version %s is not 1",
                                          json_object_to_json_string(sv));
                        goto out;
                }
        }
        if (!json_object_is_type(root, json_type_object) || !json_object_object_get_ex(root, "pcrs", &pcrs) ||
            !json_object_is_type(pcrs, json_type_object)) {
                rc = ct_error_set(err, CT_E_MALFORMED, "JSON: expected an object with a \"pcrs\" object");
                goto out;
        }
        json_object_object_foreach(pcrs, bank, jb)
        {
                ct_hash_alg alg = bank_from_key(bank);

                if (alg == CT_HASH_NONE) {
                        rc = ct_error_set(err, CT_E_UNSUPPORTED, "JSON: unknown PCR bank \"%s\"", bank);
                        goto out;
                }
                if (!json_object_is_type(jb, json_type_object)) {
                        rc = ct_error_set(err, CT_E_MALFORMED, "JSON: bank \"%s\" is not an object", bank);
                        goto out;
                }
                if (!ct_pcr_set_bank(s, alg, true)) {
                        rc = ct_error_set(err, CT_E_LIMIT, "too many PCR banks");
                        goto out;
                }
                json_object_object_foreach(jb, idx, jv)
                {
                        int index = parse_index(idx);

                        if (index < 0 || !json_object_is_type(jv, json_type_string)) {
                                rc = ct_error_set(err, CT_E_MALFORMED, "JSON: %s: bad entry \"%s\"", bank, idx);
                                goto out;
                        }
                        rc = put_hex(s, alg, index, json_object_get_string(jv), 0, err);
                        if (rc != CT_OK) {
                                if (err)
                                        err->has_offset = false;
                                goto out;
                        }
                }
        }
        if (s->n_banks == 0) {
                rc = ct_error_set(err, CT_E_MALFORMED, "JSON: no PCR banks");
                goto out;
        }
        *ret = *s;
out:
        free(s);
        json_object_put(root);
        return rc;
}

CT_EXPORT ct_code ct_pcr_set_parse_text(const char *text, size_t len, ct_pcr_format fmt, ct_pcr_set *ret,
                                        ct_error *err)
{
        if (len > CT_PCR_MAX_FILE_SIZE)
                return ct_error_set(err, CT_E_LIMIT, "PCR file of %zu bytes exceeds the limit of %u", len,
                                    CT_PCR_MAX_FILE_SIZE);
        if (!text || len == 0)
                return ct_error_set_at(err, CT_E_MALFORMED, 0, "empty PCR file");
        if (memchr(text, 0, len))
                return ct_error_set_at(err, CT_E_MALFORMED, (const char *)memchr(text, 0, len) - text,
                                       "NUL byte in a PCR text file");
        if (fmt == CT_PCR_FORMAT_AUTO) {
                size_t i = 0;
                while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
                        i++;
                fmt = i < len && text[i] == '{' ? CT_PCR_FORMAT_JSON : CT_PCR_FORMAT_YAML;
        }
        if (fmt == CT_PCR_FORMAT_JSON)
                return parse_json(text, len, ret, err);
        if (fmt == CT_PCR_FORMAT_YAML)
                return parse_yaml(text, len, ret, err);
        return ct_error_set(err, CT_E_ARG, "format %s is not a text format", ct_pcr_format_name(fmt));
}

/* ---- sysfs directory ---- */

/* Read one pcr-<bank>/<N> file: hex (either case), optional trailing newline. */
static ct_code read_sysfs_value(int dfd, const char *name, ct_hash_alg alg, int index, ct_pcr_set *s, ct_error *err)
{
        char buf[2 * CT_HASH_MAX_SIZE + 8];
        size_t n = 0;
        int fd;

        /* only regular files: a FIFO or device planted in the tree is refused, never opened blocking */
        if (ct_input_openat(dfd, name, CT_INPUT_REGULAR_ONLY, &fd, NULL, NULL, err) != CT_OK) {
                ct_error_prefix(err, "pcr-%s/%s", ct_hash_name(alg), name);
                return err ? err->code : CT_E_INPUT;
        }
        for (;;) {
                ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        int e = errno;
                        close(fd);
                        return ct_error_set_errno(err, e, "pcr-%s/%s", ct_hash_name(alg), name);
                }
                if (r == 0)
                        break;
                n += (size_t)r;
                if (n == sizeof(buf) - 1) {
                        close(fd);
                        return ct_error_set(err, CT_E_MALFORMED, "pcr-%s/%s: longer than a %s value",
                                            ct_hash_name(alg), name, ct_hash_name(alg));
                }
        }
        close(fd);
        buf[n] = 0;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
                buf[--n] = 0;
        if (put_hex(s, alg, index, buf, 0, err) != CT_OK) {
                if (err) {
                        err->has_offset = false;
                        ct_error_set(err, CT_E_MALFORMED, "pcr-%s/%s: not %zu bytes of hex", ct_hash_name(alg),
                                     name, ct_hash_size(alg));
                }
                return CT_E_MALFORMED;
        }
        return CT_OK;
}

static ct_code read_bank_dir(int dfd, ct_hash_alg alg, ct_pcr_set *s, ct_error *err)
{
        DIR *d = fdopendir(dfd);
        struct dirent *de;
        ct_code rc = CT_OK;

        if (!d) {
                close(dfd);
                return ct_error_set_errno(err, errno, "pcr-%s", ct_hash_name(alg));
        }
        if (!ct_pcr_set_bank(s, alg, true)) {
                closedir(d);
                return ct_error_set(err, CT_E_LIMIT, "too many PCR banks");
        }
        while ((de = readdir(d))) {
                int index = parse_index(de->d_name);
                if (index < 0)
                        continue;
                rc = read_sysfs_value(dirfd(d), de->d_name, alg, index, s, err);
                if (rc != CT_OK)
                        break;
        }
        closedir(d);
        return rc;
}

static ct_code read_sysfs(const char *path, ct_pcr_set *ret, ct_error *err)
{
        const char *base = strrchr(path, '/');
        ct_pcr_set *s;
        ct_code rc = CT_OK;
        char name[32];
        size_t blen;

        s = calloc(1, sizeof(*s));
        if (!s)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        base = base ? base + 1 : path;
        blen = strlen(base);
        while (blen > 0 && base[blen - 1] == '/')
                blen--;
        /* The directory itself may be one bank: .../pcr-sha256 */
        if (blen > 4 && blen < sizeof(name) && strncmp(base, "pcr-", 4) == 0) {
                memcpy(name, base + 4, blen - 4);
                name[blen - 4] = 0;
                if (bank_from_key(name) != CT_HASH_NONE) {
                        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (fd < 0)
                                rc = ct_error_set_errno(err, errno, "cannot open directory");
                        else
                                rc = read_bank_dir(fd, bank_from_key(name), s, err);
                        goto out;
                }
        }
        /* Otherwise its pcr-<bank> subdirectories, in bank order. */
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX && rc == CT_OK; a++) {
                char sub[4096];
                int fd;

                snprintf(sub, sizeof(sub), "%s/pcr-%s", path, ct_hash_name((ct_hash_alg)a));
                fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT)
                                continue;
                        rc = ct_error_set_errno(err, errno, "pcr-%s", ct_hash_name((ct_hash_alg)a));
                        break;
                }
                rc = read_bank_dir(fd, (ct_hash_alg)a, s, err);
        }
        if (rc == CT_OK && s->n_banks == 0)
                rc = ct_error_set(err, CT_E_MALFORMED, "no pcr-<bank>/ subdirectories (sysfs layout)");
out:
        if (rc == CT_OK)
                *ret = *s;
        free(s);
        return rc;
}

/* ---- any path ---- */

static bool looks_binary(const uint8_t *p, size_t n)
{
        return memchr(p, 0, n < 64 ? n : 64) != NULL;
}

CT_EXPORT ct_code ct_pcr_set_load(const char *path, ct_pcr_format fmt, ct_pcr_set *ret, ct_pcr_format *ret_fmt,
                                  ct_error *err)
{
        struct stat st;
        ct_blob blob = { 0 };
        ct_code rc;

        if (strcmp(path, "-") == 0)
                memset(&st, 0, sizeof(st)); /* standard input: a stream, never a directory */
        else if (stat(path, &st) < 0)
                return ct_error_set_open(err, errno, path, "cannot open");
        if (fmt == CT_PCR_FORMAT_SYSFS || (fmt == CT_PCR_FORMAT_AUTO && S_ISDIR(st.st_mode))) {
                rc = read_sysfs(path, ret, err);
                if (rc != CT_OK)
                        ct_error_default_input(err, path);
                if (rc == CT_OK && ret_fmt)
                        *ret_fmt = CT_PCR_FORMAT_SYSFS;
                return rc;
        }
        rc = ct_blob_read(path, fmt == CT_PCR_FORMAT_EVENTLOG || fmt == CT_PCR_FORMAT_AUTO ? CT_TCG_MAX_LOG_SIZE
                                                                                           : CT_PCR_MAX_FILE_SIZE,
                          &blob, err);
        if (rc != CT_OK)
                return rc;
        if (fmt == CT_PCR_FORMAT_AUTO)
                fmt = blob.len && looks_binary(blob.data, blob.len) ? CT_PCR_FORMAT_EVENTLOG : CT_PCR_FORMAT_AUTO;
        if (fmt == CT_PCR_FORMAT_EVENTLOG) {
                ct_tpm_replay *r = calloc(1, sizeof(*r));
                if (!r) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                } else {
                        rc = ct_tpm_replay_log(blob.data, blob.len, 0, r, err);
                        if (rc == CT_OK)
                                *ret = r->pcrs;
                        free(r);
                }
        } else {
                rc = ct_pcr_set_parse_text((const char *)blob.data, blob.len, fmt, ret, err);
                if (rc == CT_OK && fmt == CT_PCR_FORMAT_AUTO) {
                        size_t i = 0;
                        while (i < blob.len && (blob.data[i] == ' ' || blob.data[i] == '\n' || blob.data[i] == '\t' ||
                                                blob.data[i] == '\r'))
                                i++;
                        fmt = i < blob.len && blob.data[i] == '{' ? CT_PCR_FORMAT_JSON : CT_PCR_FORMAT_YAML;
                }
        }
        ct_blob_free(&blob);
        if (rc == CT_OK && ret_fmt)
                *ret_fmt = fmt;
        return rc;
}

/* ---- compare ---- */

CT_EXPORT ct_code ct_pcr_compare_sets(const ct_pcr_set *ref, const ct_pcr_set *const *others, size_t n_others,
                                      ct_pcr_compare *ret, ct_error *err)
{
        ct_pcr_compare c;

        if (!ref || !others || n_others == 0)
                return ct_error_set(err, CT_E_ARG, "need a reference and at least one other PCR set");
        memset(&c, 0, sizeof(c));
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX; a++) {
                const ct_pcr_bank *rb = ct_pcr_set_bank_const(ref, (ct_hash_alg)a);
                const ct_pcr_bank *ob[64];
                ct_pcr_compare_bank *cb;
                size_t size = ct_hash_size((ct_hash_alg)a);
                bool all = rb != NULL;

                if (n_others > CT_ARRAY_SIZE(ob))
                        return ct_error_set(err, CT_E_LIMIT, "at most %zu sets can be compared",
                                            CT_ARRAY_SIZE(ob) + 1);
                for (size_t k = 0; k < n_others && all; k++) {
                        ob[k] = ct_pcr_set_bank_const(others[k], (ct_hash_alg)a);
                        all = ob[k] != NULL;
                }
                if (!all)
                        continue;
                cb = &c.banks[c.n_banks++];
                cb->alg = (ct_hash_alg)a;
                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                        uint32_t bit = 1u << i;
                        bool in_all = (rb->present & bit) != 0, in_some = false, equal = true;

                        for (size_t k = 0; k < n_others; k++) {
                                bool has = (ob[k]->present & bit) != 0;
                                in_all &= has;
                                in_some |= has;
                        }
                        if (!in_all) {
                                if (rb->present & bit)
                                        cb->only_in_ref |= bit;
                                else if (in_some)
                                        cb->only_in_other |= bit;
                                continue;
                        }
                        for (size_t k = 0; k < n_others; k++)
                                equal &= memcmp(rb->values[i], ob[k]->values[i], size) == 0;
                        if (!equal)
                                cb->different |= bit;
                        else if (ct_pcr_value_is_reset(rb->values[i], size))
                                cb->unused |= bit;
                        else
                                cb->common |= bit;
                }
        }
        *ret = c;
        return CT_OK;
}
