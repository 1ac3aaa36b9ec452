/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — the manifest's JSON form (docs/manifest.md). Deterministic:
 * keys in a fixed order, artifacts and parameters sorted by name, PCR banks
 * by TCG id and indices numerically; rows in the order they were added.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/manifest.h>

#include "refvals-internal.h"

typedef struct jw {
        bool oom;
} jw;

/* Stands for JSON null (which json-c represents as a NULL pointer) in add() and push(). */
static char null_mark;
#define json_object_new_null_ok() ((json_object *)(void *)&null_mark)

static json_object *chk(jw *w, json_object *o)
{
        if (!o)
                w->oom = true;
        return o;
}

static void add(jw *w, json_object *obj, const char *key, json_object *v)
{
        if (v == json_object_new_null_ok()) {
                if (json_object_object_add(obj, key, NULL) != 0)
                        w->oom = true;
                return;
        }
        if (!v) {
                w->oom = true;
                return;
        }
        if (json_object_object_add(obj, key, v) != 0) {
                json_object_put(v);
                w->oom = true;
        }
}

static void push(jw *w, json_object *arr, json_object *v)
{
        if (v == json_object_new_null_ok()) {
                if (json_object_array_add(arr, NULL) != 0)
                        w->oom = true;
                return;
        }
        if (!v) {
                w->oom = true;
                return;
        }
        if (json_object_array_add(arr, v) != 0) {
                json_object_put(v);
                w->oom = true;
        }
}

static json_object *str(jw *w, const char *s)
{
        return chk(w, json_object_new_string(s));
}

static json_object *hex(jw *w, const uint8_t *b, size_t n)
{
        char buf[2 * 512 + 1];

        if (n > 512) {
                w->oom = true;
                return NULL;
        }
        ct_hex_encode(b, n, buf);
        return chk(w, json_object_new_string(buf));
}

static json_object *u64(jw *w, uint64_t v)
{
        return chk(w, json_object_new_uint64(v));
}

static int cmp_artifact(const void *a, const void *b)
{
        return strcmp((*(const ct_manifest_artifact *const *)a)->name, (*(const ct_manifest_artifact *const *)b)->name);
}

static int cmp_param(const void *a, const void *b)
{
        return strcmp((*(const ct_manifest_param *const *)a)->key, (*(const ct_manifest_param *const *)b)->key);
}

static int cmp_note(const void *a, const void *b)
{
        return strcmp((*(const ct_manifest_note *const *)a)->key, (*(const ct_manifest_note *const *)b)->key);
}

static int cmp_pcr(const void *pa, const void *pb)
{
        const ct_manifest_pcr *a = *(const ct_manifest_pcr *const *)pa, *b = *(const ct_manifest_pcr *const *)pb;
        uint16_t ia = ct_hash_tcg_id(a->bank), ib = ct_hash_tcg_id(b->bank);

        if (ia != ib)
                return ia < ib ? -1 : 1;
        if (a->index != b->index)
                return a->index < b->index ? -1 : 1;
        if (a->phase && b->phase) {
                /* Phase paths by length first: each phase path extends the previous one. */
                size_t la = strlen(a->phase), lb = strlen(b->phase);

                if (la != lb)
                        return la < lb ? -1 : 1;
                return strcmp(a->phase, b->phase);
        }
        return 0;
}

/* Sorted pointer view of an array (n may be 0). */
static const void **sorted(const void *arr, size_t n, size_t size, int (*cmp)(const void *, const void *), jw *w)
{
        const void **v = calloc(n ? n : 1, sizeof(*v));

        if (!v) {
                w->oom = true;
                return NULL;
        }
        for (size_t i = 0; i < n; i++)
                v[i] = (const uint8_t *)arr + i * size;
        qsort(v, n, sizeof(*v), cmp);
        return v;
}

