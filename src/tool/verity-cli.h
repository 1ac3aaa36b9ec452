/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust verity — what the verbs share: veritysetup's options, parameters of an existing tree, rendering. */
#ifndef COCOTRUST_VERITY_CLI_H
#define COCOTRUST_VERITY_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include <cocotrust/verity.h>

#include "tool.h"

/* `verity table`'s flag options: this bit | the CT_VERITY_* table flag. */
#define OPT_TABLE_FLAG 0x10000

/* Long-option ids past the ASCII range. */
enum {
        OPT_HASH = 0x100,
        OPT_DBS,
        OPT_HBS,
        OPT_DATA_BLOCKS,
        OPT_HASH_OFFSET,
        OPT_SALT,
        OPT_SALT_FROM,
        OPT_UUID,
        OPT_FORMAT,
        OPT_NO_SB,
        OPT_ROOT_FILE,
        OPT_FEC_DEVICE,
        OPT_FEC_OFFSET,
        OPT_FEC_ROOTS,
        OPT_THREADS,
        OPT_JSON,
        OPT_DATA_DEV,
        OPT_HASH_DEV,
        OPT_NAME,
        OPT_SIG_KEY_DESC,
        OPT_OUTPUT,
        OPT_DEBUG,
        OPT_OWN_FLAG,
};

/* veritysetup's short options: -h is --hash (help is --help only: tool_getopt), -s --salt, -v --verbose. */
#define SHORT_OPTS "h:s:v"

/* What the common options set, before they are applied to ct_verity_params. */
struct popts {
        ct_verity_params p;
        bool salt_set, uuid_set, salt_from_set, fec_roots_set, params_given;
        const char *root_file;
        const char *fec_device;
        unsigned threads;
        bool json;
        bool debug;
};

/* -v / --verbose (and --debug): "Command successful." at the end, as veritysetup prints it. */
extern bool verity_verbose;
/* --json: nothing but JSON on stdout */
extern bool verity_json_out;

#define COMMON_LONG_OPTS                                                                                     \
        { "hash", required_argument, NULL, OPT_HASH }, { "data-block-size", required_argument, NULL, OPT_DBS }, \
        { "hash-block-size", required_argument, NULL, OPT_HBS },                                             \
        { "data-blocks", required_argument, NULL, OPT_DATA_BLOCKS },                                         \
        { "hash-offset", required_argument, NULL, OPT_HASH_OFFSET },                                         \
        { "salt", required_argument, NULL, OPT_SALT }, { "format", required_argument, NULL, OPT_FORMAT },     \
        { "no-superblock", no_argument, NULL, OPT_NO_SB },                                                   \
        { "fec-device", required_argument, NULL, OPT_FEC_DEVICE },                                           \
        { "fec-offset", required_argument, NULL, OPT_FEC_OFFSET },                                           \
        { "fec-roots", required_argument, NULL, OPT_FEC_ROOTS },                                             \
        { "threads", required_argument, NULL, OPT_THREADS }, { "json", no_argument, NULL, OPT_JSON },         \
        { "root-hash-file", required_argument, NULL, OPT_ROOT_FILE }, VERB_LONG_OPTS

/* What every verb accepts (tool_getopt adds --help and --version). */
#define VERB_LONG_OPTS { "verbose", no_argument, NULL, 'v' }, { "debug", no_argument, NULL, OPT_DEBUG }

/* One of the shared options: 0 handled, 1 not one of them, >= 2 an exit status (reported). */
int vcli_common_opt(int c, const char *arg, struct popts *o);
void vcli_popts_init(struct popts *o);
/*
 * The verbs' option loop: tool_getopt (--help, --version, the unknown-option
 * message) with SHORT_OPTS, the shared options applied to *o. Returns the
 * verb's own next option, or -1 at the end or when the verb must stop
 * (cmd->done: return cmd->status).
 */
int vcli_getopt(struct tool_cmd *cmd, struct popts *o, int argc, char **argv, const struct option *longopts);
/*
 * After vcli_getopt: the n positional arguments (1: HASH; 2: DATA HASH;
 * 3: DATA HASH ROOT_HASH, ROOT_HASH left out with --root-hash-file, then
 * ret[2] = NULL) into ret. Returns -1 to go on, else the exit status the verb
 * returns now (0 after --help or --version, 2 after a usage message).
 */
int vcli_positional(const struct tool_cmd *cmd, const struct popts *o, int argc, char **argv, unsigned n,
                    const char **ret);
/*
 * verify and repair: the shared options and the verb's one flag option `flag`
 * (its long name; *flag_set true when given), the three positional arguments
 * into args. As vcli_positional: -1 to go on, else the exit status.
 */
int vcli_tree_args(const char *name, void (*help)(void), const char *flag, int argc, char **argv, struct popts *o,
                   bool *flag_set, const char **args);
/*
 * verify, repair, table: the parameters of the tree in HASH (args: DATA HASH
 * ROOT_HASH, vcli_load_params), the digest size and the root hash (ROOT_HASH
 * or --root-hash-file); --fec-roots defaults to 2. *hash_fd: HASH, open;
 * hash_fd NULL: HASH is closed again, and not opened with --no-superblock.
 * 0 or an exit status (reported).
 */
int vcli_load_tree(struct popts *o, const char *const *args, int *hash_fd, uint8_t *root, size_t *ds);
/* --fec-device: the hash blocks its parity covers (veritysetup's VERITY_FEC_blocks): 0 or an exit status. */
int vcli_fec_covered(const struct popts *o, const char *hash, uint64_t *covered);
/* veritysetup's line after an FEC decode ("Found N repairable errors with FEC device."). */
void vcli_fec_note(const ct_verity_fec_check_result *f);
/* Parse a root hash given as hex text (or read from a file): 0 or an exit status. */
int vcli_get_root(const char *text, const char *file, size_t want, uint8_t *root);
void vcli_salt_hex(const ct_verity_params *p, char *out);
/* veritysetup's header block. */
void vcli_print_header(const char *hash_path, const ct_verity_params *p, const ct_verity_geometry *g, const uint8_t *root,
                  size_t root_size, const char *fec_path, uint64_t fec_parity, uint64_t hash_dev_size);
json_object *vcli_params_json(const ct_verity_params *p, const ct_verity_geometry *g);
void vcli_debug_geometry(const char *verb, const ct_verity_params *p, const ct_verity_geometry *g);
/* Fill o->p from HASH's superblock unless --no-superblock (DATA's size for --data-blocks): 0 or an exit status. */
int vcli_load_params(struct popts *o, const char *hash_path, int hash_fd, const char *data_path);
/* Does the option word take the next word as its value (for options before the verb)? */
bool vcli_takes_value(const char *w);

/*
 * Progress line of the data hashing on stderr ("\rverity verify: 42% 310.5 MB/s"),
 * for data larger than VCLI_PROGRESS_MIN, only when stderr is a terminal and
 * not with --batch. start installs it for the calling thread, stop removes it.
 */
#define VCLI_PROGRESS_MIN (256ull << 20)
struct vcli_progress {
        const char *verb;
        double start, last;
        bool shown; /* a line is open (not yet ended by its newline) */
};
void vcli_progress_start(struct vcli_progress *p, const char *verb, bool batch);
void vcli_progress_stop(struct vcli_progress *p);

int verb_verify(int argc, char **argv);
int verb_repair(int argc, char **argv);

#endif
