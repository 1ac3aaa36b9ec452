/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV / SEV-ES / SEV-SNP launch digests as virtee/sev-snp-measure 0.0.13
 * computes them (shared/specs/snp-launch-digest.md is the description this
 * follows; section numbers below refer to it).
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cocotrust/fwtable.h>
#include <cocotrust/reader.h>
#include <cocotrust/snp.h>

#include "../internal.h"
#include "snp-internal.h"

#define PAGE CT_SNP_PAGE_SIZE
#define LD CT_SNP_LD_SIZE
#define FOUR_GB 0x100000000ull

typedef unsigned long long ull;

enum {
        PAGE_TYPE_NORMAL = 1,
        PAGE_TYPE_VMSA = 2,
        PAGE_TYPE_ZERO = 3,
        PAGE_TYPE_UNMEASURED = 4,
        PAGE_TYPE_SECRETS = 5,
        PAGE_TYPE_CPUID = 6,
};

static const char *const mode_names[CT_SNP_MODE__MAX] = {
        [CT_SNP_MODE_SEV] = "sev",
        [CT_SNP_MODE_SEV_ES] = "seves",
        [CT_SNP_MODE_SNP] = "snp",
        [CT_SNP_MODE_SNP_OVMF_HASH] = "snp:ovmf-hash",
        [CT_SNP_MODE_SNP_SVSM] = "snp:svsm",
};

static const char *const vmm_names[CT_SNP_VMM__MAX] = {
        [CT_SNP_VMM_QEMU] = "QEMU",
        [CT_SNP_VMM_EC2] = "ec2",
        [CT_SNP_VMM_GCE] = "gce",
};

/* sev-snp-measure 0.0.13 vcpu_types.py, in its order. */
static const ct_snp_vcpu_type vcpu_types[] = {
        { "EPYC", 23, 1, 2 },        { "EPYC-v1", 23, 1, 2 },       { "EPYC-v2", 23, 1, 2 },
        { "EPYC-IBPB", 23, 1, 2 },   { "EPYC-v3", 23, 1, 2 },       { "EPYC-v4", 23, 1, 2 },
        { "EPYC-Rome", 23, 49, 0 },  { "EPYC-Rome-v1", 23, 49, 0 }, { "EPYC-Rome-v2", 23, 49, 0 },
        { "EPYC-Rome-v3", 23, 49, 0 }, { "EPYC-Milan", 25, 1, 1 },  { "EPYC-Milan-v1", 25, 1, 1 },
        { "EPYC-Milan-v2", 25, 1, 1 }, { "EPYC-Genoa", 25, 17, 0 }, { "EPYC-Genoa-v1", 25, 17, 0 },
        { "EPYC-Turin", 26, 0, 0 },
};

static const ct_guid guid_hash_table_rv = CT_FW_GUID_SEV_HASH_TABLE_RV;
static const ct_guid guid_reset_block = CT_FW_GUID_SEV_ES_RESET_BLOCK;
static const ct_guid guid_svsm_info = CT_FW_GUID_SVSM_INFO;

/* 9438d606-4f22-4cc9-b479-a793d411fd21 and the entry GUIDs (sec. 6). */
static const ct_guid guid_ht_header = CT_GUID_INIT(0x9438d606, 0x4f22, 0x4cc9, 0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21);
static const ct_guid guid_ht_cmdline = CT_GUID_INIT(0x97d02dd8, 0xbd20, 0x4c94, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a);
static const ct_guid guid_ht_initrd = CT_GUID_INIT(0x44baf731, 0x3a2f, 0x4bd7, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d);
static const ct_guid guid_ht_kernel = CT_GUID_INIT(0x4de79437, 0xabd2, 0x427f, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b);

#define AMDSEV_HINT                                                                                                   \
        "QEMU direct boot (-kernel) can only be measured with an OVMF built from edk2's "                              \
        "OvmfPkg/AmdSev/AmdSevX64.dsc (the AmdSevX64 build, which has the kernel hashes page); distribution builds "  \
        "such as Debian's OVMF_CODE*.fd cannot; use those without --kernel"

struct ct_snp_base {
        ct_snp_mode mode;
        uint8_t fw_ld[LD];                 /* snp modes: after the firmware (and SVSM) pages */
        uint8_t after_meta[CT_SNP_VMM__MAX][LD]; /* snp, snp:svsm: after the metadata pages, per VMM */
        uint64_t ap_eip;                   /* seves, snp: AP reset EIP; snp:svsm: SVSM entry */
        EVP_MD_CTX *sha256;                /* seves: state after firmware || hash table */
        uint8_t sev_digest[32];            /* sev */
        bool has_kernel;                   /* the kernel hash table was measured */
};

bool snp_base_has_kernel(const ct_snp_base *b)
{
        return b->has_kernel;
}

CT_EXPORT const char *ct_snp_mode_name(ct_snp_mode mode)
{
        return (unsigned)mode < CT_SNP_MODE__MAX ? mode_names[mode] : NULL;
}

CT_EXPORT bool ct_snp_mode_from_name(const char *name, ct_snp_mode *ret)
{
        for (int i = 0; name && i < CT_SNP_MODE__MAX; i++)
                if (strcmp(name, mode_names[i]) == 0) {
                        *ret = (ct_snp_mode)i;
                        return true;
                }
        return false;
}

CT_EXPORT const char *ct_snp_vmm_name(ct_snp_vmm vmm)
{
        return (unsigned)vmm < CT_SNP_VMM__MAX ? vmm_names[vmm] : NULL;
}

