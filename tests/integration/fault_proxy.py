#!/usr/bin/python3
"""A fault-injecting HTTP proxy for tests, between a client and a registry, on
127.0.0.1 only. Deterministic per request: the first GET of each blob gets the
fault its rank among blobs picks (in FAULT_CYCLE order), the first GET of each
manifest one of MANIFEST_FAULTS; every later request passes through untouched
(so a retry or a Range resume succeeds).

Faults: reset (half the body, then a TCP RST), truncate (half the body, then a
clean close before Content-Length), 500, 429 (Retry-After: 1), slow (the body
in small pieces with pauses), redirect (307 to a second loopback port, the
"storage", which records whether an Authorization header arrived and serves the
blob with the proxy's own copy of the registry's credentials).

GET /_faults on the proxy returns the tally:
  {"injected": {fault: count}, "retryable": n, "redirects_served": n, "authorization_on_redirect": n}

Usage: fault_proxy.py --port P --upstream http://127.0.0.1:R --storage-port S [--no-faults]
(also importable: FaultProxy(upstream, port, storage_port).start() / .stop()).
"""
import argparse
import http.client
import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

FAULT_CYCLE = ["reset", "truncate", "500", "429", "slow", "redirect", "none"]
MANIFEST_FAULTS = ["500", "429", "none"]
RETRYABLE = {"reset", "truncate", "500", "429"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
              "proxy-authenticate", "host"}


class FaultState:
    def __init__(self, faults_enabled=True, quota=None):
        self.lock = threading.Lock()
        self.faults_enabled = faults_enabled
        self.quota = quota      # announce a ratelimit quota of this many manifest GETs (Docker Hub style)
        self.manifest_gets = 0
        self.seen = {}          # path -> number of GETs so far
        self.blob_rank = 0
        self.manifest_rank = 0
        self.injected = {}
        self.redirects_served = 0
        self.authorization_on_redirect = 0
        self.redirect_targets = {}  # id -> (path, authorization)

    def fault_for(self, method, path, has_range):
        if not self.faults_enabled or method != "GET" or has_range:
            return "none"
        with self.lock:
            count = self.seen.get(path, 0)
            self.seen[path] = count + 1
            if count > 0:
                return "none"
            if "/blobs/sha256:" in path:
                fault = FAULT_CYCLE[self.blob_rank % len(FAULT_CYCLE)]
                self.blob_rank += 1
            elif "/manifests/" in path:
                fault = MANIFEST_FAULTS[self.manifest_rank % len(MANIFEST_FAULTS)]
                self.manifest_rank += 1
            else:
                return "none"
            if fault != "none":
                self.injected[fault] = self.injected.get(fault, 0) + 1
            return fault

    def quota_headers(self, method, path):
        """Docker Hub counts manifest GETs against the quota; so does this."""
        if self.quota is None:
            return []
        with self.lock:
            if method == "GET" and "/manifests/" in path:
                self.manifest_gets += 1
            remaining = max(self.quota - self.manifest_gets, 0)
        return [("ratelimit-limit", f"{self.quota};w=21600"), ("ratelimit-remaining", f"{remaining};w=21600")]

    def tally(self):
        with self.lock:
            return {"injected": dict(self.injected), "manifest_gets": self.manifest_gets,
                    "retryable": sum(n for f, n in self.injected.items() if f in RETRYABLE),
                    "redirects_served": self.redirects_served,
                    "authorization_on_redirect": self.authorization_on_redirect}


def upstream_request(upstream, method, path, headers):
    url = urlparse(upstream)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    connection.request(method, path, headers=headers)
    return connection, connection.getresponse()


def make_proxy_handler(state, upstream, storage_port):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send_simple(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def forward(self):
            if self.path == "/_faults":
                return self.send_simple(200, json.dumps(state.tally()).encode(),
                                        [("Content-Type", "application/json")])
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            fault = state.fault_for(self.command, self.path.split("?")[0], "Range" in self.headers)
            if fault == "500":
                return self.send_simple(500, b'{"errors":[{"code":"UNKNOWN","message":"injected"}]}',
                                        [("Content-Type", "application/json")])
            if fault == "429":
                return self.send_simple(429, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}',
                                        [("Content-Type", "application/json"), ("Retry-After", "1")])
            if fault == "redirect":
                with state.lock:
                    key = str(len(state.redirect_targets))
                    state.redirect_targets[key] = (self.path, self.headers.get("Authorization"))
                return self.send_simple(307, b"", [("Location", f"http://127.0.0.1:{storage_port}/storage/{key}")])

            url = urlparse(upstream)
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                for name, value in state.quota_headers(self.command, self.path):
                    self.send_header(name, value)
                self.end_headers()
                if self.command == "HEAD":
                    return
                total = int(response.getheader("Content-Length", "0") or 0)
                if fault in ("reset", "truncate") and response.status == 200 and total > 1:
                    self.wfile.write(response.read(total // 2))
                    self.wfile.flush()
                    if fault == "reset":  # closing with a zero linger sends RST instead of FIN
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    else:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    # The descriptor is released only once the makefile() objects are closed too.
                    self.rfile.close()
                    self.wfile.close()
                    self.connection.close()
                    return
                while True:
                    chunk = response.read(16 << 10 if fault == "slow" else 256 << 10)
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    if fault == "slow":
                        self.wfile.flush()
                        time.sleep(0.005)
            finally:
                connection.close()

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = forward

    return Handler


def make_storage_handler(state, upstream):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            key = self.path.rsplit("/", 1)[-1]
            with state.lock:
                path, authorization = state.redirect_targets.get(key, (None, None))
                state.redirects_served += 1
                if self.headers.get("Authorization"):
                    state.authorization_on_redirect += 1
            if path is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            headers = {"Authorization": authorization} if authorization else {}
            if "Range" in self.headers:
                headers["Range"] = self.headers["Range"]
            connection, response = upstream_request(upstream, "GET", path, headers)
            try:
                data = response.read()
                self.send_response(response.status)
                for name in ("Content-Type", "Content-Range", "Docker-Content-Digest"):
                    if response.getheader(name):
                        self.send_header(name, response.getheader(name))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            finally:
                connection.close()

    return Handler


class FaultProxy:
    def __init__(self, upstream, port, storage_port, faults_enabled=True, quota=None):
        self.state = FaultState(faults_enabled, quota)
        self.proxy = ThreadingHTTPServer(("127.0.0.1", port), make_proxy_handler(self.state, upstream, storage_port))
        self.storage = ThreadingHTTPServer(("127.0.0.1", storage_port), make_storage_handler(self.state, upstream))
        self.proxy.daemon_threads = self.storage.daemon_threads = True
        self.url = f"http://127.0.0.1:{port}"
        self.threads = []

    def start(self):
        for server in (self.proxy, self.storage):
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self):
        for server in (self.proxy, self.storage):
            server.shutdown()
            server.server_close()

    def tally(self):
        return self.state.tally()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--storage-port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    proxy = FaultProxy(args.upstream, args.port, args.storage_port, not args.no_faults).start()
    print(f"fault proxy on {proxy.url} -> {args.upstream}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    sys.exit(main())
