/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A TCG event log as tpm2_eventlog 5.4 prints it (its --eventlog-version=1
 * YAML, byte for byte) or tpm2-tools 5.8 with --eventlog-version=2, including
 * their habits: hex fields cut at 1024 bytes, EV_EFI_ACTION / EV_POST_CODE
 * text up to the first NUL, EV_IPL lines split on '\n' with its escape set,
 * the description of an EV_EFI_PLATFORM_FIRMWARE_BLOB2 one byte short (5.4),
 * no EventNum in SHA-1 logs. Written from the output format only
 * (docs/eventlog-pcr-tpm.md lists it). Records come from ct_tcg_walk, so every
 * record's data is inside the log; each decoder below bounds its own reads.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/guid.h>
#include <cocotrust/hash.h>
#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>

#include "../internal.h"

#define YAML_HEX_MAX 1024 /* tpm2_eventlog's event hex buffer holds 1024 bytes */

#define le32 ct_get_le32
#define le64 ct_get_le64

static void hex_out(FILE *out, const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                fprintf(out, "%02x", p[i]);
}

static void hex_event(FILE *out, const ct_tcg_event *ev)
{
        fprintf(out, "  Event: \"");
        hex_out(out, ev->data, ev->data_size < YAML_HEX_MAX ? ev->data_size : YAML_HEX_MAX);
        fprintf(out, "\"\n");
}

CT_EXPORT const char *ct_tcg_yaml_event_type(uint32_t t)
{
        switch (t) {
        case 0x00000000: return "EV_PREBOOT_CERT";
        case 0x00000001: return "EV_POST_CODE";
        case 0x00000002: return "EV_UNUSED";
        case 0x00000003: return "EV_NO_ACTION";
        case 0x00000004: return "EV_SEPARATOR";
        case 0x00000005: return "EV_ACTION";
        case 0x00000006: return "EV_EVENT_TAG";
        case 0x00000007: return "EV_S_CRTM_CONTENTS";
        case 0x00000008: return "EV_S_CRTM_VERSION";
        case 0x00000009: return "EV_CPU_MICROCODE";
        case 0x0000000a: return "EV_PLATFORM_CONFIG_FLAGS";
        case 0x0000000b: return "EV_TABLE_OF_DEVICES";
        case 0x0000000c: return "EV_COMPACT_HASH";
        case 0x0000000d: return "EV_IPL";
        case 0x0000000e: return "EV_IPL_PARTITION_DATA";
        case 0x0000000f: return "EV_NONHOST_CODE";
        case 0x00000010: return "EV_NONHOST_CONFIG";
        case 0x00000011: return "EV_NONHOST_INFO";
        case 0x00000012: return "EV_OMIT_BOOT_DEVICE_EVENTS";
        case 0x80000001: return "EV_EFI_VARIABLE_DRIVER_CONFIG";
        case 0x80000002: return "EV_EFI_VARIABLE_BOOT";
        case 0x80000003: return "EV_EFI_BOOT_SERVICES_APPLICATION";
        case 0x80000004: return "EV_EFI_BOOT_SERVICES_DRIVER";
        case 0x80000005: return "EV_EFI_RUNTIME_SERVICES_DRIVER";
        case 0x80000006: return "EV_EFI_GPT_EVENT";
        case 0x80000007: return "EV_EFI_ACTION";
        case 0x80000008: return "EV_EFI_PLATFORM_FIRMWARE_BLOB";
        case 0x80000009: return "EV_EFI_HANDOFF_TABLES";
        case 0x8000000a: return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
        case 0x8000000b: return "EV_EFI_HANDOFF_TABLES2";
        case 0x8000000c: return "EV_EFI_VARIABLE_BOOT2";
        case 0x800000e0: return "EV_EFI_VARIABLE_AUTHORITY";
        }
        return "Unknown event type";
}

static const char *alg_name(uint16_t id)
{
        const char *n = ct_tcg_alg_name(id);

        return n ? n : "(null)";
}

static char *guid_str(const uint8_t *g, char out[CT_GUID_STRING_MAX])
{
        ct_guid guid;

        ct_guid_from_bytes(&guid, g);
        return ct_guid_format(&guid, out);
}

static void guid_out(FILE *out, const uint8_t *g)
{
        char text[CT_GUID_STRING_MAX];

        fputs(guid_str(g, text), out);
}

/*
 * The head of an EV_EFI_VARIABLE_* event, as both versions print it: false when
 * nothing more is to be printed (too short, shown as hex, or a name too long).
 */
