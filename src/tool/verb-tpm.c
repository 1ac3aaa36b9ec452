/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust tpm capture — a trusted local reference boot: swtpm (TPM 2.0) +
 * qemu-system-x86_64 + OVMF, a small busybox initrd that dumps the firmware
 * event log and the PCRs to the serial console, then replay and check.
 *
 * Every process started here is stopped before returning (also on timeout
 * and on SIGINT/SIGTERM); the work directory is private (mkdtemp, 0700) and
 * removed at the end unless --keep-work.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/pcr.h>
#include <cocotrust/tcglog.h>

#include "tool.h"

#define DEFAULT_OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define DEFAULT_OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define DEFAULT_OVMF_SB_CODE "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
#define DEFAULT_OVMF_SB_VARS "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"
#define DEFAULT_APPEND "console=ttyS0 panic=-1 loglevel=4"
#define MAX_CONSOLE (64u << 20)
#define MAX_INITRD (1u << 30)

/* The capture /init: dump the log (base64) and every PCR to ttyS0 between markers, power off. */
static const char capture_init[] =
        "#!/bin/busybox sh\n"
        "# cocotrust tpm capture: dump the firmware event log and the PCRs to the serial console.\n"
        "/bin/busybox mkdir -p /proc /sys /dev /bin\n"
        "/bin/busybox --install -s /bin\n"
        "export PATH=/bin\n"
        "mount -t proc proc /proc\n"
        "mount -t sysfs sysfs /sys\n"
        "mount -t devtmpfs devtmpfs /dev 2>/dev/null\n"
        "mount -t securityfs securityfs /sys/kernel/security\n"
        "echo 1 > /proc/sys/kernel/printk\n"
        "exec >/dev/ttyS0 2>&1\n"
        "L=/sys/kernel/security/tpm0/binary_bios_measurements\n"
        "echo\n"
        "echo '==COCOTRUST-CAPTURE-BEGIN=='\n"
        "if [ -r $L ] && cat $L > /log.bin; then\n"
        "  echo \"==EVENTLOG-BEGIN== $(wc -c < /log.bin)\"\n"
        "  base64 /log.bin\n"
        "  echo '==EVENTLOG-END=='\n"
        "else\n"
        "  echo '==ERROR== no event log (no TPM or no securityfs)'\n"
        "fi\n"
        "for b in sha1 sha256 sha384 sha512 sm3_256; do\n"
        "  [ -d /sys/class/tpm/tpm0/pcr-$b ] || continue\n"
        "  for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23; do\n"
        "    echo \"==PCR== $b $i $(cat /sys/class/tpm/tpm0/pcr-$b/$i)\"\n"
        "  done\n"
        "done\n"
        "echo '==COCOTRUST-CAPTURE-END=='\n"
        "sync\n"
        "poweroff -f\n"
        "sleep 5\n"
        "echo o > /proc/sysrq-trigger\n";

/* ---- newc cpio writer ---- */

struct buf {
        uint8_t *p;
        size_t len, cap;
};

static int buf_add(struct buf *b, const void *p, size_t n)
{
        if (n > SIZE_MAX - b->len)
                return -1;
        if (b->len + n > b->cap) {
                size_t cap = b->cap ? b->cap : 4096;
                uint8_t *np;
                while (cap < b->len + n)
                        cap *= 2;
                np = realloc(b->p, cap);
                if (!np)
                        return -1;
                b->p = np;
                b->cap = cap;
        }
        if (n)
                memcpy(b->p + b->len, p, n);
        b->len += n;
        return 0;
}

static int buf_pad4(struct buf *b)
{
        static const uint8_t zero[4];
        return buf_add(b, zero, (4 - b->len % 4) % 4);
}

static int cpio_entry(struct buf *b, unsigned ino, const char *name, unsigned mode, unsigned rmaj, unsigned rmin,
                      const void *data, size_t size)
{
        char hdr[111];

        snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0u, 0u,
                 1u, 0u, (unsigned)size, 0u, 0u, rmaj, rmin, (unsigned)strlen(name) + 1, 0u);
        if (buf_add(b, hdr, 110) || buf_add(b, name, strlen(name) + 1) || buf_pad4(b) || buf_add(b, data, size) ||
            buf_pad4(b))
                return -1;
        return 0;
}

