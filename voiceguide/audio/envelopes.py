"""Gain envelopes, frame by frame: the timeline's fades, the voice's gain ramp and the
bed's ducking under speech, executed as the timeline's mix says (no time is decided here).

Every value is a function of the absolute frame alone, so a block's gains never depend on
where the block starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from voiceguide.audio.loudness import db_to_gain
from voiceguide.audio.sounds import smoothstep
from voiceguide.plan.timeline import Fade, GainRamp, Timeline


def frame_at(time_ms: int, sample_rate_hz: int) -> int:
    return time_ms * sample_rate_hz // 1000


class Fades:
    """The gain of some fades at each frame: the lowest of them, 0 to 1.

    A fade lasts its duration in frames, anchored at its silent end (a fade in at its
    start, a fade out at its end); a fade of no frames changes nothing. Each follows its
    ``ease`` (a straight line without one), or, when it has a ``last_ms``, the level curve
    it carries (``level_fade``).
    """

    def __init__(
        self,
        fades: Sequence[Fade],
        sample_rate_hz: int,
        ease: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self._ease = ease
        self._ramps = [
            (
                fade.direction == "in",
                frame_at(fade.start_ms if fade.direction == "in" else fade.end_ms, sample_rate_hz),
                frame_at(fade.duration_ms, sample_rate_hz),
                fade.fall_db,
                frame_at(fade.last_ms, sample_rate_hz),
            )
            for fade in fades
        ]

    def gain(self, first: int, end: int) -> np.ndarray | None:
        """The gain at frames first..end-1; None where it is exactly 1 throughout (the same
        value the arithmetic would give, so skipping it never changes a sample)."""
        if all(self._full(first, end, *ramp[:3]) for ramp in self._ramps):
            return None
        positions = np.arange(first, end, dtype=np.int64)
        gain: np.ndarray | float = np.inf
        for rising, anchor, frames, fall_db, last_frames in self._ramps:
            if not frames:
                continue
            ramp = (positions - anchor) / frames if rising else (anchor - positions) / frames
            ramp = np.clip(ramp, 0.0, 1.0)
            if last_frames:
                shaped = level_fade(ramp, frames, fall_db, last_frames)
            else:
                shaped = self._ease(ramp) if self._ease else ramp
            gain = np.minimum(gain, shaped)
        if not isinstance(gain, np.ndarray):  # only fades of no frames: nothing changes
            return None
        return np.asarray(np.clip(gain, 0.0, 1.0))

    @staticmethod
    def _full(first: int, end: int, rising: bool, anchor: int, frames: int) -> bool:
        return first >= anchor + frames if rising else end - 1 <= anchor - frames


def level_fade(ramp: np.ndarray, frames: int, fall_db: float, last_frames: int) -> np.ndarray:
    """A fade's gain where ``ramp`` (1 at its full end, 0 at its silent end) says how far it
    is: ``fall_db`` lower in a straight line of dB until ``last_frames`` from the silent end,
    then a straight line of gain to silence."""
    left = ramp * frames  # frames from the silent end
    last_frames = min(last_frames, frames)
    span = max(1, frames - last_frames)
    level_db = -fall_db * np.clip((frames - left) / span, 0.0, 1.0)
    closing = np.clip(left / last_frames, 0.0, 1.0)
    return np.asarray(np.power(10.0, level_db / 20.0) * closing)


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
    """How far the bed (and cues) step back under speech: a gain at each frame, the duck's
    full depth from its start to its end, reached ``attack_ms`` before it and gone
    ``release_ms`` after it on a smooth curve. Where ducks overlap, the deeper one holds.
    Which speech ducks, how deep and which dips merge is the planner's (``Mix.ducks``).
    """

    def __init__(
        self,
        ducks: Sequence[tuple[int, int, float]],
        sample_rate_hz: int,
        attack_ms: int,
        release_ms: int,
    ) -> None:
        """``ducks``: start frame, end frame and depth in dB of each."""
        self._attack = max(1, frame_at(attack_ms, sample_rate_hz))
        self._release = max(1, frame_at(release_ms, sample_rate_hz))
        ordered = sorted(d for d in ducks if d[2] > 0.0)
        self._starts = np.array([d[0] for d in ordered], dtype=np.int64)
        self._ends = np.array([d[1] for d in ordered], dtype=np.int64)
        self._depths_db = [d[2] for d in ordered]
        self._ramp_starts = self._starts - self._attack
        # Sorted by start, so the ramps' ends may not be: search their running maximum.
        self._ramp_ends = np.maximum.accumulate(self._ends + self._release)

    def gain(self, first: int, end: int, share: float = 1.0) -> np.ndarray | None:
        """The gain at frames first..end-1 with each duck ``share`` times as deep (in dB);
        None where nothing ducks."""
        lo = int(np.searchsorted(self._ramp_ends, first, side="right"))
        hi = int(np.searchsorted(self._ramp_starts, end - 1, side="right"))
        if lo >= hi:
            return None
        positions = np.arange(first, end, dtype=np.int64)
        gain = np.ones(end - first)
        for index in range(lo, hi):
            start, stop = self._starts[index], self._ends[index]
            rise = (positions - (start - self._attack)) / self._attack
            fall = ((stop + self._release) - positions) / self._release
            amount = smoothstep(np.clip(np.minimum(rise, fall), 0.0, 1.0))
            gain = np.minimum(gain, ducked(amount, self._depths_db[index] * share))
        return gain


def ducked(amount: np.ndarray, duck_db: float) -> np.ndarray:
    """Gain for a duck amount (0: none, 1: full ``duck_db``); plain arithmetic, no exp."""
    return np.asarray(1.0 - (1.0 - db_to_gain(-duck_db)) * amount)


def per_frame(gain: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """A gain per frame, shaped to multiply mono or multichannel samples."""
    return gain if samples.ndim == 1 else gain[:, None]
