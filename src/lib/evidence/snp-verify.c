/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — SEV-SNP report verification: the ECDSA P-384 report signature,
 * the VCEK/VLEK <- ASK/ASVK <- ARK chain (RSASSA-PSS SHA-384), validity,
 * the CRL, the VCEK's TCB and hwID extensions, and the caller's expectations.
 * All cryptography and ASN.1 is OpenSSL's.
 */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cocotrust/fileio.h>

#include "evidence-internal.h"

#define MAX_CA 16

/* AMD's VCEK extensions (1.3.6.1.4.1.3704.1.*). */
enum { EXT_STRUCT, EXT_PRODUCT, EXT_BL, EXT_TEE, EXT_SNP, EXT_UCODE, EXT_FMC, EXT_HWID, EXT_CSPID, EXT__N };
static const char *const ext_oids[EXT__N] = {
        "1.3.6.1.4.1.3704.1.1",   "1.3.6.1.4.1.3704.1.2",   "1.3.6.1.4.1.3704.1.3.1",
        "1.3.6.1.4.1.3704.1.3.2", "1.3.6.1.4.1.3704.1.3.3", "1.3.6.1.4.1.3704.1.3.8",
        "1.3.6.1.4.1.3704.1.3.9", "1.3.6.1.4.1.3704.1.4",   "1.3.6.1.4.1.3704.1.5",
};

/* One VCEK/VLEK with its decoded extensions and its chain result (per validity time). */
struct vcek {
        struct vcek *next;
        char *path;                   /* store file it came from, or NULL */
        X509 *cert;
        EVP_PKEY *key;
        uint8_t fp[32];
        bool vlek;
        bool has_int[EXT__N];
        long ints[EXT__N];
        char product_name[64];
        uint8_t hwid[64];
        size_t hwid_len;
        bool chain_done;
        time_t chain_at;
        ct_snp_product chain_product;
        ct_checks chain;
};

struct ct_snp_verifier {
        X509 *ark[MAX_CA], *ask[MAX_CA];   /* ask holds ASKs and ASVKs */
        size_t n_ark, n_ask;
        struct vcek *explicit_vcek;        /* the one given with --vcek/--vlek */
        X509_CRL *crl;
        char *store;                       /* DIR/vcek of Trustee's offline store, or NULL */
        pthread_mutex_t lock;
        struct vcek *cache;
};

static ct_code crypto_err(ct_error *err, const char *what)
{
        return ct_error_set(err, CT_E_CRYPTO, "OpenSSL failed: %s", what);
}

CT_EXPORT ct_code ct_snp_verifier_new(ct_snp_verifier **ret, ct_error *err)
{
        ct_snp_verifier *v = calloc(1, sizeof(*v));

        if (!v)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        pthread_mutex_init(&v->lock, NULL);
        *ret = v;
        return CT_OK;
}

static void vcek_free(struct vcek *e)
{
        if (!e)
                return;
        X509_free(e->cert);
        EVP_PKEY_free(e->key);
        free(e->path);
        free(e);
}

CT_EXPORT void ct_snp_verifier_free(ct_snp_verifier *v)
{
        if (!v)
                return;
        for (size_t i = 0; i < v->n_ark; i++)
                X509_free(v->ark[i]);
        for (size_t i = 0; i < v->n_ask; i++)
                X509_free(v->ask[i]);
        for (struct vcek *e = v->cache, *n; e; e = n) {
                n = e->next;
                vcek_free(e);
        }
        X509_CRL_free(v->crl);
        free(v->store);
        pthread_mutex_destroy(&v->lock);
        free(v);
}

static void subject_cn(X509 *c, char *out, size_t cap)
{
        out[0] = 0;
        if (X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, out, (int)cap) < 0)
                out[0] = 0;
}

/* The DER content of extension `oid` of c, or NULL. */
static const unsigned char *ext_data(X509 *c, const char *oid, int *len)
{
        ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
        int idx;
        X509_EXTENSION *ext;
        ASN1_OCTET_STRING *os;

        if (!o)
                return NULL;
        idx = X509_get_ext_by_OBJ(c, o, -1);
        ASN1_OBJECT_free(o);
        if (idx < 0)
                return NULL;
        ext = X509_get_ext(c, idx);
        os = X509_EXTENSION_get_data(ext);
        if (!os)
                return NULL;
        *len = ASN1_STRING_length(os);
        return ASN1_STRING_get0_data(os);
}

static void vcek_decode_exts(struct vcek *e)
{
        for (int i = 0; i < EXT__N; i++) {
                int len = 0;
                const unsigned char *p = ext_data(e->cert, ext_oids[i], &len), *q = p;

                if (!p)
                        continue;
                if (i == EXT_HWID) {
                        /* 64 (Milan/Genoa) or 8 (Turin) raw bytes, or a DER OCTET STRING of them. */
                        if (len == 64 || len == 8) {
                                memcpy(e->hwid, p, (size_t)len);
                                e->hwid_len = (size_t)len;
                        } else {
                                ASN1_OCTET_STRING *os = d2i_ASN1_OCTET_STRING(NULL, &q, len);

                                if (os && q == p + len && ASN1_STRING_length(os) <= 64) {
                                        e->hwid_len = (size_t)ASN1_STRING_length(os);
                                        memcpy(e->hwid, ASN1_STRING_get0_data(os), e->hwid_len);
                                }
                                ASN1_OCTET_STRING_free(os);
                        }
                } else if (i == EXT_PRODUCT || i == EXT_CSPID) {
                        ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &q, len);

                        if (t && (t->type == V_ASN1_IA5STRING || t->type == V_ASN1_UTF8STRING ||
                                  t->type == V_ASN1_PRINTABLESTRING)) {
                                int n = ASN1_STRING_length(t->value.asn1_string);

                                if (i == EXT_PRODUCT && n > 0 && (size_t)n < sizeof(e->product_name)) {
                                        memcpy(e->product_name, ASN1_STRING_get0_data(t->value.asn1_string),
                                               (size_t)n);
                                        e->product_name[n] = 0;
                                }
                        }
                        ASN1_TYPE_free(t);
                } else {
                        ASN1_INTEGER *ai = d2i_ASN1_INTEGER(NULL, &q, len);
                        int64_t val;

                        if (ai && ASN1_INTEGER_get_int64(&val, ai) == 1 && val >= 0 && val <= 0xffffffffll) {
                                e->has_int[i] = true;
                                e->ints[i] = (long)val;
                        }
                        ASN1_INTEGER_free(ai);
                }
        }
}

