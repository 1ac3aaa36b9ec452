#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Malformed firmware images built from a good fixture (the last 4 KiB of an edk2 AmdSevX64 OVMF,
tests/vectors/snp/inputs/ovmf_AmdSev_suffix.bin): each must make `cocotrust snp measure` exit 2 with
one line on stderr that names the file and an offset, and print nothing on stdout. TAP."""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, CT, ok  # noqa: E402
INPUTS = os.path.join(ROOT, 'tests', 'vectors', 'snp', 'inputs')
GOOD = open(os.path.join(INPUTS, 'ovmf_AmdSev_suffix.bin'), 'rb').read()
KERNEL = os.path.join(INPUTS, 'kernel_synth.bin')

N = len(GOOD)
FOOT = N - 50                       # footer entry header: u16 size, guid
META_OFF = 0xaac                    # "ASEV" in the fixture (offset 0x554 from the end)
SECT = META_OFF + 16                # 7 descriptors of { u32 gpa, u32 size, u32 type }
assert GOOD[META_OFF:META_OFF + 4] == b'ASEV'
assert struct.unpack_from('<H', GOOD, FOOT)[0] == 136


def patch(data, off, fmt, *vals):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, *vals)
    return bytes(b)


def first_entry_hdr():
    return FOOT - 18                # the entry nearest the footer (SEV-ES reset block, size 22)


CASES = [
    # name, image, expected words in the message, modes
    ('footer table size reaches before the start of the file', patch(GOOD, FOOT, '<H', 0xffff),
     'truncated', ('snp', 'sev')),
    ('footer table of a file cut to 100 bytes', GOOD[-100:], 'truncated', ('snp', 'sev')),
    ('a file smaller than the 50-byte footer area', GOOD[-40:], 'too small', ('snp', 'sev')),
    ('footer table with 5 bytes that cannot hold an entry', patch(GOOD, FOOT, '<H', 136 + 5), 'cannot hold',
     ('snp', 'seves')),
    ('footer table size smaller than its header', patch(GOOD, FOOT, '<H', 10), 'smaller', ('snp', 'sev')),
    ('entry size pointing outside the table', patch(GOOD, first_entry_hdr(), '<H', 0x800), 'outside',
     ('snp', 'sev')),
    ('entry size below the 18-byte header', patch(GOOD, first_entry_hdr(), '<H', 5), 'invalid entry size',
     ('snp', 'sev')),
    None,  # SEV metadata offset: filled in below, once the entry is found
    ('SEV metadata size beyond the end of the file', patch(GOOD, META_OFF + 4, '<I', 0x1000), 'beyond the end',
     ('snp', 'sev')),
    ('SEV metadata signature', patch(GOOD, META_OFF, '<4s', b'XSEV'), 'signature', ('snp', 'sev')),
    ('SEV metadata version', patch(GOOD, META_OFF + 8, '<I', 2), 'version', ('snp', 'sev')),
    ('SEV metadata descriptors beyond its size', patch(GOOD, META_OFF + 12, '<I', 9), 'descriptors',
     ('snp', 'sev')),
    ('SEV metadata section count above the limit', patch(GOOD, META_OFF + 12, '<I', 100000), 'limit',
     ('snp', 'sev')),
    ('zero-size section', patch(GOOD, SECT + 4, '<I', 0), 'zero', ('snp', 'sev')),
    ('section size not a multiple of 4096', patch(GOOD, SECT + 4, '<I', 0x9001), 'multiple of 4096',
     ('snp', 'seves')),
    ('overlapping sections', patch(GOOD, SECT + 12, '<I', 0x808000), 'overlaps', ('snp', 'sev')),
    ('section beyond 4 GiB', patch(GOOD, SECT, '<I', 0xffffe000), '4 GiB', ('snp', 'sev')),
    ('unknown section type', patch(GOOD, SECT + 8, '<I', 7), 'unknown section type', ('snp',)),
    None,  # hash table GPA: filled in below
]


def find_entry(data, guid_le):
    """File offset of the data of the footer entry with this GUID."""
    end = FOOT
    start = FOOT - (struct.unpack_from('<H', data, FOOT)[0] - 18)
    while end - start >= 18:
        size = struct.unpack_from('<H', data, end - 18)[0]
        if data[end - 16:end] == guid_le:
            return end - size
        end -= size
    raise KeyError


def guid_le(s):
    b = bytes.fromhex(s.replace('-', ''))
    return b[0:4][::-1] + b[4:6][::-1] + b[6:8][::-1] + b[8:]


META_ENTRY = find_entry(GOOD, guid_le('dc886566-984a-4798-a75e-5585a7bf67cc'))
HT_ENTRY = find_entry(GOOD, guid_le('7255371f-3a3b-4b04-927b-1da6efa8d454'))
CASES[CASES.index(None)] = ('SEV metadata offset pointing before the start of the file', patch(GOOD, META_ENTRY, '<I', 0x2000),
            'before the start', ('snp', 'sev'))
CASES[CASES.index(None)] = ('hash table GPA leaving no room in its page', patch(GOOD, HT_ENTRY, '<I', 0x810fc0), 'no room',
             ('snp-kernel',))


def run(path, mode):
    args = {'snp': ['--mode', 'snp', '--vcpus', '2', '--vcpu-type', 'EPYC-v4'],
            'snp-kernel': ['--mode', 'snp', '--vcpus', '2', '--vcpu-type', 'EPYC-v4', '--kernel', KERNEL],
            'seves': ['--mode', 'seves', '--vcpus', '2', '--vcpu-type', 'EPYC-v4'],
            'sev': ['--mode', 'sev']}[mode]
    return subprocess.run([CT, 'snp', 'measure', '--ovmf', path] + args, capture_output=True, text=True)


def main():
    with tempfile.TemporaryDirectory() as d:
        good = os.path.join(d, 'good.bin')
        open(good, 'wb').write(GOOD)
        p = run(good, 'snp-kernel')
        ok(p.returncode == 0, 'the unmodified fixture measures' + ('' if p.returncode == 0 else f': {p.stderr.strip()}'))
        for i, (name, image, word, modes) in enumerate(CASES):
            path = os.path.join(d, f'bad{i}.bin')
            open(path, 'wb').write(image)
            for mode in modes:
                p = run(path, mode)
                lines = p.stderr.splitlines()
                good_msg = len(lines) == 1 and lines[0].startswith(f'cocotrust: {path}: ') and \
                    'offset 0x' in lines[0] and word in lines[0]
                passed = p.returncode == 2 and not p.stdout and good_msg
                ok(passed, f'{name} ({mode})' + (f': {lines[0][len(path) + 13:]}' if passed else ''),
                   f'exit {p.returncode}, stdout {p.stdout!r}, stderr {p.stderr!r}')
        # sev-snp-measure's sev and seves modes never look at section types: neither do we
        path = os.path.join(d, 'unknown-type.bin')
        img = patch(GOOD, SECT + 8, '<I', 7)
        open(path, 'wb').write(img)
        import hashlib
        p = run(path, 'sev')
        passed = p.returncode == 0 and p.stdout == hashlib.sha256(img).hexdigest() + '\n'
        ok(passed, 'sev mode ignores section types' +
           (' (digest = SHA-256 of the file)' if passed else f': {p.returncode} {p.stdout!r} {p.stderr!r}'))
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
