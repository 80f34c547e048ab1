"""`voiceguide plan`'s table: one row per event, a total line, and what frames the session."""

from dataclasses import replace

from audio_utils import timeline_of, tone_clip

from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.table import MAX_SECTION_WIDTH, WHAT_WIDTH, timeline_table
from voiceguide.plan.timeline import Chapter
from voiceguide.routine.loader import load_routine
from voiceguide.routine.templates import template_path
from voiceguide.tts.fake import speech_ms


def row(start: str, what: str, duration: str = "") -> str:
    """A row of a table whose one chapter is "All" with no side."""
    return f"{start:>8}  {'All':<7} {'':<6} {what:<{WHAT_WIDTH}} {duration}".rstrip()


def test_each_event_is_a_row_with_its_start_what_and_duration():
    timeline, _ = timeline_of(
        [(0, "Breathe in.", tone_clip(1_500)), (4_000, "Out.", tone_clip(800))],
        6_000,
        cues=[(4_000, "bell")],
    )
    assert timeline_table(timeline).splitlines() == [
        f"{'start':>8}  {'section':<7} {'side':<6} {'what':<{WHAT_WIDTH}} duration",
        row("0:00.0", '"Breathe in."', "   1.5 s"),
        row("0:01.5", "pause", "   2.5 s"),
        row("0:04.0", '"Out."', "   0.8 s"),
        row("0:04.0", "(bell)"),  # a cue has no duration: it rings over the voice track
        row("0:04.8", "end", "   1.2 s"),
        "  0:06.0  total (natural length at pace 1)",
    ]


def test_long_text_and_titles_are_cut_with_dots_and_control_characters_never_reach_the_terminal():
    long_text = "Stroke slowly from the wrist to the elbow, " * 3
    timeline, _ = timeline_of([(0, long_text, tone_clip(500))], 500)
    title = "A very long section title that goes on and on\x1b[31m"
    timeline = replace(timeline, chapters=(Chapter(title, "left", 0, 500),))
    header, row, _ = timeline_table(timeline).splitlines()
    assert header.index("side") == 10 + MAX_SECTION_WIDTH + 1
    assert row[10 : 10 + MAX_SECTION_WIDTH].endswith("...")
    assert '"Stroke slowly' in row and '..."' not in row and "..." in row
    assert "\x1b" not in timeline_table(timeline)


def test_a_fitted_bedtime_session_shows_its_target_tail_and_pace_curve():
    routine = load_routine(template_path("hand-massage-bedtime"))
    timeline = plan(routine, speech_ms, Settings(length_ms=20 * 60_000))
    lines = timeline_table(timeline).splitlines()
    assert lines[-4] == " 25:00.0  total (fitted to 20:00 at pace 1)"
    assert lines[-3] == (
        "tail: 5:00 of background after the guided part (which ends at 20:00), fading out"
    )
    assert lines[-2].startswith("bedtime: pace 1.00 at 0:00, ")
    assert lines[-2].count(" at ") == 6
    assert lines[-1].startswith(f"bedtime: voice falls {timeline.bedtime.voice_fall_db:g} dB")


def test_a_lead_in_is_said_before_the_first_word():
    routine = load_routine(template_path("hand-massage-quick"))
    timeline = plan(routine, speech_ms, Settings(lead_in_ms=10_000))
    assert "lead-in: 0:10 of background before the first word" in timeline_table(timeline)
