"""Lays a routine out as events, for given repetition counts and elastic scale.

Each item kind (step, pause, slot) has one method saying what it sounds like and how long
it lasts, and ``blocks`` lays out the blocks (sides, rounds, lists) around them; cues ring
over the voice track, a breath after the words before them where the timing allows. A
slot's timed speech and ticks are placed by ``slots``. The pace at each phrase and wait
comes from ``bedtime.Pacing``; the counts and scale from ``fitting``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from voiceguide.plan import blocks
from voiceguide.plan.bedtime import Pacing
from voiceguide.plan.session import Context, Session
from voiceguide.plan.slots import (
    Timed,
    metronome_text,
    opening_speech,
    overlap,
    past_end,
    tick_times,
    timed_speech,
)
from voiceguide.routine.durations import format_seconds
from voiceguide.routine.model import (
    BREATH_MS,
    CUE_BREATH_MS,
    MIN_SCALE,
    SOFT_CUES,
    Item,
    Pause,
    Rounds,
    Routine,
    Sides,
    Slot,
    Step,
    cue_lead_ms,
    is_file_cue,
    walk,
)
from voiceguide.routine.sentences import sentences

Measure = Callable[[str, int], int]  # (text, rate_wpm) -> duration_ms
Repeats = dict[int, int]  # id(step or rounds block) -> repetitions, or rounds

SENTENCE_PAUSE = "between sentences"  # the silence's text, which the plan's table leaves out
CUE_BREATH = "breath before the cue"
RING_MARGIN_MS = 3000  # ring_every stays this far from the item's end, where the next begins


class Layout:
    """Lays the routine out for given repetition counts and elastic scale.

    Each speech phrase and elastic wait is a *site*, and takes its pace from ``pacing``
    (constant, or easing along the session at bedtime). The paces depend on the
    repetition counts only, so the length stays linear in the scale and fitting is exact.
    """

    def __init__(
        self,
        routine: Routine,
        measure: Measure,
        pacing: Pacing,
        bedtime: bool,
        sounds: Mapping[str, int] | None = None,
    ) -> None:
        self.routine = routine
        self.measure = measure
        self.sounds = sounds or {}  # the user's sound files: absolute path -> duration_ms
        self.pacing = pacing
        self.cues = SOFT_CUES if bedtime else {}
        # What length fitting may count differently: repetitions of steps, rounds of blocks.
        self.counted = [
            item
            for item in walk(routine.items)
            if (isinstance(item, Step) and item.each_ms)
            or (isinstance(item, Rounds) and item.min_rounds < item.max_rounds)
        ]
        self._record = True  # False: a layout that only measures, making no events
        self._lengths: dict[tuple[tuple[tuple[int, int], ...], float], int] = {}

    @property
    def pace(self) -> float:
        return self.pacing.pace

    def new_session(self) -> Session:
        return Session(record=self._record)

    def compile(self, repeats: Repeats, scale: float) -> Session:
        """The session laid out, every event recorded."""
        self.pacing.use(self.paces(repeats))
        return self._layout(repeats, scale, record=True)

    def length_ms(self, repeats: Repeats, scale: float) -> int:
        """How long the session lasts, from a layout that records no events. Fitting asks
        this many times, mostly of the same repetition counts: the answers are kept."""
        key = (tuple(sorted(repeats.items())), scale)
        if key not in self._lengths:
            self.pacing.use(self.paces(repeats))
            self._lengths[key] = self._layout(repeats, scale, record=False).total_ms
        return self._lengths[key]

    def _layout(self, repeats: Repeats, scale: float, *, record: bool) -> Session:
        self.pacing.restart()
        self._record = record
        session = self.new_session()
        self.items(session, self.routine.items, Context(), repeats, scale)
        if self.routine.end_cue:
            self.cue_then_wait(session, self.routine.end_cue)
        return session

    def paces(self, repeats: Repeats) -> list[float] | None:
        """The pace at each site (None: the constant pace), from a measuring layout."""
        return self.pacing.paces(
            tuple(sorted(repeats.items())), lambda: self._layout(repeats, 1.0, record=False)
        )

    def elastic(self, duration_ms: int, scale: float) -> tuple[float, int]:
        """The next site's pace, and ``duration_ms`` of elastic time at it."""
        return self.pacing.site(lambda pace: round(duration_ms * scale / pace))

    def wait(self, session: Session, duration_ms: int, scale: float, text: str) -> None:
        pace, taken = self.elastic(duration_ms, scale)
        least_ms = round(duration_ms * MIN_SCALE / pace)  # as short as fitting can make it
        session.add("silence", taken, text, elastic=True, pace=pace, least_ms=least_ms)

    def say(self, session: Session, text: str) -> None:
        """The text sentence by sentence, with the planned pause between: one site, so every
        sentence of it takes the same pace."""
        parts = sentences(text)
        pause_ms = self.routine.voice.sentence_pause_ms

        def spoken_ms(pace: float) -> int:
            rate_wpm = self.pacing.rate_wpm(pace)
            speech_ms = sum(self.measure(part, rate_wpm) for part in parts)
            return speech_ms + (len(parts) - 1) * round(pause_ms / pace)

        pace, _ = self.pacing.site(spoken_ms)
        rate_wpm = self.pacing.rate_wpm(pace)
        for index, part in enumerate(parts):
            if index:
                session.add("silence", round(pause_ms / pace), SENTENCE_PAUSE, pace=pace)
            session.add("speech", self.measure(part, rate_wpm), part, rate_wpm=rate_wpm, pace=pace)

    def narrate(self, session: Session, say: str | None, say_file: str | None) -> None:
        """Narration: a recording (``say`` its transcript) or synthesized speech."""
        if say_file:
            self.recording(session, say_file, say)
        elif say:
            self.say(session, say)

    def recording(self, session: Session, path: str, transcript: str | None) -> str:
        """A recording: fixed time, its measured length whatever the pace. Its text (the
        transcript, or the file's name) is what the plan and captions show."""
        text = transcript or f"[recording: {os.path.basename(path)}]"
        session.add("speech", self.sounds.get(path, 0), text, file=path)
        return text

    def breathe(self, session: Session) -> None:
        """Room before a cue: fixed silence, so that the cue starts at least CUE_BREATH_MS
        after the last speech ended, whatever elastic scale fitting chooses (elastic time
        since then counts as short as it can be). Not after a slot, whose end is exact."""
        if session.after_slot or session.quiet_ms is None:
            return
        missing_ms = CUE_BREATH_MS - session.quiet_ms
        if missing_ms > 0:
            session.add("silence", missing_ms, CUE_BREATH)

    def cue_then_wait(self, session: Session, name: str) -> None:
        """A cue, after room to breathe, and the fixed time it takes before narration goes
        on."""
        self.breathe(session)
        name = self.cues.get(name, name)
        lead_ms = cue_lead_ms(name, self.sounds)
        session.cue(name, lead_ms)
        shown = os.path.basename(name) if is_file_cue(name) else name
        session.add("silence", lead_ms, f"{shown} rings")

    def cue_at(self, session: Session, name: str, at_ms: int) -> None:
        name = self.cues.get(name, name)
        session.cue(name, cue_lead_ms(name, self.sounds), at_ms=at_ms)

    def ring_every(
        self, session: Session, name: str, every_ms: int, start_ms: int, end_ms: int
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
        session: Session,
        items: tuple[Item, ...],
        context: Context,
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
                blocks.sides(self, session, item, context, repeats, scale)
            else:
                blocks.runs(self, session, item, context, repeats, scale)

    def step(
        self, session: Session, step: Step, context: Context, repeats: Repeats, scale: float
    ) -> None:
        if step.start_cue:  # the breath before its cue ends the chapter before
            self.breathe(session)
        if step.name:
            session.open_chapter(context.title(step.name), context.side())
        if step.start_cue:
            self.cue_then_wait(session, step.start_cue)
        count = repeats.get(id(step), step.repeat) if step.each_ms else 0
        if step.say or step.say_file:
            self.narrate(session, context.spoken(step.say), step.say_file)
            if count:
                session.add("silence", BREATH_MS, "breath")
        for number in range(1, count + 1):
            self.repetition(session, step, number, count, scale)
        if step.rest_ms:
            self.wait(session, step.rest_ms, scale, "rest")

    def repetition(
        self, session: Session, step: Step, number: int, count: int, scale: float
    ) -> None:
        if step.repeat_cue:
            self.cue_at(session, step.repeat_cue, session.t)
        if step.count:
            self.say(session, str(number))
        self.wait(session, step.each_ms, scale, f"repetition {number} of {count}")

    def pause(self, session: Session, pause: Pause, context: Context, scale: float) -> None:
        if pause.tick_every_ms:  # its first tick rings as it starts
            self.breathe(session)
        if pause.name:
            session.open_chapter(context.title(pause.name), context.side())
        start_ms = session.t
        self.wait(session, pause.duration_ms, scale, "pause")
        self.ring_every(session, pause.ring_cue, pause.ring_every_ms, start_ms, session.t)
        self.metronome(session, pause, start_ms, session.t - start_ms)

    def slot(
        self,
        session: Session,
        slot: Slot,
        context: Context,
        scale: float,
        before: tuple[str, ...] = (),
    ) -> None:
        """The slot's speech at its times, its ticks and cues, within its time exactly.

        ``before`` is said as the slot starts, ahead of its own ``say`` (a block's
        announce, say), and counts as the slot's time like the ``say``.
        """
        if slot.start_cue or slot.tick_every_ms:  # a sound as it starts: room before it
            self.breathe(session)
        if slot.name:
            session.open_chapter(context.title(slot.name), context.side())
        slot_ms = self.elastic(slot.slot_ms, scale)[1] if slot.stretch else slot.slot_ms
        start_ms = session.t
        self.ring_every(session, slot.ring_cue, slot.ring_every_ms, start_ms, start_ms + slot_ms)
        self.metronome(session, slot, start_ms, slot_ms)
        if slot.start_cue:
            self.cue_then_wait(session, slot.start_cue)
        opening = opening_speech(slot, context.spoken, before)
        for text in opening:
            self.say(session, text)
        if slot.say_file:  # said in place of the slot's say, which is its transcript
            opening.append(self.recording(session, slot.say_file, context.spoken(slot.say)))
        opened = Timed(0, " ".join(opening))
        self.timed_speech(session, slot, context, (start_ms, slot_ms), opened)
        if slot.end_cue:
            self.cue_at(session, slot.end_cue, start_ms + slot_ms)
        session.after_slot = True

    def timed_speech(
        self,
        session: Session,
        slot: Slot,
        context: Context,
        span: tuple[int, int],
        said: Timed,
    ) -> None:
        """After the opening (``said``), each phrase at its time, then silence to the end.

        Words of ``at`` over other words, or past the end, are problems located at the
        entry; numbers over each other are overruns, as they always were."""
        start_ms, slot_ms = span  # where the slot starts, and how long it is laid out
        for timed in timed_speech(slot, context.spoken, slot_ms):
            clash = overlap(said, timed, session.t - start_ms)
            if session.t > start_ms + timed.at_ms and clash:
                session.problems.append(clash)
            else:
                self.slot_silence(session, start_ms + timed.at_ms, slot, slot_ms, context)
            self.say(session, timed.text)
            said = timed
        late = past_end(said, session.t - start_ms, slot_ms)
        if session.t > start_ms + slot_ms and late:
            session.problems.append(late)
        else:
            self.slot_silence(session, start_ms + slot_ms, slot, slot_ms, context)

    def metronome(
        self, session: Session, item: Slot | Pause, start_ms: int, planned_ms: int
    ) -> None:
        """The item's ticks, which ring out within it: a measuring layout leaves them out."""
        if not item.tick_every_ms or not self._record:
            return
        natural_ms = item.slot_ms if isinstance(item, Slot) else item.duration_ms
        name = self.cues.get(item.tick_cue, item.tick_cue)
        lead_ms = cue_lead_ms(name, self.sounds)
        times = tick_times(item.tick_every_ms, natural_ms, planned_ms, lead_ms)
        every_ms = item.tick_every_ms * planned_ms / natural_ms
        for number, at_ms in enumerate(times, 1):
            text = metronome_text(number, len(times), every_ms)
            session.cue(name, lead_ms, at_ms=start_ms + at_ms, text=text)

    def slot_silence(
        self, session: Session, until_ms: int, slot: Slot, slot_ms: int, context: Context
    ) -> None:
        """Silence up to ``until_ms``, or an overrun report if speech already went past it."""
        if session.t > until_ms:
            recording = os.path.basename(slot.say_file or "")
            title = context.title(slot.name or context.spoken(slot.say) or recording or "slot")
            session.overruns.append(
                f"'{title}': speech runs {format_seconds(session.t - until_ms)} past its "
                f"place in the {format_seconds(slot_ms)} slot: "
                + (
                    "use a shorter recording or lengthen the slot"
                    if slot.say_file
                    else "shorten the text, lengthen the slot, or raise voice.rate"
                )
            )
        elif session.t < until_ms:
            session.add("silence", until_ms - session.t, "hold", elastic=slot.stretch)
