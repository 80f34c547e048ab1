"""Which speech engine speaks a routine: the one it (or ``--engine``) names, or, for ``auto``,
Piper's natural voice when it is installed and speaks the routine's language, else pyttsx3.

``auto`` picks pyttsx3 (espeak-ng) when the routine names a voice of its own (an espeak voice
id), when the natural extra is not installed, or when no natural voice speaks the language
(the bundled one is American English); the choice says why, for the render summary and the
file's record. ``$VOICEGUIDE_ENGINE`` says what ``auto`` prefers: ``pyttsx3`` makes it
espeak-ng for a routine without a model (a test run that wants espeak's speed sets it once);
``piper`` is auto's own choice, except that a missing natural voice is then an error naming
the variable. An engine asked for by name (--engine, voice.engine) is never overruled.

Nothing here loads an engine: the choice is made from files and package metadata.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from voiceguide.errors import SpeechError, UsageError, VoiceguideError, error_at
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


@dataclass(frozen=True)
class _Asked:
    """A routine's voice settings with the command line's --engine and --voice in place of
    its own, and whether each came from there (errors then name the option, not a line)."""

    routine: Routine
    engine: str
    name: str | None
    engine_given: bool
    name_given: bool

    def error(self, key: str, message: str, option: str | None) -> VoiceguideError:
        """At ``key``'s line in the file, unless the command line's --engine or --voice is
        what failed: then a usage error naming that option."""
        if self.engine_given and (option == "--engine" or key == "language"):
            return UsageError("--engine", message)
        if self.name_given and key == "voice.name":
            return UsageError("--voice", message)
        return error_at(
            self.routine.source, self.routine.locations, key, message, option, SpeechError
        )


def choose_engine(
    routine: Routine, engine: str | None = None, voice: str | None = None
) -> EngineChoice:
    """The engine for ``routine``, or for the ``engine`` and ``voice`` asked for on the command
    line; a located error when the one asked for cannot speak it."""
    asked = _Asked(
        routine,
        engine or routine.voice.engine,
        voice or routine.voice.name,
        engine is not None,
        voice is not None,
    )
    if asked.engine == "piper":
        return _piper(asked, "asked for")
    if asked.engine != AUTO:
        return EngineChoice(asked.engine, "asked for")
    preferred = _configured()
    if not routine.voice.model and preferred == "pyttsx3":
        return EngineChoice("pyttsx3", f"auto, as {ENGINE_ENV} says")
    if preferred == "piper" and not natural.natural_available():
        # A preference for the natural voice, which is not there: say whose it is.
        raise SpeechError(
            f"{ENGINE_ENV}=piper, but the natural voice is not installed: {natural.INSTALL_HINT}"
        )
    return _auto(asked)


def _auto(asked: _Asked) -> EngineChoice:
    routine, name = asked.routine, asked.name
    if name and name != natural.BUNDLED_VOICE_ID and (asked.name_given or not routine.voice.model):
        return EngineChoice("pyttsx3", f"auto, {name} is an espeak voice")
    if routine.voice.model:
        return _piper(asked, "auto, the routine's model")
    if not natural.natural_available():
        return EngineChoice("pyttsx3", f"auto, no natural voice installed ({natural.INSTALL_HINT})")
    bundled = natural.bundled_model_path()
    assert bundled is not None
    if not natural.speaks(natural.read_model(bundled), routine.language):
        return EngineChoice("pyttsx3", f"auto, no natural voice for language '{routine.language}'")
    return EngineChoice("piper", f"auto, natural voice for '{routine.language}'", bundled)


def _piper(asked: _Asked, reason: str) -> EngineChoice:
    routine, voice = asked.routine, asked.routine.voice
    if not natural.piper_installed():
        key = "voice.model" if voice.model and asked.engine == AUTO else "voice.engine"
        message = f"the piper engine is not installed: {natural.INSTALL_HINT}"
        raise asked.error(key, message, "--engine")
    if voice.model:
        if asked.name_given and asked.name != natural.BUNDLED_VOICE_ID:
            message = (
                f"'{asked.name}' is an espeak voice and the piper engine speaks the routine's "
                "voice.model: add --engine pyttsx3, or leave --voice out"
            )
            raise UsageError("--voice", message)
        try:
            model = natural.read_model(Path(voice.model))
        except SpeechError as error:
            raise asked.error("voice.model", str(error), None) from None
        return EngineChoice("piper", reason, model.path)
    if asked.name and asked.name != natural.BUNDLED_VOICE_ID:
        message = (
            f"unknown piper voice '{asked.name}': use {natural.BUNDLED_VOICE_ID}, or a Piper "
            "voice file as voice.model, or engine pyttsx3 for espeak's voices"
        )
        raise asked.error("voice.name", message, "--voice")
    path = natural.bundled_model_path()
    if path is None:
        message = f"the natural voice is not installed: {natural.INSTALL_HINT}"
        raise asked.error("voice.engine", message, "--engine")
    model = natural.read_model(path)
    if not natural.speaks(model, routine.language):
        message = (
            f"the bundled natural voice speaks {model.language}, not '{routine.language}': "
            "give voice.model, a Piper voice for it, or use engine pyttsx3"
        )
        raise asked.error("language", message, None)
    return EngineChoice("piper", reason, model.path)


def _configured() -> str:
    configured = os.environ.get(ENGINE_ENV, "").strip() or AUTO
    if configured not in SPEECH_ENGINES:
        raise SpeechError(
            f"{ENGINE_ENV}={configured!r} is not an engine: use {', '.join(SPEECH_ENGINES)}"
        )
    return configured
