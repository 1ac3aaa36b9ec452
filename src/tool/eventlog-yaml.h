/* SPDX-License-Identifier: Apache-2.0 */
/* tpm2_eventlog 5.4 compatible YAML of one event record (eventlog-yaml.c). */
#ifndef COCOTRUST_TOOL_EVENTLOG_YAML_H
#define COCOTRUST_TOOL_EVENTLOG_YAML_H

#include <cocotrust/tcglog.h>

/* tpm2_eventlog's name of an event type ("Unknown event type" when it has none). */
const char *tool_yaml_event_type(uint32_t type);

/* One record, as tpm2_eventlog 5.4 prints it (version 1), or tpm2-tools 5.8 with --eventlog-version=2. */
void tool_yaml_event(const ct_tcg_event *ev, const ct_tcg_info *info, unsigned version);

#endif
