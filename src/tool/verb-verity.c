/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust verity — placeholder until the area lands: every verb says it is not implemented. */
#include "tool.h"

static int verb_format(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'verity format'");
}

static int verb_verify(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'verity verify'");
}

static int verb_dump(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'verity dump'");
}

static int verb_table(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'verity table'");
}

static const struct tool_verb verbs[] = {
        { "format", "[OPTIONS]", verb_format, "(not implemented yet)" },
        { "verify", "[OPTIONS]", verb_verify, "(not implemented yet)" },
        { "dump", "[OPTIONS]", verb_dump, "(not implemented yet)" },
        { "table", "[OPTIONS]", verb_table, "(not implemented yet)" },
};

const struct tool_area tool_area_verity = { "verity", "dm-verity hash trees (veritysetup compatible)", verbs, sizeof(verbs) / sizeof(verbs[0]) };
