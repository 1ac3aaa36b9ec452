/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdx acpi-dump: boot QEMU under TCG with a tiny static /init that prints
 * fw_cfg's etc/table-loader, etc/acpi/rsdp and etc/acpi/tables (base64) on
 * the console, and parse that console output (untrusted, bounded).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cocotrust/capture.h>
#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/tdx.h>
#include "../internal.h"

static const char *const blob_names[3] = { "etc/table-loader", "etc/acpi/rsdp", "etc/acpi/tables" };

CT_EXPORT const char *ct_tdx_acpi_blob_name(ct_tdx_acpi_blob i)
{
        return (unsigned)i < 3 ? blob_names[i] : "?";
}

CT_EXPORT void ct_tdx_acpi_dump_free(ct_tdx_acpi_dump *d)
{
        if (!d)
                return;
        for (int i = 0; i < 3; i++)
                free(d->data[i]);
        memset(d, 0, sizeof(*d));
}

static bool is_b64(const char *s, size_t n)
{
        if (n == 0 || n % 4)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                      c == '/' || (c == '=' && i + 2 >= n)))
                        return false;
        }
        return true;
}

CT_EXPORT ct_code ct_tdx_acpi_parse_console(const void *text, size_t len, ct_tdx_acpi_dump *ret, ct_error *err)
{
        const char *t = text;
        ct_tdx_acpi_dump d = { 0 };
        bool begun = false, have[3] = { false, false, false };
        int cur = -1;       /* file being read */
        size_t want = 0, got = 0;
        ct_code rc = CT_OK;

        if (!ret || (!text && len))
                return ct_error_set(err, CT_E_ARG, "no console text");
        if (len > CT_TDX_ACPI_MAX_CONSOLE)
                return ct_error_set(err, CT_E_LIMIT, "console output: %zu bytes, more than %u", len,
                                    CT_TDX_ACPI_MAX_CONSOLE);
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(t + pos, '\n', len - pos);
                size_t end = nl ? (size_t)(nl - t) : len, n = end - pos;
                const char *l = t + pos;
                size_t at = pos;
                char line[CT_TDX_ACPI_MAX_LINE + 1];

                pos = nl ? end + 1 : len;
                if (n && l[n - 1] == '\r')
                        n--;
                if (n > CT_TDX_ACPI_MAX_LINE) {
                        if (begun && !d.complete) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, at, "console line of %zu bytes", n);
                                goto fail;
                        }
                        continue;
                }
                memcpy(line, l, n);
                line[n] = '\0';
                if (!begun) {
                        if (!strcmp(line, "==COCOTRUST-FWCFG-BEGIN=="))
                                begun = true;
                        continue;
                }
                if (d.complete)
                        continue;
                if (n == 0 || line[0] == '[')
                        continue; /* kernel messages on the same console */
                if (!strncmp(line, "==ERROR== ", 10)) {
                        snprintf(d.guest_error, sizeof(d.guest_error), "%.250s", line + 10);
                        continue;
                }
                if (cur >= 0) {
                        if (!strcmp(line, "==FILE-END==")) {
                                if (got != want) {
                                        rc = ct_error_set_at(err, CT_E_MALFORMED, at,
                                                             "%s: %zu bytes decoded, %zu announced",
                                                             blob_names[cur], got, want);
                                        goto fail;
                                }
                                have[cur] = true;
                                d.len[cur] = got;
                                cur = -1;
                                continue;
                        }
                        size_t dec = 0, room = want - got;

                        if (!is_b64(line, n) || n / 4 * 3 > room + 2) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, at,
                                                     "%s: not a base64 line of the announced size",
                                                     blob_names[cur]);
                                goto fail;
                        }
                        uint8_t tmp[CT_TDX_ACPI_MAX_LINE];

                        if (ct_base64_decode(line, tmp, sizeof(tmp), &dec, NULL) || dec > room) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, at, "%s: bad base64 line",
                                                     blob_names[cur]);
                                goto fail;
                        }
                        memcpy(d.data[cur] + got, tmp, dec);
                        got += dec;
                        continue;
                }
                if (!strncmp(line, "==FILE== ", 9)) {
                        char name[64];
                        unsigned long long size;
                        int k = -1, used = 0;

                        if (sscanf(line + 9, "%63s %llu%n", name, &size, &used) != 2 || line[9 + used] ||
                            line[9] == ' ') {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, at, "bad ==FILE== line");
                                goto fail;
                        }
                        for (int i = 0; i < 3; i++)
                                if (!strcmp(name, blob_names[i]))
                                        k = i;
                        if (k < 0 || have[k]) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, at, "%s: %s fw_cfg file", name,
                                                     k < 0 ? "unexpected" : "second");
                                goto fail;
                        }
                        if (size > CT_TDX_ACPI_MAX_BLOB) {
                                rc = ct_error_set_at(err, CT_E_LIMIT, at, "%s: %llu bytes, more than %u", name,
                                                     size, CT_TDX_ACPI_MAX_BLOB);
                                goto fail;
                        }
                        free(d.data[k]);
                        if (!(d.data[k] = malloc(size ? size : 1))) {
                                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                                goto fail;
                        }
                        cur = k;
                        want = (size_t)size;
                        got = 0;
                        continue;
                }
                if (!strcmp(line, "==COCOTRUST-FWCFG-END==")) {
                        if (!have[0] || !have[1] || !have[2]) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, at, "end marker before all three files");
                                goto fail;
                        }
                        d.complete = true;
                        continue;
                }
                /* anything else after the begin marker: user-space noise is not expected */
                rc = ct_error_set_at(err, CT_E_MALFORMED, at, "unexpected console line after the begin marker");
                goto fail;
        }
        *ret = d;
        return CT_OK;
