"""The batch scripts of slurm/ on a real Slurm cluster: munged, slurmctld and slurmd of
Debian's slurm-wlm started on this host in a temp dir (slurm_cluster.py).

- `sbatch -n 2 slurm/regcensus.sbatch jobs/demo.cfg` (the demo job file as it is, with
  --registry pointing at the test registry) writes a results file equal to the ground
  truth, once launched with srun --mpi=pmix and once with the mpirun fallback.
- The job array with one shard made to fail (a lost node): the merge job reports that
  shard, a rerun of just that shard and a merge give datasets identical to a one-shot run.
"""
import re
import time

import pytest

import slurm_cluster
from census_checks import check_all, datasets
from conftest import BIN, SOURCE, run
from results import open_results

why_not = slurm_cluster.available()
pytestmark = pytest.mark.skipif(why_not is not None, reason=why_not or "")

SINGLE = SOURCE / "slurm" / "regcensus.sbatch"
ARRAY = SOURCE / "slurm" / "regcensus-array.sbatch"
CRASH_SHARD = 1
SHARDS_WANTED = 4  # the array test cuts the corpus into about this many shards


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = slurm_cluster.SlurmCluster(tmp_path_factory.mktemp("slurm"))
    yield c
    c.stop()


def job_env(**extra):
    """What the test's jobs need besides the cluster's SLURM_CONF: the program under test."""
    return {"REGCENSUS_BIN": str(BIN), **extra}


def read_output(path):
    return path.read_text(errors="replace") if path.exists() else f"({path} not written)"


@pytest.mark.parametrize("launcher", ["srun", "mpirun"])
def test_demo_job(cluster, registry, corpus, tmp_path, launcher):
    # demo.cfg names demo-out/... relative to the submit directory: a temp dir
    # holding the test corpus where the demo would have written its own.
    (tmp_path / "demo-out").mkdir()
    (tmp_path / "demo-out" / "corpus").symlink_to(corpus["dir"])
    job = cluster.sbatch(["-n", "2", SINGLE, SOURCE / "jobs" / "demo.cfg", "--registry", registry.url],
                         cwd=tmp_path, env=job_env(REGCENSUS_LAUNCHER=launcher))
    states = cluster.wait(job)
    output = read_output(tmp_path / f"regcensus-{job}.out")
    assert states == {job: "COMPLETED"}, output + cluster.logs()
    assert f", {launcher}: " in output, output
    assert "run finished (exit 0)" in output, output
    results = tmp_path / "demo-out" / "results.h5"
    check_all(results, corpus["truth"])
    with open_results(results) as res:
        assert res.attrs["mpi_ranks"] == 2


def test_default_launcher_is_srun_with_pmix(cluster):
    """This Slurm has PMIx, so the scripts' probe picks srun --mpi=pmix."""
    assert re.search(r"^\s*pmix\s*$", cluster.command(["srun", "--mpi=list"]).stdout, re.M)


def jobs_of(driver_output):
    """The array and merge job ids the driver printed."""
    ids = dict(re.findall(r"^(array_job|merge_job) (\S+)$", driver_output, re.M))
    assert "merge_job" in ids, driver_output
    return ids.get("array_job"), ids["merge_job"]


def test_array_rerun_failed_shard(cluster, registry, corpus, tmp_path):
    truth = corpus["truth"]
    one_shot = tmp_path / "one-shot"
    run([BIN, "run", "--registry", registry.url, "--images", corpus["images"], "--out", one_shot / "results.h5",
         "--work", one_shot / "work"])

    shard_bytes = sum(layer["compressed_bytes"] for layer in truth["layers"].values()) // SHARDS_WANTED
    census = tmp_path / "census"
    jobfile = tmp_path / "array.cfg"
    jobfile.write_text(f"# the array test's census\nregistry = {registry.url}\nimages = {corpus['images']}\n"
                       f"out = {census / 'results.h5'}\nwork = {census / 'work'}\nshard-bytes = {shard_bytes}\n")
    knobs = dict(REGCENSUS_ARRAY_PARALLEL="2", REGCENSUS_SHARDS_PER_TASK="1")

    # First pass: the task of shard CRASH_SHARD dies as if its node were lost.
    driver = cluster.sbatch([f"--export=ALL,REGCENSUS_TEST_CRASH_SHARD={CRASH_SHARD}", ARRAY, jobfile],
                            cwd=tmp_path, env=job_env(**knobs))
    assert cluster.wait(driver) == {driver: "COMPLETED"}, read_output(tmp_path / f"regcensus-plan-{driver}.out")
    driver_out = read_output(tmp_path / f"regcensus-plan-{driver}.out")
    shard_count = int(re.search(r"^shards (\d+)$", driver_out, re.M).group(1))
    assert shard_count >= 2, driver_out
    array, merge = jobs_of(driver_out)
    assert cluster.wait(merge)[merge] == "FAILED", read_output(tmp_path / f"regcensus-merge-{merge}.out")
    tasks = cluster.job_states(array)
    assert len(tasks) == shard_count, tasks
    failed = sorted(t for t, s in tasks.items() if s != "COMPLETED")
    assert failed == [f"{array}_{CRASH_SHARD}"], tasks  # task i runs shard i (one shard per task)
    merge_out = read_output(tmp_path / f"regcensus-merge-{merge}.out")
    assert f"shards failed or missing: {CRASH_SHARD}\n" in merge_out, merge_out
    assert f"--shards {CRASH_SHARD}\n" in merge_out, merge_out
    assert not (census / "results.h5").exists()
    status = run([BIN, "status", "--work", census / "work", "--failed"])
    assert status.stdout.strip() == str(CRASH_SHARD)

    # Second pass: just that shard, then the merge.
    driver = cluster.sbatch([ARRAY, jobfile, "--shards", str(CRASH_SHARD)], cwd=tmp_path, env=job_env(**knobs))
    assert cluster.wait(driver) == {driver: "COMPLETED"}
    driver_out = read_output(tmp_path / f"regcensus-plan-{driver}.out")
    assert "planning" not in driver_out, driver_out  # the plan in the work dir is used as is
    array, merge = jobs_of(driver_out)
    assert cluster.wait(merge) == {merge: "COMPLETED"}, read_output(tmp_path / f"regcensus-merge-{merge}.out")
    assert list(cluster.job_states(array).values()) == ["COMPLETED"]
    assert run([BIN, "status", "--work", census / "work", "--failed"]).stdout.strip() == ""

    check_all(census / "results.h5", truth)
    assert datasets(census / "results.h5") == datasets(one_shot / "results.h5")


