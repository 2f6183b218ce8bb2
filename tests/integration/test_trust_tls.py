"""TLS is verified by default, and a certificate that does not verify is not
a transient fault: against a loopback https server with a self-signed
certificate, `run`, `plan` and `fetch` end with exit 1 and one line naming
the cause, after exactly one TCP connection (no retry); with
--insecure-skip-tls-verify the same server is censused."""
import subprocess
import time

import h5py
import pytest

from conftest import BIN, MPI_ENV
from hostile_server import HostileServer, image_config, image_manifest, sha256_digest, tar_gz_layer


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls")
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                    str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture()
def https_registry(certificate):
    server = HostileServer().enable_tls(*certificate)
    server.registry_root()
    layer = tar_gz_layer({"etc/hello": b"hello\n", "bin/tool": b"\x7fELF" + b"\0" * 60})
    config = image_config([sha256_digest(layer)])
    server.manifest("lib/app", "1", image_manifest(config, [layer]))
    server.blob("lib/app", sha256_digest(config), config)
    server.blob("lib/app", sha256_digest(layer), layer)
    server.start()
    yield server
    server.stop()


def regcensus(*args, timeout=60):
    started = time.monotonic()
    result = subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, env=MPI_ENV,
                            timeout=timeout)
    return result, time.monotonic() - started


@pytest.mark.parametrize("command", ["run", "plan", "fetch"])
def test_an_untrusted_certificate_ends_the_command_with_one_line_and_no_retry(https_registry, tmp_path, command):
    images = tmp_path / "images.txt"
    images.write_text("lib/app:1\n")
    where = ["--layout", tmp_path / "layout"] if command == "fetch" else ["--work", tmp_path / "work"]
    out = ["--out", tmp_path / "r.h5"] if command == "run" else []
    result, seconds = regcensus(command, "--registry", https_registry.url, "--images", images, *where, *out)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"regcensus {command}: error: ") and https_registry.url in lines[0], lines[0]
    assert "certificate" in lines[0].lower(), lines[0]
    assert "retry" not in result.stderr
    assert https_registry.connections == 1
    assert https_registry.requests == []  # the handshake failed: no HTTP request was ever read
    assert not (tmp_path / "r.h5").exists()
    assert seconds < 20


def test_skipping_verification_censuses_the_same_server(https_registry, tmp_path):
    images = tmp_path / "images.txt"
    images.write_text("lib/app:1\n")
    result, _ = regcensus("run", "--registry", https_registry.url, "--insecure-skip-tls-verify", "--images", images,
                          "--work", tmp_path / "work", "--out", tmp_path / "r.h5")
    assert result.returncode == 0, result.stderr
    with h5py.File(tmp_path / "r.h5") as f:
        assert [s.decode() for s in f["images/status"][:]] == ["ok"]
        assert list(f["layers/file_count"][:]) == [2]
