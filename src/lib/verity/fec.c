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
#include <stdbool.h>
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
        const char *const *names; /* data, hash, FEC paths for error messages (NULL: none) */
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
        /* check mode */
        int fec_fd;
        atomic_uint_fast64_t corrected;
        atomic_uint_fast64_t uncorrectable;
        atomic_uint_fast64_t first_bad; /* round + 1 of the first uncorrectable codeword, 0: none */
        const struct want *want;        /* sorted by round */
        size_t n_want;
        uint8_t *out;
};

/* Name the file (0 data, 1 hash, 2 FEC) an error is about, when the caller gave the names. */
static void fec_name(const struct fec_job *j, int which, ct_error *e)
{
        if (j->names && j->names[which])
                ct_error_set_input(e, j->names[which]);
}

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
                if (rc) {
                        ct_error_prefix(e, "data");
                        fec_name(j, 0, e);
                }
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
                if (n < 0) {
                        ct_error_set_errno(e, errno, "hash: read");
                        fec_name(j, 1, e);
                        return CT_E_IO;
                }
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
                        fec_name(j, 2, &e);
                        verity_workers_fail(&j->workers, &e);
                        goto out;
                }
        }
out:
        free(par);
        free(blk);
        return NULL;
}

/* ---- decoding (check) ------------------------------------------------------ */

/* A message block whose corrected bytes are wanted: round m % rounds, position m / rounds in the codeword. */
struct want {
        uint64_t round;
        unsigned pos;
        size_t slot;   /* index in the caller's want[] / out */
};

static int want_cmp(const void *a, const void *b)
{
        const struct want *x = a, *y = b;

        return x->round < y->round ? -1 : x->round > y->round;
}

static inline uint8_t gf_mul(const struct rs_code *rs, uint8_t a, uint8_t b)
{
        return a && b ? rs->alpha_to[rs->index_of[a] + rs->index_of[b]] : 0;
}

static inline uint8_t gf_div(const struct rs_code *rs, uint8_t a, uint8_t b)
{
        return a ? rs->alpha_to[rs->index_of[a] + 255u - rs->index_of[b]] : 0;
}

/* alpha^e for any e >= 0 */
static inline uint8_t gf_pow(const struct rs_code *rs, unsigned e)
{
        return rs->alpha_to[e % 255u];
}

/*
 * Decode one codeword c[0..255) (c[0] the highest power of x, the last
 * `roots` bytes the parity, as the encoder lays it out) in place: the number
 * of symbols corrected, or -1 when there are more errors than roots / 2 can
 * locate. Syndromes S_j = C(alpha^j) (first consecutive root alpha^0),
 * Berlekamp-Massey for the error locator, Chien search, Forney for values.
 */
