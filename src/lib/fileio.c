/* SPDX-License-Identifier: Apache-2.0 */
/* The input and output layer: see include/cocotrust/fileio.h and docs/inputs.md. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/fs.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include <cocotrust/fileio.h>

#include "internal.h"

/* ---- signal-time cleanup: open temporaries and guarded mappings ---- */

#define TEMPS_MAX 256
#define MAPS_MAX 64
#define GUARD_PATH_MAX 256

static char *volatile temps[TEMPS_MAX];
static struct {
        volatile uintptr_t start;
        volatile size_t len;
        char path[GUARD_PATH_MAX];
} maps[MAPS_MAX];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static char program[64] = "cocotrust";

static int temp_register(char *tmp)
{
        int slot = -1;

        pthread_mutex_lock(&registry_lock);
        for (int i = 0; i < TEMPS_MAX; i++)
                if (!temps[i]) {
                        temps[i] = tmp;
                        slot = i;
                        break;
                }
        pthread_mutex_unlock(&registry_lock);
        return slot;
}

static void temp_unregister(int slot)
{
        if (slot < 0 || slot >= TEMPS_MAX)
                return;
        pthread_mutex_lock(&registry_lock);
        temps[slot] = NULL;
        pthread_mutex_unlock(&registry_lock);
}

static void map_register(const void *p, size_t len, const char *path)
{
        pthread_mutex_lock(&registry_lock);
        for (int i = 0; i < MAPS_MAX; i++)
                if (!maps[i].start) {
                        snprintf(maps[i].path, sizeof(maps[i].path), "%s", path);
                        maps[i].len = len;
                        maps[i].start = (uintptr_t)p;
                        break;
                }
        pthread_mutex_unlock(&registry_lock);
}

static void map_unregister(const void *p)
{
        pthread_mutex_lock(&registry_lock);
        for (int i = 0; i < MAPS_MAX; i++)
                if (maps[i].start == (uintptr_t)p) {
                        maps[i].start = 0;
                        break;
                }
        pthread_mutex_unlock(&registry_lock);
}

void ct_io_guard_map(const void *p, size_t len, const char *path)
{
        map_register(p, len, path);
}

void ct_io_unguard_map(const void *p)
{
        map_unregister(p);
}

static void remove_temps(void)
{
        for (int i = 0; i < TEMPS_MAX; i++) {
                char *t = temps[i];
                if (t)
                        (void)unlink(t);
        }
}

static void put_str(const char *s)
{
        size_t n = strlen(s);
        while (n) {
                ssize_t w = write(STDERR_FILENO, s, n);
                if (w <= 0)
                        return;
                s += w;
                n -= (size_t)w;
        }
}

static void on_fatal(int sig)
{
        remove_temps();
        (void)raise(sig); /* SA_RESETHAND: delivered with the default action once we return */
}

static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
        uintptr_t a = (uintptr_t)si->si_addr;

        (void)uctx;
        for (int i = 0; i < MAPS_MAX; i++) {
                uintptr_t s = maps[i].start;
                if (s && a >= s && a - s < maps[i].len) {
                        put_str(program);
                        put_str(": ");
                        put_str(maps[i].path);
                        put_str(": the file shrank while it was read\n");
                        remove_temps();
                        _exit(3);
                }
        }
        remove_temps();
        signal(sig, SIG_DFL); /* not ours: the fault repeats with the default action */
}

CT_EXPORT void ct_io_signals_install(const char *program_name)
{
        struct sigaction sa;
        static const int fatal[] = { SIGINT, SIGTERM, SIGHUP };

        if (program_name)
                snprintf(program, sizeof(program), "%s", program_name);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_fatal;
        sa.sa_flags = SA_RESETHAND | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < CT_ARRAY_SIZE(fatal); i++) {
                struct sigaction old;
                /* keep a signal the parent told us to ignore ignored */
                if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
                        continue;
                (void)sigaction(fatal[i], &sa, NULL);
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        (void)sigaction(SIGBUS, &sa, NULL);
}

