/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust snp explain DIGEST --ovmf FILE [...] — which configuration of the
 * artifacts produces a launch digest (ct_snp_explain). Options parse into a
 * ct_snp_params and a ct_snp_explain_space; the rows are rendered here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/snp.h>

#include "snp-tool.h"
#include "tool.h"

typedef unsigned long long ull;

enum {
        OPT_OVMF = 0x100,
        OPT_KERNEL,
        OPT_INITRD,
        OPT_APPEND,
        OPT_KERNEL_SHA256,
        OPT_INITRD_SHA256,
        OPT_CMDLINE_SHA256,
        OPT_SNP_OVMF_HASH,
        OPT_SVSM,
        OPT_VARS_SIZE,
        OPT_MAX_VCPUS,
        OPT_VCPU_TYPE,
        OPT_VCPU_SIG,
        OPT_VMM_TYPE,
        OPT_GUEST_FEATURES,
        OPT_THREADS,
        OPT_ALSO_WITHOUT_KERNEL,
};

static void help(void)
{
        const char *prog = "cocotrust snp explain";

        printf("Usage: %s DIGEST --ovmf FILE [--kernel FILE [--initrd FILE] [--append CMDLINE]] [OPTIONS]\n"
               "\n"
               "Find which configuration of these artifacts produces the launch digest DIGEST (hex: 96 digits for an\n"
               "SNP report's MEASUREMENT, 64 for SEV / SEV-ES), searching vCPU counts x CPU types x VMM types x\n"
               "guest-feature values x modes. Every match is printed; none means the artifacts (firmware, kernel,\n"
               "initrd, command line) differ, or the configuration is outside the searched space.\n"
               "\n"
               "Artifacts (as for 'snp measure'):\n"
               "  --ovmf FILE             the firmware image (required)\n"
               "  --kernel FILE, --initrd FILE, --append CMDLINE   direct boot inputs\n"
               "  --kernel-sha256 HEX, --initrd-sha256 HEX, --cmdline-sha256 HEX\n"
               "                          their pre-hashed forms instead (all three; the initrd of \"\" when none)\n"
               "  --snp-ovmf-hash HEX     snp: start from this precalculated firmware digest\n"
               "  --svsm FILE --vars-size N   also search snp:svsm with this Coconut-SVSM image\n"
               "Space (defaults: 512 x 7 x 513 = 1 838 592 SNP configurations):\n"
               "  --max-vcpus N           counts 1..N (default 512)\n"
               "  --vcpu-type LIST|all    CPU types (default all: their 5 distinct signatures)\n"
               "  --vcpu-sig LIST         CPUID signatures instead (0x.. or decimal, comma list)\n"
               "  --vmm-type LIST         QEMU, ec2, gce (default all three)\n"
               "  --guest-features LIST   values to try (default 0 and 0x1 | any of bits 1-9: 513 values)\n"
               "  --also-without-kernel   with --kernel: also search a launch without -kernel (no kernel hashes)\n"
               "  --threads N             worker threads (default 2)\n"
               "  --json                  the matches as JSON (rows as 'snp measure --json' names them)\n"
               "  -h, --help              this help\n"
               "\n"
               "Example:\n"
               "  %s 5d3a8d37...9e229462 --ovmf OVMF.fd --kernel vmlinuz --initrd initrd.img --append 'console=ttyS0'\n"
               "  -> snp QEMU EPYC-Genoa (sig 0xa10f10) vcpus 2 guest_features 0x1\n"
               "\n"
               "Exit status: 0 at least one configuration matches, 1 none in the searched space, 2 bad input or\n"
               "usage, 3 I/O or internal error.\n",
               prog, prog);
}

static int hex32(const char *opt, const char *s, uint8_t out[32])
{
        size_t len = 0;

        if (ct_hex_decode(s, out, 32, &len, NULL) || len != 32)
                return tool_usage("argument %s: '%s' is not 32 bytes of hex (a SHA-256)", opt, s);
        return 0;
}

