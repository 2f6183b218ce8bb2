"""The figures of docs/execution-environment.md, drawn by figures.py:

    dataset_tables         images/layers by status, manifests/layers/configs by media type  [3.1.3, 3.2.1]
    directory_size         directories by bytes directly inside and recursively             [4.2.4]
    dedup_by_type          dedup ratio per file type (files/contents, bytes/distinct bytes) [4.2.5, 4.2.7]
    build_instructions     build instructions by distinct layers and compressed bytes       [4.1.9]
    union_files_per_image  files and directories per image, union view where the file has it [4.1.6]
    growth                 the registry's growth from a crawl growth log (--growth-log FILE)

Each figure is skipped with a message where the results file lacks its datasets.
"""
import datetime

import numpy as np

from extras import build_instructions as _instruction_rows
from extras import dedup_by_family as _dedup_family_rows
from extras import dedup_by_type as _dedup_rows

TABLE_TITLES = {
    "images_by_status": "images by status",
    "layers_by_status": "distinct layers by status",
    "manifests_by_media_type": "distinct manifests by media type",
    "layers_by_compression": "distinct layers by compression, media type",
    "configs_by_media_type": "distinct configs by media type",
}


def _short_media_type(text: str) -> str:
    return text.replace("application/vnd.", "").replace("docker.distribution.", "docker.") or "(none)"