static bool var_head(FILE *out, const ct_tcg_event *ev, uint64_t *name_len, uint64_t *data_len, char *name, size_t name_size)
{
        const uint8_t *p = ev->data;

        if (ev->data_size < 32) {
                hex_event(out, ev);
                return false;
        }
        *name_len = le64(p + 16);
        *data_len = le64(p + 24);
        fprintf(out, "  Event:\n    VariableName: ");
        guid_out(out, p);
        fprintf(out, "\n    UnicodeNameLength: %llu\n    VariableDataLength: %llu\n", (unsigned long long)*name_len,
               (unsigned long long)*data_len);
        if (*name_len > (ev->data_size - 32) / 2)
                return false;
        ct_tcg_utf16_to_utf8(p + 32, (size_t)*name_len, name, name_size);
        fprintf(out, "    UnicodeName: %s\n", name);
        return true;
}

/* EV_EFI_VARIABLE_*: version 1 prints the data as hex. */
static void var_out(FILE *out, const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data;
        uint64_t name_len, data_len, avail;
        char name[4096];

        if (!var_head(out, ev, &name_len, &data_len, name, sizeof(name)) || data_len == 0)
                return;
        avail = ev->data_size - 32 - 2 * name_len;
        fprintf(out, "    VariableData: \"");
        hex_out(out, p + 32 + 2 * name_len, (size_t)(data_len < avail ? data_len : avail));
        fprintf(out, "\"\n");
}

/* tpm2_eventlog's "|-" block: the text up to size bytes or the first NUL. */
static void text_block(FILE *out, const uint8_t *p, size_t n)
{
        const uint8_t *z = memchr(p, 0, n);

        fprintf(out, "  Event: |-\n    %.*s\n", (int)(z ? (size_t)(z - p) : n), (const char *)p);
}

static void ipl_out(FILE *out, const uint8_t *p, size_t size)
{
        size_t i = 0;

        fprintf(out, "  Event:\n    String: |-\n");
        do {
                const uint8_t *nl = memchr(p + i, '\n', size - i);
                size_t len = nl ? (size_t)(nl - (p + i)) : size - i;

                fprintf(out, "      \"");
                for (size_t j = i; j < i + len; j++) {
                        static const char from[] = "\a\b\t\v\f\r\x1b'\\";
                        static const char to[] = "abtvfre'\\";
                        const char *e = p[j] ? strchr(from, p[j]) : NULL;

                        if (p[j] == 0)
                                fputs("\\0", out);
                        else if (e)
                                fprintf(out, "\\%c", to[e - from]);
                        else
                                fputc(p[j], out);
                }
                fprintf(out, "\"\n");
                i += len + 1;
        } while (i < size);
}

static void event_data(FILE *out, const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data;
        size_t n = ev->data_size;

        fprintf(out, "  EventSize: %u\n", ev->data_size);
        if (n == 0)
                return;
        switch (ev->type) {
        case 0x80000001: /* EV_EFI_VARIABLE_DRIVER_CONFIG */
        case 0x80000002: /* EV_EFI_VARIABLE_BOOT */
        case 0x8000000c: /* EV_EFI_VARIABLE_BOOT2 */
        case 0x800000e0: /* EV_EFI_VARIABLE_AUTHORITY */
                var_out(out, ev);
                return;
        case 0x00000001: /* EV_POST_CODE: a blob when 16 bytes, else text */
                if (n == 16)
                        fprintf(out, "  Event:\n    BlobBase: 0x%llx\n    BlobLength: 0x%llx\n",
                               (unsigned long long)le64(p), (unsigned long long)le64(p + 8));
                else
                        text_block(out, p, n);
                return;
        case 0x00000007: /* EV_S_CRTM_CONTENTS */
        case 0x80000008: /* EV_EFI_PLATFORM_FIRMWARE_BLOB */
                if (n < 16)
                        break;
                fprintf(out, "  Event:\n    BlobBase: 0x%llx\n    BlobLength: 0x%llx\n", (unsigned long long)le64(p),
                       (unsigned long long)le64(p + 8));
                return;
        case 0x8000000a: { /* EV_EFI_PLATFORM_FIRMWARE_BLOB2 */
                size_t d = p[0];

                if (n < 1 + d + 16)
                        break;
                /* tpm2_eventlog's buffer holds one byte less than the description */
                fprintf(out, "  Event:\n    BlobDescriptionSize: %zu\n    BlobDescription: \"", d);
                hex_out(out, p + 1, d ? d - 1 : 0);
                fprintf(out, "\"\n    BlobBase: 0x%llx\n    BlobLength: 0x%llx\n", (unsigned long long)le64(p + 1 + d),
                       (unsigned long long)le64(p + 9 + d));
                return;
        }
        case 0x80000007: /* EV_EFI_ACTION */
                text_block(out, p, n);
                return;
        case 0x0000000d: /* EV_IPL */
                ipl_out(out, p, n);
                return;
        case 0x80000003: /* EV_EFI_BOOT_SERVICES_APPLICATION */
        case 0x80000004: /* EV_EFI_BOOT_SERVICES_DRIVER */
        case 0x80000005: /* EV_EFI_RUNTIME_SERVICES_DRIVER */
                if (n < 32)
                        break;
                fprintf(out, "  Event:\n    ImageLocationInMemory: 0x%llx\n    ImageLengthInMemory: %llu\n"
                       "    ImageLinkTimeAddress: 0x%llx\n    LengthOfDevicePath: %llu\n    DevicePath: '",
                       (unsigned long long)le64(p), (unsigned long long)le64(p + 8),
                       (unsigned long long)le64(p + 16), (unsigned long long)le64(p + 24));
                hex_out(out, p + 32, n - 32);
                fprintf(out, "'\n");
                return;
        default:
                break;
        }
        hex_event(out, ev);
}

