"""The loader: valid files load to the right Routine (the invalid corpus: test_corpus.py)."""

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.errors import RoutineError, printable
from voiceguide.pipeline import validate_files
from voiceguide.plan.planner import plan
from voiceguide.plan.table import timeline_table
from voiceguide.routine import schema
from voiceguide.routine.loader import load_routine, load_routine_text
from voiceguide.routine.model import (
    Background,
    Bedtime,
    Pause,
    Rounds,
    Routine,
    Sides,
    Slot,
    Step,
    Voice,
)

DATA = Path(__file__).parent / "data"
EXE = Path(sys.executable).with_name("voiceguide")


def test_everything_file_reads_every_key():
    routine = load_routine(DATA / "valid" / "everything.yaml")
    assert routine.language == "en-gb"
    assert routine.voice == Voice(name="gmw/en", rate_wpm=160, volume=0.9)
    assert routine.length_ms == 300_000
    assert routine.background == Background(sound="pink", level_db=-30.0)
    start, breathe, sides, rounds = routine.items
    assert start == Step(name="Start", say="Welcome.", start_cue="bell")
    assert breathe == Pause(duration_ms=90_000, name="Breathe")
    assert isinstance(sides, Sides) and sides.sides == ("right", "left")
    assert sides.items == (
        Step(
            name="Circles",
            say="Circle your {side} wrist.",
            repeat=3,
            min_repeat=2,
            max_repeat=10,
            each_ms=90_000,
            count=True,
            repeat_cue="tick",
            rest_ms=500,
        ),
    )
    assert isinstance(rounds, Rounds) and (rounds.rounds, rounds.rest_ms) == (2, 10_000)
    assert rounds.items == (
        Slot(
            name="Plank",
            say="Plank.",
            slot_ms=30_000,
            countdown=3,
            start_cue="bell",
            end_cue="bell",
        ),
    )


def test_routine_is_frozen():
    routine = load_routine(DATA / "valid" / "minimal.yaml")
    with pytest.raises(AttributeError):
        routine.title = "changed"  # type: ignore[misc]


def test_sexagesimal_yaml_is_read_as_written():
    # YAML 1.1 reads 1:30 as the number 90; a routine means ninety seconds either way,
    # but 'no' must stay the word, not false.
    routine = load_routine_text("version: 1\ntitle: no\nsections:\n  - pause: 1:30\n")
    assert routine.title == "no"
    assert routine.items == (Pause(duration_ms=90_000),)


def test_repeat_bounds_default_to_repeat():
    routine = load_routine_text(
        "version: 1\ntitle: t\nsections:\n  - {say: s, repeat: 4, each: 8s}\n"
    )
    assert routine.items[0] == Step(say="s", repeat=4, min_repeat=4, max_repeat=4, each_ms=8000)


def test_text_is_folded_to_single_spaces():
    routine = load_routine_text(
        "version: 1\ntitle: t\nsections:\n  - say: |\n      one\n      two   three\n"
    )
    assert routine.items[0] == Step(say="one two three")


def test_problems_from_many_places_come_sorted():
    text = "version: 1\ntitle: t\nsections:\n  - pause: 2\n  - pause: x\nextra: 1\n"
    with pytest.raises(RoutineError) as error:
        load_routine_text(text, "r.yaml")
    assert [p.line for p in error.value.problems] == [4, 5, 6]


def test_bedtime_sound_and_schedule_keys_load(tmp_path):
    (tmp_path / "rain.ogg").write_bytes(b"")  # the loader checks it exists; ffmpeg reads it
    path = tmp_path / "night.yaml"
    path.write_text(
        "version: 1\n"
        "title: Night\n"
        "audience: Anyone winding down.\n"
        "lead_in: 20s\n"
        "tail: 4m\n"
        "end_cue: gong\n"
        "background: {file: rain.ogg, level: -30dB}\n"
        "bedtime: {always: true, slow_to: 0.7, voice_fall: 3dB, quieter: 8 dB,"
        " closing: Sleep well., tail: 2m}\n"
        "sections:\n"
        "  - pause: 20m\n"
        "    ring_every: 5m\n"
        "    ring_cue: tone\n"
    )
    routine = load_routine(path)
    assert routine.audience == "Anyone winding down."
    assert (routine.lead_in_ms, routine.tail_ms, routine.end_cue) == (20_000, 240_000, "gong")
    assert routine.background == Background(
        sound="file", level_db=-30.0, file=str(tmp_path / "rain.ogg")
    )
    assert routine.bedtime == Bedtime(True, 0.7, 3.0, 8.0, "Sleep well.", 120_000)
    assert routine.items == (Pause(1_200_000, ring_every_ms=300_000, ring_cue="tone"),)


