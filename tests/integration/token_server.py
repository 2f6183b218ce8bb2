#!/usr/bin/python3
"""A token server of the distribution token spec, for tests: issues JWTs signed
(ES256) with a test key whose self-signed certificate the registry trusts
(`auth: token: rootcertbundle`). Listens on 127.0.0.1 only.

GET  /token?service=S&scope=repository:NAME:pull[&scope=...]  with Basic USER:PASSWORD
POST /token  grant_type=refresh_token&refresh_token=IDENTITY_TOKEN&service=S&scope=...
GET  /stats  -> {"issued": {scope: count}, "refused": n, "basic_seen": n}

Usage: token_server.py --port P --key key.pem --cert cert.pem --issuer I --service S
       --user U --password W [--identity-token T] [--expires-in N (0: omit)] [--token-field token|access_token]
"""
import argparse
import base64
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    def __init__(self, args):
        self.args = args
        self.key = serialization.load_pem_private_key(open(args.key, "rb").read(), password=None)
        cert = x509.load_pem_x509_certificate(open(args.cert, "rb").read())
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        self.lock = threading.Lock()
        self.issued = {}
        self.refused = 0
        self.basic_seen = 0

    def sign(self, scopes):
        access = []
        for scope in scopes:
            parts = scope.split(":")
            if len(parts) < 3:
                continue
            kind, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        lifetime = self.args.jwt_lifetime
        claims = {"iss": self.args.issuer, "sub": self.args.user, "aud": self.args.service, "exp": now + lifetime,
                  "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        header = {"typ": "JWT", "alg": "ES256", "x5c": self.x5c}
        signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
        r, s = decode_dss_signature(self.key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return signing_input.decode() + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def make_handler(issuer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, document):
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def issue(self, scopes):
            with issuer.lock:
                for scope in scopes:
                    issuer.issued[scope] = issuer.issued.get(scope, 0) + 1
            document = {issuer.args.token_field: issuer.sign(scopes)}
            if issuer.args.expires_in > 0:
                document["expires_in"] = issuer.args.expires_in
            self.reply(200, document)

        def refuse(self):
            with issuer.lock:
                issuer.refused += 1
            self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/stats":
                with issuer.lock:
                    return self.reply(200, {"issued": issuer.issued, "refused": issuer.refused,
                                            "basic_seen": issuer.basic_seen})
            query = parse_qs(url.query)
            authorization = self.headers.get("Authorization", "")
            if not authorization.startswith("Basic "):
                return self.refuse()
            with issuer.lock:
                issuer.basic_seen += 1
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            if user != issuer.args.user or password != issuer.args.password:
                return self.refuse()
            self.issue(query.get("scope", []))

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            if (form.get("grant_type") != ["refresh_token"] or not issuer.args.identity_token
                    or form.get("refresh_token") != [issuer.args.identity_token]):
                return self.refuse()
            self.issue(form.get("scope", []))

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--identity-token", default="")
    parser.add_argument("--expires-in", type=int, default=300)
    parser.add_argument("--jwt-lifetime", type=int, default=300)
    parser.add_argument("--token-field", default="token", choices=["token", "access_token"])
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(Issuer(args)))
    print(f"token server on 127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
