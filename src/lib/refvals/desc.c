/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — the image description: one table of dotted field names shared
 * by the YAML / JSON reader (libyaml) and the command-line flags.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/reader.h>
#include <cocotrust/reference.h>
#include <cocotrust/snp.h>

#include "../internal.h"

typedef enum kind {
        K_STRING,   /* free text */
        K_PATH,     /* a path, resolved against base_dir */
        K_PATHS,    /* list of paths */
        K_STRINGS,  /* list of words */
        K_U32,
        K_U64,
        K_BOOL,
        K_VCPUS,    /* list of counts / ranges */
        K_U64S,     /* list of integers (hex allowed) */
        K_MEMORY,   /* list of sizes */
        K_SB,       /* list of on / off */
        K_BANKS,
        K_TRISTATE, /* auto / yes / no */
} kind;

typedef struct field {
        const char *key;
        kind k;
        size_t off;         /* offset in ct_desc of the value (pointer / array) */
        size_t count_off;   /* lists: offset of the count; K_STRING/K_PATH with presence flag: offset of bool */
        const char *help;
} field;

#define OFF(f) offsetof(ct_desc, f)
#define NONE ((size_t)-1)

static const field fields[] = {
        { "name", K_STRING, OFF(name), NONE, "image name" },
        { "firmware", K_PATH, OFF(firmware), NONE, "OVMF / TDVF firmware image" },
        { "kernel", K_PATH, OFF(kernel), NONE, "kernel (bzImage / PE)" },
        { "initrd", K_PATH, OFF(initrd), NONE, "initrd" },
        { "cmdline", K_STRING, OFF(cmdline), OFF(has_cmdline), "kernel command line (text)" },
        { "uki", K_PATH, OFF(uki), NONE, "a built UKI" },
        { "stub", K_PATH, OFF(stub), NONE, "the systemd-stub the UKI is built from" },
        { "boot_chain", K_PATHS, OFF(boot_chain), OFF(n_boot_chain), "EFI applications started before the UKI" },
        { "init_data", K_PATHS, OFF(init_data), OFF(n_init_data), "init-data TOML documents" },
        { "image", K_PATH, OFF(image), NONE, "a GPT disk image built by systemd-repart / mkosi" },
        { "verity_sig_certificate", K_PATH, OFF(verity_sig_certificate), NONE,
          "PEM certificate that signs the verity-sig partitions" },
        { "capture", K_PATH, OFF(capture), NONE, "PCRs of a `tpm capture` reference boot" },
        { "rootfs.data", K_PATH, OFF(rootfs.data), OFF(has_rootfs), "rootfs file system image" },
        { "rootfs.hash", K_PATH, OFF(rootfs.hash), OFF(has_rootfs), "its verity hash device" },
        { "rootfs.hash_offset", K_U64, OFF(rootfs.hash_offset), OFF(has_rootfs), "bytes" },
        { "rootfs.no_superblock", K_BOOL, OFF(rootfs.no_superblock), OFF(has_rootfs), "true / false" },
        { "rootfs.hash_algorithm", K_STRING, OFF(rootfs.hash_algorithm), OFF(has_rootfs), "sha256, ..." },
        { "rootfs.data_block_size", K_U32, OFF(rootfs.data_block_size), OFF(has_rootfs), "bytes" },
        { "rootfs.hash_block_size", K_U32, OFF(rootfs.hash_block_size), OFF(has_rootfs), "bytes" },
        { "rootfs.data_blocks", K_U64, OFF(rootfs.data_blocks), OFF(has_rootfs), "count" },
        { "rootfs.salt", K_STRING, OFF(rootfs.salt), OFF(has_rootfs), "hex or -" },
        { "rootfs.format", K_U32, OFF(rootfs.format), OFF(has_rootfs), "1 or 0" },
        { "rootfs.root_hash", K_STRING, OFF(rootfs.root_hash), OFF(has_rootfs), "expected root hash (hex)" },
        { "rootfs.data_device", K_STRING, OFF(rootfs.data_device), OFF(has_rootfs), "default /dev/vda1" },
        { "rootfs.hash_device", K_STRING, OFF(rootfs.hash_device), OFF(has_rootfs), "default /dev/vda2" },
        { "platform.snp", K_BOOL, OFF(snp_off), NONE, "false: no SNP table" },
        { "platform.tdx", K_BOOL, OFF(tdx_off), NONE, "false: no TDX values" },
        { "platform.snp_modes", K_STRINGS, OFF(snp_modes), OFF(n_snp_modes), "snp, seves, sev (default snp)" },
        { "platform.vcpus", K_VCPUS, OFF(vcpus), OFF(n_vcpus), "counts or ranges 1-8 (default 1)" },
        { "platform.vcpu_types", K_STRINGS, OFF(vcpu_types), OFF(n_vcpu_types), "QEMU CPU models or all (default EPYC-v4)" },
        { "platform.vmm_types", K_STRINGS, OFF(vmm_types), OFF(n_vmm_types), "QEMU, ec2, gce (default QEMU)" },
        { "platform.guest_features", K_U64S, OFF(guest_features), OFF(n_guest_features), "SNP VMSA features (default 0x1)" },
        { "platform.memory", K_MEMORY, OFF(memory_mib), OFF(n_memory_mib), "TDX memory sizes: 2G, 2048M (default 2G)" },
        { "platform.tdx_variants", K_STRINGS, OFF(tdx_variants), OFF(n_tdx_variants), "edk2 / QEMU variants" },
        { "platform.secure_boot", K_SB, OFF(secure_boot), OFF(n_secure_boot), "off, on (default off)" },
        { "platform.banks", K_BANKS, OFF(banks), OFF(n_banks), "PCR banks (default sha256)" },
        { "platform.failed_boot_options", K_U32, OFF(failed_boot_options), NONE, "default 0" },
        { "platform.kernel_event", K_TRISTATE, OFF(kernel_event), NONE, "auto, yes, no" },
        { "platform.stub_version", K_U32, OFF(stub_version), NONE, "252, 254, 257 (default: from .sdmagic)" },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const field *find_field(const char *key)
{
        for (size_t i = 0; i < N_FIELDS; i++)
                if (strcmp(fields[i].key, key) == 0)
                        return &fields[i];
        return NULL;
}

static bool is_list(kind k)
{
        return k == K_PATHS || k == K_STRINGS || k == K_VCPUS || k == K_U64S || k == K_MEMORY || k == K_SB ||
               k == K_BANKS;
}

CT_EXPORT bool ct_desc_key_known(const char *key, bool *ret_is_list)
{
        const field *f = key ? find_field(key) : NULL;

        if (f && ret_is_list)
                *ret_is_list = is_list(f->k);
        return f != NULL;
}

CT_EXPORT const char *const *ct_desc_keys(void)
{
        static const char *keys[N_FIELDS + 1];

        if (!keys[0])
                for (size_t i = 0; i < N_FIELDS; i++)
                        keys[i] = fields[i].key;
        return keys;
}

CT_EXPORT const char *ct_desc_key_help(const char *key)
{
        const field *f = key ? find_field(key) : NULL;

        return f ? f->help : "";
}

CT_EXPORT ct_code ct_desc_new(ct_desc **ret, ct_error *err)
{
        ct_desc *d = calloc(1, sizeof(*d));

        if (!d)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        d->kernel_event = -1;
        d->rootfs.format = 1;
        *ret = d;
        return CT_OK;
}

static void free_strv(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static void *at(ct_desc *d, size_t off)
{
        return (uint8_t *)d + off;
}

static void clear_field(ct_desc *d, const field *f)
{
        void *p = at(d, f->off);
        size_t *n = f->count_off != NONE && is_list(f->k) ? at(d, f->count_off) : NULL;

        switch (f->k) {
        case K_STRING:
        case K_PATH:
                free(*(char **)p);
                *(char **)p = NULL;
                if (f->count_off != NONE && f->count_off == OFF(has_cmdline))
                        d->has_cmdline = false;
                break;
        case K_PATHS:
        case K_STRINGS:
                free_strv(*(char ***)p, *n);
                *(char ***)p = NULL;
                *n = 0;
                break;
        case K_VCPUS:
        case K_U64S:
        case K_MEMORY:
                free(*(void **)p);
                *(void **)p = NULL;
                *n = 0;
                break;
        case K_SB:
        case K_BANKS:
                *n = 0;
                break;
        case K_U32:
                *(uint32_t *)p = strcmp(f->key, "rootfs.format") == 0 ? 1 : 0;
                break;
        case K_U64:
                *(uint64_t *)p = 0;
                break;
        case K_BOOL:
                *(bool *)p = false;
                break;
        case K_TRISTATE:
                *(int *)p = -1;
                break;
        }
}

CT_EXPORT ct_code ct_desc_clear(ct_desc *d, const char *key, ct_error *err)
{
        const field *f = key ? find_field(key) : NULL;

        if (!d || !f)
                return ct_error_set(err, CT_E_ARG, "unknown field \"%s\"", key ? key : "");
        clear_field(d, f);
        return CT_OK;
}

CT_EXPORT void ct_desc_free(ct_desc *d)
{
        if (!d)
                return;
        for (size_t i = 0; i < N_FIELDS; i++)
                clear_field(d, &fields[i]);
        free(d);
}

static ct_code bad(ct_error *err, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static ct_code bad(ct_error *err, const char *key, const char *fmt, ...)
{
        char msg[CT_ERROR_MSG_MAX - 80];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return ct_error_set(err, CT_E_MALFORMED, "%s: %s", key, msg);
}

static bool parse_u64(const char *s, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        if (!*s || *s == '-' || *s == '+' || *s == ' ')
                return false;
        errno = 0;
        v = strtoull(s, &end, 0);
        if (errno || *end)
                return false;
        *ret = v;
        return true;
}

static ct_code set_string(char **dst, const char *v, ct_error *err)
{
        char *c = strdup(v);

        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        free(*dst);
        *dst = c;
        return CT_OK;
}

static ct_code resolve(const char *v, const char *base_dir, char **ret, ct_error *err)
{
        size_t n;

        if (!base_dir || !*base_dir || v[0] == '/' || strcmp(base_dir, ".") == 0) {
                *ret = strdup(v);
        } else {
                n = strlen(base_dir) + strlen(v) + 2;
                *ret = malloc(n);
                if (*ret)
                        snprintf(*ret, n, "%s/%s", base_dir, v);
        }
        return *ret ? CT_OK : ct_error_set(err, CT_E_NOMEM, "out of memory");
}

/* Append one element of elem_size to the list at p (count n). */
static void *append(void *p, size_t *n, size_t elem_size, ct_error *err, const char *key, ct_code *rc)
{
        void **arr = p;
        uint8_t *np;

        if (*n >= CT_MAX_DESC_LIST) {
                *rc = ct_error_set(err, CT_E_LIMIT, "%s: more than %u entries", key, CT_MAX_DESC_LIST);
                return NULL;
        }
        np = realloc(*arr, (*n + 1) * elem_size);
        if (!np) {
                *rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                return NULL;
        }
        *arr = np;
        np += (*n)++ * elem_size;
        memset(np, 0, elem_size);
        *rc = CT_OK;
        return np;
}

static ct_code memory_mib(const char *key, const char *s, uint64_t *ret, ct_error *err)
{
        char num[32];
        size_t n = strlen(s);
        uint64_t v, mul = 1;

        if (n == 0 || n >= sizeof(num))
                return bad(err, key, "'%s' is not a memory size (2G, 2048M, 2048)", s);
        memcpy(num, s, n + 1);
        if (num[n - 1] == 'G' || num[n - 1] == 'g') {
                mul = 1024;
                num[--n] = 0;
        } else if (num[n - 1] == 'M' || num[n - 1] == 'm') {
                num[--n] = 0;
        }
        if (!parse_u64(num, &v) || v == 0 || v > (1ull << 32) / mul)
                return bad(err, key, "'%s' is not a memory size (2G, 2048M, 2048; 1 MiB to 4 PiB)", s);
        *ret = v * mul;
        return CT_OK;
}

/* One element of a list field. */
static ct_code set_elem(ct_desc *d, const field *f, const char *v, const char *base_dir, ct_error *err)
{
        void *p = at(d, f->off);
        size_t *n = at(d, f->count_off);
        ct_code rc = CT_OK;

        switch (f->k) {
        case K_PATHS:
        case K_STRINGS: {
                char **slot;

                if (!*v)
                        return bad(err, f->key, "empty entry");
                if (f->k == K_PATHS && strcmp(f->key, "boot_chain") == 0 && *n >= CT_MAX_DESC_BOOT_CHAIN)
                        return ct_error_set(err, CT_E_LIMIT, "%s: at most %d images", f->key, CT_MAX_DESC_BOOT_CHAIN);
                if (strcmp(f->key, "platform.snp_modes") == 0) {
                        ct_snp_mode m;

                        if (!ct_snp_mode_from_name(v, &m))
                                return bad(err, f->key, "'%s' is not a mode (snp, seves, sev, snp:svsm, snp:ovmf-hash)",
                                           v);
                } else if (strcmp(f->key, "platform.vmm_types") == 0) {
                        ct_snp_vmm m;

                        if (!ct_snp_vmm_from_name(v, &m))
                                return bad(err, f->key, "'%s' is not a VMM type (QEMU, ec2, gce)", v);
                } else if (strcmp(f->key, "platform.vcpu_types") == 0 && strcmp(v, "all") != 0 &&
                           !ct_snp_vcpu_type_find(v)) {
                        return bad(err, f->key, "'%s' is not a vCPU type sev-snp-measure knows (or all)", v);
                }
                slot = append(p, n, sizeof(char *), err, f->key, &rc);
                if (!slot)
                        return rc;
                rc = f->k == K_PATHS ? resolve(v, base_dir, slot, err) : set_string(slot, v, err);
                if (rc)
                        (*n)--;
                return rc;
        }
        case K_VCPUS: {
                uint64_t lo, hi;
                char a[24], *dash = strchr(v, '-');

                if (dash) {
                        if ((size_t)(dash - v) >= sizeof(a))
                                return bad(err, f->key, "'%s' is not a vCPU count or range", v);
                        memcpy(a, v, (size_t)(dash - v));
                        a[dash - v] = 0;
                        if (!parse_u64(a, &lo) || !parse_u64(dash + 1, &hi))
                                return bad(err, f->key, "'%s' is not a vCPU count or range", v);
                } else if (!parse_u64(v, &lo)) {
                        return bad(err, f->key, "'%s' is not a vCPU count", v);
                } else {
                        hi = lo;
                }
                if (lo < 1 || hi > CT_MAX_DESC_VCPUS || lo > hi)
                        return bad(err, f->key, "'%s': vCPU counts are 1 to %u, ranges low-high", v, CT_MAX_DESC_VCPUS);
                for (uint64_t c = lo; c <= hi; c++) {
                        uint32_t *slot = append(p, n, sizeof(uint32_t), err, f->key, &rc);

                        if (!slot)
                                return rc;
                        *slot = (uint32_t)c;
                }
                return CT_OK;
        }
        case K_U64S: {
                uint64_t x, *slot;

                if (!parse_u64(v, &x))
                        return bad(err, f->key, "'%s' is not a number (0x hex allowed)", v);
                slot = append(p, n, sizeof(uint64_t), err, f->key, &rc);
                if (slot)
                        *slot = x;
                return rc;
        }
        case K_MEMORY: {
                uint64_t x = 0, *slot;

                rc = memory_mib(f->key, v, &x, err);
                if (rc)
                        return rc;
                slot = append(p, n, sizeof(uint64_t), err, f->key, &rc);
                if (slot)
                        *slot = x;
                return rc;
        }
        case K_SB: {
                int sb;

                if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0)
                        sb = 1;
                else if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0)
                        sb = 0;
                else
                        return bad(err, f->key, "'%s' is not on or off", v);
                for (size_t i = 0; i < *n; i++)
                        if (d->secure_boot[i] == sb)
                                return CT_OK;
                if (*n >= 2)
                        return bad(err, f->key, "at most on and off");
                d->secure_boot[(*n)++] = sb;
                return CT_OK;
        }
        case K_BANKS: {
                ct_hash_alg a = ct_hash_from_name(v);

                if (a == CT_HASH_NONE || ct_hash_tcg_id(a) == 0)
                        return bad(err, f->key, "'%s' is not a PCR bank (sha1, sha256, sha384, sha512)", v);
                for (size_t i = 0; i < *n; i++)
                        if (d->banks[i] == a)
                                return CT_OK;
                if (*n >= CT_HASH__MAX)
                        return bad(err, f->key, "too many banks");
                d->banks[(*n)++] = a;
                return CT_OK;
        }
        default:
                return ct_error_set(err, CT_E_ARG, "%s: not a list", f->key);
        }
}

CT_EXPORT ct_code ct_desc_set(ct_desc *d, const char *key, const char *value, const char *base_dir, ct_error *err)
{
        const field *f = key ? find_field(key) : NULL;
        void *p;
        uint64_t u;
        ct_code rc;

        if (!d)
                return ct_error_set(err, CT_E_ARG, "no description");
        if (!f)
                return ct_error_set(err, CT_E_ARG, "unknown field \"%s\"", key ? key : "");
        if (!value)
                return bad(err, key, "no value");
        if (strlen(value) > CT_MAX_DESC_STRING)
                return ct_error_set(err, CT_E_LIMIT, "%s: value longer than %u bytes", key, CT_MAX_DESC_STRING);
        p = at(d, f->off);
        if (f->count_off == OFF(has_rootfs))
                d->has_rootfs = true;
        if (is_list(f->k)) {
                /* Comma-separated entries, except paths (a path may hold a comma). */
                char *copy, *save = NULL, *tok;

                if (f->k == K_PATHS)
                        return set_elem(d, f, value, base_dir, err);
                copy = strdup(value);
                if (!copy)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                rc = CT_OK;
                for (tok = strtok_r(copy, ", ", &save); tok && rc == CT_OK; tok = strtok_r(NULL, ", ", &save))
                        rc = set_elem(d, f, tok, base_dir, err);
                free(copy);
                return rc;
        }
        switch (f->k) {
        case K_STRING:
                if (strcmp(key, "cmdline") == 0)
                        d->has_cmdline = true;
                else if (!*value)
                        return bad(err, key, "empty value");
                if (strcmp(key, "rootfs.root_hash") == 0 || (strcmp(key, "rootfs.salt") == 0 && strcmp(value, "-"))) {
                        uint8_t tmp[CT_MAX_MANIFEST_SALT];
                        size_t n;

                        if (ct_hex_decode(value, tmp, sizeof(tmp), &n, NULL) != CT_OK || n == 0)
                                return bad(err, key, "'%.80s' is not hex", value);
                }
                if (strcmp(key, "rootfs.hash_algorithm") == 0 && ct_hash_size(ct_hash_from_name(value)) == 0 &&
                    strlen(value) > 31)
                        return bad(err, key, "'%.40s' is not a hash name", value);
                return set_string(p, value, err);
        case K_PATH:
                if (!*value)
                        return bad(err, key, "empty path");
                free(*(char **)p);
                *(char **)p = NULL;
                return resolve(value, base_dir, p, err);
        case K_U32:
                if (!parse_u64(value, &u) || u > UINT32_MAX)
                        return bad(err, key, "'%.40s' is not a number from 0 to 4294967295", value);
                if (strcmp(key, "rootfs.format") == 0 && u > 1)
                        return bad(err, key, "'%.40s' is not 0 or 1", value);
                if (strcmp(key, "platform.stub_version") == 0 && u != 0 && u != 252 && u != 254 && u != 257)
                        return bad(err, key, "'%.40s' is not 252, 254 or 257", value);
                if (strcmp(key, "platform.failed_boot_options") == 0 && u > 64)
                        return bad(err, key, "'%.40s' is more than 64", value);
                *(uint32_t *)p = (uint32_t)u;
                return CT_OK;
        case K_U64:
                if (!parse_u64(value, &u))
                        return bad(err, key, "'%.40s' is not a number", value);
                *(uint64_t *)p = u;
                return CT_OK;
        case K_BOOL: {
                bool b;

                if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "on") == 0)
                        b = true;
                else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 || strcmp(value, "off") == 0)
                        b = false;
                else
                        return bad(err, key, "'%.40s' is not true or false", value);
                /* platform.snp / platform.tdx are stored inverted (default on). */
                if (f->off == OFF(snp_off) || f->off == OFF(tdx_off))
                        b = !b;
                *(bool *)p = b;
                return CT_OK;
        }
        case K_TRISTATE:
                if (strcmp(value, "auto") == 0)
                        *(int *)p = -1;
                else if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
                        *(int *)p = 1;
                else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
                        *(int *)p = 0;
                else
                        return bad(err, key, "'%.40s' is not auto, yes or no", value);
                return CT_OK;
        default:
                return ct_error_set(err, CT_E_ARG, "%s: bad field kind", key);
        }
}

