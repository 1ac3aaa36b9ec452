#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust snp report show|verify` on every real sample: each decoded field against
tests/vectors/evidence/snp/EXPECTED.json (from the shared oracle and the source repos' own
tests), the chain and signature of each sample, the VLEK's expiry, v2's Trustee warning,
malformed reports with their offsets. TAP."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ROOT, CT, ok  # noqa: E402
tap.state.max_diag = 40
VEC = os.path.join(ROOT, 'tests', 'vectors', 'evidence', 'snp')
EXP = json.load(open(os.path.join(VEC, 'EXPECTED.json')))


def ct(*args, stdin=None):
    return subprocess.run([CT] + list(args), capture_output=True, text=True, input=stdin)


def v(name):
    return os.path.join(VEC, name)


CHAINS = {
    'msft-tav_milan_attestation_report.bin': ['msft-tav_milan_vcek.pem', 'msft-tav_milan_ask.pem', 'msft-tav_milan_ark.pem'],
    'msft-tav_genoa_attestation_report.bin': ['msft-tav_genoa_vcek.pem', 'msft-tav_genoa_ask.pem', 'msft-tav_genoa_ark.pem'],
    'msft-tav_turin_attestation_report.bin': ['msft-tav_turin_vcek.pem', 'msft-tav_turin_ask.pem', 'msft-tav_turin_ark.pem'],
    'teekit_sev-gcp_v5.bin': ['teekit_sev-gcp-vcek.pem', 'trustee_milan_ask_ark_asvk.pem'],
    'trustee_snp_test-report_v2.bin': ['trustee_snp_test-vcek.der', 'trustee_milan_ask_ark_asvk.pem'],
}

# ---- show: every field of every sample against EXPECTED.json
for rep in EXP['reports']:
    f = rep['file']
    e = rep['parsed']
    p = ct('snp', 'report', 'show', '--json', v(f))
    if p.returncode != 0:
        ok(False, f'show {f}', p.stderr)
        continue
    j = json.loads(p.stdout)
    diffs = []

    def same(key, got, want):
        if got != want:
            diffs.append(f'{key}: got {got!r}, expected {want!r}')

    same('schema_version', j['schema_version'], 1)
    for k in ('version', 'guest_svn', 'policy', 'family_id', 'image_id', 'vmpl', 'signature_algo', 'platform_info',
              'report_data', 'measurement', 'host_data', 'id_key_digest', 'author_key_digest', 'report_id',
              'report_id_ma', 'chip_id', 'current_build_minor_major', 'committed_build_minor_major',
              'signature_r_le', 'signature_s_le'):
        same(k, j[k], e[k])
    for k in ('current_tcb', 'reported_tcb', 'committed_tcb', 'launch_tcb'):
        same(k, j[k], e[k])
    pd = e['policy_decoded']
    same('abi_minor', j['policy_decoded']['abi_minor'], pd['abi_minor'])
    same('abi_major', j['policy_decoded']['abi_major'], pd['abi_major'])
    for mine, theirs in (('SMT', 'smt_allowed'), ('RESERVED1', 'reserved_bit17_must_be_1'), ('MIGRATE_MA', 'migrate_ma'),
                         ('DEBUG', 'debug'), ('SINGLE_SOCKET', 'single_socket'), ('CXL_ALLOW', 'cxl_allow'),
                         ('MEM_AES_256_XTS', 'mem_aes_256_xts'), ('RAPL_DIS', 'rapl_dis'),
                         ('CIPHERTEXT_HIDING', 'ciphertext_hiding'), ('PAGE_SWAP_DISABLE', 'page_swap_disable')):
        same('policy.' + mine, j['policy_decoded'][mine], pd[theirs])
    pi = e['platform_info_decoded']
    for mine, theirs in (('SMT_EN', 'smt_enabled'), ('TSME_EN', 'tsme_enabled'), ('ECC_EN', 'ecc_enabled'),
                         ('RAPL_DIS', 'rapl_disabled'), ('CIPHERTEXT_HIDING_EN', 'ciphertext_hiding_enabled'),
                         ('ALIAS_CHECK_COMPLETE', 'alias_check_complete')):
        same('platform.' + mine, j['platform_info_decoded'][mine], pi[theirs])
    same('platform bit 6 (unknown)', int(j['platform_info_decoded']['unknown_bits'], 16) & 0x40 != 0,
         rep['platform_info_bit6_set'])
    same('platform SEV_TIO_EN', j['platform_info_decoded']['SEV_TIO_EN'], rep['platform_info_bit7_sev_tio'])
    same('signer_info', j['signer_info']['raw'], e['signer_info(author_key_en|mask_chip_key|signing_key)'])
    cpuid = e['cpuid_fam_mod_step(v3+)']
    same('cpuid', [j['cpuid'][x] for x in ('family', 'model', 'stepping')] if j['cpuid'] else None, cpuid)
    if e['version'] >= 5:
        same('launch_mit_vector', j['launch_mit_vector'], e['launch_mit_vector(v5)'])
        same('current_mit_vector', j['current_mit_vector'], e['current_mit_vector(v5)'])
    else:
        same('mit vectors absent before v5', (j['launch_mit_vector'], j['current_mit_vector']), (None, None))
    same('trustee_accepts_version', j['trustee_accepts_version'], rep['trustee_accepts_version'])
    ok(not diffs, f'show --json {f}: every field equals EXPECTED.json (v{e["version"]})', '\n'.join(diffs))

