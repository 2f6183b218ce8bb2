"""Tests of analysis/ (results.py, figures.py, summary.py, compare.py) on a sample
results file and on the REAL results of a census of the test corpus (conftest's
registry and synth corpus, `regcensus run` under mpirun), whose headline numbers
are checked against the generator's ground truth.

Run with Debian's Python, which has h5py:
    /usr/bin/python3 -m pytest -q tests/integration/test_analysis.py
"""

import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ANALYSIS = os.path.join(ROOT, "analysis")
sys.path.insert(0, HERE)
sys.path.insert(0, ANALYSIS)

from make_sample_results import build_sample  # noqa: E402
from results import NotResultsFileError, open_results  # noqa: E402

PYTHON = "/usr/bin/python3"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXPECTED_FIGURES = [
    "layer_size_cdf", "file_size_histogram", "file_types_count", "file_types_bytes",
    "layers_per_image", "image_size_cdf", "files_per_image_cdf", "image_popularity_cdf",
    "image_created", "layer_ref_count", "layer_files_cdf", "layer_dirs_cdf", "layer_max_depth",
    "compression_ratio_cdf", "image_compression_ratio_cdf", "dedup_copies",
]
# Figures of optional data: drawn when the file has it, skipped with a message otherwise.
OPTIONAL_FIGURES = {
    "shared_file_fraction_cdf": "/images/shared_file_fraction absent",
    "layer_age_cdf": "/layers/mtime_max absent",
    "directory_depth": "/histograms/directory_depth absent",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "results.h5"
    expected = build_sample(path)
    return path, expected


def run_figures(*args):
    return subprocess.run([PYTHON, os.path.join(ANALYSIS, "figures.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def assert_columns_equal(got: dict, want: dict):
    assert sorted(got) == sorted(want)
    for name, values in want.items():
        if isinstance(values, np.ndarray) and values.dtype == np.int64:
            assert got[name].dtype == np.int64, name
            np.testing.assert_array_equal(got[name], values, err_msg=name)
        else:
            assert list(got[name]) == list(values), name
            assert all(isinstance(v, str) for v in got[name]), name


def test_figures_written_as_png(sample, tmp_path):
    path, _ = sample
    out = tmp_path / "figs"
    proc = run_figures(path, "--out", out, "--pdf")
    assert proc.returncode == 0, proc.stderr
    for name in EXPECTED_FIGURES:
        png = out / f"{name}.png"
        assert png.is_file(), f"{name}.png missing; stdout:\n{proc.stdout}"
        data = png.read_bytes()
        assert len(data) > 1000 and data[:8] == PNG_MAGIC, name
        assert (out / f"{name}.pdf").read_bytes()[:5] == b"%PDF-", name
        assert f"{name}.png" in proc.stdout
    # Skipped rows are reported: the sample has failed images and a truncated layer.
    assert "status != ok skipped" in proc.stdout
    assert "unknown (-1) skipped" in proc.stdout
    # The sample has none of the optional data: each such figure says why it is missing.
    for name, why in OPTIONAL_FIGURES.items():
        assert f"skipped {name}: {why}" in proc.stdout, proc.stdout
        assert not (out / f"{name}.png").exists()


def test_optional_figures_drawn_when_data_present(sample, tmp_path):
    """A file with /images/shared_file_fraction, /layers/mtime_max and the directory_depth
    histogram (newer writers) gets those figures too."""
    import shutil

    import h5py
    path = tmp_path / "newer.h5"
    shutil.copy(sample[0], path)
    with h5py.File(path, "r+") as f:
        n_images, n_layers = len(f["images/status"]), len(f["layers/status"])
        frac = f["images"].create_dataset("shared_file_fraction",
                                          data=np.linspace(0, 1, n_images).astype(np.float64))
        frac.attrs["description"] = "fraction of the image's files shared with another image"
        mtime = f["layers"].create_dataset("mtime_max",
                                           data=1_500_000_000 + 86400 * np.arange(n_layers, dtype=np.int64))
        mtime.attrs["description"] = "newest mtime of the layer's entries"
        depth = f.create_group("histograms/directory_depth")
        depth.create_dataset("lower", data=np.array([0, 1, 2, 4], dtype=np.int64))
        depth.create_dataset("counts", data=np.array([0, 5, 9, 3], dtype=np.int64))
    out = tmp_path / "figs"
    proc = run_figures(path, "--out", out)
    assert proc.returncode == 0, proc.stderr
    for name in OPTIONAL_FIGURES:
        assert (out / f"{name}.png").read_bytes()[:8] == PNG_MAGIC, proc.stdout


def test_figures_rejects_other_files(tmp_path):
    import h5py
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "something-else"
    proc = run_figures(other, "--out", tmp_path / "figs")
    assert proc.returncode != 0
    assert "not a regcensus results file" in proc.stderr
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    proc = run_figures(text, "--out", tmp_path / "figs")
    assert proc.returncode != 0 and "error" in proc.stderr
    proc = run_figures(tmp_path / "missing.h5", "--out", tmp_path / "figs")
    assert proc.returncode != 0 and "no such file" in proc.stderr


def test_loader_tables(sample):
    path, expected = sample
    with open_results(path) as res:
        assert res.attrs == expected["attrs"]
        images = res.table("images")
        want_images = {k: v for k, v in expected["images"].items()
                       if k not in ("layer_offsets", "layer_rows")}
        assert_columns_equal(images, want_images)
        assert_columns_equal(res.table("layers"), expected["layers"])
        assert_columns_equal(res.table("filetypes"), expected["filetypes"])
        # Non-ASCII and escaped strings survive the round trip.
        assert "tools/café" in set(images["repository"])
        assert "opt/data/bad\\xffname.bin" in set(res.dedup()["top"]["example_path"])


def test_loader_csr_histograms_dedup(sample):
    path, expected = sample
    with open_results(path) as res:
        offsets, rows = res.layer_index()
        np.testing.assert_array_equal(offsets, expected["images"]["layer_offsets"])
        np.testing.assert_array_equal(rows, expected["images"]["layer_rows"])
        layers = res.table("layers", columns=["digest", "compressed_bytes"])
        images = res.table("images", columns=["status", "compressed_bytes", "layer_count"])
        for i in range(len(images["status"])):
            mine = res.image_layers(i)
            np.testing.assert_array_equal(mine, rows[offsets[i]:offsets[i + 1]])
            if images["layer_count"][i] >= 0:
                assert len(mine) == images["layer_count"][i]
                assert layers["compressed_bytes"][mine].sum() == images["compressed_bytes"][i]
        for name, (lower, counts) in expected["histograms"].items():
            got_lower, got_counts = res.histogram(name)
            np.testing.assert_array_equal(got_lower, lower)
            np.testing.assert_array_equal(got_counts, counts)
            assert res.histogram_binning(name) == "pow2"
        d = res.dedup()
        for k, v in expected["dedup_attrs"].items():
            assert d[k] == v
        assert_columns_equal(d["copies"], expected["dedup_copies"])
        assert_columns_equal(d["top"], expected["dedup_top"])
        assert res.units("layers/compressed_bytes") == "bytes"
        assert res.description("images/reference")


def test_loader_rejects_other_files(tmp_path):
    import h5py
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "something-else"
    with pytest.raises(NotResultsFileError):
        open_results(other)


def test_sample_follows_contract(sample):
    """The fixture itself: every dataset int64 or UTF-8 string, described, sizes in bytes."""
    import h5py
    path, _ = sample
    with h5py.File(path, "r") as f:
        for key in ("format", "format_version", "tool_version", "created_utc", "command_line",
                    "mpi_ranks", "image_count", "layer_count"):
            assert key in f.attrs
        for key in ("images", "layers", "filetypes", "dedup/copies", "dedup/top"):
            assert key in f
        for key in ("file_count", "file_bytes", "unique_file_count", "unique_bytes"):
            assert key in f["dedup"].attrs
        for name in ("file_size", "layer_compressed_bytes", "layer_uncompressed_bytes",
                     "layer_file_count", "layer_dir_count", "layer_max_depth",
                     "image_compressed_bytes", "image_uncompressed_bytes", "image_layer_count",
                     "image_file_count", "layer_ref_count", "dedup_copies"):
            assert f"histograms/{name}/lower" in f and f"histograms/{name}/counts" in f

        def check(name, obj):
            if isinstance(obj, h5py.Dataset):
                assert obj.attrs.get("description"), name
                sdt = h5py.check_string_dtype(obj.dtype)
                if sdt is not None:
                    assert sdt.encoding == "utf-8" and sdt.length is None, name
                else:
                    assert obj.dtype == np.int64, name
                if name.split("/")[-1] in ("compressed_bytes", "uncompressed_bytes",
                                           "file_bytes", "unique_bytes", "size"):
                    assert obj.attrs.get("units") == "bytes", name
        f.visititems(check)
        assert len(f["images/layer_offsets"]) == f.attrs["image_count"] + 1


# -- the real census of the test corpus ------------------------------------------

def nearest_rank(values, p):
    """The test's own nearest-rank percentile: smallest v with at least p% of values <= v."""
    values = sorted(values)
    if not values:
        return None
    k = max(-(-p * len(values) // 100), 1)  # ceil(p*n/100) in integers
    return values[k - 1]


def efficiencies(images):
    return sorted(1.0 - im["wasted_bytes"] / im["file_bytes"] if im["file_bytes"] > 0 else 1.0 for im in images)


def expected_headline(truth):
    """summary.py's numbers, computed from the synth generator's ground truth."""
    from census_checks import expected_ref_counts
    images = [im for im in truth["images"] if im["status"] == "ok"]
    layers = [truth["layers"][d] for d in sorted(truth["layers"])]
    refs = expected_ref_counts(truth)

    def dist(values):
        return {"n": len(values), "p50": nearest_rank(values, 50), "p90": nearest_rank(values, 90)}

    def known(values):
        return [v for v in values if v >= 0]

    copies = [int(k) for k, n in truth["dedup"]["copies"].items() for _ in range(n)]
    sizes = truth["histograms"]["file_size"]
    file_sizes = [0 if k == 0 else 1 << (k - 1) for k, n in enumerate(sizes) for _ in range(n)]
    dists = {
        "image_compressed_bytes": dist([im["compressed_bytes"] for im in images]),
        "image_uncompressed_bytes": dist([im["uncompressed_bytes"] for im in images]),
        "image_pull_count": dist(known([im["pull_count"] for im in images])),
        "image_layer_count": dist([im["layer_count"] for im in images]),
        "layer_ref_count": dist([refs[d] for d in sorted(truth["layers"])]),
        "image_file_count": dist([im["file_count"] for im in images]),
        "image_compression_ratio": dist([im["uncompressed_bytes"] / im["compressed_bytes"] for im in images
                                         if im["compressed_bytes"] > 0]),
        "layer_compressed_bytes": dist([l["compressed_bytes"] for l in layers]),
        "layer_uncompressed_bytes": dist([l["uncompressed_bytes"] for l in layers]),
        "layer_file_count": dist([l["file_count"] for l in layers]),
        "layer_dir_count": dist([l["dir_count"] for l in layers]),
        "layer_max_depth": dist([l["max_depth"] for l in layers]),
        "content_copies": dist(copies),
        "file_size": dist(file_sizes),
        "layer_compression_ratio": dist([l["uncompressed_bytes"] / l["compressed_bytes"] for l in layers
                                         if l["compressed_bytes"] > 0]),
        # The union view (format version 2).
        "image_union_file_count": dist([im["union_file_count"] for im in images]),
        "image_union_file_bytes": dist([im["union_file_bytes"] for im in images]),
        "image_wasted_bytes": dist([im["wasted_bytes"] for im in images]),
        "image_efficiency": dist(efficiencies(images)),
    }
    d = {k: truth["dedup"][k] for k in ("file_count", "file_bytes", "unique_file_count", "unique_bytes")}
    d["ratio_by_count"] = d["file_count"] / d["unique_file_count"]
    d["ratio_by_bytes"] = d["file_bytes"] / d["unique_bytes"]
    comp = sum(l["compressed_bytes"] for l in layers)
    unc = sum(l["uncompressed_bytes"] for l in layers)
    order = list(truth["filetypes"].items())
    top = {}
    for column in ("file_count", "file_bytes"):
        total = sum(row[column] for _, row in order)
        ranked = sorted((row for row in order if row[1][column] > 0), key=lambda r: -r[1][column])
        top[column] = [(name, row[column], row[column] / total) for name, row in ranked[:5]]
    return {
        "images": {"listed": len(truth["images"]), "ok": len(images)},
        "layers": {"distinct": len(layers), "ok": len(layers), "compressed_bytes": comp, "uncompressed_bytes": unc,
                   "compression_ratio": unc / comp},
        "distributions": dists,
        "dedup": d,
        "top_types": top,
    }


def check_headline(got, truth, filetype_order):
    """The headline object (summary.py --json or regcensus report --json) against the ground truth."""
    want = expected_headline(truth)
    assert got["images"] == want["images"]
    assert got["layers"] == want["layers"]
    for name, d in want["distributions"].items():
        assert got["distributions"][name] == d, (name, got["distributions"][name], d)
    # Optional columns appear exactly when the results file has them.
    optional = set(got["distributions"]) - set(want["distributions"])
    assert optional <= {"image_shared_file_fraction", "layer_mtime_max", "layer_history_age_days",
                        "layer_mtime_age_days"}, optional
    assert got["dedup"] == want["dedup"]
    eff = efficiencies([im for im in truth["images"] if im["status"] == "ok"])
    assert got["union"] == {"images": len(eff), "share_below_0.9": sum(e < 0.9 for e in eff) / len(eff),
                            "share_below_0.95": sum(e < 0.95 for e in eff) / len(eff)}
    # Ties in the ranking keep the order of /filetypes rows, so compare amounts and the
    # set of names per amount, and the order exactly where amounts differ.
    for key, column in (("by_count", "file_count"), ("by_bytes", "file_bytes")):
        rows = [(r["type"], r[column], r["share"]) for r in got["file_types"][key]]
        assert [r[1:] for r in rows] == [r[1:] for r in want["top_types"][column]], key
        tie_free = sorted(rows, key=lambda r: (-r[1], filetype_order.index(r[0])))
        assert rows == tie_free, key
        assert {r[0] for r in rows if r[1] > rows[-1][1]} == \
            {r[0] for r in want["top_types"][column] if r[1] > rows[-1][1]}, key


@pytest.fixture(scope="module")
def census(registry, corpus, tmp_path_factory):
    """The test corpus's real results: `mpirun -np 2 regcensus run`."""
    from conftest import mpirun
    work = tmp_path_factory.mktemp("analysis-census")
    mpirun(2, "run", "--registry", registry.url, "--images", corpus["images"], "--out", work / "results.h5",
           "--work", work / "work")
    return work / "results.h5"


def run_script(name, *args):
    proc = subprocess.run([PYTHON, os.path.join(ANALYSIS, name), *map(str, args)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def filetype_order(path):
    with open_results(path) as res:
        return list(res.table("filetypes")["type"])


def test_figures_of_real_census(census, tmp_path):
    out = tmp_path / "figs"
    stdout = run_script("figures.py", census, "--out", out, "--pdf")
    for name in EXPECTED_FIGURES:
        assert (out / f"{name}.png").read_bytes()[:8] == PNG_MAGIC, stdout
        assert (out / f"{name}.pdf").read_bytes()[:5] == b"%PDF-", stdout
    for name, why in OPTIONAL_FIGURES.items():
        assert (out / f"{name}.png").exists() or f"skipped {name}: {why}" in stdout, stdout


def test_summary_of_real_census(census, corpus):
    import json
    got = json.loads(run_script("summary.py", census, "--json"))
    check_headline(got, corpus["truth"], filetype_order(census))
    # The Markdown table shows the same numbers.
    text = run_script("summary.py", census)
    want = expected_headline(corpus["truth"])
    for name in ("image_layer_count", "layer_file_count", "layer_dir_count", "image_file_count"):
        d = want["distributions"][name]
        assert f"| {d['n']:,} | {d['p50']:,} | {d['p90']:,} |" in text, (name, text)
    d = want["dedup"]
    assert f"| regular files | {d['file_count']:,} |" in text
    assert f"| dedup ratio by count (files / contents) | {d['ratio_by_count']:.4g} |" in text
    assert f"| dedup ratio by bytes | {d['ratio_by_bytes']:.4g} |" in text


def test_compare_of_real_census(census, sample, corpus):
    text = run_script("compare.py", census, sample[0], "--names", "corpus", "sample")
    want = expected_headline(corpus["truth"])
    n_images = want["images"]["listed"]
    assert f"| images listed | {n_images:,} | 8 | {8 / n_images:.3g}× |" in text, text
    p50 = want["distributions"]["layer_file_count"]["p50"]
    assert f"| files per layer, median | {p50:,} |" in text, text
    # A census beside itself: every ratio is 1.
    text = run_script("compare.py", census, census)
    ratios = [line.rsplit("|", 2)[1].strip() for line in text.splitlines()[4:]]
    assert ratios and all(r in ("1×", "–") for r in ratios), text
