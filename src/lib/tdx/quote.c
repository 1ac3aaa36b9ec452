/* SPDX-License-Identifier: Apache-2.0 */
/* TDX DCAP quotes v4 / v5: see include/cocotrust/tdx.h. */
#include <stdio.h>
#include <time.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cocotrust/reader.h>
#include <cocotrust/tdx.h>

#include "../internal.h"

typedef unsigned long long ull;

#define QE_REPORT_SIZE 384u

static void read_body(ct_reader *r, ct_tdx_report_body *b, bool tdx15)
{
        ct_reader_bytes(r, b->tee_tcb_svn, 16, "TD report tee_tcb_svn");
        ct_reader_bytes(r, b->mr_seam, 48, "TD report mr_seam");
        ct_reader_bytes(r, b->mrsigner_seam, 48, "TD report mrsigner_seam");
        ct_reader_bytes(r, b->seam_attributes, 8, "TD report seam_attributes");
        ct_reader_bytes(r, b->td_attributes, 8, "TD report td_attributes");
        ct_reader_bytes(r, b->xfam, 8, "TD report xfam");
        ct_reader_bytes(r, b->mr_td, 48, "TD report mr_td");
        ct_reader_bytes(r, b->mr_config_id, 48, "TD report mr_config_id");
        ct_reader_bytes(r, b->mr_owner, 48, "TD report mr_owner");
        ct_reader_bytes(r, b->mr_owner_config, 48, "TD report mr_owner_config");
        for (int i = 0; i < 4; i++)
                ct_reader_bytes(r, b->rtmr[i], 48, "TD report rtmr");
        ct_reader_bytes(r, b->report_data, 64, "TD report report_data");
        if (tdx15) {
                ct_reader_bytes(r, b->tee_tcb_svn2, 16, "TD report tee_tcb_svn2");
                ct_reader_bytes(r, b->mr_servicetd, 48, "TD report mr_servicetd");
        }
}

