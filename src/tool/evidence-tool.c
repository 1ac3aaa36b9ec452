/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust CLI — rendering shared by the evidence verbs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>

#include "evidence-tool.h"

const struct tool_flag tool_snp_policy_flags[] = {
        { CT_SNP_POLICY_SMT, "SMT" },
        { CT_SNP_POLICY_RESERVED1, "RESERVED1" },
        { CT_SNP_POLICY_MIGRATE_MA, "MIGRATE_MA" },
        { CT_SNP_POLICY_DEBUG, "DEBUG" },
        { CT_SNP_POLICY_SINGLE_SOCKET, "SINGLE_SOCKET" },
        { CT_SNP_POLICY_CXL_ALLOW, "CXL_ALLOW" },
        { CT_SNP_POLICY_MEM_AES_256_XTS, "MEM_AES_256_XTS" },
        { CT_SNP_POLICY_RAPL_DIS, "RAPL_DIS" },
        { CT_SNP_POLICY_CIPHERTEXT_HIDING, "CIPHERTEXT_HIDING" },
        { CT_SNP_POLICY_PAGE_SWAP_DISABLE, "PAGE_SWAP_DISABLE" },
};
const size_t tool_snp_n_policy_flags = sizeof(tool_snp_policy_flags) / sizeof(tool_snp_policy_flags[0]);

const struct tool_flag tool_snp_plat_flags[] = {
        { CT_SNP_PLAT_SMT_EN, "SMT_EN" },
        { CT_SNP_PLAT_TSME_EN, "TSME_EN" },
        { CT_SNP_PLAT_ECC_EN, "ECC_EN" },
        { CT_SNP_PLAT_RAPL_DIS, "RAPL_DIS" },
        { CT_SNP_PLAT_CIPHERTEXT_HIDING_EN, "CIPHERTEXT_HIDING_EN" },
        { CT_SNP_PLAT_ALIAS_CHECK_COMPLETE, "ALIAS_CHECK_COMPLETE" },
        { CT_SNP_PLAT_SEV_TIO_EN, "SEV_TIO_EN" },
};
const size_t tool_snp_n_plat_flags = sizeof(tool_snp_plat_flags) / sizeof(tool_snp_plat_flags[0]);

int tool_read_input(const char *file, size_t max, uint8_t **ret, size_t *ret_len)
{
        uint8_t *buf = NULL;
        size_t len = 0;

        if (strcmp(file, "-") == 0) {
                size_t cap = 0, n;

                do {
                        if (len == cap) {
                                uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

                                if (!nb) {
                                        free(buf);
                                        return tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
                                }
                                buf = nb;
                        }
                        n = fread(buf + len, 1, cap - len, stdin);
                        len += n;
                        if (len > max) {
                                free(buf);
                                return tool_errorf(EXIT_BAD_INPUT, "%s: stdin: larger than %zu bytes", program_name,
                                                   max);
                        }
                } while (n > 0);
        } else {
                ct_blob b = { 0 };
                ct_error err;

                if (ct_blob_read(file, max, &b, &err) != CT_OK)
                        return tool_fail(&err, file);
                buf = malloc(b.len ? b.len : 1);
                if (!buf) {
                        ct_blob_free(&b);
                        return tool_errorf(EXIT_INTERNAL, "%s: out of memory", program_name);
                }
                if (b.len)
                        memcpy(buf, b.data, b.len);
                len = b.len;
                ct_blob_free(&b);
        }
        *ret = buf;
        *ret_len = len;
        return EXIT_OK;
}

int tool_read_snp_report(const char *file, ct_snp_product hint, ct_snp_report *r, ct_error *err)
{
        uint8_t *buf;
        size_t len;
        int rc = tool_read_input(file, CT_MAX_SNP_REPORT_TEXT, &buf, &len);

        if (rc != EXIT_OK)
                return rc;
        if (ct_snp_report_parse(buf, len, hint, r, err) != CT_OK)
                rc = tool_fail(err, file);
        free(buf);
        return rc;
}

static json_object *tcb_json(const ct_snp_tcb *t)
{
        json_object *o = json_object_new_object();
        char raw[24];

        if (t->has_fmc)
                tool_json_add_int(o, "fmc", t->fmc);
        tool_json_add_int(o, "bootloader", t->bootloader);
        tool_json_add_int(o, "tee", t->tee);
        tool_json_add_int(o, "snp", t->snp);
        tool_json_add_int(o, "microcode", t->microcode);
        snprintf(raw, sizeof(raw), "0x%llx", (unsigned long long)t->raw);
        tool_json_add_str(o, "raw", raw);
        return o;
}

static void add_hex64(json_object *o, const char *key, uint64_t v)
{
        char s[24];

        snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
        tool_json_add_str(o, key, s);
}

static json_object *flags_json(uint64_t v, const struct tool_flag *f, size_t n, uint64_t known)
{
        json_object *o = json_object_new_object();

        for (size_t i = 0; i < n; i++)
                tool_json_add_bool(o, f[i].name, (v & f[i].bit) != 0);
        add_hex64(o, "unknown_bits", v & ~known);
        return o;
}