CT_EXPORT bool ct_snp_vmm_from_name(const char *name, ct_snp_vmm *ret)
{
        for (int i = 0; name && i < CT_SNP_VMM__MAX; i++)
                if (strcmp(name, vmm_names[i]) == 0) {
                        *ret = (ct_snp_vmm)i;
                        return true;
                }
        return false;
}

CT_EXPORT const ct_snp_vcpu_type *ct_snp_vcpu_types(size_t *ret_count)
{
        *ret_count = CT_ARRAY_SIZE(vcpu_types);
        return vcpu_types;
}

CT_EXPORT const ct_snp_vcpu_type *ct_snp_vcpu_type_find(const char *name)
{
        for (size_t i = 0; name && i < CT_ARRAY_SIZE(vcpu_types); i++)
                if (strcmp(name, vcpu_types[i].name) == 0)
                        return &vcpu_types[i];
        return NULL;
}

CT_EXPORT uint64_t ct_snp_cpu_sig(uint64_t family, uint64_t model, uint64_t stepping)
{
        uint64_t fam_lo, fam_hi;

        if (family > 0xf) {
                fam_lo = 0xf;
                fam_hi = (family - 0xf) & 0xff;
        } else {
                fam_lo = family;
                fam_hi = 0;
        }
        return (fam_hi << 20) | (((model >> 4) & 0xf) << 16) | (fam_lo << 8) | ((model & 0xf) << 4) |
               (stepping & 0xf);
}

