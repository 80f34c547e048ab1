"""What docs/security.md promises: routines are data, no shell, no engine markup."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voiceguide.errors import RoutineError
from voiceguide.routine.loader import load_routine_text
from voiceguide.tts.base import Clip
from voiceguide.tts.pyttsx3_engine import Pyttsx3Engine

PACKAGE = Path(__file__).resolve().parents[1] / "voiceguide"
EXE = Path(sys.executable).with_name("voiceguide")
AUDIBLE = 104  # -50 dBFS, the engine's own bar for "not silent"
LONGEST_GAP_MS = 1000  # espeak pauses well under a second at a full stop


def calls_in_package() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls += [(path.name, node) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return calls


def test_no_shell_and_no_code_from_data_anywhere_in_the_package() -> None:
    forbidden = {"system", "popen", "getoutput", "getstatusoutput", "eval", "exec", "load"}
    found = []
    for name, call in calls_in_package():
        function = call.func
        called = (
            function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        )
        shell = any(k.arg == "shell" for k in call.keywords)
        # yaml.load and pickle.load would build objects from data; json.load would be fine
        owner = getattr(function, "value", None)
        loads_objects = called == "load" and getattr(owner, "id", "") in ("yaml", "pickle")
        if shell or loads_objects or (called in forbidden - {"load"}):
            found.append(f"{name}:{call.lineno}: {ast.unparse(call)[:60]}")
    assert found == []


def test_a_python_tag_is_refused_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = (
        "version: 1\n"
        f"title: !!python/object/apply:os.system ['touch {marker}']\n"
        "sections:\n  - say: Hello.\n"
    )
    with pytest.raises(RoutineError, match=r"the tag !!python/object/apply:os\.system"):
        load_routine_text(text, "r.yaml")
    assert not marker.exists()


def test_paths_full_of_shell_syntax_are_only_paths(tmp_path: Path) -> None:
    folder = tmp_path / "-folder; $(touch pwned)"
    folder.mkdir()
    routine = folder / "it's a $(touch pwned) `touch pwned` & routine.yaml"
    routine.write_text(
        "version: 1\ntitle: $(touch pwned); -y\nsections:\n  - say: Hello.\n", encoding="utf-8"
    )
    out = "-out: $(touch pwned) 'x'.wav"  # relative, so ffmpeg would see '-out...' if given as is
    done = subprocess.run(
        [str(EXE), "render", str(routine), "--format", "wav", "-o", f"{folder.name}/{out}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (folder / out).stat().st_size > 0
    assert list(tmp_path.rglob("pwned")) == []


@pytest.fixture(scope="module")
def engine() -> Pyttsx3Engine:
    return Pyttsx3Engine()


def longest_silence_ms(clip: Clip) -> float:
    samples = np.abs(np.frombuffer(clip.pcm, dtype="<i2").astype(np.int32))
    audible = np.flatnonzero(samples > AUDIBLE)
    gaps = np.diff(audible) if audible.size > 1 else np.array([0])
    return float(gaps.max()) * 1000 / clip.sample_rate_hz


@pytest.mark.parametrize(
    "markup",
    [
        '<break time="10s"/>',  # SSML
        '<speak><prosody rate="x-slow">',  # SSML that would slow the voice
        "[[s'i:l@ns]]",  # espeak phoneme brackets
    ],
)
def test_text_cannot_carry_engine_markup(engine: Pyttsx3Engine, markup: str) -> None:
    plain = engine.synthesize("Relax your hands now.", None, 150, 1.0)
    marked = engine.synthesize(f"Relax your {markup} hands now.", None, 150, 1.0)
    assert longest_silence_ms(marked) < LONGEST_GAP_MS  # no pause was obeyed
    # Read aloud or skipped, the markup adds a few words at most, never seconds of silence.
    assert marked.duration_ms < plain.duration_ms + 4000
