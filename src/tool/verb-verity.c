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
#include "verity-cli.h"

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

static int verb_format(int argc, char **argv)
{
        static const struct option longopts[] = {
                COMMON_LONG_OPTS,
                { "salt-from", required_argument, NULL, OPT_SALT_FROM },
                { "uuid", required_argument, NULL, OPT_UUID },
                { 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("verity format", format_help);
        struct popts o;
        ct_verity_result res;
        ct_error err;
        const char *args[2], *data, *hash, *salt_from = NULL;
        char rh[2 * CT_VERITY_MAX_DIGEST + 1];
        ct_outputs *outs = NULL;
        int c, r;

        vcli_popts_init(&o);
        while ((c = vcli_getopt(&cmd, &o, argc, argv, longopts)) != -1)
                switch (c) {
                case OPT_SALT_FROM:
                        salt_from = optarg;
                        break;
                case OPT_UUID:
                        if (ct_verity_uuid_parse(optarg, o.p.uuid, &err))
                                return tool_usage("--uuid: %s", err.msg);
                        o.uuid_set = true;
                        break;
                }
        if ((r = vcli_positional(&cmd, &o, argc, argv, 2, args)) >= 0)
                return r;
        data = args[0];
        hash = args[1];
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
        /* hash file, FEC file and --root-hash-file: one set, renamed only when all are written */
        if (ct_outputs_new(&outs, &err))
                return tool_fail(&err, NULL);
        if (ct_verity_format_outputs(data, hash, o.fec_device, &o.p, o.threads, outs, &res, &err)) {
                ct_outputs_free(outs);
                return tool_fail(&err, NULL);
        }
        ct_hex_encode(res.root, res.root_size, rh);
        if (o.root_file) {
                ct_atomic_file *f;
                if (ct_outputs_add(outs, o.root_file, &f, &err) || ct_atomic_write(f, rh, strlen(rh), &err)) {
                        ct_outputs_free(outs);
                        return tool_fail(&err, o.root_file);
                }
        }
        r = ct_outputs_commit(outs, &err);
        ct_outputs_free(outs);
        if (r)
                return tool_fail(&err, NULL);
        if (o.debug)
                vcli_debug_geometry("format", &o.p, &res.geo);
        if (o.p.data_block_size > 4096)
                fprintf(stderr, "%s: warning: the kernel cannot activate a device whose data block size exceeds the page size (4096)\n",
                        program_name);
        if (o.json) {
                json_object *j = vcli_params_json(&o.p, &res.geo);
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
                vcli_print_header(hash, &o.p, &res.geo, res.root, res.root_size, o.fec_device, res.fec_parity_size,
                             res.geo.hash_device_size);
        }
        return EXIT_OK;
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
        struct tool_cmd cmd = TOOL_CMD("verity dump", dump_help);
        struct popts o;
        ct_verity_geometry g;
        ct_error err;
        const char *hash;
        int fd, r;

        vcli_popts_init(&o);
        vcli_getopt(&cmd, &o, argc, argv, longopts); /* every option of dump is a shared one: one call takes all */
        if ((r = vcli_positional(&cmd, &o, argc, argv, 1, &hash)) >= 0)
                return r;
        if (o.p.hash_offset % 512)
                return tool_usage("--hash-offset: must be a multiple of 512");
        if ((r = tool_open_input(hash, CT_INPUT_NO_STREAM, &fd)) != EXIT_OK)
                return r;
        r = vcli_load_params(&o, hash, fd, NULL);
        close(fd);
        if (r)
                return r;
        ct_error_clear(&err);
        if (ct_verity_geometry_compute(&o.p, &g, &err)) {
                tool_fail(&err, hash);
                return EXIT_BAD_INPUT;
        }
        if (o.json)
                tool_json_print(vcli_params_json(&o.p, &g));
        else
                vcli_print_header(hash, &o.p, &g, NULL, 0, NULL, 0, g.hash_device_size);
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
                { "data-device", required_argument, NULL, OPT_DATA_DEV },
                { "hash-device", required_argument, NULL, OPT_HASH_DEV },
                { "name", required_argument, NULL, OPT_NAME },
                { "ignore-corruption", no_argument, NULL, OPT_TABLE_FLAG | CT_VERITY_IGNORE_CORRUPTION },
                { "restart-on-corruption", no_argument, NULL, OPT_TABLE_FLAG | CT_VERITY_RESTART_ON_CORRUPTION },
                { "panic-on-corruption", no_argument, NULL, OPT_TABLE_FLAG | CT_VERITY_PANIC_ON_CORRUPTION },
                { "ignore-zero-blocks", no_argument, NULL, OPT_TABLE_FLAG | CT_VERITY_IGNORE_ZERO_BLOCKS },
                { "check-at-most-once", no_argument, NULL, OPT_TABLE_FLAG | CT_VERITY_CHECK_AT_MOST_ONCE },
                { "root-hash-signature-key-desc", required_argument, NULL, OPT_SIG_KEY_DESC },
                { "output", required_argument, NULL, OPT_OUTPUT },
                { 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("verity table", table_help);
        struct popts o;
        ct_verity_table_opts to = { 0 };
        ct_verity_geometry g;
        static const char *const forms[] = { "table", "dmsetup", "dm-mod", "kata", "kata-legacy" };
        const char *args[3], *name = "vroot";
        int output = -1; /* index in forms: print only that one */
        uint8_t root[CT_VERITY_MAX_DIGEST];
        char rh[2 * CT_VERITY_MAX_DIGEST + 1];
        ct_verity_table_forms f;
        ct_error err;
        size_t ds;
        int c, r;

        vcli_popts_init(&o);
        while ((c = vcli_getopt(&cmd, &o, argc, argv, longopts)) != -1)
                switch (c) {
                case OPT_DATA_DEV:
                        to.data_dev = optarg;
                        break;
                case OPT_HASH_DEV:
                        to.hash_dev = optarg;
                        break;
                case OPT_NAME:
                        name = optarg;
                        break;
                case OPT_SIG_KEY_DESC:
                        to.root_hash_sig_key_desc = optarg;
                        break;
                case OPT_OUTPUT:
                        for (output = 0; output < 5 && strcmp(optarg, forms[output]); output++)
                                ;
                        if (output == 5)
                                return tool_usage("--output: table, dmsetup, dm-mod, kata or kata-legacy expected");
                        break;
                default: /* OPT_TABLE_FLAG | flag */
                        to.flags |= (unsigned)c & ~(unsigned)OPT_TABLE_FLAG;
                        break;
                }
        if ((r = vcli_positional(&cmd, &o, argc, argv, 3, args)) >= 0)
                return r;
        if ((r = vcli_load_tree(&o, args, NULL, root, &ds)))
                return r;
        if (!to.data_dev)
                to.data_dev = args[0];
        if (!to.hash_dev)
                to.hash_dev = args[1];
        ct_error_clear(&err);
        if (ct_verity_geometry_compute(&o.p, &g, &err))
                return tool_fail(&err, args[1]);
        if (o.fec_device) {
                ct_verity_fec_geometry fg;
                uint64_t covered;
                if (o.p.data_block_size != o.p.hash_block_size)
                        return tool_usage("FEC needs equal data and hash block sizes");
                if ((r = vcli_fec_covered(&o, args[1], &covered)))
                        return r;
                if (ct_verity_fec_geometry_compute(&o.p, covered, &fg, &err))
                        return tool_fail(&err, NULL);
                to.fec_dev = o.fec_device;
                to.fec_blocks = fg.blocks;
        }
        if (ct_verity_table_forms_build(&o.p, root, ds, &to, name, &f, &err))
                return err.code == CT_E_ARG ? tool_usage("%s", err.msg) : tool_fail(&err, NULL);
        ct_hex_encode(root, ds, rh);
        if (!o.json && (output < 0 || output == 3) && !f.kata_exact)
                fprintf(stderr,
                        "%s: note: Kata's kernel_verity_params assume format 1, sha256 and the tree at hash block 0 "
                        "(veritysetup format --no-superblock); this tree has format %u, %s, hash start block %llu\n",
                        program_name, o.p.hash_type, o.p.hash_name, (unsigned long long)f.hash_start);
        if (o.json) {
                json_object *j = vcli_params_json(&o.p, &g);
                tool_json_add_str(j, "root_hash", rh);
                tool_json_add_str(j, "table", f.table);
                tool_json_add_str(j, "dmsetup", f.dmsetup);
                tool_json_add_str(j, "dm_mod_create", f.dm_mod);
                tool_json_add_str(j, "kata_kernel_verity_params", f.kata);
                tool_json_add_str(j, "kata_rootfs_verity", f.kata_legacy);
                tool_json_print(j);
        } else if (output >= 0) {
                const char *v[] = { f.table, f.dmsetup, f.dm_mod, f.kata, f.kata_legacy }; /* forms' order */
                printf("%s\n", v[output]);
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
        struct vcli_progress prog;
        bool batch = false;
        int n = 1, r;

        /* --batch (any verb): no progress line; taken out here so every verb accepts it */
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        while (i < argc)
                                argv[n++] = argv[i++];
                        break;
                }
                if (strcmp(argv[i], "--batch") == 0)
                        batch = true;
                else
                        argv[n++] = argv[i];
        }
        argc = n;
        argv[argc] = NULL;
        verity_verbose = verity_json_out = false;
        vcli_progress_start(&prog, argv[0], batch);
        r = fn(argc, argv);
        vcli_progress_stop(&prog);
        if (verity_verbose && !verity_json_out && r == EXIT_OK)
                printf("Command successful.\n");
        return r;
}

#define VERITY_RUN(verb)                                                                                    \
        static int run_##verb(int argc, char **argv)                                                        \
        {                                                                                                  \
                return with_status(verb_##verb, argc, argv);                                                \
        }
VERITY_RUN(format)
VERITY_RUN(verify)
VERITY_RUN(repair)
VERITY_RUN(dump)
VERITY_RUN(table)

static const struct tool_verb verbs[] = {
        { "format", "DATA HASH [OPTIONS]", run_format, "build the hash tree (veritysetup format)" },
        { "verify", "DATA HASH ROOT_HASH [OPTIONS]", run_verify,
          "check data and tree, list every corrupt block (and ext4 file)" },
        { "repair", "DATA HASH ROOT_HASH --fec-device FEC [OPTIONS]", run_repair,
          "write the FEC correction back to DATA/HASH (atomically)" },
        { "dump", "HASH [OPTIONS]", run_dump, "print the superblock (veritysetup dump)" },
        { "table", "DATA HASH ROOT_HASH [OPTIONS]", run_table,
          "kernel table, dmsetup command, dm-mod.create=, Kata parameters" },
};

/*
 * veritysetup takes its options before the action too ("veritysetup -h sha1
 * format DATA HASH"): move the verb in front of the options that precede it.
 */
void tool_verity_reorder(int argc, char **argv)
{
        int i = 1;

        while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0)
                i += vcli_takes_value(argv[i]) ? 2 : 1;
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