/* Offset of the first byte that is not strict UTF-8 (overlong forms, surrogates, > U+10FFFF), or len. */
static size_t utf8_invalid_at(const uint8_t *s, size_t len)
{
        size_t i = 0;

        while (i < len) {
                uint8_t c = s[i];
                size_t n;
                uint32_t cp, min;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if ((c & 0xe0) == 0xc0)
                        n = 1, cp = c & 0x1f, min = 0x80;
                else if ((c & 0xf0) == 0xe0)
                        n = 2, cp = c & 0x0f, min = 0x800;
                else if ((c & 0xf8) == 0xf0)
                        n = 3, cp = c & 0x07, min = 0x10000;
                else
                        return i;
                if (n > len - i - 1)
                        return i;
                for (size_t k = 1; k <= n; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return i;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return i;
                i += n + 1;
        }
        return len;
}

CT_EXPORT ct_code ct_snp_cmdline_sha256(const char *append, uint8_t ret[32], ct_error *err)
{
        ct_hash h;
        ct_digest d;
        ct_code rc;
        static const uint8_t nul = 0;

        if (append) {
                size_t len = strlen(append), bad = utf8_invalid_at((const uint8_t *)append, len);
                /* sev-snp-measure hashes append.encode(): it fails on what is not UTF-8 */
                if (bad != len)
                        return ct_error_set_at(err, CT_E_MALFORMED, bad,
                                               "the command line is not valid UTF-8 (byte 0x%02x at offset 0x%zx)",
                                               (uint8_t)append[bad], bad);
        }
        rc = ct_hash_init(&h, CT_HASH_SHA256, err);
        if (rc)
                return rc;
        if (append && *append)
                rc = ct_hash_update(&h, append, strlen(append));
        if (!rc)
                rc = ct_hash_update(&h, &nul, 1);
        if (!rc)
                rc = ct_hash_final(&h, &d);
        ct_hash_free(&h);
        if (rc)
                return ct_error_set(err, rc, "SHA-256 of the command line failed");
        memcpy(ret, d.bytes, 32);
        return CT_OK;
}

static uint8_t *ht_entry(uint8_t *p, const ct_guid *g, const uint8_t digest[32])
{
        memcpy(p, g->b, 16);
        ct_put_le16(p + 16, 50);
        memcpy(p + 18, digest, 32);
        return p + 50;
}

CT_EXPORT void ct_snp_hash_table(const uint8_t kernel_sha256[32], const uint8_t initrd_sha256[32],
                                 const uint8_t cmdline_sha256[32], uint8_t ret[CT_SNP_HASH_TABLE_SIZE])
{
        uint8_t *p = ret;

        memset(ret, 0, CT_SNP_HASH_TABLE_SIZE);
        memcpy(p, guid_ht_header.b, 16);
        ct_put_le16(p + 16, 168);
        p += 18;
        p = ht_entry(p, &guid_ht_cmdline, cmdline_sha256);
        p = ht_entry(p, &guid_ht_initrd, initrd_sha256);
        (void)ht_entry(p, &guid_ht_kernel, kernel_sha256);
}

/* ---- SHA-384 PAGE_INFO chaining (sec. 4) ---- */

typedef struct gctx {
        EVP_MD_CTX *ctx;
        const EVP_MD *md;
        uint8_t ld[LD];
} gctx;

static ct_code gctx_init(gctx *g, const uint8_t seed[LD], ct_error *err)
{
        memset(g, 0, sizeof(*g));
        g->md = ct_hash_evp_md(CT_HASH_SHA384);
        g->ctx = EVP_MD_CTX_new();
        if (!g->md || !g->ctx) {
                EVP_MD_CTX_free(g->ctx);
                g->ctx = NULL;
                return ct_error_set(err, CT_E_CRYPTO, "SHA-384 is not available");
        }
        if (seed)
                memcpy(g->ld, seed, LD);
        return CT_OK;
}

static void gctx_done(gctx *g)
{
        EVP_MD_CTX_free(g->ctx);
        g->ctx = NULL;
}

static ct_code sha384(gctx *g, const void *data, size_t len, uint8_t out[LD], ct_error *err)
{
        if (EVP_DigestInit_ex2(g->ctx, g->md, NULL) != 1 || EVP_DigestUpdate(g->ctx, data, len) != 1 ||
            EVP_DigestFinal_ex(g->ctx, out, NULL) != 1)
                return ct_error_set(err, CT_E_CRYPTO, "SHA-384 failed");
        return CT_OK;
}

static ct_code page_info(gctx *g, uint8_t type, uint64_t gpa, const uint8_t contents[LD], ct_error *err)
{
        uint8_t info[0x70];

        memcpy(info, g->ld, LD);
        if (contents)
                memcpy(info + 0x30, contents, LD);
        else
                memset(info + 0x30, 0, LD);
        ct_put_le16(info + 0x60, 0x70);
        info[0x62] = type;
        memset(info + 0x63, 0, 5); /* is_imi, vmpl3..1 perms, reserved */
        ct_put_le64(info + 0x68, gpa);
        return sha384(g, info, sizeof(info), g->ld, err);
}

static ct_code normal_pages(gctx *g, uint64_t gpa, const uint8_t *data, size_t len, ct_error *err)
{
        uint8_t d[LD];
        ct_code rc;

        for (size_t off = 0; off < len; off += PAGE) {
                rc = sha384(g, data + off, PAGE, d, err);
                if (!rc)
                        rc = page_info(g, PAGE_TYPE_NORMAL, gpa + off, d, err);
                if (rc)
                        return rc;
        }
        return CT_OK;
}

static ct_code empty_pages(gctx *g, uint8_t type, uint64_t gpa, uint32_t size, ct_error *err)
{
        for (uint64_t off = 0; off < size; off += PAGE) {
                ct_code rc = page_info(g, type, gpa + off, NULL, err);
                if (rc)
                        return rc;
        }
        return CT_OK;
}

/* The metadata sections (sec. 5); kernel_page is the SHA-384 of the hashes page or NULL. */
static ct_code metadata_pages(gctx *g, const ct_sev_metadata *m, ct_snp_vmm vmm, const uint8_t *kernel_page,
                              ct_error *err)
{
        ct_code rc = CT_OK;

        for (size_t i = 0; i < m->n_sections && !rc; i++) {
                const ct_sev_section *s = &m->sections[i];
                switch (s->type) {
                case CT_SEV_SECTION_SNP_SEC_MEM:
                        rc = empty_pages(g, vmm == CT_SNP_VMM_GCE ? PAGE_TYPE_UNMEASURED : PAGE_TYPE_ZERO, s->gpa,
                                         s->size, err);
                        break;
                case CT_SEV_SECTION_SNP_SECRETS:
                        rc = page_info(g, PAGE_TYPE_SECRETS, s->gpa, NULL, err);
                        break;
                case CT_SEV_SECTION_CPUID:
                        if (vmm != CT_SNP_VMM_EC2)
                                rc = page_info(g, PAGE_TYPE_CPUID, s->gpa, NULL, err);
                        break;
                case CT_SEV_SECTION_SVSM_CAA:
                        rc = empty_pages(g, PAGE_TYPE_ZERO, s->gpa, s->size, err);
                        break;
                case CT_SEV_SECTION_SNP_KERNEL_HASHES:
                        if (kernel_page)
                                rc = page_info(g, PAGE_TYPE_NORMAL, s->gpa, kernel_page, err);
                        else
                                rc = empty_pages(g, PAGE_TYPE_ZERO, s->gpa, s->size, err);
                        break;
                default:
                        rc = ct_error_set(err, CT_E_MALFORMED, "unknown SEV section type 0x%x", s->type);
                }
        }
        if (vmm == CT_SNP_VMM_EC2)
                for (size_t i = 0; i < m->n_sections && !rc; i++)
                        if (m->sections[i].type == CT_SEV_SECTION_CPUID)
                                rc = page_info(g, PAGE_TYPE_CPUID, m->sections[i].gpa, NULL, err);
        return rc;
}

/* Every section type must be one the SNP measurement knows (sev-snp-measure: ValueError). */
static ct_code check_section_types(const ct_sev_metadata *m, const char *what, ct_error *err)
{
        for (size_t i = 0; i < m->n_sections; i++) {
                const ct_sev_section *s = &m->sections[i];
                if (!ct_sev_section_type_name(s->type))
                        return ct_error_set_at(err, CT_E_MALFORMED, s->desc_offset + 8,
                                               "%sSEV metadata section %zu (descriptor at offset 0x%llx, gpa 0x%x): "
                                               "unknown section type 0x%x",
                                               what, i, (ull)s->desc_offset, s->gpa, s->type);
        }
        return CT_OK;
}

/* ---- VMSA (sec. 7, 9) ---- */

static void seg(uint8_t *p, uint16_t sel, uint16_t attrib, uint32_t limit, uint64_t base)
{
        ct_put_le16(p, sel);
        ct_put_le16(p + 2, attrib);
        ct_put_le32(p + 4, limit);
        ct_put_le64(p + 8, base);
}

static void vmsa_build(uint8_t page[PAGE], ct_snp_vmm vmm, uint64_t eip, uint64_t sig, uint64_t sev_features)
{
        uint16_t cs_attr = 0x9b, ss_attr = 0x93, tr_attr = 0x8b, fcw = 0x37f;
        uint32_t mxcsr = 0x1f80;
        uint64_t rdx = sig, g_pat = 0x0007040600070406ull;

        if (vmm == CT_SNP_VMM_EC2) {
                cs_attr = eip == 0xfffffff0u ? 0x9a : 0x9b;
                ss_attr = 0x92;
                tr_attr = 0x83;
                rdx = 0x600;
                mxcsr = 0;
                fcw = 0;
        } else if (vmm == CT_SNP_VMM_GCE) {
                rdx = 0x600;
                mxcsr = 0;
                fcw = 0;
                g_pat = 0x00070106;
        }
        memset(page, 0, PAGE);
        seg(page + 0x00, 0, 0x93, 0xffff, 0);                           /* es */
        seg(page + 0x10, 0xf000, cs_attr, 0xffff, eip & 0xffff0000u);   /* cs */
        seg(page + 0x20, 0, ss_attr, 0xffff, 0);                        /* ss */
        seg(page + 0x30, 0, 0x93, 0xffff, 0);                           /* ds */
        seg(page + 0x40, 0, 0x93, 0xffff, 0);                           /* fs */
        seg(page + 0x50, 0, 0x93, 0xffff, 0);                           /* gs */
        seg(page + 0x60, 0, 0, 0xffff, 0);                              /* gdtr */
        seg(page + 0x70, 0, 0x82, 0xffff, 0);                           /* ldtr */
        seg(page + 0x80, 0, 0, 0xffff, 0);                              /* idtr */
        seg(page + 0x90, 0, tr_attr, 0xffff, 0);                        /* tr */
        ct_put_le64(page + 0xd0, 0x1000);       /* efer */
        ct_put_le64(page + 0x148, 0x40);        /* cr4 */
        ct_put_le64(page + 0x158, 0x10);        /* cr0 */
        ct_put_le64(page + 0x160, 0x400);       /* dr7 */
        ct_put_le64(page + 0x168, 0xffff0ff0);  /* dr6 */
        ct_put_le64(page + 0x170, 0x2);         /* rflags */
        ct_put_le64(page + 0x178, eip & 0xffff); /* rip */
        ct_put_le64(page + 0x268, g_pat);
        ct_put_le64(page + 0x310, rdx);
        ct_put_le64(page + 0x3b0, sev_features);
        ct_put_le64(page + 0x3e8, 0x1);         /* xcr0 */
        ct_put_le32(page + 0x408, mxcsr);
        ct_put_le16(page + 0x410, fcw);
}

/* The Coconut-SVSM VMSA; x87_fcw stays 0 as in sev-snp-measure (its 'fcw=' keyword is dropped). */
static void vmsa_build_svsm(uint8_t page[PAGE], uint64_t eip, uint64_t sig)
{
        memset(page, 0, PAGE);
        seg(page + 0x00, 16, 0xc93, 0xffffffff, 0);
        seg(page + 0x10, 8, 0xc9b, 0xffffffff, 0);
        seg(page + 0x20, 16, 0xc93, 0xffffffff, 0);
        seg(page + 0x30, 16, 0xc93, 0xffffffff, 0);
        seg(page + 0x40, 16, 0xc93, 0xffffffff, 0);
        seg(page + 0x50, 0, 0x93, 0xffff, 0);
        seg(page + 0x60, 0, 0, 0xffff, 0);
        seg(page + 0x70, 0, 0x82, 0xffff, 0);
        seg(page + 0x80, 0, 0, 0xffff, 0);
        seg(page + 0x90, 0, 0x8b, 0xffff, 0);
        ct_put_le64(page + 0xd0, 0x1000);
        ct_put_le64(page + 0x148, 0x40);
        ct_put_le64(page + 0x158, 0x11);
        ct_put_le64(page + 0x160, 0x400);
        ct_put_le64(page + 0x168, 0xffff0ff0);
        ct_put_le64(page + 0x170, 0x2);
        ct_put_le64(page + 0x178, eip);
        ct_put_le64(page + 0x268, 0x0007040600070406ull);
        ct_put_le64(page + 0x310, sig);
        ct_put_le64(page + 0x3b0, 0x1);
        ct_put_le64(page + 0x3e8, 0x1);
        ct_put_le32(page + 0x408, 0x1f80);
}

static bool base_has_vmsa(ct_snp_mode mode)
{
        return mode == CT_SNP_MODE_SEV_ES || mode == CT_SNP_MODE_SNP || mode == CT_SNP_MODE_SNP_SVSM;
}

CT_EXPORT ct_code ct_snp_base_vmsa(const ct_snp_base *b, ct_snp_vmm vmm, uint64_t vcpu_sig, uint64_t guest_features,
                                   uint64_t index, uint8_t ret[CT_SNP_PAGE_SIZE], ct_error *err)
{
        if (!b || (unsigned)vmm >= CT_SNP_VMM__MAX)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        if (!base_has_vmsa(b->mode))
                return ct_error_set(err, CT_E_ARG, "mode %s has no VMSA pages", ct_snp_mode_name(b->mode));
        if (b->mode == CT_SNP_MODE_SNP_SVSM)
                vmsa_build_svsm(ret, b->ap_eip, vcpu_sig);
        else
                vmsa_build(ret, vmm, index == 0 ? 0xfffffff0u : b->ap_eip, vcpu_sig,
                           b->mode == CT_SNP_MODE_SNP ? guest_features : 0);
        return CT_OK;
}

/* ---- the firmware part ---- */

CT_EXPORT void ct_snp_base_free(ct_snp_base *b)
{
        if (!b)
                return;
        EVP_MD_CTX_free(b->sha256);
        free(b);
}

CT_EXPORT ct_snp_mode ct_snp_base_mode(const ct_snp_base *b)
{
        return b->mode;
}

static ct_code need_pages(size_t len, const char *what, ct_error *err)
{
        if (len % PAGE)
                return ct_error_set_at(err, CT_E_MALFORMED, len,
                                       "%ssize %zu is not a multiple of 4096 (SNP measures whole pages)", what, len);
        return CT_OK;
}

static ct_code base_sev(ct_snp_base *b, const ct_snp_params *p, const ct_fwtable *t, ct_error *err)
{
        uint8_t table[CT_SNP_HASH_TABLE_SIZE];
        uint32_t v = 0;
        ct_code rc;

        if (p->has_kernel) {
                const ct_fw_entry *e = ct_fwtable_find(t, &guid_hash_table_rv);
                if (e) {
                        rc = ct_fwtable_u32(t, p->ovmf, p->ovmf_len, &guid_hash_table_rv, "SEV_HASH_TABLE_RV", &v, err);
                        if (rc)
                                return rc;
                }
                if (!e || v == 0)
                        return ct_error_set(err, CT_E_UNSUPPORTED,
                                            "kernel specified but the firmware does not support kernel/initrd/cmdline "
                                            "measurement (%s); " AMDSEV_HINT,
                                            e ? "its SEV_HASH_TABLE_RV entry holds GPA 0"
                                              : "no SEV_HASH_TABLE_RV entry in its footer table");
        }
        if (p->mode == CT_SNP_MODE_SEV_ES) {
                rc = ct_fwtable_u32(t, p->ovmf, p->ovmf_len, &guid_reset_block, "SEV_ES_RESET_BLOCK", &v, err);
                if (rc)
                        return rc;
                b->ap_eip = v;
        }
        b->sha256 = EVP_MD_CTX_new();
        if (!b->sha256)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if (EVP_DigestInit_ex2(b->sha256, ct_hash_evp_md(CT_HASH_SHA256), NULL) != 1 ||
            EVP_DigestUpdate(b->sha256, p->ovmf, p->ovmf_len) != 1)
                return ct_error_set(err, CT_E_CRYPTO, "SHA-256 failed");
        if (p->has_kernel) {
                ct_snp_hash_table(p->kernel_sha256, p->initrd_sha256, p->cmdline_sha256, table);
                if (EVP_DigestUpdate(b->sha256, table, sizeof(table)) != 1)
                        return ct_error_set(err, CT_E_CRYPTO, "SHA-256 failed");
        }
        if (p->mode == CT_SNP_MODE_SEV) {
                if (EVP_DigestFinal_ex(b->sha256, b->sev_digest, NULL) != 1)
                        return ct_error_set(err, CT_E_CRYPTO, "SHA-256 failed");
                EVP_MD_CTX_free(b->sha256);
                b->sha256 = NULL;
        }
        return CT_OK;
}

static ct_code base_snp(ct_snp_base *b, const ct_snp_params *p, const ct_fwtable *t, const ct_sev_metadata *m,
                        ct_error *err)
{
        uint8_t kernel_digest[LD], page[PAGE];
        const ct_sev_section *kh = NULL;
        uint32_t v;
        gctx g;
        ct_code rc;

        rc = gctx_init(&g, p->has_ovmf_hash && p->mode == CT_SNP_MODE_SNP ? p->ovmf_hash : NULL, err);
        if (rc)
                return rc;
        if (!(p->has_ovmf_hash && p->mode == CT_SNP_MODE_SNP)) {
                rc = need_pages(p->ovmf_len, "firmware ", err);
                if (!rc)
                        rc = normal_pages(&g, FOUR_GB - p->ovmf_len, p->ovmf, p->ovmf_len, err);
                if (rc)
                        goto out;
        }
        memcpy(b->fw_ld, g.ld, LD);
        if (p->mode == CT_SNP_MODE_SNP_OVMF_HASH)
                goto out;

        rc = check_section_types(m, "", err);
        if (rc)
                goto out;
        for (size_t i = 0; i < m->n_sections; i++)
                if (m->sections[i].type == CT_SEV_SECTION_SNP_KERNEL_HASHES && !kh)
                        kh = &m->sections[i];
        if (p->has_kernel) {
                uint32_t off;

                if (!kh) {
                        rc = ct_error_set(err, CT_E_UNSUPPORTED,
                                          "kernel specified but the firmware's SEV metadata has no SNP_KERNEL_HASHES "
                                          "section%s; " AMDSEV_HINT,
                                          m->present ? "" : " (it has no SEV metadata at all)");
                        goto out;
                }
                rc = ct_fwtable_u32(t, p->ovmf, p->ovmf_len, &guid_hash_table_rv, "SEV_HASH_TABLE_RV", &v, err);
                if (rc)
                        goto out;
                off = v & 0xfff;
                if (off + CT_SNP_HASH_TABLE_SIZE > PAGE) {
                        uint64_t at = ct_fwtable_find(t, &guid_hash_table_rv)->offset;
                        rc = ct_error_set_at(err, CT_E_MALFORMED, at,
                                             "SEV_HASH_TABLE_RV entry at offset 0x%llx: hash table GPA 0x%x leaves no "
                                             "room for the %d-byte table in its page",
                                             (ull)at, v, CT_SNP_HASH_TABLE_SIZE);
                        goto out;
                }
                for (size_t i = 0; i < m->n_sections; i++) {
                        const ct_sev_section *s = &m->sections[i];
                        if (s->type == CT_SEV_SECTION_SNP_KERNEL_HASHES && s->size != PAGE) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, s->desc_offset + 4,
                                                     "SNP_KERNEL_HASHES section (descriptor at offset 0x%llx) has size "
                                                     "0x%x, expected 0x1000",
                                                     (ull)s->desc_offset, s->size);
                                goto out;
                        }
                }
                memset(page, 0, sizeof(page));
                ct_snp_hash_table(p->kernel_sha256, p->initrd_sha256, p->cmdline_sha256, page + off);
                rc = sha384(&g, page, PAGE, kernel_digest, err);
                if (rc)
                        goto out;
        }
        rc = ct_fwtable_u32(t, p->ovmf, p->ovmf_len, &guid_reset_block, "SEV_ES_RESET_BLOCK", &v, err);
        if (rc)
                goto out;
        b->ap_eip = v;
        for (int vmm = 0; vmm < CT_SNP_VMM__MAX; vmm++) {
                memcpy(g.ld, b->fw_ld, LD);
                rc = metadata_pages(&g, m, (ct_snp_vmm)vmm, p->has_kernel ? kernel_digest : NULL, err);
                if (rc)
                        goto out;
                memcpy(b->after_meta[vmm], g.ld, LD);
        }