static struct vcek *vcek_new(X509 *cert, const char *path)
{
        struct vcek *e = calloc(1, sizeof(*e));
        char cn[128];
        unsigned int n = 32;

        if (!e)
                return NULL;
        e->cert = cert;
        e->key = X509_get_pubkey(cert);
        if (path)
                e->path = strdup(path);
        if (!X509_digest(cert, EVP_sha256(), e->fp, &n)) {
                e->cert = NULL;
                vcek_free(e);
                return NULL;
        }
        subject_cn(cert, cn, sizeof(cn));
        e->vlek = strcmp(cn, "SEV-VLEK") == 0;
        vcek_decode_exts(e);
        return e;
}

/* Parse every certificate of a PEM bundle or one DER certificate. */
static ct_code load_certs(const void *buf, size_t len, const char *what, X509 **out, size_t *n_out, ct_error *err)
{
        size_t n = 0;

        if (len > CT_MAX_CERT_FILE)
                return ct_error_set(err, CT_E_LIMIT, "%s: larger than %u bytes", what, CT_MAX_CERT_FILE);
        if (len >= 11 && memmem(buf, len, "-----BEGIN", 10)) {
                BIO *b = BIO_new_mem_buf(buf, (int)len);
                X509 *c;

                if (!b)
                        return crypto_err(err, "BIO_new_mem_buf");
                while (n < CT_MAX_CERTS_PER_FILE && (c = PEM_read_bio_X509(b, NULL, NULL, NULL)))
                        out[n++] = c;
                BIO_free(b);
                ERR_clear_error();
        } else {
                const unsigned char *p = buf;
                X509 *c = d2i_X509(NULL, &p, (long)len);

                ERR_clear_error();
                if (c && p != (const unsigned char *)buf + len) {
                        X509_free(c);
                        return ct_error_set_at(err, CT_E_MALFORMED, (uint64_t)(p - (const unsigned char *)buf),
                                               "%s: trailing bytes after the DER certificate at offset 0x%zx",
                                               what, (size_t)(p - (const unsigned char *)buf));
                }
                if (c)
                        out[n++] = c;
        }
        if (n == 0)
                return ct_error_set_at(err, CT_E_MALFORMED, 0,
                                       "%s: no X.509 certificate (PEM or DER) parses at offset 0 (%zu bytes)", what,
                                       len);
        *n_out = n;
        return CT_OK;
}

static ct_code add_cert(ct_snp_verifier *v, X509 *c, const char *path, ct_error *err)
{
        char cn[128];

        subject_cn(c, cn, sizeof(cn));
        if (strncmp(cn, "ARK-", 4) == 0) {
                if (v->n_ark >= MAX_CA)
                        goto limit;
                v->ark[v->n_ark++] = c;
        } else if (strncmp(cn, "SEV-", 4) == 0 && strcmp(cn, "SEV-VCEK") != 0 && strcmp(cn, "SEV-VLEK") != 0) {
                if (v->n_ask >= MAX_CA)
                        goto limit;
                v->ask[v->n_ask++] = c;
        } else {
                struct vcek *e = vcek_new(c, path);

                if (!e) {
                        X509_free(c);
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                }
                e->next = v->cache;
                v->cache = e;
                if (!path || !v->store || strncmp(path, v->store, strlen(v->store)) != 0)
                        v->explicit_vcek = e;
        }
        return CT_OK;
limit:
        X509_free(c);
        return ct_error_set(err, CT_E_LIMIT, "more than %d ARK or ASK certificates", MAX_CA);
}

static ct_code add_certs(ct_snp_verifier *v, const void *buf, size_t len, const char *what, const char *path,
                         ct_error *err)
{
        X509 *certs[CT_MAX_CERTS_PER_FILE];
        size_t n = 0;
        ct_code c = load_certs(buf, len, what, certs, &n, err);

        for (size_t i = 0; i < n; i++) {
                if (c == CT_OK)
                        c = add_cert(v, certs[i], path, err);
                else
                        X509_free(certs[i]);
        }
        return c;
}

CT_EXPORT ct_code ct_snp_verifier_add_certs(ct_snp_verifier *v, const void *buf, size_t len, const char *what,
                                            ct_error *err)
{
        if (!v || !buf)
                return ct_error_set(err, CT_E_ARG, "no verifier or certificate");
        return add_certs(v, buf, len, what ? what : "certificate", NULL, err);
}

static ct_code add_cert_file(ct_snp_verifier *v, const char *path, ct_error *err)
{
        ct_blob b = { 0 };
        ct_code c = ct_blob_read(path, CT_MAX_CERT_FILE, &b, err);

        if (c != CT_OK)
                return c;
        c = b.len ? add_certs(v, b.data, b.len, path, path, err)
                  : ct_error_set_at(err, CT_E_MALFORMED, 0, "%s: empty certificate file", path);
        ct_blob_free(&b);
        return c;
}

CT_EXPORT ct_code ct_snp_verifier_add_cert_file(ct_snp_verifier *v, const char *path, ct_error *err)
{
        if (!v || !path)
                return ct_error_set(err, CT_E_ARG, "no verifier or path");
        return add_cert_file(v, path, err);
}

static ct_code set_crl(ct_snp_verifier *v, const void *buf, size_t len, const char *what, ct_error *err)
{
        X509_CRL *crl = NULL;

        if (len > CT_MAX_CERT_FILE)
                return ct_error_set(err, CT_E_LIMIT, "%s: larger than %u bytes", what, CT_MAX_CERT_FILE);
        if (len >= 11 && memmem(buf, len, "-----BEGIN", 10)) {
                BIO *b = BIO_new_mem_buf(buf, (int)len);

                if (!b)
                        return crypto_err(err, "BIO_new_mem_buf");
                crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
                BIO_free(b);
        } else {
                const unsigned char *p = buf;

                crl = d2i_X509_CRL(NULL, &p, (long)len);
        }
        ERR_clear_error();
        if (!crl)
                return ct_error_set_at(err, CT_E_MALFORMED, 0, "%s: not a CRL (PEM or DER)", what);
        X509_CRL_free(v->crl);
        v->crl = crl;
        return CT_OK;
}

CT_EXPORT ct_code ct_snp_verifier_set_crl(ct_snp_verifier *v, const void *buf, size_t len, const char *what,
                                          ct_error *err)
{
        if (!v || !buf)
                return ct_error_set(err, CT_E_ARG, "no verifier or CRL");
        return set_crl(v, buf, len, what ? what : "CRL", err);
}

