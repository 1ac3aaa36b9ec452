/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Library-level dm-verity tests. Expected values come from veritysetup 2.6.1
 * (the superblock of vector v02 and the parameters on its command line, the
 * levels / hash start columns of tests/vectors/verity/verity_vectors.tsv) and
 * from the geometry facts of shared/specs/dm-verity.md §2 marked [tested].
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#define VEC CT_SOURCE_ROOT "/tests/vectors/verity"

static void read_sb(const char *path, uint8_t sb[CT_VERITY_SB_SIZE])
{
        ct_blob b;
        ct_error e;

        assert_int_equal(ct_blob_read(path, 0, &b, &e), CT_OK);
        assert_true(b.len >= CT_VERITY_SB_SIZE);
        memcpy(sb, b.data, CT_VERITY_SB_SIZE);
        ct_blob_free(&b);
}

/* v02: veritysetup format DATA HASH --salt 0001..1f --uuid 12345678-1234-1234-1234-123456789abc */
static void test_superblock_v02(void **state)
{
        static const uint8_t uuid[16] = { 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x12, 0x34,
                                          0x12, 0x34, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc };
        uint8_t sb[CT_VERITY_SB_SIZE], again[CT_VERITY_SB_SIZE];
        ct_verity_params p;
        ct_error e;

        (void)state;
        read_sb(VEC "/outputs/v02.hash", sb);
        ct_verity_params_init(&p);
        assert_int_equal(ct_verity_superblock_parse(sb, sizeof(sb), 0, &p, &e), CT_OK);
        assert_string_equal(p.hash_name, "sha256");
        assert_int_equal(p.hash_type, 1);
        assert_int_equal(p.data_block_size, 4096);
        assert_int_equal(p.hash_block_size, 4096);
        assert_int_equal(p.data_blocks, 16);
        assert_int_equal(p.salt_size, 32);
        for (unsigned i = 0; i < 32; i++)
                assert_int_equal(p.salt[i], i);
        assert_memory_equal(p.uuid, uuid, 16);
        /* veritysetup's bytes come back from the builder */
        ct_verity_superblock_build(&p, again);
        assert_memory_equal(again, sb, sizeof(sb));
}

static void test_superblock_errors(void **state)
{
        uint8_t sb[CT_VERITY_SB_SIZE], bad[CT_VERITY_SB_SIZE];
        ct_verity_params p;
        ct_error e;

        (void)state;
        read_sb(VEC "/outputs/v02.hash", sb);
        ct_verity_params_init(&p);
        /* one byte short */
        assert_int_equal(ct_verity_superblock_parse(sb, sizeof(sb) - 1, 0, &p, &e), CT_E_TRUNCATED);
        memcpy(bad, sb, sizeof(bad));
        bad[0] = 'V';
        assert_int_equal(ct_verity_superblock_parse(bad, sizeof(bad), 4096, &p, &e), CT_E_MALFORMED);
        assert_true(e.has_offset);
        assert_int_equal(e.offset, 4096);
        memcpy(bad, sb, sizeof(bad));
        bad[8] = 2;
        assert_int_equal(ct_verity_superblock_parse(bad, sizeof(bad), 0, &p, &e), CT_E_UNSUPPORTED);
        assert_int_equal(e.offset, 8);
        memcpy(bad, sb, sizeof(bad));
        bad[80] = 0x01; /* salt_size 257 */
        bad[81] = 0x01;
        assert_int_equal(ct_verity_superblock_parse(bad, sizeof(bad), 0, &p, &e), CT_E_MALFORMED);
        assert_int_equal(e.offset, 80);
        memcpy(bad, sb, sizeof(bad));
        bad[81] = 0x01; /* salt_size 256 + 32: still too big */
        assert_int_equal(ct_verity_superblock_parse(bad, sizeof(bad), 0, &p, &e), CT_E_MALFORMED);
        memcpy(bad, sb, sizeof(bad));
        bad[80] = 0x00; /* salt_size 256: the maximum is fine */
        bad[81] = 0x01;
        assert_int_equal(ct_verity_superblock_parse(bad, sizeof(bad), 0, &p, &e), CT_OK);
        assert_int_equal(p.salt_size, 256);
}