/* Comma lists of names / numbers into the space. */
static int parse_space(const char *types, const char *sigs_s, const char *vmms_s, const char *gf_s,
                       ct_snp_sig **sigs, size_t *n_sigs, ct_snp_vmm *vmms, size_t *n_vmms, uint64_t **gf,
                       size_t *n_gf)
{
        ct_error err;

        ct_error_clear(&err);
        if (sigs_s && ct_snp_sigs_from_values(sigs_s, sigs, n_sigs, &err))
                return snp_fail_list(&err, "--vcpu-sig");
        if (types && strcmp(types, "all") != 0 && ct_snp_sigs_from_types(types, sigs, n_sigs, &err))
                return snp_fail_list(&err, "--vcpu-type");
        if (vmms_s && ct_snp_vmms_parse(vmms_s, vmms, CT_SNP_VMM__MAX, n_vmms, &err))
                return snp_fail_list(&err, "--vmm-type");
        if (gf_s && ct_snp_u64_list_parse(gf_s, gf, n_gf, &err))
                return snp_fail_list(&err, "--guest-features");
        return 0;
}

/* Other type names with the signature of a match ("EPYC-Milan-v1 EPYC-Milan-v2"). */
static void aliases(const ct_snp_row *r, char *out, size_t cap)
{
        size_t nt, used = 0;
        const ct_snp_vcpu_type *t = ct_snp_vcpu_types(&nt);

        out[0] = 0;
        for (size_t i = 0; i < nt; i++) {
                if (ct_snp_cpu_sig(t[i].family, t[i].model, t[i].stepping) != r->vcpu_sig ||
                    (r->vcpu_type && strcmp(r->vcpu_type, t[i].name) == 0))
                        continue;
                int k = snprintf(out + used, cap - used, "%s%s", used ? "," : "", t[i].name);
                if (k < 0 || (size_t)k >= cap - used)
                        break;
                used += (size_t)k;
        }
}

static void render(const ct_snp_explanation *e, const char *digest_hex, bool json, bool has_kernel)
{
        char al[256];

        if (json) {
                json_object *o = tool_json_new(), *arr = json_object_new_array();

                tool_json_add_str(o, "digest", digest_hex);
                json_object_object_add(o, "configurations_searched", json_object_new_int64((int64_t)e->configurations));
                json_object_object_add(o, "matches_found", json_object_new_int64((int64_t)e->n_found));
                for (size_t i = 0; i < e->n_matches; i++) {
                        const ct_snp_row *r = &e->matches[i];
                        json_object *m = json_object_new_object();

                        tool_json_add_str(m, "mode", ct_snp_mode_name(r->mode));
                        tool_json_add_str(m, "vmm_type", r->vmm_applies ? ct_snp_vmm_name(r->vmm) : NULL);
                        if (r->vcpus_apply)
                                tool_json_add_int(m, "vcpus", r->vcpus);
                        else
                                tool_json_add_str(m, "vcpus", NULL);
                        tool_json_add_str(m, "vcpu_type", r->has_sig ? r->vcpu_type : NULL);
                        if (r->has_sig) {
                                snp_json_add_hex_u64(m, "vcpu_sig", r->vcpu_sig);
                                aliases(r, al, sizeof(al));
                                tool_json_add_str(m, "vcpu_type_aliases", al);
                        } else {
                                tool_json_add_str(m, "vcpu_sig", NULL);
                        }
                        if (r->has_vmsa_rdx)
                                snp_json_add_hex_u64(m, "vmsa_rdx", r->vmsa_rdx);
                        if (r->has_guest_features)
                                snp_json_add_hex_u64(m, "guest_features", r->guest_features);
                        else
                                tool_json_add_str(m, "guest_features", NULL);
                        tool_json_add_bool(m, "direct_boot", r->direct_boot);
                        json_object_array_add(arr, m);
                }
                json_object_object_add(o, "matches", arr);
                tool_json_emit(o, NULL);
                return;
        }
        if (e->n_matches == 0) {
                printf("no configuration in the searched space (%llu configurations) produces %s\n",
                       (ull)e->configurations, digest_hex);
                return;
        }
        for (size_t i = 0; i < e->n_matches; i++) {
                const ct_snp_row *r = &e->matches[i];

                printf("%s", ct_snp_mode_name(r->mode));
                if (r->vmm_applies)
                        printf(" %s", ct_snp_vmm_name(r->vmm));
                if (r->has_sig) {
                        aliases(r, al, sizeof(al));
                        printf(" %s (sig 0x%llx%s%s)", r->vcpu_type ? r->vcpu_type : "-", (ull)r->vcpu_sig,
                               al[0] ? "; also " : "", al);
                } else if (r->vcpus_apply) {
                        printf(" any-vcpu-type");
                }
                if (r->vcpus_apply)
                        printf(" vcpus %lld", (long long)r->vcpus);
                if (r->has_guest_features)
                        printf(" guest_features 0x%llx", (ull)r->guest_features);
                if (has_kernel && !r->direct_boot)
                        printf(" without-kernel (no kernel hashes measured)");
                putchar('\n');
        }
        if (e->n_found > e->n_matches)
                printf("(%llu more matches not listed)\n", (ull)(e->n_found - e->n_matches));
}

