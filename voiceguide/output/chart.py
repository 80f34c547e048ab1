"""A picture of the plan: `voiceguide plan ROUTINE --chart plan.svg` (or .png).

One lane per kind of thing on a shared time axis in m:ss: the chapters with their titles,
what is said, the pauses and holds, the cues, the bed's level with its fades and its ducking
under speech, and (when it moves, as at bedtime) the pace. The lead-in and the tail are
shaded across every lane.

matplotlib draws it (the ``chart`` extra), imported here only when a chart is asked for, so
``voiceguide --help`` and a plain ``plan`` never load it. The same plan gives the same bytes:
the SVG's ids are salted with a constant and neither file carries a date.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide.errors import ExitCode, UsageError, VoiceguideError, printable
from voiceguide.files import OutputRefused, writable_path, write_bytes
from voiceguide.plan.layout import SENTENCE_PAUSE
from voiceguide.plan.timeline import Event, Timeline
from voiceguide.routine.durations import format_ms

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

OPTION = "--chart"
CHART_FORMATS = ("svg", "png")
INSTALL_HINT = "pip install 'voiceguide[chart]'"
BED_FLOOR_DB = 40.0  # the bed's level is drawn down to this far under its own level
TITLE_CHARS = 44  # a chapter title longer than this is cut with dots
LABEL_HEIGHT_IN = 0.12  # a chapter title's line, 7.5 pt, turned on its side
WIDTH_IN = 14.0
PNG_DPI = 110
BED_POINTS = 12_000  # moments the bed's level is drawn at, across the session
MAX_BED_RATE_HZ = 100  # and at most this many a second (a short session)
BED_BLOCK_FRAMES = 4096
_COLOURS = {
    "right": "#8fb8de",
    "left": "#f2b880",
    None: "#cfd6dd",
    "speech": "#3b6ea5",
    "elastic": "#9cc59a",
    "fixed": "#c9c9c9",
    "cue": "#b5452b",
    "bed": "#5b7f5b",
    "pace": "#7a4e9c",
    "frame": "#eeeeee",
}


class ChartUnavailable(VoiceguideError):
    """matplotlib, which draws charts, is not installed."""

    exit_code = ExitCode.USAGE


def chart_format(path: Path) -> str:
    """'svg' or 'png' from the name's ending; UsageError for any other."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in CHART_FORMATS:
        raise UsageError(
            OPTION,
            f"{printable(path.name)} ends in neither .svg nor .png: name the picture "
            "plan.svg or plan.png",
        )
    return suffix


def check_chart(path: Path) -> None:
    """Everything that can be refused before planning: the name, the target, matplotlib."""
    chart_format(path)
    writable_path(path, OPTION)
    folder = path.parent
    if not folder.is_dir():
        raise OutputRefused(
            f"cannot write {printable(str(path))}: there is no folder {printable(str(folder))}; "
            f"create it, or choose another {OPTION}"
        )
    _matplotlib()


def write_chart(timeline: Timeline, path: Path) -> None:
    """Draw ``timeline`` and write it to ``path`` atomically (only a regular file is
    replaced), as SVG or PNG by the name's ending."""
    image_format = chart_format(path)
    write_bytes(path, chart_bytes(timeline, image_format), OPTION)


def chart_bytes(timeline: Timeline, image_format: str) -> bytes:
    mpl = _matplotlib()
    settings = {"svg.hashsalt": "voiceguide", "svg.fonttype": "none", "font.size": 8}
    with mpl.rc_context(settings), warnings.catch_warnings():
        # A glyph the bundled font lacks (CJK, say) is drawn as a box, not an error.
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        figure = _figure(timeline)
        buffer = io.BytesIO()
        metadata = {"Date": None} if image_format == "svg" else {"Software": None}
        figure.savefig(buffer, format=image_format, dpi=PNG_DPI, metadata=metadata)
    return buffer.getvalue()


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ChartUnavailable(
            f"{OPTION} draws with matplotlib, which is not installed: {INSTALL_HINT} "
            "(or pip install matplotlib)"
        ) from None
    return matplotlib


@dataclass(frozen=True)
class _Lanes:
    chapters: Axes
    events: Axes
    bed: Axes
    pace: Axes | None