CT_EXPORT ct_code ct_tdx_quote_parse(const uint8_t *buf, size_t len, ct_tdx_quote *ret, ct_error *err)
{
        ct_tdx_quote *q;
        ct_reader r, s, c, inner;
        ct_code rc = CT_OK;
        uint64_t at;

        if (!buf || !len)
                return ct_error_set(err, CT_E_ARG, "empty quote");
        if (len > CT_MAX_TDX_QUOTE_SIZE)
                return ct_error_set(err, CT_E_LIMIT, "quote of %zu bytes exceeds the limit of %u bytes", len,
                                    CT_MAX_TDX_QUOTE_SIZE);
        q = calloc(1, sizeof(*q));
        if (!q)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        ct_reader_init(&r, buf, len, 0);
        if (len >= 48)
                memcpy(q->header_raw, buf, 48);
        q->version = ct_reader_u16le(&r, "quote header version");
        q->att_key_type = ct_reader_u16le(&r, "quote header att_key_type");
        q->tee_type = ct_reader_u32le(&r, "quote header tee_type");
        q->qe_svn = ct_reader_u16le(&r, "quote header qe_svn");
        q->pce_svn = ct_reader_u16le(&r, "quote header pce_svn");
        ct_reader_bytes(&r, q->qe_vendor_id, 16, "quote header qe_vendor_id");
        ct_reader_bytes(&r, q->user_data, 20, "quote header user_data");
        if (!ct_reader_ok(&r))
                goto reader_fail;
        if (q->version != 4 && q->version != 5) {
                rc = ct_error_set_at(err, CT_E_UNSUPPORTED, 0,
                                     "quote header at offset 0x0: version %u is not a TDX quote version (4 or 5)",
                                     q->version);
                goto out;
        }
        if (q->tee_type != CT_TDX_TEE_TYPE) {
                rc = ct_error_set_at(err, CT_E_UNSUPPORTED, 4,
                                     "quote header at offset 0x4: tee_type 0x%x is not TDX (0x81)%s", q->tee_type,
                                     q->tee_type == 0 ? "; 0 is an SGX quote" : "");
                goto out;
        }
        if (q->version == 4) {
                q->body_type = 2;
                q->body_size = CT_TDX_BODY_SIZE_10;
        } else {
                q->body_type = ct_reader_u16le(&r, "quote v5 body type");
                q->body_size = ct_reader_u32le(&r, "quote v5 body size");
                if (!ct_reader_ok(&r))
                        goto reader_fail;
                if (q->body_type != 2 && q->body_type != 3) {
                        rc = ct_error_set_at(err, CT_E_UNSUPPORTED, 0x30,
                                             "quote v5 body descriptor at offset 0x30: body type %u is not a TD "
                                             "report (2 = TDX 1.0, 3 = TDX 1.5)%s",
                                             q->body_type, q->body_type == 1 ? "; type 1 is an SGX enclave report" : "");
                        goto out;
                }
                if (q->body_size != (q->body_type == 3 ? CT_TDX_BODY_SIZE_15 : CT_TDX_BODY_SIZE_10)) {
                        rc = ct_error_set_at(err, CT_E_MALFORMED, 0x32,
                                             "quote v5 body descriptor at offset 0x32: body size %u does not match "
                                             "body type %u (%u bytes)",
                                             q->body_size, q->body_type,
                                             q->body_type == 3 ? CT_TDX_BODY_SIZE_15 : CT_TDX_BODY_SIZE_10);
                        goto out;
                }
        }
        q->tdx15 = q->body_type == 3;
        q->body_offset = ct_reader_abs(&r);
        if (q->body_size > ct_reader_remaining(&r)) {
                rc = ct_error_set_at(err, CT_E_TRUNCATED, q->body_offset,
                                     "TD report body at offset 0x%llx: need %u bytes but only %zu remain",
                                     (ull)q->body_offset, q->body_size, ct_reader_remaining(&r));
                goto out;
        }
        read_body(&r, &q->body, q->tdx15);
        q->td_attributes = ct_get_le64(q->body.td_attributes);
        q->xfam = ct_get_le64(q->body.xfam);

        at = ct_reader_abs(&r);
        q->sig_data_len = ct_reader_u32le(&r, "quote signature data length");
        if (!ct_reader_ok(&r))
                goto reader_fail;
        q->sig_data_offset = ct_reader_abs(&r);
        if (q->sig_data_len > ct_reader_remaining(&r)) {
                rc = ct_error_set_at(err, CT_E_TRUNCATED, at,
                                     "quote signature data length %u at offset 0x%llx reaches past the end of the "
                                     "%zu-byte quote",
                                     q->sig_data_len, (ull)at, len);
                goto out;
        }
        ct_reader_sub(&r, q->sig_data_len, &s, "quote signature data");
        q->trailing_bytes = ct_reader_remaining(&r);
        ct_reader_bytes(&s, q->signature, 64, "quote ECDSA signature");
        ct_reader_bytes(&s, q->attestation_key, 64, "quote attestation key");
        at = ct_reader_abs(&s);
        q->cert_type = ct_reader_u16le(&s, "certification data type");
        q->cert_size = ct_reader_u32le(&s, "certification data size");
        if (!ct_reader_ok(&s))
                goto sub_fail;
        q->cert_offset = ct_reader_abs(&s);
        if (q->cert_size != ct_reader_remaining(&s)) {
                rc = ct_error_set_at(err, q->cert_size > ct_reader_remaining(&s) ? CT_E_TRUNCATED : CT_E_MALFORMED,
                                     at + 2,
                                     "certification data size %u at offset 0x%llx does not match the %zu bytes left "
                                     "in the signature data (length %u at offset 0x%llx)",
                                     q->cert_size, (ull)(at + 2), ct_reader_remaining(&s), q->sig_data_len,
                                     (ull)(q->sig_data_offset - 4));
                goto out;
        }
        if (q->cert_type == 6) {
                ct_reader_sub(&s, q->cert_size, &c, "certification data");
                q->has_qe_report = true;
                ct_reader_bytes(&c, q->qe_report, QE_REPORT_SIZE, "QE report");
                ct_reader_bytes(&c, q->qe_report_signature, 64, "QE report signature");
                at = ct_reader_abs(&c);
                q->qe_auth_size = ct_reader_u16le(&c, "QE authentication data size");
                q->qe_auth_offset = ct_reader_abs(&c);
                if (ct_reader_ok(&c) && q->qe_auth_size > ct_reader_remaining(&c)) {
                        rc = ct_error_set_at(err, CT_E_TRUNCATED, at,
                                             "QE authentication data size %u at offset 0x%llx reaches past the "
                                             "certification data (%zu bytes left)",
                                             q->qe_auth_size, (ull)at, ct_reader_remaining(&c));
                        goto out;
                }
                ct_reader_skip(&c, q->qe_auth_size, "QE authentication data");
                at = ct_reader_abs(&c);
                q->pck_cert_type = ct_reader_u16le(&c, "inner certification data type");
                q->pck_cert_size = ct_reader_u32le(&c, "inner certification data size");
                if (!ct_reader_ok(&c)) {
                        rc = ct_reader_error(&c, err);
                        goto out;
                }
                q->pck_cert_offset = ct_reader_abs(&c);
                if (q->pck_cert_size != ct_reader_remaining(&c)) {
                        rc = ct_error_set_at(err,
                                             q->pck_cert_size > ct_reader_remaining(&c) ? CT_E_TRUNCATED
                                                                                        : CT_E_MALFORMED,
                                             at + 2,
                                             "inner certification data size %u at offset 0x%llx does not match the "
                                             "%zu bytes left in the certification data (size %u at offset 0x%llx)",
                                             q->pck_cert_size, (ull)(at + 2), ct_reader_remaining(&c), q->cert_size,
                                             (ull)(q->cert_offset - 4));
                        goto out;
                }
                ct_reader_sub(&c, q->pck_cert_size, &inner, "inner certification data");
                if (!ct_reader_ok(&c)) {
                        rc = ct_reader_error(&c, err);
                        goto out;
                }
        }
        if (!ct_reader_ok(&s))
                goto sub_fail;
        *ret = *q;
        goto out;
sub_fail:
        rc = ct_reader_error(&s, err);
        goto out;
reader_fail:
        rc = ct_reader_error(&r, err);
out:
        free(q);
        return rc;
}

