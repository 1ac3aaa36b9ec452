#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# The manifest JSON against schemas/manifest.schema.json (python3-jsonschema),
# and the C reader against the schema: every mutation the schema rejects, the
# reader rejects too (exit 2, naming the field). Init-data forms recomputed
# with hashlib. TAP output.
import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
tool = sys.argv[1]
root = os.environ.get("CT_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema not installed (scripts/install-deps)")
    sys.exit(0)

schema = json.load(open(os.path.join(root, "schemas", "manifest.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

sample_text = subprocess.run([tool, "sample"], check=True, capture_output=True).stdout
sample = json.loads(sample_text)
errors = list(validator.iter_errors(sample))
ok(not errors, "sample manifest validates against the schema" + ("" if not errors else ": " + errors[0].message))

tmp = tempfile.mkdtemp()


def reader(doc_text):
    p = os.path.join(tmp, "m.json")
    with open(p, "wb") as f:
        f.write(doc_text)
    return subprocess.run([tool, "read", p], capture_output=True)


r = reader(sample_text)
ok(r.returncode == 0 and r.stdout == sample_text, "read + write reproduces the manifest byte for byte")

# Mutations: (description, function, field named in the reader's message)
def setp(path, value):
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = value
    return f


def delp(path):
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f


mutations = [
    ("schema_version 2", setp(["schema_version"], 2), "schema_version"),
    ("unknown top-level key", setp(["extra"], 1), "extra"),
    ("missing artifacts", delp(["artifacts"]), "artifacts"),
    ("snp measurement upper-case", setp(["snp", 0, "measurement"], "AB" * 48), "snp[0]"),
    ("snp measurement 32 bytes in snp mode", setp(["snp", 0, "measurement"], "ab" * 32), "snp[0]"),
    ("sev measurement 48 bytes", setp(["snp", 1, "measurement"], "ab" * 48), "snp[1]"),
    ("snp vmm unknown", setp(["snp", 0, "vmm"], "kvm"), "snp[0]"),
    ("snp vcpus negative", setp(["snp", 0, "vcpus"], -1), "snp[0]"),
    ("snp vcpus a string", setp(["snp", 0, "vcpus"], "4"), "snp[0]"),
    ("snp guest_features integer", setp(["snp", 0, "guest_features"], 1), "snp[0]"),
    ("snp row without firmware", delp(["snp", 0, "firmware"]), "snp[0]"),
    ("tdx rtmr with 3 entries", lambda d: d["tdx"][0]["rtmr"].pop(), "tdx[0]"),
    ("tdx xfam 4 bytes", setp(["tdx", 0, "xfam"], "e7020600"), "tdx[0]"),
    ("tdx mrtd missing", delp(["tdx", 0, "mrtd"]), "tdx[0]"),
    ("verity hash_type 3", setp(["verity", 0, "hash_type"], 3), "verity[0]"),
    ("verity salt odd", setp(["verity", 0, "salt"], "abc"), "verity[0]"),
    ("verity cmdline value not a string", setp(["verity", 0, "cmdline", "roothash"], 1), "verity[0].cmdline"),
    ("pcr index 24", setp(["pcrs", "sha256", "24"], "00" * 32), "pcrs.sha256"),
    ("pcr bank unknown", setp(["pcrs", "sha999"], {}), "pcrs"),
    ("pcr value short", setp(["pcrs", "sha256", "4"], "00" * 20), "pcrs.sha256"),
    ("captured pcr index text", setp(["captured_pcrs", "sha1", "x"], "00" * 20), "captured_pcrs.sha1"),
    ("pcr variant with a bad bank", setp(["pcr_variants", "secure_boot=on", "sha7"], {}), "pcr_variants"),
    ("pcr variant index 30", setp(["pcr_variants", "secure_boot=on", "sha256", "30"], "00" * 32), "pcr_variants.secure_boot=on.sha256"),
    ("init-data algorithm sha1", setp(["init_data", 0, "algorithm"], "sha1"), "init_data[0]"),
    ("init-data pcr8 short", setp(["init_data", 0, "pcr8"], "00"), "init_data[0]"),
    ("artifact without path or text", lambda d: (d["artifacts"]["kernel"].pop("path")), "artifacts.kernel"),
    ("artifact parameter is an object", setp(["artifacts", "firmware", "parameters", "x"], {}), "artifacts.firmware"),
    ("artifact sha256 short", setp(["artifacts", "kernel", "sha256"], "00"), "artifacts.kernel"),
    ("notes value integer", setp(["notes", "tdx"], 3), "notes"),
]
for desc, mutate, field in mutations:
    d = copy.deepcopy(sample)
    mutate(d)
    schema_rejects = not validator.is_valid(d)
    r = reader(json.dumps(d, indent=2).encode())
    msg = r.stderr.decode()
    ok(schema_rejects, "schema rejects: " + desc)
    ok(r.returncode == 2 and field in msg and msg.count("\n") == 1,
       "reader rejects with exit 2 naming %s: %s (%s)" % (field, desc, msg.strip()))

# A manifest without TDX values: "tdx": null validates and reads.
d = copy.deepcopy(sample)
d["tdx"] = None
ok(validator.is_valid(d), "tdx null validates")
ok(reader(json.dumps(d).encode()).returncode == 0, "reader accepts tdx null")

# Init-data forms, recomputed here with hashlib.
for alg in ("sha256", "sha384", "sha512"):
    toml = ('algorithm = "%s"\nversion = "0.1.0"\n[data]\n"policy.rego" = """\npackage agent_policy\n"""\n' % alg).encode()
    p = os.path.join(tmp, "init.toml")
    with open(p, "wb") as f:
        f.write(toml)
    out = subprocess.run([tool, "init-data", p], capture_output=True, check=True).stdout.decode()
    got = dict(line.split(" ", 1) for line in out.strip().split("\n"))
    dig = hashlib.new(alg, toml).digest()
    host = (dig + bytes(32))[:32]
    mrc = (dig + bytes(48))[:48]
    pcr8 = hashlib.sha256(bytes(32) + host).digest()
    ok(got["digest"] == dig.hex() and got["host_data"] == host.hex() and got["mrconfigid"] == mrc.hex()
       and got["pcr8"] == pcr8.hex(), "init-data %s: digest, HOST_DATA, MRCONFIGID, PCR 8 equal hashlib's" % alg)

sys.exit(tap.done())
