"""The command line: each command parses options, calls one library function, prints.

Expected failures (VoiceguideError) become one line per problem on stderr and a documented
exit code, here and only here. Heavy modules (speech, audio) are imported inside the
commands that need them, so ``--help`` and ``validate`` stay instant.
"""

from __future__ import annotations

import functools
import shlex
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from voiceguide import __version__, option_values, options
from voiceguide.errors import ExitCode, UsageError, VoiceguideError, printable
from voiceguide.panels import PanelledCommand
from voiceguide.routine.durations import format_ms

EXIT_CODES = """Exit codes: 0 success, 1 invalid routine or failed render, 2 usage error,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."""

app = typer.Typer(
    name="voiceguide",
    help="Turn a routine written in YAML into a narrated, timed audio session.\n\n"
    "Example: voiceguide plan hand-massage --length 20m",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=True,  # --install-completion and --show-completion for bash, zsh, fish
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
        app.command(name, cls=PanelledCommand, epilog=f"Example: {example}\n\n{EXIT_CODES}")(run)
        return function

    return register


@command("voiceguide validate my-routine.yaml audio_templates/*.yaml")
def validate(
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Routine files to check.")],
    engine: options.EngineOpt = None,
) -> None:
    """Check routine files: one line per problem, with file, line, column and key."""
    from voiceguide.errors import printable
    from voiceguide.pipeline import validate_files

    for path in validate_files(files, engine):
        typer.echo(printable(f"{path}: ok"))


@command("voiceguide plan hand-massage --pace 0.8 --length 20m")
def plan(
    routine: options.RoutineArg = "hand-massage",
    pace: options.PaceOpt = 1.0,
    length: options.LengthOpt = None,
    rate: options.RateOpt = None,
    bedtime: options.BedtimeOpt = None,
    lead_in: options.LeadInOpt = None,
    tail: options.TailOpt = None,
    voice: options.VoiceOpt = None,
    engine: options.EngineOpt = None,
    background: options.BackgroundOpt = None,
    background_file: options.BackgroundFileOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    chart: options.ChartOpt = None,
) -> None:
    """Show the session's timeline: when each thing is said or done, and the total."""
    from voiceguide.pipeline import listening_notes, plan_routine
    from voiceguide.plan.table import timeline_table

    if chart is not None:
        from voiceguide.output.chart import check_chart

        check_chart(chart)  # before planning: the name, the target and matplotlib
    settings = options.settings(
        pace, length, rate, bedtime, lead_in, tail, voice, background, background_file
    )
    timeline = plan_routine(routine, settings, engine)
    typer.echo(timeline.to_json() if as_json else timeline_table(timeline))
    if chart is not None:
        from voiceguide.output.chart import write_chart

        write_chart(timeline, chart)
        typer.echo(f"chart: {printable(str(chart))}", err=True)
    for note in listening_notes(timeline):
        typer.echo(note, err=True)


@command("voiceguide render hand-massage --pace 0.8 --length 20m --bedtime --tail 10m")
def render(
    routine: options.RoutineArg = "hand-massage",
    out: options.OutOpt = None,
    pace: options.PaceOpt = 1.0,
    length: options.LengthOpt = None,
    rate: options.RateOpt = None,
    bedtime: options.BedtimeOpt = None,
    lead_in: options.LeadInOpt = None,
    tail: options.TailOpt = None,
    voice: options.VoiceOpt = None,
    engine: options.EngineOpt = None,
    background: options.BackgroundOpt = None,
    background_file: options.BackgroundFileOpt = None,
    format_: options.FormatOpt = None,
    bitrate: options.BitrateOpt = None,
    seed: options.SeedOpt = 0,
    mono: options.MonoOpt = False,
    transcript: options.TranscriptOpt = None,
    sidecars: options.SidecarsOpt = False,
    cover: options.CoverOpt = None,
    split: options.SplitOpt = False,
) -> None:
    """Render a routine to an audio file, with a progress bar and a summary at the end."""
    from voiceguide.pipeline import render_routine
    from voiceguide.progress import progress_bar
    from voiceguide.request import RenderRequest

    request = RenderRequest(
        sidecars=options.sidecar_formats(transcript, sidecars),
        cover=cover,
        split=split,
        routine=routine,
        out_path=out,
        engine=engine,
        format=format_,
        bitrate=bitrate,
        seed=seed,
        channels=1 if mono else 2,
        settings=options.settings(
            pace, length, rate, bedtime, lead_in, tail, voice, background, background_file
        ),
    )
    with progress_bar() as progress:
        report = render_routine(request, progress)
    for note in report.notes:
        typer.echo(note, err=True)
    to_stderr = str(report.path) == "-"  # with -o -, standard output carries the audio
    typer.echo(
        f"{printable(str(report.path))}: {format_ms(report.duration_ms, precise=True)}, "
        f"{report.chapters} chapters, {report.size_bytes / 1e6:.1f} MB, "
        f"speech at {report.speech_lufs:.1f} LUFS",
        err=to_stderr,
    )
    typer.echo(f"voice: {printable(report.voice)}", err=to_stderr)
    for path in report.sidecars:
        typer.echo(printable(str(path)))


@command("voiceguide info hand-massage.mp3")
def info(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="An audio file voiceguide made.")],
) -> None:
    """Show what a rendered file holds: duration, tags, chapters, and how it was made."""
    from voiceguide.output.info import file_info

    for line in file_info(path):
        typer.echo(line)


