"""Where renders go, as a user meets it: only regular files are replaced, `-o -` streams,
folders and names are checked before any work, `new` and `--split` stay in their folder,
and a routine name never resolves to a folder.

Real `voiceguide` processes where a process is what is tested (standard output as a pipe, a
kill, a patched module), else the Typer app in process; the real speech engine and ffmpeg.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mutagen import File as MutagenFile
from test_files import char_device
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.output.tags import read_info

EXE = Path(sys.executable).with_name("voiceguide")
TIMEOUT_S = 120
ROUTINE = """\
version: 1
title: Tiny
sections:
  - name: Start
    say: Hello.
  - name: Rest
    pause: 2s
  - name: End
    say: Done.
"""
runner = CliRunner()


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "tiny.yaml").write_text(ROUTINE, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def voiceguide(*args: str, cwd: Path, **popen: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(EXE), *args], cwd=cwd, capture_output=True, timeout=TIMEOUT_S, check=False, **popen
    )  # type: ignore[call-overload, no-any-return]


def refused(args: list[str], private_cache_dir: Path) -> tuple[int, str]:
    """Exit code and stderr of a command that must stop before synthesizing anything."""
    result = runner.invoke(app, args)
    assert not private_cache_dir.exists(), "speech was synthesized before the refusal"
    return result.exit_code, result.stderr


# --- only regular files are replaced ---------------------------------------------------------


def test_a_fifo_as_output_is_left_alone_before_any_work(work, private_cache_dir):
    os.mkfifo(work / "out.mp3")
    code, stderr = refused(["render", "tiny", "-o", "out.mp3"], private_cache_dir)
    assert (code, stderr) == (
        2,
        "out.mp3 is a FIFO (named pipe), not a regular file: voiceguide only replaces "
        "regular files; choose another -o\n",
    )
    assert stat.S_ISFIFO((work / "out.mp3").lstat().st_mode)
    assert sorted(p.name for p in work.iterdir()) == ["out.mp3", "tiny.yaml"]


def test_a_device_as_output_is_still_a_device_after_a_render_attempt(work, private_cache_dir):
    device = char_device(work)
    code, stderr = refused(["render", "tiny", "-o", str(device)], private_cache_dir)
    assert code == 2
    assert "is a character device, not a regular file" in stderr
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_a_folder_as_output_is_refused_without_split(work, private_cache_dir):
    (work / "sessions").mkdir()
    code, stderr = refused(["render", "tiny", "-o", "sessions"], private_cache_dir)
    assert (code, stderr) == (
        2,
        "sessions is a folder: give a file name such as sessions/session.mp3, or add --split "
        "for one file per chapter in that folder\n",
    )


def test_a_name_too_long_for_the_file_system_is_refused_before_any_work(work, private_cache_dir):
    name = "n" * 300 + ".mp3"
    code, stderr = refused(["render", "tiny", "-o", name], private_cache_dir)
    assert code == 2
    assert "the name is 304 bytes, longer than the file system allows (255)" in stderr
    code, stderr = refused(["render", "tiny", "--split", "-o", "n" * 300], private_cache_dir)
    assert code == 2
    assert "longer than the file system allows" in stderr


def test_a_transcript_target_that_is_a_fifo_is_refused_before_any_work(work, private_cache_dir):
    os.mkfifo(work / "out.srt")
    code, stderr = refused(
        ["render", "tiny", "-o", "out.mp3", "--transcript", "srt"], private_cache_dir
    )
    assert code == 2
    assert stderr.startswith("out.srt is a FIFO (named pipe), not a regular file")
    assert stat.S_ISFIFO((work / "out.srt").lstat().st_mode)


def test_a_split_target_that_is_a_file_is_refused_before_any_work(work, private_cache_dir):
    (work / "notes").write_text("mine")
    code, stderr = refused(["render", "tiny", "--split", "-o", "notes"], private_cache_dir)
    assert (code, stderr) == (
        2,
        "notes is a file: --split writes a folder there and replaces only a folder "
        "voiceguide made; choose another -o\n",
    )
    assert (work / "notes").read_text() == "mine"


def test_a_link_to_a_regular_file_is_written_through(work):
    real = work / "library" / "tiny.mp3"
    real.parent.mkdir()
    real.write_bytes(b"old")
    (work / "tiny.mp3").symlink_to(real)
    done = runner.invoke(app, ["render", "tiny", "-o", "tiny.mp3"])
    assert done.exit_code == 0, done.stderr
    assert (work / "tiny.mp3").is_symlink()
    assert read_info(real).chapters[0].title == "Start"


def test_an_output_that_becomes_a_fifo_while_rendering_is_left_alone(work):
    """The check right before the rename: a FIFO made during the render is not replaced."""
    out = work / "late.wav"
    prelude = f"""
