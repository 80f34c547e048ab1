"""Background beds: endless streams read block by block, deterministic from a seed.

Beds are computed in fixed internal chunks keyed by the chunk's index, so the samples are
the same whatever size of block the reader asks for, and memory stays flat however long
the session. Noise beds have one stream of noise per channel, so stereo sounds wide (left
and right uncorrelated) and a mono render's bed is the left channel alone, at the same
level. The binaural bed is two channels (a tone a little apart in each ear). The drone and
the isochronic pulse stay one signal in the middle: tones in two phases would comb when
folded down, and the pulse must reach both ears at once. A user's file keeps its channels.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from voiceguide.audio.sounds import STREAM_IDS, seeded_rng
from voiceguide.errors import AudioError
from voiceguide.routine.limits import BACKGROUND_SOUNDS, is_background, needs_stereo
from voiceguide.routine.model import FILE_BED, Background

CHUNK_FRAMES = 8192  # beds are computed in chunks of this many frames, whatever is read
NOISE_TABLE_FRAMES = 1 << 19  # 12 s at 44.1 kHz, 2 MB
_HIGHPASS_HZ = 30.0  # beds carry nothing below this: rumble only eats headroom
ISOCHRONIC_SHARPNESS = 2  # pulses are a raised cosine to this power: distinct, never clicking


class ChunkedStream:
    """An endless stream computed in fixed chunks and read in blocks of any size: shaped
    (frames,) when mono, (frames, channels) otherwise."""

    channels = 1

    def __init__(self) -> None:
        shape = (0,) if self.channels == 1 else (0, self.channels)
        self._buffer = np.zeros(shape, dtype=np.float32)
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

    def close(self) -> None:
        """Let go of what the stream holds open (a file bed's decoded file)."""

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
    white = seeded_rng(seed, colour).standard_normal(NOISE_TABLE_FRAMES, dtype=np.float32)
    shape = _noise_shape(colour, NOISE_TABLE_FRAMES, sample_rate_hz).astype(np.float32)
    table = np.fft.irfft(np.fft.rfft(white) * shape, NOISE_TABLE_FRAMES).astype(np.float32)
    extended = np.concatenate([table, table[: 2 * CHUNK_FRAMES]])
    extended.flags.writeable = False
    return extended


class NoiseBed(ChunkedStream):
    """White, pink or brown noise: excerpts of a seeded noise table, overlap-added.

    The table (about 12 s, shaped by one FFT, so it loops seamlessly) is made once. Each
    segment, twice a chunk long, is an excerpt from a place and with a polarity picked by
    hashing the seed, the channel and the segment's index; a sine window on 50 % overlapping
    segments keeps the power constant. No segment repeats its neighbours, so no loop can be
    heard, and the cost per sample is a few multiplications. Each channel picks its own
    excerpts, so the channels are uncorrelated; the first picks as a mono bed does.
    """

    def __init__(self, colour: str, sample_rate_hz: int, seed: int, channels: int = 1) -> None:
        self.channels = channels
        super().__init__()
        # The first channel's keys are the mono bed's, so a mono render keeps its sound.
        self._keys = [
            (seed, STREAM_IDS[colour], *([channel] if channel else []))
            for channel in range(channels)
        ]
        self._table = _noise_table(colour, sample_rate_hz, seed)
        frames = np.arange(2 * CHUNK_FRAMES) + 0.5
        self._window = np.sin(np.pi * frames / (2 * CHUNK_FRAMES)).astype(np.float32)
        self._previous = [self._segment(keys, -1) for keys in self._keys]

    def _segment(self, keys: tuple[int, ...], index: int) -> np.ndarray:
        picked = _hash64(*keys, index + 1)
        offset = picked % NOISE_TABLE_FRAMES
        polarity = np.float32(1.0 if picked >> 63 else -1.0)
        return np.asarray(
            self._table[offset : offset + 2 * CHUNK_FRAMES] * (self._window * polarity)
        )

    def chunk(self, index: int) -> np.ndarray:
        joined = []
        for channel, keys in enumerate(self._keys):
            current = self._segment(keys, index)
            joined.append(self._previous[channel][CHUNK_FRAMES:] + current[:CHUNK_FRAMES])
            self._previous[channel] = current
        return joined[0] if self.channels == 1 else np.stack(joined, axis=1)


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
        self._sines = Sines(sample_rate_hz)
        rng = seeded_rng(seed, "drone")
        phases = rng.integers(0, self._sines.cycle_units, len(_DRONE_PARTIALS_MHZ) + 2)
        self._partials = [
            (f, a, int(p)) for (f, a), p in zip(_DRONE_PARTIALS_MHZ, phases, strict=False)
        ]
        self._swells = [
            (f, d, int(p)) for (f, d), p in zip(_DRONE_SWELLS_MHZ, phases[-2:], strict=True)
        ]

    def chunk(self, index: int) -> np.ndarray:
        first_frame = index * CHUNK_FRAMES
        tone = np.zeros(CHUNK_FRAMES, dtype=np.float32)
        for frequency_mhz, amplitude, phase in self._partials:
            tone += np.float32(amplitude) * self._sines.chunk(frequency_mhz, phase, first_frame)
        swell = np.ones(CHUNK_FRAMES, dtype=np.float32)
        for frequency_mhz, depth, phase in self._swells:
            swell += np.float32(depth) * self._sines.chunk(frequency_mhz, phase, first_frame)
        return tone * swell


class Sines:
    """Sine chunks whose starting phase is computed in exact integer arithmetic from the
    absolute frame index, so any chunk can be computed alone, however far into a long
    session; within a chunk, float32 is precise enough (phase error under 1e-4 radian)."""

    def __init__(self, sample_rate_hz: int) -> None:
        self.cycle_units = sample_rate_hz * 1000  # one cycle, in millihertz-frames
        self._frames = np.arange(CHUNK_FRAMES, dtype=np.float32)

    def chunk(self, frequency_mhz: int, phase_units: int, first_frame: int) -> np.ndarray:
        start_units = (frequency_mhz * first_frame + phase_units) % self.cycle_units
        start_radians = np.float32(2.0 * math.pi * start_units / self.cycle_units)
        step_radians = np.float32(2.0 * math.pi * frequency_mhz / self.cycle_units)
        return np.asarray(np.sin(start_radians + self._frames * step_radians))


def _millihertz(frequency_hz: float) -> int:
    return round(frequency_hz * 1000)


class BinauralBed(ChunkedStream):
    """A soft tone in each ear, ``beat_hz`` apart around ``carrier_hz``: heard through
    headphones as one tone beating slowly. Two channels."""

    channels = 2

    def __init__(self, sample_rate_hz: int, seed: int, carrier_hz: float, beat_hz: float):
        super().__init__()
        self._sines = Sines(sample_rate_hz)
        self._left_mhz = _millihertz(carrier_hz - beat_hz / 2)
        self._right_mhz = _millihertz(carrier_hz + beat_hz / 2)
        self._phase = int(seeded_rng(seed, "binaural").integers(0, self._sines.cycle_units))

    def chunk(self, index: int) -> np.ndarray:
        first_frame = index * CHUNK_FRAMES
        left = self._sines.chunk(self._left_mhz, self._phase, first_frame)
        right = self._sines.chunk(self._right_mhz, self._phase, first_frame)
        return np.stack([left, right], axis=1)


class IsochronicBed(ChunkedStream):
    """A soft tone pulsing ``beat_hz`` times a second: the beat is in the sound itself, so
    it works through speakers too. Mono."""

    def __init__(self, sample_rate_hz: int, seed: int, carrier_hz: float, beat_hz: float):
        super().__init__()
        self._sines = Sines(sample_rate_hz)
        self._carrier_mhz = _millihertz(carrier_hz)
        self._beat_mhz = _millihertz(beat_hz)
        self._phase = int(seeded_rng(seed, "isochronic").integers(0, self._sines.cycle_units))

    def chunk(self, index: int) -> np.ndarray:
        first_frame = index * CHUNK_FRAMES
        tone = self._sines.chunk(self._carrier_mhz, self._phase, first_frame)
        # A raised cosine, in phase with the beat: each pulse swells and fades, no edges.
        pulse = 0.5 - 0.5 * self._sines.chunk(self._beat_mhz, 0, first_frame)
        return np.asarray(tone * pulse**ISOCHRONIC_SHARPNESS)


def check_channels(background: Background, channels: int) -> None:
    """Refuse a bed the output cannot carry (before any work, when called early)."""
    if needs_stereo(background.sound) and channels != 2:
        raise AudioError(
            "binaural beats need two channels (and headphones): drop --mono, "
            "or use the isochronic background instead"
        )


def bed_stream(
    background: Background, sample_rate_hz: int, seed: int = 0, channels: int = 2
) -> ChunkedStream | None:
    """A fresh stream of the background bed (None for ``none``), at no particular level.
    ``channels`` is the output's: a file bed and noise follow it, a binaural bed needs two."""
    sound = background.sound
    if sound == FILE_BED:
        from voiceguide.audio.recordings import FileBed

        assert background.file is not None
        return FileBed(background.file, sample_rate_hz, channels)
    if not is_background(sound):
        choices = ", ".join(BACKGROUND_SOUNDS)
        raise AudioError(f"unknown background sound {sound!r}: expected one of {choices}")
    check_channels(background, channels)
    tones = {"binaural": BinauralBed, "isochronic": IsochronicBed}
    if sound in tones:
        return tones[sound](sample_rate_hz, seed, background.carrier_hz, background.beat_hz)
    if sound == "none":
        return None
    if sound == "drone":
        return DroneBed(sample_rate_hz, seed)
    return NoiseBed(sound, sample_rate_hz, seed, channels)
