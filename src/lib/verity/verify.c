/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity verify: read the superblock, recompute the leaf digests of the
 * data (tree.c), then check every stored hash block top-down and every data
 * block against its stored digest, listing each corrupt block.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

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

/* One verification: the stored tree, the leaf digests of the data, and what compares how. */
struct vstate {
        const ct_verity_params *p;
        ct_verity_geometry g;
        const EVP_MD *md;
        struct verity_hasher h;
        const uint8_t *root;
        uint8_t *stored, *calc, *bad_hash;
        uint64_t stored_len;
        bool hash_truncated;
};

static void vstate_free(struct vstate *v)
{
        verity_hasher_free(&v->h);
        EVP_MD_free((EVP_MD *)v->md);
        free(v->stored);
        free(v->calc);
        free(v->bad_hash);
        memset(v, 0, sizeof(*v));
}

/* Check the parameters, read the stored tree, hash the leaves of the data. */
static ct_code vstate_load(struct vstate *v, int data_fd, int hash_fd, const ct_verity_params *p, const uint8_t *root,
                           size_t root_size, unsigned threads, ct_error *err)
{
        const uint32_t hbs = p->hash_block_size;
        uint64_t hash_size, calc_len;
        ct_code rc;

        memset(v, 0, sizeof(*v));
        v->p = p;
        v->root = root;
        rc = ct_verity_params_check(p, err);
        if (!rc)
                rc = ct_verity_geometry_compute(p, &v->g, err);
        if (!rc)
                rc = verity_data_size_check(data_fd, "data", p, err);
        if (!rc)
                rc = verity_fd_size(hash_fd, "hash", &hash_size, err);
        /* A hash device too short for the tree is refused before any data is read. */
        if (!rc)
                rc = ct_verity_hash_size_check(p, &v->g, hash_size, err);
        if (rc)
                return rc;
        if (root_size != v->g.digest_size)
                return ct_error_set(err, CT_E_ARG, "root hash has %zu bytes, %s needs %zu", root_size, p->hash_name,
                                    v->g.digest_size);
        v->md = verity_md_fetch(p->hash_name);
        if (!v->md)
                return ct_error_set(err, CT_E_ARG, "hash algorithm '%s' is not available", p->hash_name);
        rc = verity_hasher_init(&v->h, v->md, p, err);
        if (rc)
                return rc;
        /* The stored tree (missing tail read as zeros: it then fails like any corrupt block). */
        rc = verity_tree_alloc(p, &v->g, &v->stored, &v->stored_len, err);
        if (rc)
                return rc;
        if (v->g.levels) {
                uint64_t start = v->g.hash_start * hbs;
                rc = ct_pread_all(hash_fd, v->stored, (size_t)v->stored_len, start, err);
                if (rc) {
                        ct_error_prefix(err, "hash");
                        return rc;
                }
        }
        /* Leaf digests of the data as it is now. */
        calc_len = CT_MAX(v->g.levels ? v->g.level_blocks[0] : 1u, 1u) * hbs;
        v->calc = calloc(1, (size_t)calc_len);
        v->bad_hash = calloc(1, (size_t)CT_MAX(v->g.tree_blocks, 1u));
        if (!v->calc || !v->bad_hash)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        return verity_hash_leaves(data_fd, p, &v->g, v->md, threads, 0, v->calc, err);
}

/* Leaf slot of data block j in calc (and in level 0 of stored). */
static uint64_t leaf_pos(const struct vstate *v, uint64_t j)
{
        return (j >> v->g.per_block_bits) * v->p->hash_block_size + (j & (v->g.hash_per_block - 1u)) * v->g.stride;
}

