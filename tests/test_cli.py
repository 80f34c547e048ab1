"""The CLI as a user meets it: exact output, exit codes, the real speech engine."""

import json
import re
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.routine.schema import json_schema

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_validate_ok_files_prints_ok_and_exits_0():
    path = str(DATA / "valid" / "minimal.yaml")
    result = run("validate", path, "audio_templates/hand-massage.yaml")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{path}: ok\naudio_templates/hand-massage.yaml: ok\n"


def test_validate_reports_every_problem_of_every_file_and_exits_1():
    mistakes = "tests/data/invalid/three-mistakes.yaml"
    top = "tests/data/invalid/unknown-top-key.yaml"
    result = run("validate", mistakes, top)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{mistakes}:5:5: sections[0].repaet: unknown key: did you mean 'repeat'?",
        f"{mistakes}:9:5: sections[1].each: duplicate key (first given on line 8): keep one",
        f"{mistakes}:10:12: sections[2].pause: 'ten seconds' is not a duration: write a "
        "duration such as 90s, 1m30s, 1:30, 15m or 500ms",
        f"{top}:2:1: titel: unknown key: did you mean 'title'?",
    ]


def test_plan_json_of_the_hand_massage_has_six_strokes_per_hand_in_fifteen_minutes():
    result = run("plan", "hand-massage", "--json")
    assert result.exit_code == 0, result.stderr
    timeline = json.loads(result.stdout)
    assert abs(timeline["total_ms"] - 15 * 60_000) <= 30_000
    strokes = [c for c in timeline["chapters"] if c["side"] and "(" in c["title"]]
    assert [c["title"] for c in strokes] == [
        f"{name} ({side})"
        for side in ("right", "left")
        for name in (
            "Stroke the forearm",
            "Stroke the hand",
            "Pinch along the forearm",
            "Press in small circles",
            "Thumb circles on back and palm",
            "Fingers and thumb web",
        )
    ]
    for index, chapter in enumerate(timeline["chapters"]):
        if chapter in strokes:
            repetitions = [
                e
                for e in timeline["events"]
                if e["chapter"] == index and e["text"].startswith("repetition")
            ]
            assert len(repetitions) >= 3, chapter["title"]


@pytest.mark.parametrize("length", ["20m", "12m"])
def test_plan_length_fits_within_a_second(length):
    result = run("plan", "hand-massage", "--length", length, "--json")
    assert result.exit_code == 0, result.stderr
    target_ms = int(length.removesuffix("m")) * 60_000
    assert abs(json.loads(result.stdout)["total_ms"] - target_ms) <= 1000


def test_plan_length_out_of_reach_names_the_shortest_and_exits_1():
    result = run("plan", "hand-massage", "--length", "2m")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"--length 2:00 is out of reach: at pace 1 this routine lasts from "
        r"\d+:\d\d \(shortest\) to \d+:\d\d:\d\d \(longest\)\n",
        result.stderr,
    )


def test_slower_pace_is_longer(tmp_path):
    # Without a `length`: with one, the total is that length over the pace, whatever the
    # speech. A short routine: each pace is every phrase synthesized again.
    routine = tmp_path / "pace.yaml"
    routine.write_text(
        "version: 1\ntitle: Pace\nsections:\n  - say: Breathe in slowly through your nose.\n"
        "  - pause: 10s\n  - say: Now let the breath go.\n"
    )
    slower, natural = (
        json.loads(run("plan", str(routine), "--pace", pace, "--json").stdout)
        for pace in ("0.8", "1")
    )
    assert slower["total_ms"] > natural["total_ms"]
    durations = [[e["duration_ms"] for e in plan["events"]] for plan in (slower, natural)]
    assert all(s > n for s, n in zip(*durations, strict=True))  # the speech and the pause


def test_plan_table_ends_with_the_total():
    result = run("plan", "hand-massage")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["start", "section", "side", "what", "duration"]
    # fitted to the template's declared `length: 15m`
    assert re.fullmatch(r" *1[45]:\d\d\.\d  total \(fitted to 15:00 at pace 1\)", lines[-1])
    # A step's repetitions and their counted numbers read as one row.
    folded = r"Stroke the forearm \(right\) +right +repetitions 1\.\.(\d+) of \1, [\d.-]+ s each, "
    folded += "counted "
    assert any(re.search(folded, line) for line in lines), lines
    assert len(lines) < 120  # a row for every event was 204


def test_bad_length_is_a_usage_error():
    result = run("plan", "hand-massage", "--length", "soon")
    assert result.exit_code == 2
    assert "'soon' is not a duration" in result.stderr


def test_unknown_routine_names_the_templates():
    result = run("plan", "hand-masage")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "no routine file or built-in template named 'hand-masage': templates are hand-massage"
    )


# `voiceguide templates` is tested in test_templates.py and test_catalog.py.


