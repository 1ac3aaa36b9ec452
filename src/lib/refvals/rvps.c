/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trustee RVPS `sample` message from a cocotrust manifest, and the lint of a
 * message (or manifest) against the names, shapes and types a policy reads.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <cocotrust/codec.h>
#include <cocotrust/manifest.h>
#include <cocotrust/reader.h>
#include <cocotrust/rvps.h>

#include "../internal.h"
#include "rvps-internal.h"

#define JSON_DEPTH 64

ct_code ct_rv_json_parse(const char *text, size_t len, const char *what, json_object **ret, ct_error *err)
{
        json_tokener *tok;
        json_object *o;
        enum json_tokener_error jerr;

        if (len > CT_MAX_RVPS_MESSAGE)
                return ct_error_set(err, CT_E_LIMIT, "%s larger than %u bytes", what, CT_MAX_RVPS_MESSAGE);
        if (len > INT32_MAX)
                return ct_error_set(err, CT_E_LIMIT, "%s too large", what);
        tok = json_tokener_new_ex(JSON_DEPTH);
        if (!tok)
                return ct_error_set(err, CT_E_NOMEM, "json tokener");
        o = json_tokener_parse_ex(tok, text, (int)len);
        jerr = json_tokener_get_error(tok);
        if (jerr == json_tokener_continue || (!o && jerr == json_tokener_success)) {
                json_tokener_free(tok);
                json_object_put(o);
                return ct_error_set_at(err, CT_E_TRUNCATED, len, "%s: JSON ends early", what);
        }
        if (jerr != json_tokener_success) {
                size_t at = json_tokener_get_parse_end(tok);
                json_tokener_free(tok);
                return ct_error_set_at(err, CT_E_MALFORMED, at, "%s: %s", what, json_tokener_error_desc(jerr));
        }
        {
                size_t end = json_tokener_get_parse_end(tok);
                while (end < len && isspace((unsigned char)text[end]))
                        end++;
                json_tokener_free(tok);
                if (end < len) {
                        json_object_put(o);
                        return ct_error_set_at(err, CT_E_MALFORMED, end, "%s: text after the JSON value", what);
                }
        }
        *ret = o;
        return CT_OK;
}

/* ---- export ---- */

struct entry_build {
        char name[CT_MAX_RV_NAME];
        json_object *values; /* array */
        bool scalar;
        char source[96];
};

struct ct_rvps_export {
        size_t n;
        ct_rvps_entry *entries;
        char *payload;
        char *message;
};

struct builder {
        struct entry_build e[32];
        size_t n;
};

static struct entry_build *entry(struct builder *b, const char *name, bool scalar, const char *source)
{
        for (size_t i = 0; i < b->n; i++)
                if (strcmp(b->e[i].name, name) == 0)
                        return &b->e[i];
        if (b->n >= CT_ARRAY_SIZE(b->e))
                return NULL;
        struct entry_build *e = &b->e[b->n++];
        snprintf(e->name, sizeof(e->name), "%s", name);
        snprintf(e->source, sizeof(e->source), "%s", source);
        e->values = json_object_new_array();
        e->scalar = scalar;
        return e;
}

static bool array_has(json_object *arr, json_object *v)
{
        size_t n = json_object_array_length(arr);
        for (size_t i = 0; i < n; i++)
                if (json_object_equal(json_object_array_get_idx(arr, i), v))
                        return true;
        return false;
}

/* Add v (consumed) to name's list unless present. */
static ct_code add_value(struct builder *b, const char *name, bool scalar, const char *source, json_object *v,
                         ct_error *err)
{
        struct entry_build *e = entry(b, name, scalar, source);

        if (!e || !e->values) {
                json_object_put(v);
                return ct_error_set(err, CT_E_NOMEM, "export table");
        }
        if (array_has(e->values, v)) {
                json_object_put(v);
                return CT_OK;
        }
        if (json_object_array_length(e->values) >= CT_MAX_RVPS_VALUES) {
                json_object_put(v);
                return ct_error_set(err, CT_E_LIMIT, "%s: more than %u values", name, CT_MAX_RVPS_VALUES);
        }
        json_object_array_add(e->values, v);
        return CT_OK;
}

