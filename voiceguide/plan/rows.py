"""The rows of `voiceguide plan`'s table: the events a person reads, with the runs that read
as one folded into one row each (a step's repetitions, a slot's counted numbers, a cue with
the ring the voice waits for, and rounds that come again the same)."""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass

from voiceguide.plan.layout import SENTENCE_PAUSE
from voiceguide.plan.slots import first_tick, is_tick
from voiceguide.plan.timeline import Event, Timeline
from voiceguide.routine.durations import format_seconds
from voiceguide.routine.model import is_file_cue

MAX_NUMBERS_SPELLED = 5  # more numbers than this show as the first and the last
MAX_ROUND_SECTIONS = 12  # rounds of up to this many sections fold into one row
HOLD = "hold"  # a slot's silence between what it says


@dataclass(frozen=True)
class Row:
    """One line of the table: an event, or a run of them read as one (a step's
    repetitions, a countdown)."""

    start_ms: int
    chapter: int
    what: str
    duration_ms: int | None  # None for a cue, which rings over the voice track
    section: str | None = None  # instead of the chapter's title: "In (round 2..13 of 13)"


def table_rows(timeline: Timeline) -> list[Row]:
    """The shown events, a step's repetitions folded into one row, a slot's spoken numbers
    into another, and a cue with the ring the voice waits for into a third."""
    events = [e for e in timeline.events if _shown(e)]
    rows: list[Row] = []
    index = 0
    while index < len(events):
        row, index = _fold(events, index)
        rows.append(row)
    return _fold_rounds(timeline, rows)


def _fold_rounds(timeline: Timeline, rows: list[Row]) -> list[Row]:
    """Sections that come again the same but for their numbers (rounds) shown once, and
    one row for the times they come again."""
    groups = [list(group) for _, group in itertools.groupby(rows, key=lambda row: row.chapter)]
    shapes = [_shape(timeline, group) for group in groups]
    folded: list[Row] = []
    index = 0
    while index < len(groups):
        period, times = _repeats(shapes, index)
        for group in groups[index : index + period]:
            folded.extend(group)
        if times > 1:
            again = groups[index + period : index + period * times]
            after = groups[index + period * times : index + period * times + 1]
            after_ms = after[0][0].start_ms if after else timeline.guided_end_ms
            folded.append(_again(timeline, again, period, after_ms))
        index += period * times
    return folded


def _shape(timeline: Timeline, group: list[Row]) -> tuple[str, ...]:
    """A section's rows with every number left out: what rounds have in common."""
    chapter = timeline.chapters[group[0].chapter]
    return tuple(
        _NUMBER_RE.sub("#", text)
        for text in (chapter.title, chapter.side or "", *(row.what for row in group))
    )


def _repeats(shapes: list[tuple[str, ...]], index: int) -> tuple[int, int]:
    """(sections, times): the run of sections from ``index`` that comes again the most
    sections' worth (at least twice in all), else (1, 1)."""
    best = (1, 1)
    for period in range(1, MAX_ROUND_SECTIONS + 1):
        block = shapes[index : index + period]
        times = 1
        while shapes[index + period * times : index + period * (times + 1)] == block:
            times += 1
        if times > 1 and period * times > best[0] * best[1]:
            best = (period, times)
    return best


def _again(timeline: Timeline, again: list[list[Row]], period: int, after_ms: int) -> Row:
    """One row for sections that come again, up to ``after_ms``: where, how often, how long
    each time."""
    first = again[0][0]
    titles = [timeline.chapters[group[0].chapter].title for group in again[::period]]
    starts_ms = [again[i][0].start_ms for i in range(0, len(again), period)] + [after_ms]
    spans_ms = [end - start for start, end in itertools.pairwise(starts_ms)]
    sections = "the section" if period == 1 else f"the {period} sections"
    more = "once more" if len(spans_ms) == 1 else f"{len(spans_ms)} times more"
    what = f"as {sections} above, {more}, {_spread(spans_ms)} each"
    return Row(first.start_ms, first.chapter, what, after_ms - first.start_ms, _ranged(titles))


def _ranged(titles: list[str]) -> str:
    """Titles that differ only in their numbers as one: 'In (round 2..13 of 13)' for rounds 2
    to 13; a number that does not count up one by one (an inner round) shows as 'n'."""
    skeletons = {_NUMBER_RE.sub("#", title) for title in titles}
    if len(skeletons) > 1:
        return titles[0]
    texts = _NUMBER_RE.split(titles[0])
    columns = zip(*(_NUMBER_RE.findall(title) for title in titles), strict=True)
    parts = [texts[0]]
    for numbers, text in zip(columns, texts[1:], strict=True):
        parts += [_number_range([int(n) for n in numbers]), text]
    return "".join(parts)


def _number_range(numbers: list[int]) -> str:
    if len(set(numbers)) == 1:
        return str(numbers[0])
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return f"{numbers[0]}..{numbers[-1]}"
    return "n"


def _fold(events: list[Event], index: int) -> tuple[Row, int]:
    """The row that starts at ``events[index]``, and the index after what it covers."""
    for fold in (_repetitions, _numbers, _rung):
        folded = fold(events, index)
        if folded:
            return folded
    event = events[index]
    duration_ms = None if event.kind == "cue" else event.duration_ms
    return Row(event.start_ms, event.chapter, _what(event), duration_ms), index + 1


