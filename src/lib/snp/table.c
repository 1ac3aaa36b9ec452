/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `snp measure` needs around the digest itself: integer and vCPU-list
 * text as sev-snp-measure's argparse reads it, the direct-boot input digests,
 * and tables over VMM types x vCPU signatures x vCPU counts with the row
 * rules (what enters each digest).
 */
#include <stdlib.h>
#include <string.h>

#include <cocotrust/snp.h>

#include "../internal.h"
#include "snp-internal.h"

/* ---- Python int() ---- */

static int digit_value(int c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'Z')
                return c - 'A' + 10;
        return 99;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/*
 * Python int(s[0..len), base) for base 10 or 0 (prefixes 0x 0o 0b, no leading
 * zeros in decimal, single underscores between digits, surrounding
 * whitespace). With wrap, a magnitude beyond 64 bits is kept modulo 2^64;
 * without, it fails.
 */
static bool py_int(const char *s, size_t len, int base, bool wrap, bool *ret_neg, uint64_t *ret_mag)
{
        const char *p = s, *end = s + len;
        bool neg = false, any = false, prev_us = false, zero_lead = false;
        uint64_t v = 0;

        while (p < end && is_space(*p))
                p++;
        while (end > p && is_space(end[-1]))
                end--;
        if (p < end && (*p == '+' || *p == '-'))
                neg = *p++ == '-';
        if (base == 0) {
                base = 10;
                if (end - p >= 2 && p[0] == '0' && p[1] && strchr("xXoObB", p[1])) {
                        base = (p[1] == 'x' || p[1] == 'X') ? 16 : (p[1] == 'o' || p[1] == 'O') ? 8 : 2;
                        p += 2;
                        if (p < end && *p == '_') /* one underscore may follow the prefix: 0x_1f */
                                p++;
                } else if (p < end && *p == '0') {
                        zero_lead = true;
                }
        }
        for (; p < end; p++) {
                int d;
                bool over;

                if (*p == '_') {
                        if (!any || prev_us)
                                return false;
                        prev_us = true;
                        continue;
                }
                d = digit_value((unsigned char)*p);
                if (d >= base)
                        return false;
                if (zero_lead && d != 0)
                        return false; /* "021": Python rejects leading zeros with base 0 */
                /* both steps always run: with wrap, v keeps the value modulo 2^64 */
                over = __builtin_mul_overflow(v, (uint64_t)base, &v);
                over = __builtin_add_overflow(v, (uint64_t)d, &v) || over;
                if (over && !wrap)
                        return false;
                any = true;
                prev_us = false;
        }
        if (!any || prev_us)
                return false;
        *ret_neg = neg;
        *ret_mag = v;
        return true;
}

static bool parse_i64_n(const char *s, size_t len, int64_t *ret)
{
        bool neg;
        uint64_t m;

        if (!py_int(s, len, 10, false, &neg, &m))
                return false;
        if (neg ? m > (uint64_t)INT64_MAX + 1 : m > (uint64_t)INT64_MAX)
                return false;
        *ret = neg ? (m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m) : (int64_t)m;
        return true;
}

CT_EXPORT bool ct_snp_parse_i64(const char *s, int64_t *ret)
{
        return s && ret && parse_i64_n(s, strlen(s), ret);
}

CT_EXPORT bool ct_snp_parse_u64(const char *s, uint64_t *ret)
{
        bool neg;
        uint64_t m;

        if (!s || !ret || !py_int(s, strlen(s), 0, true, &neg, &m))
                return false;
        *ret = neg ? (uint64_t)0 - m : m;
        return true;
}

/* ---- vCPU lists ---- */

