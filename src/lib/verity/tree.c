/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity hash tree: parallel leaf hashing and the upper levels, built in
 * memory. Used by format.c (which writes it) and verify.c (which compares it).
 *
 * Leaves are hashed by worker threads in chunks of the data (up to 1 MiB),
 * each thread from its own contiguous range. A regular file is mapped once, read-only, as
 * a whole, and the threads hash straight out of that one mapping: no copy
 * out of the page cache (read() costs about 0.15 s of CPU per GiB more in
 * the guests we measured, see bench/RESULTS-verity.md) and no per-chunk
 * map/unmap (each munmap is a TLB shoot-down on every core). Each thread
 * owns a contiguous range (stealing chunks from the others' ends when its
 * own is done) and drops the page table entries of what it hashed every
 * 8 MiB, so the resident set stays about one window per thread. A file
 * that shrinks meanwhile raises SIGBUS on the next access past its end; the SIGBUS guard (common.c) turns it into an error.
 * Block devices, and files that cannot be mapped, are pread in chunks into a
 * per-thread buffer instead. Upper levels (1/128 of the work at sha256/4096)
 * are hashed by the calling thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

#define CHUNK_MAX (1u << 20)
#define CHUNK_MIN (64u << 10)
/* Map mode: a thread drops the page table entries of its own range every this many bytes. */
#define WINDOW (8u << 20)

struct leaf_job {
        int fd;
        const uint8_t *map;      /* the data area mapped read-only, or NULL: pread */
        /*
         * Scheduling: thread t owns the contiguous chunk range reg[t] and takes
         * it front to back; a thread whose range is done steals from the back of
         * the fullest other range. Each thread drops the page table entries of
         * what it hashed in its own range every WINDOW bytes, and of a stolen
         * chunk right after it, so at most about one window per thread is mapped.
         */
        pthread_mutex_t sched;
        struct region {
                uint64_t next, end;
        } *reg;
        unsigned n_reg;
        atomic_uint next_tid;
        const ct_verity_params *p;
        const ct_verity_geometry *g;
        const EVP_MD *md;
        uint8_t *out;            /* digests laid out as level-0 hash blocks */
        uint64_t chunk_bytes;
        uint64_t n_chunks;
        uint64_t data_bytes;
        struct verity_workers workers;
        /* progress: the calling thread's callback (ct_verity_set_progress), bytes hashed so far */
        ct_verity_progress_fn progress;
        void *progress_user;
        atomic_uint_fast64_t done;
        pthread_mutex_t progress_lock;
};

static _Thread_local ct_verity_progress_fn tls_progress;
static _Thread_local void *tls_progress_user;

CT_EXPORT void ct_verity_set_progress(ct_verity_progress_fn fn, void *user)
{
        tls_progress = fn;
        tls_progress_user = user;
}

/* After a chunk: count it, and report unless another thread is reporting right now. */
static void leaf_progress(struct leaf_job *j, uint64_t len)
{
        uint64_t done = atomic_fetch_add(&j->done, len) + len;

        if (j->progress && pthread_mutex_trylock(&j->progress_lock) == 0) {
                j->progress(CT_MIN(done, j->data_bytes), j->data_bytes, j->progress_user);
                pthread_mutex_unlock(&j->progress_lock);
        }
}

/* Digests of the len / dbs blocks at src (data offset off) into their leaf slots. */
static bool hash_blocks(const struct leaf_job *j, struct verity_hasher *h, const uint8_t *src, uint64_t off,
                        uint64_t len)
{
        const uint32_t dbs = j->p->data_block_size, hbs = j->p->hash_block_size;
        const unsigned bits = j->g->per_block_bits;
        const uint64_t mask = j->g->hash_per_block - 1u, first = off / dbs;
        const uint32_t stride = j->g->stride;

        for (uint64_t k = 0; k < len / dbs; k++) {
                uint64_t b = first + k;
                if (!verity_hasher_block(h, src + k * dbs, dbs, j->out + (b >> bits) * hbs + (b & mask) * stride))
                        return false;
        }
        return true;
}

/*
 * Chunk [off, off + len) straight from the mapping. A SIGBUS (the file shrank
 * under us) comes back here through the guard: 1 is returned with the data
 * offset of the access in *fault. 2 = OpenSSL failed.
 */
