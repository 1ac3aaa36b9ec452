/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the guest console parser of tpm capture (untrusted serial output) and the phase scan. */
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/capture.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_capture_console c;

        if (size > (4u << 20))
                return 0;
        if (ct_capture_parse_console(data, size, &c, NULL) == CT_OK)
                ct_capture_console_free(&c);
        (void)ct_capture_console_phase(data, size);
        return 0;
}
