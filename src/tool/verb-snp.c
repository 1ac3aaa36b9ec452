/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust snp — placeholder until the area lands: every verb says it is not implemented. */
#include "tool.h"

static int verb_measure(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'snp measure'");
}

static const struct tool_verb verbs[] = {
        { "measure", "[OPTIONS]", verb_measure, "(not implemented yet)" },
};

const struct tool_area tool_area_snp = { "snp", "SEV / SEV-ES / SEV-SNP launch digests (sev-snp-measure compatible)", verbs, sizeof(verbs) / sizeof(verbs[0]) };