/* ---- YAML / JSON reader ---- */

typedef struct yrd {
        yaml_parser_t parser;
        yaml_event_t ev;
        bool have_ev;
        ct_desc *d;
        const char *base_dir;
        ct_error *err;
        int depth;
} yrd;

static ct_code next(yrd *y)
{
        if (y->have_ev)
                yaml_event_delete(&y->ev);
        y->have_ev = false;
        if (!yaml_parser_parse(&y->parser, &y->ev))
                return ct_error_set_at(y->err, CT_E_MALFORMED, y->parser.problem_mark.index,
                                       "line %zu: YAML: %s", y->parser.problem_mark.line + 1,
                                       y->parser.problem ? y->parser.problem : "syntax error");
        y->have_ev = true;
        return CT_OK;
}

static size_t line(const yrd *y)
{
        return y->ev.start_mark.line + 1;
}

static ct_code at_line(yrd *y, ct_code rc)
{
        if (rc && y->err) {
                char msg[CT_ERROR_MSG_MAX];

                snprintf(msg, sizeof(msg), "%s", y->err->msg);
                ct_error_set_at(y->err, rc, y->ev.start_mark.index, "line %zu: %s", line(y), msg);
        }
        return rc;
}

static ct_code skip_node(yrd *y);

static ct_code set_scalar(yrd *y, const char *key)
{
        const char *v = (const char *)y->ev.data.scalar.value;

        if (y->ev.data.scalar.length != strlen(v))
                return at_line(y, ct_error_set(y->err, CT_E_MALFORMED, "%s: value contains a NUL character", key));
        return at_line(y, ct_desc_set(y->d, key, v, y->base_dir, y->err));
}