/* ---- inputs ---- */

/* Magic numbers of <linux/magic.h>: file systems whose st_size is not the content's size. */
static bool is_pseudo_fs(int fd)
{
        struct statfs sf;

        if (fstatfs(fd, &sf) < 0)
                return false;
        switch ((unsigned long)sf.f_type) {
        case 0x62656572UL: /* sysfs */
        case 0x9fa0UL:     /* procfs */
        case 0x73636673UL: /* securityfs */
        case 0x64626720UL: /* debugfs */
        case 0x62656570UL: /* configfs */
        case 0xde5e81e4UL: /* efivarfs */
        case 0x74726163UL: /* tracefs */
                return true;
        default:
                return false;
        }
}

static bool is_pipefs(int fd)
{
        struct statfs sf;

        return fstatfs(fd, &sf) == 0 && (unsigned long)sf.f_type == 0x50495045UL;
}

static const char *type_name(mode_t m)
{
        if (S_ISDIR(m))
                return "a directory";
        if (S_ISCHR(m))
                return "a character device";
        if (S_ISBLK(m))
                return "a block device";
        if (S_ISFIFO(m))
                return "a FIFO";
        if (S_ISSOCK(m))
                return "a socket";
        if (S_ISLNK(m))
                return "a symbolic link";
        return "not a regular file";
}

static ct_code wrong_type(ct_error *err, const char *path, mode_t m, unsigned flags)
{
        const char *want = flags & CT_INPUT_DIRECTORY       ? "a directory"
                           : flags & CT_INPUT_REGULAR_ONLY ? "a regular file"
                           : flags & CT_INPUT_NO_STREAM    ? "a regular file or a block device"
                                                           : "a regular file, a block device or a pipe";
        ct_error_set(err, CT_E_INPUT, "%s, expected %s", type_name(m), want);
        ct_error_set_input(err, path);
        return CT_E_INPUT;
}

static ct_code input_error(ct_error *err, const char *path, ct_code code, const char *msg)
{
        ct_error_set(err, code, "%s", msg);
        ct_error_set_input(err, path);
        return code;
}

/* Wait for a named FIFO's writer (Linux reports POLLHUP/POLLIN only once a writer came). */
static ct_code fifo_wait(int fd, const char *path, ct_error *err)
{
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r;

        do
                r = poll(&p, 1, CT_INPUT_FIFO_WAIT_MS);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return ct_error_set_open(err, errno, path, "poll");
        if (r == 0) {
                ct_error_set(err, CT_E_INPUT, "a FIFO without a writer (waited %u ms)", CT_INPUT_FIFO_WAIT_MS);
                ct_error_set_input(err, path);
                return CT_E_INPUT;
        }
        return CT_OK;
}

