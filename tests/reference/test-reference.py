#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# cocotrust reference: every manifest value equals the vector it comes from
# (sev-snp-measure 0.0.13 vectors, veritysetup 2.6.1 vectors and veritysetup
# at test time, systemd-measure 252 at test time, PCRs read after real OVMF +
# swtpm boots, init-data recomputed with hashlib); byte-identical reruns
# (also with other mtimes); schema validation; malformed descriptions give
# exit 2 naming the field and line. TAP.
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ok, skip  # noqa: E402
CT = os.environ["COCOTRUST"]
SRC = os.environ["CT_SOURCE_ROOT"]
V = os.path.join(SRC, "tests", "vectors")
W = tempfile.mkdtemp(prefix="ct-reference.")


def run(args, **kw):
    return subprocess.run([CT] + args, capture_output=True, **kw)


try:
    import jsonschema
    validator = jsonschema.Draft202012Validator(json.load(open(os.path.join(SRC, "schemas", "manifest.schema.json"))))
    dvalidator = jsonschema.Draft202012Validator(
        json.load(open(os.path.join(SRC, "schemas", "image-description.schema.json"))))
except ImportError:
    validator = dvalidator = None


def schema_ok(doc, what):
    if validator is None:
        skip("manifest validates against the schema: " + what, "python3-jsonschema not installed")
        return
    errs = list(validator.iter_errors(doc))
    ok(not errs, "manifest validates against schemas/manifest.schema.json: %s%s" % (what, "" if not errs else " (" + errs[0].message + ")"))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


# ---- 1. SNP: every row equals sev-snp-measure's output -------------------------------------------
snpdir = os.path.join(V, "snp")
vectors = json.load(open(os.path.join(snpdir, "snp_vectors.json")))["vectors"]


def opts(args):
    o, i = {}, 0
    while i < len(args):
        if args[i].startswith("--") and i + 1 < len(args) and not args[i + 1].startswith("--"):
            o[args[i]] = args[i + 1]
            i += 2
        else:
            o[args[i]] = True
            i += 1
    return o


desc = write(os.path.join(W, "snp.yaml"), """# SNP table over the vector inputs
name: snp-vectors
firmware: %s/inputs/ovmf_AmdSev_suffix.bin
kernel: %s/inputs/kernel_synth.bin
initrd: %s/inputs/initrd_small.bin
cmdline: "console=ttyS0 loglevel=7"
platform:
  snp_modes: [snp, seves, sev]
  vcpus: [1, 2, 4, 64]
  vcpu_types: all
  vmm_types: [QEMU, ec2]
""" % (snpdir, snpdir, snpdir))
out = os.path.join(W, "snp.json")
r = run(["reference", desc, "-o", out, "--quiet"])
ok(r.returncode == 0, "reference over the SNP vector inputs: exit 0 (%s)" % r.stderr.decode().strip())
m = json.load(open(out)) if r.returncode == 0 else {"snp": []}
if r.returncode == 0:
    schema_ok(m, "SNP table")
rows = {}
for row in m["snp"]:
    rows[(row["mode"], row["vmm"], row["vcpu_type"], row["vcpus"], row["guest_features"])] = row["measurement"]
checked = 0
for v in vectors:
    o = opts(v["args"])
    if v["exit_code"] != 0 or o.get("--ovmf") != "inputs/ovmf_AmdSev_suffix.bin" or \
       o.get("--kernel") != "inputs/kernel_synth.bin" or o.get("--initrd") != "inputs/initrd_small.bin" or \
       o.get("--append") != "console=ttyS0 loglevel=7" or "--guest-features" in o or \
       o.get("--output-format", "hex") != "hex" or "--snp-ovmf-hash" in o or "--vcpu-sig" in o or \
       "--vcpu-family" in o or "--dump-vmsa" in o or o.get("--mode") not in ("snp", "seves", "sev") or \
       "-v" in o or "--verbose" in o or o.get("--vmm-type", "QEMU") not in ("QEMU", "ec2"):
        continue
    mode, vmm = o["--mode"], o.get("--vmm-type", "QEMU")
    if mode == "sev":
        key = ("sev", "QEMU", None, 0, "0x0")
    else:
        if o.get("--vcpus") not in ("1", "2", "4", "64"):
            continue
        vt = o.get("--vcpu-type") if vmm == "QEMU" else None
        if vmm == "QEMU" and vt is None:
            continue
        key = (mode, vmm, vt, int(o["--vcpus"]), "0x1" if mode == "snp" else "0x0")
    want = v["expected_stdout"].strip()
    got = rows.get(key)
    ok(got == want, "snp row %s equals sev-snp-measure vector %s" % (key, v["id"]))
    checked += 1
