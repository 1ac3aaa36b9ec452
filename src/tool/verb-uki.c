/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust uki measure — PCR 11 of a Unified Kernel Image, from its parts
 * (systemd-measure calculate compatible output) or from a built UKI file.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/pe.h>
#include <cocotrust/uki.h>

#include "tool.h"

#define MAX_PHASES 64
#define MAX_PART_SIZE 0xffffffffull /* a PE section is at most 4 GiB */

enum json_mode { JSON_OFF, JSON_SHORT, JSON_PRETTY, JSON_SCHEMA };

static void help_measure(void)
{
        printf("Usage: %s uki measure [OPTIONS] [UKI.efi]\n\n"
               "Predict PCR 11 as systemd-stub measures a Unified Kernel Image, either from its parts\n"
               "(the options of 'systemd-measure calculate', same output as systemd-measure 252) or\n"
               "from a built UKI file (sections located with the stub version's lookup rules).\n\n"
               "Parts (each a file; empty files are skipped, as systemd-measure does):\n"
               "      --linux=FILE      .linux (kernel)           --osrel=FILE    .osrel\n"
               "      --cmdline=FILE    .cmdline                  --initrd=FILE   .initrd\n"
               "      --ucode=FILE      .ucode (257)              --splash=FILE   .splash\n"
               "      --dtb=FILE        .dtb                      --uname=FILE    .uname (254, 257)\n"
               "      --sbat=FILE       .sbat (254, 257)          --pcrpkey=FILE  .pcrpkey\n"
               "      --profile=FILE    .profile (257)\n\n"
               "Options:\n"
               "      --bank=ALG        sha1, sha256, sha384, sha512; repeatable (default: all four)\n"
               "      --phase=A:B:C     boot phase path; repeatable; ':' means no phase word at all\n"
               "                        (default: enter-initrd, +leave-initrd, +sysinit, +ready)\n"
               "      --json=MODE       pretty, short or off: systemd-measure's JSON\n"
               "  -j                    pretty on a terminal, else short\n"
               "      --json            cocotrust JSON (schema_version 1) with every extend step\n"
               "      --stub-version=V  systemd-stub rules: 252 (default for parts), 254, 257;\n"
               "                        for a UKI file detected from its .sdmagic section\n"
               "      --uki-profile=N   257 multi-profile UKIs: the profile to measure (default 0)\n"
               "      --no-pager, --private-key=KEY, --public-key=KEY, --tpm2-device=PATH\n"
               "                        accepted and ignored, as systemd-measure 252 calculate does\n"
               "                        (signing is 'uki sign')\n"
               "  -c, --current         not implemented (reading PCR 11 from this machine's TPM)\n"
               "  -h, --help            this help\n"
               "      --version         print the version\n\n"
               "Output (text): for each phase, '# PCR[11] Phase <phase>' on stderr, then\n"
               "'11:<bank>=<hex>' per bank on stdout.\n"
               "Exit status: 0 ok, 2 bad input, missing or unreadable file, or usage; 3 I/O error.\n",
               program_name);
}

static void help_sign(void)
{
        printf("Usage: %s uki sign --private-key=KEY.pem [OPTIONS] [UKI.efi]\n\n"
               "Sign the predicted PCR 11 of a UKI for each boot phase, as 'systemd-measure sign' 252\n"
               "does: the JSON that goes into the UKI's .pcrsig section (and that systemd-cryptenroll\n"
               "--tpm2-public-key / systemd-cryptsetup check). For each bank and phase: the\n"
               "TPM2_PolicyPCR digest of PCR 11 ('pol'), its RSA PKCS#1 v1.5 signature ('sig',\n"
               "base64; hashed with the bank's algorithm) and the SHA-256 of the public key in DER\n"
               "('pkfp'). The policy digest is computed here: no TPM is needed.\n\n"
               "Options: those of 'uki measure' (--linux=FILE ..., --bank, --phase, --stub-version,\n"
               "a UKI file instead of parts), and\n"
               "      --private-key=KEY RSA private key (PEM) to sign with (required)\n"
               "      --public-key=KEY  public key (PEM) for 'pkfp' (default: from the private key;\n"
               "                        not checked against it, as in systemd-measure 252)\n"
               "      --json=MODE       pretty or short (off: short without the final newline, as 252);\n"
               "                        default pretty on a terminal, else short\n"
               "  -j                    pretty on a terminal, else short\n"
               "      --json            cocotrust JSON (schema_version 1): phase, pcr_value, policy,\n"
               "                        signature per bank\n"
               "      --tpm2-device=PATH, --no-pager  accepted and ignored\n"
               "      --help, --version\n\n"
               "Example:\n"
               "  %s uki sign --linux=vmlinuz --osrel=os-release --cmdline=cmdline \\\n"
               "      --bank=sha256 --private-key=tpm2-pcr-private.pem > pcrsig.json\n"
               "Exit status: 0 ok, 2 bad input (a key that is not a PEM RSA key, a missing file) or\n"
               "usage; 3 I/O error.\n",
               program_name, program_name);
}