static ct_code input_open(int dfd, const char *path, bool nofollow, unsigned flags, int *ret_fd,
                          ct_input_kind *ret_kind, uint64_t *ret_size, ct_error *err)
{
        ct_cleanup_close int fd = -1;
        bool is_stdin = dfd == AT_FDCWD && strcmp(path, "-") == 0;
        const char *name = is_stdin ? "standard input" : path;
        ct_input_kind kind;
        uint64_t size = 0;
        struct stat st;
        int fl;

        if (is_stdin) {
                if (flags & (CT_INPUT_REGULAR_ONLY | CT_INPUT_DIRECTORY))
                        return input_error(err, name, CT_E_INPUT, "standard input cannot be used here");
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return ct_error_set_open(err, errno, name, "not open");
                if (isatty(fd))
                        return input_error(err, name, CT_E_INPUT,
                                           "is a terminal; pipe the data in or name a file");
        } else {
                fd = openat(dfd, path,
                            O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (nofollow ? O_NOFOLLOW : 0) |
                                    (flags & CT_INPUT_DIRECTORY ? O_DIRECTORY : 0));
                if (fd < 0) {
                        if (nofollow && errno == ELOOP)
                                return input_error(err, path, CT_E_INPUT,
                                                   "a symbolic link, expected a regular file");
                        if (errno == ENOTDIR && (flags & CT_INPUT_DIRECTORY))
                                return input_error(err, path, CT_E_INPUT, "not a directory");
                        return ct_error_set_open(err, errno, path, "cannot open");
                }
        }
        if (fstat(fd, &st) < 0)
                return ct_error_set_open(err, errno, name, "cannot stat");
        if (flags & CT_INPUT_DIRECTORY) {
                if (!S_ISDIR(st.st_mode))
                        return wrong_type(err, name, st.st_mode, flags);
                kind = CT_INPUT_FILE;
        } else if (S_ISREG(st.st_mode) && !is_stdin) {
                if (st.st_size == 0 || is_pseudo_fs(fd)) {
                        kind = CT_INPUT_PSEUDO;
                } else {
                        kind = CT_INPUT_FILE;
                        size = (uint64_t)st.st_size;
                }
        } else if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3 && !is_stdin) {
                /* /dev/null: the empty input sev-snp-measure and scripts pass for "none" */
                kind = CT_INPUT_PSEUDO;
        } else if (S_ISBLK(st.st_mode) && !(flags & CT_INPUT_REGULAR_ONLY) && !is_stdin) {
                if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
                        off_t end = lseek(fd, 0, SEEK_END);
                        if (end < 0)
                                return ct_error_set_open(err, errno, name, "cannot size");
                        size = (uint64_t)end;
                }
                kind = CT_INPUT_BLOCK;
        } else if ((S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || (is_stdin && S_ISREG(st.st_mode))) &&
                   !(flags & (CT_INPUT_REGULAR_ONLY | CT_INPUT_NO_STREAM))) {
                if (S_ISFIFO(st.st_mode) && !is_stdin && !is_pipefs(fd)) {
                        ct_code r = fifo_wait(fd, name, err);
                        if (r)
                                return r;
                }
                kind = CT_INPUT_STREAM;
        } else {
                return wrong_type(err, name, st.st_mode, flags);
        }
        /* reads block from here on (the open did not) */
        fl = fcntl(fd, F_GETFL);
        if (fl >= 0 && (fl & O_NONBLOCK))
                (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        *ret_fd = fd;
        fd = -1;
        if (ret_kind)
                *ret_kind = kind;
        if (ret_size)
                *ret_size = size;
        return CT_OK;
}

CT_EXPORT ct_code ct_input_open(const char *path, unsigned flags, int *ret_fd, ct_input_kind *ret_kind,
                                uint64_t *ret_size, ct_error *err)
{
        if (!path || !ret_fd)
                return ct_error_set(err, CT_E_ARG, "ct_input_open: no path");
        return input_open(AT_FDCWD, path, false, flags, ret_fd, ret_kind, ret_size, err);
}

CT_EXPORT ct_code ct_input_openat(int dfd, const char *name, unsigned flags, int *ret_fd, ct_input_kind *ret_kind,
                                  uint64_t *ret_size, ct_error *err)
{
        if (!name || !ret_fd || strcmp(name, "-") == 0)
                return ct_error_set(err, CT_E_ARG, "ct_input_openat: bad name");
        return input_open(dfd, name, true, flags, ret_fd, ret_kind, ret_size, err);
}

