/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — the reference-values manifest: the value model (build, copy, free, look up). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <cocotrust/hash.h>
#include <cocotrust/manifest.h>

#include "refvals-internal.h"

char *ct_refvals_strdup(const char *s)
{
        return s ? strdup(s) : NULL;
}

CT_EXPORT ct_code ct_manifest_new(const char *name, ct_manifest **ret, ct_error *err)
{
        ct_manifest *m = calloc(1, sizeof(*m));

        if (!m)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        m->schema_version = CT_MANIFEST_SCHEMA_VERSION;
        if (name && !(m->name = strdup(name))) {
                free(m);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        *ret = m;
        return CT_OK;
}

static void free_params(ct_manifest_param *p, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(p[i].key);
                free(p[i].s);
        }
        free(p);
}

void ct_refvals_artifact_clear(ct_manifest_artifact *a)
{
        free(a->name);
        free(a->path);
        free(a->text);
        free_params(a->params, a->n_params);
        memset(a, 0, sizeof(*a));
}

void ct_refvals_verity_clear(ct_manifest_verity *v)
{
        free(v->name);
        free(v->hash);
        free(v->uuid);
        free(v->data_partition_uuid);
        free(v->hash_partition_uuid);
        for (size_t i = 0; i < v->n_forms; i++) {
                free(v->forms[i].form);
                free(v->forms[i].text);
        }
        free(v->forms);
        memset(v, 0, sizeof(*v));
}

static void free_pcrs(ct_manifest_pcr *p, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(p[i].phase);
                free(p[i].variant);
        }
        free(p);
}

CT_EXPORT void ct_manifest_free(ct_manifest *m)
{
        if (!m)
                return;
        free(m->name);
        free(m->generator);
        free(m->created);
        for (size_t i = 0; i < m->n_artifacts; i++)
                ct_refvals_artifact_clear(&m->artifacts[i]);
        free(m->artifacts);
        for (size_t i = 0; i < m->n_snp; i++) {
                free(m->snp[i].mode);
                free(m->snp[i].vcpu_type);
                free(m->snp[i].vmm);
                free(m->snp[i].firmware);
        }
        free(m->snp);
        for (size_t i = 0; i < m->n_tdx; i++) {
                free(m->tdx[i].variant);
                free(m->tdx[i].firmware);
        }
        free(m->tdx);
        for (size_t i = 0; i < m->n_verity; i++)
                ct_refvals_verity_clear(&m->verity[i]);
        free(m->verity);
        free_pcrs(m->pcrs, m->n_pcrs);
        free_pcrs(m->pcr11_phases, m->n_pcr11_phases);
        free_pcrs(m->captured_pcrs, m->n_captured_pcrs);
        free_pcrs(m->pcr_variants, m->n_pcr_variants);
        for (size_t i = 0; i < m->n_init_data; i++)
                free(m->init_data[i].name);
        free(m->init_data);
        for (size_t i = 0; i < m->n_notes; i++) {
                free(m->notes[i].key);
                free(m->notes[i].text);
        }
        free(m->notes);
        free(m);
}

CT_EXPORT ct_code ct_manifest_set_string(char **field, const char *v, ct_error *err)
{
        char *c = NULL;

        if (!field)
                return ct_error_set(err, CT_E_ARG, "no field");
        if (v && !(c = strdup(v)))
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        free(*field);
        *field = c;
        return CT_OK;
}

/* Grow *arr (of elements of size `size`, count *n) by one zeroed element; NULL on failure. */
void *ct_refvals_grow(void *arrp, size_t *n, size_t size, size_t max, ct_error *err, const char *what)
{
        void **arr = arrp;
        uint8_t *p;
        size_t bytes;

        if (*n >= max) {
                ct_error_set(err, CT_E_LIMIT, "%s: more than %zu entries", what, max);
                return NULL;
        }
        if (__builtin_mul_overflow(*n + 1, size, &bytes)) {
                ct_error_set(err, CT_E_LIMIT, "%s: too many entries", what);
                return NULL;
        }
        p = realloc(*arr, bytes);
        if (!p) {
                ct_error_set(err, CT_E_NOMEM, "out of memory");
                return NULL;
        }
        *arr = p;
        p += *n * size;
        memset(p, 0, size);
        (*n)++;
        return p;
}

