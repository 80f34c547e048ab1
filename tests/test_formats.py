"""Which format an output name asks for, and which bitrates each format takes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voiceguide.errors import AudioError, ExitCode, UsageError
from voiceguide.output.export import export
from voiceguide.output.formats import OGG_BITRATES_KBPS, check_bitrate, output_format


@pytest.mark.parametrize(
    ("out", "format", "split", "expected"),
    [
        (None, None, False, "mp3"),
        (None, "wav", False, "wav"),
        ("s.wav", None, False, "wav"),
        ("S.FLAC", None, False, "flac"),
        ("s.oga", None, False, "ogg"),
        ("s.ogg", "ogg", False, "ogg"),
        ("s.audio", "flac", False, "flac"),  # a name that is no format: --format decides
        ("-", None, False, "mp3"),  # standard output has no name to go by
        ("session", None, True, "mp3"),  # a split render's -o is a folder
        ("session", "ogg", True, "ogg"),
    ],
)
def test_the_format_follows_the_name(out, format, split, expected):
    assert output_format(Path(out) if out else None, format, split) == expected


@pytest.mark.parametrize(
    ("out", "format", "split", "option", "message"),
    [
        ("s.wav", "mp3", False, "--format", "mp3 contradicts the output name 's.wav', which"),
        ("s.mp4", None, False, "-o", "cannot tell the format of 's.mp4' from its name"),
        ("session", None, False, "-o", "cannot tell the format of 'session' from its name"),
        (None, "aiff", False, "--format", "'aiff' is not a format: use mp3, wav, flac or ogg"),
        ("s.mp3", None, True, "-o", "with --split, -o names a folder, and 's.mp3' is named"),
    ],
)
def test_a_name_and_format_that_disagree_are_a_usage_error(out, format, split, option, message):
    with pytest.raises(UsageError) as error:
        output_format(Path(out) if out else None, format, split)
    assert (error.value.option, error.value.exit_code) == (option, ExitCode.USAGE)
    assert error.value.message.startswith(message)
    assert str(error.value).startswith(f"Invalid value for '{option}': {message}")


@pytest.mark.parametrize(
    ("format", "bitrate", "channels"),
    [("mp3", None, 2), ("mp3", "32k", 1), ("mp3", "320k", 2), ("wav", None, 2), ("flac", None, 1)]
    + [("ogg", f"{kbps}k", ch) for ch, bounds in OGG_BITRATES_KBPS.items() for kbps in bounds],
)
def test_bitrates_the_format_takes_pass(format, bitrate, channels):
    check_bitrate(format, bitrate, channels)


@pytest.mark.parametrize(
    ("format", "bitrate", "channels", "message"),
    [
        ("mp3", "999k", 2, "mp3 has no 999k: use one of 32k, 40k, "),
        ("mp3", "16k", 2, "mp3 has no 16k: use one of 32k, 40k, "),
        ("ogg", "44k", 2, "44k is out of range for stereo ogg: use 45k to 500k"),
        ("ogg", "241k", 1, "241k is out of range for mono ogg: use 32k to 240k"),
        ("wav", "128k", 2, "wav is lossless and takes no bitrate: leave --bitrate out"),
        ("ogg", "128", 2, "'128' is not a bitrate: write one such as 128k or 192k"),
        (
            "mp3",
            "9" * 5000 + "k",
            2,
            "'999999999999999999999999999999...' (5,001 characters) is not a",
        ),
    ],
)
def test_bitrates_the_format_cannot_use_are_refused(format, bitrate, channels, message):
    with pytest.raises(UsageError) as error:
        check_bitrate(format, bitrate, channels)
    assert error.value.option == "--bitrate"
    assert error.value.message.startswith(message)


@pytest.mark.parametrize("channels", sorted(OGG_BITRATES_KBPS))
def test_the_ogg_range_is_the_encoders_own(tmp_path, channels):
    """The bounds encode; one step outside them the encoder itself refuses."""
    low, high = OGG_BITRATES_KBPS[channels]
    for kbps, encodes in ((low - 1, False), (low, True), (high, True), (high + 1, False)):
        blocks = [np.zeros((4410, channels), dtype=np.int16)]
        out = tmp_path / f"{kbps}.ogg"
        if encodes:
            export(iter(blocks), out, format="ogg", bitrate=f"{kbps}k", channels=channels)
        else:
            with pytest.raises(AudioError, match="ffmpeg failed"):
                export(iter(blocks), out, format="ogg", bitrate=f"{kbps}k", channels=channels)


@pytest.mark.parametrize(
    ("out", "bitrate", "recorded"),
    [("s.mp3", None, "128k"), ("s.ogg", "192k", "192k"), ("s.wav", None, None)],
)
def test_the_record_of_a_render_names_the_format_and_bitrate_used(out, bitrate, recorded):
    from voiceguide.request import RenderRequest

    record = RenderRequest(out_path=Path(out), bitrate=bitrate).settings_record()
    assert (record["format"], record["bitrate"]) == (Path(out).suffix[1:], recorded)
