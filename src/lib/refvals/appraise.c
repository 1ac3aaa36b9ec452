/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Appraisal of evidence against a manifest: claims with EAR tiers, and an
 * explanation for every mismatch (PCRs: which event differs and what it
 * measured; verity: where the root hash was found; init-data: which binding).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <cocotrust/appraise.h>
#include <cocotrust/codec.h>
#include <cocotrust/evidence.h>
#include <cocotrust/manifest.h>
#include <cocotrust/reader.h>
#include <cocotrust/snp.h>
#include <cocotrust/tdx.h>
#include <cocotrust/tcglog.h>

#include "../internal.h"

#define MAX_PCR_EVENTS 512u /* events of one PCR listed in an explanation */

struct binding {
        bool set;
        uint8_t v[48];
        size_t len;
        char how[96];
};

struct ct_appraisal {
        const ct_manifest *m;
        size_t n;
        ct_claim claims[CT_MAX_CLAIMS];
        bool cmdline_measured;
        char cmdline_by[64];
        struct binding init[3];
};

CT_EXPORT const char *ct_tier_name(ct_tier t)
{
        switch (t) {
        case CT_TIER_NONE: return "none";
        case CT_TIER_AFFIRMING: return "affirming";
        case CT_TIER_WARNING: return "warning";
        case CT_TIER_CONTRAINDICATED: return "contraindicated";
        }
        return "?";
}

CT_EXPORT ct_tier ct_tier_of_value(int v)
{
        if (v >= -1 && v <= 1)
                return CT_TIER_NONE;
        if (v > -32 && v < 32)
                return CT_TIER_AFFIRMING;
        if (v > -96 && v < 96)
                return CT_TIER_WARNING;
        return CT_TIER_CONTRAINDICATED;
}

CT_EXPORT const char *ct_trust_claim_name(ct_trust_claim c)
{
        static const char *const names[] = { "instance-identity", "configuration", "executables", "file-system",
                                             "hardware", "runtime-opaque", "storage-opaque", "sourced-data" };
        return (unsigned)c < CT_TC__MAX ? names[c] : "?";
}

CT_EXPORT ct_code ct_appraisal_new(const ct_manifest *m, ct_appraisal **ret, ct_error *err)
{
        ct_appraisal *a;

        if (!m || !ret)
                return ct_error_set(err, CT_E_ARG, "ct_appraisal_new: NULL argument");
        a = calloc(1, sizeof(*a));
        if (!a)
                return ct_error_set(err, CT_E_NOMEM, "appraisal");
        a->m = m;
        *ret = a;
        return CT_OK;
}

CT_EXPORT void ct_appraisal_free(ct_appraisal *a)
{
        free(a);
}

CT_EXPORT ct_code ct_appraisal_add(ct_appraisal *a, const ct_claim *c, ct_error *err)
{
        if (!a || !c)
                return ct_error_set(err, CT_E_ARG, "ct_appraisal_add: NULL argument");
        if (a->n >= CT_MAX_CLAIMS)
                return ct_error_set(err, CT_E_LIMIT, "more than %u claims", CT_MAX_CLAIMS);
        a->claims[a->n++] = *c;
        return CT_OK;
}

CT_EXPORT size_t ct_appraisal_count(const ct_appraisal *a) { return a ? a->n : 0; }

CT_EXPORT const ct_claim *ct_appraisal_claim(const ct_appraisal *a, size_t i)
{
        return a && i < a->n ? &a->claims[i] : NULL;
}

CT_EXPORT ct_tier ct_appraisal_status(const ct_appraisal *a)
{
        ct_tier t = CT_TIER_NONE;
        for (size_t i = 0; a && i < a->n; i++)
                if (a->claims[i].tier > t)
                        t = a->claims[i].tier;
        return t;
}

CT_EXPORT void ct_appraisal_trust_vector(const ct_appraisal *a, int ours[CT_TC__MAX], int trustee[CT_TC__MAX])
{
        ct_tier worst[CT_TC__MAX] = { CT_TIER_NONE };
        bool tset[CT_TC__MAX] = { false };

        for (int k = 0; k < CT_TC__MAX; k++) {
                ours[k] = 0;
                trustee[k] = 0;
        }
        for (size_t i = 0; a && i < a->n; i++) {
                const ct_claim *c = &a->claims[i];
                if ((unsigned)c->trust_claim >= CT_TC__MAX)
                        continue;
                if (c->tier > worst[c->trust_claim] || ours[c->trust_claim] == 0) {
                        if (c->tier >= worst[c->trust_claim]) {
                                worst[c->trust_claim] = c->tier;
                                ours[c->trust_claim] = c->value;
                        }
                }
                if (c->trustee_value != CT_TRUSTEE_NO_VALUE) {
                        /* a Trustee rule holds only if every check in it holds: the failing value wins */
                        if (!tset[c->trust_claim] || ct_tier_of_value(c->trustee_value) >
                                                             ct_tier_of_value(trustee[c->trust_claim]))
                                trustee[c->trust_claim] = c->trustee_value;
                        tset[c->trust_claim] = true;
                }
        }
}

/* ---- helpers ---- */

static void claim_init(ct_claim *c, const char *name, ct_trust_claim tc, ct_tier tier, int value, int trustee)
{
        memset(c, 0, sizeof(*c));
        snprintf(c->name, sizeof(c->name), "%s", name);
        c->trust_claim = tc;
        c->tier = tier;
        c->value = value;
        c->trustee_value = trustee;
}

static void appendf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t cap, const char *fmt, ...)
{
        size_t len = strlen(buf);
        va_list ap;

        if (len + 1 >= cap)
                return;
        va_start(ap, fmt);
        vsnprintf(buf + len, cap - len, fmt, ap);
        va_end(ap);
}

/* Lists the failed checks of @k in the explanation of @c, one a line; returns how many failed. */
static size_t explain_failed_checks(ct_claim *c, const ct_checks *k)
{
        size_t nfail = 0;

        for (size_t i = 0; i < k->n; i++) {
                const ct_check *ck = &k->items[i];
                if (ck->status == CT_CHECK_FAIL) {
                        appendf(c->explanation, sizeof(c->explanation), "%s%s: %s", nfail ? "\n" : "", ck->name,
                                ck->reason);
                        nfail++;
                }
        }
        return nfail;
}

static const ct_claim *find_claim(const ct_appraisal *a, const char *name)
{
        for (size_t i = 0; i < a->n; i++)
                if (strcmp(a->claims[i].name, name) == 0)
                        return &a->claims[i];
        return NULL;
}

/* Printable text of event data: ASCII as is, UTF-16LE converted, else NULL. */
static bool data_text(const uint8_t *d, size_t n, char *out, size_t cap)
{
        size_t printable = 0, zeros_odd = 0;

        if (n == 0 || cap == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                printable += isprint(d[i]) || d[i] == '\n' || d[i] == '\t';
                zeros_odd += (i & 1) && d[i] == 0;
        }
        if (n >= 4 && zeros_odd * 2 + 2 >= n) {
                ct_tcg_utf16_to_utf8(d, n / 2, out, cap);
                return true;
        }
        if (printable + 1 >= n) {
                size_t k = n < cap - 1 ? n : cap - 1;
                for (size_t i = 0; i < k; i++)
                        out[i] = isprint(d[i]) ? (char)d[i] : ' ';
                while (k > 0 && out[k - 1] == ' ')
                        k--;
                out[k] = '\0';
                return true;
        }
        return false;
}

