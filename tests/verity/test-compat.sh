#!/bin/bash
# cryptsetup 2.6.1's own tests/verity-compat-test (tests/verity/compat/, origin in its
# README) with veritysetup replaced by cocotrust through a three-line wrapper. Needs root
# and a free loop device (the test puts its data on one); skipped otherwise.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
C="$CT_SOURCE_ROOT/tests/verity/compat"
if [ "$(id -u)" != 0 ] || ! losetup -f >/dev/null 2>&1; then
        skip "cryptsetup verity-compat-test" "needs root and a free loop device"
        done_testing
        exit 0
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
COCOTRUST="$COCOTRUST" CRYPTSETUP_PATH="$C" bash "$C/verity-compat-test" >"$W/out" 2>&1
rc=$?
sed 's/^/# /' "$W/out" | tail -n 40
if [ $rc = 77 ]; then
        skip "cryptsetup verity-compat-test" "skipped by the test itself"
else
        is "$rc" 0 "cryptsetup 2.6.1 verity-compat-test (device-mapper steps removed) passes with cocotrust"
        is "$(grep -c '^\[.*\]\[Errors cannot be corrected\]\[OK\]$' "$W/out")" 6 \
                "its last section (correction in userspace) ran all 6 cases"
fi
done_testing
