"""The command line's options: parsers that refuse a bad value before the command runs (Typer
then names the option, "Invalid value for '--length': ...", and exits 2), and the option
declarations that several commands share."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from voiceguide.errors import UsageError, shown
from voiceguide.output.formats import output_format
from voiceguide.panels import BEDTIME, OUTPUT, SOUND, TIMING, VOICE
from voiceguide.routine.durations import parse_duration_ms
from voiceguide.routine.limits import (
    BACKGROUND_SOUNDS,
    MAX_RATE_WPM,
    MIN_RATE_WPM,
    SPEECH_ENGINES,
    is_over_session_limit,
    is_short_tail,
)

if TYPE_CHECKING:
    from voiceguide.plan.planner import Settings

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


def _length_ms(text: str) -> int:
    duration_ms = duration(text)
    if duration_ms == 0:
        raise typer.BadParameter(
            f"{shown(text)} is no length: give one such as 20m, or leave --length out for the "
            "routine's own length"
        )
    return duration_ms


def _optional_ms(text: str) -> int:
    """A lead-in or tail: 0 or none for none."""
    return 0 if text.strip().lower() in ("0", "none") else duration(text)


def _tail_ms(text: str) -> int:
    tail_ms = _optional_ms(text)
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


def _rate_wpm(text: str | int) -> int:
    return _whole(text, MIN_RATE_WPM, MAX_RATE_WPM)


def seed(text: str | int) -> int:
    return _whole(text, 0, MAX_SEED)


def _pace(text: str | float) -> float:
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


RoutineArg = Annotated[
    str,
    typer.Argument(
        metavar="ROUTINE",
        help="A routine file, or a name: NAME, NAME.yaml or NAME.yml in this folder, else the "
        "built-in template (see 'voiceguide templates'). A folder is never a routine.",
    ),
]
PaceOpt = Annotated[
    float,
    typer.Option(
        "--pace",
        rich_help_panel=TIMING,
        parser=_pace,
        metavar="PACE",
        help="Speed of the session, from 0.5 to 2: below 1 is slower and longer.",
    ),
]
LengthOpt = Annotated[
    int | None,
    typer.Option(
        "--length",
        rich_help_panel=TIMING,
        parser=_length_ms,
        metavar="DURATION",
        help="Fit the session to this length, e.g. 20m or 12:30.",
    ),
]
RateOpt = Annotated[
    int | None,
    typer.Option(
        "--rate",
        rich_help_panel=VOICE,
        parser=_rate_wpm,
        metavar="WPM",
        help="Speaking rate in words per minute at pace 1, from 80 to 400.",
    ),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        rich_help_panel=VOICE,
        parser=engine,
        metavar="ENGINE",
        help="Speech engine: auto (Piper's natural voice when it is installed and speaks the "
        "routine's language, else espeak-ng), piper or pyttsx3. Default: as the routine says.",
        show_default=False,
    ),
]
VoiceOpt = Annotated[
    str | None,
    typer.Option(
        "--voice",
        rich_help_panel=VOICE,
        parser=voice,
        metavar="VOICE",
        help="An engine voice id from 'voiceguide voices'.",
    ),
]
BackgroundOpt = Annotated[
    str | None,
    typer.Option(
        "--background",
        rich_help_panel=SOUND,
        parser=background,
        metavar="SOUND",
        help="Background bed: none, brown, pink, white, drone, binaural (headphones) "
        "or isochronic.",
    ),
]
BackgroundFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--background-file",
        rich_help_panel=SOUND,
        parser=background_file,
        metavar="FILE",
        help="Your own recording as the bed, looped (e.g. rain.ogg).",
    ),
]
BedtimeOpt = Annotated[
    bool | None,
    typer.Option(
        "--bedtime/--daytime",
        rich_help_panel=BEDTIME,
        help="For bed: the pace eases (to 0.8 by the end), the voice falls and softens, "
        "bells become soft tones, the whole is 7 LU quieter, and the background plays on "
        "for a tail. Default: as the routine's bedtime.always says.",
        show_default=False,
    ),
]
LeadInOpt = Annotated[
    int | None,
    typer.Option(
        "--lead-in",
        rich_help_panel=TIMING,
        parser=_optional_ms,
        metavar="DURATION",
        help="Background only before the first word, e.g. 30s (0 for none).",
    ),
]
TailOpt = Annotated[
    int | None,
    typer.Option(
        "--tail",
        rich_help_panel=BEDTIME,
        parser=_tail_ms,
        metavar="DURATION",
        help="Background after the last word, fading out slowly, e.g. 10m (at least 1m; "
        "0 for none). Bedtime default: 3m.",
    ),
]


def settings(
    pace: float,
    length_ms: int | None,
    rate: int | None,
    bedtime: bool | None,
    lead_in_ms: int | None,
    tail_ms: int | None,
    voice: str | None = None,
    background: str | None = None,
    background_file: Path | None = None,
) -> Settings:
    from voiceguide.plan.planner import Settings

    return Settings(
        pace=pace,
        length_ms=length_ms,
        rate_wpm=rate,
        bedtime=bedtime,
        lead_in_ms=lead_in_ms,
        tail_ms=tail_ms,
        voice=voice,
        background=background,
        background_file=str(background_file) if background_file else None,
    )


def sidecar_formats(transcript: str | None, every: bool) -> tuple[str, ...]:
    """--transcript's formats (every one with --sidecars), each once; BadParameter for an
    unknown one."""
    from voiceguide.output.sidecars import SIDECAR_FORMATS

    if every:
        return SIDECAR_FORMATS
    names = tuple(dict.fromkeys(n.strip() for n in (transcript or "").split(",") if n.strip()))
    unknown = [n for n in names if n not in SIDECAR_FORMATS]
    if unknown:
        raise typer.BadParameter(
            f"unknown transcript format '{unknown[0]}': use {', '.join(SIDECAR_FORMATS)}",
            param_hint="'--transcript'",
        )
    return names


def _chart_path(text: str) -> Path:
    from voiceguide.output.chart import chart_format

    if not text.strip():
        raise typer.BadParameter("no file given: name the picture, e.g. plan.svg or plan.png")
    path = Path(text)
    try:
        chart_format(path)
    except UsageError as error:
        raise typer.BadParameter(error.message) from None
    return path


ChartOpt = Annotated[
    Path | None,
    typer.Option(
        "--chart",
        parser=_chart_path,
        metavar="FILE",
        rich_help_panel=OUTPUT,
        help="Also draw the timeline as a picture, .svg or .png by the name's ending "
        "(needs the chart extra: pip install 'voiceguide[chart]').",
    ),
]
