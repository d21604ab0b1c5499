#!/usr/bin/env python3
"""make_corpus.py: build the seed corpus of every fuzz target from the generated fixtures.

Usage:  crates/tabgit-fuzz/make_corpus.py OUTDIR FIXTURES [MALICIOUS]

  OUTDIR       gets one directory per target (OUTDIR/<target>/<sha1 of the input>)
  FIXTURES     the generated fixture repositories (tests/fixtures/make-repos.sh: demo, tiny, odd)
  MALICIOUS    optional: the hostile repositories of tests/fixtures/make-malicious.sh, whose
               packs seed the pack targets

Inputs come from real git: objects, packs, .idx and index files, refs and configs of the
fixture repositories, the recorded protocol transcripts of crates/tabgit-protocol, and a few
hand-written shapes git does not produce (deltas, URLs, proxy requests). Each input carries the
selector byte its target reads first (see crates/tabgit-fuzz/src/*.rs). Only the Python
standard library and git are used; the same fixtures always give the same corpus.
"""

import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTOCOL = os.path.join(ROOT, "crates/tabgit-protocol/tests/fixtures")
CORE = os.path.join(ROOT, "tests/fixtures/core")

GIT_ENV = dict(
    (k, v) for k, v in os.environ.items() if not k.startswith("GIT_")
)
GIT_ENV.update(
    GIT_CONFIG_NOSYSTEM="1",
    GIT_CONFIG_GLOBAL="/dev/null",
    GIT_AUTHOR_NAME="A U Thor",
    GIT_AUTHOR_EMAIL="author@example.com",
    GIT_AUTHOR_DATE="1700000000 +0100",
    GIT_COMMITTER_NAME="C O Mitter",
    GIT_COMMITTER_EMAIL="committer@example.com",
    GIT_COMMITTER_DATE="1700000000 +0100",
    LC_ALL="C",
)

MAX_INPUT = 64 * 1024
counts = {}


def git(cwd, *args, data=None):
    return subprocess.run(
        ["git", *args], cwd=cwd, input=data, env=GIT_ENV, check=True,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    ).stdout


