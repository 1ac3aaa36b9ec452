/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: TCG event log walker, TPM replay, every event-data decoder and the tpm2_eventlog YAML. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cocotrust/check.h>
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
        ct_tcg_event_describe(ev, text, sizeof(text));
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
        {
                /* both YAML versions, with the digest warnings, into /dev/null */
                static FILE *null;
                if (!null)
                        null = fopen("/dev/null", "w");
                for (unsigned v = 1; null && v <= 2; v++) {
                        ct_tcg_yaml_opts yo = { .version = v, .warnings = null };
                        ct_tcg_yaml_write(null, data, size, 0, &yo, NULL, NULL);
                }
        }
        r = malloc(sizeof(*r));
        if (r) {
                ct_tpm_replay_log(data, size, 0, r, NULL);
                free(r);
        }
        {
                /* the check against a set with a PCR of every index in sha1 and sha256 (all 00) */
                ct_pcr_set *s = malloc(sizeof(*s));
                ct_tpm_check *c;
                if (s) {
                        ct_pcr_set_init(s);
                        for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                                ct_digest d1 = { .alg = CT_HASH_SHA1, .len = 20 }, d2 = { .alg = CT_HASH_SHA256, .len = 32 };
                                ct_pcr_set_put(s, i, &d1, NULL);
                                ct_pcr_set_put(s, i, &d2, NULL);
                        }
                        if (ct_tpm_check_log(data, size, s, 0, 0, &c, NULL) == CT_OK)
                                ct_tpm_check_free(c);
                        free(s);
                }
        }
        return 0;
}
