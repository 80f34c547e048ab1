"""The built-in routines as ``voiceguide templates`` lists them: name, length, title.

A template that declares ``length`` lasts that long at pace 1 (fitting meets it within a
second), plus its lead-in and its tail. So its line needs only a few top-level keys, read from
the YAML nodes, and the list comes without the loader, the planner, numpy or a speech engine:
under 0.3 s from a cold start. A template this reading does not settle (no ``length``, a value
it does not know, rounds that fitting counts, which may come only near the length) is
planned instead, as ``plan`` would.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from voiceguide.routine.durations import format_ms, parse_duration_ms
from voiceguide.routine.keys import (
    BACKGROUND_KEYS,
    BEDTIME_KEYS,
    ROUTINE_KEYS,
    default_of,
)
from voiceguide.routine.source import read_text
from voiceguide.routine.templates import template_names, template_path

# Our own files, so the C parser (when PyYAML has it) composes them: ten times the speed.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TRUE = {"true", "yes", "on"}


def describe_templates() -> list[str]:
    """A line per built-in routine: name, length at pace 1 (lead-in and tail included), title."""
    names = template_names()
    width = max(len(name) for name in names)
    lines = []
    for name in names:
        length_ms, title = template_summary(template_path(name))
        lines.append(f"{name:<{width}}  {format_ms(length_ms):>8}  {title}")
    return lines


def template_summary(path: Path) -> tuple[int, str]:
    """A routine file's length at pace 1 and its title."""
    summary = declared_summary(path)
    if summary is not None:
        return summary
    from voiceguide.pipeline import plan_routine
    from voiceguide.plan.planner import Settings

    timeline = plan_routine(str(path), Settings(), "pyttsx3")
    return timeline.total_ms, timeline.title


def declared_summary(path: Path) -> tuple[int, str] | None:
    """Length and title as the file declares them, or None where only planning can tell."""
    text = read_text(path)
    if "min_rounds" in text or "max_rounds" in text:
        return None  # whole rounds may come only near the length: planning tells
    try:
        top = _mapping(yaml.compose(text, Loader=_LOADER))
    except yaml.YAMLError:
        return None  # planning reports it, located
    bedtime, background = _mapping(top.get("bedtime")), _mapping(top.get("background"))
    try:
        length_ms = _duration_ms(top.get("length"), None)
        lead_in_ms = _duration_ms(top.get("lead_in"), default_of(ROUTINE_KEYS, "lead_in"))
        tail_ms = _duration_ms(top.get("tail"), default_of(ROUTINE_KEYS, "tail"))
        bedtime_tail_ms = _duration_ms(bedtime.get("tail"), default_of(BEDTIME_KEYS, "tail"))
    except ValueError:
        return None
    title = _text(top.get("title"))
    if title is None:
        return None
    sound = _text(background.get("sound"), default_of(BACKGROUND_KEYS, "sound"))
    has_bed = "file" in background or sound != "none"
    if not tail_ms and (_text(bedtime.get("always")) or "").lower() in _TRUE and has_bed:
        tail_ms = bedtime_tail_ms  # the planner's bedtime default
    return lead_in_ms + length_ms + tail_ms, title


def _mapping(node: Node | None) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        return {}
    return {str(key.value): value for key, value in node.value}


def _text(node: Node | None, default: str | None = None) -> str | None:
    return str(node.value) if isinstance(node, ScalarNode) else default


def _duration_ms(node: Node | None, default: int | None) -> int:
    """ValueError for what is not a plain duration (the caller then plans the file)."""
    if node is None:
        if default is None:
            raise ValueError("not declared")
        return default
    if not isinstance(node, ScalarNode):
        raise ValueError("not a scalar")
    return parse_duration_ms(str(node.value))