def extra_figures(h):
    """name -> draw(res, log); `h` is the figures module (its helpers and Skip)."""

    def dataset_tables(res, log):
        if "tables" not in res:
            raise h.Skip("/tables absent (an older results file)")
        names = [n for n in TABLE_TITLES if "tables/" + n in res]
        fig, axes = h.plt.subplots(len(names), 1, figsize=(8.0, 2.0 + 1.2 * len(names) * 1.6))
        for ax, name in zip(np.atleast_1d(axes), names):
            t = res.table("tables/" + name)
            keys = [c for c in sorted(t) if c != "count" and not c.endswith("_bytes")]
            labels = [" ".join(_short_media_type(str(t[k][r])) for k in keys) for r in range(len(t["count"]))]
            y = np.arange(len(labels))
            ax.barh(y, t["count"])
            ax.set_yticks(y)
            ax.set_yticklabels(labels, fontsize=8)
            ax.invert_yaxis()
            ax.set_title(f"{TABLE_TITLES[name]} ({h._n(int(np.sum(t['count'])))})", fontsize=9)
            ax.grid(True, axis="x", alpha=0.3)
        return fig

    def directory_size(res, log):
        names = ["directory_direct_bytes", "directory_recursive_bytes"]
        if any(n not in res.histograms() for n in names):
            raise h.Skip("/histograms/directory_direct_bytes absent (an older results file)")
        fig, ax = h._new_figure(8.0, 4.5)
        total = 0
        for offset, (name, label) in zip((-0.2, 0.2), zip(names, ("directly inside", "recursively"))):
            lower, counts = res.histogram(name)
            total = max(total, int(counts.sum()))
            ax.bar(np.arange(len(counts)) + offset, counts, width=0.4, label=f"bytes of regular files {label}")
        if total == 0:
            raise h.Skip("no directories")
        lower = max((res.histogram(n)[0] for n in names), key=len)
        step = 1 if len(lower) <= 16 else 4
        ticks = [k for k in range(len(lower)) if k % step == 0]
        ax.set_xticks(ticks)
        ax.set_xticklabels([h._iec_bytes(int(lower[k])) for k in ticks], rotation=45, ha="right")
        ax.set_xlabel("directory size (bytes; bin k holds [2^(k-1), 2^k), bin 0 holds 0)")
        ax.legend()
        h._finish_bars(ax, np.array([total]), "number of directories",
                       f"Directory size: {h._n(total)} directories in distinct layers")
        return fig

    def dedup_by_type(res, log):
        # Families by default, categories with --kinds (as every file-type figure).
        rows = (_dedup_rows(res) if h.SHOW_KINDS else _dedup_family_rows(res)) or []
        rows = [r for r in rows if r["unique_file_count"] > 0]
        h._require(np.array(rows), "file types")
        rows.sort(key=lambda r: -r["file_count"])
        if len(rows) > h.TOP_TYPES:
            log.append(f"{len(rows) - h.TOP_TYPES} types with fewer files not shown")
            rows = rows[:h.TOP_TYPES]
        fig, ax = h._new_figure(8.0, 0.35 * len(rows) + 1.8)
        y = np.arange(len(rows))
        ax.barh(y - 0.2, [r["ratio_by_count"] for r in rows], height=0.4, label="files / distinct contents")
        ax.barh(y + 0.2, [r["ratio_by_bytes"] for r in rows], height=0.4, label="bytes / distinct bytes")
        ax.set_yticks(y)
        ax.set_yticklabels([r.get("type", r.get("family")) for r in rows])
        ax.invert_yaxis()
        ax.axvline(1.0, color="grey", linewidth=0.8)
        ax.set_xlabel("dedup ratio (1 = no duplicates)")
        ax.grid(True, axis="x", alpha=0.3)
        ax.legend(loc="lower right")
        ax.set_title(f"Dedup ratio by file {'type' if h.SHOW_KINDS else 'family'}: {len(rows)} with the most files")
        return fig

    def build_instructions(res, log):
        rows = _instruction_rows(res)
        if rows is None:
            raise h.Skip("/image_layers/created_by absent (an older results file)")
        h._require(np.array(rows["by_layers"]), "build instructions")
        fig, (left, right) = h.plt.subplots(1, 2, figsize=(10.0, 0.35 * len(rows["by_layers"]) + 2.0))
        for ax, key, column, what in ((left, "by_layers", "layers", "distinct layers"),
                                      (right, "by_bytes", "compressed_bytes", "compressed bytes")):
            data = rows[key]
            y = np.arange(len(data))
            ax.barh(y, [r[column] for r in data])
            ax.set_yticks(y)
            ax.set_yticklabels([r["instruction"] for r in data])
            ax.invert_yaxis()
            ax.set_xlabel(what)
            ax.grid(True, axis="x", alpha=0.3)
            if column == "compressed_bytes":
                ax.xaxis.set_major_formatter(h.FuncFormatter(h._si_bytes))
        fig.suptitle("Build instructions producing the distinct layers")
        return fig

    def union_files_per_image(res, log):
        columns = res.columns("images")
        if "union_file_count" in columns and "union_dir_count" in columns:
            source = "union view (what the container sees)"
            t = res.table("images", columns=["status", "union_file_count", "union_dir_count"])
            ok = t["status"] == "ok"
            files, dirs = t["union_file_count"][ok], t["union_dir_count"][ok]
        else:
            # No union view in this file: sums over the image's layers (shadowed entries counted).
            source = "summed over layers (no union view in this file)"
            log.append("no /images/union_file_count: sums over layers")
            t = res.table("images", columns=["status", "file_count", "layer_offsets", "layer_rows"])
            layer_dirs = res.table("layers", columns=["dir_count"])["dir_count"]
            offsets, rows = t["layer_offsets"], t["layer_rows"]
            ok = np.flatnonzero(t["status"] == "ok")
            files = t["file_count"][ok]
            dirs = np.array([layer_dirs[rows[offsets[i]:offsets[i + 1]]].sum() for i in ok], dtype=np.int64)
        keep = (files >= 0) & (dirs >= 0)
        files, dirs = files[keep], dirs[keep]
        h._require(files, "file counts")
        return h._cdf_figure([(files, "regular files"), (dirs, "directories")], "auto",
                             f"per image, {source}", "images",
                             f"Files and directories per image: {h._n(files.size)} images")

    return {"dataset_tables": dataset_tables, "directory_size": directory_size, "dedup_by_type": dedup_by_type,
            "build_instructions": build_instructions, "union_files_per_image": union_files_per_image}


def read_growth_log(path):
    """(source -> [(time, count)]) from a crawl growth log: `timestamp<TAB>source<TAB>count` lines."""
    series = {}
    with open(path, encoding="utf-8", errors="backslashreplace") as f:
        for number, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path}:{number}: not timestamp<TAB>source<TAB>count")
            when = datetime.datetime.strptime(parts[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
            series.setdefault(parts[1], []).append((when, int(parts[2])))
    return series


def growth_figure(h, path):
    """The registry's growth as the crawl saw it: each source's count over time."""
    series = read_growth_log(path)
    if not series:
        raise h.Skip(f"{path} has no lines")
    fig, ax = h._new_figure(8.0, 4.5)
    for source in sorted(series, key=lambda s: (-max(c for _, c in series[s]), s))[:12]:
        points = sorted(series[source])
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", markersize=3, label=source)
    ax.set_xlabel("time (UTC)")
    ax.set_ylabel("count (repositories, or rows for 'images')")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    ax.set_title(f"Registry growth from {len(series)} crawl source(s)")
    return fig
