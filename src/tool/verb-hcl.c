/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust hcl report show|verify — Azure CVM HCL reports (SNP report or TDREPORT + runtime claims + vTPM AK). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/evidence.h>
#include <cocotrust/hash.h>
#include <cocotrust/pcr.h>

#include "evidence-tool.h"

/* The HCL report of FILE: the binary itself, or the one inside Trustee's az-*-vtpm evidence JSON. */
struct hcl_input {
        ct_hcl_report *h;
        ct_az_evidence ev;
        bool from_json;
};

static int load_hcl(const char *file, struct hcl_input *in)
{
        uint8_t *buf;
        size_t len, i = 0;
        ct_error err;
        int rc = tool_read_input(file, 4 * CT_MAX_HCL_REPORT, &buf, &len);

        memset(in, 0, sizeof(*in));
        if (rc != EXIT_OK)
                return rc;
        while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r'))
                i++;
        if (i < len && buf[i] == '{') {
                if (ct_az_evidence_parse(buf, len, &in->ev, &err) != CT_OK) {
                        free(buf);
                        return tool_fail(&err, file);
                }
                in->from_json = true;
                if (ct_hcl_report_parse(in->ev.hcl, in->ev.hcl_len, &in->h, &err) != CT_OK)
                        rc = tool_fail(&err, file);
        } else if (ct_hcl_report_parse(buf, len, &in->h, &err) != CT_OK) {
                rc = tool_fail(&err, file);
        }
        free(buf);
        return rc;
}

static void free_hcl(struct hcl_input *in)
{
        ct_hcl_report_free(in->h);
        ct_az_evidence_clear(&in->ev);
}

static const char *hash_name(uint32_t t)
{
        return t == 1 ? "sha256" : t == 2 ? "sha384" : t == 3 ? "sha512" : "invalid";
}

static const struct tool_hex_field td_hex_fields[] = {
        TOOL_HEX_FIELD(ct_tdreport, report_type), TOOL_HEX_FIELD(ct_tdreport, cpu_svn),
        TOOL_HEX_FIELD(ct_tdreport, report_data), TOOL_HEX_FIELD(ct_tdreport, attributes),
        TOOL_HEX_FIELD(ct_tdreport, xfam),        TOOL_HEX_FIELD(ct_tdreport, mrtd),
        TOOL_HEX_FIELD(ct_tdreport, mrconfigid),  TOOL_HEX_FIELD(ct_tdreport, mrowner),
        TOOL_HEX_FIELD(ct_tdreport, mrownerconfig),
};

static json_object *td_json(const ct_tdreport *t)
{
        json_object *o = json_object_new_object(), *a = json_object_new_array();

        tool_json_add_hex_fields(o, t, td_hex_fields, sizeof(td_hex_fields) / sizeof(td_hex_fields[0]));
        for (int i = 0; i < 4; i++) {
                char hx[97];

                json_object_array_add(a, json_object_new_string(ct_hex_encode(t->rtmr[i], 48, hx)));
        }
        json_object_object_add(o, "rtmr", a);
        return o;
}

static json_object *hcl_json(const ct_hcl_report *h)
{
        json_object *o = json_object_new_object(), *p = json_object_new_object();
        char pem[2048];

        tool_json_add_str(p, "signature", "HCLA");
        tool_json_add_int(p, "version", h->version);
        tool_json_add_int(p, "report_size", h->report_size);
        tool_json_add_int(p, "request_type", h->request_type);
        tool_json_add_int(p, "status", h->status);
        json_object_object_add(o, "header", p);
        p = json_object_new_object();
        tool_json_add_int(p, "data_size", h->data_size);
        tool_json_add_int(p, "version", h->igvm_version);
        tool_json_add_str(p, "report_type", h->report_type == 2 ? "SNP" : h->report_type == 4 ? "TDX" : "unknown");
        tool_json_add_str(p, "report_data_hash_type", hash_name(h->hash_type));
        tool_json_add_int(p, "variable_data_size", h->var_size);
        json_object_object_add(o, "igvm_request_data", p);
        if (h->is_snp)
                json_object_object_add(o, "snp_report", tool_snp_report_json(json_object_new_object(), &h->snp));
        else if (h->report_type == CT_HCL_REPORT_TDX)
                json_object_object_add(o, "tdreport", td_json(&h->td));
        json_object_object_add(o, "runtime_claims",
                               h->claims_parse ? json_tokener_parse((const char *)h->var_data) : NULL);
        if (h->ak && ct_tpm_key_pem(h->ak, pem, sizeof(pem), NULL) == CT_OK)
                tool_json_add_str(o, "ak_pub_pem", pem);
        else
                tool_json_add_str(o, "ak_pub_pem", NULL);
        return o;
}

