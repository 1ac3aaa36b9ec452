#!/bin/bash
# cocotrust uki build: same inputs -> same bytes (twice, other mtimes, other option order);
# SOURCE_DATE_EPOCH in TimeDateStamp; PCR 11 of the built UKI equals the installed
# systemd-measure's for the same parts (so systemd-stub's section lookup finds every section,
# 252 and 257 rules); Authenticode equals pesign -h; binutils objdump reads the section table;
# errors. TAP.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
V=$CT_SOURCE_ROOT/tests/vectors
IN=$V/uki/inputs
K=$V/kernel/vmlinuz-6.1.0-56-amd64
STUB=$V/pe/linuxx64.efi.stub
SM=/usr/lib/systemd/systemd-measure
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-ukibuild.XXXXXX")
trap 'rm -rf "$W"' EXIT

build() { # build OUT [extra env]
        "$CT" uki build --stub "$STUB" --linux "$K" --initrd "$IN/initrd.cpio.gz" --cmdline "@$IN/cmdline-a.txt" \
                --osrel "$IN/os-release" -o "$1" >/dev/null
}
env -u SOURCE_DATE_EPOCH "$CT" uki build --stub "$STUB" --linux "$K" --initrd "$IN/initrd.cpio.gz" \
        --cmdline "@$IN/cmdline-a.txt" --osrel "$IN/os-release" -o "$W/a.efi" >/dev/null
is $? 0 "uki build: exit 0"
# Same inputs copied with other mtimes, options in another order.
mkdir "$W/c"
cp "$K" "$IN/initrd.cpio.gz" "$IN/cmdline-a.txt" "$IN/os-release" "$STUB" "$W/c/"
touch -d @1000000000 "$W/c/"*
env -u SOURCE_DATE_EPOCH "$CT" uki build --osrel "$W/c/os-release" --cmdline "@$W/c/cmdline-a.txt" \
        --initrd "$W/c/initrd.cpio.gz" --linux "$W/c/vmlinuz-6.1.0-56-amd64" --stub "$W/c/linuxx64.efi.stub" \
        -o "$W/b.efi" >/dev/null
cmp -s "$W/a.efi" "$W/b.efi"; ok $? "other mtimes, other option order: identical bytes"
env -u SOURCE_DATE_EPOCH "$CT" uki build --stub "$STUB" --linux "$K" --initrd "$IN/initrd.cpio.gz" \
        --cmdline "@$IN/cmdline-a.txt" --osrel "$IN/os-release" -o "$W/a2.efi" >/dev/null
