/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src/lib/snp/table.c: Python int() text as sev-snp-measure's argparse reads
 * it, --vcpus lists, the direct-boot input digests, and ct_snp_table (order,
 * row rules, digests). Expected digests and input SHA-256 values are copied
 * from tests/vectors/snp/snp_vectors.json (produced by sev-snp-measure
 * 0.0.13; vector ids beside each); the integer cases are what Python 3's
 * int() returns for them.
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
/* "files" of snp_amdsev_k_i_c_v1_epycv4 */
#define KERNEL_SHA256 "e4135466cac7e9b98b79d9e8109ad679bf85279070f8215850be8c5dc925b2be"
#define INITRD_SHA256 "0faf0a65d9ccc616ed8e7aa7b06a697d8cf53e03e63819be5b42a7b8599f5703"
#define CMDLINE "console=ttyS0 loglevel=7"

#define V1_EPYCV4 "ae380d54288131e98c72e0d411116ef30d4a5a50ada5cf194d4c643a8a729a86399eca07ec0b2c2d74ff1864eb6c63b8"
#define V2_EPYCV4 "2606667ef1bfabc35bf30ad855d398032022a007044cb5782b45faa3fd7b4a6bec6ca341205f2d755b242159f852296f"
#define V4_EPYCV4 "8f6c0c8040b99fe1dd8a8ad5e78c754db1380486ca250ee381ad446367b96ed2a9ae1e000c2b19a9830d05698c41de2a"
#define V2_GENOA "5d3a8d3737f01f2ecf1414de9bfe3e95512dd79a149e275af9bff9f02a4bea3eee57a173282e0c1dec334d9e9e229462"
#define V2_MILAN "521d4c303b0201331a0581cd6d63686a27da4b1ea461ddbb127590f2afe04fd966c9627491f241e1d38ff4d11ca13e91"
#define EC2_V1 "67c3ad597672e2d399de0a6b6f788be9909f83404ffa3daf841b6255203721884b2ef26e7f22f34379776172f199f68f"
#define EC2_V4 "df897a55e72884e637777b152b375a8d10ff92ae64279cc7534eb7cbfd57cc00e052e1b1799f618bb9a9ce42f8e9527b"
#define SEVES_EC2_V2 "d74d8004f765d86021db30810c7028d3c63549e6e9864a07897bc402b65d0d75"
#define SEV_K_I_C "69622986f4493cff9015d882e99a4fff7aca4809ace67f45c63b75f614ffc47e"

static ct_blob fw;

static int setup(void **state)
{
        (void)state;
        return ct_blob_read(INPUTS "ovmf_AmdSev_suffix.bin", 0, &fw, NULL) == CT_OK ? 0 : -1;
}

static int teardown(void **state)
{
        (void)state;
        ct_blob_free(&fw);
        return 0;
}

static void hex_is(const uint8_t *b, size_t n, const char *hex)
{
        char out[2 * CT_HASH_MAX_SIZE + 1];

        assert_string_equal(ct_hex_encode(b, n, out), hex);
}

static void test_parse_int(void **state)
{
        int64_t i = 7;
        uint64_t u = 7;

        (void)state;
        /* int(x) */
        assert_true(ct_snp_parse_i64("42", &i));
        assert_int_equal(i, 42);
        assert_true(ct_snp_parse_i64(" -3 ", &i));
        assert_int_equal(i, -3);
        assert_true(ct_snp_parse_i64("1_000", &i));
        assert_int_equal(i, 1000);
        assert_true(ct_snp_parse_i64("+0", &i));
        assert_int_equal(i, 0);
        assert_true(ct_snp_parse_i64("-9223372036854775808", &i));
        assert_true(i == INT64_MIN);
        i = 7;
        assert_false(ct_snp_parse_i64("9223372036854775808", &i));
        assert_false(ct_snp_parse_i64("1__0", &i));
        assert_false(ct_snp_parse_i64("_1", &i));
        assert_false(ct_snp_parse_i64("1_", &i));
        assert_false(ct_snp_parse_i64("0x10", &i)); /* int("0x10") fails: base 10 */
        assert_false(ct_snp_parse_i64("", &i));
        assert_false(ct_snp_parse_i64("-", &i));
        assert_false(ct_snp_parse_i64("1 2", &i));
        assert_int_equal(i, 7); /* untouched on failure */
        /* int(x, 0) into a ctypes u64 */
        assert_true(ct_snp_parse_u64("0x21", &u));
        assert_int_equal(u, 0x21);
        assert_true(ct_snp_parse_u64("0b100001", &u));
        assert_int_equal(u, 0x21);
        assert_true(ct_snp_parse_u64("0o17", &u));
        assert_int_equal(u, 017);
        assert_true(ct_snp_parse_u64("0x_1f", &u));
        assert_int_equal(u, 0x1f);
        assert_true(ct_snp_parse_u64("-1", &u));
        assert_true(u == UINT64_MAX);
        assert_true(ct_snp_parse_u64("18446744073709551617", &u)); /* 2^64 + 1 wraps to 1 */
        assert_int_equal(u, 1);
        assert_true(ct_snp_parse_u64("000", &u));
        assert_int_equal(u, 0);
        u = 7;
        assert_false(ct_snp_parse_u64("021", &u)); /* leading zero in decimal */
        assert_false(ct_snp_parse_u64("0x", &u));
        assert_false(ct_snp_parse_u64("0xg", &u));
        assert_false(ct_snp_parse_u64("1.0", &u));
        assert_int_equal(u, 7);
}

