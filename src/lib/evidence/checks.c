/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — the check list every verification fills in. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "evidence-internal.h"

void ct_checks_addv(ct_checks *c, const char *name, ct_check_status st, const char *fmt, va_list ap)
{
        ct_check *k;

        if (st == CT_CHECK_FAIL)
                c->n_failed++;
        else if (st == CT_CHECK_WARN)
                c->n_warnings++;
        if (c->n >= CT_MAX_CHECKS) {
                /* Keep the count of failures right even if the list is full; the last slot says so. */
                k = &c->items[CT_MAX_CHECKS - 1];
                snprintf(k->name, sizeof(k->name), "%s", "too_many_checks");
                k->status = CT_CHECK_FAIL;
                snprintf(k->reason, sizeof(k->reason), "more than %d checks; some are not listed", CT_MAX_CHECKS);
                return;
        }
        k = &c->items[c->n++];
        snprintf(k->name, sizeof(k->name), "%s", name);
        k->status = st;
        vsnprintf(k->reason, sizeof(k->reason), fmt, ap);
}

void ct_checks_add(ct_checks *c, const char *name, ct_check_status st, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        ct_checks_addv(c, name, st, fmt, ap);
        va_end(ap);
}

void ct_checks_append(ct_checks *dst, const ct_checks *src)
{
        for (size_t i = 0; i < src->n; i++)
                ct_checks_add(dst, src->items[i].name, src->items[i].status, "%s", src->items[i].reason);
}

void *ct_checks_result_new(size_t size, ct_error *err)
{
        void *res = calloc(1, size);

        if (!res)
                ct_error_set(err, CT_E_NOMEM, "out of memory");
        return res;
}

CT_EXPORT const ct_check *ct_checks_find(const ct_checks *c, const char *name)
{
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->items[i].name, name) == 0)
                        return &c->items[i];
        return NULL;
}
