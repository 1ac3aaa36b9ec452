/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — GPT disk images as systemd-repart (and mkosi) build them:
 * partitions through util-linux's libfdisk, classified by the Discoverable
 * Partitions Specification's x86-64 type GUIDs; root / usr + verity +
 * verity-sig checked (superblock, tree, UUIDs derived from the root hash,
 * the signature JSON and its PKCS#7 signature through OpenSSL).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libfdisk/libfdisk.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <cocotrust/codec.h>
#include <cocotrust/fileio.h>
#include <cocotrust/reader.h>
#include <cocotrust/reference.h>
#include <cocotrust/verity.h>

#include "../internal.h"

static const struct {
        const char *guid;
        ct_image_part_kind kind;
} part_types[] = {
        { "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", CT_IMAGE_PART_ESP },
        { "bc13c2ff-59e6-4262-a352-b275fd6f7172", CT_IMAGE_PART_XBOOTLDR },
        { "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", CT_IMAGE_PART_ROOT },
        { "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5", CT_IMAGE_PART_ROOT_VERITY },
        { "41092b05-9fc8-4523-994f-2def0408b176", CT_IMAGE_PART_ROOT_VERITY_SIG },
        { "8484680c-9521-48c6-9c11-b0720656f69e", CT_IMAGE_PART_USR },
        { "77ff5f63-e7b6-4633-acf4-1565b864c0e6", CT_IMAGE_PART_USR_VERITY },
        { "e7bb33fb-06cf-4e81-8273-e543b413e2e2", CT_IMAGE_PART_USR_VERITY_SIG },
};

CT_EXPORT const char *ct_image_part_kind_name(ct_image_part_kind k)
{
        static const char *const names[] = { "other", "esp", "xbootldr", "root", "root-verity", "root-verity-sig",
                                             "usr", "usr-verity", "usr-verity-sig" };

        return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "other";
}

static void lower(char *s)
{
        for (; *s; s++)
                *s = (char)tolower((unsigned char)*s);
}

/* ---- verity-sig JSON ---- */

CT_EXPORT void ct_verity_sig_clear(ct_verity_sig *s)
{
        if (!s)
                return;
        free(s->signature);
        memset(s, 0, sizeof(*s));
}

CT_EXPORT ct_code ct_verity_sig_parse(const uint8_t *buf, size_t len, ct_verity_sig *ret, ct_error *err)
{
        ct_verity_sig s = { 0 };
        json_tokener *tok;
        json_object *root = NULL, *v;
        size_t n = 0, dlen;
        ct_reader r;
        ct_code rc = CT_OK;
        const char *sig;

        if (!buf && len)
                return ct_error_set(err, CT_E_ARG, "no buffer");
        if (len > CT_MAX_VERITY_SIG_BYTES)
                return ct_error_set(err, CT_E_LIMIT, "verity-sig partition larger than %u bytes", CT_MAX_VERITY_SIG_BYTES);
        /* The JSON, then NUL padding only. */
        ct_reader_init(&r, buf, len, 0);
        while (n < len && buf[n])
                n++;
        for (size_t i = n; i < len; i++)
                if (buf[i]) {
                        return ct_error_set_at(err, CT_E_MALFORMED, i, "verity-sig: data after the JSON's NUL padding at offset %zu", i);
                }
        if (n == 0)
                return ct_error_set(err, CT_E_MALFORMED, "verity-sig: empty partition (no signature JSON)");
        (void)ct_reader_ptr(&r, n, "verity-sig.json");
        tok = json_tokener_new_ex(4);
        if (!tok)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, (const char *)buf, (int)n);
        if (!root || json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != n) {
                rc = ct_error_set_at(err, CT_E_MALFORMED, json_tokener_get_parse_end(tok),
                                     "verity-sig: JSON: %s at offset %zu",
                                     json_tokener_get_error(tok) == json_tokener_success ? "data after the object"
                                                                                         : json_tokener_error_desc(json_tokener_get_error(tok)),
                                     json_tokener_get_parse_end(tok));
                json_tokener_free(tok);
                json_object_put(root);
                return rc;
        }
        json_tokener_free(tok);
        if (!json_object_is_type(root, json_type_object)) {
                rc = ct_error_set(err, CT_E_MALFORMED, "verity-sig: the JSON is not an object");
                goto out;
        }
        json_object_object_foreach(root, key, val)
        {
                (void)val;
                if (strcmp(key, "rootHash") && strcmp(key, "certificateFingerprint") && strcmp(key, "signature")) {
                        rc = ct_error_set(err, CT_E_MALFORMED, "verity-sig: unknown key \"%.64s\"", key);
                        goto out;
                }
        }
        if (!json_object_object_get_ex(root, "rootHash", &v) || !json_object_is_type(v, json_type_string) ||
            ct_hex_decode(json_object_get_string(v), s.root_hash, sizeof(s.root_hash), &s.root_hash_len, NULL) ||
            s.root_hash_len == 0) {
                rc = ct_error_set(err, CT_E_MALFORMED, "verity-sig: \"rootHash\" missing or not hex");
                goto out;
        }
        if (json_object_object_get_ex(root, "certificateFingerprint", &v)) {
                size_t fl = 0;

                if (!json_object_is_type(v, json_type_string) ||
                    ct_hex_decode(json_object_get_string(v), s.certificate_fingerprint, 32, &fl, NULL) || fl != 32) {
                        rc = ct_error_set(err, CT_E_MALFORMED, "verity-sig: \"certificateFingerprint\" is not 64 hex digits");
                        goto out;
                }
                s.has_fingerprint = true;
        }
        if (!json_object_object_get_ex(root, "signature", &v) || !json_object_is_type(v, json_type_string)) {
                rc = ct_error_set(err, CT_E_MALFORMED, "verity-sig: \"signature\" missing or not a string");
                goto out;
        }
        sig = json_object_get_string(v);
        dlen = strlen(sig) / 4 * 3 + 3;
        s.signature = malloc(dlen);
        if (!s.signature) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        if (ct_base64_decode(sig, s.signature, dlen, &s.signature_len, NULL) || s.signature_len == 0) {
                rc = ct_error_set(err, CT_E_MALFORMED, "verity-sig: \"signature\" is not base64");
                goto out;
        }
out:
        json_object_put(root);
        if (rc) {
                ct_verity_sig_clear(&s);
                return rc;
        }
        *ret = s;
        return CT_OK;
}

