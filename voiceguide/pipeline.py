"""What the commands do, as library functions: validate, plan, render, read back.

Each CLI command calls one function here; they raise VoiceguideError and never exit.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide import __version__
from voiceguide.audio.checks import check_background_file, sound_file_lengths
from voiceguide.errors import (
    RoutineError,
    UsageError,
    VoiceguideError,
    printable,
    shown,
)
from voiceguide.output.formats import DEFAULT_BITRATE, check_bitrate
from voiceguide.output.sidecars import write_sidecars
from voiceguide.plan.gaps import close_cue_note
from voiceguide.plan.planner import Settings, phrases_to_measure, plan
from voiceguide.plan.timeline import Timeline
from voiceguide.request import Progress, RenderReport, RenderRequest
from voiceguide.routine.durations import format_ms
from voiceguide.routine.languages import iso_639_2
from voiceguide.routine.limits import BACKGROUND_SOUNDS, closest_name, is_background, needs_stereo
from voiceguide.routine.loader import load_routine
from voiceguide.routine.model import Routine
from voiceguide.routine.source import NO_SUCH_FILE, file_problem
from voiceguide.routine.templates import resolve
from voiceguide.tts.engines import EngineChoice, choose_engine
from voiceguide.tts.speech import NotMade, Speech
from voiceguide.tts.voices import check_voice, open_speech, speech_for

if TYPE_CHECKING:
    from voiceguide.audio.mixer import Rendering


def validate_files(paths: Iterable[Path], engine: str | None = None) -> list[Path]:
    """The paths, if every file is a valid routine (spoken by ``engine``, else the one each
    asks for); else one RoutineError with every problem."""
    problems = []
    checked = []
    for path in paths:
        try:
            routine = load_routine(path)
            check_voice(routine, engine)
            check_background_file(routine)
            sound_file_lengths(routine)
            checked.append(path)
        except RoutineError as error:
            problems.extend(error.problems)
    if problems:
        raise RoutineError(problems)
    return checked


def plan_routine(routine: str, settings: Settings, engine: str | None = None) -> Timeline:
    """Load a routine (a path or a template name) and plan it with measured speech."""
    loaded = load_routine(resolve(routine))
    _start_speech(loaded, engine, settings.voice)
    check_overrides(settings)
    check_background_file(loaded, settings)  # what validate and render refuse, plan refuses too
    sounds = sound_file_lengths(loaded)
    speech = open_speech(loaded, engine, settings.voice)
    return measured_plan(loaded, speech, settings, sounds)


def measured_plan(
    routine: Routine,
    speech: Speech,
    settings: Settings,
    sounds: dict[str, int],
    progress: Progress | None = None,
) -> Timeline:
    """The plan from the cached speech; when some is not made yet, all that is missing is
    made first, as many phrases at once as the engine can."""
    if speech.can_batch:
        try:
            with speech.cached_only():
                return plan(routine, speech.duration_ms, settings, sounds)
        except NotMade:
            phrases = phrases_to_measure(routine, settings, sounds)
            speech.prepare(phrases, _phase(progress, "speech"))
    return plan(routine, speech.duration_ms, settings, sounds)


def listening_notes(timeline: Timeline) -> list[str]:
    """What a listener should know before pressing play."""
    notes = []
    if needs_stereo(timeline.background.sound):
        notes.append(
            "note: binaural beats need headphones (each ear hears its own tone); "
            "through speakers use the isochronic background instead"
        )
    if timeline.target_ms and timeline.target_missed:  # target_ms: the type checker narrows it
        notes.append(
            f"note: {format_ms(timeline.guided_ms, precise=True)} is as near as whole rounds "
            f"come to the {format_ms(timeline.target_ms)} asked for: the rest of the routine "
            "cannot stretch enough to take up the difference (more elastic time would: a "
            "longer pause, or a slot with stretch: true)"
        )
    close = close_cue_note(timeline)
    if close:
        notes.append(close)
    return notes


def render_routine(request: RenderRequest, progress: Progress | None = None) -> RenderReport:
    """Load, plan, synthesize, mix and export a session (written atomically).

    With ``request.split``, one file per chapter and a playlist go into a folder.
    """
    return render_planned(plan_request(request, progress), request, progress)


@dataclass(frozen=True)
class Planned:
    """A request's routine, loaded and checked, with its speech and its plan."""

    routine: Routine
    speech: Speech
    timeline: Timeline
    engine: EngineChoice

    def record(self, request: RenderRequest) -> dict[str, object]:
        """What made the file (its tags and the JSON sidecar): the request, and the engine
        and voice that spoke, with why that engine."""
        return {
            **request.settings_record(),
            "engine": self.engine.engine,
            "engine_reason": self.engine.reason,
            "voice": self.speech.voice,
        }

    def voice_summary(self) -> str:
        return self.engine.summary(self.speech.voice)


