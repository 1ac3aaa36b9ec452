#!/bin/bash
# dm-verity demo: `examples/demo-verity.sh CT_BINARY`, run from the project root.
# Input: the seed ext4 image shipped in tests/vectors/verity/seed/data.img
# (4 MiB, /coco = "CoCo"). Work files go to a temporary directory.
set -euo pipefail
CT=${1:-build/cocotrust}
IMG=tests/vectors/verity/seed/data.img
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cp "$IMG" "$W/rootfs.img"

echo "== dm-verity: build the hash tree of an ext4 image (like veritysetup format)"
echo "\$ cocotrust verity format rootfs.img rootfs.hash --salt-from 'demo-image v1'"
"$CT" verity format "$W/rootfs.img" "$W/rootfs.hash" --salt-from 'demo-image v1' --root-hash-file "$W/root.hex" |
        sed "s|$W/||"
ROOT=$(cat "$W/root.hex")
echo
echo "-- --salt-from derives salt and UUID from a text: rebuilding gives the same root hash"
"$CT" verity format "$W/rootfs.img" "$W/again.hash" --salt-from 'demo-image v1' --root-hash-file "$W/root2.hex" >/dev/null
echo "   first build:  $ROOT"
echo "   second build: $(cat "$W/root2.hex")   (hash files identical: $(cmp -s "$W/rootfs.hash" "$W/again.hash" && echo yes || echo no))"
echo
echo "== the kernel table and ready-to-paste forms (device names as the guest sees them)"
echo "\$ cocotrust verity table rootfs.img rootfs.hash \$ROOT --data-device /dev/vda1 --hash-device /dev/vda2"
"$CT" verity table "$W/rootfs.img" "$W/rootfs.hash" "$ROOT" --data-device /dev/vda1 --hash-device /dev/vda2 2>/dev/null
echo
echo "== tamper with the image: /coco 'CoCo' -> 'DoCo' (byte 32768), plus one byte in free space"
printf 'D' | dd of="$W/rootfs.img" bs=1 seek=32768 conv=notrunc status=none
printf 'X' | dd of="$W/rootfs.img" bs=1 seek=3000000 conv=notrunc status=none
echo "\$ cocotrust verity verify rootfs.img rootfs.hash \$ROOT"
set +e
"$CT" verity verify "$W/rootfs.img" "$W/rootfs.hash" "$ROOT" | sed "s|$W/||g"
rc=${PIPESTATUS[0]}
set -e
echo "exit status: $rc (1 = corruption found; every corrupt block is listed, with the ext4 file it belongs to)"
