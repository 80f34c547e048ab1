"""The timeline as a table a person reads: start, section, side, what happens, duration."""

from __future__ import annotations

import os

from voiceguide.errors import printable
from voiceguide.plan.layout import SENTENCE_PAUSE
from voiceguide.plan.slots import first_tick, is_tick
from voiceguide.plan.timeline import Event, Timeline
from voiceguide.routine.durations import format_ms, format_seconds
from voiceguide.routine.model import is_file_cue

WHAT_WIDTH = 56
MAX_SECTION_WIDTH = 40


def timeline_table(timeline: Timeline) -> str:
    width = min(max([len(c.title) for c in timeline.chapters] + [7]), MAX_SECTION_WIDTH)
    header = f"{'start':>8}  {'section':<{width}} {'side':<6} {'what':<{WHAT_WIDTH}} duration"
    shown = [e for e in timeline.events if _shown(e)]
    rows = [header] + [_row(timeline, event, width) for event in shown]
    rows.append(f"{format_ms(timeline.total_ms, precise=True):>8}  total ({_fitted(timeline)})")
    lines = rows + _framing(timeline) + _bedtime(timeline)
    return "\n".join(printable(line) for line in lines)  # text from a file acts on no terminal


def _framing(timeline: Timeline) -> list[str]:
    lines = []
    if timeline.lead_in_ms:
        lines.append(
            f"lead-in: {format_ms(timeline.lead_in_ms)} of background before the first word"
        )
    if timeline.tail_ms:
        lines.append(
            f"tail: {format_ms(timeline.tail_ms)} of background after the guided part "
            f"(which ends at {format_ms(timeline.guided_end_ms)}), fading out"
        )
    return lines


def _bedtime(timeline: Timeline, points: int = 6) -> list[str]:
    """At bedtime, the pace curve sampled at a few moments, and the levels."""
    if timeline.bedtime is None:
        return []
    paced = [e for e in timeline.events if e.pace]
    picks = sorted({round(i * (len(paced) - 1) / (points - 1)) for i in range(points)})
    curve = ", ".join(f"{paced[i].pace:.2f} at {format_ms(paced[i].start_ms)}" for i in picks)
    night = timeline.bedtime
    return [
        f"bedtime: pace {curve}",
        f"bedtime: voice falls {night.voice_fall_db:g} dB by the last word; the session is "
        f"{night.quieter_db:g} LU quieter; bells are soft tones",
    ]


def _row(timeline: Timeline, event: Event, width: int) -> str:
    chapter = timeline.chapters[event.chapter]
    what = _clip(_what(event), WHAT_WIDTH)
    duration = "" if event.kind == "cue" else f"{format_seconds(event.duration_ms):>8}"
    return (
        f"{format_ms(event.start_ms, precise=True):>8}  "
        f"{_clip(chapter.title, width):<{width}} {chapter.side or '':<6} "
        f"{what:<{WHAT_WIDTH}} {duration}"
    ).rstrip()


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


def _fitted(timeline: Timeline) -> str:
    pace = f"pace {timeline.pace:g}"
    if timeline.target_ms and timeline.target_missed:
        return f"as near {format_ms(timeline.target_ms)} as whole rounds come, at {pace}"
    if timeline.target_ms:
        return f"fitted to {format_ms(timeline.target_ms)} at {pace}"
    return f"natural length at {pace}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
