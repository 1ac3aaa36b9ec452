/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library API (ct_snp_measure, the ct_snp_base prefix API) against the
 * sev-snp-measure 0.0.13 vectors in tests/vectors/snp/snp_vectors.json. The
 * expected digests and the input SHA-256 values below are copied from that
 * file (vector ids named beside each), not computed by cocotrust.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/snp.h>

/* "files" of snp_amdsev_k_i_c_v1_epycv4 */
#define KERNEL_SHA256 "e4135466cac7e9b98b79d9e8109ad679bf85279070f8215850be8c5dc925b2be"
#define INITRD_SHA256 "0faf0a65d9ccc616ed8e7aa7b06a697d8cf53e03e63819be5b42a7b8599f5703"

static const struct {
        int64_t vcpus;
        const char *digest;
} epycv4[] = {
        { 1, "ae380d54288131e98c72e0d411116ef30d4a5a50ada5cf194d4c643a8a729a86399eca07ec0b2c2d74ff1864eb6c63b8" },  /* snp_amdsev_k_i_c_v1_epycv4 */
        { 2, "2606667ef1bfabc35bf30ad855d398032022a007044cb5782b45faa3fd7b4a6bec6ca341205f2d755b242159f852296f" },  /* snp_amdsev_k_i_c_v2_epycv4 */
};

static ct_blob fw;

static int setup(void **state)
{
        char path[4096];

        (void)state;
        snprintf(path, sizeof(path), "%s/tests/vectors/snp/inputs/ovmf_AmdSev_suffix.bin", CT_SOURCE_ROOT);
        return ct_blob_read(path, 0, &fw, NULL) == CT_OK ? 0 : -1;
}

static int teardown(void **state)
{
        (void)state;
        ct_blob_free(&fw);
        return 0;
}

static void params(ct_snp_params *p)
{
        memset(p, 0, sizeof(*p));
        p->mode = CT_SNP_MODE_SNP;
        p->vmm = CT_SNP_VMM_QEMU;
        p->vcpu_sig = ct_snp_cpu_sig(23, 1, 2); /* EPYC-v4 */
        p->guest_features = 1;
        p->ovmf = fw.data;
        p->ovmf_len = fw.len;
        p->has_kernel = true;
        assert_int_equal(ct_hex_decode(KERNEL_SHA256, p->kernel_sha256, 32, NULL, NULL), CT_OK);
        assert_int_equal(ct_hex_decode(INITRD_SHA256, p->initrd_sha256, 32, NULL, NULL), CT_OK);
        assert_int_equal(ct_snp_cmdline_sha256("console=ttyS0 loglevel=7", p->cmdline_sha256, NULL), CT_OK);
}

static void assert_digest(const ct_digest *d, const char *hex)
{
        char out[2 * CT_HASH_MAX_SIZE + 1];
        assert_int_equal(d->alg, CT_HASH_SHA384);
        assert_string_equal(ct_hex_encode(d->bytes, d->len, out), hex);
}

static void test_measure_one(void **state)
{
        ct_snp_params p;
        ct_digest d;

        (void)state;
        params(&p);
        for (size_t i = 0; i < sizeof(epycv4) / sizeof(epycv4[0]); i++) {
                p.vcpus = epycv4[i].vcpus;
                assert_int_equal(ct_snp_measure(&p, &d, NULL), CT_OK);
                assert_digest(&d, epycv4[i].digest);
        }
}

static void test_base_series(void **state)
{
        static const int64_t counts[] = { -3, 0, 1, 1, 2, 4, 64 };
        /* snp_amdsev_vcpus_negative, snp_amdsev_v0, v1, v1, v2, v4, v64 (EPYC-v4) */
        static const char *const want[] = {
                "6a617bd8b5fc31491e5d6094768f760cb40b7ba9098fb61ae59287db45c897e423a3fd051db767a4d5f5ec41d0d72c53",
                "6a617bd8b5fc31491e5d6094768f760cb40b7ba9098fb61ae59287db45c897e423a3fd051db767a4d5f5ec41d0d72c53",
                "ae380d54288131e98c72e0d411116ef30d4a5a50ada5cf194d4c643a8a729a86399eca07ec0b2c2d74ff1864eb6c63b8",
                "ae380d54288131e98c72e0d411116ef30d4a5a50ada5cf194d4c643a8a729a86399eca07ec0b2c2d74ff1864eb6c63b8",
                "2606667ef1bfabc35bf30ad855d398032022a007044cb5782b45faa3fd7b4a6bec6ca341205f2d755b242159f852296f",
                "8f6c0c8040b99fe1dd8a8ad5e78c754db1380486ca250ee381ad446367b96ed2a9ae1e000c2b19a9830d05698c41de2a",
                "4bd61da79aff9d1435237f35a9e5a9ef5215d31dd975ea18617f4a9692821a9fe51f0ea6244b8f49b51dd8ac9777c551",
        };
        ct_snp_params p;
        ct_snp_base *b = NULL;
        ct_digest d[7], one;

        (void)state;
        params(&p);
        assert_int_equal(ct_snp_base_new(&p, &b, NULL), CT_OK);
        assert_int_equal(ct_snp_base_mode(b), CT_SNP_MODE_SNP);
        assert_int_equal(ct_snp_base_measure(b, p.vmm, p.vcpu_sig, 1, counts, 7, d, NULL), CT_OK);
        for (size_t i = 0; i < 7; i++)
                assert_digest(&d[i], want[i]);
        /* each entry of the series equals a separate one-configuration measurement */
        for (size_t i = 0; i < 7; i++) {
                p.vcpus = counts[i];
                assert_int_equal(ct_snp_measure(&p, &one, NULL), CT_OK);
                assert_memory_equal(one.bytes, d[i].bytes, 48);
        }
        ct_snp_base_free(b);
}

