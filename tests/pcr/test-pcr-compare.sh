#!/bin/bash
# PCR-set readers and `pcr compare` against the compare vectors (compare_pcrs.py results) and
# across the formats the same PCR values come in (pcrread YAML, sysfs files, tpm2_eventlog, a log).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=$COCOTRUST
V=$CT_SOURCE_ROOT/tests/vectors/tpm
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

banks_eq() { # OURS.json EXPECTED.json: ours["banks"] == expected (compare_pcrs.py output)
        python3 - "$1" "$2" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["banks"]
b = json.load(open(sys.argv[2]))
print("same" if a == b else "ours=%s\nexpected=%s" % (json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True)))
PY
}
jq_py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. The compare vectors.
for f in "$V"/compare/*__vs__*.json; do
        n=$(basename "$f" .json)
        a=${n%%__vs__*}
        b=${n##*__vs__}
        case $a in pcrread-*) ra=$V/pcrread/$a.yaml; rb=$V/pcrread/$b.yaml;;
                   *) ra=$V/boot/$a/pcrs-sysfs.pcrread-style.yaml; rb=$V/boot/$b/pcrs-sysfs.pcrread-style.yaml;; esac
        "$CT" pcr compare --json "$ra" "$rb" >"$T/out.json"
        rc=$?
        is "$rc" 1 "$n: exit 1 (the sets differ)"
        is "$(banks_eq "$T/out.json" "$f")" same "$n: == compare vector"
done

# 2. The same values through every reader: sysfs files (the guest's ==PCR== lines of the serial
#    console), tpm2_pcrread-style YAML, the replayed log, tpm2_eventlog's pcrs: block, our JSON.
for b in uki-A uki-C uki-A-secureboot; do
        S=$T/sysfs-$b
        tr -d '\r' <"$V/boot/$b/serial.log" | grep '^==PCR== ' | while read -r _ bank idx hex; do
                mkdir -p "$S/pcr-$bank"
                echo "$hex" >"$S/pcr-$bank/$idx"
        done
        "$CT" pcr compare --json "$V/boot/$b/pcrs-sysfs.pcrread-style.yaml" "$S" >"$T/o.json"
        is "$?" 0 "$b: sysfs dir == pcrread-style YAML (exit 0)"
        is "$(jq_py "$T/o.json" 'sorted(d["banks"]["sha256"]["common"] + d["banks"]["sha256"]["unused_in_both"]) == list(range(24)) and d["identical"]')" True "$b: all 24 sha256 PCRs compared"
        "$CT" pcr compare --json "$S/pcr-sha256" "$V/boot/$b/binary_bios_measurements" >"$T/o.json"
        is "$?" 1 "$b: one bank dir vs replayed log: exit 1 (log lacks PCRs not in it)"
        is "$(jq_py "$T/o.json" 'list(d["banks"]) == ["sha256"] and d["banks"]["sha256"]["different"] == [] and d["banks"]["sha256"]["only_in_ref"] == [8,10,12,13,14,15,16,17,18,19,20,21,22,23]')" True "$b: replayed log equals sysfs on every PCR in the log"
        "$CT" pcr compare "$V/boot/$b/binary_bios_measurements" "$V/boot/$b/tpm2_eventlog-5.4.yaml" >/dev/null
        is "$?" 0 "$b: replayed log == tpm2_eventlog's pcrs: block"
        "$CT" eventlog replay --json "$V/boot/$b/binary_bios_measurements" >"$T/r.json"
        "$CT" pcr compare "$T/r.json" "$S" --bank sha1 >/dev/null
        is "$?" 1 "$b: replay JSON vs sysfs, sha1 only: differs only by PCRs not in the log"
done
"$CT" pcr compare "$V/pcrread/quote/quote.yaml" "$V/pcrread/quote/checkquote.yaml" "$V/pcrread/pcrread-o.yaml" --bank sha256 --json >"$T/o.json"
is "$?" 0 "tpm2_quote, tpm2_checkquote and tpm2_pcrread output read alike"
is "$(jq_py "$T/o.json" 'd["banks"]["sha256"]["common"]')" "[0, 11]" "quote/checkquote/pcrread: PCR 0 and 11 common"

# 3. Three sets at once; --emit writes the common values as PCR-set JSON.
"$CT" pcr compare --json --emit "$T/ref.json" "$V"/boot/uki-A/pcrs-sysfs.pcrread-style.yaml \
        "$V"/boot/uki-C/pcrs-sysfs.pcrread-style.yaml "$V"/boot/uki-E-stub257/pcrs-sysfs.pcrread-style.yaml >"$T/o.json"
is "$?" 1 "three sets: exit 1"
is "$(jq_py "$T/o.json" 'd["banks"]["sha256"]["common"], d["banks"]["sha256"]["different"]')" "[0, 1, 2, 3, 5, 6, 7] [4, 9, 10, 11]" "three sets: common and different"
is "$(python3 - "$T/ref.json" "$V/compare/uki-A__vs__uki-C.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); v = json.load(open(sys.argv[2]))
print(e["schema_version"] == 1 and all(e["pcrs"][b] == v[b]["reference_values"] for b in ("sha1", "sha256")))
PY
)" True "--emit: the reference values of the vector, as PCR-set JSON"
"$CT" pcr compare "$T/ref.json" "$V"/boot/uki-E-stub257/pcrs-sysfs.pcrread-style.yaml >"$T/o.txt"
is "$?" 1 "emitted JSON reads back (vs uki-E: only PCRs missing from it)"
ok "$(grep -q '^  different:     -$' "$T/o.txt"; echo $?)" "emitted JSON: no PCR differs from uki-E"

# 4. Bad input: exit 2 naming the file, and never a partial --emit file.
printf '  sha256:\n    0 : 0x1234\n' >"$T/short.yaml"
printf '  sha256:\n    24: 0x%064d\n' 0 >"$T/idx.yaml"
printf '  sha256:\n    0 : 0x%063dZ\n' 0 >"$T/hex.yaml"
printf '  sha256:\n    0 : [0x00\n' >"$T/syntax.yaml"
printf '{"pcrs": {"md5": {"0": "00"}}}' >"$T/bank.json"
printf '{"pcrs": {"sha256": {"0": 5}}}' >"$T/type.json"
printf '{"pcrs": ' >"$T/trunc.json"
printf 'hello: world\n' >"$T/nobank.yaml"
: >"$T/empty.yaml"
for f in short.yaml idx.yaml hex.yaml syntax.yaml bank.json type.json trunc.json nobank.yaml empty.yaml; do
        rm -f "$T/emit.json"
        "$CT" pcr compare --emit "$T/emit.json" "$V/pcrread/pcrread-select.yaml" "$T/$f" >/dev/null 2>"$T/err"
        is "$?" 2 "bad PCR file $f: exit 2"
        ok "$(grep -q "$f" "$T/err"; echo $?)" "bad PCR file $f: message names the file ($(head -c 120 "$T/err"))"
        ok "$([ ! -e "$T/emit.json" ]; echo $?)" "bad PCR file $f: no --emit file"
done
# PCR files are strict: duplicate keys, trailing data, a second document, an unknown schema_version
H=$(printf '%064d' 0)
printf 'sha256:\n  0 : 0x%s\n  0 : 0x%s\n' "$H" "$H" >"$T/dupidx.yaml"
printf 'sha256:\n  0 : 0x%s\nsha256:\n  1 : 0x%s\n' "$H" "$H" >"$T/dupbank.yaml"
printf 'sha256:\n  0 : 0x%s\n---\nsha256:\n  1 : 0x%s\n' "$H" "$H" >"$T/twodocs.yaml"
printf 'schema_version: 2\nsha256:\n  0 : 0x%s\n' "$H" >"$T/schema.yaml"
printf '{"schema_version": 1, "pcrs": {"sha256": {"0": "%s"}}}\n\ngarbage\n' "$H" >"$T/trail.json"
printf '{"schema_version": 1,\n "pcrs": {"sha256": {"0": "%s",\n "0": "%s"}}}\n' "$H" "$H" >"$T/dupkey.json"
printf '{"schema_version": 1, "pcrs": {"sha256": {"0": "%s"}}, "pcrs": {}}\n' "$H" >"$T/duppcrs.json"
printf '{"schema_version": 7, "pcrs": {"sha256": {"0": "%s"}}}\n' "$H" >"$T/schema.json"
printf '{"schema_version": 1, "pcrs": {"sha256": {"0": "%s"}}}\n' "$H" >"$T/good.json"
for c in "dupidx.yaml:PCR 0 given twice (line 3)" "dupbank.yaml:bank sha256 given twice (line 4)" \
         "twodocs.yaml:second document at line 3" "schema.yaml:schema_version at line 1 is not 1" \
         "trail.json:trailing data at line 3" 'dupkey.json:"0" given twice (line 3)' 'duppcrs.json:"pcrs" given twice' \
         "schema.json:schema_version 7 is not 1"; do
        f=${c%%:*} want=${c#*:}
        "$CT" pcr compare "$T/$f" "$T/good.json" >/dev/null 2>"$T/err"
        is "$?" 2 "strict PCR file $f: exit 2"
        ok "$(grep -qF "$T/$f: " "$T/err" && grep -qF "$want" "$T/err"; echo $?)" "strict PCR file $f: names the file and the line ($(head -c 160 "$T/err"))"
done
"$CT" pcr compare "$T/good.json" "$T/good.json" >/dev/null; is "$?" 0 "a strict file that is fine: exit 0"
"$CT" pcr compare - "$T/good.json" <"$T/good.json" >/dev/null; is "$?" 0 "'-' reads the set from standard input"
"$CT" pcr compare "$T/good.json" <(cat "$T/good.json") >/dev/null; is "$?" 0 "a pipe (/dev/fd/N) is a PCR set"
mkdir -p "$T/sysfs/pcr-sha256"; printf '%s\n' "$H" >"$T/sysfs/pcr-sha256/0"; mkfifo "$T/sysfs/pcr-sha256/1"
start=$(date +%s)
"$CT" pcr compare "$T/sysfs" "$T/good.json" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "a FIFO inside a sysfs-style directory: exit 2"
ok "$([ $(( $(date +%s) - start )) -lt 3 ]; echo $?)" "... at once, never opened blocking ($(head -c 160 "$T/err"))"
ok "$(grep -q 'FIFO, expected a regular file' "$T/err"; echo $?)" "... says what was expected"
"$CT" pcr compare /dev/zero "$T/good.json" >/dev/null 2>&1; is "$?" 2 "/dev/zero as a PCR set: exit 2"
"$CT" pcr compare "$V/pcrread/pcrread-select.yaml" "$T/does-not-exist" >/dev/null 2>&1
is "$?" 2 "missing file: exit 2"
"$CT" pcr compare "$V/pcrread/pcrread-select.yaml" >/dev/null 2>&1
is "$?" 2 "one set only: usage error"
"$CT" pcr compare --emit "$T/no/such/dir/e.json" "$V/pcrread/pcrread-select.yaml" "$V/pcrread/pcrread-select.yaml" >/dev/null 2>&1
is "$?" 3 "--emit into a missing directory: exit 3"
"$CT" pcr compare "$V/pcrread/pcrread-select.yaml" "$V/pcrread/pcrread-select.yaml" --bank sha384 >/dev/null 2>&1
is "$?" 2 "--bank not in the sets: exit 2"
"$CT" pcr compare "$V/pcrread/pcrread-select.yaml" "$V/pcrread/pcrread-select.yaml" >/dev/null
is "$?" 0 "a set compared with itself: exit 0"
"$CT" pcr compare "$V/eventlogs/tpm2tools-specid-vendordata.bin" "$V/pcrread/pcrread-select.yaml" >/dev/null 2>"$T/err"
is "$?" 2 "a malformed event log as a PCR set: exit 2"
"$CT" pcr compare --help | grep -q -- '--emit FILE'
ok $? "--help documents --emit"

done_testing
