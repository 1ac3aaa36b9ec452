#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every single-configuration sev-snp-measure vector (exit 0) must reappear unchanged as a row of the
table that `cocotrust snp measure` prints when its --vcpus, --vcpu-type and --vmm-type are widened
to lists and ranges around the vector's own values; the same for the --json array. Expected values
are the reference tool's (tests/vectors/snp/snp_vectors.json). One TAP line per vector and format."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, CT  # noqa: E402
VEC = os.path.join(ROOT, 'tests', 'vectors', 'snp')


def opt(args, name):
    return args[args.index(name) + 1] if name in args else None


def widen(v):
    """(table args, expected (vmm, type or None, vcpus)) or None when the vector is not widened."""
    args = [os.path.join(VEC, a) if a.startswith('inputs/') else a for a in v['args']]
    if '-v' in args or '--verbose' in args:
        return None
    mode = opt(args, '--mode')
    vmm = opt(args, '--vmm-type') or 'QEMU'
    vtype = opt(args, '--vcpu-type')
    by_sig = opt(args, '--vcpu-sig') is not None or opt(args, '--vcpu-family') is not None
    vcpus = opt(args, '--vcpus')
    out = list(args)

    def setopt(name, value):
        if name in out:
            out[out.index(name) + 1] = value
        else:
            out.extend([name, value])

    if mode in ('sev', 'snp:ovmf-hash'):
        return out, None  # a single row whatever the lists: the plain line
    n = int(vcpus)
    setopt('--vcpus', f'0,{n},3,1-2,5-6')  # duplicates allowed: each row must match
    if vtype and not by_sig:
        setopt('--vcpu-type', 'EPYC-Turin,' + vtype + ',EPYC-Rome' if vtype != 'EPYC-Turin' else 'all')
    if mode != 'snp:svsm':
        setopt('--vmm-type', 'gce,QEMU,ec2' if (vtype or by_sig) else 'gce,ec2')
    return out, (vmm if mode != 'snp:svsm' else 'QEMU', vtype if (vtype and not by_sig) else None, n)


def main():
    vectors = [v for v in json.load(open(os.path.join(VEC, 'snp_vectors.json')))['vectors'] if v['exit_code'] == 0]
    for v in vectors:
        w = widen(v)
        if w is None:
            continue
        args, key = w
        for fmt in ('text', 'json'):
            extra = ['--json'] if fmt == 'json' else []
            p = subprocess.run([CT, 'snp', 'measure'] + args + extra, capture_output=True, text=True)
            ok = False
            why = f'exit {p.returncode}: {p.stderr.strip()}'
            if p.returncode == 0:
                if key is None:
                    if fmt == 'text':
                        ok = p.stdout == v['expected_stdout'] + '\n'
                    else:
                        field = 'measurement_base64' if opt(args, '--output-format') == 'base64' and \
                            opt(args, '--mode') != 'snp:ovmf-hash' else 'measurement'
                        ok = json.loads(p.stdout)[field] == v['expected_stdout']
                    why = 'single line differs'
                elif fmt == 'text':
                    lines = p.stdout.splitlines()
                    hdr, rows = lines[0].split(), [l.split() for l in lines[1:]]
                    want_type = key[1] or '-'
                    hits = [r for r in rows if r[0] == key[0] and r[1] == want_type and int(r[3]) == key[2]]
                    ok = hdr == ['vmm', 'vcpu_type', 'vcpu_sig', 'vcpus', 'measurement'] and len(rows) > 1 and \
                        len(hits) >= 1 and all(h[4] == v['expected_stdout'] for h in hits)
                    why = f'row {key} not found or differs: {hits}'
                else:
                    rows = json.loads(p.stdout)
                    # base64 vectors: compare the base64 field
                    field = 'measurement_base64' if '--output-format' in args and \
                        opt(args, '--output-format') == 'base64' else 'measurement'
                    hits = [r for r in rows if (r['vmm_type'] or 'QEMU') == key[0] and r['vcpu_type'] == key[1]
                            and r['vcpus'] == key[2] and r['schema_version'] == 1]
                    ok = len(rows) > 1 and len(hits) >= 1 and all(h[field] == v['expected_stdout'] for h in hits)
                    why = f'json row {key} not found or differs'
            tap.ok(ok, f'{v["id"]} ({fmt})', f'{why}\nargs: {args}')
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
