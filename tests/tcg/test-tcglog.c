/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCG log record layer and replay: malformed logs (every length field one
 * byte short and at its maximum), truncation at every offset of a real log,
 * padding, unknown algorithms, H-CRTM, decoders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include <cocotrust/fileio.h>
#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>

/* ---- a tiny log builder ---- */

struct lb {
        uint8_t buf[4096];
        size_t len;
};

static void put(struct lb *b, const void *p, size_t n)
{
        assert_true(b->len + n <= sizeof(b->buf));
        memcpy(b->buf + b->len, p, n);
        b->len += n;
}

static void put32(struct lb *b, uint32_t v)
{
        uint8_t t[4];
        ct_put_le32(t, v);
        put(b, t, 4);
}

static void put16(struct lb *b, uint16_t v)
{
        uint8_t t[2];
        ct_put_le16(t, v);
        put(b, t, 2);
}

/* Spec ID header with algorithms {id,size}[n] and vendorInfo of vlen bytes; esize_adj added to EventSize. */
static void header(struct lb *b, const uint16_t (*algs)[2], uint32_t n, uint8_t vlen, int esize_adj)
{
        static const uint8_t zero[20];
        uint32_t esize = 16 + 4 + 4 + 4 + 4 * n + 1 + vlen;

        b->len = 0;
        put32(b, 0);
        put32(b, CT_EV_NO_ACTION);
        put(b, zero, 20);
        put32(b, (uint32_t)((int)esize + esize_adj));
        put(b, "Spec ID Event03", 16);
        put32(b, 0);
        put(b, "\x00\x02\x00\x02", 4);
        put32(b, n);
        for (uint32_t i = 0; i < n; i++) {
                put16(b, algs[i][0]);
                put16(b, algs[i][1]);
        }
        put(b, &vlen, 1);
        for (uint8_t i = 0; i < vlen; i++)
                put(b, "v", 1);
}

static const uint16_t sha1_sha256[2][2] = { { 0x0004, 20 }, { 0x000b, 32 } };

/* A TCG_PCR_EVENT2 with both digests filled with byte `fill`, and data. */
static void event2(struct lb *b, uint32_t pcr, uint32_t type, uint8_t fill, const char *data)
{
        uint8_t d[32];

        memset(d, fill, sizeof(d));
        put32(b, pcr);
        put32(b, type);
        put32(b, 2);
        put16(b, 0x0004);
        put(b, d, 20);
        put16(b, 0x000b);
        put(b, d, 32);
        put32(b, (uint32_t)strlen(data));
        put(b, data, strlen(data));
}

static ct_code walk(const struct lb *b, unsigned flags, ct_tcg_info *info, ct_error *err)
{
        return ct_tcg_walk(b->buf, b->len, flags, NULL, NULL, info, err);
}

/* ---- malformed headers ---- */

static void test_header_truncated(void **state)
{
        struct lb b;
        ct_error err;
        ct_tcg_info info;

        (void)state;
        header(&b, sha1_sha256, 2, 0, 0);
        assert_int_equal(ct_tcg_walk(b.buf, 0, 0, NULL, NULL, &info, &err), CT_E_TRUNCATED);
        /* every prefix of the header record fails as a truncated header */
        for (size_t n = 1; n < b.len; n++) {
                ct_error_clear(&err);
                assert_int_equal(ct_tcg_walk(b.buf, n, 0, NULL, NULL, &info, &err), CT_E_TRUNCATED);
                assert_true(err.has_offset);
                assert_non_null(strstr(err.msg, "first record"));
        }
        ct_error_clear(&err);
        assert_int_equal(walk(&b, 0, &info, &err), CT_OK);
        assert_int_equal(info.format, CT_TCG_FORMAT_CRYPTO_AGILE);
        assert_int_equal(info.specid.n_algs, 2);
        assert_int_equal(info.n_records, 1);
}

