"""The routine format's keys, declared once: type, default, meaning, example and range.

The loader reads files by these declarations, the model takes its defaults from them, and
``schema.py`` turns them into the JSON Schema and the key tables of the docs. This module
holds the routine's own keys and its settings; ``item_keys.py`` the items'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voiceguide.routine.durations import format_units
from voiceguide.routine.limits import (
    BACKGROUND_SOUNDS,
    MAX_BEAT_HZ,
    MAX_CARRIER_HZ,
    MAX_RATE_WPM,
    MIN_BEAT_HZ,
    MIN_CARRIER_HZ,
    MIN_RATE_WPM,
    SPEECH_ENGINES,
)

REQUIRED = "required"
SECTION = "{}"  # the default of a key that holds a section: all of that section's defaults


@dataclass(frozen=True)
class SameAs:
    """A default that is another key's value, e.g. ``min_repeat`` is ``repeat``."""

    key: str

    def __str__(self) -> str:
        return f"`{self.key}`"


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # a key of schema.TYPE_SCHEMAS
    default: Any  # in the model's units (milliseconds, dB, Hz); REQUIRED, SECTION or SameAs
    doc: str
    example: str
    minimum: float | None = None
    maximum: float | None = None
    field: str = ""  # the model's field, when its name is not the key's (units, plurals)
    spoken: bool = False  # text the voice says, which must have something to say

    @property
    def attribute(self) -> str:
        return self.field or self.name


def key_named(keys: tuple[Key, ...], name: str) -> Key:
    return next(key for key in keys if key.name == name)


def default_of(keys: tuple[Key, ...], name: str) -> Any:
    """The declared default of a key, for the model's fields."""
    return key_named(keys, name).default


def written_default(key: Key) -> str | None:
    """The default as a routine would write it; None when there is none to show."""
    default = key.default
    if default in (None, "", (), REQUIRED, SECTION) or isinstance(default, SameAs):
        return None
    if isinstance(default, bool):
        return "true" if default else "false"
    if key.type in DURATION_TYPES:
        return format_units(default) if default else None
    units = {"level": "dB", "frequency": "Hz"}
    if key.type in units:
        return f"{default:g}{units[key.type]}"
    return str(default)


# Durations with a minimum of their own: a tail fades out, a ring_every interval rings.
DURATION_TYPES = ("duration", "tail", "interval")

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
    Key("voice", "voice", SECTION, "How the narration sounds (see *voice*).", "{rate: 150}"),
    Key(
        "pronounce",
        "pronounce",
        (),
        "Words the voice says wrong, each with a respelling it says right (whole words, any "
        "case); only what the engine is given changes, not the transcript. English has "
        '"one" said as "won" built in.',
        "{Reiki: ray key, Shiatsu: she ats sue}",
    ),
    Key(
        "length",
        "duration",
        None,
        "The session's length at pace 1 (a slower `--pace` lengthens it in proportion); "
        "`--length` overrides it. Without it the session runs its natural length.",
        "15m",
        field="length_ms",
    ),
    Key(
        "background",
        "background",
        SECTION,
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
        0,
        "Background only before the first word, to settle in; `--lead-in` overrides it. "
        "Not part of `length`.",
        "30s",
        field="lead_in_ms",
    ),
    Key(
        "tail",
        "tail",
        0,
        "Background after the last word, fading out slowly (at least 1m); `--tail` "
        "overrides it. Not part of `length`.",
        "5m",
        field="tail_ms",
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
        SECTION,
        "How the session changes for bed with `--bedtime` (see *bedtime*).",
        "{slow_to: 0.8, tail: 10m}",
    ),
    Key(
        "sections",
        "items",
        REQUIRED,
        "The session, in order: a list of items (see *items*).",
        "[{say: Welcome.}, {pause: 5s}]",
        field="items",
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
        "engine",
        "engine",
        "auto",
        "The speech engine: " + ", ".join(SPEECH_ENGINES) + ". `auto` picks Piper's natural "
        "voice when it is installed and speaks `language`, else pyttsx3 (espeak-ng); "
        "`--engine` overrides it.",
        "piper",
    ),
    Key(
        "model",
        "voice_model",
        None,
        "A Piper voice you have (NAME.onnx, with NAME.onnx.json beside it), relative to the "
        "routine file: for other languages and voices. Implies the piper engine.",
        "voices/en_GB-alba-medium.onnx",
    ),
    Key(
        "rate",
        "rate",
        150,
        "Speaking rate in words per minute at pace 1, as heard from each sentence's first "
        "sound to its last (each engine's own setting is calibrated to it by measurement).",
        "140",
        MIN_RATE_WPM,
        MAX_RATE_WPM,
        field="rate_wpm",
    ),
    Key(
        "sentence_pause",
        "duration",
        500,
        "Silence between the sentences of one text, at pace 1 (a slower pace, and bedtime's "
        "easing, lengthen it like the other pauses). Each sentence is spoken on its own.",
        "0.8s",
        field="sentence_pause_ms",
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
        field="level_db",
    ),
    Key(
        "carrier",
        "frequency",
        200.0,
        "Tone of the binaural and isochronic beds, in Hz.",
        "200Hz",
        MIN_CARRIER_HZ,
        MAX_CARRIER_HZ,
        field="carrier_hz",
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
        field="beat_hz",
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
        4.0,
        "How much quieter the voice is by the last word than at the first.",
        "4dB",
        0.0,
        12.0,
        field="voice_fall_db",
    ),
    Key(
        "quieter",
        "level",
        7.0,
        "How much quieter the whole session is than in the daytime.",
        "7dB",
        0.0,
        20.0,
        field="quieter_db",
    ),
    Key(
        "closing",
        "text",
        None,
        "Spoken instead of the session's last narration, for the night.",
        "Let your hands rest. Sleep well.",
        spoken=True,
    ),
    Key(
        "tail",
        "tail",
        180_000,
        "Background after the last word at bedtime, fading out (at least 1m); `--tail` "
        "overrides it.",
        "10m",
        field="tail_ms",
    ),
)