static ct_code load_cert(const char *path, X509 **ret, uint8_t fpr[32], ct_error *err)
{
        BIO *b = BIO_new_file(path, "r");
        X509 *x;
        unsigned int n = 0;

        if (!b)
                return ct_error_set_open(err, errno ? errno : ENOENT, path, "cannot open the certificate");
        x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        BIO_free(b);
        if (!x)
                return ct_error_set(err, CT_E_MALFORMED, "%s: not a PEM certificate", path);
        if (!X509_digest(x, EVP_sha256(), fpr, &n) || n != 32) {
                X509_free(x);
                return ct_error_set(err, CT_E_CRYPTO, "%s: cannot compute the fingerprint", path);
        }
        *ret = x;
        return CT_OK;
}

CT_EXPORT ct_code ct_verity_sig_verify(const ct_verity_sig *sig, const char *cert_path, ct_error *err)
{
        const uint8_t *p = sig->signature;
        PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)sig->signature_len);
        X509 *x = NULL;
        STACK_OF(X509) *certs = NULL;
        BIO *data = NULL;
        char hex[2 * CT_HASH_MAX_SIZE + 1];
        uint8_t fpr[32];
        ct_code rc;

        if (!p7)
                return ct_error_set(err, CT_E_MALFORMED, "verity-sig: the signature is not DER PKCS#7");
        rc = load_cert(cert_path, &x, fpr, err);
        if (rc)
                goto out;
        certs = sk_X509_new_null();
        if (!certs || !sk_X509_push(certs, x)) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        ct_hex_encode(sig->root_hash, sig->root_hash_len, hex);
        data = BIO_new_mem_buf(hex, (int)strlen(hex));
        if (!data) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        /* The given certificate is the trust anchor: signer taken from it, no chain building. */
        if (PKCS7_verify(p7, certs, NULL, data, NULL, PKCS7_NOINTERN | PKCS7_NOVERIFY | PKCS7_BINARY | PKCS7_DETACHED) != 1)
                rc = ct_error_set(err, CT_E_MISMATCH, "verity-sig: the PKCS#7 signature does not verify with %s", cert_path);