CT_EXPORT ct_code ct_read_all_fd(int fd, uint64_t max, uint8_t **ret, size_t *ret_len, ct_error *err)
{
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0;

        if (max > SIZE_MAX - 1)
                max = SIZE_MAX - 1;
        for (;;) {
                ssize_t n;

                if (len == cap) {
                        size_t ncap = cap ? cap * 2 : 64u << 10;
                        uint8_t *nb;

                        if (len > max) {
                                free(buf);
                                return ct_error_set(err, CT_E_LIMIT, "more than %llu bytes (the limit of this input)",
                                                    (unsigned long long)max);
                        }
                        if (ncap > max + 1)
                                ncap = (size_t)max + 1;
                        if (ncap <= cap)
                                ncap = cap + 1;
                        nb = realloc(buf, ncap);
                        if (!nb) {
                                free(buf);
                                return ct_error_set(err, CT_E_NOMEM, "out of memory");
                        }
                        buf = nb;
                        cap = ncap;
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        free(buf);
                        return ct_error_set_errno(err, errno, "read");
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max) {
                        free(buf);
                        return ct_error_set(err, CT_E_LIMIT, "more than %llu bytes (the limit of this input)",
                                            (unsigned long long)max);
                }
        }
        if (len == 0) {
                free(buf);
                buf = NULL;
        }
        *ret = buf;
        *ret_len = len;
        return CT_OK;
}

CT_EXPORT ct_code ct_blob_read(const char *path, uint64_t max, ct_blob *ret, ct_error *err)
{
        ct_cleanup_close int fd = -1;
        ct_input_kind kind;
        uint64_t size;
        ct_code r;

        r = ct_input_open(path, 0, &fd, &kind, &size, err);
        if (r)
                return r;
        if (kind == CT_INPUT_PSEUDO || kind == CT_INPUT_STREAM) {
                uint8_t *buf;
                size_t len;
                uint64_t lim = max ? max : kind == CT_INPUT_PSEUDO ? CT_INPUT_PSEUDO_MAX : CT_INPUT_STREAM_MAX;

                r = ct_read_all_fd(fd, lim, &buf, &len, err);
                if (r) {
                        ct_error_set_input(err, strcmp(path, "-") == 0 ? "standard input" : path);
                        return r;
                }
                ret->data = buf;
                ret->len = len;
                ret->mapped_ = 0;
                return CT_OK;
        }
        if (max && size > max) {
                ct_error_set(err, CT_E_LIMIT, "%s of %llu bytes, at most %llu accepted",
                             kind == CT_INPUT_BLOCK ? "device" : "file", (unsigned long long)size,
                             (unsigned long long)max);
                ct_error_set_input(err, path);
                return CT_E_LIMIT;
        }
        if (size > SIZE_MAX)
                return input_error(err, path, CT_E_LIMIT, "file too large for this machine");
        if (kind == CT_INPUT_FILE && size < CT_INPUT_MAP_MIN) {
                /* small files are read: nothing can fault later if the file changes */
                uint8_t *buf = malloc((size_t)size);
                size_t got = 0;

                if (!buf)
                        return input_error(err, path, CT_E_NOMEM, "out of memory");
                while (got < size) {
                        ssize_t n = pread(fd, buf + got, (size_t)size - got, (off_t)got);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0) {
                                free(buf);
                                ct_error_set_errno(err, errno, "read");
                                ct_error_set_input(err, path);
                                return CT_E_IO;
                        }
                        if (n == 0) {
                                free(buf);
                                return input_error(err, path, CT_E_IO, "the file shrank while it was read");
                        }
                        got += (size_t)n;
                }
                ret->data = buf;
                ret->len = (size_t)size;
                ret->mapped_ = 0;
                return CT_OK;
        }
        {
                void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
                if (p == MAP_FAILED)
                        return ct_error_set_open(err, errno, path, "cannot map");
                map_register(p, (size_t)size, path);
                ret->data = p;
                ret->len = (size_t)size;
                ret->mapped_ = 1;
        }
        return CT_OK;
}

CT_EXPORT void ct_blob_free(ct_blob *b)
{
        if (!b)
                return;
        if (b->mapped_ && b->data) {
                map_unregister(b->data);
                munmap((void *)b->data, b->len);
        } else {
                free((void *)b->data);
        }
        b->data = NULL;
        b->len = 0;
        b->mapped_ = 0;
}

/* ---- outputs ---- */

