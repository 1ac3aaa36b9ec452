/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust eventlog show --yaml: the records as tpm2_eventlog 5.4 prints them
 * (its --eventlog-version=1 YAML, byte for byte), including its habits: hex
 * fields cut at 1024 bytes, EV_EFI_ACTION / EV_POST_CODE text up to the first
 * NUL, EV_IPL lines split on '\n' with its escape set, the description of an
 * EV_EFI_PLATFORM_FIRMWARE_BLOB2 one byte short, no EventNum in SHA-1 logs.
 * Written from the output format only (docs/eventlog-pcr-tpm.md lists it).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/hash.h>
#include <cocotrust/tcglog.h>

#include "eventlog-yaml.h"
#include "tool.h"

#define YAML_HEX_MAX 1024 /* tpm2_eventlog's event hex buffer holds 1024 bytes */

static uint64_t le64(const uint8_t *p)
{
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = (v << 8) | p[i];
        return v;
}

static uint32_t le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void hex_out(const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                printf("%02x", p[i]);
}

static void hex_event(const ct_tcg_event *ev)
{
        printf("  Event: \"");
        hex_out(ev->data, ev->data_size < YAML_HEX_MAX ? ev->data_size : YAML_HEX_MAX);
        printf("\"\n");
}

const char *tool_yaml_event_type(uint32_t t)
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

