/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust initrd pack — a reproducible newc cpio (+ gzip) of a directory. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/reference.h>

#include "tool.h"

static void help_pack(void)
{
        printf("Usage: %s initrd pack DIR -o initrd.cpio[.gz] [--gzip | --no-gzip] [--mtime SECONDS] [--json]\n\n"
               "Pack the tree under DIR into a newc cpio archive (the kernel's initramfs format) that is\n"
               "the same bytes for the same tree: entries sorted by path, uid and gid 0, inode numbers\n"
               "1, 2, ... in archive order, nlink 1 (2 for directories), permission bits as on disk,\n"
               "every mtime the same (SOURCE_DATE_EPOCH when set, else 0). Directories, regular files\n"
               "and symbolic links are packed; device nodes, FIFOs and sockets are refused (create\n"
               "/dev nodes from the init script, or use devtmpfs).\n"
               "Gzip (zlib level 9) has no file name and mtime 0 in its header.\n\n"
               "Options:\n"
               "  -o, --output FILE   the archive (written atomically); FILE ending in .gz is gzipped\n"
               "      --gzip          gzip whatever the name\n"
               "      --no-gzip       do not gzip whatever the name\n"
               "      --mtime SECONDS the mtime of every entry (default SOURCE_DATE_EPOCH, else 0)\n"
               "      --json          print {\"schema_version\", \"output\", \"entries\", \"gzip\", \"sha256\"}\n"
               "  -h, --help          this help\n\n"
               "Example:\n"
               "  %s initrd pack rootfs/ -o initrd.cpio.gz\n\n"
               "Exit status: 0 ok, 2 bad input or usage (a file type that cannot be packed), 3 I/O error.\n",
               program_name, program_name);
}

static int verb_pack(int argc, char **argv)
{
        enum { OPT_GZIP = 1000, OPT_NO_GZIP, OPT_MTIME };
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "gzip", no_argument, NULL, OPT_GZIP },
                { "no-gzip", no_argument, NULL, OPT_NO_GZIP },
                { "mtime", required_argument, NULL, OPT_MTIME },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("initrd pack", help_pack);
        const char *output = NULL, *sde = getenv("SOURCE_DATE_EPOCH");
        int gz = -1, c;
        unsigned long long mtime = 0;
        bool mtime_set = false;
        ct_initrd_opts o = { 0 };
        uint64_t entries = 0;
        ct_error err;

        while ((c = tool_getopt(&cmd, argc, argv, "o:", opts)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case OPT_GZIP:
                        gz = 1;
                        break;
                case OPT_NO_GZIP:
                        gz = 0;
                        break;
                case OPT_MTIME:
                        if (!tool_parse_u64(optarg, &mtime) || mtime > UINT32_MAX)
                                return tool_cmd_usage(&cmd, "--mtime: '%s' is not a number of seconds below 2^32",
                                                      optarg);
                        mtime_set = true;
                        break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (optind + 1 != argc)
                return tool_cmd_usage(&cmd, "expected one DIR");
        if (!output)
                return tool_cmd_usage(&cmd, "-o FILE is required");
        if (!mtime_set && sde && *sde && (!tool_parse_u64(sde, &mtime) || mtime > UINT32_MAX))
                return tool_cmd_usage(&cmd, "SOURCE_DATE_EPOCH '%s' is not a number of seconds below 2^32", sde);
        o.mtime = mtime;
        o.gzip = gz >= 0 ? gz == 1 : (strlen(output) > 3 && strcmp(output + strlen(output) - 3, ".gz") == 0);
        ct_error_clear(&err);
        if (ct_initrd_pack(argv[optind], &o, output, &entries, &err))
                return tool_fail(&err, NULL);
        if (cmd.json) {
                json_object *j = tool_json_new();
                ct_digest d;

                if (ct_hash_file(CT_HASH_SHA256, output, &d, NULL, &err))
                        return tool_fail(&err, output);
                tool_json_add_str(j, "output", output);
                tool_json_add_int(j, "entries", (int64_t)entries);
                tool_json_add_bool(j, "gzip", o.gzip);
                tool_json_add_int(j, "mtime", (int64_t)o.mtime);
                tool_json_add_digest(j, "sha256", &d);
                return tool_json_emit(j, NULL);
        }
        printf("%s: %llu entries%s, mtime %llu\n", output, (unsigned long long)entries, o.gzip ? ", gzip" : "",
               (unsigned long long)o.mtime);
        return EXIT_OK;
}

static const struct tool_verb verbs[] = {
        { "pack", "DIR -o FILE", verb_pack, "reproducible newc cpio (+gzip) of a directory" },
};

const struct tool_area tool_area_initrd = { "initrd", "reproducible initrd archives", verbs,
                                            sizeof(verbs) / sizeof(verbs[0]) };
