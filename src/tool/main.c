/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust — command-line entry: `cocotrust AREA VERB [options]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/fileio.h>

#include "tool.h"

#ifndef CT_VERSION
#define CT_VERSION "0.0.0"
#endif

const char *program_name = "cocotrust";
const char *tool_version = CT_VERSION;

static const struct tool_area *const areas[] = {
        &tool_area_snp, &tool_area_verity, &tool_area_pe, &tool_area_uki, &tool_area_pcr, &tool_area_eventlog,
        &tool_area_tpm, &tool_area_tdx, &tool_area_hcl, &tool_area_initrd, &tool_area_image, &tool_area_rvps,
};

int tool_appraise(int argc, char **argv);

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: %s AREA VERB [OPTIONS]\n"
                "       %s --help | --version\n\n"
                "Compute and check the reference measurements of a Confidential Containers guest image.\n\n"
                "Areas:\n",
                program_name, program_name);
        for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
                fprintf(f, "  %-10s %s\n", areas[i]->name, areas[i]->summary);
        }
        fprintf(f, "  %-10s %s\n", "reference", "every reference value of one image into one manifest");
        fprintf(f, "  %-10s %s\n", "appraise", "evidence against a manifest (cocotrust appraise MANIFEST.json ...)");
        fprintf(f, "\nRun '%s AREA --help' for the verbs of an area.\n"
                   "Exit status: 0 ok, 1 a check failed, 2 bad or missing input, wrong file type or usage,\n"
                   "3 a failed write, a missing tool, a tool that failed, or an internal error.\n",
                program_name);
}

static const char *suggest(const char *word, const char *const *names, size_t n)
{
        const char *best = NULL;
        size_t best_d = 3;

        for (size_t i = 0; i < n; i++) {
                size_t d = tool_edit_distance(word, names[i]);
                if (d < best_d || (strncmp(word, names[i], strlen(word)) == 0 && strlen(word) >= 2 && !best)) {
                        best_d = d < best_d ? d : best_d;
                        best = names[i];
                }
        }
        return best;
}

static int run_area(const struct tool_area *area, int argc, char **argv)
{
        const char *names[32];
        const char *hint;
        char label[64];

        if (area == &tool_area_verity)
                tool_verity_reorder(argc, argv); /* veritysetup: options before the action */
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
                tool_area_help(area, argc < 2 ? stderr : stdout);
                return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("%s %s\n", program_name, tool_version);
                return EXIT_OK;
        }
        for (size_t i = 0; i < area->n_verbs; i++) {
                if (strcmp(argv[1], area->verbs[i].name) == 0) {
                        snprintf(label, sizeof(label), "%s %s %s", program_name, area->name, area->verbs[i].name);
                        argv[1] = label;
                        return area->verbs[i].fn(argc - 1, argv + 1);
                }
        }
        for (size_t i = 0; i < area->n_verbs && i < 32; i++)
                names[i] = area->verbs[i].name;
        hint = suggest(argv[1], names, area->n_verbs < 32 ? area->n_verbs : 32);
        if (hint)
                return tool_usage("unknown verb '%s %s'; did you mean '%s %s'?", area->name, argv[1], area->name,
                                  hint);
        return tool_usage("unknown verb '%s %s'; run '%s %s --help'", area->name, argv[1], program_name,
                          area->name);
}

int main(int argc, char **argv)
{
        const char *names[32];
        size_t n = 0;
        const char *hint;

        ct_io_signals_install(program_name);
        if (argc < 2) {
                usage(stderr);
                return EXIT_BAD_INPUT;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
                usage(stdout);
                return EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("%s %s\n", program_name, tool_version);
                return EXIT_OK;
        }
        for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
                if (strcmp(argv[1], areas[i]->name) == 0)
                        return run_area(areas[i], argc - 1, argv + 1);
        if (strcmp(argv[1], "reference") == 0)
                return tool_reference(argc - 1, argv + 1);
        if (strcmp(argv[1], "appraise") == 0) {
                char label[64];
                snprintf(label, sizeof(label), "%s appraise", program_name);
                argv[1] = label;
                return tool_appraise(argc - 1, argv + 1);
        }
        for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
                names[n++] = areas[i]->name;
        hint = suggest(argv[1], names, n);
        if (hint)
                return tool_usage("unknown area '%s'; did you mean '%s'?", argv[1], hint);
        return tool_usage("unknown area '%s'; run '%s --help'", argv[1], program_name);
}
