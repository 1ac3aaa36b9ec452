/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust tdx measure — MRTD and RTMR 0-2 of QEMU direct boot, every
 * variant as a switch, tables over memory sizes / vCPU counts / versions.
 * The event model is in the library (ct_tdx_measure); this file parses the
 * options, loads the inputs and renders.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/tdx.h>

#include "tool.h"

typedef unsigned long long ull;

#define MAX_LIST 4096
#define MAX_ROWS (1u << 20)
#define MAX_INPUT (1ull << 30)

int tdx_verb_measure(int argc, char **argv);

static void help(FILE *f, const char *prog)
{
        const char *const *e = ct_tdx_known_edk2(), *const *q = ct_tdx_known_qemu();

        fprintf(f,
                "Usage: %s --firmware OVMF.fd [--kernel K [--initrd I] [--append C]] [OPTIONS]\n"
                "\n"
                "MRTD and RTMR 0, 1, 2 of a TD booted by QEMU with OVMF/TDVF (direct boot: -kernel,\n"
                "-initrd, -append), with every extend listed (what was hashed, its digest, the rule),\n"
                "and Trustee's reference values tdvfkernel / tdvfkernelparams. Lists give a table\n"
                "with one row per combination; unchanged work (MRTD, Authenticode) is done once.\n"
                "\n"
                "Inputs:\n"
                "  --firmware FILE       OVMF.fd / TDVF image with TDX metadata (alias --ovmf)\n"
                "  --vars FILE           OVMF_VARS.fd to put before a split OVMF_CODE.fd\n"
                "  --kernel FILE         kernel (bzImage / PE); without it only MRTD and RTMR 0\n"
                "  --initrd FILE         initrd\n"
                "  --append STRING       kernel command line exactly as given to QEMU -append\n"
                "  --memory LIST         guest memory: 2G, 2048M, bytes; lists 1G,2G,4G; ranges 1G-256G\n"
                "                        (step = the start) (default 2G)\n"
                "  --vcpus LIST          vCPU counts: 4, 1,2,4, 1-64 (default 1); they change RTMR 0\n"
                "                        through the ACPI tables only\n"
                "  --acpi-dir DIR        QEMU fw_cfg blobs etc/table-loader, etc/acpi/rsdp,\n"
                "                        etc/acpi/tables (as `tdx acpi-dump` or a guest's\n"
                "                        /sys/firmware/qemu_fw_cfg/by_name writes them; '-' for '/' works);\n"
                "                        %%u in DIR is replaced by the vCPU count\n"
                "  --fwcfg-item NAME=FILE  fw_cfg item OVMF >= 202505 measures (repeat, in QEMU order)\n"
                "  --boot-var NAME=FILE  BootOrder / Boot#### variable data (replaces the default entries)\n"
                "  --smbios-digest HEX   the SMBIOS handoff event digest (edk2 >= 202505)\n"
                "  --digest ID=HEX       use HEX for the event ID (td-hob, cfv, acpi-loader, acpi-rsdp,\n"
                "                        acpi-tables, kernel, load-options, initrd, bootorder, boot0000, ...)\n"
                "\n"
                "Variants (default: newest upstream, edk2-stable202511 + QEMU 10.2):\n"
                "  --edk2 LIST           edk2 release or package version (2024.02-3+tdx1.0)\n"
                "  --qemu LIST           QEMU release or package version (1:8.2.2+ds-0ubuntu1)\n"
                "  and one override per behaviour (applied after --edk2 / --qemu):\n"
                "  --mrtd-order LIST     single-pass | two-pass (QEMU 8.x: two-pass)\n"
                "  --separator-rtmr N    0 (edk2 <= 202408, Canonical TDVF 2024.02) | 1 (>= 202411)\n"
                "  --kernel-header X     patched (QEMU < 10.2) | unpatched (>= 10.2, etc/boot/kernel)\n"
                "  --initrd-marker X     prefix (edk2 >= 202508) | suffix (<= 202505) | none\n"
                "  --stub X              cmdline+initrd (Linux >= 6.9) | cmdline | none (older kernels)\n"
                "  --fwcfg-events on|off  edk2 >= 202505 fw_cfg item events\n"
                "  --smbios-event on|off  edk2 >= 202505 SMBIOS handoff event\n"
                "  --boot-entries X      uiapp (<= 202502) | menuapp+uiapp (>= 202505)\n"
                "  --pic on|off          QEMU 8.x pic=on: recorded; the ACPI dump must match it\n"
                "\n"
                "Output:\n"
                "  --json                JSON (schema_version 1); single rows carry the event lists\n"
                "  --events              event lists in table rows too\n"
                "  -h, --help            this help\n"
                "\n"
                "Known edk2 releases:",
                prog);
        for (; *e; e++)
                fprintf(f, " %s", *e);
        fprintf(f, "\nKnown QEMU releases:");
        for (; *q; q++)
                fprintf(f, " %s", *q);
        fprintf(f,
                "\n\nExamples:\n"
                "  %s --firmware OVMF.fd --kernel vmlinuz --initrd initrd.img --append 'console=ttyS0'\n"
                "  %s --firmware OVMF.fd --kernel vmlinuz --memory 1G,2G,4G --qemu 9.2,10.2 --json\n"
                "  %s --firmware OVMF.fd --acpi-dir dumps/vcpus-%%u --vcpus 1-64 --edk2 202411\n"
                "\n"
                "A register whose inputs are missing (ACPI blobs for RTMR 0, the extra edk2 >= 202505\n"
                "inputs, a kernel for RTMR 1/2) is printed as unknown with what is missing.\n"
                "Exit status: 0 ok, 2 bad input or usage, 3 I/O error.\n",
                prog, prog, prog);
}

