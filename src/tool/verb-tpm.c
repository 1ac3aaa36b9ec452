/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust tpm capture — a trusted local reference boot (swtpm + QEMU +
 * OVMF; the capture library in include/cocotrust/capture.h does the work),
 * then the check of the captured log against the captured PCRs. This file
 * parses options and renders.
 *
 * More tpm verbs (e.g. verb-tpm-quote.c) register in tool_area_tpm's table
 * at the end of this file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cocotrust/capture.h>
#include <cocotrust/check.h>
#include <cocotrust/fileio.h>
#include <cocotrust/pcr.h>
#include <cocotrust/tcglog.h>

#include "check-render.h"
#include "tool.h"

#define DEFAULT_OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define DEFAULT_OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define DEFAULT_OVMF_SB_CODE "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
#define DEFAULT_OVMF_SB_VARS "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"
#define DEFAULT_APPEND "console=ttyS0 panic=-1 loglevel=4"
#define MAX_INITRD (1u << 30)

static void capture_help(void)
{
        printf("Usage: %s tpm capture (--kernel KERNEL [--initrd INITRD] [--append CMDLINE] | --uki UKI.efi)\n"
               "                      -o DIR [--accel auto|kvm|tcg] [--ovmf CODE --vars VARS] [--secure-boot]\n"
               "                      [--timeout SEC] [--memory MIB] [--pcr-banks LIST] [--busybox PATH]\n"
               "                      [--keep-work] [--json]\n"
               "       %s tpm capture --write-initrd FILE [--busybox PATH]\n\n"
               "A trusted local reference boot. Starts swtpm (TPM 2.0) on a private socket, boots the image\n"
               "under qemu-system-x86_64 (KVM, or TCG where KVM cannot run it) with OVMF and the vTPM, and\n"
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
               "Progress goes to stderr, one line per phase with the seconds elapsed: firmware (QEMU\n"
               "started), kernel (the EFI stub or the kernel printed), collecting (the capture /init\n"
               "runs), checking. When QEMU or swtpm fails, the last lines of its output are printed.\n\n"
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
               "  --accel ACCEL        auto (default): KVM with -cpu qemu64, and TCG when the guest cannot\n"
               "                       start under KVM (QEMU exits or reports a KVM error before the\n"
               "                       firmware prints, or the firmware stays silent %u s), saying so;\n"
               "                       kvm: KVM only (QEMU's own message when it fails); tcg: TCG only\n"
               "  --secure-boot        q35 with SMM and a secure flash (use with Secure Boot firmware and keys)\n"
               "  --timeout SEC        kill the VM after SEC seconds (default 300)\n"
               "  --memory MIB         guest memory (default 1024)\n"
               "  --pcr-banks LIST     banks swtpm allocates (default sha1,sha256)\n"
               "  --busybox PATH       a static busybox (default: busybox in PATH)\n"
               "  --keep-work          keep the private work directory (printed on stderr)\n"
               "  --write-initrd FILE  only write the capture initrd (newc cpio) to FILE and exit\n"
               "  --json               print the check result as JSON\n"
               "  -h, --help           this help\n\n"
               "Examples:\n"
               "  %s tpm capture --kernel vmlinuz --append 'console=ttyS0 panic=-1' -o ref/\n"
               "  %s tpm capture --write-initrd capture.cpio   # then embed it as a UKI's .initrd\n"
               "  %s tpm capture --uki uki.efi --secure-boot --accel tcg -o ref-sb/ --json\n\n"
               "Exit status: 0 the log replays to the captured PCRs, 1 it does not, 2 bad input or usage,\n"
               "3 a missing tool (qemu, swtpm, OVMF, busybox), a VM that failed or timed out, I/O error.\n",
               program_name, program_name, DEFAULT_APPEND, DEFAULT_OVMF_CODE, DEFAULT_OVMF_SB_CODE,
               DEFAULT_OVMF_VARS, DEFAULT_OVMF_SB_VARS, CT_CAPTURE_KVM_PROBE_S, program_name, program_name,
               program_name);
}

struct opts {
        const char *kernel, *initrd, *append, *uki, *out, *ovmf, *vars, *busybox, *banks, *write_initrd;
        bool secure_boot, keep, json;
        unsigned long long timeout, memory;
        ct_capture_accel accel;
};

/* Read busybox (and the image's initrd) and build the capture initrd. */
static int make_initrd(const char *busybox, const char *initrd, uint8_t **ret, size_t *ret_len)
{
        ct_blob bb = { 0 }, ird = { 0 };
        ct_error err;
        int rc = EXIT_OK;

        if (initrd && ct_blob_read(initrd, MAX_INITRD, &ird, &err) != CT_OK)
                return tool_fail(&err, initrd);
        if (ct_blob_read(busybox, CT_CAPTURE_MAX_BUSYBOX, &bb, &err) != CT_OK)
                rc = tool_fail(&err, busybox);
        else if (ct_capture_initrd(ird.data, ird.len, bb.data, bb.len, ret, ret_len, &err) != CT_OK)
                rc = tool_fail(&err, NULL);
        ct_blob_free(&bb);
        ct_blob_free(&ird);
        return rc;
}

