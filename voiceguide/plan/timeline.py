"""The compiled session: absolute-time events and chapters. Pure data.

Two tracks share one clock. The *voice* track (speech and silence events) tiles the
session from 0 to ``total_ms`` with no gaps and no overlaps. The *cue* track holds cue
sounds (bell, tick, chime) that start at a moment and ring over whatever is on the voice
track.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import Any, Literal

from voiceguide.routine.model import Background, Bedtime, Voice

Kind = Literal["speech", "silence", "cue"]


@dataclass(frozen=True)
class Event:
    start_ms: int
    duration_ms: int
    kind: Kind
    chapter: int  # index into Timeline.chapters
    text: str = ""  # speech: the phrase; silence: what happens ("repetition 2 of 3", "rest")
    cue: str = ""  # cue: the sound's name
    rate_wpm: int = 0  # speech: the rate its clip was made at
    elastic: bool = False  # silence: pace and length fitting scaled it
    pace: float = 0.0  # speech and elastic silence: the pace there (bedtime eases it)

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms

    @property
    def on_voice_track(self) -> bool:
        return self.kind != "cue"


@dataclass(frozen=True)
class Chapter:
    title: str
    side: str | None
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Timeline:
    title: str
    description: str
    language: str
    voice: Voice
    background: Background
    pace: float
    target_ms: int | None  # the length asked for, or None for the natural length
    events: tuple[Event, ...]
    chapters: tuple[Chapter, ...]
    total_ms: int
    bedtime: Bedtime | None = None  # how the session is made quieter and slower for bed
    lead_in_ms: int = 0  # background only, from 0
    tail_ms: int = 0  # background only, fading out, up to total_ms

    @property
    def guided_end_ms(self) -> int:
        """Where the tail begins: the end of the voice track and of any cue ringing out."""
        return self.total_ms - self.tail_ms

    def voice_track(self) -> list[Event]:
        return [e for e in self.events if e.on_voice_track]

    def speech(self) -> list[Event]:
        return [e for e in self.events if e.kind == "speech"]

    def cues(self) -> list[Event]:
        return [e for e in self.events if e.kind == "cue"]

    def phrases(self) -> set[tuple[str, int]]:
        """Each distinct (text, rate_wpm) spoken in the session: what must be synthesized."""
        return {(e.text, e.rate_wpm) for e in self.speech()}

    def to_dict(self) -> dict[str, Any]:
        """``asdict(self)``, with the events (thousands, each of plain fields) copied without
        asdict's deep recursion, which made ``plan --json`` of a long session slow."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "events":
                data["events"] = tuple(dict(vars(event)) for event in value)
            elif item.name == "chapters":
                data["chapters"] = tuple(asdict(chapter) for chapter in value)
            else:
                is_record = is_dataclass(value) and not isinstance(value, type)
                data[item.name] = asdict(value) if is_record else value
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
