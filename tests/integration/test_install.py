"""`cmake --install` to a temp prefix (docs/install.md): the program, the analysis
scripts, the batch scripts (told where the installed program is), the job files,
the docs and a modulefile land under the prefix, and the installed copies alone
run the demo census (mpirun -np 2, the installed jobs/demo.cfg against the
test registry) and its analysis, checked against the synth ground truth."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from census_checks import check_all
from conftest import BIN, MPI_ENV, run
from test_analysis import EXPECTED_FIGURES, PNG_MAGIC, check_headline, filetype_order

BUILD = BIN.parent
pytestmark = pytest.mark.skipif(not (BUILD / "CMakeCache.txt").exists(),
                                reason=f"REGCENSUS_BIN is not in a CMake build tree ({BUILD})")


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("prefix") / "regcensus"
    run(["cmake", "--install", BUILD, "--prefix", prefix])
    return prefix


def test_prefix_layout(prefix):
    share = prefix / "share" / "regcensus"
    assert os.access(prefix / "bin" / "regcensus", os.X_OK)
    for name in ("figures.py", "summary.py", "compare.py", "results.py"):
        assert (share / "analysis" / name).is_file(), name
    for name in ("demo.cfg", "dockerhub-latest.cfg", "private-registry.cfg"):
        assert (share / "jobs" / name).is_file(), name
    for name in ("regcensus.sbatch", "regcensus-array.sbatch"):
        script = share / "slurm" / name
        assert os.access(script, os.X_OK), name
        assert f"\ninstalled_bin={prefix}/bin/regcensus\n" in script.read_text(), name
    assert (prefix / "share" / "doc" / "regcensus" / "README.md").is_file()
    assert (prefix / "share" / "doc" / "regcensus" / "docs" / "slurm.md").is_file()
    modulefile = (prefix / "share" / "modulefiles" / "regcensus" / "0.1.0").read_text()
    assert modulefile.startswith("#%Module")
    assert f"set prefix {prefix}\n" in modulefile and "prepend-path PATH $prefix/bin" in modulefile


def test_installed_prefix_runs_the_demo(prefix, registry, corpus, tmp_path):
    # The demo's job file as installed; its demo-out/... paths are relative to
    # the working directory, which holds the test corpus where the demo's would be.
    (tmp_path / "demo-out").mkdir()
    (tmp_path / "demo-out" / "corpus").symlink_to(corpus["dir"])
    env = dict(MPI_ENV, PATH=f"{prefix / 'bin'}:{MPI_ENV['PATH']}")
    share = prefix / "share" / "regcensus"
    subprocess.run(["mpirun", "--oversubscribe", "-np", "2", "regcensus", "run", "--config", share / "jobs" / "demo.cfg",
                    "--registry", registry.url], cwd=tmp_path, env=env, check=True, capture_output=True)
    results = tmp_path / "demo-out" / "results.h5"
    check_all(results, corpus["truth"])

    python = shutil.which("python3", path="/usr/bin")
    figures = subprocess.run([python, share / "analysis" / "figures.py", results, "--out", tmp_path / "figs"],
                             env=env, check=True, capture_output=True, text=True)
    for name in EXPECTED_FIGURES:
        assert (tmp_path / "figs" / f"{name}.png").read_bytes()[:8] == PNG_MAGIC, figures.stdout
    summary = subprocess.run([python, share / "analysis" / "summary.py", results, "--json"], env=env, check=True,
                             capture_output=True, text=True)
    check_headline(json.loads(summary.stdout), corpus["truth"], filetype_order(results))