int snp_verb_explain(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "ovmf", required_argument, NULL, OPT_OVMF },
                { "kernel", required_argument, NULL, OPT_KERNEL },
                { "initrd", required_argument, NULL, OPT_INITRD },
                { "append", required_argument, NULL, OPT_APPEND },
                { "kernel-sha256", required_argument, NULL, OPT_KERNEL_SHA256 },
                { "initrd-sha256", required_argument, NULL, OPT_INITRD_SHA256 },
                { "cmdline-sha256", required_argument, NULL, OPT_CMDLINE_SHA256 },
                { "snp-ovmf-hash", required_argument, NULL, OPT_SNP_OVMF_HASH },
                { "svsm", required_argument, NULL, OPT_SVSM },
                { "vars-size", required_argument, NULL, OPT_VARS_SIZE },
                { "max-vcpus", required_argument, NULL, OPT_MAX_VCPUS },
                { "vcpu-type", required_argument, NULL, OPT_VCPU_TYPE },
                { "vcpu-sig", required_argument, NULL, OPT_VCPU_SIG },
                { "vmm-type", required_argument, NULL, OPT_VMM_TYPE },
                { "guest-features", required_argument, NULL, OPT_GUEST_FEATURES },
                { "threads", required_argument, NULL, OPT_THREADS },
                { "also-without-kernel", no_argument, NULL, OPT_ALSO_WITHOUT_KERNEL },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("snp explain", help);
        const char *ovmf_s = NULL, *kernel = NULL, *initrd = NULL, *append = NULL, *ksha = NULL, *isha = NULL;
        const char *csha = NULL, *ovmf_hash = NULL, *svsm_s = NULL, *types = NULL, *sigs_s = NULL, *vmms_s = NULL;
        const char *gf_s = NULL;
        bool json = false;
        ct_snp_params p;
        ct_snp_explain_space sp;
        ct_snp_vmm vmms[CT_SNP_VMM__MAX];
        ct_snp_sig *sigs = NULL;
        uint64_t *gf = NULL;
        uint8_t digest[CT_SNP_LD_SIZE];
        size_t dlen = 0;
        ct_blob ovmf = { 0 }, svsm = { 0 };
        ct_snp_explanation e = { 0 };
        ct_error err;
        int c, ret = 0;
        int64_t v;

        memset(&p, 0, sizeof(p));
        memset(&sp, 0, sizeof(sp));
        ct_error_clear(&err);
        optind = 1;
        while ((c = tool_getopt(&cmd, argc, argv, "", longopts)) != -1) {
                switch (c) {
                case OPT_OVMF: ovmf_s = optarg; break;
                case OPT_KERNEL: kernel = optarg; break;
                case OPT_INITRD: initrd = optarg; break;
                case OPT_APPEND: append = optarg; break;
                case OPT_KERNEL_SHA256: ksha = optarg; break;
                case OPT_INITRD_SHA256: isha = optarg; break;
                case OPT_CMDLINE_SHA256: csha = optarg; break;
                case OPT_SNP_OVMF_HASH: ovmf_hash = optarg; break;
                case OPT_SVSM: svsm_s = optarg; break;
                case OPT_VARS_SIZE:
                        if (!ct_snp_parse_i64(optarg, &v) || v < 0)
                                return tool_usage("argument --vars-size: invalid value '%s'", optarg);
                        p.vars_size = (uint64_t)v;
                        break;
                case OPT_MAX_VCPUS:
                        if (!ct_snp_parse_i64(optarg, &v) || v < 1 || v > CT_MAX_SNP_VCPUS)
                                return tool_usage("argument --max-vcpus: a count 1..%d expected, not '%s'",
                                                  CT_MAX_SNP_VCPUS, optarg);
                        sp.max_vcpus = v;
                        break;
                case OPT_ALSO_WITHOUT_KERNEL: sp.also_without_kernel = true; break;
                case OPT_VCPU_TYPE: types = optarg; break;
                case OPT_VCPU_SIG: sigs_s = optarg; break;
                case OPT_VMM_TYPE: vmms_s = optarg; break;
                case OPT_GUEST_FEATURES: gf_s = optarg; break;
                case OPT_THREADS:
                        if (!ct_snp_parse_i64(optarg, &v) || v < 1 || v > CT_MAX_SNP_EXPLAIN_THREADS)
                                return tool_usage("argument --threads: 1..%d expected, not '%s'",
                                                  CT_MAX_SNP_EXPLAIN_THREADS, optarg);
                        sp.threads = (unsigned)v;
                        break;
                }
        }
        if (cmd.done)
                return cmd.status;
        json = cmd.json;
        if (optind + 1 != argc)
                return tool_cmd_usage(&cmd, "expected one DIGEST argument (hex)");
        if (ct_hex_decode(argv[optind], digest, sizeof(digest), &dlen, NULL) || (dlen != 48 && dlen != 32))
                return tool_usage("DIGEST '%s': 96 hex digits (SNP) or 64 (SEV / SEV-ES) expected", argv[optind]);
        if (!ovmf_s)
                return tool_usage("the following arguments are required: --ovmf");
        if ((initrd || append) && !kernel && !ksha)
                return tool_usage("--initrd and --append need --kernel");
        if (kernel && (ksha || isha || csha))
                return tool_usage("give either --kernel/--initrd/--append or their --*-sha256 forms");
        if ((ksha || isha || csha) && !(ksha && isha && csha))
                return tool_usage("--kernel-sha256, --initrd-sha256 and --cmdline-sha256 go together");
        if (svsm_s && p.vars_size == 0)
                return tool_usage("--svsm needs --vars-size");
        if (sigs_s && types)
                return tool_usage("give either --vcpu-type or --vcpu-sig");
        if (ksha) {
                ret = hex32("--kernel-sha256", ksha, p.kernel_sha256);
                if (!ret)
                        ret = hex32("--initrd-sha256", isha, p.initrd_sha256);
                if (!ret)
                        ret = hex32("--cmdline-sha256", csha, p.cmdline_sha256);
                if (ret)
                        return ret;
                p.has_kernel = true;
        }
        if (ovmf_hash) {
                size_t len = 0;
                if (ct_hex_decode(ovmf_hash, p.ovmf_hash, sizeof(p.ovmf_hash), &len, NULL) || len != CT_SNP_LD_SIZE)
                        return tool_usage("argument --snp-ovmf-hash: '%s' is not %d bytes of hex", ovmf_hash,
                                          CT_SNP_LD_SIZE);
                p.has_ovmf_hash = true;
        }
        ret = parse_space(types, sigs_s, vmms_s, gf_s, &sigs, &sp.n_sigs, vmms, &sp.n_vmms, &gf, &sp.n_guest_features);
        if (ret)
                goto out;
        sp.sigs = sigs;
        sp.vmms = vmms_s ? vmms : NULL;
        sp.guest_features = gf;

        ret = snp_read_blob(ovmf_s, &ovmf);
        if (!ret && svsm_s)
                ret = snp_read_blob(svsm_s, &svsm);
        if (ret)
                goto out;
        p.ovmf = ovmf.data;
        p.ovmf_len = ovmf.len;
        p.svsm = svsm.data;
        p.svsm_len = svsm.len;
        p.ovmf_input = ovmf_s;
        p.svsm_input = svsm_s;
        if (kernel) {
                ct_snp_boot_digests bd;
                if (ct_snp_boot_digests_files(kernel, initrd, append, &bd, &err)) {
                        ret = snp_fail_input(&err);
                        goto out;
                }
                ct_snp_params_set_boot(&p, &bd);
        }
        if (ct_snp_explain(&p, digest, dlen, &sp, &e, &err)) {
                ret = err.code == CT_E_NOMEM || err.code == CT_E_CRYPTO ? tool_fail(&err, NULL)
                                                                        : (tool_fail(&err, NULL), EXIT_BAD_INPUT);
                goto out;
        }
        {
                char hex[2 * CT_SNP_LD_SIZE + 1];
                render(&e, ct_hex_encode(digest, dlen, hex), json, p.has_kernel);
        }
        ret = e.n_matches ? EXIT_OK : EXIT_VERIFY_FAILED;
out:
        ct_snp_explanation_free(&e);
        ct_blob_free(&ovmf);
        ct_blob_free(&svsm);
        free(sigs);
        free(gf);
        return ret;
}