fail:
        ct_tdx_acpi_dump_free(&d);
        return rc;
}

CT_EXPORT ct_code ct_tdx_acpi_initrd(const void *helper, size_t helper_len, uint8_t **ret_data, size_t *ret_len,
                                     ct_error *err)
{
        ct_cpio *c = NULL;
        ct_code rc;

        if ((rc = ct_cpio_new(&c, err)))
                return rc;
        if (!(rc = ct_cpio_add(c, "dev", 040755, 0, 0, NULL, 0, err)) &&
            !(rc = ct_cpio_add(c, "dev/console", 020600, 5, 1, NULL, 0, err)) &&
            !(rc = ct_cpio_add(c, "init", 0100755, 0, 0, helper, helper_len, err)))
                rc = ct_cpio_finish(c, ret_data, ret_len, err);
        ct_cpio_free(c);
        return rc;
}

struct collect {
        uint8_t *buf;
        size_t len, cap;
        bool over;
};

static bool on_out(const uint8_t *data, size_t len, void *userdata)
{
        struct collect *c = userdata;

        if (c->over || len > CT_TDX_ACPI_MAX_CONSOLE - c->len) {
                c->over = true;
                return true;
        }
        if (c->len + len > c->cap) {
                size_t nc = c->cap ? c->cap : 1 << 20;
                uint8_t *nb;

                while (nc < c->len + len)
                        nc *= 2;
                if (!(nb = realloc(c->buf, nc))) {
                        c->over = true;
                        return true;
                }
                c->buf = nb;
                c->cap = nc;
        }
        memcpy(c->buf + c->len, data, len);
        c->len += len;
        return false;
}

