"""YAML nodes as the loader meets them: problems located at a node, mappings checked against
the declared keys, and values quoted safely in messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voiceguide.errors import SHOWN_CHARS, Problem, shown
from voiceguide.routine.keys import REQUIRED, Key
from voiceguide.routine.limits import closest_name


@dataclass(frozen=True)
class Place:
    """Where a key was written: its file (an included file's, not always the routine's),
    1-based line and column, and key path. Kept on the model for checks made later."""

    path: str
    line: int
    column: int
    key: str


# Keys whose values are checked after loading (against the speech engine): their places.
LOCATED = ("language", "voice.name", "voice.engine", "voice.model", "background.file", "length")


@dataclass
class Inclusions:
    """What the includes of one routine have read (``includes.py``), shared by the Reports
    of all its files."""

    digests: dict[str, str] = field(default_factory=dict)  # each file's path: its sha256
    documents: dict[str, tuple[Node, int]] = field(default_factory=dict)  # by real path
    total_bytes: int = 0  # of included text, each file counted every time it is included


class Report:
    """The problems found in one file, and where the keys in LOCATED were written.

    An included file has a Report of its own, ``including`` the Report of the file that
    includes it.
    """

    def __init__(self, path: str, including: Report | None = None) -> None:
        self.path = path
        self.including = including
        self.inclusions: Inclusions = including.inclusions if including else Inclusions()
        self.problems: list[Problem] = []
        self.locations: dict[str, tuple[int, int]] = {}
        # Every sound file named, included files' too: where, and its absolute path.
        self.sound_files: list[tuple[Place, str]] = including.sound_files if including else []

    def __call__(self, node: Node, key: str, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, key, message))

    def reported(self, key: str) -> bool:
        """Whether a problem with ``key`` was reported already (its value then stands in)."""
        return any(problem.key == key for problem in self.problems)


def read_mapping(
    report: Report, node: Node, key: str, keys: tuple[Key, ...], what: str
) -> dict[str, Node] | None:
    """The mapping's values by key, after reporting duplicate, unknown and missing keys."""
    if not isinstance(node, MappingNode):
        report(node, key, f"expected {what} (lines of 'key: value'), got {describe(node)}")
        return None
    known = [k.name for k in keys]
    values: dict[str, Node] = {}
    for key_node, value_node in node.value:
        name = key_node.value if isinstance(key_node, ScalarNode) else str(key_node)
        where = join(key, name)
        if name in values:
            first = values[name].start_mark.line + 1
            report(key_node, where, f"duplicate key (first given on line {first}): keep one")
        elif name not in known:
            hint = did_you_mean(name, known) or f": remove it (keys here: {', '.join(known)})"
            report(key_node, where, f"unknown key{hint}")
        else:
            values[name] = value_node
            if where in LOCATED:
                mark = value_node.start_mark
                report.locations[where] = (mark.line + 1, mark.column + 1)
    misspelled = {
        closest_name(str(k.value), known)
        for k, _ in node.value
        if isinstance(k, ScalarNode) and k.value not in known
    }
    for k in keys:
        if k.default == REQUIRED and k.name not in {*values, *misspelled}:
            report(node, key, f"missing key '{k.name}': add it, e.g. '{k.name}: {k.example}'")
    return values


def did_you_mean(name: str, known: list[str] | tuple[str, ...]) -> str:
    close = closest_name(name, known)
    return f": did you mean '{close}'?" if close else ""


def join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return shown(str(node.value))


def kind(node: Node) -> str:
    """What a document is, without quoting it (it may be any file, e.g. /etc/passwd)."""
    if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return "one piece of text"
    return describe(node)


def show(node: Node) -> str:
    return shown(str(node.value)) if isinstance(node, ScalarNode) else describe(node)


def number_shown(value: str) -> str:
    """A number as written (unquoted), or quoted and cut if it is long."""
    return value.strip() if len(value.strip()) <= SHOWN_CHARS else shown(value.strip())


def scalar(report: Report, node: Node, key: str, what: str) -> str | None:
    """The node's text, or None (reported) if it is not a single value."""
    if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return str(node.value)
    report(node, key, f"expected {what}, got {describe(node)}")
    return None
