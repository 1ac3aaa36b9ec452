/* SPDX-License-Identifier: Apache-2.0 */
/* Decoders for the common event data of TCG PC Client logs (UEFI structures, tagged events). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/guid.h>
#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>

#include "../internal.h"

CT_EXPORT ct_code ct_tcg_decode_efi_var(const uint8_t *data, size_t len, uint64_t base, ct_tcg_efi_var *ret,
                                        ct_error *err)
{
        ct_tcg_efi_var v;
        ct_reader r;

        memset(&v, 0, sizeof(v));
        ct_reader_init(&r, data, len, base);
        ct_reader_bytes(&r, v.guid, sizeof(v.guid), "UEFI_VARIABLE_DATA.VariableName");
        v.name_chars = ct_reader_u64le(&r, "UEFI_VARIABLE_DATA.UnicodeNameLength");
        v.data_size = ct_reader_u64le(&r, "UEFI_VARIABLE_DATA.VariableDataLength");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        if (v.name_chars > len / 2)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 16,
                                       "UEFI_VARIABLE_DATA: UnicodeNameLength %llu beyond the event",
                                       (unsigned long long)v.name_chars);
        v.name_utf16 = ct_reader_ptr(&r, (size_t)v.name_chars * 2, "UEFI_VARIABLE_DATA.UnicodeName");
        if (v.data_size > len)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 24,
                                       "UEFI_VARIABLE_DATA: VariableDataLength %llu beyond the event",
                                       (unsigned long long)v.data_size);
        v.data = ct_reader_ptr(&r, (size_t)v.data_size, "UEFI_VARIABLE_DATA.VariableData");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        *ret = v;
        return CT_OK;
}

CT_EXPORT ct_code ct_tcg_decode_image_load(const uint8_t *data, size_t len, uint64_t base, ct_tcg_image_load *ret,
                                           ct_error *err)
{
        ct_tcg_image_load v;
        ct_reader r;

        memset(&v, 0, sizeof(v));
        ct_reader_init(&r, data, len, base);
        v.location = ct_reader_u64le(&r, "UEFI_IMAGE_LOAD_EVENT.ImageLocationInMemory");
        v.length = ct_reader_u64le(&r, "UEFI_IMAGE_LOAD_EVENT.ImageLengthInMemory");
        v.link_time_address = ct_reader_u64le(&r, "UEFI_IMAGE_LOAD_EVENT.ImageLinkTimeAddress");
        v.devpath_size = ct_reader_u64le(&r, "UEFI_IMAGE_LOAD_EVENT.LengthOfDevicePath");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        if (v.devpath_size > len)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 24,
                                       "UEFI_IMAGE_LOAD_EVENT: LengthOfDevicePath %llu beyond the event",
                                       (unsigned long long)v.devpath_size);
        v.devpath = ct_reader_ptr(&r, (size_t)v.devpath_size, "UEFI_IMAGE_LOAD_EVENT.DevicePath");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        *ret = v;
        return CT_OK;
}

CT_EXPORT ct_code ct_tcg_decode_fw_blob(const uint8_t *data, size_t len, bool blob2, uint64_t base,
                                        ct_tcg_fw_blob *ret, ct_error *err)
{
        ct_tcg_fw_blob v;
        ct_reader r;

        memset(&v, 0, sizeof(v));
        ct_reader_init(&r, data, len, base);
        if (blob2) {
                v.desc_size = ct_reader_u8(&r, "UEFI_PLATFORM_FIRMWARE_BLOB2.BlobDescriptionSize");
                v.desc = ct_reader_ptr(&r, v.desc_size, "UEFI_PLATFORM_FIRMWARE_BLOB2.BlobDescription");
        }
        v.base = ct_reader_u64le(&r, "BlobBase");
        v.length = ct_reader_u64le(&r, "BlobLength");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        *ret = v;
        return CT_OK;
}

CT_EXPORT ct_code ct_tcg_decode_tagged(const uint8_t *data, size_t len, uint64_t base, ct_tcg_tagged *ret,
                                       ct_error *err)
{
        ct_tcg_tagged v;
        ct_reader r;

        ct_reader_init(&r, data, len, base);
        v.id = ct_reader_u32le(&r, "TCG_PCClientTaggedEvent.taggedEventID");
        v.size = ct_reader_u32le(&r, "TCG_PCClientTaggedEvent.taggedEventDataSize");
        v.data = ct_reader_ptr(&r, v.size, "TCG_PCClientTaggedEvent.taggedEventData");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        *ret = v;
        return CT_OK;
}

CT_EXPORT const char *ct_tcg_tag_name(uint32_t id)
{
        switch (id) {
        case 0x8F3B22EC:
                return "Linux initrd";
        case 0x8F3B22ED:
                return "LOADED_IMAGE::LoadOptions";
        case 0xf5bc582a:
                return "systemd loader.conf";
        case 0x6c46f751:
                return "systemd devicetree";
        case 0x13aed6db:
                return "systemd UKI profile";
        case 0xca3f3ad6:
                return "systemd UKI ucode";
        default:
                return NULL;
        }
}

CT_EXPORT bool ct_tcg_startup_locality(const ct_tcg_event *ev, uint8_t *ret_locality)
{
        static const char sig[16] = "StartupLocality";

        if (ev->type != CT_EV_NO_ACTION || ev->data_size < sizeof(sig) + 1 ||
            memcmp(ev->data, sig, sizeof(sig)) != 0)
                return false;
        *ret_locality = ev->data[sizeof(sig)];
        return true;
}

static size_t put_utf8(char *out, size_t cap, size_t o, uint32_t c)
{
        char tmp[4];
        size_t n;

        if (c < 0x20 || c == 0x7f)
                c = '?';
        if (c < 0x80) {
                tmp[0] = (char)c;
                n = 1;
        } else if (c < 0x800) {
                tmp[0] = (char)(0xc0 | (c >> 6));
                tmp[1] = (char)(0x80 | (c & 0x3f));
                n = 2;
        } else if (c < 0x10000) {
                tmp[0] = (char)(0xe0 | (c >> 12));
                tmp[1] = (char)(0x80 | ((c >> 6) & 0x3f));
                tmp[2] = (char)(0x80 | (c & 0x3f));
                n = 3;
        } else {
                tmp[0] = (char)(0xf0 | (c >> 18));
                tmp[1] = (char)(0x80 | ((c >> 12) & 0x3f));
                tmp[2] = (char)(0x80 | ((c >> 6) & 0x3f));
                tmp[3] = (char)(0x80 | (c & 0x3f));
                n = 4;
        }
        if (cap == 0 || n > cap - 1 - o)
                return o;
        memcpy(out + o, tmp, n);
        return o + n;
}

CT_EXPORT size_t ct_tcg_utf16_to_utf8(const uint8_t *utf16, size_t n_units, char *out, size_t cap)
{
        size_t o = 0;

        if (cap == 0)
                return 0;
        for (size_t i = 0; i < n_units; i++) {
                uint32_t c = ct_get_le16(utf16 + 2 * i);

                if (c == 0)
                        break;
                if (c >= 0xd800 && c < 0xdc00 && i + 1 < n_units) {
                        uint32_t lo = ct_get_le16(utf16 + 2 * (i + 1));
                        if (lo >= 0xdc00 && lo < 0xe000) {
                                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                                i++;
                        } else {
                                c = '?';
                        }
                } else if (c >= 0xd800 && c < 0xe000) {
                        c = '?';
                }
                o = put_utf8(out, cap, o, c);
        }
        out[o] = 0;
        return o;
}

/* Append formatted text; silently stops at capacity. */
static void app(char *out, size_t cap, size_t *o, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void app(char *out, size_t cap, size_t *o, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (*o + 1 >= cap)
                return;
        va_start(ap, fmt);
        n = vsnprintf(out + *o, cap - *o, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        *o = (size_t)n >= cap - *o ? cap - 1 : *o + (size_t)n;
}

static void app_guid(char *out, size_t cap, size_t *o, const uint8_t *b)
{
        ct_guid g;
        char s[40];

        ct_guid_from_bytes(&g, b);
        app(out, cap, o, "%s", ct_guid_format(&g, s));
}

static void app_hex(char *out, size_t cap, size_t *o, const uint8_t *b, size_t n)
{
        for (size_t i = 0; i < n; i++)
                app(out, cap, o, "%02x", b[i]);
}

CT_EXPORT char *ct_tcg_devpath_text(const uint8_t *dp, size_t len, char *out, size_t cap)
{
        size_t o = 0, pos = 0;
        bool first = true;

        if (cap == 0)
                return out;
        out[0] = 0;
        while (pos < len) {
                uint8_t type, sub;
                uint16_t nlen;
                const uint8_t *p;
                size_t n;

                if (len - pos < 4) {
                        app(out, cap, &o, "%s<truncated>", first ? "" : "/");
                        break;
                }
                type = dp[pos];
                sub = dp[pos + 1];
                nlen = ct_get_le16(dp + pos + 2);
                if (nlen < 4 || nlen > len - pos) {
                        app(out, cap, &o, "%s<truncated>", first ? "" : "/");
                        break;
                }
                if (type == 0x7f && sub == 0xff)
                        break;
                p = dp + pos + 4;
                n = nlen - 4u;
                if (type == 0x7f) { /* end of instance */
                        app(out, cap, &o, ",");
                        first = true;
                        pos += nlen;
                        continue;
                }
                if (!first)
                        app(out, cap, &o, "/");
                first = false;
                if (type == 0x02 && sub == 0x01 && n >= 8) {
                        uint32_t hid = ct_get_le32(p), uid = ct_get_le32(p + 4);
                        if (hid == 0x0a0341d0)
                                app(out, cap, &o, "PciRoot(0x%x)", uid);
                        else if (hid == 0x0a0841d0)
                                app(out, cap, &o, "PcieRoot(0x%x)", uid);
                        else
                                app(out, cap, &o, "Acpi(0x%08x,0x%x)", hid, uid);
                } else if (type == 0x01 && sub == 0x01 && n >= 2) {
                        app(out, cap, &o, "Pci(0x%x,0x%x)", p[1], p[0]);
                } else if (type == 0x01 && sub == 0x03 && n >= 20) {
                        app(out, cap, &o, "MemoryMapped(0x%x,0x%llx,0x%llx)", ct_get_le32(p),
                            (unsigned long long)ct_get_le64(p + 4), (unsigned long long)ct_get_le64(p + 12));
                } else if (type == 0x03 && sub == 0x12 && n >= 6) {
                        app(out, cap, &o, "Sata(0x%x,0x%x,0x%x)", ct_get_le16(p), ct_get_le16(p + 2),
                            ct_get_le16(p + 4));
                } else if (type == 0x03 && sub == 0x02 && n >= 4) {
                        app(out, cap, &o, "Scsi(0x%x,0x%x)", ct_get_le16(p), ct_get_le16(p + 2));
                } else if (type == 0x03 && sub == 0x17 && n >= 12) {
                        app(out, cap, &o, "NVMe(0x%x,", ct_get_le32(p));
                        app_hex(out, cap, &o, p + 4, 8);
                        app(out, cap, &o, ")");
                } else if (type == 0x03 && sub == 0x05 && n >= 2) {
                        app(out, cap, &o, "USB(0x%x,0x%x)", p[0], p[1]);
                } else if (type == 0x03 && sub == 0x0b && n >= 32) {
                        app(out, cap, &o, "MAC(");
                        app_hex(out, cap, &o, p, 6);
                        app(out, cap, &o, ",0x%x)", p[32 < n ? 32 : 0]);
                } else if (type == 0x04 && sub == 0x01 && n >= 38) {
                        uint32_t part = ct_get_le32(p);
                        uint64_t start = ct_get_le64(p + 4), size = ct_get_le64(p + 12);
                        uint8_t fmt = p[36], sig = p[37];
                        app(out, cap, &o, "HD(%u,", part);
                        if (sig == 2) {
                                app(out, cap, &o, "GPT,");
                                app_guid(out, cap, &o, p + 20);
                        } else if (sig == 1) {
                                app(out, cap, &o, "MBR,0x%08x", ct_get_le32(p + 20));
                        } else {
                                app(out, cap, &o, "%u,%u", fmt, sig);
                        }
                        app(out, cap, &o, ",0x%llx,0x%llx)", (unsigned long long)start, (unsigned long long)size);
                } else if (type == 0x04 && sub == 0x02 && n >= 16) {
                        app(out, cap, &o, "CDROM(0x%x)", ct_get_le32(p));
                } else if (type == 0x04 && sub == 0x04) {
                        char s[1024];
                        ct_tcg_utf16_to_utf8(p, n / 2, s, sizeof(s));
                        app(out, cap, &o, "%s", s);
                } else if (type == 0x04 && sub == 0x06 && n >= 16) {
                        app(out, cap, &o, "FvFile(");
                        app_guid(out, cap, &o, p);
                        app(out, cap, &o, ")");
                } else if (type == 0x04 && sub == 0x07 && n >= 16) {
                        app(out, cap, &o, "Fv(");
                        app_guid(out, cap, &o, p);
                        app(out, cap, &o, ")");
                } else if (type == 0x04 && sub == 0x08 && n >= 20) { /* Reserved u32, then start, end */
                        app(out, cap, &o, "Offset(0x%llx,0x%llx)", (unsigned long long)ct_get_le64(p + 4),
                            (unsigned long long)ct_get_le64(p + 12));
                } else if ((type == 0x01 || type == 0x04) && (sub == 0x04 || sub == 0x03) && n >= 16) {
                        app(out, cap, &o, "%s(", type == 0x01 ? "VenHw" : "VenMedia");
                        app_guid(out, cap, &o, p);
                        if (n > 16) {
                                app(out, cap, &o, ",");
                                app_hex(out, cap, &o, p + 16, n - 16);
                        }
                        app(out, cap, &o, ")");
                } else {
                        app(out, cap, &o, "Path(%u,%u", type, sub);
                        if (n) {
                                app(out, cap, &o, ",");
                                app_hex(out, cap, &o, p, n);
                        }
                        app(out, cap, &o, ")");
                }
                pos += nlen;
        }
        return out;
}
