"""The timeline as a table a person reads: start, section, side, what happens, duration."""

from __future__ import annotations

from voiceguide.durations import format_ms, format_seconds
from voiceguide.timeline import Event, Timeline

WHAT_WIDTH = 56
MAX_SECTION_WIDTH = 40


def timeline_table(timeline: Timeline) -> str:
    width = min(max([len(c.title) for c in timeline.chapters] + [7]), MAX_SECTION_WIDTH)
    header = f"{'start':>8}  {'section':<{width}} {'side':<6} {'what':<{WHAT_WIDTH}} duration"
    rows = [header] + [_row(timeline, event, width) for event in timeline.events]
    rows.append(f"{format_ms(timeline.total_ms, precise=True):>8}  total ({_fitted(timeline)})")
    return "\n".join(rows)


def _row(timeline: Timeline, event: Event, width: int) -> str:
    chapter = timeline.chapters[event.chapter]
    what = _clip(_what(event), WHAT_WIDTH)
    duration = "" if event.kind == "cue" else f"{format_seconds(event.duration_ms):>8}"
    return (
        f"{format_ms(event.start_ms, precise=True):>8}  "
        f"{_clip(chapter.title, width):<{width}} {chapter.side or '':<6} "
        f"{what:<{WHAT_WIDTH}} {duration}"
    ).rstrip()


def _what(event: Event) -> str:
    if event.kind == "speech":
        return f'"{event.text}"'
    if event.kind == "cue":
        return f"({event.cue})"
    return event.text


def _fitted(timeline: Timeline) -> str:
    pace = f"pace {timeline.pace:g}"
    if timeline.target_ms:
        return f"fitted to {format_ms(timeline.target_ms)} at {pace}"
    return f"natural length at {pace}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
