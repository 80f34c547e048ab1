"""Laying a routine out: what each item kind sounds like and how long, on the Timeline."""

from dataclasses import replace

import pytest
from plan_utils import (
    massage,
    measure,
    routine,
    side_durations,
    voice_track_tiles,
)

from voiceguide.errors import PlanError
from voiceguide.plan.gaps import close_cue_note, close_cues
from voiceguide.plan.layout import CUE_BREATH
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine.model import (
    FROM_END,
    ForEach,
    Pause,
    Rounds,
    Routine,
    Sides,
    Slot,
    SlotWords,
    Step,
)


def test_step_says_then_repeats_then_rests():
    step = Step(
        name="Stroke",
        say="Stroke.",
        repeat=3,
        min_repeat=3,
        max_repeat=3,
        each_ms=8000,
        count=True,
        repeat_cue="tick",
        rest_ms=3000,
    )
    timeline = plan(routine(step), measure)
    kinds = [(e.kind, e.text or e.cue) for e in timeline.events]
    assert kinds == [
        ("speech", "Stroke."),
        ("silence", "breath"),
        ("cue", "tick"),
        ("speech", "1"),
        ("silence", "repetition 1 of 3"),
        ("cue", "tick"),
        ("speech", "2"),
        ("silence", "repetition 2 of 3"),
        ("cue", "tick"),
        ("speech", "3"),
        ("silence", "repetition 3 of 3"),
        ("silence", "rest"),
    ]
    assert [e.duration_ms for e in timeline.events if e.elastic] == [8000] * 3 + [3000]
    assert timeline.total_ms == measure("Stroke.", 150) + 700 + 3 * measure("1", 150) + 27_000
    voice_track_tiles(timeline)


def test_start_cue_takes_its_lead_before_the_narration():
    timeline = plan(routine(Step(say="Begin.", start_cue="bell")), measure)
    cue, lead, speech = timeline.events
    assert (cue.kind, cue.cue, cue.start_ms) == ("cue", "bell", 0)
    assert (lead.kind, lead.duration_ms) == ("silence", 1500)
    assert (speech.start_ms, speech.text) == (1500, "Begin.")


def test_each_side_gets_equal_time_and_its_own_chapters():
    block = Sides(
        sides=("right", "left"),
        announce="Your {side} arm.",
        name="{side} arm",
        items=(
            Step(
                name="Circles",
                say="Circle the {side} wrist.",
                repeat=2,
                min_repeat=2,
                max_repeat=2,
                each_ms=5000,
            ),
        ),
    )
    timeline = plan(routine(block), measure)
    durations = side_durations(timeline)
    assert durations["right"] == durations["left"]  # "right" is longer to say than "left"
    assert [(c.title, c.side) for c in timeline.chapters] == [
        ("Right arm", "right"),
        ("Circles (right)", "right"),
        ("Left arm", "left"),
        ("Circles (left)", "left"),
    ]
    spoken = [e.text for e in timeline.speech()]
    assert spoken == [
        "Your right arm.",
        "Circle the right wrist.",
        "Your left arm.",
        "Circle the left wrist.",
    ]
    assert [e.cue for e in timeline.cues()] == ["chime"]  # only at the switch
    voice_track_tiles(timeline)


def test_rounds_fill_placeholders_and_rest_only_between_rounds():
    block = Rounds(
        rounds=3,
        announce="Round {round} of {rounds}.",
        rest_ms=10_000,
        items=(Pause(duration_ms=4000),),
    )
    timeline = plan(routine(block), measure)
    assert [e.text for e in timeline.speech()] == [
        "Round 1 of 3.",
        "Round 2 of 3.",
        "Round 3 of 3.",
    ]
    assert [e.text for e in timeline.events if e.kind == "silence"] == [
        "pause",
        "rest between rounds",
        "pause",
        "rest between rounds",
        "pause",
    ]


