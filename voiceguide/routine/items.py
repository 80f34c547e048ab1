"""The items of a routine (steps, pauses, slots, and sides and rounds blocks), read from
their declarations, then checked for what the declarations cannot say."""

from __future__ import annotations

from collections.abc import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voiceguide.routine.entries import LIST_PLACEHOLDERS, entries, field_names
from voiceguide.routine.includes import read_include
from voiceguide.routine.item_keys import (
    ITEM_KINDS,
    LIST_KEYS,
    PAUSE_KEYS,
    ROUNDS_KEYS,
    SIDES_KEYS,
    SLOT_KEYS,
    STEP_KEYS,
)
from voiceguide.routine.keys import Key
from voiceguide.routine.model import ForEach, Item, Pause, Rounds, Sides, Slot, SlotWords, Step
from voiceguide.routine.nodes import Report, describe, join
from voiceguide.routine.placeholders import Scope, placeholder_names
from voiceguide.routine.sections import Section, read_section
from voiceguide.routine.slots import check_slot, check_ticks, read_slot_words

# Keys that only mean something for a step with `each`.
_REPETITION_KEYS = ("repeat", "min_repeat", "max_repeat", "count", "repeat_cue")


def read_items(report: Report, node: Node, key: str, scope: Scope) -> tuple[Item, ...]:
    if not isinstance(node, SequenceNode):
        report(node, key, f"expected a list of items, got {describe(node)}")
        return ()
    if not node.value:
        report(node, key, "is empty: give at least one item")
    items: list[Item] = []
    for index, child in enumerate(node.value):
        found = _item(report, child, f"{key}[{index}]", scope)
        if isinstance(found, tuple):  # an include: another file's items, in this place
            items += found
        elif found is not None:
            items.append(found)
    return tuple(items)


def _item(report: Report, node: Node, key: str, scope: Scope) -> Item | tuple[Item, ...] | None:
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
    marker = ITEM_KINDS[markers[0]] if markers else ""
    if marker == "include":
        return read_include(report, node, key, scope, read_items)
    readers = {"sides": _sides, "list": _list, "rounds": _rounds, "slot": _slot, "pause": _pause}
    read = readers.get(marker, _step)
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
    _check_range(report, key, nodes, "repeat", step.repeat, (step.min_repeat, step.max_repeat))
    return step


def _check_range(
    report: Report,
    key: str,
    nodes: dict[str, Node],
    name: str,
    natural: int,
    bounds: tuple[int, int],
) -> None:
    """``min_<name>`` is at most the natural count ``name``, and ``max_<name>`` at least."""
    (fewest, most), low, high = bounds, f"min_{name}", f"max_{name}"
    if any(report.reported(join(key, bound)) for bound in (name, low, high)):
        return
    if fewest > natural:
        report(
            nodes[low],
            join(key, low),
            f"is {fewest} but {name} is {natural}: make {low} at most {natural}",
        )
    if most < natural:
        report(
            nodes[high],
            join(key, high),
            f"is {most} but {name} is {natural}: make {high} at least {natural}",
        )


def _pause(report: Report, node: Node, key: str, scope: Scope) -> Pause | None:
    section = read_section(report, node, key, PAUSE_KEYS, "a pause", scope=scope)
    if section is None or "pause" not in section.nodes:
        return None
    pause = Pause(**section.fields)
    check_ticks(report, section.nodes, key, pause.tick_every_ms, pause.tick_cue)
    return pause


def _slot(report: Report, node: Node, key: str, scope: Scope) -> Slot | None:
    def words(child: Node, at: str) -> tuple[SlotWords, ...]:
        return read_slot_words(report, child, at, scope)

    nested = {"slot_words": words}
    section = read_section(report, node, key, SLOT_KEYS, "a slot", nested=nested, scope=scope)
    if section is None or "slot" not in section.nodes:
        return None
    slot = Slot(**section.fields)
    check_slot(report, section.nodes, key, slot)
    return slot