void tool_json_add_hex_fields(json_object *o, const void *base, const struct tool_hex_field *f, size_t n)
{
        for (size_t i = 0; i < n; i++)
                tool_json_add_hex(o, f[i].name, (const uint8_t *)base + f[i].offset, f[i].len);
}

static const struct tool_hex_field snp_hex_fields[] = {
        TOOL_HEX_FIELD(ct_snp_report, report_data),   TOOL_HEX_FIELD(ct_snp_report, measurement),
        TOOL_HEX_FIELD(ct_snp_report, host_data),     TOOL_HEX_FIELD(ct_snp_report, id_key_digest),
        TOOL_HEX_FIELD(ct_snp_report, author_key_digest), TOOL_HEX_FIELD(ct_snp_report, report_id),
        TOOL_HEX_FIELD(ct_snp_report, report_id_ma),
};

json_object *tool_snp_report_json(json_object *o, const ct_snp_report *r)
{
        json_object *p, *a;
        unsigned key = (r->signer_info & CT_SNP_SIGNER_KEY_MASK) >> CT_SNP_SIGNER_KEY_SHIFT;

        tool_json_add_int(o, "version", r->version);
        tool_json_add_bool(o, "trustee_accepts_version", r->version >= 3 && r->version <= 5);
        tool_json_add_int(o, "guest_svn", r->guest_svn);
        add_hex64(o, "policy", r->policy);
        p = flags_json(r->policy, tool_snp_policy_flags, tool_snp_n_policy_flags, CT_SNP_POLICY_KNOWN | 0xffff);
        tool_json_add_int(p, "abi_minor", (int64_t)(r->policy & 0xff));
        tool_json_add_int(p, "abi_major", (int64_t)(r->policy >> 8 & 0xff));
        json_object_object_add(o, "policy_decoded", p);
        tool_json_add_hex(o, "family_id", r->family_id, 16);
        tool_json_add_hex(o, "image_id", r->image_id, 16);
        tool_json_add_int(o, "vmpl", r->vmpl);
        tool_json_add_int(o, "signature_algo", r->signature_algo);
        json_object_object_add(o, "current_tcb", tcb_json(&r->current_tcb));
        add_hex64(o, "platform_info", r->platform_info);
        json_object_object_add(o, "platform_info_decoded",
                               flags_json(r->platform_info, tool_snp_plat_flags, tool_snp_n_plat_flags,
                                          CT_SNP_PLAT_KNOWN));
        p = json_object_new_object();
        add_hex64(p, "raw", r->signer_info);
        tool_json_add_bool(p, "author_key_en", r->signer_info & CT_SNP_SIGNER_AUTHOR_KEY_EN);
        tool_json_add_bool(p, "mask_chip_key", r->signer_info & CT_SNP_SIGNER_MASK_CHIP_KEY);
        tool_json_add_int(p, "signing_key", key);
        tool_json_add_str(p, "signing_key_name",
                          key == 0 ? "vcek" : key == 1 ? "vlek" : key == 7 ? "none" : "reserved");
        add_hex64(p, "unknown_bits", r->signer_info & ~CT_SNP_SIGNER_KNOWN);
        json_object_object_add(o, "signer_info", p);
        tool_json_add_hex_fields(o, r, snp_hex_fields, sizeof(snp_hex_fields) / sizeof(snp_hex_fields[0]));
        json_object_object_add(o, "reported_tcb", tcb_json(&r->reported_tcb));
        if (r->has_cpuid) {
                p = json_object_new_object();
                tool_json_add_int(p, "family", r->cpuid_family);
                tool_json_add_int(p, "model", r->cpuid_model);
                tool_json_add_int(p, "stepping", r->cpuid_stepping);
                json_object_object_add(o, "cpuid", p);
        } else {
                json_object_object_add(o, "cpuid", NULL);
        }
        tool_json_add_str(o, "product", r->product ? ct_snp_product_name(r->product) : NULL);
        tool_json_add_bool(o, "product_from_cpuid", r->product_from_cpuid);
        tool_json_add_hex(o, "chip_id", r->chip_id, 64);
        json_object_object_add(o, "committed_tcb", tcb_json(&r->committed_tcb));
        a = json_object_new_array();
        json_object_array_add(a, json_object_new_int(r->current_build));
        json_object_array_add(a, json_object_new_int(r->current_minor));
        json_object_array_add(a, json_object_new_int(r->current_major));
        json_object_object_add(o, "current_build_minor_major", a);
        a = json_object_new_array();
        json_object_array_add(a, json_object_new_int(r->committed_build));
        json_object_array_add(a, json_object_new_int(r->committed_minor));
        json_object_array_add(a, json_object_new_int(r->committed_major));
        json_object_object_add(o, "committed_build_minor_major", a);
        json_object_object_add(o, "launch_tcb", tcb_json(&r->launch_tcb));
        if (r->has_mit_vectors) {
                add_hex64(o, "launch_mit_vector", r->launch_mit_vector);
                add_hex64(o, "current_mit_vector", r->current_mit_vector);
        } else {
                json_object_object_add(o, "launch_mit_vector", NULL);
                json_object_object_add(o, "current_mit_vector", NULL);
        }
        tool_json_add_hex(o, "signature_r_le", r->sig_r, 72);
        tool_json_add_hex(o, "signature_s_le", r->sig_s, 72);
        a = json_object_new_array();
        for (size_t i = 0; i < r->n_reserved; i++) {
                p = json_object_new_object();
                tool_json_add_int(p, "offset", r->reserved[i].offset);
                tool_json_add_int(p, "length", r->reserved[i].len);
                tool_json_add_hex(p, "bytes", r->raw + r->reserved[i].offset, r->reserved[i].len);
                json_object_array_add(a, p);
        }
        json_object_object_add(o, "reserved_nonzero", a);
        return o;
}

