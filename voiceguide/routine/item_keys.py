"""The keys of a routine's items (steps, pauses, slots and blocks), declared once.

See ``keys.py`` for what a declaration holds.
"""

from __future__ import annotations

from voiceguide.routine.keys import REQUIRED, Key, SameAs
from voiceguide.routine.limits import CUE_SOUNDS, MAX_COUNTDOWN, MAX_REPEAT, MAX_ROUNDS

# Each item of `sections` (or of a block's `steps`) is one kind, told by the key it has.
ITEM_KINDS = {"for_each_side": "sides", "rounds": "rounds", "slot": "slot", "pause": "pause"}

_RING_EVERY = Key(
    "ring_every",
    "interval",
    0,
    "Ring `ring_cue` this often during the item, e.g. every 5 minutes of a long hold.",
    "5m",
    field="ring_every_ms",
)
_RING_CUE = Key("ring_cue", "cue", "bell", "The sound `ring_every` rings.", "bell")

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
)

ROUNDS_KEYS = (
    Key(
        "rounds",
        "whole",
        REQUIRED,
        "How many times to run the block's `steps`.",
        "3",
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
        "Silence between rounds (elastic).",
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
)
