"""Routine + settings to Timeline. Pure: every timing decision lives here and only here.

Speech durations come from a ``measure(text, rate_wpm) -> duration_ms`` function (the real
speech engine through its cache, or a fake in unit tests); nothing else is read.

Time is fixed (speech, cue leads, fixed slots) or elastic (activities, rests, pauses,
stretchable slots). For chosen repetition counts the session's length is linear in one
elastic scale: ``total = fixed + scale * elastic``. Fitting to a target length picks
repetition counts that keep the scale near 1, then solves the scale exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from voiceguide.errors import PlanError, Problem, RoutineError, VoiceguideError
from voiceguide.plan.timeline import Chapter, Event, Kind, Timeline
from voiceguide.routine.durations import format_ms, format_seconds
from voiceguide.routine.limits import (
    MAX_RATE_WPM,
    MIN_RATE_WPM,
    is_over_session_limit,
    is_short_tail,
)
from voiceguide.routine.model import (
    BREATH_MS,
    CUE_LEAD_MS,
    MAX_SCALE,
    MIN_SCALE,
    SOFT_CUES,
    Item,
    Pause,
    Rounds,
    Routine,
    Sides,
    Slot,
    Step,
)

Measure = Callable[[str, int], int]

MIN_PACE = 0.5
MAX_PACE = 2.0
COUNTDOWN_STEP_MS = 1000
RING_MARGIN_MS = 3000  # ring_every stays this far from the item's end, where the next begins
EASED_RATE_STEP_WPM = 5  # a bedtime voice slows in steps this big: few clips to synthesize


@dataclass(frozen=True)
class Settings:
    pace: float = 1.0  # below 1 is slower: elastic time is divided by pace
    length_ms: int | None = None  # target length; None: the routine's `length`, else natural
    rate_wpm: int | None = None  # overrides the routine's voice rate (at pace 1)
    bedtime: bool | None = None  # None: as the routine's bedtime.always says
    lead_in_ms: int | None = None  # None: the routine's lead_in
    tail_ms: int | None = None  # None: the routine's tail (bedtime.tail at bedtime)


def speech_rate_wpm(base_rate_wpm: int, pace: float, step_wpm: int = 1) -> int:
    """Speech follows pace moderately: the rate scales with the square root of pace."""
    rate_wpm = step_wpm * round(base_rate_wpm * math.sqrt(pace) / step_wpm)
    return max(MIN_RATE_WPM, min(MAX_RATE_WPM, rate_wpm))


def pace_curve(slow_to: float, progress: float) -> float:
    """The pace factor at a point of the session (0 at the start, 1 at the end): 1 at first,
    easing smoothly (no jump, no kink) to ``slow_to`` at the end."""
    eased = progress * progress * (3.0 - 2.0 * progress)
    return 1.0 - (1.0 - slow_to) * eased


def plan(routine: Routine, measure: Measure, settings: Settings | None = None) -> Timeline:
    """The session's timeline; PlanError if the settings cannot be met."""
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
        routine = _with_closing(routine, routine.bedtime.closing)
    lead_in_ms = routine.lead_in_ms if settings.lead_in_ms is None else settings.lead_in_ms
    tail_ms = _tail_ms(routine, settings, bedtime)
    base_rate_wpm = settings.rate_wpm or routine.voice.rate_wpm
    compiler = _Compiler(routine, measure, base_rate_wpm, settings.pace, bedtime)
    target_ms = settings.length_ms or _routine_target_ms(routine, settings.pace)
    if target_ms:
        repeats, scale = _fit(compiler, target_ms, _TargetFrom(routine, settings))
    else:
        repeats, scale = compiler.natural_repeats(), 1.0
    # Measured before it is recorded: a session over the limit is refused before its events
    # (a ring every second of it, say) are made.
    _check_length(compiler.length_ms(repeats, scale), routine, lead_in_ms, tail_ms)
    session = _framed(compiler.compile(repeats, scale), lead_in_ms, tail_ms)
    _check(session, routine)
    return Timeline(
        title=routine.title,
        description=routine.description,
        language=routine.language,
        voice=routine.voice,
        background=routine.background,
        pace=settings.pace,
        target_ms=target_ms,
        events=tuple(sorted(session.events, key=lambda e: (e.start_ms, e.kind != "cue"))),
        chapters=session.chapters(),
        total_ms=session.total_ms,
        bedtime=routine.bedtime if bedtime else None,
        lead_in_ms=lead_in_ms,
        tail_ms=tail_ms,
    )


