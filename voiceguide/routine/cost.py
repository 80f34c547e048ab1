"""What a routine can cost, known from the routine alone, before any speech or planning.

The loader refuses a routine over these bounds with a located error, so that planning stays
quick (well under a second) for any routine it accepts:

- ``event_bound``: how many events (words, silences, cues) one layout of the routine can
  hold at its largest repetition counts. Fitting a length lays a routine out a few dozen
  times, so this is what planning time grows with. Cues rung by ``ring_every`` are left out:
  they are made once, for the final layout, and at most one a second of a session that
  lasts at most 12 hours. A metronome (``tick_every``) is counted: it may tick
  every 0.3 s, far more often than a ring, and each tick is an event of the timeline.
- ``phrase_bound``: how many different phrases the routine can say, and their characters:
  each is synthesized (once per speaking rate) before the session can be planned, so this
  is what a first plan's time grows with. A placeholder multiplies a text by its values
  (``{side}`` by the sides, ``{round}`` by the rounds); counting and countdowns say numbers.
- ``natural_minimum_ms``: the items' time at natural length, speech not counted, for the
  12-hour limit.
- ``shortest_ms``: a lower bound of the routine's length at pace 1, speech not counted (it
  only adds): a routine ``length`` below it can never be met.
"""

from __future__ import annotations

from dataclasses import dataclass

from voiceguide.routine.model import (
    BREATH_MS,
    CUE_BREATH_MS,
    CUE_LEAD_MS,
    Block,
    ForEach,
    Item,
    Pause,
    Rounds,
    Routine,
    Sides,
    Slot,
    Step,
    walk,
)
from voiceguide.routine.placeholders import placeholder_names
from voiceguide.routine.sentences import sentences

# Around the items: lead-in, the last sound ringing out, tail, an end cue (and the closing
# words, counted by their sentences).
_FRAME_EVENTS = 6
CUE_EVENTS = 2  # a cue that takes time: the cue and the silence while it rings


def event_bound(routine: Routine) -> int:
    """The most events one layout of the routine can hold (``ring_every`` cues left out)."""
    events = _FRAME_EVENTS + _items_events(routine.items) + _said(routine.bedtime.closing)
    return events + breath_bound(routine)


def _items_events(items: tuple[Item, ...]) -> int:
    return sum(_item_events(item) for item in items)


def _item_events(item: Item) -> int:
    if isinstance(item, Step):
        return _step_events(item)
    if isinstance(item, Pause):
        return 1 + item.tick_count
    if isinstance(item, Slot):
        return _slot_events(item)
    if isinstance(item, Sides):
        switch = CUE_EVENTS * bool(item.switch_cue)
        per_side = switch + _said(item.announce) + _items_events(item.items) + 1  # + settle
        return len(item.sides) * per_side
    runs = _runs(item, most=True)
    switch = CUE_EVENTS * bool(isinstance(item, ForEach) and item.switch_cue)
    per_run = switch + _said(item.announce) + _items_events(item.items)
    between = _items_events(item.between) + bool(isinstance(item, Rounds) and item.rest_ms)
    return runs * per_run + max(runs - 1, 0) * between


# Breaths before cues. The planner adds a silence before a cue (a start, switch or end cue,
# or the first tick of a metronome) when words may have ended just before it, never right
# after a slot. What may happen before the next cue is one of three states:
_QUIET = 0  # nothing said since the last cue (or at all): no breath
_SPOKEN = 1  # words since: the next cue may take a breath
_SLOT_END = 2  # a slot has just ended: a cue now takes none, but one after more time may


def breath_bound(routine: Routine) -> int:
    """The most breaths before cues one layout of the routine can hold."""
    count, state = _breaths(routine.items, _QUIET)
    return count + bool(routine.end_cue and state == _SPOKEN)


def _breaths(items: tuple[Item, ...], state: int) -> tuple[int, int]:
    """The most breaths the items take, entering in ``state``, and the state after them."""
    count = 0
    for item in items:
        taken, state = _item_breaths(item, state)
        count += taken
    return count, state


def _cue_site(state: int, cue: str | None = None) -> tuple[int, int]:
    """A cue: a breath if words came before. After a slot's end it takes none, and its
    ring is then time since the slot's words: enough for the next cue if it is as long as
    a breath (a sound file's length is unknown here)."""
    if state != _SLOT_END:
        return int(state == _SPOKEN), _QUIET
    return 0, _QUIET if CUE_LEAD_MS.get(cue or "", 0) >= CUE_BREATH_MS else _SPOKEN


