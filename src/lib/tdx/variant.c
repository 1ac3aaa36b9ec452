/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edk2 / QEMU versions -> the behaviours of shared/specs/tdx-measurement.md
 * §2, §4, §4.3, §5, §6 (each also has its own override in the CLI).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/tdx.h>

#include "../internal.h"

static const char *const edk2_known[] = {
        "edk2-stable202211", "edk2-stable202302", "edk2-stable202305", "edk2-stable202308", "edk2-stable202311",
        "edk2-stable202402", "edk2-stable202405", "edk2-stable202408", "edk2-stable202408.01",
        "edk2-stable202411", "edk2-stable202502", "edk2-stable202505", "edk2-stable202508", "edk2-stable202511",
        NULL,
};

static const char *const qemu_known[] = {
        "8.0", "8.1", "8.2", "9.0", "9.1", "9.2", "10.0", "10.1", "10.2", NULL,
};

CT_EXPORT const char *const *ct_tdx_known_edk2(void)
{
        return edk2_known;
}

CT_EXPORT const char *const *ct_tdx_known_qemu(void)
{
        return qemu_known;
}

static void set_edk2(ct_tdx_variant *v, unsigned ym, const char *tag, const char *given)
{
        v->firmware_measures_rtmr = ym >= 202302;
        v->separator_rtmr = ym <= 202408 ? 0 : 1;
        v->fwcfg_events = ym >= 202505;
        v->smbios_event = ym >= 202505;
        v->boot_entries = ym >= 202505 ? CT_TDX_BOOT_MENUAPP_UIAPP : CT_TDX_BOOT_UIAPP;
        v->initrd_marker = ym >= 202508 ? CT_TDX_INITRD_PREFIX : CT_TDX_INITRD_SUFFIX;
        if (given && strcmp(given, tag))
                snprintf(v->edk2, sizeof(v->edk2), "%.24s (from '%.60s')", tag, given);
        else
                snprintf(v->edk2, sizeof(v->edk2), "%s", tag);
}

static void set_qemu(ct_tdx_variant *v, unsigned major, unsigned minor, const char *tag, const char *given)
{
        v->mrtd_order = major == 8 ? CT_TDX_MRTD_TWO_PASS : CT_TDX_MRTD_SINGLE_PASS;
        v->pic = major == 8;
        v->kernel_header = (major < 10 || (major == 10 && minor < 2)) ? CT_TDX_KERNEL_PATCHED : CT_TDX_KERNEL_UNPATCHED;
        if (given && strcmp(given, tag))
                snprintf(v->qemu, sizeof(v->qemu), "%.24s (from '%.60s')", tag, given);
        else
                snprintf(v->qemu, sizeof(v->qemu), "%s", tag);
}

CT_EXPORT void ct_tdx_variant_default(ct_tdx_variant *ret)
{
        ct_tdx_variant v;

        memset(&v, 0, sizeof(v));
        v.stub = CT_TDX_STUB_CMDLINE_INITRD;
        set_edk2(&v, 202511, "edk2-stable202511", NULL);
        set_qemu(&v, 10, 2, "10.2", NULL);
        *ret = v;
}

static void list(char *out, size_t cap, const char *const *names)
{
        size_t used = 0;

        out[0] = 0;
        for (size_t i = 0; names[i] && used < cap; i++)
                used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ", " : "", names[i]);
}

/* First "20YYMM" / "20YY.MM" in s (with ".NN" after a 6-digit form); false if none. */
static bool find_edk2(const char *s, unsigned *ret_ym, bool *ret_point)
{
        for (const char *p = s; *p; p++) {
                if (p != s && isdigit((unsigned char)p[-1]))
                        continue;
                if (p[0] != '2' || p[1] != '0' || !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]))
                        continue;
                if (isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]) && !isdigit((unsigned char)p[6])) {
                        *ret_ym = (unsigned)((p[0] - '0') * 100000 + (p[1] - '0') * 10000 + (p[2] - '0') * 1000 +
                                             (p[3] - '0') * 100 + (p[4] - '0') * 10 + (p[5] - '0'));
                        *ret_point = p[6] == '.' && p[7] == '0' && p[8] == '1' && !isdigit((unsigned char)p[9]);
                        return true;
                }
                if (p[4] == '.' && isdigit((unsigned char)p[5]) && isdigit((unsigned char)p[6]) &&
                    !isdigit((unsigned char)p[7])) {
                        *ret_ym = (unsigned)((p[0] - '0') * 100000 + (p[1] - '0') * 10000 + (p[2] - '0') * 1000 +
                                             (p[3] - '0') * 100 + (p[5] - '0') * 10 + (p[6] - '0'));
                        *ret_point = false;
                        return true;
                }
        }
        return false;
}

CT_EXPORT ct_code ct_tdx_variant_apply(ct_tdx_variant *v, const char *edk2, const char *qemu, ct_error *err)
{
        char known[512];

        if (edk2) {
                unsigned ym;
                bool point;
                char tag[32];
                size_t i;

                if (!find_edk2(edk2, &ym, &point))
                        ym = 0;
                snprintf(tag, sizeof(tag), "edk2-stable%06u%s", ym, point ? ".01" : "");
                for (i = 0; edk2_known[i]; i++)
                        if (!strcmp(edk2_known[i], tag))
                                break;
                if (!ym || !edk2_known[i]) {
                        list(known, sizeof(known), edk2_known);
                        return ct_error_set(err, CT_E_UNSUPPORTED,
                                            "unknown edk2 version '%s'; known releases (tags, YYYYMM, YYYY.MM or a "
                                            "package version starting with one): %s",
                                            edk2, known);
                }
                set_edk2(v, ym, tag, edk2);
        }
        if (qemu) {
                const char *p = qemu, *colon = strchr(qemu, ':');
                unsigned major = 0, minor = 0;
                char tag[16], *end;
                size_t i;

                if (colon && colon - qemu <= 3)
                        p = colon + 1; /* Debian epoch "1:" */
                major = (unsigned)strtoul(p, &end, 10);
                if (end != p && *end == '.' && isdigit((unsigned char)end[1]))
                        minor = (unsigned)strtoul(end + 1, &end, 10);
                else
                        major = 0;
                snprintf(tag, sizeof(tag), "%u.%u", major, minor);
                for (i = 0; qemu_known[i]; i++)
                        if (!strcmp(qemu_known[i], tag))
                                break;
                if (!major || !qemu_known[i]) {
                        list(known, sizeof(known), qemu_known);
                        return ct_error_set(err, CT_E_UNSUPPORTED,
                                            "unknown QEMU version '%s'%s; known: %s (or a package version such as "
                                            "'1:8.2.2+ds-0ubuntu1')",
                                            qemu, major && major < 8 ? " (QEMU before 8.0 has no TDX support)" : "",
                                            known);
                }
                set_qemu(v, major, minor, tag, qemu);
        }
        return CT_OK;
}
