/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust eventlog show | replay | check — TCG PC Client event logs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/guid.h>
#include <cocotrust/reader.h>
#include <cocotrust/tcglog.h>

#include "ccel-tool.h"
#include "tool.h"

#define CT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CT_ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

/* ---- shared ---- */

static int load_log(const char *path, ct_blob *ret)
{
        ct_error err;

        if (ct_blob_read(path, CT_TCG_MAX_LOG_SIZE, ret, &err) != CT_OK)
                return tool_fail(&err, path);
        return EXIT_OK;
}

static void warn_info(const char *path, const ct_tcg_info *info, const uint8_t *buf, size_t len)
{
        if (info->truncated) {
                char pcr[32] = "";
                if (len - info->truncated_offset >= 4)
                        snprintf(pcr, sizeof(pcr), " (PCR %u)", ct_get_le32(buf + info->truncated_offset));
                if (info->truncated_need)
                        fprintf(stderr,
                                "%s: %s: warning: the log ends inside its last record%s at offset 0x%llx (%llu of "
                                "%llu bytes); replayed the %u complete events only\n",
                                program_name, path, pcr, (unsigned long long)info->truncated_offset,
                                (unsigned long long)(len - info->truncated_offset),
                                (unsigned long long)info->truncated_need, info->n_records - info->has_specid);
                else
                        fprintf(stderr,
                                "%s: %s: warning: the log ends inside the header of its last record at offset "
                                "0x%llx (%llu bytes); replayed the %u complete events only\n",
                                program_name, path, (unsigned long long)info->truncated_offset,
                                (unsigned long long)(len - info->truncated_offset),
                                info->n_records - info->has_specid);
        }
        if (info->padding_size)
                fprintf(stderr, "%s: %s: note: %llu bytes of padding (%02x) after the last record at offset 0x%llx\n",
                        program_name, path, (unsigned long long)info->padding_size, buf[info->padding_offset],
                        (unsigned long long)info->padding_offset);
}

static const char *type_name(uint32_t type, char *tmp, size_t cap)
{
        const char *n = ct_tcg_event_type_name(type);

        if (n)
                return n;
        snprintf(tmp, cap, "0x%08x", type);
        return tmp;
}

static bool printable_ascii(const uint8_t *p, size_t n)
{
        if (n == 0 || p[0] == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (p[i] == 0 && i == n - 1)
                        break;
                if (p[i] < 0x20 || p[i] > 0x7e)
                        return false;
        }
        return true;
}

/* UTF-16LE text: even length, every high byte 0, low bytes printable, optional NUL at the end. */
static bool printable_utf16(const uint8_t *p, size_t n)
{
        if (n < 2 || n % 2 || (p[0] == 0 && p[1] == 0))
                return false;
        for (size_t i = 0; i < n; i += 2) {
                if (p[i] == 0 && p[i + 1] == 0 && i == n - 2)
                        break;
                if (p[i + 1] != 0 || p[i] < 0x20 || p[i] > 0x7e)
                        return false;
        }
        return true;
}

/* One-line description of an event's data. */
static void describe(const ct_tcg_event *ev, char *out, size_t cap)
{
        ct_tcg_efi_var var;
        ct_tcg_image_load img;
        ct_tcg_fw_blob blob;
        ct_tcg_tagged tag;
        uint8_t loc;
        char tmp[1024];

        out[0] = 0;
        if (ev->is_header) {
                snprintf(out, cap, "Spec ID Event03");
                return;
        }
        if (ct_tcg_startup_locality(ev, &loc)) {
                snprintf(out, cap, "StartupLocality %u", loc);
                return;
        }
        switch (ev->type) {
        case CT_EV_SEPARATOR:
                if (ev->data_size == 4)
                        snprintf(out, cap, "%02x%02x%02x%02x%s", ev->data[0], ev->data[1], ev->data[2], ev->data[3],
                                 ct_get_le32(ev->data) == 0xffffffffu ? " (error separator)" : "");
                return;
        case CT_EV_EFI_VARIABLE_DRIVER_CONFIG:
        case CT_EV_EFI_VARIABLE_BOOT:
        case CT_EV_EFI_VARIABLE_BOOT2:
        case CT_EV_EFI_VARIABLE_AUTHORITY:
                if (ct_tcg_decode_efi_var(ev->data, ev->data_size, 0, &var, NULL) == CT_OK) {
                        ct_tcg_utf16_to_utf8(var.name_utf16, (size_t)var.name_chars, tmp, sizeof(tmp));
                        snprintf(out, cap, "%s (%llu bytes)", tmp, (unsigned long long)var.data_size);
                }
                return;
        case CT_EV_EFI_BOOT_SERVICES_APPLICATION:
        case CT_EV_EFI_BOOT_SERVICES_DRIVER:
        case CT_EV_EFI_RUNTIME_SERVICES_DRIVER:
                if (ct_tcg_decode_image_load(ev->data, ev->data_size, 0, &img, NULL) == CT_OK)
                        snprintf(out, cap, "%s", ct_tcg_devpath_text(img.devpath, (size_t)img.devpath_size, tmp,
                                                                     sizeof(tmp)));
                return;
        case CT_EV_EFI_PLATFORM_FIRMWARE_BLOB:
        case CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2:
                if (ct_tcg_decode_fw_blob(ev->data, ev->data_size, ev->type == CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2,
                                          0, &blob, NULL) == CT_OK)
                        snprintf(out, cap, "base 0x%llx length 0x%llx", (unsigned long long)blob.base,
                                 (unsigned long long)blob.length);
                return;
        case CT_EV_EVENT_TAG:
                if (ct_tcg_decode_tagged(ev->data, ev->data_size, 0, &tag, NULL) == CT_OK) {
                        const char *n = ct_tcg_tag_name(tag.id);
                        size_t o = (size_t)snprintf(out, cap, "tag 0x%08x%s%s%s", tag.id, n ? " (" : "", n ? n : "",
                                                    n ? ")" : "");
                        if (o < cap && printable_ascii(tag.data, tag.size)) {
                                snprintf(out + o, cap - o, " \"%.*s\"", (int)CT_MIN(strnlen((const char *)tag.data, tag.size), 200u),
                                         (const char *)tag.data);
                        } else if (o < cap && printable_utf16(tag.data, tag.size)) {
                                ct_tcg_utf16_to_utf8(tag.data, tag.size / 2, tmp, sizeof(tmp));
                                snprintf(out + o, cap - o, " \"%s\"", tmp);
                        }
                }
                return;
        default:
                break;
        }
        if (printable_ascii(ev->data, ev->data_size)) {
                size_t n = ev->data_size;
                if (n && ev->data[n - 1] == 0)
                        n--;
                snprintf(out, cap, "\"%.*s\"", (int)CT_MIN(n, 200u), (const char *)ev->data);
        } else if (printable_utf16(ev->data, ev->data_size)) {
                ct_tcg_utf16_to_utf8(ev->data, ev->data_size / 2, tmp, sizeof(tmp));
                snprintf(out, cap, "\"%s\"", tmp);
        } else if (ev->data_size) {
                size_t n = CT_MIN(ev->data_size, 32u);
                ct_hex_encode(ev->data, n, tmp);
                snprintf(out, cap, "%s%s", tmp, n < ev->data_size ? "..." : "");
        }
}

