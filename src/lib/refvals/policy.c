/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reference-value names Trustee's default policies query (built-in table)
 * and a bounded scanner for the query_reference_value calls of a .rego file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/rvps.h>

#include "../internal.h"

#define CT_MAX_REGO_RULES 16384u  /* rule heads in one file */
#define CT_MAX_REGO_HELPERS 64u   /* distinct helper rules followed to their trust claim */
#define NO_DEFAULT (-1000)

CT_EXPORT const char *ct_rv_op_name(ct_rv_op op)
{
        switch (op) {
        case CT_RV_OP_IN: return "in";
        case CT_RV_OP_EQ: return "==";
        case CT_RV_OP_GE: return ">=";
        case CT_RV_OP_LE: return "<=";
        case CT_RV_OP_NE: return "!=";
        case CT_RV_OP_UNKNOWN: break;
        }
        return "?";
}

CT_EXPORT const char *ct_rv_op_shape(ct_rv_op op)
{
        switch (op) {
        case CT_RV_OP_IN: return "list";
        case CT_RV_OP_EQ: case CT_RV_OP_NE: return "scalar";
        case CT_RV_OP_GE: case CT_RV_OP_LE: return "number";
        case CT_RV_OP_UNKNOWN: break;
        }
        return "unknown";
}

CT_EXPORT const char *ct_rv_type_name(ct_rv_type t)
{
        switch (t) {
        case CT_RV_TYPE_HEX96: return "96-hex";
        case CT_RV_TYPE_HEX64: return "64-hex";
        case CT_RV_TYPE_HEX16: return "16-hex";
        case CT_RV_TYPE_INTEGER: return "integer";
        case CT_RV_TYPE_NUMBER: return "number";
        case CT_RV_TYPE_BOOLEAN: return "boolean";
        case CT_RV_TYPE_STRING: return "string";
        case CT_RV_TYPE_B64: return "base64";
        case CT_RV_TYPE_ANY: break;
        }
        return "any";
}

CT_EXPORT const char *ct_ear_tier_name(int v)
{
        if (v >= -1 && v <= 1)
                return "none";
        if (v > -32 && v < 32)
                return "affirming";
        if (v > -96 && v < 96)
                return "warning";
        return "contraindicated";
}

/*
 * Every query_reference_value call of trustee @78962cd
 * attestation-service/src/ear_token/ear_default_policy_cpu.rego (file 0) and
 * ear_default_policy_gpu.rego (file 1), with its line. Checked against
 * tests/vectors/policy/reference-values.json and against ct_rego_scan() of the
 * policy files in tests/policy/test-policy.c.
 */
