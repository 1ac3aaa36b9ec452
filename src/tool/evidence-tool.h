/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust CLI — rendering shared by the evidence verbs (snp report, tpm quote, hcl report). */
#ifndef COCOTRUST_EVIDENCE_TOOL_H
#define COCOTRUST_EVIDENCE_TOOL_H

#include <getopt.h>
#include <stddef.h>

#include <json-c/json.h>

#include <cocotrust/evidence.h>

#include "tool.h"

struct tool_flag {
        uint64_t bit;
        const char *name;
};
extern const struct tool_flag tool_snp_policy_flags[];
extern const size_t tool_snp_n_policy_flags;
extern const struct tool_flag tool_snp_plat_flags[];
extern const size_t tool_snp_n_plat_flags;

/* A byte-array field of a report struct, rendered as hex under its own name. */
struct tool_hex_field {
        const char *name;
        size_t offset, len;
};
#define TOOL_HEX_FIELD(type, field) { #field, offsetof(type, field), sizeof(((type *)0)->field) }
/* Each field of base (a struct the table describes) as "name": "hex" into o. */
void tool_json_add_hex_fields(json_object *o, const void *base, const struct tool_hex_field *f, size_t n);

/* The status to stop with after an option loop (cmd->status once cmd->done), else rc. */
static inline int tool_cmd_status(const struct tool_cmd *cmd, int rc)
{
        return cmd->done ? cmd->status : rc;
}

/* Read FILE ('-' = stdin) whole, at most max bytes. Prints the error; returns an exit status. */
int tool_read_input(const char *file, size_t max, uint8_t **ret, size_t *ret_len);

/* Read and parse an SNP report; prints "FILE: field: offset" errors; returns an exit status. */
int tool_read_snp_report(const char *file, ct_snp_product hint, ct_snp_report *r, ct_error *err);

/* Every field of the report into o; returns o. */
json_object *tool_snp_report_json(json_object *o, const ct_snp_report *r);

/* "ok", "product", "signing_key", "vcek_sha256", "checks", "failed" into o. */
void tool_snp_result_json(json_object *o, const ct_snp_verify_result *res);
/* The batch form: the same without the passing checks ("problems" = failed and warning checks, "checks" = count). */
void tool_snp_result_json_brief(json_object *o, const ct_snp_verify_result *res);

/* JSON array of checks; and the text listing with a summary line. */
json_object *tool_checks_json(const ct_checks *c);
void tool_print_checks(const ct_checks *c);

/* The options `snp report verify` and `hcl report verify --snp-verify` share (codes 300+). */
enum {
        SNP_OPT_CERTS = 300, SNP_OPT_VCEK, SNP_OPT_VLEK, SNP_OPT_CA, SNP_OPT_CRL, SNP_OPT_PRODUCT, SNP_OPT_AT,
        SNP_OPT_MEAS, SNP_OPT_HOST, SNP_OPT_RDATA, SNP_OPT_IDKEY, SNP_OPT_AUTHKEY, SNP_OPT_VMPL, SNP_OPT_NODEBUG,
        SNP_OPT_NOMIGRATE, SNP_OPT_MINTCB, SNP_OPT_MINLTCB, SNP_OPT_MINMIT,
};
extern const struct option tool_snp_verify_options[];   /* NULL-terminated */
extern const size_t tool_snp_n_verify_options;
struct tool_snp_cli {
        ct_snp_verify_opts o;
        uint8_t (*meas)[48];
        bool have_certs;
        ct_snp_verifier *v;
};
int tool_snp_cli_init(struct tool_snp_cli *cli);
/* Room a verb leaves after its own options for the shared ones and the terminator. */
#define TOOL_SNP_OPTS_ROOM 32
/* tool_snp_cli_init, and opts (n_own + TOOL_SNP_OPTS_ROOM entries) = own[0..n_own), the shared options, the end. */
int tool_snp_cli_setup(struct tool_snp_cli *cli, struct option *opts, const struct option *own, size_t n_own);
void tool_snp_cli_free(struct tool_snp_cli *cli);
/* Handle one of the shared options: an exit status, or -1 when c is not one of them. */
int tool_snp_cli_option(struct tool_snp_cli *cli, int c, const char *arg);
/* The same for a verb's `default:` branch: EXIT_BAD_INPUT when c is not one of them. */
int tool_snp_cli_other(struct tool_snp_cli *cli, int c, const char *arg);

/* Dispatch `AREA VERB SUB ...` to a sub-verb table (help, did-you-mean). */
int tool_subverb(int argc, char **argv, const char *label, const struct tool_verb *sub, size_t n);

#endif
