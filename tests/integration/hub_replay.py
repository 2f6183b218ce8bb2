"""Test doubles for `regcensus crawl`, on 127.0.0.1 only:
- HubReplay: a loopback HTTP server answering like Docker Hub's JSON API
  (the documented shapes: `{count, next, previous, results}`; namespace listing
  results with name/namespace/pull_count/star_count/last_updated/is_private;
  search results with repo_name/pull_count/star_count/is_official; repository
  info `GET /v2/repositories/{ns}/{name}/`, one object with name/namespace/
  pull_count/star_count/last_updated/is_private/...), synthetic content,
  with a search page cap, rate-limit answers and injected failures.
  It records every request (time, path, status) so tests can check what the
  crawler asked for.
- populate_registry: >1,000 repositories pushed cheaply into a real
  distribution registry (one config and one layer blob, then cross-repository
  mounts and one manifest PUT per repository and tag)."""
import gzip
import hashlib
import http.client
import io
import json
import tarfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HubReplay:
    def __init__(self, repositories, page_cap=2):
        """repositories: dicts with namespace, name, pull_count, star_count, last_updated,
        optionally search_pull_count (what a lagging search index reports instead)."""
        self.repositories = sorted(repositories, key=lambda r: (r["namespace"], r["name"]))
        self.page_cap = page_cap          # search pages served per query; then next is null
        self.lock = threading.Lock()
        self.requests = []                # (start time, path?query, status)
        self.fail_after = None            # after this many requests were let through, every request fails
        self.admitted = 0
        self.fail_mode = "503"            # or "close": the connection is dropped without an answer
        self.delay = 0.0                  # seconds before each answer
        self.too_many_at = set()          # request numbers (1-based) answered 429 + X-Retry-After
        self.spent_at = set()             # request numbers answered 200 with X-RateLimit-Remaining: 0
        self.pauses = []                  # (sent at, until) of the 429 / spent answers
        self.info_missing = set()         # (namespace, name) whose repository info is 404 (deleted since indexed)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def served(self):
        """Path?query -> number of 200 answers."""
        counts = {}
        with self.lock:
            for _, path, status in self.requests:
                if status == 200:
                    counts[path] = counts.get(path, 0) + 1
        return counts

    # --- the API --------------------------------------------------------
    def namespace_page(self, namespace, page, page_size):
        repos = [r for r in self.repositories if r["namespace"] == namespace]
        if not repos:
            return 404, {"message": "object not found", "errinfo": {}}
        chunk = repos[(page - 1) * page_size: page * page_size]
        more = page * page_size < len(repos)
        return 200, {
            "count": len(repos),
            "next": f"{self.url}/v2/namespaces/{namespace}/repositories?page={page + 1}&page_size={page_size}"
            if more else None,
            "previous": None,
            "results": [{"name": r["name"], "namespace": r["namespace"], "repository_type": "image", "status": 1,
                         "status_description": "active", "description": "", "is_private": False,
                         "star_count": r["star_count"], "pull_count": r["pull_count"],
                         "last_updated": r["last_updated"], "date_registered": "2015-01-01T00:00:00Z",
                         "affiliation": "", "media_types": [], "content_types": ["image"]} for r in chunk],
        }

    def search_matches(self, query):
        """Synthetic search semantics: repository name starts with the query."""
        return sorted((r for r in self.repositories if r["name"].startswith(query)),
                      key=lambda r: (r["name"], r["namespace"]))

    def search_page(self, query, page, page_size):
        matches = self.search_matches(query)
        chunk = matches[(page - 1) * page_size: page * page_size] if page <= self.page_cap else []
        more = page * page_size < len(matches) and page < self.page_cap
        relative_next = "/v2/search/repositories/?" + urllib.parse.urlencode(
            {"query": query, "page": page + 1, "page_size": page_size})
        return 200, {
            "count": len(matches),
            "next": relative_next if more else None,  # relative, as some proxies rewrite it; must be resolved
            "previous": None,
            "results": [{"repo_name": r["name"] if r["namespace"] == "library" else f"{r['namespace']}/{r['name']}",
                         "short_description": "", "star_count": r["star_count"],
                         "pull_count": r.get("search_pull_count", r["pull_count"]),
                         "repo_owner": "", "is_automated": False,
                         "is_official": r["namespace"] == "library"} for r in chunk],
        }

    def repository_info(self, namespace, name):
        """The documented object of GET /v2/repositories/{ns}/{name}/ (a subset of its fields)."""
        found = [r for r in self.repositories if r["namespace"] == namespace and r["name"] == name]
        if not found or (namespace, name) in self.info_missing:
            return 404, {"message": "object not found", "errinfo": {}}
        r = found[0]
        return 200, {"user": namespace, "name": name, "namespace": namespace, "repository_type": "image",
                     "status": 1, "status_description": "active", "description": "", "is_private": False,
                     "is_automated": False, "star_count": r["star_count"], "pull_count": r["pull_count"],
                     "last_updated": r["last_updated"], "date_registered": "2015-01-01T00:00:00Z",
                     "collaborator_count": 0, "affiliation": None, "hub_user": namespace,
                     "has_starred": False, "full_description": "", "permissions": {"read": True, "write": False,
                                                                                   "admin": False},
                     "media_types": [], "content_types": ["image"]}

    def _handler(self):
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, body, headers=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                started = time.time()
                if replay.delay:
                    time.sleep(replay.delay)
                with replay.lock:
                    number = len(replay.requests) + 1
                    failing = replay.fail_after is not None and replay.admitted >= replay.fail_after
                    if not failing:
                        replay.admitted += 1
                    status = 503 if failing else None
                    if failing and replay.fail_mode == "close":
                        status = 0
                    replay.requests.append([started, self.path, status])
                    entry = replay.requests[-1]
                if status == 0:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if status == 503:
                    return self.answer(503, {"message": "unavailable"})
                now = int(time.time())
                if number in replay.too_many_at:
                    entry[2] = 429
                    replay.pauses.append((time.time(), now + 2))
                    return self.answer(429, {"message": "too many requests"},
                                       [("X-RateLimit-Limit", "180"), ("X-RateLimit-Remaining", "0"),
                                        ("X-Retry-After", str(now + 2))])
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                page, page_size = int(query.get("page", 1)), int(query.get("page_size", 10))
                parts = url.path.strip("/").split("/")
                if url.path == "/v2/search/repositories/":
                    status, body = replay.search_page(query.get("query", ""), page, page_size)
                elif len(parts) == 4 and parts[:2] == ["v2", "namespaces"] and parts[3] == "repositories":
                    status, body = replay.namespace_page(parts[2], page, page_size)
                elif len(parts) == 4 and parts[:2] == ["v2", "repositories"] and url.path.endswith("/"):
                    status, body = replay.repository_info(parts[2], parts[3])
                else:
                    status, body = 404, {"message": "not found"}
                headers = [("X-RateLimit-Limit", "180"), ("X-RateLimit-Remaining", "100"),
                           ("X-RateLimit-Reset", str(now + 60))]
                if number in replay.spent_at:
                    headers = [("X-RateLimit-Limit", "180"), ("X-RateLimit-Remaining", "0"),
                               ("X-RateLimit-Reset", str(now + 2))]
                    replay.pauses.append((time.time(), now + 2))
                entry[2] = status
                self.answer(status, body, headers)

        return Handler


