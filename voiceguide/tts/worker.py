"""The speech worker: a process of its own that synthesizes phrases for the render process.

Run as ``python -m voiceguide.tts.worker ENGINE``; ``voiceguide.tts.client`` starts it and
talks to it over its stdin and stdout, one framed message each way per request.

Why a process: an engine's crash or hang must cost one phrase and a retry, never the
interpreter that is rendering; and its memory stays out of the render process.

Why a fork per phrase, for engines that keep state between utterances (espeak-ng carries its
pitch flutter and wave phase from one phrase to the next): the worker loads the engine's
libraries but never starts the engine itself. Each phrase is made by a child forked from it,
which starts the engine, says that one phrase and exits, so every phrase begins from the same
state and comes out byte-identical whatever was said before, in whichever process. The next
child is forked and started while the current one speaks (a "spare"), which hides the
engine's start-up. A child that crashes, hangs past the engine's time limit, or fails in a way
a fresh start may fix is replaced and the phrase tried again, up to ``ATTEMPTS`` times.

Engines without such state (``isolate_phrases`` false) synthesize in the worker itself.
"""

from __future__ import annotations

import importlib
import os
import pickle
import select
import signal
import struct
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any, BinaryIO

from voiceguide.tts.base import AttemptFailed, IsolatedEngine

ATTEMPTS = 3
GRACE_S = 0.5
"""Added to the engine's own time limit before a silent child is killed. The child's own
limit starts a little later (once it has the request) and, where it fires, ends the attempt
the same way, "no result after N s", but lets the child remove its temporary folder, which a
kill leaves behind. Either way the phrase is tried again; each of a hung phrase's three
attempts waits out this grace."""
_HEADER = struct.Struct("<Q")


# --- framing, shared with the client ---------------------------------------------------------