struct measure_opts {
        const char *files[CT_UKI_SECTION__MAX];
        ct_hash_alg banks[CT_HASH__MAX];
        size_t n_banks;
        char *phases[MAX_PHASES];
        size_t n_phases;
        bool phases_given;
        enum json_mode json;
        unsigned stub;
        bool stub_given;
        unsigned profile;
        const char *uki;
        bool sign;                 /* uki sign: print the signed policies */
        bool json_given;
        bool no_newline;           /* sign --json=off: short JSON without the final newline, as 252 */
        const char *private_key, *public_key;
        ct_uki_signer *signer;
};

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_bank(const void *a, const void *b)
{
        return strcmp(ct_hash_name(*(const ct_hash_alg *)a), ct_hash_name(*(const ct_hash_alg *)b));
}

/* "::a::b:" -> "a:b" (systemd-measure drops empty words). Returns a new string or NULL. */
static char *normalize_phase(const char *in)
{
        char *out = malloc(strlen(in) + 1);
        char *o = out;
        const char *s = in;

        if (!out)
                return NULL;
        while (*s) {
                size_t n = strcspn(s, ":");

                if (n) {
                        if (o != out)
                                *o++ = ':';
                        memcpy(o, s, n);
                        o += n;
                }
                s += n;
                if (*s == ':')
                        s++;
        }
        *o = '\0';
        return out;
}

/* ---- cocotrust JSON (--json): every extend step ---- */

static const char *step_kind_name(ct_uki_step_kind k)
{
        switch (k) {
        case CT_UKI_STEP_NAME:
                return "section-name";
        case CT_UKI_STEP_CONTENTS:
                return "section-contents";
        case CT_UKI_STEP_PHASE:
                return "phase-word";
        }
        return "?";
}

static ct_code step_to_json(const ct_uki_step *st, void *userdata)
{
        json_object *arr = userdata;
        json_object *o = json_object_new_object();

        tool_json_add_str(o, "kind", step_kind_name(st->kind));
        if (st->kind == CT_UKI_STEP_PHASE)
                tool_json_add_str(o, "word", st->word);
        else
                tool_json_add_str(o, "section", ct_uki_section_name(st->section));
        tool_json_add_int(o, "size", (int64_t)st->size);
        tool_json_add_digest(o, "digest", &st->measured);
        tool_json_add_digest(o, "pcr", &st->pcr);
        json_object_array_add(arr, o);
        return CT_OK;
}

/* ---- systemd-measure compatible printers ---- */

