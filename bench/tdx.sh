#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cocotrust tdx measure: time against the SHA-384 limit of the bytes it hashes.
#
#   bench/tdx.sh [build/cocotrust]
#
# 1. MRTD (+ TD HOB + CFV) of Debian 12's /usr/share/ovmf/OVMF.fd, process start to exit, median of 5.
# 2. A 1-256 GiB x 1-64 vCPU table (16384 rows) with the Debian kernel (QEMU-patched header, so the
#    Authenticode depends on memory), the 512-byte test initrd, a cmdline and one ACPI dump per vCPU count
#    (64 directories made from tests/vectors/tdx/inputs/synthetic-acpi with the vCPU count appended to
#    etc/acpi/tables, standing in for `tdx acpi-dump` output; only their digests matter here).
# 3. The same table with 1 vCPU (256 rows): the per-row cost when only the TD HOB changes.
# The SHA-384 limit = bytes hashed / `openssl speed -evp sha384 -bytes 16384` of the same run (one core).
set -eu
CT=$(realpath "${1:-build/cocotrust}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
python3 - "$CT" "$ROOT" <<'PYEOF'
import json, os, re, shutil, statistics, subprocess, sys, tempfile, time
ct, root = sys.argv[1], sys.argv[2]
ovmf = '/usr/share/ovmf/OVMF.fd'
kernel = os.path.join(root, 'tests/vectors/kernel/vmlinuz-6.1.0-56-amd64')
initrd = os.path.join(root, 'tests/vectors/tdx/inputs/initrd-test.cpio')
acpi = os.path.join(root, 'tests/vectors/tdx/inputs/synthetic-acpi')
if not os.path.exists(ovmf):
    sys.exit('needs Debian\'s ovmf package (/usr/share/ovmf/OVMF.fd)')

def run(cmd):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status):
        sys.exit(f'failed: {cmd}: {p.stderr.read().decode()}')
    return dt, ru.ru_utime + ru.ru_stime, out

o = subprocess.run(['openssl', 'speed', '-evp', 'sha384', '-bytes', '16384', '-seconds', '2'],
                   capture_output=True, text=True).stdout
speed = float(re.search(r'sha384\s+([\d.]+)k', o).group(1)) * 1000  # bytes/s
print(f'openssl speed -evp sha384 (16 KiB blocks, 1 core): {speed / 1e6:.1f} MB/s')
print(f'machine: {os.cpu_count()} cores, shared with other developers while this ran\n')

def row(name, cmd, n=5):
    runs = [run(cmd) for _ in range(n)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    return wall, cpu, runs[0][2]

print('| case | rows | bytes hashed (SHA-384) | limit at openssl speed | wall (median) | CPU | wall / limit |')
print('|---|---|---|---|---|---|---|')
# 1. MRTD of OVMF.fd
base = ['--firmware', ovmf]
_, _, out = run([ct, 'tdx', 'measure', '--json'] + base)
j = json.loads(out)
b = j['firmware_bytes_hashed']
wall, cpu, _ = row('mrtd', [ct, 'tdx', 'measure'] + base)
print(f'| MRTD + TD HOB + CFV of Debian OVMF.fd (2 MiB) | 1 | {b} | {b / speed * 1e3:.2f} ms | {wall * 1e3:.1f} ms | '
      f'{cpu * 1e3:.1f} ms | {wall / (b / speed):.2f} |')
with tempfile.TemporaryDirectory() as d:
    for v in range(1, 65):
        dd = os.path.join(d, f'v{v}')
        os.makedirs(dd)
        for f in os.listdir(acpi):
            shutil.copy(os.path.join(acpi, f), dd)
        with open(os.path.join(dd, 'etc-acpi-tables'), 'ab') as f:
            f.write(bytes([v]))
    kargs = ['--kernel', kernel, '--initrd', initrd, '--append', 'console=ttyS0 root=/dev/vda1 ro',
             '--kernel-header', 'patched', '--edk2', '202411', '--acpi-dir', os.path.join(d, 'v%u')]
    for name, vc in (('1-256 GiB x 1-64 vCPUs', '1-64'), ('1-256 GiB x 1 vCPU', '1')):
        cmd = [ct, 'tdx', 'measure'] + base + kargs + ['--memory', '1G-256G', '--vcpus', vc]
        _, _, out = run(cmd + ['--json'])
        j = json.loads(out)
        rows = len(j['rows'])
        kb = os.path.getsize(kernel) * j['authenticode_computations']
        b = j['firmware_bytes_hashed'] + kb
        wall, cpu, _ = row(name, cmd, 3)
        print(f'| {name}, kernel + initrd + ACPI per vCPU | {rows} | {b} (firmware {j["firmware_bytes_hashed"]}, '
              f'{j["authenticode_computations"]} Authenticode x {os.path.getsize(kernel)}) | {b / speed * 1e3:.1f} ms | '
              f'{wall * 1e3:.0f} ms | {cpu * 1e3:.0f} ms | {wall / (b / speed):.2f} |')
        if vc == '1':
            small, small_cpu = wall, cpu
        else:
            big, big_cpu, big_rows = wall, cpu, rows
    per_row = (big - small) / (big_rows - 256)
    per_row_cpu = (big_cpu - small_cpu) / (big_rows - 256)
    print(f'\nper extra row (only TD HOB / ACPI digests change): {per_row * 1e6:.1f} us wall, {per_row_cpu * 1e6:.1f} us CPU; '
          f'one TD HOB hash (488 B) at '
          f'openssl speed: {488 / speed * 1e6:.2f} us; the rest is the ~25 small SHA-384 calls (event digests and '
          'extends) and the text row.')
PYEOF
