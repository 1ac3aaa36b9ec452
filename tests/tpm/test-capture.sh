#!/bin/bash
# tpm capture: real OVMF + swtpm + qemu boots of the Debian kernel (QEMU direct boot) and of a small
# UKI built here with objcopy from the systemd stub; the captured log must replay to the captured
# PCRs, and its events must match what the real tools compute (tpm2_eventlog, pesign -h,
# systemd-measure, sha256sum); every --json output and pcrs.json validates against its schema
# (schemas/tpm-capture.schema.json, schemas/pcr-set.schema.json).
# Usage: test-capture.sh [--quick] (--quick: no UKI boot, for ASan).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=$COCOTRUST
K=$CT_SOURCE_ROOT/tests/vectors/kernel/vmlinuz-6.1.0-56-amd64
QUICK=${1:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# tpm capture makes its private work directory under $TMPDIR: a private one here, so that the
# checks for leftover processes and directories see only this test's.
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
CMDLINE="console=ttyS0 panic=-1 loglevel=4"

for tool in qemu-system-x86_64 swtpm busybox; do
        if ! command -v $tool >/dev/null; then
                skip "tpm capture" "$tool not installed (scripts/install-deps)"
                done_testing; exit $?
        fi
done

sha256_utf16z() { python3 -c 'import hashlib,sys; print(hashlib.sha256((sys.argv[1]+"\0").encode("utf-16-le")).hexdigest())' "$1"; }
event_digest() { # LOG PCR TYPE_NAME [N-th, default 1] -> sha256 digest of that event
        "$CT" eventlog show --json "$1" | python3 -c '
import json, sys
pcr, t, nth = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ev = [e for e in json.load(sys.stdin)["events"] if e["pcr"] == pcr and e["type_name"] == t]
print(ev[nth - 1]["digests"]["sha256"] if len(ev) >= nth else "none")' "$2" "$3" "${4:-1}"
}
pcr_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pcrs"][sys.argv[2]][sys.argv[3]])' "$@"; }
# schema_ok SCHEMA FILE DESC: FILE validates against schemas/SCHEMA (python3-jsonschema; skipped without it)
schema_ok() {
        local out rc
        out=$(python3 "$CT_SOURCE_ROOT/tests/lib/check-json-schema.py" "$1" "$2")
        rc=$?
        if [ $rc = 77 ]; then skip "$3" "python3-jsonschema not installed (scripts/install-deps)"; return; fi
        ok $rc "$3"
        [ -z "$out" ] || echo "$out"
}
leftovers() { # any process whose command line names this test's capture work directories?
        local f
        for f in /proc/[0-9]*/cmdline; do
                if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -q "$TMPDIR/cocotrust-capture\."; then echo yes; return; fi
        done
        echo no
}

# --- errors before anything starts (fast) ---
"$CT" tpm capture --kernel "$K" -o "$T/x" --ovmf /nonexistent/CODE.fd --vars /nonexistent/VARS.fd >/dev/null 2>"$T/err"
is "$?" 3 "missing OVMF: exit 3"
ok "$(grep -q 'OVMF code /nonexistent/CODE.fd' "$T/err"; echo $?)" "missing OVMF: says which file ($(head -1 "$T/err"))"
PATH=/nonexistent "$CT" tpm capture --kernel "$K" -o "$T/x" >/dev/null 2>"$T/err"
is "$?" 3 "qemu not in PATH: exit 3"
ok "$(grep -q 'qemu-system-x86_64 not found' "$T/err"; echo $?)" "qemu not in PATH: says so"
"$CT" tpm capture --uki "$K" --kernel "$K" -o "$T/x" >/dev/null 2>&1
is "$?" 2 "--uki with --kernel: usage error"
"$CT" tpm capture --kernel "$K" >/dev/null 2>&1
is "$?" 2 "no -o: usage error"
ok "$([ ! -e "$T/x" ]; echo $?)" "no output directory after errors"

# --- a hang is killed at --timeout, and nothing is left running ---
"$CT" tpm capture --kernel "$K" -o "$T/t" --timeout 3 >/dev/null 2>"$T/err"
is "$?" 3 "--timeout 3: exit 3"
ok "$(grep -q 'did not power off within 3 s' "$T/err"; echo $?)" "--timeout: says the VM was killed"
is "$(leftovers)" no "--timeout: no qemu/swtpm left running"
ok "$([ ! -e "$T/t/eventlog.bin" ]; echo $?)" "--timeout: no output files"
is "$(ls "$TMPDIR" | wc -l)" 0 "--timeout: work directory removed"

# --- the capture initrd is deterministic ---
"$CT" tpm capture --write-initrd "$T/capture.cpio"
is "$?" 0 "--write-initrd writes the capture initrd"
"$CT" tpm capture --write-initrd "$T/capture2.cpio"
is "$(sha256sum <"$T/capture.cpio")" "$(sha256sum <"$T/capture2.cpio")" "--write-initrd: same bytes twice"
ok "$(cpio -it <"$T/capture.cpio" 2>/dev/null | grep -qx init; echo $?)" "capture initrd: cpio(1) lists /init"

# --- --accel, -o checked before booting, failures print the tool's own last lines (fast) ---
# A qemu wrapper first in PATH: for -accel kvm it fails the way QEMU fails where KVM cannot run
# the guest (issue 8: -cpu host under nested virtualisation), otherwise it runs the real qemu.
REALQEMU=$(command -v qemu-system-x86_64)
mkdir -p "$T/kvmfail" "$T/badswtpm"
{
        echo '#!/bin/sh'
        echo 'prev='
        echo 'for a in "$@"; do'
        echo '        if [ "$prev" = -accel ] && [ "$a" = kvm ]; then'
        echo '                echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x2000000eb" >&2'
        echo '                echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3090: kvm_buf_set_msrs: Assertion failed." >&2'
        echo '                kill -ABRT $$'
        echo '        fi'
        echo '        prev=$a'
        echo 'done'
        echo "exec '$REALQEMU' \"\$@\""
} >"$T/kvmfail/qemu-system-x86_64"
# an swtpm that fails when the capture starts it for the VM (swtpm_setup's own runs use the real one)
{
        echo '#!/bin/sh'
        echo 'case " $* " in *" --terminate "*)'
        echo '        echo "swtpm: simulated failure: cannot initialize the TPM state" >&2; exit 1;;'
        echo 'esac'
        echo "exec '$(command -v swtpm)' \"\$@\""
} >"$T/badswtpm/swtpm"
chmod +x "$T/kvmfail/qemu-system-x86_64" "$T/badswtpm/swtpm"
"$CT" tpm capture --kernel "$K" -o "$T/x" --accel hvf >/dev/null 2>"$T/err"
is "$?" 2 "--accel hvf: usage error"
PATH=$T/kvmfail:$PATH "$CT" tpm capture --kernel "$K" -o "$T/kvm" --accel kvm --timeout 120 >/dev/null 2>"$T/err"
is "$?" 3 "--accel kvm where QEMU cannot start under KVM: exit 3"
ok "$(grep -q 'failed to set MSR 0x10a' "$T/err"; echo $?)" "--accel kvm: QEMU's own message is printed ($(grep -m1 MSR "$T/err"))"
ok "$(grep -q 'qemu failed (killed by signal 6)' "$T/err"; echo $?)" "--accel kvm: says how qemu ended"
ok "$(grep -q 'tools.log' "$T/err"; [ $? != 0 ]; echo $?)" "--accel kvm: no path to a deleted log"
is "$(leftovers)" no "--accel kvm: no qemu/swtpm left running"
ok "$([ ! -e "$T/kvm" ]; echo $?)" "--accel kvm: the -o directory it created is removed again"
is "$(ls "$TMPDIR" | wc -l)" 0 "--accel kvm: work directory removed"
PATH=$T/badswtpm:$PATH "$CT" tpm capture --kernel "$K" -o "$T/sw" --accel tcg --timeout 120 >/dev/null 2>"$T/err"
is "$?" 3 "swtpm failing: exit 3"
ok "$(grep -q 'simulated failure: cannot initialize' "$T/err"; echo $?)" "swtpm failing: its last output is printed ($(head -1 "$T/err"))"
is "$(leftovers)" no "swtpm failing: nothing left running"
touch "$T/afile"
"$CT" tpm capture --kernel "$K" -o "$T/afile/sub" >/dev/null 2>"$T/err"
is "$?" 3 "-o that cannot be created: exit 3"
ok "$(grep -q "cannot create it" "$T/err"; echo $?)" "-o that cannot be created: says so ($(head -1 "$T/err"))"
ok "$(grep -q 'firmware' "$T/err"; [ $? != 0 ]; echo $?)" "-o that cannot be created: checked before booting (no firmware phase)"
"$CT" tpm capture --kernel "$K" -o "$T/afile" >/dev/null 2>"$T/err"
is "$?" 2 "-o naming a file: exit 2"

# --- SIGINT while the VM runs: everything stopped and reaped, nothing written ---
for sig in INT TERM; do
        "$CT" tpm capture --kernel "$K" -o "$T/int" --accel tcg --timeout 120 >/dev/null 2>"$T/err" &
        pid=$!
        for _ in $(seq 1 150); do grep -q 'firmware (OVMF under QEMU, TCG)' "$T/err" && break; sleep 0.2; done
        sleep 1
        kill -$sig $pid
        wait $pid
        is "$?" 3 "SIG$sig during the boot: exit 3"
        ok "$(grep -q "interrupted by SIG$sig; stopped qemu and swtpm" "$T/err"; echo $?)" "SIG$sig: says it was interrupted ($(grep -m1 interrupted "$T/err"))"
        is "$(leftovers)" no "SIG$sig: no qemu/swtpm left running"
        ok "$([ ! -e "$T/int" ]; echo $?)" "SIG$sig: no output directory"
        is "$(ls "$TMPDIR" | wc -l)" 0 "SIG$sig: work directory removed"
done

# --- auto: KVM fails to start (the wrapper), capture falls back to TCG and succeeds ---
start=$(date +%s)
PATH=$T/kvmfail:$PATH "$CT" tpm capture --kernel "$K" --append "$CMDLINE" -o "$T/auto" --timeout 600 --json >"$T/auto.json" 2>"$T/err"
rc=$?
diag "auto fallback boot: $(( $(date +%s) - start )) s"
is "$rc" 0 "--accel auto with a KVM that cannot run the guest: falls back to TCG, exit 0"
[ "$rc" = 0 ] || diag "$(cat "$T/err")"
ok "$(grep -q 'falling back to TCG' "$T/err"; echo $?)" "auto: says it falls back to TCG"
ok "$(grep 'falling back' "$T/err" | grep -q 'failed to set MSR 0x10a'; echo $?)" "auto: gives QEMU's reason ($(grep -m1 'falling back' "$T/err"))"
for phase in "firmware (OVMF under QEMU, KVM)" "firmware (OVMF under QEMU, TCG)" "kernel" "collecting" "checking"; do
        ok "$(grep -qF "s: $phase" "$T/err"; echo $?)" "auto: progress line for '$phase'"
done
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ok"])' "$T/auto.json")" True "auto: the captured log replays to the captured PCRs"
schema_ok tpm-capture.schema.json "$T/auto.json" "auto: --json validates against schemas/tpm-capture.schema.json"
schema_ok pcr-set.schema.json "$T/auto/pcrs.json" "auto: pcrs.json validates against schemas/pcr-set.schema.json"
"$CT" eventlog check "$T/auto/eventlog.bin" --pcrs "$T/auto/pcrs.json" >/dev/null
is "$?" 0 "auto: eventlog check agrees"
is "$(leftovers)" no "auto: no qemu/swtpm left running"
is "$(ls "$TMPDIR" | wc -l)" 0 "auto: work directory removed"

# --- boot 1: the Debian kernel, QEMU direct boot ---
start=$(date +%s)
"$CT" tpm capture --kernel "$K" --append "$CMDLINE" -o "$T/k" --timeout 600 >"$T/out" 2>"$T/err"
rc=$?
diag "kernel boot: $(( $(date +%s) - start )) s"
is "$rc" 0 "kernel boot: captured log replays to the captured PCRs (exit 0)"
[ "$rc" = 0 ] || { diag "$(cat "$T/err")"; diag "$(tail -5 "$T/k/console.log" 2>/dev/null)"; }
for f in eventlog.bin pcrs.json console.log; do
        ok "$([ -s "$T/k/$f" ]; echo $?)" "kernel boot: $f written"
done
schema_ok pcr-set.schema.json "$T/k/pcrs.json" "kernel boot: pcrs.json validates against schemas/pcr-set.schema.json"
is "$(leftovers)" no "kernel boot: no qemu/swtpm left running"
is "$(ls "$TMPDIR" | wc -l)" 0 "kernel boot: work directory removed"
"$CT" eventlog check "$T/k/eventlog.bin" --pcrs "$T/k/pcrs.json" >/dev/null
is "$?" 0 "kernel boot: eventlog check agrees"
if command -v tpm2_eventlog >/dev/null; then
        tpm2_eventlog "$T/k/eventlog.bin" 2>/dev/null | sed -n '/^pcrs:/,$p' >"$T/ref.pcrs"
        "$CT" eventlog replay "$T/k/eventlog.bin" >"$T/our.pcrs"
        is "$(diff "$T/ref.pcrs" "$T/our.pcrs")" "" "kernel boot: replay == tpm2_eventlog's pcrs:"
fi
# OVMF's direct boot appends " initrd=initrd" to the load options it gives the kernel
is "$(event_digest "$T/k/eventlog.bin" 9 EV_EVENT_TAG 1)" "$(sha256_utf16z "$CMDLINE initrd=initrd")" \
   "kernel boot: PCR 9 LoadOptions event == sha256(UTF-16 \"CMDLINE initrd=initrd\" + NUL)"
is "$(event_digest "$T/k/eventlog.bin" 9 EV_EVENT_TAG 2)" "$(sha256sum <"$T/capture.cpio" | cut -d' ' -f1)" \
   "kernel boot: PCR 9 initrd event == sha256sum of the capture initrd"
"$CT" pcr compare "$T/k/pcrs.json" "$T/k/eventlog.bin" --json >"$T/c.json"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["banks"]["sha256"]["different"])' "$T/c.json")" "[]" \
   "kernel boot: pcr compare pcrs.json vs the log: nothing differs"

