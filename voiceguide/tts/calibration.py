"""The rate a listener hears: each engine's rate setting calibrated by measuring its clips.

``voice.rate`` is words per minute from a sentence's first sound to its last. Engines take
a rate setting of their own that they do not honour by that measure (espeak-ng set to 150
says our sentences at about 200). So for each engine, voice and volume, reference
sentences are synthesized at a few settings, their trimmed clips measured (all their words
over all their seconds), and the heard rate at any setting is read off the straight lines
between the measured points (extended past the end points along the end segments). The
setting for a wanted rate is that relation read backwards.

A calibration is made once per machine and kept as JSON next to the clip cache, named by
the hash of what changes it (``CALIBRATION_VERSION``, engine name and version, voice,
volume). The clips it measures are deterministic, so it is too. The bundled Piper voice's
calibration ships with the package (``calibrations.json``, written by scripts/calibrate):
measuring it is 12 clips and 9 s that a first natural-voice `say` would otherwise wait for.
It is used only where every part of its key matches; another Piper, onnxruntime or voice
file measures its own.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voiceguide.files import write_atomically
from voiceguide.tts.base import Clip

CALIBRATION_VERSION = 2
"""Bump when the sentences, the settings or the measure change: old entries are never read
(then run scripts/calibrate: the shipped one is of this version too)."""
LAYOUT = f"calibration-v{CALIBRATION_VERSION}"
SETTINGS_WPM = (80, 170, 330)
"""Engine settings measured: the heard rates of espeak-ng and Piper around them cover the
routine format's 80 to 400 words per minute. Three points, not five: each phrase is measured
and corrected anyway (tts/speech.py), and a calibration is what a first `say` or render
waits for: 12 clips instead of 40, measured here Piper 9.3 s and espeak-ng 0.5 s."""
REFERENCE_SENTENCES = (
    "Settle into your chair and let your arms feel heavy.",
    "Draw a slow line with your thumb from the wrist to the elbow.",
    "Spread your fingers wide, then let them curl back in.",
    "Squeeze each fingertip gently as you breathe in and out.",
)
"""Calm narration of the kind routines say, about 1.3 syllables a word. Used only here:
the checks of the calibration measure other sentences."""

Synthesize = Callable[[str, int], Clip]  # (text, engine setting) -> trimmed clip


def measured_wpm(clips: list[tuple[str, Clip]]) -> float:
    """All the words over all the seconds of trimmed clips, in words per minute."""
    words = sum(len(text.split()) for text, _ in clips)
    seconds = sum(clip.frames / clip.sample_rate_hz for _, clip in clips)
    return words * 60.0 / seconds


@dataclass(frozen=True)
class Calibration:
    """Heard rate at each measured engine setting, increasing with the setting."""

    points: tuple[tuple[int, float], ...]  # (setting, heard wpm)

    def heard_wpm(self, setting: float) -> float:
        low, high = self._segment(lambda point: point[0] <= setting)
        return _along(low, high, setting, 0)

    def setting_for(self, heard_wpm: float) -> int:
        """The engine setting whose clips are heard at ``heard_wpm``, to the nearest unit."""
        low, high = self._segment(lambda point: point[1] <= heard_wpm)
        return max(1, round(_along(low, high, heard_wpm, 1)))

    def _segment(
        self, at_or_before: Callable[[tuple[int, float]], bool]
    ) -> tuple[tuple[int, float], tuple[int, float]]:
        """The two neighbouring points around a value (the end segment past either end)."""
        before = sum(1 for point in self.points[1:-1] if at_or_before(point))
        return self.points[before], self.points[before + 1]

    def to_json(self) -> str:
        return json.dumps({"version": CALIBRATION_VERSION, "points": self.points})

    @classmethod
    def from_json(cls, text: str) -> Calibration | None:
        """The calibration stored in ``text``; None when it is not a whole, usable one."""
        try:
            return cls.from_data(json.loads(text))
        except ValueError:
            return None

    @classmethod
    def from_data(cls, data: Any) -> Calibration | None:
        """The calibration in decoded JSON ``{"version": ..., "points": ...}``; None when it
        is not a whole, usable one of this CALIBRATION_VERSION."""
        try:
            points = tuple((int(s), float(w)) for s, w in data["points"])
            version = data["version"]
        except (ValueError, KeyError, TypeError):
            return None
        if version != CALIBRATION_VERSION or not _usable(points):
            return None
        return cls(points)


def _along(low: tuple[int, float], high: tuple[int, float], value: float, given: int) -> float:
    """On the line through ``low`` and ``high``: the other coordinate where coordinate
    ``given`` (0 setting, 1 heard rate) is ``value``."""
    other = 1 - given
    fraction = (value - low[given]) / (high[given] - low[given])
    return low[other] + fraction * (high[other] - low[other])


def _usable(points: tuple[tuple[int, float], ...]) -> bool:
    """At least two points, both coordinates strictly increasing: so it reads backwards."""
    pairs = list(itertools.pairwise(points))
    return len(points) >= 2 and all(a[0] < b[0] and a[1] < b[1] for a, b in pairs)


def calibrate(synthesize: Synthesize) -> Calibration:
    """Measure the reference sentences at each setting."""
    points = tuple(
        (setting, measured_wpm([(text, synthesize(text, setting)) for text in REFERENCE_SENTENCES]))
        for setting in SETTINGS_WPM
    )
    if not _usable(points):
        heard = ", ".join(f"{wpm:.0f}" for _, wpm in points)
        raise ValueError(f"the engine's rate does not rise with its setting (heard {heard} wpm)")
    return Calibration(points)


def calibration_key(
    engine_name: str, engine_version: str, voice: str | None, volume: float, voice_digest: str = ""
) -> str:
    """The calibration's key: everything that changes how fast the engine speaks, the voice
    file's content (``voice_digest``) included for engines that have one."""
    fields = [LAYOUT, engine_name, engine_version, voice, float(volume), voice_digest]
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


SHIPPED = Path(__file__).with_name("calibrations.json")


@functools.cache
def shipped() -> dict[str, Calibration]:
    """The calibrations that ship with the package, by key: each entry is a stored
    calibration with what its key is made of (engine, engine_version, voice, volume,
    voice_digest). A file that is not whole ships nothing; an entry of another version or
    with unusable points is left out."""
    table = {}
    try:
        for entry in json.loads(SHIPPED.read_text(encoding="utf-8"))["calibrations"]:
            calibration = Calibration.from_data(entry)
            if calibration is not None:
                fields = (entry["engine"], entry["engine_version"], entry["voice"])
                key = calibration_key(*fields, entry["volume"], entry["voice_digest"])
                table[key] = calibration
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return table


class CalibrationStore:
    """Calibrations on disk by key, beside the clip cache; a bad entry is a miss."""

    def __init__(self, cache_root: Path) -> None:
        self.directory = cache_root / LAYOUT

    def path_for(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, key: str) -> Calibration | None:
        try:
            return Calibration.from_json(self.path_for(key).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, calibration: Calibration) -> None:
        """Best effort: a calibration that cannot be kept is made again next time."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path_for(key), calibration.to_json().encode("utf-8"))
        except OSError:
            pass
