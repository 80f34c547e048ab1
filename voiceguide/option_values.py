"""Parsers of the command line's option values: each refuses a bad value before the command
runs (Typer then names the option, "Invalid value for '--length': ...", and exits 2)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from voiceguide.errors import UsageError, shown
from voiceguide.output.formats import output_format
from voiceguide.routine.durations import parse_duration_ms
from voiceguide.routine.limits import (
    BACKGROUND_SOUNDS,
    MAX_RATE_WPM,
    MIN_RATE_WPM,
    SPEECH_ENGINES,
    is_over_session_limit,
    is_short_tail,
)

MIN_PACE, MAX_PACE = 0.5, 2.0  # as the planner checks them
MAX_SEED = 2**64 - 1


def duration(text: str) -> int:
    try:
        duration_ms = parse_duration_ms(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    if is_over_session_limit(duration_ms):
        raise typer.BadParameter(
            f"{shown(text)} is longer than the 12-hour limit of a session: give less"
        )
    return duration_ms


def length_ms(text: str) -> int:
    duration_ms = duration(text)
    if duration_ms == 0:
        raise typer.BadParameter(
            f"{shown(text)} is no length: give one such as 20m, or leave --length out for the "
            "routine's own length"
        )
    return duration_ms


def optional_ms(text: str) -> int:
    """A lead-in or tail: 0 or none for none."""
    return 0 if text.strip().lower() in ("0", "none") else duration(text)


def tail_ms(text: str) -> int:
    tail_ms = optional_ms(text)
    if is_short_tail(tail_ms):
        raise typer.BadParameter(
            f"{shown(text)} is too short for a tail, which fades out over at least 1m: give "
            "1m or more, or 0 for none"
        )
    return tail_ms


def _whole(text: str | int, low: int, high: int) -> int:
    if isinstance(text, int):  # a default, already a number
        return text
    # Digits are counted before int(): a number thousands of digits long is no number here.
    if not re.fullmatch(r"[+-]?\d{1,20}", text.strip()):
        raise typer.BadParameter(
            f"{shown(text)} is not a whole number: give one from {low} to {high}"
        )
    number = int(text)
    if not low <= number <= high:
        raise typer.BadParameter(f"{number} is out of range: give one from {low} to {high}")
    return number


def rate_wpm(text: str | int) -> int:
    return _whole(text, MIN_RATE_WPM, MAX_RATE_WPM)


def seed(text: str | int) -> int:
    return _whole(text, 0, MAX_SEED)


def pace(text: str | float) -> float:
    if isinstance(text, float):  # the default, already a number
        return text
    hint = f"give a number from {MIN_PACE:g} to {MAX_PACE:g} (below 1 is slower)"
    if not re.fullmatch(r"\+?(\d{1,3}(\.\d{0,6})?|\.\d{1,6})", text.strip()):
        raise typer.BadParameter(f"{shown(text)} is not a pace: {hint}")
    pace = float(text)
    if not MIN_PACE <= pace <= MAX_PACE:
        raise typer.BadParameter(f"{pace:g} is out of range: {hint}")
    return pace


def voice(text: str) -> str:
    if not text.strip():
        raise typer.BadParameter(
            "no voice given: give an id from 'voiceguide voices', or leave --voice out"
        )
    return text


def engine(text: str) -> str:
    if text not in SPEECH_ENGINES:
        raise typer.BadParameter(
            f"{shown(text)} is not a speech engine: choose {', '.join(SPEECH_ENGINES)}"
        )
    return text


def background(text: str) -> str:
    from voiceguide.pipeline import check_background

    if not text.strip():
        raise typer.BadParameter(
            f"no background given: choose from {', '.join(BACKGROUND_SOUNDS)}, or leave "
            "--background out"
        )
    try:
        check_background(text)
    except UsageError as error:
        raise typer.BadParameter(error.message) from None
    return text


def background_file(text: str) -> Path:
    if not text.strip():
        raise typer.BadParameter(
            "no file given: name a recording such as rain.ogg, or leave --background-file out"
        )
    return Path(text)


def audio_format(text: str) -> str:
    try:
        return output_format(None, text.lower())
    except UsageError as error:
        raise typer.BadParameter(error.message) from None


def chart_path(text: str) -> Path:
    from voiceguide.output.chart import chart_format

    if not text.strip():
        raise typer.BadParameter("no file given: name the picture, e.g. plan.svg or plan.png")
    path = Path(text)
    try:
        chart_format(path)
    except UsageError as error:
        raise typer.BadParameter(error.message) from None
    return path