def test_voices_lists_every_engines_voices_with_quality_and_licence():
    result = run("voices", "--language", "en")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"id +language +engine +quality +licence +name", lines[0])
    espeak = r"^gmw/en +en-gb +pyttsx3 +formant +GPL-3\.0-or-later +English \(Great Britain\)$"
    assert re.search(espeak, result.stdout, re.M)
    natural = (
        r"^en_US-joe-medium +en-us, en +piper +medium +CC0 data\* +en_US-joe-medium \(Piper\)$"
    )
    assert re.search(natural, result.stdout, re.M)
    assert 'fine-tuned from the "lessac" voice' in result.stdout
    # The columns line up: every row's engine starts where the header's does.
    column = lines[0].index("engine")
    assert {line[column:].split()[0] for line in lines[1:] if line.strip() and line[0] != "*"} == {
        "piper",
        "pyttsx3",
    }


def test_voices_say_why_a_language_has_no_natural_voice():
    result = run("voices", "--language", "de")
    assert result.exit_code == 0
    assert re.search(r"^gmw/de +de +pyttsx3 ", result.stdout, re.M)
    assert "piper" not in result.stdout.split("\n\n")[0]
    assert "No natural voice speaks 'de', so auto uses pyttsx3 (espeak-ng) for it" in result.stdout


def test_schema_prints_the_json_schema():
    result = run("schema")
    assert json.loads(result.stdout) == json_schema()


COMMANDS = [command.name for command in app.registered_commands]
HEAVY_LIBRARIES = (
    "numpy",
    "pyttsx3",
    "pydub",
    "mutagen",
    "espeakng_loader",
    "imageio_ffmpeg",
    "piper",
    "onnxruntime",
)


