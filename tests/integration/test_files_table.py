"""`run --files`: /files holds every tar entry of every analysed layer exactly once with its exact fields, from a
hand-built tarball in a hand-built OCI layout; equal contents share a hash exactly when their bytes are equal."""
import hashlib
import io
import json
import tarfile

import h5py
import numpy as np

from census_checks import check_union_invariant
from conftest import mpirun
from results import open_results

# (name in the tar, type, data or link target, mode, uid, gid, mtime) in tar order.
ENTRIES = [
    ("./", tarfile.DIRTYPE, None, 0o755, 0, 0, 100),  # the root: no row
    ("etc/", tarfile.DIRTYPE, None, 0o750, 1, 2, 1000),
    ("etc/a.txt", tarfile.REGTYPE, b"Hello there, plain text\n", 0o644, 3, 4, 2000),
    ("etc/b.txt", tarfile.REGTYPE, b"Hello there, plain text\n", 0o600, 5, 6, 2001),
    ("etc/c.txt", tarfile.REGTYPE, b"Hello there, plain texT\n", 0o644, 0, 0, 2002),
    ("./usr/bin/tool", tarfile.REGTYPE, b"#!/bin/sh\necho tool\n", 0o4755, 0, 0, 3000),
    ("usr/bin/link", tarfile.SYMTYPE, "tool", 0o777, 0, 0, 3001),
    ("usr/bin/hard", tarfile.LNKTYPE, "usr/bin/tool", 0o755, 0, 0, 3002),
    ("var/.wh.old", tarfile.REGTYPE, b"", 0o644, 0, 0, 3003),
    ("opt/.wh..wh..opq", tarfile.REGTYPE, b"", 0o644, 0, 0, 3004),
    ("run/pipe", tarfile.FIFOTYPE, None, 0o644, 0, 0, 3005),
    ("empty", tarfile.REGTYPE, b"", 0o644, 0, 0, 3006),
]
KINDS = {tarfile.DIRTYPE: "dir", tarfile.REGTYPE: "file", tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink",
         tarfile.FIFOTYPE: "other"}


def build_tar() -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, data, mode, uid, gid, mtime in ENTRIES:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.uid, info.gid, info.mtime = kind, mode, uid, gid, mtime
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = data
            payload = data if kind == tarfile.REGTYPE else None
            info.size = len(payload) if payload is not None else 0
            tar.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return raw.getvalue()


def write_layout(root, layer: bytes):
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes) -> str:
        hexdigest = hashlib.sha256(data).hexdigest()
        (blobs / hexdigest).write_bytes(data)
        return "sha256:" + hexdigest

    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}},
                        ).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config), "digest": put(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": len(layer), "digest": put(layer)}],
    }).encode()
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(manifest),
                            "size": len(manifest),
                            "annotations": {"org.opencontainers.image.ref.name": "test/files:latest"}}]}
    (root / "index.json").write_text(json.dumps(index))
    (root / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))


def test_every_entry_once_with_exact_fields(tmp_path):
    layout = tmp_path / "layout"
    write_layout(layout, build_tar())
    (tmp_path / "images.txt").write_text("test/files:latest\n")
    out = tmp_path / "results.h5"
    mpirun(2, "run", "--layout", layout, "--images", tmp_path / "images.txt", "--out", out, "--work", tmp_path / "w",
           "--files")
    check_union_invariant(out)
    with open_results(out) as res:
        files = res.table("files")
        types = set(res.table("filetypes")["type"])
        images = res.table("images")
    want = ENTRIES[1:]
    assert len(files["path"]) == len(want)
    assert list(files["layer"]) == [0] * len(want)
    for row, (name, kind, data, mode, uid, gid, mtime) in enumerate(want):
        path = name.removeprefix("./").rstrip("/")
        marker = path.rsplit("/", 1)[-1]
        want_kind = ("opaque" if marker == ".wh..wh..opq" else "whiteout" if marker.startswith(".wh.")
                     else KINDS[kind])
        assert files["path"][row] == path
        assert files["kind"][row] == want_kind, path
        assert files["mode"][row] == mode and files["uid"][row] == uid and files["gid"][row] == gid, path
        assert files["mtime"][row] == mtime, path
        if want_kind == "file":
            assert files["size"][row] == len(data)
            assert files["type"][row] in types and files["type"][row] != ""
            assert len(files["content"][row]) == 32 and int(files["content"][row], 16) >= 0
        else:
            assert files["size"][row] == 0 and files["type"][row] == "" and files["content"][row] == ""
        assert files["link_target"][row] == (data if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""), path
    # Equal contents share a hash exactly when their bytes are equal.
    regular = [(row, e) for row, e in enumerate(want) if files["kind"][row] == "file"]
    for i, (row_a, a) in enumerate(regular):
        for row_b, b in regular[i + 1:]:
            assert (files["content"][row_a] == files["content"][row_b]) == (a[2] == b[2]), (a[0], b[0])
    # The one image's union view: a, b, c, tool, empty; a and b are copies.
    assert images["union_file_count"][0] == 5
    assert images["duplicate_file_count"][0] == 1
    assert images["duplicate_bytes"][0] == len(ENTRIES[2][2])
    assert images["union_dir_count"][0] == 6  # etc, usr, usr/bin, var, opt, run
    assert images["union_symlink_count"][0] == 1
    with h5py.File(out, "r") as f:
        for name in ("path", "content", "layer"):
            column = f["files"][name]
            assert "description" in column.attrs
            # Joined from one piece (one shard) beside the results file; the piece is chunked and compressed.
            (piece,) = column.virtual_sources()
            with h5py.File(out.parent / piece.file_name, "r") as p:
                stored = p[piece.dset_name]
                assert stored.compression == "gzip" and stored.chunks is not None
                assert len(stored) == len(column) == len(want)


def test_no_files_table_without_the_option(tmp_path):
    layout = tmp_path / "layout"
    write_layout(layout, build_tar())
    (tmp_path / "images.txt").write_text("test/files:latest\n")
    out = tmp_path / "results.h5"
    mpirun(1, "run", "--layout", layout, "--images", tmp_path / "images.txt", "--out", out, "--work", tmp_path / "w")
    with h5py.File(out, "r") as f:
        assert "files" not in f
        assert np.asarray(f["layers"]["manifest_ref_count"]).tolist() == [1]
