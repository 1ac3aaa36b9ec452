/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the --vcpus list / range parser (ct_snp_vcpus_parse), the
 * Python int() text parsers it rests on (ct_snp_parse_i64 / _u64) and the
 * comma-list parsers of --vcpu-type, --vcpu-sig, --vmm-type and
 * --guest-features (ct_snp_sigs_from_types / _values, ct_snp_vmms_parse,
 * ct_snp_u64_list_parse). The
 * input is taken as one NUL-terminated string (cut at the first NUL).
 * Checks: every count is within the limit, a list's ranges come out
 * ascending, and the result of a single count agrees with ct_snp_parse_i64.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/snp.h>

#define MAX_FUZZ_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s;
        int64_t *v = NULL, one;
        uint64_t u;
        size_t n = 0;
        ct_error err;

        if (size > MAX_FUZZ_INPUT)
                return 0;
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        (void)ct_snp_parse_u64(s, &u);
        {
                ct_snp_sig *sigs = NULL;
                uint64_t *gf = NULL;
                ct_snp_vmm vmms[4];
                size_t k = 0;

                if (ct_snp_sigs_from_types(s, &sigs, &k, &err) == CT_OK) {
                        for (size_t i = 0; i < k; i++)
                                if (!sigs[i].vcpu_type || !ct_snp_vcpu_type_find(sigs[i].vcpu_type))
                                        __builtin_trap();
                        free(sigs);
                }
                if (ct_snp_sigs_from_values(s, &sigs, &k, &err) == CT_OK) {
                        if (k == 0 || k > CT_MAX_SNP_LIST_ITEMS)
                                __builtin_trap();
                        free(sigs);
                }
                if (ct_snp_vmms_parse(s, vmms, 4, &k, &err) == CT_OK)
                        for (size_t i = 0; i < k; i++)
                                if ((unsigned)vmms[i] >= CT_SNP_VMM__MAX)
                                        __builtin_trap();
                if (ct_snp_u64_list_parse(s, &gf, &k, &err) == CT_OK)
                        free(gf);
        }
        if (ct_snp_vcpus_parse(s, &v, &n, &err) == CT_OK) {
                if (n == 0 || n > CT_MAX_SNP_TABLE_ROWS)
                        __builtin_trap();
                for (size_t i = 0; i < n; i++)
                        if (v[i] > CT_MAX_SNP_VCPUS)
                                __builtin_trap();
                if (ct_snp_parse_i64(s, &one) && (n != 1 || v[0] != one))
                        __builtin_trap();
                free(v);
        } else if (err.code != CT_E_MALFORMED && err.code != CT_E_LIMIT && err.code != CT_E_NOMEM) {
                __builtin_trap();
        }
        free(s);
        return 0;
}