static int rs_decode(const struct rs_code *rs, uint8_t *c)
{
        const unsigned nr = rs->roots;
        uint8_t s[CT_VERITY_FEC_MAX_ROOTS], lam[CT_VERITY_FEC_MAX_ROOTS + 1] = { 1 },
                b[CT_VERITY_FEC_MAX_ROOTS + 1] = { 1 }, t[CT_VERITY_FEC_MAX_ROOTS + 1],
                om[CT_VERITY_FEC_MAX_ROOTS];
        unsigned pos[CT_VERITY_FEC_MAX_ROOTS], L = 0, m = 1, nfound = 0;
        uint8_t bb = 1;
        bool any = false;

        for (unsigned j = 0; j < nr; j++) {
                uint8_t aj = gf_pow(rs, j), v = 0;
                for (unsigned i = 0; i < 255; i++)
                        v = (uint8_t)(gf_mul(rs, v, aj) ^ c[i]);
                s[j] = v;
                any |= v != 0;
        }
        if (!any)
                return 0;
        /* Berlekamp-Massey */
        for (unsigned n = 0; n < nr; n++) {
                uint8_t d = s[n];
                for (unsigned i = 1; i <= L; i++)
                        d ^= gf_mul(rs, lam[i], s[n - i]);
                if (d == 0) {
                        m++;
                        continue;
                }
                memcpy(t, lam, sizeof(t));
                {
                        uint8_t coef = gf_div(rs, d, bb);
                        for (unsigned i = 0; i + m <= nr; i++)
                                lam[i + m] ^= gf_mul(rs, coef, b[i]);
                }
                if (2 * L <= n) {
                        L = n + 1 - L;
                        memcpy(b, t, sizeof(b));
                        bb = d;
                        m = 1;
                } else {
                        m++;
                }
        }
        if (L > nr / 2)
                return -1;
        /* Chien search: an error at power p (index 254 - p) where lam(alpha^-p) = 0 */
        for (unsigned p = 0; p < 255 && nfound <= L; p++) {
                uint8_t x = gf_pow(rs, 255u - p), v = 0;
                for (unsigned i = L + 1; i-- > 0;)
                        v = (uint8_t)(gf_mul(rs, v, x) ^ lam[i]);
                if (v == 0) {
                        if (nfound == L)
                                return -1;
                        pos[nfound++] = p;
                }
        }
        if (nfound != L)
                return -1;
        /* omega = S * lam mod x^nr */
        for (unsigned i = 0; i < nr; i++) {
                uint8_t v = 0;
                for (unsigned k = 0; k <= i && k <= L; k++)
                        v ^= gf_mul(rs, lam[k], s[i - k]);
                om[i] = v;
        }
        /* Forney: e = X * omega(X^-1) / lam'(X^-1) */
        for (unsigned k = 0; k < nfound; k++) {
                uint8_t xinv = gf_pow(rs, 255u - pos[k]), num = 0, den = 0;
                for (unsigned i = nr; i-- > 0;)
                        num = (uint8_t)(gf_mul(rs, num, xinv) ^ om[i]);
                for (unsigned i = 1; i <= L; i += 2) /* odd terms of lam, as lam'(x) in characteristic 2 */
                        den ^= gf_mul(rs, lam[i], gf_pow(rs, (255u - pos[k]) * (i - 1)));
                if (den == 0)
                        return -1;
                c[254 - pos[k]] ^= gf_mul(rs, gf_pow(rs, pos[k]), gf_div(rs, num, den));
        }
        return (int)nfound;
}

static void *fec_check_worker(void *arg)
{
        struct fec_job *j = arg;
        const uint32_t bs = j->p->data_block_size;
        const unsigned roots = j->rs.roots, k = 255u - roots;
        uint8_t *msg = malloc((size_t)bs * k), *par = malloc((size_t)bs * roots), cw[255];
        ct_error e;

        ct_error_clear(&e);
        if (!msg || !par) {
                ct_error_set(&e, CT_E_NOMEM, "out of memory");
                verity_workers_fail(&j->workers, &e);
                goto out;
        }
        for (;;) {
                uint64_t n = atomic_fetch_add(&j->next, 1), fixed = 0;
                if (n >= j->g.rounds || verity_workers_failed(&j->workers))
                        break;
                for (unsigned i = 0; i < k; i++) {
                        if (fec_block(j, n + (uint64_t)i * j->g.rounds, msg + (size_t)i * bs, &e)) {
                                verity_workers_fail(&j->workers, &e);
                                goto out;
                        }
                }
                if (ct_pread_all(j->fec_fd, par, (size_t)bs * roots, j->p->fec_offset + n * bs * roots, &e)) {
                        ct_error_prefix(&e, "FEC");
                        verity_workers_fail(&j->workers, &e);
                        goto out;
                }
                /* the wanted blocks of this round: [w0, w1) of the sorted list */
                size_t w0 = 0, w1, lo = 0, hi = j->n_want;
                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;
                        if (j->want[mid].round < n)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                w0 = lo;
                for (w1 = w0; w1 < j->n_want && j->want[w1].round == n;)
                        w1++;
                for (uint32_t b = 0; b < bs; b++) {
                        int r;
                        for (unsigned i = 0; i < k; i++)
                                cw[i] = msg[(size_t)i * bs + b];
                        memcpy(cw + k, par + (size_t)b * roots, roots);
                        r = rs_decode(&j->rs, cw);
                        for (size_t w = w0; w < w1; w++)
                                j->out[j->want[w].slot * bs + b] = cw[j->want[w].pos];
                        if (r < 0) {
                                uint_fast64_t none = 0;
                                atomic_fetch_add(&j->uncorrectable, 1);
                                atomic_compare_exchange_strong(&j->first_bad, &none, n + 1);
                        } else {
                                fixed += (uint64_t)r;
                        }
                }
                atomic_fetch_add(&j->corrected, fixed);
        }
out:
        free(msg);
        free(par);
        return NULL;
}

