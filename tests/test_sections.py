"""Any section read generically from its declarations: given keys by their type's reader,
left-out keys by their declared default, under the model's field names."""

from __future__ import annotations

import yaml

from voiceguide.routine.item_keys import ROUNDS_KEYS, STEP_KEYS
from voiceguide.routine.keys import BACKGROUND_KEYS, ROUTINE_KEYS, VOICE_KEYS
from voiceguide.routine.model import Background, Step, Voice
from voiceguide.routine.nodes import Report
from voiceguide.routine.placeholders import Scope
from voiceguide.routine.sections import read_section


def _section(text: str, keys, **options):
    report = Report("s.yaml")
    section = read_section(report, yaml.compose(text), "k", keys, "a thing", **options)
    return section, [problem.message for problem in report.problems]


def test_left_out_keys_take_the_declared_defaults():
    section, problems = _section("{}", BACKGROUND_KEYS)
    assert problems == [] and section is not None
    assert Background(**section.fields) == Background()
    assert section.fields["level_db"] == -24.0 and section.fields["carrier_hz"] == 200.0


def test_given_keys_are_read_by_their_type_into_the_models_fields():
    section, problems = _section("{rate: 120, volume: 0.5}", VOICE_KEYS)
    assert problems == [] and section is not None
    assert Voice(**section.fields) == Voice(rate_wpm=120, volume=0.5)
    assert sorted(section.nodes) == ["rate", "volume"]


def test_a_same_as_default_follows_the_key_it_names():
    section, _ = _section("{say: Go., each: 2s, repeat: 4}", STEP_KEYS, scope=Scope())
    assert section is not None
    step = Step(**section.fields)
    assert (step.repeat, step.min_repeat, step.max_repeat) == (4, 4, 4)


def test_a_missing_required_list_stands_as_empty_so_checks_go_on():
    section, problems = _section("{rounds: 2}", ROUNDS_KEYS, scope=Scope())
    assert section is not None and section.fields["items"] == ()
    assert problems == ["missing key 'steps': add it, e.g. 'steps: [{say: ...}]'"]


def test_nested_sections_and_text_follow_the_scope():
    read = []
    nested = {"items": lambda node, key: read.append(key) or ()}
    section, problems = _section(
        "{version: 1, title: 'Hello {side}', sections: [{say: hi}]}", ROUTINE_KEYS, nested=nested
    )
    assert read == ["k.sections"] and problems == []  # plain text: no placeholders outside
    assert section is not None and "voice" not in section.fields  # the model's Voice()
    _, problems = _section("{say: 'Hello {side}'}", STEP_KEYS, scope=Scope())
    assert problems == ["{side} is only known inside a for_each_side block"]


def test_a_wrong_choice_stands_as_the_declared_default():
    section, problems = _section("{sound: rain}", BACKGROUND_KEYS)
    assert section is not None and section.fields["sound"] == "none"
    assert problems == [
        "unknown sound 'rain' (choose from none, brown, pink, white, drone, binaural, isochronic)"
    ]
