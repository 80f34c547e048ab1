"""The keys of a routine's items (steps, pauses, slots and blocks), declared once.

See ``keys.py`` for what a declaration holds.
"""

from __future__ import annotations

from voiceguide.routine.keys import REQUIRED, Key, SameAs
from voiceguide.routine.limits import (
    CUE_SOUNDS,
    MAX_COUNTDOWN,
    MAX_REPEAT,
    MAX_ROUNDS,
)

# Each item of `sections` (or of a block's `steps`) is one kind, told by the key it has.
ITEM_KINDS = {
    "for_each_side": "sides",
    "for_each": "list",
    "rounds": "rounds",
    "slot": "slot",
    "pause": "pause",
    "include": "include",
}

_RING_EVERY = Key(
    "ring_every",
    "interval",
    0,
    "Ring `ring_cue` this often during the item, e.g. every 5 minutes of a long hold.",
    "5m",
    field="ring_every_ms",
)
_RING_CUE = Key("ring_cue", "cue", "bell", "The sound `ring_every` rings.", "bell")
_TICK_EVERY = Key(
    "tick_every",
    "duration",
    0,
    "A metronome: ring `tick_cue` as the item starts and this often through it, into its "
    "last seconds (at least as far apart as the cue takes to ring: a tick 0.3 s).",
    "1s",
    field="tick_every_ms",
)
_TICK_CUE = Key("tick_cue", "cue", "tick", "The sound `tick_every` rings.", "tick")

_NAME = Key(
    "name",
    "text",
    None,
    "A title for the item: it starts a chapter, and the plan "
    "shows it. May use the block's placeholders.",
    "Stroke the forearm",
)
_START_CUE = Key(
    "start_cue",
    "cue",
    None,
    "A sound as the item starts: " + ", ".join(CUE_SOUNDS) + ", or your own file "
    "(`{file: bowl.wav}`, relative to the routine file).",
    "bell",
)
_SAY_FILE = Key(
    "say_file",
    "sound_file",
    None,
    "Recorded narration played instead of synthesized speech (wav, mp3, m4a...; at most "
    "10 minutes), relative to the routine file, levelled like the voice; `say` is then its "
    "transcript.",
    "intro.m4a",
)

STEP_KEYS = (
    _NAME,
    Key(
        "say",
        "text",
        None,
        "Narration, spoken first (fixed time).",
        "Stroke your forearm from wrist to elbow.",
        spoken=True,
    ),
    _SAY_FILE,
    Key("repeat", "whole", 1, "How many repetitions at natural length.", "3", 1, MAX_REPEAT),
    Key(
        "min_repeat",
        "whole",
        SameAs("repeat"),
        "Fewest repetitions length fitting may use.",
        "3",
        1,
        MAX_REPEAT,
    ),
    Key(
        "max_repeat",
        "whole",
        SameAs("repeat"),
        "Most repetitions length fitting may use.",
        "12",
        1,
        MAX_REPEAT,
    ),
    Key(
        "each",
        "duration",
        0,
        "Activity time of one repetition (elastic).",
        "8s",
        field="each_ms",
    ),
    Key(
        "count",
        "boolean",
        False,
        "Speak the repetition's number as it starts (fixed time, before `each`).",
        "true",
    ),
    Key("repeat_cue", "cue", None, "A sound as each repetition starts.", "tick"),
    _START_CUE,
    Key(
        "rest",
        "duration",
        0,
        "Silence after the last repetition (elastic).",
        "3s",
        field="rest_ms",
    ),
)

PAUSE_KEYS = (
    Key("pause", "duration", REQUIRED, "Silence (elastic).", "5s", field="duration_ms"),
    _NAME,
    _RING_EVERY,
    _RING_CUE,
    _TICK_EVERY,
    _TICK_CUE,
)

SLOT_KEYS = (
    Key(
        "slot",
        "duration",
        REQUIRED,
        "A fixed interval that contains its narration: it lasts "
        "exactly this long whatever the pace or length.",
        "30s",
        field="slot_ms",
    ),
    _NAME,
    Key(
        "say",
        "text",
        None,
        "Narration, spoken as the slot starts.",
        "Plank. Hold it.",
        spoken=True,
    ),
    _SAY_FILE,
    Key(
        "countdown",
        "whole",
        0,
        "Speak the last seconds (3, 2, 1) before the slot ends.",
        "3",
        0,
        MAX_COUNTDOWN,
    ),
    _START_CUE,
    Key("end_cue", "cue", None, "A sound as the slot ends.", "bell"),
    Key(
        "stretch",
        "boolean",
        False,
        "Let pace and length fitting scale this slot like elastic time.",
        "true",
    ),
    _RING_EVERY,
    _RING_CUE,
    Key(
        "at",
        "slot_words",
        (),
        "Words at times inside the slot: a time from its start (`15s`, `0:15`), `half` for "
        "its middle, or a time before its end (`-10s`). May use the block's placeholders.",
        "{15s: Switch sides., -10s: Ten seconds left.}",
    ),
    Key(
        "count_up",
        "boolean",
        False,
        "Count the slot's seconds aloud: `say` (or 1) as it starts, then 2, 3, 4... at each "
        "whole second.",
        "true",
    ),
    _TICK_EVERY,
    _TICK_CUE,
)