/* Write console.log, eventlog.bin and pcrs.json into dir: one output set, renamed only when all are written. */
static int write_outputs(const char *dir, const ct_capture_console *cc, const uint8_t *console, size_t console_len)
{
        static const char *const names[] = { "console.log", "eventlog.bin", "pcrs.json" };
        json_object *o = tool_pcrset_json(&cc->pcrs);
        const char *js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
        const void *data[3] = { console, cc->log, js };
        size_t len[3] = { console_len, cc->log_len, strlen(js) };
        ct_outputs *outs = NULL;
        ct_error err;
        int rc = EXIT_OK;

        ct_error_clear(&err);
        if (ct_outputs_new(&outs, &err)) {
                json_object_put(o);
                return tool_fail(&err, dir);
        }
        for (unsigned i = 0; i < 3 && rc == EXIT_OK; i++) {
                char p[4200];
                ct_atomic_file *f;
                snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
                if (ct_outputs_add(outs, p, &f, &err) != CT_OK ||
                    ct_atomic_write(f, data[i], len[i], &err) != CT_OK ||
                    (i == 2 && ct_atomic_write(f, "\n", 1, &err) != CT_OK))
                        rc = tool_fail(&err, p);
        }
        if (rc == EXIT_OK && ct_outputs_commit(outs, &err) != CT_OK)
                rc = tool_fail(&err, dir);
        ct_outputs_free(outs);
        json_object_put(o);
        return rc;
}

static int need_file(const char *path, const char *what)
{
        if (access(path, R_OK) != 0)
                return tool_errorf(EXIT_INTERNAL, "%s %s: %s", what, path, strerror(errno));
        return EXIT_OK;
}

/* -o DIR: an existing writable directory, or created now (before the boot). *made: we created it. */
static int prepare_output(const char *dir, bool *made)
{
        struct stat st;

        *made = false;
        if (stat(dir, &st) == 0) {
                if (!S_ISDIR(st.st_mode))
                        return tool_errorf(EXIT_BAD_INPUT, "-o %s: not a directory", dir);
                if (access(dir, W_OK | X_OK) != 0)
                        return tool_errorf(EXIT_INTERNAL, "-o %s: %s", dir, strerror(errno));
                return EXIT_OK;
        }
        if (mkdir(dir, 0755) < 0)
                return tool_errorf(EXIT_INTERNAL, "-o %s: cannot create it: %s", dir, strerror(errno));
        *made = true;
        return EXIT_OK;
}

static void progress(ct_capture_note n, ct_capture_phase phase, double t, const char *text, void *userdata)
{
        (void)userdata;
        if (n == CT_CAPTURE_NOTE_FALLBACK)
                fprintf(stderr, "%s: tpm capture: %5.1f s: KVM cannot run the guest here (%s); falling back to TCG\n",
                        program_name, t, text && *text ? text : "no reason given");
        else if (phase == CT_CAPTURE_PHASE_FIRMWARE)
                fprintf(stderr, "%s: tpm capture: %5.1f s: firmware (OVMF under QEMU, %s)\n", program_name, t,
                        text ? text : "");
        else
                fprintf(stderr, "%s: tpm capture: %5.1f s: %s\n", program_name, t,
                        phase == CT_CAPTURE_PHASE_KERNEL ? "kernel" : "collecting the event log and PCRs");
}

/* Print the failed program's last output lines under the error, indented. */
static void print_failure_output(const char *text)
{
        const char *p = text;

        if (!*p)
                return;
        fprintf(stderr, "%s: its last output:\n", program_name);
        while (*p) {
                const char *nl = strchr(p, '\n');
                int n = nl ? (int)(nl - p) : (int)strlen(p);
                fprintf(stderr, "    %.*s\n", n, p);
                p += n + (nl ? 1 : 0);
        }
}

