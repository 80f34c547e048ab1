"""The only mixer: a Timeline and its speech clips to fixed-size blocks of PCM samples.

Speech clips get one measured gain (to a spoken-word loudness target) and a look-ahead
peak limiter, are resampled once each and placed at their planned frame; cue sounds ring
over them; a background bed runs under everything, fading in and out and ducking under
speech along envelopes computed from the timeline, not from the audio. Only the current
block and a bounded cache of processed clips are held, and clips are processed in pieces,
so memory grows with neither the session nor its longest phrase. Every sample is a
function of its absolute position alone: the output is the same for any block size.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from voiceguide.audio.beds import bed_stream
from voiceguide.audio.loudness import (
    clip_loudness,
    db_to_gain,
    gain_for_loudness,
    limit,
    loudness_profile,
)
from voiceguide.audio.resample import resample, resampled_frames
from voiceguide.audio.sounds import apply_fades, cue_sound, smoothstep
from voiceguide.errors import AudioError
from voiceguide.plan.timeline import Timeline
from voiceguide.routine.limits import MIN_TAIL_MS
from voiceguide.routine.model import Background
from voiceguide.tts.base import Clip

PhraseKey = tuple[str, int]  # (text, rate_wpm), as in Timeline.phrases()

STEREO_TARGET_LUFS = -16.0
MONO_TARGET_LUFS = -19.0
SPEECH_CEILING_DBTP = -2.0  # 1 dB under the -1 dBTP bar: MP3 encoding overshoots a little
LIMITER_RADIUS_MS = 5.0  # the limiter's gain moves over 4 radii (20 ms)
MAX_LIMITING_DB = 8.0  # past this the limiter is heard: speech stays under its target
CLIP_FADE_MS = 3.0  # trimmed clips start on an audible sample: fade it in, no click
CLIP_CACHE_BYTES = 16 * 1024 * 1024  # processed clips kept (95 s of speech); others are redone
BED_DUCK_DB = 8.0
CUE_DUCK_DB = 6.0  # a bell still ringing when narration starts steps back too
DUCK_ATTACK_MS = 300  # the duck is complete when speech starts: the timeline knows ahead
DUCK_RELEASE_MS = 900
BED_FADE_MIN_MS = 5_000
BED_FADE_MAX_MS = 30_000
BED_FADE_FRACTION = 1 / 30  # 15 minutes fade over 30 s
BED_MEASURE_MS = {"drone": 20_000, "file": 60_000}  # the drone's slowest swell lasts 19 s
NOISE_MEASURE_MS = 6_000  # noise is steady
# Peak over voice loudness: struck cues ~8 LU under the voice, soft tones further.
CUE_PEAK_DB = {"bell": 5.0, "chime": 5.0, "tick": 4.0, "gong": 5.0, "tone": 1.0, "low_tone": 2.0}
SAFETY_KNEE_DBFS = -1.5  # speech peaks stay under -2 dBTP; only a cue on top reaches here
SAFETY_CEILING_DBFS = -1.0
END_FADE_MS = 20  # a sound cut by the end of the session must not click
MIN_SAMPLE_RATE_HZ = 8_000
MAX_SAMPLE_RATE_HZ = 192_000


@dataclass(frozen=True)
class RenderOptions:
    """How to render. ``background`` None uses the timeline's; ``loudness_target_lufs`` None
    uses -16 LUFS for stereo and -19 LUFS for mono (the same speech level per channel)."""

    sample_rate_hz: int = 44_100
    channels: int = 2
    block_frames: int = 8192
    seed: int = 0
    background: Background | None = None
    loudness_target_lufs: float | None = None

    def __post_init__(self) -> None:
        if not MIN_SAMPLE_RATE_HZ <= self.sample_rate_hz <= MAX_SAMPLE_RATE_HZ:
            raise AudioError(
                f"sample rate {self.sample_rate_hz} Hz is out of range "
                f"({MIN_SAMPLE_RATE_HZ} to {MAX_SAMPLE_RATE_HZ})"
            )
        if self.channels not in (1, 2):
            raise AudioError(f"channels must be 1 or 2, got {self.channels}")
        if self.block_frames < 1:
            raise AudioError(f"block size must be at least 1 frame, got {self.block_frames}")
        if self.seed < 0:
            raise AudioError(f"seed must be 0 or more, got {self.seed}")

    @property
    def target_lufs(self) -> float:
        if self.loudness_target_lufs is not None:
            return self.loudness_target_lufs
        return STEREO_TARGET_LUFS if self.channels == 2 else MONO_TARGET_LUFS

    @property
    def channel_target_lufs(self) -> float:
        """The speech loudness of one channel: BS.1770 sums the channels' power."""
        return self.target_lufs - 10.0 * math.log10(self.channels)


