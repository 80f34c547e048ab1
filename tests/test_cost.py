"""Bounds of what a routine costs, known from the routine alone: they hold for what the
planner makes."""

from __future__ import annotations

import re

import pytest

from voiceguide.errors import PlanError
from voiceguide.plan.layout import CUE_BREATH
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine import cost
from voiceguide.routine.loader import load_routine_text
from voiceguide.routine.model import MIN_SCALE, Pause, Rounds, Routine, Sides, Slot, Step
from voiceguide.tts.fake import speech_ms

EVERY_KIND = Routine(
    title="Every kind",
    items=(
        Step(name="Hello", say="Hello.", start_cue="bell"),
        Sides(
            ("right", "left"),
            (
                Step(
                    say="Stroke the {side} hand.",
                    repeat=4,
                    min_repeat=2,
                    max_repeat=4,
                    each_ms=3000,
                    count=True,
                    repeat_cue="tick",
                    rest_ms=2000,
                ),
                Slot(
                    name="Hold",
                    say="Hold.",
                    slot_ms=20_000,
                    countdown=3,
                    start_cue="bell",
                    end_cue="bell",
                ),
            ),
            announce="Now the {side} hand.",
        ),
        Pause(30_000),
    ),
    end_cue="gong",
)


def test_the_event_bound_holds_and_is_close_at_the_largest_repeat_counts() -> None:
    timeline = plan(EVERY_KIND, speech_ms)  # repeat is max_repeat: the largest layout
    bound = cost.event_bound(EVERY_KIND)
    assert len(timeline.events) <= bound <= len(timeline.events) + 10


@pytest.mark.parametrize("bedtime", [False, True])
def test_the_shortest_bound_is_below_what_the_planner_can_reach(bedtime: bool) -> None:
    bound_ms = cost.shortest_ms(EVERY_KIND, MIN_SCALE)
    with pytest.raises(PlanError) as error:
        plan(EVERY_KIND, speech_ms, Settings(length_ms=1000, bedtime=bedtime))
    found = re.search(r"lasts from (\d+):(\d\d) \(shortest\)", str(error.value))
    assert found, str(error.value)
    shortest_ms = (int(found[1]) * 60 + int(found[2])) * 1000  # rounded to the second
    assert bound_ms <= shortest_ms + 500
    assert bound_ms >= shortest_ms / 2  # and not uselessly low


def test_the_shortest_bound_is_exact_without_speech_or_cues() -> None:
    routine = Routine(title="Quiet", items=(Pause(60_000), Slot(None, None, 30_000)))
    assert cost.shortest_ms(routine, MIN_SCALE) == 30_000 + 30_000


def test_the_natural_minimum_counts_repetitions_sides_rounds_and_rests() -> None:
    routine_items = (
        Step(say="Go.", repeat=3, each_ms=2000, rest_ms=1000),
        Sides(("right", "left"), (Pause(5000),)),
        Rounds(3, (Slot(None, None, 10_000),), rest_ms=4000),
    )
    assert cost.natural_minimum_ms(routine_items) == 7000 + 2 * 5000 + 3 * 10_000 + 2 * 4000


def _routine(text: str) -> Routine:
    return load_routine_text("version: 1\ntitle: Limits\nsections:\n" + text, "limits.yaml")


def test_the_phrase_bound_counts_placeholder_variants_and_numbers() -> None:
    routine = _routine(
        "  - rounds: 3\n"
        "    announce: Round {round} of {rounds}.\n"
        "    steps:\n"
        "      - {say: Stroke., each: 2s, repeat: 4, max_repeat: 12, count: true}\n"
        "  - for_each_side: [right, left]\n"
        "    announce: Now {side}.\n"
        "    steps:\n"
        "      - {say: Hold., slot: 20s, countdown: 3}\n"
    )
    timeline = plan(routine, speech_ms, Settings(length_ms=130_000))  # counts past 4
    said = {event.text for event in timeline.speech()}
    phrases = cost.phrase_bound(routine)
    # 3 round announcements, 2 side announcements, "Stroke.", "Hold.", and 1 to 12
    assert phrases.count == 3 + 2 + 2 + 12
    assert len(said) <= phrases.count and sum(map(len, said)) <= phrases.chars


NESTED = _routine(
    "  - for_each: [{name: push-ups, cue: go hard}, {name: wall sit, cue: hold still}]\n"
    "    announce: '{item}: {cue}.'\n"
    "    steps:\n"
    "      - for_each_side: [right, left]\n"
    "        steps: [{say: '{item}, {side} side.', slot: 20s, countdown: 2}]\n"
    "    between: {name: Rest, slot: 10s, say: 'Next: {next}.', countdown: 3}\n"
    "  - rounds: 2\n"
    "    min_rounds: 1\n"
    "    max_rounds: 4\n"
    "    announce: Round {round} of {rounds}.\n"
    "    steps: [{slot: 4s, say: In.}, {slot: 8s, say: Out.}]\n"
    "    between: {pause: 5s}\n"
)