/* The capture cpio: /init, /bin/busybox, /dev/console and the mount points. */
static int build_capture_cpio(const char *busybox, struct buf *out, ct_error *err)
{
        ct_blob bb = { 0 };
        int r = 0;

        if (ct_blob_read(busybox, 64u << 20, &bb, err) != CT_OK)
                return -1;
        r |= cpio_entry(out, 1, "dev", 040755, 0, 0, NULL, 0);
        r |= cpio_entry(out, 2, "dev/console", 020600, 5, 1, NULL, 0);
        r |= cpio_entry(out, 3, "bin", 040755, 0, 0, NULL, 0);
        r |= cpio_entry(out, 4, "bin/busybox", 0100755, 0, 0, bb.data, bb.len);
        r |= cpio_entry(out, 5, "proc", 040755, 0, 0, NULL, 0);
        r |= cpio_entry(out, 6, "sys", 040755, 0, 0, NULL, 0);
        r |= cpio_entry(out, 7, "init", 0100755, 0, 0, capture_init, strlen(capture_init));
        r |= cpio_entry(out, 0, "TRAILER!!!", 0, 0, 0, NULL, 0);
        ct_blob_free(&bb);
        if (r) {
                ct_error_set(err, CT_E_NOMEM, "out of memory building the capture initrd");
                return -1;
        }
        return 0;
}

/* ---- processes ---- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
        got_signal = sig;
}

static char *find_in_path(const char *name)
{
        const char *path = getenv("PATH");
        char *dup, *save = NULL, *res = NULL;

        if (strchr(name, '/'))
                return access(name, X_OK) == 0 ? strdup(name) : NULL;
        dup = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        if (!dup)
                return NULL;
        for (char *d = strtok_r(dup, ":", &save); d && !res; d = strtok_r(NULL, ":", &save)) {
                char p[4096];
                snprintf(p, sizeof(p), "%s/%s", d, name);
                if (access(p, X_OK) == 0)
                        res = strdup(p);
        }
        free(dup);
        return res;
}

/* fork/exec argv with stdout+stderr to logfile; returns pid or -1. */
static pid_t spawn(char *const argv[], const char *logfile)
{
        pid_t pid = fork();

        if (pid != 0)
                return pid;
        {
                int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
                int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                        dup2(fd, 1);
                        dup2(fd, 2);
                }
                if (nul >= 0)
                        dup2(nul, 0);
                signal(SIGINT, SIG_DFL);
                signal(SIGTERM, SIG_DFL);
                execv(argv[0], argv);
                _exit(127);
        }
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

/* Stop pid: SIGTERM, then SIGKILL after 3 s. Always reaps it. */
static void stop_process(pid_t pid)
{
        int st;

        if (pid <= 0)
                return;
        if (waitpid(pid, &st, WNOHANG) == pid)
                return;
        kill(pid, SIGTERM);
        for (int i = 0; i < 30; i++) {
                if (waitpid(pid, &st, WNOHANG) == pid)
                        return;
                sleep_ms(100);
        }
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
}

