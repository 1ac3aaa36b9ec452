/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process supervisor: children with their output in pipes, exit seen through
 * pidfds, everything waited for in one poll(2) with a deadline. No sleep
 * loops. Every child is stopped and reaped before the supervisor goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cocotrust/capture.h>

#include "../internal.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct ct_sup_child {
        char name[32];
        pid_t pid;
        int pidfd;
        int out_fd;        /* stdout when on_stdout, else -1 */
        int err_fd;        /* stderr (and stdout without on_stdout) */
        bool running;
        int wstatus;
        ct_sup_output_fn on_stdout, on_stderr;
        void *userdata;
        bool woken;
        char tail[2 * CT_SUP_TAIL_SIZE + 1];
        size_t tail_len;
        bool tail_cut;     /* the start of tail[] is inside a line */
        char tail_out[CT_SUP_TAIL_SIZE + 1];
};

struct ct_sup {
        unsigned flags;
        ct_sup_child *children[CT_SUP_MAX_CHILDREN];
        size_t n;
        int sig;
        struct sigaction old_int, old_term;
};

/* The self-pipe of the one CT_SUP_SIGNALS supervisor: written by the handler. */
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_last;

static void on_signal(int sig)
{
        int saved = errno;
        unsigned char b = (unsigned char)sig;

        sig_last = sig;
        if (sig_pipe[1] >= 0 && write(sig_pipe[1], &b, 1) < 0) {
                /* full pipe: a signal is pending anyway */
        }
        errno = saved;
}

static int pidfd_open_(pid_t pid)
{
        return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

CT_EXPORT ct_code ct_sup_new(unsigned flags, ct_sup **ret, ct_error *err)
{
        ct_sup *s;

        if ((flags & CT_SUP_SIGNALS) && sig_pipe[0] >= 0)
                return ct_error_set(err, CT_E_ARG, "another supervisor already handles SIGINT/SIGTERM");
        s = calloc(1, sizeof(*s));
        if (!s)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        s->flags = flags;
        if (flags & CT_SUP_SIGNALS) {
                struct sigaction sa;

                if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
                        int e = errno;
                        free(s);
                        sig_pipe[0] = sig_pipe[1] = -1;
                        return ct_error_set_errno(err, e, "pipe");
                }
                sig_last = 0;
                memset(&sa, 0, sizeof(sa));
                sa.sa_handler = on_signal;
                sa.sa_flags = SA_RESTART;
                sigemptyset(&sa.sa_mask);
                sigaction(SIGINT, &sa, &s->old_int);
                sigaction(SIGTERM, &sa, &s->old_term);
        }
        *ret = s;
        return CT_OK;
}

static void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static void tail_add(char *tail, size_t *len, bool *cut, size_t keep, const uint8_t *p, size_t n)
{
        if (n >= keep) {
                *cut = true;
                memcpy(tail, p + n - keep, keep);
                *len = keep;
                return;
        }
        if (*len + n > 2 * keep) { /* keep the last `keep` bytes, then append */
                size_t k = *len > keep ? keep : *len;
                *cut = true;
                memmove(tail, tail + *len - k, k);
                *len = k;
        }
        memcpy(tail + *len, p, n);
        *len += n;
}

/* Read what is available on fd (non-blocking). Closes it at EOF. */
static void drain(ct_sup_child *c, int *fd, bool is_stdout)
{
        uint8_t buf[65536];

        while (*fd >= 0) {
                ssize_t k = read(*fd, buf, sizeof(buf));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return;
                if (k <= 0) {
                        close_fd(fd);
                        return;
                }
                if (is_stdout && c->on_stdout) {
                        c->woken |= c->on_stdout(buf, (size_t)k, c->userdata);
                } else {
                        tail_add(c->tail, &c->tail_len, &c->tail_cut, CT_SUP_TAIL_SIZE, buf, (size_t)k);
                        if (!is_stdout && c->on_stderr)
                                c->woken |= c->on_stderr(buf, (size_t)k, c->userdata);
                }
        }
}

