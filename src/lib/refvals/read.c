/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — strict, bounded reader of the manifest's JSON form. Every
 * error names the JSON path of the field ("snp[3].measurement: ...").
 * The text is bounded (CT_MAX_MANIFEST_BYTES, no NUL bytes, nesting
 * CT_MAX_MANIFEST_DEPTH) before json-c sees it; every array is bounded
 * before anything is allocated for it.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/manifest.h>
#include <cocotrust/reader.h>

#include "refvals-internal.h"

typedef struct rd {
        ct_error *err;
        ct_code rc;
} rd;

#define PATH_MAX_LEN 200

__attribute__((format(printf, 4, 5))) static ct_code fail(rd *r, ct_code code, const char *path, const char *fmt, ...)
{
        char msg[CT_ERROR_MSG_MAX - PATH_MAX_LEN - 8];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (r->rc == CT_OK)
                r->rc = ct_error_set(r->err, code, "%.*s: %s", PATH_MAX_LEN, path, msg);
        return r->rc;
}

static const char *type_name(json_object *o)
{
        return o ? json_type_to_name(json_object_get_type(o)) : "null";
}

/* Every key of obj must be in the NULL-terminated list `allowed`. */
static ct_code only_keys(rd *r, json_object *obj, const char *path, const char *const *allowed)
{
        json_object_object_foreach(obj, key, val)
        {
                bool ok = false;

                (void)val;
                for (size_t i = 0; allowed[i]; i++)
                        if (strcmp(key, allowed[i]) == 0)
                                ok = true;
                if (!ok)
                        return fail(r, CT_E_MALFORMED, path, "unknown key \"%.64s\"", key);
        }
        return CT_OK;
}

static json_object *need(rd *r, json_object *obj, const char *path, const char *key, json_type t, bool nullable,
                         bool *present)
{
        json_object *v;

        if (present)
                *present = false;
        if (!json_object_object_get_ex(obj, key, &v)) {
                if (!present)
                        fail(r, CT_E_MALFORMED, path, "missing \"%s\"", key);
                return NULL;
        }
        if (present)
                *present = true;
        if (!v) {
                if (!nullable)
                        fail(r, CT_E_MALFORMED, path, "\"%s\" is null", key);
                return NULL;
        }
        if (!json_object_is_type(v, t)) {
                fail(r, CT_E_MALFORMED, path, "\"%s\" is %s, expected %s", key, type_name(v), json_type_to_name(t));
                return NULL;
        }
        return v;
}

static ct_code get_string(rd *r, json_object *obj, const char *path, const char *key, bool required, bool nullable,
                          char **ret)
{
        bool present;
        json_object *v = need(r, obj, path, key, json_type_string, nullable || !required, &present);
        const char *s;

        *ret = NULL;
        if (r->rc)
                return r->rc;
        if (!present && required)
                return fail(r, CT_E_MALFORMED, path, "missing \"%s\"", key);
        if (!v) {
                if (present && !nullable)
                        return fail(r, CT_E_MALFORMED, path, "\"%s\" is null", key);
                return CT_OK;
        }
        if ((size_t)json_object_get_string_len(v) > CT_MAX_MANIFEST_STRING)
                return fail(r, CT_E_LIMIT, path, "\"%s\" longer than %u bytes", key, CT_MAX_MANIFEST_STRING);
        s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v))
                return fail(r, CT_E_MALFORMED, path, "\"%s\" contains a NUL character", key);
        *ret = strdup(s);
        if (!*ret)
                return fail(r, CT_E_NOMEM, path, "out of memory");
        return CT_OK;
}

/* Integer in [0, max]; json-c keeps integers exactly (int64 / uint64). */
static ct_code get_uint(rd *r, json_object *obj, const char *path, const char *key, uint64_t max, uint64_t *ret)
{
        json_object *v = need(r, obj, path, key, json_type_int, false, NULL);
        uint64_t u;

        if (r->rc)
                return r->rc;
        errno = 0;
        if (json_object_get_int64(v) < 0)
                return fail(r, CT_E_MALFORMED, path, "\"%s\" is negative", key);
        u = json_object_get_uint64(v);
        if (errno == ERANGE)
                return fail(r, CT_E_MALFORMED, path, "\"%s\" out of range", key);
        if (u > max)
                return fail(r, CT_E_MALFORMED, path, "\"%s\" is %" PRIu64 ", above %" PRIu64, key, u, max);
        *ret = u;
        return CT_OK;
}

static ct_code get_bool(rd *r, json_object *obj, const char *path, const char *key, bool *ret)
{
        json_object *v = need(r, obj, path, key, json_type_boolean, false, NULL);

        if (r->rc)
                return r->rc;
        *ret = json_object_get_boolean(v);
        return CT_OK;
}

