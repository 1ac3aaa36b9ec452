/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust snp id-block — sev-snp-measure's snp-create-id-block with its
 * option names and output (ct_snp_id_block_sign), plus the ID block fields
 * it fixes (family / image IDs, version, guest SVN, policy) and --json.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/snp.h>

#include "snp-tool.h"
#include "tool.h"

enum {
        OPT_MEASUREMENT = 0x100,
        OPT_IDKEY,
        OPT_AUTHORKEY,
        OPT_FAMILY_ID,
        OPT_IMAGE_ID,
        OPT_ID_VERSION,
        OPT_GUEST_SVN,
        OPT_POLICY,
};

static void help(void)
{
        const char *prog = "cocotrust snp id-block";

        printf("Usage: %s --measurement DIGEST --idkey PEM --authorkey PEM [OPTIONS]\n"
               "\n"
               "Build the SNP ID block and ID authentication information for a launch digest, as sev-snp-measure's\n"
               "snp-create-id-block does (same options, same output), for QEMU's sev-snp-guest id-block= and\n"
               "id-auth= properties; and the SHA-384 digests of the two public keys that an attestation report\n"
               "carries as ID_KEY_DIGEST and AUTHOR_KEY_DIGEST.\n"
               "\n"
               "Options:\n"
               "  --measurement DIGEST   the launch digest: base64 (as sev-snp-measure) or 96 hex digits\n"
               "  --idkey PEM            ID private key (ECDSA P-384; PKCS#8 or 'EC PRIVATE KEY', no passphrase)\n"
               "  --authorkey PEM        author private key (ECDSA P-384)\n"
               "  --family-id HEX        16 bytes of hex (default zeros)\n"
               "  --image-id HEX         16 bytes of hex (default zeros)\n"
               "  --id-version N         ID block version (default 1)\n"
               "  --guest-svn N          guest SVN (default 0)\n"
               "  --policy N             guest policy (default 0x30000, as sev-snp-measure)\n"
               "  --json                 the ID block fields, both structures (base64) and the key digests (hex)\n"
               "  -h, --help             this help\n"
               "\n"
               "Output (as sev-snp-measure):\n"
               "  id-block=<base64>,id-auth=<base64>\n"
               "  id_key_hash: <base64 SHA-384>\n"
               "  author_key: <base64 SHA-384>\n"
               "The ECDSA signatures in id-auth are randomised: id-auth differs from run to run, the rest does not.\n"
               "\n"
               "Example:\n"
               "  %s --measurement \"$(cocotrust snp measure ... --output-format base64)\" \\\n"
               "      --idkey id_key.pem --authorkey author_key.pem\n"
               "\n"
               "Exit status: 0 ok, 2 bad input or usage, 3 I/O or internal error.\n",
               prog, prog);
}

static int hex16(const char *opt, const char *s, uint8_t out[16])
{
        size_t len = 0;

        if (ct_hex_decode(s, out, 16, &len, NULL) || len != 16)
                return tool_usage("argument %s: '%s' is not 16 bytes of hex", opt, s);
        return 0;
}

static int read_key(const char *path, ct_blob *b)
{
        ct_error err;

        ct_error_clear(&err);
        if (ct_blob_read(path, CT_MAX_SNP_KEY_FILE_SIZE, b, &err))
                return snp_fail_input(&err);
        return 0;
}

static void render(const ct_snp_id_block_params *p, const ct_snp_id_block *r, bool json)
{
        char *auth = malloc(4 * ((CT_SNP_ID_AUTH_SIZE + 2) / 3) + 1);
        char block[4 * ((CT_SNP_ID_BLOCK_SIZE + 2) / 3) + 1], d1[65], d2[65];

        if (!auth)
                abort();
        ct_base64_encode(r->id_block, sizeof(r->id_block), block);
        ct_base64_encode(r->id_auth, sizeof(r->id_auth), auth);
        if (json) {
                json_object *o = tool_json_new();

                tool_json_add_hex(o, "launch_digest", p->launch_digest, sizeof(p->launch_digest));
                tool_json_add_hex(o, "family_id", p->family_id, 16);
                tool_json_add_hex(o, "image_id", p->image_id, 16);
                tool_json_add_int(o, "version", p->version);
                tool_json_add_int(o, "guest_svn", p->guest_svn);
                snp_json_add_hex_u64(o, "policy", p->policy);
                tool_json_add_str(o, "id_block", block);
                tool_json_add_str(o, "id_auth", auth);
                tool_json_add_hex(o, "id_key_digest", r->id_key_digest, CT_SNP_LD_SIZE);
                tool_json_add_hex(o, "author_key_digest", r->author_key_digest, CT_SNP_LD_SIZE);
                tool_json_emit(o, NULL);
        } else {
                printf("id-block=%s,id-auth=%s\n", block, auth);
                printf("id_key_hash: %s\n", ct_base64_encode(r->id_key_digest, CT_SNP_LD_SIZE, d1));
                printf("author_key: %s\n", ct_base64_encode(r->author_key_digest, CT_SNP_LD_SIZE, d2));
        }
        free(auth);
}

