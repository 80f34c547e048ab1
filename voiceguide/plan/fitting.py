"""Fitting a session to a target length: which repetition counts, and what elastic scale.

For chosen repetition counts the session's length is linear in one elastic scale:
``total = fixed + scale * elastic``. Fitting picks the counts that keep the scale nearest
1, then solves the scale exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from voiceguide.errors import PlanError, Problem, RoutineError, VoiceguideError
from voiceguide.plan.layout import Layout, Repeats
from voiceguide.routine.durations import format_ms
from voiceguide.routine.model import MAX_SCALE, MIN_SCALE, Rounds, Routine, Step

FIXED_MATCH_MS = 500  # a session with no elastic time meets a target this close


@dataclass(frozen=True)
class TargetFrom:
    """Where the target length came from: ``--length`` (``from_option``), else the
    routine's ``length`` key at ``pace``."""

    routine: Routine
    from_option: bool
    pace: float

    def error(self, target_ms: int, message: str) -> VoiceguideError:
        """``message`` about the target, blamed on the option or located at the key."""
        if self.from_option:
            return PlanError([f"--length {format_ms(target_ms)} {message}"])
        routine, pace = self.routine, self.pace
        what = format_ms(routine.length_ms or 0)
        if pace != 1:
            what += f" ({format_ms(target_ms)} at pace {pace:g})"
        if "length" not in routine.locations:
            return PlanError([f"{routine.source or routine.title}: length: {what} {message}"])
        line, column = routine.locations["length"]
        return RoutineError([Problem(routine.source, line, column, "length", f"{what} {message}")])


def count_range(item: Step | Rounds) -> tuple[int, int, int]:
    """What fitting may count differently: natural, fewest and most repetitions or rounds."""
    if isinstance(item, Rounds):
        return item.rounds, item.min_rounds, item.max_rounds
    return item.repeat, item.min_repeat, item.max_repeat


def natural_repeats(layout: Layout) -> Repeats:
    return {id(item): count_range(item)[0] for item in layout.counted}


def bound_repeats(layout: Layout, *, low: bool) -> Repeats:
    return {id(item): count_range(item)[1 if low else 2] for item in layout.counted}


def scaled_repeats(layout: Layout, factor: float) -> Repeats:
    scaled = {}
    for item in layout.counted:
        natural, fewest, most = count_range(item)
        scaled[id(item)] = max(fewest, min(most, round(natural * factor)))
    return scaled


def fit(layout: Layout, target_ms: int, target_from: TargetFrom) -> tuple[Repeats, float]:
    """The repetition counts and elastic scale that meet the target, the scale nearest 1.

    The counts whose unscaled length brackets the target come first; the fewest and the
    most counts need a scale further from 1 than those, so they are laid out only when
    neither bracketing choice fits.
    """
    brackets, bounds = repeat_candidates(layout, target_ms)
    best = (
        _nearest_scale(layout, brackets, target_ms)
        or _nearest_scale(layout, bounds, target_ms)
        or _nearest_whole(layout, brackets + bounds, target_ms)
    )
    if best is None:
        raise target_from.error(target_ms, _out_of_reach(layout))
    return best


def _nearest_whole(
    layout: Layout, candidates: list[Repeats], target_ms: int
) -> tuple[Repeats, float] | None:
    """The counts that come nearest the target when none meets it exactly: rounds of fixed
    slots with too little elastic time to take up the rest ("five minutes of 4-7-8
    breathing" is 16 rounds, 5:04). None when the routine counts nothing differently or
    the target is beyond its shortest or longest length."""
    shortest, longest = _reach(layout)
    if not layout.counted or not shortest <= target_ms <= longest:
        return None
    options = []
    for repeats in candidates:
        scale = scale_for(layout, repeats, target_ms)
        scale = 1.0 if scale is None else min(MAX_SCALE, max(MIN_SCALE, scale))
        options.append((abs(layout.length_ms(repeats, scale) - target_ms), repeats, scale))
    _, repeats, scale = min(options, key=lambda option: option[0])
    return repeats, scale


def repeat_candidates(layout: Layout, target_ms: int) -> tuple[list[Repeats], list[Repeats]]:
    """Repetition counts whose unscaled length brackets the target, and the bounds."""
    ranges = [count_range(item) for item in layout.counted]
    low, high = 0.0, max([most / natural for natural, _, most in ranges] + [1.0]) + 1
    for _ in range(32):
        middle = (low + high) / 2
        if layout.length_ms(scaled_repeats(layout, middle), 1.0) < target_ms:
            low = middle
        else:
            high = middle
    brackets = _distinct([scaled_repeats(layout, low), scaled_repeats(layout, high)])
    bounds = _distinct([bound_repeats(layout, low=True), bound_repeats(layout, low=False)])
    return brackets, [b for b in bounds if b not in brackets]


def scale_for(layout: Layout, repeats: Repeats, target_ms: int) -> float | None:
    """The elastic scale that makes these counts last ``target_ms``; None if none can."""
    fixed_ms = layout.length_ms(repeats, 0.0)
    elastic_ms = layout.length_ms(repeats, 1.0) - fixed_ms
    if elastic_ms <= 0:
        return 1.0 if abs(fixed_ms - target_ms) <= FIXED_MATCH_MS else None
    return (target_ms - fixed_ms) / elastic_ms


def _nearest_scale(
    layout: Layout, candidates: list[Repeats], target_ms: int
) -> tuple[Repeats, float] | None:
    best: tuple[float, Repeats, float] | None = None
    for repeats in candidates:
        scale = scale_for(layout, repeats, target_ms)
        if scale is not None and MIN_SCALE <= scale <= MAX_SCALE:
            distance = abs(math.log(scale)) if scale > 0 else math.inf
            if best is None or distance < best[0]:
                best = (distance, repeats, scale)
    return (best[1], best[2]) if best else None


def _reach(layout: Layout) -> tuple[int, int]:
    """The shortest and the longest the routine can last: fewest counts at the smallest
    scale, most at the largest."""
    shortest = layout.length_ms(bound_repeats(layout, low=True), MIN_SCALE)
    return shortest, layout.length_ms(bound_repeats(layout, low=False), MAX_SCALE)


def _out_of_reach(layout: Layout) -> str:
    shortest, longest = _reach(layout)
    pace = f"{layout.pace:g}"
    if shortest == longest:
        return (
            "is out of reach: this routine has no elastic time and always lasts "
            f"{format_ms(shortest)} at pace {pace}"
        )
    return (
        f"is out of reach: at pace {pace} this routine lasts from {format_ms(shortest)} "
        f"(shortest) to {format_ms(longest)} (longest)"
    )


def _distinct(picks: list[Repeats]) -> list[Repeats]:
    return [dict(p) for p in {tuple(sorted(p.items())): p for p in picks}.values()]