static json_object *artifacts_json(jw *w, const ct_manifest *m)
{
        json_object *o = chk(w, json_object_new_object());
        const ct_manifest_artifact **v = (const ct_manifest_artifact **)sorted(
                m->artifacts, m->n_artifacts, sizeof(*m->artifacts), cmp_artifact, w);

        if (!o || !v) {
                free(v);
                return o;
        }
        for (size_t i = 0; i < m->n_artifacts; i++) {
                const ct_manifest_artifact *a = v[i];
                json_object *ja = chk(w, json_object_new_object()), *jp;
                const ct_manifest_param **pv;

                if (!ja)
                        break;
                if (a->path)
                        add(w, ja, "path", str(w, a->path));
                if (a->text)
                        add(w, ja, "text", str(w, a->text));
                if (a->has_size)
                        add(w, ja, "size", u64(w, a->size));
                if (a->has_sha256)
                        add(w, ja, "sha256", hex(w, a->sha256, 32));
                jp = chk(w, json_object_new_object());
                pv = (const ct_manifest_param **)sorted(a->params, a->n_params, sizeof(*a->params), cmp_param, w);
                for (size_t j = 0; jp && pv && j < a->n_params; j++) {
                        const ct_manifest_param *p = pv[j];

                        switch (p->type) {
                        case CT_MANIFEST_PARAM_STRING:
                                add(w, jp, p->key, str(w, p->s ? p->s : ""));
                                break;
                        case CT_MANIFEST_PARAM_INT:
                                add(w, jp, p->key, chk(w, json_object_new_int64(p->i)));
                                break;
                        case CT_MANIFEST_PARAM_BOOL:
                                add(w, jp, p->key, chk(w, json_object_new_boolean(p->b)));
                                break;
                        }
                }
                free(pv);
                add(w, ja, "parameters", jp);
                add(w, o, a->name, ja);
        }
        free(v);
        return o;
}

static json_object *snp_json(jw *w, const ct_manifest *m)
{
        json_object *arr = chk(w, json_object_new_array_ext((int)(m->n_snp < 1u << 30 ? m->n_snp : 0)));
        char gf[32];

        for (size_t i = 0; arr && !w->oom && i < m->n_snp; i++) {
                const ct_manifest_snp_row *r = &m->snp[i];
                json_object *o = chk(w, json_object_new_object());

                if (!o)
                        break;
                add(w, o, "mode", str(w, r->mode));
                add(w, o, "vcpus", u64(w, r->vcpus));
                add(w, o, "vcpu_type", r->vcpu_type ? str(w, r->vcpu_type) : json_object_new_null_ok());
                add(w, o, "vmm", str(w, r->vmm));
                snprintf(gf, sizeof(gf), "0x%" PRIx64, r->guest_features);
                add(w, o, "guest_features", str(w, gf));
                add(w, o, "firmware", str(w, r->firmware ? r->firmware : "firmware"));
                add(w, o, "measurement", hex(w, r->measurement, r->measurement_len));
                push(w, arr, o);
        }
        return arr;
}

static json_object *tdx_json(jw *w, const ct_manifest *m)
{
        json_object *arr;

        if (!m->tdx_computed)
                return json_object_new_null_ok();
        arr = chk(w, json_object_new_array());
        for (size_t i = 0; arr && !w->oom && i < m->n_tdx; i++) {
                const ct_manifest_tdx_row *r = &m->tdx[i];
                json_object *o = chk(w, json_object_new_object()), *rt;
                uint8_t xf[8];

                if (!o)
                        break;
                add(w, o, "memory_mib", u64(w, r->memory_mib));
                add(w, o, "vcpus", u64(w, r->vcpus));
                add(w, o, "variant", str(w, r->variant ? r->variant : "default"));
                add(w, o, "firmware", str(w, r->firmware ? r->firmware : "firmware"));
                add(w, o, "mrtd", hex(w, r->mrtd, CT_MANIFEST_TDX_DIGEST));
                rt = chk(w, json_object_new_array());
                for (int k = 0; rt && k < CT_MANIFEST_TDX_RTMRS; k++)
                        push(w, rt, r->has_rtmr[k] ? hex(w, r->rtmr[k], CT_MANIFEST_TDX_DIGEST)
                                                   : json_object_new_null_ok());
                add(w, o, "rtmr", rt);
                add(w, o, "tdvfkernel",
                    r->has_tdvfkernel ? hex(w, r->tdvfkernel, CT_MANIFEST_TDX_DIGEST) : json_object_new_null_ok());
                add(w, o, "tdvfkernelparams",
                    r->has_tdvfkernelparams ? hex(w, r->tdvfkernelparams, CT_MANIFEST_TDX_DIGEST)
                                            : json_object_new_null_ok());
                for (int k = 0; k < 8; k++)
                        xf[k] = (uint8_t)(r->xfam >> (8 * k));
                add(w, o, "xfam", r->has_xfam ? hex(w, xf, 8) : json_object_new_null_ok());
                push(w, arr, o);
        }
        return arr;
}

