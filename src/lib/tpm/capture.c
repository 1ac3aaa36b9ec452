/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A capture boot: swtpm + QEMU + OVMF in a private work directory, the
 * serial console collected from QEMU's stdout, KVM with a fallback to TCG.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cocotrust/capture.h>
#include <cocotrust/fileio.h>

#include "../internal.h"

#define PATH_CAP 4352
#define FAILURE_LINES 12u

struct ct_capture {
        ct_capture_opts o;
        char work[128];
        bool made_work;
        uint8_t *console;
        size_t console_len, console_cap;
        bool console_over;
        ct_capture_phase phase;
        bool kvm_error;        /* QEMU printed "KVM internal error" */
        ct_capture_console parsed;
        bool parsed_ok;
        ct_capture_accel used;
        char failure[CT_SUP_TAIL_SIZE + 256];
        char reason[256];
        struct timespec t0;
};

CT_EXPORT const char *ct_capture_accel_name(ct_capture_accel a)
{
        return a == CT_CAPTURE_ACCEL_KVM ? "kvm" : a == CT_CAPTURE_ACCEL_TCG ? "tcg" : "auto";
}

CT_EXPORT bool ct_capture_accel_from_name(const char *name, ct_capture_accel *ret)
{
        static const ct_capture_accel all[] = { CT_CAPTURE_ACCEL_AUTO, CT_CAPTURE_ACCEL_KVM, CT_CAPTURE_ACCEL_TCG };

        for (size_t i = 0; name && i < CT_ARRAY_SIZE(all); i++)
                if (strcmp(name, ct_capture_accel_name(all[i])) == 0) {
                        *ret = all[i];
                        return true;
                }
        return false;
}

static double elapsed(const ct_capture *c)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)(ts.tv_sec - c->t0.tv_sec) + (double)(ts.tv_nsec - c->t0.tv_nsec) / 1e9;
}

static void note(ct_capture *c, ct_capture_note n, ct_capture_phase p, const char *text)
{
        if (c->o.notify)
                c->o.notify(n, p, elapsed(c), text, c->o.userdata);
}

CT_EXPORT ct_code ct_capture_new(const ct_capture_opts *opts, ct_capture **ret, ct_error *err)
{
        ct_capture *c;

        if (!opts || !opts->qemu || !opts->swtpm || !opts->ovmf_code || !opts->ovmf_vars ||
            !opts->kernel == !opts->uki)
                return ct_error_set(err, CT_E_ARG, "capture: qemu, swtpm, OVMF and one of kernel / UKI are needed");
        c = calloc(1, sizeof(*c));
        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        c->o = *opts;
        if (!c->o.memory_mib)
                c->o.memory_mib = 1024;
        if (!c->o.timeout_s)
                c->o.timeout_s = 300;
        if (!c->o.pcr_banks)
                c->o.pcr_banks = "sha1,sha256";
        *ret = c;
        return CT_OK;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        (void)sb;
        (void)flag;
        (void)ftw;
        return remove(path);
}

