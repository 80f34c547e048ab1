"""What the commands do, as library functions: validate, plan, render, read back.

Each CLI command calls one function here; they raise VoiceguideError and never exit.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide import __version__
from voiceguide.errors import (
    AudioError,
    Problem,
    RoutineError,
    SpeechError,
    UsageError,
    VoiceguideError,
    printable,
    shown,
)
from voiceguide.output.formats import DEFAULT_BITRATE, LOSSLESS, check_bitrate, output_format
from voiceguide.output.sidecars import write_sidecars
from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.timeline import Timeline
from voiceguide.routine.durations import format_ms
from voiceguide.routine.limits import BACKGROUND_SOUNDS, closest_name, is_background, needs_stereo
from voiceguide.routine.loader import load_routine
from voiceguide.routine.model import FILE_BED, Routine
from voiceguide.routine.source import NO_SUCH_FILE, file_problem
from voiceguide.routine.templates import resolve, template_names, template_path
from voiceguide.tts.base import VoiceInfo, unknown_voice_message
from voiceguide.tts.speech import Speech

if TYPE_CHECKING:
    from voiceguide.audio.mixer import Rendering


def validate_files(paths: Iterable[Path]) -> list[Path]:
    """The paths, if every file is a valid routine; else one RoutineError with every problem."""
    problems = []
    checked = []
    for path in paths:
        try:
            routine = load_routine(path)
            check_voice(routine)
            check_background_file(routine)
            checked.append(path)
        except RoutineError as error:
            problems.extend(error.problems)
    if problems:
        raise RoutineError(problems)
    return checked


def open_speech(routine: Routine, engine: str = "pyttsx3") -> Speech:
    from voiceguide.tts.cache import ClipCache
    from voiceguide.tts.registry import get_engine

    speech_engine = get_engine(engine)
    voice = choose_voice(routine, speech_engine.voices())
    return Speech(speech_engine, ClipCache(), voice, routine.voice.volume)


def check_voice(routine: Routine, engine: str = "pyttsx3") -> None:
    """Check the routine's voice or language against the engine's voices.

    Only a routine that names a voice or a language other than English needs the engine, so
    checking a plain routine loads no speech library.
    """
    if routine.voice.name or routine.language != "en":
        from voiceguide.tts.registry import get_engine

        choose_voice(routine, get_engine(engine).voices())


def choose_voice(routine: Routine, voices: list[VoiceInfo]) -> str:
    """The routine's voice id if the engine has it, else the voice for its language.

    An unknown voice or a language no voice speaks is a RoutineError at the key in the file
    (a SpeechError when the name did not come from a file, e.g. from ``--voice``).
    """
    name = routine.voice.name
    if name:
        if name not in {voice.id for voice in voices}:
            raise _at_key(routine, "voice.name", unknown_voice_message(name, voices))
        return name
    voice = voice_for_language(voices, routine.language)
    if voice is None:
        raise _at_key(
            routine,
            "language",
            f"no voice speaks language '{routine.language}': see 'voiceguide voices', "
            "then set voice.name or change language",
        )
    return voice


def check_background_file(routine: Routine) -> None:
    """A recording named as the bed must be sound ffmpeg reads, long enough to loop: found
    now, at its line in the file, not after synthesis (a quick ffmpeg probe)."""
    if routine.background.sound != FILE_BED or not routine.background.file:
        return
    from voiceguide.audio.recordings import probe  # numpy: only for a routine with a recording

    path = Path(routine.background.file)
    problem = probe(path)
    if problem and "background.file" in routine.locations:
        raise _at_key(routine, "background.file", f"{path} {problem}")
    if problem:  # --background-file
        raise UsageError("--background-file", f"'{printable(str(path))}' {problem}")


def _at_key(routine: Routine, key: str, message: str) -> VoiceguideError:
    if key not in routine.locations:
        # Not from the file: a voice then came from --voice.
        return UsageError("--voice", message) if key == "voice.name" else SpeechError(message)
    line, column = routine.locations[key]
    return RoutineError([Problem(routine.source, line, column, key, message)])


def voice_for_language(voices: list[VoiceInfo], language: str) -> str | None:
    """The voice named for the language (``gmw/en`` for en), else one that speaks it."""
    wanted = language.lower()
    by_rank = sorted(
        (rank, voice.id)
        for voice in voices
        for rank, matches in enumerate(
            (
                voice.id.lower().rsplit("/", 1)[-1] == wanted,
                wanted in (lang.lower() for lang in voice.languages),
                any(lang.lower().startswith(wanted + "-") for lang in voice.languages),
            )
        )
        if matches
    )
    return by_rank[0][1] if by_rank else None


def plan_routine(routine: str, settings: Settings, engine: str = "pyttsx3") -> Timeline:
    """Load a routine (a path or a template name) and plan it with measured speech."""
    loaded = load_routine(resolve(routine))
    check_background_file(loaded)  # what validate and render refuse, plan refuses too
    speech = open_speech(loaded, engine)
    return plan(loaded, speech.duration_ms, settings)


def listening_notes(timeline: Timeline) -> list[str]:
    """What a listener should know before pressing play."""
    if needs_stereo(timeline.background.sound):
        return [
            "note: binaural beats need headphones (each ear hears its own tone); "
            "through speakers use the isochronic background instead"
        ]
    return []


def describe_templates(engine: str = "pyttsx3") -> list[str]:
    """A line per built-in routine: name, natural length at pace 1, title."""
    names = template_names()
    width = max(len(name) for name in names)
    lines = []
    for name in names:
        timeline = plan_routine(str(template_path(name)), Settings(), engine)
        lines.append(f"{name:<{width}}  {format_ms(timeline.total_ms):>8}  {timeline.title}")
    return lines


def list_voices(language: str | None = None, engine: str = "pyttsx3") -> list[VoiceInfo]:
    from voiceguide.tts.registry import get_engine

    voices = get_engine(engine).voices()
    if language:
        wanted = language.lower()
        voices = [v for v in voices if any(lang.lower().startswith(wanted) for lang in v.languages)]
    return sorted(voices, key=lambda v: v.id)


@dataclass(frozen=True)
class RenderRequest:
    """Everything `voiceguide render` can set, with the routine's own values as defaults."""

    routine: str = "hand-massage"
    out_path: Path | None = None  # None: ./<routine name>.<format> (a folder with split)
    settings: Settings = field(default_factory=Settings)
    voice: str | None = None
    background: str | None = None
    format: str | None = None  # None: as out_path's extension says, else mp3
    bitrate: str | None = None  # None: 128k for mp3 and ogg; wav and flac take none
    seed: int = 0
    sample_rate_hz: int = 44_100
    channels: int = 2
    engine: str = "pyttsx3"
    sidecars: tuple[str, ...] = ()  # of SIDECAR_FORMATS, written next to the audio
    split: bool = False  # one file per chapter and a playlist, in a folder
    cover: Path | None = None  # a .png or .jpg embedded as the front cover
    background_file: Path | None = None  # a recording looped as the bed

    @property
    def audio_format(self) -> str:
        """The format written: as asked, or as the output's name says; UsageError if they
        disagree."""
        return output_format(self.out_path, self.format, self.split)

    @property
    def encoder_bitrate(self) -> str | None:
        """The bitrate the encoder uses; None for a lossless format."""
        return None if self.audio_format in LOSSLESS else self.bitrate or DEFAULT_BITRATE

    def settings_record(self) -> dict[str, object]:
        """What made the file, for the JSON sidecar."""
        return {
            "routine": self.routine,
            "pace": self.settings.pace,
            "length_ms": self.settings.length_ms,
            "rate_wpm": self.settings.rate_wpm,
            "voice": self.voice,
            "background": self.background,
            "background_file": str(self.background_file) if self.background_file else None,
            "bedtime": self.settings.bedtime,
            "lead_in_ms": self.settings.lead_in_ms,
            "tail_ms": self.settings.tail_ms,
            "format": self.audio_format,
            "bitrate": self.encoder_bitrate,
            "seed": self.seed,
            "sample_rate_hz": self.sample_rate_hz,
            "channels": self.channels,
        }


