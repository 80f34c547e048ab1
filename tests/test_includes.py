"""`- include: FILE`: another file's items in place, located problems, and what is refused."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.errors import RoutineError
from voiceguide.routine import cost, includes
from voiceguide.routine.includes import MAX_INCLUDE_DEPTH, MAX_INCLUDED_BYTES
from voiceguide.routine.limits import MAX_EVENTS
from voiceguide.routine.loader import load_routine
from voiceguide.routine.model import Pause, Sides, Step

runner = CliRunner()
HEAD = "version: 1\ntitle: T\n"
WARM_UP = "version: 1\ntitle: Warm-up\nsections:\n  - say: Warm your {side} hand.\n  - pause: 2s\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(RoutineError) as error:
        load_routine(path)
    return [str(problem) for problem in error.value.problems]


def test_included_items_stand_in_place_with_the_blocks_placeholders(tmp_path):
    write(tmp_path / "warm-up.yaml", WARM_UP)
    main = write(
        tmp_path / "main.yaml",
        HEAD + "sections:\n"
        "  - say: Hello.\n"
        "  - for_each_side: [right, left]\n"
        "    steps:\n"
        "      - include: warm-up.yaml\n"
        "      - say: Done.\n"
        "  - say: Bye.\n",
    )
    routine = load_routine(main)
    hello, sides, bye = routine.items
    assert (hello, bye) == (Step(say="Hello."), Step(say="Bye."))
    assert isinstance(sides, Sides)
    assert sides.items == (
        Step(say="Warm your {side} hand."),
        Pause(duration_ms=2000),
        Step(say="Done."),
    )
    data = (tmp_path / "warm-up.yaml").read_bytes()
    assert routine.includes == ((str(tmp_path / "warm-up.yaml"), hashlib.sha256(data).hexdigest()),)


def test_an_include_loads_as_the_same_items_written_out(tmp_path):
    write(tmp_path / "part.yaml", "sections:\n  - say: One.\n    each: 2s\n    repeat: 3\n")
    included = write(tmp_path / "a.yaml", HEAD + "sections:\n  - include: part.yaml\n")
    inline = write(
        tmp_path / "b.yaml", HEAD + "sections:\n  - say: One.\n    each: 2s\n    repeat: 3\n"
    )
    assert load_routine(included).items == load_routine(inline).items


def test_paths_are_relative_to_the_including_file_wherever_the_routine_is_run(
    tmp_path, monkeypatch
):
    write(tmp_path / "routines" / "shared" / "breath.yaml", "sections:\n  - pause: 4s\n")
    write(
        tmp_path / "routines" / "parts" / "warm.yaml",
        "sections:\n  - say: Warm.\n  - include: ../shared/breath.yaml\n",
    )
    main = write(
        tmp_path / "routines" / "main.yaml", HEAD + "sections:\n  - include: parts/warm.yaml\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_routine(main).items == (Step(say="Warm."), Pause(duration_ms=4000))
    monkeypatch.chdir(tmp_path)  # a relative routine path: included paths stay relative
    assert load_routine(Path("routines/main.yaml")).items == (Step(say="Warm."), Pause(4000))


def test_a_missing_file_is_an_error_at_the_include_line(tmp_path):
    main = write(tmp_path / "main.yaml", HEAD + "sections:\n  - say: Hi.\n  - include: warm.yaml\n")
    assert problems(main) == [
        f"{main}:5:14: sections[1].include: no such file 'warm.yaml' (looked for "
        f"{tmp_path / 'warm.yaml'}): an include's path is relative to the file it is in"
    ]


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda folder: (folder / "part.yaml").mkdir(), "is a directory"),
        (lambda folder: _fifo(folder / "part.yaml"), "is a named pipe (FIFO), not a file"),
    ],
    ids=["folder", "fifo"],
)
def test_what_is_not_a_regular_file_is_refused_without_opening_it(tmp_path, make, said):
    make(tmp_path)
    main = write(tmp_path / "main.yaml", HEAD + "sections:\n  - include: part.yaml\n")
    # A subprocess with a timeout: opening a FIFO would wait for a writer forever.
    result = subprocess.run(
        [sys.executable, "-m", "voiceguide", "validate", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"{main}:4:14: sections[0].include: 'part.yaml' {said}: give a routine file (.yaml) "
        "whose sections to include\n"
    )


def test_problems_inside_an_included_file_are_located_there_with_the_routines(tmp_path):
    part = write(
        tmp_path / "parts" / "warm.yaml",
        "title: Warm\nvoice: {rate: 120}\nsections:\n  - say: Warm.\n    repaet: 3\n",
    )
    main = write(
        tmp_path / "main.yaml",
        HEAD + "sections:\n  - include: parts/warm.yaml\n  - pause: soon\n",
    )
    assert problems(main) == sorted(
        [
            f"{main}:5:12: sections[1].pause: 'soon' is not a duration: write a duration "
            "such as 90s, 1m30s, 1:30, 15m or 500ms",
            f"{part}:2:1: voice: an included file gives only its sections, so its voice "
            "would be lost: set voice in the routine that includes it, or remove it here",
            f"{part}:5:5: sections[0].repaet: unknown key: did you mean 'repeat'?",
        ]
    )


def test_invalid_yaml_in_an_included_file_is_located_there(tmp_path):
    part = write(tmp_path / "part.yaml", "sections:\n  - say: [unclosed\n  - pause: 2s\n")
    main = write(tmp_path / "main.yaml", HEAD + "sections:\n  - include: part.yaml\n")
    [problem] = problems(main)
    assert problem.startswith(f"{part}:3:")
    assert "YAML syntax error" in problem


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "1:1: is empty: a file to include needs 'sections'"),
        ("- say: Hi.\n", "1:1: is not a file of items to include"),
        ("title: Part\n", "1:1: missing key 'sections'"),
        ("sections: []\n", "1:11: sections: is empty: give at least one item"),
        ("sections:\n  - say: Hi.\nlength: 5m\n", "3:1: length: an included file gives only"),
        ("version: 2\nsections:\n  - say: Hi.\n", "1:10: version: "),
    ],
    ids=["empty", "list", "no-sections", "no-items", "routine-key", "version"],
)
def test_an_included_file_is_a_mapping_with_sections(tmp_path, text, said):
    part = write(tmp_path / "part.yaml", text)
    main = write(tmp_path / "main.yaml", HEAD + "sections:\n  - include: part.yaml\n")
    [problem] = problems(main)
    assert problem.startswith(f"{part}:{said}")


def test_an_included_file_not_utf8_is_located_there_and_too_big_at_the_include(tmp_path):
    part = tmp_path / "latin.yaml"
    part.write_bytes(b"sections:\n  - say: Caf\xe9.\n")
    big = write(tmp_path / "big.yaml", "# " + "x" * 1_000_000 + "\nsections: [{say: Hi.}]\n")
    main = write(
        tmp_path / "main.yaml", HEAD + "sections:\n  - include: latin.yaml\n  - include: big.yaml\n"
    )
    assert problems(main) == [
        f"{part}:2:13: is not UTF-8 text: save it as UTF-8",
        f"{main}:5:14: sections[1].include: 'big.yaml' is over 1,000,000 bytes, too big for a "
        "routine: check that this is the routine file",
    ]
    assert big.stat().st_size > 1_000_000


def test_an_item_that_includes_has_no_other_key(tmp_path):
    write(tmp_path / "part.yaml", "sections: [{say: Hi.}]\n")
    main = write(
        tmp_path / "main.yaml",
        HEAD + "sections:\n  - include: part.yaml\n    say: Also.\n"
        "  - {include: part.yaml, pause: 2s}\n",
    )
    assert problems(main) == [
        f"{main}:5:5: sections[0].say: unknown key: remove it (keys here: include)",
        f"{main}:6:5: sections[1]: an item is one kind, but this one has both 'pause' and "
        "'include': split it in two",
    ]


def test_a_file_that_includes_itself_is_refused(tmp_path):
    main = write(
        tmp_path / "main.yaml", HEAD + "sections:\n  - say: Hi.\n  - include: ./main.yaml\n"
    )
    assert problems(main) == [
        f"{main}:5:14: sections[1].include: './main.yaml' is this file: a file cannot include "
        "itself; remove this include"
    ]


def test_a_cycle_through_other_files_is_refused_naming_it(tmp_path):
    a = write(tmp_path / "a.yaml", "sections:\n  - include: b.yaml\n")
    b = write(tmp_path / "b.yaml", "sections:\n  - say: B.\n  - include: a.yaml\n")
    main = write(tmp_path / "main.yaml", HEAD + "sections:\n  - include: a.yaml\n")
    assert problems(main) == [
        f"{b}:3:14: sections[1].include: includes go round in a circle ({a} includes {b} "
        f"includes {a}): remove one of these includes"
    ]


def test_a_link_to_the_including_file_is_the_same_file(tmp_path):
    main = write(tmp_path / "main.yaml", HEAD + "sections:\n  - include: again.yaml\n")
    (tmp_path / "again.yaml").symlink_to(main)
    assert problems(main) == [
        f"{main}:4:14: sections[0].include: 'again.yaml' is this file: a file cannot include "
        "itself; remove this include"
    ]


def _chain(folder: Path, files: int) -> Path:
    """main.yaml including level1.yaml including ... level{files}.yaml, which says Deep."""
    write(folder / f"level{files}.yaml", "sections:\n  - say: Deep.\n")
    for level in range(files - 1, 0, -1):
        write(folder / f"level{level}.yaml", f"sections:\n  - include: level{level + 1}.yaml\n")
    return write(folder / "main.yaml", HEAD + "sections:\n  - include: level1.yaml\n")


def test_includes_nest_to_the_depth_limit_and_no_deeper(tmp_path):
    assert load_routine(_chain(tmp_path / "ok", MAX_INCLUDE_DEPTH)).items == (Step(say="Deep."),)
    main = _chain(tmp_path / "deep", MAX_INCLUDE_DEPTH + 1)
    [problem] = problems(main)
    last = tmp_path / "deep" / f"level{MAX_INCLUDE_DEPTH}.yaml"
    assert problem.startswith(
        f"{last}:2:14: sections[0].include: includes are nested more than "
        f"{MAX_INCLUDE_DEPTH} files deep ({main} includes "
    )
    assert problem.endswith(
        f"level{MAX_INCLUDE_DEPTH + 1}.yaml): include the items from fewer levels"
    )


def test_included_items_count_in_the_routines_limits(tmp_path):
    # Up to 1,000 repetitions with a tick each: 2,000 events per inclusion.
    step = "  - say: Go.\n    each: 1s\n    repeat_cue: tick\n    max_repeat: 1000\n"
    write(tmp_path / "ticks.yaml", "sections:\n" + step)
    include = "  - include: ticks.yaml\n"
    one = load_routine(write(tmp_path / "one.yaml", HEAD + "sections:\n" + include))
    two = load_routine(write(tmp_path / "two.yaml", HEAD + "sections:\n" + include * 2))
    inline = load_routine(write(tmp_path / "inline.yaml", HEAD + "sections:\n" + step * 2))
    per_inclusion = cost.event_bound(two) - cost.event_bound(one)
    assert per_inclusion >= 2000 and cost.event_bound(two) == cost.event_bound(inline)
    times = MAX_EVENTS // per_inclusion + 1
    many = write(tmp_path / "many.yaml", HEAD + "sections:\n" + include * times)
    assert problems(many) == [
        f"{many}:4:3: sections: this routine can make up to "
        f"{cost.event_bound(one) + (times - 1) * per_inclusion:,} words, silences and cues "
        f"(at its largest repeat counts), over the limit of {MAX_EVENTS:,}: use fewer rounds, "
        "sides, repetitions or items"
    ]


def test_included_text_is_bounded_counting_each_inclusion(tmp_path):
    half = MAX_INCLUDED_BYTES // 2 + 1
    write(tmp_path / "big.yaml", "# " + "x" * (half + 10) + "\nsections: [{say: Hi.}]\n")
    assert half <= (tmp_path / "big.yaml").stat().st_size < MAX_INCLUDED_BYTES
    main = write(
        tmp_path / "main.yaml",
        HEAD + "sections:\n" + "  - include: big.yaml\n" * 2,
    )
    assert problems(main) == [
        f"{main}:5:14: sections[1].include: the files this routine includes come to over "
        f"{MAX_INCLUDED_BYTES:,} bytes (each counted every time it is included): include "
        "fewer or smaller files"
    ]


def test_a_file_included_twice_has_its_problems_reported_once(tmp_path):
    part = write(tmp_path / "part.yaml", "sections:\n  - pause: soon\n")
    main = write(
        tmp_path / "main.yaml", HEAD + "sections:\n  - include: part.yaml\n  - include: part.yaml\n"
    )
    assert problems(main) == [
        f"{part}:2:12: sections[0].pause: 'soon' is not a duration: write a duration such as "
        "90s, 1m30s, 1:30, 15m or 500ms"
    ]


def test_validate_and_plan_a_routine_with_an_include(tmp_path):
    write(tmp_path / "parts" / "warm-up.yaml", WARM_UP)
    main = write(
        tmp_path / "main.yaml",
        HEAD + "sections:\n  - for_each_side: [right, left]\n    steps:\n"
        "      - include: parts/warm-up.yaml\n  - say: Well done.\n",
    )
    result = runner.invoke(app, ["validate", str(main)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{main}: ok\n", "")
    result = runner.invoke(app, ["plan", str(main), "--engine", "pyttsx3"])
    assert result.exit_code == 0, result.stderr
    said = [line.split('"')[1] for line in result.stdout.splitlines() if '"' in line]
    assert said == ["Warm your right hand.", "Warm your left hand.", "Well done."]


def test_a_file_included_many_times_is_read_and_composed_once(tmp_path, monkeypatch):
    write(tmp_path / "part.yaml", "sections:\n  - pause: 1s\n")
    main = write(tmp_path / "main.yaml", HEAD + "sections:\n" + "  - include: part.yaml\n" * 3)
    reads = []
    real_read = includes.read_text
    monkeypatch.setattr(includes, "read_text", lambda path: reads.append(path) or real_read(path))
    assert load_routine(main).items == (Pause(1000),) * 3
    assert reads == [tmp_path / "part.yaml"]
