/* SPDX-License-Identifier: Apache-2.0 */
/* dm-verity parameters, geometry, superblock, FEC geometry, salt and UUID (derived, random, text). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

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

CT_EXPORT ct_code ct_verity_fec_hash_blocks(const ct_verity_params *p, uint64_t hash_device_size, bool fec_in_hash,
                                            uint64_t *ret, ct_error *err)
{
        ct_verity_geometry g;
        uint64_t blocks;
        ct_code rc;

        if (p->data_block_size != p->hash_block_size)
                return ct_error_set(err, CT_E_ARG, "FEC needs equal data and hash block sizes");
        rc = ct_verity_geometry_compute(p, &g, err);
        if (rc)
                return rc;
        blocks = (fec_in_hash ? p->fec_offset : hash_device_size) / p->data_block_size;
        if (blocks && blocks < g.hash_start)
                return ct_error_set(err, CT_E_ARG, "%s ends before the hash tree starts (block %llu)",
                                    fec_in_hash ? "the FEC offset" : "the hash device",
                                    (unsigned long long)g.hash_start);
        *ret = blocks ? blocks - g.hash_start : 0;
        return CT_OK;
}

CT_EXPORT ct_code ct_verity_fec_hash_blocks_path(const ct_verity_params *p, const char *hash_path,
                                                 const char *fec_path, uint64_t *ret, ct_error *err)
{
        struct stat hs, fs;
        bool in_hash = strcmp(hash_path, fec_path) == 0 ||
                       (stat(hash_path, &hs) == 0 && stat(fec_path, &fs) == 0 && hs.st_dev == fs.st_dev &&
                        hs.st_ino == fs.st_ino);
        uint64_t size = 0;

        if (!in_hash) {
                int fd = open(hash_path, O_RDONLY | O_CLOEXEC);
                ct_code rc;
                if (fd < 0)
                        return ct_error_set_errno(err, errno, "%s: cannot open", hash_path);
                rc = verity_fd_size(fd, hash_path, &size, err);
                close(fd);
                if (rc)
                        return rc;
        }
        return ct_verity_fec_hash_blocks(p, size, in_hash, ret, err);
}

CT_EXPORT ct_code ct_verity_params_randomize(ct_verity_params *p, unsigned what, ct_error *err)
{
        uint8_t salt[32], uuid[16];

        if (what & ~(unsigned)(CT_VERITY_RANDOM_SALT | CT_VERITY_RANDOM_UUID))
                return ct_error_set(err, CT_E_ARG, "unknown randomize flags 0x%x", what);
        /* getrandom never returns fewer than 256 bytes once the pool is ready; EINTR is possible before */
        if ((what & CT_VERITY_RANDOM_SALT) && getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
                return ct_error_set_errno(err, errno, "cannot get random bytes");
        if ((what & CT_VERITY_RANDOM_UUID) && getrandom(uuid, sizeof(uuid), 0) != (ssize_t)sizeof(uuid))
                return ct_error_set_errno(err, errno, "cannot get random bytes");
        if (what & CT_VERITY_RANDOM_SALT) {
                memcpy(p->salt, salt, sizeof(salt));
                p->salt_size = sizeof(salt);
        }
        if (what & CT_VERITY_RANDOM_UUID) {
                /* RFC 9562 version 4, variant 10 */
                uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
                uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
                memcpy(p->uuid, uuid, sizeof(uuid));
        }
        return CT_OK;
}

CT_EXPORT ct_code ct_verity_uuid_parse(const char *s, uint8_t ret[16], ct_error *err)
{
        char hex[33];
        uint8_t u[16];
        size_t n = 0, len;

        if (!s || strlen(s) != 36)
                goto bad;
        for (size_t i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                goto bad;
                        continue;
                }
                hex[n++] = s[i];
        }
        hex[32] = 0;
        if (ct_hex_decode(hex, u, sizeof(u), &len, NULL) != CT_OK || len != 16)
                goto bad;
        memcpy(ret, u, 16);
        return CT_OK;
