/* SPDX-License-Identifier: Apache-2.0 */
/* cocotrust verity verify — every corrupt block, its ext4 file, FEC repair in memory. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/reader.h>
#include <cocotrust/verity.h>

#include "tool.h"
#include "verity-cli.h"

/* ---- verify --------------------------------------------------------------- */

static void verify_help(void)
{
        printf("Usage: %s verity verify DATA HASH ROOT_HASH [OPTIONS]\n\n"
               "Check DATA against the hash tree in HASH and ROOT_HASH. Unlike veritysetup, which\n"
               "stops at the first error, every corrupt data block and hash block is listed with\n"
               "its byte range; when DATA is an ext2/3/4 image, with the file each corrupt data\n"
               "block belongs to (or 'metadata' / 'free space').\n\n"
               "Parameters come from the superblock at --hash-offset of HASH, or with\n"
               "--no-superblock from --hash, --data-block-size, --hash-block-size,\n"
               "--data-blocks (default: the size of DATA), --salt, --format, --hash-offset\n"
               "(as for 'verity format'; -h is --hash, -s is --salt).\n\n"
               "Options:\n"
               "  --root-hash-file FILE   read ROOT_HASH from FILE (then omit it)\n"
               "  --no-ext4               do not attribute blocks to ext4 files\n"
               "  --fec-device FILE       on corruption, decode this FEC parity (--fec-roots N, default 2,\n"
               "                          --fec-offset BYTES), repair in memory and verify again:\n"
               "                          exit 0 when the repaired data verifies (nothing is written)\n"
               "  --threads N             hashing threads (default: online CPUs)\n"
               "  --json                  machine-readable report\n"
               "  -v, --verbose, --debug  as for 'verity format'\n\n"
               "Exit status: 0 intact, 1 corruption found (or root hash mismatch), 2 bad input\n"
               "(bad superblock, wrong parameters), 3 I/O or internal error.\n",
               program_name);
}

static const char *bad_kind_name(ct_verity_bad_kind k)
{
        switch (k) {
        case CT_VERITY_BAD_DATA:
                return "data";
        case CT_VERITY_BAD_HASH:
                return "hash";
        case CT_VERITY_BAD_SPARE:
                return "spare";
        }
        return "unknown";
}

