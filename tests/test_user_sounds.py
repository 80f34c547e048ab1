"""A user's own sounds: cues from files and recorded narration (``say_file``).

Sounds are made in each test (numpy and wave, or ffmpeg for compressed formats) and read
with the real ffmpeg; the end-to-end tests render through the command line and measure the
decoded file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from audio_utils import decode, instrument, onset_ms
from typer.testing import CliRunner

from voiceguide.audio.checks import sound_file_lengths
from voiceguide.audio.loudness import clip_loudness
from voiceguide.audio.user_sounds import MAX_CUE_MS, cue_samples, narration_clip
from voiceguide.cli import app
from voiceguide.errors import RoutineError
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine.loader import load_routine
from voiceguide.routine.model import MAX_FILE_CUE_LEAD_MS, is_file_cue
from voiceguide.tts.fake import speech_ms

RATE_HZ = 44_100
ONSET_TOLERANCE_MS = 10  # the cue is cut 2 ms before its first sound; blocks are exact
LOUDNESS_TOLERANCE_LU = 1.0  # a recording levelled like the voice, as heard
runner = CliRunner()


def write_wav(path: Path, samples: np.ndarray, rate_hz: int = RATE_HZ, channels: int = 1) -> Path:
    pcm = np.clip(np.rint(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate_hz)
        wav.writeframes(pcm.tobytes())
    return path


def bowl(path: Path, silence_s: float = 0.25, ring_s: float = 1.8, hz: float = 660.0) -> Path:
    """A struck bowl: silence first (which must be cut), then a decaying tone."""
    seconds = np.arange(round(ring_s * RATE_HZ)) / RATE_HZ
    ring = 0.8 * np.exp(-seconds / 0.5) * np.sin(2 * np.pi * hz * seconds)
    return write_wav(path, np.concatenate([np.zeros(round(silence_s * RATE_HZ)), ring]))


def recording(path: Path, seconds: float = 3.0, level_db: float = -32.0) -> Path:
    """A quiet, speech-like recording (a buzz in syllables), encoded by ffmpeg as AAC."""
    rate_hz = 48_000
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    buzz = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    syllables = np.sin(np.pi * (t * 3.5 % 1.0)) ** 2
    signal = buzz * syllables
    signal *= 10 ** (level_db / 20) / np.sqrt(np.mean(signal**2))
    wav = write_wav(path.with_suffix(".source.wav"), signal, rate_hz)
    subprocess.run(
        [instrument(), "-v", "error", "-y", "-i", str(wav), "-c:a", "aac", str(path)], check=True
    )
    return path


def routine_file(folder: Path, body: str) -> Path:
    path = folder / "routine.yaml"
    path.write_text("version: 1\ntitle: Own sounds\n" + body)
    return path


BOTH = """\
sections:
  - name: Welcome
    start_cue: {file: bowl.wav}
    say: Welcome. Settle into a comfortable position and breathe out slowly.
  - say_file: intro.m4a
    say: A recorded welcome.
  - pause: 2s
"""


# -- the format ------------------------------------------------------------------------------


def test_a_cue_file_and_a_recording_load_as_absolute_paths_beside_the_routine(tmp_path):
    bowl(tmp_path / "bowl.wav")
    routine = load_routine(
        routine_file(
            tmp_path,
            "end_cue: {file: bowl.wav}\nsections:\n  - slot: 10s\n    say_file: bowl.wav\n"
            "    end_cue: bell\n",
        )
    )
    expected = str(tmp_path / "bowl.wav")
    assert routine.end_cue == expected and is_file_cue(expected)
    assert routine.items[0].say_file == expected and routine.items[0].end_cue == "bell"
    assert not is_file_cue("bell")
    assert [(place.key, place.line, found) for place, found in routine.sound_files] == [
        ("end_cue.file", 3, expected),
        ("sections[0].say_file", 6, expected),
    ]


def test_sound_files_in_an_included_file_are_measured_and_located_there(tmp_path):
    (tmp_path / "parts").mkdir()
    bowl(tmp_path / "parts" / "bowl.wav")
    (tmp_path / "parts" / "warm-up.yaml").write_text(
        "sections:\n  - {say: Warm up., start_cue: {file: bowl.wav}}\n"
        "  - {say: Again., start_cue: {file: gone.wav}}\n"
    )
    routine_path = routine_file(tmp_path, "sections:\n  - include: parts/warm-up.yaml\n")
    (tmp_path / "parts" / "gone.wav").write_bytes(b"not sound")
    with pytest.raises(RoutineError) as error:
        sound_file_lengths(load_routine(routine_path))
    [problem] = error.value.problems
    assert problem.path.endswith("warm-up.yaml") and problem.line == 3
    assert problem.key == "sections[1].start_cue.file"
    (tmp_path / "parts" / "gone.wav").unlink()
    bowl(tmp_path / "parts" / "gone.wav", ring_s=1.0)
    lengths = sound_file_lengths(load_routine(routine_path))
    assert sorted(lengths) == [str(tmp_path / "parts" / n) for n in ("bowl.wav", "gone.wav")]
    assert all(ms > 900 for ms in lengths.values())


EVERY_CUE = """\
end_cue: {file: bowl.wav}
sections:
  - say: Hello.
    start_cue: {file: bowl.wav}
    each: 2s
    repeat: 2
    repeat_cue: {file: bowl.wav}
  - pause: 20s
    ring_every: 5s
    ring_cue: {file: bowl.wav}
  - slot: 10s
    start_cue: {file: bowl.wav}
    end_cue: {file: bowl.wav}
  - for_each_side: [right, left]
    switch_cue: {file: bowl.wav}
    steps: [{say: "Now {side}."}]
