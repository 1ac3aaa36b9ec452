/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — evidence: AMD SEV-SNP attestation reports (v2-v5, Milan, Genoa,
 * Turin) and their VCEK/VLEK -> ASK/ASVK -> ARK chains, TPM 2.0 quotes
 * (TPMS_ATTEST + TPMT_SIGNATURE), Trustee's TPM evidence JSON and Azure's HCL
 * report.
 *
 * Every structure is read through ct_reader; every signature, certificate,
 * CRL and key goes through OpenSSL 3. Verification returns a result struct
 * listing every check (name, pass/fail/warn, reason) so a caller (the CLI,
 * `appraise`) can show all that failed, not only the first.
 *
 * Typical use (a relying party, e.g. `appraise`):
 *
 *     ct_snp_report rep;                      // ~3 KiB: heap or static in a loop
 *     ct_snp_verifier *v;
 *     ct_snp_verify_opts o = { 0 };           // expectations: all optional
 *     ct_snp_verify_result res;               // ~23 KiB
 *
 *     ct_snp_report_parse(buf, len, CT_SNP_PRODUCT_UNKNOWN, &rep, &err);
 *     ct_snp_verifier_new(&v, &err);
 *     ct_snp_verifier_add_dir(v, "certs", &err);          // or _add_cert_file / _add_certs
 *     o.n_measurements = 1; o.measurements = &expected;   // uint8_t expected[48]
 *     ct_snp_verify(v, &rep, &o, &res, &err);             // CT_OK: the checks ran
 *     if (!res.ok)
 *             for (size_t i = 0; i < res.checks.n; i++)
 *                     if (res.checks.items[i].status == CT_CHECK_FAIL)
 *                             ...items[i].name, items[i].reason...
 *     ct_checks_find(&res.checks, "measurement");        // one check by name
 *     ct_snp_verifier_free(v);
 *
 * The TPM (ct_tpm_quote_verify, ct_tpm_evidence_verify) and HCL
 * (ct_hcl_verify) verifiers return the same ct_checks.
 */
#ifndef COCOTRUST_EVIDENCE_H
#define COCOTRUST_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cocotrust/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Checks: the common result record of every verification.             */
/* ------------------------------------------------------------------ */

#define CT_CHECK_NAME_MAX 40
#define CT_CHECK_REASON_MAX 320
#define CT_MAX_CHECKS 64

typedef enum ct_check_status {
        CT_CHECK_PASS = 0,
        CT_CHECK_FAIL,
        CT_CHECK_WARN,  /* holds, but worth saying (e.g. v2 report: Trustee rejects it) */
        CT_CHECK_SKIP,  /* not applicable (reason says why) */
} ct_check_status;

typedef struct ct_check {
        char name[CT_CHECK_NAME_MAX];      /* stable, e.g. "report_signature", "vcek_tcb_snp" */
        ct_check_status status;
        char reason[CT_CHECK_REASON_MAX];  /* what was compared / why it failed */
} ct_check;

typedef struct ct_checks {
        size_t n;
        size_t n_failed;
        size_t n_warnings;
        ct_check items[CT_MAX_CHECKS];
} ct_checks;

/* The check called `name`, or NULL. */
const ct_check *ct_checks_find(const ct_checks *c, const char *name);

/* "pass", "fail", "warn", "skip". */
const char *ct_check_status_name(ct_check_status s);

/* ------------------------------------------------------------------ */
/* SEV-SNP ATTESTATION_REPORT                                           */
/* ------------------------------------------------------------------ */

#define CT_SNP_REPORT_SIZE 0x4A0u
#define CT_SNP_SIGNED_SIZE 0x2A0u
/* Hex text of a report: 2 digits a byte plus whitespace. */
#define CT_MAX_SNP_REPORT_TEXT (4u * CT_SNP_REPORT_SIZE + 4096u)

typedef enum ct_snp_product {
        CT_SNP_PRODUCT_UNKNOWN = 0,
        CT_SNP_PRODUCT_MILAN,
        CT_SNP_PRODUCT_GENOA,
        CT_SNP_PRODUCT_TURIN,
} ct_snp_product;