/* ---- replay ---- */

static const char *const banks_order[] = { "sha1", "sha256", "sha384", "sha512", "sm3_256" };

/* Print the pcrs: block the way tpm2_eventlog does ("    %-2d : 0x%s"). */
static void print_pcrs_block(const ct_pcr_set *s, const char *indent)
{
        printf("%spcrs:\n", indent);
        for (size_t b = 0; b < CT_ARRAY_SIZE_T(banks_order); b++) {
                const ct_pcr_bank *bank = ct_pcr_set_bank_const(s, ct_hash_from_name(banks_order[b]));
                if (!bank || !bank->present)
                        continue;
                printf("%s  %s:\n", indent, banks_order[b]);
                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                        char hex[2 * CT_HASH_MAX_SIZE + 1];
                        if (!(bank->present & (1u << i)))
                                continue;
                        printf("%s    %-2u : 0x%s\n", indent, i,
                               ct_hex_encode(bank->values[i], ct_hash_size(bank->alg), hex));
                }
        }
}

static int parse_banks(const char *arg, uint32_t *mask)
{
        char *dup = strdup(arg), *save = NULL;

        if (!dup)
                return EXIT_INTERNAL;
        for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                ct_hash_alg a = ct_hash_from_name(t);
                if (a == CT_HASH_NONE) {
                        int rc = tool_usage("unknown bank '%s' (sha1, sha256, sha384, sha512, sm3_256)", t);
                        free(dup);
                        return rc;
                }
                *mask |= 1u << a;
        }
        free(dup);
        return EXIT_OK;
}

/* Keep only the banks in mask (0 = all); EXIT_BAD_INPUT naming a requested bank the set lacks. */
static int filter_banks(ct_pcr_set *s, uint32_t mask, const char *what)
{
        ct_pcr_set out;

        if (!mask)
                return EXIT_OK;
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX; a++)
                if ((mask & (1u << a)) && !ct_pcr_set_bank_const(s, (ct_hash_alg)a))
                        return tool_errorf(EXIT_BAD_INPUT, "%s: no %s bank", what, ct_hash_name((ct_hash_alg)a));
        ct_pcr_set_init(&out);
        for (unsigned b = 0; b < s->n_banks; b++)
                if (mask & (1u << s->banks[b].alg))
                        out.banks[out.n_banks++] = s->banks[b];
        *s = out;
        return EXIT_OK;
}

static const char *format_name(ct_tcg_format f)
{
        return f == CT_TCG_FORMAT_CRYPTO_AGILE ? "crypto-agile" : "sha1";
}

static json_object *info_json(const ct_tpm_replay *r)
{
        json_object *o = json_object_new_object();

        tool_json_add_str(o, "format", format_name(r->info.format));
        tool_json_add_int(o, "events", r->n_events);
        tool_json_add_int(o, "extended", r->n_extended);
        if (r->startup_locality >= 0)
                tool_json_add_int(o, "startup_locality", r->startup_locality);
        else
                json_object_object_add(o, "startup_locality", NULL);
        tool_json_add_bool(o, "hcrtm", r->hcrtm);
        if (r->info.truncated) {
                json_object *t = json_object_new_object();
                tool_json_add_int(t, "offset", (int64_t)r->info.truncated_offset);
                tool_json_add_int(t, "record_size", (int64_t)r->info.truncated_need);
                json_object_object_add(o, "truncated", t);
        } else {
                json_object_object_add(o, "truncated", NULL);
        }
        if (r->skipped_algs) {
                json_object *a = json_object_new_array();
                for (uint32_t j = 0; j < r->info.specid.n_algs; j++)
                        if (r->skipped_algs & (1u << j)) {
                                char tmp[16];
                                const char *n = ct_tcg_alg_name(r->info.specid.algs[j].id);
                                snprintf(tmp, sizeof(tmp), "0x%04x", r->info.specid.algs[j].id);
                                json_object_array_add(a, json_object_new_string(n ? n : tmp));
                        }
                json_object_object_add(o, "skipped_banks", a);
        }
        return o;
}

