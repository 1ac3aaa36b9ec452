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
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* A pipe: streamed to EOF; the same bytes as the file. */
static void test_pipe_and_stdin(void **state)
{
        int p[2], saved;
        ct_blob b;
        ct_error err;
        char name[32];
        pid_t pid;

        (void)state;
        assert_int_equal(pipe(p), 0);
        pid = fork();
        if (pid == 0) {
                close(p[0]);
                for (int i = 0; i < 1000; i++)
                        if (write(p[1], "0123456789abcdef", 16) != 16)
                                _exit(1);
                _exit(0);
        }
        close(p[1]);
        snprintf(name, sizeof(name), "/dev/fd/%d", p[0]);
        assert_int_equal(ct_blob_read(name, 0, &b, &err), CT_OK);
        assert_int_equal(b.len, 16000);
        assert_memory_equal(b.data + 15984, "0123456789abcdef", 16);
        ct_blob_free(&b);
        close(p[0]);
        waitpid(pid, NULL, 0);

        /* "-" is standard input; over the input's limit is CT_E_LIMIT, not an endless read */
        assert_int_equal(pipe(p), 0);
        assert_int_equal(write(p[1], "12345678", 8), 8);
        close(p[1]);
        saved = dup(0);
        dup2(p[0], 0);
        close(p[0]);
        assert_int_equal(ct_blob_read("-", 4, &b, &err), CT_E_LIMIT);
        assert_string_equal(err.input, "standard input");
        dup2(saved, 0);
        close(saved);
}

/* A FIFO without a writer ends (CT_E_INPUT), and one inside a directory input is never opened. */
static void test_fifo_and_devices(void **state)
{
        char path[128];
        ct_blob b;
        ct_error err;
        int fd;
        time_t t0;

        (void)state;
        snprintf(path, sizeof(path), "%s/fifo", dir);
        assert_int_equal(mkfifo(path, 0600), 0);
        fd = open(dir, O_RDONLY | O_DIRECTORY);
        t0 = time(NULL);
        assert_int_equal(ct_input_openat(fd, "fifo", CT_INPUT_REGULAR_ONLY, &(int){ 0 }, NULL, NULL, &err),
                         CT_E_INPUT);
        assert_true(time(NULL) - t0 < 2); /* refused at once */
        assert_non_null(strstr(err.msg, "FIFO"));
        close(fd);
        assert_int_equal(ct_blob_read(path, 0, &b, &err), CT_E_INPUT);
        assert_non_null(strstr(err.msg, "without a writer"));
        unlink(path);
        assert_int_equal(ct_blob_read("/dev/zero", 0, &b, &err), CT_E_INPUT);
        assert_non_null(strstr(err.msg, "character device"));
        /* a procfs file reports size 0: read to EOF */
        assert_int_equal(ct_blob_read("/proc/self/status", 0, &b, &err), CT_OK);
        assert_true(b.len > 0);
        assert_memory_equal(b.data, "Name:", 5);
        ct_blob_free(&b);
}

/* An overwritten output keeps its mode; a symlinked output replaces the file it points to. */
static void test_mode_and_symlink(void **state)
{
        char path[128], link[128];
        struct stat st;
        ct_error err;

        (void)state;
        snprintf(path, sizeof(path), "%s/secret", dir);
        snprintf(link, sizeof(link), "%s/link", dir);
        assert_int_equal(ct_write_file_atomic(path, "a", 1, &err), CT_OK);
        assert_int_equal(chmod(path, 0600), 0);
        assert_int_equal(ct_write_file_atomic(path, "bb", 2, &err), CT_OK);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(symlink("secret", link), 0);
        assert_int_equal(ct_write_file_atomic(link, "ccc", 3, &err), CT_OK);
        assert_int_equal(lstat(link, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 3);
        assert_int_equal(st.st_mode & 07777, 0600);
        /* a directory is not an output */
        assert_int_equal(ct_write_file_atomic(dir, "x", 1, &err), CT_E_INPUT);
        unlink(link);
        unlink(path);
}

/* Whole zero blocks stay holes. */
static void test_sparse(void **state)
{
        char path[128];
        struct stat st;
        ct_error err;
        size_t len = 8u << 20;
        uint8_t *buf = calloc(1, len);
        ct_blob b;

        (void)state;
        snprintf(path, sizeof(path), "%s/sparse", dir);
        buf[100] = 1;
        buf[len - 1] = 2;
        assert_int_equal(ct_write_file_atomic(path, buf, len, &err), CT_OK);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, (off_t)len);
        assert_true(st.st_blocks * 512 < 64 * 1024);
        assert_int_equal(ct_blob_read(path, 0, &b, &err), CT_OK);
        assert_memory_equal(b.data, buf, len);
        ct_blob_free(&b);
        /* trailing zeros: the size still counts them */
        memset(buf, 0, len);
        buf[0] = 7;
        assert_int_equal(ct_write_file_atomic(path, buf, len, &err), CT_OK);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, (off_t)len);
        free(buf);
        unlink(path);
}