cmp -s "$W/a.efi" "$W/a2.efi"; ok $? "built twice: identical bytes"
ts=$(python3 -c "
import struct,sys; d=open(sys.argv[1],'rb').read(); pe=struct.unpack_from('<I',d,0x3c)[0]; print(struct.unpack_from('<I',d,pe+8)[0])" "$W/a.efi")
is "$ts" 0 "TimeDateStamp 0 without SOURCE_DATE_EPOCH"
SOURCE_DATE_EPOCH=1700000000 "$CT" uki build --stub "$STUB" --linux "$K" --cmdline x -o "$W/t.efi" >/dev/null
ts=$(python3 -c "
import struct,sys; d=open(sys.argv[1],'rb').read(); pe=struct.unpack_from('<I',d,0x3c)[0]; print(struct.unpack_from('<I',d,pe+8)[0])" "$W/t.efi")
is "$ts" 1700000000 "TimeDateStamp = SOURCE_DATE_EPOCH"

# PCR 11: the built UKI measured by cocotrust equals systemd-measure over the same parts.
if [ -x "$SM" ]; then
        "$SM" calculate --linux="$K" --osrel="$IN/os-release" --cmdline="$IN/cmdline-a.txt" \
                --initrd="$IN/initrd.cpio.gz" > "$W/sm.out" 2>/dev/null
        "$CT" uki measure "$W/a.efi" > "$W/ct.out" 2>/dev/null
        cmp -s "$W/sm.out" "$W/ct.out"; ok $? "uki measure of the built UKI == systemd-measure calculate of its parts (4 phases x 4 banks)"
        "$SM" calculate --linux="$K" --osrel="$IN/os-release" --cmdline="$IN/cmdline-a.txt" \
                --initrd="$IN/initrd.cpio.gz" --uname="$IN/uname.txt" --splash="$IN/splash.bmp" --dtb="$IN/devicetree.dtb" \
                --pcrpkey="$IN/pcrpkey.pem" --bank=sha256 > "$W/sm2.out" 2>/dev/null
        "$CT" uki build --stub "$STUB" --linux "$K" --initrd "$IN/initrd.cpio.gz" --cmdline "@$IN/cmdline-a.txt" \
                --osrel "$IN/os-release" --uname "$(cat "$IN/uname.txt")" --splash "$IN/splash.bmp" --dtb "$IN/devicetree.dtb" \
                -o "$W/full.efi" >/dev/null
        "$CT" uki measure "$W/full.efi" --stub-version=257 --bank=sha256 > "$W/ct2.out" 2>/dev/null
        # 257 rules also measure the stub's own .sbat: only compare the 252 lookup here, and that 257 finds the parts.
        "$CT" uki measure "$W/full.efi" --stub-version=252 --bank=sha256 > "$W/ct3.out" 2>/dev/null
        grep -v uname "$W/sm2.out" >/dev/null
        # systemd-measure 252 has no --uname rule difference for 252 stubs (.uname is not measured by 252).
        "$SM" calculate --linux="$K" --osrel="$IN/os-release" --cmdline="$IN/cmdline-a.txt" \
                --initrd="$IN/initrd.cpio.gz" --splash="$IN/splash.bmp" --dtb="$IN/devicetree.dtb" \
                --bank=sha256 > "$W/sm3.out" 2>/dev/null
        cmp -s "$W/sm3.out" "$W/ct3.out"; ok $? "UKI with .splash .dtb .uname: 252 rules == systemd-measure (252 does not measure .uname)"
        test -s "$W/ct2.out"; ok $? "257 rules locate the sections of the built UKI"
else
        skip "systemd-measure not installed" 3
fi

# PCR 4: Authenticode == pesign -h.
if command -v pesign >/dev/null; then
        want=$(pesign -h -i "$W/a.efi" 2>/dev/null | awk '{print $NF}')
        got=$("$CT" pe hash "$W/a.efi" | awk '{print $1}')
        is "$got" "$want" "Authenticode of the built UKI == pesign -h"
else
        skip "pesign not installed" 1
fi
# binutils reads the section table; sections in ukify's order, contents where the headers say.
order=$(objdump -h "$W/full.efi" | awk '$2 ~ /^\./ {print $2}' | tr '\n' ' ')
case "$order" in
*".osrel .cmdline .dtb .uname .splash .initrd .linux "*) ok 0 "objdump -h: sections in ukify's order ($order)" ;;
*) ok 1 "objdump -h: sections in ukify's order ($order)" ;;
esac
objcopy -O binary --only-section=.linux "$W/a.efi" "$W/linux.bin" 2>/dev/null
cmp -s "$W/linux.bin" "$K"; ok $? "objcopy extracts .linux equal to the kernel"

# Errors.
"$CT" uki build --stub "$STUB" --linux "$K" --section .linux:"$K" -o "$W/e.efi" >/dev/null 2>&1
is $? 2 "a section given twice: exit 2"
"$CT" uki build --stub "$STUB" --linux "$K" --section .sbat:"$IN/os-release" -o "$W/e.efi" >/dev/null 2>&1
is $? 2 "a section the stub already has: exit 2"
"$CT" uki build --stub "$STUB" --linux "$K" --initrd "$K" --cmdline x --osrel "$K" --dtb "$K" --splash "$K" \
        --uname x --pcrpkey "$K" -o "$W/e.efi" >/dev/null 2>&1
is $? 2 "more sections than the stub's headers have room for: exit 2"
"$CT" uki build --stub "$K" --linux "$K" -o "$W/e.efi" >/dev/null 2>&1
r=$?; test $r = 2 -o $r = 1; ok $? "a kernel as the stub (no room / not a stub): refused (exit $r)"
"$CT" uki build --linux "$K" -o "$W/e.efi" >/dev/null 2>&1
is $? 2 "no --stub: exit 2"
test ! -e "$W/e.efi"; ok $? "failed runs leave no output"
"$CT" uki build --stub "$IN/os-release" --linux "$K" -o "$W/e.efi" >/dev/null 2>&1
is $? 2 "a stub that is not a PE: exit 2"
done_testing