def test_slot_keeps_exact_time_with_countdown_on_the_last_seconds():
    slot = Slot(name="Plank", say="Plank. Hold it.", slot_ms=30_000, countdown=3, end_cue="bell")
    for pace in (0.5, 1.0, 2.0):
        timeline = plan(routine(slot, Pause(duration_ms=5000)), measure, Settings(pace=pace))
        countdown = [(e.text, e.start_ms) for e in timeline.speech()][2:]  # after 2 sentences
        assert countdown == [("3", 27_000), ("2", 28_000), ("1", 29_000)]
        assert [(e.cue, e.start_ms) for e in timeline.cues()] == [("bell", 30_000)]
        assert timeline.voice_track()[-1].start_ms == 30_000  # the pause starts as the slot ends
        assert timeline.total_ms == 30_000 + round(5000 / pace)  # only the pause follows pace


def test_stretch_slot_follows_pace():
    slot = Slot(name="Hold", say="Hold.", slot_ms=30_000, stretch=True)
    assert plan(routine(slot), measure, Settings(pace=0.5)).total_ms == 60_000


def test_narration_longer_than_its_slot_is_reported_not_cut():
    slot = Slot(
        name="Quick", say="This narration is far too long for a two second slot.", slot_ms=2000
    )
    with pytest.raises(PlanError) as error:
        plan(routine(slot), measure)
    over_ms = measure(slot.say, 150) - 2000
    assert error.value.lines() == [
        f"Test: 'Quick': speech runs {over_ms / 1000:.1f} s past its place in the 2.0 s slot: "
        "shorten the text, lengthen the slot, or raise voice.rate"
    ]


def test_an_unnamed_item_after_rounds_goes_back_to_the_chapter_around_them():
    rounds = Rounds(rounds=2, items=(Step(name="Plank", say="Plank."),))
    timeline = plan(
        routine(Step(name="Start", say="Go."), rounds, Pause(duration_ms=3000)), measure
    )
    assert [c.title for c in timeline.chapters] == [
        "Start",
        "Plank (round 1 of 2)",
        "Plank (round 2 of 2)",
        "Start",
    ]


def test_a_cue_ringing_past_the_last_side_is_that_side_s_time_and_every_side_s():
    # Hypothesis found this one: at pace 2 a repetition lasts 250 ms and its tick rings for
    # 300. The first side's tick rang out under the settle silence, the last side's under a
    # ring-out silence of its own, so the left side lasted 50 ms longer (3021 and 3071 ms).
    step = Step(say="a", repeat=1, min_repeat=1, max_repeat=1, each_ms=500)
    block = Sides(
        ("right", "left"),
        (replace(step, repeat_cue="tick"),),
        announce="Now {side}.",
    )
    timeline = plan(routine(step, block), measure, Settings(pace=2.0))
    assert side_durations(timeline) == {"right": 3071, "left": 3071}
    spans = {c.side: c.end_ms - c.start_ms for c in timeline.chapters if c.side}
    assert spans == {"right": 3071, "left": 3071}
    assert timeline.chapters[-1].end_ms == timeline.total_ms
    voice_track_tiles(timeline)


def test_ring_every_rings_during_a_long_pause_and_a_slot_not_at_their_ends():
    items = (
        Step(say="Rest now."),
        Pause(900_000, name="Rest", ring_every_ms=300_000, ring_cue="bell"),
        Slot(name="Hold", say="Hold.", slot_ms=600_000, ring_every_ms=300_000, ring_cue="tick"),
    )
    timeline = plan(Routine(title="Rings", items=items), measure)
    pause = next(e for e in timeline.events if e.text == "pause")
    rings = [(e.start_ms - pause.start_ms, e.cue) for e in timeline.cues()]
    slot_start = pause.end_ms - pause.start_ms
    assert rings == [
        (300_000, "bell"),
        (600_000, "bell"),  # not at 900 000: the pause ends there
        (slot_start + 300_000, "tick"),
    ]


def test_end_cue_rings_after_the_last_word_and_takes_its_time():
    timeline = plan(massage(end_cue="gong"), measure)
    gong = timeline.cues()[-1]
    assert gong.cue == "gong" and gong.start_ms == timeline.speech()[-1].end_ms + 800
    assert timeline.total_ms == gong.start_ms + 2500


