"""The one end-to-end path: the real template, real speech engine, real ffmpeg, real files.

Each check reads the audio back independently of the code that made it: ffmpeg decodes it,
ffmpeg's ebur128 filter measures loudness, mutagen reads the tags.
"""

import itertools
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from audio_utils import Loudness, decode_and_measure
from click.testing import Result
from mutagen.id3 import ID3
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.pipeline import plan_routine
from voiceguide.plan.planner import Settings

SAMPLE_RATE_HZ = 44_100
DURATION_TOLERANCE_MS = 50  # DESIGN.md: file duration equals the plan's total
ONSET_TOLERANCE_MS = 20  # DESIGN.md: every event within 20 ms of its planned time
ONSET_THRESHOLD = 10 ** (-40 / 20)  # speech is well above -40 dBFS within its first ms
LOUDNESS_TOLERANCE_LU = 1.0
# The short template, fitted to a length of its own (4:00, from its 5:00), to keep the suite
# quick: every template's full render is test_templates.py's (--slow).
TEMPLATE = "hand-massage-quick"
LENGTH = "4m"
LENGTH_MS = 4 * 60_000
RENDER_ARGS = [TEMPLATE, "--length", LENGTH, "--background", "none", "--transcript", "srt"]


def render_to(path: Path, cache_dir: Path) -> Result:
    """The template rendered with the bed off into ``path``, on the run's warm cache."""
    os.environ["VOICEGUIDE_CACHE_DIR"] = str(cache_dir)
    try:
        return CliRunner().invoke(app, ["render", *RENDER_ARGS, "-o", str(path)])
    finally:
        del os.environ["VOICEGUIDE_CACHE_DIR"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, shared_cache_dir):
    """The template rendered once, and its plan (a cold cache against a warm one is
    test_concurrency's)."""
    work = tmp_path_factory.mktemp("render")
    run = render_to(work / "first.mp3", shared_cache_dir)
    os.environ["VOICEGUIDE_CACHE_DIR"] = str(shared_cache_dir)
    try:
        timeline = plan_routine(TEMPLATE, Settings(length_ms=LENGTH_MS))
    finally:
        del os.environ["VOICEGUIDE_CACHE_DIR"]
    return work, run, timeline


@pytest.fixture(scope="module")
def heard(rendered) -> tuple[np.ndarray, Loudness]:
    """The rendered file as ffmpeg decodes it, its two channels averaged, and its loudness by
    ffmpeg's ebur128: one pass of ffmpeg for every check."""
    samples, loudness = decode_and_measure(rendered[0] / "first.mp3", SAMPLE_RATE_HZ)
    return samples.mean(axis=1), loudness


@pytest.fixture(scope="module")
def mono(heard) -> np.ndarray:
    return heard[0]


def test_render_prints_one_summary_line(rendered):
    work, run, timeline = rendered
    assert run.exit_code == 0, run.stderr
    assert run.stdout == (
        f"{work / 'first.mp3'}: 4:00.0, {len(timeline.chapters)} chapters, "
        f"{(work / 'first.mp3').stat().st_size / 1e6:.1f} MB, speech at -16.0 LUFS\n"
        "voice: pyttsx3 (gmw/en): auto, as VOICEGUIDE_ENGINE says\n"
        f"{work / 'first.srt'}\n"
    )


def test_duration_equals_the_plan(rendered, mono):
    timeline = rendered[2]
    assert abs(len(mono) * 1000 / SAMPLE_RATE_HZ - timeline.total_ms) <= DURATION_TOLERANCE_MS