/* What an event measured, in a few words. */
static void event_what(const ct_tcg_event *ev, char *out, size_t cap)
{
        char text[256];

        out[0] = '\0';
        switch (ev->type) {
        case 0x80000003: /* EV_EFI_BOOT_SERVICES_APPLICATION */
        case 0x80000004: /* EV_EFI_BOOT_SERVICES_DRIVER */
        case 0x80000005: { /* EV_EFI_RUNTIME_SERVICES_DRIVER */
                ct_tcg_image_load il;
                if (ct_tcg_decode_image_load(ev->data, ev->data_size, 0, &il, NULL) == CT_OK) {
                        char dp[200];
                        ct_tcg_devpath_text(il.devpath, (size_t)il.devpath_size, dp, sizeof(dp));
                        snprintf(out, cap, "image %.150s (%llu bytes)", dp[0] ? dp : "(no device path)",
                                 (unsigned long long)il.length);
                }
                return;
        }
        case 0x80000001: /* EV_EFI_VARIABLE_DRIVER_CONFIG */
        case 0x80000002: /* EV_EFI_VARIABLE_BOOT */
        case 0x800000e0: /* EV_EFI_VARIABLE_AUTHORITY */
        case 0x8000000c: { /* EV_EFI_VARIABLE_BOOT2 */
                ct_tcg_efi_var v;
                if (ct_tcg_decode_efi_var(ev->data, ev->data_size, 0, &v, NULL) == CT_OK) {
                        char name[80];
                        ct_tcg_utf16_to_utf8(v.name_utf16, (size_t)v.name_chars, name, sizeof(name));
                        snprintf(out, cap, "variable %.70s (%llu bytes)", name, (unsigned long long)v.data_size);
                }
                return;
        }
        case 0x00000006: { /* EV_EVENT_TAG */
                ct_tcg_tagged t;
                if (ct_tcg_decode_tagged(ev->data, ev->data_size, 0, &t, NULL) == CT_OK) {
                        const char *tn = ct_tcg_tag_name(t.id);
                        if (data_text(t.data, t.size, text, sizeof(text)))
                                snprintf(out, cap, "%s \"%.160s\"", tn ? tn : "tagged event", text);
                        else
                                snprintf(out, cap, "%s (%u bytes)", tn ? tn : "tagged event", t.size);
                }
                return;
        }
        case 0x80000008: /* EV_EFI_PLATFORM_FIRMWARE_BLOB */
        case 0x8000000a: { /* EV_EFI_PLATFORM_FIRMWARE_BLOB2 */
                ct_tcg_fw_blob fb;
                if (ct_tcg_decode_fw_blob(ev->data, ev->data_size, ev->type == 0x8000000a, 0, &fb, NULL) == CT_OK) {
                        if (fb.desc_size && data_text(fb.desc, fb.desc_size, text, sizeof(text)))
                                snprintf(out, cap, "firmware blob \"%.60s\" at 0x%llx (%llu bytes)", text,
                                         (unsigned long long)fb.base, (unsigned long long)fb.length);
                        else
                                snprintf(out, cap, "firmware blob at 0x%llx (%llu bytes)", (unsigned long long)fb.base,
                                         (unsigned long long)fb.length);
                }
                return;
        }
        case 0x00000004: /* EV_SEPARATOR */
                snprintf(out, cap, "separator");
                return;
        default:
                break;
        }
        if (ev->data_size && data_text(ev->data, ev->data_size, text, sizeof(text)))
                snprintf(out, cap, "\"%.160s\"", text);
        else
                snprintf(out, cap, "%u bytes of event data", ev->data_size);
}

struct pcr_ev {
        uint32_t num;
        uint32_t type;
        bool has_digest;
        uint8_t digest[CT_HASH_MAX_SIZE];
        char what[200];
};

struct collect {
        unsigned pcr;
        ct_hash_alg alg;
        size_t n;
        size_t total;
        struct pcr_ev ev[MAX_PCR_EVENTS];
};

static ct_code collect_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct collect *c = userdata;
        const ct_tcg_digest *d;

        (void)info;
        (void)err;
        if (ev->is_header || ev->pcr != c->pcr || ev->type == 0x00000003 /* EV_NO_ACTION */)
                return CT_OK;
        c->total++;
        if (c->n >= MAX_PCR_EVENTS)
                return CT_OK;
        struct pcr_ev *p = &c->ev[c->n++];
        p->num = ev->num;
        p->type = ev->type;
        d = ct_tcg_event_digest(ev, c->alg);
        p->has_digest = d && d->size == ct_hash_size(c->alg);
        if (p->has_digest)
                memcpy(p->digest, d->bytes, d->size);
        event_what(ev, p->what, sizeof(p->what));
        return CT_OK;
}

static ct_code collect_pcr(const uint8_t *log, size_t len, unsigned pcr, ct_hash_alg alg, struct collect **ret,
                           ct_error *err)
{
        struct collect *c = calloc(1, sizeof(*c));
        ct_code rc;

        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "event list");
        c->pcr = pcr;
        c->alg = alg;
        rc = ct_tcg_walk(log, len, 0, collect_cb, c, NULL, err);
        if (rc != CT_OK) {
                free(c);
                return rc;
        }
        *ret = c;
        return CT_OK;
}

/* "01234567...89abcdef" of a digest (first and last 8 hex digits). */
static const char *short_hex(const uint8_t *v, size_t n, char out[20])
{
        char h[2 * CT_HASH_MAX_SIZE + 1];

        ct_hex_encode(v, n, h);
        if (n <= 8)
                return memcpy(out, h, 2 * n + 1);
        memcpy(out, h, 8);
        memcpy(out + 8, "...", 3);
        memcpy(out + 11, h + 2 * n - 8, 9);
        return out;
}

static const char *type_name(uint32_t t, char *buf, size_t cap)
{
        const char *n = ct_tcg_event_type_name(t);
        if (n)
                return n;
        snprintf(buf, cap, "0x%08x", t);
        return buf;
}

/* ---- PCRs ---- */

static ct_trust_claim pcr_trust_claim(unsigned i)
{
        if (i == 0 || i == 2)
                return CT_TC_HARDWARE; /* firmware code */
        if (i == 1 || i == 3 || i == 5 || i == 6 || i == 7 || i == 8)
                return CT_TC_CONFIGURATION;
        return CT_TC_EXECUTABLES; /* 4 (boot loader / UKI), 9, 11, 12, ... */
}

