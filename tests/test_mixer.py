from __future__ import annotations

import functools
import itertools
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from audio_utils import (
    CLIP_RATE_HZ,
    clip_from,
    decode,
    measure_loudness,
    onset_ms,
    rms_db,
    speechlike_clip,
    timeline_of,
    tone_clip,
    use_ffmpeg,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.audio import loudness, speech_clips
from voiceguide.audio import resample as resample_module
from voiceguide.audio.loudness import clip_loudness, limit, true_peak
from voiceguide.audio.mixer import RenderOptions, render_blocks, total_frames
from voiceguide.audio.resample import resample
from voiceguide.errors import AudioError
from voiceguide.output.export import export
from voiceguide.plan.mix import plan_mix
from voiceguide.plan.timeline import Fade, GainRamp, Mix, Timeline
from voiceguide.routine.model import Background, Bedtime
from voiceguide.tts.base import Clip

RATE_HZ = 44_100
ONSET_TOLERANCE_MS = 20  # the timing bar
DURATION_TOLERANCE_MS = 50  # the duration bar
LOUDNESS_TOLERANCE_LU = 1.0  # the loudness bar, measured by ffmpeg's ebur128
TRUE_PEAK_MAX_DBTP = -1.0
PHRASE_STARTS_MS = (1_000, 7_000, 13_500, 20_000, 26_500)
SESSION_MS = 31_000


def phrases(make_clip=tone_clip) -> list[tuple[int, str, Clip]]:  # type: ignore[no-untyped-def]
    if make_clip is tone_clip:
        return [
            (start, f"phrase {i}", tone_clip(2_000 + 200 * i))
            for i, start in enumerate(PHRASE_STARTS_MS)
        ]
    return [
        (start, f"phrase {i}", make_clip(2_000 + 200 * i, i))
        for i, start in enumerate(PHRASE_STARTS_MS)
    ]


def full_session(sound: str = "brown") -> tuple[Timeline, dict[tuple[str, int], Clip]]:
    cues = [(200, "bell"), (4_000, "tick"), (5_000, "tick"), (11_000, "chime"), (30_990, "bell")]
    return timeline_of(phrases(speechlike_clip), SESSION_MS, cues, Background(sound, -20.0))


def render_all(timeline: Timeline, clips: dict, **options: object) -> np.ndarray:  # type: ignore[type-arg]
    return np.concatenate(list(render_blocks(timeline, clips, RenderOptions(**options))))  # type: ignore[arg-type]


def to_file(path: Path, timeline: Timeline, clips: dict, **options: object) -> Path:  # type: ignore[type-arg]
    rendering = render_blocks(timeline, clips, RenderOptions(**options))  # type: ignore[arg-type]
    fmt = path.suffix[1:]
    export(rendering, path, format=fmt, channels=rendering.options.channels)
    return path


# --- blocks --------------------------------------------------------------------------------


@pytest.mark.parametrize("sound", ["brown", "drone"])
def test_output_is_the_same_whatever_the_block_size(sound: str) -> None:
    timeline, clips = full_session(sound)
    reference = render_all(timeline, clips, block_frames=4096)
    # A block edge on each whole-second event (44_100), on few (1000), beyond 65,536 (65_537).
    for block_frames in (44_100, 1000, 65_537):
        assert np.array_equal(reference, render_all(timeline, clips, block_frames=block_frames))


def short_session() -> tuple[Timeline, dict[tuple[str, int], Clip]]:
    return timeline_of(
        [(300, "a", tone_clip(800)), (1_900, "b", tone_clip(600, 660.0))],
        3_000,
        cues=[(100, "tick"), (1_500, "chime")],
        background=Background("pink", -20.0),
    )


@functools.cache
def short_reference() -> np.ndarray:
    """The short session in blocks of 8192 frames, rendered once for every example."""
    return render_all(*short_session(), channels=1, block_frames=8192)


@settings(max_examples=12, deadline=None)
@given(st.integers(min_value=50, max_value=40_000))
def test_any_block_size_gives_the_same_samples(block_frames: int) -> None:
    timeline, clips = short_session()
    rendered = render_all(timeline, clips, channels=1, block_frames=block_frames)
    assert np.array_equal(short_reference(), rendered)


def test_blocks_are_int16_frames_by_channels_and_add_up_to_the_session() -> None:
    timeline, clips = full_session()
    blocks = list(render_blocks(timeline, clips, RenderOptions(block_frames=10_000)))
    assert all(b.dtype == np.int16 and b.shape[1] == 2 for b in blocks)
    assert all(len(b) == 10_000 for b in blocks[:-1])
    assert sum(len(b) for b in blocks) == total_frames(timeline, RenderOptions())
    assert total_frames(timeline, RenderOptions()) == SESSION_MS * RATE_HZ // 1000


def test_stereo_is_the_mono_mix_on_both_channels_under_a_centred_bed() -> None:
    timeline, clips = full_session("drone")
    stereo = render_all(timeline, clips, channels=2)
    mono = render_all(timeline, clips, channels=1, loudness_target_lufs=-16 - 10 * math.log10(2))
    assert np.array_equal(stereo[:, 0], stereo[:, 1])
    assert np.array_equal(stereo[:, :1], mono)


def test_processed_clips_evicted_from_memory_come_back_identical(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    timeline, clips = full_session()
    reference = render_all(timeline, clips)
    monkeypatch.setattr(speech_clips, "CLIP_CACHE_BYTES", 1)
    assert np.array_equal(reference, render_all(timeline, clips))


@pytest.mark.parametrize("rate_hz", [22_050, 48_000])
def test_other_session_rates_keep_the_length(rate_hz: int) -> None:
    timeline, clips = full_session()
    samples = render_all(timeline, clips, sample_rate_hz=rate_hz, channels=1)
    assert len(samples) == SESSION_MS * rate_hz // 1000


def test_an_empty_session_renders_no_blocks() -> None:
    timeline, clips = timeline_of([], 0)
    assert list(render_blocks(timeline, clips)) == []


def test_speech_running_past_the_end_is_cut_with_a_fade() -> None:
    timeline, clips = timeline_of([(1_000, "long", tone_clip(3_000))], 2_000)
    samples = render_all(timeline, clips, channels=1)[:, 0]
    assert len(samples) == 2 * RATE_HZ
    assert np.abs(samples[-20:]).max() < 500  # no click at the cut


# --- placement and levels, in memory --------------------------------------------------------


def test_speech_starts_on_its_planned_frame() -> None:
    timeline, clips = timeline_of(phrases(), SESSION_MS)
    samples = render_all(timeline, clips, channels=1)[:, 0].astype(np.float64) / 32768
    threshold = 0.1 * np.abs(samples).max()
    for start_ms in PHRASE_STARTS_MS:
        assert onset_ms(samples, RATE_HZ, start_ms, threshold) == pytest.approx(start_ms, abs=3)


def test_one_gain_for_all_speech_keeps_phrases_in_proportion() -> None:
    quiet, loud = tone_clip(2_000, amplitude=0.1), tone_clip(2_000, 660.0, amplitude=0.4)
    timeline, clips = timeline_of([(500, "quiet", quiet), (4_000, "loud", loud)], 7_000)
    samples = render_all(timeline, clips, channels=1, loudness_target_lufs=-30.0)[:, 0]
    quiet_db = rms_db(samples.astype(np.float64), RATE_HZ, 1_000, 2_000)
    loud_db = rms_db(samples.astype(np.float64), RATE_HZ, 4_500, 5_500)
    assert loud_db - quiet_db == pytest.approx(20 * math.log10(4), abs=0.1)


def test_missing_clips_are_an_audio_error() -> None:
    timeline, clips = timeline_of(phrases(), SESSION_MS)
    del clips[("phrase 1", 150)], clips[("phrase 3", 150)]
    with pytest.raises(
        AudioError, match=r"no speech clip for 'phrase 1' at 150 wpm \(and 1 more\)"
    ):
        render_blocks(timeline, clips)


def test_an_unknown_cue_is_an_audio_error() -> None:
    timeline, clips = timeline_of(phrases(), SESSION_MS, cues=[(100, "whistle")])
    with pytest.raises(AudioError, match="unknown cue sound 'whistle'"):
        render_blocks(timeline, clips)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"channels": 6}, "channels must be 1 or 2, got 6"),
        ({"sample_rate_hz": 1000}, "sample rate 1000 Hz is out of range"),
        ({"block_frames": 0}, "block size must be at least 1 frame"),
        ({"seed": -1}, "seed must be 0 or more"),
    ],
)
def test_bad_options_are_audio_errors(options: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(AudioError, match=message):
        RenderOptions(**options)


def test_default_loudness_targets() -> None:
    assert RenderOptions(channels=2).target_lufs == -16.0
    assert RenderOptions(channels=1).target_lufs == -19.0
    assert RenderOptions(loudness_target_lufs=-23.0).target_lufs == -23.0
    assert RenderOptions(channels=2).channel_target_lufs == pytest.approx(-19.0103, abs=1e-3)


# --- resampling, loudness meter, limiter -----------------------------------------------------


@pytest.mark.parametrize("to_hz", [44_100, 48_000, 16_000])
def test_resampling_keeps_time_and_level(to_hz: int) -> None:
    seconds = np.arange(CLIP_RATE_HZ) / CLIP_RATE_HZ
    tone = 0.5 * np.sin(2 * np.pi * 1000 * seconds)
    tone[: CLIP_RATE_HZ // 2] = 0.0  # starts half-way: its onset must stay at 0.5 s
    out = resample(tone, CLIP_RATE_HZ, to_hz)
    assert len(out) == to_hz
    middle = out[int(0.6 * to_hz) : int(0.9 * to_hz)]
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / math.sqrt(2), rel=0.01)
    first_loud = np.flatnonzero(np.abs(out) > 0.05)[0] / to_hz
    assert first_loud == pytest.approx(0.5, abs=0.001)


def test_long_clips_resample_in_pieces_as_in_one_go() -> None:
    clip = speechlike_clip(10_000, 3)  # three pieces
    samples = np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32) / 32768
    whole = resample_module._resample_whole(np.concatenate([samples, np.zeros(2048)]), 320, 147)
    in_pieces = resample(samples, CLIP_RATE_HZ, 48_000)
    assert np.abs(in_pieces - whole[: len(in_pieces)]).max() < 1e-5  # -100 dB


