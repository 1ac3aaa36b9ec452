#!/bin/bash
# The CLI frame: help, version, unknown areas/verbs with suggestions, exit statuses.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}

out=$("$CT" --version); ok $? "--version exits 0"
case "$out" in "cocotrust "[0-9]*) r=0 ;; *) r=1 ;; esac; ok $r "--version prints 'cocotrust X.Y.Z' ($out)"

"$CT" --help >/dev/null; ok $? "--help exits 0"
"$CT" --help | grep -q '^  snp '; ok $? "--help lists the snp area"
"$CT" >/dev/null 2>&1; is $? 2 "no arguments: usage error, exit 2"

err=$("$CT" snpp measure 2>&1); rc=$?
is $rc 2 "unknown area exits 2"
case "$err" in *"did you mean 'snp'"*) r=0 ;; *) r=1 ;; esac; ok $r "unknown area suggests 'snp' ($err)"

err=$("$CT" verity fromat 2>&1); rc=$?
is $rc 2 "unknown verb exits 2"
case "$err" in *"did you mean 'verity format'"*) r=0 ;; *) r=1 ;; esac; ok $r "unknown verb suggests 'verity format' ($err)"

"$CT" verity --help | grep -q 'format'; ok $? "area help lists its verbs"


# --- the common verb prologue: every migrated verb the same way ---
for v in "pe hash" "uki measure" "pcr compare" "pcr predict"; do
        # shellcheck disable=SC2086
        out=$("$CT" $v --help 2>&1); rc=$?
        is $rc 0 "$v --help exits 0"
        case "$out" in *"Exit status"*) r=0 ;; *) r=1 ;; esac; ok $r "$v --help states the exit statuses"
        # shellcheck disable=SC2086
        out=$("$CT" $v --version 2>&1); rc=$?
        is "$rc:${out%% *}" "0:cocotrust" "$v --version prints the version, exit 0 ($out)"
        # shellcheck disable=SC2086
        err=$("$CT" $v --no-such-option x 2>&1 >/dev/null); rc=$?
        is $rc 2 "$v --no-such-option: exit 2"
        is "$(printf '%s\n' "$err" | wc -l)" 1 "$v --no-such-option: one line ($err)"
        case "$err" in *"unknown option '--no-such-option'"*"'cocotrust $v --help'"*) r=0 ;; *) r=1 ;; esac
        ok $r "$v --no-such-option: names the option and points at '$v --help'"
        # shellcheck disable=SC2086
        err=$("$CT" $v -Z x 2>&1 >/dev/null); rc=$?
        is "$rc:$(printf '%s\n' "$err" | wc -l)" "2:1" "$v -Z: exit 2, one line ($err)"
done
err=$("$CT" pe hash --alg 2>&1 >/dev/null); rc=$?
is $rc 2 "an option without its argument: exit 2"
case "$err" in *"'--alg' needs an argument"*) r=0 ;; *) r=1 ;; esac; ok $r "... says which option needs an argument ($err)"
err=$("$CT" pe hash --jsn x 2>&1 >/dev/null)
case "$err" in *"did you mean '--json'"*) r=0 ;; *) r=1 ;; esac; ok $r "a misspelt option gets a suggestion ($err)"
err=$("$CT" pe hash --json=yes x 2>&1 >/dev/null); rc=$?
is $rc 2 "--json=VALUE on a flag: exit 2"
out=$("$CT" pe --version); is "${out%% *}" cocotrust "AREA --version prints the version"

# --- the one error printer: the path once, the program name once ---
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
for cmd in "pe hash $T/missing" "uki measure $T/missing" "uki measure --linux=$T/missing" \
           "pcr compare $T/missing $T/missing" "pcr predict --secure-boot off --efi $T/missing"; do
        # shellcheck disable=SC2086
        err=$("$CT" $cmd 2>&1 >/dev/null); rc=$?
        is $rc 2 "$cmd: missing input, exit 2"
        is "$err" "cocotrust: $T/missing: cannot open: No such file or directory" "$cmd: one line, path once"
done
for cmd in "pe hash $T" "uki measure $T" "pcr predict --secure-boot off --efi $T"; do
        # shellcheck disable=SC2086
        err=$("$CT" $cmd 2>&1 >/dev/null); rc=$?
        is "$rc" 2 "$cmd: a directory, exit 2"
        is "$err" "cocotrust: $T: a directory, expected a regular file, a block device or a pipe" "$cmd: says what was expected"
done

done_testing
