"""The union view on real Debian packages in a real registry: a perl base layer, a layer of python3.11 plus every
change the contract names (overwrite with other and with the same bytes, directory -> file, file -> directory,
whiteouts of a file and of a directory, an opaque directory re-populated, copies), and a third layer on top;
pushed with `regcensus push`, censused from the registry under mpirun -np 2. Every /images union column and the
/layers sharing columns must equal the replay below, written from the contract (results-format.md, "Format version
2") and reading back the very layer blobs pushed, without any project code."""
import gzip
import hashlib
import io
import json
import tarfile

import h5py
import pytest

from census_checks import UNION_FIELDS, check_union_invariant
from conftest import BIN, SOURCE, mpirun, run

PERL_DIR = "usr/share/perl/5.36.0"


@pytest.fixture(scope="module")
def package_trees():
    paths = run(["bash", SOURCE / "tests/libmagic/build-package-trees.sh"]).stdout.split()
    return {"python": next(p for p in paths if p.endswith("python3.11.tar")),
            "perl": next(p for p in paths if p.endswith("debian-perl.tar"))}


def members_of(tar_path):
    """(TarInfo, bytes or None) of every member, in tar order."""
    out = []
    with tarfile.open(tar_path) as tar:
        for info in tar:
            data = tar.extractfile(info).read() if info.isreg() else None
            out.append((info, data))
    return out


