"""Gain envelopes frame by frame: fades, the voice's ramp and ducking, as the mix says."""

import numpy as np
import pytest

from voiceguide.audio.envelopes import (
    Ducking,
    Fades,
    frame_at,
    mean_voice_fall_db,
    voice_gain,
)
from voiceguide.plan.timeline import Event, Fade, GainRamp, Mix, Timeline
from voiceguide.routine.model import Background, Voice

RATE_HZ = 1_000  # one frame a millisecond: frames read as times


def test_a_fade_in_rises_from_its_start_and_a_fade_out_falls_to_its_end():
    fades = Fades([Fade("bed", "in", 100, 300), Fade("bed", "out", 800, 1_000)], RATE_HZ)
    gain = fades.gain(0, 1_000)
    assert gain is not None
    assert gain[:101].max() == 0.0  # silent before the fade in
    assert gain[200] == pytest.approx(0.5)
    assert gain[300:801].min() == 1.0
    assert gain[900] == pytest.approx(0.5)
    assert gain[999] == pytest.approx(1 / 200)


def test_where_every_fade_is_done_the_gain_is_skipped_and_blocks_agree():
    fades = Fades([Fade("output", "in", 0, 100), Fade("output", "out", 900, 1_000)], RATE_HZ)
    assert fades.gain(100, 900) is None  # exactly 1 throughout: nothing to multiply
    whole = fades.gain(0, 1_000)
    assert whole is not None
    in_blocks = [fades.gain(first, first + 64) for first in range(0, 1_000, 64)]
    pieces = [np.ones(64) if g is None else g for g in in_blocks]
    assert np.array_equal(np.concatenate(pieces)[:1_000], whole)


def test_no_fades_and_fades_of_no_frames_change_nothing():
    assert Fades([], RATE_HZ).gain(0, 100) is None
    assert Fades([Fade("bed", "in", 0, 0)], RATE_HZ).gain(0, 100) is None


def test_fade_frames_follow_the_session_rate():
    fades = Fades([Fade("bed", "in", 0, 10)], 44_100)
    gain = fades.gain(0, frame_at(10, 44_100))
    assert gain is not None and gain[-1] == pytest.approx(1 - 1 / 441)


def test_the_voice_gain_follows_its_ramp_and_is_1_without_one():
    ramp = GainRamp(0, 1_000, 0.0, -6.0)
    assert voice_gain(None, 500) == 1.0
    assert voice_gain(ramp, 1_000) == pytest.approx(10 ** (-6 / 20))


def test_ducking_is_full_under_its_span_and_takes_its_attack_and_release():
    ducking = Ducking([(1_000, 2_000, 8.0)], RATE_HZ, attack_ms=200, release_ms=400)
    gain = ducking.gain(0, 3_000)
    full, half = 10 ** (-8 / 20), (1 + 10 ** (-8 / 20)) / 2  # half way in gain
    assert gain is not None
    assert gain[:801].min() == 1.0 and gain[900] == pytest.approx(half)
    assert gain[1_000:2_001] == pytest.approx(full)
    assert gain[2_200] == pytest.approx(half) and gain[2_400:].min() == 1.0
    assert ducking.gain(2_500, 3_000) is None


def test_each_duck_has_its_own_depth_and_cues_a_share_of_it():
    ducking = Ducking([(1_000, 2_000, 8.0), (4_000, 5_000, 2.0)], RATE_HZ, 200, 400)
    gain = ducking.gain(0, 6_000)
    cues = ducking.gain(0, 6_000, share=0.75)
    assert gain is not None and cues is not None
    assert 20 * np.log10(gain[1_500]) == pytest.approx(-8.0)
    assert 20 * np.log10(gain[4_500]) == pytest.approx(-2.0)
    assert 20 * np.log10(cues[1_500]) == pytest.approx(-6.0)


def test_overlapping_ducks_keep_the_deeper_and_blocks_agree():
    ducking = Ducking([(1_000, 3_000, 2.0), (1_500, 2_000, 8.0)], RATE_HZ, 200, 400)
    whole = ducking.gain(0, 4_000)
    assert whole is not None
    assert 20 * np.log10(whole[1_700]) == pytest.approx(-8.0)
    assert 20 * np.log10(whole[2_800]) == pytest.approx(-2.0)
    pieces = [ducking.gain(first, first + 64) for first in range(0, 4_000, 64)]
    joined = np.concatenate([np.ones(64) if g is None else g for g in pieces])[:4_000]
    assert np.array_equal(joined, whole)


def test_no_ducks_and_ducks_of_no_depth_change_nothing():
    assert Ducking([], RATE_HZ, 200, 400).gain(0, 1_000) is None
    assert Ducking([(100, 500, 0.0)], RATE_HZ, 200, 400).gain(0, 1_000) is None


def test_a_level_fade_falls_evenly_in_db_then_closes_over_its_last_part():
    fades = Fades([Fade("bed", "out", 0, 10_000, fall_db=10.0, last_ms=2_000)], RATE_HZ)
    gain = fades.gain(0, 10_000)
    assert gain is not None
    level_db = 20 * np.log10(np.maximum(gain, 1e-12))
    assert level_db[0] == pytest.approx(0.0)
    assert level_db[4_000] == pytest.approx(-5.0)  # half of the fall half way to its last part
    assert level_db[8_000] == pytest.approx(-10.0)
    assert gain[9_000] == pytest.approx(10 ** (-10 / 20) / 2)  # a straight line of gain
    assert gain[9_999] < 1e-3 and np.all(np.diff(gain) <= 0)


def speech_timeline(ramp: GainRamp | None) -> Timeline:
    events = tuple(Event(ms, 1_000, "speech", 0, text="a", rate_wpm=150) for ms in (0, 1_000))
    return Timeline(
        "t", "", "en", Voice(), Background("none"), 1.0, None, events, (), 2_000,
        mix=Mix(voice_gain=ramp),
    )  # fmt: skip


def test_levelling_aims_higher_by_the_power_mean_of_the_voice_fall():
    assert mean_voice_fall_db(speech_timeline(None)) == 0.0
    fall_db = mean_voice_fall_db(speech_timeline(GainRamp(0, 1_000, 0.0, -10.0)))
    assert fall_db == pytest.approx(-10 * np.log10((1 + 0.1) / 2))