static ct_code push_range(int64_t **v, size_t *n, size_t *cap, int64_t a, int64_t b, ct_error *err)
{
        /* a <= b, both in [0, CT_MAX_SNP_VCPUS] */
        size_t count = (size_t)(b - a) + 1;

        if (count > CT_MAX_SNP_TABLE_ROWS - *n)
                return ct_error_set(err, CT_E_LIMIT, "more than %u vCPU counts", CT_MAX_SNP_TABLE_ROWS);
        if (*n + count > *cap) {
                size_t nc = *cap ? *cap : 16;
                int64_t *nv;

                while (nc < *n + count)
                        nc *= 2;
                nv = realloc(*v, nc * sizeof(**v));
                if (!nv)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                *v = nv;
                *cap = nc;
        }
        for (int64_t x = a; x <= b; x++)
                (*v)[(*n)++] = x;
        return CT_OK;
}

CT_EXPORT ct_code ct_snp_vcpus_parse(const char *s, int64_t **ret, size_t *ret_n, ct_error *err)
{
        int64_t *v = NULL, one;
        size_t n = 0, cap = 0, len;
        const char *p;
        ct_code rc = CT_OK;

        if (!s || !ret || !ret_n)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        len = strlen(s);
        if (parse_i64_n(s, len, &one)) { /* what sev-snp-measure accepts: int(x), negative included */
                if (one > CT_MAX_SNP_VCPUS)
                        return ct_error_set(err, CT_E_LIMIT, "%lld is above the limit of %d vCPUs", (long long)one,
                                            CT_MAX_SNP_VCPUS);
                v = malloc(sizeof(*v));
                if (!v)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                *v = one;
                *ret = v;
                *ret_n = 1;
                return CT_OK;
        }
        for (p = s;;) {
                const char *comma = memchr(p, ',', len - (size_t)(p - s));
                const char *end = comma ? comma : s + len, *dash = NULL;
                int64_t a, b;

                for (const char *q = p + 1; q < end && !dash; q++) /* p[0] may be a sign */
                        if (*q == '-')
                                dash = q;
                if (dash) {
                        if (!parse_i64_n(p, (size_t)(dash - p), &a) ||
                            !parse_i64_n(dash + 1, (size_t)(end - dash - 1), &b) || a < 0 || b < a)
                                goto bad;
                } else {
                        if (p == end || !parse_i64_n(p, (size_t)(end - p), &a))
                                goto bad;
                        b = a;
                }
                if (b > CT_MAX_SNP_VCPUS) {
                        rc = ct_error_set_at(err, CT_E_LIMIT, (uint64_t)(p - s), "%lld is above the limit of %d vCPUs",
                                             (long long)b, CT_MAX_SNP_VCPUS);
                        goto fail;
                }
                rc = push_range(&v, &n, &cap, a, b, err);
                if (rc)
                        goto fail;
                if (!comma)
                        break;
                p = comma + 1;
        }
        *ret = v;
        *ret_n = n;
        return CT_OK;
bad:
        rc = ct_error_set_at(err, CT_E_MALFORMED, (uint64_t)(p - s),
                             "invalid value '%s' (a count, a list 1,2,4 or a range 1-64)", s);
fail:
        free(v);
        return rc;
}

/* ---- comma lists ---- */

/*
 * Call fn for each non-empty item of list (as strtok would split it), with
 * its offset; fn fills slot i of an array of `size`-byte elements grown here.
 */
typedef ct_code (*item_fn)(const char *item, size_t len, size_t off, void *slot, ct_error *err);

static ct_code split(const char *list, size_t size, size_t cap, item_fn fn, void **ret, size_t *ret_n,
                     ct_error *err)
{
        size_t len, n = 0, count = 0;
        uint8_t *v;
        ct_code rc = CT_OK;

        if (!list || !ret || !ret_n)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        len = strlen(list);
        for (size_t i = 0; i < len;) {
                size_t l = strcspn(list + i, ",");
                if (l)
                        count++;
                i += l + 1;
        }
        if (count == 0)
                return ct_error_set_at(err, CT_E_MALFORMED, 0, "empty value");
        if (count > cap)
                return ct_error_set(err, CT_E_LIMIT, "more than %zu values", cap);
        v = calloc(count, size);
        if (!v)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        for (size_t i = 0; i < len && !rc;) {
                size_t l = strcspn(list + i, ",");
                if (l)
                        rc = fn(list + i, l, i, v + n++ * size, err);
                i += l + 1;
        }
        if (rc) {
                free(v);
                return rc;
        }
        *ret = v;
        *ret_n = n;
        return CT_OK;
}