def test_a_list_runs_its_steps_per_entry_and_between_only_between_entries():
    block = ForEach(
        ({"item": "push-ups", "tip": "fast"}, {"item": "plank", "tip": "still"}),
        (Slot(None, "{index} of {count}: {item}, {tip}.", 30_000),),
        between=(Slot("Rest", "Rest. Next: {next}.", 10_000, countdown=3),),
    )
    timeline = plan(routine(block), measure)
    assert [e.text for e in timeline.speech()] == [
        "1 of 2: push-ups, fast.",
        "Rest.",
        "Next: plank.",
        "3",
        "2",
        "1",
        "2 of 2: plank, still.",
    ]
    assert timeline.total_ms == 70_000  # 30 s, 10 s of rest, 30 s: no rest after the last
    assert [(c.title, c.start_ms) for c in timeline.chapters] == [
        ("Push-ups", 0),
        ("Rest (push-ups)", 30_000),
        ("Plank", 40_000),
    ]
    assert not timeline.cues()  # a list makes no sound of its own unless asked


def test_text_saying_next_is_left_out_in_the_last_entry():
    block = ForEach(
        ({"item": "a"}, {"item": "b"}), (Step(say="{item}. Then {next}."), Step(say="Go."))
    )
    timeline = plan(routine(block), measure)
    assert [e.text for e in timeline.speech()] == ["a.", "Then b.", "Go.", "Go."]


def test_an_announce_inside_the_first_slot_keeps_a_grid_exact():
    slots = (Slot(None, "Work.", 20_000, countdown=3), Slot(None, "Rest.", 10_000))
    inside = Rounds(3, slots, announce="Round {round}.", announce_in_slot=True)
    before = Rounds(3, slots, announce="Round {round}.")
    timeline = plan(routine(inside), measure)
    assert timeline.total_ms == 90_000
    starts = [e.start_ms for e in timeline.speech() if e.text.startswith("Round")]
    assert starts == [0, 30_000, 60_000]  # each at the start of its round's first slot
    assert [e.start_ms for e in timeline.speech() if e.text == "Work."] == [
        measure("Round 1.", 150),
        30_000 + measure("Round 2.", 150),
        60_000 + measure("Round 3.", 150),
    ]
    assert plan(routine(before), measure).total_ms == 90_000 + 3 * measure("Round 1.", 150)


def test_between_runs_between_rounds_with_its_countdown_never_after_the_last():
    block = Rounds(
        3,
        (Slot(None, "Go.", 20_000),),
        between=(Slot("Rest", "Rest.", 10_000, countdown=3, end_cue="bell"),),
    )
    timeline = plan(routine(block, Step(say="Cool down.")), measure)
    assert [e.start_ms for e in timeline.cues()] == [30_000, 60_000]
    assert [e.text for e in timeline.speech()].count("1") == 2
    assert timeline.speech()[-1].start_ms == 80_000  # 3 rounds of 20 s, 2 rests of 10 s


def test_sides_inside_rounds_and_rounds_inside_sides_keep_sides_equal():
    sides = Sides(("right", "left"), (Step(say="Your {side} hand, round {round}.", each_ms=5000),))
    timeline = plan(routine(Rounds(2, (sides,), name="Round {round}")), measure)
    assert [e.text for e in timeline.speech()] == [
        "Your right hand, round 1.",
        "Your left hand, round 1.",
        "Your right hand, round 2.",
        "Your left hand, round 2.",
    ]
    durations = side_durations(timeline)
    assert durations["right"] == durations["left"]
    inner = Rounds(2, (Step(say="{side} {round}", each_ms=4000),), announce="Round {round}.")
    timeline = plan(routine(Sides(("right", "left"), (inner,))), measure)
    assert len(timeline.speech()) == 8
    durations = side_durations(timeline)
    assert durations["right"] == durations["left"]
    voice_track_tiles(timeline)


