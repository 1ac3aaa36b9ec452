/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cocotrust/error.h>

#include "internal.h"

CT_EXPORT const char *ct_code_name(ct_code code)
{
        static const char *const names[CT_E__MAX] = {
                [CT_OK] = "ok",
                [CT_E_TRUNCATED] = "truncated",
                [CT_E_MALFORMED] = "malformed",
                [CT_E_UNSUPPORTED] = "unsupported",
                [CT_E_LIMIT] = "limit exceeded",
                [CT_E_MISMATCH] = "mismatch",
                [CT_E_IO] = "I/O error",
                [CT_E_NOMEM] = "out of memory",
                [CT_E_CRYPTO] = "crypto error",
                [CT_E_ARG] = "invalid argument",
                [CT_E_INPUT] = "unusable input",
        };
        if ((unsigned)code >= CT_E__MAX)
                return "unknown error";
        return names[code];
}

CT_EXPORT int ct_code_exit_status(ct_code code)
{
        switch (code) {
        case CT_OK:
                return 0;
        case CT_E_MISMATCH:
                return 1;
        case CT_E_TRUNCATED:
        case CT_E_MALFORMED:
        case CT_E_UNSUPPORTED:
        case CT_E_LIMIT:
        case CT_E_ARG:
        case CT_E_INPUT:
                return 2;
        default:
                return 3;
        }
}

CT_EXPORT void ct_error_clear(ct_error *err)
{
        if (!err)
                return;
        memset(err, 0, sizeof(*err));
}

static void vset(ct_error *err, ct_code code, const char *fmt, va_list ap)
{
        err->code = code;
        err->sys_errno = 0;
        err->has_offset = false;
        err->offset = 0;
        err->input[0] = 0;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

/* Records errnum and appends ": strerror(errnum)" (no ": " before an empty message unless @colon_always). */
static void add_errno(ct_error *err, int errnum, bool colon_always)
{
        size_t n = strlen(err->msg);

        err->sys_errno = errnum;
        if (errnum && n < sizeof(err->msg))
                snprintf(err->msg + n, sizeof(err->msg) - n, "%s%s", n || colon_always ? ": " : "",
                         strerror(errnum));
}

CT_EXPORT ct_code ct_error_set(ct_error *err, ct_code code, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return code;
        va_start(ap, fmt);
        vset(err, code, fmt, ap);
        va_end(ap);
        return code;
}

CT_EXPORT ct_code ct_error_set_at(ct_error *err, ct_code code, uint64_t offset, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return code;
        va_start(ap, fmt);
        vset(err, code, fmt, ap);
        va_end(ap);
        err->has_offset = true;
        err->offset = offset;
        return code;
}

CT_EXPORT ct_code ct_error_set_errno(ct_error *err, int errnum, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return CT_E_IO;
        va_start(ap, fmt);
        vset(err, CT_E_IO, fmt, ap);
        va_end(ap);
        add_errno(err, errnum, true);
        return CT_E_IO;
}

CT_EXPORT ct_code ct_error_set_open(ct_error *err, int errnum, const char *input, const char *fmt, ...)
{
        va_list ap;
        ct_code code = CT_E_IO;

        switch (errnum) {
        case ENOENT:
        case ENOTDIR:
        case EACCES:
        case EPERM:
        case EISDIR:
        case ELOOP:
        case ENXIO:
        case ENAMETOOLONG:
                code = CT_E_INPUT;
                break;
        default:
                break;
        }
        if (!err)
                return code;
        va_start(ap, fmt);
        vset(err, code, fmt, ap);
        va_end(ap);
        add_errno(err, errnum, false);
        ct_error_set_input(err, input);
        return code;
}

CT_EXPORT void ct_error_set_input(ct_error *err, const char *input)
{
        if (!err)
                return;
        if (!input) {
                err->input[0] = 0;
                return;
        }
        snprintf(err->input, sizeof(err->input), "%s", input);
}

CT_EXPORT void ct_error_default_input(ct_error *err, const char *input)
{
        if (err && !err->input[0])
                ct_error_set_input(err, input);
}

CT_EXPORT void ct_error_prefix(ct_error *err, const char *fmt, ...)
{
        char prefix[CT_ERROR_MSG_MAX];
        char old[CT_ERROR_MSG_MAX];
        va_list ap;

        if (!err)
                return;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof(old));
        {
                size_t pl = strnlen(prefix, sizeof(err->msg) - 1);
                memcpy(err->msg, prefix, pl);
                err->msg[pl] = 0;
                strncat(err->msg, ": ", sizeof(err->msg) - 1 - strlen(err->msg));
                strncat(err->msg, old, sizeof(err->msg) - 1 - strlen(err->msg));
        }
}