def test_long_clips_are_limited_in_pieces_as_in_one_go(monkeypatch: pytest.MonkeyPatch) -> None:
    samples = np.frombuffer(speechlike_clip(10_000, 4).pcm, dtype="<i2") / 32768
    in_pieces = limit(samples, CLIP_RATE_HZ, gain=4.0, ceiling=0.5, radius_ms=5.0)
    monkeypatch.setattr(loudness, "PIECE_FRAMES", 10 * len(samples))
    in_one_go = limit(samples, CLIP_RATE_HZ, gain=4.0, ceiling=0.5, radius_ms=5.0)
    assert np.abs(in_pieces - in_one_go).max() < 1e-6


def test_own_meter_reads_a_full_scale_1k_sine_at_minus_3_lufs() -> None:
    seconds = np.arange(20 * 48_000) / 48_000
    assert clip_loudness(np.sin(2 * np.pi * 997 * seconds), 48_000) == pytest.approx(-3.01, abs=0.1)


def test_own_meter_agrees_with_ffmpeg(tmp_path: Path) -> None:
    timeline, clips = timeline_of(phrases(speechlike_clip), SESSION_MS)
    path = to_file(tmp_path / "speech.wav", timeline, clips, channels=1)
    own_lufs = clip_loudness(decode(path, channels=1)[:, 0].astype(np.float64), RATE_HZ)
    assert own_lufs == pytest.approx(measure_loudness(path).integrated_lufs, abs=0.2)


