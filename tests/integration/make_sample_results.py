"""Build a small, contract-conforming regcensus results file with h5py.

Usage:
    /usr/bin/python3 tests/integration/make_sample_results.py OUT.h5 [--images N] [--seed S]

Without --images the file is a fixed, hand-checked sample of 8 images that
covers the awkward cases (failed images, a truncated layer with unknown
values, an image listing the same empty layer twice, missing popularity and
creation time, non-ASCII and escaped paths). With --images N it adds N random
images on top, so that figures can be looked at with realistic-looking
distributions.

The file follows docs/results-file.md (format version 1): every name of the
contract, int64 integers, variable-length UTF-8 strings, a `description` on
every dataset and `units = "bytes"` on sizes. All derived values (image sums,
ref_count, the CSR index, /dedup, /filetypes, /histograms) are computed from
one synthetic file population, so the file is internally consistent.

As a library: build_sample(path, extra_images=0, seed=1) writes the file and
returns the exact values written ({"attrs", "images", "layers", ...}), which
tests compare against what the loader reads back.
"""

from __future__ import annotations

import argparse
import hashlib

import h5py
import numpy as np

FILE_TYPES = [
    "empty",
    "elf/executable", "elf/shared-object", "elf/relocatable", "elf/core", "elf/other",
    "code/shell", "code/python", "code/perl", "code/ruby", "code/javascript", "code/typescript", "code/php",
    "code/c", "code/go", "code/java", "code/rust", "code/lua", "code/tcl", "code/awk", "code/make", "code/m4",
    "code/other",
    "archive/gzip", "archive/zip", "archive/xz", "archive/bzip2", "archive/zstd", "archive/tar", "archive/deb",
    "archive/rpm", "archive/other",
    "image/png", "image/jpeg", "image/gif", "image/svg", "image/ico", "image/other",
    "document/text", "document/html-xml", "document/json", "document/pdf", "document/markdown", "document/pgp",
    "document/other",
    "bytecode/python", "bytecode/java", "bytecode/other",
    "database/sqlite", "database/berkeley", "database/other",
    "font",
    "data",
]
# Relative frequency of the non-empty types in the synthetic population.
TYPE_WEIGHTS = {
    "elf/shared-object": 8, "elf/executable": 4, "elf/relocatable": 1,
    "code/shell": 3, "code/python": 6, "code/perl": 2, "code/other": 1,
    "archive/gzip": 2, "archive/zip": 1, "image/png": 3, "image/svg": 1,
    "document/text": 20, "document/html-xml": 4, "document/json": 3,
    "code/javascript": 2, "bytecode/python": 10, "bytecode/java": 1,
    "font": 1, "data": 8,
}
LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
BYTES = "bytes"


def sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def pow2_histogram(values) -> tuple[np.ndarray, np.ndarray]:
    """Power-of-two histogram: bin 0 holds 0, bin k holds [2^(k-1), 2^k).

    Negative (unknown) values are not counted; counts stop at the last
    non-empty bin, as the C++ Pow2Histogram does.
    """
    v = np.asarray(values, dtype=np.int64)
    v = v[v >= 0]
    if v.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # frexp gives v = m * 2^e with m in [0.5, 1): e is the bit length, exact below 2^53.
    bins = np.frexp(v.astype(np.float64))[1].astype(np.int64)
    counts = np.bincount(bins).astype(np.int64)
    lower = np.array([0] + [1 << (k - 1) for k in range(1, len(counts))], dtype=np.int64)
    return lower, counts


# -- the synthetic population ----------------------------------------------

