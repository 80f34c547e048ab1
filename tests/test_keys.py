"""The key declarations: every key maps onto the model, and the model's defaults are the
declared ones."""

from __future__ import annotations

import dataclasses

import pytest

from voiceguide.routine import model
from voiceguide.routine.item_keys import ITEM_KINDS
from voiceguide.routine.keys import (
    BEDTIME_KEYS,
    REQUIRED,
    SECTION,
    VOICE_KEYS,
    Key,
    SameAs,
    default_of,
    key_named,
    written_default,
)
from voiceguide.routine.schema import SECTIONS, TYPE_SCHEMAS

MODELS = {
    "routine": model.Routine,
    "voice": model.Voice,
    "background": model.Background,
    "bedtime": model.Bedtime,
    "step": model.Step,
    "pause": model.Pause,
    "slot": model.Slot,
    "sides": model.Sides,
    "list": model.ForEach,
    "rounds": model.Rounds,
}
# An include item has no model: the loader puts the items of the file it names in its place.
MODELLED = sorted(set(SECTIONS) - {"include"})


def _fields(section: str) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(MODELS[section])}


@pytest.mark.parametrize("section", MODELLED)
def test_every_key_names_a_field_of_the_model(section):
    fields = _fields(section)
    for key in SECTIONS[section]:
        assert key.attribute in fields, f"{section}.{key.name} -> {key.attribute}"
        assert key.type in TYPE_SCHEMAS


@pytest.mark.parametrize("section", MODELLED)
def test_the_models_defaults_are_the_declared_ones(section):
    fields = _fields(section)
    for key in SECTIONS[section]:
        field = fields[key.attribute]
        if key.default in (REQUIRED, SECTION) or isinstance(key.default, SameAs):
            continue
        if field.default is dataclasses.MISSING:  # e.g. Slot(name, say, slot_ms)
            assert key.default is None
            continue
        assert field.default == key.default, f"{section}.{key.name}"


def test_same_as_defaults_name_a_key_declared_before_them():
    for keys in SECTIONS.values():
        names = [key.name for key in keys]
        for index, key in enumerate(keys):
            if isinstance(key.default, SameAs):
                assert key.default.key in names[:index]


def test_an_item_kind_is_told_by_the_first_key_of_its_section():
    for marker, kind in ITEM_KINDS.items():
        assert SECTIONS[kind][0].name == marker


def test_look_ups_by_name():
    assert key_named(VOICE_KEYS, "rate").field == "rate_wpm"
    assert default_of(VOICE_KEYS, "rate") == model.Voice().rate_wpm == 150
    with pytest.raises(StopIteration):
        key_named(VOICE_KEYS, "speed")


@pytest.mark.parametrize(
    ("key", "written"),
    [
        (key_named(BEDTIME_KEYS, "tail"), "3m"),
        (key_named(BEDTIME_KEYS, "voice_fall"), "4dB"),
        (key_named(BEDTIME_KEYS, "always"), "false"),
        (key_named(BEDTIME_KEYS, "closing"), None),
        (Key("lead_in", "duration", 0, "", ""), None),
        (Key("carrier", "frequency", 200.0, "", ""), "200Hz"),
        (Key("min_repeat", "whole", SameAs("repeat"), "", ""), None),
        (Key("voice", "voice", SECTION, "", ""), None),
    ],
)
def test_written_default_is_what_a_routine_would_write(key, written):
    assert written_default(key) == written
