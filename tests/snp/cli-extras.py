#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust snp measure` beyond the one-line vectors: --json contents (checked against the input
digests recorded with the sev-snp-measure vectors), --vars-file, tables, --dump-vmsa with a table,
the Debian-OVMF direct-boot message, and failures sev-snp-measure also has. TAP."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, CT, ok  # noqa: E402
VEC = os.path.join(ROOT, 'tests', 'vectors', 'snp')
VECTORS = {v['id']: v for v in json.load(open(os.path.join(VEC, 'snp_vectors.json')))['vectors']}


def args_of(vid):
    return [os.path.join(VEC, a) if a.startswith('inputs/') else a for a in VECTORS[vid]['args']]


def ct(args, cwd=None):
    return subprocess.run([CT, 'snp', 'measure'] + args, capture_output=True, text=True, cwd=cwd)


# --help lists every sev-snp-measure 0.0.13 option (spec section 10) and --json
p = ct(['--help'])
names = ['--mode', '--vcpus', '--vcpu-type', '--vcpu-sig', '--vcpu-family', '--vcpu-model', '--vcpu-stepping',
         '--vmm-type', '--ovmf', '--kernel', '--initrd', '--append', '--guest-features', '--output-format',
         '--snp-ovmf-hash', '--dump-vmsa', '--svsm', '--vars-size', '--vars-file', '--verbose', '--json']
ok(p.returncode == 0 and all(x in p.stdout for x in names), '--help exits 0 and explains every option',
   [x for x in names if x not in p.stdout])

# --json of a direct-boot vector: digest, parameters, and the input digests the vector recorded
v = VECTORS['snp_amdsev_k_i_c_v2_milan']
p = ct(args_of(v['id']) + ['--json'])
j = json.loads(p.stdout) if p.returncode == 0 else {}
ok(j.get('schema_version') == 1 and j.get('measurement') == v['expected_stdout'], '--json: schema_version and digest',
   p.stdout + p.stderr)
ok(j.get('mode') == 'snp' and j.get('vcpus') == 2 and j.get('vcpu_type') == 'EPYC-Milan' and
   j.get('vcpu_sig') == '0xa00f11' and j.get('vmm_type') == 'QEMU' and j.get('guest_features') == '0x1' and
   j.get('append') == 'console=ttyS0 loglevel=7', '--json: every parameter', p.stdout)
files_ok = True
for opt, key in (('--ovmf', 'ovmf'), ('--kernel', 'kernel'), ('--initrd', 'initrd')):
    got = (j.get('inputs') or {}).get(key) or {}
    files_ok &= got.get('sha256') == v['files'][opt]['sha256'] and got.get('size') == v['files'][opt]['size']
ok(files_ok, '--json: SHA-256 and size of every input file equal those recorded with the vector', p.stdout)

# --vars-file: its size is used, as --vars-size
with tempfile.TemporaryDirectory() as d:
    vars_file = os.path.join(d, 'OVMF_VARS.fd')
    open(vars_file, 'wb').write(bytes(540672))
    a = args_of('svsm_v2_epycv4_varsize')
    i = a.index('--vars-size')
    p = ct(a[:i] + ['--vars-file', vars_file] + a[i + 2:])
    ok(p.returncode == 0 and p.stdout == VECTORS['svsm_v2_epycv4_varsize']['expected_stdout'] + '\n',
       '--vars-file of 540672 bytes equals --vars-size 540672', p.stdout + p.stderr)
    p = ct(a + ['--vars-file', vars_file])
    ok(p.returncode == 2, '--vars-size with --vars-file is a usage error (argparse: mutually exclusive)')

# tables
a = args_of('snp_amdsev_k_i_c_v2_milan')
a[a.index('--vcpus') + 1] = '1-3'
a[a.index('--vcpu-type') + 1] = 'EPYC-Milan,EPYC-Genoa'
p = ct(a)
lines = p.stdout.splitlines()
ok(p.returncode == 0 and len(lines) == 7 and lines[0].split() == ['vmm', 'vcpu_type', 'vcpu_sig', 'vcpus', 'measurement'],
   'table: 3 counts x 2 types = header + 6 rows', p.stdout + p.stderr)
row = [l.split() for l in lines[1:] if l.split()[1] == 'EPYC-Genoa' and l.split()[3] == '2']
ok(len(row) == 1 and row[0][4] == VECTORS['snp_amdsev_k_i_c_v2_genoa']['expected_stdout'],
   'table row (EPYC-Genoa, 2) equals the sev-snp-measure vector snp_amdsev_k_i_c_v2_genoa')
