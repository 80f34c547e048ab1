"""Reading a routine file: what is refused before any YAML is parsed, each with one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.errors import RoutineError
from voiceguide.routine.loader import load_routine
from voiceguide.routine.source import NO_SUCH_FILE, file_problem

EXE = Path(sys.executable).with_name("voiceguide")


def test_missing_file_and_directory_are_reported(tmp_path):
    with pytest.raises(RoutineError) as missing:
        load_routine(tmp_path / "nope.yaml")
    assert missing.value.lines() == [
        f"{tmp_path / 'nope.yaml'}: no such file: check the path, or run 'voiceguide templates'"
    ]
    with pytest.raises(RoutineError) as directory:
        load_routine(tmp_path)
    assert directory.value.lines() == [
        f"{tmp_path}: is a directory: give the path of a routine file (.yaml)"
    ]


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"version: 1\ntitle: Caf\xe9\nsections:\n  - say: hi\n")
    with pytest.raises(RoutineError) as error:
        load_routine(path)
    assert error.value.lines() == [f"{path}:2:11: is not UTF-8 text: save it as UTF-8"]


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\ntitle: t\nsections:\n  - say: hi\n")
    assert load_routine(path).title == "t"


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda tmp: _fifo(tmp / "r.yaml"), "is a named pipe (FIFO), not a file"),
        (lambda tmp: Path("/dev/null"), "is a device, not a file"),
        (lambda tmp: tmp, "is a directory"),
    ],
    ids=["fifo", "device", "folder"],
)
def test_a_routine_that_is_not_a_regular_file_is_named_and_never_opened(tmp_path, make, said):
    path = make(tmp_path)
    done = subprocess.run(
        [str(EXE), "validate", str(path)], capture_output=True, text=True, timeout=20, check=False
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"{path}: {said}: give the path of a routine file (.yaml)\n"


def test_file_problem_names_each_kind_of_path(tmp_path):
    (tmp_path / "f").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert file_problem(tmp_path / "f") is None
    assert file_problem(tmp_path / "missing") == NO_SUCH_FILE
    assert file_problem(tmp_path / "f" / "under-a-file") == NO_SUCH_FILE
    assert file_problem(tmp_path / "loop") == "is a loop of symbolic links"
    assert file_problem(tmp_path / ("x" * 300)) == "has a name too long for the file system"
    assert file_problem(Path("a\0b")) == NO_SUCH_FILE
