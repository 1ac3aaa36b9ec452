#!/bin/bash
# Bad input to `cocotrust verity`: one line on stderr, exit 2 (3 for what is not
# implemented), and never an output file left behind. Malformed superblocks:
# every field out of range, built from a real veritysetup superblock (vector v02).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
V="$CT_SOURCE_ROOT/tests/vectors/verity"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ROOT02=3272f264bd6df8c2f597b1f3d190c46b763aa21fda291fafe3dd4315efc8f99a

# expect STATUS DESCRIPTION -- command...: exit status, exactly one stderr line
expect() {
        local want=$1 desc=$2; shift 3
        "$@" >"$W/out" 2>"$W/err"
        local rc=$?
        is "$rc" "$want" "$desc: exit $want"
        is "$(wc -l <"$W/err")" 1 "$desc: one line on stderr ($(head -c 150 "$W/err"))"
}

cp "$V/inputs/v02.data" "$W/data"; chmod u+w "$W/data"
head -c 1000 /dev/zero >"$W/small"

expect 2 "missing data file" -- "$COCOTRUST" verity format "$W/nope" "$W/h1"
[ ! -e "$W/h1" ]; ok $? "missing data file: no hash file created"
expect 2 "data smaller than one block" -- "$COCOTRUST" verity format "$W/small" "$W/h2"
[ ! -e "$W/h2" ]; ok $? "data smaller than one block: no hash file"
expect 2 "data block size 1000" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --data-block-size 1000
expect 2 "data block size 1 MiB" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --data-block-size 1048576
expect 2 "hash block size 256" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --hash-block-size 256
expect 2 "salt of 257 bytes" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --salt "$(printf 'ab%.0s' $(seq 257))"
expect 2 "odd salt" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --salt abc
expect 2 "format 2" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --format 2
expect 2 "unknown hash" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --hash nosuchhash
expect 2 "XOF hash shake128" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --hash shake128
expect 2 "hash offset not multiple of 512" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --hash-offset 100
expect 2 "bad uuid" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --uuid 1234
expect 2 "data blocks beyond the file" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --data-blocks 17
expect 2 "fec roots 1" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --fec-device "$W/f3" --fec-roots 1
expect 2 "fec with unequal block sizes" -- "$COCOTRUST" verity format "$W/data" "$W/h3" --fec-device "$W/f3" --hash-block-size 1024
[ ! -e "$W/h3" ] && [ ! -e "$W/f3" ]; ok $? "no hash or FEC file after any of these"
ls "$W" | grep -q tmp-; is $? 1 "no temporary files left"

cp "$W/data" "$W/same"
expect 2 "hash offset inside the data (same file)" -- "$COCOTRUST" verity format "$W/same" "$W/same" --hash-offset 32768
cmp -s "$W/same" "$W/data"; ok $? "data file untouched after the refusal"
expect 2 "tree rounded down into the data (--no-superblock, same file)" -- \
        "$COCOTRUST" verity format "$W/same" "$W/same" --no-superblock --data-blocks 15 --hash-offset 61440 --hash-block-size 8192 --salt -
cmp -s "$W/same" "$W/data"; ok $? "data file untouched (veritysetup 2.6.1 would write the tree over data block 14)"

# Malformed superblocks, from the real one of v02.
mk() { # mk NAME OFFSET HEXBYTES
        cp "$V/outputs/v02.hash" "$W/$1"; chmod u+w "$W/$1"
        printf "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$W/$1" bs=1 seek="$2" conv=notrunc status=none
}
mk magic 0 78;                 expect 2 "dump: wrong magic" -- "$COCOTRUST" verity dump "$W/magic"
grep -q "signature" "$W/err"; ok $? "wrong magic: message names the signature"
expect 2 "verify: wrong magic" -- "$COCOTRUST" verity verify "$W/data" "$W/magic" $ROOT02
mk version 8 02;               expect 2 "version 2" -- "$COCOTRUST" verity dump "$W/version"
grep -q "superblock.version 2 at offset 8" "$W/err"; ok $? "version 2: field and offset named"
mk htype 12 02;                expect 2 "hash type 2" -- "$COCOTRUST" verity dump "$W/htype"
mk alg 32 "$(printf '61%.0s' $(seq 32))"; expect 2 "algorithm without NUL" -- "$COCOTRUST" verity dump "$W/alg"
mk alg2 32 7a7a7a00;           expect 2 "unknown algorithm" -- "$COCOTRUST" verity dump "$W/alg2"
mk alg3 32 00;                 expect 2 "empty algorithm" -- "$COCOTRUST" verity dump "$W/alg3"
mk dbs 64 e8030000;            expect 2 "data block size 1000" -- "$COCOTRUST" verity dump "$W/dbs"
mk dbs2 64 00001000;           expect 2 "data block size 1 MiB" -- "$COCOTRUST" verity dump "$W/dbs2"
mk dbs3 64 00000000;           expect 2 "data block size 0" -- "$COCOTRUST" verity dump "$W/dbs3"
mk hbs 68 00010000;            expect 2 "hash block size 256" -- "$COCOTRUST" verity dump "$W/hbs"
mk salt 80 0101;               expect 2 "salt size 257" -- "$COCOTRUST" verity dump "$W/salt"
grep -q "salt_size 257 at offset 80" "$W/err"; ok $? "salt size 257: field and offset named"
mk nblk 72 0000000000000000;   expect 2 "data blocks 0" -- "$COCOTRUST" verity dump "$W/nblk"
mk huge 72 ffffffffffffffff;   expect 2 "data blocks 2^64-1" -- "$COCOTRUST" verity dump "$W/huge"
expect 2 "verify with 2^64-1 data blocks" -- "$COCOTRUST" verity verify "$W/data" "$W/huge" $ROOT02
head -c 300 "$V/outputs/v02.hash" >"$W/short"
expect 2 "superblock cut at 300 bytes" -- "$COCOTRUST" verity dump "$W/short"
: >"$W/empty";                 expect 2 "empty hash file" -- "$COCOTRUST" verity dump "$W/empty"
expect 2 "dump: missing file" -- "$COCOTRUST" verity dump "$W/nope"
expect 2 "verify: short root hash" -- "$COCOTRUST" verity verify "$W/data" "$V/outputs/v02.hash" abcd
expect 2 "verify: --no-superblock without salt" -- "$COCOTRUST" verity verify "$W/data" "$V/outputs/v17.hash" $ROOT02 --no-superblock --data-blocks 16
expect 2 "verify: data shorter than the superblock says" -- "$COCOTRUST" verity verify "$W/small" "$V/outputs/v02.hash" $ROOT02
expect 2 "unknown option" -- "$COCOTRUST" verity format --bogus "$W/data" "$W/h9"

