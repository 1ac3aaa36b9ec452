/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust CLI — text and JSON of a ct_tpm_check. */
#include <stdio.h>

#include <cocotrust/codec.h>

#include "check-render.h"
#include "tool.h"

const char *tool_event_type_name(uint32_t type, char *tmp, size_t cap)
{
        const char *n = ct_tcg_event_type_name(type);

        if (n)
                return n;
        snprintf(tmp, cap, "0x%08x", type);
        return tmp;
}

static void print_event(const ct_tcg_event *ev, ct_hash_alg alg)
{
        const ct_tcg_digest *d = ct_tcg_event_digest(ev, alg);
        char hex[2 * CT_HASH_MAX_SIZE + 1] = "-", tn[16], desc[2048];

        if (d)
                ct_hex_encode(d->bytes, d->size, hex);
        printf("      #%-4u %-34s %s%s %s\n", ev->num, tool_event_type_name(ev->type, tn, sizeof(tn)), hex,
               ev->type == CT_EV_NO_ACTION ? " (not extended)" : "", ct_tcg_event_describe(ev, desc, sizeof(desc)));
}

static void print_mismatch(const ct_tpm_check *c, const ct_tpm_check_mismatch *m, const char *what)
{
        char lh[2 * CT_HASH_MAX_SIZE + 1], th[2 * CT_HASH_MAX_SIZE + 1], tn[16];

        printf("  PCR %u:\n    replayed from the log: %s\n    value in %-13s %s\n    events of PCR %u:\n", m->pcr,
               ct_hex_encode(m->replayed.bytes, m->replayed.len, lh), what, ct_hex_encode(m->expected.bytes,
                                                                                       m->expected.len, th),
               m->pcr);
        for (size_t i = 0; i < m->n_events; i++)
                print_event(&m->events[i], m->bank);
        if (m->truncated_complete) {
                const ct_tcg_digest *d = ct_tcg_event_digest(&m->truncated_event, m->bank);
                printf("      #%-4u %-34s %s (cut off at offset 0x%llx; not replayed)\n", m->truncated_event.num,
                       tool_event_type_name(m->truncated_event.type, tn, sizeof(tn)),
                       ct_hex_encode(d->bytes, d->size, lh), (unsigned long long)c->replay.info.truncated_offset);
                printf("    with the cut-off record (its digests are complete): %s\n    %s\n",
                       ct_hex_encode(m->with_truncated.bytes, m->with_truncated.len, lh),
                       m->truncated_explains ? "= the value in PCRS: the log was cut short, the PCR is consistent "
                                               "with it"
                                             : "still differs from PCRS");
        } else if (m->truncated_here) {
                printf("      (the truncated last record at offset 0x%llx is for this PCR and was not replayed)\n",
                       (unsigned long long)c->replay.info.truncated_offset);
        }
}

void tool_print_mask_line(const char *label, uint32_t mask)
{
        char list[128];

        tool_pcr_mask_text(list, sizeof(list), mask);
        printf("  %s%s\n", label, list);
}

void tool_check_print_text(const ct_tpm_check *c, const char *what)
{
        char label[32], not_in[48];

        snprintf(label, sizeof(label), "%s:", what);
        snprintf(not_in, sizeof(not_in), "not in %s ", label);
        for (unsigned k = 0; k < c->n_banks; k++) {
                const ct_tpm_check_bank *b = &c->banks[k];

                printf("%s:\n", ct_hash_name(b->alg));
                tool_print_mask_line("explained:   ", b->explained);
                tool_print_mask_line("mismatch:    ", b->mismatch);
                tool_print_mask_line("not in log:  ", b->not_in_log);
                if (b->not_in_pcrs)
                        tool_print_mask_line(not_in, b->not_in_pcrs);
                for (size_t i = 0; i < c->n_mismatches; i++)
                        if (c->mismatches[i].bank == b->alg)
                                print_mismatch(c, &c->mismatches[i], label);
        }
}

json_object *tool_check_banks_json(const ct_tpm_check *c)
{
        json_object *o = json_object_new_object();

        for (unsigned k = 0; k < c->n_banks; k++) {
                const ct_tpm_check_bank *b = &c->banks[k];
                json_object *jb = json_object_new_object();
                json_object_object_add(jb, "explained", tool_pcr_mask_json(b->explained));
                json_object_object_add(jb, "mismatch", tool_pcr_mask_json(b->mismatch));
                json_object_object_add(jb, "not_in_log", tool_pcr_mask_json(b->not_in_log));
                json_object_object_add(jb, "not_in_pcrs", tool_pcr_mask_json(b->not_in_pcrs));
                json_object_object_add(o, ct_hash_name(b->alg), jb);
        }
        return o;
}

static json_object *event_json(const ct_tcg_event *ev, ct_hash_alg alg)
{
        json_object *o = json_object_new_object();
        const ct_tcg_digest *d = ct_tcg_event_digest(ev, alg);
        char hex[2 * CT_HASH_MAX_SIZE + 1], tn[16], desc[2048];

        tool_json_add_int(o, "num", ev->num);
        tool_json_add_int(o, "offset", (int64_t)ev->offset);
        tool_json_add_str(o, "type", tool_event_type_name(ev->type, tn, sizeof(tn)));
        tool_json_add_bool(o, "extended", ev->type != CT_EV_NO_ACTION);
        tool_json_add_str(o, "digest", d ? ct_hex_encode(d->bytes, d->size, hex) : NULL);
        tool_json_add_str(o, "description", ct_tcg_event_describe(ev, desc, sizeof(desc)));
        return o;
}

json_object *tool_check_mismatches_json(const ct_tpm_check *c)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < c->n_mismatches; i++) {
                const ct_tpm_check_mismatch *m = &c->mismatches[i];
                json_object *o = json_object_new_object(), *ev = json_object_new_array();

                tool_json_add_str(o, "bank", ct_hash_name(m->bank));
                tool_json_add_int(o, "pcr", m->pcr);
                tool_json_add_digest(o, "replayed", &m->replayed);
                tool_json_add_digest(o, "pcrs", &m->expected);
                if (m->truncated_complete) {
                        tool_json_add_digest(o, "with_truncated_record", &m->with_truncated);
                        tool_json_add_bool(o, "truncated_record_explains", m->truncated_explains);
                }
                for (size_t k = 0; k < m->n_events; k++)
                        json_object_array_add(ev, event_json(&m->events[k], m->bank));
                json_object_object_add(o, "events", ev);
                json_object_array_add(a, o);
        }
        return a;
}
