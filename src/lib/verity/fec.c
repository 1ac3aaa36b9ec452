/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity FEC: systematic Reed-Solomon RS(255, 255 - roots) over GF(2^8)
 * with field polynomial 0x11d, first consecutive root alpha^0 and primitive
 * element alpha (the libfec parameters cryptsetup and the kernel use).
 *
 * The message is the data blocks followed by the covered hash blocks. It is
 * interleaved so that one codeword takes one byte from each of k blocks that
 * are `rounds` blocks apart: for round n and byte b, codeword byte i comes
 * from message offset (n + i * rounds) * bs + b. The parity of (n, b) is
 * `roots` bytes at fec_offset + (n * bs + b) * roots.
 *
 * Rounds are independent: worker threads take them from a shared counter.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

#define GF_A0 255u

struct rs_code {
        unsigned roots;
        uint8_t alpha_to[512];   /* alpha^(x mod 255) for x < 510 */
        uint8_t index_of[256];   /* log; index_of[0] = A0 */
        uint8_t genpoly[CT_VERITY_FEC_MAX_ROOTS + 1]; /* index form */
};

static void rs_init(struct rs_code *rs, unsigned roots)
{
        uint8_t g[CT_VERITY_FEC_MAX_ROOTS + 1];
        unsigned sr = 1;

        memset(rs, 0, sizeof(*rs));
        rs->roots = roots;
        rs->index_of[0] = GF_A0;
        for (unsigned i = 0; i < 255; i++) {
                rs->index_of[sr] = (uint8_t)i;
                rs->alpha_to[i] = (uint8_t)sr;
                sr <<= 1;
                if (sr & 0x100)
                        sr ^= 0x11d;
                sr &= 0xff;
        }
        rs->alpha_to[255] = 0;
        for (unsigned x = 255; x < 512; x++)
                rs->alpha_to[x] = rs->alpha_to[x % 255];
        /* generator polynomial: product of (x - alpha^i), i = 0 .. roots-1 */
        memset(g, 0, sizeof(g));
        g[0] = 1;
        for (unsigned i = 0; i < roots; i++) {
                g[i + 1] = 1;
                for (unsigned j = i; j > 0; j--) {
                        if (g[j])
                                g[j] = g[j - 1] ^ rs->alpha_to[(rs->index_of[g[j]] + i) % 255];
                        else
                                g[j] = g[j - 1];
                }
                g[0] = rs->alpha_to[(rs->index_of[g[0]] + i) % 255];
        }
        for (unsigned i = 0; i <= roots; i++)
                rs->genpoly[i] = rs->index_of[g[i]];
}

/* Feed one message byte into the parity register bb[roots]. */
static inline void rs_feed(const struct rs_code *rs, uint8_t *bb, uint8_t d)
{
        const unsigned nr = rs->roots;
        unsigned fb = rs->index_of[d ^ bb[0]];

        if (fb != GF_A0) {
                for (unsigned j = 1; j < nr; j++)
                        bb[j] ^= rs->alpha_to[fb + rs->genpoly[nr - j]];
        }
        memmove(bb, bb + 1, nr - 1);
        bb[nr - 1] = fb != GF_A0 ? rs->alpha_to[fb + rs->genpoly[0]] : 0;
}

struct fec_job {
        int data_fd;
        int out_fd;
        const ct_verity_params *p;
        const uint8_t *hash;
        uint64_t hash_len;
        int hash_fd;
        uint64_t hash_base;
        ct_verity_fec_geometry g;
        struct rs_code rs;
        atomic_uint_fast64_t next;
        struct verity_workers workers;
};

/* Message block m into buf (zeros past the end). */
static ct_code fec_block(struct fec_job *j, uint64_t m, uint8_t *buf, ct_error *e)
{
        const uint32_t bs = j->p->data_block_size;

        if (m >= j->g.blocks) {
                memset(buf, 0, bs);
                return CT_OK;
        }
        if (m < j->p->data_blocks) {
                ct_code rc = ct_pread_all(j->data_fd, buf, bs, m * bs, e);
                if (rc)
                        ct_error_prefix(e, "data");
                return rc;
        }
        m -= j->p->data_blocks;
        memset(buf, 0, bs);
        if (m * bs < j->hash_len) {
                memcpy(buf, j->hash + m * bs, (size_t)CT_MIN((uint64_t)bs, j->hash_len - m * bs));
                return CT_OK;
        }
        /* past the tree: what the hash device holds there (zeros past its end) */
        for (size_t got = 0; got < bs;) {
                ssize_t n = pread(j->hash_fd, buf + got, bs - got, (off_t)(j->hash_base + m * bs + got));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return ct_error_set_errno(e, errno, "hash: read");
                if (n == 0)
                        break;
                got += (size_t)n;
        }
        return CT_OK;
}

static void *fec_worker(void *arg)
{
        struct fec_job *j = arg;
        const uint32_t bs = j->p->data_block_size;
        const unsigned roots = j->rs.roots, k = 255u - roots;
        uint8_t *par = malloc((size_t)bs * roots), *blk = malloc(bs);
        ct_error e;

        ct_error_clear(&e);
        if (!par || !blk) {
                ct_error_set(&e, CT_E_NOMEM, "out of memory");
                verity_workers_fail(&j->workers, &e);
                goto out;
        }
        for (;;) {
                uint64_t n = atomic_fetch_add(&j->next, 1);
                if (n >= j->g.rounds || verity_workers_failed(&j->workers))
                        break;
                memset(par, 0, (size_t)bs * roots);
                for (unsigned i = 0; i < k; i++) {
                        if (fec_block(j, n + (uint64_t)i * j->g.rounds, blk, &e)) {
                                verity_workers_fail(&j->workers, &e);
                                goto out;
                        }
                        for (uint32_t b = 0; b < bs; b++)
                                rs_feed(&j->rs, par + (size_t)b * roots, blk[b]);
                }
                if (ct_pwrite_all(j->out_fd, par, (size_t)bs * roots, j->p->fec_offset + n * bs * roots, &e)) {
                        ct_error_prefix(&e, "FEC");
                        verity_workers_fail(&j->workers, &e);
                        goto out;
                }
        }
out:
        free(par);
        free(blk);
        return NULL;
}

ct_code verity_fec_write(int data_fd, const ct_verity_params *p, const uint8_t *hash, uint64_t hash_len, int hash_fd,
                         uint64_t hash_base, uint64_t hash_blocks, int out_fd, unsigned threads,
                         ct_verity_fec_geometry *ret, ct_error *err)
{
        struct fec_job *j;
        unsigned nt;
        ct_code rc;

        if (p->data_block_size != p->hash_block_size)
                return ct_error_set(err, CT_E_ARG, "FEC needs equal data and hash block sizes");
        j = calloc(1, sizeof(*j));
        if (!j)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        rc = ct_verity_fec_geometry_compute(p, hash_blocks, &j->g, err);
        if (rc) {
                free(j);
                return rc;
        }
        j->data_fd = data_fd;
        j->out_fd = out_fd;
        j->p = p;
        j->hash = hash;
        j->hash_len = hash_len;
        j->hash_fd = hash_fd;
        j->hash_base = hash_base;
        rs_init(&j->rs, p->fec_roots);
        atomic_init(&j->next, 0);
        nt = (unsigned)CT_MIN((uint64_t)verity_threads(threads), j->g.rounds);
        rc = verity_workers_run(&j->workers, nt, fec_worker, j, err);
        if (rc == CT_OK)
                *ret = j->g;
        free(j);
        return rc;
}