#define R(f, n, op, ty, tee, claim, tc, v, d, line, c) \
        { n, CT_RV_OP_##op, CT_RV_TYPE_##ty, tee, claim, tc, v, d, line, c }
static const ct_rv_ref builtin[] = {
        R(0, "launch_digest", IN, STRING, "sample", "input.sample.launch_digest", "executables", 3, 33, 73, false),
        R(0, "svn", IN, STRING, "sample", "input.sample.svn", "hardware", 2, 97, 83, false),
        R(0, "major_version", EQ, NUMBER, "sample", "input.sample.platform_version.major", "hardware", 2, 97, 84, false),
        R(0, "minimum_minor_version", GE, NUMBER, "sample", "input.sample.platform_version.minor", "hardware", 2, 97, 85, false),
        R(0, "snp_launch_measurement", IN, HEX96, "snp", "input.snp.measurement", "executables", 3, 33, 106, false),
        R(0, "snp_bootloader", IN, INTEGER, "snp", "input.snp.reported_tcb_bootloader", "hardware", 2, 97, 113, false),
        R(0, "snp_microcode", IN, INTEGER, "snp", "input.snp.reported_tcb_microcode", "hardware", 2, 97, 114, false),
        R(0, "snp_snp_svn", IN, INTEGER, "snp", "input.snp.reported_tcb_snp", "hardware", 2, 97, 115, false),
        R(0, "snp_tee_svn", IN, INTEGER, "snp", "input.snp.reported_tcb_tee", "hardware", 2, 97, 116, false),
        R(0, "snp_smt_enabled", EQ, BOOLEAN, "snp", "input.snp.platform_smt_enabled", "configuration", 2, 36, 128, false),
        R(0, "snp_tsme_enabled", EQ, BOOLEAN, "snp", "input.snp.platform_tsme_enabled", "configuration", 2, 36, 129, false),
        R(0, "snp_guest_abi_major", EQ, INTEGER, "snp", "input.snp.policy_abi_major", "configuration", 2, 36, 130, false),
        R(0, "snp_guest_abi_minor", EQ, INTEGER, "snp", "input.snp.policy_abi_minor", "configuration", 2, 36, 131, false),
        R(0, "snp_single_socket", EQ, BOOLEAN, "snp", "input.snp.policy_single_socket", "configuration", 2, 36, 132, false),
        R(0, "snp_smt_allowed", EQ, BOOLEAN, "snp", "input.snp.policy_smt_allowed", "configuration", 2, 36, 133, false),
        R(0, "rtmr_1", IN, HEX96, "tdx", "input.tdx.quote.body.rtmr_1", "executables", 3, 33, 155, false),
        R(0, "rtmr_2", IN, HEX96, "tdx", "input.tdx.quote.body.rtmr_2", "executables", 3, 33, 156, false),
        R(0, "rtmr_1", IN, HEX96, "tdx", "input.tdx.quote.body.rtmr_1", "executables", 4, 33, 166, false),
        R(0, "rtmr_2", IN, HEX96, "tdx", "input.tdx.quote.body.rtmr_2", "executables", 4, 33, 167, false),
        R(0, "mr_seam", IN, HEX96, "tdx", "input.tdx.quote.body.mr_seam", "hardware", 2, 97, 178, true),
        R(0, "mr_td", IN, HEX96, "tdx", "input.tdx.quote.body.mr_td", "hardware", 2, 97, 181, false),
        R(0, "xfam", IN, HEX16, "tdx", "input.tdx.quote.body.xfam", "configuration", 2, 36, 220, false),
        R(0, "tdvfkernel", EQ, HEX96, "tdx", "digest.digest", "executables", 3, 33, 229, false),
        R(0, "tdvfkernelparams", EQ, HEX96, "tdx", "digest.digest", "executables", 3, 33, 238, false),
        R(0, "measurement", IN, HEX96, "az-snp-vtpm", "input[\"az-snp-vtpm\"].measurement", "executables", 3, 33, 245, false),
        R(0, "snp_pcr11", IN, HEX64, "az-snp-vtpm", "input[\"az-snp-vtpm\"].tpm.pcr11", "executables", 3, 33, 246, false),
        R(0, "tcb_bootloader", IN, INTEGER, "az-snp-vtpm", "input[\"az-snp-vtpm\"].reported_tcb_bootloader", "hardware", 2, 97, 253, false),
        R(0, "tcb_microcode", IN, INTEGER, "az-snp-vtpm", "input[\"az-snp-vtpm\"].reported_tcb_microcode", "hardware", 2, 97, 254, false),
        R(0, "tcb_snp", IN, INTEGER, "az-snp-vtpm", "input[\"az-snp-vtpm\"].reported_tcb_snp", "hardware", 2, 97, 255, false),
        R(0, "tcb_tee", IN, INTEGER, "az-snp-vtpm", "input[\"az-snp-vtpm\"].reported_tcb_tee", "hardware", 2, 97, 256, false),
        R(0, "smt_enabled", IN, BOOLEAN, "az-snp-vtpm", "input[\"az-snp-vtpm\"].platform_smt_enabled", "configuration", 2, 36, 266, false),
        R(0, "tsme_enabled", IN, BOOLEAN, "az-snp-vtpm", "input[\"az-snp-vtpm\"].platform_tsme_enabled", "configuration", 2, 36, 267, false),
        R(0, "abi_major", IN, INTEGER, "az-snp-vtpm", "input[\"az-snp-vtpm\"].policy_abi_major", "configuration", 2, 36, 268, false),
        R(0, "abi_minor", IN, INTEGER, "az-snp-vtpm", "input[\"az-snp-vtpm\"].policy_abi_minor", "configuration", 2, 36, 269, false),
        R(0, "single_socket", IN, BOOLEAN, "az-snp-vtpm", "input[\"az-snp-vtpm\"].policy_single_socket", "configuration", 2, 36, 270, false),
        R(0, "smt_allowed", IN, BOOLEAN, "az-snp-vtpm", "input[\"az-snp-vtpm\"].policy_smt_allowed", "configuration", 2, 36, 271, false),
        R(0, "tdx_pcr11", IN, HEX64, "az-tdx-vtpm", "input[\"az-tdx-vtpm\"].tpm.pcr11", "executables", 3, 33, 278, false),
        R(0, "mr_seam", IN, HEX96, "tdx", "input.tdx.quote.body.mr_seam", "hardware", 2, 97, 289, true),
        R(0, "mr_td", IN, HEX96, "az-tdx-vtpm", "input[\"az-tdx-vtpm\"].quote.body.mr_td", "hardware", 2, 97, 292, false),
        R(0, "xfam", IN, HEX16, "az-tdx-vtpm", "input[\"az-tdx-vtpm\"].quote.body.xfam", "configuration", 2, 36, 303, false),
        R(0, "tpm_pcr11", IN, HEX64, "tpm", "input.tpm.pcr11", "executables", 3, 33, 314, false),
        R(0, "trusted_aks", IN, B64, "tpm", "input.tpm.ak_public", "executables", 3, 33, 316, false),
        R(1, "allowed_vbios_versions", IN, STRING, "nvidia", "input.nvidia[\"x-nvidia-gpu-vbios-version\"]", "configuration", 2, 36, 53, false),
        R(1, "allowed_driver_versions", IN, STRING, "nvidia", "input.nvidia[\"x-nvidia-gpu-driver-version\"]", "configuration", 2, 36, 54, false),
};
#undef R
#define N_BUILTIN (sizeof(builtin) / sizeof(builtin[0]))
#define N_BUILTIN_CPU 42u

CT_EXPORT const ct_rv_ref *ct_rv_builtin(size_t *ret_n)
{
        if (ret_n)
                *ret_n = N_BUILTIN;
        return builtin;
}

CT_EXPORT const char *ct_rv_builtin_file(size_t index)
{
        if (index >= N_BUILTIN)
                return NULL;
        return index < N_BUILTIN_CPU ? "ear_default_policy_cpu.rego" : "ear_default_policy_gpu.rego";
}

CT_EXPORT ct_rv_type ct_rv_builtin_type(const char *name)
{
        for (size_t i = 0; i < N_BUILTIN; i++)
                if (!builtin[i].commented_out && strcmp(builtin[i].name, name) == 0)
                        return builtin[i].type;
        for (size_t i = 0; i < N_BUILTIN; i++)
                if (strcmp(builtin[i].name, name) == 0)
                        return builtin[i].type;
        return CT_RV_TYPE_ANY;
}

/* ---- the scanner ---- */

struct rule {
        char name[64];
        int value;
        unsigned line;
        char tee[32];
};

struct dflt {
        char name[64];
        int value;
};

struct scan {
        const char *text;
        size_t len;
        struct rule *rules;
        size_t n_rules, cap_rules;
        struct dflt *dflts;
        size_t n_dflts, cap_dflts;
        ct_rv_ref *refs;
        size_t n_refs, cap_refs;
        size_t *ref_rule; /* rule index of each ref, SIZE_MAX when before any rule */
        size_t cap_ref_rule;
};

static bool is_ident(char c)
{
        return isalnum((unsigned char)c) || c == '_';
}

static void copy_trim(char *dst, size_t cap, const char *s, size_t n)
{
        while (n > 0 && isspace((unsigned char)*s)) {
                s++;
                n--;
        }
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                n--;
        if (n >= cap)
                n = cap - 1;
        memcpy(dst, s, n);
        dst[n] = '\0';
}

static bool grow(void **p, size_t *cap, size_t n, size_t elem, size_t limit)
{
        size_t ncap;
        void *q;

        if (n < *cap)
                return true;
        if (n >= limit)
                return false;
        ncap = *cap ? *cap * 2 : 16;
        if (ncap > limit)
                ncap = limit;
        q = realloc(*p, ncap * elem);
        if (!q)
                return false;
        *p = q;
        *cap = ncap;
        return true;
}

/* Offset of the first '#' outside a "string" in line[0..n), or n. */
static size_t comment_start(const char *line, size_t n)
{
        bool in_str = false;

        for (size_t i = 0; i < n; i++) {
                if (in_str) {
                        if (line[i] == '\\')
                                i++;
                        else if (line[i] == '"')
                                in_str = false;
                } else if (line[i] == '"') {
                        in_str = true;
                } else if (line[i] == '`') {
                        /* raw string: skip to the closing backquote on this line */
                        const char *e = memchr(line + i + 1, '`', n - i - 1);
                        if (!e)
                                return n;
                        i = (size_t)(e - line);
                } else if (line[i] == '#') {
                        return i;
                }
        }
        return n;
}

/* Integer after ":=" or "=" in s[0..n) (e.g. "executables := 3 if {"); `fallback` if none. */
static int head_value(const char *s, size_t n, int fallback)
{
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '=' && (i + 1 >= n || s[i + 1] != '=')) {
                        size_t j = i + 1;
                        long v = 0;
                        bool neg = false, any = false;

                        while (j < n && s[j] == ' ')
                                j++;
                        if (j < n && s[j] == '-') {
                                neg = true;
                                j++;
                        }
                        while (j < n && isdigit((unsigned char)s[j]) && v < 100000) {
                                v = v * 10 + (s[j] - '0');
                                any = true;
                                j++;
                        }
                        return any ? (int)(neg ? -v : v) : fallback;
                }
        }
        return fallback;
}

