"""The user's own sound files, checked before anything is synthesized: a bed's recording,
cue sounds and recorded narration must be sound ffmpeg reads, each reported at the line
that names it (or at the option that gave it). numpy and pydub load only for a routine
that has such files."""

from __future__ import annotations

from pathlib import Path

from voiceguide.errors import AudioError, Problem, RoutineError, error_at, printable
from voiceguide.plan.planner import Settings
from voiceguide.routine.model import FILE_BED, Routine, is_say_file_key


def check_background_file(routine: Routine, settings: Settings | None = None) -> None:
    """A recording named as the bed must be sound ffmpeg reads, long enough to loop: found
    now, at its line in the file, not after synthesis (a quick ffmpeg probe)."""
    settings = settings or Settings()
    background = settings.background_of(routine)
    if background.sound != FILE_BED or not background.file:
        return
    from voiceguide.audio.recordings import probe

    path = Path(background.file)
    problem = probe(path)
    if problem:
        # At its line in the file, or naming --background-file (the path then shown whole).
        in_file = not settings.background_file and "background.file" in routine.locations
        message = f"{path} {problem}" if in_file else f"'{printable(str(path))}' {problem}"
        raise error_at(
            routine.source,
            routine.locations if in_file else {},
            "background.file",
            message,
            "--background-file",
            AudioError,
        )


def sound_file_lengths(routine: Routine) -> dict[str, int]:
    """The length of each of the routine's own sound files (cues and recorded narration),
    absolute path -> ms, as the planner takes them; RoutineError at each file's line (in
    the file that names it, an included one's too) when one is missing, unreadable, no
    sound, silent or too long."""
    if not routine.sound_files:
        return {}
    from voiceguide.audio.user_sounds import sound_length_ms

    lengths: dict[str, int] = {}
    problems = []
    for place, path in routine.sound_files:
        try:
            lengths[path] = sound_length_ms(path, is_say_file_key(place.key))
        except AudioError as error:
            message = f"{path} {error}"
            problems.append(Problem(place.path, place.line, place.column, place.key, message))
    if problems:
        raise RoutineError(problems)
    return lengths
