"""`regcensus crawl`: a real distribution registry with more than 1,000
repositories (catalog and tags across page boundaries), a loopback replay of
Docker Hub's JSON API (page caps and prefix expansion, 429 with X-Retry-After,
spent X-RateLimit-Remaining, interruptions and resumed crawls), and the crawled
list fed to `regcensus run`. Nothing here talks to any address but 127.0.0.1."""
import collections
import json
import signal
import subprocess
import time
import urllib.request

import h5py
import pytest

from conftest import BIN, MPI_ENV, Registry, run
from hub_replay import HubReplay, populate_registry

HEADER = "#reference\tpull_count\tstar_count\tlast_updated\tis_official\tsource"
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-_."


def read_list(path):
    lines = path.read_text().splitlines()
    assert lines[0] == HEADER
    return lines[1:]


def journal_rows(state):
    """References of the rows the crawl committed, duplicates included."""
    rows = []
    for line in (state.parent / (state.name + ".journal")).read_text().splitlines():
        fields = line.split("\t")
        if fields[0] == "r":
            rows.append(fields[5])
    return rows


# --- a registry with more than 1,000 repositories ---------------------------

def big_registry_layout():
    repositories = {}
    for i in range(1050):
        name = f"team{i % 5}/app{i:04d}"
        if i % 9 == 0:
            repositories[name] = ["1.0", "1.1", "latest"]
        elif i % 31 == 0:
            repositories[name] = ["v1", "v2"]  # no "latest"
        else:
            repositories[name] = ["latest"]
    return repositories


@pytest.fixture(scope="module")
def big_registry(tmp_path_factory):
    reg = Registry(tmp_path_factory.mktemp("big-registry"))
    layout = big_registry_layout()
    started = time.time()
    populate_registry(reg.url, layout)
    print(f"pushed {len(layout)} repositories in {time.time() - started:.1f} s")
    yield reg, listing_order(reg.url, layout)
    reg.stop()


def listing_order(url, layout):
    """Tags as the registry lists them (the order `--tags N` counts in): the
    filesystem driver's order, not a sorted one."""
    order = {}
    for name, tags in layout.items():
        if len(tags) > 1:
            with urllib.request.urlopen(f"{url}/v2/{name}/tags/list") as response:
                order[name] = json.loads(response.read())["tags"]
            assert sorted(order[name]) == sorted(tags)
        else:
            order[name] = tags
    return order


def catalog_expected(order, pick):
    return sorted(f"{name}:{tag}\t-1\t-1\t\t0\tcatalog" for name, tags in order.items() for tag in pick(tags))


def test_catalog_lists_every_repository_and_tag_once(big_registry, tmp_path):
    reg, layout = big_registry
    offset = reg.access_log_size()
    out, state, growth = tmp_path / "list.tsv", tmp_path / "state.json", tmp_path / "growth.tsv"
    run([BIN, "crawl", "--registry", reg.url, "--out", out, "--tags", "all", "--page-size", "50",
         "--concurrency", "4", "--state", state, "--growth-log", growth])
    assert read_list(out) == catalog_expected(layout, lambda tags: tags)
    # Exactly once before deduplication, too: the walk itself never repeats or skips.
    committed = collections.Counter(journal_rows(state))
    assert set(committed.values()) == {1}
    assert len(committed) == sum(len(t) for t in layout.values())
    # The catalog really was paged (1,050 repositories, 50 a page).
    with open(reg.log_path, "rb") as f:
        f.seek(offset)
        catalog_gets = f.read().decode("utf-8", "replace").count("GET /v2/_catalog?")
    assert catalog_gets >= 21
    # One growth line per catalog page, the last one counting every repository.
    catalog_lines = [l.split("\t") for l in growth.read_text().splitlines() if l.split("\t")[1] == "catalog"]
    assert len(catalog_lines) >= 21 and all(len(l) == 3 for l in catalog_lines)
    assert int(catalog_lines[-1][2]) == len(layout)

    # A rerun with the finished state asks the registry for nothing and writes the same list.
    offset = reg.access_log_size()
    out2 = tmp_path / "again.tsv"
    run([BIN, "crawl", "--registry", reg.url, "--out", out2, "--tags", "all", "--page-size", "50",
         "--state", state])
    assert out2.read_text() == out.read_text()
    assert reg.access_log_size() == offset


