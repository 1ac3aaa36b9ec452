/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture library: the newc writer checked by Debian's cpio(1) at test
 * time (cpio -t lists, cpio -i extracts the same bytes), the console parser
 * on the real serial logs of tests/vectors/tpm/boot (decoded there by the
 * seed's script with base64 -d) and on malformed text, the supervisor on
 * small shell children (exit status, output tail, timeout, peer exit,
 * signals, kill and reap on free).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <cocotrust/capture.h>
#include <cocotrust/fileio.h>
#include <cocotrust/pcr.h>

static const char *const boots[] = { "uki-A", "uki-A-secureboot", "uki-C", "uki-E-stub257" };

static char tmpdir[256];

static int setup(void **state)
{
        (void)state;
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/ct-capture-test.XXXXXX");
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
        char cmd[512];

        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t len)
{
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
}

/* Run a shell command, return its stdout (malloc'd, NUL-terminated). */
static char *run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *run(const char *fmt, ...)
{
        char cmd[2048];
        char *out = calloc(1, 65536);
        size_t n;
        va_list ap;
        FILE *p;

        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        assert_non_null(out);
        p = popen(cmd, "r");
        assert_non_null(p);
        n = fread(out, 1, 65535, p);
        out[n] = 0;
        assert_int_equal(pclose(p), 0);
        return out;
}

static bool have_cpio(void)
{
        return system("command -v cpio >/dev/null 2>&1") == 0;
}

/* ---- cpio ---- */

static void test_capture_initrd_cpio(void **state)
{
        uint8_t bb[5000];
        uint8_t *data = NULL;
        size_t len = 0;
        char path[512], *out;
        ct_blob b;
        ct_error err;

        (void)state;
        if (!have_cpio())
                skip();
        for (size_t i = 0; i < sizeof(bb); i++)
                bb[i] = (uint8_t)(i * 7 + 3);
        assert_int_equal(ct_capture_initrd(NULL, 0, bb, sizeof(bb), &data, &len, &err), CT_OK);
        assert_int_equal(len % 4, 0);
        snprintf(path, sizeof(path), "%s/c.cpio", tmpdir);
        write_file(path, data, len);
        out = run("cpio -t --quiet < '%s'", path);
        assert_string_equal(out, "dev\ndev/console\nbin\nbin/busybox\nproc\nsys\ninit\n");
        free(out);
        out = run("cpio -tv --quiet < '%s' | awk '{print $1, $5}'", path);
        {
                char want[256];
                snprintf(want, sizeof(want),
                         "drwxr-xr-x 0\ncrw------- 5,\ndrwxr-xr-x 0\n-rwxr-xr-x 5000\ndrwxr-xr-x 0\n"
                         "drwxr-xr-x 0\n-rwxr-xr-x %zu\n",
                         strlen(ct_capture_init_script()));
                assert_string_equal(out, want);
        }
        free(out);
        /* extract (all but the device node, which needs CAP_MKNOD) and compare the bytes */
        out = run("mkdir '%s/x' && cd '%s/x' && cpio -id --quiet -f 'dev/console' < '%s' && echo done", tmpdir, tmpdir,
                  path);
        assert_string_equal(out, "done\n");
        free(out);
        snprintf(path, sizeof(path), "%s/x/bin/busybox", tmpdir);
        assert_int_equal(ct_blob_read(path, 0, &b, &err), CT_OK);
        assert_int_equal(b.len, sizeof(bb));
        assert_memory_equal(b.data, bb, sizeof(bb));
        ct_blob_free(&b);
        snprintf(path, sizeof(path), "%s/x/init", tmpdir);
        assert_int_equal(ct_blob_read(path, 0, &b, &err), CT_OK);
        assert_int_equal(b.len, strlen(ct_capture_init_script()));
        assert_memory_equal(b.data, ct_capture_init_script(), b.len);
        ct_blob_free(&b);
        free(data);
}

static void test_cpio_prefix_and_limits(void **state)
{
        ct_cpio *c;
        uint8_t *data = NULL, *again = NULL;
        size_t len = 0, len2 = 0;
        char path[512], *out;
        ct_error err;

        (void)state;
        assert_int_equal(ct_cpio_new(&c, &err), CT_OK);
        assert_int_equal(ct_cpio_append_raw(c, "abc", 3, &err), CT_OK);
        assert_int_equal(ct_cpio_add(c, "/abs", 0100644, 0, 0, "x", 1, &err), CT_E_ARG);
        assert_int_equal(ct_cpio_add(c, "", 0100644, 0, 0, "x", 1, &err), CT_E_ARG);
        /* sizes are checked before any byte is read */
        assert_int_equal(ct_cpio_add(c, "big", 0100644, 0, 0, "x", (size_t)CT_CPIO_MAX_SIZE + 1, &err), CT_E_LIMIT);
        assert_int_equal(ct_cpio_append_raw(c, "x", (size_t)CT_CPIO_MAX_SIZE, &err), CT_E_LIMIT);
        assert_int_equal(ct_cpio_add(c, "hello.txt", 0100644, 0, 0, "hello\n", 6, &err), CT_OK);
        assert_int_equal(ct_cpio_finish(c, &data, &len, &err), CT_OK);
        /* the builder is reusable and deterministic */
        assert_int_equal(ct_cpio_append_raw(c, "abc", 3, &err), CT_OK);
        assert_int_equal(ct_cpio_add(c, "hello.txt", 0100644, 0, 0, "hello\n", 6, &err), CT_OK);
        assert_int_equal(ct_cpio_finish(c, &again, &len2, &err), CT_OK);
        assert_int_equal(len, len2);
        assert_memory_equal(data, again, len);
        ct_cpio_free(c);
        assert_memory_equal(data, "abc\0" "070701", 10);
        if (have_cpio()) {
                snprintf(path, sizeof(path), "%s/p.cpio", tmpdir);
                write_file(path, data + 4, len - 4);
                out = run("mkdir '%s/p' && cd '%s/p' && cpio -id --quiet < '%s' && cat hello.txt", tmpdir, tmpdir, path);
                assert_string_equal(out, "hello\n");
                free(out);
        }
        free(data);
        free(again);
}

/* ---- console ---- */

static void load(const char *boot, const char *file, ct_blob *ret)
{
        char path[4096];
        ct_error err;

        snprintf(path, sizeof(path), "%s/tests/vectors/tpm/boot/%s/%s", CT_SOURCE_ROOT, boot, file);
        assert_int_equal(ct_blob_read(path, 0, ret, &err), CT_OK);
}

static void assert_same_pcrs(const ct_pcr_set *a, const ct_pcr_set *b)
{
        const ct_pcr_set *others[1] = { b };
        ct_pcr_compare cmp;
        ct_error err;

        assert_int_equal(a->n_banks, b->n_banks);
        assert_int_equal(ct_pcr_compare_sets(a, others, 1, &cmp, &err), CT_OK);
        assert_int_equal(cmp.n_banks, a->n_banks);
        for (unsigned i = 0; i < cmp.n_banks; i++) {
                assert_int_equal(cmp.banks[i].common | cmp.banks[i].unused, 0xffffffu);
                assert_int_equal(cmp.banks[i].different | cmp.banks[i].only_in_ref | cmp.banks[i].only_in_other, 0);
        }
}

static void test_console_real_serial_logs(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(boots) / sizeof(boots[0]); i++) {
                ct_blob serial, log;
                ct_pcr_set yaml;
                ct_capture_console c;
                ct_error err;
                char path[4096];

                load(boots[i], "serial.log", &serial);
                load(boots[i], "binary_bios_measurements", &log);
                snprintf(path, sizeof(path), "%s/tests/vectors/tpm/boot/%s/pcrs-sysfs.pcrread-style.yaml",
                         CT_SOURCE_ROOT, boots[i]);
                assert_int_equal(ct_pcr_set_load(path, CT_PCR_FORMAT_AUTO, &yaml, NULL, &err), CT_OK);
                assert_int_equal(ct_capture_parse_console(serial.data, serial.len, &c, &err), CT_OK);
                assert_int_equal(c.dialect, CT_CAPTURE_DIALECT_SEED);
                assert_true(c.complete);
                /* the log as coreutils' base64 -d decodes the lines between the markers */
                {
                        char *hex = run("sed -n '/^==BEGIN EVENTLOG==/,/^==END EVENTLOG==/p' '%s/tests/vectors/tpm/"
                                        "boot/%s/serial.log' | tr -d '\\r' | grep -v '^==' | base64 -d | od -An -v -tx1 "
                                        "| tr -d ' \\n'",
                                        CT_SOURCE_ROOT, boots[i]);
                        char mine[2 * 65536 + 1];
                        assert_true(c.log_len < 65536);
                        for (size_t k = 0; k < c.log_len; k++)
                                snprintf(mine + 2 * k, 3, "%02x", c.log[k]);
                        mine[2 * c.log_len] = 0;
                        assert_string_equal(mine, hex);
                        free(hex);
                }
                /* binary_bios_measurements is what the seed's script decoded; for uki-E its
                 * `grep -v "=="` dropped the last base64 line (it ends in "=="): 13 bytes */
                if (strcmp(boots[i], "uki-E-stub257") == 0) {
                        assert_int_equal(c.log_len, log.len + 13);
                        assert_memory_equal(c.log + log.len, " with Success", 13);
                } else {
                        assert_int_equal(c.log_len, log.len);
                }
                assert_memory_equal(c.log, log.data, log.len);
                assert_same_pcrs(&c.pcrs, &yaml);
                assert_int_equal(ct_capture_console_phase(serial.data, serial.len), CT_CAPTURE_PHASE_COLLECTING);
                ct_capture_console_free(&c);
                assert_null(c.log);
                ct_blob_free(&serial);
                ct_blob_free(&log);
        }
}

