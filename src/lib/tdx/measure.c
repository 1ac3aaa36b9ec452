/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MRTD and RTMR 0-2 of OVMF direct boot under QEMU, event by event
 * (shared/specs/tdx-measurement.md §4-§6). See include/cocotrust/tdx.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/guid.h>
#include <cocotrust/pe.h>
#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>
#include <cocotrust/tdx.h>

#include "../internal.h"

typedef unsigned long long ull;

#ifndef CT_EV_PLATFORM_CONFIG_FLAGS
#define CT_EV_PLATFORM_CONFIG_FLAGS 0xAu
#endif

#define KERNEL_CACHE 16
#define PATCH_LO 0x1f0u
#define PATCH_HI 0x240u

struct ct_tdx_firmware {
        const uint8_t *fw;
        size_t len;
        ct_tdvf_metadata md;
        bool have_mrtd[2];
        ct_digest mrtd[2];
        bool have_cfv;
        ct_digest cfv;
        uint64_t hashed;
        /* digests that never change, computed once (ct_tdx_firmware_new) */
        ct_digest sep, sb[5], calling, ebs_inv, ebs_ok, bootorder, boot0000;
};

struct kcache {
        uint8_t key[PATCH_HI - PATCH_LO];
        ct_digest d;
};

struct ct_tdx_kernel {
        const uint8_t *k;
        size_t len;
        bool have_plain;
        ct_digest plain;
        size_t n_cache;
        struct kcache cache[KERNEL_CACHE];
        unsigned n_hashes;
        char version[128];
        unsigned major, minor;  /* 0.0 when unknown */
};

/* ---- handles ---- */

static ct_code constants(ct_tdx_firmware *f, ct_error *err);

CT_EXPORT ct_code ct_tdx_firmware_new(const uint8_t *fw, size_t len, ct_tdx_firmware **ret, ct_error *err)
{
        ct_tdx_firmware *f = calloc(1, sizeof(*f));
        ct_code rc;

        if (!f)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        rc = ct_tdvf_parse(fw, len, &f->md, err);
        if (rc) {
                free(f);
                return rc;
        }
        f->fw = fw;
        f->len = len;
        rc = constants(f, err);
        if (rc) {
                free(f);
                return rc;
        }
        *ret = f;
        return CT_OK;
}

CT_EXPORT void ct_tdx_firmware_free(ct_tdx_firmware *f)
{
        free(f);
}

CT_EXPORT const ct_tdvf_metadata *ct_tdx_firmware_metadata(const ct_tdx_firmware *f)
{
        return &f->md;
}

CT_EXPORT uint64_t ct_tdx_firmware_bytes_hashed(const ct_tdx_firmware *f)
{
        return f->hashed;
}

CT_EXPORT ct_code ct_tdx_kernel_new(const uint8_t *k, size_t len, ct_tdx_kernel **ret, ct_error *err)
{
        ct_tdx_kernel *kh;
        ct_pe *pe;
        ct_code rc;

        rc = ct_pe_parse(k, len, &pe, err);
        if (rc)
                return rc;
        ct_pe_free(pe);
        if (len < PATCH_HI)
                return ct_error_set(err, CT_E_MALFORMED, "kernel of %zu bytes is too small for a setup header", len);
        kh = calloc(1, sizeof(*kh));
        if (!kh)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        kh->k = k;
        kh->len = len;
        if (!memcmp(k + 0x202, "HdrS", 4)) {
                uint16_t vo = ct_get_le16(k + 0x20e);
                size_t n = 0;

                if (vo && (size_t)vo + 0x200 < len) {
                        const uint8_t *v = k + 0x200 + vo;

                        while (n + 1 < sizeof(kh->version) && (size_t)(v - k) + n < len && v[n] >= 0x20 &&
                               v[n] < 0x7f)
                                n++;
                        memcpy(kh->version, v, n);
                        kh->version[n] = 0;
                        if (sscanf(kh->version, "%u.%u", &kh->major, &kh->minor) != 2)
                                kh->major = kh->minor = 0;
                }
        }
        *ret = kh;
        return CT_OK;
}

