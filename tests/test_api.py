"""The public library API: importable from ``voiceguide``, and cheap to import."""

from __future__ import annotations

import subprocess
import sys

import voiceguide
from voiceguide.errors import VoiceguideError
from voiceguide.pipeline import render_routine
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine.loader import load_routine


def test_the_api_names_are_the_librarys_own() -> None:
    assert voiceguide.load_routine is load_routine
    assert callable(voiceguide.plan)  # the plan/ package, which called is plan.planner.plan
    assert voiceguide.render_routine is render_routine
    assert voiceguide.Settings is Settings
    assert voiceguide.VoiceguideError is VoiceguideError
    assert all(hasattr(voiceguide, name) for name in voiceguide.__all__)
    assert sorted(voiceguide.__all__) == sorted(["__version__", "plan", *voiceguide._API])


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        voiceguide.nothing_here  # noqa: B018
    except AttributeError as error:
        assert "no attribute 'nothing_here'" in str(error)
    else:
        raise AssertionError("voiceguide.nothing_here did not raise")


def test_importing_voiceguide_loads_no_speech_or_audio_library() -> None:
    code = (
        "import sys, voiceguide\n"
        "heavy = {'numpy', 'pyttsx3', 'pydub', 'mutagen', 'yaml'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_routine_planned_through_the_api_is_the_planners_timeline() -> None:
    from voiceguide import plan as plan_from_voiceguide

    routine = voiceguide.load_routine("audio_templates/hand-massage-quick.yaml")
    speech_ms = lambda text, rate: 40 * len(text)  # noqa: E731
    timeline = plan_from_voiceguide(routine, speech_ms, voiceguide.Settings())
    assert timeline == plan(routine, speech_ms, Settings())
    assert timeline.total_ms > 60_000