/* The capture /init's dialect, made here with the base64 of coreutils over a real log. */
static char *cocotrust_console(const char *boot, size_t *ret_len, const char *extra_after_log)
{
        char path[4096], *b64, *out;
        ct_blob log;
        size_t cap;

        snprintf(path, sizeof(path), "%s/tests/vectors/tpm/boot/%s/binary_bios_measurements", CT_SOURCE_ROOT, boot);
        load(boot, "binary_bios_measurements", &log);
        b64 = run("base64 '%s'", path);
        cap = strlen(b64) + 4096;
        out = malloc(cap);
        assert_non_null(out);
        *ret_len = (size_t)snprintf(out, cap,
                                    "\x1b[2JBdsDxe: loading Boot0002\r\nEFI stub: Measured initrd data into PCR 9\r\n"
                                    "\r\n==COCOTRUST-CAPTURE-BEGIN==\r\n==EVENTLOG-BEGIN== %zu\r\n%s==EVENTLOG-END==\r\n%s"
                                    "==PCR== sha256 4 %s\r\n==COCOTRUST-CAPTURE-END==\r\n[    2.1] reboot: Power down\r\n",
                                    log.len, b64, extra_after_log,
                                    "08dc11e5c28c20c5a8976735c5c4cd126d984e05b9f3ebba0c333ffa29be9ec2");
        ct_blob_free(&log);
        free(b64);
        return out;
}

