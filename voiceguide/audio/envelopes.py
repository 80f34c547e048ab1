"""Gain envelopes, frame by frame: the timeline's fades, the voice's gain ramp and the
bed's ducking under speech, executed as the timeline's mix says (no time is decided here).

Every value is a function of the absolute frame alone, so a block's gains never depend on
where the block starts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from voiceguide.audio.loudness import db_to_gain
from voiceguide.audio.sounds import smoothstep
from voiceguide.plan.timeline import Fade, GainRamp, Timeline


def frame_at(time_ms: int, sample_rate_hz: int) -> int:
    return time_ms * sample_rate_hz // 1000


class Fades:
    """The gain of some fades at each frame: the lowest of them, 0 to 1 in a straight line.

    A fade lasts its duration in frames, anchored at its silent end (a fade in at its
    start, a fade out at its end); a fade of no frames changes nothing.
    """

    def __init__(self, fades: Sequence[Fade], sample_rate_hz: int) -> None:
        self._ramps = [
            (
                fade.direction == "in",
                frame_at(fade.start_ms if fade.direction == "in" else fade.end_ms, sample_rate_hz),
                frame_at(fade.duration_ms, sample_rate_hz),
            )
            for fade in fades
        ]

    def gain(self, first: int, end: int) -> np.ndarray | None:
        """The gain at frames first..end-1; None where it is exactly 1 throughout (the same
        value the arithmetic would give, so skipping it never changes a sample)."""
        if all(self._full(first, end, *ramp) for ramp in self._ramps):
            return None
        positions = np.arange(first, end, dtype=np.int64)
        gain: np.ndarray | float = np.inf
        for rising, anchor, frames in self._ramps:
            if not frames:
                continue
            ramp = (positions - anchor) / frames if rising else (anchor - positions) / frames
            gain = np.minimum(gain, ramp)
        if not isinstance(gain, np.ndarray):  # only fades of no frames: nothing changes
            return None
        return np.asarray(np.clip(gain, 0.0, 1.0))

    @staticmethod
    def _full(first: int, end: int, rising: bool, anchor: int, frames: int) -> bool:
        return first >= anchor + frames if rising else end - 1 <= anchor - frames


def bed_fade_gain(fade: np.ndarray) -> np.ndarray:
    """A bed fade's straight line made gentle: eased, then squared, so the quiet end is
    slow, as it is heard."""
    eased = smoothstep(fade)
    return np.asarray(eased * eased)


def voice_gain(ramp: GainRamp | None, at_ms: int) -> float:
    """The speech gain at a moment (1 without a ramp)."""
    return db_to_gain(ramp.level_db(at_ms)) if ramp else 1.0


def mean_voice_fall_db(timeline: Timeline) -> float:
    """How much the voice's gain ramp lowers the speech's integrated loudness (power mean
    over time spoken): levelling aims this much higher, so speech as a whole meets its
    target."""
    ramp = timeline.mix.voice_gain
    if ramp is None:
        return 0.0
    speech = timeline.speech()
    power = sum(e.duration_ms * 10.0 ** (ramp.level_db(e.start_ms) / 10.0) for e in speech)
    return -10.0 * math.log10(power / sum(e.duration_ms for e in speech))


class Ducking:
    """How far the bed (and cues) step back under speech: 0 to 1 at each frame, complete
    ``attack_ms`` before speech starts and gone ``release_ms`` after it ends.

    Speech intervals closer than attack + release are merged, so the bed does not pump
    between close phrases; ramps then never overlap.
    """

    def __init__(
        self,
        speech_frames: list[tuple[int, int]],
        sample_rate_hz: int,
        attack_ms: int,
        release_ms: int,
    ) -> None:
        self._attack = max(1, frame_at(attack_ms, sample_rate_hz))
        self._release = max(1, frame_at(release_ms, sample_rate_hz))
        merged: list[list[int]] = []
        for start, end in sorted(speech_frames):
            if merged and start - merged[-1][1] < self._attack + self._release:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = np.array([m[0] for m in merged], dtype=np.int64)
        self._ends = np.array([m[1] for m in merged], dtype=np.int64)
        self._ramp_starts = self._starts - self._attack
        self._ramp_ends = self._ends + self._release

    def amount(self, first: int, end: int) -> np.ndarray | None:
        """The duck amount at frames first..end-1; None where it is 0 throughout."""
        lo = int(np.searchsorted(self._ramp_ends, first, side="right"))
        hi = int(np.searchsorted(self._ramp_starts, end - 1, side="right"))
        if lo >= hi:
            return None
        positions = np.arange(first, end, dtype=np.int64)
        amount = np.zeros(end - first)
        for start, stop in zip(self._starts[lo:hi], self._ends[lo:hi], strict=True):
            rise = (positions - (start - self._attack)) / self._attack
            fall = ((stop + self._release) - positions) / self._release
            position = np.clip(np.minimum(rise, fall), 0.0, 1.0)
            amount = np.maximum(amount, smoothstep(position))
        return amount


def ducked(amount: np.ndarray, duck_db: float) -> np.ndarray:
    """Gain for a duck amount (0: none, 1: full ``duck_db``); plain arithmetic, no exp."""
    return np.asarray(1.0 - (1.0 - db_to_gain(-duck_db)) * amount)


def per_frame(gain: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """A gain per frame, shaped to multiply mono or multichannel samples."""
    return gain if samples.ndim == 1 else gain[:, None]
