"""``- include: warm-up.yaml``: the items of another file's ``sections``, read in place.

An include item stands for the items of another file's ``sections``, read as if they were
written where the include is: in its scope (inside a block, the block's placeholders), and
checked and counted in the routine's limits as its own items are. Its path is relative to
the including file. The file is read as a routine is (``source.py``: a regular file,
bounded, plain data), with a Report of its own, so every problem inside it is located at
its line in that file; its problems join the including file's.

Besides ``sections``, an included file may hold ``version``, ``title`` and ``description``
(checked, not used), so that a whole routine can be included. Any other routine key
(``voice``, ``length``, ``background``...) would be silently lost, so it is an error there.

Refused at the include's line: a path that is missing or not a regular file, a file that
includes itself (directly or through others: the chain is named), includes nested more
than ``MAX_INCLUDE_DEPTH`` files deep, and included text of more than
``MAX_INCLUDED_BYTES`` in all, each file counted every time it is included: that bounds
the loader's work as the size limit of one file does.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from voiceguide.errors import Problem, RoutineError, shown
from voiceguide.routine.item_keys import INCLUDE_KEYS
from voiceguide.routine.keys import ROUTINE_KEYS
from voiceguide.routine.model import Item
from voiceguide.routine.nodes import Report, kind
from voiceguide.routine.placeholders import Scope
from voiceguide.routine.sections import read_section
from voiceguide.routine.source import MAX_FILE_BYTES, NO_SUCH_FILE, compose, file_problem, read_text
from voiceguide.routine.values import text

MAX_INCLUDE_DEPTH = 8  # files including files below the routine; deeper is surely a mistake
MAX_INCLUDED_BYTES = MAX_FILE_BYTES  # all included text, each file counted per inclusion

ReadItems = Callable[[Report, Node, str, Scope], tuple[Item, ...]]

# The routine keys an included file may hold besides `sections`: read and checked, not used.
_IGNORED = ("version", "title", "description")
_FILE_KEYS = tuple(
    replace(key, default=None) if key.name in _IGNORED else key
    for key in ROUTINE_KEYS
    if key.name in (*_IGNORED, "sections")
)
_ROUTINE_NAMES = {key.name for key in ROUTINE_KEYS}


def read_include(
    report: Report, node: Node, key: str, scope: Scope, read_items: ReadItems
) -> tuple[Item, ...]:
    """The items the include item at ``node`` stands for; none when it has a problem."""

    def included(value: Node, at: str) -> tuple[Item, ...]:
        return _included(report, value, at, scope, read_items)

    section = read_section(report, node, key, INCLUDE_KEYS, "an include", nested={"path": included})
    return (section.fields.get("path") or ()) if section else ()


def _included(
    report: Report, node: Node, key: str, scope: Scope, read_items: ReadItems
) -> tuple[Item, ...]:
    written = text(report, node, key)
    if written is None:
        return ()
    path = _beside(report.path, written)
    refusal = _file_refusal(path, written) or _chain_refusal(report, path, written)
    if refusal:
        report(node, key, refusal)
        return ()
    document = _document(report, node, key, path, written)
    if document is None:
        return ()
    inner = Report(path, including=report)
    items = _file_items(inner, document, scope, read_items)
    report.problems += inner.problems
    return items


def _beside(including: str, written: str) -> str:
    """``written`` as a path from the including file's folder, kept as the user would write
    it (relative when the routine's path is), for messages."""
    base = "" if including.startswith("<") else os.path.dirname(including)
    return os.path.join(base, os.path.expanduser(written))


def _file_refusal(path: str, written: str) -> str | None:
    """Why ``path`` is no file to include, found with ``stat`` alone (never opening it)."""
    problem = file_problem(Path(path))
    if problem == NO_SUCH_FILE:
        return (
            f"no such file {shown(written)} (looked for {path}): an include's path is "
            "relative to the file it is in"
        )
    if problem:
        return f"{shown(written)} {problem}: give a routine file (.yaml) whose sections to include"
    return None


def _chain_refusal(report: Report, path: str, written: str) -> str | None:
    """A cycle, or nesting too deep, if ``report``'s file included ``path``."""
    chain = _chain(report)
    real = os.path.realpath(path)
    for index, earlier in enumerate(chain):
        if os.path.realpath(earlier) == real:
            if index == len(chain) - 1:
                return (
                    f"{shown(written)} is this file: a file cannot include itself; "
                    "remove this include"
                )
            cycle = " includes ".join([*chain[index:], path])
            return f"includes go round in a circle ({cycle}): remove one of these includes"
    if len(chain) > MAX_INCLUDE_DEPTH:
        nested = " includes ".join([*chain, path])
        return (
            f"includes are nested more than {MAX_INCLUDE_DEPTH} files deep ({nested}): "
            "include the items from fewer levels"
        )
    return None


def _chain(report: Report) -> list[str]:
    """The files from the routine to ``report``'s, each including the next."""
    chain: list[str] = []
    current: Report | None = report
    while current is not None:
        chain.insert(0, current.path)
        current = current.including
    return chain


def _document(report: Report, node: Node, key: str, path: str, written: str) -> Node | None:
    """The included file's document, read and composed once per routine, and counted
    against MAX_INCLUDED_BYTES at each inclusion; None (reported) when it cannot be."""
    inclusions = report.inclusions
    real = os.path.realpath(path)
    if real not in inclusions.documents:
        source = _read(report, node, key, path, written)
        if source is None:
            return None
        size = len(source.encode("utf-8"))
        if _over_budget(report, node, key, size):  # before composing a file that big
            return None
        try:
            root = compose(source, path)
        except RoutineError as error:
            report.problems += [_for_included(problem) for problem in error.problems]
            return None
        inclusions.digests[path] = hashlib.sha256(source.encode("utf-8")).hexdigest()
        inclusions.documents[real] = (root, size)
    root, size = inclusions.documents[real]
    if _over_budget(report, node, key, size):
        return None
    inclusions.total_bytes += size
    return root


def _over_budget(report: Report, node: Node, key: str, size: int) -> bool:
    if report.inclusions.total_bytes + size <= MAX_INCLUDED_BYTES:
        return False
    report(
        node,
        key,
        f"the files this routine includes come to over {MAX_INCLUDED_BYTES:,} bytes "
        "(each counted every time it is included): include fewer or smaller files",
    )
    return True


def _read(report: Report, node: Node, key: str, path: str, written: str) -> str | None:
    """The included file's text; None when it cannot be read, reported where it is wrong:
    in the file (e.g. not UTF-8) or at the include (e.g. too big)."""
    try:
        return read_text(Path(path))
    except RoutineError as error:
        for problem in error.problems:
            if problem.line:
                report.problems.append(problem)
            else:
                report(node, key, f"{shown(written)} {problem.message}")
        return None


def _for_included(problem: Problem) -> Problem:
    """A problem ``compose`` found in an included file, said for a file of items."""
    if problem.message.startswith("is empty"):
        return replace(problem, message="is empty: a file to include needs 'sections'")
    return problem


def _file_items(
    report: Report, root: Node, scope: Scope, read_items: ReadItems
) -> tuple[Item, ...]:
    """The items of the included file's ``sections``, read in ``scope``."""
    if not isinstance(root, MappingNode):  # never quote its contents: it may be any file
        report(
            root,
            "",
            "is not a file of items to include: it is lines of 'key: value' with "
            f"'sections', and this file is {kind(root)}",
        )
        return ()

    def items(node: Node, at: str) -> tuple[Item, ...]:
        return read_items(report, node, at, scope)

    mapping = _without_routine_keys(report, root)
    section = read_section(
        report, mapping, "", _FILE_KEYS, "a file to include", nested={"items": items}
    )
    return tuple(section.fields["items"] or ()) if section else ()


def _without_routine_keys(report: Report, root: MappingNode) -> MappingNode:
    """The included file's mapping without the routine keys it cannot have (reported: they
    would be lost); keys unknown to a routine are left for read_section to report."""
    allowed = {key.name for key in _FILE_KEYS}
    kept = []
    for key_node, value_node in root.value:
        name = key_node.value if isinstance(key_node, ScalarNode) else ""
        if name in _ROUTINE_NAMES and name not in allowed:
            report(
                key_node,
                name,
                f"an included file gives only its sections, so its {name} would be lost: "
                f"set {name} in the routine that includes it, or remove it here",
            )
        else:
            kept.append((key_node, value_node))
    return MappingNode(root.tag, kept, root.start_mark, root.end_mark)