static void print_sm_json(const struct measure_opts *o, ct_digest res[][MAX_PHASES], bool pretty)
{
        char hex[2 * CT_HASH_MAX_SIZE + 1];

        fputs(pretty ? "{\n" : "{", stdout);
        for (size_t b = 0; b < o->n_banks; b++) {
                if (pretty)
                        printf("\t\"%s\" : [\n", ct_hash_name(o->banks[b]));
                else
                        printf("\"%s\":[", ct_hash_name(o->banks[b]));
                for (size_t p = 0; p < o->n_phases; p++) {
                        const char *ph = o->phases[p];

                        ct_digest_hex(&res[b][p], hex);
                        if (pretty) {
                                fputs("\t\t{\n", stdout);
                                if (*ph)
                                        printf("\t\t\t\"phase\" : \"%s\",\n", ph);
                                printf("\t\t\t\"pcr\" : 11,\n\t\t\t\"hash\" : \"%s\"\n\t\t}%s\n", hex,
                                       p + 1 < o->n_phases ? "," : "");
                        } else {
                                fputc('{', stdout);
                                if (*ph)
                                        printf("\"phase\":\"%s\",", ph);
                                printf("\"pcr\":11,\"hash\":\"%s\"}%s", hex, p + 1 < o->n_phases ? "," : "");
                        }
                }
                if (pretty)
                        printf("\t]%s\n", b + 1 < o->n_banks ? "," : "");
                else
                        printf("]%s", b + 1 < o->n_banks ? "," : "");
        }
        fputs("}\n", stdout);
}

static void print_sm_text(const struct measure_opts *o, ct_digest res[][MAX_PHASES])
{
        char hex[2 * CT_HASH_MAX_SIZE + 1];

        for (size_t p = 0; p < o->n_phases; p++) {
                fflush(stdout);
                fprintf(stderr, "# PCR[11] Phase <%s>\n", *o->phases[p] ? o->phases[p] : ":");
                fflush(stderr);
                for (size_t b = 0; b < o->n_banks; b++)
                        printf("11:%s=%s\n", ct_hash_name(o->banks[b]), ct_digest_hex(&res[b][p], hex));
        }
}

/* ---- uki sign: systemd-measure 252 sign's JSON ---- */

static int print_signed(const struct measure_opts *o, ct_digest res[][MAX_PHASES])
{
        char pkfp[2 * CT_HASH_MAX_SIZE + 1], pol[2 * CT_HASH_MAX_SIZE + 1];
        bool pretty = o->json == JSON_PRETTY;
        json_object *root = NULL, *jbanks = NULL;
        ct_error err;
        char *text = NULL;
        size_t text_len = 0;
        FILE *mf;
        int rc = EXIT_OK;

        ct_error_clear(&err);
        /* the whole document is built first: a failed signature prints nothing */
        mf = open_memstream(&text, &text_len);
        if (!mf)
                return tool_errorf(EXIT_INTERNAL, "out of memory");
        ct_digest_hex(ct_uki_signer_fingerprint(o->signer), pkfp);
        if (o->json == JSON_SCHEMA) {
                root = tool_json_new();
                tool_json_add_int(root, "pcr", CT_UKI_PCR);
                tool_json_add_int(root, "stub_version", o->stub);
                tool_json_add_str(root, "public_key_fingerprint", pkfp);
                jbanks = json_object_new_object();
                json_object_object_add(root, "banks", jbanks);
        } else
                fputs(pretty ? "{\n" : "{", mf);
        for (size_t b = 0; b < o->n_banks; b++) {
                json_object *arr = NULL;

                if (root) {
                        arr = json_object_new_array();
                        json_object_object_add(jbanks, ct_hash_name(o->banks[b]), arr);
                } else if (pretty)
                        fprintf(mf, "\t\"%s\" : [\n", ct_hash_name(o->banks[b]));
                else
                        fprintf(mf, "\"%s\":[", ct_hash_name(o->banks[b]));
                for (size_t p = 0; p < o->n_phases; p++) {
                        ct_digest policy;
                        uint8_t *sig = NULL;
                        size_t sig_len = 0;
                        char *b64;

                        if (ct_uki_policy_pcr(o->banks[b], CT_UKI_PCR, &res[b][p], &policy, &err) ||
                            ct_uki_sign_policy(o->signer, o->banks[b], &policy, &sig, &sig_len, &err)) {
                                rc = tool_fail(&err, o->private_key);
                                goto out;
                        }
                        b64 = malloc(4 * ((sig_len + 2) / 3) + 1);
                        if (!b64) {
                                free(sig);
                                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                                goto out;
                        }
                        ct_base64_encode(sig, sig_len, b64);
                        free(sig);
                        ct_digest_hex(&policy, pol);
                        if (root) {
                                json_object *e = json_object_new_object();

                                tool_json_add_str(e, "phase", o->phases[p]);
                                tool_json_add_digest(e, "pcr_value", &res[b][p]);
                                tool_json_add_str(e, "policy", pol);
                                tool_json_add_str(e, "signature", b64);
                                json_object_array_add(arr, e);
                        } else if (pretty)
                                fprintf(mf, "\t\t{\n\t\t\t\"pcrs\" : [\n\t\t\t\t11\n\t\t\t],\n"
                                       "\t\t\t\"pkfp\" : \"%s\",\n\t\t\t\"pol\" : \"%s\",\n"
                                       "\t\t\t\"sig\" : \"%s\"\n\t\t}%s\n",
                                       pkfp, pol, b64, p + 1 < o->n_phases ? "," : "");
                        else
                                fprintf(mf, "{\"pcrs\":[11],\"pkfp\":\"%s\",\"pol\":\"%s\",\"sig\":\"%s\"}%s", pkfp,
                                       pol, b64, p + 1 < o->n_phases ? "," : "");
                        free(b64);
                }
                if (!root)
                        fprintf(mf, pretty ? "\t]%s\n" : "]%s", b + 1 < o->n_banks ? "," : "");
        }
        if (root) {
                rc = tool_json_emit(root, NULL);
                root = NULL;
        } else
                /* systemd-measure 252 ends --json=off's (short) output without a newline */
                fputs(o->no_newline ? "}" : "}\n", mf);
out:
        json_object_put(root);
        if (fclose(mf) != 0 && rc == EXIT_OK)
                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
        if (rc == EXIT_OK && text_len && (fwrite(text, 1, text_len, stdout) != text_len || fflush(stdout) != 0))
                rc = tool_errorf(EXIT_INTERNAL, "cannot write the output");
        free(text);
        return rc;
}

