"""A content-addressed cache of speech clips on disk.

An entry's name is the sha256 of everything that changes the engine's audio (engine name and
version with its settings, voice, the voice file's content hash, rate, volume, text), so a
changed setting can never return a stale clip and nothing ever needs invalidating. Entries
are mono 16-bit WAV files (playable, for debugging) holding the clip exactly as the engine
made it, before trimming, so that a change to the trimming never needs a new cache.

Several processes may share the directory: an entry is written atomically (files.py: a part
file in the same directory, renamed into place), so readers see a whole file or none. Two
writers of one key write the same clip (the speech worker makes each from a fresh engine), and
the last rename wins. A file that is not a whole,
well-formed entry (cut short, say, by a crash before the data reached the disk) is a miss, and
so is one whose samples were damaged: a chunk after them holds their CRC-32.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import wave
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from voiceguide.errors import SpeechError
from voiceguide.files import write_atomically
from voiceguide.tts.base import Clip

CACHE_DIR_ENV = "VOICEGUIDE_CACHE_DIR"
LAYOUT = "clips-v3"
"""Bump when the entry format or the key changes: old entries are then simply never read."""
WAV_HEADER_BYTES = 44  # the canonical PCM header that the wave module writes
CHECK_CHUNK = b"vgck"  # ours, after the samples: players skip chunks they do not know
CHECK_BYTES = 12  # chunk id, size (4) and the samples' CRC-32


def default_cache_dir() -> Path:
    """``$VOICEGUIDE_CACHE_DIR`` if set, else the platform's user cache directory."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("voiceguide"))


def cache_key(
    engine_name: str,
    engine_version: str,
    voice: str | None,
    rate_wpm: int,
    volume: float,
    text: str,
    voice_digest: str = "",
) -> str:
    """The hex sha256 naming the clip for these settings (JSON keeps the fields apart).
    ``voice_digest`` is the voice file's sha256 for engines that speak a file (Piper)."""
    fields = [
        LAYOUT,
        engine_name,
        engine_version,
        voice,
        voice_digest,
        int(rate_wpm),
        float(volume),
        text,
    ]
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


class ClipCache:
    """Clips on disk by key. ``get`` never raises on a bad entry; ``put`` is atomic."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.directory = self.root / LAYOUT

    def path_for(self, key: str) -> Path:
        # Two-character shards keep directories small for tools that list them.
        return self.directory / key[:2] / f"{key}.wav"

    def get(self, key: str) -> Clip | None:
        """The cached clip, or None when it is missing, unreadable or not a whole entry."""
        try:
            data = self.path_for(key).read_bytes()
        except OSError:
            return None
        return _decode(data)

    def has(self, key: str) -> bool:
        """Whether an entry is there (a bad one is still a miss for ``get``)."""
        return self.path_for(key).is_file()

    def put(self, key: str, clip: Clip) -> None:
        """Store ``clip`` under ``key`` atomically (temporary file, then rename)."""
        path = self.path_for(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, _encode(clip))
        except OSError as error:
            raise SpeechError(
                f"cannot write the speech cache at {self.directory}: {error.strerror or error}; "
                f"set {CACHE_DIR_ENV} to a writable directory"
            ) from error


def _encode(clip: Clip) -> bytes:
    entry = bytearray(clip.wav_bytes() + _check_chunk(clip.pcm))
    struct.pack_into("<I", entry, 4, len(entry) - 8)  # the RIFF size covers our chunk too
    return bytes(entry)


def _check_chunk(pcm: bytes) -> bytes:
    return CHECK_CHUNK + struct.pack("<II", 4, zlib.crc32(pcm))


def _decode(data: bytes) -> Clip | None:
    """Parse an entry; anything but a complete mono 16-bit WAV with frames is a miss."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            well_formed = (
                wav.getnchannels() == 1
                and wav.getsampwidth() == 2
                and wav.getframerate() > 0
                and wav.getnframes() > 0
            )
            frames = wav.getnframes()
            sample_rate_hz = wav.getframerate()
            pcm = wav.readframes(frames)
    except (wave.Error, EOFError):
        return None
    # Exact size: a cut-short file or one with trailing bytes is not an entry we wrote.
    size = WAV_HEADER_BYTES + len(pcm) + CHECK_BYTES
    if not well_formed or len(pcm) != frames * 2 or len(data) != size:
        return None
    if data[-CHECK_BYTES:] != _check_chunk(pcm):
        return None  # damaged samples, or not our entry
    return Clip(pcm=pcm, sample_rate_hz=sample_rate_hz)


MEASURED = "measured-v1"
"""Where measurements kept with the clips live (a folder of the cache); bump to drop them."""


def remembered(kind: str, fields: list[Any], measure: Callable[[], Any]) -> Any:
    """What ``measure`` returns for ``fields``, kept on disk beside the clips: a render
    that measured the same thing before (the speech's level over the same clips, the
    encoder's level at one setting) reads it instead of measuring again.

    Values are JSON (a float reads back bit for bit, so the audio is the same whether the
    value was measured or read); a tuple reads back as a list. An entry that cannot be
    read is measured again, and one that cannot be written is only time lost.
    """
    encoded = json.dumps(fields, separators=(",", ":")).encode("utf-8")
    path = default_cache_dir() / MEASURED / kind / f"{hashlib.sha256(encoded).hexdigest()}.json"
    try:
        entry = json.loads(path.read_text("utf-8"))
        if entry["fields"] == json.loads(encoded):
            return entry["value"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    value = measure()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps({"fields": fields, "value": value}).encode("utf-8"))
    except OSError:
        pass
    return value
