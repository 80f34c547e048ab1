"""The voice rules: which of an engine's voices speaks a routine, checked against the engine's
own list (an unknown voice is an error at its line in the file, or names --voice)."""

from __future__ import annotations

from voiceguide.errors import SpeechError, VoiceguideError, error_at
from voiceguide.routine.model import Routine
from voiceguide.tts.base import VoiceInfo, unknown_voice_message
from voiceguide.tts.speech import Speech


def open_speech(routine: Routine, engine: str = "pyttsx3") -> Speech:
    from voiceguide.tts.cache import ClipCache
    from voiceguide.tts.pronunciation import respellings_for
    from voiceguide.tts.registry import get_engine

    speech_engine = get_engine(engine)
    voice = choose_voice(routine, speech_engine.voices())
    respellings = respellings_for(routine.language, routine.pronounce)
    volume = routine.voice.volume
    return Speech(
        speech_engine, ClipCache(), voice, volume, calibrate=True, respellings=respellings
    )


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

    An unknown voice or a language no voice speaks is a RoutineError at the key in the file,
    or a UsageError naming ``--voice`` when the name came from there.
    """
    name = routine.voice.name
    if name:
        if name not in {voice.id for voice in voices}:
            raise _at_key(routine, "voice.name", unknown_voice_message(name, voices), "--voice")
        return name
    voice = voice_for_language(voices, routine.language)
    if voice is None:
        message = (
            f"no voice speaks language '{routine.language}': see 'voiceguide voices', "
            "then set voice.name or change language"
        )
        raise _at_key(routine, "language", message, None)
    return voice


def _at_key(routine: Routine, key: str, message: str, option: str | None) -> VoiceguideError:
    return error_at(routine.source, routine.locations, key, message, option, SpeechError)


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


def list_voices(language: str | None = None, engine: str = "pyttsx3") -> list[VoiceInfo]:
    from voiceguide.tts.registry import get_engine

    voices = get_engine(engine).voices()
    if language:
        wanted = language.lower()
        voices = [v for v in voices if any(lang.lower().startswith(wanted) for lang in v.languages)]
    return sorted(voices, key=lambda v: v.id)
