/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — UKI PCR 11 prediction (see include/cocotrust/uki.h and specs/tpm-measured-boot.md §1). */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/uki.h>

#include "../internal.h"

static const char *const section_names[CT_UKI_SECTION__MAX] = {
        [CT_UKI_LINUX] = ".linux",     [CT_UKI_OSREL] = ".osrel",   [CT_UKI_CMDLINE] = ".cmdline",
        [CT_UKI_INITRD] = ".initrd",   [CT_UKI_UCODE] = ".ucode",   [CT_UKI_SPLASH] = ".splash",
        [CT_UKI_DTB] = ".dtb",         [CT_UKI_UNAME] = ".uname",   [CT_UKI_SBAT] = ".sbat",
        [CT_UKI_PCRSIG] = ".pcrsig",   [CT_UKI_PCRPKEY] = ".pcrpkey", [CT_UKI_PROFILE] = ".profile",
        [CT_UKI_DTBAUTO] = ".dtbauto", [CT_UKI_HWIDS] = ".hwids",
};

/* Canonical lists (systemd src/fundamental/tpm-pcr.c / uki.c of each version). */
static const ct_uki_section order_252[] = {
        CT_UKI_LINUX, CT_UKI_OSREL, CT_UKI_CMDLINE, CT_UKI_INITRD, CT_UKI_SPLASH, CT_UKI_DTB, CT_UKI_PCRSIG,
        CT_UKI_PCRPKEY,
};
static const ct_uki_section order_254[] = {
        CT_UKI_LINUX, CT_UKI_OSREL, CT_UKI_CMDLINE, CT_UKI_INITRD, CT_UKI_SPLASH, CT_UKI_DTB,
        CT_UKI_UNAME, CT_UKI_SBAT,  CT_UKI_PCRSIG,  CT_UKI_PCRPKEY,
};
static const ct_uki_section order_257[] = {
        CT_UKI_LINUX, CT_UKI_OSREL,  CT_UKI_CMDLINE, CT_UKI_INITRD,  CT_UKI_UCODE,   CT_UKI_SPLASH, CT_UKI_DTB,
        CT_UKI_UNAME, CT_UKI_SBAT,   CT_UKI_PCRSIG,  CT_UKI_PCRPKEY, CT_UKI_PROFILE, CT_UKI_DTBAUTO, CT_UKI_HWIDS,
};

CT_EXPORT const char *ct_uki_section_name(ct_uki_section s)
{
        return (unsigned)s < CT_UKI_SECTION__MAX ? section_names[s] : NULL;
}

CT_EXPORT ct_uki_section ct_uki_section_from_name(const char *name)
{
        for (unsigned i = 0; i < CT_UKI_SECTION__MAX; i++)
                if (strcmp(section_names[i], name) == 0)
                        return (ct_uki_section)i;
        return CT_UKI_SECTION__MAX;
}

CT_EXPORT bool ct_uki_stub_known(unsigned version)
{
        return version == CT_UKI_STUB_252 || version == CT_UKI_STUB_254 || version == CT_UKI_STUB_257;
}

CT_EXPORT size_t ct_uki_canonical_order(ct_uki_stub version, const ct_uki_section **ret)
{
        switch (version) {
        case CT_UKI_STUB_252:
                *ret = order_252;
                return CT_ARRAY_SIZE(order_252);
        case CT_UKI_STUB_254:
                *ret = order_254;
                return CT_ARRAY_SIZE(order_254);
        case CT_UKI_STUB_257:
                *ret = order_257;
                return CT_ARRAY_SIZE(order_257);
        }
        *ret = NULL;
        return 0;
}

CT_EXPORT bool ct_uki_stub_measures(ct_uki_stub version, ct_uki_section s)
{
        const ct_uki_section *order;
        size_t n = ct_uki_canonical_order(version, &order);

        if (s == CT_UKI_PCRSIG)
                return false;
        for (size_t i = 0; i < n; i++)
                if (order[i] == s)
                        return true;
        return false;
}

CT_EXPORT void ct_uki_parts_init(ct_uki_parts *p)
{
        memset(p, 0, sizeof(*p));
        for (unsigned i = 0; i < CT_UKI_SECTION__MAX; i++)
                p->s[i].header_index = -1;
}