CT_EXPORT size_t ct_tdx_quote_fields(const ct_tdx_quote *q, ct_tdx_field *out)
{
        const ct_tdx_report_body *b = &q->body;
        uint64_t o = q->body_offset;
        size_t n = 0;

#define F(claim, nm, ptr, l, off) (out[n++] = (ct_tdx_field){ claim, nm, ptr, l, off })
        F("quote.header.version", "version", q->header_raw, 2, 0);
        F("quote.header.att_key_type", "att_key_type", q->header_raw + 2, 2, 2);
        F("quote.header.tee_type", "tee_type", q->header_raw + 4, 4, 4);
        F("quote.header.reserved", "reserved", q->header_raw + 8, 4, 8);
        F("quote.header.vendor_id", "vendor_id", q->header_raw + 12, 16, 12);
        F("quote.header.user_data", "user_data", q->header_raw + 28, 20, 28);
        F("quote.body.tcb_svn", "tcb_svn", b->tee_tcb_svn, 16, o);
        F("quote.body.mr_seam", "mr_seam", b->mr_seam, 48, o + 0x10);
        F("quote.body.mrsigner_seam", "mrsigner_seam", b->mrsigner_seam, 48, o + 0x40);
        F("quote.body.seam_attributes", "seam_attributes", b->seam_attributes, 8, o + 0x70);
        F("quote.body.td_attributes", "td_attributes", b->td_attributes, 8, o + 0x78);
        F("quote.body.xfam", "xfam", b->xfam, 8, o + 0x80);
        F("quote.body.mr_td", "mr_td", b->mr_td, 48, o + 0x88);
        F("quote.body.mr_config_id", "mr_config_id", b->mr_config_id, 48, o + 0xb8);
        F("quote.body.mr_owner", "mr_owner", b->mr_owner, 48, o + 0xe8);
        F("quote.body.mr_owner_config", "mr_owner_config", b->mr_owner_config, 48, o + 0x118);
        F("quote.body.rtmr_0", "rtmr_0", b->rtmr[0], 48, o + 0x148);
        F("quote.body.rtmr_1", "rtmr_1", b->rtmr[1], 48, o + 0x178);
        F("quote.body.rtmr_2", "rtmr_2", b->rtmr[2], 48, o + 0x1a8);
        F("quote.body.rtmr_3", "rtmr_3", b->rtmr[3], 48, o + 0x1d8);
        F("quote.body.report_data", "report_data", b->report_data, 64, o + 0x208);
        if (q->tdx15) {
                F("quote.body.tee_tcb_svn2", "tee_tcb_svn2", b->tee_tcb_svn2, 16, o + 0x248);
                F("quote.body.mr_servicetd", "mr_servicetd", b->mr_servicetd, 48, o + 0x258);
        }
#undef F
        return n;
}

