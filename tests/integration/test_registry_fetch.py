"""`regcensus fetch` keeps the dataset: the synth corpus copied from a real
registry into an OCI image layout, under mpirun -np 2 and as one process, gives
byte-identical index.json files, every blob verified under its digest, a second
fetch downloads nothing, and skopeo reads the layout."""
import hashlib
import json
import re
import shutil
import subprocess

import pytest

from conftest import BIN, mpirun, run


def ok_images(truth):
    return [image for image in truth["images"] if image["status"] == "ok"]


@pytest.fixture(scope="module")
def layouts(corpus, registry, tmp_path_factory):
    root = tmp_path_factory.mktemp("fetch")
    out = {}
    for ranks in (2, 0):
        layout = root / f"layout{ranks}"
        args = ["fetch", "--images", corpus["images"], "--registry", registry.url, "--layout", layout,
                "--concurrency", "4"]
        out[ranks] = (run([BIN, *args]) if ranks == 0 else mpirun(ranks, *args)).stdout
        out[f"layout{ranks}"] = layout
    out["again"] = run([BIN, "fetch", "--images", corpus["images"], "--registry", registry.url,
                        "--layout", out["layout2"]]).stdout
    return out


def test_index_names_every_image_that_exists(layouts, corpus):
    index = json.loads((layouts["layout2"] / "index.json").read_text())
    names = [m["annotations"]["org.opencontainers.image.ref.name"] for m in index["manifests"]]
    want = sorted(f"{i['repository']}:{i['tag']}" for i in ok_images(corpus["truth"]))
    assert names == want
    assert json.loads((layouts["layout2"] / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}


def test_same_layout_from_one_and_two_ranks(layouts):
    assert (layouts["layout2"] / "index.json").read_bytes() == (layouts["layout0"] / "index.json").read_bytes()
    blobs = lambda layout: sorted(p.name for p in (layout / "blobs" / "sha256").iterdir())
    assert blobs(layouts["layout2"]) == blobs(layouts["layout0"])


def test_every_blob_is_verified_and_no_temp_file_is_left(layouts, corpus):
    directory = layouts["layout2"] / "blobs" / "sha256"
    names = sorted(p.name for p in directory.iterdir())
    assert not [n for n in names if n.startswith(".tmp-")]
    for path in directory.iterdir():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name
    layers = {d.split(":", 1)[1] for i in ok_images(corpus["truth"]) for d in i["layers"]}
    assert layers <= set(names)


def test_second_fetch_downloads_nothing(layouts):
    assert re.search(r", 0 blobs downloaded \(0 bytes\), [1-9]\d* already present", layouts["again"]), layouts["again"]


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed (scripts/install-deps.sh)")
def test_skopeo_reads_the_layout(layouts, corpus, tmp_path):
    layout = layouts["layout2"]
    image = ok_images(corpus["truth"])[0]
    ref = f"{image['repository']}:{image['tag']}"
    inspected = json.loads(run(["skopeo", "inspect", f"oci:{layout}:{ref}"]).stdout)
    assert [layer.split(":", 1)[1] for layer in inspected["Layers"]] == \
        [d.split(":", 1)[1] for d in image["layers"]]
    run(["skopeo", "copy", f"oci:{layout}:{ref}", f"dir:{tmp_path / 'copy'}"])
    for digest in image["layers"]:
        assert (tmp_path / "copy" / digest.split(":", 1)[1]).is_file()
