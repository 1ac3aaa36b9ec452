#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust snp report verify` negative cases, each failing for the right reason and naming it.
The trust material is made at test time with the openssl command line (tests/evidence/snpchain.py):
Milan and Turin ARK -> ASK -> VCEK chains with AMD's VCEK extensions, CRLs from `openssl ca`, reports
signed by `openssl dgst -sha384 -sign`. Also the batch mode (directory and NDJSON on stdin). TAP."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import snpchain as S  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import CT, ok  # noqa: E402
tap.state.max_diag = 40


def verify(report, *args, stdin=None):
    p = subprocess.run([CT, 'snp', 'report', 'verify', '--json'] + ([report] if report else []) + list(args),
                       capture_output=True, text=True, input=stdin)
    try:
        j = json.loads(p.stdout) if report else None
    except json.JSONDecodeError:
        j = None
    return p, j


def failed_only(p, j, names, word, title):
    """Exit 1, exactly `names` failed, and the reason of the first says `word`."""
    got = set(j.get('failed', [])) if j else None
    reasons = {c['name']: c['reason'] for c in j['checks']} if j else {}
    cond = p.returncode == 1 and got == set(names) and all(word.lower() in reasons.get(x, '').lower() for x in names[:1])
    ok(cond, title, f'rc={p.returncode} failed={got} want={names} reasons={[reasons.get(x) for x in names]}\n{p.stderr}')


