"""Bedtime: the pace curve that eases a session slower towards its end, the speaking rate
that follows pace, and the closing words said at bed.

The pace is per *site* (each speech phrase and elastic wait). With a constant pace every
site has it; at bedtime a first layout at scale 1 measures how far through the session
each site ends, and each site then takes the curve's pace there.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import replace

from voiceguide.routine.limits import MAX_RATE_WPM, MIN_RATE_WPM
from voiceguide.routine.model import Pause, Routine, Step

EASED_RATE_STEP_WPM = 5  # a bedtime voice slows in steps this big: few clips to synthesize

RepeatsKey = tuple[tuple[int, int], ...]  # sorted (id(step), count) pairs


def speech_rate_wpm(base_rate_wpm: int, pace: float, step_wpm: int = 1) -> int:
    """Speech follows pace moderately: the rate scales with the square root of pace."""
    rate_wpm = step_wpm * round(base_rate_wpm * math.sqrt(pace) / step_wpm)
    return max(MIN_RATE_WPM, min(MAX_RATE_WPM, rate_wpm))


def pace_curve(slow_to: float, progress: float) -> float:
    """The pace factor at a point of the session (0 at the start, 1 at the end): 1 at first,
    easing smoothly (no jump, no kink) to ``slow_to`` at the end."""
    eased = progress * progress * (3.0 - 2.0 * progress)
    return 1.0 - (1.0 - slow_to) * eased


class Pacing:
    """The pace at each site in turn, and the speaking rate at a pace.

    ``slow_to`` 1 keeps the pace constant. Otherwise ``paces`` measures a layout once per
    repetition counts, and ``use`` sets the paces the next layout's sites take in order.
    """

    def __init__(self, pace: float, slow_to: float, base_rate_wpm: int) -> None:
        self.pace = pace
        self.slow_to = slow_to
        self.base_rate_wpm = base_rate_wpm
        self._paces: dict[RepeatsKey, list[float]] = {}
        self._site_paces: list[float] | None = None
        self._site_times: list[int] | None = None  # filled by the measuring layout
        self._site = 0

    @property
    def eases(self) -> bool:
        return self.slow_to != 1.0

    def restart(self) -> None:
        """A layout begins: the next site is the first."""
        self._site = 0

    def use(self, paces: list[float] | None) -> None:
        self._site_paces = paces

    def paces(self, key: RepeatsKey, measure_layout: Callable[[], object]) -> list[float] | None:
        """The pace at each site, from how far through the session the site ends; None when
        the pace is constant. ``measure_layout`` lays the session out at scale 1."""
        if not self.eases:
            return None
        if key not in self._paces:
            self._site_paces, self._site_times = None, []
            measure_layout()
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
        step_wpm = EASED_RATE_STEP_WPM if self.eases else 1
        return speech_rate_wpm(self.base_rate_wpm, pace, step_wpm)


def with_closing(routine: Routine, closing: str) -> Routine:
    """The routine with its closing words (a narration step at the end, pauses after it
    allowed) replaced by ``closing``; if it ends otherwise, ``closing`` is added."""
    items = list(routine.items)
    index = len(items) - 1
    while index > 0 and isinstance(items[index], Pause):
        index -= 1
    last = items[index]
    if isinstance(last, Step) and (last.say or last.say_file) and not last.each_ms:
        items[index] = replace(last, say=closing, say_file=None)  # a recording too
        return replace(routine, items=tuple(items))
    return replace(routine, items=(*items, Step(name="Closing", say=closing)))
