/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — PCR 11 of a Unified Kernel Image, as systemd-stub measures it
 * (and as systemd-measure calculate predicts it), plus the boot-phase words
 * systemd-pcrphase extends afterwards.
 *
 * For every name in the stub version's canonical list (not the order in the
 * file), when the section is present with a non-zero size and is not
 * .pcrsig: extend H(name + NUL), then H(contents). Contents are the
 * section's VirtualSize bytes as loaded (zero-filled beyond SizeOfRawData).
 * A phase word extends H(word) without a NUL.
 */
#ifndef COCOTRUST_UKI_H
#define COCOTRUST_UKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>
#include <cocotrust/pe.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CT_UKI_PCR 11
#define CT_MAX_UKI_PHASE_WORDS 64 /* words in one phase path a:b:c */
/*
 * Zero bytes measured beyond a section's raw data (VirtualSize above
 * SizeOfRawData). Real UKIs have none (ukify pads the raw data); without a
 * bound an 87 KiB file makes the stub's rules hash 4 GiB of zeros per bank.
 */
#define CT_MAX_UKI_ZERO_FILL (16u << 20)

/* systemd-stub versions whose rules are known (systemd major version). */
typedef enum ct_uki_stub {
        CT_UKI_STUB_252 = 252,
        CT_UKI_STUB_254 = 254,
        CT_UKI_STUB_257 = 257,
} ct_uki_stub;

typedef enum ct_uki_section {
        CT_UKI_LINUX,
        CT_UKI_OSREL,
        CT_UKI_CMDLINE,
        CT_UKI_INITRD,
        CT_UKI_UCODE,
        CT_UKI_SPLASH,
        CT_UKI_DTB,
        CT_UKI_UNAME,
        CT_UKI_SBAT,
        CT_UKI_PCRSIG,
        CT_UKI_PCRPKEY,
        CT_UKI_PROFILE,
        CT_UKI_DTBAUTO,
        CT_UKI_HWIDS,
        CT_UKI_SECTION__MAX
} ct_uki_section;

/* ".linux", ".osrel", ...; NULL for an invalid value. */
const char *ct_uki_section_name(ct_uki_section s);

/* CT_UKI_SECTION__MAX when name is not a UKI section name. */
ct_uki_section ct_uki_section_from_name(const char *name);

/* true for 252, 254, 257. */
bool ct_uki_stub_known(unsigned version);

/*
 * The canonical list of `version` in measurement order, .pcrsig included
 * (it is skipped when measuring). *ret points to static storage. Returns
 * the count, 0 for an unknown version.
 */
size_t ct_uki_canonical_order(ct_uki_stub version, const ct_uki_section **ret);

/* Whether `version` measures section s (in its list and not .pcrsig). */
bool ct_uki_stub_measures(ct_uki_stub version, ct_uki_section s);

/* Contents of one section as measured: data[0..len) then zero_fill zero bytes. */
typedef struct ct_uki_blob {
        bool present;
        const uint8_t *data;  /* borrowed */
        size_t len;
        size_t zero_fill;
        long header_index;    /* section table index when taken from a PE, else -1 */
} ct_uki_blob;

typedef struct ct_uki_parts {
        ct_uki_blob s[CT_UKI_SECTION__MAX];
} ct_uki_parts;

/* All parts absent. */
void ct_uki_parts_init(ct_uki_parts *p);

typedef enum ct_uki_step_kind {
        CT_UKI_STEP_NAME,     /* H(section name + NUL) */
        CT_UKI_STEP_CONTENTS, /* H(section contents) */
        CT_UKI_STEP_PHASE,    /* H(phase word), no NUL */
} ct_uki_step_kind;

/* One extend of PCR 11, reported to the caller's callback. */
typedef struct ct_uki_step {
        ct_uki_step_kind kind;
        ct_uki_section section;  /* NAME / CONTENTS */
        const char *word;        /* PHASE: the word (borrowed for the callback's duration) */
        uint64_t size;           /* bytes hashed */
        ct_digest measured;      /* H(bytes) */
        ct_digest pcr;           /* PCR 11 after the extend */
} ct_uki_step;

