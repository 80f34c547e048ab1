"""Render time and peak memory of voiceguide, as ratios to baselines measured in this run.

- encode: ffmpeg alone encoding the same session audio (a WAV render of it) to MP3 with the
  same encoder settings. A warm-cache render should take at most 1.15 times this.
- synthesis: the speech engine alone making every distinct phrase of the session, no cache.
  A cold-cache render should take at most 1.3 times encode + synthesis.
- peak RSS of each render process (the bar: under 150 MB at any length).
- pydub (bench_pydub.py): a plain pydub script assembling the same session from the same
  speech clips, as a user would without voiceguide; our warm render's time and peak memory
  are printed as ratios to its.
- speech (bench_speech.py): the rate heard at --rate 150 and 120, and pocketsphinx's word
  error rate, for each engine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_speech import bench_speech  # beside this file: rate heard, word error rate

from voiceguide.tts.natural import natural_available

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


def render(
    out: Path, length: str, cache: Path, *extra: str, engine: str = "pyttsx3"
) -> tuple[float, float]:
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache)}
    command = [
        str(VENV_BIN / "voiceguide"),
        "render",
        ROUTINE,
        "--length",
        length,
        "-o",
        str(out),
        "--engine",
        engine,
        *extra,
    ]
    return timed(command, env)


def encode_only(wav: Path, out: Path) -> float:
    from voiceguide.ffmpeg import ffmpeg_exe

    command = [
        ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(wav),
        "-codec:a",
        "libmp3lame",
        "-b:a",
        "128k",
        str(out),
    ]
    return timed(command, dict(os.environ))[0]


def synthesis_only(length: str, cache: Path, engine: str) -> float:
    """Time the engine making the session's phrases in a fresh process, with no cache."""
    script = f"""
import json, sys, time
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine.loader import load_routine
from voiceguide.routine.templates import template_path
from voiceguide.routine.durations import parse_duration_ms
from voiceguide.tts.voices import open_speech
routine = load_routine(template_path({ROUTINE!r}))
speech = open_speech(routine, {engine!r})
settings = Settings(length_ms=parse_duration_ms({length!r}))
phrases = plan(routine, speech.duration_ms, settings).phrases()
engine = speech.engine
start = time.perf_counter()
# What the engine is given: the respelled text at its calibrated setting (planning found
# both, and made the calibration; none of that is timed).
calls = sorted({{(speech.spoken_text(t), speech.setting_for(t, r)) for t, r in phrases}})
for text, setting in calls:
    engine.synthesize(text, speech.voice, setting, speech.volume)
print(json.dumps({{"seconds": time.perf_counter() - start, "phrases": len(phrases)}}))
"""
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    figures = json.loads(done.stdout)
    return float(figures["seconds"])


CLIPS_SCRIPT = """
import json, sys
from pathlib import Path
sys.path.insert(0, {scripts!r})
from bench_pydub import clip_name
from voiceguide.routine.loader import load_routine
from voiceguide.routine.templates import template_path
from voiceguide.speak import write_sample
from voiceguide.tts.voices import open_speech
speech = open_speech(load_routine(template_path({routine!r})), "pyttsx3")
for event in json.loads(Path({timeline!r}).read_text())["events"]:
    if event["kind"] == "speech":
        clip = speech.clip(event["text"], event["rate_wpm"])
        write_sample(clip, Path({clips!r}) / clip_name(event["text"], event["rate_wpm"]))
"""


