/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: TPMS_ATTEST, TPMT_SIGNATURE, TPM2B_PUBLIC, tpm2-tools' PCR file, and Trustee TPM evidence JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cocotrust/evidence.h>
#include <cocotrust/pcr.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_tpm_attest a;
        ct_tpm_signature *s = malloc(sizeof(*s));
        ct_pcr_set *set = malloc(sizeof(*set));
        ct_tpm_evidence_result *ev = malloc(sizeof(*ev));
        ct_tpm_key *k = NULL;

        if (s && set && ev && size <= (1u << 16)) {
                ct_tpm_attest_parse(data, size, &a, NULL);
                ct_tpm_signature_parse(data, size, s, NULL);
                if (ct_tpm_key_parse(data, size, &k, NULL) == CT_OK) {
                        ct_tpm_quote_result *qr = malloc(sizeof(*qr));

                        /* The input as quote, signature and key at once. */
                        if (qr)
                                ct_tpm_quote_verify(data, size, data, size, k, NULL, qr, NULL);
                        free(qr);
                }
                ct_tpm_key_free(k);
                ct_tpm_pcrs_parse_serialized(data, size, set, NULL);
                ct_tpm_evidence_verify(data, size, NULL, ev, NULL);
        }
        free(s);
        free(set);
        free(ev);
        return 0;
}
