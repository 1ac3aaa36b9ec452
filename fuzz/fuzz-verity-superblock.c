/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the dm-verity superblock parser, then everything that
 * consumes a parsed superblock (geometry, FEC geometry, table line), and a
 * round trip: a superblock that parses must parse to the same parameters
 * after being rebuilt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/verity.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ct_verity_params p, q;
        ct_verity_geometry g;
        ct_verity_fec_geometry fg;
        uint8_t sb[CT_VERITY_SB_SIZE];
        uint8_t root[CT_VERITY_MAX_DIGEST] = { 0 };
        ct_error err;
        char *line = NULL;

        ct_verity_params_init(&p);
        if (ct_verity_superblock_parse(data, size, 0, &p, &err) != CT_OK)
                return 0;
        ct_verity_superblock_build(&p, sb);
        ct_verity_params_init(&q);
        if (ct_verity_superblock_parse(sb, sizeof(sb), 0, &q, &err) != CT_OK)
                abort();
        if (strcmp(p.hash_name, q.hash_name) || p.hash_type != q.hash_type ||
            p.data_block_size != q.data_block_size || p.hash_block_size != q.hash_block_size ||
            p.data_blocks != q.data_blocks || p.salt_size != q.salt_size || memcmp(p.salt, q.salt, p.salt_size) ||
            memcmp(p.uuid, q.uuid, 16))
                abort();
        if (ct_verity_geometry_compute(&p, &g, &err) != CT_OK)
                return 0;
        if (g.levels > CT_VERITY_MAX_LEVELS || g.hash_per_block < 2 || g.digest_size > CT_VERITY_MAX_DIGEST)
                abort();
        {
                ct_verity_table_opts o = { .data_dev = "/dev/vda", .hash_dev = "/dev/vdb" };
                if (ct_verity_table_line(&p, root, g.digest_size, &o, &line, &err) == CT_OK)
                        free(line);
        }
        if (p.data_block_size == p.hash_block_size) {
                p.fec_roots = 2u + (uint32_t)(p.data_blocks % 23u);
                (void)ct_verity_fec_geometry_compute(&p, g.tree_blocks, &fg, &err);
        }
        return 0;
}
