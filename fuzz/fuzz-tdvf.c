/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the TDVF metadata parser (footer table entry, end-0x20
 * pointer, descriptor, sections), then MRTD (both orders, for inputs whose
 * sections are small) and the TD HOB for two memory sizes. Seeds: a small
 * synthetic TDVF image (tests/tdx/metadata.py layout), the last 8 KiB of
 * Debian's OVMF.fd, malformed variants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/tdx.h>

#define MAX_FUZZ_INPUT (1u << 20)
#define MAX_FUZZ_MEASURED (4u << 20) /* bytes of section memory we let MRTD walk */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_tdvf_metadata md;
        ct_tdx_hob *hob;
        ct_error err;
        ct_digest d;
        uint64_t total = 0;

        if (size > MAX_FUZZ_INPUT)
                return 0;
        if (ct_tdvf_parse(data, size, &md, &err) != CT_OK)
                return 0;
        if (md.n_sections > CT_MAX_TDVF_SECTIONS || md.offset > size)
                __builtin_trap();
        for (size_t i = 0; i < md.n_sections; i++) {
                const ct_tdvf_section *s = &md.sections[i];

                if (s->raw_size && (s->data_offset > size || s->raw_size > size - s->data_offset))
                        __builtin_trap(); /* every section's data lies inside the input */
                if (s->raw_size > s->mem_size || s->gpa % 4096 || s->mem_size % 4096)
                        __builtin_trap();
                total += s->mem_size;
                if (total > MAX_FUZZ_MEASURED)
                        break;
        }
        if (total <= MAX_FUZZ_MEASURED) {
                (void)ct_tdx_mrtd(data, size, &md, CT_TDX_MRTD_SINGLE_PASS, &d, NULL, &err);
                (void)ct_tdx_mrtd(data, size, &md, CT_TDX_MRTD_TWO_PASS, &d, NULL, &err);
        }
        hob = malloc(sizeof(*hob));
        if (!hob)
                return 0;
        if (ct_tdx_td_hob(&md, 2ull << 30, hob, &err) == CT_OK && hob->measured_len + 8 != hob->len)
                __builtin_trap();
        (void)ct_tdx_td_hob(&md, 64ull << 30, hob, &err);
        free(hob);
        return 0;
}
