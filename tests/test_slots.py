"""Inside a slot: words at times (``at``), counting up, and the metronome (``tick_every``):
read with located errors (routine/slots.py), laid out to the millisecond and checked for
overlaps (plan/slots.py, layout.Layout.slot)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml
from audio_utils import decode
from plan_utils import measure, routine, voice_track_tiles
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.errors import PlanError, Problem, RoutineError
from voiceguide.plan.bedtime import Pacing
from voiceguide.plan.layout import Layout
from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.session import Context
from voiceguide.plan.table import timeline_table
from voiceguide.routine.loader import load_routine, load_routine_text
from voiceguide.routine.model import (
    FROM_END,
    FROM_START,
    MIDDLE,
    Pause,
    Place,
    Sides,
    Slot,
    SlotWords,
)
from voiceguide.routine.schema import json_schema

PLANK = (
    "  - name: Side plank\n"  # line 4
    "    slot: 30s\n"
    "    say: Side plank on your right.\n"
    "    at:\n"
    "      5s: Hips high.\n"  # line 8
    "      half: Switch sides.\n"
    "      -10s: Ten seconds left.\n"
)


def _load(items: str, path: str = "slots.yaml"):
    return load_routine_text("version: 1\ntitle: Slots\nsections:\n" + items, path)


def _problems(items: str) -> list[str]:
    with pytest.raises(RoutineError) as error:
        _load(items)
    return [str(problem) for problem in error.value.problems]


def _said(timeline) -> list[tuple[int, str]]:
    return [(event.start_ms, event.text) for event in timeline.speech()]


# -- reading ----------------------------------------------------------------------------------


def test_at_words_are_read_with_where_each_was_written():
    [slot] = _load(PLANK).items
    assert slot.at == (
        SlotWords(FROM_START, 5000, "Hips high."),
        SlotWords(MIDDLE, 0, "Switch sides."),
        SlotWords(FROM_END, 10_000, "Ten seconds left."),
    )
    assert [words.place for words in slot.at] == [
        Place("slots.yaml", 8, 7, "sections[0].at.5s"),
        Place("slots.yaml", 9, 7, "sections[0].at.half"),
        Place("slots.yaml", 10, 7, "sections[0].at.-10s"),
    ]


def test_times_not_inside_the_slot_are_located_errors():
    help_text = (
        "write a time from the slot's start such as 15s or 0:15, half for its middle, or "
        "-10s for ten seconds before its end"
    )
    assert _problems(
        "  - slot: 10s\n"
        "    at:\n"
        "      soon: A.\n"
        "      0s: B.\n"
        "      10s: C.\n"
        "      -10s: D.\n"
        "      1m: E.\n"
        "      -0s: F.\n"
        "      3s: G.\n"
        "      0:03: H.\n"
    ) == [
        f"slots.yaml:6:7: sections[0].at.soon: 'soon' is not a time in the slot: {help_text}",
        "slots.yaml:7:7: sections[0].at.0s: '0s' is the slot's start, where its say is "
        "spoken: put these words in say",
        "slots.yaml:8:7: sections[0].at.10s: is at or after the end of the 10 s slot: give "
        "a time before 10s (or one before its end, such as -5s)",
        "slots.yaml:9:7: sections[0].at.-10s: is at or before the start of the 10 s slot: "
        "give less than 10s before its end",
        "slots.yaml:10:7: sections[0].at.1m: is at or after the end of the 10 s slot: give "
        "a time before 10s (or one before its end, such as -5s)",
        "slots.yaml:11:7: sections[0].at.-0s: '-0s' is the slot's end: give a time before "
        "it, such as -5s",
        "slots.yaml:13:7: sections[0].at.0:03: is the same time (0:03.0) as the words on "
        "line 12: say both in one text",
    ]


def test_at_is_a_mapping_of_speakable_text_with_the_block_s_placeholders():
    assert _problems(
        "  - {slot: 10s, at: [5s, Go.]}\n"
        "  - {slot: 10s, at: {5s: '{side} now'}}\n"
        "  - {slot: 10s, at: {5s: '...'}}\n"
        "  - {slot: 10s, at: {}}\n"
    ) == [
        "slots.yaml:4:21: sections[0].at: expected times and the words to say at them, such "
        "as '15s: Switch sides.', got a list",
        "slots.yaml:5:26: sections[1].at.5s: {side} is only known inside a for_each_side block",
        "slots.yaml:6:26: sections[2].at.5s: has nothing to say (no letter or digit, only "
        "punctuation, symbols or invisible characters), so the voice would be silent: write "
        "words, or leave the key out",
        "slots.yaml:7:21: sections[3].at: expected times and the words to say at them, such "
        "as '15s: Switch sides.', got nothing",
    ]


def test_count_up_is_not_with_a_countdown_nor_over_a_minute():
    assert _problems(
        "  - {slot: 10s, count_up: true, countdown: 3}\n  - {slot: 61s, count_up: true}\n"
    ) == [
        "slots.yaml:4:27: sections[0].count_up: a slot counts up or counts down, not both: "
        "remove count_up or countdown",
        "slots.yaml:5:27: sections[1].count_up: counting up a 61 s slot would say 61 numbers: "
        "count up slots of 60 s or less (split a longer one)",
    ]


def test_a_metronome_ticks_no_faster_than_its_cue_rings():
    assert _problems(
        "  - {slot: 10s, tick_every: 250ms}\n  - {slot: 10s, tick_every: 1s, tick_cue: chime}\n"
    ) == [
        "slots.yaml:4:29: sections[0].tick_every: '250ms' is too often: a tick takes 0.3 s "
        "to ring, so make it 0.3s or longer",
        "slots.yaml:5:29: sections[1].tick_every: '1s' is too often: a chime takes 1.2 s to "
        "ring, so make it 1.2s or longer",
    ]
    [slot] = _load("  - {slot: 10s, tick_every: 300ms}\n").items
    assert (slot.tick_every_ms, slot.tick_cue, slot.tick_count) == (300, "tick", 34)


@pytest.mark.parametrize(
    ("time", "editors_accept"),
    [("15s", True), ("0:15", True), ("half", True), ("-10s", True), ("2.5s", True),
     ("soon", False), ("15", False), ("--5s", False), ("half time", False)],
)  # fmt: skip
def test_the_json_schema_knows_the_times_the_loader_reads(time: str, editors_accept: bool):
    document = yaml.safe_load(
        f"version: 1\ntitle: t\nsections:\n  - slot: 30s\n    at: {{'{time}': Go.}}\n"
    )
    errors = list(jsonschema.Draft202012Validator(json_schema()).iter_errors(document))
    assert (not errors) == editors_accept
    assert (not _read_problems(document)) == editors_accept


def _read_problems(document: dict) -> list[str]:
    try:
        load_routine_text(yaml.safe_dump(document), "schema.yaml")
    except RoutineError as error:
        return [str(problem) for problem in error.problems]
    return []


# -- laying out -------------------------------------------------------------------------------


def test_at_words_start_exactly_at_their_times():
    timeline = plan(_load("  - pause: 5s\n" + PLANK), measure)
    assert _said(timeline) == [
        (5000, "Side plank on your right."),
        (5000 + 5000, "Hips high."),
        (5000 + 15_000, "Switch sides."),
        (5000 + 20_000, "Ten seconds left."),
    ]
    assert timeline.total_ms == 35_000
    voice_track_tiles(timeline)


def test_a_stretch_slot_scales_times_from_its_start_and_keeps_those_before_its_end():
    [slot] = _load(PLANK + "    stretch: true\n").items
    timeline = plan(routine(slot), measure, Settings(pace=0.5))
    assert timeline.total_ms == 60_000
    assert _said(timeline)[1:] == [
        (10_000, "Hips high."),  # 5 s of 30 scaled to 60
        (30_000, "Switch sides."),  # the middle
        (50_000, "Ten seconds left."),  # still 10 s before the end
    ]


def test_count_up_says_a_number_at_each_whole_second():
    breath = Slot(None, "In", 4500, count_up=True)
    assert _said(plan(routine(breath), measure)) == [
        (0, "In"),
        (1000, "2"),
        (2000, "3"),
        (3000, "4"),
    ]
    silent = replace(breath, say=None, slot_ms=4000)
    assert _said(plan(routine(silent), measure)) == [
        (0, "1"),
        (1000, "2"),
        (2000, "3"),
        (3000, "4"),
    ]
    stretched = replace(breath, slot_ms=4000, stretch=True)
    assert _said(plan(routine(stretched), measure, Settings(pace=0.5))) == [
        (0, "In"),
        (2000, "2"),
        (4000, "3"),
        (6000, "4"),
    ]


def test_a_number_that_overruns_its_second_is_reported_like_any_slot_overrun():
    slow = Slot("Breathe", "Breathe in slowly now", 3000, count_up=True)
    with pytest.raises(PlanError) as error:
        plan(routine(slow), measure)
    over_ms = measure("Breathe in slowly now", 150) - 1000
    assert str(error.value) == (
        f"Test: 'Breathe': speech runs {over_ms / 1000:.1f} s past its place in the 3.0 s "
        "slot: shorten the text, lengthen the slot, or raise voice.rate"
    )


def test_the_metronome_ticks_from_the_start_into_the_last_seconds():
    breath = Slot(None, "In", 4000, count_up=True, tick_every_ms=1000)
    timeline = plan(routine(breath, Pause(2000)), measure)
    assert [(cue.start_ms, cue.cue) for cue in timeline.cues()] == [
        (0, "tick"),
        (1000, "tick"),
        (2000, "tick"),
        (3000, "tick"),
    ]
    assert timeline.total_ms == 6000
    stretched = replace(breath, stretch=True)
    cues = plan(routine(stretched), measure, Settings(pace=0.5)).cues()
    assert [cue.start_ms for cue in cues] == [0, 2000, 4000, 6000]


def test_ticks_ring_out_inside_their_slot_and_never_lengthen_the_session():
    # A tick takes 0.3 s to ring: one at 0.9 s of a 1 s slot would ring past its end.
    fast = Slot(None, None, 1000, tick_every_ms=300)
    timeline = plan(routine(fast), measure)
    assert [cue.start_ms for cue in timeline.cues()] == [0, 300, 600]
    assert timeline.total_ms == 1000
    # A gong takes 2.5 s: the one at 5 s of a 6 s slot is left out.
    gongs = Slot(None, None, 6000, tick_every_ms=2500, tick_cue="gong")
    timeline = plan(routine(gongs), measure)
    assert [cue.start_ms for cue in timeline.cues()] == [0, 2500]
    assert timeline.total_ms == 6000


def test_a_pause_ticks_too_its_interval_stretching_with_it():
    [pause] = _load("  - {pause: 6s, tick_every: 2s, tick_cue: bell}\n").items
    assert (pause.tick_every_ms, pause.tick_cue, pause.tick_count) == (2000, "bell", 3)
    timeline = plan(routine(Pause(3000, tick_every_ms=1000)), measure, Settings(pace=0.5))
    assert [cue.start_ms for cue in timeline.cues()] == [0, 2000, 4000]
    assert timeline.total_ms == 6000
    assert _problems(
        "  - {pause: 3s, tick_every: 1s, tick_cue: bell}\n  - {pause: 3s, tick_every: 0.1s}\n"
    ) == [
        "slots.yaml:4:29: sections[0].tick_every: '1s' is too often: a bell takes 1.5 s to "
        "ring, so make it 1.5s or longer",
        "slots.yaml:5:29: sections[1].tick_every: '0.1s' is too often: a tick takes 0.3 s "
        "to ring, so make it 0.3s or longer",
    ]


def test_sides_with_a_metronome_stay_equal():
    block = Sides(
        ("right", "left"),
        (Slot(None, "Hold your {side} arm.", 5000, tick_every_ms=1000),),
        switch_cue=None,
    )
    timeline = plan(routine(block), measure)
    assert [cue.start_ms for cue in timeline.cues()] == [0, 1000, 2000, 3000, 4000] + [
        5000 + t for t in (0, 1000, 2000, 3000, 4000)
    ]
    assert timeline.total_ms == 10_000


def test_speech_before_the_slot_s_say_is_in_its_time():
    """What a block's announce inside the slot it introduces will use."""
    slot = Slot(None, "Plank.", 20_000, at=(SlotWords(FROM_START, 10_000, "Halfway."),))
    layout = Layout(routine(slot), measure, Pacing(1.0, 1.0, 150), bedtime=False)
    session = layout.new_session()
    layout.slot(session, slot, Context(), 1.0, before=("Round 1.",))
    said = [(e.start_ms, e.text) for e in session.events if e.kind == "speech"]
    round_ms = measure("Round 1.", 150)
    assert said == [(0, "Round 1."), (round_ms, "Plank."), (10_000, "Halfway.")]
    assert session.t == 20_000
    # Counting up with no say of its own, the slot still says "1" after what comes before.
    counted = Slot(None, None, 3000, count_up=True)
    session = layout.new_session()
    layout.slot(session, counted, Context(), 1.0, before=("Go.",))
    said = [(e.start_ms, e.text) for e in session.events if e.kind == "speech"]
    assert said == [(0, "Go."), (measure("Go.", 150), "1"), (1000, "2"), (2000, "3")]


