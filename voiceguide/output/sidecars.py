"""Text that travels with a session: subtitles (SRT, WebVTT), lyrics (LRC), the timeline (JSON).

Pure functions of the Timeline: times come from the plan, which the audio follows to the
sample, so a subtitle starts when its words are heard.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from voiceguide import __version__
from voiceguide.files import write_text
from voiceguide.plan.timeline import Event, Timeline
from voiceguide.routine.durations import format_timestamp

SIDECAR_FORMATS = ("srt", "vtt", "lrc", "json")
LINGER_MS = 1500  # a subtitle stays this long after its words, unless the next one starts


def subtitle_spans(timeline: Timeline) -> list[tuple[int, int, str]]:
    """(start_ms, end_ms, text) of every spoken line, each shown until the next begins."""
    speech = timeline.speech()
    spans = []
    for index, event in enumerate(speech):
        next_start = speech[index + 1].start_ms if index + 1 < len(speech) else timeline.total_ms
        end_ms = max(event.end_ms, min(event.end_ms + LINGER_MS, next_start))
        spans.append((event.start_ms, end_ms, _line(timeline, event)))
    return spans


def srt(timeline: Timeline) -> str:
    blocks = [
        f"{n}\n{format_timestamp(start, ',')} --> {format_timestamp(end, ',')}\n{text}\n"
        for n, (start, end, text) in enumerate(subtitle_spans(timeline), start=1)
    ]
    return "\n".join(blocks)


def vtt(timeline: Timeline) -> str:
    blocks = [
        f"{format_timestamp(start, '.')} --> {format_timestamp(end, '.')}\n{text}\n"
        for start, end, text in subtitle_spans(timeline)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def lrc(timeline: Timeline) -> str:
    """LRC lyrics: music players show the current instruction line by line."""
    header = [
        f"[ti:{timeline.title}]",
        "[ar:voiceguide]",
        f"[length:{_lrc_clock(timeline.total_ms)}]",
    ]
    lines = [f"[{_lrc_clock(start)}]{text}" for start, _, text in subtitle_spans(timeline)]
    return "\n".join([*header, *lines, f"[{_lrc_clock(timeline.total_ms)}]"]) + "\n"


def timeline_json(timeline: Timeline, settings: dict[str, Any] | None = None) -> str:
    """The whole timeline, with what made it, for other programs to follow along."""
    document = {
        "voiceguide": __version__,
        "settings": settings or {},
        "timeline": timeline.to_dict(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


WRITERS: dict[str, Callable[[Timeline], str]] = {"srt": srt, "vtt": vtt, "lrc": lrc}


def write_sidecars(
    timeline: Timeline, audio_path: Path, formats: list[str], settings: dict[str, Any] | None = None
) -> list[Path]:
    """Write each format next to the audio file (same name, own extension), atomically."""
    written = []
    for name in formats:
        text = timeline_json(timeline, settings) if name == "json" else WRITERS[name](timeline)
        path = audio_path.with_suffix(f".{name}")
        write_text(path, text, "--transcript")  # atomic; replaces only a regular file
        written.append(path)
    return written


def _line(timeline: Timeline, event: Event) -> str:
    """A count or countdown alone ("3") says little on a screen: name the step too."""
    if event.text.isdigit():
        return f"{timeline.chapters[event.chapter].title}: {event.text}"
    return event.text


def _lrc_clock(ms: int) -> str:
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes:02d}:{rest // 1000:02d}.{rest % 1000 // 10:02d}"
