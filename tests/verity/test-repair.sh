#!/bin/bash
# `verity repair`: the FEC correction of `verify --fec-device` written back.
# Volumes made by the installed veritysetup (and its vectors) are corrupted,
# repaired by cocotrust, and then the installed `veritysetup verify` (without
# FEC) must pass on the repaired files; an unrepairable case must leave DATA
# and HASH unchanged byte for byte, and exit as a failed verification.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
V="$CT_SOURCE_ROOT/tests/vectors/verity"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
if ! command -v veritysetup >/dev/null; then
        skip "verity repair against veritysetup" "veritysetup not installed"
        done_testing
        exit 0
fi
root() { awk -F'\t' -v v="$1" '$1==v {print $6}' "$V/verity_vectors.tsv"; }
poke() { # poke FILE OFFSET:BYTE...
        local f=$1; shift
        for ob in "$@"; do
                printf "\\x${ob#*:}" | dd of="$f" bs=1 seek="${ob%%:*}" conv=notrunc status=none
        done
}
fresh() { cp "$V/inputs/$1.data" "$W/d"; cp "$V/outputs/$1.hash" "$W/h"; chmod u+w "$W/d" "$W/h"; }

# 1. v31 (2 roots): two data blocks and a hash block corrupt
fresh v31
poke "$W/d" 100:58 50000:59
poke "$W/h" 4200:5a
veritysetup verify "$W/d" "$W/h" "$(root v31)" >/dev/null 2>&1
is "$?" 2 "v31 corrupted: veritysetup verify fails before the repair"
ino=$(stat -c %i "$W/d")
"$COCOTRUST" verity repair "$W/d" "$W/h" "$(root v31)" --fec-device "$V/outputs/v31.fec" >"$W/out" 2>"$W/err"
is "$?" 0 "v31: repair exits 0"
is "$(cat "$W/err")" "Found 3 repairable errors with FEC device." "v31: FEC line as veritysetup verify prints it"
veritysetup verify "$W/d" "$W/h" "$(root v31)" >/dev/null 2>&1
is "$?" 0 "v31: veritysetup verify passes on the repaired files"
cmp -s "$W/d" "$V/inputs/v31.data" && cmp -s "$W/h" "$V/outputs/v31.hash"
ok $? "v31: repaired DATA and HASH are the vector's files byte for byte"
isnt_ino=$([ "$(stat -c %i "$W/d")" != "$ino" ] && echo renamed || echo same)
is "$isnt_ino" renamed "v31: DATA was replaced by a renamed copy, not written in place"

# 2. v32 (24 roots): 40 scattered bytes, --json
fresh v32
args=()
for i in $(seq 0 39); do args+=("$(( (i * 7919) % 983040 )):$(printf %02x $((i * 37 % 255 + 1)))"); done
poke "$W/d" "${args[@]}"
"$COCOTRUST" verity repair "$W/d" "$W/h" "$(root v32)" --fec-device "$V/outputs/v32.fec" --fec-roots 24 --json \
        >"$W/j" 2>/dev/null
is "$?" 0 "v32, 40 bytes: repair exits 0"
is "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["ok"], j["hash_blocks_written"], j["data_blocks_written"] > 0, "schema_version" in j)' "$W/j")" \
        "True 0 True True" "v32: JSON says ok, data blocks written, no hash block"
veritysetup verify "$W/d" "$W/h" "$(root v32)" >/dev/null 2>&1
is "$?" 0 "v32: veritysetup verify passes on the repaired data"

# 3. unrepairable (13 errors in one codeword with 24 roots): nothing changes
fresh v32
args=()
for i in $(seq 0 12); do args+=("$((i * 2 * 4096 + 7)):$(printf %02x $((i + 1)))"); done
poke "$W/d" "${args[@]}"
before=$(sha256sum "$W/d" "$W/h" | cut -d' ' -f1)
ino=$(stat -c %i "$W/d")
: >"$W/err"; : >"$W/vs"
files=$(ls -A "$W")
"$COCOTRUST" verity repair "$W/d" "$W/h" "$(root v32)" --fec-device "$V/outputs/v32.fec" --fec-roots 24 \
        >/dev/null 2>"$W/err"
ct=$?
veritysetup verify "$W/d" "$W/h" "$(root v32)" --fec-device "$V/outputs/v32.fec" --fec-roots 24 >/dev/null 2>"$W/vs"
vs=$?
is "$vs/$ct" "2/1" "unrepairable: veritysetup verify fails (2), repair fails as a verification (1)"
is "$(grep FEC "$W/err")" "$(grep FEC "$W/vs")" "unrepairable: FEC line as veritysetup's"
is "$(sha256sum "$W/d" "$W/h" | cut -d' ' -f1)" "$before" "unrepairable: DATA and HASH unchanged byte for byte"
is "$(stat -c %i "$W/d")" "$ino" "unrepairable: DATA not replaced"
is "$(ls -A "$W")" "$files" "unrepairable: no temporary left behind"

