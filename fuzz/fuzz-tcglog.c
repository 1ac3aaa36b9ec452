/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: TCG event log walker, TPM replay and every event-data decoder. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cocotrust/tcglog.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ct_code decode_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        ct_tcg_efi_var var;
        ct_tcg_image_load img;
        ct_tcg_fw_blob blob;
        ct_tcg_tagged tag;
        char text[512];
        uint8_t loc;

        (void)info;
        (void)userdata;
        (void)err;
        ct_tcg_event_type_name(ev->type);
        ct_tcg_startup_locality(ev, &loc);
        for (unsigned i = 0; i < ev->n_digests; i++)
                ct_tcg_alg_name(ev->digests[i].alg_id);
        if (ct_tcg_decode_efi_var(ev->data, ev->data_size, ev->offset, &var, NULL) == CT_OK)
                ct_tcg_utf16_to_utf8(var.name_utf16, (size_t)var.name_chars, text, sizeof(text));
        if (ct_tcg_decode_image_load(ev->data, ev->data_size, ev->offset, &img, NULL) == CT_OK)
                ct_tcg_devpath_text(img.devpath, (size_t)img.devpath_size, text, sizeof(text));
        ct_tcg_devpath_text(ev->data, ev->data_size, text, sizeof(text));
        ct_tcg_decode_fw_blob(ev->data, ev->data_size, false, ev->offset, &blob, NULL);
        ct_tcg_decode_fw_blob(ev->data, ev->data_size, true, ev->offset, &blob, NULL);
        if (ct_tcg_decode_tagged(ev->data, ev->data_size, ev->offset, &tag, NULL) == CT_OK)
                ct_tcg_tag_name(tag.id);
        ct_tcg_utf16_to_utf8(ev->data, ev->data_size / 2, text, sizeof(text));
        return CT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_tcg_info info;
        ct_tpm_replay *r;

        if (size > (1u << 20))
                return 0;
        ct_tcg_walk(data, size, 0, decode_cb, NULL, &info, NULL);
        ct_tcg_walk(data, size, CT_TCG_STRICT, NULL, NULL, &info, NULL);
        r = malloc(sizeof(*r));
        if (r) {
                ct_tpm_replay_log(data, size, 0, r, NULL);
                free(r);
        }
        return 0;
}
