"""Tags and chapters in finished audio files, written with mutagen and read back for `info`.

MP3 gets ID3v2.3: COMM for the description (ffmpeg can only write TXXX), one CHAP frame per
chapter under a top-level ordered CTOC (a CTOC counts its children in one byte, so past 255
chapters the top-level CTOC holds sub-CTOCs of at most 255 CHAPs each), the cover as APIC,
and the JSON record of what made the file as TXXX:voiceguide. FLAC and Ogg get Vorbis
comments in the usual ``CHAPTER001=00:01:05.000`` / ``CHAPTER001NAME=...`` form. WAV gets
nothing.
"""

from __future__ import annotations

import json
import math
import re
import stat
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TIT2, TLAN, TXXX, CTOCFlags

from voiceguide.errors import AudioError, ExitCode
from voiceguide.plan.timeline import Chapter
from voiceguide.routine.durations import format_timestamp
from voiceguide.routine.languages import UNDETERMINED

RECORD_KEY = "voiceguide"  # TXXX description / Vorbis comment holding the JSON record
_ID3_TEXT = {
    "title": "TIT2",
    "artist": "TPE1",
    "album": "TALB",
    "genre": "TCON",
    "language": "TLAN",
}
_COVER_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_COVER_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
# FLAC holds a picture in one metadata block of at most 16 MiB; a cover is rarely over 1 MB.
MAX_COVER_BYTES = 10_000_000
CTOC_MAX_CHILDREN = 255  # the CTOC frame counts its children in one byte


def write_tags(
    path: Path,
    format: str,
    tags: Mapping[str, str],
    chapters: Sequence[Chapter],
    record: Mapping[str, Any] | None = None,
    cover: Cover | None = None,
) -> None:
    """Add what ffmpeg cannot write to a freshly encoded file, in place."""
    try:
        if format == "mp3":
            _write_id3(path, tags, chapters, record, cover)
        elif format in ("flac", "ogg"):
            _write_vorbis(path, tags, chapters, record, cover if format == "flac" else None)
    except (MutagenError, OSError) as error:
        raise AudioError(f"cannot write tags to {path}: {error}") from None


def _write_id3(
    path: Path,
    tags: Mapping[str, str],
    chapters: Sequence[Chapter],
    record: Mapping[str, Any] | None,
    cover: Cover | None,
) -> None:
    id3 = ID3(path)
    language = tags.get("language", UNDETERMINED)
    if tags.get("language"):
        id3.add(TLAN(encoding=1, text=[language]))
    if tags.get("comment"):
        id3.add(COMM(encoding=1, lang=language, desc="", text=[tags["comment"]]))
    if record is not None:
        id3.add(TXXX(encoding=1, desc=RECORD_KEY, text=[json.dumps(record, sort_keys=True)]))
    ids = chapter_ids([chapter.title for chapter in chapters])
    for toc in _tables_of_contents(ids):
        id3.add(toc)
    for element_id, chapter in zip(ids, chapters, strict=True):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                sub_frames=[TIT2(encoding=1, text=[chapter.title])],
            )
        )
    if cover is not None:
        id3.add(APIC(encoding=1, mime=cover.mime, type=3, desc="Cover", data=cover.data))
    id3.save(path, v2_version=3)


def _write_vorbis(
    path: Path,
    tags: Mapping[str, str],
    chapters: Sequence[Chapter],
    record: Mapping[str, Any] | None,
    cover: Cover | None,
) -> None:
    """Vorbis comments for FLAC and Ogg; ``cover`` is only given for FLAC."""
    import mutagen

    audio = mutagen.File(path)
    if audio is None:
        raise AudioError(f"cannot write tags to {path}: ffmpeg's output is not readable")
    if audio.tags is None:
        audio.add_tags()
    if tags.get("comment"):
        audio.tags["COMMENT"] = tags["comment"]
    if tags.get("language"):
        audio.tags["LANGUAGE"] = tags["language"]
    if record is not None:
        audio.tags[RECORD_KEY.upper()] = json.dumps(record, sort_keys=True)
    for number, chapter in enumerate(chapters, start=1):
        audio.tags[f"CHAPTER{number:03d}"] = format_timestamp(chapter.start_ms)
        audio.tags[f"CHAPTER{number:03d}NAME"] = chapter.title
    if cover is not None:  # FLAC only for now: no METADATA_BLOCK_PICTURE for Ogg yet
        from mutagen.flac import Picture

        picture = Picture()
        picture.type, picture.mime, picture.data = 3, cover.mime, cover.data
        audio.add_picture(picture)
    audio.save()


