/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — the CC event log (TDX CCEL) side of `eventlog replay|show|check` (verb-ccel.c). */
#ifndef COCOTRUST_CCEL_TOOL_H
#define COCOTRUST_CCEL_TOOL_H

#include <stdbool.h>

/* True when the run is about a CC event log: --cc, --quote, --ccel-table, or a file argument that is one. */
bool tool_ccel_applies(int argc, char **argv);

/* Run `eventlog VERB` ("replay", "show", "check") for a CC event log. */
int tool_ccel_verb(const char *verb, int argc, char **argv);

#endif
