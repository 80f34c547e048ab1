"""Chapters, tags, cover and the making-of record, read back by ffmpeg and mutagen."""

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from audio_utils import instrument
from mutagen import File as MutagenFile

from voiceguide.errors import AudioError
from voiceguide.output.export import export
from voiceguide.output.tags import chapter_ids, check_cover, read_info
from voiceguide.plan.timeline import Chapter
from voiceguide.routine.languages import iso_639_2

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
        [instrument(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
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


# --- many chapters ---------------------------------------------------------------------------

# 100 rounds of 3 named slots is a realistic interval session; 300 is past ID3's 255 per CTOC.
MANY = 300
SLOT_MS = 20


def many_chapters() -> tuple[Chapter, ...]:
    return tuple(
        Chapter(f"Round {n // 3 + 1} slot {n % 3 + 1}", None, n * SLOT_MS, (n + 1) * SLOT_MS)
        for n in range(MANY)
    )


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg"])
def test_three_hundred_chapters_are_written_and_read_back_in_order(tmp_path, fmt):
    chapters = many_chapters()
    path = tmp_path / f"many.{fmt}"
    export(tone_blocks(MANY * SLOT_MS / 1000), path, format=fmt, chapters=chapters)
    expected = [(c.start_ms, c.end_ms, c.title) for c in chapters]
    assert [(c.start_ms, c.end_ms, c.title) for c in read_info(path).chapters] == expected
    assert ffmpeg_chapters(path) == expected


def test_past_255_chapters_the_mp3_table_of_contents_nests(tmp_path):
    path = tmp_path / "many.mp3"
    export(tone_blocks(MANY * SLOT_MS / 1000), path, chapters=many_chapters())
    tables = {toc.element_id: toc for toc in MutagenFile(path).tags.getall("CTOC")}
    top = tables["toc"]
    assert top.flags & 0x01  # top level
    assert top.child_element_ids == ["toc000", "toc001"]
    assert [len(tables[child].child_element_ids) for child in top.child_element_ids] == [255, 45]
    children = [i for child in top.child_element_ids for i in tables[child].child_element_ids]
    assert [i.rstrip("_") for i in children] == [f"ch{n:03d}" for n in range(MANY)]


def test_chapter_ids_make_equal_frames_that_sort_in_time_order():
    titles = ["Intro", "Right hand: thumb 🖐", "", "Wrist"] + ["x"] * 997
    ids = chapter_ids(titles)
    sizes = {len(i) + len(t.encode("utf-16-le")) for i, t in zip(ids, titles, strict=True)}
    assert len(sizes) == 1  # every CHAP frame as long as the next
    assert sorted(ids) == ids and len(set(ids)) == len(ids)  # the key tie-break is time order


def test_up_to_255_chapters_keep_one_flat_table(tmp_path):
    path = tmp_path / "flat.mp3"
    export(tone_blocks(255 * SLOT_MS / 1000), path, chapters=many_chapters()[:255])
    [toc] = MutagenFile(path).tags.getall("CTOC")
    assert len(toc.child_element_ids) == 255


# --- covers are checked before rendering ---------------------------------------------------


def test_a_text_file_named_png_is_not_a_cover(tmp_path):
    fake = tmp_path / "cover.png"
    fake.write_text("just some notes\n")
    with pytest.raises(AudioError) as refused:
        check_cover(fake)
    assert str(refused.value) == (
        f"cover {fake}: not a PNG or JPEG image (its first bytes say otherwise); "
        "give a .png or .jpg image"
    )


def test_a_jpeg_cover_is_typed_by_its_bytes(tmp_path):
    cover = tmp_path / "photo.png"  # named .png, holds a JPEG
    cover.write_bytes(b"\xff\xd8\xff\xe0" + bytes(32))
    audio = MutagenFile(render(tmp_path, "mp3", cover))
    assert audio.tags.getall("APIC")[0].mime == "image/jpeg"


def test_a_cover_too_big_for_the_file_is_refused_naming_it(tmp_path):
    big = tmp_path / "big.png"
    with big.open("wb") as file:
        file.write(PNG)
        file.truncate(29_000_000)
    with pytest.raises(AudioError, match=rf"cover {big}: 29,000,000 bytes, over the 10,000,000"):
        check_cover(big)


def test_a_fifo_as_cover_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "cover.png"
    os.mkfifo(fifo)
    with pytest.raises(AudioError, match="not a regular file"):
        check_cover(fifo)


# --- info on files voiceguide did not make -------------------------------------------------


def test_info_on_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "s.mp3"
    os.mkfifo(fifo)
    with pytest.raises(AudioError) as refused:
        read_info(fifo)
    assert str(refused.value) == f"{fifo}: is a FIFO (named pipe), not an audio file; give a file"


def test_a_bad_chapter_time_and_a_record_that_is_not_json_are_reported_not_raised(tmp_path):
    path = render(tmp_path, "flac")
    audio = MutagenFile(path)
    audio.tags["CHAPTER002"] = "soon"
    audio.tags["VOICEGUIDE"] = "{not json"
    audio.save()
    info = read_info(path)
    assert [c.title for c in info.chapters] == ["A rather long opening chapter title", "End"]
    assert info.record is None
    assert info.problems == [
        "CHAPTER002 is 'soon', not a time such as 00:01:05.000: left out",
        "the 'voiceguide' record is not JSON: left out",
    ]


def test_an_id3_record_that_is_not_an_object_is_reported(tmp_path):
    from mutagen.id3 import TXXX

    path = render(tmp_path, "mp3")
    audio = MutagenFile(path)
    audio.tags.delall("TXXX:voiceguide")
    audio.tags.add(TXXX(encoding=1, desc="voiceguide", text=["[1, 2]"]))
    audio.save()
    info = read_info(path)
    assert (info.record, info.problems) == (
        None,
        ["the 'voiceguide' record is not a JSON object: left out"],
    )


def test_a_wav_with_300_chapters_is_written_without_them(tmp_path):
    """WAV carries no chapters (players ignore its cue chunks): the render still succeeds."""
    path = tmp_path / "many.wav"
    export(tone_blocks(MANY * SLOT_MS / 1000), path, format="wav", chapters=many_chapters())
    assert path.read_bytes()[:4] == b"RIFF"
    assert read_info(path).chapters == []


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg"])
def test_the_routines_language_is_in_the_language_and_comment_tags(tmp_path, fmt):
    path = tmp_path / f"de.{fmt}"
    tags = {"title": "Handmassage", "comment": "Eine Anleitung.", "language": "deu"}
    export(tone_blocks(), path, format=fmt, tags=tags)
    assert read_info(path).tags == tags
    if fmt == "mp3":
        id3 = MutagenFile(path).tags
        assert [(c.lang, str(c)) for c in id3.getall("COMM")] == [("deu", "Eine Anleitung.")]
        assert str(id3["TLAN"]) == "deu"


def test_languages_are_named_by_their_iso_639_2_codes():
    assert [iso_639_2(code) for code in ("de", "en-GB", "en_us", "pt-br", "yue", "xx")] == [
        "deu",
        "eng",
        "eng",
        "por",
        "yue",
        "und",
    ]
