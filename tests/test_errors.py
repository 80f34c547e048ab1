"""The one exception family: what each error prints, one line per problem, and its exit code."""

import pytest

from voiceguide.errors import (
    SHOWN_CHARS,
    AudioError,
    ExitCode,
    PlanError,
    Problem,
    RoutineError,
    SpeechError,
    TemplateNotFound,
    UsageError,
    VoiceguideError,
    printable,
    shown,
)


def test_problems_print_located_and_sorted_by_place():
    error = RoutineError(
        [
            Problem("b.yaml", 1, 1, "title", "is missing"),
            Problem("a.yaml", 9, 3, "sections[2].pause", "'x' is not a duration"),
            Problem("a.yaml", 2, 7, "", "is empty"),
            Problem("a.yaml", 0, 0, "", "no such file"),
        ]
    )
    assert error.lines() == [
        "a.yaml: no such file",
        "a.yaml:2:7: is empty",
        "a.yaml:9:3: sections[2].pause: 'x' is not a duration",
        "b.yaml:1:1: title: is missing",
    ]
    assert str(error) == "\n".join(error.lines())
    assert error.exit_code == ExitCode.FAILURE == 1


def test_what_a_file_holds_is_printed_inert_on_one_line():
    assert printable("a\x1b[2Jb\nc\u202ed\ud800") == "a\\x1b[2Jb\\nc\\u202ed\\ud800"
    assert printable("Hände, 手, tab\tok") == "Hände, 手, tab\\tok"
    assert Problem("r\n.yaml", 1, 2, "k\x07", "m").__str__() == "r\\n.yaml:1:2: k\\x07: m"
    assert PlanError(["too long\x1b", "and late"]).lines() == ["too long\\x1b", "and late"]
    assert SpeechError("engine said \x1b[31m").lines() == ["engine said \\x1b[31m"]


def test_a_shown_value_is_quoted_and_cut_to_a_readable_length():
    assert shown("15 minutes") == "'15 minutes'"
    long = shown("x" * 100)
    assert long == "'" + "x" * (SHOWN_CHARS - 10) + "...' (100 characters)"
    assert shown("a\nb") == "'a\\nb'"


def test_a_usage_error_names_its_option_and_exits_2():
    error = UsageError("--bitrate", "'loud' is not a bitrate")
    assert (error.option, error.exit_code) == ("--bitrate", ExitCode.USAGE)
    assert ExitCode.USAGE == 2
    assert error.lines() == ["Invalid value for '--bitrate': 'loud' is not a bitrate"]


@pytest.mark.parametrize(
    "kind", [RoutineError, PlanError, SpeechError, AudioError, TemplateNotFound]
)
def test_every_expected_failure_is_a_voiceguide_error_that_exits_1(kind):
    assert issubclass(kind, VoiceguideError) and kind.exit_code == 1


def test_interruptions_exit_as_the_shell_expects():
    assert (ExitCode.INTERRUPTED, ExitCode.TERMINATED) == (128 + 2, 128 + 15)