/* First TEE guard `input.X` or `input["X"]` in s[0..n) into tee; false when none. */
static bool find_tee(const char *s, size_t n, char *tee, size_t cap)
{
        for (size_t i = 0; i + 6 <= n; i++) {
                if (memcmp(s + i, "input", 5) != 0 || (i > 0 && is_ident(s[i - 1])))
                        continue;
                size_t j = i + 5;
                if (j < n && s[j] == '.') {
                        size_t k = ++j;
                        while (k < n && (is_ident(s[k]) || s[k] == '-'))
                                k++;
                        if (k > j) {
                                copy_trim(tee, cap, s + j, k - j);
                                return true;
                        }
                } else if (j + 1 < n && s[j] == '[' && s[j + 1] == '"') {
                        size_t k = j + 2;
                        while (k < n && s[k] != '"')
                                k++;
                        if (k < n && k > j + 2) {
                                copy_trim(tee, cap, s + j + 2, k - j - 2);
                                return true;
                        }
                }
        }
        return false;
}

static ct_rv_op op_before(const char *seg, size_t pos, size_t *ret_end)
{
        size_t i = pos;

        while (i > 0 && isspace((unsigned char)seg[i - 1]))
                i--;
        if (i >= 2) {
                const char *p = seg + i - 2;
                ct_rv_op op = CT_RV_OP_UNKNOWN;

                if (p[0] == 'i' && p[1] == 'n' && (i == 2 || !is_ident(p[-1])))
                        op = CT_RV_OP_IN;
                else if (p[0] == '=' && p[1] == '=')
                        op = CT_RV_OP_EQ;
                else if (p[0] == '>' && p[1] == '=')
                        op = CT_RV_OP_GE;
                else if (p[0] == '<' && p[1] == '=')
                        op = CT_RV_OP_LE;
                else if (p[0] == '!' && p[1] == '=')
                        op = CT_RV_OP_NE;
                if (op != CT_RV_OP_UNKNOWN) {
                        *ret_end = i - 2;
                        return op;
                }
        }
        *ret_end = 0;
        return CT_RV_OP_UNKNOWN;
}

