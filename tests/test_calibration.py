"""The rate a listener hears: calibration by measured clips, with the fake and real engines."""

from __future__ import annotations

import pytest
from test_tts_speech import CountingEngine

from voiceguide.tts.cache import ClipCache
from voiceguide.tts.calibration import (
    REFERENCE_SENTENCES,
    Calibration,
    CalibrationStore,
    measured_wpm,
)
from voiceguide.tts.fake import FakeEngine
from voiceguide.tts.registry import IN_PROCESS, engine_names, get_engine
from voiceguide.tts.speech import Speech

pytestmark = pytest.mark.usefixtures("private_cache_dir")  # engine calls are counted

RATE_TOLERANCE = 0.05  # the product's bar: heard within 5 % of the rate asked
# Narration not among the calibration's reference sentences, with long and short words.
CHECK_SENTENCES = (
    "Let your shoulders drop and breathe out slowly.",
    "Press your thumb into the middle of your palm.",
    "Move in small circles toward the base of each finger.",
    "Now turn the hand over and rest it on your knee.",
    "Keep the pressure gentle, never painful.",
    "Slide your fingers along the back of the wrist.",
    "Take a moment to notice the warmth in your hands.",
    "When you are ready, switch to the other side.",
    "Rub the back of your hand in long, even strokes.",
    "Hold the stretch and breathe.",
)
REAL_ENGINES = [name for name in engine_names() if name not in IN_PROCESS]
LINE = Calibration(((80, 100.0), (160, 220.0), (240, 300.0)))


def test_the_setting_is_read_off_the_measured_points_and_back() -> None:
    assert LINE.heard_wpm(120) == pytest.approx(160.0)
    assert LINE.setting_for(160) == 120
    assert LINE.setting_for(260) == 200  # the second segment
    for setting in (60, 100, 200, 300):  # beyond the ends: along the end segments
        assert LINE.setting_for(LINE.heard_wpm(setting)) == setting


def test_a_stored_calibration_round_trips_and_a_bad_one_is_a_miss(tmp_path) -> None:
    store = CalibrationStore(tmp_path)
    store.put("key", LINE)
    assert store.get("key") == LINE
    for text in ("", "{", '{"version": 1, "points": [[80, 100]]}', '{"version": 0}'):
        store.path_for("bad").write_text(text)
        assert store.get("bad") is None
    falling = '{"version": 1, "points": [[80, 200], [160, 100]]}'  # cannot be read backwards
    store.path_for("bad").write_text(falling)
    assert store.get("bad") is None


def test_the_fake_engine_calibrates_to_itself() -> None:
    """The fake says 60000 / rate ms a word: the rate asked is the rate heard."""
    speech = Speech(FakeEngine(), ClipCache(), calibrate=True)
    for rate_wpm in (80, 120, 150, 200, 400):
        assert speech.setting_for("Rest your hand on the table.", rate_wpm) == rate_wpm


def test_a_calibration_is_made_once_per_machine() -> None:
    first = CountingEngine(FakeEngine())
    Speech(first, ClipCache(), calibrate=True).clip("Breathe in.", 150)
    assert set(REFERENCE_SENTENCES) <= set(first.calls)
    second = CountingEngine(FakeEngine())
    Speech(second, ClipCache(), calibrate=True).clip("Breathe out.", 150)
    assert second.calls == ["Breathe out."]


@pytest.mark.parametrize(
    "engine",
    # Piper's calibration takes half a minute of synthesis: with the slow tests.
    [pytest.param(e, marks=pytest.mark.slow) if e == "piper" else e for e in REAL_ENGINES],
)
@pytest.mark.parametrize("rate_wpm", [120, 150])
def test_sentences_are_heard_at_the_rate_asked(engine: str, rate_wpm: int) -> None:
    speech = Speech(get_engine(engine), ClipCache(), calibrate=True)
    heard = measured_wpm([(text, speech.clip(text, rate_wpm)) for text in CHECK_SENTENCES])
    assert heard == pytest.approx(rate_wpm, rel=RATE_TOLERANCE)


def test_espeak_uncalibrated_is_far_too_fast() -> None:
    """What the calibration corrects: espeak-ng's own 150 is heard well above 150."""
    speech = Speech(get_engine("pyttsx3"), ClipCache())
    heard = measured_wpm([(text, speech.clip(text, 150)) for text in CHECK_SENTENCES[:4]])
    assert heard > 150 * 1.2


def test_a_routines_respellings_do_not_change_the_shared_calibration() -> None:
    engine = CountingEngine(FakeEngine())
    respelled = Speech(engine, ClipCache(), calibrate=True, respellings=(("your", "yore"),))
    respelled.clip("Rest your hand.", 150)
    assert set(REFERENCE_SENTENCES) <= set(engine.calls)  # said as written