static ct_code hash_blob(ct_hash_alg bank, const ct_uki_blob *b, ct_digest *ret, ct_error *err)
{
        static const uint8_t zeros[4096];
        ct_hash h = { 0 };
        size_t fill = b->zero_fill;
        ct_code c;

        c = ct_hash_init(&h, bank, err);
        if (c)
                return c;
        if (b->len && ct_hash_update(&h, b->data, b->len))
                goto crypto;
        while (fill) {
                size_t n = CT_MIN(fill, sizeof(zeros));

                if (ct_hash_update(&h, zeros, n))
                        goto crypto;
                fill -= n;
        }
        if (ct_hash_final(&h, ret))
                goto crypto;
        ct_hash_free(&h);
        return CT_OK;
crypto:
        ct_hash_free(&h);
        return ct_error_set(err, CT_E_CRYPTO, "%s hash failed", ct_hash_name(bank));
}

static ct_code extend_step(ct_digest *pcr, ct_uki_step *st, ct_uki_step_fn fn, void *userdata, ct_error *err)
{
        ct_code c = ct_pcr_extend(pcr, &st->measured, err);

        if (c)
                return c;
        st->pcr = *pcr;
        if (fn) {
                c = fn(st, userdata);
                if (c && err && err->code == CT_OK)
                        ct_error_set(err, c, "step callback failed");
        }
        return c;
}

CT_EXPORT ct_code ct_uki_measure(const ct_uki_parts *parts, ct_uki_stub version, ct_hash_alg bank,
                                 ct_uki_step_fn fn, void *userdata, ct_digest *ret_pcr, ct_error *err)
{
        const ct_uki_section *order;
        size_t n = ct_uki_canonical_order(version, &order);
        ct_digest pcr;
        ct_code c;

        if (n == 0)
                return ct_error_set(err, CT_E_ARG, "unknown systemd-stub version %u", (unsigned)version);
        if (ct_hash_size(bank) == 0)
                return ct_error_set(err, CT_E_ARG, "unknown PCR bank");
        ct_digest_zero(&pcr, bank);

        for (size_t i = 0; i < n; i++) {
                const ct_uki_blob *b = &parts->s[order[i]];
                const char *name = section_names[order[i]];
                ct_uki_step st = { .section = order[i] };

                if (order[i] == CT_UKI_PCRSIG || !b->present || (uint64_t)b->len + b->zero_fill == 0)
                        continue;

                st.kind = CT_UKI_STEP_NAME;
                st.size = strlen(name) + 1;
                c = ct_hash_buf(bank, name, strlen(name) + 1, &st.measured, err);
                if (!c)
                        c = extend_step(&pcr, &st, fn, userdata, err);
                if (c)
                        return c;

                st.kind = CT_UKI_STEP_CONTENTS;
                st.size = (uint64_t)b->len + b->zero_fill;
                c = hash_blob(bank, b, &st.measured, err);
                if (!c)
                        c = extend_step(&pcr, &st, fn, userdata, err);
                if (c)
                        return c;
        }
        *ret_pcr = pcr;
        return CT_OK;
}

struct bank_job {
        const ct_uki_parts *parts;
        ct_uki_stub version;
        ct_hash_alg bank;
        ct_digest pcr;
        ct_error err;
        ct_code code;
};

static void *bank_thread(void *userdata)
{
        struct bank_job *j = userdata;

        j->code = ct_uki_measure(j->parts, j->version, j->bank, NULL, NULL, &j->pcr, &j->err);
        return NULL;
}