CT_EXPORT ct_code ct_snp_verifier_set_crl_file(ct_snp_verifier *v, const char *path, ct_error *err)
{
        ct_blob b = { 0 };
        ct_code c;

        if (!v || !path)
                return ct_error_set(err, CT_E_ARG, "no verifier or path");
        c = ct_blob_read(path, CT_MAX_CERT_FILE, &b, err);
        if (c != CT_OK)
                return c;
        c = b.len ? set_crl(v, b.data, b.len, path, err)
                  : ct_error_set_at(err, CT_E_MALFORMED, 0, "%s: empty CRL file", path);
        ct_blob_free(&b);
        return c;
}

CT_EXPORT ct_code ct_snp_verifier_add_dir(ct_snp_verifier *v, const char *dir, ct_error *err)
{
        static const char *const files[] = { "ark.pem", "ark.der", "ask.pem", "ask.der", "asvk.pem", "asvk.der",
                                             "cert_chain.pem", "vcek.pem", "vcek.der", "vlek.pem", "vlek.der" };
        char path[4096];
        struct stat st;
        DIR *d;
        ct_code c;

        if (!v || !dir)
                return ct_error_set(err, CT_E_ARG, "no verifier or directory");
        d = opendir(dir);
        if (!d)
                return ct_error_set_errno(err, errno, "%s: cannot read the certificate directory", dir);
        closedir(d);
        for (size_t i = 0; i < CT_ARRAY_SIZE(files); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
                if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                        continue;
                c = add_cert_file(v, path, err);
                if (c != CT_OK)
                        return c;
        }
        for (size_t i = 0; i < 2; i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, i ? "crl.pem" : "crl.der");
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                        c = ct_snp_verifier_set_crl_file(v, path, err);
                        if (c != CT_OK)
                                return c;
                }
        }
        snprintf(path, sizeof(path), "%s/vcek", dir);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                free(v->store);
                v->store = strdup(path);
                if (!v->store)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        return CT_OK;
}

/* ---- chain ---- */

static void fmt_time(const ASN1_TIME *t, char *out, size_t cap)
{
        struct tm tm;

        if (!t || !ASN1_TIME_to_tm(t, &tm) || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(out, cap, "%s", "?");
}

static void fmt_time_t(time_t t, char *out, size_t cap)
{
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(out, cap, "%s", "?");
}

/* Is c signed with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48? Writes what it found into why. */
static bool pss_sha384(X509 *c, char *why, size_t cap)
{
        const X509_ALGOR *alg = NULL;
        const ASN1_OBJECT *obj;
        int ptype, hnid = NID_undef, mnid = NID_undef;
        const void *pval;
        const ASN1_STRING *s;
        const unsigned char *p;
        RSA_PSS_PARAMS *pss;
        long salt = 20;
        bool ok;

        X509_get0_signature(NULL, &alg, c);
        X509_ALGOR_get0(&obj, &ptype, &pval, alg);
        if (OBJ_obj2nid(obj) != NID_rsassaPss) {
                snprintf(why, cap, "signature algorithm %s, not RSASSA-PSS", OBJ_nid2ln(OBJ_obj2nid(obj)));
                return false;
        }
        if (ptype != V_ASN1_SEQUENCE) {
                snprintf(why, cap, "%s", "RSASSA-PSS without parameters (SHA-1 defaults)");
                return false;
        }
        s = pval;
        p = ASN1_STRING_get0_data(s);
        pss = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(s));
        if (!pss) {
                ERR_clear_error();
                snprintf(why, cap, "%s", "unreadable RSASSA-PSS parameters");
                return false;
        }
        if (pss->hashAlgorithm) {
                X509_ALGOR_get0(&obj, NULL, NULL, pss->hashAlgorithm);
                hnid = OBJ_obj2nid(obj);
        } else {
                hnid = NID_sha1;
        }
        if (pss->maskGenAlgorithm) {
                X509_ALGOR_get0(&obj, &ptype, &pval, pss->maskGenAlgorithm);
                if (OBJ_obj2nid(obj) == NID_mgf1 && ptype == V_ASN1_SEQUENCE) {
                        X509_ALGOR *mh;

                        s = pval;
                        p = ASN1_STRING_get0_data(s);
                        mh = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(s));
                        if (mh) {
                                X509_ALGOR_get0(&obj, NULL, NULL, mh);
                                mnid = OBJ_obj2nid(obj);
                                X509_ALGOR_free(mh);
                        }
                }
        } else {
                mnid = NID_sha1;
        }
        if (pss->saltLength)
                salt = ASN1_INTEGER_get(pss->saltLength);
        RSA_PSS_PARAMS_free(pss);
        ERR_clear_error();
        ok = hnid == NID_sha384 && mnid == NID_sha384 && salt == 48;
        snprintf(why, cap, "RSASSA-PSS %s, MGF1-%s, salt %ld", OBJ_nid2sn(hnid), OBJ_nid2sn(mnid), salt);
        return ok;
}

/* "<child> signed by <parent>": RSASSA-PSS parameters and the signature. */
static void check_link(ct_checks *k, const char *name, X509 *child, X509 *parent, const char *child_name,
                       const char *parent_name)
{
        char why[160], cn[128];
        EVP_PKEY *pk;
        int r;

        if (!parent) {
                ct_checks_add(k, name, CT_CHECK_FAIL, "no %s certificate given to check the %s with", parent_name,
                              child_name);
                return;
        }
        if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(parent)) != 0) {
                subject_cn(parent, cn, sizeof(cn));
                ct_checks_add(k, name, CT_CHECK_FAIL, "the %s's issuer is not the %s given (%s)", child_name,
                              parent_name, cn);
                return;
        }
        if (!pss_sha384(child, why, sizeof(why))) {
                ct_checks_add(k, name, CT_CHECK_FAIL, "%s signature: %s (AMD uses RSASSA-PSS SHA-384 salt 48)",
                              child_name, why);
                return;
        }
        pk = X509_get0_pubkey(parent);
        r = pk ? X509_verify(child, pk) : -1;
        ERR_clear_error();
        if (r == 1)
                ct_checks_add(k, name, CT_CHECK_PASS, "%s signed by the %s (%s)", child_name, parent_name, why);
        else
                ct_checks_add(k, name, CT_CHECK_FAIL, "%s signature does not verify with the %s's key",
                              child_name, parent_name);
}

