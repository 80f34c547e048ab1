"""The routine format, declared once: every key with its type, default, meaning and example.

The loader checks files against these declarations, ``voiceguide schema`` turns them into a
JSON Schema for editors, and ``docs/routine-format.md`` is tested against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voiceguide.routine.model import BACKGROUND_SOUNDS, CUE_SOUNDS, MAX_RATE_WPM, MIN_RATE_WPM

# Templates point editors at the committed schema, relative to `audio_templates/`.
SCHEMA_MODELINE = "# yaml-language-server: $schema=../docs/routine.schema.json"
MAX_SESSION_MS = 12 * 3_600_000
MAX_TEXT_CHARS = 2000
MAX_REPEAT = 1000
MAX_ROUNDS = 100
MAX_SIDES = 10
MAX_COUNTDOWN = 10
# Bounds on what a routine can make, so that planning any accepted routine stays quick; see
# limits.py and "Limits" in docs/routine-format.md.
MAX_EVENTS = 10_000  # words, silences and cues in one layout, at the largest repeat counts
MAX_PHRASES = 300  # different phrases to synthesize (at one rate)
MAX_PHRASE_CHARS = 50_000  # their characters: about 45 minutes of speech
MIN_RING_EVERY_MS = 5000  # ring_every: a ring every 5 s at most (a step's repeat_cue ticks faster)
MIN_CARRIER_HZ = 40.0
MAX_CARRIER_HZ = 1000.0
MIN_BEAT_HZ = 0.5
MAX_BEAT_HZ = 40.0
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
        "The session's length at pace 1 (a slower `--pace` lengthens it in proportion); "
        "`--length` overrides it. Without it the session runs its natural length.",
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
        "audience",
        "text",
        "",
        "Whom the routine is for, in a sentence (shown by `voiceguide templates`).",
        "People with stiff or sore hands.",
    ),
    Key(
        "lead_in",
        "duration",
        None,
        "Background only before the first word, to settle in; `--lead-in` overrides it. "
        "Not part of `length`.",
        "30s",
    ),
    Key(
        "tail",
        "duration",
        None,
        "Background after the last word, fading out slowly (at least 1m); `--tail` "
        "overrides it. Not part of `length`.",
        "5m",
    ),
    Key(
        "end_cue",
        "cue",
        None,
        "A sound as the guided part ends, e.g. a closing gong.",
        "gong",
    ),
    Key(
        "bedtime",
        "bedtime",
        "{}",
        "How the session changes for bed with `--bedtime` (see *bedtime*).",
        "{slow_to: 0.8, tail: 10m}",
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
    Key(
        "carrier",
        "frequency",
        200.0,
        "Tone of the binaural and isochronic beds, in Hz.",
        "200Hz",
        MIN_CARRIER_HZ,
        MAX_CARRIER_HZ,
    ),
    Key(
        "beat",
        "frequency",
        6.0,
        "Beat of the binaural bed (the difference between the ears) or pulse rate of the "
        "isochronic bed, in Hz.",
        "6Hz",
        MIN_BEAT_HZ,
        MAX_BEAT_HZ,
    ),
    Key(
        "file",
        "path",
        None,
        "Your own recording as the bed (wav, mp3, ogg, flac...), looped seamlessly; a path "
        "relative to the routine file. Replaces `sound`.",
        "rain.ogg",
    ),
)

BEDTIME_KEYS = (
    Key(
        "always",
        "boolean",
        False,
        "Render as a bedtime session even without `--bedtime`.",
        "true",
    ),
    Key(
        "slow_to",
        "ratio",
        0.8,
        "The pace at the end, relative to the start: pauses lengthen and the voice slows "
        "gradually towards it.",
        "0.8",
        0.5,
        1.0,
    ),
    Key(
        "voice_fall",
        "level",
        "4dB",
        "How much quieter the voice is by the last word than at the first.",
        "4dB",
        0.0,
        12.0,
    ),
    Key(
        "quieter",
        "level",
        "7dB",
        "How much quieter the whole session is than in the daytime.",
        "7dB",
        0.0,
        20.0,
    ),
    Key(
        "closing",
        "text",
        None,
        "Spoken instead of the session's last narration, for the night.",
        "Let your hands rest. Sleep well.",
    ),
    Key(
        "tail",
        "duration",
        "3m",
        "Background after the last word at bedtime, fading out (at least 1m); `--tail` "
        "overrides it.",
        "10m",
    ),
)

_RING_EVERY = Key(
    "ring_every",
    "duration",
    None,
    "Ring `ring_cue` this often during the item, e.g. every 5 minutes of a long hold.",
    "5m",
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
    "bedtime": BEDTIME_KEYS,
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
    "bedtime": {"$ref": "#/$defs/bedtime"},
    "frequency": {"type": ["string", "number"], "pattern": r"^\d+(\.\d+)?\s*(Hz)?$"},
    "ratio": {"type": "number"},
    "path": _TEXT,
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
    defs = {
        kind: _object_schema(SECTIONS[kind])
        for kind in (*item_kinds, "voice", "background", "bedtime")
    }
    defs["item"] = {"oneOf": [{"$ref": f"#/$defs/{kind}"} for kind in item_kinds]}
    # A step is any item that has none of the other kinds' keys.
    defs["step"]["not"] = {"anyOf": [{"required": [key]} for key in ITEM_KINDS]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "voiceguide routine",
        **_object_schema(ROUTINE_KEYS),
        "$defs": defs,
    }


# -- the key tables of docs/routine-format.md ------------------------------------------------

_TYPE_NAMES = {
    "version": "integer",
    "text": "text",
    "language": "language code",
    "duration": "duration",
    "whole": "whole number",
    "rate": "whole number (wpm)",
    "number": "number",
    "boolean": "true/false",
    "cue": "cue name",
    "background_sound": "sound name",
    "level": "level (dB)",
    "sides": "list of text",
    "voice": "mapping",
    "background": "mapping",
    "bedtime": "mapping",
    "frequency": "frequency (Hz)",
    "ratio": "number",
    "path": "file path",
    "items": "list of items",
}
_SECTION_HEADINGS = {
    "routine": "routine (the top of the file)",
    "step": "step (an item with none of the keys below)",
    "pause": "pause (an item with `pause`)",
    "slot": "slot (an item with `slot`)",
    "sides": "sides (an item with `for_each_side`)",
    "rounds": "rounds (an item with `rounds`)",
}


def key_tables() -> str:
    """The '## Keys' section of the format's docs, made from the declarations above."""
    parts = ["## Keys"]
    for section, keys in SECTIONS.items():
        parts.append(f"### {_SECTION_HEADINGS.get(section, section)}")
        rows = ["| key | type | default | meaning | example |", "|---|---|---|---|---|"]
        rows += [_key_row(key) for key in keys]
        parts.append("\n".join(rows))
    return "\n\n".join(parts) + "\n"


def _key_row(key: Key) -> str:
    kind = _TYPE_NAMES[key.type]
    if key.minimum is not None and key.maximum is not None:
        kind += f" ({key.minimum:g} to {key.maximum:g})"
    if key.default == REQUIRED:
        default = "**required**"
    elif key.default is None:
        default = "none"
    elif key.default == "":
        default = "empty"
    elif str(key.default).startswith("`"):
        default = str(key.default)
    else:
        default = f"`{key.default}`"
    return f"| `{key.name}` | {kind} | {default} | {key.doc} | `{key.name}: {key.example}` |"
