#!/bin/bash
# The output layer (issue #10, "one output layer"): a verb that writes several files writes them as one
# set, renamed only when all are complete. Every multi-output verb is made to fail at each of its
# writes and must leave every target path as it was (and no NAME.tmp-* behind):
#  - a read-only directory (as root the verb runs as nobody via setpriv, where root ignores modes);
#  - a write beyond RLIMIT_FSIZE (ulimit -f: the write gets EFBIG);
#  - a directory, or a symlink to /dev/full, in place of one output (refused before anything is renamed).
# Plus: exit status 3 for a failed write, an overwritten 0600 output stays 0600, an output named through a
# symlink replaces its target (veritysetup writes through it; compared with veritysetup where installed),
# and SIGTERM during a long `verity format` (512 MiB sparse data) leaves no temporary and no changed output.
# `tpm capture` writes its three files with the same set (src/tool/verb-tpm.c) but needs a QEMU boot: not here.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/ct-atomic.XXXXXX"); trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"
OVMF=$CT_SOURCE_ROOT/tests/vectors/snp/inputs/ovmf_AmdSev_suffix.bin
UUID=12345678-1234-1234-1234-123456789abc

# as_user CMD...: run CMD where directory modes are enforced (root: as nobody)
if [ "$(id -u)" = 0 ]; then
        if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
                as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
                give() { chown -R 65534:65534 "$@"; }
        else
                as_user() { return 125; }
                give() { :; }
        fi
else
        as_user() { "$@"; }
        give() { :; }
fi
# sums DIR...: the content, mode and type of every entry (a changed, added or removed file shows)
sums() { find "$@" -mindepth 1 -printf '%p %y %m %s\n' | sort; find "$@" -type f -exec sha256sum {} + | sort; }
no_tmp() { [ -z "$(find "$T" -name '*.tmp-*' -print -quit)" ]; }

# ---- verity format: hash + FEC + --root-hash-file --------------------------------------------------
mkdir -p "$T/v/h" "$T/v/f" "$T/v/r"
head -c 1M /dev/urandom >"$T/v/data"
chmod 644 "$T/v/data"
# the outputs before: a format with salt 01
"$CT" verity format "$T/v/data" "$T/v/h/hash" --fec-device "$T/v/f/fec" --fec-roots 24 \
        --root-hash-file "$T/v/r/rh" --salt 01 --uuid "$UUID" >/dev/null
ok $? "verity format: the outputs before"
give "$T/v"
before=$(sums "$T/v")
vformat() { "$CT" verity format "$T/v/data" "$T/v/h/hash" --fec-device "$T/v/f/fec" --fec-roots 24 \
        --root-hash-file "$T/v/r/rh" --salt 02 --uuid "$UUID" "$@" >/dev/null 2>"$T/err"; }
for d in h f r; do
        what=$(case $d in h) echo "hash file" ;; f) echo "FEC file" ;; r) echo "root-hash file" ;; esac)
        chmod 555 "$T/v/$d"
        as_user "$CT" verity format "$T/v/data" "$T/v/h/hash" --fec-device "$T/v/f/fec" --fec-roots 24 \
                --root-hash-file "$T/v/r/rh" --salt 02 --uuid "$UUID" >/dev/null 2>"$T/err"
        rc=$?
        chmod 755 "$T/v/$d"
        if [ $rc = 125 ]; then
                skip "verity format: the $what in a read-only directory" "cannot drop root"
                continue
        fi
        is "$rc" 3 "verity format: the $what in a read-only directory: exit 3 ($(head -1 "$T/err"))"
        is "$(sums "$T/v")" "$before" "verity format: failing at the $what changes no output"
done
# RLIMIT_FSIZE: 8 KiB fails the hash tree write (12 KiB), 64 KiB the FEC parity (108 KiB)
for lim in 8 64; do
        (trap '' XFSZ; ulimit -f $lim; vformat)
        rc=$?
        is "$rc" 3 "verity format: a write beyond ulimit -f $lim KiB: exit 3 ($(head -1 "$T/err"))"
        is "$(sums "$T/v")" "$before" "verity format: the write failing at $lim KiB changes no output"
done
ok "$(no_tmp; echo $?)" "verity format: no temporary left after the failed writes"
# a directory / a symlink to /dev/full in place of the root-hash file: refused, the hash and FEC files unchanged
mv "$T/v/r/rh" "$T/v/rh.saved"
mkdir "$T/v/r/rh"
vformat; rc=$?
is "$rc" 2 "verity format: a directory as --root-hash-file: exit 2"
rmdir "$T/v/r/rh"
ln -s /dev/full "$T/v/r/rh"
vformat; rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "verity format: a symlink to /dev/full as --root-hash-file fails (exit $rc)"
rm "$T/v/r/rh"
mv "$T/v/rh.saved" "$T/v/r/rh"
is "$(sums "$T/v")" "$before" "verity format: a refused root-hash file changes neither hash nor FEC file"
ln -s /dev/full "$T/v/fec-full"
"$CT" verity format "$T/v/data" "$T/v/h/hash" --fec-device "$T/v/fec-full" --root-hash-file "$T/v/r/rh" \
        --salt 02 --uuid "$UUID" >/dev/null 2>"$T/err"
rc=$?
rm "$T/v/fec-full"
ok "$([ $rc -ne 0 ]; echo $?)" "verity format: a symlink to /dev/full as the FEC file fails (exit $rc)"
is "$(sums "$T/v")" "$before" "verity format: a refused FEC file changes neither hash nor root-hash file"