def _sides(report: Report, node: Node, key: str, scope: Scope) -> Sides | None:
    inner = Scope(scope.placeholders | {"side"})
    section = _block(report, node, key, SIDES_KEYS, "a for_each_side block", inner)
    return Sides(**section.fields) if section else None


def _list(report: Report, node: Node, key: str, scope: Scope) -> ForEach | None:
    marker = next(value for name, value in node.value if name.value == "for_each")
    own = LIST_PLACEHOLDERS | field_names(marker)
    inner = Scope(scope.placeholders | own)
    section = _block(report, node, key, LIST_KEYS, "a for_each block", inner)
    if section is None:
        return None
    block = ForEach(**section.fields)
    texts = [block.announce or "", *_texts(block.items)]
    if len(block.entries) == 1 and any("next" in placeholder_names(t) for t in texts):
        report(
            section.nodes["for_each"],
            join(key, "for_each"),
            "has one entry, so there is no next one: a text that says {next} would never "
            "be said; add entries, or leave {next} out",
        )
    return block


def _texts(items: tuple[Item, ...]) -> Iterator[str]:
    """The texts the items say, blocks' included but a list's (its {next} is its own)."""
    for item in items:
        if isinstance(item, Step | Slot):
            yield item.say or ""
        if isinstance(item, Slot):
            yield from (words.text for words in item.at)
        elif isinstance(item, Sides | Rounds):
            yield item.announce or ""
            yield from _texts(item.items)
            if isinstance(item, Rounds):
                yield from _texts(item.between)


def _rounds(report: Report, node: Node, key: str, scope: Scope) -> Rounds | None:
    inner = Scope(scope.placeholders | {"round", "rounds"})
    section = _block(report, node, key, ROUNDS_KEYS, "a rounds block", inner)
    if section is None:
        return None
    rounds = Rounds(**section.fields)
    nodes = section.nodes
    _check_range(
        report, key, nodes, "rounds", rounds.rounds, (rounds.min_rounds, rounds.max_rounds)
    )
    if "rest" in nodes and "between" in nodes:
        report(
            nodes["rest"],
            join(key, "rest"),
            "rest and between both say what comes between rounds: keep one "
            "(rest: 10s is between: {pause: 10s})",
        )
    return rounds


def _block(
    report: Report, node: Node, key: str, keys: tuple[Key, ...], what: str, inner: Scope
) -> Section | None:
    """A block's section, its steps (and what comes between its runs) read in the block's
    own scope. Blocks nest: each inside another gets the placeholders of both."""
    marker = keys[0].name

    def steps(child: Node, at: str) -> tuple[Item, ...]:
        return read_items(report, child, at, inner)

    def between(child: Node, at: str) -> tuple[Item, ...]:
        if isinstance(child, MappingNode):  # one item (or an include of several)
            item = _item(report, child, at, inner)
            return item if isinstance(item, tuple) else (item,) if item else ()
        return read_items(report, child, at, inner)

    readers = {"items": steps, "between": between, "entries": lambda n, k: entries(report, n, k)}
    section = read_section(report, node, key, keys, what, nested=readers, scope=inner)
    if section is None or marker not in section.nodes:
        return None
    if section.fields.get("announce_in_slot"):
        _check_announce_in_slot(report, key, section)
    return section


def _check_announce_in_slot(report: Report, key: str, section: Section) -> None:
    """An announce spoken inside the first slot needs an announce, and a slot first."""
    where, nodes, items = join(key, "announce_in_slot"), section.nodes, section.fields["items"]
    if "announce" not in nodes:
        report(nodes["announce_in_slot"], where, "there is no announce to speak: add one")
    elif items and not isinstance(items[0], Slot):
        report(
            nodes["announce_in_slot"],
            where,
            "the first of steps is not a slot, so there is no slot to speak it in: "
            "start steps with a slot, or leave announce_in_slot out",
        )
