/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/hash.h>

#include "internal.h"

static const struct {
        const char *name;
        const char *ossl;
        size_t size;
        uint16_t tcg;
} algs[CT_HASH__MAX] = {
        [CT_HASH_SHA1] = { "sha1", "SHA1", 20, 0x0004 },
        [CT_HASH_SHA256] = { "sha256", "SHA256", 32, 0x000b },
        [CT_HASH_SHA384] = { "sha384", "SHA384", 48, 0x000c },
        [CT_HASH_SHA512] = { "sha512", "SHA512", 64, 0x000d },
        [CT_HASH_SM3_256] = { "sm3_256", "SM3", 32, 0x0012 },
};

static bool valid(ct_hash_alg alg)
{
        return alg > CT_HASH_NONE && alg < CT_HASH__MAX;
}

CT_EXPORT size_t ct_hash_size(ct_hash_alg alg)
{
        return valid(alg) ? algs[alg].size : 0;
}

CT_EXPORT const char *ct_hash_name(ct_hash_alg alg)
{
        return valid(alg) ? algs[alg].name : "none";
}

CT_EXPORT ct_hash_alg ct_hash_from_name(const char *name)
{
        char buf[16];
        size_t j = 0;

        if (!name)
                return CT_HASH_NONE;
        for (size_t i = 0; name[i] && j + 1 < sizeof(buf); i++)
                if (name[i] != '-')
                        buf[j++] = name[i];
        buf[j] = 0;
        if (strcasecmp(buf, "sm3") == 0)
                return CT_HASH_SM3_256;
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX; a++)
                if (strcasecmp(buf, algs[a].name) == 0)
                        return (ct_hash_alg)a;
        return CT_HASH_NONE;
}

CT_EXPORT uint16_t ct_hash_tcg_id(ct_hash_alg alg)
{
        return valid(alg) ? algs[alg].tcg : 0;
}

CT_EXPORT ct_hash_alg ct_hash_from_tcg_id(uint16_t id)
{
        for (int a = CT_HASH_SHA1; a < CT_HASH__MAX; a++)
                if (algs[a].tcg == id)
                        return (ct_hash_alg)a;
        return CT_HASH_NONE;
}

/* Fetched once per process; EVP_MD_fetch results are reference counted and
 * thread-safe, a lost race only costs one extra fetch that we free. */
static _Atomic(EVP_MD *) md_cache[CT_HASH__MAX];

CT_EXPORT const void *ct_hash_evp_md(ct_hash_alg alg)
{
        EVP_MD *md, *expected = NULL;

        if (!valid(alg))
                return NULL;
        md = atomic_load(&md_cache[alg]);
        if (md)
                return md;
        md = EVP_MD_fetch(NULL, algs[alg].ossl, NULL);
        if (!md)
                return NULL;
        if (!atomic_compare_exchange_strong(&md_cache[alg], &expected, md)) {
                EVP_MD_free(md);
                return expected;
        }
        return md;
}

CT_EXPORT ct_code ct_hash_init(ct_hash *h, ct_hash_alg alg, ct_error *err)
{
        const EVP_MD *md = ct_hash_evp_md(alg);
        EVP_MD_CTX *ctx;

        h->alg = alg;
        h->ctx = NULL;
        if (!md)
                return ct_error_set(err, CT_E_UNSUPPORTED, "hash algorithm %s not available", ct_hash_name(alg));
        ctx = EVP_MD_CTX_new();
        if (!ctx)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
                EVP_MD_CTX_free(ctx);
                return ct_error_set(err, CT_E_CRYPTO, "EVP_DigestInit_ex(%s) failed", ct_hash_name(alg));
        }
        h->ctx = ctx;
        return CT_OK;
}

CT_EXPORT ct_code ct_hash_update(ct_hash *h, const void *data, size_t len)
{
        if (!h->ctx)
                return CT_E_ARG;
        if (len == 0)
                return CT_OK;
        return EVP_DigestUpdate(h->ctx, data, len) == 1 ? CT_OK : CT_E_CRYPTO;
}

CT_EXPORT ct_code ct_hash_final(ct_hash *h, ct_digest *ret)
{
        ct_digest d;
        unsigned int n = 0;

        if (!h->ctx)
                return CT_E_ARG;
        memset(&d, 0, sizeof(d));
        if (EVP_DigestFinal_ex(h->ctx, d.bytes, &n) != 1 || n != algs[h->alg].size)
                return CT_E_CRYPTO;
        d.alg = h->alg;
        d.len = n;
        *ret = d;
        return CT_OK;
}

CT_EXPORT ct_code ct_hash_copy(ct_hash *dst, const ct_hash *src, ct_error *err)
{
        EVP_MD_CTX *ctx;

        dst->alg = src->alg;
        dst->ctx = NULL;
        if (!src->ctx)
                return ct_error_set(err, CT_E_ARG, "copy of an uninitialised hash");
        ctx = EVP_MD_CTX_new();
        if (!ctx)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        if (EVP_MD_CTX_copy_ex(ctx, src->ctx) != 1) {
                EVP_MD_CTX_free(ctx);
                return ct_error_set(err, CT_E_CRYPTO, "EVP_MD_CTX_copy_ex failed");
        }
        dst->ctx = ctx;
        return CT_OK;
}

CT_EXPORT void ct_hash_free(ct_hash *h)
{
        if (!h)
                return;
        EVP_MD_CTX_free(h->ctx);
        h->ctx = NULL;
}

