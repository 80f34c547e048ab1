"""The rate a listener hears: calibration by measured clips, with the fake and real engines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_tts_speech import CountingEngine

from voiceguide.routine.loader import load_routine
from voiceguide.tts import calibration, natural
from voiceguide.tts.cache import ClipCache
from voiceguide.tts.calibration import (
    CALIBRATION_VERSION,
    REFERENCE_SENTENCES,
    Calibration,
    CalibrationStore,
    calibrate,
    calibration_key,
    measured_wpm,
)
from voiceguide.tts.client import WorkerEngine
from voiceguide.tts.fake import FakeEngine
from voiceguide.tts.registry import IN_PROCESS, engine_names, get_engine
from voiceguide.tts.speech import Speech, trim_silence
from voiceguide.tts.voices import open_speech

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


# --- the calibration that ships ----------------------------------------------------------------


def fake_entry(**changes: Any) -> dict[str, Any]:
    """The fake engine's calibration as shipped, twice as fast as the fake measures: so its
    use shows in the setting chosen."""
    entry: dict[str, Any] = {"version": CALIBRATION_VERSION, "engine": "fake"}
    entry |= {"engine_version": FakeEngine().version(), "voice": None, "volume": 1.0}
    entry |= {"voice_digest": "", "points": [[80, 160.0], [240, 480.0]]}
    return entry | changes


def test_a_shipped_calibration_is_used_where_its_whole_key_matches(
    ship: Callable[..., None],
) -> None:
    ship(fake_entry())
    engine = CountingEngine(FakeEngine())
    cache = ClipCache()
    CalibrationStore(cache.root).put(calibration_key("fake", "fake 1", None, 1.0), LINE)
    assert Speech(engine, cache, calibrate=True).setting_for("Rest.", 200) == 100  # not LINE's
    assert engine.calls == []  # no reference sentence, and "Rest." is too short to measure


def test_a_shipped_calibration_is_not_copied_to_the_machines_store(
    ship: Callable[..., None],
) -> None:
    ship(fake_entry())
    cache = ClipCache()
    Speech(FakeEngine(), cache, calibrate=True).clip("Rest.", 200)
    assert not CalibrationStore(cache.root).directory.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"engine": "other"},
        {"engine_version": "fake 2"},
        {"voice": "other"},
        {"volume": 0.5},
        {"voice_digest": "0"},
        {"version": CALIBRATION_VERSION - 1},
        {"points": [[80, 200.0], [240, 100.0]]},  # falling: cannot be read backwards
    ],
)
def test_a_shipped_calibration_for_anything_else_is_not_used(
    ship: Callable[..., None], changes: dict[str, Any]
) -> None:
    ship(fake_entry(**changes))
    engine = CountingEngine(FakeEngine())
    assert Speech(engine, ClipCache(), calibrate=True).setting_for("Rest.", 150) == 150
    assert set(REFERENCE_SENTENCES) <= set(engine.calls)  # measured here


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        "null",
        '{"calibrations": 3}',
        '{"calibrations": [{}]}',
        '{"calibrations": [[80, 100.0]]}',
        '{"calibrations": [{"version": 2, "points": [[80, 100.0], [240, 300.0]]}]}',  # no key
    ],
)
def test_a_shipped_file_that_is_not_whole_ships_nothing(
    ship: Callable[..., None], text: str
) -> None:
    calibration.SHIPPED.write_text(text)
    assert calibration.shipped() == {}
    engine = CountingEngine(FakeEngine())
    assert Speech(engine, ClipCache(), calibrate=True).setting_for("Rest.", 150) == 150


@pytest.mark.slow  # Piper's 12 reference clips, measured afresh
@pytest.mark.skipif(not natural.natural_available(), reason="the natural extra is not installed")
def test_the_shipped_natural_calibration_is_what_the_voice_measures_now(tmp_path: Path) -> None:
    """The bundled voice's calibration is read without synthesizing, and equals a fresh one.
    It fails after upgrading piper-tts, onnxruntime or the voice, or changing what Piper's
    version() names: run scripts/calibrate."""
    routine = tmp_path / "natural.yaml"
    routine.write_text("version: 1\ntitle: Natural\nsections:\n  - say: Hello.\n")
    speech = open_speech(load_routine(routine), "piper")
    piper = speech.engine
    assert isinstance(piper, WorkerEngine)
    speech.engine = counting = CountingEngine(piper)
    try:
        shipped = speech.calibration()
        assert not counting.calls, f"none ships for {piper.version()}: run scripts/calibrate"
        fresh = calibrate(
            lambda text, setting: trim_silence(
                piper.synthesize(text, speech.voice, setting, speech.volume), text
            )
        )
    finally:
        piper.close()
    assert [s for s, _ in shipped.points] == [s for s, _ in fresh.points]
    for (_, shipped_wpm), (_, fresh_wpm) in zip(shipped.points, fresh.points, strict=True):
        assert shipped_wpm == pytest.approx(fresh_wpm, rel=0.005)
