"""Text inside items: the placeholders the blocks around give it (``{side}``, ``{round}``,
``{rounds}``, a list's ``{item}``...), and text the voice says, which must have something to say."""

from __future__ import annotations

import difflib
import string
from dataclasses import dataclass

from yaml.nodes import Node, SequenceNode

from voiceguide.routine.limits import MAX_SIDES
from voiceguide.routine.nodes import Report, describe
from voiceguide.routine.values import text

_ALL_PLACEHOLDERS = {
    "side": "a for_each_side",
    "round": "a rounds",
    "rounds": "a rounds",
    **dict.fromkeys(("item", "next", "index", "count"), "a for_each"),
}
UNSPEAKABLE = (
    "has nothing to say (no letter or digit, only punctuation, symbols or invisible "
    "characters), so the voice would be silent: write words, or leave the key out"
)


@dataclass(frozen=True)
class Scope:
    """What the text being read may refer to: the placeholders of the blocks around it."""

    placeholders: frozenset[str] = frozenset()


def placeholder_text(
    report: Report, node: Node, key: str, scope: Scope, spoken: bool = False
) -> str | None:
    """Text that may use the scope's placeholders; ``spoken`` text must say something."""
    value = text(report, node, key)
    if value is not None:
        _check_placeholders(report, node, key, value, scope)
        if spoken and not speakable(value):
            report(node, key, UNSPEAKABLE)
    return value


def _check_placeholders(report: Report, node: Node, key: str, value: str, scope: Scope) -> None:
    try:
        fields = [parsed for parsed in string.Formatter().parse(value) if parsed[1] is not None]
    except ValueError:
        report(node, key, "has an unmatched '{' or '}': write {{ or }} for a brace")
        return
    for _, name, spec, conversion in fields:
        placeholder = "{" + (name or "") + "}"
        if spec or conversion or name not in scope.placeholders:
            report(node, key, _placeholder_message(placeholder, scope))


def placeholder_names(text: str) -> list[str]:
    """The placeholders a text uses, in order (none if its braces do not match)."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name]
    except ValueError:
        return []


def _placeholder_message(placeholder: str, scope: Scope) -> str:
    name = placeholder.strip("{}")
    close = difflib.get_close_matches(name, list(_ALL_PLACEHOLDERS), n=1, cutoff=0.6)
    if close and close[0] in scope.placeholders:
        return f"unknown placeholder {placeholder}: did you mean {{{close[0]}}}?"
    if close:
        block = _ALL_PLACEHOLDERS[close[0]]
        return f"{{{close[0]}}} is only known inside {block} block"
    usable = ", ".join("{" + name + "}" for name in sorted(scope.placeholders)) or "none here"
    return f"unknown placeholder {placeholder} (usable: {usable}; write {{{{ for a brace)"


def side_names(report: Report, node: Node, key: str) -> tuple[str, ...]:
    """The names of a for_each_side block's sides: spoken wherever an announce says {side}."""
    if not isinstance(node, SequenceNode) or not node.value:
        report(
            node, key, f"expected a list of side names such as [right, left], got {describe(node)}"
        )
        return ()
    names = [text(report, child, f"{key}[{i}]") for i, child in enumerate(node.value)]
    for index, name in enumerate(names):
        if name is not None and not speakable(name):
            report(node.value[index], f"{key}[{index}]", UNSPEAKABLE)
    if len(names) > MAX_SIDES:
        report(node, key, f"{len(names)} sides; a block has at most {MAX_SIDES}")
    present = [n for n in names if n]
    if len(set(present)) < len(present):
        report(node, key, "names a side twice: each side once")
    return tuple(present)


def speakable(value: str) -> bool:
    """Whether the speech engine has something to say: a letter or a digit (a placeholder's
    value is one, since side names are checked and round numbers are digits)."""
    return "{" in value.replace("{{", "") or any(character.isalnum() for character in value)
