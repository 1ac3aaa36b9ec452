/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — reading files whole (mmap) and writing them atomically
 * (temporary file in the same directory, fsync, rename, fsync dir), so an
 * interrupted run never leaves a partial output under the final name.
 */
#ifndef COCOTRUST_FILEIO_H
#define COCOTRUST_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A read-only view of a whole file. */
typedef struct ct_blob {
        const uint8_t *data;
        size_t len;
        int mapped_; /* internal */
} ct_blob;

/*
 * Map (or read) the whole file at path. Limit: `max` bytes (0 = no limit,
 * else CT_E_LIMIT). Release with ct_blob_free (NULL-safe). Empty files give
 * data == NULL, len == 0.
 */
ct_code ct_blob_read(const char *path, uint64_t max, ct_blob *ret, ct_error *err);
void ct_blob_free(ct_blob *b);

/* Atomic writer. */
typedef struct ct_atomic_file {
        int fd;          /* write to this */
        char *tmp_path;  /* owned */
        char *path;      /* owned, final name */
} ct_atomic_file;

/* Create a temporary file next to path (mode 0644 minus umask). */
ct_code ct_atomic_open(const char *path, ct_atomic_file *ret, ct_error *err);

/* Write all of buf to the temporary file (retries short writes, EINTR). */
ct_code ct_atomic_write(ct_atomic_file *f, const void *buf, size_t len, ct_error *err);

/* fsync, rename over path, fsync the directory; frees f. */
ct_code ct_atomic_commit(ct_atomic_file *f, ct_error *err);

/* Remove the temporary file and free f. NULL-safe and safe after commit. */
void ct_atomic_abort(ct_atomic_file *f);

/* One call: write buf to path atomically. */
ct_code ct_write_file_atomic(const char *path, const void *buf, size_t len, ct_error *err);

/* Write all of buf at offset (pwrite loop). */
ct_code ct_pwrite_all(int fd, const void *buf, size_t len, uint64_t offset, ct_error *err);

/* Read exactly len bytes at offset; CT_E_TRUNCATED if the file is shorter. */
ct_code ct_pread_all(int fd, void *buf, size_t len, uint64_t offset, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
