/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust CLI — verb table and shared helpers of the tool (not the library). */
#ifndef COCOTRUST_TOOL_H
#define COCOTRUST_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <getopt.h>
#include <json-c/json.h>

#include <cocotrust/error.h>
#include <cocotrust/hash.h>
#include <cocotrust/pcr.h>

/* Exit statuses (DESIGN.md). */
enum {
        EXIT_OK = 0,
        EXIT_VERIFY_FAILED = 1,
        EXIT_BAD_INPUT = 2,
        EXIT_INTERNAL = 3,
};

/* A verb receives argv with argv[0] = "AREA VERB" (for getopt messages). */
typedef int (*tool_verb_fn)(int argc, char **argv);

struct tool_verb {
        const char *name;
        const char *args;    /* synopsis after the verb, e.g. "[OPTIONS] DATA HASH" */
        tool_verb_fn fn;
        const char *help;    /* one line */
};

struct tool_area {
        const char *name;
        const char *summary;
        const struct tool_verb *verbs;
        size_t n_verbs;
};

extern const struct tool_area tool_area_snp;
extern const struct tool_area tool_area_verity;
extern const struct tool_area tool_area_pe;
extern const struct tool_area tool_area_uki;
extern const struct tool_area tool_area_pcr;
extern const struct tool_area tool_area_eventlog;
extern const struct tool_area tool_area_tpm;
extern const struct tool_area tool_area_tdx;
extern const struct tool_area tool_area_hcl;
extern const struct tool_area tool_area_initrd;
extern const struct tool_area tool_area_image;
extern const struct tool_area tool_area_rvps;
int tool_reference(int argc, char **argv);
int tool_uki_build(int argc, char **argv);

/* Areas whose anchor takes options before the action: move the verb in front of them (main.c calls it). */
void tool_verity_reorder(int argc, char **argv);

/* "cocotrust" */
extern const char *program_name;

/* "0.1.0" (the meson project version). */
extern const char *tool_version;

/*
 * ---- How to write a verb -------------------------------------------------
 *
 *   static void help_frob(void) { printf("Usage: %s x frob [OPTIONS] FILE\n...", program_name); }
 *
 *   static int verb_frob(int argc, char **argv)
 *   {
 *           static const struct option opts[] = {
 *                   { "bank", required_argument, NULL, 'b' },
 *                   { NULL, 0, NULL, 0 },    // --help, --version, --json are added
 *           };
 *           struct tool_cmd cmd = TOOL_CMD("x frob", help_frob);
 *           ct_hash_alg banks[CT_HASH__MAX];
 *           size_t n_banks = 0;
 *           ct_error err;
 *           int c;
 *
 *           while ((c = tool_getopt(&cmd, argc, argv, "b:", opts)) != -1)
 *                   switch (c) {
 *                   case 'b':
 *                           if (!tool_add_bank(banks, &n_banks, optarg, "--bank"))
 *                                   return EXIT_BAD_INPUT;
 *                           break;
 *                   }
 *           if (cmd.done)                   // --help, --version, a bad option
 *                   return cmd.status;
 *           if (optind + 1 != argc)
 *                   return tool_cmd_usage(&cmd, "expected one FILE");
 *           ct_error_clear(&err);
 *           if (ct_frob_file(argv[optind], ..., &err))
 *                   return tool_fail(&err, argv[optind]);   // prints the path once
 *           if (cmd.json) {
 *                   json_object *o = tool_json_new();       // has "schema_version"
 *                   ...
 *                   return tool_json_emit(o, NULL);         // or a FILE: atomic
 *           }
 *           ...text on stdout...
 *           return EXIT_OK;
 *   }
 *
 * Rules the helpers keep for you:
 *   - One error line: "cocotrust: <input>: <message>". <input> is err->input
 *     when the library recorded it, else the `file` given to tool_fail. Never
 *     put program_name or the path into a message yourself.
 *   - Exit statuses: 0 ok, 1 a check failed, 2 bad input / usage / wrong file
 *     type / missing input, 3 a failed write, a missing tool or a tool that
 *     failed. tool_fail maps err->code (ct_code_exit_status).
 *   - Options: tool_getopt adds --help/-h, --version and --json (unless the
 *     verb defines "json" itself) and prints one message for an unknown or
 *     incomplete option, pointing at 'cocotrust AREA VERB --help' (exit 2).
 *   - JSON: tool_json_emit writes to stdout or to a file, atomically.
 *   - Banks: tool_add_bank (one name, repeatable option) or tool_parse_bank_mask
 *     (a comma-separated list).
 * ---------------------------------------------------------------------------
 */

/* Values tool_getopt gives the options it adds (a verb never sees them). */
enum {
        TOOL_OPT_HELP = 0x7f00,
        TOOL_OPT_VERSION,
        TOOL_OPT_JSON,
};

#define TOOL_MAX_OPTIONS 64