def test_words_at_a_time_that_say_next_are_left_out_in_the_last_entry():
    last_seconds = SlotWords(FROM_END, 10_000, "Next up: {next}.")
    block = ForEach(
        ({"item": "a"}, {"item": "b"}), (Slot(None, "{item}.", 30_000, at=(last_seconds,)),)
    )
    timeline = plan(routine(block), measure)
    assert [(e.start_ms, e.text) for e in timeline.speech()] == [
        (0, "a."),
        (20_000, "Next up: b."),
        (30_000, "b."),
    ]
    assert timeline.total_ms == 60_000


def test_a_recording_in_a_slot_takes_the_place_of_its_say_after_the_announce():
    slot = Slot(None, "Breathe in.", 10_000, say_file="/sounds/in.wav", count_up=True)
    block = Rounds(2, (slot,), announce="Round {round}.", announce_in_slot=True)
    timeline = plan(routine(block), measure, sounds={"/sounds/in.wav": 200})
    first = [(e.start_ms, e.text, e.file) for e in timeline.speech() if e.start_ms < 3000]
    announce_ms = measure("Round 1.", 150)
    assert first == [
        (0, "Round 1.", ""),
        (announce_ms, "Breathe in.", "/sounds/in.wav"),
        (1000, "2", ""),
        (2000, "3", ""),
    ]
    assert timeline.total_ms == 20_000


# -- room to breathe before a cue (issue 15) --------------------------------------------------


def gaps_before_cues(timeline) -> list[tuple[str, int]]:
    """Each cue, and how long after the end of the speech before it it starts."""
    found = []
    for cue in timeline.cues():
        before = [e for e in timeline.speech() if e.start_ms < cue.start_ms]
        if before:
            found.append((cue.cue, cue.start_ms - max(e.end_ms for e in before)))
    return found


def test_a_start_cue_right_after_words_waits_a_breath():
    items = (Step(say="Let it rest on the table."), Step(say="Stroke.", start_cue="bell"))
    timeline = plan(routine(*items), measure)
    words, breath, bell, lead, stroke = timeline.events
    assert (breath.kind, breath.text, breath.duration_ms) == ("silence", CUE_BREATH, 800)
    assert (bell.cue, bell.start_ms) == ("bell", words.end_ms + 800)
    assert (lead.duration_ms, stroke.start_ms) == (1500, bell.start_ms + 1500)
    assert not breath.elastic  # fixed time: pace and fitting leave it as it is
    voice_track_tiles(timeline)


def test_elastic_time_before_a_cue_counts_only_as_short_as_fitting_can_make_it():
    def bell_after(rest_ms: int, pace: float = 1.0) -> list:
        first = Step(say="Breathe.", rest_ms=rest_ms)
        timeline = plan(routine(first, Step(say="Go.", start_cue="bell")), measure, Settings(pace))
        return [(e.text, e.duration_ms) for e in timeline.events if e.kind == "silence"]

    # A 3 s rest is at least 1.5 s at any scale: no breath. A 1 s rest can shrink to 0.5 s,
    # so 0.3 s of fixed time is added; at pace 2 the rest can shrink to 0.25 s.
    assert bell_after(3000)[-2:] == [("rest", 3000), ("bell rings", 1500)]
    assert bell_after(1000)[-3:] == [("rest", 1000), (CUE_BREATH, 300), ("bell rings", 1500)]
    assert bell_after(1000, pace=2.0)[-3:-1] == [("rest", 500), (CUE_BREATH, 550)]


def test_fitting_stays_exact_and_cues_keep_their_room_at_every_length_and_pace():
    for pace in (0.5, 1.0, 2.0):
        for length_ms in (180_000, 400_000, 800_000):
            settings = Settings(pace=pace, length_ms=length_ms)
            timeline = plan(massage(end_cue="gong"), measure, settings)
            assert abs(timeline.guided_ms - length_ms) <= 1000, (pace, length_ms)
            durations = side_durations(timeline)
            assert durations["right"] == durations["left"], (pace, length_ms)
            gaps = gaps_before_cues(timeline)
            assert [name for name, _ in gaps] == ["bell", "chime", "bell", "gong"]
            assert min(gap for _, gap in gaps) >= 800, (pace, length_ms, gaps)
            voice_track_tiles(timeline)


