#!/bin/bash
# The seed scenario: the ext4 image with /coco = "CoCo" (tests/vectors/verity/seed),
# formatted with the seed's salt and UUID, must give the root hash veritysetup 2.6.1
# recorded in seed_output.txt; flipping "CoCo" to "DoCo" must make `verify` report
# data block 8 and the file /coco. More damage (ext4 metadata, free space, a leaf
# hash block) must be listed block by block, each with its owner.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
S="$CT_SOURCE_ROOT/tests/vectors/verity/seed"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
SALT=0011223344556677889900112233445566778899001122334455667788990011
UUID=12345678-1234-1234-1234-123456789abc
EXPECT_ROOT=$(sed -n 's/^root hash: //p' "$S/seed_output.txt")
EXPECT_SHA=$(sed -n 's/  data.img$//p' "$S/seed_output.txt")

cp "$S/data.img" "$W/data.img"; chmod u+w "$W/data.img"
is "$(sha256sum "$W/data.img" | cut -d' ' -f1)" "$EXPECT_SHA" "seed image is the one veritysetup formatted"
"$COCOTRUST" verity format "$W/data.img" "$W/hash.img" --salt $SALT --uuid $UUID --root-hash-file "$W/root.hex" >"$W/fmt.txt"
ok $? "format the seed image"
ROOT=$(cat "$W/root.hex")
is "$ROOT" "$EXPECT_ROOT" "root hash equals veritysetup's (seed_output.txt)"
is "$(sed -n 's/^Hash device size: \t//p' "$W/fmt.txt")" "$(sed -n 's/^Hash device size: \t//p' "$S/seed_output.txt")" \
        "hash device size equals veritysetup's"

"$COCOTRUST" verity verify "$W/data.img" "$W/hash.img" "$ROOT" >"$W/v0.txt" 2>&1
ok $? "intact image verifies (exit 0)"

OFF=$(grep -abo CoCo "$W/data.img" | head -1 | cut -d: -f1)
is "$OFF" 32768 "CoCo at byte 32768"
cp "$W/data.img" "$W/doco.img"
printf 'D' | dd of="$W/doco.img" bs=1 seek="$OFF" conv=notrunc status=none
"$COCOTRUST" verity verify "$W/doco.img" "$W/hash.img" "$ROOT" >"$W/v1.txt" 2>&1
is "$?" 1 "DoCo: verify exits 1"
is "$(grep -c '^corrupt' "$W/v1.txt")" 1 "DoCo: exactly one corrupt block"
grep -q "^corrupt data block 8: .*doco.img bytes 32768-36863 (/coco)$" "$W/v1.txt"
ok $? "DoCo: data block 8, bytes 32768-36863, file /coco"
"$COCOTRUST" verity verify "$W/doco.img" "$W/hash.img" "$ROOT" --json >"$W/v1.json" 2>/dev/null
python3 - "$W/v1.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
c = j["corrupt"]
assert j["schema_version"] == 1 and j["ok"] is False, j
assert len(c) == 1 and c[0]["kind"] == "data" and c[0]["block"] == 8, c
assert c[0]["offset"] == 32768 and c[0]["end"] == 36863 and c[0]["file"] == "/coco", c
PY
ok $? "DoCo: --json names block 8 and /coco"
if command -v veritysetup >/dev/null; then
        pos=$(veritysetup verify "$W/doco.img" "$W/hash.img" "$ROOT" 2>&1 | sed -n 's/^Verification failed at position \([0-9]*\)\./\1/p')
        is "$pos" 32768 "veritysetup (installed) also fails at byte 32768 of the cocotrust tree"
        veritysetup verify "$W/data.img" "$W/hash.img" "$ROOT" >/dev/null 2>&1
        ok $? "veritysetup accepts the cocotrust hash file"
else
        skip "veritysetup cross-check" "veritysetup not installed"
        skip "veritysetup accepts the cocotrust hash file" "veritysetup not installed"
fi

# More damage: ext4 superblock (block 0), free space (block 488), and a leaf digest.
cp "$W/doco.img" "$W/multi.img"; cp "$W/hash.img" "$W/multi.hash"
printf 'X' | dd of="$W/multi.img" bs=1 seek=100 conv=notrunc status=none
printf 'X' | dd of="$W/multi.img" bs=1 seek=2000000 conv=notrunc status=none
printf 'X' | dd of="$W/multi.hash" bs=1 seek=$((4096 * 5 + 40 * 32)) conv=notrunc status=none
"$COCOTRUST" verity verify "$W/multi.img" "$W/multi.hash" "$ROOT" >"$W/v2.txt" 2>&1
is "$?" 1 "multiple corruptions: exit 1"
sed "s/^/# /" "$W/v2.txt"
grep -q "^corrupt data block 0: .* bytes 0-4095 (metadata)$" "$W/v2.txt"; ok $? "block 0 reported as metadata"
grep -q "^corrupt data block 8: .* (/coco)$" "$W/v2.txt"; ok $? "block 8 reported as /coco"
grep -q "^corrupt data block 488: .* bytes 1998848-2002943 (free space) \\[its hash block is corrupt too\\]$" "$W/v2.txt"; ok $? "block 488 reported as free space (same leaf block as 424)"
# hash block 5 is leaf block 3 (data blocks 384..511); slot 40 -> data block 424 looks corrupt too
grep -q "^corrupt hash block 5 (level 0): .*multi.hash bytes 20480-24575$" "$W/v2.txt"; ok $? "hash block 5 (level 0) reported with its byte range"
grep -q "^corrupt data block 424: .*\[its hash block is corrupt too\]$" "$W/v2.txt"; ok $? "data block 424 flagged: its digest sits in the corrupt hash block"
is "$(grep -c '^corrupt' "$W/v2.txt")" 5 "exactly 5 corrupt blocks listed"

