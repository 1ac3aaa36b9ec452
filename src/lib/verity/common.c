/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity common pieces: digest lookup, the salted block hasher, sizes of
 * files and block devices, the thread count and the worker group that the
 * leaf hashing and the FEC encoder share. Depends on nothing else in verity/.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

const EVP_MD *verity_md_fetch(const char *name)
{
        EVP_MD *md;

        if (!name || !*name)
                return NULL;
        md = EVP_MD_fetch(NULL, name, NULL);
        if (!md)
                return NULL;
        if ((EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) || EVP_MD_get_size(md) <= 0 ||
            EVP_MD_get_size(md) > (int)CT_VERITY_MAX_DIGEST) {
                EVP_MD_free(md);
                return NULL;
        }
        return md;
}

ct_code verity_hasher_init(struct verity_hasher *h, const EVP_MD *md, const ct_verity_params *p, ct_error *err)
{
        memset(h, 0, sizeof(*h));
        h->base = EVP_MD_CTX_new();
        h->ctx = EVP_MD_CTX_new();
        if (!h->base || !h->ctx || !EVP_DigestInit_ex(h->base, md, NULL) ||
            (p->hash_type == 1 && p->salt_size && !EVP_DigestUpdate(h->base, p->salt, p->salt_size))) {
                verity_hasher_free(h);
                return ct_error_set(err, CT_E_CRYPTO, "OpenSSL: cannot initialise %s", EVP_MD_get0_name(md));
        }
        h->salt = p->salt;
        h->salt_size = p->salt_size;
        h->type = p->hash_type;
        h->digest_size = (unsigned)EVP_MD_get_size(md);
        return CT_OK;
}

bool verity_hasher_block(struct verity_hasher *h, const void *block, size_t len, uint8_t *out)
{
        unsigned int n = 0;

        if (!EVP_MD_CTX_copy_ex(h->ctx, h->base) || !EVP_DigestUpdate(h->ctx, block, len))
                return false;
        if (h->type == 0 && h->salt_size && !EVP_DigestUpdate(h->ctx, h->salt, h->salt_size))
                return false;
        return EVP_DigestFinal_ex(h->ctx, out, &n) && n == h->digest_size;
}

void verity_hasher_free(struct verity_hasher *h)
{
        EVP_MD_CTX_free(h->base);
        EVP_MD_CTX_free(h->ctx);
        h->base = h->ctx = NULL;
}

ct_code verity_fd_size(int fd, const char *what, uint64_t *ret, ct_error *err)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                return ct_error_set_errno(err, errno, "%s: cannot stat", what);
        if (S_ISBLK(st.st_mode)) {
                off_t end = lseek(fd, 0, SEEK_END);
                if (end < 0)
                        return ct_error_set_errno(err, errno, "%s: cannot size", what);
                *ret = (uint64_t)end;
                return CT_OK;
        }
        if (!S_ISREG(st.st_mode))
                return ct_error_set(err, CT_E_ARG, "%s: not a regular file or block device", what);
        *ret = (uint64_t)st.st_size;
        return CT_OK;
}

CT_EXPORT void ct_verity_error_name(ct_error *err, const char *data_path)
{
        if (err && data_path && !strcmp(err->input, CT_VERITY_INPUT_DATA))
                ct_error_set_input(err, data_path);
}

unsigned verity_threads(unsigned requested)
{
        long n;

        if (requested)
                return CT_MIN(requested, CT_VERITY_MAX_THREADS);
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 1)
                n = 1;
        return (unsigned)CT_MIN((unsigned long)n, (unsigned long)CT_VERITY_MAX_THREADS);
}

void verity_workers_fail(struct verity_workers *w, const ct_error *e)
{
        pthread_mutex_lock(&w->lock);
        if (w->rc == CT_OK) {
                w->rc = e->code;
                w->err = *e;
        }
        pthread_mutex_unlock(&w->lock);
        atomic_store(&w->failed, 1);
}

