/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which configuration produced this launch digest? A search over modes x VMM
 * types x vCPU signatures x guest features x vCPU counts for the
 * appraisal's explanation of a mismatch. The firmware part is measured once
 * per mode (ct_snp_base); each (mode, VMM, signature, guest features) job
 * then extends the VMSA chain one vCPU at a time (snp_base_find) and
 * compares after every count. Jobs are spread over a few threads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/snp.h>

#include "../internal.h"
#include "snp-internal.h"

/* 0, then 0x1 | any subset of bits 1..9, ascending. */
static uint64_t default_gf[1 + 512];
static pthread_once_t default_gf_once = PTHREAD_ONCE_INIT;

static void default_gf_init(void)
{
        default_gf[0] = 0;
        for (uint64_t i = 0; i < 512; i++)
                default_gf[1 + i] = 1 | (i << 1);
}

CT_EXPORT const uint64_t *ct_snp_explain_default_guest_features(size_t *ret_n)
{
        pthread_once(&default_gf_once, default_gf_init);
        if (ret_n)
                *ret_n = CT_ARRAY_SIZE(default_gf);
        return default_gf;
}

#define CT_MAX_SNP_EXPLAIN_JOBS (1u << 20)

enum { MODE_SEV, MODE_SEV_ES, MODE_SNP, MODE_SVSM, N_MODES };

static const ct_snp_mode mode_of[N_MODES] = { CT_SNP_MODE_SEV, CT_SNP_MODE_SEV_ES, CT_SNP_MODE_SNP,
                                              CT_SNP_MODE_SNP_SVSM };

struct job {
        unsigned mode;      /* MODE_* */
        ct_snp_vmm vmm;
        ct_snp_sig sig;
        uint64_t gf;
};

struct hit {
        size_t job;
        int64_t vcpus;
};

struct search {
        ct_snp_base *bases[N_MODES];
        const uint8_t *digest;
        size_t digest_len;
        int64_t max_vcpus;
        struct job *jobs;
        size_t n_jobs;
        atomic_size_t next;
        atomic_bool failed;
        pthread_mutex_t lock;
        struct hit hits[CT_MAX_SNP_EXPLAIN_MATCHES];
        size_t n_hits;
        uint64_t n_found;
        ct_error first_err;
        bool have_err;
};

static void *worker(void *arg)
{
        struct search *s = arg;
        int64_t found[16];
        size_t n;
        ct_error err;

        while (!atomic_load(&s->failed)) {
                size_t i = atomic_fetch_add(&s->next, 1);
                const struct job *j;
                ct_code rc;

                if (i >= s->n_jobs)
                        break;
                j = &s->jobs[i];
                ct_error_clear(&err);
                rc = snp_base_find(s->bases[j->mode], j->vmm, j->sig.sig, j->gf,
                                   j->mode == MODE_SEV ? 0 : s->max_vcpus, s->digest, s->digest_len, found,
                                   CT_ARRAY_SIZE(found), &n, &err);
                if (rc) {
                        pthread_mutex_lock(&s->lock);
                        if (!s->have_err) {
                                s->first_err = err;
                                s->have_err = true;
                        }
                        pthread_mutex_unlock(&s->lock);
                        atomic_store(&s->failed, true);
                        break;
                }
                if (n == 0)
                        continue;
                pthread_mutex_lock(&s->lock);
                for (size_t k = 0; k < n; k++) {
                        if (k < CT_ARRAY_SIZE(found) && s->n_hits < CT_ARRAY_SIZE(s->hits))
                                s->hits[s->n_hits++] = (struct hit){ i, found[k] };
                        s->n_found++;
                }
                pthread_mutex_unlock(&s->lock);
        }
        return NULL;
}

static int cmp_hit(const void *a, const void *b)
{
        const struct hit *x = a, *y = b;

        if (x->job != y->job)
                return x->job < y->job ? -1 : 1;
        return x->vcpus < y->vcpus ? -1 : x->vcpus > y->vcpus;
}

/* The five distinct signatures of ct_snp_vcpu_types(), each named by its first type. */
static size_t default_sigs(ct_snp_sig *out, size_t cap)
{
        size_t nt, n = 0;
        const ct_snp_vcpu_type *t = ct_snp_vcpu_types(&nt);

        for (size_t i = 0; i < nt; i++) {
                uint64_t sig = ct_snp_cpu_sig(t[i].family, t[i].model, t[i].stepping);
                bool seen = false;

                for (size_t k = 0; k < n && !seen; k++)
                        seen = out[k].sig == sig;
                if (!seen && n < cap)
                        out[n++] = (ct_snp_sig){ t[i].name, true, sig };
        }
        return n;
}

static bool dup_sig(const ct_snp_sig *sigs, size_t k)
{
        for (size_t i = 0; i < k; i++)
                if (sigs[i].sig == sigs[k].sig)
                        return true;
        return false;
}

static bool dup_vmm(const ct_snp_vmm *vmms, size_t k)
{
        for (size_t i = 0; i < k; i++)
                if (vmms[i] == vmms[k])
                        return true;
        return false;
}

