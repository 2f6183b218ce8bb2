"""Scale features of `regcensus run`: results independent of ranks and shard sizes,
a run killed mid-analysis resumed without downloading finished shards again, a
lost shard rerun alone and merged, and a stop signal that leaves a resumable run."""
import os
import signal
import subprocess
import time

import h5py
import pytest

from census_checks import check_all, datasets
from conftest import BIN, MPI_ENV, mpirun, run

SMALL_SHARDS = "2000000"  # about 25 shards over the test corpus


def run_args(registry, corpus, work, *extra):
    return ["run", "--registry", registry.url, "--images", corpus["images"], "--out", work / "results.h5",
            "--work", work / "work", "--progress", "0", *extra]


def shard_layers(work):
    """Layer digests of each shard, from the saved plan."""
    with h5py.File(work / "work" / "plan.h5", "r") as f:
        offsets = f["shards/layer_offsets"][()]
        digests = [d.decode() for d in f["shards/layer_digest"][()]]
        ids = f["shards/id"][()]
    return {int(i): digests[offsets[k]:offsets[k + 1]] for k, i in enumerate(ids)}


def expand(shard_list):
    """'0-2,5' -> [0, 1, 2, 5]"""
    out = []
    for part in filter(None, shard_list.split(",")):
        first, _, last = part.partition("-")
        out.extend(range(int(first), int(last or first) + 1))
    return out


@pytest.fixture(scope="module")
def baseline(corpus, registry, tmp_path_factory):
    work = tmp_path_factory.mktemp("baseline")
    mpirun(1, *run_args(registry, corpus, work))
    return datasets(work / "results.h5")


@pytest.mark.parametrize("ranks,shard_bytes", [(2, "500000"), (3, "3000000"), (4, SMALL_SHARDS)])
def test_identical_whatever_ranks_and_shards(corpus, registry, tmp_path, baseline, ranks, shard_bytes):
    mpirun(ranks, *run_args(registry, corpus, tmp_path, "--shard-bytes", shard_bytes))
    assert datasets(tmp_path / "results.h5") == baseline
    check_all(tmp_path / "results.h5", corpus["truth"])


def test_killed_run_resumes_without_refetching(corpus, registry, tmp_path, baseline):
    shards_dir = tmp_path / "work" / "shards"
    cmd = ["mpirun", "--oversubscribe", "-np", "2", BIN,
           *run_args(registry, corpus, tmp_path, "--shard-bytes", SMALL_SHARDS)]
    proc = subprocess.Popen([str(c) for c in cmd], env=MPI_ENV, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if shards_dir.exists() and len(list(shards_dir.glob("shard-*.h5"))) >= 2:
            break
        time.sleep(0.005)
    # mpirun's ranks are not all in its process group: kill them by their unique work path too.
    subprocess.run(["pkill", "-KILL", "-f", str(tmp_path / "work")])
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    while subprocess.run(["pgrep", "-f", str(tmp_path / "work")], capture_output=True).returncode == 0:
        time.sleep(0.05)
    finished = sorted(int(p.name[6:11]) for p in shards_dir.glob("shard-*.h5"))
    assert finished, "the run was killed before any shard was written"
    assert not (tmp_path / "results.h5").exists()

    offset = registry.access_log_size()
    resumed = mpirun(2, *run_args(registry, corpus, tmp_path, "--resume", "--shard-bytes", SMALL_SHARDS))
    gets = registry.blob_gets_since(offset)
    layers = shard_layers(tmp_path)
    for shard in finished:
        for digest in layers[shard]:
            assert digest not in gets, f"layer {digest} of finished shard {shard} was downloaded again"
    assert f"{len(finished)} shard(s) already done" in resumed.stderr, resumed.stderr
    assert datasets(tmp_path / "results.h5") == baseline


def test_lost_shard_rerun_alone_then_merged(corpus, registry, tmp_path, baseline):
    args = run_args(registry, corpus, tmp_path, "--shard-bytes", SMALL_SHARDS)
    plan = run([BIN, "plan", "--registry", registry.url, "--images", corpus["images"],
                "--work", tmp_path / "work", "--shard-bytes", SMALL_SHARDS])
    shard_count = int(plan.stdout.strip().split()[-1])
    assert shard_count > 5
    all_shards = f"0-{shard_count - 1}"
    crashed = subprocess.run([str(c) for c in ["mpirun", "--oversubscribe", "-np", "2", BIN,
                                                *args, "--shards", all_shards]],
                             env=dict(MPI_ENV, REGCENSUS_TEST_CRASH_SHARD="3"), capture_output=True, text=True)
    assert crashed.returncode != 0
    status = run([BIN, "status", "--work", tmp_path / "work", "--failed"]).stdout.strip()
    assert 3 in expand(status)
    merge = subprocess.run([str(BIN), "merge", "--work", str(tmp_path / "work"), "--out",
                            str(tmp_path / "results.h5")], env=MPI_ENV, capture_output=True, text=True)
    assert merge.returncode == 3 and "missing shards" in merge.stderr
    mpirun(2, *args, "--shards", status)
    assert run([BIN, "status", "--work", tmp_path / "work", "--failed"]).stdout.strip() == ""
    mpirun(2, "merge", "--work", tmp_path / "work", "--out", tmp_path / "results.h5")
    assert datasets(tmp_path / "results.h5") == baseline


def test_stop_signal_leaves_a_resumable_run(corpus, registry, tmp_path, baseline):
    shards_dir = tmp_path / "work" / "shards"
    cmd = [BIN, *run_args(registry, corpus, tmp_path, "--shard-bytes", "300000")]
    proc = subprocess.Popen([str(c) for c in cmd], env=MPI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if shards_dir.exists() and any(shards_dir.glob("shard-*.h5")):
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGUSR1)
    _, stderr = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 75, stderr
    assert "rerun with --resume" in stderr
    mpirun(1, *run_args(registry, corpus, tmp_path, "--resume", "--shard-bytes", "300000"))
    assert datasets(tmp_path / "results.h5") == baseline