def _item_breaths(item: Item, state: int) -> tuple[int, int]:
    if isinstance(item, Step):
        taken, state = _cue_site(state, item.start_cue) if item.start_cue else (0, state)
        said = item.say or item.say_file or (item.each_ms and item.count)
        return taken, _SPOKEN if said or state == _SLOT_END else state
    if isinstance(item, Pause):
        taken, state = _cue_site(state) if item.tick_count else (0, state)
        return taken, _SPOKEN if state == _SLOT_END else state
    if isinstance(item, Slot):
        return int(state == _SPOKEN and bool(item.start_cue or item.tick_count)), _SLOT_END
    return _block_breaths(item, state)


def _block_breaths(block: Block, state: int) -> tuple[int, int]:
    """Each side, round or entry in turn (its own breaths known per entering state)."""
    runs = len(block.sides) if isinstance(block, Sides) else _runs(block, most=True)
    body: dict[int, tuple[int, int]] = {}
    between: dict[int, tuple[int, int]] = {}
    count = 0
    for index in range(runs):
        last = index + 1 == runs
        if index and not isinstance(block, Rounds) and block.switch_cue:
            taken, state = _cue_site(state, block.switch_cue)
            count += taken
        if block.announce and not block.announce_in_slot:
            state = _SPOKEN
        if state not in body:
            body[state] = _breaths(block.items, state)
        taken, state = body[state]
        count += taken
        if isinstance(block, Sides):
            if not last and block.switch_cue and state == _SPOKEN:  # a breath at its end
                count, state = count + 1, _QUIET
            continue
        if not last:
            if isinstance(block, Rounds) and block.rest_ms and state == _SLOT_END:
                state = _SPOKEN
            if state not in between:
                between[state] = _breaths(block.between, state)
            taken, state = between[state]
            count += taken
    # After sides, padding may follow the last: a slot's end no longer holds.
    return count, _SPOKEN if isinstance(block, Sides) and state == _SLOT_END else state


def _runs(block: Rounds | ForEach, *, most: bool) -> int:
    """How many times the block runs its steps: at its most rounds, or its fewest."""
    if isinstance(block, ForEach):
        return len(block.entries)
    return block.max_rounds if most else block.min_rounds


def _slot_events(slot: Slot) -> int:
    """Cues, the opening words, each timed phrase and the silence before it (``at`` words,
    the numbers counted up or down), the silence to the end, and the metronome's ticks."""
    cues = CUE_EVENTS * bool(slot.start_cue) + bool(slot.end_cue) + slot.tick_count
    opening = _said(slot.say) or bool(slot.count_up)
    numbers = 2 * (slot.countdown + max(slot.count_up_to - 1, 0))
    at = sum(_said(words.text) + 1 for words in slot.at)
    return cues + opening + numbers + at + 1


def _said(text: str | None) -> int:
    """Events of a narration: its sentences and the pauses between them."""
    return 2 * len(sentences(text)) - 1 if text else 0


def _step_events(step: Step) -> int:
    events = CUE_EVENTS * bool(step.start_cue) + _said(step.say) + bool(step.say_file)
    if step.each_ms:
        per_repetition = 1 + bool(step.repeat_cue) + step.count
        events += (
            bool(step.say or step.say_file) + step.max_repeat * per_repetition + bool(step.rest_ms)
        )
    return events


@dataclass(frozen=True)
class Phrases:
    """An upper bound of the different phrases a routine says, at one speaking rate."""

    count: int = 0
    chars: int = 0

    def __add__(self, other: Phrases) -> Phrases:
        return Phrases(self.count + other.count, self.chars + other.chars)


# Placeholders whose values change together (a side's name; a list entry's fields), how
# many values they take, and the longest.
_Group = tuple[frozenset[str], int, int]


