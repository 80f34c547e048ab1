"""`voiceguide play`: render a routine into the cache and play it through the system's player.

The player is ``$VOICEGUIDE_PLAYER`` when set (a command line, split like a shell would but
never run through one), else the first of ffplay, mpv, paplay, pw-play, aplay and afplay
found on PATH. In a player's command ``{file}`` stands for the audio file (appended when
absent) and ``{start}`` for the seconds to start at; a player without ``{start}`` gets a copy
of the session cut at that point instead.

The rendered session is kept in the cache under a name made from the routine's text, the
settings and the content of its sound files, so playing it again (from another step, say)
starts at once; a newer render of the same routine replaces it, so the cache holds one
session per routine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from voiceguide import __version__
from voiceguide.errors import AudioError, ExitCode, VoiceguideError
from voiceguide.pipeline import Planned, plan_request, render_planned
from voiceguide.plan.planner import Settings
from voiceguide.plan.timeline import Timeline
from voiceguide.request import Progress, RenderRequest
from voiceguide.routine.source import read_text
from voiceguide.routine.templates import resolve
from voiceguide.tts.base import Clip
from voiceguide.tts.cache import default_cache_dir

PLAYER_ENV = "VOICEGUIDE_PLAYER"
PLAY_DIR = "play"  # inside the cache directory
# Where Linux exposes sound: a device, or a PulseAudio or PipeWire server's socket.
SOUND_DEVICES = ("/dev/snd",)
SOUND_SOCKETS = ("pulse/native", "pipewire-0")  # under $XDG_RUNTIME_DIR


@dataclass(frozen=True)
class Player:
    name: str
    command: tuple[str, ...]  # may hold {file} and {start}
    format: str = "flac"  # what the player is given

    @property
    def seeks(self) -> bool:
        return any("{start}" in part for part in self.command)

    def argv(self, path: Path, start_ms: int) -> list[str]:
        start = f"{start_ms / 1000:.3f}"
        argv = [
            part.replace("{file}", str(path)).replace("{start}", start) for part in self.command
        ]
        return argv if any("{file}" in part for part in self.command) else [*argv, str(path)]


KNOWN_PLAYERS = (
    Player("ffplay", ("ffplay", "-nodisp", "-autoexit", "-loglevel", "error", "-ss", "{start}")),
    Player("mpv", ("mpv", "--no-video", "--really-quiet", "--start={start}")),
    Player("paplay", ("paplay",)),
    Player("pw-play", ("pw-play",)),
    Player("aplay", ("aplay", "-q"), format="wav"),
    Player("afplay", ("afplay",), format="wav"),
)
NO_PLAYER = (
    "no audio player found: install ffplay (part of ffmpeg: 'apt-get install ffmpeg' or "
    "'brew install ffmpeg') or mpv, or set VOICEGUIDE_PLAYER to a command that plays a file"
)


class StepNotFound(VoiceguideError):
    """``--from`` names no chapter of the session (a usage error)."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class Playback:
    path: Path  # the whole rendered session
    start_ms: int
    chapter: str  # the chapter playback starts at
    player: Player
    rendered: bool  # False: the cache already held this session


def prepare_playback(
    routine: str,
    settings: Settings,
    from_step: str | None = None,
    progress: Progress | None = None,
    engine: str | None = None,
) -> Playback:
    """Find a player, then render the session into the cache unless it is there already."""
    player = find_player()
    folder = default_cache_dir() / PLAY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    request = RenderRequest(
        routine=routine,
        out_path=folder / f"session.{player.format}",  # named once the voice is known
        settings=settings,
        format=player.format,
        engine=engine,
    )
    planned = plan_request(request, progress)  # loaded and planned once: --from and render
    speech = planned.speech
    voice = [planned.engine.engine, speech.voice, speech.voice_digest]
    sounds = [*voice, *_sound_digests(planned)]
    path = _cached_path(routine, settings, player.format, sounds, planned.routine.includes)
    request = replace(request, out_path=path)
    start_ms, chapter = chapter_start(planned.timeline, from_step)
    rendered = not path.is_file()
    if rendered:
        render_planned(planned, request, progress)
        _remove_older(path)
    return Playback(path, start_ms, chapter, player, rendered)


def play_session(playback: Playback) -> None:
    """Run the player until it ends; a player that cannot seek gets a copy cut at the start."""
    if playback.start_ms and not playback.player.seeks:
        with tempfile.TemporaryDirectory(prefix="voiceguide-play-") as folder:
            # WAV: ffmpeg's FLAC encoder refuses the short first block a cut can start with.
            cut = Path(folder) / f"from-{playback.start_ms}ms.wav"
            _cut(playback.path, cut, playback.start_ms)
            _run(playback.player, playback.player.argv(cut, 0), playback.path)
    else:
        argv = playback.player.argv(playback.path, playback.start_ms)
        _run(playback.player, argv, playback.path)