out:
        gctx_done(&g);
        return rc;
}

/* What an error about the SVSM image names as its input. */
static const char *svsm_input(const ct_snp_params *p)
{
        return p->svsm_input ? p->svsm_input : "SVSM image";
}

static ct_code base_svsm(ct_snp_base *b, const ct_snp_params *p, ct_error *err)
{
        ct_fwtable t;
        ct_sev_metadata m;
        uint64_t ovmf_gpa, svsm_gpa;
        uint32_t v;
        gctx g;
        ct_code rc;

        if (!p->svsm || p->svsm_len == 0)
                return ct_error_set(err, CT_E_ARG, "snp:svsm needs the SVSM image");
        if (p->has_kernel)
                return ct_error_set(err, CT_E_UNSUPPORTED, "snp:svsm does not measure a kernel (no direct boot)");
        if (p->svsm_len > CT_MAX_SNP_FIRMWARE_SIZE) {
                rc = ct_error_set(err, CT_E_LIMIT, "SVSM image of %zu bytes, limit %llu", p->svsm_len,
                                  (ull)CT_MAX_SNP_FIRMWARE_SIZE);
                ct_error_set_input(err, svsm_input(p));
                return rc;
        }
        rc = need_pages(p->ovmf_len, "firmware ", err);
        if (rc)
                return rc;
        rc = need_pages(p->svsm_len, "SVSM image ", err);
        if (rc) {
                ct_error_set_input(err, svsm_input(p));
                return rc;
        }
        ovmf_gpa = FOUR_GB - p->ovmf_len;
        /* sev-snp-measure accepts any vars size, even one that leaves the SVSM at an unaligned GPA */
        if (p->vars_size > ovmf_gpa || p->svsm_len > ovmf_gpa - p->vars_size)
                return ct_error_set(err, CT_E_ARG,
                                    "vars size %llu and SVSM size %zu do not fit below the firmware at GPA 0x%llx",
                                    (ull)p->vars_size, p->svsm_len, (ull)ovmf_gpa);
        svsm_gpa = ovmf_gpa - p->vars_size - p->svsm_len;
        rc = ct_fwtable_parse(p->svsm, p->svsm_len, &t, err);
        if (!rc)
                rc = ct_sev_metadata_parse(p->svsm, p->svsm_len, &t, &m, err);
        if (!rc)
                rc = check_section_types(&m, "", err);
        if (!rc)
                rc = ct_fwtable_u32(&t, p->svsm, p->svsm_len, &guid_svsm_info, "SVSM_INFO", &v, err);
        if (rc) {
                ct_error_set_input(err, svsm_input(p));
                return rc;
        }
        b->ap_eip = (uint64_t)v + svsm_gpa;
        rc = gctx_init(&g, NULL, err);
        if (rc)
                return rc;
        rc = normal_pages(&g, ovmf_gpa, p->ovmf, p->ovmf_len, err);
        if (!rc)
                rc = normal_pages(&g, svsm_gpa, p->svsm, p->svsm_len, err);
        if (!rc)
                memcpy(b->fw_ld, g.ld, LD);
        if (!rc)
                rc = metadata_pages(&g, &m, CT_SNP_VMM_QEMU, NULL, err);
        if (!rc)
                for (int vmm = 0; vmm < CT_SNP_VMM__MAX; vmm++)
                        memcpy(b->after_meta[vmm], g.ld, LD);
        gctx_done(&g);
        return rc;
}

