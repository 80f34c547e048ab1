"""Subtitles, lyrics and timeline JSON: exact text for a small planned session."""

import json

from voiceguide.output.sidecars import lrc, srt, subtitle_spans, timeline_json, vtt, write_sidecars
from voiceguide.plan.planner import plan
from voiceguide.routine.model import Pause, Routine, Step


def measure(text: str, rate_wpm: int) -> int:
    return 1000 * len(text.split())


def timeline():
    routine = Routine(
        title="Tiny",
        items=(
            Step(name="Start", say="Sit down now."),  # 0 to 3 s
            Pause(duration_ms=2000),  # 3 to 5 s
            Step(
                name="Circles",
                say="Circle.",
                repeat=2,
                min_repeat=2,
                max_repeat=2,
                each_ms=4000,
                count=True,
            ),  # said 5-6 s, breath, "1" at 6.7 s, "2" at 11.7 s
        ),
    )
    return plan(routine, measure)


def test_subtitle_spans_follow_the_speech_and_linger_briefly():
    assert subtitle_spans(timeline()) == [
        (0, 4500, "Sit down now."),  # 1.5 s after its words
        (5000, 6700, "Circle."),  # until the next line
        (6700, 9200, "Circles: 1"),
        (11_700, 14_200, "Circles: 2"),
    ]


def test_srt():
    assert srt(timeline()).startswith(
        "1\n00:00:00,000 --> 00:00:04,500\nSit down now.\n\n"
        "2\n00:00:05,000 --> 00:00:06,700\nCircle.\n\n"
    )


def test_vtt():
    assert vtt(timeline()).startswith(
        "WEBVTT\n\n00:00:00.000 --> 00:00:04.500\nSit down now.\n\n"
        "00:00:05.000 --> 00:00:06.700\nCircle.\n"
    )


def test_lrc():
    assert lrc(timeline()) == (
        "[ti:Tiny]\n[ar:voiceguide]\n[length:00:16.70]\n[00:00.00]Sit down now.\n"
        "[00:05.00]Circle.\n[00:06.70]Circles: 1\n[00:11.70]Circles: 2\n[00:16.70]\n"
    )


def test_timeline_json_carries_settings_and_version():
    document = json.loads(timeline_json(timeline(), {"seed": 3}))
    assert document["settings"] == {"seed": 3}
    assert document["voiceguide"]
    assert document["timeline"]["total_ms"] == 16_700


def test_write_sidecars_next_to_the_audio(tmp_path):
    audio = tmp_path / "tiny.mp3"
    written = write_sidecars(timeline(), audio, ["srt", "vtt", "lrc", "json"])
    assert [p.name for p in written] == ["tiny.srt", "tiny.vtt", "tiny.lrc", "tiny.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
