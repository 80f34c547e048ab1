"""A routine file's bytes to YAML nodes, refusing anything that is not plain, bounded data.

A routine is written by hand, often by someone who is not a programmer, and it is data, never
code. So the file is read only up to ``MAX_FILE_BYTES`` (a huge file or ``/dev/zero`` cannot
fill memory), decoded as UTF-8 (a UTF-8 byte-order mark, as Windows editors write it, is
accepted and dropped; UTF-16 and UTF-32 are refused by name), and composed by PyYAML's safe
loader into nodes, never into Python objects, with five more refusals:

- aliases (``*name``): a "billion laughs" file is refused at its first alias, before anything
  expands;
- tags outside YAML's core schema (``!!python/object`` and the like);
- nesting deeper than ``MAX_DEPTH`` (deeper would exhaust Python's stack);
- keys that are lists or mappings;
- text, anywhere in the document and keys included, that holds characters no one can see or
  hear: control characters other than tab and line break (``"\\0"``, ``"\\x1b"``), lone
  surrogates (``"\\ud800"``) and the controls that reorder text as it is displayed. YAML's
  escapes write them in plain ASCII, so they are looked for in the parsed values, not only in
  the bytes.

Only a regular file is opened: a FIFO or a device is refused after ``stat``, so reading never
blocks on one. U+2028, U+2029 and U+0085, which PyYAML (following YAML 1.1) takes as line
breaks, are read as spaces, as YAML 1.2 and editors see them: within a line. Text
collapses whitespace anyway, so nothing written changes meaning, and every reported line
number is the line an editor shows.

Every refusal is a RoutineError located at a line and column, saying what to do.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voiceguide.errors import Problem, RoutineError

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40
"""Levels of nested lists and mappings; the deepest sensible routine needs about twelve."""

_CORE_TAG = "tag:yaml.org,2002:"
_CORE_TAGS = {_CORE_TAG + name for name in ("str", "int", "float", "bool", "null", "seq", "map")}
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_YAML_HINT = "check indentation, brackets and quotes (text containing ': ' needs quotes)"


def read_text(path: Path) -> str:
    """The file's text; RoutineError when it is missing, not a regular file, too big or not
    UTF-8. Nothing but a regular file is ever opened, so a FIFO cannot make this wait."""

    def fail(message: str) -> RoutineError:
        return RoutineError([Problem(str(path), 0, 0, "", message)])

    problem = file_problem(path)
    if problem == NO_SUCH_FILE:
        raise fail(f"{NO_SUCH_FILE}: check the path, or run 'voiceguide templates'")
    if problem:
        raise fail(f"{problem}: give the path of a routine file (.yaml)")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # replaced since stat
                raise fail("is not a regular file: give the path of a routine file (.yaml)")
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise fail(f"cannot read it: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(
            f"is over {MAX_FILE_BYTES:,} bytes, too big for a routine: "
            "check that this is the routine file"
        )
    return decode_text(data, str(path))


NO_SUCH_FILE = "no such file"
_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a file"),
    (stat.S_ISCHR, "is a device, not a file"),
    (stat.S_ISBLK, "is a device, not a file"),
    (stat.S_ISSOCK, "is a socket, not a file"),
)
_STAT_ERRORS = {
    errno.ENOENT: NO_SUCH_FILE,
    errno.ENOTDIR: NO_SUCH_FILE,
    errno.ELOOP: "is a loop of symbolic links",
    errno.ENAMETOOLONG: "has a name too long for the file system",
    errno.EACCES: "cannot be reached (permission denied)",
}


def file_problem(path: Path) -> str | None:
    """What stops ``path`` being read as a regular file ("is a directory", "no such file",
    ...), found with ``stat`` alone; None for a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return _STAT_ERRORS.get(error.errno or 0, f"cannot be read ({error.strerror or error})")
    except ValueError:  # a NUL in the name, which no file system allows
        return NO_SUCH_FILE
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "is not a regular file")


