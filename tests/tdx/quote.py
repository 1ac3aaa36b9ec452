#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust tdx quote`: trustee's expected claims for its v4 quote (deps/verifier/test_data), every field and
offset of the go-tdx-guest v4 / v5 quotes in EXPECTED.json, the COS quote against ccel/EXPECTED.json, expectation
checks (exit 1 listing every differing field), malformed quotes (every length field one short and at its maximum,
v5 body types 1 and 4, bad size, SGX tee type): exit 2 with the offset. TAP."""
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
Q = os.path.join(ROOT, 'tests', 'vectors', 'tdx', 'quotes')
CC = os.path.join(ROOT, 'tests', 'vectors', 'tdx', 'ccel')


def run(*args):
    return subprocess.run([CT, 'tdx', 'quote'] + list(args), capture_output=True, text=True)


def js(path, *extra):
    p = run('--json', path, *extra)
    return p, (json.loads(p.stdout) if p.stdout else None)


def subset(want, got, path=''):
    """Every key of want is in got with the same value; returns the first difference."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f'{path}: not an object'
        for k, v in want.items():
            if k not in got:
                return f'{path}.{k}: missing'
            d = subset(v, got[k], f'{path}.{k}')
            if d:
                return d
        return None
    return None if want == got else f'{path}: {got!r} != {want!r}'


