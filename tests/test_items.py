"""Items read into the model, and what an item must hold beyond its declared keys."""

from __future__ import annotations

import yaml

from voiceguide.routine.items import read_items
from voiceguide.routine.model import Pause, Rounds, Sides, Slot, Step
from voiceguide.routine.nodes import Report
from voiceguide.routine.placeholders import Scope


def _items(text: str):
    report = Report("i.yaml")
    items = read_items(report, yaml.compose(text), "sections", Scope())
    return items, [f"{p.key}: {p.message}" for p in sorted(report.problems)]


def test_each_kind_is_told_by_its_key():
    items, problems = _items(
        "- {say: Hello.}\n"
        "- {pause: 5s}\n"
        "- {slot: 30s, say: Hold.}\n"
        "- {for_each_side: [right, left], steps: [{say: 'Now {side}.'}]}\n"
        "- {rounds: 2, steps: [{say: 'Round {round}.'}]}\n"
    )
    assert problems == []
    assert items == (
        Step(say="Hello."),
        Pause(5000),
        Slot(None, "Hold.", 30_000),
        Sides(("right", "left"), (Step(say="Now {side}."),)),
        Rounds(2, (Step(say="Round {round}."),)),
    )


def test_an_item_is_one_kind():
    items, problems = _items("- {pause: 5s, slot: 10s}\n")
    assert items == ()
    assert problems == [
        "sections[0]: an item is one kind, but this one has both 'slot' and 'pause': split it "
        "in two"
    ]


def test_a_step_says_something_or_takes_time_and_its_repeats_need_each():
    _, problems = _items("- {name: Nothing}\n- {say: Hi., repeat: 3}\n")
    assert problems == [
        "sections[0]: a step needs 'say' (narration), 'each' (activity time), or both",
        "sections[1].repeat: needs 'each', the activity time of one repetition",
    ]


def test_repeat_bounds_hold_repeat_between_them():
    _, problems = _items("- {each: 2s, repeat: 4, min_repeat: 5, max_repeat: 3}\n")
    assert problems == [
        "sections[0].min_repeat: is 5 but repeat is 4: make min_repeat at most 4",
        "sections[0].max_repeat: is 3 but repeat is 4: make max_repeat at least 4",
    ]


def test_a_countdown_fits_in_its_slot():
    _, problems = _items("- {slot: 3s, countdown: 3}\n")
    assert problems == [
        "sections[0].countdown: a 3 s countdown does not fit in a 3 s slot: use countdown: 2 "
        "or less, or a longer slot"
    ]


def test_blocks_do_not_nest():
    _, problems = _items(
        "- rounds: 2\n"
        "  steps:\n"
        "    - {for_each_side: [right], steps: [{say: 'Now {side}, round {round}.'}]}\n"
    )
    assert problems == [
        "sections[0].steps[0].for_each_side: a for_each_side block cannot be inside a rounds "
        "block: blocks do not nest; move it out to the top level of sections"
    ]


def test_a_list_is_needed_and_not_an_empty_one():
    assert _items("say: hi\n") == ((), ["sections: expected a list of items, got a mapping"])
    assert _items("[]") == ((), ["sections: is empty: give at least one item"])
