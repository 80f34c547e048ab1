"""Tags and chapters in finished audio files, written with mutagen and read back for `info`.

MP3 gets ID3v2.3: COMM for the description (ffmpeg can only write TXXX), one CHAP frame per
chapter under a top-level ordered CTOC, the cover as APIC, and the JSON record of what made
the file as TXXX:voiceguide. FLAC and Ogg get Vorbis comments in the usual
``CHAPTER001=00:01:05.000`` / ``CHAPTER001NAME=...`` form. WAV gets nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TIT2, TXXX, CTOCFlags

from voiceguide.durations import format_timestamp, parse_duration_ms
from voiceguide.errors import AudioError
from voiceguide.timeline import Chapter

RECORD_KEY = "voiceguide"  # TXXX description / Vorbis comment holding the JSON record
_ID3_TEXT = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "genre": "TCON"}
_COVER_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


class _TimeOrderedID3(ID3):
    """mutagen sorts frames by size when it saves (mutagen #506), scrambling CHAP frames, and
    players and ffprobe list chapters in file order. This keeps CHAP, CTOC and APIC frames in
    the order they were added, as mutagen itself already does for APIC."""

    def _write(self, config: Any) -> bytearray:
        from mutagen.id3._tags import save_frame

        first = ("TIT2", "TPE1", "TRCK", "TALB", "TPOS", "TDRC", "TCON")
        kept = ("CTOC", "CHAP", "APIC")
        frames = [(f, save_frame(f, config=config)) for f in self.values()]

        def sort_key(item: tuple[int, tuple[Any, bytes]]) -> tuple[int, int, str]:
            index, (frame, data) = item
            if frame.FrameID in first:
                return (first.index(frame.FrameID), len(data), frame.HashKey)
            if frame.FrameID in kept:
                return (len(first) + 1 + kept.index(frame.FrameID), index, "")
            return (len(first), len(data), frame.HashKey)

        return bytearray().join(d for _, (_, d) in sorted(enumerate(frames), key=sort_key))


def write_tags(
    path: Path,
    format: str,
    tags: Mapping[str, str],
    chapters: Sequence[Chapter],
    record: Mapping[str, Any] | None = None,
    cover: Path | None = None,
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
    cover: Path | None,
) -> None:
    id3 = _TimeOrderedID3(path)
    if tags.get("comment"):
        id3.add(COMM(encoding=1, lang="eng", desc="", text=[tags["comment"]]))
    if record is not None:
        id3.add(TXXX(encoding=1, desc=RECORD_KEY, text=[json.dumps(record, sort_keys=True)]))
    ids = [f"ch{index:03d}" for index in range(len(chapters))]
    if chapters:
        id3.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=1, text=["Chapters"])],
            )
        )
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
        id3.add(
            APIC(encoding=1, mime=_cover_type(cover), type=3, desc="Cover", data=cover.read_bytes())
        )
    id3.save(path, v2_version=3)


def _write_vorbis(
    path: Path,
    tags: Mapping[str, str],
    chapters: Sequence[Chapter],
    record: Mapping[str, Any] | None,
    cover: Path | None,
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
    if record is not None:
        audio.tags[RECORD_KEY.upper()] = json.dumps(record, sort_keys=True)
    for number, chapter in enumerate(chapters, start=1):
        audio.tags[f"CHAPTER{number:03d}"] = format_timestamp(chapter.start_ms)
        audio.tags[f"CHAPTER{number:03d}NAME"] = chapter.title
    if cover is not None:  # FLAC only for now: no METADATA_BLOCK_PICTURE for Ogg yet
        from mutagen.flac import Picture

        picture = Picture()
        picture.type, picture.mime, picture.data = 3, _cover_type(cover), cover.read_bytes()
        audio.add_picture(picture)
    audio.save()


def check_cover(cover: Path) -> None:
    """Refuse a cover before rendering, not after."""
    if cover.suffix.lower() not in _COVER_TYPES:
        raise AudioError(f"cover {cover}: use a .png or .jpg image")
    if not cover.is_file():
        raise AudioError(f"cover {cover}: no such file")


def _cover_type(cover: Path) -> str:
    check_cover(cover)
    return _COVER_TYPES[cover.suffix.lower()]


# -- reading back --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    path: Path
    duration_ms: int
    tags: dict[str, str]
    chapters: list[Chapter]
    record: dict[str, Any] | None
    has_cover: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def read_info(path: Path) -> FileInfo:
    """What voiceguide wrote into a file: duration, tags, chapters and how it was made."""
    import mutagen

    try:
        audio = mutagen.File(path)
    except (MutagenError, OSError) as error:
        raise AudioError(f"cannot read {path}: {error}") from None
    if audio is None:
        raise AudioError(f"{path}: not an audio file voiceguide can read (mp3, flac, ogg, wav)")
    duration_ms = round(audio.info.length * 1000)
    if isinstance(audio.tags, ID3):
        return _id3_info(path, duration_ms, audio.tags)
    return _vorbis_info(path, duration_ms, audio)


def _id3_info(path: Path, duration_ms: int, id3: ID3) -> FileInfo:
    tags = {name: str(id3[frame]) for name, frame in _ID3_TEXT.items() if frame in id3}
    comments = id3.getall("COMM")
    if comments:
        tags["comment"] = str(comments[0])
    chapters = [
        Chapter(str(c.sub_frames.get("TIT2", "")), None, c.start_time, c.end_time)
        for c in id3.getall("CHAP")
    ]
    records = [f for f in id3.getall("TXXX") if f.desc == RECORD_KEY]
    record = json.loads(str(records[0])) if records else None
    return FileInfo(path, duration_ms, tags, chapters, record, bool(id3.getall("APIC")))


def _vorbis_info(path: Path, duration_ms: int, audio: Any) -> FileInfo:
    vorbis = audio.tags.as_dict() if audio.tags is not None else {}
    comments = {key.lower(): values[0] for key, values in vorbis.items()}
    tags = {
        name: comments[name]
        for name in ("title", "artist", "album", "genre", "comment")
        if name in comments
    }
    starts = sorted(k for k in comments if k.startswith("chapter") and k[7:].isdigit())
    chapters = []
    for index, key in enumerate(starts):
        start_ms = parse_duration_ms(comments[key])
        end_ms = (
            parse_duration_ms(comments[starts[index + 1]])
            if index + 1 < len(starts)
            else duration_ms
        )
        chapters.append(Chapter(comments.get(key + "name", ""), None, start_ms, end_ms))
    record = json.loads(comments[RECORD_KEY]) if RECORD_KEY in comments else None
    return FileInfo(path, duration_ms, tags, chapters, record, bool(getattr(audio, "pictures", [])))
