"""One file per chapter plus an .m3u playlist, for players without chapter support.

The session is rendered once; its stream of blocks is cut at the chapters' first frames and
each piece goes to its own encoder. The files are written into a temporary folder that
takes the target's place only when every file and the playlist are complete. The files stay
inside that folder whatever the chapters are called: a title becomes a plain file name.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from voiceguide.errors import AudioError
from voiceguide.files import (
    OutputRefused,
    check_name_length,
    kind,
    part_path,
    remove_stale_parts,
)
from voiceguide.plan.timeline import Chapter

TITLE_MAX_BYTES = 150  # of a chapter's file name: well within any file system's limit


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


def check_target(target: Path) -> None:
    """Refuse a --split target that is not a folder voiceguide made, before any work."""
    check_name_length(target)
    check_name_length(target / f"{target.name}.flac")  # the longest name made inside
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise OutputRefused(f"cannot write {target}: {error.strerror or error}") from None
    if not stat.S_ISDIR(mode):
        raise OutputRefused(
            f"{target} is {kind(mode)}: --split writes a folder there and replaces only a "
            "folder voiceguide made; choose another -o"
        )
    if not _ours(target):
        raise OutputRefused(
            f"{target} exists and is not a folder voiceguide made: choose another -o, or move it"
        )


def write_folder(target: Path, fill: Callable[[Path], None]) -> None:
    """Let ``fill`` write into a temporary folder, then put it at ``target``.

    A folder already at ``target`` is replaced only if voiceguide made it (it has our
    playlist); anything else is left alone and reported, before and again after the work.
    """
    if not target.parent.is_dir():
        raise AudioError(f"cannot write {target}: no folder {target.parent}")
    check_target(target)
    remove_stale_parts(target)
    temporary = part_path(target)
    temporary.mkdir()
    try:
        fill(temporary)
        _put_in_place(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _put_in_place(temporary: Path, target: Path) -> None:
    try:
        check_target(target)  # minutes have passed: what is there now may not be ours
    except OutputRefused as refused:
        raise AudioError(f"{refused}; nothing was written") from None
    if not os.path.lexists(target):
        os.replace(temporary, target)
        return
    old = part_path(target, "old")
    os.replace(target, old)
    os.replace(temporary, target)
    shutil.rmtree(old)


def _ours(folder: Path) -> bool:
    try:
        return stat.S_ISREG((folder / f"{folder.name}.m3u").lstat().st_mode)
    except OSError:
        return False


def _safe(title: str) -> str:
    """A title fit for a file name on any system: no folders, no controls, not too long."""
    plain = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "-", title).strip(" .-")
    shortened = (
        plain.encode("utf-8", "ignore")[:TITLE_MAX_BYTES].decode("utf-8", "ignore").rstrip(" .-")
    )
    return shortened or "chapter"
