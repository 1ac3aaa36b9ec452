#!/bin/bash
# `verity format`'s output set (issue 10): an existing sparse hash file stays
# sparse (its copy reads and writes only the data regions), an output that is
# another output or the data under another name (./h, a symlink, a hard link,
# a file not yet there) is refused with exit 2 naming both paths and changes
# nothing, and a write that fails (a full file system, a file-size limit)
# names the file, exits 3 and leaves every target as it was. Root hashes are
# checked against the installed veritysetup.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
S=00112233445566778899aabbccddeeff
U=12345678-1234-1234-1234-123456789abc
root_of() { sed -n 's/^Root hash: *\t*//p' "$1" | tr -d ' \t'; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
head -c $((4 << 20)) /dev/urandom >"$W/data"

# --- 1. an existing hash file with a hole of 6 GiB ----------------------------
OFF=$((6 << 30))
if truncate -s 8G "$W/sparse" 2>/dev/null; then
        printf keep | dd of="$W/sparse" conv=notrunc status=none
        before=$(stat -c %b "$W/sparse")
        cp --sparse=always "$W/sparse" "$W/vsparse"
        t0=$(date +%s%N)
        "$COCOTRUST" verity format "$W/data" "$W/sparse" --hash-offset $OFF -s $S --uuid $U >"$W/c.out" 2>&1
        rc=$?; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        is "$rc" 0 "sparse hash file, --hash-offset 6 GiB: exit 0"
        after=$(stat -c %b "$W/sparse")
        # the tree of 4 MiB is 9 blocks of 4 KiB (72 sectors) and the superblock one: allow 1 MiB in all
        ok $(( after - before < 2048 ? 0 : 1 )) "sparse hash file: allocation grew by $(( (after - before) / 2 )) KiB (< 1 MiB)"
        is "$(stat -c %s "$W/sparse")" $((8 << 30)) "sparse hash file: size kept (8 GiB)"
        is "$(head -c 4 "$W/sparse")" keep "sparse hash file: bytes before the offset kept"
        ok $(( ms < 5000 ? 0 : 1 )) "sparse hash file: ${ms} ms (< 5000: the hole is not read)"
        if command -v veritysetup >/dev/null; then
                veritysetup format "$W/data" "$W/vsparse" --hash-offset $OFF -s $S --uuid $U >"$W/v.out" 2>&1
                is "$(root_of "$W/c.out")" "$(root_of "$W/v.out")" "sparse hash file: root hash equals veritysetup's"
                veritysetup verify "$W/data" "$W/sparse" "$(root_of "$W/c.out")" --hash-offset $OFF >/dev/null 2>&1
                ok $? "sparse hash file: veritysetup verify accepts cocotrust's"
                cmp -s <(dd if="$W/sparse" bs=4096 skip=$((OFF / 4096)) count=16 status=none) \
                        <(dd if="$W/vsparse" bs=4096 skip=$((OFF / 4096)) count=16 status=none)
                ok $? "sparse hash file: superblock and tree identical to veritysetup's"
        else
                skip "sparse hash file against veritysetup" "veritysetup not installed"
        fi
        rm -f "$W/sparse" "$W/vsparse"
else
        skip "sparse hash file" "cannot create an 8 GiB sparse file here"
fi

# --- 2. the same file under two names ----------------------------------------
# refused CMD...: exit 2, one line naming NAME1 and NAME2, the files in CHECK unchanged
refused() {
        local what=$1 n1=$2 n2=$3; shift 3
        local -a before=()
        for f in "$W/data" "$W/h" "$W/root"; do before+=("$( [ -e "$f" ] && sum "$f")"); done
        (cd "$W" && "$COCOTRUST" "$@") >"$W/out" 2>"$W/err"
        is "$?" 2 "$what: exit 2"
        is "$(wc -l <"$W/err")" 1 "$what: one line"
        grep -qF -- "$n1" "$W/err" && grep -qF -- "$n2" "$W/err"; ok $? "$what: names '$n1' and '$n2'"
        sed 's/^/# /' "$W/err"
        local i=0 changed=0
        for f in "$W/data" "$W/h" "$W/root"; do
                [ "${before[$i]}" = "$( [ -e "$f" ] && sum "$f")" ] || changed=1
                i=$((i + 1))
        done
        is "$changed" 0 "$what: data, hash and root-hash file unchanged"
        is "$(find "$W" -name '*.tmp-*' | wc -l)" 0 "$what: no temporary left"
}
"$COCOTRUST" verity format "$W/data" "$W/h" -s $S --uuid $U --root-hash-file "$W/root" >/dev/null
ok $? "a first format (the files the refused runs must keep)"
ln -s data "$W/dlink"
refused "hash file is the data through a symlink" dlink "'data'" verity format data dlink
refused "root-hash file is the hash file as ./h" ./h "'h'" verity format data h --root-hash-file ./h
ln "$W/h" "$W/hlink"
refused "root-hash file is a hard link to the hash file" hlink "'h'" verity format data h --root-hash-file hlink
refused "root-hash file is the data through a symlink" dlink "'data'" verity format data h --root-hash-file dlink
refused "root-hash file is the data as ./data" ./data "'data'" verity format data h --root-hash-file ./data
refused "a new hash file and root-hash file as new and ./new" ./new "'new'" verity format data new --root-hash-file ./new
[ ! -e "$W/new" ]; ok $? "a new hash file and root-hash file as new and ./new: no file created"
mkdir "$W/sub"
refused "a new FEC file as sub/../f and f" f "'sub/../f'" verity format data h --fec-device sub/../f --root-hash-file f
# the FEC in the hash file stays allowed (veritysetup's layout), also when HASH is new and named twice
for fec in h2 ./h2; do
        rm -f "$W/h2"
        (cd "$W" && "$COCOTRUST" verity format data h2 --fec-device $fec --fec-offset $((1 << 20)) -s $S --uuid $U) \
                >"$W/c.out" 2>&1
        ok $? "FEC in a new hash file named h2 and $fec: exit 0"
        is "$(find "$W" -name '*.tmp-*' | wc -l)" 0 "FEC in a new hash file named h2 and $fec: no temporary left"
        if command -v veritysetup >/dev/null; then
                veritysetup verify "$W/data" "$W/h2" "$(root_of "$W/c.out")" --fec-device "$W/h2" \
                        --fec-offset $((1 << 20)) >/dev/null 2>&1
                ok $? "FEC in a new hash file named h2 and $fec: veritysetup verify (with the FEC) accepts it"
        fi
done
rm -f "$W/dlink" "$W/hlink" "$W/h2"

# --- 3. a write that fails names the file, exits 3, changes nothing ----------
# unchanged WHAT FILES...: every file as it was (sums in $W/sums)
snap() { for f in "$@"; do printf '%s %s\n' "$f" "$(sum "$f")"; done >"$W/sums"; }
unchanged() {
        local what=$1 bad=0; shift
        while read -r f s; do [ "$(sum "$f")" = "$s" ] || bad=1; done <"$W/sums"
        is "$bad" 0 "$what: every target unchanged"
        is "$(find "$W" -name '*.tmp-*' | wc -l)" 0 "$what: no temporary left"
}
printf old >"$W/fec"
printf old >"$W/root"
# (a) a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored: the write fails with EFBIG): the hash file
# (36 KiB) fits in 200 KiB, the FEC parity with 24 roots (about 440 KiB) does not
snap "$W/h" "$W/fec" "$W/root" "$W/data"
(trap '' XFSZ; ulimit -f 200; exec "$COCOTRUST" verity format "$W/data" "$W/h" --fec-device "$W/fec" --fec-roots 24 \
        --root-hash-file "$W/root") >"$W/out" 2>"$W/err"
is "$?" 3 "FEC write over the file-size limit: exit 3"
grep -q "^cocotrust: $W/fec: .*File too large" "$W/err"; ok $? "FEC write over the file-size limit: names the FEC file"
sed 's/^/# /' "$W/err"
unchanged "FEC write over the file-size limit"

# (b) a full file system: a 256 KiB tmpfs in a mount namespace of its own
mkdir "$W/full"
printf old >"$W/full/fec"
snap "$W/h" "$W/full/fec" "$W/root" "$W/data"
if unshare -rm true 2>/dev/null; then
        unshare -rm bash -c 'mount -t tmpfs -o size=256k tmpfs "$1/full" && printf old >"$1/full/fec" &&
                "$2" verity format "$1/data" "$1/h" --fec-device "$1/full/fec" --fec-roots 24 --root-hash-file "$1/root"
                rc=$?; cat "$1/full/fec" >"$1/fec.after"; ls -a "$1/full" >"$1/full.ls"; exit $rc' \
                - "$W" "$COCOTRUST" >"$W/out" 2>"$W/err"
        is "$?" 3 "FEC onto a full file system: exit 3"
        grep -q "^cocotrust: $W/full/fec: .*No space left on device" "$W/err"; ok $? "FEC onto a full file system: names the FEC file"
        sed 's/^/# /' "$W/err"
        is "$(cat "$W/fec.after")" old "FEC onto a full file system: the old FEC file unchanged"
        is "$(grep -c tmp- "$W/full.ls")" 0 "FEC onto a full file system: no temporary left on it"
        unchanged "FEC onto a full file system"
else
        skip "FEC onto a full file system" "cannot make a mount namespace (unshare -rm) here"
fi

# (c) repair: the corrected copy of DATA does not fit (file-size limit) -> exit 3 naming DATA, nothing changed
if command -v veritysetup >/dev/null; then
        "$COCOTRUST" verity format "$W/data" "$W/rh" --fec-device "$W/rf" -s $S --uuid $U >"$W/c.out" 2>&1
        r=$(root_of "$W/c.out")
        printf 'XXXX' | dd of="$W/data" bs=1 seek=8192 conv=notrunc status=none
        snap "$W/data" "$W/rh" "$W/rf"
        (trap '' XFSZ; ulimit -f 1024; exec "$COCOTRUST" verity repair "$W/data" "$W/rh" "$r" --fec-device "$W/rf") \
                >"$W/out" 2>"$W/err"
        is "$?" 3 "repair, copy over the file-size limit: exit 3"
        grep -q "^cocotrust: $W/data: .*File too large" "$W/err"; ok $? "repair, copy over the file-size limit: names DATA"
        sed 's/^/# /' "$W/err"
        unchanged "repair, copy over the file-size limit"
fi

done_testing
