"""Digests name files and requests, so a hostile registry must not choose them:
a manifest whose config digest, layer digest or index entry digest is a path
(`/abs/dir:name`, `../../../x:name`, `sha256:../../evil`) makes that image's row
"invalid_digest" in `run`, `plan` and `fetch` (exit 0), while a good image
served alongside is "ok"; no file appears outside the work directory or layout
and no request for the bad digest reaches the server, which would answer any
request with bytes of its choosing. sha512 is verified like sha256: a sha512
image is analysed exactly and kept under blobs/sha512/, a sha512 layer whose
bytes differ is "digest_mismatch", one failing image never stops `fetch`, and
a second fetch keeps the digest-only entries of index.json."""
import hashlib
import json
import subprocess

import h5py
import pytest

from conftest import BIN, MPI_ENV, log_messages
from hostile_server import (OCI_INDEX, OCI_MANIFEST, HostileServer, image_config, image_manifest,
                            sha256_digest, sha512_digest, tar_gz_layer, tree_listing)

GOOD_FILES = {"etc/a": b"1", "etc/b": b"22", "usr/c": b"333"}
SHA512_FILES = {"bin/x": b"x" * 10, "bin/y": b"y" * 20, "lib/z": b"z" * 30, "lib/w": b"w"}
EVIL = b"evil bytes the registry chose"
# Pieces of every hostile digest: none may reach the server's request log.
MARKERS = ("dir:name", "x:name", "evil", "..", "%2e")


def run_cli(*args, timeout=40):
    result = subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, env=MPI_ENV,
                            timeout=timeout)
    return result


def rows(path, table="images"):
    with h5py.File(path, "r") as f:
        group = f[table]
        out = {}
        key = "reference" if table == "images" else "digest"
        for i, name in enumerate(group[key][()]):
            out[name.decode()] = {column: (group[column][i].decode() if isinstance(group[column][i], bytes)
                                           else group[column][i])
                                  for column in group if group[column].shape == group[key].shape}
        return out


class Scenario:
    """A hostile registry with good, sha512 and path-digest images; `absolute_target` is an
    absolute directory (inside the pytest temp area) a path digest points at."""

    def __init__(self, absolute_target):
        self.server = HostileServer().registry_root()
        self.expected = {}  # reference -> image status
        s = self.server

        # A good image, sha256 throughout.
        self.good_layer = tar_gz_layer(GOOD_FILES)
        self.good_config = image_config([sha256_digest(b"diff")])
        s.blob("good/app", sha256_digest(self.good_config), self.good_config)
        s.blob("good/app", sha256_digest(self.good_layer), self.good_layer)
        self.good_manifest = image_manifest(self.good_config, [self.good_layer])
        self.good_digest = s.manifest("good/app", "1", self.good_manifest)
        self.expected["good/app:1"] = "ok"

        # A sha512 image: config and layer addressed by sha512, served under those digests.
        self.sha_layer = tar_gz_layer(SHA512_FILES)
        self.sha_config = image_config([sha256_digest(b"diff512")])
        s.blob("sha/app", sha512_digest(self.sha_config), self.sha_config)
        s.blob("sha/app", sha512_digest(self.sha_layer), self.sha_layer)
        self.sha_manifest = image_manifest(self.sha_config, [self.sha_layer], media_type=OCI_MANIFEST,
                                           config_digest=sha512_digest(self.sha_config),
                                           layer_digests=[sha512_digest(self.sha_layer)])
        s.manifest("sha/app", "1", self.sha_manifest, media_type=OCI_MANIFEST)
        self.expected["sha/app:1"] = "ok"

        # An index whose entry names the same image manifest by its sha512.
        self.sha_child = sha512_digest(self.sha_manifest)
        s.blob("sha/index", sha512_digest(self.sha_config), self.sha_config)
        s.blob("sha/index", sha512_digest(self.sha_layer), self.sha_layer)
        s.manifest("sha/index", self.sha_child, self.sha_manifest, media_type=OCI_MANIFEST, digest=self.sha_child)
        self.sha_index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": self.sha_child, "size": len(self.sha_manifest),
             "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
        s.manifest("sha/index", "1", self.sha_index, media_type=OCI_INDEX)
        self.expected["sha/index:1"] = "ok"

        # A sha512 layer whose bytes are not the ones its digest names.
        lying_digest = sha512_digest(b"some other layer")
        s.blob("sha/lying", sha512_digest(self.sha_config), self.sha_config)
        s.blob("sha/lying", lying_digest, self.sha_layer)
        self.lying_digest = lying_digest
        s.manifest("sha/lying", "1", image_manifest(
            self.sha_config, [self.sha_layer], media_type=OCI_MANIFEST,
            config_digest=sha512_digest(self.sha_config), layer_digests=[lying_digest]),
            media_type=OCI_MANIFEST)

        # An image whose layer the registry does not have (for fetch).
        self.missing_layer = tar_gz_layer({"gone": b"gone"})
        s.blob("miss/app", sha256_digest(self.good_config), self.good_config)
        s.route("GET", f"/v2/miss/app/blobs/{sha256_digest(self.missing_layer)}",
                lambda r: r.error(404, "BLOB_UNKNOWN", "blob unknown to registry"))
        s.manifest("miss/app", "1", image_manifest(self.good_config, [self.missing_layer]))

        # Path digests: in the config, in a layer, in an index entry.
        self.bad = bad = [f"{absolute_target}/dir:name", "../../../x:name", "sha256:../../evil",
               "sha256:" + "A" * 64, "sha512:" + "a" * 64, "md5:" + "a" * 32]
        for n, digest in enumerate(bad):
            s.manifest(f"bad/config{n}", "1", image_manifest(self.good_config, [self.good_layer],
                                                             config_digest=digest))
            self.expected[f"bad/config{n}:1"] = "invalid_digest"
        for n, digest in enumerate(bad[:3]):
            s.manifest(f"bad/layer{n}", "1", image_manifest(self.good_config, [self.good_layer],
                                                            layer_digests=[digest]))
            self.expected[f"bad/layer{n}:1"] = "invalid_digest"
            index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": digest, "size": 100,
                 "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
            s.manifest(f"bad/index{n}", "1", index, media_type=OCI_INDEX)
            self.expected[f"bad/index{n}:1"] = "invalid_digest"
        # Whatever else is asked below bad/ gets bytes of the registry's choosing, as an attacker would send.
        s.route_prefix("GET", "/v2/bad/", lambda r: r.send(200, EVIL, {"Content-Type": "application/octet-stream"}))

    def write_list(self, path, references):
        path.write_text("".join(r + "\n" for r in references))
        return path

    def bad_requests(self):
        """Requests naming a hostile digest, plainly or percent-encoded (':' as %3A, '/' as %2F)."""
        forms = [m for m in MARKERS] + [d.lower() for d in self.bad]
        forms += [d.lower().replace(":", "%3a").replace("/", "%2f") for d in self.bad]
        return [r["path"] for r in self.server.requests if any(f in r["path"].lower() for f in forms)]


