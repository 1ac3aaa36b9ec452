#!/bin/bash
# cocotrust pe hash: Authenticode digests against authenticode.tsv (pesign 0.112 / osslsigncode /
# OVMF PCR 4, see tests/vectors/pe/README.md) and against pesign -h run now.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
V=$CT_SOURCE_ROOT/tests/vectors
TSV=$V/pe/authenticode.tsv
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-pe-hash.XXXXXX")
trap 'rm -rf "$W"' EXIT

# tsv columns: file file_sha256 file_size nrva cert_off cert_size sha1 sha256 sha384 ...
row() { awk -F'\t' -v f="$1" -v s="$2" '$1 == f && $2 == s' "$TSV"; }

check_row() { # check_row NAME PATH: file must be byte-identical to the tsv's file, then all three digests
        local name=$1 path=$2 sum r a exp got
        sum=$(sha256sum "$path" | cut -d' ' -f1)
        r=$(row "$name" "$sum")
        if [ -z "$r" ]; then
                ok 1 "$name: file sha256 $sum is in authenticode.tsv"
                return
        fi
        for a in sha1:7 sha256:8 sha384:9; do
                exp=$(printf '%s\n' "$r" | cut -f"${a#*:}")
                got=$("$CT" pe hash --alg "${a%%:*}" "$path" 2>/dev/null | cut -d' ' -f1)
                is "$got" "$exp" "$name ${a%%:*} Authenticode matches authenticode.tsv"
        done
}

check_row systemd-bootx64.efi "$V/pe/systemd-bootx64.efi"
check_row linuxx64.efi.stub "$V/pe/linuxx64.efi.stub"
check_row vmlinuz-6.1.0-56-amd64 "$V/kernel/vmlinuz-6.1.0-56-amd64"

# UKIs rebuilt with objcopy (byte-identical to the ones in the tsv: check_row verifies the file hash)
"$CT_SOURCE_ROOT/tests/uki/build-ukis.sh" "$W" A B C D
for u in A B C D; do check_row "uki-$u.efi" "$W/uki-$u.efi"; done

# Signed variants: sbsign pads to 8 bytes and appends the certificate table; the Authenticode does
# not depend on the key (the tsv's throwaway-key and OVMF-snakeoil-key rows are equal), so sign with
# a fresh throwaway key and compare with the tsv digests.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/c.pem" -days 1 -subj /CN=cocotrust-test \
        >/dev/null 2>&1
sbsign --key "$W/k.pem" --cert "$W/c.pem" --output "$W/uki-A.signed.efi" "$W/uki-A.efi" >/dev/null 2>&1
sbsign --key "$W/k.pem" --cert "$W/c.pem" --output "$W/boot.signed.efi" "$V/pe/systemd-bootx64.efi" >/dev/null 2>&1
exp=$(awk -F'\t' '$1 == "uki-A.sbsigned.efi" {print $8}' "$TSV")
got=$("$CT" pe hash "$W/uki-A.signed.efi" | cut -d' ' -f1)
is "$got" "$exp" "uki-A sbsigned: sha256 matches the tsv (PCR 4 of the Secure Boot boot)"
exp=$(awk -F'\t' '$1 == "uki-A.sbsigned.efi" {print $7}' "$TSV")
got=$("$CT" pe hash --alg sha1 "$W/uki-A.signed.efi" | cut -d' ' -f1)
is "$got" "$exp" "uki-A sbsigned: sha1 matches the tsv"
exp=$(awk -F'\t' '$1 == "systemd-bootx64.sbsigned.efi" {print $8}' "$TSV")
got=$("$CT" pe hash "$W/boot.signed.efi" | cut -d' ' -f1)
is "$got" "$exp" "systemd-boot sbsigned: sha256 matches the tsv"

skip "tsv rows uki-A.trailing.efi, uki-A.sbsigned.trailing.efi" "the appended bytes are not shipped; trailing data is cross-checked with pesign below"
skip "tsv rows uki-E-stub257.efi and the 257 linuxx64.efi.stub" "the systemd 257 stub (Debian trixie) is not shipped"

# Trailing data after the last section, and after the certificate table.
head -c 1022 "$V/uki/inputs/initrd.cpio.gz" > "$W/tail.bin"
cat "$W/uki-A.efi" "$W/tail.bin" > "$W/uki-A.trailing.efi"
cat "$W/uki-A.signed.efi" "$W/tail.bin" > "$W/uki-A.signed.trailing.efi"

# pesign -h (sha256 default, -d sha1) at test time. one-section.efi has VirtualSize > SizeOfRawData;
# regress-trailing-overlap.efi (a fuzzer find) has a gap between sections, so the trailing range
# starts inside the last section: pesign hashes those bytes twice too.
pesign_hash() { pesign -h ${2:+-d "$2"} -i "$1" 2>/dev/null | sed -n 's/^hash: //p'; }
for f in "$V/kernel/vmlinuz-6.1.0-56-amd64" "$V/pe/systemd-bootx64.efi" "$V/pe/linuxx64.efi.stub" \
         /usr/lib/systemd/boot/efi/systemd-bootx64.efi /usr/lib/systemd/boot/efi/linuxx64.efi.stub \
         "$W/uki-A.efi" "$W/uki-A.signed.efi" "$W/boot.signed.efi" "$W/uki-A.trailing.efi" \
         "$W/uki-A.signed.trailing.efi" \
         "$CT_SOURCE_ROOT/fuzz/corpus/pe/one-section.efi" "$CT_SOURCE_ROOT/fuzz/corpus/pe/regress-trailing-overlap.efi"; do
        if [ ! -f "$f" ]; then skip "pesign cross-check $(basename "$f")" "not installed"; continue; fi
        for a in sha256 sha1; do
                exp=$(pesign_hash "$f" $a)
                got=$("$CT" pe hash --alg $a "$f" | cut -d' ' -f1)
                if [ -z "$exp" ]; then ok 1 "pesign -h -d $a $(basename "$f") printed a hash"; continue; fi
                is "$got" "$exp" "$(basename "$f") $a == pesign -h -d $a"
        done
