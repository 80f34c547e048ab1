"""The real pyttsx3 + espeak-ng engine, its library loading, and the engine registry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from voiceguide.errors import SpeechError
from voiceguide.tts import native, pyttsx3_engine
from voiceguide.tts.base import Clip
from voiceguide.tts.client import WorkerEngine
from voiceguide.tts.pyttsx3_engine import Pyttsx3Engine
from voiceguide.tts.registry import get_engine
from voiceguide.tts.speech import trim_silence

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDIBLE = 104  # -50 dBFS, the engine's own bar for "not silent"
SUBPROCESS_TIMEOUT_S = 60  # a hang shows up as a timeout, far above the ~1 s a run takes
WORDS = (
    *("sit", "comfortably", "rest", "one", "hand", "on", "a", "table", "stroke", "forearm"),
    *("wrist", "elbow", "back", "hold", "stretch", "breathe", "slowly", "thumb", "fingers"),
    *("palm", "press", "circle", "knuckles", "gently", "now", "switch", "sides"),
)


@pytest.fixture(scope="module")
def engine() -> Pyttsx3Engine:
    return Pyttsx3Engine()


def _phrase(index: int) -> str:
    """A distinct, pronounceable phrase for each index (no randomness: failures replay)."""
    picked = [WORDS[(index * 7 + k * 3) % len(WORDS)] for k in range(3 + index % 5)]
    return f"{' '.join(picked).capitalize()} {index}."


def _peak(clip: Clip) -> int:
    return int(np.abs(np.frombuffer(clip.pcm, dtype="<i2").astype(np.int32)).max())


def _run_python(
    code: str, env: dict[str, str] | None = None, timeout_s: float = SUBPROCESS_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=_child_env(env),
        cwd=REPO_ROOT,
    )


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment (ESPEAK_DATA_PATH included: native.py must cope with an inherited one)."""
    env = {k: v for k, v in os.environ.items() if k != native.SOURCE_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def _system_library_present() -> bool:
    """Whether a clean process can dlopen the system's libespeak-ng by soname."""
    probe = _run_python(f"import ctypes; ctypes.CDLL({native.SONAME!r})")
    return probe.returncode == 0


# --- synthesis in a loop -------------------------------------------------------------------


def test_a_hundred_phrases_in_a_loop_all_have_audio_and_honour_the_rate(
    engine: Pyttsx3Engine,
) -> None:
    """Alternating rates catches both lost utterances and lost rate changes (AUDIO-NOTES)."""
    durations_ms: dict[int, dict[int, int]] = {}
    for index in range(50):
        text = _phrase(index)
        for rate_wpm in (100, 300):
            clip = engine.synthesize(text, None, rate_wpm, 1.0)
            assert clip.sample_rate_hz == 22_050
            assert clip.frames > 0 and _peak(clip) > AUDIBLE, text
            durations_ms.setdefault(index, {})[rate_wpm] = trim_silence(clip).duration_ms
    for index, by_rate in durations_ms.items():
        # Three times the rate: about a third of the duration. Half is a safe, clear bar.
        assert by_rate[300] < 0.5 * by_rate[100], (_phrase(index), by_rate)


def test_rate_scales_duration_smoothly(engine: Pyttsx3Engine) -> None:
    text = "Use your palm to stroke your forearm from the wrist to the elbow and back."
    durations_ms = [
        trim_silence(engine.synthesize(text, None, rate, 1.0)).duration_ms
        for rate in (80, 150, 300, 400)
    ]
    assert durations_ms == sorted(durations_ms, reverse=True)
    assert durations_ms[0] / durations_ms[-1] > 3.5  # 400 / 80 = 5, less the fixed pauses


def test_volume_scales_the_level(engine: Pyttsx3Engine) -> None:
    loud = _peak(engine.synthesize("Breathe in slowly.", None, 150, 1.0))
    quiet = _peak(engine.synthesize("Breathe in slowly.", None, 150, 0.25))
    assert quiet < 0.4 * loud


def test_another_voice_is_used(engine: Pyttsx3Engine) -> None:
    text = "Rest your hand on the table."
    british = engine.synthesize(text, "gmw/en", 150, 1.0)
    american = engine.synthesize(text, "gmw/en-us", 150, 1.0)
    assert abs(british.frames - american.frames) > 200  # different voices, different timing


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("voice", ["en-gb", "nonsense", "GMW/EN "])
def test_unknown_voice_is_an_error_that_suggests_ids(engine: Pyttsx3Engine, voice: str) -> None:
    with pytest.raises(
        SpeechError, match=r"unknown voice .*: use a voice id from 'voiceguide voices' such as"
    ):
        engine.synthesize("Hello.", voice, 150, 1.0)


def test_unknown_voice_suggests_the_voice_for_that_language(engine: Pyttsx3Engine) -> None:
    with pytest.raises(SpeechError, match=r"such as gmw/en$"):
        engine.synthesize("Hello.", "en-gb", 150, 1.0)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_is_an_error(engine: Pyttsx3Engine, text: str) -> None:
    with pytest.raises(SpeechError, match="blank text"):
        engine.synthesize(text, None, 150, 1.0)


def test_unpronounceable_text_fails_naming_the_phrase(engine: Pyttsx3Engine) -> None:
    with pytest.raises(SpeechError, match=r'speech engine failed on "\.\.\.": .*silence'):
        engine.synthesize("...", None, 150, 1.0)


@pytest.mark.parametrize(("rate_wpm", "volume"), [(79, 1.0), (901, 1.0), (150, 0.0), (150, 1.5)])
def test_settings_out_of_range_are_errors(
    engine: Pyttsx3Engine, rate_wpm: int, volume: float
) -> None:
    with pytest.raises(SpeechError, match="must be"):
        engine.synthesize("Hello.", None, rate_wpm, volume)


def test_in_one_process_a_phrase_depends_on_what_was_said_before(engine: Pyttsx3Engine) -> None:
    """Why the speech worker exists: espeak-ng carries its pitch flutter and wave phase from one
    utterance to the next, so the same phrase said twice in one process differs."""
    first = engine.synthesize("Press your palm gently.", None, 150, 1.0)
    engine.synthesize("Something else, said in between.", None, 150, 1.0)
    assert engine.synthesize("Press your palm gently.", None, 150, 1.0) != first


def test_through_the_worker_a_phrase_is_the_same_whatever_was_said_before() -> None:
    engine = get_engine("pyttsx3")
    assert isinstance(engine, WorkerEngine)
    try:
        first = engine.synthesize("Press your palm gently.", None, 150, 1.0)
        for other in ("Something else, said in between.", "One.", "Two, three."):
            engine.synthesize(other, None, 150, 1.0)
        assert engine.synthesize("Press your palm gently.", None, 150, 1.0) == first
    finally:
        engine.close()


def test_an_error_leaves_the_engine_usable(engine: Pyttsx3Engine) -> None:
    with pytest.raises(SpeechError):
        engine.synthesize("...", None, 150, 1.0)
    assert _peak(engine.synthesize("Still here.", None, 150, 1.0)) > AUDIBLE


def test_a_failed_attempt_is_retried(
    engine: Pyttsx3Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read_clip = pyttsx3_engine._read_clip
    failures = iter([pyttsx3_engine._Failure("espeak wrote an empty WAV file")])

    def flaky_read_clip(path: Path) -> Clip:
        for failure in failures:
            raise failure
        return real_read_clip(path)

    monkeypatch.setattr(pyttsx3_engine, "_read_clip", flaky_read_clip)
    retries_before = engine.retries
    assert _peak(engine.synthesize("Try again.", None, 150, 1.0)) > AUDIBLE
    assert engine.retries == retries_before + 1


def test_a_phrase_that_never_finishes_times_out_and_the_engine_recovers(
    engine: Pyttsx3Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pyttsx3_engine, "BASE_TIMEOUT_S", 0.2)
    monkeypatch.setattr(pyttsx3_engine._Espeak, "_run", lambda self, text, path: None)
    with pytest.raises(SpeechError, match=r'failed on "Lost\.": no result after 0\.3 s \(after 3'):
        engine.synthesize("Lost.", None, 150, 1.0)
    monkeypatch.undo()
    assert _peak(engine.synthesize("Found.", None, 150, 1.0)) > AUDIBLE


# --- what the engine reports ---------------------------------------------------------------


def test_version_names_pyttsx3_espeak_and_the_library_source(engine: Pyttsx3Engine) -> None:
    version = engine.version()
    assert version.startswith("pyttsx3 ")
    assert "; espeak-ng 1." in version
    assert version.endswith(f"; {native.load_espeak()}")


def test_voices_include_english(engine: Pyttsx3Engine) -> None:
    voices = {voice.id: voice for voice in engine.voices()}
    assert "gmw/en" in voices
    assert "en-gb" in voices["gmw/en"].languages
    assert all(voice.gender in (None, "male", "female") for voice in voices.values())


# --- stdout and library loading, each in a fresh process -----------------------------------

SYNTHESIZE_THREE = """
    from voiceguide.tts.pyttsx3_engine import Pyttsx3Engine
    engine = Pyttsx3Engine()
    frames = [engine.synthesize(f"Phrase number {i}.", None, 150, 1.0).frames for i in range(3)]
"""


def test_synthesis_with_a_closed_stdout_does_not_hang() -> None:
    code = "import sys\nsys.stdout.close()\n" + textwrap.dedent(SYNTHESIZE_THREE)
    code += "print('frames', *frames, file=sys.stderr)\n"
    result = _run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("frames ")
    assert all(int(frames) > 0 for frames in result.stderr.split()[1:])


def test_synthesis_piped_into_a_closed_pipe_does_not_hang(tmp_path: Path) -> None:
    """``voiceguide ... | head -c0``: the reader is gone before synthesis starts."""
    script = tmp_path / "synthesize.py"
    report = tmp_path / "report.txt"
    script.write_text(
        "import os, sys, time\n"
        "deadline = time.monotonic() + 20\n"
        "while time.monotonic() < deadline:  # wait until the pipe's reader has gone\n"
        "    try:\n"
        "        os.write(1, b'x')\n"
        "    except BrokenPipeError:\n"
        "        break\n"
        "    time.sleep(0.01)\n"
        + textwrap.dedent(SYNTHESIZE_THREE)
        + f"open({str(report)!r}, 'w').write(' '.join(map(str, frames)))\n"
    )
    command = f"'{sys.executable}' -u '{script}' | head -c0"
    shell = subprocess.Popen(
        ["sh", "-c", command],
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
        cwd=REPO_ROOT,
        start_new_session=True,  # so that a hung pipeline can be killed as a whole
    )
    try:
        _, stderr = shell.communicate(timeout=SUBPROCESS_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(shell.pid, signal.SIGKILL)
        shell.communicate()
        pytest.fail("synthesis hung with its stdout piped into a closed pipe")
    assert report.exists(), stderr
    assert all(int(frames) > 0 for frames in report.read_text().split())


LIBRARY_CHECK = """
    from voiceguide.tts import native, pyttsx3_engine
    from voiceguide.tts.pyttsx3_engine import Pyttsx3Engine
    engine = Pyttsx3Engine()
    clip = engine.synthesize("Both hands now.", None, 150, 1.0)
    maps = open("/proc/self/maps").read().splitlines()
    mapped = sorted({line.split()[-1] for line in maps if "libespeak-ng" in line})
    print(native.load_espeak(), clip.frames, engine.version(), sep="|")
    print(*mapped, sep="|")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="espeakng-loader is Linux only")
def test_bundled_library_synthesizes_and_is_the_only_one_loaded() -> None:
    import espeakng_loader

    result = _run_python(LIBRARY_CHECK, {"VOICEGUIDE_ESPEAK": "bundled"})
    assert result.returncode == 0, result.stderr
    summary, mapped = result.stdout.splitlines()
    source, frames, version = summary.split("|")
    assert (source, version.endswith("; bundled")) == ("bundled", True)
    assert int(frames) > 0
    bundled_dir = str(Path(espeakng_loader.get_library_path()).resolve().parent)
    # pyttsx3's own dlopen("libespeak-ng.so.1") reused the bundled copy: no second library.
    assert [str(Path(p).resolve().parent) for p in mapped.split("|")] == [bundled_dir]


def test_system_library_synthesizes() -> None:
    if not _system_library_present():
        pytest.skip("no system libespeak-ng.so.1 here (Debian: apt-get install libespeak-ng1)")
    result = _run_python(LIBRARY_CHECK, {"VOICEGUIDE_ESPEAK": "system"})
    assert result.returncode == 0, result.stderr
    source, frames, _version = result.stdout.splitlines()[0].split("|")
    assert source == "system" and int(frames) > 0


def test_forcing_a_missing_system_library_says_what_to_install() -> None:
    if _system_library_present():
        pytest.skip("a system libespeak-ng is installed, so forcing it succeeds")
    result = _run_python(LIBRARY_CHECK, {"VOICEGUIDE_ESPEAK": "system"})
    assert result.returncode == 1
    assert "SpeechError: espeak-ng not found (VOICEGUIDE_ESPEAK=system): install it with " in (
        result.stderr
    )


def test_without_any_library_the_error_says_what_to_install(tmp_path: Path) -> None:
    site = tmp_path / "site"  # sitecustomize runs in every process, the speech worker's too
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import sys\nsys.modules['espeakng_loader'] = None  # as if the wheel were missing\n"
    )
    code = """
        from voiceguide.tts.registry import get_engine
        get_engine().synthesize("Hello.", None, 150, 1.0)
    """
    pythonpath = os.pathsep.join([str(site), str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
    result = _run_python(code, {"VOICEGUIDE_ESPEAK": "bundled", "PYTHONPATH": pythonpath})
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "voiceguide.errors.SpeechError: espeak-ng not found: install it with "
        "'apt-get install libespeak-ng1' or reinstall voiceguide to get espeakng-loader"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("auto", None), ("System", "system"), ("bundled", "bundled")],
)
def test_library_choice_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str | None
) -> None:
    monkeypatch.setenv(native.SOURCE_ENV, value)
    assert native.requested_source() == expected


def test_a_bad_library_choice_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(native.SOURCE_ENV, "homebrew")
    with pytest.raises(SpeechError, match="VOICEGUIDE_ESPEAK must be 'system', 'bundled'"):
        native.requested_source()


# --- registry --------------------------------------------------------------------------------


def test_unknown_engine_is_an_error() -> None:
    with pytest.raises(
        SpeechError, match="unknown speech engine 'say': choose one of fake, piper, pyttsx3"
    ):
        get_engine("say")


def test_importing_the_registry_and_speech_loads_no_audio_libraries() -> None:
    code = """
        import sys
        import voiceguide.tts.registry, voiceguide.tts.speech, voiceguide.tts.cache
        heavy = sorted(m for m in ("pyttsx3", "numpy", "pydub") if m in sys.modules)
        print(",".join(heavy))
    """
    result = _run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_phrases_leave_nothing_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each phrase's child leaves by os._exit (no exit handlers): its WAV's folder must go
    with the phrase, not at exit (which left one folder a phrase, 158,000 on one machine)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    engine = WorkerEngine("pyttsx3")
    try:
        for n in range(3):
            assert engine.synthesize(f"Phrase number {n}.", None, 150, 1.0).frames > 0
    finally:
        engine.close()
    assert list(temporary.iterdir()) == []


def test_a_module_in_the_current_folder_is_not_imported_by_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pickle.py").write_text("raise SystemExit('the folder\\'s pickle.py')\n")
    monkeypatch.chdir(tmp_path)
    engine = WorkerEngine("pyttsx3")
    try:
        assert engine.synthesize("Hello there.", None, 150, 1.0).frames > 0
    finally:
        engine.close()


def test_the_default_voice_is_the_one_espeak_started_with() -> None:
    """Checking a voice sets it in espeak-ng: the default must not follow it, even when it is
    first asked for after that (a fresh process: espeak starts once in each)."""
    code = textwrap.dedent(
        """
        from voiceguide.tts import pyttsx3_engine
        espeak = pyttsx3_engine._shared_espeak()
        espeak.resolve_voice("roa/fr")
        print(espeak.resolve_voice(None))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "gmw/en"