"""


def test_every_cue_key_takes_a_file_and_the_schema_agrees(tmp_path):
    import jsonschema
    import yaml

    from voiceguide.routine.schema import json_schema

    timeline = _planned(tmp_path, EVERY_CUE, {str(tmp_path / "bowl.wav"): 1000})
    cues = [e.cue for e in timeline.cues()]
    # start, 2 repeats, 3 rings, slot start and end, the switch, the routine's end.
    assert cues == [str(tmp_path / "bowl.wav")] * 10
    document = yaml.safe_load("version: 1\ntitle: t\n" + EVERY_CUE)
    validator = jsonschema.Draft202012Validator(json_schema())
    assert not list(validator.iter_errors(document))
    document["end_cue"] = {"fil": "bowl.wav"}
    assert list(validator.iter_errors(document))


# -- the planner: durations are data -------------------------------------------------------


def _planned(tmp_path, body, sounds, **settings):
    bowl(tmp_path / "bowl.wav")
    bowl(tmp_path / "intro.m4a")  # the planner never reads it: any regular file loads
    routine = load_routine(routine_file(tmp_path, body))
    return plan(routine, speech_ms, Settings(**settings), sounds)


@pytest.mark.parametrize(("length_ms", "lead_ms"), [(1800, 1800), (9000, MAX_FILE_CUE_LEAD_MS)])
def test_a_cue_file_holds_the_voice_for_its_length_at_most_as_long_as_the_gong(
    tmp_path, length_ms, lead_ms
):
    timeline = _planned(tmp_path, BOTH, {str(tmp_path / "bowl.wav"): length_ms, "x": 1})
    first_words = timeline.speech()[0]
    assert timeline.cues()[0].start_ms == 0 and first_words.start_ms == lead_ms


@pytest.mark.parametrize("pace", [0.5, 1.0, 2.0])
def test_a_recording_is_fixed_time_whatever_the_pace(tmp_path, pace):
    intro = str(tmp_path / "intro.m4a")
    timeline = _planned(tmp_path, BOTH, {str(tmp_path / "bowl.wav"): 1000, intro: 4321}, pace=pace)
    [recorded] = [e for e in timeline.speech() if e.file]
    assert (recorded.file, recorded.duration_ms, recorded.text) == (
        intro,
        4321,
        "A recorded welcome.",
    )
    assert (intro, 0) not in timeline.phrases() and timeline.recordings() == {intro}


def test_a_recording_longer_than_its_slot_is_refused_saying_what_to_do(tmp_path):
    from voiceguide.errors import PlanError

    with pytest.raises(PlanError) as error:
        _planned(
            tmp_path,
            "sections:\n  - slot: 3s\n    say_file: intro.m4a\n",
            {str(tmp_path / "intro.m4a"): 4500},
        )
    assert str(error.value).endswith(
        "'intro.m4a': speech runs 1.5 s past its place in the 3.0 s slot: use a shorter "
        "recording or lengthen the slot"
    )


def test_a_recording_without_say_is_named_in_the_transcript(tmp_path):
    timeline = _planned(tmp_path, "sections:\n  - say_file: intro.m4a\n", {})
    assert [e.text for e in timeline.speech()] == ["[recording: intro.m4a]"]


def test_bedtime_softens_built_in_cues_but_never_a_users_file(tmp_path):
    body = BOTH.replace("  - pause: 2s\n", "  - slot: 5s\n    end_cue: bell\n")
    timeline = _planned(tmp_path, body, {str(tmp_path / "bowl.wav"): 1000}, bedtime=True)
    assert [e.cue for e in timeline.cues()] == [str(tmp_path / "bowl.wav"), "tone"]


def test_the_bedtime_closing_replaces_a_recorded_last_narration(tmp_path):
    body = "bedtime: {closing: Sleep well.}\nsections:\n  - say: Hi.\n  - say_file: intro.m4a\n"
    timeline = _planned(tmp_path, body, {str(tmp_path / "intro.m4a"): 4000}, bedtime=True)
    assert [(e.text, e.file) for e in timeline.speech()] == [("Hi.", ""), ("Sleep well.", "")]


# -- reading with pydub --------------------------------------------------------------------


def test_a_cue_file_is_cut_at_its_first_sound_and_converted_to_the_session_rate(tmp_path):
    sound = cue_samples(str(bowl(tmp_path / "bowl.wav", silence_s=0.5)), 48_000)
    # The 0.5 s of silence is gone: 1.8 s of ring (still over -50 dBFS at its end) and the
    # 2 ms kept before the first sound, as for speech, at 48 kHz.
    assert np.abs(sound[:200]).max() > 0.1
    assert abs(len(sound) - 1.802 * 48_000) <= 48
    assert np.abs(sound).max() == pytest.approx(1.0)


def test_a_stereo_recording_becomes_a_mono_clip_at_its_own_rate(tmp_path):
    """Resampled later with the synthesized speech (resample.py), not by pydub."""
    t = np.arange(2 * 32_000) / 32_000
    stereo = np.repeat((0.3 * np.sin(2 * np.pi * 200 * t))[:, None], 2, axis=1).ravel()
    path = write_wav(tmp_path / "intro.wav", stereo, 32_000, channels=2)
    clip = narration_clip(str(path))
    assert clip.sample_rate_hz == 32_000
    assert abs(clip.duration_ms - 2000) <= 2
    samples = np.frombuffer(clip.pcm, dtype="<i2") / 32768
    assert np.abs(samples).max() == pytest.approx(0.3, abs=0.01)  # the two sides averaged


def test_pydub_reads_with_the_bundled_ffmpeg_and_no_ffprobe_without_a_warning(tmp_path):
    """With nothing on PATH, ffmpeg is imageio-ffmpeg's, and there is no ffprobe at all."""
    recording(tmp_path / "intro.m4a")
    bowl(tmp_path / "bowl.wav")
    routine = routine_file(tmp_path, BOTH)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    script = (
        "from voiceguide.audio.checks import sound_file_lengths\n"
        "from voiceguide.routine.loader import load_routine\n"
        f"print(sorted(sound_file_lengths(load_routine({str(routine)!r})).values()))\n"
    )
    env = {**os.environ, "PATH": str(empty)}
    env.pop("VOICEGUIDE_FFMPEG", None)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], env=env, capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    bowl_ms, intro_ms = (int(n) for n in done.stdout.strip("[]\n").split(", "))
    assert abs(bowl_ms - 1802) <= 1 and abs(intro_ms - 3000) < 60


