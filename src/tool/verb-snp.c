/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust snp measure — the options of sev-snp-measure 0.0.13 with the same
 * names and results, plus --json and tables (lists / ranges of vCPU counts,
 * vCPU types and VMM types in one run).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/snp.h>

#include "tool.h"

#define MAX_TABLE_ROWS (1u << 20)
#define MAX_LIST_ITEMS 4096

typedef unsigned long long ull;

/* One value of the vCPU-signature dimension of a table. */
struct sigsel {
        const char *type; /* --vcpu-type name, or NULL */
        uint64_t sig;
        bool has_sig;     /* false: none given (ec2 / gce do not need one) */
};

struct input {
        const char *path;
        bool present;
        uint64_t size;
        uint8_t sha256[32];
};

struct opts {
        const char *mode_s, *vcpus_s, *vcpu_type_s, *vcpu_sig_s, *family_s, *model_s, *stepping_s;
        const char *vmm_s, *ovmf, *kernel, *initrd, *append, *guest_features_s, *format, *ovmf_hash;
        const char *svsm, *vars_size_s, *vars_file;
        bool dump_vmsa, verbose, json;
};

enum {
        OPT_MODE = 0x100,
        OPT_VCPUS,
        OPT_VCPU_TYPE,
        OPT_VCPU_SIG,
        OPT_VCPU_FAMILY,
        OPT_VCPU_MODEL,
        OPT_VCPU_STEPPING,
        OPT_VMM_TYPE,
        OPT_OVMF,
        OPT_KERNEL,
        OPT_INITRD,
        OPT_APPEND,
        OPT_GUEST_FEATURES,
        OPT_OUTPUT_FORMAT,
        OPT_SNP_OVMF_HASH,
        OPT_DUMP_VMSA,
        OPT_SVSM,
        OPT_VARS_SIZE,
        OPT_VARS_FILE,
        OPT_JSON,
        OPT_VERSION,
};

static void help(FILE *f, const char *prog)
{
        size_t n;
        const ct_snp_vcpu_type *types = ct_snp_vcpu_types(&n);

        fprintf(f,
                "Usage: %s --mode MODE --ovmf FILE [OPTIONS]\n"
                "\n"
                "Compute the SEV / SEV-ES / SEV-SNP launch digest of a QEMU direct boot (or firmware-only boot),\n"
                "bit-identical to sev-snp-measure 0.0.13 and with its option names. Lists and ranges of vCPU\n"
                "counts, vCPU types and VMM types give one row per combination.\n"
                "\n"
                "Options:\n"
                "  --mode MODE            sev | seves | snp | snp:ovmf-hash | snp:svsm (required)\n"
                "  --vcpus N|LIST         number of vCPUs (required except in sev and snp:ovmf-hash);\n"
                "                         a list and/or ranges: 1,2,4 or 1-64 or 1-8,16,32\n"
                "  --vcpu-type T|LIST     QEMU CPU model (see below), a comma list, or 'all' (every name)\n"
                "  --vcpu-sig N           CPUID(1).EAX signature (overrides --vcpu-type); 0x.. / 0b.. / decimal\n"
                "  --vcpu-family N, --vcpu-model N, --vcpu-stepping N\n"
                "                         signature from family/model/stepping (overrides --vcpu-sig; all three)\n"
                "  --vmm-type V|LIST      QEMU (default), ec2, gce (case-sensitive), or a comma list\n"
                "  --ovmf FILE            the firmware image (OVMF.fd; AmdSevX64 build for direct boot)\n"
                "  --kernel FILE          kernel (QEMU -kernel) for direct boot\n"
                "  --initrd FILE          initrd (QEMU -initrd); needs --kernel\n"
                "  --append CMDLINE       kernel command line (QEMU -append); needs --kernel\n"
                "  --guest-features N     SEV features of the SNP VMSA (default 0x1)\n"
                "  --output-format F      hex (default) or base64\n"
                "  --snp-ovmf-hash HEX    snp: start from this precalculated firmware digest (48 bytes)\n"
                "  --dump-vmsa            write the VMSA pages as vmsa<i>.bin into the current directory\n"
                "  --svsm FILE            snp:svsm: the Coconut-SVSM image\n"
                "  --vars-size N          snp:svsm: size of the OVMF variable store\n"
                "  --vars-file FILE       snp:svsm: the OVMF variable store (its size is used)\n"
                "  -v, --verbose          print 'Calculated <MODE> guest measurement: <digest>'\n"
                "      --json             print the digest with every parameter and input file digest as JSON\n"
                "                         (an array of objects for a table)\n"
                "  -h, --help             this help\n"
                "\n"
                "vCPU types:",
                prog);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s %s", i % 8 ? "" : "\n ", types[i].name);
        fprintf(f, "\n\n"
                   "With one combination the output is exactly sev-snp-measure's line; with several, a table with a\n"
                   "header (vmm, vcpu_type, vcpu_sig, vcpus, measurement), one row per combination.\n"
                   "Exit status: 0 ok, 2 bad input or usage (every case where sev-snp-measure fails), 3 I/O or\n"
                   "internal error.\n");
}

/* ---- Python int() compatible parsing ---- */

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

/*
 * Python int(s, base) for base 10 or 0 (prefixes 0x 0o 0b, no leading zeros
 * in decimal, single underscores between digits, surrounding whitespace).
 * false on bad text or a magnitude beyond 64 bits.
 */
static bool py_int_wrap(const char *s, int base, bool wrap, bool *ret_neg, uint64_t *ret_mag);