CT_EXPORT ct_code ct_uki_measure_banks(const ct_uki_parts *parts, ct_uki_stub version, const ct_hash_alg *banks,
                                       size_t n_banks, ct_digest *ret_pcrs, ct_error *err)
{
        struct bank_job jobs[CT_HASH__MAX];
        pthread_t threads[CT_HASH__MAX];
        bool started[CT_HASH__MAX] = { false };
        ct_code c = CT_OK;

        if (n_banks == 0 || n_banks > CT_HASH__MAX || !banks || !ret_pcrs)
                return ct_error_set(err, CT_E_ARG, "ct_uki_measure_banks: invalid argument");
        for (size_t i = 0; i < n_banks; i++) {
                jobs[i] = (struct bank_job){ .parts = parts, .version = version, .bank = banks[i] };
                ct_error_clear(&jobs[i].err);
                /* The first bank runs on this thread; if a thread cannot start, run it here too. */
                if (i > 0 && pthread_create(&threads[i], NULL, bank_thread, &jobs[i]) == 0)
                        started[i] = true;
        }
        bank_thread(&jobs[0]);
        for (size_t i = 1; i < n_banks; i++) {
                if (started[i])
                        pthread_join(threads[i], NULL);
                else
                        bank_thread(&jobs[i]);
        }
        for (size_t i = 0; i < n_banks; i++) {
                if (jobs[i].code) {
                        c = jobs[i].code;
                        if (err)
                                *err = jobs[i].err;
                        return c;
                }
        }
        for (size_t i = 0; i < n_banks; i++)
                ret_pcrs[i] = jobs[i].pcr;
        return CT_OK;
}

CT_EXPORT ct_code ct_uki_extend_phase(ct_digest *pcr, const char *phase, ct_uki_step_fn fn, void *userdata,
                                      ct_error *err)
{
        ct_digest p = *pcr;
        const char *s = phase;
        unsigned words = 0;
        ct_code c;

        while (*s) {
                size_t n = strcspn(s, ":");

                if (n) {
                        char word[256];
                        ct_uki_step st = { .kind = CT_UKI_STEP_PHASE, .section = CT_UKI_SECTION__MAX };

                        if (++words > CT_MAX_UKI_PHASE_WORDS)
                                return ct_error_set(err, CT_E_LIMIT, "phase has more than %u words",
                                                    CT_MAX_UKI_PHASE_WORDS);
                        if (n >= sizeof(word))
                                return ct_error_set(err, CT_E_LIMIT, "phase word longer than %zu bytes",
                                                    sizeof(word) - 1);
                        memcpy(word, s, n);
                        word[n] = '\0';
                        st.word = word;
                        st.size = n;
                        c = ct_hash_buf(p.alg, word, n, &st.measured, err);
                        if (!c)
                                c = extend_step(&p, &st, fn, userdata, err);
                        if (c)
                                return c;
                }
                s += n;
                if (*s == ':')
                        s++;
        }
        *pcr = p;
        return CT_OK;
}

CT_EXPORT ct_code ct_uki_stub_version_from_pe(const ct_pe *pe, unsigned *ret_version, ct_error *err)
{
        static const char tag[] = "LoaderInfo: systemd-stub ";
        const ct_pe_section *s = ct_pe_find_section(pe, ".sdmagic", 0);
        const uint8_t *data;
        size_t len, fill;
        unsigned v = 0;
        size_t i;

        if (!s)
                return ct_error_set(err, CT_E_UNSUPPORTED, "no .sdmagic section: cannot tell the systemd-stub version");
        ct_pe_section_contents(pe, s, &data, &len, &fill);
        for (i = 0; i + sizeof(tag) - 1 <= len; i++)
                if (memcmp(data + i, tag, sizeof(tag) - 1) == 0)
                        break;
        if (i + sizeof(tag) - 1 > len)
                return ct_error_set_at(err, CT_E_UNSUPPORTED, s->pointer_to_raw_data,
                                       ".sdmagic at offset 0x%x does not name a systemd-stub version",
                                       s->pointer_to_raw_data);
        i += sizeof(tag) - 1;
        for (; i < len && isdigit(data[i]) && v < 100000; i++)
                v = v * 10 + (unsigned)(data[i] - '0');
        if (v == 0)
                return ct_error_set_at(err, CT_E_UNSUPPORTED, s->pointer_to_raw_data,
                                       ".sdmagic at offset 0x%x has no version number", s->pointer_to_raw_data);
        *ret_version = v;
        return CT_OK;
}

/* 257: exact name, first match in [first, end), skipping headers whose end address overflows. */
static long find_257(const ct_pe *pe, const char *name, size_t first, size_t end)
{
        for (;;) {
                long i = ct_pe_find_section_in(pe, name, 0, first, end);
                const ct_pe_section *s;

                if (i < 0)
                        return -1;
                s = ct_pe_section_at(pe, (size_t)i);
                if ((uint64_t)s->virtual_address + s->virtual_size <= UINT32_MAX)
                        return i;
                first = (size_t)i + 1;
        }
}

