"""Execution environment, build history, dataset tables and crawl columns
(docs/execution-environment.md) of a real census (mpirun -np 2, a real
docker-registry) of the synth corpus, figure for figure against the generator's
ground truth: configs with users, ports, entrypoints, labels, empty-layer
history steps and one history that does not pair with the layers."""
import datetime

import h5py
import pytest

from conftest import mpirun

ENVIRONMENT_STRINGS = ["os", "architecture", "variant", "user", "exposed_ports", "entrypoint", "cmd", "workdir",
                       "docker_version", "author", "config_media_type"]
ENVIRONMENT_INTS = ["runs_as_root", "env_count", "label_count", "history_count", "empty_layer_count",
                    "config_bytes", "manifest_bytes", "history_mismatch"]
CRAWL_HEADER = "#reference\tpull_count\tstar_count\tlast_updated\tis_official\tsource"


def crawl_columns(row):
    """The crawl columns the test's list gives row `row`: a time, official or not, a source; row 3 has none."""
    if row == 3:
        return "", "", ""
    when = datetime.datetime(2024, 1, 1 + row % 28, 12, 0, 30, 250000, tzinfo=datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), str(row % 2), "namespace:synth" if row % 3 else "catalog"


@pytest.fixture(scope="module")
def census(corpus, registry, tmp_path_factory):
    work = tmp_path_factory.mktemp("environment")
    rows = [line for line in corpus["images"].read_text().splitlines() if line and not line.startswith("#")]
    listed = work / "images.txt"
    listed.write_text(CRAWL_HEADER + "\n" + "".join(
        line + "\t" + "\t".join(crawl_columns(i)) + "\n" for i, line in enumerate(rows)))
    mpirun(2, "run", "--registry", registry.url, "--images", listed, "--out", work / "results.h5",
           "--work", work / "work")
    with h5py.File(work / "results.h5", "r") as f:
        def table(name):
            def value(v):
                if isinstance(v, bytes):
                    return v.decode()
                return float(v) if isinstance(v, float) else int(v)  # efficiency is float64 (NaN when not ok)
            return {k: [value(v) for v in f[name][k][:]] for k in f[name] if f[name][k].ndim == 1}
        tables = {name: table("tables/" + name) for name in f["tables"]}
        yield {"images": table("images"), "layers": table("layers"), "image_layers": table("image_layers"),
               "tables": tables, "file": work / "results.h5", "rows": rows}


def test_environment_columns_equal_ground_truth(census, corpus):
    images = census["images"]
    truth = corpus["truth"]["images"]
    assert len(images["user"]) == len(truth)
    for i, want in enumerate(truth):
        if want["status"] != "ok":
            assert [images[k][i] for k in ENVIRONMENT_STRINGS] == [""] * len(ENVIRONMENT_STRINGS)
            assert [images[k][i] for k in ENVIRONMENT_INTS] == [-1] * len(ENVIRONMENT_INTS)
            continue
        for k in ENVIRONMENT_STRINGS + ENVIRONMENT_INTS:
            assert images[k][i] == want["environment"][k], (want["reference"], k)
    # The corpus has what the columns are for: every kind of user, ports, entrypoints, one mismatch.
    ok = [i for i, t in enumerate(truth) if t["status"] == "ok"]
    assert {images["user"][i] for i in ok} == {"", "app", "1000:1000", "0:0"}
    assert {images["runs_as_root"][i] for i in ok} == {0, 1}
    assert "443/tcp,8080/tcp" in images["exposed_ports"]
    assert '["/docker-entrypoint.sh","--"]' in images["entrypoint"]
    assert sum(images["history_mismatch"][i] for i in ok) >= 1
    assert all(images["history_mismatch"][i] in (0, 1) for i in ok)


def test_image_layers_pair_history_with_layers(census, corpus):
    images, il = census["images"], census["image_layers"]
    truth = corpus["truth"]["images"]
    offsets, rows = images["layer_offsets"], images["layer_rows"]
    assert il["layer"] == rows
    assert len(il["image"]) == offsets[-1]
    for i, want in enumerate(truth):
        span = range(offsets[i], offsets[i + 1])
        assert [il["image"][k] for k in span] == [i] * len(span)
        assert [il["position"][k] for k in span] == list(range(len(span)))
        if want["status"] != "ok":
            assert len(span) == 0
            continue
        assert [il["created"][k] for k in span] == want["layer_created"], want["reference"]
        assert [il["created_by"][k] for k in span] == want["layer_created_by"], want["reference"]
    mismatched = [i for i, t in enumerate(truth) if t["status"] == "ok" and t["environment"]["history_mismatch"]]
    assert mismatched
    for i in mismatched:
        span = range(offsets[i], offsets[i + 1])
        assert {il["created"][k] for k in span} == {-1} and {il["created_by"][k] for k in span} == {""}


