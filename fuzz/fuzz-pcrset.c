/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: PCR-set text readers (tpm2_pcrread-style YAML, PCR-set JSON) and compare. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cocotrust/pcr.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_pcr_set *s = malloc(2 * sizeof(*s));
        ct_pcr_compare cmp;

        if (!s || size > (1u << 20)) {
                free(s);
                return 0;
        }
        ct_pcr_set_init(&s[0]);
        ct_pcr_set_parse_text((const char *)data, size, CT_PCR_FORMAT_YAML, &s[0], NULL);
        ct_pcr_set_init(&s[1]);
        ct_pcr_set_parse_text((const char *)data, size, CT_PCR_FORMAT_JSON, &s[1], NULL);
        if (ct_pcr_set_parse_text((const char *)data, size, CT_PCR_FORMAT_AUTO, &s[1], NULL) == CT_OK) {
                const ct_pcr_set *o = &s[1];
                ct_pcr_compare_sets(&s[0], &o, 1, &cmp, NULL);
        }
        free(s);
        return 0;
}
