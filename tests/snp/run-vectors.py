#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs every vector of tests/vectors/snp/snp_vectors.json (sev-snp-measure 0.0.13 output) through
`cocotrust snp measure` and prints one TAP line per vector.

exit_code 0 vectors: exit 0, stdout exactly the reference stdout (+ newline), and with --dump-vmsa the
same vmsa<i>.bin files, byte-identical to the reference dumps (SHA-256 in the JSON and the files in
vmsa/<id>/). Failing vectors (sev-snp-measure exit 1 or 2): exit 2, empty stdout, one stderr line
"cocotrust: ...", no file written."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, CT, ok  # noqa: E402
VEC = os.path.join(ROOT, 'tests', 'vectors', 'snp')


def fix_path(a):
    return os.path.join(VEC, a) if a.startswith('inputs/') else a


def check(v):
    """Returns a list of problems (empty: pass)."""
    args = [fix_path(a) for a in v['args']]
    dumps = v.get('vmsa_dump_sha256')
    if dumps:
        args.append('--dump-vmsa')
    with tempfile.TemporaryDirectory() as cwd:
        p = subprocess.run([CT, 'snp', 'measure'] + args, cwd=cwd, capture_output=True, timeout=300)
        out, err = p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
        written = sorted(os.listdir(cwd))
        problems = []
        if v['exit_code'] == 0:
            if p.returncode != 0:
                problems.append(f'exit {p.returncode}, expected 0; stderr: {err.strip()}')
            if out != v['expected_stdout'] + '\n':
                problems.append(f'stdout {out!r}, expected {v["expected_stdout"]!r}')
            expect_files = sorted(dumps) if dumps else []
            if written != expect_files:
                problems.append(f'files written {written}, expected {expect_files}')
            for name, sha in (dumps or {}).items():
                path = os.path.join(cwd, name)
                if not os.path.exists(path):
                    continue
                data = open(path, 'rb').read()
                if hashlib.sha256(data).hexdigest() != sha:
                    problems.append(f'{name}: sha256 differs from the reference dump')
                ref = os.path.join(VEC, 'vmsa', v['id'], name)
                if os.path.exists(ref) and open(ref, 'rb').read() != data:
                    problems.append(f'{name}: bytes differ from {ref}')
        else:
            if p.returncode != 2:
                problems.append(f'exit {p.returncode}, expected 2 (sev-snp-measure exits {v["exit_code"]})')
            if out:
                problems.append(f'stdout not empty: {out!r}')
            lines = err.splitlines()
            if len(lines) != 1 or not lines[0].startswith('cocotrust: ') or len(lines[0]) < 20:
                problems.append(f'stderr is not one "cocotrust: ..." line: {err!r}')
            if written:
                problems.append(f'files written on failure: {written}')
        return problems, err.strip()


def main():
    vectors = json.load(open(os.path.join(VEC, 'snp_vectors.json')))['vectors']
    only = set(sys.argv[1:])
    if only:
        vectors = [v for v in vectors if v['id'] in only]
    for v in vectors:
        problems, err = check(v)
        extra = f' ({err})' if v['exit_code'] != 0 and not problems else ''
        ok(not problems, f'{v["id"]}{extra}', '\n'.join(problems))
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
