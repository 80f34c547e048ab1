"""What a routine can cost, known from the routine alone, before any speech or planning.

The loader refuses a routine over these bounds with a located error, so that planning stays
quick (well under a second) for any routine it accepts:

- ``event_bound``: how many events (words, silences, cues) one layout of the routine can
  hold at its largest repetition counts. Fitting a length lays a routine out a few dozen
  times, so this is what planning time grows with. Cues rung by ``ring_every`` are left out:
  they are made once, for the final layout, and at most one a second of a session that
  lasts at most 12 hours.
- ``shortest_ms``: a lower bound of the routine's length at pace 1, speech not counted (it
  only adds): a routine ``length`` below it can never be met.
"""

from __future__ import annotations

from voiceguide.model import (
    BREATH_MS,
    CUE_LEAD_MS,
    Item,
    Pause,
    Routine,
    Sides,
    Slot,
    Step,
)

# Around the items: lead-in, the last sound ringing out, tail, a closing line, an end cue.
_FRAME_EVENTS = 6
CUE_EVENTS = 2  # a cue that takes time: the cue and the silence while it rings


def event_bound(routine: Routine) -> int:
    """The most events one layout of the routine can hold (``ring_every`` cues left out)."""
    return _FRAME_EVENTS + _items_events(routine.items)


def _items_events(items: tuple[Item, ...]) -> int:
    return sum(_item_events(item) for item in items)


def _item_events(item: Item) -> int:
    if isinstance(item, Step):
        return _step_events(item)
    if isinstance(item, Pause):
        return 1
    if isinstance(item, Slot):
        cues = CUE_EVENTS * bool(item.start_cue) + bool(item.end_cue)
        return cues + bool(item.say) + 2 * item.countdown + 1
    if isinstance(item, Sides):
        switch = CUE_EVENTS * bool(item.switch_cue)
        per_side = switch + bool(item.announce) + _items_events(item.items) + 1  # + settle
        return len(item.sides) * per_side
    per_round = bool(item.announce) + _items_events(item.items) + bool(item.rest_ms)
    return item.rounds * per_round


def _step_events(step: Step) -> int:
    events = CUE_EVENTS * bool(step.start_cue) + bool(step.say)
    if step.each_ms:
        per_repetition = 1 + bool(step.repeat_cue) + step.count
        events += bool(step.say) + step.max_repeat * per_repetition + bool(step.rest_ms)
    return events


def shortest_ms(routine: Routine, min_scale: float) -> int:
    """A lower bound of the session's length at pace 1 (daytime or bedtime, whose pace only
    slows): fewest repetitions, elastic time scaled by ``min_scale``, no speech."""
    end_cue_ms = CUE_LEAD_MS[routine.end_cue] if routine.end_cue else 0
    return _items_ms(routine.items, min_scale) + end_cue_ms


def _items_ms(items: tuple[Item, ...], scale: float) -> int:
    return sum(_item_ms(item, scale) for item in items)


def _item_ms(item: Item, scale: float) -> int:
    if isinstance(item, Step):
        return _step_ms(item, scale)
    if isinstance(item, Pause):
        return _elastic_ms(item.duration_ms, scale)
    if isinstance(item, Slot):
        return _elastic_ms(item.slot_ms, scale) if item.stretch else item.slot_ms
    if isinstance(item, Sides):
        switches_ms = (len(item.sides) - 1) * CUE_LEAD_MS.get(item.switch_cue or "", 0)
        return len(item.sides) * _items_ms(item.items, scale) + switches_ms
    rests_ms = (item.rounds - 1) * _elastic_ms(item.rest_ms, scale)
    return item.rounds * _items_ms(item.items, scale) + rests_ms


def _step_ms(step: Step, scale: float) -> int:
    start_ms = CUE_LEAD_MS[step.start_cue] if step.start_cue else 0
    if not step.each_ms:
        return start_ms
    breath_ms = BREATH_MS if step.say else 0
    repetitions_ms = step.min_repeat * _elastic_ms(step.each_ms, scale)
    return start_ms + breath_ms + repetitions_ms + _elastic_ms(step.rest_ms, scale)


def _elastic_ms(duration_ms: int, scale: float) -> int:
    """Elastic time at ``scale``, rounded down: the planner rounds each wait to the nearest
    millisecond, so this is never more than it lays out."""
    return int(duration_ms * scale)