int verb_verify(int argc, char **argv)
{
        struct popts o;
        bool no_ext4 = false;
        const char *args[3], *data, *hash;
        int data_fd = -1, hash_fd = -1, status;
        uint8_t root[CT_VERITY_MAX_DIGEST];
        size_t ds;
        ct_verity_report rep;
        ct_error err;
        ct_code rc;
        char **owners = NULL;
        uint64_t *dblocks = NULL;
        size_t n_d = 0;
        ct_verity_fec_check_result fres;
        bool fec_ran = false;

        memset(&fres, 0, sizeof(fres));
        if ((status = vcli_tree_args("verity verify", verify_help, "no-ext4", argc, argv, &o, &no_ext4, args)) >= 0)
                return status;
        data = args[0];
        hash = args[1];
        if ((status = tool_open_input(data, CT_INPUT_NO_STREAM, &data_fd)) != EXIT_OK)
                return status;
        if ((status = vcli_load_tree(&o, args, &hash_fd, root, &ds)))
                goto out;
        ct_error_clear(&err);
        /* before any data is hashed: HASH must hold the whole tree */
        if (ct_verity_hash_fd_check(&o.p, hash_fd, &err)) {
                status = tool_fail(&err, hash);
                goto out;
        }
        if (o.fec_device) {
                /* as veritysetup: when verification fails, the FEC parity is decoded and the repair checked */
                int fec_fd = -1;
                uint64_t covered = 0;
                if ((status = vcli_fec_covered(&o, hash, &covered)))
                        goto out;
                fec_fd = open(o.fec_device, O_RDONLY | O_CLOEXEC);
                if (fec_fd < 0) {
                        status = tool_errorf(EXIT_BAD_INPUT, "%s: cannot open: %s", o.fec_device, strerror(errno));
                        goto out;
                }
                rc = ct_verity_verify_fec_fd(data_fd, hash_fd, fec_fd, &o.p, root, ds, covered, o.threads, &rep, &fres,
                                             &err);
                close(fec_fd);
                fec_ran = (rc == CT_OK || rc == CT_E_MISMATCH) && rep.n_bad_data + rep.n_bad_hash > 0;
        } else {
                rc = ct_verity_verify_fd(data_fd, hash_fd, &o.p, root, ds, o.threads, &rep, &err);
        }
        if (rc != CT_OK && rc != CT_E_MISMATCH) {
                ct_verity_error_name(&err, data); /* a failed read of DATA names it */
                status = tool_fail(&err, o.fec_device && err.code != CT_E_IO ? o.fec_device : NULL);
                goto out;
        }
        if (o.debug)
                vcli_debug_geometry("verify", &o.p, &rep.geo);
        if (fec_ran)
                vcli_fec_note(&fres);
        /* ext4 attribution of the listed data blocks */
        for (size_t i = 0; i < rep.n_blocks; i++)
                if (rep.blocks[i].kind == CT_VERITY_BAD_DATA)
                        n_d++;
        if (n_d && !no_ext4 && ct_verity_ext4_probe_fd(data_fd)) {
                dblocks = calloc(n_d, sizeof(*dblocks));
                if (dblocks) {
                        size_t k = 0;
                        for (size_t i = 0; i < rep.n_blocks; i++)
                                if (rep.blocks[i].kind == CT_VERITY_BAD_DATA)
                                        dblocks[k++] = rep.blocks[i].block;
                        ct_error ae;
                        ct_error_clear(&ae);
                        if (ct_verity_ext4_attribute_isolated(data, o.p.data_block_size, dblocks, n_d, &owners, &ae))
                                fprintf(stderr, "%s: note: no file attribution: %s\n", program_name, ae.msg);
                }
        }
        if (o.json) {
                json_object *j = vcli_params_json(&o.p, &rep.geo);
                json_object *arr = json_object_new_array();
                char rh[2 * CT_VERITY_MAX_DIGEST + 1];
                size_t k = 0;
                tool_json_add_str(j, "data_device", data);
                tool_json_add_str(j, "hash_device", hash);
                tool_json_add_str(j, "root_hash", ct_hex_encode(root, ds, rh));
                tool_json_add_bool(j, "ok", rc == CT_OK && !fec_ran);
                tool_json_add_bool(j, "ok_after_fec_repair", rc == CT_OK);
                tool_json_add_bool(j, "root_hash_matches", rep.root_matches);
                tool_json_add_bool(j, "hash_truncated", rep.hash_truncated);
                tool_json_add_int(j, "corrupt_data_blocks", (int64_t)rep.n_bad_data);
                tool_json_add_int(j, "corrupt_hash_blocks", (int64_t)rep.n_bad_hash);
                tool_json_add_bool(j, "list_truncated", rep.n_blocks < rep.n_bad_data + rep.n_bad_hash);
                for (size_t i = 0; i < rep.n_blocks; i++) {
                        const ct_verity_bad_block *b = &rep.blocks[i];
                        json_object *e = json_object_new_object();
                        tool_json_add_str(e, "kind", bad_kind_name(b->kind));
                        tool_json_add_str(e, "device", b->kind == CT_VERITY_BAD_DATA ? data : hash);
                        tool_json_add_int(e, "block", (int64_t)b->block);
                        if (b->kind != CT_VERITY_BAD_DATA)
                                tool_json_add_int(e, "level", b->level);
                        tool_json_add_int(e, "offset", (int64_t)b->offset);
                        tool_json_add_int(e, "end", (int64_t)(b->offset + b->length - 1));
                        tool_json_add_bool(e, "parent_corrupt", b->parent_corrupt);
                        if (b->kind != CT_VERITY_BAD_DATA)
                                tool_json_add_bool(e, "spare_not_zero", b->spare_dirty);
                        if (b->kind == CT_VERITY_BAD_DATA && owners)
                                tool_json_add_str(e, "file", owners[k++]);
                        json_object_array_add(arr, e);
                }
                json_object_object_add(j, "corrupt", arr);
                if (fec_ran) {
                        json_object *fj = json_object_new_object();
                        tool_json_add_str(fj, "device", o.fec_device);
                        tool_json_add_int(fj, "blocks", (int64_t)fres.geometry.blocks);
                        tool_json_add_int(fj, "corrected_bytes", (int64_t)fres.corrected);
                        tool_json_add_int(fj, "uncorrectable_codewords", (int64_t)fres.uncorrectable);
                        tool_json_add_int(fj, "blocks_repaired", (int64_t)fres.blocks_repaired);
                        tool_json_add_bool(fj, "verified_after_repair", fres.verified_after_repair);
                        json_object_object_add(j, "fec", fj);
                }
                tool_json_print(j);
        } else {
                size_t k = 0;
                for (size_t i = 0; i < rep.n_blocks; i++) {
                        const ct_verity_bad_block *b = &rep.blocks[i];
                        if (b->kind == CT_VERITY_BAD_DATA) {
                                printf("corrupt data block %llu: %s bytes %llu-%llu", (unsigned long long)b->block,
                                       data, (unsigned long long)b->offset,
                                       (unsigned long long)(b->offset + b->length - 1));
                                if (owners)
                                        printf(" (%s)", owners[k++]);
                                if (b->parent_corrupt)
                                        printf(" [its hash block is corrupt too]");
                                printf("\n");
                        } else {
                                printf("corrupt hash block %llu (level %u): %s bytes %llu-%llu%s%s\n",
                                       (unsigned long long)b->block, b->level, hash, (unsigned long long)b->offset,
                                       (unsigned long long)(b->offset + b->length - 1),
                                       b->kind == CT_VERITY_BAD_SPARE || b->spare_dirty ? " [spare area not zeroed]" : "",
                                       b->level + 1 == rep.geo.levels && b->kind == CT_VERITY_BAD_HASH
                                               ? " [does not hash to the root hash]"
                                               : "");
                        }
                }
                if (rep.n_blocks < rep.n_bad_data + rep.n_bad_hash)
                        printf("(list truncated after %zu entries)\n", rep.n_blocks);
                if (rc == CT_OK && fec_ran)
                        printf("%s: %llu corrupt data blocks, %llu corrupt hash blocks, all repaired in memory from %s: "
                               "%llu data blocks and %llu hash blocks verified after repair\n",
                               data, (unsigned long long)rep.n_bad_data, (unsigned long long)rep.n_bad_hash,
                               o.fec_device, (unsigned long long)o.p.data_blocks,
                               (unsigned long long)rep.geo.tree_blocks);
                else if (rc == CT_OK)
                        printf("%s: %llu data blocks and %llu hash blocks verified\n", data,
                               (unsigned long long)o.p.data_blocks, (unsigned long long)rep.geo.tree_blocks);
                else if (fec_ran)
                        printf("%s: verification failed: %llu corrupt data blocks, %llu corrupt hash blocks, %s\n", data,
                               (unsigned long long)rep.n_bad_data, (unsigned long long)rep.n_bad_hash,
                               fres.uncorrectable ? "not repairable with the FEC device"
                                                  : "still corrupt after repair from the FEC device");
                else
                        printf("%s: verification failed: %llu corrupt data blocks, %llu corrupt hash blocks%s\n", data,
                               (unsigned long long)rep.n_bad_data, (unsigned long long)rep.n_bad_hash,
                               !rep.root_matches && rep.n_bad_hash + rep.n_bad_data == 1
                                       ? " (or the root hash given is not this tree's)"
                                       : "");
        }
        status = rc == CT_OK ? EXIT_OK : EXIT_VERIFY_FAILED;
        ct_verity_strv_free(owners, n_d);
        free(dblocks);
        ct_verity_report_free(&rep);
out:
        close(data_fd);
        if (hash_fd >= 0)
                close(hash_fd);
        return status;
}