static void help0(void)
{
        help(stdout, "cocotrust tdx measure");
}

/* ---- option values ---- */

static bool parse_size(const char *s, uint64_t *ret)
{
        char *end;
        unsigned long long v;
        uint64_t mul = 1;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (end == s || errno)
                return false;
        if (*end) {
                switch (*end) {
                case 'K': case 'k': mul = 1ull << 10; break;
                case 'M': case 'm': mul = 1ull << 20; break;
                case 'G': case 'g': mul = 1ull << 30; break;
                case 'T': case 't': mul = 1ull << 40; break;
                default: return false;
                }
                end++;
                if (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "ib"))
                        end += strlen(end);
                if (*end)
                        return false;
        }
        if (v > UINT64_MAX / mul)
                return false;
        *ret = v * mul;
        return *ret != 0;
}

/* "a,b,c" with ranges "x-y" (step = x for sizes, 1 for counts). */
static int parse_list(const char *opt, const char *s, bool sizes, uint64_t **ret, size_t *ret_n)
{
        char *copy = strdup(s), *save = NULL, *tok;
        uint64_t *v = calloc(MAX_LIST, sizeof(*v));
        size_t n = 0;

        if (!copy || !v) {
                free(copy);
                free(v);
                return tool_errorf(EXIT_INTERNAL, "%s: out of memory\n", program_name);
        }
        for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                char *dash = strchr(tok, '-');
                uint64_t a, b;
                unsigned long long u;

                if (dash)
                        *dash = 0;
                if (sizes ? !parse_size(tok, &a) : !(tool_parse_u64(tok, &u) && (a = u) > 0))
                        goto bad;
                b = a;
                if (dash && (sizes ? !parse_size(dash + 1, &b) : !(tool_parse_u64(dash + 1, &u) && (b = u) > 0)))
                        goto bad;
                if (b < a)
                        goto bad;
                for (uint64_t x = a; x <= b; x += sizes ? a : 1) {
                        if (n == MAX_LIST) {
                                free(copy);
                                free(v);
                                return tool_usage("%s: more than %u values", opt, MAX_LIST);
                        }
                        v[n++] = x;
                        if (x > UINT64_MAX - a)
                                break;
                }
        }
        free(copy);
        if (!n) {
                free(v);
                return tool_usage("%s: empty list", opt);
        }
        *ret = v;
        *ret_n = n;
        return 0;
bad:
        free(copy);
        free(v);
        return tool_usage("%s: cannot parse '%s' (%s)", opt, s,
                          sizes ? "sizes like 2G, 2048M, 1G,2G or 1G-8G" : "counts like 4, 1,2,4 or 1-64");
}

static int split_strings(const char *s, char **ret_copy, const char **out, size_t cap, size_t *ret_n)
{
        char *copy = strdup(s), *save = NULL, *tok;
        size_t n = 0;

        if (!copy)
                return EXIT_INTERNAL;
        for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (n == cap) {
                        free(copy);
                        return tool_usage("more than %zu values in '%s'", cap, s);
                }
                out[n++] = tok;
        }
        *ret_copy = copy;
        *ret_n = n;
        return n ? 0 : tool_usage("empty list '%s'", s);
}

static bool onoff(const char *opt, const char *s, bool *ret)
{
        if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "1"))
                *ret = true;
        else if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "0"))
                *ret = false;
        else {
                tool_usage("%s: expected on or off, got '%s'", opt, s);
                return false;
        }
        return true;
}

struct overrides {
        int separator_rtmr, kernel_header, initrd_marker, stub, fwcfg, smbios, boot_entries, pic; /* -1 = none */
};

static void apply(ct_tdx_variant *v, const struct overrides *o)
{
        if (o->separator_rtmr >= 0)
                v->separator_rtmr = (unsigned)o->separator_rtmr;
        if (o->kernel_header >= 0)
                v->kernel_header = (ct_tdx_kernel_header)o->kernel_header;
        if (o->initrd_marker >= 0)
                v->initrd_marker = (ct_tdx_initrd_marker)o->initrd_marker;
        if (o->stub >= 0)
                v->stub = (ct_tdx_stub)o->stub;
        if (o->fwcfg >= 0)
                v->fwcfg_events = o->fwcfg;
        if (o->smbios >= 0)
                v->smbios_event = o->smbios;
        if (o->boot_entries >= 0)
                v->boot_entries = (ct_tdx_boot_entries)o->boot_entries;
        if (o->pic >= 0)
                v->pic = o->pic;
}

/* ---- inputs ---- */

struct acpi {
        unsigned vcpus;
        ct_blob loader, rsdp, tables;
        ct_digest d[3]; /* their SHA-384, once per vCPU count */
};

