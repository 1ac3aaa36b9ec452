/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — error codes and the error record every library call can fill in. */
#ifndef COCOTRUST_ERROR_H
#define COCOTRUST_ERROR_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every fallible library call. CT_OK is 0, everything else is an error. */
typedef enum ct_code {
        CT_OK = 0,
        CT_E_TRUNCATED,   /* input ended before a field it announces */
        CT_E_MALFORMED,   /* a field holds a value the format does not allow */
        CT_E_UNSUPPORTED, /* valid input we do not handle (say what) */
        CT_E_LIMIT,       /* a count or size beyond a CT_MAX_* limit */
        CT_E_MISMATCH,    /* verification failed: values differ */
        CT_E_IO,          /* read/write/open failed (errno kept) */
        CT_E_NOMEM,
        CT_E_CRYPTO,      /* OpenSSL failed */
        CT_E_ARG,         /* caller passed an invalid argument */
        CT_E_INPUT,       /* an input cannot be used: missing, not permitted, wrong file type (exit 2) */
        CT_E__MAX
} ct_code;

#define CT_ERROR_MSG_MAX 512
#define CT_ERROR_INPUT_MAX 512

/*
 * Details of an error. Callers may pass NULL wherever a `ct_error *` is
 * accepted. `offset` is meaningful when `has_offset` is true: the byte offset
 * in the input (file) where the problem was found.
 *
 * `input` names the input the error is about (a path, "-" for standard
 * input, or a name such as "--root-hash"), empty when the code that failed
 * did not know it (a parser given bytes). The message never repeats it: a
 * program prints "<input>: <msg>" (the CLI's one error printer does).
 * ct_error_set* clear it; set it with ct_error_set_input afterwards.
 */
typedef struct ct_error {
        ct_code code;
        int sys_errno;       /* errno for CT_E_IO / CT_E_INPUT, else 0 */
        bool has_offset;
        uint64_t offset;
        char msg[CT_ERROR_MSG_MAX];
        char input[CT_ERROR_INPUT_MAX];
} ct_error;

/* Short stable name of a code ("truncated", "malformed", ...). Never NULL. */
const char *ct_code_name(ct_code code);

/*
 * Exit status the tool uses for a code: 0 ok, 1 verification failed
 * (CT_E_MISMATCH), 2 bad input or usage, 3 I/O or internal error.
 */
int ct_code_exit_status(ct_code code);

/* Reset *err to CT_OK with an empty message. NULL is accepted. */
void ct_error_clear(ct_error *err);

/* Fill *err (if not NULL) and return `code`. printf-style message. */
ct_code ct_error_set(ct_error *err, ct_code code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* As ct_error_set, with the byte offset in the input where it happened. */
ct_code ct_error_set_at(ct_error *err, ct_code code, uint64_t offset, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* As ct_error_set for CT_E_IO, keeping errno `errnum` and appending strerror. */
ct_code ct_error_set_errno(ct_error *err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * As ct_error_set_errno, with the code chosen from errnum for an input that
 * cannot be opened: ENOENT, ENOTDIR, EACCES, EPERM, EISDIR, ELOOP, ENXIO,
 * ENAMETOOLONG give CT_E_INPUT (exit 2), anything else CT_E_IO. `input` is
 * recorded as the error's input (may be NULL).
 */
ct_code ct_error_set_open(ct_error *err, int errnum, const char *input, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * Record which input an already-set error is about (overwrites; NULL or ""
 * clears). Long names are truncated. NULL err is accepted.
 */
void ct_error_set_input(ct_error *err, const char *input);

/* As ct_error_set_input, only when no input is recorded yet. */
void ct_error_default_input(ct_error *err, const char *input);

/* Prefix the message of an already-set error with "<prefix>: ". */
void ct_error_prefix(ct_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