/* Run a short helper to completion (swtpm_setup); returns its exit status or -1. */
static int run_wait(char *const argv[], const char *logfile, int timeout_s)
{
        pid_t pid = spawn(argv, logfile);
        double end = now_s() + timeout_s;
        int st;

        if (pid < 0)
                return -1;
        while (now_s() < end && !got_signal) {
                if (waitpid(pid, &st, WNOHANG) == pid)
                        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
                sleep_ms(50);
        }
        stop_process(pid);
        return -1;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        (void)sb;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static int copy_file(const char *src, const char *dst, ct_error *err)
{
        ct_blob b = { 0 };
        ct_atomic_file f;
        int rc = -1;

        if (ct_blob_read(src, 0, &b, err) != CT_OK)
                return -1;
        if (ct_atomic_open(dst, &f, err) == CT_OK) {
                if (ct_atomic_write(&f, b.data, b.len, err) == CT_OK && ct_atomic_commit(&f, err) == CT_OK)
                        rc = 0;
                else
                        ct_atomic_abort(&f);
        }
        ct_blob_free(&b);
        return rc;
}

/* ---- console parsing ---- */

struct capture {
        uint8_t *log;
        size_t log_len;
        ct_pcr_set pcrs;
        bool begin, end;
        char error[256];
};

/* Parse the markers in the console text (untrusted: bounded, every line checked). */
static ct_code parse_console(const char *text, size_t len, struct capture *c, ct_error *err)
{
        struct buf b64 = { 0 };
        bool in_log = false, log_done = false;
        unsigned long long want = 0;
        size_t pos = 0;
        ct_code rc = CT_OK;

        ct_pcr_set_init(&c->pcrs);
        while (pos < len) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
                char line[512];
                const char *l;

                if (n >= sizeof(line)) { /* long lines are never ours */
                        pos += n + (nl ? 1 : 0);
                        continue;
                }
                memcpy(line, text + pos, n);
                line[n] = 0;
                pos += n + (nl ? 1 : 0);
                while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
                        line[--n] = 0;
                l = line;
                if (!c->begin) {
                        c->begin = strstr(l, "==COCOTRUST-CAPTURE-BEGIN==") != NULL;
                        continue;
                }
                if (in_log) {
                        if (strcmp(l, "==EVENTLOG-END==") == 0) {
                                in_log = false;
                                log_done = true;
                        } else if (buf_add(&b64, l, n)) {
                                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                                goto out;
                        }
                        continue;
                }
                if (strncmp(l, "==EVENTLOG-BEGIN== ", 19) == 0) {
                        if (!tool_parse_u64(l + 19, &want) || want > CT_TCG_MAX_LOG_SIZE) {
                                rc = ct_error_set(err, CT_E_MALFORMED, "console: bad event log size '%s'", l + 19);
                                goto out;
                        }
                        in_log = true;
                } else if (strncmp(l, "==PCR== ", 8) == 0) {
                        char bank[16], hex[2 * CT_HASH_MAX_SIZE + 2];
                        unsigned idx;
                        ct_digest d;
                        size_t dl = 0;
                        ct_hash_alg alg;

                        if (sscanf(l + 8, "%15s %u %129s", bank, &idx, hex) != 3 ||
                            (alg = ct_hash_from_name(bank)) == CT_HASH_NONE || idx >= CT_PCR_COUNT ||
                            ct_hex_decode(hex, d.bytes, sizeof(d.bytes), &dl, NULL) != CT_OK ||
                            dl != ct_hash_size(alg)) {
                                rc = ct_error_set(err, CT_E_MALFORMED, "console: bad PCR line '%s'", l);
                                goto out;
                        }
                        d.alg = alg;
                        d.len = dl;
                        ct_pcr_set_put(&c->pcrs, idx, &d, NULL);
                } else if (strncmp(l, "==ERROR== ", 10) == 0) {
                        snprintf(c->error, sizeof(c->error), "%.200s", l + 10);
                } else if (strcmp(l, "==COCOTRUST-CAPTURE-END==") == 0) {
                        c->end = true;
                        break;
                }
        }
        if (log_done) {
                size_t cap = b64.len / 4 * 3 + 3, got = 0;
                char *s;

                if (buf_add(&b64, "", 1)) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
                s = (char *)b64.p;
                c->log = malloc(cap);
                if (!c->log) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
                if (ct_base64_decode(s, c->log, cap, &got, err) != CT_OK) {
                        ct_error_prefix(err, "console: event log");
                        rc = CT_E_MALFORMED;
                        goto out;
                }
                if (got != want) {
                        rc = ct_error_set(err, CT_E_MALFORMED,
                                          "console: event log has %zu bytes, the guest announced %llu", got, want);
                        goto out;
                }
                c->log_len = got;
        }
out:
        free(b64.p);
        return rc;
}

/* ---- the verb ---- */

