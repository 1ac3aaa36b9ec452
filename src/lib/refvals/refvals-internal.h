/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — what the refvals (manifest) files share. Not installed. */
#ifndef COCOTRUST_REFVALS_INTERNAL_H
#define COCOTRUST_REFVALS_INTERNAL_H

#include "../internal.h"
#include <stdbool.h>
#include <stddef.h>

#include <cocotrust/manifest.h>

char *ct_refvals_strdup(const char *s);
void *ct_refvals_grow(void *arrp, size_t *n, size_t size, size_t max, ct_error *err, const char *what);
bool ct_refvals_key_ok(const char *k);
void ct_refvals_artifact_clear(ct_manifest_artifact *a);
void ct_refvals_verity_clear(ct_manifest_verity *v);

#endif
