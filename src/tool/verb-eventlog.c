/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust eventlog — placeholder until the area lands: every verb says it is not implemented. */
#include "tool.h"

static int verb_show(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'eventlog show'");
}

static int verb_replay(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'eventlog replay'");
}

static int verb_check(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'eventlog check'");
}

static const struct tool_verb verbs[] = {
        { "show", "[OPTIONS]", verb_show, "(not implemented yet)" },
        { "replay", "[OPTIONS]", verb_replay, "(not implemented yet)" },
        { "check", "[OPTIONS]", verb_check, "(not implemented yet)" },
};

const struct tool_area tool_area_eventlog = { "eventlog", "TCG event logs", verbs, sizeof(verbs) / sizeof(verbs[0]) };
