#!/bin/sh
# Build the test UKIs at test time with objcopy, from the systemd 252 stub, the Debian kernel and the
# inputs shipped in tests/vectors. Same recipe as the UKIs that were booted under OVMF + swtpm
# (shared/oracles/build_ukis.sh); with TimeDateStamp zeroed and CheckSum recomputed the files are
# byte-identical to the booted ones (their sha256 is in tests/vectors/pe/authenticode.tsv, and the
# tests check it before using them).
# usage: build-ukis.sh OUTDIR [A B C D ...]
set -eu
OUT=$1; shift
R=${CT_SOURCE_ROOT:?}
IN=$R/tests/vectors/uki/inputs
K=$R/tests/vectors/kernel/vmlinuz-6.1.0-56-amd64
STUB=$R/tests/vectors/pe/linuxx64.efi.stub
mkdir -p "$OUT"

# Zero COFF TimeDateStamp (objcopy writes the build time there) and recompute the PE CheckSum
# (16-bit one's-complement-style fold over the file with CheckSum taken as 0, plus the length).
normalize() {
        python3 - "$1" <<'PY'
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
pe = struct.unpack_from("<I", d, 0x3C)[0]
struct.pack_into("<I", d, pe + 8, 0)
ck = pe + 24 + 64
struct.pack_into("<I", d, ck, 0)
b = bytes(d) + (b"\0" if len(d) % 2 else b"")
s = 0
for (w,) in struct.iter_unpack("<H", b):
    s += w
    s = (s & 0xFFFF) + (s >> 16)
s = (s & 0xFFFF) + (s >> 16)
struct.pack_into("<I", d, ck, (s + len(d)) & 0xFFFFFFFF)
open(p, "wb").write(d)
PY
}

build() {
        case $1 in
        A) objcopy \
                --add-section .osrel="$IN/os-release" --change-section-vma .osrel=0x20000 \
                --add-section .cmdline="$IN/cmdline-a.txt" --change-section-vma .cmdline=0x30000 \
                --add-section .linux="$K" --change-section-vma .linux=0x2000000 \
                --add-section .initrd="$IN/initrd.cpio.gz" --change-section-vma .initrd=0x3000000 \
                "$STUB" "$OUT/uki-A.efi" ;;
        B) objcopy \
                --add-section .osrel="$IN/os-release" --change-section-vma .osrel=0x20000 \
                --add-section .cmdline="$IN/cmdline-b.txt" --change-section-vma .cmdline=0x30000 \
                --add-section .splash="$IN/splash.bmp" --change-section-vma .splash=0x40000 \
                --add-section .linux="$K" --change-section-vma .linux=0x2000000 \
                "$STUB" "$OUT/uki-B.efi" ;;
        C) objcopy \
                --add-section .osrel="$IN/os-release" --change-section-vma .osrel=0x20000 \
                --add-section .cmdline="$IN/cmdline-a.txt" --change-section-vma .cmdline=0x30000 \
                --add-section .pcrsig="$R/tests/vectors/uki/measure/C-sign.out" --change-section-vma .pcrsig=0x40000 \
                --add-section .pcrpkey="$IN/pcrpkey.pem" --change-section-vma .pcrpkey=0x50000 \
                --add-section .linux="$K" --change-section-vma .linux=0x2000000 \
                --add-section .initrd="$IN/initrd.cpio.gz" --change-section-vma .initrd=0x3000000 \
                "$STUB" "$OUT/uki-C.efi" ;;
        D) objcopy \
                --add-section .initrd="$IN/initrd.cpio.gz" --change-section-vma .initrd=0x100000 \
                --add-section .linux="$K" --change-section-vma .linux=0x2000000 \
                --add-section .cmdline="$IN/cmdline-a.txt" --change-section-vma .cmdline=0x3000000 \
                --add-section .osrel="$IN/os-release" --change-section-vma .osrel=0x3010000 \
                "$STUB" "$OUT/uki-D.efi" ;;
        # E-like: the payload of the booted uki-E-stub257 (whose 257 stub is not shipped) on the 252
        # stub, with the 252 stub's own .sbat replaced by the 257 stub's .sbat. Under 257 rules it
        # measures exactly the sections the 257 stub measured at boot.
        E252) objcopy --remove-section .sbat \
                --add-section .sbat="$IN/stub257-sbat.bin" --change-section-vma .sbat=0x1a000 \
                --add-section .osrel="$IN/os-release" --change-section-vma .osrel=0x20000 \
                --add-section .cmdline="$IN/cmdline-a.txt" --change-section-vma .cmdline=0x21000 \
                --add-section .uname="$IN/uname.txt" --change-section-vma .uname=0x22000 \
                --add-section .linux="$K" --change-section-vma .linux=0x2000000 \
                --add-section .initrd="$IN/initrd.cpio.gz" --change-section-vma .initrd=0x3000000 \
                "$STUB" "$OUT/uki-E252.efi" ;;
        # Lookup rules: a second section whose name starts with ".linux" after the real one.
        # 252 (prefix match, last wins) measures it as .linux; 257 (exact, first wins) does not.
        # The stub's own .sbat is removed so that 257 rules measure only .linux and .cmdline.
        PFX) objcopy --remove-section .sbat \
                --add-section .cmdline="$IN/cmdline-a.txt" --change-section-vma .cmdline=0x30000 \
                --add-section .linux="$K" --change-section-vma .linux=0x2000000 \
                --add-section .linuxZ="$IN/os-release" --change-section-vma .linuxZ=0x3000000 \
                "$STUB" "$OUT/uki-PFX.efi" ;;
        *) echo "build-ukis.sh: unknown UKI $1" >&2; exit 2 ;;
        esac
        normalize "$OUT/uki-$1.efi"
}

for u in "$@"; do
        build "$u"
done