def file_entry(name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, 1700000000
    return info, data


def dir_entry(name):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1700000000
    return info, None


def symlink_entry(name, target):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mtime = tarfile.SYMTYPE, target, 1700000000
    return info, None


def marker(name):
    return file_entry(name, b"")


def gzip_layer(entries):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    raw = raw.getvalue()
    return gzip.compress(raw, compresslevel=1, mtime=0), "sha256:" + hashlib.sha256(raw).hexdigest()


class Layout:
    def __init__(self, root):
        self.root = root
        (root / "blobs/sha256").mkdir(parents=True)
        self.index = []

    def blob(self, data):
        digest = hashlib.sha256(data).hexdigest()
        (self.root / "blobs/sha256" / digest).write_bytes(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    def manifest(self, layers):
        """layers: [(gzip blob descriptor, diff_id)] -> manifest descriptor."""
        config = {"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                  "rootfs": {"type": "layers", "diff_ids": [diff for _, diff in layers]}, "config": {}}
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": dict(mediaType="application/vnd.oci.image.config.v1+json",
                                   **self.blob(json.dumps(config).encode())),
                    "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **blob)
                               for blob, _ in layers]}
        return dict(mediaType=manifest["mediaType"], **self.blob(json.dumps(manifest).encode()))

    def tag(self, reference, descriptor):
        self.index.append(dict(descriptor, annotations={"org.opencontainers.image.ref.name": reference}))

    def close(self):
        (self.root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
        (self.root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": self.index}))


def change_entries(perl, python):
    """The python3.11 tree, then one entry (or marker) per case of the contract, on top of the perl tree."""
    perl_files = {info.name[2:]: data for info, data in perl if info.isreg()}
    python_files = [(info.name[2:], data) for info, data in python if info.isreg() and info.size > 1000]
    other, copied = python_files[0][1], python_files[1][1]
    assert perl_files[f"{PERL_DIR}/AnyDBM_File.pm"] != other
    return python + [
        file_entry(f"./{PERL_DIR}/AnyDBM_File.pm", other),                                  # other bytes
        file_entry(f"./{PERL_DIR}/Benchmark.pm", perl_files[f"{PERL_DIR}/Benchmark.pm"], 0o600),  # same bytes
        file_entry(f"./{PERL_DIR}/Archive", b"a file where a directory was\n"),            # dir -> file
        dir_entry(f"./{PERL_DIR}/AutoLoader.pm"),                                           # file -> dir
        file_entry(f"./{PERL_DIR}/AutoLoader.pm/inside.pm", b"1;\n"),
        marker(f"./{PERL_DIR}/.wh.AutoSplit.pm"),                                           # whiteout of a file
        marker(f"./{PERL_DIR}/.wh.CPAN"),                                                   # whiteout of a directory
        marker(f"./{PERL_DIR}/App/.wh..wh..opq"),                                           # opaque, re-populated
        file_entry(f"./{PERL_DIR}/App/Cpan.pm", perl_files[f"{PERL_DIR}/App/Cpan.pm"]),
        file_entry(f"./{PERL_DIR}/App/New.pm", b"package App::New; 1;\n"),
        file_entry("./opt/copies/a.bin", copied),                                          # copies in one image
        file_entry("./opt/copies/deeper/b.bin", copied),
    ]


def top_entries():
    """A third layer: a python directory whited out, a file turned into a symlink, one file added twice."""
    return [
        marker("./usr/lib/python3.11/.wh.email"),
        symlink_entry("./usr/bin/cpan", "perl"),
        file_entry("./opt/top.txt", b"top\n"),
        file_entry("./opt/top.txt", b"top again\n"),   # the same path twice in one layer: the first is overwritten
    ]


# --- the independent replay (contract, "Format version 2") -------------------------------------------------------

def normalise(name):
    while name.startswith("./") or name.startswith("/"):
        name = name[2:] if name.startswith("./") else name[1:]
    return name.rstrip("/")


def read_layer(blob):
    """(path, kind, size, sha256) of every entry of a pushed gzip layer, root excluded, in tar order."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob))) as tar:
        for info in tar:
            path = normalise(info.name)
            if path in ("", "."):
                continue
            base = path.rsplit("/", 1)[-1]
            if base == ".wh..wh..opq":
                kind = "opaque"
            elif base.startswith(".wh.") and not info.isdir():
                kind = "whiteout"
            elif info.isreg():
                kind = "file"
            elif info.isdir():
                kind = "dir"
            elif info.issym():
                kind = "symlink"
            elif info.islnk():
                kind = "hardlink"
            else:
                kind = "other"
            digest = hashlib.sha256(tar.extractfile(info).read()).hexdigest() if kind == "file" else None
            out.append((path, kind, info.size if kind == "file" else 0, digest))
    return out


def replay(layers):
    view = {}  # path -> (kind, size, digest)
    figures = dict(file_count=0, file_bytes=0, overwritten_file_count=0, overwritten_bytes=0,
                   deleted_file_count=0, deleted_bytes=0)

    def remove_tree(path, why):
        doomed = [p for p in view if p == path or p.startswith(path + "/")] if path else list(view)
        for p in doomed:
            kind, size, _ = view.pop(p)
            if kind == "file":
                figures[why + "_file_count"] += 1
                figures[why + "_bytes"] += size

    for entries in layers:
        for path, kind, size, _ in entries:
            if kind == "file":
                figures["file_count"] += 1
                figures["file_bytes"] += size
        for path, kind, _, _ in entries:   # step 1: markers act on the view below
            directory, _, name = path.rpartition("/")
            if kind == "opaque":
                for p in [p for p in view if not directory or p.startswith(directory + "/")]:
                    remove_tree(p, "deleted")
            elif kind == "whiteout" and len(name) > 4:
                remove_tree((directory + "/" if directory else "") + name[4:], "deleted")
        for path, kind, size, digest in entries:   # step 2: entries in tar order
            parts = path.split("/")
            for depth in range(1, len(parts)):
                prefix = "/".join(parts[:depth])
                if prefix in view and view[prefix][0] != "dir":
                    remove_tree(prefix, "overwritten")
                view.setdefault(prefix, ("dir", 0, None))
            if kind in ("whiteout", "opaque"):
                continue
            if path in view and not (view[path][0] == "dir" and kind == "dir"):
                remove_tree(path, "overwritten")
            view.setdefault(path, (kind, size, digest))

    files = [(size, digest) for kind, size, digest in view.values() if kind == "file"]
    dirs = [p for p, (kind, _, _) in view.items() if kind == "dir"]
    distinct = dict((digest, size) for size, digest in files)
    figures.update(
        union_file_count=len(files), union_file_bytes=sum(size for size, _ in files), union_dir_count=len(dirs),
        union_max_depth=max((d.count("/") + 1 for d in dirs), default=0),
        union_symlink_count=sum(1 for kind, _, _ in view.values() if kind == "symlink"),
        duplicate_file_count=len(files) - len(distinct),
        duplicate_bytes=sum(size for size, _ in files) - sum(distinct.values()))
    figures["wasted_bytes"] = figures["overwritten_bytes"] + figures["deleted_bytes"] + figures["duplicate_bytes"]
    figures["efficiency"] = 1.0 - figures["wasted_bytes"] / figures["file_bytes"] if figures["file_bytes"] else 1.0
    return figures


# --- the census ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def census(package_trees, registry, tmp_path_factory):
    work = tmp_path_factory.mktemp("union-real")
    perl, python = members_of(package_trees["perl"]), members_of(package_trees["python"])
    layout = Layout(work / "layout")
    blobs = {}
    for name, entries in (("perl", perl), ("change", change_entries(perl, python)), ("top", top_entries())):
        gz, diff_id = gzip_layer(entries)
        blobs[name] = (layout.blob(gz), diff_id, gz)
    chains = {"perl-python": ["perl", "change"], "perl": ["perl"], "mirror": ["perl", "change", "top"]}
    manifests = {name: layout.manifest([blobs[layer][:2] for layer in chain]) for name, chain in chains.items()}
    images = [("real/perl-python:3.11", "perl-python"), ("real/perl-python:latest", "perl-python"),
              ("real/perl:5.36", "perl"), ("mirror/perl-python:3.11-top", "mirror")]
    for reference, name in images:
        layout.tag(reference, manifests[name])
    layout.close()
    run([BIN, "push", "--layout", layout.root, "--registry", registry.url])
    (work / "images.txt").write_text("".join(f"{reference}\t-1\t-1\n" for reference, _ in images))
    mpirun(2, "run", "--registry", registry.url, "--images", work / "images.txt", "--out", work / "results.h5",
           "--work", work / "work")

    entries = {name: read_layer(gz) for name, (_, _, gz) in blobs.items()}
    truth = []
    for reference, name in images:
        figures = replay([entries[layer] for layer in chains[name]])
        truth.append(dict(figures, reference=reference, repository=reference.split(":")[0],
                          manifest=manifests[name]["digest"],
                          layers=[blobs[layer][0]["digest"] for layer in chains[name]]))
    return {"results": work / "results.h5", "truth": truth, "entries": entries}


def test_every_union_column_equals_the_replay(census):
    check_union_invariant(census["results"])
    with h5py.File(census["results"], "r") as f:
        images = {k: f["images"][k][()] for k in UNION_FIELDS + ["reference", "status", "efficiency",
                                                                 "file_count", "file_bytes"]}
    for i, want in enumerate(census["truth"]):
        assert images["reference"][i].decode() == want["reference"]
        assert images["status"][i].decode() == "ok", want["reference"]
        for name in UNION_FIELDS + ["file_count", "file_bytes"]:
            assert images[name][i] == want[name], (want["reference"], name, images[name][i], want[name])
        assert images["efficiency"][i] == pytest.approx(want["efficiency"], rel=0, abs=1e-12)


def test_sharing_by_distinct_manifest(census):
    with h5py.File(census["results"], "r") as f:
        layers = {k: f["layers"][k][()] for k in ("digest", "ref_count", "manifest_ref_count", "repository_count")}
    assert len(layers["digest"]) == 3
    for row, digest in enumerate(layers["digest"]):
        rows = [im for im in census["truth"] if digest.decode() in im["layers"]]
        assert layers["ref_count"][row] == len(rows)
        assert layers["manifest_ref_count"][row] == len({im["manifest"] for im in rows})
        assert layers["repository_count"][row] == len({im["repository"] for im in rows})


def test_the_images_exercise_every_case(census):
    """The replay is not trivial: each case of the contract changes the figures of the images built on it."""
    perl_only, both, tag2, top = census["truth"][2], census["truth"][0], census["truth"][1], census["truth"][3]
    assert both["manifest"] == tag2["manifest"] and both["layers"] == tag2["layers"]
    assert perl_only["overwritten_file_count"] == 0 and perl_only["deleted_file_count"] == 0
    assert perl_only["union_file_count"] == perl_only["file_count"] > 1000
    # other bytes, same bytes, Archive/* (dir -> file), AutoLoader.pm (file -> dir), App/Cpan.pm is re-added after
    # the opaque marker removed it (deleted, not overwritten)
    assert both["overwritten_file_count"] >= 2 + 3 + 1
    assert both["deleted_file_count"] > 1 + 20  # AutoSplit.pm, CPAN/*, App/*
    assert both["duplicate_file_count"] > 0
    assert top["deleted_file_count"] > both["deleted_file_count"]
    assert top["overwritten_file_count"] == both["overwritten_file_count"] + 2  # usr/bin/cpan, the first top.txt
    assert top["union_symlink_count"] == both["union_symlink_count"] + 1
    change = census["entries"]["change"]
    kinds = {kind for _, kind, _, _ in change}
    assert {"file", "dir", "whiteout", "opaque"} <= kinds
    assert any(kind == "hardlink" for _, kind, _, _ in census["entries"]["perl"])
