#!/bin/bash
# Demo: TCG event logs, PCR sets and reference values — `demo-eventlog.sh CT_BINARY`, run from the
# project root. Uses only the vectors shipped in tests/vectors/tpm (no VM is booted here; see
# docs/eventlog-pcr-tpm.md for `tpm capture`).
set -u
CT=${1:-build/cocotrust}
V=tests/vectors/tpm
if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B='' N=''; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
run() { printf '$ %s\n' "$*"; "$@"; echo "(exit $?)"; }

say "1. A real OVMF+swtpm boot of a UKI: the events of its log (first lines)"
printf '$ %s\n' "$CT eventlog show $V/boot/uki-A/binary_bios_measurements | sed -n '1,3p;26,30p;39,40p'"
"$CT" eventlog show "$V/boot/uki-A/binary_bios_measurements" | sed -n '1,3p;26,30p;39,40p'

say "2. Replay it: the PCR values the log explains (tpm2_eventlog's pcrs: layout)"
run "$CT" eventlog replay --bank sha256 "$V/boot/uki-A/binary_bios_measurements"

say "3. Check the log against the PCRs read in the guest (/sys/class/tpm/tpm0/pcr-*/N)"
run "$CT" eventlog check "$V/boot/uki-A/binary_bios_measurements" --pcrs "$V/boot/uki-A/pcrs-sysfs.pcrread-style.yaml" --bank sha256

say "4. A log the kernel cut short (systemd 257 stub boot): which PCR and which events"
echo "   tpm2_eventlog 5.4 fails on this log (\"size insufficient for event data\", exit 1)."
run "$CT" eventlog check "$V/boot/uki-E-stub257/binary_bios_measurements" --pcrs "$V/boot/uki-E-stub257/pcrs-sysfs.pcrread-style.yaml" --bank sha256

say "5. StartupLocality 3 on a real machine: PCR 0 as the real TPM had it (tpm2_eventlog 5.4 gets it wrong)"
run "$CT" eventlog replay --bank sha256 "$V/eventlogs/gotpmtools-glinux-alex.bin"
echo "   real TPM (go-tpm-tools): PCR 0 = $(python3 -c 'import json; print(json.load(open("'"$V"'/eventlogs/gotpmtools-real-tpm-expected-pcrs.json"))["glinux-alex.bin"]["banks"]["sha256"]["0"])')"

say "6. Which PCRs are good reference values? Plain boot vs the same UKI signed, with Secure Boot"
out=$(mktemp)
run "$CT" pcr compare "$V/boot/uki-A/pcrs-sysfs.pcrread-style.yaml" "$V/boot/uki-A-secureboot/pcrs-sysfs.pcrread-style.yaml" --bank sha256 --emit "$out"
echo "   --emit wrote the common ones as PCR-set JSON:"
head -8 "$out"; echo "   ..."
rm -f "$out"

say "7. Malformed input is refused with the offset (exit 2)"
run "$CT" eventlog replay "$V/eventlogs/tpm2tools-specid-vendordata.bin"