static void test_specid_malformed(void **state)
{
        static const uint16_t bad_size[1][2] = { { 0x000b, 31 } };
        static const uint16_t zero_size[1][2] = { { 0x0027, 0 } };
        static const uint16_t dup[2][2] = { { 0x000b, 32 }, { 0x000b, 32 } };
        uint16_t many[17][2];
        struct lb b;
        ct_error err;
        ct_tcg_info info;

        (void)state;
        header(&b, sha1_sha256, 0, 0, 0);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "numberOfAlgorithms is 0"));
        assert_int_equal(err.offset, 32 + 24);

        for (int i = 0; i < 17; i++) {
                many[i][0] = (uint16_t)(0x100 + i);
                many[i][1] = 32;
        }
        header(&b, (const uint16_t(*)[2])many, 17, 0, 0);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_LIMIT);
        header(&b, (const uint16_t(*)[2])many, 16, 0, 0);
        assert_int_equal(walk(&b, 0, &info, &err), CT_OK);

        header(&b, bad_size, 1, 0, 0);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "digestSize 31 for sha256"));
        header(&b, zero_size, 1, 0, 0);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_MALFORMED);
        header(&b, dup, 2, 0, 0);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_MALFORMED);

        /* numberOfAlgorithms announcing more entries than EventSize holds */
        header(&b, sha1_sha256, 2, 0, 0);
        b.buf[32 + 24] = 3;
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_TRUNCATED);
        assert_true(err.has_offset);

        /* vendorInfo: EventSize one byte short (the tpm2-tools specid-vendordata case), then exact */
        header(&b, sha1_sha256, 2, 4, -1);
        b.len--; /* keep the file consistent with the short EventSize: the last vendor byte follows as "record" */
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_TRUNCATED);
        assert_non_null(strstr(err.msg, "vendorInfo"));
        header(&b, sha1_sha256, 2, 4, 0);
        assert_int_equal(walk(&b, 0, &info, &err), CT_OK);
        assert_int_equal(info.specid.vendor_info_size, 4);
        assert_memory_equal(info.specid.vendor_info, "vvvv", 4);

        /* EventSize of the header beyond the limit */
        header(&b, sha1_sha256, 2, 0, 0);
        ct_put_le32(b.buf + 28, 0xffffffffu);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_LIMIT);
        assert_int_equal(err.offset, 28);
}

/* ---- malformed records ---- */

static void test_record_malformed(void **state)
{
        struct lb b;
        ct_error err;
        ct_tcg_info info;
        size_t rec;

        (void)state;
        header(&b, sha1_sha256, 2, 0, 0);
        rec = b.len;
        event2(&b, 0, CT_EV_SEPARATOR, 0x11, "abcd");
        assert_int_equal(walk(&b, 0, &info, &err), CT_OK);
        assert_int_equal(info.n_records, 2);
        assert_false(info.truncated);

        /* DigestCount beyond the Spec ID algorithms */
        ct_put_le32(b.buf + rec + 8, 3);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_MALFORMED);
        assert_int_equal(err.offset, rec + 8);
        ct_put_le32(b.buf + rec + 8, 0xffffffffu);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_MALFORMED);
        ct_put_le32(b.buf + rec + 8, 2);

        /* an algorithm the Spec ID does not list */
        ct_put_le16(b.buf + rec + 12, 0x000c);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_MALFORMED);
        assert_int_equal(err.offset, rec + 12);
        assert_non_null(strstr(err.msg, "0x000c"));
        ct_put_le16(b.buf + rec + 12, 0x000b); /* sha256 twice */
        ct_put_le16(b.buf + rec + 12 + 22, 0x000b);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_MALFORMED);
        ct_put_le16(b.buf + rec + 12, 0x0004);

        /* giant EventSize: a limit error naming the field's offset */
        ct_put_le32(b.buf + rec + 12 + 22 + 34, 0xfffffff0u);
        assert_int_equal(walk(&b, 0, &info, &err), CT_E_LIMIT);
        assert_int_equal(err.offset, rec + 12 + 22 + 34);
        assert_int_equal(walk(&b, CT_TCG_STRICT, &info, &err), CT_E_LIMIT);
        /* at the limit but beyond the file: a truncated last record */
        ct_put_le32(b.buf + rec + 12 + 22 + 34, CT_TCG_MAX_EVENT_SIZE);
        assert_int_equal(walk(&b, 0, &info, &err), CT_OK);
        assert_true(info.truncated);
        assert_int_equal(info.truncated_offset, rec);
        assert_int_equal(info.truncated_need, 12 + 22 + 34 + 4 + (uint64_t)CT_TCG_MAX_EVENT_SIZE);
        assert_int_equal(walk(&b, CT_TCG_STRICT, &info, &err), CT_E_TRUNCATED);
        assert_int_equal(err.offset, rec);
        /* EventSize one byte more than the data: the digests of the cut record are complete */
        ct_put_le32(b.buf + rec + 12 + 22 + 34, 5);
        assert_int_equal(walk(&b, 0, &info, &err), CT_OK);
        assert_true(info.truncated);
        assert_int_equal(info.n_records, 1);
        assert_true(info.truncated_has_digests);
        assert_int_equal(info.truncated_event.pcr, 0);
        assert_int_equal(info.truncated_event.type, CT_EV_SEPARATOR);
        assert_int_equal(info.truncated_event.n_digests, 2);
        assert_int_equal(info.truncated_event.digests[1].bytes[31], 0x11);
        assert_null(info.truncated_event.data);
        /* cut inside the digests: no digests */
        ct_put_le32(b.buf + rec + 12 + 22 + 34, 4);
        assert_int_equal(ct_tcg_walk(b.buf, rec + 12 + 22 + 10, 0, NULL, NULL, &info, &err), CT_OK);
        assert_true(info.truncated);
        assert_false(info.truncated_has_digests);
}