static bool dup_into(char **dst, const char *src, bool *ok)
{
        if (!src) {
                *dst = NULL;
                return true;
        }
        *dst = strdup(src);
        if (!*dst)
                *ok = false;
        return *dst != NULL;
}

CT_EXPORT const ct_manifest_artifact *ct_manifest_find_artifact(const ct_manifest *m, const char *name)
{
        if (!m || !name)
                return NULL;
        for (size_t i = 0; i < m->n_artifacts; i++)
                if (strcmp(m->artifacts[i].name, name) == 0)
                        return &m->artifacts[i];
        return NULL;
}

CT_EXPORT const ct_manifest_param *ct_manifest_artifact_param(const ct_manifest_artifact *a, const char *key)
{
        if (!a || !key)
                return NULL;
        for (size_t i = 0; i < a->n_params; i++)
                if (strcmp(a->params[i].key, key) == 0)
                        return &a->params[i];
        return NULL;
}

CT_EXPORT const ct_manifest_pcr *ct_manifest_find_pcr(const ct_manifest *m, ct_hash_alg bank, uint32_t index)
{
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_pcrs; i++)
                if (m->pcrs[i].bank == bank && m->pcrs[i].index == index)
                        return &m->pcrs[i];
        return NULL;
}

CT_EXPORT const ct_manifest_note *ct_manifest_find_note(const ct_manifest *m, const char *key)
{
        if (!m || !key)
                return NULL;
        for (size_t i = 0; i < m->n_notes; i++)
                if (strcmp(m->notes[i].key, key) == 0)
                        return &m->notes[i];
        return NULL;
}

