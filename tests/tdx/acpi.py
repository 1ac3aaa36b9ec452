#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cocotrust tdx acpi-dump` against the installed QEMU under TCG (3 boots of the Debian kernel in
tests/vectors/kernel): the dumped blobs are a consistent set of ACPI tables as QEMU passes them (the RSDP ->
RSDT/XSDT -> every table and FADT -> DSDT/FACS links resolved through the table-loader's ADD_POINTER commands,
every signature and checksum after running the loader's commands, every checksum command covering exactly one
table), two dumps of one shape are identical, a dump with another vCPU count differs table by table only in the
MADT (APIC) and the DSDT (its CPU devices) — the tables' positions aside —, and `tdx measure --acpi-dir` takes a dump: its acpi-tables event
digest is `openssl dgst -sha384` of the dumped file. Each dump's --json validates against
schemas/tdx-acpi-dump.schema.json and gives the sizes and SHA-384 of the files written. Usage errors without a boot. TAP."""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.environ.get('CT_SOURCE_ROOT', os.path.join(os.path.dirname(__file__), '..', '..'))
CT = os.environ['COCOTRUST']
KERNEL = os.path.join(ROOT, 'tests', 'vectors', 'kernel', 'vmlinuz-6.1.0-56-amd64')
OVMF = '/usr/share/ovmf/OVMF.fd'
t = fails = 0


def ok(cond, name, diag=''):
    global t, fails
    t += 1
    print(f'{"ok" if cond else "not ok"} {t} - {name}', flush=True)
    if not cond:
        fails += 1
        for line in str(diag).splitlines()[:20]:
            print(f'#   {line}')


def skip_case(name, why):
    global t
    t += 1
    print(f'ok {t} - {name} # SKIP {why}', flush=True)


def dump(out, vcpus, mem=512):
    return subprocess.run([CT, 'tdx', 'acpi-dump', '--kernel', KERNEL, '--vcpus', str(vcpus), '--memory',
                           str(mem), '--timeout', '900', '-o', out, '--json'], capture_output=True, text=True)


def schema_validator():
    """schemas/tdx-acpi-dump.schema.json (python3-jsonschema), or None when jsonschema is missing."""
    try:
        import jsonschema
    except ImportError:
        return None
    with open(os.path.join(ROOT, 'schemas', 'tdx-acpi-dump.schema.json'), encoding='utf-8') as f:
        s = json.load(f)
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def load(d):
    return {n: open(os.path.join(d, n), 'rb').read() for n in ('etc/table-loader', 'etc/acpi/rsdp',
                                                                'etc/acpi/tables')}


def cstr(b):
    return b.split(b'\0', 1)[0].decode()


def run_loader(files):
    """Run the table-loader's commands as firmware does; return (patched files, bases, problems, checksummed)."""
    loader = files['etc/table-loader']
    mem = {n: bytearray(b) for n, b in files.items() if n != 'etc/table-loader'}
    base, nxt, problems, sums = {}, 0x100000, [], []
    for i in range(0, len(loader) // 128 * 128, 128):
        cmd = struct.unpack_from('<I', loader, i)[0]
        if cmd == 1:
            name = cstr(loader[i + 4:i + 60])
            align = struct.unpack_from('<I', loader, i + 60)[0]
            if name not in mem or align == 0 or align & (align - 1):
                problems.append(f'ALLOCATE {name} align {align}')
                continue
            nxt = (nxt + align - 1) // align * align
            base[name] = nxt
            nxt += len(mem[name]) + 0x1000
        elif cmd == 2:
            dst, src = cstr(loader[i + 4:i + 60]), cstr(loader[i + 60:i + 116])
            off, size = struct.unpack_from('<IB', loader, i + 116)
            if dst not in base or src not in base or size not in (1, 2, 4, 8) or off + size > len(mem[dst]):
                problems.append(f'ADD_POINTER {dst} {src} {off} {size}')
                continue
            v = int.from_bytes(mem[dst][off:off + size], 'little')
            if v >= len(mem[src]):
                problems.append(f'ADD_POINTER {dst}+{off}: offset {v} outside {src}')
            mem[dst][off:off + size] = ((v + base[src]) % (1 << (8 * size))).to_bytes(size, 'little')
        elif cmd == 3:
            name = cstr(loader[i + 4:i + 60])
            res, start, length = struct.unpack_from('<III', loader, i + 60)
            if name not in base or start + length > len(mem[name]) or not start <= res < start + length:
                problems.append(f'ADD_CHECKSUM {name} {res} {start} {length}')
                continue
            mem[name][res] = 0
            mem[name][res] = (-sum(mem[name][start:start + length])) & 0xff
            sums.append((name, start, length, res))
        elif cmd != 0:
            problems.append(f'command {cmd}')
    return mem, base, problems, sums


def walk(files):
    """RSDP -> RSDT/XSDT -> tables, FADT -> DSDT/FACS. Returns ({sig: (offset, length)}, problems)."""
    mem, base, problems, sums = run_loader(files)
    tb, tables = mem['etc/acpi/tables'], {}
    rsdp = mem['etc/acpi/rsdp']
    if rsdp[:8] != b'RSD PTR ' or sum(rsdp[:20]) & 0xff:
        problems.append('RSDP signature or checksum')
        return tables, problems
    tbase = base.get('etc/acpi/tables', 0)

    def table(addr, what, checksum=True):
        off = addr - tbase
        if off < 0 or off + 8 > len(tb):
            problems.append(f'{what}: address {addr:#x} outside etc/acpi/tables')
            return None
        sig, length = tb[off:off + 4].decode('latin1'), struct.unpack_from('<I', tb, off + 4)[0]
        if not (sig.isalnum() and sig.isupper() or sig.isdigit() or sig in ('FACS',)) or off + length > len(tb):
            problems.append(f'{what}: signature {sig!r} length {length}')
            return None
        if checksum and sum(tb[off:off + length]) & 0xff:
            problems.append(f'{what} {sig}: checksum')
        if checksum and not any(s == off and ln == length and r == off + 9 for _, s, ln, r in sums):
            problems.append(f'{what} {sig}: no ADD_CHECKSUM command covers exactly this table')
        if sig in tables:
            problems.append(f'{sig}: twice')
        tables[sig] = (off, length)
        return off, sig, length

    rev = rsdp[15]
    if rev >= 2 and struct.unpack_from('<Q', rsdp, 24)[0]:
        root, width = struct.unpack_from('<Q', rsdp, 24)[0], 8
    else:
        root, width = struct.unpack_from('<I', rsdp, 16)[0], 4
    r = table(root, 'RSDP root')
    if not r:
        return tables, problems
    off, sig, length = r
    if sig != ('XSDT' if width == 8 else 'RSDT'):
        problems.append(f'root table {sig}')
    for e in range(off + 36, off + length, width):
        a = int.from_bytes(tb[e:e + width], 'little')
        x = table(a, f'{sig} entry at {e - off}')
        if x and x[1] == 'FACP':
            fo = x[0]
            table(struct.unpack_from('<I', tb, fo + 36)[0], 'FADT FIRMWARE_CTRL', checksum=False)
            table(struct.unpack_from('<I', tb, fo + 40)[0], 'FADT DSDT')
    return tables, problems


def main():
    qemu = shutil.which('qemu-system-x86_64')
    if not qemu:
        print('1..0 # SKIP qemu-system-x86_64 is not installed')
        return 0
    p = subprocess.run([CT, 'tdx', 'acpi-dump', '--qemu', '/nonexistent/qemu', '--kernel', KERNEL, '--vcpus', '1',
                        '--memory', '512', '-o', '/nonexistent/x'], capture_output=True, text=True)
    if 'not available' in p.stderr:
        print('1..0 # SKIP this build has no static libc for the guest /init (libc6-dev)')
        return 0
    tmp = tempfile.mkdtemp(prefix='ct-acpi-')
    try:
        return tests(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def tests(tmp):
    # usage, no boot
    p = subprocess.run([CT, 'tdx', 'acpi-dump', '--vcpus', '2', '-o', tmp + '/x'], capture_output=True, text=True)
    ok(p.returncode == 2 and 'required' in p.stderr, 'missing --kernel/--memory: exit 2', p.stderr)
    p = subprocess.run([CT, 'tdx', 'acpi-dump', '--kernel', KERNEL, '--vcpus', '0', '--memory', '512', '-o',
                        tmp + '/x'], capture_output=True, text=True)
    ok(p.returncode == 2 and '--vcpus' in p.stderr, '--vcpus 0: exit 2', p.stderr)
    p = subprocess.run([CT, 'tdx', 'acpi-dump', '--qemu', '/nonexistent/qemu', '--kernel', KERNEL, '--vcpus', '1',
                        '--memory', '512', '-o', tmp + '/x'], capture_output=True, text=True)
    ok(p.returncode == 3 and not os.path.exists(tmp + '/x'), 'QEMU missing: exit 3, no output', p.stderr)
    p = subprocess.run([CT, 'tdx', 'acpi-dump', '--help'], capture_output=True, text=True)
    ok(p.returncode == 0 and 'Exit status' in p.stdout and '--qemu-args' in p.stdout, '--help')

    # a stand-in for QEMU printing a given console (no boot): the parser's verdicts through the CLI
    def fake(name, text, code=0):
        path = os.path.join(tmp, 'fake-' + name)
        with open(os.path.join(tmp, name + '.txt'), 'w') as f:
            f.write(text)
        with open(path, 'w') as f:
            f.write(f'#!/bin/sh\ncat {tmp}/{name}.txt{" >&2" if code else ""}\nexit {code}\n')
        os.chmod(path, 0o755)
        out = os.path.join(tmp, 'out-' + name)
        p = subprocess.run([CT, 'tdx', 'acpi-dump', '--qemu', path, '--kernel', KERNEL, '--vcpus', '1',
                            '--memory', '512', '-o', out], capture_output=True, text=True)
        return p, out
    B = '==COCOTRUST-FWCFG-BEGIN==\n'
    good = (B + '==FILE== etc/table-loader 1\nAA==\n==FILE-END==\n==FILE== etc/acpi/rsdp 5\nSGVsbG8=\n'
            '==FILE-END==\n==FILE== etc/acpi/tables 2\nAAE=\n==FILE-END==\n==COCOTRUST-FWCFG-END==\n')
    p, out = fake('good', 'SeaBIOS\r\n' + good)
    ok(p.returncode == 0 and open(out + '/etc/acpi/rsdp', 'rb').read() == b'Hello' and
       open(out + '/etc/acpi/tables', 'rb').read() == b'\0\1', 'stand-in QEMU: decoded files written', p.stderr)
    p, out = fake('huge', B + '==FILE== etc/table-loader 1\nAA==\n==FILE-END==\n==FILE== etc/acpi/rsdp 99999999999\n')
    ok(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and 'offset' in p.stderr and
       not os.path.exists(out + '/etc/table-loader'), 'announced size over the limit: exit 2, one line with '
       'the offset, no file written', p.stderr)
    p, out = fake('short', good.replace('SGVsbG8=', 'SGVs'))
    ok(p.returncode == 2 and 'announced' in p.stderr and not os.path.exists(out + '/etc/acpi/rsdp'),
       'fewer bytes than announced: exit 2, nothing written', p.stderr)
    p, out = fake('silent', 'SeaBIOS\n')
    ok(p.returncode == 3 and 'did not print' in p.stderr, 'no dump on the console: exit 3', p.stderr)
    p, out = fake('guesterr', B + '==ERROR== iopl(3) failed\n')
    ok(p.returncode == 3 and 'iopl' in p.stderr, "the guest's error is shown: exit 3", p.stderr)
    p, out = fake('crash', 'qemu: could not load kernel\n', 1)
    ok(p.returncode == 3 and 'could not load kernel' in p.stderr, "QEMU fails: exit 3 with its output", p.stderr)

    dirs = {}
    validator = schema_validator()
    for name, vcpus in (('a', 2), ('b', 2), ('c', 1)):
        d = os.path.join(tmp, name)
        p = dump(d, vcpus)
        ok(p.returncode == 0, f'dump {name}: --vcpus {vcpus} --memory 512 (exit 0)', p.stderr + p.stdout)
        if p.returncode:
            print(f'1..{t}')
            return 1
        dirs[name] = load(d)
        try:
            j = json.loads(p.stdout)
        except ValueError as e:
            j = None
            ok(False, f'dump {name}: --json prints JSON', f'{e}: {p.stdout[:500]}')
        if j is not None and validator is None:
            skip_case(f'dump {name}: --json validates against schemas/tdx-acpi-dump.schema.json',
                 'python3-jsonschema not installed (scripts/install-deps)')
        elif j is not None:
            errs = [f'/{"/".join(str(x) for x in e.absolute_path)}: {e.message}' for e in validator.iter_errors(j)]
            ok(not errs, f'dump {name}: --json validates against schemas/tdx-acpi-dump.schema.json', '\n'.join(errs))
        if j is not None:
            files = j.get('files') if isinstance(j.get('files'), dict) else {}
            got = {n: (f.get('size'), f.get('sha384')) for n, f in files.items() if isinstance(f, dict)}
            want = {n: (len(b), hashlib.sha384(b).hexdigest()) for n, b in dirs[name].items()}
            ok(got == want and j.get('vcpus') == vcpus and j.get('memory_mib') == 512 and j.get('output') == d,
               f'dump {name}: --json sizes and SHA-384 are those of the files written (hashlib), vcpus, memory, output',
               f'got {got} {j.get("vcpus")} {j.get("memory_mib")} {j.get("output")}\nwant {want}')
    a, b, c = dirs['a'], dirs['b'], dirs['c']
    ok(all(len(a[n]) > 0 for n in a) and a['etc/acpi/rsdp'][:8] == b'RSD PTR ', 'three non-empty blobs, an RSDP')
    tables, problems = walk(a)
    ok(not problems and {'FACP', 'DSDT', 'APIC', 'FACS'} <= set(tables),
       f'RSDP -> root -> {len(tables)} tables: signatures, checksums, links through ADD_POINTER: '
       + ' '.join(sorted(tables)), '\n'.join(problems))
    ok(a == b, 'two dumps of the same shape are identical')
    tc, problems_c = walk(c)
    ok(not problems_c, 'the 1-vCPU dump is consistent too', '\n'.join(problems_c))
    skip = {'RSDT', 'XSDT'}  # hold the other tables' positions
    differ = sorted(s for s in set(tables) | set(tc) if s not in skip and (s not in tables or s not in tc or
                    a['etc/acpi/tables'][tables[s][0]:sum(tables[s])] !=
                    c['etc/acpi/tables'][tc[s][0]:sum(tc[s])]))
    # QEMU's q35 DSDT describes every possible CPU (\\_SB.CPUS.Cnnn) for CPU hotplug: it differs too
    ok(differ == ['APIC', 'DSDT'], '2 vs 1 vCPUs: the tables that differ: ' + ','.join(differ), differ)
    ok(tables['APIC'][1] - tc['APIC'][1] == 8, 'MADT: one Local APIC entry (8 bytes) more for the second vCPU',
       (tables['APIC'], tc['APIC']))
    da = a['etc/acpi/tables'][tables['DSDT'][0]:sum(tables['DSDT'])]
    dc = c['etc/acpi/tables'][tc['DSDT'][0]:sum(tc['DSDT'])]
    ok(b'C001' in da and b'C001' not in dc and b'C000' in dc, 'DSDT: processor device C001 only with 2 vCPUs')
    ok(a['etc/table-loader'] != c['etc/table-loader'] or a['etc/acpi/tables'] != c['etc/acpi/tables'],
       '2 vs 1 vCPUs: the blobs differ')

    # tdx measure --acpi-dir on a dump
    if os.path.exists(OVMF) and shutil.which('openssl'):
        p = subprocess.run([CT, 'tdx', 'measure', '--json', '--firmware', OVMF, '--edk2', '202411',
                            '--acpi-dir', os.path.join(tmp, 'a'), '--vcpus', '2', '--memory', '512M'],
                           capture_output=True, text=True)
        try:
            j = json.loads(p.stdout)
        except ValueError:
            j = None
        ev = {e['id']: e['digest'] for e in j['events']} if j else {}
        want = subprocess.run(['openssl', 'dgst', '-sha384', '-r', os.path.join(tmp, 'a', 'etc/acpi/tables')],
                              capture_output=True, text=True).stdout.split()[0]
        ok(p.returncode == 0 and j['rtmr']['rtmr_0'] and ev.get('acpi-tables') == want,
           f'tdx measure --acpi-dir DUMP: RTMR 0, acpi-tables digest = openssl dgst -sha384 ({want[:16]}...)',
           p.stderr + p.stdout[:2000])
    else:
        print(f'ok {t + 1} - # SKIP {OVMF} or openssl is not installed')
        globals()['t'] += 1
    print(f'1..{t}')
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
