"""A failing disk cannot corrupt the census (docs/trust.md, "durable"): writes are
checked to the end on a small tmpfs that fills up (the old results.h5 stays as
it was, no shard file that does not validate is left, no temporaries, exit 1
with one line naming the path and the cause), and shard files that do not
validate are moved aside and redone by --resume, listed missing by merge and
shown invalid by status, never fatal. Mounting needs root, as the tests run here
and in CI."""
import contextlib
import os
import pathlib
import shutil
import subprocess

import h5py
import pytest

from census_checks import datasets
from conftest import BIN, MPI_ENV, run

SHARD_BYTES = "2000000"  # about 25 shards over the test corpus
TIMEOUT = 50
PAGE = 4096

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


def call(*args):
    return subprocess.run([str(a) for a in args], env=MPI_ENV, capture_output=True, text=True, timeout=TIMEOUT)


def error_lines(stderr):
    """What the program said besides its timestamped log lines."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("[regcensus")]


@contextlib.contextmanager
def tmpfs(path: pathlib.Path, size: int):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True, timeout=10)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], timeout=10)


def resize(path: pathlib.Path, size: int):
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True, timeout=10)


def pages(path: pathlib.Path) -> int:
    """Bytes the files below `path` take on a tmpfs (whole pages)."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum((p.stat().st_size + PAGE - 1) // PAGE * PAGE for p in files)


def census_args(registry, corpus, work, out, *extra):
    return ["run", "--registry", registry.url, "--images", corpus["images"], "--work", work, "--out", out,
            "--progress", "0", "--shard-bytes", SHARD_BYTES, *extra]


def plan_shards(work):
    with h5py.File(work / "plan.h5", "r") as f:
        offsets = f["shards/layer_offsets"][()]
        digests = [d.decode() for d in f["shards/layer_digest"][()]]
        ids = f["shards/id"][()]
    return {int(i): digests[offsets[k]:offsets[k + 1]] for k, i in enumerate(ids)}


def assert_valid_shard(path, planned_digests):
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] in ("regcensus-shard", b"regcensus-shard")
        assert int(f.attrs["shard_id"]) == int(path.name[6:11])
        assert [d.decode() for d in f["layers/digest"][()]] == planned_digests
        assert len(f["files/path"]) == len(f["files/layer"]) == len(f["files/hash_low"])


@pytest.fixture(scope="module")
def clean(corpus, registry, tmp_path_factory):
    """A clean census of the corpus: its work directory and its datasets."""
    root = tmp_path_factory.mktemp("clean")
    run([BIN, *census_args(registry, corpus, root / "work", root / "results.h5")])
    return {"work": root / "work", "results_path": root / "results.h5", "results": datasets(root / "results.h5")}


@pytest.mark.parametrize("ranks", [1, 2])
def test_full_disk_keeps_the_old_results(clean, tmp_path, ranks):
    shutil.copytree(clean["work"], tmp_path / "work")
    old = clean["results_path"].read_bytes()
    out_dir = tmp_path / "out"
    launcher = [] if ranks == 1 else ["mpirun", "--oversubscribe", "-np", ranks]
    with tmpfs(out_dir, pages(clean["results_path"]) + 8 * PAGE):
        (out_dir / "results.h5").write_bytes(old)
        merged = call(*launcher, BIN, "merge", "--work", tmp_path / "work", "--out", out_dir / "results.h5")
        assert merged.returncode == 1, merged.stderr  # exactly: no segfault, no abort signal
        expected = f"cannot write {out_dir / 'results.h5'}: No space left on device"
        if ranks == 1:
            lines = error_lines(merged.stderr)
            assert len(lines) == 1, merged.stderr
            assert expected in lines[0]
        else:  # mpirun adds its own report of the abort
            assert merged.stderr.count(expected) == 1, merged.stderr
        assert "HDF5" not in merged.stderr
        assert (out_dir / "results.h5").read_bytes() == old
        assert sorted(p.name for p in out_dir.iterdir()) == ["results.h5"]


