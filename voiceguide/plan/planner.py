"""Routine + settings to Timeline. Pure: every timing decision lives in plan/ and only there.

Speech durations come from a ``measure(text, rate_wpm) -> duration_ms`` function (the real
speech engine through its cache, or a fake in unit tests); nothing else is read.

Time is fixed (speech, cue leads, fixed slots) or elastic (activities, rests, pauses,
stretchable slots). ``layout`` lays the routine out, ``fitting`` chooses repetition counts
and the elastic scale for a target length, ``bedtime`` eases the pace; this module frames
the guided session with a lead-in and a tail and checks the result.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from voiceguide.errors import PlanError, RoutineError, VoiceguideError
from voiceguide.plan.bedtime import Pacing, with_closing
from voiceguide.plan.fitting import TargetFrom, fit, natural_repeats
from voiceguide.plan.layout import Layout, Measure
from voiceguide.plan.mix import plan_mix
from voiceguide.plan.session import Session
from voiceguide.plan.timeline import Timeline
from voiceguide.routine.durations import format_ms
from voiceguide.routine.limits import is_over_session_limit, is_short_tail
from voiceguide.routine.model import FILE_BED, Background, Routine, Voice

__all__ = ["MAX_PACE", "MIN_PACE", "Measure", "Settings", "phrases_to_measure", "plan"]

MIN_PACE = 0.5
MAX_PACE = 2.0


@dataclass(frozen=True)
class Settings:
    pace: float = 1.0  # below 1 is slower: elastic time is divided by pace
    length_ms: int | None = None  # target length; None: the routine's `length`, else natural
    rate_wpm: int | None = None  # overrides the routine's voice rate (at pace 1)
    bedtime: bool | None = None  # None: as the routine's bedtime.always says
    lead_in_ms: int | None = None  # None: the routine's lead_in
    tail_ms: int | None = None  # None: the routine's tail (bedtime.tail at bedtime)
    voice: str | None = None  # an engine voice id in place of the routine's (--voice)
    background: str | None = None  # a built-in bed in place of the routine's (--background)
    background_file: str | None = None  # a recording looped as the bed (--background-file)

    def voice_of(self, routine: Routine) -> Voice:
        """The routine's voice, speaking with the voice id asked for if there is one."""
        return replace(routine.voice, name=self.voice) if self.voice else routine.voice

    def background_of(self, routine: Routine) -> Background:
        """The routine's bed, or the one asked for: a recording, else a built-in sound."""
        if self.background_file:
            return replace(routine.background, sound=FILE_BED, file=self.background_file)
        if self.background:
            return replace(routine.background, sound=self.background)
        return routine.background


def plan(
    routine: Routine,
    measure: Measure,
    settings: Settings | None = None,
    sounds: Mapping[str, int] | None = None,
) -> Timeline:
    """The session's timeline; PlanError if the settings cannot be met.

    ``sounds`` gives the length of each of the user's sound files (absolute path ->
    duration_ms, measured by the caller: the planner reads nothing): recorded narration
    takes that time, a cue from a file that lead (at most MAX_FILE_CUE_LEAD_MS)."""
    settings = settings or Settings()
    if not MIN_PACE <= settings.pace <= MAX_PACE:
        raise PlanError(
            [
                f"pace {settings.pace:g} is out of range: use {MIN_PACE} to "
                f"{MAX_PACE} (below 1 is slower)"
            ]
        )
    bedtime = routine.bedtime.always if settings.bedtime is None else settings.bedtime
    if bedtime and routine.bedtime.closing:
        routine = with_closing(routine, routine.bedtime.closing)
    lead_in_ms = routine.lead_in_ms if settings.lead_in_ms is None else settings.lead_in_ms
    tail_ms = _tail_ms(routine, settings, bedtime)
    base_rate_wpm = settings.rate_wpm or routine.voice.rate_wpm
    slow_to = routine.bedtime.slow_to if bedtime else 1.0
    pacing = Pacing(settings.pace, slow_to, base_rate_wpm)
    layout = Layout(routine, measure, pacing, bedtime, sounds)
    target_ms = settings.length_ms or _routine_target_ms(routine, settings.pace)
    if target_ms:
        target_from = TargetFrom(routine, bool(settings.length_ms), settings.pace)
        repeats, scale = fit(layout, target_ms, target_from)
    else:
        repeats, scale = natural_repeats(layout), 1.0
    # Measured before it is recorded: a session over the limit is refused before its events
    # (a ring every second of it, say) are made.
    _check_length(layout.length_ms(repeats, scale), routine, lead_in_ms, tail_ms)
    session = _framed(layout.compile(repeats, scale), lead_in_ms, tail_ms)
    _check(session, routine)
    timeline = Timeline(
        title=routine.title,
        description=routine.description,
        language=routine.language,
        voice=settings.voice_of(routine),
        background=settings.background_of(routine),
        pace=settings.pace,
        target_ms=target_ms,
        events=tuple(sorted(session.events, key=lambda e: (e.start_ms, e.kind != "cue"))),
        chapters=session.chapters(),
        total_ms=session.total_ms,
        bedtime=routine.bedtime if bedtime else None,
        lead_in_ms=lead_in_ms,
        tail_ms=tail_ms,
    )
    return replace(timeline, mix=plan_mix(timeline))