done

# Several algorithms in one run, output format
out=$("$CT" pe hash --alg sha1 --alg sha256 "$V/pe/linuxx64.efi.stub")
exp1=$(awk -F'\t' '$2 == "c62ae56ffaf49d1a61de4434f4f531dd1d4ed3b5aee46c934c56e3f809b22cc4" {print $7}' "$TSV")
exp2=$(awk -F'\t' '$2 == "c62ae56ffaf49d1a61de4434f4f531dd1d4ed3b5aee46c934c56e3f809b22cc4" {print $8}' "$TSV")
is "$out" "sha1:$exp1  $V/pe/linuxx64.efi.stub
sha256:$exp2  $V/pe/linuxx64.efi.stub" "two --alg: '<alg>:<hex>  FILE' lines"

# JSON
"$CT" pe hash --json --explain --alg sha384 "$V/kernel/vmlinuz-6.1.0-56-amd64" > "$W/k.json"; ok $? "--json --explain exits 0"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d["images"][0]; print(d["schema_version"], i["authenticode"]["sha384"], len(i["hashed_ranges"]), [s["what"] for s in i["skipped_ranges"]][-1], i["skipped_ranges"][-1]["offset"])' "$W/k.json")
exp=$(awk -F'\t' '$1 == "vmlinuz-6.1.0-56-amd64" {print $9}' "$TSV")
is "$got" "1 $exp 7 certificate table $((0x7dd200))" "JSON: schema_version, sha384, 7 hashed ranges, certificate table skipped at its tsv offset"

# --explain: the ranges cover exactly what pesign hashes; check the sum of lengths against the file
# layout: every byte except CheckSum (4), the directory entry (8) and the certificate table (0x5c0).
sum=0
while read -r what off len _; do
        [ "$what" = hash ] && sum=$((sum + len))
done < <("$CT" pe hash --explain "$V/kernel/vmlinuz-6.1.0-56-amd64")
is "$sum" "$((8247232 - 4 - 8 - 0x5c0))" "--explain: hashed ranges cover the kernel minus CheckSum, directory entry and certificate table"

# TimeDateStamp warning: objcopy stamps the build time; a zeroed stamp gives no warning.
objcopy --add-section .osrel="$V/uki/inputs/os-release" --change-section-vma .osrel=0x20000 \
        "$V/pe/linuxx64.efi.stub" "$W/stamped.efi"
err=$("$CT" pe hash "$W/stamped.efi" 2>&1 >/dev/null)
case "$err" in *"warning: COFF TimeDateStamp"*) r=0 ;; *) r=1 ;; esac; ok $r "non-zero TimeDateStamp warns on stderr ($err)"
err=$("$CT" pe hash "$W/uki-A.efi" 2>&1 >/dev/null)
is "$err" "" "zero TimeDateStamp: no warning"

# pesign's own command lines, with "pesign" replaced by "cocotrust pe hash": -h is --hash there (not
# help), -i/--in the input, -d/--digest_type the algorithm; the output is pesign's "hash: <hex>".
F=$V/pe/systemd-bootx64.efi
if command -v pesign >/dev/null; then
        for args in "-h -i $F" "-h -d sha1 -i $F" "--hash --in=$F --digest_type=sha256" "-hi $F" \
                    "--hash -d sha1 --in $F" "-h -i $V/kernel/vmlinuz-6.1.0-56-amd64"; do
                # shellcheck disable=SC2086
                exp=$(pesign $args 2>&1); erc=$?
                # shellcheck disable=SC2086
                got=$("$CT" pe hash $args 2>&1); grc=$?
                is "$got" "$exp" "pe hash $args prints what pesign $args prints"
                is "$grc" "$erc" "pe hash $args exits as pesign does ($erc)"
        done
else
        skip "pesign command lines" "pesign is not installed"
fi
"$CT" pe hash -h "$F" | grep -q '^hash: '; ok $? "-h with a FILE operand: pesign's output, not help"
"$CT" pe hash -h >/dev/null 2>&1; is $? 2 "-h alone: missing FILE, exit 2 (not help)"
"$CT" pe hash --help | grep -q '^Usage:'; ok $? "--help is help"

# Usage errors
"$CT" pe hash >/dev/null 2>&1; is $? 2 "no FILE: exit 2"
"$CT" pe hash --alg md5 "$V/pe/linuxx64.efi.stub" >/dev/null 2>&1; is $? 2 "--alg md5: exit 2"
"$CT" pe hash /nonexistent/file >/dev/null 2>&1; is $? 2 "missing file: exit 2"
"$CT" pe hash --help | grep -q -- '--explain'; ok $? "--help documents --explain"

done_testing
