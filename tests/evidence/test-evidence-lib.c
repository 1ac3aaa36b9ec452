/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Library units of the evidence area: the SNP report parser on the real Turin and Milan samples
 * (known answers from tests/vectors/evidence/snp/EXPECTED.json, i.e. the shared oracle and the
 * source repos' tests), TCB layouts, product from CPUID, hex input, every truncation point, the
 * check list API, and the TPMS_ATTEST / TPMT_SIGNATURE / HCL parsers on malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/evidence.h>
#include <cocotrust/fileio.h>

#define VEC CT_SOURCE_ROOT "/tests/vectors/evidence/"

static void load(const char *name, ct_blob *b)
{
        char path[512];

        snprintf(path, sizeof(path), VEC "%s", name);
        assert_int_equal(ct_blob_read(path, 1u << 20, b, NULL), CT_OK);
}

static void test_turin(void **state)
{
        ct_blob b = { 0 };
        ct_snp_report *r = malloc(sizeof(*r));

        (void)state;
        load("snp/msft-tav_turin_attestation_report.bin", &b);
        assert_int_equal(ct_snp_report_parse(b.data, b.len, CT_SNP_PRODUCT_UNKNOWN, r, NULL), CT_OK);
        assert_int_equal(r->version, 5);
        assert_int_equal(r->product, CT_SNP_PRODUCT_TURIN);
        assert_true(r->product_from_cpuid);
        /* EXPECTED.json: reported_tcb raw 0x5100000004010101, fmc 1 bl 1 tee 1 snp 4 ucode 81 */
        assert_true(r->reported_tcb.raw == 0x5100000004010101ull);
        assert_true(r->reported_tcb.has_fmc);
        assert_int_equal(r->reported_tcb.fmc, 1);
        assert_int_equal(r->reported_tcb.bootloader, 1);
        assert_int_equal(r->reported_tcb.tee, 1);
        assert_int_equal(r->reported_tcb.snp, 4);
        assert_int_equal(r->reported_tcb.microcode, 81);
        assert_true(r->platform_info == 0x65);
        assert_true(r->launch_mit_vector == 0x3f && r->current_mit_vector == 0x3f);
        assert_int_equal(r->chip_id[0], 0x59);
        assert_int_equal(r->chip_id[8], 0);
        ct_blob_free(&b);
        free(r);
}

static void test_milan_layout_and_hex(void **state)
{
        ct_blob b = { 0 };
        ct_snp_report *r = malloc(sizeof(*r)), *h = malloc(sizeof(*h));
        char *hex = malloc(2 * CT_SNP_REPORT_SIZE + CT_SNP_REPORT_SIZE / 32 + 1);
        size_t o = 0;

        (void)state;
        load("snp/msft-tav_milan_attestation_report.bin", &b);
        assert_int_equal(ct_snp_report_parse(b.data, b.len, CT_SNP_PRODUCT_UNKNOWN, r, NULL), CT_OK);
        /* 0xdb18000000000004: bl 4 tee 0 snp 24 ucode 219 */
        assert_int_equal(r->reported_tcb.bootloader, 4);
        assert_int_equal(r->reported_tcb.snp, 24);
        assert_int_equal(r->reported_tcb.microcode, 219);
        assert_false(r->reported_tcb.has_fmc);
        assert_int_equal(r->cpuid_family, 0x19);
        assert_int_equal(r->product, CT_SNP_PRODUCT_MILAN);
        /* The same bytes as hex text with a newline every 32 bytes parse to the same report. */
        for (size_t i = 0; i < b.len; i++) {
                o += (size_t)sprintf(hex + o, "%02X", b.data[i]);
                if (i % 32 == 31)
                        hex[o++] = '\n';
        }
        assert_int_equal(ct_snp_report_parse(hex, o, CT_SNP_PRODUCT_UNKNOWN, h, NULL), CT_OK);
        assert_memory_equal(h->raw, r->raw, CT_SNP_REPORT_SIZE);
        ct_blob_free(&b);
        free(r);
        free(h);
        free(hex);
}

static void test_truncated_every_length(void **state)
{
        ct_blob b = { 0 };
        ct_snp_report *r = malloc(sizeof(*r));
        ct_error err;

        (void)state;
        load("snp/msft-tav_genoa_attestation_report.bin", &b);
        for (size_t n = 0; n < CT_SNP_REPORT_SIZE; n += 37) {
                assert_int_equal(ct_snp_report_parse(b.data, n, 0, r, &err), CT_E_TRUNCATED);
                assert_true(err.has_offset && err.offset == n);
        }
        ct_blob_free(&b);
        free(r);
}

static void test_tcb_and_cpuid(void **state)
{
        ct_snp_tcb t;

        (void)state;
        ct_snp_tcb_decode(0x541700000000000aull, CT_SNP_PRODUCT_GENOA, &t);
        assert_int_equal(t.bootloader, 10);
        assert_int_equal(t.snp, 23);
        assert_int_equal(t.microcode, 84);
        ct_snp_tcb_decode(0x0807060504030201ull, CT_SNP_PRODUCT_TURIN, &t);
        assert_int_equal(t.fmc, 1);
        assert_int_equal(t.bootloader, 2);
        assert_int_equal(t.tee, 3);
        assert_int_equal(t.snp, 4);
        assert_int_equal(t.microcode, 8);
        assert_int_equal(ct_snp_product_from_cpuid(0x19, 0x01), CT_SNP_PRODUCT_MILAN);
        assert_int_equal(ct_snp_product_from_cpuid(0x19, 0x11), CT_SNP_PRODUCT_GENOA);
        assert_int_equal(ct_snp_product_from_cpuid(0x19, 0xa0), CT_SNP_PRODUCT_GENOA);
        assert_int_equal(ct_snp_product_from_cpuid(0x19, 0x21), CT_SNP_PRODUCT_UNKNOWN);
        assert_int_equal(ct_snp_product_from_cpuid(0x1a, 0x02), CT_SNP_PRODUCT_TURIN);
        assert_int_equal(ct_snp_product_from_name("TURIN"), CT_SNP_PRODUCT_TURIN);
        assert_string_equal(ct_snp_product_name(CT_SNP_PRODUCT_GENOA), "Genoa");
}

static void test_verify_checks_api(void **state)
{
        ct_blob b = { 0 }, vc = { 0 }, ask = { 0 }, ark = { 0 };
        ct_snp_report *r = malloc(sizeof(*r));
        ct_snp_verify_result *res = malloc(sizeof(*res));
        ct_snp_verifier *v = NULL;
        ct_snp_verify_opts o;
        const ct_check *c;

        (void)state;
        load("snp/msft-tav_milan_attestation_report.bin", &b);
        load("snp/msft-tav_milan_vcek.pem", &vc);
        load("snp/msft-tav_milan_ask.pem", &ask);
        load("snp/msft-tav_milan_ark.pem", &ark);
        assert_int_equal(ct_snp_report_parse(b.data, b.len, 0, r, NULL), CT_OK);
        assert_int_equal(ct_snp_verifier_new(&v, NULL), CT_OK);
        assert_int_equal(ct_snp_verifier_add_certs(v, vc.data, vc.len, "vcek", NULL), CT_OK);
        assert_int_equal(ct_snp_verifier_add_certs(v, ask.data, ask.len, "ask", NULL), CT_OK);
        assert_int_equal(ct_snp_verifier_add_certs(v, ark.data, ark.len, "ark", NULL), CT_OK);
        memset(&o, 0, sizeof(o));
        o.has_at = true;
        o.at = 1788000000; /* 2026-08-29 */
        o.has_vmpl = true;
        o.vmpl = 1;
        assert_int_equal(ct_snp_verify(v, r, &o, res, NULL), CT_OK);
        assert_false(res->ok);
        assert_int_equal(res->checks.n_failed, 1);
        c = ct_checks_find(&res->checks, "vmpl");
        assert_non_null(c);
        assert_int_equal(c->status, CT_CHECK_FAIL);
        c = ct_checks_find(&res->checks, "report_signature");
        assert_non_null(c);
        assert_int_equal(c->status, CT_CHECK_PASS);
        assert_null(ct_checks_find(&res->checks, "no-such-check"));
        /* The second verification of the same VCEK takes the chain from the cache. */
        o.has_vmpl = false;
        assert_int_equal(ct_snp_verify(v, r, &o, res, NULL), CT_OK);
        assert_true(res->ok && res->chain_cached);
        assert_int_equal(ct_snp_verify(NULL, r, &o, res, NULL), CT_E_ARG);
        ct_snp_verifier_free(v);
        ct_blob_free(&b);
        ct_blob_free(&vc);
        ct_blob_free(&ask);
        ct_blob_free(&ark);
        free(r);
        free(res);
}

static void test_tpm_malformed(void **state)
{
        /* magic, type QUOTE, qualifiedSigner size 0x0100 > 68 */
        static const uint8_t big[] = { 0xff, 0x54, 0x43, 0x47, 0x80, 0x18, 0x01, 0x00 };
        static const uint8_t sig[] = { 0x00, 0x99, 0x00, 0x0b };
        ct_tpm_attest a;
        ct_tpm_signature *s = malloc(sizeof(*s));
        ct_error err;

        (void)state;
        assert_int_equal(ct_tpm_attest_parse(big, 3, &a, &err), CT_E_TRUNCATED);
        assert_int_equal(ct_tpm_attest_parse(big, sizeof(big), &a, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "qualifiedSigner"));
        assert_int_equal(ct_tpm_signature_parse(sig, sizeof(sig), s, &err), CT_E_UNSUPPORTED);
        free(s);
}

static void test_hcl(void **state)
{
        ct_blob b = { 0 };
        ct_hcl_report *h = NULL;
        ct_hcl_verify_result *res = malloc(sizeof(*res));
        ct_error err;

        (void)state;
        load("azure/az-cvm-vtpm_hcl-report-tdx.bin", &b);
        assert_int_equal(ct_hcl_report_parse(b.data, b.len, &h, NULL), CT_OK);
        assert_int_equal(h->report_type, CT_HCL_REPORT_TDX);
        assert_int_equal(h->var_size, 1202);
        /* EXPECTED.json: td_mrtd 75f3acc2... */
        assert_int_equal(h->td.mrtd[0], 0x75);
        assert_int_equal(h->td.mrtd[47], 0x86);
        assert_non_null(h->ak);
        assert_int_equal(ct_hcl_verify(h, NULL, res, NULL), CT_OK);
        assert_true(res->ok);
        ct_hcl_report_free(h);
        assert_int_equal(ct_hcl_report_parse(b.data, 0x4c8, &h, &err), CT_E_TRUNCATED);
        assert_true(err.has_offset);
        ct_blob_free(&b);
        free(res);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_turin),
                cmocka_unit_test(test_milan_layout_and_hex),
                cmocka_unit_test(test_truncated_every_length),
                cmocka_unit_test(test_tcb_and_cpuid),
                cmocka_unit_test(test_verify_checks_api),
                cmocka_unit_test(test_tpm_malformed),
                cmocka_unit_test(test_hcl),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
