/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <cocotrust/pcr.h>

#include "internal.h"

CT_EXPORT void ct_pcr_set_init(ct_pcr_set *s)
{
        memset(s, 0, sizeof(*s));
}

CT_EXPORT ct_pcr_bank *ct_pcr_set_bank(ct_pcr_set *s, ct_hash_alg alg, bool create)
{
        if (ct_hash_size(alg) == 0)
                return NULL;
        for (unsigned i = 0; i < s->n_banks; i++)
                if (s->banks[i].alg == alg)
                        return &s->banks[i];
        if (!create || s->n_banks >= CT_ARRAY_SIZE(s->banks))
                return NULL;
        memset(&s->banks[s->n_banks], 0, sizeof(s->banks[0]));
        s->banks[s->n_banks].alg = alg;
        return &s->banks[s->n_banks++];
}

CT_EXPORT const ct_pcr_bank *ct_pcr_set_bank_const(const ct_pcr_set *s, ct_hash_alg alg)
{
        for (unsigned i = 0; i < s->n_banks; i++)
                if (s->banks[i].alg == alg)
                        return &s->banks[i];
        return NULL;
}

CT_EXPORT ct_code ct_pcr_set_put(ct_pcr_set *s, unsigned index, const ct_digest *d, ct_error *err)
{
        ct_pcr_bank *b;

        if (index >= CT_PCR_COUNT)
                return ct_error_set(err, CT_E_ARG, "PCR index %u out of range 0-23", index);
        if (ct_hash_size(d->alg) == 0 || d->len != ct_hash_size(d->alg))
                return ct_error_set(err, CT_E_ARG, "PCR value of unknown algorithm");
        b = ct_pcr_set_bank(s, d->alg, true);
        if (!b)
                return ct_error_set(err, CT_E_LIMIT, "too many PCR banks");
        memcpy(b->values[index], d->bytes, d->len);
        b->present |= 1u << index;
        return CT_OK;
}

CT_EXPORT bool ct_pcr_set_get(const ct_pcr_set *s, ct_hash_alg alg, unsigned index, ct_digest *ret)
{
        const ct_pcr_bank *b = ct_pcr_set_bank_const(s, alg);

        if (!b || index >= CT_PCR_COUNT || !(b->present & (1u << index)))
                return false;
        return ct_digest_from_bytes(ret, alg, b->values[index], ct_hash_size(alg)) == CT_OK;
}
