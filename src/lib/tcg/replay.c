/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM PC Client replay of a TCG event log: the TPM-specific rules on top of
 * the record layer (tcglog.c). Validated against PCRs read from real TPMs.
 */
#include <string.h>

#include <openssl/evp.h>

#include <cocotrust/tcglog.h>

#include "../internal.h"

CT_EXPORT void ct_tpm_pcr_reset_value(unsigned index, size_t size, uint8_t *out)
{
        memset(out, index >= 17 && index <= 22 ? 0xff : 0x00, size);
}

struct prescan {
        int locality;
        bool hcrtm;
};

static ct_code prescan_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct prescan *p = userdata;
        uint8_t loc;

        (void)info;
        (void)err;
        if (ev->is_header || ev->pcr != 0)
                return CT_OK;
        if (ct_tcg_startup_locality(ev, &loc))
                p->locality = loc;
        if (ev->type == CT_EV_EFI_HCRTM_EVENT)
                p->hcrtm = true;
        return CT_OK;
}

struct replay {
        ct_tpm_replay *out;
        EVP_MD_CTX *ctx;
};

static ct_code replay_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct replay *rp = userdata;
        ct_tpm_replay *out = rp->out;

        if (ev->is_header)
                return CT_OK;
        out->n_events++;
        if (ev->type == CT_EV_NO_ACTION)
                return CT_OK;
        if (ev->pcr >= CT_PCR_COUNT)
                return ct_error_set_at(err, CT_E_MALFORMED, ev->offset,
                                       "record %u at offset 0x%llx extends PCR %u (TPM PCRs are 0-23)", ev->num,
                                       (unsigned long long)ev->offset, ev->pcr);
        out->n_extended++;
        for (unsigned i = 0; i < ev->n_digests; i++) {
                const ct_tcg_digest *d = &ev->digests[i];
                ct_pcr_bank *bank;
                const EVP_MD *md;
                uint8_t *v;
                unsigned int outlen = 0;

                md = d->alg != CT_HASH_NONE ? ct_hash_evp_md(d->alg) : NULL;
                if (!md) {
                        for (uint32_t j = 0; j < info->specid.n_algs; j++)
                                if (info->specid.algs[j].id == d->alg_id)
                                        out->skipped_algs |= 1u << j;
                        continue;
                }
                bank = ct_pcr_set_bank(&out->pcrs, d->alg, true);
                if (!bank)
                        return ct_error_set(err, CT_E_LIMIT, "too many PCR banks");
                v = bank->values[ev->pcr];
                if (!(bank->present & (1u << ev->pcr))) {
                        ct_tpm_pcr_reset_value(ev->pcr, d->size, v);
                        if (ev->pcr == 0) {
                                if (out->hcrtm)
                                        v[d->size - 1] = 4;
                                else if (out->startup_locality >= 0)
                                        v[d->size - 1] = (uint8_t)out->startup_locality;
                        }
                        bank->present |= 1u << ev->pcr;
                }
                if (EVP_DigestInit_ex2(rp->ctx, md, NULL) != 1 ||
                    EVP_DigestUpdate(rp->ctx, v, d->size) != 1 ||
                    EVP_DigestUpdate(rp->ctx, d->bytes, d->size) != 1 ||
                    EVP_DigestFinal_ex(rp->ctx, v, &outlen) != 1 || outlen != d->size)
                        return ct_error_set(err, CT_E_CRYPTO, "digest computation failed");
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_tpm_replay_log(const uint8_t *buf, size_t len, unsigned flags, ct_tpm_replay *ret,
                                    ct_error *err)
{
        struct prescan pre = { .locality = -1, .hcrtm = false };
        struct replay rp;
        ct_tpm_replay *out;
        ct_code rc;

        rc = ct_tcg_walk(buf, len, flags, prescan_cb, &pre, NULL, err);
        if (rc != CT_OK)
                return rc;

        out = calloc(1, sizeof(*out));
        if (!out)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        ct_pcr_set_init(&out->pcrs);
        out->startup_locality = pre.locality;
        out->hcrtm = pre.hcrtm;

        memset(&rp, 0, sizeof(rp));
        rp.out = out;
        rp.ctx = EVP_MD_CTX_new();
        if (!rp.ctx) {
                free(out);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        rc = ct_tcg_walk(buf, len, flags, replay_cb, &rp, &out->info, err);
        EVP_MD_CTX_free(rp.ctx);
        if (rc == CT_OK)
                *ret = *out;
        free(out);
        return rc;
}
