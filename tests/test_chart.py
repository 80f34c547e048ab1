"""`voiceguide plan --chart`: the timeline drawn as SVG or PNG, the same bytes for the same
plan, written as every output is, and matplotlib loaded only for it."""

import functools
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.errors import UsageError
from voiceguide.output.chart import ChartUnavailable, bed_levels, chart_bytes, write_chart
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine.loader import load_routine
from voiceguide.routine.templates import template_path
from voiceguide.tts.fake import speech_ms

runner = CliRunner()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


def timeline_of(template: str, **settings):
    return plan(load_routine(template_path(template)), speech_ms, Settings(**settings))


@functools.cache
def drawn(template: str, image_format: str, **settings) -> bytes:
    """The template's chart, drawn once for the module: a drawing takes 0.5 to 0.9 s."""
    return chart_bytes(timeline_of(template, **settings), image_format)


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_the_cli_writes_an_svg_with_every_chapter_title_and_still_prints_the_table(tmp_path):
    out = tmp_path / "plan.svg"
    result = runner.invoke(app, ["plan", "hand-massage-quick", "--chart", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["start", "section", "side", "what", "duration"]
    assert result.stderr.endswith(f"chart: {out}\n")
    texts = svg_texts(out.read_bytes())
    titles = {c.title for c in timeline_of("hand-massage-quick").chapters}
    assert titles <= set(texts)
    assert "time (m:ss)" in texts and "5:00" in texts  # the axis reads in minutes
    assert [p.name for p in tmp_path.iterdir()] == ["plan.svg"]  # no part file left


def test_a_png_is_a_png_and_the_bedtime_chart_has_a_pace_lane(tmp_path):
    timeline = timeline_of("hand-massage-bedtime", lead_in_ms=30_000)
    write_chart(timeline, tmp_path / "night.PNG")
    data = (tmp_path / "night.PNG").read_bytes()
    assert data.startswith(PNG_MAGIC)
    svg = drawn("hand-massage-bedtime", "svg", lead_in_ms=30_000)
    day = drawn("hand-massage-quick", "svg")
    assert "pace" in svg_texts(svg) and "pace" not in svg_texts(day)
    assert {"lead-in 0:30", "tail, fading out 5:00"} <= set(svg_texts(svg))


@pytest.mark.parametrize("image_format", ["svg", "png"])
def test_the_same_plan_gives_the_same_bytes(image_format):
    first = drawn("hand-massage-quick", image_format)
    assert chart_bytes(timeline_of("hand-massage-quick"), image_format) == first
    if image_format == "svg":
        assert b"<dc:date>" not in first
        # Another plan draws another chart (checked in one format: a drawing takes 0.5-0.9 s).
        assert chart_bytes(timeline_of("hand-massage-quick", pace=0.8), image_format) != first


def test_the_bed_ducks_as_the_plan_says_and_fades_at_both_ends():
    timeline = timeline_of("hand-massage-quick")
    times_ms, levels_db = bed_levels(timeline)
    full_db = timeline.background.level_db
    middle = timeline.total_ms // 2
    duck = next(d for d in timeline.mix.ducks if d.start_ms > middle and d.depth_db > 0)
    quiet = next(
        e
        for e in timeline.events
        if e.start_ms > middle and e.kind == "silence" and e.duration_ms > 3000
    )
    assert times_ms == sorted(times_ms)
    under_db = np.interp((duck.start_ms + duck.end_ms) / 2, times_ms, levels_db)
    assert under_db == pytest.approx(full_db - duck.depth_db, abs=0.01)
    assert np.interp(quiet.start_ms + 1500, times_ms, levels_db) == pytest.approx(full_db)
    assert min(levels_db) < full_db - 30  # silent at the very start and end
    assert levels_db[0] == levels_db[-1] == min(levels_db)
    assert max(levels_db) == pytest.approx(full_db)


def test_the_chart_option_loads_matplotlib_and_nothing_else_does():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from voiceguide.cli import app\n"
        "for args in (['--help'], ['plan', '--help'], ['plan', 'hand-massage-quick']):\n"
        "    result = CliRunner().invoke(app, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'PIL')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


def test_without_matplotlib_the_option_exits_2_naming_the_pip_command(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    out = tmp_path / "plan.svg"
    result = runner.invoke(app, ["plan", "hand-massage-quick", "--chart", str(out)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "--chart draws with matplotlib, which is not installed: "
        "pip install 'voiceguide[chart]' (or pip install matplotlib)\n"
    )
    assert not out.exists()
    with pytest.raises(ChartUnavailable):
        chart_bytes(timeline_of("hand-massage-quick"), "svg")


@pytest.mark.parametrize("name", ["plan.pdf", "plan", "plan.svg.txt"])
def test_a_name_that_is_neither_svg_nor_png_exits_2_naming_the_option(tmp_path, name):
    result = runner.invoke(app, ["plan", "hand-massage-quick", "--chart", str(tmp_path / name)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Invalid value for '--chart'" in result.stderr
    assert f"{name} ends in neither .svg nor .png" in result.stderr
    with pytest.raises(UsageError):
        write_chart(timeline_of("hand-massage-quick"), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_or_a_fifo_is_never_replaced(tmp_path):
    folder = tmp_path / "plan.svg"
    folder.mkdir()
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    for target, kind in ((folder, "a folder"), (fifo, "a FIFO (named pipe)")):
        result = runner.invoke(app, ["plan", "hand-massage-quick", "--chart", str(target)])
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == (
            f"{target} is {kind}, not a regular file: voiceguide only replaces regular files; "
            "choose another --chart\n"
        )
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert Path(fifo).is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.png", "plan.svg"]


def test_a_regular_file_is_replaced_whole(tmp_path):
    out = tmp_path / "plan.svg"
    out.write_text("old")
    write_chart(timeline_of("hand-massage-quick"), out)
    assert out.read_bytes() == drawn("hand-massage-quick", "svg")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.svg"]


def test_an_empty_name_or_a_missing_folder_is_refused_before_planning(tmp_path):
    result = runner.invoke(app, ["plan", "hand-massage-quick", "--chart", ""])
    assert result.exit_code == 2
    assert "Invalid value for '--chart': no file given: name the picture" in result.stderr
    missing = tmp_path / "charts" / "plan.svg"
    result = runner.invoke(app, ["plan", "hand-massage-quick", "--chart", str(missing)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"cannot write {missing}: there is no folder {missing.parent}; create it, or choose "
        "another --chart\n"
    )
    assert list(tmp_path.iterdir()) == []
