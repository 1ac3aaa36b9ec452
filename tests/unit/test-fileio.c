/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file reads and atomic writes: no partial file under the final name. */
#include <dirent.h>
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

#include <cocotrust/fileio.h>

static char dir[64];

static int setup(void **state)
{
        (void)state;
        strcpy(dir, "/tmp/ct-test-fileio-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int count_entries(void)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;

        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static int teardown(void **state)
{
        char cmd[128];
        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd);
}

static void test_write_read(void **state)
{
        char path[128];
        ct_blob b;
        ct_error err;

        (void)state;
        snprintf(path, sizeof(path), "%s/out", dir);
        assert_int_equal(ct_write_file_atomic(path, "hello", 5, &err), CT_OK);
        assert_int_equal(ct_blob_read(path, 0, &b, &err), CT_OK);
        assert_int_equal(b.len, 5);
        assert_memory_equal(b.data, "hello", 5);
        ct_blob_free(&b);
        assert_int_equal(ct_blob_read(path, 4, &b, &err), CT_E_LIMIT);
        /* overwrite replaces whole */
        assert_int_equal(ct_write_file_atomic(path, "hi", 2, &err), CT_OK);
        assert_int_equal(ct_blob_read(path, 0, &b, &err), CT_OK);
        assert_int_equal(b.len, 2);
        ct_blob_free(&b);
        ct_blob_free(NULL);
        assert_int_equal(count_entries(), 1);
}

static void test_abort_leaves_nothing(void **state)
{
        char path[128];
        ct_atomic_file f;
        struct stat st;

        (void)state;
        snprintf(path, sizeof(path), "%s/aborted", dir);
        assert_int_equal(ct_atomic_open(path, &f, NULL), CT_OK);
        assert_int_equal(ct_atomic_write(&f, "partial", 7, NULL), CT_OK);
        assert_int_equal(stat(path, &st), -1); /* not visible before commit */
        ct_atomic_abort(&f);
        ct_atomic_abort(&f); /* idempotent */
        assert_int_equal(stat(path, &st), -1);
        assert_int_equal(count_entries(), 1);
}

static void test_errors(void **state)
{
        ct_blob b;
        ct_error err;

        (void)state;
        assert_int_equal(ct_blob_read("/nonexistent/x", 0, &b, &err), CT_E_IO);
        assert_int_equal(ct_blob_read("/tmp", 0, &b, &err), CT_E_ARG);
        assert_int_equal(ct_write_file_atomic("/nonexistent/dir/x", "a", 1, &err), CT_E_IO);
        assert_non_null(strstr(err.msg, "/nonexistent/dir/x"));
}

static void test_empty(void **state)
{
        char path[128];
        ct_blob b;

        (void)state;
        snprintf(path, sizeof(path), "%s/empty", dir);
        assert_int_equal(ct_write_file_atomic(path, "", 0, NULL), CT_OK);
        assert_int_equal(ct_blob_read(path, 0, &b, NULL), CT_OK);
        assert_int_equal(b.len, 0);
        ct_blob_free(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_write_read),
                cmocka_unit_test(test_abort_leaves_nothing),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_empty),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
