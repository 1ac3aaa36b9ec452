#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust hcl report show|verify` on the real Azure samples (trustee, kinvolk): fields against
tests/vectors/evidence/azure/EXPECTED.json, the runtime-claims binding, HCLAkPub as PEM (checked with
openssl), the vTPM quotes Trustee's tests verify, --snp-verify through the AMD chain, and negatives
(wrong runtime-claims hash, wrong user-data, wrong nonce, a changed PCR, malformed reports). TAP."""
import base64
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, ok, failed_checks as failed, ct_json as ct  # noqa: E402
tap.state.max_diag = 30
AZ = os.path.join(ROOT, 'tests', 'vectors', 'evidence', 'azure')
SNP = os.path.join(ROOT, 'tests', 'vectors', 'evidence', 'snp')
EXP = json.load(open(os.path.join(AZ, 'EXPECTED.json')))


def a(name):
    return os.path.join(AZ, name)


# ---- every evidence sample: HCL fields, binding, quote, SNP fields
for e in EXP['evidence']:
    p, j = ct('hcl', 'report', 'show', '--json', a(e['file']))
    h = j['hcl_report'] if j else {}
    diffs = []
    for k, v in e['hcl']['header'].items():
        if h.get('header', {}).get(k) != v:
            diffs.append(f'header.{k}: {h.get("header", {}).get(k)} != {v}')
    ig = e['hcl']['igvm_request_data']
    for k in ('data_size', 'version', 'report_type', 'variable_data_size'):
        if h.get('igvm_request_data', {}).get(k) != ig[k]:
            diffs.append(f'igvm.{k}: {h.get("igvm_request_data", {}).get(k)} != {ig[k]}')
    if h.get('igvm_request_data', {}).get('report_data_hash_type') != ig['report_data_hash_type'].lower():
        diffs.append('hash type')
    rc = h.get('runtime_claims') or {}
    if sorted(rc.keys()) != e['runtime_claims_keys'] or rc.get('user-data') != e['runtime_claims_user_data'] \
            or [k['kid'] for k in rc.get('keys', [])] != e['jwk_kids']:
        diffs.append('runtime claims keys / user-data / kids')
    if 'snp' in e:
        s = h.get('snp_report', {})
        for k in ('version', 'measurement', 'report_data', 'vmpl', 'chip_id', 'reported_tcb'):
            if s.get(k) != e['snp'][k]:
                diffs.append(f'snp.{k}: {s.get(k)} != {e["snp"][k]}')
    ok(p.returncode == 0 and not diffs, f'show {e["file"]}: header, IGVM data, runtime claims, embedded report = EXPECTED.json',
       '\n'.join(diffs) + p.stderr)
    p, j = ct('hcl', 'report', 'verify', '--json', a(e['file']))
    names = {c['name']: c['status'] for c in j['checks']} if j else {}
    ok(p.returncode == 0 and names.get('runtime_claims_hash') == 'pass' and names.get('quote.signature') == 'pass'
       and names.get('quote.pcr_digest') == 'pass',
       f'verify {e["file"]}: runtime-claims SHA-256 = REPORTDATA[0..32]; the quote verifies with HCLAkPub; PCR digest',
       p.stdout[-1500:] + p.stderr)

# report_data assertions of trustee's tests: the quote nonce, and HCL user-data == expected report_data (v2)
v2 = [e for e in EXP['evidence'] if e['file'].endswith('evidence-v2.json')][0]
p, j = ct('hcl', 'report', 'verify', '--json', a(v2['file']), '--user-data', v2['asserted']['report_data'])
ok(p.returncode == 0 and any(c['name'] == 'user_data' and c['status'] == 'pass' for c in j['checks']),
   'v2: runtime claims user-data (upper-case) == trustee-asserted report_data (lower-case), case-insensitively', failed(j))
p, j = ct('hcl', 'report', 'verify', '--json', a(v2['file']), '--user-data', '00' * 48)
ok(p.returncode == 1 and failed(j) == ['user_data'], 'v2: another user-data fails "user_data"', failed(j))
for e in EXP['evidence']:
    if e['asserted'].get('report_data') == '6368616c6c656e6765':
        p, j = ct('hcl', 'report', 'verify', '--json', a(e['file']), '--nonce', '6368616c6c656e6765')
        ok(p.returncode == 0, f'{e["file"]}: quote extraData = "challenge" (trustee test_verify_quote_nonce)', failed(j))
        p, j = ct('hcl', 'report', 'verify', '--json', a(e['file']), '--nonce', '6368616c6c656e6766')
        ok(p.returncode == 1 and failed(j) == ['quote.nonce'], f'{e["file"]}: wrong nonce fails "quote.nonce"', failed(j))

# --snp-verify through AMD's chain (VCEK from the evidence JSON; ASK/ARK from trustee)
p, j = ct('hcl', 'report', 'verify', '--json', a('trustee_az-snp-vtpm_evidence-v2.json'), '--snp-verify', '--ca',
          os.path.join(SNP, 'trustee_milan_ask_ark_asvk.pem'), '--measurement', v2['snp']['measurement'], '--vmpl', '0')
names = {c['name']: c['status'] for c in j['checks']} if j else {}
ok(p.returncode == 0 and names.get('snp.report_signature') == 'pass' and names.get('snp.ark_self_signed') == 'pass'
   and names.get('snp.vcek_hwid') == 'pass' and names.get('snp.measurement') == 'pass',
   'v2 --snp-verify: embedded Milan report signature, chain, hwID and measurement hold', p.stdout[-2000:] + p.stderr)
p, j = ct('hcl', 'report', 'verify', '--json', a('trustee_az-snp-vtpm_evidence-genoa.json'), '--snp-verify', '--ca',
          os.path.join(SNP, 'trustee_genoa_ask_ark_asvk.pem'))
ok(p.returncode == 0 and any(c['name'] == 'snp.vcek_signature' and c['status'] == 'pass' for c in j['checks']),
   'Genoa --snp-verify: Genoa VCEK <- ASK <- ARK (trustee asserts vcek_genoa_validates_against_genoa_chain)', failed(j))
p, j = ct('hcl', 'report', 'verify', '--json', a('trustee_az-snp-vtpm_evidence-genoa.json'), '--snp-verify', '--ca',
          os.path.join(SNP, 'trustee_milan_ask_ark_asvk.pem'))
ok(p.returncode == 1 and 'snp.vcek_signature' in failed(j), 'Genoa report with the Milan chain: snp.vcek_signature fails', failed(j))

# the raw HCL report + trustee's separate tpm-quote-v1.json (hex), and HCLAkPub as PEM checked with openssl
with tempfile.TemporaryDirectory() as d:
    for kind in ('snp', 'tdx'):
        hcl = a(f'trustee_az-{kind}-vtpm_hcl-report.bin')
        q = json.load(open(a(f'trustee_az-{kind}-vtpm_tpm-quote-v1.json')))
        msg, sig = os.path.join(d, 'q.msg'), os.path.join(d, 'q.sig')
        open(msg, 'wb').write(bytes.fromhex(q['message']))
        open(sig, 'wb').write(bytes.fromhex(q['signature']))
        pcrs = os.path.join(d, 'pcrs.json')
        json.dump({'schema_version': 1, 'pcrs': {'sha256': {str(i): v for i, v in enumerate(q['pcrs'])}}}, open(pcrs, 'w'))
        p, j = ct('hcl', 'report', 'verify', '--json', hcl, '--quote', msg, '--signature', sig, '--pcrs', pcrs,
                  '--nonce', '6368616c6c656e6765')
        ok(p.returncode == 0 and not failed(j) and sum(1 for c in j['checks'] if c['name'].startswith('quote.')) == 6,
           f'{kind}: HCL report + tpm-quote-v1.json: signature, nonce "challenge", selection, PCR digest (trustee tests)',
           p.stdout[-1500:] + p.stderr)
        pem = os.path.join(d, 'ak.pem')
        p, _ = ct('hcl', 'report', 'show', '--ak-pem', hcl)
        open(pem, 'w').write(p.stdout)
        od = subprocess.run(['openssl', 'dgst', '-sha256', '-verify', pem, '-signature', sig, msg], capture_output=True, text=True)
        ok(p.returncode == 0 and od.returncode == 0 and 'Verified OK' in od.stdout,
           f'{kind}: HCLAkPub as PEM: openssl dgst -verify accepts the quote signature with it', od.stdout + od.stderr + p.stderr)
        tp = json.loads(open(pcrs).read())
        tp['pcrs']['sha256']['7'] = 'ff' * 32
        json.dump(tp, open(pcrs, 'w'))
        p, j = ct('hcl', 'report', 'verify', '--json', hcl, '--quote', msg, '--signature', sig, '--pcrs', pcrs)
        ok(p.returncode == 1 and failed(j) == ['quote.pcr_digest'], f'{kind}: PCR 7 changed: quote.pcr_digest fails', failed(j))

    # the kinvolk TDX HCL report: TDREPORT fields
    tdx = [x for x in EXP['hcl_reports'] if x['file'] == 'az-cvm-vtpm_hcl-report-tdx.bin'][0]['hcl']
    p, j = ct('hcl', 'report', 'show', '--json', a('az-cvm-vtpm_hcl-report-tdx.bin'))
    t = j['hcl_report']['tdreport'] if j else {}
    ok(p.returncode == 0 and t.get('mrtd') == tdx['td_mrtd'] and t.get('rtmr', [None])[0] == tdx['td_rtmr0']
       and t.get('report_data') == tdx['td_report_data'],
       'kinvolk TDX HCL report: MRTD @528, RTMR0 @720 and REPORTDATA @128 = EXPECTED.json', p.stdout[-800:] + p.stderr)

    # negatives on a copy of the SNP HCL report
    raw = bytearray(open(a('trustee_az-snp-vtpm_hcl-report.bin'), 'rb').read())
    path = os.path.join(d, 'h.bin')
    b = bytearray(raw)
    b[0x4d4 + 10] ^= 1          # one byte of the runtime claims
    open(path, 'wb').write(b)
    p, j = ct('hcl', 'report', 'verify', '--json', path)
    ok(p.returncode == 1 and 'runtime_claims_hash' in failed(j), 'runtime claims changed: runtime_claims_hash fails', failed(j))
    b = bytearray(raw)
    b[0x4cc] = 2                # report_data_hash_type SHA-384: the binding no longer holds
    open(path, 'wb').write(b)
    p, j = ct('hcl', 'report', 'verify', '--json', path)
    ok(p.returncode == 1 and failed(j) == ['runtime_claims_hash'] and 'SHA384' in p.stdout,
       'report_data_hash_type 2 (SHA-384) on a SHA-256 report: runtime_claims_hash fails with SHA384', failed(j))
    b[0x4cc] = 7
    open(path, 'wb').write(b)
    p, j = ct('hcl', 'report', 'verify', '--json', path)
    ok(p.returncode == 1 and failed(j) == ['runtime_claims_hash'], 'report_data_hash_type 7: unsupported, fails', failed(j))
    b = bytearray(raw)
    b[0x20 + 0x30] = 2          # VMPL of the embedded SNP report
    open(path, 'wb').write(b)
    p, j = ct('hcl', 'report', 'verify', '--json', path)
    ok(p.returncode == 1 and failed(j) == ['vmpl'], 'embedded SNP report at VMPL 2: vmpl fails', failed(j))
    for cut, field in ((10, 'header'), (0x300, 'hardware_report'), (0x4c8, 'igvm_request_data'), (0x500, 'variable_data')):
        open(path, 'wb').write(raw[:cut])
        p, _ = ct('hcl', 'report', 'show', path)
        ok(p.returncode == 2 and field in p.stderr and 'offset' in p.stderr, f'HCL report cut at 0x{cut:x}: exit 2 naming {field}',
           p.stderr)
    b = bytearray(raw)
    b[0] = ord('X')
    open(path, 'wb').write(b)
    p, _ = ct('hcl', 'report', 'show', path)
    ok(p.returncode == 2 and 'HCLA' in p.stderr, 'bad signature: exit 2 saying "HCLA"', p.stderr)
    b = bytearray(raw)
    b[0x4d0:0x4d4] = (1 << 20).to_bytes(4, 'little')
    open(path, 'wb').write(b)
    p, _ = ct('hcl', 'report', 'show', path)
    ok(p.returncode == 2 and 'variable_data_size' in p.stderr, 'variable_data_size 1 MiB: exit 2 naming the field', p.stderr)
    open(path, 'w').write('{"hcl_report": 5}')
    p, _ = ct('hcl', 'report', 'show', path)
    ok(p.returncode == 2 and 'hcl_report' in p.stderr, 'evidence JSON with a bad hcl_report: exit 2 naming it', p.stderr)

p, _ = ct('hcl', 'report', 'verify', '--help')
ok(p.returncode == 0 and '--snp-verify' in p.stdout and '--quote' in p.stdout and 'Exit status' in p.stdout, 'verify --help')
sys.exit(tap.done())