ct_code verity_fec_decode(int data_fd, int hash_fd, int fec_fd, const ct_verity_params *p, uint64_t hash_blocks,
                          unsigned threads, const uint64_t *want, size_t n_want, uint8_t *out,
                          ct_verity_fec_check_result *ret, ct_error *err)
{
        ct_verity_geometry geo;
        ct_verity_fec_check_result res;
        struct want *wl = NULL;
        struct fec_job *j;
        unsigned nt;
        ct_code rc;

        rc = ct_verity_params_check(p, err);
        if (!rc)
                rc = ct_verity_geometry_compute(p, &geo, err);
        if (rc)
                return rc;
        if (!p->fec_roots || p->data_block_size != p->hash_block_size)
                return ct_error_set(err, CT_E_ARG, "FEC needs roots and equal data and hash block sizes");
        j = calloc(1, sizeof(*j));
        if (!j)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        rc = ct_verity_fec_geometry_compute(p, hash_blocks, &j->g, err);
        if (rc)
                goto out;
        if (n_want) {
                wl = calloc(n_want, sizeof(*wl));
                if (!wl) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
                for (size_t i = 0; i < n_want; i++) {
                        if (want[i] >= j->g.blocks) {
                                rc = ct_error_set(err, CT_E_ARG, "block %llu is not covered by FEC",
                                                  (unsigned long long)want[i]);
                                goto out;
                        }
                        wl[i].round = want[i] % j->g.rounds;
                        wl[i].pos = (unsigned)(want[i] / j->g.rounds);
                        wl[i].slot = i;
                }
                qsort(wl, n_want, sizeof(*wl), want_cmp);
        }
        j->data_fd = data_fd;
        j->hash_fd = hash_fd;
        j->hash_base = geo.hash_start * p->hash_block_size;
        j->fec_fd = fec_fd;
        j->p = p;
        j->want = wl;
        j->n_want = n_want;
        j->out = out;
        rs_init(&j->rs, p->fec_roots);
        atomic_init(&j->next, 0);
        atomic_init(&j->corrected, 0);
        atomic_init(&j->uncorrectable, 0);
        atomic_init(&j->first_bad, 0);
        nt = (unsigned)CT_MIN((uint64_t)verity_threads(threads), CT_MAX(j->g.rounds, 1u));
        rc = verity_workers_run(&j->workers, nt, fec_check_worker, j, err);
        if (rc == CT_OK) {
                memset(&res, 0, sizeof(res));
                res.geometry = j->g;
                res.corrected = atomic_load(&j->corrected);
                res.uncorrectable = atomic_load(&j->uncorrectable);
                res.first_bad_round = atomic_load(&j->first_bad);
                if (res.first_bad_round)
                        res.first_bad_round--;
                *ret = res;
        }
out:
        free(wl);
        free(j);
        return rc;
}

CT_EXPORT ct_code ct_verity_fec_check(int data_fd, int hash_fd, int fec_fd, const ct_verity_params *p,
                                      uint64_t hash_blocks, unsigned threads, ct_verity_fec_check_result *ret,
                                      ct_error *err)
{
        return verity_fec_decode(data_fd, hash_fd, fec_fd, p, hash_blocks, threads, NULL, 0, NULL, ret, err);
}

ct_code verity_fec_write(int data_fd, const ct_verity_params *p, const uint8_t *hash, uint64_t hash_len, int hash_fd,
                         uint64_t hash_base, uint64_t hash_blocks, int out_fd, unsigned threads,
                         const char *const names[3], ct_verity_fec_geometry *ret, ct_error *err)
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
        j->names = names;
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
