/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocotrust — the input and output layer.
 *
 * Inputs (ct_input_open, ct_blob_read): a path names a regular file, a block
 * device, a file of a pseudo file system that reports size 0 or a wrong size
 * (sysfs, securityfs, procfs, debugfs, configfs, efivarfs: read to EOF), a
 * FIFO or pipe (also /dev/fd/N), or "-" for standard input (streamed once;
 * ct_blob_read buffers it, so it can be read twice). Character devices and
 * sockets are refused; a terminal on standard input is refused. Every read
 * is bounded by the limit of its kind of input (the caller's `max`, else
 * CT_INPUT_STREAM_MAX): `/dev/zero` or `yes |` end with CT_E_INPUT/CT_E_LIMIT.
 * A file mapped while it shrinks ends the process with a message and exit
 * status 3 (not a bare SIGBUS) once ct_io_signals_install ran.
 *
 * Outputs (ct_atomic_*, ct_outputs_*): written to a temporary file beside
 * the target and renamed over it when complete; several outputs of one run
 * form a set that is renamed only when all are complete. Temporaries are
 * removed on SIGINT, SIGTERM and SIGHUP (after ct_io_signals_install); an
 * existing target keeps its mode; a target named through a symlink is
 * resolved and the file it points to replaced; runs of zero blocks written
 * through ct_atomic_write stay holes.
 *
 * Every limit is listed in docs/inputs.md.
 */
#ifndef COCOTRUST_FILEIO_H
#define COCOTRUST_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cocotrust/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Regular files at least this large are mapped, smaller ones read into memory. */
#define CT_INPUT_MAP_MIN (64ull << 20)
/* Bound of a streamed input (pipe, FIFO, stdin, pseudo file) when the caller gives none. */
#define CT_INPUT_STREAM_MAX (4ull << 30)
/* How long a FIFO without a writer is waited for before it counts as empty. */
#define CT_INPUT_FIFO_WAIT_MS 5000
/* A pseudo-file-system file (sysfs, securityfs, ...) is read up to this size unless the caller says less. */
#define CT_INPUT_PSEUDO_MAX (256ull << 20)

typedef enum ct_input_kind {
        CT_INPUT_FILE = 1,   /* regular file, size known */
        CT_INPUT_BLOCK,      /* block device, size known */
        CT_INPUT_PSEUDO,     /* sysfs/procfs/securityfs file: size unknown, read to EOF */
        CT_INPUT_STREAM,     /* pipe, FIFO, standard input: read once to EOF */
} ct_input_kind;

/* Flags of ct_input_open / ct_input_openat. */
#define CT_INPUT_REGULAR_ONLY (1u << 0) /* only regular files (entries of a directory input) */
#define CT_INPUT_NO_STREAM    (1u << 1) /* refuse pipes, FIFOs and stdin (the caller must seek) */
#define CT_INPUT_DIRECTORY    (1u << 2) /* a directory is wanted (fd for openat) */

/*
 * Open an input for reading, never blocking in open() (a FIFO waits at most
 * CT_INPUT_FIFO_WAIT_MS for a writer). "-" is standard input (a duplicate of
 * fd 0). On success *ret_fd is a blocking descriptor (close it), *ret_kind
 * its kind and *ret_size the size for FILE/BLOCK (0 otherwise). Errors:
 * CT_E_INPUT (missing, not permitted, wrong file type: the message says what
 * was expected), CT_E_IO. err->input is set to path.
 */
ct_code ct_input_open(const char *path, unsigned flags, int *ret_fd, ct_input_kind *ret_kind, uint64_t *ret_size,
                      ct_error *err);

/* As ct_input_open for `name` in directory dfd (O_NOFOLLOW: a symlink entry is refused). */
ct_code ct_input_openat(int dfd, const char *name, unsigned flags, int *ret_fd, ct_input_kind *ret_kind,
                        uint64_t *ret_size, ct_error *err);

/*
 * Read all of fd (a stream) to EOF into a malloc'ed buffer, at most `max`
 * bytes (CT_E_LIMIT beyond, naming the limit). *ret is NULL for an empty input.
 */
ct_code ct_read_all_fd(int fd, uint64_t max, uint8_t **ret, size_t *ret_len, ct_error *err);

