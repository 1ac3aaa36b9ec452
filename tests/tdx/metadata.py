#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust tdx metadata`: Debian's OVMF.fd against vectors.json (sections, MRTD in both orders), firmware
without TDX metadata, and malformed metadata built from a small synthetic image (each must exit 2 with one
line naming the file and an offset, nothing on stdout). TAP."""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, CT, ok, skip  # noqa: E402
VEC = json.load(open(os.path.join(ROOT, 'tests', 'vectors', 'tdx', 'vectors.json')))
OVMF = '/usr/share/ovmf/OVMF.fd'
CODE_4M = '/usr/share/OVMF/OVMF_CODE_4M.fd'


def run(*args):
    return subprocess.run([CT, 'tdx'] + list(args), capture_output=True, text=True)


def le(s):
    return uuid.UUID(s).bytes_le


FOOTER = le('96b582de-1fb2-45f7-baea-a366c55a082d')
TDX_OFF = le('e47a6535-984a-4798-865e-4685a7bf8ec2')
TDVF = le('e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae')
SIZE = 0x10000
META = 0x8000           # "TDVF" descriptor offset in the synthetic image


def sections_default():
    # data_offset, raw, gpa, mem, type, attr
    return [(0x0, 0x2000, 0xfffe0000, 0x2000, 0, 1),      # BFV, MR.EXTEND
            (0x2000, 0x1000, 0xfffd0000, 0x1000, 1, 0),   # CFV
            (0, 0, 0x809000, 0x2000, 2, 0),               # TD_HOB
            (0, 0, 0x800000, 0x6000, 3, 0)]               # TempMem


def image(secs=None, count=None, length=None, desc_off=None, version=1, sig=b'TDVF'):
    secs = sections_default() if secs is None else secs
    b = bytearray(SIZE)
    n = len(secs) if count is None else count
    ln = 16 + 32 * len(secs) if length is None else length
    b[META - 16:META] = TDVF
    struct.pack_into('<4sIII', b, META, sig, ln, version, n)
    for i, s in enumerate(secs):
        struct.pack_into('<IIQQII', b, META + 16 + 32 * i, *s)
    # footer table: [u32 offset-from-end | u16 22 | TDX_OFF guid] [u16 total | FOOTER guid] [32 bytes]
    foot = SIZE - 0x32
    struct.pack_into('<H', b, foot, 18 + 22)
    b[foot + 2:foot + 18] = FOOTER
    e = foot - 22
    struct.pack_into('<IH', b, e, SIZE - META if desc_off is None else desc_off, 22)
    b[e + 6:e + 22] = TDX_OFF
    return bytes(b)


def sec(**kw):
    s = sections_default()
    i = kw.pop('i')
    names = ['data_offset', 'raw', 'gpa', 'mem', 'type', 'attr']
    row = list(s[i])
    for k, v in kw.items():
        row[names.index(k)] = v
    s[i] = tuple(row)
    return s


CASES = [
    ('descriptor outside the file', image(desc_off=SIZE + 0x100), 'outside'),
    ('descriptor offset 8 bytes from the end', image(desc_off=8), 'outside'),
    ('signature not TDVF', image(sig=b'XDVF'), 'signature'),
    ('version 2', image(version=2), 'version'),
    ('section count too large', image(count=100000), 'limit'),
    ('section count 65', image(count=65, length=16 + 32 * 65), 'limit'),
    ('length does not match the count', image(length=16 + 32 * 3), 'length'),
    ('sections reach past the end of the file', image(secs=sections_default() * 1, count=600, length=16 + 32 * 600),
     'limit'),
    ('section data outside the file', image(secs=sec(i=0, data_offset=0xf000)), 'outside'),
    ('section raw size beyond the file', image(secs=sec(i=1, raw=0xffffffff, mem=0x100000000)), 'outside'),
    ('unaligned GPA', image(secs=sec(i=2, gpa=0x809100)), 'not 4 KiB aligned'),
    ('unaligned MemoryDataSize', image(secs=sec(i=3, mem=0x6001)), 'not 4 KiB aligned'),
    ('RawDataSize > MemoryDataSize', image(secs=sec(i=1, mem=0)), 'larger than'),
    ('overlapping sections', image(secs=sec(i=3, gpa=0x808000)), 'overlaps'),
    ('GPA range wraps', image(secs=sec(i=3, gpa=0xfffffffffffff000, mem=0x2000)), 'wraps'),
    ('unknown section type', image(secs=sec(i=3, type=42)), 'unknown type'),
]


def main():
    with tempfile.TemporaryDirectory() as d:
        good = os.path.join(d, 'good.fd')
        open(good, 'wb').write(image())
        p = run('metadata', '--json', good)
        ok(p.returncode == 0, 'the synthetic image parses', p.stderr)
        if p.returncode == 0:
            j = json.loads(p.stdout)
            ok([s['type_id'] for s in j['sections']] == [0, 1, 2, 3] and j['descriptor_offset'] == META,
               'synthetic sections as written', p.stdout)
        for i, (name, img, word) in enumerate(CASES):
            path = os.path.join(d, f'bad{i}.fd')
            open(path, 'wb').write(img)
            p = run('metadata', path)
            lines = p.stderr.splitlines()
            good_msg = len(lines) == 1 and lines[0].startswith(f'cocotrust: {path}: ') and \
                'offset 0x' in lines[0] and word in lines[0]
            ok(p.returncode == 2 and not p.stdout and good_msg, f'{name} -> exit 2 naming the offset',
               f'exit {p.returncode} stdout {p.stdout!r} stderr {p.stderr!r}')
        # no metadata at all: a blob without a footer table
        path = os.path.join(d, 'blob.fd')
        open(path, 'wb').write(b'\x5a' * 4096)
        p = run('metadata', path)
        ok(p.returncode == 2 and 'no TDX metadata' in p.stderr, 'a blob without footer table: no TDX metadata',
           p.stderr)

    if os.path.exists(CODE_4M):
        p = run('metadata', CODE_4M)
        ok(p.returncode == 2 and 'no TDX metadata' in p.stderr and 'e47a6535' in p.stderr,
           "Debian's OVMF_CODE_4M.fd: error names the missing TDX metadata entry", p.stderr)
    else:
        skip('OVMF_CODE_4M.fd without TDX metadata', 'not installed')

    if not os.path.exists(OVMF) or hashlib.sha256(open(OVMF, 'rb').read()).hexdigest() != VEC['inputs']['ovmf']['sha256']:
        skip('Debian OVMF.fd vectors', 'OVMF.fd missing or not ' + VEC['inputs']['ovmf']['debian_package'])
    else:
        p = run('metadata', '--json', OVMF)
        ok(p.returncode == 0, 'OVMF.fd metadata parses', p.stderr)
        j = json.loads(p.stdout)
        got = [dict(data_offset=s['data_offset'], raw_size=s['raw_size'], gpa=s['gpa'], mem_size=s['mem_size'],
                    type=s['type_id'], attr=s['attributes']) for s in j['sections']]
        ok(got == VEC['tdvf_sections'], 'OVMF.fd sections equal vectors.json tdvf_sections', got)
        ok(j['mrtd_single_pass'] == VEC['mrtd']['single_pass'], 'MRTD single-pass = vectors (TS, FH, TF)',
           j['mrtd_single_pass'])
        ok(j['mrtd_two_pass'] == VEC['mrtd']['two_pass'], 'MRTD two-pass = vectors (FH 8.2.2, TF, QX)',
           j['mrtd_two_pass'])
        p = run('metadata', OVMF)
        ok(p.returncode == 0 and VEC['mrtd']['single_pass'] in p.stdout and VEC['mrtd']['two_pass'] in p.stdout,
           'text output carries both MRTDs', p.stdout)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