def test_layer_history_created_is_first_appearance(census, corpus):
    first = {}
    for image in corpus["truth"]["images"]:
        if image["status"] != "ok":
            continue
        for digest, created in zip(image["layers"], image["layer_created"]):
            if created >= 0:
                first[digest] = min(first.get(digest, created), created)
    layers = census["layers"]
    for row, digest in enumerate(layers["digest"]):
        assert layers["history_created"][row] == first.get(digest, -1), digest


def counted(pairs):
    out = {}
    for key, amount in pairs:
        count, total = out.get(key, (0, 0))
        out[key] = (count + 1, total + amount)
    return out


def table_rows(table, keys, second=None):
    return {tuple(table[k][r] for k in keys) if len(keys) > 1 else table[keys[0]][r]:
            (table["count"][r], table[second][r] if second else 0) for r in range(len(table["count"]))}


def test_dataset_tables_equal_ground_truth(census, corpus):
    truth = corpus["truth"]
    t = census["tables"]
    assert table_rows(t["images_by_status"], ["status"]) == counted((i["status"], 0) for i in truth["images"])
    assert table_rows(t["layers_by_status"], ["status"]) == {"ok": (len(truth["layers"]), 0)}
    assert table_rows(t["layers_by_compression"], ["compression", "media_type"], "compressed_bytes") == counted(
        ((l["compression"], l["media_type"]), l["compressed_bytes"]) for l in truth["layers"].values())
    configs, manifests = {}, {}
    for image in truth["images"]:
        if image["status"] != "ok":
            continue
        env = image["environment"]
        configs[image["manifest_digest"]] = (env["config_media_type"], env["config_bytes"])
        manifests[image["manifest_digest"]] = image["media_type"]
        if image["index_digest"]:
            manifests[image["index_digest"]] = ("index" if "oci" in image["media_type"] else "list")
    assert table_rows(t["configs_by_media_type"], ["media_type"], "config_bytes") == counted(configs.values())
    got = table_rows(t["manifests_by_media_type"], ["media_type"])
    want = counted((m, 0) for m in manifests.values())
    assert got.pop("application/vnd.oci.image.index.v1+json") == want.pop("index")
    assert got.pop("application/vnd.docker.distribution.manifest.list.v2+json") == want.pop("list")
    assert got == want
    # Largest count first.
    for table in t.values():
        assert table["count"] == sorted(table["count"], reverse=True)


