"""The zygote (lessonpack.zygote): one process per make imports Sphinx once and forks the builds.

Real processes throughout: `make` of a small course with and without the zygote, and the zygote
run by hand around `lessonpack.zygote_client` (the Makefile's SPHINX), a broken course to show
exit codes and messages, a course whose conf.py waits (lessonpack.pauses) to be killed there.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make, make_env, snapshot, sphinx_arguments, sphinx_build, write_files
from lessonpack.zygote_client import ENV, open_unix
from test_bad_input import FAULTS, course, full_course

BIN = Path(sys.executable).parent
CLIENT = [sys.executable, "-m", "lessonpack.zygote_client", str(BIN / "sphinx-build")]
PAUSE = "ZYGOTE_TEST_PAUSE"
# conf.py of the courses here: each process that reads it records its id, its parent's and its
# command (the builds and `make`'s conf.py check), and waits where a test asks it to.
RECORDING_CONF = """
import os, sys
from lessonpack.pauses import pause_for_tests
if os.environ.get("ZYGOTE_TEST_PIDS"):
    with open(os.environ["ZYGOTE_TEST_PIDS"], "a") as record:
        record.write(f"{os.getpid()} {os.getppid()} {os.path.basename(sys.argv[0])}\\n")
pause_for_tests("ZYGOTE_TEST_PAUSE")
"""


def served(log: Path) -> list[str]:
    """The builds the zygote forked, as its log names them."""
    return [
        line
        for line in log.read_text().splitlines()
        if line.startswith("build ") and ":" in line and "ended" not in line
    ]


def served_pids(log: Path) -> list[int]:
    return [int(line.split()[1].rstrip(":")) for line in served(log)]


def recorded(pids: Path) -> list[tuple[int, int]]:
    """(process, parent) of every sphinx-build that read conf.py."""
    rows = [line.split() for line in pids.read_text().splitlines()]
    return [(int(pid), int(parent)) for pid, parent, name in rows if name == "sphinx-build"]


def test_make_serves_its_builds_from_the_zygote_and_they_equal_builds_without_it(tmp_path: Path):
    files = full_course()
    files["conf.py"] = str(files["conf.py"]) + RECORDING_CONF
    src = write_files(tmp_path / "src", files)
    where = [f"SRCDIR={src}", f"CONFDIR={src}", "SOURCE_DIRS=."]
    outputs = {}
    for name, switch in (("with", []), ("without", ["ZYGOTE="])):
        pids = tmp_path / f"{name}.pids"
        env = {**make_env(), "ZYGOTE_TEST_PIDS": str(pids)}
        run = make(
            tmp_path / name, "html", "teacher-html", "JOBS=2", variables=[*where, *switch], env=env
        )
        out, _ = run.communicate(timeout=600)
        assert run.returncode == 0, out
        assert out.count("sphinx-build -b html") == 2, out
        outputs[name] = (snapshot(tmp_path / name / "dist"), recorded(pids))
    (site, with_builds), (plain_site, plain_builds) = outputs.values()
    assert site and site == plain_site
    log = tmp_path / "with" / "build" / "zygote.log"
    lines = log.read_text().splitlines()
    zygote = int(lines[0].split()[1].rstrip(":"))
    # Both builds were children of the zygote, forked one after the other and run side by side
    # (the second forked before the first ended); its socket is gone.
    assert len(with_builds) == 2 and {parent for _, parent in with_builds} == {zygote}, lines
    assert sorted(pid for pid, _ in with_builds) == sorted(served_pids(log))
    forks = [n for n, line in enumerate(lines) if line in served(log)]
    ends = [n for n, line in enumerate(lines) if " ended: " in line]
    assert len(forks) == len(ends) == 2 and forks[1] < ends[0], lines
    assert not (tmp_path / "with" / "build" / ".zygote").exists()
    # Without it, each build is a process of its own, started by make; nothing logged.
    assert len(plain_builds) == 2 and zygote not in {parent for _, parent in plain_builds}
    assert not (tmp_path / "without" / "build" / "zygote.log").exists()


def zygote_env(**extra: str) -> dict[str, str]:
    """The environment the Makefile gives the zygote and its builds."""
    env = {k: v for k, v in make_env().items() if k not in (ENV, "PYTHONDONTWRITEBYTECODE")}
    return {**env, "PYTHONHASHSEED": "0", **extra}


def under_zygote(tmp_path: Path, command: list[str], **popen) -> subprocess.Popen[str]:
    """``command`` run by a zygote of its own (socket and log in tmp_path)."""
    zygote = [sys.executable, "-m", "lessonpack.zygote", "--socket", str(tmp_path / "z.sock")]
    zygote += ["--log", str(tmp_path / "zygote.log"), "--", *command]
    popen.setdefault("env", zygote_env())
    return subprocess.Popen(
        zygote, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen
    )


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """A course with two faults, and `sphinx-build` of it in a process of its own (once)."""
    files = course()
    for kind in ("unknown directive", "broken cross-reference"):
        FAULTS[kind][0](files)
    src = write_files(tmp_path_factory.mktemp("broken") / "src", files)
    alone = sphinx_build(src, src.parent / "alone")
    assert alone.returncode == 1 and "Unknown directive type" in alone.stderr, alone.stderr
    assert "undefined label" in alone.stderr
    return src, alone


def same_as_alone(out: str, err: str, alone: subprocess.CompletedProcess, here: Path) -> bool:
    """What a build into ``here`` printed is what `sphinx-build` alone printed (its out folder)."""
    return (out, err.replace(f"/{here.name}/", "/alone/")) == (alone.stdout, alone.stderr)


def test_a_failing_build_passes_its_exit_code_and_messages_through(tmp_path: Path, broken):
    src, alone = broken
    here = src.parent / "here-served"
    run = under_zygote(tmp_path, [*CLIENT, *sphinx_arguments(src, here)])
    out, err = run.communicate(timeout=300)
    assert len(served(tmp_path / "zygote.log")) == 1  # the build ran in the zygote's child
    assert run.returncode == 1 and same_as_alone(out, err, alone, here), err


def stale_socket(path: Path) -> str:
    """A socket file nobody listens on (its zygote was killed)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as sock:
        sock.bind(str(path))
    return str(path)


