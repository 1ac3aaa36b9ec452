#!/bin/bash
# Demo: Authenticode (PCR 4) and UKI PCR 11, on inputs shipped in the repository.
# usage: examples/demo-pe-uki.sh CT_BINARY   (from the project root, after `make build`)
set -eu
CT=${1:?usage: examples/demo-pe-uki.sh CT_BINARY}
case $CT in /*) ;; *) CT=$PWD/$CT ;; esac
K=tests/vectors/kernel/vmlinuz-6.1.0-56-amd64
IN=tests/vectors/uki/inputs
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-demo-pe.XXXXXX")
trap 'rm -rf "$W"' EXIT
pcr_from_boot() { # the value read from sysfs after the real OVMF + swtpm boot
        awk -v bank="  $2:" -v idx="$3" '/^  [a-z0-9]+:$/ {inb = ($0 == bank); next}
                inb {k = $1; sub(":", "", k); if (k == idx) {v = $NF; sub("^0x", "", v); print tolower(v)}}' \
                "tests/vectors/uki/boot/$1/pcrs-sysfs.pcrread-style.yaml"
}

echo "== 1. Authenticode of the Debian 12 kernel (what firmware extends into PCR 4)"
"$CT" pe hash "$K"
echo "   pesign -h agrees: $(pesign -h -i "$K" 2>/dev/null | sed -n 's/^hash: //p' || echo '(pesign not installed)')"

echo
echo "== 2. PCR 11 from a UKI's parts, systemd-measure compatible (sha256, no phase word)"
"$CT" uki measure --linux="$K" --osrel="$IN/os-release" --cmdline="$IN/cmdline-a.txt" \
        --initrd="$IN/initrd.cpio.gz" --bank=sha256 --phase=: 2>/dev/null

echo
echo "== 3. Build that UKI with objcopy (systemd 252 stub), then predict PCR 4 and 11 from the file"
CT_SOURCE_ROOT=$PWD tests/uki/build-ukis.sh "$W" A
"$CT" pcr predict --uki "$W/uki-A.efi" --secure-boot off --failed-boot-options 1 --bank sha256
echo "   read after a real OVMF + swtpm boot of this UKI:"
echo "   4:sha256=$(pcr_from_boot uki-A sha256 4)"
echo "   11:sha256=$(pcr_from_boot uki-A sha256 11)"

echo
echo "== 4. Secure Boot on: the 252 stub's kernel is not measured into PCR 4, so PCR 4 differs"
"$CT" pcr predict --uki "$W/uki-A.efi" --secure-boot on --failed-boot-options 1 --bank sha256 | head -1

echo
echo "== 5. Why a rebuilt UKI changes PCR 4: objcopy stamps the build time into TimeDateStamp"
objcopy --add-section .osrel="$IN/os-release" --change-section-vma .osrel=0x20000 \
        tests/vectors/pe/linuxx64.efi.stub "$W/stamped.efi"
"$CT" pe hash "$W/stamped.efi" 2>&1 | sed 's/^/   /'
