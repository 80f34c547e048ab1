"""The timeline as a table a person reads: start, section, side, what happens, duration;
a row for each thing said or done, and one for each run that reads as one (rows.py)."""

from __future__ import annotations

from voiceguide.errors import printable
from voiceguide.plan.rows import Row, table_rows
from voiceguide.plan.timeline import Timeline
from voiceguide.routine.durations import format_ms, format_seconds

WHAT_WIDTH = 56
MAX_SECTION_WIDTH = 40


def timeline_table(timeline: Timeline) -> str:
    shown = table_rows(timeline)
    titles = [c.title for c in timeline.chapters] + [r.section for r in shown if r.section]
    width = min(max([len(title) for title in titles] + [7]), MAX_SECTION_WIDTH)
    header = f"{'start':>8}  {'section':<{width}} {'side':<6} {'what':<{WHAT_WIDTH}} duration"
    rows = [header] + [_line(timeline, row, width) for row in shown]
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


def _line(timeline: Timeline, row: Row, width: int) -> str:
    chapter = timeline.chapters[row.chapter]
    what = _clip(row.what, WHAT_WIDTH)
    duration = "" if row.duration_ms is None else f"{format_seconds(row.duration_ms):>8}"
    section = row.section or chapter.title
    return (
        f"{format_ms(row.start_ms, precise=True):>8}  "
        f"{_clip(section, width):<{width}} {chapter.side or '':<6} "
        f"{what:<{WHAT_WIDTH}} {duration}"
    ).rstrip()


def _fitted(timeline: Timeline) -> str:
    pace = f"pace {timeline.pace:g}"
    if timeline.target_ms and timeline.target_missed:
        return f"as near {format_ms(timeline.target_ms)} as whole rounds come, at {pace}"
    if timeline.target_ms:
        return f"fitted to {format_ms(timeline.target_ms)} at {pace}"
    return f"natural length at {pace}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
