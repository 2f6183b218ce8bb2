"""Per-layer and per-image sharing figures of the duplicate index (unique_file_count,
cross_layer_file_count, shared_file_count, shared_file_fraction), checked against an
independent reading of the corpus's layer blobs with Python's tarfile and hashlib,
and unchanged when a tiny --memory-per-rank forces the index to spill to disk."""
import gzip
import hashlib
import io
import subprocess
import tarfile

import pytest

from census_checks import datasets
from conftest import mpirun
from results import open_results


def layer_contents(layout, digest):
    """sha256 of every regular file of a layer blob, whiteouts excluded."""
    data = (layout / "blobs" / "sha256" / digest.split(":")[1]).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    elif data[:4] == b"\x28\xb5\x2f\xfd":
        data = subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    contents = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for member in tar:
            name = member.name.rstrip("/").rsplit("/", 1)[-1]
            if member.isreg() and not name.startswith(".wh."):
                contents.append(hashlib.sha256(tar.extractfile(member).read()).hexdigest())
    return contents


@pytest.fixture(scope="module")
def expected(corpus):
    truth = corpus["truth"]
    layout = corpus["dir"] / "layout"
    files = {d: layer_contents(layout, d) for d in truth["layers"]}
    images_of_layer = {}
    for i, image in enumerate(truth["images"]):
        for d in set(image.get("layers", [])):
            # Another image is another distinct manifest: tags of one manifest are one image.
            images_of_layer.setdefault(d, set()).add(image["manifest_digest"])
    copies, layers_of, images_of = {}, {}, {}
    for d, contents in files.items():
        for c in contents:
            copies[c] = copies.get(c, 0) + 1
            layers_of.setdefault(c, set()).add(d)
            images_of.setdefault(c, set()).update(images_of_layer[d])
    per_layer = {d: {"unique_file_count": sum(copies[c] == 1 for c in cs),
                     "cross_layer_file_count": sum(len(layers_of[c]) > 1 for c in cs),
                     "shared_file_count": sum(len(images_of[c]) > 1 for c in cs)} for d, cs in files.items()}
    fractions = []
    for image in truth["images"]:
        if image["status"] != "ok" or image["file_count"] == 0:
            fractions.append(-1.0)
            continue
        shared = sum(per_layer[d]["shared_file_count"] for d in image["layers"])
        fractions.append(shared / image["file_count"])
    return per_layer, fractions


@pytest.fixture(scope="module")
def spilled_and_not(corpus, registry, tmp_path_factory):
    out = {}
    for name, memory in [("memory", "2147483648"), ("spill", "20000")]:
        work = tmp_path_factory.mktemp(name)
        mpirun(2, "run", "--registry", registry.url, "--images", corpus["images"], "--out", work / "r.h5",
               "--work", work / "work", "--memory-per-rank", memory, "--shard-bytes", "5000000")
        out[name] = work / "r.h5"
    return out


def test_per_layer_sharing_counts(spilled_and_not, expected):
    per_layer, _ = expected
    with open_results(spilled_and_not["memory"]) as res:
        layers = res.table("layers")
    for row, digest in enumerate(layers["digest"]):
        for column, value in per_layer[digest].items():
            assert layers[column][row] == value, (digest, column, layers[column][row], value)


def test_shared_file_fraction_per_image(spilled_and_not, expected):
    _, fractions = expected
    with open_results(spilled_and_not["memory"]) as res:
        got = res.table("images")["shared_file_fraction"]
    assert got.tolist() == pytest.approx(fractions, abs=1e-12)


def test_spilling_changes_nothing(spilled_and_not):
    assert datasets(spilled_and_not["spill"]) == datasets(spilled_and_not["memory"])
