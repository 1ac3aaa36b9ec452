/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust tdx — TDVF metadata, MRTD / RTMR reference values and TDX quotes.
 * All logic lives in the library (include/cocotrust/tdx.h); this file parses
 * options and renders text or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/fileio.h>
#include <cocotrust/tdx.h>

#include "tool.h"

typedef unsigned long long ull;

static int read_firmware(const char *path, ct_blob *fw, ct_tdvf_metadata *md)
{
        ct_error err;

        ct_error_clear(&err);
        if (ct_blob_read(path, CT_MAX_TDX_FIRMWARE_SIZE, fw, &err)) {
                tool_fail(&err, path);
                return err.code == CT_E_IO ? EXIT_INTERNAL : EXIT_BAD_INPUT;
        }
        if (ct_tdvf_parse(fw->data, fw->len, md, &err)) {
                ct_blob_free(fw);
                tool_fail(&err, path);
                return EXIT_BAD_INPUT;
        }
        return 0;
}

/* ---- tdx metadata ---- */

static void metadata_help(FILE *f, const char *prog)
{
        fprintf(f,
                "Usage: %s [--json] FIRMWARE\n"
                "\n"
                "Show the TDVF metadata of a TDX firmware image (OVMF/TDVF or td-shim): where it\n"
                "was found, every section (type, attributes, file range, GPA range) and the MRTD in\n"
                "both orders the VMMs use (single-pass: upstream KVM/QEMU; two-pass: older stacks).\n"
                "\n"
                "Options:\n"
                "  --json        JSON output\n"
                "  -h, --help    this help\n"
                "\n"
                "Example:\n"
                "  %s /usr/share/ovmf/OVMF.fd\n"
                "\n"
                "Exit status: 0 ok, 2 bad input (no or malformed TDX metadata: the message names the\n"
                "offset), 3 I/O error.\n",
                prog, prog);
}

static int verb_metadata(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        bool json = false;
        ct_tdvf_metadata md;
        ct_digest mr[2];
        uint64_t bytes[2];
        ct_blob fw;
        ct_error err;
        int c, rc;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 'h':
                        metadata_help(stdout, argv[0]);
                        return 0;
                default:
                        return tool_usage("try '%s --help'", argv[0]);
                }
        }
        if (optind + 1 != argc)
                return tool_usage("%s: expected one FIRMWARE argument (try --help)", argv[0]);
        rc = read_firmware(argv[optind], &fw, &md);
        if (rc)
                return rc;
        ct_error_clear(&err);
        for (int o = 0; o < 2; o++)
                if (ct_tdx_mrtd(fw.data, fw.len, &md, (ct_tdx_mrtd_order)o, &mr[o], &bytes[o], &err)) {
                        ct_blob_free(&fw);
                        return tool_fail(&err, argv[optind]);
                }
        if (json) {
                json_object *o = tool_json_new(), *a = json_object_new_array();

                tool_json_add_int(o, "descriptor_offset", (int64_t)md.offset);
                tool_json_add_str(o, "located_by", md.via_table ? "footer-table" : "end-0x20-pointer");
                tool_json_add_int(o, "version", md.version);
                for (size_t i = 0; i < md.n_sections; i++) {
                        const ct_tdvf_section *s = &md.sections[i];
                        json_object *e = json_object_new_object();

                        tool_json_add_str(e, "type", ct_tdvf_section_type_name(s->type));
                        tool_json_add_int(e, "type_id", s->type);
                        tool_json_add_int(e, "attributes", s->attributes);
                        tool_json_add_bool(e, "mr_extend", s->attributes & CT_TDVF_ATTR_MR_EXTEND);
                        tool_json_add_bool(e, "page_aug", s->attributes & CT_TDVF_ATTR_PAGE_AUG);
                        tool_json_add_int(e, "data_offset", s->data_offset);
                        tool_json_add_int(e, "raw_size", s->raw_size);
                        tool_json_add_int(e, "gpa", (int64_t)s->gpa);
                        tool_json_add_int(e, "mem_size", (int64_t)s->mem_size);
                        json_object_array_add(a, e);
                }
                json_object_object_add(o, "sections", a);
                tool_json_add_digest(o, "mrtd_single_pass", &mr[0]);
                tool_json_add_digest(o, "mrtd_two_pass", &mr[1]);
                tool_json_add_int(o, "bytes_hashed", (int64_t)bytes[0]);
                tool_json_print(o);
        } else {
                char hex[2 * CT_HASH_MAX_SIZE + 1];

                printf("TDVF metadata at offset 0x%llx (%s), version %u, %zu sections\n", (ull)md.offset,
                       md.via_table ? "via the OVMF footer table" : "via the end-0x20 pointer", md.version,
                       md.n_sections);
                printf("  #  type          attr          file offset  raw size    GPA                 mem size\n");
                for (size_t i = 0; i < md.n_sections; i++) {
                        const ct_tdvf_section *s = &md.sections[i];
                        char attr[32];

                        snprintf(attr, sizeof(attr), "%#x%s%s", s->attributes,
                                 s->attributes & CT_TDVF_ATTR_MR_EXTEND ? " EXTEND" : "",
                                 s->attributes & CT_TDVF_ATTR_PAGE_AUG ? " AUG" : "");
                        printf("  %-2zu %-13s %-13s 0x%-9x  0x%-8x  0x%-16llx  0x%llx\n", i,
                               ct_tdvf_section_type_name(s->type), attr, s->data_offset, s->raw_size, (ull)s->gpa,
                               (ull)s->mem_size);
                }
                printf("MRTD single-pass: %s\n", ct_digest_hex(&mr[0], hex));
                printf("MRTD two-pass:    %s\n", ct_digest_hex(&mr[1], hex));
        }
        ct_blob_free(&fw);
        return 0;
}

static const struct tool_verb verbs[] = {
        { "metadata", "[--json] FIRMWARE", verb_metadata, "TDVF metadata sections and MRTD of a firmware image" },
};

const struct tool_area tool_area_tdx = { "tdx", "Intel TDX: MRTD / RTMR reference values, TDVF metadata, quotes",
                                         verbs, sizeof(verbs) / sizeof(verbs[0]) };