static void test_console_cocotrust_dialect(void **state)
{
        size_t len;
        char *text = cocotrust_console("uki-A", &len, "");
        ct_capture_console c;
        ct_digest d;
        ct_blob log;
        ct_error err;

        (void)state;
        load("uki-A", "binary_bios_measurements", &log);
        assert_int_equal(ct_capture_parse_console(text, len, &c, &err), CT_OK);
        assert_int_equal(c.dialect, CT_CAPTURE_DIALECT_COCOTRUST);
        assert_true(c.complete);
        assert_int_equal(c.log_len, log.len);
        assert_memory_equal(c.log, log.data, log.len);
        assert_true(ct_pcr_set_get(&c.pcrs, CT_HASH_SHA256, 4, &d));
        assert_int_equal(d.bytes[0], 0x08);
        assert_false(ct_pcr_set_get(&c.pcrs, CT_HASH_SHA256, 5, &d));
        ct_capture_console_free(&c);

        /* every prefix: never a crash; a complete capture only when the end marker is in it */
        for (size_t n = 0; n < len; n += 7) {
                ct_code rc = ct_capture_parse_console(text, n, &c, NULL);
                if (rc == CT_OK) {
                        if (c.log) {
                                assert_int_equal(c.log_len, log.len);
                                assert_memory_equal(c.log, log.data, log.len);
                        }
                        if (c.complete)
                                assert_non_null(c.log);
                        ct_capture_console_free(&c);
                } else {
                        assert_true(rc == CT_E_MALFORMED); /* a cut base64 line */
                }
        }
        free(text);
        ct_blob_free(&log);
}