CT_EXPORT ct_code ct_hash_buf(ct_hash_alg alg, const void *data, size_t len, ct_digest *ret, ct_error *err)
{
        const EVP_MD *md = ct_hash_evp_md(alg);
        ct_digest d;
        unsigned int n = 0;

        if (!md)
                return ct_error_set(err, CT_E_UNSUPPORTED, "hash algorithm %s not available", ct_hash_name(alg));
        memset(&d, 0, sizeof(d));
        if (EVP_Digest(data, len, d.bytes, &n, md, NULL) != 1)
                return ct_error_set(err, CT_E_CRYPTO, "EVP_Digest(%s) failed", ct_hash_name(alg));
        d.alg = alg;
        d.len = n;
        *ret = d;
        return CT_OK;
}

#define HASH_CHUNK (256u << 10)

/* Hashes what read() gives until end of file; more than @limit bytes is CT_E_LIMIT. */
static ct_code hash_fd_limited(ct_hash_alg alg, int fd, uint64_t limit, ct_digest *ret, uint64_t *ret_size,
                               ct_error *err)
{
        ct_cleanup_free uint8_t *buf = NULL;
        uint64_t total = 0;
        ct_hash h;
        ct_code r;

        buf = malloc(HASH_CHUNK);
        if (!buf)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        r = ct_hash_init(&h, alg, err);
        if (r)
                return r;
        for (;;) {
                ssize_t n = read(fd, buf, HASH_CHUNK);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        ct_hash_free(&h);
                        return ct_error_set_errno(err, errno, "read");
                }
                if (n == 0)
                        break;
                total += (uint64_t)n;
                if (total > limit) {
                        ct_hash_free(&h);
                        return ct_error_set(err, CT_E_LIMIT, "more than %llu bytes (the limit of a streamed input)",
                                            (unsigned long long)limit);
                }
                if (ct_hash_update(&h, buf, (size_t)n)) {
                        ct_hash_free(&h);
                        return ct_error_set(err, CT_E_CRYPTO, "digest update failed");
                }
        }
        r = ct_hash_final(&h, ret);
        ct_hash_free(&h);
        if (r)
                return ct_error_set(err, r, "digest final failed");
        if (ret_size)
                *ret_size = total;
        return CT_OK;
}

CT_EXPORT ct_code ct_hash_fd(ct_hash_alg alg, int fd, ct_digest *ret, uint64_t *ret_size, ct_error *err)
{
        return hash_fd_limited(alg, fd, UINT64_MAX, ret, ret_size, err);
}

CT_EXPORT ct_code ct_hash_file(ct_hash_alg alg, const char *path, ct_digest *ret, uint64_t *ret_size, ct_error *err)
{
        ct_cleanup_close int fd = -1;
        ct_input_kind kind;
        uint64_t size;
        ct_code r;

        r = ct_input_open(path, 0, &fd, &kind, &size, err);
        if (r)
                return r;
        /* Regular files are mapped: no copy, no buffer to fault in. */
        if (kind == CT_INPUT_FILE && size <= SIZE_MAX) {
                void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
                if (p != MAP_FAILED) {
                        ct_io_guard_map(p, (size_t)size, path);
                        (void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
                        r = ct_hash_buf(alg, p, (size_t)size, ret, err);
                        ct_io_unguard_map(p);
                        munmap(p, (size_t)size);
                        if (r)
                                ct_error_set_input(err, path);
                        else if (ret_size)
                                *ret_size = size;
                        return r;
                }
        }
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        r = hash_fd_limited(alg, fd, kind == CT_INPUT_BLOCK ? UINT64_MAX : CT_INPUT_STREAM_MAX, ret, ret_size, err);
        if (r == CT_E_IO || r == CT_E_LIMIT)
                ct_error_set_input(err, path);
        return r;
}

CT_EXPORT void ct_digest_zero(ct_digest *d, ct_hash_alg alg)
{
        memset(d, 0, sizeof(*d));
        d->alg = alg;
        d->len = ct_hash_size(alg);
}

CT_EXPORT ct_code ct_digest_from_bytes(ct_digest *d, ct_hash_alg alg, const void *bytes, size_t len)
{
        if (!valid(alg) || len != algs[alg].size)
                return CT_E_ARG;
        memset(d, 0, sizeof(*d));
        d->alg = alg;
        d->len = len;
        memcpy(d->bytes, bytes, len);
        return CT_OK;
}

CT_EXPORT bool ct_digest_equal(const ct_digest *a, const ct_digest *b)
{
        if (a->alg != b->alg || a->len != b->len || a->len > CT_HASH_MAX_SIZE)
                return false;
        return CRYPTO_memcmp(a->bytes, b->bytes, a->len) == 0;
}

CT_EXPORT ct_code ct_pcr_extend(ct_digest *pcr, const ct_digest *measurement, ct_error *err)
{
        uint8_t buf[2 * CT_HASH_MAX_SIZE];

        if (!valid(pcr->alg) || measurement->alg != pcr->alg || measurement->len != pcr->len)
                return ct_error_set(err, CT_E_ARG, "PCR extend with a digest of another algorithm");
        memcpy(buf, pcr->bytes, pcr->len);
        memcpy(buf + pcr->len, measurement->bytes, pcr->len);
        return ct_hash_buf(pcr->alg, buf, 2 * pcr->len, pcr, err);
}

CT_EXPORT ct_code ct_pcr_extend_data(ct_digest *pcr, const void *data, size_t len, ct_error *err)
{
        ct_digest m;
        ct_code r = ct_hash_buf(pcr->alg, data, len, &m, err);

        if (r)
                return r;
        return ct_pcr_extend(pcr, &m, err);
}

CT_EXPORT char *ct_digest_hex(const ct_digest *d, char *out)
{
        return ct_hex_encode(d->bytes, d->len <= CT_HASH_MAX_SIZE ? d->len : 0, out);
}
