"""Readers of single values, called directly on YAML nodes: what they return, and the one
located problem they report when the value is wrong."""

from __future__ import annotations

import pytest
import yaml

from voiceguide.routine import values
from voiceguide.routine.keys import BACKGROUND_KEYS, BEDTIME_KEYS, VOICE_KEYS, key_named
from voiceguide.routine.nodes import Report


def _read(reader, text: str, *args):
    """The reader's value for the YAML ``text``, and the messages it reported."""
    report = Report("v.yaml")
    value = reader(report, yaml.compose(text), "k", *args)
    return value, [problem.message for problem in report.problems]


@pytest.mark.parametrize(
    ("text", "expected_ms"), [("90s", 90_000), ("1:30", 90_000), ("15M", 900_000)]
)
def test_durations_are_read_from_their_text(text, expected_ms):
    assert _read(values.duration, text) == (expected_ms, [])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5s", "'-5s' is negative: write a positive duration such as 5s"),
        ("0s", "must be longer than 0: leave the key out for none"),
        ("13h", "'13h' is longer than the 12-hour limit of a session"),
        ("1" * 9 + "ms", f"'{'1' * 9}ms' is longer than the 12-hour limit of a session"),
    ],
)
def test_a_wrong_duration_is_one_message(text, message):
    assert _read(values.duration, text)[1] == [message]


def test_a_tail_fades_out_over_a_minute_and_a_ring_is_not_a_beat():
    assert _read(values.tail, "30s")[1] == [
        "a tail fades out over at least 1m: make it 1m or longer, or leave it out"
    ]
    assert _read(values.tail, "1m") == (60_000, [])
    assert _read(values.interval, "2s")[1] == [
        "'2s' is too often: make it 5s or longer (for a faster beat, use a step with 'each' "
        "and 'repeat_cue')"
    ]


def test_ranged_numbers_fall_back_and_say_the_range():
    rate = key_named(VOICE_KEYS, "rate")
    assert _read(values.bounded, "140", rate) == (140, [])
    assert _read(values.bounded, "1000", rate) == (80, ["1000 is out of range: use 80 to 400"])
    assert _read(values.bounded, "fast", rate) == (80, ["expected a whole number, got 'fast'"])
    volume = key_named(VOICE_KEYS, "volume")
    assert _read(values.number, "2", volume) == (1.0, ["2 is out of range: use 0.1 to 1"])
    assert _read(values.number, "nan", volume)[1] == ["expected a number from 0.1 to 1, got 'nan'"]


def test_levels_and_frequencies_take_an_optional_unit():
    level = key_named(BACKGROUND_KEYS, "level")
    assert _read(values.level, "-20dB", level) == (-20.0, [])
    assert _read(values.level, "-20", level) == (-20.0, [])
    assert _read(values.level, "0dB", level)[1] == ["0dB is out of range: use -60dB to -6dB"]
    beat = key_named(BACKGROUND_KEYS, "beat")
    assert _read(values.frequency, "10 Hz", beat) == (10.0, [])
    fall = key_named(BEDTIME_KEYS, "voice_fall")
    assert _read(values.level, "loud", fall)[1] == [
        "expected a level in dB such as 4dB, got 'loud'"
    ]


def test_a_huge_number_is_out_of_range_without_being_converted():
    rate = key_named(VOICE_KEYS, "rate")
    assert _read(values.bounded, "9" * 5000, rate)[1][0].endswith(
        "(5,000 characters) is out of range: use 80 to 400"
    )


def test_booleans_languages_and_choices():
    assert _read(values.boolean, "yes") == (True, [])
    assert _read(values.boolean, "maybe") == (False, ["expected true or false, got 'maybe'"])
    assert _read(values.language, "pt_BR") == ("pt-br", [])
    assert _read(values.language, "english")[1] == [
        "'english' is not a language code: write one such as en, de or en-gb"
    ]
    assert _read(values.choice, "gongg", ("bell", "gong"), "cue") == (
        None,
        ["unknown cue 'gongg': did you mean 'gong'? (choose from bell, gong)"],
    )


def test_text_is_one_line_and_never_empty():
    assert _read(values.text, "'a  b\n c'") == ("a b c", [])
    assert _read(values.text, "' '") == (None, ["is empty: write the text, or leave the key out"])
    assert _read(values.text, "[a]") == (None, ["expected text, got a list"])


def test_version_is_one():
    assert _read(values.version, "1") == (1, [])
    assert _read(values.version, "2") == (
        None,
        ["unsupported version '2': this voiceguide reads version 1"],
    )


def test_a_path_is_relative_to_the_routine_and_must_exist(tmp_path):
    (tmp_path / "rain.ogg").write_bytes(b"x")
    report = Report(str(tmp_path / "r.yaml"))
    found = values.path(report, yaml.compose("rain.ogg"), "background.file")
    assert found == str(tmp_path / "rain.ogg") and report.problems == []
    values.path(report, yaml.compose("snow.ogg"), "background.file")
    [problem] = report.problems
    assert problem.message.startswith("no such file 'snow.ogg' (looked for ")