static ct_code add_job(struct search *s, size_t cap, unsigned mode, ct_snp_vmm vmm, const ct_snp_sig *sig, uint64_t gf)
{
        if (s->n_jobs == cap)
                return CT_E_LIMIT;
        s->jobs[s->n_jobs++] = (struct job){ mode, vmm, *sig, gf };
        return CT_OK;
}

static ct_code build_jobs(struct search *s, const ct_snp_vmm *vmms, size_t n_vmms, const ct_snp_sig *sigs,
                          size_t n_sigs, const uint64_t *gfs, size_t n_gfs, ct_error *err)
{
        static const ct_snp_sig nosig = { NULL, false, 0 };
        static const uint64_t zero = 0, one = 1;
        size_t cap = 0;
        ct_code rc = CT_OK;

        /* an upper bound: every mode with every VMM, signature and guest-feature value (lists are capped) */
        cap = N_MODES * n_vmms * n_sigs * n_gfs + N_MODES;
        if (cap > CT_MAX_SNP_EXPLAIN_JOBS)
                return ct_error_set(err, CT_E_LIMIT,
                                    "%zu VMM types x %zu signatures x %zu guest-feature values: above the limit of %u "
                                    "combinations",
                                    n_vmms, n_sigs, n_gfs, CT_MAX_SNP_EXPLAIN_JOBS / N_MODES);
        s->jobs = calloc(cap, sizeof(*s->jobs));
        if (!s->jobs)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        for (unsigned m = 0; m < N_MODES && !rc; m++) {
                const uint64_t *g = gfs;
                size_t ng = n_gfs;

                if (!s->bases[m])
                        continue;
                if (m == MODE_SEV) {
                        rc = add_job(s, cap, m, CT_SNP_VMM_QEMU, &nosig, 0);
                        continue;
                }
                if (m != MODE_SNP) { /* seves measures SEV features 0, snp:svsm 1 */
                        g = m == MODE_SEV_ES ? &zero : &one;
                        ng = 1;
                }
                for (size_t v = 0; v < n_vmms && !rc; v++) {
                        bool qemu = vmms[v] == CT_SNP_VMM_QEMU;

                        if (dup_vmm(vmms, v))
                                continue;

                        if (m == MODE_SVSM && !qemu)
                                continue;
                        /* ec2 and gce put 0x600 in rdx: the signature does not matter */
                        for (size_t k = 0; k < (qemu ? n_sigs : 1) && !rc; k++) {
                                if (qemu && dup_sig(sigs, k))
                                        continue; /* EPYC and EPYC-v4: one signature, searched once */
                                for (size_t i = 0; i < ng && !rc; i++)
                                        rc = add_job(s, cap, m, vmms[v], qemu ? &sigs[k] : &nosig, g[i]);
                        }
                }
        }
        if (rc)
                return ct_error_set(err, CT_E_LIMIT, "too many configurations");
        return CT_OK;
}

/*
 * One base per mode the digest's length allows. A mode the firmware cannot do
 * (no reset block for seves, no kernel hashes page, ...) is left out; only
 * when no mode is possible does the first error come back.
 */
static ct_code make_bases(struct search *s, const ct_snp_params *a, uint32_t *ret_modes, ct_error *err)
{
        ct_error first;
        ct_code first_rc = CT_OK;
        uint32_t modes = 0;

        ct_error_clear(&first);
        for (unsigned m = 0; m < N_MODES; m++) {
                ct_snp_params p = *a;
                bool want = s->digest_len == 32 ? (m == MODE_SEV || m == MODE_SEV_ES)
                                                : (m == MODE_SNP || (m == MODE_SVSM && a->svsm));
                ct_error e;
                ct_code rc;

                if (!want)
                        continue;
                p.mode = mode_of[m];
                if (m != MODE_SNP)
                        p.has_ovmf_hash = false;
                if (m == MODE_SVSM)
                        p.has_kernel = false; /* snp:svsm does no direct boot */
                ct_error_clear(&e);
                rc = ct_snp_base_new(&p, &s->bases[m], &e);
                if (rc == CT_E_NOMEM || rc == CT_E_CRYPTO || rc == CT_E_ARG) {
                        if (err)
                                *err = e;
                        return rc;
                }
                if (rc && !first_rc) {
                        first_rc = rc;
                        first = e;
                }
                if (!rc)
                        modes |= 1u << mode_of[m];
        }
        if (!modes) {
                if (err)
                        *err = first;
                return first_rc ? first_rc : ct_error_set(err, CT_E_ARG, "nothing to search");
        }
        *ret_modes = modes;
        return CT_OK;
}

