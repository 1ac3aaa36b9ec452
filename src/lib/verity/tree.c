/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity hash tree: parallel leaf hashing, upper levels, format (write
 * the tree atomically, superblock last) and verify (every corrupt block).
 *
 * Leaves are hashed by worker threads that take chunks of the data (up to
 * 1 MiB) from a shared counter and pread each into their own buffer, so the
 * resident memory is the tree plus one buffer per thread, whatever the image
 * size. (Hashing straight from an mmap of the page cache was measured at half
 * the speed of hashing a buffer that stays in L2 on the VMs we run on.) Upper levels (1/128 of the
 * work at sha256/4096) are hashed by the calling thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

#define CHUNK_MAX (1u << 20)
#define CHUNK_MIN (64u << 10)

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

/* ---- parallel leaf hashing ------------------------------------------------ */

struct leaf_job {
        int fd;
        const ct_verity_params *p;
        const ct_verity_geometry *g;
        const EVP_MD *md;
        uint8_t *out;            /* digests laid out as level-0 hash blocks */
        uint64_t chunk_bytes;
        uint64_t n_chunks;
        uint64_t data_bytes;
        atomic_uint_fast64_t next;
        struct verity_workers workers;
};

static void *leaf_worker(void *arg)
{
        struct leaf_job *j = arg;
        const uint32_t dbs = j->p->data_block_size, hbs = j->p->hash_block_size;
        const unsigned bits = j->g->per_block_bits;
        const uint64_t mask = j->g->hash_per_block - 1u;
        const uint32_t stride = j->g->stride;
        struct verity_hasher h;
        uint8_t *buf = NULL;
        ct_error e;

        ct_error_clear(&e);
        if (verity_hasher_init(&h, j->md, j->p, &e)) {
                verity_workers_fail(&j->workers, &e);
                return NULL;
        }
        buf = malloc(j->chunk_bytes);
        if (!buf) {
                ct_error_set(&e, CT_E_NOMEM, "out of memory");
                verity_workers_fail(&j->workers, &e);
                verity_hasher_free(&h);
                return NULL;
        }
        for (;;) {
                uint64_t c = atomic_fetch_add(&j->next, 1), off, len, first;
                const uint8_t *src;

                if (c >= j->n_chunks || verity_workers_failed(&j->workers))
                        break;
                off = c * j->chunk_bytes;
                len = CT_MIN(j->chunk_bytes, j->data_bytes - off);
                first = off / dbs;
                if (ct_pread_all(j->fd, buf, (size_t)len, off, &e)) {
                        ct_error_prefix(&e, "data");
                        verity_workers_fail(&j->workers, &e);
                        break;
                }
                src = buf;
                for (uint64_t k = 0; k < len / dbs; k++) {
                        uint64_t b = first + k;
                        uint8_t *dst = j->out + (b >> bits) * hbs + (b & mask) * stride;
                        if (!verity_hasher_block(&h, src + k * dbs, dbs, dst)) {
                                ct_error_set(&e, CT_E_CRYPTO, "OpenSSL digest failed");
                                verity_workers_fail(&j->workers, &e);
                                break;
                        }
                }
        }
        free(buf);
        verity_hasher_free(&h);
        return NULL;
}

/*
 * Hash data blocks [0, N) of fd into out (ceil(N / hash_per_block) hash
 * blocks, zero-initialised by the caller).
 */
static ct_code hash_leaves(int fd, const ct_verity_params *p, const ct_verity_geometry *g, const EVP_MD *md,
                           unsigned threads, uint8_t *out, ct_error *err)
{
        struct leaf_job j;
        unsigned nt;
        uint64_t chunk = CHUNK_MAX;

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
        atomic_init(&j.next, 0);
        return verity_workers_run(&j.workers, nt, leaf_worker, &j, err);
}

