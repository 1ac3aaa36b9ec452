/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OVMF footer GUID table and SEV metadata parser (ct_fwtable_parse,
 * ct_sev_metadata_parse). Known answers for the real fixtures come from
 * shared/specs/snp-launch-digest.md §11 (read from the images with
 * sev-snp-measure); the synthetic tables are built here byte by byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cocotrust/fileio.h>
#include <cocotrust/fwtable.h>
#include <cocotrust/reader.h>

static const ct_guid g_footer = CT_FW_GUID_TABLE_FOOTER;
static const ct_guid g_reset = CT_FW_GUID_SEV_ES_RESET_BLOCK;
static const ct_guid g_ht = CT_FW_GUID_SEV_HASH_TABLE_RV;
static const ct_guid g_meta = CT_FW_GUID_SEV_METADATA;
static const ct_guid g_tdx = CT_FW_GUID_TDX_METADATA;

#define IMG 8192

/* A synthetic image: entries are appended nearest-the-footer first. */
struct img {
        uint8_t b[IMG];
        size_t end; /* where the next entry ends (walks toward the start) */
};

static void img_init(struct img *im)
{
        memset(im->b, 0xa5, sizeof(im->b));
        im->end = IMG - CT_FW_FOOTER_FROM_END;
}

static void img_entry(struct img *im, const ct_guid *g, const void *data, size_t len)
{
        size_t size = len + 18;
        memcpy(im->b + im->end - size, data, len);
        ct_put_le16(im->b + im->end - 18, (uint16_t)size);
        memcpy(im->b + im->end - 16, g->b, 16);
        im->end -= size;
}

static void img_footer(struct img *im, uint16_t extra)
{
        size_t foot = IMG - CT_FW_FOOTER_FROM_END;
        ct_put_le16(im->b + foot, (uint16_t)(foot - im->end + 18 + extra));
        memcpy(im->b + foot + 2, g_footer.b, 16);
}

static void u32_entry(struct img *im, const ct_guid *g, uint32_t v)
{
        uint8_t d[4];
        ct_put_le32(d, v);
        img_entry(im, g, d, 4);
}

/* ASEV block at file offset `at` with n sections {gpa, size, type}. */
static void img_meta(struct img *im, size_t at, const uint32_t (*sec)[3], uint32_t n)
{
        memcpy(im->b + at, "ASEV", 4);
        ct_put_le32(im->b + at + 4, 16 + 12 * n);
        ct_put_le32(im->b + at + 8, 1);
        ct_put_le32(im->b + at + 12, n);
        for (uint32_t i = 0; i < n; i++) {
                ct_put_le32(im->b + at + 16 + 12 * i, sec[i][0]);
                ct_put_le32(im->b + at + 20 + 12 * i, sec[i][1]);
                ct_put_le32(im->b + at + 24 + 12 * i, sec[i][2]);
        }
}

static const uint32_t good_sections[][3] = {
        { 0x800000, 0x9000, 1 }, { 0x80d000, 0x1000, 2 }, { 0x80e000, 0x1000, 3 }, { 0x810000, 0x1000, 0x10 },
};

static void build_good(struct img *im)
{
        img_init(im);
        u32_entry(im, &g_reset, 0x80b004);
        u32_entry(im, &g_ht, 0x810c00);
        u32_entry(im, &g_meta, IMG - 0x1000); /* ASEV at offset 0x1000 */
        img_footer(im, 0);
        img_meta(im, 0x1000, good_sections, 4);
}