/* The child exited (pidfd readable or already known): reap it and read what it left in the pipes. */
static void reap(ct_sup_child *c)
{
        int st;

        if (!c->running)
                return;
        while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR) {
        }
        c->wstatus = st;
        c->running = false;
        close_fd(&c->pidfd);
        drain(c, &c->out_fd, true);
        drain(c, &c->err_fd, false);
}

CT_EXPORT void ct_sup_stop(ct_sup *s, ct_sup_child *c, int grace_ms)
{
        struct pollfd pfd;
        int64_t end;

        (void)s;
        if (!c || !c->running)
                return;
        kill(c->pid, SIGTERM);
        end = now_ms() + (grace_ms < 0 ? 0 : grace_ms);
        pfd.fd = c->pidfd;
        pfd.events = POLLIN;
        for (;;) {
                int64_t left = end - now_ms();
                int k;

                if (left <= 0)
                        break;
                k = poll(&pfd, 1, (int)left);
                if (k > 0)
                        break;
                if (k < 0 && errno != EINTR)
                        break;
        }
        if (poll(&pfd, 1, 0) <= 0)
                kill(c->pid, SIGKILL);
        reap(c);
}

CT_EXPORT void ct_sup_free(ct_sup *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                ct_sup_stop(s, s->children[i], 3000);
        for (size_t i = 0; i < s->n; i++) {
                close_fd(&s->children[i]->out_fd);
                close_fd(&s->children[i]->err_fd);
                close_fd(&s->children[i]->pidfd);
                free(s->children[i]);
        }
        if (s->flags & CT_SUP_SIGNALS) {
                sigaction(SIGINT, &s->old_int, NULL);
                sigaction(SIGTERM, &s->old_term, NULL);
                close_fd(&sig_pipe[0]);
                close_fd(&sig_pipe[1]);
        }
        free(s);
}