_ANNOUNCE_IN_SLOT = Key(
    "announce_in_slot",
    "boolean",
    False,
    "Speak `announce` at the start of the first slot of `steps`, inside its time, instead "
    "of before it: a grid of fixed slots keeps its exact length.",
    "true",
)


def _between(run: str) -> Key:
    return Key(
        "between",
        "between",
        (),
        f"An item (or a list of items) run between one {run} and the next, never after the "
        "last: a rest slot with its countdown, a pause, a step.",
        "{name: Rest, slot: 10s, say: Rest.}",
    )


SIDES_KEYS = (
    Key(
        "for_each_side",
        "sides",
        REQUIRED,
        "The sides, in order; the block's `steps` run once "
        "per side with `{side}` filled in, each side getting the same time.",
        "[right, left]",
        field="sides",
    ),
    Key(
        "steps",
        "items",
        REQUIRED,
        "The items to run for each side.",
        "[{say: ...}]",
        field="items",
    ),
    Key(
        "announce",
        "text",
        None,
        "Spoken as each side starts; may use `{side}`.",
        "Now your {side} hand.",
        spoken=True,
    ),
    Key("switch_cue", "cue", "chime", "A sound as the next side starts.", "chime"),
    Key(
        "name",
        "text",
        None,
        "Chapter title of each side's opening; may use `{side}`.",
        "{side} hand",
    ),
    _ANNOUNCE_IN_SLOT,
)

LIST_KEYS = (
    Key(
        "for_each",
        "entries",
        REQUIRED,
        "The list to step through: words, or mappings with a `name` and fields of your "
        "own; the block's `steps` run once per entry with `{item}` (the word or name), "
        "`{next}`, `{index}`, `{count}` and each field as `{field}` filled in.",
        "[push-ups, squats, plank]",
        field="entries",
    ),
    Key(
        "steps",
        "items",
        REQUIRED,
        "The items to run for each entry of the list.",
        "[{slot: 30s, say: '{item}.'}]",
        field="items",
    ),
    Key(
        "announce",
        "text",
        None,
        "Spoken as each entry starts; may use the list's placeholders.",
        "Next up, {item}.",
        spoken=True,
    ),
    Key("switch_cue", "cue", None, "A sound as each entry after the first starts.", "chime"),
    Key(
        "name",
        "text",
        None,
        "Chapter title of each entry (by default the entry's name); may use the list's "
        "placeholders.",
        "{index}. {item}",
    ),
    _between("entry"),
    _ANNOUNCE_IN_SLOT,
)

ROUNDS_KEYS = (
    Key(
        "rounds",
        "whole",
        REQUIRED,
        "How many times to run the block's `steps` (at natural length).",
        "3",
        1,
        MAX_ROUNDS,
    ),
    Key(
        "min_rounds",
        "whole",
        SameAs("rounds"),
        "Fewest rounds length fitting may use.",
        "2",
        1,
        MAX_ROUNDS,
    ),
    Key(
        "max_rounds",
        "whole",
        SameAs("rounds"),
        "Most rounds length fitting may use: `--length` adds or removes whole rounds.",
        "20",
        1,
        MAX_ROUNDS,
    ),
    Key(
        "steps",
        "items",
        REQUIRED,
        "The items to run each round.",
        "[{say: ...}]",
        field="items",
    ),
    Key(
        "announce",
        "text",
        None,
        "Spoken as each round starts; may use `{round}` and `{rounds}`.",
        "Round {round} of {rounds}.",
        spoken=True,
    ),
    Key(
        "rest",
        "duration",
        0,
        "Silence between rounds (elastic); `between` says more.",
        "10s",
        field="rest_ms",
    ),
    Key(
        "name",
        "text",
        None,
        "Chapter title of each round's opening; may use `{round}`.",
        "Round {round}",
    ),
    _between("round"),
    _ANNOUNCE_IN_SLOT,
)

# An item that stands for another file's items (includes.py reads it).
INCLUDE_KEYS = (
    Key(
        "include",
        "path",
        REQUIRED,
        "Another routine file whose `sections` items stand here, read as if written in "
        "this place (a block's placeholders are usable in them); a path relative to this "
        "file. The only key of its item.",
        "warm-up.yaml",
        field="path",
    ),
)