/*
 * Install the handlers of the output layer (once, from main): SIGINT,
 * SIGTERM, SIGHUP remove every open temporary and end the process as the
 * signal would; SIGBUS in a mapped input prints
 * "<program>: <path>: the file shrank while it was read" and exits 3.
 */
void ct_io_signals_install(const char *program_name);

/* A read-only view of a whole file. */
typedef struct ct_blob {
        const uint8_t *data;
        size_t len;
        int mapped_; /* internal */
} ct_blob;

/*
 * The whole input at path (any kind ct_input_open accepts; "-" is standard
 * input), mapped or read. Limit: `max` bytes (0 = CT_INPUT_STREAM_MAX for
 * streams and pseudo files, none for regular files and block devices; beyond
 * it CT_E_LIMIT). Release with ct_blob_free (NULL-safe). Empty inputs give
 * data == NULL, len == 0.
 */
ct_code ct_blob_read(const char *path, uint64_t max, ct_blob *ret, ct_error *err);
void ct_blob_free(ct_blob *b);

/* Atomic writer. */
typedef struct ct_atomic_file {
        int fd;          /* write to this (pwrite is fine too) */
        char *tmp_path;  /* owned */
        char *path;      /* owned, final name (a symlink resolved) */
        uint64_t pos_;   /* internal: end of what ct_atomic_write wrote */
        int slot_;       /* internal: signal-cleanup slot */
} ct_atomic_file;

/*
 * Create a temporary file next to path, or next to the file a symlink at
 * path points to. Mode: the existing file's, else 0644 minus umask. A
 * directory or device at path is refused (CT_E_INPUT).
 */
ct_code ct_atomic_open(const char *path, ct_atomic_file *ret, ct_error *err);

/* Write all of buf to the temporary file (retries short writes, EINTR); aligned 4 KiB zero blocks become holes. */
ct_code ct_atomic_write(ct_atomic_file *f, const void *buf, size_t len, ct_error *err);

/* fsync, rename over path, fsync the directory; frees f. */
ct_code ct_atomic_commit(ct_atomic_file *f, ct_error *err);

/* Remove the temporary file and free f. NULL-safe and safe after commit. */
void ct_atomic_abort(ct_atomic_file *f);

/*
 * A set of outputs of one run: each written to its temporary; commit
 * fsyncs all, then renames all, so a run that fails before commit changes
 * none of the targets. At most CT_OUTPUTS_MAX files.
 */
#define CT_OUTPUTS_MAX 64
typedef struct ct_outputs ct_outputs;

ct_code ct_outputs_new(ct_outputs **ret, ct_error *err);

/*
 * Open the temporary of one more output; *ret stays owned by s (write to
 * (*ret)->fd or ct_atomic_write). An output that is the same file as one
 * added before or as an input of the set, under any spelling ("./h" and "h",
 * a symlink, a hard link: same device and inode of an existing file, same
 * resolved path of a new one), is refused: CT_E_ARG naming both paths.
 */
ct_code ct_outputs_add(ct_outputs *s, const char *path, ct_atomic_file **ret, ct_error *err);

/* Record an input of the run: no output added later may be the same file (as ct_outputs_add). */
ct_code ct_outputs_add_input(ct_outputs *s, const char *path, ct_error *err);

/* Do the paths name one file, as ct_outputs_add compares them (also for files not yet there)? */
bool ct_paths_same_file(const char *a, const char *b);

/* Make every output final. On error the targets not yet renamed are unchanged and the temporaries removed. */
ct_code ct_outputs_commit(ct_outputs *s, ct_error *err);

/* Remove the temporaries not committed and free s. NULL-safe. */
void ct_outputs_free(ct_outputs *s);

/* One call: write buf to path atomically. */
ct_code ct_write_file_atomic(const char *path, const void *buf, size_t len, ct_error *err);

/* Write all of buf at offset (pwrite loop). */
ct_code ct_pwrite_all(int fd, const void *buf, size_t len, uint64_t offset, ct_error *err);

/* Read exactly len bytes at offset; CT_E_TRUNCATED if the file is shorter. */
ct_code ct_pread_all(int fd, void *buf, size_t len, uint64_t offset, ct_error *err);

#ifdef __cplusplus
}
#endif
#endif
