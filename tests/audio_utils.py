"""Helpers for audio tests: synthesized clips, hand-built timelines, decoding and measuring.

Signals are synthesized (never checked-in audio) and files are decoded and measured with
ffmpeg itself, independently of the renderer's own meter: always the same ffmpeg, the
``instrument``, whichever one the code under test runs.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from voiceguide.ffmpeg import FFMPEG_ENV, MIN_FFMPEG, ffmpeg_version
from voiceguide.plan.mix import plan_mix
from voiceguide.plan.timeline import Chapter, Event, Timeline
from voiceguide.routine.model import Background, Voice
from voiceguide.tts.base import Clip

CLIP_RATE_HZ = 22_050  # what espeak makes


def speechlike_clip(duration_ms: int, seed: int = 0, sample_rate_hz: int = CLIP_RATE_HZ) -> Clip:
    """Syllables of a buzzing voice with uneven stress, like espeak's output: peaks just
    under 0 dBFS, loudness about -20 LUFS, so the -16 LUFS target needs the limiter."""
    rng = np.random.default_rng(seed)
    seconds = np.arange(sample_rate_hz * duration_ms // 1000) / sample_rate_hz
    pitch_hz = rng.uniform(100, 130) + 20.0 * np.sin(2 * np.pi * 0.7 * seconds)
    phase = 2 * np.pi * np.cumsum(pitch_hz) / sample_rate_hz
    harmonics = range(1, 40)
    voice = sum(np.cos(k * phase + rng.uniform(0, 2 * np.pi)) / np.sqrt(k) for k in harmonics)
    syllable_hz = rng.uniform(3.0, 4.0)
    syllables = seconds * syllable_hz
    stress = rng.uniform(0.0, 1.0, int(syllables[-1]) + 1) ** 2
    envelope = np.sin(np.pi * (syllables % 1.0)) ** 2 * stress[syllables.astype(int)]
    signal = voice * envelope
    return clip_from(signal / np.abs(signal).max() * 0.97, sample_rate_hz)


def tone_clip(duration_ms: int, frequency_hz: float = 440.0, amplitude: float = 0.5) -> Clip:
    """A tone burst with a 5 ms attack: a sharp, easily found onset."""
    seconds = np.arange(CLIP_RATE_HZ * duration_ms // 1000) / CLIP_RATE_HZ
    attack = np.clip(seconds / 0.005, 0.0, 1.0)
    return clip_from(amplitude * attack * np.sin(2 * np.pi * frequency_hz * seconds), CLIP_RATE_HZ)


def clip_from(samples: np.ndarray, sample_rate_hz: int) -> Clip:
    pcm = np.clip(np.rint(samples * 32767), -32768, 32767).astype("<i2")
    return Clip(pcm.tobytes(), sample_rate_hz)


def timeline_of(
    speech: Sequence[tuple[int, str, Clip]],
    total_ms: int,
    cues: Sequence[tuple[int, str]] = (),
    background: Background | None = None,
    rate_wpm: int = 150,
) -> tuple[Timeline, dict[tuple[str, int], Clip]]:
    """A timeline with speech at the given starts, silence between, and cues on top."""
    events: list[Event] = []
    clips: dict[tuple[str, int], Clip] = {}
    now_ms = 0
    for start_ms, text, clip in sorted(speech, key=lambda s: s[0]):
        if start_ms > now_ms:
            events.append(Event(now_ms, start_ms - now_ms, "silence", 0, text="pause"))
        events.append(Event(start_ms, clip.duration_ms, "speech", 0, text=text, rate_wpm=rate_wpm))
        clips[(text, rate_wpm)] = clip
        now_ms = start_ms + clip.duration_ms
    if total_ms > now_ms:
        events.append(Event(now_ms, total_ms - now_ms, "silence", 0, text="end"))
    events += [Event(start_ms, 0, "cue", 0, cue=name) for start_ms, name in cues]
    events.sort(key=lambda e: e.start_ms)
    unmixed = Timeline(
        title="Test session",
        description="A hand-built timeline.",
        language="en",
        voice=Voice(),
        background=background or Background("none"),
        pace=1.0,
        target_ms=None,
        events=tuple(events),
        chapters=(Chapter("All", None, 0, total_ms),),
        total_ms=total_ms,
    )
    # The planner's mix for it (fades, ducking): the mixer decides no time itself.
    return replace(unmixed, mix=plan_mix(unmixed)), clips


def instrument() -> str:
    """The ffmpeg that decodes, measures and makes the tests' files: imageio-ffmpeg's own, a
    dependency, so every run measures with the same one. Which ffmpeg voiceguide itself runs
    is the ``each_ffmpeg`` fixture's to choose. (Debian's takes 0.15 s of CPU to start, against
    0.01 s for this static build: several hundred runs add up.)"""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def decode(path: Path, sample_rate_hz: int = 44_100, channels: int = 2) -> np.ndarray:
    """A file's samples as float32 (frames, channels), decoded by ffmpeg."""
    command = [instrument(), "-v", "error", "-nostdin", "-i", str(path)]
    command += ["-f", "f32le", "-ac", str(channels), "-ar", str(sample_rate_hz), "pipe:1"]
    raw = subprocess.run(command, capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4").reshape(-1, channels)


def decoded_duration_ms(path: Path, sample_rate_hz: int = 44_100) -> float:
    """How long a file plays, counted in the samples ffmpeg decodes from it (not its tags)."""
    return len(decode(path, sample_rate_hz, channels=1)) * 1000 / sample_rate_hz


def onset_ms(
    mono: np.ndarray, sample_rate_hz: int, near_ms: int, threshold: float, window_ms: int = 300
) -> float:
    """The first time within ``window_ms`` of ``near_ms`` where |x| reaches ``threshold``."""
    first = max(0, (near_ms - window_ms) * sample_rate_hz // 1000)
    last = (near_ms + window_ms) * sample_rate_hz // 1000
    loud = np.flatnonzero(np.abs(mono[first:last]) >= threshold)
    assert len(loud), f"no onset near {near_ms} ms"
    return (first + int(loud[0])) * 1000 / sample_rate_hz


def rms_db(mono: np.ndarray, sample_rate_hz: int, start_ms: int, end_ms: int) -> float:
    """RMS level (dBFS) between two times."""
    part = mono[start_ms * sample_rate_hz // 1000 : end_ms * sample_rate_hz // 1000]
    return float(20 * np.log10(np.sqrt(np.mean(np.square(part, dtype=np.float64))) + 1e-12))


@dataclass(frozen=True)
class Loudness:
    """ffmpeg ``ebur128`` figures for a file (-inf for silence)."""

    integrated_lufs: float
    true_peak_dbtp: float


_INTEGRATED = re.compile(r"Integrated loudness:\s+I:\s+(-?inf|-?[\d.]+) LUFS")
_TRUE_PEAK = re.compile(r"True peak:\s+Peak:\s+(-?inf|-?[\d.]+) dBFS")


def measure_loudness(path: Path) -> Loudness:
    """Integrated loudness and true peak of an audio file, by ffmpeg's ``ebur128`` filter."""
    return _ebur128(path, ["-f", "null", "-"])[1]


def decode_and_measure(
    path: Path, sample_rate_hz: int = 44_100, channels: int = 2
) -> tuple[np.ndarray, Loudness]:
    """decode() and measure_loudness() in one pass of ffmpeg: the filter passes the audio on."""
    output = ["-f", "f32le", "-ac", str(channels), "-ar", str(sample_rate_hz), "pipe:1"]
    raw, loudness = _ebur128(path, output)
    return np.frombuffer(raw, dtype="<f4").reshape(-1, channels), loudness


def _ebur128(path: Path, output: list[str]) -> tuple[bytes, Loudness]:
    """What ffmpeg writes to ``output`` through ``ebur128``, and the figures it reports.

    Only options every supported ffmpeg has: ``framelog`` (6.0 and newer) would quieten the
    per-frame lines, but 5.1 refuses it, so they are read past instead.
    """
    command = [instrument(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path)]
    command += ["-map", "0:a:0", "-af", "ebur128=peak=true", *output]
    result = subprocess.run(command, capture_output=True, check=False)
    report = result.stderr.decode("utf-8", "replace")
    summary = report[report.rfind("Summary:") :]
    integrated, peak = _INTEGRATED.search(summary), _TRUE_PEAK.search(summary)
    if result.returncode != 0 or not integrated or not peak:
        lines = report.strip().splitlines()
        raise AssertionError(f"cannot measure {path}: {lines[-1] if lines else 'ffmpeg failed'}")
    return result.stdout, Loudness(_decibels(integrated.group(1)), _decibels(peak.group(1)))


def _decibels(text: str) -> float:
    return -math.inf if text.endswith("inf") else float(text)


def system_ffmpeg() -> str | None:
    """An ffmpeg on PATH that voiceguide would use (recent enough), or None."""
    found = shutil.which("ffmpeg")
    if found is None:
        return None
    version = ffmpeg_version(found)
    return found if version is None or version >= MIN_FFMPEG else None


def use_ffmpeg(which: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run what follows with ``which`` ffmpeg (each_ffmpeg's, a test's own parameter, or a
    module fixture's with pytest.MonkeyPatch.context()); the system's skips where there is
    none."""
    if which == "system" and system_ffmpeg() is None:
        pytest.skip("no system ffmpeg on PATH (Debian: apt-get install ffmpeg)")
    monkeypatch.setenv(FFMPEG_ENV, which)
    return which
