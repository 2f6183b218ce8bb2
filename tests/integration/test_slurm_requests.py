"""What the batch scripts request from Slurm and pass on (docs/slurm.md), on the real
daemons of slurm_cluster.py with accounting (mariadbd + slurmdbd, account and QoS
"census" for root, associations and QoS enforced), with a stub in place of
regcensus that records its arguments (the census itself is test_slurm.py's):

- regcensus.sbatch requests a time limit, CPUs per task and memory per CPU, and
  ties --concurrency and --memory-per-rank to them (the job file or command
  line wins); after REGCENSUS_MAX_REQUEUES requeues it stops requeueing.
- regcensus-array.sbatch passes the driver's partition, account, QoS and time
  limit on to the array tasks and the merge job (scontrol show job, and sacct:
  what slurmdbd recorded), with the CPUs and memory of its knobs, tied to the
  same options; a driver given none of them gets Slurm's defaults (partition
  "test", account "root", QoS "normal") and so do its children. (Without
  accounting a job's QoS is "(null)", which the script leaves out: the array
  test of test_slurm.py runs on such a cluster.)
- jobs/dockerhub-latest.cfg's shard size fits in the signal lead at the rate
  docs/slurm.md states.
"""
import re
import time

import pytest

import slurm_cluster
from conftest import SOURCE

SINGLE = SOURCE / "slurm" / "regcensus.sbatch"
ARRAY = SOURCE / "slurm" / "regcensus-array.sbatch"
GiB = 1 << 30

STUB = """#!/usr/bin/env bash
# Stands in for regcensus: records its arguments; `plan` cuts 2 shards, `status`
# lists no failure; with STUB_WAIT_USR1 a run waits for SIGUSR1 and exits 75.
echo "job ${SLURM_JOB_ID:-?} args: $*" >>"$STUB_LOG"
case $1 in
  plan) echo "shards 2" ;;
  status) ;;
  run)
    if [[ -n ${STUB_WAIT_USR1:-} ]]; then
      trap 'echo "got USR1" >>"$STUB_LOG"; exit 75' USR1
      touch "$STUB_READY"
      for _ in $(seq 1200); do sleep 0.1; done
      exit 1
    fi ;;
esac
exit 0
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    why_not = slurm_cluster.available(accounting=True)
    if why_not is not None:
        pytest.skip(why_not)
    c = slurm_cluster.SlurmCluster(tmp_path_factory.mktemp("slurm"), accounting=True)
    yield c
    c.stop()


@pytest.fixture
def stub(tmp_path):
    path = tmp_path / "stub.sh"
    path.write_text(STUB)
    path.chmod(0o755)
    return {"REGCENSUS_BIN": str(path), "STUB_LOG": str(tmp_path / "stub.log"),
            "STUB_READY": str(tmp_path / "stub.ready")}


def job_fields(cluster, job):
    """scontrol's fields of one job (or of each task of an array: a list)."""
    lines = cluster.command(["scontrol", "-o", "show", "job", job]).stdout.splitlines()
    return [dict(re.findall(r"(\w+)=(\S*)", line)) for line in lines if line.strip()]


def stub_lines(stub):
    with open(stub["STUB_LOG"]) as f:
        return f.read().splitlines()


def test_single_job_requests_what_the_run_uses(cluster, stub, tmp_path):
    job = cluster.sbatch(["-n", "1", "-c", "2", "--mem-per-cpu=3G", SINGLE, SOURCE / "jobs" / "demo.cfg",
                          "--registry", "http://127.0.0.1:9"], cwd=tmp_path, env=stub)
    assert cluster.wait(job) == {job: "COMPLETED"}
    [fields] = job_fields(cluster, job)
    assert fields["TimeLimit"] == "12:00:00"  # the script's #SBATCH --time
    assert fields["MinMemoryCPU"] == "3G" and fields["NumCPUs"] == "2", fields
    # Two CPUs: two layers at once; 2 x 3 GiB, half of it for the duplicate index.
    assert stub_lines(stub) == [f"job {job} args: run --config {SOURCE / 'jobs' / 'demo.cfg'} --registry "
                                f"http://127.0.0.1:9 --concurrency 2 --memory-per-rank {3 * GiB}"]