static void test_vcpus_parse(void **state)
{
        static const int64_t want[] = { 1, 2, 3, 4, 16, 32 };
        int64_t *v = NULL;
        size_t n = 0;
        ct_error err;

        (void)state;
        assert_int_equal(ct_snp_vcpus_parse("1-4,16,32", &v, &n, NULL), CT_OK);
        assert_int_equal(n, 6);
        assert_memory_equal(v, want, sizeof(want));
        free(v);
        assert_int_equal(ct_snp_vcpus_parse("-3", &v, &n, NULL), CT_OK); /* a negative count alone */
        assert_int_equal(n, 1);
        assert_int_equal(v[0], -3);
        free(v);
        assert_int_equal(ct_snp_vcpus_parse(" 1_0 ", &v, &n, NULL), CT_OK);
        assert_int_equal(v[0], 10);
        free(v);
        assert_int_equal(ct_snp_vcpus_parse("1-512", &v, &n, NULL), CT_OK);
        assert_int_equal(n, 512);
        assert_int_equal(v[511], 512);
        free(v);
        assert_int_equal(ct_snp_vcpus_parse("4,2,2", &v, &n, NULL), CT_OK); /* any order, duplicates kept */
        assert_int_equal(n, 3);
        assert_int_equal(v[0], 4);
        free(v);

        v = NULL;
        n = 99;
        assert_int_equal(ct_snp_vcpus_parse("", &v, &n, &err), CT_E_MALFORMED);
        assert_int_equal(ct_snp_vcpus_parse("1,,2", &v, &n, &err), CT_E_MALFORMED);
        assert_true(err.has_offset);
        assert_int_equal(err.offset, 2);
        assert_int_equal(ct_snp_vcpus_parse("4-2", &v, &n, &err), CT_E_MALFORMED);
        assert_int_equal(ct_snp_vcpus_parse("-1-2", &v, &n, &err), CT_E_MALFORMED);
        assert_int_equal(ct_snp_vcpus_parse("1-2-3", &v, &n, &err), CT_E_MALFORMED);
        assert_int_equal(ct_snp_vcpus_parse("a", &v, &n, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "invalid value"));
        assert_int_equal(ct_snp_vcpus_parse("1,", &v, &n, &err), CT_E_MALFORMED);
        assert_int_equal(ct_snp_vcpus_parse("65537", &v, &n, &err), CT_E_LIMIT);
        assert_int_equal(ct_snp_vcpus_parse("1-65537", &v, &n, &err), CT_E_LIMIT);
        assert_int_equal(ct_snp_vcpus_parse("0-65536,0-65536,0-65536,0-65536,0-65536,0-65536,0-65536,0-65536,"
                                            "0-65536,0-65536,0-65536,0-65536,0-65536,0-65536,0-65536,0-65536,1",
                                            &v, &n, &err),
                         CT_E_LIMIT);
        assert_null(v);
        assert_int_equal(n, 99); /* outputs untouched on failure */
}

