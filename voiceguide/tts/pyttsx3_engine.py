"""The default speech engine: pyttsx3 driving espeak-ng, made safe to call in a loop.

This is the only module that imports pyttsx3. pyttsx3 2.99's espeak driver is asynchronous
and has several bugs when rendering many files in one process (see AUDIO-NOTES.md); the
``_Espeak`` class below works around each of them:

- ``runAndWait()`` returns before the WAV exists: wait for the ``finished-utterance`` event,
  then until espeak's command queue is idle.
- the next ``runAndWait()`` calls the driver's ``stop()``, which cancels the *new* utterance
  and flushes queued rate changes: the driver's ``stop`` is made a no-op.
- several ``save_to_file`` calls before one ``runAndWait`` write one file: one per run.
- the driver prints "Audio saved to ..." from espeak's thread, and a closed stdout makes the
  print raise so the event never fires: stdout is captured around synthesis.
- ``getProperty('rate')`` always says 175 and a bad voice id is silently ignored: we set every
  setting before every phrase and check each voice with espeak-ng itself first.
- ``save_to_file('')`` raises a bare AssertionError: blank text is rejected first.

Even so, every WAV is checked (frames > 0, some audible sample) and a failed phrase is retried.
espeak can only be initialised once per process, so one ``_Espeak`` is shared by every
``Pyttsx3Engine``.
"""

from __future__ import annotations

import array
import contextlib
import functools
import io
import sys
import tempfile
import threading
import time
import wave
from importlib import metadata
from pathlib import Path
from typing import Any

from voiceguide.errors import SpeechError
from voiceguide.tts import native
from voiceguide.tts.base import (
    AttemptFailed,
    Clip,
    VoiceInfo,
    check_request,
    failed_message,
    unknown_voice_message,
)

ATTEMPTS = 3
BASE_TIMEOUT_S = 10.0
"""Generous: espeak renders about 400 times faster than real time, even a long phrase under load
takes well under a second. Only a wedged engine reaches this."""
TIMEOUT_S_PER_CHAR = 0.02
IDLE_POLL_S = 0.001
MIN_RATE_WPM = 80
"""espeak-ng's slowest: it silently speaks anything slower at 80."""
MAX_RATE_WPM = 900
"""The fastest rate measured to be honoured (espeak-ng speeds up past 450 with sonic)."""
AUDIBLE_PEAK = 104
"""-50 dBFS: a clip whose loudest sample is quieter than this is treated as a failure."""


class _Failure(AttemptFailed):
    """One attempt failed in a way that a retry may fix."""


