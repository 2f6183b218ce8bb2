"""The report sections beyond the headline numbers (docs/execution-environment.md):
dataset tables, execution environment, build instructions, dedup ratio by file
type and layer ages in days. The numbers are exactly those `regcensus report
--json` prints (src/results/report_extras.cpp); summary.py merges them into its
object. Each section appears only when the results file has its datasets.
"""
import datetime
import re

import numpy as np

from results import family_table

TOP_INSTRUCTIONS = 10
DAY = 86400
# name -> (/layers column, label); ages in whole days before the census, floored.
AGE_DISTRIBUTIONS = {
    "layer_history_age_days": ("history_created", "layer age (history created), days"),
    "layer_mtime_age_days": ("mtime_max", "layer age (newest file mtime), days"),
}


def build_instruction(created_by: str) -> str:
    """First word after `/bin/sh -c` (`#(nop)` skipped, a plain shell command is RUN), or of BuildKit's form."""
    s = created_by.strip()
    if not s:
        return "(unknown)"
    if s.startswith("|"):  # the classic builder's RUN with build arguments: "|2 A=1 B=2 /bin/sh -c ..."
        return "RUN"
    if s.startswith("/bin/sh -c"):
        s = s[len("/bin/sh -c"):].strip()
        if not s.startswith("#(nop)"):
            return "RUN"
        s = s[len("#(nop)"):].strip()
    word = re.split(r"[ \t\n]", s, maxsplit=1)[0]
    if not word or not re.fullmatch(r"[A-Za-z]+", word):
        return "(other)"
    return word.upper()


