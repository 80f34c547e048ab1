"""The compiled session: absolute-time events and chapters. Pure data.

Two tracks share one clock. The *voice* track (speech and silence events) tiles the
session from 0 to ``total_ms`` with no gaps and no overlaps. The *cue* track holds cue
sounds (bell, tick, chime) that start at a moment and ring over whatever is on the voice
track.

The *mix* says when levels move: the background bed's fades in and out (the tail's slow
fade among them), the short fade that ends the output, the bedtime voice's fall, and where,
how far, how early and how late the bed steps back around speech. The mixer executes it
and decides no time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import Any, Literal

from voiceguide.routine.model import Background, Bedtime, Voice

Kind = Literal["speech", "silence", "cue"]
FadeTarget = Literal["bed", "output"]  # the background bed alone, or the whole mix
FadeDirection = Literal["in", "out"]
FIT_TOLERANCE_MS = 1000  # fitting meets a target this close, except by whole rounds alone


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
    file: str = ""  # speech: a recording played instead of synthesis (absolute path)

    @property
    def phrase(self) -> tuple[str, int]:
        """The clip this speech plays: (text, rate_wpm), or (file, 0) for a recording."""
        return (self.file, 0) if self.file else (self.text, self.rate_wpm)

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
class Fade:
    """A gain rising from silence to full (``in``: silent before ``start_ms``) or falling
    from full to silence (``out``: silent after ``end_ms``), on ``target``.

    By default the target's own curve (the bed's eased one, the output's straight line).
    With ``last_ms``, the level moves in a straight line in dB, ``fall_db`` between full and
    ``last_ms`` from the silent end, and goes to silence over those last ``last_ms`` in a
    straight line of gain: a long fade that stays audible, heard falling, to the end.
    """

    target: FadeTarget
    direction: FadeDirection
    start_ms: int
    end_ms: int
    fall_db: float = 0.0
    last_ms: int = 0

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True)
class GainRamp:
    """A level moving in a straight line (in dB) from ``from_db`` at ``start_ms`` to
    ``to_db`` at ``end_ms``, and held outside them."""

    start_ms: int
    end_ms: int
    from_db: float
    to_db: float

    def level_db(self, at_ms: int) -> float:
        if at_ms < self.start_ms or self.end_ms <= self.start_ms:
            return self.from_db
        if at_ms > self.end_ms:
            return self.to_db
        progress_ms, span_ms = at_ms - self.start_ms, self.end_ms - self.start_ms
        return self.from_db + (self.to_db - self.from_db) * progress_ms / span_ms


@dataclass(frozen=True)
class Duck:
    """The bed stepping back ``depth_db`` under speech from ``start_ms`` to ``end_ms`` (the
    mix's attack before, its release after)."""

    start_ms: int
    end_ms: int
    depth_db: float


@dataclass(frozen=True)
class Mix:
    """When levels move, decided by the planner and executed by the mixer."""

    fades: tuple[Fade, ...] = ()
    voice_gain: GainRamp | None = None  # the bedtime voice's fall; None: it keeps its level
    duck_attack_ms: int = 0  # the bed is fully ducked this long after it starts to step back
    duck_release_ms: int = 0  # and back up this long after the speech ends
    ducks: tuple[Duck, ...] = ()  # where and how far; none: the bed never steps back

    def fades_of(self, target: FadeTarget) -> tuple[Fade, ...]:
        return tuple(fade for fade in self.fades if fade.target == target)


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
    mix: Mix = Mix()  # when levels move: fades, the voice's fall, ducking

    @property
    def guided_end_ms(self) -> int:
        """Where the tail begins: the end of the voice track and of any cue ringing out."""
        return self.total_ms - self.tail_ms

    @property
    def guided_ms(self) -> int:
        """The guided session's length: without the lead-in and the tail."""
        return self.total_ms - self.lead_in_ms - self.tail_ms

    @property
    def target_missed(self) -> bool:
        """Whether the length asked for was met only as nearly as whole rounds allow."""
        return (
            bool(self.target_ms) and abs(self.guided_ms - (self.target_ms or 0)) > FIT_TOLERANCE_MS
        )

    def voice_track(self) -> list[Event]:
        return [e for e in self.events if e.on_voice_track]

    def speech(self) -> list[Event]:
        return [e for e in self.events if e.kind == "speech"]

    def cues(self) -> list[Event]:
        return [e for e in self.events if e.kind == "cue"]

    def phrases(self) -> set[tuple[str, int]]:
        """Each distinct (text, rate_wpm) spoken in the session: what must be synthesized."""
        return {(e.text, e.rate_wpm) for e in self.speech() if not e.file}

    def recordings(self) -> set[str]:
        """Each recording played as narration (``say_file``), by absolute path."""
        return {e.file for e in self.speech() if e.file}

    def to_dict(self) -> dict[str, Any]:
        """``asdict(self)``, with the events (thousands, each of plain fields) copied without
        asdict's deep recursion, which made ``plan --json`` of a long session slow."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "events":
                data["events"] = tuple(_event_dict(event) for event in value)
            elif item.name == "chapters":
                data["chapters"] = tuple(asdict(chapter) for chapter in value)
            else:
                is_record = is_dataclass(value) and not isinstance(value, type)
                data[item.name] = asdict(value) if is_record else value
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def _event_dict(event: Event) -> dict[str, Any]:
    """An event's fields; ``file`` only where a recording plays."""
    data = dict(vars(event))
    if not data["file"]:
        del data["file"]
    return data
