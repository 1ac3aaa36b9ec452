/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — reference boots: what `cocotrust tpm capture` is made of, as
 * three independent pieces a library user can combine differently.
 *
 *  1. A newc cpio writer (ct_cpio_*) and the capture initrd built with it:
 *     /bin/busybox plus an /init that prints the firmware event log (base64)
 *     and every PCR of every bank to the serial console between markers,
 *     then powers the VM off.
 *  2. The console parser (ct_capture_parse_console): the guest's serial
 *     output is untrusted; it is read line by line with a bounded reader,
 *     every marker line checked, the base64 text capped before it grows
 *     (CT_CAPTURE_MAX_BASE64). It understands the markers of the capture
 *     /init above and those of the seed's shared/scripts/tpm_boot_capture.sh.
 *  3. A process supervisor (ct_sup_*), generic: start any programs (QEMU with
 *     any arguments, swtpm or not), keep the last lines of their output,
 *     wait for one to exit with a deadline (pidfd + poll: no sleep loops),
 *     stop and reap every process it started on every path, optionally
 *     turning SIGINT/SIGTERM into a clean "interrupted" result.
 *
 * Nothing here prints or exits. Sizes are bounded by the CT_CAPTURE_* and
 * CT_CPIO_* limits below.
 */
#ifndef COCOTRUST_CAPTURE_H
#define COCOTRUST_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/pcr.h>
#include <cocotrust/tcglog.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- newc cpio writer (the format the kernel unpacks into its initramfs) ---- */

#define CT_CPIO_MAX_SIZE (1u << 30)  /* a whole archive (raw prefix included) */
#define CT_CPIO_MAX_NAME 4096u       /* one path name, without its NUL */

typedef struct ct_cpio ct_cpio;

/* An empty archive in memory. Free with ct_cpio_free (NULL-safe). */
ct_code ct_cpio_new(ct_cpio **ret, ct_error *err);
void ct_cpio_free(ct_cpio *c);

/*
 * Append bytes verbatim (an existing initrd, compressed or not) and pad them
 * with zeros to a multiple of 4, so that the newc entries that follow start
 * aligned, as the kernel requires of concatenated archives. CT_E_LIMIT past
 * CT_CPIO_MAX_SIZE.
 */
ct_code ct_cpio_append_raw(ct_cpio *c, const void *data, size_t len, ct_error *err);

/*
 * Add one entry: name without a leading '/', mode with its file type bits
 * (0100755 a file, 040755 a directory, 020600 a character device with rdev
 * major:minor). Entries are numbered 1, 2, ... in order (c_ino); uid, gid
 * and mtime are 0, nlink 1, so the bytes depend only on the arguments.
 * CT_E_ARG for an empty or over-long name, CT_E_LIMIT past CT_CPIO_MAX_SIZE.
 */
ct_code ct_cpio_add(ct_cpio *c, const char *name, uint32_t mode, uint32_t rdev_major, uint32_t rdev_minor,
                    const void *data, size_t size, ct_error *err);

/*
 * Close the archive with the TRAILER!!! entry and hand out its bytes
 * (malloc'd, the caller frees them). The builder is then empty again.
 */
ct_code ct_cpio_finish(ct_cpio *c, uint8_t **ret_data, size_t *ret_len, ct_error *err);

/* ---- the capture initrd ---- */

#define CT_CAPTURE_MAX_BUSYBOX (64u << 20) /* the static busybox put into the initrd */

/* The capture /init (a busybox sh script), NUL-terminated, static. */
const char *ct_capture_init_script(void);

/*
 * The capture initrd: prefix[0..prefix_len) (an initrd of the image, may be
 * empty) padded to 4 bytes, then a newc archive with /dev, /dev/console
 * (5:1), /bin, /bin/busybox, /proc, /sys and /init. The same inputs always
 * give the same bytes. *ret_data is malloc'd.
 */
ct_code ct_capture_initrd(const void *prefix, size_t prefix_len, const void *busybox, size_t busybox_len,
                          uint8_t **ret_data, size_t *ret_len, ct_error *err);

/* ---- the guest console (untrusted) ---- */

#define CT_CAPTURE_MAX_CONSOLE (64u << 20)  /* serial output accepted from one boot */
#define CT_CAPTURE_MAX_LINE 512u            /* longer lines are never marker lines: skipped */
/* base64 text of an event log: enough for the largest log ct_tcg_walk accepts */
#define CT_CAPTURE_MAX_BASE64 (CT_TCG_MAX_LOG_SIZE / 3u * 4u + 4u)

