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
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cocotrust/reader.h>
#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

/* The answer from the child is bounded: n paths of at most this many bytes on average. */
#define CT_MAX_ATTRIB_ANSWER (64u << 20)

#if defined(__SANITIZE_ADDRESS__)
#define ATTRIB_SET_AS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATTRIB_SET_AS 0
#endif
#endif
#ifndef ATTRIB_SET_AS
#define ATTRIB_SET_AS 1
#endif

/*
 * The limits in force. For tests only, COCOTRUST_TEST_ATTRIB_CPU (seconds),
 * COCOTRUST_TEST_ATTRIB_WALL_MS and COCOTRUST_TEST_ATTRIB_AS (bytes) lower
 * them (never raise them), and COCOTRUST_TEST_ATTRIB_SPIN=cpu|sleep makes the
 * child loop on the CPU or sleep before its work, standing in for an image
 * that makes libext2fs loop.
 */
struct attrib_limits {
        uint64_t cpu_s, wall_ms, as;
};

static uint64_t env_lower(const char *name, uint64_t def)
{
        const char *v = getenv(name);
        char *end;
        unsigned long long x;

        if (!v || !*v)
                return def;
        errno = 0;
        x = strtoull(v, &end, 10);
        if (errno || *end || x == 0 || x > def)
                return def;
        return x;
}

static void attrib_limits_get(struct attrib_limits *l)
{
        l->cpu_s = env_lower("COCOTRUST_TEST_ATTRIB_CPU", CT_MAX_ATTRIB_CPU_SECONDS);
        l->wall_ms = env_lower("COCOTRUST_TEST_ATTRIB_WALL_MS", CT_MAX_ATTRIB_WALL_MS);
        l->as = env_lower("COCOTRUST_TEST_ATTRIB_AS", CT_MAX_ATTRIB_MEMORY);
}

static void child_limits(const struct attrib_limits *l)
{
        struct rlimit cpu = { .rlim_cur = l->cpu_s, .rlim_max = l->cpu_s + 1 };
        const char *spin = getenv("COCOTRUST_TEST_ATTRIB_SPIN");

        if (setrlimit(RLIMIT_CPU, &cpu) < 0)
                _exit(4);
#if ATTRIB_SET_AS
        {
                struct rlimit as = { .rlim_cur = l->as, .rlim_max = l->as };
                if (setrlimit(RLIMIT_AS, &as) < 0)
                        _exit(4);
        }
#endif
        if (spin && strcmp(spin, "cpu") == 0)
                for (volatile unsigned long i = 0;; i++)
                        ;
        if (spin && strcmp(spin, "sleep") == 0)
                for (;;)
                        pause();
}

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

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

static _Noreturn void child(int wfd, const char *path, uint32_t dbs, const uint64_t *blocks, size_t n,
                            const struct attrib_limits *l)
{
        char **owners = NULL;
        ct_error err;
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

        child_limits(l);

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
        bool oom = false, late = false;
        struct attrib_limits lim;
        uint64_t deadline;
        pid_t pid;
        ct_code rc;

        attrib_limits_get(&lim);
        deadline = now_ms() + lim.wall_ms;

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
                child(pfd[1], image_path, data_block_size, blocks, n, &lim);
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
                {
                        struct pollfd pf = { .fd = pfd[0], .events = POLLIN };
                        uint64_t t = now_ms();
                        int pr;
                        if (t >= deadline) {
                                late = true;
                                break;
                        }
                        pr = poll(&pf, 1, (int)CT_MIN(deadline - t, (uint64_t)INT32_MAX));
                        if (pr < 0 && errno == EINTR)
                                continue;
                        if (pr == 0) {
                                late = true;
                                break;
                        }
                }
                r = read(pfd[0], buf + len, cap - len);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                len += (size_t)r;
        }
        close(pfd[0]);
        if (oom || late)
                kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (oom)
                rc = ct_error_set(err, CT_E_NOMEM, "attribution answer exceeds %u bytes", CT_MAX_ATTRIB_ANSWER);
        else if (late)
                rc = ct_error_set(err, CT_E_LIMIT, "attribution stopped: wall-clock limit of %llu ms reached",
                                  (unsigned long long)lim.wall_ms);
        else if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
                rc = ct_error_set(err, CT_E_LIMIT, "attribution stopped: CPU-time limit of %llu s reached",
                                  (unsigned long long)lim.cpu_s);
        else if (WIFSIGNALED(status))
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "libext2fs crashed on this image (signal %d)",
                                  WTERMSIG(status));
        else if (len && buf[0] == 'E' && memchr(buf, 0, len))
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "%s", buf + 1);
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "the attribution process could not set its limits");
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "the attribution process failed (status %d)", status);
        else
                rc = parse_answer(buf, len, n, ret, err);
        free(buf);
        return rc;
}
