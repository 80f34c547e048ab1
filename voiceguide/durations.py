"""Durations as people write them (``90s``, ``1m30s``, ``1:30``, ``15m``, ``500ms``) and back."""

from __future__ import annotations

import re

_UNITS_MS = {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}
_UNIT_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS_RE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|h|m|s))+")
_CLOCK_RE = re.compile(r"(?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?)")

DURATION_HELP = "write a duration such as 90s, 1m30s, 1:30, 15m or 500ms"


def parse_duration_ms(text: str) -> int:
    """Milliseconds in ``text``; ValueError with a hint if it is not a duration."""
    compact = text.strip().lower().replace(" ", "")
    if _UNITS_RE.fullmatch(compact):
        return _units_ms(compact)
    if clock := _CLOCK_RE.fullmatch(compact):
        hours, minutes, seconds = clock.groups()
        return round((int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
    if re.fullmatch(r"\d+(\.\d+)?", compact):
        raise ValueError(f"'{text}' has no unit: {DURATION_HELP}")
    raise ValueError(f"'{text}' is not a duration: {DURATION_HELP}")


def _units_ms(compact: str) -> int:
    seen: list[str] = []
    total = 0.0
    for number, unit in _UNIT_RE.findall(compact):
        if unit in seen:
            raise ValueError(f"'{compact}' gives '{unit}' twice: {DURATION_HELP}")
        seen.append(unit)
        total += float(number) * _UNITS_MS[unit]
    return round(total)


def format_ms(duration_ms: int, *, precise: bool = False) -> str:
    """``12:05`` (or ``1:02:05``); with ``precise``, tenths of a second: ``12:05.3``."""
    sign = "-" if duration_ms < 0 else ""
    tenths, _ = divmod(abs(duration_ms) + (50 if precise else 500), 100)
    seconds, tenth = divmod(tenths, 10)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{sign}{clock}.{tenth}" if precise else f"{sign}{clock}"


def format_seconds(duration_ms: int) -> str:
    """``8.0 s``: for short spans in tables and messages."""
    return f"{duration_ms / 1000:.1f} s"


def format_timestamp(duration_ms: int, decimal: str = ".") -> str:
    """``01:02:05.300``: the fixed-width clock of subtitles and chapter comments."""
    hours, rest = divmod(duration_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{decimal}{millis:03d}"
