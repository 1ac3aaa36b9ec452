/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCG event log record layer: the header record (Spec ID event), the
 * TCG_PCR_EVENT / TCG_PCR_EVENT2 records, and the walker. No PCR semantics
 * here (see replay.c), so CCEL logs can use it too.
 */
#include <string.h>

#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>

#include "../internal.h"

#define SHA1_HEADER_SIZE 32u  /* TCG_PCR_EVENT without its event data */
#define EVENT2_HEADER_SIZE 12u /* PCRIndex, EventType, DigestCount */

static const char specid_sig[16] = "Spec ID Event03";

static const struct {
        uint16_t id;
        const char *name;
} alg_names[] = {
        { 0x0004, "sha1" },     { 0x000b, "sha256" },   { 0x000c, "sha384" },   { 0x000d, "sha512" },
        { 0x0012, "sm3_256" },  { 0x0027, "sha3_256" }, { 0x0028, "sha3_384" }, { 0x0029, "sha3_512" },
};

CT_EXPORT const char *ct_tcg_alg_name(uint16_t alg_id)
{
        for (size_t i = 0; i < CT_ARRAY_SIZE(alg_names); i++)
                if (alg_names[i].id == alg_id)
                        return alg_names[i].name;
        return NULL;
}

static const struct {
        uint32_t type;
        const char *name;
} type_names[] = {
        { 0x0, "EV_PREBOOT_CERT" },
        { 0x1, "EV_POST_CODE" },
        { 0x2, "EV_UNUSED" },
        { 0x3, "EV_NO_ACTION" },
        { 0x4, "EV_SEPARATOR" },
        { 0x5, "EV_ACTION" },
        { 0x6, "EV_EVENT_TAG" },
        { 0x7, "EV_S_CRTM_CONTENTS" },
        { 0x8, "EV_S_CRTM_VERSION" },
        { 0x9, "EV_CPU_MICROCODE" },
        { 0xA, "EV_PLATFORM_CONFIG_FLAGS" },
        { 0xB, "EV_TABLE_OF_DEVICES" },
        { 0xC, "EV_COMPACT_HASH" },
        { 0xD, "EV_IPL" },
        { 0xE, "EV_IPL_PARTITION_DATA" },
        { 0xF, "EV_NONHOST_CODE" },
        { 0x10, "EV_NONHOST_CONFIG" },
        { 0x11, "EV_NONHOST_INFO" },
        { 0x12, "EV_OMIT_BOOT_DEVICE_EVENTS" },
        { 0x13, "EV_POST_CODE2" },
        { 0x80000000, "EV_EFI_EVENT_BASE" },
        { 0x80000001, "EV_EFI_VARIABLE_DRIVER_CONFIG" },
        { 0x80000002, "EV_EFI_VARIABLE_BOOT" },
        { 0x80000003, "EV_EFI_BOOT_SERVICES_APPLICATION" },
        { 0x80000004, "EV_EFI_BOOT_SERVICES_DRIVER" },
        { 0x80000005, "EV_EFI_RUNTIME_SERVICES_DRIVER" },
        { 0x80000006, "EV_EFI_GPT_EVENT" },
        { 0x80000007, "EV_EFI_ACTION" },
        { 0x80000008, "EV_EFI_PLATFORM_FIRMWARE_BLOB" },
        { 0x80000009, "EV_EFI_HANDOFF_TABLES" },
        { 0x8000000A, "EV_EFI_PLATFORM_FIRMWARE_BLOB2" },
        { 0x8000000B, "EV_EFI_HANDOFF_TABLES2" },
        { 0x8000000C, "EV_EFI_VARIABLE_BOOT2" },
        { 0x8000000D, "EV_EFI_GPT_EVENT2" },
        { 0x80000010, "EV_EFI_HCRTM_EVENT" },
        { 0x800000E0, "EV_EFI_VARIABLE_AUTHORITY" },
        { 0x800000E1, "EV_EFI_SPDM_FIRMWARE_BLOB" },
        { 0x800000E2, "EV_EFI_SPDM_FIRMWARE_CONFIG" },
        { 0x800000E3, "EV_EFI_SPDM_DEVICE_POLICY" },
        { 0x800000E4, "EV_EFI_SPDM_DEVICE_AUTHORITY" },
};

CT_EXPORT const char *ct_tcg_event_type_name(uint32_t type)
{
        for (size_t i = 0; i < CT_ARRAY_SIZE(type_names); i++)
                if (type_names[i].type == type)
                        return type_names[i].name;
        return NULL;
}