# A hash file too short for the tree is bad input (exit 2), refused before any
# data is hashed, naming the hash file and both sizes.
head -c 5000 "$V/outputs/v10.hash" >"$W/trunc"
root10=$(awk -F'\t' '$1=="v10"{print $6}' "$V/verity_vectors.tsv")
"$COCOTRUST" verity verify "$V/inputs/v10.data" "$W/trunc" "$root10" >"$W/out" 2>&1
is "$?" 2 "truncated hash file: exit 2"
grep -q "^cocotrust: $W/trunc: hash device has 5000 bytes, .* needs [0-9]" "$W/out"; ok $? "truncated hash file: names it and the sizes"
sed 's/^/# /' "$W/out"
# 1 TiB sparse data (the --data-blocks default is its size) and an 8 KiB hash
# file: refused within a second, not after hashing a terabyte.
if truncate -s 1T "$W/tera" 2>/dev/null; then
        head -c 8192 /dev/zero >"$W/short8k"
        t0=$(date +%s%N)
        timeout 20 "$COCOTRUST" verity verify "$W/tera" "$W/short8k" --no-superblock --salt - \
                0000000000000000000000000000000000000000000000000000000000000000 >"$W/out" 2>&1
        rc=$?; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        is "$rc" 2 "1 TiB sparse data, short hash file: exit 2"
        ok $(( ms < 1000 ? 0 : 1 )) "1 TiB sparse data, short hash file: ended in ${ms} ms (< 1000)"
        grep -q "^cocotrust: $W/short8k: hash device has 8192 bytes, the hash tree of 268435456 data blocks of 4096 bytes needs 8657571840 " "$W/out"
        ok $? "1 TiB sparse data, short hash file: names the hash file and the sizes"
        rm -f "$W/tera"
else
        skip "1 TiB sparse data: exit 2" "this file system cannot hold a 1 TiB sparse file"
        skip "1 TiB sparse data: time" "no sparse file"
        skip "1 TiB sparse data: message" "no sparse file"
fi
# A hostile ext2 image (libext2fs 1.47.0 overflows a heap buffer on it): the
# attribution runs in a child process, so verify still reports and exits 1.
cp "$V/hostile-ext2.img" "$W/hostile.img"; chmod u+w "$W/hostile.img"
"$COCOTRUST" verity format "$W/hostile.img" "$W/hostile.hash" --data-block-size 1024 --hash-block-size 1024 \
        --salt - --root-hash-file "$W/hostile.root" >/dev/null
printf 'Z' | dd of="$W/hostile.img" bs=1 seek=30000 conv=notrunc status=none
"$COCOTRUST" verity verify "$W/hostile.img" "$W/hostile.hash" "$(cat "$W/hostile.root")" >"$W/out" 2>"$W/err"
is "$?" 1 "hostile ext2 image: verify exits 1 (no crash)"
grep -q "^corrupt data block 29: " "$W/out"; ok $? "hostile ext2 image: the corrupt block is listed"
sed 's/^/# /' "$W/out" "$W/err"
# The attribution child has CPU-time, memory and wall-clock limits
# (CT_MAX_ATTRIB_*); the test hooks lower them and make the child loop.
for spin in cpu:COCOTRUST_TEST_ATTRIB_CPU=1:"CPU-time limit of 1 s" sleep:COCOTRUST_TEST_ATTRIB_WALL_MS=300:"wall-clock limit of 300 ms"; do
        how=${spin%%:*}; rest=${spin#*:}; var=${rest%%:*}; msg=${rest#*:}; msg=${msg//\"/}
        t0=$(date +%s%N)
        env COCOTRUST_TEST_ATTRIB_SPIN=$how "$var" timeout 20 "$COCOTRUST" verity verify "$W/hostile.img" \
                "$W/hostile.hash" "$(cat "$W/hostile.root")" >"$W/out" 2>"$W/err"
        rc=$?; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        is "$rc" 1 "attribution looping on the $how: verify exits 1"
        grep -q "^corrupt data block 29: " "$W/out"; ok $? "attribution looping on the $how: the corrupt block is listed"
        grep -q "note: no file attribution: attribution stopped: $msg reached" "$W/err"
        ok $? "attribution looping on the $how: says it was stopped ($msg)"
        ok $(( ms < 5000 ? 0 : 1 )) "attribution looping on the $how: ended in ${ms} ms"
        sed 's/^/# /' "$W/err"
done
done_testing