def test_binaural_keys_and_their_ranges():
    routine = load_routine_text(
        "version: 1\ntitle: B\nbackground: {sound: binaural, carrier: 150Hz, beat: 4.5}\n"
        "sections: [{pause: 1m}]\n"
    )
    assert (routine.background.carrier_hz, routine.background.beat_hz) == (150.0, 4.5)
    with pytest.raises(RoutineError) as error:
        load_routine_text(
            "version: 1\ntitle: B\nbackground: {sound: binaural, beat: 60Hz, file: x.ogg}\n"
            "bedtime: {slow_to: 1.5, tail: 30s}\nsections: [{pause: 1m}]\n",
            "b.yaml",
        )
    assert error.value.lines() == [
        "b.yaml:3:21: background.sound: a bed is a sound or a file, not both: remove 'sound' or "
        "'file'",
        "b.yaml:3:37: background.beat: 60Hz is out of range: use 0.5Hz to 40Hz",
        "b.yaml:3:49: background.file: no such file 'x.ogg' (looked for "
        f"{Path('x.ogg').resolve()}): paths are relative to the routine file",
        "b.yaml:4:20: bedtime.slow_to: 1.5 is out of range: use 0.5 to 1",
        "b.yaml:4:31: bedtime.tail: a tail fades out over at least 1m: make it 1m or longer, "
        "or leave it out",
    ]


# -- hostile input, by class (the corpus has one example of each: data/invalid/hostile-*) ----

_NUMERIC_TYPES = {"whole", "rate", "number", "level", "frequency", "ratio", "duration"}
_PLACES = {  # where a key of each section goes, and the key path the loader reports
    "routine": ("{key}: {value}\nsections: [{{say: a}}]\n", "{key}"),
    "voice": ("voice: {{{key}: {value}}}\nsections: [{{say: a}}]\n", "voice.{key}"),
    "background": (
        "background: {{sound: binaural, {key}: {value}}}\nsections: [{{say: a}}]\n",
        "background.{key}",
    ),
    "bedtime": ("bedtime: {{{key}: {value}}}\nsections: [{{say: a}}]\n", "bedtime.{key}"),
    "step": ("sections:\n  - {{say: a, each: 5s, {key}: {value}}}\n", "sections[0].{key}"),
    "pause": ("sections:\n  - {{pause: 5s, {key}: {value}}}\n", "sections[0].{key}"),
    "slot": ("sections:\n  - {{slot: 30s, say: a, {key}: {value}}}\n", "sections[0].{key}"),
    "rounds": (
        "sections:\n  - {{rounds: 2, steps: [{{say: a}}], {key}: {value}}}\n",
        "sections[0].{key}",
    ),
}
_NUMERIC_KEYS = [
    (section, key.name, key.type)
    for section, keys in schema.SECTIONS.items()
    for key in keys
    if key.type in _NUMERIC_TYPES and section in _PLACES
]
_HUGE = "9" * 5000


def test_every_numeric_key_is_declared_in_a_place_these_tests_know():
    assert {
        s for s, keys in schema.SECTIONS.items() if any(k.type in _NUMERIC_TYPES for k in keys)
    } <= set(_PLACES)