CT_EXPORT char *ct_sup_find_program(const char *name)
{
        const char *path = getenv("PATH");
        char *dup, *save = NULL, *res = NULL;

        if (!name || !*name)
                return NULL;
        if (strchr(name, '/'))
                return access(name, X_OK) == 0 ? strdup(name) : NULL;
        dup = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        if (!dup)
                return NULL;
        for (char *d = strtok_r(dup, ":", &save); d && !res; d = strtok_r(NULL, ":", &save)) {
                size_t n = strlen(d) + strlen(name) + 2;
                char *p = malloc(n);
                if (!p)
                        break;
                snprintf(p, n, "%s/%s", d, name);
                if (access(p, X_OK) == 0)
                        res = p;
                else
                        free(p);
        }
        free(dup);
        return res;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void child_exec(char *const argv[], const ct_sup_spawn_opts *o, int out_w, int err_w, pid_t parent)
{
        struct sigaction dfl;
        sigset_t none;
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigaction(SIGPIPE, &dfl, NULL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(127);
        if (nul >= 0)
                dup2(nul, 0);
        dup2(out_w, 1);
        dup2(err_w, 2);
        for (size_t i = 0; o && i < o->n_keep_fds; i++) {
                int fd = o->keep_fds[i];
                int fl = fcntl(fd, F_GETFD);
                if (fl >= 0 && fd > 2)
                        fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
        }
        execv(argv[0], argv);
        {
                const char *m = strerror(errno);
                if (write(2, "exec ", 5) < 0 || write(2, argv[0], strlen(argv[0])) < 0 || write(2, ": ", 2) < 0 ||
                    write(2, m, strlen(m)) < 0 || write(2, "\n", 1) < 0) {
                        /* nothing more to say */
                }
        }
        _exit(127);
}

CT_EXPORT ct_code ct_sup_spawn(ct_sup *s, char *const argv[], const ct_sup_spawn_opts *opts, ct_sup_child **ret,
                               ct_error *err)
{
        int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
        ct_sup_child *c;
        const char *base;
        pid_t parent = getpid();

        if (!argv || !argv[0])
                return ct_error_set(err, CT_E_ARG, "ct_sup_spawn: no program");
        if (s->n >= CT_SUP_MAX_CHILDREN)
                return ct_error_set(err, CT_E_LIMIT, "more than %u child processes", CT_SUP_MAX_CHILDREN);
        c = calloc(1, sizeof(*c));
        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        c->pidfd = c->out_fd = c->err_fd = -1;
        base = strrchr(argv[0], '/');
        snprintf(c->name, sizeof(c->name), "%s", opts && opts->name ? opts->name : base ? base + 1 : argv[0]);
        c->on_stdout = opts ? opts->on_stdout : NULL;
        c->on_stderr = opts ? opts->on_stderr : NULL;
        c->userdata = opts ? opts->userdata : NULL;
        if (pipe2(errp, O_CLOEXEC) < 0 || (c->on_stdout && pipe2(out, O_CLOEXEC) < 0)) {
                int e = errno;
                close_fd(&errp[0]);
                close_fd(&errp[1]);
                free(c);
                return ct_error_set_errno(err, e, "pipe");
        }
        c->pid = fork();
        if (c->pid < 0) {
                int e = errno;
                close_fd(&errp[0]);
                close_fd(&errp[1]);
                close_fd(&out[0]);
                close_fd(&out[1]);
                free(c);
                return ct_error_set_errno(err, e, "fork");
        }
        if (c->pid == 0)
                child_exec(argv, opts, c->on_stdout ? out[1] : errp[1], errp[1], parent);
        close_fd(&errp[1]);
        close_fd(&out[1]);
        c->err_fd = errp[0];
        c->out_fd = out[0];
        fcntl(c->err_fd, F_SETFL, O_NONBLOCK);
        if (c->out_fd >= 0)
                fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
        c->running = true;
        c->pidfd = pidfd_open_(c->pid);
        s->children[s->n++] = c;
        if (c->pidfd < 0) {
                int e = errno;
                kill(c->pid, SIGKILL);
                reap(c);
                return ct_error_set_errno(err, e, "pidfd_open (Linux 5.3 or later is needed)");
        }
        *ret = c;
        return CT_OK;
}

CT_EXPORT ct_code ct_sup_wait(ct_sup *s, ct_sup_child *child, int timeout_ms, ct_sup_outcome *ret_outcome,
                              ct_sup_child **ret_which, ct_error *err)
{
        int64_t end = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

        for (;;) {
                struct pollfd pfd[3 * CT_SUP_MAX_CHILDREN + 1];
                struct {
                        ct_sup_child *c;
                        int kind; /* 0 pidfd, 1 stdout, 2 stderr, 3 signal pipe */
                } what[3 * CT_SUP_MAX_CHILDREN + 1];
                nfds_t n = 0;
                int wait_ms, k;

                if (!child->running) {
                        *ret_outcome = CT_SUP_EXITED;
                        if (ret_which)
                                *ret_which = child;
                        return CT_OK;
                }
                if ((s->flags & CT_SUP_SIGNALS) && sig_last) {
                        s->sig = sig_last;
                        *ret_outcome = CT_SUP_INTERRUPTED;
                        return CT_OK;
                }
                for (size_t i = 0; i < s->n; i++) {
                        ct_sup_child *c = s->children[i];
                        if (c->running) {
                                pfd[n] = (struct pollfd){ .fd = c->pidfd, .events = POLLIN };
                                what[n].c = c;
                                what[n++].kind = 0;
                        }
                        if (c->out_fd >= 0) {
                                pfd[n] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN };
                                what[n].c = c;
                                what[n++].kind = 1;
                        }
                        if (c->err_fd >= 0) {
                                pfd[n] = (struct pollfd){ .fd = c->err_fd, .events = POLLIN };
                                what[n].c = c;
                                what[n++].kind = 2;
                        }
                }
                if (s->flags & CT_SUP_SIGNALS) {
                        pfd[n] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
                        what[n].c = NULL;
                        what[n++].kind = 3;
                }
                if (end < 0) {
                        wait_ms = -1;
                } else {
                        int64_t left = end - now_ms();
                        if (left <= 0) {
                                *ret_outcome = CT_SUP_TIMEOUT;
                                return CT_OK;
                        }
                        wait_ms = left > 0x7fffffff ? 0x7fffffff : (int)left;
                }
                k = poll(pfd, n, wait_ms);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return ct_error_set_errno(err, errno, "poll");
                }
                /* Output first, so that a child's last words are in its tail before it is reaped. */
                for (nfds_t i = 0; i < n; i++) {
                        if (!pfd[i].revents)
                                continue;
                        if (what[i].kind == 1)
                                drain(what[i].c, &what[i].c->out_fd, true);
                        else if (what[i].kind == 2)
                                drain(what[i].c, &what[i].c->err_fd, false);
                        else if (what[i].kind == 3) {
                                unsigned char b[16];
                                while (read(sig_pipe[0], b, sizeof(b)) > 0) {
                                }
                        }
                }
                if ((s->flags & CT_SUP_SIGNALS) && sig_last) {
                        s->sig = sig_last;
                        *ret_outcome = CT_SUP_INTERRUPTED;
                        return CT_OK;
                }
                for (size_t i = 0; i < s->n; i++) {
                        if (s->children[i]->woken) {
                                s->children[i]->woken = false;
                                *ret_outcome = CT_SUP_WOKEN;
                                if (ret_which)
                                        *ret_which = s->children[i];
                                return CT_OK;
                        }
                }
                for (nfds_t i = 0; i < n; i++) {
                        ct_sup_child *c = what[i].c;
                        if (!pfd[i].revents || what[i].kind != 0)
                                continue;
                        reap(c);
                        if (c != child) {
                                *ret_outcome = CT_SUP_PEER_EXITED;
                                if (ret_which)
                                        *ret_which = c;
                                return CT_OK;
                        }
                }
        }
}

