/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which file does a corrupt verity data block belong to? For ext2/3/4 images
 * we ask libext2fs (e2fsprogs): one scan over the in-use inodes maps their
 * blocks (data, and extent/indirect blocks) to the blocks we look for; one
 * pass over the directories finds the names of the owners. A block nobody
 * owns is "metadata" when the block bitmap marks it in use (superblock,
 * group descriptors, bitmaps, inode tables), else "free space".
 *
 * The image is the possibly corrupt one: libext2fs reads it read-only and
 * its own checks apply; what it reports is the file system as it is now.
 * libext2fs is not hardened against hostile images (fuzzing found a heap
 * overflow in ext2fs_rw_bitmaps of e2fsprogs 1.47.0): callers that take
 * untrusted images should run this in a separate process, as the cocotrust
 * tool does. Its com_err messages are silenced while we run (no printing).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include <cocotrust/verity.h>

#include "../internal.h"

#define MAX_OWNERS 8 /* owners named per verity block; more are counted */

struct owner {
        ext2_ino_t ino;
        bool meta;   /* extent tree / indirect block of the inode */
};

struct target {
        blk64_t fsblk;
        size_t idx;  /* index into the caller's blocks[] */
};

struct slot {
        struct owner own[MAX_OWNERS];
        unsigned n, more;
        bool any_used;  /* some fs block of it is marked in use */
};

struct attr_ctx {
        struct target *t;
        size_t nt;
        struct slot *slots;
        ext2_ino_t cur;
        /* owner inodes (sorted, unique after owners_finish) and their parent directories */
        ext2_ino_t *owner_inos;
        ext2_ino_t *owner_parent;
        size_t n_owner_inos, cap_owner_inos;
        bool oom;
};

static int target_cmp(const void *a, const void *b)
{
        const struct target *x = a, *y = b;
        return x->fsblk < y->fsblk ? -1 : x->fsblk > y->fsblk;
}

/* Owners are appended (duplicates and all), then sorted and made unique once. */
static void add_owner_ino(struct attr_ctx *c, ext2_ino_t ino)
{
        if (c->n_owner_inos && c->owner_inos[c->n_owner_inos - 1] == ino)
                return;
        if (c->n_owner_inos == c->cap_owner_inos) {
                size_t nc = c->cap_owner_inos ? c->cap_owner_inos * 2 : 16;
                ext2_ino_t *a = realloc(c->owner_inos, nc * sizeof(*a));
                if (!a) {
                        c->oom = true;
                        return;
                }
                c->owner_inos = a;
                c->cap_owner_inos = nc;
        }
        c->owner_inos[c->n_owner_inos++] = ino;
}

static int ino_cmp(const void *a, const void *b)
{
        ext2_ino_t x = *(const ext2_ino_t *)a, y = *(const ext2_ino_t *)b;
        return x < y ? -1 : x > y;
}

static bool owners_finish(struct attr_ctx *c)
{
        size_t k = 0;

        if (!c->n_owner_inos)
                return true;
        qsort(c->owner_inos, c->n_owner_inos, sizeof(*c->owner_inos), ino_cmp);
        for (size_t i = 0; i < c->n_owner_inos; i++)
                if (k == 0 || c->owner_inos[k - 1] != c->owner_inos[i])
                        c->owner_inos[k++] = c->owner_inos[i];
        c->n_owner_inos = k;
        c->owner_parent = calloc(k, sizeof(*c->owner_parent));
        return c->owner_parent != NULL;
}

/* Index of ino in the sorted owner list, or -1. */
static ptrdiff_t owner_index(const struct attr_ctx *c, ext2_ino_t ino)
{
        const ext2_ino_t *f = c->owner_inos ? bsearch(&ino, c->owner_inos, c->n_owner_inos, sizeof(ino), ino_cmp)
                                            : NULL;
        return f ? f - c->owner_inos : -1;
}

static int block_cb(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk, int ref_offset,
                    void *priv)
{
        struct attr_ctx *c = priv;
        struct target key = { .fsblk = *blocknr };
        struct target *t;

        (void)fs;
        (void)ref_blk;
        (void)ref_offset;
        t = bsearch(&key, c->t, c->nt, sizeof(*c->t), target_cmp);
        if (!t)
                return 0;
        /* several targets may share the fs block (verity block < fs block): walk them all */
        while (t > c->t && (t - 1)->fsblk == key.fsblk)
                t--;
        for (; t < c->t + c->nt && t->fsblk == key.fsblk; t++) {
                struct slot *s = &c->slots[t->idx];
                bool dup = false;
                for (unsigned i = 0; i < s->n; i++)
                        if (s->own[i].ino == c->cur && s->own[i].meta == (blockcnt < 0))
                                dup = true;
                if (dup)
                        continue;
                if (s->n < MAX_OWNERS)
                        s->own[s->n++] = (struct owner){ .ino = c->cur, .meta = blockcnt < 0 };
                else
                        s->more++;
                add_owner_ino(c, c->cur);
        }
        return 0;
}

