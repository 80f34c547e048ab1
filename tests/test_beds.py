"""Beds for the night, measured: the binaural beat between the ears, the isochronic pulse
rate, and a user's recording looped without a click."""

import subprocess
from pathlib import Path

import numpy as np
import pytest
from audio_utils import decode, instrument

from voiceguide.audio.beds import bed_stream
from voiceguide.audio.recordings import CROSSFADE_S, FileBed
from voiceguide.errors import AudioError
from voiceguide.routine.model import FILE_BED, Background

RATE_HZ = 44_100
FREQUENCY_RESOLUTION_HZ = 0.05  # 20 s of signal, zero-padded: peaks found to this


def peak_hz(samples: np.ndarray, rate_hz: int, low_hz: float, high_hz: float) -> float:
    """The strongest frequency between two limits, interpolated between FFT bins."""
    size = 1 << 22
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), size))
    frequencies = np.fft.rfftfreq(size, 1 / rate_hz)
    band = (frequencies >= low_hz) & (frequencies <= high_hz)
    return float(frequencies[band][np.argmax(spectrum[band])])


@pytest.mark.parametrize(("carrier_hz", "beat_hz"), [(200.0, 6.0), (120.0, 2.5), (400.0, 10.0)])
def test_binaural_bed_beats_at_the_requested_frequency_between_the_ears(carrier_hz, beat_hz):
    background = Background(sound="binaural", carrier_hz=carrier_hz, beat_hz=beat_hz)
    stream = bed_stream(background, RATE_HZ, seed=1)
    assert stream is not None
    samples = stream.read(20 * RATE_HZ)
    assert samples.shape == (20 * RATE_HZ, 2)
    left = peak_hz(samples[:, 0], RATE_HZ, carrier_hz - 20, carrier_hz + 20)
    right = peak_hz(samples[:, 1], RATE_HZ, carrier_hz - 20, carrier_hz + 20)
    assert right - left == pytest.approx(beat_hz, abs=FREQUENCY_RESOLUTION_HZ)
    assert (left + right) / 2 == pytest.approx(carrier_hz, abs=FREQUENCY_RESOLUTION_HZ)
    # Each ear alone hears a steady tone: the beat exists only between them.
    envelope = np.abs(samples[:, 0]).reshape(-1, RATE_HZ // 10).max(axis=1)
    assert envelope.min() > 0.99 * envelope.max()


def test_isochronic_bed_pulses_at_the_beat_in_one_channel():
    background = Background(sound="isochronic", carrier_hz=220.0, beat_hz=5.0)
    stream = bed_stream(background, RATE_HZ, seed=0, channels=1)
    assert stream is not None
    samples = stream.read(20 * RATE_HZ)
    assert samples.ndim == 1
    envelope = np.abs(samples) ** 2  # the pulse rate is the envelope's fundamental
    assert peak_hz(envelope - envelope.mean(), RATE_HZ, 1.0, 20.0) == pytest.approx(
        5.0, abs=FREQUENCY_RESOLUTION_HZ
    )
    assert peak_hz(samples, RATE_HZ, 100.0, 400.0) == pytest.approx(220.0, abs=0.5)


def test_binaural_bed_refuses_one_channel():
    with pytest.raises(AudioError, match="binaural beats need two channels"):
        bed_stream(Background(sound="binaural"), RATE_HZ, channels=1)


def write_recording(path: Path, samples: np.ndarray, rate_hz: int) -> Path:
    """Samples (frames, channels) to a file in the format its suffix names, by ffmpeg."""
    channels = samples.shape[1]
    command = [instrument(), "-v", "error", "-y", "-f", "f32le", "-ar", str(rate_hz)]
    command += ["-ac", str(channels), "-i", "pipe:0", str(path)]
    subprocess.run(command, input=samples.astype("<f4").tobytes(), check=True)
    return path


def rain(seconds: float, rate_hz: int, channels: int = 2, seed: int = 0) -> np.ndarray:
    """Rain-like noise whose end does not match its start: a plain loop would click."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((round(seconds * rate_hz), channels)).cumsum(axis=0)
    noise -= np.linspace(noise[0], noise[-1], len(noise))  # brownish, and drifting...
    noise += np.linspace(0.0, 40.0, len(noise))[:, None]  # ...to a far-off level at the end
    return 0.5 * noise / np.abs(noise).max()


def click_ratio(samples: np.ndarray, at: int, rate_hz: int) -> float:
    """How much the sample-to-sample step around ``at`` exceeds the usual step (1 = not)."""
    steps = np.abs(np.diff(samples, axis=0)).max(axis=-1) if samples.ndim == 2 else None
    steps = steps if steps is not None else np.abs(np.diff(samples))
    near = steps[at - rate_hz // 100 : at + rate_hz // 100].max()
    usual = np.percentile(steps, 99.9)
    return float(near / usual)


def test_a_looped_recording_has_no_click_at_the_loop_point(tmp_path):
    rate_hz = 22_050  # the file's own rate: the bed resamples it to the session's
    path = write_recording(tmp_path / "rain.wav", rain(8.0, rate_hz), rate_hz)
    bed = FileBed(path, RATE_HZ, channels=2)
    samples = bed.read(3 * 8 * RATE_HZ)  # three times round
    period = 8 * RATE_HZ - round(CROSSFADE_S * RATE_HZ)
    for loop_point in (period, 2 * period):
        assert click_ratio(samples, loop_point, RATE_HZ) < 1.5
    naive = np.concatenate([samples[:period], samples[:RATE_HZ]])
    assert click_ratio(naive, period, RATE_HZ) > 3  # the test would catch a plain loop
    bed.close()


def test_a_looped_recording_keeps_its_level_and_sound_across_the_seam(tmp_path):
    rate_hz = 48_000
    seconds = np.arange(10 * rate_hz) / rate_hz
    hum = 0.3 * np.sin(2 * np.pi * 220.0 * seconds) * (1 + 0.1 * np.sin(2 * np.pi * seconds))
    path = write_recording(tmp_path / "hum.flac", hum[:, None], rate_hz)
    bed = FileBed(path, RATE_HZ, channels=1)
    samples = bed.read(30 * RATE_HZ)
    assert samples.ndim == 1
    assert peak_hz(samples[: 9 * RATE_HZ], RATE_HZ, 100.0, 400.0) == pytest.approx(220.0, abs=0.1)
    bed.close()


@pytest.mark.usefixtures("each_ffmpeg")
def test_file_bed_reads_any_block_size_the_same(tmp_path):
    path = write_recording(tmp_path / "rain.ogg", rain(4.0, RATE_HZ, seed=2), RATE_HZ)
    whole = bed_stream(Background(sound=FILE_BED, file=str(path)), RATE_HZ).read(20 * RATE_HZ)
    stream = bed_stream(Background(sound=FILE_BED, file=str(path)), RATE_HZ)
    pieces = np.concatenate([stream.read(n) for n in [1, 999, 44_100, 7, 10 * RATE_HZ]])
    assert np.array_equal(pieces, whole[: len(pieces)])


def test_a_recording_too_short_or_unreadable_is_a_clear_error(tmp_path):
    short = write_recording(tmp_path / "blip.wav", rain(1.0, RATE_HZ), RATE_HZ)
    with pytest.raises(AudioError, match=r"lasts under 2 s: use a recording of a few seconds"):
        FileBed(short, RATE_HZ, channels=2)
    broken = tmp_path / "broken.ogg"
    broken.write_bytes(b"not audio at all")
    with pytest.raises(AudioError, match=r"cannot read background file .*broken.ogg"):
        FileBed(broken, RATE_HZ, channels=2)


def test_a_rendered_file_bed_is_resampled_to_the_session_rate(tmp_path):
    """The decoded bed, written out and read back by ffmpeg, keeps its pitch."""
    rate_hz = 16_000
    seconds = np.arange(5 * rate_hz) / rate_hz
    tone = 0.3 * np.sin(2 * np.pi * 500.0 * seconds)
    path = write_recording(tmp_path / "tone.wav", np.stack([tone, tone], axis=1), rate_hz)
    samples = FileBed(path, RATE_HZ, channels=2).read(4 * RATE_HZ)
    out = write_recording(tmp_path / "out.wav", samples, RATE_HZ)
    back = decode(out, RATE_HZ)
    assert peak_hz(back[:, 0], RATE_HZ, 300.0, 700.0) == pytest.approx(500.0, abs=0.5)


# -- stereo that is stereo (issue 15) ---------------------------------------------------------

NOISES = ("white", "pink", "brown")


def stereo_and_mono(sound: str, seconds: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    stereo = bed_stream(Background(sound=sound), RATE_HZ, seed, channels=2)
    mono = bed_stream(Background(sound=sound), RATE_HZ, seed, channels=1)
    assert stereo is not None and mono is not None
    return stereo.read(seconds * RATE_HZ), mono.read(seconds * RATE_HZ)


@pytest.mark.parametrize("sound", NOISES)
def test_noise_beds_are_uncorrelated_between_the_ears(sound):
    stereo, _ = stereo_and_mono(sound)
    assert stereo.shape == (10 * RATE_HZ, 2)
    assert abs(np.corrcoef(stereo[:, 0], stereo[:, 1])[0, 1]) < 0.1


@pytest.mark.parametrize("sound", NOISES)
def test_a_mono_noise_bed_is_the_left_channel_at_the_same_level(sound):
    stereo, mono = stereo_and_mono(sound)
    assert np.array_equal(mono, stereo[:, 0])
    left_db, right_db = 10 * np.log10(np.mean(stereo.astype(np.float64) ** 2, axis=0))
    assert abs(left_db - right_db) < 0.5


def test_stereo_noise_follows_the_seed_in_both_channels():
    first, _ = stereo_and_mono("pink", 2, seed=5)
    again, _ = stereo_and_mono("pink", 2, seed=5)
    other, _ = stereo_and_mono("pink", 2, seed=6)
    assert np.array_equal(first, again)
    assert not np.array_equal(first[:, 1], other[:, 1])


@pytest.mark.parametrize("sound", ["drone", "isochronic"])
def test_tonal_beds_stay_one_signal_in_the_middle(sound):
    """Tones in two phases would comb when folded down; the pulse reaches both ears at once."""
    stream = bed_stream(Background(sound=sound), RATE_HZ, 0, channels=2)
    assert stream is not None
    assert stream.read(RATE_HZ).ndim == 1  # the mixer puts it on both channels alike