/* Lower-case hex of a length in [min, max] bytes into out. */
static ct_code hex_value(rd *r, json_object *v, const char *path, const char *key, uint8_t *out, size_t min,
                         size_t max, size_t *ret_len)
{
        const char *s;
        size_t n, len;
        ct_error e;

        if (!json_object_is_type(v, json_type_string))
                return fail(r, CT_E_MALFORMED, path, "\"%s\" is %s, expected a hex string", key, type_name(v));
        s = json_object_get_string(v);
        n = (size_t)json_object_get_string_len(v);
        if (n % 2 || n / 2 < min || n / 2 > max) {
                if (min == max)
                        return fail(r, CT_E_MALFORMED, path, "\"%s\": expected %zu hex digits, got %zu", key, 2 * min, n);
                return fail(r, CT_E_MALFORMED, path, "\"%s\": expected %zu to %zu hex digits, got %zu", key, 2 * min,
                            2 * max, n);
        }
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return fail(r, CT_E_MALFORMED, path, "\"%s\": not lower-case hex at character %zu", key, i);
        if (n == 0) {
                if (ret_len)
                        *ret_len = 0;
                return CT_OK;
        }
        if (ct_hex_decode(s, out, max, &len, &e) != CT_OK)
                return fail(r, CT_E_MALFORMED, path, "\"%s\": %s", key, e.msg);
        if (ret_len)
                *ret_len = len;
        return CT_OK;
}

static ct_code get_hex(rd *r, json_object *obj, const char *path, const char *key, uint8_t *out, size_t min,
                       size_t max, size_t *ret_len, bool nullable, bool *ret_present)
{
        json_object *v;

        if (ret_present)
                *ret_present = false;
        if (!json_object_object_get_ex(obj, key, &v))
                return fail(r, CT_E_MALFORMED, path, "missing \"%s\"", key);
        if (!v) {
                if (nullable)
                        return CT_OK;
                return fail(r, CT_E_MALFORMED, path, "\"%s\" is null", key);
        }
        if (ret_present)
                *ret_present = true;
        return hex_value(r, v, path, key, out, min, max, ret_len);
}

static json_object *array_of(rd *r, json_object *obj, const char *path, const char *key, size_t max, bool required)
{
        bool present;
        json_object *a = need(r, obj, path, key, json_type_array, false, required ? NULL : &present);

        if (!a)
                return NULL;
        if (json_object_array_length(a) > max) {
                fail(r, CT_E_LIMIT, path, "\"%s\" has %zu entries, more than %zu", key, json_object_array_length(a),
                     max);
                return NULL;
        }
        return a;
}

static ct_code read_artifacts(rd *r, ct_manifest *m, json_object *root)
{
        static const char *const keys[] = { "path", "text", "size", "sha256", "parameters", NULL };
        json_object *arts = need(r, root, "manifest", "artifacts", json_type_object, false, NULL);
        char path[PATH_MAX_LEN + 32];

        if (!arts)
                return r->rc;
        if ((size_t)json_object_object_length(arts) > CT_MAX_MANIFEST_ARTIFACTS)
                return fail(r, CT_E_LIMIT, "artifacts", "more than %u artifacts", CT_MAX_MANIFEST_ARTIFACTS);
        json_object_object_foreach(arts, name, ja)
        {
                ct_manifest_artifact a = { 0 }, *slot;
                json_object *jp, *jsz;
                bool present;

                snprintf(path, sizeof(path), "artifacts.%.*s", PATH_MAX_LEN - 16, name);
                if (!*name || strlen(name) > 1024)
                        return fail(r, CT_E_MALFORMED, "artifacts", "bad artifact name");
                if (!ja || !json_object_is_type(ja, json_type_object))
                        return fail(r, CT_E_MALFORMED, path, "is %s, expected object", type_name(ja));
                if (only_keys(r, ja, path, keys))
                        return r->rc;
                if (get_string(r, ja, path, "path", false, false, &a.path) ||
                    get_string(r, ja, path, "text", false, false, &a.text))
                        goto fail_a;
                if (!a.path && !a.text) {
                        fail(r, CT_E_MALFORMED, path, "needs \"path\" or \"text\"");
                        goto fail_a;
                }
                if (json_object_object_get_ex(ja, "size", &jsz)) {
                        if (get_uint(r, ja, path, "size", UINT64_MAX, &a.size))
                                goto fail_a;
                        a.has_size = true;
                }
                if (json_object_object_get_ex(ja, "sha256", &jsz)) {
                        if (get_hex(r, ja, path, "sha256", a.sha256, 32, 32, NULL, false, NULL))
                                goto fail_a;
                        a.has_sha256 = true;
                }
                a.name = (char *)name;
                slot = NULL;
                if (ct_manifest_add_artifact(m, &a, &slot, r->err) != CT_OK) {
                        r->rc = r->err ? r->err->code : CT_E_MALFORMED;
                        if (r->err)
                                ct_error_prefix(r->err, "%s", path);
                        a.name = NULL;
                        goto fail_a;
                }
                a.name = NULL;
                free(a.path);
                free(a.text);
                jp = need(r, ja, path, "parameters", json_type_object, false, &present);
                if (r->rc)
                        return r->rc;
                if (!jp)
                        continue;
                if ((size_t)json_object_object_length(jp) > CT_MAX_MANIFEST_PARAMS)
                        return fail(r, CT_E_LIMIT, path, "more than %u parameters", CT_MAX_MANIFEST_PARAMS);
                json_object_object_foreach(jp, key, jv)
                {
                        ct_code rc;

                        if (!ct_refvals_key_ok(key))
                                return fail(r, CT_E_MALFORMED, path, "bad parameter name \"%.64s\"", key);
                        if (jv && json_object_is_type(jv, json_type_string)) {
                                if ((size_t)json_object_get_string_len(jv) > CT_MAX_MANIFEST_STRING ||
                                    strlen(json_object_get_string(jv)) != (size_t)json_object_get_string_len(jv))
                                        return fail(r, CT_E_MALFORMED, path, "parameter \"%s\": bad string", key);
                                rc = ct_manifest_artifact_set_string(slot, key, json_object_get_string(jv), r->err);
                        } else if (jv && json_object_is_type(jv, json_type_int)) {
                                errno = 0;
                                int64_t iv = json_object_get_int64(jv);
                                if (errno == ERANGE)
                                        return fail(r, CT_E_MALFORMED, path, "parameter \"%s\" out of range", key);
                                rc = ct_manifest_artifact_set_int(slot, key, iv, r->err);
                        } else if (jv && json_object_is_type(jv, json_type_boolean)) {
                                rc = ct_manifest_artifact_set_bool(slot, key, json_object_get_boolean(jv), r->err);
                        } else {
                                return fail(r, CT_E_MALFORMED, path,
                                            "parameter \"%s\" is %s (string, integer or boolean)", key,
                                            type_name(jv));
                        }
                        if (rc) {
                                r->rc = rc;
                                ct_error_prefix(r->err, "%s", path);
                                return rc;
                        }
                }
                continue;
fail_a:
                free(a.path);
                free(a.text);
                return r->rc;
        }
        return r->rc;
}