static json_object *verity_json(jw *w, const ct_manifest *m)
{
        json_object *arr = chk(w, json_object_new_array());

        for (size_t i = 0; arr && !w->oom && i < m->n_verity; i++) {
                const ct_manifest_verity *v = &m->verity[i];
                json_object *o = chk(w, json_object_new_object()), *f;

                if (!o)
                        break;
                add(w, o, "name", str(w, v->name));
                add(w, o, "root_hash", hex(w, v->root_hash, v->root_hash_len));
                add(w, o, "salt", hex(w, v->salt, v->salt_len));
                add(w, o, "hash", str(w, v->hash ? v->hash : "sha256"));
                add(w, o, "hash_type", u64(w, v->hash_type));
                add(w, o, "data_block_size", u64(w, v->data_block_size));
                add(w, o, "hash_block_size", u64(w, v->hash_block_size));
                add(w, o, "data_blocks", u64(w, v->data_blocks));
                add(w, o, "hash_offset", u64(w, v->hash_offset));
                add(w, o, "superblock", chk(w, json_object_new_boolean(v->superblock)));
                add(w, o, "uuid", v->uuid ? str(w, v->uuid) : json_object_new_null_ok());
                add(w, o, "data_partition_uuid",
                    v->data_partition_uuid ? str(w, v->data_partition_uuid) : json_object_new_null_ok());
                add(w, o, "hash_partition_uuid",
                    v->hash_partition_uuid ? str(w, v->hash_partition_uuid) : json_object_new_null_ok());
                f = chk(w, json_object_new_object());
                for (size_t k = 0; f && k < v->n_forms; k++)
                        add(w, f, v->forms[k].form, str(w, v->forms[k].text ? v->forms[k].text : ""));
                add(w, o, "cmdline", f);
                push(w, arr, o);
        }
        return arr;
}

static json_object *pcrs_json(jw *w, const ct_manifest_pcr *pcrs, size_t n)
{
        json_object *o = chk(w, json_object_new_object()), *bank = NULL;
        const ct_manifest_pcr **v = (const ct_manifest_pcr **)sorted(pcrs, n, sizeof(*pcrs), cmp_pcr, w);
        ct_hash_alg cur = CT_HASH_NONE;
        char key[16];

        for (size_t i = 0; o && v && !w->oom && i < n; i++) {
                const ct_manifest_pcr *p = v[i];

                if (!bank || p->bank != cur) {
                        bank = chk(w, json_object_new_object());
                        add(w, o, ct_hash_name(p->bank), bank);
                        cur = p->bank;
                        if (w->oom)
                                break;
                }
                if (p->phase) {
                        add(w, bank, p->phase, hex(w, p->value.bytes, p->value.len));
                } else {
                        snprintf(key, sizeof(key), "%u", p->index);
                        add(w, bank, key, hex(w, p->value.bytes, p->value.len));
                }
        }
        free(v);
        return o;
}

static int cmp_variant(const void *pa, const void *pb)
{
        const ct_manifest_pcr *a = *(const ct_manifest_pcr *const *)pa, *b = *(const ct_manifest_pcr *const *)pb;
        int c = strcmp(a->variant, b->variant);

        return c ? c : cmp_pcr(pa, pb);
}

/* {"<variant>": {"<bank>": {"<index>": hex}}} */
static json_object *variants_json(jw *w, const ct_manifest *m)
{
        json_object *o = chk(w, json_object_new_object());
        const ct_manifest_pcr **v = (const ct_manifest_pcr **)sorted(m->pcr_variants, m->n_pcr_variants,
                                                                      sizeof(*m->pcr_variants), cmp_variant, w);
        size_t i = 0;

        while (o && v && !w->oom && i < m->n_pcr_variants) {
                size_t j = i;
                ct_manifest_pcr *group;

                while (j < m->n_pcr_variants && strcmp(v[j]->variant, v[i]->variant) == 0)
                        j++;
                group = calloc(j - i, sizeof(*group));
                if (!group) {
                        w->oom = true;
                        break;
                }
                for (size_t k = i; k < j; k++)
                        group[k - i] = *v[k];
                add(w, o, v[i]->variant, pcrs_json(w, group, j - i));
                free(group);
                i = j;
        }
        free(v);
        return o;
}

