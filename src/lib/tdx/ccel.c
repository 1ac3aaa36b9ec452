/* SPDX-License-Identifier: Apache-2.0 */
/* CC event logs: ACPI CCEL table, RTMR replay, AAEL records, comparison with a quote. See tdx.h. */
#include <string.h>

#include <openssl/crypto.h>

#include <cocotrust/reader.h>
#include <cocotrust/tdx.h>

#include "../internal.h"

typedef unsigned long long ull;

#define TPM_ALG_SHA384 0x000cu

CT_EXPORT bool ct_ccel_is_table(const uint8_t *buf, size_t len)
{
        return len >= 4 && !memcmp(buf, "CCEL", 4);
}

CT_EXPORT ct_code ct_ccel_table_parse(const uint8_t *buf, size_t len, ct_ccel_table *ret, ct_error *err)
{
        ct_ccel_table t;
        ct_reader r;
        uint8_t sig[4], sum = 0;

        memset(&t, 0, sizeof(t));
        ct_reader_init(&r, buf, len, 0);
        ct_reader_bytes(&r, sig, 4, "CCEL signature");
        t.length = ct_reader_u32le(&r, "CCEL length");
        t.revision = ct_reader_u8(&r, "CCEL revision");
        ct_reader_skip(&r, 1, "CCEL checksum");
        ct_reader_bytes(&r, t.oem_id, 6, "CCEL OEM id");
        ct_reader_bytes(&r, t.oem_table_id, 8, "CCEL OEM table id");
        ct_reader_skip(&r, 4 + 4 + 4, "CCEL OEM revision, creator id, creator revision");
        t.cc_type = ct_reader_u8(&r, "CCEL CC type");
        t.cc_subtype = ct_reader_u8(&r, "CCEL CC subtype");
        ct_reader_skip(&r, 2, "CCEL reserved");
        t.laml = ct_reader_u64le(&r, "CCEL LAML");
        t.lasa = ct_reader_u64le(&r, "CCEL LASA");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        if (memcmp(sig, "CCEL", 4))
                return ct_error_set_at(err, CT_E_MALFORMED, 0, "ACPI table at offset 0x0: signature is not \"CCEL\"");
        if (t.length < CT_CCEL_TABLE_SIZE)
                return ct_error_set_at(err, CT_E_MALFORMED, 4,
                                       "CCEL length %u at offset 0x4 is below the %u bytes of the table", t.length,
                                       CT_CCEL_TABLE_SIZE);
        if (t.length > len)
                return ct_error_set_at(err, CT_E_TRUNCATED, 4,
                                       "CCEL length %u at offset 0x4 exceeds the %zu bytes of the file", t.length,
                                       len);
        if (t.laml > CT_TCG_MAX_LOG_SIZE)
                return ct_error_set_at(err, CT_E_LIMIT, 40,
                                       "CCEL LAML 0x%llx at offset 0x28 exceeds the log size limit of %u bytes",
                                       (ull)t.laml, CT_TCG_MAX_LOG_SIZE);
        for (uint32_t i = 0; i < t.length; i++)
                sum = (uint8_t)(sum + buf[i]);
        t.checksum_ok = sum == 0;
        *ret = t;
        return CT_OK;
}

CT_EXPORT int ct_ccel_rtmr_of(uint32_t mr_index)
{
        return mr_index >= 1 && mr_index <= 4 ? (int)mr_index - 1 : -1;
}

struct detect {
        bool ok;
        unsigned seen;
};

static ct_code detect_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct detect *d = userdata;

        (void)err;
        if (ev->num == 0) {
                d->ok = info->has_specid && info->specid.n_algs == 1 && info->specid.algs[0].id == TPM_ALG_SHA384;
                return d->ok ? CT_OK : CT_E_MISMATCH;
        }
        if (ev->pcr > 4) {
                d->ok = false;
                return CT_E_MISMATCH;
        }
        return ++d->seen >= 64 ? CT_E_MISMATCH : CT_OK; /* enough evidence */
}

CT_EXPORT bool ct_ccel_is_cc_log(const uint8_t *buf, size_t len)
{
        struct detect d = { false, 0 };

        (void)ct_tcg_walk(buf, len, 0, detect_cb, &d, NULL, NULL);
        return d.ok;
}

