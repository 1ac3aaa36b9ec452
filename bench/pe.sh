#!/bin/bash
# Benchmark: cocotrust pe hash vs pesign -h (Authenticode of the 8 MiB Debian kernel), and
# cocotrust uki measure vs systemd-measure calculate (same inputs), same run, same machine.
# usage: bench/pe.sh CT_BINARY [RUNS]   (run from the project root; uses only shipped inputs)
set -eu
CT=${1:?usage: bench/pe.sh CT_BINARY [RUNS]}
RUNS=${2:-21}
K=tests/vectors/kernel/vmlinuz-6.1.0-56-amd64
IN=tests/vectors/uki/inputs
SM=/usr/lib/systemd/systemd-measure
TIMES_FILE=$(mktemp)
trap 'rm -f "$TIMES_FILE"' EXIT

# "WALL CPU": median wall time and mean CPU time (user+sys of the child processes, from bash's
# `times`) in ms over RUNS runs of "$@" (output discarded), after one warm-up run. CPU time is
# the fairer figure on a loaded machine; wall time includes waiting for a core.
cpu_of_times() { tail -1 | awk '{n = split($0, f, /[ ]+/); s = 0; for (i = 1; i <= n; i++) { if (f[i] ~ /m/) { split(f[i], a, "m"); sub("s", "", a[2]); s += a[1] * 60 + a[2] } } printf "%.0f", s * 1000}'; }
measure() {
        local i t0 t1 c0 c1 ts=()
        "$@" >/dev/null 2>&1
        times > "$TIMES_FILE"; c0=$(cpu_of_times < "$TIMES_FILE")
        for ((i = 0; i < RUNS; i++)); do
                t0=$(date +%s%N)
                nice "$@" >/dev/null 2>&1
                t1=$(date +%s%N)
                ts+=($(( (t1 - t0) / 1000 )))
        done
        times > "$TIMES_FILE"; c1=$(cpu_of_times < "$TIMES_FILE")
        printf '%s\n' "${ts[@]}" | sort -n | awk -v cpu=$((c1 - c0)) -v n="$RUNS" \
                '{a[NR] = $1} END {printf "%.1f %.1f", a[int((NR + 1) / 2)] / 1000, cpu / n}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
# report LABEL CT_RESULT ANCHOR_NAME ANCHOR_RESULT
report() {
        local cw cc aw ac
        read -r cw cc <<< "$2"
        read -r aw ac <<< "$4"
        printf '%s\n    cocotrust: wall %s ms, cpu %s ms | %s: wall %s ms, cpu %s ms | ratio %s/cocotrust: wall %s, cpu %s\n' \
                "$1" "$cw" "$cc" "$3" "$aw" "$ac" "$3" "$(ratio "$aw" "$cw")" "$(ratio "$ac" "$cc")"
}

echo "# machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p')"
echo "# $RUNS runs each, files in page cache, nice; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# tool versions: pesign $(dpkg-query -W -f='${Version}' pesign 2>/dev/null), $("$SM" --version | head -1)"

# correctness first: the benchmark compares equal results only
a=$("$CT" pe hash "$K" | cut -d' ' -f1)
b=$(pesign -h -i "$K" | sed -n 's/^hash: //p')
[ "$a" = "$b" ] || { echo "pe hash differs from pesign: $a vs $b" >&2; exit 1; }

report "pe hash sha256, vmlinuz (8.2 MB)" "$(measure "$CT" pe hash "$K")" "pesign -h" "$(measure pesign -h -i "$K")"
report "pe hash sha1, vmlinuz (8.2 MB)" "$(measure "$CT" pe hash --alg sha1 "$K")" "pesign -h -d sha1" \
        "$(measure pesign -h -d sha1 -i "$K")"

ARGS=(--linux="$K" --osrel="$IN/os-release" --cmdline="$IN/cmdline-a.txt" --initrd="$IN/initrd.cpio.gz")
cmp -s <("$CT" uki measure "${ARGS[@]}" 2>&1) <("$SM" calculate "${ARGS[@]}" 2>&1) ||
        { echo "uki measure differs from systemd-measure" >&2; exit 1; }
report "uki measure, default 4 banks x 4 phases, kernel+initrd (9.3 MB)" "$(measure "$CT" uki measure "${ARGS[@]}")" \
        "systemd-measure" "$(measure "$SM" calculate "${ARGS[@]}")"
report "uki measure, sha256, no phase" "$(measure "$CT" uki measure --bank=sha256 --phase=: "${ARGS[@]}")" \
        "systemd-measure" "$(measure "$SM" calculate --bank=sha256 --phase=: "${ARGS[@]}")"