static int dir_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *dirent, int offset, int blocksize, char *buf,
                  void *priv)
{
        struct attr_ctx *c = priv;
        size_t nl = ext2fs_dirent_name_len(dirent);

        (void)entry;
        (void)offset;
        (void)blocksize;
        (void)buf;
        if (dirent->inode == 0 || (nl == 1 && dirent->name[0] == '.') ||
            (nl == 2 && dirent->name[0] == '.' && dirent->name[1] == '.'))
                return 0;
        {
                ptrdiff_t i = owner_index(c, dirent->inode);
                if (i >= 0 && c->owner_parent[i] == 0)
                        c->owner_parent[i] = dir;
        }
        return 0;
}

static const char *special_inode(ext2_ino_t ino)
{
        switch (ino) {
        case EXT2_BAD_INO:
                return "metadata (bad blocks inode)";
        case EXT2_ROOT_INO:
                return NULL;
        case EXT4_USR_QUOTA_INO:
        case EXT4_GRP_QUOTA_INO:
                return "metadata (quota)";
        case EXT2_BOOT_LOADER_INO:
                return "metadata (boot loader inode)";
        case EXT2_UNDEL_DIR_INO:
                return "metadata (undelete directory)";
        case EXT2_RESIZE_INO:
                return "metadata (resize inode)";
        case EXT2_JOURNAL_INO:
                return "metadata (journal)";
        case EXT2_EXCLUDE_INO:
                return "metadata (exclude inode)";
        case EXT4_REPLICA_INO:
                return "metadata (replica inode)";
        default:
                return NULL;
        }
}

/* Append to a malloc'd string. */
static bool sappend(char **s, const char *add)
{
        size_t ol = *s ? strlen(*s) : 0, al = strlen(add);
        char *n = realloc(*s, ol + al + 1);

        if (!n)
                return false;
        memcpy(n + ol, add, al + 1);
        *s = n;
        return true;
}

static char *describe(ext2_filsys fs, struct attr_ctx *c, const struct slot *s)
{
        char *out = NULL;

        if (s->n == 0)
                return strdup(s->any_used ? "metadata" : "free space");
        for (unsigned i = 0; i < s->n; i++) {
                ext2_ino_t ino = s->own[i].ino, parent = 0;
                const char *sp = special_inode(ino);
                char *path = NULL;
                char buf[64];
                struct ext2_inode inode;
                bool isdir = false;

                if (i && !sappend(&out, ", "))
                        goto oom;
                if (sp) {
                        if (!sappend(&out, sp))
                                goto oom;
                        continue;
                }
                if (ext2fs_read_inode(fs, ino, &inode) == 0)
                        isdir = LINUX_S_ISDIR(inode.i_mode);
                {
                        ptrdiff_t k = owner_index(c, ino);
                        if (k >= 0)
                                parent = c->owner_parent[k];
                }
                if (isdir)
                        ext2fs_get_pathname(fs, ino, 0, &path);
                else if (parent)
                        ext2fs_get_pathname(fs, parent, ino, &path);
                if (path) {
                        bool ok = sappend(&out, path);
                        ext2fs_free_mem(&path);
                        if (!ok)
                                goto oom;
                } else {
                        snprintf(buf, sizeof(buf), "<inode %u>", (unsigned)ino);
                        if (!sappend(&out, buf))
                                goto oom;
                }
                if (isdir && !sappend(&out, " (directory)"))
                        goto oom;
                if (s->own[i].meta && !sappend(&out, " (extent/indirect block)"))
                        goto oom;
        }
        if (s->more) {
                char buf[64];
                snprintf(buf, sizeof(buf), " and %u more", s->more);
                if (!sappend(&out, buf))
                        goto oom;
        }
        return out;
oom:
        free(out);
        return NULL;
}

static void quiet_com_err(const char *whoami, long code, const char *fmt, va_list ap)
{
        (void)whoami;
        (void)code;
        (void)fmt;
        (void)ap;
}

