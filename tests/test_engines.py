"""Choosing the speech engine: auto, piper and pyttsx3 from the routine, --engine and the
environment; voice.model; the choice in the summary and the file; `voiceguide say`.

The conftest sets VOICEGUIDE_ENGINE=pyttsx3 for the suite; tests of auto's own choice remove
it. Renders here use short routines: Piper speaks several times faster than real time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.errors import RoutineError, SpeechError, UsageError
from voiceguide.routine.loader import load_routine, load_routine_text
from voiceguide.routine.templates import template_path
from voiceguide.tts import natural
from voiceguide.tts.cache import cache_key
from voiceguide.tts.engines import ENGINE_ENV, choose_engine
from voiceguide.tts.voices import open_speech

needs_natural = pytest.mark.skipif(
    not natural.natural_available(), reason="the natural extra is not installed"
)
SHORT = """\
version: 1
title: Short
language: {language}
voice: {voice}
sections:
  - say: Rest your hands in your lap.
  - name: Stroke
    say: Stroke your forearm.
    repeat: 2
    each: 2s
"""


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def routine_file(folder: Path, language: str = "en", voice: str = "{rate: 150}") -> Path:
    path = folder / "short.yaml"
    path.write_text(SHORT.format(language=language, voice=voice), encoding="utf-8")
    return path


def routine(language: str = "en", voice: str = "{rate: 150}", folder: Path | None = None):
    text = SHORT.format(language=language, voice=voice)
    return load_routine_text(text, str(folder / "short.yaml") if folder else "short.yaml")


@pytest.fixture
def auto(monkeypatch: pytest.MonkeyPatch) -> None:
    """auto as a user meets it: no VOICEGUIDE_ENGINE."""
    monkeypatch.delenv(ENGINE_ENV, raising=False)


@pytest.fixture
def own_voice(tmp_path: Path) -> Path:
    """A Piper voice of one's own beside the routine: the bundled one, linked and copied."""
    if not natural.natural_available():
        pytest.skip("the natural extra is not installed")
    bundled = natural.resolve_model(None)
    folder = tmp_path / "voices"
    folder.mkdir()
    model = folder / "mine.onnx"
    model.symlink_to(bundled)
    shutil.copy(bundled.with_name(bundled.name + ".json"), folder / "mine.onnx.json")
    return model


# --- auto --------------------------------------------------------------------------------------


@needs_natural
@pytest.mark.usefixtures("auto")
@pytest.mark.parametrize("language", ["en", "en-US", "en-GB", "en_gb"])
def test_auto_picks_the_natural_voice_for_english(language: str) -> None:
    choice = choose_engine(routine(language))
    assert (choice.engine, choice.voice) == ("piper", "en_US-joe-medium")
    assert choice.reason == f"auto, natural voice for '{language.lower().replace('_', '-')}'"


@pytest.mark.usefixtures("auto")
def test_auto_keeps_espeak_for_a_language_without_a_natural_voice() -> None:
    choice = choose_engine(load_routine(template_path("hand-massage-de")))
    assert (choice.engine, choice.model) == ("pyttsx3", None)
    expected = (
        "auto, no natural voice for language 'de'"
        if natural.natural_available()
        else "auto, no natural voice installed (pip install 'voiceguide[natural]')"
    )
    assert choice.reason == expected


@pytest.mark.usefixtures("auto")
def test_auto_picks_pyttsx3_for_an_espeak_voice_name() -> None:
    choice = choose_engine(routine(voice="{name: gmw/en-us}"))
    assert (choice.engine, choice.reason) == ("pyttsx3", "auto, gmw/en-us is an espeak voice")


@pytest.mark.usefixtures("auto")
def test_auto_without_the_natural_extra_falls_back_to_pyttsx3(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # as if piper-tts were not installed
    choice = choose_engine(routine())
    assert choice.engine == "pyttsx3"
    assert "pip install 'voiceguide[natural]'" in choice.reason


def test_the_environment_stands_in_for_auto_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, "pyttsx3")
    assert choose_engine(routine()).engine == "pyttsx3"
    if natural.natural_available():
        assert choose_engine(routine(voice="{engine: piper}")).engine == "piper"
    monkeypatch.setenv(ENGINE_ENV, "festival")
    with pytest.raises(SpeechError, match=r"VOICEGUIDE_ENGINE='festival' is not an engine"):
        choose_engine(routine())