static void add_sections_json(json_object *root, const ct_uki_parts *parts, const struct measure_opts *o,
                              const ct_pe *pe)
{
        json_object *arr = json_object_new_array();

        for (unsigned i = 0; i < CT_UKI_SECTION__MAX; i++) {
                const ct_uki_blob *b = &parts->s[i];
                json_object *s;

                if (!b->present)
                        continue;
                s = json_object_new_object();
                tool_json_add_str(s, "name", ct_uki_section_name((ct_uki_section)i));
                tool_json_add_int(s, "size", (int64_t)(b->len + b->zero_fill));
                if (b->zero_fill)
                        tool_json_add_int(s, "zero_fill", (int64_t)b->zero_fill);
                if (pe && b->header_index >= 0) {
                        const ct_pe_section *ps = ct_pe_section_at(pe, (size_t)b->header_index);

                        tool_json_add_int(s, "header_index", b->header_index);
                        tool_json_add_str(s, "header_name", ps->name);
                } else if (o->files[i])
                        tool_json_add_str(s, "file", o->files[i]);
                tool_json_add_bool(s, "measured", ct_uki_stub_measures((ct_uki_stub)o->stub, (ct_uki_section)i) &&
                                                          b->len + b->zero_fill > 0);
                json_object_array_add(arr, s);
        }
        json_object_object_add(root, "sections", arr);
}