static bool py_int(const char *s, int base, bool *ret_neg, uint64_t *ret_mag)
{
        return py_int_wrap(s, base, false, ret_neg, ret_mag);
}

/* As py_int; with wrap, a magnitude beyond 64 bits is kept modulo 2^64 (what a ctypes u64 field stores). */
static bool py_int_wrap(const char *s, int base, bool wrap, bool *ret_neg, uint64_t *ret_mag)
{
        const char *p = s, *end;
        bool neg = false, any = false, prev_us = false, zero_lead = false;
        uint64_t v = 0;

        while (*p && isspace((unsigned char)*p))
                p++;
        end = p + strlen(p);
        while (end > p && isspace((unsigned char)end[-1]))
                end--;
        if (p < end && (*p == '+' || *p == '-'))
                neg = *p++ == '-';
        if (base == 0) {
                base = 10;
                if (end - p >= 2 && p[0] == '0' && strchr("xXoObB", p[1])) {
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
                {
                        /* both steps always run: with wrap, v keeps the value modulo 2^64 */
                        bool over = __builtin_mul_overflow(v, (uint64_t)base, &v);
                        over = __builtin_add_overflow(v, (uint64_t)d, &v) || over;
                        if (over && !wrap)
                                return false;
                }
                any = true;
                prev_us = false;
        }
        if (!any || prev_us)
                return false;
        *ret_neg = neg;
        *ret_mag = v;
        return true;
}

/* int(x, 0) stored the way ctypes stores it in a u64 (negative values wrap). */
static bool parse_u64_wrap(const char *s, uint64_t *ret)
{
        bool neg;
        uint64_t m;

        if (!py_int_wrap(s, 0, true, &neg, &m))
                return false;
        *ret = neg ? (uint64_t)0 - m : m;
        return true;
}

static bool parse_i64(const char *s, int64_t *ret)
{
        bool neg;
        uint64_t m;

        if (!py_int(s, 10, &neg, &m))
                return false;
        if (neg ? m > (uint64_t)INT64_MAX + 1 : m > (uint64_t)INT64_MAX)
                return false;
        *ret = neg ? (m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m) : (int64_t)m;
        return true;
}

/*
 * argparse takes an argument that starts with '-' for an option unless it
 * looks like a negative number (^-\d+$ or ^-\d*\.\d+$) or is "-" itself, so
 * sev-snp-measure fails on "--append -x" or "--vcpu-sig -0x1"; so do we.
 */
static bool argparse_value_ok(const char *s)
{
        const char *p = s + 1, *dot;

        if (s[0] != '-' || s[1] == 0)
                return true;
        dot = strchr(p, '.');
        if (!dot)
                return strspn(p, "0123456789") == strlen(p);
        return strspn(p, "0123456789") == (size_t)(dot - p) && dot[1] &&
               strspn(dot + 1, "0123456789") == strlen(dot + 1);
}

/* ---- lists ---- */

static bool parse_count(const char *s, size_t n, int64_t *ret)
{
        char buf[32];

        if (n == 0 || n >= sizeof(buf))
                return false;
        memcpy(buf, s, n);
        buf[n] = 0;
        return parse_i64(buf, ret);
}

/* "N", "1,2,4", "1-64", "1-8,16" (ranges ascending, of non-negative counts). */
static int parse_vcpus(const char *s, int64_t **ret, size_t *ret_n)
{
        int64_t *v = NULL;
        size_t n = 0, cap = 0;
        const char *p = s;

        int64_t one;

        if (parse_i64(s, &one)) { /* what sev-snp-measure accepts: int(x), negative included */
                v = malloc(sizeof(*v));
                if (!v)
                        abort();
                *v = one;
                *ret = v;
                *ret_n = 1;
                return 0;
        }
        for (;;) {
                const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
                const char *dash = NULL;
                int64_t a, b;

                for (const char *q = p + 1; q < end && !dash; q++) /* p[0] may be a sign */
                        if (*q == '-')
                                dash = q;

                if (dash) {
                        if (!parse_count(p, (size_t)(dash - p), &a) || !parse_count(dash + 1, (size_t)(end - dash - 1), &b) ||
                            a < 0 || b < a)
                                goto bad;
                } else {
                        if (!parse_count(p, (size_t)(end - p), &a))
                                goto bad;
                        b = a;
                }
                if (b > CT_MAX_SNP_VCPUS) {
                        free(v);
                        return tool_usage("argument --vcpus: %lld is above the limit of %d vCPUs", (long long)b,
                                          CT_MAX_SNP_VCPUS);
                }
                for (int64_t x = a; x <= b; x++) {
                        if (n == cap) {
                                int64_t *nv;
                                cap = cap ? 2 * cap : 16;
                                if (cap > MAX_TABLE_ROWS) {
                                        free(v);
                                        return tool_usage("argument --vcpus: more than %u values", MAX_TABLE_ROWS);
                                }
                                nv = realloc(v, cap * sizeof(*v));
                                if (!nv)
                                        abort();
                                v = nv;
                        }
                        v[n++] = x;
                }
                if (!comma)
                        break;
                p = comma + 1;
        }
        *ret = v;
        *ret_n = n;
        return 0;
bad:
        free(v);
        return tool_usage("argument --vcpus: invalid value '%s' (a count, a list 1,2,4 or a range 1-64)", s);
}

/* Split a comma list into at most MAX_LIST_ITEMS pointers into a copy of s. */
static int split_list(const char *s, const char *what, char **ret_copy, const char ***ret, size_t *ret_n)
{
        char *copy = strdup(s), *save = NULL, *tok;
        const char **items = calloc(MAX_LIST_ITEMS, sizeof(*items));
        size_t n = 0;

        if (!copy || !items)
                abort();
        for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (n == MAX_LIST_ITEMS) {
                        free(copy);
                        free(items);
                        return tool_usage("argument %s: more than %d values", what, MAX_LIST_ITEMS);
                }
                items[n++] = tok;
        }
        if (n == 0) {
                free(copy);
                free(items);
                return tool_usage("argument %s: empty value", what);
        }
        *ret_copy = copy;
        *ret = items;
        *ret_n = n;
        return 0;
}

