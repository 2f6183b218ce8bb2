"""`fetch` walks a reference as `run` does (resolve/image_walk.hpp, docs/registry-client.md):
an index entry repeated thousands of times is one request, an index over the
entry cap is the row's `too_large` with no child request, and one digest listed
under several platforms is fetched once."""
import json
import subprocess

import pytest

from conftest import BIN, MPI_ENV
from hostile_server import OCI_INDEX, HostileServer, image_config, image_manifest, sha256_digest, tar_gz_layer

MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
BOUND = 30  # seconds a fetch here may take


@pytest.fixture
def server():
    with HostileServer() as s:
        s.registry_root()
        yield s


def index_of(entries):
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()


def fetch(server, tmp_path, references):
    listing = tmp_path / "images.txt"
    listing.write_text("".join(r + "\n" for r in references))
    layout = tmp_path / "layout"
    result = subprocess.run([str(BIN), "fetch", "--images", str(listing), "--registry", server.url, "--layout",
                             str(layout), "--all-platforms"], env=MPI_ENV, capture_output=True, text=True,
                            timeout=BOUND)
    names = [m.get("annotations", {}).get("org.opencontainers.image.ref.name")
             for m in json.loads((layout / "index.json").read_text())["manifests"]]
    return result, names


def test_index_of_identical_entries_is_one_request(server, tmp_path):
    layer = tar_gz_layer({"bin/tool": b"tool\n"})
    config = image_config([sha256_digest(layer)], platform=("linux", "arm64"))
    child = image_manifest(config, [layer])
    child_digest = server.manifest("lib/multi", sha256_digest(child), child)
    server.blob("lib/multi", sha256_digest(config), config)
    server.blob("lib/multi", sha256_digest(layer), layer)
    entry = {"mediaType": MANIFEST, "digest": child_digest, "size": len(child),
             "platform": {"os": "linux", "architecture": "arm64"}}
    server.manifest("lib/multi", "1", index_of([entry] * 5000), media_type=OCI_INDEX)
    result, names = fetch(server, tmp_path, ["lib/multi:1"])
    assert result.returncode == 0, result.stderr
    assert names == ["lib/multi:1"]
    assert "fetched 1 of 1 images" in result.stdout and " 2 manifests," in result.stdout, result.stdout
    assert len(server.requests_to("/manifests/" + child_digest)) == 1
    assert len(server.requests_to("/blobs/" + sha256_digest(config))) == 1
    assert len(server.requests_to("/blobs/" + sha256_digest(layer))) == 1


def test_index_over_the_entry_cap_is_too_large_without_child_requests(server, tmp_path):
    config = image_config([])
    child = image_manifest(config, [])
    child_digest = sha256_digest(child)
    server.manifest("lib/many", child_digest, child)
    server.blob("lib/few", sha256_digest(config), config)
    # 1,001 distinct entries: one digest under 1,001 platform variants.
    entries = [{"mediaType": MANIFEST, "digest": child_digest, "size": len(child),
                "platform": {"os": "linux", "architecture": "amd64", "variant": f"v{i}"}} for i in range(1001)]
    server.manifest("lib/many", "1", index_of(entries), media_type=OCI_INDEX)
    # Under the cap, one digest listed under several platforms is fetched once.
    server.manifest("lib/few", "1", index_of(entries[:3]), media_type=OCI_INDEX)
    server.manifest("lib/few", child_digest, child)
    result, names = fetch(server, tmp_path, ["lib/many:1", "lib/few:1"])
    assert ("regcensus fetch: lib/many:1: too_large: the index " in result.stderr
            and "has more than 1000 distinct platform entries" in result.stderr), result.stderr
    assert names == ["lib/few:1"]
    assert "fetched 1 of 2 images" in result.stdout, result.stdout
    assert server.requests_to("/v2/lib/many/manifests/" + child_digest) == []
    assert len(server.requests_to("/v2/lib/few/manifests/" + child_digest)) == 1
    assert len(server.requests_to("/v2/lib/few/blobs/" + sha256_digest(config))) == 1
