/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ext4 sniffing and the isolated attribution: libext2fs (ext4.c) reads the
 * untrusted, possibly damaged image and is not hardened against hostile
 * ones, so it runs in a forked child. The child sends one record per block
 * through a pipe: 'S' + string + NUL for an answer, or a single 'E' +
 * message + NUL for an error. A crash there costs the attribution only.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cocotrust/reader.h>
#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

/* The answer from the child is bounded: n paths of at most this many bytes on average. */
#define CT_MAX_ATTRIB_ANSWER (64u << 20)

CT_EXPORT bool ct_verity_ext4_probe_fd(int fd)
{
        uint8_t m[2];
        ct_error e;

        return ct_pread_all(fd, m, 2, 1024 + 56, &e) == CT_OK && ct_get_le16(m) == 0xEF53;
}

static bool write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len) {
                ssize_t w = write(fd, p, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return false;
                p += w;
                len -= (size_t)w;
        }
        return true;
}

static bool send_record(int fd, char tag, const char *s)
{
        return write_all(fd, &tag, 1) && write_all(fd, s, strlen(s) + 1);
}

static _Noreturn void child(int wfd, const char *path, uint32_t dbs, const uint64_t *blocks, size_t n)
{
        char **owners = NULL;
        ct_error err;
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

        if (devnull >= 0)
                dup2(devnull, STDERR_FILENO);
        ct_error_clear(&err);
        if (ct_verity_ext4_attribute(path, dbs, blocks, n, &owners, &err)) {
                send_record(wfd, 'E', err.msg);
                _exit(1);
        }
        for (size_t i = 0; i < n; i++)
                if (!send_record(wfd, 'S', owners[i]))
                        _exit(3);
        _exit(0);
}

/* Split the child's answer into n strings. */
static ct_code parse_answer(const char *buf, size_t len, size_t n, char ***ret, ct_error *err)
{
        char **out = calloc(n ? n : 1, sizeof(*out));
        size_t k = 0;

        if (!out)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        for (size_t pos = 0; pos < len && k < n;) {
                const char *z = memchr(buf + pos, 0, len - pos);
                if (!z || buf[pos] != 'S')
                        break;
                out[k] = strdup(buf + pos + 1);
                if (!out[k])
                        break;
                k++;
                pos = (size_t)(z - buf) + 1;
        }
        if (k != n) {
                ct_verity_strv_free(out, k);
                return ct_error_set(err, CT_E_UNSUPPORTED, "incomplete answer from the attribution process");
        }
        *ret = out;
        return CT_OK;
}

CT_EXPORT ct_code ct_verity_ext4_attribute_isolated(const char *image_path, uint32_t data_block_size,
                                                    const uint64_t *blocks, size_t n, char ***ret, ct_error *err)
{
        int pfd[2], status = 0;
        char *buf = NULL;
        size_t len = 0, cap = 0;
        bool oom = false;
        pid_t pid;
        ct_code rc;

        if (pipe2(pfd, O_CLOEXEC) < 0)
                return ct_error_set_errno(err, errno, "pipe");
        pid = fork();
        if (pid < 0) {
                rc = ct_error_set_errno(err, errno, "fork");
                close(pfd[0]);
                close(pfd[1]);
                return rc;
        }
        if (pid == 0) {
                close(pfd[0]);
                child(pfd[1], image_path, data_block_size, blocks, n);
        }
        close(pfd[1]);
        for (;;) {
                ssize_t r;
                if (len == cap) {
                        size_t nc = cap ? cap * 2 : 4096;
                        char *nb = nc <= CT_MAX_ATTRIB_ANSWER ? realloc(buf, nc) : NULL;
                        if (!nb) {
                                oom = true;
                                break;
                        }
                        buf = nb;
                        cap = nc;
                }
                r = read(pfd[0], buf + len, cap - len);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                len += (size_t)r;
        }
        close(pfd[0]);
        if (oom)
                kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (oom)
                rc = ct_error_set(err, CT_E_NOMEM, "attribution answer exceeds %u bytes", CT_MAX_ATTRIB_ANSWER);
        else if (WIFSIGNALED(status))
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "libext2fs crashed on this image (signal %d)",
                                  WTERMSIG(status));
        else if (len && buf[0] == 'E' && memchr(buf, 0, len))
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "%s", buf + 1);
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "the attribution process failed (status %d)", status);
        else
                rc = parse_answer(buf, len, n, ret, err);
        free(buf);
        return rc;
}