def test_a_stereo_cue_keeps_its_sides_in_a_stereo_session(tmp_path):
    left = bowl(tmp_path / "mono.wav", silence_s=0.0)
    with wave.open(str(left)) as wav:
        ring = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2") / 32768
    stereo = np.stack([ring, np.zeros_like(ring)], axis=1).ravel()
    write_wav(tmp_path / "bowl.wav", stereo, channels=2)
    path = routine_file(tmp_path, "sections:\n  - say: Hello.\n    start_cue: {file: bowl.wav}\n")
    out = tmp_path / "session.wav"
    _render(path, out)
    first_second = decode(out, RATE_HZ, channels=2)[:RATE_HZ]  # the bowl alone, before "Hello"
    left_peak, right_peak = np.abs(first_second).max(axis=0)
    assert left_peak > 0.1 and right_peak < 1e-3  # the bell's peak: about 0.2


# -- located errors, found by validate -----------------------------------------------------


def _validate(tmp_path, body):
    result = runner.invoke(app, ["validate", str(routine_file(tmp_path, body))])
    return result.exit_code, result.stderr


def test_a_missing_sound_file_is_a_located_error(tmp_path):
    code, stderr = _validate(tmp_path, "sections:\n  - say_file: nope.m4a\n")
    where = f"{tmp_path / 'routine.yaml'}:4:15: sections[0].say_file"
    assert code == 1
    assert stderr == (
        f"{where}: no such file 'nope.m4a' (looked for {tmp_path / 'nope.m4a'}): paths are "
        "relative to the routine file\n"
    )


