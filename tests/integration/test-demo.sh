#!/bin/bash
# `make demo` end to end (examples/demo.sh): it must finish, and its final verdicts must be the story's:
# the reference boot affirming, the tampered PCR set and the SNP launch for another vCPU count
# contraindicated, each with its explanation; verity verify names /coco after CoCo -> DoCo.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for tool in qemu-system-x86_64 swtpm busybox cpio systemd-repart python3; do
        if ! command -v $tool >/dev/null; then
                skip "make demo" "$tool not installed (scripts/install-deps)"
                done_testing; exit $?
        fi
done
if [ "$(id -u)" != 0 ]; then
        skip "make demo" "systemd-repart needs root (loop devices)"
        done_testing; exit $?
fi
export TMPDIR=$T
start=$(date +%s)
NO_COLOR=1 "$CT_SOURCE_ROOT/examples/demo.sh" "$COCOTRUST" >"$T/out" 2>&1
rc=$?
diag "demo: $(( $(date +%s) - start )) s"
is "$rc" 0 "demo: exit 0"
[ "$rc" = 0 ] || diag "$(tail -20 "$T/out")"
v() { sed -n "s/^   $1: *//p" "$T/out"; }
is "$(v 'reference boot')" affirming "verdict: reference boot affirming"
is "$(v 'tampered PCR set')" contraindicated "verdict: tampered PCR set contraindicated"
is "$(v 'SNP launch, 3 vCPUs')" contraindicated "verdict: SNP launch for 3 vCPUs contraindicated"
grep -q "the event log replays to the REFERENCE value" "$T/out"; ok $? "tampered PCR set: explained (the log replays to the reference value)"
grep -q "matches snp, 3 vCPUs, EPYC-Genoa, QEMU" "$T/out"; ok $? "SNP launch: explained (matches 3 vCPUs, EPYC-Genoa)"
grep -q "the manifest covers 4 vCPUs, EPYC-Milan" "$T/out"; ok $? "SNP launch: says what the manifest covers"
grep -q "corrupt data block .*(/coco)" "$T/out"; ok $? "CoCo -> DoCo: verity verify names /coco"
grep -q "^     [0-9]* ok, 0 error(s), 0 warning(s)" "$T/out"; ok $? "rvps lint of the export: no error, no warning"
grep -q "affirming       verity.root" "$T/out"; ok $? "reference boot: the verity root hash is bound to a measured cmdline"
grep -qi "the firmware is a fixture" "$T/out"; ok $? "says which firmware is a fixture"
if [ -t 1 ]; then :; fi
! grep -q $'\033' "$T/out"; ok $? "NO_COLOR: no escape sequences"
done_testing