if [ "$QUICK" = --quick ]; then
        done_testing; exit $?
fi

# --- boot 2: a UKI (systemd 252 stub + the Debian kernel + the capture initrd) from an ESP ---
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
if [ ! -r "$STUB" ] || ! command -v objcopy >/dev/null; then
        skip "UKI boot" "no systemd stub or objcopy"
        done_testing; exit $?
fi
printf '%s' "$CMDLINE" >"$T/cmdline.txt"
printf 'ID=cocotrust-test\nNAME="cocotrust capture test"\n' >"$T/os-release"
objcopy --add-section .osrel="$T/os-release" --change-section-vma .osrel=0x20000 \
        --add-section .cmdline="$T/cmdline.txt" --change-section-vma .cmdline=0x30000 \
        --add-section .linux="$K" --change-section-vma .linux=0x2000000 \
        --add-section .initrd="$T/capture.cpio" --change-section-vma .initrd=0x3000000 \
        "$STUB" "$T/uki.efi"
ok $? "UKI built with objcopy"
start=$(date +%s)
"$CT" tpm capture --uki "$T/uki.efi" -o "$T/u" --timeout 600 --json >"$T/u.json" 2>"$T/err"
rc=$?
diag "UKI boot: $(( $(date +%s) - start )) s"
is "$rc" 0 "UKI boot: captured log replays to the captured PCRs (exit 0)"
[ "$rc" = 0 ] || { diag "$(cat "$T/err")"; diag "$(tail -5 "$T/u/console.log" 2>/dev/null)"; }
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ok"], d["banks"]["sha256"]["explained"])' "$T/u.json")" \
   "True [0, 1, 2, 3, 4, 5, 6, 7, 9, 11]" "UKI boot: --json result"