static ct_code read_snp(rd *r, ct_manifest *m, json_object *root)
{
        static const char *const keys[] = { "mode", "vcpus", "vcpu_type", "vmm", "guest_features", "firmware",
                                            "measurement", NULL };
        json_object *a = array_of(r, root, "manifest", "snp", CT_MAX_MANIFEST_SNP_ROWS, true);
        char path[64];
        size_t n = a ? json_object_array_length(a) : 0;

        for (size_t i = 0; !r->rc && i < n; i++) {
                json_object *o = json_object_array_get_idx(a, i);
                ct_manifest_snp_row row = { 0 };
                char *gf = NULL, *end;
                uint64_t vcpus = 0;

                snprintf(path, sizeof(path), "snp[%zu]", i);
                if (!o || !json_object_is_type(o, json_type_object))
                        return fail(r, CT_E_MALFORMED, path, "is %s, expected object", type_name(o));
                if (only_keys(r, o, path, keys))
                        return r->rc;
                if (get_string(r, o, path, "mode", true, false, &row.mode) ||
                    get_uint(r, o, path, "vcpus", CT_MAX_MANIFEST_SNP_ROWS, &vcpus) ||
                    get_string(r, o, path, "vcpu_type", true, true, &row.vcpu_type) ||
                    get_string(r, o, path, "vmm", true, false, &row.vmm) ||
                    get_string(r, o, path, "guest_features", true, false, &gf) ||
                    get_string(r, o, path, "firmware", true, false, &row.firmware))
                        goto out;
                if (strcmp(row.mode, "snp") && strcmp(row.mode, "seves") && strcmp(row.mode, "sev") &&
                    strcmp(row.mode, "snp:svsm") && strcmp(row.mode, "snp:ovmf-hash")) {
                        fail(r, CT_E_MALFORMED, path, "\"mode\": unknown mode \"%.32s\"", row.mode);
                        goto out;
                }
                if (strcmp(row.vmm, "QEMU") && strcmp(row.vmm, "ec2") && strcmp(row.vmm, "gce")) {
                        fail(r, CT_E_MALFORMED, path, "\"vmm\": unknown VMM type \"%.32s\" (QEMU, ec2, gce)", row.vmm);
                        goto out;
                }
                errno = 0;
                if (strncmp(gf, "0x", 2) != 0 || !gf[2] || strspn(gf + 2, "0123456789abcdef") != strlen(gf + 2) ||
                    (row.guest_features = strtoull(gf + 2, &end, 16), errno == ERANGE) || *end) {
                        fail(r, CT_E_MALFORMED, path, "\"guest_features\": expected lower-case 0x hex, got \"%.32s\"",
                             gf);
                        goto out;
                }
                row.vcpus = (uint32_t)vcpus;
                row.measurement_len = strncmp(row.mode, "snp", 3) == 0 ? 48 : 32;
                if (get_hex(r, o, path, "measurement", row.measurement, row.measurement_len, row.measurement_len,
                            NULL, false, NULL))
                        goto out;
                if (ct_manifest_add_snp(m, &row, r->err) != CT_OK) {
                        r->rc = r->err ? r->err->code : CT_E_MALFORMED;
                        ct_error_prefix(r->err, "%s", path);
                }
out:
                free(gf);
                free(row.mode);
                free(row.vcpu_type);
                free(row.vmm);
                free(row.firmware);
        }
        return r->rc;
}

