/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — PCR 4 prediction for a UEFI boot chain, as OVMF measures it
 * (EDK2 Tcg2Dxe: ReadyToBoot actions and separators, DxeTpm2MeasureBootLib:
 * one EV_EFI_BOOT_SERVICES_APPLICATION per image started with LoadImage).
 */
#include <stdlib.h>
#include <string.h>

#include <cocotrust/uki.h>

#include "../internal.h"

static const char calling[] = "Calling EFI Application from Boot Option";
static const char returning[] = "Returning from EFI Application from Boot Option";

CT_EXPORT const char *ct_pcr4_event_name(ct_pcr4_event_kind kind)
{
        switch (kind) {
        case CT_PCR4_CALLING:
                return calling;
        case CT_PCR4_SEPARATOR:
                return "separator";
        case CT_PCR4_RETURNING:
                return returning;
        case CT_PCR4_APPLICATION:
                return "EFI application";
        case CT_PCR4_UKI_KERNEL:
                return "kernel started by the UKI's stub";
        }
        return "?";
}

static ct_code extend(ct_digest *pcr, ct_pcr4_event *ev, ct_pcr4_event_fn fn, void *userdata, ct_error *err)
{
        ct_code c = ct_pcr_extend(pcr, &ev->digest, err);

        if (c)
                return c;
        ev->pcr = *pcr;
        if (fn) {
                c = fn(ev, userdata);
                if (c && err && err->code == CT_OK)
                        ct_error_set(err, c, "event callback failed");
        }
        return c;
}

static ct_code action(ct_digest *pcr, ct_pcr4_event_kind kind, ct_pcr4_event_fn fn, void *userdata, ct_error *err)
{
        static const uint8_t sep[4] = { 0, 0, 0, 0 };
        ct_pcr4_event ev = { .kind = kind };
        ct_code c;

        if (kind == CT_PCR4_SEPARATOR)
                c = ct_hash_buf(pcr->alg, sep, sizeof(sep), &ev.digest, err);
        else {
                const char *s = ct_pcr4_event_name(kind);
                c = ct_hash_buf(pcr->alg, s, strlen(s), &ev.digest, err);
        }
        if (c)
                return c;
        return extend(pcr, &ev, fn, userdata, err);
}

/* Authenticode of the .linux section a UKI's stub passes to LoadImage. */
static ct_code uki_kernel_authenticode(const ct_boot_image *img, ct_hash_alg bank, ct_digest *ret, ct_error *err)
{
        ct_uki_parts parts;
        const ct_uki_blob *b;
        const ct_pe_section *s;
        uint8_t *copy = NULL;
        size_t len;
        ct_code c;

        c = ct_uki_parts_from_pe(img->pe, img->stub, 0, &parts, err);
        if (c)
                return c;
        b = &parts.s[CT_UKI_LINUX];
        if (!b->present || b->len + b->zero_fill == 0)
                return ct_error_set(err, CT_E_MALFORMED, "UKI has no .linux section");
        s = ct_pe_section_at(img->pe, (size_t)b->header_index);
        if (b->zero_fill == 0) {
                c = ct_pe_authenticode_buf(b->data, b->len, bank, ret, err);
        } else {
                c = ct_pe_section_copy(img->pe, s, &copy, &len, err);
                if (c)
                        return c;
                c = ct_pe_authenticode_buf(copy, len, bank, ret, err);
                free(copy);
        }
        if (c)
                ct_error_prefix(err, ".linux section (raw data at file offset 0x%x)", s->pointer_to_raw_data);
        return c;
}

CT_EXPORT ct_code ct_pcr4_predict(const ct_boot_image *images, size_t n_images, unsigned failed_boot_options,
                                  ct_hash_alg bank, ct_pcr4_event_fn fn, void *userdata, ct_digest *ret_pcr,
                                  ct_error *err)
{
        ct_digest pcr;
        ct_code c;

        if (ct_hash_size(bank) == 0 || (n_images && !images))
                return ct_error_set(err, CT_E_ARG, "ct_pcr4_predict: invalid argument");
        ct_digest_zero(&pcr, bank);

        c = action(&pcr, CT_PCR4_CALLING, fn, userdata, err);
        if (!c)
                c = action(&pcr, CT_PCR4_SEPARATOR, fn, userdata, err);
        for (unsigned i = 0; !c && i < failed_boot_options; i++) {
                c = action(&pcr, CT_PCR4_RETURNING, fn, userdata, err);
                if (!c)
                        c = action(&pcr, CT_PCR4_CALLING, fn, userdata, err);
        }
        if (c)
                return c;

        for (size_t i = 0; i < n_images; i++) {
                ct_pcr4_event ev = { .kind = CT_PCR4_APPLICATION, .image = i };

                c = ct_pe_authenticode(images[i].pe, &bank, 1, &ev.digest, err);
                if (!c)
                        c = extend(&pcr, &ev, fn, userdata, err);
                if (c)
                        return c;
                if (images[i].is_uki && images[i].kernel_event) {
                        ct_pcr4_event kev = { .kind = CT_PCR4_UKI_KERNEL, .image = i };

                        c = uki_kernel_authenticode(&images[i], bank, &kev.digest, err);
                        if (!c)
                                c = extend(&pcr, &kev, fn, userdata, err);
                        if (c)
                                return c;
                }
        }
        *ret_pcr = pcr;
        return CT_OK;
}