@pytest.fixture
def scenario(tmp_path_factory):
    target = tmp_path_factory.getbasetemp() / "absolute-target"
    scene = Scenario(target)
    scene.server.start()
    yield scene
    scene.server.stop()


def listings(*roots):
    return {str(root): tree_listing(root) for root in roots}


def outside(before, after, inside):
    """Paths that appeared under the watched roots, minus those below `inside`."""
    new = set()
    for root in after:
        new |= after[root] - before[root]
    return sorted(p for p in new if not (p == str(inside) or p.startswith(str(inside) + "/")))


def test_run_and_plan_refuse_path_digests_and_verify_sha512(scenario, tmp_path, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    work = tmp_path / "deep" / "work"
    work.parent.mkdir()
    images = scenario.write_list(tmp_path / "images.txt",
                                 list(scenario.expected) + ["sha/lying:1"])
    before = listings(base, tmp_path / "deep")
    result = run_cli("run", "--registry", scenario.server.url, "--images", images, "--out", tmp_path / "r.h5",
                     "--work", work, "--progress", "0")
    assert result.returncode == 0, result.stderr
    after = listings(base, tmp_path / "deep")
    assert outside(before, after, work) == [str(tmp_path / "r.h5")]
    assert scenario.bad_requests() == []

    images_rows = rows(tmp_path / "r.h5")
    got = {ref: row["status"] for ref, row in images_rows.items()}
    assert got == {**scenario.expected, "sha/lying:1": "layer_failed"}
    for ref, status in scenario.expected.items():
        if status == "invalid_digest":
            assert "digest" in images_rows[ref]["error"], (ref, images_rows[ref]["error"])

    layers = rows(tmp_path / "r.h5", "layers")
    good = layers[sha256_digest(scenario.good_layer)]
    assert (good["status"], good["file_count"]) == ("ok", 3)
    sha = layers[sha512_digest(scenario.sha_layer)]
    assert (sha["status"], sha["file_count"], sha["file_bytes"]) == ("ok", 4, 61)
    assert sha["ref_count"] == 2  # sha/app and sha/index
    assert images_rows["sha/index:1"]["manifest_digest"] == scenario.sha_child
    assert layers[scenario.lying_digest]["status"] == "digest_mismatch"
    # The sha512 config was verified and kept where its digest says, inside the work directory.
    config = work / "blobs" / "sha512" / hashlib.sha512(scenario.sha_config).hexdigest()
    assert config.read_bytes() == scenario.sha_config

    # `plan` alone: the same rows, nothing outside its work directory, no bad request.
    scenario.server.requests.clear()
    plan_work = tmp_path / "deep" / "plan-work"
    before = listings(base, tmp_path / "deep")
    result = run_cli("plan", "--registry", scenario.server.url, "--images", images, "--work", plan_work)
    assert result.returncode == 0, result.stderr
    assert outside(before, listings(base, tmp_path / "deep"), plan_work) == []
    assert scenario.bad_requests() == []
    with h5py.File(plan_work / "plan.h5", "r") as f:
        planned = dict(zip((r.decode() for r in f["images"]["reference"][()]),
                           (s.decode() for s in f["images"]["status"][()])))
    assert planned == {**scenario.expected, "sha/lying:1": "ok"}


def index_entries(layout):
    index = json.loads((layout / "index.json").read_text())
    return sorted((m.get("annotations", {}).get("org.opencontainers.image.ref.name", ""), m["digest"])
                  for m in index["manifests"])


def test_fetch_keeps_good_images_refuses_path_digests_and_stores_sha512(scenario, tmp_path, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    layout = tmp_path / "deep" / "layout"
    layout.parent.mkdir()
    by_digest = f"good/app@{scenario.good_digest}"
    images = scenario.write_list(tmp_path / "images.txt",
                                 list(scenario.expected) + ["sha/lying:1", "miss/app:1", by_digest])
    before = listings(base, tmp_path / "deep")
    result = run_cli("fetch", "--images", images, "--registry", scenario.server.url, "--layout", layout,
                     "--concurrency", "3")
    assert result.returncode == 0, result.stderr
    assert outside(before, listings(base, tmp_path / "deep"), layout) == []
    assert scenario.bad_requests() == []
    failed = sum(1 for s in scenario.expected.values() if s != "ok") + 2
    assert f"{failed} images failed" in result.stdout, result.stdout
    for ref, status in scenario.expected.items():
        if status == "invalid_digest":
            assert any(m.startswith(f"{ref}: invalid_digest:") for m in log_messages(result.stderr, "warning")), ref
    assert any(m.startswith("sha/lying:1: digest_mismatch:") for m in log_messages(result.stderr, "warning"))
    assert any(m.startswith("miss/app:1: blob_unknown:") for m in log_messages(result.stderr, "warning")), result.stderr

    assert index_entries(layout) == sorted([("good/app:1", scenario.good_digest),
                                            ("sha/app:1", sha256_digest(scenario.sha_manifest)),
                                            ("sha/index:1", sha256_digest(scenario.sha_index)),
                                            ("", scenario.good_digest)])
    for data in (scenario.sha_config, scenario.sha_layer, scenario.sha_manifest):
        path = layout / "blobs" / "sha512" / hashlib.sha512(data).hexdigest()
        assert path.read_bytes() == data
    assert not (layout / "blobs" / "sha512" / scenario.lying_digest.split(":", 1)[1]).exists()
    for algorithm, hasher in (("sha256", hashlib.sha256), ("sha512", hashlib.sha512)):
        for path in (layout / "blobs" / algorithm).iterdir():
            assert hasher(path.read_bytes()).hexdigest() == path.name, path

    # A second fetch of one image keeps every entry already there, the digest-only one included.
    again = run_cli("fetch", "--images", scenario.write_list(tmp_path / "one.txt", ["sha/app:1"]),
                    "--registry", scenario.server.url, "--layout", layout)
    assert again.returncode == 0, again.stderr
    assert index_entries(layout) == sorted([("good/app:1", scenario.good_digest),
                                            ("sha/app:1", sha256_digest(scenario.sha_manifest)),
                                            ("sha/index:1", sha256_digest(scenario.sha_index)),
                                            ("", scenario.good_digest)])

    # `run --layout` reads the sha512 blobs back, verified, with the same counts.
    result = run_cli("run", "--layout", layout, "--images", tmp_path / "one.txt", "--out", tmp_path / "l.h5",
                     "--work", tmp_path / "deep" / "layout-work", "--progress", "0")
    assert result.returncode == 0, result.stderr
    assert {r: v["status"] for r, v in rows(tmp_path / "l.h5").items()} == {"sha/app:1": "ok"}
    sha = rows(tmp_path / "l.h5", "layers")[sha512_digest(scenario.sha_layer)]
    assert (sha["status"], sha["file_count"], sha["file_bytes"]) == ("ok", 4, 61)
