/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust verity — option parsing, parameters of an existing tree and rendering shared by the verbs. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/reader.h>
#include <cocotrust/verity.h>

#include "tool.h"
#include "verity-cli.h"

/* -v / --verbose (and --debug): "Command successful." at the end, as veritysetup prints it. */
bool verity_verbose;
/* --json: nothing but JSON on stdout */
bool verity_json_out;

static bool parse_u32(const char *s, uint32_t *ret)
{
        unsigned long long v;

        if (!tool_parse_u64(s, &v) || v > UINT32_MAX)
                return false;
        *ret = (uint32_t)v;
        return true;
}

/* A byte offset (at most INT64_MAX): 0, or a usage message and its exit status. */
static int parse_offset(const char *arg, const char *opt, uint64_t *ret)
{
        unsigned long long v;

        if (!tool_parse_u64(arg, &v) || v > (uint64_t)INT64_MAX)
                return tool_usage("%s: number of bytes expected, got '%s'", opt, arg);
        *ret = v;
        return 0;
}

static bool parse_salt(const char *s, ct_verity_params *p)
{
        ct_error e;

        ct_error_clear(&e);
        return ct_verity_salt_parse(s, p, &e) == CT_OK;
}

/*
 * Handle one of the shared options. Returns 0 if handled, 1 if not one of
 * them, or an exit status (>= 2) on a bad value (already reported).
 */
int vcli_common_opt(int c, const char *arg, struct popts *o)
{
        unsigned long long v;

        switch (c) {
        case OPT_HASH: {
                size_t n = strlen(arg);
                if (n == 0 || n > CT_VERITY_MAX_ALG_NAME)
                        return tool_usage("--hash: algorithm name of 1..%u characters expected",
                                          CT_VERITY_MAX_ALG_NAME);
                for (size_t i = 0; i <= n; i++)
                        o->p.hash_name[i] = (char)(arg[i] >= 'A' && arg[i] <= 'Z' ? arg[i] - 'A' + 'a' : arg[i]);
                o->params_given = true;
                return 0;
        }
        case OPT_DBS:
                if (!parse_u32(arg, &o->p.data_block_size))
                        return tool_usage("--data-block-size: number expected, got '%s'", arg);
                o->params_given = true;
                return 0;
        case OPT_HBS:
                if (!parse_u32(arg, &o->p.hash_block_size))
                        return tool_usage("--hash-block-size: number expected, got '%s'", arg);
                o->params_given = true;
                return 0;
        case OPT_DATA_BLOCKS:
                if (!tool_parse_u64(arg, &v) || v == 0)
                        return tool_usage("--data-blocks: positive number expected, got '%s'", arg);
                o->p.data_blocks = v;
                o->params_given = true;
                return 0;
        case OPT_HASH_OFFSET:
                return parse_offset(arg, "--hash-offset", &o->p.hash_offset);
        case OPT_SALT:
                if (!parse_salt(arg, &o->p))
                        return tool_usage("--salt: hex string of at most %u bytes, or '-', expected",
                                          CT_VERITY_MAX_SALT);
                o->salt_set = true;
                o->params_given = true;
                return 0;
        case OPT_FORMAT:
                if (!parse_u32(arg, &o->p.hash_type) || o->p.hash_type > 1)
                        return tool_usage("--format: 0 or 1 expected, got '%s'", arg);
                o->params_given = true;
                return 0;
        case OPT_NO_SB:
                o->p.no_superblock = true;
                return 0;
        case OPT_FEC_DEVICE:
                o->fec_device = arg;
                return 0;
        case OPT_ROOT_FILE:
                o->root_file = arg;
                return 0;
        case OPT_FEC_OFFSET:
                return parse_offset(arg, "--fec-offset", &o->p.fec_offset);
        case OPT_FEC_ROOTS:
                if (!parse_u32(arg, &o->p.fec_roots) || o->p.fec_roots < CT_VERITY_FEC_MIN_ROOTS ||
                    o->p.fec_roots > CT_VERITY_FEC_MAX_ROOTS)
                        return tool_usage("--fec-roots: %u..%u expected, got '%s'", CT_VERITY_FEC_MIN_ROOTS,
                                          CT_VERITY_FEC_MAX_ROOTS, arg);
                o->fec_roots_set = true;
                return 0;
        case OPT_THREADS:
                if (!parse_u32(arg, &o->threads) || o->threads == 0 || o->threads > CT_VERITY_MAX_THREADS)
                        return tool_usage("--threads: 1..%u expected, got '%s'", CT_VERITY_MAX_THREADS, arg);
                return 0;
        case OPT_JSON:
                o->json = true;
                verity_json_out = true;
                return 0;
        case 'h':
                return vcli_common_opt(OPT_HASH, arg, o);
        case 's':
                return vcli_common_opt(OPT_SALT, arg, o);
        case 'v':
                verity_verbose = true;
                return 0;
        case OPT_DEBUG:
                verity_verbose = true;
                o->debug = true;
                return 0;
        default:
                return 1;
        }
}

