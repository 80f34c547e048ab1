"""The routine's types: frozen dataclasses, no I/O.

A routine is a list of items. Time in an item is either *elastic* (activity, rest, pause,
and slots marked ``stretch``: pace and length fitting may scale it) or *fixed* (speech and
cue sounds, and fixed slots: never stretched). All durations are whole milliseconds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from voiceguide.routine.item_keys import (
    LIST_KEYS,
    PAUSE_KEYS,
    ROUNDS_KEYS,
    SIDES_KEYS,
    SLOT_KEYS,
    STEP_KEYS,
)
from voiceguide.routine.keys import (
    BACKGROUND_KEYS,
    BEDTIME_KEYS,
    ROUTINE_KEYS,
    VOICE_KEYS,
    default_of,
)
from voiceguide.routine.nodes import Place
from voiceguide.routine.respellings import Respellings

# Defaults are the declared ones (keys.py): a key left out of a file and a field left out
# of a constructor mean the same.
FILE_BED = "file"  # Background.sound when the bed is a file
# At bedtime, bright cues give way to soft tones; the closing gong to a low one.
SOFT_CUES = {"bell": "tone", "chime": "tone", "gong": "low_tone"}


@dataclass(frozen=True)
class Voice:
    """How the narration sounds. ``name`` is an engine voice id; None picks one for the language.
    ``engine`` is auto, piper or pyttsx3 (tts/engines.py chooses for auto)."""

    name: str | None = None
    rate_wpm: int = default_of(VOICE_KEYS, "rate")
    sentence_pause_ms: int = default_of(VOICE_KEYS, "sentence_pause")
    volume: float = default_of(VOICE_KEYS, "volume")
    engine: str = default_of(VOICE_KEYS, "engine")
    model: str | None = None  # a Piper voice file (absolute path): implies the piper engine


@dataclass(frozen=True)
class Background:
    """A bed under the whole session, ``level_db`` relative to the voice (negative is quieter).

    ``carrier_hz`` and ``beat_hz`` tune the binaural and isochronic beds; ``file`` (an
    absolute path, with ``sound`` "file") is a user's recording, looped.
    """

    sound: str = default_of(BACKGROUND_KEYS, "sound")
    level_db: float = default_of(BACKGROUND_KEYS, "level")
    carrier_hz: float = default_of(BACKGROUND_KEYS, "carrier")
    beat_hz: float = default_of(BACKGROUND_KEYS, "beat")
    file: str | None = None


@dataclass(frozen=True)
class Bedtime:
    """How a bedtime session differs from the daytime one."""

    always: bool = default_of(BEDTIME_KEYS, "always")  # even without --bedtime
    slow_to: float = default_of(BEDTIME_KEYS, "slow_to")  # end pace; eased there smoothly
    voice_fall_db: float = default_of(BEDTIME_KEYS, "voice_fall")  # first to last word
    quieter_db: float = default_of(BEDTIME_KEYS, "quieter")  # below the daytime loudness
    closing: str | None = None  # replaces the session's last narration
    tail_ms: int = default_of(BEDTIME_KEYS, "tail")  # after the last word, fading out


@dataclass(frozen=True)
class Step:
    """Narration, then ``repeat`` repetitions of ``each_ms`` activity, then ``rest_ms``.

    A step with no ``each_ms`` is narration alone. Length fitting may choose any repetition
    count from ``min_repeat`` to ``max_repeat``; both default to ``repeat``.
    """

    name: str | None = None
    say: str | None = None
    repeat: int = default_of(STEP_KEYS, "repeat")
    min_repeat: int = default_of(STEP_KEYS, "repeat")
    max_repeat: int = default_of(STEP_KEYS, "repeat")
    each_ms: int = 0
    count: bool = default_of(STEP_KEYS, "count")
    repeat_cue: str | None = None
    start_cue: str | None = None
    rest_ms: int = 0
    say_file: str | None = None  # recorded narration (absolute path); `say` is its transcript


def tick_count(duration_ms: int, every_ms: int) -> int:
    """How many ticks a metronome can ring in an item: at its start and each interval after
    (an interval stretches with the item, so this holds at any scale)."""
    return (duration_ms - 1) // every_ms + 1 if every_ms and duration_ms else 0


@dataclass(frozen=True)
class Pause:
    """Elastic silence."""

    duration_ms: int
    name: str | None = None
    ring_every_ms: int = 0  # a cue every so often during the pause (0: none)
    ring_cue: str = default_of(PAUSE_KEYS, "ring_cue")
    tick_every_ms: int = 0  # a metronome: 0 for none
    tick_cue: str = default_of(PAUSE_KEYS, "tick_cue")

    @property
    def tick_count(self) -> int:
        return tick_count(self.duration_ms, self.tick_every_ms)


# Where an `at` time counts from: the slot's start (15s), its middle (half) or its end (-10s).
FROM_START = "start"
MIDDLE = "half"
FROM_END = "end"


@dataclass(frozen=True)
class SlotWords:
    """Words spoken at a time inside a slot (its ``at`` key): ``offset_ms`` after its start,
    at its middle, or ``offset_ms`` before its end, as ``anchor`` says."""

    anchor: str
    offset_ms: int
    text: str
    place: Place | None = field(default=None, compare=False)

    def at_ms(self, slot_ms: int, planned_ms: int) -> int:
        """When the words start, from the slot's start, in a slot of ``slot_ms`` laid out
        as ``planned_ms`` (a stretch slot's scale): a time from the start scales with the
        slot, the middle stays the middle, a time before the end stays that far before it
        (as a countdown does, so that "ten seconds left" stays true), or at the start of a
        slot shrunk shorter than that."""
        if self.anchor == MIDDLE:
            return round(planned_ms / 2)
        if self.anchor == FROM_END:
            return max(planned_ms - self.offset_ms, 0)
        return round(self.offset_ms * planned_ms / slot_ms) if slot_ms else self.offset_ms


@dataclass(frozen=True)
class Slot:
    """A fixed interval that contains its narration (interval-timer style).

    The narration starts with the slot; ``at`` says words at times inside it; it may count
    up its seconds or count down its last ones; ``tick_every`` rings a metronome through
    it. The slot keeps exactly ``slot_ms`` unless ``stretch`` lets pace and length fitting
    scale it.
    """

    name: str | None
    say: str | None
    slot_ms: int
    countdown: int = default_of(SLOT_KEYS, "countdown")
    start_cue: str | None = None
    end_cue: str | None = None
    stretch: bool = default_of(SLOT_KEYS, "stretch")
    ring_every_ms: int = 0
    ring_cue: str = default_of(SLOT_KEYS, "ring_cue")
    at: tuple[SlotWords, ...] = ()  # in the order of their times at natural length
    count_up: bool = default_of(SLOT_KEYS, "count_up")
    tick_every_ms: int = 0  # a metronome: 0 for none
    tick_cue: str = default_of(SLOT_KEYS, "tick_cue")
    say_file: str | None = None  # recorded narration (absolute path); `say` is its transcript

    @property
    def count_up_to(self) -> int:
        """The last number counting up says: one a whole second of the slot (0: no count)."""
        return self.slot_ms // 1000 if self.count_up else 0

    @property
    def tick_count(self) -> int:
        return tick_count(self.slot_ms, self.tick_every_ms)


@dataclass(frozen=True)
class Sides:
    """Items rendered once per side with ``{side}`` filled in, each side getting equal time."""

    sides: tuple[str, ...]
    items: tuple[Item, ...]
    announce: str | None = None
    switch_cue: str | None = default_of(SIDES_KEYS, "switch_cue")
    name: str | None = None
    announce_in_slot: bool = default_of(SIDES_KEYS, "announce_in_slot")


@dataclass(frozen=True)
class Rounds:
    """Items rendered ``rounds`` times with ``{round}`` and ``{rounds}`` filled in, and
    ``between`` (or ``rest_ms`` of silence) between one round and the next.

    Length fitting may choose any number of rounds from ``min_rounds`` to ``max_rounds``
    (0: the same as ``rounds``).
    """

    rounds: int
    items: tuple[Item, ...]
    announce: str | None = None
    rest_ms: int = 0
    name: str | None = None
    min_rounds: int = 0
    max_rounds: int = 0
    between: tuple[Item, ...] = default_of(ROUNDS_KEYS, "between")
    announce_in_slot: bool = default_of(ROUNDS_KEYS, "announce_in_slot")

    def __post_init__(self) -> None:
        for bound in ("min_rounds", "max_rounds"):
            if not getattr(self, bound):
                object.__setattr__(self, bound, self.rounds)


# One entry of a list block: its placeholders' values by name; "item" is its name.
Entry = Mapping[str, str]


@dataclass(frozen=True)
class ForEach:
    """Items rendered once per entry of a list (a circuit's exercises, say), with the
    entry's placeholders filled in, and ``between`` between one entry and the next."""

    entries: tuple[Entry, ...]
    items: tuple[Item, ...]
    announce: str | None = None
    switch_cue: str | None = default_of(LIST_KEYS, "switch_cue")
    name: str | None = None
    between: tuple[Item, ...] = default_of(LIST_KEYS, "between")
    announce_in_slot: bool = default_of(LIST_KEYS, "announce_in_slot")


Item = Step | Pause | Slot | Sides | Rounds | ForEach
Block = Sides | Rounds | ForEach


def walk(items: tuple[Item, ...]) -> list[Item]:
    """Every item, blocks' contents included, each once, in the order written."""
    found: list[Item] = []
    for item in items:
        found.append(item)
        if isinstance(item, Sides):
            found.extend(walk(item.items))
        elif isinstance(item, Rounds | ForEach):
            found.extend(walk(item.items) + walk(item.between))
    return found


@dataclass(frozen=True)
class Routine:
    title: str
    items: tuple[Item, ...]
    description: str = default_of(ROUTINE_KEYS, "description")
    language: str = default_of(ROUTINE_KEYS, "language")
    voice: Voice = field(default_factory=Voice)
    length_ms: int | None = None
    background: Background = field(default_factory=Background)
    version: int = 1
    source: str = ""
    audience: str = default_of(ROUTINE_KEYS, "audience")
    lead_in_ms: int = 0  # background only, before the first word
    tail_ms: int = 0  # background after the last word, fading out
    end_cue: str | None = None  # rung as the guided part ends
    bedtime: Bedtime = field(default_factory=Bedtime)
    pronounce: Respellings = ()  # (word in lower case, respelling), sorted
    # The user's sound files (cues and recorded narration), included files' too: where each
    # was written and its absolute path, in the order read, for the checks that decode them
    # (audio/checks.py).
    sound_files: tuple[tuple[Place, str], ...] = field(default=(), compare=False)
    # Where keys checked later (against the speech engine, the file system) were written:
    # key path such as "voice.name" -> (line, column).
    locations: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False)
    # Each file its includes read (path, sha256 of its text), in the order first read: what
    # is keyed on the routine's text is keyed on these too.
    includes: tuple[tuple[str, str], ...] = field(default=(), compare=False)


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
# A cue from a file (``{file: bowl.wav}``) is held as the file's absolute path; its lead is
# the sound's own length (from the planner's ``sounds``), at most this, like the gong's.
MAX_FILE_CUE_LEAD_MS = 2500


def is_file_cue(cue: str) -> bool:
    """Whether a cue is a user's sound file (an absolute path) rather than a built-in name."""
    return os.path.isabs(cue)


def is_say_file_key(key: str) -> bool:
    """Whether a sound file key path is recorded narration (``say_file``), not a cue."""
    return key.rsplit(".", 1)[-1] == "say_file"


def cue_lead_ms(cue: str, sounds: Mapping[str, int]) -> int:
    """The fixed time a cue takes before narration goes on: a built-in cue's declared lead,
    a file's length (``sounds``: path -> duration_ms) up to MAX_FILE_CUE_LEAD_MS."""
    if is_file_cue(cue):
        return min(sounds.get(cue, 0), MAX_FILE_CUE_LEAD_MS)
    return CUE_LEAD_MS[cue]


BREATH_MS = 700  # fixed: between a step's narration and its first repetition
# A cue that follows speech (a start, switch or end cue) starts at least this long after
# the words end: fixed silence makes up what the time between them lacks. A slot's end is
# exact and takes none; the planner notes speech closer than CLOSE_CUE_MS to a cue.
CUE_BREATH_MS = 800
CLOSE_CUE_MS = 600
# Length fitting stretches or shrinks elastic time at most this much; beyond it, it changes
# repetition counts (where a step allows) or reports the target as out of reach.
MIN_SCALE = 0.5
MAX_SCALE = 2.0
