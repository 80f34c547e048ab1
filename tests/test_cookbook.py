"""Every example in docs/cookbook.md loads, plans with real speech and does what the text says."""

import itertools
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
import pytest
import yaml
from audio_utils import decoded_duration_ms, instrument

from voiceguide.pipeline import plan_routine, render_routine
from voiceguide.plan.planner import Settings, plan
from voiceguide.play import chapter_start
from voiceguide.request import RenderRequest
from voiceguide.routine.loader import load_routine_text
from voiceguide.speak import say_text, write_sample
from voiceguide.tts.voices import open_speech

COOKBOOK = Path(__file__).parent.parent / "docs" / "cookbook.md"
TIMING_TOLERANCE_MS = 50  # DESIGN.md: a file's duration equals the plan's total within 50 ms


def examples() -> dict[str, str]:
    """Each ```yaml block of the cookbook, by its title."""
    blocks = [b.split("```", 1)[0] for b in COOKBOOK.read_text().split("```yaml\n")[1:]]
    return {yaml.safe_load(block)["title"]: block for block in blocks}


def planned(title: str, settings: Settings | None = None):
    text = examples()[title]
    if "file:" in text:  # an example with sounds of its own: made beside it
        with tempfile.TemporaryDirectory() as folder:
            return plan_routine(str(with_own_sounds(text, Path(folder))), settings or Settings())
    routine = load_routine_text(text, "cookbook")
    return plan(routine, open_speech(routine).duration_ms, settings)


