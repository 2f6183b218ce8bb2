"""Connection reuse (issue 3: `--concurrency` transfers per rank over reused
connections, libcurl multi). Every request of a process goes through one pool of
keep-alive connections, so the number of TCP connections is bounded by the
transfers in flight, not by the number of blobs. Counted independently by a TCP
relay between client and registry; requests counted by the registry's access
log; both must equal the figures the program reports."""
import re

import pytest

from census_checks import check_all
from conftest import BIN, mpirun, run
from connection_counter import ConnectionCounter


def access_log_requests_since(registry, offset):
    with open(registry.log_path, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    return len(re.findall(r'"(?:GET|HEAD) /v2/\S* HTTP', text))


@pytest.fixture
def relay(registry):
    counter = ConnectionCounter("127.0.0.1", registry.port).start()
    yield counter
    counter.stop()


def reported(log, pattern):
    match = re.search(pattern, log)
    assert match, log
    return int(match.group(1)), int(match.group(2))


def census_through(relay, registry, corpus, work, concurrency, ranks=None):
    offset = registry.access_log_size()
    args = ["run", "--registry", relay.url, "--images", corpus["images"], "--out", work / "results.h5",
            "--work", work / "work", "--concurrency", str(concurrency)]
    result = mpirun(ranks, *args) if ranks else run([BIN, *args])
    requests, connections = reported(result.stderr, r"registry: (\d+) requests over (\d+) connection\(s\)")
    return work / "results.h5", requests, connections, access_log_requests_since(registry, offset)


def test_one_worker_uses_one_connection_for_the_whole_run(relay, registry, corpus, tmp_path):
    results, requests, connections, logged = census_through(relay, registry, corpus, tmp_path, concurrency=1)
    check_all(results, corpus["truth"])
    layers = len(corpus["truth"]["layers"])
    # Every manifest, config and layer of the run, one after another, over one connection.
    assert relay.connections == 1
    assert connections == 1
    assert requests == logged
    assert requests > layers + len(corpus["truth"]["images"])


def test_concurrent_workers_on_two_ranks_stay_within_their_concurrency(relay, registry, corpus, tmp_path):
    results, requests, connections, logged = census_through(relay, registry, corpus, tmp_path, concurrency=3,
                                                            ranks=2)
    check_all(results, corpus["truth"])
    assert connections == relay.connections
    assert 2 <= relay.connections <= 2 * 3  # ranks x workers; never one per blob
    assert requests == logged


def test_fetch_reuses_connections(relay, registry, corpus, tmp_path):
    offset = registry.access_log_size()
    result = run([BIN, "fetch", "--registry", relay.url, "--images", corpus["images"], "--layout",
                  tmp_path / "layout", "--concurrency", "4"])
    requests, connections = reported(result.stdout, r"(\d+) requests over (\d+) connection\(s\)")
    blobs = int(re.search(r"(\d+) blobs downloaded", result.stdout).group(1))
    assert connections == relay.connections
    assert 1 <= relay.connections <= 4
    assert blobs > 4 * relay.connections
    assert requests == access_log_requests_since(registry, offset)
