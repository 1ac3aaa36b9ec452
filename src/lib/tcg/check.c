/* SPDX-License-Identifier: Apache-2.0 */
/* An event log against PCR values: explained / mismatching PCRs, the events of each mismatch, the cut-off record. */
#include <stdlib.h>
#include <string.h>

#include <cocotrust/check.h>
#include <cocotrust/reader.h>

#include "../internal.h"

struct collect {
        ct_tpm_check_mismatch *m;
        size_t cap;
        ct_code rc;
};

static ct_code collect_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct collect *c = userdata;

        (void)info;
        if (ev->is_header || ev->pcr != c->m->pcr)
                return CT_OK;
        if (c->m->n_events == c->cap) {
                size_t cap = c->cap ? 2 * c->cap : 16;
                ct_tcg_event *n = realloc(c->m->events, cap * sizeof(*n));
                if (!n)
                        return ct_error_set(err, CT_E_NOMEM, "out of memory");
                c->m->events = n;
                c->cap = cap;
        }
        c->m->events[c->m->n_events++] = *ev;
        return CT_OK;
}

/* Does the log carry bank alg (even if no record extends it)? */
static bool log_has_bank(const ct_tpm_replay *r, ct_hash_alg alg)
{
        if (r->info.format == CT_TCG_FORMAT_SHA1)
                return alg == CT_HASH_SHA1;
        for (uint32_t j = 0; j < r->info.specid.n_algs; j++)
                if (r->info.specid.algs[j].alg == alg)
                        return true;
        return false;
}

static void what_if(const ct_tpm_replay *r, const uint8_t *log, size_t len, ct_tpm_check_mismatch *m)
{
        const ct_tcg_event *t = &r->info.truncated_event;
        const ct_tcg_digest *d;
        ct_digest ext;

        if (!r->info.truncated)
                return;
        if (r->info.truncated_has_digests) {
                m->truncated_here = t->pcr == m->pcr;
        } else {
                /* only the PCR index may be readable */
                m->truncated_here = len - r->info.truncated_offset >= 4 &&
                                    ct_get_le32(log + r->info.truncated_offset) == m->pcr;
                return;
        }
        if (!m->truncated_here || t->type == CT_EV_NO_ACTION || !(d = ct_tcg_event_digest(t, m->bank)))
                return;
        m->with_truncated = m->replayed;
        if (ct_digest_from_bytes(&ext, m->bank, d->bytes, d->size) != CT_OK ||
            ct_pcr_extend(&m->with_truncated, &ext, NULL) != CT_OK)
                return;
        m->truncated_complete = true;
        m->truncated_event = *t;
        m->truncated_explains = ct_digest_equal(&m->with_truncated, &m->expected);
}

CT_EXPORT void ct_tpm_check_free(ct_tpm_check *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n_mismatches; i++)
                free(c->mismatches[i].events);
        free(c->mismatches);
        free(c);
}

CT_EXPORT bool ct_tpm_check_ok(const ct_tpm_check *c)
{
        return c->n_banks > 0 && c->n_mismatch == 0;
}

CT_EXPORT ct_code ct_tpm_check_log(const uint8_t *log, size_t len, const ct_pcr_set *pcrs, uint32_t bank_mask,
                                   unsigned flags, ct_tpm_check **ret, ct_error *err)
{
        ct_tpm_check *c = calloc(1, sizeof(*c));
        ct_pcr_compare cmp;
        const ct_pcr_set *others[1] = { pcrs };
        size_t n_mis = 0;
        ct_code rc;

        if (!c)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if ((rc = ct_tpm_replay_log(log, len, flags, &c->replay, err)) != CT_OK)
                goto fail;
        /* The banks both have compare as sets; ct_pcr_compare_sets decides equality. */
        if ((rc = ct_pcr_compare_sets(&c->replay.pcrs, others, 1, &cmp, err)) != CT_OK)
                goto fail;
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX; a++) {
                const ct_pcr_bank *tb = ct_pcr_set_bank_const(pcrs, (ct_hash_alg)a);
                const ct_pcr_bank *lb = ct_pcr_set_bank_const(&c->replay.pcrs, (ct_hash_alg)a);
                ct_tpm_check_bank *b;

                if (!tb || (bank_mask && !(bank_mask & (1u << a))) || !log_has_bank(&c->replay, (ct_hash_alg)a))
                        continue;
                b = &c->banks[c->n_banks++];
                b->alg = (ct_hash_alg)a;
                if (!lb) { /* listed, never extended */
                        b->not_in_log = tb->present;
                        continue;
                }
                for (unsigned k = 0; k < cmp.n_banks; k++) {
                        const ct_pcr_compare_bank *cb = &cmp.banks[k];
                        if (cb->alg != b->alg)
                                continue;
                        b->explained = cb->common | cb->unused;
                        b->mismatch = cb->different;
                        b->not_in_pcrs = cb->only_in_ref;
                        b->not_in_log = cb->only_in_other;
                }
                c->n_explained += (unsigned)__builtin_popcount(b->explained);
                c->n_mismatch += (unsigned)__builtin_popcount(b->mismatch);
                c->n_not_in_pcrs += (unsigned)__builtin_popcount(b->not_in_pcrs);
                n_mis += (size_t)__builtin_popcount(b->mismatch);
        }
        if (n_mis) {
                c->mismatches = calloc(n_mis, sizeof(*c->mismatches));
                if (!c->mismatches) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto fail;
                }
        }
        for (unsigned k = 0; k < c->n_banks; k++) {
                const ct_tpm_check_bank *b = &c->banks[k];
                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                        ct_tpm_check_mismatch *m;
                        struct collect col;

                        if (!(b->mismatch & (1u << i)))
                                continue;
                        m = &c->mismatches[c->n_mismatches++];
                        m->bank = b->alg;
                        m->pcr = i;
                        ct_pcr_set_get(&c->replay.pcrs, b->alg, i, &m->replayed);
                        ct_pcr_set_get(pcrs, b->alg, i, &m->expected);
                        col = (struct collect){ .m = m };
                        if ((rc = ct_tcg_walk(log, len, flags, collect_cb, &col, NULL, err)) != CT_OK)
                                goto fail;
                        what_if(&c->replay, log, len, m);
                }
        }
        *ret = c;
        return CT_OK;
fail:
        ct_tpm_check_free(c);
        return rc;
}