class Pyttsx3Engine:
    """SpeechEngine backed by pyttsx3 + espeak-ng. Cheap to create; shares one espeak.

    espeak-ng keeps wave-generator state (pitch flutter, phase) from one utterance to the
    next, so a phrase's samples depend on what this process said before: the speech worker
    therefore makes each phrase in a fresh child (``isolate_phrases``). Used directly, in one
    process, the engine works but its clips depend on their order.
    """

    name = "pyttsx3"
    isolate_phrases = True

    def __init__(self, attempts: int = ATTEMPTS) -> None:
        self._attempts = attempts
        self.retries = 0
        """Attempts beyond the first over this engine's life (diagnostics for stress runs)."""

    def version(self) -> str:
        espeak = _shared_espeak()
        return f"pyttsx3 {_pyttsx3_version()}; espeak-ng {espeak.version}; {espeak.source}"

    def voices(self) -> list[VoiceInfo]:
        return list(_shared_espeak().voices)

    def preload(self) -> None:
        native.load_espeak()
        _import_pyttsx3()

    def start(self) -> None:
        _shared_espeak()

    def timeout_s(self, text: str) -> float:
        return phrase_timeout_s(text)

    def synthesize(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        reason = ""
        for attempt in range(self._attempts):
            try:
                clip = self.synthesize_once(text, voice, rate_wpm, volume)
            except _Failure as failure:
                reason = str(failure)
                continue
            self.retries += attempt
            return clip
        self.retries += self._attempts - 1
        raise SpeechError(failed_message(text, reason, self._attempts))

    def synthesize_once(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        check_request(text, rate_wpm, volume, (MIN_RATE_WPM, MAX_RATE_WPM))
        espeak = _shared_espeak()
        return espeak.render(text, espeak.resolve_voice(voice), rate_wpm, volume)


class _Espeak:
    """The one pyttsx3 engine of this process, with the fixes the module docstring lists."""

    def __init__(self) -> None:
        self.source = native.load_espeak()
        self._engine, self._espeak = _start_pyttsx3(self.source)
        self._driver = self._engine.proxy._driver
        # Only rendering to files happens here: nothing ever needs cancelling, and the driver's
        # stop() would cancel the utterance we just queued.
        self._driver.stop = _do_nothing
        self._finished = threading.Event()
        self._completed = False
        self._errors: list[str] = []
        self._engine.connect("finished-utterance", self._on_finished)
        self._engine.connect("error", self._on_error)
        self._lock = threading.Lock()
        self.version = _espeak_version(self._espeak)
        self._started_voice = self._engine.getProperty("voice")  # before any phrase sets one

    @functools.cached_property
    def voices(self) -> list[VoiceInfo]:
        """Listed when asked for, not at every start: listing reads every voice file, and a
        phrase's child starts an engine only to say that phrase (7 of its 32 ms of CPU)."""
        return _list_voices(self._engine)

    @property
    def default_voice(self) -> str:
        return str(self._started_voice or self.voices[0].id)

    def resolve_voice(self, voice: str | None) -> str:
        """The voice id to speak with; SpeechError for one espeak-ng cannot load (its own
        check: pyttsx3 queues the setting and never says it failed)."""
        if voice is None:
            return self.default_voice
        if self._espeak.SetVoiceByName(voice.encode("utf-8")) == 0:
            return voice
        if voice in {v.id for v in self.voices}:
            raise SpeechError(f"espeak-ng cannot load its voice '{voice}': reinstall espeak-ng")
        raise SpeechError(unknown_voice_message(voice, self.voices))

    def render(self, text: str, voice_id: str, rate_wpm: int, volume: float) -> Clip:
        """Synthesize one phrase to a WAV file in a private folder and read it back.

        The folder goes with the phrase: the worker's children leave by ``os._exit``, which
        runs no exit handlers, so one kept for the process's life was left behind by each.
        """
        with self._lock, tempfile.TemporaryDirectory(prefix="voiceguide-tts-") as folder:
            path = Path(folder) / "phrase.wav"
            self._render_to(path, text, voice_id, rate_wpm, volume)
            return _read_clip(path)

    def _render_to(
        self, path: Path, text: str, voice_id: str, rate_wpm: int, volume: float
    ) -> None:
        timeout_s = phrase_timeout_s(text)
        self._wait_idle(timeout_s)
        self._finished.clear()
        self._errors.clear()
        with contextlib.redirect_stdout(io.StringIO()):
            self._apply_settings(voice_id, rate_wpm, volume)
            self._run(text, path)
            if not self._finished.wait(timeout_s):
                self._reset()
                raise _Failure(f"no result after {timeout_s:.1f} s")
            self._wait_idle(timeout_s)
        if not self._completed:
            raise _Failure("espeak cancelled the phrase")
        if self._errors:
            raise _Failure(self._errors[0])

    def _apply_settings(self, voice_id: str, rate_wpm: int, volume: float) -> None:
        """Set everything every time: espeak's own idea of the settings cannot be read back."""
        self._engine.setProperty("voice", voice_id)
        self._engine.setProperty("rate", int(rate_wpm))
        self._engine.setProperty("volume", float(volume))

    def _run(self, text: str, path: Path) -> None:
        self._engine.save_to_file(text, str(path))
        try:
            self._engine.runAndWait()
        except Exception as error:  # the driver re-raises espeak_Synth failures
            self._engine._inLoop = False  # otherwise every later run says "loop already started"
            raise _Failure(f"espeak refused the phrase: {error}") from error

    def _wait_idle(self, timeout_s: float) -> None:
        """Wait until espeak's synthesis thread has finished its queue (the callback returned)."""
        deadline = time.monotonic() + timeout_s
        while self._espeak.IsPlaying():
            if time.monotonic() > deadline:
                self._reset()
                raise _Failure(f"espeak still busy after {timeout_s:.1f} s")
            time.sleep(IDLE_POLL_S)

    def _reset(self) -> None:
        """Abandon a wedged phrase so that the next attempt starts clean."""
        self._espeak.Cancel()
        self._driver._speaking = False

    def _on_finished(self, completed: bool = True, **_: Any) -> None:
        self._completed = bool(completed)
        self._finished.set()

    def _on_error(self, exception: BaseException | None = None, **_: Any) -> None:
        self._errors.append(str(exception))


_shared: _Espeak | None = None
_shared_lock = threading.Lock()


def _shared_espeak() -> _Espeak:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = _Espeak()
        return _shared


def _start_pyttsx3(source: str) -> tuple[Any, Any]:
    """pyttsx3's engine and its ctypes binding to espeak, once the library is loaded."""
    pyttsx3, _espeak = _import_pyttsx3()
    try:
        engine = pyttsx3.init("espeak")
    except (RuntimeError, OSError) as error:
        raise SpeechError(f"espeak-ng ({source} library) failed to start: {error}") from error
    return engine, _espeak


def phrase_timeout_s(text: str) -> float:
    """How long one attempt at ``text`` may take (the module's figures, read at call time)."""
    return BASE_TIMEOUT_S + TIMEOUT_S_PER_CHAR * len(text)


def _import_pyttsx3() -> tuple[Any, Any]:
    """pyttsx3 and its espeak binding (which opens the library already loaded by native),
    with the driver module that ``pyttsx3.init`` imports: imported here, in the worker, a
    phrase's child does not import it again (0.02 s of every phrase; 0.25 s where the worker
    ran in /tmp holding 158,000 entries, which finding the module listed)."""
    try:
        import pyttsx3
        import pyttsx3.drivers.espeak  # the driver: see above
        from pyttsx3.drivers import _espeak
    except ImportError as error:
        raise SpeechError(f"pyttsx3 cannot be imported ({error}): reinstall voiceguide") from error
    except RuntimeError as error:  # _espeak found no library despite native.load_espeak()
        raise SpeechError(f"espeak-ng not found: {native.install_hint()}") from error
    return pyttsx3, _espeak


def _do_nothing() -> None:
    return None


def _pyttsx3_version() -> str:
    try:
        return metadata.version("pyttsx3")
    except metadata.PackageNotFoundError:
        return "unknown"


def _espeak_version(binding: Any) -> str:
    raw = binding.Info(None)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _list_voices(engine: Any) -> list[VoiceInfo]:
    voices = [
        VoiceInfo(
            id=str(v.id),
            name=str(v.name),
            languages=tuple(str(language) for language in v.languages),
            gender=str(v.gender).lower() if v.gender else None,
            quality="formant",  # espeak-ng's synthesis: clear, but flat and robotic
            licence="GPL-3.0-or-later",
        )
        for v in engine.getProperty("voices")
    ]
    if not voices:
        raise SpeechError(f"espeak-ng has no voices: its data is missing; {native.install_hint()}")
    return voices


def _read_clip(path: Path) -> Clip:
    """The WAV the driver wrote, checked: a missing, empty or silent file is a failure."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                raise _Failure("espeak wrote an unexpected WAV format")
            sample_rate_hz = wav.getframerate()
            pcm = wav.readframes(wav.getnframes())
    except FileNotFoundError as error:
        raise _Failure("espeak wrote no WAV file") from error
    except (wave.Error, EOFError) as error:
        raise _Failure(f"espeak wrote a broken WAV file ({error})") from error
    if not pcm:
        raise _Failure("espeak wrote an empty WAV file")
    if not _audible(pcm):
        raise _Failure("espeak produced only silence (is there anything pronounceable?)")
    return Clip(pcm=pcm, sample_rate_hz=sample_rate_hz)


def _audible(pcm: bytes) -> bool:
    """Whether any sample reaches AUDIBLE_PEAK: read until the first that does (in speech,
    within its first tenth of a second). Without numpy, so that the speech worker, whose
    every phrase is a fork of it, starts in 0.22 s of 0.20 s CPU (0.41 s of 0.46 with it)."""
    samples = array.array("h", pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    return any(not -AUDIBLE_PEAK < sample < AUDIBLE_PEAK for sample in samples)
