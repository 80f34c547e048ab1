"""YAML text to a validated, frozen Routine.

``source.py`` composes the file into YAML nodes (safe, bounded, plain data); they are read
node by node against the declarations in ``schema.py``, so every problem carries its line and
column and all of them are reported at once, sorted. Scalars are read from their source text,
so YAML 1.1 surprises (``1:30`` as the number 90, ``no`` as false) never reach the routine.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voiceguide.errors import Problem, RoutineError
from voiceguide.routine import limits, schema
from voiceguide.routine.durations import format_ms, parse_duration_ms
from voiceguide.routine.model import (
    BACKGROUND_SOUNDS,
    CUE_SOUNDS,
    FILE_BED,
    MIN_SCALE,
    MIN_TAIL_MS,
    Background,
    Bedtime,
    Item,
    Pause,
    Rounds,
    Routine,
    Sides,
    Slot,
    Step,
    Voice,
)
from voiceguide.routine.source import NO_SUCH_FILE, compose, file_problem, read_text

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
_LEVEL_RE = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*(?:db)?\s*", re.IGNORECASE)
_FREQUENCY_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:hz)?\s*", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*")
# More digits than any key's range allows; a longer number is not converted at all (Python
# refuses to convert over 4,300 digits, and a float of 400 digits is infinite).
MAX_DIGITS = 15
_BEYOND_RANGE: int = 10**MAX_DIGITS
# A duration's whole number with this many digits is over 12 hours in every unit (ms too).
_DURATION_DIGITS = 9
_WHOLE_RE = re.compile(r"(?<![.\d])\d+")  # whole numbers, not the digits after a point
_SHOWN_CHARS = 40  # of a value quoted in a message
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*")
_MAX_LANGUAGE_CHARS = 35  # longer than any language tag in use (BCP 47)
# Keys whose values are checked after loading (against the speech engine): their places.
_LOCATED = ("language", "voice.name", "background.file", "length")


def load_routine(path: str | Path) -> Routine:
    """Read and check a routine file; RoutineError lists every problem in it."""
    text = read_text(Path(path))
    return load_routine_text(text, str(path))


def load_routine_text(text: str, path: str = "<routine>") -> Routine:
    root = compose(text, path)
    reader = _Reader(path)
    routine = reader.routine(root)
    if reader.problems or routine is None:
        raise RoutineError(reader.problems)
    return routine


@dataclass(frozen=True)
class _Scope:
    """What the text being read may refer to: the placeholders of the blocks around it."""

    placeholders: frozenset[str] = frozenset()
    block: str | None = None  # the marker key of the block around, e.g. "for_each_side"


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.locations: dict[str, tuple[int, int]] = {}

    def report(self, node: Node, key: str, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, key, message))

    # -- mappings ---------------------------------------------------------------------------

    def mapping(
        self, node: Node, key: str, keys: tuple[schema.Key, ...], what: str
    ) -> dict[str, Node] | None:
        """The mapping's values by key, after reporting duplicate, unknown and missing keys."""
        if not isinstance(node, MappingNode):
            self.report(
                node, key, f"expected {what} (lines of 'key: value'), got {_describe(node)}"
            )
            return None
        known = [k.name for k in keys]
        values: dict[str, Node] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, ScalarNode) else str(key_node)
            where = _join(key, name)
            if name in values:
                first = values[name].start_mark.line + 1
                self.report(
                    key_node, where, f"duplicate key (first given on line {first}): keep one"
                )
            elif name not in known:
                hint = _did_you_mean(name, known) or f": remove it (keys here: {', '.join(known)})"
                self.report(key_node, where, f"unknown key{hint}")
            else:
                values[name] = value_node
                if where in _LOCATED:
                    mark = value_node.start_mark
                    self.locations[where] = (mark.line + 1, mark.column + 1)
        misspelled = {
            _closest(str(k.value), known)
            for k, _ in node.value
            if isinstance(k, ScalarNode) and k.value not in known
        }
        for k in keys:
            if k.default == schema.REQUIRED and k.name not in {*values, *misspelled}:
                self.report(
                    node, key, f"missing key '{k.name}': add it, e.g. '{k.name}: {k.example}'"
                )
        return values

    def optional(
        self,
        values: dict[str, Node],
        key: str,
        name: str,
        read: Callable[[Node, str], Any],
        default: Any = None,
    ) -> Any:
        if name not in values:
            return default
        return read(values[name], _join(key, name))

    # -- the routine ------------------------------------------------------------------------

    def routine(self, root: Node) -> Routine | None:
        if not isinstance(root, MappingNode):  # e.g. /etc/passwd: never quote its contents
            self.report(
                root,
                "",
                f"is not a routine: a routine is lines of 'key: value' (version, title, "
                f"sections), and this file is {_kind(root)}",
            )
            return None
        values = self.mapping(root, "", schema.ROUTINE_KEYS, "a routine")
        if values is None:
            return None
        version = self.optional(values, "", "version", self.version)
        title = self.optional(values, "", "title", self.text)
        items = self.optional(values, "", "sections", self.items_at_top)
        routine = Routine(
            title=title or "",
            items=items or (),
            description=self.optional(values, "", "description", self.text, ""),
            language=self.optional(values, "", "language", self.language, "en"),
            voice=self.optional(values, "", "voice", self.voice, Voice()),
            length_ms=self.optional(values, "", "length", self.duration),
            background=self.optional(values, "", "background", self.background, Background()),
            version=version or 1,
            source=self.path,
            audience=self.optional(values, "", "audience", self.text, ""),
            lead_in_ms=self.optional(values, "", "lead_in", self.duration, 0),
            tail_ms=self.optional(values, "", "tail", self.tail, 0),
            end_cue=self.optional(values, "", "end_cue", self.cue),
            bedtime=self.optional(values, "", "bedtime", self.bedtime, Bedtime()),
            locations=self.locations,
        )
        self.check_framing(values, routine)
        if items:
            self.check_counts(values["sections"], routine)
        if routine.length_ms and items:
            self.check_length(values["length"], routine)
        return routine

    def check_framing(self, values: dict[str, Node], routine: Routine) -> None:
        """What planning would refuse about the session as the file alone gives it."""
        guided_ms = natural_minimum_ms(routine.items)
        if guided_ms > schema.MAX_SESSION_MS:
            self.report(
                values["sections"],
                "sections",
                "the session would last over 12 hours: "
                "use fewer repetitions, rounds or shorter times",
            )
        elif guided_ms + routine.lead_in_ms + routine.tail_ms > schema.MAX_SESSION_MS:
            framing = [name for name in ("lead_in", "tail") if name in values]
            self.report(
                values[framing[0]],
                framing[0],
                f"{' and '.join(framing)} with the session itself make over 12 hours: shorten them",
            )
        if routine.tail_ms and routine.background.sound == "none":
            self.report(
                values["tail"],
                "tail",
                "a tail plays the background after the last word, and this routine has no "
                "background: add one (e.g. background: {sound: brown}) or remove the tail",
            )

    def check_counts(self, node: Node, routine: Routine) -> None:
        """What the routine can make and say, bounded before any work (see limits.py)."""
        events = limits.event_bound(routine)
        if events > schema.MAX_EVENTS:
            self.report(
                node,
                "sections",
                f"this routine can make up to {events:,} words, silences and cues (at its "
                f"largest repeat counts), over the limit of {schema.MAX_EVENTS:,}: use fewer "
                "rounds, sides, repetitions or items",
            )
        phrases = limits.phrase_bound(routine)
        if phrases.count > schema.MAX_PHRASES:
            self.report(
                node,
                "sections",
                f"this routine can say up to {phrases.count:,} different phrases, over the "
                f"limit of {schema.MAX_PHRASES:,}: count aloud to fewer (max_repeat), or use "
                "{side} and {round} in fewer texts",
            )
        if phrases.chars > schema.MAX_PHRASE_CHARS:
            self.report(
                node,
                "sections",
                f"this routine can say up to {phrases.chars:,} characters of different text, "
                f"over the limit of {schema.MAX_PHRASE_CHARS:,}: shorten the narration, or "
                "use {side} and {round} in fewer texts",
            )

    def check_length(self, node: Node, routine: Routine) -> None:
        """A routine ``length`` it can never meet at pace 1, whatever its speech."""
        length_ms = routine.length_ms or 0
        shortest_ms = limits.shortest_ms(routine, MIN_SCALE)
        if length_ms < shortest_ms:
            self.report(
                node,
                "length",
                f"{format_ms(length_ms)} is out of reach: at pace 1 this routine "
                f"lasts at least {format_ms(shortest_ms)} before any speech (fewest "
                "repetitions, elastic time halved): make length longer, or remove it",
            )

    def ring_every(self, node: Node, key: str) -> int:
        every_ms = self.duration(node, key)
        if 0 < every_ms < schema.MIN_RING_EVERY_MS:
            self.report(
                node,
                key,
                f"'{node.value}' is too often: make it "
                f"{schema.MIN_RING_EVERY_MS // 1000}s or longer (for a faster beat, use a "
                "step with 'each' and 'repeat_cue')",
            )
        return every_ms

    def version(self, node: Node, key: str) -> int | None:
        if isinstance(node, ScalarNode) and node.value.strip() == "1":
            return 1
        self.report(
            node, key, f"unsupported version {_show(node)}: this voiceguide reads version 1"
        )
        return None

    def voice(self, node: Node, key: str) -> Voice:
        values = self.mapping(node, key, schema.VOICE_KEYS, "voice settings") or {}
        return Voice(
            name=self.optional(values, key, "name", self.text),
            rate_wpm=self.optional(values, key, "rate", self.bounded(schema.VOICE_KEYS[1]), 150),
            volume=self.optional(values, key, "volume", self.fraction, 1.0),
        )

    def background(self, node: Node, key: str) -> Background:
        keys = {k.name: k for k in schema.BACKGROUND_KEYS}
        values = self.mapping(node, key, schema.BACKGROUND_KEYS, "background settings") or {}
        sound = self.optional(values, key, "sound", self.choice(BACKGROUND_SOUNDS, "sound"))
        file = self.optional(values, key, "file", self.file)
        if "file" in values and sound not in (None, "none"):
            self.report(
                values["sound"],
                _join(key, "sound"),
                "a bed is a sound or a file, not both: remove 'sound' or 'file'",
            )
        return Background(
            sound=FILE_BED if "file" in values else sound or "none",
            level_db=self.optional(values, key, "level", self.level(keys["level"]), -24.0),
            carrier_hz=self.optional(
                values, key, "carrier", self.frequency(keys["carrier"]), 200.0
            ),
            beat_hz=self.optional(values, key, "beat", self.frequency(keys["beat"]), 6.0),
            file=file,
        )

    def bedtime(self, node: Node, key: str) -> Bedtime:
        keys = {k.name: k for k in schema.BEDTIME_KEYS}
        values = self.mapping(node, key, schema.BEDTIME_KEYS, "bedtime settings") or {}
        defaults = Bedtime()
        return Bedtime(
            always=self.optional(values, key, "always", self.boolean, defaults.always),
            slow_to=self.optional(values, key, "slow_to", self.ratio(keys["slow_to"]), 0.8),
            voice_fall_db=self.optional(
                values, key, "voice_fall", self.level(keys["voice_fall"]), defaults.voice_fall_db
            ),
            quieter_db=self.optional(
                values, key, "quieter", self.level(keys["quieter"]), defaults.quieter_db
            ),
            closing=self.optional(
                values, key, "closing", self.placeholder_text(_Scope(), spoken=True)
            ),
            tail_ms=self.optional(values, key, "tail", self.tail, defaults.tail_ms),
        )

    def tail(self, node: Node, key: str) -> int:
        tail_ms = self.duration(node, key)
        if 0 < tail_ms < MIN_TAIL_MS:
            self.report(
                node,
                key,
                "a tail fades out over at least 1m: make it 1m or longer, or leave it out",
            )
        return tail_ms

    def file(self, node: Node, key: str) -> str | None:
        """A path relative to the routine's folder, which must name an existing file."""
        value = self.text(node, key)
        if value is None:
            return None
        base = Path(self.path).parent if not self.path.startswith("<") else Path()
        try:
            written = Path(value).expanduser()
        except RuntimeError:  # ~name of no user
            written = Path(value)
        path = Path(os.path.abspath(base / written))  # not resolved: a link loop must not raise
        problem = file_problem(path)
        if problem == NO_SUCH_FILE:
            self.report(
                node,
                key,
                f"no such file {_shown(value)} (looked for {path}): paths are "
                "relative to the routine file",
            )
        elif problem:
            self.report(node, key, f"{_shown(value)} {problem}: give a sound file such as rain.ogg")
        return str(path)

    # -- items ------------------------------------------------------------------------------

    def items_at_top(self, node: Node, key: str) -> tuple[Item, ...]:
        return self.items(node, key, _Scope())

    def items(self, node: Node, key: str, scope: _Scope) -> tuple[Item, ...]:
        if not isinstance(node, SequenceNode):
            self.report(node, key, f"expected a list of items, got {_describe(node)}")
            return ()
        if not node.value:
            self.report(node, key, "is empty: give at least one item")
        found = (self.item(child, f"{key}[{i}]", scope) for i, child in enumerate(node.value))
        return tuple(item for item in found if item is not None)

    def item(self, node: Node, key: str, scope: _Scope) -> Item | None:
        if not isinstance(node, MappingNode):
            self.report(
                node,
                key,
                f"expected an item (a mapping such as 'say: ...' or "
                f"'pause: 5s'), got {_describe(node)}",
            )
            return None
        names = {k.value for k, _ in node.value if isinstance(k, ScalarNode)}
        kinds = [kind for marker, kind in schema.ITEM_KINDS.items() if marker in names]
        if len(kinds) > 1:
            markers = [m for m in schema.ITEM_KINDS if m in names]
            self.report(
                node,
                key,
                f"an item is one kind, but this one has both "
                f"'{markers[0]}' and '{markers[1]}': split it in two",
            )
            return None
        read = {
            "sides": self.sides,
            "rounds": self.rounds,
            "slot": self.slot,
            "pause": self.pause,
        }.get(kinds[0] if kinds else "", self.step)
        return read(node, key, scope)

    def step(self, node: Node, key: str, scope: _Scope) -> Step | None:
        values = self.mapping(node, key, schema.STEP_KEYS, "a step")
        if values is None:
            return None
        text = self.placeholder_text(scope)
        whole = {k.name: self.bounded(k) for k in schema.STEP_KEYS if k.type == "whole"}
        repeat = self.optional(values, key, "repeat", whole["repeat"], 1)
        step = Step(
            name=self.optional(values, key, "name", text),
            say=self.optional(values, key, "say", self.placeholder_text(scope, spoken=True)),
            repeat=repeat,
            min_repeat=self.optional(values, key, "min_repeat", whole["min_repeat"], repeat),
            max_repeat=self.optional(values, key, "max_repeat", whole["max_repeat"], repeat),
            each_ms=self.optional(values, key, "each", self.duration, 0),
            count=self.optional(values, key, "count", self.boolean, False),
            repeat_cue=self.optional(values, key, "repeat_cue", self.cue),
            start_cue=self.optional(values, key, "start_cue", self.cue),
            rest_ms=self.optional(values, key, "rest", self.duration, 0),
        )
        self.check_step(node, key, values, step)
        return step

    def check_step(self, node: Node, key: str, values: dict[str, Node], step: Step) -> None:
        if "say" not in values and "each" not in values:
            self.report(
                node, key, "a step needs 'say' (narration), 'each' (activity time), or both"
            )
        needs_each = [
            n for n in ("repeat", "min_repeat", "max_repeat", "count", "repeat_cue") if n in values
        ]
        if needs_each and "each" not in values:
            self.report(
                values[needs_each[0]],
                _join(key, needs_each[0]),
                "needs 'each', the activity time of one repetition",
            )
        if step.min_repeat > step.repeat:
            self.report(
                values["min_repeat"],
                _join(key, "min_repeat"),
                f"is {step.min_repeat} but repeat is {step.repeat}: make min_repeat "
                f"at most {step.repeat}",
            )
        if step.max_repeat < step.repeat:
            self.report(
                values["max_repeat"],
                _join(key, "max_repeat"),
                f"is {step.max_repeat} but repeat is {step.repeat}: make max_repeat "
                f"at least {step.repeat}",
            )

    def pause(self, node: Node, key: str, scope: _Scope) -> Pause | None:
        values = self.mapping(node, key, schema.PAUSE_KEYS, "a pause")
        if values is None or "pause" not in values:
            return None
        return Pause(
            duration_ms=self.duration(values["pause"], _join(key, "pause")),
            name=self.optional(values, key, "name", self.placeholder_text(scope)),
            ring_every_ms=self.optional(values, key, "ring_every", self.ring_every, 0),
            ring_cue=self.optional(values, key, "ring_cue", self.cue, "bell") or "bell",
        )

    def slot(self, node: Node, key: str, scope: _Scope) -> Slot | None:
        values = self.mapping(node, key, schema.SLOT_KEYS, "a slot")
        if values is None or "slot" not in values:
            return None
        text = self.placeholder_text(scope)
        slot = Slot(
            name=self.optional(values, key, "name", text),
            say=self.optional(values, key, "say", self.placeholder_text(scope, spoken=True)),
            slot_ms=self.duration(values["slot"], _join(key, "slot")),
            countdown=self.optional(values, key, "countdown", self.bounded(schema.SLOT_KEYS[3]), 0),
            start_cue=self.optional(values, key, "start_cue", self.cue),
            end_cue=self.optional(values, key, "end_cue", self.cue),
            stretch=self.optional(values, key, "stretch", self.boolean, False),
            ring_every_ms=self.optional(values, key, "ring_every", self.ring_every, 0),
            ring_cue=self.optional(values, key, "ring_cue", self.cue, "bell") or "bell",
        )
        if slot.slot_ms and slot.countdown * 1000 >= slot.slot_ms:
            fits = (slot.slot_ms - 1) // 1000
            self.report(
                values["countdown"],
                _join(key, "countdown"),
                f"a {slot.countdown} s countdown does not fit in a "
                f"{slot.slot_ms / 1000:g} s slot: use countdown: {fits} or less, or a "
                "longer slot",
            )
        return slot

    def sides(self, node: Node, key: str, scope: _Scope) -> Sides | None:
        values = self.mapping(node, key, schema.SIDES_KEYS, "a for_each_side block")
        if values is None or "for_each_side" not in values:
            return None
        self.check_not_nested(values, key, "for_each_side", scope)
        inner = _Scope(scope.placeholders | {"side"}, "for_each_side")
        text = self.placeholder_text(inner)
        spoken = self.placeholder_text(inner, spoken=True)
        return Sides(
            sides=self.side_names(values["for_each_side"], _join(key, "for_each_side")),
            items=self.optional(values, key, "steps", lambda n, k: self.items(n, k, inner), ()),
            announce=self.optional(values, key, "announce", spoken),
            switch_cue=self.optional(values, key, "switch_cue", self.cue, "chime"),
            name=self.optional(values, key, "name", text),
        )

    def rounds(self, node: Node, key: str, scope: _Scope) -> Rounds | None:
        values = self.mapping(node, key, schema.ROUNDS_KEYS, "a rounds block")
        if values is None or "rounds" not in values:
            return None
        self.check_not_nested(values, key, "rounds", scope)
        inner = _Scope(scope.placeholders | {"round", "rounds"}, "rounds")
        text = self.placeholder_text(inner)
        spoken = self.placeholder_text(inner, spoken=True)
        return Rounds(
            rounds=self.bounded(schema.ROUNDS_KEYS[0])(values["rounds"], _join(key, "rounds")),
            items=self.optional(values, key, "steps", lambda n, k: self.items(n, k, inner), ()),
            announce=self.optional(values, key, "announce", spoken),
            rest_ms=self.optional(values, key, "rest", self.duration, 0),
            name=self.optional(values, key, "name", text),
        )

    def check_not_nested(
        self, values: dict[str, Node], key: str, marker: str, scope: _Scope
    ) -> None:
        """Blocks do not nest (yet): the format gives no meaning to sides within rounds."""
        if scope.block:
            self.report(
                values[marker],
                _join(key, marker),
                f"a {marker} block cannot be inside a {scope.block} block: blocks do not "
                "nest; move it out to the top level of sections",
            )

    # -- scalars ----------------------------------------------------------------------------

    def scalar(self, node: Node, key: str, what: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
            return str(node.value)
        self.report(node, key, f"expected {what}, got {_describe(node)}")
        return None

    def text(self, node: Node, key: str) -> str | None:
        value = self.scalar(node, key, "text")
        if value is None:
            return None
        if not value.strip():
            self.report(node, key, "is empty: write the text, or leave the key out")
            return None
        if len(value) > schema.MAX_TEXT_CHARS:
            self.report(
                node,
                key,
                f"is {len(value):,} characters long; keep it under "
                f"{schema.MAX_TEXT_CHARS:,} or split it across steps",
            )
            return None
        return " ".join(value.split())

    def placeholder_text(
        self, scope: _Scope, spoken: bool = False
    ) -> Callable[[Node, str], str | None]:
        """Text that may use the scope's placeholders; ``spoken`` text must say something."""

        def read(node: Node, key: str) -> str | None:
            value = self.text(node, key)
            if value is not None:
                self.check_placeholders(node, key, value, scope)
                if spoken and not _speakable(value):
                    self.report(node, key, _UNSPEAKABLE)
            return value

        return read

    def check_placeholders(self, node: Node, key: str, value: str, scope: _Scope) -> None:
        try:
            fields = [parsed for parsed in string.Formatter().parse(value) if parsed[1] is not None]
        except ValueError:
            self.report(node, key, "has an unmatched '{' or '}': write {{ or }} for a brace")
            return
        for _, name, spec, conversion in fields:
            placeholder = "{" + (name or "") + "}"
            if spec or conversion or name not in scope.placeholders:
                self.report(node, key, _placeholder_message(placeholder, scope))

    def duration(self, node: Node, key: str) -> int:
        value = self.scalar(node, key, "a duration such as 90s or 1:30")
        if value is None:
            return 0
        too_long = f"{_shown(value)} is longer than the 12-hour limit of a session"
        if value.strip().startswith("-"):
            self.report(
                node, key, f"{_shown(value)} is negative: write a positive duration such as 5s"
            )
            return 0
        if any(len(whole.lstrip("0")) >= _DURATION_DIGITS for whole in _WHOLE_RE.findall(value)):
            self.report(node, key, too_long)  # before any conversion of a 5,000-digit number
            return 0
        try:
            duration_ms = parse_duration_ms(value)
        except OverflowError:
            self.report(node, key, too_long)
            return 0
        except ValueError as error:  # its message quotes the value whole: cut it
            self.report(node, key, str(error).replace(f"'{value}'", _shown(value)))
            return 0
        if duration_ms <= 0:
            self.report(node, key, "must be longer than 0: leave the key out for none")
        elif duration_ms > schema.MAX_SESSION_MS:
            self.report(node, key, too_long)
        return duration_ms

    def whole(self, node: Node, key: str) -> int | None:
        """A whole number; one of more than MAX_DIGITS digits stands as _BEYOND_RANGE (with
        its sign) and is never converted."""
        value = self.scalar(node, key, "a whole number")
        if value is None:
            return None
        match = re.fullmatch(r"\s*([+-]?)0*(\d+)\s*", value)
        if not match:
            self.report(node, key, f"expected a whole number, got {_shown(value)}")
            return None
        sign, digits = match.groups()
        if len(digits) > MAX_DIGITS:
            return -_BEYOND_RANGE if sign == "-" else _BEYOND_RANGE
        return int(sign + digits)

    def bounded(self, spec: schema.Key) -> Callable[[Node, str], int]:
        low, high = int(spec.minimum or 0), int(spec.maximum or 0)

        def read(node: Node, key: str) -> int:
            number = self.whole(node, key)
            if number is None:
                return low
            if not low <= number <= high:
                written = _number_shown(str(node.value))
                self.report(node, key, f"{written} is out of range: use {low} to {high:,}")
                return low
            return number

        return read

    def number(self, node: Node, key: str, what: str) -> tuple[float | None, str]:
        """A finite decimal number and the text it was read from; None (reported once) if
        it is missing or not a plain number such as 0.8 (never nan, inf or 1e999)."""
        value = self.scalar(node, key, what)
        if value is None:
            return None, ""
        if _NUMBER_RE.fullmatch(value):
            return _decimal(value), value
        self.report(node, key, f"expected {what}, got {_shown(value)}")
        return None, value

    def fraction(self, node: Node, key: str) -> float:
        number, value = self.number(node, key, "a number from 0.1 to 1")
        if number is None:
            return 1.0
        if not 0.1 <= number <= 1.0:
            self.report(node, key, f"{_number_shown(value)} is out of range: use 0.1 to 1")
            return 1.0
        return number

    def boolean(self, node: Node, key: str) -> bool:
        value = self.scalar(node, key, "true or false")
        if value is None:
            return False
        if value.lower() not in _TRUE | _FALSE:
            self.report(node, key, f"expected true or false, got {_shown(value)}")
        return value.lower() in _TRUE

    def level(self, spec: schema.Key) -> Callable[[Node, str], float]:
        return self.quantity(spec, _LEVEL_RE, "dB", "a level in dB")

    def frequency(self, spec: schema.Key) -> Callable[[Node, str], float]:
        return self.quantity(spec, _FREQUENCY_RE, "Hz", "a frequency")

    def quantity(
        self, spec: schema.Key, pattern: re.Pattern[str], unit: str, what: str
    ) -> Callable[[Node, str], float]:
        """A number with an optional unit, within the key's range."""
        low, high = spec.minimum or 0.0, spec.maximum or 0.0

        def read(node: Node, key: str) -> float:
            value = self.scalar(node, key, f"{what} such as {spec.example}")
            if value is None:
                return low
            match = pattern.fullmatch(value)
            if not match:
                self.report(
                    node, key, f"expected {what} such as {spec.example}, got {_shown(value)}"
                )
                return low
            number = _decimal(match.group(1))
            if not low <= number <= high:
                shown = f"{number:g}{unit}" if math.isfinite(number) else _number_shown(value)
                self.report(
                    node,
                    key,
                    f"{shown} is out of range: use {low:g}{unit} to {high:g}{unit}",
                )
                return low
            return number

        return read

    def ratio(self, spec: schema.Key) -> Callable[[Node, str], float]:
        low, high = spec.minimum or 0.0, spec.maximum or 0.0

        def read(node: Node, key: str) -> float:
            number, value = self.number(node, key, f"a number from {low:g} to {high:g}")
            if number is None:
                return float(spec.default)
            if not low <= number <= high:
                self.report(
                    node, key, f"{_number_shown(value)} is out of range: use {low:g} to {high:g}"
                )
                return float(spec.default)
            return number

        return read

    def language(self, node: Node, key: str) -> str:
        value = self.scalar(node, key, "a language code such as en or de") or "en"
        if len(value) > _MAX_LANGUAGE_CHARS or not _LANGUAGE_RE.fullmatch(value):
            self.report(
                node,
                key,
                f"{_shown(value)} is not a language code: write one such as en, de or en-gb",
            )
        return value.lower().replace("_", "-")

    def choice(self, choices: tuple[str, ...], what: str) -> Callable[[Node, str], str | None]:
        def read(node: Node, key: str) -> str | None:
            value = self.scalar(node, key, f"a {what} name")
            if value is not None and value not in choices:
                self.report(
                    node,
                    key,
                    f"unknown {what} {_shown(value)}"
                    f"{_did_you_mean(value, list(choices))} (choose from "
                    f"{', '.join(choices)})",
                )
                return None
            return value

        return read

    def cue(self, node: Node, key: str) -> str | None:
        return self.choice(CUE_SOUNDS, "cue")(node, key)

    def side_names(self, node: Node, key: str) -> tuple[str, ...]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.report(
                node,
                key,
                f"expected a list of side names such as [right, left], got {_describe(node)}",
            )
            return ()
        names = [self.text(child, f"{key}[{i}]") for i, child in enumerate(node.value)]
        for index, name in enumerate(names):  # spoken wherever an announce says {side}
            if name is not None and not _speakable(name):
                self.report(node.value[index], f"{key}[{index}]", _UNSPEAKABLE)
        if len(names) > schema.MAX_SIDES:
            self.report(node, key, f"{len(names)} sides; a block has at most {schema.MAX_SIDES}")
        present = [n for n in names if n]
        if len(set(present)) < len(present):
            self.report(node, key, "names a side twice: each side once")
        return tuple(present)


def natural_minimum_ms(items: tuple[Item, ...]) -> int:
    """Time the items take at natural length, speech not counted (it only adds)."""
    total = 0
    for item in items:
        if isinstance(item, Step):
            total += item.repeat * item.each_ms + item.rest_ms
        elif isinstance(item, Pause):
            total += item.duration_ms
        elif isinstance(item, Slot):
            total += item.slot_ms
        elif isinstance(item, Sides):
            total += len(item.sides) * natural_minimum_ms(item.items)
        else:
            total += item.rounds * natural_minimum_ms(item.items)
            total += (item.rounds - 1) * item.rest_ms
    return total


_ALL_PLACEHOLDERS = {"side": "a for_each_side", "round": "a rounds", "rounds": "a rounds"}


def _placeholder_message(placeholder: str, scope: _Scope) -> str:
    name = placeholder.strip("{}")
    close = difflib.get_close_matches(name, list(_ALL_PLACEHOLDERS), n=1, cutoff=0.6)
    if close and close[0] in scope.placeholders:
        return f"unknown placeholder {placeholder}: did you mean {{{close[0]}}}?"
    if close:
        block = _ALL_PLACEHOLDERS[close[0]]
        return f"{{{close[0]}}} is only known inside {block} block"
    usable = ", ".join("{" + name + "}" for name in sorted(scope.placeholders)) or "none here"
    return f"unknown placeholder {placeholder} (usable: {usable}; write {{{{ for a brace)"


def _closest(name: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(name: str, known: list[str]) -> str:
    close = _closest(name, known)
    return f": did you mean '{close}'?" if close else ""


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return _shown(str(node.value))


def _kind(node: Node) -> str:
    """What a document is, without quoting it (it may be any file, e.g. /etc/passwd)."""
    if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return "one piece of text"
    return _describe(node)


def _show(node: Node) -> str:
    return _shown(str(node.value)) if isinstance(node, ScalarNode) else _describe(node)


def _shown(value: str, limit: int = _SHOWN_CHARS) -> str:
    """``value`` quoted for a message; a long one cut, with its length."""
    if len(value) <= limit:
        return f"'{value}'"
    return f"'{value[: limit - 10]}...' ({len(value):,} characters)"


def _decimal(digits: str) -> float:
    """A plain decimal number (its syntax checked); infinity if its whole part has more than
    MAX_DIGITS digits, so that it is out of every range (a long fraction is fine)."""
    whole = digits.strip().lstrip("+-").split(".")[0].lstrip("0")
    return float(digits) if len(whole) <= MAX_DIGITS else math.inf


def _number_shown(value: str) -> str:
    """A number as written (unquoted), or quoted and cut if it is long."""
    return value.strip() if len(value.strip()) <= _SHOWN_CHARS else _shown(value.strip())


_UNSPEAKABLE = (
    "has nothing to say (no letter or digit, only punctuation, symbols or invisible "
    "characters), so the voice would be silent: write words, or leave the key out"
)


def _speakable(text: str) -> bool:
    """Whether the speech engine has something to say: a letter or a digit (a placeholder's
    value is one, since side names are checked and round numbers are digits)."""
    return "{" in text.replace("{{", "") or any(character.isalnum() for character in text)
