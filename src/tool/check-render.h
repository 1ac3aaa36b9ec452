/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust CLI — rendering a ct_tpm_check (eventlog check, tpm capture; appraise next). */
#ifndef COCOTRUST_CHECK_RENDER_H
#define COCOTRUST_CHECK_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <cocotrust/check.h>

/* "EV_SEPARATOR", or "0x%08x" in tmp for a type without a name. */
const char *tool_event_type_name(uint32_t type, char *tmp, size_t cap);

/* "  LABEL0,2-7" (LABEL carries its colon and padding), the list as tool_pcr_mask_text writes it. */
void tool_print_mask_line(const char *label, uint32_t mask);

/*
 * Text: per bank "explained / mismatch / not in log / not in PCRS" lines,
 * then for each mismatch the two values and the events of that PCR, with the
 * what-if of a cut-off last record. `what` names the PCR values ("PCRS").
 */
void tool_check_print_text(const ct_tpm_check *c, const char *what);

/* {"<bank>": {"explained": [...], "mismatch": [...], "not_in_log": [...], "not_in_pcrs": [...]}} */
json_object *tool_check_banks_json(const ct_tpm_check *c);

/* [{"bank", "pcr", "replayed", "pcrs", ["with_truncated_record", "truncated_record_explains"], "events": [...]}] */
json_object *tool_check_mismatches_json(const ct_tpm_check *c);

#endif
