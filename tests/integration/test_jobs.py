"""The job files of jobs/ parse as `regcensus run --config` files, and each one runs:
every key is one of run's long options (Boost rejects others), and a census with
the file's own settings (platform, retries, limits...) over the test corpus gives
the ground truth, with only the registry, the image list and the paths overridden
on the command line (the command line wins over the job file)."""
import re

import pytest

from census_checks import check_all
from conftest import BIN, SOURCE, run

JOBS = sorted((SOURCE / "jobs").glob("*.cfg"))


def keys(path):
    """The keys of a Boost config file: `key = value` lines, `#` comments."""
    out = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "=" in line, (path.name, line)
            out.append(line.split("=", 1)[0].strip())
    return out


def test_the_three_job_files_exist():
    assert {p.name for p in JOBS} >= {"demo.cfg", "dockerhub-latest.cfg", "private-registry.cfg"}


@pytest.mark.parametrize("job", JOBS, ids=lambda p: p.name)
def test_keys_are_run_options(job):
    options = set(re.findall(r"^\s+(?:-\w, )?--([\w-]+)", run([BIN, "run", "--help"]).stdout, re.M))
    assert set(keys(job)) <= options, set(keys(job)) - options
    assert {"registry", "images", "out", "work"} <= set(keys(job))
    # Every setting is explained: the file starts with a comment.
    assert job.read_text().startswith("#")


@pytest.mark.parametrize("job", JOBS, ids=lambda p: p.name)
def test_job_file_runs(job, registry, corpus, tmp_path):
    out = tmp_path / "results.h5"
    run([BIN, "run", "--config", job, "--registry", registry.url, "--images", corpus["images"],
         "--out", out, "--work", tmp_path / "work"])
    check_all(out, corpus["truth"])


def test_dockerhub_job_is_the_study():
    text = (SOURCE / "jobs" / "dockerhub-latest.cfg").read_text()
    assert re.search(r"^registry = https://registry-1\.docker\.io$", text, re.M)
    assert re.search(r"^platform = linux/amd64$", text, re.M)


def test_private_registry_job_names_auth_file():
    text = (SOURCE / "jobs" / "private-registry.cfg").read_text()
    assert re.search(r"^# auth-file = ", text, re.M)  # commented until `run` has --auth-file