def test_crawl_columns_travel_into_images(census):
    images = census["images"]
    for i in range(len(census["rows"])):
        when, official, source = crawl_columns(i)
        want_time = int(datetime.datetime.strptime(when, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()) if when else -1
        assert images["last_updated"][i] == want_time
        assert images["is_official"][i] == (int(official) if official else -1)
        assert images["source"][i] == source


def test_new_datasets_have_descriptions(census):
    with h5py.File(census["file"], "r") as f:
        names = ["images/" + k for k in ENVIRONMENT_STRINGS + ENVIRONMENT_INTS +
                 ["last_updated", "is_official", "source", "index_media_type"]]
        names += ["image_layers/" + k for k in f["image_layers"]] + ["layers/history_created"]
        names += ["tables/%s/%s" % (g, k) for g in f["tables"] for k in f["tables"][g]]
        for name in names:
            assert f[name].attrs["description"], name
        for name in ["images/config_bytes", "images/manifest_bytes", "tables/configs_by_media_type/config_bytes",
                     "tables/layers_by_compression/compressed_bytes"]:
            assert f[name].attrs["units"] == "bytes", name
        for name in ["image_layers/created", "layers/history_created", "images/last_updated"]:
            assert f[name].attrs["units"] == "seconds since 1970-01-01 UTC", name


def test_report_sections_equal_ground_truth(census, corpus):
    """report --json and summary.py --json agree, and their new sections are the ground truth's."""
    import json
    import sys

    from conftest import BIN, run
    from test_analysis import ANALYSIS, run_script
    sys.path.insert(0, ANALYSIS)
    from extras import build_instruction

    report = json.loads(run([BIN, "report", census["file"], "--json"]).stdout)
    assert report == json.loads(run_script("summary.py", census["file"], "--json"))
    truth = corpus["truth"]
    ok = [t for t in truth["images"] if t["status"] == "ok"]
    env = [t["environment"] for t in ok]
    assert report["environment"] == {
        "images": len(ok), "runs_as_root": sum(e["runs_as_root"] for e in env),
        "exposing_ports": sum(1 for e in env if e["exposed_ports"]),
        "with_entrypoint": sum(1 for e in env if e["entrypoint"]),
        "history_mismatch": sum(e["history_mismatch"] for e in env)}
    # Each distinct layer counted once, under the instruction of its first (image, position) row.
    first = {}
    for image in ok:
        for digest, created_by in zip(image["layers"], image["layer_created_by"]):
            if created_by and digest not in first:
                first[digest] = build_instruction(created_by)
    rows = {}
    for digest, layer in truth["layers"].items():
        row = rows.setdefault(first.get(digest, "(unknown)"), [0, 0])
        row[0] += 1
        row[1] += layer["compressed_bytes"]
    want = sorted(({"instruction": k, "layers": v[0], "compressed_bytes": v[1]} for k, v in rows.items()),
                  key=lambda r: (-r["layers"], r["instruction"]))
    assert report["build_instructions"]["by_layers"] == want[:10]
    assert {r["instruction"] for r in want} >= {"RUN", "COPY", "ADD", "(unknown)"}
    # Ages in days before the census, from the history's first appearance.
    with h5py.File(census["file"], "r") as f:
        when = datetime.datetime.strptime(f.attrs["created_utc"], "%Y-%m-%dT%H:%M:%SZ")
    reference = int(when.replace(tzinfo=datetime.timezone.utc).timestamp())
    ages = sorted((reference - c) // 86400 for c in census["layers"]["history_created"] if c >= 0)
    d = report["distributions"]["layer_history_age_days"]
    assert d["n"] == len(ages) and d["p50"] == ages[(50 * len(ages) + 99) // 100 - 1]
    text = run([BIN, "report", census["file"]]).stdout
    assert "layer age (history created), days" in text and "build instructions" in text
    assert "history does not pair with layers" in text and "dataset tables" in text


def test_build_instruction_words():
    import sys

    from test_analysis import ANALYSIS
    sys.path.insert(0, ANALYSIS)
    from extras import build_instruction
    cases = {"/bin/sh -c #(nop)  CMD [\"sh\"]": "CMD", "/bin/sh -c #(nop) ADD file:x in / ": "ADD",
             "/bin/sh -c apt-get update": "RUN", "|2 A=1 B=2 /bin/sh -c make": "RUN",
             "COPY . /app # buildkit": "COPY", "RUN /bin/sh -c make # buildkit": "RUN", "": "(unknown)",
             "  ": "(unknown)", "/usr/bin/env": "(other)", "workdir /app": "WORKDIR"}
    for created_by, want in cases.items():
        assert build_instruction(created_by) == want, created_by


def test_directory_distributions_equal_ground_truth(census, corpus):
    """Depth with one bin per depth, and directory sizes (direct and recursive) over every distinct directory."""
    truth = corpus["truth"]["histograms"]
    with h5py.File(census["file"], "r") as f:
        h = f["histograms"]
        assert h["directory_depth"].attrs["binning"] == "linear"
        assert h["directory_depth/counts"][:].tolist() == truth["directory_depth"]
        assert h["directory_depth/lower"][:].tolist() == list(range(len(truth["directory_depth"])))
        for name in ("directory_direct_bytes", "directory_recursive_bytes"):
            assert h[name].attrs["binning"] == "pow2"
            assert h[name].attrs["units"] == "bytes"
            assert h[name + "/counts"][:].tolist() == truth[name], name
        # Every distinct directory is counted once in each.
        dirs = sum(truth["directory_depth"])
        assert sum(truth["directory_direct_bytes"]) == sum(truth["directory_recursive_bytes"]) == dirs
        assert f["layers/directory_depth_counts"][:].sum(axis=0).tolist() == truth["directory_depth"]


EXTRA_FIGURES = ["dataset_tables", "directory_size", "dedup_by_type", "build_instructions", "union_files_per_image"]


def test_figures_of_the_new_datasets_and_the_growth_log(census, tmp_path):
    import subprocess

    from test_analysis import ANALYSIS, PNG_MAGIC, PYTHON
    log = tmp_path / "growth.tsv"
    log.write_text("2026-01-01T00:00:00Z\tnamespace:library\t100\n2026-01-02T00:00:00Z\tnamespace:library\t130\n"
                   "2026-01-02T00:00:00Z\tcatalog\t50\n2026-01-03T00:00:00Z\timages\t170\n")
    out = tmp_path / "figures"
    proc = subprocess.run([PYTHON, f"{ANALYSIS}/figures.py", census["file"], "--out", out, "--growth-log", log],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in EXTRA_FIGURES + ["growth", "directory_depth"]:
        assert (out / f"{name}.png").read_bytes().startswith(PNG_MAGIC), (name, proc.stdout)
    # A version 2 file has the union view: the per-image figure draws it, with no note of summing.
    union = [line for line in proc.stdout.splitlines() if "union_files_per_image" in line]
    assert union and "sums over layers" not in union[0]
    # The growth log alone, without a results file.
    alone = subprocess.run([PYTHON, f"{ANALYSIS}/figures.py", "--out", tmp_path / "g", "--growth-log", log],
                           capture_output=True, text=True, timeout=300)
    assert alone.returncode == 0 and (tmp_path / "g" / "growth.png").exists(), alone.stderr
    bad = tmp_path / "bad.tsv"
    bad.write_text("not a growth log\n")
    refused = subprocess.run([PYTHON, f"{ANALYSIS}/figures.py", "--out", tmp_path / "b", "--growth-log", bad],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1 and "bad.tsv:1" in refused.stderr
