/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the salt reader (ct_verity_salt_parse) of --salt, taken
 * as one NUL-terminated string (cut at the first NUL). Checks: the salt is
 * within CT_VERITY_MAX_SALT, "-" and "" give none, and an accepted salt
 * re-encodes to the input's hex digits (case-folded).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/verity.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char hex[2 * CT_VERITY_MAX_SALT + 1];
        ct_verity_params p;
        ct_error err;
        char *s;

        if (size > 4096)
                return 0;
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        ct_verity_params_init(&p);
        ct_error_clear(&err);
        if (ct_verity_salt_parse(s, &p, &err) == CT_OK) {
                size_t n = strlen(s);
                if (p.salt_size > CT_VERITY_MAX_SALT)
                        abort();
                if (strcmp(s, "-") == 0 || n == 0) {
                        if (p.salt_size)
                                abort();
                } else {
                        if (n != 2 * p.salt_size)
                                abort();
                        ct_hex_encode(p.salt, p.salt_size, hex);
                        for (size_t i = 0; i < n; i++)
                                if (hex[i] != tolower((unsigned char)s[i]))
                                        abort();
                }
        } else if (!err.msg[0]) {
                abort();
        }
        free(s);
        return 0;
}