/* ---- repair --------------------------------------------------------------- */

static void repair_help(void)
{
        printf("Usage: %s verity repair DATA HASH ROOT_HASH --fec-device FEC [OPTIONS]\n\n"
               "What 'verity verify --fec-device' corrects in memory, written back: DATA (and HASH\n"
               "when tree blocks were corrected) is copied to a temporary file beside it, the\n"
               "corrected blocks are put in, the copy is verified against ROOT_HASH and only then\n"
               "renamed over the original. When the errors cannot be repaired nothing is written.\n"
               "Block devices are refused unless --in-place is given.\n\n"
               "Parameters as for 'verity verify' (superblock of HASH, or --no-superblock and\n"
               "--hash, --data-block-size, ...; --fec-roots N, default 2; --fec-offset BYTES).\n\n"
               "Options:\n"
               "  --root-hash-file FILE   read ROOT_HASH from FILE (then omit it)\n"
               "  --fec-device FILE       the FEC parity (required)\n"
               "  --in-place              write the corrected blocks into DATA/HASH themselves (needed\n"
               "                          for block devices; still only after the repair verified in memory)\n"
               "  --threads N             hashing threads (default: online CPUs)\n"
               "  --json                  machine-readable report\n"
               "  -v, --verbose, --debug  as for 'verity format'\n\n"
               "Example:\n"
               "  %s verity repair rootfs.img rootfs.hash $(cat root.txt) --fec-device rootfs.fec\n\n"
               "Exit status: 0 intact or repaired, 1 not repairable (files unchanged), 2 bad input\n"
               "(bad superblock, wrong parameters, a block device without --in-place), 3 I/O error.\n",
               program_name, program_name);
}

