/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — SEV-SNP ATTESTATION_REPORT v2-v5 parser (coco-ecosystem.md §3.1). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <cocotrust/evidence.h>
#include <cocotrust/reader.h>

#include "../internal.h"

CT_EXPORT const char *ct_check_status_name(ct_check_status s)
{
        switch (s) {
        case CT_CHECK_PASS: return "pass";
        case CT_CHECK_FAIL: return "fail";
        case CT_CHECK_WARN: return "warn";
        case CT_CHECK_SKIP: return "skip";
        }
        return "unknown";
}

CT_EXPORT const char *ct_snp_product_name(ct_snp_product p)
{
        switch (p) {
        case CT_SNP_PRODUCT_MILAN: return "Milan";
        case CT_SNP_PRODUCT_GENOA: return "Genoa";
        case CT_SNP_PRODUCT_TURIN: return "Turin";
        case CT_SNP_PRODUCT_UNKNOWN: break;
        }
        return "unknown";
}

CT_EXPORT ct_snp_product ct_snp_product_from_name(const char *name)
{
        if (!name)
                return CT_SNP_PRODUCT_UNKNOWN;
        if (strcasecmp(name, "milan") == 0)
                return CT_SNP_PRODUCT_MILAN;
        if (strcasecmp(name, "genoa") == 0)
                return CT_SNP_PRODUCT_GENOA;
        if (strcasecmp(name, "turin") == 0)
                return CT_SNP_PRODUCT_TURIN;
        return CT_SNP_PRODUCT_UNKNOWN;
}

CT_EXPORT ct_snp_product ct_snp_product_from_cpuid(uint8_t family, uint8_t model)
{
        if (family == 0x19) {
                if (model <= 0x0f)
                        return CT_SNP_PRODUCT_MILAN;
                if ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf))
                        return CT_SNP_PRODUCT_GENOA;
                return CT_SNP_PRODUCT_UNKNOWN;
        }
        if (family == 0x1a)
                return CT_SNP_PRODUCT_TURIN;
        return CT_SNP_PRODUCT_UNKNOWN;
}

CT_EXPORT void ct_snp_tcb_decode(uint64_t raw, ct_snp_product product, ct_snp_tcb *ret)
{
        ct_snp_tcb t = { .raw = raw };

        if (product == CT_SNP_PRODUCT_TURIN) {
                t.has_fmc = true;
                t.fmc = (uint8_t)raw;
                t.bootloader = (uint8_t)(raw >> 8);
                t.tee = (uint8_t)(raw >> 16);
                t.snp = (uint8_t)(raw >> 24);
        } else {
                t.bootloader = (uint8_t)raw;
                t.tee = (uint8_t)(raw >> 8);
                t.snp = (uint8_t)(raw >> 48);
        }
        t.microcode = (uint8_t)(raw >> 56);
        *ret = t;
}

/* Is buf hex text of exactly one report (digits and whitespace only)? */
static bool is_hex_report(const uint8_t *buf, size_t len)
{
        size_t digits = 0;

        if (len > CT_MAX_SNP_REPORT_TEXT)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (isxdigit(buf[i]))
                        digits++;
                else if (!isspace(buf[i]))
                        return false;
        }
        return digits == 2 * CT_SNP_REPORT_SIZE;
}

static int hexval(uint8_t c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        return (tolower(c) - 'a') + 10;
}

static void note_reserved(ct_snp_report *r, size_t off, size_t len)
{
        size_t i = off;

        while (i < off + len) {
                size_t start;

                while (i < off + len && r->raw[i] == 0)
                        i++;
                if (i == off + len)
                        return;
                start = i;
                while (i < off + len && r->raw[i] != 0)
                        i++;
                if (r->n_reserved < CT_SNP_MAX_RESERVED) {
                        r->reserved[r->n_reserved].offset = (uint16_t)start;
                        r->reserved[r->n_reserved].len = (uint16_t)(i - start);
                        r->n_reserved++;
                }
        }
}