def send(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    """The next message, or raises EOFError when the other side has gone."""
    header = _read_exactly(stream, _HEADER.size)
    return pickle.loads(_read_exactly(stream, _HEADER.unpack(header)[0]))


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    """``size`` bytes: an unbuffered pipe hands them over in pieces of at most 64 KiB."""
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


# --- the worker ------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """Serve requests from stdin until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the render process's to handle
    requests, replies = _protocol_streams()
    try:
        engine = _make_engine(argv[1])
    except Exception as error:  # reported as the answer to every request, not lost
        engine = _Broken(error)
    service = Service(engine)
    while True:
        try:
            request = receive(requests)
        except EOFError:
            return 0
        send(replies, service.answer(request))


def _protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Keep stdin and stdout for messages; anything an engine prints goes to /dev/null."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    return requests, replies


def _make_engine(name: str) -> Any:
    """An engine from the registry, or ``module:factory`` (how tests serve engines of their own)."""
    if ":" in name:
        module, factory = name.split(":", 1)
        return getattr(importlib.import_module(module), factory)()
    from voiceguide.tts.registry import ENGINES

    return ENGINES[name]()


class Service:
    """Answers one request at a time: ("info",) or ("synthesize", text, voice, rate, volume).

    A reply is ("ok", value), ("error", (class name, message)) for an expected failure,
    ("failed", reason) once every attempt failed, or ("bug", traceback text).
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.isolated = bool(getattr(engine, "isolate_phrases", False))
        self._spare: Spare | None = None
        if self.isolated:
            try:
                engine.preload()
            except Exception as error:  # reported as the answer to every request
                self.engine, self.isolated = _Broken(error), False

    def answer(self, request: tuple[Any, ...]) -> tuple[str, Any]:
        text = request[1] if request[0] == "synthesize" else ""
        reason = ""
        for _ in range(ATTEMPTS):
            outcome, value = self._once(request, text)
            if outcome != "retry":
                return outcome, value
            reason = value
        return "failed", reason

    def _once(self, request: tuple[Any, ...], text: str) -> tuple[str, Any]:
        if not self.isolated:
            return _outcome(self.engine, request)
        spare, self._spare = self._spare or Spare.fork(self.engine), None
        spare.send(request)
        self._spare = Spare.fork(self.engine)  # starts its engine while this one works
        return spare.outcome(self.engine.timeout_s(text))


def _outcome(engine: Any, request: tuple[Any, ...]) -> tuple[str, Any]:
    """Carry out one request; every failure becomes a reply, never an exception."""
    from voiceguide.errors import VoiceguideError

    try:
        return "ok", _perform(engine, request)
    except AttemptFailed as failure:
        return "retry", str(failure)
    except VoiceguideError as error:
        return "error", (type(error).__name__, str(error))
    except Exception as error:
        return "bug", "".join(traceback.format_exception(error))


def _perform(engine: Any, request: tuple[Any, ...]) -> Any:
    kind, *arguments = request
    if kind == "info":
        return engine.version(), engine.voices()
    once = getattr(engine, "synthesize_once", None) or engine.synthesize
    return once(*arguments)


@dataclass
class Spare:
    """A forked child that has started its engine and waits for one request."""

    pid: int
    requests: int  # write end: the request goes here
    outcomes: int  # read end: the pickled outcome comes back here

    @classmethod
    def fork(cls, engine: IsolatedEngine) -> Spare:
        request_read, request_write = os.pipe()
        outcome_read, outcome_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            _serve_one(engine, request_read, outcome_write)
        os.close(request_read)
        os.close(outcome_write)
        return cls(pid, request_write, outcome_read)

    def send(self, request: tuple[Any, ...]) -> None:
        try:
            _write_all(self.requests, pickle.dumps(request))
        except BrokenPipeError:
            pass  # the child has died: outcome() says how
        finally:
            os.close(self.requests)

    def outcome(self, limit_s: float) -> tuple[str, Any]:
        """The child's reply; ("retry", reason) when it crashed or went past ``limit_s``."""
        try:
            data = _read_until_closed(self.outcomes, limit_s + GRACE_S)
        finally:
            os.close(self.outcomes)
        if data is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            return "retry", f"no result after {limit_s:.1f} s"
        _, status = os.waitpid(self.pid, 0)
        if not data:
            return "retry", _death(status)
        outcome: tuple[str, Any] = pickle.loads(data)
        return outcome


def _serve_one(
    engine: IsolatedEngine, request_read: int, outcome_write: int
) -> None:  # pragma: no cover
    """In the child: start the engine, wait for the request, answer it, exit."""
    code = 0
    try:
        _close_inherited(keep={request_read, outcome_write})
        try:
            engine.start()
            serving: Any = engine
        except Exception as error:
            serving = _Broken(error)
        data = _read_until_closed(request_read, None)
        if not data:
            return  # the worker has gone
        outcome = _outcome(serving, pickle.loads(data))
        _write_all(outcome_write, pickle.dumps(outcome))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


@dataclass
class _Broken:
    """Stands in for an engine that failed to start: every request reports that failure."""

    error: BaseException

    def version(self) -> str:
        raise self.error

    def voices(self) -> list[Any]:
        raise self.error

    def synthesize(self, *arguments: Any) -> Any:
        raise self.error


def _close_inherited(keep: set[int]) -> None:
    """Drop the worker's other descriptors (its message pipes, an older spare's pipes), so
    that their readers see end-of-file when the worker goes, whatever this child does."""
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _max_fd())


def _max_fd() -> int:
    try:
        return max(int(name) for name in os.listdir("/proc/self/fd")) + 1
    except (OSError, ValueError):
        return 256


def _read_until_closed(fd: int, timeout_s: float | None) -> bytes | None:
    """Everything written to ``fd`` until its writer closes it; None on time-out."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    chunks: list[bytes] = []
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"the engine crashed ({signal.Signals(os.WTERMSIG(status)).name})"
    return f"the engine stopped without an answer (exit status {os.WEXITSTATUS(status)})"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