@dataclass(frozen=True)
class RenderReport:
    path: Path
    duration_ms: int
    chapters: int
    size_bytes: int
    speech_lufs: float  # the level speech was set to, from its measured loudness
    sidecars: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()  # for the listener, e.g. that binaural beats need headphones


Progress = Callable[[str, int, int], None]  # (phase, done, total)


def render_routine(request: RenderRequest, progress: Progress | None = None) -> RenderReport:
    """Load, plan, synthesize, mix and export a session (written atomically).

    With ``request.split``, one file per chapter and a playlist go into a folder.
    """
    from voiceguide.output.tags import check_cover

    _check_output(request)
    if request.cover is not None:
        check_cover(request.cover)  # its type and size, before minutes of work
    loaded = _with_overrides(load_routine(resolve(request.routine)), request)
    # The audio side (numpy) only once the routine is known to be good: a bad one fails fast.
    from voiceguide.audio.beds import check_channels
    from voiceguide.audio.mixer import RenderOptions, render_blocks

    check_background_file(loaded)
    check_channels(loaded.background, request.channels)
    speech = open_speech(loaded, request.engine)
    timeline = plan(loaded, speech.duration_ms, request.settings)
    # Planning measured (so synthesized or loaded) every phrase: these are memory lookups.
    clips = {phrase: speech.clip(*phrase) for phrase in timeline.phrases()}
    options = RenderOptions(
        sample_rate_hz=request.sample_rate_hz, channels=request.channels, seed=request.seed
    )
    rendering = render_blocks(timeline, clips, options)
    export_ = _export_split if request.split else _export_whole
    path, size_bytes = export_(rendering, timeline, request, _phase(progress, "render"))
    audio_path = path / f"{path.name}.{request.audio_format}" if request.split else path
    sidecars = write_sidecars(
        timeline, audio_path, list(request.sidecars), request.settings_record()
    )
    return RenderReport(
        path,
        rendering.total_frames * 1000 // options.sample_rate_hz,
        len(timeline.chapters),
        size_bytes,
        rendering.speech_lufs,
        tuple(sidecars),
        tuple(listening_notes(timeline)),
    )