@pytest.mark.parametrize("tags,pick", [
    ("latest", lambda tags: ["latest"] if "latest" in tags else tags[-1:]),
    ("2", lambda tags: tags[-2:]),
])
def test_catalog_tag_selection(big_registry, tmp_path, tags, pick):
    reg, layout = big_registry
    out = tmp_path / "list.tsv"
    run([BIN, "crawl", "--registry", reg.url, "--out", out, "--tags", tags, "--page-size", "200",
         "--concurrency", "3"])
    assert read_list(out) == catalog_expected(layout, pick)


# --- Docker Hub, replayed ----------------------------------------------------

PAGE_SIZE, PAGE_CAP, MAX_QUERY_LENGTH = 5, 2, 3
NAMESPACES = ["acme", "ghost"]  # ghost does not exist (404)
QUERIES = ["a", "b", "c"]


def hub_repositories():
    repos = []

    def add(namespace, name):
        i = len(repos)
        repos.append({"namespace": namespace, "name": name, "pull_count": 1000 * i + 7, "star_count": i % 13,
                      "last_updated": f"2024-01-{i % 28 + 1:02d}T00:00:00.{i:06d}Z",
                      "search_pull_count": 1000 * i + 3})  # the search index lags behind the repository info

    for name in ["alpine", "busybox", "nginx", "node", "postgres", "python", "redis"]:
        add("library", name)
    for i in range(12):
        add("acme", f"app{i}")  # also matched by searches, capped even at the longest prefix
    letters = "abc"
    names = [a for a in letters] + [a + b for a in letters for b in letters] + \
        [a + b + c for a in letters for b in letters for c in letters] + ["a-b", "b-c", "c_a", "a.b"]
    for i, name in enumerate(names):
        add("bob", name)
        if i % 2 == 0:
            add("carol", name)
    return repos


def reference(r):
    return f"{r['namespace']}/{r['name']}:latest"


INFO_MISSING = {("bob", "ab")}  # repository info 404: deleted after the search indexed it


def info_requests(replay):
    """Repository info path -> number of answers (200 or 404) the crawler got."""
    with replay.lock:
        return collections.Counter(p for _, p, status in replay.requests
                                   if p.startswith("/v2/repositories/") and status in (200, 404))


def search_only(replay):
    """Repositories no namespace listing of the crawl lists (found only by search)."""
    listed = {"library", *NAMESPACES}
    return [r for r in replay.repositories if r["namespace"] not in listed]