CT_EXPORT void ct_tdx_decode_td_attributes(uint64_t attr, ct_tdx_td_attributes *ret)
{
        ct_tdx_td_attributes a;
        const uint64_t known = CT_TDX_ATTR_DEBUG | CT_TDX_ATTR_SEPT_VE_DISABLE | CT_TDX_ATTR_PKS | CT_TDX_ATTR_KL |
                               CT_TDX_ATTR_PERFMON;

        a.debug = attr & CT_TDX_ATTR_DEBUG;
        a.septve_disable = attr & CT_TDX_ATTR_SEPT_VE_DISABLE;
        a.protection_keys = attr & CT_TDX_ATTR_PKS;
        a.key_locker = attr & CT_TDX_ATTR_KL;
        a.perfmon = attr & CT_TDX_ATTR_PERFMON;
        a.reserved_bits = attr & ~known;
        *ret = a;
}

CT_EXPORT const char *ct_tdx_xfam_bit_name(unsigned bit)
{
        /* Intel SDM XCR0 / IA32_XSS state components. */
        static const char *const names[] = {
                "x87", "sse", "avx", "mpx_bndregs", "mpx_bndcsr", "avx512_opmask", "avx512_zmm_hi256",
                "avx512_hi16_zmm", "pt", "pkru", "pasid", "cet_u", "cet_s", "hdc", "uintr", "lbr", "hwp",
                "amx_tilecfg", "amx_tiledata", "apx",
        };
        return bit < CT_ARRAY_SIZE(names) ? names[bit] : NULL;
}

CT_EXPORT ct_code ct_tdx_quote_check(const ct_tdx_quote *q, const ct_tdx_expect *e, uint32_t *ret_mismatch,
                                     ct_error *err)
{
        ct_tdx_field f[CT_TDX_MAX_FIELDS];
        size_t n = ct_tdx_quote_fields(q, f);
        uint32_t mis = 0;
        char list[CT_ERROR_MSG_MAX];
        size_t used = 0;

        for (size_t i = 0; i < n; i++) {
                const uint8_t *want = NULL;
                size_t wlen = f[i].len;
                bool bad;

                if (!strcmp(f[i].name, "mr_td"))
                        want = e->mr_td;
                else if (!strcmp(f[i].name, "mr_config_id"))
                        want = e->mr_config_id;
                else if (!strcmp(f[i].name, "xfam"))
                        want = e->xfam;
                else if (!strncmp(f[i].name, "rtmr_", 5))
                        want = e->rtmr[f[i].name[5] - '0'];
                else if (!strcmp(f[i].name, "report_data") && e->report_data) {
                        want = e->report_data;
                        wlen = e->report_data_len;
                        if (wlen > 64)
                                return ct_error_set(err, CT_E_ARG, "expected report_data longer than 64 bytes");
                }
                if (!want)
                        continue;
                bad = CRYPTO_memcmp(want, f[i].value, wlen) != 0;
                for (size_t k = wlen; k < f[i].len && !bad; k++)
                        bad = f[i].value[k] != 0;
                if (bad) {
                        mis |= 1u << i;
                        used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0, "%s%s",
                                                 used ? ", " : "", f[i].claim);
                        if (used >= sizeof(list))
                                used = sizeof(list) - 1;
                }
        }
        *ret_mismatch = mis;
        if (mis)
                return ct_error_set(err, CT_E_MISMATCH, "quote differs from the expectation in: %s", list);
        return CT_OK;
}

/* ---- PCK certificate chain ---- */

