"""The baseline a user would write without voiceguide: a plain pydub script that assembles
the same session (the same plan, the same speech clips) and exports it as MP3.

    python scripts/bench_pydub.py TIMELINE.json CLIPS_DIR OUT.mp3

It does what pydub's documentation shows: the voice track joined piece by piece in time
order, cue sounds and a noise bed laid over it with ``overlay``, the whole exported by
ffmpeg. ``bench.py`` times it and reads its peak memory beside our own render's.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

with warnings.catch_warnings():  # pydub warns when no ffmpeg is on PATH; we name ours
    warnings.simplefilter("ignore")
    from pydub import AudioSegment
    from pydub.generators import Sine, WhiteNoise

RATE_HZ = 44_100


def clip_name(text: str, rate_wpm: int) -> str:
    """The file holding a phrase's clip in CLIPS_DIR (bench.py writes them)."""
    import hashlib

    return hashlib.sha256(f"{rate_wpm}:{text}".encode()).hexdigest()[:20] + ".wav"


def assemble(timeline: dict, clips: Path) -> AudioSegment:
    voice = AudioSegment.silent(duration=0, frame_rate=RATE_HZ)
    for event in timeline["events"]:
        if event["kind"] == "speech":
            clip = AudioSegment.from_wav(clips / clip_name(event["text"], event["rate_wpm"]))
            voice += clip.set_frame_rate(RATE_HZ)[: event["duration_ms"]]
        elif event["kind"] == "silence":
            voice += AudioSegment.silent(duration=event["duration_ms"], frame_rate=RATE_HZ)
    voice = voice.set_channels(2)
    bell = Sine(660, sample_rate=RATE_HZ).to_audio_segment(duration=1500).fade_out(1400) - 12
    for event in timeline["events"]:
        if event["kind"] == "cue":
            voice = voice.overlay(bell.set_channels(2), position=event["start_ms"])
    noise = WhiteNoise(sample_rate=RATE_HZ).to_audio_segment(duration=len(voice)) - 36
    return voice.overlay(noise.set_channels(2).fade_in(5000).fade_out(5000))


def main() -> None:
    timeline_path, clips, out = sys.argv[1:4]
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from voiceguide.ffmpeg import ffmpeg_exe

    AudioSegment.converter = ffmpeg_exe()
    timeline = json.loads(Path(timeline_path).read_text())
    assemble(timeline, Path(clips)).export(out, format="mp3", bitrate="128k")


if __name__ == "__main__":
    main()
