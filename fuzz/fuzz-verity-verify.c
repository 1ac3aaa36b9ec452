/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: `verity verify` over a small image. The input is split
 * into a parameter header, a data file and a hash file (both in memfds):
 *   [0] algorithm (sha1/sha256/sha512)   [1] bit 0: format, bit 1: superblock
 *   [2] data block size 512 << (v % 2)    [3] hash block size 512 << (v % 3)
 *   [4] salt length (% 33), salt bytes, [2] data length (LE, % 64 KiB),
 *   data bytes, then the root hash (digest size) and the rest is the hash file.
 * With the superblock bit, parameters come from the hash file's superblock.
 * Every corrupt block list must stay inside the files' geometry. When
 * something is corrupt and the block sizes are equal, the FEC repair runs
 * too, with the hash file as its (hostile) parity.
 * (The ext4 attribution is not fuzzed here: it is libext2fs's parser, which
 * fuzzing showed is not safe on hostile images, so the tool runs it in a
 * child process; tests/verity/test-errors.sh checks that containment.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cocotrust/verity.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd_with(const char *name, const uint8_t *buf, size_t len)
{
        int fd = memfd_create(name, MFD_CLOEXEC);

        if (fd < 0)
                return -1;
        if (len && write(fd, buf, len) != (ssize_t)len) {
                close(fd);
                return -1;
        }
        return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const algs[] = { "sha1", "sha256", "sha512" };
        ct_verity_params p;
        ct_verity_report rep;
        ct_error err;
        size_t pos = 0, salt_len, data_len, ds;
        int dfd = -1, hfd = -1;
        bool use_sb;
        ct_code rc;

        if (size < 7)
                return 0;
        ct_verity_params_init(&p);
        strcpy(p.hash_name, algs[data[0] % 3]);
        p.hash_type = data[1] & 1u;
        use_sb = data[1] & 2u;
        p.data_block_size = 512u << (data[2] % 2);
        p.hash_block_size = 512u << (data[3] % 3);
        salt_len = data[4] % 33u;
        pos = 5;
        if (size - pos < salt_len + 2)
                return 0;
        memcpy(p.salt, data + pos, salt_len);
        p.salt_size = salt_len;
        pos += salt_len;
        data_len = (size_t)(data[pos] | (data[pos + 1] << 8)) % 65536u;
        pos += 2;
        if (size - pos < data_len)
                return 0;
        dfd = memfd_with("data", data + pos, data_len);
        pos += data_len;
        p.data_blocks = data_len / p.data_block_size;
        ds = ct_verity_digest_size(p.hash_name);
        if (dfd < 0 || size - pos < ds)
                goto out;
        {
                uint8_t root[CT_VERITY_MAX_DIGEST];
                memcpy(root, data + pos, ds);
                pos += ds;
                hfd = memfd_with("hash", data + pos, size - pos);
                if (hfd < 0)
                        goto out;
                if (use_sb) {
                        p.no_superblock = false;
                        if (ct_verity_read_superblock(hfd, &p, &err) != CT_OK)
                                goto out;
                        ds = ct_verity_digest_size(p.hash_name);
                        if (ds > CT_VERITY_MAX_DIGEST)
                                abort();
                } else {
                        p.no_superblock = true;
                        if (p.data_blocks == 0)
                                goto out;
                }
                rc = ct_verity_verify_fd(dfd, hfd, &p, root, ds, 2, &rep, &err);
                if (rc == CT_OK || rc == CT_E_MISMATCH) {
                        if (rep.n_blocks > rep.n_bad_data + rep.n_bad_hash)
                                abort();
                        for (size_t i = 0; i < rep.n_blocks; i++) {
                                const ct_verity_bad_block *b = &rep.blocks[i];
                                if (b->kind == CT_VERITY_BAD_DATA ? b->block >= p.data_blocks
                                                                  : (b->block < rep.geo.hash_start ||
                                                                     b->block >= rep.geo.hash_start + rep.geo.tree_blocks))
                                        abort();
                        }
                        if ((rc == CT_OK) != (rep.n_bad_data + rep.n_bad_hash == 0))
                                abort();
                        ct_verity_report_free(&rep);
                }
                /* FEC repair in memory, with the hash file read as the (hostile) parity too */
                if (rc == CT_E_MISMATCH && p.data_block_size == p.hash_block_size) {
                        ct_verity_fec_check_result fr;
                        off_t hsize = lseek(hfd, 0, SEEK_END);
                        uint64_t covered;
                        p.fec_roots = 2u + (unsigned)(data[1] >> 2) % 23u;
                        p.fec_offset = 0;
                        if (hsize >= 0 && ct_verity_fec_hash_blocks(&p, (uint64_t)hsize, false, &covered, &err) == CT_OK) {
                                rc = ct_verity_verify_fec_fd(dfd, hfd, hfd, &p, root, ds, covered, 2, &rep, &fr, &err);
                                if (rc == CT_OK || rc == CT_E_MISMATCH) {
                                        if ((rc == CT_OK) != fr.verified_after_repair || fr.blocks_repaired > rep.n_blocks)
                                                abort();
                                        ct_verity_report_free(&rep);
                                }
                        }
                }
        }
out:
        if (dfd >= 0)
                close(dfd);
        if (hfd >= 0)
                close(hfd);
        return 0;
}
