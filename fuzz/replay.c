/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replays fuzz inputs through LLVMFuzzerTestOneInput without libFuzzer, so
 * `meson test` runs every seed (and every crash reproducer kept in the corpus)
 * with gcc and the sanitizers. Arguments: files or directories. Speaks TAP.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (4u << 20)

static int n;

static int run_file(const char *path)
{
        FILE *f = fopen(path, "rb");
        uint8_t *buf;
        size_t len;

        if (!f) {
                printf("not ok %d - %s: cannot open\n", ++n, path);
                return 1;
        }
        buf = malloc(REPLAY_MAX_INPUT);
        if (!buf) {
                fclose(f);
                return 1;
        }
        len = fread(buf, 1, REPLAY_MAX_INPUT, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        printf("ok %d - %s\n", ++n, path);
        return 0;
}

static int run(const char *path)
{
        struct stat st;
        struct dirent **ents;
        int k, fails = 0;

        if (stat(path, &st) < 0) {
                printf("not ok %d - %s: missing\n", ++n, path);
                return 1;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path);
        k = scandir(path, &ents, NULL, alphasort);
        if (k < 0)
                return 1;
        for (int i = 0; i < k; i++) {
                if (ents[i]->d_name[0] != '.') {
                        char p[4096];
                        snprintf(p, sizeof(p), "%s/%s", path, ents[i]->d_name);
                        fails += run(p);
                }
                free(ents[i]);
        }
        free(ents);
        return fails;
}

int main(int argc, char **argv)
{
        int fails = 0;

        for (int i = 1; i < argc; i++)
                fails += run(argv[i]);
        if (n == 0)
                printf("not ok 1 - no fuzz inputs found\n"), n = 1, fails = 1;
        printf("1..%d\n", n);
        return fails ? 1 : 0;
}
