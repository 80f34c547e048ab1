"""Intelligibility, measured by a recognizer we did not write: narration rendered through
the whole pipeline (the CLI, a WAV, a brown-noise bed on) with each engine, decoded to
16 kHz mono by ffmpeg, recognized by pocketsphinx, and scored by word error rate."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from audio_utils import instrument
from intelligibility import (
    NARRATION,
    decode_16k_mono,
    narration_routine,
    recognize,
    word_error_rate,
    words,
)
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.tts.registry import IN_PROCESS, engine_names

pytest.importorskip("pocketsphinx")  # in the test extra; a plain install has no recognizer

# Engines whose own package must be installed (the natural extra) to be tested.
NEEDS_PACKAGE = {"piper": "piper"}
REAL_ENGINES = [
    name
    for name in engine_names()
    if name not in IN_PROCESS and importlib.util.find_spec(NEEDS_PACKAGE.get(name, "voiceguide"))
]
# Bounds set from measurement with margin: espeak-ng measured 0.82-0.84 (pocketsphinx 5.1.1, this
# text, bed on); the issue's own figures for espeak were 0.76-0.90. Piper measured 0.23-0.24 in a
# throwaway run of the same text; the product's bar for the natural voice is 0.35.
MAX_WORD_ERROR_RATE = {"pyttsx3": 0.92, "piper": 0.35}


def _word_error_rate(engine: str, work: Path, cache: Path) -> float:
    routine = work / "narration.yaml"
    routine.write_text(narration_routine())
    out = work / f"narration-{engine}.wav"
    command = ["render", str(routine), "--format", "wav", "-o", str(out)]
    if "--engine" in CliRunner().invoke(app, ["render", "--help"]).output:
        command += ["--engine", engine]
    else:
        assert engine == "pyttsx3", "this voiceguide renders with pyttsx3 only"
    os.environ["VOICEGUIDE_CACHE_DIR"] = str(cache)  # the run's warm cache
    try:
        result = CliRunner().invoke(app, command)
    finally:
        del os.environ["VOICEGUIDE_CACHE_DIR"]
    assert result.exit_code == 0, result.output
    heard = recognize(decode_16k_mono(out, instrument()))
    return word_error_rate(words(" ".join(NARRATION)), words(heard))


@pytest.fixture(scope="module")
def word_error_rates(tmp_path_factory, shared_cache_dir) -> dict[str, float]:
    """Each engine's word error rate, measured once for the module's tests."""
    work = tmp_path_factory.mktemp("intelligibility")
    return {name: _word_error_rate(name, work, shared_cache_dir) for name in REAL_ENGINES}


def test_word_error_rate_counts_substitutions_deletions_and_insertions() -> None:
    said = ["press", "the", "palm", "gently"]
    assert word_error_rate(said, said) == 0.0
    assert word_error_rate(said, ["press", "a", "palm", "gently"]) == 0.25
    assert word_error_rate(said, ["press", "palm", "gently"]) == 0.25
    assert word_error_rate(said, ["press", "the", "the", "palm", "gently", "now"]) == 0.5
    assert word_error_rate(said, []) == 1.0


@pytest.mark.slow  # about a minute of speech to recognize per engine
@pytest.mark.parametrize("engine", REAL_ENGINES)
def test_the_recognizer_understands_each_engine(engine, word_error_rates) -> None:
    bound = MAX_WORD_ERROR_RATE.get(engine, MAX_WORD_ERROR_RATE["pyttsx3"])
    assert word_error_rates[engine] < bound


@pytest.mark.slow
@pytest.mark.skipif("piper" not in REAL_ENGINES, reason="the piper engine is not installed")
def test_the_natural_voice_is_understood_better_than_espeak(word_error_rates) -> None:
    assert word_error_rates["piper"] < word_error_rates["pyttsx3"]