static int run_measure(struct measure_opts *o, const ct_uki_parts *parts, const ct_pe *pe)
{
        ct_digest (*res)[MAX_PHASES] = calloc(CT_HASH__MAX, sizeof(*res));
        ct_digest bases[CT_HASH__MAX];
        json_object *root = NULL, *banks = NULL;
        ct_error err;
        int rc = EXIT_OK;

        memset(bases, 0, sizeof(bases));
        if (!res)
                return tool_errorf(EXIT_INTERNAL, "out of memory");
        ct_error_clear(&err);
        if (o->json == JSON_SCHEMA) {
                root = tool_json_new();
                tool_json_add_int(root, "pcr", CT_UKI_PCR);
                tool_json_add_int(root, "stub_version", o->stub);
                if (o->uki)
                        tool_json_add_str(root, "uki", o->uki);
                add_sections_json(root, parts, o, pe);
                banks = json_object_new_object();
        }
        if (!root && ct_uki_measure_banks(parts, (ct_uki_stub)o->stub, o->banks, o->n_banks, bases, &err)) {
                rc = tool_fail(&err, o->uki);
                goto out;
        }
        for (size_t b = 0; b < o->n_banks; b++) {
                json_object *steps = NULL, *jb = NULL, *jph = NULL;
                ct_digest base = bases[b];

                if (root) {
                        jb = json_object_new_object();
                        steps = json_object_new_array();
                        jph = json_object_new_array();
                        if (ct_uki_measure(parts, (ct_uki_stub)o->stub, o->banks[b], step_to_json, steps, &base,
                                           &err)) {
                                rc = tool_fail(&err, o->uki);
                                json_object_put(jb);
                                json_object_put(steps);
                                json_object_put(jph);
                                goto out;
                        }
                }
                for (size_t p = 0; p < o->n_phases; p++) {
                        json_object *psteps = root ? json_object_new_array() : NULL;

                        res[b][p] = base;
                        if (ct_uki_extend_phase(&res[b][p], o->phases[p], root ? step_to_json : NULL, psteps,
                                                &err)) {
                                rc = tool_fail(&err, NULL);
                                json_object_put(psteps);
                                json_object_put(jb);
                                json_object_put(steps);
                                json_object_put(jph);
                                goto out;
                        }
                        if (root) {
                                json_object *po = json_object_new_object();

                                tool_json_add_str(po, "phase", o->phases[p]);
                                json_object_object_add(po, "steps", psteps);
                                tool_json_add_digest(po, "pcr", &res[b][p]);
                                json_object_array_add(jph, po);
                        }
                }
                if (root) {
                        json_object_object_add(jb, "steps", steps);
                        tool_json_add_digest(jb, "after_sections", &base);
                        json_object_object_add(jb, "phases", jph);
                        json_object_object_add(banks, ct_hash_name(o->banks[b]), jb);
                }
        }

        if (o->sign) {
                rc = print_signed(o, res);
                goto out;
        }
        switch (o->json) {
        case JSON_SCHEMA:
                json_object_object_add(root, "banks", banks);
                rc = tool_json_emit(root, NULL);
                root = NULL;
                break;
        case JSON_SHORT:
        case JSON_PRETTY:
                print_sm_json(o, res, o->json == JSON_PRETTY);
                break;
        case JSON_OFF:
                print_sm_text(o, res);
                break;
        }
out:
        if (root) {
                json_object_put(banks);
                json_object_put(root);
        }
        free(res);
        return rc;
}

static int measure_from_uki(struct measure_opts *o)
{
        ct_blob blob = { 0 };
        ct_pe *pe = NULL;
        ct_uki_parts parts;
        ct_error err;
        unsigned detected = 0;
        int rc;

        ct_error_clear(&err);
        if (ct_blob_read(o->uki, CT_MAX_PE_FILE_SIZE, &blob, &err))
                return tool_fail(&err, o->uki);
        if (ct_pe_parse(blob.data, blob.len, &pe, &err)) {
                rc = tool_fail(&err, o->uki);
                goto out;
        }
        if (ct_uki_stub_version_from_pe(pe, &detected, &err) == CT_OK) {
                unsigned mapped = detected <= 253 ? 252 : detected == 254 ? 254 : detected == 257 ? 257 : 0;

                if (!o->stub_given) {
                        if (!mapped) {
                                rc = tool_errorf(EXIT_BAD_INPUT,
                                                 "%s: the stub is systemd-stub %u, whose section rules are not "
                                                 "known; pass --stub-version 252, 254 or 257",
                                                 o->uki, detected);
                                goto out;
                        }
                        o->stub = mapped;
                } else if (mapped != o->stub)
                        fprintf(stderr, "%s: %s: warning: the stub says systemd-stub %u; using %u rules as asked\n",
                                program_name, o->uki, detected, o->stub);
        } else if (!o->stub_given) {
                rc = tool_errorf(EXIT_BAD_INPUT, "%s: %s; pass --stub-version 252, 254 or 257", o->uki, err.msg);
                goto out;
        }
        if (!ct_pe_find_section(pe, ".linux", CT_PE_FIND_PREFIX))
                fprintf(stderr, "%s: %s: warning: no .linux section: this does not look like a UKI\n", program_name,
                        o->uki);
        if (ct_uki_parts_from_pe(pe, (ct_uki_stub)o->stub, o->profile, &parts, &err)) {
                rc = tool_fail(&err, o->uki);
                goto out;
        }
        rc = run_measure(o, &parts, pe);
out:
        ct_pe_free(pe);
        ct_blob_free(&blob);
        return rc;
}

