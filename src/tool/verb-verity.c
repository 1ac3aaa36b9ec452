/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust verity — format / verify / dump / table (veritysetup compatible). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/reader.h>
#include <cocotrust/verity.h>

#include "tool.h"

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
        OPT_NO_EXT4,
        OPT_DATA_DEV,
        OPT_HASH_DEV,
        OPT_NAME,
        OPT_IGNORE_CORRUPTION,
        OPT_RESTART_ON_CORRUPTION,
        OPT_PANIC_ON_CORRUPTION,
        OPT_IGNORE_ZERO,
        OPT_CHECK_ONCE,
        OPT_SIG_KEY_DESC,
        OPT_OUTPUT,
        OPT_HELP,
        OPT_DEBUG,
};

/* veritysetup's short options: -h is --hash (help is --help only), -s --salt, -v --verbose. */
#define SHORT_OPTS "h:s:v"

/* What the common options set, before they are applied to ct_verity_params. */
struct popts {
        ct_verity_params p;
        bool salt_set, uuid_set, salt_from_set, fec_roots_set, params_given;
        const char *root_file;
        const char *fec_device;
        unsigned threads;
        bool json;
        bool help;
        bool debug;
};

/* -v / --verbose (and --debug): "Command successful." at the end, as veritysetup prints it. */
static bool verbose;
/* --json: nothing but JSON on stdout */
static bool json_out;

static bool parse_u32(const char *s, uint32_t *ret)
{
        unsigned long long v;

        if (!tool_parse_u64(s, &v) || v > UINT32_MAX)
                return false;
        *ret = (uint32_t)v;
        return true;
}

static bool parse_salt(const char *s, ct_verity_params *p)
{
        size_t len;

        if (strcmp(s, "-") == 0 || *s == 0) {
                p->salt_size = 0;
                return true;
        }
        if (strlen(s) > 2 * CT_VERITY_MAX_SALT)
                return false;
        if (ct_hex_decode(s, p->salt, sizeof(p->salt), &len, NULL))
                return false;
        p->salt_size = len;
        return true;
}

/*
 * Handle one of the shared options. Returns 0 if handled, 1 if not one of
 * them, or an exit status (>= 2) on a bad value (already reported).
 */
static int common_opt(int c, const char *arg, struct popts *o)
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
                if (!tool_parse_u64(arg, &v) || v > (uint64_t)INT64_MAX)
                        return tool_usage("--hash-offset: number of bytes expected, got '%s'", arg);
                o->p.hash_offset = v;
                return 0;
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
        case OPT_FEC_OFFSET:
                if (!tool_parse_u64(arg, &v) || v > (uint64_t)INT64_MAX)
                        return tool_usage("--fec-offset: number of bytes expected, got '%s'", arg);
                o->p.fec_offset = v;
                return 0;
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
                json_out = true;
                return 0;
        case 'h':
                return common_opt(OPT_HASH, arg, o);
        case 's':
                return common_opt(OPT_SALT, arg, o);
        case OPT_HELP:
                o->help = true;
                return 0;
        case 'v':
                verbose = true;
                return 0;
        case OPT_DEBUG:
                verbose = true;
                o->debug = true;
                return 0;
        default:
                return 1;
        }
}

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
        VERB_LONG_OPTS

/* What every verb accepts. */
#define VERB_LONG_OPTS                                                                                       \
        { "help", no_argument, NULL, OPT_HELP }, { "verbose", no_argument, NULL, 'v' },                      \
        { "debug", no_argument, NULL, OPT_DEBUG }

/* getopt is silent (opterr = 0): one line naming the option. */
static int bad_option(char **argv, const char *verb)
{
        const char *opt = optind > 0 ? argv[optind - 1] : "?";

        if (optopt && optopt < 0x100 && optopt != '?')
                return tool_usage("verity %s: bad or incomplete option '-%c'; run '%s verity %s --help'", verb,
                                  optopt, program_name, verb);
        return tool_usage("verity %s: bad or incomplete option '%s'; run '%s verity %s --help'", verb, opt,
                          program_name, verb);
}

static void popts_init(struct popts *o)
{
        memset(o, 0, sizeof(*o));
        ct_verity_params_init(&o->p);
}

/* Parse a root hash given as hex text (or read from a file). */
static int get_root(const char *text, const char *file, size_t want, uint8_t *root)
{
        char buf[2 * CT_VERITY_MAX_DIGEST + 8];
        size_t len;

        if (file) {
                ct_blob b;
                ct_error e;
                size_t n;
                ct_error_clear(&e);
                if (ct_blob_read(file, 4096, &b, &e))
                        return tool_fail(&e, NULL);
                n = b.len;
                while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r' || b.data[n - 1] == ' '))
                        n--;
                if (n >= sizeof(buf)) {
                        ct_blob_free(&b);
                        return tool_errorf(EXIT_BAD_INPUT, "%s: not a root hash (too long)", file);
                }
                memcpy(buf, b.data, n);
                buf[n] = 0;
                ct_blob_free(&b);
                text = buf;
        }
        if (strlen(text) != 2 * want || ct_hex_decode(text, root, CT_VERITY_MAX_DIGEST, &len, NULL) || len != want)
                return tool_errorf(EXIT_BAD_INPUT, "root hash: %zu hex digits expected, got '%s'", 2 * want, text);
        return 0;
}

