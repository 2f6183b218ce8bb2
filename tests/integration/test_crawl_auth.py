"""`regcensus crawl --registry` goes through the registry client, so it
authenticates as `run` does: a real docker-registry with token auth (the token
server of token_server.py as its realm) is crawled with the credentials of an
--auth-file (docker config.json), each exact; without them the crawl fails with
one clear line. The credential goes to the realm only (Basic), the registry
sees only Bearer tokens, and a listing redirected to another origin gets no
Authorization at all. Nothing here talks to any address but 127.0.0.1."""
import base64
import json
import subprocess
import urllib.request

import pytest

from conftest import BIN, MPI_ENV, Registry, free_port
from hostile_server import HostileServer, wait_for
from hub_replay import populate_registry

USER, PASSWORD = "crawler", "s3cret-horse"
SERVICE, ISSUER = "regcensus-test-registry", "regcensus-test-issuer"
TOKEN_SERVER = __import__("pathlib").Path(__file__).with_name("token_server.py")
REPOSITORIES = {"alpha": ["1.0", "latest"], "team/beta": ["2"], "team/gamma": ["a", "b", "c"]}


def auth_file(path, host, user=USER, password=PASSWORD):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    path.write_text(json.dumps({"auths": {host: {"auth": token}}}))
    return path


def read_list(path):
    return sorted(line.split("\t")[0] for line in path.read_text().splitlines()[1:])


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory):
    root = tmp_path_factory.mktemp("crawl-auth")
    # Filled anonymously, then served with token auth from the same storage.
    filler = Registry(root / "registry")
    try:
        populate_registry(filler.url, REPOSITORIES)
    finally:
        filler.stop()
    subprocess.run(f"openssl ecparam -name prime256v1 -genkey -noout -out {root}/key.pem && openssl req -x509 -new "
                   f"-key {root}/key.pem -subj /CN=regcensus-test-token -days 2 -out {root}/cert.pem",
                   shell=True, check=True, capture_output=True)
    port = free_port()
    realm = f"http://127.0.0.1:{port}"
    log = open(root / "token-server.log", "wb")
    tokens = subprocess.Popen(["/usr/bin/python3", str(TOKEN_SERVER), "--port", str(port), "--key",
                               str(root / "key.pem"), "--cert", str(root / "cert.pem"), "--issuer", ISSUER,
                               "--service", SERVICE, "--user", USER, "--password", PASSWORD],
                              stdout=log, stderr=subprocess.STDOUT)

    def answering():
        try:
            urllib.request.urlopen(realm + "/stats", timeout=1).read()
            return True
        except OSError:
            return False

    assert wait_for(answering, 20), (root / "token-server.log").read_text()
    registry = Registry(root / "registry", extra_config=(
        f"auth:\n  token:\n    realm: {realm}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n"
        f"    rootcertbundle: {root}/cert.pem\n"))
    try:
        yield {"registry": registry, "realm": realm, "root": root}
    finally:
        registry.stop()
        tokens.terminate()
        tokens.wait(timeout=10)
        log.close()


def stats(realm):
    return json.loads(urllib.request.urlopen(realm + "/stats", timeout=5).read())


def crawl(url, out, *extra):
    return subprocess.run([str(BIN), "crawl", "--registry", url, "--out", str(out), *map(str, extra)],
                          capture_output=True, text=True, env=MPI_ENV, timeout=120)


def test_crawl_authenticates_with_the_auth_file(token_registry, tmp_path):
    registry, realm = token_registry["registry"], token_registry["realm"]
    config = auth_file(tmp_path / "config.json", registry.url.split("://", 1)[1])
    before = stats(realm)
    out = tmp_path / "list.tsv"
    result = crawl(registry.url, out, "--auth-file", config, "--page-size", "2", "--concurrency", "2",
                   "--state", tmp_path / "state.json")
    assert result.returncode == 0, result.stderr
    assert read_list(out) == ["alpha:1.0", "alpha:latest", "team/beta:2", "team/gamma:a", "team/gamma:b",
                              "team/gamma:c"]
    after = stats(realm)
    issued = {scope: after["issued"].get(scope, 0) - before["issued"].get(scope, 0) for scope in after["issued"]}
    # One token per scope, shared by both workers (the registry client's token cache).
    assert issued == {"registry:catalog:*": 1, "repository:alpha:pull": 1, "repository:team/beta:pull": 1,
                      "repository:team/gamma:pull": 1}
    assert after["basic_seen"] - before["basic_seen"] == 4
    assert after["refused"] == before["refused"]
    assert PASSWORD not in result.stderr + result.stdout
    assert PASSWORD not in (tmp_path / "state.json").read_text()