static ct_code type_item(const char *item, size_t len, size_t off, void *slot, ct_error *err)
{
        size_t nt;
        const ct_snp_vcpu_type *t = ct_snp_vcpu_types(&nt);

        for (size_t i = 0; i < nt; i++)
                if (strlen(t[i].name) == len && memcmp(t[i].name, item, len) == 0) {
                        *(ct_snp_sig *)slot = (ct_snp_sig){ t[i].name, true,
                                                            ct_snp_cpu_sig(t[i].family, t[i].model, t[i].stepping) };
                        return CT_OK;
                }
        return ct_error_set_at(err, CT_E_MALFORMED, off, "invalid choice: '%.*s' (a QEMU CPU model name, or 'all')",
                               (int)(len > 64 ? 64 : len), item);
}

static ct_code u64_item(const char *item, size_t len, size_t off, uint64_t *ret, ct_error *err)
{
        char buf[256];

        if (len >= sizeof(buf) || (memcpy(buf, item, len), buf[len] = 0, !ct_snp_parse_u64(buf, ret)))
                return ct_error_set_at(err, CT_E_MALFORMED, off, "invalid value '%.*s'", (int)(len > 64 ? 64 : len),
                                       item);
        return CT_OK;
}

static ct_code sig_item(const char *item, size_t len, size_t off, void *slot, ct_error *err)
{
        ct_snp_sig *s = slot;

        s->has_sig = true;
        return u64_item(item, len, off, &s->sig, err);
}

static ct_code value_item(const char *item, size_t len, size_t off, void *slot, ct_error *err)
{
        return u64_item(item, len, off, slot, err);
}

static ct_code vmm_item(const char *item, size_t len, size_t off, void *slot, ct_error *err)
{
        for (int i = 0; i < CT_SNP_VMM__MAX; i++) {
                const char *name = ct_snp_vmm_name((ct_snp_vmm)i);
                if (strlen(name) == len && memcmp(name, item, len) == 0) {
                        *(ct_snp_vmm *)slot = (ct_snp_vmm)i;
                        return CT_OK;
                }
        }
        return ct_error_set_at(err, CT_E_MALFORMED, off, "unknown VMM type '%.*s' (choose from QEMU, ec2, gce)",
                               (int)(len > 64 ? 64 : len), item);
}

CT_EXPORT ct_code ct_snp_sigs_from_types(const char *list, ct_snp_sig **ret, size_t *ret_n, ct_error *err)
{
        if (list && strcmp(list, "all") == 0) {
                size_t nt;
                const ct_snp_vcpu_type *t = ct_snp_vcpu_types(&nt);
                ct_snp_sig *v = calloc(nt, sizeof(*v));

                if (!ret || !ret_n)
                        return ct_error_set(err, CT_E_ARG, "invalid arguments");
                if (!v)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                for (size_t i = 0; i < nt; i++)
                        v[i] = (ct_snp_sig){ t[i].name, true, ct_snp_cpu_sig(t[i].family, t[i].model, t[i].stepping) };
                *ret = v;
                *ret_n = nt;
                return CT_OK;
        }
        return split(list, sizeof(ct_snp_sig), CT_MAX_SNP_LIST_ITEMS, type_item, (void **)ret, ret_n, err);
}

CT_EXPORT ct_code ct_snp_sigs_from_values(const char *list, ct_snp_sig **ret, size_t *ret_n, ct_error *err)
{
        return split(list, sizeof(ct_snp_sig), CT_MAX_SNP_LIST_ITEMS, sig_item, (void **)ret, ret_n, err);
}

