#!/bin/bash
# cocotrust uki sign == systemd-measure 252 sign, byte for byte (PKCS#1 v1.5 is deterministic), with
# the installed systemd-measure run now against an swtpm (252's sign needs a TPM for the policy
# digest; cocotrust computes it itself). Also: uki measure accepts sign's options as 252 calculate does.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
V=$CT_SOURCE_ROOT/tests/vectors
IN=$V/uki/inputs
K=$V/kernel/vmlinuz-6.1.0-56-amd64
SM=/usr/lib/systemd/systemd-measure
W=$(mktemp -d "${TMPDIR:-/tmp}/ct-uki-sign.XXXXXX")
SWPID=
cleanup() { [ -n "$SWPID" ] && kill "$SWPID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

openssl genrsa -out "$W/priv.pem" 2048 2>/dev/null
openssl rsa -in "$W/priv.pem" -pubout -out "$W/pub.pem" 2>/dev/null
openssl genrsa -out "$W/priv2.pem" 3072 2>/dev/null
openssl rsa -in "$W/priv2.pem" -pubout -out "$W/pub2.pem" 2>/dev/null
PARTS="--linux=$K --osrel=$IN/os-release --cmdline=$IN/cmdline-a.txt --initrd=$IN/initrd.cpio.gz"

# 1. uki measure takes --no-pager, --private-key, --public-key, --tpm2-device as 252 calculate does
exp=$("$CT" uki measure $PARTS --bank=sha256 2>&1)
got=$("$CT" uki measure $PARTS --bank=sha256 --no-pager --private-key=/nonexistent --public-key=/nonexistent \
        --tpm2-device=/nonexistent 2>&1); rc=$?
is "$rc" 0 "uki measure: --no-pager --private-key --public-key --tpm2-device accepted (exit 0)"
is "$got" "$exp" "uki measure: they do not change the output"
if [ -x "$SM" ]; then
        e=$("$SM" calculate $PARTS --bank=sha256 --no-pager --private-key=/nonexistent --public-key=/nonexistent \
                --tpm2-device=/nonexistent 2>&1)
        is "$got" "$e" "uki measure with them == systemd-measure calculate with them"
else
        skip "systemd-measure calculate with sign options" "systemd-measure is not installed"
fi
"$CT" uki measure $PARTS -c >/dev/null 2>&1; is $? 3 "uki measure -c: not implemented, exit 3"

# 2. error cases of uki sign
"$CT" uki sign $PARTS >/dev/null 2>&1; is $? 2 "uki sign without --private-key: exit 2"
"$CT" uki sign $PARTS --private-key=/nonexistent >/dev/null 2>&1; is $? 2 "uki sign, missing key file: exit 2"
err=$("$CT" uki sign $PARTS --private-key="$IN/os-release" 2>&1 >/dev/null); rc=$?
is "$rc" 2 "uki sign, a key that is not PEM: exit 2"
case "$err" in *"$IN/os-release"*) r=0 ;; *) r=1 ;; esac; ok $r "the error names the key file ($err)"
out=$("$CT" uki sign $PARTS --private-key="$IN/os-release" 2>/dev/null)
is "$out" "" "a failed sign prints nothing on stdout"
"$CT" uki sign --help | grep -q -- '--private-key'; ok $? "uki sign --help documents --private-key"

# 3. against systemd-measure 252 sign with an swtpm
if [ ! -x "$SM" ] || ! command -v swtpm >/dev/null; then
        skip "systemd-measure sign comparisons" "systemd-measure or swtpm is not installed"
        done_testing
        exit 0
fi
mkdir "$W/tpm"
port=$((20000 + RANDOM % 20000))
swtpm socket --tpm2 --tpmstate dir="$W/tpm" --server type=tcp,port=$port --ctrl type=tcp,port=$((port + 1)) \
        --flags not-need-init,startup-clear --daemon --pid file="$W/tpm/pid" 2>"$W/swtpm.err"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$W/tpm/pid" ] && break; sleep 0.2; done