static void explain_pcr(char *out, size_t cap, unsigned i, ct_hash_alg alg, const uint8_t *evv, const uint8_t *refv,
                        const ct_tpm_replay *replay, const struct collect *ev, const struct collect *ref)
{
        size_t size = ct_hash_size(alg);
        char h1[2 * CT_HASH_MAX_SIZE + 1], tn[16], tn2[16];

        if (replay) {
                const ct_pcr_bank *b = ct_pcr_set_bank_const(&replay->pcrs, alg);
                if (!b || !(b->present & (1u << i)))
                        appendf(out, cap, "the firmware event log has no event for PCR %u (%s)\n", i,
                                i == 10 ? "the kernel's IMA measures it" : "measured after the firmware log");
                else if (CRYPTO_memcmp(b->values[i], evv, size) == 0)
                        appendf(out, cap, "the event log replays to the evidence value: the boot measured "
                                          "something else than the reference boot\n");
                else if (CRYPTO_memcmp(b->values[i], refv, size) == 0)
                        appendf(out, cap, "the event log replays to the REFERENCE value, not to the evidence "
                                          "value: the PCR value was altered after its events were logged (or the "
                                          "log is from another boot)\n");
                else
                        appendf(out, cap, "the event log replays to neither: %s\n",
                                ct_hex_encode(b->values[i], size, h1));
        }
        if (ev && ref) {
                size_t k = 0;
                while (k < ev->n && k < ref->n && ev->ev[k].has_digest && ref->ev[k].has_digest &&
                       memcmp(ev->ev[k].digest, ref->ev[k].digest, size) == 0)
                        k++;
                if (k < ev->n && k < ref->n) {
                        appendf(out, cap, "first event that differs: #%u %s %s\n  digest %s\n",
                                ev->ev[k].num, type_name(ev->ev[k].type, tn, sizeof(tn)), ev->ev[k].what,
                                ev->ev[k].has_digest ? ct_hex_encode(ev->ev[k].digest, size, h1) : "-");
                        appendf(out, cap, "  the reference boot has #%u %s %s\n  digest %s\n", ref->ev[k].num,
                                type_name(ref->ev[k].type, tn2, sizeof(tn2)), ref->ev[k].what,
                                ref->ev[k].has_digest ? ct_hex_encode(ref->ev[k].digest, size, h1) : "-");
                } else if (k < ev->n) {
                        appendf(out, cap, "the evidence log has %zu more event(s) for PCR %u than the reference "
                                          "boot; the first: #%u %s %s\n",
                                ev->n - k, i, ev->ev[k].num, type_name(ev->ev[k].type, tn, sizeof(tn)),
                                ev->ev[k].what);
                } else if (k < ref->n) {
                        appendf(out, cap, "the evidence log lacks %zu event(s) of the reference boot for PCR %u; "
                                          "the first missing: #%u %s %s\n",
                                ref->n - k, i, ref->ev[k].num, type_name(ref->ev[k].type, tn, sizeof(tn)),
                                ref->ev[k].what);
                } else if (ev->n) {
                        appendf(out, cap, "the evidence log and the reference log have the same %zu event(s) "
                                          "for PCR %u\n", ev->n, i);
                }
        } else if (ev) {
                appendf(out, cap, "events of PCR %u in the evidence log (no reference log to tell which one "
                                  "differs):\n", i);
                for (size_t k = 0; k < ev->n && k < 16; k++)
                        appendf(out, cap, "  #%u %s %s\n", ev->ev[k].num, type_name(ev->ev[k].type, tn, sizeof(tn)),
                                ev->ev[k].what);
                if (ev->n > 16)
                        appendf(out, cap, "  ... %zu more\n", ev->n - 16);
        }
        /* drop the final newline */
        {
                size_t l = strlen(out);
                if (l && out[l - 1] == '\n')
                        out[l - 1] = '\0';
        }
}

CT_EXPORT ct_code ct_appraise_pcrs(ct_appraisal *a, const ct_pcr_set *evidence, const char *what, bool authenticated,
                                   const uint8_t *log, size_t log_len, const uint8_t *ref_log, size_t ref_log_len,
                                   ct_error *err)
{
        const ct_manifest *m;
        ct_tpm_replay *replay = NULL;
        bool done[CT_HASH__MAX][CT_PCR_COUNT];
        size_t compared = 0;
        ct_claim c;
        ct_code rc = CT_OK;

        if (!a || !evidence)
                return ct_error_set(err, CT_E_ARG, "ct_appraise_pcrs: NULL argument");
        m = a->m;
        if (m->n_pcrs == 0 && m->n_captured_pcrs == 0)
                return ct_error_set(err, CT_E_ARG, "the manifest has no PCR values (pcrs, captured_pcrs)");
        if (log_len > CT_MAX_APPRAISE_LOG || ref_log_len > CT_MAX_APPRAISE_LOG)
                return ct_error_set(err, CT_E_LIMIT, "event log larger than %u bytes", CT_MAX_APPRAISE_LOG);
        memset(done, 0, sizeof(done));
        if (log) {
                replay = calloc(1, sizeof(*replay));
                if (!replay)
                        return ct_error_set(err, CT_E_NOMEM, "replay");
                rc = ct_tpm_replay_log(log, log_len, 0, replay, err);
                if (rc != CT_OK) {
                        ct_error_prefix(err, "event log");
                        goto out;
                }
                if (replay->info.truncated) {
                        claim_init(&c, "eventlog.complete", CT_TC_EXECUTABLES, CT_TIER_WARNING, 32,
                                   CT_TRUSTEE_NO_VALUE);
                        snprintf(c.reason, sizeof(c.reason),
                                 "the event log ends inside a record at offset 0x%llx: that record was not replayed",
                                 (unsigned long long)replay->info.truncated_offset);
                        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                                goto out;
                }
        }
        if (ref_log) {
                /* validate it up front so a bad reference log is an error, not a silent gap */
                rc = ct_tcg_walk(ref_log, ref_log_len, 0, NULL, NULL, NULL, err);
                if (rc != CT_OK) {
                        ct_error_prefix(err, "reference event log");
                        goto out;
                }
        }
        for (int pass = 0; pass < 2; pass++) {
                const ct_manifest_pcr *list = pass == 0 ? m->captured_pcrs : m->pcrs;
                size_t n = pass == 0 ? m->n_captured_pcrs : m->n_pcrs;

                for (size_t k = 0; k < n; k++) {
                        const ct_manifest_pcr *p = &list[k];
                        ct_digest ev;
                        char name[CT_CLAIM_NAME_MAX], h[2 * CT_HASH_MAX_SIZE + 1], sh1[20], sh2[20];
                        size_t size = ct_hash_size(p->bank);
                        int trustee = CT_TRUSTEE_NO_VALUE;
                        ct_trust_claim tc = pcr_trust_claim(p->index);

                        if ((unsigned)p->bank >= CT_HASH__MAX || p->index >= CT_PCR_COUNT || done[p->bank][p->index])
                                continue;
                        done[p->bank][p->index] = true;
                        snprintf(name, sizeof(name), "pcr.%s.%u", ct_hash_name(p->bank), p->index);
                        if (!ct_pcr_set_get(evidence, p->bank, p->index, &ev)) {
                                claim_init(&c, name, tc, CT_TIER_NONE, 0, CT_TRUSTEE_NO_VALUE);
                                snprintf(c.reason, sizeof(c.reason), "not in %s", what);
                                if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                                        goto out;
                                continue;
                        }
                        compared++;
                        if (p->bank == CT_HASH_SHA256 && p->index == 11)
                                trustee = 3; /* tpm_pcr11, overwritten below on mismatch */
                        if (CRYPTO_memcmp(ev.bytes, p->value.bytes, size) == 0) {
                                claim_init(&c, name, tc, CT_TIER_AFFIRMING, tc == CT_TC_EXECUTABLES ? 3 : 2, trustee);
                                snprintf(c.reason, sizeof(c.reason), "%s = the %s value %s", what,
                                         pass == 0 ? "reference boot's" : "predicted",
                                         short_hex(p->value.bytes, size, sh1));
                        } else {
                                struct collect *evc = NULL, *refc = NULL;
                                char eh[2 * CT_HASH_MAX_SIZE + 1];

                                claim_init(&c, name, tc, CT_TIER_CONTRAINDICATED, 96,
                                           trustee == 3 ? 33 : CT_TRUSTEE_NO_VALUE);
                                ct_hex_encode(ev.bytes, size, eh);
                                ct_hex_encode(p->value.bytes, size, h);
                                snprintf(c.reason, sizeof(c.reason), "%s has %s, the %s value is %s", what,
                                         short_hex(ev.bytes, size, sh1), pass == 0 ? "reference boot's" : "predicted",
                                         short_hex(p->value.bytes, size, sh2));
                                appendf(c.explanation, sizeof(c.explanation), "evidence  %s\nreference %s (%s)\n", eh,
                                        h, pass == 0 ? "captured reference boot" : "predicted");
                                if (log && (rc = collect_pcr(log, log_len, p->index, p->bank, &evc, err)) != CT_OK)
                                        goto out;
                                if (log && ref_log &&
                                    (rc = collect_pcr(ref_log, ref_log_len, p->index, p->bank, &refc, err)) != CT_OK) {
                                        free(evc);
                                        goto out;
                                }
                                explain_pcr(c.explanation, sizeof(c.explanation), p->index, p->bank, ev.bytes,
                                            p->value.bytes, replay, evc, refc);
                                free(evc);
                                free(refc);
                        }
                        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                                goto out;
                }
        }
        {
                ct_digest p8;
                if (ct_pcr_set_get(evidence, CT_HASH_SHA256, 8, &p8))
                        ct_appraisal_note_init_binding(a, CT_INIT_PCR8, p8.bytes, 32,
                                                       authenticated ? "PCR 8 of the verified quote" : "PCR 8",
                                                       NULL);
        }
        if (!authenticated && compared) {
                claim_init(&c, "pcr.source", CT_TC_HARDWARE, CT_TIER_NONE, 0, CT_TRUSTEE_NO_VALUE);
                snprintf(c.reason, sizeof(c.reason),
                         "PCR values from %s are not authenticated (no verified TPM quote given): they show what "
                         "was measured; that a genuine TPM holds them is not asserted", what);
                rc = ct_appraisal_add(a, &c, err);
        }
out:
        free(replay);
        return rc;
}

