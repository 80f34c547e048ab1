"""Mappings checked against declared keys, and values quoted safely in messages."""

from __future__ import annotations

import yaml

from voiceguide.routine.keys import REQUIRED, Key
from voiceguide.routine.nodes import Report, describe, read_mapping, shown

KEYS = (Key("pause", "duration", REQUIRED, "", "5s"), Key("name", "text", None, "", "Rest"))


def _read(text: str) -> tuple[dict | None, list[str]]:
    report = Report("n.yaml")
    values = read_mapping(report, yaml.compose(text), "sections[0]", KEYS, "a pause")
    return values, [str(problem) for problem in sorted(report.problems)]


def test_known_keys_are_returned_by_name():
    values, problems = _read("{pause: 5s, name: Rest}")
    assert values is not None and sorted(values) == ["name", "pause"]
    assert problems == []


def test_duplicate_unknown_and_missing_keys_are_located():
    _, problems = _read("name: a\nname: b\nnmae: c\n")
    assert problems == [
        "n.yaml:1:1: sections[0]: missing key 'pause': add it, e.g. 'pause: 5s'",
        "n.yaml:2:1: sections[0].name: duplicate key (first given on line 1): keep one",
        "n.yaml:3:1: sections[0].nmae: unknown key: did you mean 'name'?",
    ]


def test_a_misspelled_required_key_is_not_also_reported_missing():
    _, problems = _read("paus: 5s\n")
    assert problems == ["n.yaml:1:1: sections[0].paus: unknown key: did you mean 'pause'?"]


def test_an_unknown_key_with_no_close_one_lists_the_keys():
    _, problems = _read("{pause: 5s, colour: red}")
    assert problems == [
        "n.yaml:1:13: sections[0].colour: unknown key: remove it (keys here: pause, name)"
    ]


def test_a_value_that_is_not_a_mapping_is_described():
    values, problems = _read("[1, 2]")
    assert values is None
    assert problems == [
        "n.yaml:1:1: sections[0]: expected a pause (lines of 'key: value'), got a list"
    ]
    assert describe(yaml.compose("~")) == "nothing"


def test_a_long_value_is_cut_with_its_length():
    assert shown("short") == "'short'"
    assert shown("x" * 100) == f"'{'x' * 30}...' (100 characters)"