# --- a large registry, pushed cheaply ---------------------------------------

def _tiny_image():
    layer_tar = io.BytesIO()
    with tarfile.open(fileobj=layer_tar, mode="w") as tar:
        data = b"hello\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(data))
    layer_raw = layer_tar.getvalue()
    layer = gzip.compress(layer_raw, mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers",
                                    "diff_ids": ["sha256:" + hashlib.sha256(layer_raw).hexdigest()]}}).encode()
    digest = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                   "digest": digest(config)},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer),
                    "digest": digest(layer)}]}).encode()
    return config, layer, manifest, digest(config), digest(layer)


def populate_registry(url, repositories):
    """repositories: {name: [tags]}. One upload of each blob into the first
    repository, then per repository two mounts and a manifest PUT per tag."""
    config, layer, manifest, config_digest, layer_digest = _tiny_image()
    host = urllib.parse.urlsplit(url).netloc
    names = list(repositories)
    seed = names[0]

    def request(conn, method, path, body=b"", headers=None):
        conn.request(method, path, body=body, headers=headers or {"Content-Length": str(len(body))})
        response = conn.getresponse()
        response.read()
        return response

    conn = http.client.HTTPConnection(host, timeout=30)
    for blob, blob_digest in ((config, config_digest), (layer, layer_digest)):
        started = request(conn, "POST", f"/v2/{seed}/blobs/uploads/")
        assert started.status == 202, started.status
        location = urllib.parse.urlsplit(started.getheader("Location"))
        put_path = location.path + "?" + (location.query + "&" if location.query else "") + \
            urllib.parse.urlencode({"digest": blob_digest})
        done = request(conn, "PUT", put_path, blob, {"Content-Type": "application/octet-stream",
                                                     "Content-Length": str(len(blob))})
        assert done.status == 201, done.status
    conn.close()

    local = threading.local()

    def push(name):
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(host, timeout=30)
        conn = local.conn
        if name != seed:
            for blob_digest in (config_digest, layer_digest):
                mounted = request(conn, "POST", f"/v2/{name}/blobs/uploads/?" +
                                  urllib.parse.urlencode({"mount": blob_digest, "from": seed}))
                assert mounted.status == 201, (name, mounted.status)
        for tag in repositories[name]:
            put = request(conn, "PUT", f"/v2/{name}/manifests/{tag}", manifest,
                          {"Content-Type": "application/vnd.docker.distribution.manifest.v2+json",
                           "Content-Length": str(len(manifest))})
            assert put.status == 201, (name, tag, put.status)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(push, names))