typedef enum ct_capture_dialect {
        CT_CAPTURE_DIALECT_NONE = 0,      /* no begin marker in the text */
        CT_CAPTURE_DIALECT_COCOTRUST = 1, /* ==COCOTRUST-CAPTURE-BEGIN== ... (ct_capture_init_script) */
        CT_CAPTURE_DIALECT_SEED = 2,      /* ==BEGIN EVENTLOG== ... ==DONE== (tpm_boot_capture.sh) */
} ct_capture_dialect;

typedef struct ct_capture_console {
        ct_capture_dialect dialect;
        bool complete;          /* the end marker was seen */
        uint8_t *log;           /* decoded event log (malloc'd), NULL when the guest printed none */
        size_t log_len;
        ct_pcr_set pcrs;        /* every ==PCR== line */
        char guest_error[256];  /* an ==ERROR== line of the capture /init, "" if none */
} ct_capture_console;

/*
 * Parse the serial output text[0..len). Lines before the begin marker (the
 * firmware's and kernel's output, escape sequences, anything) are ignored;
 * after it, every marker line must be well formed: "==EVENTLOG-BEGIN== N"
 * with N <= the log limit, base64 lines, "==EVENTLOG-END==" (the decoded log
 * must have exactly N bytes), "==PCR== BANK INDEX HEX" with a known bank,
 * index 0-23 and a digest of the bank's size; the seed dialect has no size.
 * A second event log is malformed. Text without any marker is not an error
 * (dialect NONE): the caller decides what a missing capture means.
 * Errors: CT_E_MALFORMED / CT_E_LIMIT with the offset of the offending line
 * in err, CT_E_LIMIT for len > CT_CAPTURE_MAX_CONSOLE, CT_E_NOMEM.
 * On success *ret owns ret->log: release it with ct_capture_console_free.
 */
ct_code ct_capture_parse_console(const void *text, size_t len, ct_capture_console *ret, ct_error *err);

/* Free what *c owns and zero it. NULL-safe. */
void ct_capture_console_free(ct_capture_console *c);

/* How far a boot got, from its console output. */
typedef enum ct_capture_phase {
        CT_CAPTURE_PHASE_FIRMWARE = 0,   /* nothing of the kernel yet */
        CT_CAPTURE_PHASE_KERNEL = 1,     /* the EFI stub or the kernel printed something */
        CT_CAPTURE_PHASE_COLLECTING = 2, /* the capture /init's begin marker */
} ct_capture_phase;

/*
 * The furthest phase text[0..len) shows ("EFI stub: ", "Linux version ", a
 * "[    0." timestamp, a begin marker). Feed it the new output plus the last
 * CT_CAPTURE_MAX_LINE bytes already seen, so a marker split across reads is
 * found.
 */
ct_capture_phase ct_capture_console_phase(const void *text, size_t len);

/* "firmware", "kernel", "collecting". */
const char *ct_capture_phase_name(ct_capture_phase p);

/* ---- process supervisor ---- */

#define CT_SUP_MAX_CHILDREN 8u
#define CT_SUP_TAIL_SIZE 8192u     /* bytes of each child's output kept (the last ones) */

typedef struct ct_sup ct_sup;
typedef struct ct_sup_child ct_sup_child; /* owned by its ct_sup */

/* Supervisor flags. */
#define CT_SUP_SIGNALS (1u << 0) /* catch SIGINT and SIGTERM while it lives (SA_RESTART); waits then
                                  * return CT_SUP_INTERRUPTED. One such supervisor at a time. */

/*
 * A supervisor. With CT_SUP_SIGNALS it installs handlers for SIGINT and
 * SIGTERM (restored by ct_sup_free); that is the one piece of process-wide
 * state in the library. CT_E_ARG when another CT_SUP_SIGNALS supervisor lives.
 */
ct_code ct_sup_new(unsigned flags, ct_sup **ret, ct_error *err);

/* Stop (SIGTERM, SIGKILL after 3 s) and reap every child still running; restore signals. NULL-safe. */
void ct_sup_free(ct_sup *s);

/*
 * Called with each piece of a child's output as it arrives (during
 * ct_sup_wait). Return true to end the wait with CT_SUP_WOKEN.
 */
typedef bool (*ct_sup_output_fn)(const uint8_t *data, size_t len, void *userdata);

