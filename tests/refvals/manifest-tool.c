/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: `manifest-tool sample` prints tests/refvals/sample.h's
 * manifest; `manifest-tool read FILE` parses FILE with ct_manifest_read and
 * prints it again (exit 2 and one line naming the field on bad input);
 * `manifest-tool init-data FILE` prints the init-data forms of a TOML file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/manifest.h>

#include "sample.h"

static int print(const ct_manifest *m)
{
        ct_error err;
        char *s;
        size_t len;

        if (ct_manifest_to_json(m, &s, &len, &err)) {
                fprintf(stderr, "manifest-tool: %s\n", err.msg);
                return 3;
        }
        fwrite(s, 1, len, stdout);
        free(s);
        return 0;
}

int main(int argc, char **argv)
{
        ct_manifest *m = NULL;
        ct_error err;
        int rc;

        if (argc == 2 && strcmp(argv[1], "sample") == 0) {
                m = sample_manifest(false);
                rc = print(m);
                ct_manifest_free(m);
                return rc;
        }
        if (argc == 3 && strcmp(argv[1], "read") == 0) {
                if (ct_manifest_read(argv[2], &m, &err)) {
                        fprintf(stderr, "%s: %s\n", argv[2], err.msg);
                        return ct_code_exit_status(err.code);
                }
                rc = print(m);
                ct_manifest_free(m);
                return rc;
        }
        if (argc == 3 && strcmp(argv[1], "init-data") == 0) {
                ct_manifest_init_data d;
                ct_blob b;
                char hex[129];

                if (ct_blob_read(argv[2], 1 << 20, &b, &err) ||
                    ct_manifest_init_data_compute(b.data, b.len, CT_HASH_NONE, &d, &err)) {
                        fprintf(stderr, "%s: %s\n", argv[2], err.msg);
                        return ct_code_exit_status(err.code);
                }
                ct_blob_free(&b);
                printf("algorithm %s\n", ct_hash_name(d.alg));
                printf("digest %s\n", ct_hex_encode(d.digest.bytes, d.digest.len, hex));
                printf("host_data %s\n", ct_hex_encode(d.host_data, 32, hex));
                printf("mrconfigid %s\n", ct_hex_encode(d.mrconfigid, 48, hex));
                printf("pcr8 %s\n", ct_hex_encode(d.pcr8, 32, hex));
                return 0;
        }
        fprintf(stderr, "usage: manifest-tool sample | read FILE | init-data FILE\n");
        return 2;
}