static int capture_help(void)
{
        printf("Usage: %s tpm capture (--kernel KERNEL [--initrd INITRD] [--append CMDLINE] | --uki UKI.efi)\n"
               "                      -o DIR [--ovmf CODE --vars VARS] [--secure-boot] [--timeout SEC]\n"
               "                      [--memory MIB] [--pcr-banks LIST] [--busybox PATH] [--keep-work] [--json]\n"
               "       %s tpm capture --write-initrd FILE [--busybox PATH]\n\n"
               "A trusted local reference boot. Starts swtpm (TPM 2.0) on a private socket, boots the image\n"
               "under qemu-system-x86_64 (KVM if /dev/kvm is usable, else TCG) with OVMF and the vTPM, and\n"
               "collects the firmware event log and the PCRs from inside the guest over the serial console.\n"
               "Writes DIR/eventlog.bin, DIR/pcrs.json (PCR-set JSON, every PCR of every bank) and\n"
               "DIR/console.log, then replays the log and checks it against the PCRs.\n\n"
               "With --kernel the kernel is booted by OVMF (QEMU direct boot: OVMF loads it as an EFI\n"
               "application, measured into PCR 4; the Linux EFI stub measures the command line and the\n"
               "initrd into PCR 9). A capture initrd (busybox-static, /init dumps the log and PCRs and\n"
               "powers off) is appended to INITRD (or used alone), so the PCR 9 initrd digest is that of\n"
               "the combination. With --uki the UKI boots from a FAT ESP as \\EFI\\BOOT\\BOOTX64.EFI, the\n"
               "way firmware boots an installed UKI; its own initrd must then print the capture markers\n"
               "(build one with --write-initrd and embed it as the UKI's .initrd).\n\n"
               "Options:\n"
               "  --kernel FILE        kernel with an EFI stub (bzImage / vmlinuz)\n"
               "  --initrd FILE        initrd to boot with it (the capture initrd is appended)\n"
               "  --append CMDLINE     kernel command line (default \"%s\")\n"
               "  --uki FILE           a unified kernel image, booted from an ESP\n"
               "  -o, --output DIR     where to write eventlog.bin, pcrs.json, console.log (created)\n"
               "  --ovmf FILE          OVMF code (default %s,\n"
               "                       with --secure-boot %s)\n"
               "  --vars FILE          OVMF variable store template, copied (default %s,\n"
               "                       with --secure-boot %s)\n"
               "  --secure-boot        q35 with SMM and a secure flash (use with Secure Boot firmware and keys)\n"
               "  --timeout SEC        kill the VM after SEC seconds (default 300)\n"
               "  --memory MIB         guest memory (default 1024)\n"
               "  --pcr-banks LIST     banks swtpm allocates (default sha1,sha256)\n"
               "  --busybox PATH       a static busybox (default: busybox in PATH)\n"
               "  --keep-work          keep the private work directory (printed on stderr)\n"
               "  --write-initrd FILE  only write the capture initrd (newc cpio) to FILE and exit\n"
               "  --json               print the check result as JSON\n"
               "  -h, --help           this help\n\n"
               "Exit status: 0 the log replays to the captured PCRs, 1 it does not, 2 bad input or usage,\n"
               "3 a missing tool (qemu, swtpm, OVMF, busybox), a VM that failed or timed out, I/O error.\n",
               program_name, program_name, DEFAULT_APPEND, DEFAULT_OVMF_CODE, DEFAULT_OVMF_SB_CODE,
               DEFAULT_OVMF_VARS, DEFAULT_OVMF_SB_VARS);
        return EXIT_OK;
}

struct opts {
        const char *kernel, *initrd, *append, *uki, *out, *ovmf, *vars, *busybox, *banks, *write_initrd;
        bool secure_boot, keep, json;
        unsigned long long timeout, memory;
};

static int write_outputs(const char *dir, const struct capture *c, const char *console_src, ct_error *err)
{
        char p[4096];
        json_object *o;
        const char *s;
        ct_code rc;

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return ct_error_set_errno(err, errno, "cannot create %s", dir);
        snprintf(p, sizeof(p), "%s/console.log", dir);
        if (copy_file(console_src, p, err))
                return err->code;
        snprintf(p, sizeof(p), "%s/eventlog.bin", dir);
        if ((rc = ct_write_file_atomic(p, c->log, c->log_len, err)) != CT_OK)
                return rc;
        o = tool_pcrset_json(&c->pcrs);
        s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
        snprintf(p, sizeof(p), "%s/pcrs.json", dir);
        {
                size_t n = strlen(s);
                char *t = malloc(n + 2);
                if (!t) {
                        json_object_put(o);
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                }
                memcpy(t, s, n);
                t[n] = '\n';
                rc = ct_write_file_atomic(p, t, n + 1, err);
                free(t);
        }
        json_object_put(o);
        return rc;
}