int snp_verb_id_block(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "measurement", required_argument, NULL, OPT_MEASUREMENT },
                { "idkey", required_argument, NULL, OPT_IDKEY },
                { "authorkey", required_argument, NULL, OPT_AUTHORKEY },
                { "family-id", required_argument, NULL, OPT_FAMILY_ID },
                { "image-id", required_argument, NULL, OPT_IMAGE_ID },
                { "id-version", required_argument, NULL, OPT_ID_VERSION },
                { "guest-svn", required_argument, NULL, OPT_GUEST_SVN },
                { "policy", required_argument, NULL, OPT_POLICY },
                { NULL, 0, NULL, 0 },
        };
        struct tool_cmd cmd = TOOL_CMD("snp id-block", help);
        const char *meas = NULL, *idkey = NULL, *authorkey = NULL, *family = NULL, *image = NULL;
        const char *ver_s = NULL, *svn_s = NULL, *policy_s = NULL;
        bool json = false;
        uint8_t ld[CT_SNP_LD_SIZE];
        size_t len = 0;
        uint64_t u;
        ct_snp_id_block_params p;
        ct_snp_id_block *r = NULL;
        ct_blob ik = { 0 }, ak = { 0 };
        ct_error err;
        int c, ret = 0;

        ct_error_clear(&err);
        optind = 1;
        while ((c = tool_getopt(&cmd, argc, argv, "", longopts)) != -1) {
                switch (c) {
                case OPT_MEASUREMENT: meas = optarg; break;
                case OPT_IDKEY: idkey = optarg; break;
                case OPT_AUTHORKEY: authorkey = optarg; break;
                case OPT_FAMILY_ID: family = optarg; break;
                case OPT_IMAGE_ID: image = optarg; break;
                case OPT_ID_VERSION: ver_s = optarg; break;
                case OPT_GUEST_SVN: svn_s = optarg; break;
                case OPT_POLICY: policy_s = optarg; break;
                }
        }
        if (cmd.done)
                return cmd.status;
        json = cmd.json;
        if (optind < argc)
                return tool_usage("unexpected argument '%s'", argv[optind]);
        if (!idkey || !authorkey)
                return tool_usage("missing key files for id block (--idkey and --authorkey)");
        if (!meas)
                return tool_usage("missing --measurement (the launch digest, base64 or hex)");
        if ((strlen(meas) == 2 * CT_SNP_LD_SIZE ? ct_hex_decode(meas, ld, sizeof(ld), &len, NULL)
                                                : ct_base64_decode(meas, ld, sizeof(ld), &len, NULL)) ||
            len != CT_SNP_LD_SIZE)
                return tool_usage("argument --measurement: '%s' is not a 48-byte launch digest in base64 or hex", meas);
        ct_snp_id_block_defaults(&p, ld);
        if ((family && (ret = hex16("--family-id", family, p.family_id))) ||
            (image && (ret = hex16("--image-id", image, p.image_id))))
                return ret;
        if (ver_s) {
                if (!ct_snp_parse_u64(ver_s, &u) || u > UINT32_MAX || ver_s[0] == '-')
                        return tool_usage("argument --id-version: a 32-bit unsigned number expected, not '%s'", ver_s);
                p.version = (uint32_t)u;
        }
        if (svn_s) {
                if (!ct_snp_parse_u64(svn_s, &u) || u > UINT32_MAX || svn_s[0] == '-')
                        return tool_usage("argument --guest-svn: a 32-bit unsigned number expected, not '%s'", svn_s);
                p.guest_svn = (uint32_t)u;
        }
        if (policy_s && (!ct_snp_parse_u64(policy_s, &p.policy) || policy_s[0] == '-'))
                return tool_usage("argument --policy: a 64-bit unsigned number expected, not '%s'", policy_s);

        ret = read_key(idkey, &ik);
        if (!ret)
                ret = read_key(authorkey, &ak);
        if (ret)
                goto out;
        r = malloc(sizeof(*r));
        if (!r)
                abort();
        if (ct_snp_id_block_sign(&p, ik.data, ik.len, ak.data, ak.len, r, &err)) {
                ret = tool_fail(&err, strncmp(err.msg, "author key", 10) == 0 ? authorkey : idkey);
                goto out;
        }
        render(&p, r, json);
out:
        free(r);
        ct_blob_free(&ik);
        ct_blob_free(&ak);
        return ret;
}