static ct_code read_tdx(rd *r, ct_manifest *m, json_object *root)
{
        static const char *const keys[] = { "memory_mib", "vcpus", "variant", "firmware", "mrtd", "rtmr",
                                            "tdvfkernel", "tdvfkernelparams", "xfam", NULL };
        json_object *a;
        char path[64];
        size_t n;

        if (!json_object_object_get_ex(root, "tdx", &a))
                return fail(r, CT_E_MALFORMED, "manifest", "missing \"tdx\"");
        if (!a) {
                m->tdx_computed = false;
                return CT_OK;
        }
        a = array_of(r, root, "manifest", "tdx", CT_MAX_MANIFEST_TDX_ROWS, true);
        if (!a)
                return r->rc;
        m->tdx_computed = true;
        n = json_object_array_length(a);
        for (size_t i = 0; !r->rc && i < n; i++) {
                json_object *o = json_object_array_get_idx(a, i), *rt;
                ct_manifest_tdx_row row = { 0 };
                uint64_t vcpus = 0;
                uint8_t xf[8];

                snprintf(path, sizeof(path), "tdx[%zu]", i);
                if (!o || !json_object_is_type(o, json_type_object))
                        return fail(r, CT_E_MALFORMED, path, "is %s, expected object", type_name(o));
                if (only_keys(r, o, path, keys))
                        return r->rc;
                if (get_uint(r, o, path, "memory_mib", UINT32_MAX, &row.memory_mib) ||
                    get_uint(r, o, path, "vcpus", 65536, &vcpus) ||
                    get_string(r, o, path, "variant", true, false, &row.variant) ||
                    get_string(r, o, path, "firmware", true, false, &row.firmware) ||
                    get_hex(r, o, path, "mrtd", row.mrtd, 48, 48, NULL, false, NULL) ||
                    get_hex(r, o, path, "tdvfkernel", row.tdvfkernel, 48, 48, NULL, true, &row.has_tdvfkernel) ||
                    get_hex(r, o, path, "tdvfkernelparams", row.tdvfkernelparams, 48, 48, NULL, true,
                            &row.has_tdvfkernelparams) ||
                    get_hex(r, o, path, "xfam", xf, 8, 8, NULL, true, &row.has_xfam))
                        goto out;
                row.vcpus = (uint32_t)vcpus;
                for (int k = 0; row.has_xfam && k < 8; k++)
                        row.xfam |= (uint64_t)xf[k] << (8 * k);
                rt = need(r, o, path, "rtmr", json_type_array, false, NULL);
                if (!rt)
                        goto out;
                if (json_object_array_length(rt) != CT_MANIFEST_TDX_RTMRS) {
                        fail(r, CT_E_MALFORMED, path, "\"rtmr\" has %zu entries, expected 4",
                             json_object_array_length(rt));
                        goto out;
                }
                for (int k = 0; k < CT_MANIFEST_TDX_RTMRS; k++) {
                        json_object *e = json_object_array_get_idx(rt, (size_t)k);
                        char key[16];

                        if (!e)
                                continue;
                        snprintf(key, sizeof(key), "rtmr[%d]", k);
                        if (hex_value(r, e, path, key, row.rtmr[k], 48, 48, NULL))
                                goto out;
                        row.has_rtmr[k] = true;
                }
                if (ct_manifest_add_tdx(m, &row, r->err) != CT_OK) {
                        r->rc = r->err ? r->err->code : CT_E_MALFORMED;
                        ct_error_prefix(r->err, "%s", path);
                }
out:
                free(row.variant);
                free(row.firmware);
        }
        return r->rc;
}

