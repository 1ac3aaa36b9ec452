/* SPDX-License-Identifier: Apache-2.0 */
/* What rvps.c, policy.c and appraise.c share (not exported). */
#ifndef COCOTRUST_RVPS_INTERNAL_H
#define COCOTRUST_RVPS_INTERNAL_H

#include <json-c/json.h>

#include <cocotrust/rvps.h>

/* Parse JSON text of at most CT_MAX_RVPS_MESSAGE bytes (depth-limited); errors name `what` and the offset. */
ct_code ct_rv_json_parse(const char *text, size_t len, const char *what, json_object **ret, ct_error *err);


#endif
