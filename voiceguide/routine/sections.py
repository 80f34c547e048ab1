"""Any section of a routine, read generically from its key declarations.

A section is a mapping (the routine, its voice, an item...). Each key given is read by the
reader of its declared type; each key left out takes its declared default. What a section
holds that the declarations cannot say (a step needs ``say`` or ``each``...) is checked by
its own reader afterwards, with the nodes at hand to point at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from yaml.nodes import Node

from voiceguide.routine import values
from voiceguide.routine.keys import REQUIRED, SECTION, Key, SameAs, key_named
from voiceguide.routine.limits import BACKGROUND_SOUNDS, SPEECH_ENGINES
from voiceguide.routine.nodes import Report, join, read_mapping
from voiceguide.routine.placeholders import Scope, placeholder_text, side_names
from voiceguide.routine.respellings import read_respellings

Read = Callable[[Node, str], Any]
# Readers of values that need nothing but the node.
_PLAIN: dict[str, Callable[[Report, Node, str], Any]] = {
    "version": values.version,
    "text": values.text,
    "language": values.language,
    "duration": values.duration,
    "tail": values.tail,
    "interval": values.interval,
    "boolean": values.boolean,
    "path": values.path,
    "sound_file": values.sound_file,
    "voice_model": values.voice_model,
    "sides": side_names,
    "pronounce": read_respellings,
}
# Readers of values checked against the key's range (and falling back to its default).
_RANGED: dict[str, Callable[[Report, Node, str, Key], Any]] = {
    "whole": values.bounded,
    "rate": values.bounded,
    "number": values.number,
    "ratio": values.number,
    "level": values.level,
    "frequency": values.frequency,
    "cue": values.cue,
}
_CHOICES = {
    "background_sound": (BACKGROUND_SOUNDS, "sound"),
    "engine": (SPEECH_ENGINES, "engine"),
}
# What a required key that is missing stands as, so that checks can go on.
_MISSING: dict[str, Any] = {"items": ()}


@dataclass(frozen=True)
class Section:
    nodes: dict[str, Node]  # the value node of each key given, by key name
    fields: dict[str, Any]  # every key's value (given or default), by the model's field name


def read_section(
    report: Report,
    node: Node,
    key: str,
    keys: tuple[Key, ...],
    what: str,
    *,
    nested: Mapping[str, Read] | None = None,
    scope: Scope | None = None,
) -> Section | None:
    """The section at ``node``, None if it is not a mapping (reported).

    ``nested`` reads the types that hold other sections (items, voice...); text is read
    with the placeholders of ``scope``, or as plain text outside items.
    """
    nodes = read_mapping(report, node, key, keys, what)
    if nodes is None:
        return None
    fields: dict[str, Any] = {}
    for spec in keys:
        if spec.name in nodes:
            read = (nested or {}).get(spec.type) or _reader(report, spec, scope)
            fields[spec.attribute] = read(nodes[spec.name], join(key, spec.name))
        elif isinstance(spec.default, SameAs):
            fields[spec.attribute] = fields[key_named(keys, spec.default.key).attribute]
        elif spec.default == REQUIRED:
            fields[spec.attribute] = _MISSING.get(spec.type)
        elif spec.default != SECTION:  # a section left out: the model's defaults
            fields[spec.attribute] = spec.default
    return Section(nodes, fields)


def _reader(report: Report, spec: Key, scope: Scope | None) -> Read:
    kind = spec.type
    if kind == "text" and scope is not None:
        return lambda node, key: placeholder_text(report, node, key, scope, spec.spoken)
    if kind in _PLAIN:
        return lambda node, key: _PLAIN[kind](report, node, key)
    if kind in _RANGED:
        return lambda node, key: _RANGED[kind](report, node, key, spec)
    choices, what = _CHOICES[kind]
    return lambda node, key: values.choice(report, node, key, choices, what) or spec.default
