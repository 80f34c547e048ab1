"""Loudness (ITU-R BS.1770: K-weighting, gating), true peak, and a look-ahead peak limiter.

Everything works on mono clips (speech phrases, a few seconds of a bed), never on a whole
session: files are measured with ffmpeg's ``ebur128`` instead (``export.measure_loudness``).
Filtering is done by FFT so numpy alone is fast enough, and in fixed-size pieces so a long
clip needs no more memory than a short one; results are exact up to float rounding.

Our own code, kept by measurement against libraries (espeak speech of 1, 5 and 24 s at
22,050 Hz, beds of 60 s at 44,100 Hz; medians of 9 to 15 runs on 2 shared cores):

- scipy computes the same figures faster: ``signal.sosfilt`` K-weights 3 to 5 times faster
  (24 s: 4.6 against 22.8 ms, within 1e-13), ``ndimage.maximum_filter1d`` and
  ``uniform_filter1d`` run the limiter's hold and smoothing 1.2 to 2 times faster. But
  importing ``scipy.signal`` costs 1 to 3 s and 76 MB: warm renders of hand-massage-quick
  and hand-massage peaked at 150 and 162 MB instead of 87 and 99 MB, over the 150 MB bar
  (``scripts/bench``), and took longer, to save tens of milliseconds of filtering.
  ``scipy.ndimage`` alone costs 0.6 s and 26 MB for a few milliseconds.
- pyloudnorm 0.2 imports ``scipy.signal`` too, reads 0.05 to 0.09 LU under libebur128 at
  22,050 Hz (ours agrees with libebur128 to 0.001 LU), is 1.5 to 3 times slower, and cannot
  weigh phrases by how often they are spoken or gate after a limiter.
- True peak: ours is within 0.002 dB of a 16x FFT reference and of libebur128 on speech;
  ``scipy.signal.resample_poly(x, 4, 1)`` is 0.008 dB off and twice as slow.
- The limiter-aware gain search (``gain_for_loudness``): no library does it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

BLOCK_MS = 400  # gating block (BS.1770-4)
HOP_MS = 100  # 75 % overlap between blocks
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
SILENCE_LUFS = -math.inf
GAIN_TOLERANCE_LU = 0.05
MAX_GAIN_STEPS = 8

# BS.1770 stage 1 (head shelf) and stage 2 (RLB high-pass), as analog prototypes, so the
# filter can be built at any sample rate (the published coefficients are for 48 kHz only).
_SHELF_HZ = 1681.974450955533
_SHELF_GAIN_DB = 3.999843853973347
_SHELF_Q = 0.7071752369554196
_HIGHPASS_HZ = 38.13547087602444
_HIGHPASS_Q = 0.5003270373238773

PIECE_FRAMES = 1 << 16  # long clips are processed in pieces of this many frames
_K_IMPULSE_S = 0.15
_K_BLOCK_FRAMES = 1 << 15

# The true-peak estimate oversamples four times (BS.1770 annex 2) with a windowed sinc.
OVERSAMPLING = 4
_INTERPOLATION_TAPS = 16


def db_to_gain(level_db: float) -> float:
    return float(10.0 ** (level_db / 20.0))


def gain_to_db(gain: float) -> float:
    return 20.0 * math.log10(gain) if gain > 0 else -math.inf


def fast_fft_size(minimum: int) -> int:
    """The smallest 5-smooth number >= minimum: FFT sizes that pocketfft handles fastest."""
    best = 1 << max(0, (minimum - 1).bit_length())
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            size = power35 << max(0, (-(-minimum // power35) - 1).bit_length())
            best = min(best, size)
            power35 *= 3
        power5 *= 5
    return best


def _k_weighting_biquads(sample_rate_hz: int) -> list[tuple[list[float], list[float]]]:
    """(b, a) of both BS.1770 stages, by the bilinear transform (as libebur128 does)."""
    k = math.tan(math.pi * _SHELF_HZ / sample_rate_hz)
    vh = 10.0 ** (_SHELF_GAIN_DB / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / _SHELF_Q + k * k
    shelf_b = [(vh + vb * k / _SHELF_Q + k * k) / a0, 2.0 * (k * k - vh) / a0]
    shelf_b.append((vh - vb * k / _SHELF_Q + k * k) / a0)
    shelf_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _SHELF_Q + k * k) / a0]
    k = math.tan(math.pi * _HIGHPASS_HZ / sample_rate_hz)
    a0 = 1.0 + k / _HIGHPASS_Q + k * k
    highpass_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _HIGHPASS_Q + k * k) / a0]
    return [(shelf_b, shelf_a), ([1.0, -2.0, 1.0], highpass_a)]


def k_weighting_response(fft_size: int, sample_rate_hz: int) -> np.ndarray:
    """The K-weighting filter's complex response at the bins of an rfft of fft_size."""
    z_inverse = np.exp(-2j * np.pi * np.fft.rfftfreq(fft_size))
    response = np.ones(fft_size // 2 + 1, dtype=np.complex128)
    for b, a in _k_weighting_biquads(sample_rate_hz):
        numerator = b[0] + z_inverse * (b[1] + z_inverse * b[2])
        denominator = a[0] + z_inverse * (a[1] + z_inverse * a[2])
        response *= numerator / denominator
    return response


@functools.lru_cache(maxsize=4)
def _k_weighting_fir(sample_rate_hz: int) -> tuple[np.ndarray, int]:
    """The filter's impulse response, cut where it has died away, as (rfft, length).

    Its slowest part, the 38 Hz high-pass, decays by e**-240 per second, so after 150 ms
    the rest is under -140 dB: the cut response filters exactly, in small FFT blocks.
    """
    taps = 1 << (int(sample_rate_hz * _K_IMPULSE_S) - 1).bit_length()
    impulse = np.fft.irfft(k_weighting_response(16 * taps, sample_rate_hz), 16 * taps)[:taps]
    fft_size = max(_K_BLOCK_FRAMES, 4 * taps)
    spectrum = np.fft.rfft(impulse, fft_size)
    spectrum.flags.writeable = False  # shared by the cache
    return spectrum, taps


def excerpt(samples: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``samples[start:stop]`` as float64, with zeros where the range runs past either end:
    long clips are processed a piece at a time, each piece with its margins."""
    piece = np.zeros(stop - start)
    first, last = max(start, 0), min(stop, len(samples))
    if first < last:
        piece[first - start : last - start] = samples[first:last]
    return piece


@dataclass(frozen=True)
class LoudnessProfile:
    """A mono clip reduced to what loudness and limiting need, at about 1 ms resolution.

    The clip is framed by 400 ms of silence on both sides, as it sounds in a session, so
    gating blocks that only partly overlap it count as they would in the file. A profile is
    about 20 times smaller than the clip: a render keeps one per phrase while it sets the
    speech gain, instead of filtering every clip again at each gain it tries.
    """

    energies: np.ndarray  # K-weighted energy in each segment (float32)
    peaks: np.ndarray  # true peak in each segment (float32)
    segment_frames: int
    sample_rate_hz: int

    @property
    def hop_segments(self) -> int:
        return self.sample_rate_hz * HOP_MS // 1000 // self.segment_frames


def _segment_frames(sample_rate_hz: int) -> int:
    """The longest segment (at most about 1 ms) that divides the gating hop exactly."""
    hop_frames = sample_rate_hz * HOP_MS // 1000
    segments = next(d for d in range(HOP_MS, hop_frames + 1) if hop_frames % d == 0)
    return hop_frames // segments


def loudness_profile(
    samples: np.ndarray, sample_rate_hz: int, with_peaks: bool = True
) -> LoudnessProfile:
    """The profile of a mono clip; without peaks (all 0) it only serves to measure loudness.

    The K-weighting runs by overlap-save in fixed FFT blocks, each a whole number of
    segments, so memory stays small whatever the clip's length.
    """
    segment = _segment_frames(sample_rate_hz)
    silence = sample_rate_hz * BLOCK_MS // 1000
    spectrum, taps = _k_weighting_fir(sample_rate_hz)
    fft_size = 2 * (len(spectrum) - 1)
    step = (fft_size - taps + 1) // segment * segment
    length = silence + len(samples) + silence + taps - 1  # with the filter's ringing
    energies = np.zeros(-(-length // segment), dtype=np.float32)
    peaks = np.zeros_like(energies)
    for start in range(0, length, step):
        first = start // segment
        count = min(step // segment, len(energies) - first)
        # Frame f of the framed clip is samples[f - silence]; filtering frames start..
        # start + step needs the taps - 1 frames before them too.
        history = excerpt(samples, start - silence - taps + 1, start - silence + step)
        filtered = np.fft.irfft(np.fft.rfft(history, fft_size) * spectrum, fft_size)
        squares = np.square(filtered[taps - 1 : taps - 1 + step])
        energies[first : first + count] = _per_segment(squares, segment, np.sum)[:count]
        if with_peaks:
            in_piece = _segment_peaks(samples, start - silence, step, segment)
            peaks[first : first + count] = in_piece[:count]
    return LoudnessProfile(energies, peaks, segment, sample_rate_hz)


def _segment_peaks(samples: np.ndarray, start: int, frames: int, segment: int) -> np.ndarray:
    margin = _INTERPOLATION_TAPS  # the interpolator reaches this far either side
    window = excerpt(samples, start - margin, start + frames + margin)
    return _per_segment(true_peak_envelope(window)[margin:-margin], segment, np.max)


def _per_segment(values: np.ndarray, segment: int, reduce: Callable[..., np.ndarray]) -> np.ndarray:
    return np.asarray(reduce(values.reshape(-1, segment), axis=1))


def block_powers(
    profile: LoudnessProfile,
    gain: float = 1.0,
    ceiling: float = math.inf,
    limiter_radius_ms: float = 0.0,
) -> np.ndarray:
    """Mean square of the K-weighted signal in each gating block, at ``gain`` and, with a
    ceiling, after the peak limiter (the limiter's gain is slow enough to move outside
    the K-weighting filter)."""
    energies = profile.energies.astype(np.float64) * gain**2
    if ceiling < math.inf:
        radius_frames = profile.sample_rate_hz * limiter_radius_ms / 1000
        radius = max(1, math.ceil(radius_frames / profile.segment_frames))
        energies *= limiter_gains(profile.peaks, gain, ceiling, radius) ** 2
    hop = profile.hop_segments
    block = hop * (BLOCK_MS // HOP_MS)
    running = np.concatenate([[0.0], np.cumsum(energies)])
    starts = np.arange(0, len(energies) - block + 1, hop)
    return np.asarray(
        (running[starts + block] - running[starts]) / (block * profile.segment_frames)
    )


def gain_for_loudness(
    profiles: Sequence[LoudnessProfile],
    weights: Sequence[float],
    target_lufs: float,
    ceiling: float,
    limiter_radius_ms: float,
    max_limiting_db: float,
) -> tuple[float, float]:
    """The one gain (dB) that brings clips, peak-limited under ``ceiling``, to the target,
    and the loudness they reach with it (the target, unless the limiter would work too hard).

    The limiter lowers loudness a little as the gain grows, so the gain is found by a few
    secant steps on the profiles. It never asks the limiter for more than
    ``max_limiting_db`` on the loudest peak: past that, speech stays under its target.
    """
    raw_lufs = gated_loudness([block_powers(p) for p in profiles], weights)
    if raw_lufs == SILENCE_LUFS:
        return 0.0, SILENCE_LUFS
    peak = max(float(p.peaks.max(initial=0.0)) for p in profiles)
    most_db = gain_to_db(ceiling / peak) + max_limiting_db

    def loudness_at(gain_db: float) -> float:
        gain = db_to_gain(gain_db)
        powers = [block_powers(p, gain, ceiling, limiter_radius_ms) for p in profiles]
        return gated_loudness(powers, weights)

    return _secant(loudness_at, target_lufs - raw_lufs, target_lufs, most_db)


def _secant(
    loudness_at: Callable[[float], float], gain_db: float, target_lufs: float, most_db: float
) -> tuple[float, float]:
    """(gain, loudness there): the gain, at most ``most_db``, where ``loudness_at`` meets
    the target; loudness grows with gain, a little slower than 1:1 once the limiter works."""
    gain_db = min(gain_db, most_db)
    previous: tuple[float, float] | None = None
    for _ in range(MAX_GAIN_STEPS):
        measured = loudness_at(gain_db)
        error = target_lufs - measured
        if abs(error) < GAIN_TOLERANCE_LU or (error > 0 and gain_db >= most_db):
            break
        slope = 1.0
        if previous is not None and gain_db != previous[0]:
            slope = min(1.0, max(0.1, (measured - previous[1]) / (gain_db - previous[0])))
        previous = (gain_db, measured)
        gain_db = min(gain_db + error / slope, most_db)
    else:
        measured = loudness_at(gain_db)
    return gain_db, measured


def power_to_lufs(power: float) -> float:
    return -0.691 + 10.0 * math.log10(power) if power > 0 else SILENCE_LUFS


def gated_loudness(powers: Sequence[np.ndarray], weights: Sequence[float]) -> float:
    """Integrated loudness (LUFS, one channel) of clips given their blocks and play counts."""
    nothing = [np.zeros(0)]
    all_powers = np.concatenate([np.asarray(p, dtype=np.float64) for p in powers] or nothing)
    all_weights = np.concatenate(
        [np.full(len(p), float(w)) for p, w in zip(powers, weights, strict=True)] or nothing
    )
    absolute_power = 10.0 ** ((ABSOLUTE_GATE_LUFS + 0.691) / 10.0)
    kept = (all_powers > absolute_power) & (all_weights > 0)
    if not kept.any():
        return SILENCE_LUFS
    relative_lufs = _mean_lufs(all_powers, all_weights, kept) + RELATIVE_GATE_LU
    kept &= all_powers > 10.0 ** ((relative_lufs + 0.691) / 10.0)
    return _mean_lufs(all_powers, all_weights, kept)


def _mean_lufs(powers: np.ndarray, weights: np.ndarray, kept: np.ndarray) -> float:
    mean_power = float(np.sum(powers[kept] * weights[kept]) / np.sum(weights[kept]))
    return power_to_lufs(mean_power)


def clip_loudness(samples: np.ndarray, sample_rate_hz: int) -> float:
    """Integrated loudness (LUFS) of one mono clip."""
    profile = loudness_profile(samples, sample_rate_hz, with_peaks=False)
    return gated_loudness([block_powers(profile)], [1.0])


def _interpolation_filters() -> np.ndarray:
    """One Kaiser-windowed sinc per fractional position 1/4, 2/4, 3/4 between samples."""
    half = _INTERPOLATION_TAPS // 2
    offsets = np.arange(-half + 1, half + 1)
    fractions = np.arange(1, OVERSAMPLING)[:, None] / OVERSAMPLING
    distance = fractions - offsets[None, :]
    window = np.i0(8.0 * np.sqrt(1.0 - (distance / half) ** 2)) / np.i0(8.0)
    return np.asarray(np.sinc(distance) * window)


def true_peak_envelope(samples: np.ndarray) -> np.ndarray:
    """For each sample, the largest magnitude on the 4x grid from it to the next sample."""
    half = _INTERPOLATION_TAPS // 2
    signal = samples.astype(np.float64)
    padded = np.concatenate([np.zeros(half - 1), signal, np.zeros(half)])
    envelope = np.abs(signal)
    for taps in _interpolation_filters():
        between = np.correlate(padded, taps, mode="valid")
        envelope = np.maximum(envelope, np.abs(between))
    return envelope


def true_peak(samples: np.ndarray) -> float:
    """Estimated true peak (linear) of a clip."""
    return float(true_peak_envelope(samples).max(initial=0.0))


def sliding_max(values: np.ndarray, radius: int) -> np.ndarray:
    """Maximum over [n - radius, n + radius] for each n, in O(n) (van Herk / Gil-Werman)."""
    width = 2 * radius + 1
    count = len(values)
    blocks = -(-(count + 2 * radius) // width)
    padded = np.zeros(blocks * width + width)
    padded[radius : radius + count] = values
    shaped = padded[: blocks * width].reshape(blocks, width)
    prefix = np.maximum.accumulate(shaped, axis=1).ravel()
    suffix = np.maximum.accumulate(shaped[:, ::-1], axis=1)[:, ::-1].ravel()
    starts = np.arange(count)
    return np.maximum(suffix[starts], prefix[starts + width - 1])


def _box_smooth(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean over [n - radius, n + radius], the ends padded with their edge values."""
    padded = np.concatenate([np.full(radius, values[0]), values, np.full(radius, values[-1])])
    running = np.concatenate([[0.0], np.cumsum(padded)])
    width = 2 * radius + 1
    return np.asarray((running[width:] - running[:-width]) / width)


def limiter_gains(peaks: np.ndarray, gain: float, ceiling: float, radius: int) -> np.ndarray:
    """Per-sample gain (at most 1) that keeps ``gain * signal`` under ``ceiling``, given the
    signal's true peak at each sample: a look-ahead limiter, run offline on a whole clip.

    The gain each sample needs is held for ``2 * radius`` samples either side, then smoothed
    by a triangle of that half-width. Every smoothed value is an average of minima whose
    windows contain the sample itself, so no sample gets more gain than it can take (the
    peak stays under the ceiling) and the gain moves over ``4 * radius`` samples, no clicks.
    """
    if not len(peaks):
        return np.ones(0)
    loud = gain * sliding_max(peaks.astype(np.float64), 2 * radius)
    needed = np.where(loud > ceiling, ceiling / np.maximum(loud, 1e-30), 1.0)
    return _box_smooth(_box_smooth(needed, radius), radius)


def limit(
    samples: np.ndarray, sample_rate_hz: int, gain: float, ceiling: float, radius_ms: float
) -> np.ndarray:
    """The samples (float32) at ``gain``, their true peak limited to ``ceiling``.

    Done a piece at a time, in bounded memory: each piece carries margins as wide as the
    limiter and the peak interpolator reach, so piece boundaries leave no trace (beyond
    float rounding).
    """
    radius = max(1, round(sample_rate_hz * radius_ms / 1000))
    margin = 4 * radius + _INTERPOLATION_TAPS
    limited = np.empty(len(samples), dtype=np.float32)
    for start in range(0, len(samples), PIECE_FRAMES):
        stop = min(start + PIECE_FRAMES, len(samples))
        window = excerpt(samples, start - margin, stop + margin)
        gains = limiter_gains(true_peak_envelope(window), gain, ceiling, radius)
        limited[start:stop] = (window * gain * gains)[margin : margin + stop - start]
    return limited
