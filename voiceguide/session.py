"""What the commands do, as library functions: load, measure speech, plan (and later render).

Each CLI command calls one function here; they raise VoiceguideError and never exit.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from voiceguide.durations import format_ms
from voiceguide.errors import RoutineError, SpeechError
from voiceguide.loader import load_routine
from voiceguide.model import Routine
from voiceguide.planner import Settings, plan
from voiceguide.templates import resolve, template_names, template_path
from voiceguide.timeline import Timeline
from voiceguide.tts.base import VoiceInfo
from voiceguide.tts.speech import Speech


def validate_files(paths: Iterable[Path]) -> list[Path]:
    """The paths, if every file is a valid routine; else one RoutineError with every problem."""
    problems = []
    checked = []
    for path in paths:
        try:
            load_routine(path)
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
    voice = routine.voice.name or voice_for_language(speech_engine.voices(), routine.language)
    return Speech(speech_engine, ClipCache(), voice, routine.voice.volume)


def voice_for_language(voices: list[VoiceInfo], language: str) -> str:
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
    if not by_rank:
        raise SpeechError(
            f"no voice speaks language '{language}': see 'voiceguide voices' "
            "and set voice.name, or change language"
        )
    return by_rank[0][1]


def plan_routine(routine: str, settings: Settings, engine: str = "pyttsx3") -> Timeline:
    """Load a routine (a path or a template name) and plan it with measured speech."""
    loaded = load_routine(resolve(routine))
    speech = open_speech(loaded, engine)
    return plan(loaded, speech.duration_ms, settings)


def describe_templates(engine: str = "pyttsx3") -> list[str]:
    """A line per built-in routine: name, natural length at pace 1, title."""
    lines = []
    for name in template_names():
        timeline = plan_routine(str(template_path(name)), Settings(), engine)
        lines.append(f"{name:<24} {format_ms(timeline.total_ms):>8}  {timeline.title}")
    return lines


def list_voices(language: str | None = None, engine: str = "pyttsx3") -> list[VoiceInfo]:
    from voiceguide.tts.registry import get_engine

    voices = get_engine(engine).voices()
    if language:
        wanted = language.lower()
        voices = [v for v in voices if any(lang.lower().startswith(wanted) for lang in v.languages)]
    return sorted(voices, key=lambda v: v.id)
