/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PE parser and Authenticode on synthetic images built here byte by byte.
 * The Authenticode expectation is assembled independently in the test from
 * the Microsoft "Windows Authenticode PE Signature Format" rules (explicit
 * byte ranges, one ct_hash_buf over their concatenation), not through the
 * library's range walker. Real-file known answers are in test-pe-hash.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/pe.h>
#include <cocotrust/reader.h>

#define IMG_SIZE 0x1800
#define PE_OFF 0x80

struct img {
        uint8_t b[IMG_SIZE + 0x400];
        size_t len;
        size_t opt, dirs, sect;
        bool plus;
        unsigned nrva;
};

static void put_section(struct img *m, unsigned i, const char *name, uint32_t vsize, uint32_t va, uint32_t rawsize,
                        uint32_t rawptr)
{
        uint8_t *h = m->b + m->sect + 40 * i;

        memset(h, 0, 40);
        memcpy(h, name, strlen(name) > 8 ? 8 : strlen(name));
        ct_put_le32(h + 8, vsize);
        ct_put_le32(h + 12, va);
        ct_put_le32(h + 16, rawsize);
        ct_put_le32(h + 20, rawptr);
}

/*
 * A PE32+ (or PE32) image: headers in [0, 0x400), sections .text at
 * 0x400+0x400, .data at 0x800+0x200 (VirtualSize 0x300: zero fill),
 * .linux at 0xc00+0x200 (listed first in the table but last in the
 * file), then 0x200 bytes of trailing data at 0x1000 and an optional
 * certificate table of 0x600 at 0x1200.
 */
static void build(struct img *m, bool plus, unsigned nrva, bool cert)
{
        uint8_t *p = m->b;
        uint16_t sizeopt;

        memset(m, 0, sizeof(*m));
        m->plus = plus;
        m->nrva = nrva;
        for (size_t i = 0; i < sizeof(m->b); i++)
                p[i] = (uint8_t)(i * 7 + 3);
        memset(p, 0, 0x400);
        p[0] = 'M';
        p[1] = 'Z';
        ct_put_le32(p + 0x3c, PE_OFF);
        memcpy(p + PE_OFF, "PE\0\0", 4);
        ct_put_le16(p + PE_OFF + 4, 0x8664);
        ct_put_le16(p + PE_OFF + 6, 3);
        ct_put_le32(p + PE_OFF + 8, 0x12345678); /* TimeDateStamp */
        m->opt = PE_OFF + 24;
        m->dirs = m->opt + (plus ? 112 : 96);
        sizeopt = (uint16_t)((plus ? 112 : 96) + 8 * nrva);
        ct_put_le16(p + PE_OFF + 20, sizeopt);
        ct_put_le16(p + m->opt, plus ? 0x20b : 0x10b);
        ct_put_le32(p + m->opt + 56, 0x4000);          /* SizeOfImage */
        ct_put_le32(p + m->opt + 60, 0x400);           /* SizeOfHeaders */
        ct_put_le32(p + m->opt + 64, 0xdeadbeef);      /* CheckSum */
        ct_put_le32(p + m->opt + (plus ? 108 : 92), nrva);
        for (unsigned i = 0; i < nrva; i++) {
                ct_put_le32(p + m->dirs + 8 * i, 0x1111 * (i + 1));
                ct_put_le32(p + m->dirs + 8 * i + 4, 0x22 * (i + 1));
        }
        m->sect = m->opt + sizeopt;
        put_section(m, 0, ".linux", 0x200, 0x3000, 0x200, 0xc00);
        put_section(m, 1, ".text", 0x400, 0x1000, 0x400, 0x400);
        put_section(m, 2, ".data", 0x300, 0x2000, 0x200, 0x800);
        m->len = IMG_SIZE;
        if (nrva > 4) {
                ct_put_le32(p + m->dirs + 32, cert ? 0x1200 : 0);
                ct_put_le32(p + m->dirs + 36, cert ? 0x600 : 0);
        }
}

