"""A scripted, hostile HTTP server for the trust tests: it speaks just enough of
the Registry API v2 to be believed, then lies, stalls, drips, redirects and
sends absurd headers. It listens on 127.0.0.1 only and logs every request
(method, path, headers), so a test can assert exactly what reached which host.

    server = HostileServer().start()
    server.registry_root()                       # GET /v2/ answers like a registry
    server.manifest("lib/app", "1", manifest_bytes)
    server.blob("lib/app", digest, blob_bytes)
    server.route("GET", "/v2/lib/app/blobs/" + d, lambda req: req.stall_after(b"x" * 1000, 1 << 20))
    ... run regcensus against server.url ...
    server.requests                              # [{"method", "path", "headers"}], in arrival order
    server.stop()

A handler gets a `Reply` and answers with one of its methods; anything it
writes goes to the socket as is (so a test can send a header libcurl would
never send itself). Stalling handlers wake up when the server stops.
"""
import hashlib
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG_V1 = "application/vnd.docker.container.image.v1+json"
LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha512_digest(data: bytes) -> str:
    return "sha512:" + hashlib.sha512(data).hexdigest()


def tree_listing(root) -> set:
    """Every path below `root` (files, directories, links), for before/after comparisons."""
    found = set()
    for directory, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            found.add(os.path.join(directory, name))
    return found