CT_EXPORT ct_code ct_snp_u64_list_parse(const char *list, uint64_t **ret, size_t *ret_n, ct_error *err)
{
        return split(list, sizeof(uint64_t), CT_MAX_SNP_LIST_ITEMS, value_item, (void **)ret, ret_n, err);
}

CT_EXPORT ct_code ct_snp_vmms_parse(const char *list, ct_snp_vmm *ret, size_t cap, size_t *ret_n, ct_error *err)
{
        ct_snp_vmm *v = NULL;
        size_t n = 0;
        ct_code rc;

        if (!ret)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        rc = split(list, sizeof(ct_snp_vmm), cap, vmm_item, (void **)&v, &n, err);
        if (rc)
                return rc;
        memcpy(ret, v, n * sizeof(*v));
        free(v);
        *ret_n = n;
        return CT_OK;
}

/* ---- direct-boot inputs ---- */

CT_EXPORT ct_code ct_snp_file_sha256(const char *path, uint8_t ret[32], uint64_t *ret_size, ct_error *err)
{
        ct_digest h;
        uint64_t size = 0;
        ct_code rc;

        if (!path || !ret)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        rc = ct_hash_file(CT_HASH_SHA256, path, &h, &size, err); /* /dev/null reads as empty (input layer) */
        if (rc)
                return rc;
        memcpy(ret, h.bytes, 32);
        if (ret_size)
                *ret_size = size;
        return CT_OK;
}

CT_EXPORT ct_code ct_snp_boot_digests_files(const char *kernel, const char *initrd, const char *append,
                                            ct_snp_boot_digests *ret, ct_error *err)
{
        ct_snp_boot_digests d;
        ct_digest h;
        ct_code rc;

        if (!kernel || !*kernel || !ret)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        memset(&d, 0, sizeof(d));
        rc = ct_snp_file_sha256(kernel, d.kernel_sha256, &d.kernel_size, err);
        if (rc)
                return rc;
        if (initrd && *initrd) {
                rc = ct_snp_file_sha256(initrd, d.initrd_sha256, &d.initrd_size, err);
                if (rc)
                        return rc;
                d.has_initrd = true;
        } else {
                rc = ct_hash_buf(CT_HASH_SHA256, "", 0, &h, err);
                if (rc)
                        return rc;
                memcpy(d.initrd_sha256, h.bytes, 32);
        }
        rc = ct_snp_cmdline_sha256(append, d.cmdline_sha256, err);
        if (rc) {
                ct_error_prefix(err, "--append");
                return rc;
        }
        *ret = d;
        return CT_OK;
}

CT_EXPORT void ct_snp_params_set_boot(ct_snp_params *p, const ct_snp_boot_digests *d)
{
        p->has_kernel = true;
        memcpy(p->kernel_sha256, d->kernel_sha256, 32);
        memcpy(p->initrd_sha256, d->initrd_sha256, 32);
        memcpy(p->cmdline_sha256, d->cmdline_sha256, 32);
}

/* ---- tables ---- */

struct order {
        int64_t v;
        size_t idx;
};

