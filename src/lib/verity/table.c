/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity table forms: the kernel table line (cryptsetup's order of
 * options), and what users paste: a dmsetup command, a dm-mod.create= kernel
 * parameter and Kata Containers' kernel_verity_params / rootfs_verity.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

static bool dev_name_ok(const char *s)
{
        if (!s || !*s)
                return false;
        for (; *s; s++)
                if (isspace((unsigned char)*s) || !isprint((unsigned char)*s))
                        return false;
        return true;
}

CT_EXPORT ct_code ct_verity_table_line(const ct_verity_params *p, const uint8_t *root, size_t root_size,
                                       const ct_verity_table_opts *o, char **ret, ct_error *err)
{
        const char *opt[16];
        char fec_group[512];
        char root_hex[2 * CT_VERITY_MAX_DIGEST + 1], salt_hex[2 * CT_VERITY_MAX_SALT + 1];
        ct_verity_geometry g;
        unsigned nopt = 0, nargs = 0;
        char *line = NULL, *tail = NULL;
        size_t tl = 0;
        FILE *f;
        ct_code rc;

        rc = ct_verity_geometry_compute(p, &g, err);
        if (rc)
                return rc;
        if (root_size != g.digest_size)
                return ct_error_set(err, CT_E_ARG, "root hash has %zu bytes, %s needs %zu", root_size,
                                    p->hash_name, g.digest_size);
        if (!dev_name_ok(o->data_dev) || !dev_name_ok(o->hash_dev) || (o->fec_dev && !dev_name_ok(o->fec_dev)) ||
            (o->root_hash_sig_key_desc && !dev_name_ok(o->root_hash_sig_key_desc)))
                return ct_error_set(err, CT_E_ARG, "device names must be non-empty and contain no white space");
        if (__builtin_popcount(o->flags & (CT_VERITY_IGNORE_CORRUPTION | CT_VERITY_RESTART_ON_CORRUPTION |
                                           CT_VERITY_PANIC_ON_CORRUPTION)) > 1)
                return ct_error_set(err, CT_E_ARG,
                                    "ignore_corruption, restart_on_corruption and panic_on_corruption exclude each other");
        ct_hex_encode(root, root_size, root_hex);
        if (p->salt_size)
                ct_hex_encode(p->salt, p->salt_size, salt_hex);
        else
                strcpy(salt_hex, "-");

        if (o->flags & CT_VERITY_IGNORE_CORRUPTION)
                opt[nopt++] = "ignore_corruption", nargs++;
        else if (o->flags & CT_VERITY_RESTART_ON_CORRUPTION)
                opt[nopt++] = "restart_on_corruption", nargs++;
        else if (o->flags & CT_VERITY_PANIC_ON_CORRUPTION)
                opt[nopt++] = "panic_on_corruption", nargs++;
        if (o->flags & CT_VERITY_IGNORE_ZERO_BLOCKS)
                opt[nopt++] = "ignore_zero_blocks", nargs++;
        if (o->flags & CT_VERITY_CHECK_AT_MOST_ONCE)
                opt[nopt++] = "check_at_most_once", nargs++;
        if (o->flags & CT_VERITY_TRY_VERIFY_IN_TASKLET)
                opt[nopt++] = "try_verify_in_tasklet", nargs++;
        if (o->fec_dev) {
                if (!p->fec_roots)
                        return ct_error_set(err, CT_E_ARG, "FEC device given without FEC roots");
                snprintf(fec_group, sizeof(fec_group), "use_fec_from_device %s fec_start %llu fec_blocks %llu fec_roots %u",
                         o->fec_dev, (unsigned long long)(p->fec_offset / p->data_block_size),
                         (unsigned long long)o->fec_blocks, p->fec_roots);
                opt[nopt++] = fec_group;
                nargs += 8;
        }
        f = open_memstream(&tail, &tl);
        if (!f)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if (nargs || o->root_hash_sig_key_desc) {
                fprintf(f, " %u", nargs + (o->root_hash_sig_key_desc ? 2u : 0u));
                for (unsigned i = 0; i < nopt; i++)
                        fprintf(f, " %s", opt[i]);
                if (o->root_hash_sig_key_desc)
                        fprintf(f, " root_hash_sig_key_desc %s", o->root_hash_sig_key_desc);
        }
        if (fclose(f) != 0) {
                free(tail);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        if (asprintf(&line, "0 %llu verity %u %s %s %u %u %llu %llu %s %s %s%s",
                     (unsigned long long)(p->data_blocks * (p->data_block_size / 512)), p->hash_type, o->data_dev,
                     o->hash_dev, p->data_block_size, p->hash_block_size, (unsigned long long)p->data_blocks,
                     (unsigned long long)g.hash_start, p->hash_name, root_hex, salt_hex, tail ? tail : "") < 0) {
                free(tail);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        free(tail);
        *ret = line;
        return CT_OK;
}


/* A device-mapper name as it goes into dm-mod.create= and a shell command. */
static bool dm_name_ok(const char *s)
{
        if (!*s || strlen(s) > 127)
                return false;
        for (; *s; s++)
                if (*s == ',' || *s == ';' || *s == '\'' || *s == '"' || isspace((unsigned char)*s) ||
                    !isprint((unsigned char)*s))
                        return false;
        return true;
}

CT_EXPORT void ct_verity_table_forms_free(ct_verity_table_forms *f)
{
        if (!f)
                return;
        free(f->table);
        free(f->dmsetup);
        free(f->dm_mod);
        free(f->kata);
        free(f->kata_legacy);
        memset(f, 0, sizeof(*f));
}

CT_EXPORT ct_code ct_verity_table_forms_build(const ct_verity_params *p, const uint8_t *root, size_t root_size,
                                              const ct_verity_table_opts *o, const char *name,
                                              ct_verity_table_forms *ret, ct_error *err)
{
        char rh[2 * CT_VERITY_MAX_DIGEST + 1], sh[2 * CT_VERITY_MAX_SALT + 2];
        ct_verity_table_forms f;
        ct_verity_geometry g;
        ct_code rc;

        memset(&f, 0, sizeof(f));
        if (!name)
                name = "vroot";
        if (!dm_name_ok(name))
                return ct_error_set(err, CT_E_ARG,
                                    "device-mapper name '%s': 1..127 characters, no commas, semicolons, quotes or spaces",
                                    name);
        rc = ct_verity_geometry_compute(p, &g, err);
        if (rc)
                return rc;
        rc = ct_verity_table_line(p, root, root_size, o, &f.table, err);
        if (rc)
                return rc;
        ct_hex_encode(root, root_size, rh);
        if (p->salt_size)
                ct_hex_encode(p->salt, p->salt_size, sh);
        else
                strcpy(sh, "-");
        if (asprintf(&f.dmsetup, "dmsetup create %s --readonly --table '%s'", name, f.table) < 0)
                f.dmsetup = NULL;
        if (asprintf(&f.dm_mod, "dm-mod.create=\"%s,,,ro,%s\" root=/dev/dm-0", name, f.table) < 0)
                f.dm_mod = NULL;
        if (asprintf(&f.kata, "root_hash=%s,salt=%s,data_blocks=%llu,data_block_size=%u,hash_block_size=%u", rh, sh,
                     (unsigned long long)p->data_blocks, p->data_block_size, p->hash_block_size) < 0)
                f.kata = NULL;
        if (asprintf(&f.kata_legacy, "rootfs_verity.scheme=dm-verity rootfs_verity.hash=%s", rh) < 0)
                f.kata_legacy = NULL;
        if (!f.dmsetup || !f.dm_mod || !f.kata || !f.kata_legacy) {
                ct_verity_table_forms_free(&f);
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        }
        f.hash_start = g.hash_start;
        f.kata_exact = g.hash_start == 0 && strcmp(p->hash_name, "sha256") == 0 && p->hash_type == 1;
        *ret = f;
        return CT_OK;
}