out:
        BIO_free(data);
        if (certs)
                sk_X509_free(certs);
        X509_free(x);
        PKCS7_free(p7);
        return rc;
}

/* ---- the ESP, through mtools ---- */

extern char **environ;

/* Run argv (argv[0] looked up in PATH) with stdout into out (cap bytes, NUL-terminated) or /dev/null. */
static int run_tool(char *const argv[], char *out, size_t cap, size_t *ret_len)
{
        posix_spawn_file_actions_t fa;
        int pipefd[2], status = 0;
        pid_t pid;
        size_t n = 0;
        char *envp[64];
        size_t ne = 0;

        for (char **e = environ; *e && ne < 62; e++)
                envp[ne++] = *e;
        envp[ne++] = (char *)"MTOOLS_SKIP_CHECK=1";
        envp[ne] = NULL;
        if (pipe(pipefd) != 0)
                return -1;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addclose(&fa, pipefd[0]);
        if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                close(pipefd[0]);
                close(pipefd[1]);
                return -2;
        }
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        for (;;) {
                char tmp[4096];
                ssize_t r = read(pipefd[0], tmp, sizeof(tmp));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                for (ssize_t i = 0; i < r; i++)
                        if (out && n + 1 < cap)
                                out[n++] = tmp[i];
        }
        close(pipefd[0]);
        if (out)
                out[n] = 0;
        if (ret_len)
                *ret_len = n;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void list_ukis(const char *path, ct_image_report *rep, const ct_image_partition *p)
{
        char spec[4200], *out = malloc(65536), *line, *save = NULL;
        char *argv[] = { (char *)"mdir", (char *)"-i", spec, (char *)"-b", (char *)"::/EFI/Linux", NULL };
        int st;

        if (!out) {
                snprintf(rep->esp_note, sizeof(rep->esp_note), "out of memory");
                return;
        }
        snprintf(spec, sizeof(spec), "%s@@%llu", path, (unsigned long long)p->offset);
        st = run_tool(argv, out, 65536, NULL);
        if (st == -2 || st == 127) {
                snprintf(rep->esp_note, sizeof(rep->esp_note), "mtools (mdir) is not installed: UKIs in the ESP not listed");
        } else if (st != 0) {
                /* No /EFI/Linux, or not a FAT file system: no UKIs there. */
        } else {
                for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        size_t l = strlen(line);

                        if (strncmp(line, "::/", 3) != 0 || l < 8 || strcasecmp(line + l - 4, ".efi") != 0)
                                continue;
                        if (rep->n_ukis >= CT_MAX_IMAGE_UKIS)
                                break;
                        rep->ukis[rep->n_ukis].part = p->number;
                        snprintf(rep->ukis[rep->n_ukis].path, sizeof(rep->ukis[0].path), "%s", line + 3);
                        rep->n_ukis++;
                }
        }
        free(out);
}

CT_EXPORT ct_code ct_image_extract_uki(const char *path, const ct_image_report *rep, const ct_image_uki *u, const char *out_path,
                             ct_error *err)
{
        const ct_image_partition *p = NULL;
        char spec[4200], src[300];
        char *argv[] = { (char *)"mcopy", (char *)"-n", (char *)"-i", spec, src, (char *)out_path, NULL };
        int st;

        for (size_t i = 0; i < rep->n_parts; i++)
                if (rep->parts[i].number == u->part)
                        p = &rep->parts[i];
        if (!p)
                return ct_error_set(err, CT_E_ARG, "no partition %u", u->part);
        snprintf(spec, sizeof(spec), "%s@@%llu", path, (unsigned long long)p->offset);
        snprintf(src, sizeof(src), "::/%s", u->path);
        unlink(out_path);
        st = run_tool(argv, NULL, 0, NULL);
        if (st == -2 || st == 127)
                return ct_error_set(err, CT_E_IO, "mtools (mcopy) is not installed (apt-get install mtools)");
        if (st != 0)
                return ct_error_set(err, CT_E_IO, "%s: mcopy of %s from partition %u failed (exit %d)", path, u->path,
                                    u->part, st);
        return CT_OK;
}

