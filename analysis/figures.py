"""Draw the figures of the study from a regcensus results file.

Usage:
    /usr/bin/python3 analysis/figures.py RESULTS.h5 --out DIR [--pdf]

Writes one PNG per figure into DIR (and a PDF next to it with --pdf) and
prints one line per figure written. Per-row figures use only rows whose
status is "ok" and skip values of -1 (unknown); each line says how many rows
were left out. Exits with status 2 if RESULTS is not a regcensus results
file, 1 if a figure could not be drawn because its data is missing.

Figures (section of the study draft's results in brackets):
    image_created              images by config creation year          [4.1.1]
    image_size_cdf             compressed/uncompressed image size      [4.1.2]
    image_popularity_cdf       pull count per image                    [4.1.3]
    layers_per_image           layer descriptors per image             [4.1.4]
    layer_ref_count            images per layer (layer sharing)        [4.1.5]
    files_per_image_cdf        regular files per image                 [4.1.6]
    shared_file_fraction_cdf   fraction of an image's files shared     [4.1.7]
                               (/images/shared_file_fraction; skipped
                               with a message where the file has none)
    image_compression_ratio_cdf  uncompressed/compressed per image     [4.1.8]
    layer_size_cdf             compressed/uncompressed layer size      [4.2.1]
    layer_files_cdf            regular files per layer                 [4.2.2]
    layer_dirs_cdf             directories per layer                   [4.2.3]
    layer_max_depth            deepest directory per layer             [4.2.4]
    directory_depth            depth of every directory                [4.2.4]
    dedup_copies               distinct contents by copy count         [4.1.7, 4.2.5]
    file_size_histogram        size of every regular file              [4.2.6]
    file_types_count           file-type families by file count (--kinds: categories)  [4.2.7]
    file_types_bytes           file-type families by bytes (--kinds: categories)       [4.2.7]
    compression_ratio_cdf      uncompressed/compressed per layer       [4.2.8]
    layer_age_cdf              age of the newest file of each layer    [4.2.9]
                               (/layers/mtime_max; skipped where absent)
    and those of analysis/figures_extras.py (dataset tables, directory size,
    dedup by type, build instructions, files per image from the union view);
    --growth-log FILE also draws `growth` from a crawl's growth log (the
    results file may then be left out).
"""

from __future__ import annotations

import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import NotResultsFileError, family_table, open_results  # noqa: E402

TOP_TYPES = 15  # categories shown in the file-type bar charts


class Skip(Exception):
    """A figure has nothing to show (e.g. every value unknown)."""


# -- small helpers -----------------------------------------------------------

def _n(x: int) -> str:
    """1234567 -> '1,234,567' (titles are read by people)."""
    return f"{int(x):,}"


def _si_bytes(value: float, _pos=None) -> str:
    """Tick label for a byte axis: 1000 -> '1 kB' (decimal units, as on a log10 axis)."""
    if value <= 0:
        return "0"
    for unit in ("B", "kB", "MB", "GB", "TB", "PB", "EB"):
        if abs(value) < 1000:
            return f"{value:.3g} {unit}"
        value /= 1000
    return f"{value:.3g} ZB"


def _iec_bytes(value: int) -> str:
    """Label for a power-of-two bin edge: 1024 -> '1 KiB'."""
    if value == 0:
        return "0"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024:
            return f"{value:.4g} {unit}"
        value /= 1024
    return f"{value:.4g} ZiB"


def _spans_decades(values: np.ndarray, decades: float = 2.0) -> bool:
    """True if the positive values cover at least `decades` orders of magnitude."""
    pos = values[values > 0]
    return pos.size > 0 and np.log10(pos.max() / pos.min()) >= decades