def main():
    # trustee's expected claims (its CCEL part belongs to a td-shim log that is not here)
    exp = json.load(open(os.path.join(Q, 'trustee_parse_tdx_claims_expected.json')))
    exp.pop('uefi_event_logs')
    p, j = js(os.path.join(Q, 'trustee_tdx_quote_4.dat'))
    ok(p.returncode == 0, 'trustee quote_4 parses', p.stderr)
    d = subset(exp, j)
    ok(d is None, "trustee quote_4 = trustee's parse_tdx_claims_expected.json (quote.*, init_data, report_data, "
       "td_attributes, platform_instance_id)", d)
    ok(j['signature_data']['pck_cert_data_type'] == 5 and len(j['signature_data']['pck_chain']) == 3,
       'trustee quote_4: PEM PCK chain of 3 certificates', j['signature_data'].get('pck_chain'))

    e = json.load(open(os.path.join(Q, 'EXPECTED.json')))
    for qe in e['quotes']:
        path = os.path.join(Q, qe['file'])
        p, j = js(path)
        ok(p.returncode == 0, f'{qe["file"]} parses', p.stderr)
        if not j:
            continue
        h = qe['header']
        hb = j['quote']['header']
        ok(int.from_bytes(bytes.fromhex(hb['version']), 'little') == h['version'] and
           int.from_bytes(bytes.fromhex(hb['att_key_type']), 'little') == h['att_key_type'] and
           hex(int.from_bytes(bytes.fromhex(hb['tee_type']), 'little')) == h['tee_type'] and
           hb['vendor_id'] == h['qe_vendor_id'] and hb['user_data'] == h['user_data'],
           f'{qe["file"]}: header fields', json.dumps(hb))
        body = dict(qe['body'])
        body['tcb_svn'] = body.pop('tee_tcb_svn')
        d = subset(body, j['quote']['body'])
        ok(d is None, f'{qe["file"]}: all {len(body)} body fields', d)
        offs = {('tcb_svn' if k == 'tee_tcb_svn' else k): int(v, 16) for k, v in qe['body_field_offsets'].items()}
        got = {k.split('.')[-1]: v for k, v in j['offsets'].items() if k.startswith('quote.body.')}
        ok(got == offs, f'{qe["file"]}: every body field offset', f'{got}\n{offs}')
        sd = j['signature_data']
        ok(sd['length'] == qe['signed_data_len'] and sd['certification_data_type'] == qe['certification_data_type']
           and sd['certification_data_size'] == qe['certification_data_size'],
           f'{qe["file"]}: signature data length and certification data', json.dumps(sd)[:300])
        if 'asserted' in qe:
            d = subset({('tcb_svn' if k == 'tee_tcb_svn' else k): v for k, v in qe['asserted'].items()},
                       j['quote']['body'])
            ok(d is None, f'{qe["file"]}: values asserted by go-tdx-guest validate_test.go', d)
        if h['version'] == 5:
            ok(j['quote'].get('type') == '0300' and j['quote'].get('size') == '88020000' and j['body_type'] == 3,
               'v5: quote.type / quote.size as trustee names them', j['quote'].get('type'))

    # COS quote paired with its CCEL log
    ce = [x for x in json.load(open(os.path.join(CC, 'EXPECTED.json')))['logs'] if 'quote_file' in x][0]
    p, j = js(os.path.join(CC, 'go-tdx-guest_cos-113_tdx_quote.dat'))
    ok(p.returncode == 0 and j['quote']['body']['mr_td'] == ce['quote_mr_td'] and
       all(j['quote']['body'][k.replace('rtmr', 'rtmr_')] == v for k, v in ce['quote_rtmr'].items()) and
       j['trailing_bytes'] == 8000 - 4935,
       'COS-113 quote (8000-byte buffer): MRTD, RTMRs, trailing padding', p.stderr)

    # expectations
    v4 = os.path.join(Q, 'go-tdx-guest_tdx_prod_quote_SPR_E4.dat')
    a = e['quotes'][0]['body']
    p = run(v4, '--expect-mrtd', a['mr_td'], '--expect-rtmr', '0=' + a['rtmr_0'], '--expect-rtmr',
            '2=' + a['rtmr_2'], '--expect-report-data', a['report_data'], '--expect-xfam', a['xfam'])
    ok(p.returncode == 0, 'matching expectations: exit 0', p.stderr)
    bad = 'ab' * 48
    p, j = js(v4, '--expect-mrtd', bad, '--expect-rtmr', '1=' + bad, '--expect-rtmr', '3=' + a['rtmr_3'],
              '--expect-report-data', '00')
    ok(p.returncode == 1 and j and j['mismatches'] == ['quote.body.mr_td', 'quote.body.rtmr_1',
                                                       'quote.body.report_data'] and
       'quote.body.mr_td' in p.stderr and 'quote.body.rtmr_1' in p.stderr and 'report_data' in p.stderr,
       'differing expectations: exit 1 listing every differing field', f'{p.returncode} {p.stderr} {j and j.get("mismatches")}')
    p = run(v4, '--expect-rtmr', '4=' + bad)
    ok(p.returncode == 2, '--expect-rtmr 4=...: usage error', p.stderr)
    p = run('--help')
    ok(p.returncode == 0 and 'NOT verified' in p.stdout and 'DCAP' in p.stdout, '--help says DCAP verification is '
       'out of scope', p.stdout[:200])

    # malformed
    q4 = open(v4, 'rb').read()
    q5 = open(os.path.join(Q, 'go-tdx-guest_quote_v5_sample.dat'), 'rb').read()

    def put(b, off, fmt, v):
        b = bytearray(b)
        struct.pack_into(fmt, b, off, v)
        return bytes(b)

    def lengths(q, body_off, body_size):
        so = body_off + body_size
        sd = so + 4
        c = sd + 134
        auth = struct.unpack_from('<H', q, c + 448)[0]
        return [('signature data length', so, '<I', struct.unpack_from('<I', q, so)[0], 0xffffffff),
                ('certification data size', sd + 130, '<I', struct.unpack_from('<I', q, sd + 130)[0], 0xffffffff),
                ('QE auth data size', c + 448, '<H', auth, 0xffff),
                ('inner certification data size', c + 452 + auth, '<I',
                 struct.unpack_from('<I', q, c + 452 + auth)[0], 0xffffffff)]

    cases = []
    # cut the quotes to their exact length so "one short" cannot be absorbed by padding
    q4x = q4[:4935]
    for name, off, fmt, v, mx in lengths(q4x, 0x30, 584):
        cases.append((f'v4 {name} one short', put(q4x, off, fmt, v - 1)))
        cases.append((f'v4 {name} at its maximum', put(q4x, off, fmt, mx)))
    for name, off, fmt, v, mx in lengths(q5, 0x36, 648):
        cases.append((f'v5 {name} one short', put(q5, off, fmt, v - 1)))
        cases.append((f'v5 {name} at its maximum', put(q5, off, fmt, mx)))
    cases += [('v5 body size one short', put(q5, 0x32, '<I', 647)),
              ('v5 body size at its maximum', put(q5, 0x32, '<I', 0xffffffff)),
              ('v5 body type 1 (SGX)', put(q5, 0x30, '<H', 1)),
              ('v5 body type 4', put(q5, 0x30, '<H', 4)),
              ('version 3', put(q4, 0, '<H', 3)),
              ('tee_type 0 (SGX)', put(q4, 4, '<I', 0)),
              ('cut in the header', q4[:40]),
              ('cut in the body', q4[:0x100]),
              ('cut in the signature data', q4[:2000])]
    with tempfile.TemporaryDirectory() as d:
        for i, (name, data) in enumerate(cases):
            path = os.path.join(d, f'q{i}.dat')
            open(path, 'wb').write(data)
            p = run(path)
            lines = p.stderr.splitlines()
            good = len(lines) == 1 and lines[0].startswith(f'cocotrust: {path}: ') and 'offset 0x' in lines[0]
            if 'type 1' in name:
                good = good and 'SGX' in lines[0]
            ok(p.returncode == 2 and not p.stdout and good, f'{name}: exit 2 naming the offset '
               f'({lines[0][len(path) + 13:] if lines else ""})', f'exit {p.returncode} {p.stderr!r}')
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
