#!/bin/bash
# docs/inputs.md names every limit of the public headers (the one place where every limit is written).
set -u
. "$CT_SOURCE_ROOT/tests/lib/tap.sh"
doc=$CT_SOURCE_ROOT/docs/inputs.md
missing=0
for name in $(python3 "$CT_SOURCE_ROOT/scripts/list-limits.py" "$CT_SOURCE_ROOT" | sed -n 's/^| [^|]* | `\([A-Z0-9_]*\)`.*/\1/p'); do
        if ! grep -qF "\`$name\`" "$doc"; then
                diag "not in docs/inputs.md: $name (run scripts/list-limits.py and paste the table)"
                missing=$((missing + 1))
        fi
done
is "$missing" 0 "docs/inputs.md lists every named limit of include/cocotrust/*.h"
n=$(python3 "$CT_SOURCE_ROOT/scripts/list-limits.py" "$CT_SOURCE_ROOT" | tail -n +3 | wc -l)
ok "$([ "$n" -gt 50 ]; echo $?)" "the limits table is not empty ($n limits)"
done_testing