static int read_one(const char *dir, const char *const *names, ct_blob *b, const char **ret_path, char *buf,
                    size_t cap)
{
        ct_error err;

        for (size_t i = 0; names[i]; i++) {
                struct stat st;

                snprintf(buf, cap, "%s/%s", dir, names[i]);
                if (stat(buf, &st) || !S_ISREG(st.st_mode))
                        continue;
                ct_error_clear(&err);
                if (ct_blob_read(buf, MAX_INPUT, b, &err)) {
                        tool_fail(&err, buf);
                        return EXIT_INTERNAL;
                }
                *ret_path = buf;
                return 0;
        }
        return tool_errorf(EXIT_BAD_INPUT, "%s: %s: no %s (also tried the other names: %s/raw, '-' for '/')\n",
                           program_name, dir, names[0], names[0]);
}

static int load_acpi(const char *templ, unsigned vcpus, struct acpi *a)
{
        static const char *const loader[] = { "etc/table-loader", "etc-table-loader", "table-loader",
                                              "etc/table-loader/raw", NULL };
        static const char *const rsdp[] = { "etc/acpi/rsdp", "etc-acpi-rsdp", "rsdp", "etc/acpi/rsdp/raw", NULL };
        static const char *const tables[] = { "etc/acpi/tables", "etc-acpi-tables", "tables",
                                              "etc/acpi/tables/raw", NULL };
        char dir[4096], path[4200];
        const char *used;
        int rc;

        memset(a, 0, sizeof(*a));
        a->vcpus = vcpus;
        if (strstr(templ, "%u"))
                snprintf(dir, sizeof(dir), templ, vcpus);
        else
                snprintf(dir, sizeof(dir), "%s", templ);
        if ((rc = read_one(dir, loader, &a->loader, &used, path, sizeof(path))) ||
            (rc = read_one(dir, rsdp, &a->rsdp, &used, path, sizeof(path))) ||
            (rc = read_one(dir, tables, &a->tables, &used, path, sizeof(path))))
                return rc;
        ct_hash_buf(CT_HASH_SHA384, a->loader.len ? (const void *)a->loader.data : "", a->loader.len, &a->d[0], NULL);
        ct_hash_buf(CT_HASH_SHA384, a->rsdp.len ? (const void *)a->rsdp.data : "", a->rsdp.len, &a->d[1], NULL);
        ct_hash_buf(CT_HASH_SHA384, a->tables.len ? (const void *)a->tables.data : "", a->tables.len, &a->d[2], NULL);
        return 0;
}

static void free_acpi(struct acpi *a)
{
        ct_blob_free(&a->loader);
        ct_blob_free(&a->rsdp);
        ct_blob_free(&a->tables);
}

static int read_file(const char *path, ct_blob *b)
{
        ct_error err;

        ct_error_clear(&err);
        if (ct_blob_read(path, MAX_INPUT, b, &err)) {
                tool_fail(&err, path);
                return err.code == CT_E_IO ? EXIT_INTERNAL : EXIT_BAD_INPUT;
        }
        return 0;
}

/* NAME=FILE */
static int name_file(const char *opt, const char *arg, ct_tdx_blob *out, ct_blob *store)
{
        const char *eq = strchr(arg, '=');
        int rc;

        if (!eq || eq == arg)
                return tool_usage("%s: expected NAME=FILE, got '%s'", opt, arg);
        rc = read_file(eq + 1, store);
        if (rc)
                return rc;
        out->name = strndup(arg, (size_t)(eq - arg));
        out->data = store->data;
        out->len = store->len;
        return out->name ? 0 : EXIT_INTERNAL;
}

/* ---- output ---- */

static const char *header_name(ct_tdx_kernel_header h)
{
        return h == CT_TDX_KERNEL_PATCHED ? "patched" : "unpatched";
}

static const char *marker_name(ct_tdx_initrd_marker m)
{
        return m == CT_TDX_INITRD_PREFIX ? "prefix" : m == CT_TDX_INITRD_SUFFIX ? "suffix" : "none";
}

static const char *stub_name(ct_tdx_stub s)
{
        return s == CT_TDX_STUB_CMDLINE_INITRD ? "cmdline+initrd" : s == CT_TDX_STUB_CMDLINE ? "cmdline" : "none";
}

static json_object *variant_json(const ct_tdx_variant *v)
{
        json_object *o = json_object_new_object();

        tool_json_add_str(o, "edk2", v->edk2);
        tool_json_add_str(o, "qemu", v->qemu);
        tool_json_add_str(o, "mrtd_order", ct_tdx_mrtd_order_name(v->mrtd_order));
        tool_json_add_int(o, "separator_rtmr", v->separator_rtmr);
        tool_json_add_str(o, "kernel_header", header_name(v->kernel_header));
        tool_json_add_str(o, "initrd_marker", marker_name(v->initrd_marker));
        tool_json_add_str(o, "stub", stub_name(v->stub));
        tool_json_add_bool(o, "fwcfg_events", v->fwcfg_events);
        tool_json_add_bool(o, "smbios_event", v->smbios_event);
        tool_json_add_str(o, "boot_entries", v->boot_entries == CT_TDX_BOOT_UIAPP ? "uiapp" : "menuapp+uiapp");
        tool_json_add_bool(o, "pic", v->pic);
        tool_json_add_bool(o, "firmware_measures_rtmr", v->firmware_measures_rtmr);
        return o;
}

