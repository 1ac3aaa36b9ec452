# SPDX-License-Identifier: Apache-2.0
"""Test-time SEV-SNP trust material made with the openssl command line: an ARK (self-signed),
an ASK, VCEKs carrying AMD's extensions (1.3.6.1.4.1.3704.1.*), CRLs from `openssl ca`, and
reports signed with `openssl dgst -sha384 -sign`. Only byte placement is done here (r, s
little-endian at 0x2a0/0x2e8, as the AMD ABI lays them out)."""
import os
import struct
import subprocess

PSS = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48', '-sigopt', 'rsa_mgf1_md:sha384']


def run(*args, **kw):
    p = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(' '.join(args) + '\n' + p.stderr)
    return p.stdout


CA_CNF = """
[ca]
default_ca = ca_default
[ca_default]
dir = {d}
database = {d}/index.txt
new_certs_dir = {d}/newcerts
serial = {d}/serial
crlnumber = {d}/crlnumber
default_md = sha384
policy = pol
unique_subject = no
default_days = 3650
default_crl_days = 30
[pol]
commonName = supplied
[req]
distinguished_name = dn
[dn]
[vcek_ext]
{ext}
[ask_ext]
basicConstraints = critical,CA:true
"""


class CA:
    """A directory for `openssl ca` signing with key/cert (RSASSA-PSS SHA-384 salt 48)."""

    def __init__(self, d, name, key, cert):
        self.d, self.key, self.cert = os.path.join(d, 'ca-' + name), key, cert
        os.makedirs(os.path.join(self.d, 'newcerts'), exist_ok=True)
        open(os.path.join(self.d, 'index.txt'), 'w').close()
        open(os.path.join(self.d, 'serial'), 'w').write('1000\n')
        open(os.path.join(self.d, 'crlnumber'), 'w').write('01\n')

    def cnf(self, ext=''):
        p = os.path.join(self.d, 'ca.cnf')
        open(p, 'w').write(CA_CNF.format(d=self.d, ext=ext))
        return p

    def sign(self, csr, out, cn, ext_section=None, ext='', start=None, end=None):
        args = ['openssl', 'ca', '-batch', '-notext', '-config', self.cnf(ext), '-cert', self.cert, '-keyfile', self.key,
                '-in', csr, '-out', out, '-subj', '/CN=' + cn, '-md', 'sha384'] + PSS
        if ext_section:
            args += ['-extensions', ext_section]
        if start:
            args += ['-startdate', start]
        if end:
            args += ['-enddate', end]
        run(*args)
        return out

    def revoke(self, cert):
        run('openssl', 'ca', '-config', self.cnf(), '-cert', self.cert, '-keyfile', self.key, '-revoke', cert, '-md', 'sha384', *PSS)

    def crl(self, out):
        run('openssl', 'ca', '-config', self.cnf(), '-cert', self.cert, '-keyfile', self.key, '-gencrl', '-out', out,
            '-md', 'sha384', *PSS)
        return out


def rsa_key(path, bits=2048):
    run('openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', f'rsa_keygen_bits:{bits}', '-out', path)
    return path


def ec_key(path):
    run('openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', path)
    return path


def csr(key, out, cn):
    run('openssl', 'req', '-new', '-key', key, '-subj', '/CN=' + cn, '-out', out)
    return out


def self_signed(key, out, cn, days=3650):
    run('openssl', 'req', '-x509', '-new', '-key', key, '-subj', '/CN=' + cn, '-sha384', '-days', str(days), *PSS,
        '-addext', 'basicConstraints=critical,CA:true', '-out', out)
    return out


def vcek_ext(bl, tee, snp, ucode, hwid=None, fmc=None, product='Milan-B0', hwid_der=False):
    lines = ['1.3.6.1.4.1.3704.1.1 = ASN1:INTEGER:%d' % (1 if fmc is not None else 0),
             '1.3.6.1.4.1.3704.1.2 = ASN1:IA5STRING:' + product,
             '1.3.6.1.4.1.3704.1.3.1 = ASN1:INTEGER:%d' % bl,
             '1.3.6.1.4.1.3704.1.3.2 = ASN1:INTEGER:%d' % tee,
             '1.3.6.1.4.1.3704.1.3.3 = ASN1:INTEGER:%d' % snp,
             '1.3.6.1.4.1.3704.1.3.8 = ASN1:INTEGER:%d' % ucode]
    if fmc is not None:
        lines.append('1.3.6.1.4.1.3704.1.3.9 = ASN1:INTEGER:%d' % fmc)
    if hwid is not None:
        if hwid_der:
            lines.append('1.3.6.1.4.1.3704.1.4 = ASN1:FORMAT:HEX,OCTETSTRING:' + hwid.hex())
        else:
            lines.append('1.3.6.1.4.1.3704.1.4 = DER:' + hwid.hex(':'))
    return '\n'.join(lines)