def bench_pydub(length: str, work: Path, cache: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of the plain pydub script assembling the same session
    from the same clips (planned and written from the warm cache first, untimed)."""
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache)}
    timeline, clips = work / f"plan-{length}.json", work / f"clips-{length}"
    clips.mkdir(exist_ok=True)
    command = [str(VENV_BIN / "voiceguide"), "plan", ROUTINE, "--length", length]
    planned = subprocess.run(
        [*command, "--engine", "pyttsx3", "--json"], env=env, capture_output=True, check=True
    )
    timeline.write_bytes(planned.stdout)
    scripts = str(Path(__file__).parent)
    script = CLIPS_SCRIPT.format(
        scripts=scripts, routine=ROUTINE, timeline=str(timeline), clips=str(clips)
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    baseline = [sys.executable, f"{scripts}/bench_pydub.py", str(timeline), str(clips)]
    return timed([*baseline, str(work / f"pydub-{length}.mp3")], env)


def bench(length: str, work: Path, repeats: int, engine: str) -> dict[str, float]:
    """Medians of interleaved runs: this kind of machine's timings swing by 30 % or more."""
    print(f"{ROUTINE} at {length} with {engine} (median of {repeats}):")
    warm_cache = work / f"warm-{length}-{engine}"
    # Also warms the cache.
    render(work / "session.wav", length, warm_cache, "--format", "wav", engine=engine)
    runs: dict[str, list[float]] = {
        "cold": [],
        "warm": [],
        "encode": [],
        "synth": [],
        "cold_mb": [],
        "warm_mb": [],
    }
    for n in range(repeats):
        cold_cache = work / f"cold-{length}-{engine}-{n}"
        seconds, mb = render(work / "cold.mp3", length, cold_cache, engine=engine)
        runs["cold"].append(seconds)
        runs["cold_mb"].append(mb)
        seconds, mb = render(work / "warm.mp3", length, warm_cache, engine=engine)
        runs["warm"].append(seconds)
        runs["warm_mb"].append(mb)
        runs["encode"].append(encode_only(work / "session.wav", work / "encoded.mp3"))
        synth_cache = work / f"synth-{length}-{engine}-{n}"
        runs["synth"].append(synthesis_only(length, synth_cache, engine))
    m = {name: statistics.median(values) for name, values in runs.items()}
    print(f"  speech engine alone: {m['synth']:.2f} s")
    print(f"  ffmpeg encode alone: {m['encode']:.2f} s")
    print(
        f"  warm render: {m['warm']:.2f} s = {m['warm'] / m['encode']:.2f} x encode "
        f"(bar 1.15), peak RSS {max(runs['warm_mb']):.0f} MB (bar 150)"
    )
    print(
        f"  cold render: {m['cold']:.2f} s = {m['cold'] / (m['encode'] + m['synth']):.2f} x "
        f"(encode + synthesis) (bar 1.3), peak RSS {max(runs['cold_mb']):.0f} MB"
    )
    if engine == "pyttsx3":
        seconds, mb = bench_pydub(length, work, warm_cache)
        print(
            f"  plain pydub script, same plan and clips: {seconds:.2f} s, peak RSS {mb:.0f} MB;"
            f" our warm render takes {m['warm'] / seconds:.2f} x its time and "
            f"{max(runs['warm_mb']) / mb:.2f} x its memory"
        )
    return {"warm_mb": max(runs["warm_mb"]), "cold_mb": max(runs["cold_mb"])}


def bench_bedtime(work: Path) -> None:
    """A long bedtime session on a looped recording: the slowest bed, and the most state."""
    from voiceguide.ffmpeg import ffmpeg_exe

    print(f"{ROUTINE} at bedtime, 2h + 10m tail, on a looped 60 s recording:")
    recording = work / "brown.wav"
    lavfi = ["-f", "lavfi", "-i", "anoisesrc=d=60:c=brown:r=48000:s=7"]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *lavfi, "-ac", "2", str(recording)])
    extra = ["--bedtime", "--tail", "10m", "--background-file", str(recording)]
    cache = work / "warm-2h"
    render(work / "night.wav", "2h", cache, *extra, "--format", "wav")
    seconds, mb = render(work / "night.mp3", "2h", cache, *extra)
    encode = encode_only(work / "night.wav", work / "night-encoded.mp3")
    print(
        f"  warm render: {seconds:.2f} s = {seconds / encode:.2f} x encode ({encode:.2f} s), "
        f"peak RSS {mb:.0f} MB (bar 150)"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    plan = [("15m", 1 if quick else 3)] + ([] if quick else [("2h", 1)])
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-") as work:
        figures = {
            length: bench(length, Path(work), repeats, "pyttsx3") for length, repeats in plan
        }
        if natural_available():  # the natural voice at 15 minutes too
            bench("15m", Path(work), 1 if quick else 3, "piper")
        if not quick:
            bench_bedtime(Path(work))
        bench_speech(Path(work))
    if "2h" in figures:
        ratio = figures["2h"]["warm_mb"] / figures["15m"]["warm_mb"]
        print(f"peak memory 2h / 15m (warm): {ratio:.2f} (bar 1.5)")


if __name__ == "__main__":
    main()
