/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: Azure HCL report parser (+ runtime claims JSON, HCLAkPub JWK), Trustee az-*-vtpm evidence JSON, verification. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cocotrust/evidence.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_hcl_report *h = NULL;
        ct_hcl_verify_result *res = malloc(sizeof(*res));
        ct_az_evidence ev;

        if (!res || size > (1u << 18)) {
                free(res);
                return 0;
        }
        if (ct_hcl_report_parse(data, size, &h, NULL) == CT_OK) {
                ct_hcl_verify_opts o = { 0 };

                o.quote = data;
                o.quote_len = size < 256 ? size : 256;
                o.sig = data;
                o.sig_len = size;
                ct_hcl_verify(h, &o, res, NULL);
                ct_hcl_report_free(h);
        }
        if (ct_az_evidence_parse(data, size, &ev, NULL) == CT_OK) {
                if (ct_hcl_report_parse(ev.hcl, ev.hcl_len, &h, NULL) == CT_OK)
                        ct_hcl_report_free(h);
                ct_az_evidence_clear(&ev);
        }
        free(res);
        return 0;
}