/*
 * Firmware refuses to load an image whose sections reach past SizeOfImage
 * (EDK2 PeCoffLoaderLoadImage), so such a UKI never gets measured; this
 * also bounds the zero fill of VirtualSize.
 */
static ct_code set_blob(const ct_pe *pe, long idx, ct_uki_blob *b, ct_error *err)
{
        const ct_pe_section *s = ct_pe_section_at(pe, (size_t)idx);
        uint32_t image = ct_pe_get_info(pe)->size_of_image;

        if ((uint64_t)s->virtual_address + s->virtual_size > image)
                return ct_error_set_at(err, CT_E_MALFORMED, s->header_offset + 8,
                                       "section '%s': VirtualSize 0x%x at offset 0x%llx (VirtualAddress 0x%x) reaches "
                                       "past SizeOfImage 0x%x: firmware would not load this image",
                                       s->name, s->virtual_size, (unsigned long long)(s->header_offset + 8),
                                       s->virtual_address, image);
        ct_pe_section_contents(pe, s, &b->data, &b->len, &b->zero_fill);
        if (b->zero_fill > CT_MAX_UKI_ZERO_FILL)
                return ct_error_set_at(err, CT_E_LIMIT, s->header_offset + 8,
                                       "section '%s': VirtualSize 0x%x at offset 0x%llx is %zu bytes beyond its raw "
                                       "data; at most %u bytes of zero fill are measured (CT_MAX_UKI_ZERO_FILL)",
                                       s->name, s->virtual_size, (unsigned long long)(s->header_offset + 8),
                                       b->zero_fill, CT_MAX_UKI_ZERO_FILL);
        b->present = true;
        b->header_index = idx;
        return CT_OK;
}

CT_EXPORT ct_code ct_uki_parts_from_pe(const ct_pe *pe, ct_uki_stub version, unsigned profile, ct_uki_parts *ret,
                                       ct_error *err)
{
        const ct_uki_section *order;
        size_t n = ct_uki_canonical_order(version, &order);
        size_t n_sec = ct_pe_n_sections(pe);
        ct_uki_parts p;

        if (n == 0)
                return ct_error_set(err, CT_E_ARG, "unknown systemd-stub version %u", (unsigned)version);
        ct_uki_parts_init(&p);

        if (version == CT_UKI_STUB_252 || version == CT_UKI_STUB_254) {
                if (profile != 0)
                        return ct_error_set(err, CT_E_ARG, "systemd-stub %u has no UKI profiles", (unsigned)version);
                for (size_t k = 0; k < n; k++) {
                        long i = ct_pe_find_section_in(pe, section_names[order[k]],
                                                       CT_PE_FIND_PREFIX | CT_PE_FIND_LAST, 0, n_sec);
                        ct_code c = i >= 0 ? set_blob(pe, i, &p.s[order[k]], err) : CT_OK;

                        if (c)
                                return c;
                }
        } else {
                size_t base_end = n_sec, prof_first = n_sec, prof_end = n_sec;
                long pi = ct_pe_find_section_in(pe, ".profile", 0, 0, n_sec);

                if (pi >= 0) {
                        long cur = pi;

                        base_end = (size_t)pi;
                        for (unsigned k = 0; k < profile && cur >= 0; k++)
                                cur = ct_pe_find_section_in(pe, ".profile", 0, (size_t)cur + 1, n_sec);
                        if (cur < 0)
                                return ct_error_set(err, CT_E_ARG, "UKI has no profile %u", profile);
                        prof_first = (size_t)cur;
                        pi = ct_pe_find_section_in(pe, ".profile", 0, prof_first + 1, n_sec);
                        prof_end = pi < 0 ? n_sec : (size_t)pi;
                } else if (profile != 0)
                        return ct_error_set(err, CT_E_ARG, "UKI has no profile %u (it has no .profile sections)",
                                            profile);

                for (size_t k = 0; k < n; k++) {
                        const char *name = section_names[order[k]];
                        long i = find_257(pe, name, prof_first, prof_end);

                        if (i < 0)
                                i = find_257(pe, name, 0, base_end);
                        if (i >= 0) {
                                ct_code c = set_blob(pe, i, &p.s[order[k]], err);

                                if (c)
                                        return c;
                        }
                }
        }
        *ret = p;
        return CT_OK;
}
