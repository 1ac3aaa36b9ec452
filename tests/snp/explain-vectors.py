#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust snp explain` against the sev-snp-measure 0.0.13 vectors (tests/vectors/snp/snp_vectors.json).

For every vector that sev-snp-measure measured successfully in a launch mode (sev, seves, snp, snp:svsm;
vCPU counts >= 1), the explanation search is given the vector's digest and only its artifacts (firmware,
kernel, initrd, command line, SVSM), never its vCPU count, CPU type, VMM type or guest features, and must
name the vector's configuration among its matches. The space is the default one (5 CPU signatures x 3 VMM
types x 513 guest-feature values) with counts 1..16 (or the vector's count; 1..512, the whole default space, for a few vectors);
where a vector's signature or guest features lie outside the default lists, they are added with
--vcpu-sig / --guest-features. Then: the 0xc021 guest-features vector is not found in the default space,
a random digest gives "no configuration in the searched space" (exit 1), and usage errors exit 2.
The expected configurations come from the vectors' own arguments (what sev-snp-measure was run with)."""
import base64
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, CT, ok  # noqa: E402
tap.state.max_diag = 20
VEC = os.path.join(ROOT, 'tests', 'vectors', 'snp')
U64 = (1 << 64) - 1

# sev-snp-measure 0.0.13 vcpu_types.py: family, model, stepping of each CPU type
TYPES = {'EPYC': (23, 1, 2), 'EPYC-v1': (23, 1, 2), 'EPYC-v2': (23, 1, 2), 'EPYC-IBPB': (23, 1, 2),
         'EPYC-v3': (23, 1, 2), 'EPYC-v4': (23, 1, 2), 'EPYC-Rome': (23, 49, 0), 'EPYC-Rome-v1': (23, 49, 0),
         'EPYC-Rome-v2': (23, 49, 0), 'EPYC-Rome-v3': (23, 49, 0), 'EPYC-Milan': (25, 1, 1),
         'EPYC-Milan-v1': (25, 1, 1), 'EPYC-Milan-v2': (25, 1, 1), 'EPYC-Genoa': (25, 17, 0),
         'EPYC-Genoa-v1': (25, 17, 0), 'EPYC-Turin': (26, 0, 0)}
FULL = {'snp_amdsev_k_i_c_v2_genoa', 'snp_amdsev_ec2_k_i_c_v4', 'seves_amdsev_k_i_c_v4_milan'}
VALUED = {'--mode', '--vcpus', '--vcpu-type', '--vcpu-sig', '--vcpu-family', '--vcpu-model', '--vcpu-stepping',
          '--vmm-type', '--ovmf', '--kernel', '--initrd', '--append', '--guest-features', '--output-format',
          '--snp-ovmf-hash', '--svsm', '--vars-size', '--vars-file'}


def cpu_sig(f, m, s):
    lo, hi = (0xf, (f - 0xf) & 0xff) if f > 0xf else (f, 0)
    return (hi << 20) | (((m >> 4) & 0xf) << 16) | (lo << 8) | ((m & 0xf) << 4) | (s & 0xf)


DEFAULT_SIGS = {cpu_sig(*t) for t in TYPES.values()}
DEFAULT_GF = {0} | {1 | (i << 1) for i in range(512)}


def options(args):
    o, i = {}, 0
    while i < len(args):
        a = args[i]
        if '=' in a and a.split('=', 1)[0] in VALUED:
            k, val = a.split('=', 1)
            o[k] = val
        elif a in VALUED:
            o[a] = args[i + 1]
            i += 1
        else:
            o[a] = True
        i += 1
    return o


def path(p):
    return os.path.join(VEC, p) if p.startswith('inputs/') else p


def case(v):
    """(explain arguments, expected match) or None when the vector is not a searchable launch digest."""
    o = options(v['args'])
    mode = o['--mode']
    if v['exit_code'] != 0 or mode == 'snp:ovmf-hash':
        return None
    out = v['expected_stdout'].split()[-1]
    raw = base64.b64decode(out) if o.get('--output-format') == 'base64' else bytes.fromhex(out)
    vcpus = int(o['--vcpus']) if mode != 'sev' else None
    if vcpus is not None and vcpus < 1:
        return None
    vmm = o.get('--vmm-type', 'QEMU')
    if '--vcpu-family' in o:
        sig = cpu_sig(int(o['--vcpu-family']), int(o['--vcpu-model']), int(o['--vcpu-stepping']))
    elif '--vcpu-sig' in o:
        sig = int(o['--vcpu-sig'], 0) & U64
    elif '--vcpu-type' in o:
        sig = cpu_sig(*TYPES[o['--vcpu-type']])
    else:
        sig = None
    gf = int(o.get('--guest-features', '1'), 0) & U64
    a = [raw.hex(), '--ovmf', path(o['--ovmf'])]
    if o.get('--kernel'):
        a += ['--kernel', path(o['--kernel'])]
        if o.get('--initrd'):
            a += ['--initrd', path(o['--initrd'])]
        if '--append' in o:
            a += ['--append=' + o['--append']]
    if o.get('--snp-ovmf-hash') and mode == 'snp':
        a += ['--snp-ovmf-hash', o['--snp-ovmf-hash']]
    if mode == 'snp:svsm':
        size = o.get('--vars-size') or str(os.path.getsize(path(o['--vars-file'])))
        a += ['--svsm', path(o['--svsm']), '--vars-size', size]
    if v['id'] not in FULL:
        a += ['--max-vcpus', str(max(16, vcpus or 1))]
    uses_sig = mode == 'snp:svsm' or (mode in ('snp', 'seves') and vmm == 'QEMU')
    if uses_sig and sig not in DEFAULT_SIGS:
        a += [f'--vcpu-sig={sig:#x}']
    if mode == 'snp' and gf not in DEFAULT_GF:
        a += [f'--guest-features={gf:#x}']
    want = {'mode': mode, 'vcpus': vcpus,
            'vmm_type': None if mode in ('sev', 'snp:svsm') else vmm,
            'vcpu_sig': f'{sig:#x}' if uses_sig else None,
            'guest_features': {'snp': f'{gf:#x}', 'seves': '0x0', 'snp:svsm': '0x1'}.get(mode)}
    return a, want


def explain(args):
    p = subprocess.run([CT, 'snp', 'explain', '--json'] + args, capture_output=True, text=True, timeout=300)
    try:
        j = json.loads(p.stdout) if p.stdout else None
    except ValueError:
        j = None
    return p, j


def main():
    vectors = json.load(open(os.path.join(VEC, 'snp_vectors.json')))['vectors']
    for v in vectors:
        c = case(v)
        if not c:
            continue
        args, want = c
        p, j = explain(args)
        got = [{k: m.get(k) for k in want} for m in (j or {}).get('matches', [])]
        ok(p.returncode == 0 and j and j.get('schema_version') == 1 and want in got,
           f'{v["id"]}: found as {want["mode"]} {want["vmm_type"] or ""} sig {want["vcpu_sig"]} '
           f'vcpus {want["vcpus"]} gf {want["guest_features"]}'
           + (f' (of {len(got)} matches)' if len(got) > 1 else ''),
           f'exit {p.returncode}\n{p.stderr}\nwant {want}\ngot {got}')

    ids = {v['id']: v for v in vectors}
    args, want = case(ids['snp_amdsev_nokernel_v1_gf_big'])
    args = [a for a in args if not a.startswith('--guest-features')]
    p, j = explain(args)
    ok(p.returncode == 1 and j and j['matches'] == [] and j['configurations_searched'] == 16 * 7 * 513,
       'guest features 0xc021 lie outside the default space: no configuration among 16 x 7 x 513',
       p.stdout + p.stderr)

    o = options(ids['snp_amdsev_k_i_c_v1_epycv4']['args'])
    base = ['--ovmf', path(o['--ovmf']), '--kernel', path(o['--kernel']), '--initrd', path(o['--initrd']),
            '--append', o['--append']]
    rnd = random.Random(14).randbytes(48).hex()
    p = subprocess.run([CT, 'snp', 'explain', rnd] + base, capture_output=True, text=True, timeout=300)
    ok(p.returncode == 1 and p.stdout.startswith('no configuration in the searched space (1838592 configurations)'),
       'a random digest: "no configuration in the searched space" over the whole default space, exit 1',
       p.stdout + p.stderr)
    p, j = explain([rnd] + base)
    ok(p.returncode == 1 and j and j['matches'] == [] and j['configurations_searched'] == 512 * 7 * 513,
       '--json: no matches, configurations_searched 512 x 7 x 513', p.stdout + p.stderr)

    # a launch without -kernel, searched with the kernel among the artifacts: found only with --also-without-kernel
    d = ids['snp_amdsev_nokernel_v4_milan_gf21']['expected_stdout']
    p = subprocess.run([CT, 'snp', 'explain', d, '--max-vcpus', '8'] + base, capture_output=True, text=True)
    ok(p.returncode == 1, 'a firmware-only digest (snp_amdsev_nokernel_v4_milan_gf21) is not a direct boot of these '
       'artifacts', p.stdout + p.stderr)
    p, j = explain([d, '--max-vcpus', '8', '--also-without-kernel'] + base)
    got = [(m['vcpus'], m['vcpu_sig'], m['guest_features'], m['direct_boot']) for m in (j or {}).get('matches', [])]
    ok(p.returncode == 0 and got == [(4, '0xa00f11', '0x21', False)] and j['configurations_searched'] == 2 * 8 * 7 * 513,
       '--also-without-kernel: found as 4 vCPUs EPYC-Milan 0x21 without the kernel hashes (twice the space)',
       p.stdout + p.stderr)

    # the text form of a match
    v = ids['snp_amdsev_k_i_c_v2_genoa']
    p = subprocess.run([CT, 'snp', 'explain', v['expected_stdout'], '--max-vcpus', '8'] + base, capture_output=True,
                       text=True)
    ok(p.returncode == 0 and p.stdout == 'snp QEMU EPYC-Genoa (sig 0xa10f10; also EPYC-Genoa-v1) vcpus 2 '
       'guest_features 0x1\n', 'text: one line naming mode, VMM, CPU type and aliases, vCPUs, guest features',
       p.stdout + p.stderr)

    # pre-hashed artifacts (the "files" SHA-256 of the vector, and SHA-256 of the command line + NUL)
    import hashlib
    fs = v['files']
    pre = ['--ovmf', path(o['--ovmf']), '--kernel-sha256', fs['--kernel']['sha256'],
           '--initrd-sha256', fs['--initrd']['sha256'],
           '--cmdline-sha256', hashlib.sha256(o['--append'].encode() + b'\0').hexdigest(), '--max-vcpus', '8']
    p = subprocess.run([CT, 'snp', 'explain', v['expected_stdout']] + pre, capture_output=True, text=True)
    ok(p.returncode == 0 and 'EPYC-Genoa' in p.stdout and 'vcpus 2 ' in p.stdout,
       'pre-hashed kernel / initrd / cmdline digests find the same configuration', p.stdout + p.stderr)

    for bad, why in ((['abcd'] + base, 'a digest of 2 bytes'),
                     ([rnd, '--ovmf', '/nonexistent/OVMF.fd'], 'a missing firmware'),
                     ([rnd] + base + ['--vmm-type', 'xen'], 'an unknown VMM type'),
                     ([rnd] + base + ['--max-vcpus', '0'], '--max-vcpus 0'),
                     ([rnd, '--ovmf', path(o['--ovmf']), '--kernel-sha256', '00'], 'a short --kernel-sha256')):
        p = subprocess.run([CT, 'snp', 'explain'] + bad, capture_output=True, text=True)
        ok(p.returncode == 2 and not p.stdout and len(p.stderr.splitlines()) == 1, f'usage: {why}: exit 2, one line',
           p.stdout + p.stderr)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