static int measure_from_parts(struct measure_opts *o)
{
        ct_blob blobs[CT_UKI_SECTION__MAX];
        ct_uki_parts parts;
        ct_error err;
        int rc = EXIT_OK;

        memset(blobs, 0, sizeof(blobs));
        ct_uki_parts_init(&parts);
        if (!o->files[CT_UKI_LINUX])
                return tool_usage("uki measure: --linux=FILE or a UKI file is required; run '%s uki measure --help'", program_name);
        for (unsigned i = 0; i < CT_UKI_SECTION__MAX; i++) {
                if (!o->files[i])
                        continue;
                if (!ct_uki_stub_measures((ct_uki_stub)o->stub, (ct_uki_section)i)) {
                        rc = tool_usage("--%s: systemd-stub %u does not measure %s; pass --stub-version 257%s",
                                        ct_uki_section_name((ct_uki_section)i) + 1, o->stub,
                                        ct_uki_section_name((ct_uki_section)i),
                                        i == CT_UKI_UNAME || i == CT_UKI_SBAT ? " (or 254)" : "");
                        goto out;
                }
                ct_error_clear(&err);
                if (ct_blob_read(o->files[i], MAX_PART_SIZE, &blobs[i], &err)) {
                        rc = tool_fail(&err, o->files[i]);
                        goto out;
                }
                parts.s[i].present = true;
                parts.s[i].data = blobs[i].data;
                parts.s[i].len = blobs[i].len;
        }
        rc = run_measure(o, &parts, NULL);
out:
        for (unsigned i = 0; i < CT_UKI_SECTION__MAX; i++)
                ct_blob_free(&blobs[i]);
        return rc;
}

static int read_keys(struct measure_opts *o)
{
        ct_blob priv = { 0 }, pub = { 0 };
        ct_error err;
        int rc = EXIT_OK;

        ct_error_clear(&err);
        if (ct_blob_read(o->private_key, CT_MAX_UKI_KEY_SIZE, &priv, &err))
                return tool_fail(&err, o->private_key);
        if (o->public_key && ct_blob_read(o->public_key, CT_MAX_UKI_KEY_SIZE, &pub, &err)) {
                rc = tool_fail(&err, o->public_key);
                goto out;
        }
        if (ct_uki_signer_new(priv.data, priv.len, o->public_key ? pub.data : NULL, pub.len, &o->signer, &err)) {
                /* which file: a public-key error names --public-key */
                rc = tool_fail(&err, o->public_key && strstr(err.msg, "public") ? o->public_key : o->private_key);
                goto out;
        }
out:
        ct_blob_free(&priv);
        ct_blob_free(&pub);
        return rc;
}