ok(checked >= 12, "%d SNP vectors checked against manifest rows (at least 12)" % checked)
ok(len(m["snp"]) == 4 * 16 + 4 + 4 * 16 + 4 + 1, "table has 16 types x 4 counts + 4 ec2 rows per mode, one sev row (%d)" % len(m["snp"]))

# ---- 2. Byte-identical reruns, also with other mtimes and another working directory ---------------
out2 = os.path.join(W, "snp2.json")
run(["reference", desc, "-o", out2, "--quiet"])
ok(open(out, "rb").read() == open(out2, "rb").read(), "rerun: byte-identical manifest")
cp = os.path.join(W, "copy")
os.makedirs(cp)
for f in ("ovmf_AmdSev_suffix.bin", "kernel_synth.bin", "initrd_small.bin"):
    shutil.copy(os.path.join(snpdir, "inputs", f), cp)
    os.utime(os.path.join(cp, f), (1000000000, 1000000000))
d1 = write(os.path.join(cp, "d.yaml"), "name: m\nfirmware: ovmf_AmdSev_suffix.bin\nkernel: kernel_synth.bin\n"
           "initrd: initrd_small.bin\ncmdline: x\nplatform: {vcpus: 1-3}\n")
a = run(["reference", d1, "--quiet"], cwd=W).stdout
for f in os.listdir(cp):
    os.utime(os.path.join(cp, f), (2000000000, 2000000000))
