"""The entries of a list block (``for_each``): words, or mappings with a ``name`` and fields
of the user's own, each field a placeholder in the block's text.

    for_each:
      - push-ups
      - {name: plank, tip: keep your back straight}

Every entry has the same fields (a word has only its name), so that each text of the block
has a value for each placeholder it uses, whichever entry is running.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voiceguide.routine.limits import MAX_LIST_ITEMS
from voiceguide.routine.model import Entry
from voiceguide.routine.nodes import Report, describe, join
from voiceguide.routine.placeholders import UNSPEAKABLE, speakable
from voiceguide.routine.values import text

# The placeholders every list gives; an entry's own fields may not take these names, nor
# those of the other blocks.
LIST_PLACEHOLDERS = frozenset({"item", "next", "index", "count"})
_TAKEN = LIST_PLACEHOLDERS | {"side", "round", "rounds"}
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def field_names(node: Node) -> frozenset[str]:
    """The fields the entries give as placeholders (their own keys but ``name``), read from
    the nodes before the block's text is: problems with them are reported by ``entries``."""
    if not isinstance(node, SequenceNode):
        return frozenset()
    return frozenset(
        str(key.value)
        for child in node.value
        if isinstance(child, MappingNode)
        for key, _ in child.value
        if isinstance(key, ScalarNode) and key.value != "name"
    )


def entries(report: Report, node: Node, key: str) -> tuple[Entry, ...]:
    """Each entry's placeholder values: ``item`` (its name) and its fields."""
    if not isinstance(node, SequenceNode) or not node.value:
        report(
            node,
            key,
            "expected a list of names (or of mappings with a name) such as "
            f"[push-ups, squats], got {describe(node)}",
        )
        return ()
    if len(node.value) > MAX_LIST_ITEMS:
        report(node, key, f"{len(node.value)} entries; a list has at most {MAX_LIST_ITEMS}")
        return ()
    found = [(i, child, _entry(report, child, f"{key}[{i}]")) for i, child in enumerate(node.value)]
    read = [(i, child, entry) for i, child, entry in found if entry]
    if read:
        _check_same_fields(report, key, read)
    return tuple(entry for _, _, entry in read)


def _entry(report: Report, node: Node, key: str) -> Entry | None:
    """The entry's values; None when it has a problem (reported), so that no other entry
    is compared with it."""
    if isinstance(node, ScalarNode):
        name = _spoken(report, node, key)
        return {"item": name} if name else None
    if not isinstance(node, MappingNode):
        report(node, key, f"expected a name or a mapping with a name, got {describe(node)}")
        return None
    values: dict[str, str] = {}
    problems = len(report.problems)
    for key_node, value_node in node.value:
        field = str(key_node.value)
        where = join(key, field)
        if not _FIELD_NAME.fullmatch(field):
            report(key_node, where, "a field's name is letters, digits and _ (it is a placeholder)")
        elif field in LIST_PLACEHOLDERS:
            report(key_node, where, f"{{{field}}} is the list's own placeholder: rename the field")
        elif field in _TAKEN:
            report(key_node, where, f"{{{field}}} is another block's placeholder: rename the field")
        elif field in values or (field == "name" and "item" in values):
            report(key_node, where, "duplicate field: keep one")
        else:
            value = _spoken(report, value_node, where)
            if value:
                values["item" if field == "name" else field] = value
    if "item" not in values and not any(str(k.value) == "name" for k, _ in node.value):
        report(node, key, "an entry that is a mapping needs 'name', e.g. {name: plank, ...}")
    return values if len(report.problems) == problems else None


def _spoken(report: Report, node: Node, key: str) -> str | None:
    """An entry's name or field: said wherever the block's text uses it."""
    value = text(report, node, key)
    if value is not None and not speakable(value):
        report(node, key, UNSPEAKABLE)
        return None
    return value


def _check_same_fields(report: Report, key: str, read: list[tuple[int, Node, Entry]]) -> None:
    _, first_node, first = read[0]
    line = first_node.start_mark.line + 1
    for index, node, entry in read[1:]:
        missing = sorted(set(first) - set(entry))
        extra = sorted(set(entry) - set(first))
        if missing or extra:
            field, has = (missing[0], "has no") if missing else (extra[0], "has")
            other = "has it" if missing else "does not"
            report(
                node,
                f"{key}[{index}]",
                f"this entry {has} '{field}' and the first (line {line}) {other}: give every "
                "entry the same fields",
            )
