/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the root-hash reader (ct_verity_root_hash_parse), which
 * reads the untrusted bytes of a --root-hash-file (and the ROOT_HASH
 * argument). The first input byte picks the digest size wanted (1..64, as
 * the hash algorithms do), the rest is the file. Checks: on success the
 * digest re-encodes to the input's hex digits (case-folded, trailing CR/LF/
 * space dropped), and nothing beyond `want` bytes of root is written.
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
        uint8_t root[CT_VERITY_MAX_DIGEST + 1];
        char hex[2 * CT_VERITY_MAX_DIGEST + 1];
        size_t want, len;
        ct_error err;

        if (size < 1 || size > 8192)
                return 0;
        want = (size_t)(data[0] % CT_VERITY_MAX_DIGEST) + 1;
        memset(root, 0xA5, sizeof(root));
        ct_error_clear(&err);
        if (ct_verity_root_hash_parse(data + 1, size - 1, want, root, &err) != CT_OK) {
                if (!err.msg[0])
                        abort();
                return 0;
        }
        if (root[want] != 0xA5)
                abort();
        len = size - 1;
        while (len && (data[len] == '\n' || data[len] == '\r' || data[len] == ' '))
                len--;
        if (len != 2 * want)
                abort();
        ct_hex_encode(root, want, hex);
        for (size_t i = 0; i < len; i++)
                if (hex[i] != tolower(data[1 + i]))
                        abort();
        return 0;
}
