"""The voice rules: which engine and which of its voices speaks a routine, checked against the
engine's own list (an unknown voice is an error at its line in the file, or names --voice)."""

from __future__ import annotations

from voiceguide.errors import SpeechError, UsageError, VoiceguideError, error_at
from voiceguide.routine.model import Routine
from voiceguide.tts.base import VoiceInfo, unknown_voice_message
from voiceguide.tts.engines import EngineChoice, choose_engine
from voiceguide.tts.speech import Speech


def open_speech(routine: Routine, engine: str | None = None, voice: str | None = None) -> Speech:
    """The speech of ``routine``, by the engine and voice it asks for, or by ``engine``
    (--engine) and ``voice`` (--voice)."""
    return speech_for(routine, choose_engine(routine, engine, voice), voice)


def speech_for(routine: Routine, choice: EngineChoice, voice: str | None = None) -> Speech:
    """Speech by the chosen engine (with the voice id ``voice`` from --voice, if given): a
    Piper voice keyed in the cache by its file's content."""
    from voiceguide.tts.cache import ClipCache
    from voiceguide.tts.natural import model_digest
    from voiceguide.tts.pronunciation import respellings_for
    from voiceguide.tts.registry import get_engine

    speech_engine = get_engine(choice.engine)
    respellings = respellings_for(routine.language, routine.pronounce)
    volume = routine.voice.volume
    if choice.model is not None:
        voice_id, digest = choice.voice, model_digest(choice.model)
    else:
        voice_id, digest = choose_voice(routine, speech_engine.voices(), voice), ""
    return Speech(
        speech_engine,
        ClipCache(),
        voice_id,
        volume,
        digest,
        calibrate=True,
        respellings=respellings,
    )


def check_voice(routine: Routine, engine: str | None = None) -> EngineChoice:
    """Check the routine's engine, voice or language, and say which engine speaks it.

    Choosing reads files only; of the rest, only a pyttsx3 routine that names a voice or a
    language other than English needs the engine, so checking a plain routine loads no
    speech library.
    """
    choice = choose_engine(routine, engine)
    if choice.model is None and (routine.voice.name or routine.language != "en"):
        from voiceguide.tts.registry import get_engine

        choose_voice(routine, get_engine(choice.engine).voices())
    return choice


def choose_voice(routine: Routine, voices: list[VoiceInfo], asked: str | None = None) -> str:
    """The voice id ``asked`` (--voice), else the routine's, else the voice for its language,
    if the engine has it.

    An unknown voice or a language no voice speaks is a RoutineError at the key in the file,
    or a UsageError naming ``--voice`` when the name came from there.
    """
    if asked:
        if asked not in {voice.id for voice in voices}:
            raise UsageError("--voice", unknown_voice_message(asked, voices))
        return asked
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


def installed_engines() -> list[str]:
    """The engines that can speak here, natural first."""
    from voiceguide.tts.natural import piper_installed

    return ["piper", "pyttsx3"] if piper_installed() else ["pyttsx3"]
