/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ct_snp_explain: digests made by sev-snp-measure 0.0.13 with other
 * parameters (copied from tests/vectors/snp/snp_vectors.json, ids beside
 * each) are found with their configuration given only the artifacts; a
 * digest that no configuration makes gives no match; bad arguments fail
 * without touching the output. The CLI form runs over every vector in
 * explain-vectors.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/snp.h>

#define INPUTS CT_SOURCE_ROOT "/tests/vectors/snp/inputs/"
#define CMDLINE "console=ttyS0 loglevel=7"
#define V2_GENOA "5d3a8d3737f01f2ecf1414de9bfe3e95512dd79a149e275af9bff9f02a4bea3eee57a173282e0c1dec334d9e9e229462"
#define EC2_V4 "df897a55e72884e637777b152b375a8d10ff92ae64279cc7534eb7cbfd57cc00e052e1b1799f618bb9a9ce42f8e9527b"
#define GF21_V1 "d5f4ba9022529d2a2c4d3679eda5260f845b20f3b5b8f446825fb7341b3e3d4dfc4266e44da3931984225c531de24e06"
#define GCE_V4_MILAN "97e36a99c763c2d38284b9ad0671f69d09928c998f39f2f9ec251336ac90dd7f48b6c9944a0e028dfab0d7dff01d0ec1"
#define SEVES_EC2_V2 "d74d8004f765d86021db30810c7028d3c63549e6e9864a07897bc402b65d0d75"
#define SEV_K_I_C "69622986f4493cff9015d882e99a4fff7aca4809ace67f45c63b75f614ffc47e"

static ct_blob fw;
static ct_snp_params art;

static int setup(void **state)
{
        ct_snp_boot_digests d;

        (void)state;
        if (ct_blob_read(INPUTS "ovmf_AmdSev_suffix.bin", 0, &fw, NULL) != CT_OK ||
            ct_snp_boot_digests_files(INPUTS "kernel_synth.bin", INPUTS "initrd_small.bin", CMDLINE, &d, NULL) != CT_OK)
                return -1;
        memset(&art, 0, sizeof(art));
        art.ovmf = fw.data;
        art.ovmf_len = fw.len;
        ct_snp_params_set_boot(&art, &d);
        /* ignored by the search: set to something else than the vectors */
        art.mode = CT_SNP_MODE_SEV;
        art.vcpus = 7;
        art.vmm = CT_SNP_VMM_GCE;
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        ct_blob_free(&fw);
        return 0;
}

static size_t unhex(const char *hex, uint8_t *out)
{
        size_t n = 0;

        assert_int_equal(ct_hex_decode(hex, out, 48, &n, NULL), CT_OK);
        return n;
}

static void one_match(const char *hex, const ct_snp_explain_space *sp, ct_snp_row *ret)
{
        uint8_t d[48];
        size_t n = unhex(hex, d);
        ct_snp_explanation e;

        assert_int_equal(ct_snp_explain(&art, d, n, sp, &e, NULL), CT_OK);
        assert_int_equal(e.n_matches, 1);
        assert_int_equal(e.n_found, 1);
        assert_memory_equal(e.matches[0].digest.bytes, d, n);
        *ret = e.matches[0];
        ct_snp_explanation_free(&e);
}

static void test_found(void **state)
{
        ct_snp_explain_space sp = { .max_vcpus = 8 };
        ct_snp_row r;

        (void)state;
        one_match(V2_GENOA, &sp, &r); /* snp_amdsev_k_i_c_v2_genoa */
        assert_int_equal(r.mode, CT_SNP_MODE_SNP);
        assert_int_equal(r.vmm, CT_SNP_VMM_QEMU);
        assert_string_equal(r.vcpu_type, "EPYC-Genoa");
        assert_true(r.has_sig);
        assert_int_equal(r.vcpu_sig, 0xa10f10);
        assert_int_equal(r.vcpus, 2);
        assert_int_equal(r.guest_features, 1);

        one_match(EC2_V4, &sp, &r); /* snp_amdsev_ec2_k_i_c_v4 */
        assert_int_equal(r.vmm, CT_SNP_VMM_EC2);
        assert_false(r.has_sig); /* ec2 measures no signature */
        assert_int_equal(r.vmsa_rdx, 0x600);
        assert_int_equal(r.vcpus, 4);

        one_match(GF21_V1, &sp, &r); /* snp_amdsev_k_i_c_v1_epycv4_gf21 */
        assert_int_equal(r.vcpu_sig, 0x800f12);
        assert_string_equal(r.vcpu_type, "EPYC");
        assert_int_equal(r.vcpus, 1);
        assert_int_equal(r.guest_features, 0x21);

        one_match(GCE_V4_MILAN, &sp, &r); /* snp_amdsev_gce_k_i_c_v4_milan */
        assert_int_equal(r.vmm, CT_SNP_VMM_GCE);
        assert_int_equal(r.vcpus, 4);

        one_match(SEVES_EC2_V2, &sp, &r); /* seves_amdsev_ec2_k_i_c_v2 */
        assert_int_equal(r.mode, CT_SNP_MODE_SEV_ES);
        assert_int_equal(r.vmm, CT_SNP_VMM_EC2);
        assert_int_equal(r.vcpus, 2);
        assert_int_equal(r.guest_features, 0);

        one_match(SEV_K_I_C, &sp, &r); /* sev_amdsev_k_i_c */
        assert_int_equal(r.mode, CT_SNP_MODE_SEV);
        assert_false(r.vcpus_apply);
}

