#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# embed-blob.py FILE OUT.S SYMBOL: an assembler file that includes FILE's bytes
# (.incbin) between SYMBOL and SYMBOL_end, for the build (meson custom_target).
import os
import sys

path, out, sym = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(out, "w") as f:
    f.write(f'\t.section .rodata\n\t.balign 16\n\t.globl {sym}\n{sym}:\n\t.incbin "{path}"\n'
            f'\t.globl {sym}_end\n{sym}_end:\n\t.section .note.GNU-stack,"",@progbits\n')
