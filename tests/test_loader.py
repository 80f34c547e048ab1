"""The loader: valid files load to the right Routine (the invalid corpus: test_corpus.py)."""

from pathlib import Path

import pytest

from voiceguide.errors import RoutineError
from voiceguide.loader import load_routine, load_routine_text
from voiceguide.model import Background, Bedtime, Pause, Rounds, Sides, Slot, Step, Voice

DATA = Path(__file__).parent / "data"


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


def test_missing_file_and_directory_are_reported(tmp_path):
    with pytest.raises(RoutineError) as missing:
        load_routine(tmp_path / "nope.yaml")
    assert missing.value.lines() == [
        f"{tmp_path / 'nope.yaml'}: no such file: check the path, or run 'voiceguide templates'"
    ]
    with pytest.raises(RoutineError) as directory:
        load_routine(tmp_path)
    assert directory.value.lines() == [
        f"{tmp_path}: is a directory: give the path of a routine file (.yaml)"
    ]


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"version: 1\ntitle: Caf\xe9\nsections:\n  - say: hi\n")
    with pytest.raises(RoutineError) as error:
        load_routine(path)
    assert error.value.lines() == [f"{path}:2:11: is not UTF-8 text: save it as UTF-8"]


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\ntitle: t\nsections:\n  - say: hi\n")
    assert load_routine(path).title == "t"


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
