/* SPDX-License-Identifier: Apache-2.0 */
/* What the snp verb files of the tool share (option lists, inputs, JSON). */
#ifndef COCOTRUST_SNP_TOOL_H
#define COCOTRUST_SNP_TOOL_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <cocotrust/error.h>
#include <cocotrust/fileio.h>

/* A comma list the library refused: "argument OPTION: <message>", exit 2. */
int snp_fail_list(const ct_error *err, const char *option);

/* Print err (its message names the input) and return 2 for I/O errors, as sev-snp-measure fails then. */
int snp_fail_input(const ct_error *err);

/* Map a firmware / SVSM image (at most CT_MAX_SNP_FIRMWARE_SIZE); prints and returns the exit status on error. */
int snp_read_blob(const char *path, ct_blob *b);

/* "0x<hex>" under key. */
void snp_json_add_hex_u64(json_object *o, const char *key, uint64_t v);

int snp_verb_explain(int argc, char **argv);
int snp_verb_id_block(int argc, char **argv);

#endif