def test_speech_starts_where_the_plan_says(rendered, mono):
    timeline = rendered[2]
    cue_times = [c.start_ms for c in timeline.cues()]
    voice = timeline.voice_track()
    checked = 0
    for previous, event in itertools.pairwise(voice):
        if event.kind != "speech" or previous.kind != "silence" or previous.duration_ms < 500:
            continue  # the onset is only clear after silence
        if any(0 <= event.start_ms - t < 4000 for t in cue_times):
            continue  # a bell may still ring here: it would hide the onset
        start = event.start_ms * SAMPLE_RATE_HZ // 1000
        before = mono[start - SAMPLE_RATE_HZ // 5 : start]
        assert np.all(np.abs(before) < ONSET_THRESHOLD), f"sound before {event.text!r}"
        loud = np.flatnonzero(np.abs(mono[start : start + SAMPLE_RATE_HZ // 5]) >= ONSET_THRESHOLD)
        assert len(loud), f"no speech heard for {event.text!r} at {event.start_ms} ms"
        assert loud[0] * 1000 / SAMPLE_RATE_HZ <= ONSET_TOLERANCE_MS, event.text
        checked += 1
    assert checked >= 20


def test_speech_loudness_and_true_peak_meet_the_targets(heard):
    loudness = heard[1]
    assert abs(loudness.integrated_lufs - -16.0) <= LOUDNESS_TOLERANCE_LU
    assert loudness.true_peak_dbtp <= -1.0


def test_tags_name_the_routine(rendered):
    tags = ID3(rendered[0] / "first.mp3")
    assert str(tags["TIT2"]) == "Quick hand massage"
    assert str(tags["TALB"]) == "Quick hand massage"
    assert str(tags["TPE1"]) == "voiceguide"
    assert str(tags["TCON"]) == "Speech"
    assert str(tags.getall("COMM")[0]).startswith("Five minutes of self massage for both hands")


@pytest.mark.slow  # a second render
def test_same_routine_and_options_give_identical_bytes(rendered, shared_cache_dir):
    work, _, _ = rendered
    again = render_to(work / "second.mp3", shared_cache_dir)
    assert again.exit_code == 0, again.stderr
    assert (work / "first.mp3").read_bytes() == (work / "second.mp3").read_bytes()


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_render_leaves_nothing_behind(tmp_path, signum, exit_code):
    out = tmp_path / "out" / "session.mp3"
    out.parent.mkdir()
    exe = Path(sys.executable).with_name("voiceguide")
    # The module's own length: its speech is in the run's cache (2h asked for phrases of its
    # own, 1.9 s), and encoding four minutes takes seconds, long after the signal.
    child = subprocess.Popen(
        [str(exe), "render", TEMPLATE, "--length", LENGTH, "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(out.parent.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until the encoder is writing its temporary file
    assert list(out.parent.iterdir()), "the render never started writing"
    child.send_signal(signum)
    assert child.wait(timeout=30) == exit_code
    assert list(out.parent.iterdir()) == []
    assert b"Traceback" not in child.stderr.read()


def test_chapters_in_the_file_are_the_plans_to_the_millisecond(rendered):
    from test_tags import ffmpeg_chapters

    work, _, timeline = rendered
    assert ffmpeg_chapters(work / "first.mp3") == [
        (c.start_ms, c.end_ms, c.title) for c in timeline.chapters
    ]


def test_info_shows_how_the_file_was_made(rendered):
    work, _, timeline = rendered
    result = CliRunner().invoke(app, ["info", str(work / "first.mp3")])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        f"{work / 'first.mp3'}: 4:00",
        "  title: Quick hand massage",
        "  artist: voiceguide",
        "  album: Quick hand massage",
        "  genre: Speech",
    ]
    assert f"routine={TEMPLATE}" in result.stdout and f"length_ms={LENGTH_MS}" in result.stdout
    assert f"  chapters: {len(timeline.chapters)}" in lines
    assert lines[-1].endswith(timeline.chapters[-1].title)


def test_subtitles_start_when_their_words_are_heard(rendered, mono):
    """Every SRT cue starts at its planned time; cues after silence are checked by ear."""
    work, _, timeline = rendered
    srt = (work / "first.srt").read_text()
    starts = re.findall(r"^(\d\d):(\d\d):(\d\d),(\d{3}) -->", srt, re.M)
    starts_ms = [((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms) for h, m, s, ms in starts]
    assert starts_ms == [e.start_ms for e in timeline.speech()]
    after_silence = {
        b.start_ms
        for a, b in itertools.pairwise(timeline.voice_track())
        if b.kind == "speech" and a.kind == "silence" and a.duration_ms >= 500
    }
    cue_times = [c.start_ms for c in timeline.cues()]
    clear = {t for t in after_silence if not any(0 <= t - c < 4000 for c in cue_times)}
    chosen = random.Random(7).sample(sorted(clear & set(starts_ms)), 5)
    for start_ms in chosen:
        start = start_ms * SAMPLE_RATE_HZ // 1000
        window = mono[start - SAMPLE_RATE_HZ // 10 : start + SAMPLE_RATE_HZ // 5]
        heard = np.flatnonzero(np.abs(window) >= ONSET_THRESHOLD)[0] - SAMPLE_RATE_HZ // 10
        assert abs(heard * 1000 / SAMPLE_RATE_HZ) <= ONSET_TOLERANCE_MS, start_ms


SHORT = """\
version: 1
title: Short
sections:
  - name: Open
    say: Rest both hands on the table and let your shoulders drop.
  - pause: 2s
  - name: Close
    say: Shake your hands out gently.
"""


def test_a_cold_render_shows_the_speech_being_made_before_the_audio(tmp_path, private_cache_dir):
    from voiceguide.pipeline import render_routine
    from voiceguide.request import RenderRequest

    routine = tmp_path / "short.yaml"
    routine.write_text(SHORT, encoding="utf-8")
    request = RenderRequest(routine=str(routine), out_path=tmp_path / "short.wav", channels=1)
    seen: list[tuple[str, int, int]] = []
    render_routine(request, lambda *update: seen.append(update))
    phases = [phase for phase, _, _ in seen]
    assert phases[0] == "speech" and phases[-1] == "render"
    assert phases.index("render") > len(phases) - 1 - phases[::-1].index("speech")
    made = [(done, total) for phase, done, total in seen if phase == "speech"]
    assert made[-1][0] == made[-1][1] > 0  # the bar ends full
    seen.clear()
    render_routine(request, lambda *update: seen.append(update))  # warm: nothing to make
    assert {phase for phase, _, _ in seen} == {"render"}
    # One phrase edited: the bar counts what is made now, not the whole session.
    routine.write_text(SHORT.replace("gently", "slowly"), encoding="utf-8")
    seen.clear()
    render_routine(request, lambda *update: seen.append(update))
    made = [(done, total) for phase, done, total in seen if phase == "speech"]
    assert made[-1][0] == made[-1][1] <= 2  # the phrase, and at most its corrected setting
    assert all(total <= 2 for _, total in made)
