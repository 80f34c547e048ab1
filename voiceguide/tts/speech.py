"""The speech service that the planner and the renderer share.

``Speech`` turns (text, rate) into a trimmed clip: synthesized at most once per process
(memoized), and at most once per machine (the on-disk cache holds the engine's untrimmed
clip). The planner measures phrases with ``duration_ms``; the renderer places ``clip`` at the
planned time. Both see the same trimmed clip, so the speech starts where the plan says.

Trimming cuts the engine's silence at both ends. espeak-ng's silence is digital zero and its
quietest onsets (fricatives such as "f" and "s") cross -50 dBFS within 1.7 ms of their first
non-zero sample (measured over 150 phrases), while -40 dBFS would start some clips 36 ms
late. So a clip starts ``LEAD_MS`` before the first sample above -50 dBFS, keeping the faint
start of the waveform, and ends just after the last sample above it.

numpy is imported inside the trimming function: this module sits on the audio side, but even
importing it must stay cheap.
"""

from __future__ import annotations

from voiceguide.errors import SpeechError
from voiceguide.tts.base import Clip, SpeechEngine
from voiceguide.tts.cache import ClipCache, cache_key

TRIM_THRESHOLD_DBFS = -50.0
LEAD_MS = 2.0
"""Kept before the first audible sample: covers the sub-threshold start of a soft onset."""
FULL_SCALE = 32768


class Speech:
    """Trimmed, cached speech clips for one voice and volume. Not thread-safe."""

    def __init__(
        self,
        engine: SpeechEngine,
        cache: ClipCache | None,
        voice: str | None = None,
        volume: float = 1.0,
        voice_digest: str = "",
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.voice = voice
        self.volume = volume
        self.voice_digest = voice_digest  # the voice file's sha256, for engines that have one
        self._engine_version: str | None = None
        self._clips: dict[tuple[str, int], Clip] = {}

    def clip(self, text: str, rate_wpm: int) -> Clip:
        """The phrase as a clip that starts at its first audible sample (within LEAD_MS)."""
        memo_key = (text, rate_wpm)
        clip = self._clips.get(memo_key)
        if clip is None:
            clip = trim_silence(self._untrimmed(text, rate_wpm), text)
            self._clips[memo_key] = clip
        return clip

    def duration_ms(self, text: str, rate_wpm: int) -> int:
        """How long the phrase lasts from its onset to its last audible sample."""
        return self.clip(text, rate_wpm).duration_ms

    def _untrimmed(self, text: str, rate_wpm: int) -> Clip:
        if self.cache is None:
            return self._synthesize(text, rate_wpm)
        key = cache_key(
            self.engine.name,
            self._version(),
            self.voice,
            rate_wpm,
            self.volume,
            text,
            self.voice_digest,
        )
        clip = self.cache.get(key)
        if clip is None:
            clip = self._synthesize(text, rate_wpm)
            self.cache.put(key, clip)
        return clip

    def _synthesize(self, text: str, rate_wpm: int) -> Clip:
        return self.engine.synthesize(text, self.voice, rate_wpm, self.volume)

    def _version(self) -> str:
        if self._engine_version is None:
            self._engine_version = self.engine.version()
        return self._engine_version


def trim_silence(clip: Clip, text: str = "") -> Clip:
    """``clip`` from LEAD_MS before its first audible sample to just after its last one.

    Raises SpeechError when nothing in it is audible: a silent clip would place nothing
    where the plan expects speech.
    """
    import numpy as np

    samples = np.frombuffer(clip.pcm, dtype="<i2").astype(np.int32)
    audible = np.flatnonzero(np.abs(samples) > _threshold_amplitude())
    if audible.size == 0:
        raise SpeechError(f'speech engine failed on "{text}": the clip is silent')
    lead_frames = round(LEAD_MS * clip.sample_rate_hz / 1000)
    start = max(0, int(audible[0]) - lead_frames)
    end = int(audible[-1]) + 1
    return Clip(pcm=clip.pcm[start * 2 : end * 2], sample_rate_hz=clip.sample_rate_hz)


def _threshold_amplitude() -> float:
    return float(FULL_SCALE * 10 ** (TRIM_THRESHOLD_DBFS / 20))
