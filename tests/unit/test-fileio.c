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
        /* a missing input or a wrong file type is bad input (exit 2); the error names the input in its
         * own field, and the message does not repeat it */
        assert_int_equal(ct_blob_read("/nonexistent/x", 0, &b, &err), CT_E_INPUT);
        assert_int_equal(ct_code_exit_status(err.code), 2);
        assert_string_equal(err.input, "/nonexistent/x");
        assert_null(strstr(err.msg, "/nonexistent"));
        assert_non_null(strstr(err.msg, "No such file"));
        assert_int_equal(ct_blob_read("/tmp", 0, &b, &err), CT_E_INPUT);
        assert_string_equal(err.input, "/tmp");
        assert_non_null(strstr(err.msg, "directory"));
        /* a failed write is an I/O error (exit 3), about the output */
        assert_int_equal(ct_write_file_atomic("/nonexistent/dir/x", "a", 1, &err), CT_E_IO);
        assert_int_equal(ct_code_exit_status(err.code), 3);
        assert_string_equal(err.input, "/nonexistent/dir/x");
        assert_null(strstr(err.msg, "/nonexistent/dir/x"));
}

static void test_error_input_field(void **state)
{
        ct_error err;
        char longname[CT_ERROR_INPUT_MAX * 2];

        (void)state;
        ct_error_clear(&err);
        ct_error_set(&err, CT_E_MALFORMED, "bad field");
        assert_string_equal(err.input, "");
        ct_error_default_input(&err, "a.bin");
        assert_string_equal(err.input, "a.bin");
        ct_error_default_input(&err, "b.bin"); /* keeps the first */
        assert_string_equal(err.input, "a.bin");
        ct_error_set_input(&err, "c.bin");
        assert_string_equal(err.input, "c.bin");
        ct_error_prefix(&err, "section %d", 3); /* a prefix keeps the input */
        assert_string_equal(err.input, "c.bin");
        assert_string_equal(err.msg, "section 3: bad field");
        ct_error_set(&err, CT_E_LIMIT, "x"); /* a new error forgets the old input */
        assert_string_equal(err.input, "");
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = 0;
        ct_error_set_input(&err, longname); /* truncated, terminated */
        assert_int_equal(strlen(err.input), CT_ERROR_INPUT_MAX - 1);
        assert_int_equal(ct_error_set_open(&err, 2 /* ENOENT */, "d", "cannot open"), CT_E_INPUT);
        assert_int_equal(ct_error_set_open(&err, 5 /* EIO */, "d", "cannot open"), CT_E_IO);
        assert_string_equal(err.input, "d");
        ct_error_set_input(NULL, "x");
        ct_error_default_input(NULL, "x");
        assert_int_equal(ct_error_set_open(NULL, 2, "d", "x"), CT_E_INPUT);
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
                cmocka_unit_test(test_error_input_field),
                cmocka_unit_test(test_empty),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