import os
from voiceguide.output import export
real = export.write_tags
def make_fifo_first(*args, **kwargs):
    os.mkfifo({str(out)!r})
    return real(*args, **kwargs)
export.write_tags = make_fifo_first
from voiceguide.cli import main
import sys
sys.argv = ["voiceguide", "render", "tiny", "--format", "wav", "-o", {str(out)!r}]
main()
"""
    done = subprocess.run(
        [sys.executable, "-c", prelude], cwd=work, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.endswith(
        "late.wav became a FIFO (named pipe) while rendering: it was left alone and nothing "
        "was written; choose another -o\n"
    )
    assert stat.S_ISFIFO(out.lstat().st_mode)
    assert sorted(p.name for p in work.iterdir()) == ["late.wav", "tiny.yaml"]


def test_a_cover_that_is_no_image_or_too_big_is_refused_before_any_work(work, private_cache_dir):
    (work / "notes.png").write_text("not an image")
    code, stderr = refused(["render", "tiny", "--cover", "notes.png"], private_cache_dir)
    assert (code, stderr) == (
        2,
        "cover notes.png: not a PNG or JPEG image (its first bytes say otherwise); "
        "give a .png or .jpg image\n",
    )
    with (work / "huge.png").open("wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n")
        file.truncate(29_000_000)
    code, stderr = refused(["render", "tiny", "--cover", "huge.png"], private_cache_dir)
    assert code == 2
    assert stderr.startswith("cover huge.png: 29,000,000 bytes, over the 10,000,000")
    assert sorted(p.name for p in work.iterdir()) == ["huge.png", "notes.png", "tiny.yaml"]


# --- -o - ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_dash_writes_the_same_file_to_standard_output(work, fmt):
    to_file = runner.invoke(app, ["render", "tiny", "--format", fmt, "-o", f"tiny.{fmt}"])
    assert to_file.exit_code == 0, to_file.stderr
    streamed = voiceguide("render", "tiny", "--format", fmt, "-o", "-", cwd=work)
    assert streamed.returncode == 0, streamed.stderr
    assert streamed.stdout == (work / f"tiny.{fmt}").read_bytes()  # chapters and tags too
    assert streamed.stderr.decode().startswith("-: 0:0")  # the summary is not in the audio
    assert sorted(p.name for p in work.iterdir()) == [f"tiny.{fmt}", "tiny.yaml"]


def test_dash_refuses_split_and_transcripts(work, private_cache_dir):
    code, stderr = refused(["render", "tiny", "-o", "-", "--split"], private_cache_dir)
    assert (code, stderr) == (
        2,
        "-o - cannot take --split: those write files by name; give -o a file or folder name\n",
    )
    code, _ = refused(["render", "tiny", "-o", "-", "--sidecars"], private_cache_dir)
    assert code == 2


def test_dash_to_a_reader_that_stops_is_one_line(work):
    # Longer than a pipe's buffer, so the writer notices the reader has gone.
    (work / "long.yaml").write_text(ROUTINE.replace("pause: 2s", "pause: 60s"), encoding="utf-8")
    reader = subprocess.Popen(
        [sys.executable, "-c", "import os; os.write(1, os.read(0, 4))"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert reader.stdin is not None
    done = subprocess.run(
        [str(EXE), "render", "long.yaml", "--format", "wav", "-o", "-"],
        cwd=work,
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        timeout=TIMEOUT_S,
        check=False,
    )
    reader.stdin.close()
    assert reader.stdout is not None
    assert reader.stdout.read() == b"RIFF"
    assert reader.wait(timeout=TIMEOUT_S) == 0
    assert (done.returncode, done.stderr) == (
        1,
        b"standard output was closed before the end of the audio (did the program reading "
        b"it stop?)\n",
    )


# --- --split ---------------------------------------------------------------------------------


def test_a_split_render_killed_outright_is_cleaned_by_the_next(work):
    target = work / "long"
    # A long middle chapter: the render is killed while writing it.
    (work / "tiny.yaml").write_text(ROUTINE.replace("pause: 2s", "pause: 30m"), encoding="utf-8")
    child = subprocess.Popen(
        [str(EXE), "render", "tiny", "--split", "--format", "wav", "-o", "long"],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + TIMEOUT_S

    def part_folders() -> list[Path]:
        return [p for p in work.iterdir() if p.name.startswith(".long.") and p.is_dir()]

    while not (part_folders() and any(part_folders()[0].iterdir())):
        assert time.monotonic() < deadline, "the split render never started writing"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=TIMEOUT_S)
    [left] = part_folders()
    assert left.name.startswith(f".long.{child.pid}.") and left.name.endswith(".part")
    (work / "tiny.yaml").write_text(ROUTINE, encoding="utf-8")
    done = runner.invoke(app, ["render", "tiny", "--split", "-o", "long"])
    assert done.exit_code == 0, done.stderr
    assert sorted(p.name for p in work.iterdir()) == ["long", "tiny.yaml"]
    assert sorted(p.name for p in target.iterdir()) == [
        "01 Start.mp3",
        "02 Rest.mp3",
        "03 End.mp3",
        "long.m3u",
    ]


def test_split_chapter_names_cannot_leave_the_folder(work):
    (work / "escape.yaml").write_text(
        ROUTINE.replace("name: Start", "name: ../../outside").replace("name: End", "name: /etc"),
        encoding="utf-8",
    )
    done = runner.invoke(app, ["render", "escape", "--split", "-o", "out"])
    assert done.exit_code == 0, done.stderr
    assert sorted(p.name for p in work.iterdir()) == ["escape.yaml", "out", "tiny.yaml"]
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        "01 outside.mp3",
        "02 Rest.mp3",
        "03 etc.mp3",
        "out.m3u",
    ]


# --- a folder is never a routine -------------------------------------------------------------


def test_after_a_split_render_the_name_still_means_the_routine(work):
    done = runner.invoke(app, ["render", "tiny", "--split"])
    assert done.exit_code == 0, done.stderr
    assert (work / "tiny").is_dir()
    (work / "tiny.yaml").rename(work / "tiny.yml")
    for command in (["plan", "tiny"], ["render", "tiny"]):
        done = runner.invoke(app, command)
        assert done.exit_code == 0, (command, done.stderr)
    assert MutagenFile(work / "tiny.mp3") is not None


def test_a_template_name_is_found_past_a_folder_of_that_name(work):
    (work / "hand-massage-quick").mkdir()
    result = runner.invoke(app, ["plan", "hand-massage-quick"])
    assert result.exit_code == 0, result.stderr
    assert "Total" in result.stdout or "total" in result.stdout


def test_a_folder_that_is_no_template_is_named_in_the_message(work):
    (work / "sessions").mkdir()
    result = runner.invoke(app, ["plan", "sessions"])
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "(./sessions is a folder, not a routine: give the routine file in it)\n"
    )


# --- new stays in its folder -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["../escape", "/tmp/escape", "sub/../../escape"])
def test_new_refuses_a_name_that_leaves_the_folder(work, name):
    result = runner.invoke(app, ["new", name])
    assert result.exit_code == 2
    assert result.stderr == (
        f"'{name}' leaves the current folder: new writes NAME.yaml here or in a folder below; "
        "go to the folder you want (cd) and run 'voiceguide new escape'\n"
    )
    assert not (work.parent / "escape.yaml").exists()
    assert not Path("/tmp/escape.yaml").exists()


def test_new_refuses_a_link_out_of_the_folder(work, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (work / "linked").symlink_to(outside)
    result = runner.invoke(app, ["new", "linked/mine"])
    assert result.exit_code == 2
    assert "leads out of the current folder through a link" in result.stderr
    assert list(outside.iterdir()) == []


# --- info --------------------------------------------------------------------------------------


def test_info_never_prints_control_characters_from_tags(work, tmp_path):
    done = runner.invoke(app, ["render", "tiny", "-o", "tiny.mp3"])
    assert done.exit_code == 0, done.stderr
    from mutagen.id3 import TIT2

    audio = MutagenFile(work / "tiny.mp3")
    audio.tags.add(TIT2(encoding=3, text=["\x1b]0;owned\x07 title"]))
    audio.save()
    result = runner.invoke(app, ["info", "tiny.mp3"])
    assert result.exit_code == 0
    assert "  title: \\x1b]0;owned\\x07 title\n" in result.stdout
    assert not any(ord(c) < 0x20 and c != "\n" for c in result.stdout)


def test_info_on_a_fifo_says_so_at_once(work):
    os.mkfifo(work / "live.mp3")
    done = voiceguide("info", "live.mp3", cwd=work)
    assert (done.returncode, done.stderr) == (
        1,
        b"live.mp3: is a FIFO (named pipe), not an audio file; give a file\n",
    )


@pytest.mark.parametrize("command", ["new", "plan", "validate", "info"])
@pytest.mark.parametrize("name", ["a" * 300, "a/" * 3000 + "x"])
def test_names_too_long_for_the_file_system_are_one_line(work, command, name):
    result = runner.invoke(app, [command, name])
    assert result.exit_code in (1, 2)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.count("\n") == 1


def test_new_writes_whole_files_and_leaves_no_part(work):
    result = runner.invoke(app, ["new", "mine"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in work.iterdir()) == [
        "mine.yaml",
        "routine.schema.json",
        "tiny.yaml",
    ]
    again = runner.invoke(app, ["new", "mine"])
    assert again.exit_code == 1
    assert sorted(p.name for p in work.iterdir()) == [
        "mine.yaml",
        "routine.schema.json",
        "tiny.yaml",
    ]
