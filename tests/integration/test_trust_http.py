"""Credentials, headers, deadlines, stopping and the /v2/ check against hostile
servers on loopback (hostile_server.py): a redirect target's 401 gets no say in
authentication and no credential; a credential in --registry's userinfo is
used but never stored or printed; a token with CR/LF is refused; a huge
expires_in works; a Content-Length above 2^63 is a row error under mpirun, not
an abort; stalled and dripped transfers end at --stall-timeout or the deadline
with a "network" row; SIGTERM ends a run stalled mid-transfer within seconds;
a URL that is no registry ends `run`, `plan`, `fetch` and `crawl` with exit 1
and one line, without retries."""
import base64
import json
import os
import signal
import subprocess
import time

import h5py
import pytest

from conftest import BIN, MPI_ENV, log_messages
from hostile_server import (HostileServer, free_port, image_config, image_manifest, sha256_digest, tar_gz_layer,
                            wait_for)

USER, PASSWORD = "census", "Sup3r-Secret-Pw"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
TOKEN = "registry-token-0123456789"


def run_cli(*args, timeout=45, env=None):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, env=env or MPI_ENV,
                          timeout=timeout)


def table(path, name):
    """{key: {column: value}} of /images (by reference) or /layers (by digest)."""
    with h5py.File(path, "r") as f:
        group = f[name]
        key = "reference" if name == "images" else "digest"
        keys = group[key][()]
        decode = lambda v: v.decode() if isinstance(v, bytes) else v
        return {decode(k): {c: decode(group[c][i]) for c in group if group[c].shape == keys.shape}
                for i, k in enumerate(keys)}


def all_strings_of(path):
    """Every dataset value and attribute of an HDF5 file, as one text."""
    texts = []
    with h5py.File(path, "r") as f:
        def visit(name, item):
            texts.append(name)
            for key, value in item.attrs.items():
                texts.append(f"{key}={value!r}")
            if isinstance(item, h5py.Dataset):
                value = item[()]
                # plan.h5 keeps its records as raw bytes: read them as text too.
                texts.append(value.tobytes().decode("latin-1") if getattr(value, "dtype", None) == "uint8"
                             else repr(value))
        for key, value in f.attrs.items():
            texts.append(f"{key}={value!r}")
        f.visititems(visit)
    return "\n".join(texts)


class Image:
    """An image's bytes: a one-file layer and a config."""

    def __init__(self, name):
        self.layer = tar_gz_layer({f"{name}/file": name.encode() * 10})
        self.config = image_config([sha256_digest(name.encode())])
        self.manifest = image_manifest(self.config, [self.layer])
        self.layer_digest = sha256_digest(self.layer)
        self.config_digest = sha256_digest(self.config)
        self.manifest_digest = sha256_digest(self.manifest)


def serve(server, repository, image, guard=lambda handler: handler, layer=None, config=None, manifest=None):
    """Routes `repository:1` of `image`; `layer`/`config`/`manifest` replace a default answer."""
    send = lambda body, media: (lambda r: r.send(200, body, {"Content-Type": media}))
    manifest_answer = manifest or (lambda r: r.send(200, image.manifest, {
        "Content-Type": "application/vnd.docker.distribution.manifest.v2+json",
        "Docker-Content-Digest": image.manifest_digest}))
    for reference in ("1", image.manifest_digest):
        server.route("GET", f"/v2/{repository}/manifests/{reference}", guard(manifest_answer))
    server.route("GET", f"/v2/{repository}/blobs/{image.config_digest}",
                 guard(config or send(image.config, "application/octet-stream")))
    server.route("GET", f"/v2/{repository}/blobs/{image.layer_digest}",
                 guard(layer or send(image.layer, "application/octet-stream")))


def write_list(path, references):
    path.write_text("".join(r + "\n" for r in references))
    return path


