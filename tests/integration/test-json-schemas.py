#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validate the --json documents of the verbs against schemas/*.schema.json
(python3-jsonschema, Draft 2020-12), on real inputs from tests/vectors, and
check that each schema rejects a broken document (a required member removed,
a digest of the wrong shape), so a schema that accepts anything fails here.
At the end: every JSON emitter in src/ is in a table naming its schema, every
schema exists, and each one is validated on real output here or in the test
that can produce it (tpm capture and tdx acpi-dump need a QEMU boot:
tests/tpm/test-capture.sh, tests/tdx/acpi.py)."""
import copy
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

n = 0
failed = 0


def ok(cond, desc, detail=None):
    global n, failed
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, desc))
    if not cond:
        failed += 1
        if detail:
            for line in str(detail).splitlines()[:10]:
                print("#   " + line)


src = os.environ["CT_SOURCE_ROOT"]
tool = os.environ["COCOTRUST"]
try:
    import jsonschema
except ImportError:
    print("ok 1 - json schemas # SKIP python3-jsonschema not installed (scripts/install-deps)")
    print("1..1")
    sys.exit(0)


def schema(name):
    with open(os.path.join(src, "schemas", name), encoding="utf-8") as f:
        s = json.load(f)
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def run(args, rc=0):
    p = subprocess.run([tool] + args, capture_output=True, text=True, cwd=src)
    if p.returncode != rc:
        raise RuntimeError("cocotrust %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return json.loads(p.stdout)


def errors(v, doc):
    return [e.message for e in v.iter_errors(doc)]


def case(schema_name, args, breakers, rc=0):
    v = schema(schema_name)
    try:
        doc = run(args, rc)
    except Exception as e:  # noqa: BLE001 - reported as a failed case
        ok(False, "%s: cocotrust %s" % (schema_name, " ".join(args)), e)
        return
    errs = errors(v, doc)
    ok(not errs, "%s validates cocotrust %s" % (schema_name, " ".join(args)), "\n".join(errs))
    for what, mutate in breakers:
        bad = copy.deepcopy(doc)
        mutate(bad)
        ok(bool(errors(v, bad)), "%s rejects the document with %s" % (schema_name, what))


tmp = tempfile.mkdtemp()
data = os.path.join(tmp, "data")
with open(data, "wb") as f:
    f.write(os.urandom(1 << 20))
hashf = os.path.join(tmp, "hash")

pe = "tests/vectors/pe/"
case("pe-hash.schema.json", ["pe", "hash", "--json", pe + "linuxx64.efi.stub", pe + "systemd-bootx64.efi"], [
    ("no images", lambda d: d.pop("images")),
    ("a short sha256", lambda d: d["images"][0]["authenticode"].__setitem__("sha256", "abcd")),
    ("schema_version 2", lambda d: d.__setitem__("schema_version", 2)),
])
case("pe-hash.schema.json", ["pe", "hash", "--json", "--explain", "-a", "sha1", "-a", "sha384", pe + "linuxx64.efi.stub"], [
    ("an unknown algorithm", lambda d: d["images"][0]["authenticode"].__setitem__("md5", "00" * 16)),
    ("a hashed range without length", lambda d: d["images"][0]["hashed_ranges"][0].pop("length")),
])
format_root = run(["verity", "format", "--json", data, hashf + "0"])["root_hash"]
case("verity-format.schema.json", ["verity", "format", "--json", data, hashf], [
    ("no root_hash", lambda d: d.pop("root_hash")),
    ("an upper-case root hash", lambda d: d.__setitem__("root_hash", d["root_hash"].upper())),
])
case("verity-format.schema.json", ["verity", "format", "--json", "--hash", "sha1", "--data-block-size", "1024",
                                   "--salt", "-", data, hashf + "2"], [
    ("hash_type 7", lambda d: d.__setitem__("hash_type", 7)),
])
case("verity-dump.schema.json", ["verity", "dump", "--json", hashf], [
    ("no data_blocks", lambda d: d.pop("data_blocks")),
    ("a bad uuid", lambda d: d.__setitem__("uuid", "not-a-uuid")),
])
for log in ["tpm2tools-postcode.bin", "gotpmtools-ubuntu-2404-amd-sevsnp.bin", "tpm2tools-uefi-sha1-log.bin"]:
    case("eventlog-replay.schema.json", ["eventlog", "replay", "--json", "tests/vectors/tpm/eventlogs/" + log], [
        ("PCR 24", lambda d: d["pcrs"].setdefault("sha256", {}).__setitem__("24", "00" * 32)),
        ("no log summary", lambda d: d.pop("log")),
    ])


def drop(key):
    return ("no " + key, lambda d: d.pop(key))


def short(*path):
    """A digest at path shortened to 'abcd' (path: keys and list indexes)."""
    def mutate(d):
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = "abcd"
    return ("a short " + "/".join(str(k) for k in path), mutate)


VERSION2 = ("schema_version 2", lambda d: d.__setitem__("schema_version", 2))

sn = "tests/vectors/snp/"
snp_in = ["--ovmf", sn + "inputs/ovmf_AmdSev_suffix.bin", "--kernel", sn + "inputs/kernel_synth.bin",
          "--initrd", sn + "inputs/initrd_small.bin", "--append", "console=ttyS0 loglevel=7"]
ld = "ae380d54288131e98c72e0d411116ef30d4a5a50ada5cf194d4c643a8a729a86399eca07ec0b2c2d74ff1864eb6c63b8"
case("snp-measure.schema.json", ["snp", "measure", "--json", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v4"]
     + snp_in, [VERSION2, drop("measurement"), short("measurement")])
for extra in (["--mode", "seves", "--vcpus", "1", "--vcpu-type", "EPYC-v4"] + snp_in, ["--mode", "sev"] + snp_in,
              ["--mode", "snp:ovmf-hash", "--ovmf", sn + "inputs/ovmf_AmdSev_suffix.bin"],
              ["--mode", "snp:svsm", "--vcpus", "4", "--vcpu-type", "EPYC-v4", "--ovmf", sn + "inputs/svsm_ovmf.fd",
               "--svsm", sn + "inputs/svsm.bin", "--vars-size", "540672"]):
    case("snp-measure.schema.json", ["snp", "measure", "--json"] + extra, [drop("measurement"), short("measurement")])
case("snp-measure-table.schema.json", ["snp", "measure", "--json", "--mode", "snp", "--vcpus", "1,2", "--vcpu-type",
                                       "EPYC-v4"] + snp_in, [
    ("a row without measurement", lambda d: d[1].pop("measurement")), short(0, "measurement"),
    ("a row with schema_version 2", lambda d: d[0].__setitem__("schema_version", 2)),
])
case("snp-explain.schema.json", ["snp", "explain", "--json", ld] + snp_in,
     [VERSION2, drop("matches"), short("digest"), ("a match without vcpus", lambda d: d["matches"][0].pop("vcpus"))])
case("snp-id-block.schema.json", ["snp", "id-block", "--json", "--measurement", ld, "--idkey", sn + "idblock/id_key_test.pem",
                                  "--authorkey", sn + "idblock/author_key_test.pem"],
     [VERSION2, drop("id_block"), short("id_key_digest"), short("author_key_digest")])
ev = "tests/vectors/evidence/"
for f in ["msft-tav_milan_attestation_report.bin", "msft-tav_genoa_attestation_report.bin", "msft-tav_turin_attestation_report.bin",
          "trustee_snp_test-vlek-report.bin", "trustee_snp_test-report_v2.bin"]:
    case("snp-report-show.schema.json", ["snp", "report", "show", "--json", ev + "snp/" + f],
         [VERSION2, drop("policy"), short("image_id")])
for prod in ("milan", "genoa"):
    case("snp-report-verify.schema.json", ["snp", "report", "verify", "--json", ev + "snp/msft-tav_%s_attestation_report.bin" % prod,
                                           "--vcek", ev + "snp/msft-tav_%s_vcek.pem" % prod,
                                           "--ca", ev + "snp/msft-tav_%s_ask.pem" % prod, "--ca", ev + "snp/msft-tav_%s_ark.pem" % prod],
         [VERSION2, drop("checks"), short("vcek_sha256"), ("ok as a string", lambda d: d.__setitem__("ok", "yes"))])
for f in ["trustee_az-snp-vtpm_hcl-report.bin", "az-cvm-vtpm_hcl-report-tdx.bin"]:
    case("hcl-report-show.schema.json", ["hcl", "report", "show", "--json", ev + "azure/" + f],
         [VERSION2, drop("hcl_report"), ("no header", lambda d: d["hcl_report"].pop("header"))])
# the chain missing (ASK and ARK not given, not cached): exit 1 with the failed checks listed
case("snp-report-verify.schema.json", ["snp", "report", "verify", "--json", ev + "snp/msft-tav_milan_attestation_report.bin",
                                       "--vcek", ev + "snp/msft-tav_milan_vcek.pem"],
     [("a failed check as a number", lambda d: d["failed"].__setitem__(0, 1))], rc=1)
for kind in ("snp", "tdx"):
    case("hcl-report-verify.schema.json", ["hcl", "report", "verify", "--json", ev + "azure/trustee_az-%s-vtpm_hcl-report.bin" % kind],
         [VERSION2, drop("ok"), ("a check without name", lambda d: d["checks"][0].pop("name"))])
case("tpm-evidence-verify.schema.json", ["tpm", "evidence", "verify", "--json", ev + "tpm/trustee_tpm_evidence.json"],
     [VERSION2, drop("claims"), ("a check without status", lambda d: d["checks"][0].pop("status"))])
td = "tests/vectors/tdx/"
if os.path.exists("/usr/share/ovmf/OVMF.fd"):
    case("tdx-measure.schema.json", ["tdx", "measure", "--json", "--firmware", "/usr/share/ovmf/OVMF.fd", "--kernel",
                                     "tests/vectors/kernel/vmlinuz-6.1.0-56-amd64", "--append",
                                     open(os.path.join(src, td + "inputs/cmdline.txt")).read(), "--initrd",
                                     td + "inputs/initrd-test.cpio", "--acpi-dir", td + "inputs/synthetic-acpi"],
         [VERSION2, drop("mrtd"), short("mrtd"), short("td_hob")])
    case("tdx-measure.schema.json", ["tdx", "measure", "--json", "--firmware", "/usr/share/ovmf/OVMF.fd"],
         [drop("rtmr"), ("inputs without firmware", lambda d: d["inputs"].pop("firmware"))])
    for extra in (["--memory", "1G,2G"], ["--kernel", "tests/vectors/kernel/vmlinuz-6.1.0-56-amd64", "--vcpus", "1,2",
                                          "--acpi-dir", td + "inputs/synthetic-acpi"]):
        case("tdx-measure-table.schema.json", ["tdx", "measure", "--json", "--firmware", "/usr/share/ovmf/OVMF.fd"] + extra,
             [VERSION2, drop("rows"), ("a row with a short mrtd", lambda d: d["rows"][1].__setitem__("mrtd", "abcd"))])
    case("tdx-metadata.schema.json", ["tdx", "metadata", "--json", "/usr/share/ovmf/OVMF.fd"],
         [VERSION2, drop("sections"), short("mrtd_single_pass"), ("a section without gpa", lambda d: d["sections"][0].pop("gpa"))])
else:
    ok(True, "tdx measure / metadata schemas # SKIP /usr/share/ovmf/OVMF.fd (ovmf) not installed")
for f in ["go-tdx-guest_tdx_prod_quote_SPR_E4.dat", "go-tdx-guest_quote_v5_sample.dat"]:
    case("tdx-quote.schema.json", ["tdx", "quote", "--json", td + "quotes/" + f],
         [VERSION2, drop("report_data"), short("report_data"), short("init_data")])
tl = "tests/vectors/tpm/"
for f in ["tpm2tools-postcode.bin", "gotpmtools-ubuntu-2404-amd-sevsnp.bin", "tpm2tools-uefi-sha1-log.bin"]:
    case("eventlog-show.schema.json", ["eventlog", "show", "--json", tl + "eventlogs/" + f],
         [VERSION2, drop("events"), ("an event without pcr", lambda d: d["events"][1].pop("pcr")),
          ("a short sha256 event digest", lambda d: d["events"][1]["digests"].__setitem__("sha256", "abcd"))])
case("eventlog-check.schema.json", ["eventlog", "check", "--json", tl + "boot/uki-A/binary_bios_measurements", "--pcrs",
                                    tl + "boot/uki-A/pcrs-sysfs.pcrread-style.yaml"],
     [VERSION2, drop("mismatches"), ("ok as a string", lambda d: d.__setitem__("ok", "yes"))])
p0 = os.path.join(tmp, "p0.json")
with open(p0, "w", encoding="utf-8") as f:
    json.dump({"schema_version": 1, "pcrs": {"sha256": {"0": "00" * 32}}}, f)
case("eventlog-check.schema.json", ["eventlog", "check", "--json", tl + "boot/uki-A/binary_bios_measurements", "--pcrs", p0],
     [("a short replayed value", lambda d: d["mismatches"][0].__setitem__("replayed", "abcd")),
      ("a mismatch event without num", lambda d: d["mismatches"][0]["events"][0].pop("num"))], rc=1)

case("verity-verify.schema.json", ["verity", "verify", "--json", data, hashf + "0", format_root], [
    VERSION2, drop("ok"), short("root_hash"), ("ok as a string", lambda d: d.__setitem__("ok", "yes"))])
case("verity-table.schema.json", ["verity", "table", "--json", data, hashf + "0", format_root], [
    VERSION2, drop("table"), short("root_hash"), ("an odd salt", lambda d: d.__setitem__("salt", "abc"))])
# without a superblock (no uuid), and a data file with a corrupt block (exit 1, the corrupt list)
ns = run(["verity", "format", "--json", "--no-superblock", data, hashf + "ns"])
nsargs = ["--no-superblock", "--salt", ns["salt"], hashf + "ns", ns["root_hash"]]
with open(data, "rb") as f:
    bad = bytearray(f.read())
bad[5000] ^= 0xff
with open(data + "-bad", "wb") as f:
    f.write(bad)
case("verity-verify.schema.json", ["verity", "verify", "--json", data] + nsargs, [short("root_hash")])
case("verity-verify.schema.json", ["verity", "verify", "--json", data + "-bad"] + nsargs,
     [("a corrupt block without offset", lambda d: d["corrupt"][0].pop("offset"))], rc=1)
case("verity-table.schema.json", ["verity", "table", "--json", data] + nsargs, [drop("dm_mod_create")])
# verity repair: a data file with FEC, one corrupt block repaired (exit 0), then an intact one
fr = run(["verity", "format", "--json", data, hashf + "r", "--fec-device", hashf + "f"])["root_hash"]
with open(data, "rb") as f:
    good = f.read()
bad = bytearray(good)
bad[5000] ^= 0xff
with open(data + "-rep", "wb") as f:
    f.write(bad)
case("verity-repair.schema.json", ["verity", "repair", "--json", data + "-rep", hashf + "r", fr,
                                   "--fec-device", hashf + "f"],
     [VERSION2, drop("data_blocks_written"), short("root_hash"), ("ok as a string", lambda d: d.__setitem__("ok", "yes"))])
with open(data + "-rep", "rb") as f:
    ok(f.read() == good, "verity repair: the repaired file equals the original")
case("verity-repair.schema.json", ["verity", "repair", "--json", data + "-rep", hashf + "r", fr,
                                   "--fec-device", hashf + "f"], [drop("in_place")])
ui = "tests/vectors/uki/inputs/"
parts = ["--linux=" + ui + "os-release", "--osrel=" + ui + "os-release", "--cmdline=" + ui + "cmdline-a.txt"]
case("uki-measure.schema.json", ["uki", "measure", "--json", "--bank=sha256", "--phase=enter-initrd",
                                 "--initrd=" + ui + "initrd.cpio.gz"] + parts,
     [VERSION2, drop("banks"), ("a bank md5", lambda d: d["banks"].__setitem__("md5", d["banks"]["sha256"])),
      ("a short step digest", lambda d: d["banks"]["sha256"]["steps"][0].__setitem__("digest", "abcd"))])
case("uki-measure.schema.json", ["uki", "measure", "--json"] + parts,
     [("a short sha384 PCR", lambda d: d["banks"]["sha384"]["steps"][-1].__setitem__("pcr", "abcd"))])
case("uki-build.schema.json", ["uki", "build", "--json", "--stub", pe + "linuxx64.efi.stub", "--linux", ui + "os-release",
                               "--osrel", ui + "os-release", "--cmdline", "@" + ui + "cmdline-a.txt", "--initrd",
                               ui + "initrd.cpio.gz", "-o", os.path.join(tmp, "u.efi")],
     [VERSION2, drop("sections"), short("sha256")])
key = os.path.join(tmp, "priv.pem")
if subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                  capture_output=True).returncode == 0:
    case("uki-sign.schema.json", ["uki", "sign", "--json", "--private-key=" + key, "--bank=sha256", "--bank=sha1"] + parts,
         [VERSION2, drop("public_key_fingerprint"), short("public_key_fingerprint")])
else:
    ok(True, "uki-sign.schema.json # SKIP openssl genpkey failed")
efi = ["--efi", pe + "systemd-bootx64.efi", "--secure-boot", "off"]
case("pcr-predict.schema.json", ["pcr", "predict", "--json", "--bank", "sha256", "--bank", "sha1"] + efi,
     [VERSION2, drop("pcrs"), ("a short PCR 4", lambda d: d["pcrs"]["sha256"].__setitem__("4", "abcd"))])
case("pcr-predict.schema.json", ["pcr", "predict", "--json", "--explain"] + efi,
     [("an event without pcr", lambda d: d["events"][0].pop("pcr"))])
tb = "tests/vectors/tpm/"
case("pcr-compare.schema.json", ["pcr", "compare", "--json", tb + "pcrread/quote/quote.yaml", tb + "pcrread/quote/checkquote.yaml",
                                 tb + "pcrread/pcrread-o.yaml", "--bank", "sha256"],
     [VERSION2, drop("identical"), drop("others")])
case("pcr-compare.schema.json", ["pcr", "compare", "--json", tb + "boot/uki-A/pcrs-sysfs.pcrread-style.yaml",
                                 tb + "boot/uki-A/binary_bios_measurements"],
     [("identical as a string", lambda d: d.__setitem__("identical", "no"))], rc=1)
# tpm quote verify: Trustee's az-snp-vtpm quote (raw RSASSA signature wrapped as a TPMT_SIGNATURE) with the
# HCL report's AK, PCRs and nonce
qv = json.load(open(os.path.join(src, ev + "azure/trustee_az-snp-vtpm_tpm-quote-v1.json")))
hcl = run(["hcl", "report", "show", "--json", ev + "azure/trustee_az-snp-vtpm_hcl-report.bin"])
qmsg, qsig, qak, qpcrs = (os.path.join(tmp, x) for x in ("q.msg", "q.sig", "ak.pem", "qpcrs.json"))
with open(qmsg, "wb") as f:
    f.write(bytes.fromhex(qv["message"]))
with open(qsig, "wb") as f:
    raw = bytes.fromhex(qv["signature"])
    f.write(struct.pack(">HHH", 0x14, 0x0b, len(raw)) + raw)
with open(qak, "w", encoding="utf-8") as f:
    f.write(hcl["hcl_report"]["ak_pub_pem"])
with open(qpcrs, "w", encoding="utf-8") as f:
    json.dump({"schema_version": 1, "pcrs": {"sha256": {str(i): x for i, x in enumerate(qv["pcrs"])}}}, f)
case("tpm-quote-verify.schema.json", ["tpm", "quote", "verify", "--json", "-m", qmsg, "-s", qsig, "-u", qak,
                                      "-q", "6368616c6c656e6765", "-f", qpcrs],
     [VERSION2, drop("attest"), short("attest", "pcr_digest"), ("a check without status", lambda d: d["checks"][0].pop("status"))])
tree = os.path.join(tmp, "tree")
os.makedirs(os.path.join(tree, "bin"))
with open(os.path.join(tree, "init"), "w", encoding="utf-8") as f:
    f.write("#!/bin/sh\n")
os.symlink("../init", os.path.join(tree, "bin", "sh"))
case("initrd-pack.schema.json", ["initrd", "pack", "--json", tree, "-o", os.path.join(tmp, "i.cpio.gz")],
     [VERSION2, drop("sha256"), short("sha256"), ("entries as a string", lambda d: d.__setitem__("entries", "3"))])
# a manifest (the rvps test's shape) for rvps export / lint and appraise
man = os.path.join(tmp, "m.json")
with open(man, "w", encoding="utf-8") as f:
    json.dump({"schema_version": 1, "name": "t", "artifacts": {},
               "snp": [{"mode": "snp", "vcpus": 1, "vcpu_type": "EPYC-Milan", "vmm": "QEMU", "guest_features": "0x1",
                        "firmware": "firmware", "measurement": "a" * 96}],
               "tdx": [{"memory_mib": 2048, "vcpus": 1, "variant": "default", "firmware": "firmware", "mrtd": "c" * 96,
                        "rtmr": ["0" * 96, "1" * 96, "2" * 96, None], "xfam": "e702060000000000",
                        "tdvfkernel": "d" * 96, "tdvfkernelparams": None}],
               "verity": [], "pcrs": {"sha256": {"11": "e" * 64}}, "init_data": []}, f)
p11 = os.path.join(tmp, "p11.json")
with open(p11, "w", encoding="utf-8") as f:
    json.dump({"schema_version": 1, "pcrs": {"sha256": {"11": "e" * 64}}}, f)
case("rvps-export.schema.json", ["rvps", "export", "--json", man],
     [VERSION2, drop("entries"), ("an entry without name", lambda d: d["entries"][0].pop("name"))])
case("rvps-lint.schema.json", ["rvps", "lint", "--json", man],
     [VERSION2, drop("findings"), ("errors as a string", lambda d: d.__setitem__("errors", "0"))])
case("appraise.schema.json", ["appraise", "--json", man, "--snp-measurement", "a" * 96], [
    VERSION2, drop("ear.status"), ("a claim without tier", lambda d: d["claims"][0].pop("tier"))])
case("appraise.schema.json", ["appraise", "--json", man, "--snp-measurement", "a" * 96, "--pcrs", p11], [
    ("ear.status as a number", lambda d: d.__setitem__("ear.status", 2))])
case("appraise.schema.json", ["appraise", "--json", man, "--snp-measurement", "b" * 96],
     [("a claim value as a string", lambda d: d["claims"][0].__setitem__("value", "3"))], rc=1)
case("manifest.schema.json", ["reference", "--firmware", sn + "inputs/ovmf_AmdSev_suffix.bin", "--vcpus", "1", "--quiet"],
     [VERSION2, drop("snp"), ("a short launch digest", lambda d: d["snp"][0].__setitem__("measurement", "abcd"))])
# image inspect: a root + root-verity image built by systemd-repart (as tests/reference/test-image.sh)
if shutil.which("systemd-repart") and shutil.which("mkfs.ext4"):
    defs, rtree, img = (os.path.join(tmp, x) for x in ("defs", "rtree", "n.raw"))
    os.makedirs(defs)
    os.makedirs(os.path.join(rtree, "coco"))
    with open(os.path.join(rtree, "coco", "file"), "w", encoding="utf-8") as f:
        f.write("CoCo\n")
    with open(os.path.join(defs, "10-data.conf"), "w", encoding="utf-8") as f:
        f.write("[Partition]\nType=root\nFormat=ext4\nCopyFiles=%s:/\nVerity=data\nVerityMatchKey=root\nMinimize=guess\n" % rtree)
    with open(os.path.join(defs, "20-verity.conf"), "w", encoding="utf-8") as f:
        f.write("[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=root\nMinimize=best\n")
    r = subprocess.run(["systemd-repart", "--empty=create", "--size=auto", "--definitions=" + defs, "--dry-run=no", img],
                       capture_output=True, text=True)
    if r.returncode == 0:
        case("image-inspect.schema.json", ["image", "inspect", "--json", img],
             [VERSION2, drop("partitions"), ("a bad disk uuid", lambda d: d.__setitem__("disk_uuid", "x")),
              ("a short root hash", lambda d: d["verity"][0].__setitem__("root_hash", "abcd"))])
    else:
        ok(False, "systemd-repart builds the image for image inspect", r.stderr)
else:
    ok(True, "image-inspect.schema.json # SKIP systemd-repart or mkfs.ext4 not installed")

# The --emit file of pcr compare: PCR-set JSON (the format of tpm capture's pcrs.json and of --pcrs inputs).
emit = os.path.join(tmp, "emit.json")
subprocess.run([tool, "pcr", "compare", tb + "pcrread/quote/quote.yaml", tb + "pcrread/quote/checkquote.yaml",
                "--emit", emit], capture_output=True, cwd=src)


def case_file(schema_name, path, breakers, what):
    """Like case() for a document a verb wrote to a file."""
    v = schema(schema_name)
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        ok(False, "%s: %s" % (schema_name, what), e)
        return
    errs = errors(v, doc)
    ok(not errs, "%s validates %s" % (schema_name, what), "\n".join(errs))
    for bwhat, mutate in breakers:
        bad = copy.deepcopy(doc)
        mutate(bad)
        ok(bool(errors(v, bad)), "%s rejects the document with %s" % (schema_name, bwhat))


case_file("pcr-set.schema.json", emit, [
    VERSION2, drop("pcrs"), ("PCR 24", lambda d: d["pcrs"]["sha256"].__setitem__("24", "00" * 32)),
    ("a sha1-sized sha256 value", lambda d: d["pcrs"]["sha256"].__setitem__("0", "00" * 20)),
    ("a bank md5", lambda d: d["pcrs"].__setitem__("md5", {}))], "pcr compare --emit FILE")
case("pcr-set.schema.json", ["eventlog", "replay", "--json", tl + "eventlogs/tpm2tools-uefi-sha1-log.bin"],
     [("a short sha1 PCR 0", lambda d: d["pcrs"]["sha1"].__setitem__("0", "abcd"))])

# tpm capture --json needs a boot (validated in tests/tpm/test-capture.sh on its boots, where every PCR
# matches); its mismatch list is the one eventlog check renders (check-render.c), so the schema's
# mismatch part is checked here on eventlog check's mismatching PCR 0, in a capture-shaped document.
try:
    chk = run(["eventlog", "check", "--json", tl + "boot/uki-A/binary_bios_measurements", "--pcrs", p0], rc=1)
    capdoc = {"schema_version": 1, "output": "ref", "eventlog_size": os.path.getsize(
        os.path.join(src, tl + "boot/uki-A/binary_bios_measurements")), "events": 1, "banks": chk["banks"],
        "mismatches": chk["mismatches"], "ok": False}
    vcap = schema("tpm-capture.schema.json")
    ok(chk["mismatches"] and not errors(vcap, capdoc),
       "tpm-capture.schema.json: the mismatch list of a mismatching PCR 0 (eventlog check's renderer) validates",
       "\n".join(errors(vcap, capdoc)))
    for what, mutate in [drop("ok"), drop("banks"), VERSION2,
                         ("a sha1-sized sha256 replayed value", lambda d: d["mismatches"][0].__setitem__("replayed", "00" * 20)),
                         ("a mismatch event without digest", lambda d: d["mismatches"][0]["events"][0].pop("digest")),
                         ("PCR 24 explained", lambda d: d["banks"]["sha256"]["explained"].append(24))]:
        bad = copy.deepcopy(capdoc)
        mutate(bad)
        ok(bool(errors(vcap, bad)), "tpm-capture.schema.json rejects the document with %s" % what)
except Exception as e:  # noqa: BLE001 - reported as a failed case
    ok(False, "tpm-capture.schema.json: eventlog check on a mismatching PCR 0", e)

# CC event logs (TDX CCEL): eventlog replay / show / check
cc = td + "ccel/"
case("eventlog-replay-cc.schema.json", ["eventlog", "replay", "--json", cc + "go-tdx-guest_cos-113_ccel_table.bin",
                                        cc + "go-tdx-guest_cos-113_ccel_data.bin"],
     [VERSION2, drop("rtmrs"), short("rtmrs", "rtmr_2"), ("a table without lasa", lambda d: d["ccel_table"].pop("lasa")),
      ("five RTMR counts", lambda d: d["extends_per_rtmr"].append(0))])
case("eventlog-replay-cc.schema.json", ["eventlog", "replay", "--json", cc + "trustee_CCEL_data_grub.bin"],
     [short("trustee", "tdvfkernelparams")])
for f in ["go-tdx-guest_cos-113_ccel_data.bin", "trustee_CCEL_AAEL_alibabacloud.bin", "trustee_CCEL_data_grub_gke.bin"]:
    case("eventlog-show-cc.schema.json", ["eventlog", "show", "--json", cc + f],
         [VERSION2, drop("uefi_event_logs"), ("a record without rtmr", lambda d: d["uefi_event_logs"][0].pop("rtmr")),
          ("a short record digest", lambda d: d["uefi_event_logs"][0]["digests"][0].__setitem__("digest", "abcd"))])
cq = cc + "go-tdx-guest_cos-113_tdx_quote.dat"
case("eventlog-check-cc.schema.json", ["eventlog", "check", "--json", cc + "go-tdx-guest_cos-113_ccel_data.bin", "--quote", cq],
     [VERSION2, drop("ok"), short("rtmrs", 1, "quote"), ("three RTMRs", lambda d: d["rtmrs"].pop())])
case("eventlog-check-cc.schema.json", ["eventlog", "check", "--json", cc + "trustee_CCEL_data_grub.bin", "--quote", cq],
     [("a mismatch without why", lambda d: d["rtmrs"][0].pop("why")),
      ("signature verified", lambda d: d.__setitem__("quote_signature_verified", True))], rc=1)

# snp report verify --batch: JSON Lines, one document per report (a readable one and an unreadable one)
bdir = os.path.join(tmp, "batch")
os.makedirs(bdir)
shutil.copy(os.path.join(src, ev + "snp/msft-tav_milan_attestation_report.bin"), bdir)
with open(os.path.join(bdir, "cut.bin"), "wb") as f:
    f.write(b"\0" * 7)
p = subprocess.run([tool, "snp", "report", "verify", "--json", "--batch", bdir, "--vcek", ev + "snp/msft-tav_milan_vcek.pem",
                    "--ca", ev + "snp/msft-tav_milan_ask.pem", "--ca", ev + "snp/msft-tav_milan_ark.pem"],
                   capture_output=True, text=True, cwd=src)
vb = schema("snp-report-verify-batch.schema.json")
try:
    lines = [json.loads(x) for x in p.stdout.splitlines()]
except ValueError as e:
    lines = []
    ok(False, "snp report verify --batch --json prints JSON lines", e)
ok(p.returncode == 2 and len(lines) == 2 and {x.get("ok") for x in lines} == {True, False},
   "snp report verify --batch: one line per report, one verified, one unreadable (exit 2)", p.stderr)
for x in lines:
    errs = errors(vb, x)
    ok(not errs, "snp-report-verify-batch.schema.json validates the line of %s" % os.path.basename(str(x.get("id"))),
       "\n".join(errs))
    for what, mutate in [drop("index"), VERSION2] + ([drop("error")] if "error" in x else
                                                     [drop("problems"), short("vcek_sha256")]):
        bad = copy.deepcopy(x)
        mutate(bad)
        ok(bool(errors(vb, bad)), "snp-report-verify-batch.schema.json rejects a line with %s" % what)

# reference -o FILE --json: the summary; the manifest written validates against manifest.schema.json
mout = os.path.join(tmp, "ref-m.json")
case("reference-summary.schema.json", ["reference", "--firmware", sn + "inputs/ovmf_AmdSev_suffix.bin", "--vcpus", "1",
                                       "--quiet", "-o", mout, "--json"],
     [VERSION2, drop("snp_rows"), ("tdx_computed as a string", lambda d: d.__setitem__("tdx_computed", "no"))])
case_file("manifest.schema.json", mout, [drop("snp")], "the manifest reference -o wrote")

# Every place in src/ that starts a schema_version document, with the schemas its documents follow. The
# JSON emitters in src/tool are counted (tool_json_new(), tool_pcrset_json(&...), in source order); a new one,
# or one gone, fails here until this table names its schema. src/lib files that write or read a
# schema_version document are listed by name.
EMITTERS = {
    "src/tool/output.c": [["pcr-set"]],                      # tool_pcrset_json
    "src/tool/verb-appraise.c": [["appraise"]],
    "src/tool/verb-ccel.c": [["eventlog-replay-cc"], ["eventlog-show-cc"], ["eventlog-check-cc"]],
    "src/tool/verb-eventlog.c": [["eventlog-replay"], ["eventlog-show"], ["eventlog-show"], ["eventlog-check"]],
    "src/tool/verb-hcl.c": [["hcl-report-show"], ["hcl-report-verify"]],
    "src/tool/verb-image.c": [["image-inspect"]],
    "src/tool/verb-initrd.c": [["initrd-pack"]],
    "src/tool/verb-pcr-compare.c": [["pcr-compare"], ["pcr-set"]],  # --json, --emit FILE
    "src/tool/verb-pcr-predict.c": [["pcr-predict"]],
    "src/tool/verb-pe.c": [["pe-hash"]],
    "src/tool/verb-reference.c": [["reference-summary"]],
    "src/tool/verb-rvps.c": [["rvps-export"], ["rvps-lint"]],
    "src/tool/verb-snp-explain.c": [["snp-explain"]],
    "src/tool/verb-snp-idblock.c": [["snp-id-block"]],
    "src/tool/verb-snp-report.c": [["snp-report-show"], ["snp-report-verify"], ["snp-report-verify-batch"]],
    "src/tool/verb-snp.c": [["snp-measure", "snp-measure-table"]],
    "src/tool/verb-tdx-acpi.c": [["tdx-acpi-dump"]],
    "src/tool/verb-tdx-measure.c": [["tdx-measure", "tdx-measure-table"]],
    "src/tool/verb-tdx.c": [["tdx-metadata"], ["tdx-quote"]],
    "src/tool/verb-tpm-quote.c": [["tpm-quote-verify"], ["tpm-evidence-verify"]],
    "src/tool/verb-tpm.c": [["pcr-set"], ["tpm-capture"]],   # DIR/pcrs.json, --json
    "src/tool/verb-uki-build.c": [["uki-build"]],
    "src/tool/verb-uki.c": [["uki-measure"], ["uki-sign"]],
    "src/tool/verity-cli.c": [["verity-format", "verity-dump", "verity-verify", "verity-table", "verity-repair"]],
    "src/lib/refvals/write.c": [["manifest"]],               # ct_manifest_write
    "src/lib/refvals/read.c": [["manifest"]],                # reads it
    "src/lib/refvals/rvps.c": [["manifest"]],                # reads it
    "src/lib/refvals/model.c": [["manifest"]],
    "src/lib/pcr/pcrread.c": [["pcr-set"]],                  # reads PCR-set JSON
}
INPUT_ONLY = {"image-description"}  # read by reference --image-description, validated in tests/reference
EMIT_RE = re.compile(r"\btool_json_new\(\)|\btool_pcrset_json\(&")
found = {}
for dirpath, _, names in os.walk(os.path.join(src, "src")):
    for name in sorted(names):
        if not name.endswith((".c", ".h")):
            continue
        path = os.path.join(dirpath, name)
        rel = os.path.relpath(path, src)
        text = open(path, encoding="utf-8", errors="replace").read()
        sites = len(EMIT_RE.findall(text)) if rel.startswith("src/tool/") and name.endswith(".c") else 0
        if sites or ('"schema_version"' in text and rel.startswith("src/lib/")) or "schema_version =" in text:
            found[rel] = sites
missing = sorted(set(found) - set(EMITTERS))
ok(not missing, "every src/ file that emits or reads a schema_version document is in the table", missing)
wrong = ["%s: %d emitters, the table has %d" % (f, found[f], len(EMITTERS[f])) for f in sorted(found)
         if f in EMITTERS and f.startswith("src/tool/") and found[f] != len(EMITTERS[f])]
ok(not wrong, "the table has one entry per JSON emitter in src/tool (%d emitters in %d files)"
   % (sum(found.values()), len([f for f in found if found[f]])), "\n".join(wrong))
gone = sorted(set(EMITTERS) - set(found))
ok(not gone, "every file of the table still emits or reads one", gone)
named = {x for entries in EMITTERS.values() for e in entries for x in e} | INPUT_ONLY
files = {f[:-len(".schema.json")] for f in os.listdir(os.path.join(src, "schemas")) if f.endswith(".schema.json")}
ok(named <= files, "every schema the table names exists in schemas/", sorted(named - files))
ok(files <= named, "every schemas/*.schema.json is named by the table", sorted(files - named))
# Each schema is validated against real output: here, or in the test that can produce it (the boots).
tests_text = {}
for dirpath, _, names in os.walk(os.path.join(src, "tests")):
    for name in names:
        if name.endswith((".py", ".sh")) and name != "test-json-schemas.py":
            tests_text[os.path.relpath(os.path.join(dirpath, name), src)] = open(os.path.join(dirpath, name),
                                                                                  encoding="utf-8", errors="replace").read()
own = open(os.path.abspath(__file__), encoding="utf-8").read()
for name in sorted(files):
    where = ["here"] if ('"%s.schema.json"' % name) in own else []
    where += [t for t, txt in sorted(tests_text.items()) if "%s.schema.json" % name in txt]
    ok(bool(where), "%s.schema.json is validated by a test (%s)" % (name, ", ".join(where[:3]) or "none"))

print("1..%d" % n)
sys.exit(1 if failed else 0)