CT_EXPORT const ct_tcg_digest *ct_tcg_event_digest(const ct_tcg_event *ev, ct_hash_alg alg)
{
        for (unsigned i = 0; i < ev->n_digests; i++)
                if (ev->digests[i].alg == alg)
                        return &ev->digests[i];
        return NULL;
}

/* TCG_EfiSpecIdEvent in the event data of the first record. */
static ct_code parse_specid(const uint8_t *data, size_t len, uint64_t base, ct_tcg_specid *ret, ct_error *err)
{
        ct_tcg_specid s;
        ct_reader r;

        memset(&s, 0, sizeof(s));
        ct_reader_init(&r, data, len, base);
        ct_reader_bytes(&r, s.signature, sizeof(s.signature), "SpecID.signature");
        s.platform_class = ct_reader_u32le(&r, "SpecID.platformClass");
        s.spec_version_minor = ct_reader_u8(&r, "SpecID.specVersionMinor");
        s.spec_version_major = ct_reader_u8(&r, "SpecID.specVersionMajor");
        s.spec_errata = ct_reader_u8(&r, "SpecID.specErrata");
        s.uintn_size = ct_reader_u8(&r, "SpecID.uintnSize");
        s.n_algs = ct_reader_u32le(&r, "SpecID.numberOfAlgorithms");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        if (s.n_algs == 0)
                return ct_error_set_at(err, CT_E_MALFORMED, ct_reader_abs(&r) - 4,
                                       "Spec ID event: numberOfAlgorithms is 0 at offset 0x%llx",
                                       (unsigned long long)(ct_reader_abs(&r) - 4));
        if (s.n_algs > CT_TCG_MAX_ALGS)
                return ct_error_set_at(err, CT_E_LIMIT, ct_reader_abs(&r) - 4,
                                       "Spec ID event: numberOfAlgorithms %u at offset 0x%llx exceeds the limit %u",
                                       s.n_algs, (unsigned long long)(ct_reader_abs(&r) - 4), CT_TCG_MAX_ALGS);
        for (uint32_t i = 0; i < s.n_algs; i++) {
                uint64_t at = ct_reader_abs(&r);
                ct_tcg_alg *a = &s.algs[i];

                a->id = ct_reader_u16le(&r, "SpecID.algorithmId");
                a->size = ct_reader_u16le(&r, "SpecID.digestSize");
                if (!ct_reader_ok(&r))
                        return ct_reader_error(&r, err);
                if (a->size == 0 || a->size > CT_TCG_MAX_DIGEST_SIZE)
                        return ct_error_set_at(err, CT_E_MALFORMED, at,
                                               "Spec ID event: digestSize %u of algorithm 0x%04x at offset 0x%llx "
                                               "out of range",
                                               a->size, a->id, (unsigned long long)at);
                a->alg = ct_hash_from_tcg_id(a->id);
                if (a->alg != CT_HASH_NONE && a->size != ct_hash_size(a->alg))
                        return ct_error_set_at(err, CT_E_MALFORMED, at,
                                               "Spec ID event: digestSize %u for %s at offset 0x%llx, expected %zu",
                                               a->size, ct_hash_name(a->alg), (unsigned long long)at,
                                               ct_hash_size(a->alg));
                for (uint32_t j = 0; j < i; j++)
                        if (s.algs[j].id == a->id)
                                return ct_error_set_at(err, CT_E_MALFORMED, at,
                                                       "Spec ID event: algorithm 0x%04x listed twice (offset 0x%llx)",
                                                       a->id, (unsigned long long)at);
        }
        s.vendor_info_size = ct_reader_u8(&r, "SpecID.vendorInfoSize");
        s.vendor_info = ct_reader_ptr(&r, s.vendor_info_size, "SpecID.vendorInfo");
        if (!ct_reader_ok(&r)) {
                ct_reader_error(&r, err);
                ct_error_prefix(err, "Spec ID event does not hold its vendorInfo (EventSize too small)");
                return err ? err->code : CT_E_TRUNCATED;
        }
        *ret = s;
        return CT_OK;
}

/* True when buf[pos..len) is all 00 or all FF (the unused part of a firmware log area). */
static bool only_padding(const uint8_t *buf, size_t pos, size_t len)
{
        uint8_t v = buf[pos];

        if (v != 0x00 && v != 0xff)
                return false;
        for (size_t i = pos; i < len; i++)
                if (buf[i] != v)
                        return false;
        return true;
}

/* The Event bytes of a record whose EventSize is read and checked; pos0 is where the record began. */
static ct_code read_event_data(ct_reader *r, ct_tcg_event *ev, size_t pos0)
{
        ev->data = ct_reader_ptr(r, ev->data_size, "Event");
        if (!ct_reader_ok(r))
                return CT_E_TRUNCATED;
        ev->size = ct_reader_pos(r) - pos0;
        ev->is_header = false;
        return CT_OK;
}

