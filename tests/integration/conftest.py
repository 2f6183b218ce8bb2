"""Fixtures of the integration tests: a real CNCF distribution registry on a free
loopback port, the synth corpus pushed into it, and `regcensus run` under a real
`mpirun`. Nothing here talks to any address but 127.0.0.1."""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

SOURCE = pathlib.Path(os.environ.get("REGCENSUS_SOURCE", pathlib.Path(__file__).resolve().parents[2]))
BIN = pathlib.Path(os.environ.get("REGCENSUS_BIN", SOURCE / "build" / "regcensus"))
sys.path.insert(0, str(SOURCE / "analysis"))

# Open MPI refuses to start as root unless told that it is deliberate (CI runs as root).
MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """A docker-registry process with its storage and access log in a temp dir.
    `extra_config` is YAML appended to its config (an `auth:` or `compatibility:` section)."""

    def __init__(self, root: pathlib.Path, extra_config: str = ""):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.storage = root / "storage"
        self.log_path = root / "registry.log"
        config = root / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: false\n"
            f"storage:\n  filesystem:\n    rootdirectory: {self.storage}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: 127.0.0.1:{self.port}\n" + extra_config)
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while True:
            try:
                urllib.request.urlopen(self.url + "/v2/", timeout=1).read()
                return
            except urllib.error.HTTPError:
                return  # answering (401 when auth is configured)
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    raise RuntimeError("docker-registry did not start; see " + str(self.log_path))
                time.sleep(0.1)

    def access_log_size(self):
        self.log.flush()
        return self.log_path.stat().st_size

    def blob_gets_since(self, offset):
        """Counts GET requests per blob digest in the access log after byte `offset`."""
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
        counts = {}
        for m in re.finditer(r'"GET /v2/\S+/blobs/(sha256:[0-9a-f]{64}) HTTP', text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        return counts

    def blob_data_path(self, digest):
        hexd = digest.split(":", 1)[1]
        return self.storage / "docker/registry/v2/blobs/sha256" / hexd[:2] / hexd / "data"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


LOG_LINE = re.compile(r"^\[regcensus \S+ \d+\.\ds rank \d+ (error|warning|info|debug)\] (.*)$")


def log_messages(stderr, level=None):
    """The messages of the log lines in `stderr` (docs/logging.md), of one level when given; other lines
    (the one-line fatal error of a command, say) are left out."""
    found = (LOG_LINE.match(line) for line in stderr.splitlines())
    return [m[2] for m in found if m and (level is None or m[1] == level)]


def run(cmd, **kwargs):
    """Runs a command, failing the test with its output when it fails."""
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=MPI_ENV, **kwargs)
    if result.returncode != 0:
        raise AssertionError(f"command failed ({result.returncode}): {' '.join(map(str, cmd))}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def mpirun(ranks, *args, **kwargs):
    return run(["mpirun", "--oversubscribe", "-np", ranks, BIN, *args], **kwargs)


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    reg = Registry(tmp_path_factory.mktemp("registry"))
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, registry):
    """The synth corpus (seed 7), pushed into the session's registry."""
    out = tmp_path_factory.mktemp("corpus")
    run([BIN, "synth", "--out", out, "--seed", "7", "--images", "24"])
    run([BIN, "push", "--layout", out / "layout", "--registry", registry.url])
    truth = json.loads((out / "groundtruth.json").read_text())
    return {"dir": out, "images": out / "images.txt", "truth": truth}