/* A value for `key`: scalar, or a sequence of scalars for list fields. */
static ct_code value_for(yrd *y, const char *key)
{
        bool list;
        ct_code rc;

        if (!ct_desc_key_known(key, &list))
                return at_line(y, ct_error_set(y->err, CT_E_MALFORMED, "unknown field \"%.80s\"", key));
        if (y->ev.type == YAML_SCALAR_EVENT)
                return set_scalar(y, key);
        if (y->ev.type == YAML_SEQUENCE_START_EVENT && list) {
                for (;;) {
                        if ((rc = next(y)))
                                return rc;
                        if (y->ev.type == YAML_SEQUENCE_END_EVENT)
                                return CT_OK;
                        if (y->ev.type != YAML_SCALAR_EVENT)
                                return at_line(y, ct_error_set(y->err, CT_E_MALFORMED,
                                                               "%s: list entries must be plain values", key));
                        if ((rc = set_scalar(y, key)))
                                return rc;
                }
        }
        return at_line(y, ct_error_set(y->err, CT_E_MALFORMED, "%s: expected %s", key,
                                       list ? "a value or a list of values" : "a single value"));
}

static ct_code mapping(yrd *y, const char *prefix)
{
        char key[128];
        ct_code rc;

        if (++y->depth > CT_MAX_DESC_DEPTH)
                return at_line(y, ct_error_set(y->err, CT_E_LIMIT, "nesting deeper than %d", CT_MAX_DESC_DEPTH));
        for (;;) {
                const char *k;

                if ((rc = next(y)))
                        return rc;
                if (y->ev.type == YAML_MAPPING_END_EVENT)
                        break;
                if (y->ev.type != YAML_SCALAR_EVENT)
                        return at_line(y, ct_error_set(y->err, CT_E_MALFORMED, "%s: keys must be plain words",
                                                       *prefix ? prefix : "description"));
                k = (const char *)y->ev.data.scalar.value;
                if (strlen(k) + strlen(prefix) + 2 > sizeof(key))
                        return at_line(y, ct_error_set(y->err, CT_E_MALFORMED, "key too long"));
                if (*prefix)
                        snprintf(key, sizeof(key), "%.60s.%.60s", prefix, k);
                else
                        snprintf(key, sizeof(key), "%.120s", k);
                if ((rc = next(y)))
                        return rc;
                if (y->ev.type == YAML_MAPPING_START_EVENT) {
                        if (strcmp(key, "rootfs") != 0 && strcmp(key, "platform") != 0)
                                return at_line(y, ct_error_set(y->err, CT_E_MALFORMED,
                                                               "\"%.80s\" is not a section (rootfs, platform)", key));
                        if ((rc = mapping(y, key)))
                                return rc;
                        continue;
                }
                if (strcmp(key, "rootfs") == 0 && y->ev.type == YAML_SCALAR_EVENT) {
                        if ((rc = set_scalar(y, "rootfs.data")))
                                return rc;
                        continue;
                }
                if (y->ev.type == YAML_ALIAS_EVENT)
                        return at_line(y, ct_error_set(y->err, CT_E_MALFORMED, "%s: aliases are not supported", key));
                if ((rc = value_for(y, key)))
                        return rc;
        }
        y->depth--;
        return CT_OK;
}