/* `rv(...) == claim` written the other way round: operator after the call, reversed. */
static ct_rv_op op_after(const char *seg, size_t n, size_t pos, size_t *ret_claim)
{
        size_t i = pos;

        while (i < n && isspace((unsigned char)seg[i]))
                i++;
        if (i + 2 > n)
                return CT_RV_OP_UNKNOWN;
        *ret_claim = i + 2;
        if (seg[i] == '=' && seg[i + 1] == '=')
                return CT_RV_OP_EQ;
        if (seg[i] == '!' && seg[i + 1] == '=')
                return CT_RV_OP_NE;
        if (seg[i] == '>' && seg[i + 1] == '=')
                return CT_RV_OP_LE;
        if (seg[i] == '<' && seg[i + 1] == '=')
                return CT_RV_OP_GE;
        return CT_RV_OP_UNKNOWN;
}

static const char CALL[] = "query_reference_value";
#define CALL_LEN (sizeof(CALL) - 1)

/* Calls in seg[0..n) (one line's code or comment part). */
static ct_code scan_segment(struct scan *sc, const char *seg, size_t n, unsigned line, bool commented,
                            size_t rule, ct_error *err)
{
        for (size_t i = 0; i + CALL_LEN <= n; i++) {
                ct_rv_ref *r;
                size_t j, k, claim_end = 0;

                if (memcmp(seg + i, CALL, CALL_LEN) != 0 || (i > 0 && is_ident(seg[i - 1])) ||
                    (i + CALL_LEN < n && is_ident(seg[i + CALL_LEN])))
                        continue;
                if (!grow((void **)&sc->refs, &sc->cap_refs, sc->n_refs, sizeof(*sc->refs), CT_MAX_REGO_REFS) ||
                    !grow((void **)&sc->ref_rule, &sc->cap_ref_rule, sc->n_refs, sizeof(size_t),
                          CT_MAX_REGO_REFS)) {
                        if (sc->n_refs >= CT_MAX_REGO_REFS)
                                return ct_error_set_at(err, CT_E_LIMIT, (uint64_t)(seg + i - sc->text),
                                                       "more than %u query_reference_value calls", CT_MAX_REGO_REFS);
                        return ct_error_set(err, CT_E_NOMEM, "policy scanner");
                }
                r = &sc->refs[sc->n_refs];
                memset(r, 0, sizeof(*r));
                r->line = line;
                r->commented_out = commented;
                r->default_value = NO_DEFAULT;
                sc->ref_rule[sc->n_refs] = rule;
                j = i + CALL_LEN;
                while (j < n && isspace((unsigned char)seg[j]))
                        j++;
                if (j < n && seg[j] == '(') {
                        j++;
                        while (j < n && isspace((unsigned char)seg[j]))
                                j++;
                        if (j < n && seg[j] == '"') {
                                k = ++j;
                                while (k < n && seg[k] != '"' && seg[k] != '\\')
                                        k++;
                                if (k >= n || seg[k] != '"') {
                                        if (commented)
                                                goto next; /* prose in a comment */
                                        return ct_error_set_at(err, CT_E_MALFORMED, (uint64_t)(seg + j - sc->text),
                                                               "line %u: query_reference_value name not terminated",
                                                               line);
                                }
                                if (k - j >= CT_MAX_RV_NAME)
                                        return ct_error_set_at(err, CT_E_LIMIT, (uint64_t)(seg + j - sc->text),
                                                               "line %u: reference-value name longer than %u", line,
                                                               CT_MAX_RV_NAME - 1);
                                memcpy(r->name, seg + j, k - j);
                                r->name[k - j] = '\0';
                                j = k + 1;
                                while (j < n && isspace((unsigned char)seg[j]))
                                        j++;
                                if (j < n && seg[j] == ')')
                                        j++;
                                else
                                        r->name[0] = '\0'; /* "a" + x: computed */
                        }
                }
                r->op = op_before(seg, i, &claim_end);
                if (r->op != CT_RV_OP_UNKNOWN) {
                        copy_trim(r->claim, sizeof(r->claim), seg, claim_end);
                } else {
                        size_t cstart = 0;
                        r->op = op_after(seg, n, j, &cstart);
                        if (r->op != CT_RV_OP_UNKNOWN)
                                copy_trim(r->claim, sizeof(r->claim), seg + cstart, n - cstart);
                }
                r->type = r->name[0] ? ct_rv_builtin_type(r->name) : CT_RV_TYPE_ANY;
                if (strncmp(r->claim, "input", 5) == 0)
                        find_tee(r->claim, strlen(r->claim), r->tee, sizeof(r->tee));
                sc->n_refs++;
        next:
                i += CALL_LEN - 1;
        }
        return CT_OK;
}