/* ---- verity ---- */

#define N_CMD_FORMS 4

struct find_hex {
        const char *hex;      /* lower-case root hash */
        /* digests (per bank) of the manifest's cmdline as stubs measure it: raw, raw+NUL, UTF-16LE, UTF-16LE+NUL */
        bool has_cmd;
        ct_digest cmd[CT_HASH__MAX][N_CMD_FORMS];
        bool cmd_found;
        uint32_t cmd_num, cmd_pcr, cmd_type;
        bool found;
        uint32_t num, pcr, type;
        bool other;           /* a roothash=/usrhash= with another value */
        char other_hex[2 * CT_HASH_MAX_SIZE + 1];
        uint32_t other_num, other_pcr;
};

static bool contains_ci(const char *hay, const char *needle)
{
        size_t n = strlen(needle);
        for (const char *p = hay; *p; p++)
                if (strncasecmp(p, needle, n) == 0)
                        return true;
        return false;
}

static void scan_text(struct find_hex *f, const char *text, const ct_tcg_event *ev)
{
        static const char *const keys[] = { "roothash=", "usrhash=", "rootfs_verity.hash=", "cc_rootfs_verity.hash=" };

        if (contains_ci(text, f->hex)) {
                if (!f->found) {
                        f->found = true;
                        f->num = ev->num;
                        f->pcr = ev->pcr;
                        f->type = ev->type;
                }
                return;
        }
        for (size_t k = 0; k < CT_ARRAY_SIZE(keys) && !f->other; k++) {
                const char *p = strstr(text, keys[k]);
                size_t n = 0;
                if (!p)
                        continue;
                p += strlen(keys[k]);
                while (isxdigit((unsigned char)p[n]) && n < 2 * CT_HASH_MAX_SIZE)
                        n++;
                if (n == strlen(f->hex)) {
                        f->other = true;
                        memcpy(f->other_hex, p, n);
                        f->other_hex[n] = '\0';
                        f->other_num = ev->num;
                        f->other_pcr = ev->pcr;
                }
        }
}

static ct_code find_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct find_hex *f = userdata;
        char *text;
        size_t n = ev->data_size;

        (void)info;
        (void)err;
        if (ev->is_header)
                return CT_OK;
        for (unsigned k = 0; f->has_cmd && !f->cmd_found && k < ev->n_digests; k++) {
                const ct_tcg_digest *d = &ev->digests[k];
                if ((unsigned)d->alg >= CT_HASH__MAX || d->alg == CT_HASH_NONE)
                        continue;
                for (int form = 0; form < N_CMD_FORMS; form++)
                        if (f->cmd[d->alg][form].len == d->size &&
                            memcmp(f->cmd[d->alg][form].bytes, d->bytes, d->size) == 0) {
                                f->cmd_found = true;
                                f->cmd_num = ev->num;
                                f->cmd_pcr = ev->pcr;
                                f->cmd_type = ev->type;
                        }
        }
        if (n < 16)
                return CT_OK;
        text = malloc(n + 1);
        if (!text)
                return CT_E_NOMEM;
        /* ASCII view (NULs and controls as spaces) and UTF-16 view */
        for (size_t i = 0; i < n; i++)
                text[i] = isprint(ev->data[i]) ? (char)ev->data[i] : ' ';
        text[n] = '\0';
        scan_text(f, text, ev);
        ct_tcg_utf16_to_utf8(ev->data, n / 2, text, n + 1);
        scan_text(f, text, ev);
        /* UTF-16 starting at an odd offset (inside a tagged event) */
        if (n > 2) {
                ct_tcg_utf16_to_utf8(ev->data + 1, (n - 1) / 2, text, n + 1);
                scan_text(f, text, ev);
        }
        free(text);
        return CT_OK;
}

static ct_code cmdline_digests(struct find_hex *f, const char *text, ct_error *err)
{
        size_t n = strlen(text), un = 0;
        uint8_t *u16 = malloc(2 * n + 2);
        ct_code rc = CT_OK;

        if (!u16)
                return ct_error_set(err, CT_E_NOMEM, "cmdline");
        /* the cmdline is ASCII in practice; other bytes are taken as Latin-1 */
        for (size_t i = 0; i < n; i++) {
                u16[un++] = (uint8_t)text[i];
                u16[un++] = 0;
        }
        u16[un] = u16[un + 1] = 0;
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX && rc == CT_OK; a++) {
                if (ct_hash_size((ct_hash_alg)a) == 0)
                        continue;
                if ((rc = ct_hash_buf((ct_hash_alg)a, text, n, &f->cmd[a][0], err)) != CT_OK ||
                    (rc = ct_hash_buf((ct_hash_alg)a, text, n + 1, &f->cmd[a][1], err)) != CT_OK ||
                    (rc = ct_hash_buf((ct_hash_alg)a, u16, un, &f->cmd[a][2], err)) != CT_OK ||
                    (rc = ct_hash_buf((ct_hash_alg)a, u16, un + 2, &f->cmd[a][3], err)) != CT_OK)
                        break;
        }
        free(u16);
        f->has_cmd = rc == CT_OK;
        return rc;
}

CT_EXPORT void ct_appraisal_note_cmdline_measured(ct_appraisal *a, const char *by)
{
        if (!a)
                return;
        a->cmdline_measured = true;
        snprintf(a->cmdline_by, sizeof(a->cmdline_by), "%s", by ? by : "a launch measurement");
}