# --- piper asked for ---------------------------------------------------------------------------


@needs_natural
def test_piper_for_a_language_it_does_not_speak_is_an_error_at_the_language() -> None:
    with pytest.raises(RoutineError) as caught:
        choose_engine(routine("de", "{engine: piper}"))
    assert caught.value.lines() == [
        "short.yaml:3:11: language: the bundled natural voice speaks en-us, not 'de': give "
        "voice.model, a Piper voice for it, or use engine pyttsx3"
    ]


@needs_natural
def test_piper_with_an_espeak_voice_name_names_the_voice() -> None:
    with pytest.raises(
        RoutineError, match=r"short.yaml:4:30: voice.name: unknown piper voice 'gmw/en'"
    ):
        choose_engine(routine(voice="{engine: piper, name: gmw/en}"))


def test_piper_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # as if piper-tts were not installed
    with pytest.raises(RoutineError) as caught:
        choose_engine(routine(voice="{engine: piper}"))
    assert caught.value.lines() == [
        "short.yaml:4:17: voice.engine: the piper engine is not installed: "
        "pip install 'voiceguide[natural]'"
    ]
    with pytest.raises(UsageError) as usage:
        choose_engine(routine(), "piper")
    assert usage.value.option == "--engine"


def test_engine_piper_without_the_extra_is_a_usage_error_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # as if piper-tts were not installed
    result = run("render", str(routine_file(tmp_path)), "--engine", "piper")
    assert result.exit_code == 2
    assert "Invalid value for '--engine': the piper engine is not installed: pip install " in (
        " ".join(result.stderr.split())
    )
    assert not (tmp_path / "short.mp3").exists()


# --- voice.model -------------------------------------------------------------------------------


@pytest.mark.slow  # a cold calibration of a second Piper voice
@needs_natural
@pytest.mark.usefixtures("auto")
def test_a_model_of_ones_own_is_spoken_by_piper_and_keyed_by_its_content(
    own_voice: Path, tmp_path: Path
) -> None:
    loaded = routine(voice="{model: voices/mine.onnx}", folder=tmp_path)
    choice = choose_engine(loaded)
    assert (choice.engine, choice.model, choice.voice) == ("piper", own_voice, str(own_voice))
    speech = open_speech(loaded)
    bundled = natural.resolve_model(None)
    files = bundled.read_bytes() + bundled.with_name(bundled.name + ".json").read_bytes()
    assert speech.voice_digest == hashlib.sha256(files).hexdigest()
    assert speech.duration_ms("Hello.", 150) > 200


def test_the_cache_key_changes_with_the_engine_and_the_voice_files_content() -> None:
    key = cache_key("piper", "1.8", "en_US-joe-medium", 150, 1.0, "Hello.", "a" * 64)
    assert key != cache_key("pyttsx3", "1.8", "en_US-joe-medium", 150, 1.0, "Hello.", "a" * 64)
    assert key != cache_key("piper", "1.8", "en_US-joe-medium", 150, 1.0, "Hello.", "b" * 64)
    assert key != cache_key("piper", "1.9", "en_US-joe-medium", 150, 1.0, "Hello.", "a" * 64)
    assert key == cache_key("piper", "1.8", "en_US-joe-medium", 150, 1.0, "Hello.", "a" * 64)


