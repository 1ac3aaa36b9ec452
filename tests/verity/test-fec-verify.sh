#!/bin/bash
# `verity verify --fec-device`: when verification fails, decode the FEC over
# data and tree in memory and report as veritysetup 2.6.1 does ("Found N
# repairable errors with FEC device." and exit 0, or "Errors cannot be repaired
# with FEC device." and failure; a root hash that does not match still fails).
# Every case corrupts a copy of a veritysetup vector (v31: 2 roots, v32: 24
# roots) and runs the installed veritysetup on the same files: the FEC line
# must be identical and the outcome the same (veritysetup fails with 2, cocotrust
# with 1, its "verification failed" status). cocotrust also puts the corrected
# blocks in memory and verifies again, so where veritysetup accepts what FEC
# "repaired" but the tree still rejects (a miscorrected codeword, a wrong root
# hash), cocotrust fails: those cases say so.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
V="$CT_SOURCE_ROOT/tests/vectors/verity"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
if ! command -v veritysetup >/dev/null; then
        skip "FEC verify against veritysetup" "veritysetup not installed"
        done_testing
        exit 0
fi
root() { awk -F'\t' -v v="$1" '$1==v {print $6}' "$V/verity_vectors.tsv"; }

# case NAME VECTOR ROOTS FILE(data|hash) OFFSET:BYTE...   (env DIFFER=1: cocotrust fails where veritysetup passes)
case_() {
        local name=$1 vec=$2 roots=$3 which=$4; shift 4
        cp "$V/inputs/$vec.data" "$W/d"; cp "$V/outputs/$vec.hash" "$W/h"; chmod u+w "$W/d" "$W/h"
        local f="$W/d"; [ "$which" = hash ] && f="$W/h"
        for ob in "$@"; do
                printf "\\x${ob#*:}" | dd of="$f" bs=1 seek="${ob%%:*}" conv=notrunc status=none
        done
        veritysetup verify "$W/d" "$W/h" "$(root "$vec")" --fec-device "$V/outputs/$vec.fec" --fec-roots "$roots" \
                >/dev/null 2>"$W/vs.err"
        local vs=$?
        "$COCOTRUST" verity verify "$W/d" "$W/h" "$(root "$vec")" --fec-device "$V/outputs/$vec.fec" \
                --fec-roots "$roots" >/dev/null 2>"$W/ct.err"
        local ct=$?
        is "$(grep FEC "$W/ct.err")" "$(grep FEC "$W/vs.err")" "$name: FEC line as veritysetup's ($(grep FEC "$W/vs.err"))"
        if [ "${DIFFER:-0}" = 1 ]; then
                is "$vs/$ct" "0/1" "$name: veritysetup passes, cocotrust fails (still corrupt after the repair)"
        else
                is "$([ $ct = 0 ] && echo pass || echo fail)" "$([ $vs = 0 ] && echo pass || echo fail)" \
                        "$name: same outcome (veritysetup $vs, cocotrust $ct)"
        fi
}

case_ "2 roots, one byte" v31 2 data 100:58
case_ "2 roots, three bytes in three codewords" v31 2 data 100:58 4296:59 9000:00
DIFFER=1 case_ "2 roots, two errors in one codeword (miscorrected, counted as veritysetup counts)" v31 2 data 100:58 8292:5a
case_ "2 roots, one byte of the hash block (a data block fails first, repairable)" v31 2 hash 4200:ff
case_ "24 roots, 12 errors in one codeword" v32 24 data 7:01 $((2 * 4096 + 7)):02 $((4 * 4096 + 7)):03 \
        $((6 * 4096 + 7)):04 $((8 * 4096 + 7)):05 $((10 * 4096 + 7)):06 $((12 * 4096 + 7)):07 \
        $((14 * 4096 + 7)):08 $((16 * 4096 + 7)):09 $((18 * 4096 + 7)):0a $((20 * 4096 + 7)):0b $((22 * 4096 + 7)):0c
args=()
for i in $(seq 0 12); do args+=("$((i * 2 * 4096 + 7)):$(printf %02x $((i + 1)))"); done
case_ "24 roots, 13 errors in one codeword (uncorrectable)" v32 24 data "${args[@]}"
args=()
for i in $(seq 0 39); do args+=("$(( (i * 7919) % 983040 )):$(printf %02x $((i * 37 % 255 + 1)))"); done
case_ "24 roots, 40 scattered bytes" v32 24 data "${args[@]}"

# a consistent tree whose root is not the one given: FEC finds nothing to fix, and the root still fails
cp "$V/inputs/v31.data" "$W/d"; cp "$V/outputs/v31.hash" "$W/h"; chmod u+w "$W/d" "$W/h"
printf 'X' | dd of="$W/d" bs=1 seek=100 conv=notrunc status=none
veritysetup verify "$W/d" "$W/h" "$(root v31 | sed 's/^3/4/')" --fec-device "$V/outputs/v31.fec" >/dev/null 2>&1
vs=$?
"$COCOTRUST" verity verify "$W/d" "$W/h" "$(root v31 | sed 's/^3/4/')" --fec-device "$V/outputs/v31.fec" >/dev/null 2>&1
is "$vs/$?" 0/1 "wrong root hash, data repairable: veritysetup passes, cocotrust fails"
"$COCOTRUST" verity verify "$V/inputs/v31.data" "$V/outputs/v31.hash" "$(root v31 | sed 's/^3/4/')" \
        --fec-device "$V/outputs/v31.fec" >/dev/null 2>&1
ct=$?
veritysetup verify "$V/inputs/v31.data" "$V/outputs/v31.hash" "$(root v31 | sed 's/^3/4/')" \
        --fec-device "$V/outputs/v31.fec" >/dev/null 2>&1
vs=$?
is "$([ $ct = 0 ] && echo pass || echo fail)" "$([ $vs = 0 ] && echo pass || echo fail)" \
        "intact data, wrong root hash, FEC given: same outcome (veritysetup $vs, cocotrust $ct)"

# a whole zeroed data block: 4096 codewords with one error each
cp "$V/inputs/v32.data" "$W/d"; chmod u+w "$W/d"
dd if=/dev/zero of="$W/d" bs=4096 seek=100 count=1 conv=notrunc status=none
veritysetup verify "$W/d" "$V/outputs/v32.hash" "$(root v32)" --fec-device "$V/outputs/v32.fec" --fec-roots 24 \
        >/dev/null 2>"$W/vs.err"
"$COCOTRUST" verity verify "$W/d" "$V/outputs/v32.hash" "$(root v32)" --fec-device "$V/outputs/v32.fec" \
        --fec-roots 24 --json >"$W/ct.json" 2>"$W/ct.err"
is "$?" 0 "zeroed block, 24 roots: repairable, exit 0"
is "$(grep FEC "$W/ct.err")" "$(grep FEC "$W/vs.err")" "zeroed block: FEC line as veritysetup's"
python3 - "$W/ct.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
f = j["fec"]
assert j["ok"] is False and j["corrupt_data_blocks"] == 1, j
assert j["ok_after_fec_repair"] is True, j
assert f["verified_after_repair"] is True and f["blocks_repaired"] == 1, f
assert f["uncorrectable_codewords"] == 0 and f["corrected_bytes"] > 0, f
PY
ok $? "zeroed block: --json reports the corrupt block and the FEC result"
done_testing
