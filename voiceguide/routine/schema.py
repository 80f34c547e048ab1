"""The routine format as a JSON Schema for editors, and as the key tables of its docs.

Both are made from the key declarations (``keys.py``, ``item_keys.py``): ``voiceguide
schema`` prints the first, ``docs/routine-format.md`` is tested against the second.
"""

from __future__ import annotations

from typing import Any

from voiceguide.routine.durations import DURATION_PATTERN
from voiceguide.routine.item_keys import (
    INCLUDE_KEYS,
    ITEM_KINDS,
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
    DURATION_TYPES,
    REQUIRED,
    ROUTINE_KEYS,
    SECTION,
    VOICE_KEYS,
    Key,
    SameAs,
    written_default,
)
from voiceguide.routine.limits import (
    BACKGROUND_SOUNDS,
    CUE_SOUNDS,
    FREQUENCY_PATTERN,
    LANGUAGE_PATTERN,
    LEVEL_PATTERN,
    MAX_LANGUAGE_CHARS,
    MAX_LIST_ITEMS,
    MAX_SIDES,
    MAX_TEXT_CHARS,
    SPEECH_ENGINES,
)
from voiceguide.routine.respellings import MAX_RESPELLINGS

# Templates point editors at the committed schema, relative to `audio_templates/`.
SCHEMA_MODELINE = "# yaml-language-server: $schema=../docs/routine.schema.json"

SECTIONS: dict[str, tuple[Key, ...]] = {
    "routine": ROUTINE_KEYS,
    "voice": VOICE_KEYS,
    "background": BACKGROUND_KEYS,
    "bedtime": BEDTIME_KEYS,
    "step": STEP_KEYS,
    "pause": PAUSE_KEYS,
    "slot": SLOT_KEYS,
    "sides": SIDES_KEYS,
    "list": LIST_KEYS,
    "rounds": ROUNDS_KEYS,
    "include": INCLUDE_KEYS,
}

_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS}
# A built-in cue's name, or a sound file of the user's own: {file: bowl.wav}.
_CUE = {
    "anyOf": [
        {"enum": list(CUE_SOUNDS)},
        {
            "type": "object",
            "properties": {"file": _TEXT},
            "required": ["file"],
            "additionalProperties": False,
        },
    ]
}

TYPE_SCHEMAS: dict[str, dict[str, Any]] = {
    "version": {"const": 1},
    "text": _TEXT,
    "language": {
        "type": "string",
        "pattern": f"^{LANGUAGE_PATTERN}$",
        "maxLength": MAX_LANGUAGE_CHARS,
    },
    **{kind: {"type": "string", "pattern": DURATION_PATTERN} for kind in DURATION_TYPES},
    "whole": {"type": "integer"},
    "rate": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "cue": _CUE,
    "background_sound": {"enum": list(BACKGROUND_SOUNDS)},
    "engine": {"enum": list(SPEECH_ENGINES)},
    "voice_model": {**_TEXT, "pattern": r"\.onnx$"},
    "level": {"type": ["string", "number"], "pattern": f"^{LEVEL_PATTERN}$"},
    "sides": {"type": "array", "items": _TEXT, "minItems": 1, "maxItems": MAX_SIDES},
    "voice": {"$ref": "#/$defs/voice"},
    "background": {"$ref": "#/$defs/background"},
    "bedtime": {"$ref": "#/$defs/bedtime"},
    "frequency": {"type": ["string", "number"], "pattern": f"^{FREQUENCY_PATTERN}$"},
    "ratio": {"type": "number"},
    "path": _TEXT,
    "sound_file": _TEXT,
    "pronounce": {
        "type": "object",
        "additionalProperties": _TEXT,
        "propertyNames": {"pattern": r"^\S+$"},  # a word: the loader checks it closely
        "maxProperties": MAX_RESPELLINGS,
    },
    "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
    "between": {
        "oneOf": [
            {"$ref": "#/$defs/item"},
            {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
        ]
    },
    "entries": {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_LIST_ITEMS,
        "items": {
            "oneOf": [
                _TEXT,
                {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": _TEXT,
                    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                },
            ]
        },
    },
    "slot_words": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": _TEXT,
        "propertyNames": {"pattern": rf"^\s*(?:half|-?{DURATION_PATTERN[1:-1]})$"},
    },
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
    item_kinds = ("step", "pause", "slot", "sides", "list", "rounds", "include")
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
    **dict.fromkeys(DURATION_TYPES, "duration"),
    "whole": "whole number",
    "rate": "whole number (wpm)",
    "number": "number",
    "boolean": "true/false",
    "cue": "cue name or `{file: ...}`",
    "background_sound": "sound name",
    "level": "level (dB)",
    "sides": "list of text",
    "voice": "mapping",
    "background": "mapping",
    "bedtime": "mapping",
    "frequency": "frequency (Hz)",
    "ratio": "number",
    "path": "file path",
    "sound_file": "file path",
    "engine": "engine name",
    "voice_model": "file path (.onnx)",
    "pronounce": "mapping of word to text",
    "items": "list of items",
    "between": "item or list of items",
    "entries": "list of names or mappings",
    "slot_words": "mapping of time to text",
}
_SECTION_HEADINGS = {
    "routine": "routine (the top of the file)",
    "step": "step (an item with none of the keys below)",
    "pause": "pause (an item with `pause`)",
    "slot": "slot (an item with `slot`)",
    "sides": "sides (an item with `for_each_side`)",
    "list": "list (an item with `for_each`)",
    "rounds": "rounds (an item with `rounds`)",
    "include": "include (an item with `include`: another file's items)",
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
    written = written_default(key)
    if key.default == REQUIRED:
        default = "**required**"
    elif key.default == "":
        default = "empty"
    elif key.default == SECTION or isinstance(key.default, SameAs):
        default = f"`{str(key.default).strip('`')}`"
    else:
        default = f"`{written}`" if written else "none"
    return f"| `{key.name}` | {kind} | {default} | {key.doc} | `{key.name}: {key.example}` |"