tmp = tempfile.mkdtemp(prefix='ct-snp-neg-')
try:
    M = S.Chain(os.path.join(tmp, 'milan'))
    TCB = S.milan_tcb(4, 0, 24, 219)
    good = S.sign_report(S.make_report(tcb_raw=TCB), M.vcek_key, tmp)
    R = os.path.join(tmp, 'good.bin')
    open(R, 'wb').write(good)
    CH = ['--ca', M.ask, '--ca', M.ark]
    base = ['--vcek', M.vcek] + CH

    p, j = verify(R, *base)
    ok(p.returncode == 0 and j['ok'], 'test chain: a report signed by the test VCEK verifies', p.stdout[-1500:] + p.stderr)

    def variant(name, mutate, key=M.vcek_key, sign=True):
        b = bytearray(good)
        mutate(b)
        data = S.sign_report(bytes(b), key, tmp) if sign else bytes(b)
        path = os.path.join(tmp, name + '.bin')
        open(path, 'wb').write(data)
        return path

    # one bit flipped in the signed area, and in the signature
    def flip(off):
        def f(b):
            b[off] ^= 0x01
        return f
    for off, what in ((0x90, 'measurement'), (0x0, 'version'), (0x29f, 'last signed byte')):
        p, j = verify(variant(f'flip{off:x}', flip(off), sign=False), *base)
        failed_only(p, j, ['report_signature'], 'does not verify', f'bit flipped at 0x{off:x} ({what}): report_signature fails')
    p, j = verify(variant('flipsig', flip(0x2a0 + 5), sign=False), *base)
    failed_only(p, j, ['report_signature'], 'does not verify', 'bit flipped in signature R: report_signature fails')
    p, j = verify(variant('flipsigs', flip(0x2e8 + 40), sign=False), *base)
    failed_only(p, j, ['report_signature'], 'does not verify', 'bit flipped in signature S: report_signature fails')

    # signature_algo != 1 (re-signed, so only that check fails)
    def algo(b):
        b[0x34] = 2
    p, j = verify(variant('algo', algo), *base)
    failed_only(p, j, ['signature_algo'], 'expected 1', 'signature_algo 2: fails naming the expected value')

    # wrong VCEK: same chain and extensions, another key
    _, other = M.make_vcek('vcek-other')
    p, j = verify(R, '--vcek', other, *CH)
    failed_only(p, j, ['report_signature'], 'does not verify', 'wrong VCEK (same chain, other key): report_signature fails')

    # wrong ASK: same subject, other key, signed by the ARK
    ask2_key = S.rsa_key(os.path.join(tmp, 'ask2.key'))
    ask2 = M.ark_ca.sign(S.csr(ask2_key, os.path.join(tmp, 'ask2.csr'), 'SEV-Milan'), os.path.join(tmp, 'ask2.pem'),
                         'SEV-Milan', 'ask_ext')
    p, j = verify(R, '--vcek', M.vcek, '--ca', ask2, '--ca', M.ark)
    failed_only(p, j, ['vcek_signature'], 'does not verify', 'wrong ASK (same name, other key): vcek_signature fails')

    # ASK of another product (the real Milan... here: a Genoa test chain's ASK)
    G = S.Chain(os.path.join(tmp, 'genoa'), product='Genoa')
    p, j = verify(R, '--vcek', M.vcek, '--ca', G.ask, '--ca', G.ark)
    ok(p.returncode == 1 and 'vcek_signature' in j['failed'] and 'ark_self_signed' in j['failed'],
       'Genoa ASK/ARK for a Milan report: vcek_signature and ARK fail (none for Milan)', j and j['failed'])

    # ARK not self-signed: the ARK's name and key, signed by a rogue key whose certificate has the same name
    rogue_key = S.rsa_key(os.path.join(tmp, 'rogue.key'))
    rogue = S.self_signed(rogue_key, os.path.join(tmp, 'rogue.pem'), 'ARK-Milan')
    rogue_ca = S.CA(tmp, 'rogue', rogue_key, rogue)
    fake_ark = rogue_ca.sign(S.csr(M.ark_key, os.path.join(tmp, 'fark.csr'), 'ARK-Milan'), os.path.join(tmp, 'fark.pem'),
                             'ARK-Milan', 'ask_ext')
    p, j = verify(R, '--vcek', M.vcek, '--ca', M.ask, '--ca', fake_ark)
    failed_only(p, j, ['ark_self_signed'], 'does not verify', 'ARK not self-signed (signed by another key): ark_self_signed fails')

    # ARK signed with PKCS#1 v1.5 instead of RSASSA-PSS
    v15 = os.path.join(tmp, 'ark-v15.pem')
    S.run('openssl', 'req', '-x509', '-new', '-key', M.ark_key, '-subj', '/CN=ARK-Milan', '-sha384', '-days', '30',
          '-out', v15)
    p, j = verify(R, '--vcek', M.vcek, '--ca', M.ask, '--ca', v15)
    failed_only(p, j, ['ark_self_signed'], 'not RSASSA-PSS', 'ARK signed with PKCS#1 v1.5: ark_self_signed says "not RSASSA-PSS"')

    # expired and not-yet-valid VCEKs (openssl ca -startdate/-enddate)
    _, expired = M.make_vcek('vcek-expired', key=M.vcek_key, start='20200101000000Z', end='20210101000000Z')
    p, j = verify(R, '--vcek', expired, *CH)
    failed_only(p, j, ['vcek_validity'], 'expired', 'expired VCEK: vcek_validity fails saying "expired"')
    p, j = verify(R, '--vcek', expired, *CH, '--at', '2020-06-01', '--product', 'milan')
    ok(p.returncode == 1 and j['failed'] == ['ask_validity', 'ark_validity'] or p.returncode == 1 and
       set(j['failed']) == {'ask_validity', 'ark_validity'},
       'expired VCEK --at 2020-06-01: the VCEK holds, the (younger) ASK and ARK are not yet valid', j and j['failed'])
    _, future = M.make_vcek('vcek-future', key=M.vcek_key, start='20400101000000Z', end='20410101000000Z')
    p, j = verify(R, '--vcek', future, *CH)
    failed_only(p, j, ['vcek_validity'], 'not yet valid', 'not-yet-valid VCEK: vcek_validity fails saying "not yet valid"')
    p, j = verify(R, *base, '--at', '2099-01-01')
    ok(p.returncode == 1 and set(j['failed']) == {'vcek_validity', 'ask_validity', 'ark_validity'}
       and all('expired' in c['reason'] for c in j['checks'] if c['status'] == 'fail'),
       '--at 2099-01-01: all three certificates expired, each listed', j and j['failed'])

    # CRL: the ASK revokes the VCEK (openssl ca -revoke / -gencrl)
    crl0 = M.ask_ca.crl(os.path.join(tmp, 'crl0.pem'))
    p, j = verify(R, *base, '--crl', crl0)
    ok(p.returncode == 0 and any(c['name'] == 'crl_vcek' and c['status'] == 'pass' for c in j['checks']),
       'empty CRL signed by the ASK: crl_signature and crl_vcek pass', p.stdout[-1500:])
    M.ask_ca.revoke(M.vcek)
    crl = M.ask_ca.crl(os.path.join(tmp, 'crl.pem'))
    p, j = verify(R, *base, '--crl', crl)
    failed_only(p, j, ['crl_vcek'], 'revoked', 'VCEK revoked in a CRL made by openssl ca: crl_vcek fails saying "revoked"')
    crl_der = os.path.join(tmp, 'crl.der')
    S.run('openssl', 'crl', '-in', crl, '-outform', 'DER', '-out', crl_der)
    p, j = verify(R, *base, '--crl', crl_der)
    failed_only(p, j, ['crl_vcek'], 'revoked', 'the same CRL in DER: crl_vcek fails')
    # the ARK's CRL (as AMD's KDS serves it) revoking the ASK
    p, j = verify(R, *base, '--crl', M.ark_ca.crl(os.path.join(tmp, 'crl-ark0.pem')))
    ok(p.returncode == 0 and any(c['name'] == 'crl_ask' and c['status'] == 'pass' for c in j['checks']),
       "empty CRL signed by the ARK: crl_ask passes", p.stdout[-800:])
    M.ark_ca.revoke(M.ask)
    p, j = verify(R, *base, '--crl', M.ark_ca.crl(os.path.join(tmp, 'crl-ark.pem')))
    failed_only(p, j, ['crl_ask'], 'revoked', "ASK revoked in the ARK's CRL (openssl ca): crl_ask fails saying \"revoked\"")
    p, j = verify(R, *base, '--crl', G.ask_ca.crl(os.path.join(tmp, 'crl-g.pem')))
    failed_only(p, j, ['crl_signature'], 'neither', "a CRL of another issuer: crl_signature fails")

    # TCB mismatch per component (re-signed reports), and the hwID
    for i, comp in enumerate(('bl', 'tee', 'snp', 'ucode')):
        t = [4, 0, 24, 219]
        t[i] += 1

        def set_tcb(b, raw=S.milan_tcb(*t)):
            b[0x180:0x188] = raw.to_bytes(8, 'little')
        p, j = verify(variant('tcb-' + comp, set_tcb), *base)
        failed_only(p, j, ['vcek_tcb_' + comp], 'another TCB', f'reported TCB {comp} + 1: vcek_tcb_{comp} fails')

    def set_chip(b):
        b[0x1a0] ^= 0xff
    p, j = verify(variant('chip', set_chip), *base)
    failed_only(p, j, ['vcek_hwid'], 'another chip', 'chip id differs from the VCEK hwID: vcek_hwid fails')

    def mask(b):
        b[0x48] |= 2
        b[0x1a0:0x1e0] = bytes(64)
    p, j = verify(variant('mask', mask), *base)
    ok(p.returncode == 0 and any(c['name'] == 'vcek_hwid' and c['status'] == 'skip' for c in j['checks']),
       'MASK_CHIP_KEY: hwID check skipped, report verifies', p.stdout[-800:])

    def vlek_sel(b):
        b[0x48] = 1 << 2
    p, j = verify(variant('sel', vlek_sel), *base)
    failed_only(p, j, ['signing_key'], 'VLEK', 'SIGNING_KEY says VLEK but a VCEK is given: signing_key fails')

    # hwID as a DER OCTET STRING (older Milan/Genoa VCEKs) is accepted too
    _, vder = M.make_vcek('vcek-der', key=M.vcek_key, hwid_der=True)
    p, j = verify(R, '--vcek', vder, *CH)
    ok(p.returncode == 0, 'hwID extension as a DER OCTET STRING: accepted', p.stdout[-800:])

    # several failures at once: every one listed
    def many(b):
        b[0x180:0x188] = S.milan_tcb(5, 1, 24, 219).to_bytes(8, 'little')
        b[0x1a1] ^= 1
    p, j = verify(variant('many', many), '--vcek', expired, *CH, '--vmpl', '1')
    failed_only(p, j, ['vcek_tcb_bl', 'vcek_tcb_tee', 'vcek_hwid', 'vcek_validity', 'vmpl'], 'another TCB',
                'five problems at once: all five listed, exit 1')

    # ---- Turin: FMC in the TCB and an 8-byte hwID
    T = S.Chain(os.path.join(tmp, 'turin'), product='Turin', tcb=(1, 1, 4, 81), hwid=bytes.fromhex('59790fb1c39f35c1'), fmc=1)
    tt = S.turin_tcb(1, 1, 1, 4, 81)
    chip = bytes.fromhex('59790fb1c39f35c1') + bytes(56)
    tr = S.sign_report(S.make_report(version=5, cpuid=(0x1a, 0x02, 0x01), tcb_raw=tt, chip_id=chip), T.vcek_key, tmp)
    TR = os.path.join(tmp, 'turin.bin')
    open(TR, 'wb').write(tr)
    tb = ['--vcek', T.vcek, '--ca', T.ask, '--ca', T.ark]
    p, j = verify(TR, *tb)
    ok(p.returncode == 0 and any(c['name'] == 'vcek_tcb_fmc' and c['status'] == 'pass' for c in j['checks']),
       'Turin test chain: FMC and the 8-byte hwID hold', p.stdout[-1500:] + p.stderr)
    b = bytearray(tr)
    b[0x180:0x188] = S.turin_tcb(2, 1, 1, 4, 81).to_bytes(8, 'little')
    path = os.path.join(tmp, 'turin-fmc.bin')
    open(path, 'wb').write(S.sign_report(bytes(b), T.vcek_key, tmp))
    p, j = verify(path, *tb)
    failed_only(p, j, ['vcek_tcb_fmc'], 'another TCB', 'Turin reported FMC 2 vs fmcSPL 1: vcek_tcb_fmc fails')
    b = bytearray(tr)
    b[0x1a7] ^= 1
    path = os.path.join(tmp, 'turin-hw.bin')
    open(path, 'wb').write(S.sign_report(bytes(b), T.vcek_key, tmp))
    p, j = verify(path, *tb)
    failed_only(p, j, ['vcek_hwid'], 'another chip', 'Turin chip_id[7] differs: vcek_hwid fails (8 bytes compared)')
    b = bytearray(tr)
    b[0x1a8] = 0x77
    path = os.path.join(tmp, 'turin-hw8.bin')
    open(path, 'wb').write(S.sign_report(bytes(b), T.vcek_key, tmp))
    p, j = verify(path, *tb)
    ok(p.returncode == 0, 'Turin chip_id[8..] is not part of the hwID: still verifies', j and j['failed'])
    p, j = verify(TR, *tb, '--min-tcb', 'fmc=2', '--min-mit-vector', '0x1')
    ok(p.returncode == 1 and set(j['failed']) == {'min_tcb_fmc', 'min_mit_vector'},
       'Turin --min-tcb fmc=2 and --min-mit-vector on a zero vector: both fail', j and j['failed'])

    # ---- batch: a directory, and NDJSON on stdin; chains cached; one JSON line per report
    bd = os.path.join(tmp, 'batch')
    os.makedirs(bd)
    reps = []
    for i in range(40):
        b = bytearray(good)
        b[0x50] = i
        reps.append(S.sign_report(bytes(b), M.vcek_key, tmp) if i != 7 else bytes(b))
        open(os.path.join(bd, f'r{i:03d}.bin'), 'wb').write(reps[-1])
    open(os.path.join(bd, 'r999.bin'), 'wb').write(b'short')
    cd = os.path.join(tmp, 'certs')
    os.makedirs(cd)
    for src, dst in ((M.ark, 'ark.pem'), (M.ask, 'ask.pem'), (M.vcek, 'vcek.pem')):
        shutil.copy(src, os.path.join(cd, dst))
    p = subprocess.run([CT, 'snp', 'report', 'verify', '--batch', bd, '--certs', cd, '--threads', '2'],
                       capture_output=True, text=True)
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    okc = [x for x in lines if x.get('ok')]
    bad = [x for x in lines if not x.get('ok')]
    ok(p.returncode == 2 and len(lines) == 41 and len(okc) == 39
       and [x['index'] for x in bad] == [7, 40] and bad[0]['failed'] == ['report_signature'] and 'error' in bad[1]
       and sum(1 for x in lines if x.get('chain_cached')) == 39,
       'batch DIR (41 files, 2 threads): one JSON line each, r007 fails report_signature, the short file is unreadable, the chain verified once (39 of 40 from the cache)',
       f'cached={sum(1 for x in lines if x.get("chain_cached"))} rc={p.returncode} n={len(lines)} ok={len(okc)} bad={[(x["index"], x.get("failed"), x.get("error")) for x in bad]}\n{p.stderr}')
    nd = ''.join(json.dumps({'id': f'pod-{i}', 'report': base64.b64encode(r).decode()}) + '\n' for i, r in enumerate(reps[:10]))
    nd += json.dumps(base64.b64encode(reps[11]).decode()) + '\n' + base64.b64encode(reps[12]).decode() + '\n'
    p = subprocess.run([CT, 'snp', 'report', 'verify', '--batch', '-', '--certs', cd], capture_output=True, text=True, input=nd)
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    ok(p.returncode == 1 and len(lines) == 12 and lines[0]['id'] == 'pod-0' and lines[7]['failed'] == ['report_signature']
       and lines[11]['ok'] and lines[10]['id'] == 'line 11' and all(x['schema_version'] == 1 for x in lines),
       'batch NDJSON on stdin: objects with id, JSON strings and bare base64; exit 1 for the bad signature',
       p.stdout[-2000:] + p.stderr)
    p = subprocess.run([CT, 'snp', 'report', 'verify', '--batch', '-', '--certs', cd], capture_output=True, text=True,
                       input='{"nope": 1}\n')
    ok(p.returncode == 2 and 'line 1' in p.stderr, 'batch NDJSON: an object without "report" is bad input naming the line', p.stderr)
finally:
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(tap.done())