CT_EXPORT ct_code ct_appraise_verity(ct_appraisal *a, const uint8_t *log, size_t log_len, ct_error *err)
{
        const ct_manifest *m;
        const ct_manifest_artifact *cmd;
        ct_claim c;
        ct_code rc;

        if (!a)
                return ct_error_set(err, CT_E_ARG, "ct_appraise_verity: NULL argument");
        if (log_len > CT_MAX_APPRAISE_LOG)
                return ct_error_set(err, CT_E_LIMIT, "event log larger than %u bytes", CT_MAX_APPRAISE_LOG);
        m = a->m;
        cmd = ct_manifest_find_artifact(m, "cmdline");
        for (size_t i = 0; i < m->n_verity; i++) {
                const ct_manifest_verity *v = &m->verity[i];
                char hex[2 * CT_HASH_MAX_SIZE + 1], name[CT_CLAIM_NAME_MAX];
                struct find_hex f = { .hex = hex };
                bool on_cmdline;

                ct_hex_encode(v->root_hash, v->root_hash_len, hex);
                snprintf(name, sizeof(name), "verity.%s", v->name);
                on_cmdline = cmd && cmd->text && contains_ci(cmd->text, hex);
                if (on_cmdline && log && (rc = cmdline_digests(&f, cmd->text, err)) != CT_OK)
                        return rc;
                if (log) {
                        rc = ct_tcg_walk(log, log_len, 0, find_cb, &f, NULL, err);
                        if (rc != CT_OK) {
                                ct_error_prefix(err, "event log");
                                return rc;
                        }
                }
                if (f.cmd_found) {
                        char pn[CT_CLAIM_NAME_MAX], tn[16];
                        const ct_claim *pc;
                        snprintf(pn, sizeof(pn), "pcr.sha256.%u", f.cmd_pcr);
                        pc = find_claim(a, pn);
                        claim_init(&c, name, CT_TC_FILE_SYSTEM,
                                   pc && pc->tier == CT_TIER_AFFIRMING ? CT_TIER_AFFIRMING : CT_TIER_WARNING,
                                   pc && pc->tier == CT_TIER_AFFIRMING ? 2 : 32, CT_TRUSTEE_NO_VALUE);
                        snprintf(c.reason, sizeof(c.reason),
                                 "root hash %.16s... is on the manifest's cmdline, which event #%u (%s, PCR %u) "
                                 "measured; PCR %u is %s", hex, f.cmd_num, type_name(f.cmd_type, tn, sizeof(tn)),
                                 f.cmd_pcr, f.cmd_pcr, pc ? ct_tier_name(pc->tier) : "not appraised");
                } else if (f.found) {
                        char pn[CT_CLAIM_NAME_MAX], tn[16];
                        const ct_claim *pc;
                        snprintf(pn, sizeof(pn), "pcr.sha256.%u", f.pcr);
                        pc = find_claim(a, pn);
                        if (pc && pc->tier == CT_TIER_AFFIRMING) {
                                claim_init(&c, name, CT_TC_FILE_SYSTEM, CT_TIER_AFFIRMING, 2, CT_TRUSTEE_NO_VALUE);
                                snprintf(c.reason, sizeof(c.reason),
                                         "root hash %.16s... is in event #%u (%s, PCR %u), and PCR %u is affirmed",
                                         hex, f.num, type_name(f.type, tn, sizeof(tn)), f.pcr, f.pcr);
                        } else {
                                claim_init(&c, name, CT_TC_FILE_SYSTEM, CT_TIER_WARNING, 32, CT_TRUSTEE_NO_VALUE);
                                snprintf(c.reason, sizeof(c.reason),
                                         "root hash %.16s... is in event #%u (%s, PCR %u), but PCR %u is %s", hex,
                                         f.num, type_name(f.type, tn, sizeof(tn)), f.pcr, f.pcr,
                                         pc ? ct_tier_name(pc->tier) : "not appraised");
                        }
                } else if (on_cmdline && a->cmdline_measured) {
                        claim_init(&c, name, CT_TC_FILE_SYSTEM, CT_TIER_AFFIRMING, 2, CT_TRUSTEE_NO_VALUE);
                        snprintf(c.reason, sizeof(c.reason),
                                 "root hash %.16s... is on the cmdline that %s measured", hex, a->cmdline_by);
                } else if (f.other) {
                        claim_init(&c, name, CT_TC_FILE_SYSTEM, CT_TIER_CONTRAINDICATED, 96, CT_TRUSTEE_NO_VALUE);
                        snprintf(c.reason, sizeof(c.reason),
                                 "event #%u (PCR %u) measured a cmdline with root hash %.16s..., the manifest's is "
                                 "%.16s...", f.other_num, f.other_pcr, f.other_hex, hex);
                        snprintf(c.explanation, sizeof(c.explanation),
                                 "measured  %s\nreference %s\nthe guest mounts another root file system than the "
                                 "manifest's (run 'cocotrust verity verify' on the image to find the changed files)",
                                 f.other_hex, hex);
                } else {
                        claim_init(&c, name, CT_TC_FILE_SYSTEM, on_cmdline ? CT_TIER_WARNING : CT_TIER_NONE,
                                   on_cmdline ? 32 : 0, CT_TRUSTEE_NO_VALUE);
                        snprintf(c.reason, sizeof(c.reason), "%s",
                                 on_cmdline ? "root hash is on the manifest's cmdline, but no affirmed measurement "
                                              "covers that cmdline (give the launch evidence or the event log)"
                                            : "root hash not found on a measured cmdline or in the event log: not "
                                              "bound to the evidence");
                }
                if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                        return rc;
        }
        return CT_OK;
}

/* ---- init-data ---- */

CT_EXPORT ct_code ct_appraisal_note_init_binding(ct_appraisal *a, ct_init_binding kind, const uint8_t *value,
                                                 size_t len, const char *how, ct_error *err)
{
        struct binding *b;

        if (!a || !value || (unsigned)kind > CT_INIT_PCR8)
                return ct_error_set(err, CT_E_ARG, "ct_appraisal_note_init_binding: bad argument");
        if (len != (kind == CT_INIT_MRCONFIGID ? 48u : 32u))
                return ct_error_set(err, CT_E_ARG, "init-data binding of %zu bytes", len);
        b = &a->init[kind];
        b->set = true;
        b->len = len;
        memcpy(b->v, value, len);
        snprintf(b->how, sizeof(b->how), "%s", how ? how : "");
        return CT_OK;
}

static const uint8_t *form_of(const ct_manifest_init_data *d, ct_init_binding k)
{
        return k == CT_INIT_HOST_DATA ? d->host_data : k == CT_INIT_MRCONFIGID ? d->mrconfigid : d->pcr8;
}

CT_EXPORT ct_code ct_appraise_init_data(ct_appraisal *a, const uint8_t *toml, size_t len, const char *what,
                                        ct_error *err)
{
        static const char *const bname[] = { "init_data.host_data", "init_data.mrconfigid", "init_data.pcr8" };
        static const char *const bdesc[] = { "HOST_DATA", "MRCONFIGID", "PCR 8" };
        const ct_manifest *m;
        ct_manifest_init_data doc;
        bool have_doc = false;
        ct_claim c;
        ct_code rc;

        if (!a)
                return ct_error_set(err, CT_E_ARG, "ct_appraise_init_data: NULL argument");
        m = a->m;
        if (toml) {
                if (len > CT_MAX_INIT_DATA)
                        return ct_error_set(err, CT_E_LIMIT, "init-data larger than %u bytes", CT_MAX_INIT_DATA);
                rc = ct_manifest_init_data_compute(toml, len, CT_HASH_NONE, &doc, err);
                if (rc != CT_OK)
                        return rc;
                have_doc = true;
                /* the document against the manifest */
                {
                        bool found = false;
                        char h[2 * CT_HASH_MAX_SIZE + 1];
                        for (size_t i = 0; i < m->n_init_data; i++)
                                found |= ct_digest_equal(&m->init_data[i].digest, &doc.digest);
                        ct_digest_hex(&doc.digest, h);
                        if (m->n_init_data == 0) {
                                claim_init(&c, "init_data.document", CT_TC_CONFIGURATION, CT_TIER_NONE, 0,
                                           CT_TRUSTEE_NO_VALUE);
                                snprintf(c.reason, sizeof(c.reason), "%s: %s %.16s...; the manifest has no init-data",
                                         what, ct_hash_name(doc.alg), h);
                        } else {
                                claim_init(&c, "init_data.document", CT_TC_CONFIGURATION,
                                           found ? CT_TIER_AFFIRMING : CT_TIER_CONTRAINDICATED, found ? 2 : 96,
                                           CT_TRUSTEE_NO_VALUE);
                                snprintf(c.reason, sizeof(c.reason), "%s: %s %.16s... %s", what,
                                         ct_hash_name(doc.alg), h,
                                         found ? "is the manifest's init-data" : "is none of the manifest's init-data");
                        }
                        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                                return rc;
                }
        }
        for (int k = 0; k <= CT_INIT_PCR8; k++) {
                const struct binding *b = &a->init[k];
                char h[2 * 48 + 1];
                bool match = false;
                const char *against = NULL;

                if (!b->set)
                        continue;
                ct_hex_encode(b->v, b->len, h);
                if (have_doc) {
                        match = CRYPTO_memcmp(form_of(&doc, (ct_init_binding)k), b->v, b->len) == 0;
                        against = what;
                } else {
                        for (size_t i = 0; i < m->n_init_data && !match; i++)
                                match = CRYPTO_memcmp(form_of(&m->init_data[i], (ct_init_binding)k), b->v, b->len) ==
                                        0;
                        against = "the manifest's init-data";
                        if (m->n_init_data == 0)
                                continue;
                }
                claim_init(&c, bname[k], CT_TC_CONFIGURATION, match ? CT_TIER_AFFIRMING : CT_TIER_CONTRAINDICATED,
                           match ? 2 : 96, CT_TRUSTEE_NO_VALUE);
                snprintf(c.reason, sizeof(c.reason), "%s %s %.16s... %s %s", b->how, bdesc[k], h,
                         match ? "binds" : "does not bind", against);
                if (!match && have_doc) {
                        char w[2 * 48 + 1];
                        ct_hex_encode(form_of(&doc, (ct_init_binding)k), b->len, w);
                        snprintf(c.explanation, sizeof(c.explanation), "evidence %s\nexpected %s (%s of %s)", h, w,
                                 bdesc[k], what);
                }
                if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                        return rc;
        }
        return CT_OK;
}

