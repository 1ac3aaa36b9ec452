/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust uki — placeholder until the area lands: every verb says it is not implemented. */
#include "tool.h"

static int verb_measure(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'uki measure'");
}

static const struct tool_verb verbs[] = {
        { "measure", "[OPTIONS]", verb_measure, "(not implemented yet)" },
};

const struct tool_area tool_area_uki = { "uki", "PCR 11 of a Unified Kernel Image (systemd-measure compatible)", verbs, sizeof(verbs) / sizeof(verbs[0]) };
