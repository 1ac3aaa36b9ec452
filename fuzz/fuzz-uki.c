/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a UKI read with every stub version's lookup rules
 * (including 257 profiles), its PCR 11, and the PCR 4 prediction, which
 * parses the embedded .linux as a PE image of its own.
 */
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/pe.h>
#include <cocotrust/uki.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PE_FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const ct_uki_stub versions[] = { CT_UKI_STUB_252, CT_UKI_STUB_254, CT_UKI_STUB_257 };
        ct_pe *pe = NULL;
        unsigned v;

        if (size > PE_FUZZ_MAX_INPUT || ct_pe_parse(data, size, &pe, NULL) != CT_OK)
                return 0;
        /* Sections are bounded by SizeOfImage (up to 4 GiB of zero fill): cap the work per input. */
        if (ct_pe_get_info(pe)->size_of_image > (16u << 20)) {
                ct_pe_free(pe);
                return 0;
        }
        (void)ct_uki_stub_version_from_pe(pe, &v, NULL);
        for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
                for (unsigned profile = 0; profile < 3; profile++) {
                        ct_uki_parts parts;
                        ct_digest pcr;
                        ct_boot_image img = { .pe = pe, .is_uki = true, .stub = versions[i], .kernel_event = true };

                        ct_digest_zero(&pcr, CT_HASH_SHA256);
                        if (ct_uki_parts_from_pe(pe, versions[i], profile, &parts, NULL) != CT_OK)
                                continue;
                        (void)ct_uki_measure(&parts, versions[i], CT_HASH_SHA256, NULL, NULL, &pcr, NULL);
                        (void)ct_uki_extend_phase(&pcr, "enter-initrd::leave-initrd", NULL, NULL, NULL);
                        if (profile == 0)
                                (void)ct_pcr4_predict(&img, 1, 1, CT_HASH_SHA1, NULL, NULL, &pcr, NULL);
                }
        }
        ct_pe_free(pe);
        return 0;
}