CT_EXPORT ct_code ct_snp_base_new(const ct_snp_params *p, ct_snp_base **ret, ct_error *err)
{
        ct_snp_base *b;
        ct_fwtable t;
        ct_sev_metadata m;
        ct_code rc;

        if (!p || !ret || (unsigned)p->mode >= CT_SNP_MODE__MAX || (!p->ovmf && p->ovmf_len))
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        if (p->ovmf_len > CT_MAX_SNP_FIRMWARE_SIZE) {
                rc = ct_error_set(err, CT_E_LIMIT, "firmware: %zu bytes, limit %llu", p->ovmf_len,
                                  (ull)CT_MAX_SNP_FIRMWARE_SIZE);
                ct_error_default_input(err, p->ovmf_input);
                return rc;
        }
        /* sev-snp-measure reads the footer header at end - 50 unconditionally (and crashes below that) */
        if (p->ovmf_len < CT_FW_FOOTER_FROM_END) {
                rc = ct_error_set_at(err, CT_E_TRUNCATED, 0,
                                     "firmware of %zu bytes at offset 0x0 is too small to be an OVMF image (its "
                                     "footer table header sits %u bytes before the end)",
                                     p->ovmf_len, CT_FW_FOOTER_FROM_END);
                ct_error_default_input(err, p->ovmf_input);
                return rc;
        }
        if (p->has_ovmf_hash && p->mode != CT_SNP_MODE_SNP && p->mode != CT_SNP_MODE_SNP_OVMF_HASH)
                return ct_error_set(err, CT_E_ARG, "an SNP OVMF hash only works with mode snp");
        /* sev-snp-measure parses the table and metadata of the firmware in every mode. */
        rc = ct_fwtable_parse(p->ovmf, p->ovmf_len, &t, err);
        if (!rc)
                rc = ct_sev_metadata_parse(p->ovmf, p->ovmf_len, &t, &m, err);
        if (rc) {
                ct_error_default_input(err, p->ovmf_input);
                return rc;
        }
        b = calloc(1, sizeof(*b));
        if (!b)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        b->mode = p->mode;
        b->has_kernel = p->has_kernel;
        switch (p->mode) {
        case CT_SNP_MODE_SEV:
        case CT_SNP_MODE_SEV_ES:
                rc = base_sev(b, p, &t, err);
                break;
        case CT_SNP_MODE_SNP:
        case CT_SNP_MODE_SNP_OVMF_HASH:
                rc = base_snp(b, p, &t, &m, err);
                break;
        default:
                rc = base_svsm(b, p, err);
        }
        if (rc) {
                ct_snp_base_free(b);
                ct_error_default_input(err, p->ovmf_input);
                return rc;
        }
        *ret = b;
        return CT_OK;
}