# -- overlaps: located errors from plan -------------------------------------------------------


def test_words_over_the_opening_are_a_located_error_naming_both():
    [slot] = _load(
        "  - name: Side plank\n"
        "    slot: 30s\n"
        "    say: Side plank on your right, hips high.\n"
        "    at: {1s: Switch sides.}\n",
        "plank.yaml",
    ).items
    with pytest.raises(RoutineError) as error:
        plan(routine(slot), measure)
    until_ms = measure("Side plank on your right, hips high.", 150)
    assert error.value.problems == [
        Problem(
            "plank.yaml",
            7,
            10,
            "sections[0].at.1s",
            f"'Switch sides.' at 0:01 would start while 'Side plank on your right, hips high.' "
            f"is still being said (until 0:0{until_ms / 1000:.1f}): move one of them, "
            "shorten the words, or raise voice.rate",
        )
    ]


def test_words_over_the_countdown_or_past_the_end_are_located_at_the_at_entry():
    items = (
        "  - slot: 20s\n"
        "    countdown: 3\n"
        "    at:\n"
        "      16.5s: Almost there, keep going.\n"  # line 7, still said at 17 s
        "  - slot: 10s\n"
        "    at: {-1s: Finish strong now.}\n"  # line 9, still said at 10 s
    )
    with pytest.raises(RoutineError) as error:
        plan(_load(items), measure)
    almost_end = 16_500 + measure("Almost there, keep going.", 150)
    finish_end = 9000 + measure("Finish strong now.", 150)
    assert [str(problem) for problem in error.value.problems] == [
        "slots.yaml:7:7: sections[0].at.16.5s: '3' at 0:17 would start while 'Almost there, "
        f"keep going.' is still being said (until 0:{almost_end / 1000:04.1f}): move one of "
        "them, shorten the words, or raise voice.rate",
        "slots.yaml:9:10: sections[1].at.-1s: 'Finish strong now.' at 0:09 runs past the end "
        f"of the 10 s slot (until 0:{finish_end / 1000:04.1f}): say it earlier, shorten the "
        "words, or raise voice.rate",
    ]


