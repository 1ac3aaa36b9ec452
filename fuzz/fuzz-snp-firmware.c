/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the OVMF footer GUID table and SEV metadata parser, and
 * the SNP / SEV-ES measurement of the input as a firmware image (the parts
 * that read the table: reset block, hash table GPA, section walk). Seeds:
 * the last 4 KiB of the real firmware fixtures in tests/vectors/snp/inputs.
 */
#include <stdint.h>
#include <string.h>

#include <cocotrust/fwtable.h>
#include <cocotrust/snp.h>

#define MAX_FUZZ_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_fwtable t;
        ct_sev_metadata m;
        ct_error err;
        ct_snp_params p;
        ct_digest d;
        uint32_t v;
        static const ct_guid reset = CT_FW_GUID_SEV_ES_RESET_BLOCK;

        if (size > MAX_FUZZ_INPUT)
                return 0;
        if (ct_fwtable_parse(data, size, &t, &err) != CT_OK)
                return 0;
        for (size_t i = 0; i < t.n_entries; i++)
                if (t.entries[i].offset + t.entries[i].len > size)
                        __builtin_trap(); /* every entry must lie inside the input */
        (void)ct_fwtable_u32(&t, data, size, &reset, "reset", &v, &err);
        if (ct_sev_metadata_parse(data, size, &t, &m, &err) != CT_OK)
                return 0;
        if (m.present && (m.offset > size || m.size > size - m.offset))
                __builtin_trap();

        memset(&p, 0, sizeof(p));
        p.ovmf = data;
        p.ovmf_len = size;
        p.vcpus = 3;
        p.vcpu_sig = 0x800f12;
        p.guest_features = 1;
        p.has_kernel = (size & 1) != 0;
        p.mode = CT_SNP_MODE_SNP;
        (void)ct_snp_measure(&p, &d, &err);
        p.mode = CT_SNP_MODE_SEV_ES;
        p.vmm = CT_SNP_VMM_EC2;
        (void)ct_snp_measure(&p, &d, &err);
        return 0;
}