/*
 * Read one TCG_PCR_EVENT2 at r's position. Returns CT_OK with the record in
 * *ev, CT_E_TRUNCATED (reader error, *ret_need = bytes the record needs, or 0
 * if unknown) when the log ends inside it, or another error with err set.
 */
static ct_code read_event2(ct_reader *r, const ct_tcg_info *info, ct_tcg_event *ev, uint64_t *ret_need, ct_error *err)
{
        uint64_t start = ct_reader_abs(r);
        size_t pos0 = ct_reader_pos(r);
        uint32_t count;
        uint64_t need = EVENT2_HEADER_SIZE;

        *ret_need = 0;
        ev->offset = start;
        ev->pcr = ct_reader_u32le(r, "PCRIndex");
        ev->type = ct_reader_u32le(r, "EventType");
        count = ct_reader_u32le(r, "DigestCount");
        if (!ct_reader_ok(r))
                return CT_E_TRUNCATED;
        if (count > info->specid.n_algs || count > CT_TCG_MAX_DIGESTS)
                return ct_error_set_at(err, CT_E_MALFORMED, start + 8,
                                       "record at offset 0x%llx: DigestCount %u exceeds the %u algorithms of the "
                                       "Spec ID event",
                                       (unsigned long long)start, count, info->specid.n_algs);
        ev->n_digests = count;
        for (uint32_t i = 0; i < count; i++) {
                uint64_t at = ct_reader_abs(r);
                uint16_t id = ct_reader_u16le(r, "AlgorithmId");
                const ct_tcg_alg *a = NULL;

                if (!ct_reader_ok(r))
                        return CT_E_TRUNCATED;
                for (uint32_t j = 0; j < info->specid.n_algs; j++)
                        if (info->specid.algs[j].id == id)
                                a = &info->specid.algs[j];
                if (!a)
                        return ct_error_set_at(err, CT_E_MALFORMED, at,
                                               "record at offset 0x%llx: digest algorithm 0x%04x is not in the "
                                               "Spec ID event",
                                               (unsigned long long)start, id);
                for (uint32_t j = 0; j < i; j++)
                        if (ev->digests[j].alg_id == id)
                                return ct_error_set_at(err, CT_E_MALFORMED, at,
                                                       "record at offset 0x%llx: digest algorithm 0x%04x twice",
                                                       (unsigned long long)start, id);
                ev->digests[i].alg_id = id;
                ev->digests[i].alg = a->alg;
                ev->digests[i].size = a->size;
                ev->digests[i].bytes = ct_reader_ptr(r, a->size, "Digest");
                need += 2u + a->size;
                if (!ct_reader_ok(r))
                        return CT_E_TRUNCATED;
        }
        ev->data_size = ct_reader_u32le(r, "EventSize");
        if (!ct_reader_ok(r))
                return CT_E_TRUNCATED;
        if (ev->data_size > CT_TCG_MAX_EVENT_SIZE)
                return ct_error_set_at(err, CT_E_LIMIT, ct_reader_abs(r) - 4,
                                       "record at offset 0x%llx: EventSize %u exceeds the limit %u",
                                       (unsigned long long)start, ev->data_size, CT_TCG_MAX_EVENT_SIZE);
        need += 4u + ev->data_size;
        *ret_need = need;
        return read_event_data(r, ev, pos0);
}

/* One TCG_PCR_EVENT (SHA1 format) at r's position; same contract as read_event2. */
static ct_code read_event1(ct_reader *r, ct_tcg_event *ev, uint64_t *ret_need, ct_error *err)
{
        uint64_t start = ct_reader_abs(r);
        size_t pos0 = ct_reader_pos(r);

        *ret_need = 0;
        ev->offset = start;
        ev->pcr = ct_reader_u32le(r, "PCRIndex");
        ev->type = ct_reader_u32le(r, "EventType");
        ev->n_digests = 1;
        ev->digests[0].alg_id = 0x0004;
        ev->digests[0].alg = CT_HASH_SHA1;
        ev->digests[0].size = 20;
        ev->digests[0].bytes = ct_reader_ptr(r, 20, "Digest");
        ev->data_size = ct_reader_u32le(r, "EventSize");
        if (!ct_reader_ok(r))
                return CT_E_TRUNCATED;
        if (ev->data_size > CT_TCG_MAX_EVENT_SIZE)
                return ct_error_set_at(err, CT_E_LIMIT, start + 28,
                                       "record at offset 0x%llx: EventSize %u exceeds the limit %u",
                                       (unsigned long long)start, ev->data_size, CT_TCG_MAX_EVENT_SIZE);
        *ret_need = SHA1_HEADER_SIZE + (uint64_t)ev->data_size;
        return read_event_data(r, ev, pos0);
}