static int replay_help(void)
{
        printf("Usage: %s eventlog replay LOG [--bank BANK[,BANK...]] [--strict] [--json]\n\n"
               "Replay a TCG PC Client event log (binary_bios_measurements; SHA1 or crypto-agile)\n"
               "into PCR values, by the rules real TPMs follow: EV_NO_ACTION records are never\n"
               "extended; StartupLocality sets PCR 0's initial value (00..0L), an H-CRTM event 00..04.\n"
               "Only PCRs some record extends are printed (the others are not in the log).\n\n"
               "Options:\n"
               "  --bank BANKS  only these banks (sha1, sha256, sha384, sha512, sm3_256); repeatable\n"
               "  --strict      a log that ends inside its last record is an error (default: warning,\n"
               "                the complete records are replayed)\n"
               "  --json        PCR-set JSON: {\"schema_version\": 1, \"pcrs\": {\"sha256\": {\"0\": ...}}, \"log\": {...}}\n"
               "  -h, --help    this help\n\n"
               "Text output is the pcrs: block of tpm2_eventlog (\"    0  : 0x<hex>\").\n"
               "Exit status: 0 ok, 2 malformed log or usage, 3 I/O error.\n",
               program_name);
        return EXIT_OK;
}

static int verb_replay(int argc, char **argv)
{
        static const struct option opts[] = {
                { "bank", required_argument, NULL, 'b' }, { "json", no_argument, NULL, 'j' },
                { "strict", no_argument, NULL, 's' },     { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        uint32_t mask = 0;
        bool json = false;
        unsigned flags = 0;
        ct_blob blob = { 0 };
        ct_tpm_replay *r;
        ct_error err;
        int c, rc;

        if (tool_ccel_applies(argc, argv)) /* TDX CC event logs: verb-ccel.c */
                return tool_ccel_verb("replay", argc, argv);

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'b':
                        if ((rc = parse_banks(optarg, &mask)) != EXIT_OK)
                                return rc;
                        break;
                case 'j':
                        json = true;
                        break;
                case 's':
                        flags |= CT_TCG_STRICT;
                        break;
                case 'h':
                        return replay_help();
                default:
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc)
                return tool_usage("eventlog replay: expected one LOG argument (see --help)");
        if ((rc = load_log(argv[optind], &blob)) != EXIT_OK)
                return rc;
        r = calloc(1, sizeof(*r));
        if (!r) {
                ct_blob_free(&blob);
                return tool_errorf(EXIT_INTERNAL, "out of memory");
        }
        if (ct_tpm_replay_log(blob.data, blob.len, flags, r, &err) != CT_OK) {
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        warn_info(argv[optind], &r->info, blob.data, blob.len);
        if ((rc = filter_banks(&r->pcrs, mask, argv[optind])) != EXIT_OK)
                goto out;
        if (json) {
                json_object *o = tool_pcrset_json(&r->pcrs);
                json_object_object_add(o, "log", info_json(r));
                tool_json_print(o);
        } else {
                print_pcrs_block(&r->pcrs, "");
        }
        rc = EXIT_OK;
out:
        free(r);
        ct_blob_free(&blob);
        return rc;
}

/* ---- show ---- */

enum show_mode { SHOW_TEXT, SHOW_YAML, SHOW_JSON };

struct show {
        enum show_mode mode;
        json_object *events;
};

static void yaml_quoted(const uint8_t *p, size_t n)
{
        putchar('"');
        for (size_t i = 0; i < n; i++) {
                uint8_t ch = p[i];
                if (ch == '"' || ch == '\\')
                        printf("\\%c", ch);
                else if (ch == '\n')
                        printf("\\n");
                else if (ch == '\t')
                        printf("\\t");
                else if (ch == 0)
                        printf("\\0");
                else if (ch < 0x20 || ch >= 0x7f)
                        printf("\\x%02x", ch);
                else
                        putchar(ch);
        }
        putchar('"');
}

static void yaml_hex(const uint8_t *p, size_t n)
{
        char tmp[2 * 256 + 1];

        putchar('"');
        for (size_t i = 0; i < n; i += 256) {
                size_t k = n - i < 256 ? n - i : 256;
                fputs(ct_hex_encode(p + i, k, tmp), stdout);
        }
        putchar('"');
}

static void show_yaml_event_data(const ct_tcg_event *ev)
{
        ct_tcg_efi_var var;
        ct_tcg_image_load img;
        ct_tcg_fw_blob blob;
        ct_tcg_tagged tag;
        uint8_t loc;
        char tmp[4096];

        if (ct_tcg_startup_locality(ev, &loc)) {
                printf("  Event:\n    StartupLocality: %u\n", loc);
                return;
        }
        switch (ev->type) {
        case CT_EV_EFI_VARIABLE_DRIVER_CONFIG:
        case CT_EV_EFI_VARIABLE_BOOT:
        case CT_EV_EFI_VARIABLE_BOOT2:
        case CT_EV_EFI_VARIABLE_AUTHORITY:
                if (ct_tcg_decode_efi_var(ev->data, ev->data_size, 0, &var, NULL) == CT_OK) {
                        ct_guid g;
                        char gs[40];
                        ct_guid_from_bytes(&g, var.guid);
                        ct_tcg_utf16_to_utf8(var.name_utf16, (size_t)var.name_chars, tmp, sizeof(tmp));
                        printf("  Event:\n    VariableName: %s\n    UnicodeNameLength: %llu\n"
                               "    VariableDataLength: %llu\n    UnicodeName: ",
                               ct_guid_format(&g, gs), (unsigned long long)var.name_chars,
                               (unsigned long long)var.data_size);
                        yaml_quoted((const uint8_t *)tmp, strlen(tmp));
                        if (var.data_size) {
                                printf("\n    VariableData: ");
                                yaml_hex(var.data, (size_t)var.data_size);
                        }
                        putchar('\n');
                        return;
                }
                break;
        case CT_EV_EFI_BOOT_SERVICES_APPLICATION:
        case CT_EV_EFI_BOOT_SERVICES_DRIVER:
        case CT_EV_EFI_RUNTIME_SERVICES_DRIVER:
                if (ct_tcg_decode_image_load(ev->data, ev->data_size, 0, &img, NULL) == CT_OK) {
                        printf("  Event:\n    ImageLocationInMemory: 0x%llx\n    ImageLengthInMemory: %llu\n"
                               "    ImageLinkTimeAddress: 0x%llx\n    LengthOfDevicePath: %llu\n    DevicePath: ",
                               (unsigned long long)img.location, (unsigned long long)img.length,
                               (unsigned long long)img.link_time_address, (unsigned long long)img.devpath_size);
                        yaml_hex(img.devpath, (size_t)img.devpath_size);
                        ct_tcg_devpath_text(img.devpath, (size_t)img.devpath_size, tmp, sizeof(tmp));
                        printf("\n    DevicePathText: ");
                        yaml_quoted((const uint8_t *)tmp, strlen(tmp));
                        putchar('\n');
                        return;
                }
                break;
        case CT_EV_EFI_PLATFORM_FIRMWARE_BLOB:
        case CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2:
                if (ct_tcg_decode_fw_blob(ev->data, ev->data_size, ev->type == CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2, 0,
                                          &blob, NULL) == CT_OK) {
                        printf("  Event:\n");
                        if (ev->type == CT_EV_EFI_PLATFORM_FIRMWARE_BLOB2) {
                                printf("    BlobDescriptionSize: %u\n    BlobDescription: ", blob.desc_size);
                                yaml_quoted(blob.desc, blob.desc_size);
                                putchar('\n');
                        }
                        printf("    BlobBase: 0x%llx\n    BlobLength: 0x%llx\n", (unsigned long long)blob.base,
                               (unsigned long long)blob.length);
                        return;
                }
                break;
        case CT_EV_EVENT_TAG:
                if (ct_tcg_decode_tagged(ev->data, ev->data_size, 0, &tag, NULL) == CT_OK) {
                        const char *n = ct_tcg_tag_name(tag.id);
                        printf("  Event:\n    TaggedEventID: 0x%08x\n", tag.id);
                        if (n)
                                printf("    TaggedEventName: \"%s\"\n", n);
                        printf("    TaggedEventDataSize: %u\n    TaggedEventData: ", tag.size);
                        yaml_hex(tag.data, tag.size);
                        putchar('\n');
                        if (printable_ascii(tag.data, tag.size)) {
                                printf("    String: ");
                                yaml_quoted(tag.data, strnlen((const char *)tag.data, tag.size));
                                putchar('\n');
                        } else if (printable_utf16(tag.data, tag.size)) {
                                ct_tcg_utf16_to_utf8(tag.data, tag.size / 2, tmp, sizeof(tmp));
                                printf("    String: ");
                                yaml_quoted((const uint8_t *)tmp, strlen(tmp));
                                putchar('\n');
                        }
                        return;
                }
                break;
        case CT_EV_EFI_ACTION:
        case CT_EV_ACTION:
        case CT_EV_IPL:
        case CT_EV_POST_CODE:
        case CT_EV_S_CRTM_VERSION:
        case CT_EV_NO_ACTION:
                if (printable_ascii(ev->data, ev->data_size)) {
                        printf("  Event:\n    String: ");
                        yaml_quoted(ev->data, ev->data_size);
                        putchar('\n');
                        return;
                }
                if (printable_utf16(ev->data, ev->data_size)) {
                        ct_tcg_utf16_to_utf8(ev->data, ev->data_size / 2, tmp, sizeof(tmp));
                        printf("  Event:\n    String: ");
                        yaml_quoted((const uint8_t *)tmp, strlen(tmp));
                        putchar('\n');
                        return;
                }
                break;
        default:
                break;
        }
        printf("  Event: ");
        yaml_hex(ev->data, ev->data_size);
        putchar('\n');
}

static void show_yaml_specid(const ct_tcg_info *info)
{
        const ct_tcg_specid *s = &info->specid;

        printf("  SpecID:\n  - Signature: Spec ID Event03\n    platformClass: %u\n    specVersionMinor: %u\n"
               "    specVersionMajor: %u\n    specErrata: %u\n    uintnSize: %u\n    numberOfAlgorithms: %u\n"
               "    Algorithms:\n",
               s->platform_class, s->spec_version_minor, s->spec_version_major, s->spec_errata, s->uintn_size,
               s->n_algs);
        for (uint32_t i = 0; i < s->n_algs; i++) {
                const char *n = ct_tcg_alg_name(s->algs[i].id);
                printf("    - Algorithm[%u]:\n      algorithmId: ", i);
                if (n)
                        printf("%s\n", n);
                else
                        printf("0x%04x\n", s->algs[i].id);
                printf("      digestSize: %u\n", s->algs[i].size);
        }
        printf("    vendorInfoSize: %u\n", s->vendor_info_size);
        if (s->vendor_info_size) {
                printf("    vendorInfo: ");
                yaml_hex(s->vendor_info, s->vendor_info_size);
                putchar('\n');
        }
}

static json_object *event_json(const ct_tcg_event *ev)
{
        json_object *o = json_object_new_object(), *d = json_object_new_object();
        char tmp[16], desc[2048];
        const char *tn = ct_tcg_event_type_name(ev->type);

        tool_json_add_int(o, "num", ev->num);
        tool_json_add_int(o, "offset", (int64_t)ev->offset);
        tool_json_add_int(o, "pcr", ev->pcr);
        tool_json_add_int(o, "type", ev->type);
        tool_json_add_str(o, "type_name", tn);
        for (unsigned i = 0; i < ev->n_digests; i++) {
                const char *n = ct_tcg_alg_name(ev->digests[i].alg_id);
                snprintf(tmp, sizeof(tmp), "0x%04x", ev->digests[i].alg_id);
                tool_json_add_hex(d, n ? n : tmp, ev->digests[i].bytes, ev->digests[i].size);
        }
        json_object_object_add(o, "digests", d);
        tool_json_add_int(o, "event_size", ev->data_size);
        tool_json_add_hex(o, "event", ev->data, ev->data_size);
        describe(ev, desc, sizeof(desc));
        tool_json_add_str(o, "description", desc);
        return o;
}

static ct_code show_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct show *sh = userdata;
        char tn[16], desc[2048];

        (void)err;
        if (sh->mode == SHOW_JSON) {
                json_object_array_add(sh->events, event_json(ev));
                return CT_OK;
        }
        if (sh->mode == SHOW_TEXT) {
                const ct_tcg_digest *d = NULL;
                char hex[2 * CT_HASH_MAX_SIZE + 1] = "-";
                describe(ev, desc, sizeof(desc));
                if (!ev->is_header) {
                        d = ct_tcg_event_digest(ev, CT_HASH_SHA256);
                        if (!d && ev->n_digests)
                                d = &ev->digests[0];
                        if (d)
                                ct_hex_encode(d->bytes, CT_MIN(d->size, 8u), hex);
                }
                printf("%4u %3u %-34s %-8s %-16s %s\n", ev->num, ev->pcr, type_name(ev->type, tn, sizeof(tn)),
                       d ? (ct_tcg_alg_name(d->alg_id) ? ct_tcg_alg_name(d->alg_id) : "?") : "-", hex, desc);
                return CT_OK;
        }
        printf("- EventNum: %u\n  PCRIndex: %u\n  EventType: %s\n", ev->num, ev->pcr, type_name(ev->type, tn, sizeof(tn)));
        if (ev->is_header || info->format == CT_TCG_FORMAT_SHA1) {
                printf("  Digest: ");
                yaml_hex(ev->digests[0].bytes, ev->digests[0].size);
                putchar('\n');
        } else {
                printf("  DigestCount: %u\n  Digests:\n", ev->n_digests);
                for (unsigned i = 0; i < ev->n_digests; i++) {
                        const char *n = ct_tcg_alg_name(ev->digests[i].alg_id);
                        if (n)
                                printf("  - AlgorithmId: %s\n", n);
                        else
                                printf("  - AlgorithmId: 0x%04x\n", ev->digests[i].alg_id);
                        printf("    Digest: ");
                        yaml_hex(ev->digests[i].bytes, ev->digests[i].size);
                        putchar('\n');
                }
        }
        printf("  EventSize: %u\n", ev->data_size);
        if (ev->is_header)
                show_yaml_specid(info);
        else
                show_yaml_event_data(ev);
        return CT_OK;
}

static int show_help(void)
{
        printf("Usage: %s eventlog show LOG [--yaml | --json] [--strict]\n\n"
               "Print the records of a TCG PC Client event log, with the common event data decoded\n"
               "(EFI variables, image loads with their device path, firmware blobs, EV_EFI_ACTION /\n"
               "EV_IPL strings, tagged events of systemd-stub and the Linux EFI stub, StartupLocality,\n"
               "separators).\n\n"
               "Options:\n"
               "  --yaml      YAML close to tpm2_eventlog's (version, events: EventNum, PCRIndex, EventType,\n"
               "              DigestCount, Digests, EventSize, Event; then the replayed pcrs: block)\n"
               "  --json      JSON: {\"schema_version\": 1, \"format\", \"specid\", \"events\": [...], \"pcrs\"}\n"
               "  --strict    a log that ends inside its last record is an error (default: warning)\n"
               "  -h, --help  this help\n\n"
               "Default output: one line per record: number, PCR, type, digest (sha256 or the first bank,\n"
               "first 8 bytes) and a description.\n"
               "Exit status: 0 ok, 2 malformed log or usage, 3 I/O error.\n",
               program_name);
        return EXIT_OK;
}

static int verb_show(int argc, char **argv)
{
        static const struct option opts[] = {
                { "yaml", no_argument, NULL, 'y' },   { "json", no_argument, NULL, 'j' },
                { "strict", no_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct show sh = { .mode = SHOW_TEXT };
        unsigned flags = 0;
        ct_blob blob = { 0 };
        ct_tpm_replay *r = NULL;
        ct_tcg_info info;
        ct_error err;
        int c, rc;

        if (tool_ccel_applies(argc, argv)) /* TDX CC event logs: verb-ccel.c */
                return tool_ccel_verb("show", argc, argv);

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'y':
                        sh.mode = SHOW_YAML;
                        break;
                case 'j':
                        sh.mode = SHOW_JSON;
                        break;
                case 's':
                        flags |= CT_TCG_STRICT;
                        break;
                case 'h':
                        return show_help();
                default:
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc)
                return tool_usage("eventlog show: expected one LOG argument (see --help)");
        if ((rc = load_log(argv[optind], &blob)) != EXIT_OK)
                return rc;
        r = calloc(1, sizeof(*r));
        if (!r) {
                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                goto out;
        }
        /* Validate (and replay) the whole log first: no partial output for a malformed log. */
        if (ct_tpm_replay_log(blob.data, blob.len, flags, r, &err) != CT_OK) {
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        if (sh.mode == SHOW_JSON)
                sh.events = json_object_new_array();
        if (sh.mode == SHOW_YAML)
                printf("---\nversion: 1\nevents:\n");
        if (ct_tcg_walk(blob.data, blob.len, flags, show_cb, &sh, &info, &err) != CT_OK) {
                json_object_put(sh.events);
                rc = tool_fail(&err, argv[optind]);
                goto out;
        }
        warn_info(argv[optind], &info, blob.data, blob.len);
        if (sh.mode == SHOW_YAML) {
                print_pcrs_block(&r->pcrs, "");
        } else if (sh.mode == SHOW_JSON) {
                json_object *o = tool_json_new(), *pcrs = tool_pcrset_json(&r->pcrs), *p = NULL;
                tool_json_add_str(o, "format", format_name(info.format));
                if (info.has_specid) {
                        json_object *s = json_object_new_object(), *a = json_object_new_array();
                        tool_json_add_int(s, "platformClass", info.specid.platform_class);
                        tool_json_add_int(s, "specVersionMinor", info.specid.spec_version_minor);
                        tool_json_add_int(s, "specVersionMajor", info.specid.spec_version_major);
                        tool_json_add_int(s, "specErrata", info.specid.spec_errata);
                        tool_json_add_int(s, "uintnSize", info.specid.uintn_size);
                        for (uint32_t i = 0; i < info.specid.n_algs; i++) {
                                json_object *e = json_object_new_object();
                                tool_json_add_int(e, "algorithmId", info.specid.algs[i].id);
                                tool_json_add_str(e, "name", ct_tcg_alg_name(info.specid.algs[i].id));
                                tool_json_add_int(e, "digestSize", info.specid.algs[i].size);
                                json_object_array_add(a, e);
                        }
                        json_object_object_add(s, "algorithms", a);
                        tool_json_add_hex(s, "vendorInfo", info.specid.vendor_info, info.specid.vendor_info_size);
                        json_object_object_add(o, "specid", s);
                } else {
                        json_object_object_add(o, "specid", NULL);
                }
                json_object_object_add(o, "events", sh.events);
                json_object_object_get_ex(pcrs, "pcrs", &p);
                json_object_object_add(o, "pcrs", json_object_get(p));
                json_object_put(pcrs);
                json_object_object_add(o, "log", info_json(r));
                tool_json_print(o);
        }
        rc = EXIT_OK;
out:
        free(r);
        ct_blob_free(&blob);
        return rc;
}

/* ---- check ---- */

struct pcr_events {
        unsigned pcr;
        ct_hash_alg alg;
        bool json;
        json_object *arr;
};

static ct_code pcr_events_cb(const ct_tcg_event *ev, const ct_tcg_info *info, void *userdata, ct_error *err)
{
        struct pcr_events *pe = userdata;
        const ct_tcg_digest *d;
        char hex[2 * CT_HASH_MAX_SIZE + 1] = "-", tn[16], desc[2048];

        (void)info;
        (void)err;
        if (ev->is_header || ev->pcr != pe->pcr)
                return CT_OK;
        d = ct_tcg_event_digest(ev, pe->alg);
        if (d)
                ct_hex_encode(d->bytes, d->size, hex);
        describe(ev, desc, sizeof(desc));
        if (pe->json) {
                json_object *o = json_object_new_object();
                tool_json_add_int(o, "num", ev->num);
                tool_json_add_int(o, "offset", (int64_t)ev->offset);
                tool_json_add_str(o, "type", type_name(ev->type, tn, sizeof(tn)));
                tool_json_add_bool(o, "extended", ev->type != CT_EV_NO_ACTION);
                tool_json_add_str(o, "digest", d ? hex : NULL);
                tool_json_add_str(o, "description", desc);
                json_object_array_add(pe->arr, o);
        } else {
                printf("      #%-4u %-34s %s%s %s\n", ev->num, type_name(ev->type, tn, sizeof(tn)), hex,
                       ev->type == CT_EV_NO_ACTION ? " (not extended)" : "", desc);
        }
        return CT_OK;
}



/*
 * For a mismatching PCR: when the log's cut-off last record is for this PCR
 * and its digests are complete, extend the replayed value with it. True and
 * the value when that applies.
 */
static bool with_truncated(const ct_tpm_replay *r, unsigned pcr, ct_hash_alg alg, const uint8_t *replayed,
                           ct_digest *ret)
{
        const ct_tcg_event *t = &r->info.truncated_event;
        const ct_tcg_digest *d;
        ct_digest m;

        if (!r->info.truncated_has_digests || t->pcr != pcr || t->type == CT_EV_NO_ACTION)
                return false;
        d = ct_tcg_event_digest(t, alg);
        if (!d || ct_digest_from_bytes(ret, alg, replayed, ct_hash_size(alg)) != CT_OK ||
            ct_digest_from_bytes(&m, alg, d->bytes, d->size) != CT_OK)
                return false;
        return ct_pcr_extend(ret, &m, NULL) == CT_OK;
}

static int check_help(void)
{
        printf("Usage: %s eventlog check LOG --pcrs PCRS [--bank BANK[,BANK...]] [--strict] [--json]\n\n"
               "Replay LOG and compare it with PCR values read from a TPM: which PCRs the log explains,\n"
               "which it does not, and for each mismatch the events that went into that PCR.\n\n"
               "Options:\n"
               "  --pcrs PCRS   PCR values: tpm2_pcrread YAML, a YAML with a pcrs: block (tpm2_eventlog,\n"
               "                tpm2_quote), cocotrust PCR-set JSON, or a directory in the sysfs layout\n"
               "                (pcr-sha256/0 ... as in /sys/class/tpm/tpm0)\n"
               "  --bank BANKS  only these banks (default: every bank both have)\n"
               "  --strict      a log that ends inside its last record is an error (default: warning)\n"
               "  --json        JSON result\n"
               "  -h, --help    this help\n\n"
               "A PCR is 'explained' when the replay equals the TPM value, a 'mismatch' when it differs,\n"
               "'not in log' when no record extends it (its TPM value is shown; reset values are normal).\n"
               "Exit status: 0 every PCR in the log is explained, 1 some mismatch, 2 bad input or usage,\n"
               "3 I/O error.\n",
               program_name);
        return EXIT_OK;
}

static int verb_check(int argc, char **argv)
{
        static const struct option opts[] = {
                { "pcrs", required_argument, NULL, 'p' }, { "bank", required_argument, NULL, 'b' },
                { "json", no_argument, NULL, 'j' },       { "strict", no_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
        };
        const char *pcrs_path = NULL, *log_path;
        uint32_t mask = 0;
        bool json = false;
        unsigned flags = 0, n_common = 0, total_mismatch = 0, total_ok = 0;
        ct_blob blob = { 0 };
        ct_tpm_replay *r = NULL;
        ct_pcr_set *tpm = NULL;
        ct_pcr_format fmt;
        ct_error err;
        json_object *jo = NULL, *jbanks = NULL, *jmis = NULL;
        int c, rc;

        if (tool_ccel_applies(argc, argv)) /* TDX CC event logs: verb-ccel.c */
                return tool_ccel_verb("check", argc, argv);

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        pcrs_path = optarg;
                        break;
                case 'b':
                        if ((rc = parse_banks(optarg, &mask)) != EXIT_OK)
                                return rc;
                        break;
                case 'j':
                        json = true;
                        break;
                case 's':
                        flags |= CT_TCG_STRICT;
                        break;
                case 'h':
                        return check_help();
                default:
                        return EXIT_BAD_INPUT;
                }
        }
        if (optind + 1 != argc)
                return tool_usage("eventlog check: expected one LOG argument (see --help)");
        if (!pcrs_path)
                return tool_usage("eventlog check: --pcrs PCRS is required");
        log_path = argv[optind];
        if ((rc = load_log(log_path, &blob)) != EXIT_OK)
                return rc;
        r = calloc(1, sizeof(*r));
        tpm = calloc(1, sizeof(*tpm));
        if (!r || !tpm) {
                rc = tool_errorf(EXIT_INTERNAL, "out of memory");
                goto out;
        }
        if (ct_tpm_replay_log(blob.data, blob.len, flags, r, &err) != CT_OK) {
                rc = tool_fail(&err, log_path);
                goto out;
        }
        if (ct_pcr_set_load(pcrs_path, CT_PCR_FORMAT_AUTO, tpm, &fmt, &err) != CT_OK) {
                rc = tool_fail(&err, pcrs_path);
                goto out;
        }
        warn_info(log_path, &r->info, blob.data, blob.len);
        if ((rc = filter_banks(tpm, mask, pcrs_path)) != EXIT_OK)
                goto out;
        if (json) {
                jo = tool_json_new();
                jbanks = json_object_new_object();
                jmis = json_object_new_array();
                tool_json_add_str(jo, "log", log_path);
                tool_json_add_str(jo, "pcrs", pcrs_path);
                tool_json_add_str(jo, "pcrs_format", ct_pcr_format_name(fmt));
        }
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX; a++) {
                const ct_pcr_bank *tb = ct_pcr_set_bank_const(tpm, (ct_hash_alg)a);
                const ct_pcr_bank *lb = ct_pcr_set_bank_const(&r->pcrs, (ct_hash_alg)a);
                size_t size = ct_hash_size((ct_hash_alg)a);
                uint32_t ok = 0, bad = 0, notlog = 0, missing = 0;
                char list[128];

                if (!tb || (mask && !(mask & (1u << a))))
                        continue;
                if (!lb) {
                        /* The log has this bank only if its Spec ID lists it. */
                        bool listed = false;
                        for (uint32_t j = 0; j < r->info.specid.n_algs; j++)
                                listed |= r->info.specid.algs[j].alg == (ct_hash_alg)a;
                        if (r->info.format == CT_TCG_FORMAT_SHA1)
                                listed = a == CT_HASH_SHA1;
                        if (!listed)
                                continue;
                }
                n_common++;
                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                        uint32_t bit = 1u << i;
                        bool in_log = lb && (lb->present & bit);
                        if (!in_log) {
                                if (tb->present & bit)
                                        notlog |= bit;
                                continue;
                        }
                        if (!(tb->present & bit))
                                missing |= bit;
                        else if (memcmp(lb->values[i], tb->values[i], size) == 0)
                                ok |= bit;
                        else
                                bad |= bit;
                }
                total_ok += (unsigned)__builtin_popcount(ok);
                total_mismatch += (unsigned)__builtin_popcount(bad);
                if (json) {
                        json_object *jb = json_object_new_object();
                        json_object_object_add(jb, "explained", tool_pcr_mask_json(ok));
                        json_object_object_add(jb, "mismatch", tool_pcr_mask_json(bad));
                        json_object_object_add(jb, "not_in_log", tool_pcr_mask_json(notlog));
                        json_object_object_add(jb, "not_in_pcrs", tool_pcr_mask_json(missing));
                        json_object_object_add(jbanks, ct_hash_name((ct_hash_alg)a), jb);
                } else {
                        printf("%s:\n", ct_hash_name((ct_hash_alg)a));
                        tool_pcr_mask_text(list, sizeof(list), ok);
                        printf("  explained:   %s\n", list);
                        tool_pcr_mask_text(list, sizeof(list), bad);
                        printf("  mismatch:    %s\n", list);
                        tool_pcr_mask_text(list, sizeof(list), notlog);
                        printf("  not in log:  %s\n", list);
                        if (missing) {
                                tool_pcr_mask_text(list, sizeof(list), missing);
                                printf("  not in PCRS: %s\n", list);
                        }
                }
                for (unsigned i = 0; i < CT_PCR_COUNT; i++) {
                        struct pcr_events pe = { .pcr = i, .alg = (ct_hash_alg)a, .json = json };
                        char lh[2 * CT_HASH_MAX_SIZE + 1], th[2 * CT_HASH_MAX_SIZE + 1], tn[16];
                        ct_digest alt;

                        if (!(bad & (1u << i)))
                                continue;
                        ct_hex_encode(lb->values[i], size, lh);
                        ct_hex_encode(tb->values[i], size, th);
                        if (json) {
                                json_object *m = json_object_new_object();
                                tool_json_add_str(m, "bank", ct_hash_name((ct_hash_alg)a));
                                tool_json_add_int(m, "pcr", i);
                                tool_json_add_str(m, "replayed", lh);
                                tool_json_add_str(m, "pcrs", th);
                                if (with_truncated(r, i, (ct_hash_alg)a, lb->values[i], &alt)) {
                                        tool_json_add_digest(m, "with_truncated_record", &alt);
                                        tool_json_add_bool(m, "truncated_record_explains",
                                                           memcmp(alt.bytes, tb->values[i], size) == 0);
                                }
                                pe.arr = json_object_new_array();
                                ct_tcg_walk(blob.data, blob.len, flags, pcr_events_cb, &pe, NULL, NULL);
                                json_object_object_add(m, "events", pe.arr);
                                json_object_array_add(jmis, m);
                        } else {
                                printf("  PCR %u:\n    replayed from the log: %s\n    value in PCRS:         %s\n"
                                       "    events of PCR %u:\n",
                                       i, lh, th, i);
                                ct_tcg_walk(blob.data, blob.len, flags, pcr_events_cb, &pe, NULL, NULL);
                                if (with_truncated(r, i, (ct_hash_alg)a, lb->values[i], &alt)) {
                                        char ah[2 * CT_HASH_MAX_SIZE + 1];
                                        bool same = memcmp(alt.bytes, tb->values[i], size) == 0;
                                        printf("      #%-4u %-34s %s (cut off at offset 0x%llx; not replayed)\n",
                                               r->info.truncated_event.num,
                                               type_name(r->info.truncated_event.type, tn, sizeof(tn)),
                                               ct_hex_encode(ct_tcg_event_digest(&r->info.truncated_event,
                                                                                 (ct_hash_alg)a)->bytes,
                                                             size, ah),
                                               (unsigned long long)r->info.truncated_offset);
                                        printf("    with the cut-off record (its digests are complete): %s\n"
                                               "    %s\n",
                                               ct_hex_encode(alt.bytes, size, ah),
                                               same ? "= the value in PCRS: the log was cut short, the PCR is "
                                                      "consistent with it"
                                                    : "still differs from PCRS");
                                } else if (r->info.truncated && blob.len - r->info.truncated_offset >= 4 &&
                                           ct_get_le32(blob.data + r->info.truncated_offset) == i) {
                                        printf("      (the truncated last record at offset 0x%llx is for this PCR "
                                               "and was not replayed)\n",
                                               (unsigned long long)r->info.truncated_offset);
                                }
                        }
                }
        }
        if (n_common == 0) {
                json_object_put(jo);
                json_object_put(jbanks);
                json_object_put(jmis);
                rc = tool_errorf(EXIT_BAD_INPUT, "%s and %s have no PCR bank in common", log_path, pcrs_path);
                goto out;
        }
        if (json) {
                json_object_object_add(jo, "banks", jbanks);
                json_object_object_add(jo, "mismatches", jmis);
                json_object_object_add(jo, "log_info", info_json(r));
                tool_json_add_bool(jo, "ok", total_mismatch == 0);
                tool_json_print(jo);
        } else {
                printf("%s: %u PCR values explained, %u mismatch%s\n", total_mismatch ? "MISMATCH" : "OK", total_ok,
                       total_mismatch, total_mismatch == 1 ? "" : "es");
        }
        rc = total_mismatch ? EXIT_VERIFY_FAILED : EXIT_OK;
out:
        free(r);
        free(tpm);
        ct_blob_free(&blob);
        return rc;
}

static const struct tool_verb verbs[] = {
        { "show", "LOG [--yaml|--json]", verb_show, "print the records of a TCG event log, decoded" },
        { "replay", "LOG [--bank BANK] [--json]", verb_replay, "replay a TCG event log into PCR values" },
        { "check", "LOG --pcrs PCRS [--json]", verb_check,
          "check a TCG event log against PCR values; name the events of each mismatch" },
};

const struct tool_area tool_area_eventlog = { "eventlog", "TCG event logs", verbs, sizeof(verbs) / sizeof(verbs[0]) };
