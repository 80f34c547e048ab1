"""The audio formats voiceguide writes: which one a file name asks for, and their bitrates.

Checked before any work, so that a render never ends in a file that is not what its name
says, or in an encoder refusing a bitrate after minutes of synthesis. No audio library is
imported here: the CLI checks options with it before loading anything heavy.
"""

from __future__ import annotations

import re
from pathlib import Path

from voiceguide.errors import UsageError, shown

FORMATS = ("mp3", "wav", "flac", "ogg")
DEFAULT_FORMAT = "mp3"
DEFAULT_BITRATE = "128k"
EXTENSIONS = {".mp3": "mp3", ".wav": "wav", ".flac": "flac", ".ogg": "ogg", ".oga": "ogg"}
LOSSLESS = ("wav", "flac")
# MPEG-1 Layer III rates (44.1 kHz); LAME quietly rounds any other to its nearest.
MP3_BITRATES_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
# What libvorbis accepts at 44.1 kHz, by channel count (measured; 31k mono or 44k stereo fail).
OGG_BITRATES_KBPS = {1: (32, 240), 2: (45, 500)}


def output_format(out_path: Path | None, format: str | None, split: bool = False) -> str:
    """The format to write: the file name's extension, else ``format``, else mp3.

    A ``format`` that contradicts the extension, or a name whose extension is no format
    (with no ``format`` given), is a UsageError. A split render's ``out_path`` is a folder
    and standard output (``-``) has no name: only ``format`` counts for them.
    """
    if format is not None and format not in FORMATS:
        raise UsageError("--format", f"{shown(format)} is not a format: use {_choices(FORMATS)}")
    if out_path is None or str(out_path) == "-":
        return format or DEFAULT_FORMAT
    named = EXTENSIONS.get(out_path.suffix.lower())
    if split:
        if named is not None:  # a folder named like a file of one format, holding another's
            raise UsageError(
                "-o",
                f"with --split, -o names a folder, and {shown(out_path.name)} is named like a "
                f"{named} file: leave the extension out, and choose the format with --format",
            )
        return format or DEFAULT_FORMAT
    if named is None and format is None:
        raise UsageError(
            "-o",
            f"cannot tell the format of {shown(out_path.name)} from its name: end it in "
            f"{_choices(tuple(EXTENSIONS))}, or give --format",
        )
    if named is not None and format is not None and named != format:
        raise UsageError(
            "--format",
            f"{format} contradicts the output name {shown(out_path.name)}, which asks for "
            f"{named}: leave --format out, or name the file .{format}",
        )
    return named or format or DEFAULT_FORMAT


def check_bitrate(format: str, bitrate: str | None, channels: int = 2) -> None:
    """Refuse a bitrate the format cannot use (None: the format's default)."""
    if bitrate is None:
        return
    if format in LOSSLESS:
        raise UsageError(
            "--bitrate",
            f"{format} is lossless and takes no bitrate: leave --bitrate out, or choose "
            "--format mp3 or ogg",
        )
    match = re.fullmatch(r"(\d{1,4})k", bitrate)
    if match is None:
        raise UsageError(
            "--bitrate", f"{shown(bitrate)} is not a bitrate: write one such as 128k or 192k"
        )
    kbps = int(match.group(1))
    if format == "mp3" and kbps not in MP3_BITRATES_KBPS:
        rates = ", ".join(f"{rate}k" for rate in MP3_BITRATES_KBPS)
        raise UsageError("--bitrate", f"mp3 has no {kbps}k: use one of {rates}")
    if format == "ogg":
        low, high = OGG_BITRATES_KBPS[min(channels, 2)]
        if not low <= kbps <= high:
            layout = "mono" if channels == 1 else "stereo"
            raise UsageError(
                "--bitrate", f"{kbps}k is out of range for {layout} ogg: use {low}k to {high}k"
            )


def _choices(names: tuple[str, ...]) -> str:
    return f"{', '.join(names[:-1])} or {names[-1]}"