@pytest.mark.parametrize("case", ["no zygote", "stale socket", "other hash seed"])
def test_without_a_zygote_that_can_serve_it_the_client_runs_sphinx_build(
    tmp_path: Path, broken, case: str
):
    src, alone = broken
    here = src.parent / f"here-{case.replace(' ', '-')}"
    arguments = sphinx_arguments(src, here)
    if case == "other hash seed":  # a zygote, started with PYTHONHASHSEED=0, refuses it
        command = ["env", "PYTHONHASHSEED=1", *CLIENT, *arguments]
        run = under_zygote(tmp_path, command)
    else:
        variable = "" if case == "no zygote" else stale_socket(tmp_path / "stale.sock")
        run = subprocess.Popen(
            [*CLIENT, *arguments],
            env=zygote_env(**{ENV: variable}),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    out, err = run.communicate(timeout=300)
    assert run.returncode == 1 and same_as_alone(out, err, alone, here), err
    if case == "other hash seed":
        log = (tmp_path / "zygote.log").read_text()
        assert served(tmp_path / "zygote.log") == [] and "refused: other flags" in log


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead and not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_client_ends_its_build(tmp_path: Path, number: int):
    """SIGTERM to the client alone is forwarded to its build; the client killed outright, the
    zygote ends the build (its connection closed)."""
    files = course()
    files["conf.py"] = str(files["conf.py"]) + RECORDING_CONF
    src = write_files(tmp_path / "src", files)
    marker = tmp_path / "paused"
    client = tmp_path / "client.pid"
    script = f'{" ".join(CLIENT)} "$@" & echo $! > {client}; wait $!; echo "client: $?"'
    command = ["sh", "-c", script, "sh", *sphinx_arguments(src, tmp_path / "out")]
    run = under_zygote(tmp_path, command, env=zygote_env(**{PAUSE: str(marker)}))
    deadline = time.monotonic() + 120
    while not (marker.exists() and marker.read_text()):
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.05)
    build = int(marker.read_text())
    assert alive(build) and build in served_pids(tmp_path / "zygote.log")
    # A forked build keeps the zygote's command line: its name says which build it is.
    assert Path(f"/proc/{build}/comm").read_text().strip() == "html"
    os.kill(int(client.read_text()), number)
    out, err = run.communicate(timeout=60)
    assert f"client: {128 + number}" in out, (out, err)
    assert run.returncode == 0 and not alive(build), err
    assert not (tmp_path / "z.sock").exists()