/* Replay the captured log and compare with the captured PCRs. Returns the exit status. */
static int check_capture(const char *dir, const struct capture *c, bool json)
{
        ct_tpm_replay *r = calloc(1, sizeof(*r));
        ct_error err;
        unsigned ok = 0, bad = 0;
        json_object *o = NULL, *jb = NULL;
        int rc;

        if (!r)
                return tool_errorf(EXIT_INTERNAL, "out of memory");
        if (ct_tpm_replay_log(c->log, c->log_len, 0, r, &err) != CT_OK) {
                char p[4096];
                snprintf(p, sizeof(p), "%s/eventlog.bin", dir);
                rc = tool_fail(&err, p);
                free(r);
                return rc;
        }
        if (r->info.truncated)
                fprintf(stderr, "%s: %s/eventlog.bin: warning: the log ends inside its last record at offset 0x%llx\n",
                        program_name, dir, (unsigned long long)r->info.truncated_offset);
        if (json) {
                o = tool_json_new();
                jb = json_object_new_object();
                tool_json_add_str(o, "output", dir);
                tool_json_add_int(o, "eventlog_size", (int64_t)c->log_len);
                tool_json_add_int(o, "events", r->n_events);
        }
        for (unsigned b = 0; b < r->pcrs.n_banks; b++) {
                const ct_pcr_bank *lb = &r->pcrs.banks[b];
                const ct_pcr_bank *tb = ct_pcr_set_bank_const(&c->pcrs, lb->alg);
                size_t size = ct_hash_size(lb->alg);
                json_object *e = NULL, *m = NULL;

                if (!tb)
                        continue;
                if (json) {
                        e = json_object_new_array();
                        m = json_object_new_array();
                } else {
                        printf("%s:", ct_hash_name(lb->alg));
                }
                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                        bool same;
                        if (!(lb->present & (1u << i)))
                                continue;
                        same = (tb->present & (1u << i)) && memcmp(lb->values[i], tb->values[i], size) == 0;
                        same ? ok++ : bad++;
                        if (json)
                                json_object_array_add(same ? e : m, json_object_new_int((int)i));
                        else
                                printf(" %u%s", i, same ? "" : "(MISMATCH)");
                }
                if (json) {
                        json_object *x = json_object_new_object();
                        json_object_object_add(x, "explained", e);
                        json_object_object_add(x, "mismatch", m);
                        json_object_object_add(jb, ct_hash_name(lb->alg), x);
                } else {
                        printf("\n");
                }
        }
        if (json) {
                json_object_object_add(o, "banks", jb);
                tool_json_add_bool(o, "ok", bad == 0 && ok > 0);
                tool_json_print(o);
        } else {
                printf("%s: %s/eventlog.bin (%u events) replays to %u of the %u logged PCR values in %s/pcrs.json\n",
                       bad == 0 && ok > 0 ? "OK" : "MISMATCH", dir, r->n_events, ok, ok + bad, dir);
        }
        free(r);
        return bad == 0 && ok > 0 ? EXIT_OK : EXIT_VERIFY_FAILED;
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

static bool kvm_usable(void)
{
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

        if (fd < 0)
                return false;
        close(fd);
        return true;
}

static int need_file(const char *path, const char *what)
{
        if (access(path, R_OK) != 0)
                return tool_errorf(errno == ENOENT ? EXIT_INTERNAL : EXIT_INTERNAL, "%s %s: %s", what, path,
                                   strerror(errno));
        return EXIT_OK;
}