typedef ct_code (*ct_uki_step_fn)(const ct_uki_step *step, void *userdata);

/*
 * PCR 11 after the stub measured `parts` under `version`'s rules, in bank
 * `bank`, starting from zeros. fn (may be NULL) sees every extend.
 * Errors: CT_E_ARG (unknown version or bank), CT_E_CRYPTO, or fn's error.
 */
ct_code ct_uki_measure(const ct_uki_parts *parts, ct_uki_stub version, ct_hash_alg bank, ct_uki_step_fn fn,
                       void *userdata, ct_digest *ret_pcr, ct_error *err);

/*
 * ct_uki_measure for n_banks banks at once, one thread per bank (the
 * section contents are hashed once per bank; the banks are independent).
 * ret_pcrs[i] gets the value for banks[i]; written only on success.
 */
ct_code ct_uki_measure_banks(const ct_uki_parts *parts, ct_uki_stub version, const ct_hash_alg *banks,
                             size_t n_banks, ct_digest *ret_pcrs, ct_error *err);

/*
 * Extend *pcr with each non-empty word of the colon-separated `phase`
 * ("enter-initrd:leave-initrd"), as systemd-pcrphase does: H(word), no NUL.
 * "" and ":" extend nothing. CT_E_LIMIT beyond CT_MAX_UKI_PHASE_WORDS words.
 */
ct_code ct_uki_extend_phase(ct_digest *pcr, const char *phase, ct_uki_step_fn fn, void *userdata, ct_error *err);

/*
 * The systemd major version of the stub a UKI was built from, read from its
 * .sdmagic section ("#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####").
 * CT_E_UNSUPPORTED when there is no such section or it names no stub version.
 */
ct_code ct_uki_stub_version_from_pe(const ct_pe *pe, unsigned *ret_version, ct_error *err);

/*
 * The sections `version`'s stub measures, located in a parsed UKI with that
 * version's lookup rules:
 *   252, 254: prefix match of the name on the 8-byte header name, last match wins;
 *   257:      exact match, first match wins; headers whose VirtualAddress +
 *             VirtualSize overflows are skipped; multi-profile UKIs: the base
 *             (headers before the first .profile) overridden by profile `profile`.
 * Data borrows from the PE's buffer. Errors: CT_E_ARG (unknown version; a
 * profile other than 0 that does not exist), CT_E_MALFORMED (a measured
 * section reaching past SizeOfImage: firmware would not load the image).
 */
ct_code ct_uki_parts_from_pe(const ct_pe *pe, ct_uki_stub version, unsigned profile, ct_uki_parts *ret,
                             ct_error *err);


/* ---- PCR 4: the EFI applications firmware starts (OVMF / EDK2 Tcg2Dxe) ---- */

/* One image in the boot chain, in load order. */
typedef struct ct_boot_image {
        const ct_pe *pe;
        bool is_uki;        /* a systemd-stub UKI: its .linux is started with LoadImage */
        ct_uki_stub stub;   /* the stub's rules, to locate .linux (when is_uki) */
        bool kernel_event;  /* firmware measures that kernel into PCR 4 (see below) */
} ct_boot_image;

typedef enum ct_pcr4_event_kind {
        CT_PCR4_CALLING,     /* EV_EFI_ACTION "Calling EFI Application from Boot Option" */
        CT_PCR4_SEPARATOR,   /* EV_SEPARATOR 00000000 */
        CT_PCR4_RETURNING,   /* EV_EFI_ACTION "Returning from EFI Application from Boot Option" */
        CT_PCR4_APPLICATION, /* EV_EFI_BOOT_SERVICES_APPLICATION: Authenticode of an image */
        CT_PCR4_UKI_KERNEL,  /* EV_EFI_BOOT_SERVICES_APPLICATION: Authenticode of a UKI's .linux */
} ct_pcr4_event_kind;

