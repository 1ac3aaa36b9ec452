/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — every reference value of an image description into a manifest,
 * on the other areas' library APIs: snp.h (launch digests, one firmware base
 * per mode, every vCPU count of a row group in one incremental pass), verity.h
 * (root hash from the data, the tree checked against the hash device), uki.h
 * (PCR 4 through the boot chain, PCR 11 and its phases), pcr.h (captured PCRs).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/manifest.h>
#include <cocotrust/pcr.h>
#include <cocotrust/pe.h>
#include <cocotrust/reference.h>
#include <cocotrust/snp.h>
#include <cocotrust/tdx.h>
#include <cocotrust/uki.h>
#include <cocotrust/verity.h>

#include "refvals-internal.h"

/* The PCR 11 phase paths systemd-measure calculates by default (systemd 252). */
static const char *const pcr11_phases[] = {
        "enter-initrd",
        "enter-initrd:leave-initrd",
        "enter-initrd:leave-initrd:sysinit",
        "enter-initrd:leave-initrd:sysinit:ready",
};

typedef struct ctx {
        const ct_desc *d;
        const ct_reference_opts *o;
        ct_manifest *m;
        ct_error *err;
} ctx;

static void progress(ctx *c, const char *step, uint64_t done, uint64_t total)
{
        if (c->o && c->o->progress)
                c->o->progress(step, done, total, c->o->userdata);
}

static ct_code prefix(ct_error *err, ct_code rc, const char *path)
{
        if (rc && err && path && !strstr(err->msg, path))
                ct_error_prefix(err, "%s", path);
        return rc;
}

static ct_code add_file(ctx *c, const char *name, const char *path, ct_manifest_artifact **ret)
{
        return prefix(c->err, ct_manifest_add_file(c->m, name, path, ret, c->err), path);
}

/* ---- SNP ---- */

static int cmp_u32(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

        return x < y ? -1 : x > y;
}

