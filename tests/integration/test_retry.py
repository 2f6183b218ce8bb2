"""`--resume --retry-failed` redoes exactly what failed for a retryable reason:
images whose plan met an unreachable registry, and layers whose download did,
and the final datasets equal those of a run that never failed."""
import h5py

from census_checks import datasets
from conftest import BIN, mpirun, run

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens on the discard port here


def statuses(path, table):
    with h5py.File(path, "r") as f:
        return [s.decode() for s in f[table]["status"][()]]


def test_images_planned_against_a_dead_registry_are_resolved_again(corpus, registry, tmp_path):
    base = tmp_path / "base"
    mpirun(1, "run", "--registry", registry.url, "--images", corpus["images"], "--out", base / "r.h5",
           "--work", base / "work", "--progress", "0")
    work = tmp_path / "work"
    mpirun(2, "run", "--registry", UNREACHABLE, "--retries", "0", "--images", corpus["images"],
           "--out", tmp_path / "r.h5", "--work", work, "--progress", "0")
    assert set(statuses(tmp_path / "r.h5", "images")) == {"network"}
    mpirun(2, "run", "--registry", registry.url, "--images", corpus["images"], "--out", tmp_path / "r.h5",
           "--work", work, "--resume", "--retry-failed", "--shard-bytes", "3000000", "--progress", "0")
    assert datasets(tmp_path / "r.h5") == datasets(base / "r.h5")


def test_layers_that_met_a_dead_registry_are_analysed_again(corpus, registry, tmp_path):
    base = tmp_path / "base"
    mpirun(1, "run", "--registry", registry.url, "--images", corpus["images"], "--out", base / "r.h5",
           "--work", base / "work", "--progress", "0")
    work = tmp_path / "work"
    run([BIN, "plan", "--registry", registry.url, "--images", corpus["images"], "--work", work,
         "--shard-bytes", "3000000"])
    mpirun(2, "run", "--registry", UNREACHABLE, "--retries", "0", "--images", corpus["images"],
           "--out", tmp_path / "r.h5", "--work", work, "--resume", "--progress", "0")
    assert set(statuses(tmp_path / "r.h5", "layers")) == {"network"}
    failed = run([BIN, "status", "--work", work, "--failed"]).stdout.strip()
    assert failed.startswith("0-")  # every shard holds retryable failures
    mpirun(2, "run", "--registry", registry.url, "--images", corpus["images"], "--out", tmp_path / "r.h5",
           "--work", work, "--resume", "--retry-failed", "--progress", "0")
    assert run([BIN, "status", "--work", work, "--failed"]).stdout.strip() == ""
    assert datasets(tmp_path / "r.h5") == datasets(base / "r.h5")
