"""Where a render's files go, and writing them so that nothing that is not ours is replaced.

Rules, for every file voiceguide writes (audio, split folders, transcripts, schemas):

- Only a regular file is ever replaced. A FIFO, a device (``/dev/null``), a socket or a
  folder at the target is refused before any work, and checked again right before the
  finished file is renamed into place: a target that became something else meanwhile is
  left alone and the render fails.
- A symbolic link to a regular file is followed: the file it points to is replaced and the
  link is kept, as the shell's ``>`` does. A link to anything else, or to nothing, is refused.
- Work goes into a hidden part file next to the target, ``.NAME.PID.TOKEN.part``, renamed
  over the target only when complete. A render killed outright (SIGKILL) cannot remove its
  parts; the next write to the same target removes every part (file or folder) whose
  process is no longer running.
- A name longer than the file system allows is refused before any work.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from voiceguide.errors import AudioError, ExitCode

STDOUT = Path("-")  # `-o -`: the audio goes to standard output
PART_SUFFIXES = ("part", "old")  # work in progress; a split folder being replaced
NAME_MAX_BYTES = 255  # when the file system does not say
_PART_PREFIX_MAX_BYTES = 180  # leaves room for '.PID.TOKEN.part' within NAME_MAX_BYTES
_COPY_CHUNK_BYTES = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISREG, "a file"),
)


class OutputRefused(AudioError):
    """The output named on the command line cannot be written (a usage error, before work)."""

    exit_code = ExitCode.USAGE


def kind(mode: int) -> str:
    """'a FIFO (named pipe)', 'a folder', 'a file', ...: what is at a path."""
    return next((name for test, name in _KINDS if test(mode)), "something unknown")


def writable_path(path: Path, option: str = "-o") -> Path:
    """The file to write for ``path``: itself, or the regular file a symbolic link points to.

    OutputRefused when ``path`` is a folder, a FIFO, a device, a socket, a link to one of
    those or to nothing, or a name too long for its file system.
    """
    check_name_length(path, option)
    mode = _lstat_mode(path, option)
    if mode is None or stat.S_ISREG(mode):
        return path
    if stat.S_ISLNK(mode):
        real = Path(os.path.realpath(path))
        real_mode = _lstat_mode(real, option)
        if real_mode is None:
            raise OutputRefused(
                f"{path} is a symbolic link to {real}, which does not exist: "
                f"remove the link or choose another {option}"
            )
        if stat.S_ISREG(real_mode):
            return real
        raise OutputRefused(
            f"{path} is a symbolic link to {kind(real_mode)} ({real}): voiceguide only "
            f"replaces regular files; choose another {option}"
        )
    if stat.S_ISDIR(mode) and option == "-o":
        raise OutputRefused(
            f"{path} is a folder: give a file name such as {path / 'session.mp3'}, "
            "or add --split for one file per chapter in that folder"
        )
    raise OutputRefused(
        f"{path} is {kind(mode)}, not a regular file: voiceguide only replaces regular "
        f"files; choose another {option}"
    )


def check_name_length(path: Path, option: str = "-o") -> None:
    """Refuse a name the file system cannot hold, before any work."""
    size_bytes = len(os.fsencode(path.name))
    limit = _name_max_bytes(path.parent)
    if size_bytes > limit:
        raise OutputRefused(
            f"{option} {_short(path.name)}: the name is {size_bytes} bytes, longer than the "
            f"file system allows ({limit}); choose a shorter name"
        )


def part_path(target: Path, suffix: str = "part") -> Path:
    """A hidden, absolute sibling of ``target`` for work in progress, unique to this process.

    Absolute, so that a name starting with '-' or holding ':' is never an option or a
    protocol to ffmpeg.
    """
    token = secrets.token_hex(4)
    return target.absolute().with_name(f".{_part_stem(target.name)}.{os.getpid()}.{token}.{suffix}")


def remove_stale_parts(target: Path) -> None:
    """Remove the parts (files or folders) that writes of ``target`` killed outright left."""
    pattern = re.compile(
        rf"\.{re.escape(_part_stem(target.name))}\.(\d+)\.[0-9a-f]{{8}}\.({'|'.join(PART_SUFFIXES)})"
    )
    folder = target.absolute().parent
    prefix = f".{_part_stem(target.name)}."
    try:
        # Names as strings, filtered before any other work: a folder of 150,000 files
        # takes 0.12 s here, where a Path for each took 0.38 s.
        names = [name for name in os.listdir(folder) if name.startswith(prefix)]
    except OSError:
        return  # the write itself reports the folder's problem
    for name in names:
        found = pattern.fullmatch(name)
        if found and not _running(int(found.group(1))):
            _remove(folder / name)


def replace(temporary: Path, target: Path) -> None:
    """Rename the finished ``temporary`` over ``target`` if ``target`` is still ours to replace.

    ``target`` is the path :func:`writable_path` returned. Checked again here because minutes
    of rendering passed since: what became a FIFO or a device meanwhile is left alone.
    """
    mode = _lstat_mode(target, "-o")
    if mode is not None and not stat.S_ISREG(mode):
        raise AudioError(
            f"{target} became {kind(mode)} while rendering: it was left alone and nothing "
            "was written; choose another -o"
        )
    os.replace(temporary, target)


def write_atomically(
    path: Path, data: bytes, put: Callable[[Path, Path], None] | None = None
) -> None:
    """Write ``data`` to a hidden part file beside ``path``, then ``put`` it in place (a
    rename, unless ``put`` says otherwise): a reader sees the whole file or none, and a
    failure leaves no part behind.

    No fsync: after a power loss a file may be short, and every reader here checks what it
    reads (the speech cache's entries carry a CRC-32).
    """
    remove_stale_parts(path)  # what a write of this name killed outright left behind
    temporary = part_path(path)
    try:
        temporary.write_bytes(data)
        (put or os.replace)(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: Path, text: str, option: str = "-o") -> None:
    """Write ``text`` at ``path`` atomically, replacing only a regular file."""
    write_bytes(path, text.encode("utf-8"), option)


def write_bytes(path: Path, data: bytes, option: str = "-o") -> None:
    """Write ``data`` at ``path`` atomically, replacing only a regular file."""
    target = writable_path(path, option)
    try:
        write_atomically(target, data, replace)
    except OSError as error:
        raise AudioError(
            f"cannot write {path}: {error.strerror or error}; free some space, or choose "
            "another folder"
        ) from None


def check_stdout() -> None:
    """`-o -` needs standard output to go to a file or a pipe, not a terminal."""
    if sys.stdout.isatty():
        raise OutputRefused(
            "-o -: standard output is a terminal; redirect it to a file (> session.mp3) or a pipe"
        )


def copy_to_stdout(path: Path) -> None:
    """Copy a finished file to standard output; AudioError when the reader went away."""
    try:
        with path.open("rb") as file:
            out = sys.stdout.buffer
            while chunk := file.read(_COPY_CHUNK_BYTES):
                out.write(chunk)
            out.flush()
    except BrokenPipeError:
        # Nothing more can reach the reader; stop Python's own flush at exit from failing too.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise AudioError(
            "standard output was closed before the end of the audio (did the program "
            "reading it stop?)"
        ) from None


def _lstat_mode(path: Path, option: str) -> int | None:
    """The file's mode without following a link; None when there is nothing there."""
    try:
        return path.lstat().st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise OutputRefused(
                f"{option} {_short(str(path))}: the path is too long for the file system; "
                "choose a shorter one"
            ) from None
        if error.errno == errno.ENOTDIR:
            raise OutputRefused(
                f"cannot write {path}: a part of the path is not a folder; choose another {option}"
            ) from None
        raise OutputRefused(
            f"cannot write {path}: {error.strerror or error}; choose another {option}"
        ) from None


def _name_max_bytes(folder: Path) -> int:
    try:
        return os.pathconf(folder if str(folder) else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        return NAME_MAX_BYTES


def _part_stem(name: str) -> str:
    """``name``, or for a long one a shortened form that is still unique to it."""
    encoded = os.fsencode(name)
    if len(encoded) <= _PART_PREFIX_MAX_BYTES:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:12]
    head = encoded[: _PART_PREFIX_MAX_BYTES - 13].decode("utf-8", "ignore")
    return f"{head}~{digest}"


def _short(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:40]}...{text[-12:]}"


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OverflowError:
        return False  # no process has such a number
    return True


def _remove(part: Path) -> None:
    """A part file or a part folder (never following a link out of it)."""
    with contextlib.suppress(OSError):
        if stat.S_ISDIR(part.lstat().st_mode):
            shutil.rmtree(part)
        else:
            part.unlink()
