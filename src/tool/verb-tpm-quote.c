/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust tpm quote verify / tpm evidence verify — TPM 2.0 quotes (tpm2_checkquote 5.8) and Trustee TPM evidence. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/evidence.h>
#include <cocotrust/pcr.h>

#include "evidence-tool.h"

int tool_tpm_quote(int argc, char **argv);
int tool_tpm_evidence(int argc, char **argv);

static void help_quote(void)
{
        printf("Usage: %s tpm quote verify --quote MSG --signature SIG --ak-pub PUB [--nonce HEX] [--pcrs FILE] [--json]\n\n"
               "Verify a TPM 2.0 quote as tpm2_checkquote 5.8 does: the TPMS_ATTEST magic AND its type\n"
               "(TPM_ST_ATTEST_QUOTE; Debian's tpm2_checkquote 5.4 does not check the type,\n"
               "GHSA-gwfg-w3jr-xh66), the signature (RSASSA, RSAPSS or ECDSA) with the AK, the\n"
               "qualifying data (extraData) against --nonce, the PCR selection against the PCRs given\n"
               "(equal: nothing missing, nothing extra) and the PCR digest over their values.\n\n"
               "Options (tpm2_checkquote's short names work too):\n"
               "  -m, --quote MSG      TPMS_ATTEST (tpm2_quote -m)\n"
               "  -s, --signature SIG  TPMT_SIGNATURE (tpm2_quote -s)\n"
               "  -u, --ak-pub PUB     the AK: PEM, DER SubjectPublicKeyInfo or TPM2B_PUBLIC (tpm2_createak -u)\n"
               "  -q, --nonce HEX      expected qualifying data\n"
               "  -f, --pcrs FILE      PCR values: tpm2_quote -o (serialized), tpm2_pcrread / tpm2_quote YAML,\n"
               "                       or cocotrust PCR-set JSON\n"
               "      --json           JSON output (schema_version 1)\n"
               "  -h, --help           this help\n\n"
               "Example:\n"
               "  tpm2_quote -c ak.ctx -l sha256:0,1,8 -q 0badc0de -m q.msg -s q.sig -o q.pcrs\n"
               "  %s tpm quote verify -m q.msg -s q.sig -u ak.pub -q 0badc0de -f q.pcrs\n\n"
               "Exit status: 0 every check holds, 1 a check failed (all listed), 2 unreadable input\n"
               "(the field and offset named), 3 I/O error.\n",
               program_name, program_name);
}

static int read_all(const char *path, size_t max, uint8_t **buf, size_t *len)
{
        return tool_read_input(path, max, buf, len);
}

static int load_key(const char *path, ct_tpm_key **key)
{
        uint8_t *buf;
        size_t len;
        ct_error err;
        int rc = read_all(path, CT_TPM_MAX_KEY_FILE, &buf, &len);

        if (rc != EXIT_OK)
                return rc;
        if (ct_tpm_key_parse(buf, len, key, &err) != CT_OK)
                rc = tool_fail(&err, path);
        free(buf);
        return rc;
}

/* tpm2-tools' serialized PCR file has an exact size: 4 + 16*8 + 4 + k * (4 + 8*66). */
static int load_pcrs(const char *path, ct_pcr_set *set)
{
        uint8_t *buf;
        size_t len;
        ct_error err;
        int rc = read_all(path, CT_PCR_MAX_FILE_SIZE, &buf, &len);

        if (rc != EXIT_OK)
                return rc;
        if (len >= 136 && (len - 136) % 532 == 0 && buf[0] <= CT_TPM_MAX_BANKS && buf[1] == 0) {
                if (ct_tpm_pcrs_parse_serialized(buf, len, set, &err) != CT_OK)
                        rc = tool_fail(&err, path);
        } else if (ct_pcr_set_parse_text((const char *)buf, len, CT_PCR_FORMAT_AUTO, set, &err) != CT_OK) {
                rc = tool_fail(&err, path);
        }
        free(buf);
        return rc;
}

