"""The piper engine for real: Piper and the bundled voice, in the speech worker, as sessions
use it.

Piper loads in about a second here and speaks several times faster than real time, so the
phrases are short.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voiceguide.errors import SpeechError
from voiceguide.tts import natural
from voiceguide.tts.base import Clip, SpeechEngine
from voiceguide.tts.client import WorkerEngine
from voiceguide.tts.piper_engine import NATURAL_WPM, length_scale
from voiceguide.tts.registry import get_engine
from voiceguide.tts.speech import trim_silence

pytestmark = pytest.mark.skipif(
    not natural.natural_available(), reason="the natural extra is not installed"
)

FIRST = "Rest your right hand on the table."
SECOND = "Now breathe out slowly. Let your shoulders drop."


@pytest.fixture(scope="module")
def engine() -> SpeechEngine:
    """Piper in its speech worker, as sessions use it. Never in this process: Piper's
    phonemizer loads an espeak-ng of its own, and a process that also holds pyttsx3's
    espeak-ng (another test module's, in the same pytest worker) crashes."""
    return get_engine("piper")


@pytest.fixture(scope="module")
def first_clip(engine: SpeechEngine) -> Clip:
    """FIRST at 150 wpm from the module's worker, said once for the tests that need it."""
    return engine.synthesize(FIRST, None, 150, 1.0)


def _digest(pcm: bytes) -> str:
    return hashlib.sha256(pcm).hexdigest()


def test_a_clip_is_mono_16_bit_speech_at_the_voices_rate(first_clip: Clip) -> None:
    assert first_clip.sample_rate_hz == 22_050
    samples = np.frombuffer(first_clip.pcm, dtype="<i2")
    assert np.abs(samples.astype(np.int32)).max() > 3000  # speech, not near-silence
    assert 1500 < first_clip.duration_ms < 5000  # seven words at 150 wpm, with Piper's own margins


def test_clips_are_byte_identical_whatever_was_said_before(engine: SpeechEngine) -> None:
    """Two workers, the same phrases in opposite orders: the same bytes (noise scales 0).
    One is the module's, which has said other things before; the other is new."""
    backward = WorkerEngine("piper")
    try:
        first = [engine.synthesize(text, None, 150, 1.0).pcm for text in (FIRST, SECOND)]
        second = [backward.synthesize(text, None, 150, 1.0).pcm for text in (SECOND, FIRST)]
        again = engine.synthesize(FIRST, None, 150, 1.0).pcm
    finally:
        backward.close()
    assert [_digest(p) for p in first] == [_digest(p) for p in reversed(second)]
    assert _digest(again) == _digest(first[0])


RATE_TOLERANCE = 0.08  # a first estimate: wt-speech's calibration narrows it to 5 %


@pytest.mark.parametrize("rate_wpm", [120, 150])
def test_the_rate_asked_is_about_the_rate_heard(engine: SpeechEngine, rate_wpm: int) -> None:
    """Words per minute from first to last sound, over sentences of narration."""
    sentences = [FIRST, "Press gently with your thumb in small circles across your palm."]
    words = sum(len(s.split()) for s in sentences)
    spoken_ms = sum(
        trim_silence(engine.synthesize(s, None, rate_wpm, 1.0)).duration_ms for s in sentences
    )
    assert words * 60_000 / spoken_ms == pytest.approx(rate_wpm, rel=RATE_TOLERANCE)


def test_length_scale_follows_the_measured_curve() -> None:
    model = natural.read_model(natural.resolve_model(None))
    assert length_scale(model, round(NATURAL_WPM)) == pytest.approx(1.0, abs=0.01)
    assert length_scale(model, 150) == pytest.approx(1.89, abs=0.01)  # 1.63 would be 168 wpm


def test_the_sentences_of_a_phrase_stand_apart_by_pipers_own_quiet(engine: SpeechEngine) -> None:
    clip = engine.synthesize(SECOND, None, 150, 1.0)
    quiet = np.abs(np.frombuffer(clip.pcm, dtype="<i2").astype(np.int32)) < 104  # -50 dBFS
    loud = np.flatnonzero(~quiet)
    longest_frames = _longest_run(quiet[loud[0] : loud[-1]])
    # Measured 323 ms between the two sentences; within a word or a comma, far less.
    assert 200 <= longest_frames * 1000 / clip.sample_rate_hz <= 500


def test_the_version_names_every_setting_that_changes_the_sound(engine: SpeechEngine) -> None:
    version = engine.version()
    for part in ("piper-tts 1.", "onnxruntime ", "noise 0/0", f"{NATURAL_WPM:g} wpm", "threads"):
        assert part in version


def test_the_bundled_voice_is_listed_with_quality_and_licence(engine: SpeechEngine) -> None:
    [voice] = engine.voices()
    assert (voice.id, voice.quality, voice.licence) == ("en_US-joe-medium", "medium", "CC0 data*")
    assert voice.languages == ("en-us", "en")


def test_a_voice_file_of_ones_own_is_spoken(
    engine: SpeechEngine, first_clip: Clip, tmp_path: Path
) -> None:
    model = _copy_of_bundled_voice(tmp_path)
    own = engine.synthesize(FIRST, str(model), 150, 1.0)
    assert own.pcm == first_clip.pcm


def test_a_broken_voice_file_is_a_speech_error(engine: SpeechEngine, tmp_path: Path) -> None:
    model = _copy_of_bundled_voice(tmp_path)
    model.unlink()
    model.write_bytes(b"not a model")
    with pytest.raises(SpeechError, match=r"^cannot load the Piper voice .*model\.onnx: "):
        engine.synthesize(FIRST, str(model), 150, 1.0)


def test_blank_text_and_bad_settings_are_refused(engine: SpeechEngine) -> None:
    with pytest.raises(SpeechError, match="blank text"):
        engine.synthesize("  ", None, 150, 1.0)
    with pytest.raises(SpeechError, match="speech rate must be 80 to 400"):
        engine.synthesize(FIRST, None, 20, 1.0)
    with pytest.raises(SpeechError, match="volume"):
        engine.synthesize(FIRST, None, 150, 0.0)


def test_the_worker_runs_piper_and_the_calling_process_never_loads_it() -> None:
    code = (
        "import sys\n"
        "from voiceguide.tts.registry import get_engine\n"
        "clip = get_engine('piper').synthesize('Hello there.', None, 150, 1.0)\n"
        "assert clip.frames > 10000\n"
        "print(sorted(m for m in ('piper', 'onnxruntime') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout == "[]\n"


def test_the_voice_digest_is_the_sha256_of_the_file_then_its_config_read_once(
    tmp_path: Path,
) -> None:
    path, config = tmp_path / "v.onnx", tmp_path / "v.onnx.json"
    path.write_bytes(b"weights" * 1000)
    config.write_text('{"inference": {"length_scale": 1.0}}')

    def expected() -> str:
        return hashlib.sha256(path.read_bytes() + config.read_bytes()).hexdigest()

    assert natural.model_digest(path) == expected()
    before = natural._digest.cache_info().hits
    assert natural.model_digest(path) == expected()
    assert natural._digest.cache_info().hits == before + 1
    path.write_bytes(b"other weights, another size")
    assert natural.model_digest(path) == expected()
    config.write_text('{"inference": {"length_scale": 1.25}}')  # slower speech, another key
    assert natural.model_digest(path) == expected()


def _longest_run(flags: np.ndarray) -> int:
    """The longest run of True in ``flags``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return int((edges[1::2] - edges[::2]).max()) if edges.size else 0


def _copy_of_bundled_voice(folder: Path) -> Path:
    """The bundled voice as a file of one's own: the model linked (60 MB), its config copied."""
    bundled = natural.resolve_model(None)
    model = folder / "model.onnx"
    model.symlink_to(bundled)
    shutil.copy(bundled.with_name(bundled.name + ".json"), folder / "model.onnx.json")
    return model
