"""The mix the planner decides: when the bed fades, how the tail fades, how the bedtime
voice falls and how early the bed ducks, as data on the Timeline."""

import json

import pytest
from plan_utils import BROWN, massage, measure

from voiceguide.plan.mix import (
    DUCK_ATTACK_MS,
    DUCK_RELEASE_MS,
    OUTPUT_FADE_MS,
    bed_fade_ms,
    tail_fade_ms,
)
from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.timeline import Fade, GainRamp, Mix
from voiceguide.routine.model import Bedtime, Routine, Step


def test_bed_fades_last_a_thirtieth_of_the_session_within_5_to_30_s_and_half_at_most():
    assert bed_fade_ms(60_000) == 5_000  # 2 s by the fraction: the 5 s floor
    assert bed_fade_ms(600_000) == 20_000
    assert bed_fade_ms(3_600_000) == 30_000  # 2 min by the fraction: the 30 s ceiling
    assert bed_fade_ms(6_000) == 3_000  # never more than half the session


def test_a_tail_fades_over_its_second_half_and_at_least_a_minute():
    assert tail_fade_ms(60_000) == 60_000
    assert tail_fade_ms(300_000) == 150_000


def test_a_daytime_session_carries_its_bed_fades_and_no_voice_fall():
    timeline = plan(massage(), measure)
    total_ms, fade_ms = timeline.total_ms, bed_fade_ms(timeline.total_ms)
    assert timeline.mix == Mix(
        fades=(
            Fade("bed", "in", 0, fade_ms),
            Fade("bed", "out", total_ms - fade_ms, total_ms),
            Fade("output", "out", total_ms - OUTPUT_FADE_MS, total_ms),
        ),
        voice_gain=None,
        duck_attack_ms=DUCK_ATTACK_MS,
        duck_release_ms=DUCK_RELEASE_MS,
    )


def test_bedtime_carries_the_lead_in_fade_the_tail_fade_and_the_voice_fall():
    night = Bedtime(voice_fall_db=5.0)
    settings = Settings(bedtime=True, lead_in_ms=20_000, tail_ms=240_000)
    timeline = plan(massage(bedtime=night), measure, settings)
    total_ms, speech = timeline.total_ms, timeline.speech()
    bed_in, bed_out, output_out = timeline.mix.fades
    assert bed_in == Fade("bed", "in", 0, 10_000)  # up within the lead-in's first half
    assert bed_out == Fade("bed", "out", total_ms - 120_000, total_ms)  # the tail's second half
    assert output_out == Fade("output", "out", total_ms - 20, total_ms)
    assert timeline.mix.voice_gain == GainRamp(speech[0].start_ms, speech[-1].start_ms, 0.0, -5.0)


def test_the_mix_is_in_the_plan_json():
    timeline = plan(massage(), measure, Settings(bedtime=True))
    data = json.loads(timeline.to_json())["mix"]
    end_ms = bed_fade_ms(timeline.total_ms)
    assert data["fades"][0] == {"target": "bed", "direction": "in", "start_ms": 0, "end_ms": end_ms}
    assert data["voice_gain"]["to_db"] == -Bedtime().voice_fall_db


def test_a_single_phrase_has_no_voice_fall():
    one_phrase = Routine(title="t", items=(Step(name="Hi", say="Hello."),), background=BROWN)
    timeline = plan(one_phrase, measure, Settings(bedtime=True))
    assert len(timeline.speech()) == 1
    assert timeline.mix.voice_gain is None


@pytest.mark.parametrize(
    ("at_ms", "level_db"), [(0, 0.0), (1_000, 0.0), (2_000, -2.0), (3_000, -4.0), (9_000, -4.0)]
)
def test_a_gain_ramp_moves_in_a_straight_line_and_holds_outside(at_ms, level_db):
    assert GainRamp(1_000, 3_000, 0.0, -4.0).level_db(at_ms) == level_db
