#!/bin/bash
# cocotrust image inspect / reference --image on GPT images that Debian 12's systemd-repart builds
# here at test time (root, loop devices): root + verity with and without verity-sig (signed with a
# test certificate made with openssl), a wrong certificate, a corrupted hash partition, a data
# partition UUID that does not match the root hash, usr instead of root. Expected root hashes come
# from systemd-repart's own --json output and from veritysetup verify on the extracted partitions. TAP.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
if [ "$(id -u)" != 0 ]; then
        skip "repart images" "not root: systemd-repart needs root and loop devices to format partitions"
        done_testing; exit 0
fi
for t in systemd-repart mkfs.ext4 veritysetup openssl python3; do
        if ! command -v $t >/dev/null; then
                skip "repart images" "$t not installed"
                done_testing; exit 0
        fi
done
if ! losetup -f >/dev/null 2>&1; then
        skip "repart images" "no free loop device"
        done_testing; exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-image.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/tree/coco" "$W/root" "$W/usr" "$W/nosig"
echo CoCo > "$W/tree/coco/file"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k.pem" -out "$W/c.pem" -days 2 -subj /CN=cocotrust-test >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/k2.pem" -out "$W/c2.pem" -days 2 -subj /CN=other >/dev/null 2>&1

defs() { # defs DIR TYPE(root|usr) SIG(yes|no)
        cat > "$1/10-data.conf" <<EOD
[Partition]
Type=$2
Format=ext4
CopyFiles=$W/tree:/
Verity=data
VerityMatchKey=$2
Minimize=guess
EOD
        cat > "$1/20-verity.conf" <<EOD
[Partition]
Type=$2-verity
Verity=hash
VerityMatchKey=$2
Minimize=best
EOD
        if [ "$3" = yes ]; then
                cat > "$1/30-sig.conf" <<EOD
[Partition]
Type=$2-verity-sig
Verity=signature
VerityMatchKey=$2
EOD
        fi
}
defs "$W/root" root yes
defs "$W/nosig" root no
defs "$W/usr" usr no
repart() { # repart DEFS IMAGE
        systemd-repart --empty=create --size=auto --definitions="$1" --private-key="$W/k.pem" \
                --certificate="$W/c.pem" --dry-run=no --json=short "$2" 2>"$W/repart.err"
}
field() { # field JSONFILE PYEXPR
        python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# 1. root + verity + verity-sig
repart "$W/root" "$W/root.raw" > "$W/root.repart.json"; ok $? "systemd-repart builds root + verity + verity-sig"
want=$(field "$W/root.repart.json" "[p['roothash'] for p in d if p['roothash']][0]")
"$CT" image inspect "$W/root.raw" --certificate "$W/c.pem" --json > "$W/i.json"; is $? 0 "image inspect, signed image, right certificate: exit 0"
is "$(field "$W/i.json" "d['verity'][0]['root_hash']")" "$want" "root hash equals the one systemd-repart reports"
is "$(field "$W/i.json" "[p['kind'] for p in d['partitions']]")" "['root', 'root-verity', 'root-verity-sig']" "partitions found by Discoverable Partitions type"
is "$(field "$W/i.json" "(d['verity'][0]['tree_ok'], d['verity'][0]['uuids_match_root_hash'], d['verity'][0]['signature_verified'], d['verity'][0]['certificate_fingerprint_matches'])")" \
        "(True, True, True, True)" "tree, UUIDs, PKCS#7 signature and certificate fingerprint check out"
is "$(field "$W/i.json" "d['verity'][0]['cmdline']")" "roothash=$want" "roothash= form"
# veritysetup on the extracted partitions agrees.
python3 - "$W/root.raw" "$W/i.json" "$W" <<'PY'
import json, sys
img, rep, w = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
d = open(img, "rb").read()
for p in rep["partitions"][:2]:
    open("%s/p%d" % (w, p["number"]), "wb").write(d[p["offset"]:p["offset"] + p["size"]])
PY
veritysetup verify "$W/p1" "$W/p2" "$want" >/dev/null 2>&1; ok $? "veritysetup verify of the extracted partitions accepts that root hash"
"$CT" image inspect "$W/root.raw" >/dev/null; is $? 0 "without --certificate: exit 0 (signature not checked)"
"$CT" image inspect "$W/root.raw" --certificate "$W/c2.pem" > "$W/out" 2>&1; is $? 1 "another certificate: exit 1"
grep -q "DOES NOT VERIFY" "$W/out"; ok $? "... and says the signature does not verify"

# reference --image
"$CT" reference --image "$W/root.raw" --verity-sig-certificate "$W/c.pem" --quiet > "$W/m.json"; is $? 0 "reference --image: exit 0"
is "$(field "$W/m.json" "(d['verity'][0]['name'], d['verity'][0]['root_hash'], d['verity'][0]['cmdline']['roothash'])")" \
        "('root', '$want', 'roothash=$want')" "manifest: root verity entry with the root hash and roothash="
is "$(field "$W/m.json" "d['verity'][0]['data_partition_uuid'].replace('-','') + d['verity'][0]['hash_partition_uuid'].replace('-','')")" \
        "$want" "manifest: partition UUIDs are the two halves of the root hash"
field "$W/m.json" "d['verity'][0]['cmdline']['dm-mod.create']" | grep -q "verity 1 PARTUUID=.* PARTUUID=.* $want "
ok $? "manifest: dm-mod.create= form with PARTUUID= devices and the root hash"
if python3 -c "import jsonschema" 2>/dev/null; then
        python3 -c "
import json,sys,jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))" "$W/m.json" "$CT_SOURCE_ROOT/schemas/manifest.schema.json"
        ok $? "manifest validates against the schema"