@pytest.mark.parametrize(
    "written",
    [_HUGE, "-" + _HUGE, _HUGE + ".5", "1" + "0" * 400],
    ids=["huge", "negative", "point", "1e400"],
)
@pytest.mark.parametrize(
    ("section", "key", "kind"), _NUMERIC_KEYS, ids=[f"{s}.{k}" for s, k, _ in _NUMERIC_KEYS]
)
def test_a_number_of_any_length_in_any_key_is_one_located_line(section, key, kind, written):
    value = written + ("s" if kind == "duration" else "")
    place, where = _PLACES[section]
    text = "version: 1\ntitle: T\n" + place.format(key=key, value=value)
    with pytest.raises(RoutineError) as error:
        load_routine_text(text, "n.yaml")
    [problem] = error.value.problems
    assert problem.key == where.format(key=key)
    assert problem.line > 0 and len(str(problem)) < 300  # located, and the value cut short


@pytest.mark.parametrize(
    "written", ["5" + "0" * 5000 + ":00", "1" + "0" * 12 + "ms", "1:" + _HUGE + ":00"]
)
def test_a_duration_of_any_length_is_over_the_limit_not_a_traceback(written):
    with pytest.raises(RoutineError) as error:
        load_routine_text(f"version: 1\ntitle: T\nsections: [{{pause: '{written}'}}]\n", "d.yaml")
    [problem] = error.value.problems
    assert (problem.line, problem.key) == (3, "sections[0].pause")


def test_a_long_fraction_is_an_ordinary_number_but_not_a_duration():
    routine = load_routine_text(
        f"version: 1\ntitle: T\nvoice: {{volume: 0.5{_HUGE}}}\nsections: [{{pause: 2s}}]\n"
    )
    assert routine.voice.volume == pytest.approx(0.6)
    with pytest.raises(RoutineError, match=r"\(5,003 characters\) is too long for a duration"):
        load_routine_text(f"version: 1\ntitle: T\nsections: [{{pause: 1.{_HUGE}s}}]\n")


_REFUSED = {  # a YAML escape in double quotes, and the character it stands for
    "\\0": "\x00",
    "\\a": "\x07",
    "\\e": "\x1b",
    "\\x7f": "\x7f",
    "\\N": "\x85",
    "\\x9b": "\x9b",
    "\\ud800": "\ud800",
    "\\udfff": "\udfff",
    "\\u202e": "\u202e",
    "\\u2066": "\u2066",
}
_TEXT_PLACES = {  # a double-quoted "{}" in every kind of place a string can be
    "title": ('title: "a{}b"\nsections: [{{say: a}}]\n', (2, 8, "title")),
    "key": ('title: T\n"x{}": 1\nsections: [{{say: a}}]\n', (3, 1, "x{}")),
    "say": ('title: T\nsections:\n  - say: "a{}b"\n', (4, 10, "sections[0].say")),
    "side": (
        'title: T\nsections:\n  - for_each_side: [r, "a{}"]\n    steps: [{{say: "{{side}}"}}]\n',
        (4, 24, "sections[0].for_each_side[1]"),
    ),
    "unknown": ('title: T\nfoo: {{bar: ["a{}"]}}\nsections: [{{say: a}}]\n', (3, 13, "foo.bar[0]")),
    "path": (
        'title: T\nbackground: {{file: "a{}.ogg"}}\nsections: [{{say: a}}]\n',
        (3, 20, "background.file"),
    ),
}


@pytest.mark.parametrize("escape", _REFUSED)
@pytest.mark.parametrize("place", list(_TEXT_PLACES))
def test_characters_no_one_can_see_or_hear_are_refused_wherever_they_are(place, escape):
    template, (line, column, key) = _TEXT_PLACES[place]
    with pytest.raises(RoutineError) as error:
        load_routine_text("version: 1\n" + template.format(escape), "c.yaml")
    [problem] = error.value.problems
    character = _REFUSED[escape]
    assert (problem.line, problem.column) == (line, column)
    assert problem.key == key.format(character)
    assert f"U+{ord(character):04X}" in problem.message
    assert printable(str(problem)) == str(problem)


