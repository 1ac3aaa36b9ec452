#!/bin/bash
# cocotrust uki measure: the systemd-measure 252 calculate vectors (stdout and stderr byte for byte),
# the installed systemd-measure at test time, and PCR 11 read from real OVMF + swtpm boots of UKIs.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
. "$CT_SOURCE_ROOT/tests/uki/lib-boot.sh"
CT=${COCOTRUST:?}
V=$CT_SOURCE_ROOT/tests/vectors
IN=$V/uki/inputs
K=$V/kernel/vmlinuz-6.1.0-56-amd64
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-uki.XXXXXX")
trap 'rm -rf "$W"' EXIT

# 1. Every `calculate` vector: same stdout and stderr as systemd-measure 252.39.
n=0
for cmd in "$V"/uki/measure/*.cmd; do
        name=$(basename "$cmd" .cmd)
        read -r prog verb args < "$cmd"
        [ "$verb" = calculate ] || continue
        n=$((n + 1))
        # shellcheck disable=SC2086
        (cd "$IN" && "$CT" uki measure ${args//VMLINUZ/$K}) > "$W/out" 2> "$W/err"
        rc=$?
        is "$rc" 0 "$name: exit 0"
        cmp -s "$W/out" "$V/uki/measure/$name.out"; ok $? "$name: stdout == systemd-measure 252 stdout"
        cmp -s "$W/err" "$V/uki/measure/$name.stderr"; ok $? "$name: stderr == systemd-measure 252 stderr"
done
is "$n" 15 "15 calculate vectors found"

# 2. The installed systemd-measure, now, on other combinations.
SM=/usr/lib/systemd/systemd-measure
cross() { # cross DESCRIPTION ARGS...
        local d=$1; shift
        (cd "$IN" && "$SM" calculate "$@") > "$W/sm.out" 2> "$W/sm.err"
        (cd "$IN" && "$CT" uki measure "$@") > "$W/ct.out" 2> "$W/ct.err"
        cmp -s "$W/sm.out" "$W/ct.out"; ok $? "systemd-measure cross-check, stdout: $d"
        cmp -s "$W/sm.err" "$W/ct.err"; ok $? "systemd-measure cross-check, stderr: $d"
}
if [ -x "$SM" ]; then
        cross "small sections, 2 banks, pretty, odd phases" --linux=os-release --cmdline=cmdline-b.txt \
                --splash=splash.bmp --dtb=devicetree.dtb --bank=sha384 --bank=sha1 --phase=sysinit:ready \
                --phase=enter-initrd --phase=: --json=pretty
        cross "kernel, initrd, pcrpkey, text" --linux="$K" --initrd=initrd.cpio.gz --pcrpkey=pcrpkey.pem \
                --osrel=os-release
        cross "duplicate phases and banks, short" --linux=uname.txt --bank=sha512 --bank=SHA512 \
                --phase=a:b --phase=::a:b --phase=shutdown --json=short
        cross "json=off" --linux=cmdline-a.txt --json=off --bank=sha256
else
        skip "systemd-measure cross-checks" "$SM not installed"
fi

# 3. From built UKIs. The rebuilt files are byte-identical to the booted ones (sha256 in the tsv).
"$CT_SOURCE_ROOT/tests/uki/build-ukis.sh" "$W" A B C D E252 PFX
for u in A B C D; do
        sum=$(sha256sum "$W/uki-$u.efi" | cut -d' ' -f1)
        grep -q "^uki-$u.efi	$sum	" "$V/pe/authenticode.tsv"; ok $? "uki-$u.efi rebuilt byte-identical to the booted UKI"
done
for u in A C; do
        for bank in sha1 sha256; do
                got=$("$CT" uki measure --phase=: --bank=$bank "$W/uki-$u.efi" 2>/dev/null)
                is "$got" "11:$bank=$(boot_pcr "uki-$u" $bank 11)" "uki-$u: PCR 11 ($bank) == value read after the OVMF+swtpm boot"
        done
done
exp=$(awk -F'\t' '$1 == "uki-D.efi" {print $6}' "$V/uki/UKIS.tsv" | cut -d' ' -f1)
got=$("$CT" uki measure --phase=: --bank=sha256 "$W/uki-D.efi" 2>/dev/null)
is "$got" "11:sha256=$exp" "uki-D (sections in non-canonical file order): PCR 11 == observed at boot (UKIS.tsv)"
"$CT" uki measure "$W/uki-B.efi" > "$W/out" 2> "$W/err"
cmp -s "$W/out" "$V/uki/measure/B-default.out"; ok $? "uki-B file: stdout == systemd-measure B-default (from its parts)"
cmp -s "$W/err" "$V/uki/measure/B-default.stderr"; ok $? "uki-B file: stderr == systemd-measure B-default"
"$CT" uki measure --json=pretty "$W/uki-A.efi" > "$W/out" 2>/dev/null
cmp -s "$W/out" "$V/uki/measure/A-json-pretty.out"; ok $? "uki-A file: --json=pretty == systemd-measure A-json-pretty"

# 257 rules: the stub's own .sbat and the .uname are measured. uki-E-stub257 was booted on the 257
# stub (not shipped); E252 carries the same measured sections on the 252 stub.
for bank in sha1 sha256; do
        got=$("$CT" uki measure --stub-version 257 --phase=: --bank=$bank "$W/uki-E252.efi" 2>/dev/null)
        is "$got" "11:$bank=$(boot_pcr uki-E-stub257 $bank 11)" "257 rules on a UKI file: PCR 11 ($bank) == uki-E-stub257 boot"
        got=$(cd "$IN" && "$CT" uki measure --stub-version 257 --phase=: --bank=$bank --linux="$K" --osrel=os-release \
                --cmdline=cmdline-a.txt --uname=uname.txt --initrd=initrd.cpio.gz --sbat=stub257-sbat.bin 2>/dev/null)
        is "$got" "11:$bank=$(boot_pcr uki-E-stub257 $bank 11)" "257 rules from parts: PCR 11 ($bank) == uki-E-stub257 boot"
done
err=$("$CT" uki measure --stub-version 257 --phase=: "$W/uki-E252.efi" 2>&1 >/dev/null | head -1)
case "$err" in *"warning: the stub says systemd-stub 252"*) r=0 ;; *) r=1 ;; esac
ok $r "a --stub-version that differs from .sdmagic warns ($err)"

# Lookup rules: .linux then .linuxZ. 252 takes the last prefix match (.linuxZ), 257 the exact one.
if [ -x "$SM" ]; then
        exp=$(cd "$IN" && "$SM" calculate --linux=os-release --cmdline=cmdline-a.txt --bank=sha256 --phase=: 2>/dev/null)
        got=$("$CT" uki measure --bank=sha256 --phase=: "$W/uki-PFX.efi" 2>/dev/null)
        is "$got" "$exp" "252 prefix/last-match rule: .linuxZ measured as .linux (== systemd-measure on that file)"
        exp=$(cd "$IN" && "$SM" calculate --linux="$K" --cmdline=cmdline-a.txt --bank=sha256 --phase=: 2>/dev/null)
        got=$("$CT" uki measure --stub-version 257 --bank=sha256 --phase=: "$W/uki-PFX.efi" 2>/dev/null)
        is "$got" "$exp" "257 exact/first-match rule: the real .linux measured (== systemd-measure)"
fi

# 4. Stub detection and --json steps
"$CT" uki measure --json --bank=sha256 --phase=: "$W/uki-A.efi" > "$W/a.json"; ok $? "--json exits 0"
got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
b = d["banks"]["sha256"]
print(d["schema_version"], d["stub_version"], len(b["steps"]), b["steps"][1]["digest"], b["steps"][-1]["pcr"] == b["after_sections"],
      [s["name"] for s in d["sections"] if s["measured"]])' "$W/a.json")
is "$got" "1 252 8 26f2e57c99338feaf71c46fa4babdc7e1a6c115943002d109fdb746667104f5f True ['.linux', '.osrel', '.cmdline', '.initrd']" \
        "--json: stub 252 detected from .sdmagic, 8 steps, .linux digest == sha256(vmlinuz) (KERNEL.txt), .sbat not measured"
# Step by step against the worked example (its name digests for .osrel/.cmdline were seen in event logs,
# its final values equal systemd-measure's small-only vector).
(cd "$IN" && "$CT" uki measure --json --bank=sha256 --phase=enter-initrd --linux=os-release --cmdline=cmdline-a.txt) > "$W/w.json"
got=$(python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["banks"]["sha256"]
print(" ".join(s["pcr"] for s in b["steps"] + b["phases"][0]["steps"]))' "$W/w.json")
exp=$(grep -E '^ *PCR11 (=|after)' "$V/uki/worked-example-sha256.txt" | head -5 | awk '{print $NF}' | tr '\n' ' ' | sed 's/ $//')
is "$got" "$exp" "--json steps: PCR after every extend == the worked example"

"$CT" uki measure "$K" >/dev/null 2>&1; is $? 2 "a PE without .sdmagic and no --stub-version: exit 2"

# A measured section reaching past SizeOfImage: firmware would not load the UKI -> exit 2 with the offset
off=$(python3 - "$W/uki-A.efi" "$W/bad-vsize.efi" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
pe = struct.unpack_from("<I", d, 0x3C)[0]
sect = pe + 24 + struct.unpack_from("<H", d, pe + 20)[0]
for i in range(struct.unpack_from("<H", d, pe + 6)[0]):
    o = sect + 40 * i
    if d[o:o + 8].rstrip(b"\0") == b".cmdline":
        struct.pack_into("<I", d, o + 8, 0x40000000)
        print("0x%x" % (o + 8))
open(sys.argv[2], "wb").write(d)
PY
)
err=$("$CT" uki measure "$W/bad-vsize.efi" 2>&1 >/dev/null); rc=$?
is "$rc" 2 "section past SizeOfImage: exit 2"
case "$err" in *".cmdline"*"offset $off"*"SizeOfImage"*) r=0 ;; *) r=1 ;; esac
ok $r "section past SizeOfImage: message names the section and VirtualSize's offset $off ($err)"

# Bounded work: a small UKI whose .cmdline claims 1 GiB of VirtualSize (SizeOfImage raised to match) is
# refused at once (CT_MAX_UKI_ZERO_FILL) instead of hashing 1 GiB of zeros per bank; so is pcr predict.
python3 - "$W/uki-A.efi" "$W/fill.efi" "$W/fill-ok.efi" <<'PY'
import struct, sys
for out, extra in ((sys.argv[2], 0x40000000), (sys.argv[3], 0x1000)):
    d = bytearray(open(sys.argv[1], "rb").read())
    pe = struct.unpack_from("<I", d, 0x3C)[0]
    sect = pe + 24 + struct.unpack_from("<H", d, pe + 20)[0]
    for i in range(struct.unpack_from("<H", d, pe + 6)[0]):
        o = sect + 40 * i
        if d[o:o + 8].rstrip(b"\0") == b".cmdline":
            raw = struct.unpack_from("<I", d, o + 16)[0]
            va = struct.unpack_from("<I", d, o + 12)[0]
            struct.pack_into("<I", d, o + 8, raw + extra)
            soi = struct.unpack_from("<I", d, pe + 24 + 56)[0]
            struct.pack_into("<I", d, pe + 24 + 56, max(soi, (va + raw + extra + 0x1fff) & ~0xfff))
    open(out, "wb").write(d)
PY
start=$(date +%s%N)
err=$("$CT" uki measure "$W/fill.efi" 2>&1 >/dev/null); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 2 "1 GiB of zero fill: exit 2"
case "$err" in *".cmdline"*"CT_MAX_UKI_ZERO_FILL"*) r=0 ;; *) r=1 ;; esac; ok $r "1 GiB of zero fill: names the section and the limit ($err)"
ok "$([ "$ms" -lt 2000 ]; echo $?)" "1 GiB of zero fill: refused in ${ms} ms (< 2 s)"
"$CT" pcr predict --secure-boot off --efi "$W/fill.efi" >/dev/null 2>&1; is "$?" 2 "pcr predict of that UKI: exit 2"
"$CT" uki measure "$W/fill-ok.efi" >/dev/null 2>&1; is "$?" 0 "4 KiB of zero fill (within the limit): measured, exit 0"
"$CT" uki measure --json --bank=sha256 "$W/fill-ok.efi" >"$W/fill-ok.json" 2>/dev/null
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([s.get("zero_fill") for s in d["sections"] if s["name"]==".cmdline"])' "$W/fill-ok.json")" "[4096]" "the zero fill is reported (4096)"

# 5. Usage errors
"$CT" uki measure --cmdline="$IN/cmdline-a.txt" >/dev/null 2>&1; is $? 2 "no --linux: exit 2"
"$CT" uki measure --linux="$IN/os-release" --bank=md5 >/dev/null 2>&1; is $? 2 "--bank=md5: exit 2"
"$CT" uki measure --linux="$IN/os-release" --uname="$IN/uname.txt" >/dev/null 2>&1; is $? 2 "--uname with 252 rules: exit 2"
"$CT" uki measure --linux="$IN/os-release" --json=bogus >/dev/null 2>&1; is $? 2 "--json=bogus: exit 2"
"$CT" uki measure --linux="$IN/os-release" "$W/uki-A.efi" >/dev/null 2>&1; is $? 2 "parts and a UKI file: exit 2"
"$CT" uki measure --linux=/nonexistent >/dev/null 2>&1; is $? 2 "missing part file: exit 2"
"$CT" uki measure --help | grep -q -- '--stub-version'; ok $? "--help documents --stub-version"

done_testing