static ct_code check_counts(const int64_t *vcpus, size_t n, ct_error *err)
{
        for (size_t i = 0; i < n; i++) {
                if (vcpus[i] > CT_MAX_SNP_VCPUS)
                        return ct_error_set(err, CT_E_LIMIT, "%lld vCPUs: limit %d", (long long)vcpus[i],
                                            CT_MAX_SNP_VCPUS);
                if (i && vcpus[i] < vcpus[i - 1])
                        return ct_error_set(err, CT_E_ARG, "vCPU counts must be in ascending order");
        }
        return CT_OK;
}

static ct_code base_measure(const ct_snp_base *b, ct_snp_vmm vmm, uint64_t vcpu_sig, uint64_t guest_features,
                            const int64_t *vcpus, size_t n, ct_digest *ret, ct_error *err);

CT_EXPORT ct_code ct_snp_base_measure(const ct_snp_base *b, ct_snp_vmm vmm, uint64_t vcpu_sig,
                                      uint64_t guest_features, const int64_t *vcpus, size_t n, ct_digest *ret,
                                      ct_error *err)
{
        ct_digest *tmp;
        ct_code rc;

        if (!b || (unsigned)vmm >= CT_SNP_VMM__MAX || (n && (!vcpus || !ret)))
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        if (n == 0)
                return CT_OK;
        /* ret is written only on success */
        tmp = calloc(n, sizeof(*tmp));
        if (!tmp)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        rc = base_measure(b, vmm, vcpu_sig, guest_features, vcpus, n, tmp, err);
        if (!rc)
                memcpy(ret, tmp, n * sizeof(*tmp));
        free(tmp);
        return rc;
}