def census_time(res) -> int:
    """The census's time (root attribute created_utc) as Unix seconds; -1 if it does not parse."""
    try:
        when = datetime.datetime.strptime(str(res.attrs.get("created_utc", "")), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return -1
    return int(when.replace(tzinfo=datetime.timezone.utc).timestamp())


def age_values(res, layers_status_ok) -> dict:
    """name -> sorted ages in days of the ok layers with a known time, for the columns the file has."""
    reference = census_time(res)
    out = {}
    if reference < 0:
        return out
    columns = res.columns("layers")
    for name, (column, _) in AGE_DISTRIBUTIONS.items():
        if column not in columns:
            continue
        when = res.table("layers", columns=[column])[column][layers_status_ok]
        when = when[when >= 0]
        out[name] = np.sort((reference - when) // DAY)
    return out


def _number_column(name: str) -> bool:
    return name == "count" or name.endswith("_bytes")


def tables(res) -> dict | None:
    if "tables" not in res:
        return None
    out = {}
    group = res._file["tables"]
    for name in sorted(group):
        columns = sorted(group[name])
        data = {c: res.table("tables/" + name, columns=[c])[c] for c in columns}
        out[name] = [{c: (int(data[c][r]) if _number_column(c) else str(data[c][r])) for c in columns}
                     for r in range(len(data["count"]))]
    return out


def environment(res) -> dict | None:
    if "runs_as_root" not in res.columns("images"):
        return None
    im = res.table("images", columns=["status", "runs_as_root", "history_mismatch", "exposed_ports", "entrypoint"])
    keep = (im["status"] == "ok") & (im["runs_as_root"] >= 0)
    return {"images": int(keep.sum()), "runs_as_root": int((im["runs_as_root"][keep] == 1).sum()),
            "exposing_ports": int(sum(1 for p in im["exposed_ports"][keep] if p)),
            "with_entrypoint": int(sum(1 for e in im["entrypoint"][keep] if e)),
            "history_mismatch": int((im["history_mismatch"][keep] == 1).sum())}


def build_instructions(res) -> dict | None:
    if "image_layers" not in res or "created_by" not in res.columns("image_layers"):
        return None
    il = res.table("image_layers", columns=["layer", "created_by"])
    layers = res.table("layers", columns=["status", "compressed_bytes"])
    instruction = [""] * len(layers["status"])
    for layer, created_by in zip(il["layer"], il["created_by"]):
        if 0 <= layer < len(instruction) and not instruction[layer] and created_by.strip():
            instruction[layer] = build_instruction(created_by)
    rows = {}
    for l, status in enumerate(layers["status"]):
        if status != "ok":
            continue
        row = rows.setdefault(instruction[l] or "(unknown)", [0, 0])
        row[0] += 1
        row[1] += max(int(layers["compressed_bytes"][l]), 0)
    by_name = sorted(rows.items())  # ties stay in name order
    out = {}
    for key, index in (("by_layers", 0), ("by_bytes", 1)):
        ranked = sorted(by_name, key=lambda item: -item[1][index])[:TOP_INSTRUCTIONS]
        out[key] = [{"instruction": name, "layers": v[0], "compressed_bytes": v[1]} for name, v in ranked]
    return out


def _dedup_row(name_key, name, files, unique, size, unique_bytes) -> dict:
    return {name_key: name, "file_count": files, "unique_file_count": unique,
            "ratio_by_count": files / unique if unique > 0 else 0.0, "file_bytes": size,
            "unique_bytes": unique_bytes, "ratio_by_bytes": size / unique_bytes if unique_bytes > 0 else 0.0}


def _dedup_rows(t, name_key) -> list:
    return [_dedup_row(name_key, str(t["type"][i]), int(t["file_count"][i]), int(t["unique_file_count"][i]),
                       int(t["file_bytes"][i]), int(t["unique_bytes"][i]))
            for i in range(len(t["type"])) if int(t["file_count"][i]) > 0]


def dedup_by_type(res) -> list | None:
    return _dedup_rows(res.table("filetypes"), "type") if "filetypes" in res else None


def dedup_by_family(res) -> list | None:
    return _dedup_rows(family_table(res.table("filetypes")), "family") if "filetypes" in res else None


def compute_extras(res) -> dict:
    """The extra members of the summary object, in the order regcensus report prints them."""
    out = {}
    for key, section in (("tables", tables), ("environment", environment),
                         ("build_instructions", build_instructions), ("dedup_by_type", dedup_by_type), ("dedup_by_family", dedup_by_family)):
        value = section(res)
        if value is not None:
            out[key] = value
    return out


def markdown_extras(s: dict, kinds: bool = False) -> list:
    """Markdown lines of the extra sections of a summary object (those it has)."""
    lines = []
    for name, rows in s.get("tables", {}).items():
        if not rows:
            continue
        keys = [k for k in rows[0] if k != "count" and not k.endswith("_bytes")]
        lines += ["", f"| {name.replace('_', ' ')}: {' / '.join(keys)} | count |", "| --- | ---: |"]
        lines += [f"| {' / '.join(str(r[k]) or '(none)' for k in keys)} | {r['count']:,} |" for r in rows]
    env = s.get("environment")
    if env:
        lines += ["", "| execution environment (ok images with a config) | images |", "| --- | ---: |"]
        lines += [f"| {k.replace('_', ' ')} | {v:,} |" for k, v in env.items()]
    instructions = s.get("build_instructions")
    if instructions:
        lines += ["", "| build instruction (most distinct layers) | layers | compressed bytes |", "| --- | ---: | ---: |"]
        lines += [f"| {r['instruction']} | {r['layers']:,} | {r['compressed_bytes']:,} |"
                  for r in instructions["by_layers"]]
    # Families by default, as the report prints them; categories with --kinds.
    key, name, label = ("dedup_by_type", "type", "file type") if kinds else \
        ("dedup_by_family", "family", "file-type family")
    rows = s.get(key)
    if rows:
        lines += ["", f"| {label} | files | files / contents | bytes / distinct bytes |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {r[name]} | {r['file_count']:,} | {r['ratio_by_count']:.4g} | {r['ratio_by_bytes']:.4g} |"
                  for r in rows]
    return lines