/* A set of outputs: none appears before all are complete; a failure leaves the old ones. */
static void test_outputs_set(void **state)
{
        char a[128], b2[128];
        ct_outputs *s;
        ct_atomic_file *f;
        ct_error err;
        ct_blob b;
        int n0 = count_entries();

        (void)state;
        snprintf(a, sizeof(a), "%s/a", dir);
        snprintf(b2, sizeof(b2), "%s/b", dir);
        assert_int_equal(ct_write_file_atomic(a, "old", 3, &err), CT_OK);
        assert_int_equal(ct_outputs_new(&s, &err), CT_OK);
        assert_int_equal(ct_outputs_add(s, a, &f, &err), CT_OK);
        assert_int_equal(ct_atomic_write(f, "new", 3, &err), CT_OK);
        assert_int_equal(ct_outputs_add(s, a, &f, &err), CT_E_ARG); /* twice */
        assert_int_equal(ct_outputs_add(s, b2, &f, &err), CT_OK);
        ct_outputs_free(s); /* the run failed: nothing changed */
        assert_int_equal(ct_blob_read(a, 0, &b, &err), CT_OK);
        assert_memory_equal(b.data, "old", 3);
        ct_blob_free(&b);
        assert_int_equal(access(b2, F_OK), -1);
        assert_int_equal(count_entries(), n0 + 1);

        assert_int_equal(ct_outputs_new(&s, &err), CT_OK);
        assert_int_equal(ct_outputs_add(s, a, &f, &err), CT_OK);
        assert_int_equal(ct_atomic_write(f, "new", 3, &err), CT_OK);
        assert_int_equal(ct_outputs_add(s, b2, &f, &err), CT_OK);
        assert_int_equal(ct_atomic_write(f, "B", 1, &err), CT_OK);
        assert_int_equal(access(b2, F_OK), -1);
        assert_int_equal(ct_outputs_commit(s, &err), CT_OK);
        ct_outputs_free(s);
        assert_int_equal(ct_blob_read(a, 0, &b, &err), CT_OK);
        assert_memory_equal(b.data, "new", 3);
        ct_blob_free(&b);
        assert_int_equal(access(b2, F_OK), 0);
        assert_int_equal(count_entries(), n0 + 2);
        unlink(a);
        unlink(b2);
}

/* SIGTERM during a write removes the temporary; a mapped input that shrinks ends with exit 3 and a message. */
static void test_signals(void **state)
{
        char path[128];
        int status, p[2];
        pid_t pid;
        int n0 = count_entries();

        (void)state;
        snprintf(path, sizeof(path), "%s/killed", dir);
        assert_int_equal(pipe(p), 0);
        pid = fork();
        if (pid == 0) {
                ct_atomic_file f;
                ct_io_signals_install("test");
                if (ct_atomic_open(path, &f, NULL) || ct_atomic_write(&f, "x", 1, NULL))
                        _exit(1);
                if (write(p[1], "r", 1) != 1)
                        _exit(1);
                alarm(20);
                pause();
                _exit(2);
        }
        close(p[1]);
        assert_int_equal(read(p[0], &(char){ 0 }, 1), 1);
        close(p[0]);
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
        assert_int_equal(count_entries(), n0);

        snprintf(path, sizeof(path), "%s/big", dir);
        {
                int fd = open(path, O_CREAT | O_WRONLY, 0600);
                assert_true(fd >= 0);
                assert_int_equal(ftruncate(fd, (off_t)CT_INPUT_MAP_MIN + 8192), 0);
                close(fd);
        }
        pid = fork();
        if (pid == 0) {
                ct_blob b;
                volatile uint8_t x = 0;
                int devnull = open("/dev/null", O_WRONLY);
                dup2(devnull, 2);
                ct_io_signals_install("test");
                if (ct_blob_read(path, 0, &b, NULL) || !b.mapped_)
                        _exit(1);
                if (truncate(path, 0) < 0)
                        _exit(1);
                x = b.data[b.len - 1]; /* SIGBUS */
                (void)x;
                _exit(0);
        }
        waitpid(pid, &status, 0);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 3);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_write_read),
                cmocka_unit_test(test_abort_leaves_nothing),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_error_input_field),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_pipe_and_stdin),
                cmocka_unit_test(test_fifo_and_devices),
                cmocka_unit_test(test_mode_and_symlink),
                cmocka_unit_test(test_sparse),
                cmocka_unit_test(test_outputs_set),
                cmocka_unit_test(test_signals),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