void vcli_popts_init(struct popts *o)
{
        memset(o, 0, sizeof(*o));
        ct_verity_params_init(&o->p);
}

int vcli_getopt(struct tool_cmd *cmd, struct popts *o, int argc, char **argv, const struct option *longopts)
{
        int c, r;

        while ((c = tool_getopt(cmd, argc, argv, SHORT_OPTS, longopts)) != -1) {
                r = vcli_common_opt(c, optarg, o);
                if (r == 1)
                        return c;
                if (r > 1) {
                        cmd->done = true;
                        cmd->status = r;
                        return -1;
                }
        }
        return -1;
}

int vcli_positional(const struct tool_cmd *cmd, const struct popts *o, int argc, char **argv, unsigned n,
                    const char **ret)
{
        static const char *const what[] = { "", "HASH", "DATA and HASH", "DATA HASH ROOT_HASH" };
        unsigned want = n == 3 && o->root_file ? 2 : n;

        if (cmd->done)
                return cmd->status;
        if (argc - optind != (int)want)
                return tool_cmd_usage(cmd, "%s expected", what[n]);
        for (unsigned i = 0; i < n; i++)
                ret[i] = i < want ? argv[optind + (int)i] : NULL;
        return -1;
}

int vcli_tree_args(const char *name, void (*help)(void), const char *flag, int argc, char **argv, struct popts *o,
                   bool *flag_set, const char **args)
{
        const struct option longopts[] = {
                COMMON_LONG_OPTS,
                { flag, no_argument, NULL, OPT_OWN_FLAG },
                { 0 },
        };
        struct tool_cmd cmd = TOOL_CMD(name, help);

        vcli_popts_init(o);
        while (vcli_getopt(&cmd, o, argc, argv, longopts) == OPT_OWN_FLAG)
                *flag_set = true;
        return vcli_positional(&cmd, o, argc, argv, 3, args);
}

/* Parse a root hash given as hex text (or read from a file). */
int vcli_get_root(const char *text, const char *file, size_t want, uint8_t *root)
{
        ct_error e;

        ct_error_clear(&e);
        if (file) {
                ct_blob b;
                ct_code rc;
                if (ct_blob_read(file, 4096, &b, &e))
                        return tool_fail(&e, NULL);
                rc = ct_verity_root_hash_parse(b.data, b.len, want, root, &e);
                ct_blob_free(&b);
                return rc ? tool_fail(&e, file) : 0;
        }
        if (ct_verity_root_hash_parse(text, strlen(text), want, root, &e))
                return tool_fail(&e, NULL);
        return 0;
}

void vcli_salt_hex(const ct_verity_params *p, char *out)
{
        if (p->salt_size)
                ct_hex_encode(p->salt, p->salt_size, out);
        else
                strcpy(out, "-");
}

/* ---- format --------------------------------------------------------------- */

void vcli_print_header(const char *hash_path, const ct_verity_params *p, const ct_verity_geometry *g,
                         const uint8_t *root, size_t root_size, const char *fec_path, uint64_t fec_parity,
                         uint64_t hash_dev_size)
{
        char u[CT_VERITY_UUID_TEXT] = "", sh[2 * CT_VERITY_MAX_SALT + 2], rh[2 * CT_VERITY_MAX_DIGEST + 1];

        if (!p->no_superblock)
                ct_verity_uuid_format(p->uuid, u);
        vcli_salt_hex(p, sh);
        printf("VERITY header information for %s\n", hash_path);
        printf("UUID:            \t%s\n", u);
        printf("Hash type:       \t%u\n", p->hash_type);
        printf("Data blocks:     \t%llu\n", (unsigned long long)p->data_blocks);
        printf("Data block size: \t%u\n", p->data_block_size);
        printf("Hash blocks:     \t%llu\n", (unsigned long long)g->tree_blocks);
        printf("Hash block size: \t%u\n", p->hash_block_size);
        printf("Hash algorithm:  \t%s\n", p->hash_name);
        if (fec_path) {
                printf("FEC RS roots:   \t%u\n", p->fec_roots);
                printf("FEC blocks:     \t%llu\n", (unsigned long long)(fec_parity / p->data_block_size));
        }
        printf("Salt:            \t%s\n", sh);
        if (root)
                printf("Root hash:      \t%s\n", ct_hex_encode(root, root_size, rh));
        /* veritysetup 2.6 prints the sizes only when the area starts at offset 0 */
        if (p->hash_offset == 0)
                printf("Hash device size: \t%llu [bytes]\n", (unsigned long long)hash_dev_size);
        if (fec_path && p->fec_offset == 0)
                printf("FEC device size: \t%llu [bytes]\n", (unsigned long long)fec_parity);
}