def put(out, target, data):
    if len(data) > MAX_INPUT:
        return
    directory = os.path.join(out, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1


def read(path):
    with open(path, "rb") as f:
        return f.read()


def pkt(payload):
    return b"%04x" % (len(payload) + 4) + payload


# -- protocol transcripts ---------------------------------------------------------------------

def protocol_seeds(out):
    for version in ("v0", "v2"):
        directory = os.path.join(PROTOCOL, version)
        for name in sorted(os.listdir(directory)):
            data = read(os.path.join(directory, name))
            # pkt-line: whole transcripts, at once (0) and in small chunks (5).
            put(out, "pktline", b"\x00" + data[:8192])
            put(out, "pktline", b"\x05" + data[:2048])
            if not name.endswith(".response"):
                continue
            if name.startswith("info-refs"):
                service = 1 if "receive-pack" in name else 0
                put(out, "advertisement", bytes([service]) + data)
                put(out, "advertisement", bytes([service | 0x14]) + data)
            elif name.startswith("ls-refs"):
                put(out, "advertisement", b"\x02" + data)
                put(out, "advertisement", b"\x1e" + data)
            elif name.startswith("fetch"):
                put(out, "fetch_response", b"\x00" + data)
                put(out, "fetch_response", b"\x30" + data)
            elif name.startswith("upload-pack"):
                done = 0x10 if "round1" not in name else 0
                shallow = 0x08 if "deepen" in name else 0
                put(out, "fetch_response", bytes([0x01 | 0x04 | done | shallow]) + data)
                put(out, "fetch_response", bytes([0x01 | 0x04 | done | shallow | 0x60]) + data)
            elif name.startswith("receive-pack"):
                put(out, "report_status", b"\x00" + data)
                put(out, "report_status", b"\x01" + data)
                put(out, "report_status", b"\x07" + data)
    # Shapes the transcripts lack: ERR lines, side-band 2 and 3 with control and bidi text,
    # report-status-v2 option lines, v2 unborn and symref attributes.
    hostile = "\x1b[31mred\x1b[0m \u202eevil\u202c \u200fx \x07bell\x9b".encode()
    put(out, "pktline", b"\x00" + pkt(b"ERR " + hostile + b"\n") + b"0000")
    put(out, "pktline", b"\x03" + pkt(b"\x02" + hostile + b"\r") + pkt(b"\x03" + hostile) + b"0001" + b"0002")
    put(out, "fetch_response", b"\x00" + pkt(b"packfile\n") + pkt(b"\x02" + hostile + b"\n") + pkt(b"\x03fatal: " + hostile) + b"0000")
    put(out, "fetch_response", b"\x00" + pkt(b"acknowledgments\n") + pkt(b"NAK\n") + b"0001" + pkt(b"shallow-info\n") + pkt(b"shallow " + b"a" * 40 + b"\n") + b"0001" + pkt(b"wanted-refs\n") + pkt(b"b" * 40 + b" refs/heads/main\n") + b"0001" + pkt(b"packfile\n") + pkt(b"\x01PACK") + b"0000")
    put(out, "advertisement", b"\x02" + pkt(b"unborn HEAD symref-target:refs/heads/main\n") + pkt(b"c" * 40 + b" refs/heads/x peeled:" + b"d" * 40 + b"\n") + b"0000")
    put(out, "advertisement", b"\x00" + pkt(b"# service=git-upload-pack\n") + b"0000" + pkt(b"version 2\n") + pkt(b"agent=" + hostile + b"\n") + pkt(b"ls-refs=unborn\n") + pkt(b"fetch=shallow filter\n") + pkt(b"object-format=sha1\n") + b"0000")
    put(out, "report_status", b"\x00" + pkt(b"unpack ok\n") + pkt(b"ok refs/heads/main\n") + pkt(b"option refname refs/heads/other\n") + pkt(b"option old-oid " + b"0" * 40 + b"\n") + pkt(b"option forced-update\n") + pkt(b"ng refs/heads/x non-fast-forward\n") + pkt(b"ng refs/heads/y hook declined " + hostile + b"\n") + b"0000")
    inner = pkt(b"unpack index-pack abnormal exit\n") + pkt(b"ng refs/heads/z unpacker error\n") + b"0000"
    put(out, "report_status", b"\x01" + pkt(b"\x02remote: " + hostile + b"\n") + pkt(b"\x01" + inner) + b"0000")


# -- objects, packs, indexes ------------------------------------------------------------------

def all_objects(repo):
    out = git(repo, "cat-file", "--batch-all-objects", "--batch", "--unordered")
    objects, pos = [], 0
    while pos < len(out):
        nl = out.index(b"\n", pos)
        oid, kind, size = out[pos:nl].split(b" ")
        size = int(size)
        objects.append((oid, kind, out[nl + 1:nl + 1 + size]))
        pos = nl + 1 + size + 1
    return objects


def loose_file(kind, content):
    return zlib.compress(kind + b" %d\x00" % len(content) + content)


def object_seeds(out, repo):
    for oid, kind, content in all_objects(repo):
        if len(content) > 8192:
            continue
        put(out, "objects", content)
        raw = kind + b" %d\x00" % len(content) + content
        put(out, "loose", b"\x00" + raw[:64])
        if len(content) <= 2048:
            put(out, "loose", b"\x01" + zlib.compress(raw))
            packed = zlib.compress(content)
            put(out, "loose", b"\x02" + struct.pack("<H", len(content)) + packed)
            put(out, "loose", b"\x03" + struct.pack("<H", len(content)) + packed)


def pack_entries(pack):
    """(offset, type, size, header_len, data_start, inflated, consumed) for each entry."""
    count = struct.unpack(">I", pack[8:12])[0]
    pos, entries = 12, []
    for _ in range(count):
        start = pos
        byte = pack[pos]
        kind, size, shift = (byte >> 4) & 7, byte & 15, 4
        pos += 1
        while byte & 0x80:
            byte = pack[pos]
            size |= (byte & 0x7F) << shift
            shift += 7
            pos += 1
        base = None
        if kind == 6:
            byte = pack[pos]
            pos += 1
            rel = byte & 0x7F
            while byte & 0x80:
                byte = pack[pos]
                pos += 1
                rel = ((rel + 1) << 7) | (byte & 0x7F)
            base = start - rel
        elif kind == 7:
            base = pack[pos:pos + 20]
            pos += 20
        decompressor = zlib.decompressobj()
        inflated = decompressor.decompress(pack[pos:])
        consumed = len(pack) - pos - len(decompressor.unused_data)
        entries.append((start, kind, size, base, pos, inflated))
        pos += consumed
    return entries


def pack_seeds(out, pack_path):
    pack = read(pack_path)
    put(out, "pack_indexer", b"\x00" + pack)
    put(out, "pack_indexer", b"\x01" + pack[:-20])
    put(out, "pack_indexer", b"\x0b" + pack[:-20])
    put(out, "pack_entry", b"\x00" + pack[:64])
    entries = pack_entries(pack)
    by_offset = {e[0]: e for e in entries}
    for start, kind, size, base, data_start, inflated in entries[:200]:
        put(out, "pack_entry", bytes([start // 97 % 256]) + pack[start:start + 48])
        if kind == 6 and base in by_offset:
            base_entry = by_offset[base]
            if base_entry[1] in (1, 2, 3, 4) and len(base_entry[5]) < 16384:
                base_data = base_entry[5]
                put(out, "delta_apply", struct.pack("<H", len(base_data)) + base_data + inflated)


def idx_seeds(out, idx_path):
    data = read(idx_path)
    put(out, "pack_idx", data)


def index_seeds(out, repo):
    put(out, "index_file", read(os.path.join(CORE, "demo.index")))
    with tempfile.TemporaryDirectory(prefix="tabgit-corpus-") as work:
        git(work, "init", "-q", "--template=")
        git(work, "fetch", "-q", repo, "refs/heads/main:refs/heads/main", "refs/heads/topic:refs/heads/topic")
        git(work, "read-tree", "main")
        index = os.path.join(work, ".git/index")
        put(out, "index_file", read(index))
        git(work, "write-tree")  # adds the TREE extension
        git(work, "update-index", "--index-version", "3")
        first = git(work, "ls-files").split(b"\n")[0].decode()
        git(work, "update-index", "--skip-worktree", first)
        put(out, "index_file", read(index))
        git(work, "update-index", "--index-version", "4")
        put(out, "index_file", read(index))
        # A conflicted index (stages 1-3), then a resolved one with REUC.
        git(work, "read-tree", "-m", "main~1", "main", "topic")
        put(out, "index_file", read(index))


def ref_seeds(out, repo):
    for name in [b"refs/heads/main", b"HEAD", b"refs/heads/feature/x", b"refs/tags/v1.0",
                 b"refs/heads/../x", b"refs/heads/a.lock", b"refs/heads/@{u}", b"refs/*/x",
                 b"refs/heads/.hidden", b"refs/heads/x\x1b[31m", b"@", b"refs/heads/x."]:
        # Selector 0 mod 5 picks ref names; bit 3 allows one level, bit 4 a refspec pattern.
        for flags in (0, 40, 80, 120):
            put(out, "refs", bytes([flags]) + name)
    put(out, "refs", b"\x01" + b"a" * 40 + b"\n")
    put(out, "refs", b"\x01ref: refs/heads/main\n")
    put(out, "refs", b"\x01ref: ../../config\n")
    packed = os.path.join(repo, "packed-refs")
    if os.path.exists(packed):
        put(out, "refs", b"\x02" + read(packed))
    put(out, "refs", b"\x02# pack-refs with: peeled fully-peeled sorted \n" + b"a" * 40 + b" refs/tags/v1\n^" + b"b" * 40 + b"\n")
    line = b"0" * 40 + b" " + b"a" * 40 + b" C O Mitter <c@example.com> 1700000000 +0100\tclone: from x\n"
    put(out, "refs", b"\x03" + line + line.replace(b"+0100", b"-1430"))
    for spec in [b"+refs/heads/*:refs/remotes/origin/*", b"refs/heads/main", b":refs/heads/gone",
                 b"^refs/heads/skip", b"HEAD~1:refs/heads/x", b"+refs/heads/*/a:refs/r/*/b", b"@:x"]:
        put(out, "refs", b"\x04" + spec)


def config_seeds(out, fixtures):
    for name in ("demo", "tiny", "odd"):
        path = os.path.join(fixtures, name + ".git", "config")
        if os.path.exists(path):
            put(out, "config", b"\x00" + read(path))
    tricky = (b'[core]\n\tbare = true\n[remote "origin"]\n\turl = https://example.com/x.git\n'
              b'\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch "main"]\n\tremote = origin\n'
              b'[include]\n\tpath = x ; comment\n[section.Sub]\n\tkey = "quoted \\" \\\\ value" # c\n'
              b'\tcont = a \\\n\tb\n')
    put(out, "config", b"\x00" + tricky)
    for edit in [b"sub\x00value", b"\x00 leading", b"a\"b\x00x\ny", b"\x00v\r", b"s\x00[evil]\nkey=1"]:
        put(out, "config", bytes([len(edit)]) + tricky + edit)


def text_seeds(out):
    for url in ["https://github.com/owner/repo.git", "http://127.0.0.1:8781/demo.git/",
                "https://[::1]:443/x", "https://user:pass@host/x?token=1", "ssh://git@host/x",
                "git@github.com:owner/repo.git", "https://h/a/../b", "https://xn--bcher-kva.example/",
                "HTTPS://EXAMPLE.COM:08080/x?y#z", "https://h%2e/x", "https://host?q@evil/x"]:
        put(out, "url", url.encode())
    for request in [
        b"GET\n/github.com/owner/repo.git/info/refs\nservice=git-upload-pack\n",
        b"POST\n/github.com/owner/repo.git/git-upload-pack\n\napplication/x-git-upload-pack-request",
        b"POST\n/127.0.0.1:8080/r/git-receive-pack\n\napplication/x-git-receive-pack-request",
        b"OPTIONS\n/[::1]/r/info/refs\n\n",
        b"GET\n/2130706433/x/info/refs\nservice=git-upload-pack\n",
        b"GET\n/h/%2e%2e/x/info/refs\nservice=git-upload-pack\n",
        b"GET\n/h:22/x/info/refs\nservice=git-receive-pack\n",
    ]:
        put(out, "proxy_route", request)


def band1(data):
    """The side-band 1 payloads of pkt-lines `data`, concatenated."""
    out, pos = bytearray(), 0
    while pos + 4 <= len(data):
        try:
            length = int(data[pos:pos + 4], 16)
        except ValueError:
            break
        if length < 5:
            pos += 4
            continue
        if data[pos + 4] == 1:
            out += data[pos + 5:pos + length]
        pos += length
    return bytes(out)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    out, fixtures = sys.argv[1], os.path.abspath(sys.argv[2])
    malicious = sys.argv[3] if len(sys.argv) == 4 else None
    protocol_seeds(out)
    for name in ("demo", "tiny", "odd"):
        repo = os.path.join(fixtures, name + ".git")
        if os.path.isdir(repo):
            object_seeds(out, repo)
            pack_dir = os.path.join(repo, "objects/pack")
            for file in sorted(os.listdir(pack_dir)) if os.path.isdir(pack_dir) else []:
                if file.endswith(".pack"):
                    pack_seeds(out, os.path.join(pack_dir, file))
                elif file.endswith(".idx"):
                    idx_seeds(out, os.path.join(pack_dir, file))
            ref_seeds(out, repo)
    pack_seeds(out, os.path.join(CORE, "demo.pack"))
    idx_seeds(out, os.path.join(CORE, "demo.idx"))
    demo = os.path.join(fixtures, "demo.git")
    if os.path.isdir(demo):
        index_seeds(out, demo)
    config_seeds(out, fixtures)
    text_seeds(out)
    if malicious and os.path.isdir(malicious):
        for root, _, files in os.walk(malicious):
            for file in sorted(files):
                path = os.path.join(root, file)
                if file.endswith(".pack"):
                    data = read(path)
                    put(out, "pack_indexer", b"\x00" + data)
                    if len(data) > 20:
                        put(out, "pack_indexer", b"\x01" + data[:-20])
                elif file.endswith(".idx"):
                    idx_seeds(out, path)
                elif file == "upload-pack-tail":
                    data = read(path)
                    put(out, "fetch_response", b"\x00" + b"000dpackfile\n" + data)
                    put(out, "pktline", b"\x00" + data[:8192])
                    pack = band1(data)
                    if pack:
                        put(out, "pack_indexer", b"\x00" + pack)
                elif file == "info-refs":
                    put(out, "advertisement", b"\x00" + read(path))
    for target in sorted(counts):
        print(f"    {target}: {counts[target]} seed inputs")


if __name__ == "__main__":
    main()