/* "Milan", "Genoa", "Turin" (the KDS path names), "unknown". */
const char *ct_snp_product_name(ct_snp_product p);
/* Case-insensitive "milan" / "genoa" / "turin"; CT_SNP_PRODUCT_UNKNOWN otherwise. */
ct_snp_product ct_snp_product_from_name(const char *name);

/* Policy bits (0-7 ABI minor, 8-15 ABI major). */
#define CT_SNP_POLICY_SMT               (1ull << 16)
#define CT_SNP_POLICY_RESERVED1         (1ull << 17)
#define CT_SNP_POLICY_MIGRATE_MA        (1ull << 18)
#define CT_SNP_POLICY_DEBUG             (1ull << 19)
#define CT_SNP_POLICY_SINGLE_SOCKET     (1ull << 20)
#define CT_SNP_POLICY_CXL_ALLOW         (1ull << 21)
#define CT_SNP_POLICY_MEM_AES_256_XTS   (1ull << 22)
#define CT_SNP_POLICY_RAPL_DIS          (1ull << 23)
#define CT_SNP_POLICY_CIPHERTEXT_HIDING (1ull << 24)
#define CT_SNP_POLICY_PAGE_SWAP_DISABLE (1ull << 25)
#define CT_SNP_POLICY_KNOWN             0x3ffffffull

/* platform_info bits. Bit 6 is set on real Turin reports; its meaning is not established. */
#define CT_SNP_PLAT_SMT_EN                (1ull << 0)
#define CT_SNP_PLAT_TSME_EN               (1ull << 1)
#define CT_SNP_PLAT_ECC_EN                (1ull << 2)
#define CT_SNP_PLAT_RAPL_DIS              (1ull << 3)
#define CT_SNP_PLAT_CIPHERTEXT_HIDING_EN  (1ull << 4)
#define CT_SNP_PLAT_ALIAS_CHECK_COMPLETE  (1ull << 5)
#define CT_SNP_PLAT_SEV_TIO_EN            (1ull << 7)
#define CT_SNP_PLAT_KNOWN                 0xbfull

/* signer info (0x48). */
#define CT_SNP_SIGNER_AUTHOR_KEY_EN  (1u << 0)
#define CT_SNP_SIGNER_MASK_CHIP_KEY  (1u << 1)
#define CT_SNP_SIGNER_KEY_SHIFT      2
#define CT_SNP_SIGNER_KEY_MASK       (7u << 2)
#define CT_SNP_SIGNER_KNOWN          0x1fu
enum { CT_SNP_SIGNING_VCEK = 0, CT_SNP_SIGNING_VLEK = 1, CT_SNP_SIGNING_NONE = 7 };

/*
 * TCB_VERSION decoded in the product's layout. Milan/Genoa: byte 0 boot
 * loader, 1 TEE, 6 SNP, 7 microcode (fmc = 0, has_fmc false). Turin: byte 0
 * FMC, 1 boot loader, 2 TEE, 3 SNP, 7 microcode.
 */
typedef struct ct_snp_tcb {
        uint64_t raw;
        bool has_fmc;
        uint8_t fmc, bootloader, tee, snp, microcode;
} ct_snp_tcb;

/* Decode a raw TCB_VERSION for `product` (UNKNOWN decodes as Milan/Genoa). */
void ct_snp_tcb_decode(uint64_t raw, ct_snp_product product, ct_snp_tcb *ret);

/* A non-zero reserved range of the report (offset, length), shown as such, never refused. */
typedef struct ct_snp_reserved {
        uint16_t offset, len;
} ct_snp_reserved;
#define CT_SNP_MAX_RESERVED 8

