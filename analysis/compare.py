"""Two censuses side by side (two dates, two registries), in Markdown.

Usage:
    /usr/bin/python3 analysis/compare.py A.h5 B.h5 [--names A B]

Every headline number of summary.py (same definitions: nearest-rank
percentiles over rows with status ok) for A and for B, and B / A where both
are numbers and A is not 0. File types are compared by their share of files
and of bytes, over the union of both files' top types.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import NotResultsFileError  # noqa: E402
from summary import LABELS, compute, format_value  # noqa: E402


def _ratio(a, b) -> str:
    if a is None or b is None or a == 0:
        return "–"
    return f"{b / a:.3g}×"


def _count(value) -> str:
    return "–" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:.4g}"


def markdown(a: dict, b: dict, name_a: str, name_b: str) -> str:
    lines = [f"# {name_a} vs {name_b}", "",
             f"| | {name_a} | {name_b} | {name_b} / {name_a} |", "| --- | ---: | ---: | ---: |"]

    def row(label, va, vb, fa=_count, fb=None):
        fb = fb or fa
        lines.append(f"| {label} | {fa(va)} | {fb(vb)} | {_ratio(va, vb)} |")

    row("images listed", a["images"]["listed"], b["images"]["listed"])
    row("images ok", a["images"]["ok"], b["images"]["ok"])
    row("distinct layers", a["layers"]["distinct"], b["layers"]["distinct"])
    row("distinct layers ok", a["layers"]["ok"], b["layers"]["ok"])
    for key in ("compressed_bytes", "uncompressed_bytes"):
        fmt = lambda v: format_value("layer_compressed_bytes", v)  # noqa: E731 (bytes)
        row(f"distinct layers, {key.split('_')[0]}", a["layers"][key], b["layers"][key], fmt)
    row("compression ratio (all distinct layers)", a["layers"]["compression_ratio"],
        b["layers"]["compression_ratio"])

    names = list(a["distributions"]) + [k for k in b["distributions"] if k not in a["distributions"]]
    for name in names:
        da, db = a["distributions"].get(name), b["distributions"].get(name)
        for stat, label in (("p50", "median"), ("p90", "p90")):
            va = da[stat] if da else None
            vb = db[stat] if db else None
            fmt = lambda v, n=name: format_value(n, v)  # noqa: E731
            row(f"{LABELS[name]}, {label}", va, vb, fmt)

    for key, label in (("file_count", "regular files"), ("file_bytes", "file bytes"),
                       ("unique_file_count", "distinct contents"), ("unique_bytes", "distinct content bytes"),
                       ("ratio_by_count", "dedup ratio by count"), ("ratio_by_bytes", "dedup ratio by bytes")):
        row(label, a["dedup"][key], b["dedup"][key])

    for key, what in (("by_count", "files"), ("by_bytes", "bytes")):
        share_a = {r["type"]: r["share"] for r in a["file_types"][key]}
        share_b = {r["type"]: r["share"] for r in b["file_types"][key]}
        for t in list(share_a) + [t for t in share_b if t not in share_a]:
            pct = lambda v: "–" if v is None else f"{100 * v:.1f}%"  # noqa: E731
            row(f"share of {what}: {t}", share_a.get(t), share_b.get(t), pct)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Two regcensus results files side by side (Markdown).")
    parser.add_argument("a", help="first results file")
    parser.add_argument("b", help="second results file")
    parser.add_argument("--names", nargs=2, metavar=("A", "B"), help="column names (default: file names)")
    args = parser.parse_args(argv)
    names = args.names or [os.path.basename(args.a), os.path.basename(args.b)]
    if names[0] == names[1]:
        names = [args.a, args.b]
    try:
        a, b = compute(args.a), compute(args.b)
    except NotResultsFileError as exc:
        print(f"compare.py: error: {exc}", file=sys.stderr)
        return 2
    print(markdown(a, b, *names), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
