/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust pcr compare — placeholder until the area lands. */
#include "tool.h"

int tool_pcr_compare(int argc, char **argv);

int tool_pcr_compare(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'pcr compare'");
}
