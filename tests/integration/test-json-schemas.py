#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validate the --json documents of the verbs against schemas/*.schema.json
(python3-jsonschema, Draft 2020-12), on real inputs from tests/vectors, and
check that each schema rejects a broken document (a required member removed,
a digest of the wrong shape), so a schema that accepts anything fails here."""
import copy
import json
import os
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


def run(args):
    p = subprocess.run([tool] + args, capture_output=True, text=True, cwd=src)
    if p.returncode != 0:
        raise RuntimeError("cocotrust %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return json.loads(p.stdout)


def errors(v, doc):
    return [e.message for e in v.iter_errors(doc)]


def case(schema_name, args, breakers):
    v = schema(schema_name)
    try:
        doc = run(args)
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
case("snp-report-show.schema.json", ["snp", "report", "show", "--json", ev + "snp/msft-tav_milan_attestation_report.bin"],
     [VERSION2, drop("policy"), short("image_id")])
case("snp-report-verify.schema.json", ["snp", "report", "verify", "--json", ev + "snp/msft-tav_milan_attestation_report.bin",
                                       "--vcek", ev + "snp/msft-tav_milan_vcek.pem", "--ca", ev + "snp/msft-tav_milan_ask.pem",
                                       "--ca", ev + "snp/msft-tav_milan_ark.pem"],
     [VERSION2, drop("checks"), short("vcek_sha256"), ("ok as a string", lambda d: d.__setitem__("ok", "yes"))])
for f in ["trustee_az-snp-vtpm_hcl-report.bin", "az-cvm-vtpm_hcl-report-tdx.bin"]:
    case("hcl-report-show.schema.json", ["hcl", "report", "show", "--json", ev + "azure/" + f],
         [VERSION2, drop("hcl_report"), ("no header", lambda d: d["hcl_report"].pop("header"))])
case("hcl-report-verify.schema.json", ["hcl", "report", "verify", "--json", ev + "azure/trustee_az-snp-vtpm_hcl-report.bin"],
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
    case("tdx-metadata.schema.json", ["tdx", "metadata", "--json", "/usr/share/ovmf/OVMF.fd"],
         [VERSION2, drop("sections"), short("mrtd_single_pass"), ("a section without gpa", lambda d: d["sections"][0].pop("gpa"))])
else:
    ok(True, "tdx measure / metadata schemas # SKIP /usr/share/ovmf/OVMF.fd (ovmf) not installed")
for f in ["go-tdx-guest_tdx_prod_quote_SPR_E4.dat", "go-tdx-guest_quote_v5_sample.dat"]:
    case("tdx-quote.schema.json", ["tdx", "quote", "--json", td + "quotes/" + f],
         [VERSION2, drop("report_data"), short("report_data"), short("init_data")])
tl = "tests/vectors/tpm/"
for f in ["tpm2tools-postcode.bin", "gotpmtools-ubuntu-2404-amd-sevsnp.bin"]:
    case("eventlog-show.schema.json", ["eventlog", "show", "--json", tl + "eventlogs/" + f],
         [VERSION2, drop("events"), ("an event without pcr", lambda d: d["events"][1].pop("pcr")),
          ("a short sha256 event digest", lambda d: d["events"][1]["digests"].__setitem__("sha256", "abcd"))])
case("eventlog-check.schema.json", ["eventlog", "check", "--json", tl + "boot/uki-A/binary_bios_measurements", "--pcrs",
                                    tl + "boot/uki-A/pcrs-sysfs.pcrread-style.yaml"],
     [VERSION2, drop("mismatches"), ("ok as a string", lambda d: d.__setitem__("ok", "yes"))])

print("1..%d" % n)
sys.exit(1 if failed else 0)