static ct_code add_hex_bytes(struct builder *b, const char *name, bool scalar, const uint8_t *v, size_t n,
                             const char *field, ct_error *err)
{
        char hex[2 * CT_HASH_MAX_SIZE + 1];
        struct entry_build *e;

        if (n > CT_HASH_MAX_SIZE)
                return ct_error_set(err, CT_E_ARG, "%s: digest too long", field);
        ct_hex_encode(v, n, hex);
        if (!scalar)
                return add_value(b, name, false, field, json_object_new_string(hex), err);
        e = entry(b, name, true, field);
        if (!e || !e->values)
                return ct_error_set(err, CT_E_NOMEM, "export table");
        if (json_object_array_length(e->values) > 0) {
                if (strcmp(json_object_get_string(json_object_array_get_idx(e->values, 0)), hex) != 0)
                        return ct_error_set(err, CT_E_UNSUPPORTED,
                                            "%s differs from %s: Trustee's policy compares %s with == so only one "
                                            "value can be registered; export one image variant per RVPS",
                                            field, e->source, name);
                return CT_OK;
        }
        json_object_array_add(e->values, json_object_new_string(hex));
        return CT_OK;
}

static ct_code export_snp(struct builder *b, const ct_manifest *m, ct_error *err)
{
        char field[64];
        ct_code rc;

        for (size_t i = 0; i < m->n_snp; i++) {
                const ct_manifest_snp_row *row = &m->snp[i];
                snprintf(field, sizeof(field), "snp[%zu].measurement", i);
                if (row->measurement_len != 48)
                        continue; /* SEV / SEV-ES digests: no SNP report carries them */
                if ((rc = add_hex_bytes(b, "snp_launch_measurement", false, row->measurement, 48, field, err)) != CT_OK)
                        return rc;
        }
        return CT_OK;
}

static ct_code export_snp_tcb(struct builder *b, const ct_rvps_export_opts *opts, ct_error *err)
{
        char field[64];
        ct_code rc;

        for (size_t i = 0; opts && i < opts->n_snp_tcb; i++) {
                const ct_rvps_snp_tcb *t = &opts->snp_tcb[i];
                static const char *const names[] = { "snp_bootloader", "snp_tee_svn", "snp_snp_svn", "snp_microcode" };
                const uint8_t v[] = { t->bootloader, t->tee, t->snp, t->microcode };
                snprintf(field, sizeof(field), "--snp-tcb %zu", i + 1);
                for (size_t k = 0; k < 4; k++)
                        if ((rc = add_value(b, names[k], false, field, json_object_new_int(v[k]), err)) != CT_OK)
                                return rc;
        }
        return CT_OK;
}

static ct_code export_tdx(struct builder *b, const ct_manifest *m, ct_error *err)
{
        char field[64];
        ct_code rc;

        for (size_t i = 0; i < m->n_tdx; i++) {
                const ct_manifest_tdx_row *row = &m->tdx[i];
                snprintf(field, sizeof(field), "tdx[%zu].mrtd", i);
                if ((rc = add_hex_bytes(b, "mr_td", false, row->mrtd, 48, field, err)) != CT_OK)
                        return rc;
                for (unsigned r = 1; r <= 2; r++) {
                        char name[16];
                        if (!row->has_rtmr[r])
                                continue;
                        snprintf(name, sizeof(name), "rtmr_%u", r);
                        snprintf(field, sizeof(field), "tdx[%zu].rtmr[%u]", i, r);
                        if ((rc = add_hex_bytes(b, name, false, row->rtmr[r], 48, field, err)) != CT_OK)
                                return rc;
                }
                if (row->has_xfam) {
                        uint8_t le[8];
                        ct_put_le64(le, row->xfam);
                        snprintf(field, sizeof(field), "tdx[%zu].xfam", i);
                        if ((rc = add_hex_bytes(b, "xfam", false, le, 8, field, err)) != CT_OK)
                                return rc;
                }
                snprintf(field, sizeof(field), "tdx[%zu].tdvfkernel", i);
                if (row->has_tdvfkernel &&
                    (rc = add_hex_bytes(b, "tdvfkernel", true, row->tdvfkernel, 48, field, err)) != CT_OK)
                        return rc;
                snprintf(field, sizeof(field), "tdx[%zu].tdvfkernelparams", i);
                if (row->has_tdvfkernelparams &&
                    (rc = add_hex_bytes(b, "tdvfkernelparams", true, row->tdvfkernelparams, 48, field, err)) != CT_OK)
                        return rc;
        }
        return CT_OK;
}