def chapter_ids(titles: Sequence[str]) -> list[str]:
    """Element ids for CHAP frames that keep the chapters in time order in the file.

    mutagen saves frames sorted by their size, then by key (mutagen #506), and players and
    ffprobe list chapters in file order. So every CHAP frame is made the same size and its
    key sorts in time order: a zero-padded index, then padding that makes up for a shorter
    title (a UTF-16 title costs 2 bytes a unit, an id 1 byte a character).
    """
    width = max(3, len(str(len(titles) - 1)))
    units = [len(title.encode("utf-16-le")) // 2 for title in titles]
    longest = max(units, default=0)
    return [f"ch{index:0{width}d}" + "_" * (2 * (longest - n)) for index, n in enumerate(units)]


def _tables_of_contents(ids: list[str]) -> list[CTOC]:
    """The top-level CTOC over ``ids``, with a level of sub-CTOCs when there are too many."""
    if not ids:
        return []
    groups = [
        (f"toc{number:03d}", ids[first : first + CTOC_MAX_CHILDREN])
        for number, first in enumerate(range(0, len(ids), CTOC_MAX_CHILDREN))
    ]
    if len(groups) == 1:
        groups = []  # one level is enough: the CHAPs are the top level's children
    top = CTOC(
        element_id="toc",
        flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
        child_element_ids=[element_id for element_id, _ in groups] or ids,
        sub_frames=[TIT2(encoding=1, text=["Chapters"])],
    )
    subs = [CTOC(element_id=e, flags=CTOCFlags.ORDERED, child_element_ids=c) for e, c in groups]
    return [top, *subs]


class CoverError(AudioError):
    """--cover names no usable image (a usage error, found before rendering)."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class Cover:
    """A checked cover image: its bytes and their type."""

    path: Path
    mime: str
    data: bytes


def check_cover(cover: Path) -> None:
    """Refuse a cover before rendering, not after."""
    read_cover(cover)


def read_cover(cover: Path) -> Cover:
    """The cover's bytes, if it is a PNG or JPEG file of a size every format can hold."""
    if cover.suffix.lower() not in _COVER_TYPES:
        raise CoverError(f"cover {cover}: use a .png or .jpg image")
    try:
        status = cover.stat()
    except FileNotFoundError:
        raise CoverError(f"cover {cover}: no such file") from None
    except OSError as error:
        raise CoverError(f"cover {cover}: cannot read it: {error.strerror or error}") from None
    if not stat.S_ISREG(status.st_mode):
        raise CoverError(f"cover {cover}: not a regular file; give a .png or .jpg image file")
    if status.st_size > MAX_COVER_BYTES:
        raise CoverError(
            f"cover {cover}: {status.st_size:,} bytes, over the {MAX_COVER_BYTES:,} a cover "
            "may have; make it smaller (1000x1000 pixels is plenty)"
        )
    try:
        data = cover.read_bytes()
    except OSError as error:
        raise CoverError(f"cover {cover}: cannot read it: {error.strerror or error}") from None
    mime = next((m for magic, m in _COVER_MAGIC.items() if data.startswith(magic)), None)
    if mime is None:
        raise CoverError(
            f"cover {cover}: not a PNG or JPEG image (its first bytes say otherwise); "
            "give a .png or .jpg image"
        )
    return Cover(cover, mime, data)


# -- reading back --------------------------------------------------------------------------

# What mutagen raises on a damaged file besides its own errors (it parses hostile bytes).
_PARSE_ERRORS = (MutagenError, OSError, ValueError, EOFError, IndexError, KeyError, struct.error)
_VORBIS_TIME = re.compile(r"(\d{1,3}):([0-5]\d):([0-5]\d)(?:\.(\d{1,3}))?")


@dataclass(frozen=True)
class FileInfo:
    path: Path
    duration_ms: int
    tags: dict[str, str]
    chapters: list[Chapter]
    record: dict[str, Any] | None
    has_cover: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # what could not be read, a line each


def read_info(path: Path) -> FileInfo:
    """What voiceguide wrote into a file: duration, tags, chapters and how it was made.

    A file voiceguide did not make is read as far as it goes: a tag that cannot be read is
    a line in ``problems``, not a failure. Only a regular file is opened (a FIFO would hang).
    """
    import mutagen

    _check_regular(path)
    try:
        audio = mutagen.File(path)
    except _PARSE_ERRORS as error:
        raise AudioError(f"cannot read {path}: {error or type(error).__name__}") from None
    if audio is None:
        raise AudioError(f"{path}: not an audio file voiceguide can read (mp3, flac, ogg, wav)")
    length_s = getattr(audio.info, "length", 0) or 0
    duration_ms = round(length_s * 1000) if math.isfinite(length_s) else 0
    if isinstance(audio.tags, ID3):
        return _id3_info(path, duration_ms, audio.tags)
    return _vorbis_info(path, duration_ms, audio)


def _check_regular(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise AudioError(f"{path}: no such file") from None
    except OSError as error:
        raise AudioError(f"cannot read {path}: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        from voiceguide.files import kind

        raise AudioError(f"{path}: is {kind(mode)}, not an audio file; give a file")


def _id3_info(path: Path, duration_ms: int, id3: ID3) -> FileInfo:
    tags = {name: str(id3[frame]) for name, frame in _ID3_TEXT.items() if frame in id3}
    comments = id3.getall("COMM")
    if comments:
        tags["comment"] = str(comments[0])
    chapters = [
        Chapter(str(c.sub_frames.get("TIT2", "")), None, c.start_time, c.end_time)
        for c in id3.getall("CHAP")
    ]
    records = [str(f) for f in id3.getall("TXXX") if f.desc == RECORD_KEY]
    record, problems = _record(records[0] if records else None)
    cover = bool(id3.getall("APIC"))
    return FileInfo(path, duration_ms, tags, chapters, record, cover, problems=problems)


def _vorbis_info(path: Path, duration_ms: int, audio: Any) -> FileInfo:
    vorbis = audio.tags.as_dict() if audio.tags is not None else {}
    comments = {key.lower(): values[0] for key, values in vorbis.items() if values}
    tags = {
        name: comments[name]
        for name in ("title", "artist", "album", "genre", "comment", "language")
        if name in comments
    }
    chapters, problems = _vorbis_chapters(comments, duration_ms)
    record, record_problems = _record(comments.get(RECORD_KEY))
    cover = bool(getattr(audio, "pictures", []))
    return FileInfo(
        path, duration_ms, tags, chapters, record, cover, problems=problems + record_problems
    )


def _vorbis_chapters(comments: dict[str, str], duration_ms: int) -> tuple[list[Chapter], list[str]]:
    """``CHAPTER001=00:01:05.000`` / ``CHAPTER001NAME=...``; a bad time is a problem line."""
    starts: list[tuple[int, str]] = []
    problems = []
    for key in sorted(k for k in comments if k.startswith("chapter") and k[7:].isdigit()):
        start_ms = _vorbis_time_ms(comments[key])
        if start_ms is None:
            problems.append(
                f"{key.upper()} is {comments[key]!r}, not a time such as 00:01:05.000: left out"
            )
        else:
            starts.append((start_ms, key))
    ends = [start for start, _ in starts[1:]] + [duration_ms] if starts else []
    chapters = [
        Chapter(comments.get(key + "name", ""), None, start_ms, max(start_ms, end_ms))
        for (start_ms, key), end_ms in zip(starts, ends, strict=True)
    ]
    return chapters, problems


def _vorbis_time_ms(text: str) -> int | None:
    found = _VORBIS_TIME.fullmatch(text.strip())
    if found is None:
        return None
    hours, minutes, seconds, fraction = found.groups()
    milliseconds = int((fraction or "0").ljust(3, "0"))
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + milliseconds


def _record(text: str | None) -> tuple[dict[str, Any] | None, list[str]]:
    """The JSON record of what made the file; a problem line when it is not one."""
    if text is None:
        return None, []
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return None, [f"the '{RECORD_KEY}' record is not JSON: left out"]
    if not isinstance(record, dict):
        return None, [f"the '{RECORD_KEY}' record is not a JSON object: left out"]
    return record, []
