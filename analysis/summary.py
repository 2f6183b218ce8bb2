"""The headline numbers of a census, as the study reports them, in Markdown.

Usage:
    /usr/bin/python3 analysis/summary.py RESULTS.h5 [--json]

Prints a Markdown table: for each distribution the number of rows, the
median and the 90th percentile; the dedup ratios by count and by bytes; the
top file types by count and by bytes. With --json, the same numbers as one
JSON object, the same object `regcensus report RESULTS --json` prints
(docs/report.md defines every number; the two must agree exactly).

Definitions:
- Percentiles are nearest-rank: the p-th percentile of n values is the
  smallest value with at least p% of the values at or below it, i.e. the
  value of rank ceil(p * n / 100) (1-based) in ascending order.
- Per-row distributions use the rows of /images or /layers whose status is
  "ok" and whose value is known (>= 0; ratios also need a compressed size
  > 0). Compression ratio = uncompressed_bytes / compressed_bytes.
- `content_copies` is over distinct contents (/dedup/copies), `file_size`
  over every regular file of the distinct layers (/histograms/file_size,
  power-of-two bins: its percentiles are the lower edges of the bins that
  hold them).
- Optional columns (/images/shared_file_fraction, /layers/mtime_max) give a
  distribution only when present.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import NotResultsFileError, open_results, type_families  # noqa: E402
from storage_summary import storage_section  # noqa: E402
from extras import AGE_DISTRIBUTIONS, age_values, compute_extras, markdown_extras  # noqa: E402

PERCENTILES = (50, 90)
TOP_TYPES = 5

# name -> (table, column, label, units); rows with status ok and value >= 0.
COLUMN_DISTRIBUTIONS = {
    "image_compressed_bytes": ("images", "compressed_bytes", "image size, compressed", "bytes"),
    "image_uncompressed_bytes": ("images", "uncompressed_bytes", "image size, uncompressed", "bytes"),
    "image_layer_count": ("images", "layer_count", "layers per image", "layers"),
    "image_file_count": ("images", "file_count", "files per image", "files"),
    "image_pull_count": ("images", "pull_count", "image popularity (pull count)", "pulls"),
    "layer_ref_count": ("layers", "ref_count", "images per layer (sharing)", "images"),
    "layer_compressed_bytes": ("layers", "compressed_bytes", "layer size, compressed", "bytes"),
    "layer_uncompressed_bytes": ("layers", "uncompressed_bytes", "layer size, uncompressed", "bytes"),
    "layer_file_count": ("layers", "file_count", "files per layer", "files"),
    "layer_dir_count": ("layers", "dir_count", "directories per layer", "directories"),
    "layer_max_depth": ("layers", "max_depth", "directory depth per layer (deepest)", "levels"),
}
# Optional columns: a distribution only when the file has them.
OPTIONAL_DISTRIBUTIONS = {
    "image_shared_file_fraction": ("images", "shared_file_fraction", "shared-file fraction per image", "fraction"),
    "layer_mtime_max": ("layers", "mtime_max", "layer age (newest file mtime)", "unix seconds"),
    # The union view (format version 2, docs/union-view.md).
    "image_union_file_count": ("images", "union_file_count", "files per image, union view", "files"),
    "image_union_file_bytes": ("images", "union_file_bytes", "file bytes per image, union view", "bytes"),
    "image_wasted_bytes": ("images", "wasted_bytes", "wasted bytes per image", "bytes"),
    "image_efficiency": ("images", "efficiency", "efficiency per image", "fraction"),
}
# The union view's efficiency thresholds: the share of images below each.
EFFICIENCY_THRESHOLDS = (0.9, 0.95)
RATIO_DISTRIBUTIONS = {
    "image_compression_ratio": ("images", "compression ratio per image"),
    "layer_compression_ratio": ("layers", "compression ratio per layer"),
}
LABELS = {
    **{k: v[2] for k, v in COLUMN_DISTRIBUTIONS.items()},
    **{k: v[2] for k, v in OPTIONAL_DISTRIBUTIONS.items()},
    **{k: v[1] for k, v in RATIO_DISTRIBUTIONS.items()},
    "content_copies": "copies per distinct content",
    "file_size": "file size (power-of-two bin)",
    **{k: v[1] for k, v in AGE_DISTRIBUTIONS.items()},
}
UNITS = {
    **{k: v[3] for k, v in COLUMN_DISTRIBUTIONS.items()},
    **{k: v[3] for k, v in OPTIONAL_DISTRIBUTIONS.items()},
    **{k: "ratio" for k in RATIO_DISTRIBUTIONS},
    "content_copies": "copies",
    "file_size": "bytes",
    **{k: "days" for k in AGE_DISTRIBUTIONS},
}
# The order of the rows of the table (and of the JSON object).
ORDER = ["image_compressed_bytes", "image_uncompressed_bytes", "image_pull_count", "image_layer_count",
         "layer_ref_count", "image_file_count", "image_compression_ratio", "image_shared_file_fraction",
         "layer_compressed_bytes", "layer_uncompressed_bytes", "layer_file_count", "layer_dir_count",
         "layer_max_depth", "content_copies", "file_size", "layer_compression_ratio", "layer_mtime_max",
         "image_union_file_count", "image_union_file_bytes", "image_wasted_bytes", "image_efficiency"] + list(AGE_DISTRIBUTIONS)


def nearest_rank(sorted_values, p: int):
    """Value of rank ceil(p*n/100) (at least 1) of ascending values; None if empty.

    Integer arithmetic for the rank, so that C++ and Python pick the same row.
    """
    n = len(sorted_values)
    if n == 0:
        return None
    rank = max((p * n + 99) // 100, 1)
    value = sorted_values[rank - 1]
    return value.item() if isinstance(value, np.generic) else value


def weighted_nearest_rank(values, weights, p: int):
    """nearest_rank over `values[i]` repeated `weights[i]` times (values ascending)."""
    n = int(np.sum(weights))
    if n == 0:
        return None
    rank = max((p * n + 99) // 100, 1)
    cumulative = np.cumsum(weights)
    return int(values[int(np.searchsorted(cumulative, rank))])


def _distribution(sorted_values) -> dict:
    out = {"n": int(len(sorted_values))}
    for p in PERCENTILES:
        out[f"p{p}"] = nearest_rank(sorted_values, p)
    return out


def _weighted(values, weights) -> dict:
    out = {"n": int(np.sum(weights)) if len(weights) else 0}
    for p in PERCENTILES:
        out[f"p{p}"] = weighted_nearest_rank(values, weights, p)
    return out


def _share(part: int, whole: int) -> float:
    return part / whole if whole > 0 else 0.0


def compute(path: str) -> dict:
    """Every headline number of the results file at `path` (see the module doc)."""
    with open_results(path) as res:
        images = res.table("images", columns=[c for c in res.columns("images")
                                               if c in ("status", "compressed_bytes", "uncompressed_bytes",
                                                        "layer_count", "file_count", "pull_count",
                                                        "shared_file_fraction", "union_file_count",
                                                        "union_file_bytes", "wasted_bytes", "efficiency")])
        layers = res.table("layers", columns=[c for c in res.columns("layers")
                                               if c in ("status", "compressed_bytes", "uncompressed_bytes",
                                                        "file_count", "dir_count", "max_depth", "ref_count",
                                                        "mtime_max")])
        tables = {"images": images, "layers": layers}
        ok = {name: t["status"] == "ok" for name, t in tables.items()}

        dist = {}
        for name, (table, column, _, _) in {**COLUMN_DISTRIBUTIONS, **OPTIONAL_DISTRIBUTIONS}.items():
            if column not in tables[table]:
                continue
            values = tables[table][column][ok[table]]
            values = values[values >= 0]  # also drops NaN for float columns
            dist[name] = _distribution(np.sort(values))
        for name, (table, _) in RATIO_DISTRIBUTIONS.items():
            t = tables[table]
            comp, unc = t["compressed_bytes"], t["uncompressed_bytes"]
            keep = ok[table] & (comp > 0) & (unc >= 0)
            dist[name] = _distribution(np.sort(unc[keep].astype(np.float64) / comp[keep].astype(np.float64)))

        dedup = res.dedup()
        copies = dedup["copies"]
        order = np.argsort(copies["copies"], kind="stable")
        dist["content_copies"] = _weighted(copies["copies"][order], copies["contents"][order])
        lower, counts = res.histogram("file_size")
        dist["file_size"] = _weighted(lower, counts)

        for name, values in age_values(res, ok["layers"]).items():
            dist[name] = _distribution(values)

        comp = layers["compressed_bytes"][ok["layers"]]
        unc = layers["uncompressed_bytes"][ok["layers"]]
        comp_sum, unc_sum = int(comp[comp >= 0].sum()), int(unc[unc >= 0].sum())

        keys = ("file_count", "file_bytes", "unique_file_count", "unique_bytes")
        d = {k: int(dedup[k]) for k in keys}
        d["ratio_by_count"] = _share(d["file_count"], d["unique_file_count"])
        d["ratio_by_bytes"] = _share(d["file_bytes"], d["unique_bytes"])

        types = res.table("filetypes")
        top = {}
        for column in ("file_count", "file_bytes"):
            total = int(types[column].sum())
            # Largest first; ties keep the file's row order (the FileType order).
            ranked = np.argsort(-types[column], kind="stable")
            top[column] = [{"type": str(types["type"][i]), column: int(types[column][i]),
                            "share": _share(int(types[column][i]), total)}
                           for i in ranked[:TOP_TYPES] if types[column][i] > 0]

        union = {}
        if "efficiency" in images:
            efficiency = images["efficiency"][ok["images"]]
            efficiency = efficiency[efficiency >= 0]  # drops NaN
            union = {"images": int(len(efficiency)),
                     **{f"share_below_{t}": _share(int((efficiency < t).sum()), int(len(efficiency)))
                        for t in EFFICIENCY_THRESHOLDS}}

        families = {}
        for column in ("file_count", "file_bytes"):
            families[column] = _rank_families(types, column)

        summary = {
            "images": {"listed": int(len(images["status"])), "ok": int(ok["images"].sum())},
            "layers": {"distinct": int(len(layers["status"])), "ok": int(ok["layers"].sum()),
                       "compressed_bytes": comp_sum, "uncompressed_bytes": unc_sum,
                       "compression_ratio": _share(unc_sum, comp_sum)},
            "distributions": {k: dist[k] for k in ORDER if k in dist},
            "dedup": d,
            "file_types": {"by_count": top["file_count"], "by_bytes": top["file_bytes"]},
            **({"union": union} if union else {}),
            "file_families": {"by_count": families["file_count"], "by_bytes": families["file_bytes"]},
            **compute_extras(res),
        }
    storage = storage_section(path)  # a census read from a registry's storage (docs/storage.md)
    if storage is not None:
        summary["storage"] = storage
    return summary


def _rank_families(types, column):
    """Every family with files, largest first; ties keep the order of first appearance.

    The family of a row: results.type_families (as regcensus report reads it).
    """
    sums = {}
    for family, amount in zip(type_families(types), types[column]):
        sums[family] = sums.get(family, 0) + int(amount)
    total = sum(sums.values())
    ranked = sorted(((f, a) for f, a in sums.items() if a > 0), key=lambda fa: -fa[1])  # sorted() is stable
    return [{"family": f, column: a, "share": _share(a, total)} for f, a in ranked]


# -- Markdown -------------------------------------------------------------------

def human_bytes(value) -> str:
    """1234567 -> '1.23 MB' (decimal units, as regcensus report prints them)."""
    value = float(value)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(value) < 1000 or unit == "PB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.2f} {unit}"
        value /= 1000
    return ""


def format_value(name: str, value) -> str:
    """One cell: exact number first, a readable form after it where that helps."""
    if value is None:
        return "–"
    units = UNITS[name]
    if name == "file_size":
        upper = 1 if value == 0 else 2 * value
        return f"[{value:,}, {upper:,}) B" if value else "0 B (empty)"
    if units == "bytes":
        return f"{value:,} ({human_bytes(value)})"
    if units == "unix seconds":
        return f"{value:,} ({np.datetime64(int(value), 's').astype('datetime64[D]')})"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}"


def markdown(s: dict, title: str, kinds: bool = False) -> str:
    lines = [f"# {title}", "",
             f"{s['images']['ok']:,} of {s['images']['listed']:,} images and {s['layers']['ok']:,} of "
             f"{s['layers']['distinct']:,} distinct layers analysed (status ok). Distinct layers: "
             f"{human_bytes(s['layers']['compressed_bytes'])} compressed, "
             f"{human_bytes(s['layers']['uncompressed_bytes'])} uncompressed "
             f"(ratio {s['layers']['compression_ratio']:.4g}).", "",
             "| distribution | n | median | p90 |", "| --- | ---: | ---: | ---: |"]
    for name, d in s["distributions"].items():
        if name == "layer_mtime_max":
            continue  # a date, shown in days before the census (layer_mtime_age_days)
        lines.append(f"| {LABELS[name]} | {d['n']:,} | {format_value(name, d['p50'])} | "
                     f"{format_value(name, d['p90'])} |")
    d = s["dedup"]
    lines += ["", "| file-level duplication (distinct layers) | value |", "| --- | ---: |",
              f"| regular files | {d['file_count']:,} |",
              f"| file bytes | {d['file_bytes']:,} ({human_bytes(d['file_bytes'])}) |",
              f"| distinct contents | {d['unique_file_count']:,} |",
              f"| distinct content bytes | {d['unique_bytes']:,} ({human_bytes(d['unique_bytes'])}) |",
              f"| dedup ratio by count (files / contents) | {d['ratio_by_count']:.4g} |",
              f"| dedup ratio by bytes | {d['ratio_by_bytes']:.4g} |"]
    if "union" in s:
        u = s["union"]
        lines += ["", "| union view (images with status ok) | value |", "| --- | ---: |",
                  f"| images | {u['images']:,} |"]
        lines += [f"| share with efficiency below {t} | {u[f'share_below_{t}']:.4g} |" for t in EFFICIENCY_THRESHOLDS]
    # Families by default, the study's level of detail; --kinds shows the top categories.
    table, label, name = ("file_types", "top file types", "type") if kinds else \
        ("file_families", "file-type families", "family")
    for key, column, what in (("by_count", "file_count", "files"), ("by_bytes", "file_bytes", "bytes")):
        lines += ["", f"| {label} by {what} | {what} | share |", "| --- | ---: | ---: |"]
        for row in s[table][key]:
            amount = f"{row[column]:,}" if column == "file_count" else f"{row[column]:,} ({human_bytes(row[column])})"
            lines.append(f"| {row[name]} | {amount} | {100 * row['share']:.1f}% |")
    lines += markdown_extras(s, kinds)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Headline numbers of a regcensus results file (Markdown).")
    parser.add_argument("results", help="results file written by `regcensus run`")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON instead")
    parser.add_argument("--kinds", action="store_true",
                        help="show the top file-type categories (family/kind) instead of the families")
    args = parser.parse_args(argv)
    try:
        summary = compute(args.results)
    except NotResultsFileError as exc:
        print(f"summary.py: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(markdown(summary, f"Census summary: {os.path.basename(args.results)}", kinds=args.kinds), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
