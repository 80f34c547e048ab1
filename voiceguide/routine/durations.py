"""Durations as people write them (``90s``, ``1m30s``, ``1:30``, ``15m``, ``500ms``) and back."""

from __future__ import annotations

import re

from voiceguide.errors import shown

_UNITS_MS = {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}
# The grammar, in regular expressions that Python and JSON Schema (ECMA 262) read alike.
# Units are any case ("15M"); "ms" is tried before "m".
_UNIT = "|".join(
    "".join(f"[{c}{c.upper()}]" for c in unit) for unit in sorted(_UNITS_MS, key=len, reverse=True)
)
_NUMBER = r"\d+(?:\.\d+)?"
# Spaces may stand between a number and its unit, and between parts ("2m 30s", "10 s").
_UNITS = rf"(?:\s*{_NUMBER}\s*(?:{_UNIT}))+"
_CLOCK = r"(?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?)"
DURATION_PATTERN = rf"^\s*(?:{_UNITS}|{_CLOCK})\s*$"
"""What a duration looks like, for the JSON Schema. Its value rules are the loader's: more
than 0 and at most 12 hours, each unit once, and a clock's seconds from 00 to 59."""
_UNIT_RE = re.compile(rf"\s*({_NUMBER})\s*({_UNIT})")
_UNITS_RE = re.compile(_UNITS)
_CLOCK_RE = re.compile(_CLOCK)
_SPLIT_NUMBER_RE = re.compile(r"\d\s+[\d.]|\d\.\s")
# The longest sensible duration ("01:02:05.300", "1h 30m 15s 500ms") is far shorter; a
# bound keeps numbers of thousands of digits away from int() and float().
MAX_DURATION_CHARS = 32

DURATION_HELP = "write a duration such as 90s, 1m30s, 1:30, 15m or 500ms"


def parse_duration_ms(text: str) -> int:
    """Milliseconds in ``text``; ValueError with a hint if it is not a duration."""
    if len(text) > MAX_DURATION_CHARS:
        raise ValueError(
            f"{shown(text)} is too long for a duration (at most {MAX_DURATION_CHARS} characters): "
            f"{DURATION_HELP}"
        )
    lowered = text.strip().lower()
    if _SPLIT_NUMBER_RE.search(lowered):
        raise ValueError(
            f"{shown(text)} has a space inside a number: remove it, or give each number its "
            "own unit as in 1m 30s"
        )
    if _UNITS_RE.fullmatch(lowered):
        return _units_ms(text, lowered)
    if clock := _CLOCK_RE.fullmatch(lowered):
        return _clock_ms(text, *clock.groups())
    if re.fullmatch(_NUMBER, lowered):
        raise ValueError(f"{shown(text)} has no unit: {DURATION_HELP}")
    raise ValueError(f"{shown(text)} is not a duration: {DURATION_HELP}")


def _units_ms(text: str, lowered: str) -> int:
    seen: list[str] = []
    total = 0.0
    for number, unit in _UNIT_RE.findall(lowered):
        if unit in seen:
            raise ValueError(f"{shown(text)} gives '{unit}' twice: {DURATION_HELP}")
        seen.append(unit)
        total += float(number) * _UNITS_MS[unit]
    return round(total)


def _clock_ms(text: str, hours: str | None, minutes: str, seconds: str) -> int:
    """A clock time; minutes (after hours) and seconds run from 00 to 59, as on a clock."""
    total_ms = round((int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
    if float(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        unit = "minutes and seconds" if hours is not None else "seconds"
        meant = f": did you mean {format_ms(total_ms)}?" if total_ms % 1000 == 0 else ""
        raise ValueError(
            f"{shown(text)} is not a clock time: its {unit} must run from 00 to 59{meant}"
        )
    return total_ms


def format_ms(duration_ms: int, *, precise: bool = False) -> str:
    """``12:05`` (or ``1:02:05``); with ``precise``, tenths of a second: ``12:05.3``."""
    sign = "-" if duration_ms < 0 else ""
    tenths, _ = divmod(abs(duration_ms) + (50 if precise else 500), 100)
    seconds, tenth = divmod(tenths, 10)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{sign}{clock}.{tenth}" if precise else f"{sign}{clock}"


def format_units(duration_ms: int) -> str:
    """``1h30m``, ``3m``, ``500ms``: a duration as a routine would write it."""
    parts = []
    rest = duration_ms
    for unit, unit_ms in _UNITS_MS.items():
        count, rest = divmod(rest, unit_ms)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def format_seconds(duration_ms: int) -> str:
    """``8.0 s``: for short spans in tables and messages."""
    return f"{duration_ms / 1000:.1f} s"


def format_timestamp(duration_ms: int, decimal: str = ".") -> str:
    """``01:02:05.300``: the fixed-width clock of subtitles and chapter comments."""
    hours, rest = divmod(duration_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{decimal}{millis:03d}"
