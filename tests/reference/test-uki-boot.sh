#!/bin/bash
# A UKI built by `cocotrust uki build` boots under `cocotrust tpm capture` (QEMU + OVMF + swtpm), and
# the PCRs read inside the guest equal the predictions: PCR 11 == `uki measure` (no phase word: the
# capture initrd runs no systemd-pcrphase), PCR 4 == `reference`'s (one failed boot option: the
# capture VM's empty DVD drive). TAP. Takes 1-3 minutes under TCG.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
V=$CT_SOURCE_ROOT/tests/vectors
for t in qemu-system-x86_64 swtpm; do
        if ! command -v $t >/dev/null; then
                skip "UKI boot" "$t not installed"
                done_testing; exit 0
        fi
done
if [ ! -e /usr/share/OVMF/OVMF_CODE_4M.fd ] || [ ! -e /bin/busybox ] && [ ! -e /usr/bin/busybox ]; then
        skip "UKI boot" "OVMF (ovmf) or busybox-static not installed"
        done_testing; exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-ukiboot.XXXXXX")
trap 'rm -rf "$W"' EXIT
"$CT" tpm capture --write-initrd "$W/capture.cpio" >/dev/null 2>&1; ok $? "capture initrd written"
# no_timer_check: under a loaded TCG host the kernel's IO-APIC timer check can panic.
"$CT" uki build --stub "$V/pe/linuxx64.efi.stub" --linux "$V/kernel/vmlinuz-6.1.0-56-amd64" --initrd "$W/capture.cpio" \
        --cmdline "console=ttyS0 panic=-1 loglevel=4 no_timer_check" --osrel "$V/uki/inputs/os-release" -o "$W/uki.efi" >/dev/null
ok $? "uki build"
"$CT" tpm capture --uki "$W/uki.efi" -o "$W/cap" --timeout 900 > "$W/cap.out" 2>&1
r=$?; ok $r "the built UKI boots under tpm capture and its event log replays to its PCRs"
[ $r = 0 ] || sed 's/^/# /' "$W/cap.out" | tail -20
pcr() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['pcrs']['sha256'][sys.argv[2]])" "$1" "$2" 2>/dev/null; }
want11=$("$CT" uki measure "$W/uki.efi" --bank=sha256 --phase=: 2>/dev/null | sed 's/^11:sha256=//')
is "$(pcr "$W/cap/pcrs.json" 11)" "$want11" "captured PCR 11 == uki measure of the built UKI"
"$CT" reference --uki "$W/uki.efi" --failed-boot-options 1 --capture "$W/cap/pcrs.json" --quiet -o "$W/m.json" >/dev/null
is "$(pcr "$W/cap/pcrs.json" 4)" "$(python3 -c "import json; print(json.load(open('$W/m.json'))['pcrs']['sha256']['4'])")" \
        "captured PCR 4 == reference's prediction"
is "$(python3 -c "import json; print(json.load(open('$W/m.json'))['captured_pcrs']['sha256']['11'])")" "$want11" \
        "reference --capture records the captured PCRs"
done_testing