static void expect_bad(const char *text, ct_code code, const char *msg_part)
{
        ct_capture_console c;
        ct_error err;

        memset(&c, 0x5a, sizeof(c));
        assert_int_equal(ct_capture_parse_console(text, strlen(text), &c, &err), code);
        if (!strstr(err.msg, msg_part))
                fail_msg("'%s' not in '%s'", msg_part, err.msg);
        assert_int_equal(c.dialect, 0x5a5a5a5a); /* untouched */
}

static void test_console_malformed(void **state)
{
        static const char b[] = "==COCOTRUST-CAPTURE-BEGIN==\n";
        char big[2048];
        ct_capture_console c;
        ct_error err;

        (void)state;
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==EVENTLOG-BEGIN== 12x\n", CT_E_MALFORMED, "bad event log size");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==EVENTLOG-BEGIN== -1\n", CT_E_MALFORMED, "bad event log size");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==EVENTLOG-BEGIN== 99999999999999999999999\n", CT_E_MALFORMED,
                   "bad event log size");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==EVENTLOG-BEGIN== 67108865\n", CT_E_LIMIT, "beyond 64 MiB");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==EVENTLOG-BEGIN== 4\nAAAA\n==EVENTLOG-END==\n", CT_E_MALFORMED,
                   "has 3 bytes, the guest announced 4");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==EVENTLOG-BEGIN== 3\nAA*A\n", CT_E_MALFORMED, "non-base64");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==EVENTLOG-BEGIN== 3\nAAA\n==EVENTLOG-END==\n", CT_E_MALFORMED,
                   "event log");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==EVENTLOG-BEGIN== 3\nAAAA\n==EVENTLOG-END==\n"
                   "==EVENTLOG-BEGIN== 3\n",
                   CT_E_MALFORMED, "a second event log");
        expect_bad("==BEGIN EVENTLOG==\nAAAA\n==END EVENTLOG==\n==BEGIN EVENTLOG==\n", CT_E_MALFORMED, "second");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==PCR== sha256 4 00\n", CT_E_MALFORMED, "bad PCR line");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==PCR== md5 4 00000000000000000000000000000000\n", CT_E_MALFORMED,
                   "bad PCR line");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==PCR== sha1 24 0000000000000000000000000000000000000000\n",
                   CT_E_MALFORMED, "bad PCR line");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==PCR== sha1 -1 0000000000000000000000000000000000000000\n",
                   CT_E_MALFORMED, "bad PCR line");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==PCR== sha1 1 0000000000000000000000000000000000000000 x\n",
                   CT_E_MALFORMED, "bad PCR line");
        expect_bad("==COCOTRUST-CAPTURE-BEGIN==\n==PCR== sha1 1 000000000000000000000000000000000000000g\n",
                   CT_E_MALFORMED, "bad PCR line");
        /* the offset of the offending line is in the error */
        assert_int_equal(ct_capture_parse_console("junk\n==COCOTRUST-CAPTURE-BEGIN==\n==PCR== x\n", 43, &c, &err),
                         CT_E_MALFORMED);
        assert_true(err.has_offset);
        assert_int_equal(err.offset, 33);
        /* an over-long line inside the log */
        memset(big, 'A', sizeof(big));
        memcpy(big, b, sizeof(b) - 1);
        memcpy(big + sizeof(b) - 1, "==EVENTLOG-BEGIN== 3\n", 21);
        big[sizeof(big) - 1] = 0;
        expect_bad(big, CT_E_MALFORMED, "event log line of");
        /* the size limit is checked before anything is read */
        assert_int_equal(ct_capture_parse_console("x", (size_t)CT_CAPTURE_MAX_CONSOLE + 1, &c, &err), CT_E_LIMIT);

        /* not errors: no markers, markers before the begin marker, output cut inside the log, no end */
        assert_int_equal(ct_capture_parse_console("BdsDxe: ...\n==PCR== junk\n", 25, &c, &err), CT_OK);
        assert_int_equal(c.dialect, CT_CAPTURE_DIALECT_NONE);
        assert_null(c.log);
        assert_int_equal(c.pcrs.n_banks, 0);
        assert_int_equal(ct_capture_parse_console(big, strlen(b) + 21 + 8, &c, &err), CT_OK);
        assert_null(c.log);
        assert_false(c.complete);
        {
                static const char t[] = "==COCOTRUST-CAPTURE-BEGIN==\n==ERROR== no event log (no TPM)\n"
                                        "==COCOTRUST-CAPTURE-END==\n";
                assert_int_equal(ct_capture_parse_console(t, strlen(t), &c, &err), CT_OK);
        }
        assert_true(c.complete);
        assert_null(c.log);
        assert_string_equal(c.guest_error, "no event log (no TPM)");
        /* NUL bytes and binary junk before the begin marker are skipped */
        assert_int_equal(ct_capture_parse_console("\0\xff\x01\n==COCOTRUST-CAPTURE-BEGIN==\n", 32, &c, &err), CT_OK);
        assert_int_equal(c.dialect, CT_CAPTURE_DIALECT_COCOTRUST);
}

