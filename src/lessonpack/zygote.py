"""One process per `make` that imports Sphinx once and forks a child for each `sphinx-build`.

``python -m lessonpack.zygote --socket PATH [--log FILE] -- COMMAND...`` runs COMMAND (the inner
make) with ``LESSONPACK_ZYGOTE=PATH`` in its environment, serves the builds it starts on the unix
socket PATH (``lessonpack.zygote_client``, the Makefile's SPHINX), and exits as COMMAND did,
the socket removed. Every build of a make run imported Sphinx, docutils, MyST,
sphinxcontrib-bibtex, the themes and this package, about 0.5 s of CPU each; the zygote imports
them at the first request (a make with nothing to build imports nothing), then forks: the child
takes the client's folder, environment, umask and standard streams (rebuilt as a fresh process
has them), and runs `sphinx-build`'s ``main`` as the script would. Everything a build sets up
(extensions, registries, Sphinx's locale) happens in the child only; the zygote holds modules
as imported, nothing more, and stays single-threaded (checked before each fork).

The zygote refuses a client started otherwise (another interpreter, ``sys.path``, hash seed or
other PYTHON* variable: ``zygote_client.startup_facts``), and the client then runs the real
`sphinx-build`. A client that ends before its build (killed) has its build ended (SIGTERM); when
COMMAND ends, builds still running are ended too. Children are reaped through pidfds.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import fcntl
import gc
import importlib
import io
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .zygote_client import ENV, MAX_MESSAGE, open_unix, startup_facts

# Imported in the zygote, once: Sphinx's command line and its built-in extensions, the
# extensions and themes this package builds with, and every module this package's ``setup``
# imports (read from its source). What a build imports beyond these it imports itself.
PRELOAD = (
    "sphinx.cmd.build",
    "sphinx.application",
    "myst_parser",
    "myst_parser.sphinx_ext.main",
    "myst_parser.parsers.sphinx_",
    "myst_parser.sphinx_ext.directives",
    "myst_parser.sphinx_ext.mathjax",
    "myst_parser.sphinx_ext.myst_refs",
    "sphinx.util.console",
    "sphinx.util.math",
    "jinja2.ext",
    "sphinxcontrib.bibtex",
    "sphinxcontrib.bibtex.style.referencing.author_year",
    "latexcodec",
    "PIL.Image",
    "PIL.PngImagePlugin",
    "PIL.JpegImagePlugin",
    "sphinx_book_theme",
    "pydata_sphinx_theme",
    "lessonpack",
    "lessonpack.pdf.builder",
    "lessonpack.slides.builder",
    "lessonpack.teacherscan",
)
# Modules that read the environment when imported: left to each child (the zygote's environment
# is the outer make's; sphinx.builders.gettext reads SOURCE_DATE_EPOCH into a module constant).
FRESH = ("sphinx.builders.gettext",)
STOP_SECONDS = 10  # builds left running when the command ended: SIGTERM, then SIGKILL


@dataclass
class Request:
    """What a client sent: the build to run in a child, and its standard streams."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    umask: int
    stdio: dict[int, int]  # the client's descriptor number -> the one received here


@dataclass
class Build:
    pid: int
    pidfd: int
    conn: socket.socket | None
    argv: list[str]
    started: float = field(default_factory=time.monotonic)


def setup_modules() -> list[str]:
    """The modules ``lessonpack.setup`` imports (``from .x import setup_x``), from its source."""
    source = Path(__file__).with_name("__init__.py").read_text(encoding="utf-8")
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == "setup":
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.level == 1 and inner.module:
                    names.append(f"lessonpack.{inner.module}")
    return names