static bool parse_nonce(const char *opt, const char *text, uint8_t *out, size_t *len)
{
        ct_error err;

        if (ct_hex_decode(text, out, 64, len, &err) != CT_OK) {
                tool_usage("%s: expected up to 64 bytes of hex, got '%s'", opt, text);
                return false;
        }
        return true;
}

static json_object *attest_json(const ct_tpm_attest *a, const ct_tpm_signature *s)
{
        json_object *o = json_object_new_object(), *sel = json_object_new_array(), *sg;
        char hx[24];

        snprintf(hx, sizeof(hx), "0x%08x", a->magic);
        tool_json_add_str(o, "magic", hx);
        snprintf(hx, sizeof(hx), "0x%04x", a->type);
        tool_json_add_str(o, "type", hx);
        tool_json_add_hex(o, "qualified_signer", a->signer, a->signer_len);
        tool_json_add_hex(o, "extra_data", a->extra, a->extra_len);
        tool_json_add_int(o, "clock", (int64_t)a->clock);
        tool_json_add_int(o, "reset_count", a->reset_count);
        tool_json_add_int(o, "restart_count", a->restart_count);
        tool_json_add_bool(o, "safe", a->safe);
        snprintf(hx, sizeof(hx), "%016llx", (unsigned long long)a->firmware_version);
        tool_json_add_str(o, "firmware_version", hx);
        for (uint32_t b = 0; b < a->n_sel; b++) {
                json_object *e = json_object_new_object(), *idx = json_object_new_array();
                ct_hash_alg alg = ct_hash_from_tcg_id(a->sel[b].hash);

                tool_json_add_str(e, "bank", alg ? ct_hash_name(alg) : NULL);
                for (unsigned i = 0; i < 8u * a->sel[b].size; i++)
                        if (a->sel[b].select[i / 8] & (1u << (i % 8)))
                                json_object_array_add(idx, json_object_new_int((int)i));
                json_object_object_add(e, "pcrs", idx);
                json_object_array_add(sel, e);
        }
        json_object_object_add(o, "pcr_selection", sel);
        tool_json_add_hex(o, "pcr_digest", a->pcr_digest, a->pcr_digest_len);
        sg = json_object_new_object();
        tool_json_add_str(sg, "alg", s->alg == CT_TPM_ALG_RSASSA ? "rsassa" : s->alg == CT_TPM_ALG_RSAPSS ? "rsapss"
                                      : "ecdsa");
        tool_json_add_str(sg, "hash", ct_hash_from_tcg_id(s->hash) ? ct_hash_name(ct_hash_from_tcg_id(s->hash)) : NULL);
        json_object_object_add(o, "signature", sg);
        return o;
}