CT_EXPORT ct_code ct_sup_run(ct_sup *s, char *const argv[], const ct_sup_spawn_opts *opts, int timeout_ms,
                             ct_sup_child **ret, ct_sup_outcome *ret_outcome, ct_error *err)
{
        int64_t end = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
        ct_sup_child *c;
        ct_code rc = ct_sup_spawn(s, argv, opts, &c, err);

        if (rc)
                return rc;
        *ret = c;
        for (;;) {
                int left = end < 0 ? -1 : (int)CT_MAX(end - now_ms(), 0);
                rc = ct_sup_wait(s, c, left, ret_outcome, NULL, err);
                if (rc || (*ret_outcome != CT_SUP_PEER_EXITED && *ret_outcome != CT_SUP_WOKEN))
                        return rc;
        }
}

CT_EXPORT void ct_sup_child_status(const ct_sup_child *c, ct_sup_status *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->running = c->running;
        if (!c->running) {
                ret->exited = WIFEXITED(c->wstatus);
                ret->exit_code = ret->exited ? WEXITSTATUS(c->wstatus) : -1;
                ret->term_signal = WIFSIGNALED(c->wstatus) ? WTERMSIG(c->wstatus) : 0;
        }
}

CT_EXPORT const char *ct_sup_child_name(const ct_sup_child *c)
{
        return c->name;
}

CT_EXPORT const char *ct_sup_child_tail(ct_sup_child *c, unsigned max_lines)
{
        const char *t = c->tail;
        size_t len = c->tail_len, start, first;
        unsigned lines = 0;

        while (len && (t[len - 1] == '\n' || t[len - 1] == '\r'))
                len--;
        first = len > CT_SUP_TAIL_SIZE ? len - CT_SUP_TAIL_SIZE : 0;
        start = len;
        while (start > first && !(t[start - 1] == '\n' && ++lines >= max_lines))
                start--;
        if (start == first && (first > 0 ? t[first - 1] != '\n' : c->tail_cut)) { /* cut inside a line: skip its rest */
                const char *nl = memchr(t + first, '\n', len - first);
                start = nl ? (size_t)(nl - t) + 1 : len;
        }
        memcpy(c->tail_out, t + start, len - start);
        c->tail_out[len - start] = 0;
        return c->tail_out;
}

CT_EXPORT int ct_sup_child_pid(const ct_sup_child *c)
{
        return (int)c->pid;
}

CT_EXPORT int ct_sup_signal(const ct_sup *s)
{
        return s->sig;
}