STUB = """#!/usr/bin/env bash
# Stands in for regcensus: records its arguments, and on SIGUSR1 stops as a run
# does when asked to (exit 75, "incomplete"); a start with --resume finishes.
echo "args: $*" >>"$STUB_LOG"
if [[ " $* " == *" --resume "* ]]; then exit 0; fi
trap 'echo "got USR1" >>"$STUB_LOG"; exit 75' USR1
touch "$STUB_READY"
for _ in $(seq 1200); do sleep 0.1; done
echo "never signalled" >>"$STUB_LOG"
exit 1
"""


def test_time_limit_signal_requeues_and_resumes(cluster, tmp_path):
    """The time-limit warning (USR1 to the batch shell, as --signal=B:USR1@600 sends it) is
    forwarded to the run; the job requeues itself and its next start passes --resume.
    A stub stands in for regcensus so that the signal always finds the run running."""
    stub = tmp_path / "stub.sh"
    stub.write_text(STUB)
    stub.chmod(0o755)
    log, ready = tmp_path / "stub.log", tmp_path / "stub.ready"
    job = cluster.sbatch(["-n", "1", SINGLE, SOURCE / "jobs" / "demo.cfg", "--registry", "http://127.0.0.1:9"],
                         cwd=tmp_path, env=dict(REGCENSUS_BIN=str(stub), STUB_LOG=str(log), STUB_READY=str(ready)))
    for _ in range(240):
        if ready.exists():
            break
        assert cluster.job_states(job).get(job) not in slurm_cluster.FINAL_STATES, read_output(tmp_path / f"regcensus-{job}.out")
        time.sleep(0.25)
    assert ready.exists(), read_output(tmp_path / f"regcensus-{job}.out")
    cluster.command(["scancel", "--batch", "--signal=USR1", job])
    # Slurm holds a requeued job back for about two minutes (its begin time);
    # the test does not wait that out: once requeued, the job may start now.
    for _ in range(240):
        shown = cluster.command(["scontrol", "show", "job", job]).stdout
        if "Restarts=1" in shown and "JobState=PENDING" in shown:
            # The requeued job keeps its id: starting it while slurmd still tears down
            # the old step makes the new step's launch fail (step ids collide). Slurm's
            # own hold time avoids that; here, wait until the old step is gone.
            for _ in range(120):
                steps = cluster.command(["squeue", "--steps", "--noheader", "-j", job]).stdout.strip()
                if not steps:
                    break
                time.sleep(0.25)
            time.sleep(10)
            cluster.command(["scontrol", "update", f"JobId={job}", "StartTime=now"])
            break
        time.sleep(0.25)
    states = cluster.wait(job)
    output = read_output(tmp_path / f"regcensus-{job}.out")
    assert states == {job: "COMPLETED"}, output
    lines = log.read_text().splitlines()
    # The script's defaults: 1 CPU and 4G per CPU, so concurrency 1 and half of 4 GiB for the index.
    config = (f"--config {SOURCE / 'jobs' / 'demo.cfg'} --registry http://127.0.0.1:9"
              " --concurrency 1 --memory-per-rank 2147483648")
    assert lines == [f"args: run {config}", "got USR1", f"args: run {config} --resume"], (lines, output)
    assert "requeueing job" in output and "start 1" in output, output
    restarts = re.search(r"Restarts=(\d+)", cluster.command(["scontrol", "show", "job", job]).stdout)
    assert restarts and restarts.group(1) == "1"