CT_EXPORT void ct_capture_free(ct_capture *c)
{
        if (!c)
                return;
        if (c->made_work && !c->o.keep_work)
                nftw(c->work, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
        ct_capture_console_free(&c->parsed);
        free(c->console);
        free(c);
}

CT_EXPORT const ct_capture_console *ct_capture_result(const ct_capture *c)
{
        return c->parsed_ok ? &c->parsed : NULL;
}

CT_EXPORT const uint8_t *ct_capture_console_text(const ct_capture *c, size_t *ret_len)
{
        *ret_len = c->console_len;
        return c->console;
}

CT_EXPORT ct_capture_accel ct_capture_accel_used(const ct_capture *c)
{
        return c->used;
}

CT_EXPORT const char *ct_capture_failure_output(const ct_capture *c)
{
        return c->failure;
}

CT_EXPORT const char *ct_capture_workdir(const ct_capture *c)
{
        return c->work;
}

static void failure(ct_capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failure(ct_capture *c, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(c->failure, sizeof(c->failure), fmt, ap);
        va_end(ap);
}

/* The last `lines` lines of the console (for a boot that timed out). */
static const char *console_tail(const ct_capture *c, unsigned lines, char *out, size_t cap)
{
        size_t len = c->console_len, start;
        unsigned k = 0;

        while (len && (c->console[len - 1] == '\n' || c->console[len - 1] == '\r'))
                len--;
        start = len;
        while (start > 0 && len - start < cap - 1 && !(c->console[start - 1] == '\n' && ++k >= lines))
                start--;
        if (len - start >= cap)
                start = len - (cap - 1);
        for (size_t i = start; i < len; i++) /* printable only: the guest's bytes go to a terminal */
                out[i - start] = (c->console[i] >= 0x20 && c->console[i] < 0x7f) || c->console[i] == '\n'
                                         ? (char)c->console[i]
                                         : '?';
        out[len - start] = 0;
        return out;
}

/* The console arrives on QEMU's stdout. */
static bool on_console(const uint8_t *data, size_t len, void *userdata)
{
        ct_capture *c = userdata;
        bool first = c->console_len == 0;
        size_t from;
        ct_capture_phase p;

        if (c->console_over || len > CT_CAPTURE_MAX_CONSOLE - c->console_len) {
                c->console_over = true;
                return true;
        }
        if (c->console_len + len > c->console_cap) {
                size_t cap = c->console_cap ? c->console_cap : 65536;
                uint8_t *np;
                while (cap < c->console_len + len)
                        cap *= 2;
                np = realloc(c->console, cap);
                if (!np) {
                        c->console_over = true;
                        return true;
                }
                c->console = np;
                c->console_cap = cap;
        }
        memcpy(c->console + c->console_len, data, len);
        from = c->console_len > CT_CAPTURE_MAX_LINE ? c->console_len - CT_CAPTURE_MAX_LINE : 0;
        c->console_len += len;
        p = ct_capture_console_phase(c->console + from, c->console_len - from);
        while (c->phase < p) {
                c->phase = (ct_capture_phase)(c->phase + 1);
                note(c, CT_CAPTURE_NOTE_PHASE, c->phase, NULL);
        }
        return first;
}

static bool on_qemu_stderr(const uint8_t *data, size_t len, void *userdata)
{
        ct_capture *c = userdata;

        if (memmem(data, len, "KVM internal error", 18)) {
                c->kvm_error = true;
                return true;
        }
        return false;
}

/* QEMU option values: a ',' in a path must be doubled. */
static const char *qemu_path(const char *in, char *out, size_t cap)
{
        size_t o = 0;

        for (; *in && o + 2 < cap; in++) {
                out[o++] = *in;
                if (*in == ',')
                        out[o++] = ',';
        }
        out[o] = 0;
        return out;
}

static ct_code copy_file(const char *src, const char *dst, ct_error *err)
{
        ct_blob b = { 0 };
        ct_code rc = ct_blob_read(src, 0, &b, err);

        if (rc == CT_OK)
                rc = ct_write_file_atomic(dst, b.data, b.len, err);
        ct_blob_free(&b);
        return rc;
}

static ct_code prepare_work(ct_capture *c, ct_error *err)
{
        const char *t = c->o.tmpdir;
        char p[PATH_CAP];

        if (!t || t[0] != '/' || strlen(t) > 64) /* a unix socket path has 108 bytes */
                t = "/tmp";
        snprintf(c->work, sizeof(c->work), "%s/cocotrust-capture.XXXXXX", t);
        if (!mkdtemp(c->work))
                return ct_error_set_errno(err, errno, "cannot create a work directory in %s", t);
        c->made_work = true;
        if (c->o.uki) {
                static const char *const dirs[] = { "esp", "esp/EFI", "esp/EFI/BOOT" };
                for (size_t i = 0; i < CT_ARRAY_SIZE(dirs); i++) {
                        snprintf(p, sizeof(p), "%s/%s", c->work, dirs[i]);
                        if (mkdir(p, 0700) < 0)
                                return ct_error_set_errno(err, errno, "mkdir %s", p);
                }
                snprintf(p, sizeof(p), "%s/esp/EFI/BOOT/BOOTX64.EFI", c->work);
                return copy_file(c->o.uki, p, err);
        }
        snprintf(p, sizeof(p), "%s/initrd.img", c->work);
        return ct_write_file_atomic(p, c->o.initrd, c->o.initrd_len, err);
}

/* A listening socket for swtpm's control channel, made before swtpm starts (so QEMU never races it). */
static int listen_socket(const char *path, ct_error *err)
{
        struct sockaddr_un a;
        int fd;

        memset(&a, 0, sizeof(a));
        a.sun_family = AF_UNIX;
        if (strlen(path) >= sizeof(a.sun_path)) {
                ct_error_set(err, CT_E_ARG, "socket path %s too long", path);
                return -1;
        }
        memcpy(a.sun_path, path, strlen(path) + 1);
        unlink(path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                ct_error_set_errno(err, e, "swtpm socket %s", path);
                return -1;
        }
        return fd;
}

static void describe_exit(const ct_sup_child *ch, char *out, size_t cap)
{
        ct_sup_status st;

        ct_sup_child_status(ch, &st);
        if (st.exited)
                snprintf(out, cap, "exit status %d", st.exit_code);
        else
                snprintf(out, cap, "killed by signal %d", st.term_signal);
}

enum attempt { A_OK, A_FAILED, A_FALLBACK };

/* Why KVM did not run the guest, in QEMU's words: its first line naming KVM or an MSR, else its last line. */
static const char *kvm_reason(ct_capture *c, ct_sup_child *qemu)
{
        char *line = c->reason;
        size_t cap = sizeof(c->reason);
        const char *t = ct_sup_child_tail(qemu, 40), *p = t;

        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                if ((memmem(p, n, "KVM", 3) || memmem(p, n, "kvm", 3) || memmem(p, n, "MSR", 3)) &&
                    !memmem(p, n, "terminating on signal", 21)) {
                        snprintf(line, cap, "%.*s", (int)CT_MIN(n, cap - 1), p);
                        return line;
                }
                p += n + (nl ? 1 : 0);
        }
        t = ct_sup_child_tail(qemu, 1);
        snprintf(line, cap, "%s", t);
        return line;
}

/* One boot with accelerator `accel` (KVM or TCG); `probe`: under AUTO, a silent KVM guest means fall back. */
static enum attempt attempt(ct_capture *c, ct_capture_accel accel, bool probe, ct_error *err)
{
        char p_state[PATH_CAP], p_vars[PATH_CAP], p_sock[PATH_CAP], p_initrd[PATH_CAP], p_esp[PATH_CAP];
        char q[PATH_CAP], pf0[PATH_CAP + 64], pf1[PATH_CAP + 64], chr[PATH_CAP + 64], esp[PATH_CAP + 96];
        char mem[32], ctrl[64], state[PATH_CAP + 8], how[64];
        ct_sup *s = NULL;
        ct_sup_child *swtpm = NULL, *qemu = NULL, *which = NULL;
        ct_sup_outcome out;
        enum attempt res = A_FAILED;
        int sock = -1;
        double deadline, probe_end;

        snprintf(p_state, sizeof(p_state), "%s/tpm", c->work);
        snprintf(p_vars, sizeof(p_vars), "%s/vars.fd", c->work);
        snprintf(p_sock, sizeof(p_sock), "%s/swtpm.sock", c->work);
        snprintf(p_initrd, sizeof(p_initrd), "%s/initrd.img", c->work);
        snprintf(p_esp, sizeof(p_esp), "%s/esp", c->work);
        c->console_len = 0;
        c->console_over = c->kvm_error = false;
        c->phase = CT_CAPTURE_PHASE_FIRMWARE;
        c->used = accel;
        c->failure[0] = 0;
        nftw(p_state, rm_cb, 16, FTW_DEPTH | FTW_PHYS); /* a fresh TPM for every attempt */
        if (mkdir(p_state, 0700) < 0) {
                ct_error_set_errno(err, errno, "mkdir %s", p_state);
                return A_FAILED;
        }
        if (copy_file(c->o.ovmf_vars, p_vars, err) != CT_OK)
                return A_FAILED;
        if (ct_sup_new(CT_SUP_SIGNALS, &s, err) != CT_OK)
                return A_FAILED;

        if (c->o.swtpm_setup) {
                char banks[128];
                char *argv[] = { (char *)c->o.swtpm_setup, "--tpm2", "--tpmstate", p_state, "--pcr-banks", banks,
                                 "--overwrite", NULL };
                ct_sup_child *ch;
                snprintf(banks, sizeof(banks), "%s", c->o.pcr_banks);
                if (ct_sup_run(s, argv, NULL, 60000, &ch, &out, err) != CT_OK)
                        goto done;
                if (out != CT_SUP_EXITED) {
                        ct_error_set(err, CT_E_IO, "swtpm_setup %s",
                                     out == CT_SUP_TIMEOUT ? "did not finish within 60 s" : "was interrupted");
                        failure(c, "%s", ct_sup_child_tail(ch, FAILURE_LINES));
                        goto done;
                }
                describe_exit(ch, how, sizeof(how));
                if (strcmp(how, "exit status 0") != 0) {
                        ct_error_set(err, CT_E_IO, "swtpm_setup failed (%s)", how);
                        failure(c, "%s", ct_sup_child_tail(ch, FAILURE_LINES));
                        goto done;
                }
        }
        if ((sock = listen_socket(p_sock, err)) < 0)
                goto done;
        snprintf(state, sizeof(state), "dir=%s", p_state);
        snprintf(ctrl, sizeof(ctrl), "type=unixio,fd=%d", sock);
        {
                char *argv[] = { (char *)c->o.swtpm, "socket", "--tpm2", "--tpmstate", state, "--ctrl", ctrl,
                                 "--terminate", NULL };
                ct_sup_spawn_opts so = { .name = "swtpm", .keep_fds = &sock, .n_keep_fds = 1 };
                if (ct_sup_spawn(s, argv, &so, &swtpm, err) != CT_OK)
                        goto done;
        }
        close(sock);
        sock = -1;

        snprintf(mem, sizeof(mem), "%u", c->o.memory_mib);
        snprintf(pf0, sizeof(pf0), "if=pflash,format=raw,unit=0,readonly=on,file=%s",
                 qemu_path(c->o.ovmf_code, q, sizeof(q)));
        snprintf(pf1, sizeof(pf1), "if=pflash,format=raw,unit=1,file=%s", qemu_path(p_vars, q, sizeof(q)));
        snprintf(chr, sizeof(chr), "socket,id=chrtpm,path=%s", qemu_path(p_sock, q, sizeof(q)));
        {
                char *argv[64];
                int n = 0;
                ct_sup_spawn_opts qo = { .name = "qemu", .on_stdout = on_console, .on_stderr = on_qemu_stderr,
                                         .userdata = c };

                argv[n++] = (char *)c->o.qemu;
                argv[n++] = "-machine";
                argv[n++] = c->o.secure_boot ? "q35,smm=on" : "q35";
                if (c->o.secure_boot) {
                        argv[n++] = "-global";
                        argv[n++] = "driver=cfi.pflash01,property=secure,value=on";
                }
                argv[n++] = "-accel";
                if (accel == CT_CAPTURE_ACCEL_KVM) {
                        /* qemu64 (TCG's default model): no host MSRs to set, so it also runs under
                         * nested virtualisation where -cpu host aborts ("failed to set MSR 0x10a") */
                        argv[n++] = "kvm";
                        argv[n++] = "-cpu";
                        argv[n++] = "qemu64";
                } else {
                        argv[n++] = "tcg";
                }
                argv[n++] = "-m";
                argv[n++] = mem;
                argv[n++] = "-smp";
                argv[n++] = "1";
                argv[n++] = "-display";
                argv[n++] = "none";
                argv[n++] = "-no-reboot";
                argv[n++] = "-net";
                argv[n++] = "none";
                argv[n++] = "-monitor";
                argv[n++] = "none";
                argv[n++] = "-serial";
                argv[n++] = "stdio";
                argv[n++] = "-drive";
                argv[n++] = pf0;
                argv[n++] = "-drive";
                argv[n++] = pf1;
                argv[n++] = "-chardev";
                argv[n++] = chr;
                argv[n++] = "-tpmdev";
                argv[n++] = "emulator,id=tpm0,chardev=chrtpm";
                argv[n++] = "-device";
                argv[n++] = "tpm-tis,tpmdev=tpm0";
                if (c->o.uki) {
                        snprintf(esp, sizeof(esp), "file=fat:%s,format=raw,media=disk,readonly=on,if=virtio",
                                 qemu_path(p_esp, q, sizeof(q)));
                        argv[n++] = "-drive";
                        argv[n++] = esp;
                } else {
                        argv[n++] = "-kernel";
                        argv[n++] = (char *)c->o.kernel;
                        argv[n++] = "-initrd";
                        argv[n++] = p_initrd;
                        argv[n++] = "-append";
                        argv[n++] = (char *)(c->o.append ? c->o.append : "");
                }
                argv[n] = NULL;
                if (ct_sup_spawn(s, argv, &qo, &qemu, err) != CT_OK)
                        goto done;
        }
        note(c, CT_CAPTURE_NOTE_PHASE, CT_CAPTURE_PHASE_FIRMWARE, accel == CT_CAPTURE_ACCEL_KVM ? "KVM" : "TCG");

        deadline = elapsed(c) + c->o.timeout_s;
        probe_end = elapsed(c) + CT_CAPTURE_KVM_PROBE_S;
        for (;;) {
                double left = deadline - elapsed(c);
                bool probing = probe && c->console_len == 0;
                int ms;

                if (probing && left > probe_end - elapsed(c))
                        left = probe_end - elapsed(c);
                ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
                if (ct_sup_wait(s, qemu, ms, &out, &which, err) != CT_OK)
                        goto done;
                if (out == CT_SUP_WOKEN) {
                        if (c->console_over) {
                                ct_error_set(err, CT_E_LIMIT, "the guest printed more than %u MiB",
                                             CT_CAPTURE_MAX_CONSOLE >> 20);
                                goto done;
                        }
                        if (!c->kvm_error)
                                continue;
                        if (probe && c->console_len == 0) {
                                note(c, CT_CAPTURE_NOTE_FALLBACK, c->phase, kvm_reason(c, qemu));
                                res = A_FALLBACK;
                                goto done;
                        }
                        ct_error_set(err, CT_E_IO, "qemu: KVM cannot run the guest (KVM internal error)");
                        failure(c, "%s", ct_sup_child_tail(qemu, FAILURE_LINES));
                        goto done;
                }
                if (out == CT_SUP_INTERRUPTED) {
                        int sig = ct_sup_signal(s);
                        ct_error_set(err, CT_E_IO, "interrupted by %s; stopped qemu and swtpm",
                                     sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
                        goto done;
                }
                if (out == CT_SUP_PEER_EXITED) {
                        describe_exit(which, how, sizeof(how));
                        if (strcmp(how, "exit status 0") == 0)
                                continue; /* --terminate: QEMU closed the connection as it powers off */
                        ct_error_set(err, CT_E_IO, "swtpm exited while the VM ran (%s)", how);
                        failure(c, "%s", ct_sup_child_tail(which, FAILURE_LINES));
                        goto done;
                }
                if (out == CT_SUP_TIMEOUT) {
                        char t[2048];
                        if (probe && c->console_len == 0 && deadline - elapsed(c) > 0) {
                                char why[256];
                                const char *tl = kvm_reason(c, qemu);
                                snprintf(why, sizeof(why), "%s%sno output from the guest within %u s", tl,
                                         *tl ? "; " : "", CT_CAPTURE_KVM_PROBE_S);
                                note(c, CT_CAPTURE_NOTE_FALLBACK, c->phase, why);
                                res = A_FALLBACK;
                                goto done;
                        }
                        if (deadline - elapsed(c) > 0)
                                continue;
                        ct_error_set(err, CT_E_IO, "the VM did not power off within %u s; killed it", c->o.timeout_s);
                        failure(c, "%s", console_tail(c, FAILURE_LINES, t, sizeof(t)));
                        goto done;
                }
                break; /* qemu exited */
        }
        describe_exit(qemu, how, sizeof(how));
        if (strcmp(how, "exit status 0") != 0) {
                if (probe && c->console_len == 0) {
                        note(c, CT_CAPTURE_NOTE_FALLBACK, c->phase, kvm_reason(c, qemu));
                        res = A_FALLBACK;
                        goto done;
                }
                ct_error_set(err, CT_E_IO, "qemu failed (%s)", how);
                failure(c, "%s", ct_sup_child_tail(qemu, FAILURE_LINES));
                goto done;
        }
        res = A_OK;
done:
        if (sock >= 0)
                close(sock);
        ct_sup_free(s); /* stops swtpm (and qemu on the error paths) and reaps them */
        return res;
}

/* With keep_work, a failed boot leaves its console in the work directory. */
static void keep_console(const ct_capture *c)
{
        char p[PATH_CAP];

        if (!c->o.keep_work || !c->made_work)
                return;
        snprintf(p, sizeof(p), "%s/console.log", c->work);
        (void)ct_write_file_atomic(p, c->console, c->console_len, NULL);
}

CT_EXPORT ct_code ct_capture_boot(ct_capture *c, ct_error *err)
{
        enum attempt a;
        ct_code rc;

        clock_gettime(CLOCK_MONOTONIC, &c->t0);
        ct_capture_console_free(&c->parsed);
        c->parsed_ok = false;
        c->failure[0] = 0;
        if (!c->made_work && (rc = prepare_work(c, err)) != CT_OK)
                return rc;
        if (c->o.accel == CT_CAPTURE_ACCEL_TCG) {
                a = attempt(c, CT_CAPTURE_ACCEL_TCG, false, err);
        } else {
                a = attempt(c, CT_CAPTURE_ACCEL_KVM, c->o.accel == CT_CAPTURE_ACCEL_AUTO, err);
                if (a == A_FALLBACK)
                        a = attempt(c, CT_CAPTURE_ACCEL_TCG, false, err);
        }
        if (a != A_OK) {
                keep_console(c);
                return err ? err->code : CT_E_IO;
        }
        if ((rc = ct_capture_parse_console(c->console, c->console_len, &c->parsed, err)) != CT_OK)
                return rc;
        if (c->parsed.dialect == CT_CAPTURE_DIALECT_NONE || !c->parsed.complete || !c->parsed.log) {
                char t[2048];
                ct_error_set(err, CT_E_IO, "the guest did not print the capture (%s)",
                             c->parsed.guest_error[0]                        ? c->parsed.guest_error
                             : c->parsed.dialect == CT_CAPTURE_DIALECT_NONE
                                     ? (c->o.uki ? "no markers: does the UKI's initrd run the capture /init?"
                                                 : "no markers: did the kernel boot?")
                                     : "incomplete output");
                failure(c, "%s", console_tail(c, FAILURE_LINES, t, sizeof(t)));
                ct_capture_console_free(&c->parsed);
                keep_console(c);
                return CT_E_IO;
        }
        c->parsed_ok = true;
        return CT_OK;
}
