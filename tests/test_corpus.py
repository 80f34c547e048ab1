"""Every invalid input in data/invalid is a located one-line message, never a traceback or a file.

Each case goes through the library, ``voiceguide validate``, ``plan`` and ``render``, and the
whole corpus once through the installed entry point in a real process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from corpus import INVALID, Case, cases
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.errors import RoutineError
from voiceguide.pipeline import validate_files
from voiceguide.routine.loader import load_routine

CASES = cases()
EXE = Path(sys.executable).with_name("voiceguide")
REFUSAL_S = 1.0  # the bar for the billion-laughs file, process start included
REFUSAL_BYTES = 2_000_000  # Python memory while refusing it (expanded, it would be ~10 GB)


def by_name(name: str) -> Case:
    return next(case for case in CASES if case.name == name)


def test_the_corpus_has_at_least_forty_cases_each_with_an_expectation() -> None:
    assert len(CASES) >= 40
    assert [case.name for case in CASES if not case.expected] == []


def test_missing_and_directory_cases_are_what_they_say() -> None:
    assert not by_name("missing-file").path.exists()
    assert by_name("directory").path.is_dir()
    assert by_name("empty-file").path.stat().st_size == 0
    # Committed symbolic links to themselves (a checkout without symlinks makes text files).
    for loop in (by_name("hostile-routine-symlink-loop").path, INVALID / "hostile-media" / "loop"):
        assert loop.is_symlink() and os.readlink(loop) == loop.name


def test_the_hostile_cases_cover_each_class_with_at_least_thirty_five() -> None:
    hostile = [case for case in CASES if case.name.startswith("hostile-")]
    assert len(hostile) >= 35
    media = INVALID / "hostile-media"
    assert (media / "not-sound.ogg").read_bytes().isascii()
    assert (media / "empty.wav").stat().st_size == 0


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_library_reports_the_exact_located_lines(case: Case) -> None:
    with pytest.raises(RoutineError) as error:
        validate_files([case.path])
    assert error.value.lines() == case.expected


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_validate_prints_them_and_exits_1(case: Case) -> None:
    result = CliRunner().invoke(app, ["validate", str(case.path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == case.expected
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_plan_prints_them_and_exits_1(case: Case) -> None:
    result = CliRunner().invoke(app, ["plan", str(case.path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == case.expected
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_render_prints_them_exits_1_and_writes_nothing(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(
        app, ["render", str(case.path), "--format", "wav", "-o", str(out / "session.wav")]
    )
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == case.expected
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert list(out.iterdir()) == []


def test_installed_validate_reports_the_whole_corpus_in_one_run() -> None:
    ordered = sorted(CASES, key=lambda case: str(case.path))
    done = subprocess.run(
        [str(EXE), "validate", *(str(case.path) for case in ordered)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    said = done.stderr.splitlines()
    expected = [line for case in ordered for line in case.expected]
    assert sorted(said) == sorted(expected)
    # Sorted by file: problems in the files that cases include fall among them by their path.
    own = tuple(f"{case.path}:" for case in ordered)
    assert [line for line in said if line.startswith(own)] == [
        line for line in expected if line.startswith(own)
    ]


def test_billion_laughs_is_refused_at_once_without_expanding() -> None:
    path = INVALID / "billion-laughs.yaml"
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(RoutineError, match="aliases"):
        load_routine(path)
    elapsed_s = time.perf_counter() - started
    _, peak_bytes = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed_s < 0.1
    assert peak_bytes < REFUSAL_BYTES


@pytest.mark.parametrize("command", ["validate", "render"])
def test_billion_laughs_is_refused_within_a_second_by_a_real_process(
    command: str, tmp_path: Path
) -> None:
    def refused(name: str) -> tuple[list[str], float]:
        """What the process said refusing that case, and the CPU it took (not wall time:
        the bar is the work done, whatever else the machine is doing)."""
        argv = [str(EXE), command, str(INVALID / f"{name}.yaml")]
        if command == "render":
            argv += ["-o", str(tmp_path / "s.mp3")]
        child = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(child.pid, 0)
        assert child.stderr is not None and os.waitstatus_to_exitcode(status) == 1
        return child.stderr.read().decode().splitlines(), usage.ru_utime + usage.ru_stime

    said, cpu_s = refused("billion-laughs")
    assert said == by_name("billion-laughs").expected
    assert list(tmp_path.iterdir()) == []
    # Starting the command is most of it (0.6 to 0.9 s of CPU: typer builds a converter for
    # every option), so on a loaded machine the bar is kept as the file's own share: no more
    # than a refusal of a short file of aliases, and a quarter of a second.
    if cpu_s >= REFUSAL_S:
        assert cpu_s < refused("aliases")[1] + 0.25


def test_an_unknown_voice_from_the_command_line_is_not_blamed_on_the_file(
    tmp_path: Path,
) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text(
        "version: 1\ntitle: T\nvoice: {name: gmw/en}\nsections:\n  - say: Hi.\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        app, ["render", str(routine), "--voice", "robot", "-o", str(tmp_path / "r.mp3")]
    )
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--voice': unknown voice 'robot': use a voice id from "
        "'voiceguide voices' such as gmw/en, gmw/en-029, gmw/en-gb-scotland"
    )
    assert not (tmp_path / "r.mp3").exists()