schema_ok tpm-capture.schema.json "$T/u.json" "UKI boot: --json validates against schemas/tpm-capture.schema.json"
schema_ok pcr-set.schema.json "$T/u/pcrs.json" "UKI boot: pcrs.json validates against schemas/pcr-set.schema.json"
is "$(leftovers)" no "UKI boot: no qemu/swtpm left running"
if command -v pesign >/dev/null; then
        is "$(event_digest "$T/u/eventlog.bin" 4 EV_EFI_BOOT_SERVICES_APPLICATION 1)" \
           "$(pesign -h -i "$T/uki.efi" | sed -n 's/^hash: //p')" "UKI boot: PCR 4 UKI event == pesign -h of the UKI"
        is "$(event_digest "$T/u/eventlog.bin" 4 EV_EFI_BOOT_SERVICES_APPLICATION 2)" \
           "$(pesign -h -i "$K" | sed -n 's/^hash: //p')" "UKI boot: PCR 4 kernel event == pesign -h of vmlinuz"
fi
M=/usr/lib/systemd/systemd-measure
if [ -x "$M" ]; then
        exp=$("$M" calculate --linux="$K" --osrel="$T/os-release" --cmdline="$T/cmdline.txt" --initrd="$T/capture.cpio" \
                --bank=sha256 --phase=: --json=short | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256"][0]["hash"])')
        is "$(pcr_of "$T/u/pcrs.json" sha256 11)" "$exp" "UKI boot: PCR 11 == systemd-measure calculate (no phase)"
        is "$(event_digest "$T/u/eventlog.bin" 9 EV_EVENT_TAG 1)" "$(sha256_utf16z "$CMDLINE")" \
           "UKI boot: PCR 9 LoadOptions event == sha256(UTF-16 .cmdline + NUL)"
fi
# The firmware's PCRs reproduce the shared vector boot of another UKI (tests/vectors/tpm/boot/uki-A,
# captured with shared/scripts/tpm_boot_capture.sh): same OVMF, same VM, so 0-3 and 5-7 are equal.
V=$CT_SOURCE_ROOT/tests/vectors/tpm/boot
"$CT" pcr compare --json "$V/uki-A/pcrs-sysfs.pcrread-style.yaml" "$T/u/pcrs.json" >"$T/c.json"
is "$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["banks"]; print(b["sha1"]["common"], b["sha256"]["common"], b["sha256"]["different"])' "$T/c.json")" \
   "[0, 1, 2, 3, 5, 6, 7] [0, 1, 2, 3, 5, 6, 7] [4, 9, 10, 11]" "UKI boot: firmware PCRs 0-3, 5-7 == the shared uki-A boot's"

# The cross-checks with uki measure / pcr predict (issue 4) run once those verbs exist.
if "$CT" uki measure --help >/dev/null 2>&1; then
        got=$("$CT" uki measure --linux="$K" --osrel="$T/os-release" --cmdline="$T/cmdline.txt" --initrd="$T/capture.cpio" \
                --bank=sha256 --phase=: --json=short 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256"][0]["hash"])' 2>/dev/null)
        is "$got" "$(pcr_of "$T/u/pcrs.json" sha256 11)" "UKI boot: PCR 11 == cocotrust uki measure"
else
        skip "PCR 11 == cocotrust uki measure" "uki measure not implemented on this branch"
fi
# PCR 4 predicted from the UKI file alone. The capture VM (q35) first tries its empty DVD-ROM:
# one failed boot option ('Returning from EFI Application from Boot Option' in the log).
if "$CT" pcr predict --help >/dev/null 2>&1; then
        got=$("$CT" pcr predict --uki "$T/uki.efi" --secure-boot off --failed-boot-options 1 --bank sha256 --bank sha1 --json 2>/dev/null)
        is "$(printf '%s' "$got" | python3 -c 'import json,sys; p=json.load(sys.stdin)["pcrs"]; print(p["sha256"]["4"], p["sha1"]["4"])')" \
           "$(pcr_of "$T/u/pcrs.json" sha256 4) $(pcr_of "$T/u/pcrs.json" sha1 4)" "UKI boot: PCR 4 (sha256, sha1) == cocotrust pcr predict"
        is "$(printf '%s' "$got" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pcrs"]["sha256"]["11"])')" \
           "$(pcr_of "$T/u/pcrs.json" sha256 11)" "UKI boot: PCR 11 == cocotrust pcr predict"