/* ---- inputs ---- */

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/* Fill the page tables of a mapped input in one call (page faults are what costs on small VMs). */
static void populate(const ct_blob *b)
{
        if (b->data && b->len)
                (void)madvise((void *)(uintptr_t)b->data, b->len, MADV_POPULATE_READ);
}

/*
 * SHA-256 and size of a whole file (regular file or device such as /dev/null),
 * read in 128 KiB pieces into one buffer: a fresh 1 MiB buffer per file costs
 * more in page faults than the hashing itself on small VMs.
 */
#define READ_CHUNK (128u << 10)

static int hash_input(struct input *in, const char *path)
{
        static uint8_t buf[READ_CHUNK];
        ct_error err;
        ct_hash h;
        ct_digest d;
        uint64_t size = 0;
        int fd, ret = 0;

        ct_error_clear(&err);
        /* a regular file: map it, populated in one call, and hash it in place */
        {
                ct_blob b;
                if (ct_blob_read(path, 0, &b, NULL) == CT_OK) {
                        populate(&b);
                        if (ct_hash_buf(CT_HASH_SHA256, b.data ? (const void *)b.data : "", b.len, &d, &err)) {
                                ct_blob_free(&b);
                                return tool_fail(&err, path);
                        }
                        in->path = path;
                        in->present = true;
                        in->size = b.len;
                        memcpy(in->sha256, d.bytes, 32);
                        ct_blob_free(&b);
                        return 0;
                }
        }
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                ct_error_set_errno(&err, errno, "cannot open");
                tool_fail(&err, path);
                return EXIT_BAD_INPUT;
        }
        if (ct_hash_init(&h, CT_HASH_SHA256, &err)) {
                close(fd);
                return tool_fail(&err, path);
        }
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        ct_error_set_errno(&err, errno, "read failed");
                        tool_fail(&err, path);
                        ret = EXIT_BAD_INPUT;
                        break;
                }
                if (n == 0)
                        break;
                if (ct_hash_update(&h, buf, (size_t)n)) {
                        ct_error_set(&err, CT_E_CRYPTO, "SHA-256 failed");
                        ret = tool_fail(&err, path);
                        break;
                }
                size += (uint64_t)n;
        }
        close(fd);
        if (!ret && ct_hash_final(&h, &d)) {
                ct_error_set(&err, CT_E_CRYPTO, "SHA-256 failed");
                ret = tool_fail(&err, path);
        }
        ct_hash_free(&h);
        if (ret)
                return ret;
        in->path = path;
        in->present = true;
        in->size = size;
        memcpy(in->sha256, d.bytes, 32);
        return 0;
}

static int read_blob(const char *path, ct_blob *b)
{
        ct_error err;

        ct_error_clear(&err);
        if (ct_blob_read(path, CT_MAX_SNP_FIRMWARE_SIZE, b, &err)) {
                tool_fail(&err, NULL);
                return err.code == CT_E_IO ? EXIT_BAD_INPUT : ct_code_exit_status(err.code);
        }
        populate(b);
        return 0;
}

static void blob_input(struct input *in, const char *path, const ct_blob *b)
{
        ct_digest d;

        in->path = path;
        in->present = true;
        in->size = b->len;
        if (ct_hash_buf(CT_HASH_SHA256, b->data ? (const void *)b->data : "", b->len, &d, NULL) == CT_OK)
                memcpy(in->sha256, d.bytes, 32);
}

/* ---- output ---- */

static const char *verbose_name(ct_snp_mode m)
{
        switch (m) {
        case CT_SNP_MODE_SEV:
                return "SEV";
        case CT_SNP_MODE_SEV_ES:
                return "SEV_ES";
        case CT_SNP_MODE_SNP_SVSM:
                return "SEV_SNP_SVSM";
        default:
                return "SEV_SNP";
        }
}

static void format_digest(const ct_digest *d, bool base64, char *out)
{
        if (base64)
                ct_base64_encode(d->bytes, d->len, out);
        else
                ct_hex_encode(d->bytes, d->len, out);
}

static json_object *input_json(const struct input *in)
{
        json_object *o = json_object_new_object();

        tool_json_add_str(o, "path", in->path);
        tool_json_add_int(o, "size", (int64_t)in->size);
        tool_json_add_hex(o, "sha256", in->sha256, 32);
        return o;
}

static void add_hex_u64(json_object *o, const char *key, uint64_t v)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "0x%llx", (ull)v);
        tool_json_add_str(o, key, buf);
}

struct run {
        const struct opts *o;
        ct_snp_mode mode;
        bool base64;
        struct input ovmf, kernel, initrd, svsm, vars;
        uint8_t cmdline_sha256[32];
        uint64_t guest_features, vars_size;
        bool has_ovmf_hash;
        uint8_t ovmf_hash[CT_SNP_LD_SIZE];
};

