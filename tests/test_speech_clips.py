"""Speech clips made ready to mix: one gain for all speech, the limiter cap, the cache."""

from __future__ import annotations

import math

import numpy as np
import pytest
from audio_utils import CLIP_RATE_HZ, clip_from, speechlike_clip, tone_clip

from voiceguide.audio import speech_clips
from voiceguide.audio.mixer import MONO_TARGET_LUFS
from voiceguide.audio.speech_clips import SpeechClips, check_clips, speech_level
from voiceguide.errors import AudioError

RATE_HZ = 44_100
LEVEL_TOLERANCE_DB = 0.05  # one gain for all: phrases keep their difference this closely


def test_evicted_clips_come_back_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    clips = {("a", 150): speechlike_clip(2_000, 1), ("b", 150): speechlike_clip(3_000, 2)}
    kept = SpeechClips(clips, -3.0, RATE_HZ)
    reference = {key: kept.samples(key).copy() for key in clips}
    monkeypatch.setattr(speech_clips, "CLIP_CACHE_BYTES", 1)  # only the last one is kept
    evicting = SpeechClips(clips, -3.0, RATE_HZ)
    for key in [*clips, *clips]:
        assert np.array_equal(evicting.samples(key), reference[key])


def test_frames_are_the_clip_length_at_the_session_rate_without_processing() -> None:
    clips = {("a", 150): tone_clip(1_000)}
    assert SpeechClips(clips, 0.0, 48_000).frames(("a", 150)) == 48_000


def test_one_gain_keeps_quiet_and_loud_phrases_apart() -> None:
    clips = {
        ("loud", 150): tone_clip(2_000, amplitude=0.4),
        ("quiet", 150): tone_clip(2_000, amplitude=0.2),
    }
    gain_db, reached_lufs = speech_level(clips, {key: 1 for key in clips}, -30.0)
    assert reached_lufs == pytest.approx(-30.0, abs=0.1)
    processed = SpeechClips(clips, gain_db, RATE_HZ)
    loud, quiet = (np.abs(processed.samples(key)).max() for key in clips)
    assert 20 * math.log10(loud / quiet) == pytest.approx(6.02, abs=LEVEL_TOLERANCE_DB)


def test_a_peaky_voice_is_never_raised_past_the_limiter_cap() -> None:
    clicks = clip_from(np.where(np.arange(CLIP_RATE_HZ) % 200 == 0, 0.9, 0.0), CLIP_RATE_HZ)
    gain_db, reached_lufs = speech_level({("c", 150): clicks}, {("c", 150): 1}, MONO_TARGET_LUFS)
    most_db = speech_clips.SPEECH_CEILING_DBTP - 20 * math.log10(0.9) + speech_clips.MAX_LIMITING_DB
    assert gain_db <= most_db + 0.5  # + the true peak between samples
    assert reached_lufs < MONO_TARGET_LUFS - 3  # short of the target: reported, not hidden


def test_missing_clips_are_named_with_how_many_more() -> None:
    counts = {("a", 150): 1, ("b", 150): 2, ("c", 120): 1}
    with pytest.raises(AudioError, match=r"no speech clip for 'b' at 150 wpm \(and 1 more\)"):
        check_clips(counts, {("a", 150): tone_clip(100)})
