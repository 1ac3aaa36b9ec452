#!/bin/bash
# Inputs as the live kernel and the shell hand them over (docs/inputs.md "Input kinds"): size-0
# pseudo files read to EOF (procfs; securityfs's binary_bios_measurements when a TPM is there),
# a pipe with a writer (<(cat file)), '-' for standard input, and a FIFO without a writer
# (exit 2 once CT_INPUT_FIFO_WAIT_MS, 5 s, has passed, not a hang). Every run is under `timeout`.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
CT=${COCOTRUST:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/ct-live.XXXXXX")
mounted=
cleanup() { [ -n "$mounted" ] && umount /sys/kernel/security 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
LOG=$CT_SOURCE_ROOT/tests/vectors/tpm/eventlogs/goattest-short-no-action.bin

# The reference: the event log as a regular file.
timeout 20 "$CT" eventlog show "$LOG" >"$T/want" 2>&1; is "$?" 0 "eventlog show on the regular file"

# A pipe with a writer, and standard input: the same output.
timeout 20 "$CT" eventlog show <(cat "$LOG") >"$T/pipe" 2>&1; is "$?" 0 "eventlog show <(cat log): exit 0"
cmp -s "$T/want" "$T/pipe"; ok $? "eventlog show <(cat log): same output as the file"
timeout 20 "$CT" eventlog show - <"$LOG" >"$T/stdin" 2>&1; is "$?" 0 "eventlog show - <log: exit 0"
cmp -s "$T/want" "$T/stdin"; ok $? "eventlog show - <log: same output as the file"
cat "$LOG" | timeout 20 "$CT" eventlog show - >"$T/stdin2" 2>&1; is "$?" 0 "cat log | eventlog show -: exit 0"
cmp -s "$T/want" "$T/stdin2"; ok $? "cat log | eventlog show -: same output as the file"

# A size-0 procfs file is read to EOF: /proc/version reports st_size 0 but has content. The verb
# must see that content (the same message as for a regular copy of it), not an empty input.
if [ -r /proc/version ] && [ "$(stat -c %s /proc/version)" = 0 ]; then
        cat /proc/version >"$T/version"
        timeout 20 "$CT" eventlog show /proc/version >"$T/proc.out" 2>&1; rc=$?
        timeout 20 "$CT" eventlog show "$T/version" >"$T/copy.out" 2>&1
        is "$rc" 2 "eventlog show /proc/version (st_size 0): exit 2 (not an event log)"
        sed "s|$T/version|/proc/version|" "$T/copy.out" | cmp -s - "$T/proc.out"
        ok $? "eventlog show /proc/version: the same message as for a regular copy ($(head -c 120 "$T/proc.out"))"
        grep -q "empty" "$T/proc.out"; ok $(( ! $? )) "eventlog show /proc/version: not read as empty"
else
        skip "eventlog show /proc/version: exit 2" "/proc/version missing or not size 0"
        skip "eventlog show /proc/version: same message" "/proc/version missing or not size 0"
        skip "eventlog show /proc/version: not empty" "/proc/version missing or not size 0"
fi

# securityfs: the TPM's event log, where the docs say it is (mounted here when root may).
SFS=/sys/kernel/security
if [ ! -e "$SFS/lsm" ] && [ ! -e "$SFS/tpm0" ] && [ "$(id -u)" = 0 ] && mount -t securityfs none "$SFS" 2>/dev/null; then
        mounted=1
fi
# Every securityfs file reports st_size 0: without a TPM, its lsm file (text) still shows that the
# bytes are read to EOF: the refusal quotes its first four bytes as the PCRIndex, as cat reads them.
if [ -r "$SFS/lsm" ]; then
        want=$(head -c 4 "$SFS/lsm" | od -An -tx4 | tr -d ' ')
        timeout 20 "$CT" eventlog show "$SFS/lsm" >"$T/lsm.out" 2>&1; rc=$?
        is "$rc" 2 "eventlog show $SFS/lsm (securityfs, st_size $(stat -c %s "$SFS/lsm")): exit 2, not a TCG event log"
        grep -q "^cocotrust: $SFS/lsm: not a TCG event log: the first record's PCRIndex is 0x$want," "$T/lsm.out"
        ok $? "... the refusal quotes the bytes cat reads (0x$want), not 'empty event log' ($(head -c 150 "$T/lsm.out"))"
else
        skip "eventlog show on securityfs lsm" "securityfs not mounted and not mountable here"
        skip "securityfs lsm: bytes read to EOF" "securityfs not mounted and not mountable here"
fi
BBM=$SFS/tpm0/binary_bios_measurements
if [ -r "$BBM" ]; then
        timeout 20 "$CT" eventlog show "$BBM" >"$T/bbm.out" 2>&1; rc=$?
        cat "$BBM" >"$T/bbm.bin"
        timeout 20 "$CT" eventlog show "$T/bbm.bin" >"$T/bbmcopy.out" 2>&1
        is "$rc" 0 "eventlog show $BBM (securityfs, st_size $(stat -c %s "$BBM")): exit 0"
        sed "s|$T/bbm.bin|$BBM|g" "$T/bbmcopy.out" | cmp -s - "$T/bbm.out"; ok $? "$BBM: the same output as a copy"
else
        skip "eventlog show on securityfs binary_bios_measurements" \
                "no $BBM (securityfs $( [ -e "$SFS/lsm" ] && echo mounted || echo 'not mountable'), no TPM on this machine)"
        skip "securityfs event log: the same output as a copy" "no $BBM"
fi

# A FIFO without a writer: exit 2 after the FIFO wait (5 s), naming it, not a hang.
mkfifo "$T/fifo"
start=$(date +%s%N)
timeout 30 "$CT" eventlog show "$T/fifo" >"$T/fifo.out" 2>&1; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 2 "eventlog show on a FIFO without a writer: exit 2"
ok $(( ms < 10000 ? 0 : 1 )) "... within the FIFO wait (${ms} ms)"
grep -q "$T/fifo: .*FIFO without a writer" "$T/fifo.out"; ok $? "... says so, naming it ($(head -c 120 "$T/fifo.out"))"
# The same FIFO with a writer is read like a pipe.
( cat "$LOG" >"$T/fifo" ) &
timeout 20 "$CT" eventlog show "$T/fifo" >"$T/fifo2.out" 2>&1; is "$?" 0 "eventlog show on a FIFO with a writer: exit 0"
wait
cmp -s "$T/want" "$T/fifo2.out"; ok $? "... same output as the file"
done_testing
