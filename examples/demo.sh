#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: the whole chain on built-in inputs, from a guest image to a verdict.
#   examples/demo.sh [build/cocotrust]      (from the project root, after `make build`)
# Every step prints the command it runs. NO_COLOR=1 turns the colours off; CT_DEMO_KEEP=DIR keeps
# the work files in DIR. The sections of the earlier demo (SNP vectors, verity, PE/UKI, event logs)
# are in examples/demo-*.sh and still run on their own.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CT=$(realpath "${1:-build/cocotrust}")
K=$ROOT/tests/vectors/kernel/vmlinuz-6.1.0-56-amd64
FIXTURE_OVMF=$ROOT/tests/vectors/snp/inputs/ovmf_AmdSev_suffix.bin
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
TDX_OVMF=/usr/share/ovmf/OVMF.fd   # Debian 12 package ovmf: a real OVMF with TDVF metadata
if [ -n "${CT_DEMO_KEEP:-}" ]; then
        W=$(realpath -m "$CT_DEMO_KEEP"); rm -rf "$W"; mkdir -p "$W"
else
        W=$(mktemp -d "${TMPDIR:-/tmp}/cocotrust-demo.XXXXXX")
        trap 'rm -rf "$W"' EXIT
fi
cd "$W"
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m'; D=$'\033[2m'; N=$'\033[0m'; else B=; D=; N=; fi
START=$(date +%s)
step() { echo; echo "${B}== $*${N}"; }
say() { echo "   $*"; }
# show a command (cocotrust for the binary's path, paths relative to the work directory), then run it
show() { local a out=""; for a in "$@"; do a=${a//$CT/cocotrust}; a=${a//$ROOT\//}; a=${a//$W\//}
                case $a in *[[:space:]]*|"") a="'$a'";; esac; out+="$a "; done
        echo "${D}   \$ ${out% }${N}"; }
run() { show "$@"; "$@" 2>&1 | sed 's/^/     /'; return "${PIPESTATUS[0]}"; }
runrc() { set +e; run "$@"; RC=$?; set -e; }   # run, keep the exit status in RC
# run `cocotrust appraise ...`, show its output, keep its status line in VERDICT
appraise() { local out; show "$CT" appraise "$@"; out=$("$CT" appraise "$@" 2>&1) || true
        sed 's/^/     /' <<<"$out"; VERDICT=$(sed -n 's/^status: //p' <<<"$out"); }
need() { command -v "$1" >/dev/null || { echo "demo: $1 is needed ($2); run 'make deps'" >&2; exit 3; }; }
need python3 "to assemble files"; need qemu-system-x86_64 "QEMU"; need swtpm "the software TPM"
need busybox "the tiny initrd"; need cpio "to unpack the capture initrd"; need systemd-repart "the disk image"

echo "${B}cocotrust demo${N} - $("$CT" --version)"
cat <<'EOF'
A Confidential Containers guest boots a kernel + initrd + command line, and mounts a root file
system protected by dm-verity. A relying party (Trustee) lets it have secrets only if the evidence
it sends (a SEV-SNP report, a TDX quote, TPM PCRs) matches reference values. This demo builds such
an image, computes every reference value, boots it as the trusted reference, exports the values for
Trustee, and appraises good and bad evidence - saying why each bad one is bad.
EOF

step "1. A tiny initrd"
say "busybox with an /init that, at boot, prints the TPM event log and PCRs on the console and"
say "powers off (a real image would open the verity root here and switch to it). The tree comes"
say "from tpm capture's own initrd; initrd pack makes it the same bytes on every run."
run "$CT" tpm capture --write-initrd capture.cpio
mkdir -p initrd.d && (cd initrd.d && cpio -id --quiet <../capture.cpio)
rm -f initrd.d/dev/console   # initrd pack packs no device nodes; /init mounts devtmpfs itself
run "$CT" initrd pack initrd.d -o initrd.cpio
say "$(stat -c %s initrd.cpio) bytes, newc cpio, sha256 $(sha256sum initrd.cpio | cut -c1-16)..."

step "2. A disk image with systemd-repart: ext4 root with /coco = \"CoCo\", plus its dm-verity partition"
mkdir -p rootdir repart.d && printf 'CoCo\n' >rootdir/coco
cat >repart.d/10-root.conf <<EOF
[Partition]
Type=root
Format=ext4
CopyFiles=$W/rootdir:/
Verity=data
VerityMatchKey=root
SizeMinBytes=16M
SizeMaxBytes=16M
EOF
cat >repart.d/20-root-verity.conf <<'EOF'
[Partition]
Type=root-verity
Verity=hash
VerityMatchKey=root
SizeMinBytes=4M
SizeMaxBytes=4M
EOF
sed 's/^/     /' repart.d/10-root.conf
show systemd-repart --empty=create --size=auto --definitions=repart.d --dry-run=no --json=short image.raw
systemd-repart --empty=create --size=auto --definitions=repart.d --dry-run=no \
        --seed=0e9a6fe0-68f6-408c-bbeb-136054d20445 --json=short image.raw >repart.json 2>repart.log ||
        { sed 's/^/     /' repart.log; echo "demo: systemd-repart failed (it needs root and loop devices)" >&2; exit 3; }
read -r ROOT_OFF ROOT_SIZE HASH_OFF HASH_SIZE ROOTHASH < <(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
r = [x for x in p if x["type"].startswith("root") and not x["type"].endswith("verity")][0]
h = [x for x in p if x["type"].endswith("-verity")][0]
print(r["offset"], r["raw_size"], h["offset"], h["raw_size"], h["roothash"])' repart.json)
say "root partition at $ROOT_OFF ($ROOT_SIZE bytes), verity partition at $HASH_OFF; repart's root hash:"
say "$ROOTHASH"
say "cocotrust reads the image as repart wrote it: partitions by their type GUIDs, the verity tree"
say "against the data, the partition UUIDs that repart derives from the root hash:"
run "$CT" image inspect image.raw
# the partitions as files, for verity verify (step 11)
dd if=image.raw of=root.img bs=1M skip=$((ROOT_OFF >> 20)) count=$((ROOT_SIZE >> 20)) status=none
dd if=image.raw of=verity.img bs=1M skip=$((HASH_OFF >> 20)) count=$((HASH_SIZE >> 20)) status=none

step "3. The root hash goes on the kernel command line"
CMDLINE="console=ttyS0 panic=-1 loglevel=4 roothash=$ROOTHASH"
printf '%s' "$CMDLINE" >cmdline.txt
say "$CMDLINE"

step "4. A Unified Kernel Image: systemd's EFI stub + the Debian 12 kernel + the initrd + that cmdline"
printf 'ID=cocotrust-demo\nNAME="cocotrust demo"\n' >os-release
run "$CT" uki build --stub "$STUB" --linux "$K" --initrd initrd.cpio --cmdline @cmdline.txt --osrel os-release \
        -o uki.efi
run "$CT" pcr predict --uki uki.efi --secure-boot off --failed-boot-options 1 --bank sha256

step "5. SEV-SNP launch digests and TDX MRTD / RTMRs"
say "SNP: the firmware is a fixture: the AmdSev OVMF footer and metadata of tests/vectors/snp/inputs"
say "(sev-snp-measure's vectors use it); the kernel, initrd and cmdline are the image's."
run "$CT" snp measure --mode snp --vcpus 4 --vcpu-type EPYC-Milan --ovmf "$FIXTURE_OVMF" \
        --kernel "$K" --initrd initrd.cpio --append "$CMDLINE"
say "TDX: the firmware is Debian 12's own /usr/share/ovmf/OVMF.fd (package ovmf, edk2-stable202211),"
say "not a TDX host's TDVF. It carries TDVF metadata, so its MRTD is real: the value a TD booted"
say "from it would report. That OVMF predates RTMR measurement (edk2 4d37059d8e, 2023-02): it extends"
say "no RTMR, so RTMR 1/2, tdvfkernel and tdvfkernelparams below are formula-based - what a current"
say "OVMF (edk2-stable202511, QEMU 10.2) would measure for this kernel, initrd and cmdline."
if [ -r "$TDX_OVMF" ]; then
        show "$CT" tdx measure --firmware "$TDX_OVMF" --kernel "$K" --initrd initrd.cpio --append "$CMDLINE" \
                --memory 2G
        "$CT" tdx measure --firmware "$TDX_OVMF" --kernel "$K" --initrd initrd.cpio --append "$CMDLINE" \
                --memory 2G >tdx.txt
        sed -n 's/^\(variant\|MRTD\|RTMR[12]\|tdvfkernel\|tdvfkernelparams\):/&/p' tdx.txt | sed 's/^/     /'
        say "(RTMR 0 needs QEMU's ACPI tables for the machine: 'cocotrust tdx acpi-dump'; it stays out.)"
        TDX=yes
else
        say "(skipped: $TDX_OVMF is not installed; the manifest says \"tdx\": null)"
        TDX=no
fi

# tpm capture boots with KVM when /dev/kvm works; the demo asks for TCG (works everywhere) when it can.
ACCEL=()
if "$CT" tpm capture --help 2>&1 | grep -q -- '--accel'; then ACCEL=(--accel "${CT_DEMO_ACCEL:-tcg}"); fi

step "6. Boot it under QEMU + swtpm: the trusted reference boot"
say "OVMF boots the UKI from an ESP; the initrd prints the event log and the PCRs; cocotrust checks"
say "that the log replays to the PCRs."
run "$CT" tpm capture --uki uki.efi -o reference-boot "${ACCEL[@]}" --timeout 600

step "7. A second boot that differs: Secure Boot on (the UKI signed with OVMF's snakeoil key)"
SB=no
if command -v sbsign >/dev/null && [ -r /usr/share/ovmf/PkKek-1-snakeoil.key ] &&
   openssl pkey -in /usr/share/ovmf/PkKek-1-snakeoil.key -passin pass:snakeoil -out snakeoil.pem 2>/dev/null; then
        show sbsign --key snakeoil.pem --cert /usr/share/ovmf/PkKek-1-snakeoil.pem --output uki-signed.efi uki.efi
        sbsign --key snakeoil.pem --cert /usr/share/ovmf/PkKek-1-snakeoil.pem --output uki-signed.efi uki.efi \
                >/dev/null 2>&1
        run "$CT" tpm capture --uki uki-signed.efi --secure-boot -o secure-boot "${ACCEL[@]}" --timeout 600
        say "Which PCRs both boots share (candidate reference values whatever Secure Boot is):"
        runrc "$CT" pcr compare reference-boot/pcrs.json secure-boot/pcrs.json --bank sha256
        SB=yes
else
        say "(skipped: sbsign or OVMF's snakeoil key is not installed)"
fi

step "8. Every reference value into one manifest"
run "$CT" reference --name cocotrust-demo --firmware "$FIXTURE_OVMF" --kernel "$K" --initrd initrd.cpio \
        --cmdline "$CMDLINE" --uki uki.efi --image image.raw \
        --capture reference-boot/pcrs.json --vcpus 4 --vcpu-types EPYC-Milan --secure-boot off,on \
        --quiet -o manifest.json
if [ "$TDX" = yes ]; then
        say "One description has one firmware: the TDX rows come from a second run on Debian's OVMF.fd,"
        say "added to manifest.json as artifact tdx_firmware (each tdx row names its firmware)."
        run "$CT" reference --name cocotrust-demo --firmware "$TDX_OVMF" --kernel "$K" --initrd initrd.cpio \
                --cmdline "$CMDLINE" --snp false --memory 2G --tdx-variants edk2-stable202511/10.2 \
                --quiet -o manifest-tdx.json
        python3 -c '
import json, sys
m = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
m["artifacts"]["tdx_firmware"] = t["artifacts"]["firmware"]
m["tdx"] = [dict(r, firmware="tdx_firmware") for r in t["tdx"]]
m.setdefault("notes", {}).pop("tdx", None)
if "tdx" in t.get("notes", {}):
        m["notes"]["tdx"] = t["notes"]["tdx"]
json.dump(m, open(sys.argv[1] + ".tmp", "w"), indent=2)' manifest.json manifest-tdx.json
        mv manifest.json.tmp manifest.json
fi
say "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("keys:", ", ".join(d))' manifest.json)"

step "9. Trustee's form: one RVPS sample message, linted against Trustee's default policy"
run "$CT" rvps export manifest.json -o rvps
run "$CT" rvps lint rvps/rvps-message.json
say "Register it with: rvps-tool register --path rvps/rvps-message.json (kbs-client can carry single"
say "values only: rvps/kbs-client.sh has those)."

step "10. Appraise the reference boot's evidence"
appraise manifest.json --pcrs reference-boot/pcrs.json --eventlog reference-boot/eventlog.bin
V_REF=$VERDICT
if [ "$SB" = yes ]; then
        say "The Secure Boot boot against the same manifest: which event differs, and what it measured:"
        appraise manifest.json --pcrs secure-boot/pcrs.json --eventlog secure-boot/eventlog.bin \
                --reference-eventlog reference-boot/eventlog.bin
fi

step "11. Someone edits the root file system: CoCo -> DoCo"
cp root.img root-doco.img
python3 -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read()); i = d.find(b"CoCo\n"); d[i] = ord("D")
open(sys.argv[1], "wb").write(d)' root-doco.img
say "dm-verity refuses the block at read time; cocotrust says which file it belongs to:"
runrc "$CT" verity verify root-doco.img verity.img "$ROOTHASH"

step "12. Bad evidence: a tampered PCR set"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); v = d["pcrs"]["sha256"]["4"]
d["pcrs"]["sha256"]["4"] = v[:-8] + "deadbeef"; json.dump(d, open(sys.argv[2], "w"), indent=1)' \
        reference-boot/pcrs.json tampered-pcrs.json
say "PCR 4 of the reference boot with its last 4 bytes changed, the real event log beside it:"
appraise manifest.json --pcrs tampered-pcrs.json --eventlog reference-boot/eventlog.bin
V_TAMPER=$VERDICT

step "13. Bad evidence: an SNP launch for another vCPU count"
say "A VM started from this very image with 3 vCPUs on Genoa reports this MEASUREMENT:"
OTHER=$("$CT" snp measure --mode snp --vcpus 3 --vcpu-type EPYC-Genoa --ovmf "$FIXTURE_OVMF" \
        --kernel "$K" --initrd initrd.cpio --append "$CMDLINE")
show "$CT" snp measure --mode snp --vcpus 3 --vcpu-type EPYC-Genoa --ovmf "$FIXTURE_OVMF" --kernel "$K" \
        --initrd initrd.cpio --append "$CMDLINE"
say "$OTHER"
# Signed SNP reports (--snp-report with the AMD chain) come with the evidence area; the launch digest
# itself is appraised here.
appraise manifest.json --snp-measurement "$OTHER"
V_SNP=$VERDICT

step "Verdicts"
echo "   reference boot:          $V_REF"
echo "   tampered PCR set:        $V_TAMPER"
echo "   SNP launch, 3 vCPUs:     $V_SNP"
echo
echo "Demo finished in $(( $(date +%s) - START )) s. Every command above is in README.md and docs/."
