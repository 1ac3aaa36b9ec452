#!/bin/bash
# Progress line on long work: `verity format / verify / repair` over more than
# 256 MiB of data print "\r<verb>: NN% X MB/s" on stderr when it is a terminal
# (script(1) gives the command one), never when stderr is a pipe or a file,
# nor with --batch; nor for small data.
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
if ! command -v script >/dev/null; then
        skip "progress on a terminal" "script (util-linux) not installed"
        done_testing
        exit 0
fi
truncate -s 300M "$W/big"
truncate -s 1M "$W/small"
tty_err() { # run "$@" with stderr (only) on a terminal, its terminal output to $W/tty
        script -qec "$* >/dev/null" /dev/null >"$W/tty" 2>&1
}
"$COCOTRUST" verity format "$W/big" "$W/big.h" --salt - >"$W/fmt" 2>"$W/pipe"
root=$(awk '/^Root hash:/ {print $3}' "$W/fmt")
is "$(wc -c <"$W/pipe")" 0 "format, stderr a file: no progress"
tty_err "'$COCOTRUST' verity format '$W/big' '$W/big.h' --salt -"
grep -qa $'\r.*cocotrust verity format: 100% [0-9.]* MB/s' "$W/tty"
ok $? "format, stderr a terminal: progress line rewritten with \\r up to 100% with MB/s"
tty_err "'$COCOTRUST' verity verify '$W/big' '$W/big.h' $root"
grep -qa 'verity verify: 100% [0-9.]* MB/s' "$W/tty"
ok $? "verify, stderr a terminal: progress line"
tty_err "'$COCOTRUST' verity verify --batch '$W/big' '$W/big.h' $root"
is "$(grep -ca '%' "$W/tty")" 0 "verify --batch on a terminal: no progress"
"$COCOTRUST" verity verify "$W/big" "$W/big.h" "$root" 2>&1 >/dev/null | cat >"$W/pipe"
is "$(wc -c <"$W/pipe")" 0 "verify, stderr a pipe: no progress"
"$COCOTRUST" verity format "$W/big" "$W/big.h2" --salt - --fec-device "$W/big.f" --fec-roots 2 --data-blocks 76800 \
        >/dev/null 2>&1
tty_err "'$COCOTRUST' verity repair '$W/big' '$W/big.h2' $root --fec-device '$W/big.f'"
grep -qa 'verity repair: 100% [0-9.]* MB/s' "$W/tty"
ok $? "repair, stderr a terminal: progress line"
"$COCOTRUST" verity format "$W/small" "$W/small.h" --salt - >/dev/null
tty_err "'$COCOTRUST' verity format '$W/small' '$W/small.h' --salt -"
is "$(grep -ca '%' "$W/tty")" 0 "1 MiB of data on a terminal: no progress"
done_testing