/* ---- --eventlog-version=2: tpm2-tools 5.8's decoded YAML ---- */

/* UEFI device path as libefivar's efidp_format_device_path prints it (the nodes seen in
 * firmware logs); false for a node it would print differently or a malformed path. */
static bool efivar_devpath(const uint8_t *dp, size_t len, char *out, size_t cap)
{
        size_t o = 0, pos = 0;
        bool first = true;

#define APP(...)                                                                                   \
        do {                                                                                       \
                int n_ = snprintf(out + o, cap - o, __VA_ARGS__);                                  \
                if (n_ < 0 || (size_t)n_ >= cap - o)                                               \
                        return false;                                                              \
                o += (size_t)n_;                                                                   \
        } while (0)
        if (cap == 0)
                return false;
        out[0] = 0;
        while (pos + 4 <= len) {
                uint8_t type = dp[pos], sub = dp[pos + 1];
                size_t nlen = (size_t)(dp[pos + 2] | dp[pos + 3] << 8), n;
                const uint8_t *p = dp + pos + 4;
                char g[CT_GUID_STRING_MAX];

                if (nlen < 4 || nlen > len - pos)
                        return false;
                if (type == 0x7f && sub == 0xff)
                        return true;
                n = nlen - 4;
                if (type == 0x7f) {
                        APP(",");
                        first = true;
                        pos += nlen;
                        continue;
                }
                if (!first)
                        APP("/");
                first = false;
                if (type == 0x02 && sub == 0x01 && n >= 8 && le32(p) == 0x0a0341d0) {
                        APP("PciRoot(0x%x)", le32(p + 4));
                } else if (type == 0x01 && sub == 0x01 && n >= 2) {
                        APP("Pci(0x%x,0x%x)", p[1], p[0]);
                } else if (type == 0x01 && sub == 0x04 && n >= 16) {
                        guid_str(p, g);
                        APP("VenHw(%s", g);
                        for (size_t i = 16; i < n; i++)
                                APP("%s%02x", i == 16 ? "," : "", p[i]);
                        APP(")");
                } else if (type == 0x03 && sub == 0x02 && n >= 4) {
                        APP("SCSI(%u,%u)", (unsigned)(p[0] | p[1] << 8), (unsigned)(p[2] | p[3] << 8));
                } else if (type == 0x03 && sub == 0x12 && n >= 6) {
                        APP("Sata(%u,%u,%u)", (unsigned)(p[0] | p[1] << 8), (unsigned)(p[2] | p[3] << 8),
                            (unsigned)(p[4] | p[5] << 8));
                } else if (type == 0x04 && sub == 0x01 && n >= 38 && p[37] == 2) {
                        guid_str(p + 20, g);
                        APP("HD(%u,GPT,%s,0x%llx,0x%llx)", le32(p), g, (unsigned long long)le64(p + 4),
                            (unsigned long long)le64(p + 12));
                } else if (type == 0x04 && sub == 0x04) {
                        char f[1024];

                        ct_tcg_utf16_to_utf8(p, n / 2, f, sizeof(f));
                        APP("File(%s)", f);
                } else if (type == 0x04 && (sub == 0x06 || sub == 0x07) && n >= 16) {
                        guid_str(p, g);
                        APP("%s(%s)", sub == 0x06 ? "FvFile" : "FvVol", g);
                } else if (type == 0x04 && sub == 0x08 && n >= 20) {
                        APP("Offset(0x%llx,0x%llx)", (unsigned long long)le64(p + 4),
                            (unsigned long long)le64(p + 12));
                } else if (type == 0x05 && sub == 0x01 && n >= 4) {
                        static const char *const names[] = { NULL, "Floppy", "HD", "CDROM", "PCMCIA", "USB",
                                                             "Network" };
                        unsigned t = (unsigned)(p[0] | p[1] << 8);
                        const uint8_t *z = memchr(p + 4, 0, n - 4);

                        if (t >= 1 && t <= 6)
                                APP("BBS(%s,", names[t]);
                        else
                                APP("BBS(0x%x,", t);
                        APP("%.*s,0x%x)", (int)(z ? (size_t)(z - (p + 4)) : n - 4), (const char *)(p + 4),
                            (unsigned)(p[2] | p[3] << 8));
                } else {
                        return false;
                }
                pos += nlen;
        }
#undef APP
        return pos == len;
}