def frame_at(time_ms: int, sample_rate_hz: int) -> int:
    return time_ms * sample_rate_hz // 1000


def total_frames(timeline: Timeline, options: RenderOptions) -> int:
    """The number of frames ``render_blocks`` yields for this timeline."""
    return frame_at(timeline.total_ms, options.sample_rate_hz)


def _clip_samples(clip: Clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32) / np.float32(32768.0)


def _levelled(clip: Clip, gain: float) -> np.ndarray:
    """The clip at ``gain``, peaks limited under the ceiling, at its own sample rate."""
    ceiling = db_to_gain(SPEECH_CEILING_DBTP)
    return limit(_clip_samples(clip), clip.sample_rate_hz, gain, ceiling, LIMITER_RADIUS_MS)


def speech_level(
    clips: Mapping[PhraseKey, Clip], counts: Mapping[PhraseKey, int], target_lufs: float
) -> tuple[float, float]:
    """(gain dB, loudness LUFS reached): the one gain that brings the limited speech to
    ``target_lufs`` (one channel), measured over every phrase as often as it is spoken."""
    keys = sorted(counts)
    profiles = [loudness_profile(_clip_samples(clips[k]), clips[k].sample_rate_hz) for k in keys]
    return gain_for_loudness(
        profiles,
        [counts[key] for key in keys],
        target_lufs,
        db_to_gain(SPEECH_CEILING_DBTP),
        LIMITER_RADIUS_MS,
        MAX_LIMITING_DB,
    )


class SpeechClips:
    """Processed clips at the session rate, made once each and kept while memory allows."""

    def __init__(self, clips: Mapping[PhraseKey, Clip], gain_db: float, sample_rate_hz: int):
        self._clips = clips
        self._gain = db_to_gain(gain_db)
        self._sample_rate_hz = sample_rate_hz
        self._cache: OrderedDict[PhraseKey, np.ndarray] = OrderedDict()
        self._cached_bytes = 0
        self._frames: dict[PhraseKey, int] = {}

    def frames(self, key: PhraseKey) -> int:
        """The clip's length at the session rate, without processing it."""
        if key not in self._frames:
            clip = self._clips[key]
            rate_hz = clip.sample_rate_hz
            self._frames[key] = resampled_frames(clip.frames, rate_hz, self._sample_rate_hz)
        return self._frames[key]

    def samples(self, key: PhraseKey) -> np.ndarray:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        samples = self._process(self._clips[key])
        self._cache[key] = samples
        self._cached_bytes += samples.nbytes
        while self._cached_bytes > CLIP_CACHE_BYTES and len(self._cache) > 1:
            self._cached_bytes -= self._cache.popitem(last=False)[1].nbytes
        return samples

    def _process(self, clip: Clip) -> np.ndarray:
        levelled = _levelled(clip, self._gain)
        resampled = resample(levelled, clip.sample_rate_hz, self._sample_rate_hz)
        if len(resampled):
            apply_fades(resampled, self._sample_rate_hz, CLIP_FADE_MS, CLIP_FADE_MS)
        return resampled


@dataclass(frozen=True)
class _Placement:
    """A sound on the session's clock: a speech phrase or a cue."""

    start_frame: int
    end_frame: int
    phrase: PhraseKey | None = None
    cue: str = ""
    gain: float = 1.0  # speech: the bedtime voice's fall


