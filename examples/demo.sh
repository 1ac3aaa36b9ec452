#!/bin/bash
# The end-to-end demo on the shipped sample inputs: `make demo`.
set -euo pipefail
CT=${1:-build/cocotrust}
cd "$(dirname "$0")/.."
echo "cocotrust demo — $("$CT" --version)"
"$CT" --help
