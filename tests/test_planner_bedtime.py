"""Bedtime, lead-in, tail and cue schedules in the planner, on the Timeline."""

import itertools
from dataclasses import replace

import pytest
from plan_utils import massage, measure, side_durations, voice_track_tiles

from voiceguide.errors import PlanError
from voiceguide.plan.bedtime import pace_curve, speech_rate_wpm
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine.model import Background, Bedtime


def elastic_paces(timeline) -> list[float]:
    return [e.pace for e in timeline.events if e.elastic or e.kind == "speech"]


def test_pace_curve_starts_at_one_ends_at_slow_to_and_never_rises():
    points = [pace_curve(0.8, i / 100) for i in range(101)]
    assert points[0] == 1.0 and points[-1] == pytest.approx(0.8)
    assert all(a >= b for a, b in itertools.pairwise(points))
    steps = [a - b for a, b in itertools.pairwise(points)]
    assert max(steps) < 0.2 / 100 * 1.6  # smooth: no step much past the average slope


@pytest.mark.parametrize("pace", [0.8, 1.0, 1.3])
def test_bedtime_pace_eases_monotonically_to_its_end_value(pace):
    timeline = plan(massage(), measure, Settings(pace=pace, bedtime=True))
    paces = elastic_paces(timeline)
    assert paces[0] == pytest.approx(pace, rel=0.01)
    assert paces[-1] == pytest.approx(pace * 0.8)
    assert all(a >= b for a, b in itertools.pairwise(paces))
    voice_track_tiles(timeline)


def test_bedtime_pauses_grow_longer_towards_the_end_and_speech_slows():
    daytime = plan(massage(), measure)
    bedtime = plan(massage(), measure, Settings(bedtime=True))
    reps = [e.duration_ms for e in bedtime.events if e.text.startswith("repetition")]
    assert 10_000 < reps[0] < reps[-1] <= 12_500  # 10 s at pace 1, eased towards pace 0.8
    assert reps == sorted(reps)
    rates = [e.rate_wpm for e in bedtime.speech()]
    assert rates[0] == 150 and rates[-1] == 135 and rates == sorted(rates, reverse=True)
    assert bedtime.total_ms > daytime.total_ms
    assert set(side_durations(bedtime).values()) == {max(side_durations(bedtime).values())}


def test_bedtime_fits_a_target_length_exactly():
    timeline = plan(massage(), measure, Settings(bedtime=True, length_ms=600_000, tail_ms=0))
    assert timeline.total_ms == pytest.approx(600_000, abs=1000)
    assert elastic_paces(timeline)[-1] == pytest.approx(0.8)


def test_bedtime_softens_bells_and_speaks_the_closing_line():
    night = Bedtime(closing="Let your hands rest. Sleep well.")
    timeline = plan(massage(bedtime=night, end_cue="gong"), measure, Settings(bedtime=True))
    cues = [e.cue for e in timeline.cues()]
    assert cues == ["tone", "tone", "tone", "low_tone"]  # bell, chime + bell, gong
    assert [e.text for e in timeline.speech()[-2:]] == ["Let your hands rest.", "Sleep well."]
    assert "That is the end of the session." not in {e.text for e in timeline.speech()}
    assert timeline.bedtime == night
    daytime = plan(massage(bedtime=night, end_cue="gong"), measure)
    assert [e.cue for e in daytime.cues()] == ["bell", "chime", "bell", "gong"]
    assert daytime.speech()[-1].text == "That is the end of the session."
    assert daytime.bedtime is None and daytime.tail_ms == 0


def test_closing_is_added_when_the_routine_ends_without_words():
    night = Bedtime(closing="Sleep well.")
    quiet_end = replace(massage(bedtime=night), items=massage().items[:-1])
    timeline = plan(quiet_end, measure, Settings(bedtime=True))
    assert timeline.speech()[-1].text == "Sleep well."
    assert timeline.chapters[-2].title == "Closing"


def test_bedtime_always_makes_a_routine_bedtime_unless_daytime_is_asked():
    routine = massage(bedtime=Bedtime(always=True))
    assert plan(routine, measure).bedtime is not None
    assert plan(routine, measure, Settings(bedtime=False)).bedtime is None


def test_lead_in_and_tail_frame_the_guided_part_without_changing_it():
    guided = plan(massage(), measure)
    framed = plan(massage(), measure, Settings(lead_in_ms=30_000, tail_ms=600_000))
    assert framed.total_ms == guided.total_ms + 630_000
    assert (framed.lead_in_ms, framed.tail_ms) == (30_000, 600_000)
    assert framed.guided_end_ms == guided.total_ms + 30_000
    assert [c.title for c in framed.chapters] == [
        "Lead-in",
        *[c.title for c in guided.chapters],
        "Tail",
    ]
    assert framed.chapters[-1].start_ms == framed.guided_end_ms
    assert framed.speech()[0].start_ms == guided.speech()[0].start_ms + 30_000
    voice_track_tiles(framed)


def test_length_fits_the_guided_part_and_the_tail_comes_on_top():
    timeline = plan(massage(), measure, Settings(length_ms=300_000, tail_ms=120_000))
    assert timeline.guided_end_ms == pytest.approx(300_000, abs=1000)
    assert timeline.total_ms == timeline.guided_end_ms + 120_000


def test_bedtime_tail_defaults_from_the_routine_and_needs_a_bed():
    assert plan(massage(), measure, Settings(bedtime=True)).tail_ms == 180_000
    silent = replace(massage(), background=Background())
    assert plan(silent, measure, Settings(bedtime=True)).tail_ms == 0
    with pytest.raises(PlanError, match="this session has none: add a background"):
        plan(silent, measure, Settings(tail_ms=120_000))
    with pytest.raises(PlanError, match="a 30 s tail is too short: it fades out over at least 1m"):
        plan(massage(), measure, Settings(tail_ms=30_000))


def test_speech_rate_rule_is_square_root_of_pace_within_engine_limits():
    assert [speech_rate_wpm(150, p) for p in (0.5, 1.0, 2.0)] == [106, 150, 212]
    assert speech_rate_wpm(380, 2.0) == 400
    assert speech_rate_wpm(90, 0.5) == 80
