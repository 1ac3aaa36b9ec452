/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the manifest reader (ct_manifest_parse). A manifest that
 * parses must serialise, and its serialisation must parse back to the same
 * bytes (the writer and the reader agree on everything the reader accepts).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/manifest.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_manifest *m = NULL, *m2 = NULL;
        char *s = NULL, *s2 = NULL;
        size_t len, len2;

        if (size > (4u << 20))
                return 0;
        if (ct_manifest_parse(data, size, &m, NULL) != CT_OK)
                return 0;
        if (ct_manifest_to_json(m, &s, &len, NULL) != CT_OK)
                abort();
        if (ct_manifest_parse((const uint8_t *)s, len, &m2, NULL) != CT_OK)
                abort();
        if (ct_manifest_to_json(m2, &s2, &len2, NULL) != CT_OK || len != len2 || memcmp(s, s2, len) != 0)
                abort();
        free(s);
        free(s2);
        ct_manifest_free(m);
        ct_manifest_free(m2);
        return 0;
}
