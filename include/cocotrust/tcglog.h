/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — TCG event logs.
 *
 * Two layers, kept apart so that the TDX work can reuse the first for CCEL
 * logs (same TCG_PCR_EVENT2 records, SHA-384, an "MR index" in place of the
 * PCR index):
 *
 *  1. The record layer (ct_tcg_*): the log header (a SHA1 TCG_PCR_EVENT, for
 *     crypto-agile logs holding the TCG_EfiSpecIdEvent), the records
 *     (TCG_PCR_EVENT or TCG_PCR_EVENT2 with any digest set), a walker with a
 *     callback, and decoders for the common event data. It knows nothing of
 *     PCR semantics.
 *  2. The TPM PC Client replay (ct_tpm_replay_*): which records are extended
 *     (never EV_NO_ACTION), the initial value of PCR 0 (StartupLocality,
 *     H-CRTM), reset values, into a ct_pcr_set.
 *
 * All input is untrusted and read through ct_reader; records point into the
 * caller's buffer (nothing is copied), so the buffer must outlive them.
 */
#ifndef COCOTRUST_TCGLOG_H
#define COCOTRUST_TCGLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>
#include <cocotrust/pcr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, checked before anything is used or allocated. */
#define CT_TCG_MAX_LOG_SIZE   (64u << 20) /* a whole log file */
#define CT_TCG_MAX_EVENT_SIZE (16u << 20) /* one record's event data */
#define CT_TCG_MAX_ALGS       16u         /* Spec ID numberOfAlgorithms */
#define CT_TCG_MAX_DIGESTS    16u         /* digests in one TCG_PCR_EVENT2 */
#define CT_TCG_MAX_DIGEST_SIZE 128u       /* digestSize in the Spec ID table */

/* Event types (TCG PC Client PFP). */
#define CT_EV_PREBOOT_CERT                   0x0u
#define CT_EV_POST_CODE                      0x1u
#define CT_EV_NO_ACTION                      0x3u
#define CT_EV_SEPARATOR                      0x4u
#define CT_EV_ACTION                         0x5u
#define CT_EV_EVENT_TAG                      0x6u
#define CT_EV_S_CRTM_CONTENTS                0x7u
#define CT_EV_S_CRTM_VERSION                 0x8u
#define CT_EV_IPL                            0xDu
#define CT_EV_EFI_VARIABLE_DRIVER_CONFIG     0x80000001u
#define CT_EV_EFI_VARIABLE_BOOT              0x80000002u
#define CT_EV_EFI_BOOT_SERVICES_APPLICATION  0x80000003u
#define CT_EV_EFI_BOOT_SERVICES_DRIVER       0x80000004u
#define CT_EV_EFI_RUNTIME_SERVICES_DRIVER    0x80000005u
#define CT_EV_EFI_GPT_EVENT                  0x80000006u
#define CT_EV_EFI_ACTION                     0x80000007u
#define CT_EV_EFI_PLATFORM_FIRMWARE_BLOB     0x80000008u
#define CT_EV_EFI_HANDOFF_TABLES             0x80000009u
#define CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2    0x8000000Au
#define CT_EV_EFI_HANDOFF_TABLES2            0x8000000Bu
#define CT_EV_EFI_VARIABLE_BOOT2             0x8000000Cu
#define CT_EV_EFI_GPT_EVENT2                 0x8000000Du
#define CT_EV_EFI_HCRTM_EVENT                0x80000010u
#define CT_EV_EFI_VARIABLE_AUTHORITY         0x800000E0u

/* "EV_SEPARATOR", ...; NULL for a type this table does not know. */
const char *ct_tcg_event_type_name(uint32_t type);

/* Lower-case name of a TPM_ALG_* digest id ("sha256", "sha3_256", ...); NULL if unknown. */
const char *ct_tcg_alg_name(uint16_t alg_id);

typedef enum ct_tcg_format {
        CT_TCG_FORMAT_SHA1 = 1,         /* TCG 1.2 style: every record a TCG_PCR_EVENT */
        CT_TCG_FORMAT_CRYPTO_AGILE = 2, /* Spec ID event, then TCG_PCR_EVENT2 records */
} ct_tcg_format;

typedef struct ct_tcg_alg {
        uint16_t id;      /* TPM_ALG_* */
        uint16_t size;    /* digest size from the Spec ID table */
        ct_hash_alg alg;  /* CT_HASH_NONE when cocotrust cannot compute it */
} ct_tcg_alg;