/* ---- SEV-SNP launch measurement ---- */

/* "4 vCPUs EPYC-Milan QEMU" of a manifest row / an explain match */
static void row_text(char *out, size_t cap, const char *mode, int64_t vcpus, const char *type, const char *vmm,
                     bool has_gf, uint64_t gf)
{
        snprintf(out, cap, "%s, %lld vCPU%s, %s, %s", mode, (long long)vcpus, vcpus == 1 ? "" : "s",
                 type ? type : "any CPU type", vmm);
        if (has_gf)
                appendf(out, cap, ", guest features 0x%llx", (unsigned long long)gf);
}

/* What the manifest's SNP rows cover: "vCPUs 4, 8; EPYC-Milan; QEMU; guest features 0x1". */
static void manifest_cover(const ct_manifest *m, size_t len, char *out, size_t cap)
{
        char types[256] = "", vmms[64] = "", gfs[128] = "", counts[256] = "";
        int64_t lo = -1, prev = -1;
        size_t n = 0;
        uint32_t *vc = calloc(m->n_snp ? m->n_snp : 1, sizeof(*vc));

        out[0] = '\0';
        if (!vc)
                return;
        for (size_t i = 0; i < m->n_snp; i++) {
                const ct_manifest_snp_row *r = &m->snp[i];
                char gf[24];
                if (r->measurement_len != len)
                        continue;
                vc[n++] = r->vcpus;
                if (r->vcpu_type && !strstr(types, r->vcpu_type))
                        appendf(types, sizeof(types), "%s%s", types[0] ? ", " : "", r->vcpu_type);
                if (r->vmm && !strstr(vmms, r->vmm))
                        appendf(vmms, sizeof(vmms), "%s%s", vmms[0] ? ", " : "", r->vmm);
                snprintf(gf, sizeof(gf), "0x%llx", (unsigned long long)r->guest_features);
                if (!strstr(gfs, gf))
                        appendf(gfs, sizeof(gfs), "%s%s", gfs[0] ? ", " : "", gf);
        }
        /* sorted distinct counts as ranges */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && vc[j - 1] > vc[j]; j--) {
                        uint32_t t = vc[j];
                        vc[j] = vc[j - 1];
                        vc[j - 1] = t;
                }
        for (size_t i = 0; i <= n; i++) {
                int64_t v = i < n ? (int64_t)vc[i] : -10;
                if (i < n && v == prev)
                        continue;
                if (v != prev + 1) {
                        if (lo >= 0)
                                appendf(counts, sizeof(counts), lo == prev ? "%s%lld" : "%s%lld-%lld",
                                        counts[0] ? ", " : "", (long long)lo, (long long)prev);
                        lo = v;
                }
                prev = v;
        }
        free(vc);
        if (n == 0) {
                snprintf(out, cap, "no %s digest", len == 48 ? "SNP" : "SEV / SEV-ES");
                return;
        }
        snprintf(out, cap, "%s vCPU%s, %s, %s, guest features %s", counts, strcmp(counts, "1") == 0 ? "" : "s",
                 types[0] ? types : "no CPU type", vmms, gfs);
}

CT_EXPORT ct_code ct_appraise_snp_measurement(ct_appraisal *a, const uint8_t *digest, size_t len, const char *what,
                                              const ct_snp_params *artifacts, const char *no_artifacts_why,
                                              const ct_snp_explain_space *space, ct_error *err)
{
        const ct_manifest *m;
        char hex[97], cover[512], rt[160];
        ct_claim c;
        ct_code rc;

        if (!a || !digest || (len != 48 && len != 32))
                return ct_error_set(err, CT_E_ARG, "ct_appraise_snp_measurement: a 48- or 32-byte digest is needed");
        m = a->m;
        ct_hex_encode(digest, len, hex);
        for (size_t i = 0; i < m->n_snp; i++) {
                const ct_manifest_snp_row *r = &m->snp[i];
                if (r->measurement_len != len || CRYPTO_memcmp(r->measurement, digest, len) != 0)
                        continue;
                row_text(rt, sizeof(rt), r->mode, r->vcpus, r->vcpu_type, r->vmm ? r->vmm : "QEMU", true,
                         r->guest_features);
                claim_init(&c, "snp.launch_measurement", CT_TC_EXECUTABLES, CT_TIER_AFFIRMING, 3, 3);
                snprintf(c.reason, sizeof(c.reason), "%s %.16s... = manifest row %zu (%s)", what, hex, i, rt);
                ct_appraisal_note_cmdline_measured(a, "the SNP launch measurement");
                return ct_appraisal_add(a, &c, err);
        }
        manifest_cover(m, len, cover, sizeof(cover));
        claim_init(&c, "snp.launch_measurement", CT_TC_EXECUTABLES, CT_TIER_CONTRAINDICATED, 96, 33);
        snprintf(c.reason, sizeof(c.reason), "%s %.16s... is in no row of the manifest (it covers %.380s)", what, hex,
                 cover);
        if (!artifacts) {
                snprintf(c.explanation, sizeof(c.explanation), "not searched: %s",
                         no_artifacts_why ? no_artifacts_why : "the artifacts are not available");
                return ct_appraisal_add(a, &c, err);
        }
        {
                ct_snp_explanation ex;
                ct_error e2;
                rc = ct_snp_explain(artifacts, digest, len, space, &ex, &e2);
                if (rc != CT_OK) {
                        snprintf(c.explanation, sizeof(c.explanation), "the search could not run: %s", e2.msg);
                        return ct_appraisal_add(a, &c, err);
                }
                if (ex.n_matches == 0) {
                        snprintf(c.explanation, sizeof(c.explanation),
                                 "no configuration in the searched space (%llu configurations: vCPUs, CPU types, VMM "
                                 "types, guest features) gives this digest with the manifest's firmware, kernel, "
                                 "initrd and cmdline: one of them differs",
                                 (unsigned long long)ex.configurations);
                } else {
                        for (size_t k = 0; k < ex.n_matches && k < 4; k++) {
                                const ct_snp_row *r = &ex.matches[k];
                                row_text(rt, sizeof(rt), ct_snp_mode_name(r->mode), r->vcpus,
                                         r->has_sig ? r->vcpu_type : NULL, ct_snp_vmm_name(r->vmm),
                                         r->has_guest_features, r->guest_features);
                                appendf(c.explanation, sizeof(c.explanation), "%s%s", k ? "; " : "matches ", rt);
                        }
                        if (ex.n_found > 4)
                                appendf(c.explanation, sizeof(c.explanation), " (and %llu more)",
                                        (unsigned long long)(ex.n_found - 4));
                        appendf(c.explanation, sizeof(c.explanation), "\nthe manifest covers %s", cover);
                        appendf(c.explanation, sizeof(c.explanation),
                                "\nthe image is the manifest's; the VM was launched with another configuration "
                                "(searched %llu)", (unsigned long long)ex.configurations);
                }
                ct_snp_explanation_free(&ex);
        }
        return ct_appraisal_add(a, &c, err);
}