def phrases_to_measure(
    routine: Routine, settings: Settings | None = None, sounds: Mapping[str, int] | None = None
) -> list[tuple[str, int]]:
    """The phrases (text, rate) that planning ``routine`` will measure, in the order it first
    asks for them, found by planning it with each phrase lasting what its words take at its
    rate: so speech can be made ahead, many at once. A guess where the fitted rounds depend on
    how long phrases really last, and what was found so far where the guess makes the plan
    fail."""
    asked: dict[tuple[str, int], None] = {}

    def guess(text: str, rate_wpm: int) -> int:
        asked[text, rate_wpm] = None
        return len(text.split()) * 60_000 // rate_wpm

    with contextlib.suppress(VoiceguideError):  # the real plan says why, at the same place
        plan(routine, guess, settings, sounds)
    return list(asked)


def _routine_target_ms(routine: Routine, pace: float) -> int | None:
    """The routine's own `length` is its length at pace 1: slower is longer, in proportion."""
    return round(routine.length_ms / pace) if routine.length_ms else None


def _tail_ms(routine: Routine, settings: Settings, bedtime: bool) -> int:
    """The tail asked for; a bedtime default is dropped when there is no bed to play."""
    has_bed = settings.background_of(routine).sound != "none"
    if settings.tail_ms is not None:
        tail_ms = settings.tail_ms
    elif routine.tail_ms or not bedtime:
        tail_ms = routine.tail_ms
    else:
        return routine.bedtime.tail_ms if has_bed else 0
    if is_short_tail(tail_ms):
        raise PlanError(
            [f"a {tail_ms / 1000:g} s tail is too short: it fades out over at least 1m"]
        )
    if tail_ms and not has_bed:
        raise PlanError(
            [
                "a tail plays the background after the last word, and this session has none: "
                "add a background (e.g. --background brown) or leave the tail out"
            ]
        )
    return tail_ms


def _framed(guided: Session, lead_in_ms: int, tail_ms: int) -> Session:
    """The guided session after a lead-in and before a tail, both background only."""
    session = Session()
    if lead_in_ms:
        session.open_chapter("Lead-in", None)
        session.add("silence", lead_in_ms, "lead-in: background only")
    session.append(guided, 0)
    if session.ring_out_ms > session.t:  # the voice track covers the whole session
        session.add("silence", session.ring_out_ms - session.t, "the last sound rings out")
    if tail_ms:
        session.open_chapter("Tail", None)
        session.add("silence", tail_ms, "tail: background only, fading out")
    return session


def _check_length(guided_ms: int, routine: Routine, lead_in_ms: int, tail_ms: int) -> None:
    total_ms = guided_ms + lead_in_ms + tail_ms
    if is_over_session_limit(total_ms):
        # Name the lead-in and tail when there are any: they may be what is too long.
        framing = [
            f"{name} ({format_ms(duration_ms)})"
            for name, duration_ms in (("lead-in", lead_in_ms), ("tail", tail_ms))
            if duration_ms
        ]
        raise PlanError(
            [
                f"{routine.source or routine.title}: the session would last "
                f"{format_ms(total_ms)}, over the 12-hour limit: use a shorter "
                f"{' or '.join([*framing, 'length'])}, or fewer repetitions"
            ]
        )


def _check(session: Session, routine: Routine) -> None:
    if session.problems:  # located where the routine's file (or an included one) wrote them
        raise RoutineError(list(dict.fromkeys(session.problems)))
    problems = list(dict.fromkeys(session.overruns))
    if problems:
        raise PlanError([f"{routine.source or routine.title}: {p}" for p in problems])