# Wrong root hash: the top block no longer matches.
BAD_ROOT=$(echo "$ROOT" | sed 's/^./0/'); [ "$BAD_ROOT" = "$ROOT" ] && BAD_ROOT=$(echo "$ROOT" | sed 's/^./1/')
"$COCOTRUST" verity verify "$W/data.img" "$W/hash.img" "$BAD_ROOT" >"$W/v3.txt" 2>&1
is "$?" 1 "wrong root hash: exit 1"
grep -q "does not hash to the root hash" "$W/v3.txt"; ok $? "wrong root hash: top hash block named"
# ext4 attribution on a richer image: the expected owners come from debugfs (e2fsprogs).
if command -v mke2fs >/dev/null && command -v debugfs >/dev/null; then
        mkdir -p "$W/tree/etc/deep" "$W/tree/bin"
        head -c 20000 /dev/urandom >"$W/tree/bin/big"
        printf 'hello' >"$W/tree/etc/deep/small"
        for i in $(seq 1 150); do printf x >"$W/tree/etc/f$i"; done  # a multi-block directory
        mke2fs -q -t ext4 -b 1024 -d "$W/tree" -F "$W/fs.img" 8M >/dev/null 2>&1
        "$COCOTRUST" verity format "$W/fs.img" "$W/fs.hash" --data-block-size 1024 --hash-block-size 1024 \
                --salt - --root-hash-file "$W/fs.root" >/dev/null
        big2=$(debugfs -R "blocks /bin/big" "$W/fs.img" 2>/dev/null | awk '{print $3}')
        dirb=$(debugfs -R "blocks /etc" "$W/fs.img" 2>/dev/null | awk '{print $2}')
        small=$(debugfs -R "blocks /etc/deep/small" "$W/fs.img" 2>/dev/null | awk '{print $1}')
        cp "$W/fs.img" "$W/fs.bad"
        for b in $big2 $dirb $small; do
                printf 'Z' | dd of="$W/fs.bad" bs=1 seek=$((b * 1024 + 7)) conv=notrunc status=none
        done
        "$COCOTRUST" verity verify "$W/fs.bad" "$W/fs.hash" "$(cat "$W/fs.root")" >"$W/fs.txt" 2>&1
        is "$?" 1 "ext4 with 1 KiB blocks: corruption found"
        sed "s/^/# /" "$W/fs.txt"
        grep -q "^corrupt data block $big2: .* (/bin/big)$" "$W/fs.txt"; ok $? "3rd block of /bin/big (fs block $big2, from debugfs) named /bin/big"
        grep -q "^corrupt data block $dirb: .* (/etc (directory))$" "$W/fs.txt"; ok $? "2nd block of /etc (fs block $dirb) named as a directory"
        grep -q "^corrupt data block $small: .* (/etc/deep/small)$" "$W/fs.txt"; ok $? "a file two directories down (fs block $small)"
else
        skip "ext4 attribution on a richer image" "mke2fs/debugfs not installed"
fi

# --salt-from: salt and UUID as docs/verity.md defines them, computed here with Python's hashlib.
"$COCOTRUST" verity format "$W/data.img" "$W/sf.hash" --salt-from 'demo-image v1' --json >"$W/sf.json"
ok $? "format --salt-from"
python3 - "$W/sf.json" <<'PY'
import hashlib, json, sys, uuid
j = json.load(open(sys.argv[1]))
t = b"demo-image v1"
salt = hashlib.sha256(b"cocotrust-verity-salt:" + t).hexdigest()
u = bytearray(hashlib.sha256(b"cocotrust-verity-uuid:" + t).digest()[:16])
u[6] = (u[6] & 0x0F) | 0x80
u[8] = (u[8] & 0x3F) | 0x80
assert j["salt"] == salt, (j["salt"], salt)
assert j["uuid"] == str(uuid.UUID(bytes=bytes(u))), j["uuid"]
PY
ok $? "--salt-from: salt = SHA-256('cocotrust-verity-salt:' || TEXT), UUID v8 from SHA-256('cocotrust-verity-uuid:' || TEXT)"
"$COCOTRUST" verity format "$W/data.img" "$W/sf2.hash" --salt-from 'demo-image v1' >/dev/null
cmp -s "$W/sf.hash" "$W/sf2.hash"; ok $? "--salt-from: a rebuild gives an identical hash file"
"$COCOTRUST" verity format "$W/data.img" "$W/sf3.hash" --salt-from 'demo-image v1' --salt - >/dev/null
"$COCOTRUST" verity dump "$W/sf3.hash" --json | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["salt"] == "", j' 
ok $? "--salt-from: an explicit --salt wins"
done_testing