def test_the_commands_are_the_documented_ten():
    assert sorted(COMMANDS) == sorted(
        [
            "validate",
            "plan",
            "render",
            "info",
            "templates",
            "voices",
            "schema",
            "new",
            "play",
            "say",
        ]
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert (result.exit_code, result.stderr) == (0, "")
    assert re.search(rf"^ *Example: voiceguide {command}\b", result.stdout, re.M), result.stdout
    assert "Exit codes: 0 success" in result.stdout


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_names_values_without_type_placeholders(command):
    result = run(*command.split(), "--help")
    assert result.exit_code == 0, result.stderr
    # Typer's own would be "ROUTINE <str>", "files... <list[Path]>" and "{files}..."
    assert not re.search(r"<[\w.\[\], |]+>", result.stdout), result.stdout
    usage = result.stdout.splitlines()[0]
    assert "{" not in usage and "<" not in usage, usage


def test_render_help_groups_its_options_in_panels():
    lines = run("render", "--help").stdout.splitlines()
    panels = [line.rstrip(":") for line in lines if re.fullmatch(r"[A-Z]\w+:", line)]
    assert panels == ["Arguments", "Timing", "Voice", "Sound", "Bedtime", "Output", "Options"]

    def panel_of(option: str) -> str:
        at = next(i for i, line in enumerate(lines) if re.match(rf" +(-\w, )?{option}\b", line))
        return next(line for line in reversed(lines[:at]) if line in {p + ":" for p in panels})

    expected = {
        "--length": "Timing:",
        "--engine": "Voice:",
        "--seed": "Sound:",
        "--tail": "Bedtime:",
        "--out": "Output:",
        "--split": "Output:",
        "--help": "Options:",
    }
    assert {option: panel_of(option) for option in expected} == expected


def test_short_helps_keep_one_list_of_options():
    lines = run("say", "--help").stdout.splitlines()
    assert [line for line in lines if re.fullmatch(r"[A-Z]\w+:", line)] == [
        "Arguments:",
        "Options:",
    ]


def test_voiceguide_help_lists_every_command_with_an_example():
    result = run("--help")
    assert (result.exit_code, result.stderr) == (0, "")
    assert re.search(r"^ *Example: voiceguide \w+ ", result.stdout, re.M), result.stdout
    assert "Exit codes: 0 success" in result.stdout
    for command in COMMANDS:
        assert re.search(rf"^. {command} ", result.stdout, re.M), command


def test_installed_entry_point_runs_in_a_subprocess():
    exe = Path(sys.executable).with_name("voiceguide")
    done = subprocess.run(  # the environment's cache is the run's warm one
        [str(exe), "plan", "hand-massage", "--length", "20m", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert abs(json.loads(done.stdout)["total_ms"] - 1_200_000) <= 1000
    version = subprocess.run(
        [sys.executable, "-m", "voiceguide", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert version.stdout.startswith("voiceguide ")


def test_validate_and_every_help_load_no_audio_or_speech_library():
    """In a fresh interpreter: after each step, which heavy libraries are loaded (none)."""
    code = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from voiceguide.cli import app\n"
        f"heavy, commands = {HEAVY_LIBRARIES!r}, {COMMANDS!r}\n"
        "steps = [['validate', 'audio_templates/hand-massage.yaml'], ['--help']]\n"
        "steps += [[command, '--help'] for command in commands]\n"
        "loaded = {}\n"
        "for step in steps:\n"
        "    assert CliRunner().invoke(app, step).exit_code == 0, step\n"
        "    loaded[' '.join(step)] = sorted(m for m in heavy if m in sys.modules)\n"
        "print(json.dumps(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = json.loads(done.stdout)
    assert len(loaded) == 2 + len(COMMANDS)
    assert {step: libraries for step, libraries in loaded.items() if libraries} == {}


def test_bad_output_options_are_refused_before_any_work(tmp_path):
    # More in tests/data/cli/ (test_cli_cases.py).
    result = run("render", "hand-massage", "--bitrate", "loud", "-o", str(tmp_path / "s.mp3"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--bitrate': 'loud' is not a bitrate: write one such as "
        "128k or 192k"
    )
    result = run("render", "hand-massage", "--split", "-o", str(tmp_path / "missing" / "s"))
    assert (result.exit_code, result.stderr) == (
        2,
        f"cannot write {tmp_path / 'missing' / 's'}: no folder {tmp_path / 'missing'}\n",
    )


MAGIC = {"mp3": b"ID3", "wav": b"RIFF", "flac": b"fLaC", "ogg": b"OggS"}


@pytest.mark.parametrize("name", ["s.mp3", "s.wav", "s.flac", "s.ogg", "S.WAV", "s.oga"])
def test_the_output_is_what_its_name_says(tmp_path, name):
    out = tmp_path / name
    result = run("render", str(DATA / "valid" / "minimal.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    format = {".oga": "ogg"}.get(out.suffix.lower(), out.suffix.lower()[1:])
    assert out.read_bytes().startswith(MAGIC[format])


def test_a_wav_is_a_riff_file_that_python_wave_reads(tmp_path):
    out = tmp_path / "session.wav"
    result = run("render", str(DATA / "valid" / "minimal.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    header = out.read_bytes()[:12]
    assert (header[:4], header[8:]) == (b"RIFF", b"WAVE")
    with wave.open(str(out)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (2, 2, 44_100)
        frames = audio.getnframes()
    # The summary gives the length in tenths of a second: the file holds all of it.
    minutes, seconds = re.search(r": (\d+):(\d\d\.\d), ", result.stdout).groups()
    assert abs(frames / 44_100 - (int(minutes) * 60 + float(seconds))) <= 0.05


def test_format_names_the_format_when_the_name_does_not(tmp_path):
    out = tmp_path / "session.audio"
    result = run("render", str(DATA / "valid" / "minimal.yaml"), "-o", str(out), "--format", "flac")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"fLaC")


def test_shell_completion_installs_and_completes_commands_and_options(tmp_path):
    exe = str(Path(sys.executable).with_name("voiceguide"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    # Typed in bash, as a user would: the option takes no shell name, it finds the shell among
    # its parent processes (shellingham), and the suite may run with none (started by a
    # program, not a shell). `; exit` keeps bash from replacing itself with the command.
    installed = subprocess.run(
        ["/bin/bash", "-c", '"$0" --install-completion; exit $?', exe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert installed.returncode == 0, installed.stderr
    script = (tmp_path / ".bash_completions" / "voiceguide.sh").read_text()
    assert "_voiceguide_completion" in script and "complete" in script

    def complete(words: str) -> list[str]:
        words_env = {
            **env,
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
            "_VOICEGUIDE_COMPLETE": "complete_bash",
        }
        done = subprocess.run([exe], env=words_env, capture_output=True, text=True, timeout=60)
        return done.stdout.split()

    assert complete("voiceguide ren") == ["render"]
    assert {"--background", "--background-file"} <= set(complete("voiceguide render x --back"))


def test_plan_takes_the_voice_and_bed_options_that_render_takes():
    runner = CliRunner()
    unknown = runner.invoke(app, ["plan", "hand-massage", "--voice", "nosuch"])
    assert unknown.exit_code == 2
    assert "Invalid value for '--voice'" in unknown.stderr
    no_bed = runner.invoke(app, ["plan", "hand-massage", "--background", "none", "--tail", "5m"])
    assert no_bed.exit_code == 1 and "a tail plays the background" in no_bed.stderr
    planned = runner.invoke(app, ["plan", "hand-massage", "--background", "pink", "--json"])
    assert planned.exit_code == 0, planned.stderr
    assert json.loads(planned.stdout)["background"]["sound"] == "pink"
    for command in ("plan", "play", "render"):
        help_text = runner.invoke(app, [command, "--help"]).stdout
        assert "--voice" in help_text and "--background" in help_text, command
