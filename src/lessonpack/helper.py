"""A helper process that runs some of this package's functions for a build, out of its memory.

Some work needs large libraries or tables for a moment: textstat's pronouncing dictionary
(about 150 MB, ``grades.py``), matplotlib with its fonts and caches (about 55 MB, the drawings
of ``draw/``). Done in the build, that memory stays with the process that did it until it ends:
with a worker of a parallel read, for the rest of its chunk of documents, on top of what the
chunk adds, so the largest process grew with the book. Done in a :class:`Helper`, it goes when
the helper ends.

A helper is a fresh interpreter running this module (``python -m lessonpack.helper``), not a
fork: a fork of a build that has read many lessons would count all of the build's memory as its
own; and not multiprocessing's ``spawn`` either, which runs the parent's main script again in
the helper (``sphinx-build``: all of Sphinx imported before the first call). It imports only
the modules of the functions it is asked to run. A call is the function's module and name and
its arguments, pickled, to the helper's standard input; the result (or the error, as text) comes
back pickled on its output; each message is its length (8 bytes) then its bytes.

Each process has its own helper, started at its first call: a parallel read forks workers, and a
worker must not share the pipes of its parent's helper. A worker that ends closes its pipe, so
its helper ends too (a worker is never told that reading is over; waiting for the helper there
would hang the build). ``starts`` counts the helpers this object has started.
"""

from __future__ import annotations

import importlib
import os
import pickle
import struct
import subprocess
import sys
import traceback
from collections.abc import Callable
from typing import IO, Any, TypeVar

T = TypeVar("T")
_LENGTH = struct.Struct(">Q")


class HelperError(RuntimeError):
    """The function failed in the helper (the message carries its traceback), or the helper
    ended."""


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or EOFError when the other end has closed."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class Helper:
    """Runs a function of this package in this process's helper, started at the first call."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.owner = 0  # the process that started the helper
        self.starts = 0

    def call(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)``, run in the helper; ``function`` must be a module-level
        function of a module the helper can import, its arguments and result picklable."""
        if self.process is None or self.owner != os.getpid():
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            self.owner = os.getpid()
            self.starts += 1
        assert self.process.stdin is not None and self.process.stdout is not None
        name = (function.__module__, function.__qualname__)
        try:
            _send(self.process.stdin, (name, args, kwargs))
            ok, value = _receive(self.process.stdout)
        except (EOFError, BrokenPipeError) as error:
            code = self.process.wait()
            self.process = None
            raise HelperError(f"the helper process ended (exit code {code})") from error
        if not ok:
            raise HelperError(f"{'.'.join(name)} failed in the helper process:\n{value}")
        return value

    def close(self) -> None:
        """End this process's helper (and what it holds); a helper of another process (the
        parent a worker was forked from) is left to its owner."""
        if self.process is not None and self.owner == os.getpid():
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.close()  # the helper reads the end of its input and returns
            self.process.wait()
            self.process.stdout.close()
        self.process = None


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The helper: run each function it is sent and send back its result, until the input
    ends."""
    while True:
        try:
            (module, qualname), args, kwargs = _receive(requests)
        except EOFError:
            return
        try:
            function: Any = importlib.import_module(module)
            for part in qualname.split("."):
                function = getattr(function, part)
            answer = (True, function(*args, **kwargs))
        except Exception:
            answer = (False, traceback.format_exc())
        _send(answers, answer)


if __name__ == "__main__":
    # The answers go to a copy of standard output; what the functions print goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, answers)
    # Ends at once: tearing down what the helper loaded (the pronouncing dictionary: about
    # 1.4 s, object by object) would only keep the build waiting, and it holds nothing to save.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