static void devpath_out(FILE *out, const char *indent, const uint8_t *dp, size_t len, size_t parse_len)
{
        char text[4096];

        if (len == 0 || !efivar_devpath(dp, parse_len, text, sizeof(text))) {
                fprintf(out, "%sDevicePath: '", indent);
                hex_out(out, dp, len);
                fprintf(out, "'\n");
        } else
                fprintf(out, "%sDevicePath: '%s'\n", indent, text);
}

/* tpm2-tools 5.8's yaml_split_print_string: one double-quoted scalar, lines continued with '\'. */
static void split_string(FILE *out, const char *indent, const char *field, const uint8_t *p, size_t size)
{
        size_t i = 0;
        bool first = true;

        fprintf(out, "%s%s: \"", indent, field);
        do {
                const uint8_t *nl = memchr(p + i, '\n', size - i);
                size_t len = nl ? (size_t)(nl + 1 - (p + i)) : size - i;
                bool lead = true;

                if (!first)
                        fprintf(out, "%s  ", indent);
                first = false;
                for (size_t j = i; j < i + len; j++) {
                        const char *e = NULL;

                        switch (p[j]) {
                        case '\0': e = "\\0"; break;
                        case '\a': e = "\\a"; break;
                        case '\b': e = "\\b"; break;
                        case '\t': e = lead ? "\\t" : NULL; break;
                        case '\v': e = "\\v"; break;
                        case '\f': e = "\\f"; break;
                        case '\n': e = "\\n"; break;
                        case '\r': e = "\\r"; break;
                        case 0x1b: e = "\\e"; break;
                        case '\\': e = "\\\\"; break;
                        case '"': e = "\\\""; break;
                        case ' ': e = lead ? "\\x20" : NULL; break;
                        }
                        if (p[j] != ' ' && p[j] != '\t')
                                lead = false;
                        if (e)
                                fputs(e, out);
                        else
                                fputc(p[j], out);
                }
                i += len;
                fprintf(out, i < size ? "\\\n" : "\"\n");
        } while (i < size);
}

static bool name_is(const char *name, const char *what)
{
        return strcmp(name, what) == 0;
}

static void enabled_out(FILE *out, const char *what, const uint8_t *d, uint64_t len)
{
        (void)what;
        fprintf(out, "    VariableData:\n      Enabled: %s\n", len == 0 || d[0] == 0 ? "'No'" : "'Yes'");
}

