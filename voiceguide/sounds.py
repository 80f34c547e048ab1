"""Cue sounds and background beds, synthesized in numpy and deterministic from a seed.

Cues (bell, tick, chime) are short arrays made once per render. Beds are endless streams
read block by block: they are computed in fixed internal chunks keyed by the chunk's index,
so the samples are the same whatever size of block the reader asks for, and memory stays
flat however long the session.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from voiceguide.errors import AudioError
from voiceguide.model import BACKGROUND_SOUNDS, CUE_SOUNDS

CHUNK_FRAMES = 8192  # beds are computed in chunks of this many frames, whatever is read
NOISE_TABLE_FRAMES = 1 << 19  # 12 s at 44.1 kHz, 2 MB
_HIGHPASS_HZ = 30.0  # beds carry nothing below this: rumble only eats headroom
_STREAM_IDS = {"white": 1, "pink": 2, "brown": 3, "drone": 4, "bell": 5, "tick": 6, "chime": 7}

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


def _rng(seed: int, name: str, index: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAM_IDS[name], index])


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


_CUES: dict[str, Callable[[int, np.random.Generator], np.ndarray]] = {
    "bell": _bell,
    "tick": _tick,
    "chime": _chime,
}


def cue_sound(name: str, sample_rate_hz: int, seed: int = 0) -> np.ndarray:
    """A cue sound (float64, mono, peak 1.0) with faded ends."""
    if name not in CUE_SOUNDS or name not in _CUES:
        raise AudioError(f"unknown cue sound {name!r}: expected one of {', '.join(CUE_SOUNDS)}")
    sound = _CUES[name](sample_rate_hz, _rng(seed, name))
    return np.asarray(sound / np.abs(sound).max())


class ChunkedStream:
    """An endless mono stream computed in fixed chunks and read in blocks of any size."""

    def __init__(self) -> None:
        self._buffer = np.zeros(0, dtype=np.float32)
        self._next_chunk = 0

    def read(self, frames: int) -> np.ndarray:
        """The next ``frames`` samples (float32)."""
        pieces = [self._buffer]
        available = len(self._buffer)
        while available < frames:
            chunk = self.chunk(self._next_chunk).astype(np.float32)
            pieces.append(chunk)
            available += len(chunk)
            self._next_chunk += 1
        joined = np.concatenate(pieces) if len(pieces) > 1 else self._buffer
        self._buffer = joined[frames:]
        return joined[:frames]

    def chunk(self, index: int) -> np.ndarray:
        """Frames ``index * CHUNK_FRAMES`` up to the next chunk, computed from the index only
        (and from earlier chunks' internal state, which is always built in order)."""
        raise NotImplementedError


def _noise_shape(colour: str, segment_frames: int, sample_rate_hz: int) -> np.ndarray:
    """Magnitude per rfft bin of a noise colour, scaled so the noise has unit variance."""
    frequency_hz = np.fft.rfftfreq(segment_frames, 1.0 / sample_rate_hz)
    ratio = (frequency_hz / _HIGHPASS_HZ) ** 2
    highpass = ratio / (1.0 + ratio)  # second order, so no rumble and no DC
    slope = {"white": 0.0, "pink": 0.5, "brown": 1.0}[colour]
    shape = highpass / np.maximum(frequency_hz, _HIGHPASS_HZ) ** slope
    mean_power = (2.0 * np.sum(shape**2) - shape[0] ** 2) / segment_frames
    return np.asarray(shape / math.sqrt(mean_power))


def _hash64(*values: int) -> int:
    """A well-mixed 64-bit number from small integers (splitmix64): cheap, portable."""
    state = 0
    for value in values:
        state = (state + value + 0x9E3779B97F4A7C15) & _MASK64
        state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & _MASK64
        state ^= state >> 31
    return state


_MASK64 = (1 << 64) - 1


@functools.lru_cache(maxsize=2)  # a render measures its bed, then plays it: one table
def _noise_table(colour: str, sample_rate_hz: int, seed: int) -> np.ndarray:
    """Seeded noise of a colour, as one circular FFT-shaped loop, plus its first segment
    again at the end so any excerpt can be sliced without wrapping. float32 throughout:
    plenty for noise, and half the memory."""
    white = _rng(seed, colour).standard_normal(NOISE_TABLE_FRAMES, dtype=np.float32)
    shape = _noise_shape(colour, NOISE_TABLE_FRAMES, sample_rate_hz).astype(np.float32)
    table = np.fft.irfft(np.fft.rfft(white) * shape, NOISE_TABLE_FRAMES).astype(np.float32)
    extended = np.concatenate([table, table[: 2 * CHUNK_FRAMES]])
    extended.flags.writeable = False
    return extended


class NoiseBed(ChunkedStream):
    """White, pink or brown noise: excerpts of a seeded noise table, overlap-added.

    The table (about 12 s, shaped by one FFT, so it loops seamlessly) is made once. Each
    segment, twice a chunk long, is an excerpt from a place and with a polarity picked by
    hashing the seed and the segment's index; a sine window on 50 % overlapping segments
    keeps the power constant. No segment repeats its neighbours, so no loop can be heard,
    and the cost per sample is a few multiplications.
    """

    def __init__(self, colour: str, sample_rate_hz: int, seed: int) -> None:
        super().__init__()
        self._keys = (seed, _STREAM_IDS[colour])
        self._table = _noise_table(colour, sample_rate_hz, seed)
        frames = np.arange(2 * CHUNK_FRAMES) + 0.5
        self._window = np.sin(np.pi * frames / (2 * CHUNK_FRAMES)).astype(np.float32)
        self._previous = self._segment(-1)

    def _segment(self, index: int) -> np.ndarray:
        picked = _hash64(*self._keys, index + 1)
        offset = picked % NOISE_TABLE_FRAMES
        polarity = np.float32(1.0 if picked >> 63 else -1.0)
        return np.asarray(
            self._table[offset : offset + 2 * CHUNK_FRAMES] * (self._window * polarity)
        )

    def chunk(self, index: int) -> np.ndarray:
        current = self._segment(index)
        joined = self._previous[CHUNK_FRAMES:] + current[:CHUNK_FRAMES]
        self._previous = current
        return np.asarray(joined)


# A soft drone: (frequency in millihertz, amplitude) of each partial, a G major-ish chord
# whose pairs beat slowly; and (frequency in millihertz, depth) of its slow swells.
_DRONE_PARTIALS_MHZ = (
    (98_000, 1.0),
    (98_250, 0.8),
    (147_000, 0.5),
    (196_100, 0.3),
    (294_000, 0.12),
)
_DRONE_SWELLS_MHZ = ((53, 0.3), (89, 0.2))


class DroneBed(ChunkedStream):
    """Sustained low partials with slow swells. Each chunk starts on a phase computed in
    exact integer arithmetic from the absolute frame index, so any chunk can be computed
    alone, however far into a long session; within a chunk, float32 is precise enough
    (phase error under 1e-4 radian) and many times faster."""

    def __init__(self, sample_rate_hz: int, seed: int) -> None:
        super().__init__()
        self._cycle_units = sample_rate_hz * 1000  # one cycle, in millihertz-frames
        rng = _rng(seed, "drone")
        phases = rng.integers(0, self._cycle_units, len(_DRONE_PARTIALS_MHZ) + 2)
        self._partials = [
            (f, a, int(p)) for (f, a), p in zip(_DRONE_PARTIALS_MHZ, phases, strict=False)
        ]
        self._swells = [
            (f, d, int(p)) for (f, d), p in zip(_DRONE_SWELLS_MHZ, phases[-2:], strict=True)
        ]
        self._frames = np.arange(CHUNK_FRAMES, dtype=np.float32)

    def _sine(self, frequency_mhz: int, phase_units: int, first_frame: int) -> np.ndarray:
        start_units = (frequency_mhz * first_frame + phase_units) % self._cycle_units
        start_radians = np.float32(2.0 * math.pi * start_units / self._cycle_units)
        step_radians = np.float32(2.0 * math.pi * frequency_mhz / self._cycle_units)
        return np.asarray(np.sin(start_radians + self._frames * step_radians))

    def chunk(self, index: int) -> np.ndarray:
        first_frame = index * CHUNK_FRAMES
        tone = np.zeros(CHUNK_FRAMES, dtype=np.float32)
        for frequency_mhz, amplitude, phase in self._partials:
            tone += np.float32(amplitude) * self._sine(frequency_mhz, phase, first_frame)
        swell = np.ones(CHUNK_FRAMES, dtype=np.float32)
        for frequency_mhz, depth, phase in self._swells:
            swell += np.float32(depth) * self._sine(frequency_mhz, phase, first_frame)
        return tone * swell


def bed_stream(sound: str, sample_rate_hz: int, seed: int = 0) -> ChunkedStream | None:
    """A fresh stream of the background bed (None for ``none``), at no particular level."""
    if sound not in BACKGROUND_SOUNDS:
        choices = ", ".join(BACKGROUND_SOUNDS)
        raise AudioError(f"unknown background sound {sound!r}: expected one of {choices}")
    if sound == "none":
        return None
    if sound == "drone":
        return DroneBed(sample_rate_hz, seed)
    return NoiseBed(sound, sample_rate_hz, seed)
