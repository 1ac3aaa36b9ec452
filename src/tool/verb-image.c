/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust image inspect — a GPT disk image as systemd-repart / mkosi build it. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/reference.h>

#include "tool.h"

static void help_inspect(void)
{
        printf("Usage: %s image inspect IMAGE.raw [--certificate CERT.pem] [--threads N] [--json]\n\n"
               "List the partitions of a GPT disk image (read with libfdisk) by their Discoverable\n"
               "Partitions type (esp, xbootldr, root, root-verity, root-verity-sig, usr, usr-verity,\n"
               "usr-verity-sig; x86-64 GUIDs) and check each root / usr partition that has a verity\n"
               "partition the way systemd-repart built it:\n"
               "  - the verity superblock of the hash partition (parameters, salt, UUID);\n"
               "  - the root hash computed from the data partition, and the hash partition's tree\n"
               "    checked against the data (every block);\n"
               "  - the partition UUIDs: data = first 128 bits, verity = last 128 bits of the root hash;\n"
               "  - the verity-sig partition's JSON (rootHash, certificateFingerprint, signature): its\n"
               "    root hash, and with --certificate its PKCS#7 signature over the root hash (OpenSSL)\n"
               "    and the certificate fingerprint.\n"
               "It prints the roothash= / usrhash= kernel parameters to use, and lists the UKIs in the\n"
               "ESP / XBOOTLDR partitions (/EFI/Linux/*.efi, read with mtools).\n\n"
               "Options:\n"
               "      --certificate FILE  PEM certificate that signed the verity-sig partitions\n"
               "      --threads N         hashing threads (default: online CPUs)\n"
               "      --json              JSON (schema_version 1)\n"
               "  -h, --help              this help\n\n"
               "Exit status: 0 every check passed; 1 a check failed (tree, UUIDs, signature); 2 not a\n"
               "GPT image or bad input; 3 I/O error.\n",
               program_name);
}