def test_a_socket_path_longer_than_unix_sockets_allow_is_reached_through_its_folder(
    tmp_path: Path,
):
    """A build folder deep in the file system: its socket's path is past the 108 bytes of a
    unix socket address; zygote and client reach it through the folder's descriptor."""
    folder = tmp_path / ("deep" * 30)
    folder.mkdir()
    path = str(folder / "z.sock")
    assert len(path) > 108
    with open_unix(path, "bind") as listener:
        listener.listen(1)
        with open_unix(path, "connect") as client:
            conn, _ = listener.accept()
            with conn:
                client.send(b"argv")
                assert conn.recv(16) == b"argv"
    assert Path(path).exists()


def test_requests_at_once_are_each_served_with_their_own_streams_and_codes(tmp_path: Path):
    """Four clients at once (two asking for the version, two with an unknown option): each
    child writes to its own client's output and error, and exits with its own code."""
    fresh = {
        args: subprocess.run([str(BIN / "sphinx-build"), args], capture_output=True, text=True)
        for args in ("--version", "--no-such-option")
    }
    client, at = " ".join(CLIENT), tmp_path
    jobs = [
        f"({client} {args} > {at}/{n}.out 2> {at}/{n}.err; echo $? > {at}/{n}.code) &"
        for n, args in enumerate(["--version", "--no-such-option"] * 2)
    ]
    run = under_zygote(tmp_path, ["sh", "-c", " ".join(jobs) + " wait"])
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert len(served(tmp_path / "zygote.log")) == 4
    for n, args in enumerate(["--version", "--no-such-option"] * 2):
        result = (
            int((tmp_path / f"{n}.code").read_text()),
            (tmp_path / f"{n}.out").read_text(),
            (tmp_path / f"{n}.err").read_text(),
        )
        assert result == (fresh[args].returncode, fresh[args].stdout, fresh[args].stderr)
    assert fresh["--no-such-option"].returncode == 2 and fresh["--version"].stdout


def test_a_zygote_with_a_thread_forks_nothing(tmp_path: Path):
    """A thread in the zygote (here started by a sitecustomize, as an import could) would be
    copied into each child stopped, holding whatever lock it held: the zygote refuses, the
    client runs `sphinx-build` itself."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
    )
    env = zygote_env(PYTHONPATH=str(site))
    fresh = subprocess.run(
        [str(BIN / "sphinx-build"), "--version"], capture_output=True, text=True, env=env
    )
    run = under_zygote(tmp_path, [*CLIENT, "--version"], env=env)
    out, err = run.communicate(timeout=300)
    assert (run.returncode, out, err) == (0, fresh.stdout, fresh.stderr)
    log = (tmp_path / "zygote.log").read_text()
    assert "refused: an import started a thread" in log and not served(tmp_path / "zygote.log")


def test_a_build_is_named_by_its_builder_and_edition():
    from lessonpack.zygote import build_name

    argv = ["sphinx-build", "-b", "lessonpdf", "-W", "-D", "lessonpack_edition=student", "a", "b"]
    assert build_name(argv) == "lessonpdf student"
    assert build_name(["sphinx-build", "-M", "html", "a", "b"]) == "sphinx"
    assert build_name(["sphinx-build", "a", "-b"]) == "sphinx"