CT_EXPORT bool ct_ccel_digest_matches_event(const ct_tcg_event *ev)
{
        const ct_tcg_digest *d = ct_tcg_event_digest(ev, CT_HASH_SHA384);
        ct_digest h;

        if (!d || d->size != 48)
                return false;
        if (ct_hash_buf(CT_HASH_SHA384, ev->data_size ? ev->data : (const uint8_t *)"", ev->data_size, &h, NULL))
                return false;
        return CRYPTO_memcmp(h.bytes, d->bytes, 48) == 0;
}

CT_EXPORT ct_code ct_ccel_decode_aael(const ct_tcg_event *ev, ct_ccel_aael *ret, ct_error *err)
{
        ct_tcg_tagged tg;
        ct_ccel_aael a;
        ct_code rc;
        const char *sp1, *sp2;

        if (ev->type != CT_EV_EVENT_TAG)
                return ct_error_set(err, CT_E_UNSUPPORTED, "not an EV_EVENT_TAG record");
        rc = ct_tcg_decode_tagged(ev->data, ev->data_size, ev->offset, &tg, err);
        if (rc)
                return rc;
        if (tg.id != CT_CCEL_AAEL_TAG)
                return ct_error_set(err, CT_E_UNSUPPORTED, "tagged event id 0x%x is not AAEL", tg.id);
        memset(&a, 0, sizeof(a));
        a.text = (const char *)tg.data;
        a.text_len = tg.size;
        sp1 = memchr(a.text, ' ', a.text_len);
        sp2 = sp1 ? memchr(sp1 + 1, ' ', a.text_len - (size_t)(sp1 + 1 - a.text)) : NULL;
        if (!sp1 || !sp2)
                return ct_error_set_at(err, CT_E_MALFORMED, ev->offset,
                                       "AAEL record at offset 0x%llx: text is not \"domain operation content\"",
                                       (ull)ev->offset);
        a.domain = a.text;
        a.domain_len = (size_t)(sp1 - a.text);
        a.operation = sp1 + 1;
        a.operation_len = (size_t)(sp2 - sp1 - 1);
        a.content = sp2 + 1;
        a.content_len = a.text_len - (size_t)(sp2 + 1 - a.text);
        *ret = a;
        return CT_OK;
}

/* ---- replay and check ---- */

struct walk {
        ct_ccel_replay *r;
        /* check mode */
        const uint8_t (*expected)[48];
        const ct_ccel_reference *ref;
        ct_ccel_check *c;
};

static bool must_match_data(const ct_tcg_event *ev)
{
        ct_tcg_tagged tg;

        if (ev->type == CT_EV_SEPARATOR || ev->type == CT_EV_EFI_ACTION)
                return true;
        return ev->type == CT_EV_EVENT_TAG && ct_tcg_decode_tagged(ev->data, ev->data_size, ev->offset, &tg, NULL) ==
                                                      CT_OK &&
               tg.id == CT_CCEL_AAEL_TAG;
}

static void name_first(ct_ccel_rtmr_check *k, const ct_tcg_event *ev, int index, const char *why)
{
        if (k->has_first)
                return;
        k->has_first = true;
        k->first_num = ev->num;
        k->first_offset = ev->offset;
        k->first_type = ev->type;
        k->first_index = index;
        k->why = why;
}

