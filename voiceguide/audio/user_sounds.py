"""A user's own short sounds: cues from files (``{file: bowl.wav}``) and recorded narration
(``say_file``), read and converted with pydub.

Our ffmpeg (``voiceguide/ffmpeg.py`` chooses the system one or imageio-ffmpeg's) decodes the
file's first audio stream to 16-bit WAV, stopping a little past the limit of its use; pydub
reads that WAV in Python and converts it to the session's channels (a cue keeps its sides in
a stereo session; narration is mono, like synthesized speech). pydub's own ``from_file`` is
not used: for most formats it asks ffprobe about the file first, and the bundled ffmpeg
comes without one. pydub is told which ffmpeg is ours anyway, and imported with its warnings
about a missing ffmpeg or ffprobe silenced (they do not apply here).

The rate is changed by ``resample.py``, as for synthesized speech, not by pydub, whose
``set_frame_rate`` (audioop's linear interpolation) leaves a sine's error 18 to 24 dB under
it and loses 1 to 2 dB (10 kHz from 48 to 44.1 kHz, 5 kHz from 22.05 to 44.1 kHz, 8 kHz
from 32 to 44.1 kHz), where ours is 112 to 122 dB under and loses nothing. So a recording
is a clip at its own rate, resampled with the speech, and its length does not depend on the
session's rate.

Both kinds are cut as speech clips are (``tts/speech.trim_silence``): from just before their
first sample above -50 dBFS to their last, so a bowl rings exactly at its planned time and a
recording lasts, in the plan, from its first sound to its last. Decoded sounds are kept for
the process by the file's content hash (sha256), so rendering does not decode again what
planning read, and an edited file is read afresh.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import subprocess
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from voiceguide.audio.resample import resample
from voiceguide.audio.sounds import apply_fades
from voiceguide.errors import AudioError
from voiceguide.tts.base import Clip
from voiceguide.tts.speech import LEAD_MS, TRIM_THRESHOLD_DBFS

if TYPE_CHECKING:
    from pydub import AudioSegment

MAX_CUE_MS = 60_000  # a cue is a short sound; only its first MAX_FILE_CUE_LEAD_MS hold speech
MAX_NARRATION_MS = 10 * 60_000  # a recorded intro or instruction, not a whole session
MAX_FILE_BYTES = 200 * 1024 * 1024  # ten minutes of 48 kHz stereo WAV is 110 MB
DECODE_TIMEOUT_S = 60
CUE_FADE_MS = 3.0  # the cut edges of a cue fade, so they never click
_WANTED = "give a sound file such as bowl.wav (wav, mp3, m4a, ogg, flac...)"


def sound_length_ms(path: str, narration: bool) -> int:
    """How long a sound file lasts once cut, in ms, read as recorded narration or as a cue:
    what the planner gives it. AudioError saying why the file cannot be used."""
    if narration:
        return narration_clip(path).duration_ms
    rate_hz, cut = _cut_cue(path, 1)
    return round(len(cut) * 1000 / rate_hz)


def narration_clip(path: str) -> Clip:
    """Recorded narration as a mono clip at its own rate, cut like a speech clip."""
    segment = _decoded(path, MAX_NARRATION_MS, "a recording", 1)
    pcm = np.frombuffer(segment.raw_data, dtype="<i2").reshape(-1, 1)
    first, end = _audible_range(pcm, segment.frame_rate)
    return Clip(pcm=segment.raw_data[2 * first : 2 * end], sample_rate_hz=segment.frame_rate)


def cue_samples(path: str, sample_rate_hz: int, channels: int = 1) -> np.ndarray:
    """A cue from a file at ``sample_rate_hz``: float64, shaped (frames,) for one channel or
    (frames, channels); cut like a speech clip (by its loudest channel), its edges faded,
    peak 1.0 (the mixer levels it like the bell)."""
    rate_hz, cut = _cut_cue(path, channels)
    sound = np.stack(
        [
            resample(np.ascontiguousarray(cut[:, c]), rate_hz, sample_rate_hz)
            for c in range(channels)
        ],
        axis=1,
    ).astype(np.float64)
    for channel in range(channels):
        apply_fades(sound[:, channel], sample_rate_hz, CUE_FADE_MS, CUE_FADE_MS)
    sound /= np.abs(sound).max()
    return sound if channels > 1 else sound[:, 0]


def _cut_cue(path: str, channels: int) -> tuple[int, np.ndarray]:
    """The cue's rate, and its samples (frames, channels) as float32 at that rate, cut."""
    segment = _decoded(path, MAX_CUE_MS, "a cue", channels)
    pcm = np.frombuffer(segment.raw_data, dtype="<i2").reshape(-1, channels)
    first, end = _audible_range(pcm, segment.frame_rate)
    return segment.frame_rate, (pcm[first:end] / np.float32(32768.0)).astype(np.float32)


