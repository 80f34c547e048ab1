"""Every built-in template loads, validates and plans; the hand massage has a golden timeline."""

import json
import os
from pathlib import Path

import pytest

from voiceguide.loader import load_routine
from voiceguide.planner import plan
from voiceguide.templates import resolve, template_names, template_path
from voiceguide.tts.fake import speech_ms

GOLDEN = Path(__file__).parent / "data" / "golden"


def test_hand_massage_is_a_template():
    assert "hand-massage" in template_names()
    assert resolve("hand-massage") == template_path("hand-massage")
    assert resolve("my/routine.yaml") == Path("my/routine.yaml")


@pytest.mark.parametrize("name", template_names())
def test_template_plans_to_its_golden_timeline(name):
    """Planned with the fake engine's durations, so the golden file is engine-independent.

    After a deliberate change: VOICEGUIDE_UPDATE_GOLDEN=1 scripts/test tests/test_templates.py
    """
    timeline = plan(load_routine(template_path(name)), speech_ms)
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("VOICEGUIDE_UPDATE_GOLDEN"):
        golden.write_text(timeline.to_json() + "\n")
        pytest.skip(f"rewrote {golden.name}: review its diff, then run without the variable")
    assert json.loads(timeline.to_json()) == json.loads(golden.read_text())


def test_hand_massage_follows_the_seed():
    routine = load_routine(template_path("hand-massage"))
    timeline = plan(routine, speech_ms)
    spoken = " ".join(e.text for e in timeline.speech()).lower()
    for fact in (
        "warm",
        "moderate pressure",
        "serious pain",
        "doctor",
        "table",
        "thumb underneath",
        "between your thumb and forefinger",
    ):
        assert fact in spoken, fact
    sides = [c.side for c in timeline.chapters if c.side]
    assert sides.index("right") < sides.index("left")
    assert [e.cue for e in timeline.cues()].count("chime") == 1
