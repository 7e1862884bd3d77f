"""One real nginx (Debian's) on 127.0.0.1 for the tests of the shipped server blocks.

``running(prefix, site_conf, ready)`` starts nginx with a temporary prefix (its own pid, logs and
temp folders), the given server block included as it is, waits until ``ready()`` stops raising
``OSError``, and stops nginx when the block ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

MAIN_CONF = """{user}
daemon off;
worker_processes 1;
pid {prefix}/logs/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {prefix}/site.conf;
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(prefix: Path, site_conf: str, ready: Callable[[], object]) -> Iterator[None]:
    """nginx serving ``site_conf`` (a server block) until the block ends."""
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    (prefix / "site.conf").write_text(site_conf, encoding="utf-8")
    # As root, workers would switch to "nobody", who may not read the work tree.
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(MAIN_CONF.format(user=user, prefix=prefix))
    args = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    args += ["-e", str(prefix / "logs/error.log")]
    subprocess.run([*args, "-t", "-q"], check=True)
    process = subprocess.Popen(args)
    try:
        for _ in range(100):
            try:
                ready()
                break
            except OSError:
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)
