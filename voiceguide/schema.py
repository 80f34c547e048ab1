"""The routine format, declared once: every key with its type, default, meaning and example.

The loader checks files against these declarations, ``voiceguide schema`` turns them into a
JSON Schema for editors, and ``docs/routine-format.md`` is tested against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voiceguide.model import BACKGROUND_SOUNDS, CUE_SOUNDS, MAX_RATE_WPM, MIN_RATE_WPM

# Templates point editors at the committed schema, relative to `audio_templates/`.
SCHEMA_MODELINE = "# yaml-language-server: $schema=../docs/routine.schema.json"
MAX_SESSION_MS = 12 * 3_600_000
MAX_TEXT_CHARS = 2000
MAX_REPEAT = 1000
MAX_ROUNDS = 100
MAX_SIDES = 10
MAX_COUNTDOWN = 10
REQUIRED = "required"


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # a key of TYPE_SCHEMAS
    default: Any
    doc: str
    example: str
    minimum: float | None = None
    maximum: float | None = None


# Each item of `sections` (or of a block's `steps`) is one kind, told by the key it has.
ITEM_KINDS = {"for_each_side": "sides", "rounds": "rounds", "slot": "slot", "pause": "pause"}

ROUTINE_KEYS = (
    Key("version", "version", REQUIRED, "Format version; always 1 for now.", "1"),
    Key(
        "title",
        "text",
        REQUIRED,
        "The session's title (also the audio file's title tag).",
        "Daily hand massage",
    ),
    Key(
        "description",
        "text",
        "",
        "One or two sentences on what the session is and whom it is for (the file's comment tag).",
        "Fifteen minutes of self massage.",
    ),
    Key(
        "language",
        "language",
        "en",
        "Language of the narration, as a language code; picks the "
        "voice when `voice.name` is not set.",
        "en",
    ),
    Key("voice", "voice", "{}", "How the narration sounds (see *voice*).", "{rate: 150}"),
    Key(
        "length",
        "duration",
        None,
        "Default target length; `--length` overrides it. Without "
        "it the session runs its natural length.",
        "15m",
    ),
    Key(
        "background",
        "background",
        "{}",
        "A bed of sound under the session (see *background*).",
        "{sound: brown, level: -24dB}",
    ),
    Key(
        "sections",
        "items",
        REQUIRED,
        "The session, in order: a list of items (see *items*).",
        "[{say: Welcome.}, {pause: 5s}]",
    ),
)

VOICE_KEYS = (
    Key(
        "name",
        "text",
        None,
        "An engine voice id from `voiceguide voices`; by default the "
        "engine's voice for `language`.",
        "gmw/en",
    ),
    Key(
        "rate",
        "rate",
        150,
        "Speaking rate in words per minute at pace 1.",
        "140",
        MIN_RATE_WPM,
        MAX_RATE_WPM,
    ),
    Key(
        "volume",
        "number",
        1.0,
        "Engine volume from 0.1 to 1; loudness is normalized later, "
        "so this mostly changes the voice's character.",
        "0.9",
        0.1,
        1.0,
    ),
)

BACKGROUND_KEYS = (
    Key(
        "sound",
        "background_sound",
        "none",
        "The bed: " + ", ".join(BACKGROUND_SOUNDS) + ".",
        "brown",
    ),
    Key(
        "level",
        "level",
        -24.0,
        "Level relative to the voice, in dB (negative is quieter).",
        "-24dB",
        -60.0,
        -6.0,
    ),
)

_NAME = Key(
    "name",
    "text",
    None,
    "A title for the item: it starts a chapter, and the plan "
    "shows it. May use the block's placeholders.",
    "Stroke the forearm",
)
_START_CUE = Key(
    "start_cue", "cue", None, "A sound as the item starts: " + ", ".join(CUE_SOUNDS) + ".", "bell"
)

STEP_KEYS = (
    _NAME,
    Key(
        "say",
        "text",
        None,
        "Narration, spoken first (fixed time).",
        "Stroke your forearm from wrist to elbow.",
    ),
    Key("repeat", "whole", 1, "How many repetitions at natural length.", "3", 1, MAX_REPEAT),
    Key(
        "min_repeat",
        "whole",
        "`repeat`",
        "Fewest repetitions length fitting may use.",
        "3",
        1,
        MAX_REPEAT,
    ),
    Key(
        "max_repeat",
        "whole",
        "`repeat`",
        "Most repetitions length fitting may use.",
        "12",
        1,
        MAX_REPEAT,
    ),
    Key("each", "duration", None, "Activity time of one repetition (elastic).", "8s"),
    Key(
        "count",
        "boolean",
        False,
        "Speak the repetition's number as it starts (fixed time, before `each`).",
        "true",
    ),
    Key("repeat_cue", "cue", None, "A sound as each repetition starts.", "tick"),
    _START_CUE,
    Key("rest", "duration", None, "Silence after the last repetition (elastic).", "3s"),
)

PAUSE_KEYS = (
    Key("pause", "duration", REQUIRED, "Silence (elastic).", "5s"),
    _NAME,
)

SLOT_KEYS = (
    Key(
        "slot",
        "duration",
        REQUIRED,
        "A fixed interval that contains its narration: it lasts "
        "exactly this long whatever the pace or length.",
        "30s",
    ),
    _NAME,
    Key("say", "text", None, "Narration, spoken as the slot starts.", "Plank. Hold it."),
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
)

SIDES_KEYS = (
    Key(
        "for_each_side",
        "sides",
        REQUIRED,
        "The sides, in order; the block's `steps` run once "
        "per side with `{side}` filled in, each side getting the same time.",
        "[right, left]",
    ),
    Key("steps", "items", REQUIRED, "The items to run for each side.", "[{say: ...}]"),
    Key(
        "announce",
        "text",
        None,
        "Spoken as each side starts; may use `{side}`.",
        "Now your {side} hand.",
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
    Key("steps", "items", REQUIRED, "The items to run each round.", "[{say: ...}]"),
    Key(
        "announce",
        "text",
        None,
        "Spoken as each round starts; may use `{round}` and `{rounds}`.",
        "Round {round} of {rounds}.",
    ),
    Key("rest", "duration", None, "Silence between rounds (elastic).", "10s"),
    Key(
        "name",
        "text",
        None,
        "Chapter title of each round's opening; may use `{round}`.",
        "Round {round}",
    ),
)

SECTIONS: dict[str, tuple[Key, ...]] = {
    "routine": ROUTINE_KEYS,
    "voice": VOICE_KEYS,
    "background": BACKGROUND_KEYS,
    "step": STEP_KEYS,
    "pause": PAUSE_KEYS,
    "slot": SLOT_KEYS,
    "sides": SIDES_KEYS,
    "rounds": ROUNDS_KEYS,
}

_DURATION_PATTERN = r"^\s*((\d+(\.\d+)?(ms|h|m|s)\s*)+|(\d+:)?\d+:\d{2}(\.\d+)?)\s*$"
_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS}
_CUE = {"enum": list(CUE_SOUNDS)}

TYPE_SCHEMAS: dict[str, dict[str, Any]] = {
    "version": {"const": 1},
    "text": _TEXT,
    "language": {"type": "string", "pattern": r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$"},
    "duration": {"type": "string", "pattern": _DURATION_PATTERN},
    "whole": {"type": "integer"},
    "rate": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "cue": _CUE,
    "background_sound": {"enum": list(BACKGROUND_SOUNDS)},
    "level": {"type": ["string", "number"], "pattern": r"^-?\d+(\.\d+)?\s*(dB)?$"},
    "sides": {"type": "array", "items": _TEXT, "minItems": 1, "maxItems": MAX_SIDES},
    "voice": {"$ref": "#/$defs/voice"},
    "background": {"$ref": "#/$defs/background"},
    "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
}


def _object_schema(keys: tuple[Key, ...]) -> dict[str, Any]:
    properties = {}
    for key in keys:
        prop = dict(TYPE_SCHEMAS[key.type], description=key.doc)
        if key.minimum is not None:
            prop["minimum"] = key.minimum
        if key.maximum is not None:
            prop["maximum"] = key.maximum
        properties[key.name] = prop
    required = [key.name for key in keys if key.default == REQUIRED]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def json_schema() -> dict[str, Any]:
    """The routine format as a JSON Schema (draft 2020-12), for editors."""
    item_kinds = ("step", "pause", "slot", "sides", "rounds")
    defs = {kind: _object_schema(SECTIONS[kind]) for kind in (*item_kinds, "voice", "background")}
    defs["item"] = {"oneOf": [{"$ref": f"#/$defs/{kind}"} for kind in item_kinds]}
    # A step is any item that has none of the other kinds' keys.
    defs["step"]["not"] = {"anyOf": [{"required": [key]} for key in ITEM_KINDS]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "voiceguide routine",
        **_object_schema(ROUTINE_KEYS),
        "$defs": defs,
    }
