"""Shared test setup: no test may touch the real speech cache."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point VOICEGUIDE_CACHE_DIR at a fresh directory for every test (pre-commit's store idea)."""
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(cache_dir))
    return cache_dir