/* TCG_EfiSpecIdEvent. */
typedef struct ct_tcg_specid {
        uint8_t signature[16];
        uint32_t platform_class;
        uint8_t spec_version_minor;
        uint8_t spec_version_major;
        uint8_t spec_errata;
        uint8_t uintn_size;
        uint32_t n_algs;
        ct_tcg_alg algs[CT_TCG_MAX_ALGS];
        uint8_t vendor_info_size;
        const uint8_t *vendor_info; /* into the log buffer */
} ct_tcg_specid;

typedef struct ct_tcg_digest {
        uint16_t alg_id;
        ct_hash_alg alg;        /* CT_HASH_NONE when unknown to cocotrust */
        uint16_t size;
        const uint8_t *bytes;   /* into the log buffer */
} ct_tcg_digest;

/* One record. Pointers go into the log buffer. */
typedef struct ct_tcg_event {
        uint32_t num;           /* 0 = the first record (header / Spec ID) */
        uint64_t offset;        /* of the record in the log */
        uint64_t size;          /* of the whole record */
        uint32_t pcr;           /* PCRIndex (MR index for CCEL) */
        uint32_t type;
        unsigned n_digests;
        ct_tcg_digest digests[CT_TCG_MAX_DIGESTS];
        uint32_t data_size;
        const uint8_t *data;
        bool is_header;         /* the first record of a crypto-agile log (Spec ID) */
} ct_tcg_event;

/* What the walk found about the log as a whole. */
typedef struct ct_tcg_info {
        ct_tcg_format format;
        bool has_specid;
        ct_tcg_specid specid;
        uint32_t n_records;       /* complete records, including the header record */
        bool truncated;           /* the last record is cut off by the end of the log */
        uint64_t truncated_offset;/* where that record starts */
        uint64_t truncated_need;  /* how many bytes it announces (0 if the header itself is cut) */
        bool truncated_has_digests;  /* its PCR, type and digests are complete (only data is cut) */
        ct_tcg_event truncated_event; /* then: that record, data = NULL, data_size as announced */
        uint64_t padding_offset;  /* all-00 / all-FF tail, if any */
        uint64_t padding_size;
} ct_tcg_info;

/* Walk flags. */
#define CT_TCG_STRICT (1u << 0) /* a truncated last record is an error, not a warning */

/* Return CT_OK to continue; anything else stops the walk and is returned. */
typedef ct_code (*ct_tcg_event_fn)(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err);

/*
 * Walk the log in buf[0..len): parse the header record, then every record in
 * order, calling fn (may be NULL) for each complete record, the header record
 * included (num 0). Errors (with the offset in err): CT_E_TRUNCATED when the
 * header record is cut, CT_E_MALFORMED for an inconsistent Spec ID event or a
 * record whose digests do not match the Spec ID table, CT_E_LIMIT for sizes
 * beyond the CT_TCG_MAX_* limits. A last record cut off by the end of the log
 * is a warning in *ret_info (truncated, truncated_offset), unless
 * CT_TCG_STRICT. A tail of only 00 or FF bytes (firmware log areas) ends the
 * log (padding_*). ret_info (may be NULL) is written whenever the walk got
 * past the header, even when fn stopped it.
 */
ct_code ct_tcg_walk(const uint8_t *buf, size_t len, unsigned flags, ct_tcg_event_fn fn, void *userdata,
                    ct_tcg_info *ret_info, ct_error *err);

/* The digest of alg in ev; NULL if the record has none. */
const ct_tcg_digest *ct_tcg_event_digest(const ct_tcg_event *ev, ct_hash_alg alg);

/* ---- event data decoders (for display and digest checks); all bounds-checked ---- */

/* UEFI_VARIABLE_DATA. */
typedef struct ct_tcg_efi_var {
        uint8_t guid[16];
        uint64_t name_chars;
        uint64_t data_size;
        const uint8_t *name_utf16; /* name_chars UTF-16LE units, no NUL */
        const uint8_t *data;
} ct_tcg_efi_var;
ct_code ct_tcg_decode_efi_var(const uint8_t *data, size_t len, uint64_t base, ct_tcg_efi_var *ret, ct_error *err);

/* UEFI_IMAGE_LOAD_EVENT. */
typedef struct ct_tcg_image_load {
        uint64_t location;
        uint64_t length;
        uint64_t link_time_address;
        uint64_t devpath_size;
        const uint8_t *devpath;
} ct_tcg_image_load;
ct_code ct_tcg_decode_image_load(const uint8_t *data, size_t len, uint64_t base, ct_tcg_image_load *ret,
                                 ct_error *err);

