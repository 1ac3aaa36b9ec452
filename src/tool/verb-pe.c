/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust pe hash — Authenticode digests of PE/COFF images (what firmware extends into PCR 4). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/fileio.h>
#include <cocotrust/pe.h>

#include "tool.h"

/* -i/--in given more often than this is a usage error (operands are not limited) */
#define CT_MAX_PE_INPUTS 64

static void help_hash(void)
{
        printf("Usage: %s pe hash [OPTIONS] FILE...\n\n"
               "Print the Authenticode image digest of each PE/COFF FILE, exactly as UEFI firmware\n"
               "computes it before extending PCR 4 (and as pesign -h / osslsigncode do).\n\n"
               "Options:\n"
               "  -a, --alg ALG   sha1, sha256 (default), sha384 or sha512; repeat for several\n"
               "  -d, --digest_type ALG, --digest-type ALG\n"
               "                  the same as --alg (pesign's spelling)\n"
               "  -i, --in FILE   hash FILE (pesign's spelling; FILE may also be an operand)\n"
               "  -h, --hash      pesign's hash option: print pesign's 'hash: <hex>' lines\n"
               "      --explain   also list every hashed byte range and what was skipped\n"
               "      --json      JSON output (schema_version 1)\n"
               "      --help      this help (-h is --hash here, as in pesign)\n"
               "      --version   print the version\n\n"
               "Output: one line per file, '<hex>  FILE' (with several --alg: '<alg>:<hex>  FILE');\n"
               "with -h/--hash, pesign's 'hash: <hex>' per file and algorithm instead.\n"
               "Example: %s pe hash -h -d sha1 -i vmlinuz   (pesign -h -d sha1 -i vmlinuz)\n"
               "A warning goes to stderr when the COFF TimeDateStamp is not zero: objcopy stamps the\n"
               "build time there, so the digest (and PCR 4) changes on every rebuild.\n"
               "Exit status: 0 ok, 2 bad input, missing or unreadable FILE, or usage; 3 I/O error.\n",
               program_name, program_name);
}

static const char *range_kind_name(ct_pe_range_kind k)
{
        switch (k) {
        case CT_PE_RANGE_HEADERS:
                return "headers";
        case CT_PE_RANGE_SECTION:
                return "section";
        case CT_PE_RANGE_TRAILING:
                return "trailing";
        }
        return "?";
}

struct explain_ctx {
        json_object *arr; /* JSON mode; NULL: text on stdout */
};

static ct_code explain_range(const ct_pe_range *r, void *userdata)
{
        struct explain_ctx *x = userdata;

        if (x->arr) {
                json_object *o = json_object_new_object();

                tool_json_add_str(o, "kind", range_kind_name(r->kind));
                tool_json_add_int(o, "offset", (int64_t)r->offset);
                tool_json_add_int(o, "length", (int64_t)r->len);
                if (r->section)
                        tool_json_add_str(o, "section", r->section->name);
                json_object_array_add(x->arr, o);
        } else
                printf("  hash 0x%08llx +0x%08llx  %s%s%s\n", (unsigned long long)r->offset,
                       (unsigned long long)r->len, range_kind_name(r->kind), r->section ? " " : "",
                       r->section ? r->section->name : "");
        return CT_OK;
}

static void explain_skipped_text(const ct_pe *pe)
{
        const ct_pe_info *in = ct_pe_get_info(pe);
        ct_pe_data_dir d;

        printf("  skip 0x%08llx +0x%08x  CheckSum\n", (unsigned long long)in->checksum_offset, 4);
        if (ct_pe_get_data_dir(pe, CT_PE_DIR_SECURITY, &d)) {
                printf("  skip 0x%08llx +0x%08x  certificate table directory entry\n",
                       (unsigned long long)d.entry_offset, 8);
                if (d.size)
                        printf("  skip 0x%08x +0x%08x  certificate table\n", d.address, d.size);
        }
}