typedef struct ct_sup_spawn_opts {
        const char *name;           /* for messages ("qemu"); default: argv[0]'s base name */
        ct_sup_output_fn on_stdout; /* NULL: stdout goes into the tail with stderr */
        ct_sup_output_fn on_stderr; /* also called for stderr, which always goes into the tail */
        void *userdata;
        const int *keep_fds;        /* descriptors the child inherits (same numbers, close-on-exec cleared) */
        size_t n_keep_fds;
} ct_sup_spawn_opts;

/*
 * Start argv[0] (a path; see ct_sup_find_program) with argv, stdin from
 * /dev/null, stdout and stderr into pipes read by the supervisor. The child
 * is killed (SIGKILL) if this process dies (PR_SET_PDEATHSIG). opts may be
 * NULL. CT_E_IO when fork, pipe or pidfd_open fail, CT_E_LIMIT past
 * CT_SUP_MAX_CHILDREN; an exec failure shows as exit status 127 with the
 * reason in the tail.
 */
ct_code ct_sup_spawn(ct_sup *s, char *const argv[], const ct_sup_spawn_opts *opts, ct_sup_child **ret,
                     ct_error *err);

typedef enum ct_sup_outcome {
        CT_SUP_EXITED = 0,   /* the awaited child exited (see ct_sup_child_status) */
        CT_SUP_PEER_EXITED,  /* another child exited first (*ret_which) */
        CT_SUP_TIMEOUT,      /* the deadline passed; the child still runs */
        CT_SUP_INTERRUPTED,  /* SIGINT or SIGTERM arrived (CT_SUP_SIGNALS) */
        CT_SUP_WOKEN,        /* an output callback returned true */
} ct_sup_outcome;

/*
 * Wait until `child` exits, another running child exits, timeout_ms pass
 * (< 0: no deadline) or a signal arrives, reading every child's output
 * meanwhile. Blocks in poll(2) on the children's pidfds and pipes: no
 * polling interval. *ret_which (may be NULL) names the child that exited.
 */
ct_code ct_sup_wait(ct_sup *s, ct_sup_child *child, int timeout_ms, ct_sup_outcome *ret_outcome,
                    ct_sup_child **ret_which, ct_error *err);

/* Spawn, then wait for that child alone (CT_SUP_PEER_EXITED and CT_SUP_WOKEN are not returned). */
ct_code ct_sup_run(ct_sup *s, char *const argv[], const ct_sup_spawn_opts *opts, int timeout_ms,
                   ct_sup_child **ret, ct_sup_outcome *ret_outcome, ct_error *err);

/* SIGTERM, wait up to grace_ms, then SIGKILL; always reaps. No-op for a child that exited. */
void ct_sup_stop(ct_sup *s, ct_sup_child *c, int grace_ms);

typedef struct ct_sup_status {
        bool running;
        bool exited;       /* exited normally: exit_code is valid */
        int exit_code;
        int term_signal;   /* killed by this signal (0 if not) */
} ct_sup_status;

void ct_sup_child_status(const ct_sup_child *c, ct_sup_status *ret);
const char *ct_sup_child_name(const ct_sup_child *c);
/* Its process id (still valid while it has not been reaped). */
int ct_sup_child_pid(const ct_sup_child *c);

/*
 * The last max_lines lines of the child's stdout (unless on_stdout) and
 * stderr, from what is kept (CT_SUP_TAIL_SIZE bytes), without a trailing
 * newline; "" when it printed nothing. Valid until the next call on s.
 */
const char *ct_sup_child_tail(ct_sup_child *c, unsigned max_lines);

/* The signal that interrupted a wait (SIGINT, SIGTERM), 0 if none. */
int ct_sup_signal(const ct_sup *s);

/*
 * Find an executable: a name with a '/' is taken as is, else searched in
 * $PATH (default "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"). malloc'd
 * path, or NULL when not found.
 */
char *ct_sup_find_program(const char *name);

/* ---- a capture boot: swtpm + QEMU + OVMF, the console collected and parsed ---- */

typedef enum ct_capture_accel {
        CT_CAPTURE_ACCEL_AUTO = 0, /* KVM, and TCG when QEMU cannot run the guest under KVM */
        CT_CAPTURE_ACCEL_KVM,      /* -accel kvm -cpu qemu64 */
        CT_CAPTURE_ACCEL_TCG,      /* -accel tcg (QEMU's default CPU model, qemu64) */
} ct_capture_accel;

