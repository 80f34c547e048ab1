"""Items read into the model, and what an item must hold beyond its declared keys."""

from __future__ import annotations

import yaml

from voiceguide.routine.items import read_items
from voiceguide.routine.model import ForEach, Pause, Rounds, Sides, Slot, Step
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


def test_blocks_nest_and_inner_text_has_the_placeholders_of_both():
    items, problems = _items(
        "- rounds: 2\n"
        "  steps:\n"
        "    - {for_each_side: [right], steps: [{say: 'Now {side}, round {round}.'}]}\n"
        "- for_each_side: [right, left]\n"
        "  steps:\n"
        "    - {rounds: 3, steps: [{say: '{side} {round} of {rounds}'}]}\n"
    )
    assert problems == []
    outer, other = items
    assert isinstance(outer, Rounds) and isinstance(outer.items[0], Sides)
    assert isinstance(other, Sides) and isinstance(other.items[0], Rounds)


def test_a_list_block_reads_words_and_mappings_with_their_fields():
    items, problems = _items(
        "- for_each: [push-ups, {name: wall sit, tip: back flat}]\n"
        "  steps: [{slot: 30s, say: '{index} of {count}: {item}. {tip}.'}]\n"
        "  between: {slot: 10s, say: 'Next: {next}.'}\n"
    )
    assert problems == ["sections[0].for_each[1]: this entry has 'tip' and the first (line 1) "
                        "does not: give every entry the same fields"]  # fmt: skip
    items, problems = _items(
        "- for_each: [{name: push-ups, tip: fast}, {name: wall sit, tip: back flat}]\n"
        "  steps: [{slot: 30s, say: '{index} of {count}: {item}. {tip}.'}]\n"
        "  between: {slot: 10s, say: 'Next: {next}.'}\n"
    )
    assert problems == []
    [block] = items
    assert isinstance(block, ForEach)
    assert block.entries == (
        {"item": "push-ups", "tip": "fast"},
        {"item": "wall sit", "tip": "back flat"},
    )
    assert block.between == (Slot(None, "Next: {next}.", 10_000),)


def test_list_entries_are_checked_where_they_are_written():
    _, problems = _items(
        "- for_each: [{tip: x}, {name: a, next: b}, {name: c, 2x: d}, [a], '...']\n"
        "  steps: [{say: '{item}'}]\n"
    )
    assert problems == [
        "sections[0].for_each[0]: an entry that is a mapping needs 'name', e.g. {name: plank, ...}",
        "sections[0].for_each[1].next: {next} is the list's own placeholder: rename the field",
        "sections[0].for_each[2].2x: a field's name is letters, digits and _ (it is a placeholder)",
        "sections[0].for_each[3]: expected a name or a mapping with a name, got a list",
        "sections[0].for_each[4]: has nothing to say (no letter or digit, only punctuation, "
        "symbols or invisible characters), so the voice would be silent: write words, or leave "
        "the key out",
    ]


def test_list_placeholders_are_known_only_inside_the_list():
    _, problems = _items("- {say: 'Next: {next}.'}\n")
    assert problems == ["sections[0].say: {next} is only known inside a for_each block"]


def test_rounds_have_a_range_for_fitting_and_one_way_to_say_what_comes_between():
    items, problems = _items(
        "- {rounds: 4, min_rounds: 2, max_rounds: 9, steps: [{slot: 4s}], between: {pause: 5s}}\n"
    )
    assert problems == []
    assert items == (
        Rounds(4, (Slot(None, None, 4000),), min_rounds=2, max_rounds=9, between=(Pause(5000),)),
    )
    assert Rounds(3, ()).min_rounds == Rounds(3, ()).max_rounds == 3
    _, problems = _items(
        "- {rounds: 4, min_rounds: 5, max_rounds: 3, rest: 5s, between: [{pause: 5s}],\n"
        "   steps: [{slot: 4s}]}\n"
    )
    assert problems == [
        "sections[0].min_rounds: is 5 but rounds is 4: make min_rounds at most 4",
        "sections[0].max_rounds: is 3 but rounds is 4: make max_rounds at least 4",
        "sections[0].rest: rest and between both say what comes between rounds: keep one "
        "(rest: 10s is between: {pause: 10s})",
    ]


def test_an_announce_inside_a_slot_needs_an_announce_and_a_slot_to_be_in():
    _, problems = _items(
        "- {rounds: 2, announce_in_slot: true, steps: [{slot: 4s}]}\n"
        "- {rounds: 2, announce: Go, announce_in_slot: true, steps: [{say: hi}]}\n"
        "- {rounds: 2, announce: Go, announce_in_slot: true, steps: [{slot: 4s}]}\n"
    )
    assert problems == [
        "sections[0].announce_in_slot: there is no announce to speak: add one",
        "sections[1].announce_in_slot: the first of steps is not a slot, so there is no slot "
        "to speak it in: start steps with a slot, or leave announce_in_slot out",
    ]


def test_a_list_is_needed_and_not_an_empty_one():
    assert _items("say: hi\n") == ((), ["sections: expected a list of items, got a mapping"])
    assert _items("[]") == ((), ["sections: is empty: give at least one item"])


def test_an_entry_with_a_problem_is_reported_once_and_no_list_breaks_the_checks():
    _, problems = _items(
        "- for_each: [{name: a, tip: x}, {name: b, tip: ''}, {name: c, side: d}]\n"
        "  steps: [{say: '{item}'}]\n"
        "- for_each: []\n"
        "  steps: [{say: '{item}'}]\n"
    )
    assert problems == [
        "sections[0].for_each[1].tip: is empty: write the text, or leave the key out",
        "sections[0].for_each[2].side: {side} is another block's placeholder: rename the field",
        "sections[1].for_each: expected a list of names (or of mappings with a name) such as "
        "[push-ups, squats], got a list",
    ]


def test_a_list_of_one_entry_cannot_say_next():
    _, problems = _items("- for_each: [squats]\n  steps: [{say: '{item}, then {next}.'}]\n")
    assert problems == [
        "sections[0].for_each: has one entry, so there is no next one: a text that says "
        "{next} would never be said; add entries, or leave {next} out"
    ]
    _, problems = _items("- for_each: [squats]\n  steps: [{say: '{item}.'}]\n")
    assert problems == []