else
        skip "PCR 4 == cocotrust pcr predict" "pcr predict not implemented"
fi

# --- boot 3: the same UKI signed with OVMF's snakeoil key, booted with Secure Boot ---
KEY=/usr/share/ovmf/PkKek-1-snakeoil.key
CERT=/usr/share/ovmf/PkKek-1-snakeoil.pem
if [ -r "$KEY" ] && [ -r /usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd ] && command -v sbsign >/dev/null &&
   openssl pkey -in "$KEY" -passin pass:snakeoil -out "$T/snakeoil.pem" 2>/dev/null &&
   sbsign --key "$T/snakeoil.pem" --cert "$CERT" --output "$T/uki-signed.efi" "$T/uki.efi" >/dev/null 2>&1; then
        start=$(date +%s)
        "$CT" tpm capture --uki "$T/uki-signed.efi" --secure-boot -o "$T/s" --timeout 600 >"$T/out" 2>"$T/err"
        rc=$?
        diag "Secure Boot UKI boot: $(( $(date +%s) - start )) s"
        is "$rc" 0 "Secure Boot boot: captured log replays to the captured PCRs (exit 0)"
        [ "$rc" = 0 ] || { diag "$(cat "$T/err")"; diag "$(tail -5 "$T/s/console.log" 2>/dev/null)"; }
        schema_ok pcr-set.schema.json "$T/s/pcrs.json" "Secure Boot boot: pcrs.json validates against schemas/pcr-set.schema.json"
        "$CT" eventlog show --json "$T/s/eventlog.bin" >"$T/s.json"
        is "$(python3 -c '
