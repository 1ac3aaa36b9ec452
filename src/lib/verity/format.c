/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity format: build the tree (tree.c), write it atomically or in place,
 * the FEC parity (fec.c) and the superblock last. Sits above tree.c and
 * fec.c; neither calls back into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/fs.h>

#include <cocotrust/fileio.h>
#include <cocotrust/verity.h>

#include "../internal.h"
#include "verity-internal.h"

#define VERITY_COPY_CHUNK (1u << 20)

static bool same_file(const struct stat *a, const struct stat *b)
{
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* An I/O error (CT_E_IO, strerror of errnum) about the file at path: every one names its file. */
static ct_code io_error(ct_error *err, int errnum, const char *path, const char *what)
{
        ct_error_set_errno(err, errnum, "%s", what);
        ct_error_set_input(err, path);
        return CT_E_IO;
}

/* Copy [off, end) of src into fd at the same offsets; zero chunks are skipped (fd is new: they read zero). */
static ct_code copy_range(int src, int fd, uint64_t off, uint64_t end, uint8_t *buf, const char *path, ct_error *err)
{
        while (off < end) {
                ssize_t n = pread(src, buf, (size_t)CT_MIN(end - off, (uint64_t)VERITY_COPY_CHUNK), (off_t)off);
                bool zero = true;
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return io_error(err, errno, path, "read");
                }
                if (n == 0)
                        break; /* shrank meanwhile: the copy keeps the size it had */
                for (ssize_t i = 0; i < n && zero; i++)
                        zero = buf[i] == 0;
                if (!zero && ct_pwrite_all(fd, buf, (size_t)n, off, err))
                        return err->code;
                off += (uint64_t)n;
        }
        return CT_OK;
}

/*
 * Copy the existing file at path (all of it) into fd, the temporary of its
 * replacement (path names it in errors: the temporary's name means nothing to
 * the user): veritysetup writes into an existing HASH / FEC file and keeps
 * every byte it does not write, and its FEC then covers them, so the
 * replacement starts as a copy. Only the data regions are read and written
 * (SEEK_DATA / SEEK_HOLE; all of it where the file system cannot tell), so
 * holes stay holes and a hole of terabytes costs nothing.
 */
static ct_code copy_existing(const char *path, int fd, ct_error *err)
{
        ct_cleanup_close int src = open(path, O_RDONLY | O_CLOEXEC);
        ct_cleanup_free uint8_t *buf = NULL;
        struct stat st;
        uint64_t off = 0, size;

        if (src < 0)
                return errno == ENOENT ? CT_OK : io_error(err, errno, path, "cannot open");
        if (ioctl(fd, FICLONE, src) == 0)
                return CT_OK;
        if (fstat(src, &st) < 0)
                return io_error(err, errno, path, "cannot stat");
        size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
        buf = malloc(VERITY_COPY_CHUNK);
        if (!buf)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        while (off < size) {
                off_t data = lseek(src, (off_t)off, SEEK_DATA), hole;
                ct_code rc;
                if (data < 0 && errno == ENXIO)
                        break; /* a hole up to the end */
                if (data < 0) {
                        if (errno != EINVAL && errno != EOPNOTSUPP)
                                return io_error(err, errno, path, "SEEK_DATA");
                        data = (off_t)off; /* no SEEK_DATA here: copy the rest */
                        hole = (off_t)size;
                } else {
                        hole = lseek(src, data, SEEK_HOLE);
                        if (hole < 0 || (uint64_t)hole > size)
                                hole = (off_t)size;
                }
                rc = copy_range(src, fd, (uint64_t)data, (uint64_t)hole, buf, path, err);
                if (rc) {
                        ct_error_default_input(err, path);
                        return rc;
                }
                off = (uint64_t)hole;
        }
        if (size && ftruncate(fd, (off_t)size) < 0)
                return io_error(err, errno, path, "cannot set the size of the copy");
        return CT_OK;
}

/* Size of what fd will hold once committed: at least `planned`. */
static uint64_t size_now(int fd, uint64_t planned)
{
        uint64_t size = 0;
        ct_error e;

        if (verity_fd_size(fd, "hash", &size, &e) != CT_OK)
                size = 0;
        return CT_MAX(size, planned);
}