def _figure(timeline: Timeline) -> Figure:
    from matplotlib.figure import Figure

    paced = _paced(timeline)
    heights = [2.4, 1.3, 1.3] + ([1.0] if paced else [])
    figure = Figure(figsize=(WIDTH_IN, sum(heights) + 1.1), layout="constrained")
    axes = figure.subplots(len(heights), 1, sharex=True, height_ratios=heights)
    lanes = _Lanes(axes[0], axes[1], axes[2], axes[3] if paced else None)
    figure.suptitle(_title(timeline), parse_math=False, fontsize=11)
    _draw_chapters(lanes.chapters, timeline)
    _draw_events(lanes.events, timeline)
    _draw_bed(lanes.bed, timeline)
    if lanes.pace is not None:
        _draw_pace(lanes.pace, paced)
    for ax in axes:
        _frame(ax, timeline)
    _frame_labels(lanes.chapters, timeline)
    _time_axis(axes[-1], timeline.total_ms)
    return figure


def _title(timeline: Timeline) -> str:
    fitted = f", fitted to {format_ms(timeline.target_ms)}" if timeline.target_ms else ""
    night = ", bedtime" if timeline.bedtime else ""
    return printable(
        f"{timeline.title}: {format_ms(timeline.total_ms)} at pace {timeline.pace:g}{fitted}{night}"
    )


def _seconds(ms: int) -> float:
    return ms / 1000


def _draw_chapters(ax: Axes, timeline: Timeline) -> None:
    # A title needs its line's height across: where titles would print over each other
    # (many short rounds), a section keeps its band but not its title.
    label_min_s = _seconds(timeline.total_ms) * LABEL_HEIGHT_IN / (WIDTH_IN - 1.6)
    last_label_s = -label_min_s
    for chapter in timeline.chapters:
        start, width = _seconds(chapter.start_ms), _seconds(chapter.end_ms - chapter.start_ms)
        ax.broken_barh(
            [(start, width)], (0, 1), facecolors=_COLOURS.get(chapter.side, _COLOURS[None])
        )
        ax.broken_barh([(start, width)], (0, 1), facecolors="none", edgecolors="white", lw=1)
        if start + width / 2 - last_label_s < label_min_s:
            continue
        last_label_s = start + width / 2
        title = printable(chapter.title)
        if len(title) > TITLE_CHARS:
            title = title[: TITLE_CHARS - 3] + "..."
        ax.text(
            start + width / 2,
            0.03,
            title,
            rotation=90,
            ha="center",
            va="bottom",
            fontsize=7.5,
            parse_math=False,
            clip_on=True,
        )
    ax.set_ylim(0, 1)
    ax.set_yticks([0.5], ["sections"])
    sides = sorted({c.side for c in timeline.chapters if c.side})
    if sides:
        from matplotlib.patches import Patch

        handles = [Patch(color=_COLOURS.get(side, _COLOURS[None]), label=side) for side in sides]
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False
        )


_SPEECH_Y, _PAUSE_Y, _CUE_Y = 2, 1, 0


def _draw_events(ax: Axes, timeline: Timeline) -> None:
    speech = [_span(e) for e in timeline.speech()]
    silences = [e for e in timeline.voice_track() if e.kind == "silence"]
    elastic = [_span(e) for e in silences if e.elastic]
    fixed = [_span(e) for e in silences if not e.elastic and e.text != SENTENCE_PAUSE]
    ax.broken_barh(speech, (_SPEECH_Y - 0.35, 0.7), facecolors=_COLOURS["speech"])
    ax.broken_barh(elastic, (_PAUSE_Y - 0.3, 0.6), facecolors=_COLOURS["elastic"])
    ax.broken_barh(fixed, (_PAUSE_Y - 0.3, 0.6), facecolors=_COLOURS["fixed"])
    cues = [_seconds(e.start_ms) for e in timeline.cues()]
    ax.vlines(cues, _CUE_Y - 0.35, _CUE_Y + 0.35, colors=_COLOURS["cue"], lw=1)
    ax.set_ylim(-0.7, 2.7)
    ax.set_yticks([_SPEECH_Y, _PAUSE_Y, _CUE_Y], ["speech", "pauses", "cues"])
    from matplotlib.patches import Patch

    handles = [
        Patch(color=_COLOURS["elastic"], label="elastic (pace and length stretch it)"),
        Patch(color=_COLOURS["fixed"], label="fixed"),
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False
    )


def _span(event: Event) -> tuple[float, float]:
    return (_seconds(event.start_ms), _seconds(event.duration_ms))


def _draw_bed(ax: Axes, timeline: Timeline) -> None:
    if timeline.background.sound == "none":
        ax.text(0.5, 0.5, "no background", transform=ax.transAxes, ha="center", va="center")
        ax.set_yticks([])
        ax.set_ylabel("bed (dB)")
        return
    times_ms, levels_db = bed_levels(timeline)
    level_db = timeline.background.level_db
    ax.fill_between(
        [_seconds(t) for t in times_ms],
        levels_db,
        level_db - BED_FLOOR_DB,
        color=_COLOURS["bed"],
        alpha=0.35,
        lw=0,
    )
    ax.plot([_seconds(t) for t in times_ms], levels_db, color=_COLOURS["bed"], lw=0.8)
    ax.set_ylim(level_db - BED_FLOOR_DB, level_db + 3)
    ax.set_ylabel("bed (dB)")
    ax.set_title(
        f"background: {printable(timeline.background.sound)}, {-level_db:g} dB under the "
        f"voice, stepping back {_deepest(timeline):g} dB at most under speech",
        loc="left",
        fontsize=7.5,
        parse_math=False,
    )


