"""`voiceguide new`: an editable routine with every key it uses explained in a comment.

The comments come from the key declarations (``keys.py``, ``item_keys.py``), so they never
drift from what the loader accepts. They are inserted above each key's line in the source
text (a template or the starter below), which keeps its folded narration and its own
comments as written.

Editors find the JSON Schema through the ``yaml-language-server`` line. Outside the
repository there is no committed schema to point at, so ``routine.schema.json`` is written
next to the routine (and refreshed when an older voiceguide wrote it); a folder whose parent
holds ``docs/routine.schema.json`` (a new template in this repository) points there instead.
"""

from __future__ import annotations

import json
import os
import re
import stat
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voiceguide.errors import ExitCode, VoiceguideError
from voiceguide.files import check_name_length, write_atomically, write_text
from voiceguide.routine.item_keys import ITEM_KINDS
from voiceguide.routine.keys import Key, written_default
from voiceguide.routine.loader import load_routine_text
from voiceguide.routine.schema import SCHEMA_MODELINE, SECTIONS, json_schema
from voiceguide.routine.source import read_text
from voiceguide.routine.templates import resolve

SCHEMA_FILE = "routine.schema.json"
SCHEMA_TITLE = "voiceguide routine"  # json_schema()'s title: tells our file from another
COMMENT_WIDTH = 92
# Keys whose value is a mapping of further declared keys, or a list of items.
NESTED = {"voice": "voice", "background": "background", "bedtime": "bedtime"}
ITEM_LISTS = ("sections", "steps")

STARTER = """\
version: 1
title: TITLE
description: What the session is, in a sentence or two.
audience: Who the routine is for.
language: en
voice: {rate: 150}
background: {sound: brown, level: -26dB}
sections:
  - name: Welcome
    say: Welcome. Sit comfortably and let your shoulders drop.
  - pause: 5s

  - for_each_side: [right, left]
    name: "{side} hand"
    announce: Now your {side} hand.
    steps:
      - name: Wrist circles
        say: Make slow circles with your {side} wrist.
        repeat: 4
        min_repeat: 3
        max_repeat: 12
        each: 6s
        count: true
        rest: 3s

  - name: Breathe in
    slot: 4s
    say: In
    count_up: true
    tick_every: 1s

  - name: Rest
    slot: 30s
    say: Rest both hands in your lap and breathe slowly.
    at:
      half: Let your shoulders soften.
    countdown: 3
    end_cue: bell

  - say: That is the end of the session. Well done.
"""


# After the routine: item kinds that neither a template nor the starter shows, ready to
# uncomment, and every key no item above uses, with its meaning.
MORE_ITEMS = """\
# More kinds of item: to use one, put it in sections and delete the '# ' before its lines.
#
# A list block runs its steps once per entry, e.g. the exercises of a circuit:
#  - for_each: [push-ups, wall sit, plank]
#    announce: "{item}."
#    announce_in_slot: true
#    steps:
#      - {slot: 30s, say: Go., countdown: 3, end_cue: bell}
#    between: {name: Rest, slot: 10s, say: "Rest. Next, {next}.", countdown: 3}
#
# Rounds that --length adds or removes whole: '--length 5m' breathes for five minutes:
#  - rounds: 10
#    min_rounds: 2
#    max_rounds: 40
#    steps:
#      - {slot: 4s, say: In, count_up: true}
#      - {slot: 6s, say: Out, count_up: true}
#
# Another file's sections, in this place (a path relative to this file):
#  - include: warm-up.yaml"""
_SECTION_NAMES = {  # the sections whose unused keys follow the routine, in this order
    "voice": "voice",
    "background": "background",
    "bedtime": "bedtime",
    "step": "a step",
    "pause": "a pause",
    "slot": "a slot",
    "sides": "a for_each_side block",
    "list": "a for_each block",
    "rounds": "a rounds block",
    "include": "an include",
}


class ScaffoldError(VoiceguideError):
    """The new routine cannot be written where asked."""


