"""Speech engines by name: the real one runs in the worker, the fake in this process."""

import subprocess
import sys

import pytest

from voiceguide.errors import SpeechError
from voiceguide.tts.client import WorkerEngine
from voiceguide.tts.fake import FakeEngine
from voiceguide.tts.registry import DEFAULT_ENGINE, engine_names, get_engine


def test_the_engines_are_listed_by_name():
    assert engine_names() == ["fake", "piper", "pyttsx3"]
    assert DEFAULT_ENGINE == "pyttsx3"


def test_the_fake_engine_runs_in_process_and_the_real_one_in_the_worker():
    assert isinstance(get_engine("fake"), FakeEngine)
    assert isinstance(get_engine(), WorkerEngine)


def test_an_unknown_engine_names_the_choices():
    with pytest.raises(SpeechError) as caught:
        get_engine("festival")
    assert caught.value.lines() == [
        "unknown speech engine 'festival': choose one of fake, piper, pyttsx3"
    ]


def test_importing_the_registry_and_listing_loads_no_engine():
    code = (
        "import sys\n"
        "from voiceguide.tts.registry import engine_names, get_engine\n"
        "engine_names(); get_engine(); get_engine('piper')\n"
        "heavy = ('numpy', 'pyttsx3', 'espeakng_loader', 'piper', 'onnxruntime')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "[]\n"


def test_one_worker_serves_the_process_and_comes_back_after_closing():
    engine = get_engine()
    assert get_engine() is engine  # a second plan in this process starts no second worker
    version = engine.version()
    engine.close()
    assert get_engine() is engine
    assert engine.synthesize("Again.", None, 150, 1.0).frames > 0  # a new worker, on demand
    assert engine.version() == version