static int run_capture(const struct opts *o)
{
        char work[128];
        const char *tmpdir = getenv("TMPDIR");
        char *qemu = NULL, *swtpm = NULL, *swtpm_setup = NULL, *busybox = NULL;
        char p_sock[4200], p_state[4200], p_vars[4200], p_console[4200], p_initrd[4200], p_log[4200], p_esp[4200];
        const char *code = o->ovmf ? o->ovmf : (o->secure_boot ? DEFAULT_OVMF_SB_CODE : DEFAULT_OVMF_CODE);
        const char *vars = o->vars ? o->vars : (o->secure_boot ? DEFAULT_OVMF_SB_VARS : DEFAULT_OVMF_VARS);
        pid_t swtpm_pid = -1, qemu_pid = -1;
        struct capture cap = { 0 };
        struct sigaction sa, old_int, old_term;
        ct_blob console = { 0 };
        ct_error err;
        int rc = EXIT_INTERNAL, st;
        bool made_work = false;

        /* Tools and inputs first: clear errors before anything starts. */
        qemu = find_in_path("qemu-system-x86_64");
        swtpm = find_in_path("swtpm");
        swtpm_setup = find_in_path("swtpm_setup");
        if (!o->uki)
                busybox = o->busybox ? strdup(o->busybox) : find_in_path("busybox");
        if (!qemu) {
                rc = tool_errorf(EXIT_INTERNAL, "qemu-system-x86_64 not found in PATH (Debian: qemu-system-x86)");
                goto out;
        }
        if (!swtpm) {
                rc = tool_errorf(EXIT_INTERNAL, "swtpm not found in PATH (Debian: swtpm, swtpm-tools)");
                goto out;
        }
        if (!o->uki && !busybox) {
                rc = tool_errorf(EXIT_INTERNAL, "busybox not found in PATH (Debian: busybox-static)");
                goto out;
        }
        if ((rc = need_file(code, "OVMF code")) || (rc = need_file(vars, "OVMF vars"))) {
                fprintf(stderr, "%s: (Debian: ovmf; or pass --ovmf CODE --vars VARS)\n", program_name);
                goto out;
        }
        if ((o->kernel && (rc = need_file(o->kernel, "kernel"))) ||
            (o->initrd && (rc = need_file(o->initrd, "initrd"))) || (o->uki && (rc = need_file(o->uki, "UKI"))))
                goto out;

        /* $TMPDIR if set and short enough for a unix socket path (108 bytes), else /tmp */
        if (!tmpdir || tmpdir[0] != '/' || strlen(tmpdir) > 64)
                tmpdir = "/tmp";
        snprintf(work, sizeof(work), "%s/cocotrust-capture.XXXXXX", tmpdir);
        if (!mkdtemp(work)) {
                rc = tool_errorf(EXIT_INTERNAL, "cannot create a work directory: %s", strerror(errno));
                goto out;
        }
        made_work = true;
        snprintf(p_sock, sizeof(p_sock), "%s/swtpm.sock", work);
        snprintf(p_state, sizeof(p_state), "%s/tpm", work);
        snprintf(p_vars, sizeof(p_vars), "%s/vars.fd", work);
        snprintf(p_console, sizeof(p_console), "%s/console.log", work);
        snprintf(p_initrd, sizeof(p_initrd), "%s/initrd.img", work);
        snprintf(p_log, sizeof(p_log), "%s/tools.log", work);
        snprintf(p_esp, sizeof(p_esp), "%s/esp", work);
        if (mkdir(p_state, 0700) < 0 || copy_file(vars, p_vars, &err)) {
                rc = tool_errorf(EXIT_INTERNAL, "cannot prepare the work directory %s", work);
                goto out;
        }

        /* The boot medium. */
        if (o->uki) {
                char d[4300], f[4400];
                snprintf(d, sizeof(d), "%s/EFI", p_esp);
                mkdir(p_esp, 0700);
                mkdir(d, 0700);
                snprintf(d, sizeof(d), "%s/EFI/BOOT", p_esp);
                mkdir(d, 0700);
                snprintf(f, sizeof(f), "%s/BOOTX64.EFI", d);
                if (copy_file(o->uki, f, &err)) {
                        rc = tool_fail(&err, o->uki);
                        goto out;
                }
        } else {
                struct buf ird = { 0 };
                if (o->initrd) {
                        ct_blob ui = { 0 };
                        if (ct_blob_read(o->initrd, MAX_INITRD, &ui, &err) != CT_OK) {
                                rc = tool_fail(&err, o->initrd);
                                goto out;
                        }
                        /* the kernel wants a following uncompressed cpio 4-byte aligned */
                        if (buf_add(&ird, ui.data, ui.len) || buf_pad4(&ird)) {
                                ct_blob_free(&ui);
                                free(ird.p);
                                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                                goto out;
                        }
                        ct_blob_free(&ui);
                }
                if (build_capture_cpio(busybox, &ird, &err) ||
                    ct_write_file_atomic(p_initrd, ird.p, ird.len, &err) != CT_OK) {
                        free(ird.p);
                        rc = tool_fail(&err, busybox);
                        goto out;
                }
                free(ird.p);
        }

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);

        /* swtpm: a fresh TPM 2.0 with the requested banks. */
        if (swtpm_setup) {
                char banks[256];
                char *argv[] = { swtpm_setup, "--tpm2", "--tpmstate", p_state, "--pcr-banks", banks,
                                 "--overwrite", NULL };
                snprintf(banks, sizeof(banks), "%s", o->banks);
                if (run_wait(argv, p_log, 60) != 0) {
                        rc = tool_errorf(EXIT_INTERNAL, "swtpm_setup failed (see %s; --keep-work keeps it)", p_log);
                        goto stop;
                }
        }
        {
                char state[4300], ctrl[4300];
                char *argv[] = { swtpm, "socket", "--tpm2", "--tpmstate", state, "--ctrl", ctrl, "--terminate",
                                 NULL };
                snprintf(state, sizeof(state), "dir=%s", p_state);
                snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s", p_sock);
                swtpm_pid = spawn(argv, p_log);
                if (swtpm_pid < 0) {
                        rc = tool_errorf(EXIT_INTERNAL, "cannot start swtpm: %s", strerror(errno));
                        goto stop;
                }
                for (int i = 0; i < 100 && access(p_sock, F_OK) != 0; i++) {
                        if (waitpid(swtpm_pid, &st, WNOHANG) == swtpm_pid) {
                                swtpm_pid = -1;
                                rc = tool_errorf(EXIT_INTERNAL, "swtpm exited at start (see %s)", p_log);
                                goto stop;
                        }
                        sleep_ms(50);
                }
                if (access(p_sock, F_OK) != 0) {
                        rc = tool_errorf(EXIT_INTERNAL, "swtpm did not create its socket");
                        goto stop;
                }
        }

        /* qemu */
        {
                char mem[32], pf0[8400], pf1[8400], serial[4300], chr[8400], esp[8500], q[8200];
                char *argv[64];
                int n = 0;
                double deadline;

                snprintf(mem, sizeof(mem), "%llu", o->memory);
                snprintf(pf0, sizeof(pf0), "if=pflash,format=raw,unit=0,readonly=on,file=%s",
                         qemu_path(code, q, sizeof(q)));
                snprintf(pf1, sizeof(pf1), "if=pflash,format=raw,unit=1,file=%s", qemu_path(p_vars, q, sizeof(q)));
                snprintf(serial, sizeof(serial), "file:%s", p_console);
                snprintf(chr, sizeof(chr), "socket,id=chrtpm,path=%s", qemu_path(p_sock, q, sizeof(q)));
                argv[n++] = qemu;
                argv[n++] = "-machine";
                argv[n++] = o->secure_boot ? "q35,smm=on" : "q35";
                if (o->secure_boot) {
                        argv[n++] = "-global";
                        argv[n++] = "driver=cfi.pflash01,property=secure,value=on";
                }
                if (kvm_usable()) {
                        argv[n++] = "-accel";
                        argv[n++] = "kvm";
                        argv[n++] = "-cpu";
                        argv[n++] = "host";
                } else {
                        argv[n++] = "-accel";
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
                argv[n++] = serial;
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
                if (o->uki) {
                        snprintf(esp, sizeof(esp), "file=fat:%s,format=raw,media=disk,readonly=on,if=virtio",
                                 qemu_path(p_esp, q, sizeof(q)));
                        argv[n++] = "-drive";
                        argv[n++] = esp;
                } else {
                        argv[n++] = "-kernel";
                        argv[n++] = (char *)o->kernel;
                        argv[n++] = "-initrd";
                        argv[n++] = p_initrd;
                        argv[n++] = "-append";
                        argv[n++] = (char *)(o->append ? o->append : DEFAULT_APPEND);
                }
                argv[n] = NULL;
                qemu_pid = spawn(argv, p_log);
                if (qemu_pid < 0) {
                        rc = tool_errorf(EXIT_INTERNAL, "cannot start qemu: %s", strerror(errno));
                        goto stop;
                }
                deadline = now_s() + (double)o->timeout;
                for (;;) {
                        if (waitpid(qemu_pid, &st, WNOHANG) == qemu_pid) {
                                qemu_pid = -1;
                                break;
                        }
                        if (got_signal) {
                                rc = tool_errorf(EXIT_INTERNAL, "interrupted; stopped the VM");
                                goto stop;
                        }
                        if (now_s() > deadline) {
                                rc = tool_errorf(EXIT_INTERNAL,
                                                 "the VM did not power off within %llu s; killed it (console: %s)",
                                                 o->timeout, o->keep ? p_console : "use --keep-work to keep it");
                                goto stop;
                        }
                        sleep_ms(100);
                }
                if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        rc = tool_errorf(EXIT_INTERNAL, "qemu failed (status %d; see %s with --keep-work)",
                                         WIFEXITED(st) ? WEXITSTATUS(st) : -1, p_log);
                        goto stop;
                }
        }
        stop_process(swtpm_pid);
        swtpm_pid = -1;

        /* Collect. */
        if (ct_blob_read(p_console, MAX_CONSOLE, &console, &err) != CT_OK) {
                rc = tool_fail(&err, "console");
                goto stop;
        }
        if (parse_console((const char *)console.data, console.len, &cap, &err) != CT_OK) {
                rc = tool_fail(&err, NULL);
                goto stop;
        }
        if (!cap.begin || !cap.end || !cap.log) {
                rc = tool_errorf(EXIT_INTERNAL, "the guest did not print the capture (%s)%s",
                                 cap.error[0] ? cap.error
                                 : !cap.begin ? (o->uki ? "no markers: does the UKI's initrd run the capture /init?"
                                                        : "no markers: did the kernel boot?")
                                              : "incomplete output",
                                 o->keep ? "" : "; --keep-work keeps the console log");
                goto stop;
        }
        if (write_outputs(o->out, &cap, p_console, &err) != CT_OK) {
                rc = tool_fail(&err, o->out);
                goto stop;
        }
        rc = check_capture(o->out, &cap, o->json);