static ct_code base_measure(const ct_snp_base *b, ct_snp_vmm vmm, uint64_t vcpu_sig, uint64_t guest_features,
                            const int64_t *vcpus, size_t n, ct_digest *ret, ct_error *err)
{
        uint8_t page[PAGE], bsp[LD], ap[LD];
        int64_t k = 0;
        ct_code rc;

        rc = check_counts(vcpus, n, err);
        if (rc)
                return rc;

        if (b->mode == CT_SNP_MODE_SEV || b->mode == CT_SNP_MODE_SNP_OVMF_HASH) {
                for (size_t i = 0; i < n; i++) {
                        if (b->mode == CT_SNP_MODE_SEV)
                                ct_digest_from_bytes(&ret[i], CT_HASH_SHA256, b->sev_digest, 32);
                        else
                                ct_digest_from_bytes(&ret[i], CT_HASH_SHA384, b->fw_ld, LD);
                }
                return CT_OK;
        }

        if (b->mode == CT_SNP_MODE_SEV_ES) {
                EVP_MD_CTX *c = EVP_MD_CTX_new(), *o = EVP_MD_CTX_new();
                uint8_t ap_page[PAGE];

                if (!c || !o || EVP_MD_CTX_copy_ex(c, b->sha256) != 1) {
                        rc = ct_error_set(err, CT_E_CRYPTO, "SHA-256 failed");
                        goto sev_out;
                }
                vmsa_build(page, vmm, 0xfffffff0u, vcpu_sig, 0);
                vmsa_build(ap_page, vmm, b->ap_eip, vcpu_sig, 0);
                for (size_t i = 0; i < n; i++) {
                        uint8_t d[32];
                        for (; k < vcpus[i]; k++)
                                if (EVP_DigestUpdate(c, k == 0 ? page : ap_page, PAGE) != 1) {
                                        rc = ct_error_set(err, CT_E_CRYPTO, "SHA-256 failed");
                                        goto sev_out;
                                }
                        if (EVP_MD_CTX_copy_ex(o, c) != 1 || EVP_DigestFinal_ex(o, d, NULL) != 1) {
                                rc = ct_error_set(err, CT_E_CRYPTO, "SHA-256 failed");
                                goto sev_out;
                        }
                        ct_digest_from_bytes(&ret[i], CT_HASH_SHA256, d, 32);
                }
        sev_out:
                EVP_MD_CTX_free(c);
                EVP_MD_CTX_free(o);
                return rc;
        }

        /* snp, snp:svsm */
        {
                gctx g;

                rc = gctx_init(&g, b->after_meta[vmm], err);
                if (rc)
                        return rc;
                rc = ct_snp_base_vmsa(b, vmm, vcpu_sig, guest_features, 0, page, err);
                if (!rc)
                        rc = sha384(&g, page, PAGE, bsp, err);
                if (!rc)
                        rc = ct_snp_base_vmsa(b, vmm, vcpu_sig, guest_features, 1, page, err);
                if (!rc)
                        rc = sha384(&g, page, PAGE, ap, err);
                for (size_t i = 0; i < n && !rc; i++) {
                        for (; k < vcpus[i] && !rc; k++)
                                rc = page_info(&g, PAGE_TYPE_VMSA, CT_SNP_VMSA_GPA, k == 0 ? bsp : ap, err);
                        if (!rc)
                                ct_digest_from_bytes(&ret[i], CT_HASH_SHA384, g.ld, LD);
                }
                gctx_done(&g);
                return rc;
        }
}

