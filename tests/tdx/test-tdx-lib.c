/* SPDX-License-Identifier: Apache-2.0 */
/* tdx library: TD HOB bytes against vectors.json (full_hob_hex for 1-4 GiB, taken from tinfoil / quex),
 * MRTD through the API against the same vectors, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/fileio.h>
#include <cocotrust/tdx.h>

#define OVMF "/usr/share/ovmf/OVMF.fd"

/* Debian 12 OVMF.fd section layout (vectors.json tdvf_sections). */
static void debian_md(ct_tdvf_metadata *md)
{
        static const ct_tdvf_section s[] = {
                { 0x20000, 0x1e0000, 0xffe20000, 0x1e0000, 0, 1, 0 }, { 0, 0x20000, 0xffe00000, 0x20000, 1, 0, 0 },
                { 0, 0, 0x810000, 0x10000, 3, 0, 0 },                 { 0, 0, 0x80b000, 0x2000, 3, 0, 0 },
                { 0, 0, 0x809000, 0x2000, 2, 0, 0 },                  { 0, 0, 0x800000, 0x6000, 3, 0, 0 },
        };
        memset(md, 0, sizeof(*md));
        md->n_sections = 6;
        memcpy(md->sections, s, sizeof(s));
}

static char *read_text(const char *path)
{
        FILE *f = fopen(path, "rb");
        long n;
        char *b;

        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        b = malloc((size_t)n + 1);
        assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
        b[n] = 0;
        fclose(f);
        return b;
}

/* The value of "key": "..." after `after` in the JSON text (good enough for vectors.json). */
static void json_str_after(const char *text, const char *after, const char *key, char *out, size_t cap)
{
        const char *p = strstr(text, after);
        char pat[128];

        assert_non_null(p);
        snprintf(pat, sizeof(pat), "\"%s\": \"", key);
        p = strstr(p, pat);
        assert_non_null(p);
        p += strlen(pat);
        size_t n = strcspn(p, "\"");
        assert_true(n < cap);
        memcpy(out, p, n);
        out[n] = 0;
}

