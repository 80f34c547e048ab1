"""The command line's options, declared once: those several commands share, and the
render command's own. Their values are parsed by ``option_values``, which refuses a bad one
before the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from voiceguide import option_values as values
from voiceguide.panels import BEDTIME, OUTPUT, SOUND, TIMING, VOICE

if TYPE_CHECKING:
    from voiceguide.plan.planner import Settings

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
        parser=values.pace,
        metavar="PACE",
        help="Speed of the session, from 0.5 to 2: below 1 is slower and longer.",
    ),
]
LengthOpt = Annotated[
    int | None,
    typer.Option(
        "--length",
        rich_help_panel=TIMING,
        parser=values.length_ms,
        metavar="DURATION",
        help="Fit the session to this length, e.g. 20m or 12:30.",
    ),
]
RateOpt = Annotated[
    int | None,
    typer.Option(
        "--rate",
        rich_help_panel=VOICE,
        parser=values.rate_wpm,
        metavar="WPM",
        help="Speaking rate in words per minute at pace 1, from 80 to 400.",
    ),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        rich_help_panel=VOICE,
        parser=values.engine,
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
        parser=values.voice,
        metavar="VOICE",
        help="An engine voice id from 'voiceguide voices'.",
    ),
]
BackgroundOpt = Annotated[
    str | None,
    typer.Option(
        "--background",
        rich_help_panel=SOUND,
        parser=values.background,
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
        parser=values.background_file,
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
        parser=values.optional_ms,
        metavar="DURATION",
        help="Background only before the first word, e.g. 30s (0 for none).",
    ),
]
TailOpt = Annotated[
    int | None,
    typer.Option(
        "--tail",
        rich_help_panel=BEDTIME,
        parser=values.tail_ms,
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


ChartOpt = Annotated[
    Path | None,
    typer.Option(
        "--chart",
        parser=values.chart_path,
        metavar="FILE",
        rich_help_panel=OUTPUT,
        help="Also draw the timeline as a picture, .svg or .png by the name's ending "
        "(needs the chart extra: pip install 'voiceguide[chart]').",
    ),
]


# The render command's own: where and how the audio is written.
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--out",
        rich_help_panel=OUTPUT,
        metavar="FILE",
        help="Output file, its format by its ending: .mp3, .wav, .flac or .ogg "
        "(default: ./ROUTINE.mp3); only a regular file is replaced; '-' writes to "
        "standard output (format from --format).",
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        rich_help_panel=OUTPUT,
        parser=values.audio_format,
        metavar="FORMAT",
        help="mp3, wav, flac or ogg, for an -o name that does not end in one (default: mp3).",
    ),
]
BitrateOpt = Annotated[
    str | None,
    typer.Option(
        "--bitrate",
        rich_help_panel=OUTPUT,
        metavar="RATE",
        help="Encoder bitrate for mp3 (32k to 320k) or ogg (default: 128k).",
    ),
]
SeedOpt = Annotated[
    int,
    typer.Option(
        "--seed",
        rich_help_panel=SOUND,
        parser=values.seed,
        metavar="NUMBER",
        help="Seed for the background noise and cues.",
    ),
]
MonoOpt = Annotated[
    bool, typer.Option("--mono", rich_help_panel=OUTPUT, help="One channel instead of two.")
]
TranscriptOpt = Annotated[
    str | None,
    typer.Option(
        "--transcript",
        rich_help_panel=OUTPUT,
        metavar="FORMATS",
        help="Also write these next to the audio: srt, vtt, lrc, json (comma-separated).",
    ),
]
SidecarsOpt = Annotated[
    bool,
    typer.Option("--sidecars", rich_help_panel=OUTPUT, help="Also write every transcript format."),
]
CoverOpt = Annotated[
    Path | None,
    typer.Option(
        "--cover",
        metavar="IMAGE",
        rich_help_panel=OUTPUT,
        help="A .png or .jpg to embed as the cover.",
    ),
]
SplitOpt = Annotated[
    bool,
    typer.Option(
        "--split",
        rich_help_panel=OUTPUT,
        help="One file per chapter plus an .m3u playlist, in a folder named by -o.",
    ),
]
