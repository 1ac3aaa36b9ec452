#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Demo section "snp": SEV-SNP launch digests from the inputs shipped in tests/vectors/snp/inputs.
#   examples/demo-snp.sh build/cocotrust      (run from the project root after `make build`)
set -euo pipefail
CT=$(realpath "${1:-build/cocotrust}")
cd "$(dirname "$0")/.."
IN=tests/vectors/snp/inputs
TSV=tests/vectors/snp/snp_vectors.tsv
ref() { awk -F'\t' -v id="$1" '$1 == id { print $4 }' "$TSV"; }

echo "== snp: AMD SEV-SNP launch digests (sev-snp-measure 0.0.13 compatible)"
echo
echo "-- 1. QEMU direct boot: AmdSevX64 OVMF footer + synthetic 2 MiB kernel + initrd + cmdline, 2 vCPUs EPYC-Milan"
echo "   \$ cocotrust snp measure --mode snp --vcpus 2 --vcpu-type EPYC-Milan --ovmf $IN/ovmf_AmdSev_suffix.bin \\"
echo "       --kernel $IN/kernel_synth.bin --initrd $IN/initrd_small.bin --append 'console=ttyS0 loglevel=7'"
got=$("$CT" snp measure --mode snp --vcpus 2 --vcpu-type EPYC-Milan --ovmf "$IN/ovmf_AmdSev_suffix.bin" \
        --kernel "$IN/kernel_synth.bin" --initrd "$IN/initrd_small.bin" --append 'console=ttyS0 loglevel=7')
want=$(ref snp_amdsev_k_i_c_v2_milan)
echo "   cocotrust:       $got"
echo "   sev-snp-measure: $want   (recorded vector snp_amdsev_k_i_c_v2_milan)"
[ "$got" = "$want" ] && echo "   -> identical" || { echo "   -> DIFFERENT"; exit 1; }
echo
echo "-- 2. The same with --json: the digest documents the parameters and input files behind it"
"$CT" snp measure --mode snp --vcpus 2 --vcpu-type EPYC-Milan --ovmf "$IN/ovmf_AmdSev_suffix.bin" \
        --kernel "$IN/kernel_synth.bin" --initrd "$IN/initrd_small.bin" --append 'console=ttyS0 loglevel=7' --json |
        sed -n '1,14p;/"inputs"/,/^  }/p' | sed 's/^/   /'
echo
echo "-- 3. A table in one run: vCPU counts 1-4 x two CPU models (the firmware and kernel are hashed once)"
"$CT" snp measure --mode snp --vcpus 1-4 --vcpu-type EPYC-Milan,EPYC-Genoa --ovmf "$IN/ovmf_AmdSev_suffix.bin" \
        --kernel "$IN/kernel_synth.bin" --initrd "$IN/initrd_small.bin" --append 'console=ttyS0 loglevel=7' |
        sed 's/^/   /'
echo "   (row EPYC-Genoa / 2 vCPUs = sev-snp-measure vector snp_amdsev_k_i_c_v2_genoa: $(ref snp_amdsev_k_i_c_v2_genoa | cut -c1-16)...)"
echo
echo "-- 4. Debian's OVMF_CODE_4M.fd, firmware only (no -kernel): measurable"
got=$("$CT" snp measure --mode snp --vcpus 4 --vcpu-type EPYC-Milan --ovmf "$IN/debian_OVMF_CODE_4M.fd")
echo "   $got   (sev-snp-measure: $(ref snp_deb4m_nokernel_v4_milan | cut -c1-16)...)"
echo
echo "-- 5. Debian's OVMF with a kernel: it has no kernel hashes page, so direct boot cannot be measured"
set +e
"$CT" snp measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$IN/debian_OVMF_CODE_4M.fd" \
        --kernel "$IN/kernel_synth.bin" 2>&1 | fold -s -w 110 | sed 's/^/   /'
rc=${PIPESTATUS[0]}
set -e
echo "   exit status $rc (2 = bad input)"