def test_single_job_options_given_win(cluster, stub, tmp_path):
    jobfile = tmp_path / "job.cfg"
    jobfile.write_text("registry = http://127.0.0.1:9\nmemory-per-rank = 1000000  # the job file's\n")
    job = cluster.sbatch(["-n", "1", "-c", "2", "-t", "5", SINGLE, jobfile, "--concurrency", "7"],
                         cwd=tmp_path, env=stub)
    assert cluster.wait(job) == {job: "COMPLETED"}
    assert job_fields(cluster, job)[0]["TimeLimit"] == "00:05:00"
    assert stub_lines(stub) == [f"job {job} args: run --config {jobfile} --concurrency 7"]


def test_requeues_stop_at_the_configured_count(cluster, stub, tmp_path):
    job = cluster.sbatch(["-n", "1", SINGLE, SOURCE / "jobs" / "demo.cfg"], cwd=tmp_path,
                         env=dict(stub, STUB_WAIT_USR1="1", REGCENSUS_MAX_REQUEUES="0"))
    ready = tmp_path / "stub.ready"
    for _ in range(240):
        if ready.exists():
            break
        assert cluster.job_states(job).get(job) not in slurm_cluster.FINAL_STATES
        time.sleep(0.25)
    assert ready.exists()
    cluster.command(["scancel", "--batch", "--signal=USR1", job])
    assert cluster.wait(job) == {job: "FAILED"}  # exit 75, not requeued
    output = (tmp_path / f"regcensus-{job}.out").read_text()
    assert "not requeueing: job " + job + " was requeued 0 time(s) (REGCENSUS_MAX_REQUEUES=0)" in output, output
    assert f"  sbatch slurm/regcensus.sbatch {SOURCE / 'jobs' / 'demo.cfg'} --resume\n" in output, output
    fields = job_fields(cluster, job)[0]
    assert fields["Restarts"] == "0" and fields["ExitCode"] == "75:0", fields


def run_array(cluster, env, tmp_path, options):
    """Submits regcensus-array.sbatch with sbatch `options` (the stub plans 2 shards), waits
    for the driver, the array and the merge job; returns their job ids and scontrol fields."""
    jobfile = tmp_path / "array.cfg"
    jobfile.write_text(f"registry = http://127.0.0.1:9\nout = {tmp_path / 'results.h5'}\nwork = {tmp_path / 'work'}\n")
    driver = cluster.sbatch([*options, ARRAY, jobfile], cwd=tmp_path, env=env)
    assert cluster.wait(driver) == {driver: "COMPLETED"}
    driver_out = (tmp_path / f"regcensus-plan-{driver}.out").read_text()
    ids = dict(re.findall(r"^(array_job|merge_job) (\S+)$", driver_out, re.M))
    array, merge = ids["array_job"], ids["merge_job"]
    assert cluster.wait(array) == {f"{array}_0": "COMPLETED", f"{array}_1": "COMPLETED"}, driver_out
    assert cluster.wait(merge) == {merge: "COMPLETED"}, driver_out
    [driver_fields] = job_fields(cluster, driver)
    tasks = job_fields(cluster, array)
    assert len(tasks) == 2, tasks
    [merge_fields] = job_fields(cluster, merge)
    return jobfile, {"driver": driver, "array": array, "merge": merge}, driver_fields, tasks, merge_fields


PLACEMENT = ("Partition", "Account", "QOS")


def placement(fields):
    return tuple(fields[key] for key in PLACEMENT)


def accounted_placement(cluster, ids):
    """(partition, account, QoS) of the driver, each array task and the merge job as slurmdbd
    recorded them (sacct)."""
    jobs = [ids["driver"], f"{ids['array']}_0", f"{ids['array']}_1", ids["merge"]]
    return {job: placement(fields) for job, fields in cluster.accounted(jobs, list(PLACEMENT)).items()}


