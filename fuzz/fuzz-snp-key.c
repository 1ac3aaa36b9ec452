/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the ID / author key input of `snp id-block`
 * (ct_snp_key_digest: PEM private or public key, P-384 check, public key
 * structure). Seeds: sev-snp-measure's two test keys (tests/vectors/snp/
 * idblock), their PKCS#8 and public forms, a P-256 key, a broken PEM block.
 */
#include <stdint.h>
#include <string.h>

#include <cocotrust/snp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t pub[CT_SNP_ECC_PUBKEY_SIZE], d[CT_SNP_LD_SIZE];
        ct_error err;

        if (ct_snp_key_digest(data, size, pub, d, &err) == CT_OK) {
                if (pub[0] != 2 || pub[1] || pub[2] || pub[3])
                        __builtin_trap(); /* curve 2 (P-384), little-endian */
                for (size_t i = 148; i < sizeof(pub); i++)
                        if (pub[i])
                                __builtin_trap();
        } else if (err.code != CT_E_MALFORMED && err.code != CT_E_UNSUPPORTED && err.code != CT_E_LIMIT &&
                   err.code != CT_E_NOMEM) {
                __builtin_trap();
        }
        return 0;
}
