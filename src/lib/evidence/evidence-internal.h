/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — what the evidence area's files share. */
#ifndef COCOTRUST_EVIDENCE_INTERNAL_H
#define COCOTRUST_EVIDENCE_INTERNAL_H

#include <stdarg.h>

#include <cocotrust/evidence.h>

#include "../internal.h"

void ct_checks_add(ct_checks *c, const char *name, ct_check_status st, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void ct_checks_addv(ct_checks *c, const char *name, ct_check_status st, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));
void ct_checks_append(ct_checks *dst, const ct_checks *src);

/* A zeroed verify result of `size` bytes (the caller's ct_*_result); NULL after CT_E_NOMEM in err. */
void *ct_checks_result_new(size_t size, ct_error *err);

#endif
