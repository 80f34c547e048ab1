"""The speech engine protocol and the clip it returns. No audio library imports here."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from voiceguide.errors import SpeechError


class AttemptFailed(Exception):
    """One attempt at a phrase failed in a way that a fresh attempt may fix."""


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]
    gender: str | None = None
    quality: str = ""  # as its engine rates it: Piper's x_low to high, espeak's formant voices
    licence: str = ""


@dataclass(frozen=True)
class Clip:
    """Mono signed 16-bit little-endian PCM."""

    pcm: bytes
    sample_rate_hz: int

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    @property
    def duration_ms(self) -> int:
        return round(self.frames * 1000 / self.sample_rate_hz)

    def wav_bytes(self) -> bytes:
        """The clip as a mono 16-bit WAV file (``voiceguide say``)."""
        import io
        import wave

        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.sample_rate_hz)
            wav.writeframes(self.pcm)
        return buffer.getvalue()


class SpeechEngine(Protocol):
    """Turns text into a clip. Implementations live in this package, one module each."""

    name: str

    def version(self) -> str:
        """Everything about the engine that changes its audio (goes into the cache key)."""
        ...

    def voices(self) -> list[VoiceInfo]: ...

    def synthesize(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        """The clip for ``text``, as the engine made it (silence at the ends not yet trimmed)."""
        ...


Request = tuple[str, str | None, int, float]  # text, voice, rate setting, volume
Answered = Callable[[int, Clip | Exception], None]  # (request's index, its clip or error)


@runtime_checkable
class BatchEngine(SpeechEngine, Protocol):
    """An engine that makes several phrases at once (the speech worker's client)."""

    def synthesize_many(
        self, requests: Sequence[Request], answered: Answered | None = None
    ) -> dict[int, Clip | Exception]:
        """What the batch made, by request index: each clip, or what synthesizing it raised.
        A batch stops early at its first failure; ``answered`` is called as each comes."""
        ...

    def close_helpers(self) -> None:
        """Let go of what only batches need (helper workers, each with its own model). Kept
        otherwise, for the next batch: starting a helper for each costs 0.2 s of CPU."""
        ...


class IsolatedEngine(SpeechEngine, Protocol):
    """An engine that keeps state from one phrase to the next, so the speech worker makes each
    phrase in a child process of its own, forked before the engine starts (see tts/worker.py).
    """

    isolate_phrases: bool

    def preload(self) -> None:
        """Import and load what every child needs, short of starting the engine."""
        ...

    def start(self) -> None:
        """Start the engine: in a fresh child, just before its one phrase."""
        ...

    def timeout_s(self, text: str) -> float:
        """How long one attempt at ``text`` may take before it counts as hung."""
        ...

    def synthesize_once(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        """One attempt: AttemptFailed when a fresh attempt may succeed."""
        ...


def check_request(text: str, rate_wpm: int, volume: float, rates_wpm: tuple[int, int]) -> None:
    """SpeechError unless there is text to say, the volume is in (0, 1] and the rate setting
    within the engine's ``rates_wpm`` (lowest, highest)."""
    if not text.strip():
        raise SpeechError("speech engine got blank text: there is nothing to say")
    if not 0.0 < volume <= 1.0:
        raise SpeechError(f"voice volume must be above 0 and at most 1, got {volume}")
    low, high = rates_wpm
    if not low <= rate_wpm <= high:
        raise SpeechError(f"speech rate must be {low} to {high} words per minute, got {rate_wpm}")


def unknown_voice_message(voice: str, voices: list[VoiceInfo]) -> str:
    """Suggest voices that speak the language asked for, else the closest ids.

    The message names no count and sorts its fallback, so it reads the same whichever
    espeak-ng version is installed.
    """
    wanted = voice.lower()
    ids = sorted(v.id for v in voices)
    suggestions = (
        [v.id for v in voices if wanted in (lang.lower() for lang in v.languages)]
        or [v.id for v in voices if wanted in v.name.lower()]
        or difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)
        or [i for i in ids if i.startswith("gmw/en")]
        or ids
    )
    return (
        f"unknown voice '{voice}': use a voice id from 'voiceguide voices' such as "
        f"{', '.join(suggestions[:3])}"
    )


def failed_message(text: str, reason: str, attempts: int) -> str:
    """What to say when every attempt at a phrase failed."""
    return (
        f'speech engine failed on "{shorten(text)}": {reason} (after {attempts} attempts): '
        "try again; if it fails again, reword that text"
    )


def shorten(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