static void test_lists(void **state)
{
        ct_snp_sig *sigs = NULL;
        ct_snp_vmm vmms[4];
        uint64_t *v = NULL;
        size_t n = 0;
        ct_error err;

        (void)state;
        /* signatures from shared/specs/snp-launch-digest.md sec. 7 */
        assert_int_equal(ct_snp_sigs_from_types("EPYC-Milan,,EPYC-Genoa", &sigs, &n, NULL), CT_OK);
        assert_int_equal(n, 2);
        assert_string_equal(sigs[0].vcpu_type, "EPYC-Milan");
        assert_int_equal(sigs[0].sig, 0xa00f11);
        assert_true(sigs[1].has_sig);
        assert_int_equal(sigs[1].sig, 0xa10f10);
        free(sigs);
        assert_int_equal(ct_snp_sigs_from_types("all", &sigs, &n, NULL), CT_OK);
        assert_int_equal(n, 16);
        assert_string_equal(sigs[15].vcpu_type, "EPYC-Turin");
        assert_int_equal(sigs[15].sig, 0xb00f00);
        free(sigs);
        sigs = NULL;
        assert_int_equal(ct_snp_sigs_from_types("EPYC,epyc", &sigs, &n, &err), CT_E_MALFORMED);
        assert_int_equal(err.offset, 5);
        assert_non_null(strstr(err.msg, "'epyc'"));
        assert_int_equal(ct_snp_sigs_from_types(",", &sigs, &n, &err), CT_E_MALFORMED);
        assert_null(sigs);
        assert_int_equal(ct_snp_sigs_from_values("0xa00f11,-1", &sigs, &n, NULL), CT_OK);
        assert_int_equal(sigs[0].sig, 0xa00f11);
        assert_true(sigs[1].sig == UINT64_MAX);
        assert_null(sigs[0].vcpu_type);
        free(sigs);
        assert_int_equal(ct_snp_vmms_parse("QEMU,ec2,gce", vmms, 4, &n, NULL), CT_OK);
        assert_int_equal(n, 3);
        assert_int_equal(vmms[2], CT_SNP_VMM_GCE);
        assert_int_equal(ct_snp_vmms_parse("QEMU,qemu", vmms, 4, &n, &err), CT_E_MALFORMED);
        assert_int_equal(ct_snp_vmms_parse("QEMU,QEMU,QEMU", vmms, 2, &n, &err), CT_E_LIMIT);
        assert_int_equal(ct_snp_u64_list_parse("1,0x21,0b11", &v, &n, NULL), CT_OK);
        assert_int_equal(n, 3);
        assert_int_equal(v[1], 0x21);
        assert_int_equal(v[2], 3);
        free(v);
        assert_int_equal(ct_snp_u64_list_parse("1,x", &v, &n, &err), CT_E_MALFORMED);
        assert_int_equal(err.offset, 2);
}

