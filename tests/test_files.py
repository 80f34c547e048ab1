"""files.py: what may be replaced, part files and their cleaning, atomic text."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.errors import AudioError, ExitCode
from voiceguide.files import (
    OutputRefused,
    part_path,
    remove_stale_parts,
    replace,
    writable_path,
    write_text,
)


def char_device(folder: Path) -> Path:
    """A character device node (the kind /dev/null is), or a skip where that is not allowed."""
    device = folder / "null-like"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as error:
        pytest.skip(f"cannot make a device node here: {error}")
    return device


def dead_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_missing_or_regular_file_may_be_written(tmp_path: Path) -> None:
    assert writable_path(tmp_path / "new.mp3") == tmp_path / "new.mp3"
    (tmp_path / "old.mp3").write_bytes(b"old")
    assert writable_path(tmp_path / "old.mp3") == tmp_path / "old.mp3"


def test_a_fifo_is_refused_as_a_usage_error(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mp3"
    os.mkfifo(fifo)
    with pytest.raises(OutputRefused, match=r"pipe\.mp3 is a FIFO \(named pipe\), not a regular"):
        writable_path(fifo)
    assert OutputRefused(fifo).exit_code == ExitCode.USAGE
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_device_is_refused_and_stays_a_device(tmp_path: Path) -> None:
    device = char_device(tmp_path)
    with pytest.raises(OutputRefused, match="is a character device, not a regular file"):
        writable_path(device)
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_a_folder_is_refused_with_what_to_give_instead(tmp_path: Path) -> None:
    with pytest.raises(OutputRefused) as refused:
        writable_path(tmp_path)
    assert str(refused.value) == (
        f"{tmp_path} is a folder: give a file name such as {tmp_path / 'session.mp3'}, "
        "or add --split for one file per chapter in that folder"
    )


def test_a_link_to_a_regular_file_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "music" / "session.mp3"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "session.mp3"
    link.symlink_to(real)
    assert writable_path(link) == real


def test_a_link_to_a_device_a_fifo_or_nothing_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    to_fifo = tmp_path / "a.mp3"
    to_fifo.symlink_to(fifo)
    with pytest.raises(OutputRefused, match=r"a\.mp3 is a symbolic link to a FIFO"):
        writable_path(to_fifo)
    dangling = tmp_path / "b.mp3"
    dangling.symlink_to(tmp_path / "nowhere.mp3")
    with pytest.raises(OutputRefused, match="which does not exist"):
        writable_path(dangling)
    loop = tmp_path / "c.mp3"
    loop.symlink_to(loop)
    with pytest.raises(OutputRefused, match="symbolic link"):
        writable_path(loop)


def test_a_name_too_long_for_the_file_system_is_refused(tmp_path: Path) -> None:
    long_name = "x" * 300 + ".mp3"
    with pytest.raises(OutputRefused, match=r"the name is 304 bytes, longer than the file system"):
        writable_path(tmp_path / long_name)
    deep = Path(*(["d" * 200] * 30), "a.mp3")
    with pytest.raises(OutputRefused, match="too long"):
        writable_path(tmp_path / deep)


def test_a_long_but_allowed_name_still_gets_a_part_file(tmp_path: Path) -> None:
    target = tmp_path / ("y" * 250 + ".mp3")
    part = part_path(target)
    part.write_bytes(b"work")  # would fail if the part name were over the limit
    replace(part, target)
    assert target.read_bytes() == b"work"


def test_a_target_that_became_a_fifo_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    part = part_path(target)
    part.write_bytes(b"audio")
    os.mkfifo(target)
    with pytest.raises(AudioError, match=r"out\.mp3 became a FIFO \(named pipe\) while rendering"):
        replace(part, target)
    assert stat.S_ISFIFO(target.lstat().st_mode)


def test_stale_parts_of_every_kind_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "s.mp3"
    gone = dead_pid()
    stale_file = tmp_path / f".s.mp3.{gone}.0123abcd.part"
    stale_file.write_bytes(b"x")
    stale_folder = tmp_path / f".s.mp3.{gone}.89abcdef.part"
    (stale_folder / "inner").mkdir(parents=True)
    stale_old = tmp_path / f".s.mp3.{gone}.00000000.old"
    stale_old.mkdir()
    live = part_path(target)  # this process's own
    live.write_bytes(b"x")
    other_target = tmp_path / f".s.mp3.5.{gone}.0123abcd.part"  # not a part of s.mp3
    other_target.write_bytes(b"x")
    remove_stale_parts(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other_target.name])


def test_stale_parts_of_a_long_name_are_found_too(tmp_path: Path) -> None:
    target = tmp_path / ("z" * 250)
    stale = part_path(target)
    stale = stale.with_name(stale.name.replace(f".{os.getpid()}.", f".{dead_pid()}."))
    stale.mkdir()
    remove_stale_parts(target)
    assert list(tmp_path.iterdir()) == []


def test_text_is_written_atomically_and_never_into_a_fifo(tmp_path: Path) -> None:
    path = tmp_path / "a.srt"
    write_text(path, "one")
    write_text(path, "two")
    assert path.read_text() == "two"
    assert list(tmp_path.iterdir()) == [path]
    fifo = tmp_path / "b.srt"
    os.mkfifo(fifo)
    with pytest.raises(OutputRefused, match="is a FIFO"):
        write_text(fifo, "text", "--transcript")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