static void test_whole_space_and_threads(void **state)
{
        ct_snp_explain_space one = { .threads = 1 };
        ct_snp_row a, b;

        (void)state;
        one_match(V2_GENOA, NULL, &a); /* the whole default space, 2 threads */
        one_match(V2_GENOA, &one, &b);
        assert_memory_equal(&a, &b, sizeof(a));
}

/* Aliases (EPYC and EPYC-v4 share a signature) and repeated VMM types are searched once. */
static void test_duplicates(void **state)
{
        const ct_snp_vmm vmms[] = { CT_SNP_VMM_QEMU, CT_SNP_VMM_QEMU };
        const ct_snp_sig sigs[] = { { "EPYC", true, 0x800f12 }, { "EPYC-v4", true, 0x800f12 },
                                    { "EPYC-Genoa", true, 0xa10f10 } };
        ct_snp_explain_space sp = { 8, vmms, 2, sigs, 3, NULL, 0, 0 };
        uint8_t d[48];
        size_t n = unhex(V2_GENOA, d);
        ct_snp_explanation e;

        (void)state;
        assert_int_equal(ct_snp_explain(&art, d, n, &sp, &e, NULL), CT_OK);
        assert_int_equal(e.n_matches, 1);
        assert_int_equal(e.configurations, 8ull * 2 * 513);
        ct_snp_explanation_free(&e);
}

static void test_none(void **state)
{
        uint8_t d[48];
        ct_snp_explanation e;
        size_t n = unhex(V2_GENOA, d);
        const ct_snp_vmm qemu = CT_SNP_VMM_QEMU;
        const ct_snp_sig milan = { "EPYC-Milan", true, 0xa00f11 };
        const uint64_t gf[] = { 1, 0x21 };
        ct_snp_explain_space sp = { 64, &qemu, 1, &milan, 1, gf, 2, 2 };

        (void)state;
        d[47] ^= 1; /* no configuration makes this */
        assert_int_equal(ct_snp_explain(&art, d, n, NULL, &e, NULL), CT_OK);
        assert_int_equal(e.n_matches, 0);
        assert_null(e.matches);
        assert_int_equal(e.configurations, 512ull * 7 * 513);
        assert_int_equal(e.modes, 1u << CT_SNP_MODE_SNP);
        ct_snp_explanation_free(&e);
        /* the right digest outside a narrowed space (Milan only) is not found either */
        d[47] ^= 1;
        assert_int_equal(ct_snp_explain(&art, d, n, &sp, &e, NULL), CT_OK);
        assert_int_equal(e.n_matches, 0);
        assert_int_equal(e.configurations, 64 * 2);
        ct_snp_explanation_free(&e);
}

static void test_errors(void **state)
{
        uint8_t d[48] = { 0 };
        ct_snp_explanation e = { .n_matches = 42 };
        const ct_snp_sig nosig = { NULL, false, 0 };
        ct_snp_explain_space sp = { .sigs = &nosig, .n_sigs = 1 };
        ct_snp_params bad = art;
        ct_error err;

        (void)state;
        assert_int_equal(ct_snp_explain(&art, d, 47, NULL, &e, &err), CT_E_ARG);
        assert_int_equal(ct_snp_explain(&art, d, 48, &sp, &e, &err), CT_E_ARG);
        sp = (ct_snp_explain_space){ .max_vcpus = CT_MAX_SNP_VCPUS + 1 };
        assert_int_equal(ct_snp_explain(&art, d, 48, &sp, &e, &err), CT_E_ARG);
        /* a kernel with a firmware that cannot measure one: the firmware's error */
        bad.ovmf_len = fw.len - 1;
        assert_int_equal(ct_snp_explain(&bad, d, 48, NULL, &e, &err), CT_E_MALFORMED);
        assert_int_equal(e.n_matches, 42); /* untouched */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_found),
                cmocka_unit_test(test_whole_space_and_threads),
                cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_none),
                cmocka_unit_test(test_errors),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
