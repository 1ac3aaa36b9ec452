/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust uki build — a reproducible UKI from a systemd-stub and its parts, laid out as ukify does. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/fileio.h>
#include <cocotrust/pe.h>
#include <cocotrust/reference.h>

#include "tool.h"

#define MAX_PARTS 16
#define MAX_PART_SIZE (2ull << 30)

static void help_build(void)
{
        printf("Usage: %s uki build --stub STUB --linux KERNEL [--initrd FILE] [--cmdline TEXT|@FILE]\n"
               "                     [--osrel FILE] [--uname TEXT] [--splash FILE] [--dtb FILE] [--pcrpkey FILE]\n"
               "                     [--section NAME:FILE]... -o UKI.efi [--json]\n\n"
               "Build a Unified Kernel Image from a systemd-stub (linuxx64.efi.stub) and its parts, laid\n"
               "out as ukify does: one section header per part after the stub's, each part's contents at\n"
               "the end of the file (FileAlignment), virtual addresses after the stub's last section\n"
               "(SectionAlignment), characteristics 'initialized data, read', sections in ukify's order\n"
               "(.osrel .cmdline .dtb .uname .splash .pcrpkey .initrd .linux) whatever order the options\n"
               "come in. TimeDateStamp is SOURCE_DATE_EPOCH (0 when unset) and the CheckSum recomputed, so\n"
               "the same inputs give the same bytes. Check the result with `%s uki measure UKI.efi`\n"
               "(PCR 11) and `%s pe hash UKI.efi` (PCR 4).\n\n"
               "Options:\n"
               "      --stub FILE          the systemd-stub EFI image (unsigned)\n"
               "      --linux FILE         the kernel (.linux)\n"
               "      --initrd FILE        the initrd (.initrd)\n"
               "      --cmdline TEXT|@FILE the kernel command line (.cmdline), as ukify takes it\n"
               "      --osrel FILE         os-release (.osrel)\n"
               "      --uname TEXT         kernel release (.uname)\n"
               "      --splash FILE, --dtb FILE, --pcrpkey FILE\n"
               "      --section NAME:FILE  any other section, e.g. .sbat:sbat.csv\n"
               "  -o, --output FILE        the UKI (written atomically)\n"
               "      --json               print {\"schema_version\", \"output\", \"size\", \"sha256\", \"sections\"}\n"
               "  -h, --help               this help\n\n"
               "Example:\n"
               "  %s uki build --stub /usr/lib/systemd/boot/efi/linuxx64.efi.stub --linux vmlinuz \\\n"
               "        --initrd initrd.cpio.gz --cmdline 'console=ttyS0' --osrel /etc/os-release -o uki.efi\n\n"
               "Exit status: 0 ok, 2 bad input or usage, 3 I/O error.\n",
               program_name, program_name, program_name, program_name);
}

struct part {
        const char *name;
        const char *path;  /* NULL: text */
        const char *text;
        ct_blob blob;
};

static int add_part(struct tool_cmd *cmd, struct part *parts, size_t *n, const char *name, const char *path,
                    const char *text)
{
        if (*n >= MAX_PARTS)
                return tool_cmd_usage(cmd, "at most %d sections", MAX_PARTS);
        parts[*n].name = name;
        parts[*n].path = path;
        parts[*n].text = text;
        (*n)++;
        return EXIT_OK;
}

int tool_uki_build(int argc, char **argv);

