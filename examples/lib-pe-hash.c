/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib-pe-hash — a small program built on libcocotrust: the Authenticode
 * digest of PE images (what UEFI firmware extends into PCR 4), printed as
 * "HEX  FILE" like pesign -h / sha256sum.
 *
 *   cc -o lib-pe-hash lib-pe-hash.c $(pkg-config --cflags --libs cocotrust)
 *   ./lib-pe-hash [-a sha1|sha256|sha384|sha512] FILE...
 *
 * Exit status: 0 ok, 2 bad usage or input, 3 I/O error.
 */
#include <stdio.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/error.h>
#include <cocotrust/fileio.h>
#include <cocotrust/hash.h>
#include <cocotrust/pe.h>

static int hash_one(const char *path, ct_hash_alg alg)
{
        ct_error err = { 0 };
        ct_blob blob = { 0 };
        ct_digest d;
        char hex[2 * CT_HASH_MAX_SIZE + 1];

        if (ct_blob_read(path, 0, &blob, &err) != CT_OK) {
                fprintf(stderr, "lib-pe-hash: %s: %s\n", path, err.msg);
                return err.code == CT_E_IO ? 3 : 2;
        }
        if (ct_pe_authenticode_buf(blob.data, blob.len, alg, &d, &err) != CT_OK) {
                fprintf(stderr, "lib-pe-hash: %s: %s\n", path, err.msg);
                ct_blob_free(&blob);
                return 2;
        }
        ct_blob_free(&blob);
        printf("%s  %s\n", ct_hex_encode(d.bytes, d.len, hex), path);
        return 0;
}

int main(int argc, char **argv)
{
        ct_hash_alg alg = CT_HASH_SHA256;
        int i = 1, rc = 0;

        if (argc > 2 && strcmp(argv[1], "-a") == 0) {
                alg = ct_hash_from_name(argv[2]);
                if (alg == CT_HASH_NONE) {
                        fprintf(stderr, "lib-pe-hash: unknown hash algorithm '%s'\n", argv[2]);
                        return 2;
                }
                i = 3;
        }
        if (i >= argc) {
                fprintf(stderr, "usage: lib-pe-hash [-a sha1|sha256|sha384|sha512] FILE...\n");
                return 2;
        }
        for (; i < argc; i++) {
                int r = hash_one(argv[i], alg);
                if (r > rc)
                        rc = r;
        }
        return rc;
}
