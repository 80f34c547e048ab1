"""A speech engine that lives in the speech worker process (see ``voiceguide.tts.worker``).

``WorkerEngine`` has the engine protocol, so ``Speech`` and its cache use it like any engine.
The worker starts when the first engine is created, so that its imports overlap the render
process's own loading; it goes when this process closes its pipes (at exit, or killed).
A worker that dies between phrases is started again for the next one, once.

``synthesize_many`` makes a batch of phrases with one worker per core (helpers started for
the first batch and kept). A phrase's samples never depend on what its worker said before
(espeak-ng speaks each in a fresh child, Piper keeps no state), so which worker made it
changes no sample.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from voiceguide.errors import SpeechError
from voiceguide.tts import worker
from voiceguide.tts.base import Answered, Clip, Request, VoiceInfo, failed_message, shorten

ANSWER_LIMIT_S = 120.0
ANSWER_LIMIT_S_PER_CHAR = 0.1
MAX_WORKERS = 4
"""Workers for a batch, at most: one per core, as each is busy on one core (Piper runs on one
thread, espeak-ng's child speaks alone), and each Piper worker holds its own model."""
PHRASES_PER_HELPER = 12
"""A helper worker for each this many phrases of a batch, past the first: starting one takes
0.2 s of CPU, about what espeak-ng spends on 10 phrases (Piper on one)."""


class WorkerEngine:
    """The engine called ``name``, run in a worker process. Thread-safe, one request at once."""

    def __init__(self, name: str, engine: str | None = None) -> None:
        self.name = name
        self._spec = engine or name  # what the worker builds: a registry name or module:factory
        self._lock = threading.Lock()
        self._info: tuple[str, list[VoiceInfo]] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._helpers: list[WorkerEngine] = []
        self._start()

    def version(self) -> str:
        return self._described()[0]

    def voices(self) -> list[VoiceInfo]:
        return list(self._described()[1])

    def synthesize(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        clip: Clip = self._ask(("synthesize", text, voice, rate_wpm, volume), text)
        return clip

    def synthesize_many(
        self, requests: Sequence[Request], answered: Answered | None = None
    ) -> dict[int, Clip | Exception]:
        """What the batch made, by request index: each clip, or what ``synthesize`` raised.

        Up to one worker per core at once. ``answered(index, answer)`` is called as each
        comes, one call at a time, so what was made is kept even if the batch is then
        stopped. It stops after the phrases in hand at its first failure (the rest are
        then asked for one by one, in the plan's order), at an interrupt, or when
        ``answered`` raises.
        """
        waiting: queue.SimpleQueue[tuple[int, Request]] = queue.SimpleQueue()
        for item in enumerate(requests):
            waiting.put(item)
        answers: dict[int, Clip | Exception] = {}
        one_at_a_time = threading.Lock()

        def work(engine: WorkerEngine) -> None:
            try:
                while True:
                    try:
                        index, request = waiting.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        answer: Clip | Exception = engine.synthesize(*request)
                    except (SpeechError, RuntimeError) as error:
                        answer = error
                        _empty(waiting)
                    with one_at_a_time:
                        answers[index] = answer
                        if answered is not None:
                            answered(index, answer)
            except BaseException:
                _empty(waiting)
                raise

        engines = [self, *self._helpers_for(len(requests))]
        with ThreadPoolExecutor(len(engines)) as pool:
            try:
                for running in [pool.submit(work, engine) for engine in engines]:
                    running.result()
            except BaseException:  # Ctrl-C: the workers stop after the phrases in hand
                _empty(waiting)
                raise
        return answers

    def close_helpers(self) -> None:
        """Stop the helper workers (a later batch starts new ones)."""
        with self._lock:
            helpers, self._helpers = self._helpers, []
        for helper in helpers:
            helper.close()

    def _helpers_for(self, requests: int) -> list[WorkerEngine]:
        wanted = min(MAX_WORKERS, _cores(), 1 + requests // PHRASES_PER_HELPER) - 1
        while len(self._helpers) < wanted:
            self._helpers.append(WorkerEngine(self.name, self._spec))
        return self._helpers[:wanted]

    def close(self) -> None:
        """Stop the worker and its helpers (they would stop by themselves once this process
        exits); a later request starts a new one."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            _stop(process)
        self.close_helpers()

    def _described(self) -> tuple[str, list[VoiceInfo]]:
        if self._info is None:
            self._info = self._ask(("info",), "")
        return self._info

    def _ask(self, request: tuple[Any, ...], text: str) -> Any:
        with self._lock:
            try:
                outcome, value = self._exchange(request)
            except (EOFError, OSError):
                self._start()  # the worker itself died: one more try with a new one
                try:
                    outcome, value = self._exchange(request)
                except (EOFError, OSError):
                    raise SpeechError(_gone(text)) from None
        return _result(outcome, value, text)

    def _exchange(self, request: tuple[Any, ...]) -> tuple[str, Any]:
        if self._process is None:  # closed: a new worker for this request
            self._start()
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        worker.send(process.stdin, request)  # type: ignore[arg-type]
        limit_s = answer_limit_s(request)
        if not select.select([process.stdout], [], [], limit_s)[0]:
            # The worker times its engine's children itself; an engine it runs in its own
            # process (no fork per phrase) can hang it, so the wait here is bounded too.
            self._process = None
            process.kill()
            _stop(process)
            text = request[1] if request[0] == "synthesize" else ""
            raise SpeechError(_silent(text, limit_s))
        reply: tuple[str, Any] = worker.receive(process.stdout)  # type: ignore[arg-type]
        return reply

    def _start(self) -> None:
        if self._process is not None:
            _stop(self._process)
        self._process = subprocess.Popen(
            # -P: the current folder is not searched for modules (a user's wave.py there
            # would be imported in place of the standard library's).
            [sys.executable, "-P", "-m", "voiceguide.tts.worker", self._spec],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )


def _empty(waiting: queue.SimpleQueue[tuple[int, Request]]) -> None:
    """Take every request still waiting, so that no worker starts another."""
    with contextlib.suppress(queue.Empty):
        while True:
            waiting.get_nowait()


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _result(outcome: str, value: Any, text: str) -> Any:
    if outcome == "ok":
        return value
    if outcome == "error":
        raise SpeechError(value[1])  # engines raise only SpeechError on purpose
    if outcome == "failed":
        raise SpeechError(failed_message(text, value, worker.ATTEMPTS))
    raise RuntimeError(f"the speech worker failed:\n{value}")  # a bug: show its traceback


def answer_limit_s(request: tuple[Any, ...]) -> float:
    """How long to wait for the worker's answer: far above its own attempts at a phrase."""
    text = request[1] if request[0] == "synthesize" else ""
    return ANSWER_LIMIT_S + ANSWER_LIMIT_S_PER_CHAR * len(text)


def _gone(text: str) -> str:
    if not text:
        return "the speech worker stopped twice before it answered: try again"
    return (
        f'the speech worker stopped twice while saying "{shorten(text)}": try again; if it '
        "fails again, reword that text"
    )


def _silent(text: str, limit_s: float) -> str:
    what = f'on "{shorten(text)}"' if text else "starting"
    return (
        f"the speech engine gave no answer {what} within {limit_s:.0f} s and was stopped: "
        "try again; if it fails again, reword that text"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