json_object *tool_checks_json(const ct_checks *c)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < c->n; i++) {
                json_object *o = json_object_new_object();

                tool_json_add_str(o, "name", c->items[i].name);
                tool_json_add_str(o, "status", ct_check_status_name(c->items[i].status));
                tool_json_add_str(o, "reason", c->items[i].reason);
                json_object_array_add(a, o);
        }
        return a;
}

static json_object *failed_json(const ct_checks *c)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < c->n; i++)
                if (c->items[i].status == CT_CHECK_FAIL)
                        json_object_array_add(a, json_object_new_string(c->items[i].name));
        return a;
}

/* What both forms of a verification result begin with. */
static void result_head_json(json_object *o, const ct_snp_verify_result *res)
{
        tool_json_add_bool(o, "ok", res->ok);
        tool_json_add_str(o, "product", res->product ? ct_snp_product_name(res->product) : NULL);
        tool_json_add_str(o, "signing_key", res->vlek ? "vlek" : "vcek");
        tool_json_add_hex(o, "vcek_sha256", res->vcek_fingerprint, 32);
        tool_json_add_bool(o, "chain_cached", res->chain_cached);
        json_object_object_add(o, "failed", failed_json(&res->checks));
}

void tool_snp_result_json_brief(json_object *o, const ct_snp_verify_result *res)
{
        json_object *a = json_object_new_array();

        result_head_json(o, res);
        for (size_t i = 0; i < res->checks.n; i++) {
                const ct_check *c = &res->checks.items[i];
                json_object *e;

                if (c->status != CT_CHECK_FAIL && c->status != CT_CHECK_WARN)
                        continue;
                e = json_object_new_object();
                tool_json_add_str(e, "name", c->name);
                tool_json_add_str(e, "status", ct_check_status_name(c->status));
                tool_json_add_str(e, "reason", c->reason);
                json_object_array_add(a, e);
        }
        json_object_object_add(o, "problems", a);
        tool_json_add_int(o, "checks", (int64_t)res->checks.n);
}

void tool_snp_result_json(json_object *o, const ct_snp_verify_result *res)
{
        result_head_json(o, res);
        json_object_object_add(o, "checks", tool_checks_json(&res->checks));
}

void tool_print_checks(const ct_checks *c)
{
        for (size_t i = 0; i < c->n; i++)
                printf("  %-4s  %-22s %s\n", c->items[i].status == CT_CHECK_FAIL ? "FAIL"
                                             : c->items[i].status == CT_CHECK_WARN ? "warn"
                                             : c->items[i].status == CT_CHECK_SKIP ? "skip" : "ok",
                       c->items[i].name, c->items[i].reason);
        if (c->n_failed) {
                printf("result: FAILED: %zu of %zu checks failed:", c->n_failed, c->n);
                for (size_t i = 0; i < c->n; i++)
                        if (c->items[i].status == CT_CHECK_FAIL)
                                printf(" %s", c->items[i].name);
                printf("\n");
        } else {
                printf("result: OK: %zu checks hold%s\n", c->n, c->n_warnings ? " (with warnings)" : "");
        }
}

int tool_subverb(int argc, char **argv, const char *label, const struct tool_verb *sub, size_t n)
{
        char name[96];

        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
                FILE *f = argc < 2 ? stderr : stdout;

                fprintf(f, "Usage: %s %s VERB [OPTIONS]\n\nVerbs:\n", program_name, label);
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "  %-8s %-40s %s\n", sub[i].name, sub[i].args, sub[i].help);
                fprintf(f, "\nRun '%s %s VERB --help' for details.\n", program_name, label);
                return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
        }
        for (size_t i = 0; i < n; i++) {
                if (strcmp(argv[1], sub[i].name) == 0) {
                        snprintf(name, sizeof(name), "%s %s %s", program_name, label, sub[i].name);
                        argv[1] = name;
                        return sub[i].fn(argc - 1, argv + 1);
                }
        }
        for (size_t i = 0; i < n; i++)
                if (tool_edit_distance(argv[1], sub[i].name) <= 2)
                        return tool_usage("unknown verb '%s %s'; did you mean '%s %s'?", label, argv[1], label,
                                          sub[i].name);
        return tool_usage("unknown verb '%s %s'; run '%s %s --help'", label, argv[1], program_name, label);
}
