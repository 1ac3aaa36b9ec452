/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cocotrust/fileio.h>

#include "internal.h"

static const char *file_type_name(mode_t m)
{
        if (S_ISDIR(m))
                return "a directory";
        if (S_ISCHR(m))
                return "a character device";
        if (S_ISFIFO(m))
                return "a FIFO";
        if (S_ISSOCK(m))
                return "a socket";
        return "not a regular file";
}

CT_EXPORT ct_code ct_blob_read(const char *path, uint64_t max, ct_blob *ret, ct_error *err)
{
        ct_cleanup_close int fd = -1;
        struct stat st;
        void *p;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return ct_error_set_open(err, errno, path, "cannot open");
        if (fstat(fd, &st) < 0)
                return ct_error_set_open(err, errno, path, "cannot stat");
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
                ct_error_set(err, CT_E_INPUT, "%s, expected a regular file", file_type_name(st.st_mode));
                ct_error_set_input(err, path);
                return CT_E_INPUT;
        }
        if (S_ISBLK(st.st_mode)) {
                off_t end = lseek(fd, 0, SEEK_END);
                if (end < 0)
                        return ct_error_set_open(err, errno, path, "cannot size");
                st.st_size = end;
        }
        if (max && (uint64_t)st.st_size > max) {
                ct_error_set(err, CT_E_LIMIT, "file is %lld bytes, at most %llu accepted", (long long)st.st_size,
                             (unsigned long long)max);
                ct_error_set_input(err, path);
                return CT_E_LIMIT;
        }
        if ((uint64_t)st.st_size > SIZE_MAX) {
                ct_error_set(err, CT_E_LIMIT, "file too large");
                ct_error_set_input(err, path);
                return CT_E_LIMIT;
        }
        ret->len = (size_t)st.st_size;
        ret->data = NULL;
        ret->mapped_ = 0;
        if (ret->len == 0)
                return CT_OK;
        p = mmap(NULL, ret->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return ct_error_set_open(err, errno, path, "cannot map");
        ret->data = p;
        ret->mapped_ = 1;
        return CT_OK;
}

CT_EXPORT void ct_blob_free(ct_blob *b)
{
        if (!b)
                return;
        if (b->mapped_ && b->data)
                munmap((void *)b->data, b->len);
        else
                free((void *)b->data);
        b->data = NULL;
        b->len = 0;
        b->mapped_ = 0;
}

CT_EXPORT ct_code ct_atomic_open(const char *path, ct_atomic_file *ret, ct_error *err)
{
        char *tmp = NULL, *final = NULL;
        int fd;

        final = strdup(path);
        if (!final || asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
                free(final);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                int e = errno;
                free(tmp);
                free(final);
                ct_error_set_errno(err, e, "cannot create a temporary file beside it");
                ct_error_set_input(err, path);
                return CT_E_IO;
        }
        {
                mode_t um = umask(0);
                umask(um);
                (void)fchmod(fd, 0644 & ~um);
        }
        ret->fd = fd;
        ret->tmp_path = tmp;
        ret->path = final;
        return CT_OK;
}

CT_EXPORT ct_code ct_atomic_write(ct_atomic_file *f, const void *buf, size_t len, ct_error *err)
{
        const uint8_t *p = buf;

        while (len) {
                ssize_t n = write(f->fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                {
                        ct_error_set_errno(err, errno, "write");
                        ct_error_set_input(err, f->path);
                        return CT_E_IO;
                }
                }
                p += n;
                len -= (size_t)n;
        }
        return CT_OK;
}

static void atomic_release(ct_atomic_file *f)
{
        if (f->fd >= 0)
                close(f->fd);
        f->fd = -1;
        free(f->tmp_path);
        free(f->path);
        f->tmp_path = f->path = NULL;
}

CT_EXPORT ct_code ct_atomic_commit(ct_atomic_file *f, ct_error *err)
{
        ct_cleanup_free char *dir = NULL;
        int dfd;

        if (!f->tmp_path)
                return ct_error_set(err, CT_E_ARG, "atomic file not open");
        if (fsync(f->fd) < 0) {
                ct_error_set_errno(err, errno, "fsync");
                ct_error_set_input(err, f->path);
                ct_atomic_abort(f);
                return CT_E_IO;
        }
        if (close(f->fd) < 0) {
                f->fd = -1;
                ct_error_set_errno(err, errno, "close");
                ct_error_set_input(err, f->path);
                ct_atomic_abort(f);
                return CT_E_IO;
        }
        f->fd = -1;
        if (rename(f->tmp_path, f->path) < 0) {
                ct_error_set_errno(err, errno, "rename");
                ct_error_set_input(err, f->path);
                ct_atomic_abort(f);
                return CT_E_IO;
        }
        dir = strdup(f->path);
        if (dir) {
                dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd >= 0) {
                        (void)fsync(dfd);
                        close(dfd);
                }
        }
        atomic_release(f);
        return CT_OK;
}

CT_EXPORT void ct_atomic_abort(ct_atomic_file *f)
{
        if (!f || !f->tmp_path)
                return;
        if (f->fd >= 0)
                close(f->fd);
        f->fd = -1;
        (void)unlink(f->tmp_path);
        atomic_release(f);
}

CT_EXPORT ct_code ct_write_file_atomic(const char *path, const void *buf, size_t len, ct_error *err)
{
        ct_atomic_file f;
        ct_code r;

        r = ct_atomic_open(path, &f, err);
        if (r)
                return r;
        r = ct_atomic_write(&f, buf, len, err);
        if (r) {
                ct_atomic_abort(&f);
                return r;
        }
        return ct_atomic_commit(&f, err);
}

CT_EXPORT ct_code ct_pwrite_all(int fd, const void *buf, size_t len, uint64_t offset, ct_error *err)
{
        const uint8_t *p = buf;

        while (len) {
                ssize_t n = pwrite(fd, p, len, (off_t)offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return ct_error_set_errno(err, errno, "pwrite at offset %llu", (unsigned long long)offset);
                }
                p += n;
                len -= (size_t)n;
                offset += (uint64_t)n;
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_pread_all(int fd, void *buf, size_t len, uint64_t offset, ct_error *err)
{
        uint8_t *p = buf;

        while (len) {
                ssize_t n = pread(fd, p, len, (off_t)offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return ct_error_set_errno(err, errno, "pread at offset %llu", (unsigned long long)offset);
                }
                if (n == 0)
                        return ct_error_set_at(err, CT_E_TRUNCATED, offset, "file ends at offset %llu",
                                               (unsigned long long)offset);
                p += n;
                len -= (size_t)n;
                offset += (uint64_t)n;
        }
        return CT_OK;
}