static json_object *init_data_json(jw *w, const ct_manifest *m)
{
        json_object *arr = chk(w, json_object_new_array());

        for (size_t i = 0; arr && !w->oom && i < m->n_init_data; i++) {
                const ct_manifest_init_data *d = &m->init_data[i];
                json_object *o = chk(w, json_object_new_object());

                if (!o)
                        break;
                add(w, o, "name", str(w, d->name));
                add(w, o, "algorithm", str(w, ct_hash_name(d->alg)));
                add(w, o, "digest", hex(w, d->digest.bytes, d->digest.len));
                add(w, o, "host_data", hex(w, d->host_data, 32));
                add(w, o, "mrconfigid", hex(w, d->mrconfigid, 48));
                add(w, o, "pcr8", hex(w, d->pcr8, 32));
                push(w, arr, o);
        }
        return arr;
}

static json_object *notes_json(jw *w, const ct_manifest *m)
{
        json_object *o = chk(w, json_object_new_object());
        const ct_manifest_note **v =
                (const ct_manifest_note **)sorted(m->notes, m->n_notes, sizeof(*m->notes), cmp_note, w);

        for (size_t i = 0; o && v && i < m->n_notes; i++)
                add(w, o, v[i]->key, str(w, v[i]->text));
        free(v);
        return o;
}

CT_EXPORT ct_code ct_manifest_to_json(const ct_manifest *m, char **ret, size_t *ret_len, ct_error *err)
{
        jw w = { 0 };
        json_object *root;
        const char *s;
        size_t len;
        char *out;

        if (!m || !ret)
                return ct_error_set(err, CT_E_ARG, "no manifest");
        root = chk(&w, json_object_new_object());
        if (!root)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        add(&w, root, "schema_version", u64(&w, m->schema_version));
        add(&w, root, "name", m->name ? str(&w, m->name) : json_object_new_null_ok());
        if (m->generator)
                add(&w, root, "generator", str(&w, m->generator));
        if (m->created)
                add(&w, root, "created", str(&w, m->created));
        add(&w, root, "artifacts", artifacts_json(&w, m));
        add(&w, root, "snp", snp_json(&w, m));
        add(&w, root, "tdx", tdx_json(&w, m));
        add(&w, root, "verity", verity_json(&w, m));
        add(&w, root, "pcrs", pcrs_json(&w, m->pcrs, m->n_pcrs));
        add(&w, root, "pcr11_phases", pcrs_json(&w, m->pcr11_phases, m->n_pcr11_phases));
        add(&w, root, "captured_pcrs", pcrs_json(&w, m->captured_pcrs, m->n_captured_pcrs));
        add(&w, root, "pcr_variants", variants_json(&w, m));
        add(&w, root, "init_data", init_data_json(&w, m));
        add(&w, root, "notes", notes_json(&w, m));
        if (w.oom) {
                json_object_put(root);
                return ct_error_set(err, CT_E_NOMEM, "out of memory building the manifest JSON");
        }
        s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s) {
                json_object_put(root);
                return ct_error_set(err, CT_E_NOMEM, "out of memory serialising the manifest");
        }
        len = strlen(s);
        out = malloc(len + 2);
        if (!out) {
                json_object_put(root);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        memcpy(out, s, len);
        out[len++] = '\n';
        out[len] = 0;
        json_object_put(root);
        *ret = out;
        if (ret_len)
                *ret_len = len;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_write(const ct_manifest *m, const char *path, ct_error *err)
{
        char *s;
        size_t len;
        ct_code rc = ct_manifest_to_json(m, &s, &len, err);

        if (rc)
                return rc;
        rc = ct_write_file_atomic(path, s, len, err);
        free(s);
        return rc;
}
