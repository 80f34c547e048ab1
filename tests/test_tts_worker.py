"""The speech worker: each phrase from a fresh engine, crashes and hangs cost a retry.

The engines in worker_engines.py misbehave on purpose; the real engine's runs through the
worker are in test_tts_engine.py, test_faults.py and test_concurrency.py.
"""

from __future__ import annotations

import os
import signal
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from worker_engines import HANG_LIMIT_S

from voiceguide.errors import SpeechError
from voiceguide.tts import client, worker
from voiceguide.tts.base import Clip
from voiceguide.tts.client import WorkerEngine

TESTS = Path(__file__).parent


@pytest.fixture(autouse=True)
def tests_on_pythonpath(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])
    )


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerEngine]:
    """A stateless test engine on a machine of two cores: a batch may start one helper."""
    monkeypatch.setattr(client, "_cores", lambda: 2)
    engine = WorkerEngine("stateless", "worker_engines:Stateless")
    yield engine
    engine.close()


def batch(texts: list[str]) -> list[tuple[str, None, int, float]]:
    return [(text, None, 150, 1.0) for text in texts]


def speaker(answer: Clip | Exception) -> tuple[int, int]:
    """(pid, phrases said before) of an answer from the test engines."""
    assert isinstance(answer, Clip), answer
    pid, before = struct.unpack("<ii", answer.pcm)
    return pid, before


@pytest.fixture
def faulty() -> Iterator[WorkerEngine]:
    engine = WorkerEngine("faulty", "worker_engines:Faulty")
    yield engine
    engine.close()


def said(engine: WorkerEngine, text: str) -> tuple[int, int]:
    """(pid of the process that said it, phrases that process had said before)."""
    pid, before = struct.unpack("<ii", engine.synthesize(text, None, 150, 1.0).pcm)
    return pid, before


def test_every_phrase_is_said_by_a_fresh_engine_in_a_process_of_its_own(
    faulty: WorkerEngine,
) -> None:
    results = [said(faulty, f"phrase {n}") for n in range(5)]
    assert [before for _, before in results] == [0] * 5
    assert len({pid for pid, _ in results}) == 5
    assert os.getpid() not in {pid for pid, _ in results}


def test_a_stateless_engine_is_served_by_the_worker_itself() -> None:
    engine = WorkerEngine("stateless", "worker_engines:Stateless")
    try:
        results = [said(engine, f"phrase {n}") for n in range(3)]
    finally:
        engine.close()
    assert [before for _, before in results] == [0, 1, 2]
    assert len({pid for pid, _ in results}) == 1


def test_version_and_voices_come_from_the_worker(faulty: WorkerEngine) -> None:
    assert faulty.version() == "faulty 1"
    assert [voice.id for voice in faulty.voices()] == ["faulty/en"]


def test_a_crash_is_retried_and_then_named(faulty: WorkerEngine) -> None:
    with pytest.raises(SpeechError) as raised:
        faulty.synthesize("crash", None, 150, 1.0)
    assert str(raised.value) == (
        'speech engine failed on "crash": the engine crashed (SIGSEGV) (after 3 attempts): '
        "try again; if it fails again, reword that text"
    )
    assert said(faulty, "after the crash")[1] == 0  # the worker goes on


def test_one_crash_costs_only_a_retry(faulty: WorkerEngine, tmp_path: Path) -> None:
    marker = tmp_path / "crashed-once"
    assert said(faulty, f"once:{marker}")[1] == 0
    assert marker.exists()


def test_a_hang_is_killed_after_the_engines_limit(faulty: WorkerEngine) -> None:
    started = time.monotonic()
    with pytest.raises(
        SpeechError, match=rf'"hang": no result after {HANG_LIMIT_S} s \(after 3 att'
    ):
        faulty.synthesize("hang", None, 150, 1.0)
    elapsed_s = time.monotonic() - started
    assert elapsed_s < worker.ATTEMPTS * (HANG_LIMIT_S + worker.GRACE_S) + 5  # not the 60 s sleep
    assert said(faulty, "after the hang")[1] == 0


def test_a_retryable_failure_is_retried_then_named(faulty: WorkerEngine) -> None:
    with pytest.raises(SpeechError, match=r'"flaky": the engine wrote an empty file \(after 3'):
        faulty.synthesize("flaky", None, 150, 1.0)


def test_an_engines_own_error_is_passed_on_at_once(faulty: WorkerEngine) -> None:
    with pytest.raises(SpeechError, match=r"^speech engine got text it will not say$"):
        faulty.synthesize("refuse", None, 150, 1.0)


def test_a_worker_that_died_is_started_again(faulty: WorkerEngine) -> None:
    said(faulty, "before")
    assert faulty._process is not None
    faulty._process.kill()
    faulty._process.wait()
    assert said(faulty, "after")[1] == 0