static int verb_inspect(int argc, char **argv)
{
        enum { OPT_CERT = 1000, OPT_THREADS };
        static const struct option opts[] = {
                { "certificate", required_argument, NULL, OPT_CERT },
                { "threads", required_argument, NULL, OPT_THREADS },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("image inspect", help_inspect);
        const char *cert = NULL;
        unsigned long long threads = 0;
        ct_image_report *rep = NULL;
        ct_error err;
        char hex[2 * CT_HASH_MAX_SIZE + 1];
        int c, rc;

        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case OPT_CERT:
                        cert = optarg;
                        break;
                case OPT_THREADS:
                        if (!tool_parse_u64(optarg, &threads) || threads > 256)
                                return tool_cmd_usage(&cmd, "--threads: '%s' is not 0 to 256", optarg);
                        break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (optind + 1 != argc)
                return tool_cmd_usage(&cmd, "expected one IMAGE");
        ct_error_clear(&err);
        if (ct_image_inspect(argv[optind], cert, (unsigned)threads, &rep, &err))
                return tool_fail(&err, argv[optind]);
        if (cmd.json) {
                json_object *o = tool_json_new(), *parts = json_object_new_array(), *ver = json_object_new_array();

                tool_json_add_str(o, "image", argv[optind]);
                tool_json_add_str(o, "disk_uuid", rep->disk_uuid);
                tool_json_add_int(o, "sector_size", (int64_t)rep->sector_size);
                for (size_t i = 0; i < rep->n_parts; i++) {
                        const ct_image_partition *p = &rep->parts[i];
                        json_object *j = json_object_new_object();

                        tool_json_add_int(j, "number", p->number);
                        tool_json_add_str(j, "kind", ct_image_part_kind_name(p->kind));
                        tool_json_add_str(j, "type", p->type_guid);
                        tool_json_add_str(j, "uuid", p->uuid);
                        tool_json_add_str(j, "label", p->label);
                        tool_json_add_int(j, "offset", (int64_t)p->offset);
                        tool_json_add_int(j, "size", (int64_t)p->size);
                        json_object_array_add(parts, j);
                }
                for (size_t i = 0; i < rep->n_verity; i++) {
                        const ct_image_verity *v = &rep->verity[i];
                        json_object *j = json_object_new_object();

                        tool_json_add_str(j, "name", v->name);
                        tool_json_add_int(j, "data_partition", v->data_part);
                        tool_json_add_int(j, "hash_partition", v->hash_part);
                        tool_json_add_hex(j, "root_hash", v->root_hash, v->root_hash_len);
                        tool_json_add_str(j, "hash", v->hash_name);
                        tool_json_add_int(j, "data_block_size", v->data_block_size);
                        tool_json_add_int(j, "hash_block_size", v->hash_block_size);
                        tool_json_add_int(j, "data_blocks", (int64_t)v->data_blocks);
                        tool_json_add_hex(j, "salt", v->salt, v->salt_len);
                        tool_json_add_str(j, "superblock_uuid", v->sb_uuid);
                        tool_json_add_bool(j, "tree_ok", v->tree_ok);
                        tool_json_add_int(j, "bad_data_blocks", (int64_t)v->bad_data);
                        tool_json_add_int(j, "bad_hash_blocks", (int64_t)v->bad_hash);
                        tool_json_add_bool(j, "uuids_match_root_hash", v->uuids_match);
                        tool_json_add_bool(j, "signature_present", v->sig_present);
                        if (v->sig_present) {
                                tool_json_add_int(j, "signature_partition", v->sig_part);
                                tool_json_add_bool(j, "signature_root_hash_matches", v->sig_root_matches);
                                if (v->sig_verified >= 0) {
                                        tool_json_add_bool(j, "signature_verified", v->sig_verified == 1);
                                        tool_json_add_bool(j, "certificate_fingerprint_matches", v->sig_fingerprint_matches);
                                }
                        }
                        ct_hex_encode(v->root_hash, v->root_hash_len, hex);
                        char form[160];
                        snprintf(form, sizeof(form), "%s=%s", strcmp(v->name, "usr") ? "roothash" : "usrhash", hex);
                        tool_json_add_str(j, "cmdline", v->root_hash_len ? form : NULL);
                        tool_json_add_str(j, "error", v->error[0] ? v->error : NULL);
                        json_object_array_add(ver, j);
                }
                json_object *uk = json_object_new_array();

                for (size_t i = 0; i < rep->n_ukis; i++) {
                        json_object *j = json_object_new_object();

                        tool_json_add_int(j, "partition", rep->ukis[i].part);
                        tool_json_add_str(j, "path", rep->ukis[i].path);
                        json_object_array_add(uk, j);
                }
                json_object_object_add(o, "ukis", uk);
                tool_json_add_str(o, "esp_note", rep->esp_note[0] ? rep->esp_note : NULL);
                json_object_object_add(o, "partitions", parts);
                json_object_object_add(o, "verity", ver);
                tool_json_add_bool(o, "ok", rep->ok);
                rc = tool_json_emit(o, NULL);
                if (rc == EXIT_OK && !rep->ok)
                        rc = EXIT_VERIFY_FAILED;
                free(rep);
                return rc;
        }
        printf("%s: GPT, disk %s, %zu partitions\n", argv[optind], rep->disk_uuid, rep->n_parts);
        for (size_t i = 0; i < rep->n_parts; i++) {
                const ct_image_partition *p = &rep->parts[i];

                printf("  %2u %-16s %s %10llu KiB  %s\n", p->number, ct_image_part_kind_name(p->kind), p->uuid,
                       (unsigned long long)(p->size / 1024), p->label);
        }
        for (size_t i = 0; i < rep->n_ukis; i++)
                printf("UKI: partition %u: %s (measure it with `%s reference --image`)\n", rep->ukis[i].part,
                       rep->ukis[i].path, program_name);
        if (rep->esp_note[0])
                printf("ESP: %s\n", rep->esp_note);
        for (size_t i = 0; i < rep->n_verity; i++) {
                const ct_image_verity *v = &rep->verity[i];

                ct_hex_encode(v->root_hash, v->root_hash_len, hex);
                printf("%s: partitions %u + %u, %s, %llu x %u-byte blocks\n", v->name, v->data_part, v->hash_part,
                       v->hash_name, (unsigned long long)v->data_blocks, v->data_block_size);
                printf("  root hash:        %s\n", v->root_hash_len ? hex : "-");
                printf("  hash tree:        %s", v->tree_ok ? "OK (matches the data)\n" : "CORRUPT");
                if (!v->tree_ok)
                        printf(" (%llu data, %llu hash blocks differ)\n", (unsigned long long)v->bad_data,
                               (unsigned long long)v->bad_hash);
                printf("  partition UUIDs:  %s\n", v->uuids_match ? "OK (derived from the root hash)"
                                                                  : "MISMATCH (not the halves of the root hash)");
                if (v->sig_present) {
                        printf("  verity-sig:       partition %u, root hash %s, signature %s\n", v->sig_part,
                               v->sig_root_matches ? "matches" : "DIFFERS",
                               v->sig_verified < 0 ? "not checked (no --certificate)"
                               : v->sig_verified ? (v->sig_fingerprint_matches ? "verified, fingerprint matches"
                                                                               : "verified, fingerprint DIFFERS")
                                                 : "DOES NOT VERIFY");
                }
                if (v->error[0])
                        printf("  error:            %s\n", v->error);
                if (v->root_hash_len)
                        printf("  cmdline:          %s=%s\n", strcmp(v->name, "usr") ? "roothash" : "usrhash", hex);
        }
        printf("%s\n", rep->ok ? "OK" : "FAILED");
        rc = rep->ok ? EXIT_OK : EXIT_VERIFY_FAILED;
        free(rep);
        return rc;
}

static const struct tool_verb verbs[] = {
        { "inspect", "IMAGE.raw [--certificate CERT]", verb_inspect,
          "partitions, verity trees, UUIDs and signatures of a systemd-repart image" },
};

const struct tool_area tool_area_image = { "image", "GPT disk images as systemd-repart / mkosi build them", verbs,
                                           sizeof(verbs) / sizeof(verbs[0]) };