static void hex_of(const uint8_t *b, size_t n, char *out)
{
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_td_hob_vectors(void **state)
{
        static const char *const mems[] = { "1073741824", "2147483648", "3221225472", "4294967296" };
        char *vec = read_text(CT_SOURCE_ROOT "/tests/vectors/tdx/vectors.json");
        ct_tdvf_metadata md;
        (void)state;

        debian_md(&md);
        for (size_t i = 0; i < 4; i++) {
                char want[4096], got[4096], after[64], dhex[2 * CT_HASH_MAX_SIZE + 1];
                ct_tdx_hob *hob = malloc(sizeof(*hob));
                ct_digest d;

                snprintf(after, sizeof(after), "\"%s\": {", mems[i]);
                json_str_after(vec, after, "full_hob_hex", want, sizeof(want));
                assert_int_equal(ct_tdx_td_hob(&md, strtoull(mems[i], NULL, 10), hob, NULL), CT_OK);
                hex_of(hob->bytes, hob->len, got);
                assert_string_equal(got, want);
                json_str_after(vec, after, "sha384", want, sizeof(want));
                assert_int_equal(ct_hash_buf(CT_HASH_SHA384, hob->bytes, hob->measured_len, &d, NULL), CT_OK);
                assert_string_equal(ct_digest_hex(&d, dhex), want);
                free(hob);
        }
        free(vec);
}

static void test_td_hob_errors(void **state)
{
        ct_tdvf_metadata md;
        ct_tdx_hob *hob = malloc(sizeof(*hob));
        ct_error err;
        (void)state;

        debian_md(&md);
        assert_int_equal(ct_tdx_td_hob(&md, 0, hob, &err), CT_E_ARG);
        assert_int_equal(ct_tdx_td_hob(&md, 4 << 20, hob, &err), CT_E_ARG); /* TempMem at 8 MiB outside RAM */
        assert_non_null(strstr(err.msg, "inside guest RAM"));
        md.sections[4].type = CT_TDVF_TEMP_MEM;
        assert_int_equal(ct_tdx_td_hob(&md, 1ull << 30, hob, &err), CT_E_UNSUPPORTED);
        free(hob);
}

static void test_mrtd_ovmf(void **state)
{
        char *vec = read_text(CT_SOURCE_ROOT "/tests/vectors/tdx/vectors.json");
        char want[256], hex[2 * CT_HASH_MAX_SIZE + 1];
        ct_tdvf_metadata md, ref;
        ct_blob fw;
        ct_digest d;
        uint64_t n;
        (void)state;

        if (ct_blob_read(OVMF, 0, &fw, NULL) || fw.len != 2097152) {
                ct_blob_free(&fw);
                free(vec);
                skip();
        }
        assert_int_equal(ct_tdvf_parse(fw.data, fw.len, &md, NULL), CT_OK);
        debian_md(&ref);
        assert_int_equal(md.n_sections, ref.n_sections);
        for (size_t i = 0; i < md.n_sections; i++) {
                assert_int_equal(md.sections[i].gpa, ref.sections[i].gpa);
                assert_int_equal(md.sections[i].mem_size, ref.sections[i].mem_size);
                assert_int_equal(md.sections[i].type, ref.sections[i].type);
        }
        json_str_after(vec, "\"mrtd\"", "single_pass", want, sizeof(want));
        assert_int_equal(ct_tdx_mrtd(fw.data, fw.len, &md, CT_TDX_MRTD_SINGLE_PASS, &d, &n, NULL), CT_OK);
        assert_string_equal(ct_digest_hex(&d, hex), want);
        /* 480 BFV pages x (128 + 16 x 384) + 32 CFV + 34 other pages x 128 */
        assert_int_equal(n, 480ull * (128 + 16 * 384) + (32 + 16 + 2 + 2 + 6) * 128ull);
        json_str_after(vec, "\"mrtd\"", "two_pass", want, sizeof(want));
        assert_int_equal(ct_tdx_mrtd(fw.data, fw.len, &md, CT_TDX_MRTD_TWO_PASS, &d, NULL, NULL), CT_OK);
        assert_string_equal(ct_digest_hex(&d, hex), want);
        ct_blob_free(&fw);
        free(vec);
}

/* vectors.json "kernel_patch_bytes mem=2GiB initrd=512" (tinfoil / quex): every changed byte, old and new. */
static void test_kernel_patch_bytes(void **state)
{
        static const struct { unsigned off; uint8_t old, new_; } want[] = {
                { 0x210, 0, 176 }, { 0x211, 1, 129 }, { 0x219, 0, 112 }, { 0x21a, 0, 253 }, { 0x21b, 0, 127 },
                { 0x21d, 0, 2 },   { 0x224, 224, 0 }, { 0x225, 91, 254 }, { 0x22a, 0, 2 },
        };
        uint8_t orig[0x240], hdr[0x240];
        FILE *f = fopen(CT_SOURCE_ROOT "/tests/vectors/kernel/vmlinuz-6.1.0-56-amd64", "rb");
        size_t k = 0;
        (void)state;

        assert_non_null(f);
        assert_int_equal(fread(orig, 1, sizeof(orig), f), sizeof(orig));
        fclose(f);
        memcpy(hdr, orig, sizeof(hdr));
        assert_int_equal(ct_tdx_qemu_patch_kernel_header(hdr, sizeof(hdr), 2ull << 30, true, 512, NULL), CT_OK);
        for (unsigned i = 0; i < sizeof(hdr); i++) {
                if (hdr[i] == orig[i])
                        continue;
                assert_true(k < sizeof(want) / sizeof(want[0]));
                assert_int_equal(i, want[k].off);
                assert_int_equal(orig[i], want[k].old);
                assert_int_equal(hdr[i], want[k].new_);
                k++;
        }
        assert_int_equal(k, sizeof(want) / sizeof(want[0]));
        /* an initrd that cannot fit below the limit is refused, as QEMU does */
        memcpy(hdr, orig, sizeof(hdr));
        assert_int_equal(ct_tdx_qemu_patch_kernel_header(hdr, sizeof(hdr), 1ull << 30, true, 1ull << 31, NULL),
                         CT_E_ARG);
}

/* The acpi-dump console parser: a complete dump, and the malformed cases (offset of the bad line). */
static void test_acpi_console(void **state)
{
        (void)state;
        static const char good[] = "noise\n[    1.0] ==FILE== x\n==COCOTRUST-FWCFG-BEGIN==\r\n"
                                   "==FILE== etc/acpi/rsdp 5\nSGVsbG8=\n==FILE-END==\n[    2.0] kernel line\n"
                                   "==FILE== etc/table-loader 0\n==FILE-END==\n"
                                   "==FILE== etc/acpi/tables 4\nAQID\nBA==\n==FILE-END==\n"
                                   "==COCOTRUST-FWCFG-END==\ntrailing junk\n";
        ct_tdx_acpi_dump d;
        ct_error err;

        assert_int_equal(ct_tdx_acpi_parse_console(good, strlen(good), &d, &err), CT_OK);
        assert_true(d.complete);
        assert_int_equal(d.len[CT_TDX_ACPI_RSDP], 5);
        assert_memory_equal(d.data[CT_TDX_ACPI_RSDP], "Hello", 5);
        assert_int_equal(d.len[CT_TDX_ACPI_LOADER], 0);
        assert_int_equal(d.len[CT_TDX_ACPI_TABLES], 4);
        assert_memory_equal(d.data[CT_TDX_ACPI_TABLES], "\x01\x02\x03\x04", 4);
        ct_tdx_acpi_dump_free(&d);

        /* no begin marker: not an error, not complete */
        assert_int_equal(ct_tdx_acpi_parse_console("hello\n", 6, &d, &err), CT_OK);
        assert_false(d.complete);
        ct_tdx_acpi_dump_free(&d);

        static const struct { const char *text; ct_code code; } bad[] = {
                { "==COCOTRUST-FWCFG-BEGIN==\n==FILE== etc/acpi/rsdp 4\nSGVsbG8=\n==FILE-END==\n", CT_E_MALFORMED },
                { "==COCOTRUST-FWCFG-BEGIN==\n==FILE== etc/acpi/rsdp 6\nSGVsbG8=\n==FILE-END==\n", CT_E_MALFORMED },
                { "==COCOTRUST-FWCFG-BEGIN==\n==FILE== etc/acpi/rsdp 17000000\n", CT_E_LIMIT },
                { "==COCOTRUST-FWCFG-BEGIN==\n==FILE== etc/passwd 1\n", CT_E_MALFORMED },
                { "==COCOTRUST-FWCFG-BEGIN==\n==FILE== etc/acpi/rsdp 1x\n", CT_E_MALFORMED },
                { "==COCOTRUST-FWCFG-BEGIN==\n==FILE== etc/acpi/rsdp 3\nAA!A\n", CT_E_MALFORMED },
                { "==COCOTRUST-FWCFG-BEGIN==\n==FILE== etc/acpi/rsdp 0\n==FILE-END==\n"
                  "==FILE== etc/acpi/rsdp 0\n", CT_E_MALFORMED },
                { "==COCOTRUST-FWCFG-BEGIN==\n==COCOTRUST-FWCFG-END==\n", CT_E_MALFORMED },
                { "==COCOTRUST-FWCFG-BEGIN==\nsomething else\n", CT_E_MALFORMED },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ct_error_clear(&err);
                assert_int_equal(ct_tdx_acpi_parse_console(bad[i].text, strlen(bad[i].text), &d, &err), bad[i].code);
                assert_true(err.has_offset);
                assert_true(err.offset >= 26);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_td_hob_vectors),
                cmocka_unit_test(test_td_hob_errors),
                cmocka_unit_test(test_mrtd_ovmf),
                cmocka_unit_test(test_kernel_patch_bytes),
                cmocka_unit_test(test_acpi_console),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