CT_EXPORT ct_code ct_tdx_acpi_boot(const ct_tdx_acpi_opts *o, ct_tdx_acpi_dump *ret, char *failure, size_t cap,
                                   ct_error *err)
{
        char dir[4096], kpath[4200], ipath[4200], smp[32], mem[32];
        const char *tmp = o && o->tmpdir ? o->tmpdir : getenv("TMPDIR");
        struct collect col = { 0 };
        ct_sup *sup = NULL;
        ct_sup_child *child = NULL;
        ct_sup_outcome outcome;
        ct_blob kernel = { 0 };
        char **argv = NULL;
        ct_code rc;
        size_t n = 0;

        if (failure && cap)
                failure[0] = '\0';
        if (!o || !o->qemu || !o->kernel || !o->initrd || !ret || !o->vcpus || !o->memory_mib)
                return ct_error_set(err, CT_E_ARG, "acpi boot: missing option");
        if (!tmp || !*tmp)
                tmp = "/tmp";
        snprintf(dir, sizeof(dir), "%s/cocotrust-acpi.XXXXXX", tmp);
        if (!mkdtemp(dir))
                return ct_error_set_errno(err, errno, "%s", dir);
        snprintf(kpath, sizeof(kpath), "%s/kernel", dir);
        snprintf(ipath, sizeof(ipath), "%s/initrd", dir);
        snprintf(smp, sizeof(smp), "%u", o->vcpus);
        snprintf(mem, sizeof(mem), "%u", o->memory_mib);
        if ((rc = ct_blob_read(o->kernel, 256u << 20, &kernel, err))) {
                ct_error_default_input(err, o->kernel);
                goto out;
        }
        if ((rc = ct_write_file_atomic(kpath, kernel.data, kernel.len, err)) ||
            (rc = ct_write_file_atomic(ipath, o->initrd, o->initrd_len, err)))
                goto out;
        const char *fixed[] = { o->qemu, "-machine", "q35", "-accel", "tcg", "-m", mem, "-smp", smp, "-nographic",
                                "-no-reboot", "-kernel",
                                kpath, "-initrd", ipath, "-append",
                                "console=ttyS0 no_timer_check panic=-1 quiet loglevel=0" };
        size_t nf = sizeof(fixed) / sizeof(fixed[0]);

        if (o->n_qemu_args > 256) {
                rc = ct_error_set(err, CT_E_LIMIT, "more than 256 QEMU arguments");
                goto out;
        }
        if (!(argv = calloc(nf + o->n_qemu_args + 1, sizeof(*argv)))) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < nf; i++)
                argv[n++] = (char *)fixed[i];
        for (size_t i = 0; i < o->n_qemu_args; i++)
                argv[n++] = (char *)o->qemu_args[i];
        if ((rc = ct_sup_new(CT_SUP_SIGNALS, &sup, err)))
                goto out;
        ct_sup_spawn_opts so = { .name = "qemu", .on_stdout = on_out, .userdata = &col };
        unsigned timeout = o->timeout_s ? o->timeout_s : 300;

        if ((rc = ct_sup_run(sup, argv, &so, (int)(timeout * 1000u), &child, &outcome, err)))
                goto out;
        if (col.over) {
                rc = ct_error_set(err, CT_E_LIMIT, "console output: more than %u bytes", CT_TDX_ACPI_MAX_CONSOLE);
                goto out;
        }
        ct_sup_status st;

        ct_sup_child_status(child, &st);
        if (outcome != CT_SUP_EXITED || !st.exited || st.exit_code != 0) {
                if (failure && cap)
                        snprintf(failure, cap, "%s", ct_sup_child_tail(child, 10));
                rc = ct_error_set(err, CT_E_IO, "qemu %s",
                                  outcome == CT_SUP_TIMEOUT       ? "timed out"
                                  : outcome == CT_SUP_INTERRUPTED ? "was interrupted"
                                                                  : "failed");
                goto out;
        }
        ct_tdx_acpi_dump d;

        if ((rc = ct_tdx_acpi_parse_console(col.buf, col.len, &d, err))) {
                if (err && err->has_offset)
                        ct_error_prefix(err, "offset %llu", (unsigned long long)err->offset);
                ct_error_set_input(err, "QEMU console");
                goto out;
        }
        if (!d.complete) {
                if (failure && cap)
                        snprintf(failure, cap, "%s", d.guest_error[0] ? d.guest_error : ct_sup_child_tail(child, 10));
                ct_tdx_acpi_dump_free(&d);
                rc = ct_error_set(err, CT_E_IO, "the guest did not print the fw_cfg dump");
                goto out;
        }
        *ret = d;
out:
        ct_sup_free(sup);
        free(argv);
        free(col.buf);
        ct_blob_free(&kernel);
        unlink(kpath);
        unlink(ipath);
        rmdir(dir);
        return rc;
}
