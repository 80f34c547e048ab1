import pytest

from voiceguide.durations import format_ms, format_timestamp, parse_duration_ms


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