/* Replay the captured log and check it against the captured PCRs (ct_tpm_check_log). Returns the exit status. */
static int check_capture(const char *dir, const ct_capture_console *c, bool json)
{
        ct_tpm_check *chk = NULL;
        ct_error err;
        bool ok;
        int rc;

        if (ct_tpm_check_log(c->log, c->log_len, &c->pcrs, 0, 0, &chk, &err) != CT_OK) {
                char p[4096];
                snprintf(p, sizeof(p), "%s/eventlog.bin", dir);
                return tool_fail(&err, p);
        }
        if (chk->replay.info.truncated)
                fprintf(stderr, "%s: %s/eventlog.bin: warning: the log ends inside its last record at offset 0x%llx\n",
                        program_name, dir, (unsigned long long)chk->replay.info.truncated_offset);
        ok = ct_tpm_check_ok(chk) && chk->n_not_in_pcrs == 0 && chk->n_explained > 0;
        if (json) {
                json_object *o = tool_json_new();
                tool_json_add_str(o, "output", dir);
                tool_json_add_int(o, "eventlog_size", (int64_t)c->log_len);
                tool_json_add_int(o, "events", chk->replay.n_events);
                json_object_object_add(o, "banks", tool_check_banks_json(chk));
                json_object_object_add(o, "mismatches", tool_check_mismatches_json(chk));
                tool_json_add_bool(o, "ok", ok);
                if ((rc = tool_json_emit(o, NULL)) != EXIT_OK) {
                        ct_tpm_check_free(chk);
                        return rc;
                }
        } else {
                for (unsigned k = 0; k < chk->n_banks; k++) {
                        const ct_tpm_check_bank *b = &chk->banks[k];
                        printf("%s:", ct_hash_name(b->alg));
                        for (unsigned i = 0; i < CT_PCR_COUNT; i++)
                                if ((b->explained | b->mismatch | b->not_in_pcrs) & (1u << i))
                                        printf(" %u%s", i, b->explained & (1u << i) ? "" : "(MISMATCH)");
                        printf("\n");
                }
                if (!ok && chk->n_mismatches) {
                        printf("\n");
                        tool_check_print_text(chk, "PCRS");
                }
                printf("%s: %s/eventlog.bin (%u events) replays to %u of the %u logged PCR values in %s/pcrs.json\n",
                       ok ? "OK" : "MISMATCH", dir, chk->replay.n_events, chk->n_explained,
                       chk->n_explained + chk->n_mismatch + chk->n_not_in_pcrs, dir);
        }
        rc = ok ? EXIT_OK : EXIT_VERIFY_FAILED;
        ct_tpm_check_free(chk);
        return rc;
}