# Turin: the text output shows the FMC first and bit 6 as unknown, never refused
p = ct('snp', 'report', 'show', v('msft-tav_turin_attestation_report.bin'))
ok(p.returncode == 0 and 'fmc 1 bl 1 tee 1 snp 4 ucode 81' in p.stdout and 'unknown:0x40' in p.stdout
   and 'Turin (from CPUID)' in p.stdout, 'show Turin: FMC layout, platform_info bit 6 shown as unknown', p.stdout)

# hex input (virtee report_milan.hex): SOURCES.md values
p = ct('snp', 'report', 'show', '--json', v('virtee-sev_report_milan.hex'))
j = json.loads(p.stdout) if p.returncode == 0 else {}
ok(j.get('version') == 2 and j.get('measurement') == '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f'
   and j.get('reported_tcb', {}).get('raw') == '0x7308000000000003' and j.get('policy') == '0x30000',
   'show hex input (virtee report_milan.hex): version, measurement, reported TCB, policy', p.stdout + p.stderr)
# stdin
p = subprocess.run([CT, 'snp', 'report', 'show', '--json', '-'], capture_output=True,
                   input=open(v('msft-tav_genoa_attestation_report.bin'), 'rb').read())
ok(p.returncode == 0 and json.loads(p.stdout)['cpuid']['model'] == 0x11, 'show - reads stdin (Genoa 19h/11h)', p.stderr)

# VLEK report (trustee): SOURCES.md values
p = ct('snp', 'report', 'show', '--json', v('trustee_snp_test-vlek-report.bin'))
j = json.loads(p.stdout) if p.returncode == 0 else {}
ok(j.get('vmpl') == 1 and j.get('signer_info', {}).get('signing_key_name') == 'vlek'
   and j.get('reported_tcb', {}).get('raw') == '0xd918000000000004' and j.get('platform_info') == '0x27',
   'show VLEK report: VMPL 1, SIGNING_KEY VLEK, reported TCB, platform_info', p.stdout + p.stderr)

# ---- verify every sample with its chain
for f, chain in CHAINS.items():
    args = ['snp', 'report', 'verify', '--json', v(f), '--vcek', v(chain[0])]
    for c in chain[1:]:
        args += ['--ca', v(c)]
    p = ct(*args)
    j = json.loads(p.stdout) if p.stdout else {}
    checks = {c['name']: c for c in j.get('checks', [])}
    want = ['report_signature', 'vcek_signature', 'ask_signature', 'ark_self_signed', 'vcek_tcb_bl', 'vcek_tcb_tee',
            'vcek_tcb_snp', 'vcek_tcb_ucode', 'vcek_hwid']
    if 'turin' in f:
        want.append('vcek_tcb_fmc')
    ok(p.returncode == 0 and j.get('ok') is True and all(checks.get(w, {}).get('status') == 'pass' for w in want),
       f'verify {f}: signature, chain, TCB and hwID hold', p.stdout[-3000:] + p.stderr)
    if 'v2' in f:
        ok(checks.get('report_version', {}).get('status') == 'warn' and 'Trustee rejects' in checks['report_version']['reason'],
           'verify v2: warns that Trustee rejects versions below 3', checks.get('report_version'))

# the virtee hex v2 report with its DER VCEK and the Milan chain, product given
p = ct('snp', 'report', 'verify', v('virtee-sev_report_milan.hex'), '--vcek', v('virtee-sev_vcek_milan.der'),
       '--ca', v('trustee_milan_ask_ark_asvk.pem'), '--product', 'milan')
ok(p.returncode == 0 and 'result: OK' in p.stdout, 'verify hex v2 report (virtee) with --product milan', p.stdout + p.stderr)

# VLEK: expired in December 2025 -> fails saying "expired"; at 2025-06-01 everything holds
vl = ['snp', 'report', 'verify', v('trustee_snp_test-vlek-report.bin'), '--vlek', v('trustee_snp_test-vlek.der'),
      '--ca', v('trustee_milan_ask_ark_asvk.pem')]
p = ct(*vl)
ok(p.returncode == 1 and 'expired' in p.stdout and 'FAILED: 1 of' in p.stdout and 'vcek_validity' in p.stdout,
   'verify VLEK without --at: exit 1, only the VLEK validity fails, saying "expired"', p.stdout + p.stderr)