static void check_validity(ct_checks *k, const char *name, X509 *c, const char *what, time_t at)
{
        char nb[32], na[32], when[32];
        const ASN1_TIME *b = X509_get0_notBefore(c), *a = X509_get0_notAfter(c);
        time_t t = at;

        fmt_time(b, nb, sizeof(nb));
        fmt_time(a, na, sizeof(na));
        fmt_time_t(at, when, sizeof(when));
        if (X509_cmp_time(b, &t) > 0)
                ct_checks_add(k, name, CT_CHECK_FAIL, "%s not yet valid: valid from %s, checked at %s", what, nb,
                              when);
        else if (X509_cmp_time(a, &t) < 0)
                ct_checks_add(k, name, CT_CHECK_FAIL, "%s expired on %s (checked at %s; use --at to check at an "
                              "earlier time)", what, na, when);
        else
                ct_checks_add(k, name, CT_CHECK_PASS, "%s valid %s .. %s at %s", what, nb, na, when);
}

static X509 *find_issuer(X509 *const *list, size_t n, X509 *child)
{
        for (size_t i = 0; i < n; i++)
                if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(list[i])) == 0)
                        return list[i];
        return n ? list[0] : NULL;
}

static ct_snp_product product_of_cn(X509 *c)
{
        char cn[128];
        const char *dash;

        if (!c)
                return CT_SNP_PRODUCT_UNKNOWN;
        subject_cn(c, cn, sizeof(cn));
        dash = strrchr(cn, '-');
        return dash ? ct_snp_product_from_name(dash + 1) : CT_SNP_PRODUCT_UNKNOWN;
}

static void check_crl(ct_snp_verifier *v, ct_checks *k, X509 *ask, X509 *ark, X509 *vc, time_t at)
{
        X509 *issuer = NULL;
        X509_REVOKED *rev = NULL;
        char when[32];
        EVP_PKEY *pk;
        int r;

        if (!v->crl)
                return;
        if (ark && X509_NAME_cmp(X509_CRL_get_issuer(v->crl), X509_get_subject_name(ark)) == 0)
                issuer = ark;
        else if (ask && X509_NAME_cmp(X509_CRL_get_issuer(v->crl), X509_get_subject_name(ask)) == 0)
                issuer = ask;
        if (!issuer) {
                ct_checks_add(k, "crl_signature", CT_CHECK_FAIL, "the CRL's issuer is neither the ARK nor the ASK");
                return;
        }
        pk = X509_get0_pubkey(issuer);
        r = pk ? X509_CRL_verify(v->crl, pk) : -1;
        ERR_clear_error();
        if (r != 1) {
                ct_checks_add(k, "crl_signature", CT_CHECK_FAIL, "the CRL's signature does not verify with the %s",
                              issuer == ark ? "ARK" : "ASK");
                return;
        }
        ct_checks_add(k, "crl_signature", CT_CHECK_PASS, "CRL signed by the %s", issuer == ark ? "ARK" : "ASK");
        if (X509_CRL_get0_nextUpdate(v->crl) && X509_cmp_time(X509_CRL_get0_nextUpdate(v->crl), &at) < 0) {
                fmt_time(X509_CRL_get0_nextUpdate(v->crl), when, sizeof(when));
                ct_checks_add(k, "crl_current", CT_CHECK_WARN, "the CRL's next update (%s) has passed", when);
        }
        {
                /* A CRL lists certificates of its issuer: the ASK's CRL the VCEK, the ARK's the ASK. */
                X509 *const subjects[2] = { issuer == ask ? vc : NULL, issuer == ark ? ask : NULL };
                const char *names[2] = { "VCEK/VLEK", "ASK/ASVK" };

                for (int i = 0; i < 2; i++) {
                        if (!subjects[i])
                                continue;
                        rev = NULL;
                        if (X509_CRL_get0_by_cert(v->crl, &rev, subjects[i]) == 1 && rev) {
                                char serial[80] = "?";
                                BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(subjects[i]), NULL);
                                char *hex = bn ? BN_bn2hex(bn) : NULL;

                                if (hex)
                                        snprintf(serial, sizeof(serial), "%s", hex);
                                OPENSSL_free(hex);
                                BN_free(bn);
                                fmt_time(X509_REVOKED_get0_revocationDate(rev), when, sizeof(when));
                                ct_checks_add(k, i ? "crl_ask" : "crl_vcek", CT_CHECK_FAIL,
                                              "%s (serial %s) is revoked by the CRL since %s", names[i], serial,
                                              when);
                        } else {
                                ct_checks_add(k, i ? "crl_ask" : "crl_vcek", CT_CHECK_PASS, "%s not revoked",
                                              names[i]);
                        }
                }
        }
}

