/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — the parsed PE object, shared by the files of src/lib/pe/. */
#ifndef COCOTRUST_PE_INTERNAL_H
#define COCOTRUST_PE_INTERNAL_H

#include <cocotrust/pe.h>

struct ct_pe {
        const uint8_t *buf;     /* borrowed */
        size_t len;
        ct_pe_info info;
        ct_pe_data_dir dirs[CT_MAX_PE_DATA_DIRS];
        ct_pe_section *sections; /* n_sections entries, owned */
        size_t *raw_order;       /* indexes of sections with SizeOfRawData != 0, by PointerToRawData */
        size_t n_raw;
};

#endif
