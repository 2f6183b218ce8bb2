"""Indexes that try the image walk's rules (resolve/image_walk.hpp), served by a
HostileServer: shared by the census's tests (test_trust_policy.py) and fetch's
(test_fetch_walk.py), since both walk a reference the same way."""
import json

from hostile_server import OCI_INDEX, image_config, image_manifest, sha256_digest, tar_gz_layer

MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def index_of(entries):
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()


def serve_identical_entries(server):
    """lib/multi:1, an index naming one linux/arm64 image 5,000 times.
    Returns the image's manifest digest, its config and its layer."""
    layer = tar_gz_layer({"bin/tool": b"tool\n"})
    config = image_config([sha256_digest(layer)], platform=("linux", "arm64"))
    child = image_manifest(config, [layer])
    child_digest = server.manifest("lib/multi", sha256_digest(child), child)
    server.blob("lib/multi", sha256_digest(config), config)
    server.blob("lib/multi", sha256_digest(layer), layer)
    entry = {"mediaType": MANIFEST, "digest": child_digest, "size": len(child),
             "platform": {"os": "linux", "architecture": "arm64"}}
    server.manifest("lib/multi", "1", index_of([entry] * 5000), media_type=OCI_INDEX)
    return child_digest, config, layer


def serve_capped_indexes(server):
    """lib/many:1, an index of 1,001 distinct entries (one digest under 1,001
    platform variants), one over the cap; lib/few:1, three of those entries.
    Returns the image's manifest digest and its config."""
    config = image_config([])
    child = image_manifest(config, [])
    child_digest = sha256_digest(child)
    server.manifest("lib/many", child_digest, child)
    server.blob("lib/few", sha256_digest(config), config)
    entries = [{"mediaType": MANIFEST, "digest": child_digest, "size": len(child),
                "platform": {"os": "linux", "architecture": "amd64", "variant": f"v{i}"}} for i in range(1001)]
    server.manifest("lib/many", "1", index_of(entries), media_type=OCI_INDEX)
    server.manifest("lib/few", "1", index_of(entries[:3]), media_type=OCI_INDEX)
    server.manifest("lib/few", child_digest, child)
    return child_digest, config
