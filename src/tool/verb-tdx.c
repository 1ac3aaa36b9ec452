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

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/reader.h>
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

static void metadata_help0(void)
{
        metadata_help(stdout, "cocotrust tdx metadata");
}

static int verb_metadata(int argc, char **argv)
{
        static const struct option longopts[] = {
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("tdx metadata", metadata_help0);
        bool json;
        ct_tdvf_metadata md;
        ct_digest mr[2];
        uint64_t bytes[2];
        ct_blob fw;
        ct_error err;
        int c, rc;

        while ((c = tool_getopt(&cmd, argc, argv, "", longopts)) != -1)
                ;
        if (cmd.done)
                return cmd.status;
        json = cmd.json;
        if (optind + 1 != argc)
                return tool_cmd_usage(&cmd, "expected one FIRMWARE argument");
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

/* ---- tdx quote ---- */

static void quote_help(FILE *f, const char *prog)
{
        fprintf(f,
                "Usage: %s [OPTIONS] QUOTE\n"
                "\n"
                "Parse an Intel TDX DCAP quote (version 4, or version 5 with body type 2 = TDX 1.0 or\n"
                "3 = TDX 1.5): header, TD report body (TD attributes and XFAM decoded, MRTD,\n"
                "MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR 0-3, REPORTDATA; TEE_TCB_SVN2 and\n"
                "MRSERVICETD for TDX 1.5), the signature section and its certification data (QE\n"
                "report, QE authentication data, PCK certificate chain). The JSON uses Trustee's TDX\n"
                "claim names (quote.header.*, quote.body.*, init_data = MRCONFIGID, report_data,\n"
                "td_attributes.*, platform_instance_id), so it lines up with what a relying party sees.\n"
                "\n"
                "Not done here: the quote's ECDSA signature, the QE report signature, the PCK chain\n"
                "and the DCAP collateral (TCB info, QE identity, CRLs) are NOT verified; use Intel's\n"
                "DCAP Quote Verification Library or Trustee for that.\n"
                "\n"
                "Options:\n"
                "  --json                     JSON output (schema_version 1)\n"
                "  --expect-mrtd HEX          expected MRTD (96 hex digits)\n"
                "  --expect-rtmr N=HEX        expected RTMR N (0-3); repeatable\n"
                "  --expect-report-data HEX   expected REPORTDATA (up to 128 hex digits; the rest must be 0)\n"
                "  --expect-mrconfigid HEX    expected MRCONFIGID (CoCo init-data digest)\n"
                "  --expect-xfam HEX          expected XFAM as its 8 bytes (e.g. e702060000000000)\n"
                "  -h, --help                 this help\n"
                "\n"
                "Examples:\n"
                "  %s quote.dat --json\n"
                "  %s quote.dat --expect-mrtd 4c7206f0...fb231c47 --expect-rtmr 1=d6d8b20f...2dff004a\n"
                "\n"
                "Exit status: 0 ok (and every expectation holds), 1 an expectation differs (every\n"
                "differing field is listed), 2 bad input (the message names the offset), 3 I/O error.\n",
                prog, prog, prog);
}

static bool parse_hex_exact(const char *opt, const char *s, uint8_t *out, size_t want, size_t *ret_len)
{
        size_t n;

        if (ct_hex_decode(s, out, want, &n, NULL) || (!ret_len && n != want) || n == 0) {
                tool_usage("%s: expected %s%zu bytes of hex, got '%s'", opt, ret_len ? "up to " : "", want, s);
                return false;
        }
        if (ret_len)
                *ret_len = n;
        return true;
}

static json_object *hexstr(const uint8_t *b, size_t n)
{
        char buf[2 * 256 + 1];
        return json_object_new_string(ct_hex_encode(b, n, buf));
}

static void quote_help0(void)
{
        quote_help(stdout, "cocotrust tdx quote");
}

static int verb_quote(int argc, char **argv)
{
        enum { O_MRTD = 0x100, O_RTMR, O_RD, O_CFG, O_XFAM };
        static const struct option longopts[] = {
                { "expect-mrtd", required_argument, NULL, O_MRTD },
                { "expect-rtmr", required_argument, NULL, O_RTMR },
                { "expect-report-data", required_argument, NULL, O_RD },
                { "expect-mrconfigid", required_argument, NULL, O_CFG },
                { "expect-xfam", required_argument, NULL, O_XFAM },
                { NULL, 0, NULL, 0 },
        };
        uint8_t mrtd[48], rtmr[4][48], rd[64], cfg[48], xfam[8];
        struct tool_cmd cmd = TOOL_CMD("tdx quote", quote_help0);
        ct_tdx_expect ex;
        bool json, any = false;
        ct_tdx_quote q;
        ct_tdx_field f[CT_TDX_MAX_FIELDS];
        ct_tdx_pck_chain chain;
        ct_tdx_td_attributes ta;
        bool have_chain;
        uint32_t mis = 0;
        const char *path;
        ct_blob b;
        ct_error err;
        size_t nf;
        int c;

        memset(&ex, 0, sizeof(ex));
        while ((c = tool_getopt(&cmd, argc, argv, "", longopts)) != -1) {
                switch (c) {
                case O_MRTD:
                        if (!parse_hex_exact("--expect-mrtd", optarg, mrtd, 48, NULL))
                                return EXIT_BAD_INPUT;
                        ex.mr_td = mrtd;
                        any = true;
                        break;
                case O_RTMR: {
                        const char *eq = strchr(optarg, '=');
                        int n = optarg[0] - '0';

                        if (!eq || eq != optarg + 1 || n < 0 || n > 3)
                                return tool_usage("--expect-rtmr: expected N=HEX with N in 0-3, got '%s'", optarg);
                        if (!parse_hex_exact("--expect-rtmr", eq + 1, rtmr[n], 48, NULL))
                                return EXIT_BAD_INPUT;
                        ex.rtmr[n] = rtmr[n];
                        any = true;
                        break;
                }
                case O_RD:
                        if (!parse_hex_exact("--expect-report-data", optarg, rd, 64, &ex.report_data_len))
                                return EXIT_BAD_INPUT;
                        ex.report_data = rd;
                        any = true;
                        break;
                case O_CFG:
                        if (!parse_hex_exact("--expect-mrconfigid", optarg, cfg, 48, NULL))
                                return EXIT_BAD_INPUT;
                        ex.mr_config_id = cfg;
                        any = true;
                        break;
                case O_XFAM:
                        if (!parse_hex_exact("--expect-xfam", optarg, xfam, 8, NULL))
                                return EXIT_BAD_INPUT;
                        ex.xfam = xfam;
                        any = true;
                        break;
                default:
                        break;
                }
        }
        if (cmd.done)
                return cmd.status;
        json = cmd.json;
        if (optind + 1 != argc)
                return tool_cmd_usage(&cmd, "expected one QUOTE argument");
        path = argv[optind];
        ct_error_clear(&err);
        if (ct_blob_read(path, CT_MAX_TDX_QUOTE_SIZE, &b, &err)) {
                tool_fail(&err, path);
                return err.code == CT_E_IO ? EXIT_INTERNAL : EXIT_BAD_INPUT;
        }
        if (ct_tdx_quote_parse(b.data, b.len, &q, &err)) {
                ct_blob_free(&b);
                tool_fail(&err, path);
                return EXIT_BAD_INPUT;
        }
        have_chain = ct_tdx_quote_pck_chain(b.data, b.len, &q, &chain, NULL) == CT_OK;
        ct_blob_free(&b);
        nf = ct_tdx_quote_fields(&q, f);
        ct_tdx_decode_td_attributes(q.td_attributes, &ta);
        if (any && ct_tdx_quote_check(&q, &ex, &mis, &err) && err.code != CT_E_MISMATCH)
                return tool_fail(&err, path);

        if (json) {
                json_object *o = tool_json_new(), *qo = json_object_new_object(), *h = json_object_new_object();
                json_object *bo = json_object_new_object(), *at = json_object_new_object();
                json_object *offs = json_object_new_object(), *sig = json_object_new_object();
                json_object *xf = json_object_new_array();

                for (size_t i = 0; i < nf; i++) {
                        json_object_object_add(i < 6 ? h : bo, f[i].name, hexstr(f[i].value, f[i].len));
                        tool_json_add_int(offs, f[i].claim, (int64_t)f[i].offset);
                }
                json_object_object_add(qo, "header", h);
                json_object_object_add(qo, "body", bo);
                if (q.version == 5) {
                        uint8_t sz[4];

                        ct_put_le32(sz, q.body_size);
                        tool_json_add_str(qo, "type", q.body_type == 3 ? "0300" : "0200");
                        json_object_object_add(qo, "size", hexstr(sz, 4));
                }
                json_object_object_add(o, "quote", qo);
                json_object_object_add(o, "init_data", hexstr(q.body.mr_config_id, 48));
                json_object_object_add(o, "report_data", hexstr(q.body.report_data, 64));
                tool_json_add_bool(at, "debug", ta.debug);
                tool_json_add_bool(at, "key_locker", ta.key_locker);
                tool_json_add_bool(at, "perfmon", ta.perfmon);
                tool_json_add_bool(at, "protection_keys", ta.protection_keys);
                tool_json_add_bool(at, "septve_disable", ta.septve_disable);
                json_object_object_add(o, "td_attributes", at);
                if (have_chain && chain.has_platform_instance_id) {
                        uint8_t rev[16];

                        /* Trustee's claim shows the 16 bytes in reverse order (as a little-endian integer). */
                        for (int i = 0; i < 16; i++)
                                rev[i] = chain.platform_instance_id[15 - i];
                        json_object_object_add(o, "platform_instance_id", hexstr(rev, 16));
                }
                /* cocotrust's additions (not Trustee claims) */
                tool_json_add_int(o, "version", q.version);
                tool_json_add_int(o, "body_type", q.body_type);
                tool_json_add_str(o, "tdx_module", q.tdx15 ? "TDX 1.5" : "TDX 1.0");
                for (unsigned i = 0; i < 64; i++)
                        if ((q.xfam >> i) & 1) {
                                const char *nm = ct_tdx_xfam_bit_name(i);
                                char tmp[16];

                                snprintf(tmp, sizeof(tmp), "bit%u", i);
                                json_object_array_add(xf, json_object_new_string(nm ? nm : tmp));
                        }
                json_object_object_add(o, "xfam_features", xf);
                tool_json_add_int(o, "td_attributes_reserved_bits", (int64_t)ta.reserved_bits);
                json_object_object_add(o, "offsets", offs);
                tool_json_add_int(sig, "offset", (int64_t)q.sig_data_offset);
                tool_json_add_int(sig, "length", q.sig_data_len);
                tool_json_add_hex(sig, "ecdsa_signature", q.signature, 64);
                tool_json_add_hex(sig, "attestation_key", q.attestation_key, 64);
                tool_json_add_int(sig, "certification_data_type", q.cert_type);
                tool_json_add_int(sig, "certification_data_size", q.cert_size);
                if (q.has_qe_report) {
                        tool_json_add_hex(sig, "qe_report", q.qe_report, 384);
                        tool_json_add_hex(sig, "qe_report_signature", q.qe_report_signature, 64);
                        tool_json_add_int(sig, "qe_auth_data_size", q.qe_auth_size);
                        tool_json_add_int(sig, "pck_cert_data_type", q.pck_cert_type);
                        tool_json_add_int(sig, "pck_cert_data_size", q.pck_cert_size);
                }
                if (have_chain) {
                        json_object *ca = json_object_new_array();

                        for (size_t i = 0; i < chain.n_certs; i++) {
                                json_object *ce = json_object_new_object();

                                tool_json_add_str(ce, "subject", chain.certs[i].subject);
                                tool_json_add_str(ce, "issuer", chain.certs[i].issuer);
                                tool_json_add_str(ce, "not_before", chain.certs[i].not_before);
                                tool_json_add_str(ce, "not_after", chain.certs[i].not_after);
                                json_object_array_add(ca, ce);
                        }
                        json_object_object_add(sig, "pck_chain", ca);
                        if (chain.has_fmspc)
                                tool_json_add_hex(sig, "fmspc", chain.fmspc, 6);
                        if (chain.has_platform_instance_id)
                                tool_json_add_hex(sig, "platform_instance_id_der", chain.platform_instance_id, 16);
                        if (chain.sgx_type >= 0)
                                tool_json_add_int(sig, "sgx_type", chain.sgx_type);
                }
                json_object_object_add(o, "signature_data", sig);
                tool_json_add_int(o, "trailing_bytes", (int64_t)q.trailing_bytes);
                tool_json_add_bool(o, "signature_verified", false);
                if (any) {
                        json_object *m = json_object_new_array();

                        for (size_t i = 0; i < nf; i++)
                                if (mis & (1u << i))
                                        json_object_array_add(m, json_object_new_string(f[i].claim));
                        json_object_object_add(o, "mismatches", m);
                        tool_json_add_bool(o, "expectations_met", mis == 0);
                }
                tool_json_print(o);
        } else {
                char hex[2 * 64 + 1];

                printf("TDX quote v%u%s, att_key_type %u, tee_type 0x%x, qe_svn %u, pce_svn %u\n", q.version,
                       q.version == 5 ? (q.tdx15 ? " (body type 3, TDX 1.5)" : " (body type 2, TDX 1.0)") : "",
                       q.att_key_type, q.tee_type, q.qe_svn, q.pce_svn);
                for (size_t i = 4; i < nf; i++)
                        printf("  %-18s %s%s\n", f[i].name, ct_hex_encode(f[i].value, f[i].len, hex),
                               (mis & (1u << i)) ? "   <- differs" : "");
                printf("  td_attributes:     debug=%s septve_disable=%s protection_keys=%s key_locker=%s "
                       "perfmon=%s\n",
                       ta.debug ? "yes" : "no", ta.septve_disable ? "yes" : "no", ta.protection_keys ? "yes" : "no",
                       ta.key_locker ? "yes" : "no", ta.perfmon ? "yes" : "no");
                printf("  signature data:    %u bytes at 0x%llx, certification data type %u (%u bytes)\n",
                       q.sig_data_len, (ull)q.sig_data_offset, q.cert_type, q.cert_size);
                if (have_chain) {
                        printf("  PCK chain:         %zu certificates\n", chain.n_certs);
                        for (size_t i = 0; i < chain.n_certs; i++)
                                printf("    %s (until %s)\n", chain.certs[i].subject, chain.certs[i].not_after);
                }
                printf("  signature:         NOT verified (DCAP verification is out of scope)\n");
        }
        if (mis) {
                fprintf(stderr, "%s: %s: %s\n", program_name, path, err.msg);
                return EXIT_VERIFY_FAILED;
        }
        return 0;
}

int tdx_verb_measure(int argc, char **argv);
int tdx_verb_acpi_dump(int argc, char **argv);

static const struct tool_verb verbs[] = {
        { "acpi-dump", "--kernel K --vcpus N --memory M [--qemu-args A] -o DIR", tdx_verb_acpi_dump, "QEMU's ACPI fw_cfg blobs from a TCG boot (for measure --acpi-dir)" },
        { "measure", "--firmware OVMF.fd [--kernel K --initrd I --append C] [OPTIONS]", tdx_verb_measure,
          "MRTD and RTMR 0-2 of QEMU direct boot, every variant as a switch, tables" },
        { "metadata", "[--json] FIRMWARE", verb_metadata, "TDVF metadata sections and MRTD of a firmware image" },
        { "quote", "[OPTIONS] QUOTE", verb_quote, "parse a TDX quote v4/v5 (Trustee claim names), check expectations" },
};

const struct tool_area tool_area_tdx = { "tdx", "Intel TDX: MRTD / RTMR reference values, TDVF metadata, quotes",
                                         verbs, sizeof(verbs) / sizeof(verbs[0]) };
