#!/bin/bash
# A data file that shrinks while `verity format` / `verity verify` hash it out
# of their read-only mapping: the access past the new end raises SIGBUS, which
# must end in one error line and exit 3 (never "Bus error", status 135), and
# format must leave no hash file. sm3 on 512-byte blocks (about 120 MB/s per
# core) makes 256 MiB last seconds; the file is cut as soon as /proc/PID/maps shows
# it mapped. If the machine finished first anyway, the case is skipped, not passed.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
SLOW=(--hash sm3 --data-block-size 512 --hash-block-size 512 --salt - --threads 2)

# shrink_during DESC -- command...: run it, cut DATA to 1 MiB after 0.2 s
shrink_during() {
        local desc=$1; shift 2
        truncate -s 256M "$W/data"
        "$@" >"$W/out" 2>"$W/err" &
        local pid=$!
        # cut it once the data is mapped (so the SIGBUS path is the one taken), at most after 10 s
        for _ in $(seq 100); do
                grep -q "$W/data" "/proc/$pid/maps" 2>/dev/null && break
                sleep 0.1
        done
        truncate -s 1M "$W/data"
        wait "$pid"
        local rc=$?
        if [ "$rc" = 0 ]; then
                skip "$desc: exit 3" "finished before the truncation"
                skip "$desc: message" "finished before the truncation"
                return 1
        fi
        is "$rc" 3 "$desc: exit 3 (not killed by SIGBUS)"
        is "$(wc -l <"$W/err")" 1 "$desc: one line on stderr"
        grep -q "data: the file shrank to 1048576 bytes while it was being read (SIGBUS at byte [0-9]*)" "$W/err"
        ok $? "$desc: says the file shrank ($(head -c 200 "$W/err"))"
        return 0
}

if shrink_during "format" -- "$COCOTRUST" verity format "$W/data" "$W/hash" "${SLOW[@]}"; then
        [ ! -e "$W/hash" ]; ok $? "format: no hash file left behind"
        grep -q "^cocotrust: $W/data: " "$W/err"; ok $? "format: the message names DATA"
else
        skip "format: no hash file left behind" "finished before the truncation"
        skip "format: the message names DATA" "finished before the truncation"
fi

truncate -s 256M "$W/data"
"$COCOTRUST" verity format "$W/data" "$W/hash" "${SLOW[@]}" --root-hash-file "$W/root" >/dev/null
ok $? "format 256 MiB of zeros (sm3, 512-byte blocks)"
if shrink_during "verify" -- "$COCOTRUST" verity verify "$W/data" "$W/hash" "$(cat "$W/root")" --threads 2; then
        grep -q "^cocotrust: $W/data: the file shrank" "$W/err"; ok $? "verify: the message names DATA once"
else
        skip "verify: the message names DATA once" "finished before the truncation"
fi
done_testing