def hub_expected(replay):
    """The exact list: the crawl's rules re-stated (first occurrence in crawl
    order: official listing, namespaces, then searches by query; page; position)."""
    best = {}

    def offer(origin, row):
        if row[0] not in best or origin < best[row[0]][0]:
            best[row[0]] = (origin, row)

    for rank, namespace in [(0, "library")] + [(1, ns) for ns in NAMESPACES]:
        listing = f"namespace:{namespace}"
        repos = [r for r in replay.repositories if r["namespace"] == namespace]
        for i, r in enumerate(repos):
            offer((rank, listing, i // PAGE_SIZE, i % PAGE_SIZE + 1),
                  (reference(r), r["pull_count"], r["star_count"], r["last_updated"],
                   int(namespace == "library"), listing))
    known, todo = set(QUERIES), list(QUERIES)
    while todo:
        query = todo.pop()
        matches = replay.search_matches(query)
        served = matches[:PAGE_CAP * PAGE_SIZE]
        for i, r in enumerate(served):
            # A row found only by search gets pull_count, star_count and last_updated from the
            # repository info; a 404 there keeps the search's (lagging) values and no last_updated.
            missing = (r["namespace"], r["name"]) in INFO_MISSING
            offer((2, f"search:{query}", i // PAGE_SIZE, i % PAGE_SIZE + 1),
                  (reference(r), r["search_pull_count"] if missing else r["pull_count"], r["star_count"],
                   "" if missing else r["last_updated"], int(r["namespace"] == "library"), f"search:{query}"))
        if len(served) < len(matches) and len(query) < MAX_QUERY_LENGTH:
            for c in ALPHABET:
                if query + c not in known:
                    known.add(query + c)
                    todo.append(query + c)
    # Every repository is reachable: the synthetic data suits the cap and the length limit.
    assert set(best) == {reference(r) for r in replay.repositories if r["namespace"] != "ghost"}
    return sorted("\t".join(map(str, row)) for _, row in best.values())


@pytest.fixture
def hub(tmp_path):
    replay = HubReplay(hub_repositories(), page_cap=PAGE_CAP)
    replay.info_missing = INFO_MISSING
    (tmp_path / "namespaces.txt").write_text("# namespaces\n" + "\n".join(NAMESPACES) + "\n")
    (tmp_path / "queries.txt").write_text("\n".join(QUERIES) + "\n\n")
    yield replay
    replay.stop()


def hub_command(hub, tmp_path, out, *extra):
    return [BIN, "crawl", "--hub", "--hub-url", hub.url, "--out", out,
            "--namespaces", tmp_path / "namespaces.txt", "--queries", tmp_path / "queries.txt",
            "--page-size", str(PAGE_SIZE), "--max-query-length", str(MAX_QUERY_LENGTH),
            "--max-requests-per-second", "0", "--concurrency", "4", *extra]


def test_hub_crawl_is_exact(hub, tmp_path):
    out, growth = tmp_path / "hub.tsv", tmp_path / "growth.tsv"
    result = run(hub_command(hub, tmp_path, out, "--growth-log", growth))
    assert read_list(out) == hub_expected(hub)
    # Capped queries were expanded: "a" -> "aa", ..., and "app" hit the length limit.
    paths = [p for _, p, _ in hub.requests]
    assert any("query=ab&" in p for p in paths) and not any("query=aaa&" in p for p in paths)
    assert "search 'app' is capped" in result.stderr
    # Every page was asked for once; pagination followed relative and absolute `next`.
    assert set(hub.served().values()) == {1}
    assert any("page=2" in p and "search" in p for p in paths)
    assert any("page=3" in p and "namespaces/acme" in p for p in paths)
    lines = [l.split("\t") for l in growth.read_text().splitlines()]
    assert all(len(l) == 3 and l[0].endswith("Z") for l in lines)
    assert ["namespace:acme", "12"] in [l[1:] for l in lines]
    assert lines[-1][1:] == ["images", str(len(read_list(out)))]
    # One repository info request per repository found only by search, none for listed ones.
    infos = info_requests(hub)
    assert infos == {f"/v2/repositories/{r['namespace']}/{r['name']}/": 1 for r in search_only(hub)}
    assert any(row.split("\t")[0] == "bob/ab:latest" and row.split("\t")[3] == "" for row in read_list(out))
    assert "repository info of" in result.stderr


def test_hub_waits_out_429_and_spent_rate_limit(hub, tmp_path):
    hub.too_many_at = {5}
    hub.spent_at = {20}
    out = tmp_path / "hub.tsv"
    run(hub_command(hub, tmp_path, out))
    assert read_list(out) == hub_expected(hub)
    assert len(hub.pauses) == 2
    starts = [t for t, _, _ in hub.requests]
    for sent, until in hub.pauses:
        # Requests already under way may land just after the answer; after that, none until the reset.
        assert not [t for t in starts if sent + 0.5 < t < until - 0.1], (sent, until)
        assert any(t >= until - 0.1 for t in starts)
    # The page answered 429 was asked again and then served once.
    assert set(hub.served().values()) == {1}


@pytest.mark.parametrize("mode", ["503", "close"])
def test_hub_interrupted_crawl_resumes_without_refetching(hub, tmp_path, mode):
    out, state = tmp_path / "hub.tsv", tmp_path / "state.json"
    hub.fail_after, hub.fail_mode, hub.admitted = 40, mode, 0
    failed = subprocess.run([str(c) for c in hub_command(hub, tmp_path, out, "--state", state, "--retries", "1")],
                            capture_output=True, text=True, env=MPI_ENV)
    assert failed.returncode != 0, failed.stderr
    assert not out.exists()
    saved = json.loads(state.read_text())
    assert saved["identity"] == f"hub {hub.url}" and saved["journal_bytes"] > 0
    served_before = sum(hub.served().values())
    assert 0 < served_before <= 40

    hub.fail_after = None
    run(hub_command(hub, tmp_path, out, "--state", state))
    assert read_list(out) == hub_expected(hub)
    assert set(hub.served().values()) == {1}  # no finished page was requested again
    assert set(info_requests(hub).values()) == {1}


@pytest.mark.parametrize("mode", ["503", "close"])
def test_hub_interrupted_during_repository_info_resumes_without_asking_again(hub, tmp_path, mode):
    # A first crawl without failures counts the listing pages; the failure then comes
    # when part of the repository info has been answered.
    run(hub_command(hub, tmp_path, tmp_path / "probe.tsv"))
    listing_requests = sum(1 for _, p, _ in hub.requests if not p.startswith("/v2/repositories/"))
    info_total = len(info_requests(hub))
    assert info_total > 20
    hub.requests.clear()

    out, state = tmp_path / "hub.tsv", tmp_path / "state.json"
    hub.fail_after, hub.fail_mode, hub.admitted = listing_requests + 15, mode, 0
    failed = subprocess.run([str(c) for c in hub_command(hub, tmp_path, out, "--state", state, "--retries", "1")],
                            capture_output=True, text=True, env=MPI_ENV)
    assert failed.returncode != 0, failed.stderr
    assert not out.exists()
    answered_before = len(info_requests(hub))
    assert 0 < answered_before < info_total
    journal = (tmp_path / "state.json.journal").read_text().splitlines()
    assert sum(1 for line in journal if line.startswith("i\t")) == answered_before

    hub.fail_after = None
    result = run(hub_command(hub, tmp_path, out, "--state", state))
    assert read_list(out) == hub_expected(hub)
    assert set(hub.served().values()) == {1}  # no listing page and no repository info asked again
    assert set(info_requests(hub).values()) == {1} and len(info_requests(hub)) == info_total
    assert f"repository info of {info_total - answered_before} repositories" in result.stderr


def test_hub_killed_crawl_resumes(hub, tmp_path):
    out, state = tmp_path / "hub.tsv", tmp_path / "state.json"
    hub.delay = 0.03
    process = subprocess.Popen([str(c) for c in hub_command(hub, tmp_path, out, "--state", state)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=MPI_ENV)
    deadline = time.time() + 30
    while sum(hub.served().values()) < 50 and time.time() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists()
    first_run = sum(hub.served().values())
    hub.delay = 0
    run(hub_command(hub, tmp_path, out, "--state", state))
    assert read_list(out) == hub_expected(hub)
    # At most the pages in flight at the kill (one per worker) were fetched twice.
    served = hub.served()
    assert sum(n - 1 for n in served.values()) <= 4
    assert sum(served.values()) - first_run < len(served)  # the rerun did not start over
    assert sum(n - 1 for n in info_requests(hub).values()) <= 4


def test_hub_max_requests_per_second(hub, tmp_path):
    out = tmp_path / "hub.tsv"
    (tmp_path / "queries.txt").write_text("")
    command = hub_command(hub, tmp_path, out)
    command[command.index("--max-requests-per-second") + 1] = "10"
    run(command)
    starts = sorted(t for t, _, _ in hub.requests)
    assert len(starts) == 6  # library: 2 pages, acme: 3, ghost: 1
    assert starts[-1] - starts[0] >= (len(starts) - 1) / 10 * 0.9


def test_crawl_help():
    result = run([BIN, "crawl", "--help"])
    for option in ["--registry", "--hub", "--tags", "--state", "--growth-log", "--max-requests-per-second",
                   "--concurrency", "--queries", "--namespaces", "--config"]:
        assert option in result.stdout


def test_crawl_config_file(hub, tmp_path):
    out = tmp_path / "hub.tsv"
    config = tmp_path / "crawl.cfg"
    config.write_text(f"hub = true\nhub-url = {hub.url}\nno-official = true\npage-size = 5\n"
                      "max-requests-per-second = 0\n")
    run([BIN, "crawl", "--config", config, "--out", out])
    assert read_list(out) == []  # no namespaces, no queries, no official images: nothing to list


# --- the crawled list feeds `regcensus run` ----------------------------------

def images_table(path):
    with h5py.File(path, "r") as f:
        refs = [x.decode() for x in f["images"]["reference"][:]]
        return dict(zip(refs, zip(f["images"]["pull_count"][:].tolist(), f["images"]["star_count"][:].tolist())))


def test_crawled_list_feeds_run(corpus, registry, tmp_path):
    crawled = tmp_path / "crawled.tsv"
    run([BIN, "crawl", "--registry", registry.url, "--out", crawled, "--tags", "all", "--page-size", "5"])
    lines = read_list(crawled)
    assert lines
    run([BIN, "run", "--registry", registry.url, "--images", crawled, "--out", tmp_path / "r.h5",
         "--work", tmp_path / "work"])
    images = images_table(tmp_path / "r.h5")
    assert sorted(images) == sorted(l.split("\t")[0] for l in lines)
    assert all(counts == (-1, -1) for counts in images.values())  # a registry counts no pulls

    # The same references as a Hub-style list: popularity columns land in /images.
    hub_style = tmp_path / "hub-style.tsv"
    rows = [f"{l.split(chr(9))[0]}\t{1000 + i}\t{i}\t2024-01-01T00:00:00Z\t0\tsearch:x" for i, l in enumerate(lines)]
    hub_style.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    run([BIN, "run", "--registry", registry.url, "--images", hub_style, "--out", tmp_path / "h.h5",
         "--work", tmp_path / "work-h"])
    images = images_table(tmp_path / "h.h5")
    assert images == {l.split("\t")[0]: (1000 + i, i) for i, l in enumerate(lines)}
