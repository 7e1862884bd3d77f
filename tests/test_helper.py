"""lessonpack.helper: functions run in a fresh interpreter of this process's own, their results
and failures handed back, what they print kept out of the answers."""

from __future__ import annotations

import os

import pytest

from lessonpack.helper import Helper, HelperError


def test_a_call_runs_in_the_helper_and_its_result_comes_back():
    helper = Helper()
    try:
        assert helper.call(os.getpid) != os.getpid()
        # Printed output goes to the helper's stderr, never into the answers.
        assert helper.call(print, "noise on standard output") is None
        assert helper.call(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]
        assert helper.starts == 1  # one helper for every call of this process
        assert helper.call(os.getppid) == os.getpid()
    finally:
        helper.close()
    assert helper.process is None


def test_a_failure_in_the_helper_is_raised_with_its_traceback_and_the_helper_goes_on():
    helper = Helper()
    try:
        with pytest.raises(HelperError) as failure:
            helper.call(int, "not a number")
        assert "builtins.int failed in the helper process" in str(failure.value)
        assert "ValueError: invalid literal for int()" in str(failure.value)
        assert helper.call(int, "12") == 12
        assert helper.starts == 1
    finally:
        helper.close()


def test_a_helper_that_ended_is_an_error_and_the_next_call_starts_another():
    helper = Helper()
    try:
        first = helper.call(os.getpid)
        with pytest.raises(HelperError, match="the helper process ended"):
            helper.call(os._exit, 3)
        assert helper.call(os.getpid) != first
        assert helper.starts == 2
    finally:
        helper.close()


def test_a_forked_process_starts_its_own_helper_and_leaves_its_parents_alone():
    helper = Helper()
    try:
        parents = helper.call(os.getpid)
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe
            try:
                mine = helper.call(os.getpid)
                helper.close()
                os.write(write, f"{mine} {helper.starts}".encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as answer:
            mine, starts = answer.read().split()
        os.waitpid(child, 0)
        assert int(mine) not in (parents, os.getpid()) and starts == "2"
        assert helper.call(os.getpid) == parents  # the parent's helper still serves it
    finally:
        helper.close()