static ct_code replay_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct walk *w = userdata;
        ct_ccel_replay *r = w->r;
        const ct_tcg_digest *d;
        ct_digest m;
        int rt;
        ct_code rc;

        (void)info;
        if (ev->num == 0)
                return CT_OK;
        r->n_events++;
        if (ev->type == CT_EV_EVENT_TAG) {
                ct_tcg_tagged tg;

                if (ct_tcg_decode_tagged(ev->data, ev->data_size, ev->offset, &tg, NULL) == CT_OK &&
                    tg.id == CT_CCEL_AAEL_TAG)
                        r->n_aael++;
        }
        if (!ct_ccel_digest_matches_event(ev))
                r->n_digest_mismatch_data++;
        if (ev->type == CT_EV_NO_ACTION || ev->pcr == 0) {
                r->n_not_extended++;
                return CT_OK;
        }
        rt = ct_ccel_rtmr_of(ev->pcr);
        if (rt < 0)
                return ct_error_set_at(err, CT_E_MALFORMED, ev->offset,
                                       "record %u at offset 0x%llx: MR index %u is not 0-4", ev->num,
                                       (ull)ev->offset, ev->pcr);
        d = ct_tcg_event_digest(ev, CT_HASH_SHA384);
        if (!d || d->size != 48)
                return ct_error_set_at(err, CT_E_MALFORMED, ev->offset,
                                       "record %u at offset 0x%llx: no SHA-384 digest", ev->num, (ull)ev->offset);
        ct_digest_from_bytes(&m, CT_HASH_SHA384, d->bytes, 48);
        if (w->c) {
                ct_ccel_rtmr_check *k = &w->c->rtmr[rt];
                int idx = (int)r->n_extends[rt];

                if (w->ref && w->ref->digests[rt]) {
                        if ((size_t)idx >= w->ref->n[rt])
                                name_first(k, ev, idx, "the log has more events than the reference");
                        else if (!ct_digest_equal(&w->ref->digests[rt][idx], &m))
                                name_first(k, ev, idx, "first event whose digest differs from the reference");
                }
                if (must_match_data(ev) && !ct_ccel_digest_matches_event(ev))
                        name_first(k, ev, idx, "first event whose digest does not match its data");
        }
        rc = ct_pcr_extend(&r->rtmr[rt], &m, err);
        if (rc)
                return rc;
        r->n_extends[rt]++;
        if (w->c && memcmp(r->rtmr[rt].bytes, w->expected[rt], 48) == 0)
                w->c->rtmr[rt].prefix_events = (int)r->n_extends[rt];
        return CT_OK;
}

static ct_code replay(const uint8_t *buf, size_t len, unsigned flags, struct walk *w, ct_error *err)
{
        ct_ccel_replay *r = w->r;
        ct_code rc;

        memset(r, 0, sizeof(*r));
        for (int i = 0; i < 4; i++)
                ct_digest_zero(&r->rtmr[i], CT_HASH_SHA384);
        rc = ct_tcg_walk(buf, len, flags, replay_cb, w, &r->info, err);
        if (rc)
                return rc;
        if (!r->info.has_specid)
                return ct_error_set_at(err, CT_E_MALFORMED, 0,
                                       "not a CC event log: the first record at offset 0x0 is no Spec ID event");
        return CT_OK;
}

CT_EXPORT ct_code ct_ccel_replay_log(const uint8_t *buf, size_t len, unsigned flags, ct_ccel_replay *ret,
                                     ct_error *err)
{
        ct_ccel_replay *r = malloc(sizeof(*r));
        struct walk w = { r, NULL, NULL, NULL };
        ct_code rc;

        if (!r)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        rc = replay(buf, len, flags, &w, err);
        if (!rc)
                *ret = *r;
        free(r);
        return rc;
}

/* Second pass for a mismatching RTMR whose expected value is a prefix: name the first extend after it. */
struct after {
        int rtmr;
        int want;
        int seen;
        ct_ccel_rtmr_check *k;
};

