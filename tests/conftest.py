"""Shared test setup: no test may touch the real speech cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from audio_utils import system_ffmpeg
from corpus import make_media


def pytest_sessionstart(session: pytest.Session) -> None:
    make_media()  # the corpus's bad recordings are synthesized, not committed


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point VOICEGUIDE_CACHE_DIR at a fresh directory for every test (pre-commit's store idea)."""
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(cache_dir))
    return cache_dir


@pytest.fixture(params=["bundled", "system"])
def each_ffmpeg(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test once with imageio-ffmpeg's ffmpeg and once with the system's, if any: the
    two differ in version (Debian 12 has 5.1) and in the options they accept."""
    if request.param == "system" and system_ffmpeg() is None:
        pytest.skip("no system ffmpeg on PATH (Debian: apt-get install ffmpeg)")
    monkeypatch.setenv("VOICEGUIDE_FFMPEG", request.param)
    return str(request.param)
