"""The speech service: trimming, memoizing, caching and preparing, with fake and real engines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.errors import SpeechError
from voiceguide.tts import fake
from voiceguide.tts.base import Answered, Clip, Request, SpeechEngine, VoiceInfo
from voiceguide.tts.cache import ClipCache, cache_key
from voiceguide.tts.fake import FakeEngine
from voiceguide.tts.pyttsx3_engine import Pyttsx3Engine
from voiceguide.tts.speech import (
    LEAD_MS,
    TRIM_THRESHOLD_DBFS,
    NotMade,
    Speech,
    trim_silence,
)

pytestmark = pytest.mark.usefixtures("private_cache_dir")  # hits and misses are counted

SAMPLE_RATE_HZ = 22_050
AUDIBLE = 32768 * 10 ** (TRIM_THRESHOLD_DBFS / 20)
ONSET_TOLERANCE_MS = 5.0  # the brief's bar for "the clip starts where the speech starts"
ONE_FRAME_MS = 1000 / SAMPLE_RATE_HZ


@dataclass
class CountingEngine:
    """Wraps an engine and counts synthesize calls, to prove cache hits skip the engine."""

    inner: SpeechEngine
    calls: list[str] = field(default_factory=list)
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = self.inner.name

    def version(self) -> str:
        return self.inner.version()

    def voices(self) -> list[VoiceInfo]:
        return self.inner.voices()

    def synthesize(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        self.calls.append(text)
        return self.inner.synthesize(text, voice, rate_wpm, volume)


@pytest.fixture(scope="module")
def real_engine() -> Pyttsx3Engine:
    return Pyttsx3Engine()


def _samples(clip: Clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.int32)


def _onset_ms(clip: Clip) -> float:
    """Where the first audible sample sits in the clip."""
    return float(np.flatnonzero(np.abs(_samples(clip)) > AUDIBLE)[0]) * 1000 / clip.sample_rate_hz


def _pcm(samples: list[int]) -> Clip:
    return Clip(pcm=np.array(samples, dtype="<i2").tobytes(), sample_rate_hz=SAMPLE_RATE_HZ)


# --- trimming --------------------------------------------------------------------------------


def test_trim_keeps_lead_ms_before_the_onset_and_ends_at_the_last_audible_sample() -> None:
    lead_frames = round(LEAD_MS * SAMPLE_RATE_HZ / 1000)
    body = [5, 30, 500, -2000, 7, 1500, -300, 50, 3]
    trimmed = trim_silence(_pcm([0] * 400 + body + [0] * 900))
    # Audible (above -50 dBFS, about 104) from 500 to -300: the quiet 5, 30 before the onset
    # stay as part of the kept lead; the quiet 50, 3 after the last audible sample go.
    assert _samples(trimmed).tolist() == [0] * (lead_frames - 2) + body[:-2]


def test_trim_leaves_a_clip_without_silence_alone() -> None:
    clip = _pcm([1000, -1000] * 100)
    assert trim_silence(clip) == clip


def test_trim_of_a_silent_clip_is_an_error_naming_the_phrase() -> None:
    with pytest.raises(SpeechError, match=r'speech engine failed on "Hush\.": the clip is silent'):
        trim_silence(_pcm([0, 3, -50, 0] * 100), "Hush.")


@settings(deadline=None)  # conftest: how many
@given(
    lead_frames=st.integers(0, 3000),
    tail_frames=st.integers(0, 3000),
    body=st.lists(st.integers(-32768, 32767), min_size=0, max_size=200),
)
def test_trim_invariants(lead_frames: int, tail_frames: int, body: list[int]) -> None:
    """Whatever silence surrounds a sound, trimming keeps the sound whole and starts near it."""
    sound = [20_000, *body, -20_000]
    trimmed = trim_silence(_pcm([0] * lead_frames + sound + [0] * tail_frames))
    kept_lead = min(lead_frames, round(LEAD_MS * SAMPLE_RATE_HZ / 1000))
    assert _samples(trimmed).tolist() == [0] * kept_lead + sound
    assert _onset_ms(trimmed) <= ONSET_TOLERANCE_MS


# --- with the fake engine ----------------------------------------------------------------------


def test_duration_is_the_fake_tone_plus_the_kept_lead() -> None:
    speech = Speech(FakeEngine(), ClipCache(), volume=1.0)
    for text, rate_wpm in [("One two three four.", 120), ("Breathe.", 80), ("A b c d e f", 300)]:
        expected_ms = fake.speech_ms(text, rate_wpm) + LEAD_MS
        assert speech.duration_ms(text, rate_wpm) == pytest.approx(expected_ms, abs=1)
        assert _onset_ms(speech.clip(text, rate_wpm)) == pytest.approx(LEAD_MS, abs=ONE_FRAME_MS)


def test_each_phrase_is_synthesized_once_per_process() -> None:
    engine = FakeEngine()
    speech = Speech(engine, None)
    first = speech.clip("Hold.", 150)
    assert speech.clip("Hold.", 150) is first
    assert speech.duration_ms("Hold.", 150) == first.duration_ms
    speech.clip("Hold.", 200)  # another rate is another clip
    assert [call[0] for call in engine.calls] == ["Hold.", "Hold."]


def test_cached_only_answers_from_the_cache_and_never_calls_the_engine() -> None:
    Speech(FakeEngine(), ClipCache(), voice="fake/en", calibrate=True).clip("Made.", 150)
    engine = FakeEngine()
    speech = Speech(engine, ClipCache(), voice="fake/en", calibrate=True)
    with speech.cached_only():
        assert speech.duration_ms("Made.", 150) > 0  # cached, calibration too
        with pytest.raises(NotMade):
            speech.duration_ms("Not made yet.", 150)
    assert engine.calls == []
    assert speech.duration_ms("Not made yet.", 150) > 0  # outside: made as usual
    assert [call[0] for call in engine.calls] == ["Not made yet."]


def test_a_cache_hit_returns_identical_bytes_without_calling_the_engine() -> None:
    first = Speech(FakeEngine(), ClipCache(), voice="fake/en", volume=0.8)
    clip = first.clip("Switch hands.", 150)
    engine = FakeEngine()
    second = Speech(engine, ClipCache(), voice="fake/en", volume=0.8)
    assert second.clip("Switch hands.", 150) == clip
    assert engine.calls == []


@pytest.mark.parametrize(("voice", "volume"), [("fake/de", 0.8), ("fake/en", 0.5), (None, 0.8)])
def test_a_changed_voice_or_volume_is_a_cache_miss(voice: str | None, volume: float) -> None:
    Speech(FakeEngine(), ClipCache(), voice="fake/en", volume=0.8).clip("Switch hands.", 150)
    engine = FakeEngine()
    Speech(engine, ClipCache(), voice=voice, volume=volume).clip("Switch hands.", 150)
    assert len(engine.calls) == 1


def test_the_cache_holds_the_untrimmed_clip_under_the_engine_key() -> None:
    cache, engine = ClipCache(), FakeEngine()
    Speech(engine, cache, voice="fake/en", volume=1.0).clip("Rest.", 150)
    key = cache_key("fake", engine.version(), "fake/en", 150, 1.0, "Rest.")
    assert cache.get(key) == FakeEngine().synthesize("Rest.", "fake/en", 150, 1.0)


def test_a_corrupt_cache_entry_is_synthesized_again() -> None:
    cache = ClipCache()
    clip = Speech(FakeEngine(), cache).clip("Press gently.", 150)
    key = cache_key("fake", "fake 1", None, 150, 1.0, "Press gently.")
    path = cache.path_for(key)
    path.write_bytes(path.read_bytes()[:-100])
    engine = FakeEngine()
    assert Speech(engine, cache).clip("Press gently.", 150) == clip
    assert len(engine.calls) == 1
    assert cache.get(key) is not None  # and the entry was repaired


def test_engine_errors_pass_through() -> None:
    speech = Speech(FakeEngine(), ClipCache(), voice="fake/xx")
    with pytest.raises(SpeechError, match="unknown voice 'fake/xx'"):
        speech.clip("Hello.", 150)


# --- with the real engine ----------------------------------------------------------------------

REAL_PHRASES = [
    "Hello.",  # a fricative onset after espeak's leading silence
    "Sit comfortably.",
    "Five.",
    "Stroke your forearm.",
    "One.",  # voiced onsets: espeak starts these at its very first sample
    "Now switch hands.",
    "Elbow.",
    "Three, two, one.",
    "Feel the warmth in your fingers.",
    "Hold the stretch and breathe slowly.",
]


@pytest.mark.parametrize("rate_wpm", [90, 150, 300])
def test_real_clips_start_within_5_ms_of_the_first_audible_sample(
    real_engine: Pyttsx3Engine, rate_wpm: int
) -> None:
    speech = Speech(real_engine, ClipCache())
    for text in REAL_PHRASES:
        clip = speech.clip(text, rate_wpm)
        assert _onset_ms(clip) <= ONSET_TOLERANCE_MS, text
        assert abs(_samples(clip)[-1]) > AUDIBLE, text  # ends on its last audible sample
        assert speech.duration_ms(text, rate_wpm) == clip.duration_ms


def test_trimming_removes_espeaks_trailing_pause(real_engine: Pyttsx3Engine) -> None:
    untrimmed = real_engine.synthesize("Hold the stretch.", None, 150, 1.0)
    trimmed = Speech(real_engine, None).clip("Hold the stretch.", 150)
    assert untrimmed.duration_ms - trimmed.duration_ms > 200  # espeak pads ~400 ms at 150 wpm


def test_real_cache_hit_returns_identical_bytes_without_calling_the_engine(
    real_engine: Pyttsx3Engine,
) -> None:
    first = CountingEngine(real_engine)
    clip = Speech(first, ClipCache()).clip("Rest your hand on the table.", 150)
    second = CountingEngine(real_engine)
    assert Speech(second, ClipCache()).clip("Rest your hand on the table.", 150).pcm == clip.pcm
    assert (len(first.calls), len(second.calls)) == (1, 0)


def test_real_corrupt_entry_is_synthesized_again(real_engine: Pyttsx3Engine) -> None:
    cache = ClipCache()
    Speech(real_engine, cache).clip("Circle the knuckles.", 150)
    for path in cache.directory.rglob("*.wav"):
        path.write_bytes(path.read_bytes()[:1000])
    counting = CountingEngine(real_engine)
    clip = Speech(counting, cache).clip("Circle the knuckles.", 150)
    assert counting.calls == ["Circle the knuckles."]
    assert clip.duration_ms > 500


PREPARED = """\
version: 1
title: Prepared
sections:
  - name: Open
    say: Rest both hands on the table and breathe out slowly.
  - name: Press
    say: Press the centre of your palm with your thumb.
    repeat: 3
    each: 6s
    count: true
