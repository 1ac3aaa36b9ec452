#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# cocotrust initrd pack: same tree -> same bytes (other mtimes, owners, inode
# numbers, creation order); GNU cpio and gzip read the result back to the same
# tree; headers parsed here independently (uid/gid 0, mtime, sorted); gzip
# header without name and timestamp; SOURCE_DATE_EPOCH; refused file types. TAP.
import gzip
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
CT = os.environ["COCOTRUST"]
W = tempfile.mkdtemp(prefix="ct-initrd.")


def make_tree(root, order, mtime, uid):
    os.makedirs(root)
    files = [("init", b"#!/bin/sh\necho hello\n", 0o755), ("bin/busybox", os.urandom(5000), 0o755),
             ("etc/os-release", b"ID=coco\n", 0o644), ("etc/empty", b"", 0o600), ("bin2/x", b"x", 0o644)]
    for rel, data, mode in (files if order else list(reversed(files))):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
    os.symlink("busybox", os.path.join(root, "bin", "sh"))
    os.makedirs(os.path.join(root, "proc"))
    for dp, dns, fns in os.walk(root):
        for x in dns + fns + ["."]:
            p = os.path.join(dp, x)
            try:
                os.lchown(p, uid, uid)
            except PermissionError:
                pass
            os.utime(p, (mtime, mtime), follow_symlinks=False)
    return files


def pack(d, out, env=None, extra=()):
    return subprocess.run([CT, "initrd", "pack", d, "-o", out] + list(extra), capture_output=True,
                          env=dict(os.environ, **(env or {})))


rng_seed = os.urandom(5000)
t1, t2 = os.path.join(W, "t1"), os.path.join(W, "t2")
files = make_tree(t1, True, 1000, 0)
make_tree(t2, False, 2000000000, 1234)
# Same contents in both trees (busybox is random per call: copy it).
shutil.copy(os.path.join(t1, "bin", "busybox"), os.path.join(t2, "bin", "busybox"))
os.utime(os.path.join(t2, "bin", "busybox"), (5, 5))
a, b = os.path.join(W, "a.cpio"), os.path.join(W, "b.cpio")
r = pack(t1, a, {"SOURCE_DATE_EPOCH": ""})
ok(r.returncode == 0, "pack: exit 0 (%s)" % r.stderr.decode().strip())
pack(t2, b, {"SOURCE_DATE_EPOCH": ""})
A, B = open(a, "rb").read(), open(b, "rb").read()
ok(A == B, "same tree with other mtimes, owners, inode numbers and creation order: identical bytes")
pack(t1, b, {"SOURCE_DATE_EPOCH": ""})
ok(open(b, "rb").read() == A, "packed twice: identical bytes")


def parse_newc(data):
    ents, off = [], 0
    while True:
        h = data[off:off + 110]
        assert h[:6] == b"070701", "bad magic at %d" % off
        f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        ino, mode, uid, gid, nlink, mtime, size, _, _, _, _, namesize, check = f
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off += 110 + namesize
        off += (4 - off % 4) % 4
        body = data[off:off + size]
        off += size
        off += (4 - off % 4) % 4
        if name == "TRAILER!!!":
            return ents, off
        ents.append(dict(ino=ino, mode=mode, uid=uid, gid=gid, nlink=nlink, mtime=mtime, name=name, body=body))


ents, end = parse_newc(A)
names = [e["name"] for e in ents]
ok(names == sorted(names) and "bin" in names and "bin/sh" in names and names.index("bin") < names.index("bin/busybox"),
   "entries sorted by path, parents first: %s" % " ".join(names))
ok(all(e["uid"] == 0 and e["gid"] == 0 and e["mtime"] == 0 for e in ents), "uid, gid 0 and mtime 0 everywhere")
ok([e["ino"] for e in ents] == list(range(1, len(ents) + 1)), "inode numbers 1..N in archive order")
sh = next(e for e in ents if e["name"] == "bin/sh")
ok(stat.S_ISLNK(sh["mode"]) and sh["body"] == b"busybox", "symlink stored with its target")
init = next(e for e in ents if e["name"] == "init")
ok(init["mode"] == (stat.S_IFREG | 0o755) and init["body"] == files[0][1], "file mode 0755 and contents kept")
ok(end == len(A) and len(A) % 4 == 0, "archive ends after TRAILER!!! (4-byte aligned)")

# GNU cpio reads it back.
x = os.path.join(W, "x")
os.makedirs(x)
r = subprocess.run(["cpio", "-idm", "--quiet"], input=A, cwd=x, capture_output=True)
ok(r.returncode == 0, "GNU cpio -i extracts it (%s)" % r.stderr.decode().strip())
same = True
for rel, data, mode in files:
    p = os.path.join(x, rel)
    same = same and open(p, "rb").read() == open(os.path.join(t1, rel), "rb").read() and \
        stat.S_IMODE(os.stat(p).st_mode) == mode
ok(same and os.readlink(os.path.join(x, "bin", "sh")) == "busybox" and os.path.isdir(os.path.join(x, "proc")),
   "extracted tree equals the packed one (contents, modes, link, empty directory)")

# gzip
g = os.path.join(W, "a.cpio.gz")
r = pack(t1, g, {"SOURCE_DATE_EPOCH": ""})
G = open(g, "rb").read()
ok(r.returncode == 0 and gzip.decompress(G) == A, "a .gz output decompresses (python gzip) to the same cpio")
ok(G[:4] == b"\x1f\x8b\x08\x00" and G[4:8] == b"\0\0\0\0", "gzip header: no FNAME flag, mtime 0")
ok(subprocess.run(["gzip", "-t"], input=G, capture_output=True).returncode == 0, "gzip -t accepts it")
pack(t2, os.path.join(W, "b.cpio.gz"), {"SOURCE_DATE_EPOCH": ""})
ok(open(os.path.join(W, "b.cpio.gz"), "rb").read() == G, "gzip output identical for the other tree")

# SOURCE_DATE_EPOCH and --mtime
pack(t1, b, {"SOURCE_DATE_EPOCH": "1700000000"})
ok(all(e["mtime"] == 1700000000 for e in parse_newc(open(b, "rb").read())[0]), "SOURCE_DATE_EPOCH sets every mtime")
pack(t1, b, {"SOURCE_DATE_EPOCH": "1700000000"}, ["--mtime", "7"])
ok(all(e["mtime"] == 7 for e in parse_newc(open(b, "rb").read())[0]), "--mtime overrides SOURCE_DATE_EPOCH")

# Refused: a FIFO; a failed run leaves no output.
os.mkfifo(os.path.join(t1, "fifo"))
out = os.path.join(W, "fail.cpio")
r = pack(t1, out)
ok(r.returncode == 2 and "fifo" in r.stderr.decode() and not os.path.exists(out),
   "a FIFO is refused with exit 2 naming it, no output left (%s)" % r.stderr.decode().strip())
r = pack(os.path.join(W, "nonexistent"), out)
ok(r.returncode == 2, "missing directory: exit 2")
r = subprocess.run([CT, "initrd", "pack", t1], capture_output=True)
ok(r.returncode == 2 and "-o" in r.stderr.decode(), "no -o: usage error")
shutil.rmtree(W, ignore_errors=True)
sys.exit(tap.done())
