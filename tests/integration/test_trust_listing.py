"""Trust, listings, names and image lists (docs/trust.md, "Listings, names and
image lists"): a registry whose `Link` pages cycle, point at another host or
never end, or that lists names outside the distribution grammar, cannot make
`crawl` loop, grow, attribute another host's names to it or die; an image list
that is a directory, /dev/zero, missing, empty or full of duplicates cannot
make `run` an empty, endless or inflated census; a reference naming another
registry is a row, never a request. Loopback only."""
import json
import subprocess
import time
import urllib.parse

import h5py
import pytest

from conftest import BIN, MPI_ENV, log_messages, run
from hostile_server import HostileServer

HEADER = "#reference\tpull_count\tstar_count\tlast_updated\tis_official\tsource"


def crawl(server_url, out, *extra, timeout=20):
    started = time.time()
    result = subprocess.run([str(BIN), "crawl", "--registry", server_url, "--out", str(out), "--retries", "0",
                             "--concurrency", "2", *map(str, extra)],
                            capture_output=True, text=True, env=MPI_ENV, timeout=timeout)
    result.elapsed = time.time() - started
    return result


def listed(out):
    lines = out.read_text().splitlines()
    assert lines[0] == HEADER
    return [line.split("\t")[0] for line in lines[1:]]


def link(target):
    return {"Link": f'<{target}>; rel="next"'}


def tags_of(server, repository, tags):
    server.route_prefix("GET", f"/v2/{repository}/tags/list",
                        lambda r: r.json(200, {"name": repository, "tags": tags}))


def warnings(stderr):
    return log_messages(stderr, "warning")


# --- Link rules ------------------------------------------------------------------

