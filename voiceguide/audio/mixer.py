"""The only mixer: a Timeline and its speech clips to fixed-size blocks of PCM samples.

Speech clips get one measured gain (to a spoken-word loudness target) and a look-ahead
peak limiter, are resampled once each and placed at their planned frame; cue sounds ring
over them; a background bed runs under everything, fading in and out and ducking under
speech as the timeline's mix says (the planner decides every time; this module and
``envelopes`` only execute it). Only the current block and a bounded cache of processed
clips (``speech_clips``) are held, and clips are processed in pieces, so memory grows with
neither the session nor its longest phrase. Every sample is a function of its absolute
position alone: the output is the same for any block size.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from voiceguide.audio.beds import bed_stream
from voiceguide.audio.envelopes import (
    Ducking,
    Fades,
    bed_fade_gain,
    frame_at,
    mean_voice_fall_db,
    per_frame,
    voice_gain,
)
from voiceguide.audio.loudness import clip_loudness, db_to_gain
from voiceguide.audio.sounds import cue_sound
from voiceguide.audio.speech_clips import PhraseKey, SpeechClips, check_clips, speech_level
from voiceguide.audio.user_sounds import cue_samples
from voiceguide.errors import AudioError
from voiceguide.plan.timeline import Timeline
from voiceguide.routine.model import Background, is_file_cue
from voiceguide.tts.base import Clip

__all__ = ["RenderOptions", "Rendering", "frame_at", "render_blocks", "total_frames"]

STEREO_TARGET_LUFS = -16.0
MONO_TARGET_LUFS = -19.0
CUE_DUCK_SHARE = 0.75  # a bell still ringing when narration starts steps back 3/4 as far
BED_MEASURE_MS = {"drone": 20_000, "file": 60_000}  # the drone's slowest swell lasts 19 s
NOISE_MEASURE_MS = 6_000  # noise is steady
# Peak over voice loudness: struck cues ~8 LU under the voice, soft tones further.
CUE_PEAK_DB = {"bell": 5.0, "chime": 5.0, "tick": 4.0, "gong": 5.0, "tone": 1.0, "low_tone": 2.0}
SAFETY_KNEE_DBFS = -1.5  # speech peaks stay under -2 dBTP; only a cue on top reaches here
SAFETY_CEILING_DBFS = -1.0
MIN_SAMPLE_RATE_HZ = 8_000
MAX_SAMPLE_RATE_HZ = 192_000


@dataclass(frozen=True)
class RenderOptions:
    """How to render. ``background`` None uses the timeline's; ``loudness_target_lufs`` None
    uses -16 LUFS for stereo and -19 LUFS for mono (the same speech level per channel)."""

    sample_rate_hz: int = 44_100
    channels: int = 2
    block_frames: int = 32_768
    """0.74 s at 44.1 kHz: fewer, larger blocks spend less per block in Python (a 15-minute
    WAV render: 4.30 -> 3.92 s, 10 paired runs), the same 94 MB peak and the same samples."""
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


def total_frames(timeline: Timeline, options: RenderOptions) -> int:
    """The number of frames ``render_blocks`` yields for this timeline."""
    return frame_at(timeline.total_ms, options.sample_rate_hz)


@dataclass(frozen=True)
class _Placement:
    """A sound on the session's clock: a speech phrase or a cue."""

    start_frame: int
    end_frame: int
    phrase: PhraseKey | None = None
    cue: str = ""
    gain: float = 1.0  # speech: the bedtime voice's fall


