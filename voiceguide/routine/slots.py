"""A slot's own keys beyond their declarations: the words said at times inside it (``at``),
and the checks of its timing keys (countdown, count_up, tick_every, at) against its length.

Each ``at`` entry keeps where it was written (``model.Place``): the planner reports speech
that overlaps there, and an item may come from another file than the routine's.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode

from voiceguide.errors import Problem, shown
from voiceguide.routine.durations import format_ms, format_units, parse_duration_ms
from voiceguide.routine.limits import MAX_COUNT_UP_S
from voiceguide.routine.model import (
    CUE_LEAD_MS,
    FROM_END,
    FROM_START,
    MIDDLE,
    Slot,
    SlotWords,
)
from voiceguide.routine.nodes import Place, Report, describe, join
from voiceguide.routine.placeholders import Scope, placeholder_text

AT_HELP = (
    "write a time from the slot's start such as 15s or 0:15, half for its middle, "
    "or -10s for ten seconds before its end"
)
_KEY_CHARS = 20  # a time longer than this is cut in the key path of a message


def read_slot_words(report: Report, node: Node, key: str, scope: Scope) -> tuple[SlotWords, ...]:
    """The ``at`` mapping: each time read, each text read with the scope's placeholders."""
    if not isinstance(node, MappingNode) or not node.value:
        got = "nothing" if isinstance(node, MappingNode) else describe(node)
        report(
            node,
            key,
            f"expected times and the words to say at them, such as '15s: Switch sides.', got {got}",
        )
        return ()
    found = []
    for time_node, text_node in node.value:
        written = str(time_node.value) if isinstance(time_node, ScalarNode) else ""
        where = join(key, written[:_KEY_CHARS] or "?")
        offset = _offset(report, time_node, where, written)
        text = placeholder_text(report, text_node, where, scope, spoken=True)
        if offset is not None and text is not None:
            mark = time_node.start_mark
            place = Place(report.path, mark.line + 1, mark.column + 1, where)
            found.append(SlotWords(*offset, text, place))
    return tuple(found)


def _offset(report: Report, node: Node, key: str, written: str) -> tuple[str, int] | None:
    """(anchor, offset_ms) of a written time; None (reported) if it is not one."""
    value = written.strip()
    if not isinstance(node, ScalarNode) or not value:
        report(node, key, f"expected a time as the key, got {describe(node)}: {AT_HELP}")
        return None
    if value.lower() == MIDDLE:
        return MIDDLE, 0
    anchor = FROM_END if value.startswith("-") else FROM_START
    try:
        offset_ms = parse_duration_ms(value.removeprefix("-").strip())
    except ValueError:
        report(node, key, f"{shown(written)} is not a time in the slot: {AT_HELP}")
        return None
    if offset_ms <= 0:
        where = (
            "start, where its say is spoken: put these words in say"
            if anchor == FROM_START
            else "end: give a time before it, such as -5s"
        )
        report(node, key, f"{shown(written)} is the slot's {where}")
        return None
    return anchor, offset_ms


def check_slot(report: Report, nodes: dict[str, Node], key: str, slot: Slot) -> None:
    """What a slot's timing keys must hold against each other and its length."""
    _check_countdown(report, nodes, key, slot)
    if slot.count_up and slot.countdown:
        report(
            nodes["count_up"],
            join(key, "count_up"),
            "a slot counts up or counts down, not both: remove count_up or countdown",
        )
    if slot.count_up_to > MAX_COUNT_UP_S:
        report(
            nodes["count_up"],
            join(key, "count_up"),
            f"counting up a {slot.slot_ms / 1000:g} s slot would say {slot.count_up_to} "
            f"numbers: count up slots of {MAX_COUNT_UP_S} s or less (split a longer one)",
        )
    check_ticks(report, nodes, key, slot.tick_every_ms, slot.tick_cue)
    if slot.slot_ms:
        _check_times(report, slot)


def check_ticks(report: Report, nodes: dict[str, Node], key: str, every_ms: int, cue: str) -> None:
    """A metronome (of a slot or a pause) ticks no faster than its cue rings (a cue from a
    file is measured later: the plan then leaves out a tick that would ring over another)."""
    if cue not in CUE_LEAD_MS:
        return
    lead_ms = CUE_LEAD_MS[cue]
    if 0 < every_ms < lead_ms:
        report(
            nodes["tick_every"],
            join(key, "tick_every"),
            f"{shown(str(nodes['tick_every'].value))} is too often: a {cue} takes "
            f"{lead_ms / 1000:g} s to ring, so make it {lead_ms / 1000:g}s or longer",
        )


def _check_countdown(report: Report, nodes: dict[str, Node], key: str, slot: Slot) -> None:
    if slot.slot_ms and slot.countdown * 1000 >= slot.slot_ms:
        fits = (slot.slot_ms - 1) // 1000
        report(
            nodes["countdown"],
            join(key, "countdown"),
            f"a {slot.countdown} s countdown does not fit in a {slot.slot_ms / 1000:g} s "
            f"slot: use countdown: {fits} or less, or a longer slot",
        )


def _check_times(report: Report, slot: Slot) -> None:
    """Each ``at`` time inside the slot, and no two at the same time."""
    seen: dict[int, SlotWords] = {}
    for words in slot.at:
        at_ms = words.at_ms(slot.slot_ms, slot.slot_ms)
        message = None
        if not 0 < at_ms < slot.slot_ms:
            message = _outside(words, slot.slot_ms)
        elif at_ms in seen:
            first = seen[at_ms].place
            line = f"the words on line {first.line}" if first else "other words"
            message = (
                f"is the same time ({format_ms(at_ms, precise=True)}) as {line}: "
                "say both in one text"
            )
        seen.setdefault(at_ms, words)
        if message and words.place:
            place = words.place
            report.problems.append(
                Problem(place.path, place.line, place.column, place.key, message)
            )


def _outside(words: SlotWords, slot_ms: int) -> str:
    length = f"{slot_ms / 1000:g} s slot"
    if words.anchor == FROM_END:
        return (
            f"is at or before the start of the {length}: give less than "
            f"{format_units(slot_ms)} before its end"
        )
    return (
        f"is at or after the end of the {length}: give a time before "
        f"{format_units(slot_ms)} (or one before its end, such as -5s)"
    )