class Population:
    """Contents, layers (with their files) and images, before any derivation."""

    def __init__(self, rng: np.random.Generator, n_contents: int):
        self.rng = rng
        names = [t for t in TYPE_WEIGHTS]
        weights = np.array([TYPE_WEIGHTS[t] for t in names], dtype=float)
        sizes = np.round(rng.lognormal(mean=8.0, sigma=2.5, size=n_contents)).astype(np.int64)
        sizes[rng.random(n_contents) < 0.04] = 0
        types = np.array(names, dtype=object)[rng.choice(len(names), n_contents, p=weights / weights.sum())]
        types[sizes == 0] = "empty"
        self.content_size = sizes
        self.content_type = types
        self.content_hash = np.array([sha256(f"content-{i}")[7:] for i in range(n_contents)], dtype=object)
        # Zipf-like popularity so that some contents are copied many times.
        pop = 1.0 / np.arange(1, n_contents + 1) ** 1.1
        self.content_p = pop / pop.sum()
        self.layers: list[dict] = []
        self.images: list[dict] = []

    def new_layer(self, name: str, n_files: int, compression: str = "gzip", status: str = "ok",
                  error: str = "") -> int:
        """Add a layer of n_files files drawn from the content pool; returns its index."""
        rng = self.rng
        contents = rng.choice(len(self.content_size), n_files, p=self.content_p) if n_files else np.zeros(0, int)
        sizes = self.content_size[contents]
        depth = int(rng.integers(1, 9)) if n_files else 0
        dirs = int(depth + rng.integers(0, max(1, n_files // 3) + 1)) if n_files else 0
        symlinks = int(rng.integers(0, n_files // 4 + 1)) if n_files else 0
        # A tar stream: a 512-byte header per entry, data padded to 512, two end blocks.
        entries = n_files + dirs + symlinks
        uncompressed = int(512 * entries + np.sum((sizes + 511) // 512 * 512) + 1024)
        ratio = {"gzip": rng.uniform(1.5, 5.0), "zstd": rng.uniform(2.0, 6.0), "none": 1.0}[compression]
        compressed = max(32, int(uncompressed / ratio))
        media = {"gzip": LAYER_MEDIA_TYPE, "zstd": OCI_LAYER_ZSTD, "none": OCI_LAYER_TAR}[compression]
        layer = dict(
            digest=sha256(f"layer-{name}"), media_type=media, compression=compression,
            status=status, error=error, compressed_bytes=compressed,
            uncompressed_bytes=uncompressed, file_count=n_files, file_bytes=int(sizes.sum()),
            dir_count=dirs, max_depth=depth, symlink_count=symlinks,
            hardlink_count=int(rng.integers(0, 3)) if n_files > 5 else 0,
            other_count=0,
            whiteout_count=int(rng.integers(0, 3)) if n_files > 10 else 0,
            opaque_count=int(rng.integers(0, 2)) if n_files > 10 else 0,
            files=contents,
        )
        if status != "ok":
            # What a failed layer looks like: the blob size is known, the content is not.
            for key in ("uncompressed_bytes", "file_count", "file_bytes", "dir_count", "max_depth",
                        "symlink_count", "hardlink_count", "other_count", "whiteout_count",
                        "opaque_count"):
                layer[key] = -1
            layer["files"] = np.zeros(0, int)
        self.layers.append(layer)
        return len(self.layers) - 1

    def new_image(self, repository: str, tag: str, layers: list[int], status: str = "ok",
                  error: str = "", pull_count: int = -1, star_count: int = -1, created: int = -1,
                  platform: str = "linux/amd64", index: bool = False, media_type: str = MANIFEST_V2):
        known = status not in ("manifest_unknown", "unauthorized", "rate_limited")
        self.images.append(dict(
            reference=f"{repository}:{tag}" if not tag.startswith("@") else f"{repository}{tag}",
            repository=repository, tag=tag, status=status, error=error,
            manifest_digest=sha256(f"manifest-{repository}-{tag}") if known else "",
            index_digest=sha256(f"index-{repository}-{tag}") if known and index else "",
            media_type=media_type if known else "", platform=platform if known else "",
            created=created if known else -1, pull_count=pull_count, star_count=star_count,
            layer_list=list(layers) if known else [], known=known,
        ))


def fixed_population(pop: Population) -> None:
    """The hand-written part: 8 images, 10 layer digests, every awkward case."""
    base_a = pop.new_layer("debian-base", 40)
    base_b = pop.new_layer("alpine-base", 12, compression="zstd")
    empty = pop.new_layer("empty", 0)
    py = pop.new_layer("python-runtime", 60)
    app1 = pop.new_layer("app1", 8)
    app2 = pop.new_layer("app2", 5, compression="none")
    app3 = pop.new_layer("app3", 20)
    tools = pop.new_layer("tools", 15)
    broken = pop.new_layer("broken", 30, status="truncated", error="blob ended after 1048576 bytes")
    extra = pop.new_layer("extra", 3)
    pop.new_image("library/debian", "latest", [base_a], pull_count=1_000_000_000, star_count=5000,
                  created=1_496_000_000, index=True)
    pop.new_image("library/python", "3.11", [base_a, py, empty], pull_count=500_000_000,
                  star_count=9000, created=1_690_000_000, index=True, platform="linux/arm64/v8")
    pop.new_image("someone/app", "latest", [base_a, py, app1, empty, empty], pull_count=12,
                  star_count=0, created=1_700_000_000)
    pop.new_image("someone/app2", "v1", [base_b, app2], created=-1, media_type=OCI_MANIFEST)
    pop.new_image("someone/gone", "latest", [], status="manifest_unknown",
                  error="manifest unknown: tag latest not found")
    pop.new_image("someone/broken", "latest", [base_b, broken], status="layer_failed",
                  error=f"layer {sha256('layer-broken')}: truncated", created=1_600_000_000)
    pop.new_image("private/thing", "latest", [], status="unauthorized", error="401 Unauthorized")
    pop.new_image("tools/café", "@" + sha256("pinned"), [base_b, tools, app3, extra],
                  pull_count=3, star_count=1, created=1_650_000_000)


def random_population(pop: Population, n_images: int) -> None:
    """n_images random images on a few shared base chains."""
    rng = pop.rng
    bases = []
    for b in range(max(3, n_images // 40)):
        chain = [pop.new_layer(f"rbase-{b}-{k}", int(rng.lognormal(4.5, 1.2)))
                 for k in range(int(rng.integers(1, 4)))]
        bases.append(chain)
    base_p = 1.0 / np.arange(1, len(bases) + 1)
    base_p /= base_p.sum()
    for i in range(n_images):
        chain = bases[int(rng.choice(len(bases), p=base_p))]
        own = []
        for k in range(int(rng.integers(1, 12))):
            if pop.layers and rng.random() < 0.05:  # now and then reuse any layer
                own.append(int(rng.integers(0, len(pop.layers))))
            else:
                comp = "zstd" if rng.random() < 0.1 else "gzip"
                own.append(pop.new_layer(f"r{i}-{k}", int(rng.lognormal(3.0, 1.8)), compression=comp))
        status = "ok"
        if rng.random() < 0.03:
            status = "manifest_unknown"
        pop.new_image(f"user{i % 97}/img{i}", "latest", chain + own, status=status,
                      pull_count=int(rng.lognormal(4, 3)) if rng.random() < 0.9 else -1,
                      star_count=int(rng.lognormal(0.5, 1.5)) if rng.random() < 0.9 else -1,
                      created=int(rng.uniform(1.40e9, 1.72e9)))


# -- derivation --------------------------------------------------------------

def derive(pop: Population, top_n: int = 1000) -> dict:
    """Every table, attribute and histogram of the contract, as numpy arrays."""
    order = sorted(range(len(pop.layers)), key=lambda i: pop.layers[i]["digest"])
    row_of = {idx: row for row, idx in enumerate(order)}
    layers_sorted = [pop.layers[i] for i in order]
    # Distinct digests only: new_layer is never called twice with one name.
    assert len({l["digest"] for l in layers_sorted}) == len(layers_sorted)

    layer_cols = ["digest", "media_type", "compression", "status", "error", "compressed_bytes",
                  "uncompressed_bytes", "file_count", "file_bytes", "dir_count", "max_depth",
                  "symlink_count", "hardlink_count", "other_count", "whiteout_count",
                  "opaque_count"]
    layers = {c: [l[c] for l in layers_sorted] for c in layer_cols}
    ref_count = np.zeros(len(order), np.int64)

    images = {c: [] for c in ["reference", "repository", "tag", "status", "error",
                              "manifest_digest", "index_digest", "media_type", "platform",
                              "layer_count", "compressed_bytes", "uncompressed_bytes",
                              "file_count", "file_bytes", "created", "pull_count", "star_count"]}
    offsets, rows = [0], []
    for img in pop.images:
        for c in ("reference", "repository", "tag", "status", "error", "manifest_digest",
                  "index_digest", "media_type", "platform", "created", "pull_count", "star_count"):
            images[c].append(img[c])
        lrows = [row_of[i] for i in img["layer_list"]]
        rows.extend(lrows)
        offsets.append(len(rows))
        for r in set(lrows):
            ref_count[r] += 1
        if not img["known"]:
            for c in ("layer_count", "compressed_bytes", "uncompressed_bytes", "file_count", "file_bytes"):
                images[c].append(-1)
            continue
        images["layer_count"].append(len(lrows))
        images["compressed_bytes"].append(sum(layers["compressed_bytes"][r] for r in lrows))
        for c in ("uncompressed_bytes", "file_count", "file_bytes"):
            vals = [layers[c][r] for r in lrows]
            images[c].append(-1 if any(v < 0 for v in vals) else sum(vals))
    layers["ref_count"] = ref_count

    # File-level statistics over the distinct layers that could be read.
    ok_layers = [l for l in layers_sorted if l["status"] == "ok"]
    occurrences = np.concatenate([l["files"] for l in ok_layers]) if ok_layers else np.zeros(0, int)
    occurrences = occurrences.astype(np.int64)
    n_contents = len(pop.content_size)
    copies = np.bincount(occurrences, minlength=n_contents)
    holders = np.zeros(n_contents, np.int64)
    for l in ok_layers:
        holders[np.unique(l["files"]).astype(np.int64)] += 1
    present = np.nonzero(copies)[0]
    sizes = pop.content_size
    file_sizes = sizes[occurrences]

    copy_values, copy_contents = np.unique(copies[present], return_counts=True)
    waste = (copies - 1) * sizes
    candidates = [i for i in present if waste[i] > 0]
    candidates.sort(key=lambda i: (-waste[i], pop.content_hash[i]))
    candidates = candidates[:top_n]
    example_paths = {}
    for n, i in enumerate(candidates):
        t = pop.content_type[i]
        # A few paths exercise the string rules: non-ASCII, and a bad byte written as \xNN.
        special = {0: "usr/share/doc/café/README", 1: "opt/data/bad\\xffname.bin"}
        example_paths[i] = special.get(n, f"usr/lib/{t.replace('/', '-')}/file{i}")
    top = {
        "hash": [pop.content_hash[i] for i in candidates],
        "size": [int(sizes[i]) for i in candidates],
        "copies": [int(copies[i]) for i in candidates],
        "layers": [int(holders[i]) for i in candidates],
        "type": [pop.content_type[i] for i in candidates],
        "example_path": [example_paths[i] for i in candidates],
    }

    occ_types = pop.content_type[occurrences]
    uniq_types = pop.content_type[present]
    filetypes = {"type": list(FILE_TYPES), "file_count": [], "file_bytes": [],
                 "unique_file_count": [], "unique_bytes": []}
    for t in FILE_TYPES:
        filetypes["file_count"].append(int(np.sum(occ_types == t)))
        filetypes["file_bytes"].append(int(file_sizes[occ_types == t].sum()))
        filetypes["unique_file_count"].append(int(np.sum(uniq_types == t)))
        filetypes["unique_bytes"].append(int(sizes[present][uniq_types == t].sum()))

    dedup_attrs = dict(file_count=int(len(occurrences)), file_bytes=int(file_sizes.sum()),
                       unique_file_count=int(len(present)), unique_bytes=int(sizes[present].sum()))

    as64 = lambda d: {k: (np.asarray(v, dtype=np.int64) if k not in STRING_COLUMNS else v)
                      for k, v in d.items()}
    images = as64(images)
    images["layer_offsets"] = np.asarray(offsets, np.int64)
    images["layer_rows"] = np.asarray(rows, np.int64)
    layers = as64(layers)
    ok_img = np.array([s == "ok" for s in images["status"]], dtype=bool)
    ok_lay = np.array([s == "ok" for s in layers["status"]], dtype=bool)
    histograms = {
        "file_size": pow2_histogram(file_sizes),
        "layer_compressed_bytes": pow2_histogram(layers["compressed_bytes"]),
        "layer_uncompressed_bytes": pow2_histogram(layers["uncompressed_bytes"][ok_lay]),
        "layer_file_count": pow2_histogram(layers["file_count"][ok_lay]),
        "layer_dir_count": pow2_histogram(layers["dir_count"][ok_lay]),
        "layer_max_depth": pow2_histogram(layers["max_depth"][ok_lay]),
        "image_compressed_bytes": pow2_histogram(images["compressed_bytes"][ok_img]),
        "image_uncompressed_bytes": pow2_histogram(images["uncompressed_bytes"][ok_img]),
        "image_layer_count": pow2_histogram(images["layer_count"][ok_img]),
        "image_file_count": pow2_histogram(images["file_count"][ok_img]),
        "layer_ref_count": pow2_histogram(layers["ref_count"]),
        "dedup_copies": pow2_histogram(copies[present]),
    }
    return dict(
        images=images, layers=layers, filetypes=as64(filetypes), dedup_attrs=dedup_attrs,
        dedup_copies={"copies": np.asarray(copy_values, np.int64),
                      "contents": np.asarray(copy_contents, np.int64)},
        dedup_top=as64(top), histograms=histograms,
    )


STRING_COLUMNS = {"reference", "repository", "tag", "status", "error", "manifest_digest",
                  "index_digest", "media_type", "platform", "digest", "compression", "type",
                  "hash", "example_path"}

DESCRIPTIONS = {
    "reference": "The image reference as given in the image list.",
    "repository": "Full repository path, e.g. library/debian.",
    "tag": "The tag (or @digest) that was resolved.",
    "status": "ok, or a short error kind.",
    "error": "A human-readable error message; empty when status is ok.",
    "manifest_digest": "Digest of the image manifest analysed.",
    "index_digest": "Digest of the index or manifest list the tag named; empty otherwise.",
    "media_type": "Media type as given by the registry.",
    "platform": "os/architecture[/variant] of the image analysed.",
    "layer_count": "Number of layer descriptors in the manifest.",
    "compressed_bytes": "Compressed size.",
    "uncompressed_bytes": "Uncompressed size (length of the tar stream).",
    "file_count": "Number of regular files.",
    "file_bytes": "Sum of the sizes of the regular files.",
    "created": "Config created time as Unix seconds, -1 if absent.",
    "pull_count": "Pull count from the image list, -1 if absent.",
    "star_count": "Star count from the image list, -1 if absent.",
    "layer_offsets": "CSR offsets: the layers of image i are layer_rows[layer_offsets[i]:layer_offsets[i+1]].",
    "layer_rows": "CSR values: rows of /layers, base layer first.",
    "digest": "Layer digest, sha256:<hex>.",
    "compression": "gzip, zstd or none, detected from the blob's magic bytes.",
    "dir_count": "Distinct directory paths, root excluded.",
    "max_depth": "Largest number of path components of any directory.",
    "symlink_count": "Symbolic-link entries.",
    "hardlink_count": "Hard-link entries.",
    "other_count": "Character and block devices, FIFOs.",
    "whiteout_count": "Whiteout entries, opaque marker excluded.",
    "opaque_count": "Opaque whiteout markers.",
    "ref_count": "Number of images whose manifest lists this layer.",
    "type": "File-type category.",
    "unique_file_count": "Number of distinct contents.",
    "unique_bytes": "Sum of the sizes of the distinct contents.",
    "hash": "Hash of the content.",
    "size": "Size of the content.",
    "copies": "Number of copies.",
    "contents": "Number of distinct contents that occur exactly this many times.",
    "layers": "Number of distinct layers holding the content.",
    "example_path": "One path at which the content occurs.",
    "lower": "Inclusive lower bin edges.",
    "counts": "Number of values in each bin.",
}
SIZE_COLUMNS = {"compressed_bytes", "uncompressed_bytes", "file_bytes", "unique_bytes", "size"}
BYTE_HISTOGRAMS = {"file_size", "layer_compressed_bytes", "layer_uncompressed_bytes",
                   "image_compressed_bytes", "image_uncompressed_bytes"}


def write_column(group: h5py.Group, name: str, values, units: str | None = None) -> None:
    if name in STRING_COLUMNS:
        data = np.array(list(values), dtype=h5py.string_dtype(encoding="utf-8"))
        ds = group.create_dataset(name, data=data, dtype=h5py.string_dtype(encoding="utf-8"))
    else:
        ds = group.create_dataset(name, data=np.asarray(values, dtype=np.int64), dtype=np.int64)
    ds.attrs["description"] = DESCRIPTIONS[name]
    if units or name in SIZE_COLUMNS:
        ds.attrs["units"] = units or BYTES


def write_table(group: h5py.Group, table: dict) -> None:
    for name, values in table.items():
        write_column(group, name, values)


def build_sample(path, extra_images: int = 0, seed: int = 1) -> dict:
    """Write the sample results file to `path`; return the values written."""
    rng = np.random.default_rng(seed)
    pop = Population(rng, n_contents=400 + 40 * extra_images)
    fixed_population(pop)
    if extra_images:
        random_population(pop, extra_images)
    d = derive(pop)
    attrs = {
        "format": "regcensus-results", "format_version": np.int64(1),
        "tool_version": "sample-0.1", "created_utc": "2024-01-01T00:00:00Z",
        "command_line": "make_sample_results.py", "mpi_ranks": np.int64(1),
        "image_count": np.int64(len(pop.images)), "layer_count": np.int64(len(pop.layers)),
    }
    with h5py.File(path, "w") as f:
        for k, v in attrs.items():
            f.attrs[k] = v
        for name in ("images", "layers", "filetypes"):
            g = f.create_group(name)
            g.attrs["description"] = f"The /{name} table."
            write_table(g, d[name])
        dd = f.create_group("dedup")
        dd.attrs["description"] = "File-level duplication over the distinct layers."
        for k, v in d["dedup_attrs"].items():
            dd.attrs[k] = np.int64(v)
        write_table(dd.create_group("copies"), d["dedup_copies"])
        write_table(dd.create_group("top"), d["dedup_top"])
        hg = f.create_group("histograms")
        for name, (lower, counts) in d["histograms"].items():
            g = hg.create_group(name)
            g.attrs["description"] = f"Power-of-two histogram of {name.replace('_', ' ')}."
            g.attrs["binning"] = "pow2"
            write_column(g, "lower", lower, units=BYTES if name in BYTE_HISTOGRAMS else None)
            write_column(g, "counts", counts)
    d["attrs"] = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in attrs.items()}
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="path of the results file to write")
    parser.add_argument("--images", type=int, default=0, help="random images to add (default 0)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    d = build_sample(args.out, extra_images=args.images, seed=args.seed)
    print(f"wrote {args.out}: {d['attrs']['image_count']} images, {d['attrs']['layer_count']} layers, "
          f"{d['dedup_attrs']['file_count']} files")


if __name__ == "__main__":
    main()
