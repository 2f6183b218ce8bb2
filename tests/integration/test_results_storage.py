"""How the results file stores what it holds (docs/results-file.md, "Storage"):
large datasets chunked with shuffle + deflate and small ones contiguous, the
per-layer matrices labelled, /provenance typed; and the values still the synth
ground truth's."""
import json

import h5py
import numpy as np
import pytest

from census_checks import check_all
from conftest import BIN, mpirun, run

CHUNKED_FROM_BYTES = 16 * 1024  # kChunkedFromBytes in src/h5/h5_location.cpp


def storage_of(dataset):
    plist = dataset.id.get_create_plist()
    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    return plist.get_layout(), filters


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A synth layout with more than 59 analysed layers: the file-type matrices (35 int64 columns) pass 16 KiB."""
    out = tmp_path_factory.mktemp("storage-corpus")
    run([BIN, "synth", "--out", out, "--seed", "11", "--images", "80"])
    return {"dir": out, "images": out / "images.txt", "truth": json.loads((out / "groundtruth.json").read_text())}


def test_large_datasets_are_compressed_small_ones_contiguous(corpus, tmp_path):
    out = tmp_path / "results.h5"
    mpirun(2, "run", "--layout", corpus["dir"] / "layout", "--images", corpus["images"], "--out", out,
           "--work", tmp_path / "work")
    check_all(out, corpus["truth"])
    chunked = []
    with h5py.File(out, "r") as f:
        def visit(name, item):
            if not isinstance(item, h5py.Dataset):
                return
            layout, filters = storage_of(item)
            if item.size * item.dtype.itemsize >= CHUNKED_FROM_BYTES:
                assert layout == h5py.h5d.CHUNKED, name
                assert filters == [h5py.h5z.FILTER_SHUFFLE, h5py.h5z.FILTER_DEFLATE], name
                assert item.chunks[1:] == item.shape[1:], name  # whole rows of a matrix
                chunked.append(name)
            else:
                assert layout in (h5py.h5d.CONTIGUOUS, h5py.h5d.COMPACT), name
                assert filters == [], name
        f.visititems(visit)
        layers = f["layers"]
        for name, columns in [("file_size_counts", "bins"), ("directory_depth_counts", "bins"),
                              ("type_file_counts", "categories"), ("type_file_bytes", "categories")]:
            assert [d.label for d in layers[name].dims] == ["layers", columns], name
        provenance = dict(f["provenance"].attrs)
    assert "layers/type_file_counts" in chunked and "layers/type_file_bytes" in chunked, chunked
    assert isinstance(provenance["all_platforms"], np.bool_) and not provenance["all_platforms"]
    assert provenance["top"] == 1000 and provenance["top"].dtype == np.int64
    assert provenance["max_ratio"] == 100.0 and provenance["max_ratio"].dtype == np.float64
    assert provenance["max_layer_bytes"].dtype == np.int64
    assert provenance["shard_bytes_used"].dtype == np.int64 and provenance["shard_bytes_used"] > 0
    assert provenance["shard_bytes"] == "auto"  # the plan chose: no number to give
    assert provenance["layout"] == str(corpus["dir"] / "layout")
    assert provenance["platform"] == "linux/amd64"
