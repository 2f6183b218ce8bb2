"""`fetch` walks a reference as `run` does (resolve/image_walk.hpp, docs/registry-client.md):
an index entry repeated thousands of times is one request, an index over the
entry cap is the row's `too_large` with no child request, and one digest listed
under several platforms is fetched once."""
import json
import subprocess

import pytest

from conftest import BIN, MPI_ENV, log_messages
from hostile_server import HostileServer, sha256_digest
from index_cases import serve_capped_indexes, serve_identical_entries

BOUND = 30  # seconds a fetch here may take


@pytest.fixture
def server():
    with HostileServer() as s:
        s.registry_root()
        yield s


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
    child_digest, config, layer = serve_identical_entries(server)
    result, names = fetch(server, tmp_path, ["lib/multi:1"])
    assert result.returncode == 0, result.stderr
    assert names == ["lib/multi:1"]
    assert "fetched 1 of 1 images" in result.stdout and " 2 manifests," in result.stdout, result.stdout
    assert len(server.requests_to("/manifests/" + child_digest)) == 1
    assert len(server.requests_to("/blobs/" + sha256_digest(config))) == 1
    assert len(server.requests_to("/blobs/" + sha256_digest(layer))) == 1


def test_index_over_the_entry_cap_is_too_large_without_child_requests(server, tmp_path):
    child_digest, config = serve_capped_indexes(server)
    result, names = fetch(server, tmp_path, ["lib/many:1", "lib/few:1"])
    (message,) = [m for m in log_messages(result.stderr, "warning") if m.startswith("lib/many:1: too_large: the index ")]
    assert "has more than 1000 distinct platform entries" in message, result.stderr
    assert names == ["lib/few:1"]
    assert "fetched 1 of 2 images" in result.stdout, result.stdout
    assert server.requests_to("/v2/lib/many/manifests/" + child_digest) == []
    assert len(server.requests_to("/v2/lib/few/manifests/" + child_digest)) == 1
    assert len(server.requests_to("/v2/lib/few/blobs/" + sha256_digest(config))) == 1