static void salt_hex(const ct_verity_params *p, char *out)
{
        if (p->salt_size)
                ct_hex_encode(p->salt, p->salt_size, out);
        else
                strcpy(out, "-");
}

/* ---- format --------------------------------------------------------------- */

static void format_help(void)
{
        printf("Usage: %s verity format DATA HASH [OPTIONS]\n\n"
               "Build the dm-verity hash tree of DATA into HASH, like 'veritysetup format'\n"
               "(byte-identical output for the same salt and UUID). HASH may be DATA itself:\n"
               "then the tree goes at --hash-offset, which must lie after the data.\n\n"
               "Options (veritysetup's names and defaults):\n"
               "  -h, --hash ALG          sha256 (default), sha1, sha512, ... any OpenSSL digest\n"
               "  --data-block-size N     bytes, power of two 512..524288 (default 4096)\n"
               "  --hash-block-size N     bytes, power of two 512..524288 (default 4096)\n"
               "  --data-blocks N         use only the first N data blocks (default: all whole blocks)\n"
               "  --hash-offset BYTES     superblock (or tree, with --no-superblock) position in HASH\n"
               "  -s, --salt HEX|-        salt (default: 32 random bytes; '-' = none)\n"
               "  --salt-from TEXT        reproducible salt and UUID derived from TEXT (see docs)\n"
               "  --uuid UUID             superblock UUID (default: random)\n"
               "  --format 0|1            hash type: 1 normal (default), 0 Chrome OS\n"
               "  --no-superblock         do not write a superblock\n"
               "  --root-hash-file FILE   also write the root hash (hex, no newline) to FILE\n"
               "  --fec-device FILE       write Reed-Solomon parity to FILE (may be HASH)\n"
               "  --fec-offset BYTES      parity position in the FEC file (default 0)\n"
               "  --fec-roots N           parity bytes per codeword, 2..24 (default 2)\n"
               "  --threads N             hashing threads (default: online CPUs)\n"
               "  --json                  print every parameter, the root hash and the table as JSON\n"
               "  -v, --verbose           print 'Command successful.' at the end, as veritysetup -v\n"
               "  --debug                 also print the parameters and the tree layout on stderr\n"
               "  --help                  this text (-h is --hash, as in veritysetup)\n\n"
               "Options may also come before the verb: %s verity -h sha1 format DATA HASH.\n\n"
               "Exit status: 0 ok, 2 bad input or usage, 3 I/O or internal error.\n",
               program_name, program_name);
}

