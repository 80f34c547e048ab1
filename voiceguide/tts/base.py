"""The speech engine protocol and the clip it returns. No audio library imports here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]
    gender: str | None = None


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