/* ---- SEV-SNP report ---- */

CT_EXPORT ct_code ct_appraise_snp_report(ct_appraisal *a, const ct_snp_report *r, const ct_snp_verify_result *vr,
                                         const char *what, const ct_snp_params *artifacts, const char *no_artifacts_why,
                                         const ct_snp_explain_space *space, ct_error *err)
{
        ct_claim c;
        ct_code rc;
        size_t nfail = 0, nwarn = 0;
        bool debug, migrate;

        if (!a || !r || !vr)
                return ct_error_set(err, CT_E_ARG, "ct_appraise_snp_report: NULL argument");
        /* 1. signature and chain first */
        claim_init(&c, "snp.signature", CT_TC_HARDWARE, vr->ok ? CT_TIER_AFFIRMING : CT_TIER_CONTRAINDICATED,
                   vr->ok ? 2 : 97, CT_TRUSTEE_NO_VALUE);
        nfail = explain_failed_checks(&c, &vr->checks);
        if (vr->ok)
                snprintf(c.reason, sizeof(c.reason),
                         "%s: v%u report signed by the %s, chain to the AMD %s ARK verified (%zu checks)", what,
                         r->version, vr->vlek ? "VLEK" : "VCEK", ct_snp_product_name(vr->product), vr->checks.n);
        else
                snprintf(c.reason, sizeof(c.reason), "%s: %zu of %zu signature / chain checks failed", what, nfail,
                         vr->checks.n);
        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                return rc;
        /* what the verifier flagged without failing (a v2 report Trustee rejects, reserved bits, ...) */
        claim_init(&c, "snp.report", CT_TC_HARDWARE, CT_TIER_WARNING, 32, CT_TRUSTEE_NO_VALUE);
        for (size_t i = 0; i < vr->checks.n; i++) {
                const ct_check *k = &vr->checks.items[i];
                if (k->status == CT_CHECK_WARN) {
                        appendf(c.explanation, sizeof(c.explanation), "%s%s: %s", nwarn ? "\n" : "", k->name,
                                k->reason);
                        nwarn++;
                }
        }
        if (nwarn) {
                snprintf(c.reason, sizeof(c.reason), "%zu check(s) hold with a warning", nwarn);
                if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                        return rc;
        }
        /* 2. freshness: not judgeable offline */
        claim_init(&c, "snp.tcb", CT_TC_HARDWARE, CT_TIER_WARNING, 32, CT_TRUSTEE_NO_VALUE);
        snprintf(c.reason, sizeof(c.reason),
                 "reported TCB bootloader %u, TEE %u, SNP %u, microcode %u: whether it is current and the %s is not "
                 "revoked cannot be judged offline (Trustee compares it with snp_bootloader / snp_tee_svn / "
                 "snp_snp_svn / snp_microcode)",
                 r->reported_tcb.bootloader, r->reported_tcb.tee, r->reported_tcb.snp, r->reported_tcb.microcode,
                 vr->vlek ? "VLEK" : "VCEK");
        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                return rc;
        /* 3. guest policy, as Trustee's configuration rule reads it */
        debug = (r->policy & CT_SNP_POLICY_DEBUG) != 0;
        migrate = (r->policy & CT_SNP_POLICY_MIGRATE_MA) != 0;
        claim_init(&c, "snp.policy", CT_TC_CONFIGURATION, debug || migrate ? CT_TIER_CONTRAINDICATED : CT_TIER_AFFIRMING,
                   debug || migrate ? 96 : 3, debug || migrate ? 36 : 3);
        snprintf(c.reason, sizeof(c.reason), "policy 0x%llx: debug %s, migration agent %s, ABI %u.%u, SMT %s",
                 (unsigned long long)r->policy, debug ? "ALLOWED" : "not allowed", migrate ? "ALLOWED" : "not allowed",
                 (unsigned)((r->policy >> 8) & 0xff), (unsigned)(r->policy & 0xff),
                 (r->policy & CT_SNP_POLICY_SMT) ? "allowed" : "not allowed");
        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                return rc;
        /* 4. the launch measurement, 5. the init-data binding */
        rc = ct_appraise_snp_measurement(a, r->measurement, 48, vr->ok ? "verified MEASUREMENT" : "MEASUREMENT (signature NOT verified)",
                                         artifacts, no_artifacts_why, space, err);
        if (rc != CT_OK)
                return rc;
        return ct_appraisal_note_init_binding(a, CT_INIT_HOST_DATA, r->host_data, 32,
                                              vr->ok ? "the verified report's" : "the report's (unverified)", err);
}

/* ---- TPM quote ---- */

CT_EXPORT ct_code ct_appraise_tpm_quote(ct_appraisal *a, const ct_checks *checks, bool ok, const char *what,
                                        const char *ak_desc, ct_error *err)
{
        ct_claim c;
        size_t nfail = 0;

        if (!a || !checks)
                return ct_error_set(err, CT_E_ARG, "ct_appraise_tpm_quote: NULL argument");
        /* Trustee's tpm rule: hardware 2 whenever the evidence verifies */
        claim_init(&c, "tpm.quote", CT_TC_HARDWARE, ok ? CT_TIER_AFFIRMING : CT_TIER_CONTRAINDICATED, ok ? 2 : 97,
                   ok ? 2 : 97);
        nfail = explain_failed_checks(&c, checks);
        if (ok)
                snprintf(c.reason, sizeof(c.reason),
                         "%s: quote signed by the AK (%s), PCR digest over the quoted PCRs verified (%zu checks); "
                         "whether the AK belongs to a genuine TPM is for trusted_aks to say", what,
                         ak_desc && ak_desc[0] ? ak_desc : "?", checks->n);
        else
                snprintf(c.reason, sizeof(c.reason), "%s: %zu of %zu quote checks failed", what, nfail, checks->n);
        return ct_appraisal_add(a, &c, err);
}

/* ---- TDX quote ---- */