def play_clip(clip: Clip) -> None:
    """Play one clip (``voiceguide say``) through the same player as a session."""
    player = find_player()
    with tempfile.TemporaryDirectory(prefix="voiceguide-say-") as folder:
        path = Path(folder) / "sample.wav"
        path.write_bytes(clip.wav_bytes())
        _run(player, player.argv(path, 0), path)


def find_player() -> Player:
    """``$VOICEGUIDE_PLAYER``, else the first known player on PATH (with a sound output)."""
    configured = os.environ.get(PLAYER_ENV, "").strip()
    if configured:
        try:
            command = tuple(shlex.split(configured))
        except ValueError as error:
            raise AudioError(f"{PLAYER_ENV} is not a valid command line: {error}") from None
        return Player(Path(command[0]).name, command)
    for player in KNOWN_PLAYERS:
        found = shutil.which(player.command[0])
        if found:
            _check_sound_output()
            return Player(player.name, (found, *player.command[1:]), player.format)
    raise AudioError(NO_PLAYER)


def chapter_start(timeline: Timeline, step: str | None) -> tuple[int, str]:
    """The start and title of the first chapter whose title begins with ``step``, else of the
    first that contains it (ignoring case); the first chapter when ``step`` is None."""
    chapters = timeline.chapters
    if not chapters:
        return 0, timeline.title
    if step is None:
        return chapters[0].start_ms, chapters[0].title
    wanted = step.strip().casefold()
    for matches in (str.startswith, str.__contains__):
        for chapter in chapters:
            if wanted and matches(chapter.title.casefold(), wanted):
                return chapter.start_ms, chapter.title
    titles = ", ".join(dict.fromkeys(c.title for c in chapters))
    raise StepNotFound(f"--from '{step}' matches no chapter: chapters are {titles}")


def _check_sound_output() -> None:
    """On Linux, a clear message instead of a player failing on a machine with no sound."""
    if sys.platform != "linux" or os.environ.get("PULSE_SERVER"):
        return
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    places = [Path(p) for p in SOUND_DEVICES]
    places += [Path(runtime, s) for s in SOUND_SOCKETS] if runtime else []
    if not any(place.exists() for place in places):
        raise AudioError(
            "no audio output: this machine has no sound device and no PulseAudio or PipeWire "
            "server; make a file with 'voiceguide render' and play it elsewhere, or set "
            "VOICEGUIDE_PLAYER"
        )


def _cached_path(
    routine: str,
    settings: Settings,
    audio_format: str,
    voice: list[str | None],
    includes: tuple[tuple[str, str], ...] = (),
) -> Path:
    """Named by everything that changes the audio: routine text (and the text of each file
    it includes: ``includes`` holds their digests), settings, the engine and voice and
    the content of each sound file (in ``voice``), version."""
    source = resolve(routine)
    # read_text refuses what is not a regular routine file (a folder, a FIFO, a device) with
    # a located line, before any work and without waiting on it.
    digest = hashlib.sha256(read_text(source).encode("utf-8"))
    digest.update(json.dumps([__version__, repr(settings), audio_format, voice]).encode())
    digest.update(json.dumps(includes).encode())
    name = f"{source.stem}-{digest.hexdigest()[:16]}.{audio_format}"
    return default_cache_dir() / PLAY_DIR / name


def _sound_digests(planned: Planned) -> list[str]:
    """The content of every sound file the session plays (cues, recordings, the bed), so
    that editing one renders the session again."""
    from voiceguide.audio.user_sounds import file_digests

    routine = planned.routine
    paths = [path for _, path in routine.sound_files]
    if planned.timeline.background.file:
        paths.append(planned.timeline.background.file)
    return [f"{path}={digest}" for path, digest in file_digests(paths).items()]


def _remove_older(path: Path) -> None:
    """Earlier renders of the same routine: one session per routine is enough."""
    older = re.compile(re.escape(path.stem.rsplit("-", 1)[0]) + r"-[0-9a-f]{16}\.\w+")
    for other in path.parent.iterdir():
        if other != path and older.fullmatch(other.name):
            other.unlink(missing_ok=True)


def _cut(source: Path, target: Path, start_ms: int) -> None:
    from voiceguide import ffmpeg

    arguments = ["-y", "-ss", f"{start_ms / 1000:.3f}", "-i", str(source), str(target)]
    ffmpeg.run(arguments, f"cannot cut {source}")


def _run(player: Player, argv: list[str], session: Path) -> None:
    try:
        done = subprocess.run(argv, check=False)
    except OSError as error:
        raise AudioError(
            f"cannot run the player '{argv[0]}': {error.strerror}; install it, or set "
            f"{PLAYER_ENV} to another command"
        ) from None
    if done.returncode > 0:
        raise AudioError(
            f"{player.name} stopped with exit code {done.returncode} (is there an audio "
            f"output?): the session is at {session}"
        )
