# Minimal TAP producer for shell tests. Source it, call `ok`, `is`, `skip`, then `done_testing`.
# shellcheck shell=bash
_tap_n=0
_tap_fail=0
ok() { # ok CONDITION_EXIT_STATUS DESCRIPTION
        _tap_n=$((_tap_n + 1))
        if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
}
is() { # is GOT EXPECTED DESCRIPTION
        _tap_n=$((_tap_n + 1))
        if [ "$1" = "$2" ]; then echo "ok $_tap_n - $3"
        else
                echo "not ok $_tap_n - $3"
                printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
                _tap_fail=$((_tap_fail + 1))
        fi
}
skip() { # skip DESCRIPTION REASON
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - $1 # SKIP $2"
}
diag() { echo "# $*"; }
done_testing() {
        echo "1..$_tap_n"
        [ "$_tap_fail" -eq 0 ]
}
