#!/bin/bash
# The exit-status rule (README "Exit status"), verb by verb: a missing input, a directory, an empty file
# and a file of the wrong type are bad input -> exit 2, one message naming the input, promptly
# (every run is bounded by `timeout`: a hang is a failure, not a stuck test).
# Rows marked TODO are known to drift and are reported as expected failures until their owner fixes them.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/ct-exit.XXXXXX"); trap 'rm -rf "$T"' EXIT
mkdir "$T/dir"
: >"$T/empty"
# the start of a JPEG (JFIF) and some bytes: a file of the wrong type for every verb
printf '\377\330\377\340\000\020JFIF\000\001\001\000\000\001\000\001\000\000' >"$T/wrong.jpg"
head -c 4000 /dev/urandom >>"$T/wrong.jpg"
H64=$(printf '%064d' 0)
H96=$(printf '%096d' 0)

# TEMPLATE (@ = the input under test) | kinds (m missing, d directory, e empty, w wrong type)
rows=(
        "pe hash @|mdew"
        "uki measure @|mdew"
        "uki measure --linux=@|md"
        "uki build --stub @ --linux @ -o $T/o.efi|mdew"
        "pcr predict --secure-boot off --efi @|mdew"
        "pcr compare @ @|mew"
        "eventlog show @|mdew"
        "eventlog replay @|mdew"
        "eventlog check @ --pcrs @|mdew"
        "snp measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf @|mdew"
        "snp explain $H96 --ovmf @|mdew"
        "snp id-block --measurement $H96 --idkey @ --authorkey @|mdew"
        "snp report show @|mdew"
        "verity format @ $T/o.hash|md"
        "verity verify @ @ $H64|mdew"
        "verity dump @|mdew"
        "tdx measure --firmware @|mdew"
        "tdx metadata @|mdew"
        "tdx quote @|mdew"
        "hcl report show @|mdew"
        "tpm quote verify -m @ -s @ -u @|mdew"
        "tpm evidence verify @|mdew"
        "initrd pack @ -o $T/o.cpio|mew"
        "image inspect @|mdew"
        "rvps export @ -o $T/rv|mdew"
        "rvps lint @|mdew"
        "reference @ -o $T/m.json|mdew"
        "appraise @ --pcrs @|mdew"
)
# Known drift (verb|kind): expected failures, reported as TODO.
todo=" ${CT_EXIT_TODO:-} "

for row in "${rows[@]}"; do
        tpl=${row%|*} kinds=${row##*|}
        for k in m d e w; do
                case "$kinds" in *$k*) ;; *) continue ;; esac
                case $k in m) in=$T/missing ;; d) in=$T/dir ;; e) in=$T/empty ;; w) in=$T/wrong.jpg ;; esac
                cmd=${tpl//@/$in}
                # shellcheck disable=SC2086
                timeout 30 "$CT" $cmd >/dev/null 2>"$T/err" </dev/null; rc=$?
                lines=$(wc -l <"$T/err")
                named=1; grep -qF "$in" "$T/err" && named=0
                desc="${tpl%% @*} [$k]: exit $rc, $lines line(s): $(head -c 150 "$T/err" | tr '\n' ' ')"
                verb=$(echo "$tpl" | awk '{print $1"-"$2}')
                if [ "$rc" = 2 ] && [ "$named" = 0 ]; then
                        ok 0 "$desc"
                else
                        case "$todo" in
                        *" $verb:$k "*) echo "not ok $((_tap_n + 1)) - $desc # TODO known drift"; _tap_n=$((_tap_n + 1)) ;;
                        *) ok 1 "$desc (expected exit 2 naming $in)" ;;
                        esac
                fi
        done
done

# /dev/zero as an input ends at once with exit 2 (never read forever)
for tpl in "pe hash @" "uki measure @" "eventlog show @" "verity dump @" "tdx metadata @" "snp measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf @" \
           "snp measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf $CT_SOURCE_ROOT/tests/vectors/snp/inputs/debian_OVMF.fd --kernel @" \
           "pcr compare @ @" "verity verify @ @ $H64"; do
        cmd=${tpl//@//dev/zero}
        start=$(date +%s)
        # shellcheck disable=SC2086
        timeout 30 "$CT" $cmd >/dev/null 2>"$T/err" </dev/null; rc=$?
        secs=$(( $(date +%s) - start ))
        is "$rc:$([ $secs -lt 5 ] && echo prompt)" "2:prompt" "$tpl with /dev/zero: exit 2 in ${secs} s ($(head -c 120 "$T/err"))"
done

# a JPEG as an event log says what it is not (not "extends PCR 3774863615")
"$CT" eventlog show "$T/wrong.jpg" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "a JPEG as an event log: exit 2"
ok "$(grep -q 'not a TCG event log' "$T/err"; echo $?)" "a JPEG as an event log: 'not a TCG event log' ($(head -c 150 "$T/err"))"
# an empty --root-hash-file is bad input with a message (no NULL to memcpy under UBSan)
head -c 65536 /dev/urandom >"$T/data.img"
"$CT" verity format "$T/data.img" "$T/hash.img" >/dev/null 2>&1
"$CT" verity verify "$T/data.img" "$T/hash.img" --root-hash-file "$T/empty" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "an empty --root-hash-file: exit 2 ($(head -c 120 "$T/err"))"

done_testing