static void asn1_time_text(const ASN1_TIME *t, char *out, size_t cap)
{
        struct tm tm;

        if (t && ASN1_TIME_to_tm(t, &tm) && strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
                return;
        snprintf(out, cap, "?");
}

/* The SGX extension: SEQUENCE OF SEQUENCE { OID, value }. */
static void sgx_extension(X509 *x, ct_tdx_pck_chain *c)
{
        ASN1_OBJECT *sgx = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
        int idx = sgx ? X509_get_ext_by_OBJ(x, sgx, -1) : -1;
        STACK_OF(ASN1_TYPE) *seq = NULL;
        const unsigned char *p;
        ASN1_OCTET_STRING *data;

        ASN1_OBJECT_free(sgx);
        if (idx < 0)
                return;
        data = X509_EXTENSION_get_data(X509_get_ext(x, idx));
        p = ASN1_STRING_get0_data(data);
        seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(data));
        if (!seq)
                return;
        for (int i = 0; i < sk_ASN1_TYPE_num(seq); i++) {
                ASN1_TYPE *t = sk_ASN1_TYPE_value(seq, i);
                STACK_OF(ASN1_TYPE) *kv;
                const unsigned char *q;
                char oid[64];

                if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE)
                        continue;
                q = ASN1_STRING_get0_data(t->value.sequence);
                kv = d2i_ASN1_SEQUENCE_ANY(NULL, &q, ASN1_STRING_length(t->value.sequence));
                if (!kv)
                        continue;
                if (sk_ASN1_TYPE_num(kv) == 2 && ASN1_TYPE_get(sk_ASN1_TYPE_value(kv, 0)) == V_ASN1_OBJECT) {
                        ASN1_TYPE *v = sk_ASN1_TYPE_value(kv, 1);

                        OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_TYPE_value(kv, 0)->value.object, 1);
                        if (!strcmp(oid, "1.2.840.113741.1.13.1.4") && ASN1_TYPE_get(v) == V_ASN1_OCTET_STRING &&
                            ASN1_STRING_length(v->value.octet_string) == 6) {
                                memcpy(c->fmspc, ASN1_STRING_get0_data(v->value.octet_string), 6);
                                c->has_fmspc = true;
                        } else if (!strcmp(oid, "1.2.840.113741.1.13.1.5") &&
                                   ASN1_TYPE_get(v) == V_ASN1_ENUMERATED) {
                                c->sgx_type = (int)ASN1_ENUMERATED_get(v->value.enumerated);
                        } else if (!strcmp(oid, "1.2.840.113741.1.13.1.6") &&
                                   ASN1_TYPE_get(v) == V_ASN1_OCTET_STRING &&
                                   ASN1_STRING_length(v->value.octet_string) == 16) {
                                memcpy(c->platform_instance_id, ASN1_STRING_get0_data(v->value.octet_string), 16);
                                c->has_platform_instance_id = true;
                        }
                }
                sk_ASN1_TYPE_pop_free(kv, ASN1_TYPE_free);
        }
        sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
}

CT_EXPORT ct_code ct_tdx_quote_pck_chain(const uint8_t *buf, size_t len, const ct_tdx_quote *q, ct_tdx_pck_chain *ret,
                                         ct_error *err)
{
        ct_tdx_pck_chain *c;
        BIO *bio;
        ct_code rc = CT_OK;
        X509 *x;

        if (!q->has_qe_report || q->pck_cert_type != 5)
                return ct_error_set(err, CT_E_UNSUPPORTED,
                                    "the quote carries no PCK certificate chain (certification data type %u%s)",
                                    q->has_qe_report ? q->pck_cert_type : q->cert_type,
                                    q->has_qe_report ? ", inner" : "");
        if (q->pck_cert_offset > len || q->pck_cert_size > len - q->pck_cert_offset)
                return ct_error_set(err, CT_E_ARG, "quote buffer does not match the parsed quote");
        c = calloc(1, sizeof(*c));
        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        c->sgx_type = -1;
        bio = BIO_new_mem_buf(buf + q->pck_cert_offset, (int)q->pck_cert_size);
        if (!bio) {
                free(c);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
                ct_tdx_cert *ce;

                if (c->n_certs == CT_MAX_TDX_CERT_CHAIN) {
                        X509_free(x);
                        rc = ct_error_set_at(err, CT_E_LIMIT, q->pck_cert_offset,
                                             "PCK certificate chain at offset 0x%llx has more than %u certificates",
                                             (ull)q->pck_cert_offset, CT_MAX_TDX_CERT_CHAIN);
                        goto out;
                }
                ce = &c->certs[c->n_certs];
                X509_NAME_oneline(X509_get_subject_name(x), ce->subject, sizeof(ce->subject));
                X509_NAME_oneline(X509_get_issuer_name(x), ce->issuer, sizeof(ce->issuer));
                asn1_time_text(X509_get0_notBefore(x), ce->not_before, sizeof(ce->not_before));
                asn1_time_text(X509_get0_notAfter(x), ce->not_after, sizeof(ce->not_after));
                if (c->n_certs == 0)
                        sgx_extension(x, c);
                c->n_certs++;
                X509_free(x);
        }
        ERR_clear_error();
        if (!c->n_certs) {
                rc = ct_error_set_at(err, CT_E_MALFORMED, q->pck_cert_offset,
                                     "PCK certificate chain at offset 0x%llx: no PEM certificate parses",
                                     (ull)q->pck_cert_offset);
                goto out;
        }
        *ret = *c;
out:
        BIO_free(bio);
        free(c);
        return rc;
}