static const char NOTE_OLD_FW[] =
        "this edk2 release predates TDX RTMR measurement in OvmfPkgX64 (edk2-stable202302): a real TD "
        "booted with it leaves RTMR 0-2 zero; MRTD is real, the RTMR values follow the formulas of newer OVMF";

static const char NOTE_OLD_KERNEL[] =
        "the kernel is older than Linux 6.9, whose EFI stub first measures LoadOptions and the initrd through the CC "
        "measurement protocol: a real TD leaves RTMR 2 empty (--stub none); RTMR 2 below follows --stub";

static json_object *row_json(const ct_tdx_measurement *m, uint64_t memory, unsigned vcpus, bool events)
{
        json_object *o = json_object_new_object(), *r = json_object_new_object();
        char key[16];

        tool_json_add_int(o, "memory", (int64_t)memory);
        tool_json_add_int(o, "memory_mib", (int64_t)(memory >> 20));
        tool_json_add_int(o, "vcpus", vcpus);
        json_object_object_add(o, "variant", variant_json(&m->variant));
        tool_json_add_digest(o, "mrtd", &m->mrtd);
        for (unsigned i = 0; i < 3; i++) {
                snprintf(key, sizeof(key), "rtmr_%u", i);
                if (m->rtmr_known[i])
                        tool_json_add_digest(r, key, &m->rtmr[i]);
                else
                        json_object_object_add(r, key, NULL);
                if (!m->rtmr_known[i]) {
                        snprintf(key, sizeof(key), "rtmr_%u_missing", i);
                        tool_json_add_str(o, key, m->rtmr_missing[i]);
                }
        }
        json_object_object_add(o, "rtmr", r);
        tool_json_add_digest(o, "td_hob", &m->td_hob);
        {
                json_object *tr = json_object_new_object();

                tool_json_add_digest(tr, "mr_td", &m->mrtd);
                for (unsigned i = 1; i < 3; i++) {
                        snprintf(key, sizeof(key), "rtmr_%u", i);
                        if (m->rtmr_known[i])
                                tool_json_add_digest(tr, key, &m->rtmr[i]);
                }
                if (m->has_kernel)
                        tool_json_add_digest(tr, "tdvfkernel", &m->tdvfkernel);
                if (m->has_kernelparams)
                        tool_json_add_digest(tr, "tdvfkernelparams", &m->tdvfkernelparams);
                json_object_object_add(o, "trustee", tr);
        }
        if (!m->variant.firmware_measures_rtmr)
                tool_json_add_str(o, "note", NOTE_OLD_FW);
        if (m->kernel_predates_cc_stub && m->variant.stub != CT_TDX_STUB_NONE)
                tool_json_add_str(o, "kernel_note", NOTE_OLD_KERNEL);
        if (events) {
                json_object *a = json_object_new_array();

                for (size_t i = 0; i < m->n_events; i++) {
                        const ct_tdx_event *e = &m->events[i];
                        json_object *eo = json_object_new_object();

                        tool_json_add_int(eo, "rtmr", e->rtmr);
                        tool_json_add_str(eo, "id", e->id);
                        tool_json_add_int(eo, "type", e->type);
                        tool_json_add_str(eo, "what", e->what);
                        if (e->known)
                                tool_json_add_digest(eo, "digest", &e->digest);
                        else
                                json_object_object_add(eo, "digest", NULL);
                        tool_json_add_str(eo, "rule", e->rule);
                        tool_json_add_bool(eo, "given", e->given);
                        json_object_array_add(a, eo);
                }
                json_object_object_add(o, "events", a);
        }
        return o;
}

static void print_single(const ct_tdx_measurement *m, uint64_t memory, unsigned vcpus)
{
        char hex[2 * CT_HASH_MAX_SIZE + 1];
        const ct_tdx_variant *v = &m->variant;

        printf("variant: %s, QEMU %s; MRTD %s, separator in RTMR %u, kernel header %s, initrd marker %s, stub %s, "
               "fw_cfg events %s, SMBIOS event %s, boot entries %s, pic %s\n",
               v->edk2, v->qemu, ct_tdx_mrtd_order_name(v->mrtd_order), v->separator_rtmr,
               header_name(v->kernel_header), marker_name(v->initrd_marker), stub_name(v->stub),
               v->fwcfg_events ? "on" : "off", v->smbios_event ? "on" : "off",
               v->boot_entries == CT_TDX_BOOT_UIAPP ? "uiapp" : "menuapp+uiapp", v->pic ? "on" : "off");
        printf("guest: %llu MiB, %u vCPUs\n", (ull)(memory >> 20), vcpus);
        if (!v->firmware_measures_rtmr)
                printf("note: %s\n", NOTE_OLD_FW);
        if (m->kernel_predates_cc_stub && v->stub != CT_TDX_STUB_NONE)
                printf("note: %s\n", NOTE_OLD_KERNEL);
        printf("MRTD:   %s\n", ct_digest_hex(&m->mrtd, hex));
        for (unsigned r = 0; r < 3; r++) {
                if (m->rtmr_known[r])
                        printf("RTMR%u:  %s\n", r, ct_digest_hex(&m->rtmr[r], hex));
                else
                        printf("RTMR%u:  unknown (%s)\n", r, m->rtmr_missing[r]);
        }
        if (m->has_kernel)
                printf("tdvfkernel:       %s\n", ct_digest_hex(&m->tdvfkernel, hex));
        if (m->has_kernelparams)
                printf("tdvfkernelparams: %s\n", ct_digest_hex(&m->tdvfkernelparams, hex));
        for (unsigned r = 0; r < 3; r++) {
                bool any = false;

                for (size_t i = 0; i < m->n_events; i++) {
                        const ct_tdx_event *e = &m->events[i];

                        if (e->rtmr != r)
                                continue;
                        if (!any)
                                printf("RTMR%u events:\n", r);
                        any = true;
                        printf("  %-15s %s  %s\n", e->id, e->known ? ct_digest_hex(&e->digest, hex) : "(unknown)",
                               e->what);
                }
        }
}