class Chain:
    """ARK-<product> -> SEV-<product> -> SEV-VCEK with the given TCB and hwID."""

    def __init__(self, d, product='Milan', tcb=(4, 0, 24, 219), hwid=bytes(range(64)), fmc=None):
        os.makedirs(d, exist_ok=True)
        self.d, self.product = d, product
        self.ark_key = rsa_key(os.path.join(d, 'ark.key'))
        self.ark = self_signed(self.ark_key, os.path.join(d, 'ark.pem'), 'ARK-' + product)
        self.ask_key = rsa_key(os.path.join(d, 'ask.key'))
        self.ark_ca = CA(d, 'ark', self.ark_key, self.ark)
        self.ask = self.ark_ca.sign(csr(self.ask_key, os.path.join(d, 'ask.csr'), 'SEV-' + product),
                                    os.path.join(d, 'ask.pem'), 'SEV-' + product, 'ask_ext')
        self.ask_ca = CA(d, 'ask', self.ask_key, self.ask)
        self.tcb, self.hwid, self.fmc = tcb, hwid, fmc
        self.vcek_key, self.vcek = self.make_vcek('vcek')

    def make_vcek(self, name, tcb=None, hwid=None, fmc=None, start=None, end=None, key=None, hwid_der=False, ca=None):
        tcb = tcb or self.tcb
        hwid = self.hwid if hwid is None else hwid
        fmc = self.fmc if fmc is None else fmc
        key = key or ec_key(os.path.join(self.d, name + '.key'))
        ext = vcek_ext(*tcb, hwid=hwid, fmc=fmc, product='Turin' if self.product == 'Turin' else self.product + '-B0',
                       hwid_der=hwid_der)
        cert = (ca or self.ask_ca).sign(csr(key, os.path.join(self.d, name + '.csr'), 'SEV-VCEK'),
                                        os.path.join(self.d, name + '.pem'), 'SEV-VCEK', 'vcek_ext', ext, start, end)
        return key, cert


def der_sig_to_rs(der):
    """ECDSA-Sig-Value (SEQUENCE of two INTEGERs) to (r, s) integers."""
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7f)
    out = []
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        out.append(int.from_bytes(der[i + 2:i + 2 + n], 'big'))
        i += 2 + n
    return out


def sign_report(body, key, tmp):
    """body: 0x4a0 bytes; returns them with the signature of bytes 0..0x29f by key (openssl dgst)."""
    body = bytearray(body)
    path = os.path.join(tmp, 'tbs.bin')
    open(path, 'wb').write(bytes(body[:0x2a0]))
    der = subprocess.run(['openssl', 'dgst', '-sha384', '-sign', key, path], capture_output=True, check=True).stdout
    r, s = der_sig_to_rs(der)
    body[0x2a0:0x2e8] = r.to_bytes(72, 'little')
    body[0x2e8:0x330] = s.to_bytes(72, 'little')
    return bytes(body)


def make_report(version=3, cpuid=(0x19, 0x01, 0x01), tcb_raw=0, chip_id=bytes(range(64)), measurement=b'\x5f' * 48,
                signer_info=0, report_data=b'\0' * 64):
    b = bytearray(0x4a0)
    struct.pack_into('<IIQ', b, 0, version, 1, 0x30000)
    struct.pack_into('<II', b, 0x30, 0, 1)
    for off in (0x38, 0x180, 0x1e0, 0x1f0):
        struct.pack_into('<Q', b, off, tcb_raw)
    struct.pack_into('<Q', b, 0x40, 0x25)
    struct.pack_into('<I', b, 0x48, signer_info)
    b[0x50:0x90] = report_data
    b[0x90:0xc0] = measurement
    if version >= 3:
        b[0x188:0x18b] = bytes(cpuid)
    b[0x1a0:0x1e0] = chip_id
    return bytes(b)


def milan_tcb(bl, tee, snp, ucode):
    return bl | tee << 8 | snp << 48 | ucode << 56


def turin_tcb(fmc, bl, tee, snp, ucode):
    return fmc | bl << 8 | tee << 16 | snp << 24 | ucode << 56