def test_words_over_the_start_cue_say_so():
    words = SlotWords(FROM_START, 1000, "Go.", Place("s.yaml", 5, 7, "sections[0].at.1s"))
    slot = Slot(None, None, 10_000, start_cue="bell", at=(words,))
    with pytest.raises(RoutineError) as error:
        plan(routine(slot), measure)
    assert error.value.problems[0].message == (
        "'Go.' at 0:01 would start while the start cue rings (until 0:01.5): move one of "
        "them, shorten the words, or raise voice.rate"
    )


def test_a_stretch_slot_shrunk_past_a_time_before_its_end_says_it_after_the_opening():
    words = SlotWords(FROM_END, 25_000, "Five seconds in.", Place("s.yaml", 5, 7, "k"))
    slot = Slot(None, "Go.", 30_000, stretch=True, at=(words,))
    with pytest.raises(RoutineError) as error:  # at pace 2 the slot lasts 15 s
        plan(routine(slot), measure, Settings(pace=2.0))
    assert error.value.problems[0].message.startswith(
        "'Five seconds in.' at 0:00 would start while 'Go.' is still being said"
    )


def test_an_overlap_is_located_in_the_file_that_wrote_it():
    """Items may come from an included file: the place is the entry's, not the routine's."""
    place = Place("warm-up.yaml", 12, 9, "sections[0].at.1s")
    words = SlotWords(FROM_START, 1000, "Now.", place)
    slot = Slot(None, "A long opening sentence to say.", 10_000, at=(words,))
    with pytest.raises(RoutineError) as error:
        plan(routine(slot, source="main.yaml"), measure)
    [problem] = error.value.problems
    assert (problem.path, problem.line, problem.column, problem.key) == (
        "warm-up.yaml",
        12,
        9,
        "sections[0].at.1s",
    )