CT_EXPORT void ct_tdx_kernel_free(ct_tdx_kernel *k)
{
        free(k);
}

CT_EXPORT const char *ct_tdx_kernel_version(const ct_tdx_kernel *k)
{
        return k->version;
}

CT_EXPORT unsigned ct_tdx_kernel_hash_count(const ct_tdx_kernel *k)
{
        return k->n_hashes;
}

/* ---- QEMU's setup-header patch (hw/i386/x86-common.c x86_load_linux) ---- */

static uint64_t below_4g(uint64_t memory)
{
        uint64_t lowmem = memory >= 0xB0000000ull ? 0x80000000ull : 0xB0000000ull;
        return CT_MIN(memory, lowmem);
}

CT_EXPORT ct_code ct_tdx_qemu_patch_kernel_header(uint8_t *h, size_t len, uint64_t memory, bool has_initrd,
                                                  uint64_t initrd_size, ct_error *err)
{
        const uint64_t acpi_data_size = 0x28000, real_addr = 0x10000, cmdline_addr = 0x20000;
        uint16_t proto = 0;
        uint64_t initrd_max, b4g;

        if (len < PATCH_HI)
                return ct_error_set(err, CT_E_ARG, "kernel header shorter than 0x%x bytes", PATCH_HI);
        if (!memcmp(h + 0x202, "HdrS", 4))
                proto = ct_get_le16(h + 0x206);
        if (proto < 0x202 || !(h[0x211] & 1))
                return ct_error_set_at(err, CT_E_UNSUPPORTED, 0x206,
                                       "kernel boot protocol 0x%x at offset 0x206 (loadflags 0x%x): QEMU's header "
                                       "patch is modelled for bzImage protocol >= 2.02 only",
                                       proto, h[0x211]);
        b4g = below_4g(memory);
        if (b4g <= acpi_data_size)
                return ct_error_set(err, CT_E_ARG, "guest memory 0x%llx too small", (ull)memory);
        if (proto >= 0x20c && (ct_get_le16(h + 0x236) & 0x2))
                initrd_max = 0xffffffffull;
        else if (proto >= 0x203)
                initrd_max = ct_get_le32(h + 0x22c);
        else
                initrd_max = 0x37ffffff;
        if (initrd_max >= b4g - acpi_data_size)
                initrd_max = b4g - acpi_data_size - 1;
        ct_put_le32(h + 0x228, (uint32_t)cmdline_addr);
        h[0x210] = 0xB0;
        h[0x211] |= 0x80;
        ct_put_le16(h + 0x224, (uint16_t)(cmdline_addr - real_addr - 0x200));
        if (has_initrd) {
                if (initrd_size > initrd_max)
                        return ct_error_set(err, CT_E_ARG,
                                            "initrd of %llu bytes does not fit below 0x%llx (QEMU refuses it)",
                                            (ull)initrd_size, (ull)initrd_max);
                ct_put_le32(h + 0x218, (uint32_t)((initrd_max - initrd_size) & ~0xfffull));
                ct_put_le32(h + 0x21c, (uint32_t)initrd_size);
        }
        return CT_OK;
}

static ct_code kernel_digest(ct_tdx_kernel *k, ct_tdx_kernel_header mode, const ct_tdx_params *p, ct_digest *ret,
                             ct_error *err)
{
        uint8_t hdr[PATCH_HI];
        uint8_t *copy;
        ct_code rc;

        if (mode == CT_TDX_KERNEL_UNPATCHED) {
                if (!k->have_plain) {
                        rc = ct_pe_authenticode_buf(k->k, k->len, CT_HASH_SHA384, &k->plain, err);
                        if (rc)
                                return rc;
                        k->have_plain = true;
                        k->n_hashes++;
                }
                *ret = k->plain;
                return CT_OK;
        }
        memcpy(hdr, k->k, PATCH_HI);
        rc = ct_tdx_qemu_patch_kernel_header(hdr, sizeof(hdr), p->memory, p->has_initrd, p->initrd_size, err);
        if (rc)
                return rc;
        for (size_t i = 0; i < k->n_cache; i++)
                if (!memcmp(k->cache[i].key, hdr + PATCH_LO, sizeof(k->cache[i].key))) {
                        *ret = k->cache[i].d;
                        return CT_OK;
                }
        if (!memcmp(hdr, k->k, PATCH_HI))
                return kernel_digest(k, CT_TDX_KERNEL_UNPATCHED, p, ret, err);
        copy = malloc(k->len);
        if (!copy)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        memcpy(copy, k->k, k->len);
        memcpy(copy, hdr, PATCH_HI);
        rc = ct_pe_authenticode_buf(copy, k->len, CT_HASH_SHA384, ret, err);
        free(copy);
        if (rc)
                return rc;
        k->n_hashes++;
        if (k->n_cache == KERNEL_CACHE)
                k->n_cache = 0; /* simple ring: tables over memory sizes have 2-3 distinct patches */
        memcpy(k->cache[k->n_cache].key, hdr + PATCH_LO, sizeof(k->cache[0].key));
        k->cache[k->n_cache++].d = *ret;
        return CT_OK;
}