static ct_code read_verity(rd *r, ct_manifest *m, json_object *root)
{
        static const char *const keys[] = { "name", "root_hash", "salt", "hash", "hash_type", "data_block_size",
                                            "hash_block_size", "data_blocks", "hash_offset", "superblock", "uuid",
                                            "data_partition_uuid", "hash_partition_uuid", "cmdline", NULL };
        json_object *a = array_of(r, root, "manifest", "verity", CT_MAX_MANIFEST_VERITY, true);
        char path[64];
        size_t n = a ? json_object_array_length(a) : 0;

        for (size_t i = 0; !r->rc && i < n; i++) {
                json_object *o = json_object_array_get_idx(a, i), *cl;
                ct_manifest_verity v = { 0 };
                ct_manifest_cmdline_form forms[CT_MAX_MANIFEST_CMDLINE_FORMS];
                uint64_t ht = 0, dbs = 0, hbs = 0;

                snprintf(path, sizeof(path), "verity[%zu]", i);
                if (!o || !json_object_is_type(o, json_type_object))
                        return fail(r, CT_E_MALFORMED, path, "is %s, expected object", type_name(o));
                if (only_keys(r, o, path, keys))
                        return r->rc;
                if (get_string(r, o, path, "name", true, false, &v.name) ||
                    get_hex(r, o, path, "root_hash", v.root_hash, 1, CT_HASH_MAX_SIZE, &v.root_hash_len, false,
                            NULL) ||
                    get_hex(r, o, path, "salt", v.salt, 0, CT_MAX_MANIFEST_SALT, &v.salt_len, false, NULL) ||
                    get_string(r, o, path, "hash", true, false, &v.hash) ||
                    get_uint(r, o, path, "hash_type", 1, &ht) ||
                    get_uint(r, o, path, "data_block_size", 1u << 30, &dbs) ||
                    get_uint(r, o, path, "hash_block_size", 1u << 30, &hbs) ||
                    get_uint(r, o, path, "data_blocks", UINT64_MAX, &v.data_blocks) ||
                    get_uint(r, o, path, "hash_offset", UINT64_MAX, &v.hash_offset) ||
                    get_bool(r, o, path, "superblock", &v.superblock) ||
                    get_string(r, o, path, "uuid", true, true, &v.uuid) ||
                    get_string(r, o, path, "data_partition_uuid", true, true, &v.data_partition_uuid) ||
                    get_string(r, o, path, "hash_partition_uuid", true, true, &v.hash_partition_uuid))
                        goto out;
                if (!ct_refvals_key_ok(v.name)) {
                        fail(r, CT_E_MALFORMED, path, "\"name\": use [a-z0-9_.-]");
                        goto out;
                }
                v.hash_type = (uint32_t)ht;
                v.data_block_size = (uint32_t)dbs;
                v.hash_block_size = (uint32_t)hbs;
                cl = need(r, o, path, "cmdline", json_type_object, false, NULL);
                if (!cl)
                        goto out;
                if ((size_t)json_object_object_length(cl) > CT_MAX_MANIFEST_CMDLINE_FORMS) {
                        fail(r, CT_E_LIMIT, path, "\"cmdline\": more than %u forms", CT_MAX_MANIFEST_CMDLINE_FORMS);
                        goto out;
                }
                {
                        size_t k = 0;
                        char cpath[96];

                        snprintf(cpath, sizeof(cpath), "%s.cmdline", path);
                        json_object_object_foreach(cl, form, jt)
                        {
                                if (!jt || !json_object_is_type(jt, json_type_string) ||
                                    (size_t)json_object_get_string_len(jt) > CT_MAX_MANIFEST_STRING) {
                                        fail(r, CT_E_MALFORMED, cpath, "\"%.32s\" is %s, expected a string", form,
                                             type_name(jt));
                                        goto out;
                                }
                                forms[k].form = form;
                                forms[k].text = (char *)json_object_get_string(jt);
                                k++;
                        }
                        v.forms = forms;
                        v.n_forms = k;
                }
                if (ct_manifest_add_verity(m, &v, r->err) != CT_OK) {
                        r->rc = r->err ? r->err->code : CT_E_MALFORMED;
                        ct_error_prefix(r->err, "%s", path);
                }
out:
                v.forms = NULL;
                v.n_forms = 0;
                ct_refvals_verity_clear(&v);
        }
        return r->rc;
}

static ct_code read_pcr_object(rd *r, ct_manifest *m, json_object *o, const char *key, int kind, const char *variant);

static ct_code read_pcrs(rd *r, ct_manifest *m, json_object *root, const char *key, bool required, int kind)
{
        bool present;
        json_object *o = need(r, root, "manifest", key, json_type_object, false, required ? NULL : &present);

        if (!o)
                return r->rc;
        if (kind != 3)
                return read_pcr_object(r, m, o, key, kind, NULL);
        if ((size_t)json_object_object_length(o) > CT_MAX_MANIFEST_PCRS)
                return fail(r, CT_E_LIMIT, key, "more than %u variants", CT_MAX_MANIFEST_PCRS);
        json_object_object_foreach(o, var, jv)
        {
                char path[200];

                snprintf(path, sizeof(path), "%s.%.128s", key, var);
                if (!*var || strlen(var) > 128)
                        return fail(r, CT_E_MALFORMED, key, "bad variant name");
                if (!jv || !json_object_is_type(jv, json_type_object))
                        return fail(r, CT_E_MALFORMED, path, "is %s, expected object", type_name(jv));
                if (read_pcr_object(r, m, jv, path, kind, var))
                        return r->rc;
        }
        return r->rc;
}