def _repetitions(events: list[Event], index: int) -> tuple[Row, int] | None:
    """A step's repetitions, each a cue, a counted number, or both, then its time: one row
    when there are two or more."""
    cycles: list[_Cycle] = []
    at = index
    while found := _repetition(events, at, events[index].chapter):
        cue, count, wait, number, total, after = found
        if cycles and not _continues(cycles[-1], (cue, count, wait, number), total):
            break
        cycles.append((cue, count, wait, number))
        at = after
    if len(cycles) < 2:
        return None
    first, last = cycles[0], cycles[-1]
    waits = [wait.duration_ms for _, _, wait, _ in cycles]
    what = f"repetitions {first[3]}..{last[3]} of {_of(last[2])}, {_spread(waits)} each"
    if first[0] is not None:
        what += f", {_what(first[0])} and counted" if first[1] else f", {_what(first[0])} at each"
    elif first[1] is not None:
        what += ", counted"
    start_ms = events[index].start_ms
    return Row(start_ms, events[index].chapter, what, last[2].end_ms - start_ms), at


_Cycle = tuple[Event | None, Event | None, Event, int]  # cue, count, time, number


def _continues(before: _Cycle, cycle: _Cycle, total: int) -> bool:
    """Whether ``cycle`` is the repetition after ``before``, of the same step."""
    same_shape = (before[0] is None) == (cycle[0] is None) and (before[1] is None) == (
        cycle[1] is None
    )
    return same_shape and cycle[3] == before[3] + 1 and total == _of(before[2])


_NUMBER_RE = re.compile(r"\d+")
_REPETITION_RE = re.compile(r"repetition (\d+) of (\d+)")


def _repetition(
    events: list[Event], at: int, chapter: int
) -> tuple[Event | None, Event | None, Event, int, int, int] | None:
    """(cue, count, time, number, of, next index) of the repetition at ``at``, if one is."""
    cue = count = None
    if at < len(events) and events[at].kind == "cue" and events[at].chapter == chapter:
        cue, at = events[at], at + 1
    if at < len(events) and _is_number(events[at]) and events[at].chapter == chapter:
        count, at = events[at], at + 1
    if at >= len(events) or events[at].chapter != chapter or events[at].kind != "silence":
        return None
    found = _REPETITION_RE.fullmatch(events[at].text)
    if not found:
        return None
    return cue, count, events[at], int(found.group(1)), int(found.group(2)), at + 1


def _of(wait: Event) -> int:
    found = _REPETITION_RE.fullmatch(wait.text)
    return int(found.group(2)) if found else 0


def _numbers(events: list[Event], index: int) -> tuple[Row, int] | None:
    """Numbers said one after another in a slot (a countdown, a count up), with the holds
    between and after them: one row when there are two or more."""
    chapter = events[index].chapter
    numbers: list[Event] = []
    at = index
    while at < len(events) and events[at].chapter == chapter and _is_number(events[at]):
        numbers.append(events[at])
        at += 1
        if at < len(events) and events[at].chapter == chapter and events[at].text == HOLD:
            at += 1
    if len(numbers) < 2:
        return None
    said = [int(n.text) for n in numbers]
    way = "counting down" if said == sorted(said, reverse=True) else "counting"
    words = '"' + ", ".join(n.text for n in numbers) + '"'
    if len(numbers) > MAX_NUMBERS_SPELLED:
        words = f'"{numbers[0].text}".."{numbers[-1].text}"'
    start_ms = numbers[0].start_ms
    return Row(start_ms, chapter, f"{way} {words}", events[at - 1].end_ms - start_ms), at


def _rung(events: list[Event], index: int) -> tuple[Row, int] | None:
    """A cue and the time the voice waits while it rings: one row."""
    if index + 1 >= len(events):
        return None
    cue, wait = events[index], events[index + 1]
    if cue.kind != "cue" or wait.kind != "silence" or not wait.text.endswith(" rings"):
        return None
    if (cue.start_ms, cue.chapter) != (wait.start_ms, wait.chapter):
        return None
    return Row(cue.start_ms, cue.chapter, f"{_what(cue)} rings", wait.duration_ms), index + 2


def _is_number(event: Event) -> bool:
    return event.kind == "speech" and event.text.isdigit() and event.text.isascii()


def _spread(durations_ms: list[int]) -> str:
    """'9.1 s', or '9.1-9.6 s' where they differ (bedtime eases the pace)."""
    low, high = format_seconds(min(durations_ms)), format_seconds(max(durations_ms))
    return low if low == high else f"{low.removesuffix(' s')}-{high}"


def _shown(event: Event) -> bool:
    """A pause between sentences shows as the gap before the next one's start, and a
    metronome as one row at its first tick: a row each would bury what is said."""
    if event.kind == "silence":
        return event.text != SENTENCE_PAUSE
    return event.kind != "cue" or not is_tick(event.text) or first_tick(event.text) is not None


def _what(event: Event) -> str:
    if event.kind == "speech":
        return f'"{event.text}"'
    if event.kind == "cue":
        shown = os.path.basename(event.cue) if is_file_cue(event.cue) else event.cue
        ticks = first_tick(event.text)
        return f"({shown}) every {ticks[1]}, {ticks[0]} times" if ticks else f"({shown})"
    return event.text