int tdx_verb_measure(int argc, char **argv)
{
        enum {
                O_FW = 0x100, O_VARS, O_KERNEL, O_INITRD, O_APPEND, O_MEMORY, O_VCPUS, O_ACPI, O_FWCFG, O_BOOTVAR,
                O_SMBIOS, O_DIGEST, O_EDK2, O_QEMU, O_ORDER, O_SEP, O_KHDR, O_MARKER, O_STUB, O_FWCFG_EV,
                O_SMBIOS_EV, O_BOOT_ENTRIES, O_PIC, O_EVENTS,
        };
        static const struct option longopts[] = {
                { "firmware", required_argument, NULL, O_FW }, { "ovmf", required_argument, NULL, O_FW },
                { "vars", required_argument, NULL, O_VARS }, { "kernel", required_argument, NULL, O_KERNEL },
                { "initrd", required_argument, NULL, O_INITRD }, { "append", required_argument, NULL, O_APPEND },
                { "memory", required_argument, NULL, O_MEMORY }, { "vcpus", required_argument, NULL, O_VCPUS },
                { "acpi-dir", required_argument, NULL, O_ACPI }, { "fwcfg-item", required_argument, NULL, O_FWCFG },
                { "boot-var", required_argument, NULL, O_BOOTVAR },
                { "smbios-digest", required_argument, NULL, O_SMBIOS },
                { "digest", required_argument, NULL, O_DIGEST }, { "edk2", required_argument, NULL, O_EDK2 },
                { "qemu", required_argument, NULL, O_QEMU }, { "mrtd-order", required_argument, NULL, O_ORDER },
                { "separator-rtmr", required_argument, NULL, O_SEP },
                { "kernel-header", required_argument, NULL, O_KHDR },
                { "initrd-marker", required_argument, NULL, O_MARKER }, { "stub", required_argument, NULL, O_STUB },
                { "fwcfg-events", required_argument, NULL, O_FWCFG_EV },
                { "smbios-event", required_argument, NULL, O_SMBIOS_EV },
                { "boot-entries", required_argument, NULL, O_BOOT_ENTRIES },
                { "pic", required_argument, NULL, O_PIC },
                { "events", no_argument, NULL, O_EVENTS },
                { NULL, 0, NULL, 0 },
        };
        const char *fw_path = NULL, *vars_path = NULL, *kernel_path = NULL, *initrd_path = NULL, *acpi_dir = NULL;
        const char *memory_s = "2G", *vcpus_s = "1", *edk2_s = NULL, *qemu_s = NULL, *order_s = NULL;
        struct overrides ov = { -1, -1, -1, -1, -1, -1, -1, -1 };
        struct tool_cmd cmd = TOOL_CMD("tdx measure", help0);
        bool json = false, events = false, b;
        ct_tdx_params *p = calloc(1, sizeof(*p));
        ct_tdx_measurement *m = malloc(sizeof(*m));
        ct_blob fw = { 0 }, vars = { 0 }, kernel = { 0 }, initrd = { 0 };
        ct_blob extra[2 * CT_TDX_MAX_BLOBS];
        size_t n_extra = 0;
        uint8_t *combined = NULL;
        uint64_t *mems = NULL, *vcpus = NULL;
        size_t n_mem = 0, n_vcpus = 0, n_edk2 = 1, n_qemu = 1, n_order = 0;
        const char *edk2_list[64] = { NULL }, *qemu_list[64] = { NULL }, *order_list[4];
        char *edk2_copy = NULL, *qemu_copy = NULL, *order_copy = NULL;
        int orders[4];
        struct acpi *acpis = NULL;
        ct_tdx_firmware *fwh = NULL;
        ct_tdx_kernel *kh = NULL;
        json_object *rows = NULL;
        ct_error err;
        int c, rc = 0;
        size_t n_rows;

        if (!p || !m) {
                rc = tool_errorf(EXIT_INTERNAL, "%s: out of memory\n", program_name);
                goto out;
        }
        memset(extra, 0, sizeof(extra));
        while ((c = tool_getopt(&cmd, argc, argv, "", longopts)) != -1) {
                switch (c) {
                case O_FW: fw_path = optarg; break;
                case O_VARS: vars_path = optarg; break;
                case O_KERNEL: kernel_path = optarg; break;
                case O_INITRD: initrd_path = optarg; break;
                case O_APPEND: p->cmdline = optarg; break;
                case O_MEMORY: memory_s = optarg; break;
                case O_VCPUS: vcpus_s = optarg; break;
                case O_ACPI: acpi_dir = optarg; break;
                case O_EDK2: edk2_s = optarg; break;
                case O_QEMU: qemu_s = optarg; break;
                case O_ORDER: order_s = optarg; break;
                case O_EVENTS: events = true; break;
                case O_FWCFG:
                case O_BOOTVAR: {
                        ct_tdx_blob *dst = c == O_FWCFG ? &p->fwcfg[p->n_fwcfg] : &p->boot_vars[p->n_boot_vars];

                        if ((c == O_FWCFG ? p->n_fwcfg : p->n_boot_vars) == CT_TDX_MAX_BLOBS) {
                                rc = tool_usage("too many --fwcfg-item / --boot-var options");
                                goto out;
                        }
                        rc = name_file(c == O_FWCFG ? "--fwcfg-item" : "--boot-var", optarg, dst, &extra[n_extra++]);
                        if (rc)
                                goto out;
                        if (c == O_FWCFG)
                                p->n_fwcfg++;
                        else
                                p->n_boot_vars++;
                        break;
                }
                case O_SMBIOS: {
                        size_t n;

                        if (ct_hex_decode(optarg, p->smbios.bytes, 48, &n, NULL) || n != 48) {
                                rc = tool_usage("--smbios-digest: expected 96 hex digits");
                                goto out;
                        }
                        p->smbios.alg = CT_HASH_SHA384;
                        p->smbios.len = 48;
                        p->has_smbios = true;
                        break;
                }
                case O_DIGEST: {
                        const char *eq = strchr(optarg, '=');
                        ct_tdx_override *o = &p->overrides[p->n_overrides];
                        size_t n;

                        if (p->n_overrides == CT_TDX_MAX_BLOBS || !eq || eq == optarg ||
                            ct_hex_decode(eq + 1, o->digest.bytes, 48, &n, NULL) || n != 48) {
                                rc = tool_usage("--digest: expected ID=HEX (96 hex digits), got '%s'", optarg);
                                goto out;
                        }
                        o->id = strndup(optarg, (size_t)(eq - optarg));
                        o->digest.alg = CT_HASH_SHA384;
                        o->digest.len = 48;
                        p->n_overrides++;
                        break;
                }
                case O_SEP:
                        if (strcmp(optarg, "0") && strcmp(optarg, "1")) {
                                rc = tool_usage("--separator-rtmr: expected 0 or 1, got '%s'", optarg);
                                goto out;
                        }
                        ov.separator_rtmr = optarg[0] - '0';
                        break;
                case O_KHDR:
                        if (!strcmp(optarg, "patched"))
                                ov.kernel_header = CT_TDX_KERNEL_PATCHED;
                        else if (!strcmp(optarg, "unpatched"))
                                ov.kernel_header = CT_TDX_KERNEL_UNPATCHED;
                        else {
                                rc = tool_usage("--kernel-header: expected patched or unpatched, got '%s'", optarg);
                                goto out;
                        }
                        break;
                case O_MARKER:
                        if (!strcmp(optarg, "prefix"))
                                ov.initrd_marker = CT_TDX_INITRD_PREFIX;
                        else if (!strcmp(optarg, "suffix"))
                                ov.initrd_marker = CT_TDX_INITRD_SUFFIX;
                        else if (!strcmp(optarg, "none"))
                                ov.initrd_marker = CT_TDX_INITRD_NONE;
                        else {
                                rc = tool_usage("--initrd-marker: expected prefix, suffix or none, got '%s'", optarg);
                                goto out;
                        }
                        break;
                case O_STUB:
                        if (!strcmp(optarg, "cmdline+initrd"))
                                ov.stub = CT_TDX_STUB_CMDLINE_INITRD;
                        else if (!strcmp(optarg, "cmdline"))
                                ov.stub = CT_TDX_STUB_CMDLINE;
                        else if (!strcmp(optarg, "none"))
                                ov.stub = CT_TDX_STUB_NONE;
                        else {
                                rc = tool_usage("--stub: expected cmdline+initrd, cmdline or none, got '%s'", optarg);
                                goto out;
                        }
                        break;
                case O_FWCFG_EV:
                case O_SMBIOS_EV:
                case O_PIC:
                        if (!onoff(c == O_FWCFG_EV ? "--fwcfg-events" : c == O_PIC ? "--pic" : "--smbios-event",
                                   optarg, &b)) {
                                rc = EXIT_BAD_INPUT;
                                goto out;
                        }
                        *(c == O_FWCFG_EV ? &ov.fwcfg : c == O_PIC ? &ov.pic : &ov.smbios) = b;
                        break;
                case O_BOOT_ENTRIES:
                        if (!strcmp(optarg, "uiapp"))
                                ov.boot_entries = CT_TDX_BOOT_UIAPP;
                        else if (!strcmp(optarg, "menuapp+uiapp"))
                                ov.boot_entries = CT_TDX_BOOT_MENUAPP_UIAPP;
                        else {
                                rc = tool_usage("--boot-entries: expected uiapp or menuapp+uiapp, got '%s'", optarg);
                                goto out;
                        }
                        break;
                default:
                        break;
                }
        }
        if (cmd.done) {
                rc = cmd.status;
                goto out;
        }
        json = cmd.json;
        if (optind != argc) {
                rc = tool_usage("%s: unexpected argument '%s' (try --help)", argv[0], argv[optind]);
                goto out;
        }
        if (!fw_path) {
                rc = tool_usage("%s: --firmware is required (try --help)", argv[0]);
                goto out;
        }
        if ((initrd_path || p->cmdline) && !kernel_path) {
                rc = tool_usage("%s: --initrd and --append need --kernel", argv[0]);
                goto out;
        }
        if ((rc = parse_list("--memory", memory_s, true, &mems, &n_mem)) ||
            (rc = parse_list("--vcpus", vcpus_s, false, &vcpus, &n_vcpus)))
                goto out;
        if (edk2_s && (rc = split_strings(edk2_s, &edk2_copy, edk2_list, 64, &n_edk2)))
                goto out;
        if (qemu_s && (rc = split_strings(qemu_s, &qemu_copy, qemu_list, 64, &n_qemu)))
                goto out;
        if (order_s) {
                if ((rc = split_strings(order_s, &order_copy, order_list, 4, &n_order)))
                        goto out;
                for (size_t i = 0; i < n_order; i++) {
                        if (!strcmp(order_list[i], "single-pass") || !strcmp(order_list[i], "single"))
                                orders[i] = CT_TDX_MRTD_SINGLE_PASS;
                        else if (!strcmp(order_list[i], "two-pass"))
                                orders[i] = CT_TDX_MRTD_TWO_PASS;
                        else {
                                rc = tool_usage("--mrtd-order: expected single-pass or two-pass, got '%s'",
                                                order_list[i]);
                                goto out;
                        }
                }
        }
        /* check the versions before reading anything */
        for (size_t i = 0; i < n_edk2; i++)
                for (size_t j = 0; j < n_qemu; j++) {
                        ct_tdx_variant v;

                        ct_tdx_variant_default(&v);
                        ct_error_clear(&err);
                        if (ct_tdx_variant_apply(&v, edk2_list[i], qemu_list[j], &err)) {
                                rc = tool_fail(&err, NULL);
                                goto out;
                        }
                }
        n_rows = n_mem * n_vcpus * n_edk2 * n_qemu * (n_order ? n_order : 1);
        if (n_rows > MAX_ROWS) {
                rc = tool_usage("the table would have %zu rows (limit %u)", n_rows, MAX_ROWS);
                goto out;
        }

        if ((rc = read_file(fw_path, &fw)))
                goto out;
        if (vars_path) {
                if ((rc = read_file(vars_path, &vars)))
                        goto out;
                combined = malloc(vars.len + fw.len);
                if (!combined) {
                        rc = tool_errorf(EXIT_INTERNAL, "%s: out of memory\n", program_name);
                        goto out;
                }
                memcpy(combined, vars.data, vars.len);
                memcpy(combined + vars.len, fw.data, fw.len);
        }
        ct_error_clear(&err);
        if (ct_tdx_firmware_new(combined ? combined : fw.data, vars.len + fw.len, &fwh, &err)) {
                if (err.code == CT_E_TRUNCATED && !vars_path)
                        ct_error_prefix(&err, "TDX metadata describes a larger image (a split OVMF_CODE.fd? give "
                                              "--vars OVMF_VARS.fd)");
                rc = tool_fail(&err, fw_path);
                rc = rc == EXIT_INTERNAL ? rc : EXIT_BAD_INPUT;
                goto out;
        }
        if (kernel_path) {
                if ((rc = read_file(kernel_path, &kernel)))
                        goto out;
                if (ct_tdx_kernel_new(kernel.data, kernel.len, &kh, &err)) {
                        rc = tool_fail(&err, kernel_path);
                        goto out;
                }
                p->kernel = kh;
        }
        if (initrd_path) {
                if ((rc = read_file(initrd_path, &initrd)))
                        goto out;
                p->has_initrd = true;
                p->initrd_size = initrd.len;
                ct_hash_buf(CT_HASH_SHA384, initrd.len ? (const void *)initrd.data : "", initrd.len,
                            &p->initrd_sha384, NULL);
        }
        if (acpi_dir) {
                acpis = calloc(n_vcpus, sizeof(*acpis));
                if (!acpis) {
                        rc = EXIT_INTERNAL;
                        goto out;
                }
                for (size_t i = 0; i < n_vcpus; i++)
                        if ((rc = load_acpi(acpi_dir, (unsigned)vcpus[i], &acpis[i])))
                                goto out;
        }

        rows = json_object_new_array();
        for (size_t ie = 0; ie < n_edk2; ie++)
                for (size_t iq = 0; iq < n_qemu; iq++)
                        for (size_t io = 0; io < (n_order ? n_order : 1); io++)
                                for (size_t iv = 0; iv < n_vcpus; iv++)
                                        for (size_t im = 0; im < n_mem; im++) {
                                                ct_tdx_variant v;

                                                ct_tdx_variant_default(&v);
                                                ct_tdx_variant_apply(&v, edk2_list[ie], qemu_list[iq], NULL);
                                                apply(&v, &ov);
                                                if (n_order)
                                                        v.mrtd_order = (ct_tdx_mrtd_order)orders[io];
                                                p->memory = mems[im];
                                                p->vcpus = (unsigned)vcpus[iv];
                                                p->has_acpi = acpis != NULL;
                                                if (acpis) {
                                                        p->acpi_loader = acpis[iv].loader.data;
                                                        p->acpi_loader_len = acpis[iv].loader.len;
                                                        p->acpi_rsdp = acpis[iv].rsdp.data;
                                                        p->acpi_rsdp_len = acpis[iv].rsdp.len;
                                                        p->acpi_tables = acpis[iv].tables.data;
                                                        p->acpi_tables_len = acpis[iv].tables.len;
                                                        p->has_acpi_digests = true;
                                                        memcpy(p->acpi_digests, acpis[iv].d, sizeof(acpis[iv].d));
                                                }
                                                ct_error_clear(&err);
                                                if (ct_tdx_measure(fwh, &v, p, m, &err)) {
                                                        rc = tool_fail(&err, fw_path);
                                                        goto out;
                                                }
                                                if (n_rows == 1 && !json) {
                                                        print_single(m, p->memory, p->vcpus);
                                                } else if (json) {
                                                        json_object_array_add(rows,
                                                                              row_json(m, p->memory, p->vcpus,
                                                                                       events || n_rows == 1));
                                                } else {
                                                        char h[4][2 * CT_HASH_MAX_SIZE + 1];

                                                        if (ie + iq + io + iv + im == 0)
                                                                printf("%-8s %-6s %-24s %-6s %-11s %-96s %-96s "
                                                                       "%-96s %s\n",
                                                                       "memory", "vcpus", "edk2", "qemu", "mrtd-order",
                                                                       "MRTD", "RTMR0", "RTMR1", "RTMR2");
                                                        for (unsigned r = 0; r < 3; r++)
                                                                snprintf(h[r + 1], sizeof(h[0]), "%s",
                                                                         m->rtmr_known[r]
                                                                                 ? ct_digest_hex(&m->rtmr[r], h[0])
                                                                                 : "unknown");
                                                        printf("%-8llu %-6u %-24.*s %-6.*s %-11s %s %-96s %-96s "
                                                               "%s\n",
                                                               (ull)(p->memory >> 20), p->vcpus,
                                                               (int)strcspn(v.edk2, " "), v.edk2,
                                                               (int)strcspn(v.qemu, " "), v.qemu,
                                                               ct_tdx_mrtd_order_name(v.mrtd_order),
                                                               ct_digest_hex(&m->mrtd, h[0]), h[1], h[2], h[3]);
                                                }
                                        }
        if (json) {
                json_object *o = tool_json_new(), *in = json_object_new_object();

                tool_json_add_str(in, "firmware", fw_path);
                tool_json_add_str(in, "vars", vars_path);
                tool_json_add_str(in, "kernel", kernel_path);
                tool_json_add_str(in, "initrd", initrd_path);
                tool_json_add_str(in, "kernel_version", kh ? ct_tdx_kernel_version(kh) : NULL);
                tool_json_add_str(in, "append", p->cmdline);
                tool_json_add_str(in, "acpi_dir", acpi_dir);
                json_object_object_add(o, "inputs", in);
                if (n_rows == 1) {
                        json_object *row = json_object_get(json_object_array_get_idx(rows, 0));

                        json_object_object_foreach(row, k, val) json_object_object_add(o, k, json_object_get(val));
                        json_object_put(row);
                } else {
                        json_object_object_add(o, "rows", json_object_get(rows));
                }
                tool_json_add_int(o, "authenticode_computations", kh ? ct_tdx_kernel_hash_count(kh) : 0);
                tool_json_add_int(o, "firmware_bytes_hashed", (int64_t)ct_tdx_firmware_bytes_hashed(fwh));
                tool_json_print(o);
        }
out:
        json_object_put(rows);
        if (acpis)
                for (size_t i = 0; i < n_vcpus; i++)
                        free_acpi(&acpis[i]);
        free(acpis);
        ct_tdx_kernel_free(kh);
        ct_tdx_firmware_free(fwh);
        for (size_t i = 0; i < n_extra; i++)
                ct_blob_free(&extra[i]);
        if (p) {
                for (size_t i = 0; i < p->n_fwcfg; i++)
                        free((void *)p->fwcfg[i].name);
                for (size_t i = 0; i < p->n_boot_vars; i++)
                        free((void *)p->boot_vars[i].name);
                for (size_t i = 0; i < p->n_overrides; i++)
                        free((void *)p->overrides[i].id);
        }
        ct_blob_free(&fw);
        ct_blob_free(&vars);
        ct_blob_free(&kernel);
        ct_blob_free(&initrd);
        free(combined);
        free(mems);
        free(vcpus);
        free(edk2_copy);
        free(qemu_copy);
        free(order_copy);
        free(p);
        free(m);
        return rc;
}