a[a.index('--vcpu-type') + 1] = 'all'
a[a.index('--vcpus') + 1] = '1'
p = ct(a + ['--json'])
rows = json.loads(p.stdout) if p.returncode == 0 else []
ok(len(rows) == 16 and len({r['vcpu_type'] for r in rows}) == 16 and all(r['schema_version'] == 1 for r in rows),
   "--vcpu-type all: one JSON row for each of the 16 names", p.stderr)
with tempfile.TemporaryDirectory() as d:
    a[a.index('--vcpus') + 1] = '1,2'
    p = ct(a + ['--dump-vmsa'], cwd=d)
    ok(p.returncode == 2 and not os.listdir(d) and not p.stdout, '--dump-vmsa with a table: exit 2, nothing written')
p = ct(args_of('sev_amdsev_k_i_c') + ['--vcpus', '1-8', '--vcpu-type', 'all'])
ok(p.returncode == 0 and p.stdout == VECTORS['sev_amdsev_k_i_c']['expected_stdout'] + '\n',
   'sev mode: lists do not enter the digest, one line as sev-snp-measure prints', p.stdout + p.stderr)
p = ct(args_of('snp_amdsev_k_i_c_v2_milan')[:0] + ['--mode', 'snp', '--vcpus', '1-3,x', '--vcpu-type', 'EPYC',
                                                  '--ovmf', os.path.join(VEC, 'inputs', 'ovmf_AmdSev_suffix.bin')])
ok(p.returncode == 2 and 'invalid value' in p.stderr, 'a bad --vcpus list is a usage error', p.stderr)

# Debian OVMF and a kernel: says so and names the firmware that is needed
for vid in ('snp_deb4m_k_error', 'snp_deb2m_k_error', 'sev_deb4m_k_error'):
    p = ct(args_of(vid))
    ok(p.returncode == 2 and 'AmdSevX64' in p.stderr and 'kernel' in p.stderr and len(p.stderr.splitlines()) == 1,
       f'{vid}: exit 2, one line naming the AmdSevX64 build', p.stderr)

# failures sev-snp-measure also has (not in the vector set)
svsm = args_of('svsm_v2_epycv4_varsize')
p = ct(svsm + ['--vmm-type', 'ec2'])
ok(p.returncode == 2 and not p.stdout, 'snp:svsm with --vmm-type ec2 fails (sev-snp-measure: "SVSM mode is only '
   'implemented for Qemu")', p.stdout + p.stderr)
p = ct(['--mode', 'snp', '--vcpus', '1', '--vcpu-type', 'EPYC', '--ovmf', '/nonexistent/OVMF.fd'])
ok(p.returncode == 2 and '/nonexistent/OVMF.fd' in p.stderr and len(p.stderr.splitlines()) == 1,
   'a missing firmware file: exit 2, one line naming it', p.stderr)
p = ct(['--mode', 'snp', '--vcpus', '1', '--vcpu-type', 'EPYC', '--ovmf', VEC + '/inputs/ovmf_AmdSev_suffix.bin',
        '--kernel', '/nonexistent/vmlinuz'])
ok(p.returncode == 2 and '/nonexistent/vmlinuz' in p.stderr, 'a missing kernel file: exit 2, naming it', p.stderr)

# argparse details sev-snp-measure users meet: values beyond 64 bits wrap like its ctypes u64 fields,
# and a separate value starting with '-' that is not a negative number is taken for an option
a = args_of('snp_amdsev_k_i_c_v1_epycv4')
p = ct(a + ['--guest-features', str(2**64 + 1)])
ok(p.returncode == 0 and p.stdout == VECTORS['snp_amdsev_k_i_c_v1_epycv4']['expected_stdout'] + '\n',
   '--guest-features 2^64+1 wraps to 0x1 (vector snp_amdsev_k_i_c_v1_epycv4)', p.stdout + p.stderr)
a = args_of('snp_amdsev_k_i_c_v2_sig_a00f11')
a[a.index('--vcpu-sig') + 1] = str(2**64 + 0xa00f11)
p = ct(a)
ok(p.returncode == 0 and p.stdout == VECTORS['snp_amdsev_k_i_c_v2_sig_a00f11']['expected_stdout'] + '\n',
   '--vcpu-sig 2^64+0xa00f11 wraps (vector snp_amdsev_k_i_c_v2_sig_a00f11)', p.stdout + p.stderr)
