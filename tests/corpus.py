"""The invalid-input corpus in data/invalid: each case and the exact lines it must produce.

A case is a routine path, ``NAME.yaml``, and its expected lines, ``# expect: LINE:COL: key:
message`` (or ``# expect: message`` for a problem with the whole file), written at the end of
the file itself, or in ``NAME.expect`` beside it when the file cannot carry them: bytes that
are not UTF-8 text, an empty file, a folder, a file that is missing on purpose. ``$CORPUS`` in an
expected line stands for the corpus folder's absolute path, which differs from machine to
machine; a line that starts with it is a problem in another file, one the case includes
(kept in ``includes/``, where no case is looked for). After a deliberate change of wording,
``python tests/corpus.py [NAME ...]`` rewrites the expected lines from what voiceguide says
now: read the diff before committing it.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

INVALID = Path(__file__).parent / "data" / "invalid"
MEDIA = INVALID / "hostile-media"
"""Files the background-file cases name, made by ``make_media`` (never committed: audio and
video are synthesized, like every other signal in the tests); ``loop`` is a committed link."""
_LOCATED = re.compile(r"\d+:\d+: ")


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    expected: list[str]  # exactly what voiceguide prints, one problem a line


def make_media() -> None:
    """The corpus's recordings that are not what a bed needs: text named .ogg, an empty .wav,
    half a second of sound, and a video without sound."""
    import wave

    from audio_utils import instrument

    (MEDIA / "not-sound.ogg").write_text("This is a note about rain, not a recording.\n")
    (MEDIA / "empty.wav").write_bytes(b"")
    with wave.open(str(MEDIA / "short.wav"), "wb") as short:
        short.setnchannels(1)
        short.setsampwidth(1)
        short.setframerate(8000)
        short.writeframes(bytes(128 + (n % 16) for n in range(4000)))
    video = MEDIA / "silent-video.mp4"
    if not video.exists():
        black = ["-f", "lavfi", "-i", "color=c=black:s=16x16:d=1:r=5"]
        subprocess.run(
            [instrument(), "-v", "error", "-y", *black, "-an", str(video)], check=True, timeout=60
        )


def cases() -> list[Case]:
    names = sorted(
        {p.stem for p in INVALID.glob("*.yaml")} | {p.stem for p in INVALID.glob("*.expect")}
    )
    return [_case(name) for name in names]


def _case(name: str) -> Case:
    path = INVALID / f"{name}.yaml"
    sidecar = INVALID / f"{name}.expect"
    source = sidecar if sidecar.exists() else path
    lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    expected = [
        _expected_line(path, line.removeprefix("# expect: "))
        for line in lines
        if line.startswith("# expect: ")
    ]
    return Case(name, path, expected)


def _expected_line(path: Path, rest: str) -> str:
    elsewhere = rest.startswith("$CORPUS/")  # a problem in another file: one the case includes
    rest = rest.replace("$CORPUS", str(INVALID.resolve()))
    if elsewhere:
        return rest
    return f"{path}:{rest}" if _LOCATED.match(rest) else f"{path}: {rest}"


def update(names: list[str]) -> None:
    """Rewrite the expected lines of the named cases (all if none) from what voiceguide says
    now; read the diff before committing it."""
    from voiceguide.errors import RoutineError
    from voiceguide.pipeline import validate_files

    make_media()
    for case in cases():
        if names and case.name not in names:
            continue
        try:
            validate_files([case.path])
            said: list[str] = []
        except RoutineError as error:
            said = error.lines()
        if said != case.expected:
            _write_expected(case, said)
            print(f"updated {case.name}")


def _write_expected(case: Case, said: list[str]) -> None:
    rests = []
    for line in said:
        rest = line.removeprefix(str(case.path)).replace(str(INVALID.resolve()), "$CORPUS")
        rests.append(rest[1:] if _LOCATED.match(rest[1:]) else rest.removeprefix(": "))
    sidecar = INVALID / f"{case.name}.expect"
    target = sidecar if sidecar.exists() else case.path
    kept = [line for line in target.read_bytes().split(b"\n") if not line.startswith(b"# expect: ")]
    while kept and not kept[-1]:
        kept.pop()
    lines = [*kept, *(b"# expect: " + rest.encode("utf-8") for rest in rests)]
    target.write_bytes(b"".join(line + b"\n" for line in lines))


if __name__ == "__main__":  # python tests/corpus.py [NAME ...]
    import sys

    update(sys.argv[1:])