/* Every field of a report (a value struct; `raw` is a copy of the 0x4A0 bytes). */
typedef struct ct_snp_report {
        uint8_t raw[CT_SNP_REPORT_SIZE];
        uint32_t version;
        uint32_t guest_svn;
        uint64_t policy;
        uint8_t family_id[16];
        uint8_t image_id[16];
        uint32_t vmpl;
        uint32_t signature_algo;
        ct_snp_tcb current_tcb;
        uint64_t platform_info;
        uint32_t signer_info;
        uint8_t report_data[64];
        uint8_t measurement[48];
        uint8_t host_data[32];
        uint8_t id_key_digest[48];
        uint8_t author_key_digest[48];
        uint8_t report_id[32];
        uint8_t report_id_ma[32];
        ct_snp_tcb reported_tcb;
        bool has_cpuid;                 /* v3+ */
        uint8_t cpuid_family, cpuid_model, cpuid_stepping;
        uint8_t chip_id[64];
        ct_snp_tcb committed_tcb;
        uint8_t current_build, current_minor, current_major;
        uint8_t committed_build, committed_minor, committed_major;
        ct_snp_tcb launch_tcb;
        bool has_mit_vectors;           /* v5+ */
        uint64_t launch_mit_vector, current_mit_vector;
        uint8_t sig_r[72], sig_s[72];   /* little-endian, zero-padded */
        /* Derived. */
        ct_snp_product product;         /* from CPUID (v3+) or the hint; UNKNOWN otherwise */
        bool product_from_cpuid;
        size_t n_reserved;              /* non-zero reserved ranges */
        ct_snp_reserved reserved[CT_SNP_MAX_RESERVED];
} ct_snp_report;

/* Product of a v3+ CPUID family/model (trustee get_processor_generation). */
ct_snp_product ct_snp_product_from_cpuid(uint8_t family, uint8_t model);

/*
 * Parse a report from `buf`: 0x4A0 raw bytes (longer input: the rest is
 * ignored only if it is zero padding, else CT_E_MALFORMED), or hex text of
 * them (whitespace allowed). Any version is parsed (versions other than 2-5
 * are decoded as v5 and flagged by the caller); unknown bits are kept. The
 * TCBs are decoded in the layout of the CPUID product (v3+) or of
 * `product_hint` when the report has no CPUID (v2) or the hint is set.
 * Errors: CT_E_TRUNCATED (with the offset), CT_E_MALFORMED (bad hex).
 */
ct_code ct_snp_report_parse(const void *buf, size_t len, ct_snp_product product_hint, ct_snp_report *ret,
                            ct_error *err);

/* ------------------------------------------------------------------ */
/* SNP certificates and verification                                    */
/* ------------------------------------------------------------------ */

/* Bounds on what we read as certificates, CRLs and a certificate directory. */
#define CT_MAX_CERT_FILE (1u << 20)
#define CT_MAX_CERTS_PER_FILE 16

/* Minimum TCB expectation: each component with its has_ flag. */
typedef struct ct_snp_min_tcb {
        bool has_bl, has_tee, has_snp, has_ucode, has_fmc;
        uint8_t bl, tee, snp, ucode, fmc;
} ct_snp_min_tcb;

#define CT_SNP_MAX_MEASUREMENTS 256

/* Expectations and options of a verification. Zero-initialise, then set what you need. */
typedef struct ct_snp_verify_opts {
        ct_snp_product product;              /* UNKNOWN: from CPUID (v3+), else from the ARK */
        bool has_at;
        time_t at;                           /* validity time; now when !has_at */
        size_t n_measurements;               /* any of them matches */
        const uint8_t (*measurements)[48];
        bool has_host_data, has_report_data, has_id_key_digest, has_author_key_digest;
        uint8_t host_data[32];
        uint8_t report_data[64];
        uint8_t id_key_digest[48];
        uint8_t author_key_digest[48];
        bool has_vmpl;
        uint32_t vmpl;
        bool policy_no_debug, policy_no_migrate;
        ct_snp_min_tcb min_tcb;              /* against reported_tcb */
        ct_snp_min_tcb min_launch_tcb;       /* against launch_tcb */
        bool has_min_mit_vector;
        uint64_t min_mit_vector;             /* bits that must be set in current_mit_vector (v5) */
} ct_snp_verify_opts;

/*
 * A verifier: the trust material (ARK, ASK, ASVK, VCEK/VLEK certificates, an
 * optional CRL) and a cache of parsed VCEKs and verified chains keyed by the
 * SHA-256 fingerprint of the VCEK, so a batch verifies each chain once.
 * Thread-safe for ct_snp_verify after set-up. Opaque.
 */
typedef struct ct_snp_verifier ct_snp_verifier;

ct_code ct_snp_verifier_new(ct_snp_verifier **ret, ct_error *err);
void ct_snp_verifier_free(ct_snp_verifier *v);

/*
 * Add certificates from PEM (one or more) or DER bytes: ARK-*, SEV-* (ASK),
 * SEV-VLEK-* (ASVK) are recognised by their subject CN; anything else is a
 * VCEK/VLEK (the one the report is checked with; the last one added wins
 * unless the certificate store below selects by chip id). `what` names the
 * input for error messages. CT_E_MALFORMED when no certificate parses.
 */