static ct_code read_pcr_object(rd *r, ct_manifest *m, json_object *o, const char *key, int kind, const char *variant)
{
        char path[260];
        size_t total = 0;

        json_object_object_foreach(o, bank, jb)
        {
                ct_hash_alg alg = ct_hash_from_name(bank);

                snprintf(path, sizeof(path), "%.200s.%.32s", key, bank);
                if (alg == CT_HASH_NONE || strcmp(ct_hash_name(alg), bank) != 0)
                        return fail(r, CT_E_MALFORMED, key, "unknown bank \"%.32s\"", bank);
                if (!jb || !json_object_is_type(jb, json_type_object))
                        return fail(r, CT_E_MALFORMED, path, "is %s, expected object", type_name(jb));
                total += (size_t)json_object_object_length(jb);
                if (total > CT_MAX_MANIFEST_PCRS)
                        return fail(r, CT_E_LIMIT, key, "more than %u values", CT_MAX_MANIFEST_PCRS);
                json_object_object_foreach(jb, idx, jv)
                {
                        ct_manifest_pcr p = { 0 };
                        size_t len;
                        ct_code rc;

                        p.bank = alg;
                        p.variant = (char *)variant;
                        if (kind == 1) {
                                if (!*idx || strlen(idx) > 128 || strspn(idx, "abcdefghijklmnopqrstuvwxyz0123456789-:") !=
                                                                           strlen(idx))
                                        return fail(r, CT_E_MALFORMED, path, "bad phase \"%.64s\"", idx);
                                p.index = 11;
                                p.phase = idx;
                        } else {
                                char *end;
                                unsigned long u;

                                if (!*idx || strspn(idx, "0123456789") != strlen(idx) || (idx[0] == '0' && idx[1]) ||
                                    strlen(idx) > 2 || (u = strtoul(idx, &end, 10)) > 23)
                                        return fail(r, CT_E_MALFORMED, path, "bad PCR index \"%.16s\" (0-23)", idx);
                                p.index = (uint32_t)u;
                        }
                        if (hex_value(r, jv, path, idx, p.value.bytes, ct_hash_size(alg), ct_hash_size(alg), &len))
                                return r->rc;
                        p.value.alg = alg;
                        p.value.len = len;
                        rc = kind == 1   ? ct_manifest_add_pcr11_phase(m, &p, r->err)
                             : kind == 2 ? ct_manifest_add_captured_pcr(m, &p, r->err)
                             : kind == 3 ? ct_manifest_add_pcr_variant(m, &p, r->err)
                                         : ct_manifest_add_pcr(m, &p, r->err);
                        if (rc) {
                                r->rc = rc;
                                ct_error_prefix(r->err, "%s", path);
                                return rc;
                        }
                }
        }
        return r->rc;
}

static ct_code read_init_data(rd *r, ct_manifest *m, json_object *root)
{
        static const char *const keys[] = { "name", "algorithm", "digest", "host_data", "mrconfigid", "pcr8", NULL };
        json_object *a = array_of(r, root, "manifest", "init_data", CT_MAX_MANIFEST_INIT_DATA, true);
        char path[64];
        size_t n = a ? json_object_array_length(a) : 0;

        for (size_t i = 0; !r->rc && i < n; i++) {
                json_object *o = json_object_array_get_idx(a, i);
                ct_manifest_init_data d = { 0 };
                char *alg = NULL;
                size_t len;

                snprintf(path, sizeof(path), "init_data[%zu]", i);
                if (!o || !json_object_is_type(o, json_type_object))
                        return fail(r, CT_E_MALFORMED, path, "is %s, expected object", type_name(o));
                if (only_keys(r, o, path, keys))
                        return r->rc;
                if (get_string(r, o, path, "name", true, false, &d.name) ||
                    get_string(r, o, path, "algorithm", true, false, &alg))
                        goto out;
                d.alg = ct_hash_from_name(alg);
                if (d.alg != CT_HASH_SHA256 && d.alg != CT_HASH_SHA384 && d.alg != CT_HASH_SHA512) {
                        fail(r, CT_E_MALFORMED, path, "\"algorithm\": \"%.16s\" (sha256, sha384, sha512)", alg);
                        goto out;
                }
                d.digest.alg = d.alg;
                if (get_hex(r, o, path, "digest", d.digest.bytes, ct_hash_size(d.alg), ct_hash_size(d.alg), &len,
                            false, NULL) ||
                    get_hex(r, o, path, "host_data", d.host_data, 32, 32, NULL, false, NULL) ||
                    get_hex(r, o, path, "mrconfigid", d.mrconfigid, 48, 48, NULL, false, NULL) ||
                    get_hex(r, o, path, "pcr8", d.pcr8, 32, 32, NULL, false, NULL))
                        goto out;
                d.digest.len = len;
                if (ct_manifest_add_init_data(m, &d, r->err) != CT_OK) {
                        r->rc = r->err ? r->err->code : CT_E_MALFORMED;
                        ct_error_prefix(r->err, "%s", path);
                }
out:
                free(d.name);
                free(alg);
        }
        return r->rc;
}