/* PCR index beyond 23 in an extended record: the replay rejects it, the record layer does not. */
static void test_pcr_index(void **state)
{
        struct lb b;
        ct_error err;
        ct_tcg_info info;
        ct_tpm_replay r;

        (void)state;
        header(&b, sha1_sha256, 2, 0, 0);
        event2(&b, 24, CT_EV_SEPARATOR, 0, "x");
        assert_int_equal(walk(&b, 0, &info, &err), CT_OK);
        assert_int_equal(ct_tpm_replay_log(b.buf, b.len, 0, &r, &err), CT_E_MALFORMED);
        assert_non_null(strstr(err.msg, "PCR 24"));
        header(&b, sha1_sha256, 2, 0, 0);
        event2(&b, 1000, CT_EV_NO_ACTION, 0, "x");
        assert_int_equal(ct_tpm_replay_log(b.buf, b.len, 0, &r, &err), CT_OK);
        assert_int_equal(r.pcrs.n_banks, 0);
}

/* ---- a real log cut at every offset ---- */

struct ends {
        size_t n;
        uint64_t end[256];
};

static ct_code ends_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct ends *e = userdata;

        (void)info;
        (void)err;
        assert_true(e->n < 256);
        assert_int_equal(ev->num, e->n);
        e->end[e->n++] = ev->offset + ev->size;
        return CT_OK;
}

static void test_every_prefix(void **state)
{
        char path[4096];
        ct_blob blob;
        ct_error err;
        ct_tcg_info full, info;
        struct ends ends = { 0 };
        ct_tpm_replay *r = calloc(1, sizeof(*r));

        (void)state;
        assert_non_null(r);
        snprintf(path, sizeof(path), "%s/tests/vectors/tpm/boot/uki-A/binary_bios_measurements", CT_SOURCE_ROOT);
        assert_int_equal(ct_blob_read(path, 0, &blob, &err), CT_OK);
        assert_int_equal(ct_tcg_walk(blob.data, blob.len, 0, ends_cb, &ends, &full, &err), CT_OK);
        assert_false(full.truncated);
        assert_int_equal(full.n_records, 39);
        assert_int_equal(ends.n, 39);
        assert_int_equal(ends.end[38], blob.len);
        for (size_t n = 0; n < blob.len; n++) {
                size_t complete = 0;
                bool boundary = false;
                ct_code rc = ct_tcg_walk(blob.data, n, 0, NULL, NULL, &info, &err);

                if (n < ends.end[0]) {
                        assert_int_equal(rc, CT_E_TRUNCATED);
                        assert_true(err.has_offset);
                        continue;
                }
                for (size_t k = 0; k < ends.n; k++) {
                        complete += ends.end[k] <= n;
                        boundary |= ends.end[k] == n;
                }
                assert_int_equal(rc, CT_OK);
                assert_int_equal(info.n_records, complete);
                assert_int_equal(boundary, !(info.truncated || info.padding_size));
                if (info.truncated)
                        assert_int_equal(info.truncated_offset, ends.end[complete - 1]);
                assert_int_equal(ct_tpm_replay_log(blob.data, n, 0, r, &err), CT_OK);
                assert_int_equal(r->n_events, complete - 1);
                rc = ct_tcg_walk(blob.data, n, CT_TCG_STRICT, NULL, NULL, &info, &err);
                if (info.padding_size == 0 && !boundary) {
                        assert_int_equal(rc, CT_E_TRUNCATED);
                        assert_int_equal(err.offset, ends.end[complete - 1]);
                } else {
                        assert_int_equal(rc, CT_OK);
                }
        }
        ct_blob_free(&blob);
        free(r);
}