static void test_console_phase(void **state)
{
        (void)state;
        assert_int_equal(ct_capture_console_phase("", 0), CT_CAPTURE_PHASE_FIRMWARE);
        assert_int_equal(ct_capture_console_phase("BdsDxe: loading Boot0002\n", 25), CT_CAPTURE_PHASE_FIRMWARE);
        assert_int_equal(ct_capture_console_phase("xEFI stub: Loaded initrd", 24), CT_CAPTURE_PHASE_KERNEL);
        assert_int_equal(ct_capture_console_phase("[    0.000000] Linux version 6.1", 32), CT_CAPTURE_PHASE_KERNEL);
        assert_int_equal(ct_capture_console_phase("==COCOTRUST-CAPTURE-BEGIN==", 27), CT_CAPTURE_PHASE_COLLECTING);
        assert_int_equal(ct_capture_console_phase("==COCOTRUST-CAPTURE-BEGIN=", 26), CT_CAPTURE_PHASE_FIRMWARE);
        assert_string_equal(ct_capture_phase_name(CT_CAPTURE_PHASE_KERNEL), "kernel");
}

/* ---- supervisor ---- */

static ct_sup_child *spawn_sh(ct_sup *s, const char *script, const ct_sup_spawn_opts *o)
{
        char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
        ct_sup_child *c = NULL;
        ct_error err;

        assert_int_equal(ct_sup_spawn(s, argv, o, &c, &err), CT_OK);
        return c;
}

static void test_sup_exit_and_tail(void **state)
{
        ct_sup *s;
        ct_sup_child *c, *w;
        ct_sup_outcome out;
        ct_sup_status st;
        ct_error err;

        (void)state;
        assert_int_equal(ct_sup_new(0, &s, &err), CT_OK);
        c = spawn_sh(s, "for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2; exit 3", NULL);
        assert_int_equal(ct_sup_wait(s, c, 10000, &out, &w, &err), CT_OK);
        assert_int_equal(out, CT_SUP_EXITED);
        assert_ptr_equal(w, c);
        ct_sup_child_status(c, &st);
        assert_false(st.running);
        assert_true(st.exited);
        assert_int_equal(st.exit_code, 3);
        assert_string_equal(ct_sup_child_tail(c, 2), "line5\noops");
        assert_string_equal(ct_sup_child_tail(c, 100), "line1\nline2\nline3\nline4\nline5\noops");
        assert_string_equal(ct_sup_child_name(c), "sh");
        /* a program that cannot run: status 127 and the reason in the tail */
        {
                char *argv[] = { "/nonexistent/prog", NULL };
                assert_int_equal(ct_sup_run(s, argv, NULL, 10000, &c, &out, &err), CT_OK);
                ct_sup_child_status(c, &st);
                assert_int_equal(st.exit_code, 127);
                assert_non_null(strstr(ct_sup_child_tail(c, 1), "No such file"));
        }
        ct_sup_free(s);
}