/* The Authenticode stream, assembled from explicit ranges. */
static void expected(const struct img *m, bool cert, ct_hash_alg alg, ct_digest *ret)
{
        uint8_t *s = malloc(m->len);
        size_t n = 0;
        size_t ck = m->opt + 64, sec = m->dirs + 32;

#define ADD(from, to) do { memcpy(s + n, m->b + (from), (to) - (from)); n += (to) - (from); } while (0)
        ADD(0, ck);
        if (m->nrva > 4) {
                ADD(ck + 4, sec);
                ADD(sec + 8, 0x400);
        } else
                ADD(ck + 4, 0x400);
        ADD(0x400, 0x800);  /* .text */
        ADD(0x800, 0xa00);  /* .data (SizeOfRawData, not VirtualSize) */
        ADD(0xc00, 0xe00);  /* .linux */
        /*
         * SUM = SizeOfHeaders + sum of SizeOfRawData = 0x400 + 0x400 + 0x200 + 0x200 = 0xc00. The
         * trailing range starts at SUM, not at the end of the last section (0xe00): with a gap
         * between sections (0xa00..0xc00) firmware hashes the last 0x200 bytes of .linux twice.
         */
        ADD(0xc00, cert ? 0x1200 : m->len);
#undef ADD
        assert_int_equal(ct_hash_buf(alg, s, n, ret, NULL), CT_OK);
        free(s);
}

static void check_authenticode(bool plus, unsigned nrva, bool cert)
{
        struct img m;
        ct_pe *pe = NULL;
        ct_error err;
        ct_hash_alg algs[] = { CT_HASH_SHA1, CT_HASH_SHA256, CT_HASH_SHA384, CT_HASH_SHA512 };
        ct_digest got[4], exp;

        build(&m, plus, nrva, cert);
        assert_int_equal(ct_pe_parse(m.b, m.len, &pe, &err), CT_OK);
        assert_int_equal(ct_pe_authenticode(pe, algs, 4, got, &err), CT_OK);
        for (int i = 0; i < 4; i++) {
                expected(&m, cert && nrva > 4, algs[i], &exp);
                assert_true(ct_digest_equal(&got[i], &exp));
        }
        ct_pe_free(pe);
}

static void test_authenticode_pe32plus_cert(void **state)
{
        (void)state;
        check_authenticode(true, 16, true);
}

static void test_authenticode_pe32plus_nocert(void **state)
{
        (void)state;
        check_authenticode(true, 6, false);
}

static void test_authenticode_pe32(void **state)
{
        (void)state;
        check_authenticode(false, 16, true);
}

static void test_authenticode_few_dirs(void **state)
{
        (void)state;
        /* NumberOfRvaAndSizes <= 4: no certificate-table entry to skip */
        check_authenticode(true, 4, false);
        check_authenticode(false, 0, false);
}

static void test_info_and_sections(void **state)
{
        struct img m;
        ct_pe *pe = NULL;
        const ct_pe_info *in;
        const ct_pe_section *s;
        const uint8_t *data;
        size_t len, fill;
        uint8_t *copy;
        ct_pe_data_dir dd;

        (void)state;
        build(&m, true, 16, true);
        assert_int_equal(ct_pe_parse(m.b, m.len, &pe, NULL), CT_OK);
        in = ct_pe_get_info(pe);
        assert_int_equal(in->machine, 0x8664);
        assert_int_equal(in->n_sections, 3);
        assert_int_equal(in->time_date_stamp, 0x12345678);
        assert_int_equal(in->time_date_stamp_offset, PE_OFF + 8);
        assert_int_equal(in->checksum, 0xdeadbeef);
        assert_int_equal(in->checksum_offset, m.opt + 64);
        assert_int_equal(in->size_of_headers, 0x400);
        assert_int_equal(in->n_data_dirs, 16);
        assert_true(ct_pe_get_data_dir(pe, CT_PE_DIR_SECURITY, &dd));
        assert_int_equal(dd.address, 0x1200);
        assert_int_equal(dd.size, 0x600);
        assert_int_equal(dd.entry_offset, m.dirs + 32);
        assert_false(ct_pe_get_data_dir(pe, 16, &dd));

        assert_non_null(ct_pe_find_section(pe, ".text", 0));
        assert_null(ct_pe_find_section(pe, ".tex", 0));
        assert_non_null(ct_pe_find_section(pe, ".tex", CT_PE_FIND_PREFIX));
        assert_null(ct_pe_find_section(pe, ".textlong", CT_PE_FIND_PREFIX));
        assert_int_equal(ct_pe_find_section_in(pe, ".", CT_PE_FIND_PREFIX, 0, 99), 0);
        assert_int_equal(ct_pe_find_section_in(pe, ".", CT_PE_FIND_PREFIX | CT_PE_FIND_LAST, 0, 99), 2);
        assert_int_equal(ct_pe_find_section_in(pe, ".linux", 0, 1, 3), -1);

        s = ct_pe_find_section(pe, ".data", 0);
        ct_pe_section_contents(pe, s, &data, &len, &fill);
        assert_ptr_equal(data, m.b + 0x800);
        assert_int_equal(len, 0x200);
        assert_int_equal(fill, 0x100);
        assert_int_equal(ct_pe_section_copy(pe, s, &copy, &len, NULL), CT_OK);
        assert_int_equal(len, 0x300);
        assert_memory_equal(copy, m.b + 0x800, 0x200);
        for (size_t i = 0x200; i < 0x300; i++)
                assert_int_equal(copy[i], 0);
        free(copy);
        ct_pe_free(pe);
        ct_pe_free(NULL);
}

