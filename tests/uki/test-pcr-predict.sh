#!/bin/bash
# cocotrust pcr predict: PCR 4 (and 11) against the values read from sysfs after real OVMF + swtpm
# boots of the same UKIs (tests/vectors/uki/boot, see its README).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
. "$CT_SOURCE_ROOT/tests/uki/lib-boot.sh"
CT=${COCOTRUST:?}
V=$CT_SOURCE_ROOT/tests/vectors
TSV=$V/pe/authenticode.tsv
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-predict.XXXXXX")
trap 'rm -rf "$W"' EXIT

"$CT_SOURCE_ROOT/tests/uki/build-ukis.sh" "$W" A C
for u in A C; do
        sum=$(sha256sum "$W/uki-$u.efi" | cut -d' ' -f1)
        grep -q "^uki-$u.efi	$sum	" "$TSV"; ok $? "uki-$u.efi rebuilt byte-identical to the booted UKI"
done
# The Secure Boot capture booted uki-A signed with the OVMF snakeoil key; the Authenticode (PCR 4) of an
# sbsigned file does not depend on the key (see tests/vectors/pe/README.md), so a throwaway key works.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/c.pem" -days 1 -subj /CN=cocotrust-test \
        >/dev/null 2>&1
sbsign --key "$W/k.pem" --cert "$W/c.pem" --output "$W/uki-A.signed.efi" "$W/uki-A.efi" >/dev/null 2>&1
ok $? "sbsign uki-A"

# The captures were q35 VMs whose first boot option (the empty DVD-ROM) failed: --failed-boot-options 1.
predict_vs_boot() { # predict_vs_boot CAPTURE SB FILE
        local cap=$1 sb=$2 f=$3 bank out
        for bank in sha1 sha256; do
                out=$("$CT" pcr predict --efi "$f" --secure-boot "$sb" --failed-boot-options 1 --bank $bank)
                is "$out" "4:$bank=$(boot_pcr "$cap" $bank 4)
11:$bank=$(boot_pcr "$cap" $bank 11)" "$cap: PCR 4 and 11 ($bank, Secure Boot $sb) == values read after the boot"
        done
}
predict_vs_boot uki-A off "$W/uki-A.efi"
predict_vs_boot uki-C off "$W/uki-C.efi"
predict_vs_boot uki-A-secureboot on "$W/uki-A.signed.efi"
skip "uki-E-stub257 PCR 4" "needs the UKI file, built on the systemd 257 stub, which is not shipped (its PCR 11 is checked in uki-measure)"

# --uki is the same as a last --efi; the JSON is the PCR-set format.
out=$("$CT" pcr predict --uki "$W/uki-C.efi" --secure-boot off --failed-boot-options 1 --bank sha256 --bank sha1 --json)
got=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["schema_version"], sorted(d), d["pcrs"]["sha1"]["4"], d["pcrs"]["sha256"]["11"])')
is "$got" "1 ['pcrs', 'schema_version'] $(boot_pcr uki-C sha1 4) $(boot_pcr uki-C sha256 11)" "--uki --json: PCR-set JSON with the boot's values"

