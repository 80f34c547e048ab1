"""The command line: each command parses options, calls one library function, prints.

Expected failures (VoiceguideError) become one line per problem on stderr and a documented
exit code, here and only here. Heavy modules (speech, audio) are imported inside the
commands that need them, so ``--help`` and ``validate`` stay instant.
"""

from __future__ import annotations

import functools
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from voiceguide import __version__
from voiceguide.errors import ExitCode, UsageError, VoiceguideError, shown
from voiceguide.output.formats import output_format
from voiceguide.routine.durations import format_ms, parse_duration_ms
from voiceguide.routine.limits import (
    BACKGROUND_SOUNDS,
    MAX_RATE_WPM,
    MIN_RATE_WPM,
    is_over_session_limit,
    is_short_tail,
)

if TYPE_CHECKING:
    from voiceguide.plan.planner import Settings

MIN_PACE, MAX_PACE = 0.5, 2.0  # as the planner checks them
MAX_SEED = 2**64 - 1
EXIT_CODES = """Exit codes: 0 success, 1 invalid routine or failed render, 2 usage error,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."""

app = typer.Typer(
    name="voiceguide",
    help="Turn a routine written in YAML into a narrated, timed audio session.\n\n"
    "Example: voiceguide plan hand-massage --length 20m",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain text: a usage error is a stable "Error: ..." line, not a box drawn to the width
    # of the terminal.
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def command(example: str) -> Callable[[F], F]:
    """Register a command whose VoiceguideErrors print as lines and exit with their code."""

    def register(function: F) -> F:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except UsageError as error:
                # Shown as Typer shows its own usage errors: usage, a hint, exit 2.
                raise typer.BadParameter(error.message, param_hint=f"'{error.option}'") from None
            except VoiceguideError as error:
                for line in error.lines():
                    typer.echo(line, err=True)
                raise typer.Exit(error.exit_code) from None

        name = function.__name__.rstrip("_")
        app.command(name, epilog=f"Example: {example}\n\n{EXIT_CODES}")(run)
        return function

    return register


# Option parsers: Typer names the option in "Invalid value for '--length': ..." and exits 2,
# before the command runs.


def _duration_ms(text: str) -> int:
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
    duration_ms = _duration_ms(text)
    if duration_ms == 0:
        raise typer.BadParameter(
            f"{shown(text)} is no length: give one such as 20m, or leave --length out for the "
            "routine's own length"
        )
    return duration_ms


def _optional_ms(text: str) -> int:
    """A lead-in or tail: 0 or none for none."""
    return 0 if text.strip().lower() in ("0", "none") else _duration_ms(text)


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


def _seed(text: str | int) -> int:
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


def _voice(text: str) -> str:
    if not text.strip():
        raise typer.BadParameter(
            "no voice given: give an id from 'voiceguide voices', or leave --voice out"
        )
    return text


def _background(text: str) -> str:
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


def _background_file(text: str) -> Path:
    if not text.strip():
        raise typer.BadParameter(
            "no file given: name a recording such as rain.ogg, or leave --background-file out"
        )
    return Path(text)


def _format(text: str) -> str:
    try:
        return output_format(None, text.lower())
    except UsageError as error:
        raise typer.BadParameter(error.message) from None


RoutineArg = Annotated[
    str,
    typer.Argument(
        help="A routine file, or a name: NAME, NAME.yaml or NAME.yml in this folder, else the "
        "built-in template (see 'voiceguide templates'). A folder is never a routine."
    ),
]
PaceOpt = Annotated[
    float,
    typer.Option(
        "--pace",
        parser=_pace,
        metavar="PACE",
        help="Speed of the session, from 0.5 to 2: below 1 is slower and longer.",
    ),
]
LengthOpt = Annotated[
    int | None,
    typer.Option(
        "--length",
        parser=_length_ms,
        metavar="DURATION",
        help="Fit the session to this length, e.g. 20m or 12:30.",
    ),
]
RateOpt = Annotated[
    int | None,
    typer.Option(
        "--rate",
        parser=_rate_wpm,
        metavar="WPM",
        help="Speaking rate in words per minute at pace 1, from 80 to 400.",
    ),
]
BedtimeOpt = Annotated[
    bool | None,
    typer.Option(
        "--bedtime/--daytime",
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
        parser=_optional_ms,
        metavar="DURATION",
        help="Background only before the first word, e.g. 30s (0 for none).",
    ),
]
TailOpt = Annotated[
    int | None,
    typer.Option(
        "--tail",
        parser=_tail_ms,
        metavar="DURATION",
        help="Background after the last word, fading out slowly, e.g. 10m (at least 1m; "
        "0 for none). Bedtime default: 3m.",
    ),
]


def _settings(
    pace: float,
    length_ms: int | None,
    rate: int | None,
    bedtime: bool | None,
    lead_in_ms: int | None,
    tail_ms: int | None,
) -> Settings:
    from voiceguide.plan.planner import Settings

    return Settings(
        pace=pace,
        length_ms=length_ms,
        rate_wpm=rate,
        bedtime=bedtime,
        lead_in_ms=lead_in_ms,
        tail_ms=tail_ms,
    )


@command("voiceguide validate my-routine.yaml audio_templates/*.yaml")
def validate(files: Annotated[list[Path], typer.Argument(help="Routine files to check.")]) -> None:
    """Check routine files: one line per problem, with file, line, column and key."""
    from voiceguide.errors import printable
    from voiceguide.pipeline import validate_files

    for path in validate_files(files):
        typer.echo(printable(f"{path}: ok"))


@command("voiceguide plan hand-massage --pace 0.8 --length 20m")
def plan(
    routine: RoutineArg = "hand-massage",
    pace: PaceOpt = 1.0,
    length: LengthOpt = None,
    rate: RateOpt = None,
    bedtime: BedtimeOpt = None,
    lead_in: LeadInOpt = None,
    tail: TailOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
) -> None:
    """Show the session's timeline: when each thing is said or done, and the total."""
    from voiceguide.pipeline import listening_notes, plan_routine
    from voiceguide.plan.table import timeline_table

    settings = _settings(pace, length, rate, bedtime, lead_in, tail)
    timeline = plan_routine(routine, settings)
    typer.echo(timeline.to_json() if as_json else timeline_table(timeline))
    for note in listening_notes(timeline):
        typer.echo(note, err=True)


@command("voiceguide render hand-massage --pace 0.8 --length 20m --bedtime --tail 10m")
def render(
    routine: RoutineArg = "hand-massage",
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--out",
            help="Output file, its format by its ending: .mp3, .wav, .flac or .ogg "
            "(default: ./ROUTINE.mp3); only a regular file is replaced; '-' writes to "
            "standard output (format from --format).",
        ),
    ] = None,
    pace: PaceOpt = 1.0,
    length: LengthOpt = None,
    rate: RateOpt = None,
    bedtime: BedtimeOpt = None,
    lead_in: LeadInOpt = None,
    tail: TailOpt = None,
    voice: Annotated[
        str | None,
        typer.Option(
            "--voice",
            parser=_voice,
            metavar="VOICE",
            help="An engine voice id from 'voiceguide voices'.",
        ),
    ] = None,
    background: Annotated[
        str | None,
        typer.Option(
            "--background",
            parser=_background,
            metavar="SOUND",
            help="Background bed: none, brown, pink, white, drone, binaural (headphones) "
            "or isochronic.",
        ),
    ] = None,
    background_file: Annotated[
        Path | None,
        typer.Option(
            "--background-file",
            parser=_background_file,
            metavar="FILE",
            help="Your own recording as the bed, looped (e.g. rain.ogg).",
        ),
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            parser=_format,
            metavar="FORMAT",
            help="mp3, wav, flac or ogg, for an -o name that does not end in one (default: mp3).",
        ),
    ] = None,
    bitrate: Annotated[
        str | None,
        typer.Option(
            "--bitrate",
            metavar="RATE",
            help="Encoder bitrate for mp3 (32k to 320k) or ogg (default: 128k).",
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            parser=_seed,
            metavar="NUMBER",
            help="Seed for the background noise and cues.",
        ),
    ] = 0,
    mono: Annotated[bool, typer.Option("--mono", help="One channel instead of two.")] = False,
    transcript: Annotated[
        str | None,
        typer.Option(
            "--transcript",
            help="Also write these next to the audio: srt, vtt, lrc, json (comma-separated).",
        ),
    ] = None,
    sidecars: Annotated[
        bool, typer.Option("--sidecars", help="Also write every transcript format.")
    ] = False,
    cover: Annotated[
        Path | None, typer.Option("--cover", help="A .png or .jpg to embed as the cover.")
    ] = None,
    split: Annotated[
        bool,
        typer.Option(
            "--split",
            help="One file per chapter plus an .m3u playlist, in a folder named by -o.",
        ),
    ] = False,
) -> None:
    """Render a routine to an audio file, with a progress bar and a summary at the end."""
    from voiceguide.pipeline import RenderRequest, render_routine
    from voiceguide.progress import progress_bar

    request = RenderRequest(
        sidecars=_sidecar_formats(transcript, sidecars),
        cover=cover,
        split=split,
        routine=routine,
        out_path=out,
        voice=voice,
        background=background,
        background_file=background_file,
        format=format_,
        bitrate=bitrate,
        seed=seed,
        channels=1 if mono else 2,
        settings=_settings(pace, length, rate, bedtime, lead_in, tail),
    )
    with progress_bar() as progress:
        report = render_routine(request, progress)
    for note in report.notes:
        typer.echo(note, err=True)
    typer.echo(
        f"{report.path}: {format_ms(report.duration_ms, precise=True)}, "
        f"{report.chapters} chapters, {report.size_bytes / 1e6:.1f} MB, "
        f"speech at {report.speech_lufs:.1f} LUFS",
        err=str(report.path) == "-",  # with -o -, standard output carries the audio
    )
    for path in report.sidecars:
        typer.echo(f"{path}")