def _audible_range(pcm: np.ndarray, rate_hz: int) -> tuple[int, int]:
    """Where ``pcm`` (frames, channels of int16) is cut as ``trim_silence`` cuts speech:
    from LEAD_MS before its first sample above the threshold (in any channel) to just after
    its last. Boolean masks, never a list of indices: ten minutes of sound stay cheap."""
    limit = int(32768 * 10 ** (TRIM_THRESHOLD_DBFS / 20))  # |x| over it, as trim_silence
    loud = np.asarray(((pcm > limit) | (pcm < -limit)).any(axis=1))
    if not loud.any():
        raise AudioError(
            f"is silent (nothing above {TRIM_THRESHOLD_DBFS:g} dBFS): {_WANTED} with sound in it"
        )
    first = int(np.argmax(loud))
    end = len(loud) - int(np.argmax(loud[::-1]))
    return max(0, first - round(LEAD_MS * rate_hz / 1000)), end


def _decoded(path: str, limit_ms: int, what: str, channels: int) -> AudioSegment:
    """The file as 16-bit samples in ``channels`` at its own rate; AudioError saying why
    not."""
    return _converted(path, content_digest(path), channels, limit_ms, what)


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
def _converted(path: str, digest: str, channels: int, limit_ms: int, what: str) -> AudioSegment:
    """Decoded by our ffmpeg, converted by pydub; kept by content (``digest``)."""
    # The WAV read as pydub's from_wav reads it, without from_wav's fallback to ffprobe.
    with (
        tempfile.TemporaryDirectory(prefix="voiceguide-sound-") as folder,
        open(_wav_file(path, limit_ms, folder), "rb") as wav,
    ):
        segment = _pydub()(data=wav)
    if len(segment) > limit_ms:
        minutes, seconds = divmod(limit_ms // 1000, 60)
        limit = f"{minutes} min" if minutes and not seconds else f"{limit_ms // 1000} s"
        raise AudioError(f"lasts over {limit}, the most {what} may last: cut it shorter")
    return segment.set_sample_width(2).set_channels(channels)


def _wav_file(path: str, limit_ms: int, folder: str) -> str:
    """The first audio stream as 16-bit WAV at its own rate and channels, in ``folder``,
    decoded no further than just past ``limit_ms`` (so a long file is refused quickly).
    Written to a file, not a pipe, so ffmpeg writes the sizes in its header and no copy of
    the sound is made to mend them."""
    from voiceguide import ffmpeg

    wav = os.path.join(folder, "sound.wav")
    arguments = [
        *ffmpeg.first_audio(path, limit_ms / 1000 + 0.5),
        "-vn",
        "-acodec",
        "pcm_s16le",
        "-f",
        "wav",
        wav,
    ]
    try:
        done = ffmpeg.completed(arguments, timeout=DECODE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise AudioError(f"could not be read within {DECODE_TIMEOUT_S} s: {_WANTED}") from None
    if done.returncode != 0 or not os.path.isfile(wav):
        if b"matches no streams" in done.stderr:
            raise AudioError(f"has no sound in it (no audio stream): {_WANTED}")
        raise AudioError(f"is not a sound file ffmpeg can read: {_WANTED}")
    return wav


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