stop:
        stop_process(qemu_pid);
        stop_process(swtpm_pid);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
out:
        ct_blob_free(&console);
        free(cap.log);
        if (made_work) {
                if (o->keep)
                        fprintf(stderr, "%s: work directory kept: %s\n", program_name, work);
                else
                        nftw(work, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
        }
        free(qemu);
        free(swtpm);
        free(swtpm_setup);
        free(busybox);
        return rc;
}

static int verb_capture(int argc, char **argv)
{
        static const struct option opts[] = {
                { "kernel", required_argument, NULL, 'k' },   { "initrd", required_argument, NULL, 'i' },
                { "append", required_argument, NULL, 'a' },   { "uki", required_argument, NULL, 'u' },
                { "output", required_argument, NULL, 'o' },   { "ovmf", required_argument, NULL, 'c' },
                { "vars", required_argument, NULL, 'v' },     { "secure-boot", no_argument, NULL, 's' },
                { "timeout", required_argument, NULL, 't' },  { "memory", required_argument, NULL, 'm' },
                { "pcr-banks", required_argument, NULL, 'p' }, { "busybox", required_argument, NULL, 'b' },
                { "keep-work", no_argument, NULL, 'K' },      { "write-initrd", required_argument, NULL, 'W' },
                { "json", no_argument, NULL, 'j' },           { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct opts o = { .timeout = 300, .memory = 1024, .banks = "sha1,sha256" };
        int c;

        while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
                switch (c) {
                case 'k':
                        o.kernel = optarg;
                        break;
                case 'i':
                        o.initrd = optarg;
                        break;
                case 'a':
                        o.append = optarg;
                        break;
                case 'u':
                        o.uki = optarg;
                        break;
                case 'o':
                        o.out = optarg;
                        break;
                case 'c':
                        o.ovmf = optarg;
                        break;
                case 'v':
                        o.vars = optarg;
                        break;
                case 's':
                        o.secure_boot = true;
                        break;
                case 't':
                        if (!tool_parse_u64(optarg, &o.timeout) || o.timeout == 0 || o.timeout > 86400)
                                return tool_usage("--timeout: seconds between 1 and 86400");
                        break;
                case 'm':
                        if (!tool_parse_u64(optarg, &o.memory) || o.memory < 128 || o.memory > 65536)
                                return tool_usage("--memory: MiB between 128 and 65536");
                        break;
                case 'p':
                        if (strspn(optarg, "abcdehms0123456789_,") != strlen(optarg) || !*optarg)
                                return tool_usage("--pcr-banks: a list like sha1,sha256");
                        o.banks = optarg;
                        break;
                case 'b':
                        o.busybox = optarg;
                        break;
                case 'K':
                        o.keep = true;
                        break;
                case 'W':
                        o.write_initrd = optarg;
                        break;
                case 'j':
                        o.json = true;
                        break;
                case 'h':
                        return capture_help();
                default:
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind != argc)
                return tool_usage("tpm capture: unexpected argument '%s' (see --help)", argv[optind]);
        if (o.write_initrd) {
                struct buf b = { 0 };
                char *bb = o.busybox ? strdup(o.busybox) : find_in_path("busybox");
                ct_error err;
                int rc = EXIT_OK;

                if (!bb)
                        return tool_errorf(EXIT_INTERNAL, "busybox not found in PATH (Debian: busybox-static)");
                if (build_capture_cpio(bb, &b, &err) || ct_write_file_atomic(o.write_initrd, b.p, b.len, &err) != CT_OK)
                        rc = tool_fail(&err, o.write_initrd);
                free(b.p);
                free(bb);
                return rc;
        }
        if (!o.kernel == !o.uki)
                return tool_usage("tpm capture: give --kernel KERNEL or --uki UKI (see --help)");
        if (o.uki && (o.initrd || o.append))
                return tool_usage("tpm capture: --initrd and --append go with --kernel, not --uki");
        if (!o.out)
                return tool_usage("tpm capture: -o DIR is required");
        if ((o.ovmf == NULL) != (o.vars == NULL))
                return tool_usage("tpm capture: give --ovmf and --vars together");
        return run_capture(&o);
}

int tool_tpm_quote(int argc, char **argv);
int tool_tpm_evidence(int argc, char **argv);

static const struct tool_verb verbs[] = {
        { "quote", "verify -m MSG -s SIG -u PUB [-q HEX] [-f PCRS]", tool_tpm_quote, "verify a TPM 2.0 quote (tpm2_checkquote 5.8) (verb-tpm-quote.c)" },
        { "evidence", "verify FILE.json [--init-data-digest HEX]", tool_tpm_evidence, "verify Trustee TPM evidence (verb-tpm-quote.c)" },
        { "capture", "(--kernel K [--initrd I] [--append C] | --uki UKI) -o DIR", verb_capture,
          "boot under QEMU+OVMF+swtpm; capture the event log and PCRs; check them" },
};

const struct tool_area tool_area_tpm = { "tpm", "reference boots with a software TPM", verbs, sizeof(verbs) / sizeof(verbs[0]) };