def test_a_side_that_ends_as_it_speaks_ends_with_a_breath_before_the_switch_cue():
    # A tick's lead is short: the right side, padded by it alone, rang the tick 0.23 s after
    # its words. The breath is the right side's own time, so the sides stay equal.
    block = Sides(("right", "left"), (Step(say="Squeeze your {side} hand."),), switch_cue="tick")
    timeline = plan(routine(block), measure)
    assert gaps_before_cues(timeline) == [("tick", 800)]
    durations = side_durations(timeline)
    assert durations["right"] == durations["left"]
    right = [e.text for e in timeline.events if timeline.chapters[e.chapter].side == "right"]
    assert right == ["Squeeze your right hand.", CUE_BREATH]
    voice_track_tiles(timeline)


def test_a_list_rings_its_switch_cue_a_breath_after_the_last_entry_s_words():
    block = ForEach(({"item": "a"}, {"item": "b"}), (Step(say="{item}."),), switch_cue="chime")
    timeline = plan(routine(block, Step(say="Done.")), measure, Settings())
    assert gaps_before_cues(timeline) == [("chime", 800)]


def test_the_routine_s_end_cue_and_a_pause_s_first_tick_wait_a_breath():
    items = (Step(say="Tap along."), Pause(4000, tick_every_ms=1000), Step(say="Rest."))
    timeline = plan(routine(*items, end_cue="gong"), measure)
    assert gaps_before_cues(timeline)[0] == ("tick", 800)
    assert gaps_before_cues(timeline)[-1] == ("gong", 800)


def test_a_slot_after_words_breathes_before_its_start_cue_and_keeps_its_time():
    slot = Slot("Plank", "Plank.", 30_000, start_cue="bell", countdown=3, end_cue="bell")
    timeline = plan(routine(Step(say="Get ready."), slot), measure)
    start, end = timeline.cues()
    assert start.start_ms == measure("Get ready.", 150) + 800
    assert end.start_ms - start.start_ms == 30_000  # the slot's time stays exact


def test_a_slot_s_end_stays_exact_and_close_words_are_noted_not_moved():
    # A grid of slots keeps its beat: the next slot's cue rings as the last one ends, even
    # right after its words; a countdown's 1 and the cue a second later are the design.
    last_words = SlotWords(FROM_END, 1000, "Almost.")
    work = Slot("Work", "Work.", 20_000, at=(last_words,), end_cue="bell")
    rest = Slot("Rest", "Rest.", 10_000, start_cue="chime", countdown=3, end_cue="bell")
    timeline = plan(routine(work, rest, Step(say="Done.", start_cue="gong")), measure)
    assert [(e.cue, e.start_ms) for e in timeline.cues()] == [
        ("bell", 20_000),
        ("chime", 20_000),
        ("bell", 30_000),
        ("gong", 30_000),
    ]
    close = close_cues(timeline)
    assert [(c.cue.cue, c.words.text, c.gap_ms) for c in close] == [
        ("bell", "Almost.", 1000 - measure("Almost.", 150)),
        ("chime", "Almost.", 1000 - measure("Almost.", 150)),
    ]
    note = close_cue_note(timeline)
    assert note is not None and note.startswith(
        "note: 2 cues ring less than 0.6 s after the words before them"
    )
    gap_s = (1000 - measure("Almost.", 150)) / 1000
    assert f"the bell at 0:20.0, {gap_s:.1f} s after 'Almost.'" in note
    assert close_cue_note(plan(massage(end_cue="gong"), measure)) is None


def test_an_inner_list_s_last_entry_has_no_next_even_inside_another_list():
    inner = ForEach(({"item": "x"}, {"item": "y"}), (Step(say="{item}, then {next}."),))
    outer = ForEach(({"item": "a"}, {"item": "b"}), (inner,))
    said = [e.text for e in plan(routine(outer), measure).speech()]
    assert said == ["x, then y.", "x, then y."]  # never "y, then b."