CT_EXPORT ct_code ct_verity_ext4_attribute(const char *image_path, uint32_t data_block_size, const uint64_t *blocks,
                                           size_t n, char ***ret, ct_error *err)
{
        ext2_filsys fs = NULL;
        ext2_inode_scan scan = NULL;
        struct attr_ctx c;
        char **out = NULL;
        errcode_t e;
        ct_code rc = CT_OK;
        size_t per;
        ext2_ino_t *dirs = NULL;
        size_t ndirs = 0, capdirs = 0;

        void (*old_hook)(const char *, long, const char *, va_list);

        memset(&c, 0, sizeof(c));
        if (n == 0) {
                *ret = NULL;
                return CT_OK;
        }
        old_hook = set_com_err_hook(quiet_com_err);
        e = ext2fs_open(image_path, EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0, 0, unix_io_manager, &fs);
        if (e) {
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "%s: not an ext2/3/4 file system libext2fs can open (%s)",
                                  image_path, error_message(e));
                goto out;
        }
        e = ext2fs_read_bitmaps(fs);
        if (e) {
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "%s: cannot read the ext4 bitmaps (%s)", image_path,
                                  error_message(e));
                goto out;
        }
        /* fs blocks covered by each verity block */
        per = data_block_size >= fs->blocksize ? data_block_size / fs->blocksize : 1;
        if (n > SIZE_MAX / per / sizeof(*c.t)) {
                rc = ct_error_set(err, CT_E_LIMIT, "too many blocks");
                goto out;
        }
        c.t = calloc(n * per, sizeof(*c.t));
        c.slots = calloc(n, sizeof(*c.slots));
        if (!c.t || !c.slots) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                uint64_t byte = blocks[i] * data_block_size;
                for (size_t k = 0; k < per; k++) {
                        blk64_t b = (blk64_t)(byte / fs->blocksize + k);
                        c.t[c.nt++] = (struct target){ .fsblk = b, .idx = i };
                        if (b < ext2fs_blocks_count(fs->super) && ext2fs_test_block_bitmap2(fs->block_map, b))
                                c.slots[i].any_used = true;
                }
        }
        qsort(c.t, c.nt, sizeof(*c.t), target_cmp);

        e = ext2fs_open_inode_scan(fs, 0, &scan);
        if (e) {
                rc = ct_error_set(err, CT_E_UNSUPPORTED, "%s: cannot scan inodes (%s)", image_path, error_message(e));
                goto out;
        }
        for (;;) {
                struct ext2_inode inode;
                ext2_ino_t ino;

                e = ext2fs_get_next_inode(scan, &ino, &inode);
                if (e == EXT2_ET_BAD_BLOCK_IN_INODE_TABLE)
                        continue;
                if (e || ino == 0)
                        break;
                if (!ext2fs_test_inode_bitmap2(fs->inode_map, ino) || inode.i_links_count == 0)
                        continue;
                if (LINUX_S_ISDIR(inode.i_mode)) {
                        if (ndirs == capdirs) {
                                size_t nc = capdirs ? capdirs * 2 : 64;
                                ext2_ino_t *d = realloc(dirs, nc * sizeof(*d));
                                if (!d) {
                                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                                        goto out;
                                }
                                dirs = d;
                                capdirs = nc;
                        }
                        dirs[ndirs++] = ino;
                }
                if (!ext2fs_inode_has_valid_blocks2(fs, &inode))
                        continue;
                c.cur = ino;
                (void)ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY, NULL, block_cb, &c);
                if (c.oom) {
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
        }
        /* names of the owners */
        if (!owners_finish(&c)) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        if (c.n_owner_inos)
                for (size_t i = 0; i < ndirs; i++)
                        (void)ext2fs_dir_iterate2(fs, dirs[i], 0, NULL, dir_cb, &c);

        out = calloc(n, sizeof(*out));
        if (!out) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                out[i] = describe(fs, &c, &c.slots[i]);
                if (!out[i]) {
                        ct_verity_strv_free(out, n);
                        out = NULL;
                        rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                        goto out;
                }
        }
        *ret = out;
out:
        if (scan)
                ext2fs_close_inode_scan(scan);
        if (fs)
                ext2fs_close_free(&fs);
        free(dirs);
        free(c.t);
        free(c.slots);
        free(c.owner_inos);
        free(c.owner_parent);
        if (old_hook)
                set_com_err_hook(old_hook);
        else
                reset_com_err_hook();
        return rc;
}