struct geo_case {
        const char *alg;
        uint32_t type, dbs, hbs;
        uint64_t n, hash_offset;
        bool no_sb;
        unsigned levels;
        uint64_t hash_start;
        uint32_t per_block, stride;
};

/* Levels / hash start of the TSV (veritysetup) and the spec's [tested] examples. */
static const struct geo_case geo_cases[] = {
        { "sha256", 1, 4096, 4096, 16, 0, false, 1, 1, 128, 32 },      /* v02 */
        { "sha256", 1, 1024, 1024, 1000, 0, false, 2, 1, 32, 32 },     /* v10 */
        { "sha256", 1, 512, 512, 512, 0, false, 3, 1, 16, 32 },        /* v11 */
        { "sha256", 1, 4096, 4096, 1, 0, false, 0, 1, 128, 32 },       /* v15: 0 levels */
        { "sha256", 1, 4096, 4096, 128, 0, false, 1, 1, 128, 32 },     /* v26 */
        { "sha256", 1, 4096, 4096, 129, 0, false, 2, 1, 128, 32 },     /* v27 */
        { "sha1", 1, 4096, 4096, 16, 0, false, 1, 1, 128, 32 },        /* v06: 20 -> 32 */
        { "sha1", 0, 4096, 4096, 16, 0, false, 1, 1, 128, 20 },        /* sha1 type 0: 128 packed */
        { "sha512", 1, 4096, 4096, 16, 0, false, 1, 1, 64, 64 },       /* v08 */
        { "sha224", 0, 4096, 4096, 16, 0, false, 1, 1, 128, 28 },      /* v28 */
        { "sha256", 1, 4096, 4096, 16, 0, true, 1, 0, 128, 32 },       /* v17 */
        { "sha256", 1, 4096, 4096, 16, 4096, true, 1, 1, 128, 32 },    /* v19 */
        { "sha256", 1, 4096, 4096, 16, 512, true, 1, 0, 128, 32 },     /* --no-superblock rounds down */
        { "sha256", 1, 4096, 4096, 16, 512, false, 1, 1, 128, 32 },    /* v25 */
        { "sha256", 1, 4096, 4096, 16, 65536, false, 1, 17, 128, 32 }, /* v20 */
        { "sha256", 1, 4096, 4096, 16, 65536, true, 1, 16, 128, 32 },  /* v21 */
        { "sha256", 1, 4096, 512, 16, 0, false, 1, 1, 16, 32 },        /* v12 */
        { "sha256", 1, 4096, 8192, 16, 0, false, 1, 1, 256, 32 },      /* v30 */
};

static void test_geometry(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(geo_cases) / sizeof(geo_cases[0]); i++) {
                const struct geo_case *c = &geo_cases[i];
                ct_verity_params p;
                ct_verity_geometry g;
                ct_error e;

                ct_verity_params_init(&p);
                strcpy(p.hash_name, c->alg);
                p.hash_type = c->type;
                p.data_block_size = c->dbs;
                p.hash_block_size = c->hbs;
                p.data_blocks = c->n;
                p.hash_offset = c->hash_offset;
                p.no_superblock = c->no_sb;
                assert_int_equal(ct_verity_params_check(&p, &e), CT_OK);
                assert_int_equal(ct_verity_geometry_compute(&p, &g, &e), CT_OK);
                assert_int_equal(g.levels, c->levels);
                assert_int_equal(g.hash_start, c->hash_start);
                assert_int_equal(g.hash_per_block, c->per_block);
                assert_int_equal(g.stride, c->stride);
                if (g.levels)
                        assert_int_equal(g.level_blocks[g.levels - 1], 1);
        }
}

