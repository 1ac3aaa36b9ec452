/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the PE/COFF parser and everything that reads a parsed
 * image — Authenticode walk and digest, section lookup and contents.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cocotrust/pe.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PE_FUZZ_MAX_INPUT (1u << 20)

/* Every hashed range lies inside the file. (They may overlap: the trailing range starts at
 * SizeOfHeaders + sum of SizeOfRawData, as in the firmware, which can be inside a section.) */
static ct_code check_range(const ct_pe_range *r, void *userdata)
{
        const size_t *size = userdata;

        if (r->len == 0 || r->offset > *size || r->len > *size - r->offset)
                abort();
        return CT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_pe *pe = NULL;
        ct_error err;
        ct_hash_alg algs[] = { CT_HASH_SHA256, CT_HASH_SHA1 };
        ct_digest d[2];

        if (size > PE_FUZZ_MAX_INPUT)
                return 0;
        if (ct_pe_parse(data, size, &pe, &err) != CT_OK) {
                if (err.msg[0] == '\0')
                        abort(); /* every failure explains itself */
                return 0;
        }
        if (ct_pe_authenticode_walk(pe, check_range, &size, NULL) != CT_OK)
                abort();
        if (ct_pe_authenticode(pe, algs, 2, d, NULL) != CT_OK)
                abort();
        for (size_t i = 0; i < ct_pe_n_sections(pe); i++) {
                const ct_pe_section *s = ct_pe_section_at(pe, i);
                ct_hash h;

                if (ct_pe_find_section(pe, s->name, CT_PE_FIND_PREFIX | CT_PE_FIND_LAST) == NULL)
                        abort();
                if (s->virtual_size <= (1u << 20) && ct_hash_init(&h, CT_HASH_SHA256, NULL) == CT_OK) {
                        ct_pe_section_hash_update(pe, s, &h, NULL);
                        ct_hash_free(&h);
                }
        }
        ct_pe_free(pe);
        return 0;
}
