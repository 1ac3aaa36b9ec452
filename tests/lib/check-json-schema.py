#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check-json-schema.py SCHEMA FILE...: validate each JSON FILE against schemas/SCHEMA (python3-jsonschema,
Draft 2020-12), for the shell tests. Exit 0 all valid, 1 a file is invalid or not JSON (the errors on stdout,
one '#'-prefixed line each, TAP diagnostics), 77 python3-jsonschema is not installed (the caller skips)."""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("# python3-jsonschema not installed (scripts/install-deps)")
    sys.exit(77)

if len(sys.argv) < 3:
    print("usage: check-json-schema.py SCHEMA FILE...", file=sys.stderr)
    sys.exit(2)
root = os.environ.get("CT_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
with open(os.path.join(root, "schemas", sys.argv[1]), encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print("# %s: %s" % (path, e))
        bad += 1
        continue
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errs[:10]:
        print("# %s: /%s: %s" % (path, "/".join(str(p) for p in e.absolute_path), e.message[:200]))
    bad += bool(errs)
sys.exit(1 if bad else 0)