CT_EXPORT ct_code ct_snp_explain(const ct_snp_params *artifacts, const uint8_t *digest, size_t digest_len,
                                 const ct_snp_explain_space *space, ct_snp_explanation *ret, ct_error *err)
{
        static const ct_snp_vmm all_vmms[] = { CT_SNP_VMM_QEMU, CT_SNP_VMM_EC2, CT_SNP_VMM_GCE };
        ct_snp_explain_space sp = { 0 };
        ct_snp_sig dsigs[16];
        struct search *s;
        pthread_t tids[CT_MAX_SNP_EXPLAIN_THREADS];
        unsigned nt, started = 0;
        ct_snp_explanation out = { 0 };
        ct_code rc;

        if (!artifacts || !digest || !ret || (digest_len != 48 && digest_len != 32))
                return ct_error_set(err, CT_E_ARG, "a launch digest has 48 (SNP) or 32 (SEV, SEV-ES) bytes");
        if (space)
                sp = *space;
        if (sp.max_vcpus == 0)
                sp.max_vcpus = CT_SNP_EXPLAIN_DEFAULT_MAX_VCPUS;
        if (sp.max_vcpus < 0 || sp.max_vcpus > CT_MAX_SNP_VCPUS)
                return ct_error_set(err, CT_E_ARG, "vCPU counts 1..%lld: the limit is %d", (long long)sp.max_vcpus,
                                    CT_MAX_SNP_VCPUS);
        if (!sp.vmms) {
                sp.vmms = all_vmms;
                sp.n_vmms = CT_ARRAY_SIZE(all_vmms);
        }
        if (!sp.sigs) {
                sp.n_sigs = default_sigs(dsigs, CT_ARRAY_SIZE(dsigs));
                sp.sigs = dsigs;
        }
        if (!sp.guest_features)
                sp.guest_features = ct_snp_explain_default_guest_features(&sp.n_guest_features);
        if (sp.n_vmms == 0 || sp.n_vmms > CT_SNP_VMM__MAX || sp.n_sigs == 0 || sp.n_sigs > CT_MAX_SNP_EXPLAIN_SIGS ||
            sp.n_guest_features == 0 || sp.n_guest_features > CT_MAX_SNP_EXPLAIN_GUEST_FEATURES)
                return ct_error_set(err, CT_E_ARG, "empty or oversized search space lists");
        for (size_t i = 0; i < sp.n_vmms; i++)
                if ((unsigned)sp.vmms[i] >= CT_SNP_VMM__MAX)
                        return ct_error_set(err, CT_E_ARG, "unknown VMM type %d", (int)sp.vmms[i]);
        for (size_t i = 0; i < sp.n_sigs; i++)
                if (!sp.sigs[i].has_sig)
                        return ct_error_set(err, CT_E_ARG, "signature %zu of the search space has no value", i);
        nt = sp.threads ? sp.threads : 2;
        if (nt > CT_MAX_SNP_EXPLAIN_THREADS)
                nt = CT_MAX_SNP_EXPLAIN_THREADS;

        s = calloc(1, sizeof(*s));
        if (!s)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        s->digest = digest;
        s->digest_len = digest_len;
        s->max_vcpus = sp.max_vcpus;
        atomic_init(&s->next, 0);
        atomic_init(&s->failed, false);
        pthread_mutex_init(&s->lock, NULL);
        rc = make_bases(s, artifacts, &out.modes, err);
        if (!rc)
                rc = build_jobs(s, sp.vmms, sp.n_vmms, sp.sigs, sp.n_sigs, sp.guest_features, sp.n_guest_features,
                                err);
        if (rc)
                goto out;
        if (nt > s->n_jobs)
                nt = s->n_jobs ? (unsigned)s->n_jobs : 1;
        for (unsigned i = 1; i < nt; i++) /* fewer threads run if pthread_create fails */
                if (pthread_create(&tids[started], NULL, worker, s) == 0)
                        started++;
        worker(s);
        for (unsigned i = 0; i < started; i++)
                pthread_join(tids[i], NULL);
        if (s->have_err) {
                if (err)
                        *err = s->first_err;
                rc = s->first_err.code ? s->first_err.code : CT_E_CRYPTO;
                goto out;
        }
        for (size_t i = 0; i < s->n_jobs; i++)
                out.configurations += s->jobs[i].mode == MODE_SEV ? 1 : (uint64_t)s->max_vcpus;
        qsort(s->hits, s->n_hits, sizeof(s->hits[0]), cmp_hit);
        if (s->n_hits) {
                out.matches = calloc(s->n_hits, sizeof(*out.matches));
                if (!out.matches) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
        }
        for (size_t i = 0; i < s->n_hits; i++) {
                const struct job *j = &s->jobs[s->hits[i].job];
                ct_snp_row *r = &out.matches[i];

                snp_row_fill(r, mode_of[j->mode], j->vmm, &j->sig, s->hits[i].vcpus, j->gf);
                ct_digest_from_bytes(&r->digest, digest_len == 48 ? CT_HASH_SHA384 : CT_HASH_SHA256, digest,
                                     digest_len);
        }
        out.n_matches = s->n_hits;
        out.n_found = s->n_found;
        *ret = out;
out:
        for (unsigned m = 0; m < N_MODES; m++)
                ct_snp_base_free(s->bases[m]);
        pthread_mutex_destroy(&s->lock);
        free(s->jobs);
        free(s);
        return rc;
}

CT_EXPORT void ct_snp_explanation_free(ct_snp_explanation *e)
{
        if (!e)
                return;
        free(e->matches);
        memset(e, 0, sizeof(*e));
}