def test_at_words_fill_placeholders():
    block = Sides(
        ("right", "left"),
        (Slot(None, "Hold.", 10_000, at=(SlotWords(MIDDLE, 0, "Now your {side} hand."),)),),
        switch_cue=None,
    )
    assert [s for s in _said(plan(routine(block), measure)) if "hand" in s[1]] == [
        (5000, "Now your right hand."),
        (15_000, "Now your left hand."),
    ]


# -- the plan's table -------------------------------------------------------------------------


def test_the_table_shows_a_slot_s_metronome_in_one_row():
    breath = Slot("Breathe in", "In", 4000, count_up=True, tick_every_ms=1000)
    lines = timeline_table(plan(routine(breath), measure)).splitlines()
    ticks = [line for line in lines if "(tick)" in line]
    assert ticks == ["  0:00.0  Breathe in        (tick) every 1 s, 4 times"]
    assert [line.split('"')[1] for line in lines if '"' in line] == ["In", "2, 3, 4"]
    assert 'counting "2, 3, 4"' in lines[-2]  # the numbers said a second apart, in one row


def test_the_docs_example_plans_as_the_docs_say():
    docs = (Path(__file__).parents[1] / "docs" / "routine-format.md").read_text()
    start = docs.index("```yaml\nversion: 1\ntitle: Side plank") + len("```yaml\n")
    timeline = plan(load_routine_text(docs[start : docs.index("```", start)]), measure)
    assert _said(timeline) == [
        (0, "Side plank on your right."),
        (5000, "Keep your hips high."),
        (15_000, "Switch to your left side."),
        (20_000, "Ten seconds left."),
        (30_000, "In"),
        (31_000, "2"),
        (32_000, "3"),
        (33_000, "4"),
    ]
    assert [cue.start_ms for cue in timeline.cues()] == [30_000, 31_000, 32_000, 33_000]


