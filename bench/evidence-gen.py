#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Benchmark data for bench/evidence.sh: a test ARK -> ASK -> VCEK chain made with the openssl command
line (tests/evidence/snpchain.py) and N SNP reports signed by that one P-384 VCEK. The reports are
signed with python3-cryptography (OpenSSL underneath) when available -- one `openssl dgst -sign`
process per report would take minutes -- else with the openssl command line."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'evidence'))
import snpchain as S  # noqa: E402

out, count = sys.argv[1], int(sys.argv[2])
chain = S.Chain(os.path.join(out, 'chain'))
certs = os.path.join(out, 'certs')
os.makedirs(certs, exist_ok=True)
for src, dst in ((chain.ark, 'ark.pem'), (chain.ask, 'ask.pem'), (chain.vcek, 'vcek.pem')):
    shutil.copy(src, os.path.join(certs, dst))
S.run('openssl', 'pkey', '-in', chain.vcek_key, '-pubout', '-out', os.path.join(out, 'vcek.pub.pem'))
base = S.make_report(tcb_raw=S.milan_tcb(4, 0, 24, 219))
rdir = os.path.join(out, 'reports')
os.makedirs(rdir, exist_ok=True)
try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    key = serialization.load_pem_private_key(open(chain.vcek_key, 'rb').read(), None)

    def sign(body):
        r, s = decode_dss_signature(key.sign(bytes(body[:0x2a0]), ec.ECDSA(hashes.SHA384())))
        body[0x2a0:0x2e8] = r.to_bytes(72, 'little')
        body[0x2e8:0x330] = s.to_bytes(72, 'little')
        return bytes(body)
except ImportError:
    def sign(body):
        return S.sign_report(bytes(body), chain.vcek_key, out)
for i in range(count):
    b = bytearray(base)
    b[0x50:0x58] = i.to_bytes(8, 'little')
    open(os.path.join(rdir, f'r{i:06d}.bin'), 'wb').write(sign(b))
# the first report's signed bytes and DER signature, for `openssl dgst -verify`
r0 = open(os.path.join(rdir, 'r000000.bin'), 'rb').read()
open(os.path.join(out, 'tbs.bin'), 'wb').write(r0[:0x2a0])
rr, ss = int.from_bytes(r0[0x2a0:0x2e8], 'little'), int.from_bytes(r0[0x2e8:0x330], 'little')


def der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, 'big')
    return bytes([2, len(b)]) + b


body = der_int(rr) + der_int(ss)
open(os.path.join(out, 'sig.der'), 'wb').write(bytes([0x30, len(body)]) + body)
