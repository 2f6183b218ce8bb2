"""/files at registry scale (docs/union-view.md, "/files"): each rank writes its shards' rows as piece files beside
the results file and results.h5 joins them as HDF5 virtual datasets with relative names. The joined table equals
the copied one (`--files-copy`) value for value for 1, 2 and 3 ranks; the pair can be moved; a new merge replaces
the pieces of the file it replaces; a missing or short piece is refused in one line by `report --image` and by
analysis/results.py, never read as empty rows."""
import re
import shutil
import subprocess

import h5py
import pytest

from census_checks import datasets
from conftest import BIN, mpirun, run
from results import MissingPieceError, open_results

PIECE_NAME = re.compile(r"results\.files/merge-[0-9a-f]{16}/part-\d{5}\.h5")


@pytest.fixture(scope="module")
def runs(corpus, tmp_path_factory):
    def census(name, ranks, *extra):
        work = tmp_path_factory.mktemp(name)
        mpirun(ranks, "run", "--layout", corpus["dir"] / "layout", "--images", corpus["images"],
               "--out", work / "results.h5", "--work", work / "work", *extra)
        return work
    # One layer per shard on more than one rank: many shards, one piece per rank.
    return {"copy": census("files-copy", 1, "--files-copy"),
            1: census("files-join1", 1, "--files"),
            2: census("files-join2", 2, "--files", "--shard-bytes", "1"),
            3: census("files-join3", 3, "--files", "--shard-bytes", "1")}


def sources(path):
    with h5py.File(path, "r") as f:
        return [(m.file_name, m.vspace.get_select_npoints()) for m in f["files/layer"].virtual_sources()]


@pytest.mark.parametrize("ranks", [1, 2, 3])
def test_joined_files_equal_the_copy(runs, ranks):
    joined, copied = datasets(runs[ranks] / "results.h5"), datasets(runs["copy"] / "results.h5")
    assert joined == copied
    assert len(joined["files/layer"]) > 1000  # the corpus is not trivial
    with h5py.File(runs[ranks] / "results.h5", "r") as f, h5py.File(runs["copy"] / "results.h5", "r") as c:
        for name, column in f["files"].items():
            assert column.is_virtual, name
            assert not c["files"][name].is_virtual, name
            assert column.attrs["description"] == c["files"][name].attrs["description"]
            assert column.attrs.get("units") == c["files"][name].attrs.get("units")


@pytest.mark.parametrize("ranks", [1, 2, 3])
def test_pieces_are_relative_and_cover_the_rows(runs, ranks):
    mapped = sources(runs[ranks] / "results.h5")
    for name, _ in mapped:
        assert PIECE_NAME.fullmatch(name), name
    sets = {name.split("/")[1] for name, _ in mapped}
    assert len(sets) == 1
    assert [p.name for p in (runs[ranks] / "results.files").iterdir()] == list(sets)
    with h5py.File(runs[ranks] / "results.h5", "r") as f:
        assert sum(rows for _, rows in mapped) == len(f["files/layer"])
        assert f["files"].attrs["pieces"] == "results.files/" + sets.pop()
    # One piece per rank, each a contiguous run of layers, in rank order.
    assert [name.rsplit("/", 1)[1] for name, _ in mapped] == [f"part-{r:05d}.h5" for r in range(ranks)]
    layer = datasets(runs[ranks] / "results.h5")["files/layer"]
    first = 0
    for name, rows in mapped:
        with h5py.File(runs[ranks] / name, "r") as piece:
            assert list(piece["files/layer"][:]) == list(layer[first:first + rows])
            assert piece["files/layer"].chunks == (min(rows, 65536),)
        first += rows


def test_moved_with_its_pieces_the_file_reads_the_same(runs, tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.copytree(runs[2], moved, ignore=shutil.ignore_patterns("work"))
    assert datasets(moved / "results.h5") == datasets(runs[2] / "results.h5")


def test_a_new_merge_replaces_the_pieces(runs, tmp_path):
    work = tmp_path / "remerge"
    shutil.copytree(runs[2], work)
    before = sources(work / "results.h5")
    mpirun(2, "merge", "--work", work / "work", "--out", work / "results.h5", "--files")
    after = sources(work / "results.h5")
    assert [rows for _, rows in after] == [rows for _, rows in before]
    assert {n.split("/")[1] for n, _ in after} != {n.split("/")[1] for n, _ in before}
    assert len(list((work / "results.files").iterdir())) == 1  # the older set is gone
    assert datasets(work / "results.h5") == datasets(runs[2] / "results.h5")
    # A self-contained copy needs no pieces: they go too.
    mpirun(2, "merge", "--work", work / "work", "--out", work / "results.h5", "--files-copy")
    assert not (work / "results.files").exists()
    assert datasets(work / "results.h5") == datasets(runs[2] / "results.h5")


def image_with_layers(work):
    with open_results(work / "results.h5") as res:
        images = res.table("images", columns=["reference", "status"])
    return next(ref for ref, status in zip(images["reference"], images["status"]) if status == "ok")


def report_image(work):
    return subprocess.run([str(BIN), "report", "--image", image_with_layers(work), str(work / "results.h5")],
                          capture_output=True, text=True)


def test_a_missing_piece_is_refused(runs, tmp_path):
    work = tmp_path / "missing"
    shutil.copytree(runs[2], work, ignore=shutil.ignore_patterns("work"))
    name = sources(work / "results.h5")[1][0]
    (work / name).unlink()
    result = report_image(work)
    assert result.returncode == 1
    assert result.stderr == f"regcensus report: error: piece {work / name} of /files/layer is missing or unreadable\n"
    assert result.stdout == ""
    with open_results(work / "results.h5") as res:
        with pytest.raises(MissingPieceError, match=f"piece {re.escape(str(work / name))} of /files/layer is missing"):
            res.table("files", columns=["layer"])
        assert len(res.table("images")["reference"]) > 0  # the other tables read as before


def test_a_short_piece_is_refused(runs, tmp_path):
    work = tmp_path / "short"
    shutil.copytree(runs[2], work, ignore=shutil.ignore_patterns("work"))
    name, rows = max(sources(work / "results.h5"), key=lambda s: s[1])
    with h5py.File(work / name, "a") as piece:  # one row fewer in every column, as a damaged copy might hold
        for column in list(piece["files"]):
            values = piece["files"][column][:-1]
            dtype = piece["files"][column].dtype
            del piece["files"][column]
            piece["files"].create_dataset(column, data=values, dtype=dtype)
    result = report_image(work)
    assert result.returncode == 1
    assert result.stderr == (f"regcensus report: error: piece {work / name} of /files/layer holds {rows - 1} rows, "
                             f"the results file expects {rows}\n")
    with open_results(work / "results.h5") as res:
        with pytest.raises(MissingPieceError, match=f"holds {rows - 1} rows, the results file expects {rows}"):
            res.table("files", columns=["path"])
