"""Speech engines by name.

Factories import their engine module only when called, so importing this registry (for
``--help`` or to list engine names) never loads pyttsx3, espeak-ng, piper or numpy. ``get_engine``
hands out real engines running in the speech worker process (``tts/worker.py``); the worker
itself builds them from ``ENGINES``. The fake runs in the calling process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from voiceguide.errors import SpeechError
from voiceguide.tts.base import SpeechEngine

DEFAULT_ENGINE = "pyttsx3"


def _pyttsx3() -> SpeechEngine:
    from voiceguide.tts.pyttsx3_engine import Pyttsx3Engine

    return Pyttsx3Engine()


def _piper() -> SpeechEngine:
    from voiceguide.tts.piper_engine import PiperEngine

    return PiperEngine()


def _fake() -> SpeechEngine:
    from voiceguide.tts.fake import FakeEngine

    return FakeEngine()


ENGINES: dict[str, Callable[[], SpeechEngine]] = {
    "pyttsx3": _pyttsx3,
    "piper": _piper,  # the natural voice: needs the natural extra (tts/natural.py)
    "fake": _fake,  # for tests: instant, deterministic tones instead of speech
}
IN_PROCESS = frozenset({"fake"})
_workers: dict[str, SpeechEngine] = {}
_workers_lock = threading.Lock()


def engine_names() -> list[str]:
    return sorted(ENGINES)


def get_engine(name: str = DEFAULT_ENGINE) -> SpeechEngine:
    """The engine of that name (a real one runs in this process's one speech worker);
    SpeechError naming the choices when there is none."""
    if name not in ENGINES:
        choices = ", ".join(engine_names())
        raise SpeechError(f"unknown speech engine {name!r}: choose one of {choices}")
    if name in IN_PROCESS:
        return ENGINES[name]()
    from voiceguide.tts.client import WorkerEngine

    # One worker per engine and process: it keeps no state between phrases, and a second
    # plan in the same process (play, templates, a library user) needs no new start-up.
    with _workers_lock:
        worker = _workers.get(name)
        if worker is None:
            worker = _workers[name] = WorkerEngine(name)
    return worker
