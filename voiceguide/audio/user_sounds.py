"""A user's own short sounds: cues from files (``{file: bowl.wav}``) and recorded narration
(``say_file``), read and converted with pydub.

Our ffmpeg (``voiceguide/ffmpeg.py`` chooses the system one or imageio-ffmpeg's) decodes the
file's first audio stream to 16-bit WAV, stopping a little past the limit of its use; pydub
reads that WAV in Python and converts it to the session's rate and channels (a cue keeps
its sides in a stereo session; narration is mono, like synthesized speech). pydub's own
``from_file`` is not used: for most formats it asks ffprobe about the file first, and the
bundled ffmpeg comes without one. pydub is told which ffmpeg is ours anyway, and imported
with its warnings about a missing ffmpeg or ffprobe silenced (they do not apply here).

Both kinds are cut like speech clips (``tts/speech.trim_silence``): from just before their
first sample above -50 dBFS to their last, so a bowl rings exactly at its planned time and a
recording lasts, in the plan, from its first sound to its last. Decoded sounds are kept for
the process by the file's content hash (sha256) with the rate and channels, so rendering
does not decode again what planning read, and an edited file is read afresh.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import stat
import subprocess
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from voiceguide.audio.sounds import apply_fades
from voiceguide.errors import AudioError
from voiceguide.tts.base import Clip
from voiceguide.tts.speech import LEAD_MS, TRIM_THRESHOLD_DBFS, trim_silence

if TYPE_CHECKING:
    from pydub import AudioSegment

MAX_CUE_MS = 60_000  # a cue is a short sound; only its first MAX_FILE_CUE_LEAD_MS hold speech
MAX_NARRATION_MS = 10 * 60_000  # a recorded intro or instruction, not a whole session
MAX_FILE_BYTES = 200 * 1024 * 1024  # ten minutes of 48 kHz stereo WAV is 110 MB
DECODE_TIMEOUT_S = 60
CUE_FADE_MS = 3.0  # the cut edges of a cue fade, so they never click
_WANTED = "give a sound file such as bowl.wav (wav, mp3, m4a, ogg, flac...)"


def sound_length_ms(path: str, narration: bool, sample_rate_hz: int) -> int:
    """How long a sound file lasts once cut, in ms, read as recorded narration or as a cue:
    what the planner gives it. AudioError saying why the file cannot be used."""
    if narration:
        return narration_clip(path, sample_rate_hz).duration_ms
    return round(len(cue_samples(path, sample_rate_hz)) * 1000 / sample_rate_hz)


CHECK_RATE_HZ = 16_000  # enough to find sound in a file (validate), cheap to convert


def narration_clip(path: str, sample_rate_hz: int) -> Clip:
    """Recorded narration as a mono clip at ``sample_rate_hz``, cut like a speech clip."""
    segment = _decoded(path, sample_rate_hz, MAX_NARRATION_MS, "a recording")
    return trim_silence(_audible_clip(segment.raw_data, sample_rate_hz))


def cue_samples(path: str, sample_rate_hz: int, channels: int = 1) -> np.ndarray:
    """A cue from a file at ``sample_rate_hz``: float64, shaped (frames,) for one channel or
    (frames, channels); cut like a speech clip (by its loudest channel), its edges faded,
    peak 1.0 (the mixer levels it like the bell)."""
    segment = _decoded(path, sample_rate_hz, MAX_CUE_MS, "a cue", channels)
    pcm = np.frombuffer(segment.raw_data, dtype="<i2").reshape(-1, channels)
    loudest = np.abs(pcm.astype(np.int32)).max(axis=1)
    _check_audible(loudest)
    audible = np.flatnonzero(loudest > _threshold())
    lead = round(LEAD_MS * sample_rate_hz / 1000)
    sound = pcm[max(0, int(audible[0]) - lead) : int(audible[-1]) + 1].astype(np.float64)
    for channel in range(channels):
        apply_fades(sound[:, channel], sample_rate_hz, CUE_FADE_MS, CUE_FADE_MS)
    sound /= np.abs(sound).max()
    return sound if channels > 1 else sound[:, 0]


def _audible_clip(pcm: bytes, sample_rate_hz: int) -> Clip:
    _check_audible(np.frombuffer(pcm, dtype="<i2"))
    return Clip(pcm=pcm, sample_rate_hz=sample_rate_hz)


def _threshold() -> float:
    return float(32768 * 10 ** (TRIM_THRESHOLD_DBFS / 20))


def _check_audible(samples: np.ndarray) -> None:
    if not samples.size or np.abs(samples.astype(np.int32)).max() <= _threshold():
        raise AudioError(
            f"is silent (nothing above {TRIM_THRESHOLD_DBFS:g} dBFS): {_WANTED} with sound in it"
        )


def _decoded(
    path: str, sample_rate_hz: int, limit_ms: int, what: str, channels: int = 1
) -> AudioSegment:
    """The file as 16-bit samples at ``sample_rate_hz`` and ``channels``; AudioError saying
    why not."""
    digest = content_digest(path)
    return _converted(path, digest, sample_rate_hz, channels, limit_ms, what)


def content_digest(path: str) -> str:
    """The sha256 of a regular file's bytes; AudioError for anything else (a folder, a named
    pipe, a device: never opened in a way that waits), or a file too large to be short."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise AudioError(f"cannot be read ({error.strerror or error}): {_WANTED}") from None
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise AudioError(f"is not a regular file: {_WANTED}")
        if status.st_size > MAX_FILE_BYTES:
            raise AudioError(
                f"is {status.st_size // 2**20} MB, over the {MAX_FILE_BYTES // 2**20} MB of a "
                "short sound: cut it, or save it compressed (m4a, mp3, ogg)"
            )
        try:
            return hashlib.file_digest(file, "sha256").hexdigest()
        except OSError as error:
            raise AudioError(f"cannot be read ({error.strerror or error}): {_WANTED}") from None


