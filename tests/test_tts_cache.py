"""The content-addressed clip cache: keys, round trips, corrupt entries, atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.errors import SpeechError
from voiceguide.tts.base import Clip
from voiceguide.tts.cache import (
    CACHE_DIR_ENV,
    MEASURED,
    ClipCache,
    cache_key,
    default_cache_dir,
    remembered,
)

pytestmark = pytest.mark.usefixtures("private_cache_dir")  # every test looks at the cache's files

REPO_ROOT = Path(__file__).resolve().parents[1]
KEY_FIELDS = ("pyttsx3", "pyttsx3 2.99; espeak-ng 1.52.0; bundled", "gmw/en", 150, 1.0, "Hello.")


def _clip(frames: int = 2205, sample_rate_hz: int = 22_050, seed: int = 1) -> Clip:
    pcm = bytes((seed * 31 + i * 7) % 256 for i in range(frames * 2))
    return Clip(pcm=pcm, sample_rate_hz=sample_rate_hz)


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


# --- keys ------------------------------------------------------------------------------------


def test_key_is_stable_hex_sha256() -> None:
    key = cache_key(*KEY_FIELDS)
    assert key == cache_key(*KEY_FIELDS)
    assert len(key) == 64 and int(key, 16) >= 0


@pytest.mark.parametrize(
    "changed",
    [
        ("espeak", *KEY_FIELDS[1:]),
        (KEY_FIELDS[0], "pyttsx3 2.99; espeak-ng 1.51; system", *KEY_FIELDS[2:]),
        (*KEY_FIELDS[:2], "gmw/en-us", *KEY_FIELDS[3:]),
        (*KEY_FIELDS[:2], None, *KEY_FIELDS[3:]),
        (*KEY_FIELDS[:3], 151, *KEY_FIELDS[4:]),
        (*KEY_FIELDS[:4], 0.5, KEY_FIELDS[5]),
        (*KEY_FIELDS[:5], "Hello!"),
    ],
)
def test_every_field_that_changes_audio_changes_the_key(changed: tuple[object, ...]) -> None:
    assert cache_key(*changed) != cache_key(*KEY_FIELDS)  # type: ignore[arg-type]


def test_fields_cannot_run_into_each_other() -> None:
    """Plain concatenation would make ("ab", "c") and ("a", "bc") collide."""
    assert cache_key("ab", "c", None, 150, 1.0, "x") != cache_key("a", "bc", None, 150, 1.0, "x")


def test_whole_number_volume_gives_the_same_key() -> None:
    assert cache_key("e", "v", None, 150, 1, "x") == cache_key("e", "v", None, 150, 1.0, "x")


# --- where the cache lives -------------------------------------------------------------------


def test_directory_comes_from_the_environment(private_cache_dir: Path) -> None:
    assert default_cache_dir() == private_cache_dir
    assert ClipCache().directory.parent == private_cache_dir


def test_without_the_environment_variable_the_user_cache_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import platformdirs

    monkeypatch.delenv(CACHE_DIR_ENV)
    assert default_cache_dir() == Path(platformdirs.user_cache_dir("voiceguide"))


# --- round trips -----------------------------------------------------------------------------


def test_a_missing_entry_is_a_miss() -> None:
    assert ClipCache().get(cache_key(*KEY_FIELDS)) is None


def test_put_then_get_returns_identical_bytes(private_cache_dir: Path) -> None:
    cache, key, clip = ClipCache(), cache_key(*KEY_FIELDS), _clip()
    cache.put(key, clip)
    assert cache.get(key) == clip
    assert cache.path_for(key).is_relative_to(private_cache_dir)


def test_entries_are_playable_wav_files() -> None:
    cache, key, clip = ClipCache(), cache_key(*KEY_FIELDS), _clip()
    cache.put(key, clip)
    with wave.open(str(cache.path_for(key)), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22_050)
        assert wav.readframes(wav.getnframes()) == clip.pcm


@settings(max_examples=50, deadline=None)
@given(
    pcm=st.binary(min_size=1, max_size=4000).map(lambda b: b if len(b) % 2 == 0 else b + b"\0"),
    sample_rate_hz=st.sampled_from([8_000, 16_000, 22_050, 44_100, 48_000]),
)
def test_round_trip_of_any_clip(pcm: bytes, sample_rate_hz: int) -> None:
    cache, clip = ClipCache(), Clip(pcm=pcm, sample_rate_hz=sample_rate_hz)
    key = cache_key("e", "v", None, 150, 1.0, pcm.hex())
    cache.put(key, clip)
    assert cache.get(key) == clip


def test_put_overwrites_an_existing_entry() -> None:
    cache, key = ClipCache(), cache_key(*KEY_FIELDS)
    cache.put(key, _clip(seed=1))
    cache.put(key, _clip(seed=2))
    assert cache.get(key) == _clip(seed=2)


# --- corrupt entries are misses --------------------------------------------------------------


def _corrupt_truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _corrupt_trailing(data: bytes) -> bytes:
    return data + b"junk"


def _corrupt_header_only(data: bytes) -> bytes:
    return data[:44]


def _corrupt_empty(data: bytes) -> bytes:
    return b""


def _corrupt_not_wav(data: bytes) -> bytes:
    return b"not a wav file at all" * 10


def _corrupt_one_sample(data: bytes) -> bytes:
    middle = len(data) // 2  # a sample: the header is before it, the check chunk after
    return data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1 :]


def _corrupt_check_chunk_lost(data: bytes) -> bytes:
    return data[:-12]  # a plain, well-formed WAV of the same samples


@pytest.mark.parametrize(
    "corrupt",
    [
        _corrupt_truncated,
        _corrupt_trailing,
        _corrupt_header_only,
        _corrupt_empty,
        _corrupt_not_wav,
        _corrupt_one_sample,
        _corrupt_check_chunk_lost,
    ],
)
def test_a_corrupt_entry_is_a_miss(corrupt: object) -> None:
    cache, key = ClipCache(), cache_key(*KEY_FIELDS)
    cache.put(key, _clip())
    path = cache.path_for(key)
    path.write_bytes(corrupt(path.read_bytes()))  # type: ignore[operator]
    assert cache.get(key) is None


def test_a_stereo_entry_is_a_miss() -> None:
    cache, key = ClipCache(), cache_key(*KEY_FIELDS)
    path = cache.path_for(key)
    path.parent.mkdir(parents=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(22_050)
        wav.writeframes(b"\1\0" * 400)
    assert cache.get(key) is None


def test_an_unreadable_entry_is_a_miss() -> None:
    cache, key = ClipCache(), cache_key(*KEY_FIELDS)
    cache.path_for(key).mkdir(parents=True)  # a directory where the file should be
    assert cache.get(key) is None


# --- atomic writes ---------------------------------------------------------------------------


def test_writes_leave_no_temporary_files(private_cache_dir: Path) -> None:
    cache = ClipCache()
    keys = [cache_key("e", "v", None, 150, 1.0, str(i)) for i in range(20)]
    for key in keys:
        cache.put(key, _clip())
    assert _files(private_cache_dir) == sorted(cache.path_for(key) for key in keys)


def test_a_failed_write_leaves_neither_entry_nor_temporary_file(
    private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, key = ClipCache(), cache_key(*KEY_FIELDS)

    def failing_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(SpeechError, match=r"cannot write the speech cache at .*No space left"):
        cache.put(key, _clip())
    assert _files(private_cache_dir) == []


def test_an_unwritable_cache_directory_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SpeechError, match=f"set {CACHE_DIR_ENV} to a writable directory"):
        ClipCache(blocker / "cache").put(cache_key(*KEY_FIELDS), _clip())


WRITER = """
    import sys
    from voiceguide.tts.base import Clip
    from voiceguide.tts.cache import ClipCache, cache_key
    cache = ClipCache(sys.argv[1])
    clip = Clip(pcm=bytes(range(256)) * 40, sample_rate_hz=22050)
    seen = 0
    for round_ in range(30):
        for i in range(10):
            key = cache_key("e", "v", None, 150, 1.0, str(i))
            got = cache.get(key)
            assert got is None or got == clip, "a reader saw a partial entry"
            seen += got is not None
            cache.put(key, clip)
    print(seen)