class Rendering:
    """An iterator of int16 blocks shaped (frames, channels), plus what the render decided:
    ``total_frames``, ``speech_gain_db``, ``speech_lufs`` (the integrated loudness of the
    speech in the output, all channels: the target unless the limiter cap kept it lower;
    -inf without speech) and ``bed_gain``."""

    def __init__(self, timeline: Timeline, clips: Mapping[PhraseKey, Clip], options: RenderOptions):
        counts = Counter(e.phrase for e in timeline.speech())
        check_clips(counts, clips)
        self.options = options
        self.total_frames = total_frames(timeline, options)
        self._target_lufs = options.channel_target_lufs
        if timeline.bedtime and options.loudness_target_lufs is None:
            self._target_lufs -= timeline.bedtime.quieter_db
        self._voice_gain = timeline.mix.voice_gain
        fall_db = mean_voice_fall_db(timeline)
        target_lufs = self._target_lufs + fall_db
        # Synthesized speech gets one gain; each recording (rate 0) one of its own, to the
        # same loudness, since it was recorded at any level.
        spoken = {key: n for key, n in counts.items() if key[1]}
        gain_db, channel_lufs = speech_level(clips, spoken or counts, target_lufs)
        recorded = {
            key: speech_level(clips, {key: 1}, target_lufs)[0] for key in counts if not key[1]
        }
        self.speech_gain_db = gain_db
        # As measured: the limiter cap may keep speech under its target.
        self.speech_lufs = channel_lufs - fall_db + 10.0 * math.log10(options.channels)
        self._speech = SpeechClips(clips, gain_db, options.sample_rate_hz, recorded)
        self._cues = self._cue_sounds(timeline)
        # The cue track is mono unless a user's file brought stereo.
        stereo = any(sound.ndim == 2 for sound in self._cues.values())
        self._cue_channels: tuple[int, ...] = (options.channels,) if stereo else ()
        self._placements = self._place(timeline)
        rate_hz = options.sample_rate_hz
        mix = timeline.mix
        ducks = [
            (frame_at(duck.start_ms, rate_hz), frame_at(duck.end_ms, rate_hz), duck.depth_db)
            for duck in mix.ducks
        ]
        self._ducking = Ducking(ducks, rate_hz, mix.duck_attack_ms, mix.duck_release_ms)
        background = options.background or timeline.background
        self._bed = bed_stream(background, rate_hz, options.seed, options.channels)
        self.bed_gain = self._bed_gain(background) if self._bed else 0.0
        self._bed_fades = Fades(mix.fades_of("bed"), rate_hz, ease=bed_fade_gain)
        self._output_fades = Fades(mix.fades_of("output"), rate_hz)
        self._blocks = self._mix()

    def __iter__(self) -> Iterator[np.ndarray]:
        return self

    def __next__(self) -> np.ndarray:
        return next(self._blocks)

    def _cue_sounds(self, timeline: Timeline) -> dict[str, np.ndarray]:
        sounds = {}
        rate_hz = self.options.sample_rate_hz
        for name in sorted({e.cue for e in timeline.cues()}):
            if is_file_cue(name):  # a user's sound, levelled like the bell
                sound = cue_samples(name, rate_hz, self.options.channels)
                peak_db = CUE_PEAK_DB["bell"]
            else:
                sound = cue_sound(name, rate_hz, self.options.seed)
                peak_db = CUE_PEAK_DB.get(name, 0.0)
            level_db = self._target_lufs + peak_db
            sounds[name] = (sound * db_to_gain(level_db)).astype(np.float32)
        return sounds

    def _place(self, timeline: Timeline) -> list[_Placement]:
        rate_hz = self.options.sample_rate_hz
        placements = []
        for event in timeline.events:
            start = frame_at(event.start_ms, rate_hz)
            if event.kind == "speech":
                key = event.phrase
                end = start + self._speech.frames(key)
                gain = voice_gain(self._voice_gain, event.start_ms)
                placements.append(_Placement(start, end, phrase=key, gain=gain))
            elif event.kind == "cue":
                end = start + len(self._cues[event.cue])
                placements.append(_Placement(start, end, cue=event.cue))
        placements.sort(key=lambda p: p.start_frame)  # stable: ties keep timeline order
        return [p for p in placements if p.start_frame < min(p.end_frame, self.total_frames)]

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
        mix = speech
        if cues is not None:
            cue_duck = self._ducking.gain(first, end, CUE_DUCK_SHARE)
            if cue_duck is not None:
                cues = cues * per_frame(cue_duck, cues)
            mix = _added(mix, cues)
        if self._bed is not None:
            mix = _added(mix, self._bed_block(first, end))
        output_fade = self._output_fades.gain(first, end)
        if output_fade is not None:
            mix *= per_frame(output_fade, mix)
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
                cues = np.zeros((end - first, *self._cue_channels))
            into = speech if placement.phrase is not None else cues
            assert into is not None
            piece = self._samples(placement)[
                lo - placement.start_frame : hi - placement.start_frame
            ]
            if piece.ndim < into.ndim:  # a mono cue among a file's stereo ones
                piece = piece[:, None]
            into[lo - first : hi - first] += (
                piece if placement.gain == 1.0 else piece * placement.gain
            )
        return speech, cues

    def _samples(self, placement: _Placement) -> np.ndarray:
        if placement.phrase is not None:
            return self._speech.samples(placement.phrase)
        return self._cues[placement.cue]

    def _bed_block(self, first: int, end: int) -> np.ndarray:
        assert self._bed is not None
        bed = self._bed.read(end - first).astype(np.float64) * self.bed_gain
        fade = self._bed_fades.gain(first, end)
        if fade is not None:
            bed *= per_frame(fade, bed)
        duck = self._ducking.gain(first, end)
        if duck is not None:
            bed *= per_frame(duck, bed)
        return bed


def _added(mix: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Two signals summed, either mono (frames,) or (frames, channels)."""
    if mix.ndim == other.ndim:
        return np.asarray(mix + other)
    return np.asarray(mix[:, None] + other if mix.ndim == 1 else mix + other[:, None])


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
