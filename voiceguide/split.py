"""One file per chapter plus an .m3u playlist, for players without chapter support.

The session is rendered once; its stream of blocks is cut at the chapters' first frames and
each piece goes to its own encoder. The files are written into a temporary folder that
takes the target's place only when every file and the playlist are complete.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from voiceguide.errors import AudioError
from voiceguide.timeline import Chapter


def chapter_streams(
    blocks: Iterable[np.ndarray], boundaries: list[int]
) -> Iterator[Iterator[np.ndarray]]:
    """Successive streams of the frames between boundaries (first frames of each chapter,
    then the total). Each stream must be read to its end before the next is asked for."""
    source = iter(blocks)
    leftover: list[np.ndarray] = []

    def stream(frames: int) -> Iterator[np.ndarray]:
        while frames > 0:
            block = leftover.pop() if leftover else next(source, None)
            if block is None:
                return
            if len(block) > frames:
                leftover.append(block[frames:])
                block = block[:frames]
            frames -= len(block)
            yield block

    for start, end in itertools.pairwise(boundaries):
        yield stream(end - start)


def file_names(stem: str, chapters: tuple[Chapter, ...], extension: str) -> list[str]:
    """``01 Welcome.mp3``: numbered so that any file list sorts in session order."""
    width = max(2, len(str(len(chapters))))
    return [f"{n:0{width}d} {_safe(c.title)}.{extension}" for n, c in enumerate(chapters, 1)]


def playlist(names: list[str], chapters: tuple[Chapter, ...], title: str) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{title}"]
    for name, chapter in zip(names, chapters, strict=True):
        seconds = round((chapter.end_ms - chapter.start_ms) / 1000)
        lines += [f"#EXTINF:{seconds},{chapter.title}", name]
    return "\n".join(lines) + "\n"


def write_folder(target: Path, fill: Callable[[Path], None]) -> None:
    """Let ``fill`` write into a temporary folder, then put it at ``target``.

    A folder already at ``target`` is replaced only if voiceguide made it (it has our
    playlist); anything else is left alone and reported.
    """
    if not target.parent.is_dir():
        raise AudioError(f"cannot write {target}: no folder {target.parent}")
    if target.exists() and not (target / f"{target.name}.m3u").is_file():
        raise AudioError(
            f"{target} exists and is not a folder voiceguide made: choose another -o, or move it"
        )
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    temporary.mkdir()
    try:
        fill(temporary)
        if target.exists():
            old = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
            os.replace(target, old)
            os.replace(temporary, target)
            shutil.rmtree(old)
        else:
            os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _safe(title: str) -> str:
    """A title fit for a file name on any system."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", title).strip(" .-") or "chapter"