def _routine_target_ms(routine: Routine, pace: float) -> int | None:
    """The routine's own `length` is its length at pace 1: slower is longer, in proportion."""
    return round(routine.length_ms / pace) if routine.length_ms else None


def _tail_ms(routine: Routine, settings: Settings, bedtime: bool) -> int:
    """The tail asked for; a bedtime default is dropped when there is no bed to play."""
    if settings.tail_ms is not None:
        tail_ms = settings.tail_ms
    elif routine.tail_ms or not bedtime:
        tail_ms = routine.tail_ms
    else:
        return routine.bedtime.tail_ms if _has_bed(routine) else 0
    if is_short_tail(tail_ms):
        raise PlanError(
            [f"a {tail_ms / 1000:g} s tail is too short: it fades out over at least 1m"]
        )
    if tail_ms and not _has_bed(routine):
        raise PlanError(
            [
                "a tail plays the background after the last word, and this session has none: "
                "add a background (e.g. --background brown) or leave the tail out"
            ]
        )
    return tail_ms


def _has_bed(routine: Routine) -> bool:
    return routine.background.sound != "none"


def _with_closing(routine: Routine, closing: str) -> Routine:
    """The routine with its closing words (a narration step at the end, pauses after it
    allowed) replaced by ``closing``; if it ends otherwise, ``closing`` is added."""
    items = list(routine.items)
    index = len(items) - 1
    while index > 0 and isinstance(items[index], Pause):
        index -= 1
    last = items[index]
    if isinstance(last, Step) and last.say and not last.each_ms:
        items[index] = replace(last, say=closing)
        return replace(routine, items=tuple(items))
    return replace(routine, items=(*items, Step(name="Closing", say=closing)))


def _framed(guided: _Session, lead_in_ms: int, tail_ms: int) -> _Session:
    """The guided session after a lead-in and before a tail, both background only."""
    session = _Session()
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


def _check(session: _Session, routine: Routine) -> None:
    problems = list(dict.fromkeys(session.overruns))
    if problems:
        raise PlanError([f"{routine.source or routine.title}: {p}" for p in problems])


# -- fitting ---------------------------------------------------------------------------------

Repeats = dict[int, int]  # id(step) -> repetition count


@dataclass(frozen=True)
class _TargetFrom:
    """Where the target length came from: ``--length``, else the routine's ``length`` key."""

    routine: Routine
    settings: Settings

    def error(self, target_ms: int, message: str) -> VoiceguideError:
        """``message`` about the target, blamed on the option or located at the key."""
        if self.settings.length_ms:
            return PlanError([f"--length {format_ms(target_ms)} {message}"])
        routine, pace = self.routine, self.settings.pace
        what = format_ms(routine.length_ms or 0)
        if pace != 1:
            what += f" ({format_ms(target_ms)} at pace {pace:g})"
        if "length" not in routine.locations:
            return PlanError([f"{routine.source or routine.title}: length: {what} {message}"])
        line, column = routine.locations["length"]
        return RoutineError([Problem(routine.source, line, column, "length", f"{what} {message}")])


def _fit(compiler: _Compiler, target_ms: int, target_from: _TargetFrom) -> tuple[Repeats, float]:
    """The repetition counts and elastic scale that meet the target, the scale nearest 1.

    The counts whose unscaled length brackets the target come first; the fewest and the
    most counts need a scale further from 1 than those, so they are laid out only when
    neither bracketing choice fits.
    """
    brackets, bounds = compiler.repeat_candidates(target_ms)
    best = _nearest_scale(compiler, brackets, target_ms) or _nearest_scale(
        compiler, bounds, target_ms
    )
    if best is None:
        raise target_from.error(target_ms, _out_of_reach(compiler))
    return best


def _nearest_scale(
    compiler: _Compiler, candidates: list[Repeats], target_ms: int
) -> tuple[Repeats, float] | None:
    best: tuple[float, Repeats, float] | None = None
    for repeats in candidates:
        scale = compiler.scale_for(repeats, target_ms)
        if scale is not None and MIN_SCALE <= scale <= MAX_SCALE:
            distance = abs(math.log(scale)) if scale > 0 else math.inf
            if best is None or distance < best[0]:
                best = (distance, repeats, scale)
    return (best[1], best[2]) if best else None


