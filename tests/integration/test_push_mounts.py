"""`regcensus push` mounts blobs across repositories (docs/registry-client.md,
"Push"): into a fresh docker-registry, every distinct blob of the layout is
uploaded exactly once (by the first repository, in index order, that needs
it) and every other repository that needs it mounts it (POST
.../blobs/uploads/?mount=DIGEST&from=REPO, 201). The counts come from the
layout itself and from the registry's access log; a census through the
registry then matches the synth ground truth (mounted blobs serve as uploaded ones)."""
import json
import re

import pytest

from census_checks import check_all
from conftest import BIN, Registry, mpirun, run


def layout_blobs_by_repository(layout):
    """{repository: {digest: size}} of the configs and layers each reference needs, from the layout's files."""
    def blob(digest):
        return layout / "blobs" / "sha256" / digest.split(":", 1)[1]

    def walk(descriptor, into):
        manifest = json.loads(blob(descriptor["digest"]).read_text())
        for child in manifest.get("manifests", []):
            walk(child, into)
        for entry in ([manifest["config"]] if "config" in manifest else []) + manifest.get("layers", []):
            if entry.get("urls") and not blob(entry["digest"]).exists():
                continue  # a foreign layer the layout does not hold
            into[entry["digest"]] = entry["size"]

    needs, per_reference = {}, 0
    for descriptor in json.loads((layout / "index.json").read_text())["manifests"]:
        name = descriptor["annotations"]["org.opencontainers.image.ref.name"]
        reference = {}
        walk(descriptor, reference)
        per_reference += len(reference)
        needs.setdefault(name.rsplit(":", 1)[0], {}).update(reference)
    return needs, per_reference


@pytest.fixture
def fresh_registry(tmp_path):
    registry = Registry(tmp_path / "fresh")
    yield registry
    registry.stop()


def test_push_uploads_each_blob_once_and_mounts_the_rest(corpus, fresh_registry, tmp_path):
    layout = corpus["dir"] / "layout"
    needs, per_reference = layout_blobs_by_repository(layout)
    distinct = {}
    for blobs in needs.values():
        distinct.update(blobs)
    per_repository = sum(len(blobs) for blobs in needs.values())
    wanted_mounts = per_repository - len(distinct)
    # Another tag of a repository finds the blobs its first tag sent (no request).
    wanted_present = per_reference - per_repository
    assert wanted_mounts > 0  # the synth corpus shares base layers across repositories

    offset = fresh_registry.access_log_size()
    pushed = run([BIN, "push", "--layout", layout, "--registry", fresh_registry.url]).stdout
    summary = pushed.splitlines()[-1]
    assert (f" {len(distinct)} blobs uploaded ({sum(distinct.values())} bytes), {wanted_mounts} mounted from "
            f"another repository, {wanted_present} already present") in summary, summary

    fresh_registry.log.flush()
    with open(fresh_registry.log_path, "rb") as f:
        f.seek(offset)
        log = f.read().decode("utf-8", "replace")
    uploads = re.findall(r'"PUT /v2/(\S+)/blobs/uploads/\S*digest=(sha256(?::|%3A)[0-9a-f]{64})\S* HTTP/1.1" 201', log)
    mounts = re.findall(r'"POST /v2/(\S+)/blobs/uploads/\?mount=(sha256%3A[0-9a-f]{64})&from=(\S+) HTTP/1.1" 201', log)
    uploaded_digests = [digest.replace("%3A", ":") for _, digest in uploads]
    assert sorted(uploaded_digests) == sorted(distinct)  # each distinct blob sent once
    assert len(mounts) == wanted_mounts
    for repository, digest, source in mounts:
        digest = digest.replace("%3A", ":")
        source = source.replace("%2F", "/")
        assert digest in needs[repository.replace("%2F", "/")] and digest in needs[source], (repository, source)
    # Every upload session opened was used: one per upload, none by a refused mount (202).
    assert len(re.findall(r'"POST /v2/\S+/blobs/uploads/ HTTP/1.1" 202', log)) == len(distinct)
    assert not re.search(r'"POST /v2/\S+/blobs/uploads/\?mount=\S+ HTTP/1.1" 202', log)

    out = tmp_path / "results.h5"
    mpirun(2, "run", "--registry", fresh_registry.url, "--images", corpus["images"], "--out", out,
           "--work", tmp_path / "work")
    check_all(out, corpus["truth"])
