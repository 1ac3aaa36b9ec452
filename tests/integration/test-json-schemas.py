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

print("1..%d" % n)
sys.exit(1 if failed else 0)
