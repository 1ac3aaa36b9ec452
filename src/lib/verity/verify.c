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
                rc = verity_data_size_check(data_fd, "data", p, err);
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
        rc = verity_tree_alloc(p, &g, &stored, &stored_len, err);
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
        rc = verity_hash_leaves(data_fd, p, &g, md, threads, calc, err);
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