@pytest.mark.parametrize(
    ("voice", "message"),
    [
        (
            "{model: voices/missing.onnx}",
            "4:16: voice.model: no such file 'voices/missing.onnx' (looked for {folder}/voices/"
            "missing.onnx): a Piper voice is NAME.onnx with NAME.onnx.json beside it, relative "
            "to the routine file",
        ),
        (
            "{model: voices/lonely.onnx}",
            "4:16: voice.model: no lonely.onnx.json (looked for {folder}/voices/lonely.onnx.json)"
            ": a Piper voice is NAME.onnx with NAME.onnx.json beside it, relative to the "
            "routine file",
        ),
        ("{model: voices/mine.txt}", "4:16: voice.model: 'voices/mine.txt' is not a Piper voice"),
        (
            "{engine: pyttsx3, model: voices/mine.onnx}",
            "4:17: voice.engine: a model is a Piper voice, which pyttsx3 cannot speak: set "
            "engine to piper or auto, or remove model",
        ),
        ("{engine: piperr}", "4:17: voice.engine: unknown engine 'piperr': did you mean 'piper'?"),
    ],
)
def test_validate_locates_a_bad_engine_or_model(
    tmp_path: Path, own_voice: Path, voice: str, message: str
) -> None:
    (own_voice.parent / "lonely.onnx").write_bytes(b"weights")
    (own_voice.parent / "mine.txt").write_bytes(b"weights")
    path = routine_file(tmp_path, voice=voice)
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:{message.format(folder=tmp_path)}")


@needs_natural
def test_validate_locates_a_voice_config_piper_cannot_read(tmp_path: Path, own_voice: Path):
    own_voice.with_name("mine.onnx.json").write_text("{not json", encoding="utf-8")
    path = routine_file(tmp_path, voice="{model: voices/mine.onnx}")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{path}:4:16: voice.model: cannot read {own_voice}.json: Expecting property name"
    )


@needs_natural
def test_engine_piper_for_a_language_the_voice_does_not_speak_blames_the_option() -> None:
    """The file is fine (auto speaks it with espeak): --engine piper is what cannot work."""
    template = "audio_templates/hand-massage-de.yaml"
    result = run("validate", template, "--engine", "piper")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--engine': the bundled natural voice speaks en-us, not 'de': "
        "give voice.model, a Piper voice for it, or use engine pyttsx3"
    )
    assert run("validate", template, "--engine", "pyttsx3").exit_code == 0
    assert run("validate", template).exit_code == 0


@needs_natural
def test_voice_on_the_command_line_is_never_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voiceguide.tts.natural import bundled_model_path

    modelled = routine(voice=f"{{model: '{bundled_model_path()}'}}")
    assert choose_engine(modelled, None, "gmw/en-us").engine == "pyttsx3"  # auto: espeak's
    with pytest.raises(UsageError) as caught:
        choose_engine(modelled, "piper", "gmw/en-us")
    assert caught.value.option == "--voice"
    monkeypatch.setenv(ENGINE_ENV, "piper")  # a preference, not a command
    assert choose_engine(routine(), None, "gmw/en-us").engine == "pyttsx3"
    german = load_routine(template_path("hand-massage-de"))
    assert choose_engine(german).engine == "pyttsx3"


# --- end to end --------------------------------------------------------------------------------


