from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from audio_utils import decode, measure_loudness, speechlike_clip, timeline_of, use_ffmpeg
from mutagen.id3 import ID3

from voiceguide.audio.mixer import RenderOptions, render_blocks
from voiceguide.errors import AudioError
from voiceguide.ffmpeg import FFMPEG_MISSING
from voiceguide.output import export as export_module
from voiceguide.output.export import ExportResult, export
from voiceguide.routine.model import Background

RATE_HZ = 44_100
SESSION_MS = 12_000
DURATION_TOLERANCE_MS = 50
TAGS = {
    "title": "Daily hand massage",
    "artist": "voiceguide",
    "album": "Routines",
    "genre": "Speech",
    "comment": "Fifteen minutes of self massage — both hands.",
}


def session_blocks(channels: int = 2, block_frames: int = 8192) -> Iterator[np.ndarray]:
    speech = [
        (1_000, "hello", speechlike_clip(2_500, 1)),
        (6_000, "again", speechlike_clip(3_000, 2)),
    ]
    timeline, clips = timeline_of(speech, SESSION_MS, [(300, "bell")], Background("brown", -24.0))
    options = RenderOptions(channels=channels, block_frames=block_frames)
    return render_blocks(timeline, clips, options)


def sine_blocks(seconds: float, channels: int = 2, amplitude: float = 0.1) -> Iterator[np.ndarray]:
    frames = np.arange(int(seconds * RATE_HZ))
    tone = np.rint(amplitude * 32767 * np.sin(2 * np.pi * 997 * frames / RATE_HZ)).astype(np.int16)
    stereo = np.repeat(tone[:, None], channels, axis=1)
    for first in range(0, len(stereo), 8192):
        yield stereo[first : first + 8192]


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module", params=["bundled", "system"])
def mp3_twice(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ExportResult, ExportResult]:
    """The session encoded to a tagged MP3 twice by each ffmpeg, the second from blocks of
    another size: the three tests below read these (an encode costs 0.3 to 0.5 s)."""
    folder = tmp_path_factory.mktemp("mp3")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_ffmpeg(request.param, monkeypatch)
        first = export(session_blocks(), folder / "a.mp3", tags=TAGS)
        second = export(session_blocks(block_frames=1024), folder / "b.mp3", tags=TAGS)
    return first, second


def test_mp3_is_byte_identical_from_run_to_run(
    mp3_twice: tuple[ExportResult, ExportResult],
) -> None:
    first, second = mp3_twice
    assert first.size_bytes > 0
    assert digest(first.path) == digest(second.path)


def test_mp3_lasts_the_session(mp3_twice: tuple[ExportResult, ExportResult]) -> None:
    result = mp3_twice[0]
    assert result.frames == SESSION_MS * RATE_HZ // 1000
    assert result.duration_ms == SESSION_MS
    decoded_ms = len(decode(result.path)) * 1000 / RATE_HZ
    assert decoded_ms == pytest.approx(SESSION_MS, abs=DURATION_TOLERANCE_MS)


def test_mp3_tags_read_back_with_mutagen(mp3_twice: tuple[ExportResult, ExportResult]) -> None:
    tags = ID3(mp3_twice[0].path)
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == TAGS["title"]
    assert str(tags["TPE1"]) == TAGS["artist"]
    assert str(tags["TALB"]) == TAGS["album"]
    assert str(tags["TCON"]) == TAGS["genre"]
    assert tags.getall("COMM")[0].text == [TAGS["comment"]]
    assert not tags.getall("TXXX")  # the comment is a real COMM frame, nothing else slips in


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg"])
@pytest.mark.usefixtures("each_ffmpeg")
def test_other_formats_decode_to_the_same_length(tmp_path: Path, fmt: str) -> None:
    result = export(
        session_blocks(channels=1), tmp_path / f"s.{fmt}", format=fmt, channels=1, tags=TAGS
    )
    decoded_ms = len(decode(result.path, channels=1)) * 1000 / RATE_HZ
    assert decoded_ms == pytest.approx(SESSION_MS, abs=DURATION_TOLERANCE_MS)