def _sidecar_formats(transcript: str | None, every: bool) -> tuple[str, ...]:
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


@command("voiceguide info hand-massage.mp3")
def info(path: Annotated[Path, typer.Argument(help="An audio file voiceguide made.")]) -> None:
    """Show what a rendered file holds: duration, tags, chapters, and how it was made."""
    from voiceguide.pipeline import file_info

    for line in file_info(path):
        typer.echo(line)


@command("voiceguide templates")
def templates() -> None:
    """List the built-in routines with their titles and natural lengths."""
    from voiceguide.pipeline import describe_templates

    for line in describe_templates():
        typer.echo(line)


@command("voiceguide voices --language en")
def voices(
    language: Annotated[
        str | None,
        typer.Option("--language", help="Only voices for this language code, e.g. en or de."),
    ] = None,
) -> None:
    """List the speech engine's voices (use an id as 'voice: {name: ID}' in a routine)."""
    from voiceguide.pipeline import list_voices

    for voice in list_voices(language):
        typer.echo(f"{voice.id:<24} {', '.join(voice.languages):<12} {voice.name}")


@command("voiceguide schema > routine.schema.json")
def schema() -> None:
    """Print the routine format as a JSON Schema, for editor completion and checks."""
    import json

    from voiceguide.routine.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


