/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the verity-sig partition JSON reader (ct_verity_sig_parse). */
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/reference.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_verity_sig s;

        if (ct_verity_sig_parse(data, size, &s, NULL) == CT_OK)
                ct_verity_sig_clear(&s);
        return 0;
}
