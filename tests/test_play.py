"""`voiceguide play` with a stand-in player that records what it was asked to play."""

import json
import shlex
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voiceguide import pipeline, play
from voiceguide.cli import app
from voiceguide.output.tags import read_info
from voiceguide.pipeline import plan_routine
from voiceguide.plan.planner import Settings
from voiceguide.tts.cache import CACHE_DIR_ENV, LAYOUT

runner = CliRunner()
SHORT = ["hand-massage-quick", "--pace", "2", "--length", "2:30"]  # renders in about a second
DURATION_TOLERANCE_MS = 60  # mutagen reads a FLAC's length to the frame; cutting adds a frame

# Records its arguments, and keeps a copy of the file it was given (a cut copy is deleted
# as soon as the player ends). Exits with the code in STAND_IN_EXIT, if set.
STAND_IN = """\
import json, os, shutil, sys
record, played = sys.argv[1], sys.argv[-1]
shutil.copy(played, record + os.path.splitext(played)[1])
with open(record, "a") as f:
    f.write(json.dumps(sys.argv[2:]) + "\\n")
sys.exit(int(os.environ.get("STAND_IN_EXIT", "0")))
"""


@pytest.fixture(scope="module")
def play_cache_dir(shared_cache_dir, tmp_path_factory):
    """play keeps its renders in the cache directory: this module's tests share one, with
    none there at the start (the first `play` of SHORT renders it, the others reuse it: what
    they check is not the render), while the speech clips are the run's (LAYOUT is the clips'
    folder in the cache)."""
    cache_dir = tmp_path_factory.mktemp("play-cache")
    (shared_cache_dir / LAYOUT).mkdir(exist_ok=True)
    (cache_dir / LAYOUT).symlink_to(shared_cache_dir / LAYOUT, target_is_directory=True)
    return cache_dir


@pytest.fixture(autouse=True)
def play_folder(speech_cache_dir, play_cache_dir, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(play_cache_dir))


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """Set VOICEGUIDE_PLAYER to the stand-in plus ``extra`` arguments; returns the record."""
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    record = tmp_path / "played"

    def use(*extra: str) -> Path:
        command = [sys.executable, str(script), str(record), *extra]
        monkeypatch.setenv(play.PLAYER_ENV, shlex.join(command))
        return record

    return use


def calls(record: Path) -> list[list[str]]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_play_renders_then_starts_the_player_at_the_chosen_step(stand_in):
    record = stand_in("--start={start}", "{file}")
    result = runner.invoke(app, ["play", *SHORT, "--from", "thumb"])
    assert result.exit_code == 0, result.stderr
    timeline = plan_routine("hand-massage-quick", Settings(pace=2.0, length_ms=150_000))
    chapter = next(c for c in timeline.chapters if c.title == "Thumb circles (right)")
    assert result.stdout.startswith("playing Thumb circles (right) (")
    [argv] = calls(record)
    assert argv[0] == f"--start={chapter.start_ms / 1000:.3f}"
    session = Path(argv[1])
    assert session.suffix == ".flac" and session.parent.name == play.PLAY_DIR
    assert abs(read_info(session).duration_ms - timeline.total_ms) <= DURATION_TOLERANCE_MS


def test_play_again_reuses_the_render_and_a_changed_routine_replaces_it(
    stand_in, tmp_path, monkeypatch
):
    record = stand_in()
    routine = tmp_path / "mine.yaml"
    routine.write_text("version: 1\ntitle: Mine\nsections:\n  - say: Hello.\n  - pause: 2s\n")
    loads = []
    real_load = pipeline.load_routine
    monkeypatch.setattr(
        pipeline, "load_routine", lambda path: loads.append(path) or real_load(path)
    )
    first = play.prepare_playback(str(routine), Settings())
    assert len(loads) == 1  # loaded and planned once, for --from and for the render
    again = play.prepare_playback(str(routine), Settings())
    assert (first.rendered, again.rendered, again.path) == (True, False, first.path)
    routine.write_text(routine.read_text().replace("Hello.", "Hello there."))
    changed = play.prepare_playback(str(routine), Settings())
    assert changed.rendered and not first.path.exists()  # one session per routine in the cache
    play.play_session(changed)
    assert calls(record) == [[str(changed.path)]]


def test_a_changed_included_file_renders_again(stand_in, tmp_path):
    stand_in()
    part = tmp_path / "parts" / "warm-up.yaml"
    part.parent.mkdir()
    part.write_text("sections:\n  - say: Warm up.\n")
    routine = tmp_path / "with-part.yaml"  # not mine.yaml: one play folder
    routine.write_text("version: 1\ntitle: Mine\nsections:\n  - include: parts/warm-up.yaml\n")
    first = play.prepare_playback(str(routine), Settings())
    again = play.prepare_playback(str(routine), Settings())
    assert (first.rendered, again.rendered, again.path) == (True, False, first.path)
    part.write_text("sections:\n  - say: Warm up slowly.\n")  # the routine's text is the same
    changed = play.prepare_playback(str(routine), Settings())
    assert changed.rendered and changed.path != first.path and not first.path.exists()


