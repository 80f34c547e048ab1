"""The routine's types: frozen dataclasses, no I/O.

A routine is a list of items. Time in an item is either *elastic* (activity, rest, pause,
and slots marked ``stretch``: pace and length fitting may scale it) or *fixed* (speech and
cue sounds, and fixed slots: never stretched). All durations are whole milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CUE_SOUNDS = ("bell", "tick", "chime")
BACKGROUND_SOUNDS = ("none", "brown", "pink", "white", "drone")

MIN_RATE_WPM = 80
MAX_RATE_WPM = 400


@dataclass(frozen=True)
class Voice:
    """How the narration sounds. ``name`` is an engine voice id; None picks one for the language."""

    name: str | None = None
    rate_wpm: int = 150
    volume: float = 1.0


@dataclass(frozen=True)
class Background:
    """A bed under the whole session, ``level_db`` relative to the voice (negative is quieter)."""

    sound: str = "none"
    level_db: float = -24.0


@dataclass(frozen=True)
class Step:
    """Narration, then ``repeat`` repetitions of ``each_ms`` activity, then ``rest_ms``.

    A step with no ``each_ms`` is narration alone. Length fitting may choose any repetition
    count from ``min_repeat`` to ``max_repeat``; both default to ``repeat``.
    """

    name: str | None = None
    say: str | None = None
    repeat: int = 1
    min_repeat: int = 1
    max_repeat: int = 1
    each_ms: int = 0
    count: bool = False
    repeat_cue: str | None = None
    start_cue: str | None = None
    rest_ms: int = 0


@dataclass(frozen=True)
class Pause:
    """Elastic silence."""

    duration_ms: int
    name: str | None = None


@dataclass(frozen=True)
class Slot:
    """A fixed interval that contains its narration (interval-timer style).

    The narration starts with the slot; a spoken countdown ends it; the slot keeps exactly
    ``slot_ms`` unless ``stretch`` lets pace and length fitting scale it.
    """

    name: str | None
    say: str | None
    slot_ms: int
    countdown: int = 0
    start_cue: str | None = None
    end_cue: str | None = None
    stretch: bool = False


@dataclass(frozen=True)
class Sides:
    """Items rendered once per side with ``{side}`` filled in, each side getting equal time."""

    sides: tuple[str, ...]
    items: tuple[Item, ...]
    announce: str | None = None
    switch_cue: str | None = "chime"
    name: str | None = None


@dataclass(frozen=True)
class Rounds:
    """Items rendered ``rounds`` times with ``{round}`` and ``{rounds}`` filled in."""

    rounds: int
    items: tuple[Item, ...]
    announce: str | None = None
    rest_ms: int = 0
    name: str | None = None


Item = Step | Pause | Slot | Sides | Rounds


@dataclass(frozen=True)
class Routine:
    title: str
    items: tuple[Item, ...]
    description: str = ""
    language: str = "en"
    voice: Voice = field(default_factory=Voice)
    length_ms: int | None = None
    background: Background = field(default_factory=Background)
    version: int = 1
    source: str = ""


# Time a cue sound takes on the voice track before narration goes on (fixed time). Cues at
# each repetition and at a slot's end ring over the activity and take no time of their own.
CUE_LEAD_MS = {"bell": 1500, "chime": 1200, "tick": 300}
