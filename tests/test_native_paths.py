"""Both ways of finding ffmpeg, for real: a system one on PATH, else imageio-ffmpeg's.

(Both ways of finding libespeak-ng are tested in test_tts_engine.py.)
"""

import os
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest
from audio_utils import system_ffmpeg

from voiceguide.ffmpeg import FFMPEG_ENV

ROUTINE = "version: 1\ntitle: Short\nsections:\n  - say: Hello.\n  - pause: 2s\n"


def render(tmp_path: Path, path_dirs: list[Path]) -> subprocess.CompletedProcess[str]:
    routine = tmp_path / "short.yaml"
    routine.write_text(ROUTINE)
    # VOICEGUIDE_CACHE_DIR comes with the environment: the run's speech cache.
    env = {**os.environ, "PATH": os.pathsep.join(map(str, path_dirs))}
    env.pop(FFMPEG_ENV, None)  # found as a user's would be, not the suite's choice
    exe = Path(sys.executable).with_name("voiceguide")
    return subprocess.run(
        [str(exe), "render", str(routine), "-o", str(tmp_path / "s.mp3")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_ffmpeg_on_path_is_the_one_used(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "ffmpeg-calls.log"
    wrapper = bin_dir / "ffmpeg"
    wrapper.write_text(
        f'#!/bin/sh\necho called >> "{log}"\nexec "{imageio_ffmpeg.get_ffmpeg_exe()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    done = render(tmp_path, [bin_dir, Path("/usr/bin"), Path("/bin")])
    assert done.returncode == 0, done.stderr
    assert log.read_text().count("called") >= 1
    assert (tmp_path / "s.mp3").stat().st_size > 1000


def test_without_ffmpeg_on_path_the_bundled_one_is_used(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = render(tmp_path, [empty])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{tmp_path / 's.mp3'}: 0:0")


def test_the_system_ffmpeg_works_when_installed(tmp_path):
    system = system_ffmpeg()
    if system is None:
        pytest.skip("no system ffmpeg on PATH (Debian: apt-get install ffmpeg)")
    log = tmp_path / "ffmpeg-calls.log"
    wrapper = tmp_path / "bin" / "ffmpeg"  # the system one, counting its calls
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho called >> "{log}"\nexec "{system}" "$@"\n')
    wrapper.chmod(0o755)
    done = render(tmp_path, [wrapper.parent, Path("/usr/bin"), Path("/bin")])
    assert done.returncode == 0, done.stderr
    assert log.read_text().count("called") >= 2  # the version check, then the encoding
