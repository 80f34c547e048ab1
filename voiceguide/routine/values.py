"""Readers of single values: text, durations, numbers, levels, frequencies, names.

Each reads a YAML scalar from its source text (so ``1:30`` is never the YAML 1.1 number 90
and ``no`` never false), reports what is wrong at the node, and returns a stand-in value so
that reading goes on and every problem in the file is found. Those that take a ``spec`` use
its range and default from the key declarations.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from voiceguide.errors import SHOWN_CHARS, printable, shown
from voiceguide.routine.durations import parse_duration_ms
from voiceguide.routine.keys import REQUIRED, Key
from voiceguide.routine.limits import (
    CUE_SOUNDS,
    FREQUENCY_PATTERN,
    LANGUAGE_PATTERN,
    LEVEL_PATTERN,
    MAX_LANGUAGE_CHARS,
    MAX_TEXT_CHARS,
    MIN_RING_EVERY_MS,
    PIPER_MODEL_SUFFIX,
    is_over_session_limit,
    is_short_tail,
    piper_config_path,
)
from voiceguide.routine.nodes import (
    Place,
    Report,
    did_you_mean,
    join,
    number_shown,
    read_mapping,
    scalar,
    show,
)
from voiceguide.routine.source import NO_SUCH_FILE, file_problem

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
_LEVEL_RE = re.compile(LEVEL_PATTERN)
_FREQUENCY_RE = re.compile(FREQUENCY_PATTERN)
_NUMBER_RE = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*")
_WHOLE_NUMBER_RE = re.compile(r"\s*([+-]?)0*(\d+)\s*")
# More digits than any key's range allows; a longer number is not converted at all (Python
# refuses to convert over 4,300 digits, and a float of 400 digits is infinite).
MAX_DIGITS = 15
_BEYOND_RANGE: int = 10**MAX_DIGITS
# A duration's whole number with this many digits is over 12 hours in every unit (ms too).
_DURATION_DIGITS = 9
_WHOLE_RE = re.compile(r"(?<![.\d])\d+")  # whole numbers, not the digits after a point
_LANGUAGE_RE = re.compile(LANGUAGE_PATTERN)


def version(report: Report, node: Node, key: str) -> int | None:
    if isinstance(node, ScalarNode) and node.value.strip() == "1":
        return 1
    report(node, key, f"unsupported version {show(node)}: this voiceguide reads version 1")
    return None


def text(report: Report, node: Node, key: str) -> str | None:
    """Text on one line (runs of spaces and line breaks become one space)."""
    value = scalar(report, node, key, "text")
    if value is None:
        return None
    if not value.strip():
        report(node, key, "is empty: write the text, or leave the key out")
        return None
    if len(value) > MAX_TEXT_CHARS:
        report(
            node,
            key,
            f"is {len(value):,} characters long; keep it under "
            f"{MAX_TEXT_CHARS:,} or split it across steps",
        )
        return None
    return " ".join(value.split())


def duration(report: Report, node: Node, key: str) -> int:
    """Milliseconds, more than 0 and at most 12 hours; 0 if there is a problem."""
    value = scalar(report, node, key, "a duration such as 90s or 1:30")
    if value is None:
        return 0
    too_long = f"{shown(value)} is longer than the 12-hour limit of a session"
    if value.strip().startswith("-"):
        report(node, key, f"{shown(value)} is negative: write a positive duration such as 5s")
        return 0
    if any(len(whole.lstrip("0")) >= _DURATION_DIGITS for whole in _WHOLE_RE.findall(value)):
        report(node, key, too_long)  # before any conversion of a 5,000-digit number
        return 0
    try:
        duration_ms = parse_duration_ms(value)
    except ValueError as error:  # its message quotes the value already cut and escaped
        report(node, key, str(error))
        return 0
    if duration_ms <= 0:
        report(node, key, "must be longer than 0: leave the key out for none")
    elif is_over_session_limit(duration_ms):
        report(node, key, too_long)
    return duration_ms


def tail(report: Report, node: Node, key: str) -> int:
    """A tail: background after the last word, long enough to fade out."""
    tail_ms = duration(report, node, key)
    if is_short_tail(tail_ms):
        report(
            node, key, "a tail fades out over at least 1m: make it 1m or longer, or leave it out"
        )
    return tail_ms


def interval(report: Report, node: Node, key: str) -> int:
    """How often ``ring_every`` rings: not so often that it is a beat."""
    every_ms = duration(report, node, key)
    if 0 < every_ms < MIN_RING_EVERY_MS:
        report(
            node,
            key,
            f"'{node.value}' is too often: make it {MIN_RING_EVERY_MS // 1000}s or longer "
            "(for a faster beat, use a step with 'each' and 'repeat_cue')",
        )
    return every_ms


def path(report: Report, node: Node, key: str) -> str | None:
    """A path relative to the routine's folder, which must name an existing file."""
    value = text(report, node, key)
    if value is None:
        return None
    found = _beside_routine(report, value)
    problem = file_problem(found)
    if problem == NO_SUCH_FILE:
        report(
            node,
            key,
            f"no such file {shown(value)} (looked for {found}): paths are "
            "relative to the routine file",
        )
    elif problem:
        report(node, key, f"{shown(value)} {problem}: give a sound file such as rain.ogg")
    return str(found)


