#!/bin/bash
# The end-to-end demo on the shipped sample inputs (`make demo`).
# Each area contributes a section, examples/demo-<area>.sh CT_BINARY, run from
# the project root; this script runs them in the order of the chain of trust.
set -euo pipefail
cd "$(dirname "$0")/.."
CT=$(realpath "${1:-build/cocotrust}")
export CT

echo "cocotrust demo — $("$CT" --version)"
echo "Every value below is computed offline from files shipped in this repository."
for section in snp verity pe-uki eventlog; do
        script=examples/demo-$section.sh
        [ -x "$script" ] || continue
        echo
        echo "================================================================"
        "$script" "$CT"
done
echo
echo "Demo finished. See README.md for every command and option."
