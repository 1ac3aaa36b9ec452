/* SPDX-License-Identifier: Apache-2.0 */
/* dm-verity parameters, geometry, superblock, table line, salt derivation. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include <cocotrust/codec.h>
#include <cocotrust/reader.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

static const uint8_t sb_signature[8] = { 'v', 'e', 'r', 'i', 't', 'y', 0, 0 };

CT_EXPORT void ct_verity_params_init(ct_verity_params *p)
{
        memset(p, 0, sizeof(*p));
        strcpy(p->hash_name, "sha256");
        p->hash_type = 1;
        p->data_block_size = 4096;
        p->hash_block_size = 4096;
}

static bool block_size_ok(uint64_t bs)
{
        return bs >= CT_VERITY_MIN_BLOCK && bs <= CT_VERITY_MAX_BLOCK && (bs & (bs - 1)) == 0;
}

const EVP_MD *verity_md_fetch(const char *name)
{
        EVP_MD *md;

        if (!name || !*name)
                return NULL;
        md = EVP_MD_fetch(NULL, name, NULL);
        if (!md)
                return NULL;
        if ((EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) || EVP_MD_get_size(md) <= 0 ||
            EVP_MD_get_size(md) > (int)CT_VERITY_MAX_DIGEST) {
                EVP_MD_free(md);
                return NULL;
        }
        return md;
}

CT_EXPORT size_t ct_verity_digest_size(const char *hash_name)
{
        const EVP_MD *md = verity_md_fetch(hash_name);
        size_t n;

        if (!md)
                return 0;
        n = (size_t)EVP_MD_get_size(md);
        EVP_MD_free((EVP_MD *)md);
        return n;
}

CT_EXPORT ct_code ct_verity_params_check(const ct_verity_params *p, ct_error *err)
{
        size_t nl = strnlen(p->hash_name, sizeof(p->hash_name));

        if (nl == 0 || nl > CT_VERITY_MAX_ALG_NAME)
                return ct_error_set(err, CT_E_ARG, "hash algorithm name must be 1..%u characters",
                                    CT_VERITY_MAX_ALG_NAME);
        for (size_t i = 0; i < nl; i++)
                if (isupper((unsigned char)p->hash_name[i]) || !isprint((unsigned char)p->hash_name[i]) ||
                    p->hash_name[i] == ' ')
                        return ct_error_set(err, CT_E_ARG, "hash algorithm '%s': must be lower case",
                                            p->hash_name);
        if (ct_verity_digest_size(p->hash_name) == 0)
                return ct_error_set(err, CT_E_ARG, "hash algorithm '%s' is not available in OpenSSL",
                                    p->hash_name);
        if (p->hash_type > 1)
                return ct_error_set(err, CT_E_ARG, "hash type (--format) %u: only 0 and 1 exist", p->hash_type);
        if (!block_size_ok(p->data_block_size))
                return ct_error_set(err, CT_E_ARG,
                                    "data block size %u: must be a power of two from 512 to 524288",
                                    p->data_block_size);
        if (!block_size_ok(p->hash_block_size))
                return ct_error_set(err, CT_E_ARG,
                                    "hash block size %u: must be a power of two from 512 to 524288",
                                    p->hash_block_size);
        if (p->hash_offset % 512)
                return ct_error_set(err, CT_E_ARG, "hash offset %llu: must be a multiple of 512",
                                    (unsigned long long)p->hash_offset);
        if (p->salt_size > CT_VERITY_MAX_SALT)
                return ct_error_set(err, CT_E_ARG, "salt of %zu bytes: at most %u allowed", p->salt_size,
                                    CT_VERITY_MAX_SALT);
        if (p->fec_roots) {
                if (p->fec_roots < CT_VERITY_FEC_MIN_ROOTS || p->fec_roots > CT_VERITY_FEC_MAX_ROOTS)
                        return ct_error_set(err, CT_E_ARG, "FEC roots %u: must be %u..%u", p->fec_roots,
                                            CT_VERITY_FEC_MIN_ROOTS, CT_VERITY_FEC_MAX_ROOTS);
                if (p->data_block_size != p->hash_block_size)
                        return ct_error_set(err, CT_E_ARG, "FEC needs equal data and hash block sizes");
                if (p->fec_offset % 512)
                        return ct_error_set(err, CT_E_ARG, "FEC offset %llu: must be a multiple of 512",
                                            (unsigned long long)p->fec_offset);
        }
        return CT_OK;
}

static unsigned floor_log2(uint64_t x)
{
        return 63u - (unsigned)__builtin_clzll(x);
}

CT_EXPORT ct_code ct_verity_geometry_compute(const ct_verity_params *p, ct_verity_geometry *ret, ct_error *err)
{
        ct_verity_geometry g;
        uint64_t n = p->data_blocks, pos, end;
        size_t ds;

        memset(&g, 0, sizeof(g));
        if (n == 0)
                return ct_error_set(err, CT_E_ARG, "no data blocks (data smaller than one %u-byte block)",
                                    p->data_block_size);
        if (!block_size_ok(p->data_block_size) || !block_size_ok(p->hash_block_size))
                return ct_error_set(err, CT_E_ARG, "invalid block size");
        ds = ct_verity_digest_size(p->hash_name);
        if (ds == 0)
                return ct_error_set(err, CT_E_ARG, "hash algorithm '%s' is not available", p->hash_name);
        if (p->hash_block_size / ds < 2)
                return ct_error_set(err, CT_E_ARG, "hash block size %u holds fewer than two %zu-byte digests",
                                    p->hash_block_size, ds);
        g.digest_size = ds;
        g.per_block_bits = floor_log2(p->hash_block_size / ds);
        g.hash_per_block = 1u << g.per_block_bits;
        g.stride = p->hash_type == 1 ? p->hash_block_size / g.hash_per_block : (uint32_t)ds;
        while (g.per_block_bits * g.levels < 64 && ((n - 1) >> (g.per_block_bits * g.levels)))
                g.levels++;
        if (g.levels > CT_VERITY_MAX_LEVELS)
                return ct_error_set(err, CT_E_LIMIT, "hash tree would have %u levels, at most %u", g.levels,
                                    CT_VERITY_MAX_LEVELS);
        if (p->no_superblock) {
                g.hash_start = p->hash_offset / p->hash_block_size;
        } else {
                uint64_t e;
                if (__builtin_add_overflow(p->hash_offset, (uint64_t)CT_VERITY_SB_SIZE + p->hash_block_size - 1,
                                           &e))
                        return ct_error_set(err, CT_E_LIMIT, "hash offset too large");
                g.hash_start = e / p->hash_block_size;
        }
        for (unsigned i = 0; i < g.levels; i++) {
                unsigned shift = (i + 1) * g.per_block_bits;
                if (shift >= 64)
                        g.level_blocks[i] = 1;
                else
                        g.level_blocks[i] = (n >> shift) + ((n & ((1ull << shift) - 1)) != 0);
                if (__builtin_add_overflow(g.tree_blocks, g.level_blocks[i], &g.tree_blocks))
                        return ct_error_set(err, CT_E_LIMIT, "hash area overflow");
        }
        pos = g.hash_start;
        for (unsigned i = g.levels; i-- > 0;) {
                g.level_start[i] = pos;
                pos += g.level_blocks[i];
        }
        if (__builtin_add_overflow(g.hash_start, g.tree_blocks, &end) ||
            __builtin_mul_overflow(end, (uint64_t)p->hash_block_size, &g.hash_device_size) ||
            g.hash_device_size > (uint64_t)INT64_MAX)
                return ct_error_set(err, CT_E_LIMIT, "hash area overflow");
        {
                uint64_t data_bytes;
                if (__builtin_mul_overflow(n, (uint64_t)p->data_block_size, &data_bytes) ||
                    data_bytes > (uint64_t)INT64_MAX)
                        return ct_error_set(err, CT_E_LIMIT, "data area overflow (%llu blocks)",
                                            (unsigned long long)n);
        }
        *ret = g;
        return CT_OK;
}

CT_EXPORT ct_code ct_verity_superblock_parse(const void *buf, size_t len, uint64_t base, ct_verity_params *ret,
                                             ct_error *err)
{
        ct_verity_params p = *ret;
        uint8_t sig[8], alg[32];
        uint32_t version, dbs, hbs;
        uint16_t salt_size;
        ct_reader r;

        ct_reader_init(&r, buf, len, base);
        ct_reader_bytes(&r, sig, sizeof(sig), "superblock.signature");
        version = ct_reader_u32le(&r, "superblock.version");
        p.hash_type = ct_reader_u32le(&r, "superblock.hash_type");
        ct_reader_bytes(&r, p.uuid, sizeof(p.uuid), "superblock.uuid");
        ct_reader_bytes(&r, alg, sizeof(alg), "superblock.algorithm");
        dbs = ct_reader_u32le(&r, "superblock.data_block_size");
        hbs = ct_reader_u32le(&r, "superblock.hash_block_size");
        p.data_blocks = ct_reader_u64le(&r, "superblock.data_blocks");
        salt_size = ct_reader_u16le(&r, "superblock.salt_size");
        ct_reader_skip(&r, 6, "superblock.pad1");
        ct_reader_bytes(&r, p.salt, sizeof(p.salt), "superblock.salt");
        ct_reader_skip(&r, 168, "superblock.pad2");
        if (!ct_reader_ok(&r))
                return ct_reader_error(&r, err);
        if (memcmp(sig, sb_signature, sizeof(sig)) != 0)
                return ct_error_set_at(err, CT_E_MALFORMED, base,
                                       "no VERITY superblock at offset %llu (signature is not \"verity\")",
                                       (unsigned long long)base);
        if (version != 1)
                return ct_error_set_at(err, CT_E_UNSUPPORTED, base + 8,
                                       "superblock.version %u at offset %llu: only version 1 exists", version,
                                       (unsigned long long)(base + 8));
        if (p.hash_type > 1)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 12,
                                       "superblock.hash_type %u at offset %llu: only 0 and 1 exist", p.hash_type,
                                       (unsigned long long)(base + 12));
        if (memchr(alg, 0, sizeof(alg)) == NULL || alg[0] == 0)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 32,
                                       "superblock.algorithm at offset %llu: empty or not NUL-terminated",
                                       (unsigned long long)(base + 32));
        for (size_t i = 0; alg[i]; i++) {
                if (!isprint(alg[i]) || alg[i] == ' ')
                        return ct_error_set_at(err, CT_E_MALFORMED, base + 32 + i,
                                               "superblock.algorithm at offset %llu: not a printable name",
                                               (unsigned long long)(base + 32));
                p.hash_name[i] = (char)tolower(alg[i]);
                p.hash_name[i + 1] = 0;
        }
        if (!block_size_ok(dbs))
                return ct_error_set_at(err, CT_E_MALFORMED, base + 64,
                                       "superblock.data_block_size %u at offset %llu: not a power of two in 512..524288",
                                       dbs, (unsigned long long)(base + 64));
        if (!block_size_ok(hbs))
                return ct_error_set_at(err, CT_E_MALFORMED, base + 68,
                                       "superblock.hash_block_size %u at offset %llu: not a power of two in 512..524288",
                                       hbs, (unsigned long long)(base + 68));
        if (salt_size > CT_VERITY_MAX_SALT)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 80,
                                       "superblock.salt_size %u at offset %llu: at most 256", salt_size,
                                       (unsigned long long)(base + 80));
        if (p.data_blocks == 0)
                return ct_error_set_at(err, CT_E_MALFORMED, base + 72,
                                       "superblock.data_blocks is 0 at offset %llu", (unsigned long long)(base + 72));
        if (ct_verity_digest_size(p.hash_name) == 0)
                return ct_error_set_at(err, CT_E_UNSUPPORTED, base + 32,
                                       "superblock.algorithm '%s' at offset %llu: not available in OpenSSL",
                                       p.hash_name, (unsigned long long)(base + 32));
        memset(p.salt + salt_size, 0, sizeof(p.salt) - salt_size);
        p.salt_size = salt_size;
        p.data_block_size = dbs;
        p.hash_block_size = hbs;
        p.no_superblock = false;
        *ret = p;
        return CT_OK;
}

CT_EXPORT void ct_verity_superblock_build(const ct_verity_params *p, uint8_t out[CT_VERITY_SB_SIZE])
{
        memset(out, 0, CT_VERITY_SB_SIZE);
        memcpy(out, sb_signature, sizeof(sb_signature));
        ct_put_le32(out + 8, 1);
        ct_put_le32(out + 12, p->hash_type);
        memcpy(out + 16, p->uuid, 16);
        for (size_t i = 0; i < CT_VERITY_MAX_ALG_NAME && p->hash_name[i]; i++)
                out[32 + i] = (uint8_t)tolower((unsigned char)p->hash_name[i]);
        ct_put_le32(out + 64, p->data_block_size);
        ct_put_le32(out + 68, p->hash_block_size);
        ct_put_le64(out + 72, p->data_blocks);
        ct_put_le16(out + 80, (uint16_t)p->salt_size);
        memcpy(out + 88, p->salt, CT_MIN(p->salt_size, (size_t)CT_VERITY_MAX_SALT));
}

CT_EXPORT ct_code ct_verity_fec_geometry_compute(const ct_verity_params *p, uint64_t hash_blocks_covered,
                                                 ct_verity_fec_geometry *ret, ct_error *err)
{
        ct_verity_fec_geometry g;
        uint64_t k;

        if (p->fec_roots < CT_VERITY_FEC_MIN_ROOTS || p->fec_roots > CT_VERITY_FEC_MAX_ROOTS)
                return ct_error_set(err, CT_E_ARG, "FEC roots %u: must be %u..%u", p->fec_roots,
                                    CT_VERITY_FEC_MIN_ROOTS, CT_VERITY_FEC_MAX_ROOTS);
        k = 255u - p->fec_roots;
        if (__builtin_add_overflow(p->data_blocks, hash_blocks_covered, &g.blocks))
                return ct_error_set(err, CT_E_LIMIT, "FEC area overflow");
        g.rounds = g.blocks / k + (g.blocks % k != 0);
        if (__builtin_mul_overflow(g.rounds, (uint64_t)p->fec_roots * p->data_block_size, &g.parity_size) ||
            g.parity_size > (uint64_t)INT64_MAX - p->fec_offset)
                return ct_error_set(err, CT_E_LIMIT, "FEC area overflow");
        *ret = g;
        return CT_OK;
}

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

CT_EXPORT void ct_verity_derive_salt_uuid(const char *text, uint8_t salt[32], uint8_t uuid[16])
{
        static const char salt_label[] = "cocotrust-verity-salt:";
        static const char uuid_label[] = "cocotrust-verity-uuid:";
        uint8_t d[32];
        unsigned int dl = 0;
        EVP_MD_CTX *c = EVP_MD_CTX_new();

        /* salt = SHA-256("cocotrust-verity-salt:" || text) */
        EVP_DigestInit_ex(c, EVP_sha256(), NULL);
        EVP_DigestUpdate(c, salt_label, strlen(salt_label));
        EVP_DigestUpdate(c, text, strlen(text));
        EVP_DigestFinal_ex(c, salt, &dl);
        /* uuid = SHA-256("cocotrust-verity-uuid:" || text)[0..16) as an RFC 9562 version 8 UUID */
        EVP_DigestInit_ex(c, EVP_sha256(), NULL);
        EVP_DigestUpdate(c, uuid_label, strlen(uuid_label));
        EVP_DigestUpdate(c, text, strlen(text));
        EVP_DigestFinal_ex(c, d, &dl);
        EVP_MD_CTX_free(c);
        memcpy(uuid, d, 16);
        uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x80);
        uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

