/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — init-data digests and the forms they take in evidence
 * (guest-components attestation-agent initdata.rs; trustee tpm verifier):
 * SNP HOST_DATA = digest padded / truncated to 32 bytes, TDX MRCONFIGID =
 * padded / truncated to 48 bytes, vTPM PCR 8 = SHA-256(32 zero bytes || the
 * 32-byte form).
 */
#include <string.h>

#include <cocotrust/hash.h>
#include <cocotrust/manifest.h>
#include <cocotrust/reader.h>

#include "../internal.h"

/*
 * The value of a top-level `algorithm = "<name>"` line of the TOML (before
 * the first [table] header). Only this one key is looked at; the document
 * is hashed as raw bytes and never interpreted otherwise. Returns
 * CT_HASH_SHA256 when the key is absent (guest-components' default) and
 * CT_HASH_NONE for a value it does not know.
 */
static ct_hash_alg toml_algorithm(const uint8_t *buf, size_t len, ct_error *err, ct_code *rc)
{
        ct_reader r;

        *rc = CT_OK;
        ct_reader_init(&r, buf, len, 0);
        while (ct_reader_remaining(&r) > 0) {
                size_t start = ct_reader_pos(&r), n = 0, i;
                const uint8_t *line;

                while (n < ct_reader_remaining(&r) && buf[start + n] != '\n')
                        n++;
                line = ct_reader_ptr(&r, n, "init_data.line");
                if (ct_reader_remaining(&r) > 0)
                        ct_reader_skip(&r, 1, "init_data.newline");
                i = 0;
                while (i < n && (line[i] == ' ' || line[i] == '\t'))
                        i++;
                if (i < n && line[i] == '[')
                        break;
                if (n - i < 9 || memcmp(line + i, "algorithm", 9) != 0)
                        continue;
                i += 9;
                while (i < n && (line[i] == ' ' || line[i] == '\t'))
                        i++;
                if (i >= n || line[i] != '=')
                        continue;
                i++;
                while (i < n && (line[i] == ' ' || line[i] == '\t'))
                        i++;
                if (i < n && (line[i] == '"' || line[i] == '\'')) {
                        uint8_t q = line[i++];
                        size_t s = i;
                        char name[16];

                        while (i < n && line[i] != q)
                                i++;
                        if (i >= n || i - s >= sizeof(name)) {
                                *rc = ct_error_set_at(err, CT_E_MALFORMED, start, "init-data: bad algorithm value");
                                return CT_HASH_NONE;
                        }
                        memcpy(name, line + s, i - s);
                        name[i - s] = 0;
                        if (strcmp(name, "sha256") == 0)
                                return CT_HASH_SHA256;
                        if (strcmp(name, "sha384") == 0)
                                return CT_HASH_SHA384;
                        if (strcmp(name, "sha512") == 0)
                                return CT_HASH_SHA512;
                        *rc = ct_error_set_at(err, CT_E_UNSUPPORTED, start,
                                              "init-data: algorithm \"%s\" (sha256, sha384 or sha512)", name);
                        return CT_HASH_NONE;
                }
                *rc = ct_error_set_at(err, CT_E_MALFORMED, start, "init-data: algorithm is not a string");
                return CT_HASH_NONE;
        }
        return CT_HASH_SHA256;
}

CT_EXPORT ct_code ct_manifest_init_data_compute(const uint8_t *toml, size_t len, ct_hash_alg alg, ct_manifest_init_data *ret,
                                      ct_error *err)
{
        ct_manifest_init_data d = { 0 };
        uint8_t buf[64];
        ct_digest pcr;
        ct_code rc;

        if (!toml && len)
                return ct_error_set(err, CT_E_ARG, "init-data: no buffer");
        if (alg == CT_HASH_NONE) {
                alg = toml_algorithm(toml, len, err, &rc);
                if (rc)
                        return rc;
        }
        if (alg != CT_HASH_SHA256 && alg != CT_HASH_SHA384 && alg != CT_HASH_SHA512)
                return ct_error_set(err, CT_E_ARG, "init-data: algorithm must be sha256, sha384 or sha512");
        rc = ct_hash_buf(alg, toml, len, &d.digest, err);
        if (rc)
                return rc;
        d.alg = alg;
        memset(buf, 0, sizeof(buf));
        memcpy(buf, d.digest.bytes, d.digest.len);
        memcpy(d.host_data, buf, 32);
        memcpy(d.mrconfigid, buf, 48);
        memset(buf, 0, 32);
        memcpy(buf + 32, d.host_data, 32);
        rc = ct_hash_buf(CT_HASH_SHA256, buf, 64, &pcr, err);
        if (rc)
                return rc;
        memcpy(d.pcr8, pcr.bytes, 32);
        *ret = d;
        return CT_OK;
}