CT_EXPORT ct_code ct_snp_report_parse(const void *buf, size_t len, ct_snp_product product_hint, ct_snp_report *ret,
                                      ct_error *err)
{
        ct_snp_report *r;
        const uint8_t *in = buf;
        ct_reader rd;
        uint64_t cur, rep, com, lau;
        ct_code c;

        if (!buf || !ret)
                return ct_error_set(err, CT_E_ARG, "no report");
        r = calloc(1, sizeof(*r));
        if (!r)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if (len != CT_SNP_REPORT_SIZE && is_hex_report(in, len)) {
                size_t k = 0;
                int hi = -1;

                for (size_t i = 0; i < len; i++) {
                        if (isspace(in[i]))
                                continue;
                        if (hi < 0) {
                                hi = hexval(in[i]);
                        } else {
                                r->raw[k++] = (uint8_t)(hi << 4 | hexval(in[i]));
                                hi = -1;
                        }
                }
        } else {
                if (len < CT_SNP_REPORT_SIZE) {
                        free(r);
                        return ct_error_set_at(err, CT_E_TRUNCATED, len,
                                               "SNP report truncated: %zu bytes, a report has %u (0x4a0); "
                                               "signature at 0x2a0 missing or cut at offset 0x%zx",
                                               len, CT_SNP_REPORT_SIZE, len);
                }
                for (size_t i = CT_SNP_REPORT_SIZE; i < len; i++) {
                        if (in[i] != 0) {
                                free(r);
                                return ct_error_set_at(err, CT_E_MALFORMED, i,
                                                       "SNP report: %zu bytes after the 0x4a0-byte report, "
                                                       "non-zero at offset 0x%zx",
                                                       len - CT_SNP_REPORT_SIZE, i);
                        }
                }
                memcpy(r->raw, in, CT_SNP_REPORT_SIZE);
        }

        ct_reader_init(&rd, r->raw, CT_SNP_REPORT_SIZE, 0);
        r->version = ct_reader_u32le(&rd, "version");
        r->guest_svn = ct_reader_u32le(&rd, "guest_svn");
        r->policy = ct_reader_u64le(&rd, "policy");
        ct_reader_bytes(&rd, r->family_id, 16, "family_id");
        ct_reader_bytes(&rd, r->image_id, 16, "image_id");
        r->vmpl = ct_reader_u32le(&rd, "vmpl");
        r->signature_algo = ct_reader_u32le(&rd, "signature_algo");
        cur = ct_reader_u64le(&rd, "current_tcb");
        r->platform_info = ct_reader_u64le(&rd, "platform_info");
        r->signer_info = ct_reader_u32le(&rd, "signer_info");
        ct_reader_skip(&rd, 4, "reserved0");
        ct_reader_bytes(&rd, r->report_data, 64, "report_data");
        ct_reader_bytes(&rd, r->measurement, 48, "measurement");
        ct_reader_bytes(&rd, r->host_data, 32, "host_data");
        ct_reader_bytes(&rd, r->id_key_digest, 48, "id_key_digest");
        ct_reader_bytes(&rd, r->author_key_digest, 48, "author_key_digest");
        ct_reader_bytes(&rd, r->report_id, 32, "report_id");
        ct_reader_bytes(&rd, r->report_id_ma, 32, "report_id_ma");
        rep = ct_reader_u64le(&rd, "reported_tcb");
        r->cpuid_family = ct_reader_u8(&rd, "cpuid_fam_id");
        r->cpuid_model = ct_reader_u8(&rd, "cpuid_mod_id");
        r->cpuid_stepping = ct_reader_u8(&rd, "cpuid_step");
        ct_reader_seek(&rd, 0x1a0, "reserved1");
        ct_reader_bytes(&rd, r->chip_id, 64, "chip_id");
        com = ct_reader_u64le(&rd, "committed_tcb");
        r->current_build = ct_reader_u8(&rd, "current_build");
        r->current_minor = ct_reader_u8(&rd, "current_minor");
        r->current_major = ct_reader_u8(&rd, "current_major");
        ct_reader_skip(&rd, 1, "reserved2");
        r->committed_build = ct_reader_u8(&rd, "committed_build");
        r->committed_minor = ct_reader_u8(&rd, "committed_minor");
        r->committed_major = ct_reader_u8(&rd, "committed_major");
        ct_reader_skip(&rd, 1, "reserved3");
        lau = ct_reader_u64le(&rd, "launch_tcb");
        r->launch_mit_vector = ct_reader_u64le(&rd, "launch_mit_vector");
        r->current_mit_vector = ct_reader_u64le(&rd, "current_mit_vector");
        ct_reader_seek(&rd, CT_SNP_SIGNED_SIZE, "signature");
        ct_reader_bytes(&rd, r->sig_r, 72, "signature.r");
        ct_reader_bytes(&rd, r->sig_s, 72, "signature.s");
        c = ct_reader_error(&rd, err);
        if (c != CT_OK) {
                free(r);
                return c;
        }

        /* v2 has no CPUID (the bytes are reserved); v5 adds the mitigation vectors. */
        r->has_cpuid = r->version >= 3;
        r->has_mit_vectors = r->version >= 5;
        note_reserved(r, 0x4c, 4);
        if (r->has_cpuid) {
                note_reserved(r, 0x18b, 0x1a0 - 0x18b);
        } else {
                note_reserved(r, 0x188, 0x1a0 - 0x188);
                r->cpuid_family = r->cpuid_model = r->cpuid_stepping = 0;
        }
        note_reserved(r, 0x1eb, 1);
        note_reserved(r, 0x1ef, 1);
        if (r->has_mit_vectors) {
                note_reserved(r, 0x208, CT_SNP_SIGNED_SIZE - 0x208);
        } else {
                note_reserved(r, 0x1f8, CT_SNP_SIGNED_SIZE - 0x1f8);
                r->launch_mit_vector = r->current_mit_vector = 0;
        }
        note_reserved(r, 0x330, CT_SNP_REPORT_SIZE - 0x330);

        r->product = CT_SNP_PRODUCT_UNKNOWN;
        if (r->has_cpuid) {
                r->product = ct_snp_product_from_cpuid(r->cpuid_family, r->cpuid_model);
                r->product_from_cpuid = r->product != CT_SNP_PRODUCT_UNKNOWN;
        }
        if (!r->product_from_cpuid && product_hint != CT_SNP_PRODUCT_UNKNOWN)
                r->product = product_hint;
        ct_snp_tcb_decode(cur, r->product, &r->current_tcb);
        ct_snp_tcb_decode(rep, r->product, &r->reported_tcb);
        ct_snp_tcb_decode(com, r->product, &r->committed_tcb);
        ct_snp_tcb_decode(lau, r->product, &r->launch_tcb);

        memcpy(ret, r, sizeof(*r));
        free(r);
        return CT_OK;
}