ct_code ct_snp_verifier_add_certs(ct_snp_verifier *v, const void *buf, size_t len, const char *what, ct_error *err);

/* The same for a file (limit CT_MAX_CERT_FILE). */
ct_code ct_snp_verifier_add_cert_file(ct_snp_verifier *v, const char *path, ct_error *err);

/*
 * Read a certificate directory in the layouts snpguest and Trustee use:
 * ark.pem, ask.pem, asvk.pem, cert_chain.pem (ASK then ARK, as the KDS
 * serves it), vcek.pem|vcek.der, vlek.pem|vlek.der, crl.der|crl.pem, and
 * Trustee's offline VCEK store vcek/<hwid hex>/bl<NN>_tee<NN>_snp<NN>_ucode<NN>[_fmc<NN>]
 * (selected per report by chip id and reported TCB). Missing files are
 * skipped; CT_E_IO when the directory cannot be read.
 */
ct_code ct_snp_verifier_add_dir(ct_snp_verifier *v, const char *dir, ct_error *err);

/* A CRL (DER or PEM) checked against the ASK and VCEK/VLEK. */
ct_code ct_snp_verifier_set_crl(ct_snp_verifier *v, const void *buf, size_t len, const char *what, ct_error *err);
ct_code ct_snp_verifier_set_crl_file(ct_snp_verifier *v, const char *path, ct_error *err);

/* The result of one verification. */
typedef struct ct_snp_verify_result {
        ct_checks checks;
        bool ok;                      /* no check failed */
        ct_snp_product product;       /* the product used for the chain and TCB layout */
        bool vlek;                    /* signed by a VLEK */
        uint8_t vcek_fingerprint[32]; /* SHA-256 of the VCEK/VLEK DER (zero when none) */
        bool chain_cached;            /* the chain result came from the cache */
} ct_snp_verify_result;

/*
 * Verify a parsed report: signature_algo, the ECDSA P-384/SHA-384 signature
 * with the VCEK/VLEK, the chain VCEK/VLEK <- ASK/ASVK <- ARK (RSASSA-PSS
 * SHA-384 salt 48; ARK self-signed), validity at opts->at or now, the
 * product, the VCEK's TCB extensions against the reported TCB (Turin: FMC
 * too), hwID against the chip id (Turin: first 8 bytes; skipped with
 * MASK_CHIP_KEY or for a VLEK), the CRL when set, then every expectation in
 * opts. Every check is recorded in ret->checks; ret->ok tells whether all
 * held. Returns CT_OK when the checks ran (whatever their outcome), an error
 * only for unusable arguments (CT_E_ARG) or an OpenSSL failure (CT_E_CRYPTO).
 */
ct_code ct_snp_verify(ct_snp_verifier *v, const ct_snp_report *report, const ct_snp_verify_opts *opts,
                      ct_snp_verify_result *ret, ct_error *err);

/*
 * Batch: parse and verify n reports (raw or hex bytes in inputs[i], lens[i])
 * on `threads` threads (0 = one per online CPU). results[i] and codes[i]
 * receive each one's outcome: codes[i] != CT_OK when report i does not
 * parse (errs[i], if errs is not NULL, says why). Chains are cached.
 */
ct_code ct_snp_verify_batch(ct_snp_verifier *v, const uint8_t *const *inputs, const size_t *lens, size_t n,
                            const ct_snp_verify_opts *opts, unsigned threads, ct_snp_verify_result *results,
                            ct_code *codes, ct_error *errs, ct_error *err);


/* ------------------------------------------------------------------ */
/* TPM 2.0 quotes                                                       */
/* ------------------------------------------------------------------ */

#define CT_TPM_GENERATED_VALUE 0xff544347u  /* TPMS_ATTEST.magic */
#define CT_TPM_ST_ATTEST_QUOTE 0x8018u
#define CT_TPM_MAX_NAME 68                   /* TPMU_NAME: hash alg + 64-byte digest */
#define CT_TPM_MAX_BANKS 16                  /* TPML_PCR_SELECTION entries */
#define CT_TPM_MAX_SELECT 4                  /* PCR_SELECT_MAX: 32 PCRs */
#define CT_TPM_MAX_SIG 512                   /* RSA-4096 */
#define CT_TPM_MAX_ATTEST 2048               /* a quote is ~150 bytes */
#define CT_TPM_MAX_KEY_FILE (64u * 1024u)

