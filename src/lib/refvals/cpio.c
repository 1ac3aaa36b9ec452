/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — reproducible initrd: newc cpio (the kernel's initramfs format,
 * Documentation/driver-api/early-userspace/buffer-format.rst) of a directory
 * tree, sorted, with owners, inode numbers and mtimes normalised; optional
 * gzip through zlib with an empty header (no name, mtime 0).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include <cocotrust/fileio.h>
#include <cocotrust/reference.h>

#include "../internal.h"

typedef struct entry {
        char *rel;      /* path relative to the root, no leading "./" */
} entry;

typedef struct walk {
        entry *v;
        size_t n, cap;
        ct_error *err;
} walk;

static ct_code add_entry(walk *w, const char *rel)
{
        if (w->n >= CT_MAX_INITRD_ENTRIES)
                return ct_error_set(w->err, CT_E_LIMIT, "more than %u entries", CT_MAX_INITRD_ENTRIES);
        if (w->n == w->cap) {
                size_t nc = w->cap ? w->cap * 2 : 256;
                entry *nv = realloc(w->v, nc * sizeof(*nv));

                if (!nv)
                        return ct_error_set(w->err, CT_E_NOMEM, "out of memory");
                w->v = nv;
                w->cap = nc;
        }
        w->v[w->n].rel = strdup(rel);
        if (!w->v[w->n].rel)
                return ct_error_set(w->err, CT_E_NOMEM, "out of memory");
        w->n++;
        return CT_OK;
}

static ct_code scan(walk *w, const char *root, const char *rel, unsigned depth)
{
        char path[8192];
        DIR *d;
        struct dirent *de;
        ct_code rc = CT_OK;

        if (depth > 64)
                return ct_error_set(w->err, CT_E_LIMIT, "%s/%s: directories nested deeper than 64", root, rel);
        snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
        d = opendir(path);
        if (!d)
                return ct_error_set_open(w->err, errno, path, "cannot open the directory");
        while (rc == CT_OK && (errno = 0, de = readdir(d)) != NULL) {
                char sub[4096];
                struct stat st;
                int n;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                n = snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
                if (n < 0 || (size_t)n >= sizeof(sub) - strlen(root) - 2) {
                        rc = ct_error_set(w->err, CT_E_LIMIT, "%s/%s: path too long", root, rel);
                        break;
                }
                snprintf(path, sizeof(path), "%s/%s", root, sub);
                if (lstat(path, &st) != 0) {
                        rc = ct_error_set_errno(w->err, errno, "%s", path);
                        break;
                }
                if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
                        rc = ct_error_set(w->err, CT_E_UNSUPPORTED,
                                          "%s: not a directory, regular file or symbolic link (device nodes and "
                                          "FIFOs are not packed)",
                                          path);
                        break;
                }
                rc = add_entry(w, sub);
                if (rc == CT_OK && S_ISDIR(st.st_mode))
                        rc = scan(w, root, sub, depth + 1);
        }
        if (rc == CT_OK && errno)
                rc = ct_error_set_errno(w->err, errno, "%s", root);
        closedir(d);
        return rc;
}

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const entry *)a)->rel, ((const entry *)b)->rel);
}

/* Output sink: raw or through deflate, into the atomic file. */
typedef struct sink {
        ct_atomic_file *f;
        bool gzip;
        z_stream z;
        uint8_t buf[1 << 16];
        uint64_t total;
        ct_error *err;
} sink;

static ct_code sink_raw(sink *s, const void *p, size_t n)
{
        return ct_atomic_write(s->f, p, n, s->err);
}

static ct_code sink_write(sink *s, const void *p, size_t n, bool finish)
{
        if (__builtin_add_overflow(s->total, n, &s->total) || s->total > CT_MAX_INITRD_BYTES)
                return ct_error_set(s->err, CT_E_LIMIT, "archive larger than %llu bytes",
                                    (unsigned long long)CT_MAX_INITRD_BYTES);
        if (!s->gzip)
                return n ? sink_raw(s, p, n) : CT_OK;
        s->z.next_in = (Bytef *)(uintptr_t)p;
        s->z.avail_in = (uInt)n;
        do {
                int zr;
                ct_code rc;

                s->z.next_out = s->buf;
                s->z.avail_out = sizeof(s->buf);
                zr = deflate(&s->z, finish ? Z_FINISH : Z_NO_FLUSH);
                if (zr == Z_STREAM_ERROR)
                        return ct_error_set(s->err, CT_E_CRYPTO, "zlib deflate failed");
                if ((rc = sink_raw(s, s->buf, sizeof(s->buf) - s->z.avail_out)))
                        return rc;
                if (finish && zr == Z_STREAM_END)
                        break;
        } while (s->z.avail_out == 0 || finish);
        return CT_OK;
}

static ct_code header(sink *s, uint32_t ino, uint32_t mode, uint32_t nlink, uint64_t mtime, uint64_t size,
                      const char *name)
{
        char h[111];
        size_t namesize = strlen(name) + 1, pad;
        static const uint8_t zeros[4];
        ct_code rc;

        if (size > UINT32_MAX)
                return ct_error_set(s->err, CT_E_LIMIT, "%s: larger than 4 GiB (newc cannot hold it)", name);
        snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0u, 0u,
                 nlink, (uint32_t)mtime, (uint32_t)size, 0u, 0u, 0u, 0u, (uint32_t)namesize, 0u);
        if ((rc = sink_write(s, h, 110, false)) || (rc = sink_write(s, name, namesize, false)))
                return rc;
        pad = (4 - (110 + namesize) % 4) % 4;
        return sink_write(s, zeros, pad, false);
}