/* ---- padding, unknown algorithms, H-CRTM ---- */

static void test_padding(void **state)
{
        struct lb b;
        ct_error err;
        ct_tcg_info info;
        size_t end;

        (void)state;
        header(&b, sha1_sha256, 2, 0, 0);
        event2(&b, 4, CT_EV_SEPARATOR, 0x22, "abcd");
        end = b.len;
        for (int i = 0; i < 100; i++)
                put(&b, "\0", 1);
        assert_int_equal(walk(&b, CT_TCG_STRICT, &info, &err), CT_OK);
        assert_int_equal(info.padding_offset, end);
        assert_int_equal(info.padding_size, 100);
        assert_int_equal(info.n_records, 2);
        memset(b.buf + end, 0xff, 100);
        assert_int_equal(walk(&b, CT_TCG_STRICT, &info, &err), CT_OK);
        assert_int_equal(info.padding_size, 100);
        b.buf[b.len - 1] = 0; /* mixed: not padding, a truncated record */
        assert_int_equal(walk(&b, CT_TCG_STRICT, &info, &err), CT_E_MALFORMED);
}

static void sha256_2(const uint8_t *a, const uint8_t *b, uint8_t *out)
{
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        unsigned int n;

        assert_non_null(c);
        assert_int_equal(EVP_DigestInit_ex(c, EVP_sha256(), NULL), 1);
        EVP_DigestUpdate(c, a, 32);
        EVP_DigestUpdate(c, b, 32);
        EVP_DigestFinal_ex(c, out, &n);
        EVP_MD_CTX_free(c);
}

static void test_unknown_alg_and_hcrtm(void **state)
{
        static const uint16_t algs[2][2] = { { 0x000b, 32 }, { 0x0027, 32 } }; /* sha256, sha3_256 */
        struct lb b;
        ct_error err;
        ct_tpm_replay r;
        uint8_t d[32], init[32], exp[32];
        ct_digest v;

        (void)state;
        header(&b, algs, 2, 0, 0);
        memset(d, 0x5a, 32);
        /* H-CRTM event on PCR 0 */
        put32(&b, 0);
        put32(&b, CT_EV_EFI_HCRTM_EVENT);
        put32(&b, 2);
        put16(&b, 0x0027);
        put(&b, d, 32);
        put16(&b, 0x000b);
        put(&b, d, 32);
        put32(&b, 4);
        put(&b, "HCRT", 4);
        assert_int_equal(ct_tpm_replay_log(b.buf, b.len, 0, &r, &err), CT_OK);
        assert_true(r.hcrtm);
        assert_int_equal(r.skipped_algs, 1u << 1);
        assert_int_equal(r.pcrs.n_banks, 1);
        memset(init, 0, 32);
        init[31] = 4;
        sha256_2(init, d, exp);
        assert_true(ct_pcr_set_get(&r.pcrs, CT_HASH_SHA256, 0, &v));
        assert_memory_equal(v.bytes, exp, 32);
}

