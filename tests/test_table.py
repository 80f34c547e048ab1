"""`voiceguide plan`'s table: one row per event, a total line, and what frames the session."""

from dataclasses import replace

from audio_utils import timeline_of, tone_clip
from plan_utils import measure

from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.table import MAX_SECTION_WIDTH, WHAT_WIDTH, timeline_table
from voiceguide.plan.timeline import Chapter
from voiceguide.routine.loader import load_routine, load_routine_text
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


# -- runs that read as one row ----------------------------------------------------------------


def table_of(text: str, **settings) -> list[str]:
    timeline = plan(load_routine_text(text), measure, Settings(**settings))
    return timeline_table(timeline).splitlines()


def cells(what: str, duration_ms: int) -> str:
    return f"{what:<{WHAT_WIDTH}} {duration_ms / 1000:>6.1f} s"


def what_and_duration(line: str) -> str:
    """A row without its start, section and side: what happens, and for how long."""
    return line[10 + 7 + 1 + 6 + 1 :].rstrip()


STROKES = """
version: 1
title: Strokes
sections:
  - {name: Stroke, say: Stroke., repeat: 8, each: 8s, count: true, rest: 2s}
  - {name: Press, say: Press., repeat: 3, each: 5s, repeat_cue: tick}
  - {name: Both, say: Both., repeat: 2, each: 4s, repeat_cue: tick, count: true}
  - {name: Once, say: Once., repeat: 1, each: 4s, count: true}
"""


def test_a_step_s_repetitions_are_one_row_with_their_count_and_their_time_each():
    timeline = plan(load_routine_text(STROKES), measure)
    lines = timeline_table(timeline).splitlines()
    rows = [what_and_duration(line) for line in lines[1:-1]]
    first_count = next(e for e in timeline.events if e.text == "1")
    eighth = next(e for e in timeline.events if e.text == "repetition 8 of 8")
    span_ms = eighth.end_ms - first_count.start_ms
    assert rows[2] == cells("repetitions 1..8 of 8, 8.0 s each, counted", span_ms)
    assert lines[3].startswith("  0:01.4")  # where "1" is said
    assert rows[6].startswith("repetitions 1..3 of 3, 5.0 s each, (tick) at each ")
    assert rows[9].startswith("repetitions 1..2 of 2, 4.0 s each, (tick) and counted ")
    # One repetition is no run: its number and its time keep their rows.
    assert rows[-2].startswith('"1" ') and rows[-1].startswith("repetition 1 of 1 ")
    assert not any('"2"' in line or "repetition 2 of" in line for line in lines)
    assert len(rows) == 14  # 39 events had a row each before


def test_bedtime_repetitions_show_the_spread_of_their_time():
    lines = table_of(STROKES, bedtime=True)
    stroke = next(line for line in lines if "repetitions 1..8 of 8" in line)
    low, high = stroke.split(", ")[1].removesuffix(" s each").split("-")
    assert float(low) < float(high)  # the pace eases, so later ones are longer


def test_a_countdown_and_a_count_up_are_one_row_each_holds_included():
    lines = table_of(
        """
version: 1
title: Slots
sections:
  - {name: Hold, slot: 20s, say: Hold., countdown: 3}
  - {name: Breathe, slot: 8s, say: In, count_up: true}
"""
    )
    rows = [what_and_duration(line) for line in lines[1:-1]]
    assert lines[3].startswith("  0:17.0") and rows[2].startswith('counting down "3, 2, 1" ')
    assert rows[2].endswith(" 3.0 s")  # from "3", 3 s before the end, to the end
    assert lines[6].startswith("  0:21.0") and rows[5].startswith('counting "2".."8" ')
    assert rows[5].endswith(" 7.0 s")
    assert lines[-1] == "  0:28.0  total (natural length at pace 1)"


def test_a_cue_and_the_ring_the_voice_waits_for_are_one_row():
    lines = table_of(
        "version: 1\ntitle: Bell\nsections:\n  - {name: Start, start_cue: bell, say: Hello.}\n"
    )
    assert what_and_duration(lines[1]).startswith("(bell) rings ")
    assert '"Hello."' in lines[2]


ROUNDS = """
version: 1
title: Box
sections:
  - rounds: 5
    steps:
      - {name: In, slot: 4s, say: In, count_up: true}
      - {name: Out, slot: 4s, say: Out, count_up: true}
  - {name: Closing, say: Done.}
"""


def test_rounds_that_come_again_the_same_are_shown_once_and_then_one_row():
    timeline = plan(load_routine_text(ROUNDS), measure)
    lines = timeline_table(timeline).splitlines()
    sections = [line[10:31].strip() for line in lines[1:-1]]
    first_round = ["In (round 1 of 5)"] * 3 + ["Out (round 1 of 5)"] * 3
    assert sections == [*first_round, "In (round 2..5 of 5)", "Closing"]
    starts_ms = [c.start_ms for c in timeline.chapters if c.title.startswith("In (")]
    closing_ms = timeline.chapters[-1].start_ms
    assert starts_ms[1] == 8000 and closing_ms == 40_000  # each round 8 s, the slots' time
    assert lines[-3].startswith("  0:08.0  In (round 2..5 of 5)")
    assert what_and_duration(lines[-3]).endswith(
        cells("as the 2 sections above, 4 times more, 8.0 s each", 32_000)
    )


def test_sections_differing_in_more_than_their_numbers_keep_their_rows():
    lines = table_of(
        ROUNDS.replace("rounds: 5", "for_each: [Reach, Bend, Twist]").replace(
            "say: Out,", "say: '{item}',"
        )
    )
    assert not any("times more" in line for line in lines)
    said = [line.split('"')[1] for line in lines if '"' in line]
    count = "2, 3, 4"
    each = [["In", count, item, count] for item in ("Reach", "Bend", "Twist")]
    assert said == [*each[0], *each[1], *each[2], "Done."]


def test_a_number_that_does_not_count_up_through_the_folded_rounds_shows_as_n():
    lines = table_of(
        """
version: 1
title: Nested
sections:
  - rounds: 2
    steps:
      - rounds: 3
        steps:
          - {name: In, slot: 4s, say: In}
"""
    )
    # The inner round goes 2, 3, 1, 2, 3: no range says that.
    assert lines[3].startswith("  0:04.0  In (round n of 3)  ")
    assert what_and_duration(lines[3]).endswith(
        cells("as the section above, 5 times more, 4.0 s each", 20_000)
    )
