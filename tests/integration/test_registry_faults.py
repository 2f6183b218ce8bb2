"""The registry client survives a hostile network: `regcensus run` through the
fault-injecting proxy (connection resets and truncated bodies mid-blob, 500s,
429 with Retry-After, slow bodies, a 307 to another port) against a registry
with htpasswd auth gives datasets identical to a clean run; every injected
retryable fault is one `regcensus: retry` line in the run's log; the redirect
target never sees the Authorization header; no credential reaches the log."""
import base64
import json
import re
import subprocess

import pytest

from census_checks import datasets
from conftest import BIN, MPI_ENV, Registry, free_port, log_messages, run
from fault_proxy import FaultProxy

USER, PASSWORD = "census", "s3cret-horse"


def auth_config(path, hosts):
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    path.write_text(json.dumps({"auths": {h: {"auth": token} for h in hosts}}))


def htpasswd_registry(root):
    root.mkdir(parents=True, exist_ok=True)
    htpasswd = root / "htpasswd"
    htpasswd.write_text(subprocess.run(["htpasswd", "-Bbn", USER, PASSWORD], capture_output=True, text=True,
                                       check=True).stdout)
    return Registry(root, extra_config=f"auth:\n  htpasswd:\n    realm: regcensus-test\n    path: {htpasswd}\n")


@pytest.fixture(scope="module")
def faulty_and_clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("registry-faults")
    registry = htpasswd_registry(root / "registry")
    proxy = FaultProxy(registry.url, free_port(), free_port()).start()
    try:
        auth_file = root / "config.json"
        host = lambda url: url.split("://", 1)[1]
        auth_config(auth_file, [host(registry.url), host(proxy.url)])
        env = dict(MPI_ENV, REGISTRY_AUTH_FILE=str(auth_file))
        corpus = root / "corpus"
        run([BIN, "synth", "--out", corpus, "--seed", "5", "--images", "10", "--scale", "0.5"])
        pushed = subprocess.run([str(BIN), "push", "--layout", str(corpus / "layout"), "--registry", registry.url],
                                capture_output=True, text=True, env=env)
        assert pushed.returncode == 0, pushed.stderr

        def census(url, name):
            work = root / name
            result = subprocess.run([str(BIN), "run", "--registry", url, "--images", str(corpus / "images.txt"),
                                     "--out", str(work / "results.h5"), "--work", str(work / "work"), "-v"],
                                    capture_output=True, text=True, env=env)
            assert result.returncode == 0, result.stderr
            return work / "results.h5", result.stderr

        clean, clean_log = census(registry.url, "clean")
        faulty, faulty_log = census(proxy.url, "faulty")
        yield {"clean": clean, "clean_log": clean_log, "faulty": faulty, "faulty_log": faulty_log,
               "tally": proxy.tally(), "proxy_url": proxy.url, "registry_url": registry.url}
    finally:
        proxy.stop()
        registry.stop()


def comparable(data, url):
    """/provenance records the command line's registry URL, and error messages name the request's URL,
    which differ by design (proxy or registry): both are set aside, everything else must be equal."""
    out = {k: v for k, v in data.items() if not k.startswith("provenance")}
    out["images/error"] = [e.replace(url.encode(), b"REGISTRY") for e in out["images/error"]]
    return out


def test_every_kind_of_fault_was_injected(faulty_and_clean):
    injected = faulty_and_clean["tally"]["injected"]
    assert set(injected) == {"reset", "truncate", "500", "429", "slow", "redirect"}, injected


def test_datasets_identical_to_a_clean_run(faulty_and_clean):
    assert comparable(datasets(faulty_and_clean["faulty"]), faulty_and_clean["proxy_url"]) == \
        comparable(datasets(faulty_and_clean["clean"]), faulty_and_clean["registry_url"])


def test_each_retryable_fault_is_one_retry_line(faulty_and_clean):
    retries = re.findall(r"^\[regcensus \S+ \S+ rank \d+ debug\] retry \d+/\d+ of (GET|HEAD) \S+ in \d+ ms: (.*)$",
                         faulty_and_clean["faulty_log"], re.M)
    assert len(retries) == faulty_and_clean["tally"]["retryable"], faulty_and_clean["faulty_log"]
    assert "] retry" not in faulty_and_clean["clean_log"]
    # Counted and summarised without -v too (here -v shows each one).
    assert f"retries: {len(retries)} request(s) retried" in faulty_and_clean["faulty_log"]
    causes = [cause for _, cause in retries]
    assert sum(c.startswith("HTTP 500") for c in causes) == faulty_and_clean["tally"]["injected"]["500"]
    assert sum(c.startswith("HTTP 429") for c in causes) == faulty_and_clean["tally"]["injected"]["429"]


def test_authorization_never_follows_a_redirect_to_another_port(faulty_and_clean):
    tally = faulty_and_clean["tally"]
    assert tally["redirects_served"] == tally["injected"]["redirect"]
    assert tally["authorization_on_redirect"] == 0


def test_no_credential_in_the_logs(faulty_and_clean):
    secrets = [PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()]
    for log in (faulty_and_clean["faulty_log"], faulty_and_clean["clean_log"]):
        for secret in secrets:
            assert secret not in log


def test_a_known_quota_is_not_exhausted(tmp_path):
    """A registry announcing `ratelimit-remaining` (Docker Hub style, counted on manifest GETs): fetch stops
    asking while one request is left and marks the rest `rate_limited`, saying why."""
    registry = Registry(tmp_path / "registry")
    proxy = FaultProxy(registry.url, free_port(), free_port(), faults_enabled=False, quota=6).start()
    try:
        corpus = tmp_path / "corpus"
        run([BIN, "synth", "--out", corpus, "--seed", "3", "--images", "8", "--scale", "0.3"])
        run([BIN, "push", "--layout", corpus / "layout", "--registry", registry.url])
        result = subprocess.run([str(BIN), "fetch", "--images", str(corpus / "images.txt"), "--registry", proxy.url,
                                 "--layout", str(tmp_path / "layout"), "--concurrency", "1"],
                                capture_output=True, text=True, env=MPI_ENV)
        assert result.returncode == 0, result.stderr
        assert proxy.tally()["manifest_gets"] == 5  # the sixth would have used up the quota
        limited = [m for m in log_messages(result.stderr, "warning") if re.fullmatch(r"\S+: rate_limited: .*quota.*", m)]
        assert limited, result.stderr
    finally:
        proxy.stop()
        registry.stop()