/* EV_EFI_VARIABLE_*: the variables tpm2-tools 5.8 decodes; false: print the data as hex. */
static bool var_decoded(FILE *out, const ct_tcg_event *ev, const char *name, const uint8_t *d, uint64_t dlen, size_t start)
{
        size_t size = ev->data_size;
        char g[CT_GUID_STRING_MAX];

        if (ev->type == 0x80000001) { /* EV_EFI_VARIABLE_DRIVER_CONFIG */
                if (name_is(name, "PK") || name_is(name, "KEK") || name_is(name, "db") || name_is(name, "dbx")) {
                        const uint8_t *l = d;

                        fprintf(out, "    VariableData:\n");
                        while (start < size) {
                                uint32_t lsize, hsize, ssize;

                                /* tpm2-tools checks `start` but reads at the list pointer: both bounded here */
                                if (start + 28 > size || (size_t)(l - ev->data) + 28 > size)
                                        break;
                                lsize = le32(l + 16);
                                hsize = le32(l + 20);
                                ssize = le32(l + 24);
                                if (ssize < 16)
                                        break;
                                guid_str(l, g);
                                fprintf(out, "    - SignatureType: %s\n      SignatureListSize: %u\n"
                                       "      SignatureHeaderSize: %u\n      SignatureSize: %u\n      Keys:\n",
                                       g, lsize, hsize, ssize);
                                start += 28 + (size_t)hsize;
                                if (start + ssize > size || lsize < 28 + hsize || (lsize - 28 - hsize) % ssize)
                                        break;
                                for (uint32_t k = 0; k < (lsize - 28 - hsize) / ssize; k++) {
                                        const uint8_t *sg = l + 28 + hsize + (size_t)k * ssize;

                                        if (sg + ssize > ev->data + size)
                                                return true;
                                        guid_str(sg, g);
                                        fprintf(out, "      - SignatureOwner: %s\n        SignatureData: ", g);
                                        hex_out(out, sg + 16, ssize - 16);
                                        fputc('\n', out);
                                        start += ssize;
                                        if (start > size)
                                                break;
                                }
                                if (lsize > size - (size_t)(l - ev->data))
                                        break;
                                l += lsize;
                        }
                        return true;
                }
                if (name_is(name, "SecureBoot") && dlen <= 1) {
                        enabled_out(out, name, d, dlen);
                        return true;
                }
                return false;
        }
        if (ev->type == 0x800000e0) { /* EV_EFI_VARIABLE_AUTHORITY */
                if (name_is(name, "MokListTrusted") && dlen <= 1) {
                        enabled_out(out, name, d, dlen);
                        return true;
                }
                if ((name_is(name, "db") || name_is(name, "Shim") || name_is(name, "vendor_db")) && dlen >= 16 &&
                    start + dlen <= size) {
                        guid_str(d, g);
                        fprintf(out, "    VariableData:\n    - SignatureOwner: %s\n      SignatureData: ", g);
                        hex_out(out, d + 16, (size_t)dlen - 16);
                        fputc('\n', out);
                        return true;
                }
                if (name_is(name, "SbatLevel") && start + dlen <= size) {
                        fprintf(out, "    VariableData:\n");
                        split_string(out, "      ", "String", d, (size_t)dlen);
                        return true;
                }
                return false;
        }
        if (ev->type == 0x80000002 || ev->type == 0x8000000c) { /* EV_EFI_VARIABLE_BOOT(2) */
                if (name_is(name, "BootOrder") && dlen % 2 == 0 && start + dlen <= size) {
                        fprintf(out, "    VariableData:\n");
                        for (uint64_t i = 0; i < dlen / 2; i++)
                                fprintf(out, "    - Boot%04x\n", (unsigned)(d[2 * i] | d[2 * i + 1] << 8));
                        return true;
                }
                if (strlen(name) == 8 && strncmp(name, "Boot", 4) == 0 && isxdigit((unsigned char)name[4]) &&
                    isxdigit((unsigned char)name[5]) && isxdigit((unsigned char)name[6]) &&
                    isxdigit((unsigned char)name[7]) && dlen >= 6 && start + dlen <= size) {
                        size_t i = 0, off, dl;

                        fprintf(out, "    VariableData:\n      Enabled: %s\n      FilePathListLength: %u\n"
                               "      Description: \"",
                               le32(d) & 1 ? "'Yes'" : "'No'", (unsigned)(d[4] | d[5] << 8));
                        while (6 + 2 * i + 1 < dlen && (d[6 + 2 * i] | d[7 + 2 * i]))
                                fputc(d[6 + 2 * i] < 0x80 && !d[7 + 2 * i] ? d[6 + 2 * i] : '?', out), i++;
                        fprintf(out, "\"\n");
                        off = 6 + 2 * (i + 1);
                        dl = off <= dlen ? (size_t)dlen - off : 0;
                        devpath_out(out, "      ", d + off, dl, dl);
                        return true;
                }
        }
        return false;
}

static void var_out_v2(FILE *out, const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data;
        uint64_t name_len, data_len;
        size_t start;
        char name[4096];

        if (!var_head(out, ev, &name_len, &data_len, name, sizeof(name)))
                return;
        start = 32 + 2 * (size_t)name_len;
        if (var_decoded(out, ev, name, p + start, data_len, start) || data_len == 0)
                return;
        fprintf(out, "    VariableData: \"");
        hex_out(out, p + start, (size_t)(data_len < ev->data_size - start ? data_len : ev->data_size - start));
        fprintf(out, "\"\n");
}

