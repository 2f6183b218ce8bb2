"""Tests of analysis/ (results.py loader and figures.py) on a sample results file.

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
    "image_created", "layer_ref_count", "layer_files_dirs_cdf", "layer_max_depth",
    "compression_ratio_cdf", "dedup_copies",
]


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
