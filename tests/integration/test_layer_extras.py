"""Per-layer extras of /layers beyond the contract (docs/results-file.md,
"Per-layer extras") on the synth corpus in a real registry, and the layer
analyser's peak memory on a multi-GiB decompressed stream."""
import os
import subprocess
import zlib

import numpy as np
import pytest

from conftest import BIN, MPI_ENV, run
from results import open_results

EXTRA_COLUMNS = ["setuid_count", "setgid_count", "world_writable_count", "root_owned_file_count",
                 "mtime_min", "mtime_max"]
MATRICES = ["file_size_counts", "directory_depth_counts", "type_file_counts", "type_file_bytes"]


@pytest.fixture(scope="module")
def results(corpus, registry, tmp_path_factory):
    work = tmp_path_factory.mktemp("extras")
    run([BIN, "run", "--registry", registry.url, "--images", corpus["images"],
         "--out", work / "results.h5", "--work", work / "work"])
    return open_results(work / "results.h5")


def padded_sum(matrix, width):
    total = matrix.sum(axis=0) if matrix.size else np.zeros(0, dtype=np.int64)
    out = np.zeros(max(width, len(total)), dtype=np.int64)
    out[:len(total)] = total
    return out


def test_extra_columns_are_described(results):
    layers = results.table("layers")
    rows = len(layers["digest"])
    for name in EXTRA_COLUMNS + MATRICES:
        assert name in layers, name
        assert len(layers[name]) == rows, name
        assert results.description(f"layers/{name}"), name
    assert layers["type_file_counts"].shape == (rows, len(results.table("filetypes")["type"]))
    assert results.units("layers/type_file_bytes") == "bytes"
    assert results.units("layers/mtime_min") == "seconds since 1970-01-01 UTC"


def test_per_layer_file_size_histograms_sum_to_the_global_one(results, corpus):
    layers = results.table("layers")
    _, global_counts = results.histogram("file_size")
    per_layer = layers["file_size_counts"]
    assert per_layer.shape[1] == len(global_counts)  # bins common to all rows, up to the last non-empty one
    assert per_layer.sum(axis=0).tolist() == global_counts.tolist()
    assert global_counts.tolist() == corpus["truth"]["histograms"]["file_size"]
    # Each row is its layer's own histogram: one count per regular file.
    ok = layers["status"] == "ok"
    assert per_layer[ok].sum(axis=1).tolist() == layers["file_count"][ok].tolist()
    assert not per_layer[~ok].any()


def test_per_layer_depth_histograms_sum_to_the_global_one(results):
    layers = results.table("layers")
    _, global_counts = results.histogram("directory_depth")
    per_layer = layers["directory_depth_counts"]
    assert padded_sum(per_layer, len(global_counts)).tolist() == global_counts.tolist()
    ok = layers["status"] == "ok"
    assert per_layer[ok].sum(axis=1).tolist() == layers["dir_count"][ok].tolist()


def test_per_layer_type_tables_sum_to_filetypes(results):
    layers = results.table("layers")
    types = results.table("filetypes")
    assert layers["type_file_counts"].sum(axis=0).tolist() == types["file_count"].tolist()
    assert layers["type_file_bytes"].sum(axis=0).tolist() == types["file_bytes"].tolist()
    ok = layers["status"] == "ok"
    assert layers["type_file_counts"][ok].sum(axis=1).tolist() == layers["file_count"][ok].tolist()
    assert layers["type_file_bytes"][ok].sum(axis=1).tolist() == layers["file_bytes"][ok].tolist()


def test_owner_and_mtime_columns_on_the_synth_corpus(results):
    layers = results.table("layers")
    ok = layers["status"] == "ok"
    assert ok.any()
    # synth writes every entry with uid 0 and one mtime per layer.
    assert layers["root_owned_file_count"][ok].tolist() == layers["file_count"][ok].tolist()
    assert (layers["mtime_min"][ok] == layers["mtime_max"][ok]).all()
    for name in ["setuid_count", "setgid_count", "world_writable_count"]:
        assert (layers[name][ok] >= 0).all()
        assert (layers[name][ok] <= layers["file_count"][ok]).all()
    for name in EXTRA_COLUMNS:
        assert (layers[name][~ok] == -1).all(), name


# ---- peak memory of one layer stream ----

MEMORY_LIMIT_KIB = 64 * 1024  # for the layer stream, above the program's own footprint


def baseline_rss_kib(tmp_path):
    """Peak RSS of analyze-layer on an empty layer: the program and its libraries, no stream."""
    empty = tmp_path / "empty.tar"
    empty.write_bytes(bytes(1024))
    _, maxrss = run_measured([BIN, "analyze-layer", empty])
    return maxrss


def tar_header(name, size):
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"%011o\0" % 1700000000
    h[156:157] = b"0"
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def gzip_member(data, level=6):
    z = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return z.compress(data) + z.flush()


def run_measured(args):
    # os.wait4 gives the child's own ru_maxrss (KiB on Linux), not the sum of all children.
    proc = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=MPI_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    assert os.waitstatus_to_exitcode(status) == 0, err
    return out, usage.ru_maxrss


def test_peak_memory_of_a_4_gib_gzip_layer(tmp_path):
    # One 4 GiB file of zeros as 64 identical gzip members of 64 MiB: 4 MiB
    # on disk, 4 GiB through ISA-L, libarchive and XXH3.
    size = 4 << 30
    chunk = gzip_member(bytes(64 << 20))
    blob = tmp_path / "big.tar.gz"
    with open(blob, "wb") as f:
        f.write(gzip_member(tar_header("big.img", size)))
        for _ in range(size // (64 << 20)):
            f.write(chunk)
        f.write(gzip_member(bytes(1024)))
    out, maxrss = run_measured([BIN, "analyze-layer", "--max-ratio", "1e9", blob])
    assert '"status":"ok"' in out, out
    assert f'"uncompressed_bytes":{512 + size + 1024}' in out, out
    assert f'"file_bytes":{size}' in out, out
    base = baseline_rss_kib(tmp_path)
    assert maxrss - base < MEMORY_LIMIT_KIB, f"peak RSS {maxrss} KiB, {base} KiB without a stream"


def test_peak_memory_of_a_zstd_layer_with_the_largest_window(tmp_path):
    # 1 GiB in one zstd frame with a 32 MiB window (the decoder's cap): the
    # window is the decoder's largest allocation.
    size = 1 << 30
    blob = tmp_path / "big.tar.zst"
    plain = tmp_path / "head.tar"
    with open(plain, "wb") as f:
        f.write(tar_header("big.img", size))
    gen = subprocess.Popen(["sh", "-c", f"cat {plain}; head -c {size + 1024} /dev/zero"], stdout=subprocess.PIPE)
    with open(blob, "wb") as f:
        subprocess.run(["zstd", "-q", "-1", "--long=25", "-c"], stdin=gen.stdout, stdout=f, check=True)
    gen.wait()
    out, maxrss = run_measured([BIN, "analyze-layer", "--max-ratio", "1e9", blob])
    assert '"status":"ok"' in out, out
    assert '"compression":"zstd"' in out, out
    assert f'"file_bytes":{size}' in out, out
    base = baseline_rss_kib(tmp_path)
    assert maxrss - base < MEMORY_LIMIT_KIB, f"peak RSS {maxrss} KiB, {base} KiB without a stream"
