"""YAML text to a validated, frozen Routine.

``source.py`` composes the file into YAML nodes (safe, bounded, plain data); each section is
read node by node against its key declarations (``sections.py``), so every problem carries
its line and column, and all of them are reported at once, sorted. Whole-routine checks
(``checks.py``) follow.
"""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import MappingNode, Node

from voiceguide.errors import RoutineError
from voiceguide.routine.checks import check_routine
from voiceguide.routine.items import read_items
from voiceguide.routine.keys import BACKGROUND_KEYS, BEDTIME_KEYS, ROUTINE_KEYS, VOICE_KEYS
from voiceguide.routine.model import FILE_BED, Background, Bedtime, Routine, Voice
from voiceguide.routine.nodes import Report, join, kind
from voiceguide.routine.placeholders import Scope
from voiceguide.routine.sections import read_section
from voiceguide.routine.source import compose, read_text


def load_routine(path: str | Path) -> Routine:
    """Read and check a routine file; RoutineError lists every problem in it."""
    text = read_text(Path(path))
    return load_routine_text(text, str(path))


def load_routine_text(text: str, path: str = "<routine>") -> Routine:
    root = compose(text, path)
    report = Report(path)
    routine = _routine(report, root)
    if report.problems or routine is None:  # a file included twice: its problems once
        raise RoutineError(list(dict.fromkeys(report.problems)))
    return routine


def _routine(report: Report, root: Node) -> Routine | None:
    if not isinstance(root, MappingNode):  # e.g. /etc/passwd: never quote its contents
        report(
            root,
            "",
            "is not a routine: a routine is lines of 'key: value' (version, title, "
            f"sections), and this file is {kind(root)}",
        )
        return None
    nested = {
        "items": lambda node, key: read_items(report, node, key, Scope()),
        "voice": lambda node, key: _voice(report, node, key),
        "background": lambda node, key: _background(report, node, key),
        "bedtime": lambda node, key: _bedtime(report, node, key),
    }
    section = read_section(report, root, "", ROUTINE_KEYS, "a routine", nested=nested)
    if section is None:
        return None
    fields = section.fields
    routine = Routine(
        **{**fields, "title": fields["title"] or "", "version": fields["version"] or 1},
        source=report.path,
        locations=report.locations,
        includes=tuple(report.inclusions.digests.items()),
        sound_files=tuple(report.sound_files),
    )
    check_routine(report, section.nodes, routine)
    return routine


def _voice(report: Report, node: Node, key: str) -> Voice:
    section = read_section(report, node, key, VOICE_KEYS, "voice settings")
    if section is None:
        return Voice()
    if "model" in section.nodes and section.fields["engine"] == "pyttsx3":
        report(
            section.nodes["engine"],
            join(key, "engine"),
            "a model is a Piper voice, which pyttsx3 cannot speak: set engine to piper or "
            "auto, or remove model",
        )
    return Voice(**section.fields)


def _background(report: Report, node: Node, key: str) -> Background:
    section = read_section(report, node, key, BACKGROUND_KEYS, "background settings")
    if section is None:
        return Background()
    if "file" not in section.nodes:
        return Background(**section.fields)
    if section.fields["sound"] != "none":
        report(
            section.nodes["sound"],
            join(key, "sound"),
            "a bed is a sound or a file, not both: remove 'sound' or 'file'",
        )
    return Background(**{**section.fields, "sound": FILE_BED})


def _bedtime(report: Report, node: Node, key: str) -> Bedtime:
    # The closing words are spoken, and no block is around them to give placeholders.
    section = read_section(report, node, key, BEDTIME_KEYS, "bedtime settings", scope=Scope())
    return Bedtime(**section.fields) if section else Bedtime()
