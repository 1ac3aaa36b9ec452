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
NO_COLOR=1 CT_DEMO_KEEP=$T/keep "$CT_SOURCE_ROOT/examples/demo.sh" "$COCOTRUST" >"$T/out" 2>&1
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
# The JSON the demo leaves behind, against the schemas (the manifest after the demo merged its TDX rows in).
K=$T/keep
for f in pcr-set:reference-boot/pcrs.json pcr-set:secure-boot/pcrs.json pcr-set:tampered-pcrs.json \
         manifest:manifest.json manifest:manifest-tdx.json; do
        schema=${f%%:*}.schema.json; doc=${f#*:}
        if [ ! -f "$K/$doc" ]; then
                skip "demo's $doc matches $schema" "the demo made no $doc (a step it skipped)"
                continue
        fi
        out=$(python3 "$CT_SOURCE_ROOT/tests/lib/check-json-schema.py" "$schema" "$K/$doc"); rc=$?
        if [ "$rc" = 77 ]; then
                skip "demo's $doc matches $schema" "python3-jsonschema not installed"
        else
                is "$rc" 0 "demo's $doc matches $schema"
                [ "$rc" = 0 ] || diag "$out"
        fi
done
# TDX (step 5): MRTD, RTMR 1 and tdvfkernel against tests/vectors/tdx/vectors.json (Debian's OVMF.fd and
# the same Debian kernel the demo boots; MRTD reproduced by td-shim, Fraunhofer and tinfoil tools,
# RTMR 1 by Fraunhofer's calculate-tdx-mrs, the Authenticode by all three: see its README). RTMR 2 and
# tdvfkernelparams depend on the demo's own cmdline and initrd, which no vector has: they are recomputed
# here from the edk2 formula (LoadOptions "initrd=initrd CMDLINE" UTF-16LE + NUL, then the initrd)
# with Python's hashlib, from the initrd and cmdline the demo kept in CT_DEMO_KEEP.
tv() { sed -n "s/^     $1: *//p" "$T/out" | head -1; }
if [ -r /usr/share/ovmf/OVMF.fd ] && [ "$(sha256sum </usr/share/ovmf/OVMF.fd | cut -c1-64)" = \
     7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773 ]; then
        vec() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]][sys.argv[3]])' \
                "$CT_SOURCE_ROOT/tests/vectors/tdx/vectors.json" "$1" "$2"; }
        is "$(tv MRTD)" "$(vec mrtd single_pass)" "TDX: MRTD of Debian's OVMF.fd = the vector (single-pass)"
        is "$(tv RTMR1)" "$(vec rtmr1_direct 'unpatched edk2>=202411')" "TDX: RTMR 1 = the vector (unpatched, separator)"
        is "$(tv tdvfkernel)" "$(vec kernel_authenticode_sha384 unpatched)" "TDX: tdvfkernel = the kernel's Authenticode vector"
        read -r want_params want_rtmr2 < <(python3 -c '
import hashlib, sys
lo = ("initrd=initrd " + open(sys.argv[1]).read()).encode("utf-16-le") + b"\0\0"
p = hashlib.sha384(lo).digest(); i = hashlib.sha384(open(sys.argv[2], "rb").read()).digest()
r = hashlib.sha384(hashlib.sha384(bytes(48) + p).digest() + i).hexdigest()
print(p.hex(), r)' "$T/keep/cmdline.txt" "$T/keep/initrd.cpio")
        is "$(tv tdvfkernelparams)" "$want_params" "TDX: tdvfkernelparams = sha384(UTF-16LE LoadOptions)"
        is "$(tv RTMR2)" "$want_rtmr2" "TDX: RTMR 2 = LoadOptions then initrd, extended from zero"
        grep -q "^     mr_td  *list" "$T/out" && grep -q "^     ok      rtmr_1:" "$T/out" &&
                grep -q "^     ok      tdvfkernel:" "$T/out"; ok $? "TDX: the RVPS export carries mr_td / rtmr / tdvfkernel, lint ok"
        grep -q "not a TDX host's TDVF" "$T/out" && grep -q "formula-based" "$T/out"
        ok $? "TDX: says the firmware is Debian's OVMF and which values are formula-based"
else
        skip "TDX values" "/usr/share/ovmf/OVMF.fd is not Debian 12's ovmf 2022.11-6+deb12u2 (the vectors' input)"
fi
! grep -q $'\033' "$T/out"; ok $? "NO_COLOR: no escape sequences"
done_testing
