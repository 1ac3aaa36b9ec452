/* SPDX-License-Identifier: Apache-2.0 */
/* What the snp files share inside the library (not exported). */
#ifndef COCOTRUST_SNP_INTERNAL_H
#define COCOTRUST_SNP_INTERNAL_H

#include <cocotrust/snp.h>

/*
 * Extend the VMSA chain of (vmm, sig, guest_features) over the base one vCPU
 * at a time, counts 1..max_vcpus, and write into found[] (room for cap) the
 * counts whose digest equals target (target_len: 48 for the snp modes, 32 for
 * sev and seves; sev matches count 0 only, as its digest has no VMSA). The
 * common prefix (firmware, metadata, the two VMSA page digests) is hashed
 * once per call; each count costs one PAGE_INFO hash (snp) or one 4 KiB
 * SHA-256 update (seves). *ret_n = the number of matching counts (the first
 * cap of them are written).
 */
ct_code snp_base_find(const ct_snp_base *b, ct_snp_vmm vmm, uint64_t sig, uint64_t guest_features, int64_t max_vcpus,
                      const uint8_t *target, size_t target_len, int64_t *found, size_t cap, size_t *ret_n,
                      ct_error *err);

/* Whether the base measured the kernel hash table (direct boot). */
bool snp_base_has_kernel(const ct_snp_base *b);

/* Fill a table row for a configuration with the row rules (digest left zero). */
void snp_row_fill(ct_snp_row *r, ct_snp_mode mode, ct_snp_vmm vmm, const ct_snp_sig *s, int64_t vcpus,
                  uint64_t guest_features);

#endif