import json, sys
ev = json.load(open(sys.argv[1]))["events"]
sb = [e for e in ev if e["pcr"] == 7 and e["description"].startswith("SecureBoot")][0]["event"][-2:]
bsa = [e["digests"]["sha256"] for e in ev if e["type_name"] == "EV_EFI_BOOT_SERVICES_APPLICATION"]
auth = len([e for e in ev if e["type_name"] == "EV_EFI_VARIABLE_AUTHORITY"])
print(sb, len(bsa), auth)' "$T/s.json")" "01 1 1" "Secure Boot boot: SecureBoot=01, one image event (no kernel event with the 252 stub), one authority"
        is "$(event_digest "$T/s/eventlog.bin" 4 EV_EFI_BOOT_SERVICES_APPLICATION 1)" \
           "$(pesign -h -i "$T/uki-signed.efi" | sed -n 's/^hash: //p')" "Secure Boot boot: PCR 4 event == pesign -h of the signed UKI"
        "$CT" pcr compare --json "$V/uki-A-secureboot/pcrs-sysfs.pcrread-style.yaml" "$T/s/pcrs.json" >"$T/c.json"
        is "$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["banks"]; print(b["sha256"]["common"], b["sha256"]["different"])' "$T/c.json")" \
           "[0, 1, 2, 3, 5, 6, 7] [4, 9, 10, 11]" "Secure Boot boot: PCRs 0-3, 5-7 (incl. PCR 7) == the shared uki-A-secureboot boot's"
        if "$CT" pcr predict --help >/dev/null 2>&1; then
                is "$("$CT" pcr predict --uki "$T/uki-signed.efi" --secure-boot on --failed-boot-options 1 --bank sha256 --json 2>/dev/null |
                        python3 -c 'import json,sys; print(json.load(sys.stdin)["pcrs"]["sha256"]["4"])')" \
                   "$(pcr_of "$T/s/pcrs.json" sha256 4)" "Secure Boot boot: PCR 4 == cocotrust pcr predict --secure-boot on"
        fi
        is "$(leftovers)" no "Secure Boot boot: no qemu/swtpm left running"
else
        skip "Secure Boot boot" "no snakeoil OVMF key/vars or sbsign"
fi

done_testing
