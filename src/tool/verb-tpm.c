/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust tpm — placeholder until the area lands: every verb says it is not implemented. */
#include "tool.h"

static int verb_capture(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'tpm capture'");
}

static const struct tool_verb verbs[] = {
        { "capture", "[OPTIONS]", verb_capture, "(not implemented yet)" },
};

const struct tool_area tool_area_tpm = { "tpm", "reference boots with a software TPM", verbs, sizeof(verbs) / sizeof(verbs[0]) };
