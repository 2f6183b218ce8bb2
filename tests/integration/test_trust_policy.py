"""The failure policy, stopping, and one image that cannot spoil another
(docs/trust.md, "One failure policy"): a program error on any rank or thread
ends the whole MPI job with one message and MPI_Abort, never a hang or a core
dump; SIGTERM/SIGINT end a run within seconds even mid-transfer, with exit 75
and no shard for what was cut short; a resumed run then gives the same results.
A manifest that misstates a shared layer's size fails only that image; an
index of thousands of identical entries is one row and one request."""
import os
import signal
import subprocess
import time

import h5py
import pytest

from census_checks import datasets
from conftest import BIN, MPI_ENV
from hostile_server import (HostileServer, image_config, image_manifest, sha256_digest, tar_gz_layer,
                            wait_for)
from index_cases import serve_capped_indexes, serve_identical_entries
from results import open_results

BOUND = 30  # seconds any of these runs may take, however it ends


def census(command, server, images, work, *extra):
    run_only = [] if command == "plan" else ["--out", str(work / "results.h5"), "--progress", "0"]
    return [str(BIN), command, "--registry", server.url, "--images", str(images), "--work", str(work / "work"),
            *run_only, *map(str, extra)]


def launch(cmd, ranks=None):
    """Starts `cmd` (under mpirun with `ranks`) in its own process group."""
    if ranks:
        cmd = ["mpirun", "--oversubscribe", "-np", str(ranks), *cmd]
    return subprocess.Popen(cmd, env=MPI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(proc, timeout=BOUND):
    """Waits for `proc`; kills its whole group and fails if it outlives `timeout`."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"still running after {timeout} s:\n{err}")
    return proc.returncode, out, err


def group_gone(pgid):
    try:
        os.killpg(pgid, 0)
        return False
    except ProcessLookupError:
        return True


def shard_files(work):
    return sorted(p.name for p in (work / "work" / "shards").glob("shard-*.h5"))


def shards_of_plan(work):
    """Shard id -> layer digests, from the saved plan."""
    with h5py.File(work / "work" / "plan.h5", "r") as f:
        offsets = f["shards/layer_offsets"][()]
        digests = [d.decode() for d in f["shards/layer_digest"][()]]
        ids = f["shards/id"][()]
    return {int(i): digests[offsets[k]:offsets[k + 1]] for k, i in enumerate(ids)}


def tables(path):
    with open_results(path) as res:
        images, layers = res.table("images"), res.table("layers")
        rows = [[layers["digest"][r] for r in res.image_layers(i)] for i in range(len(images["reference"]))]
    return images, layers, rows


class Images:
    """Three images on a hostile server that behaves, until told otherwise: two
    share a base layer, a third lists a layer that can be made to stall."""

    def __init__(self, server, root):
        self.server = server
        self.base = tar_gz_layer({f"usr/lib/base{i}": bytes([i]) * 300 for i in range(5)})
        self.app = tar_gz_layer({"app/main": b"main program\n"})
        self.slow = tar_gz_layer({f"data/{i}": os.urandom(2000) for i in range(40)})
        self.stalling = False
        for name, layers in [("one", [self.base, self.app]), ("two", [self.base]), ("three", [self.slow])]:
            config = image_config([sha256_digest(l) for l in layers])
            server.blob("lib/" + name, sha256_digest(config), config)
            server.manifest("lib/" + name, "1", image_manifest(config, layers))
            for layer in (self.base, self.app):
                server.blob("lib/" + name, sha256_digest(layer), layer)
        self.slow_digest = sha256_digest(self.slow)
        server.route("GET", f"/v2/lib/three/blobs/{self.slow_digest}", self._slow_blob)
        self.list = root / "images.txt"
        self.list.write_text("lib/one:1\nlib/two:1\nlib/three:1\n")

    def _slow_blob(self, reply):
        if self.stalling:
            reply.stall_after(self.slow[:1000], len(self.slow))
        else:
            reply.send(200, self.slow, {"Content-Type": "application/octet-stream"})

    def slow_requests(self):
        return len(self.server.requests_to("/blobs/" + self.slow_digest))


@pytest.fixture
def server():
    with HostileServer() as s:
        s.registry_root()
        yield s


# -- one failure policy -------------------------------------------------------------

def test_missing_auth_file_on_resume_ends_every_rank_with_one_clear_error(server, tmp_path):
    images = Images(server, tmp_path)
    plan = subprocess.run(census("plan", server, images.list, tmp_path, "--shard-bytes", "1"), env=MPI_ENV,
                          capture_output=True, text=True, timeout=BOUND)
    assert plan.returncode == 0, plan.stderr
    missing = tmp_path / "no-such-auth.json"
    start = time.time()
    proc = launch(census("run", server, images.list, tmp_path, "--resume", "--shard-bytes", "1", "--auth-file", missing),
                  ranks=2)
    code, _, err = finish(proc)
    assert code == 1, err
    assert time.time() - start < BOUND
    lines = [l for l in err.splitlines() if l.startswith("regcensus run: error on rank ")]
    assert lines and all(str(missing) in l for l in lines), err
    assert "terminate called" not in err and "core dumped" not in err
    assert wait_for(lambda: group_gone(proc.pid), 10)
    assert shard_files(tmp_path) == []


@pytest.mark.parametrize("ranks", [None, 2])
def test_program_error_in_a_worker_thread_aborts_the_job(server, tmp_path, ranks):
    images = Images(server, tmp_path)
    env_hook = dict(MPI_ENV, REGCENSUS_TEST_WORKER_ERROR_SHARD="0")
    cmd = census("run", server, images.list, tmp_path, "--shard-bytes", "1")
    if ranks:
        cmd = ["mpirun", "--oversubscribe", "-x", "REGCENSUS_TEST_WORKER_ERROR_SHARD", "-np", str(ranks), *cmd]
    start = time.time()
    proc = subprocess.Popen(cmd, env=env_hook, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    code, _, err = finish(proc)
    assert code == 1, err
    assert time.time() - start < BOUND
    want = "error on rank " if ranks else "regcensus run: error: "
    assert any(want in l and "program error in a worker thread on shard 0" in l for l in err.splitlines()), err
    assert "terminate called" not in err and "core dumped" not in err
    assert wait_for(lambda: group_gone(proc.pid), 10), "a rank outlived the job"
    assert "shard-00000.h5" not in shard_files(tmp_path)


# -- stopping ---------------------------------------------------------------------------

@pytest.mark.parametrize("ranks", [None, 2])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_mid_transfer_stops_within_seconds_and_resumes_identically(server, tmp_path, signum, ranks):
    images = Images(server, tmp_path)
    images.stalling = True
    proc = launch(census("run", server, images.list, tmp_path, "--shard-bytes", "1"), ranks=ranks)
    if not wait_for(lambda: images.slow_requests() > 0, BOUND):
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the stalling blob was never requested:\n" + proc.communicate()[1])
    time.sleep(0.5)  # the first bytes are in: the transfer is under way
    sent = time.time()
    proc.send_signal(signum)  # to regcensus, or to mpirun, which passes it on to the ranks
    code, _, err = finish(proc, timeout=20)
    if ranks:
        # mpirun itself exits 1 after a SIGTERM/SIGINT it received (Open MPI's
        # rule, not ours: it cannot forward these two, and it kills ranks that
        # take more than a second); the ranks stop as they do alone.
        assert code == 1, err
    else:
        assert code == 75, err
        assert "stopped by a signal: finished shards are saved; rerun with --resume to continue" in err
    assert time.time() - sent < 10, f"took {time.time() - sent:.1f} s to stop"
    assert wait_for(lambda: group_gone(proc.pid), 10)
    # The shard the stall cut short is not written (not even as a failed row).
    stalled = [s for s, digests in shards_of_plan(tmp_path).items() if images.slow_digest in digests]
    assert stalled and f"shard-{stalled[0]:05d}.h5" not in shard_files(tmp_path)
    assert not (tmp_path / "results.h5").exists()

    images.stalling = False
    resumed = subprocess.run(census("run", server, images.list, tmp_path, "--resume", "--shard-bytes", "1"),
                             env=MPI_ENV, capture_output=True, text=True, timeout=BOUND)
    assert resumed.returncode == 0, resumed.stderr
    fresh = tmp_path / "fresh"
    clean = subprocess.run(census("run", server, images.list, fresh, "--shard-bytes", "1"), env=MPI_ENV,
                           capture_output=True, text=True, timeout=BOUND)
    assert clean.returncode == 0, clean.stderr
    assert datasets(tmp_path / "results.h5") == datasets(fresh / "results.h5")
    statuses = tables(tmp_path / "results.h5")[1]["status"]
    assert list(statuses) == ["ok"] * 3


def test_sigusr1_lets_the_running_shard_finish(server, tmp_path):
    """Slurm's warning ahead of the time limit: no new shard, the running one lands."""
    images = Images(server, tmp_path)
    released = []

    def slow_blob(reply):  # half the blob, a pause long enough for the signal, the rest
        reply.send(200, b"", {"Content-Length": str(len(images.slow))}, content_length=False)
        reply.raw(images.slow[:1000])
        server.stopping.wait(2)
        released.append(time.time())
        reply.raw(images.slow[1000:])

    server.route("GET", f"/v2/lib/three/blobs/{images.slow_digest}", slow_blob)
    # The slow layer's shard first (largest shards go first), on one worker.
    proc = launch(census("run", server, images.list, tmp_path, "--shard-bytes", "1", "--concurrency", "1"))
    assert wait_for(lambda: images.slow_requests() > 0, BOUND)
    proc.send_signal(signal.SIGUSR1)
    code, _, err = finish(proc)
    assert code == 75, err
    assert released, "the transfer was abandoned"
    shards = shards_of_plan(tmp_path)
    slow_shard = next(s for s, digests in shards.items() if images.slow_digest in digests)
    # The running shard landed (and one queued behind it, if any); not every shard was taken.
    written = shard_files(tmp_path)
    assert f"shard-{slow_shard:05d}.h5" in written and len(written) < len(shards), written


def test_signal_while_planning_saves_no_plan(server, tmp_path):
    images = Images(server, tmp_path)
    # The last image's manifest drips: the plan is still running when the signal comes.
    config = image_config([])
    slow_manifest = image_manifest(config, [])
    server.route("GET", "/v2/lib/four/manifests/1", lambda r: r.drip(slow_manifest, 2, {"Content-Type": MANIFEST}))
    images.list.write_text(images.list.read_text() + "lib/four:1\n")
    proc = launch(census("run", server, images.list, tmp_path))
    assert wait_for(lambda: server.requests_to("/v2/lib/four/manifests/1"), BOUND)
    time.sleep(0.5)
    sent = time.time()
    proc.send_signal(signal.SIGTERM)
    code, _, err = finish(proc, timeout=20)
    assert code == 75, err
    assert time.time() - sent < 10
    assert not (tmp_path / "work" / "plan.h5").exists()
    assert not (tmp_path / "results.h5").exists()


MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


# -- one image cannot spoil another ----------------------------------------------------------

def test_wrong_size_on_a_shared_layer_fails_only_the_image_that_declares_it(server, tmp_path):
    shared = tar_gz_layer({f"etc/conf{i}": b"setting=%d\n" % i for i in range(8)})
    own = tar_gz_layer({"srv/own": b"own file\n"})
    config = image_config([sha256_digest(shared)])
    for name in ["good1", "good2"]:
        server.manifest("lib/" + name, "1", image_manifest(config, [shared]))
    # The liar lists the shared layer with a size 7 bytes too large, and its own good layer.
    liar_config = image_config([sha256_digest(shared), sha256_digest(own)])
    server.manifest("lib/liar", "1",
                    image_manifest(liar_config, [shared, own], layer_sizes=[len(shared) + 7, len(own)]))
    for name, c in [("good1", config), ("good2", config), ("liar", liar_config)]:
        server.blob("lib/" + name, sha256_digest(c), c)
        for layer in (shared, own):
            server.blob("lib/" + name, sha256_digest(layer), layer)
    listing = tmp_path / "images.txt"
    # The liar first: the first image's word used to decide for every image.
    listing.write_text("lib/liar:1\nlib/good1:1\nlib/good2:1\n")
    result = subprocess.run(census("run", server, listing, tmp_path), env=MPI_ENV, capture_output=True, text=True,
                            timeout=BOUND)
    assert result.returncode == 0, result.stderr
    images, layers, rows = tables(tmp_path / "results.h5")
    by_digest = {d: i for i, d in enumerate(layers["digest"])}
    s = by_digest[sha256_digest(shared)]
    assert layers["status"][s] == "ok" and layers["error"][s] == ""
    assert layers["compressed_bytes"][s] == len(shared)
    assert layers["file_count"][s] == 8
    assert layers["ref_count"][s] == 3
    assert list(images["reference"]) == ["lib/liar:1", "lib/good1:1", "lib/good2:1"]
    assert list(images["status"]) == ["size_mismatch", "ok", "ok"]
    assert images["error"][0] == (f"layer {sha256_digest(shared)}: the manifest declares {len(shared) + 7} bytes, "
                                  f"the blob has {len(shared)}")
    for i in (1, 2):
        assert images["error"][i] == ""
        assert images["compressed_bytes"][i] == len(shared)
        assert images["file_count"][i] == 8
        assert rows[i] == [sha256_digest(shared)]
    assert images["file_count"][0] == -1
    assert rows[0] == [sha256_digest(shared), sha256_digest(own)]
    # The blob was fetched once, by digest, whatever the images declared.
    assert len(server.requests_to("/blobs/" + sha256_digest(shared))) == 1


def test_shared_layer_missing_from_the_first_images_repository_comes_from_the_next(server, tmp_path):
    shared = tar_gz_layer({"etc/motd": b"hello\n"})
    config = image_config([sha256_digest(shared)])
    for name in ["ghost", "good"]:
        server.manifest("lib/" + name, "1", image_manifest(config, [shared]))
        server.blob("lib/" + name, sha256_digest(config), config)
    server.blob("lib/good", sha256_digest(shared), shared)  # lib/ghost answers 404 BLOB_UNKNOWN
    listing = tmp_path / "images.txt"
    listing.write_text("lib/ghost:1\nlib/good:1\n")
    result = subprocess.run(census("run", server, listing, tmp_path), env=MPI_ENV, capture_output=True, text=True,
                            timeout=BOUND)
    assert result.returncode == 0, result.stderr
    images, layers, _ = tables(tmp_path / "results.h5")
    assert list(layers["status"]) == ["ok"]
    assert list(images["status"]) == ["ok", "ok"]
    assert len(server.requests_to("/v2/lib/ghost/blobs/" + sha256_digest(shared))) == 1
    assert len(server.requests_to("/v2/lib/good/blobs/" + sha256_digest(shared))) == 1


def test_index_of_identical_entries_is_one_row_and_one_request(server, tmp_path):
    child_digest, config, _ = serve_identical_entries(server)
    listing = tmp_path / "images.txt"
    listing.write_text("lib/multi:1\n")
    result = subprocess.run(census("run", server, listing, tmp_path, "--all-platforms"), env=MPI_ENV,
                            capture_output=True, text=True, timeout=BOUND)
    assert result.returncode == 0, result.stderr
    images, layers, _ = tables(tmp_path / "results.h5")
    assert list(images["status"]) == ["ok"]
    assert list(images["platform"]) == ["linux/arm64"]
    assert list(layers["status"]) == ["ok"]
    assert len(server.requests_to("/manifests/" + child_digest)) == 1
    assert len(server.requests_to("/blobs/" + sha256_digest(config))) == 1


def test_index_over_the_entry_cap_is_a_row_error_without_child_requests(server, tmp_path):
    # Under the cap, one digest listed under several platforms is fetched once.
    child_digest, config = serve_capped_indexes(server)
    listing = tmp_path / "images.txt"
    listing.write_text("lib/many:1\nlib/few:1\n")
    result = subprocess.run(census("run", server, listing, tmp_path, "--all-platforms"), env=MPI_ENV,
                            capture_output=True, text=True, timeout=BOUND)
    assert result.returncode == 0, result.stderr
    images, _, _ = tables(tmp_path / "results.h5")
    assert list(images["reference"]) == ["lib/many:1", "lib/few:1", "lib/few:1", "lib/few:1"]
    assert list(images["status"]) == ["too_large", "ok", "ok", "ok"]
    assert "more than 1000 distinct platform entries" in images["error"][0]
    # The config names the platform (linux/amd64): it wins over the index entry, as always.
    assert list(images["platform"])[1:] == ["linux/amd64"] * 3
    assert server.requests_to("/v2/lib/many/manifests/" + child_digest) == []
    assert len(server.requests_to("/v2/lib/few/manifests/" + child_digest)) == 1
    assert len(server.requests_to("/v2/lib/few/blobs/" + sha256_digest(config))) == 1


def test_an_endless_blob_is_refused_past_the_largest_declared_size(server, tmp_path):
    """A blob that never ends (chunked, no Content-Length, at full speed) is read
    no further than the largest size an image declares for it; the layer row is
    `size_mismatch` and the other layer of the image is unaffected."""
    good = tar_gz_layer({"etc/motd": b"hello\n"})
    endless_digest = sha256_digest(b"the bytes it claims to have")
    declared = 100_000
    config = image_config([sha256_digest(good), endless_digest])
    server.manifest("lib/app", "1", image_manifest(config, [good, b"x" * declared],
                                                   layer_digests=[sha256_digest(good), endless_digest]))
    server.blob("lib/app", sha256_digest(config), config)
    server.blob("lib/app", sha256_digest(good), good)
    sent = []

    def endless(reply):
        reply.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
        chunk = b"\x1f\x8b" + bytes(64 * 1024 - 2)
        try:
            while not reply._server.stopping.is_set() and len(sent) < 16 * 1024:  # 1 GiB at most, then give up
                reply.raw(chunk)
                sent.append(len(chunk))
        except OSError:
            pass  # the client hung up: the point

    server.route("GET", f"/v2/lib/app/blobs/{endless_digest}", endless)
    images = tmp_path / "images.txt"
    images.write_text("lib/app:1\n")
    result = subprocess.run(census("run", server, images, tmp_path), env=MPI_ENV, capture_output=True, text=True,
                            timeout=BOUND)
    assert result.returncode == 0, result.stderr
    _, layers, _ = tables(tmp_path / "results.h5")
    by_digest = {d: i for i, d in enumerate(layers["digest"])}
    row = by_digest[endless_digest]
    assert layers["status"][row] == "size_mismatch"
    assert layers["error"][row] == f"the blob goes on past {declared} bytes, the largest size an image declares for it"
    assert layers["status"][by_digest[sha256_digest(good)]] == "ok"
    # Stopped near the bound, not at the analyser's 256 GiB limit (socket buffers let some more through).
    assert sum(sent) < 64 * 1024 * 1024