def test_catalog_and_tags_whose_pages_cycle_end_with_the_distinct_names(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        first, second = "/v2/_catalog?n=1000", "/v2/_catalog?last=b&n=1000"
        server.route("GET", first, lambda r: r.json(200, {"repositories": ["a", "b"]}, link(second)))
        server.route("GET", second, lambda r: r.json(200, {"repositories": ["b", "c"]}, link(first)))
        tags_of(server, "a", ["1"])
        tags_of(server, "b", ["1", "2"])
        # The tags of c link to themselves, page after page.
        server.route("GET", "/v2/c/tags/list?n=1000",
                     lambda r: r.json(200, {"name": "c", "tags": ["x"]}, link("/v2/c/tags/list?n=1000")))
        out = tmp_path / "list.tsv"
        result = crawl(server.url, out)
        assert result.returncode == 0, result.stderr
        assert listed(out) == ["a:1", "b:1", "b:2", "c:x"]
        assert len(server.requests_to("/v2/_catalog")) == 2
        assert len(server.requests_to("/v2/c/tags/list")) == 1
        assert warnings(result.stderr) == [
            "the catalog: stopped early: the Link leads back to a page already listed "
            "(a cycle) (3 names kept)",
            "the tags of c: stopped early: the Link leads back to the same page "
            "(1 names kept)"], result.stderr


def test_a_link_to_another_host_is_never_followed(tmp_path):
    with HostileServer() as other, HostileServer() as server:
        server.registry_root()
        other.route_prefix("GET", "/v2/", lambda r: r.json(200, {"repositories": ["evil"], "tags": ["1"]}))
        server.route("GET", "/v2/_catalog?n=1000", lambda r: r.json(
            200, {"repositories": ["mine"]}, link(f"{other.url}/v2/_catalog?last=mine&n=1000")))
        # A tags listing pointing elsewhere too: its own page's tags stay, the other host's never come.
        server.route("GET", "/v2/mine/tags/list?n=1000", lambda r: r.json(
            200, {"name": "mine", "tags": ["1"]}, link(f"{other.url}/v2/mine/tags/list?last=1&n=1000")))
        out = tmp_path / "list.tsv"
        result = crawl(server.url, out)
        assert result.returncode == 0, result.stderr
        assert listed(out) == ["mine:1"]
        assert other.requests == []
        assert warnings(result.stderr) == [
            f"the catalog: stopped early: ignored a Link to another origin "
            f"({other.host}), not this registry's (1 names kept)",
            f"the tags of mine: stopped early: ignored a Link to another origin "
            f"({other.host}), not this registry's (1 names kept)"], result.stderr


def test_a_page_too_large_or_redirected_elsewhere_fails_that_listing_only(tmp_path):
    with HostileServer() as other, HostileServer() as server:
        server.registry_root()
        other.route_prefix("GET", "/v2/", lambda r: r.json(200, {"name": "moved", "tags": ["evil"]}))
        server.route("GET", "/v2/_catalog?n=1000", lambda r: r.json(200, {"repositories": ["big", "fine", "moved"]}))
        huge = b'{"name": "big", "tags": ["' + b"a" * (65 << 20) + b'"]}'
        server.route("GET", "/v2/big/tags/list?n=1000", lambda r: r.send(200, huge, {"Content-Type": "application/json"}))
        tags_of(server, "fine", ["1"])
        server.route("GET", "/v2/moved/tags/list?n=1000", lambda r: r.redirect(f"{other.url}/v2/moved/tags/list"))
        out = tmp_path / "list.tsv"
        result = crawl(server.url, out)
        assert result.returncode == 0, result.stderr
        assert listed(out) == ["fine:1"]
        lines = warnings(result.stderr)
        assert len(lines) == 2, result.stderr
        assert [l for l in lines if l.startswith("the tags of big: not listed (GET ")
                and "67108864" in l], lines
        assert (f"the tags of moved: not listed (GET {server.url}/v2/moved/tags/list?n=1000: "
                f"redirected to another origin ({other.host}), whose names are not this registry's); a rerun with "
                "the same --state retries it") in lines


def endless_catalog(reply):
    query = urllib.parse.parse_qs(urllib.parse.urlparse(reply.path).query)
    k = int(query.get("last", ["r-1"])[0][1:]) + 1
    reply.json(200, {"repositories": [f"r{k}"]}, link(f"/v2/_catalog?last=r{k}&n=1000"))


@pytest.mark.parametrize("cap, names", [("--max-pages", 3), ("--max-names", 2)])
def test_a_cap_ends_an_endless_catalog(tmp_path, cap, names):
    with HostileServer() as server:
        server.registry_root()
        server.route_prefix("GET", "/v2/_catalog", endless_catalog)
        server.route_prefix("GET", "/v2/r", lambda r: r.json(200, {"tags": ["t"]}))
        out = tmp_path / "list.tsv"
        result = crawl(server.url, out, cap, str(names))
        assert result.returncode == 0, result.stderr
        assert listed(out) == [f"r{k}:t" for k in range(names)]
        assert len(server.requests_to("/v2/_catalog")) == names
        unit = "pages" if cap == "--max-pages" else "names"
        assert warnings(result.stderr) == [
            f"the catalog: stopped early: reached the cap of {names} {unit} "
            f"({names} names kept)"]


def test_nothing_listed_is_exit_1(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        server.route("GET", "/v2/_catalog?n=1000", lambda r: r.json(200, {"repositories": []}, link("/v2/_catalog?n=1000")))
        out = tmp_path / "list.tsv"
        result = crawl(server.url, out)
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines()[-1] == \
            f"regcensus crawl: error: nothing could be listed from {server.url} (see the warnings above)"
        assert not out.exists()


# --- names ------------------------------------------------------------------

def test_invalid_names_are_skipped_and_a_rerun_with_the_state_works(tmp_path):
    tags_forbidden = [True]
    with HostileServer() as server:
        server.registry_root()
        server.route("GET", "/v2/_catalog?n=1000", lambda r: r.json(
            200, {"repositories": ["good/one", "bad name", "../up", "Upper", "zeta"]}))
        server.route("GET", "/v2/good/one/tags/list?n=1000", lambda r: r.json(
            200, {"name": "good/one", "tags": ["1", "bad tag", "../x", "2"]}))
        # zeta's tags fail at first (a rerun with the state must list them).
        server.route("GET", "/v2/zeta/tags/list?n=1000", lambda r: r.error(403, "DENIED", "not now")
                     if tags_forbidden[0] else r.json(200, {"name": "zeta", "tags": ["z"]}))
        out, state = tmp_path / "list.tsv", tmp_path / "state.json"
        result = crawl(server.url, out, "--state", state)
        assert result.returncode == 0, result.stderr
        assert listed(out) == ["good/one:1", "good/one:2"]
        skipped = [line for line in warnings(result.stderr) if "skipped the" in line]
        assert skipped == [
            "skipped the repository name 'bad name' from the catalog: not a valid "
            "repository name",
            "skipped the repository name '../up' from the catalog: not a valid "
            "repository name",
            "skipped the repository name 'Upper' from the catalog: not a valid "
            "repository name",
            "skipped the tag name 'bad tag' from the tags of good/one: not a valid tag name",
            "skipped the tag name '../x' from the tags of good/one: not a valid tag name"]
        assert "5 invalid repository or tag name(s) skipped" in warnings(result.stderr)
        assert "the tags of zeta: not listed (" in result.stderr
        # Never requested, never journalled.
        paths = [r["path"] for r in server.requests]
        assert not [p for p in paths if "bad" in p or "up" in p or "Upper" in p or "%20" in p], paths
        journal = (tmp_path / "state.json.journal").read_text()
        assert "bad name" not in journal and "../up" not in journal and "bad tag" not in journal

        tags_forbidden[0] = False
        before = len(server.requests)
        again = crawl(server.url, tmp_path / "again.tsv", "--state", state)
        assert again.returncode == 0, again.stderr
        assert listed(tmp_path / "again.tsv") == ["good/one:1", "good/one:2", "zeta:z"]
        # Only what the first crawl could not list (after the registry check, GET /v2/).
        assert [r["path"] for r in server.requests[before:] if r["path"] != "/v2/"] == ["/v2/zeta/tags/list?n=1000"]
        assert "skipped the" not in again.stderr


def test_more_than_ten_invalid_names_are_counted(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        names = [f"Bad{i}" for i in range(25)] + ["ok"]
        server.route("GET", "/v2/_catalog?n=1000", lambda r: r.json(200, {"repositories": names}))
        tags_of(server, "ok", ["1"])
        out = tmp_path / "list.tsv"
        result = crawl(server.url, out)
        assert result.returncode == 0, result.stderr
        assert listed(out) == ["ok:1"]
        assert len([l for l in result.stderr.splitlines() if "skipped the repository name" in l]) == 10
        assert ("25 invalid repository or tag name(s) skipped (the first 10 named above)"
                in warnings(result.stderr))


# --- the image list -------------------------------------------------------------

def census(registry, images, tmp_path, timeout=30):
    work = tmp_path / "work"
    return subprocess.run([str(BIN), "run", "--registry", registry.url, "--images", str(images),
                           "--out", str(tmp_path / "r.h5"), "--work", str(work)],
                          capture_output=True, text=True, env=MPI_ENV, timeout=timeout)


def error_lines(result):
    return [line for line in result.stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("kind", ["directory", "dev_zero", "missing", "empty", "binary"])
def test_an_image_list_that_is_not_one_is_exit_1_with_one_line(registry, tmp_path, kind):
    if kind == "directory":
        images, want = tmp_path, f"regcensus run: error: image list {tmp_path} is a directory, not a file"
    elif kind == "dev_zero":
        images, want = "/dev/zero", "regcensus run: error: image list /dev/zero:1: a NUL byte: not an image list"
    elif kind == "missing":
        images = tmp_path / "nope.txt"
        want = f"regcensus run: error: cannot read image list {images}: No such file or directory"
    elif kind == "empty":
        images = tmp_path / "empty.txt"
        images.write_text("# nothing here\n\n")
        want = f"regcensus run: error: no images in {images}"
    else:
        images = tmp_path / "long.bin"
        images.write_bytes(b"x" * (200 << 10))
        want = f"regcensus run: error: image list {images}:1: a line longer than 65536 bytes: not an image list"
    offset = registry.access_log_size()
    result = census(registry, images, tmp_path)
    assert result.returncode == 1, result.stderr
    assert error_lines(result) == [want]
    assert not (tmp_path / "r.h5").exists()
    assert not (tmp_path / "work" / "plan.h5").exists()
    with open(registry.log_path, "rb") as f:  # the census never started: no image was asked for
        f.seek(offset)
        assert "/manifests/" not in f.read().decode("utf-8", "replace")


def ok_references(corpus):
    return [im["reference"] for im in corpus["truth"]["images"] if im["status"] == "ok"]


def image_rows(path):
    with h5py.File(path, "r") as f:
        images = f["images"]
        return [(r.decode(), s.decode(), e.decode()) for r, s, e in
                zip(images["reference"][()], images["status"][()], images["error"][()])]


def test_duplicate_lines_are_one_image(registry, corpus, tmp_path):
    first, second = ok_references(corpus)[:2]
    images = tmp_path / "images.txt"
    images.write_text(f"{first}\n{second}\n  {first}  \n{first}\n")
    result = census(registry, images, tmp_path, timeout=50)
    assert result.returncode == 0, result.stderr
    assert [(r, s) for r, s, _ in image_rows(tmp_path / "r.h5")] == [(first, "ok"), (second, "ok")]
    assert f"2 duplicate line(s) of {images} dropped" in result.stderr


def test_a_reference_to_another_registry_is_a_row_and_never_requested(registry, corpus, tmp_path):
    first, second = ok_references(corpus)[:2]
    own = f"127.0.0.1:{registry.port}/{second}"
    images = tmp_path / "images.txt"
    images.write_text(f"{first}\nghcr.io/x/y:1\n{own}\n127.0.0.1:{registry.port + 1}/x/y:2\nnot a reference\n")
    offset = registry.access_log_size()
    result = census(registry, images, tmp_path, timeout=50)
    assert result.returncode == 0, result.stderr
    rows = image_rows(tmp_path / "r.h5")
    assert [(r, s) for r, s, _ in rows] == [(first, "ok"), ("ghcr.io/x/y:1", "foreign_registry"), (own, "ok"),
                                            (f"127.0.0.1:{registry.port + 1}/x/y:2", "foreign_registry"),
                                            ("not a reference", "invalid_reference")]
    assert rows[1][2] == (f"the reference names the registry ghcr.io, not 127.0.0.1:{registry.port} "
                          "(the census reads only --registry)")
    with open(registry.log_path, "rb") as f:
        f.seek(offset)
        log = f.read().decode("utf-8", "replace")
    assert "/v2/x/y/" not in log


def test_fetch_applies_the_same_host_rule(registry, corpus, tmp_path):
    first = ok_references(corpus)[0]
    images = tmp_path / "images.txt"
    images.write_text(f"{first}\nghcr.io/x/y:1\nnot a reference\n")
    offset = registry.access_log_size()
    result = subprocess.run([str(BIN), "fetch", "--registry", registry.url, "--images", str(images),
                             "--layout", str(tmp_path / "layout")], capture_output=True, text=True, env=MPI_ENV,
                            timeout=50)
    assert result.returncode == 0, result.stderr
    failures = sorted(warnings(result.stderr))
    assert len(failures) == 2, result.stderr
    assert failures[0] == (f"ghcr.io/x/y:1: foreign_registry: the reference names the registry "
                           f"ghcr.io, not 127.0.0.1:{registry.port} (fetch reads only --registry)")
    assert failures[1].startswith("not a reference: invalid_reference: "), failures[1]
    assert "fetched 1 of 3 images" in result.stdout
    with open(registry.log_path, "rb") as f:
        f.seek(offset)
        assert "/v2/x/y/" not in f.read().decode("utf-8", "replace")


def hub_page(names, next_url):
    return {"count": 1000, "next": next_url,
            "results": [{"name": n, "namespace": "acme", "pull_count": 1, "star_count": 0,
                         "last_updated": "2026-01-01T00:00:00Z"} for n in names]}


def test_hub_listing_stops_on_a_cycle_and_on_another_origin(tmp_path):
    """The Hub crawler's `next` links follow the same rules as a registry's Link
    pages: a cycle ends the walk, a link to another origin is never followed."""
    with HostileServer() as hub, HostileServer() as elsewhere:
        base = "/v2/namespaces/acme/repositories?page_size=100"
        hub.route("GET", base + "&page=1", lambda r: r.json(200, hub_page(["a"], hub.url + base + "&page=2")))
        hub.route("GET", base + "&page=2", lambda r: r.json(200, hub_page(["b"], hub.url + base + "&page=1")))
        other = "/v2/namespaces/other/repositories?page_size=100"
        hub.route("GET", other + "&page=1", lambda r: r.json(200, {
            "count": 9, "next": elsewhere.url + other + "&page=2",
            "results": [{"name": "c", "namespace": "other", "pull_count": 2}]}))
        (tmp_path / "namespaces.txt").write_text("acme\nother\n")
        out = tmp_path / "hub.tsv"
        result = subprocess.run([str(BIN), "crawl", "--hub", "--hub-url", hub.url, "--no-official", "--namespaces",
                                 str(tmp_path / "namespaces.txt"), "--out", str(out), "--max-requests-per-second",
                                 "0"], capture_output=True, text=True, env=MPI_ENV, timeout=50)
        assert result.returncode == 0, result.stderr
        assert listed(out) == ["acme/a:latest", "acme/b:latest", "other/c:latest"]
        assert elsewhere.requests == []
        assert len(hub.requests_to("namespaces/acme")) == 2
        assert ("namespace:acme: stopped early: a page already read (a cycle of next "
                "links) (2 pages read)") in warnings(result.stderr)
        assert (f"namespace:other: stopped early: a next link to another origin "
                f"({elsewhere.url}), not followed (1 pages read)") in warnings(result.stderr)


def test_crawl_refuses_credentials_in_the_url(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        url = server.url.replace("http://", "http://census:s3cret-horse@")
        result = subprocess.run([str(BIN), "crawl", "--registry", url, "--out", str(tmp_path / "list.tsv"),
                                 "--state", str(tmp_path / "state.json")], capture_output=True, text=True,
                                env=MPI_ENV, timeout=30)
        assert result.returncode == 2, result.stderr
        assert "crawl takes no credentials in the URL" in result.stderr
        assert "--auth-file" in result.stderr
        assert "s3cret-horse" not in result.stderr + result.stdout
        assert server.requests == []
        assert not (tmp_path / "state.json").exists() and not (tmp_path / "list.tsv").exists()