static void gpt_out(FILE *out, const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data, *h = p;
        size_t size = ev->data_size;
        uint64_t nparts;
        char g[CT_GUID_STRING_MAX], name[256];

        if (size < 92 + 8) {
                hex_event(out, ev);
                return;
        }
        nparts = le64(p + 92);
        guid_str(h + 56, g);
        fprintf(out, "  Event:\n    Header:\n      Signature: \"%.8s\"\n      Revision: 0x%x\n      HeaderSize: %u\n"
               "      HeaderCRC32: 0x%x\n      MyLBA: 0x%llx\n      AlternateLBA: 0x%llx\n"
               "      FirstUsableLBA: 0x%llx\n      LastUsableLBA: 0x%llx\n      DiskGUID: %s\n"
               "      PartitionEntryLBA: 0x%llx\n      NumberOfPartitionEntry: %u\n"
               "      SizeOfPartitionEntry: %u\n      PartitionEntryArrayCRC32: 0x%x\n"
               "    NumberOfPartitions: %llu\n    Partitions:\n",
               (const char *)h, le32(h + 8), le32(h + 12), le32(h + 16), (unsigned long long)le64(h + 24),
               (unsigned long long)le64(h + 32), (unsigned long long)le64(h + 40),
               (unsigned long long)le64(h + 48), g, (unsigned long long)le64(h + 72), le32(h + 80), le32(h + 84),
               le32(h + 88), (unsigned long long)nparts);
        size -= 100;
        for (uint64_t i = 0; i < nparts && size >= 128; i++, size -= 128) {
                const uint8_t *e = p + 100 + i * 128;

                guid_str(e, g);
                fprintf(out, "    - PartitionTypeGUID: %s\n", g);
                guid_str(e + 16, g);
                ct_tcg_utf16_to_utf8(e + 56, 36, name, sizeof(name));
                fprintf(out, "      UniquePartitionGUID: %s\n      StartingLBA: 0x%llx\n      EndingLBA: 0x%llx\n"
                       "      Attributes: 0x%llx\n      PartitionName: \"%s\"\n",
                       g, (unsigned long long)le64(e + 32), (unsigned long long)le64(e + 40),
                       (unsigned long long)le64(e + 48), name);
        }
}

static void event_data_v2(FILE *out, const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data;
        size_t n = ev->data_size;

        switch (ev->type) {
        case 0x80000001:
        case 0x80000002:
        case 0x8000000c:
        case 0x800000e0:
                fprintf(out, "  EventSize: %u\n", ev->data_size);
                if (n)
                        var_out_v2(out, ev);
                return;
        case 0x8000000a: /* BLOB2: 5.8 prints the whole description */
                if (n >= 1 + (size_t)p[0] + 16) {
                        size_t d = p[0];

                        fprintf(out, "  EventSize: %u\n  Event:\n    BlobDescriptionSize: %zu\n    BlobDescription: \"",
                               ev->data_size, d);
                        hex_out(out, p + 1, d);
                        fprintf(out, "\"\n    BlobBase: 0x%llx\n    BlobLength: 0x%llx\n",
                               (unsigned long long)le64(p + 1 + d), (unsigned long long)le64(p + 9 + d));
                        return;
                }
                break;
        case 0x0000000d: /* EV_IPL */
                if (!n)
                        break;
                fprintf(out, "  EventSize: %u\n  Event:\n", ev->data_size);
                split_string(out, "    ", "String", p, n);
                return;
        case 0x80000010: /* EV_EFI_HCRTM_EVENT */
                if (!n)
                        break;
                fprintf(out, "  EventSize: %u\n", ev->data_size);
                text_block(out, p, n);
                return;
        case 0x80000003:
        case 0x80000004:
        case 0x80000005:
                if (n < 32)
                        break;
                fprintf(out, "  EventSize: %u\n  Event:\n    ImageLocationInMemory: 0x%llx\n"
                       "    ImageLengthInMemory: %llu\n    ImageLinkTimeAddress: 0x%llx\n"
                       "    LengthOfDevicePath: %llu\n",
                       ev->data_size, (unsigned long long)le64(p), (unsigned long long)le64(p + 8),
                       (unsigned long long)le64(p + 16), (unsigned long long)le64(p + 24));
                devpath_out(out, "    ", p + 32, n - 32, le64(p + 24) < n - 32 ? (size_t)le64(p + 24) : n - 32);
                return;
        case 0x80000006: /* EV_EFI_GPT_EVENT */
                if (!n)
                        break;
                fprintf(out, "  EventSize: %u\n", ev->data_size);
                gpt_out(out, ev);
                return;
        case 0x00000003: /* EV_NO_ACTION: StartupLocality */
                if (n > 16 && memcmp(p, "StartupLocality", 16) == 0) {
                        fprintf(out, "  EventSize: %u\n  Event:\n    StartupLocality: %u\n", ev->data_size, p[16]);
                        return;
                }
                break;
        default:
                break;
        }
        event_data(out, ev);
}

