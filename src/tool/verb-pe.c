/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust pe — placeholder until the area lands: every verb says it is not implemented. */
#include "tool.h"

static int verb_hash(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'pe hash'");
}

static const struct tool_verb verbs[] = {
        { "hash", "[OPTIONS]", verb_hash, "(not implemented yet)" },
};

const struct tool_area tool_area_pe = { "pe", "PE/COFF Authenticode digests (PCR 4)", verbs, sizeof(verbs) / sizeof(verbs[0]) };