CT_EXPORT ct_code ct_appraise_tdx_quote(ct_appraisal *a, const ct_tdx_quote *q, const char *what, ct_error *err)
{
        const ct_manifest *m;
        const ct_tdx_report_body *b;
        ct_claim c;
        ct_code rc;
        char h[97];
        static const char *const what_rtmr[] = { "the firmware configuration", "the kernel and its boot loader",
                                                 "the kernel command line and initrd", "the runtime (init-data, AA events)" };

        if (!a || !q)
                return ct_error_set(err, CT_E_ARG, "ct_appraise_tdx_quote: NULL argument");
        m = a->m;
        b = &q->body;
        claim_init(&c, "tdx.signature", CT_TC_HARDWARE, CT_TIER_NONE, 0, CT_TRUSTEE_NO_VALUE);
        snprintf(c.reason, sizeof(c.reason),
                 "%s: v%u quote; its ECDSA signature, QE report and PCK chain are not verified by this build, and "
                 "TCB status / collateral need Intel PCS (offline: not asserted)", what, q->version);
        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                return rc;
        claim_init(&c, "tdx.tcb", CT_TC_HARDWARE, CT_TIER_WARNING, 32, CT_TRUSTEE_NO_VALUE);
        snprintf(c.reason, sizeof(c.reason),
                 "TEE TCB SVN %02x%02x...: whether it is up to date (Trustee: tcb_status == \"UpToDate\", "
                 "collateral_expiration_status == \"0\") cannot be judged offline",
                 b->tee_tcb_svn[0], b->tee_tcb_svn[1]);
        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                return rc;
        if (!m->tdx_computed || m->n_tdx == 0) {
                claim_init(&c, "tdx.mr_td", CT_TC_HARDWARE, CT_TIER_NONE, 0, CT_TRUSTEE_NO_VALUE);
                snprintf(c.reason, sizeof(c.reason), "the manifest has no TDX values (%s)",
                         ct_manifest_find_note(m, "tdx") ? ct_manifest_find_note(m, "tdx")->text : "tdx: null");
                return ct_appraisal_add(a, &c, err);
        }
        /* MRTD (Trustee: hardware), RTMR 1 / 2 (executables), XFAM (configuration): each against every row */
        {
                struct { const char *name; const uint8_t *v; size_t len; ct_trust_claim tc; int ok, bad; int rtmr; } f[] = {
                        { "tdx.mr_td", b->mr_td, 48, CT_TC_HARDWARE, 2, 97, -1 },
                        { "tdx.rtmr_1", b->rtmr[1], 48, CT_TC_EXECUTABLES, 3, 33, 1 },
                        { "tdx.rtmr_2", b->rtmr[2], 48, CT_TC_EXECUTABLES, 3, 33, 2 },
                        { "tdx.xfam", b->xfam, 8, CT_TC_CONFIGURATION, 2, 36, -2 },
                };
                for (size_t k = 0; k < CT_ARRAY_SIZE(f); k++) {
                        size_t hit = SIZE_MAX, have = 0;
                        for (size_t i = 0; i < m->n_tdx && hit == SIZE_MAX; i++) {
                                const ct_manifest_tdx_row *r = &m->tdx[i];
                                const uint8_t *ref = NULL;
                                uint8_t xf[8];
                                if (f[k].rtmr == -1)
                                        ref = r->mrtd;
                                else if (f[k].rtmr >= 0 && r->has_rtmr[f[k].rtmr])
                                        ref = r->rtmr[f[k].rtmr];
                                else if (f[k].rtmr == -2 && r->has_xfam) {
                                        ct_put_le64(xf, r->xfam);
                                        ref = xf;
                                }
                                if (!ref)
                                        continue;
                                have++;
                                if (CRYPTO_memcmp(ref, f[k].v, f[k].len) == 0)
                                        hit = i;
                        }
                        ct_hex_encode(f[k].v, f[k].len, h);
                        if (!have) {
                                claim_init(&c, f[k].name, f[k].tc, CT_TIER_NONE, 0, CT_TRUSTEE_NO_VALUE);
                                snprintf(c.reason, sizeof(c.reason), "%.16s...: the manifest has no value to compare", h);
                        } else if (hit != SIZE_MAX) {
                                const ct_manifest_tdx_row *r = &m->tdx[hit];
                                claim_init(&c, f[k].name, f[k].tc, CT_TIER_AFFIRMING, f[k].ok, f[k].ok);
                                snprintf(c.reason, sizeof(c.reason), "%.16s... = manifest row %zu (%llu MiB, %u vCPUs, %s)",
                                         h, hit, (unsigned long long)r->memory_mib, r->vcpus,
                                         r->variant ? r->variant : "default");
                        } else {
                                claim_init(&c, f[k].name, f[k].tc, CT_TIER_CONTRAINDICATED, 96, f[k].bad);
                                snprintf(c.reason, sizeof(c.reason), "%.16s... is in none of the manifest's %zu row(s)",
                                         h, have);
                                if (f[k].rtmr >= 0)
                                        snprintf(c.explanation, sizeof(c.explanation),
                                                 "RTMR %d measures %s; the TD's CCEL event log names the event that "
                                                 "differs ('cocotrust tdx' replays it)", f[k].rtmr, what_rtmr[f[k].rtmr]);
                                else if (f[k].rtmr == -1)
                                        snprintf(c.explanation, sizeof(c.explanation),
                                                 "MRTD covers the TDVF firmware image and its metadata: another firmware "
                                                 "build (or variant) than the manifest's");
                        }
                        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                                return rc;
                }
        }
        claim_init(&c, "tdx.debug", CT_TC_CONFIGURATION, (q->td_attributes & 1) ? CT_TIER_CONTRAINDICATED : CT_TIER_AFFIRMING,
                   (q->td_attributes & 1) ? 96 : 2, CT_TRUSTEE_NO_VALUE);
        snprintf(c.reason, sizeof(c.reason), "TD attributes 0x%016llx: debug %s", (unsigned long long)q->td_attributes,
                 (q->td_attributes & 1) ? "ON (the host can read the TD's memory)" : "off");
        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                return rc;
        return ct_appraisal_note_init_binding(a, CT_INIT_MRCONFIGID, b->mr_config_id, 48, "the quote's (unverified)", err);
}

/* ---- Azure HCL report ---- */

CT_EXPORT ct_code ct_appraise_hcl_report(ct_appraisal *a, const ct_hcl_report *h, const ct_hcl_verify_result *vr,
                                         bool snp_verified, const char *what, ct_error *err)
{
        ct_claim c;
        ct_code rc;
        size_t nfail = 0;

        if (!a || !h || !vr)
                return ct_error_set(err, CT_E_ARG, "ct_appraise_hcl_report: NULL argument");
        /* HCL checks alone say nothing about the hardware: affirming only with the SNP report's chain */
        claim_init(&c, "hcl.report", CT_TC_HARDWARE,
                   !vr->ok ? CT_TIER_CONTRAINDICATED : snp_verified ? CT_TIER_AFFIRMING : CT_TIER_WARNING,
                   !vr->ok ? 97 : snp_verified ? 2 : 32, CT_TRUSTEE_NO_VALUE);
        nfail = explain_failed_checks(&c, &vr->checks);
        if (vr->ok)
                snprintf(c.reason, sizeof(c.reason),
                         "%s: %s HCL report, runtime claims bound to REPORTDATA, vTPM AK present (%zu checks)%s", what,
                         h->is_snp ? "SNP" : "TDX", vr->checks.n,
                         snp_verified ? "; the embedded SNP report's signature and chain verified"
                                      : "; the embedded hardware report's signature is NOT verified (give --certs)");
        else
                snprintf(c.reason, sizeof(c.reason), "%s: %zu of %zu HCL checks failed", what, nfail, vr->checks.n);
        if ((rc = ct_appraisal_add(a, &c, err)) != CT_OK)
                return rc;
        if (h->is_snp) {
                /* Trustee's az-snp-vtpm rule reads the paravisor's launch digest under "measurement" */
                rc = ct_appraise_snp_measurement(a, h->snp.measurement, 48,
                                                 snp_verified && vr->ok ? "the HCL report's verified MEASUREMENT"
                                                                        : "the HCL report's MEASUREMENT (unverified)",
                                                 NULL, "an Azure CVM's launch digest covers Microsoft's paravisor "
                                                       "(HCL), not this image's artifacts",
                                                 NULL, err);
                if (rc != CT_OK)
                        return rc;
        }
        return CT_OK;
}