int tool_uki_build(int argc, char **argv)
{
        enum { OPT_STUB = 1000, OPT_LINUX, OPT_INITRD, OPT_CMDLINE, OPT_OSREL, OPT_UNAME, OPT_SPLASH, OPT_DTB,
               OPT_PCRPKEY, OPT_SECTION };
        static const struct option opts[] = {
                { "stub", required_argument, NULL, OPT_STUB },       { "linux", required_argument, NULL, OPT_LINUX },
                { "initrd", required_argument, NULL, OPT_INITRD },   { "cmdline", required_argument, NULL, OPT_CMDLINE },
                { "osrel", required_argument, NULL, OPT_OSREL },     { "os-release", required_argument, NULL, OPT_OSREL },
                { "uname", required_argument, NULL, OPT_UNAME },     { "splash", required_argument, NULL, OPT_SPLASH },
                { "dtb", required_argument, NULL, OPT_DTB },         { "pcrpkey", required_argument, NULL, OPT_PCRPKEY },
                { "section", required_argument, NULL, OPT_SECTION }, { "output", required_argument, NULL, 'o' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("uki build", help_build);
        struct part parts[MAX_PARTS];
        char names[MAX_PARTS][16];
        ct_uki_build_section secs[MAX_PARTS];
        size_t n = 0;
        const char *stub_path = NULL, *output = NULL, *sde = getenv("SOURCE_DATE_EPOCH");
        unsigned long long ts = 0;
        ct_blob stub = { 0 };
        uint8_t *uki = NULL;
        size_t uki_len = 0;
        bool have_linux = false;
        ct_error err;
        int c, rc = EXIT_OK;

        memset(parts, 0, sizeof(parts));
        while ((c = tool_getopt(&cmd, argc, argv, "o:", opts)) != -1) {
                int r = EXIT_OK;

                switch (c) {
                case OPT_STUB:
                        stub_path = optarg;
                        break;
                case OPT_LINUX:
                        have_linux = true;
                        r = add_part(&cmd, parts, &n, ".linux", optarg, NULL);
                        break;
                case OPT_INITRD:
                        r = add_part(&cmd, parts, &n, ".initrd", optarg, NULL);
                        break;
                case OPT_CMDLINE:
                        r = optarg[0] == '@' ? add_part(&cmd, parts, &n, ".cmdline", optarg + 1, NULL)
                                             : add_part(&cmd, parts, &n, ".cmdline", NULL, optarg);
                        break;
                case OPT_OSREL:
                        r = add_part(&cmd, parts, &n, ".osrel", optarg, NULL);
                        break;
                case OPT_UNAME:
                        r = add_part(&cmd, parts, &n, ".uname", NULL, optarg);
                        break;
                case OPT_SPLASH:
                        r = add_part(&cmd, parts, &n, ".splash", optarg, NULL);
                        break;
                case OPT_DTB:
                        r = add_part(&cmd, parts, &n, ".dtb", optarg, NULL);
                        break;
                case OPT_PCRPKEY:
                        r = add_part(&cmd, parts, &n, ".pcrpkey", optarg, NULL);
                        break;
                case OPT_SECTION: {
                        const char *colon = strchr(optarg, ':');

                        if (!colon || colon == optarg || (size_t)(colon - optarg) > 8 || optarg[0] != '.' || !colon[1])
                                return tool_cmd_usage(&cmd, "--section: '%s' is not NAME:FILE with NAME .xxx (8 bytes at most)",
                                                      optarg);
                        if (n >= MAX_PARTS)
                                return tool_cmd_usage(&cmd, "at most %d sections", MAX_PARTS);
                        memcpy(names[n], optarg, (size_t)(colon - optarg));
                        names[n][colon - optarg] = 0;
                        r = add_part(&cmd, parts, &n, names[n], colon + 1, NULL);
                        break;
                }
                case 'o':
                        output = optarg;
                        break;
                }
                if (r)
                        return r;
        }
        if (cmd.done)
                return cmd.status;
        if (optind < argc)
                return tool_cmd_usage(&cmd, "unexpected argument '%s'", argv[optind]);
        if (!stub_path || !have_linux || !output)
                return tool_cmd_usage(&cmd, "--stub, --linux and -o are required");
        if (sde && *sde && (!tool_parse_u64(sde, &ts) || ts > UINT32_MAX))
                return tool_cmd_usage(&cmd, "SOURCE_DATE_EPOCH '%s' is not a number of seconds below 2^32", sde);
        ct_error_clear(&err);
        if (ct_blob_read(stub_path, CT_MAX_PE_FILE_SIZE, &stub, &err)) {
                rc = tool_fail(&err, stub_path);
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                secs[i].name = parts[i].name;
                if (parts[i].path) {
                        if (ct_blob_read(parts[i].path, MAX_PART_SIZE, &parts[i].blob, &err)) {
                                rc = tool_fail(&err, parts[i].path);
                                goto out;
                        }
                        secs[i].data = parts[i].blob.data;
                        secs[i].len = parts[i].blob.len;
                } else {
                        secs[i].data = (const uint8_t *)parts[i].text;
                        secs[i].len = strlen(parts[i].text);
                }
        }
        if (ct_uki_build(stub.data, stub.len, secs, n, (uint32_t)ts, &uki, &uki_len, &err)) {
                rc = tool_fail(&err, stub_path);
                goto out;
        }
        if (ct_write_file_atomic(output, uki, uki_len, &err)) {
                rc = tool_fail(&err, output);
                goto out;
        }
        if (cmd.json) {
                json_object *j = tool_json_new(), *arr = json_object_new_array();
                ct_digest d;

                ct_hash_buf(CT_HASH_SHA256, uki, uki_len, &d, NULL);
                tool_json_add_str(j, "output", output);
                tool_json_add_int(j, "size", (int64_t)uki_len);
                tool_json_add_digest(j, "sha256", &d);
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(arr, json_object_new_string(secs[i].name));
                json_object_object_add(j, "sections", arr);
                rc = tool_json_emit(j, NULL);
        } else {
                printf("%s: %zu bytes, %zu sections added, TimeDateStamp %llu\n", output, uki_len, n, ts);
        }
out:
        free(uki);
        ct_blob_free(&stub);
        for (size_t i = 0; i < n; i++)
                ct_blob_free(&parts[i].blob);
        return rc;
}