CT_EXPORT ct_code ct_snp_measure(const ct_snp_params *p, ct_digest *ret, ct_error *err)
{
        ct_snp_base *b = NULL;
        ct_digest d;
        ct_code rc;

        rc = ct_snp_base_new(p, &b, err);
        if (!rc)
                rc = ct_snp_base_measure(b, p->vmm, p->vcpu_sig, p->guest_features, &p->vcpus, 1, &d, err);
        ct_snp_base_free(b);
        if (!rc)
                *ret = d;
        return rc;
}

/* ---- the explanation search's inner loop (snp-internal.h) ---- */

static void push_found(int64_t k, int64_t *found, size_t cap, size_t *n)
{
        if (*n < cap)
                found[*n] = k;
        (*n)++;
}

ct_code snp_base_find(const ct_snp_base *b, ct_snp_vmm vmm, uint64_t sig, uint64_t guest_features, int64_t max_vcpus,
                      const uint8_t *target, size_t target_len, int64_t *found, size_t cap, size_t *ret_n,
                      ct_error *err)
{
        uint8_t page[PAGE], bsp[LD], ap[LD];
        size_t n = 0;
        ct_code rc = CT_OK;

        if (!b || (unsigned)vmm >= CT_SNP_VMM__MAX || max_vcpus < 0 || max_vcpus > CT_MAX_SNP_VCPUS || !target)
                return ct_error_set(err, CT_E_ARG, "invalid arguments");
        switch (b->mode) {
        case CT_SNP_MODE_SEV:
                if (target_len == 32 && CRYPTO_memcmp(target, b->sev_digest, 32) == 0)
                        push_found(0, found, cap, &n);
                break;
        case CT_SNP_MODE_SNP_OVMF_HASH:
                break;
        case CT_SNP_MODE_SEV_ES: {
                EVP_MD_CTX *c = EVP_MD_CTX_new(), *o = EVP_MD_CTX_new();
                uint8_t ap_page[PAGE], d[32];

                if (target_len != 32)
                        goto seves_out;
                if (!c || !o || EVP_MD_CTX_copy_ex(c, b->sha256) != 1) {
                        rc = ct_error_set(err, CT_E_CRYPTO, "SHA-256 failed");
                        goto seves_out;
                }
                vmsa_build(page, vmm, 0xfffffff0u, sig, 0);
                vmsa_build(ap_page, vmm, b->ap_eip, sig, 0);
                for (int64_t k = 1; k <= max_vcpus; k++) {
                        if (EVP_DigestUpdate(c, k == 1 ? page : ap_page, PAGE) != 1 || EVP_MD_CTX_copy_ex(o, c) != 1 ||
                            EVP_DigestFinal_ex(o, d, NULL) != 1) {
                                rc = ct_error_set(err, CT_E_CRYPTO, "SHA-256 failed");
                                break;
                        }
                        if (CRYPTO_memcmp(d, target, 32) == 0)
                                push_found(k, found, cap, &n);
                }
        seves_out:
                EVP_MD_CTX_free(c);
                EVP_MD_CTX_free(o);
                break;
        }
        default: { /* snp, snp:svsm */
                gctx g;

                if (target_len != LD)
                        break;
                rc = gctx_init(&g, b->after_meta[vmm], err);
                if (rc)
                        return rc;
                rc = ct_snp_base_vmsa(b, vmm, sig, guest_features, 0, page, err);
                if (!rc)
                        rc = sha384(&g, page, PAGE, bsp, err);
                if (!rc)
                        rc = ct_snp_base_vmsa(b, vmm, sig, guest_features, 1, page, err);
                if (!rc)
                        rc = sha384(&g, page, PAGE, ap, err);
                for (int64_t k = 1; k <= max_vcpus && !rc; k++) {
                        rc = page_info(&g, PAGE_TYPE_VMSA, CT_SNP_VMSA_GPA, k == 1 ? bsp : ap, err);
                        if (!rc && CRYPTO_memcmp(g.ld, target, LD) == 0)
                                push_found(k, found, cap, &n);
                }
                gctx_done(&g);
        }
        }
        if (rc)
                return rc;
        *ret_n = n;
        return CT_OK;
}
