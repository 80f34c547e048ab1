"""Chapters, tags, cover and the making-of record, read back by ffmpeg and mutagen."""

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from mutagen import File as MutagenFile

from voiceguide.errors import AudioError
from voiceguide.export import export, ffmpeg_exe
from voiceguide.tags import check_cover, read_info
from voiceguide.timeline import Chapter

RATE_HZ = 44_100
# Titles that shrink as time goes on: mutagen would save them biggest-last (#506).
CHAPTERS = (
    Chapter("A rather long opening chapter title", None, 0, 1000),
    Chapter("Middle title", None, 1000, 2500),
    Chapter("End", None, 2500, 4000),
)
TAGS = {
    "title": "T",
    "artist": "voiceguide",
    "album": "T",
    "genre": "Speech",
    "comment": "About this session.",
}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def tone_blocks(seconds: float = 4.0):
    frames = np.arange(int(seconds * RATE_HZ))
    tone = np.rint(3000 * np.sin(2 * np.pi * 440 * frames / RATE_HZ)).astype(np.int16)
    yield np.repeat(tone[:, None], 2, axis=1)


def render(tmp_path: Path, fmt: str, cover: Path | None = None) -> Path:
    path = tmp_path / f"s.{fmt}"
    export(
        tone_blocks(),
        path,
        format=fmt,
        tags=TAGS,
        chapters=CHAPTERS,
        record={"routine": "r.yaml", "pace": 0.8},
        cover=cover,
    )
    return path


def ffmpeg_chapters(path: Path) -> list[tuple[int, int, str]]:
    """Chapters as ffmpeg itself lists them, in file order."""
    report = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    ).stderr
    found = re.findall(
        r"Chapter #\d+:\d+: start ([\d.]+), end ([\d.]+)\n\s+Metadata:\n"
        r"\s+title\s+: (.*)\n",
        report,
    )
    return [(round(float(a) * 1000), round(float(b) * 1000), t) for a, b, t in found]


@pytest.mark.usefixtures("each_ffmpeg")
@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg"])
def test_chapters_read_back_exactly_and_in_time_order(tmp_path, fmt):
    path = render(tmp_path, fmt)
    info = read_info(path)
    assert [(c.start_ms, c.end_ms, c.title) for c in info.chapters] == [
        (c.start_ms, c.end_ms, c.title) for c in CHAPTERS
    ]
    if fmt == "mp3":
        assert ffmpeg_chapters(path) == [(c.start_ms, c.end_ms, c.title) for c in CHAPTERS]


@pytest.mark.parametrize("fmt", ["flac", "ogg"])
def test_vorbis_chapters_use_the_usual_comment_form(tmp_path, fmt):
    tags = MutagenFile(render(tmp_path, fmt)).tags
    assert tags["CHAPTER001"] == ["00:00:00.000"]
    assert tags["CHAPTER002"] == ["00:00:01.000"]
    assert tags["CHAPTER003NAME"] == ["End"]


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg"])
def test_tags_and_record_round_trip(tmp_path, fmt):
    info = read_info(render(tmp_path, fmt))
    assert info.tags == TAGS
    assert info.record == {"routine": "r.yaml", "pace": 0.8}
    assert abs(info.duration_ms - 4000) <= 60


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_cover_is_embedded_as_front_cover(tmp_path, fmt):
    cover = tmp_path / "cover.png"
    cover.write_bytes(PNG)
    path = render(tmp_path, fmt, cover)
    assert read_info(path).has_cover
    audio = MutagenFile(path)
    picture = audio.tags.getall("APIC")[0] if fmt == "mp3" else audio.pictures[0]
    assert (picture.type, picture.mime, picture.data) == (3, "image/png", PNG)


def test_tagged_mp3_is_still_byte_identical(tmp_path):
    first = render(tmp_path, "mp3").read_bytes()
    assert render(tmp_path, "mp3").read_bytes() == first


def test_a_bad_cover_is_refused(tmp_path):
    with pytest.raises(AudioError, match=r"use a \.png or \.jpg image"):
        check_cover(tmp_path / "cover.gif")
    with pytest.raises(AudioError, match="no such file"):
        check_cover(tmp_path / "missing.jpg")


def test_reading_a_non_audio_file_is_an_audio_error(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_text("not audio")
    with pytest.raises(AudioError):
        read_info(path)