json_object *vcli_params_json(const ct_verity_params *p, const ct_verity_geometry *g)
{
        json_object *o = tool_json_new();
        char u[CT_VERITY_UUID_TEXT];

        if (!p->no_superblock) {
                ct_verity_uuid_format(p->uuid, u);
                tool_json_add_str(o, "uuid", u);
        } else {
                tool_json_add_str(o, "uuid", NULL);
        }
        tool_json_add_bool(o, "superblock", !p->no_superblock);
        tool_json_add_int(o, "hash_type", p->hash_type);
        tool_json_add_str(o, "hash", p->hash_name);
        tool_json_add_int(o, "data_block_size", p->data_block_size);
        tool_json_add_int(o, "hash_block_size", p->hash_block_size);
        tool_json_add_int(o, "data_blocks", (int64_t)p->data_blocks);
        tool_json_add_int(o, "hash_offset", (int64_t)p->hash_offset);
        tool_json_add_hex(o, "salt", p->salt, p->salt_size);
        if (g) {
                tool_json_add_int(o, "hash_blocks", (int64_t)g->tree_blocks);
                tool_json_add_int(o, "hash_start_block", (int64_t)g->hash_start);
                tool_json_add_int(o, "levels", g->levels);
                tool_json_add_int(o, "hash_device_size", (int64_t)g->hash_device_size);
        }
        return o;
}

/* --debug: the parameters and the tree layout, on stderr, as veritysetup's debug lines show them. */
void vcli_debug_geometry(const char *verb, const ct_verity_params *p, const ct_verity_geometry *g)
{
        fprintf(stderr, "# %s verity %s: hash type %u, %s, data block size %u, hash block size %u, %llu data blocks, "
                        "salt %zu bytes, hash offset %llu%s\n",
                program_name, verb, p->hash_type, p->hash_name, p->data_block_size, p->hash_block_size,
                (unsigned long long)p->data_blocks, p->salt_size, (unsigned long long)p->hash_offset,
                p->no_superblock ? ", no superblock" : "");
        fprintf(stderr, "# Using %u hash levels, %u digests of %zu bytes per hash block.\n", g->levels,
                g->hash_per_block, g->digest_size);
        for (unsigned i = g->levels; i-- > 0;)
                fprintf(stderr, "# Level %u: hash blocks %llu-%llu (%llu blocks)\n", i,
                        (unsigned long long)g->level_start[i],
                        (unsigned long long)(g->level_start[i] + g->level_blocks[i] - 1),
                        (unsigned long long)g->level_blocks[i]);
        fprintf(stderr, "# Data device size required: %llu bytes.\n",
                (unsigned long long)(p->data_blocks * p->data_block_size));
        fprintf(stderr, "# Hash device size required: %llu bytes.\n", (unsigned long long)g->hash_device_size);
        if (p->fec_roots)
                fprintf(stderr, "# FEC: %u roots, parity at offset %llu.\n", p->fec_roots,
                        (unsigned long long)p->fec_offset);
}

/* ---- parameters of an existing tree (verify, table) ------------------------ */

/*
 * Fill o->p from HASH's superblock unless --no-superblock; then, as
 * veritysetup does, --data-blocks defaults to the size of DATA (data_path,
 * NULL for dump) in whole data blocks.
 */
