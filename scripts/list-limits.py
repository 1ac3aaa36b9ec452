#!/usr/bin/env python3
"""Print the Markdown table of every named limit (CT_*MAX*, CT_*LIMIT*, ...) in include/cocotrust/*.h.

docs/inputs.md embeds its output between the LIMITS markers; tests/integration/test-limits-doc.sh
fails when a header gains a limit the document does not list.  Usage: list-limits.py [SOURCE_ROOT]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
pat = re.compile(r"^#define\s+(CT_[A-Z0-9_]*(?:MAX|LIMIT|WAIT_MS|MAP_MIN)[A-Z0-9_]*)\s+(.*?)\s*(?:/\*\s*(.*?)\s*(?:\*/)?)?$")
rows = []
for h in sorted((root / "include" / "cocotrust").glob("*.h")):
    for line in h.read_text().splitlines():
        m = pat.match(line)
        if m:
            name, value, comment = m.group(1), m.group(2).strip(), (m.group(3) or "").strip()
            rows.append((h.name, name, value.replace("|", "\\|"), comment.replace("|", "\\|")))
print("| header | limit | value | what it bounds |")
print("|---|---|---|---|")
for h, n, v, c in rows:
    print(f"| {h} | `{n}` | `{v}` | {c} |")
