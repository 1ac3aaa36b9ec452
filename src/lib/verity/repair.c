/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity repair: the FEC correction of verify.c written back. The
 * corrected blocks go into copies written beside the originals, the copies
 * are verified against the root hash, and only then renamed over them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

#define REPAIR_COPY_BUF (1u << 20)

/* Copy all of src_fd into the temporary f (zero 4 KiB blocks become holes). */
static ct_code copy_into(int src_fd, const char *what, ct_atomic_file *f, ct_error *err)
{
        uint8_t *buf = malloc(REPAIR_COPY_BUF);
        uint64_t off = 0;
        ct_code rc = CT_OK;

        if (!buf)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        for (;;) {
                ssize_t n = pread(src_fd, buf, REPAIR_COPY_BUF, (off_t)off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        rc = ct_error_set_errno(err, errno, "read failed at offset %llu", (unsigned long long)off);
                        ct_error_set_input(err, what);
                        break;
                }
                if (n == 0)
                        break;
                rc = ct_atomic_write(f, buf, (size_t)n, err);
                if (rc)
                        break;
                off += (uint64_t)n;
        }
        free(buf);
        return rc;
}

/* Write the corrected blocks: data ones into dfd, tree ones into hfd (errors name dname / hname). */
static ct_code put_blocks(const struct verity_fixed *fx, const ct_verity_params *p, int dfd, int hfd,
                          const char *dname, const char *hname, ct_verity_repair_result *res, ct_error *err)
{
        const uint32_t bs = p->data_block_size;
        ct_code rc = CT_OK;

        for (size_t i = 0; i < fx->n && !rc; i++) {
                const uint8_t *blk = fx->blocks + i * (size_t)bs;
                if (fx->want[i] < p->data_blocks) {
                        rc = ct_pwrite_all(dfd, blk, bs, fx->want[i] * bs, err);
                        if (rc)
                                ct_error_set_input(err, dname);
                        res->data_blocks_written++;
                } else if (fx->want[i] - p->data_blocks < fx->tree_blocks) {
                        uint64_t t = fx->want[i] - p->data_blocks;
                        rc = ct_pwrite_all(hfd, blk, bs, (fx->hash_start + t) * p->hash_block_size, err);
                        if (rc)
                                ct_error_set_input(err, hname);
                        res->hash_blocks_written++;
                }
        }
        return rc;
}