# 4. intact: nothing written
fresh v31
ino=$(stat -c %i "$W/d")
"$COCOTRUST" verity repair "$W/d" "$W/h" "$(root v31)" --fec-device "$V/outputs/v31.fec" >"$W/out" 2>&1
is "$?/$(stat -c %i "$W/d")" "0/$ino" "intact: exit 0 and DATA untouched"
like_=$(grep -c "nothing to repair" "$W/out")
is "$like_" 1 "intact: says nothing to repair"

# 5. a fresh volume made by veritysetup with a separate FEC file, --in-place
head -c $((4 << 20)) /dev/urandom >"$W/d"
veritysetup format "$W/d" "$W/h" --fec-device "$W/f" --fec-roots 4 >"$W/fmt"
r=$(awk '/^Root hash:/ {print $3}' "$W/fmt")
poke "$W/d" 10:00 $((1 << 20)):01 $((3 << 20)):02
poke "$W/h" 4100:03
cp "$W/d" "$W/d.corrupt"
ino=$(stat -c %i "$W/d")
"$COCOTRUST" verity repair "$W/d" "$W/h" "$r" --fec-device "$W/f" --fec-roots 4 --in-place >/dev/null 2>&1
is "$?" 0 "veritysetup-made 4 MiB volume: repair --in-place exits 0"
veritysetup verify "$W/d" "$W/h" "$r" >/dev/null 2>&1
is "$?/$(stat -c %i "$W/d")" "0/$ino" "in place: veritysetup verify passes, same inode"
cp "$W/d.corrupt" "$W/d"
poke "$W/h" 4100:03
"$COCOTRUST" verity repair "$W/d" "$W/h" "$r" --fec-device "$W/f" --fec-roots 4 >/dev/null 2>&1
veritysetup verify "$W/d" "$W/h" "$r" >/dev/null 2>&1
is "$?" 0 "veritysetup-made volume: repaired copy passes veritysetup verify"

# 6. FEC in the data file after the data (veritysetup 2.6.1 allows it when it does not overlap)
head -c $((1 << 20)) /dev/urandom >"$W/d"
truncate -s $((2 << 20)) "$W/d"
rm -f "$W/h" "$W/h2"
veritysetup format "$W/d" "$W/h" --data-blocks 256 --fec-device "$W/d" --fec-offset $((1 << 20)) >"$W/fmt"
r=$(awk '/^Root hash:/ {print $3}' "$W/fmt")
cp "$W/d" "$W/d.good"
head -c $((1 << 20)) "$W/d" >"$W/d2"
truncate -s $((2 << 20)) "$W/d2"
"$COCOTRUST" verity format "$W/d2" "$W/h2" --data-blocks 256 --fec-device "$W/d2" --fec-offset $((1 << 20)) \
        --salt "$(awk '/^Salt:/ {print $2}' "$W/fmt")" --uuid "$(awk '/^UUID:/ {print $2}' "$W/fmt")" >/dev/null
is "$?" 0 "format with FEC in DATA after the data: exit 0"
cmp -s "$W/d2" "$W/d" && cmp -s "$W/h2" "$W/h"
ok $? "format with FEC in DATA: DATA (with the parity) and HASH equal veritysetup's byte for byte"
cp "$W/d.good" "$W/d3"
veritysetup format "$W/d3" "$W/h3" --data-blocks 256 --fec-device "$W/d3" --fec-offset 4096 >/dev/null 2>&1
vs=$?
cp "$W/d.good" "$W/d3"
"$COCOTRUST" verity format "$W/d3" "$W/h3" --data-blocks 256 --fec-device "$W/d3" --fec-offset 4096 >/dev/null 2>&1
ct=$?
is "$([ $vs = 0 ] && echo ok || echo refused)/$ct" "refused/2" "FEC offset inside the data area: both refuse (veritysetup $vs)"
cmp -s "$W/d3" "$W/d.good"
ok $? "FEC offset inside the data area: DATA unchanged"
poke "$W/d" 5000:58 300000:59
"$COCOTRUST" verity verify "$W/d" "$W/h" "$r" --fec-device "$W/d" --fec-offset $((1 << 20)) >/dev/null 2>"$W/err"
ct=$?
veritysetup verify "$W/d" "$W/h" "$r" --fec-device "$W/d" --fec-offset $((1 << 20)) >/dev/null 2>"$W/vs"
vs=$?
is "$vs/$ct/$(grep FEC "$W/err")" "0/0/$(grep FEC "$W/vs")" "FEC in DATA: verify corrects as veritysetup does"
"$COCOTRUST" verity repair "$W/d" "$W/h" "$r" --fec-device "$W/d" --fec-offset $((1 << 20)) >/dev/null 2>&1
is "$?" 0 "FEC in DATA: repair exits 0"
cmp -s "$W/d" "$W/d.good"
ok $? "FEC in DATA: repaired DATA (data and parity) equals the file veritysetup made"
veritysetup verify "$W/d" "$W/h" "$r" >/dev/null 2>&1
is "$?" 0 "FEC in DATA: veritysetup verify passes after the repair"

# 7. usage
"$COCOTRUST" verity repair "$W/d" "$W/h" "$r" >/dev/null 2>"$W/err"
is "$?" 2 "without --fec-device: usage error (exit 2)"
"$COCOTRUST" verity repair --help | grep -q -- "--in-place"
ok $? "--help documents --in-place"
done_testing
