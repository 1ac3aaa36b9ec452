/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust-fwcfg-dump — the /init of the `tdx acpi-dump` initrd (static,
 * runs in the guest as PID 1). Reads QEMU's fw_cfg through the legacy I/O
 * ports (selector 0x510, 16-bit write; data 0x511, byte reads), finds
 * etc/table-loader, etc/acpi/rsdp and etc/acpi/tables in the file directory
 * (selector 0x19), prints each base64-encoded between markers on the
 * console, then powers the VM off. The host side parses this output as
 * untrusted text (ct_tdx_acpi_parse_console).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <unistd.h>

#define FW_CFG_CTL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_FILE_DIR 0x19
#define MAX_FILE (16u << 20)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void rd(uint8_t *buf, size_t n)
{
        for (size_t i = 0; i < n; i++)
                buf[i] = inb(FW_CFG_DATA);
}

static void emit(const uint8_t *p, size_t n)
{
        char line[80];
        size_t o = 0;

        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16;
                size_t k = n - i < 3 ? n - i : 3;

                if (k > 1)
                        v |= (uint32_t)p[i + 1] << 8;
                if (k > 2)
                        v |= p[i + 2];
                line[o++] = b64[(v >> 18) & 63];
                line[o++] = b64[(v >> 12) & 63];
                line[o++] = k > 1 ? b64[(v >> 6) & 63] : '=';
                line[o++] = k > 2 ? b64[v & 63] : '=';
                if (o == 76 || i + 3 >= n) {
                        line[o++] = '\n';
                        fwrite(line, 1, o, stdout);
                        o = 0;
                }
        }
}

static void off(void)
{
        fflush(stdout);
        sync();
        reboot(RB_POWER_OFF);
        for (;;)
                pause();
}

int main(void)
{
        static const char *const want[] = { "etc/table-loader", "etc/acpi/rsdp", "etc/acpi/tables" };
        uint8_t be[4];
        uint32_t count;

        setvbuf(stdout, NULL, _IOFBF, 1 << 16);
        printf("\n==COCOTRUST-FWCFG-BEGIN==\n");
        if (iopl(3)) {
                printf("==ERROR== iopl(3) failed\n");
                off();
        }
        outw(FW_CFG_FILE_DIR, FW_CFG_CTL);
        rd(be, 4);
        count = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
        if (count > 4096) {
                printf("==ERROR== fw_cfg directory: %u entries\n", count);
                off();
        }
        struct { uint32_t size; uint16_t sel; char name[57]; } found[3] = { { 0 } };
        for (uint32_t i = 0; i < count; i++) {
                uint8_t e[64];

                rd(e, sizeof(e));
                for (int w = 0; w < 3; w++)
                        if (!memcmp(e + 8, want[w], strlen(want[w]) + 1)) {
                                found[w].size = (uint32_t)e[0] << 24 | (uint32_t)e[1] << 16 |
                                                (uint32_t)e[2] << 8 | e[3];
                                found[w].sel = (uint16_t)(e[4] << 8 | e[5]);
                                found[w].name[0] = 1;
                        }
        }
        for (int w = 0; w < 3; w++) {
                uint8_t *buf = NULL;

                if (!found[w].name[0]) {
                        printf("==ERROR== fw_cfg has no %s\n", want[w]);
                        off();
                }
                if (found[w].size > MAX_FILE || !(buf = malloc(found[w].size ? found[w].size : 1))) {
                        printf("==ERROR== %s: %u bytes\n", want[w], found[w].size);
                        off();
                }
                outw(found[w].sel, FW_CFG_CTL);
                rd(buf, found[w].size);
                printf("==FILE== %s %u\n", want[w], found[w].size);
                emit(buf, found[w].size);
                printf("==FILE-END==\n");
                free(buf);
        }
        printf("==COCOTRUST-FWCFG-END==\n");
        off();
}