/* TPM_ALG_* used here. */
enum {
        CT_TPM_ALG_RSA = 0x0001, CT_TPM_ALG_SHA1 = 0x0004, CT_TPM_ALG_SHA256 = 0x000b,
        CT_TPM_ALG_SHA384 = 0x000c, CT_TPM_ALG_SHA512 = 0x000d, CT_TPM_ALG_NULL = 0x0010,
        CT_TPM_ALG_RSASSA = 0x0014, CT_TPM_ALG_RSAPSS = 0x0016, CT_TPM_ALG_ECDSA = 0x0018,
        CT_TPM_ALG_ECC = 0x0023,
};

typedef struct ct_tpm_pcr_selection {
        uint16_t hash;                       /* TPM_ALG_* */
        uint8_t size;                        /* sizeofSelect */
        uint8_t select[CT_TPM_MAX_SELECT];
} ct_tpm_pcr_selection;

/* TPMS_ATTEST (big-endian on the wire). The quote part is filled for type TPM_ST_ATTEST_QUOTE. */
typedef struct ct_tpm_attest {
        uint32_t magic;
        uint16_t type;
        uint16_t signer_len;
        uint8_t signer[CT_TPM_MAX_NAME];     /* qualifiedSigner (TPM2B_NAME) */
        uint16_t extra_len;
        uint8_t extra[64];                   /* extraData (the nonce / qualifying data) */
        uint64_t clock;
        uint32_t reset_count, restart_count;
        uint8_t safe;
        uint64_t firmware_version;
        bool is_quote;
        uint32_t n_sel;
        ct_tpm_pcr_selection sel[CT_TPM_MAX_BANKS];
        uint16_t pcr_digest_len;
        uint8_t pcr_digest[64];
} ct_tpm_attest;

/*
 * Parse a marshalled TPMS_ATTEST (tpm2_quote -m). Any magic and type are
 * accepted here (the verifier checks them); the attested union is decoded
 * for quotes only. Errors name the field and offset.
 */
ct_code ct_tpm_attest_parse(const void *buf, size_t len, ct_tpm_attest *ret, ct_error *err);

/* TPMT_SIGNATURE (tpm2_quote -s): RSASSA / RSAPSS (sig) or ECDSA (r, s). */
typedef struct ct_tpm_signature {
        uint16_t alg;                        /* TPM_ALG_RSASSA, _RSAPSS, _ECDSA */
        uint16_t hash;                       /* TPM_ALG_SHA* */
        size_t sig_len;
        uint8_t sig[CT_TPM_MAX_SIG];
        size_t r_len, s_len;
        uint8_t r[66], s[66];
} ct_tpm_signature;

ct_code ct_tpm_signature_parse(const void *buf, size_t len, ct_tpm_signature *ret, ct_error *err);

/* A public key (an AK). Opaque; wraps an OpenSSL EVP_PKEY. */
typedef struct ct_tpm_key ct_tpm_key;

/*
 * Load an AK public key: PEM (PUBLIC KEY / RSA PUBLIC KEY), DER
 * SubjectPublicKeyInfo, or TPM2B_PUBLIC / TPMT_PUBLIC (tpm2_createak -u),
 * RSA or ECC (NIST P-256/384/521). Free with ct_tpm_key_free (NULL-safe).
 */
ct_code ct_tpm_key_parse(const void *buf, size_t len, ct_tpm_key **ret, ct_error *err);
/* An RSA key from big-endian modulus and exponent (e.g. a JWK). */
ct_code ct_tpm_key_from_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, ct_tpm_key **ret,
                            ct_error *err);
void ct_tpm_key_free(ct_tpm_key *k);
/* PEM SubjectPublicKeyInfo of the key into out (cap bytes, NUL-terminated). */
ct_code ct_tpm_key_pem(const ct_tpm_key *k, char *out, size_t cap, ct_error *err);
/* "rsa-2048", "ecc-nist-p256", ... */
void ct_tpm_key_describe(const ct_tpm_key *k, char *out, size_t cap);

