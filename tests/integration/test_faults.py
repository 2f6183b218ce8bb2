"""Bad input never costs other rows: a blob deleted from the registry, a blob whose
stored bytes no longer match its digest, and an image that does not exist each
end up as a status and message on their own rows, the run exits 0, and every
other row still equals the ground truth."""
import json
import urllib.request

import pytest

from census_checks import check_images, check_layers
from conftest import BIN, Registry, mpirun, run
from results import open_results


def single_owner_layers(truth):
    """Layers listed by exactly one image, in a stable order."""
    owners = {}
    for image in truth["images"]:
        for digest in set(image.get("layers", [])):
            owners.setdefault(digest, []).append(image)
    return [(d, owners[d][0]) for d in sorted(owners) if len(owners[d]) == 1]


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    registry = Registry(root / "registry")
    try:
        corpus = root / "corpus"
        run([BIN, "synth", "--out", corpus, "--seed", "11", "--images", "8", "--scale", "0.5"])
        run([BIN, "push", "--layout", corpus / "layout", "--registry", registry.url])
        truth = json.loads((corpus / "groundtruth.json").read_text())
        (deleted, deleted_image), (corrupted, _) = single_owner_layers(truth)[:2]

        request = urllib.request.Request(f"{registry.url}/v2/{deleted_image['repository']}/blobs/{deleted}",
                                         method="DELETE")
        assert urllib.request.urlopen(request).status == 202
        data = registry.blob_data_path(corrupted)
        payload = bytearray(data.read_bytes())
        payload[len(payload) // 2] ^= 0xFF  # same length, other bytes: only the digest can tell
        data.write_bytes(bytes(payload))

        out = root / "results.h5"
        result = mpirun(2, "run", "--registry", registry.url, "--images", corpus / "images.txt",
                        "--out", out, "--work", root / "work")
        yield {"out": out, "truth": truth, "deleted": deleted, "corrupted": corrupted, "stderr": result.stderr}
    finally:
        registry.stop()


def test_failed_layers_have_status_and_message(faulty_run):
    with open_results(faulty_run["out"]) as res:
        layers = res.table("layers")
    row = {d: i for i, d in enumerate(layers["digest"])}
    deleted, corrupted = row[faulty_run["deleted"]], row[faulty_run["corrupted"]]
    assert layers["status"][deleted] == "blob_unknown"
    assert "blob unknown" in layers["error"][deleted].lower()
    assert layers["status"][corrupted] == "digest_mismatch"
    assert faulty_run["corrupted"] in layers["error"][corrupted]
    for i in (deleted, corrupted):
        assert layers["file_count"][i] == -1 and layers["uncompressed_bytes"][i] == -1


def test_other_rows_unaffected(faulty_run):
    skip = {faulty_run["deleted"], faulty_run["corrupted"]}
    with open_results(faulty_run["out"]) as res:
        check_layers(res, faulty_run["truth"], skip_layers=skip)
        check_images(res, faulty_run["truth"], skip_layers=skip)
        images = res.table("images")
    failed = [e for s, e in zip(images["status"], images["error"]) if s == "layer_failed"]
    assert len(failed) == 2
    assert any(faulty_run["corrupted"] in e and "digest_mismatch" in e for e in failed)


def test_missing_image_is_a_row_not_a_crash(faulty_run):
    with open_results(faulty_run["out"]) as res:
        images = res.table("images")
    missing = [i for i, s in enumerate(images["status"]) if s == "manifest_unknown"]
    assert len(missing) == 1
    assert images["error"][missing[0]] != ""
    assert images["layer_count"][missing[0]] == -1