/* State of one verb run: its name, help, the common options' results. */
struct tool_cmd {
        const char *name;      /* "AREA VERB", e.g. "pe hash" */
        void (*help)(void);    /* prints the verb's --help on stdout */
        bool json;             /* --json given (when the verb does not define "json") */
        bool done;             /* stop: return `status` (help, version, bad option) */
        int status;
        /* internal: the merged option table and short options */
        struct option opts_[TOOL_MAX_OPTIONS];
        char short_[64];
        bool ready_;
};

#define TOOL_CMD(name_, help_) { .name = (name_), .help = (help_) }

/*
 * getopt_long for a verb, with --help/-h, --version and --json added. Returns
 * the verb's next option (as getopt_long does, optarg/optind set), or -1 at
 * the end of the options or when the verb must stop: then cmd->done is true
 * and cmd->status is the exit status (0 after --help/--version, 2 after an
 * unknown option or a missing argument, already reported on stderr).
 * A verb that defines "json" in longopts gets it back as its own option.
 * A verb that lists 'h' in shortopts gets -h back as its own option (its
 * anchor's -h, e.g. pesign's --hash); --help stays help.
 */
int tool_getopt(struct tool_cmd *cmd, int argc, char **argv, const char *shortopts, const struct option *longopts);

/* "cocotrust: AREA VERB: <message>; run 'cocotrust AREA VERB --help'" and EXIT_BAD_INPUT. */
int tool_cmd_usage(const struct tool_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The one error printer. Prints "cocotrust: <input>: <message>" on stderr,
 * where <input> is err->input if set, else `file` (NULL: none), and the
 * message is never prefixed twice with the program name or the input.
 * Returns the exit status for err->code (3 if err is NULL).
 */
int tool_error(const ct_error *err, const char *file);

/*
 * The one JSON emitter: pretty (two-space indent, trailing newline) to stdout
 * when path is NULL or "-", else to path atomically (temporary + rename: a
 * failed run leaves no file). Releases o. Returns EXIT_OK, or 3 after a
 * message when writing failed.
 */
int tool_json_emit(json_object *o, const char *path);

/*
 * Open an input the CLI reads itself (through the input layer: ct_input_open
 * with `flags`, e.g. CT_INPUT_NO_STREAM for an input read at offsets). On
 * failure prints the one error line and returns its exit status (2 for a
 * missing input or a wrong file type); EXIT_OK and *ret_fd otherwise.
 */
int tool_open_input(const char *path, unsigned flags, int *ret_fd);

/* The text tool_json_emit writes (owned by o). */
const char *tool_json_text(json_object *o);

/*
 * Add every bank named in the comma-separated `list` to *mask (bit 1u << alg):
 * sha1, sha256, sha384, sha512, sm3_256. Returns EXIT_OK, or EXIT_BAD_INPUT
 * after a usage message naming `option`.
 */
int tool_parse_bank_mask(const char *list, uint32_t *mask, const char *option);

/* Same as tool_error (kept for existing callers). */
int tool_fail(const ct_error *err, const char *file);

/* Print "cocotrust: <message>" and return EXIT_BAD_INPUT (usage errors). */
int tool_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a message on stderr and return `status`. */
int tool_errorf(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "not implemented yet" with exit status 3 — for parts of the CLI that do not exist. */
int tool_not_implemented(const char *what);

/* tool_json_emit(o, NULL), ignoring the status. */
void tool_json_print(json_object *o);

/* New JSON object with "schema_version": 1 already set. */
json_object *tool_json_new(void);

/* Add a string; NULL adds JSON null. */
void tool_json_add_str(json_object *o, const char *key, const char *val);
void tool_json_add_int(json_object *o, const char *key, int64_t val);
void tool_json_add_bool(json_object *o, const char *key, bool val);
/* Add lower-case hex of a digest. */
void tool_json_add_digest(json_object *o, const char *key, const ct_digest *d);
/* Add lower-case hex of bytes. */
void tool_json_add_hex(json_object *o, const char *key, const void *data, size_t len);

/* Parse an unsigned integer (decimal, 0x hex, 0 octal as strtoull base 0) fully; false on junk/overflow. */
bool tool_parse_u64(const char *s, unsigned long long *ret);

/*
 * PCR-set JSON: {"schema_version": 1, "pcrs": {"<bank>": {"<index>": "<hex>", ...}, ...}}.
 * Banks in the set's order, indexes ascending. Returns a new object.
 */
json_object *tool_pcrset_json(const ct_pcr_set *s);

/* "0 1 2 7" for the PCRs set in mask, "-" when none (truncated to cap). */
void tool_pcr_mask_text(char *out, size_t cap, uint32_t mask);

/* JSON array of the PCR indexes set in mask. */
json_object *tool_pcr_mask_json(uint32_t mask);

/*
 * Add the digest named by `name` to banks[0..*n) unless present (sha1,
 * sha256, sha384, sha512). Returns false, after a usage message naming
 * `option`, for any other name. banks has room for CT_HASH__MAX entries.
 */
bool tool_add_bank(ct_hash_alg *banks, size_t *n, const char *name, const char *option);

/* Levenshtein distance, for "did you mean". */
size_t tool_edit_distance(const char *a, const char *b);

/* Print help for an area's verbs. */
void tool_area_help(const struct tool_area *area, FILE *f);

#endif