static json_object *row_json(const struct run *r, ct_snp_vmm vmm, const struct sigsel *s, int64_t vcpus,
                             const ct_digest *d)
{
        json_object *o = tool_json_new();
        json_object *inputs = json_object_new_object();
        char b64[2 * CT_HASH_MAX_SIZE + 1];
        bool vmsa = r->mode == CT_SNP_MODE_SEV_ES || r->mode == CT_SNP_MODE_SNP || r->mode == CT_SNP_MODE_SNP_SVSM;
        bool uses_sig = vmsa && (vmm == CT_SNP_VMM_QEMU || r->mode == CT_SNP_MODE_SNP_SVSM);

        tool_json_add_str(o, "compatible_with", "sev-snp-measure 0.0.13");
        tool_json_add_str(o, "mode", ct_snp_mode_name(r->mode));
        tool_json_add_str(o, "digest_algorithm", ct_hash_name(d->alg));
        tool_json_add_digest(o, "measurement", d);
        ct_base64_encode(d->bytes, d->len, b64);
        tool_json_add_str(o, "measurement_base64", b64);
        if (vmsa)
                tool_json_add_int(o, "vcpus", vcpus);
        else
                tool_json_add_str(o, "vcpus", NULL);
        tool_json_add_str(o, "vcpu_type", vmsa ? s->type : NULL);
        if (vmsa && s->has_sig)
                add_hex_u64(o, "vcpu_sig", s->sig);
        else
                tool_json_add_str(o, "vcpu_sig", NULL);
        /* what the VMSA really holds in rdx: ec2 and gce ignore the signature */
        if (vmsa && (uses_sig || vmm != CT_SNP_VMM_QEMU))
                add_hex_u64(o, "vmsa_rdx", uses_sig ? s->sig : 0x600);
        else
                tool_json_add_str(o, "vmsa_rdx", NULL);
        tool_json_add_str(o, "vmm_type", vmsa && r->mode != CT_SNP_MODE_SNP_SVSM ? ct_snp_vmm_name(vmm) : NULL);
        if (r->mode == CT_SNP_MODE_SNP)
                add_hex_u64(o, "guest_features", r->guest_features);
        else if (r->mode == CT_SNP_MODE_SEV_ES)
                add_hex_u64(o, "guest_features", 0);
        else if (r->mode == CT_SNP_MODE_SNP_SVSM)
                add_hex_u64(o, "guest_features", 1);
        else
                tool_json_add_str(o, "guest_features", NULL);
        if (r->has_ovmf_hash && r->mode == CT_SNP_MODE_SNP)
                tool_json_add_hex(o, "snp_ovmf_hash", r->ovmf_hash, CT_SNP_LD_SIZE);
        else
                tool_json_add_str(o, "snp_ovmf_hash", NULL);
        json_object_object_add(inputs, "ovmf", input_json(&r->ovmf));
        if (r->kernel.present) {
                json_object_object_add(inputs, "kernel", input_json(&r->kernel));
                if (r->initrd.present)
                        json_object_object_add(inputs, "initrd", input_json(&r->initrd));
                else
                        json_object_object_add(inputs, "initrd", NULL);
        }
        if (r->svsm.present)
                json_object_object_add(inputs, "svsm", input_json(&r->svsm));
        if (r->vars.present)
                json_object_object_add(inputs, "vars_file", input_json(&r->vars));
        json_object_object_add(o, "inputs", inputs);
        if (r->kernel.present) {
                tool_json_add_str(o, "append", r->o->append ? r->o->append : "");
                tool_json_add_hex(o, "cmdline_sha256", r->cmdline_sha256, 32);
        }
        if (r->mode == CT_SNP_MODE_SNP_SVSM)
                tool_json_add_int(o, "vars_size", (int64_t)r->vars_size);
        return o;
}

/* ---- the verb ---- */

static int dump_vmsa(const ct_snp_base *b, ct_snp_vmm vmm, const struct sigsel *s, uint64_t gf, int64_t vcpus)
{
        uint8_t page[CT_SNP_PAGE_SIZE];
        char name[32];
        ct_error err;

        ct_error_clear(&err);
        for (int64_t i = 0; i < vcpus; i++) {
                snprintf(name, sizeof(name), "vmsa%lld.bin", (long long)i);
                if (ct_snp_base_vmsa(b, vmm, s->sig, gf, (uint64_t)i, page, &err) ||
                    ct_write_file_atomic(name, page, sizeof(page), &err))
                        return tool_fail(&err, name);
        }
        return 0;
}

static int fail_measure(const ct_error *err, const struct run *r)
{
        const char *file = r->o->ovmf;
        ct_error e = *err;

        if (strncmp(e.msg, "SVSM image: ", 12) == 0 && r->o->svsm) {
                memmove(e.msg, e.msg + 12, strlen(e.msg + 12) + 1);
                file = r->o->svsm;
        }
        tool_fail(&e, file);
        return e.code == CT_E_NOMEM || e.code == CT_E_CRYPTO ? EXIT_INTERNAL : EXIT_BAD_INPUT;
}

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