static int hash_mapped(const struct leaf_job *j, struct verity_hasher *h, uint64_t off, uint64_t len,
                       uint64_t *fault)
{
        struct verity_bus_guard g;
        bool ok;

        verity_bus_arm(&g, j->map + off, (size_t)len);
        if (sigsetjmp(g.jb, 1)) {
                verity_bus_disarm();
                *fault = (uint64_t)((g.fault ? g.fault : g.lo) - j->map);
                return 1;
        }
        ok = hash_blocks(j, h, j->map + off, off, len);
        verity_bus_disarm();
        return ok ? 0 : 2;
}

/* The next chunk for thread t (*stolen: from another thread's range). false: all taken. */
static bool take_chunk(struct leaf_job *j, unsigned t, uint64_t *c, bool *stolen)
{
        bool ok = true;

        pthread_mutex_lock(&j->sched);
        if (j->reg[t].next < j->reg[t].end) {
                *c = j->reg[t].next++;
                *stolen = false;
        } else {
                unsigned v = t;
                uint64_t most = 0;
                for (unsigned k = 0; k < j->n_reg; k++)
                        if (j->reg[k].end - j->reg[k].next > most) {
                                most = j->reg[k].end - j->reg[k].next;
                                v = k;
                        }
                if (most)
                        *c = --j->reg[v].end;
                ok = most != 0;
                *stolen = true;
        }
        pthread_mutex_unlock(&j->sched);
        return ok;
}

/* Map mode: drop the page table entries of chunks [from, to) (the page cache keeps the data). */
static void drop_chunks(const struct leaf_job *j, uint64_t from, uint64_t to)
{
        uint64_t off = from * j->chunk_bytes, end = CT_MIN(to * j->chunk_bytes, j->data_bytes);

        if (j->map && end > off)
                (void)madvise((void *)(uintptr_t)(j->map + off), (size_t)(end - off), MADV_DONTNEED);
}

static void *leaf_worker(void *arg)
{
        struct leaf_job *j = arg;
        struct verity_hasher h;
        uint8_t *buf = NULL;
        uint64_t drop_from, own_end = 0;
        unsigned t;
        ct_error e;

        ct_error_clear(&e);
        if (verity_hasher_init(&h, j->md, j->p, &e)) {
                verity_workers_fail(&j->workers, &e);
                return NULL;
        }
        if (!j->map && !(buf = malloc(j->chunk_bytes))) {
                ct_error_set(&e, CT_E_NOMEM, "out of memory");
                verity_workers_fail(&j->workers, &e);
                verity_hasher_free(&h);
                return NULL;
        }
        t = atomic_fetch_add(&j->next_tid, 1) % j->n_reg;
        drop_from = j->reg[t].next;
        for (;;) {
                uint64_t c, off, len;
                bool stolen;
                int r;

                if (verity_workers_failed(&j->workers) || !take_chunk(j, t, &c, &stolen))
                        break;
                off = c * j->chunk_bytes;
                len = CT_MIN(j->chunk_bytes, j->data_bytes - off);
                if (j->map) {
                        uint64_t fault = 0;
                        r = hash_mapped(j, &h, off, len, &fault);
                        if (r == 1) {
                                struct stat st;
                                long long now = fstat(j->fd, &st) == 0 ? (long long)st.st_size : -1;
                                ct_error_set_at(&e, CT_E_IO, fault,
                                                "the file shrank to %lld bytes while it was being read "
                                                "(SIGBUS at byte %llu)",
                                                now, (unsigned long long)fault);
                                ct_error_set_input(&e, CT_VERITY_INPUT_DATA);
                                verity_workers_fail(&j->workers, &e);
                                break;
                        }
                        if (stolen) {
                                drop_chunks(j, c, c + 1);
                        } else if ((c + 1 - drop_from) * j->chunk_bytes >= WINDOW) {
                                drop_chunks(j, drop_from, c + 1);
                                drop_from = c + 1;
                        }
                        own_end = stolen ? own_end : c + 1;
                } else {
                        ct_code prc = ct_pread_all(j->fd, buf, (size_t)len, off, &e);
                        if (prc == CT_E_TRUNCATED) {
                                struct stat st;
                                long long now = fstat(j->fd, &st) == 0 ? (long long)st.st_size : -1;
                                ct_error_set_at(&e, CT_E_IO, off,
                                                "the file shrank to %lld bytes while it was being read "
                                                "(a read at byte %llu came back short)",
                                                now, (unsigned long long)off);
                        }
                        if (prc)
                                ct_error_set_input(&e, CT_VERITY_INPUT_DATA);
                        if (prc) {
                                verity_workers_fail(&j->workers, &e);
                                break;
                        }
                        r = hash_blocks(j, &h, buf, off, len) ? 0 : 2;
                }
                if (r == 2) {
                        ct_error_set(&e, CT_E_CRYPTO, "OpenSSL digest failed");
                        verity_workers_fail(&j->workers, &e);
                        break;
                }
                leaf_progress(j, len);
        }
        drop_chunks(j, drop_from, own_end);
        free(buf);
        verity_hasher_free(&h);
        return NULL;
}