def _deepest(timeline: Timeline) -> float:
    return max((duck.depth_db for duck in timeline.mix.ducks), default=0.0)


def bed_levels(timeline: Timeline) -> tuple[list[int], list[float]]:
    """The bed's level in dB relative to the voice across the session: its fades and its
    ducks under speech, computed by the mixer's own envelopes at a coarse rate."""
    import numpy as np

    from voiceguide.audio.envelopes import Ducking, Fades, bed_fade_gain, frame_at

    rate_hz = max(1, min(MAX_BED_RATE_HZ, BED_POINTS * 1000 // max(1, timeline.total_ms)))
    mix = timeline.mix
    ducks = [
        (frame_at(d.start_ms, rate_hz), frame_at(d.end_ms, rate_hz), d.depth_db) for d in mix.ducks
    ]
    ducking = Ducking(ducks, rate_hz, mix.duck_attack_ms, mix.duck_release_ms)
    fades = Fades(mix.fades_of("bed"), rate_hz, ease=bed_fade_gain)
    frames = frame_at(timeline.total_ms, rate_hz) + 1
    gain = np.ones(frames)
    for first in range(0, frames, BED_BLOCK_FRAMES):  # as the mixer goes: block by block
        end = min(frames, first + BED_BLOCK_FRAMES)
        for envelope in (fades.gain(first, end), ducking.gain(first, end)):
            if envelope is not None:
                gain[first:end] *= envelope
    floor_db = timeline.background.level_db - BED_FLOOR_DB
    levels = timeline.background.level_db + 20 * np.log10(np.maximum(gain, 1e-9))
    times_ms = [round(frame * 1000 / rate_hz) for frame in range(frames)]
    return times_ms, [float(v) for v in np.maximum(levels, floor_db)]


def _paced(timeline: Timeline) -> list[Event]:
    """The events that carry a pace, when the pace moves; else none (a flat line says
    nothing the title does not)."""
    paced = [e for e in timeline.events if e.pace]
    paces = {e.pace for e in paced}
    return paced if len(paces) > 1 else []


def _draw_pace(ax: Axes, paced: list[Event]) -> None:
    times = [_seconds(e.start_ms) for e in paced]
    paces = [e.pace for e in paced]
    ax.plot(times, paces, color=_COLOURS["pace"], lw=1.2, drawstyle="steps-post")
    low, high = min(paces), max(paces)
    margin = max(0.02, (high - low) * 0.15)
    ax.set_ylim(low - margin, high + margin)
    ax.set_ylabel("pace")


def _frame(ax: Axes, timeline: Timeline) -> None:
    """The lead-in and the tail, shaded; the session's ends."""
    ax.set_xlim(0, _seconds(timeline.total_ms))
    if timeline.lead_in_ms:
        ax.axvspan(0, _seconds(timeline.lead_in_ms), color=_COLOURS["frame"], zorder=0)
    if timeline.tail_ms:
        ax.axvspan(
            _seconds(timeline.guided_end_ms),
            _seconds(timeline.total_ms),
            color=_COLOURS["frame"],
            zorder=0,
        )
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _frame_labels(ax: Axes, timeline: Timeline) -> None:
    framing = []
    if timeline.lead_in_ms:
        framing.append((0, timeline.lead_in_ms, "lead-in"))
    if timeline.tail_ms:
        framing.append((timeline.guided_end_ms, timeline.tail_ms, "tail, fading out"))
    for start_ms, length_ms, label in framing:
        ax.text(
            _seconds(start_ms + length_ms // 2),
            1.02,
            f"{label} {format_ms(length_ms)}",
            ha="center",
            va="bottom",
            fontsize=7.5,
            transform=ax.get_xaxis_transform(),
        )


def _time_axis(ax: Axes, total_ms: int) -> None:
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    ax.xaxis.set_major_locator(MultipleLocator(_tick_seconds(total_ms)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_ms(round(x * 1000))))
    ax.set_xlabel("time (m:ss)")


def _tick_seconds(total_ms: int) -> int:
    """The finest of a few round steps that puts at most about 16 ticks on the axis."""
    steps = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
    return next((s for s in steps if total_ms / 1000 / s <= 16), 7200)