/*
 * The PCR values the verifier is given: a PCR set (include/cocotrust/pcr.h).
 * Parse the `tpm2_quote -o` serialized file (tpm2-tools 5.x host layout:
 * TPML_PCR_SELECTION then TPML_DIGEST list) into a set; text formats are
 * read with ct_pcr_set_parse_text.
 */
struct ct_pcr_set;
ct_code ct_tpm_pcrs_parse_serialized(const void *buf, size_t len, struct ct_pcr_set *ret, ct_error *err);

typedef struct ct_tpm_quote_opts {
        bool has_nonce;
        size_t nonce_len;
        uint8_t nonce[64];                   /* must equal extraData */
        bool trustee_nonce;                  /* also accept Trustee's rule: the nonce resized to 32 bytes */
        const struct ct_pcr_set *pcrs;       /* NULL: selection and digest not checked against values */
        bool rsassa_only;                    /* Trustee accepts only RSASSA ("Unsupported signature type") */
        bool raw_rsassa_sha256;              /* sig may be a bare RSASSA-SHA256 signature (Azure vTPM) */
} ct_tpm_quote_opts;

typedef struct ct_tpm_quote_result {
        ct_checks checks;
        bool ok;
        ct_tpm_attest attest;
        ct_tpm_signature sig;
} ct_tpm_quote_result;

/*
 * Verify a quote as tpm2_checkquote 5.8 does: TPMS_ATTEST magic AND type
 * (TPM_ST_ATTEST_QUOTE), the signature (RSASSA, RSAPSS, ECDSA with the
 * signature's hash) with the AK, extraData == nonce, the PCR selection equal
 * to the PCRs given, and pcrDigest == hash (the signature's hash algorithm)
 * of the selected PCR values in selection order. Every check is recorded.
 * CT_E_TRUNCATED / CT_E_MALFORMED when msg or sig does not parse (nothing
 * verified), CT_OK otherwise.
 */
ct_code ct_tpm_quote_verify(const void *msg, size_t msg_len, const void *sig, size_t sig_len, const ct_tpm_key *ak,
                            const ct_tpm_quote_opts *opts, ct_tpm_quote_result *ret, ct_error *err);

/* ---- Trustee's `tpm` TEE evidence (coco-ecosystem.md §1.3a) ---- */

#define CT_MAX_TPM_EVIDENCE_JSON (1u << 20)

typedef struct ct_tpm_evidence_opts {
        bool has_report_data;
        size_t report_data_len;
        uint8_t report_data[64];             /* expected nonce; compared exactly, or resized to 32 bytes */
        bool has_init_data_digest;
        uint8_t init_data_digest[32];        /* PCR8 must be SHA-256(32 zero bytes || digest) */
} ct_tpm_evidence_opts;

typedef struct ct_tpm_evidence_result {
        ct_tpm_quote_result quote;           /* its checks hold every check, init-data included */
        uint8_t pcrs[24][32];                /* the evidence's SHA-256 PCRs (claims pcr00..pcr23) */
        char ak_desc[32];
} ct_tpm_evidence_result;

/*
 * Verify Trustee TPM evidence JSON {ak_public, tpm_quote{message, signature,
 * pcrs[24]}}: the quote (RSASSA only, as Trustee), the PCR digest over the 24
 * SHA-256 PCRs, the nonce and the init-data binding in PCR 8. Malformed JSON
 * or fields: CT_E_MALFORMED naming the field.
 */
ct_code ct_tpm_evidence_verify(const void *json, size_t len, const ct_tpm_evidence_opts *opts,
                               ct_tpm_evidence_result *ret, ct_error *err);


/* ------------------------------------------------------------------ */
/* Azure HCL report (vTPM NV 0x01400001; coco-ecosystem.md §4)         */
/* ------------------------------------------------------------------ */

#define CT_HCL_SIGNATURE 0x414c4348u       /* "HCLA" little-endian */
#define CT_HCL_HW_OFFSET 0x20u
#define CT_HCL_IGVM_OFFSET 0x4c0u
#define CT_HCL_VAR_OFFSET 0x4d4u
#define CT_MAX_HCL_REPORT (64u * 1024u)
#define CT_MAX_HCL_VAR_DATA (32u * 1024u)
enum { CT_HCL_REPORT_SNP = 2, CT_HCL_REPORT_TDX = 4 };
enum { CT_HCL_HASH_SHA256 = 1, CT_HCL_HASH_SHA384 = 2, CT_HCL_HASH_SHA512 = 3 };