/* ---- events ---- */

static const ct_guid guid_global = CT_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
static const ct_guid guid_imgsec = CT_GUID_INIT(0xd719b2cb, 0x3d3a, 0x4596, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f);

/* OVMF's UiApp load option (attributes 0x109, FvFile(462caa21-...) in FV 7cb8bdc9-...). */
static const uint8_t uiapp_load_option[] = {
        0x09, 0x01, 0x00, 0x00, 0x2c, 0x00, 0x55, 0x00, 0x69, 0x00, 0x41, 0x00, 0x70, 0x00, 0x70, 0x00, 0x00,
        0x00, 0x04, 0x07, 0x14, 0x00, 0xc9, 0xbd, 0xb8, 0x7c, 0xeb, 0xf8, 0x34, 0x4f, 0xaa, 0xea, 0x3e, 0xe4,
        0xaf, 0x65, 0x16, 0xa1, 0x04, 0x06, 0x14, 0x00, 0x21, 0xaa, 0x2c, 0x46, 0x14, 0x76, 0x03, 0x45, 0x83,
        0x6e, 0x8a, 0xb6, 0xf4, 0x66, 0x23, 0x31, 0x7f, 0xff, 0x04, 0x00,
};

static ct_tdx_event *add(ct_tdx_measurement *m, unsigned rtmr, uint32_t type, const char *id, const char *rule,
                         const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static ct_tdx_event *add(ct_tdx_measurement *m, unsigned rtmr, uint32_t type, const char *id, const char *rule,
                         const char *fmt, ...)
{
        ct_tdx_event *e;
        va_list ap;

        if (m->n_events == CT_TDX_MAX_EVENTS)
                return NULL;
        e = &m->events[m->n_events++];
        memset(e, 0, sizeof(*e));
        e->rtmr = rtmr;
        e->type = type;
        snprintf(e->id, sizeof(e->id), "%s", id);
        e->rule = rule;
        va_start(ap, fmt);
        vsnprintf(e->what, sizeof(e->what), fmt, ap);
        va_end(ap);
        e->known = true;
        return e;
}

static void unknown(ct_tdx_event *e, const char *why)
{
        if (!e)
                return;
        e->known = false;
        snprintf(e->what + strlen(e->what), sizeof(e->what) - strlen(e->what), " [missing: %s]", why);
}

static ct_code sha(ct_tdx_event *e, const void *data, size_t len, ct_error *err)
{
        if (!e)
                return ct_error_set(err, CT_E_LIMIT, "more than %u events", CT_TDX_MAX_EVENTS);
        return ct_hash_buf(CT_HASH_SHA384, len ? data : "", len, &e->digest, err);
}

/* SHA-384 of UEFI_VARIABLE_DATA { guid, u64 name chars, u64 data size, UTF-16LE name, data }. */
static ct_code var_digest(ct_tdx_event *e, const ct_guid *g, const char *name, const uint8_t *data, size_t len,
                          ct_error *err)
{
        size_t nl = strlen(name);
        uint8_t head[32 + 2 * 16];
        ct_hash h;
        ct_code rc;

        if (!e)
                return ct_error_set(err, CT_E_LIMIT, "more than %u events", CT_TDX_MAX_EVENTS);
        if (nl > 16)
                return ct_error_set(err, CT_E_ARG, "variable name '%s' too long", name);
        memcpy(head, g->b, 16);
        ct_put_le64(head + 16, nl);
        ct_put_le64(head + 24, len);
        for (size_t i = 0; i < nl; i++)
                ct_put_le16(head + 32 + 2 * i, (uint8_t)name[i]);
        rc = ct_hash_init(&h, CT_HASH_SHA384, err);
        if (rc)
                return rc;
        ct_hash_update(&h, head, 32 + 2 * nl);
        if (len)
                ct_hash_update(&h, data, len);
        rc = ct_hash_final(&h, &e->digest);
        ct_hash_free(&h);
        return rc ? ct_error_set(err, rc, "SHA-384 failed") : CT_OK;
}

static ct_code constants(ct_tdx_firmware *f, ct_error *err)
{
        static const char *const sb_names[] = { "SecureBoot", "PK", "KEK", "db", "dbx" };
        ct_tdx_event e;
        ct_code rc;

        memset(&e, 0, sizeof(e));
        for (int i = 0; i < 5; i++) {
                rc = var_digest(&e, i < 3 ? &guid_global : &guid_imgsec, sb_names[i], NULL, 0, err);
                if (rc)
                        return rc;
                f->sb[i] = e.digest;
        }
        if ((rc = ct_hash_buf(CT_HASH_SHA384, "\0\0\0\0", 4, &f->sep, err)) ||
            (rc = ct_hash_buf(CT_HASH_SHA384, "Calling EFI Application from Boot Option", 40, &f->calling, err)) ||
            (rc = ct_hash_buf(CT_HASH_SHA384, "Exit Boot Services Invocation", 29, &f->ebs_inv, err)) ||
            (rc = ct_hash_buf(CT_HASH_SHA384, "Exit Boot Services Returned with Success", 40, &f->ebs_ok, err)) ||
            (rc = ct_hash_buf(CT_HASH_SHA384, "\0\0", 2, &f->bootorder, err)) ||
            (rc = ct_hash_buf(CT_HASH_SHA384, uiapp_load_option, sizeof(uiapp_load_option), &f->boot0000, err)))
                return rc;
        return CT_OK;
}

/* Set an event's digest to a precomputed value. */
static ct_code put(ct_tdx_event *e, const ct_digest *d, ct_error *err)
{
        if (!e)
                return ct_error_set(err, CT_E_LIMIT, "more than %u events", CT_TDX_MAX_EVENTS);
        e->digest = *d;
        return CT_OK;
}

static const char RULE_HOB[] = "edk2 TdxHelperMeasureTdHob: SHA-384 of the TD HOB list QEMU builds (tdvf-hob.c), "
                               "without the end-of-list HOB";
static const char RULE_CFV[] = "edk2 TdxHelperMeasureCfvImage: SHA-384 of the pristine CFV (variable store) from the "
                               "image";
static const char RULE_FWCFG[] = "edk2 >= 202505 QemuFwCfgCacheInit: SHA-384 of the fw_cfg item data";
static const char RULE_SBVAR[] = "EV_EFI_VARIABLE_DRIVER_CONFIG: SHA-384 of UEFI_VARIABLE_DATA (GUID, name length, "
                                 "data length, UTF-16 name, data)";
static const char RULE_SEP[] = "EV_SEPARATOR: SHA-384 of 00 00 00 00";
static const char RULE_ACPI[] = "EV_PLATFORM_CONFIG_FLAGS \"ACPI DATA\": SHA-384 of the fw_cfg blob as downloaded, "
                                "before pointer patching";
static const char RULE_SMBIOS[] = "edk2 >= 202505 SMBIOS handoff (EV_EFI_HANDOFF_TABLES): digest given by the user";
static const char RULE_BOOTVAR[] = "EV_EFI_VARIABLE_BOOT: SHA-384 of the variable data only";
static const char RULE_KERNEL[] = "EV_EFI_BOOT_SERVICES_APPLICATION: Authenticode SHA-384 of the kernel as OVMF loads "
                                  "it from QEMU fw_cfg";
static const char RULE_ACTION[] = "EV_EFI_ACTION: SHA-384 of the ASCII string (no NUL)";
static const char RULE_LOADOPT[] = "Linux EFI stub EV_EVENT_TAG LOADED_IMAGE::LoadOptions: SHA-384 of the UTF-16LE "
                                   "LoadOptions OVMF builds (with the initrd marker), NUL included";
static const char RULE_INITRD[] = "Linux EFI stub EV_EVENT_TAG \"Linux initrd\": SHA-384 of the initrd file";
static const char RULE_GIVEN[] = "digest given on the command line (--digest)";

static ct_code cfv_digest(ct_tdx_firmware *f, ct_digest *ret, const ct_tdvf_section **ret_s, ct_error *err)
{
        const ct_tdvf_section *s = ct_tdvf_find(&f->md, CT_TDVF_CFV);

        *ret_s = s;
        if (!s)
                return CT_OK;
        if (!f->have_cfv) {
                ct_code rc = ct_hash_buf(CT_HASH_SHA384, s->raw_size ? f->fw + s->data_offset : (const uint8_t *)"",
                                         s->raw_size, &f->cfv, err);
                if (rc)
                        return rc;
                f->hashed += s->raw_size;
                f->have_cfv = true;
        }
        *ret = f->cfv;
        return CT_OK;
}

static void apply_overrides(ct_tdx_measurement *m, const ct_tdx_params *p)
{
        for (size_t i = 0; i < m->n_events; i++)
                for (size_t j = 0; j < p->n_overrides; j++)
                        if (!strcmp(m->events[i].id, p->overrides[j].id)) {
                                m->events[i].digest = p->overrides[j].digest;
                                m->events[i].known = true;
                                m->events[i].given = true;
                                m->events[i].rule = RULE_GIVEN;
                        }
}

/* UTF-16LE LoadOptions OVMF X86QemuLoadImageLib builds, NUL included; malloc'ed. */
static ct_code load_options(const ct_tdx_variant *v, const ct_tdx_params *p, uint8_t **ret, size_t *ret_len,
                            char *text, size_t cap, ct_error *err)
{
        const char *cl = p->cmdline ? p->cmdline : "";
        const char *marker = "initrd=initrd";
        size_t n;
        uint8_t *u;

        if (p->has_initrd && v->initrd_marker == CT_TDX_INITRD_PREFIX)
                snprintf(text, cap, "%s%s%s", marker, *cl ? " " : "", cl);
        else if (p->has_initrd && v->initrd_marker == CT_TDX_INITRD_SUFFIX)
                snprintf(text, cap, "%s%s%s", cl, *cl ? " " : "", marker);
        else
                snprintf(text, cap, "%s", cl);
        if (strlen(cl) + 32 > cap)
                return ct_error_set(err, CT_E_LIMIT, "kernel command line longer than %zu bytes", cap - 32);
        n = strlen(text);
        u = malloc(2 * n + 2);
        if (!u)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                ct_put_le16(u + 2 * i, (uint8_t)text[i]);
        ct_put_le16(u + 2 * n, 0);
        *ret = u;
        *ret_len = 2 * n + 2;
        return CT_OK;
}

#define CT_TDX_MAX_CMDLINE 65536

CT_EXPORT ct_code ct_tdx_measure(ct_tdx_firmware *fw, const ct_tdx_variant *v, const ct_tdx_params *p,
                                 ct_tdx_measurement *ret, ct_error *err)
{
        static const char *const sb_names[] = { "SecureBoot", "PK", "KEK", "db", "dbx" };
        static const char *const sb_ids[] = { "secureboot", "pk", "kek", "db", "dbx" };
        ct_tdx_measurement *m;
        const ct_tdvf_section *cfv;
        ct_tdx_hob *hob = NULL;
        ct_tdx_event *e;
        ct_code rc;
        unsigned o = v->mrtd_order == CT_TDX_MRTD_TWO_PASS ? 1 : 0;
        char *text = NULL;

        m = calloc(1, sizeof(*m));
        hob = malloc(sizeof(*hob));
        text = malloc((p->cmdline ? CT_MIN(strlen(p->cmdline), (size_t)CT_TDX_MAX_CMDLINE) : 0) + 64);
        if (!m || !hob || !text) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        m->variant = *v;
        /* MRTD */
        if (!fw->have_mrtd[o]) {
                uint64_t n;

                rc = ct_tdx_mrtd(fw->fw, fw->len, &fw->md, v->mrtd_order, &fw->mrtd[o], &n, err);
                if (rc)
                        goto out;
                fw->hashed += n;
                fw->have_mrtd[o] = true;
        }
        m->mrtd = fw->mrtd[o];

        /* RTMR 0 */
        rc = ct_tdx_td_hob(&fw->md, p->memory, hob, err);
        if (rc)
                goto out;
        e = add(m, 0, CT_EV_EFI_HANDOFF_TABLES2, "td-hob", RULE_HOB, "TD HOB at GPA 0x%llx, %zu of %zu bytes, %zu "
                "resource descriptors, %llu MiB guest",
                (ull)ct_tdvf_find(&fw->md, CT_TDVF_TD_HOB)->gpa, hob->measured_len, hob->len, hob->n_ram,
                (ull)(p->memory >> 20));
        rc = sha(e, hob->bytes, hob->measured_len, err);
        if (rc)
                goto out;
        fw->hashed += hob->measured_len;
        m->td_hob = e->digest;
        m->td_hob_len = hob->measured_len;
        {
                ct_digest d;

                rc = cfv_digest(fw, &d, &cfv, err);
                if (rc)
                        goto out;
                if (cfv) {
                        e = add(m, 0, CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2, "cfv", RULE_CFV,
                                "CFV: image bytes [0x%x, +0x%x) (GPA 0x%llx)", cfv->data_offset, cfv->raw_size,
                                (ull)cfv->gpa);
                        if (e)
                                e->digest = d;
                }
        }
        if (v->fwcfg_events) {
                if (!p->n_fwcfg) {
                        e = add(m, 0, CT_EV_PLATFORM_CONFIG_FLAGS, "fwcfg", RULE_FWCFG, "QEMU FW CFG items");
                        unknown(e, "edk2 >= 202505 measures fw_cfg items (at least BootMenu and bootorder): give "
                                   "them with --fwcfg-item NAME=FILE, or choose another --edk2 / --fwcfg-events off");
                }
                for (size_t i = 0; i < p->n_fwcfg; i++) {
                        char id[24];

                        snprintf(id, sizeof(id), "fwcfg-%u", (unsigned)(i % 100));
                        e = add(m, 0, CT_EV_PLATFORM_CONFIG_FLAGS, id, RULE_FWCFG, "QEMU FW CFG %.56s, %zu bytes",
                                p->fwcfg[i].name, p->fwcfg[i].len);
                        rc = sha(e, p->fwcfg[i].data, p->fwcfg[i].len, err);
                        if (rc)
                                goto out;
                }
        }
        for (size_t i = 0; i < 5; i++) {
                e = add(m, 0, CT_EV_EFI_VARIABLE_DRIVER_CONFIG, sb_ids[i], RULE_SBVAR, "%s (%s), empty",
                        sb_names[i], i < 3 ? "EFI_GLOBAL_VARIABLE" : "EFI_IMAGE_SECURITY_DATABASE");
                rc = put(e, &fw->sb[i], err);
                if (rc)
                        goto out;
        }
        e = add(m, 0, CT_EV_SEPARATOR, "separator-0", RULE_SEP, "separator (after the secure-boot policy)");
        rc = put(e, &fw->sep, err);
        if (rc)
                goto out;
        {
                static const char *const names[] = { "etc/table-loader", "etc/acpi/rsdp", "etc/acpi/tables" };
                static const char *const ids[] = { "acpi-loader", "acpi-rsdp", "acpi-tables" };
                const uint8_t *d[] = { p->acpi_loader, p->acpi_rsdp, p->acpi_tables };
                size_t l[] = { p->acpi_loader_len, p->acpi_rsdp_len, p->acpi_tables_len };

                for (int i = 0; i < 3; i++) {
                        e = add(m, 0, CT_EV_PLATFORM_CONFIG_FLAGS, ids[i], RULE_ACPI, "ACPI DATA: fw_cfg %s%s",
                                names[i], "");
                        if (!p->has_acpi) {
                                unknown(e, "the QEMU ACPI blobs (--acpi-dir DIR from `tdx acpi-dump` or a guest's "
                                           "/sys/firmware/qemu_fw_cfg)");
                                continue;
                        }
                        snprintf(e->what + strlen(e->what), sizeof(e->what) - strlen(e->what), ", %zu bytes", l[i]);
                        rc = p->has_acpi_digests ? put(e, &p->acpi_digests[i], err) : sha(e, d[i], l[i], err);
                        if (rc)
                                goto out;
                }
        }
        if (v->smbios_event) {
                e = add(m, 0, CT_EV_EFI_HANDOFF_TABLES, "smbios", RULE_SMBIOS, "SMBIOS tables (depend on memory)");
                if (p->has_smbios && e)
                        e->digest = p->smbios;
                else
                        unknown(e, "edk2 >= 202505 measures the SMBIOS tables: --smbios-digest HEX (from a "
                                   "reference boot's log) or --smbios-event off");
        }
        if (p->n_boot_vars) {
                for (size_t i = 0; i < p->n_boot_vars; i++) {
                        char id[24];

                        snprintf(id, sizeof(id), "%.20s", p->boot_vars[i].name);
                        for (char *c = id; *c; c++)
                                if (*c >= 'A' && *c <= 'Z')
                                        *c = (char)(*c - 'A' + 'a');
                        e = add(m, 0, CT_EV_EFI_VARIABLE_BOOT, id, RULE_BOOTVAR, "%.16s, %zu bytes (given)",
                                p->boot_vars[i].name, p->boot_vars[i].len);
                        rc = sha(e, p->boot_vars[i].data, p->boot_vars[i].len, err);
                        if (rc)
                                goto out;
                }
        } else if (v->boot_entries == CT_TDX_BOOT_UIAPP) {
                e = add(m, 0, CT_EV_EFI_VARIABLE_BOOT, "bootorder", RULE_BOOTVAR, "BootOrder = 0000");
                rc = put(e, &fw->bootorder, err);
                if (rc)
                        goto out;
                e = add(m, 0, CT_EV_EFI_VARIABLE_BOOT, "boot0000", RULE_BOOTVAR,
                        "Boot0000 = UiApp load option (%zu bytes)", sizeof(uiapp_load_option));
                rc = put(e, &fw->boot0000, err);
                if (rc)
                        goto out;
        } else {
                e = add(m, 0, CT_EV_EFI_VARIABLE_BOOT, "bootorder", RULE_BOOTVAR, "BootOrder, Boot0000 "
                        "(BootManagerMenuApp), Boot0001 (UiApp)");
                unknown(e, "edk2 >= 202505 boot entries: give the variables with --boot-var NAME=FILE (dumped "
                           "from a reference guest) or --boot-entries uiapp");
        }
        if (v->separator_rtmr == 0) {
                e = add(m, 0, CT_EV_SEPARATOR, "separator-rtb", RULE_SEP,
                        "ReadyToBoot separator (edk2 <= 202408 puts it in RTMR 0)");
                rc = put(e, &fw->sep, err);
                if (rc)
                        goto out;
        }

        /* RTMR 1 */
        if (p->kernel) {
                ct_digest kd;

                rc = kernel_digest(p->kernel, v->kernel_header, p, &kd, err);
                if (rc)
                        goto out;
                e = add(m, 1, CT_EV_EFI_BOOT_SERVICES_APPLICATION, "kernel", RULE_KERNEL,
                        "kernel (%s), %zu bytes, File(kernel)",
                        v->kernel_header == CT_TDX_KERNEL_PATCHED ? "setup header patched by QEMU < 10.2"
                                                                  : "unpatched",
                        p->kernel->len);
                if (e)
                        e->digest = kd;
                e = add(m, 1, CT_EV_EFI_ACTION, "calling-efi-app", RULE_ACTION,
                        "\"Calling EFI Application from Boot Option\"");
                rc = put(e, &fw->calling, err);
                if (rc)
                        goto out;
                if (v->separator_rtmr == 1) {
                        e = add(m, 1, CT_EV_SEPARATOR, "separator-rtb", RULE_SEP,
                                "ReadyToBoot separator (edk2 >= 202411 puts it in RTMR 1)");
                        rc = put(e, &fw->sep, err);
                        if (rc)
                                goto out;
                }
                e = add(m, 1, CT_EV_EFI_ACTION, "ebs-invocation", RULE_ACTION, "\"Exit Boot Services Invocation\"");
                rc = put(e, &fw->ebs_inv, err);
                if (rc)
                        goto out;
                e = add(m, 1, CT_EV_EFI_ACTION, "ebs-success", RULE_ACTION,
                        "\"Exit Boot Services Returned with Success\"");
                rc = put(e, &fw->ebs_ok, err);
                if (rc)
                        goto out;

                /* RTMR 2 */
                m->kernel_predates_cc_stub = p->kernel->major &&
                                             (p->kernel->major < 6 || (p->kernel->major == 6 && p->kernel->minor < 9));
                if (v->stub != CT_TDX_STUB_NONE) {
                        uint8_t *u = NULL;
                        size_t ul = 0;

                        if (p->cmdline && strlen(p->cmdline) > CT_TDX_MAX_CMDLINE) {
                                rc = ct_error_set(err, CT_E_LIMIT, "kernel command line longer than %u bytes",
                                                  CT_TDX_MAX_CMDLINE);
                                goto out;
                        }
                        rc = load_options(v, p, &u, &ul, text, (p->cmdline ? strlen(p->cmdline) : 0) + 64, err);
                        if (rc)
                                goto out;
                        e = add(m, 2, CT_EV_EVENT_TAG, "load-options", RULE_LOADOPT, "LoadOptions \"%.150s%s\"",
                                text, strlen(text) > 150 ? "..." : "");
                        rc = sha(e, u, ul, err);
                        free(u);
                        if (rc)
                                goto out;
                        if (p->has_initrd && v->stub == CT_TDX_STUB_CMDLINE_INITRD) {
                                e = add(m, 2, CT_EV_EVENT_TAG, "initrd", RULE_INITRD, "initrd, %llu bytes",
                                        (ull)p->initrd_size);
                                if (e)
                                        e->digest = p->initrd_sha384;
                        }
                }
        }
        apply_overrides(m, p);

        /* registers */
        for (unsigned r = 0; r < 3; r++) {
                ct_digest_zero(&m->rtmr[r], CT_HASH_SHA384);
                m->rtmr_known[r] = true;
        }
        if (!p->kernel)
                for (unsigned r = 1; r < 3; r++) {
                        m->rtmr_known[r] = false;
                        snprintf(m->rtmr_missing[r], sizeof(m->rtmr_missing[r]),
                                 "no --kernel: RTMR %u depends on the boot loader and OS", r);
                }
        for (size_t i = 0; i < m->n_events; i++) {
                ct_tdx_event *ev = &m->events[i];

                if (!ev->known) {
                        if (m->rtmr_known[ev->rtmr])
                                snprintf(m->rtmr_missing[ev->rtmr], sizeof(m->rtmr_missing[0]), "%s", ev->what);
                        m->rtmr_known[ev->rtmr] = false;
                        continue;
                }
                rc = ct_pcr_extend(&m->rtmr[ev->rtmr], &ev->digest, err);
                if (rc)
                        goto out;
                if (!strcmp(ev->id, "kernel")) {
                        m->has_kernel = true;
                        m->tdvfkernel = ev->digest;
                } else if (!strcmp(ev->id, "load-options")) {
                        m->has_kernelparams = true;
                        m->tdvfkernelparams = ev->digest;
                } else if (!strcmp(ev->id, "td-hob")) {
                        m->td_hob = ev->digest;
                }
        }
        for (unsigned r = 0; r < 3; r++)
                if (!m->rtmr_known[r])
                        ct_digest_zero(&m->rtmr[r], CT_HASH_SHA384);
        *ret = *m;
        rc = CT_OK;
out:
        free(text);
        free(hob);
        free(m);
        return rc;
}