CT_EXPORT ct_code ct_tcg_walk(const uint8_t *buf, size_t len, unsigned flags, ct_tcg_event_fn fn, void *userdata,
                              ct_tcg_info *ret_info, ct_error *err)
{
        ct_tcg_info info;
        ct_tcg_event ev;
        ct_reader r;
        ct_code rc;
        uint64_t need;

        if (!buf && len)
                return ct_error_set(err, CT_E_ARG, "no log buffer");
        if (len > CT_TCG_MAX_LOG_SIZE)
                return ct_error_set(err, CT_E_LIMIT, "log of %zu bytes exceeds the limit of %u bytes", len,
                                    CT_TCG_MAX_LOG_SIZE);
        if (len == 0)
                return ct_error_set_at(err, CT_E_TRUNCATED, 0, "empty event log");
        memset(&info, 0, sizeof(info));
        memset(&ev, 0, sizeof(ev));
        ct_reader_init(&r, buf, len, 0);

        /* The first record is always a TCG_PCR_EVENT; its PCRIndex is a PCR (0..23): else this is no log. */
        if (len >= 4) {
                uint32_t pcr0 = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                                (uint32_t)buf[3] << 24;
                if (pcr0 > 23)
                        return ct_error_set_at(err, CT_E_MALFORMED, 0,
                                               "not a TCG event log: the first record's PCRIndex is 0x%08x, not "
                                               "a PCR from 0 to 23",
                                               pcr0);
        }
        rc = read_event1(&r, &ev, &need, err);
        if (rc == CT_E_TRUNCATED) {
                ct_reader_error(&r, err);
                ct_error_prefix(err, "first record (log header) is truncated");
                return CT_E_TRUNCATED;
        }
        if (rc != CT_OK)
                return rc;
        ev.num = 0;
        if (ev.type == CT_EV_NO_ACTION && ev.data_size >= sizeof(specid_sig) &&
            memcmp(ev.data, specid_sig, sizeof(specid_sig)) == 0) {
                rc = parse_specid(ev.data, ev.data_size, SHA1_HEADER_SIZE, &info.specid, err);
                if (rc != CT_OK)
                        return rc;
                info.format = CT_TCG_FORMAT_CRYPTO_AGILE;
                info.has_specid = true;
                ev.is_header = true;
        } else {
                info.format = CT_TCG_FORMAT_SHA1;
        }
        info.n_records = 1;
        if (fn) {
                rc = fn(&ev, &info, userdata, err);
                if (rc != CT_OK)
                        goto out;
        }

        for (uint32_t num = 1; ct_reader_remaining(&r) > 0; num++) {
                size_t pos = ct_reader_pos(&r);

                if (only_padding(buf, pos, len)) {
                        info.padding_offset = pos;
                        info.padding_size = len - pos;
                        break;
                }
                memset(&ev, 0, sizeof(ev));
                if (info.format == CT_TCG_FORMAT_CRYPTO_AGILE)
                        rc = read_event2(&r, &info, &ev, &need, err);
                else
                        rc = read_event1(&r, &ev, &need, err);
                if (rc == CT_E_TRUNCATED) {
                        if (flags & CT_TCG_STRICT) {
                                if (need)
                                        ct_error_set_at(err, CT_E_TRUNCATED, pos,
                                                        "record %u at offset 0x%zx needs %llu bytes, only %zu "
                                                        "remain in the log",
                                                        num, pos, (unsigned long long)need, len - pos);
                                else
                                        ct_error_set_at(err, CT_E_TRUNCATED, pos,
                                                        "record %u at offset 0x%zx: header truncated (%zu bytes "
                                                        "remain)",
                                                        num, pos, len - pos);
                                rc = CT_E_TRUNCATED;
                                goto out;
                        }
                        info.truncated = true;
                        info.truncated_offset = pos;
                        info.truncated_need = need;
                        if (need) { /* EventSize was read: the digests before it are complete */
                                info.truncated_has_digests = true;
                                ev.num = num;
                                ev.data = NULL;
                                ev.size = need;
                                info.truncated_event = ev;
                        }
                        rc = CT_OK;
                        break;
                }
                if (rc != CT_OK)
                        goto out;
                ev.num = num;
                info.n_records++;
                if (fn) {
                        rc = fn(&ev, &info, userdata, err);
                        if (rc != CT_OK)
                                goto out;
                }
        }
        rc = CT_OK;
out:
        if (ret_info)
                *ret_info = info;
        return rc;
}
