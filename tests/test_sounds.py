from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.audio.beds import CHUNK_FRAMES, bed_stream
from voiceguide.audio.sounds import cue_sound, fade_edges
from voiceguide.errors import AudioError
from voiceguide.routine.limits import BACKGROUND_SOUNDS, CUE_SOUNDS
from voiceguide.routine.model import Background

RATE_HZ = 44_100
BEDS = [sound for sound in BACKGROUND_SOUNDS if sound != "none"]
EDGE_LEVEL = 0.01  # -40 dB: the first and last samples of a sound, where a click would be


def band_power(samples: np.ndarray, low_hz: float, high_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    frequency_hz = np.fft.rfftfreq(len(samples), 1 / RATE_HZ)
    return float(spectrum[(frequency_hz >= low_hz) & (frequency_hz < high_hz)].sum())


def read_in_pieces(
    sound: str, sizes: list[int], seed: int = 0, channels: int | None = None
) -> np.ndarray:
    """A bed read in pieces: one channel, unless it needs two or is asked for them."""
    channels = channels or (2 if sound == "binaural" else 1)
    stream = bed_stream(Background(sound=sound), RATE_HZ, seed, channels)
    assert stream is not None
    return np.concatenate([stream.read(size) for size in sizes])


@pytest.mark.parametrize("name", CUE_SOUNDS)
def test_cue_sounds_peak_at_one_and_start_and_end_silently(name: str) -> None:
    sound = cue_sound(name, RATE_HZ)
    assert np.abs(sound).max() == pytest.approx(1.0)
    assert abs(sound[0]) < EDGE_LEVEL
    assert abs(sound[-1]) < EDGE_LEVEL
    assert 0.05 < len(sound) / RATE_HZ <= 5.0


@pytest.mark.parametrize("name", CUE_SOUNDS)
def test_cue_sounds_are_deterministic_from_the_seed(name: str) -> None:
    assert np.array_equal(cue_sound(name, RATE_HZ, seed=3), cue_sound(name, RATE_HZ, seed=3))
    assert not np.array_equal(cue_sound(name, RATE_HZ, seed=3), cue_sound(name, RATE_HZ, 4))


@pytest.mark.parametrize("rate_hz", [22_050, 48_000])
def test_cue_sounds_keep_their_duration_at_any_rate(rate_hz: int) -> None:
    assert len(cue_sound("bell", rate_hz)) == 3 * rate_hz


def test_the_tick_is_short_and_the_bell_rings() -> None:
    assert len(cue_sound("tick", RATE_HZ)) < 0.1 * RATE_HZ
    bell = cue_sound("bell", RATE_HZ)
    one_second_in = bell[RATE_HZ : RATE_HZ + RATE_HZ // 10]
    assert np.abs(one_second_in).max() > 0.1  # still ringing after a second


def test_an_unknown_cue_is_an_audio_error() -> None:
    with pytest.raises(AudioError, match="unknown cue sound 'whistle'"):
        cue_sound("whistle", RATE_HZ)


def test_fade_edges_silences_both_ends_and_keeps_the_middle() -> None:
    faded = fade_edges(np.ones(RATE_HZ), RATE_HZ, 10, 20)
    assert faded[0] < EDGE_LEVEL
    assert faded[-1] < EDGE_LEVEL
    assert np.all(faded[RATE_HZ // 100 : -RATE_HZ // 50] == 1.0)
    assert np.all(np.diff(faded[: RATE_HZ // 100]) > 0)


def test_no_background_is_no_stream_and_an_unknown_one_is_an_error() -> None:
    assert bed_stream(Background(sound="none"), RATE_HZ) is None
    with pytest.raises(AudioError, match="unknown background sound 'rain'"):
        bed_stream(Background(sound="rain"), RATE_HZ)


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("sound", BEDS)
def test_beds_are_the_same_whatever_the_block_size(sound: str, channels: int) -> None:
    if sound == "binaural" and channels == 1:
        pytest.skip("binaural needs two channels")
    total = 3 * CHUNK_FRAMES + 123
    whole = read_in_pieces(sound, [total], channels=channels)
    pieces = [1024] * (total // 1024) + [total % 1024]
    assert np.array_equal(whole, read_in_pieces(sound, pieces, channels=channels))
    odd = [1, 4095, 7, 20_000, total - 24_103]
    assert np.array_equal(whole, read_in_pieces(sound, odd, channels=channels))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=3 * CHUNK_FRAMES), min_size=1, max_size=8))
def test_noise_is_the_same_for_any_split(sizes: list[int]) -> None:
    reference = read_in_pieces("pink", [sum(sizes)])
    assert np.array_equal(reference, read_in_pieces("pink", sizes))


@pytest.mark.parametrize("sound", BEDS)
def test_beds_are_deterministic_from_the_seed(sound: str) -> None:
    first = read_in_pieces(sound, [RATE_HZ], seed=7)
    assert np.array_equal(first, read_in_pieces(sound, [RATE_HZ], seed=7))
    assert not np.array_equal(first, read_in_pieces(sound, [RATE_HZ], seed=8))


@pytest.mark.parametrize("sound", ["white", "pink", "brown"])
def test_noise_has_unit_level_and_no_rumble(sound: str) -> None:
    noise = read_in_pieces(sound, [10 * RATE_HZ]).astype(np.float64)
    assert np.sqrt(np.mean(noise**2)) == pytest.approx(1.0, rel=0.1)
    assert band_power(noise, 0, 15) < 0.01 * band_power(noise, 15, RATE_HZ / 2)


def test_noise_colours_tilt_towards_the_bass_in_order() -> None:
    def tilt(sound: str) -> float:
        noise = read_in_pieces(sound, [4 * RATE_HZ]).astype(np.float64)
        return band_power(noise, 100, 400) / band_power(noise, 4000, 16_000)

    assert tilt("white") < tilt("pink") < tilt("brown")
    assert tilt("white") == pytest.approx(300 / 12_000, rel=0.2)  # flat: power by bandwidth


def test_noise_segments_join_without_a_dip_in_level() -> None:
    noise = read_in_pieces("white", [40 * CHUNK_FRAMES]).astype(np.float64).reshape(80, -1)
    halves = np.sqrt(np.mean(noise**2, axis=1))  # first and second half of each chunk
    assert np.all(np.abs(halves - 1.0) < 0.1)


def test_the_drone_is_low_and_swells_slowly() -> None:
    drone = read_in_pieces("drone", [20 * RATE_HZ]).astype(np.float64)
    assert band_power(drone, 50, 400) > 0.99 * band_power(drone, 0, RATE_HZ / 2)
    level_per_second = np.sqrt(np.mean(drone.reshape(20, -1) ** 2, axis=1))
    assert level_per_second.max() / level_per_second.min() > 1.2


def test_a_drone_chunk_far_into_a_long_session_is_exact() -> None:
    stream = bed_stream(Background(sound="drone"), RATE_HZ)
    assert stream is not None
    far = stream.chunk(8 * 3600 * RATE_HZ // CHUNK_FRAMES)  # eight hours in
    assert np.all(np.isfinite(far))
    assert np.abs(far).max() < 5.0
