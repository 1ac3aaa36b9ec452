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

#include "snp-tool.h"
#include "tool.h"


typedef unsigned long long ull;

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
};

static void help(void)
{
        FILE *f = stdout;
        const char *prog = "cocotrust snp measure";
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

/* A bad comma list: a usage error naming the option. */
int snp_fail_list(const ct_error *err, const char *option)
{
        if (err->code == CT_E_NOMEM)
                return tool_fail(err, NULL);
        return tool_usage("argument %s: %s", option, err->msg);
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

/* An input that cannot be read is bad input (exit 2), as sev-snp-measure fails then; the message names it. */
int snp_fail_input(const ct_error *err)
{
        int st = tool_fail(err, NULL);

        return err->code == CT_E_IO ? EXIT_BAD_INPUT : st;
}

int snp_read_blob(const char *path, ct_blob *b)
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

void snp_json_add_hex_u64(json_object *o, const char *key, uint64_t v)
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

static json_object *row_json(const struct run *r, const ct_snp_row *row)
{
        json_object *o = tool_json_new();
        json_object *inputs = json_object_new_object();
        char b64[2 * CT_HASH_MAX_SIZE + 1];
        const ct_digest *d = &row->digest;

        tool_json_add_str(o, "compatible_with", "sev-snp-measure 0.0.13");
        tool_json_add_str(o, "mode", ct_snp_mode_name(row->mode));
        tool_json_add_str(o, "digest_algorithm", ct_hash_name(d->alg));
        tool_json_add_digest(o, "measurement", d);
        ct_base64_encode(d->bytes, d->len, b64);
        tool_json_add_str(o, "measurement_base64", b64);
        if (row->vcpus_apply)
                tool_json_add_int(o, "vcpus", row->vcpus);
        else
                tool_json_add_str(o, "vcpus", NULL);
        tool_json_add_str(o, "vcpu_type", row->vcpus_apply ? row->vcpu_type : NULL);
        if (row->vcpus_apply && row->has_sig)
                snp_json_add_hex_u64(o, "vcpu_sig", row->vcpu_sig);
        else
                tool_json_add_str(o, "vcpu_sig", NULL);
        if (row->has_vmsa_rdx)
                snp_json_add_hex_u64(o, "vmsa_rdx", row->vmsa_rdx);
        else
                tool_json_add_str(o, "vmsa_rdx", NULL);
        tool_json_add_str(o, "vmm_type", row->vmm_applies ? ct_snp_vmm_name(row->vmm) : NULL);
        if (row->has_guest_features)
                snp_json_add_hex_u64(o, "guest_features", row->guest_features);
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

static int dump_vmsa(const ct_snp_base *b, ct_snp_vmm vmm, const ct_snp_sig *s, uint64_t gf, int64_t vcpus)
{
        uint8_t page[CT_SNP_PAGE_SIZE];
        char name[32];
        ct_outputs *outs = NULL;
        ct_error err;
        int rc = 0;

        /* every vmsaN.bin in one set: renamed only when all are written */
        ct_error_clear(&err);
        if (ct_outputs_new(&outs, &err))
                return tool_fail(&err, NULL);
        for (int64_t i = 0; i < vcpus && !rc; i++) {
                ct_atomic_file *f;
                snprintf(name, sizeof(name), "vmsa%lld.bin", (long long)i);
                if (ct_snp_base_vmsa(b, vmm, s->sig, gf, (uint64_t)i, page, &err) ||
                    ct_outputs_add(outs, name, &f, &err) || ct_atomic_write(f, page, sizeof(page), &err))
                        rc = tool_fail(&err, name);
        }
        if (!rc && ct_outputs_commit(outs, &err))
                rc = tool_fail(&err, NULL);
        ct_outputs_free(outs);
        return rc;
}

/* The library names the image an error is about (ct_snp_params.ovmf_input / svsm_input). */
static int fail_measure(const ct_error *err, const struct run *r)
{
        tool_fail(err, err->input[0] ? NULL : r->o->ovmf);
        return err->code == CT_E_NOMEM || err->code == CT_E_CRYPTO ? EXIT_INTERNAL : EXIT_BAD_INPUT;
}

static void row_text(const struct run *r, const ct_snp_row *row, char *text)
{
        if (r->mode == CT_SNP_MODE_SNP_OVMF_HASH) /* sev-snp-measure prints it in hex whatever the format */
                ct_hex_encode(row->digest.bytes, row->digest.len, text);
        else
                format_digest(&row->digest, r->base64, text);
}

static int measure(struct run *r, ct_snp_base *b, const ct_snp_table_spec *spec)
{
        ct_snp_row *rows = NULL;
        size_t n = 0;
        json_object *arr = NULL;
        char text[2 * CT_HASH_MAX_SIZE + 1];
        ct_error err;
        int ret = 0;

        ct_error_clear(&err);
        if (ct_snp_table(b, spec, &rows, &n, &err))
                return err.code == CT_E_LIMIT ? tool_usage("%s", err.msg) : fail_measure(&err, r);
        if (n == 1) {
                if (r->o->dump_vmsa && rows[0].vcpus_apply) { /* sev, snp:ovmf-hash: none */
                        ret = dump_vmsa(b, rows[0].vmm, &spec->sigs[0], r->guest_features, rows[0].vcpus);
                        if (ret)
                                goto out;
                }
                row_text(r, &rows[0], text);
                if (r->o->json)
                        tool_json_print(row_json(r, &rows[0]));
                else if (r->o->verbose && r->mode != CT_SNP_MODE_SNP_OVMF_HASH)
                        printf("Calculated %s guest measurement: %s\n", verbose_name(r->mode), text);
                else
                        puts(text);
                goto out;
        }
        if (r->o->json)
                arr = json_object_new_array();
        else
                printf("%-5s %-14s %-18s %6s %s\n", "vmm", "vcpu_type", "vcpu_sig", "vcpus", "measurement");
        for (size_t i = 0; i < n; i++) {
                const ct_snp_row *row = &rows[i];
                char sig[24];

                if (arr) {
                        json_object_array_add(arr, row_json(r, row));
                        continue;
                }
                if (row->has_sig)
                        snprintf(sig, sizeof(sig), "0x%llx", (ull)row->vcpu_sig);
                else
                        snprintf(sig, sizeof(sig), "-");
                row_text(r, row, text);
                printf("%-5s %-14s %-18s %6lld %s\n", ct_snp_vmm_name(row->vmm), row->vcpu_type ? row->vcpu_type : "-",
                       sig, (long long)row->vcpus, text);
        }
        if (arr) {
                const char *str = json_object_to_json_string_ext(
                        arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
                fputs(str, stdout);
                fputc('\n', stdout);
                json_object_put(arr);
        }
out:
        free(rows);
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
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("snp measure", help);
        struct opts o = { 0 };
        struct run r;
        ct_snp_params p;
        ct_snp_vmm vmms[CT_SNP_VMM__MAX * 4];
        size_t n_vmm = 0, n_sig = 0, n_vcpus = 0;
        ct_snp_sig *sigs = NULL;
        int64_t *vcpus = NULL;
        ct_blob ovmf = { 0 }, svsm = { 0 };
        ct_snp_base *base = NULL;
        ct_error err;
        int c, ret = 0;

        memset(&r, 0, sizeof(r));
        memset(&p, 0, sizeof(p));
        ct_error_clear(&err);
        optind = 1;
        while ((c = tool_getopt(&cmd, argc, argv, "v", longopts)) != -1) {
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
                }
        }
        if (cmd.done)
                return cmd.status;
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
        if (o.guest_features_s && !ct_snp_parse_u64(o.guest_features_s, &r.guest_features))
                return tool_usage("argument --guest-features: invalid value '%s'", o.guest_features_s);
        /* argparse converts every option whatever the mode: bad values fail even where they are unused */
        {
                uint64_t u;
                int64_t i;
                if (o.vcpu_sig_s && !ct_snp_parse_u64(o.vcpu_sig_s, &u))
                        return tool_usage("argument --vcpu-sig: invalid value '%s'", o.vcpu_sig_s);
                if ((o.family_s && !ct_snp_parse_i64(o.family_s, &i)) || (o.model_s && !ct_snp_parse_i64(o.model_s, &i)) ||
                    (o.stepping_s && !ct_snp_parse_i64(o.stepping_s, &i)))
                        return tool_usage("--vcpu-family/--vcpu-model/--vcpu-stepping: decimal integers expected");
                if (o.vcpu_type_s) { /* checked here, used below */
                        if (ct_snp_sigs_from_types(o.vcpu_type_s, &sigs, &n_sig, &err))
                                return snp_fail_list(&err, "--vcpu-type");
                        free(sigs);
                        sigs = NULL;
                        n_sig = 0;
                }
        }
        if (o.vars_size_s && o.vars_file)
                return tool_usage("argument --vars-file: not allowed with argument --vars-size");
        if (o.vars_size_s) {
                int64_t vs;
                if (!ct_snp_parse_i64(o.vars_size_s, &vs) || vs < 0)
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
                if (ct_snp_vmms_parse(o.vmm_s, vmms, sizeof(vmms) / sizeof(vmms[0]), &n_vmm, &err)) {
                        ret = snp_fail_list(&err, "--vmm-type");
                        goto out;
                }
        } else {
                vmms[0] = CT_SNP_VMM_QEMU;
                n_vmm = 1;
        }

        /* vCPU signature(s): family/model/stepping, then --vcpu-sig, then --vcpu-type */
        if (r.mode == CT_SNP_MODE_SEV || r.mode == CT_SNP_MODE_SNP_OVMF_HASH) {
                sigs = calloc(1, sizeof(*sigs));
                if (!sigs)
                        abort();
                sigs[0] = (ct_snp_sig){ .has_sig = true };
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
                        if (!ct_snp_parse_i64(o.family_s, &f) || f < 0 || !ct_snp_parse_i64(o.model_s, &m) || m < 0 ||
                            !ct_snp_parse_i64(o.stepping_s, &s) || s < 0) {
                                ret = tool_usage("--vcpu-family/--vcpu-model/--vcpu-stepping: non-negative decimal "
                                                 "integers expected");
                                goto out;
                        }
                        sigs[0] = (ct_snp_sig){ .has_sig = true, .sig = ct_snp_cpu_sig((uint64_t)f, (uint64_t)m, (uint64_t)s) };
                } else {
                        if (!ct_snp_parse_u64(o.vcpu_sig_s, &sigs[0].sig)) {
                                ret = tool_usage("argument --vcpu-sig: invalid value '%s'", o.vcpu_sig_s);
                                goto out;
                        }
                        sigs[0].has_sig = true;
                }
        } else if (o.vcpu_type_s) {
                if (ct_snp_sigs_from_types(o.vcpu_type_s, &sigs, &n_sig, &err)) {
                        ret = snp_fail_list(&err, "--vcpu-type");
                        goto out;
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
                sigs[0] = (ct_snp_sig){ .has_sig = false };
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
                if (ct_snp_vcpus_parse(o.vcpus_s, &vcpus, &n_vcpus, &err)) {
                        ret = err.code == CT_E_NOMEM ? tool_fail(&err, NULL)
                                                     : tool_usage("argument --vcpus: %s", err.msg);
                        goto out;
                }
        } else {
                vcpus = calloc(1, sizeof(*vcpus));
                if (!vcpus)
                        abort();
                n_vcpus = 1;
        }
        if (o.dump_vmsa && r.mode == CT_SNP_MODE_SEV) {
                ret = tool_usage("--dump-vmsa is not available in the selected mode (sev has no VMSA)");
                goto out;
        }
        /* sev and snp:ovmf-hash have one row whatever the lists (ct_snp_table) */
        if (o.dump_vmsa && r.mode != CT_SNP_MODE_SNP_OVMF_HASH && (n_vmm != 1 || n_sig != 1 || n_vcpus != 1)) {
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
        ret = snp_read_blob(o.ovmf, &ovmf);
        if (ret)
                goto out;
        if (o.json)
                blob_input(&r.ovmf, o.ovmf, &ovmf);
        if (o.kernel && *o.kernel && r.mode != CT_SNP_MODE_SNP_OVMF_HASH) {
                ct_snp_boot_digests bd;

                if (ct_snp_boot_digests_files(o.kernel, o.initrd, o.append, &bd, &err)) {
                        ret = snp_fail_input(&err);
                        goto out;
                }
                ct_snp_params_set_boot(&p, &bd);
                r.kernel = (struct input){ o.kernel, true, bd.kernel_size, { 0 } };
                memcpy(r.kernel.sha256, bd.kernel_sha256, 32);
                if (bd.has_initrd) {
                        r.initrd = (struct input){ o.initrd, true, bd.initrd_size, { 0 } };
                        memcpy(r.initrd.sha256, bd.initrd_sha256, 32);
                }
                memcpy(r.cmdline_sha256, bd.cmdline_sha256, 32);
        }
        if (r.mode == CT_SNP_MODE_SNP_SVSM) {
                ret = snp_read_blob(o.svsm, &svsm);
                if (ret)
                        goto out;
                if (o.json)
                        blob_input(&r.svsm, o.svsm, &svsm);
                if (o.vars_file) {
                        if (ct_snp_file_sha256(o.vars_file, r.vars.sha256, &r.vars.size, &err)) {
                                ret = snp_fail_input(&err);
                                goto out;
                        }
                        r.vars.path = o.vars_file;
                        r.vars.present = true;
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
        p.ovmf_input = o.ovmf;
        p.svsm_input = o.svsm;
        if (ct_snp_base_new(&p, &base, &err)) {
                ret = fail_measure(&err, &r);
                goto out;
        }
        {
                ct_snp_table_spec spec = { vmms, n_vmm, sigs, n_sig, vcpus, n_vcpus, r.guest_features };
                ret = measure(&r, base, &spec);
        }
out:
        ct_snp_base_free(base);
        ct_blob_free(&ovmf);
        ct_blob_free(&svsm);
        free(sigs);
        free(vcpus);
        return ret;
}

int tool_snp_report(int argc, char **argv);

static const struct tool_verb verbs[] = {
        { "report", "show|verify REPORT [OPTIONS]", tool_snp_report, "SNP attestation report: decode; verify signature, chain, TCB (verb-snp-report.c)" },
        { "measure", "--mode MODE --ovmf FILE [OPTIONS]", verb_measure,
          "launch digest (sev, seves, snp, snp:ovmf-hash, snp:svsm), sev-snp-measure 0.0.13 compatible; tables" },
        { "explain", "DIGEST --ovmf FILE [--kernel FILE ...] [OPTIONS]", snp_verb_explain,
          "which configuration (vCPUs, CPU type, VMM, guest features, mode) produces a launch digest" },
        { "id-block", "--measurement DIGEST --idkey PEM --authorkey PEM [OPTIONS]", snp_verb_id_block,
          "ID block + ID auth info + key digests (sev-snp-measure snp-create-id-block)" },
};

const struct tool_area tool_area_snp = { "snp", "SEV / SEV-ES / SEV-SNP launch digests (sev-snp-measure compatible)",
                                         verbs, sizeof(verbs) / sizeof(verbs[0]) };
