"""When a slot's speech and ticks happen, from the slot's start: the words of ``at``, the
numbers of ``count_up`` and ``countdown``, and the ``tick_every`` metronome; and the located
message when two of those words would overlap. ``layout.Layout.slot`` lays them out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from voiceguide.errors import Problem, shown
from voiceguide.routine.durations import format_ms
from voiceguide.routine.model import Slot, tick_count
from voiceguide.routine.nodes import Place

COUNTDOWN_STEP_MS = 1000  # a countdown says its numbers a second apart, in every slot
SECOND_MS = 1000  # count_up says a number each second (at the slot's scale)
_METRONOME = "metronome {number} of {count}, every {every}"
_FIRST_TICK_RE = re.compile(r"metronome 1 of (\d+), every (.+)")


@dataclass(frozen=True)
class Timed:
    """Words said at ``at_ms`` from the slot's start; ``place`` where an ``at`` entry was
    written (None for the numbers a slot counts)."""

    at_ms: int
    text: str
    place: Place | None = None


def timed_speech(slot: Slot, fill: Callable[[str], str], planned_ms: int) -> list[Timed]:
    """Every word the slot says at a time, in time order (``at`` first at equal times).

    Words ``fill`` leaves empty (``{next}`` where there is none) are not said.
    ``count_up`` says 2, 3... at each second after the start, a second stretching with a
    stretch slot; the countdown keeps whole seconds before the end, as ``at`` times before
    the end do.
    """
    found = [Timed(w.at_ms(slot.slot_ms, planned_ms), fill(w.text), w.place) for w in slot.at]
    second_ms = SECOND_MS * planned_ms / slot.slot_ms if slot.slot_ms else SECOND_MS
    found += [Timed(round(n * second_ms), str(n + 1)) for n in range(1, slot.count_up_to)]
    found += [
        Timed(planned_ms - n * COUNTDOWN_STEP_MS, str(n)) for n in range(slot.countdown, 0, -1)
    ]
    return sorted((timed for timed in found if timed.text), key=lambda timed: timed.at_ms)


def opening_speech(slot: Slot, fill: Callable[[str], str], before: tuple[str, ...]) -> list[str]:
    """What is said as the slot starts: ``before`` (e.g. a block's announce), then its
    ``say``, which is the first count of ``count_up`` ("1" when it has none)."""
    if slot.say_file:  # a recording is said in place of the say, its transcript
        return list(before)
    first = fill(slot.say) if slot.say else "1" if slot.count_up else None
    return [*before, *([first] if first else [])]


def overlap(earlier: Timed, later: Timed, earlier_end_ms: int) -> Problem | None:
    """The located problem of ``later`` starting while ``earlier`` is said (until
    ``earlier_end_ms``), at whichever of them an ``at`` entry wrote; None if neither."""
    place = later.place or earlier.place
    if place is None:
        return None
    # Nothing said before the first words: what they would start over is the start cue.
    before = f"{shown(earlier.text)} is still being said" if earlier.text else "the start cue rings"
    message = (
        f"{shown(later.text)} at {_clock(later.at_ms)} would start while {before} (until "
        f"{format_ms(earlier_end_ms, precise=True)}): move one of them, shorten the "
        "words, or raise voice.rate"
    )
    return Problem(place.path, place.line, place.column, place.key, message)


def past_end(last: Timed, end_ms: int, slot_ms: int) -> Problem | None:
    """The located problem of ``at`` words still being said at ``end_ms`` (from the slot's
    start) past the slot's ``slot_ms``; None if they are not ``at`` words."""
    if last.place is None:
        return None
    place = last.place
    message = (
        f"{shown(last.text)} at {_clock(last.at_ms)} runs past the end of the "
        f"{slot_ms / 1000:g} s slot (until {format_ms(end_ms, precise=True)}): say it "
        "earlier, shorten the words, or raise voice.rate"
    )
    return Problem(place.path, place.line, place.column, place.key, message)


def _clock(at_ms: int) -> str:
    return format_ms(at_ms, precise=at_ms % 1000 != 0)


def tick_times(every_ms: int, natural_ms: int, planned_ms: int, ring_ms: int) -> list[int]:
    """A metronome's ticks from the start of an item of ``natural_ms`` laid out as
    ``planned_ms``: at 0 and every ``every_ms`` (stretching with the item), each one that
    rings out (``ring_ms``) before the item ends and after the tick before it has rung. So
    ticks may sound in its last seconds, yet never ring past it, over each other, nor
    lengthen a session."""
    if not every_ms or not natural_ms:
        return []
    scaled_ms = every_ms * planned_ms / natural_ms
    times = (round(n * scaled_ms) for n in range(tick_count(natural_ms, every_ms)))
    kept: list[int] = []
    for at_ms in times:  # a faster pace may bring ticks closer than one rings: left out
        if at_ms + ring_ms <= planned_ms and (not kept or at_ms - kept[-1] >= ring_ms):
            kept.append(at_ms)
    return kept


def metronome_text(number: int, count: int, every_ms: float) -> str:
    """A tick's text on the timeline, which the plan's table folds into one row."""
    return _METRONOME.format(number=number, count=count, every=f"{every_ms / 1000:g} s")


def first_tick(text: str) -> tuple[int, str] | None:
    """(count, interval) of a slot's first metronome tick; None for any other text."""
    found = _FIRST_TICK_RE.fullmatch(text)
    return (int(found.group(1)), found.group(2)) if found else None


def is_tick(text: str) -> bool:
    return text.startswith("metronome ")