def _out_of_reach(compiler: _Compiler) -> str:
    shortest = compiler.length_ms(compiler.bound_repeats(low=True), MIN_SCALE)
    longest = compiler.length_ms(compiler.bound_repeats(low=False), MAX_SCALE)
    pace = f"{compiler.pace:g}"
    if shortest == longest:
        return (
            "is out of reach: this routine has no elastic time and always lasts "
            f"{format_ms(shortest)} at pace {pace}"
        )
    return (
        f"is out of reach: at pace {pace} this routine lasts from {format_ms(shortest)} "
        f"(shortest) to {format_ms(longest)} (longest)"
    )


# -- compiling -------------------------------------------------------------------------------


@dataclass
class _Session:
    """Events being laid out from time 0, with the chapters they open."""

    t: int = 0
    events: list[Event] = field(default_factory=list)
    opened: list[tuple[int, str, str | None]] = field(default_factory=list)  # start, title, side
    overruns: list[str] = field(default_factory=list)
    ring_out_ms: int = 0  # the last cue's lead may run past the voice track
    resume: tuple[str, str | None] | None = None  # the chapter to go back to after a block
    record: bool = True  # False: only time is kept (a layout that measures the length)

    @property
    def chapter(self) -> int:
        return max(len(self.opened) - 1, 0)

    @property
    def total_ms(self) -> int:
        return max(self.t, self.ring_out_ms)

    def open_chapter(self, title: str, side: str | None) -> None:
        self.resume = None
        if self.opened and self.opened[-1][0] == self.t:
            self.opened.pop()  # an empty chapter gives way to the one opening at its start
        self.opened.append((self.t, title[:1].upper() + title[1:], side))

    def add(
        self,
        kind: Kind,
        duration_ms: int,
        text: str = "",
        *,
        rate_wpm: int = 0,
        elastic: bool = False,
        pace: float = 0.0,
    ) -> None:
        if self.record:
            self.ensure_chapter()
            self.events.append(
                Event(
                    self.t,
                    duration_ms,
                    kind,
                    self.chapter,
                    text=text,
                    rate_wpm=rate_wpm,
                    elastic=elastic,
                    pace=pace,
                )
            )
        self.t += duration_ms

    def cue(self, name: str, at_ms: int | None = None) -> None:
        start_ms = self.t if at_ms is None else at_ms
        if self.record:
            self.ensure_chapter()
            self.events.append(Event(start_ms, 0, "cue", self.chapter, cue=name))
        self.ring_out_ms = max(self.ring_out_ms, start_ms + CUE_LEAD_MS[name])

    def ensure_chapter(self) -> None:
        """Events after a block go back to the chapter around it, never the block's last."""
        if self.resume:
            self.open_chapter(*self.resume)
        elif not self.opened:
            self.open_chapter("Introduction", None)

    def current_chapter(self) -> tuple[str, str | None]:
        if self.resume:
            return self.resume
        _, title, side = self.opened[-1] if self.opened else (0, "Introduction", None)
        return title, side

    def append(self, other: _Session, pad_ms: int) -> None:
        """Lay ``other`` (laid out from 0) at the current time, then pad it with silence."""
        self.resume = None  # other opens its own chapters
        base = len(self.opened)
        for event in other.events:
            self.events.append(
                Event(
                    event.start_ms + self.t,
                    event.duration_ms,
                    event.kind,
                    event.chapter + base,
                    event.text,
                    event.cue,
                    event.rate_wpm,
                    event.elastic,
                    event.pace,
                )
            )
        self.opened.extend((start + self.t, title, side) for start, title, side in other.opened)
        self.overruns.extend(other.overruns)
        self.ring_out_ms = max(self.ring_out_ms, other.ring_out_ms + self.t)
        self.t += other.t
        if pad_ms:
            self.add("silence", pad_ms, "settle (equal time per side)")

    def chapters(self) -> tuple[Chapter, ...]:
        ends = [start for start, _, _ in self.opened[1:]] + [self.total_ms]
        return tuple(
            Chapter(title, side, start, end)
            for (start, title, side), end in zip(self.opened, ends, strict=True)
        )


