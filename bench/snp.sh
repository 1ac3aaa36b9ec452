#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cocotrust snp measure against sev-snp-measure (the anchor tool), end to end (process start to exit).
#
#   SEV_SNP_MEASURE_DIR=/path/to/sev-snp-measure bench/snp.sh build/cocotrust
#
# SEV_SNP_MEASURE_DIR: a checkout of github.com/virtee/sev-snp-measure (measured with 0.0.13, commit
# 8f2b337), run as `python3 sev-snp-measure.py` with Debian's python3-cryptography. Never commit it.
# Cases: one direct-boot configuration (the vector snp_amdsev_k_i3_clong_v4_milan: AmdSevX64 footer,
# 2 MiB kernel, 1 MiB initrd, 1.8 KB cmdline), one firmware-only configuration over Debian's 4 MiB
# OVMF, and a 1-256 vCPU x 5 CPU-type table (1280 rows) against 1280 runs of sev-snp-measure,
# extrapolated from a random sample of them. Every sev-snp-measure output is checked against cocotrust's.
#
# First (needs no anchor): `cocotrust snp explain` over the whole default search space (vCPU counts 1-512 x the
# 16 CPU types' 5 signatures x QEMU/ec2/gce x 513 guest-feature values = 1 838 592 SNP configurations) for one
# report digest that no configuration makes (the worst case: everything is searched), and for the digest of
# a vector, whose configuration must be found. Target (issue #14): under 1 s on 2 cores.
set -eu
CT=$(realpath "${1:-build/cocotrust}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
python3 - "$CT" "$ROOT" <<'PYEOF'
import os, statistics, subprocess, sys, time
ct, root = sys.argv[1], sys.argv[2]
inp = os.path.join(root, 'tests', 'vectors', 'snp', 'inputs')
art = ['--ovmf', f'{inp}/ovmf_AmdSev_suffix.bin', '--kernel', f'{inp}/kernel_synth.bin',
       '--initrd', f'{inp}/initrd_small.bin', '--append', 'console=ttyS0 loglevel=7']
deb = ['--ovmf', f'{inp}/debian_OVMF_CODE_4M.fd']

def run(cmd, want_rc):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.read().decode()
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    rc = os.waitstatus_to_exitcode(status)
    if rc != want_rc:
        sys.exit(f'failed: {cmd}: exit {rc}: {p.stderr.read().decode()}')
    return dt, ru.ru_utime + ru.ru_stime, out

print('## snp explain: the whole default space for one digest (median of 5 runs)')
print()
print(f'load average before: {os.getloadavg()[0]:.2f}; nproc {os.cpu_count()}')
print()
print('| case | wall | CPU (user + sys) | result |')
print('|---|---:|---:|---|')
for name, digest, args, rc in (
        ('no match (a random digest), direct boot (AmdSevX64, kernel, initrd, cmdline)', 'ab' * 48, art, 1),
        ('vector snp_amdsev_k_i_c_v2_genoa (sev-snp-measure), direct boot as above',
         '5d3a8d3737f01f2ecf1414de9bfe3e95512dd79a149e275af9bff9f02a4bea3eee57a173282e0c1dec334d9e9e229462', art, 0),
        ('no match, firmware only: Debian OVMF_CODE_4M.fd (3.5 MiB)', 'cd' * 48, deb, 1)):
    r = [run([ct, 'snp', 'explain', digest] + args, rc) for _ in range(5)]
    w = statistics.median(x[0] for x in r)
    c = statistics.median(x[1] for x in r)
    print(f'| {name} | {w * 1000:.0f} ms | {c * 1000:.0f} ms | {r[0][2].strip()[:90]} |')
print()
PYEOF
if [ -z "${SEV_SNP_MEASURE_DIR:-}" ] || [ ! -f "$SEV_SNP_MEASURE_DIR/sev-snp-measure.py" ]; then
        echo "bench/snp.sh: SKIP: set SEV_SNP_MEASURE_DIR to a checkout of virtee/sev-snp-measure" >&2
        exit 0
fi
if ! python3 -c 'import cryptography' 2>/dev/null; then
        echo "bench/snp.sh: SKIP: sev-snp-measure needs python3-cryptography (apt-get install python3-cryptography)" >&2
        exit 0
fi
exec nice python3 - "$CT" "$(realpath "$SEV_SNP_MEASURE_DIR")" "$ROOT" "${SNP_BENCH_SAMPLES:-20}" <<'PYEOF'
import os, random, statistics, subprocess, sys, tempfile, time
ct, ssm_dir, root, samples = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
inp = os.path.join(root, 'tests', 'vectors', 'snp', 'inputs')
ssm = ['python3', os.path.join(ssm_dir, 'sev-snp-measure.py')]
cwd = tempfile.mkdtemp()

def run(cmd):
    """(wall seconds, CPU seconds user+sys of the child, stdout)"""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if p.returncode:
            sys.exit(f'failed: {cmd}: {err.read().decode()}')
        return dt, ru.ru_utime + ru.ru_stime, out.read().decode()

def timed(cmd, n):
    walls, cpus, out = [], [], None
    for _ in range(n):
        dt, cpu, o = run(cmd)
        walls.append(dt)
        cpus.append(cpu)
        assert out is None or o == out
        out = o
    return (statistics.median(walls), statistics.median(cpus)), out

direct = ['--ovmf', f'{inp}/ovmf_AmdSev_suffix.bin', '--kernel', f'{inp}/kernel_synth.bin',
          '--initrd', f'{inp}/initrd_1m.bin', '--append', open(f'{inp}/cmdline_long.txt').read(),
          '--guest-features', '0x21']
rows = []
for name, args in (
        ('direct boot: snp, 4 vCPUs EPYC-Milan, 2 MiB kernel + 1 MiB initrd + 1.8 KB cmdline',
         ['--mode', 'snp', '--vcpus', '4', '--vcpu-type', 'EPYC-Milan'] + direct),
        ('firmware only: snp, 4 vCPUs EPYC-Milan, Debian OVMF_CODE_4M.fd (3.5 MiB, 892 pages)',
         ['--mode', 'snp', '--vcpus', '4', '--vcpu-type', 'EPYC-Milan', '--ovmf', f'{inp}/debian_OVMF_CODE_4M.fd'])):
    t_ssm, o_ssm = timed(ssm + args, 10)
    t_ct, o_ct = timed([ct, 'snp', 'measure'] + args, 50)
    assert o_ssm == o_ct, (o_ssm, o_ct)
    rows.append((name, t_ssm, t_ct))

types = ['EPYC-v4', 'EPYC-Rome', 'EPYC-Milan', 'EPYC-Genoa', 'EPYC-Turin']
targs = ['--mode', 'snp'] + direct
t_table, table = timed([ct, 'snp', 'measure', '--vcpus', '1-256', '--vcpu-type', ','.join(types)] + targs, 5)
lines = table.splitlines()[1:]
assert len(lines) == 1280
got = {(l.split()[1], int(l.split()[3])): l.split()[4] for l in lines}
rng = random.Random(2)
sample_w, sample_c = [], []
for _ in range(samples):
    ty, n = rng.choice(types), rng.randint(1, 256)
    dt, cpu, o = run(ssm + ['--vcpus', str(n), '--vcpu-type', ty] + targs)
    assert o.strip() == got[(ty, n)], (ty, n)
    sample_w.append(dt)
    sample_c.append(cpu)
w_1280, c_1280 = statistics.mean(sample_w) * 1280, statistics.mean(sample_c) * 1280

model = [l.split(':', 1)[1].strip() for l in subprocess.run(['lscpu'], capture_output=True, text=True).stdout.splitlines()
         if l.startswith('Model name')]
print(f'machine: nproc {subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()}, '
      f'{model[0] if model else "?"}; load average during the run {os.getloadavg()[0]:.2f}')
print(f'sev-snp-measure: {ssm_dir} (git {subprocess.run(["git", "-C", ssm_dir, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"}), '
      f'{subprocess.run(["python3", "--version"], capture_output=True, text=True).stdout.strip()}')
print()
print('wall = elapsed time from process start to exit; CPU = user + system time of the process.')
print()
print('| case | sev-snp-measure wall / CPU | cocotrust wall / CPU | ratio wall / CPU |')
print('|---|---:|---:|---:|')
for name, (aw, ac), (bw, bc) in rows:
    print(f'| {name} (median of 10 / 50 runs) | {aw * 1000:.0f} / {ac * 1000:.0f} ms | {bw * 1000:.1f} / {bc * 1000:.1f} ms '
          f'| {aw / bw:.0f}x / {ac / bc:.0f}x |')
(tw, tc) = t_table
print(f'| table: --vcpus 1-256 x 5 CPU types = 1280 configurations, direct boot as above '
      f'(sev-snp-measure: mean of {samples} sampled runs x 1280, every sample equal to its table row; cocotrust: median of 5) '
      f'| {w_1280:.0f} / {c_1280:.0f} s | {tw * 1000:.1f} / {tc * 1000:.1f} ms | {w_1280 / tw:.0f}x / {c_1280 / tc:.0f}x |')
PYEOF