static void print_header(const char *hash_path, const ct_verity_params *p, const ct_verity_geometry *g,
                         const uint8_t *root, size_t root_size, const char *fec_path, uint64_t fec_parity,
                         uint64_t hash_dev_size)
{
        char u[CT_VERITY_UUID_TEXT] = "", sh[2 * CT_VERITY_MAX_SALT + 2], rh[2 * CT_VERITY_MAX_DIGEST + 1];

        if (!p->no_superblock)
                ct_verity_uuid_format(p->uuid, u);
        salt_hex(p, sh);
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

static json_object *params_json(const ct_verity_params *p, const ct_verity_geometry *g)
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
static void debug_geometry(const char *verb, const ct_verity_params *p, const ct_verity_geometry *g)
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

static int verb_format(int argc, char **argv)
{
        static const struct option longopts[] = {
                COMMON_LONG_OPTS,
                { "salt-from", required_argument, NULL, OPT_SALT_FROM },
                { "uuid", required_argument, NULL, OPT_UUID },
                { "root-hash-file", required_argument, NULL, OPT_ROOT_FILE },
                { 0 },
        };
        struct popts o;
        ct_verity_result res;
        ct_error err;
        const char *data, *hash, *salt_from = NULL;
        char rh[2 * CT_VERITY_MAX_DIGEST + 1];
        int c, r;

        popts_init(&o);
        opterr = 0;
        while ((c = getopt_long(argc, argv, SHORT_OPTS, longopts, NULL)) != -1) {
                r = common_opt(c, optarg, &o);
                if (r == 0)
                        continue;
                if (r > 1)
                        return r;
                switch (c) {
                case OPT_SALT_FROM:
                        salt_from = optarg;
                        break;
                case OPT_UUID:
                        if (ct_verity_uuid_parse(optarg, o.p.uuid, &err))
                                return tool_usage("--uuid: %s", err.msg);
                        o.uuid_set = true;
                        break;
                case OPT_ROOT_FILE:
                        o.root_file = optarg;
                        break;
                default:
                        return bad_option(argv, "format");
                }
        }
        if (o.help) {
                format_help();
                return EXIT_OK;
        }
        if (argc - optind != 2)
                return tool_usage("verity format: DATA and HASH expected; run '%s verity format --help'", program_name);
        data = argv[optind];
        hash = argv[optind + 1];
        if (access(data, R_OK) < 0)
                return tool_errorf(EXIT_BAD_INPUT, "%s: cannot open: %s", data, strerror(errno));
        /* An explicit --salt/--uuid wins over --salt-from whatever the order. */
        if (salt_from) {
                uint8_t s[32], u[16];
                ct_verity_derive_salt_uuid(salt_from, s, u);
                if (!o.salt_set) {
                        memcpy(o.p.salt, s, sizeof(s));
                        o.p.salt_size = sizeof(s);
                }
                if (!o.uuid_set)
                        memcpy(o.p.uuid, u, sizeof(u));
                o.salt_from_set = true;
        }
        if (ct_verity_params_randomize(&o.p,
                                       (!o.salt_set && !o.salt_from_set ? CT_VERITY_RANDOM_SALT : 0u) |
                                               (!o.uuid_set && !o.salt_from_set ? CT_VERITY_RANDOM_UUID : 0u),
                                       &err))
                return tool_fail(&err, NULL);
        if (o.fec_device && !o.fec_roots_set)
                o.p.fec_roots = 2;
        if (!o.fec_device)
                o.p.fec_roots = 0;

        ct_error_clear(&err);
        if (ct_verity_format(data, hash, o.fec_device, &o.p, o.threads, &res, &err))
                return tool_fail(&err, NULL);
        if (o.debug)
                debug_geometry("format", &o.p, &res.geo);
        if (o.p.data_block_size > 4096)
                fprintf(stderr, "%s: warning: the kernel cannot activate a device whose data block size exceeds the page size (4096)\n",
                        program_name);
        ct_hex_encode(res.root, res.root_size, rh);
        if (o.root_file && ct_write_file_atomic(o.root_file, rh, strlen(rh), &err))
                return tool_fail(&err, o.root_file);
        if (o.json) {
                json_object *j = params_json(&o.p, &res.geo);
                ct_verity_table_opts to = { .data_dev = data, .hash_dev = hash };
                char *line = NULL;
                tool_json_add_str(j, "root_hash", rh);
                tool_json_add_int(j, "hash_file_size", (int64_t)res.hash_file_size);
                if (o.fec_device) {
                        tool_json_add_str(j, "fec_device", o.fec_device);
                        tool_json_add_int(j, "fec_roots", o.p.fec_roots);
                        tool_json_add_int(j, "fec_offset", (int64_t)o.p.fec_offset);
                        tool_json_add_int(j, "fec_blocks", (int64_t)res.fec_blocks);
                        tool_json_add_int(j, "fec_size", (int64_t)res.fec_parity_size);
                        to.fec_dev = o.fec_device;
                        to.fec_blocks = res.fec_blocks;
                }
                if (ct_verity_table_line(&o.p, res.root, res.root_size, &to, &line, &err) == CT_OK) {
                        tool_json_add_str(j, "table", line);
                        free(line);
                }
                tool_json_print(j);
        } else {
                print_header(hash, &o.p, &res.geo, res.root, res.root_size, o.fec_device, res.fec_parity_size,
                             res.geo.hash_device_size);
        }
        return EXIT_OK;
}

/* ---- parameters of an existing tree (verify, table) ------------------------ */

/*
 * Fill o->p from HASH's superblock unless --no-superblock; then, as
 * veritysetup does, --data-blocks defaults to the size of DATA (data_path,
 * NULL for dump) in whole data blocks.
 */
static int load_params(struct popts *o, const char *hash_path, int hash_fd, const char *data_path)
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

/* ---- verify --------------------------------------------------------------- */

static void verify_help(void)
{
        printf("Usage: %s verity verify DATA HASH ROOT_HASH [OPTIONS]\n\n"
               "Check DATA against the hash tree in HASH and ROOT_HASH. Unlike veritysetup, which\n"
               "stops at the first error, every corrupt data block and hash block is listed with\n"
               "its byte range; when DATA is an ext2/3/4 image, with the file each corrupt data\n"
               "block belongs to (or 'metadata' / 'free space').\n\n"
               "Parameters come from the superblock at --hash-offset of HASH, or with\n"
               "--no-superblock from --hash, --data-block-size, --hash-block-size,\n"
               "--data-blocks (default: the size of DATA), --salt, --format, --hash-offset\n"
               "(as for 'verity format'; -h is --hash, -s is --salt).\n\n"
               "Options:\n"
               "  --root-hash-file FILE   read ROOT_HASH from FILE (then omit it)\n"
               "  --no-ext4               do not attribute blocks to ext4 files\n"
               "  --fec-device FILE       on corruption, decode this FEC parity (--fec-roots N, default 2,\n"
               "                          --fec-offset BYTES), repair in memory and verify again:\n"
               "                          exit 0 when the repaired data verifies (nothing is written)\n"
               "  --threads N             hashing threads (default: online CPUs)\n"
               "  --json                  machine-readable report\n"
               "  -v, --verbose, --debug  as for 'verity format'\n\n"
               "Exit status: 0 intact, 1 corruption found (or root hash mismatch), 2 bad input\n"
               "(bad superblock, wrong parameters), 3 I/O or internal error.\n",
               program_name);
}

static const char *bad_kind_name(ct_verity_bad_kind k)
{
        switch (k) {
        case CT_VERITY_BAD_DATA:
                return "data";
        case CT_VERITY_BAD_HASH:
                return "hash";
        case CT_VERITY_BAD_SPARE:
                return "spare";
        }
        return "unknown";
}

/* Open --fec-device and count the hash-device blocks it covers, as veritysetup. 0 or an exit status. */
static int fec_open(struct popts *o, const char *hash, int hash_fd, int *ret_fd, uint64_t *ret_covered)
{
        struct stat hs, fs;
        ct_error err;
        off_t end;
        bool in_hash;
        int fd;

        ct_error_clear(&err);
        if (!o->fec_roots_set)
                o->p.fec_roots = 2;
        in_hash = strcmp(o->fec_device, hash) == 0 ||
                  (stat(o->fec_device, &fs) == 0 && fstat(hash_fd, &hs) == 0 && fs.st_dev == hs.st_dev &&
                   fs.st_ino == hs.st_ino);
        end = lseek(hash_fd, 0, SEEK_END);
        if (ct_verity_fec_hash_blocks(&o->p, end > 0 ? (uint64_t)end : 0, in_hash, ret_covered, &err))
                return tool_fail(&err, o->fec_device);
        fd = open(o->fec_device, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return tool_errorf(EXIT_BAD_INPUT, "%s: cannot open: %s", o->fec_device, strerror(errno));
        *ret_fd = fd;
        return 0;
}

static int verb_verify(int argc, char **argv)
{
        static const struct option longopts[] = {
                COMMON_LONG_OPTS,
                { "root-hash-file", required_argument, NULL, OPT_ROOT_FILE },
                { "no-ext4", no_argument, NULL, OPT_NO_EXT4 },
                { 0 },
        };
        struct popts o;
        bool no_ext4 = false;
        const char *data, *hash, *root_text = NULL;
        int data_fd = -1, hash_fd = -1, c, r, status;
        uint8_t root[CT_VERITY_MAX_DIGEST];
        size_t ds;
        ct_verity_report rep;
        ct_error err;
        ct_code rc;
        char **owners = NULL;
        uint64_t *dblocks = NULL;
        size_t n_d = 0;
        ct_verity_fec_check_result fres;
        bool fec_ran = false;

        memset(&fres, 0, sizeof(fres));
        popts_init(&o);
        opterr = 0;
        while ((c = getopt_long(argc, argv, SHORT_OPTS, longopts, NULL)) != -1) {
                r = common_opt(c, optarg, &o);
                if (r == 0)
                        continue;
                if (r > 1)
                        return r;
                switch (c) {
                case OPT_ROOT_FILE:
                        o.root_file = optarg;
                        break;
                case OPT_NO_EXT4:
                        no_ext4 = true;
                        break;
                default:
                        return bad_option(argv, "verify");
                }
        }
        if (o.help) {
                verify_help();
                return EXIT_OK;
        }
        if (argc - optind != (o.root_file ? 2 : 3))
                return tool_usage("verity verify: DATA HASH ROOT_HASH expected; run '%s verity verify --help'",
                                  program_name);
        data = argv[optind];
        hash = argv[optind + 1];
        if (!o.root_file)
                root_text = argv[optind + 2];

        if ((status = tool_open_input(data, CT_INPUT_NO_STREAM, &data_fd)) != EXIT_OK)
                return status;
        if ((status = tool_open_input(hash, CT_INPUT_NO_STREAM, &hash_fd)) != EXIT_OK) {
                close(data_fd);
                return status;
        }
        status = load_params(&o, hash, hash_fd, data);
        if (status)
                goto out;
        ds = ct_verity_digest_size(o.p.hash_name);
        if (ds == 0) {
                status = tool_errorf(EXIT_BAD_INPUT, "hash algorithm '%s' is not available", o.p.hash_name);
                goto out;
        }
        status = get_root(root_text, o.root_file, ds, root);
        if (status)
                goto out;
        ct_error_clear(&err);
        if (o.fec_device) {
                /* as veritysetup: when verification fails, the FEC parity is decoded and the repair checked */
                int fec_fd = -1;
                uint64_t covered = 0;
                status = fec_open(&o, hash, hash_fd, &fec_fd, &covered);
                if (status)
                        goto out;
                rc = ct_verity_verify_fec_fd(data_fd, hash_fd, fec_fd, &o.p, root, ds, covered, o.threads, &rep, &fres,
                                             &err);
                close(fec_fd);
                fec_ran = (rc == CT_OK || rc == CT_E_MISMATCH) && rep.n_bad_data + rep.n_bad_hash > 0;
        } else {
                rc = ct_verity_verify_fd(data_fd, hash_fd, &o.p, root, ds, o.threads, &rep, &err);
        }
        if (rc != CT_OK && rc != CT_E_MISMATCH) {
                status = tool_fail(&err, o.fec_device && err.code != CT_E_IO ? o.fec_device : NULL);
                goto out;
        }
        if (o.debug)
                debug_geometry("verify", &o.p, &rep.geo);
        if (fec_ran) {
                if (fres.uncorrectable)
                        fprintf(stderr, "Errors cannot be repaired with FEC device.\n");
                else if (fres.corrected)
                        fprintf(stderr, "Found %llu repairable errors with FEC device.\n",
                                (unsigned long long)fres.corrected);
        }
        /* ext4 attribution of the listed data blocks */
        for (size_t i = 0; i < rep.n_blocks; i++)
                if (rep.blocks[i].kind == CT_VERITY_BAD_DATA)
                        n_d++;
        if (n_d && !no_ext4 && ct_verity_ext4_probe_fd(data_fd)) {
                dblocks = calloc(n_d, sizeof(*dblocks));
                if (dblocks) {
                        size_t k = 0;
                        for (size_t i = 0; i < rep.n_blocks; i++)
                                if (rep.blocks[i].kind == CT_VERITY_BAD_DATA)
                                        dblocks[k++] = rep.blocks[i].block;
                        ct_error ae;
                        ct_error_clear(&ae);
                        if (ct_verity_ext4_attribute_isolated(data, o.p.data_block_size, dblocks, n_d, &owners, &ae))
                                fprintf(stderr, "%s: note: no file attribution: %s\n", program_name, ae.msg);
                }
        }
        if (o.json) {
                json_object *j = params_json(&o.p, &rep.geo);
                json_object *arr = json_object_new_array();
                char rh[2 * CT_VERITY_MAX_DIGEST + 1];
                size_t k = 0;
                tool_json_add_str(j, "data_device", data);
                tool_json_add_str(j, "hash_device", hash);
                tool_json_add_str(j, "root_hash", ct_hex_encode(root, ds, rh));
                tool_json_add_bool(j, "ok", rc == CT_OK && !fec_ran);
                tool_json_add_bool(j, "ok_after_fec_repair", rc == CT_OK);
                tool_json_add_bool(j, "root_hash_matches", rep.root_matches);
                tool_json_add_bool(j, "hash_truncated", rep.hash_truncated);
                tool_json_add_int(j, "corrupt_data_blocks", (int64_t)rep.n_bad_data);
                tool_json_add_int(j, "corrupt_hash_blocks", (int64_t)rep.n_bad_hash);
                tool_json_add_bool(j, "list_truncated", rep.n_blocks < rep.n_bad_data + rep.n_bad_hash);
                for (size_t i = 0; i < rep.n_blocks; i++) {
                        const ct_verity_bad_block *b = &rep.blocks[i];
                        json_object *e = json_object_new_object();
                        tool_json_add_str(e, "kind", bad_kind_name(b->kind));
                        tool_json_add_str(e, "device", b->kind == CT_VERITY_BAD_DATA ? data : hash);
                        tool_json_add_int(e, "block", (int64_t)b->block);
                        if (b->kind != CT_VERITY_BAD_DATA)
                                tool_json_add_int(e, "level", b->level);
                        tool_json_add_int(e, "offset", (int64_t)b->offset);
                        tool_json_add_int(e, "end", (int64_t)(b->offset + b->length - 1));
                        tool_json_add_bool(e, "parent_corrupt", b->parent_corrupt);
                        if (b->kind != CT_VERITY_BAD_DATA)
                                tool_json_add_bool(e, "spare_not_zero", b->spare_dirty);
                        if (b->kind == CT_VERITY_BAD_DATA && owners)
                                tool_json_add_str(e, "file", owners[k++]);
                        json_object_array_add(arr, e);
                }
                json_object_object_add(j, "corrupt", arr);
                if (fec_ran) {
                        json_object *fj = json_object_new_object();
                        tool_json_add_str(fj, "device", o.fec_device);
                        tool_json_add_int(fj, "blocks", (int64_t)fres.geometry.blocks);
                        tool_json_add_int(fj, "corrected_bytes", (int64_t)fres.corrected);
                        tool_json_add_int(fj, "uncorrectable_codewords", (int64_t)fres.uncorrectable);
                        tool_json_add_int(fj, "blocks_repaired", (int64_t)fres.blocks_repaired);
                        tool_json_add_bool(fj, "verified_after_repair", fres.verified_after_repair);
                        json_object_object_add(j, "fec", fj);
                }
                tool_json_print(j);
        } else {
                size_t k = 0;
                for (size_t i = 0; i < rep.n_blocks; i++) {
                        const ct_verity_bad_block *b = &rep.blocks[i];
                        if (b->kind == CT_VERITY_BAD_DATA) {
                                printf("corrupt data block %llu: %s bytes %llu-%llu", (unsigned long long)b->block,
                                       data, (unsigned long long)b->offset,
                                       (unsigned long long)(b->offset + b->length - 1));
                                if (owners)
                                        printf(" (%s)", owners[k++]);
                                if (b->parent_corrupt)
                                        printf(" [its hash block is corrupt too]");
                                printf("\n");
                        } else {
                                printf("corrupt hash block %llu (level %u): %s bytes %llu-%llu%s%s\n",
                                       (unsigned long long)b->block, b->level, hash, (unsigned long long)b->offset,
                                       (unsigned long long)(b->offset + b->length - 1),
                                       b->kind == CT_VERITY_BAD_SPARE || b->spare_dirty ? " [spare area not zeroed]" : "",
                                       b->level + 1 == rep.geo.levels && b->kind == CT_VERITY_BAD_HASH
                                               ? " [does not hash to the root hash]"
                                               : "");
                        }
                }
                if (rep.n_blocks < rep.n_bad_data + rep.n_bad_hash)
                        printf("(list truncated after %zu entries)\n", rep.n_blocks);
                if (rep.hash_truncated)
                        printf("note: %s ends before the hash tree does\n", hash);
                if (rc == CT_OK && fec_ran)
                        printf("%s: %llu corrupt data blocks, %llu corrupt hash blocks, all repaired in memory from %s: "
                               "%llu data blocks and %llu hash blocks verified after repair\n",
                               data, (unsigned long long)rep.n_bad_data, (unsigned long long)rep.n_bad_hash,
                               o.fec_device, (unsigned long long)o.p.data_blocks,
                               (unsigned long long)rep.geo.tree_blocks);
                else if (rc == CT_OK)
                        printf("%s: %llu data blocks and %llu hash blocks verified\n", data,
                               (unsigned long long)o.p.data_blocks, (unsigned long long)rep.geo.tree_blocks);
                else if (fec_ran)
                        printf("%s: verification failed: %llu corrupt data blocks, %llu corrupt hash blocks, %s\n", data,
                               (unsigned long long)rep.n_bad_data, (unsigned long long)rep.n_bad_hash,
                               fres.uncorrectable ? "not repairable with the FEC device"
                                                  : "still corrupt after repair from the FEC device");
                else
                        printf("%s: verification failed: %llu corrupt data blocks, %llu corrupt hash blocks%s\n", data,
                               (unsigned long long)rep.n_bad_data, (unsigned long long)rep.n_bad_hash,
                               !rep.root_matches && rep.n_bad_hash + rep.n_bad_data == 1
                                       ? " (or the root hash given is not this tree's)"
                                       : "");
        }
        status = rc == CT_OK ? EXIT_OK : EXIT_VERIFY_FAILED;
        ct_verity_strv_free(owners, n_d);
        free(dblocks);
        ct_verity_report_free(&rep);
out:
        close(data_fd);
        close(hash_fd);
        return status;
}

/* ---- dump ----------------------------------------------------------------- */

static void dump_help(void)
{
        printf("Usage: %s verity dump HASH [OPTIONS]\n\n"
               "Print the superblock of HASH like 'veritysetup dump'.\n\n"
               "Options:\n"
               "  --hash-offset BYTES     superblock position (default 0)\n"
               "  --json                  machine-readable output\n\n"
               "Exit status: 0 ok, 2 no valid superblock, 3 I/O error.\n",
               program_name);
}

static int verb_dump(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "hash-offset", required_argument, NULL, OPT_HASH_OFFSET },
                { "json", no_argument, NULL, OPT_JSON },
                { "hash", required_argument, NULL, OPT_HASH },
                VERB_LONG_OPTS,
                { 0 },
        };
        struct popts o;
        ct_verity_geometry g;
        ct_error err;
        int fd, c, r;

        popts_init(&o);
        opterr = 0;
        while ((c = getopt_long(argc, argv, SHORT_OPTS, longopts, NULL)) != -1) {
                r = common_opt(c, optarg, &o);
                if (r == 0)
                        continue;
                if (r > 1)
                        return r;
                return bad_option(argv, "dump");
        }
        if (o.help) {
                dump_help();
                return EXIT_OK;
        }
        if (argc - optind != 1)
                return tool_usage("verity dump: HASH expected; run '%s verity dump --help'", program_name);
        if (o.p.hash_offset % 512)
                return tool_usage("--hash-offset: must be a multiple of 512");
        if ((r = tool_open_input(argv[optind], CT_INPUT_NO_STREAM, &fd)) != EXIT_OK)
                return r;
        r = load_params(&o, argv[optind], fd, NULL);
        close(fd);
        if (r)
                return r;
        ct_error_clear(&err);
        if (ct_verity_geometry_compute(&o.p, &g, &err)) {
                tool_fail(&err, argv[optind]);
                return EXIT_BAD_INPUT;
        }
        if (o.json) {
                json_object *j = params_json(&o.p, &g);
                tool_json_print(j);
        } else {
                print_header(argv[optind], &o.p, &g, NULL, 0, NULL, 0, g.hash_device_size);
        }
        return EXIT_OK;
}