def census(tmp_path, registry, references, *extra, timeout=45, env=None, name="run"):
    images = write_list(tmp_path / f"{name}.txt", references)
    out = tmp_path / f"{name}.h5"
    result = run_cli("run", "--registry", registry, "--images", images, "--out", out, "--work",
                     tmp_path / f"{name}-work", *extra, timeout=timeout, env=env)
    return result, out


def header_texts(server):
    with server.lock:
        return [json.dumps(r["headers"]) + r["path"] + r["body"].decode("latin-1") for r in server.requests]


# -- credentials go to the registry and its realm only --------------------------------------------

def test_a_redirect_target_gets_no_credential_and_no_say_in_authentication(tmp_path):
    registry, storage, elsewhere = HostileServer(), HostileServer(), HostileServer()
    with registry, storage, elsewhere:
        # The registry wants a token from its own realm, which wants the Basic credential.
        challenge = f'Bearer realm="{registry.url}/token",service="registry"'

        def guard(handler):
            def guarded(reply):
                if reply.headers.get("authorization") != "Bearer " + TOKEN:
                    return reply.send(401, b"", {"WWW-Authenticate": challenge})
                return handler(reply)
            return guarded

        registry.route("GET", "/v2/", lambda r: r.send(401, b"", {"WWW-Authenticate": challenge}))
        registry.route_prefix("GET", "/token", lambda r: r.json(200, {"token": TOKEN, "expires_in": 300})
                              if r.headers.get("authorization") == BASIC else r.send(401))
        # Storage answers every request with a challenge naming a third server's realm.
        storage.route_prefix("GET", "/", lambda r: r.send(401, b"", {
            "WWW-Authenticate": f'Bearer realm="{elsewhere.url}/token",service="storage"'}))
        elsewhere.route_prefix("GET", "/", lambda r: r.json(200, {"token": "stolen"}))

        good, layer_redirected, config_redirected = Image("good"), Image("layer"), Image("config")
        serve(registry, "good/app", good, guard)
        serve(registry, "layer/app", layer_redirected, guard,
              layer=lambda r: r.redirect(f"{storage.url}/blob/{layer_redirected.layer_digest}"))
        serve(registry, "config/app", config_redirected, guard,
              config=lambda r: r.redirect(f"{storage.url}/blob/{config_redirected.config_digest}"))

        auth_file = tmp_path / "config.json"
        auth_file.write_text(json.dumps({"auths": {registry.host: {
            "auth": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}}}))
        result, out = census(tmp_path, registry.url, ["good/app:1", "layer/app:1", "config/app:1"],
                             "--auth-file", auth_file, "--retries", "0")
        assert result.returncode == 0, result.stderr

        # Storage was asked (so the redirects were followed), never with a credential.
        assert storage.requests, "the redirect target was never contacted"
        for request in storage.requests:
            assert "authorization" not in request["headers"], request
        storage_texts = "\n".join(header_texts(storage))
        assert PASSWORD not in storage_texts and BASIC not in storage_texts and TOKEN not in storage_texts
        # The realm storage named was never contacted at all.
        assert elsewhere.requests == []
        # The registry's own token flow worked: the token realm got the Basic credential.
        assert registry.requests_to("/token")
        assert all(r["headers"].get("authorization") == BASIC for r in registry.requests_to("/token"))

    images, layers = table(out, "images"), table(out, "layers")
    assert images["good/app:1"]["status"] == "ok"
    assert images["layer/app:1"]["status"] == "layer_failed"
    assert layers[good.layer_digest]["status"] == "ok"
    row = layers[layer_redirected.layer_digest]
    assert row["status"] == "unauthorized"
    assert storage.host in row["error"] and "redirect" in row["error"], row["error"]
    row = images["config/app:1"]
    assert row["status"] == "unauthorized"
    assert storage.host in row["error"], row["error"]


