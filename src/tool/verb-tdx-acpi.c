/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust tdx acpi-dump — QEMU's ACPI fw_cfg blobs (etc/table-loader,
 * etc/acpi/rsdp, etc/acpi/tables) from a TCG boot of the machine shape
 * given, for `tdx measure --acpi-dir`. The boot and the console parser are
 * in the library (ct_tdx_acpi_*); the guest's /init is src/guest/fwcfg-dump.c,
 * embedded at build time.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cocotrust/capture.h>
#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/hash.h>
#include <cocotrust/tdx.h>

#include "tool.h"

#ifdef CT_NO_FWCFG_HELPER
static const unsigned char tool_fwcfg_helper[1], tool_fwcfg_helper_end[1];
#else
extern const unsigned char tool_fwcfg_helper[], tool_fwcfg_helper_end[];
#endif

#define MAX_QEMU_ARGS 256

static void acpi_help(void)
{
        printf("Usage: %s tdx acpi-dump --kernel BZIMAGE --vcpus N --memory MIB [OPTIONS] -o DIR\n"
               "\n"
               "Boot the installed qemu-system-x86_64 under TCG (-machine q35 -accel tcg -m MIB\n"
               "-smp N) with a tiny static /init that reads fw_cfg through its I/O ports and prints\n"
               "etc/table-loader, etc/acpi/rsdp and etc/acpi/tables on the serial console; write\n"
               "them to DIR/etc/table-loader, DIR/etc/acpi/rsdp, DIR/etc/acpi/tables (all three\n"
               "or none), the layout `tdx measure --acpi-dir DIR` reads. No KVM, no TDX host and\n"
               "no guest module is needed; see docs/tdx.md for the QEMU arguments that make a\n"
               "real TDX guest's tables differ.\n"
               "\n"
               "Options:\n"
               "  --kernel FILE      a Linux bzImage to boot (e.g. tests/vectors/kernel/vmlinuz-*)\n"
               "  --vcpus N          -smp N (1-4096)\n"
               "  --memory MIB       -m MIB (64-16777216)\n"
               "  --qemu-args ARGS   more QEMU arguments, split on spaces, appended last\n"
               "                     (repeatable; e.g. '-cpu host -device virtio-net-pci')\n"
               "  --qemu PATH        QEMU program (default: qemu-system-x86_64 in $PATH)\n"
               "  --timeout S        give up after S seconds (default 300)\n"
               "  -o, --output DIR   output directory (created if missing)\n"
               "  --json             print the sizes and SHA-384 of the three blobs as JSON\n"
               "\n"
               "Example:\n"
               "  %s tdx acpi-dump --kernel vmlinuz --vcpus 4 --memory 4096 -o acpi-4\n"
               "  %s tdx measure --firmware OVMF.fd --acpi-dir acpi-4 --vcpus 4 --memory 4096\n"
               "\n"
               "Exit status: 0 dumped, 2 bad usage or console output, 3 QEMU missing, failed or\n"
               "timed out, or an output could not be written.\n",
               program_name, program_name, program_name);
}

static int write_outputs(const char *dir, const ct_tdx_acpi_dump *d)
{
        char path[4096];
        ct_outputs *outs = NULL;
        ct_error err;

        ct_error_clear(&err);
        static const char *const sub[] = { "", "/etc", "/etc/acpi" };

        for (size_t i = 0; i < 3; i++) {
                snprintf(path, sizeof(path), "%s%s", dir, sub[i]);
                if (mkdir(path, 0755) && errno != EEXIST)
                        return tool_errorf(EXIT_INTERNAL, "%s: %s: %s\n", program_name, path, strerror(errno));
        }
        if (ct_outputs_new(&outs, &err))
                return tool_fail(&err, dir);
        for (int i = 0; i < 3; i++) {
                ct_atomic_file *f;

                snprintf(path, sizeof(path), "%s/%s", dir, ct_tdx_acpi_blob_name((ct_tdx_acpi_blob)i));
                if (ct_outputs_add(outs, path, &f, &err) || ct_atomic_write(f, d->data[i], d->len[i], &err)) {
                        ct_outputs_free(outs);
                        return tool_fail(&err, path);
                }
        }
        if (ct_outputs_commit(outs, &err)) {
                ct_outputs_free(outs);
                return tool_fail(&err, dir);
        }
        ct_outputs_free(outs);
        return EXIT_OK;
}