static void help_show(void)
{
        printf("Usage: %s hcl report show [--json] [--ak-pem] FILE\n\n"
               "Decode an Azure CVM HCL report (the bytes of vTPM NV index 0x01400001, or Trustee's\n"
               "az-snp-vtpm / az-tdx-vtpm evidence JSON that carries one): header, IGVM request data,\n"
               "the embedded SNP report (every field, as 'snp report show') or TDREPORT, the runtime\n"
               "claims JSON and the vTPM AK (HCLAkPub JWK) as PEM.\n\n"
               "Options:\n"
               "      --ak-pem   print only the AK public key (PEM), e.g. for 'tpm quote verify -u'\n"
               "      --json     JSON output (schema_version 1)\n"
               "  -h, --help     this help\n\n"
               "Exit status: 0 ok, 2 unreadable report (the field and offset named), 3 I/O error.\n",
               program_name);
}

static int cmd_show(int argc, char **argv)
{
        enum { OPT_PEM = 256 };
        static const struct option opts[] = {
                { "ak-pem", no_argument, NULL, OPT_PEM },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("hcl report show", help_show);
        struct hcl_input in;
        bool pem_only = false;
        char pem[2048], hx[129];
        int c, rc;

        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case OPT_PEM: pem_only = true; break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (optind + 1 != argc)
                return tool_usage("hcl report show: give one FILE (see --help)");
        if ((rc = load_hcl(argv[optind], &in)) != EXIT_OK) {
                free_hcl(&in);
                return rc;
        }
        const ct_hcl_report *h = in.h;
        if (pem_only) {
                if (!h->ak || ct_tpm_key_pem(h->ak, pem, sizeof(pem), NULL) != CT_OK)
                        rc = tool_errorf(EXIT_BAD_INPUT, "%s: %s: no HCLAkPub RSA key in the runtime claims",
                                         program_name, argv[optind]);
                else
                        fputs(pem, stdout);
        } else if (cmd.json) {
                json_object *o = tool_json_new();

                json_object_object_add(o, "hcl_report", hcl_json(h));
                tool_json_print(o);
        } else {
                printf("%-22s HCLA version %u, report_size %u, request_type %u, status %u\n", "header", h->version,
                       h->report_size, h->request_type, h->status);
                printf("%-22s %s, report_data_hash_type %s, %u bytes of runtime claims at 0x4d4\n", "igvm_request_data",
                       h->report_type == 2 ? "SNP" : h->report_type == 4 ? "TDX" : "unknown", hash_name(h->hash_type),
                       h->var_size);
                if (h->is_snp) {
                        printf("%-22s v%u, %s, vmpl %u\n", "snp_report", h->snp.version,
                               ct_snp_product_name(h->snp.product), h->snp.vmpl);
                        printf("%-22s %s\n", "snp.measurement", ct_hex_encode(h->snp.measurement, 48, hx));
                        printf("%-22s %s\n", "snp.report_data", ct_hex_encode(h->snp.report_data, 64, hx));
                } else if (h->report_type == CT_HCL_REPORT_TDX) {
                        printf("%-22s %s\n", "td.mrtd", ct_hex_encode(h->td.mrtd, 48, hx));
                        for (int i = 0; i < 4; i++)
                                printf("td.rtmr%d%-15s %s\n", i, "", ct_hex_encode(h->td.rtmr[i], 48, hx));
                        printf("%-22s %s\n", "td.report_data", ct_hex_encode(h->td.report_data, 64, hx));
                }
                printf("%-22s %s\n", "user-data", h->user_data[0] ? h->user_data : "(none)");
                printf("runtime claims:\n%.*s\n", (int)h->var_size, h->claims_parse ? (const char *)h->var_data : "(not JSON)");
                if (h->ak && ct_tpm_key_pem(h->ak, pem, sizeof(pem), NULL) == CT_OK)
                        printf("HCLAkPub:\n%s", pem);
        }
        free_hcl(&in);
        return rc;
}

static void help_verify(void)
{
        printf("Usage: %s hcl report verify FILE [--user-data HEX] [--snp-verify SNP-OPTIONS...]\n"
               "                                  [--quote MSG --signature SIG [--nonce HEX] [--pcrs FILE]] [--json]\n\n"
               "Verify an Azure CVM HCL report: \"HCLA\", the report type, the hash of the runtime claims\n"
               "(report_data_hash_type: SHA-256, SHA-384, SHA-512) against REPORTDATA, the runtime claims\n"
               "JSON and its HCLAkPub, VMPL 0 (SNP), and the expected user-data. FILE may also be\n"
               "Trustee's az-snp-vtpm / az-tdx-vtpm evidence JSON: its TPM quote is then checked with the\n"
               "AK and its 24 PCRs, and its VCEK is used by --snp-verify.\n\n"
               "Options:\n"
               "      --user-data HEX      expected runtime claims user-data (compared case-insensitively)\n"
               "      --snp-verify         verify the embedded SNP report as 'snp report verify' does; takes\n"
               "                           its options: --certs --vcek --ca --crl --product --at --measurement\n"
               "                           --host-data --report-data --id-key-digest --author-key-digest --vmpl\n"
               "                           --policy-no-debug --policy-no-migrate --min-tcb --min-launch-tcb\n"
               "                           --min-mit-vector\n"
               "      --quote MSG, --signature SIG   a vTPM quote (TPMS_ATTEST; TPMT_SIGNATURE or a bare\n"
               "                           RSASSA signature) checked with HCLAkPub\n"
               "      --nonce HEX          expected quote extraData\n"
               "      --pcrs FILE          PCR values for the quote (as 'tpm quote verify --pcrs')\n"
               "      --json               JSON output (schema_version 1)\n"
               "  -h, --help               this help\n\n"
               "Example:\n"
               "  %s hcl report verify hcl-report.bin --snp-verify --certs ./certs --measurement 5b0c...\n\n"
               "Exit status: 0 every check holds, 1 a check failed (all listed), 2 unreadable input, 3 I/O.\n",
               program_name, program_name);
}

static int cmd_verify(int argc, char **argv)
{
        struct tool_cmd cmd = TOOL_CMD("hcl report verify", help_verify);
        enum { OPT_USER = 256, OPT_SNP, OPT_QUOTE, OPT_SIG, OPT_NONCE, OPT_PCRS };
        static const struct option own[] = {
                { "user-data", required_argument, NULL, OPT_USER },
                { "snp-verify", no_argument, NULL, OPT_SNP },
                { "quote", required_argument, NULL, OPT_QUOTE },
                { "signature", required_argument, NULL, OPT_SIG },
                { "nonce", required_argument, NULL, OPT_NONCE },
                { "pcrs", required_argument, NULL, OPT_PCRS },
        };
        struct option opts[sizeof(own) / sizeof(own[0]) + TOOL_SNP_OPTS_ROOM];
        struct tool_snp_cli snp;
        struct hcl_input in;
        ct_hcl_verify_opts ho;
        ct_tpm_quote_opts qo;
        ct_hcl_verify_result *res = NULL;
        ct_pcr_set *set = NULL;
        const char *quote_path = NULL, *sig_path = NULL, *pcr_path = NULL;
        uint8_t *quote = NULL, *sig = NULL;
        size_t quote_len = 0, sig_len = 0;
        ct_error err;
        int c, rc;

        memset(&ho, 0, sizeof(ho));
        memset(&qo, 0, sizeof(qo));
        memset(&in, 0, sizeof(in));
        if ((rc = tool_snp_cli_setup(&snp, opts, own, sizeof(own) / sizeof(own[0]))) != EXIT_OK)
                return rc;
        while (rc == EXIT_OK && (c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case OPT_USER:
                        ho.has_user_data = true;
                        if (ct_hex_decode(optarg, ho.user_data, sizeof(ho.user_data), &ho.user_data_len, &err) != CT_OK)
                                rc = tool_usage("hcl report verify: --user-data: up to 64 bytes of hex, got '%s'", optarg);
                        break;
                case OPT_SNP: ho.snp_verify = true; break;
                case OPT_QUOTE: quote_path = optarg; break;
                case OPT_SIG: sig_path = optarg; break;
                case OPT_NONCE:
                        qo.has_nonce = true;
                        if (ct_hex_decode(optarg, qo.nonce, sizeof(qo.nonce), &qo.nonce_len, &err) != CT_OK)
                                rc = tool_usage("hcl report verify: --nonce: up to 64 bytes of hex, got '%s'", optarg);
                        break;
                case OPT_PCRS: pcr_path = optarg; break;
                default:
                        rc = tool_snp_cli_other(&snp, c, optarg);
                        break;
                }
        }
        if ((rc = tool_cmd_status(&cmd, rc)) != EXIT_OK || cmd.done)
                goto out;
        if (optind + 1 != argc || !quote_path != !sig_path) {
                rc = tool_usage("hcl report verify: give one FILE, and --quote with --signature (see --help)");
                goto out;
        }
        if ((rc = load_hcl(argv[optind], &in)) != EXIT_OK)
                goto out;
        res = malloc(sizeof(*res));
        set = malloc(sizeof(*set));
        if (!res || !set) {
                rc = tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
                goto out;
        }
        ct_pcr_set_init(set);
        if (quote_path) {
                if ((rc = tool_read_input(quote_path, CT_TPM_MAX_ATTEST, &quote, &quote_len)) != EXIT_OK ||
                    (rc = tool_read_input(sig_path, 4096, &sig, &sig_len)) != EXIT_OK)
                        goto out;
                ho.quote = quote, ho.quote_len = quote_len, ho.sig = sig, ho.sig_len = sig_len;
        } else if (in.from_json && in.ev.quote) {
                ho.quote = in.ev.quote, ho.quote_len = in.ev.quote_len, ho.sig = in.ev.sig, ho.sig_len = in.ev.sig_len;
                for (size_t i = 0; i < in.ev.n_pcrs; i++) {
                        ct_digest d;

                        ct_digest_from_bytes(&d, CT_HASH_SHA256, in.ev.pcrs[i], 32);
                        ct_pcr_set_put(set, (unsigned)i, &d, NULL);
                }
                if (in.ev.n_pcrs && !pcr_path)
                        qo.pcrs = set;
        }
        if (pcr_path) {
                uint8_t *pb;
                size_t pl;

                if ((rc = tool_read_input(pcr_path, CT_PCR_MAX_FILE_SIZE, &pb, &pl)) != EXIT_OK)
                        goto out;
                if (ct_pcr_set_parse_text((const char *)pb, pl, CT_PCR_FORMAT_AUTO, set, &err) != CT_OK)
                        rc = tool_fail(&err, pcr_path);
                free(pb);
                if (rc != EXIT_OK)
                        goto out;
                qo.pcrs = set;
        }
        if (ho.snp_verify && in.from_json && in.ev.vcek &&
            ct_snp_verifier_add_certs(snp.v, in.ev.vcek, in.ev.vcek_len, "evidence vcek", &err) != CT_OK) {
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        ho.snp_verifier = snp.v;
        ho.snp_opts = &snp.o;
        ho.quote_opts = &qo;
        if (ct_hcl_verify(in.h, &ho, res, &err) != CT_OK) {
                rc = tool_fail(&err, quote_path ? quote_path : argv[optind]);
                goto out;
        }
        if (cmd.json) {
                json_object *o = tool_json_new();

                tool_json_add_str(o, "file", argv[optind]);
                tool_json_add_bool(o, "ok", res->ok);
                json_object_object_add(o, "checks", tool_checks_json(&res->checks));
                json_object_object_add(o, "hcl_report", hcl_json(in.h));
                tool_json_print(o);
        } else {
                printf("%s: HCL report (%s)%s\n", argv[optind], in.h->is_snp ? "SNP" : "TDX",
                       in.from_json ? ", from Trustee evidence JSON" : "");
                tool_print_checks(&res->checks);
        }
        rc = res->ok ? EXIT_OK : EXIT_VERIFY_FAILED;
out:
        free_hcl(&in);
        tool_snp_cli_free(&snp);
        free(quote);
        free(sig);
        free(res);
        free(set);
        return rc;
}

static int verb_report(int argc, char **argv)
{
        static const struct tool_verb sub[] = {
                { "show", "[--json] [--ak-pem] FILE", cmd_show, "decode an HCL report" },
                { "verify", "FILE [--snp-verify ...] [--quote Q --signature S]", cmd_verify,
                  "runtime-claims binding, AK, embedded SNP report, vTPM quote" },
        };

        return tool_subverb(argc, argv, "hcl report", sub, 2);
}

static const struct tool_verb verbs[] = {
        { "report", "show|verify FILE [OPTIONS]", verb_report,
          "Azure CVM HCL report: embedded SNP report / TDREPORT, runtime claims, vTPM AK" },
};

const struct tool_area tool_area_hcl = { "hcl", "Azure CVM HCL reports (vTPM attestation)", verbs,
                                         sizeof(verbs) / sizeof(verbs[0]) };
