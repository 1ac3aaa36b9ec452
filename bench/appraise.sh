#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cocotrust appraise end to end (process start to exit) against the cost of the signature checks a
# signed SEV-SNP report needs (1 ECDSA P-384 verify of the report, 3 RSA-4096 PSS verifies for
# VCEK <- ASK <- ARK <- ARK, as `openssl speed` measures them on this machine).
#
#   bench/appraise.sh build/cocotrust
#
# Cases (manifest: sev-snp-measure's digest for the AmdSev fixture + synthetic kernel/initrd/cmdline at
# 2 vCPUs EPYC-Milan, and the captured PCRs of the real uki-A boot):
#   report:   the real Milan sample report with its VCEK/ASK/ARK (signature and chain checked) + PCRs + log
#   ok:       a launch digest in the manifest + the uki-A PCRs + its event log (38 events): all affirming
#   explain:  a launch digest for 2 vCPUs EPYC-Genoa: not in the manifest, explained by searching the whole
#             default space (512 vCPUs x 5 CPU signatures + ec2 + gce x 513 guest features = 1 838 592)
#   nomatch:  a digest no configuration gives (the search's worst case)
set -eu
CT=$(realpath "${1:-build/cocotrust}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$CT" "$ROOT" "$T" <<'PYEOF'
import hashlib, json, os, re, resource, statistics, subprocess, sys, time
ct, root, t = sys.argv[1:]
S = os.path.join(root, 'tests', 'vectors', 'snp')
B = os.path.join(root, 'tests', 'vectors', 'tpm', 'boot', 'uki-A')
vec = {l.split('\t')[0]: l.split('\t')[3] for l in open(os.path.join(S, 'snp_vectors.tsv')) if '\t' in l}
def art(p):
    p = os.path.join(S, 'inputs', p)
    return {"path": p, "size": os.path.getsize(p), "sha256": hashlib.sha256(open(p, 'rb').read()).hexdigest(),
            "parameters": {}}
pcrs, cur = {}, None
for line in open(os.path.join(B, 'pcrs-sysfs.pcrread-style.yaml')):
    m = re.match(r'^\s*(sha1|sha256)\s*:\s*$', line)
    if m: cur = m.group(1); pcrs[cur] = {}; continue
    m = re.match(r'^\s*(\d+)\s*:\s*(0x)?([0-9A-Fa-f]+)', line)
    if m and cur: pcrs[cur][m.group(1)] = m.group(3).lower()
cmd = "console=ttyS0 loglevel=7"
man = {"schema_version": 1, "name": "bench", "snp": [{"mode": "snp", "vcpus": 2, "vcpu_type": "EPYC-Milan",
       "vmm": "QEMU", "guest_features": "0x1", "firmware": "firmware", "measurement": vec['snp_amdsev_k_i_c_v2_milan']}],
       "artifacts": {"firmware": art("ovmf_AmdSev_suffix.bin"), "kernel": art("kernel_synth.bin"),
                     "initrd": art("initrd_small.bin"),
                     "cmdline": {"text": cmd, "sha256": hashlib.sha256(cmd.encode()).hexdigest(), "parameters": {}}},
       "tdx": None, "verity": [], "pcrs": {}, "captured_pcrs": {"sha256": pcrs["sha256"]}, "init_data": [],
       "notes": {"tdx": "not computed"}}
mf = os.path.join(t, 'manifest.json')
json.dump(man, open(mf, 'w'))
E = os.path.join(root, 'tests', 'vectors', 'evidence', 'snp')
exp = json.load(open(os.path.join(E, 'EXPECTED.json')))
milan = [x for x in exp['reports'] if x['file'] == 'msft-tav_milan_attestation_report.bin'][0]['parsed']['measurement']
man2 = dict(man); man2['snp'] = [dict(man['snp'][0], measurement=milan)]
mf2 = os.path.join(t, 'manifest-milan.json')
json.dump(man2, open(mf2, 'w'))
rep = ['--snp-report', os.path.join(E, 'msft-tav_milan_attestation_report.bin')] + sum(
    (['--certs', os.path.join(E, f'msft-tav_milan_{c}.pem')] for c in ('vcek', 'ask', 'ark')), [])
ev = ['--pcrs', os.path.join(B, 'pcrs-sysfs.pcrread-style.yaml'), '--eventlog', os.path.join(B, 'binary_bios_measurements')]
bad = '11' + vec['snp_amdsev_k_i_c_v2_milan'][2:]
cases = [('report', ['REPORT'], 0, 20), ('ok', [vec['snp_amdsev_k_i_c_v2_milan']] , 0, 20), ('explain', [vec['snp_amdsev_k_i_c_v2_genoa']], 1, 3),
         ('nomatch', [bad], 1, 3)]
def run(args, rc):
    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if args == ['REPORT']:
        cmd = [ct, 'appraise', mf2] + rep + ev
    else:
        cmd = [ct, 'appraise', mf, '--snp-measurement'] + args + ev
    p = subprocess.run(cmd, capture_output=True, text=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != rc:
        sys.exit(f'appraise exited {p.returncode}, expected {rc}: {p.stderr}{p.stdout}')
    return time.perf_counter() - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), p.stdout
res = {}
for name, args, rc, n in cases:
    runs = [run(args, rc) for _ in range(n)]
    res[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[0][2])
    if name == 'explain':
        assert 'matches snp, 2 vCPUs, EPYC-Genoa' in runs[0][2], runs[0][2]
    if name == 'nomatch':
        assert 'no configuration in the searched space' in runs[0][2]
def speed(alg, col):
    out = subprocess.run(['openssl', 'speed', '-seconds', '2', alg], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.strip().startswith(('rsa 4096', '384 bits ecdsa')):
            f = line.split()
            return float(f[col])
    return None
ecdsa = speed('ecdsap384', -1)   # verify/s
rsa = speed('rsa4096', -1)       # verify/s
sig = (1 / ecdsa + 3 / rsa) if ecdsa and rsa else None
print('## cocotrust appraise (one launch digest + PCRs + a 38-event log), median wall / CPU')
print('| case | wall | CPU | vs signature checks (%s) |' % (f'{sig*1e3:.2f} ms' if sig else 'n/a'))
print('|---|---|---|---|')
for name in ('report', 'ok', 'explain', 'nomatch'):
    w, c, _ = res[name]
    print(f'| {name} | {w*1e3:.1f} ms | {c*1e3:.1f} ms | {w/sig:.1f}x wall, {c/sig:.1f}x CPU |' if sig else f'| {name} | {w*1e3:.1f} ms | {c*1e3:.1f} ms | - |')
if sig:
    print(f'\nopenssl speed: ECDSA P-384 {ecdsa:.0f} verify/s, RSA-4096 {rsa:.0f} verify/s -> 1 + 3 verifies = {sig*1e3:.2f} ms')
PYEOF
