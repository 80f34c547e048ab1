"""--split: one file per chapter and a playlist, cut from one render at exact frames."""

import numpy as np
import pytest
from audio_utils import decode
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.errors import AudioError
from voiceguide.output.split import chapter_streams, file_names, playlist, write_folder
from voiceguide.pipeline import plan_routine
from voiceguide.plan.planner import Settings
from voiceguide.plan.timeline import Chapter

CHAPTERS = (Chapter("Welcome", None, 0, 1000), Chapter("Stroke: right/left?", "right", 1000, 2500))


@pytest.mark.parametrize("block_frames", [1, 7, 1000, 4096])
def test_streams_cut_at_exact_frames_whatever_the_block_size(block_frames):
    samples = np.arange(10_000, dtype=np.int16).reshape(-1, 1)
    blocks = [samples[i : i + block_frames] for i in range(0, len(samples), block_frames)]
    pieces = [np.concatenate(list(s)) for s in chapter_streams(blocks, [0, 3, 4000, 10_000])]
    assert [len(p) for p in pieces] == [3, 3997, 6000]
    assert np.array_equal(np.concatenate(pieces), samples)


def test_file_names_sort_in_order_and_are_safe():
    assert file_names("s", CHAPTERS, "mp3") == ["01 Welcome.mp3", "02 Stroke- right-left.mp3"]


def test_playlist_lists_every_file_with_its_length():
    assert playlist(["01 a.mp3", "02 b.mp3"], CHAPTERS, "Tiny") == (
        "#EXTM3U\n#PLAYLIST:Tiny\n#EXTINF:1,Welcome\n01 a.mp3\n"
        "#EXTINF:2,Stroke: right/left?\n02 b.mp3\n"
    )


def test_a_folder_voiceguide_did_not_make_is_never_replaced(tmp_path):
    mine = tmp_path / "photos"
    mine.mkdir()
    (mine / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(AudioError, match="is not a folder voiceguide made"):
        write_folder(mine, lambda folder: None)
    assert [p.name for p in mine.iterdir()] == ["holiday.jpg"]


def test_a_failed_split_leaves_nothing(tmp_path):
    def fail(folder):
        (folder / "01 a.mp3").write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_folder(tmp_path / "s", fail)
    assert list(tmp_path.iterdir()) == []


def test_split_render_end_to_end(tmp_path):
    routine = tmp_path / "r.yaml"
    routine.write_text(
        "version: 1\ntitle: Short\nsections:\n  - {name: One, say: Hello.}\n"
        "  - pause: 2s\n  - {name: Two, say: Goodbye., each: 2s}\n"
    )
    done = CliRunner().invoke(app, ["render", str(routine), "--split", "-o", str(tmp_path / "s")])
    assert done.exit_code == 0, done.stderr
    folder = tmp_path / "s"
    entries = (folder / "s.m3u").read_text().splitlines()
    files = [line for line in entries if not line.startswith("#")]
    assert files == ["01 One.mp3", "02 Two.mp3"]
    assert sorted(p.name for p in folder.iterdir()) == ["01 One.mp3", "02 Two.mp3", "s.m3u"]
    lengths_ms = [len(decode(folder / name)) * 1000 // 44_100 for name in files]
    timeline = plan_routine(str(routine), Settings())
    for length_ms, chapter in zip(lengths_ms, timeline.chapters, strict=True):
        assert abs(length_ms - (chapter.end_ms - chapter.start_ms)) <= 50  # the duration bar