def test_the_worker_leaves_when_its_caller_closes_it(faulty: WorkerEngine) -> None:
    said(faulty, "hello")
    process = faulty._process
    assert process is not None
    faulty.close()
    assert process.returncode == 0


def test_an_engine_that_hangs_the_worker_itself_is_stopped_by_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stateless engine speaks in the worker's own process, where no child can be killed:
    the caller's bounded wait stops the worker instead, and the next phrase gets a new one."""
    monkeypatch.setattr(client, "ANSWER_LIMIT_S", 1.0)
    monkeypatch.setattr(client, "ANSWER_LIMIT_S_PER_CHAR", 0.0)
    engine = WorkerEngine("stateless", "worker_engines:Stateless")
    try:
        started = time.monotonic()
        with pytest.raises(SpeechError) as raised:
            engine.synthesize("hang", None, 150, 1.0)
        assert time.monotonic() - started < 10  # not the engine's 60 s sleep
        assert str(raised.value) == (
            'the speech engine gave no answer on "hang" within 1 s and was stopped: try again; '
            "if it fails again, reword that text"
        )
        assert said(engine, "after the hang")[1] == 0  # a new worker
    finally:
        engine.close()


def test_an_engine_that_cannot_be_built_says_why() -> None:
    engine = WorkerEngine("missing", "worker_engines:NoSuchEngine")
    try:
        with pytest.raises(RuntimeError, match="has no attribute 'NoSuchEngine'"):
            engine.version()
    finally:
        engine.close()


def test_a_batch_is_shared_by_one_worker_per_core_and_answered_in_order(
    two_cores: WorkerEngine,
) -> None:
    texts = [f"slow phrase {n}" for n in range(client.PHRASES_PER_HELPER)]
    answered: list[tuple[int, object]] = []
    clips = two_cores.synthesize_many(batch(texts), lambda *answer: answered.append(answer))
    assert sorted(clips) == list(range(len(texts)))  # every request answered
    said_by = [speaker(clips[n]) for n in range(len(texts))]
    assert len({pid for pid, _ in said_by}) == 2  # the worker and one helper
    # Each worker counted its own phrases from 0: the answers came back in request order
    # when the counts per worker rise along the list.
    for pid in {pid for pid, _ in said_by}:
        befores = [before for p, before in said_by if p == pid]
        assert befores == sorted(befores) == list(range(len(befores)))
    # Each answer was handed over as it came, once, with its request's index.
    assert sorted(index for index, _ in answered) == list(range(len(texts)))
    assert all(clips[index] is clip for index, clip in answered)


def test_a_small_batch_starts_no_helper(two_cores: WorkerEngine) -> None:
    texts = [f"phrase {n}" for n in range(client.PHRASES_PER_HELPER - 1)]
    clips = two_cores.synthesize_many(batch(texts))
    assert len({speaker(clip)[0] for clip in clips.values()}) == 1


def test_a_batch_stops_at_its_first_failure_which_is_its_answer(faulty: WorkerEngine) -> None:
    """A wedged engine costs one round of attempts, not one for every phrase of the batch:
    the rest are asked for one by one, in the plan's order."""
    answers = faulty.synthesize_many(batch(["before", "refuse", "after"]))
    assert isinstance(answers[1], SpeechError)
    assert str(answers[1]) == "speech engine got text it will not say"
    assert isinstance(answers[0], Clip)
    assert 2 not in answers  # not made: the batch stopped


def test_helpers_go_when_the_batches_are_done(two_cores: WorkerEngine) -> None:
    two_cores.synthesize_many(batch([f"p {n}" for n in range(24)]))
    helpers = list(two_cores._helpers)
    assert len(helpers) == 1
    two_cores.close_helpers()
    assert two_cores._helpers == []
    assert all(helper._process is None for helper in helpers)
    assert two_cores._process is not None and two_cores._process.poll() is None  # it stays
    assert said(two_cores, "still here")[0] == two_cores._process.pid


def test_an_interrupted_batch_stops_after_the_phrases_being_said(two_cores: WorkerEngine) -> None:
    """Ctrl-C while speech is made must not wait for the rest of the batch."""
    texts = [f"slow {n}" for n in range(4 * client.PHRASES_PER_HELPER)]
    interrupted: list[int] = []

    def interrupt(index: int, answer: object) -> None:
        if not interrupted:  # Ctrl-C arrives in the main thread, which waits for the workers
            interrupted.append(index)
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        two_cores.synthesize_many(batch(texts), interrupt)
    workers = [two_cores, *two_cores._helpers]
    assert len(workers) == 2
    said_before = sum(said(worker, "afterwards")[1] for worker in workers)
    assert said_before <= 2 * len(workers)  # the phrases in hand, not the 48 asked for
