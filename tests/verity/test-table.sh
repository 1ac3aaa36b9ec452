#!/bin/bash
# `verity table`: optional arguments in cryptsetup's order (lib/libdevmapper.c
# get_dm_verity_params, see shared/specs/dm-verity.md §3), the ready-to-paste
# forms, and the table line against veritysetup's vector (v02, seed).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
V="$CT_SOURCE_ROOT/tests/vectors/verity"
D="$V/inputs/v02.data"
H="$V/outputs/v02.hash"
ROOT=3272f264bd6df8c2f597b1f3d190c46b763aa21fda291fafe3dd4315efc8f99a
SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
BASE="0 128 verity 1 /dev/vda /dev/vdb 4096 4096 16 1 sha256 $ROOT $SALT"
t() { "$COCOTRUST" verity table "$D" "$H" "$ROOT" --data-device /dev/vda --hash-device /dev/vdb "$@" 2>/dev/null; }

is "$(t --output table)" "$BASE" "plain table line (veritysetup's, vector v02)"
is "$(t --output table --ignore-corruption)" "$BASE 1 ignore_corruption" "ignore_corruption"
is "$(t --output table --check-at-most-once --ignore-zero-blocks --panic-on-corruption)" \
        "$BASE 3 panic_on_corruption ignore_zero_blocks check_at_most_once" "cryptsetup order: mode, zero blocks, at most once"
is "$(t --output table --restart-on-corruption --fec-device /dev/vdc --fec-roots 4 --root-hash-signature-key-desc cryptsetup:vroot)" \
        "$BASE 11 restart_on_corruption use_fec_from_device /dev/vdc fec_start 0 fec_blocks 17 fec_roots 4 root_hash_sig_key_desc cryptsetup:vroot" \
        "FEC group counts 8 arguments, signature key 2, after the flags"
t --output table --ignore-corruption --panic-on-corruption >/dev/null; is $? 2 "two corruption modes: exit 2"
is "$(t --output dmsetup --name v0)" "dmsetup create v0 --readonly --table '$BASE'" "dmsetup command"
is "$(t --output dm-mod --name vroot)" "dm-mod.create=\"vroot,,,ro,$BASE\" root=/dev/dm-0" "dm-mod.create= parameter"
is "$(t --output kata)" "root_hash=$ROOT,salt=$SALT,data_blocks=16,data_block_size=4096,hash_block_size=4096" \
        "Kata kernel_verity_params"
is "$(t --output kata-legacy)" "rootfs_verity.scheme=dm-verity rootfs_verity.hash=$ROOT" "Kata rootfs_verity.*"
"$COCOTRUST" verity table "$D" "$H" "$ROOT" --output kata 2>&1 >/dev/null | grep -q "no-superblock"
ok $? "Kata form: note that kernelinit mode expects the tree at block 0"
t --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["schema_version"] == 1
for k in ("table", "dmsetup", "dm_mod_create", "kata_kernel_verity_params", "kata_rootfs_verity", "root_hash"):
        assert k in j, k
assert j["hash_start_block"] == 1 and j["levels"] == 1
'
ok $? "--json carries every form"
t --output table --data-device "/dev/a b" >/dev/null; is $? 2 "device name with a space: exit 2"
t --name "a,b" >/dev/null; is $? 2 "--name with a comma: exit 2"
# no superblock: every parameter from the command line
is "$("$COCOTRUST" verity table "$D" "$V/outputs/v17.hash" "$ROOT" --no-superblock --salt $SALT --data-blocks 16 \
        --data-device /dev/vda --hash-device /dev/vdb --output table)" \
        "0 128 verity 1 /dev/vda /dev/vdb 4096 4096 16 0 sha256 $ROOT $SALT" "--no-superblock: hash start 0 (vector v17)"
done_testing