/* ---- the image ---- */

/* A private copy of bytes [off, off+len) of fd, for APIs that read from offset 0. */
static int copy_range(int fd, uint64_t off, uint64_t len, ct_error *err)
{
        char tmpl[] = "/tmp/cocotrust-part.XXXXXX";
        const char *td = getenv("TMPDIR");
        char path[512];
        int out;
        uint8_t *buf;

        snprintf(path, sizeof(path), "%s/cocotrust-part.XXXXXX", td && *td ? td : "/tmp");
        out = mkstemp(path[0] ? path : tmpl);
        if (out < 0) {
                ct_error_set_errno(err, errno, "temporary file");
                return -1;
        }
        unlink(path);
        buf = malloc(1 << 20);
        if (!buf) {
                close(out);
                ct_error_set(err, CT_E_NOMEM, "out of memory");
                return -1;
        }
        for (uint64_t done = 0; done < len;) {
                size_t n = len - done < (1 << 20) ? (size_t)(len - done) : (1 << 20);

                if (ct_pread_all(fd, buf, n, off + done, err) || ct_pwrite_all(out, buf, n, done, err)) {
                        free(buf);
                        close(out);
                        return -1;
                }
                done += n;
        }
        free(buf);
        return out;
}

static void check_verity(int fd, const ct_image_report *rep, const ct_image_partition *data, const ct_image_partition *hash,
                         const ct_image_partition *sigp, const char *cert_path, unsigned threads, ct_image_verity *v)
{
        ct_verity_params p;
        ct_error e;
        int dfd = -1;
        ct_verity_report vr;
        uint8_t want_uuid[32];
        char u1[33], u2[33];
        (void)rep;

        v->data_part = data->number;
        v->hash_part = hash->number;
        ct_verity_params_init(&p);
        p.hash_offset = hash->offset;
        if (ct_verity_read_superblock(fd, &p, &e)) {
                snprintf(v->error, sizeof(v->error), "hash partition %u: %.400s", hash->number, e.msg);
                return;
        }
        snprintf(v->hash_name, sizeof(v->hash_name), "%s", p.hash_name);
        v->hash_type = p.hash_type;
        v->data_block_size = p.data_block_size;
        v->hash_block_size = p.hash_block_size;
        v->data_blocks = p.data_blocks;
        v->hash_offset = 0;
        v->salt_len = p.salt_size;
        memcpy(v->salt, p.salt, p.salt_size);
        {
                const uint8_t *u = p.uuid;

                snprintf(v->sb_uuid, sizeof(v->sb_uuid), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
        }
        if (p.data_blocks > data->size / p.data_block_size) {
                snprintf(v->error, sizeof(v->error), "superblock: %" PRIu64 " data blocks do not fit partition %u",
                         p.data_blocks, data->number);
                return;
        }
        dfd = copy_range(fd, data->offset, p.data_blocks * p.data_block_size, &e);
        if (dfd < 0) {
                snprintf(v->error, sizeof(v->error), "%s", e.msg);
                return;
        }
        v->root_hash_len = ct_verity_digest_size(p.hash_name);
        if (ct_verity_root_fd(dfd, &p, threads, v->root_hash, sizeof(v->root_hash), &e)) {
                snprintf(v->error, sizeof(v->error), "%s", e.msg);
                v->root_hash_len = 0;
                close(dfd);
                return;
        }
        memset(&vr, 0, sizeof(vr));
        if (ct_verity_verify_fd(dfd, fd, &p, v->root_hash, v->root_hash_len, threads, &vr, &e) == CT_OK) {
                v->tree_ok = true;
        } else {
                v->bad_data = vr.n_bad_data;
                v->bad_hash = vr.n_bad_hash;
                if (vr.n_bad_data == 0 && vr.n_bad_hash == 0)
                        v->bad_hash = 1;
        }
        ct_verity_report_free(&vr);
        close(dfd);
        /* repart: data partition UUID = first 128 bits, verity partition UUID = last 128 bits of the root hash. */
        if (v->root_hash_len >= 32) {
                memcpy(want_uuid, v->root_hash, 16);
                memcpy(want_uuid + 16, v->root_hash + v->root_hash_len - 16, 16);
                ct_hex_encode(want_uuid, 16, u1);
                ct_hex_encode(want_uuid + 16, 16, u2);
                char d[33], h[33];
                size_t k = 0;

                for (const char *s = data->uuid; *s && k < 32; s++)
                        if (*s != '-')
                                d[k++] = *s;
                d[k] = 0;
                k = 0;
                for (const char *s = hash->uuid; *s && k < 32; s++)
                        if (*s != '-')
                                h[k++] = *s;
                h[k] = 0;
                v->uuids_match = strcmp(d, u1) == 0 && strcmp(h, u2) == 0;
        }
        if (sigp) {
                uint8_t *buf;
                ct_verity_sig s;

                v->sig_present = true;
                v->sig_part = sigp->number;
                v->sig_verified = -1;
                if (sigp->size > CT_MAX_VERITY_SIG_BYTES) {
                        snprintf(v->error, sizeof(v->error), "verity-sig partition larger than 1 MiB");
                        return;
                }
                buf = malloc(sigp->size ? sigp->size : 1);
                if (!buf || ct_pread_all(fd, buf, sigp->size, sigp->offset, &e) ||
                    ct_verity_sig_parse(buf, sigp->size, &s, &e)) {
                        snprintf(v->error, sizeof(v->error), "%s", buf ? e.msg : "out of memory");
                        free(buf);
                        return;
                }
                free(buf);
                v->sig_root_matches = s.root_hash_len == v->root_hash_len &&
                                      CRYPTO_memcmp(s.root_hash, v->root_hash, v->root_hash_len) == 0;
                if (cert_path) {
                        X509 *x = NULL;
                        uint8_t fpr[32];

                        if (load_cert(cert_path, &x, fpr, &e) == CT_OK) {
                                v->sig_fingerprint_matches = s.has_fingerprint && memcmp(fpr, s.certificate_fingerprint, 32) == 0;
                                X509_free(x);
                        }
                        /* Verify over our root hash: a signature over another hash must not pass. */
                        memcpy(s.root_hash, v->root_hash, v->root_hash_len);
                        s.root_hash_len = v->root_hash_len;
                        if (ct_verity_sig_verify(&s, cert_path, &e) == CT_OK) {
                                v->sig_verified = 1;
                        } else {
                                v->sig_verified = 0;
                                snprintf(v->error, sizeof(v->error), "%s", e.msg);
                        }
                }
                ct_verity_sig_clear(&s);
        }
}

CT_EXPORT ct_code ct_image_inspect(const char *path, const char *cert_path, unsigned threads, ct_image_report **ret,
                         ct_error *err)
{
        struct fdisk_context *cxt = NULL;
        struct fdisk_table *tb = NULL;
        struct fdisk_iter *it = NULL;
        struct fdisk_partition *pa = NULL;
        ct_image_report *rep;
        char *id = NULL;
        int fd = -1, r;
        ct_code rc = CT_OK;

        rep = calloc(1, sizeof(*rep));
        if (!rep)
                return ct_error_set(err, CT_E_NOMEM, "out of memory");
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                rc = ct_error_set_open(err, errno, path, "cannot open the image");
                goto out;
        }
        cxt = fdisk_new_context();
        if (!cxt) {
                rc = ct_error_set(err, CT_E_NOMEM, "out of memory");
                goto out;
        }
        r = fdisk_assign_device(cxt, path, 1);
        if (r < 0) {
                rc = ct_error_set(err, CT_E_MALFORMED, "%s: libfdisk cannot read it (%s)", path, strerror(-r));
                goto out;
        }
        if (!fdisk_has_label(cxt) || !fdisk_is_labeltype(cxt, FDISK_DISKLABEL_GPT)) {
                rc = ct_error_set(err, CT_E_MALFORMED, "%s: no GPT partition table", path);
                goto out;
        }
        rep->sector_size = fdisk_get_sector_size(cxt);
        if (fdisk_get_disklabel_id(cxt, &id) == 0 && id) {
                snprintf(rep->disk_uuid, sizeof(rep->disk_uuid), "%s", id);
                lower(rep->disk_uuid);
        }
        if (fdisk_get_partitions(cxt, &tb) < 0 || !(it = fdisk_new_iter(FDISK_ITER_FORWARD))) {
                rc = ct_error_set(err, CT_E_MALFORMED, "%s: cannot list the partitions", path);
                goto out;
        }
        while (fdisk_table_next_partition(tb, it, &pa) == 0) {
                ct_image_partition *p;
                struct fdisk_parttype *t = fdisk_partition_get_type(pa);
                const char *ts = t ? fdisk_parttype_get_string(t) : NULL, *u = fdisk_partition_get_uuid(pa),
                           *nm = fdisk_partition_get_name(pa);
                uint64_t start = fdisk_partition_get_start(pa), size = fdisk_partition_get_size(pa);

                if (rep->n_parts >= CT_MAX_IMAGE_PARTITIONS) {
                        rc = ct_error_set(err, CT_E_LIMIT, "%s: more than %d partitions", path, CT_MAX_IMAGE_PARTITIONS);
                        goto out;
                }
                p = &rep->parts[rep->n_parts++];
                p->number = (uint32_t)fdisk_partition_get_partno(pa) + 1;
                snprintf(p->type_guid, sizeof(p->type_guid), "%s", ts ? ts : "");
                snprintf(p->uuid, sizeof(p->uuid), "%s", u ? u : "");
                snprintf(p->label, sizeof(p->label), "%s", nm ? nm : "");
                lower(p->type_guid);
                lower(p->uuid);
                if (__builtin_mul_overflow(start, rep->sector_size, &p->offset) ||
                    __builtin_mul_overflow(size, rep->sector_size, &p->size)) {
                        rc = ct_error_set(err, CT_E_MALFORMED, "%s: partition %u: offset overflows", path, p->number);
                        goto out;
                }
                for (size_t i = 0; i < sizeof(part_types) / sizeof(part_types[0]); i++)
                        if (strcmp(p->type_guid, part_types[i].guid) == 0)
                                p->kind = part_types[i].kind;
        }
        rep->ok = true;
        for (size_t i = 0; i < rep->n_parts; i++)
                if (rep->parts[i].kind == CT_IMAGE_PART_ESP || rep->parts[i].kind == CT_IMAGE_PART_XBOOTLDR)
                        list_ukis(path, rep, &rep->parts[i]);
        for (int which = 0; which < 2; which++) {
                ct_image_part_kind dk = which ? CT_IMAGE_PART_USR : CT_IMAGE_PART_ROOT;
                const ct_image_partition *d = NULL, *h = NULL, *s = NULL;

                for (size_t i = 0; i < rep->n_parts; i++) {
                        if (rep->parts[i].kind == dk && !d)
                                d = &rep->parts[i];
                        if (rep->parts[i].kind == dk + 1 && !h)
                                h = &rep->parts[i];
                        if (rep->parts[i].kind == dk + 2 && !s)
                                s = &rep->parts[i];
                }
                if (!d || !h)
                        continue;
                ct_image_verity *v = &rep->verity[rep->n_verity++];

                v->name = which ? "usr" : "root";
                check_verity(fd, rep, d, h, s, cert_path, threads, v);
                if (!v->root_hash_len || !v->tree_ok || !v->uuids_match ||
                    (v->sig_present && (!v->sig_root_matches || v->sig_verified == 0 ||
                                        (cert_path && !v->sig_fingerprint_matches))))
                        rep->ok = false;
        }
out:
        free(id);
        fdisk_free_iter(it);
        fdisk_unref_table(tb);
        fdisk_unref_context(cxt);
        if (fd >= 0)
                close(fd);
        if (rc) {
                free(rep);
                return rc;
        }
        *ret = rep;
        return CT_OK;
}