static void test_boot_digests(void **state)
{
        ct_snp_boot_digests d;
        ct_error err;

        (void)state;
        assert_int_equal(ct_snp_boot_digests_files(INPUTS "kernel_synth.bin", INPUTS "initrd_small.bin", CMDLINE, &d,
                                                   NULL),
                         CT_OK);
        hex_is(d.kernel_sha256, 32, KERNEL_SHA256);
        assert_int_equal(d.kernel_size, 2101249);
        assert_true(d.has_initrd);
        hex_is(d.initrd_sha256, 32, INITRD_SHA256);
        assert_int_equal(d.initrd_size, 13);
        /* no initrd: SHA-256("") */
        assert_int_equal(ct_snp_boot_digests_files(INPUTS "kernel_synth.bin", "", NULL, &d, NULL), CT_OK);
        assert_false(d.has_initrd);
        hex_is(d.initrd_sha256, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        /* /dev/null reads as an empty file, as sev-snp-measure reads it (vectors *_devnull_*) */
        assert_int_equal(ct_snp_boot_digests_files("/dev/null", "/dev/null", NULL, &d, NULL), CT_OK);
        hex_is(d.kernel_sha256, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_true(d.has_initrd);
        assert_int_equal(d.kernel_size, 0);
        /* other character devices stay refused by the input layer (/dev/zero would never end) */
        assert_int_equal(ct_snp_boot_digests_files("/dev/zero", NULL, NULL, &d, &err), CT_E_INPUT);
        assert_string_equal(err.input, "/dev/zero");
        assert_int_equal(ct_snp_boot_digests_files("/nonexistent/vmlinuz", NULL, NULL, &d, &err), CT_E_INPUT);
        assert_string_equal(err.input, "/nonexistent/vmlinuz");
        assert_int_equal(ct_snp_boot_digests_files(INPUTS "kernel_synth.bin", NULL, "bad \xff", &d, &err),
                         CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "--append"));
}

static ct_snp_base *base_for(ct_snp_mode mode)
{
        ct_snp_params p;
        ct_snp_boot_digests d;
        ct_snp_base *b = NULL;

        memset(&p, 0, sizeof(p));
        p.mode = mode;
        p.ovmf = fw.data;
        p.ovmf_len = fw.len;
        assert_int_equal(ct_snp_boot_digests_files(INPUTS "kernel_synth.bin", INPUTS "initrd_small.bin", CMDLINE, &d,
                                                   NULL),
                         CT_OK);
        ct_snp_params_set_boot(&p, &d);
        assert_int_equal(ct_snp_base_new(&p, &b, NULL), CT_OK);
        return b;
}

static void test_table_order_and_rules(void **state)
{
        static const ct_snp_vmm vmms[] = { CT_SNP_VMM_QEMU, CT_SNP_VMM_EC2 };
        static const int64_t vcpus[] = { 4, 1, 2 };
        ct_snp_sig sigs[2] = {
                { "EPYC-v4", true, 0x800f12 },
                { "EPYC-Genoa", true, 0xa10f10 },
        };
        ct_snp_table_spec spec = { vmms, 2, sigs, 2, vcpus, 3, 1 };
        ct_snp_base *b = base_for(CT_SNP_MODE_SNP);
        ct_snp_row *rows = NULL;
        size_t n = 0;

        (void)state;
        assert_int_equal(ct_snp_table(b, &spec, &rows, &n, NULL), CT_OK);
        assert_int_equal(n, 12);
        /* VMM major, then signature, then the counts as given */
        hex_is(rows[0].digest.bytes, 48, V4_EPYCV4);   /* snp_amdsev_k_i_c_v4_epycv4 */
        hex_is(rows[1].digest.bytes, 48, V1_EPYCV4);   /* snp_amdsev_k_i_c_v1_epycv4 */
        hex_is(rows[2].digest.bytes, 48, V2_EPYCV4);   /* snp_amdsev_k_i_c_v2_epycv4 */
        hex_is(rows[5].digest.bytes, 48, V2_GENOA);    /* snp_amdsev_k_i_c_v2_genoa */
        hex_is(rows[6].digest.bytes, 48, EC2_V4);      /* snp_amdsev_ec2_k_i_c_v4 */
        hex_is(rows[7].digest.bytes, 48, EC2_V1);      /* snp_amdsev_ec2_k_i_c_v1 */
        /* ec2 ignores the signature: the Genoa rows equal the EPYC-v4 ones */
        assert_memory_equal(rows[10].digest.bytes, rows[7].digest.bytes, 48);
        assert_int_equal(rows[0].vmm, CT_SNP_VMM_QEMU);
        assert_string_equal(rows[3].vcpu_type, "EPYC-Genoa");
        assert_int_equal(rows[0].vcpus, 4);
        assert_int_equal(rows[1].vcpus, 1);
        assert_true(rows[0].vcpus_apply && rows[0].vmm_applies);
        assert_true(rows[0].has_vmsa_rdx);
        assert_int_equal(rows[0].vmsa_rdx, 0x800f12);
        assert_true(rows[7].has_vmsa_rdx);
        assert_int_equal(rows[7].vmsa_rdx, 0x600); /* ec2: rdx 0x600 */
        assert_int_equal(rows[7].vcpu_sig, 0x800f12); /* the requested value is kept */
        assert_true(rows[0].has_guest_features);
        assert_int_equal(rows[0].guest_features, 1);
        assert_true(rows[0].direct_boot && rows[11].direct_boot); /* the base measured the kernel hashes */
        free(rows);

        /* the Milan row of a one-row table */
        sigs[0] = (ct_snp_sig){ "EPYC-Milan", true, 0xa00f11 };
        spec = (ct_snp_table_spec){ vmms, 1, sigs, 1, vcpus + 2, 1, 1 };
        assert_int_equal(ct_snp_table(b, &spec, &rows, &n, NULL), CT_OK);
        assert_int_equal(n, 1);
        hex_is(rows[0].digest.bytes, 48, V2_MILAN); /* snp_amdsev_k_i_c_v2_milan */
        free(rows);
        ct_snp_base_free(b);
}

static void test_table_modes(void **state)
{
        static const ct_snp_vmm vmms[] = { CT_SNP_VMM_EC2, CT_SNP_VMM_GCE };
        static const int64_t vcpus[] = { 2, 8 };
        const ct_snp_sig sigs[] = { { NULL, false, 0 }, { "EPYC-Milan", true, 0xa00f11 } };
        ct_snp_table_spec spec = { vmms, 2, sigs, 2, vcpus, 2, 0x21 };
        ct_snp_base *b = base_for(CT_SNP_MODE_SEV_ES);
        ct_snp_row *rows = NULL;
        size_t n = 0;

        (void)state;
        assert_int_equal(ct_snp_table(b, &spec, &rows, &n, NULL), CT_OK);
        assert_int_equal(n, 8);
        assert_int_equal(rows[0].digest.alg, CT_HASH_SHA256);
        hex_is(rows[0].digest.bytes, 32, SEVES_EC2_V2); /* seves_amdsev_ec2_k_i_c_v2 */
        assert_true(rows[0].has_guest_features);
        assert_int_equal(rows[0].guest_features, 0); /* seves: SEV features 0 whatever was asked */
        assert_false(rows[0].has_sig);
        assert_int_equal(rows[0].vmsa_rdx, 0x600);
        free(rows);
        ct_snp_base_free(b);

        /* sev: one row, nothing of the lists applies */
        b = base_for(CT_SNP_MODE_SEV);
        assert_int_equal(ct_snp_table(b, &spec, &rows, &n, NULL), CT_OK);
        assert_int_equal(n, 1);
        hex_is(rows[0].digest.bytes, 32, SEV_K_I_C); /* sev_amdsev_k_i_c */
        assert_false(rows[0].vcpus_apply);
        assert_false(rows[0].vmm_applies);
        assert_false(rows[0].has_vmsa_rdx);
        assert_false(rows[0].has_guest_features);
        free(rows);
        ct_snp_base_free(b);
}

static void test_table_errors(void **state)
{
        static const ct_snp_vmm vmms[] = { CT_SNP_VMM_QEMU, CT_SNP_VMM_EC2, CT_SNP_VMM_GCE };
        ct_snp_sig sigs[64];
        int64_t *vcpus = NULL;
        size_t nv = 0, n = 7;
        ct_snp_row *rows = (ct_snp_row *)&n;
        ct_snp_base *b = base_for(CT_SNP_MODE_SNP);
        ct_snp_table_spec spec;
        ct_error err;

        (void)state;
        for (size_t i = 0; i < 64; i++)
                sigs[i] = (ct_snp_sig){ NULL, true, i };
        assert_int_equal(ct_snp_vcpus_parse("0-65536", &vcpus, &nv, NULL), CT_OK);
        spec = (ct_snp_table_spec){ vmms, 3, sigs, 64, vcpus, nv, 1 };
        assert_int_equal(ct_snp_table(b, &spec, &rows, &n, &err), CT_E_LIMIT);
        spec.n_sigs = 0;
        assert_int_equal(ct_snp_table(b, &spec, &rows, &n, &err), CT_E_ARG);
        assert_ptr_equal(rows, (ct_snp_row *)&n);
        assert_int_equal(n, 7);
        free(vcpus);
        ct_snp_base_free(b);

        /* an error names the image it is about (ct_error.input), the message does not repeat it */
        {
                ct_snp_params p;
                ct_snp_base *nb = NULL;

                memset(&p, 0, sizeof(p));
                p.mode = CT_SNP_MODE_SNP;
                p.ovmf = fw.data;
                p.ovmf_len = fw.len - 1;
                p.ovmf_input = "OVMF.fd";
                assert_int_equal(ct_snp_base_new(&p, &nb, &err), CT_E_MALFORMED);
                assert_string_equal(err.input, "OVMF.fd");
                assert_null(strstr(err.msg, "OVMF.fd"));
                p.mode = CT_SNP_MODE_SNP_SVSM;
                p.ovmf_len = fw.len;
                p.svsm = fw.data;
                p.svsm_len = fw.len - 1;
                p.vars_size = 4096;
                p.svsm_input = "svsm.bin";
                assert_int_equal(ct_snp_base_new(&p, &nb, &err), CT_E_MALFORMED);
                assert_string_equal(err.input, "svsm.bin");
                assert_null(nb);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_int),
                cmocka_unit_test(test_vcpus_parse),
                cmocka_unit_test(test_lists),
                cmocka_unit_test(test_boot_digests),
                cmocka_unit_test(test_table_order_and_rules),
                cmocka_unit_test(test_table_modes),
                cmocka_unit_test(test_table_errors),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
