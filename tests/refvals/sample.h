/* SPDX-License-Identifier: Apache-2.0 */
/* A manifest that fills every field, shared by test-manifest.c and manifest-tool.c. */
#ifndef CT_TEST_REFVALS_SAMPLE_H
#define CT_TEST_REFVALS_SAMPLE_H

#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/manifest.h>

static inline void sample_hex(const char *h, uint8_t *out, size_t cap, size_t *len)
{
        size_t n = 0;

        if (ct_hex_decode(h, out, cap, &n, NULL) != CT_OK)
                abort();
        if (len)
                *len = n;
}

/* Artifacts are added in reverse order of `order` when reverse is true (the output must not change). */
static inline ct_manifest *sample_manifest(bool reverse)
{
        static const char *const init_toml = "algorithm = \"sha384\"\nversion = \"0.1.0\"\n\n[data]\n\"aa.toml\" = '''\n'''\n";
        ct_manifest *m = NULL;
        ct_manifest_artifact *a;
        ct_manifest_snp_row row = { 0 };
        ct_manifest_tdx_row tr = { 0 };
        ct_manifest_verity v = { 0 };
        ct_manifest_cmdline_form forms[2];
        ct_manifest_pcr p = { 0 };
        ct_manifest_init_data d;
        ct_manifest_artifact art[3] = {
                { .name = (char *)"kernel", .path = (char *)"vmlinuz", .has_size = true, .size = 8388608,
                  .has_sha256 = true },
                { .name = (char *)"firmware", .path = (char *)"OVMF.fd", .has_size = true, .size = 4194304,
                  .has_sha256 = true },
                { .name = (char *)"uki:EFI/Linux/a.efi", .path = (char *)"/EFI/Linux/a.efi", .has_sha256 = true },
        };

        if (ct_manifest_new("demo-image", &m, NULL))
                abort();
        ct_manifest_set_string(&m->generator, "cocotrust test", NULL);
        for (int i = 0; i < 3; i++)
                memset(art[i].sha256, 0x11 * (i + 1), 32);
        for (int i = 0; i < 3; i++) {
                if (ct_manifest_add_artifact(m, &art[reverse ? 2 - i : i], &a, NULL))
                        abort();
                if (strcmp(a->name, "firmware") == 0) {
                        ct_manifest_artifact_set_string(a, "variant", "edk2-stable202405", NULL);
                        ct_manifest_artifact_set_bool(a, "secure_boot", false, NULL);
                        ct_manifest_artifact_set_int(a, "vars_size", -1, NULL);
                }
        }
        if (ct_manifest_add_text(m, "cmdline", "console=ttyS0 root=/dev/vda1", NULL, NULL))
                abort();
        row.mode = (char *)"snp";
        row.vcpus = 4;
        row.vcpu_type = (char *)"EPYC-Milan";
        row.vmm = (char *)"QEMU";
        row.guest_features = 0x1;
        row.measurement_len = 48;
        memset(row.measurement, 0xab, 48);
        if (ct_manifest_add_snp(m, &row, NULL))
                abort();
        row.mode = (char *)"sev";
        row.vcpu_type = NULL;
        row.vcpus = 0;
        row.measurement_len = 32;
        if (ct_manifest_add_snp(m, &row, NULL))
                abort();
        tr.memory_mib = 2048;
        tr.vcpus = 4;
        tr.variant = (char *)"default";
        memset(tr.mrtd, 0x01, 48);
        for (int k = 0; k < 3; k++) {
                tr.has_rtmr[k] = true;
                memset(tr.rtmr[k], 0x20 + k, 48);
        }
        tr.has_tdvfkernel = true;
        memset(tr.tdvfkernel, 0x30, 48);
        tr.has_xfam = true;
        tr.xfam = 0x00000000000602e7ull;
        if (ct_manifest_add_tdx(m, &tr, NULL))
                abort();
        v.name = (char *)"rootfs";
        sample_hex("b7c19ca1ec3d8f3b4f4a1b0a3f2c1e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39", v.root_hash, 64, &v.root_hash_len);
        sample_hex("aabbccdd", v.salt, sizeof(v.salt), &v.salt_len);
        v.hash = (char *)"sha256";
        v.hash_type = 1;
        v.data_block_size = 4096;
        v.hash_block_size = 4096;
        v.data_blocks = 256;
        v.hash_offset = 1048576;
        v.superblock = true;
        v.uuid = (char *)"7f8a2c1e-0b3d-4e5f-8a9b-0c1d2e3f4a5b";
        forms[0].form = (char *)"roothash";
        forms[0].text = (char *)"roothash=b7c19ca1ec3d8f3b4f4a1b0a3f2c1e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";
        forms[1].form = (char *)"dm-mod.create";
        forms[1].text = (char *)"dm-mod.create=\"dm-verity,,,ro,0 2048 verity 1 /dev/vda1 /dev/vda2 4096 4096 256 1 sha256 b7 aabbccdd\"";
        v.forms = forms;
        v.n_forms = 2;
        if (ct_manifest_add_verity(m, &v, NULL))
                abort();
        int idx[3] = { 11, 4, 7 };
        for (int i = 0; i < 3; i++) {
                p.bank = CT_HASH_SHA256;
                p.index = (uint32_t)idx[i];
                p.value.alg = CT_HASH_SHA256;
                p.value.len = 32;
                memset(p.value.bytes, idx[i], 32);
                if (ct_manifest_add_pcr(m, &p, NULL))
                        abort();
                p.bank = CT_HASH_SHA1;
                p.value.alg = CT_HASH_SHA1;
                p.value.len = 20;
                if (ct_manifest_add_pcr(m, &p, NULL) || ct_manifest_add_captured_pcr(m, &p, NULL))
                        abort();
        }
        p.bank = CT_HASH_SHA256;
        p.index = 4;
        p.value.alg = CT_HASH_SHA256;
        p.value.len = 32;
        p.variant = (char *)"secure_boot=on";
        memset(p.value.bytes, 0x44, 32);
        if (ct_manifest_add_pcr_variant(m, &p, NULL))
                abort();
        p.variant = NULL;
        p.index = 11;
        p.phase = (char *)"enter-initrd:leave-initrd";
        if (ct_manifest_add_pcr11_phase(m, &p, NULL))
                abort();
        p.phase = (char *)"enter-initrd";
        if (ct_manifest_add_pcr11_phase(m, &p, NULL))
                abort();
        if (ct_manifest_init_data_compute((const uint8_t *)init_toml, strlen(init_toml), CT_HASH_NONE, &d, NULL))
                abort();
        d.name = (char *)"init_data";
        if (ct_manifest_add_init_data(m, &d, NULL))
                abort();
        if (ct_manifest_set_note(m, "tdx", "values from fixtures", NULL) ||
            ct_manifest_set_note(m, "about", "a sample that fills every field", NULL))
                abort();
        return m;
}

#endif
