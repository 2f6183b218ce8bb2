"""One work directory, one census (docs/trust.md, "durable"): a second run on a
work directory in use is refused at once naming the holder, Slurm array tasks
(`run --shards`) share it, a rerun whose plan parameters differ from the saved
plan's is refused (exit 2) unless --accept-plan, /provenance states the plan's
parameters, and temporaries of killed runs are removed."""
import random
import shutil
import subprocess
import time

import h5py
import pytest

from census_checks import datasets
from conftest import BIN, MPI_ENV, run
from hostile_server import (HostileServer, image_config, image_manifest, sha256_digest, tar_gz_layer,
                            wait_for)

TIMEOUT = 40


def call(*args, **kwargs):
    return subprocess.run([str(a) for a in args], env=MPI_ENV, capture_output=True, text=True, timeout=TIMEOUT,
                          **kwargs)


def start(*args):
    return subprocess.Popen([str(a) for a in args], env=MPI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def error_lines(stderr):
    """What the program said besides its timestamped log lines."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("[regcensus")]


def slow_registry(server, images, bytes_per_second):
    """`images` one-layer images whose layer blob is dripped, so a run on them lasts a few seconds."""
    references = []
    for i in range(images):
        # incompressible, so that the dripped blob is as long as its content
        layer = tar_gz_layer({f"file-{i}.bin": random.Random(i).randbytes(3000), f"same-{i}": b"x"})
        config = image_config([sha256_digest(layer)])
        repository = f"slow/image{i}"
        server.manifest(repository, "1", image_manifest(config, [layer]))
        server.blob(repository, sha256_digest(config), config)
        digest = sha256_digest(layer)
        server.route("GET", f"/v2/{repository}/blobs/{digest}",
                     lambda r, body=layer, d=digest: r.drip(body, bytes_per_second, {"Docker-Content-Digest": d}))
        references.append(f"{repository}:1")
    return references


@pytest.fixture
def slow_server(tmp_path):
    server = HostileServer().start()
    server.registry_root()
    yield server
    server.stop()


def census_args(registry_url, images, tmp_path, *extra):
    return ["run", "--registry", registry_url, "--images", images, "--work", tmp_path / "work",
            "--out", tmp_path / "results.h5", "--progress", "0", *extra]


def test_second_run_on_a_work_directory_in_use_is_refused(slow_server, tmp_path):
    references = slow_registry(slow_server, 1, 600)  # about 5 s
    images = tmp_path / "images.txt"
    images.write_text("\n".join(references) + "\n")
    first = start(BIN, *census_args(slow_server.url, images, tmp_path))
    try:
        assert wait_for(lambda: slow_server.requests_to("/blobs/") and (tmp_path / "work" / "plan.h5").exists(),
                        20), "the first run never reached its analysis"
        began = time.time()
        second = call(BIN, *census_args(slow_server.url, images, tmp_path, "--resume"))
        assert time.time() - began < 10
        assert second.returncode == 1, second.stderr
        lines = error_lines(second.stderr)
        assert len(lines) == 1, second.stderr
        assert "is in use by another regcensus" in lines[0]
        assert f"pid {first.pid} " in lines[0] and "(exclusive)" in lines[0], lines[0]
        assert first.poll() is None, "the first run ended before the second was refused"
        # merge and plan are refused the same way
        merge = call(BIN, "merge", "--work", tmp_path / "work", "--out", tmp_path / "other.h5")
        assert merge.returncode == 1 and f"pid {first.pid} " in merge.stderr, merge.stderr
        assert not (tmp_path / "other.h5").exists()
        _, stderr = first.communicate(timeout=TIMEOUT)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, stderr
    with h5py.File(tmp_path / "results.h5", "r") as f:
        assert [s.decode() for s in f["images/status"][()]] == ["ok"]
        assert f["images/file_count"][()].tolist() == [2]
    # the lock is released with the process: the work directory is usable again
    assert call(BIN, "status", "--work", tmp_path / "work").returncode == 0


def test_array_tasks_share_the_work_directory(slow_server, tmp_path):
    references = slow_registry(slow_server, 2, 1000)  # about 3 s each
    images = tmp_path / "images.txt"
    images.write_text("\n".join(references) + "\n")
    plan = run([BIN, "plan", "--registry", slow_server.url, "--images", images, "--work", tmp_path / "work",
                "--shard-bytes", "1"])
    assert plan.stdout.strip().splitlines()[-1] == "shards 2"
    tasks = [start(BIN, *census_args(slow_server.url, images, tmp_path, "--shard-bytes", "1", "--shards", str(i)))
             for i in (0, 1)]
    try:
        both_running = wait_for(lambda: len(slow_server.requests_to("/blobs/sha256")) >= 4, 20)
        alive = [t.poll() is None for t in tasks]
        # a whole run or a merge is refused while the tasks hold the directory
        merge = call(BIN, "merge", "--work", tmp_path / "work", "--out", tmp_path / "results.h5")
        outcomes = [t.communicate(timeout=TIMEOUT) for t in tasks]
    finally:
        for t in tasks:
            if t.poll() is None:
                t.kill()
                t.wait()
    assert both_running and all(alive), "the tasks did not run at the same time"
    assert [t.returncode for t in tasks] == [0, 0], outcomes
    assert merge.returncode == 1 and "(shared)" in merge.stderr, merge.stderr
    lock_records = (tmp_path / "work" / "lock").read_text().splitlines()
    # each task recorded itself after the plan's (stale) exclusive record
    assert "(exclusive)" in lock_records[0] and " plan " in lock_records[0]
    assert sorted(int(line.split()[3]) for line in lock_records[1:]) == sorted(t.pid for t in tasks)
    assert all("(shared)" in line and "--shards" in line for line in lock_records[1:])
    assert run([BIN, "status", "--work", tmp_path / "work", "--failed"]).stdout.strip() == ""
    run([BIN, "merge", "--work", tmp_path / "work", "--out", tmp_path / "results.h5"])
    with h5py.File(tmp_path / "results.h5", "r") as f:
        assert [s.decode() for s in f["images/status"][()]] == ["ok", "ok"]


@pytest.fixture(scope="module")
def planned(corpus, registry, tmp_path_factory):
    """A finished census of the corpus with its own copy of the image list."""
    root = tmp_path_factory.mktemp("planned")
    images = root / "images.txt"
    shutil.copy(corpus["images"], images)
    run([BIN, *census_args(registry.url, images, root, "--shard-bytes", "3000000")])
    return {"root": root, "images": images, "results": datasets(root / "results.h5")}


def copy_of(planned, tmp_path):
    shutil.copytree(planned["root"] / "work", tmp_path / "work")
    return tmp_path


@pytest.mark.parametrize("change,expected", [
    (["--platform", "linux/arm64"], "--platform linux/arm64 differs from the plan's linux/amd64"),
    (["--shard-bytes", "4000000"], "--shard-bytes 4000000 differs from the plan's 3000000"),
    (["--registry", "http://127.0.0.1:1"], "--registry http://127.0.0.1:1 differs from the plan's http://127.0.0.1:"),
    (["--all-platforms"], "--all-platforms true differs from the plan's false"),
])
def test_resume_with_other_parameters_is_refused(planned, registry, tmp_path, change, expected):
    work = copy_of(planned, tmp_path)
    args = census_args(registry.url, planned["images"], work, "--shard-bytes", "3000000", "--resume")
    if change[0] in args:
        i = args.index(change[0])
        args[i + 1] = change[1]
    else:
        args += change
    result = call(BIN, *args)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr, result.stderr
    assert "--accept-plan" in result.stderr
    assert not (tmp_path / "results.h5").exists()


def test_changed_image_list_content_is_refused_then_accepted(planned, registry, tmp_path):
    work = copy_of(planned, tmp_path)
    images = tmp_path / "images.txt"
    lines = planned["images"].read_text().splitlines()
    # the same path, other content: the plan's path is not the point, its content is
    images.write_text("\n".join(lines[:-1]) + "\n")
    with h5py.File(work / "work" / "plan.h5", "r+") as f:
        f.attrs["parameter.images"] = str(images)
    refused = call(BIN, *census_args(registry.url, images, work, "--shard-bytes", "3000000", "--resume"))
    assert refused.returncode == 2, refused.stderr
    assert "--images content sha256:" in refused.stderr and "differs from the plan's sha256:" in refused.stderr
    assert "--images " + str(images) not in refused.stderr  # the path is the plan's: only the content differs

    accepted = call(BIN, *census_args(registry.url, images, work, "--shard-bytes", "3000000", "--resume",
                                      "--accept-plan"))
    assert accepted.returncode == 0, accepted.stderr
    assert "warning: --accept-plan: --images content" in accepted.stderr
    assert datasets(work / "results.h5") == planned["results"]  # the plan's images, all of them


def test_accepted_plan_is_what_provenance_records(planned, registry, tmp_path):
    work = copy_of(planned, tmp_path)
    result = call(BIN, *census_args(registry.url, planned["images"], work, "--shard-bytes", "3000000", "--resume",
                                    "--platform", "linux/arm64", "--accept-plan"))
    assert result.returncode == 0, result.stderr
    assert "warning: --accept-plan: --platform linux/arm64 differs from the plan's linux/amd64" in result.stderr
    with h5py.File(work / "results.h5", "r") as f:
        provenance = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f["provenance"].attrs.items()}
        command_line = f.attrs["command_line"]
    assert provenance["platform"] == "linux/amd64"
    assert provenance["shard_bytes"] == 3000000  # typed: an int64 attribute
    assert provenance["registry"] == registry.url
    assert provenance["images"] == str(planned["images"])
    assert provenance["images_sha256"] == sha256_digest(planned["images"].read_bytes())
    assert "--platform" in provenance["accepted_plan_differences"]
    assert "--platform linux/arm64" in command_line and "--accept-plan" in command_line
    assert datasets(work / "results.h5") == planned["results"]


def test_resume_without_a_work_directory_says_so(corpus, registry, tmp_path):
    result = call(BIN, *census_args(registry.url, corpus["images"], tmp_path, "--resume"))
    assert result.returncode == 1
    assert error_lines(result.stderr) == [f"regcensus run: error: {tmp_path / 'work'}: no such work directory"], \
        result.stderr
    assert not (tmp_path / "work").exists()


def test_leftover_temporaries_are_removed(planned, registry, tmp_path):
    work = copy_of(planned, tmp_path)
    leftovers = [work / "work" / "shards" / ".shard-00001.h5.tmp.4242.17",
                 work / "work" / "shards" / "shard-00002.h5.tmp.4242",
                 work / "work" / ".plan.h5.tmp.99.1",
                 work / ".results.h5.tmp.4242.3"]
    keep = [work / "work" / "notes.tmp.txt", work / "other.h5.tmp.12"]
    for path in leftovers + keep:
        path.write_bytes(b"partial")
    result = call(BIN, *census_args(registry.url, planned["images"], work, "--shard-bytes", "3000000", "--resume"))
    assert result.returncode == 0, result.stderr
    assert "removed 4 temporary file(s) left by a killed run" in result.stderr
    assert [p for p in leftovers if p.exists()] == []
    assert all(p.exists() for p in keep)
    names = [p.name for p in (work / "work").rglob("*")] + [p.name for p in work.iterdir()]
    assert not [n for n in names if ".tmp." in n and n not in ("notes.tmp.txt", "other.h5.tmp.12")]