/* Compare everything into a fresh report (*ret; CT_E_MISMATCH when anything is corrupt). */
static ct_code vstate_compare(struct vstate *v, ct_verity_report *ret, ct_error *err)
{
        const ct_verity_params *p = v->p;
        const ct_verity_geometry *g = &v->g;
        const uint32_t hbs = p->hash_block_size, dbs = p->data_block_size;
        struct report_builder b;
        uint8_t dig[CT_VERITY_MAX_DIGEST];
        uint64_t level0_off;
        ct_code rc;

        memset(&b, 0, sizeof(b));
        memset(v->bad_hash, 0, (size_t)CT_MAX(g->tree_blocks, 1u));
        b.r.hash_truncated = v->hash_truncated;
        /* Hash blocks, top level first so a block knows whether its parent is sound. */
        b.r.root_matches = true;
        for (unsigned i = g->levels; i-- > 0;) {
                uint64_t children = i == 0 ? p->data_blocks : g->level_blocks[i - 1];
                for (uint64_t k = 0; k < g->level_blocks[i]; k++) {
                        uint64_t idx = g->level_start[i] - g->hash_start + k;
                        const uint8_t *blk = v->stored + idx * hbs;
                        const uint8_t *expect;
                        bool parent_bad = false, clean;
                        uint64_t used = CT_MIN((uint64_t)g->hash_per_block, children - k * g->hash_per_block);

                        if (!verity_hasher_block(&v->h, blk, hbs, dig)) {
                                free(b.r.blocks);
                                return ct_error_set(err, CT_E_CRYPTO, "OpenSSL digest failed");
                        }
                        if (i + 1 == g->levels) {
                                expect = v->root;
                        } else {
                                uint64_t pidx = g->level_start[i + 1] - g->hash_start + (k >> g->per_block_bits);
                                expect = v->stored + pidx * hbs + (k & (g->hash_per_block - 1u)) * g->stride;
                                parent_bad = v->bad_hash[pidx];
                        }
                        clean = spare_clean(blk, hbs, g, used);
                        if (CRYPTO_memcmp(dig, expect, g->digest_size) != 0 || !clean) {
                                ct_verity_bad_block bb = {
                                        .kind = CRYPTO_memcmp(dig, expect, g->digest_size) ? CT_VERITY_BAD_HASH
                                                                                            : CT_VERITY_BAD_SPARE,
                                        .level = i,
                                        .block = g->level_start[i] + k,
                                        .offset = (g->level_start[i] + k) * hbs,
                                        .length = hbs,
                                        .parent_corrupt = parent_bad,
                                        .spare_dirty = !clean,
                                };
                                v->bad_hash[idx] = 1;
                                if (i + 1 == g->levels && bb.kind == CT_VERITY_BAD_HASH)
                                        b.r.root_matches = false;
                                report_add(&b, &bb);
                        }
                }
        }
        /* Data blocks against the stored leaf digests (or the root with a single block). */
        level0_off = g->levels ? (g->level_start[0] - g->hash_start) * hbs : 0;
        for (uint64_t j = 0; j < p->data_blocks; j++) {
                uint64_t pos = leaf_pos(v, j);
                const uint8_t *expect = g->levels ? v->stored + level0_off + pos : v->root;
                if (CRYPTO_memcmp(v->calc + pos, expect, g->digest_size) != 0) {
                        ct_verity_bad_block bb = {
                                .kind = CT_VERITY_BAD_DATA,
                                .block = j,
                                .offset = j * dbs,
                                .length = dbs,
                                .parent_corrupt = g->levels ? v->bad_hash[(level0_off / hbs) + (j >> g->per_block_bits)]
                                                            : false,
                        };
                        if (!g->levels)
                                b.r.root_matches = false;
                        report_add(&b, &bb);
                }
        }
        if (b.oom) {
                free(b.r.blocks);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        /* data blocks first (ascending), then hash blocks in device order */
        if (b.r.n_blocks > 1)
                qsort(b.r.blocks, b.r.n_blocks, sizeof(*b.r.blocks), bad_block_cmp);
        b.r.params = *p;
        b.r.geo = *g;
        *ret = b.r;
        rc = (ret->n_bad_data || ret->n_bad_hash) ? CT_E_MISMATCH : CT_OK;
        if (rc)
                ct_error_set(err, CT_E_MISMATCH, "%llu corrupt data blocks, %llu corrupt hash blocks",
                             (unsigned long long)ret->n_bad_data, (unsigned long long)ret->n_bad_hash);
        return rc;
}

CT_EXPORT ct_code ct_verity_verify_fd(int data_fd, int hash_fd, const ct_verity_params *p, const uint8_t *root,
                                      size_t root_size, unsigned threads, ct_verity_report *ret, ct_error *err)
{
        struct vstate v;
        ct_code rc = vstate_load(&v, data_fd, hash_fd, p, root, root_size, threads, err);

        if (rc == CT_OK)
                rc = vstate_compare(&v, ret, err);
        vstate_free(&v);
        return rc;
}

ct_code verity_verify_fec_keep(int data_fd, int hash_fd, int fec_fd, const ct_verity_params *p, const uint8_t *root,
                               size_t root_size, uint64_t fec_hash_blocks, unsigned threads, ct_verity_report *ret,
                               ct_verity_fec_check_result *ret_fec, struct verity_fixed *ret_fixed, ct_error *err)
{
        const uint32_t bs = p->data_block_size;
        ct_verity_fec_check_result fr;
        ct_verity_report first, again;
        uint64_t *want = NULL, n_want = 0;
        uint8_t *fixed = NULL;
        struct vstate v;
        ct_code rc;

        memset(&fr, 0, sizeof(fr));
        rc = vstate_load(&v, data_fd, hash_fd, p, root, root_size, threads, err);
        if (rc == CT_OK)
                rc = vstate_compare(&v, &first, err);
        if (rc != CT_E_MISMATCH) {
                if (rc == CT_OK) {
                        *ret = first;
                        *ret_fec = fr;
                        if (ret_fixed)
                                memset(ret_fixed, 0, sizeof(*ret_fixed));
                }
                vstate_free(&v);
                return rc;
        }
        /* The corrupt blocks, as FEC message blocks: data j is j, tree block t (from hash_start) is N + t. */
        if (first.n_blocks == first.n_bad_data + first.n_bad_hash &&
            (uint64_t)first.n_blocks <= CT_VERITY_MAX_FEC_REPAIR_BYTES / bs) {
                want = calloc(CT_MAX(first.n_blocks, (size_t)1), sizeof(*want));
                fixed = malloc(CT_MAX(first.n_blocks, (size_t)1) * (size_t)bs);
                if (!want || !fixed) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
                for (size_t i = 0; i < first.n_blocks; i++) {
                        const ct_verity_bad_block *bb = &first.blocks[i];
                        uint64_t m = bb->kind == CT_VERITY_BAD_DATA ? bb->block
                                                                     : p->data_blocks + (bb->block - v.g.hash_start);
                        if (m < p->data_blocks + fec_hash_blocks)
                                want[n_want++] = m;
                }
        }
        rc = verity_fec_decode(data_fd, hash_fd, fec_fd, p, fec_hash_blocks, threads, want, (size_t)n_want, fixed,
                               &fr, err);
        if (rc)
                goto out;
        fr.blocks_repaired = n_want;
        if (fr.uncorrectable == 0 && n_want == first.n_blocks) {
                /* put the corrected blocks in and compare again */
                for (uint64_t w = 0; w < n_want; w++) {
                        const uint8_t *blk = fixed + w * bs;
                        if (want[w] < p->data_blocks) {
                                if (!verity_hasher_block(&v.h, blk, bs, v.calc + leaf_pos(&v, want[w]))) {
                                        rc = ct_error_set(err, CT_E_CRYPTO, "OpenSSL digest failed");
                                        goto out;
                                }
                        } else {
                                uint64_t t = want[w] - p->data_blocks;
                                if (t < v.g.tree_blocks)
                                        memcpy(v.stored + t * bs, blk, bs);
                        }
                }
                rc = vstate_compare(&v, &again, err);
                if (rc != CT_OK && rc != CT_E_MISMATCH)
                        goto out;
                fr.verified_after_repair = rc == CT_OK;
                ct_verity_report_free(&again);
        }
        *ret = first;
        first.blocks = NULL;
        *ret_fec = fr;
        rc = fr.verified_after_repair ? CT_OK : CT_E_MISMATCH;
        if (rc == CT_OK && ret_fixed) {
                ret_fixed->want = want;
                ret_fixed->n = (size_t)n_want;
                ret_fixed->blocks = fixed;
                ret_fixed->hash_start = v.g.hash_start;
                ret_fixed->tree_blocks = v.g.tree_blocks;
                want = NULL;
                fixed = NULL;
        }
        if (rc)
                ct_error_set(err, CT_E_MISMATCH, "%llu corrupt data blocks, %llu corrupt hash blocks, %s",
                             (unsigned long long)ret->n_bad_data, (unsigned long long)ret->n_bad_hash,
                             fr.uncorrectable ? "not repairable with FEC" : "still corrupt after FEC repair");
out:
        if (rc != CT_OK && rc != CT_E_MISMATCH)
                ct_verity_report_free(&first);
        free(want);
        free(fixed);
        vstate_free(&v);
        return rc;
}

CT_EXPORT ct_code ct_verity_verify_fec_fd(int data_fd, int hash_fd, int fec_fd, const ct_verity_params *p,
                                          const uint8_t *root, size_t root_size, uint64_t fec_hash_blocks,
                                          unsigned threads, ct_verity_report *ret, ct_verity_fec_check_result *ret_fec,
                                          ct_error *err)
{
        return verity_verify_fec_keep(data_fd, hash_fd, fec_fd, p, root, root_size, fec_hash_blocks, threads, ret,
                                      ret_fec, NULL, err);
}

CT_EXPORT void ct_verity_report_free(ct_verity_report *r)
{
        if (!r)
                return;
        free(r->blocks);
        r->blocks = NULL;
        r->n_blocks = 0;
}