def test_crawl_without_credentials_fails_with_one_clear_line(token_registry, tmp_path):
    registry, realm = token_registry["registry"], token_registry["realm"]
    empty = tmp_path / "none.json"
    empty.write_text('{"auths": {}}')
    out = tmp_path / "list.tsv"
    result = crawl(registry.url, out, "--auth-file", empty)
    assert result.returncode == 1, result.stderr
    # Anonymous: the realm refuses a token for the catalog.
    assert result.stderr.splitlines() == [
        f"regcensus crawl: error: token request to {realm}/token for registry:catalog:*: HTTP 401"]
    assert not out.exists()


def test_a_wrong_password_is_refused_by_the_realm(token_registry, tmp_path):
    registry, realm = token_registry["registry"], token_registry["realm"]
    config = auth_file(tmp_path / "config.json", registry.url.split("://", 1)[1], password="wrong")
    before = stats(realm)
    result = crawl(registry.url, tmp_path / "list.tsv", "--auth-file", config)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"regcensus crawl: error: token request to {realm}/token for registry:catalog:*: HTTP 401"]
    assert stats(realm)["refused"] == before["refused"] + 1
    assert "wrong" not in result.stderr


def test_the_credential_goes_to_the_registry_only(tmp_path):
    """Basic auth on a registry whose tags listing redirects to another origin:
    the registry gets the credential, the other origin never does (and its
    names are not taken)."""
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    with HostileServer() as other, HostileServer() as server:
        server.registry_root()

        def guarded(answer):
            def handler(reply):
                if reply.headers.get("authorization") != basic:
                    return reply.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                      {"WWW-Authenticate": 'Basic realm="test"', "Content-Type": "application/json"})
                return answer(reply)
            return handler

        server.route("GET", "/v2/_catalog?n=1000", guarded(lambda r: r.json(200, {"repositories": ["kept", "moved"]})))
        server.route("GET", "/v2/kept/tags/list?n=1000", guarded(lambda r: r.json(200, {"name": "kept", "tags": ["1"]})))
        server.route("GET", "/v2/moved/tags/list?n=1000",
                     guarded(lambda r: r.redirect(f"{other.url}/v2/moved/tags/list")))
        other.route_prefix("GET", "/v2/", lambda r: r.json(200, {"name": "moved", "tags": ["evil"]}))
        config = auth_file(tmp_path / "config.json", server.host)
        out = tmp_path / "list.tsv"
        result = crawl(server.url, out, "--auth-file", config)
        assert result.returncode == 0, result.stderr
        assert read_list(out) == ["kept:1"]
        assert "the tags of moved: not listed (" in result.stderr
        authorized = [r["path"] for r in server.requests if r["headers"].get("authorization") == basic]
        assert sorted(set(authorized)) == ["/v2/_catalog?n=1000", "/v2/kept/tags/list?n=1000",
                                           "/v2/moved/tags/list?n=1000"]
        assert all("authorization" not in r["headers"] for r in other.requests), other.requests


def test_a_missing_auth_file_ends_the_crawl_before_any_request(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        missing = tmp_path / "nowhere" / "config.json"
        result = crawl(server.url, tmp_path / "list.tsv", "--auth-file", missing, "--state", tmp_path / "state.json")
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines() == [f"regcensus crawl: error: the auth file {missing} does not exist"]
        assert server.requests == []
        assert not (tmp_path / "state.json").exists() and not (tmp_path / "list.tsv").exists()


def test_auth_file_is_refused_for_the_hub(tmp_path):
    result = subprocess.run([str(BIN), "crawl", "--hub", "--auth-file", str(tmp_path / "config.json"), "--out",
                             str(tmp_path / "hub.tsv")], capture_output=True, text=True, env=MPI_ENV, timeout=30)
    assert result.returncode == 2, result.stderr
    assert "--auth-file is for --registry; the Hub API is crawled anonymously" in result.stderr