static ct_code scan_line(struct scan *sc, const char *line, size_t n, unsigned lineno, ct_error *err)
{
        size_t c = comment_start(line, n);
        size_t rule = sc->n_rules ? sc->n_rules - 1 : SIZE_MAX;
        ct_code rc;

        if (c > 0 && !isspace((unsigned char)line[0]) && is_ident(line[0])) {
                /* a rule head at column 0 */
                size_t k = 0;
                char ident[64];

                while (k < c && is_ident(line[k]))
                        k++;
                copy_trim(ident, sizeof(ident), line, k);
                if (strcmp(ident, "default") == 0) {
                        size_t s = k;
                        while (s < c && line[s] == ' ')
                                s++;
                        k = s;
                        while (k < c && is_ident(line[k]))
                                k++;
                        if (k > s) {
                                if (!grow((void **)&sc->dflts, &sc->cap_dflts, sc->n_dflts, sizeof(*sc->dflts),
                                          CT_MAX_REGO_RULES))
                                        return ct_error_set(err, sc->n_dflts >= CT_MAX_REGO_RULES ? CT_E_LIMIT : CT_E_NOMEM,
                                                            "line %u: more than %u defaults", lineno, CT_MAX_REGO_RULES);
                                copy_trim(sc->dflts[sc->n_dflts].name, sizeof(sc->dflts[0].name), line + s, k - s);
                                sc->dflts[sc->n_dflts].value = head_value(line + k, c - k, NO_DEFAULT);
                                sc->n_dflts++;
                        }
                } else if (strcmp(ident, "package") != 0 && strcmp(ident, "import") != 0) {
                        struct rule *nr;

                        if (!grow((void **)&sc->rules, &sc->cap_rules, sc->n_rules, sizeof(*sc->rules),
                                  CT_MAX_REGO_RULES))
                                return ct_error_set(err, sc->n_rules >= CT_MAX_REGO_RULES ? CT_E_LIMIT : CT_E_NOMEM,
                                                    "line %u: more than %u rules", lineno, CT_MAX_REGO_RULES);
                        nr = &sc->rules[sc->n_rules];
                        memset(nr, 0, sizeof(*nr));
                        if (strcmp(ident, "else") == 0 && sc->n_rules > 0)
                                memcpy(nr->name, sc->rules[sc->n_rules - 1].name, sizeof(nr->name));
                        else
                                memcpy(nr->name, ident, sizeof(nr->name));
                        nr->value = head_value(line + k, c - k, 1);
                        nr->line = lineno;
                        rule = sc->n_rules++;
                }
        }
        if (rule != SIZE_MAX && !sc->rules[rule].tee[0])
                find_tee(line, c, sc->rules[rule].tee, sizeof(sc->rules[rule].tee));
        rc = scan_segment(sc, line, c, lineno, false, rule, err);
        if (rc == CT_OK && c < n) {
                while (c < n && (line[c] == '#' || line[c] == ' ' || line[c] == '\t'))
                        c++;
                rc = scan_segment(sc, line + c, n - c, lineno, true, rule, err);
        }
        return rc;
}