/* UEFI_PLATFORM_FIRMWARE_BLOB (desc_size 0) and BLOB2. */
typedef struct ct_tcg_fw_blob {
        uint8_t desc_size;
        const uint8_t *desc;
        uint64_t base;
        uint64_t length;
} ct_tcg_fw_blob;
ct_code ct_tcg_decode_fw_blob(const uint8_t *data, size_t len, bool blob2, uint64_t base, ct_tcg_fw_blob *ret,
                              ct_error *err);

/* TCG_PCClientTaggedEvent (EV_EVENT_TAG; systemd-stub and the Linux EFI stub use it). */
typedef struct ct_tcg_tagged {
        uint32_t id;
        uint32_t size;
        const uint8_t *data;
} ct_tcg_tagged;
ct_code ct_tcg_decode_tagged(const uint8_t *data, size_t len, uint64_t base, ct_tcg_tagged *ret, ct_error *err);

/* Known tagged-event ids (Linux EFI stub, systemd). Name or NULL. */
const char *ct_tcg_tag_name(uint32_t id);

/* StartupLocality EV_NO_ACTION data ("StartupLocality\0" + u8): true and the locality. */
bool ct_tcg_startup_locality(const ct_tcg_event *ev, uint8_t *ret_locality);

/*
 * UTF-16LE (n units) to UTF-8 into out (capacity cap, always NUL-terminated).
 * Stops at a NUL unit; unpaired surrogates and non-printable characters
 * become '?'. Returns the length written.
 */
size_t ct_tcg_utf16_to_utf8(const uint8_t *utf16, size_t n_units, char *out, size_t cap);

/*
 * A UEFI device path as text ("PciRoot(0x0)/Pci(0x2,0x0)/HD(1,GPT,...)/\EFI\BOOT\BOOTX64.EFI"),
 * the usual node kinds decoded, others as "Path(type,subtype,hex)". Truncated
 * nodes end the text with "/<truncated>". Always NUL-terminated; returns out.
 */
char *ct_tcg_devpath_text(const uint8_t *dp, size_t len, char *out, size_t cap);

/* ---- one event, decoded: the dispatch on the event type (src/lib/tcg/describe.c) ---- */

typedef enum ct_tcg_data_kind {
        CT_TCG_DATA_RAW = 0,          /* nothing decoded: show the bytes (text/text_utf16 may still be set) */
        CT_TCG_DATA_UNDECODED,        /* a structured type whose data did not decode: show the bytes */
        CT_TCG_DATA_SPECID,           /* the header record of a crypto-agile log (see ct_tcg_info.specid) */
        CT_TCG_DATA_STARTUP_LOCALITY, /* locality */
        CT_TCG_DATA_SEPARATOR,        /* separator (4 bytes) */
        CT_TCG_DATA_EFI_VAR,          /* var */
        CT_TCG_DATA_IMAGE_LOAD,       /* image */
        CT_TCG_DATA_FW_BLOB,          /* blob */
        CT_TCG_DATA_TAGGED,           /* tag (text/text_utf16: its data, when printable) */
        CT_TCG_DATA_STRING,           /* text: EV_EFI_ACTION, EV_ACTION, EV_IPL, EV_POST_CODE,
                                       * EV_S_CRTM_VERSION, EV_NO_ACTION data that is printable */
} ct_tcg_data_kind;

typedef struct ct_tcg_event_data {
        ct_tcg_data_kind kind;
        uint8_t locality;
        uint32_t separator;
        ct_tcg_efi_var var;
        ct_tcg_image_load image;
        ct_tcg_fw_blob blob;
        ct_tcg_tagged tag;
        /* Printable text in the data (or in the tagged event's data): ASCII with an optional
         * final NUL, or UTF-16LE (text_utf16). NULL when none. Points into the log. */
        const uint8_t *text;
        size_t text_len;      /* bytes, the final NUL excluded for ASCII */
        bool text_utf16;
} ct_tcg_event_data;

/* Decode ev's data by its type (never fails: what does not decode is UNDECODED or RAW). */
void ct_tcg_event_decode(const ct_tcg_event *ev, ct_tcg_event_data *ret);

