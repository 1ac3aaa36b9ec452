#!/bin/bash
# Real-kernel acceptance: boot the Debian 12 kernel (6.1.0-56, dm-verity target
# v1.9.0) under qemu-system-x86_64 (TCG) with a busybox initramfs, set up
# dm-verity with hash files and root hashes made by cocotrust, and read /coco of
# the seed ext4 image through it:
#   1. intact image:                       "CoCo"
#   2. "DoCo" image:                       read fails with an I/O error, status C
#   3. "DoCo" image + cocotrust FEC file:  the kernel repairs it, "CoCo"
#   4. --no-superblock tree, --salt-from:  "CoCo"
#   5. a wrong root hash:                  mount fails
#   6. optional arguments (restart_on_corruption, ignore_zero_blocks,
#      check_at_most_once) as cocotrust orders them: accepted, "CoCo"
# Tables come from `cocotrust verity table`. Skips (TAP SKIP) only when qemu,
# busybox-static or dmsetup are not installed (scripts/install-deps installs them).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
S="$CT_SOURCE_ROOT/tests/vectors/verity/seed"
K="$CT_SOURCE_ROOT/tests/vectors/kernel"
KVER=6.1.0-56-amd64
for t in qemu-system-x86_64 cpio gzip; do
        command -v $t >/dev/null || { skip "real-kernel dm-verity" "$t not installed"; done_testing; exit; }
