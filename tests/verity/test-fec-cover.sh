#!/bin/bash
# FEC coverage exactly as veritysetup 2.6.1's VERITY_FEC_blocks() (cryptsetup
# lib/verity/verity_fec.c at v2.6.1, 4fc61985): the data, then the hash device
# from its first tree block to its end (FEC in a separate file) or to the FEC
# offset (FEC inside the hash file), whatever those bytes hold. veritysetup
# writes into existing files and keeps what it does not overwrite; cocotrust
# copies them into its atomic replacement. Each case runs the installed
# veritysetup on a copy of the same starting files and compares every byte.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
V="$CT_SOURCE_ROOT/tests/vectors/verity"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D="$V/inputs/v02.data"   # 16 blocks of 4096
U=12345678-1234-1234-1234-123456789abc
rnd() { openssl enc -aes-128-ctr -K 00112233445566778899aabbccddeeff -iv "$2" -in /dev/zero 2>/dev/null | head -c "$1"; }

if ! command -v veritysetup >/dev/null; then
        skip "FEC coverage against veritysetup" "veritysetup not installed"
        done_testing
        exit 0
fi

# 1. hash file 1.6 MB of old bytes (400 blocks, the tree needs 2), FEC in its own file
rnd 1638400 00000000000000000000000000000001 >"$W/h0"
cp "$W/h0" "$W/h.vs"; cp "$W/h0" "$W/h.ct"
veritysetup format "$D" "$W/h.vs" --fec-device "$W/f.vs" --fec-roots 2 -s 00 --uuid $U >/dev/null 2>&1
"$COCOTRUST" verity format "$D" "$W/h.ct" --fec-device "$W/f.ct" --fec-roots 2 -s 00 --uuid $U >"$W/out" 2>&1
ok $? "larger hash file, separate FEC: format exit 0"
cmp -s "$W/h.vs" "$W/h.ct"; ok $? "larger hash file: hash file identical to veritysetup's (old tail kept)"
cmp -s "$W/f.vs" "$W/f.ct"; ok $? "larger hash file: FEC covers the whole hash device, identical to veritysetup's"
is "$(stat -c %s "$W/f.ct")" $(( (16 + 400 - 1 + 252) / 253 * 2 * 4096 )) "FEC size: ceil((16 + 399) / 253) rounds of 2 x 4096"
R=$(sed -n 's/^Root hash: *\t*//p' "$W/out" | tr -d ' \t')
is "$("$COCOTRUST" verity table "$D" "$W/h.ct" "$R" --fec-device "$W/f.ct" --fec-roots 2 --output table | \
        sed -n 's/.* fec_blocks \([0-9]*\) .*/\1/p')" 415 "table: fec_blocks 16 data + 399 hash-device blocks"

# 2. FEC inside the hash file, after a gap of old bytes
rnd 1048576 00000000000000000000000000000002 >"$W/g0"
cp "$W/g0" "$W/g.vs"; cp "$W/g0" "$W/g.ct"
veritysetup format "$D" "$W/g.vs" --fec-device "$W/g.vs" --fec-offset 524288 --fec-roots 4 -s 00 --uuid $U >/dev/null 2>&1
"$COCOTRUST" verity format "$D" "$W/g.ct" --fec-device "$W/g.ct" --fec-offset 524288 --fec-roots 4 -s 00 --uuid $U \
        >"$W/out2" 2>&1
ok $? "FEC in the hash file: format exit 0"
cmp -s "$W/g.vs" "$W/g.ct"; ok $? "FEC in the hash file covers up to the FEC offset: identical to veritysetup's"
R2=$(sed -n 's/^Root hash: *\t*//p' "$W/out2" | tr -d ' \t')
is "$("$COCOTRUST" verity table "$D" "$W/g.ct" "$R2" --fec-device "$W/g.ct" --fec-offset 524288 --fec-roots 4 \
        --output table | sed -n 's/.* fec_blocks \([0-9]*\) .*/\1/p')" 143 "table: fec_blocks 16 + 524288/4096 - 1"

# 3. an existing, larger FEC file: parity at the offset, the rest kept
rnd 262144 00000000000000000000000000000003 >"$W/e0"
cp "$W/e0" "$W/e.vs"; cp "$W/e0" "$W/e.ct"
rm -f "$W/h.vs" "$W/h.ct"
veritysetup format "$D" "$W/h.vs" --fec-device "$W/e.vs" --fec-offset 8192 -s 00 --uuid $U >/dev/null 2>&1
"$COCOTRUST" verity format "$D" "$W/h.ct" --fec-device "$W/e.ct" --fec-offset 8192 -s 00 --uuid $U >/dev/null 2>&1
ok $? "larger FEC file: format exit 0"
cmp -s "$W/e.vs" "$W/e.ct"; ok $? "larger FEC file: identical to veritysetup's (bytes around the parity kept)"
cmp -s "$W/h.vs" "$W/h.ct"; ok $? "fresh hash file: identical to veritysetup's"
done_testing