static void test_startup_locality(void **state)
{
        struct lb b;
        ct_error err;
        ct_tpm_replay r;
        uint8_t d[32], init[32], exp[32];
        ct_digest v;

        (void)state;
        header(&b, sha1_sha256, 2, 0, 0);
        event2(&b, 0, CT_EV_NO_ACTION, 0, "StartupLocality");
        b.buf[b.len - 15 - 4] = 17; /* EventSize 17: the string, its NUL and the locality */
        put(&b, "\0\x03", 2);
        event2(&b, 0, CT_EV_S_CRTM_VERSION, 0x33, "v");
        event2(&b, 17, CT_EV_SEPARATOR, 0x44, "s");
        assert_int_equal(ct_tpm_replay_log(b.buf, b.len, 0, &r, &err), CT_OK);
        assert_int_equal(r.startup_locality, 3);
        assert_int_equal(r.n_events, 3);
        assert_int_equal(r.n_extended, 2);
        memset(init, 0, 32);
        init[31] = 3;
        memset(d, 0x33, 32);
        sha256_2(init, d, exp);
        assert_true(ct_pcr_set_get(&r.pcrs, CT_HASH_SHA256, 0, &v));
        assert_memory_equal(v.bytes, exp, 32);
        /* PCR 17 starts at FF..FF */
        memset(init, 0xff, 32);
        memset(d, 0x44, 32);
        sha256_2(init, d, exp);
        assert_true(ct_pcr_set_get(&r.pcrs, CT_HASH_SHA256, 17, &v));
        assert_memory_equal(v.bytes, exp, 32);
        assert_false(ct_pcr_set_get(&r.pcrs, CT_HASH_SHA256, 1, &v));
}

/* ---- decoders ---- */

static size_t unhex(const char *s, uint8_t *out)
{
        size_t n = 0;
        for (; s[0] && s[1]; s += 2) {
                unsigned v;
                sscanf(s, "%2x", &v);
                out[n++] = (uint8_t)v;
        }
        return n;
}

static void test_devpath(void **state)
{
        /* Boot0001's device path in the uki-A boot log; OVMF printed it on the console as below. */
        uint8_t dp[64];
        char text[256];
        size_t n = unhex("02010c00d041030a0000000001010600021f03120a000200ffff00007fff0400", dp);

        (void)state;
        ct_tcg_devpath_text(dp, n, text, sizeof(text));
        assert_int_equal(strcasecmp(text, "PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x2,0xFFFF,0x0)"), 0);
        n = unhex("02010c00d041030a000000000101060000027fff0400", dp);
        ct_tcg_devpath_text(dp, n, text, sizeof(text));
        assert_string_equal(text, "PciRoot(0x0)/Pci(0x2,0x0)");
        /* a node claiming more than there is */
        n = unhex("02010c00d041030a0000000001014000", dp);
        ct_tcg_devpath_text(dp, n, text, sizeof(text));
        assert_string_equal(text, "PciRoot(0x0)/<truncated>");
        /* tiny output buffer stays terminated */
        ct_tcg_devpath_text(dp, n, text, 4);
        assert_int_equal(strlen(text), 3);
}

static void test_efi_var(void **state)
{
        uint8_t v[128];
        ct_tcg_efi_var var;
        ct_error err;
        char name[64];
        size_t n = unhex("61dfe48bca93d211aa0d00e098032b8c0a0000000000000001000000000000005300650063007500720065"
                         "0042006f006f007400",
                         v);

        (void)state;
        v[n++] = 0x01;
        assert_int_equal(ct_tcg_decode_efi_var(v, n, 0, &var, &err), CT_OK);
        ct_tcg_utf16_to_utf8(var.name_utf16, (size_t)var.name_chars, name, sizeof(name));
        assert_string_equal(name, "SecureBoot");
        assert_int_equal(var.data_size, 1);
        assert_int_equal(var.data[0], 1);
        /* every prefix fails with an offset inside the structure */
        for (size_t k = 0; k < n; k++) {
                assert_int_not_equal(ct_tcg_decode_efi_var(v, k, 100, &var, &err), CT_OK);
                assert_true(err.offset >= 100 && err.offset <= 100 + n);
        }
        /* giant lengths */
        ct_put_le64(v + 16, UINT64_MAX);
        assert_int_equal(ct_tcg_decode_efi_var(v, n, 0, &var, &err), CT_E_MALFORMED);
        ct_put_le64(v + 16, 10);
        ct_put_le64(v + 24, UINT64_MAX / 2);
        assert_int_equal(ct_tcg_decode_efi_var(v, n, 0, &var, &err), CT_E_MALFORMED);
}

