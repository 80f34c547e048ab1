"""Which speech engine speaks a routine: the one it (or ``--engine``) names, or, for ``auto``,
Piper's natural voice when it is installed and speaks the routine's language, else pyttsx3.

``auto`` picks pyttsx3 (espeak-ng) when the routine names a voice of its own (an espeak voice
id), when the natural extra is not installed, or when no natural voice speaks the language
(the bundled one is American English); the choice says why, for the render summary and the
file's record. ``$VOICEGUIDE_ENGINE`` (piper or pyttsx3) stands in for ``auto`` in a routine
without a model: a person who prefers one engine, or a test run that wants espeak's speed,
sets it once.

Nothing here loads an engine: the choice is made from files and package metadata.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from voiceguide.errors import SpeechError, VoiceguideError, error_at
from voiceguide.routine.limits import SPEECH_ENGINES
from voiceguide.routine.model import Routine
from voiceguide.tts import natural

AUTO = "auto"
ENGINE_ENV = "VOICEGUIDE_ENGINE"


@dataclass(frozen=True)
class EngineChoice:
    engine: str  # piper or pyttsx3 (or a test engine named in code)
    reason: str  # why, in a few words: "asked for", "auto: ..."
    model: Path | None = None  # piper's voice file

    @property
    def voice(self) -> str | None:
        """What the piper engine is asked to speak with: the bundled id, else the file."""
        if self.model is None:
            return None
        bundled = self.model.name == f"{natural.BUNDLED_VOICE_ID}.onnx"
        return natural.BUNDLED_VOICE_ID if bundled else str(self.model)

    def summary(self, voice: str | None) -> str:
        """One line for people: "piper (en_US-joe-medium): auto, natural voice for en"."""
        if self.model is not None:
            voice = self.model.name.removesuffix(".onnx")
        return f"{self.engine} ({voice or 'default'}): {self.reason}"


def with_engine(routine: Routine, engine: str) -> Routine:
    """``routine`` spoken by ``engine`` (from --engine: errors then name the option)."""
    locations = {k: v for k, v in routine.locations.items() if k != "voice.engine"}
    return replace(routine, voice=replace(routine.voice, engine=engine), locations=locations)


def choose_engine(routine: Routine) -> EngineChoice:
    """The engine for ``routine``; a located error when the one it asks for cannot speak it."""
    asked, reason = routine.voice.engine, "asked for"
    if asked == AUTO and not routine.voice.model:  # a model is a choice of Piper already
        asked = _configured()
        reason = f"auto, as {ENGINE_ENV} says"
    if asked == "piper":
        return _piper(routine, reason)
    if asked != AUTO:
        return EngineChoice(asked, reason)
    return _auto(routine)


def _auto(routine: Routine) -> EngineChoice:
    name = routine.voice.name
    if routine.voice.model:
        return _piper(routine, "auto, the routine's model")
    if name and name != natural.BUNDLED_VOICE_ID:
        return EngineChoice("pyttsx3", f"auto, {name} is an espeak voice")
    if not natural.natural_available():
        return EngineChoice("pyttsx3", f"auto, no natural voice installed ({natural.INSTALL_HINT})")
    bundled = natural.bundled_model_path()
    assert bundled is not None
    if not natural.speaks(natural.read_model(bundled), routine.language):
        return EngineChoice("pyttsx3", f"auto, no natural voice for language '{routine.language}'")
    return EngineChoice("piper", f"auto, natural voice for '{routine.language}'", bundled)


def _piper(routine: Routine, reason: str) -> EngineChoice:
    voice = routine.voice
    if not natural.piper_installed():
        key = "voice.model" if voice.model and voice.engine == AUTO else "voice.engine"
        message = f"the piper engine is not installed: {natural.INSTALL_HINT}"
        raise _at(routine, key, message, "--engine")
    if voice.model:
        try:
            model = natural.read_model(Path(voice.model))
        except SpeechError as error:
            raise _at(routine, "voice.model", str(error), None) from None
        return EngineChoice("piper", reason, model.path)
    if voice.name and voice.name != natural.BUNDLED_VOICE_ID:
        message = (
            f"unknown piper voice '{voice.name}': use {natural.BUNDLED_VOICE_ID}, or a Piper "
            "voice file as voice.model, or engine pyttsx3 for espeak's voices"
        )
        raise _at(routine, "voice.name", message, "--voice")
    path = natural.bundled_model_path()
    if path is None:
        message = f"the natural voice is not installed: {natural.INSTALL_HINT}"
        raise _at(routine, "voice.engine", message, "--engine")
    model = natural.read_model(path)
    if not natural.speaks(model, routine.language):
        message = (
            f"the bundled natural voice speaks {model.language}, not '{routine.language}': "
            "give voice.model, a Piper voice for it, or use engine pyttsx3"
        )
        raise _at(routine, "language", message, None)
    return EngineChoice("piper", reason, model.path)


def _configured() -> str:
    configured = os.environ.get(ENGINE_ENV, "").strip() or AUTO
    if configured not in SPEECH_ENGINES:
        raise SpeechError(
            f"{ENGINE_ENV}={configured!r} is not an engine: use {', '.join(SPEECH_ENGINES)}"
        )
    return configured


def _at(routine: Routine, key: str, message: str, option: str | None) -> VoiceguideError:
    return error_at(routine.source, routine.locations, key, message, option, SpeechError)