/* The chain checks of one VCEK (computed once per VCEK and validity time). */
static void chain_checks(ct_snp_verifier *v, struct vcek *e, ct_snp_product product, time_t at, ct_checks *k)
{
        X509 *ask, *ark;
        const char *kname = e->vlek ? "VLEK" : "VCEK", *aname = e->vlek ? "ASVK" : "ASK";
        X509 *asks[MAX_CA], *arks[MAX_CA];
        size_t na = 0, nr = 0;
        char cn[128];
        EVP_PKEY *pk = e->key;

        memset(k, 0, sizeof(*k));
        /* Keep only the CAs of the product (when known) and the right kind (ASK vs ASVK). */
        for (size_t i = 0; i < v->n_ask; i++) {
                bool is_asvk;

                subject_cn(v->ask[i], cn, sizeof(cn));
                is_asvk = strncmp(cn, "SEV-VLEK-", 9) == 0;
                if (is_asvk != e->vlek)
                        continue;
                if (product != CT_SNP_PRODUCT_UNKNOWN && product_of_cn(v->ask[i]) != product)
                        continue;
                asks[na++] = v->ask[i];
        }
        for (size_t i = 0; i < v->n_ark; i++)
                if (product == CT_SNP_PRODUCT_UNKNOWN || product_of_cn(v->ark[i]) == product)
                        arks[nr++] = v->ark[i];

        if (!pk || EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC) {
                ct_checks_add(k, "vcek_key", CT_CHECK_FAIL, "the %s's key is not an EC key", kname);
        } else {
                char group[64] = "";
                size_t gl = 0;

                EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof(group), &gl);
                if (strcmp(group, "secp384r1") == 0)
                        ct_checks_add(k, "vcek_key", CT_CHECK_PASS, "%s key ECDSA P-384", kname);
                else
                        ct_checks_add(k, "vcek_key", CT_CHECK_FAIL, "the %s's key is on %s, not P-384 (secp384r1)",
                                      kname, group[0] ? group : "an unknown curve");
        }
        if (e->product_name[0]) {
                ct_snp_product vp;
                char pn[64];
                char *dash;

                snprintf(pn, sizeof(pn), "%s", e->product_name);
                dash = strchr(pn, '-');
                if (dash)
                        *dash = 0;
                vp = ct_snp_product_from_name(pn);
                if (product != CT_SNP_PRODUCT_UNKNOWN && vp != product)
                        ct_checks_add(k, "vcek_product", CT_CHECK_FAIL, "%s productName '%s' is not %s", kname,
                                      e->product_name, ct_snp_product_name(product));
                else
                        ct_checks_add(k, "vcek_product", CT_CHECK_PASS, "%s productName '%s'", kname,
                                      e->product_name);
        }

        ask = find_issuer(asks, na, e->cert);
        ark = ask ? find_issuer(arks, nr, ask) : (nr ? arks[0] : NULL);
        if (!ask && na == 0 && v->n_ask) {
                ct_checks_add(k, "vcek_signature", CT_CHECK_FAIL, "no %s of %s among the certificates given",
                              aname, ct_snp_product_name(product));
        } else {
                check_link(k, "vcek_signature", e->cert, ask, kname, aname);
        }
        if (ask)
                check_link(k, "ask_signature", ask, ark, aname, "ARK");
        else
                ct_checks_add(k, "ask_signature", CT_CHECK_FAIL, "no %s certificate given", aname);
        if (ark) {
                if (X509_NAME_cmp(X509_get_issuer_name(ark), X509_get_subject_name(ark)) != 0)
                        ct_checks_add(k, "ark_self_signed", CT_CHECK_FAIL, "the ARK's issuer is not its subject");
                else
                        check_link(k, "ark_self_signed", ark, ark, "ARK", "ARK");
        } else {
                ct_checks_add(k, "ark_self_signed", CT_CHECK_FAIL, "no ARK certificate given%s%s",
                              product != CT_SNP_PRODUCT_UNKNOWN ? " for " : "",
                              product != CT_SNP_PRODUCT_UNKNOWN ? ct_snp_product_name(product) : "");
        }
        check_validity(k, "vcek_validity", e->cert, kname, at);
        if (ask)
                check_validity(k, "ask_validity", ask, aname, at);
        if (ark)
                check_validity(k, "ark_validity", ark, "ARK", at);
        check_crl(v, k, ask, ark, e->cert, at);
}

/* ---- per report ---- */

static struct vcek *find_vcek(ct_snp_verifier *v, const ct_snp_report *r, ct_snp_product product)
{
        char path[4096], hex[129];
        size_t idlen = product == CT_SNP_PRODUCT_TURIN ? 8 : 64;
        const ct_snp_tcb *t = &r->reported_tcb;
        struct vcek *e;
        X509 *certs[CT_MAX_CERTS_PER_FILE];
        size_t n = 0;
        ct_blob b = { 0 };

        if (!v->store)
                return v->explicit_vcek;
        for (size_t i = 0; i < idlen; i++)
                snprintf(hex + 2 * i, 3, "%02x", r->chip_id[i]);
        if (product == CT_SNP_PRODUCT_TURIN)
                snprintf(path, sizeof(path), "%s/%s/bl%02u_tee%02u_snp%02u_ucode%02u_fmc%02u", v->store, hex,
                         t->bootloader, t->tee, t->snp, t->microcode, t->fmc);
        else
                snprintf(path, sizeof(path), "%s/%s/bl%02u_tee%02u_snp%02u_ucode%02u", v->store, hex,
                         t->bootloader, t->tee, t->snp, t->microcode);
        pthread_mutex_lock(&v->lock);
        for (e = v->cache; e; e = e->next)
                if (e->path && strcmp(e->path, path) == 0)
                        break;
        pthread_mutex_unlock(&v->lock);
        if (e)
                return e;
        if (ct_blob_read(path, CT_MAX_CERT_FILE, &b, NULL) != CT_OK)
                return v->explicit_vcek;
        if (b.len == 0 || load_certs(b.data, b.len, path, certs, &n, NULL) != CT_OK) {
                ct_blob_free(&b);
                return v->explicit_vcek;
        }
        ct_blob_free(&b);
        for (size_t i = 1; i < n; i++)
                X509_free(certs[i]);
        e = vcek_new(certs[0], path);
        if (!e) {
                X509_free(certs[0]);
                return v->explicit_vcek;
        }
        pthread_mutex_lock(&v->lock);
        e->next = v->cache;
        v->cache = e;
        pthread_mutex_unlock(&v->lock);
        return e;
}

/*
 * A worker's signature context: the EVP_PKEY_CTX of the last VCEK (initialised for verify once) and a
 * fetched SHA-384, so a batch does not fetch algorithms and build contexts for every report.
 */
struct sigctx {
        const struct vcek *e;
        EVP_PKEY_CTX *pctx;
        EVP_MD *md;
        EVP_MD_CTX *mdctx;
};

static void sigctx_free(struct sigctx *sc)
{
        EVP_PKEY_CTX_free(sc->pctx);
        EVP_MD_free(sc->md);
        EVP_MD_CTX_free(sc->mdctx);
        memset(sc, 0, sizeof(*sc));
}

/* 1 verifies, 0 does not, -1 OpenSSL failed. */
static int report_signature(const ct_snp_report *r, const struct vcek *e, struct sigctx *sc)
{
        struct sigctx local = { 0 };
        ECDSA_SIG *sig = ECDSA_SIG_new();
        BIGNUM *br = BN_lebin2bn(r->sig_r, 72, NULL), *bs = BN_lebin2bn(r->sig_s, 72, NULL);
        unsigned char *der = NULL, dg[EVP_MAX_MD_SIZE];
        unsigned int dl = 0;
        int derlen = 0, ret = -1;

        /* r and s are little-endian in 72 bytes; P-384 uses the first 48. */
        if (!sig || !br || !bs || !ECDSA_SIG_set0(sig, br, bs)) {
                BN_free(br);
                BN_free(bs);
                goto out;
        }
        derlen = i2d_ECDSA_SIG(sig, &der);
        if (derlen <= 0)
                goto out;
        if (!sc)
                sc = &local;
        if (!sc->md && !(sc->md = EVP_MD_fetch(NULL, "SHA384", NULL)))
                goto out;
        if (!sc->mdctx && !(sc->mdctx = EVP_MD_CTX_new()))
                goto out;
        if (sc->e != e || !sc->pctx) {
                EVP_PKEY_CTX_free(sc->pctx);
                sc->e = NULL;
                sc->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, e->key, NULL);
                if (!sc->pctx || EVP_PKEY_verify_init(sc->pctx) != 1 ||
                    EVP_PKEY_CTX_set_signature_md(sc->pctx, sc->md) != 1)
                        goto out;
                sc->e = e;
        }
        if (EVP_DigestInit_ex2(sc->mdctx, sc->md, NULL) != 1 ||
            EVP_DigestUpdate(sc->mdctx, r->raw, CT_SNP_SIGNED_SIZE) != 1 ||
            EVP_DigestFinal_ex(sc->mdctx, dg, &dl) != 1)
                goto out;
        ret = EVP_PKEY_verify(sc->pctx, der, (size_t)derlen, dg, dl) == 1;
