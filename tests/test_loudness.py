"""The loudness meter's filter and the limiter's gain curve (voiceguide/audio/loudness.py).

The meter against ffmpeg and the limiter on speech are tested in test_render.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from audio_utils import speechlike_clip

from voiceguide.audio.loudness import (
    BLOCK_MS,
    _k_weighting_biquads,
    limiter_gains,
    loudness_profile,
)

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
