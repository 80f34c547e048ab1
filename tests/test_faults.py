"""Faults: a missing program, a folder that cannot be written, a full disk, a signal at any
moment, a damaged cache, a speech engine that fails or hangs on one phrase.

Each is met in a real ``voiceguide`` process with the real speech engine and ffmpeg: one
line on stderr that says what to do, the documented exit code, no traceback, no partial file,
and a cache the next render can trust. Where a fault must strike at an exact moment (during
synthesis, while tags are written), a few lines run before ``voiceguide.cli.main`` wrap the
function of that moment to send the signal from inside it.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voiceguide import ffmpeg as ffmpeg_module
from voiceguide.cli import app
from voiceguide.errors import AudioError
from voiceguide.ffmpeg import FFMPEG_ENV, FFMPEG_MISSING, ffmpeg_exe
from voiceguide.output import export as export_module
from voiceguide.output import sidecars as sidecars_module
from voiceguide.output.export import export
from voiceguide.tts.cache import LAYOUT, MEASURED, ClipCache
from voiceguide.tts.calibration import REFERENCE_SENTENCES, CalibrationStore

REPO_ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("voiceguide")
TIMEOUT_S = 120  # a hang shows up as a timeout, far above what any run here takes
# A drill with few phrases whose length can grow a lot: only 'Press' may repeat more.
DRILL = """\
version: 1
title: Fault drill
sections:
  - say: Welcome to the drill. Sit comfortably.
  - for_each_side: [right, left]
    steps:
      - name: Stroke
        say: Stroke your {side} forearm slowly.
        repeat: 3
        each: 3s
        count: true
      - name: Press
        say: Press your {side} palm gently.
        repeat: 2
        max_repeat: 1000
        each: 3s
  - say: Thank you. That is the end of the drill.
"""
DRILL_PHRASES = 9  # welcome, two per side, thanks, and the counts 1, 2, 3
# Python run before voiceguide's own main(): a hook that sends SIGNUM from inside a function.
SIGNAL_FROM_INSIDE = """
import os, sys
from importlib import import_module
owner = import_module(MODULE)
for part in OWNER:
    owner = getattr(owner, part)
real = getattr(owner, NAME)
calls = []
def hooked(*args, **kwargs):
    calls.append(1)
    if len(calls) == AT_CALL:
        os.kill(os.getpid(), SIGNUM)
    return real(*args, **kwargs)
setattr(owner, NAME, hooked)
"""


def child_env(cache_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache_dir), **extra}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def run_voiceguide(
    args: list[str], env: dict[str, str], prelude: str = "", **popen: object
) -> subprocess.CompletedProcess[str]:
    """The CLI in a real process; ``prelude`` runs first, in that process."""
    code = f"{textwrap.dedent(prelude)}\nimport sys\nfrom voiceguide.cli import main\n"
    code += f"sys.argv = ['voiceguide', *{args!r}]\nmain()\n"
    command = [sys.executable, "-c", code] if prelude else [str(EXE), *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False, **popen
    )  # type: ignore[call-overload, no-any-return]


def signal_prelude(module: str, name: str, at_call: int, signum: int) -> str:
    owner, _, attribute = name.rpartition(".")
    values = {
        "MODULE": repr(module),
        "OWNER": repr(owner.split(".") if owner else []),
        "NAME": repr(attribute),
        "AT_CALL": str(at_call),
        "SIGNUM": str(int(signum)),
    }
    prelude = SIGNAL_FROM_INSIDE
    for placeholder, value in values.items():
        prelude = prelude.replace(placeholder, value)
    return prelude


def cache_entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / LAYOUT).rglob("*.wav"))


def calibration_entries(cache_dir: Path) -> list[Path]:
    return sorted(CalibrationStore(cache_dir).directory.glob("*.json"))


def assert_cache_whole(cache_dir: Path) -> None:
    """Every file in the cache is a whole entry (a clip, the engine's rate calibration, or
    a measurement kept with them): no temporary files, nothing damaged."""
    files = sorted(p for p in cache_dir.rglob("*") if p.is_file())
    entries = cache_entries(cache_dir)
    calibrations = calibration_entries(cache_dir)
    measured = sorted((cache_dir / MEASURED).rglob("*.json"))
    assert files == sorted(entries + calibrations + measured), "a temporary file was left"
    cache, store = ClipCache(cache_dir), CalibrationStore(cache_dir)
    assert all(cache.get(path.stem) is not None for path in entries)
    assert all(store.get(path.stem) is not None for path in calibrations)
    assert all(json.loads(path.read_text())["fields"] for path in measured)


@pytest.fixture
def drill(tmp_path: Path) -> Path:
    path = tmp_path / "drill.yaml"
    path.write_text(DRILL, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the drill rendered once, uninterrupted, to drill.wav, and the cache of
    its own that the render filled (cache/)."""
    work = tmp_path_factory.mktemp("reference")
    (work / "drill.yaml").write_text(DRILL, encoding="utf-8")
    done = run_voiceguide(
        ["render", "drill.yaml", "--format", "wav", "-o", str(work / "drill.wav")],
        child_env(work / "cache"),
        cwd=work,
    )
    assert done.returncode == 0, done.stderr
    return work