def test_a_userinfo_credential_is_used_and_never_stored_or_printed(tmp_path):
    with HostileServer() as server:
        def guard(handler):
            def guarded(reply):
                if reply.headers.get("authorization") != BASIC:
                    return reply.send(401, b"", {"WWW-Authenticate": 'Basic realm="test"'})
                return handler(reply)
            return guarded

        server.registry_root()
        image = Image("app")
        serve(server, "lib/app", image, guard)
        server.route("GET", "/v2/lib/missing/manifests/1", guard(lambda r: r.error(404, "MANIFEST_UNKNOWN")))
        url = f"http://{USER}:{PASSWORD}@{server.host}"
        result, out = census(tmp_path, url, ["lib/app:1", "lib/missing:1"])
        assert result.returncode == 0, result.stderr
        # The userinfo was the credential.
        assert any(r["headers"].get("authorization") == BASIC for r in server.requests_to("/v2/lib/app/"))

    images = table(out, "images")
    assert images["lib/app:1"]["status"] == "ok"
    assert images["lib/missing:1"]["status"] == "manifest_unknown"
    assert server.host in images["lib/missing:1"]["error"]  # the URL is named, without its userinfo
    for text in (all_strings_of(out), all_strings_of(tmp_path / "run-work" / "plan.h5"), result.stdout,
                 result.stderr):
        assert PASSWORD not in text and f"{USER}:" not in text


def token_registry(server, token_answer):
    challenge = f'Bearer realm="{server.url}/token",service="registry"'
    server.route("GET", "/v2/", lambda r: r.send(401, b"", {"WWW-Authenticate": challenge}))
    server.route_prefix("GET", "/token", lambda r: r.send(200, token_answer, {"Content-Type": "application/json"}))

    def guard(handler):
        def guarded(reply):
            if not reply.headers.get("authorization", "").startswith("Bearer "):
                return reply.send(401, b"", {"WWW-Authenticate": challenge})
            return handler(reply)
        return guarded
    return guard


def test_a_token_with_cr_lf_is_refused_and_never_sent(tmp_path):
    with HostileServer() as server:
        guard = token_registry(server, json.dumps({"token": "abc\r\nX-Injected: yes"}).encode())
        serve(server, "lib/app", Image("app"), guard)
        result, out = census(tmp_path, server.url, ["lib/app:1"])
        assert result.returncode == 0, result.stderr
        assert all("x-injected" not in r["headers"] for r in server.requests)
        assert all(not r["headers"].get("authorization", "").startswith("Bearer") for r in server.requests)
    row = table(out, "images")["lib/app:1"]
    assert row["status"] == "unauthorized"
    assert "abc" not in row["error"] and "Injected" not in row["error"], row["error"]


@pytest.mark.parametrize("expires_in", ["9223372036854775807", "1e300", "-5", "0"])
def test_an_absurd_expires_in_still_gives_a_working_token(tmp_path, expires_in):
    with HostileServer() as server:
        guard = token_registry(server, ('{"token": "%s", "expires_in": %s}' % (TOKEN, expires_in)).encode())
        serve(server, "lib/app", Image("app"), guard)
        result, out = census(tmp_path, server.url, ["lib/app:1"])
        assert result.returncode == 0, result.stderr
        # One token serves the whole run: its lifetime neither overflowed nor ran out at once.
        assert len(server.requests_to("/token")) == 1
    assert table(out, "images")["lib/app:1"]["status"] == "ok"
    assert table(out, "layers")[Image("app").layer_digest]["status"] == "ok"


# -- absurd headers --------------------------------------------------------------------------------