@pytest.mark.usefixtures("each_ffmpeg")
def test_wav_holds_the_exact_samples(tmp_path: Path) -> None:
    blocks = list(session_blocks())
    result = export(iter(blocks), tmp_path / "s.wav", format="wav")
    decoded = decode(result.path)
    assert np.array_equal(np.rint(decoded * 32768).astype(np.int16), np.concatenate(blocks))


class Interrupted(Exception):
    pass


def failing_after(
    blocks: Iterator[np.ndarray], count: int, error: BaseException
) -> Iterator[np.ndarray]:
    for index, block in enumerate(blocks):
        if index == count:
            raise error
        yield block


@pytest.mark.parametrize("error", [Interrupted("boom"), KeyboardInterrupt()])
def test_an_interrupted_export_leaves_nothing_behind(tmp_path: Path, error: BaseException) -> None:
    with pytest.raises(type(error)):
        export(failing_after(session_blocks(), 20, error), tmp_path / "s.mp3", tags=TAGS)
    assert leftovers(tmp_path) == []


def test_a_failed_export_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "s.mp3"
    target.write_bytes(b"the previous session")
    with pytest.raises(Interrupted):
        export(failing_after(session_blocks(), 5, Interrupted()), target)
    assert target.read_bytes() == b"the previous session"
    assert leftovers(tmp_path) == ["s.mp3"]


def test_an_ffmpeg_failure_is_an_audio_error_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"^ffmpeg failed \(exit \d+\): .+"):
        export(
            session_blocks(channels=1), tmp_path / "s.ogg", format="ogg", bitrate="1k", channels=1
        )
    assert leftovers(tmp_path) == []


def test_missing_ffmpeg_fails_an_export_before_writing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def missing() -> str:
        raise AudioError(FFMPEG_MISSING)

    monkeypatch.setattr(export_module, "ffmpeg_exe", missing)
    with pytest.raises(AudioError, match="ffmpeg not found"):
        export(sine_blocks(1.0), tmp_path / "s.mp3")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"format": "aiff"}, "unknown format 'aiff'"),
        ({"tags": {"year": "2024"}}, "unknown tag 'year'"),
    ],
)
def test_bad_arguments_are_audio_errors(tmp_path: Path, arguments: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(AudioError, match=message):
        export(sine_blocks(0.1), tmp_path / "s.mp3", **arguments)
    assert leftovers(tmp_path) == []


def test_a_missing_directory_is_an_audio_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"cannot write .*: no directory"):
        export(sine_blocks(0.1), tmp_path / "nowhere" / "s.mp3")


def test_blocks_of_the_wrong_shape_or_type_are_audio_errors(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"blocks must be shaped \(frames, 2\)"):
        export(iter([np.zeros((100, 1), dtype=np.int16)]), tmp_path / "s.wav", format="wav")
    with pytest.raises(AudioError, match="blocks must be int16 samples, got float32"):
        export(iter([np.zeros((100, 2), dtype=np.float32)]), tmp_path / "s.wav", format="wav")
    assert leftovers(tmp_path) == []


def test_progress_reports_every_block_up_to_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    total = int(2.0 * RATE_HZ)
    export(
        sine_blocks(2.0),
        tmp_path / "s.wav",
        format="wav",
        total_frames=total,
        progress=lambda done, of: seen.append((done, of)),
    )
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})
    assert seen[-1] == (total, total)
    assert len(seen) == math.ceil(total / 8192)


def test_the_test_meter_reads_a_known_sine(tmp_path: Path) -> None:
    result = export(
        sine_blocks(10.0, channels=1, amplitude=0.1), tmp_path / "s.wav", format="wav", channels=1
    )
    loudness = measure_loudness(result.path)
    assert loudness.integrated_lufs == pytest.approx(-20.0 - 3.01, abs=0.2)  # mono sine
    assert loudness.true_peak_dbtp == pytest.approx(-20.0, abs=0.2)


def test_the_test_meter_fails_on_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"not audio at all")
    with pytest.raises(AssertionError, match="cannot measure"):
        measure_loudness(broken)