def _scale_x(ax, values: np.ndarray, x_axis: str) -> None:
    """Give a distribution figure the x axis that suits its values.

    x_axis is one of
      "auto":     log if the values span two decades, symlog when zeros must stay visible;
      "bytes":    as "auto", with tick labels in kB, MB, ...;
      "ratio":    log only if the values span 1.5 decades;
      "fraction": linear from 0 to 1.
    """
    if x_axis == "fraction":
        ax.set_xlim(0, 1)
    elif x_axis == "ratio":
        if _spans_decades(values, 1.5):
            ax.set_xscale("log")
    elif x_axis in ("auto", "bytes"):
        if _spans_decades(values):
            if np.any(values == 0):
                ax.set_xscale("symlog", linthresh=1)
                ax.set_xlim(left=0)
            else:
                ax.set_xscale("log")
        if x_axis == "bytes":
            ax.xaxis.set_major_formatter(FuncFormatter(_si_bytes))
    else:
        raise ValueError(f"unknown x_axis {x_axis!r}")


def _known(values: np.ndarray, what: str, log: list[str]) -> np.ndarray:
    """Drop -1 (unknown) values, noting in `log` how many were dropped."""
    unknown = int(np.sum(values < 0))
    if unknown:
        log.append(f"{_n(unknown)} {what} unknown (-1) skipped")
    return values[values >= 0]


def _ok_rows(table: dict, what: str, log: list[str]) -> np.ndarray:
    """Mask of rows with status "ok", noting how many others were left out."""
    ok = table["status"] == "ok"
    if np.any(~ok):
        log.append(f"{_n(np.sum(~ok))} {what} with status != ok skipped")
    return ok


def _cdf(ax, values: np.ndarray, label: str | None = None) -> None:
    """Empirical CDF as a step line: fraction of values <= x."""
    x = np.sort(values)
    y = np.arange(1, len(x) + 1) / len(x)
    ax.step(x, y, where="post", label=label)


def _cdf_figure(curves: list[tuple[np.ndarray, str | None]], x_axis: str, xlabel: str,
                rows: str, title: str):
    """A CDF figure: one step line per (values, label) curve, on shared axes.

    Every CDF figure of the study is drawn here so that they all look alike
    (y from 0 to 1, grid, legend bottom right). The x axis is scaled over the
    values of all curves together (see _scale_x for x_axis); `rows` names what
    the y axis counts ("images", "layers"). A legend is drawn if any curve has
    a label.
    """
    fig, ax = _new_figure()
    for values, label in curves:
        _cdf(ax, values, label)
    _scale_x(ax, np.concatenate([values for values, _ in curves]), x_axis)
    ax.set_xlabel(xlabel)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel(f"fraction of {rows} (CDF)")
    ax.grid(True, which="major", alpha=0.3)
    if any(label for _, label in curves):
        ax.legend(loc="lower right")
    ax.set_title(title)
    return fig


def _finish_bars(ax, counts: np.ndarray, ylabel: str, title: str) -> None:
    """The count axis, grid and title every vertical bar chart shares (log counts if they span decades)."""
    if _spans_decades(counts.astype(float)):
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_title(title)


def _integer_bars_figure(values: np.ndarray, xlabel: str, ylabel: str, title: str):
    """Bars of how many rows have each integer value (values are small ints)."""
    fig, ax = _new_figure()
    vals, counts = np.unique(values, return_counts=True)
    ax.bar(vals, counts, width=0.8)
    ax.set_xlabel(xlabel)
    _finish_bars(ax, counts, ylabel, title)
    return fig


def _save(fig, out_dir: str, name: str, pdf: bool) -> list[str]:
    fig.tight_layout()
    paths = [os.path.join(out_dir, name + ".png")]
    fig.savefig(paths[0], dpi=150)
    if pdf:
        paths.append(os.path.join(out_dir, name + ".pdf"))
        fig.savefig(paths[1])
    plt.close(fig)
    return paths


def _new_figure(width: float = 7.0, height: float = 4.5):
    return plt.subplots(figsize=(width, height))


def _require(values: np.ndarray, what: str) -> None:
    if values.size == 0:
        raise Skip(f"no known {what}")