class NameRefused(ScaffoldError):
    """The NAME given to `new` would leave its folder (a usage error)."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class NewRoutine:
    path: Path
    schema_path: Path  # the schema its modeline points at
    schema_written: bool  # False: an existing schema file was current, or is committed


def new_routine(name: str, template: str | None = None, folder: Path = Path(".")) -> NewRoutine:
    """Write ``NAME.yaml`` in ``folder`` from a template (or a starter), never over a file.

    ``name`` may hold subfolders of ``folder`` (``routines/evening``) but never leaves it:
    an absolute path, ``..`` or a link out of the folder is refused.
    """
    path = folder / routine_path(name)
    check_name_length(path, "new")
    _check_inside(path, folder, name)
    _check_free(path)
    source = read_text(resolve(template)) if template else _starter(path)
    schema_path, modeline, ours = _schema_target(path.parent)
    text = annotate(source, modeline)
    load_routine_text(text, str(path))  # what we write must load: a bug otherwise
    written = _write_schema(schema_path) if ours else False
    _write_new(path, text)
    return NewRoutine(path, schema_path, written)


def _write_new(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all, and never over anything already there: a hard
    link puts the part file in place atomically and fails if the name was taken meanwhile.
    Where links are not supported, an exclusive create."""
    try:
        write_atomically(path, text.encode("utf-8"), _link_new)
    except FileExistsError:  # created since the check above
        raise ScaffoldError(f"{path} already exists: choose another name") from None
    except OSError as error:
        raise ScaffoldError(f"cannot write {path}: {error.strerror or error}") from None