_CUE_FILE = (Key("file", "sound_file", REQUIRED, "A sound file for the cue.", "bowl.wav"),)


def cue(report: Report, node: Node, key: str, spec: Key) -> str | None:
    """A built-in cue's name, or ``{file: bowl.wav}``: a sound file's absolute path."""
    default: str | None = spec.default
    if isinstance(node, ScalarNode) and _looks_like_a_file(node.value):
        written = printable(node.value) if len(node.value) <= SHOWN_CHARS else "..."
        report(
            node,
            key,
            f"{shown(node.value)} is not a cue name: for a sound file write "
            f"{{file: {written}}}, else choose from {', '.join(CUE_SOUNDS)}",
        )
        return default
    if not isinstance(node, MappingNode):
        return choice(report, node, key, CUE_SOUNDS, "cue") or default
    nodes = read_mapping(report, node, key, _CUE_FILE, "a cue file such as {file: bowl.wav}")
    if not nodes or "file" not in nodes:
        return default
    return sound_file(report, nodes["file"], join(key, "file"))


def _looks_like_a_file(value: str) -> bool:
    return "/" in value or "." in value.strip(".")


def sound_file(report: Report, node: Node, key: str) -> str | None:
    """A user's sound file (a cue or recorded narration) relative to the routine's folder,
    which must be a regular file; its place is kept, for the checks that decode it."""
    problems = len(report.problems)
    found = path(report, node, key)
    if found is None or len(report.problems) > problems:
        return None
    mark = node.start_mark
    report.sound_files.append((Place(report.path, mark.line + 1, mark.column + 1, key), found))
    return found


def voice_model(report: Report, node: Node, key: str) -> str | None:
    """A Piper voice: a .onnx file relative to the routine's folder, with the .onnx.json that
    Piper reads beside it. Both must be readable files; what the config says is checked with
    the speech engine (tts/natural.py)."""
    value = text(report, node, key)
    if value is None:
        return None
    found = _beside_routine(report, value)
    if not value.lower().endswith(PIPER_MODEL_SUFFIX):
        report(node, key, f"{shown(value)} is not a Piper voice: give its .onnx file")
        return str(found)
    config = piper_config_path(found)
    for path, what in ((found, f"no such file {shown(value)}"), (config, f"no {config.name}")):
        problem = file_problem(path)
        if problem is None and not os.access(path, os.R_OK):
            problem = "cannot be read (permission denied)"
        if problem == NO_SUCH_FILE:
            report(
                node,
                key,
                f"{what} (looked for {path}): a Piper voice is NAME.onnx with NAME.onnx.json "
                "beside it, relative to the routine file",
            )
            break
        if problem:
            report(node, key, f"{path.name} {problem}: give a readable Piper voice file")
            break
    return str(found)


def _beside_routine(report: Report, value: str) -> Path:
    """``value`` as a path from the routine's folder (absolute, not resolved)."""
    base = Path(report.path).parent if not report.path.startswith("<") else Path()
    try:
        written = Path(value).expanduser()
    except RuntimeError:  # ~name of no user
        written = Path(value)
    return Path(os.path.abspath(base / written))  # not resolved: a link loop must not raise