/* More output than the tail keeps: the last lines survive. */
static void test_sup_long_output(void **state)
{
        ct_sup *s;
        ct_sup_child *c;
        ct_sup_outcome out;
        ct_error err;
        const char *t;

        (void)state;
        assert_int_equal(ct_sup_new(0, &s, &err), CT_OK);
        c = spawn_sh(s, "i=0; while [ $i -lt 5000 ]; do echo \"line number $i\" >&2; i=$((i+1)); done", NULL);
        assert_int_equal(ct_sup_wait(s, c, 30000, &out, NULL, &err), CT_OK);
        assert_int_equal(out, CT_SUP_EXITED);
        t = ct_sup_child_tail(c, 2);
        assert_string_equal(t, "line number 4998\nline number 4999");
        t = ct_sup_child_tail(c, 100000);
        assert_true(strlen(t) <= CT_SUP_TAIL_SIZE);
        assert_int_equal(strncmp(t, "line number ", 12), 0); /* starts at a line */
        ct_sup_free(s);
}

struct seen {
        char buf[256];
        size_t len;
};

static bool on_out(const uint8_t *data, size_t len, void *userdata)
{
        struct seen *s = userdata;

        if (len > sizeof(s->buf) - 1 - s->len)
                len = sizeof(s->buf) - 1 - s->len;
        memcpy(s->buf + s->len, data, len);
        s->len += len;
        s->buf[s->len] = 0;
        return strstr(s->buf, "wake") != NULL;
}

static void test_sup_timeout_peer_woken(void **state)
{
        ct_sup *s;
        ct_sup_child *slow, *quick, *w;
        ct_sup_outcome out;
        ct_sup_status st;
        struct seen seen = { .len = 0 };
        ct_sup_spawn_opts o = { .name = "talker", .on_stdout = on_out, .userdata = &seen };
        ct_error err;
        int pid;

        (void)state;
        assert_int_equal(ct_sup_new(0, &s, &err), CT_OK);
        slow = spawn_sh(s, "exec sleep 30", NULL);
        pid = ct_sup_child_pid(slow);
        assert_int_equal(ct_sup_wait(s, slow, 100, &out, NULL, &err), CT_OK);
        assert_int_equal(out, CT_SUP_TIMEOUT);
        quick = spawn_sh(s, "exit 0", NULL);
        assert_int_equal(ct_sup_wait(s, slow, 10000, &out, &w, &err), CT_OK);
        assert_int_equal(out, CT_SUP_PEER_EXITED);
        assert_ptr_equal(w, quick);
        w = spawn_sh(s, "echo hello; echo wake; exec sleep 30", &o);
        assert_int_equal(ct_sup_wait(s, slow, 10000, &out, NULL, &err), CT_OK);
        assert_int_equal(out, CT_SUP_WOKEN);
        assert_string_equal(seen.buf, "hello\nwake\n");
        assert_string_equal(ct_sup_child_name(w), "talker");
        assert_string_equal(ct_sup_child_tail(w, 5), ""); /* stdout went to the callback */
        ct_sup_stop(s, slow, 2000);
        ct_sup_child_status(slow, &st);
        assert_false(st.running);
        assert_int_equal(st.term_signal, SIGTERM);
        assert_int_equal(kill(pid, 0), -1); /* reaped: the pid is gone */
        assert_int_equal(errno, ESRCH);
        pid = ct_sup_child_pid(w);
        ct_sup_free(s); /* stops and reaps the talker */
        assert_int_equal(kill(pid, 0), -1);
        assert_int_equal(errno, ESRCH);
}

