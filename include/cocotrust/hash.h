/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — streaming digests over OpenSSL EVP, digest values, PCR extend.
 *
 * Naming follows BearSSL: init / update / final / copy. A ct_hash is a
 * caller-owned context that may be copied with ct_hash_copy (to reuse the
 * state of a common prefix); release it with ct_hash_free (NULL-safe,
 * idempotent). ct_hash_final leaves the context usable for ct_hash_free only.
 */
#ifndef COCOTRUST_HASH_H
#define COCOTRUST_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ct_hash_alg {
        CT_HASH_NONE = 0,
        CT_HASH_SHA1,
        CT_HASH_SHA256,
        CT_HASH_SHA384,
        CT_HASH_SHA512,
        CT_HASH_SM3_256,
        CT_HASH__MAX
} ct_hash_alg;

#define CT_HASH_MAX_SIZE 64

/* A digest is a value. */
typedef struct ct_digest {
        ct_hash_alg alg;
        size_t len;
        uint8_t bytes[CT_HASH_MAX_SIZE];
} ct_digest;

typedef struct ct_hash {
        ct_hash_alg alg;
        void *ctx; /* EVP_MD_CTX *, owned */
} ct_hash;

/* Digest size in bytes (0 for CT_HASH_NONE / unknown). */
size_t ct_hash_size(ct_hash_alg alg);

/* Lower-case name: "sha1", "sha256", "sha384", "sha512", "sm3_256". */
const char *ct_hash_name(ct_hash_alg alg);

/* Parse a name (case-insensitive; "sha-256" and "sha256" both work). CT_HASH_NONE if unknown. */
ct_hash_alg ct_hash_from_name(const char *name);

/* TCG algorithm id (TPM_ALG_SHA256 = 0x000b, ...) and back; 0 / CT_HASH_NONE when unknown. */
uint16_t ct_hash_tcg_id(ct_hash_alg alg);
ct_hash_alg ct_hash_from_tcg_id(uint16_t id);

/* The OpenSSL EVP_MD for alg (fetched once, cached); NULL if unavailable. Returns `const EVP_MD *`. */
const void *ct_hash_evp_md(ct_hash_alg alg);

ct_code ct_hash_init(ct_hash *h, ct_hash_alg alg, ct_error *err);
ct_code ct_hash_update(ct_hash *h, const void *data, size_t len);
ct_code ct_hash_final(ct_hash *h, ct_digest *ret);
/* dst must not be initialised (or already freed); on success it is an independent copy of src. */
ct_code ct_hash_copy(ct_hash *dst, const ct_hash *src, ct_error *err);
void ct_hash_free(ct_hash *h);

/* One-shot digest of a buffer. */
ct_code ct_hash_buf(ct_hash_alg alg, const void *data, size_t len, ct_digest *ret, ct_error *err);

/* Digest of a whole open file descriptor (read from its current position to EOF). */
ct_code ct_hash_fd(ct_hash_alg alg, int fd, ct_digest *ret, uint64_t *ret_size, ct_error *err);

/* Digest of a file by path. */
ct_code ct_hash_file(ct_hash_alg alg, const char *path, ct_digest *ret, uint64_t *ret_size, ct_error *err);

/* A zero-filled digest of alg's size (initial PCR value). */
void ct_digest_zero(ct_digest *d, ct_hash_alg alg);

/* Build a digest from raw bytes; CT_E_ARG if len != ct_hash_size(alg). */
ct_code ct_digest_from_bytes(ct_digest *d, ct_hash_alg alg, const void *bytes, size_t len);

/* Constant-time equality (alg, length and bytes). */
bool ct_digest_equal(const ct_digest *a, const ct_digest *b);

/* pcr = H(pcr || measurement). measurement must be of pcr's algorithm. */
ct_code ct_pcr_extend(ct_digest *pcr, const ct_digest *measurement, ct_error *err);

/* pcr = H(pcr || H(data)). */
ct_code ct_pcr_extend_data(ct_digest *pcr, const void *data, size_t len, ct_error *err);

/* Lower-case hex of the digest into out (at least 2*CT_HASH_MAX_SIZE+1 bytes). Returns out. */
char *ct_digest_hex(const ct_digest *d, char *out);

#ifdef __cplusplus
}
#endif
#endif
