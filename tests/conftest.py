"""Shared test setup: no test may touch the real speech cache (the run shares a warm one);
Hypothesis runs reproducibly; auto speaks with pyttsx3.

``auto`` would pick Piper's natural voice for every English routine (scripts/setup installs
it), which synthesizes tens of times slower than espeak-ng: the suite sets
``VOICEGUIDE_ENGINE=pyttsx3`` so that auto means espeak, and the tests of the piper engine
(test_piper_engine.py, test_engines.py) ask for it by name or remove the variable.

In the same way ffmpeg is imageio-ffmpeg's (``VOICEGUIDE_FFMPEG=bundled``) unless a test asks
for another: a system ffmpeg on PATH would otherwise run every render, and Debian's takes
0.15 s of CPU to start against 0.01 s, on about 200 runs. The tests of every use of ffmpeg
(encoding each format, loudness in stereo, chapters, reading beds and users' sounds, cutting
a copy for a player) run against both (the ``each_ffmpeg`` fixture, or ``use_ffmpeg`` with
parameters of the test's own), and test_native_paths.py renders with whatever is on PATH.
``VOICEGUIDE_FFMPEG=system scripts/test`` runs everything with the system's.

Hypothesis profiles, chosen with ``VOICEGUIDE_HYPOTHESIS_PROFILE``:

- ``ci`` (the default, so ``scripts/test`` and CI use it): derandomized, so every run tries
  the same examples, and no example database, so a failure found once is not replayed from
  ``.hypothesis/`` by every later run; it fails where it was found, reproducibly. A test
  that names no count of its own tries 150 examples; in a run without ``--slow`` or ``-m``
  (``quick``) it tries 30, another fixed sample (not the first 30 of the 150).
- ``fuzz`` (``scripts/fuzz``): a random search, different each run; a failure prints the
  example and a ``@reproduce_failure`` blob to paste, and nothing is written to disk.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.testing
from audio_utils import use_ffmpeg
from corpus import make_media
from hypothesis import settings

from voiceguide.ffmpeg import FFMPEG_ENV
from voiceguide.tts import calibration
from voiceguide.tts.cache import CACHE_DIR_ENV
from voiceguide.tts.engines import ENGINE_ENV

PROFILE_VARIABLE = "VOICEGUIDE_HYPOTHESIS_PROFILE"
PROFILES = ("ci", "fuzz")

settings.register_profile("ci", derandomize=True, database=None, print_blob=True, max_examples=150)
settings.register_profile("quick", settings.get_profile("ci"), max_examples=30)
settings.register_profile("fuzz", derandomize=False, database=None, print_blob=True)


def _profile() -> str:
    name = os.environ.get(PROFILE_VARIABLE, "ci") or "ci"
    if name not in PROFILES:
        raise pytest.UsageError(
            f"{PROFILE_VARIABLE}={name!r} is not a Hypothesis profile: use {' or '.join(PROFILES)}"
        )
    return name


settings.load_profile(_profile())

# typer's CliRunner builds the click command from the app on every invoke: 25 ms of reading
# signatures, and its parameters' converters are built anew as well. The suite invokes the
# app about a thousand times, so each process builds it once. What the command keeps between
# invocations is those converters, which hold no state of a run. It measured 20 s of the
# quick run's CPU.
typer.testing._get_command = functools.cache(typer.testing._get_command)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run the tests marked slow (long renders, property tests); CI does",
    )


def pytest_configure(config: pytest.Config) -> None:
    if _profile() == "ci" and _quick_run(config):
        settings.load_profile("quick")
    # Ctrl-C as a terminal gives it, in every process of the run and the renders they start: a
    # run started with it ignored (a script's background job) would pass that on, and the
    # tests that interrupt a render would see it carry on.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _quick_run(config: pytest.Config) -> bool:
    """A run left as it comes, without --slow or -m: the slow tests are left out."""
    return not (config.getoption("--slow") or config.getoption("markexpr"))


HEAVY_FIRST = (
    "test_concurrency.py",
    "test_intelligibility.py",
    "test_mixer.py",
    "test_pipeline.py",
    "test_piper_engine.py",
    "test_faults.py",
    "test_chart.py",
    "test_cookbook.py",
    "test_tts_worker.py",
    "test_templates.py",
    "test_export.py",
)
"""The modules that take longest, longest first (measured: 8 to 17 s each in the quick run;
the first two only with --slow). scripts/test deals out whole modules (--dist loadscope); by
itself xdist deals the modules with the most tests first, which left a 22-second module of
11 tests for last, one worker running it while the other had finished."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the slow tests unless asked for with --slow or picked with -m; then put the
    modules in the order they are dealt out to workers (see HEAVY_FIRST)."""
    if _quick_run(config):
        quick, slow = [], []
        for item in items:
            (slow if item.get_closest_marker("slow") else quick).append(item)
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = quick
    tests_in = collections.Counter(item.path.name for item in items)
    rank = {name: index for index, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)), -tests_in[item.path.name]))


def pytest_sessionstart(session: pytest.Session) -> None:
    # The corpus's bad recordings are synthesized, not committed: once per run, by the main
    # process (pytest-xdist's workers start after it and only read them).
    if not hasattr(session.config, "workerinput"):
        make_media()
    # For the whole run, module fixtures too: auto means espeak, and ffmpeg the bundled one
    # unless the run is told otherwise (see above).
    os.environ[ENGINE_ENV] = "pyttsx3"
    os.environ.setdefault(FFMPEG_ENV, "bundled")


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One speech cache for the whole run, empty at its start: each phrase is synthesized by
    the first test that needs it and read back by the rest, in any of pytest-xdist's workers
    (the cache is safe for several processes at once). Made per run, never reused, so a
    fresh clone's run is a cold run."""
    run_dir = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_dir = run_dir.parent  # each worker's base is a folder of the run's own
    cache_dir = run_dir / "speech-cache"
    cache_dir.mkdir(exist_ok=True)
    return cache_dir


@pytest.fixture(autouse=True)
def speech_cache_dir(shared_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point VOICEGUIDE_CACHE_DIR at the run's shared cache: no test touches the real one."""
    monkeypatch.setenv(CACHE_DIR_ENV, str(shared_cache_dir))
    return shared_cache_dir


Ship = Callable[..., None]


@pytest.fixture
def ship(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ship]:
    """Ship the given entries in place of the package's calibrations.json (none: nothing ships,
    every calibration is measured), as tts/calibration.py reads them."""
    path = tmp_path / "calibrations.json"
    monkeypatch.setattr(calibration, "SHIPPED", path)
    calibration.shipped.cache_clear()

    def write(*entries: dict[str, Any]) -> None:
        path.write_text(json.dumps({"calibrations": entries}))
        calibration.shipped.cache_clear()

    yield write
    calibration.shipped.cache_clear()


@pytest.fixture
def private_cache_dir(
    speech_cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh, empty cache of the test's own (pre-commit's store idea), for a test that needs a
    cold cache, counts the engine's calls, or looks at what the cache holds. Ask for it by
    name, or with ``pytestmark = pytest.mark.usefixtures("private_cache_dir")``."""
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(cache_dir))
    return cache_dir


@pytest.fixture(params=["bundled", "system"])
def each_ffmpeg(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test once with imageio-ffmpeg's ffmpeg and once with the system's, if any: the
    two differ in version (Debian 12 has 5.1) and in the options they accept."""
    return use_ffmpeg(request.param, monkeypatch)