"""


@dataclass
class BatchRecorder(CountingEngine):
    """A batch engine that makes each request in turn, keeping the order it was given."""

    def synthesize_many(
        self, requests: Sequence[Request], answered: Answered | None = None
    ) -> dict[int, Clip | Exception]:
        answers: dict[int, Clip | Exception] = {}
        for index, request in enumerate(requests):
            answers[index] = self.synthesize(*request)
            if answered is not None:
                answered(index, answers[index])
        return answers

    def close_helpers(self) -> None:
        pass  # it has none


def test_prepare_makes_phrases_in_the_order_given_each_once(tmp_path: Path) -> None:
    """The plan's order, so a batch's first failure is the plan's (not the alphabet's)."""
    engine = BatchRecorder(FakeEngine())
    speech = Speech(engine, ClipCache(tmp_path / "cache"))
    speech.prepare([("Right palm.", 150), ("Left palm.", 150), ("Right palm.", 150)])
    assert engine.calls == ["Right palm.", "Left palm."]


def test_prepare_makes_what_the_plan_asks_for_the_same_as_one_by_one(
    tmp_path: Path,
) -> None:
    """Made ahead by two workers, every clip the plan needs is in the cache (planning then
    calls the engine not once), and each is byte-identical to one made when asked for."""
    from voiceguide.plan.planner import phrases_to_measure, plan
    from voiceguide.routine.loader import load_routine
    from voiceguide.tts.registry import get_engine

    path = tmp_path / "prepared.yaml"
    path.write_text(PREPARED)
    routine = load_routine(path)
    ahead = Speech(get_engine("pyttsx3"), ClipCache(tmp_path / "ahead"), "gmw/en", calibrate=True)
    made: list[tuple[int, int]] = []
    ahead.prepare(phrases_to_measure(routine), lambda done, total: made.append((done, total)))
    assert made and made[-1][0] == made[-1][1]  # the bar ends full
    assert [done for done, _ in made] == sorted(done for done, _ in made)
    counting = CountingEngine(ahead.engine)
    ahead.engine = counting
    timeline = plan(routine, ahead.duration_ms)
    assert counting.calls == []

    asked = Speech(get_engine("pyttsx3"), ClipCache(tmp_path / "asked"), "gmw/en", calibrate=True)
    plan(routine, asked.duration_ms)
    phrases = sorted(timeline.phrases())
    assert len(phrases) == 5  # the two sentences and the counts 1 to 3
    for text, rate_wpm in phrases:
        assert ahead.clip(text, rate_wpm).pcm == asked.clip(text, rate_wpm).pcm, text