def test_the_limiter_holds_the_true_peak_and_moves_smoothly() -> None:
    clip = speechlike_clip(3_000, 5)
    samples = np.frombuffer(clip.pcm, dtype="<i2") / 32768
    limited = limit(samples, CLIP_RATE_HZ, gain=4.0, ceiling=0.5, radius_ms=5.0)
    assert true_peak(limited) <= 0.5 * 1.001
    gain = np.divide(limited, 4.0 * samples, out=np.ones_like(limited), where=samples != 0)
    assert gain.max() <= 1.0 + 1e-9
    assert np.abs(np.diff(gain[np.abs(samples) > 0.01])).max() < 0.02  # no jumps


# --- the bars, on real files ---------------------------------------------------------------


# Both ffmpegs encode the default, stereo. Mono is checked with the bundled one: the same
# encoder with -ac 1 and a level trim measured per encoder and channel count (0.45 dB for
# both ffmpegs in either layout, at this writing).
@pytest.mark.parametrize(
    ("ffmpeg", "channels", "target_lufs"),
    [("bundled", 2, -16.0), ("system", 2, -16.0), ("bundled", 1, -19.0)],
)
def test_speech_meets_the_loudness_target_and_true_peak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ffmpeg: str, channels: int, target_lufs: float
) -> None:
    use_ffmpeg(ffmpeg, monkeypatch)
    timeline, clips = timeline_of(phrases(speechlike_clip), SESSION_MS)
    rendering = render_blocks(timeline, clips, RenderOptions(channels=channels))
    assert rendering.speech_lufs == pytest.approx(target_lufs, abs=0.1)
    export(rendering, tmp_path / "s.mp3", channels=channels)
    loudness = measure_loudness(tmp_path / "s.mp3")
    assert loudness.integrated_lufs == pytest.approx(target_lufs, abs=LOUDNESS_TOLERANCE_LU)
    assert loudness.true_peak_dbtp <= TRUE_PEAK_MAX_DBTP