b = run(["reference", d1, "--quiet"], cwd=W).stdout
ok(a == b and len(a) > 100, "rerun after changing every input's mtime: byte-identical")
ok(b"created" not in a, "no timestamp unless asked")
t = run(["reference", d1, "--quiet", "--timestamp"], cwd=W, env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000")).stdout
ok(b'"created": "2023-11-14T22:13:20Z"' in t, "--timestamp honours SOURCE_DATE_EPOCH")

# A failed run leaves the previous manifest untouched.
before = open(out, "rb").read()
r = run(["reference", desc, "--vcpus", "0", "-o", out, "--quiet"])
ok(r.returncode == 2 and open(out, "rb").read() == before, "failed run (bad flag): exit 2, manifest unchanged")

# ---- 3. JSON description and flags override the file ---------------------------------------------
jd = write(os.path.join(W, "d.json"), json.dumps({"name": "j", "firmware": os.path.join(snpdir, "inputs/ovmf_AmdSev_suffix.bin"),
                                                  "platform": {"vcpus": [2], "vcpu_types": ["EPYC-Milan"]}}))
r = run(["reference", jd, "--vcpus", "4", "--vcpus", "1", "--quiet"])
mj = json.loads(r.stdout) if r.returncode == 0 else {"snp": []}
ok(r.returncode == 0 and [x["vcpus"] for x in mj["snp"]] == [1, 4], "JSON description; --vcpus flags replace the file's list")
nokernel = {v["id"]: v["expected_stdout"] for v in vectors}
r = run(["reference", "--firmware", os.path.join(snpdir, "inputs/ovmf_AmdSev_suffix.bin"), "--vcpus", "1", "--quiet"])
mk = json.loads(r.stdout) if r.returncode == 0 else {"snp": [{"measurement": ""}]}
ok(mk["snp"][0]["measurement"] == nokernel["snp_amdsev_nokernel_v1"], "flags only, firmware without kernel: equals vector snp_amdsev_nokernel_v1")

# ---- 4. Malformed descriptions: exit 2, one line naming the field and the line -------------------
bad = [
    ("name: x\nplatform:\n  vcpus: [1, 0]\n", "line 3", "platform.vcpus"),
    ("name: x\nplatform:\n  vcpu_types: [EPYC-Nope]\n", "line 3", "platform.vcpu_types"),
    ("name: x\nkernal: k\n", "line 2", "kernal"),
    ("name: x\nplatform:\n  secure_boot: maybe\n", "line 3", "platform.secure_boot"),
    ("name: x\nrootfs:\n  data_block_size: big\n", "line 3", "rootfs.data_block_size"),
    ("name: x\nplatform:\n  memory: [2Q]\n", "line 3", "platform.memory"),
    ("name: [x\n", "line 1", "name"),
    ("name: x\n  bad: [\n", "line", "YAML"),
    ("name: x\nplatform:\n  vmm_types: {a: b}\n", "line 3", "platform.vmm_types"),
    ("- a\n- b\n", "line 1", "mapping"),
    ("name: x\nfirmware: [a, b]\n", "line 2", "firmware"),
    ("name: x\nplatform:\n  guest_features: [zz]\n", "line 3", "platform.guest_features"),
    ('{"name": "x", "platform": {"vcpus": "1-0"}}', "line 1", "platform.vcpus"),
]
for text, line, field in bad:
    p = write(os.path.join(W, "bad.yaml"), text)
    r = run(["reference", p, "--quiet"])
    e = r.stderr.decode()
    ok(r.returncode == 2 and line in e and field in e and e.count("\n") == 1 and "bad.yaml" in e,
       "malformed description -> exit 2 naming %s and %s: %s" % (field, line, e.strip()))
r = run(["reference", "--vcpu-types", "EPYC-Nope", "--quiet"])
ok(r.returncode == 2 and "--vcpu-types" in r.stderr.decode(), "bad flag value: exit 2 naming the flag")
r = run(["reference", "--quiet"])
ok(r.returncode == 2 and "names no artifact" in r.stderr.decode(), "empty description: exit 2")

# ---- 5. dm-verity: root hash and forms equal veritysetup's --------------------------------------
tsv = [l.rstrip("\n").split("\t") for l in open(os.path.join(V, "verity", "verity_vectors.tsv"))]
hdr = tsv[0]
for vid in ("v01", "v02", "v03", "v04"):
    row = dict(zip(hdr, next(x for x in tsv if x[0] == vid)))
    data = os.path.join(V, "verity", "inputs", vid + ".data")
    hashf = os.path.join(V, "verity", "outputs", vid + ".hash")
    p = write(os.path.join(W, "v.yaml"), "name: v\nrootfs:\n  data: %s\n  hash: %s\n" % (data, hashf))
    r = run(["reference", p, "--quiet"])
    mv = json.loads(r.stdout) if r.returncode == 0 else {"verity": [{"root_hash": "", "cmdline": {}}]}
    ver = mv["verity"][0]
    ok(ver["root_hash"] == row["root_hash"], "%s: root hash from data + superblock equals veritysetup 2.6.1's" % vid)
    table = row["dm_table"].replace("DATA", "/dev/vda1").replace("HASH", "/dev/vda2")
    ok(ver["cmdline"].get("table") == table, "%s: kernel table equals veritysetup's (devices /dev/vda1, /dev/vda2)" % vid)
    ok(ver["cmdline"].get("roothash") == "roothash=" + row["root_hash"], "%s: roothash= form" % vid)
    ok(ver["cmdline"].get("dm-mod.create") == 'dm-mod.create="vroot,,,ro,%s" root=/dev/dm-0' % table, "%s: dm-mod.create= form" % vid)
# At test time with veritysetup: a no-superblock tree and its root hash.
if shutil.which("veritysetup"):
    data = os.path.join(V, "verity", "inputs", "v02.data")
    hf = os.path.join(W, "nosb.hash")
    vs = subprocess.run(["veritysetup", "format", data, hf, "--no-superblock", "--salt", "abcd", "--hash", "sha512",
                         "--data-block-size", "1024"], capture_output=True, text=True)
    want = re.search(r"Root hash:\s+([0-9a-f]+)", vs.stdout).group(1)
    r = run(["reference", "--rootfs", data, "--rootfs-no-superblock", "true", "--rootfs-salt", "abcd",
             "--rootfs-hash-algorithm", "sha512", "--rootfs-data-block-size", "1024", "--quiet"])
    got = json.loads(r.stdout)["verity"][0]["root_hash"] if r.returncode == 0 else ""
    ok(got == want, "no superblock, sha512, 1 KiB blocks, tree computed in memory: root hash equals veritysetup's at test time")
    r = run(["reference", "--rootfs", data, "--rootfs-hash", hf, "--rootfs-no-superblock", "true", "--rootfs-salt", "abcd",
             "--rootfs-hash-algorithm", "sha512", "--rootfs-data-block-size", "1024", "--quiet"])
    ok(r.returncode == 0, "no superblock with veritysetup's hash device: tree checked, exit 0")
    r = run(["reference", "--rootfs", data, "--rootfs-no-superblock", "true", "--rootfs-salt", "abcd",
             "--rootfs-hash-algorithm", "sha512", "--rootfs-data-block-size", "1024", "--rootfs-root-hash", "00" * 64, "--quiet"])
    ok(r.returncode == 1 and "rootfs.root_hash" in r.stderr.decode(), "expected root hash differs: exit 1 naming rootfs.root_hash")
    bad_hash = os.path.join(W, "bad.hash")
    blob = bytearray(open(hf, "rb").read())
    blob[100] ^= 1
    open(bad_hash, "wb").write(blob)
    r = run(["reference", "--rootfs", data, "--rootfs-hash", bad_hash, "--rootfs-no-superblock", "true", "--rootfs-salt", "abcd",
             "--rootfs-hash-algorithm", "sha512", "--rootfs-data-block-size", "1024", "--quiet"])
    ok(r.returncode == 1 and "does not match" in r.stderr.decode(), "corrupted hash device: exit 1 (%s)" % r.stderr.decode().strip())
else:
    skip("verity vs veritysetup at test time", "veritysetup not installed")

# ---- 6. PCR 4 / 11: equal to real boots and to systemd-measure --------------------------------
uk = os.path.join(W, "ukis")
subprocess.run([os.path.join(SRC, "tests", "uki", "build-ukis.sh"), uk, "A"], check=True, capture_output=True)
uki = os.path.join(uk, "uki-A.efi")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", os.path.join(W, "k.pem"),
                "-out", os.path.join(W, "c.pem"), "-days", "1", "-subj", "/CN=cocotrust-test"], capture_output=True, check=True)
