"""`regcensus fetch` keeps the dataset: the synth corpus copied from a real
registry into an OCI image layout, under mpirun -np 2 and as one process, gives
byte-identical index.json files, every blob verified under its digest, a second
fetch downloads nothing, and skopeo reads the layout."""
import hashlib
import json
import re
import shutil

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
    assert not [n for n in names if n.startswith(".")]  # no temporary file (util/atomic_file.hpp) left
    for path in directory.iterdir():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name
    layers = {d.split(":", 1)[1] for i in ok_images(corpus["truth"]) for d in i["layers"]}
    assert layers <= set(names)


def test_second_fetch_downloads_nothing(layouts):
    assert re.search(r", 0 blobs downloaded \(0 bytes\), [1-9]\d* already present", layouts["again"]), layouts["again"]


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed (scripts/install-deps.sh)")
def test_skopeo_reads_the_layout(layouts, corpus, tmp_path):
    """skopeo 1.9 (Debian 12) resolves only OCI-typed index.json entries (Docker-typed ones are kept as
    they were served: nothing is converted), so every OCI manifest and index of the corpus is checked."""
    layout = layouts["layout2"]
    index = json.loads((layout / "index.json").read_text())
    oci = {m["annotations"]["org.opencontainers.image.ref.name"]: m["mediaType"] for m in index["manifests"]
           if m["mediaType"].startswith("application/vnd.oci.image.")}
    assert "application/vnd.oci.image.manifest.v1+json" in oci.values()
    assert "application/vnd.oci.image.index.v1+json" in oci.values()
    by_name = {f"{i['repository']}:{i['tag']}": i for i in ok_images(corpus["truth"])}
    for ref in sorted(oci):
        inspected = json.loads(run(["skopeo", "inspect", f"oci:{layout}:{ref}"]).stdout)
        assert inspected["Layers"] == by_name[ref]["layers"], ref
        copy = tmp_path / ref.replace("/", "_").replace(":", "_")
        run(["skopeo", "copy", f"oci:{layout}:{ref}", f"dir:{copy}"])
        for digest in by_name[ref]["layers"]:
            assert (copy / digest.split(":", 1)[1]).is_file()


def test_all_platforms_keeps_every_image_of_an_index_but_attestations(corpus, registry, tmp_path):
    layout = tmp_path / "all"
    run([BIN, "fetch", "--images", corpus["images"], "--registry", registry.url, "--layout", layout,
         "--all-platforms"])
    blobs = layout / "blobs" / "sha256"
    indexes = 0
    for entry in json.loads((layout / "index.json").read_text())["manifests"]:
        document = json.loads((blobs / entry["digest"].split(":", 1)[1]).read_bytes())
        if "manifests" not in document:
            continue
        indexes += 1
        for child in document["manifests"]:
            platform = child.get("platform", {})
            present = (blobs / child["digest"].split(":", 1)[1]).is_file()
            attestation = platform.get("os") == "unknown" and platform.get("architecture") == "unknown"
            assert present != attestation, (entry, child)
    assert indexes > 0
