"""Blocks of PCM to a file through ffmpeg, atomically.

The blocks are streamed to ffmpeg's stdin as raw 16-bit PCM, never held whole. ffmpeg
writes a temporary file next to the target, which replaces the target only once all went
well: a failure or Ctrl-C leaves no partial file behind (a render killed outright cannot
clean up: the next export to the same target removes what it left). Only a regular file is
ever replaced (see files.py). MP3 output is
byte-identical from run to run (bit-exact flags, no encoder timestamps or version strings).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import os
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from voiceguide.errors import AudioError
from voiceguide.ffmpeg import QUIET, ffmpeg_exe, last_line, run
from voiceguide.files import part_path, remove_stale_parts, replace, writable_path
from voiceguide.output.formats import FORMATS
from voiceguide.output.tags import Cover, read_cover, write_tags
from voiceguide.plan.timeline import Chapter
from voiceguide.tts.cache import remembered

TAG_KEYS = ("title", "artist", "album", "genre", "comment", "language")

_CODEC_ARGS = {
    "mp3": ["-c:a", "libmp3lame", "-id3v2_version", "3", "-write_xing", "1", "-f", "mp3"],
    "wav": ["-c:a", "pcm_s16le", "-rf64", "auto", "-f", "wav"],  # RF64 past 4 GB (8 hours)
    "flac": ["-c:a", "flac", "-f", "flac"],
    "ogg": ["-c:a", "libvorbis", "-f", "ogg"],
}
_BITEXACT_ARGS = ["-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DISK_FULL_WORDS = ("No space left on device", "Disk quota exceeded", "File too large")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    frames: int
    sample_rate_hz: int
    size_bytes: int

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.sample_rate_hz


def check_folder(folder: Path) -> None:
    """Refuse a folder that is missing or cannot take a new file, before any work is done.

    A real file is created and removed: permission bits do not tell (root ignores them, and
    some folders, such as /sys, refuse every new file).
    """
    if not folder.is_dir():
        raise AudioError(f"cannot write into {folder}: there is no such folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        if error.errno in _DISK_FULL:
            raise write_error(folder, error) from None
        raise AudioError(
            f"cannot write into {folder}: {error.strerror or error}; choose another folder with -o"
        ) from None


def write_error(path: Path, error: OSError) -> AudioError:
    """What to do about a failed write: free space, or write somewhere else."""
    if error.errno in _DISK_FULL:
        return AudioError(
            f"cannot write {path}: {error.strerror}; free some space, or choose another "
            "folder with -o"
        )
    return AudioError(f"cannot write {path}: {error.strerror or error}; choose another -o")


def export(
    blocks: Iterable[np.ndarray],
    out_path: str | os.PathLike[str],
    *,
    format: str = "mp3",
    bitrate: str = "128k",
    tags: Mapping[str, str] | None = None,
    sample_rate_hz: int = 44_100,
    channels: int = 2,
    total_frames: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    chapters: Sequence[Chapter] = (),
    record: Mapping[str, Any] | None = None,
    cover: Path | None = None,
) -> ExportResult:
    """Encode int16 blocks shaped (frames, channels) into ``out_path``, atomically.

    ``tags`` keys: title, artist, album, genre, comment, language (ISO 639-2).
    ``progress(frames_done, total_frames)`` is called after each block (total 0 when
    unknown). ``chapters``,
    ``record`` (what made the file) and ``cover`` go into the file's tags (see tags.py).
    """
    target = Path(out_path)
    if format not in FORMATS:
        raise AudioError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    if not target.parent.is_dir():
        raise AudioError(f"cannot write {target}: no directory {target.parent}")
    tags = dict(tags or {})
    unknown = sorted(set(tags) - set(TAG_KEYS))
    if unknown:
        raise AudioError(f"unknown tag {unknown[0]!r}: expected one of {', '.join(TAG_KEYS)}")
    real = writable_path(target)
    cover_image = read_cover(cover) if cover is not None else None
    remove_stale_parts(real)
    temporary = part_path(real)
    command = _command(format, bitrate, tags, sample_rate_hz, channels, temporary)
    with tempfile.TemporaryFile() as errors:
        try:
            frames = _encode(command, blocks, channels, total_frames, progress, errors, target)
            _finish(temporary, real, format, tags, chapters, record, cover_image)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise
    return ExportResult(target, format, frames, sample_rate_hz, target.stat().st_size)


def _finish(
    temporary: Path,
    target: Path,
    format: str,
    tags: Mapping[str, str],
    chapters: Sequence[Chapter],
    record: Mapping[str, Any] | None,
    cover: Cover | None,
) -> None:
    """Tag the encoded file and put it in place."""
    try:
        write_tags(temporary, format, tags, chapters, record, cover)
        replace(temporary, target)
    except OSError as error:
        raise write_error(target, error) from None


def _command(
    format: str,
    bitrate: str,
    tags: Mapping[str, str],
    sample_rate_hz: int,
    channels: int,
    out_path: Path,
) -> list[str]:
    raw_input = ["-f", "s16le", "-ar", str(sample_rate_hz), "-ac", str(channels), "-i", "pipe:0"]
    metadata = []
    for key in TAG_KEYS:
        # ffmpeg writes the comment as TXXX (mp3) or DESCRIPTION, and the language not at
        # all: tags.py writes both properly.
        if key == "language" or (key == "comment" and format != "wav"):
            continue
        if tags.get(key):
            metadata += ["-metadata", f"{key}={tags[key]}"]
    quality = ["-b:a", bitrate] if format in ("mp3", "ogg") else []
    if format == "mp3":
        quality += _mp3_level_compensation(bitrate, sample_rate_hz, channels)
    head = [ffmpeg_exe(), *QUIET, "-y"]
    return [
        *head,
        *raw_input,
        *_BITEXACT_ARGS,
        *metadata,
        *quality,
        *_CODEC_ARGS[format],
        str(out_path),
    ]


def _mp3_level_compensation(bitrate: str, sample_rate_hz: int, channels: int) -> list[str]:
    """A volume filter undoing LAME's level change, or nothing when there is none."""
    trim_db = mp3_level_trim_db(ffmpeg_exe(), bitrate, sample_rate_hz, channels)
    return ["-af", f"volume={trim_db:.2f}dB"] if abs(trim_db) >= 0.01 else []


