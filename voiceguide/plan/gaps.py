"""Where a cue rings close to the words before it, on a planned timeline.

The layout leaves CUE_BREATH_MS between speech and a cue wherever the routine's timing
lets it; where exact timing does not (a slot's end, a ``ring_every`` inside a slot's
words), the cue stays put and ``plan`` says so in a note. Counted numbers are a beat (a
countdown's "1" and the cue a second after it) and a metronome's later ticks ring under
the words by design: neither is noted.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass

from voiceguide.errors import shown
from voiceguide.plan.slots import first_tick, is_tick
from voiceguide.plan.timeline import Event, Timeline
from voiceguide.routine.durations import format_ms
from voiceguide.routine.model import CLOSE_CUE_MS, is_file_cue

LISTED_CUES = 3  # a note names this many close cues, then counts the rest


@dataclass(frozen=True)
class CloseCue:
    cue: Event
    words: Event  # the speech before it

    @property
    def gap_ms(self) -> int:
        """From the end of the words to the cue (negative: the cue rings while they are said)."""
        return self.cue.start_ms - self.words.end_ms


def close_cues(timeline: Timeline) -> list[CloseCue]:
    """Each cue that starts less than CLOSE_CUE_MS after the speech before it ended."""
    speech = sorted(timeline.speech(), key=lambda event: event.start_ms)
    starts = [event.start_ms for event in speech]
    found = []
    for cue in timeline.cues():
        if is_tick(cue.text) and not first_tick(cue.text):
            continue
        before = bisect.bisect_left(starts, cue.start_ms)  # speech starting before the cue
        if not before:
            continue
        words = speech[before - 1]
        close = CloseCue(cue, words)
        if close.gap_ms < CLOSE_CUE_MS and not words.text.isdigit():
            found.append(close)
    return found


def close_cue_note(timeline: Timeline) -> str | None:
    """A note for ``plan`` and ``render`` naming the cues close to words, or None."""
    found = close_cues(timeline)
    if not found:
        return None
    listed = ", ".join(_described(close) for close in found[:LISTED_CUES])
    more = len(found) - LISTED_CUES
    one = len(found) == 1
    it = "it" if one else "them"
    what = "a cue rings" if one else f"{len(found)} cues ring"
    return (
        f"note: {what} less than {CLOSE_CUE_MS / 1000:g} s after the words before {it}, "
        f"where the routine's exact timing puts {it}: {listed}"
        + (f" and {more} more" if more > 0 else "")
        + f"; to give {it} room, say those words earlier or make them shorter"
    )


def _described(close: CloseCue) -> str:
    name = close.cue.cue
    name = os.path.basename(name) if is_file_cue(name) else name
    at = format_ms(close.cue.start_ms, precise=True)
    if close.gap_ms < 0:
        return f"the {name} at {at} while {shown(close.words.text)} is said"
    gap = f"{close.gap_ms / 1000:.1f} s"
    return f"the {name} at {at}, {gap} after {shown(close.words.text)}"