/* ---- tree ----------------------------------------------------------------- */

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
static ct_code tree_alloc(const ct_verity_params *p, const ct_verity_geometry *g, uint8_t **ret, uint64_t *ret_len,
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

static ct_code data_size_check(int fd, const char *what, const ct_verity_params *p, ct_error *err)
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
static ct_code build_tree(int data_fd, const ct_verity_params *p, const ct_verity_geometry *g, unsigned threads,
                          uint8_t **ret_tree, uint64_t *ret_len, uint8_t *root, ct_error *err)
{
        const EVP_MD *md;
        uint8_t *tree = NULL;
        uint64_t len = 0;
        ct_code rc;

        md = verity_md_fetch(p->hash_name);
        if (!md)
                return ct_error_set(err, CT_E_ARG, "hash algorithm '%s' is not available", p->hash_name);
        rc = tree_alloc(p, g, &tree, &len, err);
        if (rc)
                goto out;
        rc = hash_leaves(data_fd, p, g, md, threads, g->levels ? tree + level_off(p, g, 0) : tree, err);
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
                rc = data_size_check(data_fd, "data", p, err);
        if (rc)
                return rc;
        if (root_cap < g.digest_size)
                return ct_error_set(err, CT_E_ARG, "root buffer too small");
        rc = build_tree(data_fd, p, &g, threads, &tree, &len, r, err);
        if (rc)
                return rc;
        free(tree);
        memcpy(root, r, g.digest_size);
        return CT_OK;
}

/* ---- format --------------------------------------------------------------- */

static bool same_file(const struct stat *a, const struct stat *b)
{
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Copy bytes [0, len) of the existing file at path (as far as it goes) into fd. */
static ct_code copy_prefix(const char *path, int fd, uint64_t len, ct_error *err)
{
        ct_cleanup_close int src = open(path, O_RDONLY | O_CLOEXEC);
        uint8_t buf[65536];
        uint64_t off = 0;

        if (src < 0)
                return errno == ENOENT ? CT_OK : ct_error_set_errno(err, errno, "%s: cannot open", path);
        while (off < len) {
                ssize_t n = pread(src, buf, (size_t)CT_MIN((uint64_t)sizeof(buf), len - off), (off_t)off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return ct_error_set_errno(err, errno, "%s: read", path);
                }
                if (n == 0)
                        break;
                if (ct_pwrite_all(fd, buf, (size_t)n, off, err))
                        return CT_E_IO;
                off += (uint64_t)n;
        }
        return CT_OK;
}

/* veritysetup writes the superblock as one aligned block of min(4096, hbs) bytes. */
static uint64_t sb_end(const ct_verity_params *p)
{
        uint64_t blk = CT_MIN(4096u, p->hash_block_size);
        return (p->hash_offset + CT_VERITY_SB_SIZE + blk - 1) / blk * blk;
}

struct out_file {
        bool atomic;
        ct_atomic_file af;
        int fd;
};

static ct_code out_open(const char *path, bool in_place_ok, struct out_file *o, ct_error *err)
{
        struct stat st;

        memset(o, 0, sizeof(*o));
        o->fd = -1;
        if (stat(path, &st) == 0 && S_ISBLK(st.st_mode) && in_place_ok) {
                o->fd = open(path, O_WRONLY | O_CLOEXEC);
                if (o->fd < 0)
                        return ct_error_set_errno(err, errno, "%s: cannot open", path);
                return CT_OK;
        }
        if (ct_atomic_open(path, &o->af, err))
                return CT_E_IO;
        o->atomic = true;
        o->fd = o->af.fd;
        return CT_OK;
}

static ct_code out_commit(struct out_file *o, uint64_t size, ct_error *err)
{
        if (o->atomic) {
                if (size && ftruncate(o->fd, (off_t)size) < 0) {
                        ct_error_set_errno(err, errno, "%s: cannot set size", o->af.path);
                        ct_atomic_abort(&o->af);
                        return CT_E_IO;
                }
                o->fd = -1;
                return ct_atomic_commit(&o->af, err);
        }
        if (fsync(o->fd) < 0) {
                ct_error_set_errno(err, errno, "fsync");
                close(o->fd);
                o->fd = -1;
                return CT_E_IO;
        }
        close(o->fd);
        o->fd = -1;
        return CT_OK;
}

static void out_abort(struct out_file *o)
{
        if (o->atomic)
                ct_atomic_abort(&o->af);
        else if (o->fd >= 0)
                close(o->fd);
        o->fd = -1;
}

CT_EXPORT ct_code ct_verity_format(const char *data_path, const char *hash_path, const char *fec_path,
                                   ct_verity_params *p_io, unsigned threads, ct_verity_result *ret, ct_error *err)
{
        ct_verity_params p = *p_io;
        ct_verity_geometry g;
        ct_verity_result res;
        ct_verity_fec_geometry fg;
        struct stat dst, hst, fst;
        bool in_place = false, fec_in_hash = false, have_h = false, have_f = false;
        ct_cleanup_close int data_fd = -1;
        struct out_file ho = { .fd = -1 }, fo = { .fd = -1 };
        uint8_t *tree = NULL;
        uint64_t tree_len = 0, data_size, hash_size;
        uint8_t sb[CT_VERITY_SB_SIZE];
        ct_code rc;

        memset(&res, 0, sizeof(res));
        rc = ct_verity_params_check(&p, err);
        if (rc)
                return rc;
        if (fec_path && !p.fec_roots)
                return ct_error_set(err, CT_E_ARG, "a FEC file needs FEC roots");
        if (!fec_path)
                p.fec_roots = 0;

        data_fd = open(data_path, O_RDONLY | O_CLOEXEC);
        if (data_fd < 0)
                return ct_error_set_errno(err, errno, "%s: cannot open", data_path);
        if (fstat(data_fd, &dst) < 0)
                return ct_error_set_errno(err, errno, "%s: cannot stat", data_path);
        rc = verity_fd_size(data_fd, data_path, &data_size, err);
        if (rc)
                return rc;
        if (p.data_blocks == 0) {
                p.data_blocks = data_size / p.data_block_size;
                if (p.data_blocks == 0)
                        return ct_error_set(err, CT_E_ARG, "%s: %llu bytes, smaller than one %u-byte data block",
                                            data_path, (unsigned long long)data_size, p.data_block_size);
        } else if (data_size / p.data_block_size < p.data_blocks) {
                return ct_error_set(err, CT_E_ARG, "%s has %llu blocks of %u bytes, --data-blocks asks for %llu",
                                    data_path, (unsigned long long)(data_size / p.data_block_size),
                                    p.data_block_size, (unsigned long long)p.data_blocks);
        }
        rc = ct_verity_geometry_compute(&p, &g, err);
        if (rc)
                return rc;

        have_h = stat(hash_path, &hst) == 0;
        if (have_h && same_file(&dst, &hst)) {
                in_place = true;
                /*
                 * veritysetup checks the hash offset only; with --no-superblock it then
                 * rounds the tree start down to a hash block and may overwrite data
                 * (2.6.1 does). We refuse that too.
                 */
                if (p.hash_offset < p.data_blocks * p.data_block_size ||
                    (g.tree_blocks && g.hash_start * p.hash_block_size < p.data_blocks * p.data_block_size))
                        return ct_error_set(err, CT_E_ARG,
                                            "data area (%llu bytes) overlaps the hash area at offset %llu",
                                            (unsigned long long)(p.data_blocks * p.data_block_size),
                                            (unsigned long long)(p.no_superblock ? g.hash_start * p.hash_block_size
                                                                                 : p.hash_offset));
        }
        if (fec_path) {
                have_f = stat(fec_path, &fst) == 0;
                if (have_f && same_file(&dst, &fst) && !in_place)
                        return ct_error_set(err, CT_E_ARG, "the FEC file cannot be the data file");
                fec_in_hash = (have_f && have_h && same_file(&hst, &fst)) || strcmp(fec_path, hash_path) == 0;
                if (fec_in_hash && p.fec_offset < g.hash_device_size)
                        return ct_error_set(err, CT_E_ARG,
                                            "FEC offset %llu lies inside the hash area (which ends at %llu)",
                                            (unsigned long long)p.fec_offset,
                                            (unsigned long long)g.hash_device_size);
                if (in_place && !fec_in_hash && have_f && same_file(&dst, &fst))
                        fec_in_hash = true;
        }

        rc = build_tree(data_fd, &p, &g, threads, &tree, &tree_len, res.root, err);
        if (rc)
                return rc;
        res.root_size = g.digest_size;
        if (!p.no_superblock)
                ct_verity_superblock_build(&p, sb); /* the UUID is the caller's (the tool picks a random one) */
        /* veritysetup's file ends with what it wrote: the tree (none with one data block) and the superblock block */
        hash_size = CT_MAX(g.tree_blocks ? g.hash_device_size : 0, p.no_superblock ? 0 : sb_end(&p));
        if (g.levels == 0)
                tree_len = 0; /* nothing to write */

        if (in_place) {
                int fd = open(hash_path, O_WRONLY | O_CLOEXEC);
                if (fd < 0) {
                        rc = ct_error_set_errno(err, errno, "%s: cannot open for writing", hash_path);
                        goto out;
                }
                ho.fd = fd;
                /* An interrupted run must not leave an old superblock in front of a half-written tree. */
                if (!p.no_superblock) {
                        uint8_t zero[CT_VERITY_SB_SIZE] = { 0 };
                        rc = ct_pwrite_all(fd, zero, sizeof(zero), p.hash_offset, err);
                        if (!rc && fsync(fd) < 0)
                                rc = ct_error_set_errno(err, errno, "%s: fsync", hash_path);
                        if (rc)
                                goto out;
                }
        } else {
                rc = out_open(hash_path, true, &ho, err);
                if (rc)
                        goto out;
                if (ho.atomic && p.hash_offset) {
                        rc = copy_prefix(hash_path, ho.fd, p.hash_offset, err);
                        if (rc)
                                goto out;
                }
        }
        if (tree_len) {
                rc = ct_pwrite_all(ho.fd, tree, (size_t)tree_len, g.hash_start * p.hash_block_size, err);
                if (rc) {
                        ct_error_prefix(err, "%s", hash_path);
                        goto out;
                }
        }
        if (fec_path) {
                uint64_t covered = g.tree_blocks;
                int fec_fd;
                if (fec_in_hash)
                        covered = p.fec_offset / p.hash_block_size - g.hash_start;
                else {
                        rc = out_open(fec_path, true, &fo, err);
                        if (rc)
                                goto out;
                        if (fo.atomic && p.fec_offset) {
                                rc = copy_prefix(fec_path, fo.fd, p.fec_offset, err);
                                if (rc)
                                        goto out;
                        }
                }
                fec_fd = fec_in_hash ? ho.fd : fo.fd;
                rc = verity_fec_write(data_fd, &p, tree, tree_len, covered, fec_fd, threads, &fg, err);
                if (rc)
                        goto out;
                res.fec_blocks = fg.blocks;
                res.fec_parity_size = fg.parity_size;
                if (fec_in_hash)
                        hash_size = CT_MAX(hash_size, p.fec_offset + fg.parity_size);
                else {
                        uint64_t fsize = p.fec_offset + fg.parity_size;
                        struct stat cur;
                        if (fo.atomic && fstat(fo.fd, &cur) == 0 && (uint64_t)cur.st_size > fsize)
                                fsize = (uint64_t)cur.st_size;
                        rc = out_commit(&fo, fsize, err);
                        if (rc)
                                goto out;
                }
        }
        if (in_place || !ho.atomic) {
                /* tree durable first, superblock last */
                if (fsync(ho.fd) < 0) {
                        rc = ct_error_set_errno(err, errno, "%s: fsync", hash_path);
                        goto out;
                }
                if (in_place) {
                        struct stat cur;
                        if (fstat(ho.fd, &cur) == 0 && (uint64_t)cur.st_size < hash_size &&
                            ftruncate(ho.fd, (off_t)hash_size) < 0) {
                                rc = ct_error_set_errno(err, errno, "%s: cannot extend", hash_path);
                                goto out;
                        }
                }
        }
        if (!p.no_superblock) {
                rc = ct_pwrite_all(ho.fd, sb, sizeof(sb), p.hash_offset, err);
                if (rc) {
                        ct_error_prefix(err, "%s", hash_path);
                        goto out;
                }
        }
        if (ho.atomic) {
                struct stat cur;
                if (fstat(ho.fd, &cur) == 0 && (uint64_t)cur.st_size > hash_size)
                        hash_size = (uint64_t)cur.st_size;
        }
        rc = out_commit(&ho, hash_size, err);
        if (rc)
                goto out;
        if (in_place)
                ho.fd = -1;
        res.geo = g;
        res.hash_file_size = hash_size;
out:
        if (rc) {
                out_abort(&fo);
                out_abort(&ho);
        }
        free(tree);
        if (rc)
                return rc;
        *p_io = p;
        *ret = res;
        return CT_OK;
}

/* ---- verify --------------------------------------------------------------- */

CT_EXPORT ct_code ct_verity_read_superblock(int hash_fd, ct_verity_params *p, ct_error *err)
{
        uint8_t sb[CT_VERITY_SB_SIZE];
        ct_error e;
        ct_code rc;

        ct_error_clear(&e);
        rc = ct_pread_all(hash_fd, sb, sizeof(sb), p->hash_offset, &e);
        if (rc == CT_E_TRUNCATED)
                return ct_error_set_at(err, CT_E_MALFORMED, p->hash_offset,
                                       "no VERITY superblock: file ends before offset %llu + 512",
                                       (unsigned long long)p->hash_offset);
        if (rc) {
                if (err)
                        *err = e;
                return rc;
        }
        return ct_verity_superblock_parse(sb, sizeof(sb), p->hash_offset, p, err);
}

struct report_builder {
        ct_verity_report r;
        size_t cap;
        bool oom;
};

static void report_add(struct report_builder *b, const ct_verity_bad_block *bb)
{
        if (bb->kind == CT_VERITY_BAD_DATA)
                b->r.n_bad_data++;
        else
                b->r.n_bad_hash++;
        if (b->r.n_blocks >= CT_VERITY_MAX_REPORT || b->oom)
                return;
        if (b->r.n_blocks == b->cap) {
                size_t nc = b->cap ? b->cap * 2 : 16;
                ct_verity_bad_block *nb = realloc(b->r.blocks, nc * sizeof(*nb));
                if (!nb) {
                        b->oom = true;
                        return;
                }
                b->r.blocks = nb;
                b->cap = nc;
        }
        b->r.blocks[b->r.n_blocks++] = *bb;
}

/* Is everything in a stored hash block outside its n used digests zero? */
static bool spare_clean(const uint8_t *blk, uint32_t hbs, const ct_verity_geometry *g, uint64_t used)
{
        for (uint64_t s = 0; s < g->hash_per_block; s++) {
                const uint8_t *slot = blk + s * g->stride;
                size_t from = s < used ? g->digest_size : 0;
                for (size_t k = from; k < g->stride; k++)
                        if (slot[k])
                                return false;
        }
        for (uint64_t k = (uint64_t)g->hash_per_block * g->stride; k < hbs; k++)
                if (blk[k])
                        return false;
        return true;
}

static int bad_block_cmp(const void *a, const void *b)
{
        const ct_verity_bad_block *x = a, *y = b;
        int kx = x->kind == CT_VERITY_BAD_DATA ? 0 : 1, ky = y->kind == CT_VERITY_BAD_DATA ? 0 : 1;

        if (kx != ky)
                return kx - ky;
        return x->block < y->block ? -1 : x->block > y->block;
}

CT_EXPORT ct_code ct_verity_verify_fd(int data_fd, int hash_fd, const ct_verity_params *p, const uint8_t *root,
                                      size_t root_size, unsigned threads, ct_verity_report *ret, ct_error *err)
{
        const uint32_t hbs = p->hash_block_size, dbs = p->data_block_size;
        struct report_builder b;
        ct_verity_geometry g;
        const EVP_MD *md = NULL;
        struct verity_hasher h = { 0 };
        uint8_t *stored = NULL, *calc = NULL, *bad_hash = NULL;
        uint64_t stored_len = 0, calc_len, hash_size, level0_off = 0;
        uint8_t dig[CT_VERITY_MAX_DIGEST];
        ct_code rc;

        memset(&b, 0, sizeof(b));
        rc = ct_verity_params_check(p, err);
        if (!rc)
                rc = ct_verity_geometry_compute(p, &g, err);
        if (!rc)
                rc = data_size_check(data_fd, "data", p, err);
        if (!rc)
                rc = verity_fd_size(hash_fd, "hash", &hash_size, err);
        if (rc)
                return rc;
        if (root_size != g.digest_size)
                return ct_error_set(err, CT_E_ARG, "root hash has %zu bytes, %s needs %zu", root_size, p->hash_name,
                                    g.digest_size);
        md = verity_md_fetch(p->hash_name);
        if (!md)
                return ct_error_set(err, CT_E_ARG, "hash algorithm '%s' is not available", p->hash_name);

        /* The stored tree (missing tail read as zeros: it then fails like any corrupt block). */
        rc = tree_alloc(p, &g, &stored, &stored_len, err);
        if (rc)
                goto out;
        if (g.levels) {
                uint64_t start = g.hash_start * hbs, avail = 0;
                if (hash_size > start)
                        avail = CT_MIN(hash_size - start, stored_len);
                if (avail < stored_len)
                        b.r.hash_truncated = true;
                rc = ct_pread_all(hash_fd, stored, (size_t)avail, start, err);
                if (rc) {
                        ct_error_prefix(err, "hash");
                        goto out;
                }
        }
        /* Leaf digests of the data as it is now. */
        calc_len = CT_MAX(g.levels ? g.level_blocks[0] : 1u, 1u) * hbs;
        calc = calloc(1, (size_t)calc_len);
        bad_hash = calloc(1, (size_t)CT_MAX(g.tree_blocks, 1u));
        if (!calc || !bad_hash) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        rc = hash_leaves(data_fd, p, &g, md, threads, calc, err);
        if (rc)
                goto out;
        rc = verity_hasher_init(&h, md, p, err);
        if (rc)
                goto out;

        /* Hash blocks, top level first so a block knows whether its parent is sound. */
        b.r.root_matches = true;
        for (unsigned i = g.levels; i-- > 0;) {
                uint64_t children = i == 0 ? p->data_blocks : g.level_blocks[i - 1];
                for (uint64_t k = 0; k < g.level_blocks[i]; k++) {
                        uint64_t idx = g.level_start[i] - g.hash_start + k;
                        const uint8_t *blk = stored + idx * hbs;
                        const uint8_t *expect;
                        bool parent_bad = false, clean;
                        uint64_t used = CT_MIN((uint64_t)g.hash_per_block, children - k * g.hash_per_block);

                        if (!verity_hasher_block(&h, blk, hbs, dig)) {
                                rc = ct_error_set(err, CT_E_CRYPTO, "OpenSSL digest failed");
                                goto out;
                        }
                        if (i + 1 == g.levels) {
                                expect = root;
                        } else {
                                uint64_t pidx = g.level_start[i + 1] - g.hash_start + (k >> g.per_block_bits);
                                expect = stored + pidx * hbs + (k & (g.hash_per_block - 1u)) * g.stride;
                                parent_bad = bad_hash[pidx];
                        }
                        clean = spare_clean(blk, hbs, &g, used);
                        if (CRYPTO_memcmp(dig, expect, g.digest_size) != 0 || !clean) {
                                ct_verity_bad_block bb = {
                                        .kind = CRYPTO_memcmp(dig, expect, g.digest_size) ? CT_VERITY_BAD_HASH
                                                                                           : CT_VERITY_BAD_SPARE,
                                        .level = i,
                                        .block = g.level_start[i] + k,
                                        .offset = (g.level_start[i] + k) * hbs,
                                        .length = hbs,
                                        .parent_corrupt = parent_bad,
                                        .spare_dirty = !clean,
                                };
                                bad_hash[idx] = 1;
                                if (i + 1 == g.levels && bb.kind == CT_VERITY_BAD_HASH)
                                        b.r.root_matches = false;
                                report_add(&b, &bb);
                        }
                }
        }
        /* Data blocks against the stored leaf digests (or the root with a single block). */
        level0_off = g.levels ? (g.level_start[0] - g.hash_start) * hbs : 0;
        for (uint64_t j = 0; j < p->data_blocks; j++) {
                uint64_t pos = (j >> g.per_block_bits) * hbs + (j & (g.hash_per_block - 1u)) * g.stride;
                const uint8_t *expect = g.levels ? stored + level0_off + pos : root;
                if (CRYPTO_memcmp(calc + pos, expect, g.digest_size) != 0) {
                        ct_verity_bad_block bb = {
                                .kind = CT_VERITY_BAD_DATA,
                                .block = j,
                                .offset = j * dbs,
                                .length = dbs,
                                .parent_corrupt = g.levels ? bad_hash[(level0_off / hbs) + (j >> g.per_block_bits)]
                                                           : false,
                        };
                        if (!g.levels)
                                b.r.root_matches = false;
                        report_add(&b, &bb);
                }
        }
        if (b.oom) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        /* data blocks first (ascending), then hash blocks in device order */
        if (b.r.n_blocks > 1)
                qsort(b.r.blocks, b.r.n_blocks, sizeof(*b.r.blocks), bad_block_cmp);
        b.r.params = *p;
        b.r.geo = g;
        *ret = b.r;
        b.r.blocks = NULL;
        rc = (ret->n_bad_data || ret->n_bad_hash) ? CT_E_MISMATCH : CT_OK;
        if (rc)
                ct_error_set(err, CT_E_MISMATCH, "%llu corrupt data blocks, %llu corrupt hash blocks",
                             (unsigned long long)ret->n_bad_data, (unsigned long long)ret->n_bad_hash);
out:
        verity_hasher_free(&h);
        EVP_MD_free((EVP_MD *)md);
        free(b.r.blocks);
        free(stored);
        free(calc);
        free(bad_hash);
        return rc;
}

CT_EXPORT void ct_verity_report_free(ct_verity_report *r)
{
        if (!r)
                return;
        free(r->blocks);
        r->blocks = NULL;
        r->n_blocks = 0;
}