/* "auto", "kvm", "tcg"; ct_capture_accel_from_name returns false for anything else. */
const char *ct_capture_accel_name(ct_capture_accel a);
bool ct_capture_accel_from_name(const char *name, ct_capture_accel *ret);

/* Seconds a KVM boot under --accel auto may stay silent before TCG is tried instead. */
#define CT_CAPTURE_KVM_PROBE_S 30u

typedef enum ct_capture_note {
        CT_CAPTURE_NOTE_PHASE = 0, /* the boot reached `phase` (FIRMWARE: QEMU started; text: "KVM"/"TCG") */
        CT_CAPTURE_NOTE_FALLBACK,  /* auto: KVM could not run the guest; text: why (QEMU's words) */
} ct_capture_note;

/* Progress, called from inside ct_capture_boot; elapsed_s counts from its start. */
typedef void (*ct_capture_notify_fn)(ct_capture_note note, ct_capture_phase phase, double elapsed_s,
                                     const char *text, void *userdata);

typedef struct ct_capture_opts {
        const char *qemu;          /* program paths (see ct_sup_find_program); swtpm_setup may be NULL */
        const char *swtpm;
        const char *swtpm_setup;
        const char *ovmf_code;     /* firmware code, read-only */
        const char *ovmf_vars;     /* variable store template, copied into the work directory */
        const char *kernel;        /* QEMU direct boot: this kernel with `initrd` and `append` ... */
        const uint8_t *initrd;     /* ... (the whole initrd, e.g. from ct_capture_initrd) */
        size_t initrd_len;
        const char *append;
        const char *uki;           /* ... or this UKI from a FAT ESP as \EFI\BOOT\BOOTX64.EFI */
        bool secure_boot;          /* q35 with SMM and a secure flash */
        unsigned memory_mib;       /* 0: 1024 */
        unsigned timeout_s;        /* 0: 300; the whole boot, per attempt */
        const char *pcr_banks;     /* for swtpm_setup; NULL: "sha1,sha256" */
        ct_capture_accel accel;
        const char *tmpdir;        /* parent of the private work directory; NULL or unusable: /tmp */
        bool keep_work;            /* leave the work directory in place (ct_capture_workdir) */
        ct_capture_notify_fn notify;
        void *userdata;
} ct_capture_opts;

typedef struct ct_capture ct_capture;

/*
 * Prepare a capture: copies the options (the strings and the initrd must
 * outlive the handle). Creates nothing yet. Free with ct_capture_free.
 */
ct_code ct_capture_new(const ct_capture_opts *opts, ct_capture **ret, ct_error *err);

/*
 * Boot once (twice under AUTO when KVM cannot run the guest): a private work
 * directory (mkdtemp, 0700) with a fresh TPM state (swtpm_setup), a copy of
 * the variable store and the boot medium; swtpm on a socket created here
 * before it starts; QEMU with the console on its stdout. Waits for QEMU to
 * power off (poll on pidfds, no polling interval), then parses the console
 * (ct_capture_parse_console). SIGINT and SIGTERM are caught meanwhile; every
 * process is stopped and reaped on every path.
 * Errors: CT_E_IO when a program failed, timed out or was interrupted (the
 * last lines of its output in ct_capture_failure_output), CT_E_MALFORMED /
 * CT_E_LIMIT for bad console output, CT_E_NOMEM. A boot whose guest printed
 * no complete capture is CT_E_IO too ("the guest did not print the capture").
 */
ct_code ct_capture_boot(ct_capture *c, ct_error *err);

/* After a successful ct_capture_boot: the parsed console (log, PCRs). */
const ct_capture_console *ct_capture_result(const ct_capture *c);

/* The console text collected so far (also after a failure), and its length. */
const uint8_t *ct_capture_console_text(const ct_capture *c, size_t *ret_len);

/* The accelerator the (last) boot used: KVM or TCG. */
ct_capture_accel ct_capture_accel_used(const ct_capture *c);

/*
 * After a failed ct_capture_boot: the last lines of the failed program's
 * output (QEMU's or swtpm's stderr, or the console on a timeout), "" if none.
 */
const char *ct_capture_failure_output(const ct_capture *c);

/* The work directory ("" before ct_capture_boot). */
const char *ct_capture_workdir(const ct_capture *c);

/* Remove the work directory (unless keep_work) and free. NULL-safe. */
void ct_capture_free(ct_capture *c);

#ifdef __cplusplus
}
#endif
#endif
