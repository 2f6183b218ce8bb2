#!/usr/bin/env python3
"""Writes a deterministic uncompressed tar of many small files (the "synth
layer of many small files" of the layer benchmark) to stdout-named path:
    layer_make_small_files.py OUT.tar [FILES=50000]
Sizes follow a rough container-layer mix (mostly < 4 KiB, some larger),
contents are text, scripts, JSON and binary-ish bytes, one directory per 100
files."""
import io
import random
import sys
import tarfile

out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50000
rng = random.Random(4)
words = [w.encode() for w in "the quick brown fox jumps over lazy dog layer image registry file tar gzip".split()]
kinds = [b"#!/bin/sh\n", b"{\"key\": ", b"# Title\n", b"\x7fELF\x02\x01\x01\x00", b"plain "]
with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tar:
    for i in range(count):
        size = min(int(rng.lognormvariate(6.5, 1.3)), 256 * 1024)
        head = kinds[i % len(kinds)]
        body = b" ".join(rng.choice(words) for _ in range(size // 5 + 1))
        data = (head + body)[:size]
        info = tarfile.TarInfo(f"usr/share/bench/d{i // 100:04d}/file{i:06d}.dat")
        info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
        tar.addfile(info, io.BytesIO(data))