/* veritysetup writes the superblock as one aligned block of min(4096, hbs) bytes. */
static uint64_t sb_end(const ct_verity_params *p)
{
        uint64_t blk = CT_MIN(4096u, p->hash_block_size);
        return (p->hash_offset + CT_VERITY_SB_SIZE + blk - 1) / blk * blk;
}

struct out_file {
        ct_atomic_file *af; /* owned by the output set; NULL: written in place */
        int fd;
        const char *path; /* as the caller named it, for messages */
};

static ct_code out_open(const char *path, ct_outputs *outs, struct out_file *o, ct_error *err)
{
        struct stat st;

        memset(o, 0, sizeof(*o));
        o->fd = -1;
        o->path = path;
        if (stat(path, &st) == 0 && S_ISBLK(st.st_mode)) {
                o->fd = open(path, O_RDWR | O_CLOEXEC);
                if (o->fd < 0)
                        return io_error(err, errno, path, "cannot open");
                return CT_OK;
        }
        if (ct_outputs_add(outs, path, &o->af, err))
                return err->code ? err->code : CT_E_IO;
        o->fd = o->af->fd;
        return CT_OK;
}

/* A temporary gets its final size (the set renames it later); a file written in place is synced and closed. */
static ct_code out_finish(struct out_file *o, uint64_t size, ct_error *err)
{
        if (o->af) {
                if (size && ftruncate(o->fd, (off_t)size) < 0)
                        return io_error(err, errno, o->path, "cannot set size");
                o->fd = -1;
                return CT_OK;
        }
        if (fsync(o->fd) < 0) {
                io_error(err, errno, o->path, "fsync");
                close(o->fd);
                o->fd = -1;
                return CT_E_IO;
        }
        close(o->fd);
        o->fd = -1;
        return CT_OK;
}

static void out_abort(struct out_file *o)
{
        if (!o->af && o->fd >= 0)
                close(o->fd);
        o->fd = -1;
}

CT_EXPORT ct_code ct_verity_format(const char *data_path, const char *hash_path, const char *fec_path,
                                   ct_verity_params *p_io, unsigned threads, ct_verity_result *ret, ct_error *err)
{
        ct_outputs *outs = NULL;
        ct_code rc;

        rc = ct_outputs_new(&outs, err);
        if (rc)
                return rc;
        rc = ct_verity_format_outputs(data_path, hash_path, fec_path, p_io, threads, outs, ret, err);
        if (!rc)
                rc = ct_outputs_commit(outs, err);
        ct_outputs_free(outs);
        return rc;
}