/* PCR 11 (SHA-256) of the predicted and of the captured PCRs. */
static ct_code export_pcrs(struct builder *b, const ct_manifest_pcr *p, size_t n, const char *key,
                           const ct_rvps_export_opts *opts, ct_error *err)
{
        char field[64];
        ct_code rc;

        for (size_t i = 0; i < n; i++) {
                if (p[i].bank != CT_HASH_SHA256 || p[i].index != 11)
                        continue;
                snprintf(field, sizeof(field), "%s.sha256.11", key);
                if ((rc = add_hex_bytes(b, "tpm_pcr11", false, p[i].value.bytes, 32, field, err)) != CT_OK)
                        return rc;
                if (opts && opts->azure &&
                    ((rc = add_hex_bytes(b, "snp_pcr11", false, p[i].value.bytes, 32, field, err)) != CT_OK ||
                     (rc = add_hex_bytes(b, "tdx_pcr11", false, p[i].value.bytes, 32, field, err)) != CT_OK))
                        return rc;
        }
        return CT_OK;
}

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const ct_rvps_entry *)a)->name, ((const ct_rvps_entry *)b)->name);
}

CT_EXPORT ct_code ct_rvps_export_from(const ct_manifest *m, const ct_rvps_export_opts *opts, ct_rvps_export **ret,
                                      ct_error *err)
{
        struct builder b = { .n = 0 };
        ct_rvps_export *e = NULL;
        json_object *payload = NULL, *msg = NULL;
        ct_code rc;

        if (!m || !ret)
                return ct_error_set(err, CT_E_ARG, "ct_rvps_export_from: NULL argument");
        if ((rc = export_snp(&b, m, err)) != CT_OK || (rc = export_snp_tcb(&b, opts, err)) != CT_OK ||
            (rc = export_tdx(&b, m, err)) != CT_OK ||
            (rc = export_pcrs(&b, m->pcrs, m->n_pcrs, "pcrs", opts, err)) != CT_OK ||
            (rc = export_pcrs(&b, m->pcr_variants, m->n_pcr_variants, "pcr_variants", opts, err)) != CT_OK ||
            (rc = export_pcrs(&b, m->captured_pcrs, m->n_captured_pcrs, "captured_pcrs", opts, err)) != CT_OK)
                goto out;
        if (b.n == 0) {
                rc = ct_error_set(err, CT_E_MALFORMED,
                                  "manifest: no reference value Trustee reads (snp, tdx, PCR 11 in pcrs / captured_pcrs)");
                goto out;
        }
        e = calloc(1, sizeof(*e));
        if (!e || !(e->entries = calloc(b.n, sizeof(*e->entries)))) {
                rc = ct_error_set(err, CT_E_NOMEM, "export");
                goto out;
        }
        for (size_t i = 0; i < b.n; i++) {
                ct_rvps_entry *d = &e->entries[e->n];
                json_object *val = b.e[i].scalar ? json_object_array_get_idx(b.e[i].values, 0) : b.e[i].values;
                const char *txt = json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
                memcpy(d->name, b.e[i].name, sizeof(d->name));
                memcpy(d->source, b.e[i].source, sizeof(d->source));
                d->list = !b.e[i].scalar;
                d->n_values = json_object_array_length(b.e[i].values);
                d->value_json = strdup(txt);
                if (!d->value_json) {
                        rc = ct_error_set(err, CT_E_NOMEM, "export");
                        goto out;
                }
                e->n++;
        }
        qsort(e->entries, e->n, sizeof(*e->entries), cmp_entry);
        payload = json_object_new_object();
        for (size_t i = 0; i < e->n; i++)
                for (size_t k = 0; k < b.n; k++)
                        if (strcmp(b.e[k].name, e->entries[i].name) == 0)
                                json_object_object_add(payload, b.e[k].name,
                                                       json_object_get(b.e[k].scalar ? json_object_array_get_idx(b.e[k].values, 0)
                                                                                     : b.e[k].values));
        {
                const char *p = json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN |
                                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
                size_t pl = strlen(p);
                char *b64 = malloc(4 * ((pl + 2) / 3) + 1);
                const char *mt;

                e->payload = strdup(p);
                if (!b64 || !e->payload) {
                        free(b64);
                        rc = ct_error_set(err, CT_E_NOMEM, "export");
                        goto out;
                }
                ct_base64_encode(p, pl, b64);
                msg = json_object_new_object();
                json_object_object_add(msg, "version", json_object_new_string("0.1.0"));
                json_object_object_add(msg, "type", json_object_new_string("sample"));
                json_object_object_add(msg, "payload", json_object_new_string(b64));
                free(b64);
                mt = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
                e->message = strdup(mt);
                if (!e->message) {
                        rc = ct_error_set(err, CT_E_NOMEM, "export");
                        goto out;
                }
        }
        *ret = e;
        e = NULL;
        rc = CT_OK;
out:
        for (size_t i = 0; i < b.n; i++)
                json_object_put(b.e[i].values);
        json_object_put(payload);
        json_object_put(msg);
        ct_rvps_export_free(e);
        return rc;
}