int tdx_verb_acpi_dump(int argc, char **argv);
int tdx_verb_acpi_dump(int argc, char **argv)
{
        enum { O_KERNEL = 0x100, O_VCPUS, O_MEM, O_QARGS, O_QEMU, O_TIMEOUT };
        static const struct option longopts[] = {
                { "kernel", required_argument, NULL, O_KERNEL }, { "vcpus", required_argument, NULL, O_VCPUS },
                { "memory", required_argument, NULL, O_MEM },    { "qemu-args", required_argument, NULL, O_QARGS },
                { "qemu", required_argument, NULL, O_QEMU },     { "timeout", required_argument, NULL, O_TIMEOUT },
                { "output", required_argument, NULL, 'o' },      { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("tdx acpi-dump", acpi_help);
        const char *kernel = NULL, *outdir = NULL, *qemu_name = "qemu-system-x86_64";
        char *qargs[MAX_QEMU_ARGS], *qemu = NULL, failure[2048];
        char *splits[MAX_QEMU_ARGS];
        size_t n_qargs = 0, n_splits = 0;
        unsigned long long vcpus = 0, mem = 0, timeout = 300;
        ct_tdx_acpi_dump d = { 0 };
        uint8_t *initrd = NULL;
        size_t initrd_len = 0;
        ct_error err;
        int c, rc = EXIT_OK;

        while ((c = tool_getopt(&cmd, argc, argv, "o:", longopts)) != -1) {
                switch (c) {
                case O_KERNEL: kernel = optarg; break;
                case 'o': outdir = optarg; break;
                case O_QEMU: qemu_name = optarg; break;
                case O_VCPUS:
                        if (!tool_parse_u64(optarg, &vcpus) || vcpus < 1 || vcpus > 4096)
                                return tool_cmd_usage(&cmd, "--vcpus: expected 1-4096, not '%s'", optarg);
                        break;
                case O_MEM:
                        if (!tool_parse_u64(optarg, &mem) || mem < 64 || mem > 16777216)
                                return tool_cmd_usage(&cmd, "--memory: expected MiB 64-16777216, not '%s'", optarg);
                        break;
                case O_TIMEOUT:
                        if (!tool_parse_u64(optarg, &timeout) || timeout < 1 || timeout > 86400)
                                return tool_cmd_usage(&cmd, "--timeout: expected seconds 1-86400, not '%s'", optarg);
                        break;
                case O_QARGS: {
                        char *s = strdup(optarg), *save = NULL;

                        if (!s || n_splits == MAX_QEMU_ARGS) {
                                free(s);
                                rc = tool_cmd_usage(&cmd, "--qemu-args: too many");
                                goto out;
                        }
                        splits[n_splits++] = s;
                        for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                                if (n_qargs == MAX_QEMU_ARGS) {
                                        rc = tool_cmd_usage(&cmd, "--qemu-args: more than %d arguments",
                                                            MAX_QEMU_ARGS);
                                        goto out;
                                }
                                qargs[n_qargs++] = t;
                        }
                        break;
                }
                }
        }
        if (cmd.done) {
                rc = cmd.status;
                goto out;
        }
        if (optind != argc || !kernel || !outdir || !vcpus || !mem) {
                rc = tool_cmd_usage(&cmd, "--kernel, --vcpus, --memory and -o are required, no other arguments");
                goto out;
        }
#ifdef CT_NO_FWCFG_HELPER
        rc = tool_errorf(EXIT_INTERNAL, "%s: tdx acpi-dump: not available: this build had no static libc for the "
                         "guest /init (install libc6-dev and rebuild)\n", program_name);
        goto out;
#endif
        if (!(qemu = ct_sup_find_program(qemu_name))) {
                rc = tool_errorf(EXIT_INTERNAL, "%s: %s: not found\n", program_name, qemu_name);
                goto out;
        }
        ct_error_clear(&err);
        if (ct_tdx_acpi_initrd(tool_fwcfg_helper, (size_t)(tool_fwcfg_helper_end - tool_fwcfg_helper), &initrd,
                               &initrd_len, &err)) {
                rc = tool_fail(&err, NULL);
                goto out;
        }
        ct_tdx_acpi_opts o = {
                .qemu = qemu, .kernel = kernel, .initrd = initrd, .initrd_len = initrd_len,
                .vcpus = (unsigned)vcpus, .memory_mib = (unsigned)mem,
                .qemu_args = (const char *const *)qargs, .n_qemu_args = n_qargs, .timeout_s = (unsigned)timeout,
        };

        if (ct_tdx_acpi_boot(&o, &d, failure, sizeof(failure), &err)) {
                rc = tool_fail(&err, err.input[0] ? NULL : qemu);
                if (failure[0])
                        fprintf(stderr, "%s\n", failure);
                goto out;
        }
        if ((rc = write_outputs(outdir, &d)))
                goto out;
        if (cmd.json) {
                json_object *j = tool_json_new(), *files = json_object_new_object();

                json_object_object_add(j, "vcpus", json_object_new_int64((int64_t)vcpus));
                json_object_object_add(j, "memory_mib", json_object_new_int64((int64_t)mem));
                json_object_object_add(j, "output", json_object_new_string(outdir));
                for (int i = 0; i < 3; i++) {
                        json_object *f = json_object_new_object();
                        ct_digest dg;
                        char hex[2 * CT_HASH_MAX_SIZE + 1];

                        ct_hash_buf(CT_HASH_SHA384, d.len[i] ? (const void *)d.data[i] : "", d.len[i], &dg, NULL);
                        ct_hex_encode(dg.bytes, dg.len, hex);
                        json_object_object_add(f, "size", json_object_new_int64((int64_t)d.len[i]));
                        json_object_object_add(f, "sha384", json_object_new_string(hex));
                        json_object_object_add(files, ct_tdx_acpi_blob_name((ct_tdx_acpi_blob)i), f);
                }
                json_object_object_add(j, "files", files);
                rc = tool_json_emit(j, NULL);
        } else {
                for (int i = 0; i < 3; i++)
                        printf("%s/%s: %zu bytes\n", outdir, ct_tdx_acpi_blob_name((ct_tdx_acpi_blob)i), d.len[i]);
        }
out:
        ct_tdx_acpi_dump_free(&d);
        free(initrd);
        free(qemu);
        for (size_t i = 0; i < n_splits; i++)
                free(splits[i]);
        return rc;
}
