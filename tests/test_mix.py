"""The mix the planner decides: when the bed fades, how the tail fades, how the bedtime
voice falls and how early the bed ducks, as data on the Timeline."""

import json

import pytest
from plan_utils import BROWN, massage, measure

from voiceguide.plan.mix import (
    DUCK_ATTACK_MS,
    DUCK_MERGE_GAP_MS,
    DUCK_RELEASE_MS,
    NARRATION_DUCK_DB,
    OUTPUT_FADE_MS,
    TAIL_FALL_DB,
    TAIL_LAST_MS,
    bed_fade_ms,
    duck_depth_db,
    plan_ducks,
    plan_mix,
    tail_fade_ms,
)
from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.timeline import Duck, Event, Fade, GainRamp, Mix, Timeline
from voiceguide.routine.model import Bedtime, Routine, Step, Voice


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
        ducks=plan_ducks(timeline),
    )


def test_bedtime_carries_the_lead_in_fade_the_tail_fade_and_the_voice_fall():
    night = Bedtime(voice_fall_db=5.0)
    settings = Settings(bedtime=True, lead_in_ms=20_000, tail_ms=240_000)
    timeline = plan(massage(bedtime=night), measure, settings)
    total_ms, speech = timeline.total_ms, timeline.speech()
    bed_in, bed_out, output_out = timeline.mix.fades
    assert bed_in == Fade("bed", "in", 0, 10_000)  # up within the lead-in's first half
    # The tail's second half, falling evenly in dB and closing over its last half-minute.
    assert bed_out == Fade("bed", "out", total_ms - 120_000, total_ms, TAIL_FALL_DB, TAIL_LAST_MS)
    assert output_out == Fade("output", "out", total_ms - 20, total_ms)
    assert timeline.mix.voice_gain == GainRamp(speech[0].start_ms, speech[-1].start_ms, 0.0, -5.0)


def test_the_mix_is_in_the_plan_json():
    timeline = plan(massage(), measure, Settings(bedtime=True))
    data = json.loads(timeline.to_json())["mix"]
    end_ms = bed_fade_ms(timeline.total_ms)
    assert data["fades"][0] == {
        "target": "bed",
        "direction": "in",
        "start_ms": 0,
        "end_ms": end_ms,
        "fall_db": 0.0,
        "last_ms": 0,
    }
    assert data["ducks"][0].keys() == {"start_ms", "end_ms", "depth_db"}
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


# -- ducking suits what is said (issue 15) ----------------------------------------------------


def spoken(*phrases: tuple[int, int]) -> Timeline:
    """A timeline of phrases given as (start, duration), silence between."""
    events, now_ms = [], 0
    for start_ms, duration_ms in phrases:
        if start_ms > now_ms:
            events.append(Event(now_ms, start_ms - now_ms, "silence", 0))
        events.append(Event(start_ms, duration_ms, "speech", 0, text="x", rate_wpm=150))
        now_ms = start_ms + duration_ms
    total_ms = now_ms + 5_000
    events.append(Event(now_ms, 5_000, "silence", 0))
    return Timeline("t", "", "en", Voice(), BROWN, 1.0, None, tuple(events), (), total_ms)


def test_the_duck_deepens_with_what_is_said_from_none_for_a_word_to_full_for_a_sentence():
    assert duck_depth_db(400) == 0.0  # a count
    assert duck_depth_db(1_000) == 0.0  # a word or two
    assert 0.0 < duck_depth_db(1_500) < duck_depth_db(2_000) < NARRATION_DUCK_DB
    assert duck_depth_db(2_500) == duck_depth_db(9_000) == NARRATION_DUCK_DB


def test_a_lone_count_word_does_not_duck_and_a_sentence_ducks_fully():
    ducks = plan_ducks(spoken((10_000, 400), (20_000, 5_000), (40_000, 430)))
    assert ducks == (Duck(20_000, 25_000, NARRATION_DUCK_DB),)


def test_phrases_closer_than_the_ramps_dip_as_one():
    close = DUCK_MERGE_GAP_MS - 1
    ducks = plan_ducks(spoken((10_000, 3_000), (13_000 + close, 3_000)))
    assert ducks == (Duck(10_000, 16_000 + close, NARRATION_DUCK_DB),)
    apart = plan_ducks(spoken((10_000, 3_000), (13_000 + DUCK_MERGE_GAP_MS, 3_000)))
    assert len(apart) == 2


def test_short_phrases_close_together_add_up_to_a_dip():
    # Each 1.2 s alone would dip about 1 dB; said back to back they are narration.
    ducks = plan_ducks(spoken((10_000, 1_200), (11_700, 1_200), (13_400, 1_200)))
    assert ducks == (Duck(10_000, 14_600, NARRATION_DUCK_DB),)


def test_a_count_said_just_after_a_sentence_stays_out_of_its_dip():
    """A count 0.7 s after the sentence: the dip ends with the sentence, not after the count,
    and a word said before a sentence is not pulled into its dip either."""
    ducks = plan_ducks(spoken((10_000, 600), (11_100, 5_000), (16_800, 400)))
    assert ducks == (Duck(11_100, 16_100, NARRATION_DUCK_DB),)


def test_a_word_between_two_sentences_keeps_the_bed_down():
    ducks = plan_ducks(spoken((10_000, 3_000), (13_500, 500), (14_500, 3_000)))
    assert ducks == (Duck(10_000, 17_500, NARRATION_DUCK_DB),)


def test_the_mix_carries_the_ducks_and_the_template_counts_do_not_dip():
    timeline = plan(massage(), measure)
    assert plan_mix(timeline).ducks == timeline.mix.ducks
    counts = [e for e in timeline.speech() if e.text.rstrip(".").isdigit()]
    assert counts
    for count in counts:
        for duck in timeline.mix.ducks:
            assert not duck.start_ms <= count.start_ms < duck.end_ms