int verb_repair(int argc, char **argv)
{
        struct popts o;
        bool in_place = false;
        const char *args[3], *data, *hash;
        int hash_fd = -1, status;
        uint8_t root[CT_VERITY_MAX_DIGEST];
        size_t ds;
        uint64_t covered = 0;
        ct_verity_report rep;
        ct_verity_fec_check_result fres;
        ct_verity_repair_result res;
        ct_error err;
        ct_code rc;

        memset(&rep, 0, sizeof(rep));
        memset(&fres, 0, sizeof(fres));
        memset(&res, 0, sizeof(res));
        if ((status = vcli_tree_args("verity repair", repair_help, "in-place", argc, argv, &o, &in_place, args)) >= 0)
                return status;
        if (!o.fec_device)
                return tool_usage("verity repair: --fec-device FEC is required; run '%s verity repair --help'",
                                  program_name);
        data = args[0];
        hash = args[1];
        /* HASH is opened even with --no-superblock: a missing HASH is refused before DATA is read */
        if ((status = vcli_load_tree(&o, args, &hash_fd, root, &ds)))
                return status;
        close(hash_fd);
        if ((status = vcli_fec_covered(&o, hash, &covered)))
                return status;
        ct_error_clear(&err);
        rc = ct_verity_repair(data, hash, o.fec_device, &o.p, root, ds, covered, o.threads,
                              in_place ? CT_VERITY_REPAIR_IN_PLACE : 0u, &rep, &fres, &res, &err);
        /* *rep is filled on success and when the errors are not repairable */
        if (rc != CT_OK && !(rc == CT_E_MISMATCH && rep.n_bad_data + rep.n_bad_hash > 0))
                return tool_fail(&err, NULL);
        if (o.debug)
                vcli_debug_geometry("repair", &o.p, &rep.geo);
        if (rep.n_bad_data + rep.n_bad_hash > 0)
                vcli_fec_note(&fres);
        if (o.json) {
                json_object *j = vcli_params_json(&o.p, &rep.geo);
                tool_json_add_str(j, "data_device", data);
                tool_json_add_str(j, "hash_device", hash);
                char rh[2 * CT_VERITY_MAX_DIGEST + 1];
                tool_json_add_str(j, "fec_device", o.fec_device);
                tool_json_add_str(j, "root_hash", ct_hex_encode(root, ds, rh));
                tool_json_add_bool(j, "ok", rc == CT_OK);
                tool_json_add_int(j, "corrupt_data_blocks", (int64_t)rep.n_bad_data);
                tool_json_add_int(j, "corrupt_hash_blocks", (int64_t)rep.n_bad_hash);
                tool_json_add_int(j, "corrected_bytes", (int64_t)fres.corrected);
                tool_json_add_int(j, "uncorrectable_codewords", (int64_t)fres.uncorrectable);
                tool_json_add_int(j, "data_blocks_written", (int64_t)res.data_blocks_written);
                tool_json_add_int(j, "hash_blocks_written", (int64_t)res.hash_blocks_written);
                tool_json_add_bool(j, "in_place", res.in_place);
                tool_json_print(j);
        } else if (rc == CT_OK && rep.n_bad_data + rep.n_bad_hash == 0) {
                printf("%s: intact, nothing to repair\n", data);
        } else if (rc == CT_OK) {
                printf("%s: repaired %llu data blocks and %llu hash blocks from %s%s; verified against the root hash\n",
                       data, (unsigned long long)res.data_blocks_written, (unsigned long long)res.hash_blocks_written,
                       o.fec_device, res.in_place ? " (in place)" : "");
        } else {
                printf("%s: not repaired (%llu corrupt data blocks, %llu corrupt hash blocks, %s); nothing written\n",
                       data, (unsigned long long)rep.n_bad_data, (unsigned long long)rep.n_bad_hash,
                       fres.uncorrectable ? "not repairable with the FEC device" : "still corrupt after FEC repair");
        }
        ct_verity_report_free(&rep);
        return rc == CT_OK ? EXIT_OK : EXIT_VERIFY_FAILED;
}