static void test_good(void **state)
{
        struct img im;
        ct_fwtable t;
        ct_sev_metadata m;
        uint32_t v;

        (void)state;
        build_good(&im);
        assert_int_equal(ct_fwtable_parse(im.b, IMG, &t, NULL), CT_OK);
        assert_true(t.present);
        assert_int_equal(t.n_entries, 3);
        assert_int_equal(t.table_offset, im.end);
        assert_int_equal(ct_fwtable_u32(&t, im.b, IMG, &g_reset, "reset", &v, NULL), CT_OK);
        assert_int_equal(v, 0x80b004);
        assert_int_equal(ct_fwtable_u32(&t, im.b, IMG, &g_ht, "ht", &v, NULL), CT_OK);
        assert_int_equal(v, 0x810c00);
        assert_null(ct_fwtable_find(&t, &g_tdx));
        assert_int_equal(ct_fwtable_u32(&t, im.b, IMG, &g_tdx, "TDX metadata", &v, NULL), CT_E_UNSUPPORTED);
        assert_int_equal(ct_sev_metadata_parse(im.b, IMG, &t, &m, NULL), CT_OK);
        assert_true(m.present);
        assert_int_equal(m.offset, 0x1000);
        assert_int_equal(m.n_sections, 4);
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(m.sections[i].gpa, good_sections[i][0]);
                assert_int_equal(m.sections[i].size, good_sections[i][1]);
                assert_int_equal(m.sections[i].type, good_sections[i][2]);
                assert_int_equal(m.sections[i].desc_offset, 0x1010 + 12 * i);
        }
}

static void test_no_footer(void **state)
{
        struct img im;
        ct_fwtable t;
        ct_sev_metadata m;

        (void)state;
        img_init(&im);
        assert_int_equal(ct_fwtable_parse(im.b, IMG, &t, NULL), CT_OK);
        assert_false(t.present);
        assert_int_equal(t.n_entries, 0);
        assert_int_equal(ct_sev_metadata_parse(im.b, IMG, &t, &m, NULL), CT_OK);
        assert_false(m.present);
        /* shorter than the footer: no table */
        assert_int_equal(ct_fwtable_parse(im.b, 49, &t, NULL), CT_OK);
        assert_false(t.present);
        assert_int_equal(ct_fwtable_parse(NULL, 0, &t, NULL), CT_OK);
}

static void test_duplicate_nearest_start_wins(void **state)
{
        struct img im;
        ct_fwtable t;
        uint32_t v;

        (void)state;
        img_init(&im);
        u32_entry(&im, &g_reset, 1);
        u32_entry(&im, &g_reset, 2); /* nearer the start of the file */
        img_footer(&im, 0);
        assert_int_equal(ct_fwtable_parse(im.b, IMG, &t, NULL), CT_OK);
        assert_int_equal(ct_fwtable_u32(&t, im.b, IMG, &g_reset, "reset", &v, NULL), CT_OK);
        assert_int_equal(v, 2);
}

static void expect_error(const uint8_t *b, size_t len, ct_code code, uint64_t offset, bool meta)
{
        ct_fwtable t;
        ct_sev_metadata m;
        ct_error err;
        ct_code rc;

        ct_error_clear(&err);
        rc = ct_fwtable_parse(b, len, &t, &err);
        if (meta) {
                assert_int_equal(rc, CT_OK);
                rc = ct_sev_metadata_parse(b, len, &t, &m, &err);
        }
        assert_int_equal(rc, code);
        assert_true(err.has_offset);
        assert_int_equal(err.offset, offset);
        assert_non_null(strstr(err.msg, "offset 0x"));
}