@functools.lru_cache(maxsize=8)
def _converted(
    path: str, digest: str, sample_rate_hz: int, channels: int, limit_ms: int, what: str
) -> AudioSegment:
    """Decoded by our ffmpeg, converted by pydub; kept by content (``digest``)."""
    # The WAV read as pydub's from_wav reads it, without from_wav's fallback to ffprobe.
    segment = _pydub()(data=io.BytesIO(_wav_bytes(path, limit_ms)))
    if len(segment) > limit_ms:
        minutes, seconds = divmod(limit_ms // 1000, 60)
        limit = f"{minutes} min" if minutes and not seconds else f"{limit_ms // 1000} s"
        raise AudioError(f"lasts over {limit}, the most {what} may last: cut it shorter")
    return segment.set_sample_width(2).set_channels(channels).set_frame_rate(sample_rate_hz)


def _wav_bytes(path: str, limit_ms: int) -> bytes:
    """The first audio stream as 16-bit WAV at its own rate and channels, decoded no further
    than just past ``limit_ms`` (so a long file is refused quickly)."""
    from pydub.audio_segment import fix_wav_headers

    from voiceguide import ffmpeg

    arguments = [
        "-i",
        os.path.abspath(path),  # absolute: never read as an option or a protocol
        "-map",
        "0:a:0",
        "-t",
        f"{limit_ms / 1000 + 0.5:g}",
        "-vn",
        "-acodec",
        "pcm_s16le",
        "-f",
        "wav",
        "pipe:1",
    ]
    try:
        done = ffmpeg.completed(arguments, stdout=subprocess.PIPE, timeout=DECODE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise AudioError(f"could not be read within {DECODE_TIMEOUT_S} s: {_WANTED}") from None
    if done.returncode != 0 or not done.stdout:
        if b"matches no streams" in done.stderr:
            raise AudioError(f"has no sound in it (no audio stream): {_WANTED}")
        raise AudioError(f"is not a sound file ffmpeg can read: {_WANTED}")
    wav = bytearray(done.stdout)
    fix_wav_headers(wav)  # piped, ffmpeg cannot go back to write the sizes
    return bytes(wav)


@functools.cache
def _pydub() -> Any:  # pydub has no type hints: its AudioSegment class
    """pydub's AudioSegment, converting with our ffmpeg. Importing pydub warns when no
    ffmpeg is on PATH (the bundled one is not), and about audioop on Python 3.11 and 3.12:
    neither concerns the WAV it is given here."""
    from voiceguide.ffmpeg import ffmpeg_exe

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydub import AudioSegment

    AudioSegment.converter = ffmpeg_exe()
    return AudioSegment


def file_digests(paths: Iterable[str]) -> Mapping[str, str]:
    """Each file's content hash, for cache keys that must change when a sound is edited."""
    return {path: content_digest(path) for path in sorted(set(paths))}