"""


def test_several_processes_can_share_the_cache(private_cache_dir: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-c", textwrap.dedent(WRITER), str(private_cache_dir)]
    writers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for writer in writers:
        stdout, stderr = writer.communicate(timeout=60)
        assert writer.returncode == 0, stderr.decode()
        assert int(stdout) > 0
    assert all(not path.name.startswith(".") for path in _files(private_cache_dir))


def test_a_measurement_is_kept_and_read_back_bit_for_bit(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    calls = []

    def measure():
        calls.append(1)
        return [0.1 + 0.2, -19.007838176422773]

    fields = ["speech-level", 1, [["abc@22050", 3]]]
    assert remembered("test", fields, measure) == [0.1 + 0.2, -19.007838176422773]
    assert remembered("test", fields, measure) == [0.30000000000000004, -19.007838176422773]
    assert len(calls) == 1  # the second was read
    assert remembered("test", [*fields, "other"], measure) and len(calls) == 2
    for path in (tmp_path / MEASURED / "test").glob("*.json"):
        path.write_text("{not json")  # damaged: measured again, never an error
    assert remembered("test", fields, measure) == [0.30000000000000004, -19.007838176422773]
    assert len(calls) == 3


def test_a_measurement_that_cannot_be_kept_is_only_time_lost(tmp_path, monkeypatch):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker))
    assert remembered("test", [1], lambda: 2.5) == 2.5
