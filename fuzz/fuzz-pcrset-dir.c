/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the PCR-set loader's directory walk and type sniffing. The input is a small
 * directory image, materialised under a temporary directory and loaded with ct_pcr_set_load:
 *   repeated records  [bank u8][name u8][type u8][len u8][len bytes]
 *   bank: index into {sha1, sha256, sha384, sha512, sm3_256, bogus}; name: the entry name is the
 *   decimal value (0..255, so invalid PCR indexes too); type: 0 regular file with the bytes,
 *   1 FIFO, 2 symlink to the bytes (as a path), 3 subdirectory, 4 a regular file at the top
 *   (then loaded itself: YAML/JSON/event log sniffing).
 * A FIFO must be refused without blocking: a hang here is a finding.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cocotrust/pcr.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        (void)st;
        (void)flag;
        (void)f;
        return remove(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const banks[] = { "sha1", "sha256", "sha384", "sha512", "sm3_256", "md5" };
        char dir[] = "/tmp/ct-fuzz-pcrdir-XXXXXX";
        char path[512], top[512] = "";
        ct_pcr_set *s;
        size_t off = 0;
        int n = 0;

        if (size > 16384 || !mkdtemp(dir))
                return 0;
        while (off + 4 <= size && n++ < 64) {
                unsigned bank = data[off] % 6, name = data[off + 1], type = data[off + 2] % 5;
                size_t len = data[off + 3];
                const uint8_t *p = data + off + 4;
                struct stat st;
                int fd;

                if (len > size - off - 4)
                        len = size - off - 4;
                off += 4 + len;
                snprintf(path, sizeof(path), "%s/pcr-%s", dir, banks[bank]);
                (void)mkdir(path, 0700);
                snprintf(path, sizeof(path), "%s/pcr-%s/%u", dir, banks[bank], name);
                switch (type) {
                case 0:
                case 4:
                        if (type == 4)
                                snprintf(path, sizeof(path), "%s/top-%u", dir, name);
                        /* never block on an entry an earlier record made a FIFO: the
                         * harness itself once hung here (O_NONBLOCK → ENXIO, no reader) */
                        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_NOFOLLOW, 0600);
                        if (fd >= 0) {
                                if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
                                        (void)!write(fd, p, len);
                                close(fd);
                        }
                        if (type == 4)
                                snprintf(top, sizeof(top), "%s", path);
                        break;
                case 1:
                        (void)mkfifo(path, 0600);
                        break;
                case 2: {
                        char target[257];
                        memcpy(target, p, len);
                        target[len] = 0;
                        if (!memchr(target, 0, len) && len)
                                (void)symlink(target, path);
                        break;
                }
                case 3:
                        (void)mkdir(path, 0700);
                        break;
                }
        }
        s = malloc(sizeof(*s));
        if (s) {
                ct_pcr_set_init(s);
                (void)ct_pcr_set_load(dir, CT_PCR_FORMAT_AUTO, s, NULL, NULL);
                if (top[0]) {
                        ct_pcr_set_init(s);
                        (void)ct_pcr_set_load(top, CT_PCR_FORMAT_AUTO, s, NULL, NULL);
                }
                free(s);
        }
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}
