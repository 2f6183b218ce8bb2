"""File-type families in a real census (issue 13): the /filetypes `family`
column, and the families `regcensus report`, summary.py and figures.py show,
against the synth generator's ground truth summed per family."""
import json
import os
import subprocess
import sys

import pytest

from conftest import BIN, mpirun

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ANALYSIS = os.path.join(ROOT, "analysis")
sys.path.insert(0, ANALYSIS)

from results import open_results  # noqa: E402

PYTHON = "/usr/bin/python3"
FAMILIES = ["empty", "elf", "code", "archive", "image", "document", "bytecode", "database", "font", "data"]


@pytest.fixture(scope="module")
def census(registry, corpus, tmp_path_factory):
    work = tmp_path_factory.mktemp("families-census")
    mpirun(1, "run", "--registry", registry.url, "--images", corpus["images"], "--out", work / "results.h5",
           "--work", work / "work")
    return work / "results.h5"


def truth_families(truth, column):
    """The ground truth's categories summed per family, every family with files, largest first."""
    sums = {}
    for name, row in truth["filetypes"].items():
        family = name.split("/")[0]
        sums[family] = sums.get(family, 0) + row[column]
    total = sum(sums.values())
    ranked = sorted(((f, a) for f, a in sums.items() if a > 0), key=lambda fa: (-fa[1], FAMILIES.index(fa[0])))
    return [(f, a, a / total) for f, a in ranked]


def test_filetypes_family_column(census):
    with open_results(census) as res:
        types = res.table("filetypes")
    assert list(types["family"]) == [name.split("/")[0] for name in types["type"]]
    assert list(dict.fromkeys(types["family"])) == FAMILIES
    assert "code/python" in list(types["type"]) and "script/python" not in list(types["type"])


def test_report_and_summary_show_the_truths_families(census, corpus):
    report = json.loads(subprocess.run([BIN, "report", census, "--json"], check=True, capture_output=True,
                                       text=True).stdout)
    summary = json.loads(subprocess.run([PYTHON, os.path.join(ANALYSIS, "summary.py"), census, "--json"],
                                        check=True, capture_output=True, text=True).stdout)
    assert report["file_families"] == summary["file_families"]
    truth = corpus["truth"]
    for key, column in (("by_count", "file_count"), ("by_bytes", "file_bytes")):
        got = [(r["family"], r[column], r["share"]) for r in report["file_families"][key]]
        want = truth_families(truth, column)
        assert [g[:2] for g in got] == [w[:2] for w in want], key
        assert [g[2] for g in got] == pytest.approx([w[2] for w in want], rel=1e-12), key
    # The corpus has scripts, so the code family is there, with the synth's script bytes.
    assert "code" in [r["family"] for r in report["file_families"]["by_count"]]


def test_text_output_families_by_default_kinds_on_demand(census):
    plain = subprocess.run([BIN, "report", census], check=True, capture_output=True, text=True).stdout
    kinds = subprocess.run([BIN, "report", census, "--kinds"], check=True, capture_output=True, text=True).stdout
    assert "file-type families by count" in plain and "code/" not in plain
    assert "top file types by count" in kinds and "document/text" in kinds
    md = subprocess.run([PYTHON, os.path.join(ANALYSIS, "summary.py"), census], check=True, capture_output=True,
                        text=True).stdout
    md_kinds = subprocess.run([PYTHON, os.path.join(ANALYSIS, "summary.py"), census, "--kinds"], check=True,
                              capture_output=True, text=True).stdout
    assert "| file-type families by files |" in md and "| document |" in md and "code/" not in md
    assert "| top file types by files |" in md_kinds and "| document/text |" in md_kinds


@pytest.mark.parametrize("kinds", [False, True])
def test_file_type_figures(census, tmp_path, kinds):
    out = tmp_path / "figs"
    args = [PYTHON, os.path.join(ANALYSIS, "figures.py"), census, "--out", out, "--only", "file_types_count",
            "file_types_bytes"] + (["--kinds"] if kinds else [])
    proc = subprocess.run(list(map(str, args)), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name in ("file_types_count", "file_types_bytes"):
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