def plan_request(request: RenderRequest, progress: Progress | None = None) -> Planned:
    """Everything before the audio: the routine, the output and the plan, checked in that
    order so that a bad routine or option is refused before any synthesis (and a bad routine
    before ffmpeg is even looked for)."""
    from voiceguide.output.tags import check_cover

    loaded = load_routine(resolve(request.routine))
    settings = request.settings
    _start_speech(loaded, request.engine, settings.voice)
    check_overrides(settings)
    _check_output(request)
    if request.cover is not None:
        check_cover(request.cover)  # its type and size, before minutes of work
    # The audio side (numpy) only once the routine is known to be good: a bad one fails fast.
    from voiceguide.audio.beds import check_channels

    check_background_file(loaded, settings)
    check_channels(settings.background_of(loaded), request.channels)
    sounds = sound_file_lengths(loaded)
    choice = choose_engine(loaded, request.engine, settings.voice)
    speech = speech_for(loaded, choice, settings.voice)
    timeline = measured_plan(loaded, speech, settings, sounds, progress)
    return Planned(loaded, speech, timeline, choice)


def _start_speech(routine: Routine, engine: str | None, voice: str | None) -> None:
    """Start the speech worker of the engine that will speak, so that its start-up overlaps
    the checks and imports before the plan (0.2 s of a render). A choice that fails is
    reported in its turn, after the checks that come first."""
    from voiceguide.tts.registry import get_engine

    with contextlib.suppress(VoiceguideError):
        get_engine(choose_engine(routine, engine, voice).engine)


def render_planned(
    planned: Planned, request: RenderRequest, progress: Progress | None = None
) -> RenderReport:
    """Synthesize, mix and export what ``plan_request`` planned for ``request``."""
    from voiceguide.audio.mixer import RenderOptions, render_blocks

    timeline, speech = planned.timeline, planned.speech
    from voiceguide.audio.user_sounds import narration_clip

    # Planning measured (so synthesized or loaded) every phrase: these are memory lookups.
    clips = {phrase: speech.clip(*phrase) for phrase in timeline.phrases()}
    options = RenderOptions(
        sample_rate_hz=request.sample_rate_hz, channels=request.channels, seed=request.seed
    )
    for recording in sorted(timeline.recordings()):  # read while planning: kept by content
        clips[(recording, 0)] = narration_clip(recording)
    rendering = render_blocks(timeline, clips, options)
    export_ = _export_split if request.split else _export_whole
    record = planned.record(request)
    path, size_bytes = export_(rendering, timeline, request, record, _phase(progress, "render"))
    audio_path = path / f"{path.name}.{request.audio_format}" if request.split else path
    sidecars = write_sidecars(timeline, audio_path, list(request.sidecars), record)
    return RenderReport(
        path,
        rendering.total_frames * 1000 // options.sample_rate_hz,
        len(timeline.chapters),
        size_bytes,
        rendering.speech_lufs,
        tuple(sidecars),
        tuple(listening_notes(timeline)),
        planned.voice_summary(),
    )


def _export_whole(
    rendering: Rendering,
    timeline: Timeline,
    request: RenderRequest,
    record: dict[str, object],
    progress: Any,
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
            record={**record, "voiceguide": __version__},
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
    rendering: Rendering,
    timeline: Timeline,
    request: RenderRequest,
    record: dict[str, object],
    progress: Any,
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
    from voiceguide.files import OutputRefused
    from voiceguide.output.export import check_folder

    # What the target is comes first: "is a folder" helps more than "no extension".
    if _check_target(request):
        folder = output_target(request).parent
        if not folder.is_dir():
            raise OutputRefused(f"cannot write {request.out_path}: no folder {folder}")
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


def check_overrides(settings: Settings) -> None:
    """Refuse a --background-file that is no readable file, or a --background that is no
    built-in sound, naming the option."""
    if settings.background_file:
        problem = file_problem(Path(settings.background_file))
        named = f"'{printable(settings.background_file)}'"  # whole: a path is not cut
        if problem == NO_SUCH_FILE:
            raise UsageError("--background-file", f"no such file {named}: check the path")
        if problem:
            raise UsageError(
                "--background-file", f"{named} {problem}: give a sound file such as rain.ogg"
            )
    elif settings.background:
        check_background(settings.background)


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
        "language": iso_639_2(timeline.language),
    }
    if timeline.description:
        tags["comment"] = timeline.description
    return tags


def _phase(progress: Progress | None, phase: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(phase, done, total)