static ct_code read_notes(rd *r, ct_manifest *m, json_object *root)
{
        bool present;
        json_object *o = need(r, root, "manifest", "notes", json_type_object, false, &present);

        if (!o)
                return r->rc;
        if ((size_t)json_object_object_length(o) > CT_MAX_MANIFEST_NOTES)
                return fail(r, CT_E_LIMIT, "notes", "more than %u notes", CT_MAX_MANIFEST_NOTES);
        json_object_object_foreach(o, key, jv)
        {
                if (!ct_refvals_key_ok(key))
                        return fail(r, CT_E_MALFORMED, "notes", "bad key \"%.64s\"", key);
                if (!jv || !json_object_is_type(jv, json_type_string) ||
                    (size_t)json_object_get_string_len(jv) > CT_MAX_MANIFEST_STRING)
                        return fail(r, CT_E_MALFORMED, "notes", "\"%s\" is %s, expected a string", key, type_name(jv));
                if (ct_manifest_set_note(m, key, json_object_get_string(jv), r->err)) {
                        r->rc = r->err ? r->err->code : CT_E_MALFORMED;
                        return r->rc;
                }
        }
        return CT_OK;
}

#define MAX_KEYS_PER_OBJECT 1024

typedef struct key_span {
        size_t off, len;
} key_span;

/*
 * One pass over the text before json-c sees it: no NUL bytes, nesting at
 * most CT_MAX_MANIFEST_DEPTH, at most MAX_KEYS_PER_OBJECT keys per object
 * and no key twice in one object (json-c would keep the last silently).
 * Keys are compared as written; the member count check after parsing
 * catches duplicates spelled with different escapes.
 */
static ct_code check_text(const uint8_t *buf, size_t len, size_t *ret_members, ct_error *err)
{
        ct_reader rdr;
        int depth = 0;
        bool in_str = false, esc = false, expect_key = false, is_key = false;
        char kind[CT_MAX_MANIFEST_DEPTH + 1];
        size_t first[CT_MAX_MANIFEST_DEPTH + 1], nkeys = 0, cap = 0, str_start = 0, members = 0;
        key_span *keys = NULL;
        uint64_t line = 1;
        ct_code rc = CT_OK;

        ct_reader_init(&rdr, buf, len, 0);
        while (ct_reader_remaining(&rdr)) {
                size_t off = ct_reader_pos(&rdr);
                uint8_t c = ct_reader_u8(&rdr, "manifest");

                if (c == 0) {
                        rc = ct_error_set_at(err, CT_E_MALFORMED, off, "NUL byte at offset %zu (line %" PRIu64 ")",
                                             off, line);
                        break;
                }
                if (c == '\n')
                        line++;
                if (in_str) {
                        if (esc) {
                                esc = false;
                        } else if (c == '\\') {
                                esc = true;
                        } else if (c == '"') {
                                in_str = false;
                                if (!is_key)
                                        continue;
                                /* A key of the object at the top: compare with its earlier keys. */
                                key_span k = { str_start, off - str_start };

                                for (size_t i = first[depth]; i < nkeys; i++)
                                        if (keys[i].len == k.len && memcmp(buf + keys[i].off, buf + k.off, k.len) == 0) {
                                                rc = ct_error_set_at(err, CT_E_MALFORMED, k.off,
                                                                     "JSON: key \"%.*s\" twice in one object at offset %zu (line %" PRIu64 ")",
                                                                     (int)(k.len < 64 ? k.len : 64),
                                                                     (const char *)buf + k.off, k.off, line);
                                                goto out;
                                        }
                                if (nkeys - first[depth] >= MAX_KEYS_PER_OBJECT) {
                                        rc = ct_error_set_at(err, CT_E_LIMIT, k.off,
                                                             "JSON: more than %d keys in one object (line %" PRIu64 ")",
                                                             MAX_KEYS_PER_OBJECT, line);
                                        goto out;
                                }
                                if (nkeys == cap) {
                                        size_t ncap = cap ? cap * 2 : 64;
                                        key_span *nk = realloc(keys, ncap * sizeof(*nk));

                                        if (!nk) {
                                                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                                                goto out;
                                        }
                                        keys = nk;
                                        cap = ncap;
                                }
                                keys[nkeys++] = k;
                                members++;
                        }
                        continue;
                }
                if (c == '"') {
                        in_str = true;
                        is_key = expect_key;
                        expect_key = false;
                        str_start = off + 1;
                } else if (c == '{' || c == '[') {
                        if (depth >= CT_MAX_MANIFEST_DEPTH) {
                                rc = ct_error_set_at(err, CT_E_LIMIT, off,
                                                     "nesting deeper than %d at offset %zu (line %" PRIu64 ")",
                                                     CT_MAX_MANIFEST_DEPTH, off, line);
                                break;
                        }
                        depth++;
                        kind[depth] = (char)c;
                        first[depth] = nkeys;
                        expect_key = c == '{';
                } else if (c == '}' || c == ']') {
                        if (depth > 0) {
                                nkeys = first[depth];
                                depth--;
                        }
                        expect_key = false;
                } else if (c == ',') {
                        expect_key = depth > 0 && kind[depth] == '{';
                }
        }
out:
        free(keys);
        if (rc == CT_OK && ret_members)
                *ret_members = members;
        return rc;
}