signed = os.path.join(uk, "uki-A.signed.efi")
sb = subprocess.run(["sbsign", "--key", os.path.join(W, "k.pem"), "--cert", os.path.join(W, "c.pem"), "--output", signed, uki],
                    capture_output=True)


def boot_pcrs(name):
    res, bank = {}, None
    for l in open(os.path.join(V, "uki", "boot", name, "pcrs-sysfs.pcrread-style.yaml")):
        mm = re.match(r"^  ([a-z0-9]+):$", l)
        if mm:
            bank = mm.group(1)
            continue
        mm = re.match(r"^\s+(\d+)\s*:\s*0x([0-9A-Fa-f]+)", l)
        if mm and bank:
            res.setdefault(bank, {})[mm.group(1)] = mm.group(2).lower()
    return res


capfile = os.path.join(V, "uki", "boot", "uki-A", "pcrs-sysfs.pcrread-style.yaml")
p = write(os.path.join(W, "uki.yaml"), """name: uki-a
uki: %s
capture: %s
platform:
  secure_boot: [off, on]
  banks: [sha256, sha1]
  failed_boot_options: 1
""" % (uki, capfile))
r = run(["reference", p, "--quiet"])
ok(r.returncode == 0, "reference for uki-A (Secure Boot off and on): exit 0 (%s)" % r.stderr.decode().strip())
mu = json.loads(r.stdout) if r.returncode == 0 else {"pcrs": {}, "pcr_variants": {}, "pcr11_phases": {}, "captured_pcrs": {}}
if r.returncode == 0:
    schema_ok(mu, "UKI")