CT_EXPORT ct_code ct_rvps_export_manifest(const char *json, size_t len, const ct_rvps_export_opts *opts,
                                          ct_rvps_export **ret, ct_error *err)
{
        ct_manifest *m = NULL;
        ct_code rc;

        if (!ret || (!json && len))
                return ct_error_set(err, CT_E_ARG, "ct_rvps_export_manifest: NULL argument");
        rc = ct_manifest_parse((const uint8_t *)json, len, &m, err);
        if (rc != CT_OK)
                return rc;
        rc = ct_rvps_export_from(m, opts, ret, err);
        ct_manifest_free(m);
        return rc;
}

CT_EXPORT void ct_rvps_export_free(ct_rvps_export *e)
{
        if (!e)
                return;
        for (size_t i = 0; i < e->n; i++)
                free(e->entries[i].value_json);
        free(e->entries);
        free(e->payload);
        free(e->message);
        free(e);
}

CT_EXPORT size_t ct_rvps_export_count(const ct_rvps_export *e) { return e ? e->n : 0; }

CT_EXPORT const ct_rvps_entry *ct_rvps_export_entry(const ct_rvps_export *e, size_t i)
{
        return e && i < e->n ? &e->entries[i] : NULL;
}

CT_EXPORT const char *ct_rvps_export_payload(const ct_rvps_export *e) { return e ? e->payload : NULL; }
CT_EXPORT const char *ct_rvps_export_message(const ct_rvps_export *e) { return e ? e->message : NULL; }

/* ---- lint ---- */

static json_object *get(json_object *o, const char *key)
{
        json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object))
                return NULL;
        return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

struct ct_lint_result {
        ct_lint_input input;
        size_t n, cap;
        ct_lint_finding *f;
};

static ct_lint_finding *add_finding(ct_lint_result *r, ct_lint_level level, const char *name, const ct_rv_ref *ref)
{
        ct_lint_finding *f;

        if (r->n == r->cap) {
                size_t nc = r->cap ? r->cap * 2 : 16;
                ct_lint_finding *q;
                if (nc > CT_MAX_REGO_REFS + CT_MAX_RVPS_VALUES)
                        return NULL;
                q = realloc(r->f, nc * sizeof(*q));
                if (!q)
                        return NULL;
                r->f = q;
                r->cap = nc;
        }
        f = &r->f[r->n++];
        memset(f, 0, sizeof(*f));
        f->level = level;
        snprintf(f->name, sizeof(f->name), "%s", name);
        f->ref = ref;
        return f;
}