def _link_new(part: Path, path: Path) -> None:
    try:
        os.link(part, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        with path.open("xb") as file:
            file.write(part.read_bytes())


def routine_path(name: str) -> Path:
    """``my-routine`` -> ``my-routine.yaml``; a name ending in .yaml or .yml is kept."""
    path = Path(name)
    if not path.stem or name.endswith(("/", "\\")):
        raise NameRefused(f"'{name}' is not a file name: give one such as my-routine")
    if path.is_absolute() or ".." in path.parts:
        raise NameRefused(
            f"'{name}' leaves the current folder: new writes NAME.yaml here or in a folder "
            f"below; go to the folder you want (cd) and run 'voiceguide new {path.stem}'"
        )
    return path if path.suffix in (".yaml", ".yml") else path.with_name(path.name + ".yaml")


def _check_free(path: Path) -> None:
    """Refuse a name already taken (by anything, even a dangling link) or in no folder."""
    try:
        if os.path.lexists(path):
            raise ScaffoldError(f"{path} already exists: choose another name, or delete it first")
        if not path.parent.is_dir():
            raise ScaffoldError(f"cannot write {path}: no folder {path.parent}")
    except OSError as error:
        raise NameRefused(f"cannot write {path}: {error.strerror or error}") from None


def _check_inside(path: Path, folder: Path, name: str) -> None:
    """Refuse a subfolder that is a link leading out of ``folder``."""
    try:
        inside = path.parent.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        inside = False
    if not inside:
        raise NameRefused(
            f"'{name}' leads out of the current folder through a link: new writes NAME.yaml "
            "here or in a folder below; give a plain name"
        )


def annotate(source: str, modeline: str) -> str:
    """The routine text with the modeline first and each key's meaning above its first use."""
    lines = [line for line in source.splitlines() if not line.startswith("# yaml-language-server")]
    body = "\n".join(lines) + "\n"
    root = yaml.compose(body, Loader=yaml.SafeLoader)
    notes: dict[int, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    if isinstance(root, MappingNode):
        _note_mapping(root, "routine", notes, seen)
        used = {k.value for k, _ in root.value if isinstance(k, ScalarNode)}
        sections = next((k for k, _ in root.value if k.value == "sections"), None)
        if sections is not None:
            notes.setdefault(sections.start_mark.line, []).insert(0, _unused_keys(used))
    out = [modeline, *_intro()]
    for number, line in enumerate(body.splitlines()):
        indent = " " * (len(line) - len(line.lstrip(" ")))
        for note in notes.get(number, []):
            out += [f"{indent}{comment}" for comment in note.splitlines()]
        out.append(line)
    out += ["", MORE_ITEMS, *_unused_section_keys(seen)]
    return "\n".join(out) + "\n"


def _unused_section_keys(seen: set[tuple[str, str]]) -> list[str]:
    """Each key of the settings and items that the routine above does not use, with its
    meaning (the routine's own are offered above ``sections``)."""
    lines = []
    for section, name in _SECTION_NAMES.items():
        unused = [key for key in SECTIONS[section] if (key.name, key.doc) not in seen]
        if unused:
            lines += ["#", f"# More keys of {name}:"]
        for key in unused:
            text = f"{key.name}: {_plain(key.doc)} E.g. {key.name}: {key.example}"
            lines += textwrap.wrap(
                text, COMMENT_WIDTH, initial_indent="#   ", subsequent_indent="#     "
            )
    return lines


def _intro() -> list[str]:
    return [
        "# A voiceguide routine. Each key is explained in a comment above its first use.",
        "# Check it with 'voiceguide validate FILE', see its timeline with 'voiceguide plan FILE',",
        "# hear it with 'voiceguide play FILE'. Every key: 'voiceguide schema', or",
        "# docs/routine-format.md.",
    ]


def _note_mapping(
    node: MappingNode, section: str, notes: dict[int, list[str]], seen: set[tuple[str, str]]
) -> None:
    keys = {key.name: key for key in SECTIONS[section]}
    for key_node, value in node.value:
        key = keys.get(key_node.value) if isinstance(key_node, ScalarNode) else None
        if key is None:
            continue  # the loader reports it; a scaffold of a valid file never gets here
        if (key.name, key.doc) not in seen:
            seen.add((key.name, key.doc))
            notes.setdefault(key_node.start_mark.line, []).append(_comment(key))
        if section == "routine" and key.name in NESTED and isinstance(value, MappingNode):
            _note_mapping(value, NESTED[key.name], notes, seen)
        elif key.name in ITEM_LISTS and isinstance(value, SequenceNode):
            for item in value.value:
                if isinstance(item, MappingNode):
                    _note_mapping(item, _kind(item), notes, seen)


def _kind(item: Node) -> str:
    names = {k.value for k, _ in item.value if isinstance(k, ScalarNode)}
    return next((kind for key, kind in ITEM_KINDS.items() if key in names), "step")


def _comment(key: Key) -> str:
    text = f"{key.name}: {_plain(key.doc)}"
    if written := written_default(key):
        text += f" Default: {written}."
    return "\n".join(
        textwrap.wrap(text, COMMENT_WIDTH, initial_indent="# ", subsequent_indent="#   ")
    )


def _unused_keys(used: set[str]) -> str:
    unused = [key for key in SECTIONS["routine"] if key.name not in used]
    if not unused:
        return ""
    lines = ["# More keys you can add here (delete the '# ' before a key to use it):"]
    for key in unused:
        lines += textwrap.wrap(
            _plain(key.doc), COMMENT_WIDTH, initial_indent="#   ", subsequent_indent="#   "
        )
        lines.append(f"# {key.name}: {key.example}")
    return "\n".join(lines)


def _plain(doc: str) -> str:
    """Markdown emphasis reads as noise in a YAML comment; `code` marks still help."""
    return doc.replace("*", "")


def _starter(path: Path) -> str:
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    title = words[:1].upper() + words[1:] if words else "My routine"
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", title)
    return STARTER.replace("TITLE", title if plain else json.dumps(title, ensure_ascii=False))


def _schema_target(folder: Path) -> tuple[Path, str, bool]:
    """The schema for a routine in ``folder``, its modeline, and whether we write it."""
    committed = folder.parent / "docs" / SCHEMA_FILE
    if committed.is_file():  # this repository's own, kept current by its tests
        return committed, SCHEMA_MODELINE, False
    return folder / SCHEMA_FILE, f"# yaml-language-server: $schema={SCHEMA_FILE}", True


def _write_schema(path: Path) -> bool:
    """Write the current schema at ``path`` unless it is already there; True if written."""
    current = json.dumps(json_schema(), indent=2) + "\n"
    try:
        mode: int | None = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise ScaffoldError(f"cannot read {path}: {error.strerror or error}") from None
    if mode is not None:
        existing = path.read_text("utf-8", "replace") if stat.S_ISREG(mode) else ""
        if existing == current:
            return False
        if not _is_our_schema(existing):
            raise ScaffoldError(
                f"{path} exists and is not voiceguide's schema: move it, or write the "
                "routine in another folder"
            )
    write_text(path, current, option="new")  # atomically, and over a regular file only
    return True


def _is_our_schema(text: str) -> bool:
    try:
        return bool(json.loads(text).get("title") == SCHEMA_TITLE)
    except (ValueError, AttributeError):
        return False