@pytest.fixture(scope="module")
def reference(reference_work: Path) -> bytes:
    return (reference_work / "drill.wav").read_bytes()


@pytest.fixture
def reference_cache(tmp_path: Path, reference_work: Path) -> Path:
    """The test's own copy, tmp_path/cache, of the speech the reference render made."""
    return Path(shutil.copytree(reference_work / "cache", tmp_path / "cache"))


def render_again(drill: Path, out: Path, cache_dir: Path) -> bytes:
    """The drill rendered as the reference was (the file records the routine as given)."""
    done = run_voiceguide(
        ["render", drill.name, "--format", "wav", "-o", str(out)],
        child_env(cache_dir),
        cwd=drill.parent,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    return out.read_bytes()


# --- signals at any moment -------------------------------------------------------------------

MOMENTS = {
    # (module, function, at which call): the signal is sent from inside that call
    "synthesis": ("voiceguide.tts.client", "WorkerEngine.synthesize", 3),
    "tags": ("voiceguide.output.export", "write_tags", 1),
}


@pytest.mark.slow  # six renders, stopped while encoding two hours
@pytest.mark.parametrize("moment", ["synthesis", "mixing and encoding", "tags"])
@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_at_any_moment_leaves_no_file_and_a_whole_cache(
    drill: Path, tmp_path: Path, reference: bytes, moment: str, signum: int, exit_code: int
) -> None:
    out = tmp_path / "out" / "drill.wav"
    out.parent.mkdir()
    cache_dir = tmp_path / "cache"
    args = ["render", str(drill), "--format", "wav", "-o", str(out)]
    if moment in MOMENTS:
        done = run_voiceguide(args, child_env(cache_dir), signal_prelude(*MOMENTS[moment], signum))
        returncode, stderr = done.returncode, done.stderr
    else:  # a long session, signalled once the encoder writes its temporary file
        returncode, stderr = signal_when_encoding([*args, "--length", "2h"], out, signum, cache_dir)
    assert returncode == exit_code
    assert "Traceback" not in stderr
    assert list(out.parent.iterdir()) == []
    assert_cache_whole(cache_dir)
    if moment == "synthesis":
        assert 0 < len(cache_entries(cache_dir)) < DRILL_PHRASES  # it did stop midway
        assert render_again(drill, out, cache_dir) == reference  # made again, the same bytes
    else:
        assert render_again(drill, out, cache_dir) == reference


def signal_when_encoding(
    args: list[str], out: Path, signum: int, cache_dir: Path
) -> tuple[int, str]:
    child = subprocess.Popen(
        [str(EXE), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(cache_dir),
    )
    deadline = time.monotonic() + TIMEOUT_S
    while not list(out.parent.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(out.parent.iterdir()), "the render never started writing"
    child.send_signal(signum)
    _, stderr = child.communicate(timeout=TIMEOUT_S)
    return child.returncode, stderr


@pytest.mark.slow  # killed while encoding two hours
def test_a_render_killed_outright_is_cleaned_up_by_the_next(
    drill: Path, tmp_path: Path, reference: bytes
) -> None:
    out = tmp_path / "out" / "drill.wav"
    out.parent.mkdir()
    args = ["render", str(drill), "--format", "wav", "-o", str(out), "--length", "2h"]
    returncode, _ = signal_when_encoding(args, out, signal.SIGKILL, tmp_path / "cache")
    assert returncode == -signal.SIGKILL
    [left] = list(out.parent.iterdir())  # SIGKILL cannot be caught: its hidden file stays
    assert left.name.startswith(".drill.wav.") and left.name.endswith(".part")
    assert_cache_whole(tmp_path / "cache")
    assert render_again(drill, out, tmp_path / "cache") == reference


# --- a damaged cache -------------------------------------------------------------------------


# The drill's speech and the rate calibration made again (6 s): with --slow. Damaged entries
# are misses in test_tts_cache.py's quick tests.
@pytest.mark.slow
def test_damaged_cache_entries_are_synthesized_again_to_the_same_audio(
    drill: Path, tmp_path: Path, reference_cache: Path, reference: bytes
) -> None:
    cache_dir = reference_cache
    out = tmp_path / "out" / "drill.wav"
    out.parent.mkdir()
    entries = cache_entries(cache_dir)
    # The drill's phrases, and the clips the rate calibration measured.
    assert len(entries) >= DRILL_PHRASES + len(REFERENCE_SENTENCES)
    damages = [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: b"",  # emptied
        lambda data: data[:100] + bytes([data[100] ^ 0xFF]) + data[101:],  # one sample changed
        lambda data: b"RIFF" + os.urandom(len(data) - 4),  # garbage
    ]
    for index, entry in enumerate(entries):
        entry.write_bytes(damages[index % len(damages)](entry.read_bytes()))
    assert all(ClipCache(cache_dir).get(entry.stem) is None for entry in entries)
    for calibration in calibration_entries(cache_dir):  # measured again from the new clips
        calibration.unlink()
    assert render_again(drill, out, cache_dir) == reference  # made again, the same bytes
    assert cache_entries(cache_dir) == entries
    assert_cache_whole(cache_dir)


# --- the speech engine fails or hangs on one phrase ------------------------------------------

# The engine's limit for a phrase, made short: only the hung phrases are synthesized (the
# rest are in drill_to_fail's cache), and each costs three limits.
STUCK_BASE_S, STUCK_S_PER_CHAR = 0.1, 0.005
STUCK_ON_ONE_PHRASE = f"""
from voiceguide.tts import pyttsx3_engine
pyttsx3_engine.BASE_TIMEOUT_S = {STUCK_BASE_S}
pyttsx3_engine.TIMEOUT_S_PER_CHAR = {STUCK_S_PER_CHAR}
real_run = pyttsx3_engine._Espeak._run
def run(self, text, path):
    if "palm" not in text:  # espeak never answers on this phrase
        real_run(self, text, path)
pyttsx3_engine._Espeak._run = run
"""
BROKEN_ON_ONE_PHRASE = """
from voiceguide.tts import pyttsx3_engine
real_render = pyttsx3_engine._Espeak.render
def render(self, text, *settings):
    clip = real_render(self, text, *settings)
    if "left palm" in text:  # espeak's file for this phrase comes out empty, every time
        raise pyttsx3_engine._Failure("espeak wrote an empty WAV file")
    return clip
pyttsx3_engine._Espeak.render = render
"""


@pytest.fixture
def drill_to_fail(tmp_path: Path, reference_cache: Path) -> Path:
    """The drill with its Press step worded anew, and the reference render's cache: only the
    Press phrases, where the faults below strike, are made; the rest are in the cache."""
    text = DRILL.replace("palm gently.", "palm softly.")
    assert "palm softly." in text
    path = tmp_path / "drill.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def added_to_cache(tmp_path: Path, reference_work: Path) -> set[str]:
    """The clips a run from drill_to_fail's cache added to it (each checked whole by
    assert_cache_whole)."""
    before = {
        p.relative_to(reference_work / "cache") for p in cache_entries(reference_work / "cache")
    }
    after = {p.relative_to(tmp_path / "cache") for p in cache_entries(tmp_path / "cache")}
    assert before <= after  # nothing the run found was lost
    return {str(p) for p in after - before}


def in_every_process(tmp_path: Path, code: str, **extra: str) -> dict[str, str]:
    """An environment whose Python processes, the speech worker included, run ``code`` first
    (as ``sitecustomize``): faults of the engine happen in the worker, not in voiceguide."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(code))
    env = child_env(tmp_path / "cache", **extra)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    return env


def test_a_phrase_the_engine_never_finishes_times_out_and_names_it(
    drill_to_fail: Path, tmp_path: Path, reference_work: Path
) -> None:
    out = tmp_path / "drill.wav"
    started = time.monotonic()
    done = run_voiceguide(
        ["render", str(drill_to_fail), "--format", "wav", "-o", str(out)],
        in_every_process(tmp_path, STUCK_ON_ONE_PHRASE),
    )
    elapsed_s = time.monotonic() - started
    assert (done.returncode, done.stdout) == (1, "")
    timeout_s = STUCK_BASE_S + STUCK_S_PER_CHAR * len("Press your right palm softly.")
    assert done.stderr == (
        'speech engine failed on "Press your right palm softly.": no result after '
        f"{timeout_s:.1f} s (after 3 attempts): try again; if it fails again, reword that text\n"
    )
    assert not out.exists()  # never a file with a silent gap where the phrase should be
    assert elapsed_s < 3 * timeout_s + 15  # three timeouts and the process's own work
    assert added_to_cache(tmp_path, reference_work) == set()  # the hung phrase left nothing
    assert_cache_whole(tmp_path / "cache")


def test_a_phrase_the_engine_keeps_failing_on_is_named(
    drill_to_fail: Path, tmp_path: Path, reference_work: Path
) -> None:
    done = run_voiceguide(
        ["render", str(drill_to_fail), "--format", "wav", "-o", str(tmp_path / "drill.wav")],
        in_every_process(tmp_path, BROKEN_ON_ONE_PHRASE),
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        'speech engine failed on "Press your left palm softly.": espeak wrote an empty WAV file '
        "(after 3 attempts): try again; if it fails again, reword that text\n"
    )
    assert list(tmp_path.glob("*.wav")) == []
    assert added_to_cache(tmp_path, reference_work)  # the right palm's, made before it
    assert_cache_whole(tmp_path / "cache")


CRASHES_ON_ONE_PHRASE = """
import os, signal
from voiceguide.tts import pyttsx3_engine
real_render = pyttsx3_engine._Espeak.render
def render(self, text, *settings):
    if "left palm" in text:  # espeak-ng dies inside the library on this phrase
        os.kill(os.getpid(), signal.SIGSEGV)
    return real_render(self, text, *settings)
pyttsx3_engine._Espeak.render = render
"""


def test_an_engine_that_crashes_on_a_phrase_costs_one_line_not_the_process(
    drill_to_fail: Path, tmp_path: Path, reference_work: Path
) -> None:
    done = run_voiceguide(
        ["render", str(drill_to_fail), "--format", "wav", "-o", str(tmp_path / "drill.wav")],
        in_every_process(tmp_path, CRASHES_ON_ONE_PHRASE),
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        'speech engine failed on "Press your left palm softly.": the engine crashed (SIGSEGV) '
        "(after 3 attempts): try again; if it fails again, reword that text\n"
    )
    assert list(tmp_path.glob("*.wav")) == []
    assert added_to_cache(tmp_path, reference_work)  # the right palm's, made before the crash
    assert_cache_whole(tmp_path / "cache")


# --- missing programs ------------------------------------------------------------------------

WITHOUT_BUNDLED_FFMPEG = "import sys\nsys.modules['imageio_ffmpeg'] = None\n"
WITHOUT_BUNDLED_ESPEAK = "import sys\nsys.modules['espeakng_loader'] = None\n"


def test_without_ffmpeg_a_render_says_how_to_install_it_before_any_work(
    drill: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    env = child_env(tmp_path / "cache", PATH=str(empty))
    env.pop(FFMPEG_ENV, None)  # found as a user's would be, not the suite's choice
    done = run_voiceguide(
        ["render", str(drill), "-o", str(tmp_path / "drill.mp3")], env, WITHOUT_BUNDLED_FFMPEG
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, "", FFMPEG_MISSING + "\n")
    assert FFMPEG_MISSING.endswith("'apt-get install ffmpeg' or 'pip install imageio-ffmpeg'")
    assert not (tmp_path / "cache").exists()  # refused before synthesis
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "drill.yaml"]


def test_an_ffmpeg_path_that_names_nothing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FFMPEG_ENV, raising=False)
    monkeypatch.setattr(ffmpeg_module.shutil, "which", lambda name: None)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", "/nowhere/ffmpeg")
    with pytest.raises(AudioError) as raised:
        ffmpeg_exe()
    assert str(raised.value) == f"{FFMPEG_MISSING} (there is no program at /nowhere/ffmpeg)"


@pytest.mark.parametrize("command", ["render", "plan", "voices"])
def test_without_espeak_ng_every_speech_command_says_how_to_install_it(
    drill: Path, tmp_path: Path, command: str
) -> None:
    args = {"render": [str(drill), "-o", str(tmp_path / "d.mp3")], "plan": [str(drill)]}
    done = run_voiceguide(
        [command, *args.get(command, [])],
        in_every_process(tmp_path, WITHOUT_BUNDLED_ESPEAK, VOICEGUIDE_ESPEAK="bundled"),
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "espeak-ng not found: install it with 'apt-get install libespeak-ng1' or reinstall "
        "voiceguide to get espeakng-loader\n"
    )
    assert not (tmp_path / "d.mp3").exists()


# --- folders that cannot be written, a full disk ---------------------------------------------


def test_an_output_folder_that_does_not_exist_is_refused_before_any_work(
    drill: Path, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "drill.mp3"
    result = CliRunner().invoke(app, ["render", str(drill), "-o", str(out)])
    assert (result.exit_code, result.stdout) == (2, "")  # the -o given cannot be: usage
    assert result.stderr == f"cannot write {out}: no folder {out.parent}\n"
    assert not (tmp_path / "cache").exists()


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys")
def test_an_output_folder_that_cannot_be_written_is_refused_before_any_work(
    drill: Path, tmp_path: Path
) -> None:
    # /sys refuses every new file, even root's (permission bits would not stop root).
    result = CliRunner().invoke(app, ["render", str(drill), "-o", "/sys/kernel/drill.mp3"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "cannot write into /sys/kernel: Permission denied; choose another folder with -o\n"
    )
    assert not (tmp_path / "cache").exists()


def test_a_full_disk_while_exporting_is_one_line_and_leaves_nothing(
    drill: Path, tmp_path: Path, reference_cache: Path
) -> None:
    """The process may write files of at most 1 MB (RLIMIT_FSIZE): the session needs 11.
    Its speech is the reference render's (each clip is far under the limit)."""
    limit_bytes = 1_000_000
    out = tmp_path / "out" / "drill.wav"
    out.parent.mkdir()

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    done = run_voiceguide(
        ["render", str(drill), "--format", "wav", "-o", str(out)],
        child_env(reference_cache),
        preexec_fn=limit_file_size,
    )
    assert (done.returncode, done.stdout) == (1, "")
    [line] = done.stderr.splitlines()
    assert line.startswith(f"cannot write {out}: the disk is full or the file is over its size")
    assert line.endswith("; free some space, or choose another folder with -o")
    assert list(out.parent.iterdir()) == []
    assert_cache_whole(reference_cache)


def test_no_space_for_the_tags_is_an_audio_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    def disk_full(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(export_module, "write_tags", disk_full)
    out = tmp_path / "s.mp3"
    with pytest.raises(AudioError) as raised:
        export(iter([np.zeros((44_100, 2), dtype=np.int16)]), out)
    assert str(raised.value) == (
        f"cannot write {out}: No space left on device; free some space, or choose another "
        "folder with -o"
    )
    assert list(tmp_path.iterdir()) == []


def test_no_space_for_a_transcript_is_an_audio_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voiceguide.plan.planner import plan
    from voiceguide.routine.loader import load_routine_text
    from voiceguide.tts.fake import speech_ms

    timeline = plan(load_routine_text(DRILL), speech_ms)

    def disk_full(self: Path, *_: object, **__: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sidecars_module.Path, "write_bytes", disk_full)  # files.py writes bytes
    with pytest.raises(AudioError, match=r"drill\.srt: No space left on device; free some"):
        sidecars_module.write_sidecars(timeline, tmp_path / "drill.mp3", ["srt"])
    assert list(tmp_path.iterdir()) == []


# --- exit codes ------------------------------------------------------------------------------


def test_exit_codes_are_the_same_in_the_readme_and_every_help() -> None:
    from voiceguide.cli import EXIT_CODES
    from voiceguide.errors import ExitCode

    sentence = " ".join(EXIT_CODES.split())
    assert sentence == (
        "Exit codes: 0 success, 1 invalid routine or failed render, 2 usage error, "
        "130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."
    )
    assert [int(code) for code in ExitCode] == [0, 1, 2, 130, 143]
    assert sentence in " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())
    names = [command.name for command in app.registered_commands]
    assert "render" in names and "validate" in names
    for name in [None, *names]:
        result = CliRunner().invoke(app, [name, "--help"] if name else ["--help"])
        assert result.exit_code == 0, name
        assert sentence in " ".join(result.stdout.replace("│", " ").split()), name


def test_a_usage_error_exits_2(drill: Path) -> None:
    result = CliRunner().invoke(app, ["render", str(drill), "--pace", "fast"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