CT_EXPORT void ct_verity_strv_free(char **v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

void verity_workers_fail(struct verity_workers *w, const ct_error *e)
{
        pthread_mutex_lock(&w->lock);
        if (w->rc == CT_OK) {
                w->rc = e->code;
                w->err = *e;
        }
        pthread_mutex_unlock(&w->lock);
        atomic_store(&w->failed, 1);
}

bool verity_workers_failed(struct verity_workers *w)
{
        return atomic_load(&w->failed) != 0;
}

ct_code verity_workers_run(struct verity_workers *w, unsigned n, void *(*fn)(void *), void *arg, ct_error *err)
{
        pthread_t tid[CT_VERITY_MAX_THREADS];
        unsigned started = 0;

        w->rc = CT_OK;
        ct_error_clear(&w->err);
        atomic_init(&w->failed, 0);
        pthread_mutex_init(&w->lock, NULL);
        n = CT_MIN(CT_MAX(n, 1u), (unsigned)CT_VERITY_MAX_THREADS);
        for (unsigned i = 1; i < n; i++) {
                if (pthread_create(&tid[started], NULL, fn, arg) != 0)
                        break;
                started++;
        }
        fn(arg);
        for (unsigned i = 0; i < started; i++)
                pthread_join(tid[i], NULL);
        pthread_mutex_destroy(&w->lock);
        if (w->rc && err)
                *err = w->err;
        return w->rc;
}