static ct_code after_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct after *a = userdata;

        (void)info;
        (void)err;
        if (ev->num == 0 || ev->type == CT_EV_NO_ACTION || ct_ccel_rtmr_of(ev->pcr) != a->rtmr)
                return CT_OK;
        if (a->seen++ == a->want) {
                name_first(a->k, ev, a->want, "the quoted value is the replay of the events before this one: "
                                              "the log goes on after the quote (or this event was not extended)");
                return CT_E_MISMATCH; /* stop */
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_ccel_check_rtmrs(const uint8_t *buf, size_t len, unsigned flags, const uint8_t expected[4][48],
                                      const ct_ccel_reference *ref, ct_ccel_check *ret, ct_error *err)
{
        ct_ccel_check *c = calloc(1, sizeof(*c));
        struct walk w = { NULL, expected, ref, c };
        ct_code rc;

        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        w.r = &c->replay;
        for (int i = 0; i < 4; i++)
                c->rtmr[i].prefix_events = memcmp(expected[i], (uint8_t[48]){ 0 }, 48) == 0 ? 0 : -1;
        rc = replay(buf, len, flags, &w, err);
        if (rc)
                goto out;
        c->ok = true;
        for (int i = 0; i < 4; i++) {
                ct_ccel_rtmr_check *k = &c->rtmr[i];

                k->replayed = c->replay.rtmr[i];
                ct_digest_from_bytes(&k->expected, CT_HASH_SHA384, expected[i], 48);
                k->n_events = c->replay.n_extends[i];
                k->match = ct_digest_equal(&k->replayed, &k->expected);
                if (k->match) {
                        k->has_first = false;
                        continue;
                }
                c->ok = false;
                if (!k->has_first && k->prefix_events >= 0 && (uint32_t)k->prefix_events < k->n_events) {
                        struct after a = { i, k->prefix_events, 0, k };

                        (void)ct_tcg_walk(buf, len, flags, after_cb, &a, NULL, NULL);
                }
                if (!k->has_first)
                        k->why = k->n_events ? "no prefix of this RTMR's events replays to the expected value and "
                                               "no event is inconsistent with its data: give a reference to name "
                                               "the event"
                                             : "the log has no event for this RTMR";
        }
        *ret = *c;
        rc = c->ok ? CT_OK : ct_error_set(err, CT_E_MISMATCH, "replayed RTMRs differ from the expected values");
out:
        free(c);
        return rc;
}

/* ---- Trustee's tdvfkernel / tdvfkernelparams ---- */

/* True when the device path has a media file-path node (type 4, subtype 4) naming exactly `name`. */
static bool devpath_has_file(const uint8_t *dp, size_t len, const char *name)
{
        size_t nl = strlen(name);
        ct_reader r;

        ct_reader_init(&r, dp, len, 0);
        while (ct_reader_remaining(&r) >= 4) {
                uint8_t type = ct_reader_u8(&r, "node type"), sub = ct_reader_u8(&r, "node subtype");
                uint16_t l = ct_reader_u16le(&r, "node length");
                const uint8_t *body;

                if (l < 4 || type == 0x7f)
                        break;
                body = ct_reader_ptr(&r, (size_t)l - 4, "node data");
                if (!body)
                        break;
                if (type == 4 && sub == 4) {
                        size_t units = ((size_t)l - 4) / 2, i;

                        while (units && ct_get_le16(body + 2 * (units - 1)) == 0)
                                units--;
                        if (units != nl)
                                continue;
                        for (i = 0; i < nl && ct_get_le16(body + 2 * i) == (uint8_t)name[i]; i++)
                                ;
                        if (i == nl)
                                return true;
                }
        }
        return false;
}

static ct_code trustee_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        ct_ccel_trustee *t = userdata;
        const ct_tcg_digest *d = ct_tcg_event_digest(ev, CT_HASH_SHA384);

        (void)info;
        (void)err;
        if (ev->num == 0 || !d || d->size != 48)
                return CT_OK;
        if (ev->type == CT_EV_EFI_BOOT_SERVICES_APPLICATION) {
                ct_tcg_image_load il;

                if (ct_tcg_decode_image_load(ev->data, ev->data_size, ev->offset, &il, NULL) == CT_OK) {
                        if (devpath_has_file(il.devpath, (size_t)il.devpath_size, "kernel")) {
                                t->has_kernel = true;
                                t->kernel_num = ev->num;
                                ct_digest_from_bytes(&t->kernel, CT_HASH_SHA384, d->bytes, 48);
                        }
                }
        } else if (ev->type == CT_EV_EVENT_TAG) {
                ct_tcg_tagged tg;
                static const char name[] = "LOADED_IMAGE::LoadOptions";

                if (ct_tcg_decode_tagged(ev->data, ev->data_size, ev->offset, &tg, NULL) == CT_OK &&
                    tg.size >= sizeof(name) - 1 && !memcmp(tg.data, name, sizeof(name) - 1)) {
                        t->has_kernel_params = true;
                        t->kernel_params_num = ev->num;
                        ct_digest_from_bytes(&t->kernel_params, CT_HASH_SHA384, d->bytes, 48);
                }
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_ccel_trustee_digests(const uint8_t *buf, size_t len, unsigned flags, ct_ccel_trustee *ret,
                                          ct_error *err)
{
        ct_ccel_trustee t;
        ct_code rc;

        memset(&t, 0, sizeof(t));
        rc = ct_tcg_walk(buf, len, flags, trustee_cb, &t, NULL, err);
        if (rc)
                return rc;
        *ret = t;
        return CT_OK;
}