static int default_of(const struct scan *sc, const char *name)
{
        for (size_t i = 0; i < sc->n_dflts; i++)
                if (strcmp(sc->dflts[i].name, name) == 0)
                        return sc->dflts[i].value;
        return NO_DEFAULT;
}

/* The rule (not rule h itself, not another body of the same name) whose code uses helper `name`. */
static size_t helper_user(const struct scan *sc, const char *name)
{
        size_t nl = strlen(name), rule = SIZE_MAX, off = 0, next_rule = 0;
        unsigned lineno = 0;

        while (off < sc->len) {
                const char *line = sc->text + off;
                const char *e = memchr(line, '\n', sc->len - off);
                size_t n = e ? (size_t)(e - line) : sc->len - off;
                size_t c = comment_start(line, n);

                lineno++;
                while (next_rule < sc->n_rules && sc->rules[next_rule].line <= lineno)
                        rule = next_rule++;
                if (rule != SIZE_MAX && strcmp(sc->rules[rule].name, name) != 0 && c >= nl) {
                        for (size_t i = 0; i + nl <= c; i++)
                                if (memcmp(line + i, name, nl) == 0 && (i == 0 || !is_ident(line[i - 1])) &&
                                    (i + nl == c || !is_ident(line[i + nl])) && sc->rules[rule].line != lineno)
                                        return rule;
                }
                off += n + 1;
        }
        return SIZE_MAX;
}