static int cmp_order(const void *a, const void *b)
{
        const struct order *x = a, *y = b;

        if (x->v != y->v)
                return x->v < y->v ? -1 : 1;
        return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The row rules: what of the requested configuration enters the digest in `mode`. */
void snp_row_fill(ct_snp_row *r, ct_snp_mode mode, ct_snp_vmm vmm, const ct_snp_sig *s, int64_t vcpus,
                     uint64_t guest_features)
{
        bool vmsa = mode == CT_SNP_MODE_SEV_ES || mode == CT_SNP_MODE_SNP || mode == CT_SNP_MODE_SNP_SVSM;
        bool uses_sig = vmsa && (vmm == CT_SNP_VMM_QEMU || mode == CT_SNP_MODE_SNP_SVSM);

        memset(r, 0, sizeof(*r));
        r->mode = mode;
        r->vmm = vmm;
        r->vcpu_type = s->vcpu_type;
        r->has_sig = s->has_sig;
        r->vcpu_sig = s->sig;
        r->vcpus = vcpus;
        r->vcpus_apply = vmsa;
        r->vmm_applies = vmsa && mode != CT_SNP_MODE_SNP_SVSM;
        /* ec2 and gce put 0x600 in rdx whatever the signature */
        if (vmsa && (uses_sig || vmm != CT_SNP_VMM_QEMU)) {
                r->has_vmsa_rdx = true;
                r->vmsa_rdx = uses_sig ? s->sig : 0x600;
        }
        r->has_guest_features = vmsa;
        if (mode == CT_SNP_MODE_SNP)
                r->guest_features = guest_features;
        else if (mode == CT_SNP_MODE_SNP_SVSM)
                r->guest_features = 1;
}

CT_EXPORT ct_code ct_snp_table(const ct_snp_base *b, const ct_snp_table_spec *spec, ct_snp_row **ret, size_t *ret_n,
                               ct_error *err)
{
        size_t n_vmm, n_sig, n_vcpus, rows;
        ct_cleanup_free struct order *ord = NULL;
        ct_cleanup_free int64_t *sorted = NULL;
        ct_cleanup_free ct_digest *sd = NULL;
        ct_snp_row *out;
        ct_snp_mode mode;

        if (!b || !spec || !ret || !ret_n || !spec->vmms || !spec->sigs || !spec->vcpus || !spec->n_vmms ||
            !spec->n_sigs || !spec->n_vcpus)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        mode = ct_snp_base_mode(b);
        n_vmm = spec->n_vmms;
        n_sig = spec->n_sigs;
        n_vcpus = spec->n_vcpus;
        if (mode == CT_SNP_MODE_SEV || mode == CT_SNP_MODE_SNP_OVMF_HASH)
                n_vmm = n_sig = n_vcpus = 1; /* counts, types and VMMs do not enter these digests */
        if (n_vcpus > CT_MAX_SNP_TABLE_ROWS || n_sig > CT_MAX_SNP_TABLE_ROWS / n_vcpus ||
            n_vmm > CT_MAX_SNP_TABLE_ROWS / (n_vcpus * n_sig))
                return ct_error_set(err, CT_E_LIMIT, "a table of %zu x %zu x %zu rows is above the limit of %u", n_vmm,
                                    n_sig, n_vcpus, CT_MAX_SNP_TABLE_ROWS);
        rows = n_vmm * n_sig * n_vcpus;
        ord = calloc(n_vcpus, sizeof(*ord));
        sorted = calloc(n_vcpus, sizeof(*sorted));
        sd = calloc(n_vcpus, sizeof(*sd));
        out = calloc(rows, sizeof(*out));
        if (!ord || !sorted || !sd || !out) {
                free(out);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < n_vcpus; i++)
                ord[i] = (struct order){ spec->vcpus[i], i };
        qsort(ord, n_vcpus, sizeof(*ord), cmp_order);
        for (size_t i = 0; i < n_vcpus; i++)
                sorted[i] = ord[i].v;
        for (size_t m = 0; m < n_vmm; m++)
                for (size_t s = 0; s < n_sig; s++) {
                        const ct_snp_sig *sig = &spec->sigs[s];
                        ct_code rc = ct_snp_base_measure(b, spec->vmms[m], sig->sig, spec->guest_features, sorted,
                                                         n_vcpus, sd, err);
                        if (rc) {
                                free(out);
                                return rc;
                        }
                        for (size_t i = 0; i < n_vcpus; i++) {
                                ct_snp_row *r = &out[(m * n_sig + s) * n_vcpus + ord[i].idx];
                                snp_row_fill(r, mode, spec->vmms[m], sig, ord[i].v, spec->guest_features);
                                r->direct_boot = snp_base_has_kernel(b);
                                r->digest = sd[i];
                        }
                }
        *ret = out;
        *ret_n = rows;
        return CT_OK;
}