def _export_whole(
    rendering: Rendering, timeline: Timeline, request: RenderRequest, progress: Any
) -> tuple[Path, int]:
    from voiceguide.files import STDOUT, copy_to_stdout
    from voiceguide.output.export import export

    target = output_target(request)

    def export_to(path: Path) -> int:
        result = export(
            rendering,
            path,
            **_encoding(rendering, request),
            tags=_tags(timeline),
            total_frames=rendering.total_frames,
            chapters=timeline.chapters,
            record={**request.settings_record(), "voiceguide": __version__},
            cover=request.cover,
            progress=progress,
        )
        return result.size_bytes

    if target != STDOUT:
        return target, export_to(target)
    # Tags and chapters need the whole file (MP3's ID3 tag comes first, FLAC's and WAV's
    # headers hold the length), so the session is made whole, then copied to stdout.
    with tempfile.TemporaryDirectory(prefix="voiceguide-") as folder:
        finished = Path(folder) / f"session.{request.audio_format}"
        size_bytes = export_to(finished)
        copy_to_stdout(finished)
    return STDOUT, size_bytes


def output_target(request: RenderRequest) -> Path:
    """Where the render goes: -o, else ./ROUTINE.FORMAT (a folder ./ROUTINE with --split)."""
    if request.out_path is not None:
        return request.out_path
    stem = Path(request.routine).stem
    return Path(stem) if request.split else Path(f"{stem}.{request.audio_format}")


def _export_split(
    rendering: Rendering, timeline: Timeline, request: RenderRequest, progress: Any
) -> tuple[Path, int]:
    """Each chapter to its own file (tagged as a track of the session), then a playlist."""
    from voiceguide.audio.mixer import frame_at
    from voiceguide.output.export import export
    from voiceguide.output.split import chapter_streams, file_names, playlist, write_folder

    target = output_target(request)
    rate_hz = rendering.options.sample_rate_hz
    starts = [frame_at(c.start_ms, rate_hz) for c in timeline.chapters]
    boundaries = [*starts, rendering.total_frames]
    names = file_names(target.name, timeline.chapters, request.audio_format)
    sizes: list[int] = []

    def fill(folder: Path) -> None:
        streams = chapter_streams(rendering, boundaries)
        for index, (name, chapter, stream) in enumerate(
            zip(names, timeline.chapters, streams, strict=True)
        ):
            done = boundaries[index]
            result = export(
                stream,
                folder / name,
                **_encoding(rendering, request),
                tags={**_tags(timeline), "title": chapter.title},
                total_frames=boundaries[index + 1] - done,
                cover=request.cover,
                progress=progress and (lambda d, _, done=done: progress(done + d, boundaries[-1])),
            )
            sizes.append(result.size_bytes)
        (folder / f"{target.name}.m3u").write_text(
            playlist(names, timeline.chapters, timeline.title), encoding="utf-8"
        )

    write_folder(target, fill)
    return target, sum(sizes)