static void test_base_errors(void **state)
{
        static const int64_t descending[] = { 4, 2 };
        static const int64_t too_many[] = { CT_MAX_SNP_VCPUS + 1 };
        ct_snp_params p;
        ct_snp_base *b = NULL;
        ct_digest d[2], keep;
        ct_error err;

        (void)state;
        params(&p);
        assert_int_equal(ct_snp_base_new(&p, &b, NULL), CT_OK);
        memset(d, 0x5a, sizeof(d));
        keep = d[0];
        assert_int_equal(ct_snp_base_measure(b, p.vmm, p.vcpu_sig, 1, descending, 2, d, &err), CT_E_ARG);
        assert_memory_equal(&d[0], &keep, sizeof(keep)); /* outputs untouched on failure */
        assert_int_equal(ct_snp_base_measure(b, p.vmm, p.vcpu_sig, 1, too_many, 1, d, &err), CT_E_LIMIT);
        ct_snp_base_free(b);
        ct_snp_base_free(NULL);

        /* seves/sev refuse an OVMF hash seed; sev has no VMSA */
        p.mode = CT_SNP_MODE_SEV_ES;
        p.has_ovmf_hash = true;
        assert_int_equal(ct_snp_base_new(&p, &b, &err), CT_E_ARG);
        p.has_ovmf_hash = false;
        p.mode = CT_SNP_MODE_SEV;
        assert_int_equal(ct_snp_base_new(&p, &b, &err), CT_OK);
        {
                uint8_t page[CT_SNP_PAGE_SIZE];
                assert_int_equal(ct_snp_base_vmsa(b, CT_SNP_VMM_QEMU, 0, 0, 0, page, &err), CT_E_ARG);
        }
        ct_snp_base_free(b);
}

/* The boot-CPU VMSA page equals the dump sev-snp-measure wrote for snp_amdsev_k_i_c_v1_epycv4. */
static void test_vmsa_page(void **state)
{
        char path[4096];
        ct_snp_params p;
        ct_snp_base *b = NULL;
        uint8_t page[CT_SNP_PAGE_SIZE];
        ct_blob ref;

        (void)state;
        params(&p);
        assert_int_equal(ct_snp_base_new(&p, &b, NULL), CT_OK);
        assert_int_equal(ct_snp_base_vmsa(b, CT_SNP_VMM_QEMU, p.vcpu_sig, 1, 0, page, NULL), CT_OK);
        snprintf(path, sizeof(path), "%s/tests/vectors/snp/vmsa/snp_amdsev_k_i_c_v1_epycv4/vmsa0.bin", CT_SOURCE_ROOT);
        assert_int_equal(ct_blob_read(path, 0, &ref, NULL), CT_OK);
        assert_int_equal(ref.len, sizeof(page));
        assert_memory_equal(ref.data, page, sizeof(page));
        ct_blob_free(&ref);
        /* the AP page of the 2-vCPU dump */
        assert_int_equal(ct_snp_base_vmsa(b, CT_SNP_VMM_QEMU, p.vcpu_sig, 1, 1, page, NULL), CT_OK);
        snprintf(path, sizeof(path), "%s/tests/vectors/snp/vmsa/snp_amdsev_k_i_c_v2_epycv4/vmsa1.bin", CT_SOURCE_ROOT);
        assert_int_equal(ct_blob_read(path, 0, &ref, NULL), CT_OK);
        assert_memory_equal(ref.data, page, sizeof(page));
        ct_blob_free(&ref);
        ct_snp_base_free(b);
}

static void test_names(void **state)
{
        ct_snp_mode m;
        ct_snp_vmm v;
        size_t n;

        (void)state;
        assert_true(ct_snp_mode_from_name("snp:ovmf-hash", &m));
        assert_int_equal(m, CT_SNP_MODE_SNP_OVMF_HASH);
        assert_false(ct_snp_mode_from_name("SNP", &m));
        assert_true(ct_snp_vmm_from_name("ec2", &v));
        assert_false(ct_snp_vmm_from_name("qemu", &v)); /* case-sensitive, as sev-snp-measure */
        assert_non_null(ct_snp_vcpu_types(&n));
        assert_int_equal(n, 16);
        /* signatures from shared/specs/snp-launch-digest.md §7 */
        assert_int_equal(ct_snp_cpu_sig(23, 1, 2), 0x800f12);
        assert_int_equal(ct_snp_cpu_sig(23, 49, 0), 0x830f10);
        assert_int_equal(ct_snp_cpu_sig(25, 1, 1), 0xa00f11);
        assert_int_equal(ct_snp_cpu_sig(25, 17, 0), 0xa10f10);
        assert_int_equal(ct_snp_cpu_sig(26, 0, 0), 0xb00f00);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_measure_one), cmocka_unit_test(test_base_series),
                cmocka_unit_test(test_base_errors), cmocka_unit_test(test_vmsa_page),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