static const char *json_kind(json_object *v)
{
        switch (json_object_get_type(v)) {
        case json_type_null: return "null";
        case json_type_boolean: return "a boolean";
        case json_type_double: return "a number";
        case json_type_int: return "an integer";
        case json_type_object: return "an object";
        case json_type_array: return "a list";
        case json_type_string: return "a string";
        }
        return "?";
}

/* NULL when v has type t, else why not (static or in buf). */
static const char *type_problem(json_object *v, ct_rv_type t, char *buf, size_t cap)
{
        const char *s;
        size_t want = 0, len;

        switch (t) {
        case CT_RV_TYPE_ANY:
                return NULL;
        case CT_RV_TYPE_INTEGER:
                if (json_object_is_type(v, json_type_int))
                        return NULL;
                if (json_object_is_type(v, json_type_string)) {
                        snprintf(buf, cap, "the string \"%.40s\" where the claim is a JSON integer (kbs-client "
                                 "stores strings unless --as-integer)", json_object_get_string(v));
                        return buf;
                }
                snprintf(buf, cap, "%s where the claim is an integer", json_kind(v));
                return buf;
        case CT_RV_TYPE_NUMBER:
                if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
                        return NULL;
                snprintf(buf, cap, "%s where the claim is a number", json_kind(v));
                return buf;
        case CT_RV_TYPE_BOOLEAN:
                if (json_object_is_type(v, json_type_boolean))
                        return NULL;
                snprintf(buf, cap, "%s where the claim is a boolean (true/false, unquoted)", json_kind(v));
                return buf;
        case CT_RV_TYPE_STRING:
                if (json_object_is_type(v, json_type_string))
                        return NULL;
                snprintf(buf, cap, "%s where the claim is a string", json_kind(v));
                return buf;
        case CT_RV_TYPE_B64: {
                uint8_t tmp[4096];
                size_t n;
                if (!json_object_is_type(v, json_type_string)) {
                        snprintf(buf, cap, "%s where the claim is base64 text", json_kind(v));
                        return buf;
                }
                if (ct_base64_decode(json_object_get_string(v), tmp, sizeof(tmp), &n, NULL) != CT_OK) {
                        snprintf(buf, cap, "not base64 (the claim is the base64 DER SubjectPublicKeyInfo)");
                        return buf;
                }
                return NULL;
        }
        case CT_RV_TYPE_HEX96: want = 96; break;
        case CT_RV_TYPE_HEX64: want = 64; break;
        case CT_RV_TYPE_HEX16: want = 16; break;
        }
        if (!json_object_is_type(v, json_type_string)) {
                snprintf(buf, cap, "%s where the claim is a %zu-digit hex string", json_kind(v), want);
                return buf;
        }
        s = json_object_get_string(v);
        len = strlen(s);
        if (s[0] == '0' && s[1] == 'x') {
                snprintf(buf, cap, "hex with a 0x prefix; the claim has none");
                return buf;
        }
        for (size_t i = 0; i < len; i++) {
                if (!isxdigit((unsigned char)s[i])) {
                        snprintf(buf, cap, "'%c' at position %zu is not a hex digit", s[i], i);
                        return buf;
                }
                if (isupper((unsigned char)s[i])) {
                        snprintf(buf, cap, "upper-case hex; the claim is lower-case and compared as a string");
                        return buf;
                }
        }
        if (len != want) {
                if (t == CT_RV_TYPE_HEX16 && len == 18)
                        snprintf(buf, cap, "%zu hex digits; xfam is the 8 stored bytes (16 digits)", len);
                else
                        snprintf(buf, cap, "%zu hex digits, the claim has %zu", len, want);
                return buf;
        }
        return NULL;
}

static void consequence(char *out, size_t cap, const ct_rv_ref *ref)
{
        if (ref->default_value > -1000)
                snprintf(out, cap, "the rule is false without any error and %s stays at its default %d (%s)",
                         ref->trust_claim, ref->default_value, ct_ear_tier_name(ref->default_value));
        else
                snprintf(out, cap, "the rule is false without any error and %s is not set by it",
                         ref->trust_claim[0] ? ref->trust_claim : "its rule");
}

