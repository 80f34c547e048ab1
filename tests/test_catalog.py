"""`voiceguide templates` reads lengths from the files, and they are the lengths plans have."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.catalog import declared_summary, template_summary
from voiceguide.pipeline import plan_routine
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine.loader import load_routine
from voiceguide.routine.templates import template_path
from voiceguide.tts.fake import speech_ms

FITTING_MS = 1100  # fitting meets a declared length within a second; format_ms rounds

QUICK = template_path("hand-massage-quick").read_text()
FRAMES = {  # top-level keys that frame the quick massage's five minutes
    "lead-in": "lead_in: 30s\n",
    "bedtime-default-tail": "bedtime: {always: true}\n",
    "bedtime-own-tail": "bedtime: {always: true, tail: 2m}\n",
    "bedtime-without-bed": "bedtime: {always: true}\nbackground: {sound: none}\n",
    "tail-by-day": "tail: 90s\n",
    "file-bed-at-bedtime": "bedtime: {always: true}\nbackground: {file: rain.ogg}\n",
}


@pytest.mark.parametrize("frame", FRAMES)
def test_a_declared_length_framed_by_lead_in_and_tail_is_the_planned_length(tmp_path, frame):
    text = QUICK.replace("background: {sound: brown, level: -26dB}\n", "")
    if "background" not in FRAMES[frame]:
        text += "background: {sound: brown}\n"
    path = tmp_path / "framed.yaml"
    path.write_text(text + FRAMES[frame])
    (tmp_path / "rain.ogg").write_bytes(b"")  # the loader looks for it, the planner is told
    sounds = {str(tmp_path / "rain.ogg"): 10_000}
    timeline = plan(load_routine(path), speech_ms, Settings(), sounds)
    summary = declared_summary(path)
    assert summary is not None
    assert abs(summary[0] - timeline.total_ms) <= FITTING_MS, (summary, timeline.total_ms)
    assert summary[1] == "Quick hand massage"


def test_a_routine_without_a_length_is_planned():
    minimal = Path(__file__).parent / "data" / "valid" / "minimal.yaml"
    assert declared_summary(minimal) is None
    timeline = plan_routine(str(minimal), Settings(), "pyttsx3")
    assert template_summary(minimal) == (timeline.total_ms, "Minimal")


def test_a_routine_whose_rounds_fitting_counts_is_planned(tmp_path):
    path = tmp_path / "breathing.yaml"
    path.write_text(
        "version: 1\ntitle: Breathing\nlength: 5m\nsections:\n"
        "  - {rounds: 4, min_rounds: 1, max_rounds: 30, steps: [{slot: 19s, say: In.}]}\n"
    )
    assert declared_summary(path) is None  # 16 rounds, 5:04: only planning knows
    assert template_summary(path) == (16 * 19_000, "Breathing")


def test_templates_loads_no_planner_pydantic_numpy_or_speech_engine():
    """In a fresh interpreter; the planner and pydantic (which Typer 0.29 imports to coerce a
    value; pyproject.toml keeps Typer below it) each cost 0.2 s, numpy and pyttsx3 more."""
    code = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from voiceguide.cli import app\n"
        "assert CliRunner().invoke(app, ['templates']).exit_code == 0\n"
        "heavy = ('numpy', 'pyttsx3', 'pydub', 'pydantic', 'voiceguide.plan.planner')\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []
