/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust pcr predict — placeholder until the area lands. */
#include "tool.h"

int tool_pcr_predict(int argc, char **argv);

int tool_pcr_predict(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return tool_not_implemented("'pcr predict'");
}
