/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: SEV-SNP ATTESTATION_REPORT parser (binary and hex) and the verifier without trust material. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cocotrust/evidence.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_snp_report *r;
        ct_snp_verify_result *res;
        ct_snp_verifier *v = NULL;

        if (size > CT_MAX_SNP_REPORT_TEXT)
                return 0;
        r = malloc(sizeof(*r));
        res = malloc(sizeof(*res));
        if (r && res && ct_snp_report_parse(data, size, size & 1 ? CT_SNP_PRODUCT_TURIN : 0, r, NULL) == CT_OK &&
            ct_snp_verifier_new(&v, NULL) == CT_OK) {
                /* Data as a certificate too: the verifier must cope with whatever parses. */
                ct_snp_verifier_add_certs(v, data, size, "fuzz", NULL);
                ct_snp_verify(v, r, NULL, res, NULL);
        }
        ct_snp_verifier_free(v);
        free(r);
        free(res);
        return 0;
}
