#!/bin/bash
# veritysetup's option habits (issue 9): -h is --hash, -s is --salt, -v /
# --verbose / --debug accepted, options before the verb, --help stays help,
# and --no-superblock without --data-blocks takes the size of DATA. Each case
# runs the same command line through the installed veritysetup 2.6.1 and
# compares the outputs (hash file bytes, root hash, last line, exit status).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
V="$CT_SOURCE_ROOT/tests/vectors/verity"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D="$V/inputs/v02.data"
U=12345678-1234-1234-1234-123456789abc
root_of() { sed -n 's/^Root hash: *\t*//p' "$1" | tr -d ' \t'; }

if ! command -v veritysetup >/dev/null; then
        skip "veritysetup habits" "veritysetup not installed"
        done_testing
        exit 0
fi

# -h / -s after the verb
"$COCOTRUST" verity format "$D" "$W/c1" -h sha1 -s 00ff --uuid $U >"$W/c1.out" 2>"$W/c1.err"
ok $? "format -h sha1 -s 00ff: exit 0"
veritysetup format "$D" "$W/v1" -h sha1 -s 00ff --uuid $U >"$W/v1.out" 2>&1
cmp -s "$W/c1" "$W/v1"; ok $? "format -h sha1 -s 00ff: hash file identical to veritysetup's"
is "$(root_of "$W/c1.out")" "$(root_of "$W/v1.out")" "format -h sha1: root hash equals veritysetup's"
grep -q "^Hash algorithm: *.sha1$" "$W/c1.out"; ok $? "format -h sha1: header says sha1"

# options before the verb, as veritysetup takes them
"$COCOTRUST" verity -h sha512 --data-block-size 1024 --hash-block-size=1024 -s - format "$D" "$W/c2" --uuid $U \
        >"$W/c2.out" 2>&1
ok $? "options before the verb: exit 0"
veritysetup -h sha512 --data-block-size 1024 --hash-block-size=1024 -s - format "$D" "$W/v2" --uuid $U >"$W/v2.out" 2>&1
cmp -s "$W/c2" "$W/v2"; ok $? "options before the verb: hash file identical to veritysetup's"
is "$(root_of "$W/c2.out")" "$(root_of "$W/v2.out")" "options before the verb: same root hash"

# -v / --verbose / --debug
"$COCOTRUST" verity format "$D" "$W/c3" -v -s 00 --uuid $U >"$W/c3.out" 2>&1
veritysetup format "$D" "$W/v3" -v -s 00 --uuid $U >"$W/v3.out" 2>&1
is "$(tail -1 "$W/c3.out")" "$(tail -1 "$W/v3.out")" "-v: last line as veritysetup's ($(tail -1 "$W/v3.out"))"
R3=$(root_of "$W/c3.out")
"$COCOTRUST" verity --verbose verify "$D" "$W/c3" "$R3" >"$W/c4.out" 2>&1
ok $? "--verbose before verify: exit 0"
veritysetup --verbose verify "$D" "$W/c3" "$R3" >"$W/v4.out" 2>&1
is "$(tail -1 "$W/c4.out")" "$(tail -1 "$W/v4.out")" "--verbose verify: last line as veritysetup's"
"$COCOTRUST" verity verify "$D" "$W/c3" "$R3" --debug >"$W/c5.out" 2>"$W/c5.err"
ok $? "--debug: exit 0"
grep -q "^# Using 1 hash levels" "$W/c5.err"; ok $? "--debug: tree layout on stderr"
"$COCOTRUST" verity format "$D" "$W/c6" -v --json -s 00 --uuid $U | python3 -c 'import json, sys; json.load(sys.stdin)'
ok $? "-v with --json: stdout is still one JSON document"

# --help is help; -h alone is an incomplete --hash
"$COCOTRUST" verity format --help | grep -q "^Usage: "; ok $? "--help prints the usage"
"$COCOTRUST" verity format "$D" "$W/c7" -h >/dev/null 2>"$W/c7.err"
is "$?" 2 "-h without an algorithm: exit 2"
[ ! -e "$W/c7" ]; ok $? "-h without an algorithm: no hash file"

# --no-superblock without --data-blocks: the size of DATA
"$COCOTRUST" verity format "$D" "$W/c8" --no-superblock -s - --root-hash-file "$W/r8" >/dev/null
R8=$(cat "$W/r8")
veritysetup verify "$D" "$W/c8" "$R8" --no-superblock -s - >/dev/null 2>&1
ok $? "veritysetup verifies --no-superblock without --data-blocks"
"$COCOTRUST" verity verify "$D" "$W/c8" "$R8" --no-superblock -s - >"$W/c8.out" 2>&1
ok $? "verify --no-superblock without --data-blocks: exit 0 (16 blocks from DATA's size)"
grep -q "16 data blocks" "$W/c8.out"; ok $? "verify --no-superblock: 16 data blocks"
cp "$D" "$W/d9"; printf 'X' | dd of="$W/d9" bs=1 seek=5000 conv=notrunc status=none
veritysetup verify "$W/d9" "$W/c8" "$R8" --no-superblock -s - >/dev/null 2>&1
vs=$?
"$COCOTRUST" verity verify "$W/d9" "$W/c8" "$R8" --no-superblock -s - >/dev/null 2>&1
is "$?" 1 "corrupted, --no-superblock without --data-blocks: exit 1 (veritysetup: $vs)"
is "$("$COCOTRUST" verity table "$D" "$W/c8" "$R8" --no-superblock -s - --output table | cut -d' ' -f2,9)" "128 16" \
        "table --no-superblock without --data-blocks: 16 blocks, 128 sectors"
done_testing