def test_a_content_length_above_2_63_is_a_row_error_not_an_abort(tmp_path):
    absurd = lambda r: r.send(200, b"x" * 100, {"Content-Length": "99999999999999999999"}, content_length=False)
    with HostileServer() as server:
        server.registry_root()
        good, bad_layer, bad_config = Image("good"), Image("badlayer"), Image("badconfig")
        serve(server, "good/app", good)
        serve(server, "bad/layer", bad_layer, layer=absurd)
        serve(server, "bad/config", bad_config, config=absurd)
        images = write_list(tmp_path / "images.txt", ["good/app:1", "bad/layer:1", "bad/config:1"])
        result = subprocess.run(["mpirun", "--oversubscribe", "-np", "2", str(BIN), "run", "--registry", server.url,
                                 "--images", str(images), "--out", str(tmp_path / "r.h5"), "--work",
                                 str(tmp_path / "work")], capture_output=True, text=True, env=MPI_ENV, timeout=50)
    assert result.returncode == 0, result.stderr
    images, layers = table(tmp_path / "r.h5", "images"), table(tmp_path / "r.h5", "layers")
    assert images["good/app:1"]["status"] == "ok"
    assert images["bad/config:1"]["status"] == "bad_response"
    assert "Content-Length" in images["bad/config:1"]["error"]
    assert layers[bad_layer.layer_digest]["status"] == "bad_response"
    assert layers[good.layer_digest]["status"] == "ok"


# -- deadlines -------------------------------------------------------------------------------------