SWPID=$(cat "$W/tpm/pid" 2>/dev/null)
if [ -z "$SWPID" ]; then
        skip "systemd-measure sign comparisons" "swtpm did not start: $(cat "$W/swtpm.err")"
        done_testing
        exit 0
fi
T=--tpm2-device=swtpm:host=127.0.0.1,port=$port
n=0
while IFS= read -r args; do
        n=$((n + 1))
        # shellcheck disable=SC2086
        "$SM" sign $args "$T" > "$W/exp" 2>"$W/exp.err"; erc=$?
        # shellcheck disable=SC2086
        "$CT" uki sign $args "$T" > "$W/got" 2>"$W/got.err"; grc=$?
        is "$grc" "$erc" "case $n: exit status as systemd-measure sign ($erc)"
        if [ "$erc" = 0 ] && [ -s "$W/exp" ]; then
                cmp -s "$W/exp" "$W/got"; ok $? "case $n: output byte for byte == systemd-measure sign ($args)"
        else
                ok 1 "case $n: systemd-measure sign succeeded ($(head -c 200 "$W/exp.err"))"
        fi
done <<EOF2
$PARTS --private-key=$W/priv.pem
$PARTS --private-key=$W/priv.pem --bank=sha256 --phase=:
$PARTS --private-key=$W/priv.pem --bank=sha1 --bank=sha512 --json=pretty
$PARTS --private-key=$W/priv.pem --public-key=$W/pub2.pem --json=short --phase=enter-initrd --phase=::a::b:
$PARTS --private-key=$W/priv2.pem --public-key=$W/pub2.pem --bank=sha384 --json=off
$PARTS --private-key=$W/priv2.pem --pcrpkey=$W/pub2.pem -j --no-pager
--linux=$K --private-key=$W/priv.pem --bank=sha256 --splash=$IN/splash.bmp --dtb=$IN/devicetree.dtb
EOF2
is "$n" 7 "7 sign cases run"

# --json (cocotrust's document): the same policies and signatures as systemd-measure's JSON above
"$SM" sign $PARTS --private-key="$W/priv.pem" --bank=sha256 --bank=sha1 "$T" > "$W/exp" 2>/dev/null
"$CT" uki sign $PARTS --private-key="$W/priv.pem" --bank=sha256 --bank=sha1 --json > "$W/got.json" 2>/dev/null
python3 - "$W/exp" "$W/got.json" <<'PY'
import json, sys
sm = json.load(open(sys.argv[1])); ct = json.load(open(sys.argv[2]))
assert ct["schema_version"] == 1 and ct["pcr"] == 11, ct.keys()
for bank, entries in sm.items():
    mine = ct["banks"][bank]
    assert len(mine) == len(entries)
    for a, b in zip(entries, mine):
        assert a["pol"] == b["policy"] and a["sig"] == b["signature"] and a["pkfp"] == ct["public_key_fingerprint"]
PY
ok $? "uki sign --json: schema_version 1, policies, signatures and fingerprint == systemd-measure sign's"

# a UKI file instead of its parts: uki-A is built from exactly $PARTS
"$CT_SOURCE_ROOT/tests/uki/build-ukis.sh" "$W" A >/dev/null 2>&1
if [ -f "$W/uki-A.efi" ]; then
        "$SM" sign $PARTS --private-key="$W/priv.pem" --bank=sha256 "$T" > "$W/exp" 2>/dev/null
        "$CT" uki sign --private-key="$W/priv.pem" --bank=sha256 "$W/uki-A.efi" > "$W/got" 2>/dev/null
        cmp -s "$W/exp" "$W/got"; ok $? "uki sign uki-A.efi == systemd-measure sign on its parts"
else
        skip "uki sign UKI.efi" "build-ukis.sh did not build uki-A"
fi
done_testing
