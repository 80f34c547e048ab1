"""A fake speech engine for unit tests: instant, deterministic, and easy to reason about.

Its clips are shaped like espeak's so that trimming and onset logic are exercised for real:
``LEAD_SILENCE_MS`` of digital silence, then a steady tone of ``60000 / rate_wpm`` ms per
word (at least one word), then ``TAIL_SILENCE_MS`` of silence. The tone's pitch depends on
the text, so different phrases give different bytes. It records every call in ``calls``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from voiceguide.errors import SpeechError
from voiceguide.tts.base import Clip, VoiceInfo

SAMPLE_RATE_HZ = 22_050  # espeak-ng's rate
LEAD_SILENCE_MS = 20
TAIL_SILENCE_MS = 150
TONE_AMPLITUDE = 0.5  # of full scale, before the voice volume
VOICES = (
    VoiceInfo(id="fake/en", name="Fake English", languages=("en",), gender="female"),
    VoiceInfo(id="fake/de", name="Fake German", languages=("de",), gender="male"),
)


def speech_ms(text: str, rate_wpm: int) -> int:
    """How long the tone of ``text`` lasts: 60000 / rate_wpm ms per word, at least one word."""
    words = max(1, len(text.split()))
    return round(words * 60_000 / rate_wpm)


@dataclass
class FakeEngine:
    """SpeechEngine whose clip durations are a simple function of word count and rate."""

    name: str = "fake"
    sample_rate_hz: int = SAMPLE_RATE_HZ
    calls: list[tuple[str, str | None, int, float]] = field(default_factory=list)

    def version(self) -> str:
        return "fake 1"

    def voices(self) -> list[VoiceInfo]:
        return list(VOICES)

    def synthesize(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        if not text.strip():
            raise SpeechError("speech engine got blank text: there is nothing to say")
        if voice is not None and voice not in {v.id for v in VOICES}:
            raise SpeechError(f"unknown voice {voice!r}: use fake/en or fake/de")
        if rate_wpm <= 0:
            raise SpeechError(f"speech rate must be positive, got {rate_wpm}")
        self.calls.append((text, voice, rate_wpm, volume))
        return Clip(pcm=self._pcm(text, rate_wpm, volume), sample_rate_hz=self.sample_rate_hz)

    def _pcm(self, text: str, rate_wpm: int, volume: float) -> bytes:
        import numpy as np

        lead = np.zeros(self._frames(LEAD_SILENCE_MS), dtype="<i2")
        tail = np.zeros(self._frames(TAIL_SILENCE_MS), dtype="<i2")
        t_s = np.arange(self._frames(speech_ms(text, rate_wpm))) / self.sample_rate_hz
        # A cosine starts at its peak, so the first tone sample is the audible onset.
        tone = np.cos(2 * np.pi * _frequency_hz(text) * t_s) * TONE_AMPLITUDE * volume * 32767
        return np.concatenate([lead, tone.round().astype("<i2"), tail]).tobytes()

    def _frames(self, duration_ms: int) -> int:
        return round(duration_ms * self.sample_rate_hz / 1000)


def _frequency_hz(text: str) -> int:
    """200 to 599 Hz, the same for the same text in every process (crc32, not hash())."""
    return 200 + zlib.crc32(text.encode("utf-8")) % 400
