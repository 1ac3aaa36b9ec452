/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's serial console after a capture boot: untrusted text. Lines are
 * taken through a bounded reader; only marker lines after the begin marker
 * are interpreted, each checked whole; the base64 text of the log is capped
 * (CT_CAPTURE_MAX_BASE64) before it grows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/capture.h>
#include <cocotrust/codec.h>
#include <cocotrust/reader.h>

#include "../internal.h"

struct text {
        char *p;
        size_t len, cap;
};

static ct_code text_add(struct text *t, const char *p, size_t n, uint64_t off, ct_error *err)
{
        if (n > CT_CAPTURE_MAX_BASE64 - t->len)
                return ct_error_set_at(err, CT_E_LIMIT, off, "console: event log text beyond %u bytes",
                                       CT_CAPTURE_MAX_BASE64);
        if (t->len + n + 1 > t->cap) {
                size_t cap = t->cap ? t->cap : 4096;
                char *np;

                while (cap < t->len + n + 1)
                        cap *= 2; /* bounded by CT_CAPTURE_MAX_BASE64 */
                np = realloc(t->p, cap);
                if (!np)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                t->p = np;
                t->cap = cap;
        }
        memcpy(t->p + t->len, p, n);
        t->len += n;
        t->p[t->len] = 0;
        return CT_OK;
}

/* Strict decimal: digits only, no sign, no overflow past `max`. */
static bool parse_dec(const char *s, unsigned long long max, unsigned long long *ret)
{
        unsigned long long v = 0;

        if (!*s)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return false;
                if (v > (max - (unsigned)(*s - '0')) / 10)
                        return false;
                v = v * 10 + (unsigned)(*s - '0');
        }
        *ret = v;
        return true;
}

/* "BANK INDEX HEX": exactly three fields separated by single spaces. */
static bool parse_pcr_line(char *s, ct_pcr_set *pcrs)
{
        char *bank = s, *idx, *hex;
        unsigned long long i;
        ct_hash_alg alg;
        ct_digest d;
        size_t dl = 0;

        idx = strchr(bank, ' ');
        if (!idx)
                return false;
        *idx++ = 0;
        hex = strchr(idx, ' ');
        if (!hex)
                return false;
        *hex++ = 0;
        if (strchr(hex, ' ') || !parse_dec(idx, CT_PCR_COUNT - 1, &i))
                return false;
        alg = ct_hash_from_name(bank);
        if (alg == CT_HASH_NONE || strlen(hex) != 2 * ct_hash_size(alg) ||
            ct_hex_decode(hex, d.bytes, sizeof(d.bytes), &dl, NULL) != CT_OK || dl != ct_hash_size(alg))
                return false;
        d.alg = alg;
        d.len = dl;
        return ct_pcr_set_put(pcrs, (unsigned)i, &d, NULL) == CT_OK;
}

enum state { BEFORE, BODY, IN_LOG, IN_IMA, DONE };