bad:
        return ct_error_set(err, CT_E_ARG, "UUID like 12345678-1234-1234-1234-123456789abc expected, got '%s'",
                            s ? s : "");
}

CT_EXPORT void ct_verity_uuid_format(const uint8_t u[16], char out[CT_VERITY_UUID_TEXT])
{
        char hex[33];

        ct_hex_encode(u, 16, hex);
        snprintf(out, CT_VERITY_UUID_TEXT, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

CT_EXPORT void ct_verity_strv_free(char **v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}


CT_EXPORT ct_code ct_verity_hash_size_check(const ct_verity_params *p, const ct_verity_geometry *g,
                                            uint64_t hash_size, ct_error *err)
{
        if (!g->levels || hash_size >= g->hash_device_size)
                return CT_OK;
        return ct_error_set(err, CT_E_INPUT,
                            "hash device has %llu bytes, the hash tree of %llu data blocks of %u bytes needs %llu "
                            "(%llu blocks of %u bytes from hash offset %llu)",
                            (unsigned long long)hash_size, (unsigned long long)p->data_blocks, p->data_block_size,
                            (unsigned long long)g->hash_device_size, (unsigned long long)g->tree_blocks,
                            p->hash_block_size, (unsigned long long)p->hash_offset);
}

CT_EXPORT ct_code ct_verity_hash_fd_check(const ct_verity_params *p, int hash_fd, ct_error *err)
{
        ct_verity_geometry g;
        uint64_t size;
        ct_code rc = ct_verity_params_check(p, err);

        if (!rc)
                rc = ct_verity_geometry_compute(p, &g, err);
        if (!rc)
                rc = verity_fd_size(hash_fd, "hash", &size, err);
        if (!rc)
                rc = ct_verity_hash_size_check(p, &g, size, err);
        return rc;
}

CT_EXPORT ct_code ct_verity_root_hash_parse(const void *buf, size_t len, size_t want, uint8_t *root, ct_error *err)
{
        const char *t = buf;
        char text[2 * CT_VERITY_MAX_DIGEST + 1];
        uint8_t out[CT_VERITY_MAX_DIGEST];
        size_t n;

        if (want == 0 || want > CT_VERITY_MAX_DIGEST)
                return ct_error_set(err, CT_E_ARG, "root hash of %zu bytes is not supported", want);
        while (len && (t[len - 1] == '\n' || t[len - 1] == '\r' || t[len - 1] == ' '))
                len--;
        if (len == 0)
                return ct_error_set(err, CT_E_MALFORMED, "empty, expected a root hash of %zu hex digits", 2 * want);
        if (len != 2 * want)
                return ct_error_set(err, CT_E_MALFORMED, "root hash: %zu hex digits expected, got %zu characters",
                                    2 * want, len);
        memcpy(text, t, len);
        text[len] = 0;
        if (memchr(text, 0, len) || ct_hex_decode(text, out, sizeof(out), &n, NULL) || n != want)
                return ct_error_set(err, CT_E_MALFORMED, "root hash: %zu hex digits expected, found other characters",
                                    2 * want);
        memcpy(root, out, want);
        return CT_OK;
}

CT_EXPORT ct_code ct_verity_salt_parse(const char *text, ct_verity_params *p, ct_error *err)
{
        uint8_t out[CT_VERITY_MAX_SALT];
        size_t len = 0, n = strlen(text);

        if (strcmp(text, "-") == 0 || n == 0) {
                p->salt_size = 0;
                return CT_OK;
        }
        if (n > 2 * CT_VERITY_MAX_SALT || n % 2 || ct_hex_decode(text, out, sizeof(out), &len, NULL))
                return ct_error_set(err, CT_E_ARG, "salt: hex string of at most %u bytes, or '-', expected",
                                    CT_VERITY_MAX_SALT);
        memcpy(p->salt, out, len);
        p->salt_size = len;
        return CT_OK;
}
