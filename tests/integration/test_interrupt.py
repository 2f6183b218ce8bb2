"""Ctrl-C (SIGINT) stops a run like SIGTERM: finished shards are kept, the
work directory is resumable, a single process exits 75 (docs/signals.md).
Under plain mpirun (Open MPI 4.1.4) SIGINT makes mpirun abort the job and exit 1
(docs/signals.md); SIGUSR1 and SIGUSR2, which mpirun forwards, stop the ranks
cleanly and mpirun exits 75. scripts/regcensus-mpirun turns Ctrl-C, SIGTERM and
SIGHUP into that SIGUSR2, so through it a Ctrl-C is the same clean stop."""
import os
import subprocess

import h5py
import pytest

from conftest import BIN, MPI_ENV, SOURCE

LAUNCHER = [str(SOURCE / "scripts" / "regcensus-mpirun"), "--oversubscribe", "-np", "2"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupt")
    subprocess.run([str(BIN), "synth", "--out", root / "c", "--images", "40", "--scale", "4", "--seed", "3"],
                   check=True, capture_output=True, env=MPI_ENV)
    return root / "c"


def interrupted_run(launcher, corpus, work, out, signal_number=subprocess.signal.SIGINT):
    """The run, sent `signal_number` once the analysis starts, as a terminal sends Ctrl-C: to
    the whole foreground process group (the command is started as the leader of a group of its own)."""
    args = [*launcher, str(BIN), "run", "--layout", str(corpus / "layout"), "--images", str(corpus / "images.txt"),
            "--work", str(work), "--out", str(out), "--shard-bytes", "1MiB", "--progress", "0"]
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=MPI_ENV, start_new_session=True)
    lines = []
    for line in process.stderr:
        lines.append(line)
        if "] analyse: " in line and "to do" in line:
            os.killpg(process.pid, signal_number)
            break
    lines += process.stderr.readlines()
    return process.wait(timeout=120), "".join(lines)


def layers_of(path):
    with h5py.File(path) as f:
        return list(zip(f["layers/digest"][:], f["layers/status"][:], f["layers/file_count"][:]))


# mpirun turns SIGINT and SIGTERM into an abort that reaches the ranks late or not
# at all (docs/signals.md), but forwards SIGUSR1, the wind-down signal: that is
# the clean stop through mpirun, and mpirun passes the ranks' 75 on.
@pytest.mark.parametrize("launcher, signal_number, expected_exit", [
    ([], subprocess.signal.SIGINT, 75),
    (["mpirun", "--oversubscribe", "-np", "2"], subprocess.signal.SIGUSR1, 75),
    (["mpirun", "--oversubscribe", "-np", "2"], subprocess.signal.SIGUSR2, 75),
    (LAUNCHER, subprocess.signal.SIGINT, 75),
    (LAUNCHER, subprocess.signal.SIGTERM, 75),
    (LAUNCHER, subprocess.signal.SIGHUP, 75)])
def test_ctrl_c_stops_cleanly_and_the_run_resumes(launcher, signal_number, expected_exit, corpus, tmp_path):
    clean = tmp_path / "clean.h5"
    subprocess.run([str(BIN), "run", "-q", "--layout", corpus / "layout", "--images", corpus / "images.txt",
                    "--work", tmp_path / "clean-work", "--out", clean], check=True, env=MPI_ENV)
    work, out = tmp_path / "work", tmp_path / "r.h5"
    code, log = interrupted_run(launcher, corpus, work, out, signal_number)
    assert code == expected_exit, log
    assert "stopped by a signal: finished shards are saved; rerun with --resume to continue" in log
    assert not out.exists()
    status = subprocess.run([str(BIN), "status", "--work", work], capture_output=True, text=True, env=MPI_ENV)
    assert status.returncode == 0 and " pending " in status.stdout, status.stdout
    resumed = subprocess.run([str(BIN), "run", "--resume", "--layout", corpus / "layout", "--images",
                              corpus / "images.txt", "--work", work, "--out", out, "--shard-bytes", "1MiB"],
                             capture_output=True, text=True, env=MPI_ENV)
    assert resumed.returncode == 0, resumed.stderr
    assert layers_of(out) == layers_of(clean)


def test_the_launcher_passes_arguments_and_exit_codes_through(tmp_path):
    ok = subprocess.run([*LAUNCHER, str(BIN), "--version"], capture_output=True, text=True, env=MPI_ENV)
    assert ok.returncode == 0 and ok.stdout.count("regcensus") >= 2, ok.stderr
    refused = subprocess.run([*LAUNCHER, str(BIN), "run", "--no-such-option"], capture_output=True, text=True,
                             env=MPI_ENV)
    assert refused.returncode == 2, refused.stderr
    usage = subprocess.run([LAUNCHER[0]], capture_output=True, text=True, env=MPI_ENV)
    assert usage.returncode == 2 and usage.stderr.startswith("usage: regcensus-mpirun"), usage.stderr


def ranks_of(work):
    """The pids of the regcensus ranks working on `work` (mpirun's children)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            exe = os.readlink(f"/proc/{entry}/exe")
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if exe == str(BIN.resolve()) and str(work).encode() in argv:
            pids.append(int(entry))
    return pids


def test_a_second_ctrl_c_aborts_ranks_that_do_not_stop(corpus, tmp_path):
    """Ranks that cannot act on the clean stop (stuck, here held with SIGSTOP) keep
    the first Ctrl-C from ending the run; the second one aborts it at once through
    mpirun's abort, nothing is written, and `--resume` still gives the full census."""
    clean = tmp_path / "clean.h5"
    subprocess.run([str(BIN), "run", "-q", "--layout", corpus / "layout", "--images", corpus / "images.txt",
                    "--work", tmp_path / "clean-work", "--out", clean], check=True, env=MPI_ENV)
    work, out = tmp_path / "work", tmp_path / "r.h5"
    args = [*LAUNCHER, str(BIN), "run", "--layout", str(corpus / "layout"), "--images", str(corpus / "images.txt"),
            "--work", str(work), "--out", str(out), "--shard-bytes", "1MiB", "--progress", "0"]
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=MPI_ENV, start_new_session=True)
    lines = []
    try:
        for line in process.stderr:
            lines.append(line)
            if "] analyse: " in line and "to do" in line:
                ranks = ranks_of(work)
                assert len(ranks) == 2, (ranks, "".join(lines))
                for pid in ranks:
                    os.kill(pid, subprocess.signal.SIGSTOP)
                break
        os.killpg(process.pid, subprocess.signal.SIGINT)
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=3)  # held ranks cannot stop: the first Ctrl-C alone does not end the run
        os.killpg(process.pid, subprocess.signal.SIGINT)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            for pid in ranks_of(work):
                os.kill(pid, subprocess.signal.SIGKILL)
            process.kill()
    log = "".join(lines + process.stderr.readlines())
    assert "regcensus-mpirun: SIGINT: stopping the ranks" in log, log
    assert "regcensus-mpirun: SIGINT again: aborting the job" in log, log
    assert code == 1, log  # mpirun's abort: exit 1 whatever the ranks return (docs/signals.md)
    assert ranks_of(work) == []
    assert not out.exists()
    resumed = subprocess.run([str(BIN), "run", "--resume", "--layout", corpus / "layout", "--images",
                              corpus / "images.txt", "--work", work, "--out", out, "--shard-bytes", "1MiB"],
                             capture_output=True, text=True, env=MPI_ENV)
    assert resumed.returncode == 0, resumed.stderr
    assert layers_of(out) == layers_of(clean)
