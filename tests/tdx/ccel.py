#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""CC event logs through `cocotrust eventlog replay|show|check`: every log of tests/vectors/tdx/ccel replays to the
RTMRs of EXPECTED.json (asserted by trustee's test_rtmr_integrity / equal to the paired go-tdx-guest quote); the
ACPI CCEL table; `show --json` equals trustee's parsed logs (index, type_name, digests, event, digest_matches_event,
AAEL details) record by record; check --quote (match, extra event after the quote, --reference from
`tdx measure` naming the kernel event); malformed CCEL tables exit 2 with the offset. TAP."""
import base64
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, CT, ok  # noqa: E402
tap.state.max_diag = 20
C = os.path.join(ROOT, 'tests', 'vectors', 'tdx', 'ccel')
Q = os.path.join(ROOT, 'tests', 'vectors', 'tdx', 'quotes')
EXP = json.load(open(os.path.join(C, 'EXPECTED.json')))['logs']


def run(*args):
    return subprocess.run([CT, 'eventlog'] + list(args), capture_output=True, text=True)


def js(*args):
    p = run(*args)
    try:
        return p, json.loads(p.stdout)
    except ValueError:
        return p, None


def records(b):
    """(offset, end) of each record after the Spec ID record, until the padding."""
    o = 32 + struct.unpack_from('<I', b, 28)[0]
    out = []
    while o + 8 <= len(b):
        mr, typ = struct.unpack_from('<II', b, o)
        if typ == 0xffffffff or mr == 0xffffffff:
            break
        q = o + 12 + 50
        esz = struct.unpack_from('<I', b, q)[0]
        out.append((o, q + 4 + esz))
        o = q + 4 + esz
    return out


def main():
    with tempfile.TemporaryDirectory() as d:
        for e in EXP:
            path = os.path.join(C, e['file'])
            want = e.get('asserted_rtmr') or e.get('quote_rtmr') or e['replay_rtmr']
            src = 'trustee test_rtmr_integrity' if e.get('asserted_rtmr') else \
                'the paired quote' if e.get('quote_rtmr') else 'our oracle replay only (nothing asserted upstream)'
            p, j = js('replay', '--json', path)
            ok(p.returncode == 0 and j['format'] == 'cc-eventlog' and
               j['rtmrs'] == {k.replace('rtmr', 'rtmr_'): v for k, v in want.items()},
               f'{e["file"]}: RTMR 0-3 = {src}', p.stderr or (j and j['rtmrs']))
            ok(j and j['extends_per_rtmr'] == e['extends_per_rtmr'] and j['events'] == e['events_after_spec_id'],
               f'{e["file"]}: extends per RTMR {e["extends_per_rtmr"]}, {e["events_after_spec_id"]} events',
               j and (j['extends_per_rtmr'], j['events']))
            out = e.get('expected_parse', '').split(' ')[0]
            if out:
                tr = json.load(open(os.path.join(C, out)))['uefi_event_logs']
                p, j = js('show', '--json', path)
                got = j['uefi_event_logs'] if j else []
                keys = ('index', 'type_name', 'digests', 'event', 'digest_matches_event')
                diff = [(i, k, g.get(k), w.get(k)) for i, (g, w) in enumerate(zip(got, tr)) for k in keys
                        if g.get(k) != w.get(k)]
                ok(p.returncode == 0 and len(got) == len(tr) and not diff,
                   f'{e["file"]}: show --json = trustee {out} for all {len(tr)} records (index, type_name, digests, '
                   'event, digest_matches_event)', diff[:5] or (len(got), len(tr)))
                aa = [(g['details'], w['details']) for g, w in zip(got, tr) if w['details'].get('unicode_name') == 'AAEL']
                if aa:
                    ok(all(g == w for g, w in aa), f'{e["file"]}: AAEL details (domain, operation, content) = trustee',
                       aa)
            if e.get('aael_events'):
                p, j = js('show', '--json', path)
                got = [x for x in j['uefi_event_logs'] if x['details'].get('unicode_name') == 'AAEL']
                ok([(x['index'], x['digests'][0]['digest'], x['details']['string'], x['rtmr']) for x in got] ==
                   [(a['mr_index'], a['digest'], a['data'], 3) for a in e['aael_events']] and
                   all(x['digest_matches_event'] for x in got),
                   f'{e["file"]}: AAEL records in RTMR 3, digest = SHA-384 of the whole tagged event', got)

        # the ACPI table + log of the COS boot, and its quote
        cos = [e for e in EXP if e.get('ccel_table')][0]
        table = os.path.join(C, cos['ccel_table']['file'])
        log = os.path.join(C, cos['file'])
        quote = os.path.join(C, 'go-tdx-guest_cos-113_tdx_quote.dat')
        p, j = js('replay', '--json', table, log)
        ct = cos['ccel_table']
        ok(p.returncode == 0 and j['ccel_table']['cc_type'] == ct['cc_type'] and j['ccel_table']['laml'] == ct['laml']
           and j['ccel_table']['lasa'] == ct['lasa'] and j['ccel_table']['checksum_ok'] and
           j['ccel_table']['length'] == ct['length'], 'CCEL table + log: table fields = EXPECTED', p.stderr or j)
        p = run('replay', table)
        ok(p.returncode == 2 and 'CCEL table' in p.stderr, 'the table alone: exit 2, says a log is needed', p.stderr)
        p, j = js('check', '--json', log, '--quote', quote)
        ok(p.returncode == 0 and j['ok'] and all(r['match'] for r in j['rtmrs']),
           'COS log check --quote its quote: all four RTMRs match, exit 0', p.stderr or j)
        p = run('check', table, log, '--quote', quote)
        ok(p.returncode == 0 and 'OK' in p.stdout, 'check with CCEL_TABLE LOG', p.stderr)

        # the log goes on after the quote: append a record, check names it
        b = bytearray(open(log, 'rb').read())
        recs = records(b)
        end = recs[-1][1]
        extra = struct.pack('<IIIH', 3, 0x80000007, 1, 0x000c) + bytes(range(48)) + struct.pack('<I', 4) + b'late'
        b[end:end + len(extra)] = extra
        longer = os.path.join(d, 'longer.bin')
        open(longer, 'wb').write(bytes(b))
        p, j = js('check', '--json', longer, '--quote', quote)
        r2 = j['rtmrs'][2] if j else {}
        ok(p.returncode == 1 and not r2.get('match') and r2.get('prefix_events') == 20 and
           r2.get('first_differing_event', {}).get('num') == len(recs) + 1 and j['rtmrs'][0]['match'],
           'a record appended to RTMR 2: exit 1, prefix of 20 events = quote, the appended record (#44) named',
           p.stderr or r2)
        # a changed separator: its digest no longer matches its data
        b = bytearray(open(log, 'rb').read())
        for o, e_ in recs:
            if struct.unpack_from('<I', b, o + 4)[0] == 4 and struct.unpack_from('<I', b, o)[0] == 2:
                b[o + 14] ^= 1
                num = recs.index((o, e_)) + 1
                break
        sep = os.path.join(d, 'sep.bin')
        open(sep, 'wb').write(bytes(b))
        p, j = js('check', '--json', sep, '--quote', quote)
        r1 = j['rtmrs'][1] if j else {}
        ok(p.returncode == 1 and r1.get('first_differing_event', {}).get('num') == num and
           r1['first_differing_event']['type_name'] == 'EV_SEPARATOR',
           f'a corrupted RTMR 1 separator digest: named as the first differing event (#{num})', p.stderr or r1)

        # --reference from tdx measure: trustee's OVMF log against a quote carrying the RTMRs predicted for the
        # Debian kernel (the log's kernel differs): the kernel event is named
        ovmf_log = os.path.join(Q, 'trustee_CCEL_data_ovmf.bin')
        ob = open(ovmf_log, 'rb').read()
        evs = []
        for o, _ in records(ob):
            evs.append(ob[o + 14:o + 62].hex())
        p, j = js('replay', '--json', ovmf_log)
        ok(p.returncode == 0 and j['trustee'] == {'tdvfkernel': evs[11], 'tdvfkernelparams': evs[16]},
           "trustee's OVMF log: tdvfkernel = the File(kernel) application event (#12), tdvfkernelparams = the "
           'LOADED_IMAGE::LoadOptions event (#17), as Trustee\'s policy selects them', p.stderr or j.get('trustee'))
        p, j = js('replay', '--json', os.path.join(C, 'trustee_CCEL_data_grub.bin'))
        tr = json.load(open(os.path.join(C, 'trustee_CCEL_data_grub_out.json')))['uefi_event_logs']
        lo = [e['digests'][0]['digest'] for e in tr if e['details'].get('string') == 'LOADED_IMAGE::LoadOptions']
        ok(p.returncode == 0 and 'tdvfkernel' not in j['trustee'] and j['trustee'].get('tdvfkernelparams') == lo[-1],
           'grub log: no File(kernel) event (Trustee falls back to executables 4), LoadOptions as trustee parses it',
           j and j['trustee'])
        ovmf = '/usr/share/ovmf/OVMF.fd'
        if os.path.exists(ovmf):
            args = []
            for i, name in {1: 'cfv', 8: 'acpi-loader', 9: 'acpi-rsdp', 10: 'acpi-tables', 16: 'load-options',
                            17: 'initrd'}.items():
                args += ['--digest', f'{name}={evs[i]}']
            m = subprocess.run([CT, 'tdx', 'measure', '--json', '--firmware', ovmf, '--kernel',
                                os.path.join(ROOT, 'tests', 'vectors', 'kernel', 'vmlinuz-6.1.0-56-amd64'),
                                '--initrd', os.path.join(ROOT, 'tests', 'vectors', 'tdx', 'inputs', 'initrd-test.cpio'),
                                '--edk2', '202408', '--memory', '2G', '--acpi-dir',
                                os.path.join(ROOT, 'tests', 'vectors', 'tdx', 'inputs', 'synthetic-acpi')] + args,
                               capture_output=True, text=True)
            mj = json.loads(m.stdout)
            ref = os.path.join(d, 'ref.json')
            open(ref, 'w').write(m.stdout)
            qb = bytearray(open(os.path.join(Q, 'trustee_tdx_quote_4.dat'), 'rb').read())
            for i in range(3):
                qb[0x178 + 48 * i:0x178 + 48 * (i + 1)] = bytes.fromhex(mj['rtmr'][f'rtmr_{i}'])
            qb[0x208:0x238] = bytes(48)
            fq = os.path.join(d, 'predicted-quote.dat')
            open(fq, 'wb').write(bytes(qb))
            p, j = js('check', '--json', ovmf_log, '--quote', fq, '--reference', ref)
            r = j['rtmrs'] if j else [{}] * 4
            ok(p.returncode == 1 and r[0]['match'] and r[2]['match'] and not r[1]['match'] and
               r[1].get('first_differing_event', {}).get('num') == 12 and
               r[1]['first_differing_event']['type_name'] == 'EV_EFI_BOOT_SERVICES_APPLICATION',
               "trustee's OVMF log vs predicted RTMRs for another kernel: RTMR 0/2 match, RTMR 1 names the kernel "
               'event (#12) from the reference', p.stderr or r)

        # malformed CCEL tables
        good = open(table, 'rb').read()

        def put(off, fmt, v):
            x = bytearray(good)
            struct.pack_into(fmt, x, off, v)
            return bytes(x)

        cases = [('55 bytes', good[:55], 'offset 0x'), ('signature', b'XCEL' + good[4:], 'signature'),
                 ('length below 56', put(4, '<I', 40), 'below'), ('length beyond the file', put(4, '<I', 57), 'exceeds'),
                 ('length at its maximum', put(4, '<I', 0xffffffff), 'exceeds'),
                 ('LAML at its maximum', put(40, '<Q', 0xffffffffffffffff), 'LAML')]
        for i, (name, data, word) in enumerate(cases):
            path = os.path.join(d, f't{i}.bin')
            open(path, 'wb').write(data)
            p = run('replay', '--ccel-table', path, log)
            lines = p.stderr.splitlines()
            ok(p.returncode == 2 and len(lines) == 1 and 'offset 0x' in lines[0] and word in lines[0] and
               path in lines[0], f'CCEL table {name}: exit 2 naming the offset', p.stderr)
        p, j = js('replay', '--json', '--ccel-table', table, log)
        ok(p.returncode == 0 and j['rtmrs']['rtmr_0'] == cos['quote_rtmr']['rtmr0'], '--ccel-table TABLE LOG form')
        # the TPM path is unaffected
        tpm = os.path.join(ROOT, 'tests', 'vectors', 'tpm')
        logs = [os.path.join(r, f) for r, _, fs in os.walk(tpm) for f in fs if f.endswith('.bin') and 'eventlog' in f]
        if logs:
            p, j = js('replay', '--json', logs[0])
            ok(p.returncode in (0, 2) and (not j or j.get('format') != 'cc-eventlog'),
               f'a TPM log ({os.path.basename(logs[0])}) still goes the TPM way', p.stderr)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
