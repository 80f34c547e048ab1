"""The items of a routine (steps, pauses, slots, and sides and rounds blocks), read from
their declarations, then checked for what the declarations cannot say."""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voiceguide.routine.item_keys import (
    ITEM_KINDS,
    PAUSE_KEYS,
    ROUNDS_KEYS,
    SIDES_KEYS,
    SLOT_KEYS,
    STEP_KEYS,
)
from voiceguide.routine.keys import Key
from voiceguide.routine.model import Item, Pause, Rounds, Sides, Slot, Step
from voiceguide.routine.nodes import Report, describe, join
from voiceguide.routine.placeholders import Scope
from voiceguide.routine.sections import Section, read_section

# Keys that only mean something for a step with `each`.
_REPETITION_KEYS = ("repeat", "min_repeat", "max_repeat", "count", "repeat_cue")


def read_items(report: Report, node: Node, key: str, scope: Scope) -> tuple[Item, ...]:
    if not isinstance(node, SequenceNode):
        report(node, key, f"expected a list of items, got {describe(node)}")
        return ()
    if not node.value:
        report(node, key, "is empty: give at least one item")
    found = (_item(report, child, f"{key}[{i}]", scope) for i, child in enumerate(node.value))
    return tuple(item for item in found if item is not None)


def _item(report: Report, node: Node, key: str, scope: Scope) -> Item | None:
    if not isinstance(node, MappingNode):
        report(
            node,
            key,
            f"expected an item (a mapping such as 'say: ...' or 'pause: 5s'), got {describe(node)}",
        )
        return None
    names = {k.value for k, _ in node.value if isinstance(k, ScalarNode)}
    markers = [marker for marker in ITEM_KINDS if marker in names]
    if len(markers) > 1:
        report(
            node,
            key,
            f"an item is one kind, but this one has both '{markers[0]}' and '{markers[1]}': "
            "split it in two",
        )
        return None
    read = {"sides": _sides, "rounds": _rounds, "slot": _slot, "pause": _pause}.get(
        ITEM_KINDS[markers[0]] if markers else "", _step
    )
    return read(report, node, key, scope)


def _step(report: Report, node: Node, key: str, scope: Scope) -> Step | None:
    section = read_section(report, node, key, STEP_KEYS, "a step", scope=scope)
    if section is None:
        return None
    step = Step(**section.fields)
    nodes = section.nodes
    if not {"say", "say_file", "each"} & nodes.keys():
        report(node, key, "a step needs 'say' (narration), 'each' (activity time), or both")
    needs_each = [name for name in _REPETITION_KEYS if name in nodes]
    if needs_each and "each" not in nodes:
        report(
            nodes[needs_each[0]],
            join(key, needs_each[0]),
            "needs 'each', the activity time of one repetition",
        )
    if step.min_repeat > step.repeat:
        report(
            nodes["min_repeat"],
            join(key, "min_repeat"),
            f"is {step.min_repeat} but repeat is {step.repeat}: make min_repeat "
            f"at most {step.repeat}",
        )
    if step.max_repeat < step.repeat:
        report(
            nodes["max_repeat"],
            join(key, "max_repeat"),
            f"is {step.max_repeat} but repeat is {step.repeat}: make max_repeat "
            f"at least {step.repeat}",
        )
    return step


def _pause(report: Report, node: Node, key: str, scope: Scope) -> Pause | None:
    section = read_section(report, node, key, PAUSE_KEYS, "a pause", scope=scope)
    if section is None or "pause" not in section.nodes:
        return None
    return Pause(**section.fields)


def _slot(report: Report, node: Node, key: str, scope: Scope) -> Slot | None:
    section = read_section(report, node, key, SLOT_KEYS, "a slot", scope=scope)
    if section is None or "slot" not in section.nodes:
        return None
    slot = Slot(**section.fields)
    if slot.slot_ms and slot.countdown * 1000 >= slot.slot_ms:
        fits = (slot.slot_ms - 1) // 1000
        report(
            section.nodes["countdown"],
            join(key, "countdown"),
            f"a {slot.countdown} s countdown does not fit in a {slot.slot_ms / 1000:g} s "
            f"slot: use countdown: {fits} or less, or a longer slot",
        )
    return slot


def _sides(report: Report, node: Node, key: str, scope: Scope) -> Sides | None:
    inner = Scope(scope.placeholders | {"side"}, "for_each_side")
    section = _block(report, node, key, SIDES_KEYS, "a for_each_side block", scope, inner)
    return Sides(**section.fields) if section else None


def _rounds(report: Report, node: Node, key: str, scope: Scope) -> Rounds | None:
    inner = Scope(scope.placeholders | {"round", "rounds"}, "rounds")
    section = _block(report, node, key, ROUNDS_KEYS, "a rounds block", scope, inner)
    return Rounds(**section.fields) if section else None


def _block(
    report: Report,
    node: Node,
    key: str,
    keys: tuple[Key, ...],
    what: str,
    scope: Scope,
    inner: Scope,
) -> Section | None:
    """A block's section, its steps read in the block's own scope."""
    marker = keys[0].name

    def steps(child: Node, at: str) -> tuple[Item, ...]:
        return read_items(report, child, at, inner)

    section = read_section(report, node, key, keys, what, nested={"items": steps}, scope=inner)
    if section is None or marker not in section.nodes:
        return None
    if scope.block:  # the format gives no meaning to sides within rounds, or the like
        report(
            section.nodes[marker],
            join(key, marker),
            f"a {marker} block cannot be inside a {scope.block} block: blocks do not "
            "nest; move it out to the top level of sections",
        )
    return section
