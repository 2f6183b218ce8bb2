"""`--resume --retry-failed` redoes exactly what failed for a retryable reason:
images whose plan met an unreachable registry, and layers whose download did,
and the final datasets equal those of a run that never failed."""
import h5py

from census_checks import datasets
from conftest import BIN, mpirun, run
from hostile_server import HostileServer

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens on the discard port here


def failing_registry():
    """Answers GET /v2/ as a registry (so a plan starts) and hangs up on every other request."""
    server = HostileServer().registry_root()
    for method in ("GET", "HEAD"):
        server.route_prefix(method, "/v2/", lambda reply: reply.hang_up())
    return server


def statuses(path, table):
    with h5py.File(path, "r") as f:
        return [s.decode() for s in f[table]["status"][()]]


def test_images_planned_against_a_dead_registry_are_resolved_again(corpus, registry, tmp_path):
    base = tmp_path / "base"
    mpirun(1, "run", "--registry", registry.url, "--images", corpus["images"], "--out", base / "r.h5",
           "--work", base / "work", "--progress", "0")
    work = tmp_path / "work"
    # An unreachable registry ends a run before planning (the /v2/ check): one
    # that answers /v2/ and then fails every request makes a plan of failures.
    with failing_registry() as failing:
        mpirun(2, "run", "--registry", failing.url, "--retries", "0", "--images", corpus["images"],
               "--out", tmp_path / "r.h5", "--work", work, "--progress", "0")
    assert set(statuses(tmp_path / "r.h5", "images")) == {"network"}
    # the plan names the failing registry: continuing it from another one is said explicitly
    mpirun(2, "run", "--registry", registry.url, "--images", corpus["images"], "--out", tmp_path / "r.h5",
           "--work", work, "--resume", "--retry-failed", "--shard-bytes", "3000000", "--progress", "0",
           "--accept-plan")
    assert datasets(tmp_path / "r.h5") == datasets(base / "r.h5")


def test_layers_that_met_a_dead_registry_are_analysed_again(corpus, registry, tmp_path):
    base = tmp_path / "base"
    mpirun(1, "run", "--registry", registry.url, "--images", corpus["images"], "--out", base / "r.h5",
           "--work", base / "work", "--progress", "0")
    work = tmp_path / "work"
    run([BIN, "plan", "--registry", registry.url, "--images", corpus["images"], "--work", work,
         "--shard-bytes", "3000000"])
    mpirun(2, "run", "--registry", UNREACHABLE, "--retries", "0", "--images", corpus["images"],
           "--out", tmp_path / "r.h5", "--work", work, "--resume", "--shard-bytes", "3000000", "--progress", "0",
           "--accept-plan")
    assert set(statuses(tmp_path / "r.h5", "layers")) == {"network"}
    failed = run([BIN, "status", "--work", work, "--failed"]).stdout.strip()
    assert failed.startswith("0-")  # every shard holds retryable failures
    mpirun(2, "run", "--registry", registry.url, "--images", corpus["images"], "--out", tmp_path / "r.h5",
           "--work", work, "--resume", "--retry-failed", "--shard-bytes", "3000000", "--progress", "0")
    assert run([BIN, "status", "--work", work, "--failed"]).stdout.strip() == ""
    assert datasets(tmp_path / "r.h5") == datasets(base / "r.h5")
