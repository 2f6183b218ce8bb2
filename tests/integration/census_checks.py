"""Shared checks: results.h5 against the synth generator's ground truth."""
import h5py
import numpy as np

from results import open_results

LAYER_FIELDS = ["media_type", "compression", "compressed_bytes", "uncompressed_bytes", "file_count", "file_bytes",
                "dir_count", "max_depth", "symlink_count", "hardlink_count", "other_count", "whiteout_count",
                "opaque_count"]
IMAGE_FIELDS = ["reference", "repository", "tag", "status", "manifest_digest", "index_digest", "media_type",
                "platform", "created", "pull_count", "star_count", "layer_count", "compressed_bytes",
                "uncompressed_bytes", "file_count", "file_bytes"]
RUN_SPECIFIC_ATTRS = {"created_utc", "command_line", "mpi_ranks"}


def pow2_counts(values):
    """Power-of-two binning of the contract: bin 0 = 0, bin k = [2^(k-1), 2^k)."""
    counts = []
    for v in values:
        if v < 0:
            continue
        b = 0 if v == 0 else int(v).bit_length()
        counts.extend([0] * (b + 1 - len(counts)))
        counts[b] += 1
    return counts


def pow2_weighted(pairs):
    counts = []
    for v, n in pairs:
        b = 0 if v == 0 else int(v).bit_length()
        counts.extend([0] * (b + 1 - len(counts)))
        counts[b] += n
    return counts


def linear_counts(values):
    counts = [0] * (max(values) + 1 if values else 0)
    for v in values:
        counts[v] += 1
    return counts


def expected_ref_counts(truth):
    refs = {}
    for image in truth["images"]:
        for digest in set(image.get("layers", [])):
            refs[digest] = refs.get(digest, 0) + 1
    return refs


def check_images(res, truth, skip_layers=()):
    images = res.table("images")
    layers = res.table("layers")
    assert len(images["reference"]) == len(truth["images"])
    for i, want in enumerate(truth["images"]):
        got_layers = [layers["digest"][r] for r in res.image_layers(i)]
        if any(d in skip_layers for d in want.get("layers", [])):
            assert images["status"][i] == "layer_failed", (i, images["status"][i])
            assert got_layers == want["layers"]
            continue
        for field in IMAGE_FIELDS:
            if field in want:
                assert images[field][i] == want[field], (want["reference"], field, images[field][i], want[field])
        if want["status"] == "ok":
            assert images["error"][i] == ""
            assert got_layers == want["layers"]
        else:
            assert images["error"][i] != ""
            assert got_layers == []


def check_layers(res, truth, skip_layers=()):
    layers = res.table("layers")
    assert list(layers["digest"]) == sorted(truth["layers"]), "distinct layers, sorted by digest"
    refs = expected_ref_counts(truth)
    for row, digest in enumerate(layers["digest"]):
        assert layers["ref_count"][row] == refs[digest]
        if digest in skip_layers:
            continue
        want = truth["layers"][digest]
        assert layers["status"][row] == "ok", (digest, layers["status"][row], layers["error"][row])
        assert layers["error"][row] == ""
        for field in LAYER_FIELDS:
            assert layers[field][row] == want[field], (digest, field, layers[field][row], want[field])


def check_dedup_and_types(res, truth):
    dedup = res.dedup()
    want = truth["dedup"]
    for key in ["file_count", "file_bytes", "unique_file_count", "unique_bytes"]:
        assert dedup[key] == want[key], (key, dedup[key], want[key])
    got_copies = dict(zip(dedup["copies"]["copies"].tolist(), dedup["copies"]["contents"].tolist()))
    assert got_copies == {int(k): v for k, v in want["copies"].items()}
    top = dedup["top"]
    assert len(top["hash"]) == len(want["top"])
    for i, row in enumerate(want["top"]):
        for key in ["hash", "size", "copies", "layers", "type", "example_path"]:
            assert top[key][i] == row[key], (i, key, top[key][i], row[key])
    types = res.table("filetypes")
    by_name = {name: i for i, name in enumerate(types["type"])}
    for name, row in want_types(truth).items():
        i = by_name[name]
        for key in ["file_count", "file_bytes", "unique_file_count", "unique_bytes"]:
            assert types[key][i] == row[key], (name, key, types[key][i], row[key])
    for name, i in by_name.items():
        if name not in truth["filetypes"]:
            assert types["file_count"][i] == 0, name


def want_types(truth):
    return truth["filetypes"]


def check_histograms(res, truth):
    layers = [truth["layers"][d] for d in sorted(truth["layers"])]
    images = [im for im in truth["images"] if im["status"] == "ok"]
    refs = expected_ref_counts(truth)
    expected = {
        "file_size": truth["histograms"]["file_size"],
        "layer_compressed_bytes": pow2_counts([l["compressed_bytes"] for l in layers]),
        "layer_uncompressed_bytes": pow2_counts([l["uncompressed_bytes"] for l in layers]),
        "layer_file_count": pow2_counts([l["file_count"] for l in layers]),
        "layer_dir_count": pow2_counts([l["dir_count"] for l in layers]),
        "layer_max_depth": linear_counts([l["max_depth"] for l in layers]),
        "layer_ref_count": pow2_counts([refs[d] for d in sorted(truth["layers"])]),
        "image_compressed_bytes": pow2_counts([im["compressed_bytes"] for im in images]),
        "image_uncompressed_bytes": pow2_counts([im["uncompressed_bytes"] for im in images]),
        "image_layer_count": pow2_counts([im["layer_count"] for im in images]),
        "image_file_count": pow2_counts([im["file_count"] for im in images]),
        "dedup_copies": pow2_weighted([(int(k), v) for k, v in truth["dedup"]["copies"].items()]),
    }
    for name, counts in expected.items():
        lower, got = res.histogram(name)
        assert got.tolist() == counts, (name, got.tolist(), counts)
        assert len(lower) == len(got)


