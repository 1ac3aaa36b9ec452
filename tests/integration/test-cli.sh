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

err=$("$CT" appraise 2>&1); rc=$?
is $rc 3 "a planned area says it is not implemented, exit 3"
case "$err" in *"not implemented"*) r=0 ;; *) r=1 ;; esac; ok $r "message says 'not implemented'"

done_testing
