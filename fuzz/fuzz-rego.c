/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the .rego scanner (query_reference_value calls), then a lint against what it found. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cocotrust/rvps.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char payload[] = "{\"a\": [1], \"b\": \"x\", \"snp_launch_measurement\": []}";
        ct_rv_ref *refs = NULL;
        size_t n = 0;
        ct_lint_result *r = NULL;

        if (ct_rego_scan((const char *)data, size, &refs, &n, NULL) != CT_OK)
                return 0;
        if (ct_rvps_lint(payload, sizeof(payload) - 1, refs, n, NULL, &r, NULL) == CT_OK)
                ct_lint_result_free(r);
        free(refs);
        return 0;
}