def test_the_mp3_lasts_the_plan_and_speech_starts_on_time(tmp_path: Path) -> None:
    timeline, clips = timeline_of(phrases(), SESSION_MS)
    samples = decode(to_file(tmp_path / "s.mp3", timeline, clips))[:, 0]
    assert len(samples) * 1000 / RATE_HZ == pytest.approx(SESSION_MS, abs=DURATION_TOLERANCE_MS)
    threshold = 0.1 * np.abs(samples).max()
    for start_ms in PHRASE_STARTS_MS:
        found_ms = onset_ms(samples, RATE_HZ, start_ms, threshold)
        assert found_ms == pytest.approx(start_ms, abs=ONSET_TOLERANCE_MS)


@pytest.fixture(scope="module")
def bed_alone(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """The bed of a session, from two lossless files: with the bed minus without it."""
    directory = tmp_path_factory.mktemp("bed")
    with_bed, clips = timeline_of(phrases(), SESSION_MS, background=Background("pink", -20.0))
    without_bed, _ = timeline_of(phrases(), SESSION_MS)
    mixed = decode(to_file(directory / "with.wav", with_bed, clips, channels=1), channels=1)
    speech = decode(to_file(directory / "without.wav", without_bed, clips, channels=1), channels=1)
    return (mixed[:, 0] - speech[:, 0]).astype(np.float64)


def test_the_bed_ducks_under_speech(bed_alone: np.ndarray) -> None:
    for start_ms, next_ms in itertools.pairwise(PHRASE_STARTS_MS[1:]):
        under_db = rms_db(bed_alone, RATE_HZ, start_ms + 100, start_ms + 1_900)
        between_db = rms_db(bed_alone, RATE_HZ, next_ms - 2_000, next_ms - 1_000)
        assert under_db < between_db - 6.0


def test_the_bed_fades_in_and_out(bed_alone: np.ndarray) -> None:
    steady_db = rms_db(bed_alone, RATE_HZ, 10_000, 12_000)
    assert rms_db(bed_alone, RATE_HZ, 0, 500) < steady_db - 20
    assert rms_db(bed_alone, RATE_HZ, SESSION_MS - 500, SESSION_MS) < steady_db - 20
    per_second = [rms_db(bed_alone, RATE_HZ, ms, ms + 500) for ms in range(1_000, 5_000, 1_000)]
    assert per_second == sorted(per_second)  # rising all through the 5 s fade


def test_the_bed_sits_its_level_under_the_voice(tmp_path: Path) -> None:
    timeline, clips = timeline_of([], 30_000, background=Background("brown", -20.0))
    loudness = measure_loudness(to_file(tmp_path / "bed.wav", timeline, clips, channels=1))
    assert loudness.integrated_lufs == pytest.approx(-19.0 - 20.0, abs=LOUDNESS_TOLERANCE_LU)


def test_cues_ring_where_planned(tmp_path: Path) -> None:
    cue_starts_ms = (1_000, 5_000, 9_000)
    timeline, clips = timeline_of(
        [], 12_000, cues=list(zip(cue_starts_ms, ["bell", "tick", "chime"], strict=True))
    )
    samples = decode(to_file(tmp_path / "cues.wav", timeline, clips, channels=1), channels=1)[:, 0]
    for start_ms in cue_starts_ms:
        first, last = start_ms * RATE_HZ // 1000, (start_ms + 300) * RATE_HZ // 1000
        threshold = 0.2 * np.abs(samples[first:last]).max()
        assert onset_ms(samples, RATE_HZ, start_ms, threshold, 200) == pytest.approx(
            start_ms, abs=10
        )


def test_a_peaky_voice_is_never_limited_past_the_cap() -> None:
    clicks = clip_from(np.where(np.arange(CLIP_RATE_HZ) % 200 == 0, 0.9, 0.0), CLIP_RATE_HZ)
    timeline, clips = timeline_of([(100, "clicks", clicks)], 2_000)
    rendering = render_blocks(timeline, clips, RenderOptions(channels=1))
    most_db = speech_clips.SPEECH_CEILING_DBTP - 20 * math.log10(0.9) + speech_clips.MAX_LIMITING_DB
    assert rendering.speech_gain_db <= most_db + 0.5  # + the true peak between samples
    assert rendering.speech_lufs < -19.0 - 3  # short of the target: said, not hidden


def test_no_speech_means_no_speech_level() -> None:
    timeline, clips = timeline_of([], 2_000, cues=[(0, "bell")])
    rendering = render_blocks(timeline, clips)
    assert rendering.speech_gain_db == 0.0
    assert rendering.speech_lufs == -math.inf


# -- the mixer executes the timeline's mix, deciding no time itself --------------------------

FADE_TOLERANCE_LSB = 1.0  # both renders round to int16 once: at most one step apart


def test_the_bed_follows_a_hand_made_fade_from_the_timeline_exactly() -> None:
    """A 10 s fade in and no fade out: not what the planner would choose for 20 s (5 s and
    5 s), so a mixer deciding its own fades would fail this."""
    planned, clips = timeline_of([], 20_000, background=Background("pink", -20.0))
    bare = render_all(replace(planned, mix=Mix()), clips, channels=1)[:, 0].astype(np.float64)
    faded_mix = Mix(fades=(Fade("bed", "in", 0, 10_000),))
    faded = render_all(replace(planned, mix=faded_mix), clips, channels=1)[:, 0]
    ramp = np.clip(np.arange(len(bare)) / (10 * RATE_HZ), 0.0, 1.0)
    eased = ramp * ramp * (3.0 - 2.0 * ramp)  # smoothstep, then squared: as heard
    assert np.abs(faded - bare * eased * eased).max() <= FADE_TOLERANCE_LSB
    assert np.array_equal(faded[10 * RATE_HZ :], bare[10 * RATE_HZ :].astype(np.int16))


def test_the_voice_follows_a_hand_made_gain_ramp_without_being_bedtime() -> None:
    clip = tone_clip(1_000)
    planned, clips = timeline_of([(0, "a", clip), (2_000, "a", clip)], 3_000)
    flat = render_all(planned, clips, channels=1)[:, 0]
    ramp = GainRamp(0, 2_000, 0.0, -6.0)
    falling = render_all(replace(planned, mix=replace(planned.mix, voice_gain=ramp)), clips)
    falling_mono = falling[:, 0]
    first_db = rms_db(flat, RATE_HZ, 100, 900) - rms_db(flat, RATE_HZ, 2_100, 2_900)
    assert first_db == pytest.approx(0.0, abs=0.01)  # without the ramp: the same level
    fall_db = rms_db(falling_mono, RATE_HZ, 100, 900) - rms_db(falling_mono, RATE_HZ, 2_100, 2_900)
    assert fall_db == pytest.approx(6.0, abs=0.05)


# -- the bed stays calm: ducking as the plan says, measured on rendered files (issue 15) ------

COUNT_STARTS_MS = (11_000, 16_000)
NARRATION_MS = (3_000, 7_000)
MOST_COUNT_DIP_DB = 3.0


@pytest.fixture(scope="module")
def ducked_and_steady_beds(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, ...]:
    """The bed of a session with a sentence and two lone count words, as rendered with the
    planned ducking and with none: each from two lossless files, with the bed minus without."""
    directory = tmp_path_factory.mktemp("calm")
    start_ms, end_ms = NARRATION_MS
    said = [(start_ms, "sentence", speechlike_clip(end_ms - start_ms, 1))]
    said += [(ms, f"count {ms}", speechlike_clip(400, ms)) for ms in COUNT_STARTS_MS]
    with_bed, clips = timeline_of(said, 20_000, background=Background("brown", -20.0))
    without_bed, _ = timeline_of(said, 20_000)
    steady = replace(with_bed, mix=replace(with_bed.mix, ducks=()))

    def rendered(name: str, timeline: Timeline) -> np.ndarray:
        path = to_file(directory / f"{name}.wav", timeline, clips, channels=1)
        return decode(path, channels=1)[:, 0].astype(np.float64)

    speech = rendered("speech", without_bed)
    return rendered("ducked", with_bed) - speech, rendered("steady", steady) - speech


def test_a_count_word_barely_dips_the_bed_and_a_sentence_ducks_it_fully(
    ducked_and_steady_beds: tuple[np.ndarray, ...],
) -> None:
    """Before: 7.8 dB under each count word of the default session, 1.3 s long (pumping)."""
    ducked, steady = ducked_and_steady_beds

    def dip_db(start_ms: int, end_ms: int) -> float:
        return rms_db(steady, RATE_HZ, start_ms, end_ms) - rms_db(ducked, RATE_HZ, start_ms, end_ms)

    for start_ms in COUNT_STARTS_MS:
        assert dip_db(start_ms, start_ms + 400) <= MOST_COUNT_DIP_DB
        for around_ms in range(start_ms - 1_000, start_ms + 1_500, 100):  # no dip about it
            assert dip_db(around_ms, around_ms + 100) <= MOST_COUNT_DIP_DB
    assert dip_db(NARRATION_MS[0] + 100, NARRATION_MS[1] - 100) == pytest.approx(8.0, abs=0.1)


def test_the_bed_follows_a_level_fade_from_the_timeline() -> None:
    """A fade carrying a fall: even in dB to its last part, then a straight line to silence."""
    planned, clips = timeline_of([], 20_000, background=Background("pink", -20.0))
    bare = render_all(replace(planned, mix=Mix()), clips, channels=1)[:, 0].astype(np.float64)
    tail = Fade("bed", "out", 4_000, 20_000, fall_db=8.0, last_ms=4_000)
    faded = render_all(replace(planned, mix=Mix(fades=(tail,))), clips, channels=1)[:, 0]

    def fall_db(start_ms: int) -> float:
        return rms_db(bare, RATE_HZ, start_ms, start_ms + 500) - rms_db(
            faded.astype(np.float64), RATE_HZ, start_ms, start_ms + 500
        )

    assert fall_db(1_000) == pytest.approx(0.0, abs=0.01)
    assert fall_db(9_750) == pytest.approx(4.0, abs=0.1)  # half way to the last 4 s
    assert fall_db(15_750) == pytest.approx(8.0, abs=0.2)
    assert fall_db(17_750) == pytest.approx(8.0 + 6.0, abs=0.3)  # half way down in gain
    assert np.abs(faded[-RATE_HZ // 100 :]).max() <= 1  # silent at its end


@pytest.mark.slow
def test_a_bedtime_tail_is_heard_falling_until_its_last_half_minute(tmp_path: Path) -> None:
    """As ``render --bedtime`` (7 LU quieter, brown bed 26 dB under the voice) with a four
    minute tail, measured in 1 s windows over both channels and folded down to one (ffmpeg's
    -ac 1 averages the channels: uncorrelated noise reads 3 dB lower). Before: under -60 dBFS
    for the last 47 s of a 3-minute tail, for the last 2:39 of a 10-minute one."""
    said = [(2_000, "sentence", speechlike_clip(6_000))]
    planned, clips = timeline_of(said, 248_000, background=Background("brown", -26.0))
    night = replace(planned, bedtime=Bedtime(), tail_ms=240_000)
    night = replace(night, mix=plan_mix(night))
    path = to_file(tmp_path / "tail.wav", night, clips)
    fade_s = (night.total_ms - night.mix.fades_of("bed")[-1].start_ms) // 1000
    for channels in (2, 1):
        samples = decode(path, channels=channels).astype(np.float64).ravel()
        seconds = len(samples) // (channels * RATE_HZ)
        level_db = [
            rms_db(samples, channels * RATE_HZ, ms, ms + 1_000)
            for ms in range(0, seconds * 1000, 1000)
        ]
        assert min(level_db[12 : seconds - 30]) > -60.0  # audible until the last half-minute
        falling = level_db[seconds - fade_s : seconds - 30 : 15]
        assert falling == sorted(falling, reverse=True) and falling[0] - falling[-1] > 4.0
        assert level_db[-1] < -75.0  # and gone at the end


# -- stereo that is stereo: a noise bed wide, folding down to mono at its level (issue 15) ----

WIDE_PHRASE_MS = (2_000, 5_000)


def rendered_bed_and_speech(directory: Path, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """A session's bed (with the bed minus without) and its whole mix, as rendered files."""
    start_ms, end_ms = WIDE_PHRASE_MS
    said = [(start_ms, "sentence", speechlike_clip(end_ms - start_ms, 2))]
    with_bed, clips = timeline_of(said, 12_000, background=Background("brown", -20.0))
    without_bed, _ = timeline_of(said, 12_000)
    mixed = decode(to_file(directory / f"with{channels}.wav", with_bed, clips, channels=channels))
    speech = decode(
        to_file(directory / f"without{channels}.wav", without_bed, clips, channels=channels)
    )
    return (mixed - speech).astype(np.float64), mixed.astype(np.float64)


def test_a_noise_bed_is_uncorrelated_between_channels_and_folds_down_at_its_level(
    tmp_path: Path,
) -> None:
    """Before: left and right identical (correlation 1.000), the noise bed included."""
    stereo_bed, stereo_mix = rendered_bed_and_speech(tmp_path, 2)
    mono_bed, mono_mix = rendered_bed_and_speech(tmp_path, 1)
    assert abs(np.corrcoef(stereo_bed[:, 0], stereo_bed[:, 1])[0, 1]) < 0.1
    quiet = slice(7_000 * RATE_HZ // 1000, 11_000 * RATE_HZ // 1000)  # bed alone in the mix
    assert np.corrcoef(stereo_mix[quiet, 0], stereo_mix[quiet, 1])[0, 1] < 0.5
    speaking = slice(WIDE_PHRASE_MS[0] * RATE_HZ // 1000, WIDE_PHRASE_MS[1] * RATE_HZ // 1000)
    assert np.array_equal(
        stereo_mix[speaking, 0] - stereo_bed[speaking, 0],
        stereo_mix[speaking, 1] - stereo_bed[speaking, 1],
    )  # the voice in the middle

    def bed_under_voice_db(bed: np.ndarray, mix: np.ndarray) -> float:
        voice = mix[speaking, 0] - bed[speaking, 0]
        power = np.mean(bed[quiet] ** 2, axis=0).mean()
        return float(10 * np.log10(power) - 10 * np.log10(np.mean(voice**2)))

    stereo_db = bed_under_voice_db(stereo_bed, stereo_mix)
    assert bed_under_voice_db(mono_bed, mono_mix) == pytest.approx(stereo_db, abs=0.5)