fi
"$CT" reference --image "$W/root.raw" --verity-sig-certificate "$W/c2.pem" --quiet > /dev/null 2>&1; is $? 1 "reference --image with another certificate: exit 1"

# 2. without verity-sig
repart "$W/nosig" "$W/nosig.raw" > "$W/nosig.repart.json"
"$CT" image inspect "$W/nosig.raw" --json > "$W/n.json"; is $? 0 "root + verity without verity-sig: exit 0"
is "$(field "$W/n.json" "(d['verity'][0]['signature_present'], d['verity'][0]['root_hash'])")" \
        "(False, '$(field "$W/nosig.repart.json" "[p['roothash'] for p in d if p['roothash']][0]")')" "no signature, root hash equals repart's"

# 3. corrupted hash partition (a byte of the tree, past the superblock)
cp "$W/nosig.raw" "$W/bad.raw"
off=$(field "$W/n.json" "[p['offset'] for p in d['partitions'] if p['kind'] == 'root-verity'][0] + 4096 + 17")
printf '\xff' | dd of="$W/bad.raw" bs=1 seek="$off" conv=notrunc 2>/dev/null
"$CT" image inspect "$W/bad.raw" > "$W/out" 2>&1; is $? 1 "corrupted hash partition: exit 1"
grep -q "CORRUPT" "$W/out"; ok $? "... and names the tree as corrupt"
"$CT" reference --image "$W/bad.raw" --quiet > /dev/null 2> "$W/err"; is $? 1 "reference --image on it: exit 1"
grep -q "tree does not match" "$W/err"; ok $? "... saying the tree does not match"

# 4. data partition UUID not derived from the root hash (GPT entry and both CRCs rewritten)
cp "$W/nosig.raw" "$W/uuid.raw"
python3 - "$W/uuid.raw" <<'PY'
import struct, sys, zlib
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
def fix(hdr_lba):
    h = hdr_lba * 512
    size = struct.unpack_from("<I", d, h + 12)[0]
    elba, n, esz = struct.unpack_from("<QII", d, h + 72)
    e = elba * 512
    d[e + 16] ^= 0x01                      # first partition's unique GUID
    struct.pack_into("<I", d, h + 88, zlib.crc32(bytes(d[e:e + n * esz])) & 0xffffffff)
    struct.pack_into("<I", d, h + 16, 0)
    struct.pack_into("<I", d, h + 16, zlib.crc32(bytes(d[h:h + size])) & 0xffffffff)
    return struct.unpack_from("<Q", d, h + 32)[0]
