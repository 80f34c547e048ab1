"""A user's recording as the background bed, looped seamlessly.

ffmpeg decodes the file once, resampled to the session's rate and mixed to its channels,
into an anonymous temporary file; the bed then reads it piece by piece, so memory stays
flat however long the recording or the session. The loop's seam is hidden by an
equal-power crossfade: the recording's last seconds fade out over its first seconds
fading in, and the loop restarts just after them, so every join continues the sound.
"""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO

import numpy as np

from voiceguide.audio.beds import CHUNK_FRAMES, ChunkedStream
from voiceguide.errors import AudioError

MAX_LOOP_S = 30 * 60  # a longer recording is cut here: a loop needs no more
MIN_LOOP_S = 2.0
CROSSFADE_S = 3.0  # or a quarter of a short recording
_BYTES_PER_SAMPLE = 2


class FileBed(ChunkedStream):
    def __init__(self, path: str | os.PathLike[str], sample_rate_hz: int, channels: int):
        self.channels = channels
        super().__init__()
        self._pcm = _decode(Path(path), sample_rate_hz, channels)
        frames = os.fstat(self._pcm.fileno()).st_size // (_BYTES_PER_SAMPLE * channels)
        if frames < MIN_LOOP_S * sample_rate_hz:
            self._pcm.close()
            raise AudioError(
                f"background file {path} lasts under {MIN_LOOP_S:g} s: use a recording of "
                "a few seconds or more"
            )
        self._fade = min(round(CROSSFADE_S * sample_rate_hz), frames // 4)
        self._period = frames - self._fade  # the loop restarts here, after the seam
        self._head = self._seam()

    def _seam(self) -> np.ndarray:
        """The loop's first frames: its start fading in over its end fading out."""
        position = (np.arange(self._fade) + 0.5) / self._fade
        rising = np.sin(0.5 * math.pi * position).astype(np.float32)
        falling = np.cos(0.5 * math.pi * position).astype(np.float32)
        if self.channels > 1:
            rising, falling = rising[:, None], falling[:, None]
        start = self._read(0, self._fade)
        end = self._read(self._period, self._fade)
        return np.asarray(start * rising + end * falling)

    def _read(self, first: int, frames: int) -> np.ndarray:
        size = _BYTES_PER_SAMPLE * self.channels
        data = os.pread(self._pcm.fileno(), frames * size, first * size)
        samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / np.float32(32768.0)
        return samples if self.channels == 1 else samples.reshape(-1, self.channels)

    def chunk(self, index: int) -> np.ndarray:
        pieces = []
        position = index * CHUNK_FRAMES % self._period
        wanted = CHUNK_FRAMES
        while wanted:
            if position < self._fade:
                piece = self._head[position : position + wanted]
            else:
                piece = self._read(position, min(wanted, self._period - position))
            pieces.append(piece)
            wanted -= len(piece)
            position = (position + len(piece)) % self._period
        return np.concatenate(pieces)

    def close(self) -> None:
        self._pcm.close()


_PROBE_RATE_HZ = 8000  # enough to count the sound's length, cheap to decode
PROBE_TIMEOUT_S = 10
_WANTED = "give a recording such as rain.ogg (wav, mp3, ogg, flac...)"


def probe(path: Path) -> str | None:
    """Why ``path`` cannot be a bed (it is not sound ffmpeg reads, has no audio stream, or
    lasts under MIN_LOOP_S), as the end of a sentence about it; None if it can.

    Only the first MIN_LOOP_S of its first audio stream are decoded, at a low rate, so
    validating a routine with a bed stays quick. ``path`` must be a regular file: the
    loader has checked it.
    """
    from voiceguide import ffmpeg

    arguments = [
        *ffmpeg.first_audio(path, MIN_LOOP_S + 0.5),
        "-ac",
        "1",
        "-ar",
        str(_PROBE_RATE_HZ),
        "-f",
        "s16le",
        "pipe:1",
    ]
    try:
        finished = ffmpeg.completed(arguments, stdout=subprocess.PIPE, timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"could not be read within {PROBE_TIMEOUT_S} s: {_WANTED}"
    if finished.returncode != 0:
        if b"matches no streams" in finished.stderr:
            return f"has no sound in it (no audio stream): {_WANTED}"
        return f"is not a sound file ffmpeg can read: {_WANTED}"
    if len(finished.stdout) < MIN_LOOP_S * _PROBE_RATE_HZ * _BYTES_PER_SAMPLE:
        return f"lasts under {MIN_LOOP_S:g} s: use a recording of a few seconds or more"
    return None


def _decode(path: Path, sample_rate_hz: int, channels: int) -> IO[bytes]:
    """The file as raw 16-bit PCM at the session's rate and channels, in a temporary file
    that disappears when closed."""
    from voiceguide import ffmpeg

    if not path.is_file():
        raise AudioError(f"no background file {path}: check the path")
    pcm = tempfile.TemporaryFile()  # noqa: SIM115 (returned open; the bed closes it)
    arguments = [
        "-i",
        str(path.resolve()),  # absolute: never read as an option or a protocol
        "-t",
        str(MAX_LOOP_S),
        "-vn",
        "-f",
        "s16le",
        "-acodec",
        "pcm_s16le",
        "-ac",
        str(channels),
        "-ar",
        str(sample_rate_hz),
        "pipe:1",
    ]
    try:
        ffmpeg.run(arguments, f"cannot read background file {path}", stdout=pcm)
    except BaseException:
        pcm.close()
        raise
    return pcm