def preload() -> list[str]:
    """Import what every build imports; the names that failed (a theme not installed)."""
    from sphinx.application import builtin_extensions

    failed = []
    for name in [*PRELOAD, *builtin_extensions, *setup_modules()]:
        if name in FRESH:
            continue
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    for name in FRESH:
        module = sys.modules.pop(name, None)
        parent, _, child = name.rpartition(".")
        if module is not None and parent in sys.modules:
            vars(sys.modules[parent]).pop(child, None)
    gc.collect()
    gc.freeze()  # what is alive now is shared by every child: its objects never written again
    return failed


class Zygote:
    def __init__(self, path: str, log: str | None) -> None:
        self.path = path
        self.log_path = log
        self.pid = os.getpid()
        self.facts = startup_facts()
        self.loaded = False
        self.builds: dict[int, Build] = {}
        self.selector = selectors.DefaultSelector()
        if os.path.exists(path):
            os.unlink(path)  # a socket left by a zygote that was killed: nobody listens there
        old = os.umask(0o077)  # the socket: this user's only
        try:
            self.listener = open_unix(path, "bind")
        finally:
            os.umask(old)
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.selector.register(self.listener, selectors.EVENT_READ, "listener")
        if log:
            Path(log).write_text("", encoding="utf-8")

    def log(self, line: str) -> None:
        if self.log_path:
            with open(self.log_path, "a", encoding="utf-8") as out:
                out.write(line + "\n")

    def run(self, command: list[str]) -> int | Request:
        """Run ``command`` and serve its builds: its exit status, or (in a child) the request."""
        self.log(f"zygote {self.pid}: {' '.join(command)}")
        env = {**os.environ, ENV: self.path}
        try:
            make = os.posix_spawnp(command[0], command, env)
        except OSError as error:
            print(f"{command[0]}: {error.strerror}", file=sys.stderr)
            self.close()
            return 127
        make_fd = os.pidfd_open(make)
        self.selector.register(make_fd, selectors.EVENT_READ, "command")
        stop = _Forward(make)
        status = None
        try:
            while status is None:
                for key, _ in self.selector.select():
                    if key.data == "listener":
                        self.accept()
                    elif key.data == "command":
                        status = _status(os.waitpid(make, 0)[1])
                    elif isinstance(key.data, Build):
                        self.reap(key.data)
                    else:
                        outcome = self.receive(key.fileobj)  # type: ignore[arg-type]
                        if isinstance(outcome, Request):
                            return outcome
        finally:
            if os.getpid() == self.pid:
                stop.restore()
                self.selector.unregister(make_fd)
                os.close(make_fd)
        self.stop_builds()
        self.close()
        return status

    def accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except BlockingIOError:
            return
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        if struct.unpack("3i", creds)[1] != os.getuid():
            conn.close()
            return
        self.selector.register(conn, selectors.EVENT_READ, None)

    def receive(self, conn: socket.socket) -> Request | None:
        """A client's request (fork: the child gets the request back) or its end."""
        build = next((b for b in self.builds.values() if b.conn is conn), None)
        try:
            data, fds, flags, _ = socket.recv_fds(conn, MAX_MESSAGE, 3)
        except OSError:
            data, fds, flags = b"", [], 0
        if build is not None or not data or flags & socket.MSG_TRUNC:
            for fd in fds:
                os.close(fd)
            self.selector.unregister(conn)
            conn.close()
            if build is not None:  # its client ended (killed): so does its build
                build.conn = None
                _kill(build.pid, signal.SIGTERM)
                self.log(f"client of {build.pid} ended: build ended")
            return None
        try:
            message = json.loads(data)
            refusal = self.refusal(message, len(fds))
            request = Request(
                argv=[str(a) for a in message["argv"]],
                cwd=str(message["cwd"]),
                env={str(k): str(v) for k, v in message["env"].items()},
                umask=int(message["umask"]),
                stdio=dict(zip(map(int, message["stdio"]), fds, strict=True)),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            refusal = f"not a request ({error})"
        if refusal:
            for fd in fds:
                os.close(fd)
            self.log(f"refused: {refusal}")
            self.selector.unregister(conn)
            conn.close()
            return None
        return self.fork(conn, request)

    def refusal(self, message: dict, fds: int) -> str:
        """Why this zygote cannot be the process the client's `sphinx-build` would be, or ''."""
        if fds != len(message.get("stdio", ())):
            return "standard streams missing"
        facts = message.get("facts", {})
        for key, mine in self.facts.items():
            if facts.get(key) != mine:
                return f"other {key}: {facts.get(key)!r}, the zygote's {mine!r}"
        if not self.loaded:
            started = time.monotonic()
            failed = preload()
            self.loaded = True
            count = len(sys.modules)
            self.log(f"imported {count} modules in {time.monotonic() - started:.2f} s")
            if failed:
                self.log(f"not imported (left to the builds): {' '.join(failed)}")
        if _threads() != 1:
            return "an import started a thread: a fork would copy it stopped"
        return ""

    def fork(self, conn: socket.socket, request: Request) -> Request | None:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        pid = os.fork()
        if pid == 0:
            self.close()
            conn.close()
            return request
        for fd in request.stdio.values():
            os.close(fd)
        build = Build(pid, os.pidfd_open(pid), conn, request.argv)
        self.builds[pid] = build
        self.selector.register(build.pidfd, selectors.EVENT_READ, build)
        try:
            conn.send(json.dumps({"pid": pid}).encode())
        except OSError:
            _kill(pid, signal.SIGTERM)
        self.log(f"build {pid}: {' '.join(request.argv)}")
        return None

    def reap(self, build: Build) -> None:
        _, status, usage = os.wait4(build.pid, 0)
        self.selector.unregister(build.pidfd)
        os.close(build.pidfd)
        del self.builds[build.pid]
        end = (
            {"signal": os.WTERMSIG(status)}
            if os.WIFSIGNALED(status)
            else {"exit": os.waitstatus_to_exitcode(status)}
        )
        cpu = usage.ru_utime + usage.ru_stime
        took = time.monotonic() - build.started
        self.log(f"build {build.pid} ended: {json.dumps(end)} ({cpu:.2f} s CPU, {took:.2f} s)")
        if build.conn is not None:
            with contextlib.suppress(OSError):
                build.conn.send(json.dumps(end).encode())
            self.selector.unregister(build.conn)
            build.conn.close()

    def stop_builds(self) -> None:
        """End the builds whose clients the command left running (it was killed)."""
        for build in list(self.builds.values()):
            _kill(build.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while self.builds:
            events = self.selector.select(max(0.0, deadline - time.monotonic()))
            if not events:
                for build in list(self.builds.values()):
                    _kill(build.pid, signal.SIGKILL)
                deadline = time.monotonic() + STOP_SECONDS
            for key, _ in events:
                if isinstance(key.data, Build):
                    self.reap(key.data)

    def close(self) -> None:
        """Close every descriptor of the zygote (in a child: before it becomes the build)."""
        in_zygote = os.getpid() == self.pid
        for key in list(self.selector.get_map().values()):
            if isinstance(key.data, Build):
                os.close(key.data.pidfd)
            elif key.data == "command":
                os.close(key.fd)
            elif key.fileobj is not self.listener:
                key.fileobj.close()  # type: ignore[union-attr]
        self.selector.close()
        self.listener.close()
        if in_zygote:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


class _Forward:
    """SIGTERM and SIGHUP to the zygote go to the command; SIGINT (a terminal's reaches the whole
    process group, the command too) is left to the command."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.old = {n: signal.signal(n, self.handle) for n in self.SIGNALS}

    def handle(self, number: int, _frame: object) -> None:
        if number != signal.SIGINT:
            _kill(self.pid, number)

    def restore(self) -> None:
        for number, handler in self.old.items():
            signal.signal(number, handler)


def _threads() -> int:
    """This process's threads, those of C libraries too (Linux), else Python's."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _kill(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)


def _status(status: int) -> int:
    return (
        128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.waitstatus_to_exitcode(status)
    )


def _stream(fd: int, write: bool, like: io.TextIOWrapper | None) -> io.TextIOWrapper:
    """``sys.stdin``/``stdout``/``stderr`` on ``fd`` as Python makes them at start-up: line
    buffered on a terminal (standard error always), block buffered otherwise."""
    mode = "wb" if write else "rb"
    buffer = open(fd, mode, closefd=False)  # noqa: SIM115 - lives as long as the process
    buffer.raw.name = {0: "<stdin>", 1: "<stdout>", 2: "<stderr>"}[fd]  # type: ignore[attr-defined]
    stream = io.TextIOWrapper(
        buffer,
        encoding=like.encoding if like else None,
        errors=like.errors if like else ("backslashreplace" if fd == 2 else None),
        newline="\n",
        line_buffering=write and (fd == 2 or os.isatty(fd)),
    )
    stream.mode = "w" if write else "r"  # type: ignore[misc]
    return stream


PR_SET_NAME = 15  # <linux/prctl.h>: the name ps and /proc/<pid>/comm show, 15 bytes


def build_name(argv: list[str]) -> str:
    """A short name for a build (its builder and edition): a forked child keeps the zygote's
    command line, so this is how a person (or the benchmark) tells the builds apart."""
    builder = argv[argv.index("-b") + 1] if "-b" in argv[:-1] else "sphinx"
    edition = next((a.split("=", 1)[1] for a in argv if a.startswith("lessonpack_edition=")), "")
    return f"{builder} {edition}".strip()


def name_process(name: str) -> None:
    """Name this process ``name`` (cut to 15 bytes) where Linux lets it; elsewhere nothing."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


def become(request: Request) -> int:
    """In the child: become the `sphinx-build` the client would have run; its exit status."""
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request.cwd)
    os.umask(request.umask)
    os.environ.clear()
    os.environ.update(request.env)
    # The descriptors received may be 0-2 themselves (the zygote's own were closed): each is
    # moved above them first, then put in its place.
    moved = {
        fd: fcntl.fcntl(received, fcntl.F_DUPFD_CLOEXEC, 3)
        for fd, received in request.stdio.items()
    }
    for received in request.stdio.values():
        os.close(received)
    for fd in (0, 1, 2):
        if fd in moved:
            os.dup2(moved[fd], fd)
            os.close(moved[fd])
        else:
            with contextlib.suppress(OSError):
                os.close(fd)
    like = (sys.__stdin__, sys.__stdout__, sys.__stderr__)
    streams = [_stream(fd, fd > 0, like[fd]) if fd in request.stdio else None for fd in (0, 1, 2)]
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams
    script = request.argv[0]
    sys.argv = list(request.argv)
    name_process(build_name(request.argv))
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    from sphinx.cmd.build import main

    return main()


def main(argv: list[str]) -> int:
    socket_path, log, command = "", None, []
    rest = list(argv)
    while rest and rest[0] != "--":
        option = rest.pop(0)
        if option == "--socket" and rest:
            socket_path = os.path.abspath(rest.pop(0))
        elif option == "--log" and rest:
            log = os.path.abspath(rest.pop(0))
        else:
            rest = []
    command = rest[1:]
    if not socket_path or not command:
        print("usage: python -m lessonpack.zygote --socket PATH [--log FILE] -- COMMAND...")
        return 2
    # `-m` put this folder first on sys.path; `sphinx-build` has its own folder there instead
    # (each child sets the script's).
    sys.path[0] = os.path.dirname(sys.executable)
    try:
        zygote = Zygote(socket_path, log)
    except OSError as error:  # no socket here: the command runs, its builds without a zygote
        print(f"lessonpack.zygote: {error}: builds start Sphinx each", file=sys.stderr)
        os.execvpe(command[0], command, {**os.environ, ENV: ""})
    outcome = zygote.run(command)
    if isinstance(outcome, Request):
        return become(outcome)
    return outcome


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