backup = fix(1)
fix(backup)
open(p, "wb").write(d)
PY
"$CT" image inspect "$W/uuid.raw" > "$W/out" 2>&1; is $? 1 "partition UUID not derived from the root hash: exit 1"
grep -q "MISMATCH" "$W/out"; ok $? "... and says the UUIDs do not match"
grep -q "hash tree:        OK" "$W/out"; ok $? "... while the tree itself is intact"

# 5. usr instead of root
repart "$W/usr" "$W/usr.raw" > "$W/usr.repart.json"
"$CT" image inspect "$W/usr.raw" --json > "$W/u.json"; is $? 0 "usr + usr-verity: exit 0"
wu=$(field "$W/usr.repart.json" "[p['roothash'] for p in d if p['roothash']][0]")
is "$(field "$W/u.json" "(d['verity'][0]['name'], d['verity'][0]['cmdline'])")" "('usr', 'usrhash=$wu')" "usr: usrhash= with repart's root hash"
"$CT" reference --image "$W/usr.raw" --quiet > "$W/mu.json"
is "$(field "$W/mu.json" "d['verity'][0]['cmdline']['usrhash']")" "usrhash=$wu" "manifest: usrhash= form"

# 6. an ESP with a UKI (uki-A, byte-identical to the UKI booted under OVMF + swtpm): PCR 4 / 11 of the
#    UKI read out of the image with mtools equal the real boot's.
if command -v mformat >/dev/null; then
        "$CT_SOURCE_ROOT/tests/uki/build-ukis.sh" "$W" A >/dev/null 2>&1
        dd if=/dev/zero of="$W/esp.img" bs=1M count=40 2>/dev/null
        mformat -i "$W/esp.img" :: && mmd -i "$W/esp.img" ::/EFI ::/EFI/Linux && mcopy -i "$W/esp.img" "$W/uki-A.efi" ::/EFI/Linux/uki-a.efi
        mkdir -p "$W/esp"
        cp "$W/nosig/"*.conf "$W/esp/"
        printf '[Partition]\nType=esp\nCopyBlocks=%s\n' "$W/esp.img" > "$W/esp/05-esp.conf"
        repart "$W/esp" "$W/esp.raw" > /dev/null; ok $? "systemd-repart builds ESP (FAT made with mtools) + root + verity"
        "$CT" image inspect "$W/esp.raw" --json > "$W/e.json"
        is "$(field "$W/e.json" "[u['path'] for u in d['ukis']]")" "['EFI/Linux/uki-a.efi']" "image inspect lists the UKI in the ESP"
        "$CT" reference --image "$W/esp.raw" --failed-boot-options 1 --bank sha256 --quiet > "$W/me.json"; is $? 0 "reference --image with an ESP: exit 0"
        . "$CT_SOURCE_ROOT/tests/uki/lib-boot.sh"
        is "$(field "$W/me.json" "d['pcrs']['sha256']['4']")" "$(boot_pcr uki-A sha256 4)" "PCR 4 of the ESP's UKI equals the real boot's"
        is "$(field "$W/me.json" "d['pcrs']['sha256']['11']")" "$(boot_pcr uki-A sha256 11)" "PCR 11 of the ESP's UKI equals the real boot's"
        is "$(field "$W/me.json" "d['artifacts']['uki:EFI/Linux/uki-a.efi']['sha256']")" "$(sha256sum "$W/uki-A.efi" | cut -d' ' -f1)" "artifact: the UKI's SHA-256"
else
        skip "ESP with a UKI" "mtools not installed"
fi

# 7. not a GPT image
"$CT" image inspect "$W/p1" > /dev/null 2>&1; is $? 2 "a bare ext4 partition (no GPT): exit 2"
"$CT" image inspect "$W/nonexistent" > /dev/null 2>&1; is $? 2 "missing file: exit 2"
done_testing