a = args_of('snp_amdsev_k_i_c_v1_epycv4')
p = ct(a + ['--guest-features', '-0x21'])
ok(p.returncode == 2 and 'expected one argument' in p.stderr, "--guest-features -0x21 is an argparse error",
   p.stdout + p.stderr)
i = a.index('--append')
p = ct(a[:i] + ['--append', '-x'] + a[i + 2:])
ok(p.returncode == 2 and not p.stdout, "--append -x is an argparse error", p.stdout + p.stderr)
p = ct(a[:i] + ['--append=-x'] + a[i + 2:])
ok(p.returncode == 0 and len(p.stdout.strip()) == 96, "--append=-x is accepted", p.stdout + p.stderr)
for bad in (['--vcpu-type', 'EPYC-v99'], ['--vcpu-sig', 'zz'], ['--vcpu-family', 'x'], ['--vcpus', 'x']):
    p = ct(args_of('sev_amdsev_nokernel') + bad)
    ok(p.returncode == 2 and not p.stdout, f'sev mode: {" ".join(bad)} is still an argparse error', p.stdout)

# --dump-vmsa where there is no VMSA: sev-snp-measure refuses it in sev mode ("not available in the
# selected mode") and ignores it in snp:ovmf-hash, which it prints before looking at other options
with tempfile.TemporaryDirectory() as d:
    p = ct(args_of('sev_amdsev_k_i_c_vcpus_ignored') + ['--dump-vmsa'], cwd=d)
    ok(p.returncode == 2 and not p.stdout and not os.listdir(d), 'sev --dump-vmsa: usage error', p.stdout + p.stderr)
    p = ct(args_of('snpovmfhash_amdsev') + ['--dump-vmsa', '--vmm-type', 'qemu'], cwd=d)
    ok(p.returncode == 0 and p.stdout == VECTORS['snpovmfhash_amdsev']['expected_stdout'] + '\n' and not os.listdir(d),
       'snp:ovmf-hash ignores --dump-vmsa and --vmm-type, as sev-snp-measure', p.stdout + p.stderr)

# sev-snp-measure tests `if kernel:` / `if initrd:`: an empty path is no file
p = ct(args_of('snp_amdsev_nokernel_v1') + ['--kernel', ''])
ok(p.returncode == 0 and p.stdout == VECTORS['snp_amdsev_nokernel_v1']['expected_stdout'] + '\n',
   "--kernel '' is no kernel (vector snp_amdsev_nokernel_v1)", p.stdout + p.stderr)
p = ct(args_of('snp_amdsev_k_only_v1') + ['--initrd', ''])
ok(p.returncode == 0 and p.stdout == VECTORS['snp_amdsev_k_only_v1']['expected_stdout'] + '\n',
   "--initrd '' is no initrd (vector snp_amdsev_k_only_v1)", p.stdout + p.stderr)

# the command line is hashed as append.encode(): sev-snp-measure fails on bytes that are not UTF-8
a = args_of('snp_amdsev_k_i_c_v1_epycv4')
i = a.index('--append')
p = subprocess.run([CT, 'snp', 'measure'] + a[:i] + ['--append', b'console=ttyS0 \xff'] + a[i + 2:], capture_output=True)
ok(p.returncode == 2 and not p.stdout and b'UTF-8' in p.stderr, '--append with a non-UTF-8 byte: exit 2', p.stderr)

# an error about the SVSM image names the SVSM file (ct_error.input), once, not the firmware
a = args_of('svsm_v2_epycv4_varsize')
i = a.index('--svsm')
for bad, word in (('odd_4097.bin', 'multiple of 4096'), ('ovmf_AmdSev_suffix.bin', 'SVSM_INFO')):
    path = os.path.join(VEC, 'inputs', bad)
    p = ct(a[:i] + ['--svsm', path] + a[i + 2:])
    ok(p.returncode == 2 and not p.stdout and p.stderr.startswith(f'cocotrust: {path}: ') and word in p.stderr
       and p.stderr.count(path) == 1 and 'svsm_ovmf' not in p.stderr and len(p.stderr.splitlines()) == 1,
       f'snp:svsm with --svsm {bad}: exit 2, one line naming the SVSM file once', p.stderr)

sys.exit(tap.done())