/* ---- table ---------------------------------------------------------------- */

static void table_help(void)
{
        printf("Usage: %s verity table DATA HASH ROOT_HASH [OPTIONS]\n\n"
               "Print the dm-verity kernel table for the tree in HASH, and ready-to-paste forms:\n"
               "a 'dmsetup create' command, a dm-mod.create= kernel parameter (the kernel needs\n"
               "CONFIG_DM_INIT=y, hence CONFIG_BLK_DEV_DM=y: Debian's kernels have dm as a module,\n"
               "so use dmsetup/veritysetup in an initramfs there), and Kata Containers'\n"
               "kernel_verity_params and rootfs_verity.* parameters.\n\n"
               "Parameters come from the superblock of HASH, or with --no-superblock from\n"
               "--hash, --data-block-size, --hash-block-size, --data-blocks, --salt,\n"
               "--format, --hash-offset.\n\n"
               "Options:\n"
               "  --data-device DEV       data device name in the table (default: DATA)\n"
               "  --hash-device DEV       hash device name in the table (default: HASH)\n"
               "  --name NAME             device-mapper name (default: vroot)\n"
               "  --root-hash-file FILE   read ROOT_HASH from FILE (then omit it)\n"
               "  --ignore-corruption | --restart-on-corruption | --panic-on-corruption\n"
               "  --ignore-zero-blocks    --check-at-most-once\n"
               "  --fec-device DEV --fec-offset BYTES --fec-roots N   FEC group (blocks counted from HASH)\n"
               "  --root-hash-signature-key-desc DESC                 root_hash_sig_key_desc\n"
               "  --output FORM           only one form: table, dmsetup, dm-mod, kata, kata-legacy\n"
               "  --json                  every form as JSON\n\n"
               "Exit status: 0 ok, 2 bad input or usage, 3 I/O error.\n",
               program_name);
}

