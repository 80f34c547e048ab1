"""The loudness meter, true peak and limiter: checked against ffmpeg, by brute force, and
against BS.1770's published filter coefficients."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from audio_utils import measure_loudness, speechlike_clip

from voiceguide.audio.loudness import (
    BLOCK_MS,
    PIECE_FRAMES,
    _k_weighting_biquads,
    clip_loudness,
    db_to_gain,
    gain_for_loudness,
    gain_to_db,
    limit,
    limiter_gains,
    loudness_profile,
    sliding_max,
    true_peak,
)

RATE_HZ = 22_050


def samples_of(clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32) / 32768


def write_mono(path, samples: np.ndarray, rate_hz: int = RATE_HZ):
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate_hz)
        wav.writeframes(np.clip(np.rint(samples * 32767), -32768, 32767).astype("<i2").tobytes())
    return path


def test_decibels_and_gains_convert_both_ways():
    assert db_to_gain(0.0) == 1.0 and abs(db_to_gain(-6.0206) - 0.5) < 1e-5
    assert abs(gain_to_db(db_to_gain(-13.7)) + 13.7) < 1e-9


def test_a_full_scale_1khz_tone_is_about_minus_3_lufs():
    """BS.1770's own calibration: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS. A clip
    is measured as framed by silence, which lowers a short one: 30 s makes that negligible."""
    seconds = np.arange(30 * RATE_HZ) / RATE_HZ
    assert abs(clip_loudness(np.sin(2 * np.pi * 997 * seconds), RATE_HZ) + 3.01) < 0.1


@pytest.mark.parametrize("seed", [1, 2])
def test_speech_loudness_agrees_with_ffmpegs_meter(seed, tmp_path):
    samples = samples_of(speechlike_clip(6_000, seed=seed))
    ours = clip_loudness(samples, RATE_HZ)
    theirs = measure_loudness(write_mono(tmp_path / "speech.wav", samples))
    assert abs(ours - theirs.integrated_lufs) < 0.3, (ours, theirs)


def test_silence_has_no_loudness():
    assert clip_loudness(np.zeros(RATE_HZ), RATE_HZ) == -np.inf


def test_the_true_peak_is_found_between_samples():
    """A quarter-rate sine sampled 45 degrees off its crests peaks at 0.707 in the samples."""
    n = np.arange(4_000)
    samples = np.sin(2 * np.pi * n / 4 + np.pi / 4)
    assert abs(np.abs(samples).max() - 0.7071) < 1e-3
    assert abs(true_peak(samples) - 1.0) < 0.02


def test_sliding_max_is_the_maximum_of_each_window():
    values = np.random.default_rng(7).uniform(0, 1, 500)
    for radius in (0, 1, 5, 40):
        brute = [values[max(0, n - radius) : n + radius + 1].max() for n in range(len(values))]
        assert np.array_equal(sliding_max(values, radius), brute), radius


def test_the_limiter_holds_the_true_peak_under_the_ceiling_across_pieces():
    speech = samples_of(speechlike_clip(8_000, seed=3))
    samples = np.tile(speech, -(-3 * PIECE_FRAMES // len(speech)))  # several pieces long
    limited = limit(samples, RATE_HZ, db_to_gain(6.0), 0.9, 5.0)
    assert limited.dtype == np.float32 and len(limited) == len(samples)
    assert true_peak(limited) <= 0.9 * 1.001
    quiet = np.abs(samples) < 0.2  # where no peak is near, the gain is the gain asked for
    ratio = limited[quiet & (np.abs(samples) > 0.05)] / samples[quiet & (np.abs(samples) > 0.05)]
    assert np.median(ratio) == pytest.approx(db_to_gain(6.0), rel=0.01)


def test_the_gain_search_reaches_the_target_with_the_limiter_at_work():
    speech = samples_of(speechlike_clip(10_000, seed=4))
    profile = loudness_profile(speech, RATE_HZ)
    gain_db, reached_lufs = gain_for_loudness([profile], [1.0], -16.0, 0.89, 5.0, 12.0)
    assert abs(reached_lufs + 16.0) < 0.1
    limited = limit(speech, RATE_HZ, db_to_gain(gain_db), 0.89, 5.0)
    assert abs(clip_loudness(limited, RATE_HZ) + 16.0) < 0.2  # what was found is what comes out
    assert true_peak(limited) <= 0.89 * 1.001


# ITU-R BS.1770-4, tables 1 and 2: the K-weighting stages at 48 kHz, as (b, a).
PUBLISHED_48K = [
    (
        [1.53512485958697, -2.69169618940638, 1.19839281085285],
        [1.0, -1.69065929318241, 0.73248077421585],
    ),
    ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621]),
]


def test_k_weighting_at_48k_is_the_published_filter() -> None:
    assert np.array(_k_weighting_biquads(48_000)) == pytest.approx(
        np.array(PUBLISHED_48K), abs=1e-12
    )


def recursive_k_weighting(samples: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    """The two biquads run sample by sample, as the standard writes them: slow, but plain."""
    signal = [float(s) for s in samples]
    for b, a in _k_weighting_biquads(sample_rate_hz):
        x1 = x2 = y1 = y2 = 0.0
        for n, x in enumerate(signal):
            y = b[0] * x + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
            x1, x2, y1, y2 = x, x1, y, y1
            signal[n] = y
    return np.array(signal)


@pytest.mark.parametrize("sample_rate_hz", [22_050, 48_000])
def test_the_fft_filter_is_the_recursive_filter(sample_rate_hz: int) -> None:
    """The FFT filter cuts the response after 150 ms: no block energy may show it."""
    clip = speechlike_clip(1_000, 7, sample_rate_hz)
    samples = np.frombuffer(clip.pcm, dtype="<i2") / 32768
    profile = loudness_profile(samples, sample_rate_hz, with_peaks=False)
    silence = np.zeros(sample_rate_hz * BLOCK_MS // 1000)
    filtered = recursive_k_weighting(np.concatenate([silence, samples, silence]), sample_rate_hz)
    segments = len(filtered) // profile.segment_frames
    expected = np.square(filtered[: segments * profile.segment_frames])
    expected = expected.reshape(segments, -1).sum(axis=1)
    difference = np.abs(profile.energies[:segments] - expected).max()
    assert difference < 1e-6 * expected.max()


def test_the_limiter_holds_a_lone_peak_then_eases_back_over_four_radii() -> None:
    radius, at = 10, 100
    peaks = np.zeros(2 * at + 1)
    peaks[at] = 1.0
    gains = limiter_gains(peaks, gain=1.0, ceiling=0.5, radius=radius)
    assert gains[at] == pytest.approx(0.5)  # every window around the peak holds its need
    assert np.all(gains <= 1.0)
    reduced = np.flatnonzero(gains < 1.0 - 1e-12)
    assert (reduced[0], reduced[-1]) == (at - 4 * radius, at + 4 * radius)
    assert np.all(np.diff(gains[: at + 1]) <= 1e-12)  # falls into the peak, no bump
    assert np.allclose(gains, gains[::-1])  # and rises back the same way
