"""One home for running ffmpeg: which program, whether it is recent enough, and how a run
failed (its last error line).

A system ffmpeg on PATH is preferred (1.2 to 1.7 times faster than the bundled one, see
AUDIO-NOTES.md) when it is 5.1 or newer; otherwise imageio-ffmpeg's own. ffprobe is never
used: imageio-ffmpeg ships none.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from typing import IO, Any

from voiceguide.errors import AudioError

FFMPEG_MISSING = (
    "ffmpeg not found: install it with 'apt-get install ffmpeg' or 'pip install imageio-ffmpeg'"
)
FFMPEG_ENV = "VOICEGUIDE_FFMPEG"
MIN_FFMPEG = (5, 1)
"""The oldest release tested (Debian 12's); every option used here exists in it."""
_RELEASE = re.compile(r"ffmpeg version n?(\d+)\.(\d+)")
QUIET = ("-hide_banner", "-nostdin", "-v", "error")


def run(
    arguments: list[str],
    failure: str,
    *,
    input: bytes | None = None,
    stdout: int | IO[bytes] = subprocess.PIPE,
    timeout: float | None = None,
    program: str | None = None,
) -> bytes:
    """Run ffmpeg quietly with ``arguments``; what it wrote to stdout (when piped).

    AudioError "``failure``: ffmpeg's last error line" when it fails or cannot start.
    A time-out is left to the caller (subprocess.TimeoutExpired).
    """
    done = completed(arguments, input=input, stdout=stdout, timeout=timeout, program=program)
    if done.returncode != 0:
        raise AudioError(f"{failure}: {last_line(done.stderr)}")
    return done.stdout or b""


def completed(
    arguments: list[str], program: str | None = None, **options: Any
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg quietly and return however it ended (for callers that read its failure)."""
    command = [program or ffmpeg_exe(), *QUIET, *arguments]
    stdin = None if options.get("input") is not None else subprocess.DEVNULL
    try:
        return subprocess.run(command, stdin=stdin, stderr=subprocess.PIPE, check=False, **options)
    except OSError as error:
        raise AudioError(f"cannot run ffmpeg ({command[0]}): {error.strerror or error}") from None


def first_audio(path: str | os.PathLike[str], seconds: float) -> list[str]:
    """Arguments that read no more than ``seconds`` of the first audio stream of ``path``
    (absolute: never read as an option or a protocol)."""
    return ["-i", os.path.abspath(path), "-map", "0:a:0", "-t", f"{seconds:g}"]


def last_line(stderr: bytes) -> str:
    """The line of ffmpeg's error output that says what went wrong (its last)."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "ffmpeg failed without a message"


def ffmpeg_exe() -> str:
    """The ffmpeg to run: a system one on PATH (faster) when it is recent enough, else the one
    imageio-ffmpeg ships. ``$VOICEGUIDE_FFMPEG`` set to ``system`` or ``bundled`` forces one."""
    choice = os.environ.get(FFMPEG_ENV, "").strip().lower()
    if choice not in ("", "auto", "system", "bundled"):
        raise AudioError(f"{FFMPEG_ENV} must be 'system', 'bundled' or 'auto', got {choice!r}")
    system = shutil.which("ffmpeg") if choice != "bundled" else None
    if system is not None:
        too_old = _too_old(system)
        if too_old is None:
            return system
        if choice == "system":
            raise AudioError(too_old)
    elif choice == "system":
        raise AudioError(f"{FFMPEG_MISSING} ({FFMPEG_ENV}=system, and there is none on PATH)")
    return _bundled_ffmpeg()


def _bundled_ffmpeg() -> str:
    try:
        import imageio_ffmpeg

        bundled = str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError, OSError):
        raise AudioError(FFMPEG_MISSING) from None
    if shutil.which(bundled) is None:  # IMAGEIO_FFMPEG_EXE may name anything
        raise AudioError(f"{FFMPEG_MISSING} (there is no program at {bundled})")
    return bundled


def _too_old(program: str) -> str | None:
    """Why ``program`` cannot be used (it does not run, or is older than MIN_FFMPEG), or None
    when it can."""
    try:
        version = ffmpeg_version(program)
    except AudioError as error:
        return f"{error}: 'pip install imageio-ffmpeg' and voiceguide uses that instead"
    if version is None or version >= MIN_FFMPEG:
        return None
    oldest = ".".join(map(str, MIN_FFMPEG))
    return (
        f"the ffmpeg at {program} is version {'.'.join(map(str, version))}, older than "
        f"{oldest}, the oldest voiceguide supports: install a newer one, or "
        "'pip install imageio-ffmpeg' and voiceguide uses that instead"
    )


@functools.lru_cache(maxsize=8)
def ffmpeg_version(program: str) -> tuple[int, int] | None:
    """(major, minor) from ``ffmpeg -version``; None for a build that names no release (a git
    snapshot such as ``N-112345-g...``, taken as new). AudioError when the program does not
    run or fails."""
    try:
        done = subprocess.run(
            [program, "-hide_banner", "-version"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise AudioError(f"cannot run ffmpeg ({program}): {error}") from None
    if done.returncode != 0:
        raise AudioError(f"the ffmpeg at {program} fails ({last_line(done.stderr)})")
    found = _RELEASE.match(done.stdout.decode("utf-8", "replace"))
    return (int(found.group(1)), int(found.group(2))) if found else None
