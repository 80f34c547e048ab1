"""Renders started at once on one cold cache, in real processes: all succeed, each file
byte-identical to the same routine rendered alone, cold or warm.

Ten different routines at once check that the processes do not disturb each other's files
and cache entries; one routine ten times at once checks that a phrase comes out the same
whichever process makes it, after whatever that process said before (the speech worker
makes each phrase from a fresh engine; see tts/worker.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.tts.cache import LAYOUT, ClipCache

pytestmark = pytest.mark.slow  # a dozen renders, several at once

EXE = Path(sys.executable).with_name("voiceguide")
TIMEOUT_S = 300
ROUTINES = {
    "breath.yaml": ("Breathe in through your nose.", "Breathe out through your mouth."),
    "neck.yaml": ("Tilt your head towards the shoulder.", "Bring it back to the middle."),
    "wrist.yaml": ("Circle both wrists outwards.", "Now circle them inwards."),
    "eyes.yaml": ("Close your eyes softly.", "Look far into the distance."),
    "feet.yaml": ("Press your heels into the floor.", "Lift your toes and spread them."),
    "jaw.yaml": ("Let your jaw hang loose.", "Smile a little."),
    "back.yaml": ("Round your back like a cat.", "Arch it gently."),
    "hips.yaml": ("Sway your hips from side to side.", "Stand still again."),
    "arms.yaml": ("Raise both arms above you.", "Let them float down."),
    "hands.yaml": ("Make two soft fists.", "Open your fingers wide."),
}
FORMATS = ("wav", "mp3", "ogg", "flac", "wav", "mp3", "wav", "flac", "ogg", "wav")


def routine_text(title: str, first: str, second: str) -> str:
    return (
        f"version: 1\ntitle: {title}\nbackground: {{sound: pink, level: -30dB}}\nsections:\n"
        f"  - say: {first}\n    repeat: 2\n    each: 4s\n    repeat_cue: tick\n"
        f"  - pause: 3s\n  - say: {second}\n    slot: 8s\n    end_cue: bell\n"
    )


def render_commands(out: Path) -> list[list[str]]:
    return [
        [str(EXE), "render", name, "--format", fmt, "-o", str(out / f"{Path(name).stem}.{fmt}")]
        for name, fmt in zip(ROUTINES, FORMATS, strict=True)
    ]


def env_with_cache(cache_dir: Path) -> dict[str, str]:
    return {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache_dir)}


@pytest.fixture(scope="module")
def routines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("routines")
    for name, (first, second) in ROUTINES.items():
        (folder / name).write_text(routine_text(Path(name).stem, first, second), encoding="utf-8")
    return folder


def test_ten_renders_at_once_on_one_cache_match_serial_renders(
    routines: Path, tmp_path: Path
) -> None:
    serial = tmp_path / "serial"
    serial.mkdir()
    for command in render_commands(serial):
        done = subprocess.run(
            command,
            cwd=routines,  # the file records the routine as given: the same in both runs
            env=env_with_cache(tmp_path / "serial-cache"),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    shared_cache = tmp_path / "shared-cache"
    at_once = tmp_path / "at-once"
    at_once.mkdir()
    children = [
        subprocess.Popen(
            command,
            cwd=routines,
            env=env_with_cache(shared_cache),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in render_commands(at_once)
    ]
    results = [child.communicate(timeout=TIMEOUT_S) for child in children]
    assert [child.returncode for child in children] == [0] * 10, [err for _, err in results]
    assert sorted(p.name for p in at_once.iterdir()) == sorted(p.name for p in serial.iterdir())
    for path in serial.iterdir():
        assert (at_once / path.name).read_bytes() == path.read_bytes(), path.name
    entries = sorted((shared_cache / LAYOUT).rglob("*"))
    files = [p for p in entries if p.is_file()]
    assert all(p.suffix == ".wav" for p in files)  # no temporary file left
    assert all(ClipCache(shared_cache).get(p.stem) is not None for p in files)
    assert sorted(p.name for p in files) == sorted(
        p.name for p in (tmp_path / "serial-cache" / LAYOUT).rglob("*.wav")
    )


SHARED = """\
version: 1
title: Shared phrases
sections:
  - say: Breathe in slowly.
    repeat: 3
    each: 2s
    count: true
  - for_each_side: [right, left]
    steps:
      - say: Stretch your {side} arm.
        repeat: 2
        each: 2s
        count: true
  - say: Breathe out slowly.
"""


def test_one_routine_cold_warm_and_ten_at_once_gives_the_same_bytes(tmp_path: Path) -> None:
    routine = tmp_path / "shared.yaml"
    routine.write_text(SHARED, encoding="utf-8")

    def render(out: Path, cache: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(EXE), "render", routine.name, "--format", "wav", "-o", str(out)],
            cwd=tmp_path,
            env=env_with_cache(tmp_path / cache),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(child: subprocess.Popen[str]) -> None:
        _, stderr = child.communicate(timeout=TIMEOUT_S)
        assert child.returncode == 0, stderr

    finish(render(tmp_path / "cold.wav", "cache"))
    finish(render(tmp_path / "warm.wav", "cache"))
    children = [render(tmp_path / f"at-once-{n}.wav", "shared-cache") for n in range(10)]
    for child in children:
        finish(child)
    reference = (tmp_path / "cold.wav").read_bytes()
    assert (tmp_path / "warm.wav").read_bytes() == reference
    for n in range(10):
        assert (tmp_path / f"at-once-{n}.wav").read_bytes() == reference, n