static ct_code skip_node(yrd *y)
{
        (void)y;
        return CT_OK;
}

CT_EXPORT ct_code ct_desc_parse(ct_desc *d, const uint8_t *buf, size_t len, const char *base_dir, ct_error *err)
{
        yrd y = { .d = d, .base_dir = base_dir, .err = err };
        ct_code rc;

        if (!d || (!buf && len))
                return ct_error_set(err, CT_E_ARG, "no description");
        if (len > CT_MAX_DESC_BYTES)
                return ct_error_set(err, CT_E_LIMIT, "description larger than %u bytes", CT_MAX_DESC_BYTES);
        for (size_t i = 0; i < len; i++)
                if (buf[i] == 0)
                        return ct_error_set_at(err, CT_E_MALFORMED, i, "NUL byte at offset %zu", i);
        if (!yaml_parser_initialize(&y.parser))
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        yaml_parser_set_input_string(&y.parser, buf ? buf : (const uint8_t *)"", len);
        (void)skip_node;
        if ((rc = next(&y)) || (rc = next(&y)))
                goto out;
        if (y.ev.type == YAML_STREAM_END_EVENT) {
                rc = ct_error_set(err, CT_E_MALFORMED, "line 1: the description is empty");
                goto out;
        }
        /* DOCUMENT-START */
        if ((rc = next(&y)))
                goto out;
        if (y.ev.type != YAML_MAPPING_START_EVENT) {
                rc = at_line(&y, ct_error_set(err, CT_E_MALFORMED, "the description must be a mapping of fields"));
                goto out;
        }
        if ((rc = mapping(&y, "")))
                goto out;
        if ((rc = next(&y)))
                goto out;
        if (y.ev.type != YAML_DOCUMENT_END_EVENT) {
                rc = at_line(&y, ct_error_set(err, CT_E_MALFORMED, "data after the description"));
                goto out;
        }
        if ((rc = next(&y)))
                goto out;
        if (y.ev.type != YAML_STREAM_END_EVENT)
                rc = at_line(&y, ct_error_set(err, CT_E_MALFORMED, "one description per file"));
out:
        if (y.have_ev)
                yaml_event_delete(&y.ev);
        yaml_parser_delete(&y.parser);
        return rc;
}

CT_EXPORT ct_code ct_desc_load(ct_desc *d, const char *path, ct_error *err)
{
        ct_blob b;
        char *dir, *slash;
        ct_code rc = ct_blob_read(path, CT_MAX_DESC_BYTES, &b, err);

        if (rc)
                return rc;
        dir = strdup(path);
        if (!dir) {
                ct_blob_free(&b);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        slash = strrchr(dir, '/');
        if (slash)
                *slash = 0;
        else
                strcpy(dir, ".");
        rc = ct_desc_parse(d, b.data, b.len, slash == dir ? "/" : dir, err);
        free(dir);
        ct_blob_free(&b);
        return rc;
}