def test_a_blob_stalled_after_1000_bytes_ends_at_the_stall_timeout(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        good, stalled = Image("good"), Image("stalled")
        serve(server, "good/app", good)
        serve(server, "stalled/app", stalled, layer=lambda r: r.stall_after(stalled.layer[:1000] + b"\0" * 1000,
                                                                             len(stalled.layer) + 100000))
        started = time.monotonic()
        result, out = census(tmp_path, server.url, ["good/app:1", "stalled/app:1"], "--stall-timeout", "2",
                             "--retries", "1", "-v", timeout=50)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 30
    row = table(out, "layers")[stalled.layer_digest]
    assert row["status"] == "network"
    assert "stall timeout" in row["error"] and "after 1 retries" in row["error"], row["error"]
    assert table(out, "layers")[good.layer_digest]["status"] == "ok"
    assert "retry 1/1" in result.stderr and "stall timeout" in result.stderr


def test_fetch_of_a_stalled_blob_ends_at_the_stall_timeout(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        good, stalled = Image("good"), Image("stalled")
        serve(server, "good/app", good)
        serve(server, "stalled/app", stalled, layer=lambda r: r.stall_after(stalled.layer[:1000],
                                                                             len(stalled.layer) + 5000))
        images = write_list(tmp_path / "images.txt", ["good/app:1", "stalled/app:1"])
        started = time.monotonic()
        result = run_cli("fetch", "--registry", server.url, "--images", images, "--layout", tmp_path / "layout",
                         "--stall-timeout", "1", "--retries", "0", timeout=40)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 20
    assert "fetched 1 of 2 images" in result.stdout
    failures = log_messages(result.stderr, "warning")
    assert len(failures) == 1 and failures[0].startswith("stalled/app:1: network: "), failures
    assert "no byte received for 1 s (stall timeout)" in failures[0]


def test_a_manifest_dripped_at_2_bytes_per_second_ends_at_its_deadline(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        good, dripped = Image("good"), Image("dripped")
        serve(server, "good/app", good)
        serve(server, "dripped/app", dripped, manifest=lambda r: r.drip(dripped.manifest, 2, {
            "Content-Type": "application/vnd.docker.distribution.manifest.v2+json"}))
        images = write_list(tmp_path / "images.txt", ["good/app:1", "dripped/app:1"])
        started = time.monotonic()
        # Deadline: 3 s + a few hundred bytes at 1 MB/s; the drip would take minutes.
        result = run_cli("plan", "--registry", server.url, "--images", images, "--work", tmp_path / "work",
                         "--stall-timeout", "3", "--min-transfer-rate", "1000000", "--retries", "0", timeout=40)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 25
    plan = table(tmp_path / "work" / "plan.h5", "images")
    assert plan["good/app:1"]["status"] == "ok"
    assert plan["dripped/app:1"]["status"] == "network"
    assert "manifests/1: not finished after 3 s (deadline" in all_strings_of(tmp_path / "work" / "plan.h5")


def test_sigterm_ends_a_run_stalled_mid_transfer_within_seconds(tmp_path):
    with HostileServer() as server:
        server.registry_root()
        stalled = Image("stalled")
        serve(server, "stalled/app", stalled,
              layer=lambda r: r.stall_after(stalled.layer[:100], len(stalled.layer)))
        images = write_list(tmp_path / "images.txt", ["stalled/app:1"])
        process = subprocess.Popen([str(BIN), "run", "--registry", server.url, "--images", str(images), "--out",
                                    str(tmp_path / "r.h5"), "--work", str(tmp_path / "work")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=MPI_ENV)
        try:
            assert wait_for(lambda: server.requests_to(stalled.layer_digest), 20)
            time.sleep(1.0)  # well inside the transfer, far from the 60 s stall timeout
            process.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            _, stderr = process.communicate(timeout=15)
            elapsed = time.monotonic() - sent
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert elapsed < 5, stderr
    assert process.returncode == 75, stderr  # exited on its own, the usual "rerun with --resume"
    assert not (tmp_path / "r.h5").exists()


# -- the /v2/ check --------------------------------------------------------------------------------

def assert_one_error_line(result, url, cause):
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert result.returncode == 1, result.stderr
    assert len(errors) == 1, result.stderr
    assert f"{url} does not answer as a container registry (GET /v2/: " in errors[0], errors[0]
    assert cause in errors[0], errors[0]
    assert "retry" not in result.stderr


@pytest.mark.parametrize("command", ["run", "plan", "fetch", "crawl"])
def test_a_server_that_is_not_a_registry_ends_the_command_with_one_line(tmp_path, command):
    with HostileServer() as not_found, HostileServer() as web_page:
        web_page.route("GET", "/v2/", lambda r: r.send(200, b"<html>hello</html>", {"Content-Type": "text/html"}))
        closed = f"http://127.0.0.1:{free_port()}"
        images = write_list(tmp_path / "images.txt", ["lib/app:1"])
        for n, (url, cause) in enumerate([(not_found.url, "HTTP 404"), (web_page.url, "HTTP 200 without"),
                                          (closed, "Couldn't connect")]):
            args = {"run": ["--images", images, "--out", tmp_path / f"r{n}.h5", "--work", tmp_path / f"w{n}"],
                    "plan": ["--images", images, "--work", tmp_path / f"w{n}"],
                    "fetch": ["--images", images, "--layout", tmp_path / f"l{n}"],
                    "crawl": ["--out", tmp_path / f"list{n}.txt"]}[command]
            started = time.monotonic()
            result = run_cli(command, "--registry", url, *args, timeout=30)
            assert time.monotonic() - started < 20
            assert_one_error_line(result, url, cause)
            assert not (tmp_path / f"r{n}.h5").exists()
        # Nothing but the one GET /v2/ reached either server.
        assert [r["path"] for r in not_found.requests] == ["/v2/"]
        assert [r["path"] for r in web_page.requests] == ["/v2/"]


def test_a_server_that_accepts_but_never_answers_is_not_a_registry(tmp_path):
    with HostileServer() as silent:
        silent.route("GET", "/v2/", lambda r: silent.stopping.wait())
        images = write_list(tmp_path / "images.txt", ["lib/app:1"])
        started = time.monotonic()
        result = run_cli("run", "--registry", silent.url, "--images", images, "--out", tmp_path / "r.h5",
                         "--work", tmp_path / "w", "--stall-timeout", "1", timeout=30)
        assert time.monotonic() - started < 15
        assert_one_error_line(result, silent.url, "no byte received for 1 s (stall timeout) (after 1 retries)")
        assert [r["path"] for r in silent.requests] == ["/v2/", "/v2/"]