class Reply:
    """What a handler can answer. Each method writes a complete response (or a
    deliberately incomplete one) and returns."""

    def __init__(self, handler: BaseHTTPRequestHandler, server: "HostileServer"):
        self._h = handler
        self._server = server
        self.method = handler.command
        self.path = handler.path
        self.headers = {k.lower(): v for k, v in handler.headers.items()}

    def raw(self, data: bytes):
        """Writes bytes to the socket as they are (status line and headers included)."""
        self._h.wfile.write(data)
        self._h.wfile.flush()

    def send(self, status: int, body: bytes = b"", headers: dict = None, content_length=True):
        lines = [f"HTTP/1.1 {status} {self._reason(status)}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if content_length and not any(k.lower() == "content-length" for k in (headers or {})):
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.raw(head + (body if self.method != "HEAD" else b""))

    def json(self, status: int, document, headers: dict = None):
        self.send(status, json.dumps(document).encode(), {"Content-Type": "application/json", **(headers or {})})

    def error(self, status: int, code: str, message: str = ""):
        self.json(status, {"errors": [{"code": code, "message": message}]})

    def stall_after(self, first: bytes, announced_length: int, headers: dict = None):
        """Announces `announced_length` bytes, sends `first`, then sends nothing until the server stops."""
        self.send(200, b"", {"Content-Length": str(announced_length), **(headers or {})}, content_length=False)
        self.raw(first)
        self._server.stopping.wait()

    def drip(self, body: bytes, bytes_per_second: float, headers: dict = None):
        """Sends `body` (announced in full) one byte at a time at the given rate, until done or stopped."""
        self.send(200, b"", {"Content-Length": str(len(body)), **(headers or {})}, content_length=False)
        for i in range(len(body)):
            if self._server.stopping.wait(1.0 / bytes_per_second):
                return
            self.raw(body[i:i + 1])

    def hang_up(self):
        """Closes the connection without an answer (libcurl: "Empty reply from server")."""
        self._h.close_connection = True

    def redirect(self, location: str, status: int = 307):
        self.send(status, b"", {"Location": location})

    @staticmethod
    def _reason(status):
        return {200: "OK", 206: "Partial Content", 301: "Moved Permanently", 302: "Found",
                307: "Temporary Redirect", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Status")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _dispatch(self):
        server: HostileServer = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        with server.lock:
            server.requests.append({"method": self.command, "path": self.path,
                                    "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        handler = server.find(self.command, self.path)
        reply = Reply(self, server)
        try:
            if handler is None:
                reply.error(404, "NAME_UNKNOWN", "no such route")
            else:
                handler(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _dispatch


class HostileServer:
    def __init__(self, port: int = 0):
        self.lock = threading.Lock()
        self.requests = []
        self.stopping = threading.Event()
        self._routes = {}     # (method, path) -> handler
        self._prefixes = []   # (method, prefix, handler), first match wins
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self._thread = None

    def enable_tls(self, certfile, keyfile):
        """Serves https with this certificate (before start()); `connections`
        counts TCP connections accepted, handshakes that fail included."""
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        plain_accept = self._httpd.get_request
        self.connections = 0

        def accept():
            connection, address = plain_accept()
            with self.lock:
                self.connections += 1
            connection.settimeout(10)
            return context.wrap_socket(connection, server_side=True), address

        self._httpd.get_request = accept
        self._httpd.handle_error = lambda request, address: None  # a refused handshake is the point
        self.url = f"https://127.0.0.1:{self.port}"
        return self

    # -- routes --------------------------------------------------------------
    def route(self, method: str, path: str, handler):
        """`handler(reply)` answers `method path` (exact path, query included if the client sends one)."""
        self._routes[(method, path)] = handler
        return self

    def route_prefix(self, method: str, prefix: str, handler):
        self._prefixes.append((method, prefix, handler))
        return self

    def find(self, method, path):
        for candidate in (method, "GET") if method == "HEAD" else (method,):
            if (candidate, path) in self._routes:
                return self._routes[(candidate, path)]
            for m, prefix, handler in self._prefixes:
                if m == candidate and path.startswith(prefix):
                    return handler
        return None

    # -- a believable registry -------------------------------------------------
    def registry_root(self):
        """GET /v2/ answers 200 with the API version header, as a registry does."""
        return self.route("GET", "/v2/", lambda r: r.json(200, {}, {
            "Docker-Distribution-API-Version": "registry/2.0"}))

    def manifest(self, repository: str, reference: str, body: bytes, media_type: str = MANIFEST_V2,
                 digest: str = None):
        digest = digest or sha256_digest(body)
        answer = lambda r: r.send(200, body, {"Content-Type": media_type, "Docker-Content-Digest": digest})
        self.route("GET", f"/v2/{repository}/manifests/{reference}", answer)
        self.route("GET", f"/v2/{repository}/manifests/{digest}", answer)
        return digest

    def blob(self, repository: str, digest: str, body: bytes):
        self.route("GET", f"/v2/{repository}/blobs/{digest}", lambda r: r.send(
            200, body, {"Content-Type": "application/octet-stream", "Docker-Content-Digest": digest}))
        return digest

    def requests_to(self, path_fragment: str):
        with self.lock:
            return [r for r in self.requests if path_fragment in r["path"]]

    # -- life ------------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def image_manifest(config: bytes, layers: list, media_type: str = MANIFEST_V2, config_digest: str = None,
                   layer_digests: list = None, layer_sizes: list = None) -> bytes:
    """A schema 2 (or OCI) manifest over `config` and `layers` (bytes); digests and
    sizes can be overridden to lie."""
    layer_media = LAYER_GZIP if media_type == MANIFEST_V2 else "application/vnd.oci.image.layer.v1.tar+gzip"
    config_media = CONFIG_V1 if media_type == MANIFEST_V2 else "application/vnd.oci.image.config.v1+json"
    return json.dumps({
        "schemaVersion": 2, "mediaType": media_type,
        "config": {"mediaType": config_media, "size": len(config), "digest": config_digest or sha256_digest(config)},
        "layers": [{"mediaType": layer_media,
                    "size": (layer_sizes[i] if layer_sizes else len(layer)),
                    "digest": (layer_digests[i] if layer_digests else sha256_digest(layer))}
                   for i, layer in enumerate(layers)],
    }).encode()


def image_config(diff_ids: list, platform=("linux", "amd64")) -> bytes:
    return json.dumps({"architecture": platform[1], "os": platform[0],
                       "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def tar_gz_layer(files: dict) -> bytes:
    """A gzip-compressed tar of `files` ({path: bytes}), deterministic (mtime 0, uid 0)."""
    import gzip
    import io
    import tarfile
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)