def test_the_bounds_hold_for_lists_nested_blocks_and_rounds_fitted_to_a_length() -> None:
    longest = plan(NESTED, speech_ms, Settings(length_ms=180_000))  # all 4 rounds
    assert len(longest.events) <= cost.event_bound(NESTED)
    phrases = cost.phrase_bound(NESTED)
    said = set()
    for length_ms in range(112_000, 181_000, 4000):  # 1 to 4 rounds
        said |= {
            event.text for event in plan(NESTED, speech_ms, Settings(length_ms=length_ms)).speech()
        }
    assert {f"Round 1 of {n}." for n in range(1, 5)} <= said
    # 2 announcements, 4 side texts, "Next: wall sit.", 4 x 4 round texts, In., Out., 1 to 3
    assert phrases.count == 2 + 4 + 2 + 16 + 2 + 3
    assert len(said) <= phrases.count and sum(map(len, said)) <= phrases.chars
    assert cost.shortest_ms(NESTED, MIN_SCALE) <= min(
        plan(NESTED, speech_ms, Settings(length_ms=112_000)).total_ms, 112_000
    )


SLOTS = (
    "  - for_each_side: [right, left]\n"
    "    steps:\n"
    "      - slot: 30s\n"
    "        say: Side plank on your {side}.\n"
    "        tick_every: 5s\n"
    "        at: {10s: 'Keep your {side} hip high.', -5s: Five seconds left.}\n"
    "  - {slot: 4s, say: In, count_up: true, tick_every: 1s, end_cue: bell}\n"
    "  - {slot: 7s, count_up: true, tick_every: 500ms, end_cue: bell}\n"
    "  - {pause: 5s, tick_every: 1s}\n"
)


def test_the_event_bound_holds_for_words_numbers_and_ticks_inside_slots() -> None:
    routine = _routine(SLOTS)
    timeline = plan(routine, speech_ms)
    ticks = 2 * 6 + 4 + 14 + 5
    assert len(timeline.cues()) == ticks + 3  # and the switch chime and two bells
    bound = cost.event_bound(routine)
    assert len(timeline.events) <= bound <= len(timeline.events) + 10


def test_the_phrase_bound_counts_at_words_per_side_and_numbers_counted_up() -> None:
    routine = _routine(SLOTS)
    said = {event.text for event in plan(routine, speech_ms).speech()}
    phrases = cost.phrase_bound(routine)
    # 2 openings and 2 "hip" texts with {side}, "Five seconds left.", "In", and 1 to 7
    assert phrases.count == 2 + 2 + 1 + 1 + 7
    assert len(said) == phrases.count  # every one of them is said
    assert sum(map(len, said)) <= phrases.chars


BREATHS = (
    "  - say: Welcome.\n"
    "  - for_each_side: [right, left]\n"
    "    switch_cue: tick\n"
    "    announce: Now your {side} hand.\n"
    "    steps:\n"
    "      - {say: Squeeze it., start_cue: bell}\n"
    "  - {slot: 10s, say: Hold., start_cue: bell, tick_every: 5s}\n"
    "  - {slot: 10s, say: Again., start_cue: bell}\n"
    "  - {pause: 4s, tick_every: 1s}\n"
    "  - say: Done.\n"
)


def test_the_event_bound_counts_the_breaths_before_cues() -> None:
    routine = _routine(BREATHS + "end_cue: gong\n")
    timeline = plan(routine, speech_ms)
    breaths = [e for e in timeline.events if e.text == CUE_BREATH]
    # After each announce, at the right side's end, before the first slot, before the gong;
    # none right after a slot, even before the next slot's bell or the pause's first tick.
    assert len(breaths) == 5
    assert cost.breath_bound(routine) == 5
    bound = cost.event_bound(routine)
    assert len(timeline.events) <= bound <= len(timeline.events) + 10


def test_a_placeholder_counts_once_in_the_innermost_block_that_gives_it() -> None:
    names = ", ".join(f"n{i}" for i in range(20))
    routine = _routine(
        f"  - for_each: [{names}]\n"
        "    steps:\n"
        f"      - for_each: [{names}]\n"
        "        steps: [{say: '{item}'}]\n"
    )
    assert cost.phrase_bound(routine).count == 20  # the inner {item}: 20 names, not 400