# -- rendered: the real engine and ffmpeg -----------------------------------------------------

BREATHING = """version: 1
title: Breathing
sections:
  - {name: Breathe in, slot: 4s, say: In, count_up: true, tick_every: 1s}
  - {name: Hold, slot: 4s, tick_every: 1s}
  - {name: Breathe out, slot: 4s, say: Out, count_up: true}
"""
RATE_HZ = 44_100
ONSET_TOLERANCE_MS = 20  # DESIGN.md: every event within 20 ms of its planned time (measured: 3)
QUIET = 10 ** (-40 / 20)  # speech and ticks are far above -40 dBFS within their first ms


def _onset_ms(mono: np.ndarray, planned_ms: int) -> float:
    """The first sound within 250 ms either side of ``planned_ms``, after a quiet 150 ms."""
    first = (planned_ms - 250) * RATE_HZ // 1000
    window = mono[max(first, 0) : (planned_ms + 250) * RATE_HZ // 1000]
    loud = np.flatnonzero(np.abs(window) >= QUIET)
    assert len(loud), f"nothing heard near {planned_ms} ms"
    found_ms = (max(first, 0) + int(loud[0])) * 1000 / RATE_HZ
    before = mono[max(int((found_ms - 150) * RATE_HZ / 1000), 0) : int(found_ms * RATE_HZ / 1000)]
    assert np.all(np.abs(before) < QUIET), f"sound before the onset near {planned_ms} ms"
    return found_ms


def test_a_counted_breath_with_a_metronome_renders_on_its_seconds(tmp_path):
    routine_path = tmp_path / "breathing.yaml"
    routine_path.write_text(BREATHING)
    out = tmp_path / "breathing.mp3"
    run = CliRunner().invoke(
        app, ["render", str(routine_path), "-o", str(out), "--background", "none"]
    )
    assert run.exit_code == 0, run.output
    mono = decode(out, RATE_HZ).mean(axis=1)
    assert abs(len(mono) * 1000 / RATE_HZ - 12_000) <= 50  # the ticks add no time
    # In, 2, 3, 4 with a tick on each; then ticks alone; then Out, 2, 3, 4 alone.
    for planned_ms in range(0, 12_000, 1000):
        assert abs(_onset_ms(mono, planned_ms) - planned_ms) <= ONSET_TOLERANCE_MS, planned_ms
    # The hold's ticks are short clicks, not words: quiet again 150 ms after each one.
    for planned_ms in range(4000, 8000, 1000):
        after = mono[(planned_ms + 150) * RATE_HZ // 1000 : (planned_ms + 900) * RATE_HZ // 1000]
        assert np.all(np.abs(after) < QUIET), planned_ms


def test_ticks_never_ring_over_each_other_however_fast_the_pace():
    loaded = _load("  - {slot: 3s, stretch: true, tick_every: 0.3s}\n")
    for pace in (1.0, 1.5, 2.0):
        ticks = [e.start_ms for e in plan(loaded, measure, Settings(pace=pace)).cues()]
        assert ticks and all(b - a >= 300 for a, b in itertools.pairwise(ticks))
    assert len(plan(loaded, measure, Settings(pace=1.0)).cues()) == 10


def test_a_file_as_the_metronome_s_cue_loads(tmp_path):
    (tmp_path / "wood.wav").write_bytes(b"RIFF")  # read only when planning or rendering
    routine_path = tmp_path / "r.yaml"
    routine_path.write_text(
        "version: 1\ntitle: T\nsections:\n"
        "  - {slot: 4s, tick_every: 1s, tick_cue: {file: wood.wav}}\n"
    )
    [slot] = load_routine(routine_path).items
    assert slot.tick_cue == str(tmp_path / "wood.wav")
