"""Cue sounds, synthesized in numpy and deterministic from a seed, and the small helpers
(fades, seeded generators) the beds share.

Cues are short arrays made once per render: bright ones for the day (bell, chime, tick,
the closing gong) and soft tones for the night (tone, low_tone), which swell in slowly
instead of being struck.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from voiceguide.errors import AudioError
from voiceguide.routine.limits import CUE_SOUNDS

STREAM_IDS = {
    "white": 1,
    "pink": 2,
    "brown": 3,
    "drone": 4,
    "bell": 5,
    "tick": 6,
    "chime": 7,
    "gong": 8,
    "tone": 9,
    "low_tone": 10,
    "binaural": 11,
    "isochronic": 12,
}

# (frequency ratio, relative amplitude, decay time constant in seconds) of each partial.
_BELL_PARTIALS = ((1.0, 1.0, 0.9), (2.0, 0.3, 0.6), (2.76, 0.25, 0.45), (5.4, 0.08, 0.2))
_CHIME_NOTES_HZ = ((880.0, 0.0), (1318.5, 0.12))  # (frequency, delay in seconds)


def smoothstep(position: np.ndarray) -> np.ndarray:
    """0 to 1 with zero slope at both ends, for positions in [0, 1] (plain arithmetic only,
    so the result of each element never depends on how the array was cut)."""
    return np.asarray(position * position * (3.0 - 2.0 * position))


def fade_edges(
    samples: np.ndarray, sample_rate_hz: int, fade_in_ms: float, fade_out_ms: float
) -> np.ndarray:
    """A copy with a smooth fade at each end, so a sound never starts or stops with a click."""
    faded = samples.astype(np.result_type(samples.dtype, np.float32))
    apply_fades(faded, sample_rate_hz, fade_in_ms, fade_out_ms)
    return faded


def apply_fades(
    samples: np.ndarray, sample_rate_hz: int, fade_in_ms: float, fade_out_ms: float
) -> None:
    """``fade_edges`` in place (no copy of a long clip)."""
    fade_in = min(len(samples), max(1, round(sample_rate_hz * fade_in_ms / 1000)))
    fade_out = min(len(samples), max(1, round(sample_rate_hz * fade_out_ms / 1000)))
    samples[:fade_in] *= smoothstep((np.arange(fade_in) + 0.5) / fade_in)
    samples[len(samples) - fade_out :] *= smoothstep((np.arange(fade_out, 0, -1) - 0.5) / fade_out)


def seeded_rng(seed: int, name: str, index: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, STREAM_IDS[name], index])


def _decaying_partials(
    sample_rate_hz: int,
    duration_s: float,
    fundamental_hz: float,
    partials: tuple[tuple[float, float, float], ...],
    rng: np.random.Generator,
) -> np.ndarray:
    """A sum of exponentially decaying sines, each slightly detuned and phased by the seed."""
    seconds = np.arange(round(sample_rate_hz * duration_s)) / sample_rate_hz
    sound = np.zeros(len(seconds))
    for ratio, amplitude, decay_s in partials:
        frequency_hz = fundamental_hz * ratio * (1.0 + rng.uniform(-0.002, 0.002))
        phase = rng.uniform(0.0, 2.0 * math.pi)
        envelope = amplitude * np.exp(-seconds / decay_s)
        sound += envelope * np.sin(2.0 * math.pi * frequency_hz * seconds + phase)
    return sound


def _bell(sample_rate_hz: int, rng: np.random.Generator) -> np.ndarray:
    sound = _decaying_partials(sample_rate_hz, 3.0, 528.0, _BELL_PARTIALS, rng)
    return fade_edges(sound, sample_rate_hz, 6.0, 400.0)  # a soft mallet, then a long ring


def _tick(sample_rate_hz: int, rng: np.random.Generator) -> np.ndarray:
    partials = ((1.0, 1.0, 0.012), (1.73, 0.4, 0.008))  # a small wood block
    sound = _decaying_partials(sample_rate_hz, 0.08, 1600.0, partials, rng)
    return fade_edges(sound, sample_rate_hz, 1.0, 20.0)


def _chime(sample_rate_hz: int, rng: np.random.Generator) -> np.ndarray:
    sound = np.zeros(round(sample_rate_hz * 2.0))
    for frequency_hz, delay_s in _CHIME_NOTES_HZ:
        partials = ((1.0, 1.0, 0.5), (2.0, 0.15, 0.25), (3.0, 0.05, 0.15))
        note = _decaying_partials(sample_rate_hz, 2.0 - delay_s, frequency_hz, partials, rng)
        start = round(sample_rate_hz * delay_s)
        sound[start:] += fade_edges(note, sample_rate_hz, 4.0, 10.0)
    return fade_edges(sound, sample_rate_hz, 4.0, 300.0)


Cue = Callable[[int, np.random.Generator], np.ndarray]


def _gong(sample_rate_hz: int, rng: np.random.Generator) -> np.ndarray:
    """The closing sound: lower and longer than the bell, so it is never mistaken for one."""
    partials = ((1.0, 1.0, 2.2), (2.01, 0.45, 1.5), (2.93, 0.3, 1.1), (4.13, 0.12, 0.6))
    sound = _decaying_partials(sample_rate_hz, 5.0, 196.0, partials, rng)
    return fade_edges(sound, sample_rate_hz, 15.0, 800.0)


def _soft_tone(fundamental_hz: float, duration_s: float, swell_s: float) -> Cue:
    """A sine with a faint octave that swells in over ``swell_s`` and dies away: nothing is
    struck, so nothing startles."""

    def make(sample_rate_hz: int, rng: np.random.Generator) -> np.ndarray:
        partials = ((1.0, 1.0, duration_s / 3), (2.0, 0.12, duration_s / 5))
        sound = _decaying_partials(sample_rate_hz, duration_s, fundamental_hz, partials, rng)
        return fade_edges(sound, sample_rate_hz, 1000.0 * swell_s, 1000.0 * duration_s / 3)

    return make


_CUES: dict[str, Cue] = {
    "bell": _bell,
    "tick": _tick,
    "chime": _chime,
    "gong": _gong,
    "tone": _soft_tone(392.0, 3.0, 0.25),
    "low_tone": _soft_tone(196.0, 4.5, 0.4),
}


def cue_sound(name: str, sample_rate_hz: int, seed: int = 0) -> np.ndarray:
    """A cue sound (float64, mono, peak 1.0) with faded ends."""
    if name not in CUE_SOUNDS or name not in _CUES:
        raise AudioError(f"unknown cue sound {name!r}: expected one of {', '.join(CUE_SOUNDS)}")
    sound = _CUES[name](sample_rate_hz, seeded_rng(seed, name))
    return np.asarray(sound / np.abs(sound).max())