static int run_capture(const struct opts *o)
{
        const char *code = o->ovmf ? o->ovmf : (o->secure_boot ? DEFAULT_OVMF_SB_CODE : DEFAULT_OVMF_CODE);
        const char *vars = o->vars ? o->vars : (o->secure_boot ? DEFAULT_OVMF_SB_VARS : DEFAULT_OVMF_VARS);
        char *qemu = NULL, *swtpm = NULL, *swtpm_setup = NULL, *busybox = NULL;
        uint8_t *initrd = NULL;
        size_t initrd_len = 0;
        ct_capture *cap = NULL;
        struct timespec t0;
        ct_error err;
        int rc = EXIT_INTERNAL;
        bool made_out = false;

        /* Tools and inputs first: clear errors before anything starts. */
        qemu = ct_sup_find_program("qemu-system-x86_64");
        swtpm = ct_sup_find_program("swtpm");
        swtpm_setup = ct_sup_find_program("swtpm_setup");
        if (!o->uki)
                busybox = o->busybox ? strdup(o->busybox) : ct_sup_find_program("busybox");
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
        if (!o->uki && (rc = make_initrd(busybox, o->initrd, &initrd, &initrd_len)) != EXIT_OK)
                goto out;
        if ((rc = prepare_output(o->out, &made_out)) != EXIT_OK)
                goto out;
        {
                ct_capture_opts co = {
                        .qemu = qemu, .swtpm = swtpm, .swtpm_setup = swtpm_setup, .ovmf_code = code,
                        .ovmf_vars = vars, .kernel = o->kernel, .initrd = initrd, .initrd_len = initrd_len,
                        .append = o->kernel ? (o->append ? o->append : DEFAULT_APPEND) : NULL, .uki = o->uki,
                        .secure_boot = o->secure_boot, .memory_mib = (unsigned)o->memory,
                        .timeout_s = (unsigned)o->timeout, .pcr_banks = o->banks, .accel = o->accel,
                        .tmpdir = getenv("TMPDIR"), .keep_work = o->keep, .notify = progress,
                };
                if (ct_capture_new(&co, &cap, &err) != CT_OK) {
                        rc = tool_fail(&err, NULL);
                        goto out;
                }
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (ct_capture_boot(cap, &err) != CT_OK) {
                rc = tool_fail(&err, NULL);
                print_failure_output(ct_capture_failure_output(cap));
                if (!o->keep && err.code == CT_E_IO)
                        fprintf(stderr, "%s: (--keep-work keeps the work directory with the console log)\n",
                                program_name);
                if (rc == EXIT_OK)
                        rc = EXIT_INTERNAL;
                goto out;
        }
        {
                size_t clen;
                const uint8_t *ctext = ct_capture_console_text(cap, &clen);
                if ((rc = write_outputs(o->out, ct_capture_result(cap), ctext, clen)) != EXIT_OK)
                        goto out;
        }
        made_out = false; /* it holds the outputs now */
        {
                struct timespec t1;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                fprintf(stderr, "%s: tpm capture: %5.1f s: checking the event log against the PCRs (%s)\n",
                        program_name,
                        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                        ct_capture_accel_used(cap) == CT_CAPTURE_ACCEL_KVM ? "booted with KVM" : "booted with TCG");
        }
        rc = check_capture(o->out, ct_capture_result(cap), o->json);
out:
        if (cap && o->keep && ct_capture_workdir(cap)[0])
                fprintf(stderr, "%s: work directory kept: %s\n", program_name, ct_capture_workdir(cap));
        ct_capture_free(cap);
        if (made_out)
                rmdir(o->out);
        free(initrd);
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
                { "accel", required_argument, NULL, 'A' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("tpm capture", capture_help);
        struct opts o = { .timeout = 300, .memory = 1024, .banks = "sha1,sha256", .accel = CT_CAPTURE_ACCEL_AUTO };
        int c;

        while ((c = tool_getopt(&cmd, argc, argv, "o:", opts)) != -1) {
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
                                return tool_cmd_usage(&cmd, "--timeout: seconds between 1 and 86400");
                        break;
                case 'm':
                        if (!tool_parse_u64(optarg, &o.memory) || o.memory < 128 || o.memory > 65536)
                                return tool_cmd_usage(&cmd, "--memory: MiB between 128 and 65536");
                        break;
                case 'p':
                        if (strspn(optarg, "abcdehms0123456789_,") != strlen(optarg) || !*optarg)
                                return tool_cmd_usage(&cmd, "--pcr-banks: a list like sha1,sha256");
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
                case 'A':
                        if (!ct_capture_accel_from_name(optarg, &o.accel))
                                return tool_cmd_usage(&cmd, "--accel: auto, kvm or tcg (not '%s')", optarg);
                        break;
                default:
                        return EXIT_BAD_INPUT;
                }
        }
        if (cmd.done)
                return cmd.status;
        o.json = cmd.json;
        if (optind != argc)
                return tool_cmd_usage(&cmd, "unexpected argument '%s'", argv[optind]);
        if (o.write_initrd) {
                char *bb = o.busybox ? strdup(o.busybox) : ct_sup_find_program("busybox");
                uint8_t *b = NULL;
                size_t n = 0;
                ct_error err;
                int rc;

                if (!bb)
                        return tool_errorf(EXIT_INTERNAL, "busybox not found in PATH (Debian: busybox-static)");
                rc = make_initrd(bb, NULL, &b, &n);
                if (rc == EXIT_OK && ct_write_file_atomic(o.write_initrd, b, n, &err) != CT_OK)
                        rc = tool_fail(&err, o.write_initrd);
                free(b);
                free(bb);
                return rc;
        }
        if (!o.kernel == !o.uki)
                return tool_cmd_usage(&cmd, "give --kernel KERNEL or --uki UKI");
        if (o.uki && (o.initrd || o.append))
                return tool_cmd_usage(&cmd, "--initrd and --append go with --kernel, not --uki");
        if (!o.out)
                return tool_cmd_usage(&cmd, "-o DIR is required");
        if ((o.ovmf == NULL) != (o.vars == NULL))
                return tool_cmd_usage(&cmd, "give --ovmf and --vars together");
        return run_capture(&o);
}

/*
 * The tpm area's verbs. A verb in another file (verb-tpm-quote.c, ...) is one
 * prototype here and one row below.
 */
int tool_tpm_quote(int argc, char **argv);
int tool_tpm_evidence(int argc, char **argv);

static const struct tool_verb verbs[] = {
        { "quote", "verify -m MSG -s SIG -u PUB [-q HEX] [-f PCRS]", tool_tpm_quote, "verify a TPM 2.0 quote (tpm2_checkquote 5.8) (verb-tpm-quote.c)" },
        { "evidence", "verify FILE.json [--init-data-digest HEX]", tool_tpm_evidence, "verify Trustee TPM evidence (verb-tpm-quote.c)" },
        { "capture", "(--kernel K [--initrd I] [--append C] | --uki UKI) -o DIR", verb_capture,
          "boot under QEMU+OVMF+swtpm; capture the event log and PCRs; check them" },
};

const struct tool_area tool_area_tpm = { "tpm", "reference boots with a software TPM", verbs,
                                         sizeof(verbs) / sizeof(verbs[0]) };