class Ducking:
    """How far the bed (and cues) step back under speech: 0 to 1 at each frame.

    Speech intervals closer than attack + release are merged, so the bed does not pump
    between close phrases; ramps then never overlap.
    """

    def __init__(self, speech_frames: list[tuple[int, int]], sample_rate_hz: int) -> None:
        self._attack = max(1, frame_at(DUCK_ATTACK_MS, sample_rate_hz))
        self._release = max(1, frame_at(DUCK_RELEASE_MS, sample_rate_hz))
        merged: list[list[int]] = []
        for start, end in sorted(speech_frames):
            if merged and start - merged[-1][1] < self._attack + self._release:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = np.array([m[0] for m in merged], dtype=np.int64)
        self._ends = np.array([m[1] for m in merged], dtype=np.int64)
        self._ramp_starts = self._starts - self._attack
        self._ramp_ends = self._ends + self._release

    def amount(self, first: int, end: int) -> np.ndarray | None:
        """The duck amount at frames first..end-1; None where it is 0 throughout."""
        lo = int(np.searchsorted(self._ramp_ends, first, side="right"))
        hi = int(np.searchsorted(self._ramp_starts, end - 1, side="right"))
        if lo >= hi:
            return None
        positions = np.arange(first, end, dtype=np.int64)
        amount = np.zeros(end - first)
        for start, stop in zip(self._starts[lo:hi], self._ends[lo:hi], strict=True):
            rise = (positions - (start - self._attack)) / self._attack
            fall = ((stop + self._release) - positions) / self._release
            position = np.clip(np.minimum(rise, fall), 0.0, 1.0)
            amount = np.maximum(amount, smoothstep(position))
        return amount


