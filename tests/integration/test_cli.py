"""Exit codes scripts rely on (README, "Big censuses"): 0 with --help, 2 for a
bad invocation of any subcommand (message naming the problem and pointing at
--help), 1 for an error that stops the program."""
import subprocess

import pytest

from conftest import BIN, MPI_ENV

SUBCOMMANDS = ["run", "plan", "merge", "status", "analyze-layer", "report", "synth", "push", "fetch", "crawl"]


def invoke(*args):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, env=MPI_ENV)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_exits_0_and_lists_options(command):
    result = invoke(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "--help" in result.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_unknown_option_exits_2(command):
    result = invoke(command, "--no-such-option")
    assert result.returncode == 2, result.stderr
    assert f"regcensus {command}: unrecognised option '--no-such-option'" in result.stderr
    assert f"regcensus {command} --help" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["run", "--images", "x", "--out", "o.h5", "--work", "w"], "give --registry URL, --layout DIR (a stored OCI image layout) or --storage DIR"),
    (["fetch", "--images", "x", "--registry", "http://127.0.0.1:9", "--layout", "l", "--platform", "linux/"],
     "--platform: platform 'linux/' has an empty component"),
    (["fetch", "--images", "x", "--registry", "http://127.0.0.1:9", "--layout", "l", "--concurrency", "0"],
     "--concurrency must be at least 1"),
    (["crawl", "--out", "o.txt"], "give exactly one of --registry URL and --hub"),
    (["analyze-layer"], "give at least one layer blob FILE"),
    (["synth"], "the option '--out' is required"),
    (["status", "--config", "/nonexistent/job.cfg"], "cannot read job file /nonexistent/job.cfg"),
])
def test_bad_values_exit_2_with_the_reason(args, message, tmp_path):
    result = subprocess.run([str(BIN), *args], capture_output=True, text=True, env=MPI_ENV, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_a_failure_that_stops_the_program_exits_1(tmp_path):
    result = invoke("report", tmp_path / "missing.h5")
    assert result.returncode == 1
    assert "regcensus report: error:" in result.stderr