p = ct(*vl, '--at', '2025-06-01', '--vmpl', '1')
ok(p.returncode == 0 and 'signed by the ASVK' in p.stdout, 'verify VLEK --at 2025-06-01: chain through the ASVK holds',
   p.stdout + p.stderr)

# --certs DIR in the snpguest layout (ark.pem ask.pem vcek.pem) and Trustee's offline store
with tempfile.TemporaryDirectory() as d:
    import shutil
    shutil.copy(v('msft-tav_genoa_ark.pem'), os.path.join(d, 'ark.pem'))
    shutil.copy(v('msft-tav_genoa_ask.pem'), os.path.join(d, 'ask.pem'))
    shutil.copy(v('msft-tav_genoa_vcek.pem'), os.path.join(d, 'vcek.pem'))
    p = ct('snp', 'report', 'verify', v('msft-tav_genoa_attestation_report.bin'), '--certs', d)
    ok(p.returncode == 0, '--certs DIR: snpguest layout (ark.pem, ask.pem, vcek.pem)', p.stdout + p.stderr)
with tempfile.TemporaryDirectory() as d:
    shutil.copy(v('trustee_milan_ask_ark_asvk.pem'), os.path.join(d, 'cert_chain.pem'))
    hw = [r for r in EXP['reports'] if r['file'] == 'trustee_snp_test-report_v2.bin'][0]['parsed']['chip_id']
    os.makedirs(os.path.join(d, 'vcek', hw))
    shutil.copy(v('trustee_snp_test-vcek.der'), os.path.join(d, 'vcek', hw, 'bl03_tee00_snp08_ucode115'))
    p = ct('snp', 'report', 'verify', v('trustee_snp_test-report_v2.bin'), '--certs', d, '--product', 'milan')
    ok(p.returncode == 0, "--certs DIR: Trustee's offline store vcek/<hwid>/bl03_tee00_snp08_ucode115", p.stdout + p.stderr)
    hw = [r for r in EXP['reports'] if r['file'] == 'msft-tav_turin_attestation_report.bin'][0]['parsed']['chip_id'][:16]
    os.makedirs(os.path.join(d, 'vcek', hw))
    shutil.copy(v('msft-tav_turin_vcek.pem'), os.path.join(d, 'vcek', hw, 'bl01_tee01_snp04_ucode81_fmc01'))
    shutil.copy(v('trustee_turin_ask_ark_asvk.pem'), os.path.join(d, 'ask.pem'))
    p = ct('snp', 'report', 'verify', v('msft-tav_turin_attestation_report.bin'), '--certs', d)
    ok(p.returncode == 0, "--certs DIR: Turin in the offline store (8-byte hwid, _fmc01), Turin chain from trustee",
       p.stdout + p.stderr)

# every expectation of a real report, all at once; then all wrong: every one listed
M = [r for r in EXP['reports'] if r['file'] == 'msft-tav_milan_attestation_report.bin'][0]['parsed']
base = ['snp', 'report', 'verify', '--json', v('msft-tav_milan_attestation_report.bin'), '--vcek', v('msft-tav_milan_vcek.pem'),
        '--ca', v('msft-tav_milan_ask.pem'), '--ca', v('msft-tav_milan_ark.pem')]
good = ['--measurement', '00' * 48, '--measurement', M['measurement'], '--host-data', M['host_data'],
        '--report-data', M['report_data'], '--id-key-digest', M['id_key_digest'], '--vmpl', '0', '--policy-no-debug',
        '--policy-no-migrate', '--min-tcb', 'bl=4,tee=0,snp=24,ucode=219', '--min-launch-tcb', 'bl=4,snp=24']
p = ct(*base, *good)
ok(p.returncode == 0, 'every expectation of the Milan report holds (a table of 2 measurements)', p.stdout[-2000:] + p.stderr)
bad = ['--measurement', '11' * 48, '--host-data', '22', '--report-data', '33', '--id-key-digest', '44' * 48,
       '--author-key-digest', '55' * 48, '--vmpl', '2', '--min-tcb', 'bl=5,tee=1,snp=25,ucode=220',
       '--min-launch-tcb', 'ucode=250', '--min-mit-vector', '0x1']
p = ct(*base, *bad)
j = json.loads(p.stdout) if p.stdout else {}
want = {'measurement', 'host_data', 'report_data', 'id_key_digest', 'author_key_digest', 'vmpl', 'min_tcb_bl',
        'min_tcb_tee', 'min_tcb_snp', 'min_tcb_ucode', 'min_launch_tcb_ucode', 'min_mit_vector'}
ok(p.returncode == 1 and set(j.get('failed', [])) == want, 'every wrong expectation is listed (12 failed checks, not the first)',
   f'{p.returncode} {j.get("failed")}')

