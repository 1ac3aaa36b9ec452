/* SPDX-License-Identifier: Apache-2.0 */
/* What rvps.c, policy.c and appraise.c share (not exported). */
#ifndef COCOTRUST_RVPS_INTERNAL_H
#define COCOTRUST_RVPS_INTERNAL_H

#include <json-c/json.h>

#include <cocotrust/rvps.h>

/* Parse JSON text of at most CT_MAX_RVPS_MESSAGE bytes (depth-limited); errors name `what` and the offset. */
ct_code ct_rv_json_parse(const char *text, size_t len, const char *what, json_object **ret, ct_error *err);

/* Export from a parsed manifest. */
ct_code ct_rv_export_json(json_object *m, const ct_rvps_export_opts *opts, ct_rvps_export **ret, ct_error *err);

/* Lower-case hex of exactly nhex digits (a 0x prefix is accepted) of a string field into out[nhex+1]. */
ct_code ct_rv_hex_field(json_object *o, size_t nhex, const char *field, char *out, ct_error *err);

/* xfam as Trustee's claim shows it: the 8 stored (little-endian) bytes in hex. */
ct_code ct_rv_xfam_hex(json_object *o, const char *field, char out[17], ct_error *err);

/* The rows of a manifest table: the array itself or its "table"/"entries" member. */
json_object *ct_rv_rows(json_object *o);

#endif