static void guid_out(const uint8_t *g)
{
        printf("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(g), (unsigned)(g[4] | g[5] << 8),
               (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* EV_EFI_VARIABLE_*: version 1 prints the data as hex. */
static void var_out(const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data;
        uint64_t name_len, data_len, avail;
        char name[4096];

        if (ev->data_size < 32) {
                hex_event(ev);
                return;
        }
        name_len = le64(p + 16);
        data_len = le64(p + 24);
        printf("  Event:\n    VariableName: ");
        guid_out(p);
        printf("\n    UnicodeNameLength: %llu\n    VariableDataLength: %llu\n", (unsigned long long)name_len,
               (unsigned long long)data_len);
        if (name_len > (ev->data_size - 32) / 2)
                return;
        ct_tcg_utf16_to_utf8(p + 32, (size_t)name_len, name, sizeof(name));
        printf("    UnicodeName: %s\n", name);
        if (data_len == 0)
                return;
        avail = ev->data_size - 32 - 2 * name_len;
        printf("    VariableData: \"");
        hex_out(p + 32 + 2 * name_len, (size_t)(data_len < avail ? data_len : avail));
        printf("\"\n");
}

/* tpm2_eventlog's "|-" block: the text up to size bytes or the first NUL. */
static void text_block(const uint8_t *p, size_t n)
{
        const uint8_t *z = memchr(p, 0, n);

        printf("  Event: |-\n    %.*s\n", (int)(z ? (size_t)(z - p) : n), (const char *)p);
}

static void ipl_out(const uint8_t *p, size_t size)
{
        size_t i = 0;

        printf("  Event:\n    String: |-\n");
        do {
                const uint8_t *nl = memchr(p + i, '\n', size - i);
                size_t len = nl ? (size_t)(nl - (p + i)) : size - i;

                printf("      \"");
                for (size_t j = i; j < i + len; j++) {
                        static const char from[] = "\a\b\t\v\f\r\x1b'\\";
                        static const char to[] = "abtvfre'\\";
                        const char *e = p[j] ? strchr(from, p[j]) : NULL;

                        if (p[j] == 0)
                                fputs("\\0", stdout);
                        else if (e)
                                printf("\\%c", to[e - from]);
                        else
                                putchar(p[j]);
                }
                printf("\"\n");
                i += len + 1;
        } while (i < size);
}

static void event_data(const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data;
        size_t n = ev->data_size;

        printf("  EventSize: %u\n", ev->data_size);
        if (n == 0)
                return;
        switch (ev->type) {
        case 0x80000001: /* EV_EFI_VARIABLE_DRIVER_CONFIG */
        case 0x80000002: /* EV_EFI_VARIABLE_BOOT */
        case 0x8000000c: /* EV_EFI_VARIABLE_BOOT2 */
        case 0x800000e0: /* EV_EFI_VARIABLE_AUTHORITY */
                var_out(ev);
                return;
        case 0x00000001: /* EV_POST_CODE: a blob when 16 bytes, else text */
                if (n == 16)
                        printf("  Event:\n    BlobBase: 0x%llx\n    BlobLength: 0x%llx\n",
                               (unsigned long long)le64(p), (unsigned long long)le64(p + 8));
                else
                        text_block(p, n);
                return;
        case 0x00000007: /* EV_S_CRTM_CONTENTS */
        case 0x80000008: /* EV_EFI_PLATFORM_FIRMWARE_BLOB */
                if (n < 16)
                        break;
                printf("  Event:\n    BlobBase: 0x%llx\n    BlobLength: 0x%llx\n", (unsigned long long)le64(p),
                       (unsigned long long)le64(p + 8));
                return;
        case 0x8000000a: { /* EV_EFI_PLATFORM_FIRMWARE_BLOB2 */
                size_t d = p[0];

                if (n < 1 + d + 16)
                        break;
                /* tpm2_eventlog's buffer holds one byte less than the description */
                printf("  Event:\n    BlobDescriptionSize: %zu\n    BlobDescription: \"", d);
                hex_out(p + 1, d ? d - 1 : 0);
                printf("\"\n    BlobBase: 0x%llx\n    BlobLength: 0x%llx\n", (unsigned long long)le64(p + 1 + d),
                       (unsigned long long)le64(p + 9 + d));
                return;
        }
        case 0x80000007: /* EV_EFI_ACTION */
                text_block(p, n);
                return;
        case 0x0000000d: /* EV_IPL */
                ipl_out(p, n);
                return;
        case 0x80000003: /* EV_EFI_BOOT_SERVICES_APPLICATION */
        case 0x80000004: /* EV_EFI_BOOT_SERVICES_DRIVER */
        case 0x80000005: /* EV_EFI_RUNTIME_SERVICES_DRIVER */
                if (n < 32)
                        break;
                printf("  Event:\n    ImageLocationInMemory: 0x%llx\n    ImageLengthInMemory: %llu\n"
                       "    ImageLinkTimeAddress: 0x%llx\n    LengthOfDevicePath: %llu\n    DevicePath: '",
                       (unsigned long long)le64(p), (unsigned long long)le64(p + 8),
                       (unsigned long long)le64(p + 16), (unsigned long long)le64(p + 24));
                hex_out(p + 32, n - 32);
                printf("'\n");
                return;
        default:
                break;
        }
        hex_event(ev);
}

static void specid_out(const ct_tcg_event *ev, const ct_tcg_info *info)
{
        const ct_tcg_specid *s = &info->specid;
        char sig[17] = { 0 };

        memcpy(sig, ev->data, ev->data_size < 16 ? ev->data_size : 16);
        printf("- EventNum: %u\n  PCRIndex: %u\n  EventType: %s\n  Digest: \"", ev->num, ev->pcr,
               tool_yaml_event_type(ev->type));
        hex_out(ev->digests[0].bytes, ev->digests[0].size);
        printf("\"\n  EventSize: %u\n", ev->data_size);
        printf("  SpecID:\n  - Signature: %s\n    platformClass: %u\n    specVersionMinor: %u\n"
               "    specVersionMajor: %u\n    specErrata: %u\n    uintnSize: %u\n    numberOfAlgorithms: %u\n"
               "    Algorithms:\n",
               sig, s->platform_class, s->spec_version_minor, s->spec_version_major, s->spec_errata, s->uintn_size,
               s->n_algs);
        for (uint32_t i = 0; i < s->n_algs; i++)
                printf("    - Algorithm[%u]:\n      algorithmId: %s\n      digestSize: %u\n", i,
                       alg_name(s->algs[i].id), s->algs[i].size);
        printf("    vendorInfoSize: %u\n", s->vendor_info_size);
        if (s->vendor_info_size) {
                printf("    vendorInfo: \"");
                hex_out(s->vendor_info, s->vendor_info_size);
                printf("\"\n");
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
 * their data (a warning on stderr, the first failing bank only).
 */
static void verify_digests(const ct_tcg_event *ev)
{
        const uint8_t *p = ev->data;
        size_t n = ev->data_size, j;

        switch (ev->type) {
        case 0x00000008: /* EV_S_CRTM_VERSION */
        case 0x00000004: /* EV_SEPARATOR */
        case 0x80000001: /* EV_EFI_VARIABLE_DRIVER_CONFIG */
        case 0x80000006: /* EV_EFI_GPT_EVENT */
                for (unsigned i = 0; i < ev->n_digests; i++)
                        if (!digest_is(&ev->digests[i], p, n)) {
                                fprintf(stderr, "WARN: Event %u's digest does not match its payload\n", ev->num);
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
                        fprintf(stderr, "WARN: Event %u's event data is in unexpected format\n", ev->num);
                        return;
                }
                for (unsigned i = 0; i < ev->n_digests; i++)
                        if (!digest_is(&ev->digests[i], p + j + 1, n - (j + 2)) &&
                            !digest_is(&ev->digests[i], p + j + 1, n - (j + 1))) {
                                fprintf(stderr, "WARN: Event %u's digest does not match its payload\n", ev->num);
                                return;
                        }
                return;
        case 12:
                for (unsigned i = 0; i < ev->n_digests; i++)
                        if (!digest_is(&ev->digests[i], p, n)) {
                                fprintf(stderr, "WARN: Event %u's digest does not match its payload\n", ev->num);
                                return;
                        }
                return;
        default: /* sic */
                fprintf(stderr, "WARN: Event %u is unexectedly not extending either PCR 8, 9, 12 or 14\n", ev->num);
                return;
        }
}

void tool_yaml_event(const ct_tcg_event *ev, const ct_tcg_info *info)
{
        if (ev->is_header) {
                specid_out(ev, info);
                return;
        }
        if (info->format != CT_TCG_FORMAT_SHA1) {
                printf("- EventNum: %u\n", ev->num);
                verify_digests(ev);
        }
        printf("  PCRIndex: %u\n  EventType: %s\n  DigestCount: %u\n  Digests:\n", ev->pcr,
               tool_yaml_event_type(ev->type), ev->n_digests);
        for (unsigned i = 0; i < ev->n_digests; i++) {
                printf("  - AlgorithmId: %s\n    Digest: \"", alg_name(ev->digests[i].alg_id));
                hex_out(ev->digests[i].bytes, ev->digests[i].size);
                printf("\"\n");
        }
        event_data(ev);
}