static size_t lev(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), prev[CT_MAX_RV_NAME + 1], cur[CT_MAX_RV_NAME + 1];

        if (la > CT_MAX_RV_NAME || lb > CT_MAX_RV_NAME)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t c = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        if (prev[j] + 1 < c)
                                c = prev[j] + 1;
                        if (cur[j - 1] + 1 < c)
                                c = cur[j - 1] + 1;
                        cur[j] = c;
                }
                memcpy(prev, cur, (lb + 1) * sizeof(size_t));
        }
        return prev[lb];
}

static ct_code lint_entry(ct_lint_result *r, const char *name, json_object *v, const ct_rv_ref *refs, size_t n_refs)
{
        const ct_rv_ref *first = NULL, *commented = NULL;
        bool bad = false;
        char why[200], cons[200];
        ct_lint_finding *f;

        for (size_t i = 0; i < n_refs; i++) {
                const ct_rv_ref *ref = &refs[i];
                if (strcmp(ref->name, name) != 0)
                        continue;
                if (ref->commented_out) {
                        commented = commented ? commented : ref;
                        continue;
                }
                first = first ? first : ref;
                if (ref->op == CT_RV_OP_UNKNOWN)
                        continue;
                consequence(cons, sizeof(cons), ref);
                if (ref->op == CT_RV_OP_IN) {
                        if (!json_object_is_type(v, json_type_array)) {
                                if (!(f = add_finding(r, CT_LINT_ERROR, name, ref)))
                                        return CT_E_NOMEM;
                                snprintf(f->message, sizeof(f->message),
                                         "%s, but line %u tests `%s in query_reference_value(\"%s\")`: the value "
                                         "must be a JSON list; %s",
                                         json_kind(v), ref->line, ref->claim, name, cons);
                                bad = true;
                                break;
                        }
                        if (json_object_array_length(v) == 0) {
                                if (!(f = add_finding(r, CT_LINT_WARN, name, ref)))
                                        return CT_E_NOMEM;
                                snprintf(f->message, sizeof(f->message),
                                         "an empty list: nothing can match line %u; %s", ref->line, cons);
                                bad = true;
                                break;
                        }
                        for (size_t k = 0; k < json_object_array_length(v); k++) {
                                const char *p = type_problem(json_object_array_get_idx(v, k), ref->type, why,
                                                             sizeof(why));
                                if (p) {
                                        if (!(f = add_finding(r, CT_LINT_ERROR, name, ref)))
                                                return CT_E_NOMEM;
                                        snprintf(f->message, sizeof(f->message),
                                                 "element %zu is %s; line %u compares it with %s; no claim can "
                                                 "equal it, so %s", k, p, ref->line, ref->claim, cons);
                                        bad = true;
                                        break;
                                }
                        }
                        if (bad)
                                break;
                } else {
                        const char *p;
                        if (json_object_is_type(v, json_type_array) || json_object_is_type(v, json_type_object)) {
                                if (!(f = add_finding(r, CT_LINT_ERROR, name, ref)))
                                        return CT_E_NOMEM;
                                snprintf(f->message, sizeof(f->message),
                                         "%s, but line %u tests `%s %s query_reference_value(\"%s\")`: the value "
                                         "must be a bare %s (e.g. --as-single-value in kbs-client); %s",
                                         json_kind(v), ref->line, ref->claim, ct_rv_op_name(ref->op), name,
                                         ct_rv_type_name(ref->type), cons);
                                bad = true;
                                break;
                        }
                        p = type_problem(v, ref->op == CT_RV_OP_EQ || ref->op == CT_RV_OP_NE ? ref->type
                                                                                            : CT_RV_TYPE_NUMBER,
                                         why, sizeof(why));
                        if (p) {
                                if (!(f = add_finding(r, CT_LINT_ERROR, name, ref)))
                                        return CT_E_NOMEM;
                                snprintf(f->message, sizeof(f->message), "%s; line %u compares it with %s; %s", p,
                                         ref->line, ref->claim, cons);
                                bad = true;
                                break;
                        }
                }
        }
        if (bad)
                return CT_OK;
        if (first) {
                if (!(f = add_finding(r, CT_LINT_OK, name, first)))
                        return CT_E_NOMEM;
                snprintf(f->message, sizeof(f->message), "%s of %s, as line %u (%s, %s) reads it",
                         json_object_is_type(v, json_type_array) ? "list" : "scalar",
                         ct_rv_type_name(first->type), first->line, first->tee[0] ? first->tee : "-",
                         first->trust_claim);
                return CT_OK;
        }
        if (!(f = add_finding(r, CT_LINT_WARN, name, commented)))
                return CT_E_NOMEM;
        if (commented) {
                snprintf(f->message, sizeof(f->message),
                         "only a commented-out line (%u) queries this name: stored, never read", commented->line);
        } else {
                const char *best = NULL;
                size_t bd = 4;
                for (size_t i = 0; i < n_refs; i++) {
                        size_t d = lev(name, refs[i].name);
                        if (d < bd) {
                                bd = d;
                                best = refs[i].name;
                        }
                }
                if (best)
                        snprintf(f->message, sizeof(f->message),
                                 "no rule of the policy queries this name: stored, never read (did you mean %s?)",
                                 best);
                else
                        snprintf(f->message, sizeof(f->message),
                                 "no rule of the policy queries this name: stored, never read");
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_rvps_lint(const char *json, size_t len, const ct_rv_ref *refs, size_t n_refs,
                               const ct_rvps_export_opts *opts, ct_lint_result **ret, ct_error *err)
{
        json_object *doc = NULL, *payload = NULL, *ver, *type, *pl;
        ct_lint_result *r = NULL;
        ct_code rc;
        ct_lint_input input;

        if (!ret || (!json && len) || (!refs && n_refs))
                return ct_error_set(err, CT_E_ARG, "ct_rvps_lint: NULL argument");
        rc = ct_rv_json_parse(json, len, "message", &doc, err);
        if (rc != CT_OK)
                return rc;
        if (!json_object_is_type(doc, json_type_object)) {
                rc = ct_error_set(err, CT_E_MALFORMED, "expected a JSON object (RVPS message, payload or manifest)");
                goto out;
        }
        ver = get(doc, "version");
        type = get(doc, "type");
        pl = get(doc, "payload");
        if (pl || (ver && type)) {
                uint8_t *raw;
                size_t rawlen, b64len;
                input = CT_LINT_INPUT_MESSAGE;
                if (!ver || !json_object_is_type(ver, json_type_string) ||
                    strcmp(json_object_get_string(ver), "0.1.0") != 0) {
                        rc = ct_error_set(err, CT_E_MALFORMED,
                                          "version: must be \"0.1.0\" (RVPS rejects any other message version)");
                        goto out;
                }
                if (!type || !json_object_is_type(type, json_type_string) ||
                    strcmp(json_object_get_string(type), "sample") != 0) {
                        rc = ct_error_set(err, CT_E_UNSUPPORTED, "type: only \"sample\" messages are linted");
                        goto out;
                }
                if (!pl || !json_object_is_type(pl, json_type_string)) {
                        rc = ct_error_set(err, CT_E_MALFORMED, "payload: expected a base64 string");
                        goto out;
                }
                b64len = strlen(json_object_get_string(pl));
                raw = malloc(b64len / 4 * 3 + 4);
                if (!raw) {
                        rc = ct_error_set(err, CT_E_NOMEM, "payload");
                        goto out;
                }
                rc = ct_base64_decode(json_object_get_string(pl), raw, b64len / 4 * 3 + 3, &rawlen, err);
                if (rc == CT_OK)
                        rc = ct_rv_json_parse((const char *)raw, rawlen, "payload (decoded)", &payload, err);
                else
                        ct_error_prefix(err, "payload");
                free(raw);
                if (rc != CT_OK)
                        goto out;
                if (!json_object_is_type(payload, json_type_object)) {
                        rc = ct_error_set(err, CT_E_MALFORMED, "payload: the decoded payload must be a JSON object "
                                                               "{name: value}");
                        goto out;
                }
        } else if (get(doc, "schema_version")) {
                ct_rvps_export *e = NULL;
                input = CT_LINT_INPUT_MANIFEST;
                rc = ct_rvps_export_manifest(json, len, opts, &e, err);
                if (rc != CT_OK)
                        goto out;
                rc = ct_rv_json_parse(ct_rvps_export_payload(e), strlen(ct_rvps_export_payload(e)), "payload",
                                      &payload, err);
                ct_rvps_export_free(e);
                if (rc != CT_OK)
                        goto out;
        } else {
                input = CT_LINT_INPUT_PAYLOAD;
                payload = json_object_get(doc);
        }
        r = calloc(1, sizeof(*r));
        if (!r) {
                rc = ct_error_set(err, CT_E_NOMEM, "lint");
                goto out;
        }
        r->input = input;
        {
                char tees[16][32];
                size_t n_tees = 0;

                json_object_object_foreach(payload, k, v) {
                        if (strlen(k) >= CT_MAX_RV_NAME) {
                                rc = ct_error_set(err, CT_E_LIMIT, "payload: a name longer than %u",
                                                  CT_MAX_RV_NAME - 1);
                                goto out;
                        }
                        if (lint_entry(r, k, v, refs, n_refs) != CT_OK) {
                                rc = ct_error_set(err, CT_E_NOMEM, "lint");
                                goto out;
                        }
                        for (size_t i = 0; i < n_refs; i++) {
                                bool seen = false;
                                if (strcmp(refs[i].name, k) != 0 || refs[i].commented_out || !refs[i].tee[0])
                                        continue;
                                for (size_t t = 0; t < n_tees; t++)
                                        seen |= strcmp(tees[t], refs[i].tee) == 0;
                                if (!seen && n_tees < 16)
                                        snprintf(tees[n_tees++], sizeof(tees[0]), "%s", refs[i].tee);
                        }
                }
                /* names of the TEEs the payload addresses that it does not provide */
                for (size_t i = 0; i < n_refs; i++) {
                        const ct_rv_ref *ref = &refs[i];
                        bool tee_used = false, dup = false;
                        ct_lint_finding *f;
                        char cons[200];

                        if (ref->commented_out || !ref->name[0] || get(payload, ref->name))
                                continue;
                        for (size_t t = 0; t < n_tees; t++)
                                tee_used |= strcmp(tees[t], ref->tee) == 0;
                        for (size_t j = 0; j < r->n; j++)
                                dup |= r->f[j].level == CT_LINT_INFO && strcmp(r->f[j].name, ref->name) == 0;
                        if (!tee_used || dup)
                                continue;
                        if (!(f = add_finding(r, CT_LINT_INFO, ref->name, ref))) {
                                rc = ct_error_set(err, CT_E_NOMEM, "lint");
                                goto out;
                        }
                        consequence(cons, sizeof(cons), ref);
                        snprintf(f->message, sizeof(f->message),
                                 "not provided, but line %u (%s) queries it: %s", ref->line, ref->tee,
                                 cons + strlen("the rule is false without any error and "));
                }
        }
        *ret = r;
        r = NULL;
        rc = CT_OK;
out:
        ct_lint_result_free(r);
        json_object_put(payload);
        json_object_put(doc);
        return rc;
}

CT_EXPORT void ct_lint_result_free(ct_lint_result *r)
{
        if (!r)
                return;
        free(r->f);
        free(r);
}

CT_EXPORT ct_lint_input ct_lint_result_input(const ct_lint_result *r) { return r ? r->input : CT_LINT_INPUT_PAYLOAD; }
CT_EXPORT size_t ct_lint_result_count(const ct_lint_result *r) { return r ? r->n : 0; }

CT_EXPORT const ct_lint_finding *ct_lint_result_finding(const ct_lint_result *r, size_t i)
{
        return r && i < r->n ? &r->f[i] : NULL;
}

CT_EXPORT size_t ct_lint_result_count_level(const ct_lint_result *r, ct_lint_level level)
{
        size_t n = 0;
        for (size_t i = 0; r && i < r->n; i++)
                n += r->f[i].level == level;
        return n;
}