@needs_natural
@pytest.mark.parametrize("engine", ["piper", "pyttsx3"])
def test_render_with_either_engine_says_which_and_records_it(tmp_path: Path, engine: str):
    out = tmp_path / "short.mp3"
    result = run("render", str(routine_file(tmp_path)), "--engine", engine, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    voice = {"piper": "en_US-joe-medium", "pyttsx3": "gmw/en"}[engine]
    assert f"voice: {engine} ({voice}): asked for\n" in result.stdout
    info = run("info", str(out))
    assert f"engine={engine}, engine_reason=asked for" in info.stdout
    assert f"voice={voice}," in info.stdout


@needs_natural
@pytest.mark.usefixtures("auto")
def test_render_under_auto_says_why_and_the_sidecar_records_it(tmp_path: Path) -> None:
    english, german = tmp_path / "en", tmp_path / "de"
    english.mkdir()
    german.mkdir()
    result = run(
        "render", str(routine_file(english)), "-o", str(english / "s.wav"), "--transcript", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert "voice: piper (en_US-joe-medium): auto, natural voice for 'en'\n" in result.stdout
    sidecar = json.loads((english / "s.json").read_text())
    assert json.dumps(sidecar).count('"engine": "piper"') == 1
    result = run("render", str(routine_file(german, "de")), "-o", str(german / "s.wav"))
    assert result.exit_code == 0, result.stderr
    assert "voice: pyttsx3 (gmw/de): auto, no natural voice for language 'de'\n" in result.stdout


@needs_natural
def test_plan_with_piper_measures_the_natural_voice(tmp_path: Path) -> None:
    path = str(routine_file(tmp_path))
    plans = {
        engine: json.loads(run("plan", path, "--engine", engine, "--json").stdout)
        for engine in ("piper", "pyttsx3")
    }
    speech = {
        engine: [e["duration_ms"] for e in plan["events"] if e["kind"] == "speech"]
        for engine, plan in plans.items()
    }
    assert len(speech["piper"]) == len(speech["pyttsx3"]) > 0
    assert speech["piper"] != speech["pyttsx3"]  # each measured from its own clips


@pytest.mark.slow  # two cold calibrations and renders with the natural voice
@needs_natural
def test_two_cold_renders_with_piper_are_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ship: Callable[..., None]
) -> None:
    ship()  # measured here, as on a machine whose Piper has no shipped calibration
    outputs = []
    for attempt in ("one", "two"):
        monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(tmp_path / f"cache-{attempt}"))
        out = tmp_path / f"{attempt}.flac"
        result = run("render", str(routine_file(tmp_path)), "--engine", "piper", "-o", str(out))
        assert result.exit_code == 0, result.stderr
        assert list((tmp_path / f"cache-{attempt}").glob("calibration-*/*.json"))
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@needs_natural
def test_say_writes_a_wav_sample_atomically(tmp_path: Path) -> None:
    out = tmp_path / "sample.wav"
    out.write_bytes(b"an older sample")
    result = run("say", "Rest your hands in your lap.", "--engine", "piper", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{out}: ") and lines[0].endswith(" s")
    assert lines[1] == "voice: piper (en_US-joe-medium): asked for"
    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22_050)
        assert 1.0 < wav.getnframes() / 22_050 < 4.0
    assert [p.name for p in tmp_path.iterdir()] == ["sample.wav"]  # no part file left


def test_say_with_espeak_at_a_rate(tmp_path: Path) -> None:
    slow, fast = tmp_path / "slow.wav", tmp_path / "fast.wav"
    for path, rate in ((slow, "100"), (fast, "200")):
        result = run(
            "say", "Rest your hands.", "--engine", "pyttsx3", "--rate", rate, "-o", str(path)
        )
        assert result.exit_code == 0, result.stderr
    assert slow.stat().st_size > 1.5 * fast.stat().st_size


@needs_natural
def test_say_without_o_plays_the_sample_through_the_sessions_player(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = tmp_path / "heard.wav"
    monkeypatch.setenv("VOICEGUIDE_PLAYER", f"cp {{file}} {heard}")  # a player that keeps it
    result = run("say", "Breathe out slowly.", "--engine", "piper")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "voice: piper (en_US-joe-medium): asked for\n"
    with wave.open(str(heard), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, 22_050)
        assert wav.getnframes() > 22_050 // 2


@needs_natural
def test_voices_of_one_engine_only() -> None:
    result = run("voices", "--engine", "pyttsx3", "--language", "de")
    assert result.exit_code == 0
    assert "gmw/de" in result.stdout
    assert "natural" not in result.stdout  # no note about natural voices when not asked


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["say", "Hello.", "-o", "sample.mp3"], "say writes WAV, so name it NAME.wav"),
        (["say", "  "], "there is nothing to say"),
        (["say", "Hello.", "--engine", "festival"], "'festival' is not a speech engine"),
        (["say", "Hello.", "--engine", "pyttsx3", "--voice", "klingon"], "unknown voice"),
    ],
)
def test_say_refuses_what_it_cannot_do(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