CT_EXPORT ct_code ct_verity_format_outputs(const char *data_path, const char *hash_path, const char *fec_path,
                                           ct_verity_params *p_io, unsigned threads, ct_outputs *outs,
                                           ct_verity_result *ret, ct_error *err)
{
        ct_verity_params p = *p_io;
        ct_verity_geometry g;
        ct_verity_result res;
        ct_verity_fec_geometry fg;
        struct stat dst, hst, fst;
        bool in_place = false, fec_in_hash = false, have_h = false, have_f = false;
        ct_cleanup_close int data_fd = -1;
        struct out_file ho = { .af = NULL, .fd = -1 }, fo = { .af = NULL, .fd = -1 };
        uint8_t *tree = NULL;
        uint64_t tree_len = 0, data_size, hash_size;
        uint8_t sb[CT_VERITY_SB_SIZE];
        ct_code rc;

        memset(&res, 0, sizeof(res));
        rc = ct_verity_params_check(&p, err);
        if (rc)
                return rc;
        if (fec_path && !p.fec_roots)
                return ct_error_set(err, CT_E_ARG, "a FEC file needs FEC roots");
        if (!fec_path)
                p.fec_roots = 0;

        data_fd = open(data_path, O_RDONLY | O_CLOEXEC);
        if (data_fd < 0)
                return ct_error_set_open(err, errno, data_path, "cannot open");
        if (fstat(data_fd, &dst) < 0)
                return io_error(err, errno, data_path, "cannot stat");
        rc = verity_fd_size(data_fd, data_path, &data_size, err);
        if (rc)
                return rc;
        if (p.data_blocks == 0) {
                p.data_blocks = data_size / p.data_block_size;
                if (p.data_blocks == 0)
                        return ct_error_set(err, CT_E_ARG, "%s: %llu bytes, smaller than one %u-byte data block",
                                            data_path, (unsigned long long)data_size, p.data_block_size);
        } else if (data_size / p.data_block_size < p.data_blocks) {
                return ct_error_set(err, CT_E_ARG, "%s has %llu blocks of %u bytes, --data-blocks asks for %llu",
                                    data_path, (unsigned long long)(data_size / p.data_block_size),
                                    p.data_block_size, (unsigned long long)p.data_blocks);
        }
        rc = ct_verity_geometry_compute(&p, &g, err);
        if (rc)
                return rc;

        have_h = stat(hash_path, &hst) == 0;
        if (have_h && same_file(&dst, &hst)) {
                in_place = true;
                /*
                 * veritysetup checks the hash offset only; with --no-superblock it then
                 * rounds the tree start down to a hash block and may overwrite data
                 * (2.6.1 does). We refuse that too.
                 */
                if (p.hash_offset < p.data_blocks * p.data_block_size ||
                    (g.tree_blocks && g.hash_start * p.hash_block_size < p.data_blocks * p.data_block_size)) {
                        ct_error_set(err, CT_E_ARG,
                                     "the same file as the data '%s': its data area (%llu bytes) overlaps the hash "
                                     "area at offset %llu",
                                     data_path, (unsigned long long)(p.data_blocks * p.data_block_size),
                                     (unsigned long long)(p.no_superblock ? g.hash_start * p.hash_block_size
                                                                          : p.hash_offset));
                        ct_error_set_input(err, hash_path);
                        return CT_E_ARG;
                }
        }
        if (fec_path) {
                have_f = stat(fec_path, &fst) == 0;
                /* FEC in the data file after the data: allowed as veritysetup 2.6.1 allows it (no overlap) */
                if (have_f && same_file(&dst, &fst) && !in_place &&
                    p.fec_offset < p.data_blocks * p.data_block_size)
                        return ct_error_set(err, CT_E_ARG,
                                            "FEC offset %llu lies inside the data area (which ends at %llu)",
                                            (unsigned long long)p.fec_offset,
                                            (unsigned long long)(p.data_blocks * p.data_block_size));
                /* also "./h" for a HASH "h" not yet there */
                fec_in_hash = (have_f && have_h && same_file(&hst, &fst)) || ct_paths_same_file(fec_path, hash_path);
                if (fec_in_hash && p.fec_offset < g.hash_device_size)
                        return ct_error_set(err, CT_E_ARG,
                                            "FEC offset %llu lies inside the hash area (which ends at %llu)",
                                            (unsigned long long)p.fec_offset,
                                            (unsigned long long)g.hash_device_size);
                if (in_place && !fec_in_hash && have_f && same_file(&dst, &fst))
                        fec_in_hash = true;
        }

        rc = verity_tree_build(data_fd, &p, &g, threads, &tree, &tree_len, res.root, err);
        if (rc) {
                if (rc == CT_E_IO)
                        ct_verity_error_name(err, data_path); /* a read of DATA (or it shrank) */
                return rc;
        }
        res.root_size = g.digest_size;
        if (!p.no_superblock)
                ct_verity_superblock_build(&p, sb); /* the UUID is the caller's (the tool picks a random one) */
        /* veritysetup's file ends with what it wrote: the tree (none with one data block) and the superblock block */
        hash_size = CT_MAX(g.tree_blocks ? g.hash_device_size : 0, p.no_superblock ? 0 : sb_end(&p));
        if (g.levels == 0)
                tree_len = 0; /* nothing to write */

        if (in_place) {
                int fd = open(hash_path, O_RDWR | O_CLOEXEC);
                if (fd < 0) {
                        rc = io_error(err, errno, hash_path, "cannot open for writing");
                        goto out;
                }
                ho.fd = fd;
                ho.path = hash_path;
                /* An interrupted run must not leave an old superblock in front of a half-written tree. */
                if (!p.no_superblock) {
                        uint8_t zero[CT_VERITY_SB_SIZE] = { 0 };
                        rc = ct_pwrite_all(fd, zero, sizeof(zero), p.hash_offset, err);
                        if (!rc && fsync(fd) < 0)
                                rc = io_error(err, errno, hash_path, "fsync");
                        if (rc) {
                                ct_error_default_input(err, hash_path);
                                goto out;
                        }
                }
        } else {
                rc = out_open(hash_path, outs, &ho, err);
                if (rc)
                        goto out;
                if (ho.af) {
                        rc = copy_existing(hash_path, ho.fd, err);
                        if (rc)
                                goto out;
                }
        }
        if (tree_len) {
                rc = ct_pwrite_all(ho.fd, tree, (size_t)tree_len, g.hash_start * p.hash_block_size, err);
                if (rc) {
                        ct_error_set_input(err, hash_path);
                        goto out;
                }
        }
        if (fec_path) {
                uint64_t covered;
                int fec_fd;
                rc = ct_verity_fec_hash_blocks(&p, size_now(ho.fd, hash_size), fec_in_hash, &covered, err);
                if (rc)
                        goto out;
                if (!fec_in_hash) {
                        rc = out_open(fec_path, outs, &fo, err);
                        if (rc)
                                goto out;
                        if (fo.af) {
                                rc = copy_existing(fec_path, fo.fd, err);
                                if (rc)
                                        goto out;
                        }
                }
                fec_fd = fec_in_hash ? ho.fd : fo.fd;
                {
                        const char *names[3] = { data_path, hash_path, fec_in_hash ? hash_path : fec_path };
                        rc = verity_fec_write(data_fd, &p, tree, tree_len, ho.fd, g.hash_start * p.hash_block_size,
                                              covered, fec_fd, threads, names, &fg, err);
                }
                if (rc)
                        goto out;
                res.fec_blocks = fg.blocks;
                res.fec_parity_size = fg.parity_size;
                if (fec_in_hash)
                        hash_size = CT_MAX(hash_size, p.fec_offset + fg.parity_size);
                else {
                        uint64_t fsize = p.fec_offset + fg.parity_size;
                        struct stat cur;
                        if (fo.af && fstat(fo.fd, &cur) == 0 && (uint64_t)cur.st_size > fsize)
                                fsize = (uint64_t)cur.st_size;
                        rc = out_finish(&fo, fsize, err);
                        if (rc)
                                goto out;
                }
        }
        if (in_place || !ho.af) {
                /* tree durable first, superblock last */
                if (fsync(ho.fd) < 0) {
                        rc = io_error(err, errno, hash_path, "fsync");
                        goto out;
                }
                if (in_place) {
                        struct stat cur;
                        if (fstat(ho.fd, &cur) == 0 && (uint64_t)cur.st_size < hash_size &&
                            ftruncate(ho.fd, (off_t)hash_size) < 0) {
                                rc = io_error(err, errno, hash_path, "cannot extend");
                                goto out;
                        }
                }
        }
        if (!p.no_superblock) {
                rc = ct_pwrite_all(ho.fd, sb, sizeof(sb), p.hash_offset, err);
                if (rc) {
                        ct_error_set_input(err, hash_path);
                        goto out;
                }
        }
        if (ho.af) {
                struct stat cur;
                if (fstat(ho.fd, &cur) == 0 && (uint64_t)cur.st_size > hash_size)
                        hash_size = (uint64_t)cur.st_size;
        }
        rc = out_finish(&ho, hash_size, err);
        if (rc)
                goto out;
        if (in_place)
                ho.fd = -1;
        /* no output the caller adds (--root-hash-file) may be the data (a FEC file may: written as veritysetup does) */
        rc = ct_outputs_add_input(outs, data_path, err);
        if (rc)
                goto out;
        res.geo = g;
        res.hash_file_size = hash_size;
out:
        if (rc) {
                out_abort(&fo);
                out_abort(&ho);
        }
        free(tree);
        if (rc)
                return rc;
        *p_io = p;
        *ret = res;
        return CT_OK;
}