off, on = boot_pcrs("uki-A"), boot_pcrs("uki-A-secureboot")
for bank in ("sha1", "sha256"):
    ok(mu["pcrs"].get(bank, {}).get("4") == off[bank]["4"], "PCR 4 %s (Secure Boot off) equals the real boot's" % bank)
    ok(mu["pcrs"].get(bank, {}).get("11") == off[bank]["11"], "PCR 11 %s equals the real boot's" % bank)
    ok(mu["captured_pcrs"].get(bank, {}).get("7") == off[bank]["7"], "captured PCR 7 %s carried from the capture file" % bank)
    ok(len(mu["pcr_variants"].get("secure_boot=on", {}).get(bank, {}).get("4", "")) == len(off[bank]["4"]),
       "Secure Boot on: a PCR 4 %s in pcr_variants" % bank)
if sb.returncode == 0:
    r = run(["reference", "--uki", signed, "--secure-boot", "on", "--failed-boot-options", "1", "--bank", "sha256", "--quiet"])
    ms = json.loads(r.stdout) if r.returncode == 0 else {"pcrs": {}}
    ok(ms["pcrs"].get("sha256", {}).get("4") == on["sha256"]["4"], "PCR 4 sha256 of the signed UKI (Secure Boot on) equals the real Secure Boot boot's")
else:
    skip("Secure Boot PCR 4", "sbsign failed or is not installed")
# PCR 11 and its phases against the installed systemd-measure.
sm = shutil.which("systemd-measure") or "/usr/lib/systemd/systemd-measure"
if os.path.exists(sm):
    inp = os.path.join(V, "uki", "inputs")
    kern = os.path.join(V, "kernel", "vmlinuz-6.1.0-56-amd64")
    base = [sm, "calculate", "--linux=" + kern, "--osrel=" + os.path.join(inp, "os-release"),
            "--cmdline=" + os.path.join(inp, "cmdline-a.txt"), "--initrd=" + os.path.join(inp, "initrd.cpio.gz"), "--bank=sha256"]
    for phase in ["enter-initrd", "enter-initrd:leave-initrd", "enter-initrd:leave-initrd:sysinit",
                  "enter-initrd:leave-initrd:sysinit:ready"]:
        o = subprocess.run(base + ["--phase=" + phase], capture_output=True, text=True).stdout
        want = o.strip().split("=")[-1]
        ok(mu["pcr11_phases"].get("sha256", {}).get(phase) == want, "PCR 11 phase %s equals systemd-measure's at test time" % phase)
    o = subprocess.run(base + ["--phase="], capture_output=True, text=True).stdout.strip().split("=")[-1]
    ok(mu["pcrs"].get("sha256", {}).get("11") == o, "PCR 11 (no phase) equals systemd-measure --phase= at test time")
else:
    skip("PCR 11 vs systemd-measure", "systemd-measure not installed")

# ---- 7. init-data forms ----------------------------------------------------------------------
toml = b'algorithm = "sha384"\nversion = "0.1.0"\n\n[data]\n"aa.toml" = \'\'\'\n[token_configs]\n\'\'\'\n'
tp = os.path.join(W, "init.toml")
open(tp, "wb").write(toml)
r = run(["reference", "--init-data", tp, "--quiet"])
mi = json.loads(r.stdout)["init_data"][0] if r.returncode == 0 else {}
dig = hashlib.sha384(toml).digest()
ok(mi.get("digest") == dig.hex() and mi.get("host_data") == dig[:32].hex() and mi.get("mrconfigid") == dig.hex()
   and mi.get("pcr8") == hashlib.sha256(bytes(32) + dig[:32]).hexdigest(), "init-data sha384: digest, HOST_DATA, MRCONFIGID, PCR 8 equal hashlib's")