CT_EXPORT ct_code ct_rego_scan(const char *text, size_t len, ct_rv_ref **ret, size_t *ret_n, ct_error *err)
{
        struct scan sc = { .text = text, .len = len };
        struct { char name[64]; size_t user; } helpers[CT_MAX_REGO_HELPERS];
        size_t n_helpers = 0, off = 0;
        unsigned lineno = 0;
        ct_code rc = CT_OK;

        if (!ret || !ret_n || (!text && len))
                return ct_error_set(err, CT_E_ARG, "ct_rego_scan: NULL argument");
        if (len > CT_MAX_REGO_SIZE)
                return ct_error_set(err, CT_E_LIMIT, "policy larger than %u bytes", CT_MAX_REGO_SIZE);
        if (len && memchr(text, '\0', len)) {
                size_t at = (size_t)((const char *)memchr(text, '\0', len) - text);
                return ct_error_set_at(err, CT_E_MALFORMED, at, "NUL byte in a policy text");
        }
        while (off < len) {
                const char *line = text + off;
                const char *e = memchr(line, '\n', len - off);
                size_t n = e ? (size_t)(e - line) : len - off;

                lineno++;
                if (n > 0 && line[n - 1] == '\r')
                        n--;
                rc = scan_line(&sc, line, n, lineno, err);
                if (rc != CT_OK)
                        goto out;
                off += (size_t)(e ? e - line + 1 : (ptrdiff_t)n);
                if (!e)
                        break;
        }
        for (size_t i = 0; i < sc.n_refs; i++) {
                ct_rv_ref *r = &sc.refs[i];
                size_t ri = sc.ref_rule[i];
                const struct rule *ru;

                if (ri == SIZE_MAX)
                        continue;
                ru = &sc.rules[ri];
                if (default_of(&sc, ru->name) == NO_DEFAULT) {
                        /* a helper rule: follow it once to the rule that uses it */
                        size_t h, user = SIZE_MAX;
                        for (h = 0; h < n_helpers; h++)
                                if (strcmp(helpers[h].name, ru->name) == 0)
                                        break;
                        if (h < n_helpers) {
                                user = helpers[h].user;
                        } else if (n_helpers < CT_MAX_REGO_HELPERS) {
                                user = helper_user(&sc, ru->name);
                                memcpy(helpers[n_helpers].name, ru->name, sizeof(helpers[0].name));
                                helpers[n_helpers++].user = user;
                        }
                        if (user != SIZE_MAX) {
                                if (!ru->tee[0] && !r->tee[0])
                                        memcpy(r->tee, sc.rules[user].tee, sizeof(r->tee));
                                ru = &sc.rules[user];
                        }
                }
                memcpy(r->trust_claim, ru->name, sizeof(r->trust_claim) - 1);
                r->trust_claim[sizeof(r->trust_claim) - 1] = '\0';
                r->rule_value = ru->value;
                r->default_value = default_of(&sc, ru->name);
                if (!r->tee[0])
                        memcpy(r->tee, sc.rules[ri].tee[0] ? sc.rules[ri].tee : ru->tee, sizeof(r->tee));
        }
        *ret = sc.n_refs ? sc.refs : NULL;
        if (!sc.n_refs)
                free(sc.refs);
        *ret_n = sc.n_refs;
        sc.refs = NULL;
out:
        free(sc.refs);
        free(sc.ref_rule);
        free(sc.rules);
        free(sc.dflts);
        return rc;
}