/* Every prefix of a valid image fails cleanly with an offset, or parses when only trailing data is cut. */
static void test_truncations(void **state)
{
        struct img m;

        (void)state;
        build(&m, true, 16, false);
        for (size_t len = 0; len < 0xe00; len++) {
                ct_pe *pe = NULL;
                ct_error err;
                ct_code c = ct_pe_parse(m.b, len, &pe, &err);

                assert_int_not_equal(c, CT_OK);
                assert_null(pe);
                assert_true(err.has_offset);
                assert_true(err.offset < m.len);
        }
        for (size_t len = 0xe00; len <= m.len; len += 0x80) {
                ct_pe *pe = NULL;

                assert_int_equal(ct_pe_parse(m.b, len, &pe, NULL), CT_OK);
                ct_pe_free(pe);
        }
}

/* Flip every header byte to a few values: parse must fail cleanly or succeed (sanitizers watch). */
static void test_header_mutations(void **state)
{
        static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
        struct img m;

        (void)state;
        build(&m, true, 16, true);
        for (size_t off = 0; off < m.sect + 3 * 40; off++) {
                for (size_t k = 0; k < sizeof(vals); k++) {
                        uint8_t save = m.b[off];
                        ct_pe *pe = NULL;
                        ct_error err;
                        ct_digest d;

                        m.b[off] = vals[k];
                        if (ct_pe_parse(m.b, m.len, &pe, &err) == CT_OK) {
                                ct_hash_alg a = CT_HASH_SHA256;
                                assert_int_equal(ct_pe_authenticode(pe, &a, 1, &d, NULL), CT_OK);
                                ct_pe_free(pe);
                        } else
                                assert_true(err.msg[0] != '\0');
                        m.b[off] = save;
                }
        }
}

static void test_limits(void **state)
{
        struct img m;
        ct_pe *pe = NULL;
        ct_error err;

        (void)state;
        build(&m, true, 16, true);
        ct_put_le16(m.b + PE_OFF + 6, CT_MAX_PE_SECTIONS + 1);
        assert_int_equal(ct_pe_parse(m.b, m.len, &pe, &err), CT_E_LIMIT);
        assert_int_equal(err.offset, PE_OFF + 6);

        build(&m, true, 16, true);
        ct_put_le32(m.b + m.opt + 108, 17);
        assert_int_equal(ct_pe_parse(m.b, m.len, &pe, &err), CT_E_LIMIT);
        assert_int_equal(err.offset, m.opt + 108);

        /* overlapping raw data */
        build(&m, true, 16, true);
        put_section(&m, 2, ".data", 0x300, 0x2000, 0x200, 0x7f0);
        assert_int_equal(ct_pe_parse(m.b, m.len, &pe, &err), CT_E_MALFORMED);
        assert_int_equal(err.offset, m.sect + 2 * 40 + 20);

        /* certificate table past the end, by one byte */
        build(&m, true, 16, true);
        ct_put_le32(m.b + m.dirs + 36, 0x601);
        assert_int_equal(ct_pe_parse(m.b, m.len, &pe, &err), CT_E_MALFORMED);
        assert_int_equal(err.offset, m.dirs + 32);
        /* ... and exactly at the end is fine */
        ct_put_le32(m.b + m.dirs + 36, 0x600);
        assert_int_equal(ct_pe_parse(m.b, m.len, &pe, &err), CT_OK);
        ct_pe_free(pe);
        assert_null(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_authenticode_pe32plus_cert),
                cmocka_unit_test(test_authenticode_pe32plus_nocert),
                cmocka_unit_test(test_authenticode_pe32),
                cmocka_unit_test(test_authenticode_few_dirs),
                cmocka_unit_test(test_info_and_sections),
                cmocka_unit_test(test_truncations),
                cmocka_unit_test(test_header_mutations),
                cmocka_unit_test(test_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