/* A child that ignores SIGTERM is killed after the grace period. */
static void test_sup_sigkill(void **state)
{
        ct_sup *s;
        ct_sup_child *c;
        ct_sup_status st;
        ct_sup_outcome out;
        struct seen seen = { .len = 0 };
        ct_sup_spawn_opts o = { .on_stdout = on_out, .userdata = &seen };
        ct_error err;

        (void)state;
        assert_int_equal(ct_sup_new(0, &s, &err), CT_OK);
        c = spawn_sh(s, "trap '' TERM; echo wake; while :; do sleep 1; done", &o);
        assert_int_equal(ct_sup_wait(s, c, 10000, &out, NULL, &err), CT_OK);
        assert_int_equal(out, CT_SUP_WOKEN); /* the trap is set */
        ct_sup_stop(s, c, 300);
        ct_sup_child_status(c, &st);
        assert_int_equal(st.term_signal, SIGKILL);
        ct_sup_free(s);
}

static void test_sup_signals_and_fds(void **state)
{
        ct_sup *s, *s2;
        ct_sup_child *c;
        ct_sup_outcome out;
        struct sigaction now;
        ct_error err;
        int p[2];
        char script[128], buf[16] = { 0 };

        (void)state;
        assert_int_equal(ct_sup_new(CT_SUP_SIGNALS, &s, &err), CT_OK);
        assert_int_equal(ct_sup_new(CT_SUP_SIGNALS, &s2, &err), CT_E_ARG);
        sigaction(SIGINT, NULL, &now);
        assert_true(now.sa_flags & SA_RESTART);
        /* a descriptor handed to the child */
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        snprintf(script, sizeof(script), "echo fd-ok >&%d; exec sleep 30", p[1]);
        {
                ct_sup_spawn_opts o = { .keep_fds = &p[1], .n_keep_fds = 1 };
                c = spawn_sh(s, script, &o);
        }
        close(p[1]);
        assert_int_equal(read(p[0], buf, sizeof(buf) - 1), 6);
        assert_string_equal(buf, "fd-ok\n");
        close(p[0]);
        raise(SIGTERM); /* caught: the wait reports it, the child keeps running until freed */
        assert_int_equal(ct_sup_wait(s, c, 10000, &out, NULL, &err), CT_OK);
        assert_int_equal(out, CT_SUP_INTERRUPTED);
        assert_int_equal(ct_sup_signal(s), SIGTERM);
        ct_sup_free(s);
        sigaction(SIGINT, NULL, &now);
        assert_ptr_equal(now.sa_handler, SIG_DFL);
        /* the next one may catch signals again */
        assert_int_equal(ct_sup_new(CT_SUP_SIGNALS, &s, &err), CT_OK);
        ct_sup_free(s);
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* nothing left to reap */
        assert_int_equal(errno, ECHILD);
}

static void test_find_program_and_accel(void **state)
{
        char *p;
        ct_capture_accel a;

        (void)state;
        p = ct_sup_find_program("sh");
        assert_non_null(p);
        assert_non_null(strchr(p, '/'));
        free(p);
        assert_null(ct_sup_find_program("cocotrust-no-such-program"));
        assert_null(ct_sup_find_program("/nonexistent/x"));
        assert_true(ct_capture_accel_from_name("kvm", &a));
        assert_int_equal(a, CT_CAPTURE_ACCEL_KVM);
        assert_true(ct_capture_accel_from_name("auto", &a));
        assert_int_equal(a, CT_CAPTURE_ACCEL_AUTO);
        assert_false(ct_capture_accel_from_name("hvf", &a));
        assert_string_equal(ct_capture_accel_name(CT_CAPTURE_ACCEL_TCG), "tcg");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_capture_initrd_cpio),
                cmocka_unit_test(test_cpio_prefix_and_limits),
                cmocka_unit_test(test_console_real_serial_logs),
                cmocka_unit_test(test_console_cocotrust_dialect),
                cmocka_unit_test(test_console_malformed),
                cmocka_unit_test(test_console_phase),
                cmocka_unit_test(test_sup_exit_and_tail),
                cmocka_unit_test(test_sup_long_output),
                cmocka_unit_test(test_sup_timeout_peer_woken),
                cmocka_unit_test(test_sup_sigkill),
                cmocka_unit_test(test_sup_signals_and_fds),
                cmocka_unit_test(test_find_program_and_accel),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