@functools.lru_cache(maxsize=8)
def mp3_level_trim_db(ffmpeg: str, bitrate: str, sample_rate_hz: int, channels: int) -> float:
    """The gain that undoes LAME's own input scaling at this bitrate.

    LAME scales its input down at some bitrates to avoid clipping (0.95, -0.45 dB, at 128k
    CBR; none at 320k), which would leave speech under its loudness target. A short tone
    through the same encoder measures it, once per encoder and setting: the figure is kept
    with the speech clips (two ffmpeg runs, 0.3 to 0.7 s, saved on every later render).
    """
    try:
        status = os.stat(ffmpeg)
        encoder = [ffmpeg, status.st_size, status.st_mtime_ns]  # this build of ffmpeg
    except OSError:
        encoder = [ffmpeg]
    fields = [*encoder, bitrate, sample_rate_hz, channels]

    def measure() -> float:
        return _measured_trim_db(ffmpeg, bitrate, sample_rate_hz, channels)

    return float(remembered("mp3-level-trim", fields, measure))


def _measured_trim_db(ffmpeg: str, bitrate: str, sample_rate_hz: int, channels: int) -> float:
    seconds = np.arange(sample_rate_hz // 2) / sample_rate_hz
    tone = np.rint(0.25 * 32767 * np.sin(2 * np.pi * 1000.0 * seconds)).astype("<i2")
    pcm = np.repeat(tone[:, None], channels, axis=1).tobytes()
    raw = ["-f", "s16le", "-ar", str(sample_rate_hz), "-ac", str(channels)]
    with tempfile.TemporaryDirectory() as directory:
        encoded = os.path.join(directory, "tone.mp3")
        encode = [*raw, "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", bitrate, encoded]
        run(encode, "ffmpeg cannot encode MP3", input=pcm, program=ffmpeg)
        decoded = run(["-i", encoded, *raw, "pipe:1"], "ffmpeg cannot encode MP3", program=ffmpeg)
    middle = slice(len(tone) // 4, len(tone) * 3 // 4)  # clear of the codec's edges
    out = np.frombuffer(decoded, dtype="<i2").reshape(-1, channels)[middle, 0].astype(np.float64)
    ratio = np.sqrt(np.mean(tone[middle].astype(np.float64) ** 2) / np.mean(out**2))
    return round(20.0 * math.log10(ratio), 2)


def _encode(
    command: list[str],
    blocks: Iterable[np.ndarray],
    channels: int,
    total_frames: int | None,
    progress: Callable[[int, int], None] | None,
    errors: IO[bytes],
    target: Path,
) -> int:
    """Run ffmpeg on the blocks; the frames written. Kills ffmpeg on any failure."""
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors
        )
    except OSError as error:
        raise AudioError(f"cannot run ffmpeg ({command[0]}): {error.strerror}") from None
    assert process.stdin is not None
    frames = 0
    try:
        for block in blocks:
            process.stdin.write(_pcm_bytes(block, channels))
            frames += len(block)
            if progress is not None:
                progress(frames, total_frames or 0)
        process.stdin.close()
    except BrokenPipeError:
        _close_quietly(process.stdin)  # ffmpeg stopped reading: its message says why
        if process.wait() == 0:
            raise AudioError("ffmpeg stopped reading before the end of the audio") from None
    except BaseException:
        process.kill()
        _close_quietly(process.stdin)
        process.wait()
        raise
    returncode = process.wait()
    if returncode != 0:
        errors.seek(0)
        raise _ffmpeg_failure(returncode, last_line(errors.read()), target)
    return frames


def _ffmpeg_failure(returncode: int, message: str, target: Path) -> AudioError:
    if returncode == -signal.SIGXFSZ or any(words in message for words in _DISK_FULL_WORDS):
        return AudioError(
            f"cannot write {target}: the disk is full or the file is over its size limit "
            f"(ffmpeg: {message}); free some space, or choose another folder with -o"
        )
    if returncode < 0:
        return AudioError(f"ffmpeg was stopped by {signal.Signals(-returncode).name}: {message}")
    return AudioError(f"ffmpeg failed (exit {returncode}): {message}")


def _close_quietly(stream: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        stream.close()


def _pcm_bytes(block: np.ndarray, channels: int) -> memoryview:
    if block.dtype != np.int16:
        raise AudioError(f"blocks must be int16 samples, got {block.dtype}")
    if block.ndim != 2 or block.shape[1] != channels:
        raise AudioError(f"blocks must be shaped (frames, {channels}), got {block.shape}")
    return np.ascontiguousarray(block, dtype="<i2").data  # no copy when already contiguous
