"""Which ffmpeg runs: a recent enough system one, else the bundled one, or the one forced by
VOICEGUIDE_FFMPEG; and how a failed run is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceguide import ffmpeg as ffmpeg_module
from voiceguide.errors import AudioError
from voiceguide.ffmpeg import FFMPEG_ENV, FFMPEG_MISSING, ffmpeg_exe, last_line, run


def test_missing_ffmpeg_is_an_audio_error_with_an_install_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import imageio_ffmpeg

    def no_binary() -> str:
        raise RuntimeError("No ffmpeg exe could be found.")

    monkeypatch.delenv(FFMPEG_ENV, raising=False)  # found as a user's would be
    monkeypatch.setattr(ffmpeg_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_binary)
    with pytest.raises(AudioError) as raised:
        ffmpeg_exe()
    assert str(raised.value) == FFMPEG_MISSING
    assert str(raised.value) == (
        "ffmpeg not found: install it with 'apt-get install ffmpeg' or 'pip install imageio-ffmpeg'"
    )


def fake_ffmpeg(folder: Path, version_line: str) -> Path:
    """A program named ffmpeg that only tells its version."""
    folder.mkdir()
    program = folder / "ffmpeg"
    program.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    program.chmod(0o755)
    return program


@pytest.mark.parametrize(
    "version_line",
    [
        "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers",
        "ffmpeg version n7.1 Copyright (c) 2000-2024 the FFmpeg developers",
        "ffmpeg version N-117043-g8707c8660d-20240930 Copyright (c) 2000-2024",  # a git build
    ],
)
def test_a_system_ffmpeg_on_path_is_preferred(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, version_line: str
) -> None:
    program = fake_ffmpeg(tmp_path / "bin", version_line)
    monkeypatch.setenv("PATH", str(program.parent))
    monkeypatch.delenv("VOICEGUIDE_FFMPEG", raising=False)
    assert ffmpeg_exe() == str(program)


def test_a_system_ffmpeg_older_than_supported_gives_way_to_the_bundled_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import imageio_ffmpeg

    old = fake_ffmpeg(tmp_path / "bin", "ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c)")
    monkeypatch.setenv("PATH", str(old.parent))
    monkeypatch.delenv("VOICEGUIDE_FFMPEG", raising=False)
    assert ffmpeg_exe() == imageio_ffmpeg.get_ffmpeg_exe()
    monkeypatch.setenv("VOICEGUIDE_FFMPEG", "system")
    with pytest.raises(AudioError) as raised:
        ffmpeg_exe()
    assert str(raised.value) == (
        f"the ffmpeg at {old} is version 4.4, older than 5.1, the oldest voiceguide supports: "
        "install a newer one, or 'pip install imageio-ffmpeg' and voiceguide uses that instead"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "system",
            "ffmpeg not found: install it with 'apt-get install ffmpeg' or 'pip install "
            "imageio-ffmpeg' (VOICEGUIDE_FFMPEG=system, and there is none on PATH)",
        ),
        ("homebrew", "VOICEGUIDE_FFMPEG must be 'system', 'bundled' or 'auto', got 'homebrew'"),
    ],
)
def test_a_forced_ffmpeg_that_cannot_be_had_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, message: str
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("VOICEGUIDE_FFMPEG", value)
    with pytest.raises(AudioError) as raised:
        ffmpeg_exe()
    assert str(raised.value) == message


def test_bundled_is_used_when_asked_for_even_with_one_on_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import imageio_ffmpeg

    fake_ffmpeg(tmp_path / "bin", "ffmpeg version 7.1 Copyright (c)")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("VOICEGUIDE_FFMPEG", "bundled")
    assert ffmpeg_exe() == imageio_ffmpeg.get_ffmpeg_exe()


def test_a_failed_run_names_what_failed_and_ffmpegs_last_line(tmp_path: Path) -> None:
    with pytest.raises(AudioError) as raised:
        run(["-i", str(tmp_path / "nothing.wav"), "-f", "null", "-"], "cannot read nothing.wav")
    assert str(raised.value).startswith("cannot read nothing.wav: ")
    assert "No such file or directory" in str(raised.value)


def test_the_last_line_is_what_went_wrong() -> None:
    assert last_line(b"first\nsecond\n\n") == "second"
    assert last_line(b"") == "ffmpeg failed without a message"


def test_a_program_that_cannot_start_is_an_audio_error(tmp_path: Path) -> None:
    broken = tmp_path / "ffmpeg"
    broken.write_text("not a program")  # no execute bit
    with pytest.raises(AudioError, match=r"^cannot run ffmpeg \(.*ffmpeg\): Permission denied$"):
        run(["-version"], "never", program=str(broken))


def test_a_system_ffmpeg_that_fails_gives_way_to_the_bundled_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import imageio_ffmpeg

    broken = tmp_path / "bin" / "ffmpeg"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", str(broken.parent))
    monkeypatch.delenv("VOICEGUIDE_FFMPEG", raising=False)
    assert ffmpeg_exe() == imageio_ffmpeg.get_ffmpeg_exe()
    monkeypatch.setenv("VOICEGUIDE_FFMPEG", "system")
    with pytest.raises(AudioError) as raised:
        ffmpeg_exe()
    assert str(raised.value) == (
        f"the ffmpeg at {broken} fails (error while loading shared libraries): 'pip install "
        "imageio-ffmpeg' and voiceguide uses that instead"
    )
