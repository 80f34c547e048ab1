"""Resampling clips to the session's rate: length, pitch, level, and seamless pieces."""

import numpy as np
import pytest

from voiceguide.audio.loudness import PIECE_FRAMES
from voiceguide.audio.resample import resample, resampled_frames


def tone(frequency_hz: float, seconds: float, rate_hz: int) -> np.ndarray:
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    return (0.5 * np.sin(2 * np.pi * frequency_hz * t)).astype(np.float32)


def peak_hz(samples: np.ndarray, rate_hz: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate_hz / len(samples))


def test_the_same_rate_returns_the_samples_unchanged():
    samples = tone(440, 0.5, 22_050)
    assert np.array_equal(resample(samples, 22_050, 22_050), samples)


@pytest.mark.parametrize(
    ("from_hz", "to_hz"), [(22_050, 44_100), (22_050, 48_000), (48_000, 22_050)]
)
def test_length_pitch_and_level_survive(from_hz, to_hz):
    samples = tone(440, 2.0, from_hz)
    out = resample(samples, from_hz, to_hz)
    assert out.dtype == np.float32
    assert len(out) == resampled_frames(len(samples), from_hz, to_hz) == round(2.0 * to_hz)
    assert abs(peak_hz(out, to_hz) - 440) < 1.0
    middle = out[to_hz // 4 : -to_hz // 4]  # away from the edges, where the clip starts cold
    assert abs(np.sqrt(np.mean(middle.astype(np.float64) ** 2)) - 0.5 / np.sqrt(2)) < 0.005


def test_a_long_clip_in_pieces_matches_a_pure_tone_without_seams():
    """Several pieces long: every sample, seams included, is the ideal tone to about -80 dB."""
    from_hz, to_hz = 22_050, 48_000
    seconds = 3 * PIECE_FRAMES / from_hz + 0.3
    out = resample(tone(300, seconds, from_hz), from_hz, to_hz)
    ideal = tone(300, len(out) / to_hz, to_hz)[: len(out)]
    inner = slice(to_hz // 10, len(out) - to_hz // 10)
    assert np.max(np.abs(out[inner] - ideal[inner])) < 1e-4


def test_what_is_above_the_new_band_is_removed_not_folded_back():
    samples = tone(15_000, 1.0, 44_100)  # above 11 025 Hz, the band of 22 050 Hz
    out = resample(samples, 44_100, 22_050)
    assert np.max(np.abs(out[2_000:-2_000])) < 1e-3


def test_it_is_deterministic():
    samples = np.random.default_rng(3).uniform(-0.5, 0.5, 50_000).astype(np.float32)
    assert np.array_equal(resample(samples, 22_050, 44_100), resample(samples, 22_050, 44_100))
