"""`regcensus run` on a real registry under mpirun: every contract figure equals the
synth generator's ground truth, for 1, 2 and 3 ranks, with identical datasets."""
import os

import pytest

from census_checks import check_all, datasets
from conftest import BIN, mpirun, run
from results import open_results

RANKS = [1, 2, 3]
SINGLETON = 0  # the program started directly, without mpirun


@pytest.fixture(scope="module")
def runs(corpus, registry, tmp_path_factory):
    out = {}
    for ranks in RANKS + [SINGLETON]:
        work = tmp_path_factory.mktemp(f"run{ranks}")
        offset = registry.access_log_size()
        args = ["run", "--registry", registry.url, "--images", corpus["images"],
                "--out", work / "results.h5", "--work", work / "work"]
        done = run([BIN, *args]) if ranks == SINGLETON else mpirun(ranks, *args)
        out[ranks] = {"path": work / "results.h5", "blob_gets": registry.blob_gets_since(offset),
                      "stderr": done.stderr}
    return out


@pytest.mark.parametrize("ranks", RANKS)
def test_results_equal_ground_truth(runs, corpus, ranks):
    check_all(runs[ranks]["path"], corpus["truth"])


@pytest.mark.parametrize("ranks", RANKS[1:] + [SINGLETON])
def test_datasets_identical_across_rank_counts(runs, ranks):
    assert datasets(runs[ranks]["path"]) == datasets(runs[1]["path"])


def test_a_rank_with_a_cpu_to_spare_gives_the_inflate_its_own_thread(runs):
    """Started directly, the program has every CPU of this machine to itself and, with one worker and
    two CPUs or more, inflates on a thread of its own; mpirun binds each of 2 ranks to a core, so
    they do not. The datasets of both are identical to the others (test above)."""
    line = "have a second CPU per worker: the inflate of each layer runs on a thread of its own"
    singleton = runs[SINGLETON]["stderr"]
    if len(os.sched_getaffinity(0)) >= 2:
        assert "1 of 1 rank(s) " + line in singleton, singleton
    else:
        assert line not in singleton
    assert line not in runs[2]["stderr"], runs[2]["stderr"]


@pytest.mark.parametrize("ranks", RANKS)
def test_each_distinct_layer_requested_once(runs, corpus, ranks):
    gets = runs[ranks]["blob_gets"]
    for digest in corpus["truth"]["layers"]:
        assert gets.get(digest, 0) == 1, (digest, gets.get(digest, 0))


def test_tables_load_as_column_dicts(runs, corpus):
    """What a user does first: h5py, then a dict of columns per table."""
    import h5py
    with h5py.File(runs[2]["path"], "r") as f:
        images = {k: f["images"][k][:] for k in f["images"] if k not in ("layer_offsets", "layer_rows")}
        layers = {k: f["layers"][k][:] for k in f["layers"]}
    n_images = len(corpus["truth"]["images"])
    assert all(len(v) == n_images for v in images.values())
    assert all(len(v) == len(corpus["truth"]["layers"]) for v in layers.values())
    assert sorted(x.decode() for x in layers["digest"]) == sorted(corpus["truth"]["layers"])
    with open_results(runs[2]["path"]) as res:
        assert res.attrs["mpi_ranks"] == 2
        assert res.attrs["image_count"] == n_images