/* The fields of a TDREPORT (1024 bytes) that a verifier compares. */
typedef struct ct_tdreport {
        uint8_t report_type[4];
        uint8_t cpu_svn[16];
        uint8_t report_data[64];
        uint8_t attributes[8], xfam[8];
        uint8_t mrtd[48], mrconfigid[48], mrowner[48], mrownerconfig[48];
        uint8_t rtmr[4][48];
} ct_tdreport;

/*
 * A parsed HCL report. Owns copies of what it refers to; release with
 * ct_hcl_report_free (NULL-safe). The runtime claims JSON is var_data.
 */
typedef struct ct_hcl_report {
        uint32_t signature, version, report_size, request_type, status;
        uint32_t data_size, igvm_version, report_type, hash_type, var_size;
        bool is_snp;
        ct_snp_report snp;                   /* report_type 2 */
        ct_tdreport td;                      /* report_type 4 */
        uint8_t *var_data;                   /* runtime claims (var_size bytes) */
        bool claims_parse;                   /* var_data is a JSON object */
        char claims_error[128];
        ct_tpm_key *ak;                      /* HCLAkPub JWK, or NULL */
        char user_data[160];                 /* runtime claims "user-data" (as written), "" if absent */
} ct_hcl_report;

/*
 * Parse an HCL report (the NV index bytes; trailing bytes after
 * report_size are ignored). CT_E_TRUNCATED / CT_E_MALFORMED with the offset
 * for a short or inconsistent report; the runtime claims JSON not parsing is
 * recorded (claims_parse false), not an error.
 */
ct_code ct_hcl_report_parse(const void *buf, size_t len, ct_hcl_report **ret, ct_error *err);
void ct_hcl_report_free(ct_hcl_report *h);

/*
 * Trustee's az-snp-vtpm / az-tdx-vtpm evidence JSON (formats v0-v2):
 * the HCL report (v0 "report" byte array, v1+ base64url "hcl_report"), the
 * VCEK (PEM or base64 DER, SNP), and the TPM quote (hex or byte arrays:
 * message = TPMS_ATTEST, signature = raw RSASSA-SHA256, 24 SHA-256 PCRs).
 */
typedef struct ct_az_evidence {
        int version;
        uint8_t *hcl; size_t hcl_len;
        uint8_t *vcek; size_t vcek_len;      /* NULL when absent */
        uint8_t *quote; size_t quote_len;
        uint8_t *sig; size_t sig_len;
        size_t n_pcrs;
        uint8_t pcrs[24][32];
} ct_az_evidence;
ct_code ct_az_evidence_parse(const void *json, size_t len, ct_az_evidence *ret, ct_error *err);
void ct_az_evidence_clear(ct_az_evidence *e);

typedef struct ct_hcl_verify_opts {
        bool has_user_data;
        size_t user_data_len;
        uint8_t user_data[64];               /* expected runtime claims "user-data" */
        bool snp_verify;                     /* chain into ct_snp_verify (SNP) */
        ct_snp_verifier *snp_verifier;
        const ct_snp_verify_opts *snp_opts;
        const uint8_t *quote; size_t quote_len;   /* a vTPM quote checked with HCLAkPub */
        const uint8_t *sig; size_t sig_len;
        const ct_tpm_quote_opts *quote_opts;
} ct_hcl_verify_opts;

typedef struct ct_hcl_verify_result {
        ct_checks checks;                    /* HCL checks, then "snp.*" and "quote.*" */
        bool ok;
} ct_hcl_verify_result;

/*
 * Verify: the "HCLA" signature, report type, hash type, hash(runtime claims)
 * == REPORTDATA[0..n] (n = 32/48/64 for SHA-256/384/512), the runtime claims
 * JSON and HCLAkPub, VMPL 0 (SNP, as Trustee), the expected user-data; then
 * the embedded SNP report (opts->snp_verify) and a quote with the AK.
 */
ct_code ct_hcl_verify(const ct_hcl_report *h, const ct_hcl_verify_opts *opts, ct_hcl_verify_result *ret,
                      ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