# A longer chain (systemd-boot, then the UKI): PCR 4 composed from digests that real tools produced —
# the action and separator digests from the boot's event log, the Authenticode of systemd-boot, the UKI
# and the kernel from authenticode.tsv (pesign) — extended with Python's hashlib.
ext() { python3 -c 'import hashlib,sys; print(hashlib.sha256(bytes.fromhex(sys.argv[1] + sys.argv[2])).hexdigest())' "$1" "$2"; }
calling=3d6772b4f84ed47595d72a2c4c5ffd15f5bb72c7507fe26f2aaee2c69d5633ba
sep=df3f619804a92fdb4057192dc43dd748ea778adc52bc498ce80524c014b81119
returning=$(printf '%s' "Returning from EFI Application from Boot Option" | sha256sum | cut -d' ' -f1)
grep -q "sha256:7044f06303e54fa9" "$V/uki/boot/uki-A/replay-spec-events.txt"; ok $? "'Returning ...' digest prefix appears in the uki-A boot log listing"
case $returning in 7044f06303e54fa9*) r=0 ;; *) r=1 ;; esac; ok $r "sha256('Returning from EFI Application from Boot Option') == logged digest"
boot=$(awk -F'\t' '$1 == "systemd-bootx64.efi" {print $8}' "$TSV")
uki=$(awk -F'\t' '$1 == "uki-A.efi" {print $8}' "$TSV")
kern=$(awk -F'\t' '$1 == "vmlinuz-6.1.0-56-amd64" {print $8}' "$TSV")
p=0000000000000000000000000000000000000000000000000000000000000000
for d in $calling $sep $returning $calling $returning $calling $boot $uki $kern; do p=$(ext $p $d); done
out=$("$CT" pcr predict --efi "$V/pe/systemd-bootx64.efi" --efi "$W/uki-A.efi" --secure-boot off --failed-boot-options 2)
is "$out" "4:sha256=$p
11:sha256=$(boot_pcr uki-A sha256 11)" "systemd-boot + UKI, 2 failed options: PCR 4 composed from tool-made digests"
p=0000000000000000000000000000000000000000000000000000000000000000
for d in $calling $sep $boot; do p=$(ext $p $d); done
out=$("$CT" pcr predict --efi "$V/pe/systemd-bootx64.efi" --secure-boot on)
is "$out" "4:sha256=$p" "a chain without a UKI prints PCR 4 only"

# --explain lists every extend
"$CT" pcr predict --efi "$W/uki-A.efi" --secure-boot off --explain > /dev/null 2> "$W/err"
is "$(grep -c '^# PCR\[4\]' "$W/err")" 4 "--explain (text): 4 PCR 4 events (calling, separator, UKI, kernel)"
is "$(grep -c '^# PCR\[11\]' "$W/err")" 8 "--explain (text): 8 PCR 11 extends"
grep -q "$kern" "$W/err"; ok $? "--explain shows the kernel's Authenticode (tsv value)"

# A time-stamped image (objcopy's default) warns that the prediction will not survive a rebuild
objcopy --add-section .osrel="$V/uki/inputs/os-release" --change-section-vma .osrel=0x20000 \
        "$V/pe/linuxx64.efi.stub" "$W/stamped.efi"
err=$("$CT" pcr predict --efi "$W/stamped.efi" --secure-boot off 2>&1 >/dev/null)
case "$err" in *"warning: COFF TimeDateStamp"*) r=0 ;; *) r=1 ;; esac; ok $r "non-zero TimeDateStamp warns ($err)"
err=$("$CT" pcr predict --efi "$W/uki-A.efi" --secure-boot off 2>&1 >/dev/null)
is "$err" "" "zero TimeDateStamp: no warning"

# Rules and usage errors
"$CT" pcr predict --efi "$W/uki-A.efi" >/dev/null 2>&1; is $? 2 "--secure-boot missing: exit 2"
"$CT" pcr predict --secure-boot on >/dev/null 2>&1; is $? 2 "no image: exit 2"
"$CT" pcr predict --efi "$W/uki-A.efi" --secure-boot on --stub-version 257 >/dev/null 2>&1
is $? 2 "Secure Boot on with a 257 stub and no --kernel-event: exit 2 (not known)"
out=$("$CT" pcr predict --efi "$W/uki-A.signed.efi" --secure-boot off --kernel-event no --failed-boot-options 1)
is "$out" "4:sha256=$(boot_pcr uki-A-secureboot sha256 4)
11:sha256=$(boot_pcr uki-A sha256 11)" "--kernel-event no overrides the Secure Boot rule"
"$CT" pcr predict --efi "$V/uki/inputs/os-release" --secure-boot off >/dev/null 2>&1; is $? 2 "not a PE: exit 2"
"$CT" pcr predict --help | grep -q -- '--failed-boot-options'; ok $? "--help documents --failed-boot-options"

done_testing
