/* SPDX-License-Identifier: Apache-2.0 */
/* One event decoded by its type, and its one-line description: the only dispatch on event types. */
#include <stdio.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>

#include "../internal.h"

static bool printable_ascii(const uint8_t *p, size_t n)
{
        if (n == 0 || p[0] == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (p[i] == 0 && i == n - 1)
                        break;
                if (p[i] < 0x20 || p[i] > 0x7e)
                        return false;
        }
        return true;
}

/* UTF-16LE text: even length, every high byte 0, low bytes printable, optional NUL at the end. */
static bool printable_utf16(const uint8_t *p, size_t n)
{
        if (n < 2 || n % 2 || (p[0] == 0 && p[1] == 0))
                return false;
        for (size_t i = 0; i < n; i += 2) {
                if (p[i] == 0 && p[i + 1] == 0 && i == n - 2)
                        break;
                if (p[i + 1] != 0 || p[i] < 0x20 || p[i] > 0x7e)
                        return false;
        }
        return true;
}

/* Set d->text when p[0..n) is printable; true if so. */
static bool find_text(ct_tcg_event_data *d, const uint8_t *p, size_t n)
{
        if (printable_ascii(p, n)) {
                d->text = p;
                d->text_len = strnlen((const char *)p, n);
                d->text_utf16 = false;
                return true;
        }
        if (printable_utf16(p, n)) {
                d->text = p;
                d->text_len = n;
                d->text_utf16 = true;
                return true;
        }
        return false;
}

CT_EXPORT void ct_tcg_event_decode(const ct_tcg_event *ev, ct_tcg_event_data *ret)
{
        ct_tcg_event_data d;

        memset(&d, 0, sizeof(d));
        if (ev->is_header) {
                d.kind = CT_TCG_DATA_SPECID;
                *ret = d;
                return;
        }
        if (ct_tcg_startup_locality(ev, &d.locality)) {
                d.kind = CT_TCG_DATA_STARTUP_LOCALITY;
                *ret = d;
                return;
        }
        d.kind = CT_TCG_DATA_UNDECODED;
        switch (ev->type) {
        case CT_EV_SEPARATOR:
                if (ev->data_size == 4) {
                        d.kind = CT_TCG_DATA_SEPARATOR;
                        d.separator = ct_get_le32(ev->data);
                }
                break;
        case CT_EV_EFI_VARIABLE_DRIVER_CONFIG:
        case CT_EV_EFI_VARIABLE_BOOT:
        case CT_EV_EFI_VARIABLE_BOOT2:
        case CT_EV_EFI_VARIABLE_AUTHORITY:
                if (ct_tcg_decode_efi_var(ev->data, ev->data_size, 0, &d.var, NULL) == CT_OK)
                        d.kind = CT_TCG_DATA_EFI_VAR;
                break;
        case CT_EV_EFI_BOOT_SERVICES_APPLICATION:
        case CT_EV_EFI_BOOT_SERVICES_DRIVER:
        case CT_EV_EFI_RUNTIME_SERVICES_DRIVER:
                if (ct_tcg_decode_image_load(ev->data, ev->data_size, 0, &d.image, NULL) == CT_OK)
                        d.kind = CT_TCG_DATA_IMAGE_LOAD;
                break;
        case CT_EV_EFI_PLATFORM_FIRMWARE_BLOB:
        case CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2:
                if (ct_tcg_decode_fw_blob(ev->data, ev->data_size, ev->type == CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2, 0,
                                          &d.blob, NULL) == CT_OK)
                        d.kind = CT_TCG_DATA_FW_BLOB;
                break;
        case CT_EV_EVENT_TAG:
                if (ct_tcg_decode_tagged(ev->data, ev->data_size, 0, &d.tag, NULL) == CT_OK) {
                        d.kind = CT_TCG_DATA_TAGGED;
                        find_text(&d, d.tag.data, d.tag.size);
                }
                break;
        case CT_EV_EFI_ACTION:
        case CT_EV_ACTION:
        case CT_EV_IPL:
        case CT_EV_POST_CODE:
        case CT_EV_S_CRTM_VERSION:
        case CT_EV_NO_ACTION:
                d.kind = find_text(&d, ev->data, ev->data_size) ? CT_TCG_DATA_STRING : CT_TCG_DATA_RAW;
                break;
        default:
                d.kind = CT_TCG_DATA_RAW;
                find_text(&d, ev->data, ev->data_size);
                break;
        }
        *ret = d;
}

/* "\"text\"" of d's text (ASCII at most 200 characters). */
static void quote_text(const ct_tcg_event_data *d, char *out, size_t cap)
{
        char tmp[1024];

        if (d->text_utf16) {
                ct_tcg_utf16_to_utf8(d->text, d->text_len / 2, tmp, sizeof(tmp));
                snprintf(out, cap, "\"%s\"", tmp);
        } else {
                snprintf(out, cap, "\"%.*s\"", (int)CT_MIN(d->text_len, 200u), (const char *)d->text);
        }
}

CT_EXPORT char *ct_tcg_event_describe(const ct_tcg_event *ev, char *out, size_t cap)
{
        ct_tcg_event_data d;
        char tmp[1024];

        if (cap == 0)
                return out;
        out[0] = 0;
        ct_tcg_event_decode(ev, &d);
        switch (d.kind) {
        case CT_TCG_DATA_SPECID:
                snprintf(out, cap, "Spec ID Event03");
                break;
        case CT_TCG_DATA_STARTUP_LOCALITY:
                snprintf(out, cap, "StartupLocality %u", d.locality);
                break;
        case CT_TCG_DATA_SEPARATOR:
                snprintf(out, cap, "%02x%02x%02x%02x%s", ev->data[0], ev->data[1], ev->data[2], ev->data[3],
                         d.separator == 0xffffffffu ? " (error separator)" : "");
                break;
        case CT_TCG_DATA_EFI_VAR:
                ct_tcg_utf16_to_utf8(d.var.name_utf16, (size_t)d.var.name_chars, tmp, sizeof(tmp));
                snprintf(out, cap, "%s (%llu bytes)", tmp, (unsigned long long)d.var.data_size);
                break;
        case CT_TCG_DATA_IMAGE_LOAD:
                snprintf(out, cap, "%s", ct_tcg_devpath_text(d.image.devpath, (size_t)d.image.devpath_size, tmp,
                                                             sizeof(tmp)));
                break;
        case CT_TCG_DATA_FW_BLOB:
                snprintf(out, cap, "base 0x%llx length 0x%llx", (unsigned long long)d.blob.base,
                         (unsigned long long)d.blob.length);
                break;
        case CT_TCG_DATA_TAGGED: {
                const char *n = ct_tcg_tag_name(d.tag.id);
                size_t o = (size_t)snprintf(out, cap, "tag 0x%08x%s%s%s", d.tag.id, n ? " (" : "", n ? n : "",
                                            n ? ")" : "");
                if (o + 1 < cap && d.text) {
                        out[o++] = ' ';
                        out[o] = 0;
                        quote_text(&d, out + o, cap - o);
                }
                break;
        }
        case CT_TCG_DATA_STRING:
                quote_text(&d, out, cap);
                break;
        case CT_TCG_DATA_RAW:
                if (d.text) {
                        quote_text(&d, out, cap);
                } else if (ev->data_size) {
                        size_t n = CT_MIN(ev->data_size, 32u);
                        ct_hex_encode(ev->data, n, tmp);
                        snprintf(out, cap, "%s%s", tmp, n < ev->data_size ? "..." : "");
                }
                break;
        case CT_TCG_DATA_UNDECODED:
                break;
        }
        return out;
}