bool ct_refvals_key_ok(const char *k)
{
        if (!k || !*k || strlen(k) > 64)
                return false;
        for (const char *p = k; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
                        return false;
        return true;
}

static ct_code copy_params(ct_manifest_artifact *dst, const ct_manifest_artifact *src, ct_error *err)
{
        for (size_t i = 0; i < src->n_params; i++) {
                const ct_manifest_param *p = &src->params[i];
                ct_code rc;

                switch (p->type) {
                case CT_MANIFEST_PARAM_STRING:
                        rc = ct_manifest_artifact_set_string(dst, p->key, p->s, err);
                        break;
                case CT_MANIFEST_PARAM_INT:
                        rc = ct_manifest_artifact_set_int(dst, p->key, p->i, err);
                        break;
                case CT_MANIFEST_PARAM_BOOL:
                        rc = ct_manifest_artifact_set_bool(dst, p->key, p->b, err);
                        break;
                default:
                        rc = ct_error_set(err, CT_E_ARG, "parameter %s: bad type", p->key);
                }
                if (rc)
                        return rc;
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_add_artifact(ct_manifest *m, const ct_manifest_artifact *a, ct_manifest_artifact **ret,
                                 ct_error *err)
{
        ct_manifest_artifact tmp = { 0 }, *slot;
        bool ok = true;
        ct_code rc;

        if (!m || !a || !a->name || !*a->name || strlen(a->name) > 1024)
                return ct_error_set(err, CT_E_ARG, "artifact without a name");
        if (ct_manifest_find_artifact(m, a->name))
                return ct_error_set(err, CT_E_ARG, "artifact \"%s\" given twice", a->name);
        dup_into(&tmp.name, a->name, &ok);
        dup_into(&tmp.path, a->path, &ok);
        dup_into(&tmp.text, a->text, &ok);
        tmp.has_size = a->has_size;
        tmp.size = a->size;
        tmp.has_sha256 = a->has_sha256;
        memcpy(tmp.sha256, a->sha256, 32);
        if (!ok) {
                ct_refvals_artifact_clear(&tmp);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        rc = copy_params(&tmp, a, err);
        if (rc) {
                ct_refvals_artifact_clear(&tmp);
                return rc;
        }
        slot = ct_refvals_grow(&m->artifacts, &m->n_artifacts, sizeof(*slot), CT_MAX_MANIFEST_ARTIFACTS, err,
                               "artifacts");
        if (!slot) {
                ct_refvals_artifact_clear(&tmp);
                return err ? err->code : CT_E_LIMIT;
        }
        *slot = tmp;
        if (ret)
                *ret = slot;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_add_file(ct_manifest *m, const char *name, const char *path, ct_manifest_artifact **ret,
                             ct_error *err)
{
        ct_manifest_artifact a = { 0 };
        ct_digest d;
        uint64_t size;
        ct_code rc;

        if (!path)
                return ct_error_set(err, CT_E_ARG, "artifact \"%s\" without a path", name ? name : "");
        rc = ct_hash_file(CT_HASH_SHA256, path, &d, &size, err);
        if (rc)
                return rc;
        a.name = (char *)name;
        a.path = (char *)path;
        a.has_size = true;
        a.size = size;
        a.has_sha256 = true;
        memcpy(a.sha256, d.bytes, 32);
        return ct_manifest_add_artifact(m, &a, ret, err);
}

CT_EXPORT ct_code ct_manifest_add_text(ct_manifest *m, const char *name, const char *text, ct_manifest_artifact **ret,
                             ct_error *err)
{
        ct_manifest_artifact a = { 0 };
        ct_digest d;
        ct_code rc;

        if (!text)
                text = "";
        if (strlen(text) > CT_MAX_MANIFEST_STRING)
                return ct_error_set(err, CT_E_LIMIT, "artifact \"%s\": text longer than %u bytes", name ? name : "",
                                    CT_MAX_MANIFEST_STRING);
        rc = ct_hash_buf(CT_HASH_SHA256, text, strlen(text), &d, err);
        if (rc)
                return rc;
        a.name = (char *)name;
        a.text = (char *)text;
        a.has_sha256 = true;
        memcpy(a.sha256, d.bytes, 32);
        return ct_manifest_add_artifact(m, &a, ret, err);
}

static ct_code add_param(ct_manifest_artifact *a, const char *key, ct_manifest_param **ret, ct_error *err)
{
        ct_manifest_param *p;

        if (!a || !ct_refvals_key_ok(key))
                return ct_error_set(err, CT_E_ARG, "bad parameter name \"%s\"", key ? key : "");
        if (ct_manifest_artifact_param(a, key))
                return ct_error_set(err, CT_E_ARG, "parameter \"%s\" given twice", key);
        p = ct_refvals_grow(&a->params, &a->n_params, sizeof(*p), CT_MAX_MANIFEST_PARAMS, err, "parameters");
        if (!p)
                return err ? err->code : CT_E_LIMIT;
        p->key = strdup(key);
        if (!p->key) {
                a->n_params--;
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        *ret = p;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_artifact_set_string(ct_manifest_artifact *a, const char *key, const char *v, ct_error *err)
{
        ct_manifest_param *p;
        char *c;
        ct_code rc;

        if (!v)
                return ct_error_set(err, CT_E_ARG, "parameter \"%s\": no value", key ? key : "");
        if (strlen(v) > CT_MAX_MANIFEST_STRING)
                return ct_error_set(err, CT_E_LIMIT, "parameter \"%s\": value too long", key ? key : "");
        c = strdup(v);
        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        rc = add_param(a, key, &p, err);
        if (rc) {
                free(c);
                return rc;
        }
        p->type = CT_MANIFEST_PARAM_STRING;
        p->s = c;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_artifact_set_int(ct_manifest_artifact *a, const char *key, int64_t v, ct_error *err)
{
        ct_manifest_param *p;
        ct_code rc = add_param(a, key, &p, err);

        if (rc)
                return rc;
        p->type = CT_MANIFEST_PARAM_INT;
        p->i = v;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_artifact_set_bool(ct_manifest_artifact *a, const char *key, bool v, ct_error *err)
{
        ct_manifest_param *p;
        ct_code rc = add_param(a, key, &p, err);

        if (rc)
                return rc;
        p->type = CT_MANIFEST_PARAM_BOOL;
        p->b = v;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_add_snp(ct_manifest *m, const ct_manifest_snp_row *row, ct_error *err)
{
        ct_manifest_snp_row tmp = *row, *slot = NULL;
        bool ok = true;

        if (!row->mode || !row->vmm)
                return ct_error_set(err, CT_E_ARG, "snp row without mode or vmm");
        if (row->measurement_len != 32 && row->measurement_len != 48)
                return ct_error_set(err, CT_E_ARG, "snp row: measurement of %zu bytes", row->measurement_len);
        dup_into(&tmp.mode, row->mode, &ok);
        dup_into(&tmp.vcpu_type, row->vcpu_type, &ok);
        dup_into(&tmp.vmm, row->vmm, &ok);
        dup_into(&tmp.firmware, row->firmware, &ok);
        if (ok)
                slot = ct_refvals_grow(&m->snp, &m->n_snp, sizeof(*slot), CT_MAX_MANIFEST_SNP_ROWS, err, "snp");
        if (!ok || !slot) {
                free(tmp.mode);
                free(tmp.vcpu_type);
                free(tmp.vmm);
                free(tmp.firmware);
                return ok ? (err ? err->code : CT_E_LIMIT) : ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        *slot = tmp;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_add_tdx(ct_manifest *m, const ct_manifest_tdx_row *row, ct_error *err)
{
        ct_manifest_tdx_row tmp = *row, *slot = NULL;
        bool ok = true;

        dup_into(&tmp.variant, row->variant, &ok);
        dup_into(&tmp.firmware, row->firmware, &ok);
        if (ok)
                slot = ct_refvals_grow(&m->tdx, &m->n_tdx, sizeof(*slot), CT_MAX_MANIFEST_TDX_ROWS, err, "tdx");
        if (!ok || !slot) {
                free(tmp.variant);
                free(tmp.firmware);
                return ok ? (err ? err->code : CT_E_LIMIT) : ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        *slot = tmp;
        m->tdx_computed = true;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_add_verity(ct_manifest *m, const ct_manifest_verity *v, ct_error *err)
{
        ct_manifest_verity tmp = *v, *slot = NULL;
        bool ok = true;

        if (!v->name || !ct_refvals_key_ok(v->name))
                return ct_error_set(err, CT_E_ARG, "verity entry needs a name ([a-z0-9_.-])");
        for (size_t i = 0; i < m->n_verity; i++)
                if (strcmp(m->verity[i].name, v->name) == 0)
                        return ct_error_set(err, CT_E_ARG, "verity entry \"%s\" given twice", v->name);
        if (v->root_hash_len == 0 || v->root_hash_len > CT_HASH_MAX_SIZE || v->salt_len > CT_MAX_MANIFEST_SALT)
                return ct_error_set(err, CT_E_ARG, "verity entry \"%s\": bad root hash or salt length", v->name);
        if (v->n_forms > CT_MAX_MANIFEST_CMDLINE_FORMS)
                return ct_error_set(err, CT_E_LIMIT, "verity entry \"%s\": too many cmdline forms", v->name);
        tmp.forms = NULL;
        tmp.n_forms = 0;
        dup_into(&tmp.name, v->name, &ok);
        dup_into(&tmp.hash, v->hash, &ok);
        dup_into(&tmp.uuid, v->uuid, &ok);
        dup_into(&tmp.data_partition_uuid, v->data_partition_uuid, &ok);
        dup_into(&tmp.hash_partition_uuid, v->hash_partition_uuid, &ok);
        if (ok && v->n_forms) {
                tmp.forms = calloc(v->n_forms, sizeof(*tmp.forms));
                if (!tmp.forms)
                        ok = false;
                for (size_t i = 0; ok && i < v->n_forms; i++) {
                        dup_into(&tmp.forms[i].form, v->forms[i].form, &ok);
                        dup_into(&tmp.forms[i].text, v->forms[i].text, &ok);
                        tmp.n_forms = i + 1;
                }
        }
        if (ok)
                slot = ct_refvals_grow(&m->verity, &m->n_verity, sizeof(*slot), CT_MAX_MANIFEST_VERITY, err,
                                       "verity");
        if (!ok || !slot) {
                ct_refvals_verity_clear(&tmp);
                return ok ? (err ? err->code : CT_E_LIMIT) : ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        *slot = tmp;
        return CT_OK;
}

static bool same_opt(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static ct_code add_pcr_to(ct_manifest_pcr **arr, size_t *n, const ct_manifest_pcr *p, bool phased, bool variant,
                          const char *what, ct_error *err)
{
        ct_manifest_pcr *slot;
        char *phase = NULL, *var = NULL;

        if (p->index > 23 || ct_hash_size(p->bank) == 0 || p->value.len != ct_hash_size(p->bank))
                return ct_error_set(err, CT_E_ARG, "%s: bad bank, index or digest length", what);
        if (phased != (p->phase != NULL))
                return ct_error_set(err, CT_E_ARG, "%s: phase %s", what, phased ? "missing" : "not allowed");
        if (variant != (p->variant != NULL))
                return ct_error_set(err, CT_E_ARG, "%s: variant %s", what, variant ? "missing" : "not allowed");
        if (p->variant && (!*p->variant || strlen(p->variant) > 128))
                return ct_error_set(err, CT_E_ARG, "%s: bad variant name", what);
        for (size_t i = 0; i < *n; i++)
                if ((*arr)[i].bank == p->bank && (*arr)[i].index == p->index && same_opt((*arr)[i].phase, p->phase) &&
                    same_opt((*arr)[i].variant, p->variant))
                        return ct_error_set(err, CT_E_ARG, "%s: %s PCR %u given twice", what, ct_hash_name(p->bank),
                                            p->index);
        if ((p->phase && !(phase = strdup(p->phase))) || (p->variant && !(var = strdup(p->variant)))) {
                free(phase);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        slot = ct_refvals_grow(arr, n, sizeof(*slot), CT_MAX_MANIFEST_PCRS, err, what);
        if (!slot) {
                free(phase);
                free(var);
                return err ? err->code : CT_E_LIMIT;
        }
        *slot = *p;
        slot->phase = phase;
        slot->variant = var;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_add_pcr(ct_manifest *m, const ct_manifest_pcr *p, ct_error *err)
{
        return add_pcr_to(&m->pcrs, &m->n_pcrs, p, false, false, "pcrs", err);
}

CT_EXPORT ct_code ct_manifest_add_pcr11_phase(ct_manifest *m, const ct_manifest_pcr *p, ct_error *err)
{
        return add_pcr_to(&m->pcr11_phases, &m->n_pcr11_phases, p, true, false, "pcr11_phases", err);
}

CT_EXPORT ct_code ct_manifest_add_captured_pcr(ct_manifest *m, const ct_manifest_pcr *p, ct_error *err)
{
        return add_pcr_to(&m->captured_pcrs, &m->n_captured_pcrs, p, false, false, "captured_pcrs", err);
}

CT_EXPORT ct_code ct_manifest_add_pcr_variant(ct_manifest *m, const ct_manifest_pcr *p, ct_error *err)
{
        return add_pcr_to(&m->pcr_variants, &m->n_pcr_variants, p, false, true, "pcr_variants", err);
}

CT_EXPORT ct_code ct_manifest_set_note(ct_manifest *m, const char *key, const char *text, ct_error *err)
{
        ct_manifest_note *slot;
        char *k, *t;

        if (!ct_refvals_key_ok(key) || !text)
                return ct_error_set(err, CT_E_ARG, "bad note");
        t = strdup(text);
        if (!t)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        for (size_t i = 0; i < m->n_notes; i++)
                if (strcmp(m->notes[i].key, key) == 0) {
                        free(m->notes[i].text);
                        m->notes[i].text = t;
                        return CT_OK;
                }
        k = strdup(key);
        slot = k ? ct_refvals_grow(&m->notes, &m->n_notes, sizeof(*slot), CT_MAX_MANIFEST_NOTES, err, "notes") : NULL;
        if (!slot) {
                free(k);
                free(t);
                return k ? (err ? err->code : CT_E_LIMIT) : ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        slot->key = k;
        slot->text = t;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_add_init_data(ct_manifest *m, const ct_manifest_init_data *d, ct_error *err)
{
        ct_manifest_init_data *slot;
        char *name;

        if (!d->name || !*d->name)
                return ct_error_set(err, CT_E_ARG, "init-data without a name");
        for (size_t i = 0; i < m->n_init_data; i++)
                if (strcmp(m->init_data[i].name, d->name) == 0)
                        return ct_error_set(err, CT_E_ARG, "init-data \"%s\" given twice", d->name);
        if (d->digest.len != ct_hash_size(d->alg) || d->digest.len == 0)
                return ct_error_set(err, CT_E_ARG, "init-data \"%s\": digest length", d->name);
        name = strdup(d->name);
        slot = name ? ct_refvals_grow(&m->init_data, &m->n_init_data, sizeof(*slot), CT_MAX_MANIFEST_INIT_DATA, err,
                                      "init_data")
                    : NULL;
        if (!slot) {
                free(name);
                return name ? (err ? err->code : CT_E_LIMIT) : ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        *slot = *d;
        slot->name = name;
        return CT_OK;
}