static int measure(struct run *r, ct_snp_base *b, const ct_snp_vmm *vmms, size_t n_vmm, const struct sigsel *sigs,
                   size_t n_sig, const int64_t *vcpus, size_t n_vcpus)
{
        size_t rows = n_vmm * n_sig * n_vcpus;
        struct order *ord = calloc(n_vcpus, sizeof(*ord));
        int64_t *sorted = calloc(n_vcpus, sizeof(*sorted));
        ct_digest *sd = calloc(n_vcpus, sizeof(*sd)), *out = calloc(rows, sizeof(*out));
        json_object *arr = NULL;
        char text[2 * CT_HASH_MAX_SIZE + 1];
        ct_error err;
        int ret = 0;

        if (!ord || !sorted || !sd || !out)
                abort();
        ct_error_clear(&err);
        for (size_t i = 0; i < n_vcpus; i++)
                ord[i] = (struct order){ vcpus[i], i };
        qsort(ord, n_vcpus, sizeof(*ord), cmp_order);
        for (size_t i = 0; i < n_vcpus; i++)
                sorted[i] = ord[i].v;
        for (size_t m = 0; m < n_vmm; m++)
                for (size_t s = 0; s < n_sig; s++) {
                        if (ct_snp_base_measure(b, vmms[m], sigs[s].sig, r->guest_features, sorted, n_vcpus, sd,
                                                &err)) {
                                ret = fail_measure(&err, r);
                                goto out;
                        }
                        for (size_t i = 0; i < n_vcpus; i++)
                                out[(m * n_sig + s) * n_vcpus + ord[i].idx] = sd[i];
                }

        if (rows == 1) {
                if (r->o->dump_vmsa && (r->mode == CT_SNP_MODE_SEV_ES || r->mode == CT_SNP_MODE_SNP ||
                                        r->mode == CT_SNP_MODE_SNP_SVSM)) { /* sev, snp:ovmf-hash: none */
                        ret = dump_vmsa(b, vmms[0], &sigs[0], r->guest_features, vcpus[0]);
                        if (ret)
                                goto out;
                }
                if (r->o->json) {
                        tool_json_print(row_json(r, vmms[0], &sigs[0], vcpus[0], &out[0]));
                } else if (r->mode == CT_SNP_MODE_SNP_OVMF_HASH) {
                        puts(ct_hex_encode(out[0].bytes, out[0].len, text));
                } else {
                        format_digest(&out[0], r->base64, text);
                        if (r->o->verbose)
                                printf("Calculated %s guest measurement: %s\n", verbose_name(r->mode), text);
                        else
                                puts(text);
                }
                goto out;
        }
        if (r->o->json)
                arr = json_object_new_array();
        else
                printf("%-5s %-14s %-18s %6s %s\n", "vmm", "vcpu_type", "vcpu_sig", "vcpus", "measurement");
        for (size_t m = 0; m < n_vmm; m++)
                for (size_t s = 0; s < n_sig; s++)
                        for (size_t i = 0; i < n_vcpus; i++) {
                                const ct_digest *d = &out[(m * n_sig + s) * n_vcpus + i];
                                if (arr) {
                                        json_object_array_add(arr, row_json(r, vmms[m], &sigs[s], vcpus[i], d));
                                        continue;
                                }
                                char sig[24];
                                if (sigs[s].has_sig)
                                        snprintf(sig, sizeof(sig), "0x%llx", (ull)sigs[s].sig);
                                else
                                        snprintf(sig, sizeof(sig), "-");
                                if (r->mode == CT_SNP_MODE_SNP_OVMF_HASH)
                                        ct_hex_encode(d->bytes, d->len, text);
                                else
                                        format_digest(d, r->base64, text);
                                printf("%-5s %-14s %-18s %6lld %s\n", ct_snp_vmm_name(vmms[m]),
                                       sigs[s].type ? sigs[s].type : "-", sig, (long long)vcpus[i], text);
                        }
        if (arr) {
                const char *str = json_object_to_json_string_ext(
                        arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
                fputs(str, stdout);
                fputc('\n', stdout);
                json_object_put(arr);
        }
out:
        free(ord);
        free(sorted);
        free(sd);
        free(out);
        return ret;
}

static int verb_measure(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "mode", required_argument, NULL, OPT_MODE },
                { "vcpus", required_argument, NULL, OPT_VCPUS },
                { "vcpu-type", required_argument, NULL, OPT_VCPU_TYPE },
                { "vcpu-sig", required_argument, NULL, OPT_VCPU_SIG },
                { "vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY },
                { "vcpu-model", required_argument, NULL, OPT_VCPU_MODEL },
                { "vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING },
                { "vmm-type", required_argument, NULL, OPT_VMM_TYPE },
                { "ovmf", required_argument, NULL, OPT_OVMF },
                { "kernel", required_argument, NULL, OPT_KERNEL },
                { "initrd", required_argument, NULL, OPT_INITRD },
                { "append", required_argument, NULL, OPT_APPEND },
                { "guest-features", required_argument, NULL, OPT_GUEST_FEATURES },
                { "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
                { "snp-ovmf-hash", required_argument, NULL, OPT_SNP_OVMF_HASH },
                { "dump-vmsa", no_argument, NULL, OPT_DUMP_VMSA },
                { "svsm", required_argument, NULL, OPT_SVSM },
                { "vars-size", required_argument, NULL, OPT_VARS_SIZE },
                { "vars-file", required_argument, NULL, OPT_VARS_FILE },
                { "verbose", no_argument, NULL, 'v' },
                { "json", no_argument, NULL, OPT_JSON },
                { "version", no_argument, NULL, OPT_VERSION },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct opts o = { 0 };
        struct run r;
        ct_snp_params p;
        ct_snp_vmm vmms[CT_SNP_VMM__MAX * 4];
        size_t n_vmm = 0, n_sig = 0, n_vcpus = 0;
        struct sigsel *sigs = NULL;
        int64_t *vcpus = NULL;
        char *copy = NULL;
        const char **items = NULL;
        ct_blob ovmf = { 0 }, svsm = { 0 };
        ct_snp_base *base = NULL;
        ct_error err;
        int c, ret = 0;

        memset(&r, 0, sizeof(r));
        memset(&p, 0, sizeof(p));
        ct_error_clear(&err);
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
                if (optarg && optarg == argv[optind - 1] && !argparse_value_ok(optarg))
                        return tool_usage("argument %s: expected one argument (a value starting with '-' must be "
                                          "given as %s=VALUE)",
                                          argv[optind - 2], argv[optind - 2]);
                switch (c) {
                case OPT_MODE: o.mode_s = optarg; break;
                case OPT_VCPUS: o.vcpus_s = optarg; break;
                case OPT_VCPU_TYPE: o.vcpu_type_s = optarg; break;
                case OPT_VCPU_SIG: o.vcpu_sig_s = optarg; break;
                case OPT_VCPU_FAMILY: o.family_s = optarg; break;
                case OPT_VCPU_MODEL: o.model_s = optarg; break;
                case OPT_VCPU_STEPPING: o.stepping_s = optarg; break;
                case OPT_VMM_TYPE: o.vmm_s = optarg; break;
                case OPT_OVMF: o.ovmf = optarg; break;
                case OPT_KERNEL: o.kernel = optarg; break;
                case OPT_INITRD: o.initrd = optarg; break;
                case OPT_APPEND: o.append = optarg; break;
                case OPT_GUEST_FEATURES: o.guest_features_s = optarg; break;
                case OPT_OUTPUT_FORMAT: o.format = optarg; break;
                case OPT_SNP_OVMF_HASH: o.ovmf_hash = optarg; break;
                case OPT_DUMP_VMSA: o.dump_vmsa = true; break;
                case OPT_SVSM: o.svsm = optarg; break;
                case OPT_VARS_SIZE: o.vars_size_s = optarg; break;
                case OPT_VARS_FILE: o.vars_file = optarg; break;
                case 'v': o.verbose = true; break;
                case OPT_JSON: o.json = true; break;
                case OPT_VERSION:
                        printf("cocotrust %s (sev-snp-measure 0.0.13 compatible)\n", CT_VERSION);
                        return EXIT_OK;
                case 'h':
                        help(stdout, argv[0]);
                        return EXIT_OK;
                case ':':
                        return tool_usage("option %s needs an argument", argv[optind - 1]);
                default:
                        return tool_usage("unknown option '%s'; run '%s --help'", argv[optind - 1], argv[0]);
                }
        }
        if (optind < argc)
                return tool_usage("unexpected argument '%s'", argv[optind]);
        r.o = &o;

        /* argparse's checks, in its order */
        if (!o.mode_s || !ct_snp_mode_from_name(o.mode_s, &r.mode))
                return tool_usage("argument --mode: %s (choose from 'sev', 'seves', 'snp', 'snp:ovmf-hash', "
                                  "'snp:svsm')",
                                  o.mode_s ? "invalid choice" : "required");
        if (!o.ovmf)
                return tool_usage("the following arguments are required: --ovmf");
        if (o.format && strcmp(o.format, "hex") != 0 && strcmp(o.format, "base64") != 0)
                return tool_usage("argument --output-format: invalid choice: '%s' (choose from 'hex', 'base64')",
                                  o.format);
        r.base64 = o.format && strcmp(o.format, "base64") == 0;
        r.guest_features = 1;
        if (o.guest_features_s && !parse_u64_wrap(o.guest_features_s, &r.guest_features))
                return tool_usage("argument --guest-features: invalid value '%s'", o.guest_features_s);
        /* argparse converts every option whatever the mode: bad values fail even where they are unused */
        {
                uint64_t u;
                int64_t i;
                if (o.vcpu_sig_s && !parse_u64_wrap(o.vcpu_sig_s, &u))
                        return tool_usage("argument --vcpu-sig: invalid value '%s'", o.vcpu_sig_s);
                if ((o.family_s && !parse_i64(o.family_s, &i)) || (o.model_s && !parse_i64(o.model_s, &i)) ||
                    (o.stepping_s && !parse_i64(o.stepping_s, &i)))
                        return tool_usage("--vcpu-family/--vcpu-model/--vcpu-stepping: decimal integers expected");
                if (o.vcpu_type_s && strcmp(o.vcpu_type_s, "all") != 0) {
                        ret = split_list(o.vcpu_type_s, "--vcpu-type", &copy, &items, &n_sig);
                        for (size_t k = 0; !ret && k < n_sig; k++)
                                if (!ct_snp_vcpu_type_find(items[k]))
                                        ret = tool_usage("argument --vcpu-type: invalid choice: '%s' (run '%s --help' "
                                                         "for the list, or use 'all')",
                                                         items[k], argv[0]);
                        free(copy);
                        free(items);
                        copy = NULL;
                        items = NULL;
                        n_sig = 0;
                        if (ret)
                                return ret;
                }
        }
        if (o.vars_size_s && o.vars_file)
                return tool_usage("argument --vars-file: not allowed with argument --vars-size");
        if (o.vars_size_s) {
                int64_t vs;
                if (!parse_i64(o.vars_size_s, &vs) || vs < 0)
                        return tool_usage("argument --vars-size: invalid value '%s'", o.vars_size_s);
                r.vars_size = (uint64_t)vs;
        }
        if (r.mode != CT_SNP_MODE_SNP_OVMF_HASH) {
                if (o.initrd && *o.initrd && !o.kernel)
                        return tool_usage("--kernel required when using --initrd");
                if (o.append && *o.append && !o.kernel)
                        return tool_usage("--kernel required when using --append");
                if (r.mode != CT_SNP_MODE_SEV && !o.vcpus_s)
                        return tool_usage("missing --vcpus N in guest mode '%s'", o.mode_s);
        }

        /* --vmm-type (sev-snp-measure has printed the snp:ovmf-hash digest before it looks at it) */
        if (o.vmm_s && r.mode != CT_SNP_MODE_SNP_OVMF_HASH) {
                ret = split_list(o.vmm_s, "--vmm-type", &copy, &items, &n_vmm);
                if (ret)
                        goto out;
                if (n_vmm > (sizeof(vmms) / sizeof(vmms[0]))) {
                        ret = tool_usage("argument --vmm-type: at most %zu values", (size_t)(sizeof(vmms) / sizeof(vmms[0])));
                        goto out;
                }
                for (size_t i = 0; i < n_vmm; i++)
                        if (!ct_snp_vmm_from_name(items[i], &vmms[i])) {
                                ret = tool_usage("unknown VMM type '%s' (choose from QEMU, ec2, gce)", items[i]);
                                goto out;
                        }
                free(copy);
                free(items);
                copy = NULL;
                items = NULL;
        } else {
                vmms[0] = CT_SNP_VMM_QEMU;
                n_vmm = 1;
        }

        /* vCPU signature(s): family/model/stepping, then --vcpu-sig, then --vcpu-type */
        if (r.mode == CT_SNP_MODE_SEV || r.mode == CT_SNP_MODE_SNP_OVMF_HASH) {
                sigs = calloc(1, sizeof(*sigs));
                if (!sigs)
                        abort();
                sigs[0] = (struct sigsel){ NULL, 0, true };
                n_sig = 1;
        } else if (o.family_s || o.vcpu_sig_s) {
                int64_t f, m, s;
                sigs = calloc(1, sizeof(*sigs));
                if (!sigs)
                        abort();
                n_sig = 1;
                if (o.family_s) {
                        if (!o.model_s || !o.stepping_s) {
                                ret = tool_usage("--vcpu-family needs --vcpu-model and --vcpu-stepping too");
                                goto out;
                        }
                        if (!parse_i64(o.family_s, &f) || f < 0 || !parse_i64(o.model_s, &m) || m < 0 ||
                            !parse_i64(o.stepping_s, &s) || s < 0) {
                                ret = tool_usage("--vcpu-family/--vcpu-model/--vcpu-stepping: non-negative decimal "
                                                 "integers expected");
                                goto out;
                        }
                        sigs[0] = (struct sigsel){ NULL, ct_snp_cpu_sig((uint64_t)f, (uint64_t)m, (uint64_t)s), true };
                } else {
                        if (!parse_u64_wrap(o.vcpu_sig_s, &sigs[0].sig)) {
                                ret = tool_usage("argument --vcpu-sig: invalid value '%s'", o.vcpu_sig_s);
                                goto out;
                        }
                        sigs[0].has_sig = true;
                }
        } else if (o.vcpu_type_s) {
                size_t nt;
                const ct_snp_vcpu_type *types = ct_snp_vcpu_types(&nt);

                if (strcmp(o.vcpu_type_s, "all") == 0) {
                        sigs = calloc(nt, sizeof(*sigs));
                        if (!sigs)
                                abort();
                        for (size_t i = 0; i < nt; i++)
                                sigs[i] = (struct sigsel){ types[i].name,
                                                           ct_snp_cpu_sig(types[i].family, types[i].model,
                                                                          types[i].stepping),
                                                           true };
                        n_sig = nt;
                } else {
                        ret = split_list(o.vcpu_type_s, "--vcpu-type", &copy, &items, &n_sig);
                        if (ret)
                                goto out;
                        sigs = calloc(n_sig, sizeof(*sigs));
                        if (!sigs)
                                abort();
                        for (size_t i = 0; i < n_sig; i++) {
                                const ct_snp_vcpu_type *t = ct_snp_vcpu_type_find(items[i]);
                                if (!t) {
                                        ret = tool_usage("argument --vcpu-type: invalid choice: '%s' (run '%s --help' "
                                                         "for the list, or use 'all')",
                                                         items[i], argv[0]);
                                        goto out;
                                }
                                sigs[i] = (struct sigsel){ t->name, ct_snp_cpu_sig(t->family, t->model, t->stepping),
                                                           true };
                        }
                }
        } else {
                for (size_t i = 0; i < n_vmm; i++)
                        if (vmms[i] == CT_SNP_VMM_QEMU || r.mode == CT_SNP_MODE_SNP_SVSM) {
                                ret = tool_usage("missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode "
                                                 "'%s'",
                                                 o.mode_s);
                                goto out;
                        }
                sigs = calloc(1, sizeof(*sigs));
                if (!sigs)
                        abort();
                sigs[0] = (struct sigsel){ NULL, 0, false };
                n_sig = 1;
        }
        if (o.ovmf_hash && *o.ovmf_hash && r.mode != CT_SNP_MODE_SNP_OVMF_HASH) {
                size_t len = 0;
                if (r.mode != CT_SNP_MODE_SNP) {
                        ret = tool_usage("--snp-ovmf-hash only works with --mode snp");
                        goto out;
                }
                if (ct_hex_decode(o.ovmf_hash, r.ovmf_hash, sizeof(r.ovmf_hash), &len, NULL) || len != CT_SNP_LD_SIZE) {
                        ret = tool_usage("argument --snp-ovmf-hash: '%s' is not %d bytes of hex (an SNP launch "
                                         "digest)",
                                         o.ovmf_hash, CT_SNP_LD_SIZE);
                        goto out;
                }
                r.has_ovmf_hash = true;
        }

        /* --vcpus */
        if (o.vcpus_s) {
                ret = parse_vcpus(o.vcpus_s, &vcpus, &n_vcpus);
                if (ret)
                        goto out;
        } else {
                vcpus = calloc(1, sizeof(*vcpus));
                if (!vcpus)
                        abort();
                n_vcpus = 1;
        }
        if (r.mode == CT_SNP_MODE_SEV || r.mode == CT_SNP_MODE_SNP_OVMF_HASH) {
                /* counts, types and VMMs do not enter these digests: one row */
                n_vcpus = 1;
                n_vmm = 1;
                n_sig = 1;
        }
        if ((uint64_t)n_vmm * n_sig * n_vcpus > MAX_TABLE_ROWS) {
                ret = tool_usage("a table of %zu x %zu x %zu rows is above the limit of %u", n_vmm, n_sig, n_vcpus,
                                 MAX_TABLE_ROWS);
                goto out;
        }
        if (o.dump_vmsa && r.mode == CT_SNP_MODE_SEV) {
                ret = tool_usage("--dump-vmsa is not available in the selected mode (sev has no VMSA)");
                goto out;
        }
        if (o.dump_vmsa && n_vmm * n_sig * n_vcpus != 1) {
                ret = tool_usage("--dump-vmsa needs a single configuration (one vCPU count, type and VMM type)");
                goto out;
        }
        if (r.mode == CT_SNP_MODE_SNP_SVSM) {
                for (size_t i = 0; i < n_vmm; i++)
                        if (vmms[i] != CT_SNP_VMM_QEMU) {
                                ret = tool_usage("mode snp:svsm is only implemented for --vmm-type QEMU");
                                goto out;
                        }
                if (!o.svsm) {
                        ret = tool_usage("mode snp:svsm needs --svsm");
                        goto out;
                }
                if (!o.vars_size_s && !o.vars_file) {
                        ret = tool_usage("mode snp:svsm needs --vars-size or --vars-file");
                        goto out;
                }
        }

        /* inputs */
        ret = read_blob(o.ovmf, &ovmf);
        if (ret)
                goto out;
        if (o.json)
                blob_input(&r.ovmf, o.ovmf, &ovmf);
        if (o.kernel && *o.kernel && r.mode != CT_SNP_MODE_SNP_OVMF_HASH) {
                ret = hash_input(&r.kernel, o.kernel);
                if (!ret && o.initrd && *o.initrd)
                        ret = hash_input(&r.initrd, o.initrd);
                if (ret)
                        goto out;
                if (ct_snp_cmdline_sha256(o.append, r.cmdline_sha256, &err)) {
                        ret = tool_fail(&err, "--append");
                        goto out;
                }
                p.has_kernel = true;
                memcpy(p.kernel_sha256, r.kernel.sha256, 32);
                if (r.initrd.present) {
                        memcpy(p.initrd_sha256, r.initrd.sha256, 32);
                } else {
                        ct_digest e;
                        ct_hash_buf(CT_HASH_SHA256, "", 0, &e, NULL);
                        memcpy(p.initrd_sha256, e.bytes, 32);
                }
                memcpy(p.cmdline_sha256, r.cmdline_sha256, 32);
        }
        if (r.mode == CT_SNP_MODE_SNP_SVSM) {
                ret = read_blob(o.svsm, &svsm);
                if (ret)
                        goto out;
                if (o.json)
                        blob_input(&r.svsm, o.svsm, &svsm);
                if (o.vars_file) {
                        ret = hash_input(&r.vars, o.vars_file);
                        if (ret)
                                goto out;
                        r.vars_size = r.vars.size;
                }
                if (!o.vars_file && r.vars_size == 0) { /* an empty --vars-file is accepted, as upstream */
                        ret = tool_usage("mode snp:svsm requires --vars-size or --vars-file");
                        goto out;
                }
        }

        p.mode = r.mode;
        p.vmm = vmms[0];
        p.guest_features = r.guest_features;
        p.ovmf = ovmf.data;
        p.ovmf_len = ovmf.len;
        p.has_ovmf_hash = r.has_ovmf_hash;
        memcpy(p.ovmf_hash, r.ovmf_hash, sizeof(p.ovmf_hash));
        p.svsm = svsm.data;
        p.svsm_len = svsm.len;
        p.vars_size = r.vars_size;
        if (ct_snp_base_new(&p, &base, &err)) {
                ret = fail_measure(&err, &r);
                goto out;
        }
        ret = measure(&r, base, vmms, n_vmm, sigs, n_sig, vcpus, n_vcpus);
out:
        ct_snp_base_free(base);
        ct_blob_free(&ovmf);
        ct_blob_free(&svsm);
        free(copy);
        free(items);
        free(sigs);
        free(vcpus);
        return ret;
}

int tool_snp_report(int argc, char **argv);

static const struct tool_verb verbs[] = {
        { "report", "show|verify REPORT [OPTIONS]", tool_snp_report, "SNP attestation report: decode; verify signature, chain, TCB (verb-snp-report.c)" },
        { "measure", "--mode MODE --ovmf FILE [OPTIONS]", verb_measure,
          "launch digest (sev, seves, snp, snp:ovmf-hash, snp:svsm), sev-snp-measure 0.0.13 compatible; tables" },
};

const struct tool_area tool_area_snp = { "snp", "SEV / SEV-ES / SEV-SNP launch digests (sev-snp-measure compatible)",
                                         verbs, sizeof(verbs) / sizeof(verbs[0]) };