def with_own_sounds(text: str, folder: Path) -> Path:
    """The example in ``folder`` with the sounds it names: a bowl (a decaying 660 Hz tone
    after a moment of silence) and a welcome recorded by speaking it, as m4a."""
    (folder / "sounds").mkdir()
    rate_hz = 44_100
    seconds = np.arange(2 * rate_hz) / rate_hz
    ring = 0.7 * np.exp(-seconds / 0.6) * np.sin(2 * np.pi * 660 * seconds)
    samples = np.concatenate([np.zeros(rate_hz // 5), ring])
    with wave.open(str(folder / "sounds" / "bowl.wav"), "wb") as bowl:
        bowl.setnchannels(1)
        bowl.setsampwidth(2)
        bowl.setframerate(rate_hz)
        bowl.writeframes((samples * 32767).astype("<i2").tobytes())
    spoken = folder / "welcome.wav"
    write_sample(say_text("Welcome. Settle in and let the day go.", "pyttsx3").clip, spoken)
    subprocess.run(
        [instrument(), "-v", "error", "-i", str(spoken), str(folder / "sounds" / "welcome.m4a")],
        check=True,
    )
    path = folder / "routine.yaml"
    path.write_text(text)
    return path


def test_the_cookbook_has_its_examples():
    assert set(examples()) == {
        "Neck and shoulder stretch",
        "Four seven eight breathing",
        "Hand strength circuit",
        "Bodyweight interval circuit",
        "Box breathing",
        "Hamstring stretch in rounds",
        "Evening wind-down with your own sounds",
    }


@pytest.mark.parametrize("title", sorted(examples()))
def test_example_plans_with_real_speech(title):
    assert planned(title).total_ms > 0


def test_stretch_gives_each_side_the_same_time():
    timeline = planned("Neck and shoulder stretch")
    spans = {}
    for chapter in timeline.chapters:
        if chapter.side:
            start, end = spans.get(chapter.side, (chapter.start_ms, chapter.end_ms))
            spans[chapter.side] = (min(start, chapter.start_ms), max(end, chapter.end_ms))
    right, left = (end - start for start, end in (spans["right"], spans["left"]))
    assert right == left
    assert slot_lengths(timeline, "Ear to shoulder") == [20_000, 20_000]


@pytest.mark.parametrize("pace", [1.0, 0.8])
def test_breathing_phases_start_exactly_on_time(pace):
    """In 4 s, hold 7 s, out 8 s: every cycle 19 s after the last, whatever the pace."""
    timeline = planned("Four seven eight breathing", Settings(pace=pace))
    starts = {c.title: c.start_ms for c in timeline.chapters}
    first_ms = starts["Breathe in (round 1 of 4)"]
    for cycle in range(4):
        begin_ms = first_ms + cycle * 19_000
        assert starts[f"Breathe in (round {cycle + 1} of 4)"] == begin_ms
        assert starts[f"Hold (round {cycle + 1} of 4)"] == begin_ms + 4_000
        assert starts[f"Breathe out (round {cycle + 1} of 4)"] == begin_ms + 11_000
    assert starts["Closing"] == first_ms + 4 * 19_000
    phase_words = {"In through the nose.", "Hold.", "Out through the mouth."}
    spoken = [e for e in timeline.speech() if e.text in phase_words]
    assert [e.start_ms for e in spoken] == sorted(starts[t] for t in starts if "round" in t)


def test_breathing_renders_to_the_planned_length(tmp_path):
    path = tmp_path / "breathing.yaml"
    path.write_text(examples()["Four seven eight breathing"])
    request = RenderRequest(
        routine=str(path), out_path=tmp_path / "breathing.wav", format="wav", channels=1
    )
    report = render_routine(request)
    total_ms = planned("Four seven eight breathing").total_ms
    assert abs(decoded_duration_ms(report.path) - total_ms) <= TIMING_TOLERANCE_MS


def test_circuit_has_a_chapter_per_round_and_play_can_start_at_one():
    timeline = planned("Hand strength circuit")
    titles = [c.title for c in timeline.chapters]
    assert [t for t in titles if t.startswith("Round")] == ["Round 1", "Round 2", "Round 3"]
    rests = [e for e in timeline.voice_track() if e.text == "rest between rounds"]
    assert len(rests) == 2
    assert chapter_start(timeline, "round 3")[1] == "Round 3"
    fitted = planned("Hand strength circuit", Settings(length_ms=8 * 60_000))
    assert abs(fitted.total_ms - 8 * 60_000) <= 1000
    assert slot_lengths(timeline, "Hold the squeeze") == [15_000] * 3
    assert slot_lengths(fitted, "Hold the squeeze") == [15_000] * 3  # fitting leaves slots


def slot_lengths(timeline, title: str) -> list[int]:
    """From each slot's start (its chapter's) to the cue that rings as it ends."""
    return [
        cue.start_ms - chapter.start_ms
        for index, chapter in enumerate(timeline.chapters)
        if chapter.title.startswith(title)
        for cue in timeline.cues()
        if cue.chapter == index
    ]


def test_interval_circuit_keeps_a_60_s_grid_and_rests_only_between_exercises():
    timeline = planned("Bodyweight interval circuit")
    starts = [c.start_ms for c in timeline.chapters if c.title[0] in "JWPSL"]
    assert len(starts) == 6
    assert all(b - a == 60_000 for a, b in itertools.pairwise(starts))
    rests = [c for c in timeline.chapters if c.title.startswith("Rest")]
    assert len(rests) == 5 and all(c.end_ms - c.start_ms == 20_000 for c in rests)
    said = [e.text for e in timeline.speech()]
    assert said.count("Next, lunges.") == 1 and "jumping jacks." in said
    halfway = [e.start_ms for e in timeline.speech() if e.text == "Halfway."]
    assert halfway == [start + 20_000 for start in starts]
    cool_down = next(c for c in timeline.chapters if c.title == "Cool-down")
    assert cool_down.start_ms == starts[-1] + 40_000


@pytest.mark.parametrize("minutes", [3, 5, 9])
def test_box_breathing_fits_a_length_by_whole_cycles_of_exact_sides(minutes):
    timeline = planned("Box breathing", Settings(length_ms=minutes * 60_000))
    assert abs(timeline.total_ms - minutes * 60_000) <= 1000 and not timeline.target_missed
    ins = [c.start_ms for c in timeline.chapters if c.title.startswith("In (")]
    assert all(b - a == 16_000 for a, b in itertools.pairwise(ins))
    first_breath = [e for e in timeline.speech() if 0 <= e.start_ms - ins[0] < 4000]
    counts = [(e.start_ms - ins[0], e.text) for e in first_breath]
    assert [at for at, _ in counts] == [0, 1000, 2000, 3000]
    assert [text for _, text in counts] == ["In", "2", "3", "4"]
    settle = timeline.voice_track()
    assert len(ins) >= minutes * 60 // 16 - 2  # cycles added, not the pause stretched far
    assert any(e.text == "pause" and 5000 <= e.duration_ms <= 20_000 for e in settle)


def test_nested_stretch_gives_each_side_the_same_time_in_every_round():
    timeline = planned("Hamstring stretch in rounds")
    round_starts = {c.title: c.start_ms for c in reversed(timeline.chapters)}  # the first
    bounds = [round_starts[f"Round {n}"] for n in (1, 2, 3)] + [timeline.total_ms]
    for start_ms, end_ms in itertools.pairwise(bounds):
        spans = {"right": 0, "left": 0}
        for chapter in timeline.chapters:
            if chapter.side and start_ms <= chapter.start_ms < end_ms:
                spans[chapter.side] += chapter.end_ms - chapter.start_ms
        assert spans["right"] == spans["left"] > 25_000
    said = [e.text for e in timeline.speech()]
    assert said.count("Your right leg.") == 3
    assert slot_lengths(timeline, "Reach") == [25_000] * 6


def test_own_sounds_play_where_planned_and_the_welcome_is_the_recording(tmp_path):
    path = with_own_sounds(examples()["Evening wind-down with your own sounds"], tmp_path)
    timeline = plan_routine(str(path), Settings())
    welcome = timeline.speech()[0]
    assert welcome.file.endswith("welcome.m4a") and welcome.text.startswith("Welcome.")
    assert 1500 <= welcome.duration_ms <= 6000  # the recording's own length, as measured
    starts = {c.title: c.start_ms for c in timeline.chapters}
    bowls = [e.start_ms for e in timeline.cues() if e.cue.endswith("bowl.wav")]
    assert bowls[:2] == [starts["Shoulders"], starts["Breathing"]] and len(bowls) == 3
    halfway = next(e for e in timeline.speech() if e.text == "Halfway.")
    assert halfway.start_ms - starts["Breathing"] == 30_000  # the bowl rings inside the 60 s
    out = tmp_path / "wind-down.wav"
    report = render_routine(
        RenderRequest(routine=str(path), out_path=out, format="wav", channels=1)
    )
    assert abs(decoded_duration_ms(report.path) - timeline.total_ms) <= TIMING_TOLERANCE_MS
