"""A signed schema 1 image (`application/vnd.docker.distribution.manifest.v1+prettyjws`)
pushed into a real docker-registry with `compatibility: schema1: enabled: true` resolves
in `regcensus run`: the digest is the registry's (that of the JWS payload), the newest
v1Compatibility entry gives `created` and the platform, the throwaway (empty-tar) entry is
no layer, and the real layer is analysed. The JWS is made here in libtrust's format with
an EC P-256 key. (Manifest lists are covered by the synth corpus in test_census.py.)"""
import base64
import datetime
import gzip
import hashlib
import io
import json
import tarfile
import urllib.error
import urllib.request

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from conftest import BIN, Registry, run
from results import open_results

V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
# gzip of the 1024-byte empty tar; docker's schema 1 "throwaway" layers all point at it.
EMPTY_TAR_GZ = bytes.fromhex("1f8b080000096e8800ff621805a360148c5800080000ffff2eafb5ef00040000")
EMPTY_LAYER = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
REPOSITORY, TAG = "legacy/schema1", "v1"
CREATED = "2016-05-04T03:02:01.123456789Z"
CREATED_UNIX = int(datetime.datetime(2016, 5, 4, 3, 2, 1, tzinfo=datetime.timezone.utc).timestamp())
FILES = {"etc/hostname": b"schema1\n", "usr/bin/hello": b"#!/bin/sh\necho hello\n", "usr/share/doc/a.txt": b"a" * 3000}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer_tarball():
    """A gzip tar with FILES and their directories (3 regular files)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for directory in ["etc", "usr", "usr/bin", "usr/share", "usr/share/doc"]:
            info = tarfile.TarInfo(directory + "/")
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1462330921
            tar.addfile(info)
        for name, data in FILES.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 1462330921
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def libtrust_key_id(public_key) -> str:
    """libtrust's key ID: base32 of the first 30 bytes of sha256(DER SubjectPublicKeyInfo), in groups of 4."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    text = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(text[i:i + 4] for i in range(0, len(text), 4))


def sign_schema1(manifest: dict) -> tuple[bytes, bytes]:
    """(signed manifest, JWS payload) in libtrust's pretty JWS format, as `docker push` wrote them."""
    payload = json.dumps(manifest, indent=3).encode()
    # libtrust: formatLength ends after the last non-space byte before the closing brace.
    close = len(payload.rstrip()) - 1
    assert payload[close:close + 1] == b"}"
    format_length = len(payload[:close].rstrip())
    format_tail = payload[format_length:]
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwk = {"crv": "P-256", "kid": libtrust_key_id(key.public_key()), "kty": "EC",
           "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
    protected = b64url(json.dumps({"formatLength": format_length, "formatTail": b64url(format_tail),
                                   "time": "2016-05-04T03:02:01Z"}).encode())
    r, s = decode_dss_signature(key.sign(f"{protected}.{b64url(payload)}".encode(), ec.ECDSA(hashes.SHA256())))
    signature = {"header": {"jwk": jwk, "alg": "ES256"}, "signature": b64url(r.to_bytes(32, "big") +
                                                                             s.to_bytes(32, "big")),
                 "protected": protected}
    signatures = json.dumps([signature], indent=3).replace("\n", "\n   ")
    signed = payload[:format_length] + b',\n   "signatures": ' + signatures.encode() + format_tail
    return signed, payload


class Schema1Registry(Registry):
    """docker-registry accepting schema 1 pushes (its signing key for GETs generated at start)."""

    def __init__(self, root):
        super().__init__(root, "compatibility:\n  schema1:\n    enabled: true\n")

    def request(self, method, path, data=None, headers=None):
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
            self.log.flush()
            raise AssertionError(f"{method} {path}: HTTP {e.code}: {body}\nregistry log:\n"
                                 f"{self.log_path.read_text(errors='replace')[-4000:]}") from None

    def push_blob(self, data):
        digest = sha256(data)
        _, headers, _ = self.request("POST", f"/v2/{REPOSITORY}/blobs/uploads/")
        location = headers["Location"]
        location = location if location.startswith("http") else self.url + location
        sep = "&" if "?" in location else "?"
        req = urllib.request.Request(f"{location}{sep}digest={digest}", data=data, method="PUT",
                                     headers={"Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(req, timeout=10) as response:
            assert response.status == 201
        return digest



@pytest.fixture(scope="module")
def schema1_image(tmp_path_factory):
    root = tmp_path_factory.mktemp("schema1")
    registry = Schema1Registry(root / "registry")
    try:
        assert sha256(EMPTY_TAR_GZ) == EMPTY_LAYER
        layer = layer_tarball()
        layer_digest = registry.push_blob(layer)
        registry.push_blob(EMPTY_TAR_GZ)
        base_id, top_id = hashlib.sha256(b"base").hexdigest(), hashlib.sha256(b"top").hexdigest()
        manifest = {
            "schemaVersion": 1, "name": REPOSITORY, "tag": TAG, "architecture": "amd64",
            # Newest first: the CMD step (throwaway, empty tar), then the ADD with the files.
            "fsLayers": [{"blobSum": EMPTY_LAYER}, {"blobSum": layer_digest}],
            "history": [
                {"v1Compatibility": json.dumps({
                    "id": top_id, "parent": base_id, "created": CREATED, "os": "linux", "architecture": "amd64",
                    "config": {"Cmd": ["/usr/bin/hello"], "User": "nobody", "Env": ["A=1", "B=2"],
                               "ExposedPorts": {"8080/tcp": {}, "22/tcp": {}}, "WorkingDir": "/srv",
                               "Labels": {"maintainer": "x"}, "Entrypoint": None},
                    "docker_version": "1.11.1", "author": "legacy <l@example.invalid>",
                    "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) CMD [\"/usr/bin/hello\"]"]},
                    "throwaway": True})},
                {"v1Compatibility": json.dumps({
                    "id": base_id, "created": "2016-05-04T03:01:00Z", "os": "linux", "architecture": "amd64",
                    "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) ADD dir:abc in /"]}})},
            ],
        }
        signed, payload = sign_schema1(manifest)
        _, headers, _ = registry.request("PUT", f"/v2/{REPOSITORY}/manifests/{TAG}", data=signed,
                                         headers={"Content-Type": V1_SIGNED})
        pushed_digest = headers["Docker-Content-Digest"]
        # The registry names a signed schema 1 manifest by its payload, not by the bytes sent.
        assert pushed_digest == sha256(payload)
        assert pushed_digest != sha256(signed)

        # What the registry serves (signed again with its own key): the bytes the census measures.
        _, _, served = registry.request("GET", f"/v2/{REPOSITORY}/manifests/{TAG}", headers={"Accept": V1_SIGNED})
        images = root / "images.txt"
        images.write_text(f"{REPOSITORY}:{TAG}\n")
        run([BIN, "run", "--registry", registry.url, "--images", images, "--out", root / "results.h5",
             "--work", root / "work"])
        yield {"results": root / "results.h5", "digest": pushed_digest, "layer": layer_digest,
               "layer_size": len(layer), "manifest_bytes": len(served)}
    finally:
        registry.stop()