@command("voiceguide new my-routine --from hand-massage-arthritis")
def new(
    name: Annotated[str, typer.Argument(help="The new file: NAME.yaml in this folder.")],
    template: Annotated[
        str | None,
        typer.Option(
            "--from", help="Start from this template or routine file (default: a starter)."
        ),
    ] = None,
) -> None:
    """Write a new routine to edit, every key explained in a comment; never overwrites."""
    from voiceguide.routine.scaffold import new_routine

    made = new_routine(name, template)
    typer.echo(f"wrote {made.path}: edit it, then check it with 'voiceguide validate {made.path}'")
    if made.schema_written:
        typer.echo(f"wrote {made.schema_path} (for editor completion)")


@command("voiceguide play hand-massage --from pinch")
def play(
    routine: RoutineArg = "hand-massage",
    from_step: Annotated[
        str | None,
        typer.Option("--from", help="Start at the first chapter whose title has this text."),
    ] = None,
    pace: PaceOpt = 1.0,
    length: LengthOpt = None,
    rate: RateOpt = None,
    bedtime: BedtimeOpt = None,
) -> None:
    """Render a routine (reusing earlier renders) and play it with the system's player."""
    from voiceguide.play import play_session, prepare_playback
    from voiceguide.progress import progress_bar

    settings = _settings(pace, length, rate, bedtime, lead_in_ms=None, tail_ms=None)
    with progress_bar() as progress:
        playback = prepare_playback(routine, settings, from_step, progress)
    typer.echo(
        f"playing {playback.chapter} ({format_ms(playback.start_ms)}) with "
        f"{playback.player.name}; Ctrl-C stops"
    )
    play_session(playback)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"voiceguide {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Turn a routine written in YAML into a narrated, timed audio session."""


def main() -> None:
    # SIGTERM unwinds like Ctrl-C, so temporary files are removed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(ExitCode.TERMINATED))
    app()