def decode_text(data: bytes, path: str) -> str:
    """``data`` as UTF-8 text (a leading byte-order mark dropped), or a located RoutineError."""

    def fail(offset: int, message: str) -> RoutineError:
        line, column = _position(data, offset)
        return RoutineError([Problem(path, line, column, "", message)])

    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            raise fail(0, f"is {encoding} text: save it as UTF-8")
    if b"\x00" in data:
        raise fail(data.index(b"\x00"), "has NUL bytes, so it is not UTF-8 text: save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise fail(error.start, "is not UTF-8 text: save it as UTF-8") from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset; the bytes before it are UTF-8."""
    before = data[:offset].removeprefix(codecs.BOM_UTF8)
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", "replace")) + 1
    return before.count(b"\n") + 1, column


def compose(text: str, path: str) -> Node:
    """The document's root node; RoutineError located at the first thing YAML or we refuse, or
    listing every text that holds a character we refuse."""
    text = text.translate(_NOT_LINE_BREAKS)
    try:
        root = yaml.compose(text, Loader=_PlainDataLoader)
    except yaml.MarkedYAMLError as error:
        raise RoutineError([_yaml_problem(path, error)]) from None
    except yaml.reader.ReaderError as error:
        raise RoutineError([_reader_problem(path, text, error)]) from None
    if root is None:
        raise RoutineError(
            [
                Problem(
                    path,
                    1,
                    1,
                    "",
                    "is empty: a routine needs at least 'version', 'title' and 'sections'",
                )
            ]
        )
    problems = list(_refused_text(root, path, ""))
    if problems:
        raise RoutineError(problems)
    return root


# Line breaks to YAML 1.1 (so to PyYAML), but not to YAML 1.2, editors, grep or git.
_NOT_LINE_BREAKS = {0x85: " ", 0x2028: " ", 0x2029: " "}
# Invisible controls that display text in another order than it is stored (bidi overrides).
_REORDERING = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def _refused_text(node: Node, path: str, key: str) -> Iterator[Problem]:
    """A problem for each scalar (keys included) holding a character we refuse."""
    if isinstance(node, ScalarNode):
        message = refused_character(str(node.value))
        if message:
            mark = node.start_mark
            yield Problem(path, mark.line + 1, mark.column + 1, key, message)
    elif isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            yield from _refused_text(child, path, f"{key}[{index}]")
    elif isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            name = f"{key}.{key_node.value}" if key else str(key_node.value)
            yield from _refused_text(key_node, path, name)
            yield from _refused_text(value_node, path, name)


def refused_character(text: str) -> str | None:
    """Why ``text`` cannot be in a routine (its first refused character), or None."""
    for character in text:
        code = ord(character)
        if character in "\t\n" or 0x20 <= code < 0x7F:
            continue
        category = unicodedata.category(character)
        if category == "Cc":
            return (
                f"holds the control character U+{code:04X}, which cannot be spoken or shown: "
                "remove it (in double quotes it is written as an escape such as \\0 or \\x1b)"
            )
        if category == "Cs":
            return (
                f"holds U+{code:04X}, half of a surrogate pair, which is not a character: "
                "write the character itself, or \\U and its eight hex digits"
            )
        if code in _REORDERING:
            return (
                f"holds U+{code:04X}, an invisible control that shows text in another order "
                "than it is read: remove it"
            )
    return None


class _Refused(yaml.MarkedYAMLError):
    """YAML we read but do not accept in a routine; its problem text is the whole message."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _PlainDataLoader(yaml.SafeLoader):
    """Safe composing without aliases, foreign tags, deep nesting or non-scalar keys."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                "aliases (*name) are not supported in routines: write the item out, "
                "or use for_each_side or rounds to repeat it",
                event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in _CORE_TAGS:
            shown = "!!" + tag.removeprefix(_CORE_TAG) if tag.startswith(_CORE_TAG) else tag
            raise _Refused(
                f"the tag {shown} is not supported: a routine is plain data; remove it",
                event.start_mark,
            )
        if self.depth >= MAX_DEPTH:
            raise _Refused(
                f"nested more than {MAX_DEPTH} levels deep: check the brackets, "
                "or flatten the routine",
                event.start_mark,
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        node = super().compose_mapping_node(anchor)
        for key, _ in node.value:
            if not isinstance(key, ScalarNode):
                raise _Refused(
                    "a key must be a name such as 'title', not a list or a mapping",
                    key.start_mark,
                )
        return node


def _yaml_problem(path: str, error: yaml.MarkedYAMLError) -> Problem:
    if error.context == "while scanning a quoted scalar" and error.context_mark:
        start = error.context_mark  # the end of the file, where YAML notices, helps no one
        message = "this quote is never closed: add the closing quote, or remove this one"
        return Problem(path, start.line + 1, start.column + 1, "", message)
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = error.problem or "not valid YAML"
    if isinstance(error, _Refused):
        message = problem
    elif "'\\t'" in problem:
        message = "a tab character: indent with spaces, not tabs"
    elif problem.startswith("found unknown escape character"):
        message = (
            f"YAML syntax error: {problem} in double quotes: write \\\\ for a backslash, "
            "or use single quotes"
        )
    elif error.context == "expected a single document in the stream":
        message = "a second YAML document ('---'): a routine is one document; remove it"
    else:
        message = f"YAML syntax error: {problem}{_context(error)}: {_YAML_HINT}"
    return Problem(path, line, column, "", message)


def _context(error: yaml.MarkedYAMLError) -> str:
    """' while parsing a flow sequence that began at line 2, column 8', or what there is of it."""
    if not error.context:
        return ""
    start = error.context_mark
    if start is None or error.problem_mark is None or start.line == error.problem_mark.line:
        return f" {error.context}"
    return f" {error.context} that began at line {start.line + 1}, column {start.column + 1}"


def _reader_problem(path: str, text: str, error: yaml.reader.ReaderError) -> Problem:
    offset = error.position
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    character = error.character if isinstance(error.character, int) else 0
    message = f"a control character (U+{character:04X}) is not allowed in YAML: delete it"
    return Problem(path, line, column, "", message)
