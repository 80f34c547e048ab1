"""Command lines that must be refused, one case a file in tests/data/cli/.

A case reads like a terminal transcript::

    # why the command line is wrong (comments start with '#')
    $ voiceguide render hand-massage -o session.wav --format mp3
    exit 2
    Error: Invalid value for '--format': mp3 contradicts ...

The ``$`` line is split as a shell would (quotes work: ``--voice ''``); ``{9*5000}`` stands
for the character 9 written 5,000 times. Each case runs in an empty working folder. The
lines after ``exit`` are the exact standard error; for a usage error (exit 2) they follow the
two lines of usage and help that Typer prints first. Nothing may be written to standard
output or into the working folder.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voiceguide.cli import app

CASES = Path(__file__).parent / "data" / "cli"
# Also run through the installed `voiceguide` program, in a subprocess.
ENTRY_POINT_CASES = ("format-contradicts-extension", "length-zero", "background-unknown")
_REPEAT = re.compile(r"\{(.)\*(\d+)\}")


@dataclass(frozen=True)
class Case:
    name: str
    args: list[str]
    exit_code: int
    stderr: list[str]


def read_case(path: Path) -> Case:
    lines = [line for line in path.read_text("utf-8").splitlines() if not line.startswith("#")]
    command, status, *stderr = lines
    assert command.startswith("$ voiceguide "), f"{path.name}: first line: $ voiceguide ..."
    assert re.fullmatch(r"exit \d+", status), f"{path.name}: second line: exit N"
    expanded = _REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), command)
    return Case(path.stem, shlex.split(expanded)[2:], int(status.split()[1]), stderr)


def all_cases() -> list[Case]:
    return [read_case(path) for path in sorted(CASES.glob("*.case"))]


def error_lines(stderr: str, exit_code: int) -> list[str]:
    """Standard error without the usage and help lines that open a usage error."""
    lines = stderr.splitlines()
    if exit_code == 2:
        assert lines[0].startswith("Usage: voiceguide"), stderr
        assert re.fullmatch(r"Try 'voiceguide( \S+)? --help' for help\.", lines[1]), stderr
        assert lines[2] == "", stderr
        return lines[3:]
    return lines


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_there_are_enough_cases_and_every_one_reads():
    cases = all_cases()
    assert len(cases) >= 25
    assert set(ENTRY_POINT_CASES) <= {case.name for case in cases}


@pytest.mark.parametrize("case", all_cases(), ids=lambda case: case.name)
def test_case(case: Case, workdir: Path):
    result = CliRunner().invoke(app, case.args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, error_lines(result.stderr, case.exit_code)) == (
        case.exit_code,
        case.stderr,
    )
    assert result.stdout == ""
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("name", ENTRY_POINT_CASES)
def test_case_through_the_installed_program(name: str, workdir: Path):
    case = read_case(CASES / f"{name}.case")
    program = Path(sys.executable).with_name("voiceguide")
    done = subprocess.run(
        [str(program), *case.args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, error_lines(done.stderr, case.exit_code)) == (
        case.exit_code,
        case.stderr,
    )
    assert done.stdout == ""
    assert list(workdir.iterdir()) == []
