"""Fitting to a target length: repetition counts first, then the elastic scale."""

import itertools

import pytest
from plan_utils import FLEXIBLE, LENGTH_KEY, measure, routine

from voiceguide.errors import PlanError, RoutineError
from voiceguide.pipeline import listening_notes
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine.loader import load_routine_text
from voiceguide.routine.model import Pause, Rounds, Slot, Step


@pytest.mark.parametrize("target_ms", [60_000, 90_000, 200_000, 600_000])
def test_length_fitting_meets_the_target_within_a_second(target_ms):
    timeline = plan(
        routine(Pause(duration_ms=5000), FLEXIBLE), measure, Settings(length_ms=target_ms)
    )
    assert abs(timeline.total_ms - target_ms) <= 1000
    repetitions = [e for e in timeline.events if e.text.startswith("repetition")]
    assert 3 <= len(repetitions) <= 40
    assert timeline.target_ms == target_ms


def test_fitting_adds_repetitions_rather_than_stretching_far():
    natural = plan(routine(FLEXIBLE), measure)
    doubled = plan(routine(FLEXIBLE), measure, Settings(length_ms=2 * natural.total_ms))
    each = {e.duration_ms for e in doubled.events if e.text.startswith("repetition")}
    assert len([e for e in doubled.events if e.text.startswith("repetition")]) >= 7
    assert all(8000 <= ms <= 12_500 for ms in each)


def test_fixed_repetitions_only_scale():
    fixed = Step(say="Hold.", repeat=2, min_repeat=2, max_repeat=2, each_ms=10_000)
    timeline = plan(routine(fixed), measure, Settings(length_ms=30_000))
    assert len([e for e in timeline.events if e.elastic]) == 2
    assert abs(timeline.total_ms - 30_000) <= 1000


def test_target_out_of_reach_names_shortest_and_longest():
    # shortest: 666 ms said + 700 breath + 3 counts of 266 + (3 x 10 s + 4 s) / 2 = 19,164;
    # longest: 666 + 700 + 9 x 266 + 31 x 333 (two-digit counts) + (40 x 10 s + 4 s) x 2 = 822,083
    with pytest.raises(PlanError) as error:
        plan(routine(FLEXIBLE), measure, Settings(length_ms=10_000))
    assert error.value.lines() == [
        "--length 0:10 is out of reach: at pace 1 this routine lasts from 0:19 (shortest) "
        "to 13:42 (longest)"
    ]


def test_routine_without_elastic_time_says_its_length_is_fixed():
    with pytest.raises(PlanError) as error:
        plan(routine(Step(say="Only words.")), measure, Settings(length_ms=60_000))
    assert error.value.lines() == [
        "--length 1:00 is out of reach: this routine has no elastic time and always lasts "
        "0:01 at pace 1"
    ]


def test_routine_length_is_the_default_target_and_settings_override_it():
    with_length = routine(FLEXIBLE, length_ms=120_000)
    assert abs(plan(with_length, measure).total_ms - 120_000) <= 1000
    assert abs(plan(with_length, measure, Settings(length_ms=90_000)).total_ms - 90_000) <= 1000


def test_a_routine_length_out_of_reach_is_located_at_its_key_not_blamed_on_the_option():
    loaded = load_routine_text(LENGTH_KEY, "r.yaml")  # validate's bound (no speech) passes
    with pytest.raises(RoutineError) as error:
        plan(loaded, measure)
    [line] = error.value.lines()
    assert line.startswith("r.yaml:3:9: length: 0:20 is out of reach: at pace 1 this routine")
    assert "--length" not in line


def test_a_routine_length_at_another_pace_says_what_it_became():
    loaded = load_routine_text(LENGTH_KEY, "r.yaml")
    with pytest.raises(RoutineError) as error:
        plan(loaded, measure, Settings(pace=2.0))
    assert error.value.lines()[0].startswith(
        "r.yaml:3:9: length: 0:20 (0:10 at pace 2) is out of reach: at pace 2 this routine"
    )


def test_a_length_option_out_of_reach_names_the_option():
    loaded = load_routine_text(LENGTH_KEY, "r.yaml")
    with pytest.raises(PlanError) as error:
        plan(loaded, measure, Settings(length_ms=5000))
    assert error.value.lines()[0].startswith("--length 0:05 is out of reach: at pace 1")


def test_a_routine_length_without_a_file_names_the_routine_and_the_key():
    with pytest.raises(PlanError) as error:
        plan(routine(FLEXIBLE, length_ms=5000), measure)
    assert error.value.lines()[0].startswith("Test: length: 0:05 is out of reach: at pace 1")


BREATHING = Rounds(  # 4-7-8 breathing: 19 s of fixed slots a round
    4,
    (Slot(None, "In.", 4000), Slot(None, "Hold.", 7000), Slot(None, "Out.", 8000)),
    min_rounds=1,
    max_rounds=40,
)


def test_a_length_adds_or_removes_whole_rounds_and_keeps_their_slots_exact():
    settle = Pause(duration_ms=20_000)  # elastic: 10 to 40 s, so any length is met exactly
    for target_ms in (120_000, 300_000, 600_000):
        timeline = plan(routine(settle, BREATHING), measure, Settings(length_ms=target_ms))
        assert abs(timeline.total_ms - target_ms) <= 1000 and not timeline.target_missed
        starts = [e.start_ms for e in timeline.speech() if e.text == "In."]
        assert all(b - a == 19_000 for a, b in itertools.pairwise(starts))
        assert 10_000 <= timeline.events[0].duration_ms <= 40_000


def test_rounds_of_fixed_slots_alone_come_as_near_as_whole_rounds_and_say_so():
    timeline = plan(routine(BREATHING), measure, Settings(length_ms=300_000))
    assert timeline.total_ms == 16 * 19_000  # 5:04: nearer 5:00 than 15 rounds' 4:45
    assert timeline.target_missed
    assert listening_notes(timeline) == [
        "note: 5:04.0 is as near as whole rounds come to the 5:00 asked for: the rest of the "
        "routine cannot stretch enough to take up the difference (more elastic time would: "
        "a longer pause, or a slot with stretch: true)"
    ]
    exact = plan(routine(BREATHING), measure, Settings(length_ms=19_000 * 7))
    assert exact.total_ms == 7 * 19_000 and not exact.target_missed
    with pytest.raises(PlanError, match=r"lasts from 0:19 \(shortest\) to 12:40 \(longest\)"):
        plan(routine(BREATHING), measure, Settings(length_ms=3_600_000))
