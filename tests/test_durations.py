import pytest

from voiceguide.routine.durations import (
    format_ms,
    format_timestamp,
    format_units,
    parse_duration_ms,
)


@pytest.mark.parametrize(
    ("text", "expected_ms"),
    [
        ("90s", 90_000),
        ("1m30s", 90_000),
        ("1:30", 90_000),
        ("15m", 900_000),
        ("500ms", 500),
        ("1h", 3_600_000),
        ("1.5s", 1500),
        ("0:45", 45_000),
        ("1:02:03", 3_723_000),
        ("2m 30s", 150_000),
        ("1H30M", 5_400_000),
        ("10 s", 10_000),
        (" 1 h 30 m ", 5_400_000),
        ("99:59", 5_999_000),  # the first field of a clock is not bounded
        ("1:59:59.5", 7_199_500),
        ("99999h", 99_999 * 3_600_000),  # over any limit, but short: the callers bound it
    ],
)
def test_parses_durations_as_people_write_them(text, expected_ms):
    assert parse_duration_ms(text) == expected_ms


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("90", "'90' has no unit: write a duration such as 90s, 1m30s, 1:30, 15m or 500ms"),
        (
            "soon",
            "'soon' is not a duration: write a duration such as 90s, 1m30s, 1:30, 15m or 500ms",
        ),
        ("1m1m", "'1m1m' gives 'm' twice: write a duration such as 90s, 1m30s, 1:30, 15m or 500ms"),
        ("1:3", "'1:3' is not a duration: write a duration such as 90s, 1m30s, 1:30, 15m or 500ms"),
        (
            "1:99",
            "'1:99' is not a clock time: its seconds must run from 00 to 59: did you mean 2:39?",
        ),
        ("1:60.5", "'1:60.5' is not a clock time: its seconds must run from 00 to 59"),
        (
            "1:75:00",
            "'1:75:00' is not a clock time: its minutes and seconds must run from 00 to 59: "
            "did you mean 2:15:00?",
        ),
        (
            "1 0 s",
            "'1 0 s' has a space inside a number: remove it, or give each number its own unit "
            "as in 1m 30s",
        ),
        (
            "1. 5s",
            "'1. 5s' has a space inside a number: remove it, or give each number its own unit "
            "as in 1m 30s",
        ),
        (
            "1: 30",
            "'1: 30' is not a duration: write a duration such as 90s, 1m30s, 1:30, 15m or 500ms",
        ),
        (
            "\x1b]0;x",
            "'\\x1b]0;x' is not a duration: write a duration such as 90s, 1m30s, 1:30, 15m "
            "or 500ms",
        ),
    ],
)
def test_rejects_what_is_not_a_duration_with_a_hint(text, message):
    with pytest.raises(ValueError) as error:
        parse_duration_ms(text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("duration_ms", "plain", "precise"),
    [
        (0, "0:00", "0:00.0"),
        (905_349, "15:05", "15:05.3"),
        (59_960, "1:00", "1:00.0"),
        (3_725_000, "1:02:05", "1:02:05.0"),
        (-1500, "-0:02", "-0:01.5"),
    ],
)
def test_formats_clock_times(duration_ms, plain, precise):
    assert format_ms(duration_ms) == plain
    assert format_ms(duration_ms, precise=True) == precise


@pytest.mark.parametrize(
    ("duration_ms", "decimal", "stamp"),
    [(0, ".", "00:00:00.000"), (3_725_300, ".", "01:02:05.300"), (61_005, ",", "00:01:01,005")],
)
def test_formats_fixed_width_timestamps(duration_ms, decimal, stamp):
    assert format_timestamp(duration_ms, decimal) == stamp
    assert parse_duration_ms(stamp.replace(",", ".")) == duration_ms


@pytest.mark.parametrize("text", ["9" * 5000 + "s", "1:" + "9" * 5000, "1." + "0" * 40 + "s"])
def test_refuses_a_duration_too_long_to_be_one_before_reading_its_numbers(text):
    with pytest.raises(ValueError) as error:
        parse_duration_ms(text)
    assert str(error.value) == (
        f"'{text[:30]}...' ({len(text):,} characters) is too long for a duration "
        "(at most 32 characters): "
        "write a duration such as 90s, 1m30s, 1:30, 15m or 500ms"
    )


@pytest.mark.parametrize(
    ("duration_ms", "written"),
    [(180_000, "3m"), (5_415_500, "1h30m15s500ms"), (500, "500ms"), (3_600_000, "1h"), (0, "0s")],
)
def test_format_units_writes_what_the_parser_reads(duration_ms, written):
    assert format_units(duration_ms) == written
    assert parse_duration_ms(written) == duration_ms
