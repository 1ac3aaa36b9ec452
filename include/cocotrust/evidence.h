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

#ifdef __cplusplus
}
#endif
#endif