def whole(report: Report, node: Node, key: str) -> int | None:
    """A whole number; one of more than MAX_DIGITS digits stands as _BEYOND_RANGE (with
    its sign) and is never converted."""
    value = scalar(report, node, key, "a whole number")
    if value is None:
        return None
    match = _WHOLE_NUMBER_RE.fullmatch(value)
    if not match:
        report(node, key, f"expected a whole number, got {shown(value)}")
        return None
    sign, digits = match.groups()
    if len(digits) > MAX_DIGITS:
        return -_BEYOND_RANGE if sign == "-" else _BEYOND_RANGE
    return int(sign + digits)


def bounded(report: Report, node: Node, key: str, spec: Key) -> int:
    """A whole number in the key's range; its minimum if there is a problem."""
    low, high = int(spec.minimum or 0), int(spec.maximum or 0)
    number = whole(report, node, key)
    if number is None:
        return low
    if not low <= number <= high:
        written = number_shown(str(node.value))
        report(node, key, f"{written} is out of range: use {low} to {high:,}")
        return low
    return number


def number(report: Report, node: Node, key: str, spec: Key) -> float:
    """A plain decimal number such as 0.8 (never nan, inf or 1e999) in the key's range; the
    key's default if there is a problem."""
    low, high = spec.minimum or 0.0, spec.maximum or 0.0
    what = f"a number from {low:g} to {high:g}"
    value = scalar(report, node, key, what)
    if value is None:
        return float(spec.default)
    if not _NUMBER_RE.fullmatch(value):
        report(node, key, f"expected {what}, got {shown(value)}")
        return float(spec.default)
    found = _decimal(value)
    if not low <= found <= high:
        report(node, key, f"{number_shown(value)} is out of range: use {low:g} to {high:g}")
        return float(spec.default)
    return found


def boolean(report: Report, node: Node, key: str) -> bool:
    value = scalar(report, node, key, "true or false")
    if value is None:
        return False
    if value.lower() not in _TRUE | _FALSE:
        report(node, key, f"expected true or false, got {shown(value)}")
    return value.lower() in _TRUE


def level(report: Report, node: Node, key: str, spec: Key) -> float:
    return _quantity(report, node, key, spec, _LEVEL_RE, "dB", "a level in dB")


def frequency(report: Report, node: Node, key: str, spec: Key) -> float:
    return _quantity(report, node, key, spec, _FREQUENCY_RE, "Hz", "a frequency")


def _quantity(
    report: Report, node: Node, key: str, spec: Key, pattern: re.Pattern[str], unit: str, what: str
) -> float:
    """A number with an optional unit, within the key's range; its minimum if not."""
    low, high = spec.minimum or 0.0, spec.maximum or 0.0
    value = scalar(report, node, key, f"{what} such as {spec.example}")
    if value is None:
        return low
    match = pattern.fullmatch(value)
    if not match:
        report(node, key, f"expected {what} such as {spec.example}, got {shown(value)}")
        return low
    found = _decimal(match.group(1))
    if not low <= found <= high:
        written = f"{found:g}{unit}" if math.isfinite(found) else number_shown(value)
        report(node, key, f"{written} is out of range: use {low:g}{unit} to {high:g}{unit}")
        return low
    return found


def language(report: Report, node: Node, key: str) -> str:
    value = scalar(report, node, key, "a language code such as en or de") or "en"
    if len(value) > MAX_LANGUAGE_CHARS or not _LANGUAGE_RE.fullmatch(value):
        report(
            node, key, f"{shown(value)} is not a language code: write one such as en, de or en-gb"
        )
    return value.lower().replace("_", "-")


def choice(report: Report, node: Node, key: str, choices: tuple[str, ...], what: str) -> str | None:
    """One of ``choices``; None if it is none of them."""
    value = scalar(report, node, key, f"a {what} name")
    if value is not None and value not in choices:
        report(
            node,
            key,
            f"unknown {what} {shown(value)}{did_you_mean(value, choices)} (choose from "
            f"{', '.join(choices)})",
        )
        return None
    return value


def _decimal(digits: str) -> float:
    """A plain decimal number (its syntax checked); infinity if its whole part has more than
    MAX_DIGITS digits, so that it is out of every range (a long fraction is fine)."""
    whole_part = digits.strip().lstrip("+-").split(".")[0].lstrip("0")
    return float(digits) if len(whole_part) <= MAX_DIGITS else math.inf
