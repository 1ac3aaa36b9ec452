#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cocotrust reference over a large platform table against the hashing floor.
#
#   bench/reference.sh [build/cocotrust]
#
# Description: SNP direct boot of the Debian 12 kernel (8 MiB) with a 1 MiB initrd on the AmdSevX64
# firmware fixture, 512 vCPU counts x 16 CPU types x 3 VMM types (ec2 and gce VMSAs ignore the CPU
# type: 512 rows each) x 6 memory sizes (TDX only; not computed by this build, so they cost nothing),
# plus a 64 MiB verity rootfs. Floor: every artifact byte hashed once (SHA-256 of kernel, initrd,
# firmware and rootfs through `openssl dgst`, one process per file) plus the verity tree's own hashing
# (`cocotrust verity format` of the rootfs alone). Wall and CPU seconds, median of 3 runs.
set -eu
CT=$(realpath "${1:-build/cocotrust}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec nice python3 - "$CT" "$ROOT" <<'PYEOF'
import os, statistics, subprocess, sys, tempfile, time, json
ct, root = sys.argv[1], sys.argv[2]
W = tempfile.mkdtemp(prefix="ct-bench-ref.")
V = os.path.join(root, "tests", "vectors")
kernel = os.path.join(V, "kernel", "vmlinuz-6.1.0-56-amd64")
fw = os.path.join(V, "snp", "inputs", "ovmf_AmdSev_suffix.bin")
initrd = os.path.join(V, "snp", "inputs", "initrd_1m.bin")
rootfs = os.path.join(W, "rootfs.img")
with open(rootfs, "wb") as f:
    f.write(os.urandom(64 << 20))
desc = os.path.join(W, "image.yaml")
open(desc, "w").write("""name: bench
firmware: %s
kernel: %s
initrd: %s
cmdline: "console=ttyS0 root=/dev/vda1"
rootfs:
  data: %s
  no_superblock: true
  salt: "00112233"
platform:
  vcpus: 1-512
  vcpu_types: all
  vmm_types: [QEMU, ec2, gce]
  memory: [1G, 2G, 4G, 8G, 16G, 32G]
""" % (fw, kernel, initrd, rootfs))

def run(cmd):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)

def med(cmds, n=3):
    walls, cpus = [], []
    for _ in range(n):
        w = c = 0.0
        for cmd in cmds:
            a, b, rc = run(cmd)
            assert rc == 0, cmd
            w += a
            c += b
        walls.append(w)
        cpus.append(c)
    return statistics.median(walls), statistics.median(cpus)

out = os.path.join(W, "m.json")
ref = med([[ct, "reference", desc, "-o", out, "--quiet", "--vcpus", "1-512"]])
m = json.load(open(out))
rows = len(m["snp"])
hashing = med([["openssl", "dgst", "-sha256", f] for f in (kernel, initrd, fw, rootfs)])
tree = med([[ct, "verity", "format", rootfs, os.path.join(W, "h"), "--no-superblock", "--salt", "00112233"]])
floor = (hashing[0] + tree[0], hashing[1] + tree[1])
print("| what | wall s | CPU s |")
print("|---|---|---|")
print("| cocotrust reference (%d SNP rows, verity 64 MiB) | %.3f | %.3f |" % (rows, ref[0], ref[1]))
print("| floor: openssl dgst -sha256 of every artifact | %.3f | %.3f |" % hashing)
print("| floor: verity tree of the rootfs (cocotrust verity format) | %.3f | %.3f |" % tree)
print("| floor total | %.3f | %.3f |" % floor)
print("| ratio reference / floor | %.2f | %.2f |" % (ref[0] / floor[0], ref[1] / floor[1]))
print("| table alone: reference minus floor, per row | %.1f us | %.1f us |" % ((ref[0] - floor[0]) / rows * 1e6, (ref[1] - floor[1]) / rows * 1e6))

# TDX: Debian's OVMF (a TDVF), 6 memory sizes x 4 variants, same kernel and initrd.
ovmf = "/usr/share/ovmf/OVMF.fd"
if os.path.exists(ovmf):
    tdesc = os.path.join(W, "tdx.yaml")
    open(tdesc, "w").write("""name: bench-tdx
firmware: %s
kernel: %s
initrd: %s
cmdline: "console=ttyS0 root=/dev/vda1"
platform:
  memory: [1G, 2G, 4G, 8G, 16G, 32G]
  tdx_variants: [edk2-stable202511/10.2, edk2-stable202408/8.2, edk2-stable202411/9.2, edk2-stable202505/10.0]
""" % (ovmf, kernel, initrd))
    tref = med([[ct, "reference", tdesc, "-o", out, "--quiet"]])
    trows = len(json.load(open(out))["tdx"])
    th = med([["openssl", "dgst", "-sha256", f] for f in (kernel, initrd, ovmf)] + [["openssl", "dgst", "-sha384", f] for f in (kernel, initrd, ovmf)])
    print("| cocotrust reference, TDX (%d rows: 6 memory sizes x 4 variants) | %.3f | %.3f |" % (trows, tref[0], tref[1]))
    print("| floor: SHA-256 + SHA-384 of firmware, kernel, initrd (openssl dgst) | %.3f | %.3f |" % th)
    print("| ratio | %.2f | %.2f |" % (tref[0] / th[0], tref[1] / th[1]))
PYEOF