CT_EXPORT ct_code ct_capture_parse_console(const void *text, size_t len, ct_capture_console *ret, ct_error *err)
{
        ct_capture_console c;
        struct text b64 = { 0 };
        enum state st = BEFORE;
        bool have_size = false, log_seen = false;
        unsigned long long want = 0;
        ct_reader r;
        ct_code rc = CT_OK;

        memset(&c, 0, sizeof(c));
        ct_pcr_set_init(&c.pcrs);
        if (len > CT_CAPTURE_MAX_CONSOLE)
                return ct_error_set(err, CT_E_LIMIT, "console: %zu bytes beyond %u MiB", len,
                                    CT_CAPTURE_MAX_CONSOLE >> 20);
        ct_reader_init(&r, text, len, 0);
        while (st != DONE && ct_reader_remaining(&r)) {
                const uint8_t *rest = ct_reader_ptr(&r, 0, "console line");
                size_t avail = ct_reader_remaining(&r);
                const uint8_t *nl = memchr(rest, '\n', avail);
                size_t n = nl ? (size_t)(nl - rest) : avail;
                uint64_t off = ct_reader_abs(&r);
                const uint8_t *p = ct_reader_ptr(&r, n, "console line");
                char line[CT_CAPTURE_MAX_LINE + 1];

                if (nl)
                        ct_reader_skip(&r, 1, "console newline");
                if (!p)
                        break;
                if (n > CT_CAPTURE_MAX_LINE) { /* never one of ours; inside the log it is an error */
                        if (st == IN_LOG) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, off,
                                                     "console: event log line of %zu characters", n);
                                goto out;
                        }
                        continue;
                }
                memcpy(line, p, n);
                line[n] = 0;
                while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
                        line[--n] = 0;
                if (memchr(line, 0, n)) /* a NUL inside: not a line of ours */
                        n = strlen(line);

                switch (st) {
                case BEFORE:
                        if (strstr(line, "==COCOTRUST-CAPTURE-BEGIN==")) {
                                c.dialect = CT_CAPTURE_DIALECT_COCOTRUST;
                                st = BODY;
                        } else if (strcmp(line, "==BEGIN EVENTLOG==") == 0 ||
                                   (n > 18 && strcmp(line + n - 18, "==BEGIN EVENTLOG==") == 0)) {
                                c.dialect = CT_CAPTURE_DIALECT_SEED;
                                st = IN_LOG;
                                log_seen = true;
                        }
                        continue;
                case IN_LOG:
                        if (strcmp(line, c.dialect == CT_CAPTURE_DIALECT_SEED ? "==END EVENTLOG==" : "==EVENTLOG-END==") == 0) {
                                st = BODY;
                                continue;
                        }
                        if (strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != n) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, off,
                                                     "console: a non-base64 line inside the event log");
                                goto out;
                        }
                        if ((rc = text_add(&b64, line, n, off, err)))
                                goto out;
                        continue;
                case IN_IMA:
                        if (strcmp(line, "==END IMA==") == 0)
                                st = BODY;
                        continue;
                case BODY:
                        break;
                case DONE:
                        continue;
                }
                /* BODY: marker lines of the capture. */
                if (strncmp(line, "==PCR== ", 8) == 0) {
                        if (!parse_pcr_line(line + 8, &c.pcrs)) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, off, "console: bad PCR line '%.80s'",
                                                     (const char *)p);
                                goto out;
                        }
                } else if (c.dialect == CT_CAPTURE_DIALECT_COCOTRUST && strncmp(line, "==EVENTLOG-BEGIN== ", 19) == 0) {
                        if (log_seen) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, off, "console: a second event log");
                                goto out;
                        }
                        if (!parse_dec(line + 19, ~0ull, &want)) {
                                rc = ct_error_set_at(err, CT_E_MALFORMED, off, "console: bad event log size '%.40s'",
                                                     line + 19);
                                goto out;
                        }
                        if (want > CT_TCG_MAX_LOG_SIZE) {
                                rc = ct_error_set_at(err, CT_E_LIMIT, off,
                                                     "console: event log of %llu bytes beyond %u MiB", want,
                                                     CT_TCG_MAX_LOG_SIZE >> 20);
                                goto out;
                        }
                        have_size = log_seen = true;
                        st = IN_LOG;
                } else if (c.dialect == CT_CAPTURE_DIALECT_SEED && strcmp(line, "==BEGIN EVENTLOG==") == 0) {
                        rc = ct_error_set_at(err, CT_E_MALFORMED, off, "console: a second event log");
                        goto out;
                } else if (c.dialect == CT_CAPTURE_DIALECT_SEED && strcmp(line, "==BEGIN IMA==") == 0) {
                        st = IN_IMA;
                } else if (strncmp(line, "==ERROR== ", 10) == 0) {
                        snprintf(c.guest_error, sizeof(c.guest_error), "%.200s", line + 10);
                } else if (strcmp(line, c.dialect == CT_CAPTURE_DIALECT_SEED ? "==DONE==" : "==COCOTRUST-CAPTURE-END==") ==
                           0) {
                        c.complete = true;
                        st = DONE;
                }
        }
        if (st == IN_LOG) { /* the output stopped inside the log: no log */
                free(b64.p);
                b64.p = NULL;
                b64.len = 0;
                log_seen = false;
        }
        if (log_seen) {
                size_t cap = b64.len / 4 * 3 + 3, got = 0;

                c.log = malloc(cap);
                if (!c.log) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
                if (b64.len && ct_base64_decode(b64.p, c.log, cap, &got, err) != CT_OK) {
                        ct_error_prefix(err, "console: event log");
                        rc = CT_E_MALFORMED;
                        goto out;
                }
                if (have_size && got != want) {
                        rc = ct_error_set(err, CT_E_MALFORMED,
                                          "console: the event log has %zu bytes, the guest announced %llu", got, want);
                        goto out;
                }
                if (got == 0) {
                        free(c.log);
                        c.log = NULL;
                }
                c.log_len = got;
        }
out:
        free(b64.p);
        if (rc) {
                free(c.log);
                return rc;
        }
        *ret = c;
        return CT_OK;
}

CT_EXPORT void ct_capture_console_free(ct_capture_console *c)
{
        if (!c)
                return;
        free(c->log);
        memset(c, 0, sizeof(*c));
}

static bool has(const uint8_t *t, size_t len, const char *s)
{
        return len && memmem(t, len, s, strlen(s)) != NULL;
}

CT_EXPORT ct_capture_phase ct_capture_console_phase(const void *text, size_t len)
{
        const uint8_t *t = text;

        if (has(t, len, "==COCOTRUST-CAPTURE-BEGIN==") || has(t, len, "==BEGIN EVENTLOG=="))
                return CT_CAPTURE_PHASE_COLLECTING;
        if (has(t, len, "EFI stub: ") || has(t, len, "Linux version ") || has(t, len, "[    0."))
                return CT_CAPTURE_PHASE_KERNEL;
        return CT_CAPTURE_PHASE_FIRMWARE;
}

CT_EXPORT const char *ct_capture_phase_name(ct_capture_phase p)
{
        switch (p) {
        case CT_CAPTURE_PHASE_KERNEL:
                return "kernel";
        case CT_CAPTURE_PHASE_COLLECTING:
                return "collecting";
        default:
                return "firmware";
        }
}