# ---- 8. TDX: not a TDVF -> null with a note; Debian's OVMF (a TDVF) -> rows equal the tdx vectors ----
ok(m.get("tdx", 1) is None and "not computed" in m.get("notes", {}).get("tdx", ""), "SEV firmware: tdx null with a note saying why")
tv = json.load(open(os.path.join(V, "tdx", "vectors.json")))
ovmf = "/usr/share/ovmf/OVMF.fd"
if os.path.exists(ovmf) and hashlib.sha256(open(ovmf, "rb").read()).hexdigest() == tv["inputs"]["ovmf"]["sha256"]:
    r = run(["reference", "--firmware", ovmf, "--kernel", os.path.join(V, "kernel", "vmlinuz-6.1.0-56-amd64"),
             "--initrd", os.path.join(V, "tdx", "inputs", "initrd-test.cpio"), "--cmdline", "console=ttyS0 root=/dev/vda1 ro",
             "--memory", "2G", "--tdx-variants", "edk2-stable202511/10.2", "--tdx-variants", "edk2-stable202408/8.2", "--quiet"])
    mt = json.loads(r.stdout) if r.returncode == 0 else {"tdx": [], "notes": {}}
    ok(r.returncode == 0 and len(mt["tdx"]) == 2, "TDVF firmware: two TDX rows (%s)" % r.stderr.decode().strip())
    ok("snp" in mt["notes"] and mt["snp"] == [], "TDVF firmware without SEV metadata: no SNP rows, notes.snp says why")
    if len(mt["tdx"]) == 2:
        new, old = mt["tdx"]
        ok(new["mrtd"] == tv["mrtd"]["single_pass"] and old["mrtd"] == tv["mrtd"]["two_pass"],
           "MRTD equals the vectors (single-pass for QEMU 10.2, two-pass for QEMU 8.2)")
        ok(new["rtmr"][1] == tv["rtmr1_direct"]["unpatched edk2>=202411"], "RTMR 1, edk2 202511 / QEMU 10.2 (unpatched kernel): vector")
        ok(old["rtmr"][1] == tv["rtmr1_direct"]["patched mem=2GiB initrd edk2<=202408"], "RTMR 1, edk2 202408 / QEMU 8.2 (patched, 2 GiB): vector")
        ok(new["rtmr"][2] == tv["rtmr2_direct"]["prefix"]["rtmr2_cmdline_and_initrd"], "RTMR 2, initrd marker prefix (edk2 >= 202508): vector")
        ok(old["rtmr"][2] == tv["rtmr2_direct"]["suffix"]["rtmr2_cmdline_and_initrd"], "RTMR 2, initrd marker suffix (edk2 <= 202505): vector")
        ok(new["tdvfkernelparams"] == tv["rtmr2_direct"]["prefix"]["load_options_sha384"] and
           old["tdvfkernelparams"] == tv["rtmr2_direct"]["suffix"]["load_options_sha384"], "tdvfkernelparams: the LoadOptions digests of the vectors")
        ok(new["rtmr"][0] is None and new["xfam"] is None and "rtmr[0]" in mt["notes"].get("tdx", ""), "rtmr[0] and xfam null, with the reason in notes.tdx")
        schema_ok(mt, "TDX")
else:
    skip("TDX rows vs vectors", "Debian's /usr/share/ovmf/OVMF.fd (ovmf 2022.11-6+deb12u2) not installed")

# ---- 9. The example description: validates against its schema, and reference accepts it -----------
ex = os.path.join(SRC, "examples", "image.yaml")
try:
    import yaml
    doc = yaml.safe_load(open(ex))
    if dvalidator is None:
        skip("example validates against the description schema", "python3-jsonschema not installed")
    else:
        errs = list(dvalidator.iter_errors(doc))
        ok(not errs, "examples/image.yaml validates against schemas/image-description.schema.json" + ("" if not errs else ": " + errs[0].message))
        bad_doc = dict(doc, platform=dict(doc["platform"], vmm_types=["kvm"]))
        ok(not dvalidator.is_valid(bad_doc), "the description schema rejects an unknown VMM type")
except ImportError:
    skip("example validates against the description schema", "python3-yaml not installed")
r = run(["reference", ex, "--quiet"])
ok(r.returncode == 0, "reference examples/image.yaml: exit 0 (%s)" % r.stderr.decode().strip())
if r.returncode == 0:
    schema_ok(json.loads(r.stdout), "examples/image.yaml")

shutil.rmtree(W, ignore_errors=True)
sys.exit(tap.done())