static int measure_main(int argc, char **argv, bool sign)
{
        enum {
                OPT_BANK = 0x100, OPT_PHASE, OPT_JSON, OPT_STUB, OPT_PROFILE_N, OPT_NO_PAGER, OPT_PRIVATE_KEY,
                OPT_PUBLIC_KEY, OPT_TPM2_DEVICE,
                OPT_SECTION = 0x200, /* + ct_uki_section */
        };
        static const struct option opts[] = {
                { "linux", required_argument, NULL, OPT_SECTION + CT_UKI_LINUX },
                { "osrel", required_argument, NULL, OPT_SECTION + CT_UKI_OSREL },
                { "cmdline", required_argument, NULL, OPT_SECTION + CT_UKI_CMDLINE },
                { "initrd", required_argument, NULL, OPT_SECTION + CT_UKI_INITRD },
                { "ucode", required_argument, NULL, OPT_SECTION + CT_UKI_UCODE },
                { "splash", required_argument, NULL, OPT_SECTION + CT_UKI_SPLASH },
                { "dtb", required_argument, NULL, OPT_SECTION + CT_UKI_DTB },
                { "uname", required_argument, NULL, OPT_SECTION + CT_UKI_UNAME },
                { "sbat", required_argument, NULL, OPT_SECTION + CT_UKI_SBAT },
                { "pcrpkey", required_argument, NULL, OPT_SECTION + CT_UKI_PCRPKEY },
                { "profile", required_argument, NULL, OPT_SECTION + CT_UKI_PROFILE },
                { "bank", required_argument, NULL, OPT_BANK },
                { "phase", required_argument, NULL, OPT_PHASE },
                { "json", optional_argument, NULL, OPT_JSON },
                { "stub-version", required_argument, NULL, OPT_STUB },
                { "uki-profile", required_argument, NULL, OPT_PROFILE_N },
                { "no-pager", no_argument, NULL, OPT_NO_PAGER },
                { "private-key", required_argument, NULL, OPT_PRIVATE_KEY },
                { "public-key", required_argument, NULL, OPT_PUBLIC_KEY },
                { "tpm2-device", required_argument, NULL, OPT_TPM2_DEVICE },
                { "current", no_argument, NULL, 'c' },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = sign ? (struct tool_cmd)TOOL_CMD("uki sign", help_sign)
                                   : (struct tool_cmd)TOOL_CMD("uki measure", help_measure);
        struct measure_opts o;
        unsigned long long v;
        bool any_section = false;
        int c, rc = EXIT_OK;
        size_t w;

        memset(&o, 0, sizeof(o));
        o.stub = CT_UKI_STUB_252;
        o.sign = sign;
        while ((c = tool_getopt(&cmd, argc, argv, "jc", opts)) != -1) {
                if (c >= OPT_SECTION && c < OPT_SECTION + CT_UKI_SECTION__MAX) {
                        o.files[c - OPT_SECTION] = optarg;
                        any_section = true;
                        continue;
                }
                switch (c) {
                case OPT_NO_PAGER: /* cocotrust never pages */
                        break;
                case OPT_PRIVATE_KEY:
                        o.private_key = optarg;
                        break;
                case OPT_PUBLIC_KEY:
                        o.public_key = optarg;
                        break;
                case OPT_TPM2_DEVICE:
                        /* systemd-measure 252 calculate ignores it; sign uses the TPM only for the policy
                         * digest, which cocotrust computes itself, so no TPM is needed */
                        break;
                case 'c':
                        rc = tool_not_implemented("--current (reading PCR 11 from this machine's TPM)");
                        goto out;
                case OPT_BANK:
                        if (!tool_add_bank(o.banks, &o.n_banks, optarg, "--bank")) {
                                rc = EXIT_BAD_INPUT;
                                goto out;
                        }
                        break;
                case OPT_PHASE:
                        if (o.n_phases >= MAX_PHASES) {
                                rc = tool_usage("--phase: at most %d phases", MAX_PHASES);
                                goto out;
                        }
                        o.phases[o.n_phases] = normalize_phase(optarg);
                        if (!o.phases[o.n_phases]) {
                                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                                goto out;
                        }
                        o.n_phases++;
                        o.phases_given = true;
                        break;
                case OPT_JSON:
                        o.json_given = true;
                        if (!optarg)
                                o.json = JSON_SCHEMA;
                        else if (strcmp(optarg, "pretty") == 0)
                                o.json = JSON_PRETTY;
                        else if (strcmp(optarg, "short") == 0)
                                o.json = JSON_SHORT;
                        else if (strcmp(optarg, "off") == 0)
                                o.json = JSON_OFF;
                        else {
                                rc = tool_usage("--json=: '%s' is not pretty, short or off", optarg);
                                goto out;
                        }
                        break;
                case 'j':
                        o.json_given = true;
                        o.json = isatty(STDOUT_FILENO) ? JSON_PRETTY : JSON_SHORT;
                        break;
                case OPT_STUB:
                        if (!tool_parse_u64(optarg, &v) || !ct_uki_stub_known((unsigned)v) || v > 1000) {
                                rc = tool_usage("--stub-version: '%s' is not 252, 254 or 257", optarg);
                                goto out;
                        }
                        o.stub = (unsigned)v;
                        o.stub_given = true;
                        break;
                case OPT_PROFILE_N:
                        if (!tool_parse_u64(optarg, &v) || v > 1000) {
                                rc = tool_usage("--uki-profile: '%s' is not a profile number", optarg);
                                goto out;
                        }
                        o.profile = (unsigned)v;
                        break;
                default:
                        rc = EXIT_BAD_INPUT;
                        goto out;
                }
        }
        if (cmd.done) {
                rc = cmd.status;
                goto out;
        }
        if (optind < argc) {
                if (optind + 1 < argc) {
                        rc = tool_cmd_usage(&cmd, "one UKI file at most");
                        goto out;
                }
                if (any_section) {
                        rc = tool_cmd_usage(&cmd, "give either a UKI file or section files, not both");
                        goto out;
                }
                o.uki = argv[optind];
        }

        if (o.n_banks == 0) {
                o.banks[o.n_banks++] = CT_HASH_SHA1;
                o.banks[o.n_banks++] = CT_HASH_SHA256;
                o.banks[o.n_banks++] = CT_HASH_SHA384;
                o.banks[o.n_banks++] = CT_HASH_SHA512;
        }
        qsort(o.banks, o.n_banks, sizeof(o.banks[0]), cmp_bank);

        if (!o.phases_given) {
                static const char *const defaults[] = {
                        "enter-initrd", "enter-initrd:leave-initrd", "enter-initrd:leave-initrd:sysinit",
                        "enter-initrd:leave-initrd:sysinit:ready",
                };
                for (size_t i = 0; i < 4; i++) {
                        o.phases[i] = strdup(defaults[i]);
                        if (!o.phases[i]) {
                                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                                goto out;
                        }
                        o.n_phases++;
                }
        } else {
                /* systemd-measure sorts and de-duplicates explicit phases. */
                qsort(o.phases, o.n_phases, sizeof(o.phases[0]), cmp_str);
                w = 0;
                for (size_t i = 0; i < o.n_phases; i++) {
                        if (w > 0 && strcmp(o.phases[w - 1], o.phases[i]) == 0) {
                                free(o.phases[i]);
                                continue;
                        }
                        o.phases[w++] = o.phases[i];
                }
                o.n_phases = w;
        }

        if (sign) {
                if (!o.private_key) {
                        rc = tool_cmd_usage(&cmd, "no private key: pass --private-key=KEY.pem");
                        goto out;
                }
                /* sign always prints JSON: pretty on a terminal, else short (also for --json=off) */
                o.no_newline = o.json_given && o.json == JSON_OFF;
                if (!o.json_given || o.json == JSON_OFF)
                        o.json = isatty(STDOUT_FILENO) && !o.json_given ? JSON_PRETTY : JSON_SHORT;
                rc = read_keys(&o);
                if (rc != EXIT_OK)
                        goto out;
        }
        rc = o.uki ? measure_from_uki(&o) : measure_from_parts(&o);
out:
        for (size_t i = 0; i < o.n_phases; i++)
                free(o.phases[i]);
        ct_uki_signer_free(o.signer);
        return rc;
}

static int verb_measure(int argc, char **argv)
{
        return measure_main(argc, argv, false);
}

static int verb_sign(int argc, char **argv)
{
        return measure_main(argc, argv, true);
}

static const struct tool_verb verbs[] = {
        { "measure", "[--linux=FILE ...] [--bank=ALG] [--phase=P] [--json[=MODE]] [UKI.efi]", verb_measure,
          "predict PCR 11 of a UKI (systemd-measure calculate compatible)" },
        { "sign", "--private-key=KEY [--public-key=PUB] [--linux=FILE ...] [--bank=ALG] [--phase=P] [UKI.efi]",
          verb_sign, "signed PCR 11 policies for .pcrsig (systemd-measure sign compatible)" },
        { "build", "--stub STUB --linux K [--initrd I] [--cmdline C] [--osrel O] ... -o UKI.efi", tool_uki_build, "reproducible UKI, sections laid out as ukify does" },
};

const struct tool_area tool_area_uki = { "uki", "PCR 11 of a Unified Kernel Image (systemd-measure compatible)", verbs, sizeof(verbs) / sizeof(verbs[0]) };