def test_array_passes_the_drivers_options_on(cluster, stub, tmp_path):
    knobs = dict(stub, REGCENSUS_TASK_CPUS="2", REGCENSUS_TASK_MEM_PER_CPU="3G", REGCENSUS_MERGE_TIME="7")
    jobfile, ids, driver, tasks, merge = run_array(
        cluster, knobs, tmp_path, ["-p", "other", "-A", slurm_cluster.ACCOUNT, "-q", slurm_cluster.QOS, "-t", "20"])
    given = ("other", "census", "census")
    assert (placement(driver), driver["TimeLimit"]) == (given, "00:20:00"), driver
    for task in tasks:
        assert (placement(task), task["TimeLimit"]) == (given, "00:20:00"), task
        assert (task["NumCPUs"], task["MinMemoryCPU"]) == ("2", "3G"), task
    assert placement(merge) == given, merge
    assert (merge["TimeLimit"], merge["MinMemoryCPU"]) == ("00:07:00", "8G"), merge
    assert set(accounted_placement(cluster, ids).values()) == {given}
    lines = stub_lines(stub)
    runs = sorted(line.split(" args: ", 1)[1] for line in lines if " args: run " in line)
    assert runs == [f"run --config {jobfile} --concurrency 2 --memory-per-rank {3 * GiB} --shards {shard}"
                    for shard in (0, 1)], lines
    merges = [line.split(" args: ", 1)[1] for line in lines if " args: merge " in line]
    assert merges == [f"merge --work {tmp_path / 'work'} --out {tmp_path / 'results.h5'} --memory-per-rank {4 * GiB}"]


def test_array_children_get_the_drivers_defaults(cluster, stub, tmp_path):
    """A driver given no partition, account or QoS runs with Slurm's defaults (the default
    partition, root's default account, its association's default QoS "normal"); its children
    get the same, and the census runs."""
    _, ids, driver, tasks, merge = run_array(cluster, stub, tmp_path, [])
    defaults = ("test", "root", "normal")
    assert (placement(driver), driver["TimeLimit"]) == (defaults, "12:00:00"), driver
    for task in tasks:
        assert (placement(task), task["TimeLimit"]) == (defaults, "12:00:00"), task
    assert (placement(merge), merge["TimeLimit"]) == (defaults, "12:00:00"), merge
    assert set(accounted_placement(cluster, ids).values()) == {defaults}
    runs = [line for line in stub_lines(stub) if " args: run " in line or " args: merge " in line]
    assert len(runs) == 3, runs


def test_dockerhub_shard_fits_in_the_signal_lead():
    """docs/slurm.md: a shard must finish within the lead of the time-limit signal at the
    slowest per-rank rate it plans for (14.3 MB/s: half the lead for 4 GiB)."""
    lead = int(re.search(r"^#SBATCH --signal=B:USR1@(\d+)$", SINGLE.read_text(), re.M).group(1))
    cfg = (SOURCE / "jobs" / "dockerhub-latest.cfg").read_text()
    shard_bytes = int(re.search(r"^shard-bytes = (\d+)$", cfg, re.M).group(1))
    assert shard_bytes / (lead / 2) <= 14.4e6, (shard_bytes, lead)
    assert f"{lead} s" in (SOURCE / "docs" / "slurm.md").read_text()


def test_installed_script_runs_the_installed_program(cluster, registry, corpus, tmp_path):
    """An installed regcensus.sbatch, submitted from a directory with no build tree and
    no REGCENSUS_BIN, runs the program installed beside it (docs/install.md)."""
    from census_checks import check_all
    from conftest import BIN, run
    if not (BIN.parent / "CMakeCache.txt").exists():
        pytest.skip(f"REGCENSUS_BIN is not in a CMake build tree ({BIN.parent})")
    prefix = tmp_path / "prefix"
    run(["cmake", "--install", BIN.parent, "--prefix", prefix])
    submit = tmp_path / "submit"
    (submit / "demo-out").mkdir(parents=True)
    (submit / "demo-out" / "corpus").symlink_to(corpus["dir"])
    share = prefix / "share" / "regcensus"
    job = cluster.sbatch(["-n", "2", share / "slurm" / "regcensus.sbatch", share / "jobs" / "demo.cfg",
                          "--registry", registry.url], cwd=submit, env={"REGCENSUS_BIN": ""})
    output_path = submit / f"regcensus-{job}.out"
    assert cluster.wait(job) == {job: "COMPLETED"}, output_path.read_text() if output_path.exists() else ""
    output = output_path.read_text()
    assert f": {prefix}/bin/regcensus run --config" in output, output
    check_all(submit / "demo-out" / "results.h5", corpus["truth"])
