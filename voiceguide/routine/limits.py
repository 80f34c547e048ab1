"""The format's fixed vocabulary and limits, and the rules that several stages check.

A rule here is checked where a value comes from (the loader for a file, the command line for
an option, the planner or the mixer for what they are given), each with its own located
message; the condition itself lives only here. See "Limits" in docs/routine-format.md.
"""

from __future__ import annotations

import difflib
from pathlib import Path

CUE_SOUNDS = ("bell", "tick", "chime", "gong", "tone", "low_tone")
# Beds synthesized in code; a user's own audio file is `Background.file`.
BACKGROUND_SOUNDS = ("none", "brown", "pink", "white", "drone", "binaural", "isochronic")
# Speech engines a routine or --engine may name: auto picks Piper's natural voice when it is
# installed and speaks the routine's language, else pyttsx3 (espeak-ng).
SPEECH_ENGINES = ("auto", "piper", "pyttsx3")
PIPER_MODEL_SUFFIX = ".onnx"  # a Piper voice: NAME.onnx, with NAME.onnx.json beside it

MAX_SESSION_MS = 12 * 3_600_000
MIN_TAIL_MS = 60_000  # a tail fades out over at least a minute
MAX_TEXT_CHARS = 2000
MAX_REPEAT = 1000
MAX_ROUNDS = 100
MAX_SIDES = 10
MAX_LIST_ITEMS = 100
MAX_COUNTDOWN = 10
MAX_COUNT_UP_S = 60  # count_up says one number a second: a slot of a minute at most
# Bounds on what a routine can make, so that planning any accepted routine stays quick; see
# cost.py and "Limits" in docs/routine-format.md.
MAX_EVENTS = 10_000  # words, silences and cues in one layout, at the largest repeat counts
MAX_PHRASES = 300  # different phrases to synthesize (at one rate)
MAX_PHRASE_CHARS = 50_000  # their characters: about 45 minutes of speech
MIN_RING_EVERY_MS = 5000  # ring_every: a ring every 5 s at most (a step's repeat_cue ticks faster)
MIN_CARRIER_HZ = 40.0
MAX_CARRIER_HZ = 1000.0
MIN_BEAT_HZ = 0.5
MAX_BEAT_HZ = 40.0
# The speaking rates a routine (and --rate) may ask for. Engines check their own range when
# they speak: pyttsx3 honours 80 to 900 wpm (tts/pyttsx3_engine.py), which holds this one.
MIN_RATE_WPM = 80
MAX_RATE_WPM = 400
# A language code (BCP 47 style: en, de, en-gb, pt_BR); no tag in use is longer.
LANGUAGE_PATTERN = r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*"
MAX_LANGUAGE_CHARS = 35
# A level or a frequency: a number and its unit in any case, which may be left out. Written
# for Python and JSON Schema alike; the first group is the number.
LEVEL_PATTERN = r"\s*([+-]?\d+(?:\.\d+)?)\s*(?:[dD][bB])?\s*"
FREQUENCY_PATTERN = r"\s*(\d+(?:\.\d+)?)\s*(?:[hH][zZ])?\s*"


def piper_config_path(model: Path) -> Path:
    """A Piper voice's config: NAME.onnx.json beside NAME.onnx."""
    return model.with_name(model.name + ".json")


def is_over_session_limit(duration_ms: int) -> bool:
    """Whether a session (or a part of it) is longer than the 12-hour limit."""
    return duration_ms > MAX_SESSION_MS


def is_short_tail(tail_ms: int) -> bool:
    """Whether a tail (0 is none) is too short to fade out."""
    return 0 < tail_ms < MIN_TAIL_MS


def needs_stereo(sound: str) -> bool:
    """Whether a bed needs two channels: the binaural one plays a tone in each ear."""
    return sound == "binaural"


def is_background(name: str) -> bool:
    """Whether ``name`` is one of the beds synthesized in code."""
    return name in BACKGROUND_SOUNDS


def closest_name(name: str, names: tuple[str, ...] | list[str]) -> str | None:
    """The name a misspelled ``name`` most likely meant, if any is close."""
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return close[0] if close else None
