#!/bin/bash
# dm-verity benchmark: `cocotrust verity format/verify` against veritysetup on
# 1 GiB and 4 GiB of non-zero data (AES-CTR keystream), warm page cache, and
# against the SHA-256 limit of the machine: `openssl speed -multi NPROC -evp
# sha256 -bytes 4096`, measured right before each size's runs.
# Usage: bench/verity.sh [COCOTRUST] (default build/cocotrust); env SIZES="1 4"
# (GiB), RUNS=3 (best of), CACHE=read|written (how DATA sits in the page cache, below).
# Work files in bench/work/ (git-ignored).
# CACHE=read (default): DATA is dropped from the page cache and read back with cat, so the cache
#   holds it as readahead reads a file from disk (large folios: an image read to be measured).
# CACHE=written: DATA is generated afresh and used as its writes left it in the cache (the small
#   folios of a pipe's writes: an image measured right after it was built). Faulting a mapping of
#   small folios costs about ten times more kernel time per GiB (0.05 against 0.005 CPU-s here).
# Prints a Markdown report on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
CT=${1:-build/cocotrust}
SIZES=${SIZES:-"1 4"}
RUNS=${RUNS:-3}
CACHE=${CACHE:-read}
case $CACHE in read|written) ;; *) echo "CACHE must be read or written" >&2; exit 2;; esac
W=bench/work
mkdir -p "$W"
SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
UUID=12345678-1234-1234-1234-123456789abc
NPROC=$(nproc)
command -v veritysetup >/dev/null || { echo "veritysetup not installed" >&2; exit 1; }

# best wall time (s), least CPU time (user+sys, s) and max RSS (KiB) of RUNS runs: sets BEST, CPU, RSS
run() {
        BEST=999999; CPU=999999; RSS=0
        for _ in $(seq "$RUNS"); do
                /usr/bin/time -f "%e %M %U %S" -o "$W/time" nice -n 5 "$@" >/dev/null 2>&1 || true
                read -r t m u s <"$W/time"
                BEST=$(echo "$t $BEST" | awk '{print ($1 < $2) ? $1 : $2}')
                CPU=$(echo "$u $s $CPU" | awk '{print ($1 + $2 < $3) ? $1 + $2 : $3}')
                if [ "$m" -gt "$RSS" ]; then RSS=$m; fi
        done
}

