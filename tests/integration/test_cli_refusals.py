"""Issue 16: refuse what is wrong (exit 2, one line naming the problem), say
what happened (one log format, failure lists, one-line file errors,
--version). Every case asserts the exit code and the text (docs/cli.md,
docs/logging.md, docs/status.md)."""
import json
import re
import subprocess

import pytest

from conftest import BIN, MPI_ENV

CONFIG_COMMANDS = ["run", "plan", "merge", "status", "crawl"]


def invoke(*args, cwd=None):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, env=MPI_ENV, cwd=cwd)


def refused(result, message):
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert message in result.stderr, result.stderr
    # One line naming the problem, one pointing at --help.
    assert len(result.stderr.strip().splitlines()) == 2, result.stderr


def long_options(command):
    return set(re.findall(r"^\s+(?:-\w, )?--([a-z][a-z0-9-]*)", invoke(command, "--help").stdout, re.M))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A 3-image synth layout and a list with one more image that does not exist."""
    root = tmp_path_factory.mktemp("small")
    subprocess.run([str(BIN), "synth", "--out", root / "c", "--images", "3", "--seed", "5"], check=True,
                   capture_output=True, env=MPI_ENV)
    lines = (root / "c" / "images.txt").read_text() + "nothere/app:1\n"
    (root / "list.txt").write_text(lines)
    return root


def census_args(small, work, out):
    return ["--layout", small / "c" / "layout", "--images", small / "list.txt", "--work", work, "--out", out]


# ---- refusals ----

def test_unknown_job_file_key_is_refused_with_the_closest_key(tmp_path):
    job = tmp_path / "job.cfg"
    job.write_text("work = w\nplaform = linux/arm64\n")
    for command in ("status", "run"):
        refused(invoke(command, "--config", job), f"job file {job}: unknown key 'plaform' (did you mean 'platform'?)")
    job.write_text("work = w\nfrobnicate = 1\n")
    refused(invoke("status", "--config", job), f"job file {job}: unknown key 'frobnicate'\n")


@pytest.mark.parametrize("command, args, message", [
    ("status", ["--work", "{tmp}/none"], "{tmp}/none: no such work directory"),
    ("crawl", ["--registry", "http://127.0.0.1:9", "--out", "{tmp}/afile/o"], "--out {tmp}/afile/o: {tmp}/afile is not a directory"),
    ("merge", ["--work", "{tmp}/w", "--out", "{tmp}/afile/o"], "--out {tmp}/afile/o: {tmp}/afile is not a directory"),
])
def test_job_file_keys_of_the_other_commands_are_accepted(command, args, message, tmp_path):
    """One job file serves run, plan, merge, status and crawl: a key of any of them is no error elsewhere."""
    own = long_options(command)
    others = set().union(*(long_options(c) for c in CONFIG_COMMANDS)) - own - {"help", "config"}
    assert {"platform", "hub-url", "failed"} & others
    job = tmp_path / "job.cfg"
    job.write_text("".join(f"{key} = x\n" for key in sorted(others)))
    (tmp_path / "afile").write_text("x")
    result = invoke(command, "--config", job, *[a.format(tmp=tmp_path) for a in args])
    # The job file was read (and its keys skipped): the command went on to its own checks.
    assert message.format(tmp=tmp_path) in result.stderr, result.stderr
    assert "unknown key" not in result.stderr


def test_stray_words_are_refused(tmp_path):
    refused(invoke("run", "--work", "w", "--images", "i", "--out", "o.h5", "--registry", "http://127.0.0.1:9",
                   "extra", cwd=tmp_path), "unexpected argument 'extra' (every value follows its --option)")
    refused(invoke("status", "--work", "w", "again"), "unexpected argument 'again'")
    refused(invoke("report", "a.h5", "b.h5"), "more arguments than the command takes")


@pytest.mark.parametrize("args, message", [
    (["--registry", "http://127.0.0.1:9", "--layout", "l"],
     "--registry and --layout contradict each other: give one source of images"),
    (["--layout", "l", "--auth-file", "a.json"], "--auth-file applies to --registry, not to --layout"),
    (["--layout", "l", "--insecure-skip-tls-verify"], "--insecure-skip-tls-verify applies to --registry"),
])
def test_contradicting_sources_are_refused(args, message, tmp_path):
    refused(invoke("run", "--work", "w", "--images", "i", "--out", "o.h5", *args, cwd=tmp_path), message)
    refused(invoke("plan", "--work", "w", "--images", "i", *args, cwd=tmp_path), message)


def test_an_option_taken_as_a_value_is_refused(tmp_path):
    refused(invoke("run", "--work", "w", "--images", "i", "--out", "o.h5", "--auth-file", "--layout", "l",
                   cwd=tmp_path), "--auth-file is missing its value (the next word, '--layout', is an option)")
    refused(invoke("crawl", "--registry", "--out", "x"), "--registry is missing its value (the next word, '--out'")


RUN = ["run", "--work", "w", "--images", "i", "--out", "o.h5", "--registry", "http://127.0.0.1:9"]
FETCH = ["fetch", "--images", "x", "--registry", "http://127.0.0.1:9", "--layout", "l"]


@pytest.mark.parametrize("args, message", [
    (RUN + ["--concurrency", "0"], "--concurrency must be at least 1"),
    (RUN + ["--concurrency", "-3"], "--concurrency must be at least 1"),
    (RUN + ["--top", "0"], "--top must be at least 1"),
    (RUN + ["--top", "-1"], "--top must be at least 1"),
    (RUN + ["--retries", "-1"], "--retries must be 0 or more"),
    (RUN + ["--progress", "-1"], "--progress must be 0 (none) or more seconds"),
    (RUN + ["--max-ratio", "0"], "--max-ratio must be positive"),
    (RUN + ["--max-layer-bytes", "0"], "--max-layer-bytes must be positive"),
    (RUN + ["--memory-per-rank", "0"], "--memory-per-rank must be positive"),
    (RUN + ["--max-requests-per-second", "-1"], "--max-requests-per-second must be 0 (no cap) or more"),
    (FETCH + ["--retries", "-2"], "--retries must be 0 or more"),
    (["crawl", "--registry", "http://127.0.0.1:9", "--out", "o", "--concurrency", "0"], "--concurrency must be at least 1"),
    (["crawl", "--registry", "http://127.0.0.1:9", "--out", "o", "--retries", "-1"], "--retries must be 0 or more"),
    (["crawl", "--registry", "http://127.0.0.1:9", "--out", "o", "--max-query-length", "0"],
     "--max-query-length must be at least 1"),
    (["push", "--layout", "l", "--registry", "http://127.0.0.1:9", "--retries", "-1"], "--retries must be 0 or more"),
    (["synth", "--out", "s", "--images", "0"], "--images must be at least 1"),
    (["analyze-layer", "--max-layer-bytes", "0", "f"], "--max-layer-bytes must be positive"),
])
def test_zero_and_negative_counts_are_refused(args, message, tmp_path):
    refused(invoke(*args, cwd=tmp_path), message)


@pytest.mark.parametrize("value", ["2X", "-1G", "G", "1,5G"])
def test_a_size_that_is_no_size_is_refused(value, tmp_path):
    refused(invoke(*RUN, "--memory-per-rank", value, cwd=tmp_path),
            f"--memory-per-rank takes a size (a number with an optional unit: 512MiB, 2G, 1.5GB, 4096), not '{value}'")


def test_help_prints_size_defaults_in_units():
    text = invoke("run", "--help").stdout
    assert re.search(r"--memory-per-rank arg \(=2GiB\)", text), text
    assert re.search(r"--max-layer-bytes arg \(=256GiB\)", text), text
    assert re.search(r"--min-transfer-rate arg \(=64KiB\)", text), text
    assert re.search(r"--shard-bytes arg \(=auto\)", text), text
    assert re.search(r"--max-layer-bytes arg \(=256GiB\)", invoke("analyze-layer", "--help").stdout)
    assert re.search(r"--min-transfer-rate arg \(=64KiB\)", invoke("fetch", "--help").stdout)


def test_sizes_with_units_reach_the_plan(small, tmp_path):
    import h5py
    out = tmp_path / "r.h5"
    result = invoke("run", *census_args(small, tmp_path / "w", out), "--shard-bytes", "3MiB",
                    "--max-layer-bytes", "1.5G", "--memory-per-rank", "64M", "--progress", "0")
    assert result.returncode == 0, result.stderr
    with h5py.File(out) as f:
        provenance = dict(f["provenance"].attrs)
    assert provenance["shard_bytes"] == 3 << 20  # /provenance keeps numbers as numbers
    assert provenance["max_layer_bytes"] == int(1.5 * (1 << 30))


@pytest.mark.parametrize("out, message", [
    ("afile/sub/r.h5", "--out afile/sub/r.h5: afile is not a directory"),
    ("afile/r.h5", "--out afile/r.h5: afile is not a directory"),
    (".", "--out .: is a directory"),
    ("/proc/new/r.h5", "--out /proc/new/r.h5: cannot create a file in /proc ("),
])
def test_an_out_that_cannot_be_written_is_refused_before_any_work(out, message, small, tmp_path):
    (tmp_path / "afile").write_text("x")
    args = census_args(small, tmp_path / "work", out)
    refused(invoke("run", *args, cwd=tmp_path), message)
    refused(invoke("merge", "--work", tmp_path / "work", "--out", out, cwd=tmp_path), message)
    assert not (tmp_path / "work").exists()  # nothing was planned
    refused(invoke("crawl", "--registry", "http://127.0.0.1:9", "--out", out, cwd=tmp_path),
            message.replace("r.h5", "r.h5"))


def test_a_relative_out_in_a_missing_directory_is_created(small, tmp_path):
    """`--out results/r.h5` with no results/ yet: the writer creates it (the probe looks in the current directory)."""
    result = invoke("run", *census_args(small, tmp_path / "work", "results/r.h5"), "--progress", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "results" / "r.h5").is_file()


def test_bad_log_format_is_refused():
    result = invoke("status", "--log-format", "xml", "--work", "w")
    assert result.returncode == 2
    assert result.stderr == "regcensus status: --log-format must be text or json, not 'xml'\n"


# ---- say what happened ----

LINE = re.compile(r"^\[regcensus (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\d+\.\d)s rank (\d+) (error|warning|info|debug)\] ")


def test_one_log_format_with_time_elapsed_rank_and_level(small, tmp_path):
    result = invoke("run", *census_args(small, tmp_path / "w", tmp_path / "r.h5"), "--progress", "0.000001")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(LINE.match(line) for line in lines), result.stderr
    # The plan phase reports progress like the analysis: count, percentage, rate, ETA.
    progress = [l for l in lines if re.search(r"\] plan: images \d+/6 \(\d+\.\d%\), \d+ failed, [\d.]+ images/s, ETA -?\d+s$", l)]
    assert progress, result.stderr
    assert any(re.search(r"\] progress: layers \d+/\d+, [\d.]+/[\d.]+ MB \(\d+\.\d%\)", l) for l in lines), result.stderr


def test_quiet_keeps_only_warnings_and_errors(small, tmp_path):
    result = invoke("run", "-q", *census_args(small, tmp_path / "w", tmp_path / "r.h5"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "r.h5").exists()


def test_json_log_lines(small, tmp_path):
    result = invoke("run", "--log-format", "json", *census_args(small, tmp_path / "w", tmp_path / "r.h5"))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records
    for record in records:
        assert list(record) == ["time", "elapsed", "rank", "level", "command", "message"]
        assert record["command"] == "run" and record["rank"] == 0 and record["level"] == "info"
    assert any(r["message"].startswith("failures: 2 of 6 images (manifest_unknown 2)") for r in records)


@pytest.fixture(scope="module")
def damaged(small, tmp_path_factory):
    """The small census with one layer blob overwritten (same size): the layer is
    digest_mismatch, the images holding it layer_failed, two images manifest_unknown."""
    import shutil
    root = tmp_path_factory.mktemp("damaged")
    layout = root / "layout"
    shutil.copytree(small / "c" / "layout", layout)
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"]
    manifest = json.loads((layout / "blobs" / "sha256" / manifest_digest.split(":")[1]).read_text())
    layer = manifest["layers"][0]["digest"]
    blob = layout / "blobs" / "sha256" / layer.split(":")[1]
    blob.write_bytes(b"\0" * blob.stat().st_size)
    out = root / "r.h5"
    result = invoke("run", "--layout", layout, "--images", small / "list.txt", "--work", root / "w", "--out", out)
    assert result.returncode == 0, result.stderr
    import h5py
    with h5py.File(out) as f:
        images = [(r.decode(), s.decode()) for r, s in zip(f["images/reference"][:], f["images/status"][:])]
    return {"out": out, "work": root / "w", "layer": layer, "stderr": result.stderr, "images": images}


def test_end_of_run_lists_failures_by_status(damaged):
    failed_images = [r for r, s in damaged["images"] if s != "ok"]
    layer_failed = sum(s == "layer_failed" for _, s in damaged["images"])
    assert layer_failed >= 1
    assert f"failures: {len(failed_images)} of 6 images (layer_failed {layer_failed}, manifest_unknown 2), " \
           f"1 of " in damaged["stderr"]
    assert re.search(r"1 of \d+ layers \(digest_mismatch 1\)", damaged["stderr"]), damaged["stderr"]
    assert f"  layer {damaged['layer']}  digest_mismatch  " in damaged["stderr"]
    assert "  image nothere/app:1  manifest_unknown  " in damaged["stderr"]
    assert f"every failed row: regcensus report {damaged['out']} --failures" in damaged["stderr"]


def test_report_and_status_list_every_failure(damaged):
    failed_images = [(r, s) for r, s in damaged["images"] if s != "ok"]
    # status reads the work directory: images that failed to resolve (layer_failed is decided by the merge).
    for result, images in ((invoke("report", damaged["out"], "--failures"), failed_images),
                           (invoke("status", "--work", damaged["work"], "--failures"),
                            [(r, s) for r, s in failed_images if s != "layer_failed"])):
        assert result.returncode == 0, result.stderr
        rows = [l for l in result.stdout.splitlines() if l.startswith(("image ", "layer "))]
        assert [tuple(l.split("  ")[:2]) for l in rows if l.startswith("image")] == \
            [(f"image {r}", s) for r, s in images]
        assert [tuple(l.split("  ")[:2]) for l in rows if l.startswith("layer")] == \
            [(f"layer {damaged['layer']}", "digest_mismatch")]
    as_json = json.loads(invoke("report", damaged["out"], "--failures", "--json").stdout)
    assert as_json["images"] == 6
    assert as_json["layer_failures"] == {"digest_mismatch": 1}
    assert as_json["failed_layers"][0]["digest"] == damaged["layer"]
    assert as_json["failed_layers"][0]["retryable"] is False
    assert [i["reference"] for i in as_json["failed_images"]] == [r for r, _ in failed_images]


def test_status_json(damaged):
    result = invoke("status", "--work", damaged["work"], "--json")
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert state["images"] == 6
    assert state["pending"] == {"shards": 0, "bytes": 0, "invalid": 0}
    assert state["done"]["failed_layers"] == 1 and state["done"]["retryable_layers"] == 0
    assert state["rerun_shards"] == ""
    assert state["layer_failures"] == {"digest_mismatch": 1}
    assert state["image_failures"]["manifest_unknown"] == 2


def test_file_errors_are_one_line_with_path_and_cause(tmp_path):
    (tmp_path / "text.h5").write_text("not hdf5\n")
    (tmp_path / "planning").mkdir()
    (tmp_path / "planning" / "lock").write_text("")
    (tmp_path / "empty").mkdir()
    cases = [
        (("report", tmp_path / "missing.h5"), f"regcensus report: error: cannot open {tmp_path}/missing.h5: No such file or directory"),
        (("report", tmp_path / "text.h5"), f"regcensus report: error: cannot open {tmp_path}/text.h5: not an HDF5 file"),
        (("status", "--work", tmp_path / "nowork"), f"regcensus status: error: {tmp_path}/nowork: no such work directory"),
        (("status", "--work", tmp_path / "empty"),
         f"regcensus status: error: {tmp_path}/empty is not a regcensus work directory (no plan.h5)"),
        (("status", "--work", tmp_path / "planning"),
         f"regcensus status: error: {tmp_path}/planning holds no plan yet: a run is planning in it"),
        (("merge", "--work", tmp_path / "planning", "--out", tmp_path / "o.h5"),
         f"regcensus merge: error: {tmp_path}/planning holds no plan yet"),
    ]
    for args, message in cases:
        result = invoke(*args)
        assert result.returncode == 1, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith(message), result.stderr
        assert "HDF5-DIAG" not in result.stderr


def test_version_prints_commit_and_libraries():
    import h5py
    result = invoke("--version")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"regcensus \d+\.\d+\.\d+ \(commit [0-9a-f]{12}(-dirty)?\)", lines[0]), lines[0]
    libraries = dict(re.match(r"  (\S+)\s+(.*)", line).groups() for line in lines[1:])
    assert list(libraries) == ["HDF5", "MPI", "libcurl", "libarchive", "OpenSSL", "zlib", "zstd", "xxHash",
                               "simdjson", "Boost"]
    assert libraries["HDF5"] == h5py.version.hdf5_version
    assert libraries["MPI"].startswith("Open MPI v")
    curl = subprocess.run(["curl-config", "--version"], capture_output=True, text=True)
    if curl.returncode == 0:
        assert libraries["libcurl"] == curl.stdout.split()[-1]