bool verity_workers_failed(struct verity_workers *w)
{
        return atomic_load(&w->failed) != 0;
}

ct_code verity_workers_run(struct verity_workers *w, unsigned n, void *(*fn)(void *), void *arg, ct_error *err)
{
        pthread_t tid[CT_VERITY_MAX_THREADS];
        unsigned started = 0;

        w->rc = CT_OK;
        ct_error_clear(&w->err);
        atomic_init(&w->failed, 0);
        pthread_mutex_init(&w->lock, NULL);
        n = CT_MIN(CT_MAX(n, 1u), (unsigned)CT_VERITY_MAX_THREADS);
        for (unsigned i = 1; i < n; i++) {
                if (pthread_create(&tid[started], NULL, fn, arg) != 0)
                        break;
                started++;
        }
        fn(arg);
        for (unsigned i = 0; i < started; i++)
                pthread_join(tid[i], NULL);
        pthread_mutex_destroy(&w->lock);
        if (w->rc && err)
                *err = w->err;
        return w->rc;
}

/* ---- SIGBUS guard ------------------------------------------------------------ */

static pthread_mutex_t bus_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned bus_users;
static struct sigaction bus_old;
static _Thread_local struct verity_bus_guard *bus_cur __attribute__((tls_model("initial-exec")));

static void bus_handler(int sig, siginfo_t *si, void *uc)
{
        struct verity_bus_guard *g = bus_cur;
        const uint8_t *a = si ? si->si_addr : NULL;

        if (g && a >= g->lo && a < g->hi) {
                g->fault = a;
                siglongjmp(g->jb, 1);
        }
        /* not ours: whoever had SIGBUS before gets it */
        if (bus_old.sa_flags & SA_SIGINFO) {
                bus_old.sa_sigaction(sig, si, uc);
                return;
        }
        if (bus_old.sa_handler != SIG_DFL && bus_old.sa_handler != SIG_IGN) {
                bus_old.sa_handler(sig);
                return;
        }
        /* returning re-executes the access, which now terminates the process as SIG_DFL does */
        signal(SIGBUS, SIG_DFL);
}

ct_code verity_bus_install(ct_error *err)
{
        struct sigaction sa;
        ct_code rc = CT_OK;

        pthread_mutex_lock(&bus_lock);
        if (bus_users == 0) {
                memset(&sa, 0, sizeof(sa));
                sa.sa_sigaction = bus_handler;
                sa.sa_flags = SA_SIGINFO | SA_NODEFER;
                sigemptyset(&sa.sa_mask);
                if (sigaction(SIGBUS, &sa, &bus_old) < 0)
                        rc = ct_error_set_errno(err, errno, "cannot install a SIGBUS handler");
        }
        if (rc == CT_OK)
                bus_users++;
        pthread_mutex_unlock(&bus_lock);
        return rc;
}

void verity_bus_uninstall(void)
{
        struct sigaction cur;

        pthread_mutex_lock(&bus_lock);
        if (bus_users && --bus_users == 0) {
                /* put the old handler back unless someone replaced ours meanwhile */
                if (sigaction(SIGBUS, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
                    cur.sa_sigaction == bus_handler)
                        sigaction(SIGBUS, &bus_old, NULL);
        }
        pthread_mutex_unlock(&bus_lock);
}

void verity_bus_arm(struct verity_bus_guard *g, const void *base, size_t len)
{
        sigset_t bus;

        g->lo = base;
        g->hi = (const uint8_t *)base + len;
        g->fault = NULL;
        /* a synchronous SIGBUS that is blocked kills the process: unblock it here */
        sigemptyset(&bus);
        sigaddset(&bus, SIGBUS);
        pthread_sigmask(SIG_UNBLOCK, &bus, &g->saved_mask);
        bus_cur = g;
}

void verity_bus_disarm(void)
{
        struct verity_bus_guard *g = bus_cur;

        bus_cur = NULL;
        if (g)
                pthread_sigmask(SIG_SETMASK, &g->saved_mask, NULL);
}