CT_EXPORT ct_code ct_verity_repair(const char *data_path, const char *hash_path, const char *fec_path,
                                   const ct_verity_params *p, const uint8_t *root, size_t root_size,
                                   uint64_t fec_hash_blocks, unsigned threads, unsigned flags, ct_verity_report *ret,
                                   ct_verity_fec_check_result *ret_fec, ct_verity_repair_result *ret_repair,
                                   ct_error *err)
{
        const bool in_place = flags & CT_VERITY_REPAIR_IN_PLACE;
        int dfd = -1, hfd = -1, ffd = -1, mode = in_place ? O_RDWR : O_RDONLY;
        struct verity_fixed fx = { 0 };
        ct_verity_repair_result res = { .in_place = in_place };
        ct_verity_report rep = { 0 }, again;
        ct_verity_fec_check_result fr;
        ct_outputs *outs = NULL;
        ct_atomic_file *td = NULL, *th = NULL;
        struct stat sd, sh;
        bool same;
        ct_code rc;

        if (!data_path || !hash_path || !fec_path || !p || !root || !ret || !ret_fec || !ret_repair)
                return ct_error_set(err, CT_E_ARG, "repair: missing argument");
        if (p->data_block_size != p->hash_block_size)
                return ct_error_set(err, CT_E_ARG, "FEC needs equal data and hash block sizes");
        dfd = open(data_path, mode | O_CLOEXEC);
        hfd = dfd < 0 ? -1 : open(hash_path, mode | O_CLOEXEC);
        ffd = hfd < 0 ? -1 : open(fec_path, O_RDONLY | O_CLOEXEC);
        if (dfd < 0 || hfd < 0 || ffd < 0) {
                rc = ct_error_set_open(err, errno, dfd < 0 ? data_path : hfd < 0 ? hash_path : fec_path,
                                       "cannot open");
                goto out;
        }
        if (fstat(dfd, &sd) < 0 || fstat(hfd, &sh) < 0) {
                rc = ct_error_set_errno(err, errno, "stat failed");
                goto out;
        }
        if (!in_place && (S_ISBLK(sd.st_mode) || S_ISBLK(sh.st_mode))) {
                rc = ct_error_set(err, CT_E_INPUT,
                                  "%s is a block device: repair writes a corrected copy and renames it over the "
                                  "original, which a device cannot take (--in-place writes into it)",
                                  S_ISBLK(sd.st_mode) ? data_path : hash_path);
                goto out;
        }
        same = sd.st_dev == sh.st_dev && sd.st_ino == sh.st_ino;
        rc = verity_verify_fec_keep(dfd, hfd, ffd, p, root, root_size, fec_hash_blocks, threads, &rep, &fr, &fx, err);
        if (rc)
                goto out;
        if (fx.n == 0)
                goto done; /* intact: nothing to write */
        for (size_t i = 0; i < fx.n; i++) {
                if (fx.want[i] < p->data_blocks)
                        res.data_blocks_written = 1;
                else
                        res.hash_blocks_written = 1;
        }
        if (in_place) {
                res.data_blocks_written = res.hash_blocks_written = 0;
                rc = put_blocks(&fx, p, dfd, hfd, data_path, hash_path, &res, err);
                if (!rc && fsync(dfd) < 0) {
                        rc = ct_error_set_errno(err, errno, "fsync failed");
                        ct_error_set_input(err, data_path);
                } else if (!rc && fsync(hfd) < 0) {
                        rc = ct_error_set_errno(err, errno, "fsync failed");
                        ct_error_set_input(err, hash_path);
                }
                if (rc)
                        goto out;
                rc = ct_verity_verify_fd(dfd, hfd, p, root, root_size, threads, &again, err);
                if (rc == CT_OK)
                        ct_verity_report_free(&again);
                else if (rc == CT_E_MISMATCH) {
                        ct_verity_report_free(&again);
                        ct_error_set(err, CT_E_MISMATCH, "written in place, but does not verify afterwards");
                }
                if (rc)
                        goto out;
                goto done;
        }
        rc = ct_outputs_new(&outs, err);
        if (!rc && (res.data_blocks_written || (same && res.hash_blocks_written))) {
                rc = ct_outputs_add(outs, data_path, &td, err);
                if (!rc)
                        rc = copy_into(dfd, data_path, td, err);
        }
        if (!rc && res.hash_blocks_written && !same) {
                rc = ct_outputs_add(outs, hash_path, &th, err);
                if (!rc)
                        rc = copy_into(hfd, hash_path, th, err);
        }
        if (rc)
                goto out;
        {
                int wd = td ? td->fd : dfd, wh = same ? wd : th ? th->fd : hfd;
                res.data_blocks_written = res.hash_blocks_written = 0;
                rc = put_blocks(&fx, p, wd, wh, data_path, same ? data_path : hash_path, &res, err);
                if (rc)
                        goto out;
                /* the repaired copies must verify against the root hash before they replace anything */
                rc = ct_verity_verify_fd(wd, wh, p, root, root_size, threads, &again, err);
                if (rc == CT_OK || rc == CT_E_MISMATCH)
                        ct_verity_report_free(&again);
                if (rc == CT_E_MISMATCH)
                        ct_error_set(err, CT_E_MISMATCH, "the repaired copy does not verify; %s left unchanged",
                                     data_path);
                if (rc)
                        goto out;
        }
        rc = ct_outputs_commit(outs, err);
        if (rc)
                goto out;
done:
        *ret = rep;
        rep.blocks = NULL;
        *ret_fec = fr;
        *ret_repair = res;
out:
        ct_verity_error_name(err, data_path); /* a failed read of DATA names it */
        if (rc == CT_E_MISMATCH && rep.blocks && fx.n == 0) {
                /* not repairable: report what is corrupt */
                *ret = rep;
                rep.blocks = NULL;
                *ret_fec = fr;
                *ret_repair = res;
        }
        ct_verity_report_free(&rep);
        ct_outputs_free(outs);
        free(fx.want);
        free(fx.blocks);
        if (dfd >= 0)
                close(dfd);
        if (hfd >= 0)
                close(hfd);
        if (ffd >= 0)
                close(ffd);
        return rc;
}