@dataclass(frozen=True)
class _Context:
    """The placeholders' values where an item is laid out."""

    values: dict[str, str] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        return text.format(**self.values)

    def title(self, name: str) -> str:
        title = self.fill(name)
        unused = []
        if "side" in self.values and "{side}" not in name:
            unused.append(self.values["side"])
        if "round" in self.values and "{round}" not in name:
            unused.append(f"round {self.values['round']} of {self.values['rounds']}")
        return f"{title} ({', '.join(unused)})" if unused else title

    def side(self) -> str | None:
        return self.values.get("side")


class _Compiler:
    """Lays the routine out for given repetition counts and elastic scale.

    Each speech phrase and elastic wait is a *site*. At bedtime the pace eases along the
    session: a first layout at scale 1 measures how far through the session each site is
    (by the time of the sites before it), and the layout proper divides each site's elastic
    time by its own pace and speaks it at its own rate. The paces depend on the repetition
    counts only, so the length stays linear in the scale and fitting stays exact.
    """

    def __init__(
        self, routine: Routine, measure: Measure, base_rate_wpm: int, pace: float, bedtime: bool
    ) -> None:
        self.routine = routine
        self.measure = measure
        self.base_rate_wpm = base_rate_wpm
        self.pace = pace
        self.slow_to = routine.bedtime.slow_to if bedtime else 1.0
        self.cues = SOFT_CUES if bedtime else {}
        self.steps = [s for s in _walk(routine.items) if isinstance(s, Step) and s.each_ms]
        self._paces: dict[tuple[tuple[int, int], ...], list[float]] = {}
        self._site_paces: list[float] | None = None
        self._site_times: list[int] | None = None  # filled by the measuring layout
        self._site = 0
        self._record = True  # False: a layout that only measures, making no events
        self._lengths: dict[tuple[tuple[tuple[int, int], ...], float], int] = {}

    def new_session(self) -> _Session:
        return _Session(record=self._record)

    # -- repetition counts --

    def natural_repeats(self) -> Repeats:
        return {id(step): step.repeat for step in self.steps}

    def bound_repeats(self, *, low: bool) -> Repeats:
        return {id(s): s.min_repeat if low else s.max_repeat for s in self.steps}

    def scaled_repeats(self, factor: float) -> Repeats:
        return {
            id(s): max(s.min_repeat, min(s.max_repeat, round(s.repeat * factor)))
            for s in self.steps
        }

    def repeat_candidates(self, target_ms: int) -> tuple[list[Repeats], list[Repeats]]:
        """Repetition counts whose unscaled length brackets the target, and the bounds."""
        low, high = 0.0, max([s.max_repeat / s.repeat for s in self.steps] + [1.0]) + 1
        for _ in range(32):
            middle = (low + high) / 2
            if self.length_ms(self.scaled_repeats(middle), 1.0) < target_ms:
                low = middle
            else:
                high = middle
        brackets = _distinct([self.scaled_repeats(low), self.scaled_repeats(high)])
        bounds = _distinct([self.bound_repeats(low=True), self.bound_repeats(low=False)])
        return brackets, [b for b in bounds if b not in brackets]

    def scale_for(self, repeats: Repeats, target_ms: int) -> float | None:
        fixed_ms = self.length_ms(repeats, 0.0)
        elastic_ms = self.length_ms(repeats, 1.0) - fixed_ms
        if elastic_ms <= 0:
            return 1.0 if abs(fixed_ms - target_ms) <= 500 else None
        return (target_ms - fixed_ms) / elastic_ms

    # -- layout --

    def compile(self, repeats: Repeats, scale: float) -> _Session:
        """The session laid out, every event recorded."""
        self._site_paces = self.paces(repeats) if self.slow_to != 1.0 else None
        return self._layout(repeats, scale, record=True)

    def length_ms(self, repeats: Repeats, scale: float) -> int:
        """How long the session lasts, from a layout that records no events. Fitting asks
        this many times, mostly of the same repetition counts: the answers are kept."""
        key = (tuple(sorted(repeats.items())), scale)
        if key not in self._lengths:
            self._site_paces = self.paces(repeats) if self.slow_to != 1.0 else None
            self._lengths[key] = self._layout(repeats, scale, record=False).total_ms
        return self._lengths[key]

    def _layout(self, repeats: Repeats, scale: float, *, record: bool) -> _Session:
        self._site = 0
        self._record = record
        session = self.new_session()
        self.items(session, self.routine.items, _Context(), repeats, scale)
        if self.routine.end_cue:
            self.cue_then_wait(session, self.routine.end_cue)
        return session

    def paces(self, repeats: Repeats) -> list[float]:
        """The pace at each site, from how far through the session the site ends."""
        key = tuple(sorted(repeats.items()))
        if key not in self._paces:
            self._site_paces, self._site_times = None, []
            self._layout(repeats, 1.0, record=False)
            ends = list(itertools.accumulate(self._site_times))
            self._site_times = None
            total = ends[-1] if ends and ends[-1] else 1
            self._paces[key] = [self.pace * pace_curve(self.slow_to, end / total) for end in ends]
        return self._paces[key]

    def site(self, duration_ms: Callable[[float], int]) -> tuple[float, int]:
        """The next site's pace, and its duration at that pace."""
        pace = self._site_paces[self._site] if self._site_paces else self.pace
        self._site += 1
        taken = duration_ms(pace)
        if self._site_times is not None:
            self._site_times.append(taken)
        return pace, taken

    def rate_wpm(self, pace: float) -> int:
        step_wpm = EASED_RATE_STEP_WPM if self.slow_to != 1.0 else 1
        return speech_rate_wpm(self.base_rate_wpm, pace, step_wpm)

    def elastic(self, duration_ms: int, scale: float) -> tuple[float, int]:
        """The next site's pace, and ``duration_ms`` of elastic time at it."""
        return self.site(lambda pace: round(duration_ms * scale / pace))

    def wait(self, session: _Session, duration_ms: int, scale: float, text: str) -> None:
        pace, taken = self.elastic(duration_ms, scale)
        session.add("silence", taken, text, elastic=True, pace=pace)

    def say(self, session: _Session, text: str) -> None:
        pace, taken = self.site(lambda pace: self.measure(text, self.rate_wpm(pace)))
        session.add("speech", taken, text, rate_wpm=self.rate_wpm(pace), pace=pace)

    def cue_then_wait(self, session: _Session, name: str) -> None:
        """A cue, and the fixed time it takes before narration goes on."""
        name = self.cues.get(name, name)
        session.cue(name)
        session.add("silence", CUE_LEAD_MS[name], f"{name} rings")

    def cue_at(self, session: _Session, name: str, at_ms: int) -> None:
        session.cue(self.cues.get(name, name), at_ms=at_ms)

    def ring_every(
        self, session: _Session, name: str, every_ms: int, start_ms: int, end_ms: int
    ) -> None:
        """A cue every ``every_ms`` from ``start_ms``, none too close to ``end_ms``.

        These cues ring out before ``end_ms`` (RING_MARGIN_MS is longer than any cue's
        lead), so they never change the session's length: a measuring layout leaves them out.
        """
        if every_ms and self._record:
            for at_ms in range(start_ms + every_ms, end_ms - RING_MARGIN_MS + 1, every_ms):
                self.cue_at(session, name, at_ms)

    def items(
        self,
        session: _Session,
        items: tuple[Item, ...],
        context: _Context,
        repeats: Repeats,
        scale: float,
    ) -> None:
        for item in items:
            if isinstance(item, Step):
                self.step(session, item, context, repeats, scale)
            elif isinstance(item, Pause):
                self.pause(session, item, context, scale)
            elif isinstance(item, Slot):
                self.slot(session, item, context, scale)
            elif isinstance(item, Sides):
                self.sides(session, item, context, repeats, scale)
            else:
                self.rounds(session, item, context, repeats, scale)

    def step(
        self, session: _Session, step: Step, context: _Context, repeats: Repeats, scale: float
    ) -> None:
        if step.name:
            session.open_chapter(context.title(step.name), context.side())
        if step.start_cue:
            self.cue_then_wait(session, step.start_cue)
        count = repeats.get(id(step), step.repeat) if step.each_ms else 0
        if step.say:
            self.say(session, context.fill(step.say))
            if count:
                session.add("silence", BREATH_MS, "breath")
        for number in range(1, count + 1):
            self.repetition(session, step, number, count, scale)
        if step.rest_ms:
            self.wait(session, step.rest_ms, scale, "rest")

    def repetition(
        self, session: _Session, step: Step, number: int, count: int, scale: float
    ) -> None:
        if step.repeat_cue:
            self.cue_at(session, step.repeat_cue, session.t)
        if step.count:
            self.say(session, str(number))
        self.wait(session, step.each_ms, scale, f"repetition {number} of {count}")

    def pause(self, session: _Session, pause: Pause, context: _Context, scale: float) -> None:
        if pause.name:
            session.open_chapter(context.title(pause.name), context.side())
        start_ms = session.t
        self.wait(session, pause.duration_ms, scale, "pause")
        self.ring_every(session, pause.ring_cue, pause.ring_every_ms, start_ms, session.t)

    def slot(self, session: _Session, slot: Slot, context: _Context, scale: float) -> None:
        if slot.name:
            session.open_chapter(context.title(slot.name), context.side())
        slot_ms = self.elastic(slot.slot_ms, scale)[1] if slot.stretch else slot.slot_ms
        end_ms = session.t + slot_ms
        self.ring_every(session, slot.ring_cue, slot.ring_every_ms, session.t, end_ms)
        if slot.start_cue:
            self.cue_then_wait(session, slot.start_cue)
        if slot.say:
            self.say(session, context.fill(slot.say))
        for number in range(slot.countdown, 0, -1):
            self.slot_silence(session, end_ms - number * COUNTDOWN_STEP_MS, slot, slot_ms, context)
            self.say(session, str(number))
        self.slot_silence(session, end_ms, slot, slot_ms, context)
        if slot.end_cue:
            self.cue_at(session, slot.end_cue, end_ms)

    def slot_silence(
        self, session: _Session, until_ms: int, slot: Slot, slot_ms: int, context: _Context
    ) -> None:
        """Silence up to ``until_ms``, or an overrun report if speech already went past it."""
        if session.t > until_ms:
            title = context.title(slot.name or slot.say or "slot")
            session.overruns.append(
                f"'{title}': speech runs {format_seconds(session.t - until_ms)} past its "
                f"place in the {format_seconds(slot_ms)} slot: shorten the text, "
                "lengthen the slot, or raise voice.rate"
            )
        elif session.t < until_ms:
            session.add("silence", until_ms - session.t, "hold", elastic=slot.stretch)

    def sides(
        self, session: _Session, block: Sides, context: _Context, repeats: Repeats, scale: float
    ) -> None:
        """Each side laid out alone, then padded with silence to the longest side.

        A side lasts until its last sound ends, a cue still ringing included (``total_ms``,
        not ``t``): so a tick at its last repetition rings out inside its own time, never in
        the next side's or in a ring-out after the session, and the sides last the same
        whatever comes before or after the block.
        """
        laid_out = [
            self.side(block, side, i, context, repeats, scale) for i, side in enumerate(block.sides)
        ]
        longest_ms = max(side.total_ms for side in laid_out)
        around = session.current_chapter()
        for side in laid_out:
            session.append(side, longest_ms - side.t)
        session.resume = around

    def side(
        self, block: Sides, side: str, index: int, context: _Context, repeats: Repeats, scale: float
    ) -> _Session:
        inner = _Context({**context.values, "side": side})
        session = self.new_session()
        session.open_chapter(inner.fill(block.name) if block.name else f"{side} side", side)
        if index and block.switch_cue:
            self.cue_then_wait(session, block.switch_cue)
        if block.announce:
            self.say(session, inner.fill(block.announce))
        self.items(session, block.items, inner, repeats, scale)
        return session

    def rounds(
        self, session: _Session, block: Rounds, context: _Context, repeats: Repeats, scale: float
    ) -> None:
        around = session.current_chapter()
        for number in range(1, block.rounds + 1):
            inner = _Context({**context.values, "round": str(number), "rounds": str(block.rounds)})
            if block.name:
                session.open_chapter(inner.fill(block.name), inner.side())
            if block.announce:
                self.say(session, inner.fill(block.announce))
            self.items(session, block.items, inner, repeats, scale)
            if number < block.rounds and block.rest_ms:
                self.wait(session, block.rest_ms, scale, "rest between rounds")
        session.resume = around


def _distinct(picks: list[Repeats]) -> list[Repeats]:
    return [dict(p) for p in {tuple(sorted(p.items())): p for p in picks}.values()]


def _walk(items: tuple[Item, ...]) -> list[Item]:
    """Every item, blocks' contents included, each once."""
    found: list[Item] = []
    for item in items:
        found.append(item)
        if isinstance(item, Sides | Rounds):
            found.extend(_walk(item.items))
    return found