out:
        if (sc == &local)
                sigctx_free(&local);
        OPENSSL_free(der);
        ECDSA_SIG_free(sig);
        ERR_clear_error();
        return ret;
}

static void hex_of(const uint8_t *p, size_t n, char *out)
{
        for (size_t i = 0; i < n; i++)
                snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void expect_bytes(ct_checks *k, const char *name, const uint8_t *got, const uint8_t *want, size_t n)
{
        char g[129], w[129];

        hex_of(got, n, g);
        if (CRYPTO_memcmp(got, want, n) == 0) {
                ct_checks_add(k, name, CT_CHECK_PASS, "%s", g);
        } else {
                hex_of(want, n, w);
                ct_checks_add(k, name, CT_CHECK_FAIL, "report has %s, expected %s", g, w);
        }
}

static void tcb_ext(ct_checks *k, const struct vcek *e, const char *name, int ext, const char *ext_name,
                    unsigned reported)
{
        const char *kname = e->vlek ? "VLEK" : "VCEK";

        if (!e->has_int[ext])
                ct_checks_add(k, name, CT_CHECK_FAIL, "the %s has no %s extension", kname, ext_name);
        else if ((unsigned long)e->ints[ext] != reported)
                ct_checks_add(k, name, CT_CHECK_FAIL, "%s %s %ld != reported TCB %u: this %s was issued for "
                              "another TCB", kname, ext_name, e->ints[ext], reported, kname);
        else
                ct_checks_add(k, name, CT_CHECK_PASS, "%s %s %ld == reported %u", kname, ext_name, e->ints[ext],
                              reported);
}

static void min_tcb(ct_checks *k, const char *prefix, const ct_snp_tcb *t, const ct_snp_min_tcb *m)
{
        char name[CT_CHECK_NAME_MAX];
        struct { bool has; const char *n; unsigned want, got; } items[] = {
                { m->has_bl, "bl", m->bl, t->bootloader }, { m->has_tee, "tee", m->tee, t->tee },
                { m->has_snp, "snp", m->snp, t->snp },     { m->has_ucode, "ucode", m->ucode, t->microcode },
                { m->has_fmc, "fmc", m->fmc, t->fmc },
        };

        for (size_t i = 0; i < CT_ARRAY_SIZE(items); i++) {
                if (!items[i].has)
                        continue;
                snprintf(name, sizeof(name), "%s_%s", prefix, items[i].n);
                if (items[i].n[0] == 'f' && !t->has_fmc)
                        ct_checks_add(k, name, CT_CHECK_FAIL, "fmc given but this product's TCB has no FMC");
                else if (items[i].got < items[i].want)
                        ct_checks_add(k, name, CT_CHECK_FAIL, "%s %u < minimum %u", items[i].n, items[i].got,
                                      items[i].want);
                else
                        ct_checks_add(k, name, CT_CHECK_PASS, "%s %u >= %u", items[i].n, items[i].got,
                                      items[i].want);
        }
}

static void expectations(ct_checks *k, const ct_snp_report *r, const ct_snp_verify_opts *o)
{
        if (o->n_measurements) {
                size_t i;
                char g[97];

                for (i = 0; i < o->n_measurements; i++)
                        if (CRYPTO_memcmp(r->measurement, o->measurements[i], 48) == 0)
                                break;
                hex_of(r->measurement, 48, g);
                if (i < o->n_measurements)
                        ct_checks_add(k, "measurement", CT_CHECK_PASS, "%s (expected value %zu of %zu)", g, i + 1,
                                      o->n_measurements);
                else if (o->n_measurements == 1)
                        expect_bytes(k, "measurement", r->measurement, o->measurements[0], 48);
                else
                        ct_checks_add(k, "measurement", CT_CHECK_FAIL, "report has %s, none of the %zu expected",
                                      g, o->n_measurements);
        }
        if (o->has_host_data)
                expect_bytes(k, "host_data", r->host_data, o->host_data, 32);
        if (o->has_report_data)
                expect_bytes(k, "report_data", r->report_data, o->report_data, 64);
        if (o->has_id_key_digest)
                expect_bytes(k, "id_key_digest", r->id_key_digest, o->id_key_digest, 48);
        if (o->has_author_key_digest) {
                if (!(r->signer_info & CT_SNP_SIGNER_AUTHOR_KEY_EN))
                        ct_checks_add(k, "author_key_digest", CT_CHECK_FAIL,
                                      "AUTHOR_KEY_EN is not set: the report has no author key");
                else
                        expect_bytes(k, "author_key_digest", r->author_key_digest, o->author_key_digest, 48);
        }
        if (o->has_vmpl)
                ct_checks_add(k, "vmpl", r->vmpl == o->vmpl ? CT_CHECK_PASS : CT_CHECK_FAIL, "VMPL %u%s%u",
                              r->vmpl, r->vmpl == o->vmpl ? " == " : ", expected ", o->vmpl);
        if (o->policy_no_debug)
                ct_checks_add(k, "policy_debug", r->policy & CT_SNP_POLICY_DEBUG ? CT_CHECK_FAIL : CT_CHECK_PASS,
                              "policy DEBUG %s", r->policy & CT_SNP_POLICY_DEBUG ? "allowed (bit 19 set)" : "off");
        if (o->policy_no_migrate)
                ct_checks_add(k, "policy_migrate",
                              r->policy & CT_SNP_POLICY_MIGRATE_MA ? CT_CHECK_FAIL : CT_CHECK_PASS,
                              "policy MIGRATE_MA %s",
                              r->policy & CT_SNP_POLICY_MIGRATE_MA ? "allowed (bit 18 set)" : "off");
        min_tcb(k, "min_tcb", &r->reported_tcb, &o->min_tcb);
        min_tcb(k, "min_launch_tcb", &r->launch_tcb, &o->min_launch_tcb);
        if (o->has_min_mit_vector) {
                if (!r->has_mit_vectors)
                        ct_checks_add(k, "min_mit_vector", CT_CHECK_FAIL,
                                      "report v%u has no mitigation vectors (v5+)", r->version);
                else if ((r->current_mit_vector & o->min_mit_vector) != o->min_mit_vector)
                        ct_checks_add(k, "min_mit_vector", CT_CHECK_FAIL,
                                      "current_mit_vector 0x%llx lacks bits 0x%llx",
                                      (unsigned long long)r->current_mit_vector,
                                      (unsigned long long)(o->min_mit_vector & ~r->current_mit_vector));
                else
                        ct_checks_add(k, "min_mit_vector", CT_CHECK_PASS, "current_mit_vector 0x%llx has 0x%llx",
                                      (unsigned long long)r->current_mit_vector,
                                      (unsigned long long)o->min_mit_vector);
        }
}

static ct_code snp_verify(ct_snp_verifier *v, const ct_snp_report *r, const ct_snp_verify_opts *opts,
                          ct_snp_verify_result *ret, ct_error *err, struct sigctx *sc);

CT_EXPORT ct_code ct_snp_verify(ct_snp_verifier *v, const ct_snp_report *r, const ct_snp_verify_opts *opts,
                                ct_snp_verify_result *ret, ct_error *err)
{
        return snp_verify(v, r, opts, ret, err, NULL);
}

static ct_code snp_verify(ct_snp_verifier *v, const ct_snp_report *r, const ct_snp_verify_opts *opts,
                          ct_snp_verify_result *ret, ct_error *err, struct sigctx *sc)
{
        static const ct_snp_verify_opts none;
        ct_snp_verify_result *res;
        ct_checks *k;
        ct_snp_product product;
        struct vcek *e;
        time_t at;
        unsigned key_sel;

        if (!v || !r || !ret)
                return ct_error_set(err, CT_E_ARG, "no verifier or report");
        if (!opts)
                opts = &none;
        if (!(res = ct_checks_result_new(sizeof(*res), err)))
                return CT_E_NOMEM;
        k = &res->checks;
        at = opts->has_at ? opts->at : time(NULL);

        /* Version: Trustee accepts 3..5. */
        if (r->version == 2)
                ct_checks_add(k, "report_version", CT_CHECK_WARN,
                              "version 2 verifies here, but Trustee rejects versions below 3 (REPORT_VERSION_MIN)");
        else if (r->version >= 3 && r->version <= 5)
                ct_checks_add(k, "report_version", CT_CHECK_PASS, "version %u", r->version);
        else if (r->version > 5)
                ct_checks_add(k, "report_version", CT_CHECK_WARN,
                              "version %u is newer than 5: decoded with the v5 layout; Trustee rejects it",
                              r->version);
        else
                ct_checks_add(k, "report_version", CT_CHECK_FAIL, "version %u: no SNP report has it", r->version);
        ct_checks_add(k, "signature_algo", r->signature_algo == 1 ? CT_CHECK_PASS : CT_CHECK_FAIL,
                      r->signature_algo == 1 ? "1 (ECDSA P-384 with SHA-384)"
                                             : "%u, expected 1 (ECDSA P-384 with SHA-384)",
                      r->signature_algo);

        /* Product: CPUID (v3+), --product, else from the ARK given. */
        product = r->product_from_cpuid ? r->product : opts->product;
        if (r->product_from_cpuid && opts->product != CT_SNP_PRODUCT_UNKNOWN && opts->product != r->product)
                ct_checks_add(k, "product", CT_CHECK_FAIL, "CPUID %02xh/%02xh says %s, --product says %s",
                              r->cpuid_family, r->cpuid_model, ct_snp_product_name(r->product),
                              ct_snp_product_name(opts->product));
        else if (r->product_from_cpuid)
                ct_checks_add(k, "product", CT_CHECK_PASS, "%s (CPUID family %02xh model %02xh)",
                              ct_snp_product_name(product), r->cpuid_family, r->cpuid_model);
        else if (product != CT_SNP_PRODUCT_UNKNOWN)
                ct_checks_add(k, "product", CT_CHECK_PASS, "%s (given; the report has no CPUID)",
                              ct_snp_product_name(product));
        else if (v->n_ark == 1 && product_of_cn(v->ark[0]) != CT_SNP_PRODUCT_UNKNOWN) {
                product = product_of_cn(v->ark[0]);
                ct_checks_add(k, "product", CT_CHECK_PASS, "%s (from the only ARK given; the report has no CPUID)",
                              ct_snp_product_name(product));
        } else
                ct_checks_add(k, "product", CT_CHECK_WARN,
                              "unknown: the report (v%u) has no CPUID; give --product", r->version);
        res->product = product;

        e = find_vcek(v, r, product);
        key_sel = (r->signer_info & CT_SNP_SIGNER_KEY_MASK) >> CT_SNP_SIGNER_KEY_SHIFT;
        if (!e) {
                ct_checks_add(k, "vcek", CT_CHECK_FAIL,
                              "no VCEK/VLEK certificate (give --vcek, --vlek or --certs DIR)");
        } else {
                const char *kname = e->vlek ? "VLEK" : "VCEK";
                bool sel_ok = (key_sel == CT_SNP_SIGNING_VCEK && !e->vlek) ||
                              (key_sel == CT_SNP_SIGNING_VLEK && e->vlek);

                res->vlek = e->vlek;
                memcpy(res->vcek_fingerprint, e->fp, 32);
                ct_checks_add(k, "signing_key", sel_ok ? CT_CHECK_PASS : CT_CHECK_FAIL,
                              "report SIGNING_KEY %u (%s), certificate is a %s", key_sel,
                              key_sel == 0 ? "VCEK" : key_sel == 1 ? "VLEK" : key_sel == 7 ? "none" : "reserved",
                              kname);
                int sr = e->key ? report_signature(r, e, sc) : 0;

                if (sr == 1)
                        ct_checks_add(k, "report_signature", CT_CHECK_PASS,
                                      "ECDSA P-384 SHA-384 over bytes 0x000..0x29f verifies with the %s", kname);
                else if (sr < 0 && EVP_PKEY_get_base_id(e->key) == EVP_PKEY_EC) {
                        free(res);
                        return ct_error_set(err, CT_E_CRYPTO, "OpenSSL failed verifying the report signature");
                } else
                        ct_checks_add(k, "report_signature", CT_CHECK_FAIL,
                                      "the signature at 0x2a0 does not verify with the %s's key over bytes "
                                      "0x000..0x29f",
                                      kname);

                /* The chain, from the cache when this VCEK was seen at this time. */
                {
                        ct_checks *chain = malloc(sizeof(*chain));

                        if (!chain) {
                                free(res);
                                return ct_error_set(err, CT_E_NOMEM, "out of memory");
                        }
                        pthread_mutex_lock(&v->lock);
                        if (!e->chain_done || e->chain_at != at || e->chain_product != product) {
                                chain_checks(v, e, product, at, &e->chain);
                                e->chain_done = true;
                                e->chain_at = at;
                                e->chain_product = product;
                        } else {
                                res->chain_cached = true;
                        }
                        /* A snapshot of the used part only; appended outside the lock. */
                        memcpy(chain, &e->chain, offsetof(ct_checks, items) + e->chain.n * sizeof(ct_check));
                        pthread_mutex_unlock(&v->lock);
                        ct_checks_append(k, chain);
                        free(chain);
                }

                /* TCB extensions against the reported TCB (in the product's layout). */
                {
                        ct_snp_tcb t;

                        ct_snp_tcb_decode(r->reported_tcb.raw, product, &t);
                        tcb_ext(k, e, "vcek_tcb_bl", EXT_BL, "blSPL", t.bootloader);
                        tcb_ext(k, e, "vcek_tcb_tee", EXT_TEE, "teeSPL", t.tee);
                        tcb_ext(k, e, "vcek_tcb_snp", EXT_SNP, "snpSPL", t.snp);
                        tcb_ext(k, e, "vcek_tcb_ucode", EXT_UCODE, "ucodeSPL", t.microcode);
                        if (product == CT_SNP_PRODUCT_TURIN)
                                tcb_ext(k, e, "vcek_tcb_fmc", EXT_FMC, "fmcSPL", t.fmc);
                }
                /* hwID against the chip id. */
                if (e->vlek) {
                        ct_checks_add(k, "vcek_hwid", CT_CHECK_SKIP, "a VLEK has no hwID (cspID instead)");
                } else if (r->signer_info & CT_SNP_SIGNER_MASK_CHIP_KEY) {
                        ct_checks_add(k, "vcek_hwid", CT_CHECK_SKIP, "MASK_CHIP_KEY set: the chip id is masked");
                } else {
                        size_t n = product == CT_SNP_PRODUCT_TURIN ? 8 : 64;
                        char g[129], w[129];

                        hex_of(r->chip_id, n, g);
                        if (e->hwid_len == 0)
                                ct_checks_add(k, "vcek_hwid", CT_CHECK_FAIL, "the VCEK has no hwID extension");
                        else if (e->hwid_len < n || CRYPTO_memcmp(e->hwid, r->chip_id, n) != 0) {
                                hex_of(e->hwid, e->hwid_len, w);
                                ct_checks_add(k, "vcek_hwid", CT_CHECK_FAIL,
                                              "the VCEK is for another chip: chip_id %s != VCEK hwID %s", g, w);
                        } else
                                ct_checks_add(k, "vcek_hwid", CT_CHECK_PASS, "VCEK hwID == chip_id%s",
                                              n == 8 ? "[0..8] (Turin)" : "");
                }
        }
        expectations(k, r, opts);
        res->ok = k->n_failed == 0;
        memcpy(ret, res, sizeof(*res));
        free(res);
        return CT_OK;
}

/* ---- batch ---- */

struct batch {
        ct_snp_verifier *v;
        const uint8_t *const *inputs;
        const size_t *lens;
        size_t n;
        const ct_snp_verify_opts *opts;
        ct_snp_verify_result *results;
        ct_code *codes;
        ct_error *errs;
        size_t next;
        pthread_mutex_t lock;
};

static void *batch_worker(void *arg)
{
        struct batch *b = arg;
        ct_snp_report *r = malloc(sizeof(*r));
        struct sigctx sc = { 0 };

        if (!r)
                return NULL;
        for (;;) {
                size_t i;
                ct_error e;

                pthread_mutex_lock(&b->lock);
                i = b->next++;
                pthread_mutex_unlock(&b->lock);
                if (i >= b->n)
                        break;
                ct_error_clear(&e);
                b->codes[i] = ct_snp_report_parse(b->inputs[i], b->lens[i], b->opts ? b->opts->product : 0, r, &e);
                if (b->codes[i] == CT_OK)
                        b->codes[i] = snp_verify(b->v, r, b->opts, &b->results[i], &e, &sc);
                if (b->errs)
                        b->errs[i] = e;
        }
        sigctx_free(&sc);
        free(r);
        return NULL;
}

CT_EXPORT ct_code ct_snp_verify_batch(ct_snp_verifier *v, const uint8_t *const *inputs, const size_t *lens,
                                      size_t n, const ct_snp_verify_opts *opts, unsigned threads,
                                      ct_snp_verify_result *results, ct_code *codes, ct_error *errs, ct_error *err)
{
        ct_snp_verify_opts fixed = { 0 };
        struct batch b = { v, inputs, lens, n, &fixed, results, codes, errs, 0, PTHREAD_MUTEX_INITIALIZER };
        pthread_t tid[64];
        unsigned started = 0;

        if (!v || (n && (!inputs || !lens || !results || !codes)))
                return ct_error_set(err, CT_E_ARG, "bad batch arguments");
        /* One validity time for the whole batch, so each chain is verified once, not once a second. */
        if (opts)
                fixed = *opts;
        if (!fixed.has_at) {
                fixed.has_at = true;
                fixed.at = time(NULL);
        }
        if (threads == 0) {
                long c = sysconf(_SC_NPROCESSORS_ONLN);

                threads = c > 0 ? (unsigned)c : 1;
        }
        if (threads > CT_ARRAY_SIZE(tid))
                threads = CT_ARRAY_SIZE(tid);
        if (threads > n)
                threads = n ? (unsigned)n : 1;
        for (unsigned t = 1; t < threads; t++) {
                if (pthread_create(&tid[started], NULL, batch_worker, &b) != 0)
                        break;
                started++;
        }
        batch_worker(&b);
        for (unsigned t = 0; t < started; t++)
                pthread_join(tid[t], NULL);
        pthread_mutex_destroy(&b.lock);
        return CT_OK;
}