def test_signed_schema1_image_resolves(schema1_image):
    with open_results(schema1_image["results"]) as res:
        images = res.table("images")
        layers = res.table("layers")
        assert list(images["reference"]) == [f"{REPOSITORY}:{TAG}"]
        assert images["status"][0] == "ok", images["error"][0]
        assert images["error"][0] == ""
        assert images["media_type"][0] == V1_SIGNED
        assert images["manifest_digest"][0] == schema1_image["digest"]
        assert images["index_digest"][0] == ""
        assert images["created"][0] == CREATED_UNIX
        assert images["platform"][0] == "linux/amd64"
        # The throwaway entry (empty tar) is no layer: docs/registry-client.md, "Schema 1".
        assert images["layer_count"][0] == 1
        assert images["file_count"][0] == len(FILES)
        assert [layers["digest"][r] for r in res.image_layers(0)] == [schema1_image["layer"]]
        assert list(layers["digest"]) == [schema1_image["layer"]]
        assert layers["status"][0] == "ok", layers["error"][0]
        assert layers["file_count"][0] == len(FILES)
        assert layers["compressed_bytes"][0] == schema1_image["layer_size"]
        assert layers["dir_count"][0] == 5


def test_schema1_execution_environment_and_history(schema1_image):
    """The newest v1Compatibility speaks for the image; each entry is a history step (docs/execution-environment.md)."""
    import h5py
    with h5py.File(schema1_image["results"], "r") as f:
        images, image_layers = f["images"], f["image_layers"]
        text = {k: images[k][0].decode() for k in ["os", "architecture", "variant", "user", "exposed_ports",
                                                      "entrypoint", "cmd", "workdir", "docker_version", "author",
                                                      "config_media_type"]}
        assert text == {"os": "linux", "architecture": "amd64", "variant": "", "user": "nobody",
                        "exposed_ports": "22/tcp,8080/tcp", "entrypoint": "", "cmd": '["/usr/bin/hello"]',
                        "workdir": "/srv", "docker_version": "1.11.1", "author": "legacy <l@example.invalid>",
                        "config_media_type": ""}
        numbers = {k: int(images[k][0]) for k in ["runs_as_root", "env_count", "label_count", "history_count",
                                                  "empty_layer_count", "config_bytes", "manifest_bytes",
                                                  "history_mismatch"]}
        assert numbers == {"runs_as_root": 0, "env_count": 2, "label_count": 1, "history_count": 2,
                           "empty_layer_count": 1, "config_bytes": -1,
                           "manifest_bytes": schema1_image["manifest_bytes"], "history_mismatch": 0}
        # The throwaway CMD step is skipped: the one layer pairs with the ADD step.
        assert list(image_layers["created"][:]) == [CREATED_UNIX - 61]
        assert [v.decode() for v in image_layers["created_by"][:]] == ["/bin/sh -c #(nop) ADD dir:abc in /"]
        assert list(f["layers/history_created"][:]) == [CREATED_UNIX - 61]
        assert [v.decode() for v in f["tables/manifests_by_media_type/media_type"][:]] == [V1_SIGNED]
        assert len(f["tables/configs_by_media_type/count"]) == 0