echo "# dm-verity benchmark"
echo
echo "- machine: $NPROC CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
echo "- tools: $("$CT" --version), $(veritysetup --version | cut -d' ' -f1-2), $(openssl version | cut -d' ' -f1-2)"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# the two-core (NPROC-core) SHA-256 limit: openssl prints 1000s of bytes per second, summed over its processes
limit() {
        nice -n 5 openssl speed -multi "$NPROC" -seconds 3 -bytes 4096 -evp sha256 2>/dev/null |
                awk '/^sha256/ {v = $2} END {sub("k", "", v); printf "%.0f", v * 1000 / 1e6}'
}
echo "- limit: \`openssl speed -multi $NPROC -seconds 3 -bytes 4096 -evp sha256\`, measured before each size (column 'limit')"
echo "- best of $RUNS runs, warm page cache (CACHE=$CACHE: $( [ "$CACHE" = read ] && echo 'dropped and read back by cat, as readahead leaves a file read from disk' || echo 'as the generating writes left it')), nice -n 5; format writes the hash file (fsync included)"
echo
echo "| data | operation | veritysetup | cocotrust | speed-up | cocotrust MB/s | limit MB/s | % of limit | CPU s veritysetup / cocotrust | cocotrust MB per CPU-s | cocotrust peak RSS | RSS limit (64 MiB + tree) | load before |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for g in $SIZES; do
        D="$W/data-${g}g"
        bytes=$((g << 30))
        if [ "$CACHE" = written ] || [ ! -f "$D" ] || [ "$(stat -c %s "$D")" != "$bytes" ]; then
                rm -f "$D"
                # openssl dies of SIGPIPE when head has enough: not an error
                { openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f \
                        -iv 00000000000000000000000000000000 -in /dev/zero 2>/dev/null || true; } | head -c "$bytes" >"$D"
        fi
        sync "$D" # written back before any run (else the writeback's kernel threads share the cores), and
        # dirty pages are not dropped
        if [ "$CACHE" = read ]; then
                python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$D"
        fi
        cat "$D" >/dev/null
        LOAD=$(cut -d' ' -f1 /proc/loadavg)
        LIMIT=$(limit)
        # veritysetup writes into an existing hash file without truncating it
        rm -f "$W/h.vs" "$W/h.ct"
        run veritysetup format "$D" "$W/h.vs" --salt $SALT --uuid $UUID
        vf=$BEST; vfc=$CPU
        run "$CT" verity format "$D" "$W/h.ct" --salt $SALT --uuid $UUID --root-hash-file "$W/root.hex"
        cf=$BEST; cfc=$CPU; crss=$RSS
        cmp -s "$W/h.vs" "$W/h.ct" || { echo "hash files differ!" >&2; exit 1; }
        root=$(cat "$W/root.hex")
        tree=$(stat -c %s "$W/h.ct")
        run veritysetup verify "$D" "$W/h.vs" "$root"
        vv=$BEST; vvc=$CPU
        run "$CT" verity verify "$D" "$W/h.ct" "$root"
        cv=$BEST; cvc=$CPU; cvrss=$RSS
        lim_kib=$(( (64 << 10) + tree / 1024 ))
        for op in format verify; do
                if [ $op = format ]; then v=$vf; c=$cf; r=$crss; vc=$vfc; cc=$cfc; else v=$vv; c=$cv; r=$cvrss; vc=$vvc; cc=$cvc; fi
                awk -v g="$g" -v op="$op" -v v="$v" -v c="$c" -v r="$r" -v lim="$LIMIT" -v b="$bytes" -v l="$lim_kib" \
                    -v vc="$vc" -v cc="$cc" -v load="$LOAD" 'BEGIN {
                        mbs = b / 1e6 / c; per = b / 1e6 / cc
                        printf "| %d GiB | %s | %.2f s | %.2f s | %.2fx | %.0f | %.0f | %.0f%% | %.2f / %.2f | %.0f | %.1f MiB | %.1f MiB | %s |\n",
                                g, op, v, c, v / c, mbs, lim, 100 * mbs / lim, vc, cc, per, r / 1024, l / 1024, load }'
        done
done
echo
echo "FEC (Reed-Solomon parity into a separate file, fresh output files, 64 MiB of the same data):"
echo
echo "| roots | veritysetup | cocotrust | speed-up | FEC file identical |"
echo "|---|---|---|---|---|"
head -c $((64 << 20)) "$W/data-$(echo $SIZES | cut -d' ' -f1)g" >"$W/data-64m"
for r in 2 24; do
        rm -f "$W"/fh.* "$W"/ff.*
        run veritysetup format "$W/data-64m" "$W/fh.vs" --salt $SALT --uuid $UUID --fec-device "$W/ff.vs" --fec-roots $r
        v=$BEST
        rm -f "$W"/fh.ct "$W"/ff.ct
        run "$CT" verity format "$W/data-64m" "$W/fh.ct" --salt $SALT --uuid $UUID --fec-device "$W/ff.ct" --fec-roots $r
        c=$BEST
        same=no; cmp -s "$W/ff.vs" "$W/ff.ct" && cmp -s "$W/fh.vs" "$W/fh.ct" && same=yes
        awk -v r=$r -v v=$v -v c=$c -v s=$same 'BEGIN { printf "| %d | %.2f s | %.2f s | %.2fx | %s |\n", r, v, c, v / c, s }'
done
echo
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