@command("voiceguide templates")
def templates() -> None:
    """List the built-in routines with their titles and natural lengths."""
    from voiceguide.catalog import describe_templates

    for line in describe_templates():
        typer.echo(line)


@command("voiceguide voices --language en")
def voices(
    language: Annotated[
        str | None,
        typer.Option(
            "--language", metavar="CODE", help="Only voices for this language code, e.g. en or de."
        ),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            parser=option_values.engine,
            metavar="ENGINE",
            help="Only this engine's voices.",
        ),
    ] = None,
) -> None:
    """List every engine's voices with language, quality and licence (use an id as
    'voice: {name: ID}' in a routine, or try one with 'voiceguide say')."""
    from voiceguide.speak import describe_voices

    for line in describe_voices(language, engine):
        typer.echo(printable(line))


@command('voiceguide say "Rest your hands in your lap." --engine piper -o sample.wav')
def say(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What to say, in quotes.")],
    engine: options.EngineOpt = None,
    voice: options.VoiceOpt = None,
    rate: options.RateOpt = None,
    language: Annotated[
        str,
        typer.Option(
            "--language",
            metavar="CODE",
            help="The text's language code, for auto's choice of engine.",
        ),
    ] = "en",
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--out",
            metavar="FILE",
            help="Write the sample to this .wav file instead of playing it.",
        ),
    ] = None,
) -> None:
    """Hear a voice before rendering a session: say a sentence, or write it to a .wav file."""
    from voiceguide.speak import say_text, write_sample

    sample = say_text(text, engine, voice, rate, language)
    if out is not None:
        write_sample(sample.clip, out)
        typer.echo(f"{printable(str(out))}: {sample.clip.duration_ms / 1000:.1f} s")
    typer.echo(f"voice: {printable(sample.voice)}")
    if out is None:
        from voiceguide.play import play_clip

        play_clip(sample.clip)


@command("voiceguide schema > routine.schema.json")
def schema() -> None:
    """Print the routine format as a JSON Schema, for editor completion and checks."""
    import json

    from voiceguide.routine.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


@command("voiceguide new my-routine --from hand-massage-arthritis")
def new(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The new file: NAME.yaml in this folder.")
    ],
    template: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="TEMPLATE",
            help="Start from this template or routine file (default: a starter).",
        ),
    ] = None,
) -> None:
    """Write a new routine to edit, every key explained in a comment; never overwrites."""
    from voiceguide.routine.scaffold import new_routine

    made = new_routine(name, template)
    path = printable(str(made.path))
    check = f"voiceguide validate {shlex.quote(path)}"  # a name with spaces, quoted
    typer.echo(f"wrote {path}: edit it, then check it with '{check}'")
    if made.schema_written:
        typer.echo(f"wrote {printable(str(made.schema_path))} (for editor completion)")


@command("voiceguide play hand-massage --from pinch")
def play(
    routine: options.RoutineArg = "hand-massage",
    from_step: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="STEP", help="Start at the first chapter whose title has this text."
        ),
    ] = None,
    pace: options.PaceOpt = 1.0,
    length: options.LengthOpt = None,
    rate: options.RateOpt = None,
    bedtime: options.BedtimeOpt = None,
    voice: options.VoiceOpt = None,
    engine: options.EngineOpt = None,
    background: options.BackgroundOpt = None,
) -> None:
    """Render a routine (reusing earlier renders) and play it with the system's player.

    The player is $VOICEGUIDE_PLAYER when set (a command; {file} stands for the audio and
    {start} for the second to start at), else the first of ffplay, mpv, paplay, pw-play,
    aplay and afplay found."""
    from voiceguide.play import play_session, prepare_playback
    from voiceguide.progress import progress_bar

    settings = options.settings(pace, length, rate, bedtime, None, None, voice, background)
    with progress_bar() as progress:
        playback = prepare_playback(routine, settings, from_step, progress, engine)
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
