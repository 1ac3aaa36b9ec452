/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the image-description reader (YAML / JSON through
 * libyaml, ct_desc_parse) and the field setters it drives.
 */
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/reference.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_desc *d = NULL;

        if (size > (256u << 10) || ct_desc_new(&d, NULL) != CT_OK)
                return 0;
        ct_desc_parse(d, data, size, "base", NULL);
        ct_desc_free(d);
        return 0;
}
