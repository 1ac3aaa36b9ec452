/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the manifest reader of rvps export and the RVPS message / payload reader of rvps lint. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cocotrust/rvps.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_rvps_export_opts az = { .azure = true };
        ct_rvps_export *e = NULL;
        ct_lint_result *r = NULL;
        const ct_rv_ref *refs;
        size_t n;

        if (size > (1u << 20))
                return 0;
        if (ct_rvps_export_manifest((const char *)data, size, &az, &e, NULL) == CT_OK) {
                const char *m = ct_rvps_export_message(e);
                size_t ml = 0;
                while (m[ml])
                        ml++;
                refs = ct_rv_builtin(&n);
                if (ct_rvps_lint(m, ml, refs, n, NULL, &r, NULL) == CT_OK)
                        ct_lint_result_free(r);
                r = NULL;
                ct_rvps_export_free(e);
        }
        refs = ct_rv_builtin(&n);
        if (ct_rvps_lint((const char *)data, size, refs, n, &az, &r, NULL) == CT_OK)
                ct_lint_result_free(r);
        return 0;
}
