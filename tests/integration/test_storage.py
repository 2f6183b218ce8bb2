"""`regcensus run --storage DIR`: the census read straight from a real
docker-registry's filesystem storage equals the census over HTTP, /storage
counts what `docker-registry garbage-collect --dry-run` would delete, broken
storage gives rows (not crashes), and nothing under DIR changes."""
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import urllib.request

import h5py
import pytest

from census_checks import datasets
from conftest import BIN, MPI_ENV, Registry, mpirun, run

MANIFEST_TYPES = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
])


def request(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def get_manifest(registry, repository, reference):
    _, headers, body = request("GET", f"{registry.url}/v2/{repository}/manifests/{reference}",
                               headers={"Accept": MANIFEST_TYPES})
    return headers["Content-Type"], body


def put_blob(registry, repository, data):
    _, headers, _ = request("POST", f"{registry.url}/v2/{repository}/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = registry.url + location
    separator = "&" if "?" in location else "?"
    request("PUT", f"{location}{separator}digest={sha256(data)}", body=data,
            headers={"Content-Type": "application/octet-stream"})
    return sha256(data)


def put_manifest(registry, repository, reference, media_type, body):
    request("PUT", f"{registry.url}/v2/{repository}/manifests/{reference}", body=body,
            headers={"Content-Type": media_type})


def checksum_listing(root):
    """Every path below `root` with its kind and content (sha256 of files, target of links)."""
    listing = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = pathlib.Path(directory) / name
            relative = str(path.relative_to(root))
            if path.is_symlink():
                listing[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                listing[relative] = ("dir",)
            else:
                listing[relative] = ("file", path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest(),
                                     path.stat().st_mtime_ns)
    return listing


def gc_eligible(config):
    """The blobs `garbage-collect --dry-run` would delete."""
    out = subprocess.run(["docker-registry", "garbage-collect", "--dry-run", str(config)], capture_output=True,
                         text=True, check=True)
    return set(re.findall(r"blob eligible for deletion: (sha256:[0-9a-f]{64})", out.stdout + out.stderr))


def blob_file(storage, digest):
    hexd = digest.split(":", 1)[1]
    return storage / "docker/registry/v2/blobs/sha256" / hexd[:2] / hexd / "data"


def table(path, group):
    with h5py.File(path, "r") as f:
        g = f[group]
        return {name: [v.decode() if isinstance(v, bytes) else v for v in g[name][()].tolist()]
                for name in g if isinstance(g[name], h5py.Dataset)}


@pytest.fixture(scope="module")
def changed_registry(tmp_path_factory):
    """The synth corpus pushed into a registry of its own, then changed through its API:
    app-005's manifest deleted (its unique blobs become garbage), app-008:latest
    re-pointed at a new manifest (one layer, a new config), leaving the old one untagged."""
    root = tmp_path_factory.mktemp("storage-registry")
    registry = Registry(root)
    corpus = tmp_path_factory.mktemp("storage-corpus")
    run([BIN, "synth", "--out", corpus, "--seed", "7", "--images", "24"])
    run([BIN, "push", "--layout", corpus / "layout", "--registry", registry.url])
    truth = json.loads((corpus / "groundtruth.json").read_text())

    _, deleted_body = get_manifest(registry, "synth/app-005", "latest")
    deleted = sha256(deleted_body)
    request("DELETE", f"{registry.url}/v2/synth/app-005/manifests/{deleted}")

    media_type, old_body = get_manifest(registry, "synth/app-008", "latest")
    old = json.loads(old_body)
    assert "layers" in old, "app-008 is expected to be a single-platform image"
    config = json.loads(request("GET", f"{registry.url}/v2/synth/app-008/blobs/{old['config']['digest']}")[2])
    config["config"] = dict(config.get("config") or {}, Labels={"storage-test": "repointed"})
    config_bytes = json.dumps(config).encode()
    new = dict(old, config=dict(old["config"], digest=put_blob(registry, "synth/app-008", config_bytes),
                                size=len(config_bytes)), layers=old["layers"][:1])
    put_manifest(registry, "synth/app-008", "latest", media_type, json.dumps(new).encode())
    yield {"registry": registry, "storage": registry.storage, "config": root / "config.yml", "truth": truth,
           "deleted": deleted, "untagged": sha256(old_body), "untagged_manifest": old}
    registry.stop()


def test_storage_census_equals_http_census(changed_registry, tmp_path):
    registry, storage = changed_registry["registry"], changed_registry["storage"]
    before = checksum_listing(storage)
    run([BIN, "crawl", "--storage", storage, "--out", tmp_path / "list.txt"])
    references = [line.split("\t")[0] for line in (tmp_path / "list.txt").read_text().splitlines()[1:]]
    assert "synth/app-005:latest" not in references and "synth/app-008:latest" in references
    assert len(references) == len([i for i in changed_registry["truth"]["images"] if i["status"] == "ok"]) - 1

    mpirun(2, "run", "--storage", storage, "--out", tmp_path / "storage.h5", "--work", tmp_path / "ws")
    mpirun(2, "run", "--registry", registry.url, "--images", tmp_path / "list.txt", "--out", tmp_path / "http.h5",
           "--work", tmp_path / "wh")
    a, b = datasets(tmp_path / "storage.h5"), datasets(tmp_path / "http.h5")
    only_storage = {name for name in a if name.startswith("storage/")}
    assert only_storage == {"storage/referenced_by", "storage/kind", "storage/count", "storage/bytes"}
    for name in only_storage:
        a.pop(name)
    assert a == b
    with h5py.File(tmp_path / "storage.h5", "r") as f:
        assert [v.decode() for v in f["images/status"][()]] == ["ok"] * len(references)
    assert checksum_listing(storage) == before


def test_storage_group_counts_what_gc_would_free(changed_registry, tmp_path):
    storage, truth = changed_registry["storage"], changed_registry["truth"]
    before = checksum_listing(storage)
    mpirun(2, "run", "--storage", storage, "--untagged", "--out", tmp_path / "s.h5", "--work", tmp_path / "w")
    assert checksum_listing(storage) == before

    stored = {}
    for path in (storage / "docker/registry/v2/blobs/sha256").glob("*/*/data"):
        stored["sha256:" + path.parent.name] = path.stat().st_size
    eligible = gc_eligible(changed_registry["config"])
    assert changed_registry["deleted"] in eligible and len(eligible) >= 2

    # Blobs only the untagged manifest reaches: itself, its config, the layers no tagged image lists.
    old = changed_registry["untagged_manifest"]
    tagged_layers = {d for i in truth["images"] if i["status"] == "ok" and i["repository"] != "synth/app-005"
                     and i["repository"] != "synth/app-008" for d in i["layers"]} | {old["layers"][0]["digest"]}
    untagged_only = {changed_registry["untagged"], old["config"]["digest"]} | \
        {d["digest"] for d in old["layers"] if d["digest"] not in tagged_layers}

    rows = table(tmp_path / "s.h5", "storage")
    by = {}
    for ref, kind, count, size in zip(rows["referenced_by"], rows["kind"], rows["count"], rows["bytes"]):
        by.setdefault(ref, [0, 0])
        by[ref][0] += count
        by[ref][1] += size
    assert by["none"] == [len(eligible), sum(stored[d] for d in eligible)]
    assert by["untagged"] == [len(untagged_only), sum(stored[d] for d in untagged_only)]
    assert by["tagged"][0] + by["untagged"][0] + by["none"][0] == len(stored)
    assert by["tagged"][1] + by["untagged"][1] + by["none"][1] == sum(stored.values())
    kinds = {(r, k): c for r, k, c in zip(rows["referenced_by"], rows["kind"], rows["count"])}
    assert kinds[("untagged", "manifest")] == 1 and kinds[("untagged", "config")] == 1
    assert kinds[("none", "manifest")] == 1  # the deleted manifest's own blob
    with h5py.File(tmp_path / "s.h5", "r") as f:
        attrs = f["storage"].attrs
        assert attrs["blob_count"] == len(stored) and attrs["blob_bytes"] == sum(stored.values())
        assert attrs["untagged_manifests"] == 1
        for mine, census in (("file_count", "file_count"), ("file_bytes", "file_bytes"),
                             ("unique_file_count", "unique_file_count"), ("unique_file_bytes", "unique_bytes")):
            assert attrs[mine] == f["dedup"].attrs[census] > 0
        images = {k: [v.decode() for v in f["images/" + k][()]] for k in ("reference", "status", "manifest_digest")}
    untagged_rows = [i for i, s in enumerate(images["status"]) if s == "untagged"]
    assert [images["reference"][i] for i in untagged_rows] == [f"synth/app-008@{changed_registry['untagged']}"]
    assert images["manifest_digest"][untagged_rows[0]] == changed_registry["untagged"]

    report = json.loads(run([BIN, "report", tmp_path / "s.h5", "--json"]).stdout)
    assert report["storage"]["referenced_by_none"]["count"] == len(eligible)
    assert report["storage"]["referenced_by_untagged"]["bytes"] == by["untagged"][1]
    summary = json.loads(run(["/usr/bin/python3", pathlib.Path(__file__).resolve().parents[2] / "analysis/summary.py",
                              tmp_path / "s.h5", "--json"]).stdout)
    assert summary["storage"] == report["storage"]


def test_broken_storage_gives_rows_and_stays_unchanged(changed_registry, tmp_path):
    truth = changed_registry["truth"]
    storage = tmp_path / "copy"
    shutil.copytree(changed_registry["storage"], storage, symlinks=True)
    ref_count = {}
    for image in truth["images"]:
        for digest in set(image["layers"]) if image["status"] == "ok" else ():
            ref_count[digest] = ref_count.get(digest, 0) + 1
    by_ref = {i["reference"]: i for i in truth["images"]}

    def unique_layer(reference):
        return next((d for d in reversed(by_ref[reference]["layers"]) if ref_count[d] == 1), None)

    # Images the API left alone, each with a layer no other image lists.
    candidates = [r for r in sorted(by_ref) if by_ref[r]["status"] == "ok" and unique_layer(r)
                  and by_ref[r]["repository"] not in ("synth/app-005", "synth/app-008")]
    flipped_image, truncated_image, garbage_image, dangling_image = candidates[:4]
    flipped = unique_layer(flipped_image)
    data = bytearray(blob_file(storage, flipped).read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob_file(storage, flipped).write_bytes(bytes(data))
    truncated = unique_layer(truncated_image)
    path = blob_file(storage, truncated)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    def tag_link(reference):
        repository, tag = reference.rsplit(":", 1)
        return storage / "docker/registry/v2/repositories" / repository / "_manifests/tags" / tag / "current/link"

    tag_link(garbage_image).write_bytes(b"\x00garbage\n")
    tag_link(dangling_image).write_text("sha256:" + "0" * 64)
    before = checksum_listing(storage)

    mpirun(2, "run", "--storage", storage, "--out", tmp_path / "b.h5", "--work", tmp_path / "w")
    assert checksum_listing(storage) == before
    images = table(tmp_path / "b.h5", "images")
    status = dict(zip(images["reference"], images["status"]))
    assert status[flipped_image] == "layer_failed"
    assert status[truncated_image] == "layer_failed"
    assert status[garbage_image] == "link_invalid"
    assert status[dangling_image] == "revision_missing"
    assert sum(s == "ok" for s in status.values()) == len(status) - 4
    layers = table(tmp_path / "b.h5", "layers")
    layer_status = dict(zip(layers["digest"], layers["status"]))
    assert layer_status[flipped] == "digest_mismatch"
    # The analysis verifies a layer by its digest alone (images may disagree on its size):
    # the half that is left does not hash to the digest.
    assert layer_status[truncated] == "digest_mismatch"
    assert sum(s == "ok" for s in layer_status.values()) == len(layer_status) - 2


def test_storage_census_refusals(tmp_path):
    result = subprocess.run([str(BIN), "run", "--storage", str(tmp_path), "--out", str(tmp_path / "r.h5"),
                             "--work", str(tmp_path / "w")], capture_output=True, text=True, env=MPI_ENV)
    assert result.returncode != 0 and "docker/registry/v2" in result.stderr
    result = subprocess.run([str(BIN), "run", "--registry", "http://127.0.0.1:1", "--untagged", "--images",
                             str(tmp_path / "x"), "--out", str(tmp_path / "r.h5"), "--work", str(tmp_path / "w")],
                            capture_output=True, text=True, env=MPI_ENV)
    assert result.returncode != 0 and "--untagged" in result.stderr


def test_storage_job_file_with_shards_and_merge_equals_one_run(changed_registry, tmp_path):
    """A job file's `storage` key, a plan, shards run as separate tasks, a merge:
    the same results file as one run (Slurm array tasks work the same way)."""
    storage = changed_registry["storage"]
    job = tmp_path / "storage.cfg"
    job.write_text(f"# census of a registry's storage\nstorage = {storage}\nuntagged = true\nshard-bytes = 4000000\n")
    planned = run([BIN, "plan", "--config", job, "--work", tmp_path / "w"])
    shards = int(re.search(r"^shards (\d+)$", planned.stdout, re.M).group(1))
    assert shards >= 3
    mpirun(2, "run", "--config", job, "--work", tmp_path / "w", "--out", tmp_path / "unused.h5", "--shards", "0")
    mpirun(2, "run", "--config", job, "--work", tmp_path / "w", "--out", tmp_path / "unused.h5",
           "--shards", f"1-{shards - 1}")
    mpirun(2, "merge", "--work", tmp_path / "w", "--out", tmp_path / "merged.h5")
    mpirun(1, "run", "--config", job, "--work", tmp_path / "one", "--out", tmp_path / "one.h5")
    merged, one = datasets(tmp_path / "merged.h5"), datasets(tmp_path / "one.h5")
    assert merged == one
    assert "storage/count" in merged


def test_resume_is_told_when_the_storage_changed_since_the_plan(changed_registry, tmp_path):
    storage = tmp_path / "copy"
    shutil.copytree(changed_registry["storage"], storage, symlinks=True)
    args = ["run", "--storage", storage, "--work", tmp_path / "w", "--out", tmp_path / "r.h5"]
    mpirun(2, *args)
    mpirun(2, *args, "--resume")  # unchanged storage: the saved plan is continued
    tags = storage / "docker/registry/v2/repositories/synth/app-000/_manifests/tags"
    shutil.copytree(tags / "latest", tags / "v2")
    result = subprocess.run(["mpirun", "--oversubscribe", "-np", "2", str(BIN), *map(str, args), "--resume"],
                            capture_output=True, text=True, env=MPI_ENV)
    assert result.returncode == 2, result.stderr
    assert "--images content" in result.stdout + result.stderr