def check_contract_names(path):
    """Every name of the contract exists, and every dataset has a description."""
    with h5py.File(path, "r") as f:
        for attr in ["format", "format_version", "tool_version", "created_utc", "command_line", "mpi_ranks",
                     "image_count", "layer_count"]:
            assert attr in f.attrs, attr
        assert f.attrs["format"] == "regcensus-results"
        for name in IMAGE_FIELDS + ["error", "layer_offsets", "layer_rows"]:
            assert "images/" + name in f, name
        for name in LAYER_FIELDS + ["digest", "status", "error", "ref_count"]:
            assert "layers/" + name in f, name
        for name in ["copies/copies", "copies/contents", "top/hash", "top/size", "top/copies", "top/layers",
                     "top/type", "top/example_path"]:
            assert "dedup/" + name in f, name
        for attr in ["file_count", "file_bytes", "unique_file_count", "unique_bytes"]:
            assert attr in f["dedup"].attrs
        for name in ["file_size", "layer_compressed_bytes", "layer_uncompressed_bytes", "layer_file_count",
                     "layer_dir_count", "layer_max_depth", "image_compressed_bytes", "image_uncompressed_bytes",
                     "image_layer_count", "image_file_count", "layer_ref_count", "dedup_copies"]:
            assert "histograms/" + name + "/lower" in f and "histograms/" + name + "/counts" in f, name
        for name in ["type", "file_count", "file_bytes", "unique_file_count", "unique_bytes"]:
            assert "filetypes/" + name in f, name

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                assert "description" in obj.attrs, name
                if obj.dtype.kind == "i":
                    assert obj.dtype == np.int64, name
        f.visititems(visit)


def datasets(path):
    """Every dataset's values and the root attributes that do not depend on how the run was launched."""
    check_union_invariant(path)
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()].tolist()
                if obj.dtype.kind == "f":  # NaN (efficiency of a failed row) must compare equal to itself
                    out[name] = [None if isinstance(v, float) and v != v else v for v in out[name]]
        f.visititems(visit)
        out["@attrs"] = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in f.attrs.items()
                         if k not in RUN_SPECIFIC_ATTRS}
    return out


UNION_FIELDS = ["union_file_count", "union_file_bytes", "union_dir_count", "union_max_depth", "union_symlink_count",
                "overwritten_file_count", "overwritten_bytes", "deleted_file_count", "deleted_bytes",
                "duplicate_file_count", "duplicate_bytes", "wasted_bytes"]


def check_union_invariant(path):
    """Format version 2 on every results file: file_count = union + overwritten + deleted (and bytes), wasted
    and efficiency as defined, -1 / NaN on rows that are not ok."""
    with h5py.File(path, "r") as f:
        assert f.attrs["format_version"] == 2
        im = {k: f["images"][k][()] for k in UNION_FIELDS + ["status", "file_count", "file_bytes", "efficiency"]}
    ok = np.array([s in (b"ok", "ok") for s in im["status"]], dtype=bool)
    assert (im["file_count"][ok] == im["union_file_count"][ok] + im["overwritten_file_count"][ok]
            + im["deleted_file_count"][ok]).all()
    assert (im["file_bytes"][ok] == im["union_file_bytes"][ok] + im["overwritten_bytes"][ok]
            + im["deleted_bytes"][ok]).all()
    assert (im["wasted_bytes"][ok] == im["overwritten_bytes"][ok] + im["deleted_bytes"][ok]
            + im["duplicate_bytes"][ok]).all()
    for name in UNION_FIELDS:
        assert (im[name][ok] >= 0).all(), name
        assert (im[name][~ok] == -1).all(), name
    fb = im["file_bytes"][ok].astype(float)
    want = np.where(fb > 0, 1.0 - im["wasted_bytes"][ok] / np.where(fb > 0, fb, 1.0), 1.0)
    assert np.allclose(im["efficiency"][ok], want, rtol=0, atol=1e-12)
    assert np.isnan(im["efficiency"][~ok]).all()


def check_union(res, truth):
    """The union columns of /images and the sharing columns of /layers equal the generator's replay."""
    images = res.table("images")
    for i, want in enumerate(truth["images"]):
        for name in UNION_FIELDS:
            assert images[name][i] == want[name], (i, want["reference"], name, images[name][i], want[name])
    layers = res.table("layers")
    for row, digest in enumerate(layers["digest"]):
        want = truth["layers"][digest]
        assert layers["manifest_ref_count"][row] == want["manifest_ref_count"], digest
        assert layers["repository_count"][row] == want["repository_count"], digest


def check_all(path, truth):
    check_contract_names(path)
    check_union_invariant(path)
    with open_results(path) as res:
        check_union(res, truth)
        check_images(res, truth)
        check_layers(res, truth)
        check_dedup_and_types(res, truth)
        check_histograms(res, truth)
