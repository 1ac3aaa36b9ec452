/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — what library areas share but do not export. */
#ifndef COCOTRUST_INTERNAL_H
#define COCOTRUST_INTERNAL_H

#include <stdlib.h>
#include <unistd.h>

#define CT_EXPORT __attribute__((visibility("default")))

#define CT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CT_MAX(a, b) ((a) > (b) ? (a) : (b))

static inline void ct_freep(void *p) { free(*(void **)p); }
#define ct_cleanup_free __attribute__((cleanup(ct_freep)))

static inline void ct_closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
#define ct_cleanup_close __attribute__((cleanup(ct_closep)))

/* fileio.c: a mapping of `path` whose SIGBUS (the file shrank) ends the run with a message. */
void ct_io_guard_map(const void *p, size_t len, const char *path);
void ct_io_unguard_map(const void *p);

#endif
