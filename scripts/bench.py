"""Render time and peak memory of voiceguide, as ratios to baselines measured in this run.

- encode: ffmpeg alone encoding the same session audio (a WAV render of it) to MP3 with the
  same encoder settings. A warm-cache render should take at most 1.15 times this.
- synthesis: the speech engine alone making every distinct phrase of the session, no cache.
  A cold-cache render should take at most 1.3 times encode + synthesis.
- peak RSS of each render process (the bar: under 150 MB at any length).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
ROUTINE = "hand-massage"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def render(out: Path, length: str, cache: Path, *extra: str) -> tuple[float, float]:
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache)}
    command = [str(VENV_BIN / "voiceguide"), "render", ROUTINE, "--length", length,
               "-o", str(out), *extra]
    return timed(command, env)


def encode_only(wav: Path, out: Path) -> float:
    from voiceguide.export import ffmpeg_exe

    command = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
               "-i", str(wav), "-codec:a", "libmp3lame", "-b:a", "128k", str(out)]
    return timed(command, dict(os.environ))[0]


def synthesis_only(length: str, cache: Path) -> float:
    """Time the engine making the session's phrases in a fresh process, with no cache."""
    script = f"""
import json, sys, time
from voiceguide.planner import Settings, plan
from voiceguide.loader import load_routine
from voiceguide.templates import template_path
from voiceguide.durations import parse_duration_ms
from voiceguide.session import open_speech
routine = load_routine(template_path({ROUTINE!r}))
speech = open_speech(routine)
phrases = plan(routine, speech.duration_ms, Settings(length_ms=parse_duration_ms({length!r}))).phrases()
engine = speech.engine
start = time.perf_counter()
for text, rate in sorted(phrases):
    engine.synthesize(text, speech.voice, rate, speech.volume)
print(json.dumps({{"seconds": time.perf_counter() - start, "phrases": len(phrases)}}))
"""
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True)
    figures = json.loads(done.stdout)
    print(f"  speech engine alone: {figures['phrases']} phrases in {figures['seconds']:.2f} s")
    return float(figures["seconds"])


def bench(length: str, work: Path) -> dict[str, float]:
    print(f"{ROUTINE} at {length}:")
    cold_cache, warm_cache = work / f"cold-{length}", work / f"warm-{length}"
    cold_s, cold_mb = render(work / "cold.mp3", length, cold_cache)
    render(work / "prime.mp3", length, warm_cache)
    warm_s, warm_mb = render(work / "warm.mp3", length, warm_cache)
    render(work / "session.wav", length, warm_cache, "--format", "wav")
    encode_s = encode_only(work / "session.wav", work / "encoded.mp3")
    synth_s = synthesis_only(length, work / f"synth-{length}")
    print(f"  ffmpeg encode alone: {encode_s:.2f} s")
    print(f"  warm render: {warm_s:.2f} s = {warm_s / encode_s:.2f} x encode "
          f"(bar 1.15), peak RSS {warm_mb:.0f} MB (bar 150)")
    print(f"  cold render: {cold_s:.2f} s = {cold_s / (encode_s + synth_s):.2f} x "
          f"(encode + synthesis) (bar 1.3), peak RSS {cold_mb:.0f} MB")
    return {"warm_mb": warm_mb, "cold_mb": cold_mb}


def main() -> None:
    lengths = ["15m"] if "--quick" in sys.argv else ["15m", "2h"]
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-") as work:
        figures = {length: bench(length, Path(work)) for length in lengths}
    if "2h" in figures:
        ratio = figures["2h"]["warm_mb"] / figures["15m"]["warm_mb"]
        print(f"memory 2h / 15m (warm): {ratio:.2f} (bar 1.5)")


if __name__ == "__main__":
    main()