/*
 * One line describing ev ("Spec ID Event03", "StartupLocality 3",
 * "SecureBoot (1 bytes)", a device path, "tag 0x8f3b22ed (LOADED_IMAGE::LoadOptions)",
 * "\"Calling EFI Application from Boot Option\"", up to 32 bytes of hex), ""
 * for a structured event whose data did not decode. Always NUL-terminated;
 * returns out. cap of 2048 holds every description in full.
 */
char *ct_tcg_event_describe(const ct_tcg_event *ev, char *out, size_t cap);

/* ---- tpm2_eventlog-compatible YAML (src/lib/tcg/yaml.c) ---- */

typedef struct ct_tcg_yaml_opts {
        unsigned version; /* 1 (also 0): tpm2_eventlog 5.4, its --eventlog-version=1, byte for byte;
                           * 2: tpm2-tools 5.8 --eventlog-version=2 (variables, GPT, device paths decoded) */
        FILE *warnings;   /* tpm2_eventlog's digest checks ("WARN: Event N's digest does not match its
                           * payload", as it prints them on stderr); NULL: not checked */
} ct_tcg_yaml_opts;

/* tpm2_eventlog's name of an event type ("EV_SEPARATOR"; "Unknown event type" when it has none). */
const char *ct_tcg_yaml_event_type(uint32_t type);

/* One record (from ct_tcg_walk) as an item of the events: list. opts NULL: version 1, no warnings. */
void ct_tcg_yaml_write_event(FILE *out, const ct_tcg_event *ev, const ct_tcg_info *info,
                             const ct_tcg_yaml_opts *opts);

/* tpm2_eventlog's pcrs: block ("    0  : 0x<hex>", banks sha1, sha256, sha384, sha512), each line
 * prefixed with indent (NULL: ""). Only the PCRs present in pcrs. */
void ct_tcg_yaml_write_pcrs(FILE *out, const ct_pcr_set *pcrs, const char *indent);

/*
 * The document up to the pcrs: block ("---", "version: N", "events:" and every record) of the log in
 * buf[0..len), walked with flags (CT_TCG_STRICT). It writes as it walks: validate the log first (e.g.
 * ct_tpm_replay_log) when a malformed log must leave out untouched. ret_info (may be NULL) on success.
 */
ct_code ct_tcg_yaml_write_events(FILE *out, const uint8_t *buf, size_t len, unsigned flags,
                                 const ct_tcg_yaml_opts *opts, ct_tcg_info *ret_info, ct_error *err);

/*
 * The whole document as `tpm2_eventlog LOG` prints it: the events, then the pcrs: block of the log's
 * replay by the PC Client rules (ct_tpm_replay_log; where tpm2_eventlog 5.4's replay ignores
 * StartupLocality, this one does not). The log is validated first: on an error nothing is written.
 * CT_E_IO when out reports a write error. ret_info (may be NULL) on success.
 */
ct_code ct_tcg_yaml_write(FILE *out, const uint8_t *buf, size_t len, unsigned flags, const ct_tcg_yaml_opts *opts,
                          ct_tcg_info *ret_info, ct_error *err);

/* ---- TPM PC Client replay (rules of TCG PFP and real TPMs) ---- */

typedef struct ct_tpm_replay {
        ct_pcr_set pcrs;          /* only PCRs some record extended ("in the log") */
        int startup_locality;     /* -1 when the log has no StartupLocality event */
        bool hcrtm;               /* an EV_EFI_HCRTM_EVENT on PCR 0 */
        uint32_t n_events;        /* records after the header */
        uint32_t n_extended;      /* records extended (not EV_NO_ACTION) */
        uint32_t skipped_algs;    /* bitmask over info.specid.algs: banks cocotrust cannot compute */
        ct_tcg_info info;
} ct_tpm_replay;

/*
 * Replay the log into every bank it carries, by the PC Client rules:
 * EV_NO_ACTION records are never extended; PCR 0 starts at 00..0L after a
 * StartupLocality event with locality L, at 00..04 with an H-CRTM event;
 * PCRs 17-22 start at FF..FF, the others at 00..00. Banks whose algorithm
 * cocotrust cannot compute are left out (skipped_algs). Same errors and
 * flags as ct_tcg_walk; a truncated last record is reported in ret->info.
 */
ct_code ct_tpm_replay_log(const uint8_t *buf, size_t len, unsigned flags, ct_tpm_replay *ret, ct_error *err);

/* Reset value of PCR index in a bank of size `size` into out. */
void ct_tpm_pcr_reset_value(unsigned index, size_t size, uint8_t *out);

#ifdef __cplusplus
}
#endif
#endif
