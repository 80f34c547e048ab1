"""Speech figures for scripts/bench: for each real engine, the speaking rate a listener hears
when 150 and 120 words per minute are asked (and what the engine's own setting gives
uncalibrated), the word error rate pocketsphinx makes on a full render (bed on), how many
times faster than real time it synthesizes, and its worker process's peak memory.

The rate is measured on the intelligibility narration (sentences the calibration never
sees): all their words over all their seconds, each clip from its first sound to its last.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from intelligibility import (  # noqa: E402  (the test helpers, shared)
    NARRATION,
    decode_16k_mono,
    narration_routine,
    recognize,
    word_error_rate,
    words,
)

RATES_WPM = (150, 120)
VENV_BIN = Path(sys.executable).parent


def real_engines() -> list[str]:
    from voiceguide.tts.registry import IN_PROCESS, engine_names

    return [name for name in engine_names() if name not in IN_PROCESS]


def heard_rates(engine: str, cache: Path) -> dict[int, tuple[float, float]]:
    """Rate asked -> (heard uncalibrated, heard calibrated), in words per minute."""
    from voiceguide.tts.cache import ClipCache
    from voiceguide.tts.calibration import measured_wpm
    from voiceguide.tts.registry import get_engine
    from voiceguide.tts.speech import Speech

    speech_engine = get_engine(engine)
    raw = Speech(speech_engine, ClipCache(cache))
    calibrated = Speech(speech_engine, ClipCache(cache), calibrate=True)
    return {
        rate: tuple(  # type: ignore[misc]
            measured_wpm([(text, speech.clip(text, rate)) for text in NARRATION])
            for speech in (raw, calibrated)
        )
        for rate in RATES_WPM
    }


def synthesis_speed(engine: str) -> tuple[float, float]:
    """(seconds of speech per second of synthesis, uncached; the worker's peak RSS in MB)."""
    import time

    from voiceguide.tts.registry import get_engine

    speech_engine = get_engine(engine)
    speech_engine.voices()  # started and loaded: only synthesis is timed
    start = time.perf_counter()
    clips = [speech_engine.synthesize(text, None, 150, 1.0) for text in NARRATION]
    seconds = time.perf_counter() - start
    audio_s = sum(clip.frames / clip.sample_rate_hz for clip in clips)
    return audio_s / seconds, _worker_peak_mb(speech_engine)


def _worker_peak_mb(speech_engine: object) -> float:
    """VmHWM of the engine's worker process (0 when it runs in this process)."""
    process = getattr(speech_engine, "_process", None)
    try:
        status = Path(f"/proc/{process.pid}/status").read_text() if process else ""
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def render_word_error_rate(engine: str, work: Path, cache: Path) -> float:
    from voiceguide.ffmpeg import ffmpeg_exe

    routine = work / "narration.yaml"
    routine.write_text(narration_routine())
    out = work / f"narration-{engine}.wav"
    command = [str(VENV_BIN / "voiceguide"), "render", str(routine), "--format", "wav"]
    command += ["-o", str(out)]
    if (
        "--engine"
        in subprocess.run([*command[:2], "--help"], capture_output=True, text=True).stdout
    ):
        command += ["--engine", engine]
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache)}
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    heard = recognize(decode_16k_mono(out, ffmpeg_exe()))
    return word_error_rate(words(" ".join(NARRATION)), words(heard))


def bench_speech(work: Path) -> None:
    print("speech, on ten narration sentences the calibration never sees:")
    recognizer = importlib.util.find_spec("pocketsphinx") is not None
    for engine in real_engines():
        cache = work / f"speech-{engine}"
        for rate, (raw, heard) in heard_rates(engine, cache).items():
            print(
                f"  {engine}: --rate {rate} heard at {heard:.0f} wpm "
                f"({(heard / rate - 1) * 100:+.1f} %, bar 5 %); uncalibrated {raw:.0f} wpm"
            )
        speed, worker_mb = synthesis_speed(engine)
        print(f"  {engine}: synthesis {speed:.0f} x real time, worker peak RSS {worker_mb:.0f} MB")
        if recognizer:
            wer = render_word_error_rate(engine, work, cache)
            print(f"  {engine}: pocketsphinx word error rate {wer:.0%} (natural voice bar 35 %)")
        else:
            print(f"  {engine}: word error rate skipped: pip install pocketsphinx")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-speech-") as directory:
        bench_speech(Path(directory))