static void specid_out(FILE *out, const ct_tcg_event *ev, const ct_tcg_info *info)
{
        const ct_tcg_specid *s = &info->specid;
        char sig[17] = { 0 };

        memcpy(sig, ev->data, ev->data_size < 16 ? ev->data_size : 16);
        fprintf(out, "- EventNum: %u\n  PCRIndex: %u\n  EventType: %s\n  Digest: \"", ev->num, ev->pcr,
               ct_tcg_yaml_event_type(ev->type));
        hex_out(out, ev->digests[0].bytes, ev->digests[0].size);
        fprintf(out, "\"\n  EventSize: %u\n", ev->data_size);
        fprintf(out, "  SpecID:\n  - Signature: %s\n    platformClass: %u\n    specVersionMinor: %u\n"
               "    specVersionMajor: %u\n    specErrata: %u\n    uintnSize: %u\n    numberOfAlgorithms: %u\n"
               "    Algorithms:\n",
               sig, s->platform_class, s->spec_version_minor, s->spec_version_major, s->spec_errata, s->uintn_size,
               s->n_algs);
        for (uint32_t i = 0; i < s->n_algs; i++)
                fprintf(out, "    - Algorithm[%u]:\n      algorithmId: %s\n      digestSize: %u\n", i,
                       alg_name(s->algs[i].id), s->algs[i].size);
        fprintf(out, "    vendorInfoSize: %u\n", s->vendor_info_size);
        if (s->vendor_info_size) {
                fprintf(out, "    vendorInfo: \"");
                hex_out(out, s->vendor_info, s->vendor_info_size);
                fprintf(out, "\"\n");
        }
}

/* Does the digest of bank `d` equal the hash of p[0..n)? (unknown banks: yes, nothing to say) */
static bool digest_is(const ct_tcg_digest *d, const uint8_t *p, size_t n)
{
        ct_hash_alg a = ct_hash_from_tcg_id(d->alg_id);
        ct_digest h;

        if (a == CT_HASH_NONE || ct_hash_buf(a, p, n, &h, NULL) != CT_OK)
                return true;
        return h.len == d->size && memcmp(h.bytes, d->bytes, h.len) == 0;
}

/*
 * tpm2_eventlog's digest check of the records whose digest is the hash of
 * their data (a warning on opts->warnings, the first failing bank only).
 */
static void verify_digests(FILE *warn, const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data;
        size_t n = ev->data_size, j;

        if (!warn)
                return;

        switch (ev->type) {
        case 0x00000008: /* EV_S_CRTM_VERSION */
        case 0x00000004: /* EV_SEPARATOR */
        case 0x80000001: /* EV_EFI_VARIABLE_DRIVER_CONFIG */
        case 0x80000006: /* EV_EFI_GPT_EVENT */
                for (unsigned i = 0; i < ev->n_digests; i++)
                        if (!digest_is(&ev->digests[i], p, n)) {
                                fprintf(warn, "WARN: Event %u's digest does not match its payload\n", ev->num);
                                return;
                        }
                return;
        case 0x0000000d: /* EV_IPL */
                break;
        default:
                return;
        }
        switch (ev->pcr) {
        case 9:
        case 14:
                return;
        case 8: /* "grub_cmd: ...": the text after the first space, with or without its NUL */
                for (j = 0; j < n && p[j] != ' '; j++)
                        ;
                if (j + 1 >= n || p[n - 1] != 0) {
                        fprintf(warn, "WARN: Event %u's event data is in unexpected format\n", ev->num);
                        return;
                }
                for (unsigned i = 0; i < ev->n_digests; i++)
                        if (!digest_is(&ev->digests[i], p + j + 1, n - (j + 2)) &&
                            !digest_is(&ev->digests[i], p + j + 1, n - (j + 1))) {
                                fprintf(warn, "WARN: Event %u's digest does not match its payload\n", ev->num);
                                return;
                        }
                return;
        case 12:
                for (unsigned i = 0; i < ev->n_digests; i++)
                        if (!digest_is(&ev->digests[i], p, n)) {
                                fprintf(warn, "WARN: Event %u's digest does not match its payload\n", ev->num);
                                return;
                        }
                return;
        default: /* sic */
                fprintf(warn, "WARN: Event %u is unexectedly not extending either PCR 8, 9, 12 or 14\n", ev->num);
                return;
        }
}

