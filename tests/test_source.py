"""Reading a routine file into YAML nodes: what is refused before any YAML is parsed, each
refusal one located line saying what to do."""

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.errors import RoutineError
from voiceguide.routine.loader import load_routine
from voiceguide.routine.source import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    NO_SUCH_FILE,
    compose,
    decode_text,
    file_problem,
    read_text,
    refused_character,
)

EXE = Path(sys.executable).with_name("voiceguide")


def refusal(call, *args) -> list[str]:
    with pytest.raises(RoutineError) as caught:
        call(*args)
    return caught.value.lines()


def test_a_utf8_file_is_read_and_its_byte_order_mark_dropped(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes(codecs.BOM_UTF8 + "title: Hände\n".encode())
    assert read_text(path) == "title: Hände\n"


def test_what_is_not_a_regular_file_is_named_and_never_opened(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert file_problem(tmp_path / "missing.yaml") == "no such file"
    assert file_problem(tmp_path) == "is a directory"
    assert file_problem(fifo) == "is a named pipe (FIFO), not a file"
    assert file_problem(tmp_path / "a\0b") == "no such file"
    assert refusal(read_text, fifo) == [
        f"{fifo}: is a named pipe (FIFO), not a file: give the path of a routine file (.yaml)"
    ]
    assert refusal(read_text, tmp_path / "gone.yaml")[0].endswith(
        "no such file: check the path, or run 'voiceguide templates'"
    )


def test_a_file_too_big_for_a_routine_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert refusal(read_text, path) == [
        f"{path}: is over {MAX_FILE_BYTES:,} bytes, too big for a routine: "
        "check that this is the routine file"
    ]


def test_text_that_is_not_utf8_is_refused_where_it_goes_wrong():
    utf16 = codecs.BOM_UTF16_LE + "a: b".encode("utf-16-le")
    assert refusal(decode_text, utf16, "r.yaml") == ["r.yaml:1:1: is UTF-16 text: save it as UTF-8"]
    assert refusal(decode_text, "title: Ä\nsay: caf\xe9\n".encode("latin-1"), "r.yaml") == [
        "r.yaml:1:8: is not UTF-8 text: save it as UTF-8"
    ]
    assert refusal(decode_text, "a: ü\nb: x\0".encode(), "r.yaml") == [
        "r.yaml:2:5: has NUL bytes, so it is not UTF-8 text: save it as UTF-8"
    ]


def test_plain_yaml_composes_into_nodes_not_objects():
    root = compose("title: Hands\nsections:\n  - say: Hello.\n", "r.yaml")
    assert [key.value for key, _ in root.value] == ["title", "sections"]


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (
            "a: &x [1]\nb: *x\n",  # no billion laughs
            "r.yaml:2:4: aliases (*name) are not supported in routines: write the item out, "
            "or use for_each_side or rounds to repeat it",
        ),
        (
            "a: !!python/object:os.system {}\n",
            "r.yaml:1:4: the tag !!python/object:os.system is not supported: a routine is "
            "plain data; remove it",
        ),
        (
            "? [a, b]\n: c\n",
            "r.yaml:1:3: a key must be a name such as 'title', not a list or a mapping",
        ),
        (
            "",
            "r.yaml:1:1: is empty: a routine needs at least 'version', 'title' and 'sections'",
        ),
    ],
)
def test_what_is_not_plain_bounded_data_is_refused_at_its_place(text, refused):
    assert refusal(compose, text, "r.yaml") == [refused]


def test_a_yaml_syntax_error_is_located_with_a_hint():
    [line] = refusal(compose, "a: [b\n", "r.yaml")
    assert line.startswith("r.yaml:2:1: YAML syntax error: ")
    assert line.endswith(
        ": check indentation, brackets and quotes (text containing ': ' needs quotes)"
    )


def test_nesting_deeper_than_the_limit_is_refused():
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    [line] = refusal(compose, deep, "r.yaml")
    assert line.startswith("r.yaml:1:")
    compose("a: " + "[" * (MAX_DEPTH // 2) + "]" * (MAX_DEPTH // 2) + "\n", "r.yaml")


def test_unicode_line_separators_are_spaces_so_line_numbers_match_the_editor():
    [line] = refusal(compose, "a: one\u2028two\nb: [\n", "r.yaml")
    assert line.startswith("r.yaml:3:1:"), line  # not 4: U+2028 broke no line
    parsed = compose('a: "one\u2028two"\n', "r.yaml")
    assert parsed.value[0][1].value == "one two"


@pytest.mark.parametrize(
    ("text", "named"),
    [("a\x1bb", "U+001B"), ("\ud800", "U+D800"), ("left\u202eright", "U+202E")],
)
def test_characters_no_one_can_see_or_hear_are_refused_by_code_point(text, named):
    assert named in refused_character(text)
    assert refused_character("Tab\tand line\nand Hände, 手, 👋") is None
    [line] = refusal(compose, f'say: "{text.encode("unicode_escape").decode()}"\n', "r.yaml")
    assert named in line and line.startswith("r.yaml:1:")


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
