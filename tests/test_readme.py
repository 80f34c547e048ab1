"""The README's "Use it" list, run as a newcomer would: every line in order, in an empty
folder, through a shell, with the installed `voiceguide`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"
TIMEOUT_S = 600


def use_it_lines() -> list[str]:
    """The commands of the first sh block after "## Use it", comments cut."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Use it") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "no sh block under 'Use it'"
    return [line.split("  #")[0].strip() for line in block[1].splitlines() if line.strip()]


def test_the_use_it_list_starts_with_voiceguide_commands() -> None:
    lines = use_it_lines()
    assert len(lines) >= 15
    assert all(line.startswith("voiceguide ") for line in lines)
    # What a line reads must have been made by a line before it.
    made = [i for i, line in enumerate(lines) if line.startswith("voiceguide new my-routine")]
    used = [i for i, line in enumerate(lines) if "my-routine.yaml" in line]
    assert made and used and made[0] < min(used)
    outputs = [re.search(r" -o (\S+)", line) for line in lines if line.startswith("voiceguide r")]
    named = [match[1] for match in outputs if match]
    assert len(named) == len(set(named)), "two renders write one file"


@pytest.mark.slow  # a dozen renders of the 15-minute session
def test_every_line_of_use_it_works_in_order(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "VOICEGUIDE_PLAYER": "true {file}",  # no speakers here: a player that plays nothing
    }
    for line in use_it_lines():
        done = subprocess.run(
            ["bash", "-c", line],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, f"{line}\n{done.stderr}"
    for made in ("hand-massage.mp3", "evening.mp3", "evening.flac", "bedtime.mp3", "sample.wav"):
        assert (tmp_path / made).stat().st_size > 0, made
    assert any((tmp_path / "chapters").glob("*.m3u"))
