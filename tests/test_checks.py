"""Whole-routine checks: what planning would refuse, reported at the key to change."""

from __future__ import annotations

import pytest

from voiceguide.errors import RoutineError
from voiceguide.routine.loader import load_routine_text


def _problems(text: str) -> list[str]:
    with pytest.raises(RoutineError) as error:
        load_routine_text("version: 1\ntitle: t\n" + text, "c.yaml")
    return [str(problem) for problem in error.value.problems]


def test_a_tail_needs_a_background():
    assert _problems("tail: 2m\nsections:\n  - say: Hi.\n") == [
        "c.yaml:3:7: tail: a tail plays the background after the last word, and this routine "
        "has no background: add one (e.g. background: {sound: brown}) or remove the tail"
    ]


def test_the_twelve_hour_limit_counts_the_items_then_the_framing():
    assert _problems("sections:\n  - {rounds: 100, steps: [{pause: 8m}]}\n") == [
        "c.yaml:4:3: sections: the session would last over 12 hours: use fewer repetitions, "
        "rounds or shorter times"
    ]
    framed = "background: {sound: brown}\nlead_in: 6h\ntail: 6h\nsections:\n  - pause: 1h\n"
    assert _problems(framed) == [
        "c.yaml:4:10: lead_in: lead_in and tail with the session itself make over 12 hours: "
        "shorten them"
    ]


def test_a_length_out_of_reach_is_reported_at_length():
    assert _problems("length: 1m\nsections:\n  - pause: 10m\n") == [
        "c.yaml:3:9: length: 1:00 is out of reach: at pace 1 this routine lasts at least 5:00 "
        "before any speech (fewest repetitions, elastic time halved): make length longer, "
        "or remove it"
    ]


def test_what_a_routine_can_say_is_bounded():
    steps = ", ".join(f"{{say: '{word} {{round}}.'}}" for word in ("Go", "Rest", "Hold", "Breathe"))
    [problem] = _problems(f"sections:\n  - {{rounds: 100, steps: [{steps}]}}\n")
    assert problem.startswith("c.yaml:4:3: sections: this routine can say up to 400 different")