CT_EXPORT ct_code ct_initrd_pack(const char *dir, const ct_initrd_opts *opts, const char *out_path, uint64_t *ret_entries,
                       ct_error *err)
{
        walk w = { .err = err };
        ct_atomic_file f;
        sink *s = NULL;
        uint8_t *buf = NULL;
        ct_code rc;
        uint32_t ino = 0;
        struct stat st;

        if (!dir || !out_path || !opts)
                return ct_error_set(err, CT_E_ARG, "initrd pack: no directory or output");
        if (opts->mtime > UINT32_MAX)
                return ct_error_set(err, CT_E_ARG, "mtime %" PRIu64 " does not fit newc's 32 bits", opts->mtime);
        if (stat(dir, &st) != 0)
                return ct_error_set_open(err, errno, dir, "cannot open the directory");
        if (!S_ISDIR(st.st_mode))
                return ct_error_set(err, CT_E_INPUT, "%s: not a directory", dir);
        rc = scan(&w, dir, "", 0);
        if (rc)
                goto out;
        qsort(w.v, w.n, sizeof(*w.v), cmp_entry);
        s = calloc(1, sizeof(*s));
        buf = malloc(1 << 16);
        if (!s || !buf) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        if ((rc = ct_atomic_open(out_path, &f, err)))
                goto out;
        s->f = &f;
        s->err = err;
        s->gzip = opts->gzip;
        if (s->gzip) {
                /* windowBits 31: gzip wrapper; zlib writes mtime 0, no name, OS 3 (unix). */
                if (deflateInit2(&s->z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
                        rc = ct_error_set(err, CT_E_NOMEM, "zlib init failed");
                        ct_atomic_abort(&f);
                        goto out;
                }
        }
        for (size_t i = 0; rc == CT_OK && i < w.n; i++) {
                char path[8192];
                static const uint8_t zeros[4];

                snprintf(path, sizeof(path), "%s/%s", dir, w.v[i].rel);
                if (lstat(path, &st) != 0) {
                        rc = ct_error_set_errno(err, errno, "%s", path);
                        break;
                }
                ino++;
                if (S_ISDIR(st.st_mode)) {
                        rc = header(s, ino, S_IFDIR | (st.st_mode & 07777), 2, opts->mtime, 0, w.v[i].rel);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t n = readlink(path, target, sizeof(target));

                        if (n < 0 || (size_t)n >= sizeof(target)) {
                                rc = n < 0 ? ct_error_set_errno(err, errno, "%s", path)
                                           : ct_error_set(err, CT_E_LIMIT, "%s: link target too long", path);
                                break;
                        }
                        rc = header(s, ino, S_IFLNK | 0777, 1, opts->mtime, (uint64_t)n, w.v[i].rel);
                        if (rc == CT_OK)
                                rc = sink_write(s, target, (size_t)n, false);
                        if (rc == CT_OK)
                                rc = sink_write(s, zeros, (4 - (size_t)n % 4) % 4, false);
                } else if (S_ISREG(st.st_mode)) {
                        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                        uint64_t left = (uint64_t)st.st_size;

                        if (fd < 0) {
                                rc = ct_error_set_open(err, errno, path, "cannot open");
                                break;
                        }
                        rc = header(s, ino, S_IFREG | (st.st_mode & 07777), 1, opts->mtime, left, w.v[i].rel);
                        while (rc == CT_OK && left > 0) {
                                ssize_t n = read(fd, buf, left < (1 << 16) ? (size_t)left : (1 << 16));

                                if (n < 0 && errno == EINTR)
                                        continue;
                                if (n <= 0) {
                                        rc = n < 0 ? ct_error_set_errno(err, errno, "%s", path)
                                                   : ct_error_set(err, CT_E_IO, "%s: changed size while packing", path);
                                        break;
                                }
                                rc = sink_write(s, buf, (size_t)n, false);
                                left -= (uint64_t)n;
                        }
                        close(fd);
                        if (rc == CT_OK)
                                rc = sink_write(s, zeros, (4 - (size_t)(st.st_size % 4)) % 4, false);
                } else {
                        rc = ct_error_set(err, CT_E_UNSUPPORTED, "%s: not a directory, regular file or link", path);
                }
        }
        if (rc == CT_OK)
                rc = header(s, 0, 0, 1, 0, 0, "TRAILER!!!");
        if (rc == CT_OK)
                rc = sink_write(s, NULL, 0, true);
        if (s->gzip)
                deflateEnd(&s->z);
        if (rc == CT_OK)
                rc = ct_atomic_commit(&f, err);
        else
                ct_atomic_abort(&f);
        if (rc == CT_OK && ret_entries)
                *ret_entries = w.n;
out:
        for (size_t i = 0; i < w.n; i++)
                free(w.v[i].rel);
        free(w.v);
        free(s);
        free(buf);
        return rc;
}