/* The file an output path means: symlinks followed (also dangling ones), at most 32 hops. */
static char *resolve_output(const char *path, ct_error *err)
{
        char *cur = strdup(path);

        for (int hop = 0; cur && hop < 32; hop++) {
                struct stat st;
                char target[PATH_MAX];
                ssize_t n;
                char *next;

                if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
                        return cur;
                n = readlink(cur, target, sizeof(target) - 1);
                if (n < 0) {
                        ct_error_set_errno(err, errno, "cannot read the symbolic link");
                        ct_error_set_input(err, path);
                        free(cur);
                        return NULL;
                }
                target[n] = 0;
                if (target[0] == '/') {
                        next = strdup(target);
                } else {
                        char *d = strdup(cur);
                        next = NULL;
                        if (d && asprintf(&next, "%s/%s", dirname(d), target) < 0)
                                next = NULL;
                        free(d);
                }
                free(cur);
                cur = next;
        }
        if (!cur)
                ct_error_set(err, CT_E_NOMEM, "out of memory");
        else {
                free(cur);
                ct_error_set(err, CT_E_INPUT, "too many levels of symbolic links");
                ct_error_set_input(err, path);
        }
        return NULL;
}

CT_EXPORT ct_code ct_atomic_open(const char *path, ct_atomic_file *ret, ct_error *err)
{
        char *tmp = NULL, *final = NULL;
        struct stat st;
        mode_t mode;
        int fd;

        if (!path || !*path)
                return ct_error_set(err, CT_E_ARG, "no output path");
        final = resolve_output(path, err);
        if (!final)
                return err ? err->code : CT_E_IO;
        if (stat(final, &st) == 0) {
                if (!S_ISREG(st.st_mode)) {
                        ct_error_set(err, CT_E_INPUT, "%s, expected a regular file to replace", type_name(st.st_mode));
                        ct_error_set_input(err, path);
                        free(final);
                        return CT_E_INPUT;
                }
                mode = st.st_mode & 07777;
        } else {
                mode_t um = umask(0);
                umask(um);
                mode = 0644 & ~um;
        }
        if (asprintf(&tmp, "%s.tmp-XXXXXX", final) < 0) {
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
        (void)fchmod(fd, mode);
        ret->fd = fd;
        ret->tmp_path = tmp;
        ret->path = final;
        ret->pos_ = 0;
        ret->slot_ = temp_register(tmp);
        return CT_OK;
}

#define SPARSE_BLOCK 4096u

static bool block_is_zero(const uint8_t *p)
{
        static const uint8_t zero[SPARSE_BLOCK];
        return memcmp(p, zero, SPARSE_BLOCK) == 0;
}

static ct_code write_all(ct_atomic_file *f, const uint8_t *p, size_t len, ct_error *err)
{
        while (len) {
                ssize_t n = write(f->fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        ct_error_set_errno(err, errno, "write");
                        ct_error_set_input(err, f->path);
                        return CT_E_IO;
                }
                p += n;
                len -= (size_t)n;
                f->pos_ += (uint64_t)n;
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_atomic_write(ct_atomic_file *f, const void *buf, size_t len, ct_error *err)
{
        const uint8_t *p = buf;

        while (len) {
                size_t run = 0;

                /* a run of whole zero blocks at a block boundary becomes a hole (the file is new: it reads zero) */
                if (f->pos_ % SPARSE_BLOCK == 0) {
                        while (len - run >= SPARSE_BLOCK && block_is_zero(p + run))
                                run += SPARSE_BLOCK;
                        if (run) {
                                if (lseek(f->fd, (off_t)run, SEEK_CUR) < 0) {
                                        ct_error_set_errno(err, errno, "seek");
                                        ct_error_set_input(err, f->path);
                                        return CT_E_IO;
                                }
                                f->pos_ += run;
                                p += run;
                                len -= run;
                                continue;
                        }
                }
                /* data up to the next zero block (or the end) */
                {
                        size_t head = SPARSE_BLOCK - (size_t)(f->pos_ % SPARSE_BLOCK), n;
                        ct_code r;

                        n = CT_MIN(head, len);
                        while (n < len && len - n >= SPARSE_BLOCK && !block_is_zero(p + n) && n < (8u << 20))
                                n += SPARSE_BLOCK;
                        if (n < len && len - n < SPARSE_BLOCK)
                                n = len;
                        r = write_all(f, p, n, err);
                        if (r)
                                return r;
                        p += n;
                        len -= n;
                }
        }
        return CT_OK;
}

static void atomic_release(ct_atomic_file *f)
{
        temp_unregister(f->slot_);
        f->slot_ = -1;
        if (f->fd >= 0)
                close(f->fd);
        f->fd = -1;
        free(f->tmp_path);
        free(f->path);
        f->tmp_path = f->path = NULL;
}

/* Size (a trailing hole), fsync, close: the temporary is complete. */
static ct_code atomic_finish(ct_atomic_file *f, ct_error *err)
{
        struct stat st;
        off_t end;

        end = lseek(f->fd, 0, SEEK_CUR);
        if (end > 0 && fstat(f->fd, &st) == 0 && st.st_size < end && ftruncate(f->fd, end) < 0) {
                ct_error_set_errno(err, errno, "cannot set the size");
                ct_error_set_input(err, f->path);
                return CT_E_IO;
        }
        if (fsync(f->fd) < 0) {
                ct_error_set_errno(err, errno, "fsync");
                ct_error_set_input(err, f->path);
                return CT_E_IO;
        }
        if (close(f->fd) < 0) {
                f->fd = -1;
                ct_error_set_errno(err, errno, "close");
                ct_error_set_input(err, f->path);
                return CT_E_IO;
        }
        f->fd = -1;
        return CT_OK;
}

static void fsync_dir_of(const char *path)
{
        ct_cleanup_free char *dir = strdup(path);
        int dfd;

        if (!dir)
                return;
        dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                (void)fsync(dfd);
                close(dfd);
        }
}

static ct_code atomic_rename(ct_atomic_file *f, ct_error *err)
{
        if (rename(f->tmp_path, f->path) < 0) {
                ct_error_set_errno(err, errno, "rename");
                ct_error_set_input(err, f->path);
                return CT_E_IO;
        }
        fsync_dir_of(f->path);
        return CT_OK;
}

CT_EXPORT ct_code ct_atomic_commit(ct_atomic_file *f, ct_error *err)
{
        ct_code r;

        if (!f->tmp_path)
                return ct_error_set(err, CT_E_ARG, "atomic file not open");
        r = atomic_finish(f, err);
        if (!r)
                r = atomic_rename(f, err);
        if (r) {
                ct_atomic_abort(f);
                return r;
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

/* ---- a set of outputs ---- */

/* Which file a path of the set means: its canonical path, and its device and inode when it exists. */
struct file_id {
        char *name;  /* as the caller spelled it */
        char *canon; /* symlinks and "."/".." resolved (the directory's, for a file not yet there) */
        bool exists, input;
        dev_t dev;
        ino_t ino;
};

struct ct_outputs {
        ct_atomic_file f[CT_OUTPUTS_MAX];
        size_t n;
        struct file_id id[2 * CT_OUTPUTS_MAX]; /* every output added, and the inputs */
        size_t n_id;
};

static ct_code file_id_get(const char *path, bool input, struct file_id *id, ct_error *err)
{
        char *final = resolve_output(path, err), *dir = NULL, *base = NULL, *rdir = NULL;
        struct stat st;

        if (!final)
                return err ? err->code : CT_E_IO;
        memset(id, 0, sizeof(*id));
        id->input = input;
        if (stat(final, &st) == 0) {
                id->exists = true;
                id->dev = st.st_dev;
                id->ino = st.st_ino;
        }
        id->canon = realpath(final, NULL);
        if (!id->canon && (dir = strdup(final)) && (base = strdup(final)) && (rdir = realpath(dirname(dir), NULL)) &&
            asprintf(&id->canon, "%s/%s", rdir, basename(base)) < 0)
                id->canon = NULL;
        if (!id->canon)
                id->canon = final; /* the directory is not there either: the open will say so */
        else
                free(final);
        free(dir);
        free(base);
        free(rdir);
        id->name = strdup(path);
        if (!id->canon || !id->name) {
                free(id->canon);
                free(id->name);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        return CT_OK;
}

static void file_id_free(struct file_id *id)
{
        free(id->canon);
        free(id->name);
        id->canon = id->name = NULL;
}

static bool file_id_same(const struct file_id *a, const struct file_id *b)
{
        return (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino) || strcmp(a->canon, b->canon) == 0;
}

CT_EXPORT bool ct_paths_same_file(const char *a, const char *b)
{
        struct file_id x, y;
        ct_error e;
        bool same;

        ct_error_clear(&e);
        if (file_id_get(a, false, &x, &e))
                return false;
        if (file_id_get(b, false, &y, &e)) {
                file_id_free(&x);
                return false;
        }
        same = file_id_same(&x, &y);
        file_id_free(&x);
        file_id_free(&y);
        return same;
}

/* Add the identity of path to s; an output is refused when an output or an input already in s is the same file. */
static ct_code outputs_claim(ct_outputs *s, const char *path, bool input, ct_error *err)
{
        struct file_id id;
        ct_code r;

        if (s->n_id >= sizeof(s->id) / sizeof(s->id[0]))
                return ct_error_set(err, CT_E_LIMIT, "more than %u inputs and outputs in one run", 2 * CT_OUTPUTS_MAX);
        r = file_id_get(path, input, &id, err);
        if (r)
                return r;
        for (size_t i = 0; i < s->n_id; i++) {
                if (input || !file_id_same(&id, &s->id[i]))
                        continue; /* an input is compared with the outputs added after it only */
                ct_error_set(err, CT_E_ARG, "the same file as the %s '%s'; name every output once, and none an input",
                             s->id[i].input ? "input" : "output", s->id[i].name);
                ct_error_set_input(err, path);
                file_id_free(&id);
                return CT_E_ARG;
        }
        s->id[s->n_id++] = id;
        return CT_OK;
}

CT_EXPORT ct_code ct_outputs_add_input(ct_outputs *s, const char *path, ct_error *err)
{
        return outputs_claim(s, path, true, err);
}

CT_EXPORT ct_code ct_outputs_new(ct_outputs **ret, ct_error *err)
{
        ct_outputs *s = calloc(1, sizeof(*s));

        if (!s)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        *ret = s;
        return CT_OK;
}

CT_EXPORT ct_code ct_outputs_add(ct_outputs *s, const char *path, ct_atomic_file **ret, ct_error *err)
{
        ct_code r;

        if (s->n >= CT_OUTPUTS_MAX)
                return ct_error_set(err, CT_E_LIMIT, "more than %u outputs in one run", CT_OUTPUTS_MAX);
        r = outputs_claim(s, path, false, err);
        if (r)
                return r;
        r = ct_atomic_open(path, &s->f[s->n], err);
        if (r)
                return r;
        *ret = &s->f[s->n++];
        return CT_OK;
}

CT_EXPORT ct_code ct_outputs_commit(ct_outputs *s, ct_error *err)
{
        ct_code r = CT_OK;
        size_t i;

        for (i = 0; i < s->n && !r; i++)
                r = atomic_finish(&s->f[i], err);
        for (i = 0; i < s->n && !r; i++) {
                r = atomic_rename(&s->f[i], err);
                if (!r)
                        atomic_release(&s->f[i]);
        }
        for (i = 0; i < s->n; i++)
                ct_atomic_abort(&s->f[i]);
        s->n = 0;
        return r;
}

CT_EXPORT void ct_outputs_free(ct_outputs *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                ct_atomic_abort(&s->f[i]);
        for (size_t i = 0; i < s->n_id; i++)
                file_id_free(&s->id[i]);
        free(s);
}

/* ---- positioned I/O ---- */

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
