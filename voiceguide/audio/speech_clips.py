"""Speech clips made ready to mix: one measured gain for all speech (to a spoken-word
loudness target), a look-ahead peak limiter, one resampling to the session rate, and a
bounded cache of the results, so memory grows with neither the session nor its clips.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from voiceguide.audio.loudness import db_to_gain, gain_for_loudness, limit, loudness_profile
from voiceguide.audio.resample import resample, resampled_frames
from voiceguide.audio.sounds import apply_fades
from voiceguide.errors import AudioError
from voiceguide.tts.base import Clip
from voiceguide.tts.cache import remembered

PhraseKey = tuple[str, int]  # (text, rate_wpm) as in Timeline.phrases(); (file, 0) recorded

SPEECH_CEILING_DBTP = -2.0  # 1 dB under the -1 dBTP bar: MP3 encoding overshoots a little
LIMITER_RADIUS_MS = 5.0  # the limiter's gain moves over 4 radii (20 ms)
MAX_LIMITING_DB = 8.0  # past this the limiter is heard: speech stays under its target
CLIP_FADE_MS = 3.0  # trimmed clips start on an audible sample: fade it in, no click
LEVEL_METHOD = 1  # bump when the loudness measure or the gain search changes
CLIP_CACHE_BYTES = 16 * 1024 * 1024  # processed clips kept (95 s of speech); others are redone


def _clip_samples(clip: Clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32) / np.float32(32768.0)


def _levelled(clip: Clip, gain: float) -> np.ndarray:
    """The clip at ``gain``, peaks limited under the ceiling, at its own sample rate."""
    ceiling = db_to_gain(SPEECH_CEILING_DBTP)
    return limit(_clip_samples(clip), clip.sample_rate_hz, gain, ceiling, LIMITER_RADIUS_MS)


def speech_level(
    clips: Mapping[PhraseKey, Clip], counts: Mapping[PhraseKey, int], target_lufs: float
) -> tuple[float, float]:
    """(gain dB, loudness LUFS reached): the one gain that brings the limited speech to
    ``target_lufs`` (one channel), measured over every phrase as often as it is spoken.

    Kept with the clips (``remembered``), keyed by the clips' samples and counts: a warm
    render of the same session reads it (measured: about 1 s of the 15-minute session's
    render) instead of measuring every clip again.
    """
    keys = sorted(counts)

    def measure() -> tuple[float, float]:
        profiles = [
            loudness_profile(_clip_samples(clips[k]), clips[k].sample_rate_hz) for k in keys
        ]
        return gain_for_loudness(
            profiles,
            [counts[key] for key in keys],
            target_lufs,
            db_to_gain(SPEECH_CEILING_DBTP),
            LIMITER_RADIUS_MS,
            MAX_LIMITING_DB,
        )

    spoken = [[_clip_digest(clips[key]), counts[key]] for key in keys]
    limits = [SPEECH_CEILING_DBTP, LIMITER_RADIUS_MS, MAX_LIMITING_DB]
    gain_db, lufs = remembered("speech-level", [LEVEL_METHOD, target_lufs, limits, spoken], measure)
    return float(gain_db), float(lufs)


def _clip_digest(clip: Clip) -> str:
    return hashlib.sha256(clip.pcm).hexdigest() + f"@{clip.sample_rate_hz}"


class SpeechClips:
    """Processed clips at the session rate, made once each and kept while memory allows."""

    def __init__(
        self,
        clips: Mapping[PhraseKey, Clip],
        gain_db: float,
        sample_rate_hz: int,
        gains_db: Mapping[PhraseKey, float] | None = None,
    ):
        self._clips = clips
        self._gain = db_to_gain(gain_db)
        # Recorded narration: a gain of its own, to the same loudness as the speech.
        self._gains = {key: db_to_gain(db) for key, db in (gains_db or {}).items()}
        self._sample_rate_hz = sample_rate_hz
        self._cache: OrderedDict[PhraseKey, np.ndarray] = OrderedDict()
        self._cached_bytes = 0
        self._frames: dict[PhraseKey, int] = {}

    def frames(self, key: PhraseKey) -> int:
        """The clip's length at the session rate, without processing it."""
        if key not in self._frames:
            clip = self._clips[key]
            rate_hz = clip.sample_rate_hz
            self._frames[key] = resampled_frames(clip.frames, rate_hz, self._sample_rate_hz)
        return self._frames[key]

    def samples(self, key: PhraseKey) -> np.ndarray:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        samples = self._process(self._clips[key], self._gains.get(key, self._gain))
        self._cache[key] = samples
        self._cached_bytes += samples.nbytes
        while self._cached_bytes > CLIP_CACHE_BYTES and len(self._cache) > 1:
            self._cached_bytes -= self._cache.popitem(last=False)[1].nbytes
        return samples

    def _process(self, clip: Clip, gain: float) -> np.ndarray:
        levelled = _levelled(clip, gain)
        resampled = resample(levelled, clip.sample_rate_hz, self._sample_rate_hz)
        if len(resampled):
            apply_fades(resampled, self._sample_rate_hz, CLIP_FADE_MS, CLIP_FADE_MS)
        return resampled


def check_clips(counts: Mapping[PhraseKey, int], clips: Mapping[PhraseKey, Clip]) -> None:
    missing = sorted(key for key in counts if key not in clips)
    if missing:
        text, rate_wpm = missing[0]
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise AudioError(f"no speech clip for {text!r} at {rate_wpm} wpm{more}")
