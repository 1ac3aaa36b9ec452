/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the CLI's list and number option parsers (src/tool/output.c): --bank lists
 * (tool_parse_bank_mask), repeated bank names (tool_add_bank), tool_parse_u64. The input is split
 * at NUL bytes into option values. Checks: a parsed mask names only known banks, no more banks
 * than CT_HASH__MAX are added, a parsed number round-trips through strtoull.
 * The parsers print their error messages on stderr: scripts/fuzz-run runs this target with
 * -close_fd_mask=2 (libFuzzer keeps its own output), never silence stderr here, which would
 * also hide libFuzzer's statistics and findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

const char *program_name = "cocotrust";
const char *tool_version = "fuzz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_hash_alg banks[CT_HASH__MAX];
        size_t n_banks = 0;
        char *buf;

        if (size > 4096)
                return 0;
        buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = 0;
        for (size_t off = 0; off <= size;) {
                const char *s = buf + off;
                uint32_t mask = 0;
                unsigned long long v;

                if (tool_parse_bank_mask(s, &mask, "--bank") == EXIT_OK) {
                        if (!mask || (mask & ~((1u << CT_HASH__MAX) - 1)) || (mask & 1u))
                                abort(); /* only real banks, and at least one */
                }
                if (tool_add_bank(banks, &n_banks, s, "--bank") && n_banks > CT_HASH__MAX)
                        abort();
                if (tool_parse_u64(s, &v) && strtoull(s, NULL, 0) != v)
                        abort();
                off += strlen(s) + 1;
        }
        free(buf);
        return 0;
}