static const ct_tcg_yaml_opts default_opts = { .version = 1 };

static unsigned opts_version(const ct_tcg_yaml_opts *opts)
{
        return opts->version == 2 ? 2 : 1;
}

CT_EXPORT void ct_tcg_yaml_write_event(FILE *out, const ct_tcg_event *ev, const ct_tcg_info *info,
                                       const ct_tcg_yaml_opts *opts)
{
        if (!opts)
                opts = &default_opts;
        if (ev->is_header) {
                specid_out(out, ev, info);
                return;
        }
        if (info->format != CT_TCG_FORMAT_SHA1) {
                fprintf(out, "- EventNum: %u\n", ev->num);
                verify_digests(opts->warnings, ev);
        }
        fprintf(out, "  PCRIndex: %u\n  EventType: %s\n  DigestCount: %u\n  Digests:\n", ev->pcr,
                ct_tcg_yaml_event_type(ev->type), ev->n_digests);
        for (unsigned i = 0; i < ev->n_digests; i++) {
                fprintf(out, "  - AlgorithmId: %s\n    Digest: \"", alg_name(ev->digests[i].alg_id));
                hex_out(out, ev->digests[i].bytes, ev->digests[i].size);
                fprintf(out, "\"\n");
        }
        if (opts_version(opts) == 2)
                event_data_v2(out, ev);
        else
                event_data(out, ev);
}

/* tpm2_eventlog's order of the banks in its pcrs: block. */
static const char *const banks_order[] = { "sha1", "sha256", "sha384", "sha512", "sm3_256" };

CT_EXPORT void ct_tcg_yaml_write_pcrs(FILE *out, const ct_pcr_set *pcrs, const char *indent)
{
        if (!indent)
                indent = "";
        fprintf(out, "%spcrs:\n", indent);
        for (size_t b = 0; b < CT_ARRAY_SIZE(banks_order); b++) {
                const ct_pcr_bank *bank = ct_pcr_set_bank_const(pcrs, ct_hash_from_name(banks_order[b]));

                if (!bank || !bank->present)
                        continue;
                fprintf(out, "%s  %s:\n", indent, banks_order[b]);
                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                        char hex[2 * CT_HASH_MAX_SIZE + 1];

                        if (!(bank->present & (1u << i)))
                                continue;
                        fprintf(out, "%s    %-2u : 0x%s\n", indent, i,
                                ct_hex_encode(bank->values[i], ct_hash_size(bank->alg), hex));
                }
        }
}

struct yaml_walk {
        FILE *out;
        const ct_tcg_yaml_opts *opts;
};

static ct_code yaml_event_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        const struct yaml_walk *w = userdata;

        (void)err;
        ct_tcg_yaml_write_event(w->out, ev, info, w->opts);
        return CT_OK;
}

CT_EXPORT ct_code ct_tcg_yaml_write_events(FILE *out, const uint8_t *buf, size_t len, unsigned flags,
                                           const ct_tcg_yaml_opts *opts, ct_tcg_info *ret_info, ct_error *err)
{
        struct yaml_walk w = { .out = out, .opts = opts ? opts : &default_opts };
        ct_tcg_info info;
        ct_code rc;

        if (!out)
                return ct_error_set(err, CT_E_ARG, "no output stream");
        fprintf(out, "---\nversion: %u\nevents:\n", opts_version(w.opts));
        if ((rc = ct_tcg_walk(buf, len, flags, yaml_event_cb, &w, &info, err)) != CT_OK)
                return rc;
        if (ret_info)
                *ret_info = info;
        return CT_OK;
}

CT_EXPORT ct_code ct_tcg_yaml_write(FILE *out, const uint8_t *buf, size_t len, unsigned flags,
                                    const ct_tcg_yaml_opts *opts, ct_tcg_info *ret_info, ct_error *err)
{
        ct_tpm_replay *r;
        ct_code rc;

        if (!out)
                return ct_error_set(err, CT_E_ARG, "no output stream");
        r = calloc(1, sizeof(*r));
        if (!r)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        /* The whole log is validated (and replayed) first: nothing is written for a malformed log. */
        if ((rc = ct_tpm_replay_log(buf, len, flags, r, err)) == CT_OK &&
            (rc = ct_tcg_yaml_write_events(out, buf, len, flags, opts, ret_info, err)) == CT_OK) {
                ct_tcg_yaml_write_pcrs(out, &r->pcrs, "");
                if (fflush(out) != 0 || ferror(out))
                        rc = ct_error_set_errno(err, errno ? errno : EIO, "writing the YAML");
        }
        free(r);
        return rc;
}