def test_a_folder_or_a_named_pipe_is_refused_without_waiting_on_it(tmp_path):
    (tmp_path / "folder.wav").mkdir()
    os.mkfifo(tmp_path / "pipe.wav")
    body = "sections:\n  - say: Hello.\n    start_cue: {file: folder.wav}\n  - say_file: pipe.wav\n"
    code, stderr = _validate(tmp_path, body)
    lines = stderr.splitlines()
    assert code == 1 and len(lines) == 2
    assert "5:23: sections[0].start_cue.file: 'folder.wav' is a directory" in lines[0]
    assert "6:15: sections[1].say_file: 'pipe.wav' is a named pipe" in lines[1]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not sound at all"), "is not a sound file ffmpeg can read"),
        (lambda p: write_wav(p, np.zeros(RATE_HZ)), "is silent (nothing above -50 dBFS)"),
        (
            lambda p: write_wav(p, 0.1 * np.ones(8000 * (MAX_CUE_MS // 1000 + 1)), 8000),
            "lasts over 1 min, the most a cue may last: cut it shorter",
        ),
    ],
    ids=["not-sound", "silent", "too-long"],
)
def test_a_cue_file_that_cannot_be_used_is_a_located_error_from_validate(tmp_path, make, message):
    make(tmp_path / "bowl.wav")
    code, stderr = _validate(
        tmp_path, "sections:\n  - say: Hello.\n    start_cue: {file: bowl.wav}\n"
    )
    where = f"{tmp_path / 'routine.yaml'}:5:23: sections[0].start_cue.file"
    assert code == 1
    assert stderr.startswith(f"{where}: {tmp_path / 'bowl.wav'} {message}")


def test_a_file_name_given_as_a_cue_name_says_how_to_write_a_file(tmp_path):
    code, stderr = _validate(tmp_path, "sections:\n  - say: Hi.\n    start_cue: bowl.wav\n")
    assert (code, stderr.split(": ", 2)[2]) == (
        1,
        "'bowl.wav' is not a cue name: for a sound file write {file: bowl.wav}, else choose "
        "from bell, tick, chime, gong, tone, low_tone\n",
    )


def test_a_cue_mapping_takes_only_a_file(tmp_path):
    code, stderr = _validate(tmp_path, "sections:\n  - say: Hi.\n    start_cue: {fil: bowl.wav}\n")
    assert code == 1
    assert "sections[0].start_cue.fil: unknown key: did you mean 'file'?" in stderr


# -- end to end: rendered and measured -----------------------------------------------------


def _render(routine: Path, out: Path) -> None:
    result = runner.invoke(app, ["render", str(routine), "-o", str(out), "--engine", "pyttsx3"])
    assert result.exit_code == 0, result.stderr


@pytest.mark.usefixtures("each_ffmpeg")
def test_a_rendered_bowl_rings_on_time_and_a_recording_is_as_loud_as_the_voice(tmp_path):
    bowl(tmp_path / "bowl.wav")
    recording(tmp_path / "intro.m4a")
    path = routine_file(tmp_path, BOTH)
    out = tmp_path / "session.wav"
    _render(path, out)
    from voiceguide.pipeline import plan_routine

    timeline = plan_routine(str(path), Settings(), "pyttsx3")
    mono = decode(out, RATE_HZ, channels=1)[:, 0].astype(np.float64)
    [cue] = timeline.cues()
    assert abs(onset_ms(mono, RATE_HZ, cue.start_ms, 0.01) - cue.start_ms) <= ONSET_TOLERANCE_MS
    spoken = [e for e in timeline.speech() if not e.file]
    [recorded] = [e for e in timeline.speech() if e.file]

    def loudness(events) -> float:
        parts = [mono[e.start_ms * RATE_HZ // 1000 : e.end_ms * RATE_HZ // 1000] for e in events]
        return clip_loudness(np.concatenate(parts), RATE_HZ)

    assert len(spoken) == 2  # two sentences
    assert abs(loudness([recorded]) - loudness(spoken)) <= LOUDNESS_TOLERANCE_LU
    # The recording was made 15 dB or so under the voice: it was raised to it.
    assert abs(recorded.duration_ms - 3000) < 60


def test_the_same_files_render_the_same_bytes_and_an_edited_cue_changes_them(tmp_path):
    bowl(tmp_path / "bowl.wav")
    recording(tmp_path / "intro.m4a")
    path = routine_file(tmp_path, BOTH)
    first, again, edited = (tmp_path / f"{name}.wav" for name in ("first", "again", "edited"))
    _render(path, first)
    _render(path, again)
    assert first.read_bytes() == again.read_bytes()
    bowl(tmp_path / "bowl.wav", hz=523.0)
    _render(path, edited)
    assert edited.read_bytes() != first.read_bytes()


def test_plays_cache_key_changes_when_a_sound_file_is_edited(tmp_path):
    from voiceguide.pipeline import plan_request
    from voiceguide.play import _sound_digests
    from voiceguide.request import RenderRequest

    bowl(tmp_path / "bowl.wav")
    recording(tmp_path / "intro.m4a")
    request = RenderRequest(routine=str(routine_file(tmp_path, BOTH)), engine="pyttsx3")
    before = _sound_digests(plan_request(replace(request, out_path=tmp_path / "s.wav")))
    bowl(tmp_path / "bowl.wav", hz=523.0)
    after = _sound_digests(plan_request(replace(request, out_path=tmp_path / "s.wav")))
    assert len(before) == 2 and before != after