def test_full_disk_while_writing_shards_then_resume(clean, corpus, registry, tmp_path):
    work_size = pages(clean["work"])
    shard_size = pages(clean["work"] / "shards")
    disk = tmp_path / "disk"
    with tmpfs(disk, work_size - shard_size // 2):
        work = disk / "work"
        failed = call(BIN, *census_args(registry, corpus, work, tmp_path / "results.h5"))
        assert failed.returncode == 1, failed.stderr
        lines = error_lines(failed.stderr)
        assert len(lines) == 1, failed.stderr
        assert f"cannot write {work / 'shards'}/shard-" in lines[0] and "No space left on device" in lines[0]
        assert "HDF5" not in failed.stderr
        assert not (tmp_path / "results.h5").exists()

        planned = plan_shards(work)
        written = sorted((work / "shards").glob("shard-*.h5"))
        assert 0 < len(written) < len(planned)
        for path in written:
            assert_valid_shard(path, planned[int(path.name[6:11])])
        assert not [p for p in work.rglob("*") if ".tmp." in p.name]

        resize(disk, 4 * work_size)  # space freed: nothing deleted by hand
        status = call(BIN, "status", "--work", work)
        assert status.returncode == 0, status.stderr
        assert f"done     {len(written):6d} shards" in status.stdout, status.stdout

        resumed = call(BIN, *census_args(registry, corpus, work, tmp_path / "results.h5", "--resume"))
        assert resumed.returncode == 0, resumed.stderr
        assert f"{len(written)} shard(s) already done" in resumed.stderr
        assert datasets(tmp_path / "results.h5") == clean["results"]

        merged = call(BIN, "merge", "--work", work, "--out", tmp_path / "merged.h5")
        assert merged.returncode == 0, merged.stderr
        assert datasets(tmp_path / "merged.h5") == clean["results"]


def spoil_shards(work):
    """Shard 1 truncated, shard 2 garbage, shard 3 a good file of another shard."""
    one = work / "shards" / "shard-00001.h5"
    with open(one, "r+b") as f:
        f.truncate(one.stat().st_size // 2)
    two = work / "shards" / "shard-00002.h5"
    two.write_bytes(os.urandom(two.stat().st_size))
    shutil.copy(work / "shards" / "shard-00004.h5", work / "shards" / "shard-00003.h5")


def test_status_shows_invalid_shards_as_pending(clean, tmp_path):
    shutil.copytree(clean["work"], tmp_path / "work")
    spoil_shards(tmp_path / "work")
    each = call(BIN, "status", "--work", tmp_path / "work", "--shards")
    assert each.returncode == 0, each.stderr
    states = {int(line.split()[1]): line.split()[2] for line in each.stdout.splitlines() if line.startswith("shard")}
    assert {k for k, v in states.items() if v != "done"} == {1, 2, 3}
    assert {states[1], states[2], states[3]} == {"invalid"}
    assert "holds shard 4" in [line for line in each.stdout.splitlines() if line.startswith("shard     3")][0]
    summary = call(BIN, "status", "--work", tmp_path / "work")
    assert "pending       3 shards" in summary.stdout and "(3 invalid" in summary.stdout, summary.stdout
    assert call(BIN, "status", "--work", tmp_path / "work", "--failed").stdout.strip() == "1-3"
    assert "HDF5" not in each.stderr + summary.stderr
    # status only reads
    assert sorted(p.name for p in (tmp_path / "work" / "shards").iterdir())[:5] == \
        [f"shard-0000{i}.h5" for i in range(5)]


def test_merge_lists_invalid_shards_as_missing(clean, tmp_path):
    shutil.copytree(clean["work"], tmp_path / "work")
    spoil_shards(tmp_path / "work")
    merged = call(BIN, "merge", "--work", tmp_path / "work", "--out", tmp_path / "results.h5")
    assert merged.returncode == 3, merged.stderr
    assert "missing shards: 1-3" in merged.stderr
    assert not (tmp_path / "results.h5").exists()
    bad = sorted(p.name.rsplit(".", 1)[0] for p in (tmp_path / "work" / "shards" / "bad").iterdir())
    assert bad == ["shard-00001.h5", "shard-00002.h5", "shard-00003.h5"]
    assert merged.stderr.count("is not a valid shard") == 3


def test_resume_redoes_invalid_shards(clean, corpus, registry, tmp_path):
    shutil.copytree(clean["work"], tmp_path / "work")
    spoil_shards(tmp_path / "work")
    offset = registry.access_log_size()
    resumed = call(BIN, *census_args(registry, corpus, tmp_path / "work", tmp_path / "results.h5", "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr.count("is not a valid shard") == 3
    assert "analyse: 3 shard(s) to do" in resumed.stderr
    gets = registry.blob_gets_since(offset)
    planned = plan_shards(tmp_path / "work")
    redone = {d for s in (1, 2, 3) for d in planned[s]}
    assert redone and set(gets) == redone  # the layers of the bad shards, nothing else
    for shard in (1, 2, 3):
        assert_valid_shard(tmp_path / "work" / "shards" / f"shard-0000{shard}.h5", planned[shard])
    assert datasets(tmp_path / "results.h5") == clean["results"]


@pytest.mark.parametrize("command", ["status", "merge"])
def test_status_and_merge_on_no_work_directory(tmp_path, command):
    def attempt(work):
        extra = ["--out", tmp_path / "results.h5"] if command == "merge" else []
        result = call(BIN, command, "--work", work, *extra)
        assert result.returncode == 1, result.stderr
        assert "HDF5-DIAG" not in result.stderr  # no diagnostic stack
        lines = error_lines(result.stderr)
        assert len(lines) == 1, result.stderr
        return lines[0]

    assert f"{tmp_path / 'none'}: no such work directory" in attempt(tmp_path / "none")
    assert not (tmp_path / "none").exists()
    (tmp_path / "empty").mkdir()
    assert f"{tmp_path / 'empty'} is not a regcensus work directory (no plan.h5)" in attempt(tmp_path / "empty")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "plan.h5").write_bytes(b"not an HDF5 file at all" * 100)
    line = attempt(tmp_path / "broken")
    assert f"cannot use the plan: cannot open {tmp_path / 'broken' / 'plan.h5'}: not an HDF5 file" in line, line
    assert not (tmp_path / "results.h5").exists()


def test_fetch_on_a_full_disk_stops_cleanly_and_a_rerun_completes(tmp_path):
    """`fetch` into a layout on a file system that fills up: exit 1 with one line
    naming the blob and the cause, no temporary and no partial blob left (every
    blob file there has the bytes its name says), and after freeing space the
    same command completes the layout, which `run --layout` reads."""
    import hashlib
    import random
    from hostile_server import HostileServer, image_config, image_manifest, sha256_digest, tar_gz_layer
    noise = random.Random(11).randbytes(600_000)  # incompressible: the layer is about as large
    server = HostileServer().registry_root()
    for repository, files in (("lib/small", {"etc/x": b"x\n"}), ("lib/big", {"data/noise": noise})):
        layer = tar_gz_layer(files)
        config = image_config([sha256_digest(layer)])
        server.manifest(repository, "1", image_manifest(config, [layer]))
        server.blob(repository, sha256_digest(config), config)
        server.blob(repository, sha256_digest(layer), layer)
    images = tmp_path / "images.txt"
    images.write_text("lib/small:1\nlib/big:1\n")
    with server, tmpfs(tmp_path / "disk", 256 * 1024) as disk:
        layout = disk / "layout"
        fetch = ["fetch", "--registry", server.url, "--images", images, "--layout", layout]
        full = call(BIN, *fetch)
        assert full.returncode == 1, full.stderr
        lines = error_lines(full.stderr)
        assert len(lines) == 1 and lines[0].startswith(f"regcensus fetch: error: cannot write {layout}/blobs/"), lines
        assert lines[0].endswith(": No space left on device"), lines
        for blob in (layout / "blobs" / "sha256").iterdir():
            assert not blob.name.startswith("."), f"temporary left: {blob}"
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name
        resize(disk, 4 * 1024 * 1024)
        again = call(BIN, *fetch)
        assert again.returncode == 0, again.stderr
        assert "fetched 2 of 2 images" in again.stdout, again.stdout + again.stderr
        census = call(BIN, "run", "--layout", layout, "--images", images, "--work", tmp_path / "work",
                      "--out", tmp_path / "r.h5")
        assert census.returncode == 0, census.stderr
    with h5py.File(tmp_path / "r.h5", "r") as f:
        statuses = [s.decode() for s in f["images/status"][()]]
        assert statuses == ["ok", "ok"], ([e.decode() for e in f["images/error"][()]], census.stderr)
        assert sorted(int(n) for n in f["layers/file_count"][()]) == [1, 1]
