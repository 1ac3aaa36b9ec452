/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust pcr — the verb table; predict and compare live in their own files. */
#include "tool.h"

int tool_pcr_predict(int argc, char **argv);
int tool_pcr_compare(int argc, char **argv);

static const struct tool_verb verbs[] = {
        { "predict", "--efi IMAGE... [--uki UKI] [--secure-boot on|off] [--json]", tool_pcr_predict,
          "predict PCR 4 (and PCR 11) for a UEFI boot chain" },
        { "compare", "REF OTHER... [--emit FILE] [--json]", tool_pcr_compare,
          "compare PCR sets; find the common reference values" },
};

const struct tool_area tool_area_pcr = { "pcr", "PCR prediction and comparison", verbs, sizeof(verbs) / sizeof(verbs[0]) };