# mode kept, symlinks written through
chmod 600 "$T/v/h/hash" "$T/v/r/rh"
vformat
ok $? "verity format over 0600 outputs"
is "$(stat -c %a "$T/v/h/hash") $(stat -c %a "$T/v/r/rh")" "600 600" "verity format: overwritten 0600 outputs stay 0600"
mkdir "$T/s"
cp "$T/v/h/hash" "$T/s/hash.real"
ln -s hash.real "$T/s/hash"
ln -s "$T/v/r/rh" "$T/s/rh"
"$CT" verity format "$T/v/data" "$T/s/hash" --root-hash-file "$T/s/rh" --salt 03 --uuid "$UUID" >/dev/null
ok $? "verity format through symlinked outputs"
ok "$([ -L "$T/s/hash" ] && [ -L "$T/s/rh" ]; echo $?)" "verity format: the symlinks stay symlinks"
if command -v veritysetup >/dev/null; then
        cp "$T/v/h/hash" "$T/s/vs.real" # the same file before (FEC bytes beyond the tree are kept by both)
        ln -s vs.real "$T/s/vs"
        rh=$(veritysetup format "$T/v/data" "$T/s/vs" --salt 03 --uuid "$UUID" | sed -n 's/^Root hash:[[:space:]]*//p')
        cmp -s "$T/s/hash.real" "$T/s/vs.real"
        ok $? "verity format: the symlink's target holds what veritysetup writes through the symlink"
        is "$(cat "$T/v/r/rh")" "$rh" "verity format: the root-hash file's target holds veritysetup's root hash"
else
        skip "verity format: symlink target vs veritysetup" "veritysetup not installed"
        skip "verity format: root hash through the symlink vs veritysetup" "veritysetup not installed"
fi

# SIGTERM during a long format: no temporary, no changed output
mkdir "$T/big"
truncate -s 512M "$T/big/data"
"$CT" verity format "$T/big/data" "$T/big/hash" --fec-device "$T/big/fec" --root-hash-file "$T/big/rh" \
        --salt 01 --uuid "$UUID" --data-blocks 1024 >/dev/null
ok $? "verity format: outputs before the SIGTERM run"
before=$(sums "$T/big")
"$CT" verity format "$T/big/data" "$T/big/hash" --fec-device "$T/big/fec" --root-hash-file "$T/big/rh" \
        --salt 02 --uuid "$UUID" --threads 1 >/dev/null 2>&1 & # one thread: seconds of FEC to interrupt
pid=$!
for _ in $(seq 200); do
        [ -n "$(find "$T/big" -name '*.tmp-*' -print -quit)" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
done
sleep 0.2
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
is "$rc" 143 "verity format (512 MiB sparse, FEC) ended by SIGTERM"
ok "$(no_tmp; echo $?)" "verity format: no *.tmp-* left after SIGTERM"
is "$(sums "$T/big")" "$before" "verity format: SIGTERM changes no output"

# ---- snp measure --dump-vmsa: every vmsaN.bin --------------------------------------------------------
mkdir "$T/vm"
snp() { (cd "$T/vm" && "$@" "$CT" snp measure --mode snp --vcpus 3 --vcpu-type EPYC-v4 --ovmf "$OVMF" \
        --dump-vmsa >/dev/null 2>"$T/err"); }
for i in 0 1 2; do printf 'old vmsa%s\n' $i >"$T/vm/vmsa$i.bin"; done
give "$T/vm"
before=$(sums "$T/vm")
for i in 0 1 2; do
        mv "$T/vm/vmsa$i.bin" "$T/vm.saved"
        mkdir "$T/vm/vmsa$i.bin"
        snp; rc=$?
        rmdir "$T/vm/vmsa$i.bin"
        mv "$T/vm.saved" "$T/vm/vmsa$i.bin"
        is "$rc" 2 "snp --dump-vmsa: vmsa$i.bin a directory: exit 2"
        is "$(sums "$T/vm")" "$before" "snp --dump-vmsa: failing at vmsa$i.bin changes no vmsaN.bin"
done
rm "$T/vm/vmsa2.bin"
ln -s /dev/full "$T/vm/vmsa2.bin"
before=$(sums "$T/vm")
snp; rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "snp --dump-vmsa: vmsa2.bin a symlink to /dev/full fails (exit $rc)"
is "$(sums "$T/vm")" "$before" "snp --dump-vmsa: failing at the last vmsa changes no vmsaN.bin"
rm "$T/vm/vmsa2.bin"
printf 'old vmsa2\n' >"$T/vm/vmsa2.bin"
give "$T/vm"
before=$(sums "$T/vm")
chmod 555 "$T/vm"
snp as_user; rc=$?
chmod 755 "$T/vm"
if [ $rc = 125 ]; then
        skip "snp --dump-vmsa into a read-only directory" "cannot drop root"
else
        is "$rc" 3 "snp --dump-vmsa into a read-only directory: exit 3"
fi
(trap '' XFSZ; ulimit -f 2; snp); rc=$?
is "$rc" 3 "snp --dump-vmsa: a write beyond ulimit -f 2 KiB: exit 3"
is "$(sums "$T/vm")" "$before" "snp --dump-vmsa: failed writes change no vmsaN.bin"
chmod 600 "$T/vm/vmsa1.bin"
snp; rc=$?
is "$rc" 0 "snp --dump-vmsa over existing files"
is "$(stat -c %a "$T/vm/vmsa1.bin") $(stat -c %s "$T/vm/vmsa0.bin")" "600 4096" \
        "snp --dump-vmsa: an overwritten 0600 vmsa stays 0600, pages written"
ok "$(no_tmp; echo $?)" "snp --dump-vmsa: no temporary left"
done_testing