def _check_output(request: RenderRequest) -> None:
    """Refuse bad output options before minutes of synthesis and mixing, not after."""
    from voiceguide.ffmpeg import ffmpeg_exe
    from voiceguide.output.export import check_folder

    # What the target is comes first: "is a folder" helps more than "no extension".
    if _check_target(request):
        folder = output_target(request).parent
        if not folder.is_dir():
            raise AudioError(f"cannot write {request.out_path}: no folder {folder}")
        check_folder(folder)
    check_bitrate(request.audio_format, request.bitrate, request.channels)
    ffmpeg_exe()  # missing ffmpeg is found now, not after synthesis and mixing


def _check_target(request: RenderRequest) -> bool:
    """Refuse an output that is not ours to replace; False when it is standard output."""
    from voiceguide.files import STDOUT, OutputRefused, check_stdout, writable_path
    from voiceguide.output.split import check_target

    target = output_target(request)
    if target == STDOUT:
        if request.split or request.sidecars:
            option = "--split" if request.split else "--transcript/--sidecars"
            raise OutputRefused(
                f"-o - cannot take {option}: those write files by name; give -o a file "
                "or folder name"
            )
        check_stdout()
        return False
    if request.split:
        check_target(target)
        return True
    writable_path(target)
    for name in request.sidecars:
        writable_path(target.with_suffix(f".{name}"), "--transcript")
    return True


def _encoding(rendering: Rendering, request: RenderRequest) -> dict[str, Any]:
    return {
        "format": request.audio_format,
        "bitrate": request.encoder_bitrate or DEFAULT_BITRATE,
        "sample_rate_hz": rendering.options.sample_rate_hz,
        "channels": rendering.options.channels,
    }


def _with_overrides(routine: Routine, request: RenderRequest) -> Routine:
    voice = replace(routine.voice, name=request.voice) if request.voice else routine.voice
    background = routine.background
    if request.background_file:
        problem = file_problem(request.background_file)
        named = f"'{printable(str(request.background_file))}'"  # whole: a path is not cut
        if problem == NO_SUCH_FILE:
            raise UsageError("--background-file", f"no such file {named}: check the path")
        if problem:
            raise UsageError(
                "--background-file", f"{named} {problem}: give a sound file such as rain.ogg"
            )
        file = str(request.background_file.resolve())
        background = replace(background, sound=FILE_BED, file=file)
    elif request.background:
        check_background(request.background)
        background = replace(background, sound=request.background)
    # A --voice or --background-file is not in the file: not reported at the file's line.
    overridden = {"voice.name": request.voice, "background.file": request.background_file}
    locations = {k: v for k, v in routine.locations.items() if not overridden.get(k)}
    return replace(routine, voice=voice, background=background, locations=locations)


def check_background(name: str) -> None:
    """Refuse a background that is not one of the built-in sounds."""
    if not is_background(name):
        close = closest_name(name, BACKGROUND_SOUNDS)
        hint = f"did you mean '{close}'? Or choose" if close else "choose"
        raise UsageError(
            "--background",
            f"{shown(name)} is not a background: {hint} from {', '.join(BACKGROUND_SOUNDS)}",
        )


def _tags(timeline: Timeline) -> dict[str, str]:
    tags = {
        "title": timeline.title,
        "artist": "voiceguide",
        "album": timeline.title,
        "genre": "Speech",
    }
    if timeline.description:
        tags["comment"] = timeline.description
    return tags


def _phase(progress: Progress | None, phase: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(phase, done, total)


def file_info(path: Path) -> list[str]:
    """What a rendered file says about itself, as lines: duration, tags, chapters, settings.

    Text from the file is shown with control characters escaped: a tag must not be able
    to move the cursor or retitle the terminal.
    """
    from voiceguide.output.tags import read_info

    info = read_info(path)
    lines = [f"{path}: {format_ms(info.duration_ms)}"]  # mutagen: within ~50 ms
    lines += [f"  {name}: {value}" for name, value in info.tags.items()]
    if info.has_cover:
        lines.append("  cover: yes")
    if info.record:
        made = ", ".join(f"{k}={v}" for k, v in sorted(info.record.items()) if v is not None)
        lines.append(f"  made with: {made}")
    lines.append(f"  chapters: {len(info.chapters)}")
    lines += [f"  {format_ms(c.start_ms, precise=True):>9}  {c.title}" for c in info.chapters]
    lines += [f"  cannot read: {problem}" for problem in info.problems]
    return [printable(line) for line in lines]
