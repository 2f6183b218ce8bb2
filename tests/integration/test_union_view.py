"""The union view (format version 2): every /images union column and the /layers sharing-by-manifest columns
equal the synth generator's independent replay, for 1, 2 and 3 ranks and other shard cuts, with identical
datasets; the corpus holds every case the contract names, so the comparison cannot pass on empty figures."""
import subprocess

import pytest

from census_checks import UNION_FIELDS, check_union, check_union_invariant, datasets
from conftest import BIN, mpirun, run
from results import open_results

RANKS = [1, 2, 3]


@pytest.fixture(scope="module")
def union_runs(corpus, tmp_path_factory):
    out = {}
    for ranks in RANKS:
        work = tmp_path_factory.mktemp(f"union{ranks}")
        mpirun(ranks, "run", "--layout", corpus["dir"] / "layout", "--images", corpus["images"],
               "--out", work / "results.h5", "--work", work / "work")
        out[ranks] = work / "results.h5"
    # One layer per shard and a small cache: many shard files, entry tables evicted and read again.
    work = tmp_path_factory.mktemp("union-small-shards")
    mpirun(2, "run", "--layout", corpus["dir"] / "layout", "--images", corpus["images"], "--out", work / "results.h5",
           "--work", work / "work", "--shard-bytes", "1", "--memory-per-rank", "65536")
    out["small"] = work / "results.h5"
    work = tmp_path_factory.mktemp("union-files")
    mpirun(3, "run", "--layout", corpus["dir"] / "layout", "--images", corpus["images"], "--out", work / "results.h5",
           "--work", work / "work", "--files")
    out["files"] = work / "results.h5"
    return out


@pytest.mark.parametrize("ranks", RANKS)
def test_union_figures_equal_ground_truth(union_runs, corpus, ranks):
    check_union_invariant(union_runs[ranks])
    with open_results(union_runs[ranks]) as res:
        check_union(res, corpus["truth"])


@pytest.mark.parametrize("run", RANKS[1:] + ["small"])
def test_union_datasets_identical(union_runs, run):
    assert datasets(union_runs[run]) == datasets(union_runs[1])


def test_corpus_exercises_every_case(corpus):
    """The ground truth is not trivial: each rule of the contract changes some image's figures."""
    ok = [im for im in corpus["truth"]["images"] if im["status"] == "ok"]
    assert any(im["overwritten_file_count"] > 0 for im in ok)
    assert any(im["deleted_file_count"] > 0 for im in ok)
    assert any(im["duplicate_file_count"] > 0 for im in ok)
    assert any(im["union_file_count"] < im["file_count"] for im in ok)
    assert any(im["status"] != "ok" and im["union_file_count"] == -1 for im in corpus["truth"]["images"])
    # Image 0's two tags name one manifest: its layers count one manifest but two rows.
    first = corpus["truth"]["images"][0]
    assert corpus["truth"]["images"][1]["manifest_digest"] == first["manifest_digest"]
    top = corpus["truth"]["layers"][first["layers"][-1]]
    assert top["ref_count"] == 2 and top["manifest_ref_count"] == 1 and top["repository_count"] == 1


def test_union_changes_layer_figures(union_runs, corpus):
    """The union-case images, checked against hand-counted figures of src/synth/union_layers.cpp on top of
    what their other layers hold: the change layer's own effect is the difference to the image without it."""
    truth = corpus["truth"]["images"]
    cases = [i for i, im in enumerate(truth) if im["status"] == "ok" and "/app-004" in im["reference"]]
    assert cases
    with open_results(union_runs[2]) as res:
        images = res.table("images")
    for i in cases:
        # overwritten in the change layer: same-bytes (700), other-bytes (1300), dir-to-file/a + deeper/b
        # (410 + 2100), file-to-dir (333); and in the set-up layer the first twice.txt (120).
        assert images["overwritten_file_count"][i] >= 6
        assert images["overwritten_bytes"][i] >= 700 + 1300 + 410 + 2100 + 333 + 120
        # deleted: deleted.txt (1500), deleted-dir/x (640), deleted-dir/sub/y (5000), emptied/old-1, old-2
        # (800 + 1800), plus the base's usr/share/doc.
        assert images["deleted_file_count"][i] > 5
        assert images["deleted_bytes"][i] > 1500 + 640 + 5000 + 800 + 1800
        # copies: copy-1/2/3 (two copies of 2600), keep-copy.txt of keep.txt (900)
        assert images["duplicate_bytes"][i] >= 2 * 2600 + 900
        for name in UNION_FIELDS:
            assert images[name][i] == truth[i][name], name


def test_files_run_differs_only_by_the_files_table(union_runs):
    with_files = {k: v for k, v in datasets(union_runs["files"]).items() if not k.startswith("files/")}
    assert with_files == datasets(union_runs[1])


def test_image_layers_sum_to_the_image(union_runs):
    """/image_layers: per (image, position), what each layer adds, overwrites and deletes; summed over an image's
    layers they give its file_count, overwritten and deleted columns."""
    with open_results(union_runs[2]) as res:
        images = res.table("images", columns=["status", "file_count", "file_bytes", "overwritten_file_count",
                                               "overwritten_bytes", "deleted_file_count", "deleted_bytes",
                                               "layer_offsets"])
        per_layer = res.table("image_layers")
    offsets = images["layer_offsets"]
    for i, status in enumerate(images["status"]):
        rows = slice(offsets[i], offsets[i + 1])
        for column, image_column in (("added_file_count", "file_count"), ("added_bytes", "file_bytes"),
                                     ("overwritten_file_count", "overwritten_file_count"),
                                     ("overwritten_bytes", "overwritten_bytes"),
                                     ("deleted_file_count", "deleted_file_count"), ("deleted_bytes", "deleted_bytes")):
            if status == "ok":
                assert per_layer[column][rows].sum() == images[image_column][i], (i, column)
            else:
                assert (per_layer[column][rows] == -1).all(), (i, column)


def test_report_image_lists_layers_and_wasted_files(union_runs, corpus):
    truth = corpus["truth"]["images"]
    i = next(k for k, im in enumerate(truth) if im["status"] == "ok" and "/app-004" in im["reference"])
    text = run([BIN, "report", "--image", truth[i]["reference"], union_runs["files"]]).stdout
    assert f"wasted                    {truth[i]['wasted_bytes']} bytes" in text, text
    # One table row per layer, then the largest wasted files: the change layer deletes deleted-dir/sub/y.txt
    # (5000 bytes), the largest file the set-up layer holds.
    for position, digest in enumerate(truth[i]["layers"]):
        assert f"  {position:<3} {digest[:19]}" in text, (position, text)
    assert "deleted by layer" in text and "duplicate" in text, text
    listed = [line for line in text.splitlines()[text.splitlines().index("  largest wasted files") + 1:] if line.strip()]
    assert len(listed) == 20
    sizes = [int(line.split()[0]) for line in listed]
    assert sizes == sorted(sizes, reverse=True)
    missing = subprocess.run([BIN, "report", "--image", "no/such:image", str(union_runs["files"])],
                             capture_output=True, text=True)
    assert missing.returncode != 0 and "no image no/such:image" in missing.stderr