@pytest.mark.usefixtures("each_ffmpeg")
def test_a_player_that_cannot_seek_gets_a_copy_cut_at_the_step(stand_in):
    record = stand_in()  # no {start}
    result = runner.invoke(app, ["play", *SHORT, "--from", "left"])
    assert result.exit_code == 0, result.stderr
    timeline = plan_routine("hand-massage-quick", Settings(pace=2.0, length_ms=150_000))
    left = next(c for c in timeline.chapters if c.title == "Left hand and forearm")
    [[played]] = calls(record)
    assert Path(played).name == f"from-{left.start_ms}ms.wav"
    assert not Path(played).exists()  # removed after playing
    kept = Path(str(record) + ".wav")
    expected_ms = timeline.total_ms - left.start_ms
    assert abs(read_info(kept).duration_ms - expected_ms) <= DURATION_TOLERANCE_MS


def test_from_that_matches_nothing_lists_the_chapters_and_exits_2(stand_in):
    record = stand_in()
    result = runner.invoke(app, ["play", "hand-massage-quick", "--from", "elbow grease"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "--from 'elbow grease' matches no chapter: chapters are Welcome, Settle in, "
        "Right hand and forearm, Stroke the forearm (right), Stroke the hand (right), "
        "Thumb circles (right), Left hand and forearm, Stroke the forearm (left), "
        "Stroke the hand (left), Thumb circles (left), Closing\n"
    )
    assert not record.exists()


def test_from_prefers_a_title_that_starts_with_the_text():
    timeline = plan_routine("hand-massage-quick", Settings())
    assert play.chapter_start(timeline, "LEFT")[1] == "Left hand and forearm"
    assert play.chapter_start(timeline, "hand (left)")[1] == "Stroke the hand (left)"
    assert play.chapter_start(timeline, None) == (0, "Welcome")


def test_no_player_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv(play.PLAYER_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(app, ["play", "hand-massage-quick"])
    assert (result.exit_code, result.stderr) == (1, play.NO_PLAYER + "\n")


@pytest.mark.skipif(sys.platform != "linux", reason="the sound-output check is Linux only")
def test_no_sound_output_says_so_before_rendering(monkeypatch, tmp_path):
    fake = tmp_path / "ffplay"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.delenv(play.PLAYER_ENV, raising=False)
    monkeypatch.delenv("PULSE_SERVER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setattr(play, "SOUND_DEVICES", (str(tmp_path / "no-snd"),))
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))  # a play folder of its own
    result = runner.invoke(app, ["play", "hand-massage-quick"])
    assert result.exit_code == 1
    assert result.stderr.startswith("no audio output: this machine has no sound device")
    assert not (tmp_path / "cache" / play.PLAY_DIR).exists()


def test_known_players_are_found_on_path_with_their_seek_option(monkeypatch, tmp_path):
    fake = tmp_path / "mpv"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.delenv(play.PLAYER_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PULSE_SERVER", "unix:/somewhere")
    player = play.find_player()
    assert player.name == "mpv" and player.seeks
    assert player.argv(Path("s.flac"), 61_500) == [
        str(fake),
        "--no-video",
        "--really-quiet",
        "--start=61.500",
        "s.flac",
    ]


def test_a_failing_player_is_a_clear_error(stand_in, monkeypatch):
    stand_in()
    monkeypatch.setenv("STAND_IN_EXIT", "3")
    result = runner.invoke(app, ["play", *SHORT])
    assert result.exit_code == 1
    player = Path(sys.executable).name
    assert result.stderr.startswith(f"{player} stopped with exit code 3 (is there an audio")


def test_a_missing_player_command_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(play.PLAYER_ENV, "no-such-player --loud")
    playback = play.Playback(Path("s.flac"), 0, "Welcome", play.find_player(), rendered=False)
    with pytest.raises(play.AudioError, match="cannot run the player 'no-such-player'"):
        play.play_session(playback)


def test_play_has_help_with_an_example():
    result = runner.invoke(app, ["play", "--help"])
    assert result.exit_code == 0
    assert "Example: voiceguide play hand-massage --from pinch" in result.stdout


def test_play_finds_the_template_past_a_folder_of_its_name(stand_in, tmp_path, monkeypatch):
    """`render hand-massage-quick --split` makes ./hand-massage-quick/: play still works."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hand-massage-quick").mkdir()
    record = stand_in("{file}")
    result = runner.invoke(app, ["play", *SHORT])
    assert result.exit_code == 0, result.stderr
    [argv] = calls(record)
    assert read_info(Path(argv[-1])).duration_ms > 0
