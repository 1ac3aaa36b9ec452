#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust tdx measure` against every value of tests/vectors/tdx/vectors.json (Debian 12 OVMF.fd, the Debian
kernel, the 512-byte initrd, synthetic ACPI blobs; each value confirmed by third-party tools), trustee's real OVMF
CCEL log (RTMR 0/1/2 asserted by trustee) rebuilt from the event model with the log's artifact digests, table
work sharing, variant switches and errors. TAP."""
import hashlib
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
V = os.path.join(ROOT, 'tests', 'vectors', 'tdx')
VEC = json.load(open(os.path.join(V, 'vectors.json')))
OVMF = '/usr/share/ovmf/OVMF.fd'
KERNEL = os.path.join(ROOT, 'tests', 'vectors', 'kernel', 'vmlinuz-6.1.0-56-amd64')
INITRD = os.path.join(V, 'inputs', 'initrd-test.cpio')
CMDLINE = open(os.path.join(V, 'inputs', 'cmdline.txt')).read()
ACPI = os.path.join(V, 'inputs', 'synthetic-acpi')
G = 1 << 30


def run(*args):
    return subprocess.run([CT, 'tdx', 'measure'] + list(args), capture_output=True, text=True)


def js(*args):
    p = run('--json', *args)
    try:
        return p, json.loads(p.stdout)
    except ValueError:
        return p, None


def base(*extra, kernel=True, initrd=True, acpi=True):
    a = ['--firmware', OVMF]
    if kernel:
        a += ['--kernel', KERNEL, '--append', CMDLINE]
        if initrd:
            a += ['--initrd', INITRD]
    if acpi:
        a += ['--acpi-dir', ACPI]
    return a + list(extra)


def ev(j, i):
    return {e['id']: e['digest'] for e in j['events']}.get(i)


def main():
    if not os.path.exists(OVMF) or hashlib.sha256(open(OVMF, 'rb').read()).hexdigest() != VEC['inputs']['ovmf']['sha256']:
        print(f'1..0 # SKIP {OVMF} missing or not {VEC["inputs"]["ovmf"]["debian_package"]}')
        return 0
    # MRTD, both orders, by override and by QEMU version
    p, j = js(*base('--mrtd-order', 'single-pass,two-pass', acpi=False, kernel=False))
    ok(p.returncode == 0 and [r['mrtd'] for r in j['rows']] == [VEC['mrtd']['single_pass'], VEC['mrtd']['two_pass']],
       'MRTD single-pass and two-pass = vectors', p.stderr)
    p, j = js(*base('--qemu', '1:8.2.2+ds-0ubuntu1', acpi=False, kernel=False))
    ok(p.returncode == 0 and j['mrtd'] == VEC['mrtd']['two_pass'] and j['variant']['mrtd_order'] == 'two-pass' and
       j['variant']['pic'], "QEMU package 1:8.2.2+ds-0ubuntu1 selects two-pass (and pic=on)", p.stderr)

    # TD HOB for 1-4 GiB, CFV, secure-boot, separator, boot variables
    p, j = js(*base('--memory', '1G-4G', acpi=False, kernel=False))
    hobs = VEC['td_hob_upstream_qemu']
    ok(p.returncode == 0 and [r['td_hob'] for r in j['rows']] == [hobs[str(m * G)]['sha384'] for m in (1, 2, 3, 4)],
       'TD HOB digests for 1, 2, 3, 4 GiB = vectors (tinfoil, quex)', p.stderr)
    p, j = js(*base('--edk2', '202411'))
    d = VEC['rtmr0_event_digests']
    ok(ev(j, 'cfv') == VEC['cfv_sha384'], 'CFV digest = vectors (Fraunhofer)')
    ok(all(ev(j, k.lower()) == d[k] for k in ('SecureBoot', 'PK', 'KEK', 'db', 'dbx')),
       'empty SecureBoot/PK/KEK/db/dbx event digests = vectors')
    ok(ev(j, 'separator-0') == d['separator'] and ev(j, 'bootorder') == d['BootOrder_0000'] and
       ev(j, 'boot0000') == d['Boot0000_UiApp'], 'separator, BootOrder, UiApp Boot0000 = vectors')
    ok(all(e['rule'] and e['what'] for e in j['events']), 'every event says what was hashed and by which rule')

    # RTMR 0 with the synthetic ACPI blobs
    for key, want in VEC['rtmr0_synthetic_acpi'].items():
        mem = int(key.split()[0].split('=')[1])
        edk2 = '202411' if '>=202411' in key else '202408'
        p, j = js(*base('--memory', str(mem), '--edk2', edk2))
        ok(p.returncode == 0 and j['rtmr']['rtmr_0'] == want, f'RTMR0 {key} = vectors (Fraunhofer order)',
           p.stderr or j['rtmr'])

    # kernel Authenticode, patched and unpatched
    for key, want in VEC['kernel_authenticode_sha384'].items():
        if key == 'unpatched':
            p, j = js(*base('--kernel-header', 'unpatched', acpi=False))
        else:
            mem = int(key.split('mem=')[1].split()[0])
            p, j = js(*base('--memory', str(mem), '--kernel-header', 'patched', acpi=False,
                            initrd='no_initrd' not in key))
        ok(p.returncode == 0 and j['trustee']['tdvfkernel'] == want, f'kernel Authenticode {key} = vectors',
           p.stderr or j['trustee'])
    p, j = js(*base('--qemu', '10.1', '--memory', '2G', acpi=False))
    ok(j['variant']['kernel_header'] == 'patched' and
       j['trustee']['tdvfkernel'] == VEC['kernel_authenticode_sha384']['qemu_patched mem=2147483648 initrd_size=512'],
       'QEMU 10.1 selects the patched header')

    # RTMR 1
    r1 = VEC['rtmr1_direct']
    cases = [('unpatched edk2>=202411', ['--edk2', '202411', '--qemu', '10.2']),
             ('unpatched edk2<=202408', ['--edk2', 'edk2-stable202408.01', '--qemu', '10.2']),
             ('patched mem=2GiB initrd edk2>=202411', ['--edk2', '202502', '--qemu', '9.2']),
             ('patched mem=2GiB initrd edk2<=202408', ['--edk2', '2024.02-3+tdx1.0', '--qemu', '9.2'])]
    for key, args in cases:
        p, j = js(*base(*args, acpi=False))
        ok(p.returncode == 0 and j['rtmr']['rtmr_1'] == r1[key], f'RTMR1 {key} ({" ".join(args)}) = vectors',
           p.stderr or j['rtmr'])
    e1 = VEC['rtmr1_event_digests']
    ok(ev(j, 'calling-efi-app') == e1['calling_efi_app'] and ev(j, 'ebs-invocation') == e1['ebs_invocation'] and
       ev(j, 'ebs-success') == e1['ebs_success'], 'EFI action digests = vectors')
    ok(j['variant']['separator_rtmr'] == 0, "Canonical's TDVF 2024.02-3+tdx1.0 puts the separator in RTMR 0")

    # RTMR 2
    r2 = VEC['rtmr2_direct']
    for style, edk2 in (('suffix', '202505'), ('prefix', '202508')):
        p, j = js(*base('--edk2', edk2, acpi=False))
        ok(p.returncode == 0 and j['trustee']['tdvfkernelparams'] == r2[style]['load_options_sha384'] and
           j['rtmr']['rtmr_2'] == r2[style]['rtmr2_cmdline_and_initrd'],
           f'RTMR2 {style} marker (--edk2 {edk2}): LoadOptions and cmdline+initrd = vectors', p.stderr)
        p, j = js(*base('--initrd-marker', style, '--stub', 'cmdline', acpi=False))
        ok(p.returncode == 0 and j['rtmr']['rtmr_2'] == r2[style]['rtmr2_cmdline_only'],
           f'RTMR2 {style} marker, stub measures the cmdline only = vectors', p.stderr)
    ok(ev(j, 'initrd') is None, '--stub cmdline: no initrd event')
    p, j = js(*base('--edk2', '202411', '--stub', 'cmdline+initrd', initrd=False, acpi=False))
    ok(p.returncode == 0 and j['trustee']['tdvfkernelparams'] == r2['no_initrd']['load_options_sha384'] and
       j['rtmr']['rtmr_2'] == r2['no_initrd']['rtmr2'], 'RTMR2 without initrd = vectors', p.stderr)
    p, j = js(*base(acpi=False))
    ok(ev(j, 'initrd') == r2['initrd_sha384'], 'initrd event digest = vectors')

    # trustee's real OVMF log rebuilt: computed TD HOB (2 GiB), variables, separators, actions; CFV, ACPI, kernel,
    # LoadOptions and initrd digests taken from the log (their artifacts are not published)
    b = open(os.path.join(V, 'quotes', 'trustee_CCEL_data_ovmf.bin'), 'rb').read()
    o = 32 + struct.unpack_from('<I', b, 28)[0]
    evs = []
    while o + 8 <= len(b):
        mr, typ = struct.unpack_from('<II', b, o)
        if typ == 0xffffffff:
            break
        q = o + 12
        dg = b[q + 2:q + 50].hex()
        esz = struct.unpack_from('<I', b, q + 50)[0]
        evs.append((mr, typ, dg))
        o = q + 54 + esz
    given = {1: 'cfv', 8: 'acpi-loader', 9: 'acpi-rsdp', 10: 'acpi-tables', 11: 'kernel', 16: 'load-options',
             17: 'initrd'}
    args = []
    for i, name in given.items():
        args += ['--digest', f'{name}={evs[i][2]}']
    p, j = js(*base('--edk2', '202408', '--memory', '2G', *args))
    want = {'rtmr_0': '8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90abe193',
            'rtmr_1': '775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc210c13c6',
            'rtmr_2': '94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf25f34a'}
    ok(p.returncode == 0 and j['rtmr'] == want, "trustee CCEL_data_ovmf: RTMR 0/1/2 trustee asserts, from the event "
       "model (edk2 <= 202408, 2 GiB) with the log's artifact digests", p.stderr or j['rtmr'])
    ok(ev(j, 'td-hob') == evs[0][2], "the log's TD HOB event = our 2 GiB TD HOB")

    # tables share work
    p, j = js(*base('--memory', '1G,2G,4G', '--kernel-header', 'patched', '--vcpus', '1-3', acpi=False))
    ok(p.returncode == 0 and len(j['rows']) == 9 and j['authenticode_computations'] == 2,
       'table 3 memory sizes x 3 vCPU counts, patched: 2 Authenticode computations (1 GiB and >= 2 GiB differ)',
       p.stderr or j.get('authenticode_computations'))
    p, j = js(*base('--memory', '1G-16G', '--edk2', '202408,202411', acpi=False))
    per_row = 440 + 48 * 8 // 8
    ok(p.returncode == 0 and len(j['rows']) == 32 and j['authenticode_computations'] == 1 and
       j['firmware_bytes_hashed'] < 480 * 6272 + 60 * 128 + 0x20000 + 32 * 600,
       'table 16 sizes x 2 edk2 versions: MRTD, CFV and Authenticode once, one TD HOB hash per row',
       j and j['firmware_bytes_hashed'])

    # the kernel's version string, and what an older EFI stub means for RTMR 2
    p, j = js(*base(acpi=False))
    ok(j['inputs']['kernel_version'].startswith('6.1.0-56-amd64 ') and 'older than Linux 6.9' in j['kernel_note'],
       'Debian 6.1 kernel: version read from the setup header, note that its stub leaves RTMR 2 empty', j['inputs'])
    p, j = js(*base('--stub', 'none', acpi=False))
    ok(j['rtmr']['rtmr_2'] == '00' * 48 and 'kernel_note' not in j, '--stub none: RTMR 2 stays zero, no note')

    # variants and errors
    p = run(*base('--edk2', '2019.11'))
    ok(p.returncode == 2 and 'edk2-stable202411' in p.stderr and 'unknown edk2 version' in p.stderr,
       'unknown edk2 version: exit 2 listing the known ones', p.stderr)
    p = run(*base('--qemu', '7.2+dfsg-7'))
    ok(p.returncode == 2 and 'no TDX support' in p.stderr and '10.2' in p.stderr,
       'QEMU 7.2: exit 2, no TDX support, known list', p.stderr)
    p = run(*base())
    ok(p.returncode == 0 and 'edk2-stable202511' in p.stdout and 'QEMU 10.2' in p.stdout and
       'RTMR0:  unknown' in p.stdout and 'fw_cfg' in p.stdout,
       'default = newest upstream (edk2-stable202511, QEMU 10.2), says so; RTMR0 unknown without the 202505 inputs',
       p.stdout[:600])
    p, j = js(*base('--edk2', '2022.11-6+deb12u2', acpi=False))
    ok(p.returncode == 0 and not j['variant']['firmware_measures_rtmr'] and 'predates' in j['note'],
       "Debian 12's OVMF 2022.11: output says the firmware predates RTMR measurement", p.stderr)
    with tempfile.TemporaryDirectory() as d:
        bm = os.path.join(d, 'bootmenu')
        open(bm, 'wb').write(b'\0\0')
        p, j = js(*base('--fwcfg-item', f'BootMenu={bm}', '--smbios-digest', '00' * 48, '--boot-var',
                        f'BootOrder={bm}'))
        ok(p.returncode == 0 and j['rtmr']['rtmr_0'] and [e['id'] for e in j['events'][:3]] ==
           ['td-hob', 'cfv', 'fwcfg-0'], 'edk2 >= 202505 with its inputs given: RTMR0 computed', p.stderr)
    if os.path.exists('/usr/share/OVMF/OVMF_CODE_4M.fd'):
        p = run('--firmware', '/usr/share/OVMF/OVMF_CODE_4M.fd')
        ok(p.returncode == 2 and 'no TDX metadata' in p.stderr, 'OVMF_CODE_4M.fd: no TDX metadata', p.stderr)
    if os.path.exists('/usr/share/OVMF/OVMF_CODE.fd'):
        p = run('--firmware', '/usr/share/OVMF/OVMF_CODE.fd')
        ok(p.returncode == 2 and '--vars' in p.stderr, 'split OVMF_CODE.fd: error suggests --vars', p.stderr)
        p, j = js('--firmware', '/usr/share/OVMF/OVMF_CODE.fd', '--vars', '/usr/share/OVMF/OVMF_VARS.fd')
        ok(p.returncode == 0 and j['mrtd'] == VEC['mrtd']['single_pass'], 'OVMF_CODE.fd + --vars OVMF_VARS.fd = '
           'OVMF.fd MRTD', p.stderr)
    p = run('--firmware', OVMF, '--acpi-dir', '/nonexistent')
    ok(p.returncode == 2 and 'etc/table-loader' in p.stderr, 'missing ACPI blobs: names the file', p.stderr)
    p = run('--firmware', OVMF, '--memory', '3X')
    ok(p.returncode == 2 and '--memory' in p.stderr, 'bad --memory: usage error', p.stderr)
    p = run('--help')
    ok(p.returncode == 0 and '--separator-rtmr' in p.stdout and 'edk2-stable202511' in p.stdout, '--help lists '
       'the variant switches and the known versions')
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