typedef struct ct_pcr4_event {
        ct_pcr4_event_kind kind;
        size_t image;        /* index in the chain (APPLICATION, UKI_KERNEL) */
        ct_digest digest;    /* what was extended */
        ct_digest pcr;       /* PCR 4 after */
} ct_pcr4_event;

typedef ct_code (*ct_pcr4_event_fn)(const ct_pcr4_event *ev, void *userdata);

/* The EV_EFI_ACTION / EV_SEPARATOR texts, and a name for each kind. */
const char *ct_pcr4_event_name(ct_pcr4_event_kind kind);

/*
 * PCR 4 as OVMF leaves it when the boot manager starts `images` in order:
 * "Calling EFI Application from Boot Option", the separator, then for each
 * boot option that failed before the one that boots ("Returning ...",
 * "Calling ...") — a q35 VM with its default empty DVD-ROM has one — then
 * the Authenticode of each image, and after a UKI with kernel_event set the
 * Authenticode of its .linux contents (VirtualSize bytes as loaded).
 * fn (may be NULL) sees every event. Errors: CT_E_ARG, CT_E_MALFORMED (a
 * UKI without .linux, or a .linux that is not a PE), parse errors of the
 * embedded kernel (offsets relative to the section), CT_E_CRYPTO.
 */
ct_code ct_pcr4_predict(const ct_boot_image *images, size_t n_images, unsigned failed_boot_options,
                        ct_hash_alg bank, ct_pcr4_event_fn fn, void *userdata, ct_digest *ret_pcr, ct_error *err);


/* ---- signed PCR 11 policies (systemd-measure 252 sign, the .pcrsig section) ---- */

#define CT_MAX_UKI_KEY_SIZE (64u * 1024u) /* a PEM key file larger than this is refused */

/*
 * TPM2_PolicyPCR on a fresh SHA-256 policy session for one PCR of `bank`
 * holding `value` (value->alg must be bank): SHA-256(0^32 || TPM_CC_PolicyPCR
 * || TPML_PCR_SELECTION{bank, {pcr}} || SHA-256(value)), what systemd-measure
 * 252 gets from a trial session. pcr < 24. Errors: CT_E_ARG, CT_E_CRYPTO.
 */
ct_code ct_uki_policy_pcr(ct_hash_alg bank, unsigned pcr, const ct_digest *value, ct_digest *ret, ct_error *err);

typedef struct ct_uki_signer ct_uki_signer;

/*
 * A PCR policy signer from a PEM private key (as systemd-measure reads
 * --private-key) and optionally a PEM public key (--public-key; not checked
 * against the private key, as systemd-measure 252 does not; NULL: derived from
 * the private key). Errors: CT_E_LIMIT (larger than CT_MAX_UKI_KEY_SIZE),
 * CT_E_MALFORMED (not a PEM key), CT_E_UNSUPPORTED (not RSA), CT_E_NOMEM.
 */
ct_code ct_uki_signer_new(const uint8_t *private_pem, size_t private_len, const uint8_t *public_pem,
                          size_t public_len, ct_uki_signer **ret, ct_error *err);
void ct_uki_signer_free(ct_uki_signer *s);

/* systemd's "pkfp": SHA-256 of the public key in DER (i2d_PublicKey: PKCS#1 RSAPublicKey). */
const ct_digest *ct_uki_signer_fingerprint(const ct_uki_signer *s);

/*
 * RSA PKCS#1 v1.5 signature over the policy digest bytes, hashed with `md`
 * (systemd-measure 252 uses the PCR bank's algorithm: SHA-1 for the sha1 bank)
 * — what systemd-measure puts in "sig", before base64. *ret_sig is malloc'd.
 * Errors: CT_E_ARG, CT_E_CRYPTO, CT_E_NOMEM.
 */
ct_code ct_uki_sign_policy(const ct_uki_signer *s, ct_hash_alg md, const ct_digest *policy, uint8_t **ret_sig,
                           size_t *ret_len, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
