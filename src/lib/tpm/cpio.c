/* SPDX-License-Identifier: Apache-2.0 */
/* newc cpio writer and the capture initrd (busybox + a /init that dumps the event log and PCRs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/capture.h>

#include "../internal.h"

struct ct_cpio {
        uint8_t *p;
        size_t len, cap;
        uint32_t ino;
};

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

CT_EXPORT const char *ct_capture_init_script(void)
{
        return capture_init;
}

CT_EXPORT ct_code ct_cpio_new(ct_cpio **ret, ct_error *err)
{
        ct_cpio *c = calloc(1, sizeof(*c));

        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        *ret = c;
        return CT_OK;
}

CT_EXPORT void ct_cpio_free(ct_cpio *c)
{
        if (!c)
                return;
        free(c->p);
        free(c);
}

static ct_code put(ct_cpio *c, const void *p, size_t n, ct_error *err)
{
        if (n > CT_CPIO_MAX_SIZE || c->len > CT_CPIO_MAX_SIZE - n)
                return ct_error_set(err, CT_E_LIMIT, "cpio archive beyond %u MiB", CT_CPIO_MAX_SIZE >> 20);
        if (c->len + n > c->cap) {
                size_t cap = c->cap ? c->cap : 4096;
                uint8_t *np;

                while (cap < c->len + n)
                        cap *= 2; /* cannot wrap: len + n <= 1 GiB */
                np = realloc(c->p, cap);
                if (!np)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                c->p = np;
                c->cap = cap;
        }
        if (n)
                memcpy(c->p + c->len, p, n);
        c->len += n;
        return CT_OK;
}

static ct_code pad4(ct_cpio *c, ct_error *err)
{
        static const uint8_t zero[4];

        return put(c, zero, (4 - c->len % 4) % 4, err);
}

CT_EXPORT ct_code ct_cpio_append_raw(ct_cpio *c, const void *data, size_t len, ct_error *err)
{
        ct_code rc = put(c, data, len, err);

        return rc ? rc : pad4(c, err);
}

static ct_code entry(ct_cpio *c, uint32_t ino, const char *name, uint32_t mode, uint32_t rmaj, uint32_t rmin,
                     const void *data, size_t size, ct_error *err)
{
        size_t nlen = name ? strlen(name) : 0;
        char hdr[111];
        ct_code rc;

        if (nlen == 0 || nlen > CT_CPIO_MAX_NAME)
                return ct_error_set(err, CT_E_ARG, "cpio: entry name empty or longer than %u bytes", CT_CPIO_MAX_NAME);
        if (size > CT_CPIO_MAX_SIZE)
                return ct_error_set(err, CT_E_LIMIT, "cpio: %s: %zu bytes beyond %u MiB", name, size,
                                    CT_CPIO_MAX_SIZE >> 20);
        /* c_magic c_ino c_mode c_uid c_gid c_nlink c_mtime c_filesize c_devmajor c_devminor
         * c_rdevmajor c_rdevminor c_namesize c_check */
        snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0u, 0u,
                 1u, 0u, (unsigned)size, 0u, 0u, rmaj, rmin, (unsigned)nlen + 1, 0u);
        if ((rc = put(c, hdr, 110, err)) || (rc = put(c, name, nlen + 1, err)) || (rc = pad4(c, err)) ||
            (rc = put(c, data, size, err)) || (rc = pad4(c, err)))
                return rc;
        return CT_OK;
}

CT_EXPORT ct_code ct_cpio_add(ct_cpio *c, const char *name, uint32_t mode, uint32_t rdev_major, uint32_t rdev_minor,
                              const void *data, size_t size, ct_error *err)
{
        ct_code rc;

        if (name && name[0] == '/')
                return ct_error_set(err, CT_E_ARG, "cpio: entry name '%s' starts with '/'", name);
        rc = entry(c, c->ino + 1, name, mode, rdev_major, rdev_minor, data, size, err);
        if (rc == CT_OK)
                c->ino++;
        return rc;
}

CT_EXPORT ct_code ct_cpio_finish(ct_cpio *c, uint8_t **ret_data, size_t *ret_len, ct_error *err)
{
        ct_code rc = entry(c, 0, "TRAILER!!!", 0, 0, 0, NULL, 0, err);

        if (rc)
                return rc;
        *ret_data = c->p;
        *ret_len = c->len;
        c->p = NULL;
        c->len = c->cap = 0;
        c->ino = 0;
        return CT_OK;
}

CT_EXPORT ct_code ct_capture_initrd(const void *prefix, size_t prefix_len, const void *busybox, size_t busybox_len,
                                    uint8_t **ret_data, size_t *ret_len, ct_error *err)
{
        ct_cpio *c = NULL;
        ct_code rc;

        if (busybox_len > CT_CAPTURE_MAX_BUSYBOX)
                return ct_error_set(err, CT_E_LIMIT, "busybox: %zu bytes beyond %u MiB", busybox_len,
                                    CT_CAPTURE_MAX_BUSYBOX >> 20);
        if ((rc = ct_cpio_new(&c, err)))
                return rc;
        if (prefix_len)
                rc = ct_cpio_append_raw(c, prefix, prefix_len, err);
        if (!rc)
                rc = ct_cpio_add(c, "dev", 040755, 0, 0, NULL, 0, err);
        if (!rc)
                rc = ct_cpio_add(c, "dev/console", 020600, 5, 1, NULL, 0, err);
        if (!rc)
                rc = ct_cpio_add(c, "bin", 040755, 0, 0, NULL, 0, err);
        if (!rc)
                rc = ct_cpio_add(c, "bin/busybox", 0100755, 0, 0, busybox, busybox_len, err);
        if (!rc)
                rc = ct_cpio_add(c, "proc", 040755, 0, 0, NULL, 0, err);
        if (!rc)
                rc = ct_cpio_add(c, "sys", 040755, 0, 0, NULL, 0, err);
        if (!rc)
                rc = ct_cpio_add(c, "init", 0100755, 0, 0, capture_init, strlen(capture_init), err);
        if (!rc)
                rc = ct_cpio_finish(c, ret_data, ret_len, err);
        ct_cpio_free(c);
        return rc;
}