int vcli_load_params(struct popts *o, const char *hash_path, int hash_fd, const char *data_path)
{
        ct_error err;

        ct_error_clear(&err);
        if (o->p.no_superblock) {
                if (!o->salt_set)
                        return tool_usage("--no-superblock needs --salt (HEX or '-') and the other parameters");
                if (!o->p.data_blocks && data_path) {
                        int fd = open(data_path, O_RDONLY | O_CLOEXEC);
                        off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1; /* files and block devices */
                        if (end > 0 && o->p.data_block_size)
                                o->p.data_blocks = (uint64_t)end / o->p.data_block_size;
                        if (fd >= 0)
                                close(fd);
                }
                if (!o->p.data_blocks)
                        return tool_usage("--no-superblock needs --data-blocks (or a DATA of at least one block)");
                return 0;
        }
        if (o->params_given)
                fprintf(stderr, "%s: note: parameters are taken from the superblock of %s; use --no-superblock to give them\n",
                        program_name, hash_path);
        {
                ct_verity_params p = o->p;
                if (ct_verity_read_superblock(hash_fd, &p, &err)) {
                        if (err.code == CT_E_IO)
                                return tool_fail(&err, hash_path);
                        /* every bad superblock is bad input */
                        tool_fail(&err, hash_path);
                        return EXIT_BAD_INPUT;
                }
                o->p = p;
        }
        return 0;
}

int vcli_load_tree(struct popts *o, const char *const *args, int *hash_fd, uint8_t *root, size_t *ds)
{
        int fd = -1, r = 0;

        if (hash_fd || !o->p.no_superblock)
                r = tool_open_input(args[1], CT_INPUT_NO_STREAM, &fd);
        if (!r)
                r = vcli_load_params(o, args[1], fd, args[0]);
        if (!r && (*ds = ct_verity_digest_size(o->p.hash_name)) == 0)
                r = tool_errorf(EXIT_BAD_INPUT, "hash algorithm '%s' is not available", o->p.hash_name);
        if (!r)
                r = vcli_get_root(args[2], o->root_file, *ds, root);
        if (o->fec_device && !o->fec_roots_set)
                o->p.fec_roots = 2;
        if (!r && hash_fd)
                *hash_fd = fd;
        else if (fd >= 0)
                close(fd);
        return r;
}

int vcli_fec_covered(const struct popts *o, const char *hash, uint64_t *covered)
{
        ct_error err;

        ct_error_clear(&err);
        if (ct_verity_fec_hash_blocks_path(&o->p, hash, o->fec_device, covered, &err))
                return tool_fail(&err, NULL);
        return 0;
}

void vcli_fec_note(const ct_verity_fec_check_result *f)
{
        if (f->uncorrectable)
                fprintf(stderr, "Errors cannot be repaired with FEC device.\n");
        else if (f->corrected)
                fprintf(stderr, "Found %llu repairable errors with FEC device.\n", (unsigned long long)f->corrected);
}

/* Does the option word `w` (an exact long name, or -h / -s) take the next word as its value? */
bool vcli_takes_value(const char *w)
{
        static const struct option all[] = {
                COMMON_LONG_OPTS,
                { "salt-from", required_argument, NULL, 0 },
                { "uuid", required_argument, NULL, 0 },
                { "data-device", required_argument, NULL, 0 },
                { "hash-device", required_argument, NULL, 0 },
                { "name", required_argument, NULL, 0 },
                { "root-hash-signature-key-desc", required_argument, NULL, 0 },
                { "output", required_argument, NULL, 0 },
        };

        if (!strcmp(w, "-h") || !strcmp(w, "-s"))
                return true;
        if (strncmp(w, "--", 2) || strchr(w, '='))
                return false;
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
                if (!strcmp(w + 2, all[i].name))
                        return all[i].has_arg == required_argument;
        return false;
}


/* ---- progress ------------------------------------------------------------- */

static double now_seconds(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_cb(uint64_t done, uint64_t total, void *user)
{
        struct vcli_progress *p = user;
        double t = now_seconds(), secs = t - p->start;

        if (total <= VCLI_PROGRESS_MIN)
                return;
        if (done < total && t - p->last < 0.25)
                return;
        p->last = t;
        fprintf(stderr, "\r%s: %3u%% %.1f MB/s", p->verb, (unsigned)(done * 100 / total),
                secs > 0 ? (double)done / 1e6 / secs : 0.0);
        p->shown = done < total;
        if (done >= total) {
                fputc('\n', stderr);
                p->start = t; /* a second pass (verify after repair) starts its own line */
        }
        fflush(stderr);
}

void vcli_progress_start(struct vcli_progress *p, const char *verb, bool batch)
{
        memset(p, 0, sizeof(*p));
        p->verb = verb;
        p->start = now_seconds();
        if (!batch && isatty(STDERR_FILENO))
                ct_verity_set_progress(progress_cb, p);
}

void vcli_progress_stop(struct vcli_progress *p)
{
        ct_verity_set_progress(NULL, NULL);
        if (p->shown)
                fputc('\n', stderr); /* a line left open by a failed run */
        p->shown = false;
}