def _require_optional_column(res, table: str, column: str) -> None:
    """Skip the figure if the file lacks `column`: older writers did not write every column."""
    if column not in res.columns(table):
        raise Skip(f"/{table}/{column} absent (an older results file)")


def _ok_known_column(res, log, table: str, column: str, what: str) -> np.ndarray:
    """`column` of `table` over the rows with status ok whose value is known.

    The rows left out are noted in `log`; Skip if no value is left.
    """
    t = res.table(table, columns=["status", column])
    ok = _ok_rows(t, table, log)
    values = _known(t[column][ok], what, log)
    _require(values, what)
    return values


def _ok_known_sizes(res, log, table: str, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Compressed and uncompressed sizes of the rows of `table` with status ok.

    Unknown sizes are dropped from each separately (noted in `log`); Skip if no
    compressed size is known.
    """
    t = res.table(table, columns=["status", "compressed_bytes", "uncompressed_bytes"])
    ok = _ok_rows(t, table, log)
    comp = _known(t["compressed_bytes"][ok], "compressed sizes", log)
    unc = _known(t["uncompressed_bytes"][ok], "uncompressed sizes", log)
    _require(comp, what)
    return comp, unc


def _size_curves(comp: np.ndarray, unc: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """The curves of a size CDF: compressed, and uncompressed where any is known."""
    curves = [(comp, f"compressed (median {_si_bytes(np.median(comp))})")]
    if unc.size:
        curves.append((unc, f"uncompressed (median {_si_bytes(np.median(unc))})"))
    return curves


def _compression_ratios(t: dict, ok: np.ndarray, rows: str, log: list[str]):
    """Uncompressed / compressed size of the ok rows of table `t` whose sizes allow it.

    A row needs a compressed size > 0 and a known uncompressed size; the others
    are noted in `log`. Returns the ratios and the mask (over the ok rows) of
    the rows they belong to. Skip if no ratio is left.
    """
    comp, unc = t["compressed_bytes"][ok], t["uncompressed_bytes"][ok]
    valid = (comp > 0) & (unc >= 0)
    if np.any(~valid):
        log.append(f"{_n(np.sum(~valid))} {rows} with unknown or zero size skipped")
    ratio = unc[valid] / comp[valid]
    _require(ratio, "compression ratios")
    return ratio, valid


# -- figures -----------------------------------------------------------------
# Each takes the open Results and a list to append log notes to, and returns a
# matplotlib figure; main() saves it under the function's figure name.

def layer_size_cdf(res, log):
    """Compressed and uncompressed size of every distinct layer that was read."""
    comp, unc = _ok_known_sizes(res, log, "layers", "layer sizes")
    return _cdf_figure(_size_curves(comp, unc), "bytes", "layer size (bytes)", "layers",
                       f"Layer size CDF: {_n(comp.size)} distinct layers")


def image_size_cdf(res, log):
    """Image size: sum of its layers, compressed (as pulled) and uncompressed."""
    comp, unc = _ok_known_sizes(res, log, "images", "image sizes")
    return _cdf_figure(_size_curves(comp, unc), "bytes", "image size (bytes, sum of its layers)", "images",
                       f"Image size CDF: {_n(comp.size)} images")


def layers_per_image(res, log):
    """How many layer descriptors each successfully analysed image lists."""
    counts = _ok_known_column(res, log, "images", "layer_count", "layer counts")
    return _integer_bars_figure(
        counts, "layers per image (layer descriptors in the manifest)", "number of images",
        f"Layers per image: {_n(counts.size)} images, median {np.median(counts):g}, max {counts.max()}")


def files_per_image_cdf(res, log):
    """Regular files per image, summed over its layers (shadowed files included)."""
    files = _ok_known_column(res, log, "images", "file_count", "file counts")
    return _cdf_figure([(files, None)], "auto", "regular files per image (sum over its layers)", "images",
                       f"Files per image CDF: {_n(files.size)} images, median {_n(np.median(files))}")


def image_popularity_cdf(res, log):
    """Pull count of the images, as carried over from the image list."""
    # No status filter: the pull count comes from the image list, so images that
    # could not be analysed have one too.
    t = res.table("images", columns=["pull_count"])
    pulls = _known(t["pull_count"], "pull counts", log)
    _require(pulls, "pull counts")
    return _cdf_figure([(pulls, None)], "auto", "pull count (from the image list)", "images",
                       f"Image popularity CDF: {_n(pulls.size)} images with a pull count")


def image_created(res, log):
    """Images by the year their config says they were created."""
    created = _ok_known_column(res, log, "images", "created", "creation times")
    # Unix seconds -> calendar year (UTC) without a Python loop over millions of rows.
    years = created.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    return _integer_bars_figure(years, "year the image was created (config `created`, UTC)", "number of images",
                                f"Images by creation year: {_n(created.size)} images")


def layer_ref_count(res, log):
    """Images per layer: how widely layers are shared (ref_count)."""
    t = res.table("layers", columns=["ref_count"])
    refs = _known(t["ref_count"], "ref counts", log)
    _require(refs, "ref counts")
    fig, ax = _new_figure()
    vals, counts = np.unique(refs, return_counts=True)
    if _spans_decades(vals.astype(float)):
        ax.loglog(vals, counts, "o", markersize=4)
    else:
        ax.bar(vals, counts, width=0.8)
        if _spans_decades(counts.astype(float)):
            ax.set_yscale("log")
    ax.set_xlabel("images referencing the layer (ref_count)")
    ax.set_ylabel("number of distinct layers")
    ax.grid(True, alpha=0.3)
    shared = int(np.sum(refs > 1))
    ax.set_title(f"Images per layer: {_n(refs.size)} layers, "
                 f"{_n(shared)} ({100 * shared / refs.size:.1f}%) shared")
    return fig


def _count_cdf(res, log, table: str, column: str, what: str, xlabel: str, title: str):
    """CDF of one count column over the rows with status ok."""
    values = _ok_known_column(res, log, table, column, what)
    return _cdf_figure([(values, None)], "auto", xlabel, table,
                       f"{title}: {_n(values.size)} {table}, median {_n(np.median(values))}, "
                       f"{_n(np.sum(values == 0))} with none")


def layer_files_cdf(res, log):
    """Regular files per distinct layer."""
    return _count_cdf(res, log, "layers", "file_count", "file counts",
                      "regular files per layer (count)", "Files per layer CDF")


def layer_dirs_cdf(res, log):
    """Distinct directories per distinct layer (implied parents included)."""
    return _count_cdf(res, log, "layers", "dir_count", "directory counts",
                      "directories per layer (count, implied parents included)", "Directories per layer CDF")


def directory_depth(res, log):
    """Depth of every distinct directory of every distinct layer (/histograms/directory_depth)."""
    if "directory_depth" not in res.histograms():
        raise Skip("/histograms/directory_depth absent (an older results file)")
    lower, counts = res.histogram("directory_depth")
    if counts.sum() == 0:
        raise Skip("no directories")
    binning = res.histogram_binning("directory_depth")
    fig, ax = _new_figure()
    x = np.arange(len(counts))
    ax.bar(x, counts, width=0.9)
    ax.set_xticks(x)
    if binning == "pow2":
        labels = ["0"] + [f"{int(lower[k])}" if lower[k] * 2 - 1 == lower[k] else
                          f"{int(lower[k])}-{int(2 * lower[k] - 1)}" for k in x[1:]]
        ax.set_xticklabels(labels)
        ax.set_xlabel("directory depth (path components; power-of-two bins)")
    else:
        ax.set_xticklabels([str(int(v)) for v in lower])
        ax.set_xlabel("directory depth (path components)")
    _finish_bars(ax, counts, "number of directories",
                 f"Directory depth: {_n(counts.sum())} directories in distinct layers")
    return fig


def image_compression_ratio_cdf(res, log):
    """Uncompressed / compressed size per image (sums over its layers)."""
    t = res.table("images", columns=["status", "compressed_bytes", "uncompressed_bytes"])
    ratio, _ = _compression_ratios(t, _ok_rows(t, "images", log), "images", log)
    return _cdf_figure([(ratio, None)], "ratio",
                       "compression ratio (uncompressed bytes / compressed bytes, per image)", "images",
                       f"Image compression ratio CDF: {_n(ratio.size)} images, median {np.median(ratio):.2f}")


def shared_file_fraction_cdf(res, log):
    """Fraction of each image's files whose content other images hold too."""
    _require_optional_column(res, "images", "shared_file_fraction")
    t = res.table("images", columns=["status", "shared_file_fraction"])
    ok = _ok_rows(t, "images", log)
    frac = t["shared_file_fraction"][ok].astype(np.float64)
    unknown = int(np.sum(~(frac >= 0)))  # -1 or NaN
    if unknown:
        log.append(f"{_n(unknown)} fractions unknown skipped")
    frac = frac[frac >= 0]
    _require(frac, "shared-file fractions")
    return _cdf_figure([(frac, None)], "fraction",
                       "fraction of the image's regular files shared with other images", "images",
                       f"Shared-file fraction CDF: {_n(frac.size)} images, median {np.median(frac):.2f}")


def layer_age_cdf(res, log):
    """Age of each layer at census time: created_utc minus its newest file's mtime."""
    _require_optional_column(res, "layers", "mtime_max")
    mtime = _ok_known_column(res, log, "layers", "mtime_max", "mtimes")
    census = np.datetime64(str(res.attrs.get("created_utc", "")).rstrip("Z"), "s").astype(np.int64) \
        if res.attrs.get("created_utc") else int(mtime.max())
    age_days = (census - mtime) / 86400.0
    future = int(np.sum(age_days < 0))
    if future:
        log.append(f"{_n(future)} layers with mtimes after the census counted as age 0")
    age_days = np.maximum(age_days, 0)
    return _cdf_figure([(age_days, None)], "auto",
                       "layer age at the census (days since its newest file's mtime)", "layers",
                       f"Layer age CDF: {_n(age_days.size)} layers, median {np.median(age_days):,.0f} days")


def layer_max_depth(res, log):
    """Deepest directory of each layer (usr = 1, usr/bin = 2)."""
    depth = _ok_known_column(res, log, "layers", "max_depth", "depths")
    return _integer_bars_figure(depth, "maximum directory depth in the layer (path components)",
                                "number of distinct layers",
                                f"Directory depth per layer: {_n(depth.size)} layers, median {np.median(depth):g}")


def compression_ratio_cdf(res, log):
    """Uncompressed / compressed size per layer, one line per compression kind."""
    t = res.table("layers", columns=["status", "compression", "compressed_bytes",
                                     "uncompressed_bytes"])
    ok = _ok_rows(t, "layers", log)
    ratio, valid = _compression_ratios(t, ok, "layers", log)
    kind = t["compression"][ok][valid]
    curves = []
    # Most common kind first; ties by name, so colours do not depend on the hash seed.
    for k in sorted(set(kind.tolist()), key=lambda k: (-np.sum(kind == k), k)):
        r = ratio[kind == k]
        curves.append((r, f"{k}: {_n(r.size)} layers, median {np.median(r):.2f}"))
    return _cdf_figure(curves, "ratio", "compression ratio (uncompressed bytes / compressed bytes)", "layers",
                       f"Layer compression ratio CDF: {_n(ratio.size)} layers")


def file_size_histogram(res, log):
    """Sizes of every regular file of every distinct layer, power-of-two bins."""
    lower, counts = res.histogram("file_size")
    if counts.sum() == 0:
        raise Skip("no files")
    binning = res.histogram_binning("file_size")
    fig, ax = _new_figure(8.0, 4.5)
    x = np.arange(len(counts))
    ax.bar(x, counts, width=0.9)
    if binning == "pow2":
        # Bin 0 is the value 0, bin k is [2^(k-1), 2^k): label bins by lower edge.
        step = 1 if len(counts) <= 16 else 4 if len(counts) <= 48 else 8
        # Label bin 0 and every step-th bin after it; with step > 1 the "1 B"
        # label would sit on top of "0", so labelling starts at bin step + 1.
        ticks = [0] + [k for k in x[1:] if (k - 1) % step == 0 and (step == 1 or k > 1)]
        ax.set_xticks(ticks)
        ax.set_xticklabels([_iec_bytes(int(lower[k])) for k in ticks], rotation=45, ha="right")
        ax.set_xlabel("file size (bytes; bin k holds [2^(k-1), 2^k), bin 0 holds empty files)")
    else:
        ax.set_xticks(x)
        ax.set_xticklabels([_iec_bytes(int(v)) for v in lower], rotation=45, ha="right")
        ax.set_xlabel(f"file size (bytes, bins: {binning}, labelled by lower edge)")
    _finish_bars(ax, counts, "number of files",
                 f"File size distribution: {_n(counts.sum())} regular files in distinct layers")
    return fig


def _file_types_bars(res, log, count_col: str, unique_col: str, what: str, bytes_axis: bool):
    """Horizontal bars of the top categories: all files vs distinct contents.

    Ranked by `count_col`; with bytes_axis the amounts are bytes, else file counts.
    """
    t = res.table("filetypes") if SHOW_KINDS else family_table(res.table("filetypes"))
    total = t[count_col]
    order = np.argsort(-total, kind="stable")
    order = order[total[order] > 0]
    _require(order, "file types")
    top, rest = order[:TOP_TYPES], order[TOP_TYPES:]
    if rest.size:
        log.append(f"{rest.size} smaller categories not shown")
    names = list(t["type"][top])
    fig, ax = _new_figure(8.0, 0.35 * len(top) + 1.8)
    y = np.arange(len(top))
    ax.barh(y - 0.2, total[top], height=0.4, label="all files")
    ax.barh(y + 0.2, t[unique_col][top], height=0.4, label="distinct contents")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    if _spans_decades(np.concatenate([total[top], t[unique_col][top]]).astype(float)):
        ax.set_xscale("log")
    if bytes_axis:
        ax.xaxis.set_major_formatter(FuncFormatter(_si_bytes))
    ax.set_xlabel(what)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    if bytes_axis:
        ranked_by, amount = "bytes", f"{_si_bytes(total.sum())} in total"
    else:
        ranked_by, amount = "count", f"{_n(total.sum())} files"
    level = "categories" if SHOW_KINDS else "families"
    ax.set_title(f"File types by {ranked_by}: top {len(top)} of {len(t['type'])} {level}, {amount}")
    return fig


# Families (the study's level of detail) unless --kinds asks for the family/kind categories.
SHOW_KINDS = False


def file_types_count(res, log):
    """File-type categories ranked by number of regular files."""
    return _file_types_bars(res, log, "file_count", "unique_file_count", "number of regular files",
                            bytes_axis=False)


def file_types_bytes(res, log):
    """File-type categories ranked by total bytes of regular files."""
    return _file_types_bars(res, log, "file_bytes", "unique_bytes", "total size of regular files (bytes)",
                            bytes_axis=True)


def dedup_copies(res, log):
    """How many distinct contents occur exactly k times (file-level duplication)."""
    d = res.dedup()
    copies, contents = d["copies"]["copies"], d["copies"]["contents"]
    _require(copies, "copy counts")
    fig, ax = _new_figure()
    ax.loglog(copies, contents, "o", markersize=4)
    ax.set_xlabel("copies of a content (occurrences over all distinct layers)")
    ax.set_ylabel("number of distinct contents")
    ax.grid(True, alpha=0.3)
    saved = d.get("file_bytes", 0) - d.get("unique_bytes", 0)
    share = 100 * saved / d["file_bytes"] if d.get("file_bytes", 0) > 0 else 0.0
    ax.set_title(f"File duplication: {_n(d.get('file_count', 0))} files, "
                 f"{_n(d.get('unique_file_count', 0))} distinct contents\n"
                 f"{_si_bytes(saved)} ({share:.1f}% of file bytes) are extra copies")
    return fig


# -- The union view (format version 2, docs/union-view.md) -----------------------

def _union_columns(res, log, columns: list[str]) -> dict:
    """The given /images columns over the rows with status ok (the union columns are -1 / NaN elsewhere)."""
    for column in columns:
        _require_optional_column(res, "images", column)
    t = res.table("images", columns=["status", *columns])
    ok = _ok_rows(t, "images", log)
    return {c: t[c][ok] for c in columns}


def efficiency_cdf(res, log):
    """Efficiency per image (1 - wasted / file bytes), as `dive` reports it for one image."""
    eff = _union_columns(res, log, ["efficiency"])["efficiency"].astype(np.float64)
    eff = eff[eff >= 0]
    _require(eff, "efficiencies")
    return _cdf_figure([(eff, None)], "fraction", "efficiency (1 - wasted bytes / file bytes)", "images",
                       f"Image efficiency CDF: {_n(eff.size)} images, median {np.median(eff):.3f}, "
                       f"{np.mean(eff < 0.9):.1%} below 0.9")


def wasted_bytes_cdf(res, log):
    """Bytes each image wastes: overwritten + deleted + duplicated inside its final view."""
    wasted = _known(_union_columns(res, log, ["wasted_bytes"])["wasted_bytes"], "wasted bytes", log)
    _require(wasted, "wasted bytes")
    return _cdf_figure([(wasted, None)], "bytes", "wasted bytes per image", "images",
                       f"Wasted bytes per image CDF: {_n(wasted.size)} images")


def union_vs_summed_files(res, log):
    """Files a container sees against files summed over the layers, one point per image."""
    t = _union_columns(res, log, ["file_count", "union_file_count"])
    keep = (t["file_count"] >= 0) & (t["union_file_count"] >= 0)
    summed, union = t["file_count"][keep], t["union_file_count"][keep]
    _require(summed, "file counts")
    fig, ax = _new_figure(6.0, 6.0)
    ax.scatter(summed, union, s=8, alpha=0.5)
    top = max(int(summed.max()), 1)
    ax.plot([0, top], [0, top], color="grey", linewidth=0.8, label="union = summed")
    if _spans_decades(summed[summed > 0]):
        ax.set_xscale("symlog")
        ax.set_yscale("symlog")
    ax.set_xlabel("regular files summed over the image's layers")
    ax.set_ylabel("regular files in the union view")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left")
    ax.set_title(f"Union vs summed files: {_n(summed.size)} images")
    return fig


def top_wasted_images(res, log, top: int = 20):
    """The images with the most wasted bytes, split into overwritten, deleted and duplicate bytes."""
    columns = ["overwritten_bytes", "deleted_bytes", "duplicate_bytes", "wasted_bytes"]
    for column in columns:
        _require_optional_column(res, "images", column)
    t = res.table("images", columns=["status", "reference", *columns])
    ok = _ok_rows(t, "images", log)
    rows = np.flatnonzero(ok & (t["wasted_bytes"] > 0))
    _require(rows, "wasted bytes")
    rows = rows[np.argsort(-t["wasted_bytes"][rows], kind="stable")][:top]
    fig, ax = _new_figure(8.0, 0.3 * len(rows) + 1.5)
    y = np.arange(len(rows))[::-1]
    left = np.zeros(len(rows))
    for column, label in (("overwritten_bytes", "overwritten"), ("deleted_bytes", "deleted"),
                          ("duplicate_bytes", "duplicate")):
        ax.barh(y, t[column][rows], left=left, height=0.7, label=label)
        left += t[column][rows]
    ax.set_yticks(y)
    ax.set_yticklabels([str(t["reference"][r]) for r in rows], fontsize=7)
    ax.xaxis.set_major_formatter(FuncFormatter(_si_bytes))
    ax.set_xlabel("wasted bytes")
    ax.legend(loc="lower right")
    ax.set_title(f"The {len(rows)} images with the most wasted bytes")
    fig.tight_layout()
    return fig


FIGURES = {
    "image_created": image_created,
    "image_size_cdf": image_size_cdf,
    "image_popularity_cdf": image_popularity_cdf,
    "layers_per_image": layers_per_image,
    "layer_ref_count": layer_ref_count,
    "files_per_image_cdf": files_per_image_cdf,
    "shared_file_fraction_cdf": shared_file_fraction_cdf,
    "image_compression_ratio_cdf": image_compression_ratio_cdf,
    "layer_size_cdf": layer_size_cdf,
    "layer_files_cdf": layer_files_cdf,
    "layer_dirs_cdf": layer_dirs_cdf,
    "layer_max_depth": layer_max_depth,
    "directory_depth": directory_depth,
    "dedup_copies": dedup_copies,
    "file_size_histogram": file_size_histogram,
    "file_types_count": file_types_count,
    "file_types_bytes": file_types_bytes,
    "compression_ratio_cdf": compression_ratio_cdf,
    "layer_age_cdf": layer_age_cdf,
    "efficiency_cdf": efficiency_cdf,
    "wasted_bytes_cdf": wasted_bytes_cdf,
    "union_vs_summed_files": union_vs_summed_files,
    "top_wasted_images": top_wasted_images,
}


def main(argv: list[str] | None = None) -> int:
    import figures_extras
    FIGURES.update(figures_extras.extra_figures(sys.modules[__name__]))
    parser = argparse.ArgumentParser(
        description="Draw the study's figures from a regcensus results file.")
    parser.add_argument("results", nargs="?", help="results file written by `regcensus run`")
    parser.add_argument("--growth-log", metavar="FILE",
                        help="also draw the registry's growth from this crawl growth log (regcensus crawl --growth-log)")
    parser.add_argument("--out", required=True, help="directory for the figures (created)")
    parser.add_argument("--pdf", action="store_true", help="also write a PDF of each figure")
    parser.add_argument("--only", nargs="+", choices=sorted(FIGURES), metavar="NAME",
                        help="draw only these figures")
    parser.add_argument("--kinds", action="store_true",
                        help="file-type figures by category (family/kind) instead of by family")
    args = parser.parse_args(argv)
    global SHOW_KINDS
    SHOW_KINDS = args.kinds
    if args.growth_log:
        os.makedirs(args.out, exist_ok=True)
        try:
            fig = figures_extras.growth_figure(sys.modules[__name__], args.growth_log)
            print(f"wrote {', '.join(_save(fig, args.out, 'growth', args.pdf))}")
        except (OSError, ValueError) as exc:
            print(f"figures.py: error: growth log: {exc}", file=sys.stderr)
            return 1
        except Skip as why:
            print(f"skipped growth: {why}")
        if not args.results:
            return 0
    if not args.results:
        parser.error("a results file, --growth-log FILE, or both")

    try:
        res = open_results(args.results)
    except NotResultsFileError as exc:
        print(f"figures.py: error: {exc}", file=sys.stderr)
        return 2
    if res.format_version > 2:
        print(f"figures.py: warning: format_version {res.format_version}, this script knows 1 and 2",
              file=sys.stderr)
    os.makedirs(args.out, exist_ok=True)

    failed = 0
    with res:
        for name, draw in FIGURES.items():
            if args.only and name not in args.only:
                continue
            log: list[str] = []
            try:
                fig = draw(res, log)
            except Skip as why:
                print(f"skipped {name}: {why}" + (f" ({'; '.join(log)})" if log else ""))
                continue
            except KeyError as exc:
                print(f"figures.py: error: {name}: missing data: {exc}", file=sys.stderr)
                failed += 1
                continue
            paths = _save(fig, args.out, name, args.pdf)
            note = f" ({'; '.join(log)})" if log else ""
            print(f"wrote {', '.join(paths)}{note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
