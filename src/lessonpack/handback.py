"""A reading worker hands back only the documents it read, not the environment merged so far.

Sphinx reads in parallel (``-j``, ``lean.py``) by forking a worker per chunk of documents; the
worker reads its chunk and pickles its whole environment back to the main process, which
unpickles it and merges the chunk's documents from it (``merge_info_from``: each domain's
``merge_domaindata`` and each collector's ``env-merge-info``, for the chunk's documents only).
A worker is forked from the main process as it stands, so it also holds everything merged from
the chunks before it: the last chunks hand back nearly the whole book, and the main process
unpickles a copy of the environment per chunk. Those copies are garbage once merged, but the
chunk's documents stay alive in memory spread among them, so the heap keeps their space: the
main process of a 128-lesson build grew twice as much as its environment did.

Here a worker, as its environment is pickled, keeps only the documents it read (those its
environment holds and the main process's did not when the worker was forked): each domain's
data is made again from the domain's initial data by the domain's own ``merge_domaindata``
with those documents (what the main process calls with the same documents), and the tables
Sphinx keeps by document (``PER_DOCUMENT``: what its collectors merge by document) are cut to
them. The main process merges the same data as before from a pickle of one chunk.

Only a worker forked while a build reads in parallel does this (``os.register_at_fork``); the
environment a build saves, and every other pickle, are made as ever.
"""

from __future__ import annotations

import copy
import copyreg
import os
import pickle
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sphinx.environment import BuildEnvironment

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx

# The environment's tables keyed by document whose entries for other documents the main
# process never reads from a worker (``merge_info_from`` and Sphinx's collectors' merge_other).
PER_DOCUMENT = (
    "all_docs",
    "included",
    "dependencies",
    "metadata",
    "titles",
    "longtitles",
    "tocs",
    "toc_num_entries",
    "toctree_includes",
)

_reading: BuildEnvironment | None = None  # the environment of a build reading in parallel
_forked_with: frozenset[str] = frozenset()  # in a worker: the documents merged before the fork


def keep_only(env: BuildEnvironment, docnames: Set[str]) -> None:
    """Cut ``env`` down to what ``docnames`` put in it (what merging them reads).

    Destructive: for a worker's environment about to be handed back."""
    for name in sorted(env.domaindata):
        domain = env.get_domain(name)
        everything = env.domaindata[name]
        fresh = copy.deepcopy(domain.initial_data)
        fresh["version"] = domain.data_version
        domain.data = env.domaindata[name] = fresh
        domain.merge_domaindata(docnames, everything)
        for key, value in everything.items():  # tables a domain makes on first use
            if key not in fresh:
                fresh[key] = _empty(value) if isinstance(value, (dict, list, set)) else value
    for attribute in PER_DOCUMENT:
        table = getattr(env, attribute, None)
        if isinstance(table, dict):  # in place: some are defaultdicts, read as such
            for docname in [d for d in table if d not in docnames]:
                del table[docname]
    env.reread_always.intersection_update(docnames)


def _empty(table: dict[Any, Any] | list[Any] | set[Any]) -> Any:
    """An empty table of the same kind (a defaultdict with its default)."""
    if isinstance(table, defaultdict):
        return defaultdict(table.default_factory)
    return type(table)()


def _reduce(env: BuildEnvironment) -> Any:
    """A worker's environment, pickled: the documents it read."""
    if env is _reading:
        keep_only(env, set(env.all_docs) - _forked_with)
    return env.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def _in_worker() -> None:
    """After a fork: in a reading worker, its environment is pickled with ``_reduce``."""
    global _forked_with
    if _reading is not None:
        _forked_with = frozenset(_reading.all_docs)
        copyreg.pickle(BuildEnvironment, _reduce)


def reading(app: Sphinx, env: BuildEnvironment, _docnames: list[str]) -> None:
    """env-before-read-docs (after ``lean.read_few_serially``): workers forked from now on hand
    back their own documents; a serial read forks none."""
    global _reading
    _reading = env if app.parallel > 1 else None


def done_reading(_app: Sphinx, _env: BuildEnvironment) -> None:
    """env-updated: reading is over."""
    global _reading
    _reading = None


os.register_at_fork(after_in_child=_in_worker)


def setup_handback(app: Sphinx) -> None:
    app.connect("env-before-read-docs", reading, priority=900)
    app.connect("env-updated", done_reading, priority=50)
