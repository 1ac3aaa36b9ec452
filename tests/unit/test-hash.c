/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hash known answers: FIPS 180-4 example messages ("abc" and the two-block
 * 448-bit message), whose digests are published in the standard's examples
 * (NIST CSRC "Examples with intermediate values"). Each is checked one-shot,
 * byte at a time, at every split point and through ct_hash_copy.
 * PCR extend: sha256(".linux\0") and the worked PCR 11 example from
 * shared/specs/tpm-measured-boot.md §1.2, observed in real event logs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include <cocotrust/codec.h>
#include <cocotrust/hash.h>

struct kat {
        ct_hash_alg alg;
        const char *msg;
        const char *hex;
};

#define M448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
static const struct kat kats[] = {
        { CT_HASH_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
        { CT_HASH_SHA1, M448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
        { CT_HASH_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { CT_HASH_SHA256, M448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { CT_HASH_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { CT_HASH_SHA384, "abc",
          "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
        { CT_HASH_SHA384, M448,
          "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b" },
        { CT_HASH_SHA512, "abc",
          "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
          "454d4423643ce80e2a9ac94fa54ca49f" },
};

static void expect(const ct_digest *d, const char *hex)
{
        char out[2 * CT_HASH_MAX_SIZE + 1];
        assert_string_equal(ct_digest_hex(d, out), hex);
}

static void test_oneshot(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
                ct_digest d;
                assert_int_equal(ct_hash_buf(kats[i].alg, kats[i].msg, strlen(kats[i].msg), &d, NULL), CT_OK);
                assert_int_equal(d.len, ct_hash_size(kats[i].alg));
                expect(&d, kats[i].hex);
        }
}

static void test_byte_at_a_time(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
                ct_hash h;
                ct_digest d;
                assert_int_equal(ct_hash_init(&h, kats[i].alg, NULL), CT_OK);
                for (size_t j = 0; kats[i].msg[j]; j++)
                        assert_int_equal(ct_hash_update(&h, kats[i].msg + j, 1), CT_OK);
                assert_int_equal(ct_hash_final(&h, &d), CT_OK);
                ct_hash_free(&h);
                expect(&d, kats[i].hex);
        }
}

static void test_every_split_and_copy(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
                size_t n = strlen(kats[i].msg);
                for (size_t s = 0; s <= n; s++) {
                        ct_hash h, c;
                        ct_digest d1, d2;
                        assert_int_equal(ct_hash_init(&h, kats[i].alg, NULL), CT_OK);
                        ct_hash_update(&h, kats[i].msg, s);
                        assert_int_equal(ct_hash_copy(&c, &h, NULL), CT_OK);
                        ct_hash_update(&h, kats[i].msg + s, n - s);
                        ct_hash_update(&c, kats[i].msg + s, n - s);
                        assert_int_equal(ct_hash_final(&h, &d1), CT_OK);
                        assert_int_equal(ct_hash_final(&c, &d2), CT_OK);
                        ct_hash_free(&h);
                        ct_hash_free(&c);
                        expect(&d1, kats[i].hex);
                        expect(&d2, kats[i].hex);
                }
        }
}

static void test_names(void **state)
{
        (void)state;
        assert_int_equal(ct_hash_from_name("sha256"), CT_HASH_SHA256);
        assert_int_equal(ct_hash_from_name("SHA-384"), CT_HASH_SHA384);
        assert_int_equal(ct_hash_from_name("sha1"), CT_HASH_SHA1);
        assert_int_equal(ct_hash_from_name("md5"), CT_HASH_NONE);
        assert_int_equal(ct_hash_from_name(""), CT_HASH_NONE);
        assert_int_equal(ct_hash_tcg_id(CT_HASH_SHA256), 0x000b);
        assert_int_equal(ct_hash_from_tcg_id(0x000c), CT_HASH_SHA384);
        assert_int_equal(ct_hash_from_tcg_id(0x1234), CT_HASH_NONE);
        assert_string_equal(ct_hash_name(CT_HASH_SHA512), "sha512");
        assert_int_equal(ct_hash_size(CT_HASH_NONE), 0);
}

static void test_pcr_extend(void **state)
{
        static const char linux_name[] = ".linux"; /* hashed with its NUL */
        ct_digest m, pcr;

        (void)state;
        assert_int_equal(ct_hash_buf(CT_HASH_SHA256, linux_name, sizeof(linux_name), &m, NULL), CT_OK);
        expect(&m, "0da293e37ad5511c59be47993769aacb91b243f7d010288e118dc90e95aaef5a");
        ct_digest_zero(&pcr, CT_HASH_SHA256);
        assert_int_equal(ct_pcr_extend(&pcr, &m, NULL), CT_OK);
        expect(&pcr, "c8a68f22e44d0249e2cd4f1ef0e79f565542404acf7f073da98d9dde907cdc32");
        ct_digest_zero(&pcr, CT_HASH_SHA256);
        assert_int_equal(ct_pcr_extend_data(&pcr, linux_name, sizeof(linux_name), NULL), CT_OK);
        expect(&pcr, "c8a68f22e44d0249e2cd4f1ef0e79f565542404acf7f073da98d9dde907cdc32");

        /* a digest of another bank is refused */
        ct_digest_zero(&pcr, CT_HASH_SHA1);
        assert_int_equal(ct_pcr_extend(&pcr, &m, NULL), CT_E_ARG);
}

static void test_digest_equal(void **state)
{
        ct_digest a, b;

        (void)state;
        ct_hash_buf(CT_HASH_SHA256, "abc", 3, &a, NULL);
        b = a;
        assert_true(ct_digest_equal(&a, &b));
        b.bytes[31] ^= 1;
        assert_false(ct_digest_equal(&a, &b));
        b = a;
        b.alg = CT_HASH_SHA384;
        assert_false(ct_digest_equal(&a, &b));
        assert_int_equal(ct_digest_from_bytes(&b, CT_HASH_SHA256, a.bytes, 31), CT_E_ARG);
        assert_int_equal(ct_digest_from_bytes(&b, CT_HASH_SHA256, a.bytes, 32), CT_OK);
        assert_true(ct_digest_equal(&a, &b));
}

static void test_file(void **state)
{
        char path[] = "/tmp/ct-test-hash-XXXXXX";
        int fd = mkstemp(path);
        ct_digest d;
        uint64_t size = 0;
        ct_error err;
        char *big;
        size_t bigsize = 3 * 1024 * 1024 + 7; /* crosses the 1 MiB read chunk */
        ct_hash h;
        ct_digest ref;

        (void)state;
        assert_true(fd >= 0);
        big = malloc(bigsize);
        assert_non_null(big);
        for (size_t i = 0; i < bigsize; i++)
                big[i] = (char)(i * 131 + 7);
        assert_int_equal(write(fd, big, bigsize), (ssize_t)bigsize);
        close(fd);
        assert_int_equal(ct_hash_file(CT_HASH_SHA256, path, &d, &size, &err), CT_OK);
        assert_true(size == bigsize);
        /* the same bytes streamed in odd pieces */
        ct_hash_init(&h, CT_HASH_SHA256, NULL);
        for (size_t off = 0; off < bigsize; off += 4093)
                ct_hash_update(&h, big + off, bigsize - off < 4093 ? bigsize - off : 4093);
        ct_hash_final(&h, &ref);
        ct_hash_free(&h);
        assert_true(ct_digest_equal(&d, &ref));
        /* the read() path (pipes, devices) gives the same digest */
        fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        size = 0;
        assert_int_equal(ct_hash_fd(CT_HASH_SHA256, fd, &d, &size, &err), CT_OK);
        close(fd);
        assert_true(size == bigsize);
        assert_true(ct_digest_equal(&d, &ref));
        unlink(path);
        free(big);

        /* a missing input is bad input (exit 2), named in err.input */
        assert_int_equal(ct_hash_file(CT_HASH_SHA256, "/nonexistent/file", &d, NULL, &err), CT_E_INPUT);
        assert_string_equal(err.input, "/nonexistent/file");
        /* a character device is refused at once, not read forever */
        assert_int_equal(ct_hash_file(CT_HASH_SHA256, "/dev/zero", &d, NULL, &err), CT_E_INPUT);
        assert_non_null(strstr(err.msg, "character device"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_oneshot),    cmocka_unit_test(test_byte_at_a_time),
                cmocka_unit_test(test_every_split_and_copy), cmocka_unit_test(test_names),
                cmocka_unit_test(test_pcr_extend), cmocka_unit_test(test_digest_equal),
                cmocka_unit_test(test_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