def test_tabs_line_breaks_and_ordinary_unicode_are_text():
    routine = load_routine_text(
        'version: 1\ntitle: "Hand\\tmassage \\u00e9\\u200d"\nsections:\n'
        "  - say: |\n      Stroke.\n      Again \U0001f642\n"
    )
    assert routine.title == "Hand massage é\u200d"
    assert routine.items == (Step(say="Stroke. Again \U0001f642"),)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_unicode_line_separators_are_within_a_line_as_editors_show_them(separator):
    text = (
        f"version: 1\ntitle: Hand{separator}massage\ndescription: 'a{separator}b'\n"
        "sections:\n  - pause: x\n"
    )
    with pytest.raises(RoutineError) as error:
        load_routine_text(text, "l.yaml")
    assert [(p.line, p.column, p.key) for p in error.value.problems] == [
        (5, 12, "sections[0].pause")
    ]
    routine = load_routine_text(text.replace("pause: x", "pause: 5s"))
    assert (routine.title, routine.description) == ("Hand massage", "a b")


def test_a_fifo_as_background_file_is_named_and_never_opened(tmp_path):
    os.mkfifo(tmp_path / "rain.ogg")
    routine = tmp_path / "r.yaml"
    routine.write_text("version: 1\ntitle: T\nbackground: {file: rain.ogg}\nsections: [{say: a}]\n")
    done = subprocess.run(
        [str(EXE), "validate", str(routine)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"{routine}:3:20: background.file: 'rain.ogg' is a named pipe (FIFO), not a file: "
        "give a sound file such as rain.ogg\n"
    )


def _wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x10\x00\x00\x01" * int(4000 * seconds))
    return path


@pytest.mark.usefixtures("each_ffmpeg")
def test_a_real_recording_passes_the_probe_and_a_short_one_is_located(tmp_path):
    _wav(tmp_path / "rain.wav", 3.0)
    _wav(tmp_path / "drop.wav", 1.5)
    good, short = tmp_path / "good.yaml", tmp_path / "short.yaml"
    for path, name in ((good, "rain.wav"), (short, "drop.wav")):
        path.write_text(
            f"version: 1\ntitle: T\nbackground: {{file: {name}}}\nsections: [{{say: a}}]\n"
        )
    assert validate_files([good]) == [good]
    with pytest.raises(RoutineError) as error:
        validate_files([short])
    assert error.value.lines() == [
        f"{short}:3:20: background.file: {tmp_path / 'drop.wav'} lasts under 2 s: use a "
        "recording of a few seconds or more"
    ]


def test_a_bad_background_file_option_is_not_blamed_on_the_routine(tmp_path):
    _wav(tmp_path / "rain.wav", 3.0)
    (tmp_path / "notes.ogg").write_text("not sound")
    routine = tmp_path / "r.yaml"
    routine.write_text("version: 1\ntitle: T\nbackground: {file: rain.wav}\nsections: [{say: a}]\n")
    out = tmp_path / "out.wav"
    for option, said in (
        (
            tmp_path / "notes.ogg",
            "is not a sound file ffmpeg can read: give a recording such as "
            "rain.ogg (wav, mp3, ogg, flac...)",
        ),
        (tmp_path, "is a directory: give a sound file such as rain.ogg"),
    ):
        result = CliRunner().invoke(
            app, ["render", str(routine), "--background-file", str(option), "-o", str(out)]
        )
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr.splitlines()[-1] == (
            f"Error: Invalid value for '--background-file': '{option}' {said}"
        )
        assert not out.exists()


def test_printable_leaves_text_alone_and_escapes_what_acts_on_a_terminal():
    assert printable("Hände, 手, \U0001f642, tab\tend") == "Hände, 手, \U0001f642, tab\\tend"
    assert (
        printable("\x1b]0;x\x07\x9b\u2028\u202e\ud800")
        == "\\x1b]0;x\\x07\\x9b\\u2028\\u202e\\ud800"
    )


def test_plan_and_validate_print_no_control_character_whatever_they_are_given(tmp_path):
    hostile = "\x1b]0;owned\x07\u202e"
    routine = Routine(title=hostile, items=(Step(name=hostile, say="a" + hostile),))
    table = timeline_table(plan(routine, lambda text, rate: 500))
    assert hostile not in table and "\x1b" not in table and "\u202e" not in table
    assert "\\x1b]0;owned\\x07\\u202e" in table
    path = tmp_path / f"{hostile}.yaml"
    path.write_text("version: 1\ntitle: T\nsections: [{say: a}]\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert (result.exit_code, result.stdout) == (0, printable(f"{path}: ok") + "\n")
    assert "\x1b" not in result.stdout