static ct_code snp_table(ctx *c, const ct_blob *fw, const ct_manifest_artifact *kernel, const ct_manifest_artifact *initrd)
{
        const ct_desc *d = c->d;
        static const char *const def_mode = "snp", *const def_vmm = "QEMU", *const def_type = "EPYC-v4";
        const char *const *modes = d->n_snp_modes ? (const char *const *)d->snp_modes : &def_mode;
        size_t n_modes = d->n_snp_modes ? d->n_snp_modes : 1;
        const char *const *vmms = d->n_vmm_types ? (const char *const *)d->vmm_types : &def_vmm;
        size_t n_vmms = d->n_vmm_types ? d->n_vmm_types : 1;
        const ct_snp_vcpu_type *all_types;
        size_t n_all, n_types = 0, n_vcpus = 0, n_gf = d->n_guest_features ? d->n_guest_features : 1;
        const ct_snp_vcpu_type **types = NULL;
        uint64_t def_gf = 1;
        const uint64_t *gfs = d->n_guest_features ? d->guest_features : &def_gf;
        uint32_t *vc = NULL, one = 1;
        int64_t *vc64 = NULL;
        ct_digest *out = NULL;
        ct_code rc = CT_OK;
        uint64_t rows_total, rows_done = 0;

        /* vCPU types: "all" expands to sev-snp-measure's 16, in its order; duplicates dropped. */
        all_types = ct_snp_vcpu_types(&n_all);
        types = calloc(n_all + (d->n_vcpu_types ? d->n_vcpu_types : 1), sizeof(*types));
        if (!types)
                return ct_error_set(c->err, CT_E_NOMEM, "out of memory");
        for (size_t i = 0; i < (d->n_vcpu_types ? d->n_vcpu_types : 1); i++) {
                const char *name = d->n_vcpu_types ? d->vcpu_types[i] : def_type;

                for (size_t j = 0; j < n_all; j++) {
                        if (strcmp(name, "all") && strcmp(name, all_types[j].name))
                                continue;
                        bool dup = false;
                        for (size_t k = 0; k < n_types; k++)
                                if (types[k] == &all_types[j])
                                        dup = true;
                        if (!dup && n_types < n_all)
                                types[n_types++] = &all_types[j];
                }
        }
        /* vCPU counts ascending, once each (the incremental VMSA pass needs them sorted). */
        if (d->n_vcpus) {
                vc = malloc(d->n_vcpus * sizeof(*vc));
                if (!vc) {
                        rc = ct_error_set(c->err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
                memcpy(vc, d->vcpus, d->n_vcpus * sizeof(*vc));
                qsort(vc, d->n_vcpus, sizeof(*vc), cmp_u32);
                for (size_t i = 0; i < d->n_vcpus; i++)
                        if (n_vcpus == 0 || vc[n_vcpus - 1] != vc[i])
                                vc[n_vcpus++] = vc[i];
        } else {
                vc = malloc(sizeof(*vc));
                if (!vc) {
                        rc = ct_error_set(c->err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
                vc[0] = one;
                n_vcpus = 1;
        }
        vc64 = calloc(n_vcpus, sizeof(*vc64));
        out = calloc(n_vcpus, sizeof(*out));
        if (!vc64 || !out) {
                rc = ct_error_set(c->err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < n_vcpus; i++)
                vc64[i] = vc[i];
        rows_total = 0;
        for (size_t mi = 0; mi < n_modes; mi++) {
                ct_snp_mode mode;
                bool vmsa = ct_snp_mode_from_name(modes[mi], &mode) &&
                            (mode == CT_SNP_MODE_SEV_ES || mode == CT_SNP_MODE_SNP);
                uint64_t per_vmm = 0;

                for (size_t vi = 0; vi < (vmsa ? n_vmms : 1); vi++)
                        per_vmm += vmsa ? (strcmp(vmms[vi], "QEMU") == 0 ? n_types : 1) * n_vcpus : 1;
                rows_total += per_vmm * (mode == CT_SNP_MODE_SNP ? n_gf : 1);
        }

        for (size_t mi = 0; mi < n_modes && rc == CT_OK; mi++) {
                ct_snp_params p = { 0 };
                ct_snp_base *base = NULL;
                ct_snp_mode mode;
                bool vmsa, features;

                if (!ct_snp_mode_from_name(modes[mi], &mode)) {
                        rc = ct_error_set(c->err, CT_E_MALFORMED, "platform.snp_modes: '%s' is not a mode", modes[mi]);
                        break;
                }
                if (mode == CT_SNP_MODE_SNP_SVSM) {
                        rc = ct_error_set(c->err, CT_E_UNSUPPORTED,
                                          "platform.snp_modes: snp:svsm needs an SVSM image, which the description "
                                          "cannot name yet: use `cocotrust snp measure --mode snp:svsm`");
                        break;
                }
                vmsa = mode == CT_SNP_MODE_SEV_ES || mode == CT_SNP_MODE_SNP;
                features = mode == CT_SNP_MODE_SNP;
                p.mode = mode;
                p.ovmf = fw->data;
                p.ovmf_len = fw->len;
                if (kernel) {
                        p.has_kernel = true;
                        memcpy(p.kernel_sha256, kernel->sha256, 32);
                        if (initrd)
                                memcpy(p.initrd_sha256, initrd->sha256, 32);
                        else {
                                ct_digest empty;

                                if ((rc = ct_hash_buf(CT_HASH_SHA256, "", 0, &empty, c->err)))
                                        break;
                                memcpy(p.initrd_sha256, empty.bytes, 32);
                        }
                        rc = ct_snp_cmdline_sha256(d->has_cmdline ? d->cmdline : NULL, p.cmdline_sha256, c->err);
                        if (rc) {
                                ct_error_prefix(c->err, "cmdline");
                                break;
                        }
                }
                progress(c, "snp: firmware", 0, 1);
                rc = ct_snp_base_new(&p, &base, c->err);
                if (rc == CT_E_UNSUPPORTED && d->n_snp_modes == 0) {
                        /* Not an SEV firmware (a TDVF, say) and no SNP mode asked for: say so, do not fail. */
                        char note[CT_ERROR_MSG_MAX + 64];

                        snprintf(note, sizeof(note), "not computed: %s", c->err ? c->err->msg : "unsupported firmware");
                        rc = ct_manifest_set_note(c->m, "snp", note, c->err);
                        break;
                }
                if (rc) {
                        prefix(c->err, rc, d->firmware);
                        break;
                }
                for (size_t vi = 0; vi < (vmsa ? n_vmms : 1) && rc == CT_OK; vi++) {
                        ct_snp_vmm vmm = CT_SNP_VMM_QEMU;

                        if (!ct_snp_vmm_from_name(vmms[vi], &vmm)) {
                                rc = ct_error_set(c->err, CT_E_MALFORMED, "platform.vmm_types: '%s'", vmms[vi]);
                                break;
                        }
                        /* ec2 and gce VMSAs carry a fixed signature: the vCPU type does not matter there. */
                        bool typed = vmsa && vmm == CT_SNP_VMM_QEMU;

                        for (size_t ti = 0; ti < (typed ? n_types : 1) && rc == CT_OK; ti++) {
                                const ct_snp_vcpu_type *t = typed ? types[ti] : NULL;
                                uint64_t sig = t ? ct_snp_cpu_sig(t->family, t->model, t->stepping) : 0;

                                for (size_t gi = 0; gi < (features ? n_gf : 1) && rc == CT_OK; gi++) {
                                        uint64_t gf = features ? gfs[gi] : 0;
                                        size_t nv = vmsa ? n_vcpus : 1;

                                        rc = ct_snp_base_measure(base, vmm, sig, gf, vc64, nv, out, c->err);
                                        if (rc)
                                                break;
                                        for (size_t k = 0; k < nv && rc == CT_OK; k++) {
                                                ct_manifest_snp_row row = { 0 };

                                                row.mode = (char *)ct_snp_mode_name(mode);
                                                row.vcpus = vmsa ? vc[k] : 0;
                                                row.vcpu_type = t ? (char *)t->name : NULL;
                                                row.vmm = (char *)(vmsa ? ct_snp_vmm_name(vmm) : "QEMU");
                                                row.guest_features = gf;
                                                row.measurement_len = out[k].len;
                                                memcpy(row.measurement, out[k].bytes, out[k].len);
                                                rc = ct_manifest_add_snp(c->m, &row, c->err);
                                        }
                                        rows_done += nv;
                                        progress(c, "snp", rows_done, rows_total);
                                }
                        }
                }
                ct_snp_base_free(base);
        }
out:
        free(types);
        free(vc);
        free(vc64);
        free(out);
        return rc;
}

/* ---- TDX ---- */

/*
 * MRTD, RTMR 0-2, tdvfkernel and tdvfkernelparams over memory sizes x
 * variants (tdx.h). A firmware without TDVF metadata is not an error: the
 * manifest says why TDX was not computed. RTMR 0 needs QEMU's ACPI tables
 * (not in the description yet): it is written as null, as is xfam (a
 * property of the CPU configuration, not of the image).
 */
static ct_code tdx_table(ctx *c, const ct_blob *fwb)
{
        const ct_desc *d = c->d;
        static const char *const def_variant = "";
        const char *const *variants = d->n_tdx_variants ? (const char *const *)d->tdx_variants : &def_variant;
        size_t n_var = d->n_tdx_variants ? d->n_tdx_variants : 1;
        uint64_t def_mem = 2048;
        const uint64_t *mems = d->n_memory_mib ? d->memory_mib : &def_mem;
        size_t n_mem = d->n_memory_mib ? d->n_memory_mib : 1;
        ct_tdx_firmware *fw = NULL;
        ct_tdx_kernel *tk = NULL;
        ct_blob kb = { 0 };
        ct_tdx_measurement *meas = NULL;
        ct_tdx_params p;
        ct_error e;
        char note[CT_ERROR_MSG_MAX + 64];
        ct_code rc = CT_OK;
        uint32_t vcpus = d->n_vcpus ? d->vcpus[0] : 1;

        if (ct_tdx_firmware_new(fwb->data, fwb->len, &fw, &e) != CT_OK) {
                snprintf(note, sizeof(note), "not computed: the firmware is not a TDVF image (%s)", e.msg);
                c->m->tdx_computed = false;
                return ct_manifest_set_note(c->m, "tdx", note, c->err);
        }
        memset(&p, 0, sizeof(p));
        if (d->kernel) {
                if ((rc = ct_blob_read(d->kernel, CT_MAX_TDX_FIRMWARE_SIZE * 4ull, &kb, c->err))) {
                        prefix(c->err, rc, d->kernel);
                        goto out;
                }
                if (ct_tdx_kernel_new(kb.data, kb.len, &tk, &e) != CT_OK) {
                        tk = NULL;
                        snprintf(note, sizeof(note), "RTMR 1 and 2 not predicted: the kernel is not a PE image (%s)",
                                 e.msg);
                        if ((rc = ct_manifest_set_note(c->m, "tdx_kernel", note, c->err)))
                                goto out;
                }
        }
        p.kernel = tk;
        if (tk && d->initrd) {
                uint64_t size = 0;

                if ((rc = ct_hash_file(CT_HASH_SHA384, d->initrd, &p.initrd_sha384, &size, c->err))) {
                        prefix(c->err, rc, d->initrd);
                        goto out;
                }
                p.has_initrd = true;
                p.initrd_size = size;
        }
        p.cmdline = d->has_cmdline ? d->cmdline : NULL;
        meas = malloc(sizeof(*meas));
        if (!meas) {
                rc = ct_error_set(c->err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        c->m->tdx_computed = true;
        for (size_t vi = 0; vi < n_var && rc == CT_OK; vi++) {
                ct_tdx_variant v;
                char edk2[96] = "", *qemu = NULL, name[256];

                ct_tdx_variant_default(&v);
                /* "EDK2[/QEMU]" or "/QEMU": e.g. "edk2-stable202411/9.2", "2024.02-3+tdx1.0", "/8.2". */
                snprintf(edk2, sizeof(edk2), "%s", variants[vi]);
                qemu = strchr(edk2, '/');
                if (qemu)
                        *qemu++ = 0;
                if (*variants[vi] &&
                    ct_tdx_variant_apply(&v, *edk2 ? edk2 : NULL, qemu && *qemu ? qemu : NULL, &e) != CT_OK) {
                        rc = ct_error_set(c->err, CT_E_MALFORMED, "platform.tdx_variants: '%s': %s", variants[vi], e.msg);
                        break;
                }
                snprintf(name, sizeof(name), "edk2=%s qemu=%s mrtd=%s", v.edk2, v.qemu, ct_tdx_mrtd_order_name(v.mrtd_order));
                for (size_t mi = 0; mi < n_mem && rc == CT_OK; mi++) {
                        ct_manifest_tdx_row row = { 0 };

                        p.memory = mems[mi] << 20;
                        p.vcpus = vcpus;
                        rc = ct_tdx_measure(fw, &v, &p, meas, c->err);
                        if (rc)
                                break;
                        row.memory_mib = mems[mi];
                        row.vcpus = vcpus;
                        row.variant = name;
                        memcpy(row.mrtd, meas->mrtd.bytes, 48);
                        for (int k = 0; k < 3; k++) {
                                row.has_rtmr[k] = meas->rtmr_known[k];
                                if (meas->rtmr_known[k])
                                        memcpy(row.rtmr[k], meas->rtmr[k].bytes, 48);
                        }
                        row.has_tdvfkernel = meas->has_kernel;
                        if (meas->has_kernel)
                                memcpy(row.tdvfkernel, meas->tdvfkernel.bytes, 48);
                        row.has_tdvfkernelparams = meas->has_kernelparams;
                        if (meas->has_kernelparams)
                                memcpy(row.tdvfkernelparams, meas->tdvfkernelparams.bytes, 48);
                        rc = ct_manifest_add_tdx(c->m, &row, c->err);
                        if (rc == CT_OK && !meas->rtmr_known[0] && mi == 0 && vi == 0)
                                rc = ct_manifest_set_note(c->m, "tdx",
                                                          "rtmr[0] null: it needs QEMU's ACPI tables for the machine "
                                                          "shape (cocotrust tdx acpi-dump); xfam null: it is the CPU "
                                                          "configuration's, not the image's; rtmr[3] is runtime-extended",
                                                          c->err);
                }
                progress(c, "tdx", vi + 1, n_var);
        }
out:
        free(meas);
        ct_tdx_kernel_free(tk);
        ct_blob_free(&kb);
        ct_tdx_firmware_free(fw);
        return rc;
}

/* ---- dm-verity ---- */

static ct_code add_form(ct_manifest_cmdline_form *forms, size_t *n, const char *form, char *text, ct_error *err)
{
        if (!text)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        forms[*n].form = (char *)form;
        forms[*n].text = text;
        (*n)++;
        return CT_OK;
}

static ct_code verity(ctx *c)
{
        const ct_desc_rootfs *r = &c->d->rootfs;
        ct_verity_params p;
        ct_manifest_verity v = { 0 };
        ct_manifest_artifact *a;
        ct_manifest_cmdline_form forms[8];
        size_t n_forms = 0;
        uint8_t root[CT_VERITY_MAX_DIGEST];
        size_t ds;
        char rh[2 * CT_VERITY_MAX_DIGEST + 1], sh[2 * CT_VERITY_MAX_SALT + 1], uuid[40], *line = NULL, *t;
        int dfd = -1, hfd = -1;
        struct stat st;
        ct_verity_table_opts to = { 0 };
        ct_code rc;

        if (!r->data)
                return ct_error_set(c->err, CT_E_MALFORMED, "rootfs.data: the rootfs section needs the data image");
        rc = add_file(c, "rootfs", r->data, &a);
        if (rc)
                return rc;
        ct_verity_params_init(&p);
        p.hash_offset = r->hash_offset;
        if (r->hash) {
                if ((rc = add_file(c, "verity_hash", r->hash, NULL)))
                        return rc;
                hfd = open(r->hash, O_RDONLY | O_CLOEXEC);
                if (hfd < 0)
                        return ct_error_set_open(c->err, errno, r->hash, "cannot open");
        }
        if (r->hash && !r->no_superblock) {
                rc = ct_verity_read_superblock(hfd, &p, c->err);
                if (rc) {
                        prefix(c->err, rc, r->hash);
                        goto out;
                }
        } else {
                p.no_superblock = r->hash ? true : r->no_superblock;
                if (r->hash_algorithm)
                        snprintf(p.hash_name, sizeof(p.hash_name), "%s", r->hash_algorithm);
                if (r->data_block_size)
                        p.data_block_size = r->data_block_size;
                if (r->hash_block_size)
                        p.hash_block_size = r->hash_block_size;
                p.hash_type = r->format;
                p.data_blocks = r->data_blocks;
                if (r->salt && strcmp(r->salt, "-")) {
                        rc = ct_hex_decode(r->salt, p.salt, sizeof(p.salt), &p.salt_size, c->err);
                        if (rc) {
                                ct_error_prefix(c->err, "rootfs.salt");
                                goto out;
                        }
                }
                if (!r->hash)
                        p.no_superblock = true;
        }
        dfd = open(r->data, O_RDONLY | O_CLOEXEC);
        if (dfd < 0 || fstat(dfd, &st) != 0) {
                rc = ct_error_set_open(c->err, errno, r->data, "cannot open");
                goto out;
        }
        if (p.data_blocks == 0)
                p.data_blocks = (uint64_t)st.st_size / p.data_block_size;
        if (p.data_blocks == 0) {
                rc = ct_error_set(c->err, CT_E_MALFORMED, "%s: smaller than one data block", r->data);
                goto out;
        }
        if ((rc = ct_verity_params_check(&p, c->err)))
                goto out;
        ds = ct_verity_digest_size(p.hash_name);
        progress(c, "verity: hashing the rootfs", 0, p.data_blocks);
        rc = ct_verity_root_fd(dfd, &p, c->o ? c->o->threads : 0, root, sizeof(root), c->err);
        if (rc) {
                prefix(c->err, rc, r->data);
                goto out;
        }
        progress(c, "verity: hashing the rootfs", p.data_blocks, p.data_blocks);
        if (r->root_hash) {
                uint8_t want[CT_VERITY_MAX_DIGEST];
                size_t wl = 0;

                if (ct_hex_decode(r->root_hash, want, sizeof(want), &wl, NULL) != CT_OK || wl != ds ||
                    CRYPTO_memcmp(want, root, ds) != 0) {
                        rc = ct_error_set(c->err, CT_E_MISMATCH,
                                          "rootfs.root_hash: the description expects %s, the data hashes to %s",
                                          r->root_hash, ct_hex_encode(root, ds, rh));
                        goto out;
                }
        }
        if (hfd >= 0) {
                /* The tree on the hash device must be the tree of this data. */
                ct_verity_report rep;

                progress(c, "verity: checking the hash device", 0, 1);
                rc = ct_verity_verify_fd(dfd, hfd, &p, root, ds, c->o ? c->o->threads : 0, &rep, c->err);
                if (rc == CT_E_MISMATCH) {
                        rc = ct_error_set(c->err, CT_E_MISMATCH,
                                          "%s: the hash tree does not match %s (%" PRIu64 " data, %" PRIu64
                                          " hash blocks differ): run `cocotrust verity verify`",
                                          r->hash, r->data, rep.n_bad_data, rep.n_bad_hash);
                        ct_verity_report_free(&rep);
                        goto out;
                }
                if (rc) {
                        prefix(c->err, rc, r->hash);
                        goto out;
                }
                ct_verity_report_free(&rep);
        }
        ct_hex_encode(root, ds, rh);
        ct_hex_encode(p.salt, p.salt_size, sh);
        memcpy(v.root_hash, root, ds);
        v.root_hash_len = ds;
        memcpy(v.salt, p.salt, p.salt_size);
        v.salt_len = p.salt_size;
        v.name = (char *)"rootfs";
        v.hash = p.hash_name;
        v.hash_type = p.hash_type;
        v.data_block_size = p.data_block_size;
        v.hash_block_size = p.hash_block_size;
        v.data_blocks = p.data_blocks;
        v.hash_offset = p.hash_offset;
        v.superblock = !p.no_superblock;
        if (!p.no_superblock) {
                const uint8_t *u = p.uuid;

                snprintf(uuid, sizeof(uuid),
                         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
                         u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
                v.uuid = uuid;
        }
        to.data_dev = r->data_device ? r->data_device : "/dev/vda1";
        to.hash_dev = r->hash_device ? r->hash_device : "/dev/vda2";
        if ((rc = ct_verity_table_line(&p, root, ds, &to, &line, c->err)))
                goto out;
        t = NULL;
        if ((rc = add_form(forms, &n_forms, "roothash", asprintf(&t, "roothash=%s", rh) < 0 ? NULL : t, c->err)))
                goto out;
        t = NULL;
        if ((rc = add_form(forms, &n_forms, "dm-mod.create",
                           asprintf(&t, "dm-mod.create=\"vroot,,,ro,%s\" root=/dev/dm-0", line) < 0 ? NULL : t, c->err)))
                goto out;
        t = NULL;
        if ((rc = add_form(forms, &n_forms, "kata",
                           asprintf(&t, "root_hash=%s,salt=%s,data_blocks=%" PRIu64 ",data_block_size=%u,hash_block_size=%u",
                                    rh, p.salt_size ? sh : "", p.data_blocks, p.data_block_size,
                                    p.hash_block_size) < 0
                                   ? NULL
                                   : t,
                           c->err)))
                goto out;
        t = NULL;
        if ((rc = add_form(forms, &n_forms, "kata-legacy",
                           asprintf(&t, "rootfs_verity.scheme=dm-verity rootfs_verity.hash=%s", rh) < 0 ? NULL : t,
                           c->err)))
                goto out;
        t = NULL;
        if ((rc = add_form(forms, &n_forms, "table", strdup(line), c->err)))
                goto out;
        v.forms = forms;
        v.n_forms = n_forms;
        rc = ct_manifest_add_verity(c->m, &v, c->err);
        if (rc == CT_OK) {
                ct_manifest_artifact *ra = (ct_manifest_artifact *)ct_manifest_find_artifact(c->m, "rootfs");

                ct_manifest_artifact_set_string(ra, "hash_algorithm", p.hash_name, NULL);
                ct_manifest_artifact_set_int(ra, "data_block_size", p.data_block_size, NULL);
                ct_manifest_artifact_set_int(ra, "hash_block_size", p.hash_block_size, NULL);
                ct_manifest_artifact_set_int(ra, "data_blocks", (int64_t)p.data_blocks, NULL);
                ct_manifest_artifact_set_bool(ra, "superblock", !p.no_superblock, NULL);
        }
out:
        for (size_t i = 0; i < n_forms; i++)
                free(forms[i].text);
        free(line);
        if (dfd >= 0)
                close(dfd);
        if (hfd >= 0)
                close(hfd);
        return rc;
}

/* ---- PCR 4 / 11 ---- */

typedef struct chain {
        ct_blob blob[CT_MAX_DESC_BOOT_CHAIN + 1];
        ct_pe *pe[CT_MAX_DESC_BOOT_CHAIN + 1];
        ct_boot_image img[CT_MAX_DESC_BOOT_CHAIN + 1];
        size_t n;
} chain;

static ct_code load_image(ctx *c, chain *ch, const char *path)
{
        size_t i = ch->n;
        ct_code rc;

        rc = ct_blob_read(path, CT_MAX_PE_FILE_SIZE, &ch->blob[i], c->err);
        if (rc)
                return prefix(c->err, rc, path);
        rc = ct_pe_parse(ch->blob[i].data, ch->blob[i].len, &ch->pe[i], c->err);
        if (rc) {
                ct_blob_free(&ch->blob[i]);
                return prefix(c->err, rc, path);
        }
        ch->img[i].pe = ch->pe[i];
        ch->n++;
        return CT_OK;
}

/*
 * PCR 4 (per Secure Boot state) and PCR 11 (+ phases) of the UKI at uki_path,
 * recorded as artifact `art`. var_prefix NULL: the first Secure Boot state is
 * the primary prediction (pcrs, pcr11_phases), the others pcr_variants;
 * otherwise every value goes to pcr_variants as "<var_prefix> secure_boot=<s>".
 */
static ct_code pcrs_for(ctx *c, const char *uki_path, const char *art, const char *var_prefix)
{
        const ct_desc *d = c->d;
        chain ch;
        ct_hash_alg def_bank = CT_HASH_SHA256;
        const ct_hash_alg *banks = d->n_banks ? d->banks : &def_bank;
        size_t n_banks = d->n_banks ? d->n_banks : 1, n_sb = d->n_secure_boot ? d->n_secure_boot : 1;
        unsigned detected = 0;
        ct_uki_stub stub;
        ct_uki_parts parts;
        ct_manifest_artifact *ua;
        char name[64];
        ct_code rc = CT_OK;

        memset(&ch, 0, sizeof(ch));
        for (size_t i = 0; i < d->n_boot_chain; i++) {
                snprintf(name, sizeof(name), "boot_chain:%zu", i);
                if ((rc = add_file(c, name, d->boot_chain[i], NULL)) || (rc = load_image(c, &ch, d->boot_chain[i])))
                        goto out;
        }
        if ((rc = add_file(c, art, uki_path, &ua)) || (rc = load_image(c, &ch, uki_path)))
                goto out;
        if (d->stub_version) {
                stub = (ct_uki_stub)d->stub_version;
        } else {
                rc = ct_uki_stub_version_from_pe(ch.pe[ch.n - 1], &detected, c->err);
                if (rc) {
                        ct_error_prefix(c->err, "%s (set platform.stub_version)", uki_path);
                        goto out;
                }
                if (detected <= 253)
                        stub = CT_UKI_STUB_252;
                else if (detected == 254 || detected == 257)
                        stub = (ct_uki_stub)detected;
                else {
                        rc = ct_error_set(c->err, CT_E_UNSUPPORTED,
                                          "%s: systemd-stub %u: its rules are not known; set platform.stub_version",
                                          uki_path, detected);
                        goto out;
                }
        }
        ct_manifest_artifact_set_int(ua, "stub_version", stub, NULL);
        if (detected)
                ct_manifest_artifact_set_int(ua, "stub_version_detected", detected, NULL);
        ct_manifest_artifact_set_int(ua, "failed_boot_options", d->failed_boot_options, NULL);
        ct_manifest_artifact_set_string(ua, "secure_boot", (d->n_secure_boot ? d->secure_boot[0] : 0) ? "on" : "off",
                                        NULL);
        ch.img[ch.n - 1].is_uki = true;
        ch.img[ch.n - 1].stub = stub;
        rc = ct_uki_parts_from_pe(ch.pe[ch.n - 1], stub, 0, &parts, c->err);
        if (rc) {
                prefix(c->err, rc, uki_path);
                goto out;
        }
        for (size_t si = 0; si < n_sb && rc == CT_OK; si++) {
                int sb = d->n_secure_boot ? d->secure_boot[si] : 0;
                bool kev;
                char variant[400];
                bool primary = !var_prefix && si == 0;

                if (d->kernel_event >= 0)
                        kev = d->kernel_event;
                else if (!sb)
                        kev = true;
                else if (stub == CT_UKI_STUB_252)
                        kev = false;
                else {
                        rc = ct_error_set(c->err, CT_E_UNSUPPORTED,
                                          "platform.kernel_event: whether firmware measures the kernel a systemd-stub "
                                          "%u starts with Secure Boot on is not known; set yes or no",
                                          (unsigned)stub);
                        break;
                }
                ch.img[ch.n - 1].kernel_event = kev;
                if (var_prefix)
                        snprintf(variant, sizeof(variant), "%.300s secure_boot=%s", var_prefix, sb ? "on" : "off");
                else
                        snprintf(variant, sizeof(variant), "secure_boot=%s", sb ? "on" : "off");
                for (size_t b = 0; b < n_banks && rc == CT_OK; b++) {
                        ct_manifest_pcr p = { .bank = banks[b] };
                        ct_digest pcr11;

                        rc = ct_pcr4_predict(ch.img, ch.n, d->failed_boot_options, banks[b], NULL, NULL, &p.value,
                                             c->err);
                        if (rc)
                                break;
                        p.index = 4;
                        if (!primary)
                                p.variant = variant;
                        rc = primary ? ct_manifest_add_pcr(c->m, &p, c->err) : ct_manifest_add_pcr_variant(c->m, &p, c->err);
                        if (rc || (si > 0))
                                continue;
                        /* PCR 11 does not depend on Secure Boot: once per UKI. */
                        rc = ct_uki_measure(&parts, stub, banks[b], NULL, NULL, &pcr11, c->err);
                        if (rc)
                                break;
                        p.index = 11;
                        p.value = pcr11;
                        if ((rc = primary ? ct_manifest_add_pcr(c->m, &p, c->err)
                                          : ct_manifest_add_pcr_variant(c->m, &p, c->err)))
                                break;
                        if (!primary)
                                continue;
                        for (size_t k = 0; k < sizeof(pcr11_phases) / sizeof(pcr11_phases[0]) && rc == CT_OK; k++) {
                                ct_manifest_pcr ph = { .bank = banks[b], .index = 11, .value = pcr11 };

                                rc = ct_uki_extend_phase(&ph.value, pcr11_phases[k], NULL, NULL, c->err);
                                ph.phase = (char *)pcr11_phases[k];
                                if (rc == CT_OK)
                                        rc = ct_manifest_add_pcr11_phase(c->m, &ph, c->err);
                        }
                }
        }
out:
        for (size_t i = 0; i < ch.n; i++) {
                ct_pe_free(ch.pe[i]);
                ct_blob_free(&ch.blob[i]);
        }
        return rc;
}

/* ---- a disk image (systemd-repart / mkosi) ---- */

static ct_code disk_image(ctx *c)
{
        ct_image_report *rep = NULL;
        ct_manifest_artifact *a;
        ct_code rc;

        if ((rc = add_file(c, "image", c->d->image, &a)))
                return rc;
        progress(c, "image: checking the verity partitions", 0, 1);
        rc = ct_image_inspect(c->d->image, c->d->verity_sig_certificate, c->o ? c->o->threads : 0, &rep, c->err);
        if (rc)
                return prefix(c->err, rc, c->d->image);
        if (c->d->verity_sig_certificate && (rc = add_file(c, "verity_sig_certificate", c->d->verity_sig_certificate, NULL)))
                goto out;
        ct_manifest_artifact_set_string((ct_manifest_artifact *)ct_manifest_find_artifact(c->m, "image"), "disk_uuid",
                                        rep->disk_uuid, NULL);
        for (size_t i = 0; i < rep->n_verity && rc == CT_OK; i++) {
                const ct_image_verity *iv = &rep->verity[i];
                const ct_image_partition *dp = NULL, *hp = NULL;
                ct_manifest_verity v = { 0 };
                ct_manifest_cmdline_form forms[3];
                char hex[2 * CT_HASH_MAX_SIZE + 1], f0[200], f1[1200], f2[1300], sh[2 * CT_MAX_MANIFEST_SALT + 1];

                if (!iv->root_hash_len || !iv->tree_ok || !iv->uuids_match ||
                    (iv->sig_present && (!iv->sig_root_matches || iv->sig_verified == 0 ||
                                         (c->d->verity_sig_certificate && !iv->sig_fingerprint_matches)))) {
                        rc = ct_error_set(c->err, CT_E_MISMATCH,
                                          "%s: %s: %s", c->d->image, iv->name,
                                          !iv->root_hash_len ? (iv->error[0] ? iv->error : "no root hash")
                                          : !iv->tree_ok    ? "the hash partition's tree does not match the data partition"
                                          : !iv->uuids_match ? "the partition UUIDs are not derived from the root hash"
                                          : !iv->sig_root_matches ? "the verity-sig partition names another root hash"
                                          : iv->sig_verified == 0 ? "the verity-sig signature does not verify"
                                                                  : "the verity-sig certificate fingerprint differs");
                        break;
                }
                for (size_t k = 0; k < rep->n_parts; k++) {
                        if (rep->parts[k].number == iv->data_part)
                                dp = &rep->parts[k];
                        if (rep->parts[k].number == iv->hash_part)
                                hp = &rep->parts[k];
                }
                ct_hex_encode(iv->root_hash, iv->root_hash_len, hex);
                ct_hex_encode(iv->salt, iv->salt_len, sh);
                v.name = (char *)iv->name;
                memcpy(v.root_hash, iv->root_hash, iv->root_hash_len);
                v.root_hash_len = iv->root_hash_len;
                memcpy(v.salt, iv->salt, iv->salt_len);
                v.salt_len = iv->salt_len;
                v.hash = (char *)iv->hash_name;
                v.hash_type = iv->hash_type;
                v.data_block_size = iv->data_block_size;
                v.hash_block_size = iv->hash_block_size;
                v.data_blocks = iv->data_blocks;
                v.hash_offset = 0;
                v.superblock = true;
                v.uuid = (char *)iv->sb_uuid;
                v.data_partition_uuid = dp ? (char *)dp->uuid : NULL;
                v.hash_partition_uuid = hp ? (char *)hp->uuid : NULL;
                snprintf(f0, sizeof(f0), "%s=%s", strcmp(iv->name, "usr") ? "roothash" : "usrhash", hex);
                forms[0].form = strcmp(iv->name, "usr") ? (char *)"roothash" : (char *)"usrhash";
                forms[0].text = f0;
                snprintf(f1, sizeof(f1),
                         "0 %llu verity %u /dev/disk/by-partuuid/%s /dev/disk/by-partuuid/%s %u %u %llu 1 %s %s %s",
                         (unsigned long long)(iv->data_blocks * (iv->data_block_size / 512)), iv->hash_type,
                         dp ? dp->uuid : "-", hp ? hp->uuid : "-", iv->data_block_size, iv->hash_block_size,
                         (unsigned long long)iv->data_blocks, iv->hash_name, hex, iv->salt_len ? sh : "-");
                forms[1].form = (char *)"table";
                forms[1].text = f1;
                /* dm-mod.create= with PARTUUID= device names (resolved by the kernel's early_lookup_bdev). */
                snprintf(f2, sizeof(f2),
                         "dm-mod.create=\"vroot,,,ro,0 %llu verity %u PARTUUID=%s PARTUUID=%s %u %u %llu 1 %s %s %s\" root=/dev/dm-0",
                         (unsigned long long)(iv->data_blocks * (iv->data_block_size / 512)), iv->hash_type,
                         dp ? dp->uuid : "-", hp ? hp->uuid : "-", iv->data_block_size, iv->hash_block_size,
                         (unsigned long long)iv->data_blocks, iv->hash_name, hex, iv->salt_len ? sh : "-");
                forms[2].form = (char *)"dm-mod.create";
                forms[2].text = f2;
                v.forms = forms;
                v.n_forms = 3;
                rc = ct_manifest_add_verity(c->m, &v, c->err);
                if (rc == CT_OK && iv->sig_present)
                        ct_manifest_artifact_set_string((ct_manifest_artifact *)ct_manifest_find_artifact(c->m, "image"),
                                                        strcmp(iv->name, "usr") ? "root_verity_sig" : "usr_verity_sig",
                                                        iv->sig_verified == 1 ? "verified" : "present, not checked (no certificate)",
                                                        NULL);
        }
        if (rc == CT_OK && rep->n_verity == 0)
                rc = ct_manifest_set_note(c->m, "image", "no root or usr partition with a verity partition", c->err);
        if (rc == CT_OK && rep->esp_note[0])
                rc = ct_manifest_set_note(c->m, "image_esp", rep->esp_note, c->err);
        for (size_t i = 0; rc == CT_OK && i < rep->n_ukis; i++) {
                const ct_image_uki *u = &rep->ukis[i];
                const char *td = getenv("TMPDIR");
                char tmp[512], art[300], var[320];
                int tfd;

                snprintf(tmp, sizeof(tmp), "%s/cocotrust-uki.XXXXXX", td && *td ? td : "/tmp");
                tfd = mkstemp(tmp);
                if (tfd < 0) {
                        rc = ct_error_set_errno(c->err, errno, "temporary file");
                        break;
                }
                close(tfd);
                progress(c, "image: measuring the UKIs in the ESP", i, rep->n_ukis);
                rc = ct_image_extract_uki(c->d->image, rep, u, tmp, c->err);
                snprintf(art, sizeof(art), "uki:%s", u->path);
                snprintf(var, sizeof(var), "uki=%s", u->path);
                if (rc == CT_OK) {
                        /* The first UKI of the ESP is the primary prediction unless the description names one. */
                        rc = pcrs_for(c, tmp, art, (c->d->uki || i > 0) ? var : NULL);
                        if (rc == CT_OK) {
                                ct_manifest_artifact *ua = (ct_manifest_artifact *)ct_manifest_find_artifact(c->m, art);

                                /* Record where it came from, not the temporary copy. */
                                ct_manifest_set_string(&ua->path, u->path, NULL);
                                ct_manifest_artifact_set_int(ua, "partition", u->part, NULL);
                        }
                }
                unlink(tmp);
        }
out:
        free(rep);
        return rc;
}

static ct_code captured(ctx *c)
{
        ct_pcr_set *s = malloc(sizeof(*s));
        ct_code rc;

        if (!s)
                return ct_error_set(c->err, CT_E_NOMEM, "out of memory");
        rc = add_file(c, "capture", c->d->capture, NULL);
        if (rc == CT_OK)
                rc = prefix(c->err, ct_pcr_set_load(c->d->capture, CT_PCR_FORMAT_AUTO, s, NULL, c->err), c->d->capture);
        for (unsigned b = 0; rc == CT_OK && b < s->n_banks; b++) {
                const ct_pcr_bank *bank = &s->banks[b];

                for (unsigned i = 0; rc == CT_OK && i < CT_PCR_COUNT; i++) {
                        ct_manifest_pcr p = { .bank = bank->alg, .index = i };

                        if (!(bank->present & (1u << i)))
                                continue;
                        p.value.alg = bank->alg;
                        p.value.len = ct_hash_size(bank->alg);
                        memcpy(p.value.bytes, bank->values[i], p.value.len);
                        rc = ct_manifest_add_captured_pcr(c->m, &p, c->err);
                }
        }
        free(s);
        return rc;
}

static ct_code init_data(ctx *c)
{
        for (size_t i = 0; i < c->d->n_init_data; i++) {
                const char *path = c->d->init_data[i];
                char name[32];
                ct_manifest_init_data d;
                ct_blob b;
                ct_code rc;

                if (c->d->n_init_data == 1)
                        snprintf(name, sizeof(name), "init_data");
                else
                        snprintf(name, sizeof(name), "init_data:%zu", i);
                if ((rc = add_file(c, name, path, NULL)))
                        return rc;
                rc = ct_blob_read(path, 16u << 20, &b, c->err);
                if (rc)
                        return prefix(c->err, rc, path);
                rc = ct_manifest_init_data_compute(b.data, b.len, CT_HASH_NONE, &d, c->err);
                ct_blob_free(&b);
                if (rc)
                        return prefix(c->err, rc, path);
                d.name = name;
                if ((rc = ct_manifest_add_init_data(c->m, &d, c->err)))
                        return rc;
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_reference_compute(const ct_desc *d, const ct_reference_opts *o, ct_manifest **ret, ct_error *err)
{
        ctx c = { .d = d, .o = o, .err = err };
        ct_manifest_artifact *fw = NULL, *kernel = NULL, *initrd = NULL;
        ct_blob fwb = { 0 };
        ct_code rc;

        if (!d || !ret)
                return ct_error_set(err, CT_E_ARG, "no description");
        if (!d->firmware && !d->kernel && !d->uki && !d->has_rootfs && !d->n_init_data && !d->image)
                return ct_error_set(err, CT_E_MALFORMED,
                                    "the description names no artifact (firmware, kernel, uki, rootfs, init_data, image)");
        if (d->kernel && !d->firmware)
                return ct_error_set(err, CT_E_MALFORMED, "kernel: a direct-boot kernel needs the firmware too");
        if ((rc = ct_manifest_new(d->name, &c.m, err)))
                return rc;
        if ((o && o->generator && (rc = ct_manifest_set_string(&c.m->generator, o->generator, err))) ||
            (o && o->created && (rc = ct_manifest_set_string(&c.m->created, o->created, err))))
                goto fail;

        if (d->firmware) {
                progress(&c, "reading the firmware", 0, 1);
                if ((rc = add_file(&c, "firmware", d->firmware, &fw)))
                        goto fail;
                rc = ct_blob_read(d->firmware, CT_MAX_SNP_FIRMWARE_SIZE, &fwb, err);
                if (rc) {
                        prefix(err, rc, d->firmware);
                        goto fail;
                }
        }
        if (d->kernel && (rc = add_file(&c, "kernel", d->kernel, &kernel)))
                goto fail;
        if (d->initrd && (rc = add_file(&c, "initrd", d->initrd, &initrd)))
                goto fail;
        /* Pointers into m->artifacts move when it grows: look them up again when needed. */
        if (d->has_cmdline && (rc = ct_manifest_add_text(c.m, "cmdline", d->cmdline, NULL, err)))
                goto fail;
        if (d->stub && (rc = add_file(&c, "stub", d->stub, NULL)))
                goto fail;
        if (d->firmware && !d->snp_off) {
                rc = snp_table(&c, &fwb, d->kernel ? ct_manifest_find_artifact(c.m, "kernel") : NULL,
                               d->initrd ? ct_manifest_find_artifact(c.m, "initrd") : NULL);
                if (rc)
                        goto fail;
                fw = (ct_manifest_artifact *)ct_manifest_find_artifact(c.m, "firmware");
                ct_manifest_artifact_set_bool(fw, "kernel_hashes", d->kernel != NULL, NULL);
        }
        (void)kernel;
        (void)initrd;
        c.m->tdx_computed = false;
        if (d->firmware && !d->tdx_off) {
                if ((rc = tdx_table(&c, &fwb)))
                        goto fail;
        } else if ((rc = ct_manifest_set_note(c.m, "tdx",
                                              d->tdx_off ? "not computed: platform.tdx is false"
                                                         : "not computed: the description names no firmware",
                                              err))) {
                goto fail;
        }
        if (d->has_rootfs && (rc = verity(&c)))
                goto fail;
        if (d->uki && (rc = pcrs_for(&c, d->uki, "uki", NULL)))
                goto fail;
        if (d->image && (rc = disk_image(&c)))
                goto fail;
        if (d->n_init_data && (rc = init_data(&c)))
                goto fail;
        if (d->capture && (rc = captured(&c)))
                goto fail;
        ct_blob_free(&fwb);
        *ret = c.m;
        return CT_OK;
fail:
        ct_blob_free(&fwb);
        ct_manifest_free(c.m);
        return rc;
}