static void test_table_errors(void **state)
{
        struct img im;
        size_t foot = IMG - CT_FW_FOOTER_FROM_END;
        size_t first = foot - 18; /* header of the entry nearest the footer */

        (void)state;
        build_good(&im);
        ct_put_le16(im.b + foot, 0xffff); /* the table reaches before the file */
        expect_error(im.b, IMG, CT_E_TRUNCATED, foot, false);

        build_good(&im);
        ct_put_le16(im.b + foot, 17); /* smaller than the footer header */
        expect_error(im.b, IMG, CT_E_MALFORMED, foot, false);

        build_good(&im);
        ct_put_le16(im.b + first, 17); /* entry smaller than its header */
        expect_error(im.b, IMG, CT_E_MALFORMED, first, false);

        build_good(&im);
        ct_put_le16(im.b + first, 0x400); /* entry reaching outside the table */
        expect_error(im.b, IMG, CT_E_TRUNCATED, first, false);

        build_good(&im);
        img_footer(&im, 7); /* 7 bytes left that cannot be an entry */
        expect_error(im.b, IMG, CT_E_TRUNCATED, im.end - 7, false);

        /* a 2-byte entry cannot give a u32 */
        {
                ct_fwtable t;
                ct_error err;
                uint32_t v;
                img_init(&im);
                img_entry(&im, &g_reset, "\x01\x02", 2);
                img_footer(&im, 0);
                assert_int_equal(ct_fwtable_parse(im.b, IMG, &t, NULL), CT_OK);
                assert_int_equal(ct_fwtable_u32(&t, im.b, IMG, &g_reset, "reset", &v, &err), CT_E_TRUNCATED);
                assert_int_equal(err.offset, foot - 20);
        }
}

static void test_metadata_errors(void **state)
{
        struct img im;
        const size_t foot = IMG - CT_FW_FOOTER_FROM_END;
        const size_t meta_entry = foot - 66; /* data of the third entry */

        (void)state;
        build_good(&im);
        ct_put_le32(im.b + meta_entry, IMG + 1); /* before the start of the file */
        expect_error(im.b, IMG, CT_E_TRUNCATED, meta_entry, true);

        build_good(&im);
        ct_put_le32(im.b + meta_entry, 8); /* header cut by the end of the file */
        expect_error(im.b, IMG, CT_E_TRUNCATED, IMG - 8, true);

        build_good(&im);
        memcpy(im.b + 0x1000, "XSEV", 4);
        expect_error(im.b, IMG, CT_E_MALFORMED, 0x1000, true);

        build_good(&im);
        ct_put_le32(im.b + 0x1008, 2);
        expect_error(im.b, IMG, CT_E_MALFORMED, 0x1008, true);

        build_good(&im);
        ct_put_le32(im.b + 0x1004, IMG); /* size beyond the file */
        expect_error(im.b, IMG, CT_E_TRUNCATED, 0x1004, true);

        build_good(&im);
        ct_put_le32(im.b + 0x1004, 15);
        expect_error(im.b, IMG, CT_E_MALFORMED, 0x1004, true);

        build_good(&im);
        ct_put_le32(im.b + 0x100c, CT_MAX_SEV_SECTIONS + 1);
        expect_error(im.b, IMG, CT_E_LIMIT, 0x100c, true);

        build_good(&im);
        ct_put_le32(im.b + 0x100c, 5); /* one descriptor more than size holds */
        expect_error(im.b, IMG, CT_E_TRUNCATED, 0x1010, true);

        build_good(&im);
        ct_put_le32(im.b + 0x1014, 0); /* zero size */
        expect_error(im.b, IMG, CT_E_MALFORMED, 0x1014, true);

        build_good(&im);
        ct_put_le32(im.b + 0x1014, 0x9001); /* not a multiple of 4096 */
        expect_error(im.b, IMG, CT_E_MALFORMED, 0x1014, true);

        build_good(&im);
        ct_put_le32(im.b + 0x1010, 0xfffff000); /* gpa + size beyond 4 GiB */
        expect_error(im.b, IMG, CT_E_MALFORMED, 0x1010, true);

        build_good(&im);
        ct_put_le32(im.b + 0x101c, 0x808000); /* section 1 inside section 0 */
        expect_error(im.b, IMG, CT_E_MALFORMED, 0x101c, true);
}

/* Every shorter view of a good image, cut at the front or at the end: an error or a table, never a crash. */
static void test_every_length(void **state)
{
        struct img im;

        (void)state;
        build_good(&im);
        for (size_t k = 0; k <= IMG; k++) {
                ct_fwtable t;
                ct_sev_metadata m;
                ct_error err;
                ct_code rc;

                rc = ct_fwtable_parse(im.b + k, IMG - k, &t, &err);
                if (rc == CT_OK)
                        rc = ct_sev_metadata_parse(im.b + k, IMG - k, &t, &m, &err);
                assert_true(rc < CT_E__MAX);
                if (k > 0 && k < IMG - 0x1000 + 16 && rc != CT_OK)
                        assert_true(err.has_offset);
                rc = ct_fwtable_parse(im.b, IMG - k, &t, &err);
                if (rc == CT_OK)
                        rc = ct_sev_metadata_parse(im.b, IMG - k, &t, &m, &err);
                assert_true(rc < CT_E__MAX);
        }
}