/* Members of every object in the parsed tree. */
static size_t count_members(json_object *o)
{
        size_t n = 0;

        if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, k, v)
                {
                        (void)k;
                        n += 1 + count_members(v);
                }
        } else if (json_object_is_type(o, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        n += count_members(json_object_array_get_idx(o, i));
        }
        return n;
}

static uint64_t line_of(const uint8_t *buf, size_t off)
{
        uint64_t line = 1;

        for (size_t i = 0; i < off; i++)
                if (buf[i] == '\n')
                        line++;
        return line;
}

CT_EXPORT ct_code ct_manifest_parse(const uint8_t *buf, size_t len, ct_manifest **ret, ct_error *err)
{
        static const char *const keys[] = { "schema_version", "name", "generator", "created", "artifacts", "snp",
                                            "tdx", "verity", "pcrs", "pcr11_phases", "captured_pcrs", "pcr_variants",
                                            "init_data", "notes", NULL };
        json_tokener *tok;
        json_object *root;
        ct_manifest *m = NULL;
        rd r = { .err = err, .rc = CT_OK };
        uint64_t sv = 0;
        size_t members = 0;
        ct_code rc;

        if (!buf && len)
                return ct_error_set(err, CT_E_ARG, "no buffer");
        if (len > CT_MAX_MANIFEST_BYTES)
                return ct_error_set(err, CT_E_LIMIT, "manifest larger than %u bytes", CT_MAX_MANIFEST_BYTES);
        rc = check_text(buf, len, &members, err);
        if (rc)
                return rc;
        tok = json_tokener_new_ex(CT_MAX_MANIFEST_DEPTH + 1);
        if (!tok)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
        if (!root || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != len) {
                enum json_tokener_error je = json_tokener_get_error(tok);
                size_t end = json_tokener_get_parse_end(tok);
                bool trailing = root && je == json_tokener_success;

                /* Trailing whitespace after the document is fine. */
                if (trailing && strspn((const char *)buf + end, " \t\r\n") == len - end)
                        goto parsed;
                rc = ct_error_set_at(err, CT_E_MALFORMED, end, "JSON: %s at offset %zu (line %" PRIu64 ")",
                                     trailing                                                    ? "data after the document"
                                     : je == json_tokener_continue || je == json_tokener_success ? "unexpected end of input"
                                                                                                 : json_tokener_error_desc(je),
                                     end, line_of(buf, end));
                json_object_put(root);
                json_tokener_free(tok);
                return rc;
        }
parsed:
        json_tokener_free(tok);
        if (!json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return ct_error_set(err, CT_E_MALFORMED, "manifest: the document is %s, expected object",
                                    type_name(root));
        }
        if (count_members(root) != members) {
                fail(&r, CT_E_MALFORMED, "manifest", "an object names the same key twice (spelled with escapes)");
                goto out;
        }
        if (get_uint(&r, root, "manifest", "schema_version", UINT32_MAX, &sv))
                goto out;
        if (sv != CT_MANIFEST_SCHEMA_VERSION) {
                fail(&r, CT_E_UNSUPPORTED, "schema_version", "%" PRIu64 " (this cocotrust reads %d)", sv,
                     CT_MANIFEST_SCHEMA_VERSION);
                goto out;
        }
        if (only_keys(&r, root, "manifest", keys))
                goto out;
        if (ct_manifest_new(NULL, &m, err)) {
                r.rc = CT_E_NOMEM;
                goto out;
        }
        if (get_string(&r, root, "manifest", "name", true, true, &m->name) ||
            get_string(&r, root, "manifest", "generator", false, false, &m->generator) ||
            get_string(&r, root, "manifest", "created", false, false, &m->created) || read_artifacts(&r, m, root) ||
            read_snp(&r, m, root) || read_tdx(&r, m, root) || read_verity(&r, m, root) ||
            read_pcrs(&r, m, root, "pcrs", true, 0) || read_pcrs(&r, m, root, "pcr11_phases", false, 1) ||
            read_pcrs(&r, m, root, "captured_pcrs", false, 2) || read_pcrs(&r, m, root, "pcr_variants", false, 3) ||
            read_init_data(&r, m, root) ||
            read_notes(&r, m, root))
                goto out;
out:
        json_object_put(root);
        if (r.rc) {
                ct_manifest_free(m);
                return r.rc;
        }
        *ret = m;
        return CT_OK;
}

CT_EXPORT ct_code ct_manifest_read(const char *path, ct_manifest **ret, ct_error *err)
{
        ct_blob b;
        ct_code rc = ct_blob_read(path, CT_MAX_MANIFEST_BYTES, &b, err);

        if (rc)
                return rc;
        rc = ct_manifest_parse(b.data, b.len, ret, err);
        ct_blob_free(&b);
        return rc;
}
