"""Placeholders a block gives its text, and text the voice must be able to say."""

from __future__ import annotations

import pytest
import yaml

from voiceguide.routine.nodes import Report
from voiceguide.routine.placeholders import (
    UNSPEAKABLE,
    Scope,
    placeholder_text,
    side_names,
    speakable,
)

SIDES = Scope(frozenset({"side"}))
ROUNDS = Scope(frozenset({"round", "rounds"}))


def _messages(text: str, scope: Scope, spoken: bool = False) -> list[str]:
    report = Report("p.yaml")
    placeholder_text(report, yaml.compose(text), "k", scope, spoken)
    return [problem.message for problem in report.problems]


@pytest.mark.parametrize(
    ("text", "scope", "messages"),
    [
        ("'Now {side}.'", SIDES, []),
        ("'Round {round} of {rounds}.'", ROUNDS, []),
        ("'Now {sdie}.'", SIDES, ["unknown placeholder {sdie}: did you mean {side}?"]),
        ("'Round {round}.'", SIDES, ["{round} is only known inside a rounds block"]),
        ("'{colour}'", Scope(), ["unknown placeholder {colour} (usable: none here; write "
                                 "{{ for a brace)"]),
        ("'a { b'", SIDES, ["has an unmatched '{' or '}': write {{ or }} for a brace"]),
        ("'{{braces}}'", Scope(), []),
    ],
)  # fmt: skip
def test_placeholders_are_checked_against_the_blocks_around(text, scope, messages):
    assert _messages(text, scope) == messages


def test_spoken_text_must_say_something():
    assert _messages("'...'", Scope(), spoken=True) == [UNSPEAKABLE]
    assert _messages("'...'", Scope()) == []  # a name is not spoken
    assert speakable("{side}") and speakable("3") and not speakable("{{ }}")


def test_side_names_are_spoken_once_each():
    report = Report("p.yaml")
    assert side_names(report, yaml.compose("[right, left]"), "k") == ("right", "left")
    side_names(report, yaml.compose("[right, right, '--']"), "k")
    assert [p.message for p in report.problems] == [
        UNSPEAKABLE,
        "names a side twice: each side once",
    ]