/* ---- the record layer on a TDX CCEL log (SHA-384, MR index, 0xFF tail) ---- */

struct rtmr {
        uint8_t v[4][48];
        unsigned n;
};

static ct_code rtmr_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct rtmr *r = userdata;
        const ct_tcg_digest *d;
        EVP_MD_CTX *c;
        unsigned int n;

        (void)info;
        (void)err;
        if (ev->is_header || ev->type == CT_EV_NO_ACTION)
                return CT_OK;
        assert_true(ev->pcr >= 1 && ev->pcr <= 4); /* MR index: RTMR index + 1 */
        d = ct_tcg_event_digest(ev, CT_HASH_SHA384);
        assert_non_null(d);
        c = EVP_MD_CTX_new();
        assert_non_null(c);
        EVP_DigestInit_ex(c, EVP_sha384(), NULL);
        EVP_DigestUpdate(c, r->v[ev->pcr - 1], 48);
        EVP_DigestUpdate(c, d->bytes, 48);
        EVP_DigestFinal_ex(c, r->v[ev->pcr - 1], &n);
        EVP_MD_CTX_free(c);
        r->n++;
        return CT_OK;
}

static void test_ccel(void **state)
{
        /* RTMR values asserted by trustee's test for this log (tests/vectors/tpm/README.md) */
        static const char *const expected[4] = {
                "8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90abe193",
                "775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc210c13c6",
                "94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf25f34a",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        };
        char path[4096];
        ct_blob blob;
        ct_error err;
        ct_tcg_info info;
        struct rtmr r;

        (void)state;
        memset(&r, 0, sizeof(r));
        snprintf(path, sizeof(path), "%s/tests/vectors/tpm/ccel/trustee_CCEL_data_ovmf.bin", CT_SOURCE_ROOT);
        assert_int_equal(ct_blob_read(path, 0, &blob, &err), CT_OK);
        assert_int_equal(ct_tcg_walk(blob.data, blob.len, CT_TCG_STRICT, rtmr_cb, &r, &info, &err), CT_OK);
        assert_int_equal(info.format, CT_TCG_FORMAT_CRYPTO_AGILE);
        assert_int_equal(info.specid.n_algs, 1);
        assert_int_equal(info.specid.algs[0].id, 0x000c);
        assert_int_equal(r.n, 20);
        assert_false(info.truncated);
        assert_int_equal(info.padding_offset + info.padding_size, blob.len);
        for (int i = 0; i < 4; i++) {
                uint8_t e[48];
                assert_int_equal(unhex(expected[i], e), 48);
                assert_memory_equal(r.v[i], e, 48);
        }
        ct_blob_free(&blob);
}

static void test_names(void **state)
{
        (void)state;
        assert_string_equal(ct_tcg_event_type_name(0x80000003u), "EV_EFI_BOOT_SERVICES_APPLICATION");
        assert_null(ct_tcg_event_type_name(0x1234));
        assert_string_equal(ct_tcg_alg_name(0x000b), "sha256");
        assert_null(ct_tcg_alg_name(0x9999));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_header_truncated),
                cmocka_unit_test(test_specid_malformed),
                cmocka_unit_test(test_record_malformed),
                cmocka_unit_test(test_pcr_index),
                cmocka_unit_test(test_every_prefix),
                cmocka_unit_test(test_padding),
                cmocka_unit_test(test_unknown_alg_and_hcrtm),
                cmocka_unit_test(test_startup_locality),
                cmocka_unit_test(test_devpath),
                cmocka_unit_test(test_efi_var),
                cmocka_unit_test(test_ccel),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