static int hash_one(const char *path, const ct_hash_alg *algs, size_t n_algs, bool explain, bool pesign,
                    json_object *images)
{
        ct_blob blob = { 0 };
        ct_pe *pe = NULL;
        ct_digest d[CT_HASH__MAX];
        ct_error err;
        const ct_pe_info *in;
        char hex[2 * CT_HASH_MAX_SIZE + 1];
        int rc = EXIT_OK;

        ct_error_clear(&err);
        if (ct_blob_read(path, CT_MAX_PE_FILE_SIZE, &blob, &err))
                return tool_fail(&err, path);
        if (ct_pe_parse(blob.data, blob.len, &pe, &err) || ct_pe_authenticode(pe, algs, n_algs, d, &err)) {
                rc = tool_fail(&err, path);
                goto out;
        }
        in = ct_pe_get_info(pe);
        if (in->time_date_stamp)
                fprintf(stderr,
                        "%s: %s: warning: COFF TimeDateStamp at offset 0x%llx is 0x%08x, not 0: it is part of the "
                        "Authenticode digest, so a rebuild changes PCR 4\n",
                        program_name, path, (unsigned long long)in->time_date_stamp_offset, in->time_date_stamp);

        if (images) {
                json_object *o = json_object_new_object();
                json_object *ad = json_object_new_object();

                tool_json_add_str(o, "file", path);
                tool_json_add_int(o, "size", (int64_t)blob.len);
                tool_json_add_int(o, "time_date_stamp", in->time_date_stamp);
                for (size_t i = 0; i < n_algs; i++)
                        tool_json_add_digest(ad, ct_hash_name(algs[i]), &d[i]);
                json_object_object_add(o, "authenticode", ad);
                if (explain) {
                        struct explain_ctx x = { .arr = json_object_new_array() };
                        json_object *sk = json_object_new_array();
                        json_object *e;
                        ct_pe_data_dir dd;

                        ct_pe_authenticode_walk(pe, explain_range, &x, NULL);
                        json_object_object_add(o, "hashed_ranges", x.arr);
                        e = json_object_new_object();
                        tool_json_add_str(e, "what", "CheckSum");
                        tool_json_add_int(e, "offset", (int64_t)in->checksum_offset);
                        tool_json_add_int(e, "length", 4);
                        json_object_array_add(sk, e);
                        if (ct_pe_get_data_dir(pe, CT_PE_DIR_SECURITY, &dd)) {
                                e = json_object_new_object();
                                tool_json_add_str(e, "what", "certificate table directory entry");
                                tool_json_add_int(e, "offset", (int64_t)dd.entry_offset);
                                tool_json_add_int(e, "length", 8);
                                json_object_array_add(sk, e);
                                if (dd.size) {
                                        e = json_object_new_object();
                                        tool_json_add_str(e, "what", "certificate table");
                                        tool_json_add_int(e, "offset", dd.address);
                                        tool_json_add_int(e, "length", dd.size);
                                        json_object_array_add(sk, e);
                                }
                        }
                        json_object_object_add(o, "skipped_ranges", sk);
                }
                json_object_array_add(images, o);
        } else {
                for (size_t i = 0; i < n_algs && pesign; i++)
                        printf("hash: %s\n", ct_digest_hex(&d[i], hex));
                for (size_t i = 0; i < n_algs && !pesign; i++) {
                        if (n_algs > 1)
                                printf("%s:", ct_hash_name(algs[i]));
                        printf("%s  %s\n", ct_digest_hex(&d[i], hex), path);
                }
                if (explain) {
                        struct explain_ctx x = { .arr = NULL };

                        printf("# %s: %zu bytes, SizeOfHeaders 0x%x, %u sections, %u data directories\n", path,
                               blob.len, in->size_of_headers, in->n_sections, in->n_data_dirs);
                        ct_pe_authenticode_walk(pe, explain_range, &x, NULL);
                        explain_skipped_text(pe);
                }
        }
out:
        ct_pe_free(pe);
        ct_blob_free(&blob);
        return rc;
}

static int verb_hash(int argc, char **argv)
{
        enum { OPT_EXPLAIN = 0x100 };
        static const struct option opts[] = {
                { "alg", required_argument, NULL, 'a' },
                { "digest_type", required_argument, NULL, 'd' },
                { "digest-type", required_argument, NULL, 'd' },
                { "in", required_argument, NULL, 'i' },
                { "hash", no_argument, NULL, 'h' },
                { "explain", no_argument, NULL, OPT_EXPLAIN },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("pe hash", help_hash);
        ct_hash_alg algs[CT_HASH__MAX];
        size_t n_algs = 0;
        bool explain = false, pesign = false;
        json_object *root = NULL, *images = NULL;
        const char *in[CT_MAX_PE_INPUTS];
        size_t n_in = 0;
        int c, rc = EXIT_OK;

        while ((c = tool_getopt(&cmd, argc, argv, "a:d:i:h", opts)) != -1) {
                switch (c) {
                case 'a':
                case 'd':
                        if (!tool_add_bank(algs, &n_algs, optarg, c == 'a' ? "--alg" : "--digest_type"))
                                return EXIT_BAD_INPUT;
                        break;
                case 'i':
                        if (n_in == CT_MAX_PE_INPUTS)
                                return tool_cmd_usage(&cmd, "more than %d --in files", CT_MAX_PE_INPUTS);
                        in[n_in++] = optarg;
                        break;
                case 'h': pesign = true; break;
                case OPT_EXPLAIN: explain = true; break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (optind >= argc && n_in == 0)
                return tool_cmd_usage(&cmd, "missing FILE");
        if (n_algs == 0)
                algs[n_algs++] = CT_HASH_SHA256;
        if (cmd.json) {
                root = tool_json_new();
                images = json_object_new_array();
        }
        for (size_t i = 0; i < n_in + (size_t)(argc - optind); i++) {
                const char *f = i < n_in ? in[i] : argv[optind + (int)(i - n_in)];
                int r = hash_one(f, algs, n_algs, explain, pesign, images);

                if (r > rc)
                        rc = r;
        }
        if (cmd.json) {
                json_object_object_add(root, "images", images);
                if (rc == EXIT_OK)
                        rc = tool_json_emit(root, NULL);
                else
                        json_object_put(root);
        }
        return rc;
}

static const struct tool_verb verbs[] = {
        { "hash", "[--alg ALG]... [-h] [-i FILE]... [--explain] [--json] [FILE...]", verb_hash,
          "Authenticode digest of PE images, as firmware measures them into PCR 4" },
};

const struct tool_area tool_area_pe = { "pe", "PE/COFF Authenticode digests (PCR 4)", verbs, sizeof(verbs) / sizeof(verbs[0]) };
