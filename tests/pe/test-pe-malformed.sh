#!/bin/bash
# Malformed PE images: every one must give exit status 2 and a one-line error naming the file and
# the offset of the offending field, and nothing on stdout.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
STUB=$CT_SOURCE_ROOT/tests/vectors/pe/linuxx64.efi.stub
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-pe-bad.XXXXXX")
trap 'rm -rf "$W"' EXIT

# Mutations of the real 252 stub (PE32+, e_lfanew 0x80, 8 sections, NumberOfRvaAndSizes 16).
python3 - "$STUB" "$W" <<'PY'
import struct, sys
src, out = sys.argv[1], sys.argv[2]
d = open(src, "rb").read()
pe = struct.unpack_from("<I", d, 0x3C)[0]
opt = pe + 24
sizeopt = struct.unpack_from("<H", d, pe + 20)[0]
sect = opt + sizeopt
nsec = struct.unpack_from("<H", d, pe + 6)[0]
dd = opt + 112
def w(name, b): open(out + "/" + name, "wb").write(bytes(b))
def mut(name, off, fmt, val):
    b = bytearray(d); struct.pack_into(fmt, b, off, val); w(name, b)
w("empty.efi", b"")
w("dos-only.efi", d[:0x40])
w("trunc-coff.efi", d[:pe + 10])
w("trunc-opt.efi", d[:opt + 50])
w("trunc-sections.efi", d[:sect + 40 * 3 + 7])
w("trunc-in-section-data.efi", d[:len(d) // 2])
mut("no-mz.efi", 0, "<H", 0x5a4e)
mut("lfanew-out.efi", 0x3C, "<I", 0x7ffffff0)
mut("no-pe-sig.efi", pe, "<I", 0x00004551)
mut("bad-magic.efi", opt, "<H", 0x30b)
mut("huge-nsections.efi", pe + 6, "<H", 0xffff)
b = bytearray(d[:0x1000]); struct.pack_into("<H", b, pe + 6, 200); w("nsections-past-end.efi", b)
mut("small-optheader.efi", pe + 20, "<H", 0x40)
mut("huge-nrva.efi", opt + 108, "<I", 0x10000000)
mut("soh-past-end.efi", opt + 60, "<I", len(d) + 0x1000)
mut("soh-before-sections.efi", opt + 60, "<I", sect + 8)
# section 2's raw data pointer inside section 1's raw data
p1 = struct.unpack_from("<I", d, sect + 40 * 0 + 20)[0]
mut("overlap.efi", sect + 40 * 1 + 20, "<I", p1 + 0x10)
# a section's raw data past the end
mut("raw-past-end.efi", sect + 40 * 2 + 16, "<I", 0x7fffffff)
mut("raw-ptr-past-end.efi", sect + 40 * 2 + 20, "<I", 0xfffffe00)
# certificate table pointing outside the file, and overflowing offset+size
b = bytearray(d); struct.pack_into("<II", b, dd + 32, len(d) - 0x10, 0x100); w("cert-outside.efi", b)
b = bytearray(d); struct.pack_into("<II", b, dd + 32, 0xfffffff0, 0x20); w("cert-wrap.efi", b)
PY

check() { # check FILE OFFSET_HEX
        local f=$W/$1 out err rc
        out=$("$CT" pe hash "$f" 2>"$W/err"); rc=$?
        err=$(cat "$W/err")
        is "$rc" 2 "$1: exit 2"
        case "$err" in "cocotrust: $f: "*) r=0 ;; *) r=1 ;; esac
        ok $r "$1: error names the file ($err)"
        if [ -n "$2" ]; then
                case "$err" in *"offset $2"*) r=0 ;; *) r=1 ;; esac
                ok $r "$1: error names offset $2"
        fi
        is "$out" "" "$1: nothing on stdout"
        is "$(printf '%s\n' "$err" | wc -l)" 1 "$1: one line"
}

check empty.efi 0x0
check dos-only.efi 0x3c
check trunc-coff.efi 0x3c
check trunc-opt.efi 0x98
check trunc-sections.efi 0x188
check trunc-in-section-data.efi ""
check no-mz.efi 0x0
check lfanew-out.efi 0x3c
check no-pe-sig.efi 0x80
check bad-magic.efi 0x98
check huge-nsections.efi 0x86
check nsections-past-end.efi 0x188
check small-optheader.efi 0x94
check huge-nrva.efi 0x104
check soh-past-end.efi 0xd4
check soh-before-sections.efi 0xd4
check overlap.efi 0x1c4
check raw-past-end.efi 0x1e8
check raw-ptr-past-end.efi 0x1ec
check cert-outside.efi 0x128
check cert-wrap.efi 0x128

# uki measure and pcr predict reject them the same way
"$CT" uki measure --stub-version 252 "$W/overlap.efi" >/dev/null 2>&1; is $? 2 "uki measure: malformed UKI exits 2"

done_testing
