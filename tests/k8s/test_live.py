"""The live-cluster path against recorded API list responses, over HTTPS on 127.0.0.1 only.

The server is a stand-in for the API server: it answers the collection GETs the scanner makes
with recorded list responses (paginated for pods, 403 for daemonsets), checks the bearer token,
and records every request so the test can assert the scan only ever lists.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from citywatch.cli.main import main
from citywatch.k8s.live import load_cluster

RESPONSES = json.loads(
    (Path(__file__).parent / "fixtures" / "live_api_responses.json").read_text(encoding="utf-8")
)
TOKEN = "recorded-test-token"


def _self_signed(tmp: Path) -> tuple[Path, Path, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "citywatch-test-apiserver")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = tmp / "server.crt", tmp / "server.key"
    cert_path.write_bytes(pem)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path, pem


class _Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str]] = []

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def _reply(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlparse(self.path)
        self.seen.append(("GET", self.path, self.headers.get("Authorization", "")))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._reply(401, {"kind": "Status", "code": 401, "reason": "Unauthorized"})
            return
        key = url.path
        if key == "/api/v1/pods":
            page = 2 if parse_qs(url.query).get("continue") == ["page2token"] else 1
            key = f"/api/v1/pods?page={page}"
        body = RESPONSES.get(key)
        if body is None:
            self._reply(404, {"kind": "Status", "code": 404, "reason": "NotFound"})
        else:
            self._reply(int(body.get("code", 200)), body)

    def do_POST(self) -> None:  # noqa: N802
        self.seen.append(("POST", self.path, ""))
        self._reply(405, {"kind": "Status", "code": 405})


@pytest.fixture()
def kubeconfig(tmp_path: Path) -> Iterator[Path]:
    cert, key, pem = _self_signed(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    _Handler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "rec",
                "cluster": {
                    "server": f"https://127.0.0.1:{port}",
                    "certificate-authority-data": base64.b64encode(pem).decode(),
                },
            }
        ],
        "users": [{"name": "scanner", "user": {"token": TOKEN}}],
        "contexts": [{"name": "recorded", "context": {"cluster": "rec", "user": "scanner"}}],
        "current-context": "recorded",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(config), encoding="utf-8")
    try:
        yield path
    finally:
        server.shutdown()
        server.server_close()


def test_snapshot_lists_every_resource_and_follows_pages(kubeconfig: Path) -> None:
    resources, errors = load_cluster(str(kubeconfig), "recorded")
    kinds = sorted((r.kind, r.name) for r in resources)
    assert ("Pod", "Pod/prod/web-1") in kinds and ("Pod", "Pod/dev/tool") in kinds
    assert ("Pod", "Pod/prod/api-1") in kinds  # second page, via the continue token
    assert ("ClusterRoleBinding", "ClusterRoleBinding/ci-reads-secrets") in kinds
    # the forbidden collection is reported and the rest goes on
    assert [e[1] for e in errors] == ["list daemonsets: HTTP 403 Forbidden"]
    # read only: nothing but GETs, each with the token, each a list with a page limit
    assert {m for m, _, _ in _Handler.seen} == {"GET"}
    assert all(auth == f"Bearer {TOKEN}" for _, _, auth in _Handler.seen)
    assert all("limit=500" in p for _, p, _ in _Handler.seen)


def test_cli_pss_uses_namespace_labels_from_the_cluster(
    kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(
        ["k8s", "pss", "--kubeconfig", str(kubeconfig), "--context", "recorded", "--format", "json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1
    by_resource: dict[str, list[str]] = {}
    for f in doc["findings"]:
        by_resource.setdefault(f["resource"], []).append(f["message"])
    # prod: warn=restricted:v1.24 is stricter than enforce=baseline, so restricted applies
    assert any('"restricted:v1.24": privileged' in m for m in by_resource["Pod/prod/web-1"])
    assert "Pod/prod/api-1" not in by_resource
    # dev has no labels: the reporting default, restricted:latest
    assert any('"restricted:latest"' in m for m in by_resource["Pod/dev/tool"])
    # the Deployment's ReplicaSet and Pod carry the same spec: reported once, on the owner
    assert "Deployment/dev/shop" in by_resource
    assert "ReplicaSet/dev/shop-6d4b" not in by_resource
    assert "Pod/dev/shop-6d4b-x1" not in by_resource
    assert doc["errors"][0]["reason"] == "list daemonsets: HTTP 403 Forbidden"


def test_cli_who_can_and_netpol_on_the_cluster(
    kubeconfig: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--kubeconfig", str(kubeconfig), "--context", "recorded", "--format", "json"]
    assert main(["k8s", "who-can", "list", "secrets", "-n", "prod", *base]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(s["kind"], s["namespace"], s["name"]) for s in doc["subjects"]] == [
        ("ServiceAccount", "dev", "ci")
    ]
    assert (
        main(
            ["k8s", "netpol", "--from", "prod/web-1", "--to", "prod/api-1", "--port", "8080", *base]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["allowed"] is True
    assert (
        main(["k8s", "netpol", "--from", "dev/tool", "--to", "prod/api-1", "--port", "8080", *base])
        == 0
    )
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["allowed"] is False
    assert verdict["ingress"].startswith("isolated")


def test_unreachable_cluster_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["k8s", "rbac", "--kubeconfig", str(tmp_path / "missing")]) == 2
    assert "cannot load kubeconfig" in capsys.readouterr().err
