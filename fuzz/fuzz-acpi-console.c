/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the console parser of tdx acpi-dump (untrusted serial output of the guest). */
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/tdx.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_tdx_acpi_dump d;

        if (size > (4u << 20))
                return 0;
        if (ct_tdx_acpi_parse_console(data, size, &d, NULL) == CT_OK)
                ct_tdx_acpi_dump_free(&d);
        return 0;
}
