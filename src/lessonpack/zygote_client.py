"""`sphinx-build` run by the zygote of this make run (lessonpack.zygote), else as itself.

``python -m lessonpack.zygote_client SCRIPT [ARGUMENT...]``: SCRIPT is the real `sphinx-build`.
The client sends its arguments, folder, environment, umask and its standard input, output and
error (the descriptors themselves, SCM_RIGHTS) to the zygote named by ``LESSONPACK_ZYGOTE`` (a
unix socket), which forks a child that runs Sphinx's ``main`` on them; the client forwards
SIGINT, SIGTERM and SIGHUP sent to it alone (a terminal's reach the child too), and exits as the
child did. No zygote (the variable empty, the socket stale or refused, another interpreter or
hash seed): the client becomes SCRIPT (``os.execv``), same arguments, same result.

Python's standard library only: this starts once per build, and must start fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import sys

ENV = "LESSONPACK_ZYGOTE"
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SI_KERNEL = 0x80  # si_code of a signal the kernel sent (a terminal's Ctrl-C to its process group)
# Signals the client dies of again when the child died of them (make then sees what it would of
# a fresh sphinx-build); any other (a crash) is exit status 128 + n.
RAISED_AGAIN = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL, signal.SIGPIPE)
MAX_MESSAGE = 1 << 20
FIRST_REPLY_SECONDS = 300  # the zygote imports Sphinx at its first request: slow under load
# Unix socket paths are limited to 108 bytes: a longer one is reached through its folder's
# descriptor (/proc/self/fd/N/NAME).
MAX_PATH = 100


def startup_facts() -> dict[str, object]:
    """What a Python process is made of before it runs any code: a zygote started otherwise is
    not the process a fresh `sphinx-build` would be, and must not serve it."""
    names = [
        n for n in os.environ if n.startswith("PYTHON") or n in ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
    ]
    return {
        "executable": sys.executable,
        "version": sys.version,
        "path": sys.path[1:],  # [0]: the folder `-m` was run in
        "flags": list(sys.flags),
        "options": interpreter_options(sys.orig_argv),
        "environment": {n: os.environ[n] for n in sorted(names)},
    }


def interpreter_options(argv: list[str]) -> list[str]:
    """The interpreter's own options on its command line (``-X dev``, ``-W error``, ``-O``...):
    those before ``-m``, ``-c`` or the script."""
    options: list[str] = []
    rest = iter(argv[1:])
    for arg in rest:
        if arg in ("-m", "-c", "-", "--") or not arg.startswith("-"):
            break
        options.append(arg)
        if arg in ("-X", "-W"):  # their value is the next argument
            options.append(next(rest, ""))
    return options


def open_unix(path: str, kind: str) -> socket.socket:
    """A SOCK_SEQPACKET unix socket bound (``kind`` "bind") or connected to ``path``."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        if len(os.fsencode(path)) <= MAX_PATH:
            getattr(sock, kind)(path)
            return sock
        folder = os.open(os.path.dirname(path) or ".", os.O_PATH | os.O_DIRECTORY)
        try:
            getattr(sock, kind)(f"/proc/self/fd/{folder}/{os.path.basename(path)}")
        finally:
            os.close(folder)
        return sock
    except BaseException:
        sock.close()
        raise


def current_umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def request(path: str, argv: list[str]) -> tuple[socket.socket, int] | None:
    """Ask the zygote to run ``argv``: the connection and the child's id, or None (no zygote)."""
    try:
        sock = open_unix(path, "connect")
    except OSError:
        return None
    stdio = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            stdio.append(fd)
        except OSError:
            pass
    message = {
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": current_umask(),
        "stdio": stdio,
        "facts": startup_facts(),
    }
    try:
        socket.send_fds(sock, [json.dumps(message).encode()], stdio)
        ready, _, _ = select.select([sock], [], [], FIRST_REPLY_SECONDS)
        reply = json.loads(sock.recv(MAX_MESSAGE) or b"{}") if ready else {}
    except (OSError, ValueError):
        reply = {}
    if not isinstance(reply.get("pid"), int):
        sock.close()
        return None
    return sock, reply["pid"]


def wait(sock: socket.socket, pid: int) -> dict[str, int]:
    """The child's end (``{"exit": n}`` or ``{"signal": n}``), forwarding signals meanwhile."""
    while True:
        ready, _, _ = select.select([sock], [], [], 0.05)
        if ready:
            try:
                data = sock.recv(MAX_MESSAGE)
            except OSError:
                data = b""
            if not data:
                print(f"{sys.argv[0]}: the zygote ended before its build {pid}", file=sys.stderr)
                return {"exit": 1}
            return json.loads(data)
        while (info := signal.sigtimedwait(FORWARDED, 0)) is not None:
            if info.si_code != SI_KERNEL:  # a terminal's signal reached the child already
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, info.si_signo)


def main(argv: list[str]) -> int:
    if not argv:
        print(
            "usage: python -m lessonpack.zygote_client SPHINX-BUILD [ARGUMENT...]", file=sys.stderr
        )
        return 2
    path = os.environ.get(ENV, "")
    # Signals wait until the child is known (then they are forwarded) or the script runs.
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    asked = request(path, argv) if path else None
    if asked is None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
        try:
            os.execv(argv[0], argv)
        except OSError as error:
            print(f"{argv[0]}: {error.strerror}", file=sys.stderr)
            return 127
    sock, pid = asked
    end = wait(sock, pid)
    if "signal" in end:
        number = end["signal"]
        if number in RAISED_AGAIN:
            signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
            os.kill(os.getpid(), number)
        return 128 + number
    return int(end["exit"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
