"""The routine's types: frozen dataclasses, no I/O.

A routine is a list of items. Time in an item is either *elastic* (activity, rest, pause,
and slots marked ``stretch``: pace and length fitting may scale it) or *fixed* (speech and
cue sounds, and fixed slots: never stretched). All durations are whole milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

CUE_SOUNDS = ("bell", "tick", "chime", "gong", "tone", "low_tone")
# Beds synthesized in code; a user's own audio file is `Background.file`.
BACKGROUND_SOUNDS = ("none", "brown", "pink", "white", "drone", "binaural", "isochronic")
FILE_BED = "file"  # Background.sound when the bed is a file
# At bedtime, bright cues give way to soft tones; the closing gong to a low one.
SOFT_CUES = {"bell": "tone", "chime": "tone", "gong": "low_tone"}

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
    """A bed under the whole session, ``level_db`` relative to the voice (negative is quieter).

    ``carrier_hz`` and ``beat_hz`` tune the binaural and isochronic beds; ``file`` (an
    absolute path, with ``sound`` "file") is a user's recording, looped.
    """

    sound: str = "none"
    level_db: float = -24.0
    carrier_hz: float = 200.0
    beat_hz: float = 6.0
    file: str | None = None


@dataclass(frozen=True)
class Bedtime:
    """How a bedtime session differs from the daytime one."""

    always: bool = False  # a bedtime session even without --bedtime
    slow_to: float = 0.8  # pace at the end, relative to the start; eases there smoothly
    voice_fall_db: float = 4.0  # the voice's level falls this much from first to last word
    quieter_db: float = 7.0  # loudness target below the daytime one
    closing: str | None = None  # replaces the session's last narration
    tail_ms: int = 180_000  # background after the last word, fading out


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
    ring_every_ms: int = 0  # a cue every so often during the pause (0: none)
    ring_cue: str = "bell"


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
    ring_every_ms: int = 0
    ring_cue: str = "bell"


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
    audience: str = ""
    lead_in_ms: int = 0  # background only, before the first word
    tail_ms: int = 0  # background after the last word, fading out
    end_cue: str | None = None  # rung as the guided part ends
    bedtime: Bedtime = field(default_factory=Bedtime)
    # Where keys checked later (against the speech engine, the file system) were written:
    # key path such as "voice.name" -> (line, column).
    locations: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False)


# Time a cue sound takes on the voice track before narration goes on (fixed time). Cues at
# each repetition and at a slot's end ring over the activity and take no time of their own.
CUE_LEAD_MS = {
    "bell": 1500,
    "chime": 1200,
    "tick": 300,
    "gong": 2500,
    "tone": 1500,
    "low_tone": 2500,
}
MIN_TAIL_MS = 60_000  # a tail fades out over at least a minute
BREATH_MS = 700  # fixed: between a step's narration and its first repetition
# Length fitting stretches or shrinks elastic time at most this much; beyond it, it changes
# repetition counts (where a step allows) or reports the target as out of reach.
MIN_SCALE = 0.5
MAX_SCALE = 2.0