done
BUSYBOX=$(command -v busybox || true)
DMSETUP=$(command -v dmsetup || ls /sbin/dmsetup 2>/dev/null || true)
if [ -z "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then   # ldd fails on a static binary
        skip "real-kernel dm-verity" "busybox-static not installed"; done_testing; exit
fi
[ -n "$DMSETUP" ] || { skip "real-kernel dm-verity" "dmsetup not installed"; done_testing; exit; }

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
SALT=0011223344556677889900112233445566778899001122334455667788990011
cp "$S/data.img" "$W/data.img"; chmod u+w "$W/data.img"
"$COCOTRUST" verity format "$W/data.img" "$W/hash.img" --salt $SALT --uuid 12345678-1234-1234-1234-123456789abc \
        --fec-device "$W/fec.img" --fec-roots 2 --root-hash-file "$W/root.hex" >/dev/null
ok $? "cocotrust format with FEC"
ROOT=$(cat "$W/root.hex")
cp "$W/data.img" "$W/doco.img"
printf 'D' | dd of="$W/doco.img" bs=1 seek=32768 conv=notrunc status=none
"$COCOTRUST" verity format "$W/data.img" "$W/hash2.img" --no-superblock --salt-from "cocotrust kernel test" \
        --root-hash-file "$W/root2.hex" >/dev/null
ok $? "cocotrust format --no-superblock --salt-from"
ROOT2=$(cat "$W/root2.hex")
SALT2=$("$COCOTRUST" verity format "$W/data.img" "$W/hash3.img" --no-superblock --salt-from "cocotrust kernel test" --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["salt"])')
WRONG=$(echo "$ROOT" | tr '0123456789abcdef' '123456789abcdef0')

tbl() { "$COCOTRUST" verity table "$@" --output table; }
T1=$(tbl "$W/data.img" "$W/hash.img" "$ROOT" --data-device /dev/vda --hash-device /dev/vdb)
T2=$(tbl "$W/doco.img" "$W/hash.img" "$ROOT" --data-device /dev/vdc --hash-device /dev/vdb)
T3=$(tbl "$W/doco.img" "$W/hash.img" "$ROOT" --data-device /dev/vdc --hash-device /dev/vdb --fec-device /dev/vdd --fec-roots 2)
T4=$(tbl "$W/data.img" "$W/hash2.img" "$ROOT2" --no-superblock --salt "$SALT2" --data-blocks 1024 \
        --data-device /dev/vda --hash-device /dev/vde)
T5=$(tbl "$W/data.img" "$W/hash.img" "$WRONG" --data-device /dev/vda --hash-device /dev/vdb)
T6=$(tbl "$W/data.img" "$W/hash.img" "$ROOT" --data-device /dev/vda --hash-device /dev/vdb \
        --restart-on-corruption --ignore-zero-blocks --check-at-most-once)
for t in "$T1" "$T2" "$T3" "$T4" "$T5" "$T6"; do diag "table: $t"; done
[ -n "$T1" ] && [ -n "$T3" ] && [ -n "$T4" ]; ok $? "cocotrust verity table lines"

IR="$W/initramfs"
mkdir -p "$IR"/{bin,sbin,proc,sys,dev,mnt,lib/modules,lib64,tmp}
cp "$BUSYBOX" "$IR/bin/busybox"
MODS="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk dm-mod dm-bufio
      reed_solomon dm-verity crc16 mbcache jbd2 crc32c_generic ext4"
for m in $MODS; do cp "$K/modules-$KVER/$m.ko" "$IR/lib/modules/"; done
echo $MODS >"$IR/lib/modules/order"
cp "$DMSETUP" "$IR/sbin/dmsetup"
for l in $(ldd "$DMSETUP" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
        mkdir -p "$IR$(dirname "$l")"; cp -L "$l" "$IR$l"
done
cat >"$IR/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin DM_DISABLE_UDEV=1
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
dmesg -n 1
for m in \$(cat /lib/modules/order); do insmod /lib/modules/\$m.ko || echo "RESULT insmod \$m failed"; done
i=0; while [ ! -b /dev/vde ] && [ \$i -lt 50 ]; do sleep 0.2; i=\$((i+1)); done
try() { # try NAME TABLE
        mkdir -p /mnt/\$1
        dmsetup create \$1 --readonly --noudevsync --table "\$2" || { echo "RESULT \$1 create failed"; return; }
        dmsetup mknodes \$1
        if mount -t ext4 -o ro /dev/mapper/\$1 /mnt/\$1 2>/tmp/merr; then
                v=\$(cat /mnt/\$1/coco 2>/tmp/err); rc=\$?
                echo "RESULT \$1 read rc=\$rc [\$v] \$(cat /tmp/err)"
                umount /mnt/\$1
        else
                echo "RESULT \$1 mount failed: \$(cat /tmp/merr)"
        fi
        echo "RESULT \$1 status: \$(dmsetup status \$1)"
        dmsetup remove \$1
}
try good "$T1"
try bad "$T2"
try fec "$T3"
try nosb "$T4"
try wrongroot "$T5"
try opts "$T6"
dmesg | grep -E "verity|FEC" | head -20 | sed 's/^/KLOG /'
echo "RESULT done"
poweroff -f
INIT
chmod +x "$IR/init"
(cd "$IR" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$W/initramfs.gz"

start=$(date +%s)
timeout "${CT_KERNEL_TIMEOUT:-400}" qemu-system-x86_64 -accel tcg -cpu qemu64 -m 512 -smp 1 -nographic -no-reboot \
        -kernel "$K/vmlinuz-$KVER" -initrd "$W/initramfs.gz" \
        -append "console=ttyS0 quiet loglevel=3 panic=-1" \
        -drive file="$W/data.img",format=raw,if=virtio,readonly=on \
        -drive file="$W/hash.img",format=raw,if=virtio,readonly=on \
        -drive file="$W/doco.img",format=raw,if=virtio,readonly=on \
        -drive file="$W/fec.img",format=raw,if=virtio,readonly=on \
        -drive file="$W/hash2.img",format=raw,if=virtio,readonly=on \
        </dev/null >"$W/boot.log" 2>&1
diag "qemu exit $?, $(( $(date +%s) - start )) s"
# the console may prefix a line with terminal escapes: keep from the marker on
L=$(tr -d '\r' <"$W/boot.log" | grep -aoE '(RESULT|KLOG) .*')
echo "$L" | sed 's/^/# /'
echo "$L" | grep -q "^RESULT done"; ok $? "guest ran to the end"
echo "$L" | grep -q "RESULT insmod"; is $? 1 "all modules loaded"
echo "$L" | grep -q "^RESULT good read rc=0 \[CoCo\]"; ok $? "intact image: /coco reads CoCo through dm-verity"
echo "$L" | grep -q "^RESULT good status: 0 8192 verity V"; ok $? "intact image: status V"
echo "$L" | grep -Eq "^RESULT bad read rc=1 \[\] .*Input/output error"; ok $? "DoCo image: read fails with an I/O error"
echo "$L" | grep -q "^RESULT bad status: 0 8192 verity C"; ok $? "DoCo image: status C (corruption seen)"
echo "$L" | grep -q "data block 8 is corrupted"; ok $? "kernel log names data block 8"
echo "$L" | grep -q "^RESULT fec read rc=0 \[CoCo\]"; ok $? "DoCo image + cocotrust FEC: the kernel repairs it, CoCo"
echo "$L" | grep -q "FEC.*corrected"; ok $? "kernel log: FEC corrected"
echo "$L" | grep -q "^RESULT nosb read rc=0 \[CoCo\]"; ok $? "--no-superblock / --salt-from tree: CoCo"
echo "$L" | grep -Eq "^RESULT wrongroot (mount failed|read rc=1)"; ok $? "wrong root hash: mount or read fails"
echo "$L" | grep -q "^RESULT opts read rc=0 \[CoCo\]"; ok $? "optional arguments in cryptsetup's order accepted (restart_on_corruption ignore_zero_blocks check_at_most_once)"
done_testing