static void test_geometry_limits(void **state)
{
        ct_verity_params p;
        ct_verity_geometry g;
        ct_error e;

        (void)state;
        ct_verity_params_init(&p);
        p.data_blocks = 0;
        assert_int_equal(ct_verity_geometry_compute(&p, &g, &e), CT_E_ARG);
        p.data_blocks = UINT64_MAX; /* N * 4096 overflows 64 bits */
        assert_int_equal(ct_verity_geometry_compute(&p, &g, &e), CT_E_LIMIT);
        p.data_blocks = 1;
        p.hash_offset = UINT64_MAX - 100;
        assert_int_not_equal(ct_verity_geometry_compute(&p, &g, &e), CT_OK);
        ct_verity_params_init(&p);
        p.data_block_size = 1u << 20;
        assert_int_equal(ct_verity_params_check(&p, &e), CT_E_ARG);
        ct_verity_params_init(&p);
        p.salt_size = 257;
        assert_int_equal(ct_verity_params_check(&p, &e), CT_E_ARG);
        ct_verity_params_init(&p);
        strcpy(p.hash_name, "shake128");
        assert_int_equal(ct_verity_params_check(&p, &e), CT_E_ARG);
}

/* Root hash of v02's data (veritysetup: 3272f264...) through the fd API, 1 and 3 threads. */
static void test_root_fd(void **state)
{
        ct_verity_params p;
        uint8_t root[CT_VERITY_MAX_DIGEST];
        char hex[2 * CT_VERITY_MAX_DIGEST + 1];
        ct_error e;
        int fd;

        (void)state;
        ct_verity_params_init(&p);
        p.data_blocks = 16;
        p.salt_size = 32;
        for (unsigned i = 0; i < 32; i++)
                p.salt[i] = (uint8_t)i;
        fd = open(VEC "/inputs/v02.data", O_RDONLY);
        assert_true(fd >= 0);
        for (unsigned t = 1; t <= 3; t += 2) {
                assert_int_equal(ct_verity_root_fd(fd, &p, t, root, sizeof(root), &e), CT_OK);
                assert_string_equal(ct_hex_encode(root, 32, hex),
                                    "3272f264bd6df8c2f597b1f3d190c46b763aa21fda291fafe3dd4315efc8f99a");
        }
        p.data_blocks = 17; /* more than the file has */
        assert_int_equal(ct_verity_root_fd(fd, &p, 1, root, sizeof(root), &e), CT_E_ARG);
        close(fd);
}

/* ct_verity_format_outputs: the hash file joins the caller's set; nothing at its path changes until commit. */
static void test_format_outputs(void **state)
{
        char dir[] = "/tmp/ct-verity-outs.XXXXXX", hash[64], cmd[160];
        ct_verity_params p;
        ct_verity_result r;
        ct_outputs *outs;
        ct_blob b;
        ct_error e;
        char hex[2 * CT_VERITY_MAX_DIGEST + 1];

        (void)state;
        assert_non_null(mkdtemp(dir));
        snprintf(hash, sizeof(hash), "%s/hash", dir);
        assert_int_equal(ct_write_file_atomic(hash, "old", 3, &e), CT_OK);
        ct_verity_params_init(&p);
        p.salt_size = 32;
        for (unsigned i = 0; i < 32; i++)
                p.salt[i] = (uint8_t)i;
        assert_int_equal(ct_verity_uuid_parse("12345678-1234-1234-1234-123456789abc", p.uuid, &e), CT_OK);
        for (int commit = 0; commit <= 1; commit++) {
                assert_int_equal(ct_outputs_new(&outs, &e), CT_OK);
                assert_int_equal(ct_verity_format_outputs(VEC "/inputs/v02.data", hash, NULL, &p, 1, outs, &r, &e),
                                 CT_OK);
                assert_string_equal(ct_hex_encode(r.root, 32, hex),
                                    "3272f264bd6df8c2f597b1f3d190c46b763aa21fda291fafe3dd4315efc8f99a");
                assert_int_equal(ct_blob_read(hash, 0, &b, &e), CT_OK);
                assert_int_equal(b.len, 3); /* not renamed yet */
                ct_blob_free(&b);
                if (commit)
                        assert_int_equal(ct_outputs_commit(outs, &e), CT_OK);
                ct_outputs_free(outs); /* without commit: the temporary goes, the old file stays */
        }
        {
                ct_blob want; /* what veritysetup 2.6.1 wrote for v02 */
                assert_int_equal(ct_blob_read(hash, 0, &b, &e), CT_OK);
                assert_int_equal(ct_blob_read(VEC "/outputs/v02.hash", 0, &want, &e), CT_OK);
                assert_int_equal(b.len, want.len);
                assert_int_equal(b.len, r.hash_file_size);
                assert_memory_equal(b.data, want.data, want.len);
                ct_blob_free(&want);
                ct_blob_free(&b);
        }
        snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 1 && rm -r %s", dir, dir);
        assert_int_equal(system(cmd), 0); /* no temporary left */
}