static void load(const char *name, ct_blob *b)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/tests/vectors/snp/inputs/%s", CT_SOURCE_ROOT, name);
        assert_int_equal(ct_blob_read(path, 0, b, NULL), CT_OK);
}

/* shared/specs/snp-launch-digest.md §11: the edk2-stable202405 AmdSevX64 footer. */
static void test_real_amdsev(void **state)
{
        static const uint32_t expect[][3] = {
                { 0x800000, 0x9000, 1 }, { 0x80a000, 0x3000, 1 }, { 0x80d000, 0x1000, 2 },
                { 0x80e000, 0x1000, 3 }, { 0x80f000, 0x1000, 4 }, { 0x810000, 0x1000, 0x10 },
                { 0x811000, 0xf000, 1 },
        };
        ct_blob b;
        ct_fwtable t;
        ct_sev_metadata m;
        uint32_t v;

        (void)state;
        load("ovmf_AmdSev_suffix.bin", &b);
        assert_int_equal(ct_fwtable_parse(b.data, b.len, &t, NULL), CT_OK);
        assert_int_equal(t.n_entries, 5);
        assert_non_null(ct_fwtable_find(&t, &g_tdx));
        assert_int_equal(ct_fwtable_u32(&t, b.data, b.len, &g_reset, "reset", &v, NULL), CT_OK);
        assert_int_equal(v, 0x80b004);
        assert_int_equal(ct_fwtable_u32(&t, b.data, b.len, &g_ht, "ht", &v, NULL), CT_OK);
        assert_int_equal(v, 0x810c00);
        assert_int_equal(ct_sev_metadata_parse(b.data, b.len, &t, &m, NULL), CT_OK);
        assert_int_equal(m.n_sections, 7);
        for (size_t i = 0; i < 7; i++) {
                assert_int_equal(m.sections[i].gpa, expect[i][0]);
                assert_int_equal(m.sections[i].size, expect[i][1]);
                assert_int_equal(m.sections[i].type, expect[i][2]);
        }
        ct_blob_free(&b);
}

/* §11: Debian's OVMF_CODE_4M.fd has no SEV metadata, reset EIP 0x808004, hash table GPA 0. */
static void test_real_debian_4m(void **state)
{
        ct_blob b;
        ct_fwtable t;
        ct_sev_metadata m;
        uint32_t v;

        (void)state;
        load("debian_OVMF_CODE_4M.fd", &b);
        assert_int_equal(ct_fwtable_parse(b.data, b.len, &t, NULL), CT_OK);
        assert_true(t.present);
        assert_int_equal(ct_fwtable_u32(&t, b.data, b.len, &g_reset, "reset", &v, NULL), CT_OK);
        assert_int_equal(v, 0x808004);
        assert_int_equal(ct_fwtable_u32(&t, b.data, b.len, &g_ht, "ht", &v, NULL), CT_OK);
        assert_int_equal(v, 0);
        assert_null(ct_fwtable_find(&t, &g_meta));
        assert_int_equal(ct_sev_metadata_parse(b.data, b.len, &t, &m, NULL), CT_OK);
        assert_false(m.present);
        ct_blob_free(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_no_footer),
                cmocka_unit_test(test_duplicate_nearest_start_wins),
                cmocka_unit_test(test_table_errors),
                cmocka_unit_test(test_metadata_errors),
                cmocka_unit_test(test_every_length),
                cmocka_unit_test(test_real_amdsev),
                cmocka_unit_test(test_real_debian_4m),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
