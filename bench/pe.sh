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

# median wall time in ms of RUNS runs of "$@" (stdout/stderr discarded), after one warm-up run
median_ms() {
        local i t0 t1 ts=()
        "$@" >/dev/null 2>&1
        for ((i = 0; i < RUNS; i++)); do
                t0=$(date +%s%N)
                nice "$@" >/dev/null 2>&1
                t1=$(date +%s%N)
                ts+=($(( (t1 - t0) / 1000 )))
        done
        printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.1f", a[int((NR + 1) / 2)] / 1000}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo "# machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p')"
echo "# $RUNS runs each, median wall time, files in page cache, nice"
echo "# tool versions: pesign $(pesign --version 2>/dev/null | head -1 | awk '{print $NF}'), $("$SM" --version | head -1)"

# correctness first: the benchmark compares equal results only
a=$("$CT" pe hash "$K" | cut -d' ' -f1)
b=$(pesign -h -i "$K" | sed -n 's/^hash: //p')
[ "$a" = "$b" ] || { echo "pe hash differs from pesign: $a vs $b" >&2; exit 1; }

t_ct=$(median_ms "$CT" pe hash "$K")
t_ps=$(median_ms pesign -h -i "$K")
echo "pe hash sha256, vmlinuz 8.2 MB:   cocotrust ${t_ct} ms   pesign -h ${t_ps} ms   pesign/cocotrust = $(ratio "$t_ps" "$t_ct")"
t_ct=$(median_ms "$CT" pe hash --alg sha1 "$K")
t_ps=$(median_ms pesign -h -d sha1 -i "$K")
echo "pe hash sha1,   vmlinuz 8.2 MB:   cocotrust ${t_ct} ms   pesign -h -d sha1 ${t_ps} ms   pesign/cocotrust = $(ratio "$t_ps" "$t_ct")"

ARGS=(--linux="$K" --osrel="$IN/os-release" --cmdline="$IN/cmdline-a.txt" --initrd="$IN/initrd.cpio.gz")
cmp -s <("$CT" uki measure "${ARGS[@]}" 2>&1) <("$SM" calculate "${ARGS[@]}" 2>&1) ||
        { echo "uki measure differs from systemd-measure" >&2; exit 1; }
t_ct=$(median_ms "$CT" uki measure "${ARGS[@]}")
t_sm=$(median_ms "$SM" calculate "${ARGS[@]}")
echo "uki measure, 4 banks x 4 phases, kernel+initrd 9.3 MB:   cocotrust ${t_ct} ms   systemd-measure ${t_sm} ms   systemd-measure/cocotrust = $(ratio "$t_sm" "$t_ct")"
t_ct=$(median_ms "$CT" uki measure --bank=sha256 --phase=: "${ARGS[@]}")
t_sm=$(median_ms "$SM" calculate --bank=sha256 --phase=: "${ARGS[@]}")
echo "uki measure, sha256, no phase:   cocotrust ${t_ct} ms   systemd-measure ${t_sm} ms   systemd-measure/cocotrust = $(ratio "$t_sm" "$t_ct")"