/*
 * The set refuses an output that is one of its outputs or DATA under another
 * name (CT_E_ARG, the new name as the input, the other in the message), and
 * ct_paths_same_file says which spellings are one file.
 */
static void test_format_outputs_same_file(void **state)
{
        char dir[] = "/tmp/ct-verity-same.XXXXXX", hash[64], alias[128], link_[64], sub[64], cmd[160];
        ct_verity_params p;
        ct_verity_result r;
        ct_outputs *outs;
        ct_atomic_file *f;
        ct_error e;

        (void)state;
        assert_non_null(mkdtemp(dir));
        snprintf(hash, sizeof(hash), "%s/hash", dir);
        snprintf(alias, sizeof(alias), "%s/./hash", dir);
        snprintf(link_, sizeof(link_), "%s/link", dir);
        snprintf(sub, sizeof(sub), "%s/sub", dir);
        assert_int_equal(mkdir(sub, 0700), 0);
        ct_verity_params_init(&p);
        assert_int_equal(ct_verity_params_randomize(&p, CT_VERITY_RANDOM_SALT | CT_VERITY_RANDOM_UUID, &e), CT_OK);
        assert_int_equal(ct_outputs_new(&outs, &e), CT_OK);
        assert_int_equal(ct_verity_format_outputs(VEC "/inputs/v02.data", hash, NULL, &p, 1, outs, &r, &e), CT_OK);
        ct_error_clear(&e);
        assert_int_equal(ct_outputs_add(outs, alias, &f, &e), CT_E_ARG);
        assert_string_equal(e.input, alias);
        assert_non_null(strstr(e.msg, hash));
        ct_error_clear(&e);
        assert_int_equal(ct_outputs_add(outs, VEC "/outputs/../inputs/v02.data", &f, &e), CT_E_ARG);
        assert_non_null(strstr(e.msg, "input"));
        assert_int_equal(symlink(VEC "/inputs/v02.data", link_), 0);
        assert_int_equal(ct_outputs_add(outs, link_, &f, &e), CT_E_ARG);
        ct_outputs_free(outs);

        assert_true(ct_paths_same_file(link_, VEC "/inputs/v02.data"));  /* symlink, existing */
        assert_false(ct_paths_same_file(hash, VEC "/inputs/v02.data"));  /* hash was never committed: new */
        snprintf(alias, sizeof(alias), "%s/../new", sub);
        snprintf(hash, sizeof(hash), "%s/new", dir);
        assert_true(ct_paths_same_file(alias, hash));                   /* new file, ".." resolved */
        snprintf(alias, sizeof(alias), "%s/new", sub);
        assert_false(ct_paths_same_file(alias, hash));
        snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 2 && rm -r %s", dir, dir);
        assert_int_equal(system(cmd), 0); /* the link and sub/, no temporary */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_superblock_v02),   cmocka_unit_test(test_superblock_errors),
                cmocka_unit_test(test_geometry),         cmocka_unit_test(test_geometry_limits),
                cmocka_unit_test(test_root_fd),          cmocka_unit_test(test_format_outputs),
                cmocka_unit_test(test_format_outputs_same_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