/*
 * Map the data area of a regular file, or NULL (then the caller preads):
 * block devices, files mmap refuses, and when the SIGBUS guard cannot be set.
 */
static const uint8_t *map_data(int fd, uint64_t len, unsigned flags)
{
        struct stat st;
        void *m;
        ct_error e;

        if ((flags & VERITY_LEAVES_PREAD) || len == 0 || len > SIZE_MAX || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
            (uint64_t)st.st_size < len)
                return NULL;
        if (verity_bus_install(&e))
                return NULL;
        m = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) {
                verity_bus_uninstall();
                return NULL;
        }
        (void)madvise(m, (size_t)len, MADV_SEQUENTIAL);
        return m;
}

ct_code verity_hash_leaves(int fd, const ct_verity_params *p, const ct_verity_geometry *g, const EVP_MD *md,
                           unsigned threads, unsigned flags, uint8_t *out, ct_error *err)
{
        struct leaf_job j;
        unsigned nt;
        uint64_t chunk = CHUNK_MAX;
        ct_code rc;

        memset(&j, 0, sizeof(j));
        j.fd = fd;
        j.p = p;
        j.g = g;
        j.md = md;
        j.out = out;
        j.data_bytes = p->data_blocks * p->data_block_size;
        nt = verity_threads(threads);
        /* Smaller chunks for small inputs so every thread gets work. */
        while (chunk > CHUNK_MIN && j.data_bytes / chunk < 4ull * nt)
                chunk >>= 1;
        chunk = CT_MAX(chunk, (uint64_t)p->data_block_size);
        j.chunk_bytes = chunk;
        j.n_chunks = j.data_bytes / chunk + (j.data_bytes % chunk != 0);
        (void)posix_fadvise(fd, 0, (off_t)j.data_bytes, POSIX_FADV_SEQUENTIAL);
        nt = (unsigned)CT_MIN((uint64_t)nt, j.n_chunks);
        j.reg = calloc(CT_MAX(nt, 1u), sizeof(*j.reg));
        if (!j.reg)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        j.n_reg = CT_MAX(nt, 1u);
        for (unsigned t = 0; t < j.n_reg; t++) {
                j.reg[t].next = j.n_chunks * t / j.n_reg;
                j.reg[t].end = j.n_chunks * (t + 1) / j.n_reg;
        }
        pthread_mutex_init(&j.sched, NULL);
        pthread_mutex_init(&j.progress_lock, NULL);
        atomic_init(&j.next_tid, 0);
        atomic_init(&j.done, 0);
        j.progress = tls_progress;
        j.progress_user = tls_progress_user;
        j.map = map_data(fd, j.data_bytes, flags);
        rc = verity_workers_run(&j.workers, nt, leaf_worker, &j, err);
        if (rc == CT_OK && j.progress)
                j.progress(j.data_bytes, j.data_bytes, j.progress_user);
        if (j.map) {
                munmap((void *)(uintptr_t)j.map, (size_t)j.data_bytes);
                verity_bus_uninstall();
        }
        pthread_mutex_destroy(&j.sched);
        pthread_mutex_destroy(&j.progress_lock);
        free(j.reg);
        return rc;
}

/* ---- upper levels ------------------------------------------------------- */

/* Offset of level i inside the in-memory tree (on-disk order, top level first). */
static uint64_t level_off(const ct_verity_params *p, const ct_verity_geometry *g, unsigned i)
{
        return (g->level_start[i] - g->hash_start) * p->hash_block_size;
}

/*
 * Given level 0 filled in tree, compute levels 1.. and the root. With 0
 * levels, tree is a one-block scratch holding the digest of data block 0.
 */
