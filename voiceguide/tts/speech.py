"""The speech service that the planner and the renderer share.

``Speech`` turns (text, rate) into a trimmed clip: synthesized at most once per process
(memoized), and at most once per machine (the on-disk cache holds the engine's untrimmed
clip). The planner measures phrases with ``duration_ms``; the renderer places ``clip`` at the
planned time. Both see the same trimmed clip, so the speech starts where the plan says.

Trimming cuts the engine's silence at both ends. espeak-ng's silence is digital zero and its
quietest onsets (fricatives such as "f" and "s") cross -50 dBFS within 1.7 ms of their first
non-zero sample (measured over 150 phrases), while -40 dBFS would start some clips 36 ms
late. So a clip starts ``LEAD_MS`` before the first sample above -50 dBFS, keeping the faint
start of the waveform, and ends just after the last sample above it.

The rate asked of ``clip`` is the rate a listener hears. With ``calibrate``, it is turned into
the engine's own setting through the engine's calibration (``tts/calibration.py``): shipped
for the bundled natural voice, else made once per machine from measured clips. The clip cache
is keyed by the setting the engine got.

``prepare`` makes ahead, several at once where the engine can (``synthesize_many``), every
clip that measuring and saying a session's phrases will need: the calibration's, each
phrase at its calibrated setting, then at its corrected one. It only fills the cache; the
clips themselves are then made and checked as when asked for one by one.

numpy is imported inside the trimming function: this module sits on the audio side, but even
importing it must stay cheap.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator

from voiceguide.errors import SpeechError
from voiceguide.routine.limits import MAX_RATE_WPM, MIN_RATE_WPM
from voiceguide.routine.respellings import Respellings, respell
from voiceguide.tts.base import BatchEngine, Clip, SpeechEngine
from voiceguide.tts.cache import ClipCache, cache_key
from voiceguide.tts.calibration import (
    REFERENCE_SENTENCES,
    SETTINGS_WPM,
    Calibration,
    CalibrationStore,
    calibrate,
    calibration_key,
    shipped,
)

TRIM_THRESHOLD_DBFS = -50.0
LEAD_MS = 2.0
"""Kept before the first audible sample: covers the sub-threshold start of a soft onset."""
FULL_SCALE = 32768
MIN_CORRECTED_WORDS = 3
"""Shorter phrases ("Welcome.", a count) are not measured in words per minute: "Welcome."
at any natural speed measures slow."""
MAX_CORRECTION = 1.3
"""How far a phrase's setting may move from the calibration's: a sentence of long words is
sped up, one of short words slowed, but never past this factor."""


class NotMade(Exception):
    """A clip asked for under ``Speech.cached_only`` that only the engine could make."""


class Speech:
    """Trimmed, cached speech clips for one voice and volume. Not thread-safe."""

    def __init__(
        self,
        engine: SpeechEngine,
        cache: ClipCache | None,
        voice: str | None = None,
        volume: float = 1.0,
        voice_digest: str = "",
        calibrate: bool = False,
        respellings: Respellings = (),
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.voice = voice
        self.volume = volume
        self.voice_digest = voice_digest  # the voice file's sha256, for engines that have one
        self.calibrate = calibrate
        self.respellings = respellings
        self._engine_version: str | None = None
        self._calibration: Calibration | None = None
        self._clips: dict[tuple[str, int], Clip] = {}
        self._settings: dict[tuple[str, int], int] = {}
        self._failures: dict[tuple[str, int], Exception] = {}  # (text, setting) that prepare failed
        self._cached_only = False

    def clip(self, text: str, rate_wpm: int) -> Clip:
        """The phrase as a clip that starts at its first audible sample (within LEAD_MS),
        heard at ``rate_wpm`` when the speech is calibrated."""
        return self._trimmed(text, self.setting_for(text, rate_wpm))

    def setting_for(self, text: str, rate_wpm: int) -> int:
        """The engine's rate setting at which ``text`` is heard at ``rate_wpm``.

        The engine's calibration gives the setting for its reference sentences. A phrase of
        several words is then measured at that setting, and the setting moved by how much
        faster or slower than the reference sentences it came out (long words and commas
        slow a sentence down in words per minute), within ``MAX_CORRECTION``: so each
        sentence, not just an average, is heard at the rate asked. Single words and short
        phrases keep the engine's own rhythm.
        """
        if not self.calibrate:
            return rate_wpm
        memo_key = (text, rate_wpm)
        if memo_key not in self._settings:
            self._settings[memo_key] = self._corrected_setting(text, rate_wpm)
        return self._settings[memo_key]

    def _corrected_setting(self, text: str, rate_wpm: int) -> int:
        calibration = self.calibration()
        setting = _within_limits(calibration.setting_for(rate_wpm))
        words = len(text.split())
        if words < MIN_CORRECTED_WORDS:
            return setting
        clip = self._measured(text, setting)
        heard_wpm = words * 60.0 * clip.sample_rate_hz / clip.frames
        ratio = heard_wpm / calibration.heard_wpm(setting)
        ratio = min(MAX_CORRECTION, max(1 / MAX_CORRECTION, ratio))
        corrected = _within_limits(calibration.setting_for(rate_wpm / ratio))
        if corrected == setting:
            self._clips[(text, setting)] = clip
        return corrected

    @contextlib.contextmanager
    def cached_only(self) -> Iterator[None]:
        """Within: a clip that is neither in memory nor in the cache raises NotMade instead of
        being synthesized (a warm plan then needs no guessing what to make ahead)."""
        self._cached_only = True
        try:
            yield
        finally:
            self._cached_only = False

    @property
    def can_batch(self) -> bool:
        """Whether ``prepare`` can make clips ahead: the engine makes batches and there is a
        cache to keep them in."""
        return self._batch_engine() is not None

    def _batch_engine(self) -> BatchEngine | None:
        engine = self.engine
        return engine if isinstance(engine, BatchEngine) and self.cache is not None else None

    def prepare(
        self, phrases: Iterable[tuple[str, int]], progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Make the clips that ``phrases`` (text, rate) will need and the cache lacks, as
        many at once as the engine can; ``progress(done, total)`` follows.

        A phrase that fails here is not tried again: asked for, it raises what it raised
        here (so errors come in the order the plan asks, each after one round of attempts).
        """
        engine = self._batch_engine()
        if engine is None:
            return
        phrases = list(dict.fromkeys(phrases))  # in the plan's order: its first failure first
        made = _Made(progress)
        if self.calibrate and self._stored_calibration() is None:
            references = [(t, s) for s in SETTINGS_WPM for t in REFERENCE_SENTENCES]
            later = len(phrases) + _long(phrases)  # at most, once calibrated
            self._make_missing(engine, references, made, lambda _: later)
        if self.calibrate:
            calibration = self.calibration()
            first = {
                (t, r): (self.spoken_text(t), _within_limits(calibration.setting_for(r)))
                for t, r in phrases
            }
            self._make_missing(engine, list(first.values()), made, _long)
            phrases = [p for p in phrases if self._has(*first[p])]  # the rest: one by one
        finals = [(self.spoken_text(t), setting) for t, setting in self._settled(phrases)]
        self._make_missing(engine, finals, made, lambda _: 0)
        made.finish()

    def _settled(self, phrases: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """(text, setting) for each phrase whose setting is known without the engine; one
        that fails to measure is left for the plan to raise in its turn."""
        settled = []
        for text, rate_wpm in phrases:
            with contextlib.suppress(SpeechError):
                settled.append((text, self.setting_for(text, rate_wpm)))
        return settled

    def _make_missing(
        self,
        engine: BatchEngine,
        calls: list[tuple[str, int]],
        made: _Made,
        later: Callable[[list[tuple[str, int]]], int],
    ) -> None:
        """Make, in one batch, the engine's clips of (text, setting) ``calls`` that the cache
        lacks. Each is kept as it comes (a clip in the cache, a failure in memory): an
        interrupted batch keeps what it made. ``later(missing)`` bounds what the batches
        after this one will make, for the progress total."""
        cache = self.cache
        assert cache is not None
        missing = list(dict.fromkeys(call for call in calls if not self._has(*call)))
        made.expect(len(missing) + later(missing))
        requests = [(text, self.voice, setting, self.volume) for text, setting in missing]

        def keep(index: int, answer: Clip | Exception) -> None:
            if isinstance(answer, Clip):
                cache.put(self._key(*missing[index]), answer)
            else:
                self._failures[missing[index]] = answer
            made.one()

        engine.synthesize_many(requests, keep)

    def _has(self, text: str, setting: int) -> bool:
        return self.cache is not None and self.cache.has(self._key(text, setting))

    def _stored_calibration(self) -> Calibration | None:
        """The shipped calibration of this engine, voice and volume, else the machine's."""
        key = self._calibration_key()
        found = shipped().get(key)
        if found is None and self.cache is not None:
            found = CalibrationStore(self.cache.root).get(key)
        return found

    def _calibration_key(self) -> str:
        return calibration_key(
            self.engine.name, self._version(), self.voice, self.volume, self.voice_digest
        )

    def calibration(self) -> Calibration:
        """This engine's, voice's and volume's calibration: shipped, kept on this machine,
        else measured now."""
        if self._calibration is None:
            found = self._stored_calibration()
            if found is None:
                try:
                    found = calibrate(self._reference)
                except ValueError as error:
                    raise SpeechError(f"cannot calibrate the speaking rate: {error}") from None
                if self.cache is not None:
                    CalibrationStore(self.cache.root).put(self._calibration_key(), found)
            self._calibration = found
        return self._calibration

    def _measured(self, text: str, setting: int) -> Clip:
        """A trimmed clip to measure, not kept in memory (the render keeps only what it says)."""
        return trim_silence(self._untrimmed(text, setting), text)

    def _reference(self, text: str, setting: int) -> Clip:
        """A reference sentence, as written: a routine's respellings must not change the
        calibration that every routine shares."""
        return trim_silence(self._cached(text, setting), text)

    def _trimmed(self, text: str, setting: int) -> Clip:
        memo_key = (text, setting)
        clip = self._clips.get(memo_key)
        if clip is None:
            clip = trim_silence(self._untrimmed(text, setting), text)
            self._clips[memo_key] = clip
        return clip

    def duration_ms(self, text: str, rate_wpm: int) -> int:
        """How long the phrase lasts from its onset to its last audible sample."""
        return self.clip(text, rate_wpm).duration_ms

    def _untrimmed(self, text: str, rate_wpm: int) -> Clip:
        return self._cached(self.spoken_text(text), rate_wpm)

    def _cached(self, text: str, rate_wpm: int) -> Clip:
        """The engine's clip of exactly ``text``, from the cache or made and kept there."""
        if self.cache is None:
            return self._synthesize(text, rate_wpm)
        key = self._key(text, rate_wpm)
        clip = self.cache.get(key)
        if clip is None:
            if self._cached_only:
                raise NotMade(text)
            failed = self._failures.get((text, rate_wpm))
            if failed is not None:
                raise failed  # prepare tried, with every attempt
            clip = self._synthesize(text, rate_wpm)
            self.cache.put(key, clip)
        return clip

    def _key(self, text: str, setting: int) -> str:
        """The cache's name for the engine's clip of exactly ``text`` at ``setting``."""
        return cache_key(
            self.engine.name,
            self._version(),
            self.voice,
            setting,
            self.volume,
            text,
            self.voice_digest,
        )

    def _synthesize(self, text: str, rate_wpm: int) -> Clip:
        return self.engine.synthesize(text, self.voice, rate_wpm, self.volume)

    def spoken_text(self, text: str) -> str:
        """What the engine is given for ``text``: the words respelled (``pronounce:``)."""
        return respell(text, self.respellings)

    def _version(self) -> str:
        if self._engine_version is None:
            self._engine_version = self.engine.version()
        return self._engine_version


class _Made:
    """What ``prepare`` has made, of a total known one batch at a time (the batches after
    it are bounded from above), for ``progress(done, total)``."""

    def __init__(self, progress: Callable[[int, int], None] | None) -> None:
        self.progress = progress
        self.done = 0
        self.total = 0

    def expect(self, count: int) -> None:
        self.total = self.done + count

    def one(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, max(self.done, self.total))

    def finish(self) -> None:
        """The bar ends full where a bound was not reached."""
        if self.done and self.progress is not None:
            self.progress(self.done, self.done)


def _long(phrases: list[tuple[str, int]]) -> int:
    """How many of ``phrases`` are measured and may be made again at a corrected setting."""
    return sum(len(text.split()) >= MIN_CORRECTED_WORDS for text, _ in phrases)


def _within_limits(setting: int) -> int:
    """Every engine takes settings in the format's rate range. espeak-ng's slowest (80) is
    heard at about 110 words per minute: slower rates are said at that."""
    return max(MIN_RATE_WPM, min(MAX_RATE_WPM, setting))


def trim_silence(clip: Clip, text: str = "") -> Clip:
    """``clip`` from LEAD_MS before its first audible sample to just after its last one.

    Raises SpeechError when nothing in it is audible: a silent clip would place nothing
    where the plan expects speech.
    """
    import numpy as np

    samples = np.frombuffer(clip.pcm, dtype="<i2").astype(np.int32)
    audible = np.flatnonzero(np.abs(samples) > _threshold_amplitude())
    if audible.size == 0:
        raise SpeechError(f'speech engine failed on "{text}": the clip is silent')
    lead_frames = round(LEAD_MS * clip.sample_rate_hz / 1000)
    start = max(0, int(audible[0]) - lead_frames)
    end = int(audible[-1]) + 1
    return Clip(pcm=clip.pcm[start * 2 : end * 2], sample_rate_hz=clip.sample_rate_hz)


def _threshold_amplitude() -> float:
    return float(FULL_SCALE * 10 ** (TRIM_THRESHOLD_DBFS / 20))
