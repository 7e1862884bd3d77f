"""deploy/nginx-teacher.conf in a real nginx (Debian's) on 127.0.0.1, over TLS with a login.

A self-signed certificate and a teacher's htpasswd line are made here (openssl); the server block
is the shipped file with only its addresses, folder and file paths changed.
"""

from __future__ import annotations

import http.client
import re
import ssl
import subprocess
import urllib.request
from base64 import b64encode
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, write_files
from nginxutil import free_port, running

CONF = ROOT / "deploy" / "nginx-teacher.conf"
USER, PASSWORD = "teacher", "correct horse battery staple"
PAGES = {
    "index.html": "<!DOCTYPE html><title>Front</title><p>Front door</p>",
    "lessons/01.html": "<!DOCTYPE html><title>Lesson</title><script>var x;</script><p>Plan</p>",
    "_static/site.css": "body { color: black; }",
}


@dataclass
class Server:
    port: int  # TLS
    plain: int  # plain HTTP
    prefix: Path

    def get(self, path: str, auth: tuple[str, str] | None = None, tls: bool = True):
        """(status, headers, body) of one GET, on a new connection."""
        if tls:
            context = ssl.create_default_context(cafile=self.prefix / "cert.pem")
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, context=context, timeout=10
            )
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.plain, timeout=10)
        headers = {}
        if auth:
            headers["Authorization"] = "Basic " + b64encode(":".join(auth).encode()).decode()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, response.headers, response.read().decode()
        finally:
            conn.close()


def server_conf(root: Path, prefix: Path, port: int, plain: int) -> str:
    """The shipped server blocks with only addresses, folder and file paths changed."""
    text = CONF.read_text(encoding="utf-8")
    changes = [
        (r"(?m)^(\s*)listen\s+443 ssl( http2)?;", rf"\1listen 127.0.0.1:{port} ssl\2;"),
        (r"(?m)^(\s*)listen\s+80;", rf"\1listen 127.0.0.1:{plain};"),
        (r"(?m)^(\s*)root\s+\S+;", rf"\1root {root};"),
        (r"(?m)^(\s*)ssl_certificate\s+\S+;", rf"\1ssl_certificate {prefix}/cert.pem;"),
        (r"(?m)^(\s*)ssl_certificate_key\s+\S+;", rf"\1ssl_certificate_key {prefix}/key.pem;"),
        (r"(?m)^(\s*)auth_basic_user_file\s+\S+;", rf"\1auth_basic_user_file {prefix}/htpasswd;"),
    ]
    for pattern, replacement in changes:
        text, count = re.subn(pattern, replacement, text)
        assert count == 1, f"deploy/nginx-teacher.conf must keep one line matching {pattern}"
    return text


def make_credentials(prefix: Path) -> None:
    """A self-signed certificate for 127.0.0.1 and one teacher's htpasswd line (apr1)."""
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(prefix / "key.pem"), "-out", str(prefix / "cert.pem")),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    hashed = subprocess.run(
        ["openssl", "passwd", "-apr1", "-stdin"],
        input=PASSWORD,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (prefix / "htpasswd").write_text(f"{USER}:{hashed}\n", encoding="utf-8")


def start_nginx(prefix: Path, site: Path) -> Iterator[Server]:
    prefix.mkdir(parents=True, exist_ok=True)
    make_credentials(prefix)
    server = Server(free_port(), free_port(), prefix)
    conf = server_conf(site, prefix, server.port, server.plain)
    # A hidden path: 404 before any login, no failure counted.
    with running(prefix, conf, lambda: server.get("/.probe")):
        yield server


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[Server]:
    """A fresh nginx per test: the rate limit's memory starts empty."""
    site = write_files(tmp_path / "site", PAGES)
    yield from start_nginx(tmp_path / "nginx", site)


def assert_private(headers, what: str) -> None:
    assert headers["Cache-Control"] == "private, no-store", what
    assert headers["X-Robots-Tag"].startswith("noindex"), what


def test_login_refused_without_or_with_wrong_credentials(nginx):
    for auth in (None, (USER, "wrong"), ("nobody", PASSWORD)):
        status, headers, body = nginx.get("/lessons/01.html", auth)
        assert status == 401, auth
        assert headers["WWW-Authenticate"].startswith("Basic realm="), auth
        assert "Plan" not in body
        assert_private(headers, f"401 for {auth}")


def test_teacher_logs_in_and_every_response_is_private(nginx):
    for path in PAGES:
        status, headers, body = nginx.get("/" + path, (USER, PASSWORD))
        assert status == 200, path
        assert_private(headers, path)
        assert headers["Strict-Transport-Security"]
        assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, headers, body = nginx.get("/lessons/01.html", (USER, PASSWORD))
    nonce = re.search(r"'nonce-([0-9a-f]+)'", headers["Content-Security-Policy"])[1]
    assert f'<script nonce="{nonce}">' in body and "Plan" in body
    status, headers, _ = nginx.get("/missing.html", (USER, PASSWORD))
    assert status == 404
    assert_private(headers, "404")


def test_plain_http_only_redirects_to_tls(nginx):
    status, headers, body = nginx.get("/lessons/01.html", tls=False)
    assert status == 301
    assert headers["Location"].startswith("https://")
    assert "Plan" not in body
    assert_private(headers, "301")


BURST = 30  # right-password requests sent together once the limit is reached


def test_repeated_failures_are_rate_limited(nginx):
    """Every request counts, refused ones too: a guesser is soon answered 429 without a password
    check, and then even the right password is refused until the rate falls."""
    statuses: list[int] = []
    while 429 not in statuses and len(statuses) < 300:
        status, headers, body = nginx.get("/", (USER, f"guess{len(statuses)}"))
        statuses.append(status)
    assert statuses[0] == 401 and statuses[-1] == 429, statuses
    assert set(statuses) == {401, 429}
    assert "Front door" not in body
    assert_private(headers, "429")
    # The right password, at once, from many connections: the bucket refills at 10 requests a
    # second, so on a slow machine one request sent after the 429 may find a free slot; of a
    # burst sent together, most cannot, and none of those is let through on its password.
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        answers = list(pool.map(lambda _: nginx.get("/", (USER, PASSWORD)), range(BURST)))
    refused = [body for status, _headers, body in answers if status == 429]
    assert len(refused) > BURST // 2, [status for status, _h, _b in answers]
    assert not any("Front door" in body for body in refused)


def test_the_nginx_helper_serves_until_its_block_ends(tmp_path):
    """tests/nginxutil.py, shared by both nginx test modules: up when the block starts (the
    readiness probe waited for it), gone when it ends."""
    site = write_files(tmp_path / "site", {"index.html": "<p>up</p>"})
    port = free_port()
    url = f"http://127.0.0.1:{port}/index.html"
    conf = f"server {{ listen 127.0.0.1:{port}; root {site}; }}\n"
    with running(tmp_path / "nginx", conf, lambda: urllib.request.urlopen(url, timeout=1)):
        assert urllib.request.urlopen(url, timeout=5).read() == b"<p>up</p>"
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=1)