static int verb_table(int argc, char **argv)
{
        static const struct option longopts[] = {
                COMMON_LONG_OPTS,
                { "root-hash-file", required_argument, NULL, OPT_ROOT_FILE },
                { "data-device", required_argument, NULL, OPT_DATA_DEV },
                { "hash-device", required_argument, NULL, OPT_HASH_DEV },
                { "name", required_argument, NULL, OPT_NAME },
                { "ignore-corruption", no_argument, NULL, OPT_IGNORE_CORRUPTION },
                { "restart-on-corruption", no_argument, NULL, OPT_RESTART_ON_CORRUPTION },
                { "panic-on-corruption", no_argument, NULL, OPT_PANIC_ON_CORRUPTION },
                { "ignore-zero-blocks", no_argument, NULL, OPT_IGNORE_ZERO },
                { "check-at-most-once", no_argument, NULL, OPT_CHECK_ONCE },
                { "root-hash-signature-key-desc", required_argument, NULL, OPT_SIG_KEY_DESC },
                { "output", required_argument, NULL, OPT_OUTPUT },
                { 0 },
        };
        struct popts o;
        ct_verity_table_opts to = { 0 };
        ct_verity_geometry g;
        const char *data, *hash, *root_text = NULL, *name = "vroot", *output = NULL;
        uint8_t root[CT_VERITY_MAX_DIGEST];
        char rh[2 * CT_VERITY_MAX_DIGEST + 1];
        ct_verity_table_forms f;
        ct_error err;
        size_t ds;
        int fd, c, r;

        popts_init(&o);
        opterr = 0;
        while ((c = getopt_long(argc, argv, SHORT_OPTS, longopts, NULL)) != -1) {
                r = common_opt(c, optarg, &o);
                if (r == 0)
                        continue;
                if (r > 1)
                        return r;
                switch (c) {
                case OPT_ROOT_FILE:
                        o.root_file = optarg;
                        break;
                case OPT_DATA_DEV:
                        to.data_dev = optarg;
                        break;
                case OPT_HASH_DEV:
                        to.hash_dev = optarg;
                        break;
                case OPT_NAME:
                        name = optarg;
                        break;
                case OPT_IGNORE_CORRUPTION:
                        to.flags |= CT_VERITY_IGNORE_CORRUPTION;
                        break;
                case OPT_RESTART_ON_CORRUPTION:
                        to.flags |= CT_VERITY_RESTART_ON_CORRUPTION;
                        break;
                case OPT_PANIC_ON_CORRUPTION:
                        to.flags |= CT_VERITY_PANIC_ON_CORRUPTION;
                        break;
                case OPT_IGNORE_ZERO:
                        to.flags |= CT_VERITY_IGNORE_ZERO_BLOCKS;
                        break;
                case OPT_CHECK_ONCE:
                        to.flags |= CT_VERITY_CHECK_AT_MOST_ONCE;
                        break;
                case OPT_SIG_KEY_DESC:
                        to.root_hash_sig_key_desc = optarg;
                        break;
                case OPT_OUTPUT:
                        output = optarg;
                        if (strcmp(output, "table") && strcmp(output, "dmsetup") && strcmp(output, "dm-mod") &&
                            strcmp(output, "kata") && strcmp(output, "kata-legacy"))
                                return tool_usage("--output: table, dmsetup, dm-mod, kata or kata-legacy expected");
                        break;
                default:
                        return bad_option(argv, "table");
                }
        }
        if (o.help) {
                table_help();
                return EXIT_OK;
        }
        if (argc - optind != (o.root_file ? 2 : 3))
                return tool_usage("verity table: DATA HASH ROOT_HASH expected; run '%s verity table --help'",
                                  program_name);
        data = argv[optind];
        hash = argv[optind + 1];
        if (!o.root_file)
                root_text = argv[optind + 2];
        if (!to.data_dev)
                to.data_dev = data;
        if (!to.hash_dev)
                to.hash_dev = hash;
        if (o.p.no_superblock) {
                r = load_params(&o, hash, -1, data);
        } else {
                fd = open(hash, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return tool_errorf(EXIT_BAD_INPUT, "%s: cannot open: %s", hash, strerror(errno));
                r = load_params(&o, hash, fd, data);
                close(fd);
        }
        if (r)
                return r;
        ds = ct_verity_digest_size(o.p.hash_name);
        if (ds == 0)
                return tool_errorf(EXIT_BAD_INPUT, "hash algorithm '%s' is not available", o.p.hash_name);
        r = get_root(root_text, o.root_file, ds, root);
        if (r)
                return r;
        ct_error_clear(&err);
        if (ct_verity_geometry_compute(&o.p, &g, &err))
                return tool_fail(&err, hash);
        if (o.fec_device) {
                ct_verity_fec_geometry fg;
                if (!o.fec_roots_set)
                        o.p.fec_roots = 2;
                if (o.p.data_block_size != o.p.hash_block_size)
                        return tool_usage("FEC needs equal data and hash block sizes");
                struct stat hs, fs;
                uint64_t covered;
                bool fec_in_hash = strcmp(o.fec_device, hash) == 0 ||
                                   (stat(o.fec_device, &fs) == 0 && stat(hash, &hs) == 0 && fs.st_dev == hs.st_dev &&
                                    fs.st_ino == hs.st_ino);
                int hfd = open(hash, O_RDONLY | O_CLOEXEC);
                off_t hend = hfd >= 0 ? lseek(hfd, 0, SEEK_END) : -1; /* files and block devices */
                if (hfd >= 0)
                        close(hfd);
                if (!fec_in_hash && hend < 0)
                        return tool_errorf(EXIT_BAD_INPUT, "%s: cannot size: %s (FEC covers the whole hash device)",
                                           hash, strerror(errno));
                /* what veritysetup's VERITY_FEC_blocks() covers: up to the FEC area, or the whole hash device */
                if (ct_verity_fec_hash_blocks(&o.p, hend > 0 ? (uint64_t)hend : 0, fec_in_hash, &covered, &err) ||
                    ct_verity_fec_geometry_compute(&o.p, covered, &fg, &err))
                        return tool_fail(&err, NULL);
                to.fec_dev = o.fec_device;
                to.fec_blocks = fg.blocks;
        }
        if (ct_verity_table_forms_build(&o.p, root, ds, &to, name, &f, &err))
                return err.code == CT_E_ARG ? tool_usage("%s", err.msg) : tool_fail(&err, NULL);
        ct_hex_encode(root, ds, rh);
        if (!o.json && (!output || !strcmp(output, "kata")) && !f.kata_exact)
                fprintf(stderr,
                        "%s: note: Kata's kernel_verity_params assume format 1, sha256 and the tree at hash block 0 "
                        "(veritysetup format --no-superblock); this tree has format %u, %s, hash start block %llu\n",
                        program_name, o.p.hash_type, o.p.hash_name, (unsigned long long)f.hash_start);
        if (o.json) {
                json_object *j = params_json(&o.p, &g);
                tool_json_add_str(j, "root_hash", rh);
                tool_json_add_str(j, "table", f.table);
                tool_json_add_str(j, "dmsetup", f.dmsetup);
                tool_json_add_str(j, "dm_mod_create", f.dm_mod);
                tool_json_add_str(j, "kata_kernel_verity_params", f.kata);
                tool_json_add_str(j, "kata_rootfs_verity", f.kata_legacy);
                tool_json_print(j);
        } else if (output) {
                if (!strcmp(output, "table"))
                        printf("%s\n", f.table);
                else if (!strcmp(output, "dmsetup"))
                        printf("%s\n", f.dmsetup);
                else if (!strcmp(output, "dm-mod"))
                        printf("%s\n", f.dm_mod);
                else if (!strcmp(output, "kata"))
                        printf("%s\n", f.kata);
                else
                        printf("%s\n", f.kata_legacy);
        } else {
                printf("table:             %s\n", f.table);
                printf("dmsetup:           %s\n", f.dmsetup);
                printf("kernel parameter:  %s\n", f.dm_mod);
                printf("                   (needs CONFIG_DM_INIT=y and CONFIG_BLK_DEV_DM=y; Debian's kernels do not have them)\n");
                printf("kata (TOML):       kernel_verity_params = \"%s\"\n", f.kata);
                printf("kata 3.x cmdline:  %s\n", f.kata_legacy);
        }
        ct_verity_table_forms_free(&f);
        return EXIT_OK;
}

/* Each verb, then veritysetup's -v line. */
static int with_status(int (*fn)(int, char **), int argc, char **argv)
{
        int r;

        verbose = json_out = false;
        r = fn(argc, argv);
        if (verbose && !json_out && r == EXIT_OK)
                printf("Command successful.\n");
        return r;
}

static int run_format(int argc, char **argv)
{
        return with_status(verb_format, argc, argv);
}

static int run_verify(int argc, char **argv)
{
        return with_status(verb_verify, argc, argv);
}

static int run_dump(int argc, char **argv)
{
        return with_status(verb_dump, argc, argv);
}

static int run_table(int argc, char **argv)
{
        return with_status(verb_table, argc, argv);
}

static const struct tool_verb verbs[] = {
        { "format", "DATA HASH [OPTIONS]", run_format, "build the hash tree (veritysetup format)" },
        { "verify", "DATA HASH ROOT_HASH [OPTIONS]", run_verify,
          "check data and tree, list every corrupt block (and ext4 file)" },
        { "dump", "HASH [OPTIONS]", run_dump, "print the superblock (veritysetup dump)" },
        { "table", "DATA HASH ROOT_HASH [OPTIONS]", run_table,
          "kernel table, dmsetup command, dm-mod.create=, Kata parameters" },
};

/* Does the option word `w` (an exact long name, or -h / -s) take the next word as its value? */
static bool takes_value(const char *w)
{
        static const struct option all[] = {
                COMMON_LONG_OPTS,
                { "salt-from", required_argument, NULL, 0 },
                { "uuid", required_argument, NULL, 0 },
                { "root-hash-file", required_argument, NULL, 0 },
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

/*
 * veritysetup takes its options before the action too ("veritysetup -h sha1
 * format DATA HASH"): move the verb in front of the options that precede it.
 */
void tool_verity_reorder(int argc, char **argv)
{
        int i = 1;

        while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0)
                i += takes_value(argv[i]) ? 2 : 1;
        if (i == 1 || i >= argc)
                return;
        for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
                if (strcmp(argv[i], verbs[v].name) == 0) {
                        char *verb = argv[i];
                        memmove(argv + 2, argv + 1, (size_t)(i - 1) * sizeof(*argv));
                        argv[1] = verb;
                        return;
                }
        }
}

const struct tool_area tool_area_verity = { "verity", "dm-verity hash trees (veritysetup compatible)", verbs,
                                            sizeof(verbs) / sizeof(verbs[0]) };