# wrong product for a v3 report
p = ct(*base, '--product', 'genoa')
j = json.loads(p.stdout) if p.stdout else {}
ok(p.returncode == 1 and 'product' in j.get('failed', []), '--product genoa on a Milan (CPUID) report fails "product"', j.get('failed'))

# ---- malformed input: exit 2 with the offset
rep = open(v('msft-tav_milan_attestation_report.bin'), 'rb').read()
with tempfile.TemporaryDirectory() as d:
    for cut in (0, 0x100, 0x2a0, 0x49f):
        path = os.path.join(d, f'cut{cut}')
        open(path, 'wb').write(rep[:cut])
        p = ct('snp', 'report', 'show', path)
        ok(p.returncode == 2 and path in p.stderr and f'0x{cut:x}' in p.stderr,
           f'report cut at 0x{cut:x}: exit 2 naming the file and the offset', p.stderr)
    path = os.path.join(d, 'trail')
    open(path, 'wb').write(rep + b'\0\0\x01')
    p = ct('snp', 'report', 'show', path)
    ok(p.returncode == 2 and '0x4a2' in p.stderr, 'non-zero trailing byte: exit 2 at offset 0x4a2', p.stderr)
    path = os.path.join(d, 'pad')
    open(path, 'wb').write(rep + b'\0' * 16)
    ok(ct('snp', 'report', 'show', path).returncode == 0, 'zero padding after the report is accepted')
    path = os.path.join(d, 'badcert')
    open(path, 'wb').write(b'-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')
    p = ct('snp', 'report', 'verify', v('msft-tav_milan_attestation_report.bin'), '--vcek', path)
    ok(p.returncode == 2 and 'badcert' in p.stderr, 'unparsable certificate: exit 2 naming the file', p.stderr)
    path = os.path.join(d, 'unk')
    r2 = bytearray(rep)
    r2[0] = 9
    r2[0x8 + 3] |= 0x80      # policy bit 31
    r2[0x48] |= 0x20         # signer info bit 5
    r2[0x400] = 0xaa         # reserved
    open(path, 'wb').write(r2)
    p = ct('snp', 'report', 'show', '--json', path)
    j = json.loads(p.stdout) if p.returncode == 0 else {}
    ok(p.returncode == 0 and j['version'] == 9 and j['policy_decoded']['unknown_bits'] == '0x80000000'
       and j['signer_info']['unknown_bits'] == '0x20' and {'offset': 0x400, 'length': 1, 'bytes': 'aa'} in j['reserved_nonzero'],
       'unknown version, policy bit, signer bit and reserved byte: shown as such, never refused', p.stdout[-800:] + p.stderr)

# the second Turin VCEK (virtee/sev) with the KDS Turin chain: its chain holds and its 8-byte hwID is read,
# but it belongs to another chip and TCB than the msft Turin report: exactly those checks fail
p = ct('snp', 'report', 'verify', '--json', v('msft-tav_turin_attestation_report.bin'), '--vcek', v('virtee-sev_vcek_turin.der'),
       '--ca', v('virtee-sev_cert_chain_turin.pem'))
j = json.loads(p.stdout) if p.stdout else {}
st = {c['name']: c['status'] for c in j.get('checks', [])}
ok(p.returncode == 1 and st.get('vcek_signature') == 'pass' and st.get('ask_signature') == 'pass'
   and st.get('ark_self_signed') == 'pass' and 'vcek_hwid' in j['failed'] and 'report_signature' in j['failed'],
   'virtee Turin VCEK + KDS Turin chain: chain holds; another chip (hwID, signature) fails', j.get('failed'))
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, 'junk.der')
    open(path, 'wb').write(b'\x30\x03\x02\x01\x01')
    p = ct('snp', 'report', 'verify', v('msft-tav_milan_attestation_report.bin'), '--vcek', path)
    ok(p.returncode == 2 and 'junk.der' in p.stderr and 'offset' in p.stderr, 'DER that is not a certificate: exit 2 with the offset',
       p.stderr)

p = ct('snp', 'report', 'verify', '--help')
ok(p.returncode == 0 and all(o in p.stdout for o in ('--certs', '--vcek', '--vlek', '--ca', '--crl', '--product',
   '--measurement', '--host-data', '--report-data', '--id-key-digest', '--author-key-digest', '--vmpl', '--policy-no-debug',
   '--policy-no-migrate', '--min-tcb', '--min-launch-tcb', '--min-mit-vector', '--at', '--json', '--batch', 'Exit status')),
   'verify --help explains every option and the exit statuses')
p = ct('snp', 'report', 'verfy')
ok(p.returncode == 2 and "did you mean 'snp report verify'" in p.stderr, 'misspelt sub-verb: did you mean', p.stderr)

sys.exit(tap.done())