def bed_fade_ms(total_ms: int) -> int:
    """At least 5 s, longer for long sessions, never more than half the session."""
    fade_ms = min(BED_FADE_MAX_MS, max(BED_FADE_MIN_MS, round(total_ms * BED_FADE_FRACTION)))
    return min(fade_ms, total_ms // 2)


def tail_fade_ms(tail_ms: int) -> int:
    """A tail fades out over its second half, and never faster than over a minute."""
    return max(MIN_TAIL_MS, tail_ms // 2)


def voice_fall_db(timeline: Timeline) -> Callable[[int], float] | None:
    """At bedtime, how many dB under its first word the voice is at a moment: a straight
    fall to ``voice_fall_db`` at the last word. None when the voice keeps its level."""
    speech = timeline.speech()
    if not timeline.bedtime or not timeline.bedtime.voice_fall_db or len(speech) < 2:
        return None
    first_ms, last_ms = speech[0].start_ms, speech[-1].start_ms
    fall_db = timeline.bedtime.voice_fall_db
    return lambda at_ms: fall_db * (at_ms - first_ms) / (last_ms - first_ms)


def mean_fall_db(timeline: Timeline, fall: Callable[[int], float] | None) -> float:
    """How much the fall lowers the speech's integrated loudness (power mean over time
    spoken): levelling aims this much higher, so speech as a whole meets its target."""
    if fall is None:
        return 0.0
    speech = timeline.speech()
    power = sum(e.duration_ms * 10.0 ** (-fall(e.start_ms) / 10.0) for e in speech)
    return -10.0 * math.log10(power / sum(e.duration_ms for e in speech))


def _fade(first: int, end: int, total: int, fade_in: int, fade_out: int) -> np.ndarray | None:
    """Gain rising over the first ``fade_in`` frames of the session and falling over the
    last ``fade_out``; None where it is exactly 1 throughout (the same value the arithmetic
    would give, so skipping it never changes a sample)."""
    if first >= fade_in and end - 1 <= total - fade_out:
        return None
    positions = np.arange(first, end, dtype=np.int64)
    rising = positions / fade_in if fade_in else np.inf
    falling = (total - positions) / fade_out if fade_out else np.inf
    return np.asarray(np.clip(np.minimum(rising, falling), 0.0, 1.0))


def _check_clips(counts: Mapping[PhraseKey, int], clips: Mapping[PhraseKey, Clip]) -> None:
    missing = sorted(key for key in counts if key not in clips)
    if missing:
        text, rate_wpm = missing[0]
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise AudioError(f"no speech clip for {text!r} at {rate_wpm} wpm{more}")


class Rendering:
    """An iterator of int16 blocks shaped (frames, channels), plus what the render decided:
    ``total_frames``, ``speech_gain_db``, ``speech_lufs`` (the integrated loudness of the
    speech in the output, all channels: the target unless the limiter cap kept it lower;
    -inf without speech) and ``bed_gain``."""

    def __init__(self, timeline: Timeline, clips: Mapping[PhraseKey, Clip], options: RenderOptions):
        counts = Counter((e.text, e.rate_wpm) for e in timeline.speech())
        _check_clips(counts, clips)
        self.options = options
        self.total_frames = total_frames(timeline, options)
        self._target_lufs = options.channel_target_lufs
        if timeline.bedtime and options.loudness_target_lufs is None:
            self._target_lufs -= timeline.bedtime.quieter_db
        self._voice_fall = voice_fall_db(timeline)
        fall_db = mean_fall_db(timeline, self._voice_fall)
        gain_db, channel_lufs = speech_level(clips, counts, self._target_lufs + fall_db)
        self.speech_gain_db = gain_db
        # As measured: the limiter cap may keep speech under its target.
        self.speech_lufs = channel_lufs - fall_db + 10.0 * math.log10(options.channels)
        self._speech = SpeechClips(clips, self.speech_gain_db, options.sample_rate_hz)
        self._cues = self._cue_sounds(timeline)
        self._placements = self._place(timeline)
        self._ducking = Ducking(self._speech_frames(timeline), options.sample_rate_hz)
        background = options.background or timeline.background
        self._bed = bed_stream(background, options.sample_rate_hz, options.seed, options.channels)
        self.bed_gain = self._bed_gain(background) if self._bed else 0.0
        rate_hz = options.sample_rate_hz
        # With a lead-in the bed is up within its first half: the lead-in is for hearing it.
        fade_in_ms = bed_fade_ms(timeline.total_ms)
        if timeline.lead_in_ms:
            fade_in_ms = max(1, min(fade_in_ms, timeline.lead_in_ms // 2))
        self._bed_fade_in = frame_at(fade_in_ms, rate_hz)
        self._bed_fade_out = frame_at(
            tail_fade_ms(timeline.tail_ms) if timeline.tail_ms else bed_fade_ms(timeline.total_ms),
            rate_hz,
        )
        self._end_fade_frames = frame_at(END_FADE_MS, rate_hz)
        self._blocks = self._mix()

    def __iter__(self) -> Iterator[np.ndarray]:
        return self

    def __next__(self) -> np.ndarray:
        return next(self._blocks)

    def _cue_sounds(self, timeline: Timeline) -> dict[str, np.ndarray]:
        sounds = {}
        for name in sorted({e.cue for e in timeline.cues()}):
            sound = cue_sound(name, self.options.sample_rate_hz, self.options.seed)
            level_db = self._target_lufs + CUE_PEAK_DB.get(name, 0.0)
            sounds[name] = (sound * db_to_gain(level_db)).astype(np.float32)
        return sounds

    def _place(self, timeline: Timeline) -> list[_Placement]:
        rate_hz = self.options.sample_rate_hz
        placements = []
        for event in timeline.events:
            start = frame_at(event.start_ms, rate_hz)
            if event.kind == "speech":
                key = (event.text, event.rate_wpm)
                end = start + self._speech.frames(key)
                gain = db_to_gain(-self._voice_fall(event.start_ms)) if self._voice_fall else 1.0
                placements.append(_Placement(start, end, phrase=key, gain=gain))
            elif event.kind == "cue":
                end = start + len(self._cues[event.cue])
                placements.append(_Placement(start, end, cue=event.cue))
        placements.sort(key=lambda p: p.start_frame)  # stable: ties keep timeline order
        return [p for p in placements if p.start_frame < min(p.end_frame, self.total_frames)]

    def _speech_frames(self, timeline: Timeline) -> list[tuple[int, int]]:
        rate_hz = self.options.sample_rate_hz
        return [
            (frame_at(e.start_ms, rate_hz), frame_at(e.end_ms, rate_hz)) for e in timeline.speech()
        ]

    def _bed_gain(self, background: Background) -> float:
        """The gain that puts the bed ``level_db`` under the voice, per channel."""
        rate_hz = self.options.sample_rate_hz
        probe = bed_stream(background, rate_hz, self.options.seed, self.options.channels)
        assert probe is not None
        measure_ms = BED_MEASURE_MS.get(background.sound, NOISE_MEASURE_MS)
        samples = probe.read(frame_at(measure_ms, rate_hz))
        probe.close()
        channels = samples.reshape(len(samples), -1).T
        power = np.mean([10.0 ** (clip_loudness(c, rate_hz) / 10.0) for c in channels])
        bed_lufs = 10.0 * math.log10(power)
        return db_to_gain(self._target_lufs + background.level_db - bed_lufs)

    def _mix(self) -> Iterator[np.ndarray]:
        active: list[_Placement] = []
        waiting = iter(self._placements)
        upcoming = next(waiting, None)
        block_frames = self.options.block_frames
        try:
            for first in range(0, self.total_frames, block_frames):
                end = min(first + block_frames, self.total_frames)
                while upcoming is not None and upcoming.start_frame < end:
                    active.append(upcoming)
                    upcoming = next(waiting, None)
                yield self._block(first, end, active)
                active = [p for p in active if p.end_frame > end]
        finally:
            if self._bed is not None:
                self._bed.close()

    def _block(self, first: int, end: int, active: list[_Placement]) -> np.ndarray:
        # Fast paths skip only multiplications by exactly 1 and additions of exactly 0,
        # so a sample never depends on which block it falls in.
        speech, cues = self._placed(first, end, active)
        duck = self._ducking.amount(first, end)
        mix = speech
        if cues is not None:
            mix += cues if duck is None else cues * _ducked(duck, CUE_DUCK_DB)
        if self._bed is not None:
            bed = self._bed_block(first, end, duck)
            mix = mix + bed if bed.ndim == 1 else mix[:, None] + bed
        end_fade = _fade(first, end, self.total_frames, 0, self._end_fade_frames)
        if end_fade is not None:
            mix *= _per_frame(end_fade, mix)
        return _to_pcm(_safety_limited(mix), self.options.channels)

    def _placed(
        self, first: int, end: int, active: list[_Placement]
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Speech and cue sounds sounding in this block (cues None when there are none)."""
        speech = np.zeros(end - first)
        cues = None
        for placement in active:
            lo, hi = max(placement.start_frame, first), min(placement.end_frame, end)
            if lo >= hi:
                continue
            if placement.phrase is None and cues is None:
                cues = np.zeros(end - first)
            into = speech if placement.phrase is not None else cues
            assert into is not None
            piece = self._samples(placement)[
                lo - placement.start_frame : hi - placement.start_frame
            ]
            into[lo - first : hi - first] += (
                piece if placement.gain == 1.0 else piece * placement.gain
            )
        return speech, cues

    def _samples(self, placement: _Placement) -> np.ndarray:
        if placement.phrase is not None:
            return self._speech.samples(placement.phrase)
        return self._cues[placement.cue]

    def _bed_block(self, first: int, end: int, duck: np.ndarray | None) -> np.ndarray:
        assert self._bed is not None
        bed = self._bed.read(end - first).astype(np.float64) * self.bed_gain
        fade = _fade(first, end, self.total_frames, self._bed_fade_in, self._bed_fade_out)
        if fade is not None:
            fade = smoothstep(fade)
            bed *= _per_frame(fade * fade, bed)  # squared: gentle at the quiet end, as heard
        if duck is not None:
            bed *= _per_frame(_ducked(duck, BED_DUCK_DB), bed)
        return bed


def _per_frame(gain: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """A gain per frame, shaped to multiply mono or multichannel samples."""
    return gain if samples.ndim == 1 else gain[:, None]


def _ducked(amount: np.ndarray, duck_db: float) -> np.ndarray:
    """Gain for a duck amount (0: none, 1: full ``duck_db``); plain arithmetic, no exp."""
    return np.asarray(1.0 - (1.0 - db_to_gain(-duck_db)) * amount)


def _safety_limited(mix: np.ndarray) -> np.ndarray:
    """Samples past the knee bent smoothly towards the ceiling, never past it. Memoryless,
    so blocks stay independent; a rational curve (no exp/tanh) is exact and portable."""
    knee, ceiling = db_to_gain(SAFETY_KNEE_DBFS), db_to_gain(SAFETY_CEILING_DBFS)
    magnitude = np.abs(mix)
    if not len(mix) or magnitude.max() <= knee:
        return mix
    over = np.maximum(magnitude - knee, 0.0) / (ceiling - knee)
    bent = knee + (ceiling - knee) * over / (1.0 + over)
    return np.asarray(np.where(magnitude > knee, np.sign(mix) * bent, mix))


def _to_pcm(mix: np.ndarray, channels: int) -> np.ndarray:
    pcm = np.clip(np.rint(mix * 32767.0), -32768, 32767).astype(np.int16)
    return pcm if pcm.ndim == 2 else np.repeat(pcm[:, None], channels, axis=1)


def render_blocks(
    timeline: Timeline, clips: Mapping[PhraseKey, Clip], options: RenderOptions | None = None
) -> Rendering:
    """Stream the session as int16 blocks of ``options.block_frames`` frames (the last one
    shorter), shaped (frames, channels). Checks the clips and sets levels before returning."""
    return Rendering(timeline, clips, options or RenderOptions())