@dataclass(frozen=True)
class _Values:
    """The placeholders' values where a text is: how many, and the longest."""

    groups: tuple[_Group, ...] = ()

    def inside(self, block: Block) -> _Values:
        """The values inside ``block``, which adds its own placeholders."""
        if isinstance(block, Sides):
            new = [(frozenset({"side"}), len(block.sides), max(map(len, block.sides)))]
        elif isinstance(block, Rounds):
            digits = len(str(block.max_rounds))
            new = [
                (frozenset({"round"}), block.max_rounds, digits),
                (frozenset({"rounds"}), block.max_rounds - block.min_rounds + 1, digits),
            ]
        else:
            names = frozenset(name for entry in block.entries for name in entry)
            longest = max((len(v) for entry in block.entries for v in entry.values()), default=0)
            count = len(block.entries)
            new = [(names | {"next", "index", "count"}, count, max(longest, len(str(count))))]
        return _Values(self.groups + tuple(new))

    def phrases(self, text: str | None) -> Phrases:
        if not text:
            return Phrases()
        used = placeholder_names(text)
        count, chars = 1, len(text)
        for names, values, longest in reversed(self.groups):  # the innermost gives a name
            uses = sum(name in names for name in used)
            used = [name for name in used if name not in names]
            if uses:
                count *= values
                chars += uses * longest
        return Phrases(count, count * chars)


def phrase_bound(routine: Routine) -> Phrases:
    """The different phrases the routine can say, and their characters (at one rate)."""
    texts = _texts_phrases(routine.items, _Values()) + _Values().phrases(routine.bedtime.closing)
    numbers = max([_largest_number(item) for item in walk(routine.items)] + [0])
    spoken_numbers = Phrases(numbers, sum(len(str(n)) for n in range(1, numbers + 1)))
    return texts + spoken_numbers


def _texts_phrases(items: tuple[Item, ...], values: _Values) -> Phrases:
    found = Phrases()
    for item in items:
        if isinstance(item, Step | Slot):
            found += values.phrases(item.say)
        if isinstance(item, Slot):
            for words in item.at:
                found += values.phrases(words.text)
        elif isinstance(item, Sides | Rounds | ForEach):
            inner = values.inside(item)
            found += inner.phrases(item.announce) + _texts_phrases(item.items, inner)
            if not isinstance(item, Sides):
                found += _texts_phrases(item.between, inner)
    return found


def _largest_number(item: Item) -> int:
    """The largest number the item counts aloud (1 to it are said), 0 for none."""
    if isinstance(item, Step) and item.count and item.each_ms:
        return item.max_repeat
    if isinstance(item, Slot):
        return max(item.countdown, item.count_up_to)
    return 0


def shortest_ms(routine: Routine, min_scale: float) -> int:
    """A lower bound of the session's length at pace 1 (daytime or bedtime, whose pace only
    slows): fewest repetitions, elastic time scaled by ``min_scale``, no speech."""
    end_cue_ms = CUE_LEAD_MS.get(routine.end_cue or "", 0)  # a file's lead is unknown: 0
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
    runs = _runs(item, most=False)
    if isinstance(item, ForEach):
        between_ms = _items_ms(item.between, scale) + CUE_LEAD_MS.get(item.switch_cue or "", 0)
    else:
        between_ms = _items_ms(item.between, scale) + _elastic_ms(item.rest_ms, scale)
    return runs * _items_ms(item.items, scale) + max(runs - 1, 0) * between_ms


def _step_ms(step: Step, scale: float) -> int:
    start_ms = CUE_LEAD_MS.get(step.start_cue or "", 0)
    if not step.each_ms:
        return start_ms
    breath_ms = BREATH_MS if step.say or step.say_file else 0
    repetitions_ms = step.min_repeat * _elastic_ms(step.each_ms, scale)
    return start_ms + breath_ms + repetitions_ms + _elastic_ms(step.rest_ms, scale)


def _elastic_ms(duration_ms: int, scale: float) -> int:
    """Elastic time at ``scale``, rounded down: the planner rounds each wait to the nearest
    millisecond, so this is never more than it lays out."""
    return int(duration_ms * scale)


def natural_minimum_ms(items: tuple[Item, ...]) -> int:
    """Time the items take at natural length, speech not counted (it only adds)."""
    total = 0
    for item in items:
        if isinstance(item, Step):
            total += item.repeat * item.each_ms + item.rest_ms
        elif isinstance(item, Pause):
            total += item.duration_ms
        elif isinstance(item, Slot):
            total += item.slot_ms
        elif isinstance(item, Sides):
            total += len(item.sides) * natural_minimum_ms(item.items)
        else:
            runs = item.rounds if isinstance(item, Rounds) else len(item.entries)
            rest_ms = item.rest_ms if isinstance(item, Rounds) else 0
            total += runs * natural_minimum_ms(item.items)
            total += max(runs - 1, 0) * (rest_ms + natural_minimum_ms(item.between))
    return total