static ct_code hash_upper(const ct_verity_params *p, const ct_verity_geometry *g, const EVP_MD *md,
                          uint8_t *tree, uint8_t *root, ct_error *err)
{
        const uint32_t hbs = p->hash_block_size;
        struct verity_hasher h;
        ct_code rc;

        if (g->levels == 0) {
                memcpy(root, tree, g->digest_size);
                return CT_OK;
        }
        rc = verity_hasher_init(&h, md, p, err);
        if (rc)
                return rc;
        for (unsigned i = 0; i < g->levels; i++) {
                const uint8_t *src = tree + level_off(p, g, i);
                for (uint64_t k = 0; k < g->level_blocks[i]; k++) {
                        uint8_t *dst;
                        if (i + 1 < g->levels)
                                dst = tree + level_off(p, g, i + 1) + (k >> g->per_block_bits) * hbs +
                                      (k & (g->hash_per_block - 1u)) * g->stride;
                        else
                                dst = root;
                        if (!verity_hasher_block(&h, src + k * hbs, hbs, dst)) {
                                verity_hasher_free(&h);
                                return ct_error_set(err, CT_E_CRYPTO, "OpenSSL digest failed");
                        }
                }
        }
        verity_hasher_free(&h);
        return CT_OK;
}

/* Allocate the in-memory tree (at least one hash block). */
ct_code verity_tree_alloc(const ct_verity_params *p, const ct_verity_geometry *g, uint8_t **ret, uint64_t *ret_len,
                          ct_error *err)
{
        uint64_t len;
        uint8_t *t;

        if (__builtin_mul_overflow(CT_MAX(g->tree_blocks, 1u), (uint64_t)p->hash_block_size, &len) ||
            len > CT_VERITY_MAX_TREE_BYTES || len > SIZE_MAX)
                return ct_error_set(err, CT_E_LIMIT, "hash tree of %llu blocks exceeds the %llu-byte limit",
                                    (unsigned long long)g->tree_blocks,
                                    (unsigned long long)CT_VERITY_MAX_TREE_BYTES);
        t = calloc(1, (size_t)len);
        if (!t)
                return ct_error_set(err, CT_E_NOMEM, "out of memory for a %llu-byte hash tree",
                                    (unsigned long long)len);
        *ret = t;
        *ret_len = len;
        return CT_OK;
}

ct_code verity_data_size_check(int fd, const char *what, const ct_verity_params *p, ct_error *err)
{
        uint64_t size;
        ct_code rc = verity_fd_size(fd, what, &size, err);

        if (rc)
                return rc;
        if (size / p->data_block_size < p->data_blocks)
                return ct_error_set(err, CT_E_ARG, "%s has %llu blocks of %u bytes, %llu data blocks needed", what,
                                    (unsigned long long)(size / p->data_block_size), p->data_block_size,
                                    (unsigned long long)p->data_blocks);
        return CT_OK;
}

/* Build the whole tree in memory. */
ct_code verity_tree_build(int data_fd, const ct_verity_params *p, const ct_verity_geometry *g, unsigned threads,
                          uint8_t **ret_tree, uint64_t *ret_len, uint8_t *root, ct_error *err)
{
        const EVP_MD *md;
        uint8_t *tree = NULL;
        uint64_t len = 0;
        ct_code rc;

        md = verity_md_fetch(p->hash_name);
        if (!md)
                return ct_error_set(err, CT_E_ARG, "hash algorithm '%s' is not available", p->hash_name);
        rc = verity_tree_alloc(p, g, &tree, &len, err);
        if (rc)
                goto out;
        rc = verity_hash_leaves(data_fd, p, g, md, threads, 0, g->levels ? tree + level_off(p, g, 0) : tree, err);
        if (rc)
                goto out;
        rc = hash_upper(p, g, md, tree, root, err);
out:
        EVP_MD_free((EVP_MD *)md);
        if (rc) {
                free(tree);
                return rc;
        }
        *ret_tree = tree;
        *ret_len = len;
        return CT_OK;
}

CT_EXPORT ct_code ct_verity_root_fd(int data_fd, const ct_verity_params *p, unsigned threads, uint8_t *root,
                                    size_t root_cap, ct_error *err)
{
        ct_verity_geometry g;
        uint8_t r[CT_VERITY_MAX_DIGEST];
        uint8_t *tree = NULL;
        uint64_t len;
        ct_code rc;

        rc = ct_verity_params_check(p, err);
        if (!rc)
                rc = ct_verity_geometry_compute(p, &g, err);
        if (!rc)
                rc = verity_data_size_check(data_fd, "data", p, err);
        if (rc)
                return rc;
        if (root_cap < g.digest_size)
                return ct_error_set(err, CT_E_ARG, "root buffer too small");
        rc = verity_tree_build(data_fd, p, &g, threads, &tree, &len, r, err);
        if (rc)
                return rc;
        free(tree);
        memcpy(root, r, g.digest_size);
        return CT_OK;
}