static int cmd_quote_verify(int argc, char **argv)
{
        struct tool_cmd cmd = TOOL_CMD("tpm quote verify", help_quote);
        static const struct option opts[] = {
                { "quote", required_argument, NULL, 'm' },
                { "message", required_argument, NULL, 'm' },
                { "signature", required_argument, NULL, 's' },
                { "ak-pub", required_argument, NULL, 'u' },
                { "public", required_argument, NULL, 'u' },
                { "nonce", required_argument, NULL, 'q' },
                { "qualification", required_argument, NULL, 'q' },
                { "pcrs", required_argument, NULL, 'f' },
                { "pcr", required_argument, NULL, 'f' },
                { NULL, 0, NULL, 0 },
        };
        const char *msg_path = NULL, *sig_path = NULL, *ak_path = NULL, *pcr_path = NULL;
        ct_tpm_quote_opts qo;
        ct_tpm_quote_result *res = NULL;
        ct_pcr_set *set = NULL;
        ct_tpm_key *key = NULL;
        uint8_t *msg = NULL, *sig = NULL;
        size_t msg_len = 0, sig_len = 0;
        ct_error err;
        int c, rc = EXIT_OK;

        memset(&qo, 0, sizeof(qo));
        while ((c = tool_getopt(&cmd, argc, argv, "m:s:u:q:f:", opts)) != -1) {
                switch (c) {
                case 'm': msg_path = optarg; break;
                case 's': sig_path = optarg; break;
                case 'u': ak_path = optarg; break;
                case 'q':
                        qo.has_nonce = true;
                        if (!parse_nonce("--nonce", optarg, qo.nonce, &qo.nonce_len))
                                return EXIT_BAD_INPUT;
                        break;
                case 'f': pcr_path = optarg; break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (!msg_path || !sig_path || !ak_path || optind != argc)
                return tool_usage("tpm quote verify: give --quote MSG --signature SIG --ak-pub PUB (see --help)");
        res = malloc(sizeof(*res));
        set = malloc(sizeof(*set));
        if (!res || !set) {
                rc = tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
                goto out;
        }
        if ((rc = load_key(ak_path, &key)) != EXIT_OK ||
            (rc = read_all(msg_path, CT_TPM_MAX_ATTEST, &msg, &msg_len)) != EXIT_OK ||
            (rc = read_all(sig_path, 4096, &sig, &sig_len)) != EXIT_OK)
                goto out;
        if (pcr_path) {
                ct_pcr_set_init(set);
                if ((rc = load_pcrs(pcr_path, set)) != EXIT_OK)
                        goto out;
                qo.pcrs = set;
        }
        if (ct_tpm_quote_verify(msg, msg_len, sig, sig_len, key, &qo, res, &err) != CT_OK) {
                rc = tool_fail(&err, err.msg[0] == 'T' && strncmp(err.msg, "TPMT", 4) == 0 ? sig_path : msg_path);
                goto out;
        }
        if (cmd.json) {
                json_object *o = tool_json_new();

                tool_json_add_bool(o, "ok", res->ok);
                json_object_object_add(o, "attest", attest_json(&res->attest, &res->sig));
                json_object_object_add(o, "checks", tool_checks_json(&res->checks));
                tool_json_print(o);
        } else {
                printf("%s: TPM quote, %s signature\n", msg_path,
                       res->sig.alg == CT_TPM_ALG_RSASSA ? "RSASSA" : res->sig.alg == CT_TPM_ALG_RSAPSS ? "RSAPSS"
                                                                                                    : "ECDSA");
                tool_print_checks(&res->checks);
        }
        rc = res->ok ? EXIT_OK : EXIT_VERIFY_FAILED;
out:
        free(msg);
        free(sig);
        free(res);
        free(set);
        ct_tpm_key_free(key);
        return rc;
}

static void help_evidence(void)
{
        printf("Usage: %s tpm evidence verify FILE.json [--report-data HEX] [--init-data-digest HEX] [--json]\n\n"
               "Verify Trustee's `tpm` TEE evidence ({\"ak_public\", \"tpm_quote\": {\"message\", \"signature\",\n"
               "\"pcrs\"}}): the quote with the AK (RSASSA only, as Trustee), the PCR digest over the 24\n"
               "SHA-256 PCRs, the nonce, and the init-data binding PCR 8 = SHA-256(32 zero bytes || digest).\n"
               "Prints Trustee's claims: init_data (PCR 8), report_data (extraData), pcr00..pcr23.\n\n"
               "Options:\n"
               "      --report-data HEX       expected nonce: equal to extraData, or equal once resized\n"
               "                              to 32 bytes (Trustee's rule)\n"
               "      --init-data-digest HEX  SHA-256 init-data digest (padded / truncated to 32 bytes)\n"
               "      --json                  JSON output (schema_version 1)\n"
               "  -h, --help                  this help\n\n"
               "Exit status: 0 every check holds, 1 a check failed, 2 unreadable evidence, 3 I/O error.\n",
               program_name);
}

static int cmd_evidence_verify(int argc, char **argv)
{
        struct tool_cmd cmd = TOOL_CMD("tpm evidence verify", help_evidence);
        enum { OPT_RDATA = 256, OPT_INIT };
        static const struct option opts[] = {
                { "report-data", required_argument, NULL, OPT_RDATA },
                { "nonce", required_argument, NULL, OPT_RDATA },
                { "init-data-digest", required_argument, NULL, OPT_INIT },
                { NULL, 0, NULL, 0 },
        };
        ct_tpm_evidence_opts eo;
        ct_tpm_evidence_result *res;
        uint8_t *buf = NULL, tmp[64];
        size_t len = 0, n;
        ct_error err;
        int c, rc;

        memset(&eo, 0, sizeof(eo));
        while ((c = tool_getopt(&cmd, argc, argv, "", opts)) != -1) {
                switch (c) {
                case OPT_RDATA:
                        eo.has_report_data = true;
                        if (!parse_nonce("--report-data", optarg, eo.report_data, &eo.report_data_len))
                                return EXIT_BAD_INPUT;
                        break;
                case OPT_INIT:
                        eo.has_init_data_digest = true;
                        if (!parse_nonce("--init-data-digest", optarg, tmp, &n))
                                return EXIT_BAD_INPUT;
                        memset(eo.init_data_digest, 0, 32);
                        memcpy(eo.init_data_digest, tmp, n < 32 ? n : 32);
                        break;
                }
        }
        if (cmd.done)
                return cmd.status;
        if (optind + 1 != argc)
                return tool_usage("tpm evidence verify: give one FILE.json (see --help)");
        res = malloc(sizeof(*res));
        if (!res)
                return tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
        rc = read_all(argv[optind], CT_MAX_TPM_EVIDENCE_JSON, &buf, &len);
        if (rc == EXIT_OK && ct_tpm_evidence_verify(buf, len, &eo, res, &err) != CT_OK)
                rc = tool_fail(&err, argv[optind]);
        if (rc == EXIT_OK) {
                char key[8], hx[129];

                if (cmd.json) {
                        json_object *o = tool_json_new(), *cl = json_object_new_object();

                        tool_json_add_bool(o, "ok", res->quote.ok);
                        tool_json_add_str(o, "ak", res->ak_desc);
                        tool_json_add_hex(cl, "init_data", res->pcrs[8], 32);
                        tool_json_add_hex(cl, "report_data", res->quote.attest.extra, res->quote.attest.extra_len);
                        for (int i = 0; i < 24; i++) {
                                snprintf(key, sizeof(key), "pcr%02d", i);
                                tool_json_add_hex(cl, key, res->pcrs[i], 32);
                        }
                        json_object_object_add(o, "claims", cl);
                        json_object_object_add(o, "attest", attest_json(&res->quote.attest, &res->quote.sig));
                        json_object_object_add(o, "checks", tool_checks_json(&res->quote.checks));
                        tool_json_print(o);
                } else {
                        printf("%s: Trustee TPM evidence, AK %s\n", argv[optind], res->ak_desc);
                        printf("  init_data    %s\n", ct_hex_encode(res->pcrs[8], 32, hx));
                        printf("  report_data  %s\n", ct_hex_encode(res->quote.attest.extra,
                                                                    res->quote.attest.extra_len, hx));
                        tool_print_checks(&res->quote.checks);
                }
                rc = res->quote.ok ? EXIT_OK : EXIT_VERIFY_FAILED;
        }
        free(buf);
        free(res);
        return rc;
}

int tool_tpm_quote(int argc, char **argv)
{
        static const struct tool_verb sub[] = {
                { "verify", "-m MSG -s SIG -u PUB [-q HEX] [-f PCRS]", cmd_quote_verify,
                  "verify a TPM 2.0 quote (tpm2_checkquote 5.8 semantics)" },
        };

        return tool_subverb(argc, argv, "tpm quote", sub, 1);
}

int tool_tpm_evidence(int argc, char **argv)
{
        static const struct tool_verb sub[] = {
                { "verify", "FILE.json [--report-data HEX] [--init-data-digest HEX]", cmd_evidence_verify,
                  "verify Trustee's TPM evidence JSON" },
        };

        return tool_subverb(argc, argv, "tpm evidence", sub, 1);
}
